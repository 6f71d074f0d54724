/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule engine: loads Falco rules files, compiles conditions and outputs
 * against the fields a host offers, files every rule under the event codes it
 * can match, and evaluates events.
 *
 * The engine knows nothing of plugins, threads or outputs. Everything it
 * needs from the outside comes through two small interfaces:
 *   - struct skr_rules_host, at load time: which sources exist, which fields
 *     each source has, which event codes an evt.type name means, which plugin
 *     versions are loaded;
 *   - skr_extract_fn, at evaluation time: the values of one field of the
 *     current event.
 *
 * Threading: a compiled ruleset is immutable and may be shared by any number
 * of threads (reference counted; hot reload swaps rulesets). Each evaluating
 * thread owns a struct skr_eval_ctx (scratch and the per-event field cache).
 *
 * This header is the contract between the engine and core/pipeline. Changes
 * are additive.
 */
#ifndef SKR_RULES_RULES_H
#define SKR_RULES_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/strbuf.h"

/* The rule engine version, compared with required_engine_version (Falco's scale). */
#define SKR_ENGINE_VERSION_MAJOR 0
#define SKR_ENGINE_VERSION_MINOR 63
#define SKR_ENGINE_VERSION_PATCH 0
#define SKR_ENGINE_VERSION_STR   "0.63.0"

/* ---- Fields -------------------------------------------------------------------- */

/* Field types. The numbers equal the plugin ABI's FTYPE_* / SAKER_FTYPE_* codes. */
enum skr_ftype {
    SKR_FT_INT8 = 1,
    SKR_FT_INT16 = 2,
    SKR_FT_INT32 = 3,
    SKR_FT_INT64 = 4,
    SKR_FT_UINT8 = 5,
    SKR_FT_UINT16 = 6,
    SKR_FT_UINT32 = 7,
    SKR_FT_UINT64 = 8,
    SKR_FT_STRING = 9, /* charbuf */
    SKR_FT_BYTEBUF = 10,
    SKR_FT_FSPATH = 17,
    SKR_FT_RELTIME = 20,
    SKR_FT_ABSTIME = 21,
    SKR_FT_PORT = 22,
    SKR_FT_BOOL = 25,
    SKR_FT_DOUBLE = 33,
    SKR_FT_IPADDR = 40,
    SKR_FT_IPNET = 41,
};

/* skr_field_desc.flags */
#define SKR_FIELD_LIST        (1u << 0) /* yields 0..N values */
#define SKR_FIELD_FILTER_ONLY (1u << 1) /* not allowed in outputs */
#define SKR_FIELD_PRINT_ONLY  (1u << 2) /* not allowed in conditions */
#define SKR_FIELD_DEPRECATED  (1u << 3) /* loader warns when used */
#define SKR_FIELD_NO_RHS      (1u << 4) /* not a comparison's right side, not transformable */
#define SKR_FIELD_HIDDEN      (1u << 5) /* not listed */

/* skr_field_desc.arg_flags */
#define SKR_ARG_ALLOWED  (1u << 0) /* the field takes an argument */
#define SKR_ARG_REQUIRED (1u << 1) /* ... and needs one */
#define SKR_ARG_INDEX    (1u << 2) /* a numeric [N] argument is accepted */
#define SKR_ARG_KEY      (1u << 3) /* a string [key] argument is accepted */
#define SKR_ARG_DOTTED   (1u << 4) /* the argument may be written as a .suffix */

/* A field as the host describes it. Strings are host memory, valid while the host lives. */
struct skr_field_desc {
    const char *name;   /* canonical name, without argument: "evt.arg" */
    uint32_t id;        /* the host's handle, passed back in skr_extract_req */
    uint32_t type;      /* enum skr_ftype */
    uint32_t flags;     /* SKR_FIELD_* */
    uint32_t arg_flags; /* SKR_ARG_* */
    /* Relative cost of extracting it, for ordering the operands of "and"/"or" (0 when
     * unknown): 0 for the fields of the plugin that produces the source's events, 1 for
     * fields another plugin computes (often from shared tables). */
    uint32_t cost;
};

/* ---- Load-time host interface ------------------------------------------------- */

struct skr_rules_host {
    void *user;

    /* True when events of this source can exist (a loaded plugin provides it). Rules of
     * other sources are kept but not compiled (Falco's "unknown source" behaviour). */
    bool (*has_source)(void *user, const char *source);

