/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "output/output_int.h"
#include "util/log.h"

/*
 * A recording sink in memory. Its init config is the index of the record it
 * fills ("0", "1"), so two sinks of one output keep apart. A gated record
 * blocks every write until the test opens the gate: a sink that hangs.
 */
struct rec {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char lines[64][2048];
    uint64_t seqs[4096];
    size_t n;
    size_t writes; /* write calls entered */
    int opens;
    int flushes;
    int reopens;
    int closes;
    bool fail_open;
    bool fail_writes;
    bool gated;
    char err[128];
};
static struct rec recs[2];

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
    return &recs[in->config != NULL && in->config[0] == '1' ? 1 : 0];
}
static void s_destroy(ss_plugin_t *s)
{
}
static const char *s_last_error(ss_plugin_t *s)
{
    return ((struct rec *)s)->err;
}
static saker_sink_t *s_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc)
{
    struct rec *r = s;

    r->opens++;
    if (r->fail_open) {
        snprintf(r->err, sizeof(r->err), "disk on fire");
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    *rc = SS_PLUGIN_SUCCESS;
    return r;
}
static ss_plugin_rc s_write(ss_plugin_t *s,
                            saker_sink_t *h,
                            uint32_t n,
                            const saker_alert *const *alerts,
                            saker_sink_result *res)
{
    struct rec *r = s;

    pthread_mutex_lock(&r->lock);
    r->writes++;
    pthread_cond_broadcast(&r->cond);
    while (r->gated) {
        pthread_cond_wait(&r->cond, &r->lock);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (r->n < 64) {
            snprintf(r->lines[r->n], sizeof(r->lines[0]), "%s", alerts[i]->line);
        }
        if (r->n < 4096) {
            r->seqs[r->n] = alerts[i]->seq;
        }
        r->n++;
        res[i].rc = r->fail_writes ? SS_PLUGIN_FAILURE : SS_PLUGIN_SUCCESS;
        res[i].retries = r->fail_writes ? 2 : 0;
    }
    snprintf(r->err, sizeof(r->err), "receiver gone");
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return SS_PLUGIN_SUCCESS;
}
static ss_plugin_rc s_flush(ss_plugin_t *s, saker_sink_t *h)
{
    ((struct rec *)s)->flushes++;
    return SS_PLUGIN_SUCCESS;
}
static ss_plugin_rc s_reopen(ss_plugin_t *s, saker_sink_t *h)
{
    ((struct rec *)s)->reopens++;
    return SS_PLUGIN_SUCCESS;
}
static void s_close(ss_plugin_t *s, saker_sink_t *h)
{
    ((struct rec *)s)->closes++;
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
    for (int i = 0; i < 2; i++) {
        pthread_mutex_destroy(&recs[i].lock);
        pthread_cond_destroy(&recs[i].cond);
        memset(&recs[i], 0, sizeof(recs[i]));
        pthread_mutex_init(&recs[i].lock, NULL);
        pthread_cond_init(&recs[i].cond, NULL);
    }
}

/* Waits until record r has received n alerts (or entered n writes when writes is true). */
static void rec_wait(struct rec *r, size_t n, bool writes)
{
    pthread_mutex_lock(&r->lock);
    while ((writes ? r->writes : r->n) < n) {
        pthread_cond_wait(&r->cond, &r->lock);
    }
    pthread_mutex_unlock(&r->lock);
}

static void rec_open_gate(struct rec *r)
{
    pthread_mutex_lock(&r->lock);
    r->gated = false;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
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
    c.queue_block_timeout_ms = 1000;
    c.queue_drain_timeout_ms = 5000;
    c.dedup_max_keys = 16;
    return c;
}

static void sink_account(struct skr_output *o, size_t i, struct skr_output_sink_stats *st)
{
    assert_int_equal(skr_output_sink_stats(o, i, st), 0);
    /* the invariant every account keeps */
    assert_int_equal(st->offered, st->delivered + st->failed + st->dropped + st->lost + st->queued);
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
    /* byte buffers: printable ASCII kept, other bytes '.', escaped in JSON */
    {
        static const uint8_t raw[] = { 'a', '"', 'b', 0x01, 0xff, '\\' };
        saker_alert_field bf;
        saker_alert_value bv;
        memset(&bf, 0, sizeof(bf));
        bf.name = "evt.buffer";
        bf.type = SAKER_FTYPE_BYTEBUF;
        bf.num_values = 1;
        bv.v.buf.ptr = raw;
        bv.v.buf.len = sizeof(raw);
        bf.values = &bv;
        skr_strbuf_reset(&out);
        skr_output_format_field(&bf, false, &out);
        assert_string_equal(out.p, "a\"b..\\");
        skr_strbuf_reset(&out);
        skr_output_format_field(&bf, true, &out);
        assert_string_equal(out.p, "\"a\\\"b..\\\\\"");
    }
    /* invalid UTF-8 becomes U+FFFD, control characters are escaped */
    skr_strbuf_reset(&out);
    cfg.json_include_message_property = false;
    a.rule = "bad\xff\x01";
    skr_output_format(&cfg, &a, &out);
    assert_non_null(strstr(out.p, "\"rule\":\"bad\xef\xbf\xbd\\u0001\""));
    skr_strbuf_fini(&out);
}

static void dispatches_to_sinks(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_stats st;
    struct skr_strbuf js;
    struct skr_err err;
    struct rec *rec = &recs[0];
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);
    static const char *const keys[] = { "n_drops" };
    static const char *const vals[] = { "12" };

    (void)state;
    reset_rec();
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), 0);
    assert_int_equal(skr_output_start(o, &err), 0);
    assert_int_equal(rec->opens, 1);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(skr_output_push(o, &a), 0);
    }
    assert_int_equal(skr_output_push_internal(o, TS, 7, "Saker internal: event drop",
                                              "12 events dropped", keys, vals, 1),
                     0);
    skr_output_drain(o);
    assert_int_equal(rec->n, 11);
    assert_string_equal(rec->lines[0], "10:00:00.123456789: Warning user=alice ip=10.0.0.1");
    assert_string_equal(rec->lines[10], "10:00:00.123456789: Debug 12 events dropped");
    for (size_t i = 0; i < 11; i++) {
        assert_int_equal(rec->seqs[i], i + 1);
    }
    assert_true(rec->flushes >= 1);
    skr_output_reopen(o);
    rec->fail_writes = true;
    assert_int_equal(skr_output_push(o, &a), 0);
    skr_output_drain(o);
    skr_output_stop(o);
    assert_int_equal(rec->reopens, 1);
    assert_int_equal(rec->closes, 1);
    assert_int_equal(skr_output_push(o, &a), -ESHUTDOWN);
    skr_output_stats(o, &st);
    assert_int_equal(st.pushed, 12);
    assert_int_equal(st.dispatched, 12);
    assert_int_equal(st.sink_failures, 1);
    skr_strbuf_init(&js);
    skr_output_stats_json(o, &js);
    assert_string_equal(js.p, "{\"pushed\":12,\"queue_drops\":0,\"dispatched\":12,"
                              "\"sink_failures\":1,\"sink_errors\":0,\"lost\":0,"
                              "\"deduplicated\":0,\"dedup_summaries\":0,\"sinks\":{\"rec\":{"
                              "\"offered\":12,\"delivered\":11,\"failed\":1,\"dropped\":0,"
                              "\"lost\":0,\"retries\":2,\"errors\":0,\"queued\":0,"
                              "\"capacity\":16,\"policy\":\"drop\"}}}");
    skr_strbuf_fini(&js);
    skr_output_free(o);
    skr_plugin_free(p);
}

