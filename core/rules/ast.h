/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syntax tree of a condition, as the parser builds it and the compiler
 * reads it. Every node carries the position (0-based byte index, 1-based line
 * and column) where it starts in the condition text. Nodes live in the arena
 * of the compile that parsed them and are never modified after parsing, so a
 * macro's tree can be shared by every rule that references it.
 */
#ifndef SKR_RULES_AST_H
#define SKR_RULES_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/strbuf.h"

enum skr_ast_kind {
    SKR_AST_AND = 1,     /* kids: 2..N operands */
    SKR_AST_OR,          /* kids: 2..N operands */
    SKR_AST_NOT,         /* kids[0] */
    SKR_AST_IDENT,       /* str: a bare word used as a check (macro reference) */
    SKR_AST_UNARY,       /* kids[0] = lhs; op = SKR_OP_EXISTS */
    SKR_AST_BINARY,      /* kids[0] = lhs, kids[1] = rhs; op, mod */
    SKR_AST_FIELD,       /* str = field name, arg when SKR_AST_HAS_ARG */
    SKR_AST_TRANSFORMER, /* op = enum skr_xform; kids = arguments; arg when SKR_AST_HAS_ARG */
    SKR_AST_VALUE,       /* str/len = the literal (unescaped; may hold NUL bytes) */
    SKR_AST_LIST,        /* kids = SKR_AST_VALUE elements */
    SKR_AST_TLIST,       /* kids = transformer-list elements (fields, transformers, values) */
    SKR_AST_MACRO,       /* a resolved macro reference: str = name, kids[0] = its condition,
                            pos = where the reference was written (made by macro resolution) */
};

/* Comparison operators, in the order the parser tries them within each class. */
enum skr_op {
    SKR_OP_NONE = 0,
    SKR_OP_EXISTS,
    SKR_OP_LE,
    SKR_OP_LT,
    SKR_OP_GE,
    SKR_OP_GT,
    SKR_OP_EQEQ, /* "==" (same meaning as "=", kept for printing) */
    SKR_OP_EQ,
    SKR_OP_NE,
    SKR_OP_GLOB,
    SKR_OP_IGLOB,
    SKR_OP_CONTAINS,
    SKR_OP_ICONTAINS,
    SKR_OP_BCONTAINS,
    SKR_OP_STARTSWITH,
    SKR_OP_BSTARTSWITH,
    SKR_OP_ENDSWITH,
    SKR_OP_REGEX,
    SKR_OP_INTERSECTS,
    SKR_OP_IN,
    SKR_OP_PMATCH,
    SKR_OP_COUNT_
};

enum skr_op_modifier {
    SKR_MOD_NONE = 0,
    SKR_MOD_ONEOF,
    SKR_MOD_ANYOF,
    SKR_MOD_ALLOF
};

/* Field transformers; SKR_XF_VAL marks a right-hand side field. */
enum skr_xform {
    SKR_XF_VAL = 1,
    SKR_XF_TOLOWER,
    SKR_XF_TOUPPER,
    SKR_XF_B64,
    SKR_XF_BASENAME,
    SKR_XF_LEN,
    SKR_XF_JOIN,
    SKR_XF_CONCAT,
    SKR_XF_GETOPT,
};

/* skr_ast.flags */
#define SKR_AST_HAS_ARG (1u << 0) /* field/transformer: an [arg] was written (maybe "") */
#define SKR_AST_QUOTED  (1u << 1) /* value: written as a quoted string */
#define SKR_AST_NUMBER  (1u << 2) /* value: written as a number token */

struct skr_pos {
    uint32_t idx;  /* 0-based byte offset */
    uint32_t line; /* 1-based */
    uint32_t col;  /* 1-based */
};

struct skr_ast {
    uint8_t kind;  /* enum skr_ast_kind */
    uint8_t op;    /* enum skr_op, or enum skr_xform for transformers */
    uint8_t mod;   /* enum skr_op_modifier */
    uint8_t flags; /* SKR_AST_* */
    uint32_t nkids;
    struct skr_pos pos;
    const char *str; /* NUL-terminated; len bytes (values may hold NUL) */
    uint32_t len;
    const char *arg; /* field/transformer argument, NUL-terminated, arg_len bytes */
    uint32_t arg_len;
    struct skr_ast **kids;
};

/* The operator as written ("==", "contains", ...). */
const char *skr_op_name(enum skr_op op);
/* "oneof", "anyof", "allof" or "". */
const char *skr_mod_name(enum skr_op_modifier mod);
/* The transformer's name ("tolower", ...). */
const char *skr_xform_name(enum skr_xform xf);
/* Looks up an operator by name (surrounding blanks not allowed); SKR_OP_NONE if unknown. */
enum skr_op skr_op_parse(const char *s, size_t len);
/* True for in, intersects and pmatch. */
bool skr_op_is_list(enum skr_op op);
/* True for the operators a modifier may follow (=, ==, != and the word string operators). */
bool skr_op_takes_modifier(enum skr_op op);

/* Node constructors (arena memory; NULL when out of memory). */
struct skr_ast *skr_ast_new(struct skr_arena *a, enum skr_ast_kind kind, struct skr_pos pos);
/* Gives n a copy of the kids array. Returns 0 or -ENOMEM. */
int skr_ast_set_kids(struct skr_arena *a,
                     struct skr_ast *n,
                     struct skr_ast *const *kids,
                     uint32_t nkids);

/* Prints n in Falco's canonical form: n-ary "(a and b)", "not x", values quoted only
 * when they need it. */
void skr_ast_print(const struct skr_ast *n, struct skr_strbuf *out);
/* Prints a literal as the canonical form does (escaped and quoted only when needed). */
void skr_ast_print_value(const char *s, size_t len, struct skr_strbuf *out);
/* Pre-order "kind idx line col" dump of every node, concatenated (for tests). */
void skr_ast_dump_positions(const struct skr_ast *n, struct skr_strbuf *out);

#endif /* SKR_RULES_AST_H */
