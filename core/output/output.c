/* SPDX-License-Identifier: Apache-2.0 */
/* The sink registry, the per-sink queues and their full policies, start, stop and accounting. */
#include "output/output_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct skr_output_builtin skr_output_builtins[] = {
    { "stdout_output", "libout_stdout.so", "stdout",
      offsetof(struct skr_output_cfg, stdout_enabled) },
    { "file_output", "libout_file.so", "file", offsetof(struct skr_output_cfg, file_enabled) },
    { "syslog_output", "libout_syslog.so", "syslog",
      offsetof(struct skr_output_cfg, sinks.syslog_enabled) },
    { "program_output", "libout_program.so", "program",
      offsetof(struct skr_output_cfg, sinks.program_enabled) },
    { "http_output", "libout_http.so", "http",
      offsetof(struct skr_output_cfg, sinks.http_enabled) },
    { NULL, NULL, NULL, 0 },
};

const char *const skr_output_section_core_keys[] = { "enabled", NULL };

static const char *const policy_names[] = { "drop", "block", "drop_oldest" };

bool skr_output_builtin_enabled(const struct skr_output_cfg *cfg,
                                const struct skr_output_builtin *b)
{
    return *(const bool *)((const char *)cfg + b->enabled_offset);
}

/* ---- Time ------------------------------------------------------------------------------ */

uint64_t skr_output_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct timespec skr_output_abstime(uint64_t mono_ns)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(mono_ns / 1000000000ull);
    ts.tv_nsec = (long)(mono_ns % 1000000000ull);
    return ts;
}

void skr_output_cond_init(pthread_cond_t *c)
{
    pthread_condattr_t at;

    pthread_condattr_init(&at);
    pthread_condattr_setclock(&at, CLOCK_MONOTONIC);
    pthread_cond_init(c, &at);
    pthread_condattr_destroy(&at);
}

/* ---- Registry --------------------------------------------------------------------------- */

static size_t clamp_capacity(uint64_t c)
{
    return c == 0 || c > SKR_OUTPUT_QUEUE_MAX ? SKR_OUTPUT_QUEUE_MAX : (size_t)c;
}

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
    o->hostname = strdup(hostname ? hostname : "");
    /* room for every sink at once, so adding one never moves the others */
    o->sinks = calloc(SKR_OUTPUT_MAX_SINKS, sizeof(*o->sinks));
    if (o->hostname == NULL || o->sinks == NULL) {
        free(o->hostname);
        free(o->sinks);
        free(o);
        skr_err_set(err, -ENOMEM, "out of memory creating the outputs");
        return NULL;
    }
    pthread_mutex_init(&o->lock, NULL);
    skr_output_cond_init(&o->room);
    pthread_cond_init(&o->started_c, NULL);
    if (cfg->dedup_window_ms > 0) {
        o->dedup = skr_dedup_new(o, err);
        if (o->dedup == NULL) {
            skr_output_free(o);
            return NULL;
        }
    }
    return o;
}

/* The queue settings of a sink: outputs_queue, then its entry in outputs_queue.sinks. */
static void queue_settings(struct skr_output *o, struct skr_sink *s)
{
    const struct skr_output_cfg *cfg = o->cfg;
    uint64_t cap = cfg->queue_capacity;
    uint64_t block_ms = cfg->queue_block_timeout_ms;

    s->policy = cfg->queue_policy;
    skr_fmt(s->cap_key, sizeof(s->cap_key), "outputs_queue.capacity %zu", clamp_capacity(cap));
    for (size_t i = 0; i < cfg->num_sink_queues; i++) {
        const struct skr_sink_queue_cfg *q = &cfg->sink_queues[i];
        if (strcmp(q->sink, s->name) != 0) {
            continue;
        }
        if (q->has_capacity) {
            cap = q->capacity;
            if (!skr_fmt(s->cap_key, sizeof(s->cap_key), "outputs_queue.sinks.%s.capacity %zu",
                         s->name, clamp_capacity(cap))) {
                skr_fmt(s->cap_key, sizeof(s->cap_key), "capacity %zu", clamp_capacity(cap));
            }
        }
        if (q->has_policy) {
            s->policy = q->policy;
        }
        if (q->has_block_timeout) {
            block_ms = q->block_timeout_ms;
        }
    }
    s->capacity = clamp_capacity(cap);
    s->block_timeout_ns = block_ms * 1000000ull;
}

