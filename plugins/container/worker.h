/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metadata worker: one thread that asks container runtimes about
 * containers over their unix sockets (Docker Engine API, which Podman also
 * serves), so that the event thread never waits on I/O.
 *
 * The event thread hands it container ids with ctr_worker_request (never
 * blocks; false when the bounded queue is full) and collects finished
 * lookups with ctr_worker_drain. Every request is bounded by the configured
 * timeout; an id the runtime does not know yet is retried every 30 ms for
 * 150 ms after it was first asked for, then given up (its fields stay <NA>).
 * At start the worker lists the containers that already exist.
 *
 * When the host installed an async-event handler, every finished lookup is
 * also sent as a "container" async event, and a container the runtime
 * reports destroyed as "container_removed".
 */
#ifndef CTR_WORKER_H
#define CTR_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_api.h>

#include "config.h"
#include "info.h"

/* Bounds of the queues between the event thread and the worker. */
#define CTR_WORKER_MAX_REQUESTS 1024
#define CTR_WORKER_MAX_RESULTS  1024

struct ctr_worker;

struct ctr_worker_stats {
    uint64_t lookups_ok;
    uint64_t lookups_failed;
    uint64_t requests_dropped;
    uint64_t requests;
};

/* Logging callback (the plugin forwards to the host's log_fn). */
typedef void (*ctr_worker_log_fn)(void *ctx, ss_plugin_log_severity sev, const char *msg);

/*
 * Creates the worker for the sockets cfg enables and that exist (with the
 * host_root prefix). Does not start it. cfg is copied. Returns NULL with a
 * message in err on failure.
 */
struct ctr_worker *ctr_worker_new(const struct ctr_config *cfg,
                                  ctr_worker_log_fn log,
                                  void *log_ctx,
                                  char *err,
                                  size_t cap);
/* Starts the thread (idempotent). 0 or a negative errno. */
int ctr_worker_start(struct ctr_worker *w);
/* Stops and joins the thread, frees everything. NULL is a no-op. */
void ctr_worker_free(struct ctr_worker *w);

/* Number of runtime sockets the worker talks to. */
size_t ctr_worker_num_sockets(const struct ctr_worker *w);

/* Queues a lookup of id; false when the queue is full (ask again later). */
bool ctr_worker_request(struct ctr_worker *w, const char *id);

/* True when finished lookups wait to be drained (one relaxed atomic load). */
bool ctr_worker_has_results(const struct ctr_worker *w);

/*
 * Hands every finished lookup to fn (ownership of info moves to fn), from
 * the calling thread. removed is true for a container the runtime destroyed.
 * Returns the number handed over.
 */
size_t ctr_worker_drain(struct ctr_worker *w,
                        void (*fn)(struct ctr_info *info, bool removed, void *arg),
                        void *arg);

/*
 * Installs (or with handler NULL removes) the async-event handler. After a
 * call with NULL returns, the worker never calls the old handler again.
 */
void ctr_worker_set_async(struct ctr_worker *w,
                          ss_plugin_owner_t *owner,
                          ss_plugin_async_event_handler_t handler);

void ctr_worker_stats(const struct ctr_worker *w, struct ctr_worker_stats *out);

/*
 * Builds an async event (code 402) named name carrying json (NUL included)
 * in a malloc'd buffer. ts UINT64_MAX asks the host to stamp it. NULL on OOM.
 */
ss_plugin_event *ctr_async_event_new(const char *name, const char *json, uint64_t ts);

#endif /* CTR_WORKER_H */
