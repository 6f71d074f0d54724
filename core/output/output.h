/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert delivery: a registry of sink plugins, one bounded alert queue with
 * an explicit full policy, and a dispatcher thread that formats each alert
 * (Falco's text line or JSON object) and hands it to every sink through the
 * sink extension of the plugin ABI. Nothing is dropped silently: a full
 * queue, a failed write and a sink that cannot open are counted.
 *
 * Threads: skr_output_push may be called from any number of source
 * threads. Sinks are opened, written, flushed, reopened and closed only from
 * the dispatcher thread.
 *
 * Lifecycle: skr_output_new -> skr_output_add_sink... -> skr_output_start
 * -> push... -> skr_output_stop (drains the queue, flushes and closes every
 * sink) -> skr_output_free.
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
 * A new output. cfg (borrowed, must outlive the output) says how alerts are
 * formatted and how the queue behaves; hostname is copied.
 */
struct skr_output *skr_output_new(const struct skr_output_cfg *cfg,
                                  const char *hostname,
                                  struct skr_err *err);

/*
 * Registers a sink: inits a state of p (which must have the sink capability)
 * with init_config, from the calling thread. open_params is passed to
 * plugin_sink_open when the output starts. p is borrowed and must outlive
 * the output. name labels the sink in metrics ("stdout", "file", or the
 * plugin name).
 */
int skr_output_add_sink(struct skr_output *o,
                        struct skr_plugin *p,
                        const char *name,
                        const char *init_config,
                        const char *open_params,
                        struct skr_err *err);

size_t skr_output_num_sinks(const struct skr_output *o);

/* Starts the dispatcher, which opens every sink; fails when a sink does not open. */
int skr_output_start(struct skr_output *o, struct skr_err *err);

/*
 * Queues one alert. The alert and everything it points to are borrowed for
 * the call (copied into the queue); size, seq, line and hostname are filled
 * by the output. Returns 0, or -EAGAIN when the queue was full and the
 * policy dropped it (counted), or -ESHUTDOWN after stop.
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

/* Asks the dispatcher to reopen every sink (SIGUSR1). Thread-safe, returns at once. */
void skr_output_reopen(struct skr_output *o);

/* Waits until every queued alert has been handed to the sinks and flushed. */
void skr_output_drain(struct skr_output *o);

/* Drains, flushes, closes every sink and joins the dispatcher. Idempotent. */
void skr_output_stop(struct skr_output *o);

void skr_output_free(struct skr_output *o);

/* Counters. */
struct skr_output_stats {
    uint64_t pushed;        /* alerts accepted into the queue */
    uint64_t queue_drops;   /* alerts dropped because the queue was full */
    uint64_t dispatched;    /* alerts handed to the sinks */
    uint64_t sink_failures; /* alert deliveries a sink reported failed (sum over sinks) */
    uint64_t sink_errors;   /* open/flush/reopen failures */
};

void skr_output_stats(struct skr_output *o, struct skr_output_stats *out);

/* Appends {"pushed":..,"queue_drops":..,...,"sinks":{"name":{"delivered":..,"failed":..}}}. */
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