int skr_output_add_sink(struct skr_output *o,
                        struct skr_plugin *p,
                        const char *name,
                        const char *init_config,
                        const char *open_params,
                        struct skr_err *err)
{
    struct skr_sink *s;
    int rc;

    if (!(p->caps & SKR_CAP_SINK)) {
        return skr_err_set(err, -EINVAL,
                           "plugin '%s' (%s) is not an output sink: it does not export "
                           "plugin_sink_open, plugin_sink_write and plugin_sink_close",
                           p->name, p->path);
    }
    if (o->started) {
        return skr_err_set(err, -EBUSY, "output sink '%s': the outputs are already running", name);
    }
    if (o->nsinks == SKR_OUTPUT_MAX_SINKS) {
        return skr_err_set(err, -E2BIG, "output sink '%s': at most %d sinks can run", name,
                           SKR_OUTPUT_MAX_SINKS);
    }
    for (size_t i = 0; i < o->nsinks; i++) {
        if (strcmp(o->sinks[i].name, name) == 0) {
            return skr_err_set(err, -EEXIST,
                               "two output sinks are named '%s': load a sink plugin only once, "
                               "and not under the name of an enabled *_output section",
                               name);
        }
    }
    s = &o->sinks[o->nsinks];
    memset(s, 0, sizeof(*s));
    s->o = o;
    s->index = o->nsinks;
    s->name = strdup(name);
    s->open_params = strdup(open_params ? open_params : "");
    if (s->name == NULL || s->open_params == NULL) {
        free(s->name);
        free(s->open_params);
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    queue_settings(o, s);
    s->ring = calloc(s->capacity, sizeof(*s->ring));
    if (s->ring == NULL) {
        free(s->name);
        free(s->open_params);
        return skr_err_set(err, -ENOMEM, "out of memory for the queue of output sink '%s' (%s)",
                           name, s->cap_key);
    }
    if ((rc = skr_plugin_inst_init(&s->inst, p, init_config, NULL, err)) < 0) {
        free(s->ring);
        free(s->name);
        free(s->open_params);
        return rc;
    }
    pthread_cond_init(&s->wake, NULL);
    s->idle = true;
    s->fail_complaint.interval_ns = 1000000000ull;
    s->drop_complaint.interval_ns = 1000000000ull;
    s->err_complaint.interval_ns = 1000000000ull;
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

int skr_output_copy_alert(struct skr_slot *sl, const saker_alert *in)
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
    d->seq = in->seq;
    d->rule = dup_str(a, in->rule);
    d->priority_name = skr_cfg_priority_name((int)in->priority);
    d->source = dup_str(a, in->source);
    d->output = dup_str(a, in->output);
    d->hostname = in->hostname;
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

static struct skr_slot *get_slot(struct skr_output *o)
{
    struct skr_slot *sl = o->free_slots;

    if (sl != NULL) {
        o->free_slots = sl->next_free;
        sl->next_free = NULL;
        return sl;
    }
    sl = calloc(1, sizeof(*sl));
    if (sl != NULL) {
        skr_arena_init(&sl->arena, 4096);
        skr_strbuf_init(&sl->line);
    }
    return sl;
}

static void put_slot(struct skr_output *o, struct skr_slot *sl)
{
    sl->next_free = o->free_slots;
    o->free_slots = sl;
}

void skr_output_unref(struct skr_output *o, struct skr_slot *sl)
{
    if (--sl->refs == 0) {
        atomic_fetch_add_explicit(&o->dispatched, 1, memory_order_relaxed);
        put_slot(o, sl);
    }
}

static void count_drop(struct skr_sink *s, const saker_alert *a, const char *what)
{
    atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
    skr_complain(&s->drop_complaint, SKR_LOG_ERR, s->name,
                 "the alert queue is full (%s): %s alert '%s' dropped; raise the capacity, use "
                 "policy block, or fix what makes the sink slow",
                 s->cap_key, what, a->rule ? a->rule : "");
}

/* Room in s's queue for one more alert, per its policy. Under o->lock; may wait on o->room. */
static bool make_room(struct skr_output *o, struct skr_sink *s, const saker_alert *a)
{
    uint64_t deadline = 0;

    while (s->tail - s->head >= s->capacity) {
        switch (s->policy) {
        case SKR_QUEUE_DROP_OLDEST: {
            struct skr_slot *victim = s->ring[s->head % s->capacity];
            s->ring[s->head % s->capacity] = NULL;
            s->head++;
            count_drop(s, &victim->a, "the oldest");
            skr_output_unref(o, victim);
            return true;
        }
        case SKR_QUEUE_BLOCK:
            if (!s->stalled && !o->stopping) {
                struct timespec ts;
                if (deadline == 0) {
                    deadline = skr_output_mono_ns() + s->block_timeout_ns;
                }
                ts = skr_output_abstime(deadline);
                if (pthread_cond_timedwait(&o->room, &o->lock, &ts) != ETIMEDOUT) {
                    continue;
                }
                if (s->tail - s->head < s->capacity) {
                    return true;
                }
                s->stalled = true;
                skr_log(SKR_LOG_WARNING, s->name,
                        "the sink took no alert for %" PRIu64 " ms with its queue full (%s): "
                        "alerts for it are dropped until it takes alerts again",
                        (uint64_t)(s->block_timeout_ns / 1000000ull), s->cap_key);
            }
            count_drop(s, a, "the new");
            return false;
        default:
            count_drop(s, a, "the new");
            return false;
        }
    }
    return true;
}

int skr_output_enqueue(struct skr_output *o, const saker_alert *a)
{
    struct skr_slot *sl;
    uint32_t accepted = 0;
    int rc;

    pthread_mutex_lock(&o->lock);
    if (o->stopping) {
        pthread_mutex_unlock(&o->lock);
        return -ESHUTDOWN;
    }
    sl = get_slot(o);
    pthread_mutex_unlock(&o->lock);
    if (sl == NULL || (rc = skr_output_copy_alert(sl, a)) < 0) {
        pthread_mutex_lock(&o->lock);
        for (size_t i = 0; i < o->nsinks; i++) {
            atomic_fetch_add_explicit(&o->sinks[i].offered, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&o->sinks[i].dropped, 1, memory_order_relaxed);
            skr_complain(&o->sinks[i].drop_complaint, SKR_LOG_ERR, o->sinks[i].name,
                         "out of memory queueing alert '%s': dropped", a->rule ? a->rule : "");
        }
        if (sl != NULL) {
            put_slot(o, sl);
        }
        atomic_fetch_add_explicit(&o->refused, 1, memory_order_relaxed);
        pthread_mutex_unlock(&o->lock);
        return -ENOMEM;
    }
    /* formatted outside the lock: nobody else sees the slot yet */
    sl->a.hostname = o->hostname;
    skr_strbuf_reset(&sl->line);
    skr_output_format(o->cfg, &sl->a, &sl->line);
    sl->a.line = sl->line.p;

    pthread_mutex_lock(&o->lock);
    if (o->stopping) {
        put_slot(o, sl);
        pthread_mutex_unlock(&o->lock);
        return -ESHUTDOWN;
    }
    sl->a.seq = ++o->seq;
    sl->refs = 1; /* ours until every sink is served */
    for (size_t i = 0; i < o->nsinks; i++) {
        struct skr_sink *s = &o->sinks[i];

        atomic_fetch_add_explicit(&s->offered, 1, memory_order_relaxed);
        if (!make_room(o, s, &sl->a)) {
            continue;
        }
        s->ring[s->tail % s->capacity] = sl;
        s->tail++;
        s->idle = false;
        sl->refs++;
        accepted++;
        pthread_cond_signal(&s->wake);
    }
    if (accepted > 0) {
        atomic_fetch_add_explicit(&o->pushed, 1, memory_order_relaxed);
        skr_output_unref(o, sl);
    } else {
        sl->refs = 0;
        put_slot(o, sl);
        atomic_fetch_add_explicit(&o->refused, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&o->lock);
    return accepted > 0 ? 0 : -EAGAIN;
}

int skr_output_push(struct skr_output *o, const saker_alert *a)
{
    if (o->dedup != NULL && skr_dedup_filter(o->dedup, a) == 1) {
        return 0;
    }
    return skr_output_enqueue(o, a);
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
    /* internal alerts (drops, metrics) are never deduplicated: they carry their own counts */
    return skr_output_enqueue(o, &a);
}

/* ---- Start, reopen, drain, stop ------------------------------------------------------------ */

static int check_sink_names(struct skr_output *o, struct skr_err *err)
{
    const struct skr_output_cfg *cfg = o->cfg;

    for (size_t i = 0; i < cfg->num_sink_queues; i++) {
        const struct skr_sink_queue_cfg *q = &cfg->sink_queues[i];
        struct skr_strbuf names;
        bool found = false;

        for (size_t k = 0; k < o->nsinks; k++) {
            found = found || strcmp(o->sinks[k].name, q->sink) == 0;
        }
        if (found) {
            continue;
        }
        skr_strbuf_init(&names);
        for (size_t k = 0; k < o->nsinks; k++) {
            skr_strbuf_printf(&names, "%s%s", k ? ", " : "", o->sinks[k].name);
        }
        skr_err_set_at(err, -EINVAL, q->file, q->line, q->col,
                       "outputs_queue.sinks.%s: no output sink is named '%s' (the sinks "
                       "running are: %s)",
                       q->sink, q->sink, names.p);
        skr_strbuf_fini(&names);
        return err->code;
    }
    return 0;
}

static void join_sinks(struct skr_output *o)
{
    for (size_t i = 0; i < o->nsinks; i++) {
        if (o->sinks[i].started) {
            pthread_join(o->sinks[i].thread, NULL);
            o->sinks[i].started = false;
        }
    }
    o->joined = true;
}

int skr_output_start(struct skr_output *o, struct skr_err *err)
{
    int rc = 0;
    size_t n = 0;

    if ((rc = check_sink_names(o, err)) < 0) {
        return rc;
    }
    o->open_rc = 0;
    o->started = true;
    for (; n < o->nsinks; n++) {
        struct skr_sink *s = &o->sinks[n];
        if (pthread_create(&s->thread, NULL, skr_output_sink_main, s) != 0) {
            rc = skr_err_set(err, -EAGAIN, "cannot start the thread of output sink '%s'", s->name);
            break;
        }
        s->started = true;
    }
    pthread_mutex_lock(&o->lock);
    while (o->nopened < n) {
        pthread_cond_wait(&o->started_c, &o->lock);
    }
    if (rc == 0 && o->open_rc < 0) {
        rc = o->open_rc;
        if (err != NULL) {
            *err = o->open_err;
        }
    }
    if (rc < 0) {
        o->stopping = true;
        for (size_t i = 0; i < o->nsinks; i++) {
            pthread_cond_signal(&o->sinks[i].wake);
        }
    }
    pthread_mutex_unlock(&o->lock);
    if (rc < 0) {
        join_sinks(o);
        return rc;
    }
    if (o->dedup != NULL && (rc = skr_dedup_start(o->dedup, err)) < 0) {
        skr_output_stop(o);
        return rc;
    }
    return 0;
}

void skr_output_reopen(struct skr_output *o)
{
    pthread_mutex_lock(&o->lock);
    for (size_t i = 0; i < o->nsinks; i++) {
        o->sinks[i].reopen = true;
        pthread_cond_signal(&o->sinks[i].wake);
    }
    pthread_mutex_unlock(&o->lock);
}

static bool all_idle(struct skr_output *o)
{
    for (size_t i = 0; i < o->nsinks; i++) {
        const struct skr_sink *s = &o->sinks[i];
        if (s->started && !(s->head == s->tail && s->in_hand == 0 && s->idle)) {
            return false;
        }
    }
    return true;
}

void skr_output_drain(struct skr_output *o)
{
    if (!o->started || o->joined) {
        return;
    }
    pthread_mutex_lock(&o->lock);
    while (!all_idle(o) && !o->joined) {
        pthread_cond_wait(&o->room, &o->lock);
    }
    pthread_mutex_unlock(&o->lock);
}

/* Alerts queued to sinks that never ran are lost. */
static void count_unserved(struct skr_output *o)
{
    pthread_mutex_lock(&o->lock);
    for (size_t i = 0; i < o->nsinks; i++) {
        struct skr_sink *s = &o->sinks[i];
        while (s->head != s->tail) {
            struct skr_slot *sl = s->ring[s->head % s->capacity];
            s->ring[s->head % s->capacity] = NULL;
            s->head++;
            atomic_fetch_add_explicit(&s->lost, 1, memory_order_relaxed);
            skr_output_unref(o, sl);
        }
    }
    pthread_mutex_unlock(&o->lock);
}

static void log_accounts(struct skr_output *o)
{
    for (size_t i = 0; i < o->nsinks; i++) {
        struct skr_output_sink_stats st;
        skr_output_sink_stats(o, i, &st);
        skr_log(st.delivered == st.offered ? SKR_LOG_DEBUG : SKR_LOG_WARNING, st.name,
                "%" PRIu64 " alerts offered: %" PRIu64 " delivered, %" PRIu64 " failed, %" PRIu64
                " dropped (queue full), %" PRIu64 " lost (still queued at shutdown), %" PRIu64
                " retries",
                st.offered, st.delivered, st.failed, st.dropped, st.lost, st.retries);
    }
}

void skr_output_stop(struct skr_output *o)
{
    bool was_stopping;

    if (o == NULL) {
        return;
    }
    pthread_mutex_lock(&o->lock);
    was_stopping = o->stopping;
    pthread_mutex_unlock(&o->lock);
    if (!was_stopping && o->dedup != NULL) {
        skr_dedup_stop(o->dedup);
    }
    pthread_mutex_lock(&o->lock);
    if (!o->stopping) {
        o->stopping = true;
        o->drain_deadline_ns = skr_output_mono_ns() + o->cfg->queue_drain_timeout_ms * 1000000ull;
    }
    for (size_t i = 0; i < o->nsinks; i++) {
        pthread_cond_signal(&o->sinks[i].wake);
    }
    pthread_cond_broadcast(&o->room);
    pthread_mutex_unlock(&o->lock);
    if (o->joined) {
        return;
    }
    if (o->started) {
        join_sinks(o);
    }
    o->joined = true;
    count_unserved(o);
    if (!was_stopping) {
        log_accounts(o);
    }
}

void skr_output_free(struct skr_output *o)
{
    struct skr_slot *sl;

    if (o == NULL) {
        return;
    }
    skr_output_stop(o);
    skr_dedup_free(o->dedup);
    for (size_t i = 0; i < o->nsinks; i++) {
        struct skr_sink *s = &o->sinks[i];
        skr_plugin_inst_fini(&s->inst);
        pthread_cond_destroy(&s->wake);
        free(s->ring);
        free(s->name);
        free(s->open_params);
    }
    while ((sl = o->free_slots) != NULL) {
        o->free_slots = sl->next_free;
        skr_arena_fini(&sl->arena);
        skr_strbuf_fini(&sl->line);
        free(sl);
    }
    pthread_mutex_destroy(&o->lock);
    pthread_cond_destroy(&o->room);
    pthread_cond_destroy(&o->started_c);
    free(o->sinks);
    free(o->hostname);
    free(o);
}

/* ---- Accounting ----------------------------------------------------------------------------- */

int skr_output_sink_stats(struct skr_output *o, size_t i, struct skr_output_sink_stats *out)
{
    struct skr_sink *s;

    if (i >= o->nsinks) {
        return -ENOENT;
    }
    s = &o->sinks[i];
    memset(out, 0, sizeof(*out));
    out->name = s->name;
    pthread_mutex_lock(&o->lock);
    out->queued = (s->tail - s->head) + s->in_hand;
    out->offered = atomic_load(&s->offered);
    out->delivered = atomic_load(&s->delivered);
    out->failed = atomic_load(&s->failed);
    out->dropped = atomic_load(&s->dropped);
    out->lost = atomic_load(&s->lost);
    pthread_mutex_unlock(&o->lock);
    out->retries = atomic_load(&s->retries);
    out->errors = atomic_load(&s->errors);
    out->capacity = s->capacity;
    return 0;
}

void skr_output_stats(struct skr_output *o, struct skr_output_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->pushed = atomic_load(&o->pushed);
    out->dispatched = atomic_load(&o->dispatched);
    out->sink_failures = atomic_load(&o->sink_failures);
    out->sink_errors = atomic_load(&o->sink_errors);
    for (size_t i = 0; i < o->nsinks; i++) {
        out->queue_drops += atomic_load(&o->sinks[i].dropped);
        out->lost += atomic_load(&o->sinks[i].lost);
    }
    if (o->dedup != NULL) {
        out->deduplicated = skr_dedup_suppressed(o->dedup);
        out->dedup_summaries = skr_dedup_summaries(o->dedup);
    }
}

void skr_output_stats_json(struct skr_output *o, struct skr_strbuf *out)
{
    struct skr_output_stats st;

    skr_output_stats(o, &st);
    skr_strbuf_printf(out,
                      "{\"pushed\":%" PRIu64 ",\"queue_drops\":%" PRIu64 ",\"dispatched\":%" PRIu64
                      ",\"sink_failures\":%" PRIu64 ",\"sink_errors\":%" PRIu64 ",\"lost\":%" PRIu64
                      ",\"deduplicated\":%" PRIu64 ",\"dedup_summaries\":%" PRIu64 ",\"sinks\":{",
                      st.pushed, st.queue_drops, st.dispatched, st.sink_failures, st.sink_errors,
                      st.lost, st.deduplicated, st.dedup_summaries);
    for (size_t i = 0; i < o->nsinks; i++) {
        struct skr_output_sink_stats ss;
        skr_output_sink_stats(o, i, &ss);
        skr_strbuf_puts(out, i ? ",\"" : "\"");
        skr_strbuf_json_escape(out, ss.name, strlen(ss.name));
        skr_strbuf_printf(
                out,
                "\":{\"offered\":%" PRIu64 ",\"delivered\":%" PRIu64 ",\"failed\":%" PRIu64
                ",\"dropped\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"retries\":%" PRIu64
                ",\"errors\":%" PRIu64 ",\"queued\":%" PRIu64 ",\"capacity\":%" PRIu64
                ",\"policy\":\"%s\"}",
                ss.offered, ss.delivered, ss.failed, ss.dropped, ss.lost, ss.retries, ss.errors,
                ss.queued, ss.capacity,
                policy_names[o->sinks[i].policy >= 0 && o->sinks[i].policy < 3 ? o->sinks[i].policy
                                                                               : 0]);
    }
    skr_strbuf_puts(out, "}}");
}