/* An output whose only sink (record 0) is gated; the first alert is in the sink's hand. */
static struct skr_output *gated_output(struct skr_output_cfg *cfg,
                                       struct skr_plugin *p,
                                       const saker_alert *a)
{
    struct skr_output *o;
    struct skr_err err;

    reset_rec();
    recs[0].gated = true;
    o = skr_output_new(cfg, "h", &err);
    assert_non_null(o);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), 0);
    assert_int_equal(skr_output_start(o, &err), 0);
    assert_int_equal(skr_output_push(o, a), 0);
    rec_wait(&recs[0], 1, true);
    return o;
}

static void full_queue_drops_the_new_alert(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_stats st;
    struct skr_output_sink_stats ss;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);

    (void)state;
    cfg.queue_capacity = 2;
    o = gated_output(&cfg, p, &a);
    assert_int_equal(skr_output_push(o, &a), 0);
    assert_int_equal(skr_output_push(o, &a), 0);
    assert_int_equal(skr_output_push(o, &a), -EAGAIN);
    assert_int_equal(skr_output_push(o, &a), -EAGAIN);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.offered, 5);
    assert_int_equal(ss.dropped, 2);
    assert_int_equal(ss.queued, 3);
    rec_open_gate(&recs[0]);
    skr_output_stop(o);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.delivered, 3);
    assert_int_equal(ss.queued, 0);
    /* the survivors are the first three */
    assert_int_equal(recs[0].seqs[2], 3);
    skr_output_stats(o, &st);
    assert_int_equal(st.pushed, 3);
    assert_int_equal(st.queue_drops, 2);
    assert_int_equal(st.pushed + st.queue_drops, 5);
    skr_output_free(o);
    skr_plugin_free(p);
}