    /* Resolves the field written as token[0..len) (e.g. "proc.name", "evt.arg.fd",
     * "ka.req.pod.containers.image") for source. On success fills *out and sets
     * *name_len to the number of leading bytes that name the field; when shorter than
     * len, the rest is ".suffix", a dotted argument (the field must allow it). Returns 0
     * or -ENOENT. */
    int (*lookup_field)(void *user,
                        const char *source,
                        const char *token,
                        size_t len,
                        struct skr_field_desc *out,
                        size_t *name_len);

    /* The event codes an evt.type value names for source (an event name, a syscall name,
     * an async event name). Writes up to max codes, returns how many exist (0: unknown
     * name). NULL when the source has no event-type table. */
    size_t (*event_codes)(void *user,
                          const char *source,
                          const char *name,
                          uint16_t *codes,
                          size_t max);

    /* Version string of the loaded plugin named name, or NULL when none is loaded. */
    const char *(*plugin_version)(void *user, const char *name);

    /* Optional: how many distinct event codes the source has (its event-type table plus
     * the async code). Used to count "every code but these" sets for the LOAD_NO_EVTTYPE
     * warning; NULL or 0 means unknown (65536 is assumed). */
    size_t (*event_code_count)(void *user, const char *source);

    /* Optional: the distinct evt.type names of event code for source (a code can stand for
     * several names: generic syscall events). Writes up to max names, returns how many
     * exist. With it, an evt.type test whose every code stands only for names it lists is
     * decided from the event code, without extracting evt.type. */
    size_t (*event_code_names)(void *user,
                               const char *source,
                               uint16_t code,
                               const char **names,
                               size_t max);
};

/* One rules: selection entry from the config (applied in order after all files). */
struct skr_rules_selection {
    bool enable;         /* enable or disable */
    bool by_tag;         /* match tags instead of rule names */
    const char *pattern; /* rule name with '*' wildcards, or a tag */
};

/* A falco.yaml append_output entry: more output for the rules it matches. The host
 * expands suggested_output itself, into extra_output text (" name=%field" for each field a
 * plugin flags addOutput) on entries whose source is that plugin's. */
struct skr_append_output {
    const char *source;      /* only rules of this source (NULL or "": any) */
    const char *rule;        /* only the rule of this name (NULL or "": any) */
    const char *const *tags; /* only rules having every one of these tags */
    size_t num_tags;
    const char *extra_output; /* appended to the output text as " " + extra_output, or NULL */
    /* Output fields added to the rendered fields only, not to the text. With
     * extra_field_names NULL, or its entry NULL, extra_fields[k] is a field expression
     * ("evt.hostname", "toupper(user.name)"); otherwise the field is named
     * extra_field_names[k] and its value is the string the format extra_fields[k] renders
     * ("${HOME}" already expanded, "%proc.name on %evt.cpu"). */
    const char *const *extra_fields;
    const char *const *extra_field_names;
    size_t num_extra_fields;
};

struct skr_rules_load_opts {
    const char *const *paths; /* rules files and folders (*.yaml / *.yml, sorted), in order */
    size_t num_paths;
    const char *const *sources; /* the sources events come from; a source's index here is
                                   the source_idx of skr_ruleset_eval */
    size_t num_sources;
    int min_priority; /* 0 emergency .. 7 debug: rules below are not loaded */
    bool match_all;   /* rule_matching: all (else first) */
    const struct skr_rules_selection *selection;
    size_t num_selection;
    const struct skr_rules_host *host;
    /* Check syntax only: parse conditions and outputs, expand lists, exceptions and macros,
     * but bind no field (every source is accepted and no rule is enabled). For linting rules
     * files without their plugins. */
    bool syntax_only;
    /* append_output entries, applied in order to every rule they match. */
    const struct skr_append_output *append_output;
    size_t num_append_output;
};

/* ---- Diagnostics ------------------------------------------------------------------ */

enum skr_diag_severity {
    SKR_DIAG_ERROR,
    SKR_DIAG_WARNING
};

struct skr_diag {
    enum skr_diag_severity severity;
    const char *code; /* Falco's code: "LOAD_ERR_COMPILE_CONDITION", "LOAD_UNUSED_MACRO"... */
    const char *file;
    unsigned line, col;    /* 1-based; 0 when unknown */
    const char *item_kind; /* "rule", "macro", "list", ... or NULL */
    const char *item_name; /* or NULL */
    const char *message;
    const char *snippet; /* the offending text, or NULL */
};

/* Every error and warning of a load, in the order found. Owned by the caller. */
struct skr_diags;

struct skr_diags *skr_diags_new(void);
void skr_diags_free(struct skr_diags *d);
size_t skr_diags_count(const struct skr_diags *d);
const struct skr_diag *skr_diags_get(const struct skr_diags *d, size_t i);
size_t skr_diags_errors(const struct skr_diags *d);
/* Text (one "file:line:col: severity code: item 'name': message" line each) or JSON in
 * the shape of Falco's -V JSON result. */
