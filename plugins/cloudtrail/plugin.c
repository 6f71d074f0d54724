/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cloudtrail plugin: event source aws_cloudtrail (plugin id 2) read from
 * CloudTrail log files, and the upstream cloudtrail plugin's fields. A plain
 * Falco ABI plugin (no Saker extension), so it loads in Falco too. Reading
 * from S3 or SQS is not part of this build: open says so.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudtrail.h"

#define BATCH_MAX 1024

struct ct_instance {
    struct ct_files *files;
    char progress[96];
};

static const char *const METRIC_NAMES[CM__COUNT] = {
    [CM_FILES_READ] = "files_read",
    [CM_FILES_FAILED] = "files_failed",
    [CM_RECORDS_READ] = "records_read",
    [CM_RECORDS_SKIPPED] = "records_skipped",
};

const char CT_INIT_SCHEMA[] =
        "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"type\":\"object\","
        "\"additionalProperties\":true,\"properties\":{"
        "\"s3DownloadConcurrency\":{\"type\":\"integer\",\"title\":\"S3 download concurrency\","
        "\"description\":\"Accepted for compatibility; S3 is not read by this build.\","
        "\"default\":32},"
        "\"s3Interval\":{\"type\":\"string\",\"title\":\"S3 interval\",\"description\":"
        "\"Accepted for compatibility; S3 is not read by this build.\",\"default\":\"\"},"
        "\"sqsDelete\":{\"type\":\"boolean\",\"title\":\"Delete SQS messages\",\"description\":"
        "\"Accepted for compatibility; SQS is not read by this build.\",\"default\":true},"
        "\"useS3SNS\":{\"type\":\"boolean\",\"title\":\"S3 SNS notifications\",\"description\":"
        "\"Accepted for compatibility; SQS is not read by this build.\",\"default\":false},"
        "\"s3AccountList\":{\"type\":\"string\",\"title\":\"S3 account list\",\"default\":\"\"},"
        "\"sqsOwnerAccount\":{\"type\":\"string\",\"title\":\"SQS owner account\","
        "\"default\":\"\"},"
        "\"aws\":{\"type\":\"object\",\"title\":\"AWS SDK settings\",\"properties\":{"
        "\"profile\":{\"type\":\"string\"},\"region\":{\"type\":\"string\"},\"config\":{\"type\":"
        "\"string\"},\"credentials\":{\"type\":\"string\"}}},"
        "\"useAsync\":{\"type\":\"boolean\",\"title\":\"Use async extraction\",\"description\":"
        "\"Accepted for compatibility; no effect.\",\"default\":true}}}";

void ct_log(struct ct_state *st, ss_plugin_log_severity sev, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    int n;

    if (st->log_fn == NULL) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n >= 0) {
        st->log_fn(st->owner, NULL, msg, sev);
    }
}

int ct_config_check(const char *text, struct saker_errbuf *err)
{
    static const struct {
        const char *key;
        int type;
    } keys[] = {
        { "s3DownloadConcurrency", cJSON_Number },
        { "s3Interval", cJSON_String },
        { "sqsDelete", cJSON_True },
        { "useS3SNS", cJSON_True },
        { "s3AccountList", cJSON_String },
        { "sqsOwnerAccount", cJSON_String },
        { "aws", cJSON_Object },
        { "useAsync", cJSON_True },
    };
    static const char *const names[] = { [cJSON_Number] = "a number",
                                         [cJSON_String] = "a string",
                                         [cJSON_True] = "true or false",
                                         [cJSON_Object] = "an object" };
    cJSON *root;
    int rc = 0;

    if (text == NULL || text[0] == '\0') {
        return 0;
    }
    root = cJSON_Parse(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        saker_err(err, "init config is not a JSON object: write it as {\"sqsDelete\": true, ...} "
                       "or leave it empty");
        return -1;
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && rc == 0; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, keys[i].key);
        bool ok;
        if (v == NULL) {
            continue;
        }
        ok = keys[i].type == cJSON_True ? cJSON_IsBool(v) : (v->type & 0xff) == keys[i].type;
        if (!ok) {
            saker_err(err, "init config key \"%s\" must be %s", keys[i].key, names[keys[i].type]);
            rc = -1;
        }
    }
    cJSON_Delete(root);
    return rc;
}

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return "3.6.0";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return CT_PLUGIN_VERSION;
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return "cloudtrail";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "AWS CloudTrail records from log files (plain or gzip), with the ct.*, s3.*, ec2.*, "
           "ecr.* and iam.* fields";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "Saker maintainers";
}

SAKER_EXPORT uint32_t plugin_get_id(void)
{
    return CT_PLUGIN_ID;
}

SAKER_EXPORT const char *plugin_get_event_source(void)
{
    return CT_SOURCE;
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *schema_type)
{
    *schema_type = SS_PLUGIN_SCHEMA_JSON;
    return CT_INIT_SCHEMA;
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct ct_state *)s)->err.msg;
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct ct_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    if (in != NULL) {
        st->owner = in->owner;
        st->log_fn = in->log_fn;
    }
    for (int i = 0; i < CM__COUNT; i++) {
        atomic_init(&st->m[i], 0);
        st->metrics[i].name = METRIC_NAMES[i];
        st->metrics[i].type = SS_PLUGIN_METRIC_TYPE_MONOTONIC;
        st->metrics[i].value_type = SS_PLUGIN_METRIC_VALUE_TYPE_U64;
    }
    jk_doc_init(&st->doc);
    jk_buf_init(&st->text);
    jk_buf_init(&st->info);
    jk_buf_init(&st->str);
    jk_strlist_init(&st->list);
    saker_store_init(&st->store);
    *rc = ct_config_check(in ? in->config : NULL, &st->err) < 0 ? SS_PLUGIN_FAILURE
                                                                : SS_PLUGIN_SUCCESS;
    return st;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *s)
{
    struct ct_state *st = s;

    if (st == NULL) {
        return;
    }
    jk_doc_fini(&st->doc);
    jk_buf_fini(&st->text);
    jk_buf_fini(&st->info);
    jk_buf_fini(&st->str);
    jk_strlist_fini(&st->list);
    saker_store_fini(&st->store);
    free(st);
}

