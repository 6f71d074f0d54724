/* SPDX-License-Identifier: Apache-2.0 */
/* The alert queue, the sink registry and the dispatcher thread. */
#include "output/output.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/log.h"

#define DISPATCH_BATCH 64

struct sink {
    char *name;
    struct skr_plugin_inst inst;
    char *open_params;
    saker_sink_t *h;
    bool open;
    _Atomic uint64_t delivered;
    _Atomic uint64_t failed;
    _Atomic uint64_t retries;
    _Atomic uint64_t errors;
};

/* One queued alert: a saker_alert whose pointers all point into the slot's arena. */
struct slot {
    saker_alert a;
    struct skr_arena arena;
};

struct skr_output {
    const struct skr_output_cfg *cfg;
    char *hostname;
    struct sink *sinks;
    size_t nsinks;

    pthread_mutex_t lock;
    pthread_cond_t not_empty; /* dispatcher waits */
    pthread_cond_t not_full;  /* blocked producers and drain() wait */
    struct slot **ring;       /* capacity entries, allocated on first use */
    size_t capacity;
    uint64_t head;  /* next slot the dispatcher takes */
    uint64_t taken; /* slots the dispatcher holds, [head, head+taken) */
    uint64_t tail;  /* next free slot */
    uint64_t seq;
    bool stopping;
    bool reopen;
    bool idle; /* the dispatcher has nothing queued or in hand */

    pthread_t thread;
    bool started;
    bool joined;
    /* start handshake */
    bool opened;
    int open_rc;
    struct skr_err open_err;

    _Atomic uint64_t pushed;
    _Atomic uint64_t queue_drops;
    _Atomic uint64_t dispatched;
    _Atomic uint64_t sink_failures;
    _Atomic uint64_t sink_errors;
    struct skr_complaint drop_complaint; /* under lock */
};

struct skr_output *skr_output_new(const struct skr_output_cfg *cfg,
                                  const char *hostname,
                                  struct skr_err *err)
{
    struct skr_output *o = calloc(1, sizeof(*o));

    if (o == NULL) {
        skr_err_set(err, -ENOMEM, "out of memory creating the outputs");
        return NULL;
    }
    o->cfg = cfg;
    o->capacity = cfg->queue_capacity == 0 || cfg->queue_capacity > SKR_OUTPUT_QUEUE_MAX
                          ? SKR_OUTPUT_QUEUE_MAX
                          : (size_t)cfg->queue_capacity;
    o->hostname = strdup(hostname ? hostname : "");
    o->ring = calloc(o->capacity, sizeof(*o->ring));
    if (o->hostname == NULL || o->ring == NULL) {
        free(o->hostname);
        free(o->ring);
        free(o);
        skr_err_set(err, -ENOMEM, "out of memory creating the outputs");
        return NULL;
    }
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->not_empty, NULL);
    pthread_cond_init(&o->not_full, NULL);
    o->idle = true;
    return o;
}

int skr_output_add_sink(struct skr_output *o,
                        struct skr_plugin *p,
                        const char *name,
                        const char *init_config,
                        const char *open_params,
                        struct skr_err *err)
{
    struct sink *ns;
    struct sink *s;
    int rc;

