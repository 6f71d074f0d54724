/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert delivery: a registry of sink plugins, one bounded queue and one
 * thread per sink, so a slow sink never holds back another, an explicit
 * policy when a sink's queue is full, optional deduplication of repeated
 * alerts, and end-to-end accounting. Each alert is formatted once (Falco's
 * text line or JSON object) by the thread that pushes it and shared by the
 * sinks it is queued to.
 *
 * Accounting: for every alert offered to a sink exactly one of delivered,
 * failed (the sink gave up on it), dropped (the sink's queue was full) or
 * lost (still queued when the shutdown drain time ran out) is counted, plus
 * the retries the sink reported. Repeats suppressed by deduplication are
 * counted and summarised in one alert per window. Nothing is dropped
 * silently: drops and failures are also logged (rate-limited).
 *
 * Threads: skr_output_push may be called from any number of threads. Each
 * sink is opened, written, flushed, reopened and closed only from its own
 * thread.
 *
 * Lifecycle: skr_output_new -> skr_output_add_sink... -> skr_output_start
 * -> push... -> skr_output_stop (summaries of open deduplication windows,
 * then every sink delivers what is queued within outputs_queue.drain_timeout,
 * is flushed and closed) -> skr_output_free.
 */
#ifndef SKR_OUTPUT_OUTPUT_H
#define SKR_OUTPUT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_api.h>

#include "config/config.h"
#include "plugin/plugin.h"
#include "util/err.h"
#include "util/strbuf.h"

struct skr_output;

/* Largest queue Saker runs (outputs_queue.capacity 0 means this). */
#define SKR_OUTPUT_QUEUE_MAX 1048576u

/*
 * The Falco output sections Saker maps onto its sink plugins, in the order
 * their sinks are added. The section's "enabled" key says whether the sink
 * runs; its other keys are the plugin's init config.
 */
struct skr_output_builtin {
    const char *section;   /* "http_output" */
    const char *library;   /* "libout_http.so", found in plugins_dir */
    const char *name;      /* the sink's name in metrics and outputs_queue.sinks: "http" */
    size_t enabled_offset; /* of the section's enabled bool in struct skr_output_cfg */
};

/* The built-in sinks; the last entry has a NULL section. */
extern const struct skr_output_builtin skr_output_builtins[];

/* Keys of a sink section the plugin does not receive (NULL-terminated). */
extern const char *const skr_output_section_core_keys[];

bool skr_output_builtin_enabled(const struct skr_output_cfg *cfg,
                                const struct skr_output_builtin *b);

/*
 * A new output. cfg (borrowed, must outlive the output) says how alerts are
 * formatted, how the queues behave and whether alerts are deduplicated;
 * hostname is copied.
 */
struct skr_output *skr_output_new(const struct skr_output_cfg *cfg,
                                  const char *hostname,
                                  struct skr_err *err);

/*
 * Registers a sink: inits a state of p (which must have the sink capability)
 * with init_config, from the calling thread. open_params is passed to
 * plugin_sink_open when the output starts. p is borrowed and must outlive
 * the output. name labels the sink in metrics and selects its queue settings
 * in outputs_queue.sinks ("stdout", "file", ..., or the plugin name); two
 * sinks may not share a name. At most 64 sinks.
 */
int skr_output_add_sink(struct skr_output *o,
                        struct skr_plugin *p,
                        const char *name,
                        const char *init_config,
                        const char *open_params,
                        struct skr_err *err);

size_t skr_output_num_sinks(const struct skr_output *o);

/*
 * Starts one thread per sink, which opens it; fails when a sink does not
 * open, or when outputs_queue.sinks names a sink that does not exist.
 */
int skr_output_start(struct skr_output *o, struct skr_err *err);

/*
 * Queues one alert to every sink. The alert and everything it points to are
 * borrowed for the call (copied); size, seq, line, priority_name and
 * hostname are filled by the output. A full queue applies its sink's policy
 * (block waits at most the sink's block_timeout). Returns 0 when at least
 * one sink took the alert or deduplication counted it as a repeat, -EAGAIN
 * when every sink's queue was full and dropped it (counted), -ENOMEM, or
 * -ESHUTDOWN after stop.
 */
int skr_output_push(struct skr_output *o, const saker_alert *a);

/*
 * An internal alert (source "internal", no tags): rule is "Saker internal:
 * ...", fields are string key/values (may be NULL/0).
 */
int skr_output_push_internal(struct skr_output *o,
                             uint64_t ts,
                             int priority,
                             const char *rule,
                             const char *text,
                             const char *const *keys,
                             const char *const *values,
                             uint32_t num_fields);

/* Asks every sink thread to reopen its sink (SIGUSR1). Thread-safe, returns at once. */
void skr_output_reopen(struct skr_output *o);

/* Waits until every sink has written everything queued to it and gone idle (flushed). */
void skr_output_drain(struct skr_output *o);

/*
 * Queues the summaries of open deduplication windows, lets every sink
 * deliver what is queued within outputs_queue.drain_timeout (what is left is
 * counted lost), flushes and closes every sink and joins the threads; logs
 * each sink's account when an alert was not delivered. Idempotent.
 */
void skr_output_stop(struct skr_output *o);

void skr_output_free(struct skr_output *o);

/* Counters. */
struct skr_output_stats {
    uint64_t pushed;          /* alerts at least one sink's queue took */
    uint64_t queue_drops;     /* alerts dropped by full queues (sum over sinks) */
    uint64_t dispatched;      /* pushed alerts every sink is done with */
    uint64_t sink_failures;   /* alerts a sink reported failed (sum over sinks) */
    uint64_t sink_errors;     /* open/flush/reopen failures */
    uint64_t lost;            /* alerts still queued when the shutdown drain ended (sum) */
    uint64_t deduplicated;    /* repeats counted instead of queued */
    uint64_t dedup_summaries; /* summary alerts queued for them */
};

void skr_output_stats(struct skr_output *o, struct skr_output_stats *out);

/* One sink's account: offered = delivered + failed + dropped + lost + queued. */
struct skr_output_sink_stats {
    const char *name; /* valid until skr_output_free */
    uint64_t offered;
    uint64_t delivered;
    uint64_t failed;
    uint64_t dropped;
    uint64_t lost;
    uint64_t retries;
    uint64_t errors;
    uint64_t queued; /* queued or being written now */
    uint64_t capacity;
};

/* The account of sink i (0 .. skr_output_num_sinks - 1). Returns 0, or -ENOENT. */
int skr_output_sink_stats(struct skr_output *o, size_t i, struct skr_output_sink_stats *out);

/*
 * Appends {"pushed":..,"queue_drops":..,"dispatched":..,"sink_failures":..,"sink_errors":..,
 * "lost":..,"deduplicated":..,"dedup_summaries":..,"sinks":{"name":{"offered":..,
 * "delivered":..,"failed":..,"dropped":..,"lost":..,"retries":..,"errors":..,"queued":..,
 * "capacity":..,"policy":".."}}}.
 */
void skr_output_stats_json(struct skr_output *o, struct skr_strbuf *out);

/* ---- Formatting (also used by tests and the metrics snapshot alert) ------------------- */

/* Appends the alert as the configured line (text or JSON, no newline). */
void skr_output_format(const struct skr_output_cfg *cfg,
                       const saker_alert *a,
                       struct skr_strbuf *out);

/* "HH:MM:SS.nnnnnnnnn" local time, or ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000". */
void skr_output_format_time(uint64_t ts, bool iso8601, struct skr_strbuf *out);

/* Appends one typed value as text ("<NA>" when num_values is 0) or JSON. */
void skr_output_format_field(const saker_alert_field *f, bool json, struct skr_strbuf *out);

#endif /* SKR_OUTPUT_OUTPUT_H */