static void full_queue_drops_the_oldest_alert(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_sink_stats ss;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);

    (void)state;
    cfg.queue_capacity = 3;
    cfg.queue_policy = SKR_QUEUE_DROP_OLDEST;
    o = gated_output(&cfg, p, &a); /* seq 1 in hand */
    for (int i = 0; i < 7; i++) {  /* seqs 2..8: 2..5 are dropped, 6..8 stay */
        assert_int_equal(skr_output_push(o, &a), 0);
    }
    sink_account(o, 0, &ss);
    assert_int_equal(ss.dropped, 4);
    assert_int_equal(ss.queued, 4);
    rec_open_gate(&recs[0]);
    skr_output_stop(o);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.offered, 8);
    assert_int_equal(ss.delivered, 4);
    assert_int_equal(recs[0].n, 4);
    assert_int_equal(recs[0].seqs[0], 1);
    assert_int_equal(recs[0].seqs[1], 6);
    assert_int_equal(recs[0].seqs[3], 8);
    skr_output_free(o);
    skr_plugin_free(p);
}

static void full_blocking_queue_waits_up_to_its_bound(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_sink_stats ss;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);
    uint64_t t0;
    uint64_t waited;

    (void)state;
    cfg.queue_capacity = 1;
    cfg.queue_policy = SKR_QUEUE_BLOCK;
    cfg.queue_block_timeout_ms = 300;
    o = gated_output(&cfg, p, &a);
    assert_int_equal(skr_output_push(o, &a), 0); /* queued */
    t0 = skr_output_mono_ns();
    assert_int_equal(skr_output_push(o, &a), -EAGAIN); /* waits the bound, then drops */
    waited = skr_output_mono_ns() - t0;
    assert_true(waited >= 300000000ull);
    /* the sink is stalled now: the next push does not wait again (a wait would last the bound) */
    t0 = skr_output_mono_ns();
    assert_int_equal(skr_output_push(o, &a), -EAGAIN);
    assert_true(skr_output_mono_ns() - t0 < 300000000ull);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.dropped, 2);
    rec_open_gate(&recs[0]);
    skr_output_drain(o);
    /* the sink took alerts again: a push waits for room once more and gets it */
    assert_int_equal(skr_output_push(o, &a), 0);
    skr_output_stop(o);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.offered, 5);
    assert_int_equal(ss.delivered, 3);
    skr_output_free(o);
    skr_plugin_free(p);
}