SAKER_EXPORT ss_plugin_metric *plugin_get_metrics(ss_plugin_t *s, uint32_t *num_metrics)
{
    struct ct_state *st = s;

    for (int i = 0; i < CM__COUNT; i++) {
        st->metrics[i].value.u64 = atomic_load_explicit(&st->m[i], memory_order_relaxed);
    }
    *num_metrics = CM__COUNT;
    return st->metrics;
}

SAKER_EXPORT void plugin_close(ss_plugin_t *s, ss_instance_t *h)
{
    struct ct_instance *inst = h;
    (void)s;

    if (inst == NULL) {
        return;
    }
    ct_files_close(inst->files);
    free(inst);
}

SAKER_EXPORT ss_instance_t *plugin_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc)
{
    struct ct_state *st = s;
    struct ct_instance *inst;

    *rc = SS_PLUGIN_FAILURE;
    params = params ? params : "";
    if (strncmp(params, "s3://", 5) == 0 || strncmp(params, "sqs://", 6) == 0) {
        saker_err(&st->err,
                  "open_params %s: reading CloudTrail logs from %s is not supported in this "
                  "build; copy the log files to a local directory (e.g. aws s3 sync) and give "
                  "its path",
                  params, params[1] == '3' ? "S3" : "SQS");
        return NULL;
    }
    inst = calloc(1, sizeof(*inst));
    if (inst == NULL) {
        saker_err(&st->err, "out of memory opening %s", params);
        return NULL;
    }
    if (ct_files_open(st, params, &inst->files) < 0) {
        free(inst);
        return NULL;
    }
    *rc = SS_PLUGIN_SUCCESS;
    return inst;
}

SAKER_EXPORT ss_plugin_rc plugin_next_batch(ss_plugin_t *s,
                                            ss_instance_t *h,
                                            uint32_t *nevts,
                                            ss_plugin_event ***evts)
{
    struct ct_instance *inst = h;
    (void)s;

    return ct_files_next(inst->files, BATCH_MAX, evts, nevts);
}

SAKER_EXPORT const char *plugin_get_progress(ss_plugin_t *s,
                                             ss_instance_t *h,
                                             uint32_t *progress_pct)
{
    struct ct_instance *inst = h;
    (void)s;

    *progress_pct = ct_files_progress(inst->files, inst->progress, sizeof(inst->progress));
    return inst->progress;
}

/* "<region> [<user> ]<service> <eventName> <info>", as upstream. */
SAKER_EXPORT const char *plugin_event_to_string(ss_plugin_t *s, const ss_plugin_event_input *ev)
{
    struct ct_state *st = s;
    const cJSON *root = jk_doc_get(&st->doc, ev, NULL, NULL);
    const char *src = jk_get_str(root, JK_KEYS("eventSource"));
    const char *region = jk_get_str(root, JK_KEYS("awsRegion"));
    const char *name = jk_get_str(root, JK_KEYS("eventName"));
    const char *user = NULL;
    size_t slen;
    struct jk_buf *b = &st->str;

    if (root == NULL) {
        return "<invalid cloudtrail record: not JSON>";
    }
    if (src == NULL || region == NULL || name == NULL) {
        return "<invalid cloudtrail record: eventSource, awsRegion or eventName missing>";
    }
    slen = strlen(src);
    if (slen > 14 && strcmp(src + slen - 14, ".amazonaws.com") == 0) {
        slen -= 14;
    }
    b->len = 0;
    if (jk_buf_append(b, region, strlen(region)) < 0 ||
        (ct_user(root, &user) && user[0] != '\0' &&
         (jk_buf_append(b, " ", 1) < 0 || jk_buf_append(b, user, strlen(user)) < 0)) ||
        jk_buf_append(b, " ", 1) < 0 || jk_buf_append(b, src, slen) < 0 ||
        jk_buf_append(b, " ", 1) < 0 || jk_buf_append(b, name, strlen(name)) < 0 ||
        jk_buf_append(b, " ", 1) < 0) {
        return "";
    }
    /* ct_info writes into st->info; the line is built in st->str */
    if (ct_info(root, &st->info) < 0 || jk_buf_append(b, st->info.p, st->info.len) < 0) {
        return "";
    }
    return b->p;
}

SAKER_EXPORT const char *plugin_get_fields(void)
{
    return CT_FIELDS_JSON;
}

SAKER_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                                const ss_plugin_event_input *ev,
                                                const ss_plugin_field_extract_input *in)
{
    struct ct_state *st = s;
    const cJSON *root = jk_doc_get(&st->doc, ev, NULL, NULL);

    saker_store_reset(&st->store);
    for (uint32_t i = 0; i < in->num_fields; i++) {
        if (ct_extract(st, root, &in->fields[i]) < 0) {
            return saker_err(&st->err, "out of memory extracting %s", in->fields[i].field);
        }
    }
    return SS_PLUGIN_SUCCESS;
}
