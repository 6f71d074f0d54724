/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Saker's extensions to the plugin ABI.
 *
 * Each extension is a set of further optional plugin_<op> symbols that follow
 * the base API's conventions (ss_plugin_rc return codes, get_last_error,
 * plugin-owned results). A plugin without them is a plain Falco plugin; a
 * Falco host ignores them. A plugin that exports any symbol below must also
 * export plugin_get_required_saker_ext_version; the host checks it with the
 * base API's rule (same major, host minor.patch not older).
 *
 * <saker/plugin_api.h> includes this file; it also compiles on its own.
 */
#ifndef SAKER_PLUGIN_EXT_H
#define SAKER_PLUGIN_EXT_H

#include <saker/plugin_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef SAKER_STRINGIFY
#define SAKER_STRINGIFY_(x) #x
#define SAKER_STRINGIFY(x)  SAKER_STRINGIFY_(x)
#endif

/* The extension version this host offers. */
#define SAKER_EXT_VERSION_MAJOR 1
#define SAKER_EXT_VERSION_MINOR 2
#define SAKER_EXT_VERSION_PATCH 0
#define SAKER_EXT_VERSION_STR                \
    SAKER_STRINGIFY(SAKER_EXT_VERSION_MAJOR) \
    "." SAKER_STRINGIFY(SAKER_EXT_VERSION_MINOR) "." SAKER_STRINGIFY(SAKER_EXT_VERSION_PATCH)

/* ---- Extended field types ------------------------------------------------
 *
 * Besides the base FTYPE_* codes, a Saker host accepts these field types in
 * get_fields ("type" is the lower-case name). Codes are event-schema
 * parameter types. Values travel through the base ss_plugin_extract_field:
 *   - integers and ports: res.u64, widened; signed types sign-extended
 *     (read the slot as int64_t);
 *   - double: res.u64 holds the IEEE-754 bit pattern;
 *   - bytebuf: res.buf;
 *   - fspath: res.str (a string compared with path semantics).
 * A plugin using them cannot load in Falco, which knows only FTYPE_*.
 */
enum saker_field_type {
    SAKER_FTYPE_INT8 = 1,     /* "int8" */
    SAKER_FTYPE_INT16 = 2,    /* "int16" */
    SAKER_FTYPE_INT32 = 3,    /* "int32" */
    SAKER_FTYPE_INT64 = 4,    /* "int64" */
    SAKER_FTYPE_UINT8 = 5,    /* "uint8" */
    SAKER_FTYPE_UINT16 = 6,   /* "uint16" */
    SAKER_FTYPE_UINT32 = 7,   /* "uint32" */
    SAKER_FTYPE_BYTEBUF = 10, /* "bytebuf" */
    SAKER_FTYPE_FSPATH = 17,  /* "fspath" */
    SAKER_FTYPE_PORT = 22,    /* "port" (uint16) */
    SAKER_FTYPE_DOUBLE = 33,  /* "double" */
};

/*
 * Extra strings a field's "properties" array may hold (Falco ignores
 * unknown ones):
 *   "filter_only"  usable in conditions, not in outputs
 *   "print_only"   usable in outputs, not in conditions
 *   "deprecated"   the rules loader warns when it is used
 *   "no_rhs"       cannot be the right side of a field comparison, nor be
 *                  wrapped in a transformer
 * And one extra key of the "arg" object:
 *   "isDotted": true  the argument may also be written as a dotted suffix,
 *                     evt.arg.name meaning evt.arg[name]
 */

/* ---- Version of the extensions ------------------------------------------ */

/*
 * const char *plugin_get_required_saker_ext_version(void);
 *   Required when any symbol below is exported. Static "M.m.p".
 */

/* ---- Extraction results that last the event (extractors, since 1.1) --------
 *
 * The base API keeps the values extract_fields returns valid only until the
 * plugin's next extract_fields call, so a host that keeps them for the rest
 * of the event (conditions, then outputs) copies every string and buffer.
 * A plugin that keeps them longer says so, and the host reads them in place.
 */
/* The base API's rule: valid until the next extract_fields call. */
#define SAKER_EXTRACT_LIFETIME_CALL 0u
/* Valid until the plugin is handed another event (parse_event, or
 * extract_fields with another evtnum), next_batch is called, or destroy. */
#define SAKER_EXTRACT_LIFETIME_EVENT 1u

/*
 * uint32_t plugin_get_extract_lifetime(ss_plugin_t *s);
 *   Optional, extractors. Called once after init, from the loading thread.
 *   Returns SAKER_EXTRACT_LIFETIME_*; unknown values count as _CALL.
 */

