/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "output/output.h"
#include "util/log.h"

/* ---- A recording sink in memory ------------------------------------------------------- */

struct rec {
    pthread_mutex_t lock;
    char lines[64][2048];
    size_t n;
    int opens;
    int flushes;
    int reopens;
    int closes;
    bool fail_open;
    bool fail_writes;
    char err[128];
};
static struct rec rec;

static const char *s_req(void)
{
    return "3.12.0";
}
static const char *s_ext(void)
{
    return "1.0.0";
}
static const char *s_name(void)
{
    return "recsink";
}
static const char *s_str(void)
{
    return "x";
}
static const char *s_version(void)
{
    return "0.1.0";
}
static ss_plugin_t *s_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    *rc = SS_PLUGIN_SUCCESS;
    return &rec;
}
static void s_destroy(ss_plugin_t *s)
{
}
static const char *s_last_error(ss_plugin_t *s)
{
    return rec.err;
}
static saker_sink_t *s_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc)
{
    rec.opens++;
    if (rec.fail_open) {
        snprintf(rec.err, sizeof(rec.err), "disk on fire");
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    *rc = SS_PLUGIN_SUCCESS;
    return &rec;
}
static ss_plugin_rc s_write(ss_plugin_t *s,
                            saker_sink_t *h,
                            uint32_t n,
                            const saker_alert *const *alerts,
                            saker_sink_result *res)
{
    pthread_mutex_lock(&rec.lock);
    for (uint32_t i = 0; i < n; i++) {
        if (rec.n < 64) {
            snprintf(rec.lines[rec.n++], sizeof(rec.lines[0]), "%s", alerts[i]->line);
        }
        res[i].rc = rec.fail_writes ? SS_PLUGIN_FAILURE : SS_PLUGIN_SUCCESS;
        res[i].retries = rec.fail_writes ? 2 : 0;
    }
    pthread_mutex_unlock(&rec.lock);
    snprintf(rec.err, sizeof(rec.err), "receiver gone");
    return SS_PLUGIN_SUCCESS;
}
static ss_plugin_rc s_flush(ss_plugin_t *s, saker_sink_t *h)
{
    rec.flushes++;
    return SS_PLUGIN_SUCCESS;
}
static ss_plugin_rc s_reopen(ss_plugin_t *s, saker_sink_t *h)
{
    rec.reopens++;
    return SS_PLUGIN_SUCCESS;
}
static void s_close(ss_plugin_t *s, saker_sink_t *h)
{
    rec.closes++;
}

static struct skr_plugin *sink_plugin(void)
{
    struct skr_plugin_vtable vt;
    struct skr_err err;
    struct skr_plugin *p;

    memset(&vt, 0, sizeof(vt));
    vt.api.get_required_api_version = s_req;
    vt.api.get_name = s_name;
    vt.api.get_description = s_str;
    vt.api.get_contact = s_str;
    vt.api.get_version = s_version;
    vt.api.init = s_init;
    vt.api.destroy = s_destroy;
    vt.api.get_last_error = s_last_error;
    vt.get_required_saker_ext_version = s_ext;
    vt.sink_open = s_open;
    vt.sink_write = s_write;
    vt.sink_flush = s_flush;
    vt.sink_reopen = s_reopen;
    vt.sink_close = s_close;
    p = skr_plugin_load_vtable(&vt, "recsink", &err);
    assert_non_null(p);
    assert_true(p->caps & SKR_CAP_SINK);
    return p;
}

static void reset_rec(void)
{
    pthread_mutex_destroy(&rec.lock);
    memset(&rec, 0, sizeof(rec));
    pthread_mutex_init(&rec.lock, NULL);
}

static struct skr_output_cfg default_cfg(void)
{
    struct skr_output_cfg c;

    memset(&c, 0, sizeof(c));
    c.json_include_output_property = true;
    c.json_include_output_fields_property = true;
    c.json_include_tags_property = true;
    c.stdout_enabled = true;
    c.queue_capacity = 16;
    return c;
}

/* 2024-05-01T10:00:00.123456789Z */
#define TS 1714557600123456789ull

static saker_alert sample(saker_alert_field *f, saker_alert_value *v)
{
    static const char *const tags[] = { "k8s", "mitre" };
    static const uint8_t ip[4] = { 10, 0, 0, 1 };
    saker_alert a;

    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.priority = 4;
    a.ts = TS;
    a.rule = "Secret \"read\"";
    a.priority_name = "Warning";
    a.source = "k8s_audit";
    a.output = "user=alice ip=10.0.0.1";
    a.tags = tags;
    a.num_tags = 2;
    memset(f, 0, 5 * sizeof(*f));
    f[0].name = "ka.user.name";
    f[0].type = FTYPE_STRING;
    f[0].num_values = 1;
    v[0].v.str.ptr = "alice";
    v[0].v.str.len = 5;
    f[0].values = &v[0];
    f[1].name = "ka.reason";
    f[1].type = FTYPE_STRING;
    f[2].name = "n";
    f[2].type = FTYPE_UINT64;
    f[2].is_list = 1;
    f[2].num_values = 2;
    v[1].v.u64 = 7;
    v[2].v.u64 = 8;
    f[2].values = &v[1];
    f[3].name = "ok";
    f[3].type = FTYPE_BOOL;
    f[3].num_values = 1;
    v[3].v.boolean = 1;
    f[3].values = &v[3];
    f[4].name = "ip";
    f[4].type = FTYPE_IPADDR;
    f[4].num_values = 1;
    v[4].v.buf.len = 4;
    v[4].v.buf.ptr = ip;
    f[4].values = &v[4];
    a.fields = f;
    a.num_fields = 5;
    a.hostname = "node-1";
    return a;
}

static void formats_text_and_json(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);
    struct skr_strbuf out;

    (void)state;
    skr_strbuf_init(&out);
    skr_output_format(&cfg, &a, &out);
    assert_string_equal(out.p, "10:00:00.123456789: Warning user=alice ip=10.0.0.1");
    skr_strbuf_reset(&out);
    cfg.time_format_iso_8601 = true;
    skr_output_format(&cfg, &a, &out);
    assert_string_equal(out.p,
                        "2024-05-01T10:00:00.123456789+0000: Warning user=alice ip=10.0.0.1");
    skr_strbuf_reset(&out);
    cfg.time_format_iso_8601 = false;
    cfg.json_output = true;
    skr_output_format(&cfg, &a, &out);
    assert_string_equal(
            out.p, "{\"hostname\":\"node-1\",\"output\":\"10:00:00.123456789: Warning "
                   "user=alice ip=10.0.0.1\",\"output_fields\":{\"evt.time\":1714557600123456789,"
                   "\"ka.user.name\":\"alice\",\"ka.reason\":null,\"n\":[7,8],\"ok\":true,"
                   "\"ip\":\"10.0.0.1\"},\"priority\":\"Warning\",\"rule\":\"Secret \\\"read\\\"\","
                   "\"source\":\"k8s_audit\",\"tags\":[\"k8s\",\"mitre\"],\"time\":"
                   "\"2024-05-01T10:00:00.123456789Z\"}");
    skr_strbuf_reset(&out);
    cfg.json_include_output_property = false;
    cfg.json_include_output_fields_property = false;
    cfg.json_include_tags_property = false;
    cfg.json_include_message_property = true;
    skr_output_format(&cfg, &a, &out);
    assert_string_equal(out.p, "{\"hostname\":\"node-1\",\"message\":\"user=alice "
                               "ip=10.0.0.1\",\"priority\":\"Warning\",\"rule\":\"Secret "
                               "\\\"read\\\"\",\"source\":\"k8s_audit\",\"time\":"
                               "\"2024-05-01T10:00:00.123456789Z\"}");
    /* invalid UTF-8 becomes U+FFFD, control characters are escaped */
    skr_strbuf_reset(&out);
    cfg.json_include_message_property = false;
    a.rule = "bad\xff\x01";
    skr_output_format(&cfg, &a, &out);
    assert_non_null(strstr(out.p, "\"rule\":\"bad\xef\xbf\xbd\\u0001\""));
    skr_strbuf_fini(&out);
}

