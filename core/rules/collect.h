/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collector: every list, macro, rule and version requirement read from
 * the rules files so far, as written (after append/override), with where each
 * came from. loader.c fills it from YAML; ruleset.c compiles it. Internal.
 */
#ifndef SKR_RULES_COLLECT_H
#define SKR_RULES_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rules_int.h"
#include "util/arena.h"
#include "util/semver.h"

/* A file being loaded. */
struct cl_file {
    const char *name;
    const char *text; /* whole content (load memory) */
    size_t len;
};

/* Where something starts in a file (0-based, as YAML marks). */
struct cl_mark {
    const struct cl_file *file; /* NULL: unknown */
    uint32_t line, col, off;
};

/* An item's context: its mark, kind and name. */
struct cl_ctx {
    struct cl_mark mark;
    const char *kind; /* "rule", "macro", "list", ... */
    const char *name; /* may be "" */
};

/* A piece of a condition/output text and the YAML scalar it came from. */
struct cl_seg {
    uint32_t off, len;  /* in the joined text */
    struct cl_mark src; /* the scalar node */
    uint32_t src_end;   /* end offset of the scalar node in the file */
};

/* A text joined from one or more scalars (appends). */
struct cl_text {
    char *s;
    uint32_t len;
    struct cl_seg *segs;
    uint32_t nsegs;
};

/* An exception "fields"/"comps"/"values" entry: a scalar or a list of entries. */
struct cl_xentry {
    bool valid;
    bool is_list;
    char *item;
    struct cl_xentry *items;
    uint32_t nitems;
};

struct cl_exception {
    char *name;
    struct cl_xentry fields;
    struct cl_xentry comps;
    struct cl_xentry *values;
    uint32_t nvalues;
    bool has_values;
    struct cl_ctx ctx;
};

struct cl_list {
    char *name;
    char **items;
    uint32_t nitems;
    uint32_t index, visibility;
    struct cl_ctx ctx;
};

struct cl_macro {
    char *name;
    struct cl_text cond;
    uint32_t index, visibility;
    struct cl_ctx ctx;
};

struct cl_rule {
    char *name;
    struct cl_text cond;
    struct cl_text output;
    char *desc;
    int priority;
    char *source;
    char **tags; /* sorted, unique */
    uint32_t ntags;
    bool enabled;
    bool warn_evttypes;
    bool skip_unknown;
    bool capture;
    uint64_t capture_duration;
    struct cl_exception *excs;
    uint32_t nexcs;
    uint32_t index, visibility;
    bool unknown_source;
    struct cl_ctx ctx;
};

struct cl_plugin_req {
    char *name;
    char *version;
};

struct cl_plugin_group {
    struct cl_plugin_req *alts;
    uint32_t n;
    struct cl_ctx ctx;
};

struct collector {
    struct skr_arena a;
    uint32_t cur_index;
    struct cl_list **lists;
    uint32_t nlists, lists_cap;
    struct cl_macro **macros;
    uint32_t nmacros, macros_cap;
    struct cl_rule **rules;
    uint32_t nrules, rules_cap;
    struct cl_plugin_group *plugins;
    uint32_t nplugins, plugins_cap;
    struct skr_semver engine_req; /* highest required_engine_version seen */
    bool has_engine_req;
    const struct skr_rules_load_opts *opts;
};

/* An error raised while reading/collecting one item (stops the file). */
struct cl_error {
    const char *code; /* LOAD_ERR_* */
    char msg[1024];
    struct cl_ctx ctx; /* the item */
    struct cl_ctx sub; /* a sub-item (key, exception, ...), kind NULL when none */
};

void collector_init(struct collector *c, const struct skr_rules_load_opts *opts);
void collector_fini(struct collector *c);

struct cl_list *collector_list(const struct collector *c, const char *name);
struct cl_macro *collector_macro(const struct collector *c, const char *name);
struct cl_rule *collector_rule(const struct collector *c, const char *name);

/* Reads one file's YAML into the collector. Warnings go to diags. Returns 0, or -EINVAL with
 * err filled at the first error. */
int loader_read_file(struct collector *c,
                     const struct cl_file *f,
                     struct skr_diags *diags,
                     struct cl_error *err);

/* Diagnostics from contexts (diags.c). pos_in_text: a position inside a condition/output
 * text (line 0: none), text: that text and its provenance. */
void diag_report(struct skr_diags *diags,
                 enum skr_diag_severity sev,
                 const char *code,
                 const char *msg,
                 const struct cl_ctx *item,
                 const struct cl_ctx *sub,
                 const struct cl_text *text,
                 const char *text_kind,
                 struct skr_pos pos_in_text,
                 const char *deprecated_field);

/* Falco's rules-file schema check of one YAML document (schema.c). Appends one line per
 * problem to out; returns how many there were. */
struct yaml_document_s;
struct yaml_node_s;
int skr_schema_check(struct yaml_document_s *doc,
                     const struct yaml_node_s *root,
                     struct skr_strbuf *out);

/* Records the schema result of the current file (diags.c). */
int skr_diags_set_schema(struct skr_diags *d, bool valid, const char *warnings);

#endif /* SKR_RULES_COLLECT_H */
