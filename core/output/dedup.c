/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deduplication of repeated alerts (outputs_dedup). The first alert of a
 * kind (same rule, source and rendered output) goes out and opens a window
 * of outputs_dedup.window; identical alerts inside it are counted, not
 * queued. When the window closes (a timer thread watches the oldest one) and
 * there were repeats, one summary alert goes out: the first alert's rule,
 * priority, tags and fields, the last repeat's time, the output with
 * "(repeated N more times within W)" appended and the count as the field
 * dedup.repeats. Nothing is dropped silently: every repeat is in a summary
 * (open windows are closed at stop) and in the counters.
 *
 * Windows live in a hash table and a list in opening order (every window has
 * the same length, so the oldest closes first). Entries are pooled: at most
 * outputs_dedup.max_keys exist; when they are all open, the oldest window is
 * closed early.
 */
#include "output/output_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

struct dedup_entry {
    UT_hash_handle hh;
    struct dedup_entry *older;
    struct dedup_entry *newer;
    struct dedup_entry *next_free;
    uint64_t end_ns;  /* monotonic end of the window */
    uint64_t repeats; /* identical alerts counted inside the window */
    uint64_t last_ts; /* event time of the last repeat */
    const char *key;  /* in first.arena */
    size_t keylen;
    struct skr_slot first; /* a copy of the alert that opened the window */
};

struct skr_dedup {
    struct skr_output *o;
    uint64_t window_ns;
    size_t max_keys;
    char window_text[32];

    pthread_mutex_t lock;
    pthread_cond_t cond; /* the timer waits for the oldest window's end */
    struct dedup_entry *table;
    struct dedup_entry *oldest;
    struct dedup_entry *newest;
    struct dedup_entry *free_list;
    size_t nopen;
    struct skr_strbuf key;    /* scratch, under lock */
    struct skr_arena scratch; /* a summary's memory, under lock */
    struct skr_complaint oom; /* under lock */
    pthread_t timer;
    bool timer_started;
    bool stopping;

    _Atomic uint64_t suppressed;
    _Atomic uint64_t summaries;
};

struct skr_dedup *skr_dedup_new(struct skr_output *o, struct skr_err *err)
{
    struct skr_dedup *d = calloc(1, sizeof(*d));
    uint64_t ms = o->cfg->dedup_window_ms;

    if (d == NULL) {
        skr_err_set(err, -ENOMEM, "out of memory for the alert deduplication");
        return NULL;
    }
    d->o = o;
    d->window_ns = ms * 1000000ull;
    d->max_keys = o->cfg->dedup_max_keys > 0 ? (size_t)o->cfg->dedup_max_keys : 1;
    if (ms % 1000 == 0) {
        skr_fmt(d->window_text, sizeof(d->window_text), "%" PRIu64 "s", ms / 1000);
    } else {
        skr_fmt(d->window_text, sizeof(d->window_text), "%" PRIu64 "ms", ms);
    }
    pthread_mutex_init(&d->lock, NULL);
    skr_output_cond_init(&d->cond);
    skr_strbuf_init(&d->key);
    skr_arena_init(&d->scratch, 4096);
    return d;
}

static void unlink_entry(struct skr_dedup *d, struct dedup_entry *e)
{
    HASH_DELETE(hh, d->table, e);
    if (e->older != NULL) {
        e->older->newer = e->newer;
    } else {
        d->oldest = e->newer;
    }
    if (e->newer != NULL) {
        e->newer->older = e->older;
    } else {
        d->newest = e->older;
    }
    e->older = e->newer = NULL;
    e->next_free = d->free_list;
    d->free_list = e;
    d->nopen--;
}

/* Queues the summary of e's window (when it had repeats) and frees e. Under d->lock. */
static void close_window(struct skr_dedup *d, struct dedup_entry *e)
{
    const saker_alert *f = &e->first.a;
    saker_alert a;
    saker_alert_field *fields;
    saker_alert_value *v;
    struct skr_strbuf out;

    if (e->repeats == 0) {
        unlink_entry(d, e);
        return;
    }
    skr_arena_reset(&d->scratch);
    fields = skr_arena_calloc(&d->scratch, f->num_fields + 1, sizeof(*fields));
    v = skr_arena_calloc(&d->scratch, 1, sizeof(*v));
    skr_strbuf_init(&out);
    skr_strbuf_printf(&out, "%s (repeated %" PRIu64 " more time%s within %s)", f->output,
                      e->repeats, e->repeats == 1 ? "" : "s", d->window_text);
    a = *f;
    a.ts = e->last_ts;
    a.output = out.p;
    if (fields != NULL && v != NULL) {
        if (f->num_fields > 0) {
            memcpy(fields, f->fields, f->num_fields * sizeof(*fields));
        }
        v->v.u64 = e->repeats;
        fields[f->num_fields].name = "dedup.repeats";
        fields[f->num_fields].type = FTYPE_UINT64;
        fields[f->num_fields].num_values = 1;
        fields[f->num_fields].values = v;
        a.fields = fields;
        a.num_fields = f->num_fields + 1;
    }
    atomic_fetch_add_explicit(&d->summaries, 1, memory_order_relaxed);
    skr_output_enqueue(d->o, &a);
    skr_strbuf_fini(&out);
    unlink_entry(d, e);
}