static void queue_full_drops_and_counts(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_output *o;
    struct skr_output_stats st;
    struct skr_err err;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);

    (void)state;
    cfg.queue_capacity = 2;
    o = skr_output_new(&cfg, "h", &err);
    assert_non_null(o);
    /* not started: nothing drains, so the third push finds the queue full */
    assert_int_equal(skr_output_push(o, &a), 0);
    assert_int_equal(skr_output_push(o, &a), 0);
    assert_int_equal(skr_output_push(o, &a), -EAGAIN);
    skr_output_stats(o, &st);
    assert_int_equal(st.pushed, 2);
    assert_int_equal(st.queue_drops, 1);
    skr_output_free(o);
}

static void dispatches_to_sinks(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_stats st;
    struct skr_strbuf js;
    struct skr_err err;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);
    static const char *const keys[] = { "n_drops" };
    static const char *const vals[] = { "12" };

    (void)state;
    reset_rec();
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "", "", &err), 0);
    assert_int_equal(skr_output_start(o, &err), 0);
    assert_int_equal(rec.opens, 1);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(skr_output_push(o, &a), 0);
    }
    assert_int_equal(skr_output_push_internal(o, TS, 7, "Saker internal: event drop",
                                              "12 events dropped", keys, vals, 1),
                     0);
    skr_output_drain(o);
    assert_int_equal(rec.n, 11);
    assert_string_equal(rec.lines[0], "10:00:00.123456789: Warning user=alice ip=10.0.0.1");
    assert_string_equal(rec.lines[10], "10:00:00.123456789: Debug 12 events dropped");
    assert_true(rec.flushes >= 1);
    skr_output_reopen(o);
    rec.fail_writes = true;
    assert_int_equal(skr_output_push(o, &a), 0);
    skr_output_drain(o);
    skr_output_stop(o);
    assert_int_equal(rec.reopens, 1);
    assert_int_equal(rec.closes, 1);
    assert_int_equal(skr_output_push(o, &a), -ESHUTDOWN);
    skr_output_stats(o, &st);
    assert_int_equal(st.pushed, 12);
    assert_int_equal(st.dispatched, 12);
    assert_int_equal(st.sink_failures, 1);
    skr_strbuf_init(&js);
    skr_output_stats_json(o, &js);
    assert_string_equal(js.p, "{\"pushed\":12,\"queue_drops\":0,\"dispatched\":12,"
                              "\"sink_failures\":1,\"sink_errors\":0,\"sinks\":{\"rec\":{"
                              "\"delivered\":11,\"failed\":1,\"retries\":2,\"errors\":0}}}");
    skr_strbuf_fini(&js);
    skr_output_free(o);
    skr_plugin_free(p);
}