/* ---- Event-type table (sources) -------------------------------------------
 *
 * A source whose events are not all of code 322 names its event codes, so
 * that rules can say evt.type = openat and the engine can file each rule
 * under the codes it can match.
 */
typedef struct saker_event_type {
    const char *name; /* "openat"; several rows may share a name */
    uint16_t code;    /* event code */
    uint8_t dir;      /* '>' enter, '<' exit, 0 neither */
    uint8_t reserved;
    uint32_t flags; /* SAKER_EVENT_TYPE_* */
} saker_event_type;

/* The code carries any syscall without an event of its own; its evt.type is the syscall name. */
#define SAKER_EVENT_TYPE_GENERIC (1u << 0)
/* Events the source emits whatever the interest (state it needs, process exit, ...). */
#define SAKER_EVENT_TYPE_ALWAYS (1u << 1)

/*
 * const saker_event_type *plugin_get_event_types(ss_plugin_t *s, uint32_t *num_types);
 *   Optional, sourcing. Called once after init, from the loading thread.
 *   Returns a plugin-owned array valid until destroy.
 */

/* ---- Event-type interest (sources) ----------------------------------------
 *
 * Before open, the host tells a source which events the loaded rules and
 * parsers can use, so the source can drop everything else at its origin
 * (the syscall source does it in the kernel).
 */
typedef struct saker_event_interest {
    uint32_t size;      /* sizeof(saker_event_interest) as the host filled it */
    ss_plugin_bool all; /* every event is of interest; the lists may be empty */
    uint32_t num_types; /* event codes of interest */
    const uint16_t *types;
    uint32_t num_names;       /* event-type names of interest, as in saker_event_type.name; */
    const char *const *names; /* this narrows generic codes to single syscalls */
} saker_event_interest;

/*
 * ss_plugin_rc plugin_set_event_interest(ss_plugin_t *s, const saker_event_interest *in);
 *   Optional, sourcing. Called after init and before open, from the source's
 *   thread; called again between two next_batch calls when the rules are
 *   reloaded. The input is host-owned and valid for the call only. A source
 *   may deliver more than asked for, never less.
 */

/* ---- Source prefilters (sources, since 1.2) --------------------------------
 *
 * After the event-type interest, the host tells a source what the loaded
 * rules need of some string fields of the source's own, so that it can drop
 * at its origin events no rule can match (the syscall source tests file paths
 * in the kernel). For each event code of interest and each rule filed under
 * it: a conjunction of clauses, each a disjunction of atoms
 * "field op constant". The rule can match an event only when every clause
 * holds; a rule without clauses constrains nothing; a clause without atoms
 * never holds. Which clauses to test, and how, is the source's choice; it may
 * ignore any of them, never drop an event a rule could match.
 */
#define SAKER_PREFILTER_EQ       1 /* the field equals value (=, ==, in) */
#define SAKER_PREFILTER_PREFIX   2 /* startswith */
#define SAKER_PREFILTER_SUFFIX   3 /* endswith */
#define SAKER_PREFILTER_CONTAINS 4 /* contains */
#define SAKER_PREFILTER_GLOB     5 /* glob: value is the pattern */
#define SAKER_PREFILTER_PMATCH   6 /* pmatch: value is one of the paths */

typedef struct saker_prefilter_atom {
    uint32_t field;    /* index into saker_prefilter.fields */
    uint32_t op;       /* SAKER_PREFILTER_* (unknown values: treat the clause as true) */
    const char *value; /* len bytes, NUL-terminated */
    uint32_t len;
} saker_prefilter_atom;

typedef struct saker_prefilter_clause {
    uint32_t num_atoms;
    const saker_prefilter_atom *atoms;
} saker_prefilter_clause;

typedef struct saker_prefilter_rule {
    uint32_t num_clauses;
    const saker_prefilter_clause *clauses;
    /* num_fields entries: the rule reads the field, in its condition or its output */
    const ss_plugin_bool *reads;
} saker_prefilter_rule;

typedef struct saker_prefilter_code {
    uint16_t code;
    /* Something besides the rules takes every event of this code (another plugin parses
     * it): do not drop any. */
    ss_plugin_bool any;
    uint32_t num_rules; /* the rules filed under the code */
    const saker_prefilter_rule *rules;
} saker_prefilter_code;

typedef struct saker_prefilter {
    uint32_t size;       /* sizeof(saker_prefilter) as the host filled it */
    uint32_t num_fields; /* the fields plugin_get_prefilter_fields named */
    const char *const *fields;
    uint32_t num_codes; /* codes not listed are not to be filtered */
    const saker_prefilter_code *codes;
} saker_prefilter;

