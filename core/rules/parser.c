/* SPDX-License-Identifier: Apache-2.0 */
#include "rules/parser.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/lexer.h"

#define TRANSFORMERS_HELP \
    "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'"
#define OPERATORS_HELP                                                               \
    "'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', " \
    "'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', "   \
    "'intersects', 'in', 'pmatch'"

struct parser {
    struct skr_lexer lx;
    struct skr_arena *a;
    uint32_t depth;
    uint32_t max_depth;
    bool failed;
    struct skr_parse_error *err;
};

/* A growable array of child nodes, used only while one node is being parsed. */
struct nodevec {
    struct skr_ast **v;
    uint32_t n;
    uint32_t cap;
    struct skr_ast *small[8];
};

static void vec_init(struct nodevec *vec)
{
    vec->v = vec->small;
    vec->n = 0;
    vec->cap = 8;
}

static void vec_fini(struct nodevec *vec)
{
    if (vec->v != vec->small) {
        free(vec->v);
    }
}

static int vec_push(struct nodevec *vec, struct skr_ast *n)
{
    if (vec->n == vec->cap) {
        uint32_t ncap = vec->cap * 2;
        struct skr_ast **nv = malloc(ncap * sizeof(*nv));
        if (nv == NULL) {
            return -ENOMEM;
        }
        memcpy(nv, vec->v, vec->n * sizeof(*nv));
        if (vec->v != vec->small) {
            free(vec->v);
        }
        vec->v = nv;
        vec->cap = ncap;
    }
    vec->v[vec->n++] = n;
    return 0;
}

static struct skr_ast *fail(struct parser *p, const char *fmt, ...) SKR_PRINTF(2, 3);

static struct skr_ast *fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    if (p->failed) {
        return NULL;
    }
    p->failed = true;
    if (p->err != NULL) {
        va_start(ap, fmt);
        if (vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap) < 0) {
            p->err->msg[0] = '\0';
        }
        va_end(ap);
        p->err->pos = p->lx.pos;
    }
    return NULL;
}

static struct skr_ast *oom(struct parser *p)
{
    return fail(p, "out of memory");
}

static bool enter(struct parser *p)
{
    p->depth++;
    if (p->depth >= p->max_depth) {
        fail(p, "exceeded max depth limit of %u", (unsigned)p->max_depth);
        return false;
    }
    return true;
}

static struct skr_ast *leave(struct parser *p, struct skr_ast *n)
{
    p->depth--;
    return n;
}

static struct skr_ast *node(struct parser *p, enum skr_ast_kind kind, struct skr_pos pos)
{
    struct skr_ast *n = skr_ast_new(p->a, kind, pos);

    if (n == NULL) {
        oom(p);
    }
    return n;
}

/* Copies the last token (raw text) into n->str. */
static bool set_str_tok(struct parser *p, struct skr_ast *n)
{
    char *s = skr_arena_strndup(p->a, p->lx.tok, p->lx.tok_len);

    if (s == NULL) {
        oom(p);
        return false;
    }
    n->str = s;
    n->len = (uint32_t)p->lx.tok_len;
    return true;
}

/* lex->val is either the raw token or an unescaped arena copy; make it arena-owned. */
static bool set_str_val(struct parser *p, struct skr_ast *n)
{
    char *s = skr_arena_alloc(p->a, p->lx.val_len + 1);

    if (s == NULL) {
        oom(p);
        return false;
    }
    memcpy(s, p->lx.val, p->lx.val_len);
    s[p->lx.val_len] = '\0';
    n->str = s;
    n->len = (uint32_t)p->lx.val_len;
    return true;
}

static struct skr_ast *make_group(struct parser *p,
                                  enum skr_ast_kind kind,
                                  struct skr_pos pos,
                                  struct nodevec *kids)
{
    struct skr_ast *n = node(p, kind, pos);

    if (n == NULL) {
        return NULL;
    }
    if (skr_ast_set_kids(p->a, n, kids->v, kids->n) < 0) {
        return oom(p);
    }
    return n;
}

