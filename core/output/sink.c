/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The thread of one sink: opens it, takes batches from its queue, writes
 * them through plugin_sink_write and counts each alert delivered or failed,
 * flushes when the queue runs empty, reopens on request, and at shutdown
 * delivers what is queued until the drain deadline (the rest is lost).
 */
#include "output/output_int.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static void sink_error(struct skr_sink *s, const char *what)
{
    atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->o->sink_errors, 1, memory_order_relaxed);
    skr_complain(&s->err_complaint, SKR_LOG_ERR, s->name, "%s failed: %s", what,
                 skr_plugin_inst_last_error(&s->inst));
}

static int open_sink(struct skr_sink *s, struct skr_err *err)
{
    const struct skr_plugin_vtable *vt = &s->inst.p->vt;
    ss_plugin_rc rc = SS_PLUGIN_FAILURE;

    s->h = vt->sink_open(s->inst.state, s->open_params, &rc);
    if (rc != SS_PLUGIN_SUCCESS) {
        return skr_err_set(err, -EIO, "output sink '%s' (plugin '%s'): plugin_sink_open failed: %s",
                           s->name, s->inst.p->name, skr_plugin_inst_last_error(&s->inst));
    }
    s->open = true;
    return 0;
}

static void flush_sink(struct skr_sink *s)
{
    if (s->open && s->inst.p->vt.sink_flush != NULL &&
        s->inst.p->vt.sink_flush(s->inst.state, s->h) != SS_PLUGIN_SUCCESS) {
        sink_error(s, "plugin_sink_flush");
    }
}

static void reopen_sink(struct skr_sink *s)
{
    if (!s->open || s->inst.p->vt.sink_reopen == NULL) {
        return;
    }
    if (s->inst.p->vt.sink_reopen(s->inst.state, s->h) != SS_PLUGIN_SUCCESS) {
        sink_error(s, "plugin_sink_reopen");
    } else {
        skr_log(SKR_LOG_INFO, s->name, "reopened");
    }
}

static void close_sink(struct skr_sink *s)
{
    if (s->open) {
        s->inst.p->vt.sink_close(s->inst.state, s->h);
        s->open = false;
    }
}

/* Writes n alerts and counts each one delivered or failed. */
static void deliver(struct skr_sink *s,
                    const saker_alert *const *alerts,
                    uint32_t n,
                    saker_sink_result *results)
{
    const saker_alert *first_failed = NULL;
    uint32_t first_retries = 0;
    uint64_t ok = 0;
    uint64_t bad = 0;
    uint64_t retries = 0;
    uint64_t t0;
    uint64_t took_ms;
    ss_plugin_rc rc;

    for (uint32_t k = 0; k < n; k++) {
        results[k].rc = SS_PLUGIN_FAILURE;
        results[k].retries = 0;
    }
    t0 = skr_output_mono_ns();
    rc = s->inst.p->vt.sink_write(s->inst.state, s->h, n, alerts, results);
    took_ms = (skr_output_mono_ns() - t0) / 1000000ull;
    for (uint32_t k = 0; k < n; k++) {
        if (rc == SS_PLUGIN_SUCCESS && results[k].rc == SS_PLUGIN_SUCCESS) {
            ok++;
        } else {
            bad++;
            if (first_failed == NULL) {
                first_failed = alerts[k];
                first_retries = results[k].retries;
            }
        }
        retries += results[k].retries;
    }
    atomic_fetch_add_explicit(&s->delivered, ok, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->failed, bad, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->retries, retries, memory_order_relaxed);
    if (bad > 0) {
        struct skr_strbuf when;

        atomic_fetch_add_explicit(&s->o->sink_failures, bad, memory_order_relaxed);
        skr_strbuf_init(&when);
        skr_output_format_time(first_failed->ts, true, &when);
        skr_complain(&s->fail_complaint, SKR_LOG_ERR, s->name,
                     "%" PRIu64 " alert(s) not delivered: %s (the first: rule '%s' at %s, "
                     "after %" PRIu32 " retries)",
                     bad, skr_plugin_inst_last_error(&s->inst), first_failed->rule, when.p,
                     first_retries);
        skr_strbuf_fini(&when);
    }
    if (s->o->cfg->output_timeout_ms > 0 && took_ms > s->o->cfg->output_timeout_ms) {
        skr_complain(&s->slow_complaint, SKR_LOG_NOTICE, s->name,
                     "writing %" PRIu32 " alert(s) took %" PRIu64 " ms (output_timeout %" PRIu64
                     " ms); the other sinks are not held back",
                     n, took_ms, s->o->cfg->output_timeout_ms);
    }
}

