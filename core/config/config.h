/* SPDX-License-Identifier: Apache-2.0 */
/*
 * saker.yaml: loading, includes, -o overrides and option tables.
 *
 * A configuration is assembled as Falco does it (spec config.md §1): the main
 * file (or the embedded default), -o config_files overrides, the included
 * files merged in order with their strategy, then every other -o override.
 * The merged tree is checked against the option tables: each option has a
 * name (a dotted key path), a type, a default written as YAML, the offset of
 * its value in struct skr_config and a description. Defaults live only in
 * those tables; the shipped saker.yaml states each of them and a test checks
 * that it does. An unknown key, a wrong type or bad YAML is an error naming
 * the file, line, column and key path.
 *
 * Falco keys Saker does not implement are accepted with a warning, so a
 * falco.yaml loads; they are listed in the tables with SKR_OPT_COMPAT.
 *
 * Memory: every string and array reachable from struct skr_config lives in
 * the struct skr_cfg that holds it and is valid until skr_config_free().
 * A loaded configuration is immutable and may be read from any thread.
 */
#ifndef SKR_CONFIG_CONFIG_H
#define SKR_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/tree.h"
#include "util/err.h"
#include "util/strbuf.h"

/* ---- Values --------------------------------------------------------------------- */

struct skr_strlist {
    const char **v;
    size_t n;
};

/* One entry of plugins:. */
struct skr_plugin_cfg {
    const char *name;
    const char *library_path;
    const char *init_config; /* "" when absent; a YAML map becomes compact JSON */
    const char *open_params; /* trimmed; "" when absent */
    const char *file;        /* where the entry was written, for messages */
    unsigned line;
    unsigned col;
};

/* One entry of rules: (enable or disable rules by name or tag). */
struct skr_rule_sel_cfg {
    bool enable;
    bool by_tag;
    const char *pattern;
};

enum skr_queue_policy {
    SKR_QUEUE_DROP = 0,        /* a full queue drops the new alert and counts it */
    SKR_QUEUE_BLOCK = 1,       /* a full queue makes the source wait for room, up to a bound */
    SKR_QUEUE_DROP_OLDEST = 2, /* a full queue drops its oldest alert and counts it */
};

/* One entry of outputs_queue.sinks: the queue settings of one sink. */
struct skr_sink_queue_cfg {
    const char *sink; /* the sink's name (stdout, file, syslog, http, program, a plugin's) */
    bool has_capacity;
    bool has_policy;
    bool has_block_timeout;
    uint64_t capacity;         /* else outputs_queue.capacity */
    int policy;                /* enum skr_queue_policy; else outputs_queue.policy */
    uint64_t block_timeout_ms; /* else outputs_queue.block_timeout */
    const char *file;          /* where the entry was written, for messages */
    unsigned line;
    unsigned col;
};

/* Sink sections whose keys reach the sink plugins as their init config (see options_output.c). */
struct skr_sink_sections_cfg {
    int file_fsync; /* index of never, flush, always */
    bool syslog_enabled;
    int syslog_transport; /* index of local, udp, tcp */
    const char *syslog_socket;
    const char *syslog_host;
    uint64_t syslog_port;
    int syslog_facility; /* index of the facility names (kern .. local7) */
    const char *syslog_ident;
    int syslog_format; /* index of auto, rfc5424, rfc3164 */
    uint64_t syslog_timeout_ms;
    bool program_enabled;
    bool program_keep_alive;
    const char *program_program;
    uint64_t program_max_retries;
    uint64_t program_timeout_ms;
    bool http_enabled;
    const char *http_url;
    const char *http_user_agent;
    bool http_insecure;
    const char *http_ca_cert;
    const char *http_ca_bundle;
    const char *http_ca_path;
    bool http_mtls;
    const char *http_client_cert;
    const char *http_client_key;
    bool http_echo;
    bool http_compress_uploads;
    bool http_keep_alive;
    uint64_t http_max_consecutive_timeouts;
    struct skr_strlist http_headers;
    uint64_t http_timeout_ms;
    uint64_t http_connect_timeout_ms;
    uint64_t http_max_retries;
    uint64_t http_retry_backoff_ms;
    uint64_t http_retry_backoff_max_ms;
    uint64_t http_batch_size;
};