static struct skr_ast *parse_or(struct parser *p);
static struct skr_ast *parse_check(struct parser *p);

/* After a "(" was read: expr ")". */
static struct skr_ast *parse_embedded(struct parser *p)
{
    struct skr_ast *child;

    if (!enter(p)) {
        return NULL;
    }
    skr_lex_blank(&p->lx);
    child = parse_or(p);
    if (child == NULL) {
        return NULL;
    }
    skr_lex_blank(&p->lx);
    if (!skr_lex_str(&p->lx, ")")) {
        return fail(p, "expected a ')' token");
    }
    return leave(p, child);
}

static struct skr_ast *parse_not(struct parser *p)
{
    struct skr_pos pos;
    bool is_not = false;
    struct skr_ast *child;
    struct skr_ast *n;

    if (!enter(p)) {
        return NULL;
    }
    pos = p->lx.pos;
    skr_lex_blank(&p->lx);
    while (skr_lex_not_blank(&p->lx)) {
        is_not = !is_not;
    }
    if (skr_lex_str(&p->lx, "not(")) {
        is_not = !is_not;
        child = parse_embedded(p);
    } else {
        child = parse_check(p);
    }
    if (child == NULL) {
        return NULL;
    }
    if (!is_not) {
        return leave(p, child);
    }
    n = node(p, SKR_AST_NOT, pos);
    if (n == NULL || skr_ast_set_kids(p->a, n, &child, 1) < 0) {
        return oom(p);
    }
    return leave(p, n);
}

/* and_expr / or_expr: kind selects the keyword and the operand parser. */
static struct skr_ast *parse_chain(struct parser *p, enum skr_ast_kind kind)
{
    const char *kw = kind == SKR_AST_AND ? "and" : "or";
    struct skr_pos pos;
    struct nodevec kids;
    struct skr_ast *child;
    struct skr_ast *res = NULL;

    if (!enter(p)) {
        return NULL;
    }
    vec_init(&kids);
    pos = p->lx.pos;
    skr_lex_blank(&p->lx);
    child = kind == SKR_AST_AND ? parse_not(p) : parse_chain(p, SKR_AST_AND);
    if (child == NULL) {
        goto out;
    }
    if (vec_push(&kids, child) < 0) {
        oom(p);
        goto out;
    }
    skr_lex_blank(&p->lx);
    while (skr_lex_str(&p->lx, kw)) {
        if (!skr_lex_blank(&p->lx)) {
            if (skr_lex_str(&p->lx, "(")) {
                child = parse_embedded(p);
            } else {
                fail(p, "expected blank or '(' after '%s'", kw);
                goto out;
            }
        } else {
            child = kind == SKR_AST_AND ? parse_not(p) : parse_chain(p, SKR_AST_AND);
        }
        if (child == NULL) {
            goto out;
        }
        if (vec_push(&kids, child) < 0) {
            oom(p);
            goto out;
        }
        skr_lex_blank(&p->lx);
    }
    if (kids.n > 1) {
        res = make_group(p, kind, pos, &kids);
    } else {
        res = kids.v[0];
    }
    if (res != NULL) {
        leave(p, res);
    }
out:
    vec_fini(&kids);
    return res;
}

static struct skr_ast *parse_or(struct parser *p)
{
    return parse_chain(p, SKR_AST_OR);
}

/* "[" arg "]" after a field or a transformer, when present. */
static bool parse_arg_suffix(struct parser *p, struct skr_ast *n)
{
    char *s;

    if (!skr_lex_str(&p->lx, "[")) {
        return true;
    }
    if (!skr_lex_quoted(&p->lx, p->a)) {
        if (p->lx.esc_err != NULL) {
            fail(p, "%s", p->lx.esc_err);
            return false;
        }
        if (!skr_lex_field_arg_bare(&p->lx)) {
            fail(p, "expected a valid field argument: a quoted string or a bare string");
            return false;
        }
    }
    s = skr_arena_alloc(p->a, p->lx.val_len + 1);
    if (s == NULL) {
        oom(p);
        return false;
    }
    memcpy(s, p->lx.val, p->lx.val_len);
    s[p->lx.val_len] = '\0';
    n->arg = s;
    n->arg_len = (uint32_t)p->lx.val_len;
    n->flags |= SKR_AST_HAS_ARG;
    if (!skr_lex_str(&p->lx, "]")) {
        fail(p, "expected a ']' token");
        return false;
    }
    return true;
}