    if (!(p->caps & SKR_CAP_SINK)) {
        return skr_err_set(err, -EINVAL,
                           "plugin '%s' (%s) is not an output sink: it does not export "
                           "plugin_sink_open, plugin_sink_write and plugin_sink_close",
                           p->name, p->path);
    }
    ns = realloc(o->sinks, (o->nsinks + 1) * sizeof(*ns));
    if (ns == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    o->sinks = ns;
    s = &o->sinks[o->nsinks];
    memset(s, 0, sizeof(*s));
    if ((rc = skr_plugin_inst_init(&s->inst, p, init_config, NULL, err)) < 0) {
        return rc;
    }
    s->name = strdup(name);
    s->open_params = strdup(open_params ? open_params : "");
    if (s->name == NULL || s->open_params == NULL) {
        free(s->name);
        free(s->open_params);
        skr_plugin_inst_fini(&s->inst);
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    o->nsinks++;
    return 0;
}

size_t skr_output_num_sinks(const struct skr_output *o)
{
    return o->nsinks;
}

/* ---- Copying an alert into a slot ------------------------------------------------------ */

static const char *dup_str(struct skr_arena *a, const char *s)
{
    return skr_arena_strdup(a, s ? s : "");
}

static int copy_alert(struct slot *sl, const saker_alert *in)
{
    struct skr_arena *a = &sl->arena;
    saker_alert *d = &sl->a;
    const char **tags = NULL;
    saker_alert_field *fields = NULL;

    skr_arena_reset(a);
    memset(d, 0, sizeof(*d));
    d->size = sizeof(*d);
    d->priority = in->priority;
    d->ts = in->ts;
    d->rule = dup_str(a, in->rule);
    d->priority_name = skr_cfg_priority_name((int)in->priority);
    d->source = dup_str(a, in->source);
    d->output = dup_str(a, in->output);
    if (d->rule == NULL || d->source == NULL || d->output == NULL) {
        return -ENOMEM;
    }
    if (in->num_tags > 0) {
        tags = skr_arena_alloc(a, in->num_tags * sizeof(*tags));
        if (tags == NULL) {
            return -ENOMEM;
        }
        for (uint32_t i = 0; i < in->num_tags; i++) {
            if ((tags[i] = dup_str(a, in->tags[i])) == NULL) {
                return -ENOMEM;
            }
        }
    }
    d->tags = tags;
    d->num_tags = in->num_tags;
    if (in->num_fields > 0) {
        fields = skr_arena_calloc(a, in->num_fields, sizeof(*fields));
        if (fields == NULL) {
            return -ENOMEM;
        }
    }
    for (uint32_t i = 0; i < in->num_fields; i++) {
        const saker_alert_field *sf = &in->fields[i];
        saker_alert_field *df = &fields[i];
        saker_alert_value *vals = NULL;

        *df = *sf;
        if ((df->name = dup_str(a, sf->name)) == NULL) {
            return -ENOMEM;
        }
        if (sf->num_values > 0) {
            vals = skr_arena_alloc(a, sf->num_values * sizeof(*vals));
            if (vals == NULL) {
                return -ENOMEM;
            }
            memcpy(vals, sf->values, sf->num_values * sizeof(*vals));
        }
        for (uint32_t k = 0; k < sf->num_values; k++) {
            switch (sf->type) {
            case FTYPE_STRING:
            case SAKER_FTYPE_FSPATH:
                vals[k].v.str.ptr =
                        skr_arena_strndup(a, sf->values[k].v.str.ptr, sf->values[k].v.str.len);
                if (vals[k].v.str.ptr == NULL) {
                    return -ENOMEM;
                }
                break;
            case FTYPE_IPADDR:
            case FTYPE_IPNET:
            case SAKER_FTYPE_BYTEBUF:
                vals[k].v.buf.ptr =
                        skr_arena_memdup(a, sf->values[k].v.buf.ptr,
                                         sf->values[k].v.buf.len ? sf->values[k].v.buf.len : 1);
                if (vals[k].v.buf.ptr == NULL) {
                    return -ENOMEM;
                }
                break;
            default:
                break;
            }
        }
        df->values = vals;
    }
    d->fields = fields;
    d->num_fields = in->num_fields;
    return 0;
}

/* ---- Producers ---------------------------------------------------------------------------- */

int skr_output_push(struct skr_output *o, const saker_alert *a)
{
    struct slot *sl;
    size_t idx;
    int rc;

    pthread_mutex_lock(&o->lock);
    for (;;) {
        if (o->stopping) {
            pthread_mutex_unlock(&o->lock);
            return -ESHUTDOWN;
        }
        if (o->tail - o->head < o->capacity) {
            break;
        }
        if (o->cfg->queue_policy == SKR_QUEUE_BLOCK) {
            pthread_cond_wait(&o->not_full, &o->lock);
            continue;
        }
        atomic_fetch_add_explicit(&o->queue_drops, 1, memory_order_relaxed);
        skr_complain(&o->drop_complaint, SKR_LOG_ERR, "output",
                     "the alert queue is full (outputs_queue.capacity %zu): alert '%s' dropped; "
                     "raise the capacity or use outputs_queue.policy block",
                     o->capacity, a->rule ? a->rule : "");
        pthread_mutex_unlock(&o->lock);
        return -EAGAIN;
    }
    idx = (size_t)(o->tail % o->capacity);
    sl = o->ring[idx];
    if (sl == NULL) {
        sl = calloc(1, sizeof(*sl));
        if (sl == NULL) {
            atomic_fetch_add_explicit(&o->queue_drops, 1, memory_order_relaxed);
            pthread_mutex_unlock(&o->lock);
            return -ENOMEM;
        }
        skr_arena_init(&sl->arena, 4096);
        o->ring[idx] = sl;
    }
    rc = copy_alert(sl, a);
    if (rc < 0) {
        atomic_fetch_add_explicit(&o->queue_drops, 1, memory_order_relaxed);
        pthread_mutex_unlock(&o->lock);
        return rc;
    }
    sl->a.seq = ++o->seq;
    sl->a.hostname = o->hostname;
    o->tail++;
    o->idle = false;
    atomic_fetch_add_explicit(&o->pushed, 1, memory_order_relaxed);
    pthread_cond_signal(&o->not_empty);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

int skr_output_push_internal(struct skr_output *o,
                             uint64_t ts,
                             int priority,
                             const char *rule,
                             const char *text,
                             const char *const *keys,
                             const char *const *values,
                             uint32_t num_fields)
{
    saker_alert a;
    saker_alert_field f[32];
    saker_alert_value v[32];

    if (num_fields > 32) {
        num_fields = 32;
    }
    memset(&a, 0, sizeof(a));
    for (uint32_t i = 0; i < num_fields; i++) {
        memset(&f[i], 0, sizeof(f[i]));
        f[i].name = keys[i];
        f[i].type = FTYPE_STRING;
        f[i].num_values = 1;
        v[i].v.str.ptr = values[i];
        v[i].v.str.len = (uint32_t)strlen(values[i]);
        f[i].values = &v[i];
    }
    a.size = sizeof(a);
    a.priority = (uint32_t)priority;
    a.ts = ts;
    a.rule = rule;
    a.source = "internal";
    a.output = text;
    a.fields = f;
    a.num_fields = num_fields;
    return skr_output_push(o, &a);
}

/* ---- Dispatcher --------------------------------------------------------------------------- */

static void sink_error(struct skr_output *o, struct sink *s, const char *what)
{
    atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&o->sink_errors, 1, memory_order_relaxed);
    skr_log(SKR_LOG_ERR, s->name, "%s failed: %s", what, skr_plugin_inst_last_error(&s->inst));
}

static int open_sinks(struct skr_output *o, struct skr_err *err)
{
    for (size_t i = 0; i < o->nsinks; i++) {
        struct sink *s = &o->sinks[i];
        const struct skr_plugin_vtable *vt = &s->inst.p->vt;
        ss_plugin_rc rc = SS_PLUGIN_FAILURE;

        s->h = vt->sink_open(s->inst.state, s->open_params, &rc);
        if (rc != SS_PLUGIN_SUCCESS) {
            return skr_err_set(err, -EIO,
                               "output sink '%s' (plugin '%s'): plugin_sink_open failed: %s",
                               s->name, s->inst.p->name, skr_plugin_inst_last_error(&s->inst));
        }
        s->open = true;
    }
    return 0;
}

static void flush_sinks(struct skr_output *o)
{
    for (size_t i = 0; i < o->nsinks; i++) {
        struct sink *s = &o->sinks[i];
        if (s->open && s->inst.p->vt.sink_flush != NULL &&
            s->inst.p->vt.sink_flush(s->inst.state, s->h) != SS_PLUGIN_SUCCESS) {
            sink_error(o, s, "plugin_sink_flush");
        }
    }
}

static void reopen_sinks(struct skr_output *o)
{
    for (size_t i = 0; i < o->nsinks; i++) {
        struct sink *s = &o->sinks[i];
        if (s->open && s->inst.p->vt.sink_reopen != NULL) {
            if (s->inst.p->vt.sink_reopen(s->inst.state, s->h) != SS_PLUGIN_SUCCESS) {
                sink_error(o, s, "plugin_sink_reopen");
            } else {
                skr_log(SKR_LOG_INFO, s->name, "reopened");
            }
        }
    }
}

static void close_sinks(struct skr_output *o)
{
    for (size_t i = 0; i < o->nsinks; i++) {
        struct sink *s = &o->sinks[i];
        if (s->open) {
            s->inst.p->vt.sink_close(s->inst.state, s->h);
            s->open = false;
        }
    }
}

static void deliver(struct skr_output *o,
                    const saker_alert *const *alerts,
                    uint32_t n,
                    saker_sink_result *results)
{
    for (size_t i = 0; i < o->nsinks; i++) {
        struct sink *s = &o->sinks[i];
        ss_plugin_rc rc;
        uint64_t ok = 0;
        uint64_t bad = 0;
        uint64_t retries = 0;

        if (!s->open) {
            continue;
        }
        for (uint32_t k = 0; k < n; k++) {
            results[k].rc = SS_PLUGIN_FAILURE;
            results[k].retries = 0;
        }
        rc = s->inst.p->vt.sink_write(s->inst.state, s->h, n, alerts, results);
        for (uint32_t k = 0; k < n; k++) {
            if (rc == SS_PLUGIN_SUCCESS && results[k].rc == SS_PLUGIN_SUCCESS) {
                ok++;
            } else {
                bad++;
            }
            retries += results[k].retries;
        }
        atomic_fetch_add_explicit(&s->delivered, ok, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->failed, bad, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->retries, retries, memory_order_relaxed);
        if (bad > 0) {
            atomic_fetch_add_explicit(&o->sink_failures, bad, memory_order_relaxed);
            skr_log(SKR_LOG_ERR, s->name, "%" PRIu64 " alert(s) not delivered: %s", bad,
                    skr_plugin_inst_last_error(&s->inst));
        }
    }
}

static void *dispatcher(void *arg)
{
    struct skr_output *o = arg;
    struct skr_strbuf lines[DISPATCH_BATCH];
    const saker_alert *batch[DISPATCH_BATCH];
    saker_sink_result results[DISPATCH_BATCH];
    struct skr_err err;
    int rc;

    for (size_t i = 0; i < DISPATCH_BATCH; i++) {
        skr_strbuf_init(&lines[i]);
    }
    skr_err_clear(&err);
    rc = open_sinks(o, &err);
    pthread_mutex_lock(&o->lock);
    o->opened = true;
    o->open_rc = rc;
    o->open_err = err;
    pthread_cond_broadcast(&o->not_full);
    pthread_mutex_unlock(&o->lock);
    if (rc < 0) {
        close_sinks(o);
        return NULL;
    }
    pthread_mutex_lock(&o->lock);
    for (;;) {
        uint64_t avail;
        uint32_t n;

        while (o->tail == o->head && !o->stopping && !o->reopen) {
            o->idle = true;
            pthread_cond_broadcast(&o->not_full);
            pthread_cond_wait(&o->not_empty, &o->lock);
        }
        if (o->reopen) {
            o->reopen = false;
            pthread_mutex_unlock(&o->lock);
            reopen_sinks(o);
            pthread_mutex_lock(&o->lock);
            continue;
        }
        avail = o->tail - o->head;
        if (avail == 0 && o->stopping) {
            break;
        }
        n = avail > DISPATCH_BATCH ? DISPATCH_BATCH : (uint32_t)avail;
        o->taken = n;
        for (uint32_t i = 0; i < n; i++) {
            batch[i] = &o->ring[(o->head + i) % o->capacity]->a;
        }
        pthread_mutex_unlock(&o->lock);

        /* format outside the lock: the slots in hand are ours until head moves */
        for (uint32_t i = 0; i < n; i++) {
            saker_alert *a = (saker_alert *)batch[i];
            skr_strbuf_reset(&lines[i]);
            skr_output_format(o->cfg, a, &lines[i]);
            a->line = lines[i].p;
        }
        deliver(o, batch, n, results);
        atomic_fetch_add_explicit(&o->dispatched, n, memory_order_relaxed);

        pthread_mutex_lock(&o->lock);
        o->head += n;
        o->taken = 0;
        pthread_cond_broadcast(&o->not_full);
        if (o->tail == o->head) {
            pthread_mutex_unlock(&o->lock);
            flush_sinks(o);
            pthread_mutex_lock(&o->lock);
        }
    }
    o->idle = true;
    pthread_cond_broadcast(&o->not_full);
    pthread_mutex_unlock(&o->lock);
    flush_sinks(o);
    close_sinks(o);
    for (size_t i = 0; i < DISPATCH_BATCH; i++) {
        skr_strbuf_fini(&lines[i]);
    }
    return NULL;
}

int skr_output_start(struct skr_output *o, struct skr_err *err)
{
    int rc;

    if (pthread_create(&o->thread, NULL, dispatcher, o) != 0) {
        return skr_err_set(err, -EAGAIN, "cannot start the output thread");
    }
    o->started = true;
    pthread_mutex_lock(&o->lock);
    while (!o->opened) {
        pthread_cond_wait(&o->not_full, &o->lock);
    }
    rc = o->open_rc;
    if (rc < 0 && err != NULL) {
        *err = o->open_err;
    }
    if (rc < 0) {
        o->stopping = true;
    }
    pthread_mutex_unlock(&o->lock);
    if (rc < 0) {
        pthread_join(o->thread, NULL);
        o->joined = true;
    }
    return rc;
}

void skr_output_reopen(struct skr_output *o)
{
    pthread_mutex_lock(&o->lock);
    o->reopen = true;
    pthread_cond_signal(&o->not_empty);
    pthread_mutex_unlock(&o->lock);
}

void skr_output_drain(struct skr_output *o)
{
    if (!o->started || o->joined) {
        return;
    }
    pthread_mutex_lock(&o->lock);
    while (!(o->tail == o->head && o->idle) && !o->joined) {
        pthread_cond_wait(&o->not_full, &o->lock);
    }
    pthread_mutex_unlock(&o->lock);
}

void skr_output_stop(struct skr_output *o)
{
    if (o == NULL) {
        return;
    }
    pthread_mutex_lock(&o->lock);
    o->stopping = true;
    pthread_cond_broadcast(&o->not_empty);
    pthread_cond_broadcast(&o->not_full);
    pthread_mutex_unlock(&o->lock);
    if (o->started && !o->joined) {
        pthread_join(o->thread, NULL);
        o->joined = true;
    }
}

void skr_output_free(struct skr_output *o)
{
    if (o == NULL) {
        return;
    }
    skr_output_stop(o);
    for (size_t i = 0; i < o->nsinks; i++) {
        skr_plugin_inst_fini(&o->sinks[i].inst);
        free(o->sinks[i].name);
        free(o->sinks[i].open_params);
    }
    for (size_t i = 0; i < o->capacity; i++) {
        if (o->ring[i] != NULL) {
            skr_arena_fini(&o->ring[i]->arena);
            free(o->ring[i]);
        }
    }
    pthread_mutex_destroy(&o->lock);
    pthread_cond_destroy(&o->not_empty);
    pthread_cond_destroy(&o->not_full);
    free(o->ring);
    free(o->sinks);
    free(o->hostname);
    free(o);
}

void skr_output_stats(struct skr_output *o, struct skr_output_stats *out)
{
    out->pushed = atomic_load(&o->pushed);
    out->queue_drops = atomic_load(&o->queue_drops);
    out->dispatched = atomic_load(&o->dispatched);
    out->sink_failures = atomic_load(&o->sink_failures);
    out->sink_errors = atomic_load(&o->sink_errors);
}

void skr_output_stats_json(struct skr_output *o, struct skr_strbuf *out)
{
    struct skr_output_stats st;

    skr_output_stats(o, &st);
    skr_strbuf_printf(out,
                      "{\"pushed\":%" PRIu64 ",\"queue_drops\":%" PRIu64 ",\"dispatched\":%" PRIu64
                      ",\"sink_failures\":%" PRIu64 ",\"sink_errors\":%" PRIu64 ",\"sinks\":{",
                      st.pushed, st.queue_drops, st.dispatched, st.sink_failures, st.sink_errors);
    for (size_t i = 0; i < o->nsinks; i++) {
        struct sink *s = &o->sinks[i];
        skr_strbuf_puts(out, i ? ",\"" : "\"");
        skr_strbuf_json_escape(out, s->name, strlen(s->name));
        skr_strbuf_printf(out,
                          "\":{\"delivered\":%" PRIu64 ",\"failed\":%" PRIu64
                          ",\"retries\":%" PRIu64 ",\"errors\":%" PRIu64 "}",
                          atomic_load(&s->delivered), atomic_load(&s->failed),
                          atomic_load(&s->retries), atomic_load(&s->errors));
    }
    skr_strbuf_puts(out, "}}");
}