static void sink_open_failure_reported(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_err err;

    (void)state;
    reset_rec();
    rec.fail_open = true;
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "", "", &err), 0);
    assert_int_equal(skr_output_start(o, &err), -EIO);
    assert_string_equal(err.msg, "output sink 'rec' (plugin 'recsink'): plugin_sink_open "
                                 "failed: disk on fire");
    skr_output_free(o);
    skr_plugin_free(p);
}

static void not_a_sink_refused(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_err err;

    (void)state;
    p->caps &= ~SKR_CAP_SINK;
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "", "", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "is not an output sink"));
    skr_output_free(o);
    skr_plugin_free(p);
}

/* Several producers against a small blocking queue: nothing lost, nothing dropped. */
struct prod {
    struct skr_output *o;
    saker_alert a;
};

static void *producer(void *arg)
{
    struct prod *p = arg;

    for (int i = 0; i < 500; i++) {
        skr_output_push(p->o, &p->a);
    }
    return NULL;
}

static void blocking_queue_loses_nothing(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_stats st;
    struct skr_err err;
    saker_alert_field f[5];
    saker_alert_value v[5];
    struct prod pr;
    pthread_t t[3];

    (void)state;
    reset_rec();
    cfg.queue_capacity = 4;
    cfg.queue_policy = SKR_QUEUE_BLOCK;
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "", "", &err), 0);
    assert_int_equal(skr_output_start(o, &err), 0);
    pr.o = o;
    pr.a = sample(f, v);
    for (int i = 0; i < 3; i++) {
        pthread_create(&t[i], NULL, producer, &pr);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
    }
    skr_output_stop(o);
    skr_output_stats(o, &st);
    assert_int_equal(st.pushed, 1500);
    assert_int_equal(st.dispatched, 1500);
    assert_int_equal(st.queue_drops, 0);
    skr_output_free(o);
    skr_plugin_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_text_and_json), cmocka_unit_test(queue_full_drops_and_counts),
        cmocka_unit_test(dispatches_to_sinks),   cmocka_unit_test(sink_open_failure_reported),
        cmocka_unit_test(not_a_sink_refused),    cmocka_unit_test(blocking_queue_loses_nothing),
    };
    setenv("TZ", "UTC", 1);
    tzset();
    pthread_mutex_init(&rec.lock, NULL);
    skr_log_set_level(SKR_LOG_CRIT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