void skr_diags_format(const struct skr_diags *d, bool json, struct skr_strbuf *out);

/* ---- Rulesets ---------------------------------------------------------------------- */

struct skr_ruleset;
struct skr_rule;

/*
 * Loads and compiles. On success returns 0 and *out (refcount 1). Returns a
 * negative errno when any error was found; diags (may be NULL) receives every
 * error and warning either way.
 */
int skr_rules_load(const struct skr_rules_load_opts *opts,
                   struct skr_ruleset **out,
                   struct skr_diags *diags);

struct skr_ruleset *skr_ruleset_ref(struct skr_ruleset *rs);
void skr_ruleset_unref(struct skr_ruleset *rs);

/* Enabled, compiled rules (for metrics arrays: indexes 0..count-1). */
size_t skr_ruleset_rule_count(const struct skr_ruleset *rs);
const struct skr_rule *skr_ruleset_rule(const struct skr_ruleset *rs, size_t idx);

const char *skr_rule_name(const struct skr_rule *r);
size_t skr_rule_index(const struct skr_rule *r);
int skr_rule_priority(const struct skr_rule *r); /* 0..7 */
const char *skr_rule_source(const struct skr_rule *r);
size_t skr_rule_tag_count(const struct skr_rule *r);
const char *skr_rule_tag(const struct skr_rule *r, size_t i); /* sorted, unique */

/*
 * The events the rules of source_idx can match: fills the bitmap codes
 * (65536 bits, caller memory) and sets *all when some rule matches every
 * event code. Names (for generic syscalls) through skr_ruleset_event_names.
 */
void skr_ruleset_event_codes(const struct skr_ruleset *rs,
                             size_t source_idx,
                             uint8_t *bitmap,
                             bool *all);
/* The evt.type names the rules of source_idx mention, NULL-terminated, ruleset-owned. */
const char *const *skr_ruleset_event_names(const struct skr_ruleset *rs, size_t source_idx);

/* ---- Source prefilters ----------------------------------------------------------------
 * What the rules filed under one event code need of some string fields, so that a source
 * can drop at its origin the events no rule can match (prefilter.c). For each rule, a
 * conjunction of clauses, each a disjunction of atoms "field op constant": the rule can
 * match an event only when every clause holds. A rule without clauses constrains nothing;
 * a clause without atoms never holds (the rule cannot match).
 */
enum skr_pf_op {
    SKR_PF_EQ = 1,   /* =, == and in */
    SKR_PF_PREFIX,   /* startswith */
    SKR_PF_SUFFIX,   /* endswith */
    SKR_PF_CONTAINS, /* contains */
    SKR_PF_GLOB,     /* glob */
    SKR_PF_PMATCH,   /* pmatch */
};

struct skr_pf_atom {
    uint32_t field; /* index into the field list asked about */
    uint32_t op;    /* enum skr_pf_op */
    const uint8_t *val;
    uint32_t len;
};

struct skr_pf_clause {
    uint32_t natoms;
    struct skr_pf_atom *atoms;
};

struct skr_pf_rule {
    uint32_t nclauses;
    struct skr_pf_clause *clauses;
    bool *reads; /* per asked field: the rule reads it (condition or output) */
};

struct skr_pf_code {
    uint32_t nrules; /* rules filed under the code, in evaluation order */
    struct skr_pf_rule *rules;
};

/*
 * Projects the rules of source_idx filed under code onto the fields field_ids (handles of
 * string fields without arguments). Results live in arena, which must outlive their use,
 * and point into the ruleset for constants. Returns 0 or a negative errno.
 */
struct skr_arena;

int skr_ruleset_prefilter(const struct skr_ruleset *rs,
                          size_t source_idx,
                          uint16_t code,
                          const uint32_t *field_ids,
                          size_t nfields,
                          struct skr_arena *arena,
                          struct skr_pf_code *out);

/* ---- Evaluation --------------------------------------------------------------------- */

/* One field request. Pointers are ruleset memory, valid while the ruleset lives. */
struct skr_extract_req {
    uint32_t field_id; /* skr_field_desc.id */
    uint32_t type;     /* enum skr_ftype */
    bool is_list;
    bool arg_present;
    const char *arg_key; /* string argument, or NULL */
    uint64_t arg_index;  /* numeric argument */
    uint32_t slot;       /* engine-assigned, dense per ruleset: same field+arg, same slot */
};

