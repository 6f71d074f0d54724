/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A YAML document as a tree that keeps, for every node, the file, line and
 * column it came from, so that every configuration error can point at its
 * source. libyaml does the parsing; this file only builds the tree.
 *
 * Memory: every node and string of a tree lives in the arena of the
 * struct skr_cdoc it was parsed into, and dies with skr_cdoc_free(). Nodes of
 * several files (includes) and of -o overrides share one document, so they
 * can be merged by moving pointers.
 */
#ifndef SKR_CONFIG_TREE_H
#define SKR_CONFIG_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

enum skr_cnode_kind {
    SKR_CNODE_NULL,   /* ~, null, an empty value */
    SKR_CNODE_SCALAR, /* any other scalar */
    SKR_CNODE_MAP,
    SKR_CNODE_SEQ,
};

struct skr_cnode {
    enum skr_cnode_kind kind;
    const char *file; /* the file (or "-o ...") it came from; document memory */
    unsigned line;    /* 1-based; 0 when not from a file */
    unsigned col;     /* 1-based */
    /* SCALAR: the text after ${VAR} expansion; NUL-terminated. */
    const char *text;
    size_t len;
    bool quoted; /* written in quotes (never typed as bool/number/null) */
    /* MAP: keys[i] (scalars) -> vals[i]; SEQ: vals[i]. n entries, cap allocated. */
    size_t n;
    size_t cap;
    struct skr_cnode **keys;
    struct skr_cnode **vals;
};

/* A set of trees sharing one arena. */
struct skr_cdoc {
    struct skr_arena arena;
};

struct skr_cdoc *skr_cdoc_new(void);
void skr_cdoc_free(struct skr_cdoc *d);

/* Options of skr_cdoc_parse(). */
struct skr_cparse_opts {
    bool expand_env; /* replace ${VAR} in scalar values (not keys); $${x} gives ${x} */
};

/*
 * Parses the first YAML document of text[0..len) into d. name is what errors
 * and node marks call the input (a path, "-o key=value", ...). An empty
 * document gives a NULL node. Returns the root, or NULL with err set to
 * "name:line:col: ..." on invalid YAML or a duplicate map key.
 */
struct skr_cnode *skr_cdoc_parse(struct skr_cdoc *d,
                                 const char *text,
                                 size_t len,
                                 const char *name,
                                 const struct skr_cparse_opts *opts,
                                 struct skr_err *err);

/* Reads and parses a whole file. Errors name the file. */
struct skr_cnode *skr_cdoc_parse_file(struct skr_cdoc *d,
                                      const char *path,
                                      const struct skr_cparse_opts *opts,
                                      struct skr_err *err);

/* A new empty node of kind in d, marked with file/line/col. NULL when out of memory. */
struct skr_cnode *skr_cnode_new(struct skr_cdoc *d,
                                enum skr_cnode_kind kind,
                                const char *file,
                                unsigned line,
                                unsigned col);

/* Appends to a SEQ (key NULL) or MAP. Returns 0 or -ENOMEM. */
int skr_cnode_append(struct skr_cdoc *d,
                     struct skr_cnode *n,
                     struct skr_cnode *key,
                     struct skr_cnode *val);

/* The value of key in a MAP, or NULL (also when n is not a map). */
struct skr_cnode *skr_cnode_get(const struct skr_cnode *n, const char *key);
/* Index of key in a MAP, or -1. */
long skr_cnode_find(const struct skr_cnode *n, const char *key);

/* True when a NULL node or a plain scalar spelling null (~, null, Null, NULL, ""). */
bool skr_cnode_is_null(const struct skr_cnode *n);

/* "map", "list", "scalar", "null": for messages. */
const char *skr_cnode_kind_name(const struct skr_cnode *n);

/* Expands ${VAR} in s[0..len) into the document; returns the new string or NULL (OOM). */
char *skr_cdoc_expand_env(struct skr_cdoc *d, const char *s, size_t len, size_t *out_len);

#endif /* SKR_CONFIG_TREE_H */