/* Alert formatting and the built-in sink sections (owned by core/output). */
struct skr_output_cfg {
    bool json_output;
    bool json_include_output_property;
    bool json_include_message_property;
    bool json_include_output_fields_property;
    bool json_include_tags_property;
    bool time_format_iso_8601;
    bool stdout_enabled;
    bool file_enabled;
    bool file_keep_alive;
    const char *file_filename;
    uint64_t queue_capacity;
    int queue_policy;                /* enum skr_queue_policy */
    uint64_t queue_block_timeout_ms; /* longest wait of a source on a full blocking queue */
    uint64_t queue_drain_timeout_ms; /* at shutdown, how long sinks may deliver what is queued */
    uint64_t output_timeout_ms;      /* a sink write slower than this is logged */
    struct skr_sink_queue_cfg *sink_queues; /* outputs_queue.sinks */
    size_t num_sink_queues;
    uint64_t dedup_window_ms; /* 0: no deduplication */
    uint64_t dedup_max_keys;  /* distinct alerts tracked at once */
    struct skr_sink_sections_cfg sinks;
};

/* Periodic metrics (core/pipeline). */
struct skr_metrics_cfg {
    bool enabled;
    uint64_t interval_ms;
    bool output_rule;
    const char *output_file; /* "" means stderr */
};

/* Internal alerts for events a source reports as dropped (core/pipeline). */
#define SKR_DROP_ACTION_LOG   (1u << 0)
#define SKR_DROP_ACTION_ALERT (1u << 1)
#define SKR_DROP_ACTION_EXIT  (1u << 2)

struct skr_drops_cfg {
    double threshold;   /* drops/events ratio above which the actions run */
    unsigned actions;   /* SKR_DROP_ACTION_*; 0 = ignore */
    double rate;        /* tokens per second of the rate limiter */
    uint64_t max_burst; /* bucket size */
};

/* One append_output entry (Falco's key): more output for the rules it matches. */
struct skr_append_output_cfg {
    const char *source;       /* match.source, or NULL: any */
    const char *rule;         /* match.rule, or NULL: any */
    struct skr_strlist tags;  /* match.tags: the rule must have them all */
    const char *extra_output; /* text appended to the output, or NULL */
    /* extra_fields: a field expression (name NULL) or {name: format} */
    const char **extra_fields;
    const char **extra_field_names;
    size_t num_extra_fields;
    bool suggested_output; /* append every plugin field flagged addOutput as name=%field */
};

struct skr_config {
    struct skr_strlist rules_files;
    struct skr_strlist rules_file_alias; /* deprecated singular key */
    struct skr_rule_sel_cfg *rules;
    size_t num_rules;
    int rule_matching_all;
    int priority; /* 0 emergency .. 7 debug: rules below are not loaded */

    const char *plugins_dir;
    struct skr_plugin_cfg *plugins;
    size_t num_plugins;
    struct skr_strlist load_plugins; /* empty: every configured plugin */

    int log_level; /* enum skr_log_level */
    bool log_stderr;

    struct skr_output_cfg output;
    struct skr_metrics_cfg metrics;
    struct skr_drops_cfg drops;

    struct skr_append_output_cfg *append_output;
    size_t num_append_output;
};

/* ---- Option tables ------------------------------------------------------------------ */

enum skr_opt_type {
    SKR_OPT_BOOL,     /* bool */
    SKR_OPT_INT,      /* int64_t */
    SKR_OPT_UINT,     /* uint64_t */
    SKR_OPT_DOUBLE,   /* double */
    SKR_OPT_STRING,   /* const char * */
    SKR_OPT_STRLIST,  /* struct skr_strlist */
    SKR_OPT_PRIORITY, /* int 0..7, Falco's priority names */
    SKR_OPT_LOGLEVEL, /* int 0..7, Falco's log_level names */
    SKR_OPT_DURATION, /* uint64_t ms: "5000", "100ms", "30s", "1h30m" */
    SKR_OPT_ENUM,     /* int: index in choices */
    SKR_OPT_CUSTOM,   /* set() does the work */
};