static void slow_sink_does_not_hold_back_another(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_sink_stats ss;
    struct skr_err err;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);
    static struct skr_sink_queue_cfg q[1];

    (void)state;
    reset_rec();
    recs[0].gated = true; /* "slow" hangs */
    cfg.queue_capacity = 1000;
    cfg.queue_policy = SKR_QUEUE_BLOCK;
    /* the hanging sink drops what does not fit its own small queue */
    memset(q, 0, sizeof(q));
    q[0].sink = "slow";
    q[0].has_capacity = true;
    q[0].capacity = 10;
    q[0].has_policy = true;
    q[0].policy = SKR_QUEUE_DROP;
    cfg.sink_queues = q;
    cfg.num_sink_queues = 1;
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "slow", "0", "", &err), 0);
    assert_int_equal(skr_output_add_sink(o, p, "fast", "1", "", &err), 0);
    assert_int_equal(skr_output_start(o, &err), 0);
    assert_int_equal(skr_output_push(o, &a), 0);
    rec_wait(&recs[0], 1, true); /* the slow sink hangs with the first alert in hand */
    for (int i = 1; i < 500; i++) {
        assert_int_equal(skr_output_push(o, &a), 0);
    }
    /* every alert reaches the fast sink while the slow one still hangs on its first */
    rec_wait(&recs[1], 500, false);
    assert_int_equal(recs[0].n, 0);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.capacity, 10);
    assert_int_equal(ss.dropped, 500 - 1 - 10);
    rec_open_gate(&recs[0]);
    skr_output_stop(o);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.delivered, 11);
    sink_account(o, 1, &ss);
    assert_int_equal(ss.delivered, 500);
    assert_int_equal(ss.dropped, 0);
    skr_output_free(o);
    skr_plugin_free(p);
}

struct stopper {
    struct skr_output *o;
};

static void *stop_thread(void *arg)
{
    skr_output_stop(((struct stopper *)arg)->o);
    return NULL;
}

static void shutdown_counts_what_is_left_as_lost(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_sink_stats ss;
    struct skr_output_stats st;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);
    struct stopper sp;
    pthread_t t;
    bool stopping = false;

    (void)state;
    cfg.queue_drain_timeout_ms = 0;
    o = gated_output(&cfg, p, &a);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(skr_output_push(o, &a), 0);
    }
    sp.o = o;
    pthread_create(&t, NULL, stop_thread, &sp);
    while (!stopping) {
        pthread_mutex_lock(&o->lock);
        stopping = o->stopping;
        pthread_mutex_unlock(&o->lock);
        sched_yield();
    }
    /* the drain deadline has passed: the alert in hand completes, the queued ones are lost */
    rec_open_gate(&recs[0]);
    pthread_join(t, NULL);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.offered, 10);
    assert_int_equal(ss.delivered, 1);
    assert_int_equal(ss.lost, 9);
    skr_output_stats(o, &st);
    assert_int_equal(st.lost, 9);
    assert_int_equal(st.dispatched, 10);
    skr_output_free(o);
    skr_plugin_free(p);
}

static void not_started_output_counts_queued_alerts_lost(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_sink_stats ss;
    struct skr_err err;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);

    (void)state;
    reset_rec();
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), 0);
    assert_int_equal(skr_output_push(o, &a), 0);
    assert_int_equal(skr_output_push(o, &a), 0);
    skr_output_stop(o);
    sink_account(o, 0, &ss);
    assert_int_equal(ss.lost, 2);
    assert_int_equal(recs[0].opens, 0);
    skr_output_free(o);
    skr_plugin_free(p);
}

static void unknown_sink_in_queue_settings(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_err err;
    static struct skr_sink_queue_cfg q[1];

    (void)state;
    reset_rec();
    memset(q, 0, sizeof(q));
    q[0].sink = "htpp";
    q[0].file = "saker.yaml";
    q[0].line = 7;
    q[0].col = 5;
    cfg.sink_queues = q;
    cfg.num_sink_queues = 1;
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), 0);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "1", "", &err), -EEXIST);
    assert_int_equal(skr_output_start(o, &err), -EINVAL);
    assert_string_equal(err.file, "saker.yaml");
    assert_int_equal(err.line, 7);
    assert_string_equal(err.msg, "outputs_queue.sinks.htpp: no output sink is named 'htpp' (the "
                                 "sinks running are: rec)");
    skr_output_free(o);
    skr_plugin_free(p);
}