/* After a field name token was read. */
static struct skr_ast *parse_field_rest(struct parser *p, struct skr_pos pos)
{
    struct skr_ast *n;

    if (!enter(p)) {
        return NULL;
    }
    n = node(p, SKR_AST_FIELD, pos);
    if (n == NULL || !set_str_tok(p, n)) {
        return NULL;
    }
    if (!parse_arg_suffix(p, n)) {
        return NULL;
    }
    return leave(p, n);
}

static const struct {
    const char *open; /* name followed by "(" */
    enum skr_xform xf;
} xforms[] = {
    { "tolower(", SKR_XF_TOLOWER },   { "toupper(", SKR_XF_TOUPPER }, { "b64(", SKR_XF_B64 },
    { "basename(", SKR_XF_BASENAME }, { "len(", SKR_XF_LEN },         { "join(", SKR_XF_JOIN },
    { "concat(", SKR_XF_CONCAT },     { "getopt(", SKR_XF_GETOPT },
};

/* Reads "name(" of a transformer (not val); returns 0 when there is none. */
static enum skr_xform lex_xform(struct parser *p)
{
    for (size_t i = 0; i < sizeof(xforms) / sizeof(xforms[0]); i++) {
        if (skr_lex_str(&p->lx, xforms[i].open)) {
            return xforms[i].xf;
        }
    }
    return 0;
}

static struct skr_ast *parse_xform_rest(struct parser *p, enum skr_xform xf, struct skr_pos pos);

/* One transformer argument; lists are allowed when allow_list. */
static struct skr_ast *parse_targ(struct parser *p, bool allow_list)
{
    struct skr_pos pos;
    enum skr_xform xf;
    struct skr_ast *n;

    if (!enter(p)) {
        return NULL;
    }
    pos = p->lx.pos;
    xf = lex_xform(p);
    if (xf != 0) {
        skr_lex_blank(&p->lx);
        return leave(p, parse_xform_rest(p, xf, pos));
    }
    if (skr_lex_field_name(&p->lx)) {
        return leave(p, parse_field_rest(p, pos));
    }
    if (skr_lex_quoted(&p->lx, p->a)) {
        n = node(p, SKR_AST_VALUE, pos);
        if (n == NULL || !set_str_val(p, n)) {
            return NULL;
        }
        n->flags |= SKR_AST_QUOTED;
        return leave(p, n);
    }
    if (p->lx.esc_err != NULL) {
        return fail(p, "%s", p->lx.esc_err);
    }
    if (skr_lex_hex_number(&p->lx) || skr_lex_number(&p->lx)) {
        n = node(p, SKR_AST_VALUE, pos);
        if (n == NULL || !set_str_tok(p, n)) {
            return NULL;
        }
        n->flags |= SKR_AST_NUMBER;
        return leave(p, n);
    }
    if (allow_list && skr_lex_str(&p->lx, "(")) {
        struct nodevec kids;
        struct skr_ast *item;
        struct skr_ast *res = NULL;

        vec_init(&kids);
        skr_lex_blank(&p->lx);
        if (!skr_lex_str(&p->lx, ")")) {
            for (;;) {
                item = parse_targ(p, false);
                if (item == NULL) {
                    goto list_out;
                }
                if (vec_push(&kids, item) < 0) {
                    oom(p);
                    goto list_out;
                }
                skr_lex_blank(&p->lx);
                if (skr_lex_str(&p->lx, ",")) {
                    skr_lex_blank(&p->lx);
                    continue;
                }
                if (skr_lex_str(&p->lx, ")")) {
                    break;
                }
                fail(p, "expected a ')' token");
                goto list_out;
            }
        }
        res = make_group(p, SKR_AST_TLIST, pos, &kids);
list_out:
        vec_fini(&kids);
        return res != NULL ? leave(p, res) : NULL;
    }
    return fail(p, "expected a field or a nested valid transformer: " TRANSFORMERS_HELP);
}

