/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counters: per source (events, async events and their drops, drops the
 * source reports, plugin errors), per rule and per priority, and the
 * outputs'. One JSON line at exit, and every metrics.interval when enabled.
 */
#include "pipeline/pipeline_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

struct rule_count {
    char *name;
    uint64_t n;
    UT_hash_handle hh;
};

void skr_metrics_init(struct skr_metrics *m)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    m->start_ns = skr_mono_ns();
}

void skr_metrics_fini(struct skr_metrics *m)
{
    struct rule_count *r;
    struct rule_count *tmp;

    HASH_ITER(hh, m->by_rule, r, tmp) {
        HASH_DEL(m->by_rule, r);
        free(r->name);
        free(r);
    }
    pthread_mutex_destroy(&m->lock);
}

void skr_metrics_rule_match(struct skr_metrics *m, const char *rule, int priority)
{
    struct rule_count *r;

    atomic_fetch_add_explicit(&m->matches, 1, memory_order_relaxed);
    if (priority >= 0 && priority < 8) {
        atomic_fetch_add_explicit(&m->by_priority[priority], 1, memory_order_relaxed);
    }
    pthread_mutex_lock(&m->lock);
    HASH_FIND_STR(m->by_rule, rule, r);
    if (r == NULL) {
        r = calloc(1, sizeof(*r));
        if (r != NULL && (r->name = strdup(rule)) != NULL) {
            HASH_ADD_KEYPTR(hh, m->by_rule, r->name, strlen(r->name), r);
            if (skr_hash_failed()) {
                free(r->name);
                free(r);
                r = NULL;
            }
        } else {
            free(r);
            r = NULL;
        }
    }
    if (r != NULL) {
        r->n++;
    }
    pthread_mutex_unlock(&m->lock);
}

static void json_key(struct skr_strbuf *out, const char *k)
{
    skr_strbuf_putc(out, '"');
    skr_strbuf_json_escape(out, k, strlen(k));
    skr_strbuf_puts(out, "\":");
}

void skr_metrics_json(struct skr_engine *e, bool final, struct skr_strbuf *out)
{
    struct skr_metrics *m = &e->metrics;
    struct rule_count *r;
    struct rule_count *tmp;
    bool first = true;

    skr_strbuf_printf(out,
                      "{\"saker_metrics\":{\"final\":%s,\"ts\":%" PRIu64 ",\"uptime_ms\":%" PRIu64
                      ",\"sources\":{",
                      final ? "true" : "false", skr_now_ns(),
                      (uint64_t)((skr_mono_ns() - m->start_ns) / 1000000ull));
    for (size_t i = 0; i < e->nsources; i++) {
        struct skr_source *s = e->sources[i];
        int st = atomic_load(&s->state);
        json_key(out, s->name);
        skr_strbuf_puts(out, "{");
        json_key(out, "plugin");
        skr_strbuf_putc(out, '"');
        skr_strbuf_json_escape(out, e->plugins[s->input].p->name,
                               strlen(e->plugins[s->input].p->name));
        skr_strbuf_printf(out,
                          "\",\"state\":\"%s\",\"events\":%" PRIu64 ",\"async_events\":%" PRIu64
                          ",\"async_drops\":%" PRIu64 ",\"source_drops\":%" PRIu64
                          ",\"parse_errors\":%" PRIu64 ",\"extract_errors\":%" PRIu64
                          ",\"matches\":%" PRIu64,
                          skr_source_state_name(st), atomic_load(&s->n_events),
                          atomic_load(&s->n_async), atomic_load(&s->n_async_drops),
                          atomic_load(&s->n_source_drops), atomic_load(&s->n_parse_errors),
                          atomic_load(&s->n_extract_errors), atomic_load(&s->n_alerts));
        pthread_mutex_lock(&s->pm_lock);
        if (s->npm > 0) {
            skr_strbuf_puts(out, ",\"plugin_metrics\":{");
            for (uint32_t k = 0; k < s->npm; k++) {
                if (k > 0) {
                    skr_strbuf_putc(out, ',');
                }
                json_key(out, s->pm_names[k]);
                skr_strbuf_puts(out, s->pm_vals[k]);
            }
            skr_strbuf_putc(out, '}');
        }
        pthread_mutex_unlock(&s->pm_lock);
        if (st == SRC_FAILED) {
            skr_strbuf_puts(out, ",\"error\":\"");
            skr_strbuf_json_escape(out, s->error, strlen(s->error));
            skr_strbuf_putc(out, '"');
        }
        skr_strbuf_puts(out, i + 1 < e->nsources ? "}," : "}");
    }
    skr_strbuf_printf(out, "},\"rules\":{\"matches\":%" PRIu64 ",\"by_priority\":{",
                      atomic_load(&m->matches));
    for (int p = 0; p < 8; p++) {
        uint64_t n = atomic_load(&m->by_priority[p]);
        if (n == 0) {
            continue;
        }
        skr_strbuf_printf(out, "%s\"%s\":%" PRIu64, first ? "" : ",", skr_cfg_priority_name(p), n);
        first = false;
    }
    skr_strbuf_puts(out, "},\"by_rule\":{");
    first = true;
    pthread_mutex_lock(&m->lock);
    HASH_ITER(hh, m->by_rule, r, tmp) {
        if (!first) {
            skr_strbuf_putc(out, ',');
        }
        json_key(out, r->name);
        skr_strbuf_printf(out, "%" PRIu64, r->n);
        first = false;
    }
    pthread_mutex_unlock(&m->lock);
    skr_strbuf_puts(out, "}},\"outputs\":");
    if (e->out != NULL) {
        skr_output_stats_json(e->out, out);
    } else {
        skr_strbuf_puts(out, "null");
    }
    if (e->cw != NULL) {
        skr_strbuf_printf(out, ",\"capture\":{\"events\":%" PRIu64 "}", skr_capture_events(e->cw));
    }
    skr_strbuf_puts(out, "}}");
}

void skr_metrics_emit(struct skr_engine *e, bool final)
{
    const struct skr_metrics_cfg *mc = &e->cfg->v.metrics;
    struct skr_strbuf line;

    skr_strbuf_init(&line);
    skr_metrics_json(e, final, &line);
    if (mc->output_file[0] != '\0') {
        FILE *f = fopen(mc->output_file, "a");
        if (f == NULL || fprintf(f, "%s\n", line.p) < 0) {
            skr_log(SKR_LOG_ERR, "metrics", "cannot append to metrics.output_file %s: %s",
                    mc->output_file, strerror(errno));
        }
        if (f != NULL) {
            fclose(f);
        }
    } else {
        fprintf(stderr, "%s\n", line.p);
        fflush(stderr);
    }
    if (mc->output_rule && e->out != NULL && !final) {
        static const char *const keys[] = { "metrics" };
        const char *vals[] = { line.p };
        skr_output_push_internal(e->out, skr_now_ns(), 6, "Saker internal: metrics snapshot",
                                 "Saker internal: metrics snapshot", keys, vals, 1);
    }
    skr_strbuf_fini(&line);
}