static void *timer_main(void *arg)
{
    struct skr_dedup *d = arg;

    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        uint64_t now = skr_output_mono_ns();
        while (d->oldest != NULL && d->oldest->end_ns <= now) {
            close_window(d, d->oldest);
        }
        if (d->oldest != NULL) {
            struct timespec ts = skr_output_abstime(d->oldest->end_ns);
            pthread_cond_timedwait(&d->cond, &d->lock, &ts);
        } else {
            pthread_cond_wait(&d->cond, &d->lock);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int skr_dedup_start(struct skr_dedup *d, struct skr_err *err)
{
    if (pthread_create(&d->timer, NULL, timer_main, d) != 0) {
        return skr_err_set(err, -EAGAIN, "cannot start the alert deduplication thread");
    }
    d->timer_started = true;
    return 0;
}

static struct dedup_entry *new_entry(struct skr_dedup *d)
{
    struct dedup_entry *e = d->free_list;

    if (e != NULL) {
        d->free_list = e->next_free;
        e->next_free = NULL;
        return e;
    }
    e = calloc(1, sizeof(*e));
    if (e != NULL) {
        skr_arena_init(&e->first.arena, 4096);
    }
    return e;
}

static void key_of(struct skr_strbuf *k, const saker_alert *a)
{
    skr_strbuf_reset(k);
    skr_strbuf_puts(k, a->rule ? a->rule : "");
    skr_strbuf_putc(k, '\x1f');
    skr_strbuf_puts(k, a->source ? a->source : "");
    skr_strbuf_putc(k, '\x1f');
    skr_strbuf_puts(k, a->output ? a->output : "");
}

int skr_dedup_filter(struct skr_dedup *d, const saker_alert *a)
{
    struct dedup_entry *e = NULL;
    uint64_t now = skr_output_mono_ns();
    char *key;

    pthread_mutex_lock(&d->lock);
    if (d->stopping) {
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    key_of(&d->key, a);
    HASH_FIND(hh, d->table, d->key.p, d->key.len, e);
    if (e != NULL && e->end_ns > now) {
        e->repeats++;
        e->last_ts = a->ts;
        atomic_fetch_add_explicit(&d->suppressed, 1, memory_order_relaxed);
        pthread_mutex_unlock(&d->lock);
        return 1;
    }
    if (e != NULL) {
        close_window(d, e); /* ended, and the timer has not seen it yet */
    }
    if (d->nopen >= d->max_keys && d->oldest != NULL) {
        close_window(d, d->oldest);
    }
    e = new_entry(d);
    if (e == NULL || skr_output_copy_alert(&e->first, a) < 0 ||
        (key = skr_arena_memdup(&e->first.arena, d->key.p, d->key.len + 1)) == NULL) {
        /* not tracked: the alert goes out as is */
        if (e != NULL) {
            e->next_free = d->free_list;
            d->free_list = e;
        }
        skr_complain(&d->oom, SKR_LOG_WARNING, "output",
                     "out of memory tracking alert '%s' for deduplication: sent as is",
                     a->rule ? a->rule : "");
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    e->key = key;
    e->keylen = d->key.len;
    e->end_ns = now + d->window_ns;
    e->repeats = 0;
    e->last_ts = a->ts;
    e->older = d->newest;
    e->newer = NULL;
    HASH_ADD_KEYPTR(hh, d->table, e->key, e->keylen, e);
    if (skr_hash_failed()) {
        e->next_free = d->free_list;
        d->free_list = e;
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    if (d->newest != NULL) {
        d->newest->newer = e;
    } else {
        d->oldest = e;
        pthread_cond_signal(&d->cond); /* the timer had nothing to wait for */
    }
    d->newest = e;
    d->nopen++;
    pthread_mutex_unlock(&d->lock);
    return 0;
}

void skr_dedup_stop(struct skr_dedup *d)
{
    if (d == NULL) {
        return;
    }
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    if (d->timer_started) {
        pthread_join(d->timer, NULL);
        d->timer_started = false;
    }
    pthread_mutex_lock(&d->lock);
    while (d->oldest != NULL) {
        close_window(d, d->oldest);
    }
    pthread_mutex_unlock(&d->lock);
}

static void free_entry(struct dedup_entry *e)
{
    skr_arena_fini(&e->first.arena);
    skr_strbuf_fini(&e->first.line);
    free(e);
}

void skr_dedup_free(struct skr_dedup *d)
{
    struct dedup_entry *e;

    if (d == NULL) {
        return;
    }
    skr_dedup_stop(d);
    while ((e = d->free_list) != NULL) {
        d->free_list = e->next_free;
        free_entry(e);
    }
    skr_strbuf_fini(&d->key);
    skr_arena_fini(&d->scratch);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    free(d);
}

uint64_t skr_dedup_suppressed(const struct skr_dedup *d)
{
    return atomic_load(&d->suppressed);
}

uint64_t skr_dedup_summaries(const struct skr_dedup *d)
{
    return atomic_load(&d->summaries);
}