#define SKR_OPT_COMPAT (1u << 0) /* a Falco key Saker accepts and ignores (whole subtree) */
#define SKR_OPT_HIDDEN (1u << 1) /* accepted but not in the shipped file nor the listing */

struct skr_cfg_ctx;
struct skr_opt;

/* Custom setter: base is the struct skr_config being filled (o->offset locates the value). */
typedef int (*skr_opt_set_fn)(struct skr_cfg_ctx *c,
                              const struct skr_opt *o,
                              const struct skr_cnode *n,
                              void *base,
                              struct skr_err *err);

struct skr_opt {
    const char *name; /* dotted key path */
    enum skr_opt_type type;
    const char *def; /* the default, as YAML text (NULL for SKR_OPT_COMPAT) */
    size_t offset;   /* of the value in struct skr_config */
    unsigned flags;
    const char *desc;
    const char *const *choices; /* SKR_OPT_ENUM: NULL-terminated */
    skr_opt_set_fn set;         /* SKR_OPT_CUSTOM */
};

struct skr_opt_table {
    const char *component;
    const struct skr_opt *opts;
    size_t num_opts;
};

/* Every option table, NULL-terminated. */
const struct skr_opt_table *const *skr_config_tables(void);

/* ---- Loading ---------------------------------------------------------------------- */

struct skr_config_input {
    const char *path; /* the main file; NULL: use text */
    const char *text; /* embedded default config (when path is NULL) */
    size_t text_len;
    const char *text_name;        /* what errors call the embedded text */
    const char *const *overrides; /* "key=value" (-o), applied in order */
    size_t num_overrides;
    bool no_includes; /* check config_files but do not read them (fuzzing) */
};

/* A loaded configuration: the merged tree and the values. */
struct skr_cfg {
    struct skr_cdoc *doc;
    struct skr_cnode *root;
    struct skr_config v;
    struct skr_strlist files; /* every file read, the main one first */
};

/*
 * Loads, merges, overrides and checks. On success *out is a new
 * configuration (free with skr_config_free). On failure err says where and
 * why; nothing is allocated.
 */
int skr_config_load(const struct skr_config_input *in, struct skr_cfg **out, struct skr_err *err);
void skr_config_free(struct skr_cfg *c);

/* The options whose name starts with section + "." except those in exclude
 * (NULL-terminated), as a compact JSON object of their values (keys without
 * the section prefix, nested by dots). Caller frees. NULL when out of memory. */
char *skr_config_section_json(const struct skr_cfg *c,
                              const char *section,
                              const char *const *exclude);

/* A tree as compact JSON (plain scalars typed: null, booleans, numbers). Caller frees. */
char *skr_cnode_to_json(const struct skr_cnode *n);

/* Appends the option listing (name, type, default, description; or JSON). */
void skr_config_list(bool json, struct skr_strbuf *out);

/*
 * Checks a configuration file against the tables: every option (except
 * compat and hidden ones) is present and set to its default, and no other
 * key is present. Appends one line per difference to out. Returns the
 * number of differences, or a negative errno when the file does not load.
 */
int skr_config_check_defaults(const char *text,
                              size_t len,
                              const char *name,
                              struct skr_strbuf *out,
                              struct skr_err *err);

/* Parses an -o key path ("plugins[0].init_config", backslash escapes) into
 * segments: index < 0 marks a key. Exposed for tests. */
struct skr_keyseg {
    const char *key;
    long index;
};
int skr_config_parse_keypath(struct skr_cdoc *d,
                             const char *path,
                             size_t len,
                             struct skr_keyseg **segs,
                             size_t *nsegs);

/* Priority names: "emergency".."debug" (as rules spell them), and the output spelling
 * ("Emergency".."Debug", "Informational"). Parse accepts both and "info". */
int skr_cfg_priority_parse(const char *s, int *out);
const char *skr_cfg_priority_name(int prio);

/* Parses a duration: "5000" (ms), "100ms", "30s", "2m", "1h30m", "1d", "1w", "1y". */
int skr_duration_parse_ms(const char *s, uint64_t *out);

#endif /* SKR_CONFIG_CONFIG_H */
