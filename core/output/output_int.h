/* SPDX-License-Identifier: Apache-2.0 */
/* Private to core/output: the output's state, shared by output.c, sink.c and dedup.c. */
#ifndef SKR_OUTPUT_INT_H
#define SKR_OUTPUT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "output/output.h"
#include "util/arena.h"
#include "util/log.h"

/* Most alerts handed to a sink in one plugin_sink_write call. */
#define SKR_OUTPUT_BATCH 256
/* Most sinks one output runs. */
#define SKR_OUTPUT_MAX_SINKS 64

/*
 * One queued alert: a saker_alert whose pointers all point into the slot's
 * arena, and its formatted line. A slot is shared by the sinks it was queued
 * to (refs) and goes back to the output's free list when the last lets go, so
 * steady state allocates nothing.
 */
struct skr_slot {
    saker_alert a;
    struct skr_arena arena;
    struct skr_strbuf line;
    uint32_t refs; /* under o->lock */
    struct skr_slot *next_free;
};

struct skr_sink {
    struct skr_output *o;
    size_t index;
    char *name;
    struct skr_plugin_inst inst;
    char *open_params;
    saker_sink_t *h;
    bool open;

    /* queue settings */
    size_t capacity;
    int policy;                /* enum skr_queue_policy */
    uint64_t block_timeout_ns; /* policy block */
    char cap_key[160];         /* the key that set the capacity, for messages */

    /* queue, under o->lock: ring[head % capacity .. tail % capacity) */
    struct skr_slot **ring;
    uint64_t head;
    uint64_t tail;
    uint32_t in_hand; /* alerts the sink thread is writing */
    bool reopen;
    bool stalled; /* a blocking push timed out; the next ones do not wait until it takes alerts */
    bool idle;    /* the thread waits with an empty queue and nothing in hand */
    pthread_cond_t wake;
    struct skr_complaint drop_complaint; /* used under o->lock */

    pthread_t thread;
    bool started;

    /* used by the sink thread only */
    struct skr_complaint fail_complaint;
    struct skr_complaint slow_complaint;
    struct skr_complaint err_complaint;

    /* counters: offered = delivered + failed + dropped + lost + queued + in hand */
    _Atomic uint64_t offered;
    _Atomic uint64_t delivered;
    _Atomic uint64_t failed;
    _Atomic uint64_t dropped;
    _Atomic uint64_t lost;
    _Atomic uint64_t retries;
    _Atomic uint64_t errors;
};

struct skr_dedup;

struct skr_output {
    const struct skr_output_cfg *cfg;
    char *hostname;
    struct skr_sink *sinks;
    size_t nsinks;

    pthread_mutex_t lock;
    pthread_cond_t room;      /* a sink took alerts or went idle: blocked producers, drain() */
    pthread_cond_t started_c; /* sink threads report their open */
    struct skr_slot *free_slots;
    uint64_t seq;
    bool stopping;
    uint64_t drain_deadline_ns; /* monotonic; set by stop */
    size_t nopened;             /* sink threads that finished their open */
    int open_rc;
    struct skr_err open_err;
    bool started;
    bool joined;

    struct skr_dedup *dedup; /* NULL when deduplication is off */

    _Atomic uint64_t pushed;
    _Atomic uint64_t refused; /* alerts no sink took */
    _Atomic uint64_t dispatched;
    _Atomic uint64_t sink_failures;
    _Atomic uint64_t sink_errors;
};

/* CLOCK_MONOTONIC in ns. */
uint64_t skr_output_mono_ns(void);
/* An absolute CLOCK_MONOTONIC timespec for pthread_cond_timedwait. */
struct timespec skr_output_abstime(uint64_t mono_ns);
/* Initialises a condition variable waiting on CLOCK_MONOTONIC. */
void skr_output_cond_init(pthread_cond_t *c);

/* Copies an alert into a slot (its arena is reset first). Returns 0 or -ENOMEM. */
int skr_output_copy_alert(struct skr_slot *sl, const saker_alert *in);

/* Queues an alert to every sink (no deduplication). See skr_output_push. */
int skr_output_enqueue(struct skr_output *o, const saker_alert *a);

/* Sink threads (sink.c). */
void *skr_output_sink_main(void *arg);
/* Lets go of one reference to a slot; under o->lock. */
void skr_output_unref(struct skr_output *o, struct skr_slot *sl);

/* Deduplication (dedup.c). */
struct skr_dedup *skr_dedup_new(struct skr_output *o, struct skr_err *err);
int skr_dedup_start(struct skr_dedup *d, struct skr_err *err);
/* 1 when the alert is a repeat inside its window (counted, not queued), else 0. */
int skr_dedup_filter(struct skr_dedup *d, const saker_alert *a);
/* Stops the timer and queues a summary for every window with repeats. */
void skr_dedup_stop(struct skr_dedup *d);
void skr_dedup_free(struct skr_dedup *d);
uint64_t skr_dedup_suppressed(const struct skr_dedup *d);
uint64_t skr_dedup_summaries(const struct skr_dedup *d);

#endif /* SKR_OUTPUT_INT_H */
