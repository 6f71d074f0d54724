/* SPDX-License-Identifier: Apache-2.0 */
/* Private to core/pipeline: the engine, its sources and the pieces they share. */
#ifndef SKR_PIPELINE_INT_H
#define SKR_PIPELINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "output/output.h"
#include "pipeline/capture.h"
#include "pipeline/pipeline.h"
#include "plugin/plugin.h"
#include "rules/rules.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/strbuf.h"

/* What an engine is built for: each mode needs a different part of the setup. */
enum skr_engine_mode {
    SKR_MODE_PLUGINS, /* load and check the plugins only (--list-plugins) */
    SKR_MODE_FIELDS,  /* + per-source instances and the field registry (--list) */
    SKR_MODE_RULES,   /* + the rules (-V) */
    SKR_MODE_RUN,     /* + outputs, capture: everything (run, --dry-run) */
};

/* A plugin of load_plugins, in load order. */
struct skr_lplugin {
    struct skr_plugin *p;
    const struct skr_plugin_cfg *cfg;
    bool used; /* some source or the outputs use it */
};

/* Metrics of a source looked at for drops (the first ones it reports). */
#define SKR_DROP_METRICS 32

/* Async events waiting for their source's thread. */
struct async_slot {
    uint8_t *buf;
    uint32_t cap;
    size_t plugin_idx;
};

enum source_state {
    SRC_IDLE,
    SRC_RUNNING,
    SRC_EOF,     /* the stream ended */
    SRC_STOPPED, /* asked to stop */
    SRC_FAILED,  /* stopped by an error */
};

/* One event source: its thread, its plugin instances, its tables and its counters. */
struct skr_source {
    struct skr_engine *eng;
    size_t idx; /* index in the engine's sources = the ruleset's source_idx */
    const char *name;
    size_t input;                  /* index of the sourcing plugin in eng->plugins */
    struct skr_plugin_inst *insts; /* per engine plugin; state NULL when not serving */
    size_t *parsers;               /* plugin indexes that parse this source, in load order */
    size_t nparsers;
    size_t *asyncs; /* plugin indexes sending async events into this source */
    size_t nasyncs;
    struct skr_tables *tables;
    ss_instance_t *handle;
    struct skr_capture_ident *idents; /* capture identity per plugin (input and async) */

    /* per-event inputs, prebuilt */
    ss_plugin_event_input in;
    ss_plugin_event_parse_input parse_in;
    ss_plugin_field_extract_input extract_in;
    ss_plugin_extract_field extract_field;
    const struct skr_capture_ident *cur_ident;
    uint64_t first_ts;
    bool have_first_ts;
    uint8_t *scratch; /* a fixed-up copy of an event (id, tid, ts) */
    uint32_t scratch_cap;
    struct skr_arena arena; /* per-event values, reset after each event */
    bool arena_used;
    struct skr_value vpool[256]; /* single values of an event, before the arena is needed */
    size_t vpool_used;

    /* rules */
    struct skr_ruleset *rs;
    uint64_t rs_gen;
    struct skr_eval_ctx *ectx;
    struct skr_strbuf render;
    saker_alert_field *afields;
    saker_alert_value *avalues;
    const char **atags;
    size_t acap_fields;
    size_t acap_values;
    size_t acap_tags;

    /* async queue (producers: any thread; consumer: this source's thread) */
    pthread_mutex_t async_lock;
    pthread_cond_t async_cond;
    struct async_slot *aq;
    size_t aq_cap;
    uint64_t aq_head;
    uint64_t aq_tail;
    bool async_on;

    /* routines of capture-listening plugins (routines.c), under async_lock */
    struct skr_routine *routines;

    /* capture */
    struct skr_capture_buf cbuf;
    const struct skr_capture_ident **cap_keys; /* nplugins + 1 entries: ident -> ref cache */
    int *cap_refs;

    /* thread and state */
    pthread_t thread;
    bool thread_started;
    _Atomic int state;
    char error[SKR_ERR_MSG_MAX];

    /* counters: written by this source's thread, read by anyone */
    _Atomic uint64_t n_events;
    _Atomic uint64_t n_async;
    _Atomic uint64_t n_async_drops;
    _Atomic uint64_t n_source_drops;
    _Atomic uint64_t n_parse_errors;
    _Atomic uint64_t n_extract_errors;
    _Atomic uint64_t n_alerts;
    uint64_t evtnum;

    /* drops reported by the source plugin (metrics n_drops / n_evts); the settings are
     * copied at setup as the source thread must not read a configuration a reload replaces */
    struct skr_drops_cfg drops_cfg;
    uint64_t drops_last_check_ns;
    uint64_t drop_prev[SKR_DROP_METRICS]; /* last value of each metric, by position */
    double drop_tokens;

    /* the input plugin's metrics as last read (about once a second), for the snapshots */
    pthread_mutex_t pm_lock;
    uint32_t npm;
    char pm_names[SKR_DROP_METRICS][64];
    char pm_vals[SKR_DROP_METRICS][32]; /* as JSON numbers */

    struct skr_complaint c_parse;
    struct skr_complaint c_extract;
    struct skr_complaint c_alert;
};

struct skr_metrics {
    pthread_mutex_t lock;
    struct rule_count *by_rule; /* uthash by name */
    _Atomic uint64_t by_priority[8];
    _Atomic uint64_t matches;
    uint64_t start_ns;
};