/* After "name(" of a transformer (and blanks). */
static struct skr_ast *parse_xform_rest(struct parser *p, enum skr_xform xf, struct skr_pos pos)
{
    struct nodevec kids;
    struct skr_ast *arg;
    struct skr_ast *res = NULL;

    if (!enter(p)) {
        return NULL;
    }
    vec_init(&kids);
    if (!skr_lex_str(&p->lx, ")")) {
        for (;;) {
            arg = parse_targ(p, true);
            if (arg == NULL) {
                goto out;
            }
            if (vec_push(&kids, arg) < 0) {
                oom(p);
                goto out;
            }
            skr_lex_blank(&p->lx);
            if (skr_lex_str(&p->lx, ",")) {
                skr_lex_blank(&p->lx);
                continue;
            }
            if (skr_lex_str(&p->lx, ")")) {
                break;
            }
            fail(p, "expected a ')' token closing the transformer");
            goto out;
        }
    }
    res = make_group(p, SKR_AST_TRANSFORMER, pos, &kids);
    if (res != NULL) {
        res->op = (uint8_t)xf;
        res->str = skr_xform_name(xf);
        res->len = (uint32_t)strlen(res->str);
        if (!parse_arg_suffix(p, res)) {
            res = NULL;
        }
    }
out:
    vec_fini(&kids);
    return res != NULL ? leave(p, res) : NULL;
}

/* "val(field)" or a transformer on the right-hand side; NULL without failing when neither
 * is there. */
static struct skr_ast *try_rhs_xform(struct parser *p)
{
    struct skr_pos pos;
    struct skr_pos fpos;
    enum skr_xform xf;
    struct skr_ast *field;
    struct skr_ast *n;

    if (!enter(p)) {
        return NULL;
    }
    skr_lex_blank(&p->lx);
    pos = p->lx.pos;
    if (skr_lex_str(&p->lx, "val(")) {
        skr_lex_blank(&p->lx);
        fpos = p->lx.pos;
        if (!skr_lex_field_name(&p->lx)) {
            return fail(p, "expected a field within 'val' transformer");
        }
        field = parse_field_rest(p, fpos);
        if (field == NULL) {
            return NULL;
        }
        skr_lex_blank(&p->lx);
        if (!skr_lex_str(&p->lx, ")")) {
            return fail(p, "expected a ')' token closing the transformer");
        }
        n = node(p, SKR_AST_TRANSFORMER, pos);
        if (n == NULL || skr_ast_set_kids(p->a, n, &field, 1) < 0) {
            return oom(p);
        }
        n->op = SKR_XF_VAL;
        n->str = "val";
        n->len = 3;
        if (!parse_arg_suffix(p, n)) {
            return NULL;
        }
        return leave(p, n);
    }
    xf = lex_xform(p);
    if (xf != 0) {
        skr_lex_blank(&p->lx);
        return leave(p, parse_xform_rest(p, xf, pos));
    }
    return leave(p, NULL);
}

static struct skr_ast *value_node(struct parser *p, struct skr_pos pos, uint8_t flags, bool raw)
{
    struct skr_ast *n = node(p, SKR_AST_VALUE, pos);

    if (n == NULL) {
        return NULL;
    }
    if (!(raw ? set_str_tok(p, n) : set_str_val(p, n))) {
        return NULL;
    }
    n->flags |= flags;
    return n;
}

static struct skr_ast *parse_num_rhs(struct parser *p)
{
    struct skr_pos pos;
    struct skr_ast *res;

    if (!enter(p)) {
        return NULL;
    }
    skr_lex_blank(&p->lx);
    pos = p->lx.pos;
    res = try_rhs_xform(p);
    if (res != NULL || p->failed) {
        return res != NULL ? leave(p, res) : NULL;
    }
    if (skr_lex_hex_number(&p->lx) || skr_lex_number(&p->lx)) {
        return leave(p, value_node(p, pos, SKR_AST_NUMBER, true));
    }
    return fail(p,
                "expected a number value or a field with a valid transformer: " TRANSFORMERS_HELP);
}

