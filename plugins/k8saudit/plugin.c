/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The k8saudit plugin: event source k8s_audit (plugin id 1) and the ka.*
 * fields, a drop-in for the upstream plugin of the same name. A plain Falco
 * ABI plugin: it uses no Saker extension, so it loads in Falco too.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8saudit.h"

#define BATCH_MAX_EVENTS 4096
#define BATCH_MAX_CHUNKS 256
#define WAIT_MS          10

struct k8s_instance {
    struct k8s_state *st;
    struct k8s_webhook *webhook;
    struct k8s_files *files;
    struct k8s_evbuf out;
    struct k8s_chunk held[BATCH_MAX_CHUNKS];
    size_t nheld;
    ss_plugin_event **evts;
    size_t evts_cap;
    char progress[64];
};

static const char *const METRIC_NAMES[M__COUNT] = {
    [M_EVENTS_QUEUED] = "webhook_events_queued",
    [M_EVENTS_READ] = "file_events_read",
    [M_EVENTS_DELIVERED] = "events_delivered",
    [M_EVENTS_SKIPPED] = "events_skipped",
    [M_DOCS_REJECTED] = "documents_rejected",
    [M_REQUESTS] = "webhook_requests",
    [M_REQUESTS_OK] = "webhook_requests_ok",
    [M_REJ_NOT_FOUND] = "webhook_rejected_not_found",
    [M_REJ_METHOD] = "webhook_rejected_method",
    [M_REJ_UNAUTHORIZED] = "webhook_rejected_unauthorized",
    [M_REJ_CONTENT_TYPE] = "webhook_rejected_content_type",
    [M_REJ_MALFORMED] = "webhook_rejected_malformed",
    [M_REJ_TOO_LARGE] = "webhook_rejected_too_large",
    [M_REJ_QUEUE_FULL] = "webhook_rejected_queue_full",
    [M_REJ_ABORTED] = "webhook_aborted",
    [M_EVENTS_DISCARDED] = "webhook_events_discarded_at_close",
    [M_QUEUE_EVENTS] = "webhook_queue_events",
    [M_QUEUE_BYTES] = "webhook_queue_bytes",
};

void k8s_log(struct k8s_state *st, ss_plugin_log_severity sev, const char *fmt, ...)
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
    if (n < 0) {
        return;
    }
    st->log_fn(st->owner, NULL, msg, sev);
}

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return "3.6.0";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return K8S_PLUGIN_VERSION;
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return "k8saudit";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Kubernetes audit events from a webhook (http/https) or from files, with the ka.* "
           "fields";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "Saker maintainers";
}

SAKER_EXPORT uint32_t plugin_get_id(void)
{
    return K8S_PLUGIN_ID;
}

SAKER_EXPORT const char *plugin_get_event_source(void)
{
    return K8S_SOURCE;
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *schema_type)
{
    *schema_type = SS_PLUGIN_SCHEMA_JSON;
    return K8S_INIT_SCHEMA;
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct k8s_state *)s)->err.msg;
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct k8s_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    if (in != NULL) {
        st->owner = in->owner;
        st->log_fn = in->log_fn;
    }
    for (int i = 0; i < M__COUNT; i++) {
        atomic_init(&st->m[i], 0);
        st->metrics[i].name = METRIC_NAMES[i];
        st->metrics[i].type = (i == M_QUEUE_EVENTS || i == M_QUEUE_BYTES)
                                      ? SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC
                                      : SS_PLUGIN_METRIC_TYPE_MONOTONIC;
        st->metrics[i].value_type = SS_PLUGIN_METRIC_VALUE_TYPE_U64;
    }
    jk_doc_init(&st->doc);
    jk_buf_init(&st->text);
    jk_buf_init(&st->join);
    jk_buf_init(&st->str);
    jk_strlist_init(&st->list);
    saker_store_init(&st->store);
    *rc = k8s_config_parse(&st->cfg, in ? in->config : NULL, &st->err) < 0 ? SS_PLUGIN_FAILURE
                                                                           : SS_PLUGIN_SUCCESS;
    return st;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *s)
{
    struct k8s_state *st = s;

    if (st == NULL) {
        return;
    }
    k8s_config_fini(&st->cfg);
    jk_doc_fini(&st->doc);
    jk_buf_fini(&st->text);
    jk_buf_fini(&st->join);
    jk_buf_fini(&st->str);
    jk_strlist_fini(&st->list);
    saker_store_fini(&st->store);
    free(st->vals.v);
    free(st);
}

