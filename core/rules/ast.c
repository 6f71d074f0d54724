/* SPDX-License-Identifier: Apache-2.0 */
#include "rules/ast.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static const char *const op_names[SKR_OP_COUNT_] = {
    [SKR_OP_NONE] = "",
    [SKR_OP_EXISTS] = "exists",
    [SKR_OP_LE] = "<=",
    [SKR_OP_LT] = "<",
    [SKR_OP_GE] = ">=",
    [SKR_OP_GT] = ">",
    [SKR_OP_EQEQ] = "==",
    [SKR_OP_EQ] = "=",
    [SKR_OP_NE] = "!=",
    [SKR_OP_GLOB] = "glob",
    [SKR_OP_IGLOB] = "iglob",
    [SKR_OP_CONTAINS] = "contains",
    [SKR_OP_ICONTAINS] = "icontains",
    [SKR_OP_BCONTAINS] = "bcontains",
    [SKR_OP_STARTSWITH] = "startswith",
    [SKR_OP_BSTARTSWITH] = "bstartswith",
    [SKR_OP_ENDSWITH] = "endswith",
    [SKR_OP_REGEX] = "regex",
    [SKR_OP_INTERSECTS] = "intersects",
    [SKR_OP_IN] = "in",
    [SKR_OP_PMATCH] = "pmatch",
};

const char *skr_op_name(enum skr_op op)
{
    if ((unsigned)op >= SKR_OP_COUNT_) {
        return "";
    }
    return op_names[op];
}

const char *skr_mod_name(enum skr_op_modifier mod)
{
    switch (mod) {
    case SKR_MOD_ONEOF:
        return "oneof";
    case SKR_MOD_ANYOF:
        return "anyof";
    case SKR_MOD_ALLOF:
        return "allof";
    default:
        return "";
    }
}

const char *skr_xform_name(enum skr_xform xf)
{
    switch (xf) {
    case SKR_XF_VAL:
        return "val";
    case SKR_XF_TOLOWER:
        return "tolower";
    case SKR_XF_TOUPPER:
        return "toupper";
    case SKR_XF_B64:
        return "b64";
    case SKR_XF_BASENAME:
        return "basename";
    case SKR_XF_LEN:
        return "len";
    case SKR_XF_JOIN:
        return "join";
    case SKR_XF_CONCAT:
        return "concat";
    case SKR_XF_GETOPT:
        return "getopt";
    }
    return "";
}

enum skr_op skr_op_parse(const char *s, size_t len)
{
    for (int op = SKR_OP_EXISTS; op < SKR_OP_COUNT_; op++) {
        if (strlen(op_names[op]) == len && memcmp(op_names[op], s, len) == 0) {
            return (enum skr_op)op;
        }
    }
    return SKR_OP_NONE;
}

bool skr_op_is_list(enum skr_op op)
{
    return op == SKR_OP_IN || op == SKR_OP_INTERSECTS || op == SKR_OP_PMATCH;
}

bool skr_op_takes_modifier(enum skr_op op)
{
    return op >= SKR_OP_EQEQ && op <= SKR_OP_REGEX;
}

struct skr_ast *skr_ast_new(struct skr_arena *a, enum skr_ast_kind kind, struct skr_pos pos)
{
    struct skr_ast *n = skr_arena_calloc(a, 1, sizeof(*n));

    if (n == NULL) {
        return NULL;
    }
    n->kind = (uint8_t)kind;
    n->pos = pos;
    n->str = "";
    n->arg = "";
    return n;
}

int skr_ast_set_kids(struct skr_arena *a,
                     struct skr_ast *n,
                     struct skr_ast *const *kids,
                     uint32_t nkids)
{
    if (nkids == 0) {
        n->kids = NULL;
        n->nkids = 0;
        return 0;
    }
    n->kids = skr_arena_memdup(a, kids, nkids * sizeof(*kids));
    if (n->kids == NULL) {
        return -ENOMEM;
    }
    n->nkids = nkids;
    return 0;
}

void skr_ast_print_value(const char *s, size_t len, struct skr_strbuf *out)
{
    bool quote = false;
    size_t start = out->len;

    if (len == 0) {
        skr_strbuf_puts(out, "\"\""); /* printed so that the text parses again */
        return;
    }

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        switch (c) {
        case '\b':
            quote = true;
            skr_strbuf_puts(out, "\\b");
            break;
        case '\f':
            quote = true;
            skr_strbuf_puts(out, "\\f");
            break;
        case '\n':
            quote = true;
            skr_strbuf_puts(out, "\\n");
            break;
        case '\r':
            quote = true;
            skr_strbuf_puts(out, "\\r");
            break;
        case '\t':
            quote = true;
            skr_strbuf_puts(out, "\\t");
            break;
        case '\\':
            quote = true;
            /* A quoted string ends at the first quote not preceded by a backslash, so a
             * final backslash is written as a hex escape. */
            skr_strbuf_puts(out, i + 1 == len ? "\\x5c" : "\\\\");
            break;
        case '"':
            quote = true;
            skr_strbuf_puts(out, "\\\"");
            break;
        case ' ':
        case '\'':
        case '(':
        case ')':
        case ',':
        case '=':
        case '[':
        case ']':
            /* Not part of a bare string (nor of a bare field argument): quote so that the text parses again. */
            quote = true;
            skr_strbuf_putc(out, c);
            break;
        default:
            if ((unsigned char)c < 0x20 || (unsigned char)c == 0x7f) {
                quote = true;
                skr_strbuf_printf(out, "\\x%02x", (unsigned)(unsigned char)c);
            } else {
                skr_strbuf_putc(out, c);
            }
            break;
        }
    }
    if (quote && !out->truncated && out->len >= start) {
        /* Wrap what was just written in double quotes. */
        size_t n = out->len - start;
        skr_strbuf_putc(out, '"');
        skr_strbuf_putc(out, '"');
        if (!out->truncated) {
            memmove(out->p + start + 1, out->p + start, n);
            out->p[start] = '"';
            out->p[start + n + 1] = '"';
        }
    }
}