/* A quoted or bare string; NULL without failing when there is none (unless a quoted
 * string had a bad escape). */
static struct skr_ast *lex_str_value(struct parser *p, struct skr_pos pos)
{
    if (skr_lex_quoted(&p->lx, p->a)) {
        return value_node(p, pos, SKR_AST_QUOTED, false);
    }
    if (p->lx.esc_err != NULL) {
        return fail(p, "%s", p->lx.esc_err);
    }
    if (skr_lex_bare_str(&p->lx)) {
        return value_node(p, pos, 0, true);
    }
    return NULL;
}

static struct skr_ast *parse_str_rhs(struct parser *p, bool no_transformer)
{
    struct skr_pos pos;
    struct skr_ast *res;

    if (!enter(p)) {
        return NULL;
    }
    skr_lex_blank(&p->lx);
    pos = p->lx.pos;
    if (!no_transformer) {
        res = try_rhs_xform(p);
        if (res != NULL || p->failed) {
            return res != NULL ? leave(p, res) : NULL;
        }
    }
    res = lex_str_value(p, pos);
    if (res != NULL || p->failed) {
        return res != NULL ? leave(p, res) : NULL;
    }
    if (no_transformer) {
        return fail(p, "expected a string value");
    }
    return fail(p,
                "expected a string value or a field with a valid transformer: " TRANSFORMERS_HELP);
}

/* "(" already read: [ value { "," value } ] ")". */
static struct skr_ast *parse_list_rest(struct parser *p, struct skr_pos pos)
{
    struct nodevec kids;
    struct skr_ast *v;
    struct skr_ast *res = NULL;

    vec_init(&kids);
    skr_lex_blank(&p->lx);
    v = lex_str_value(p, p->lx.pos);
    if (p->failed) {
        goto out;
    }
    if (v != NULL) {
        if (vec_push(&kids, v) < 0) {
            oom(p);
            goto out;
        }
        skr_lex_blank(&p->lx);
        while (skr_lex_str(&p->lx, ",")) {
            v = parse_str_rhs(p, true);
            if (v == NULL) {
                goto out;
            }
            if (vec_push(&kids, v) < 0) {
                oom(p);
                goto out;
            }
            skr_lex_blank(&p->lx);
        }
    }
    if (!skr_lex_str(&p->lx, ")")) {
        fail(p, "expected a ')' token");
        goto out;
    }
    res = make_group(p, SKR_AST_LIST, pos, &kids);
out:
    vec_fini(&kids);
    return res;
}

static struct skr_ast *parse_list_rhs(struct parser *p)
{
    struct skr_pos pos;
    struct skr_ast *res;

    if (!enter(p)) {
        return NULL;
    }
    skr_lex_blank(&p->lx);
    pos = p->lx.pos;
    if (skr_lex_str(&p->lx, "(")) {
        return leave(p, parse_list_rest(p, pos));
    }
    res = try_rhs_xform(p);
    if (res != NULL || p->failed) {
        return res != NULL ? leave(p, res) : NULL;
    }
    if (skr_lex_identifier(&p->lx)) {
        return leave(p, value_node(p, pos, 0, true));
    }
    return fail(
            p,
            "expected a list, an identifier, or a field with a valid transformer: " TRANSFORMERS_HELP);
}

static bool is_blank_char(char c)
{
    return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n';
}

/* A modifier after a string operator: "oneof"/"anyof"/"allof", a blank, then a list or
 * an identifier other than and/or/not. Returns the list value and sets *mod, or NULL
 * (with the lexer unchanged) when the text is not a modifier. */
static struct skr_ast *try_modifier(struct parser *p, uint8_t *mod)
{
    struct skr_lexer save = p->lx;
    struct skr_pos pos;
    uint8_t m = SKR_MOD_NONE;