static void repeats_are_summarised(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_output_stats st;
    struct skr_output_sink_stats ss;
    struct skr_err err;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);
    saker_alert b;

    (void)state;
    reset_rec();
    cfg.dedup_window_ms = 3600000; /* closes only at stop */
    cfg.json_output = true;
    cfg.json_include_output_property = false;
    cfg.json_include_tags_property = false;
    cfg.json_include_message_property = true;
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), 0);
    assert_int_equal(skr_output_start(o, &err), 0);
    b = a;
    b.output = "user=bob";
    for (int i = 0; i < 5; i++) {
        a.ts = TS + (uint64_t)i;
        assert_int_equal(skr_output_push(o, &a), 0);
    }
    assert_int_equal(skr_output_push(o, &b), 0);
    skr_output_drain(o);
    assert_int_equal(recs[0].n, 2);
    skr_output_stop(o);
    assert_int_equal(recs[0].n, 3);
    assert_non_null(strstr(recs[0].lines[2],
                           "\"message\":\"user=alice ip=10.0.0.1 (repeated 4 more times within "
                           "3600s)\""));
    assert_non_null(strstr(recs[0].lines[2], "\"dedup.repeats\":4}"));
    /* the summary carries the last repeat's time */
    assert_non_null(strstr(recs[0].lines[2], "\"evt.time\":1714557600123456793"));
    skr_output_stats(o, &st);
    assert_int_equal(st.deduplicated, 4);
    assert_int_equal(st.dedup_summaries, 1);
    sink_account(o, 0, &ss);
    /* emitted = offered - summaries + deduplicated */
    assert_int_equal(ss.offered - st.dedup_summaries + st.deduplicated, 6);
    skr_output_free(o);
    skr_plugin_free(p);
}

static void dedup_window_closes_on_time(void **state)
{
    struct skr_output_cfg cfg = default_cfg();
    struct skr_plugin *p = sink_plugin();
    struct skr_output *o;
    struct skr_err err;
    saker_alert_field f[5];
    saker_alert_value v[5];
    saker_alert a = sample(f, v);

    (void)state;
    reset_rec();
    cfg.dedup_window_ms = 20;
    cfg.dedup_max_keys = 1;
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), 0);
    assert_int_equal(skr_output_start(o, &err), 0);
    assert_int_equal(skr_output_push(o, &a), 0);
    assert_int_equal(skr_output_push(o, &a), 0);
    /* the timer closes the window: the summary arrives without another push */
    rec_wait(&recs[0], 2, false);
    assert_non_null(strstr(recs[0].lines[1], "(repeated 1 more time within 20ms)"));
    /* a full table closes its oldest window early */
    a.output = "one";
    assert_int_equal(skr_output_push(o, &a), 0);
    assert_int_equal(skr_output_push(o, &a), 0);
    a.output = "two";
    assert_int_equal(skr_output_push(o, &a), 0);
    rec_wait(&recs[0], 5, false);
    assert_non_null(strstr(recs[0].lines[3], "one (repeated 1 more time"));
    assert_non_null(strstr(recs[0].lines[4], "Warning two"));
    skr_output_stop(o);
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
    recs[0].fail_open = true;
    o = skr_output_new(&cfg, "h", &err);
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), 0);
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
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), -EINVAL);
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
    assert_int_equal(skr_output_add_sink(o, p, "rec", "0", "", &err), 0);
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
        cmocka_unit_test(formats_text_and_json),
        cmocka_unit_test(dispatches_to_sinks),
        cmocka_unit_test(full_queue_drops_the_new_alert),
        cmocka_unit_test(full_queue_drops_the_oldest_alert),
        cmocka_unit_test(full_blocking_queue_waits_up_to_its_bound),
        cmocka_unit_test(slow_sink_does_not_hold_back_another),
        cmocka_unit_test(shutdown_counts_what_is_left_as_lost),
        cmocka_unit_test(not_started_output_counts_queued_alerts_lost),
        cmocka_unit_test(unknown_sink_in_queue_settings),
        cmocka_unit_test(repeats_are_summarised),
        cmocka_unit_test(dedup_window_closes_on_time),
        cmocka_unit_test(sink_open_failure_reported),
        cmocka_unit_test(not_a_sink_refused),
        cmocka_unit_test(blocking_queue_loses_nothing),
    };
    setenv("TZ", "UTC", 1);
    tzset();
    reset_rec();
    skr_log_set_level(SKR_LOG_CRIT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