static void print_list(const struct skr_ast *n, struct skr_strbuf *out, const char *sep)
{
    skr_strbuf_putc(out, '(');
    for (uint32_t i = 0; i < n->nkids; i++) {
        if (i > 0) {
            skr_strbuf_puts(out, sep);
        }
        skr_ast_print(n->kids[i], out);
    }
    skr_strbuf_putc(out, ')');
}

void skr_ast_print(const struct skr_ast *n, struct skr_strbuf *out)
{
    switch (n->kind) {
    case SKR_AST_AND:
    case SKR_AST_OR:
        skr_strbuf_putc(out, '(');
        for (uint32_t i = 0; i < n->nkids; i++) {
            if (i > 0) {
                skr_strbuf_puts(out, n->kind == SKR_AST_AND ? " and " : " or ");
            }
            skr_ast_print(n->kids[i], out);
        }
        skr_strbuf_putc(out, ')');
        break;
    case SKR_AST_NOT:
        skr_strbuf_puts(out, "not ");
        skr_ast_print(n->kids[0], out);
        break;
    case SKR_AST_IDENT:
        /* a bare word spelled like an operator ("(not)") reads as a word only in
         * parentheses */
        if ((n->len == 3 && (memcmp(n->str, "not", 3) == 0 || memcmp(n->str, "and", 3) == 0)) ||
            (n->len == 2 && memcmp(n->str, "or", 2) == 0)) {
            skr_strbuf_putc(out, '(');
            skr_strbuf_append(out, n->str, n->len);
            skr_strbuf_putc(out, ')');
            break;
        }
        skr_strbuf_append(out, n->str, n->len);
        break;
    case SKR_AST_UNARY:
        skr_ast_print(n->kids[0], out);
        skr_strbuf_putc(out, ' ');
        skr_strbuf_puts(out, skr_op_name(n->op));
        break;
    case SKR_AST_BINARY:
        skr_ast_print(n->kids[0], out);
        skr_strbuf_putc(out, ' ');
        skr_strbuf_puts(out, skr_op_name(n->op));
        skr_strbuf_putc(out, ' ');
        if (n->mod != SKR_MOD_NONE) {
            skr_strbuf_puts(out, skr_mod_name(n->mod));
            skr_strbuf_putc(out, ' ');
        }
        skr_ast_print(n->kids[1], out);
        break;
    case SKR_AST_FIELD:
        skr_strbuf_append(out, n->str, n->len);
        if (n->arg_len > 0) {
            skr_strbuf_putc(out, '[');
            skr_ast_print_value(n->arg, n->arg_len, out);
            skr_strbuf_putc(out, ']');
        }
        break;
    case SKR_AST_TRANSFORMER:
        skr_strbuf_puts(out, skr_xform_name(n->op));
        skr_strbuf_putc(out, '(');
        for (uint32_t i = 0; i < n->nkids; i++) {
            if (i > 0) {
                skr_strbuf_putc(out, ',');
            }
            skr_ast_print(n->kids[i], out);
        }
        skr_strbuf_putc(out, ')');
        if (n->arg_len > 0) {
            skr_strbuf_putc(out, '[');
            skr_ast_print_value(n->arg, n->arg_len, out);
            skr_strbuf_putc(out, ']');
        }
        break;
    case SKR_AST_VALUE:
        skr_ast_print_value(n->str, n->len, out);
        break;
    case SKR_AST_LIST:
        print_list(n, out, ", ");
        break;
    case SKR_AST_TLIST:
        print_list(n, out, ",");
        break;
    case SKR_AST_MACRO:
        skr_ast_print(n->kids[0], out);
        break;
    default:
        break;
    }
}

static const char *kind_name(enum skr_ast_kind k)
{
    switch (k) {
    case SKR_AST_AND:
        return "and";
    case SKR_AST_OR:
        return "or";
    case SKR_AST_NOT:
        return "not";
    case SKR_AST_IDENT:
        return "identifier";
    case SKR_AST_UNARY:
        return "unary";
    case SKR_AST_BINARY:
        return "binary";
    case SKR_AST_FIELD:
        return "field";
    case SKR_AST_TRANSFORMER:
        return "transformer";
    case SKR_AST_VALUE:
        return "value";
    case SKR_AST_LIST:
        return "list";
    case SKR_AST_TLIST:
        return "transformer_list";
    case SKR_AST_MACRO:
        return "macro";
    }
    return "?";
}

void skr_ast_dump_positions(const struct skr_ast *n, struct skr_strbuf *out)
{
    skr_strbuf_printf(out, "%s%" PRIu32 " %" PRIu32 " %" PRIu32, kind_name(n->kind), n->pos.idx,
                      n->pos.line, n->pos.col);
    if (n->kind == SKR_AST_LIST) {
        return; /* list elements are plain values, not positioned nodes */
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        skr_ast_dump_positions(n->kids[i], out);
    }
}