    if (skr_lex_blank(&p->lx) && skr_lex_identifier(&p->lx)) {
        if (p->lx.tok_len == 5 && memcmp(p->lx.tok, "oneof", 5) == 0) {
            m = SKR_MOD_ONEOF;
        } else if (p->lx.tok_len == 5 && memcmp(p->lx.tok, "anyof", 5) == 0) {
            m = SKR_MOD_ANYOF;
        } else if (p->lx.tok_len == 5 && memcmp(p->lx.tok, "allof", 5) == 0) {
            m = SKR_MOD_ALLOF;
        }
    }
    if (m != SKR_MOD_NONE && skr_lex_blank(&p->lx)) {
        pos = p->lx.pos;
        if (skr_lex_str(&p->lx, "(")) {
            *mod = m;
            return parse_list_rest(p, pos);
        }
        if (skr_lex_identifier(&p->lx)) {
            bool kw = (p->lx.tok_len == 3 &&
                       (memcmp(p->lx.tok, "and", 3) == 0 || memcmp(p->lx.tok, "not", 3) == 0)) ||
                      (p->lx.tok_len == 2 && memcmp(p->lx.tok, "or", 2) == 0);
            if (!kw) {
                *mod = m;
                return value_node(p, pos, 0, true);
            }
        }
    }
    p->lx = save;
    return NULL;
}

static enum skr_op lex_op(struct parser *p)
{
    static const char *const num_ops[] = { "<=", "<", ">=", ">" };
    static const enum skr_op num_codes[] = { SKR_OP_LE, SKR_OP_LT, SKR_OP_GE, SKR_OP_GT };
    static const char *const sym_ops[] = { "==", "=", "!=" };
    static const enum skr_op sym_codes[] = { SKR_OP_EQEQ, SKR_OP_EQ, SKR_OP_NE };
    static const enum skr_op word_codes[] = {
        SKR_OP_GLOB,       SKR_OP_IGLOB,       SKR_OP_CONTAINS, SKR_OP_ICONTAINS, SKR_OP_BCONTAINS,
        SKR_OP_STARTSWITH, SKR_OP_BSTARTSWITH, SKR_OP_ENDSWITH, SKR_OP_REGEX,
    };
    static const enum skr_op list_codes[] = { SKR_OP_INTERSECTS, SKR_OP_IN, SKR_OP_PMATCH };

    for (size_t i = 0; i < 4; i++) {
        if (skr_lex_str(&p->lx, num_ops[i])) {
            return num_codes[i];
        }
    }
    for (size_t i = 0; i < 3; i++) {
        if (skr_lex_str(&p->lx, sym_ops[i])) {
            return sym_codes[i];
        }
    }
    for (size_t i = 0; i < sizeof(word_codes) / sizeof(word_codes[0]); i++) {
        const char *w = skr_op_name(word_codes[i]);
        size_t n = strlen(w);
        if (p->lx.pos.idx + n < p->lx.len && memcmp(p->lx.in + p->lx.pos.idx, w, n) == 0 &&
            is_blank_char(p->lx.in[p->lx.pos.idx + n])) {
            skr_lex_str(&p->lx, w);
            return word_codes[i];
        }
    }
    for (size_t i = 0; i < 3; i++) {
        if (skr_lex_str(&p->lx, skr_op_name(list_codes[i]))) {
            return list_codes[i];
        }
    }
    return SKR_OP_NONE;
}

static struct skr_ast *parse_condition(struct parser *p, struct skr_ast *left, struct skr_pos pos)
{
    enum skr_op op;
    uint8_t mod = SKR_MOD_NONE;
    struct skr_ast *right = NULL;
    struct skr_ast *kids[2];
    struct skr_ast *n;