SAKER_EXPORT ss_plugin_metric *plugin_get_metrics(ss_plugin_t *s, uint32_t *num_metrics)
{
    struct k8s_state *st = s;

    for (int i = 0; i < M__COUNT; i++) {
        st->metrics[i].value.u64 = atomic_load_explicit(&st->m[i], memory_order_relaxed);
    }
    *num_metrics = M__COUNT;
    return st->metrics;
}

/* ---- Sourcing ------------------------------------------------------------------------ */

static void free_held(struct k8s_instance *inst)
{
    for (size_t i = 0; i < inst->nheld; i++) {
        free(inst->held[i].data);
    }
    inst->nheld = 0;
}

SAKER_EXPORT void plugin_close(ss_plugin_t *s, ss_instance_t *h)
{
    struct k8s_instance *inst = h;
    (void)s;

    if (inst == NULL) {
        return;
    }
    /* stop the server first: no thread may touch the queue afterwards */
    k8s_webhook_close(inst->webhook);
    k8s_files_close(inst->files);
    free_held(inst);
    k8s_evbuf_fini(&inst->out);
    free(inst->evts);
    free(inst);
}

SAKER_EXPORT ss_instance_t *plugin_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc)
{
    struct k8s_state *st = s;
    struct k8s_instance *inst = calloc(1, sizeof(*inst));
    char *p = NULL;
    size_t n;
    int r;

    *rc = SS_PLUGIN_FAILURE;
    if (inst == NULL) {
        saker_err(&st->err, "out of memory opening %s", params ? params : "");
        return NULL;
    }
    inst->st = st;
    params = params ? params : "";
    while (isspace((unsigned char)*params)) {
        params++;
    }
    n = strlen(params);
    while (n > 0 && isspace((unsigned char)params[n - 1])) {
        n--;
    }
    p = strndup(params, n);
    if (p == NULL) {
        saker_err(&st->err, "out of memory opening %s", params);
        goto fail;
    }
    if (p[0] == '\0') {
        saker_err(&st->err, "open_params is empty: give http://[host]:port/path, "
                            "https://[host]:port/path, a file or a directory of audit events");
        goto fail;
    }
    if (strncmp(p, "http://", 7) == 0) {
        r = k8s_webhook_open(st, p, false, &inst->webhook);
    } else if (strncmp(p, "https://", 8) == 0) {
        r = k8s_webhook_open(st, p, true, &inst->webhook);
    } else if (strncmp(p, "file://", 7) == 0) {
        r = k8s_files_open(st, p + 7, &inst->files);
    } else if (strstr(p, "://") != NULL) {
        saker_err(&st->err,
                  "open_params %s: scheme not supported: use http://, https://, "
                  "file:// or a plain path",
                  p);
        r = -1;
    } else {
        r = k8s_files_open(st, p, &inst->files);
    }
    if (r < 0) {
        goto fail;
    }
    free(p);
    *rc = SS_PLUGIN_SUCCESS;
    return inst;
fail:
    free(p);
    plugin_close(s, inst);
    return NULL;
}

static int point_at(struct k8s_instance *inst,
                    const uint8_t *base,
                    size_t len,
                    uint32_t count,
                    size_t *nevts)
{
    const ss_plugin_event *e = NULL;

    if (*nevts + count > inst->evts_cap) {
        size_t cap = inst->evts_cap ? inst->evts_cap : 256;
        ss_plugin_event **p;
        while (cap < *nevts + count) {
            cap *= 2;
        }
        p = realloc(inst->evts, cap * sizeof(*p));
        if (p == NULL) {
            return -1;
        }
        inst->evts = p;
        inst->evts_cap = cap;
    }
    while ((e = k8s_evbuf_next(base, len, e)) != NULL) {
        inst->evts[(*nevts)++] = (ss_plugin_event *)e;
    }
    return 0;
}

