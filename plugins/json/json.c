/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The json plugin: extracts values from any plugin event whose payload is a
 * JSON document (k8s_audit, aws_cloudtrail, ...). Extraction only; it has no
 * event source of its own. Field set of the upstream json plugin 0.7.4.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <saker/plugin_api.h>
#include <saker/sdk.h>

#include "kit/jsonkit.h"

#define JSON_PLUGIN_VERSION "0.7.4"

enum json_field {
    F_JSON_VALUE = 0,
    F_JSON_OBJ = 1,
    F_JSON_RAWTIME = 2,
    F_JEVT_VALUE = 3,
    F_JEVT_OBJ = 4,
    F_JEVT_RAWTIME = 5,
};

static const char FIELDS[] =
        "["
        "{\"type\":\"string\",\"name\":\"json.value\",\"arg\":{\"isRequired\":true,\"isKey\":true},"
        "\"desc\":\"A value of the event's JSON payload, addressed by the RFC 6901 JSON pointer "
        "given as argument (json.value[/user/name]). Strings are returned as text, other values "
        "as compact JSON.\"},"
        "{\"type\":\"string\",\"name\":\"json.obj\",\"desc\":\"The event's whole JSON payload, "
        "indented.\"},"
        "{\"type\":\"string\",\"name\":\"json.rawtime\",\"desc\":\"The event time in nanoseconds "
        "since the epoch, as decimal text (the value of evt.rawtime).\"},"
        "{\"type\":\"string\",\"name\":\"jevt.value\",\"arg\":{\"isRequired\":true,\"isKey\":true},"
        "\"desc\":\"Same as json.value (older name, kept for existing rules).\"},"
        "{\"type\":\"string\",\"name\":\"jevt.obj\",\"desc\":\"Same as json.obj (older name, kept "
        "for existing rules).\"},"
        "{\"type\":\"string\",\"name\":\"jevt.rawtime\",\"desc\":\"Same as json.rawtime (older "
        "name, kept for existing rules).\"}"
        "]";

static const char SCHEMA[] =
        "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"type\":\"object\","
        "\"additionalProperties\":true,\"properties\":{\"useAsync\":{\"type\":\"boolean\","
        "\"title\":\"Use async extraction\",\"description\":\"Accepted for compatibility with "
        "the upstream plugin's configuration; extraction is always synchronous here.\","
        "\"default\":true}}}";

struct json_state {
    struct saker_errbuf err;
    struct jk_doc doc;
    struct jk_buf buf;
    struct saker_store store;
    uint16_t evt_types[1];
};

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return "3.6.0";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return JSON_PLUGIN_VERSION;
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return "json";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Extracts values from plugin events whose payload is JSON, addressed by JSON pointer";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "Saker maintainers";
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *schema_type)
{
    *schema_type = SS_PLUGIN_SCHEMA_JSON;
    return SCHEMA;
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct json_state *)s)->err.msg;
}

static int parse_config(struct json_state *st, const char *config)
{
    cJSON *root;
    const cJSON *v;
    int rc = 0;

    if (config == NULL || config[0] == '\0') {
        return 0;
    }
    root = cJSON_Parse(config);
    if (root == NULL || !cJSON_IsObject(root)) {
        saker_err(&st->err, "init config is not a JSON object: write it as {\"useAsync\": true} "
                            "or leave it empty");
        cJSON_Delete(root);
        return -1;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "useAsync");
    if (v != NULL && !cJSON_IsBool(v)) {
        saker_err(&st->err, "init config key \"useAsync\" must be true or false");
        rc = -1;
    }
    cJSON_Delete(root);
    return rc;
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct json_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    jk_doc_init(&st->doc);
    jk_buf_init(&st->buf);
    saker_store_init(&st->store);
    st->evt_types[0] = PPME_PLUGINEVENT_E;
    *rc = parse_config(st, in ? in->config : NULL) < 0 ? SS_PLUGIN_FAILURE : SS_PLUGIN_SUCCESS;
    return st;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *s)
{
    struct json_state *st = s;

    if (st == NULL) {
        return;
    }
    jk_doc_fini(&st->doc);
    jk_buf_fini(&st->buf);
    saker_store_fini(&st->store);
    free(st);
}

SAKER_EXPORT const char *plugin_get_fields(void)
{
    return FIELDS;
}

SAKER_EXPORT uint16_t *plugin_get_extract_event_types(uint32_t *numtypes, ss_plugin_t *s)
{
    *numtypes = 1;
    return ((struct json_state *)s)->evt_types;
}

static int extract_one(struct json_state *st,
                       const ss_plugin_event_input *ev,
                       ss_plugin_extract_field *f)
{
    const cJSON *root = jk_doc_get(&st->doc, ev, NULL, NULL);
    const cJSON *v;
    const char *text;
    size_t len;
    char num[24];
    int n;

    f->res_len = 0;
    if (root == NULL) {
        return 0; /* not a JSON payload: the field has no value */
    }
    switch (f->field_id) {
    case F_JSON_VALUE:
    case F_JEVT_VALUE:
        if (f->arg_key == NULL) {
            return 0;
        }
        v = jk_pointer(root, f->arg_key);
        if (v == NULL) {
            return 0;
        }
        text = jk_text(&st->buf, v, &len);
        if (text == NULL) {
            return -1;
        }
        return saker_field_set_str(&st->store, f, text, len);
    case F_JSON_OBJ:
    case F_JEVT_OBJ:
        if (jk_print_indented(&st->buf, root) < 0) {
            return -1;
        }
        return saker_field_set_str(&st->store, f, st->buf.p, st->buf.len);
    case F_JSON_RAWTIME:
    case F_JEVT_RAWTIME:
        n = snprintf(num, sizeof(num), "%" PRIu64, ev->evt->ts);
        if (n < 0 || (size_t)n >= sizeof(num)) {
            return -1;
        }
        return saker_field_set_str(&st->store, f, num, (size_t)n);
    default:
        return 0;
    }
}

SAKER_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                                const ss_plugin_event_input *ev,
                                                const ss_plugin_field_extract_input *in)
{
    struct json_state *st = s;

    saker_store_reset(&st->store);
    for (uint32_t i = 0; i < in->num_fields; i++) {
        if (extract_one(st, ev, &in->fields[i]) < 0) {
            return saker_err(&st->err, "out of memory extracting %s", in->fields[i].field);
        }
    }
    return SS_PLUGIN_SUCCESS;
}