    if (!enter(p)) {
        return NULL;
    }
    skr_lex_blank(&p->lx);
    if (skr_lex_str(&p->lx, "exists")) {
        n = node(p, SKR_AST_UNARY, pos);
        if (n == NULL || skr_ast_set_kids(p->a, n, &left, 1) < 0) {
            return oom(p);
        }
        n->op = SKR_OP_EXISTS;
        return leave(p, n);
    }
    op = lex_op(p);
    if (op == SKR_OP_NONE) {
        return fail(p, "expected a valid check operator: one of " OPERATORS_HELP);
    }
    if (op >= SKR_OP_LE && op <= SKR_OP_GT) {
        right = parse_num_rhs(p);
    } else if (skr_op_is_list(op)) {
        right = parse_list_rhs(p);
    } else {
        right = try_modifier(p, &mod);
        if (right == NULL && !p->failed) {
            right = parse_str_rhs(p, false);
        }
    }
    if (right == NULL) {
        return NULL;
    }
    n = node(p, SKR_AST_BINARY, pos);
    kids[0] = left;
    kids[1] = right;
    if (n == NULL || skr_ast_set_kids(p->a, n, kids, 2) < 0) {
        return oom(p);
    }
    n->op = (uint8_t)op;
    n->mod = mod;
    return leave(p, n);
}

static struct skr_ast *parse_check(struct parser *p)
{
    struct skr_pos pos;
    enum skr_xform xf;
    struct skr_ast *left;
    struct skr_ast *n;

    if (!enter(p)) {
        return NULL;
    }
    pos = p->lx.pos;
    skr_lex_blank(&p->lx);
    if (skr_lex_str(&p->lx, "(")) {
        return leave(p, parse_embedded(p));
    }
    if (skr_lex_field_name(&p->lx)) {
        left = parse_field_rest(p, pos);
        if (left == NULL) {
            return NULL;
        }
        return leave(p, parse_condition(p, left, pos));
    }
    xf = lex_xform(p);
    if (xf != 0) {
        skr_lex_blank(&p->lx);
        left = parse_xform_rest(p, xf, pos);
        if (left == NULL) {
            return NULL;
        }
        return leave(p, parse_condition(p, left, pos));
    }
    if (skr_lex_identifier(&p->lx)) {
        n = node(p, SKR_AST_IDENT, pos);
        if (n == NULL || !set_str_tok(p, n)) {
            return NULL;
        }
        return leave(p, n);
    }
    return fail(p, "expected a '(' token, a field check, or an identifier");
}

struct skr_ast *skr_parse(struct skr_arena *a,
                          const char *text,
                          size_t len,
                          uint32_t max_depth,
                          struct skr_parse_error *err,
                          struct skr_pos *end)
{
    struct parser p;
    struct skr_ast *res;

    memset(&p, 0, sizeof(p));
    skr_lexer_init(&p.lx, text, len);
    p.a = a;
    p.max_depth = max_depth ? max_depth : SKR_PARSE_MAX_DEPTH;
    p.err = err;
    if (len == 0 || text[0] == '\0') {
        fail(&p, "filter input string is empty");
        return NULL;
    }
    res = parse_or(&p);
    if (res == NULL) {
        return NULL;
    }
    if (!skr_lex_at_end(&p.lx)) {
        fail(&p, "unexpected token after '%.*s', expecting 'or', 'and'",
             (int)(p.lx.tok_len > 200 ? 200 : p.lx.tok_len), p.lx.tok ? p.lx.tok : "");
        return NULL;
    }
    if (end != NULL) {
        *end = p.lx.pos;
    }
    return res;
}

struct skr_ast *skr_parse_field_expr(struct skr_arena *a,
                                     const char *text,
                                     size_t len,
                                     size_t *consumed)
{
    struct parser p;
    struct skr_pos pos;
    enum skr_xform xf;
    struct skr_ast *res = NULL;

    memset(&p, 0, sizeof(p));
    skr_lexer_init(&p.lx, text, len);
    p.a = a;
    p.max_depth = 100;
    pos = p.lx.pos;
    xf = lex_xform(&p);
    if (xf != 0) {
        skr_lex_blank(&p.lx);
        res = parse_xform_rest(&p, xf, pos);
    } else if (skr_lex_field_name(&p.lx)) {
        res = parse_field_rest(&p, pos);
    }
    if (res == NULL) {
        return NULL;
    }
    *consumed = p.lx.pos.idx;
    return res;
}