/* One extracted value. Numbers in u64/s64/d; strings and buffers in p/len (strings also
 * NUL-terminated); bool in u64 (0/1); ipaddr/ipnet in p/len (4 or 16 bytes).
 * A non-list field may yield several values (ancestor fields such as proc.aname without
 * an index): a check then holds when it holds for any of them, and outputs print them
 * separated by spaces. List fields render as "(a,b)". */
struct skr_value {
    union {
        uint64_t u64;
        int64_t s64;
        double d;
    };
    const uint8_t *p;
    uint32_t len;
};

/*
 * Extracts one field of the current event. Sets *vals and *nvals (0: no
 * value). Values must stay valid until the host starts the next event.
 * Returns 0, or a negative errno (the engine treats the field as missing).
 */
typedef int (*skr_extract_fn)(void *user,
                              const struct skr_extract_req *req,
                              const struct skr_value **vals,
                              uint32_t *nvals);

/* Per-thread evaluation scratch; works with any ruleset. */
struct skr_eval_ctx;

struct skr_eval_ctx *skr_eval_ctx_new(void);
void skr_eval_ctx_free(struct skr_eval_ctx *ctx);

/* Called for each matching rule, in rule order. Return false to stop evaluating. */
typedef bool (*skr_match_fn)(void *user, const struct skr_rule *rule);

/*
 * Evaluates the rules of source_idx filed under evt_code against the current
 * event. Field values are cached in ctx for this call and for the
 * skr_rule_render calls that follow it; the cache is dropped by the next
 * skr_ruleset_eval. Returns the number of matches, or a negative errno.
 */
int skr_ruleset_eval(const struct skr_ruleset *rs,
                     struct skr_eval_ctx *ctx,
                     size_t source_idx,
                     uint16_t evt_code,
                     skr_extract_fn extract,
                     void *extract_user,
                     skr_match_fn on_match,
                     void *match_user);

/* One output field of a rendered alert. Values point into ctx or host memory, valid until
 * the next skr_ruleset_eval on ctx. */
struct skr_out_field {
    const char *name; /* as written, argument included: "proc.aname[2]" */
    uint32_t type;
    bool is_list;
    uint32_t nvals; /* 0: missing */
    const struct skr_value *vals;
};

/*
 * Appends the rule's output for the current event to out (missing values
 * as <NA>) and, when fields is not NULL, points *fields at the output's
 * fields (ctx memory) and sets *nfields. Call after a match, before the next
 * skr_ruleset_eval on ctx.
 */
int skr_rule_render(const struct skr_rule *r,
                    struct skr_eval_ctx *ctx,
                    skr_extract_fn extract,
                    void *extract_user,
                    struct skr_strbuf *out,
                    const struct skr_out_field **fields,
                    size_t *nfields);

/* ---- Introspection ------------------------------------------------------------------------ */

/* Event codes the index uses beyond a source's own table (Falco's numbers). */
#define SKR_EVT_CODE_PLUGIN 322 /* a plugin source's event */
#define SKR_EVT_CODE_ASYNC  402 /* an asynchronous event; every rule is filed under it */

/* The rule's condition as compiled, in Falco's canonical printed form (macros expanded,
 * lists inlined, exceptions appended as "and not (...)"): "(evt.type = open and
 * proc.name in (a, b))". Ruleset memory. */
const char *skr_rule_condition(const struct skr_rule *r);
/* The rule's output format as compiled ("%proc.name ..."). Ruleset memory. */
const char *skr_rule_output(const struct skr_rule *r);
const char *skr_rule_desc(const struct skr_rule *r);
/* Events that matched the rule so far, summed over every thread evaluating the ruleset. */
uint64_t skr_rule_match_count(const struct skr_rule *r);
/* True when the rule is enabled in its ruleset (files, minimum priority and rules:
 * selections applied). */
bool skr_rule_enabled(const struct skr_rule *r);

/* Every compiled rule, enabled or not, in rule order (rules of unknown sources excluded). */
size_t skr_ruleset_compiled_count(const struct skr_ruleset *rs);
const struct skr_rule *skr_ruleset_compiled(const struct skr_ruleset *rs, size_t idx);

/*
 * Appends a JSON description of the ruleset in the shape of Falco's rule
 * description (falco -L): {"required_engine_version", "required_plugin_versions",
 * "lists":[{"info","details"}], "macros":[...], "rules":[...]}. With rule_filter
 * (not NULL) only the rules of that name are listed (lists and macros omitted).
 */
void skr_ruleset_describe(const struct skr_ruleset *rs,
                          const char *rule_filter,
                          struct skr_strbuf *out);

#endif /* SKR_RULES_RULES_H */