/* At the drain deadline: what is still queued is lost. Under o->lock. */
static void count_lost(struct skr_sink *s)
{
    struct skr_output *o = s->o;
    uint64_t n = s->tail - s->head;

    while (s->head != s->tail) {
        struct skr_slot *sl = s->ring[s->head % s->capacity];
        s->ring[s->head % s->capacity] = NULL;
        s->head++;
        skr_output_unref(o, sl);
    }
    atomic_fetch_add_explicit(&s->lost, n, memory_order_relaxed);
    if (n > 0) {
        skr_log(SKR_LOG_ERR, s->name,
                "%" PRIu64 " queued alert(s) lost: the sink did not deliver them within "
                "outputs_queue.drain_timeout (%" PRIu64 " ms)",
                n, o->cfg->queue_drain_timeout_ms);
    }
}

static void report_open(struct skr_sink *s, int rc, const struct skr_err *err)
{
    struct skr_output *o = s->o;

    pthread_mutex_lock(&o->lock);
    if (rc < 0 && o->open_rc == 0) {
        o->open_rc = rc;
        o->open_err = *err;
    }
    o->nopened++;
    pthread_cond_broadcast(&o->started_c);
    pthread_mutex_unlock(&o->lock);
}

void *skr_output_sink_main(void *arg)
{
    struct skr_sink *s = arg;
    struct skr_output *o = s->o;
    const saker_alert *batch[SKR_OUTPUT_BATCH];
    struct skr_slot *slots[SKR_OUTPUT_BATCH];
    saker_sink_result results[SKR_OUTPUT_BATCH];
    struct skr_err err;
    bool dirty = false;
    int rc;

    skr_err_clear(&err);
    rc = open_sink(s, &err);
    report_open(s, rc, &err);
    if (rc < 0) {
        return NULL;
    }
    pthread_mutex_lock(&o->lock);
    for (;;) {
        uint32_t n;

        while (s->head == s->tail && !o->stopping && !s->reopen) {
            if (dirty) {
                /* the queue ran empty: push out what the sink buffers */
                pthread_mutex_unlock(&o->lock);
                flush_sink(s);
                dirty = false;
                pthread_mutex_lock(&o->lock);
                continue;
            }
            s->idle = true;
            pthread_cond_broadcast(&o->room);
            pthread_cond_wait(&s->wake, &o->lock);
        }
        s->idle = false;
        if (s->reopen) {
            s->reopen = false;
            pthread_mutex_unlock(&o->lock);
            reopen_sink(s);
            pthread_mutex_lock(&o->lock);
            continue;
        }
        if (s->head == s->tail) {
            break; /* stopping with nothing queued */
        }
        if (o->stopping && skr_output_mono_ns() >= o->drain_deadline_ns) {
            count_lost(s);
            break;
        }
        n = s->tail - s->head > SKR_OUTPUT_BATCH ? SKR_OUTPUT_BATCH : (uint32_t)(s->tail - s->head);
        for (uint32_t i = 0; i < n; i++) {
            size_t idx = (size_t)((s->head + i) % s->capacity);
            slots[i] = s->ring[idx];
            s->ring[idx] = NULL;
            batch[i] = &slots[i]->a;
        }
        s->head += n;
        s->in_hand = n;
        s->stalled = false;
        pthread_cond_broadcast(&o->room);
        pthread_mutex_unlock(&o->lock);

        deliver(s, batch, n, results);
        dirty = true;

        pthread_mutex_lock(&o->lock);
        for (uint32_t i = 0; i < n; i++) {
            skr_output_unref(o, slots[i]);
        }
        s->in_hand = 0;
    }
    s->idle = true;
    pthread_cond_broadcast(&o->room);
    pthread_mutex_unlock(&o->lock);
    flush_sink(s);
    close_sink(s);
    return NULL;
}