/*
 * const char *const *plugin_get_prefilter_fields(ss_plugin_t *s, uint32_t *num_fields);
 *   Optional, sourcing; exported together with plugin_set_prefilter. Called once after
 *   init, from the loading thread. Names fields of the plugin's own get_fields (string
 *   fields without arguments for atoms; any field for "reads"). Plugin-owned, valid until
 *   destroy.
 *
 * ss_plugin_rc plugin_set_prefilter(ss_plugin_t *s, const saker_prefilter *pf);
 *   Optional, sourcing. Called after every successful plugin_set_event_interest call,
 *   from the same thread; with no codes when the interest is "all" (a capture keeps every
 *   event). The input is host-owned and valid for the call only. Replaces the previous
 *   prefilter; a source that is never called filters nothing.
 */

/* ---- Output sinks ----------------------------------------------------------
 *
 * A sink receives alerts. Symbols (open, write and close are required for
 * the capability; flush and reopen are optional):
 *
 * saker_sink_t *plugin_sink_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc);
 *   Called once, from the sink's own host thread, after init. params is the
 *   plugin's configured open_params ("" when none); the sink's settings come
 *   with init_config. Must set *rc; on failure the host reads get_last_error.
 *
 * ss_plugin_rc plugin_sink_write(ss_plugin_t *s, saker_sink_t *h, uint32_t num_alerts,
 *                                const saker_alert *const *alerts,
 *                                saker_sink_result *results);
 *   Called from the sink's thread with 1..N alerts in order. The sink fills
 *   results[i] for every alert (delivered or failed, and how many retries it
 *   took) before it returns; it may block while it delivers, which delays only
 *   this sink. Returning FAILURE marks every alert failed. Alerts and results
 *   are host-owned and valid for the call only: copy what you keep.
 *
 * ss_plugin_rc plugin_sink_flush(ss_plugin_t *s, saker_sink_t *h);
 *   Push out anything buffered. Called when the sink's queue runs empty and at
 *   shutdown, before close.
 *
 * ss_plugin_rc plugin_sink_reopen(ss_plugin_t *s, saker_sink_t *h);
 *   Reopen files or restart programs (log rotation, SIGUSR1).
 *
 * void plugin_sink_close(ss_plugin_t *s, saker_sink_t *h);
 *   Release the instance. Called once, last, after a final flush.
 */
typedef void saker_sink_t;

/* One value of an alert's output field; which member is set follows the field type. */
typedef struct saker_alert_value {
    union {
        uint64_t u64;              /* unsigned, reltime, abstime, port */
        int64_t s64;               /* signed integers */
        double d;                  /* double */
        ss_plugin_bool boolean;    /* bool */
        ss_plugin_byte_buffer buf; /* ipaddr, ipnet, bytebuf */
        struct {
            const char *ptr; /* NUL-terminated */
            uint32_t len;    /* bytes before the NUL */
        } str;               /* string, fspath */
    } v;
} saker_alert_value;

/* One output field of an alert, e.g. proc.name. */
typedef struct saker_alert_field {
    const char *name; /* as written in the output, argument included: "proc.aname[2]" */
    uint32_t type;    /* FTYPE_* or SAKER_FTYPE_* */
    ss_plugin_bool is_list;
    uint32_t num_values; /* 0: no value (rendered <NA> / null) */
    const saker_alert_value *values;
} saker_alert_field;

/* One alert. Grows only at the end; size says how much the host filled. */
typedef struct saker_alert {
    uint32_t size;     /* sizeof(saker_alert) as the host filled it */
    uint32_t priority; /* 0 emergency .. 7 debug (= syslog severity) */
    uint64_t ts;       /* event time, ns since the epoch */
    uint64_t seq;      /* alert number, unique and increasing within one run */
    const char *rule;
    const char *priority_name; /* "Warning" */
    const char *source;        /* "syscall", "k8s_audit", ..., "internal" */
    const char *hostname;
    const char *output; /* the rule's rendered output, without time and priority */
    const char *line;   /* the alert as the host formats it (text or JSON per config), no newline */
    uint32_t num_tags;
    const char *const *tags;
    uint32_t num_fields;
    const saker_alert_field *fields;
} saker_alert;

/* What a sink reports for one alert. */
typedef struct saker_sink_result {
    ss_plugin_rc rc;  /* SUCCESS: delivered; FAILURE: given up */
    uint32_t retries; /* attempts beyond the first */
} saker_sink_result;

#ifdef __cplusplus
}
#endif

#endif /* SAKER_PLUGIN_EXT_H */
