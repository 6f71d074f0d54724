/* SPDX-License-Identifier: Apache-2.0 */
/*
 * benchsrc: the benchmark's event source. Small plugin events (an 8-byte
 * counter as payload) in batches, built in place so that the source itself
 * costs next to nothing and the figure measures the pipeline.
 * init_config: {"count": N, "batch": N}. Fields: bench.n (uint64), bench.text (string).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <saker/sdk.h>

#define BENCH_ID  1000100
#define EVT_LEN   (PLUGIN_EVENT_PAYLOAD_OFFSET + 8)
#define MAX_BATCH 4096

struct state {
    struct saker_errbuf err;
    uint64_t count;
    uint32_t batch;
    uint64_t value;
    char text[32];
    const char *str;
};

struct inst {
    uint64_t next;
    uint8_t *buf;
    ss_plugin_event *ptrs[MAX_BATCH];
};

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return "3.0.0";
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return "benchsrc";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Benchmark event source";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "saker benchmarks";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return "1.0.0";
}

SAKER_EXPORT uint32_t plugin_get_id(void)
{
    return BENCH_ID;
}

SAKER_EXPORT const char *plugin_get_event_source(void)
{
    return "bench";
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct state *s = calloc(1, sizeof(*s));
    cJSON *cfg = cJSON_Parse(in->config && in->config[0] ? in->config : "{}");
    const cJSON *v;

    s->count = 5000000;
    s->batch = 1024;
    if ((v = cJSON_GetObjectItem(cfg, "count")) != NULL) {
        s->count = (uint64_t)v->valuedouble;
    }
    if ((v = cJSON_GetObjectItem(cfg, "batch")) != NULL && v->valuedouble >= 1 &&
        v->valuedouble <= MAX_BATCH) {
        s->batch = (uint32_t)v->valuedouble;
    }
    cJSON_Delete(cfg);
    *rc = SS_PLUGIN_SUCCESS;
    return s;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *s)
{
    free(s);
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct state *)s)->err.msg;
}

SAKER_EXPORT ss_instance_t *plugin_open(ss_plugin_t *st, const char *params, ss_plugin_rc *rc)
{
    struct state *s = st;
    struct inst *i = calloc(1, sizeof(*i));
    uint64_t zero = 0;

    i->buf = malloc((size_t)MAX_BATCH * EVT_LEN);
    for (uint32_t k = 0; k < s->batch; k++) {
        saker_evt_build_plugin(i->buf + (size_t)k * EVT_LEN, EVT_LEN, 0, BENCH_ID, &zero, 8);
        i->ptrs[k] = (ss_plugin_event *)(i->buf + (size_t)k * EVT_LEN);
    }
    i->next = 1;
    *rc = SS_PLUGIN_SUCCESS;
    return i;
}

SAKER_EXPORT void plugin_close(ss_plugin_t *s, ss_instance_t *h)
{
    struct inst *i = h;

    if (i != NULL) {
        free(i->buf);
        free(i);
    }
}

SAKER_EXPORT ss_plugin_rc plugin_next_batch(ss_plugin_t *st,
                                            ss_instance_t *h,
                                            uint32_t *nevts,
                                            ss_plugin_event ***evts)
{
    struct state *s = st;
    struct inst *i = h;
    uint32_t n = 0;

    while (n < s->batch && i->next <= s->count) {
        ss_plugin_event *e = i->ptrs[n];
        e->ts = 1700000000000000000ull + i->next;
        memcpy((uint8_t *)e + PLUGIN_EVENT_PAYLOAD_OFFSET, &i->next, 8);
        n++;
        i->next++;
    }
    *nevts = n;
    *evts = i->ptrs;
    return n > 0 ? SS_PLUGIN_SUCCESS : SS_PLUGIN_EOF;
}

SAKER_EXPORT const char *plugin_get_fields(void)
{
    return "[{\"name\":\"bench.n\",\"type\":\"uint64\",\"desc\":\"The event's number\"},"
           "{\"name\":\"bench.text\",\"type\":\"string\",\"desc\":\"A constant string\"}]";
}

SAKER_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t *st,
                                                const ss_plugin_event_input *ev,
                                                const ss_plugin_field_extract_input *in)
{
    struct state *s = st;

    for (uint32_t k = 0; k < in->num_fields; k++) {
        ss_plugin_extract_field *f = &in->fields[k];
        if (f->field_id == 0) {
            memcpy(&s->value, (const uint8_t *)ev->evt + PLUGIN_EVENT_PAYLOAD_OFFSET, 8);
            f->res.u64 = &s->value;
        } else {
            s->str = "benchmark";
            f->res.str = &s->str;
        }
        f->res_len = 1;
    }
    return SS_PLUGIN_SUCCESS;
}