struct skr_engine {
    const struct skr_app_opts *opts;
    struct skr_cfg *cfg;
    enum skr_engine_mode mode;
    bool replay;

    struct skr_lplugin *plugins;
    size_t nplugins;
    struct skr_plugin **sink_plugins; /* built-in and configured sinks (owned) */
    size_t nsink_plugins;

    struct skr_registry *reg;
    struct skr_source **sources;
    size_t nsources;
    const char **source_names;

    /* rules: the current ruleset, swapped under lock on reload */
    pthread_mutex_t rs_lock;
    struct skr_ruleset *rs;
    _Atomic uint64_t rs_gen;
    struct skr_diags *diags;
    const char **rule_paths;
    size_t nrule_paths;

    struct skr_output *out;
    struct skr_capture_writer *cw;
    struct skr_metrics metrics;
    char hostname[256];

    _Atomic bool stop;
    _Atomic bool fatal; /* an exit action fired */
    int notify_fd;      /* eventfd: a source ended */

    /* replay (-e) */
    struct skr_capture_reader *reader;
    pthread_t replay_thread;
    bool replay_started;
    _Atomic bool replay_failed;
    char replay_error[SKR_ERR_MSG_MAX];

    /* configurations replaced by reloads, kept while the engine lives */
    struct skr_cfg **retired;
    size_t nretired;
};

/* setup.c */
/* Builds an engine for mode; takes ownership of cfg (also on failure). */
int skr_engine_new(const struct skr_app_opts *opts,
                   struct skr_cfg *cfg,
                   enum skr_engine_mode mode,
                   struct skr_engine **out,
                   struct skr_err *err);
void skr_engine_free(struct skr_engine *e);
/* Loads rules from paths (NULL: the configured/-r ones) into *rs. */
int skr_engine_load_rules(struct skr_engine *e,
                          const char *const *paths,
                          size_t npaths,
                          struct skr_ruleset **rs,
                          struct skr_diags *diags,
                          struct skr_err *err);
/* Builds the event interest of source s from the ruleset and the parsers. */
int skr_engine_interest(struct skr_engine *e,
                        struct skr_source *s,
                        struct skr_ruleset *rs,
                        saker_event_interest *in,
                        uint16_t **types_out);
/* Builds the source prefilter of s for the interest in (in arena); an empty one when the
 * source plugin asks about no fields or the interest is "all". */
int skr_engine_prefilter(struct skr_engine *e,
                         struct skr_source *s,
                         struct skr_ruleset *rs,
                         const saker_event_interest *in,
                         struct skr_arena *a,
                         saker_prefilter *out);
/* The rules host over the engine's registry and plugins. */
void skr_engine_rules_host(struct skr_engine *e, struct skr_rules_host *h);

/* source.c */
int skr_source_start(struct skr_source *s, struct skr_err *err);
void skr_source_join(struct skr_source *s);
/* Processes one event of s (any thread that owns s). ident says who produced it. */
void skr_source_event(struct skr_source *s,
                      const ss_plugin_event *evt,
                      const struct skr_capture_ident *ident);
/* Checks a replayed event as live ones are checked; *out is evt or a fixed copy. */
int skr_source_check_replayed(struct skr_source *s,
                              const ss_plugin_event *evt,
                              const ss_plugin_event **out,
                              char *why,
                              size_t why_len);
ss_plugin_rc skr_source_on_async(void *user,
                                 struct skr_plugin_inst *inst,
                                 const ss_plugin_event *evt,
                                 char *err);
/* Takes the engine's current ruleset when it changed (and tells the source). */
void skr_source_sync_rules(struct skr_source *s);
/* Starts async producers of s (handler set) / stops them (handler NULL). */
void skr_source_async_start(struct skr_source *s);
void skr_source_async_stop(struct skr_source *s);
/* Processes queued async events. */
void skr_source_drain_async(struct skr_source *s);
const char *skr_source_state_name(int state);
void skr_source_fail(struct skr_source *s, const char *fmt, ...) SKR_PRINTF(2, 3);

/* routines.c: capture listening around the stream of a source */
void skr_source_capture_open(struct skr_source *s);
void skr_source_capture_close(struct skr_source *s);

/* replay.c */
int skr_replay_open(struct skr_engine *e, const char *path, struct skr_err *err);
int skr_replay_start(struct skr_engine *e, struct skr_err *err);
void skr_replay_join(struct skr_engine *e);

/* run.c */
/* Runs until every source ended or a stop signal; may replace *pe on a restart. Returns the
 * exit code. */
int skr_engine_run(struct skr_engine **pe, const struct skr_app_opts *opts);

/* extract.c */
int skr_extract(void *user,
                const struct skr_extract_req *req,
                const struct skr_value **vals,
                uint32_t *nvals);

/* metrics.c */
void skr_metrics_init(struct skr_metrics *m);
void skr_metrics_fini(struct skr_metrics *m);
void skr_metrics_rule_match(struct skr_metrics *m, const char *rule, int priority);
/* One JSON line (no newline) of every counter. */
void skr_metrics_json(struct skr_engine *e, bool final, struct skr_strbuf *out);
/* Writes a snapshot where metrics go (metrics.output_file or stderr), and as an internal alert
 * when metrics.output_rule is set. */
void skr_metrics_emit(struct skr_engine *e, bool final);

uint64_t skr_now_ns(void);
uint64_t skr_mono_ns(void);

#endif /* SKR_PIPELINE_INT_H */