SAKER_EXPORT ss_plugin_rc plugin_next_batch(ss_plugin_t *s,
                                            ss_instance_t *h,
                                            uint32_t *nevts,
                                            ss_plugin_event ***evts)
{
    struct k8s_state *st = s;
    struct k8s_instance *inst = h;
    size_t n = 0;

    *nevts = 0;
    if (inst->webhook != NULL) {
        uint64_t qe = 0, qb = 0;
        size_t got;
        free_held(inst);
        got = k8s_queue_pop(k8s_webhook_queue(inst->webhook), inst->held, BATCH_MAX_CHUNKS,
                            BATCH_MAX_EVENTS, WAIT_MS, &qe, &qb);
        atomic_store_explicit(&st->m[M_QUEUE_EVENTS], qe, memory_order_relaxed);
        atomic_store_explicit(&st->m[M_QUEUE_BYTES], qb, memory_order_relaxed);
        inst->nheld = got;
        if (got == 0) {
            return SS_PLUGIN_TIMEOUT;
        }
        for (size_t i = 0; i < got; i++) {
            if (point_at(inst, inst->held[i].data, inst->held[i].len, inst->held[i].count, &n) <
                0) {
                return saker_err(&st->err, "out of memory delivering events");
            }
        }
    } else {
        ss_plugin_rc rc;
        k8s_evbuf_reset(&inst->out);
        rc = k8s_files_next(inst->files, &inst->out, BATCH_MAX_EVENTS);
        if (rc != SS_PLUGIN_SUCCESS) {
            return rc;
        }
        if (point_at(inst, inst->out.p, inst->out.len, inst->out.count, &n) < 0) {
            return saker_err(&st->err, "out of memory delivering events");
        }
    }
    k8s_count(st, M_EVENTS_DELIVERED, n);
    *nevts = (uint32_t)n;
    *evts = inst->evts;
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT const char *plugin_get_progress(ss_plugin_t *s,
                                             ss_instance_t *h,
                                             uint32_t *progress_pct)
{
    struct k8s_instance *inst = h;
    (void)s;

    *progress_pct = inst->files != NULL ? k8s_files_progress(inst->files) : 0;
    int n = snprintf(inst->progress, sizeof(inst->progress), "%.2f%%", *progress_pct / 100.0);
    if (n < 0 || (size_t)n >= sizeof(inst->progress)) {
        inst->progress[0] = '\0';
    }
    return inst->progress;
}

SAKER_EXPORT const char *plugin_event_to_string(ss_plugin_t *s, const ss_plugin_event_input *ev)
{
    struct k8s_state *st = s;
    const uint8_t *data;
    uint32_t len, id;

    st->str.len = 0;
    if (saker_evt_plugin_payload(ev->evt, &id, &data, &len) < 0 ||
        jk_buf_append(&st->str, (const char *)data, len) < 0) {
        return "";
    }
    return st->str.p;
}

/* ---- Extraction ----------------------------------------------------------------------- */

SAKER_EXPORT const char *plugin_get_fields(void)
{
    return K8S_FIELDS_JSON;
}

SAKER_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                                const ss_plugin_event_input *ev,
                                                const ss_plugin_field_extract_input *in)
{
    struct k8s_state *st = s;
    const cJSON *root = jk_doc_get(&st->doc, ev, NULL, NULL);

    saker_store_reset(&st->store);
    for (uint32_t i = 0; i < in->num_fields; i++) {
        if (k8s_extract(st, root, &in->fields[i]) < 0) {
            return saker_err(&st->err, "out of memory extracting %s", in->fields[i].field);
        }
    }
    return SS_PLUGIN_SUCCESS;
}
