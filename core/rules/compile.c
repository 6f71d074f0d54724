/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiler: binds every field of a macro-resolved condition to the host's
 * field registry, checks operators against field types, parses the constant
 * values once for the field's type and builds the matchers (hash sets,
 * pmatch trees, PCRE2 programs). Errors and warnings go to the compiler's
 * message list with their position in the condition text.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

#define E_COND       "LOAD_ERR_COMPILE_CONDITION"
#define E_OUT        "LOAD_ERR_COMPILE_OUTPUT"
#define W_COND       "LOAD_COMPILE_CONDITION"
#define W_DEPRECATED "LOAD_DEPRECATED_ITEM"
#define W_NA         "LOAD_UNSAFE_NA_CHECK"

void skr_compiler_init(struct skr_compiler *c,
                       struct skr_arena *arena,
                       const struct skr_rules_host *host)
{
    memset(c, 0, sizeof(*c));
    c->arena = arena;
    c->host = host;
}

void skr_compiler_free_codes(void **codes, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        pcre2_code_free(codes[i]);
    }
    free(codes);
}

void skr_compiler_fini(struct skr_compiler *c)
{
    skr_compiler_free_codes(c->codes, c->ncodes);
    c->codes = NULL;
    c->ncodes = 0;
    free(c->memos);
    c->memos = NULL;
    c->nmemos = 0;
    free(c->reqs);
    free(c->msgs);
    c->reqs = NULL;
    c->msgs = NULL;
}

void skr_compiler_reset_msgs(struct skr_compiler *c)
{
    c->nmsgs = 0;
    c->failed = false;
}

void *skr_compiler_msg(struct skr_compiler *c,
                       bool warning,
                       const char *code,
                       struct skr_pos pos,
                       const char *fmt,
                       ...)
{
    va_list ap;
    char buf[1024];
    struct skr_cmsg *m;

    if (!warning) {
        if (c->failed) {
            return NULL; /* report the first error only */
        }
        c->failed = true;
    }
    va_start(ap, fmt);
    if (vsnprintf(buf, sizeof(buf), fmt, ap) < 0) {
        buf[0] = '\0';
    }
    va_end(ap);
    if (c->nmsgs == c->msgs_cap) {
        uint32_t ncap = c->msgs_cap ? c->msgs_cap * 2 : 8;
        struct skr_cmsg *nm = realloc(c->msgs, ncap * sizeof(*nm));
        if (nm == NULL) {
            c->failed = true;
            return NULL;
        }
        c->msgs = nm;
        c->msgs_cap = ncap;
    }
    m = &c->msgs[c->nmsgs];
    memset(m, 0, sizeof(*m));
    m->warning = warning;
    m->code = code;
    m->pos = c->macro_ref != NULL ? c->macro_ref->pos : pos;
    m->msg = skr_arena_strdup(c->arena, buf);
    if (m->msg == NULL) {
        c->failed = true;
        return NULL;
    }
    c->nmsgs++;
    return NULL;
}

static void *cerr(struct skr_compiler *c, struct skr_pos pos, const char *fmt, ...)
        SKR_PRINTF(3, 4);

static void *cerr(struct skr_compiler *c, struct skr_pos pos, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];

    va_start(ap, fmt);
    if (vsnprintf(buf, sizeof(buf), fmt, ap) < 0) {
        buf[0] = '\0';
    }
    va_end(ap);
    return skr_compiler_msg(c, false, c->in_output ? E_OUT : E_COND, pos, "%s", buf);
}

static void *oom(struct skr_compiler *c, struct skr_pos pos)
{
    return cerr(c, pos, "out of memory");
}

/* The text of an AST node as written (canonical form), in arena memory. */
static const char *ast_text(struct skr_compiler *c, const struct skr_ast *n)
{
    struct skr_strbuf b;
    const char *s;

    skr_strbuf_init(&b);
    skr_ast_print(n, &b);
    s = skr_arena_strdup(c->arena, b.p);
    skr_strbuf_fini(&b);
    return s != NULL ? s : "";
}

/* Deprecated fields Falco reports by name (conditions: AST walk; outputs: substring). */
static const char *const deprecated_fields[] = {
    "evt.dir",        "evt.latency",       "evt.latency.s",
    "evt.latency.ns", "evt.latency.human", "evt.wait_latency",
};

static bool is_listed_deprecated(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(deprecated_fields) / sizeof(deprecated_fields[0]); i++) {
        if (strlen(deprecated_fields[i]) == len && memcmp(deprecated_fields[i], s, len) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- Fields --------------------------------------------------------------------------- */

static bool all_digits(const char *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static struct skr_extract_req *find_slot(struct skr_compiler *c,
                                         const struct skr_field_desc *d,
                                         bool has_arg,
                                         const char *key,
                                         uint64_t index)
{
    struct skr_extract_req *r;

    for (uint32_t i = 0; i < c->nreqs; i++) {
        r = c->reqs[i];
        if (r->field_id != d->id || r->arg_present != has_arg || r->type != d->type) {
            continue;
        }
        if (!has_arg) {
            return r;
        }
        if (key == NULL && r->arg_key == NULL && r->arg_index == index) {
            return r;
        }
        if (key != NULL && r->arg_key != NULL && strcmp(key, r->arg_key) == 0) {
            return r;
        }
    }
    if (c->nreqs == c->reqs_cap) {
        uint32_t ncap = c->reqs_cap ? c->reqs_cap * 2 : 32;
        struct skr_extract_req **nr = realloc(c->reqs, ncap * sizeof(*nr));
        if (nr == NULL) {
            return NULL;
        }
        c->reqs = nr;
        c->reqs_cap = ncap;
    }
    r = skr_arena_calloc(c->arena, 1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    r->field_id = d->id;
    r->type = d->type;
    r->is_list = (d->flags & SKR_FIELD_LIST) != 0;
    r->arg_present = has_arg;
    if (key != NULL) {
        r->arg_key = skr_arena_strdup(c->arena, key);
        if (r->arg_key == NULL) {
            return NULL;
        }
    }
    r->arg_index = index;
    r->slot = c->nreqs;
    c->reqs[c->nreqs++] = r;
    return r;
}

static struct skr_operand *compile_field(struct skr_compiler *c, const struct skr_ast *n)
{
    struct skr_field_desc d;
    size_t name_len = 0;
    const char *arg = NULL;
    size_t arg_len = 0;
    bool has_arg = false;
    char *key = NULL;
    uint64_t index = 0;
    const char *text = ast_text(c, n);
    struct skr_operand *o;
    const struct skr_extract_req *req;

    memset(&d, 0, sizeof(d));
    if (c->host == NULL || c->host->lookup_field == NULL ||
        c->host->lookup_field(c->host->user, c->source, n->str, n->len, &d, &name_len) != 0 ||
        name_len > n->len) {
        return cerr(c, n->pos, "filter_check called with nonexistent field %s", text);
    }
    if (name_len < n->len) {
        if (n->str[name_len] != '.' || name_len + 1 >= n->len ||
            (d.arg_flags & (SKR_ARG_DOTTED | SKR_ARG_ALLOWED)) == 0 ||
            (n->flags & SKR_AST_HAS_ARG)) {
            return cerr(c, n->pos, "filter_check called with nonexistent field %s", text);
        }
        arg = n->str + name_len + 1;
        arg_len = n->len - name_len - 1;
        has_arg = true;
    } else if (n->flags & SKR_AST_HAS_ARG) {
        arg = n->arg;
        arg_len = n->arg_len;
        has_arg = true;
        if (arg_len == 0 && (d.arg_flags & SKR_ARG_REQUIRED) == 0) {
            has_arg = false; /* "field[]"-like empty quoted argument: no argument */
        }
    }
    if (has_arg && (d.arg_flags & (SKR_ARG_ALLOWED | SKR_ARG_REQUIRED | SKR_ARG_INDEX |
                                   SKR_ARG_KEY | SKR_ARG_DOTTED)) == 0) {
        return cerr(c, n->pos, "filter_check called with nonexistent field %s", text);
    }
    if (!has_arg && (d.arg_flags & SKR_ARG_REQUIRED)) {
        return cerr(
                c, n->pos,
                "filter_check called with nonexistent field %s: field '%.*s' requires an argument",
                text, (int)name_len, n->str);
    }
    if (has_arg) {
        bool numeric = all_digits(arg, arg_len);
        if (numeric && (d.arg_flags & SKR_ARG_INDEX)) {
            errno = 0;
            index = strtoull(arg, NULL, 10);
            if (errno != 0) {
                return cerr(c, n->pos,
                            "filter_check called with nonexistent field %s: index out of range",
                            text);
            }
        } else if ((d.arg_flags & SKR_ARG_INDEX) &&
                   !(d.arg_flags & (SKR_ARG_KEY | SKR_ARG_DOTTED))) {
            return cerr(
                    c, n->pos,
                    "filter_check called with nonexistent field %s: the argument of '%.*s' must be a number",
                    text, (int)name_len, n->str);
        } else {
            key = skr_arena_strndup(c->arena, arg, arg_len);
            if (key == NULL) {
                return oom(c, n->pos);
            }
        }
    }
    if (c->in_output && (d.flags & SKR_FIELD_FILTER_ONLY)) {
        return cerr(c, n->pos, "'%s' is filter only and cannot be used as a display field", text);
    }
    if (!c->in_output && (d.flags & SKR_FIELD_PRINT_ONLY)) {
        return cerr(c, n->pos, "'%s' is print only and cannot be used in a condition", text);
    }
    if (skr_type_class(d.type) == SKR_CLS_NONE) {
        return cerr(c, n->pos, "field '%s' has an unsupported type (%u)", text, (unsigned)d.type);
    }
    if ((d.flags & SKR_FIELD_DEPRECATED) && !is_listed_deprecated(n->str, name_len)) {
        char fname[256];
        snprintf(fname, sizeof(fname), "%.*s", (int)name_len, n->str);
        skr_compiler_msg(c, true, W_DEPRECATED, n->pos,
                         "usage of deprecated field '%s' has been detected in the rule %s", fname,
                         c->in_output ? "output" : "condition");
        if (c->nmsgs > 0) {
            c->msgs[c->nmsgs - 1].deprecated_field = skr_arena_strdup(c->arena, fname);
        }
    }
    req = find_slot(c, &d, has_arg, key, index);
    o = skr_arena_calloc(c->arena, 1, sizeof(*o));
    if (req == NULL || o == NULL) {
        return oom(c, n->pos);
    }
    o->kind = SKR_OPD_FIELD;
    o->type = d.type;
    o->is_list = (d.flags & SKR_FIELD_LIST) != 0;
    o->fflags = d.flags;
    o->cost = d.cost;
    o->req = req;
    o->text = text;
    return o;
}

/* ---- Transformers ----------------------------------------------------------------------- */

static struct skr_operand *compile_xform(struct skr_compiler *c, const struct skr_ast *n);

static struct skr_operand *compile_const(struct skr_compiler *c, const struct skr_ast *n)
{
    struct skr_operand *o = skr_arena_calloc(c->arena, 1, sizeof(*o));

    if (o == NULL) {
        return oom(c, n->pos);
    }
    o->kind = SKR_OPD_CONST;
    o->type = SKR_FT_STRING;
    o->cval.p = (const uint8_t *)n->str;
    o->cval.len = n->len;
    o->text = ast_text(c, n);
    return o;
}

static struct skr_operand *compile_targ(struct skr_compiler *c, const struct skr_ast *n)
{
    switch (n->kind) {
    case SKR_AST_FIELD:
        return compile_field(c, n);
    case SKR_AST_TRANSFORMER:
        return compile_xform(c, n);
    case SKR_AST_VALUE:
        return compile_const(c, n);
    case SKR_AST_TLIST: {
        struct skr_operand *o = skr_arena_calloc(c->arena, 1, sizeof(*o));
        if (o == NULL) {
            return oom(c, n->pos);
        }
        o->kind = SKR_OPD_TLIST;
        o->type = SKR_FT_STRING;
        o->is_list = true;
        o->text = ast_text(c, n);
        o->nargs = n->nkids;
        o->args = skr_arena_calloc(c->arena, n->nkids ? n->nkids : 1, sizeof(*o->args));
        if (o->args == NULL) {
            return oom(c, n->pos);
        }
        for (uint32_t i = 0; i < n->nkids; i++) {
            o->args[i] = compile_targ(c, n->kids[i]);
            if (o->args[i] == NULL) {
                return NULL;
            }
            if (o->args[i]->is_list) {
                return cerr(c, n->kids[i]->pos, "transformer list items must not be lists: '%s'",
                            o->args[i]->text);
            }
        }
        return o;
    }
    default:
        return cerr(c, n->pos, "unexpected transformer argument");
    }
}

static bool is_strlike(const struct skr_operand *o)
{
    return skr_type_class(o->type) == SKR_CLS_STR;
}

static struct skr_operand *bad_type(struct skr_compiler *c,
                                    const struct skr_ast *n,
                                    const struct skr_operand *arg)
{
    return cerr(c, n->pos,
                "can't add field transformer: type '%s%s' is not supported by '%s' transformer",
                skr_type_name(arg->type), arg->is_list ? " (list)" : "", skr_xform_name(n->op));
}

static struct skr_operand *compile_xform(struct skr_compiler *c, const struct skr_ast *n)
{
    struct skr_operand *o = skr_arena_calloc(c->arena, 1, sizeof(*o));
    enum skr_xform xf = n->op;
    struct skr_operand *a0;

    if (o == NULL) {
        return oom(c, n->pos);
    }
    o->kind = SKR_OPD_XFORM;
    o->xf = (uint8_t)xf;
    o->text = ast_text(c, n);
    if ((n->flags & SKR_AST_HAS_ARG) && xf != SKR_XF_GETOPT) {
        return cerr(c, n->pos, "filter error: transformer '%s' does not support field arguments",
                    skr_xform_name(xf));
    }
    o->nargs = n->nkids;
    o->args = skr_arena_calloc(c->arena, n->nkids ? n->nkids : 1, sizeof(*o->args));
    if (o->args == NULL) {
        return oom(c, n->pos);
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        o->args[i] = compile_targ(c, n->kids[i]);
        if (o->args[i] == NULL) {
            return NULL;
        }
        /* no_rhs fields cannot be transformed; len() only counts them. */
        if (o->args[i]->kind == SKR_OPD_FIELD && (o->args[i]->fflags & SKR_FIELD_NO_RHS) &&
            xf != SKR_XF_LEN && xf != SKR_XF_VAL) {
            return cerr(c, n->kids[i]->pos, "field '%s' does not support transformers",
                        o->args[i]->text);
        }
    }
    a0 = n->nkids > 0 ? o->args[0] : NULL;
    switch (xf) {
    case SKR_XF_VAL:
        if (n->nkids != 1 || a0->kind != SKR_OPD_FIELD) {
            return cerr(c, n->pos, "'val' takes exactly one field");
        }
        return a0; /* val(f) is f as a right-hand side */
    case SKR_XF_TOLOWER:
    case SKR_XF_TOUPPER:
    case SKR_XF_BASENAME:
    case SKR_XF_B64:
        if (n->nkids != 1 || a0->kind == SKR_OPD_TLIST) {
            return cerr(c, n->pos, "transformer '%s' takes exactly one argument",
                        skr_xform_name(xf));
        }
        if (a0->is_list || !(is_strlike(a0) || (xf == SKR_XF_B64 && a0->type == SKR_FT_BYTEBUF))) {
            return bad_type(c, n, a0);
        }
        o->type = a0->type;
        return o;
    case SKR_XF_LEN:
        if (n->nkids != 1 || a0->kind == SKR_OPD_TLIST) {
            return cerr(c, n->pos, "transformer 'len' takes exactly one argument");
        }
        if (!a0->is_list && !is_strlike(a0) && a0->type != SKR_FT_BYTEBUF) {
            return bad_type(c, n, a0);
        }
        o->type = SKR_FT_UINT64;
        return o;
    case SKR_XF_JOIN:
        if (n->nkids != 2) {
            return cerr(c, n->pos, "transformer 'join' takes a separator and a list");
        }
        if (a0->is_list) {
            return cerr(c, n->pos, "the separator of 'join' must not be a list");
        }
        if (!o->args[1]->is_list || o->args[1]->kind == SKR_OPD_CONST) {
            return cerr(c, n->pos, "the second argument of 'join' must be a list");
        }
        o->type = SKR_FT_STRING;
        return o;
    case SKR_XF_CONCAT:
        if (n->nkids < 2) {
            return cerr(c, n->pos, "transformer 'concat' takes at least two arguments");
        }
        for (uint32_t i = 0; i < n->nkids; i++) {
            if (o->args[i]->is_list) {
                return cerr(c, n->kids[i]->pos, "the arguments of 'concat' must not be lists");
            }
        }
        o->type = SKR_FT_STRING;
        return o;
    case SKR_XF_GETOPT:
        if (n->nkids != 2) {
            return cerr(c, n->pos,
                        "transformer 'getopt' takes an argument list and an option string");
        }
        if (!a0->is_list || a0->kind == SKR_OPD_CONST ||
            (a0->kind == SKR_OPD_FIELD && !is_strlike(a0))) {
            return cerr(c, n->pos, "the first argument of 'getopt' must be a list of strings");
        }
        if (o->args[1]->is_list || !is_strlike(o->args[1])) {
            return cerr(c, n->pos, "the second argument of 'getopt' must be a string");
        }
        if (n->flags & SKR_AST_HAS_ARG) {
            if (n->arg_len != 1) {
                return cerr(c, n->pos, "the selector of 'getopt' must be exactly one character");
            }
            o->has_sel = true;
            o->sel = n->arg[0];
            o->type = SKR_FT_STRING;
        } else {
            o->type = SKR_FT_STRING;
            o->is_list = true;
        }
        return o;
    }
    return cerr(c, n->pos, "unknown transformer");
}

/* A left-hand side (or an output field): a field or a transformer other than val. */
static struct skr_operand *compile_lhs(struct skr_compiler *c, const struct skr_ast *n)
{
    if (n->kind == SKR_AST_FIELD) {
        return compile_field(c, n);
    }
    if (n->kind == SKR_AST_TRANSFORMER && n->op != SKR_XF_VAL) {
        return compile_xform(c, n);
    }
    return cerr(c, n->pos, "expected a field or a transformer");
}

int skr_compile_output_operand(struct skr_compiler *c,
                               const struct skr_ast *n,
                               struct skr_operand **out)
{
    bool prev = c->in_output;
    struct skr_operand *o;

    c->in_output = true;
    o = compile_lhs(c, n);
    c->in_output = prev;
    if (o == NULL) {
        return -EINVAL;
    }
    *out = o;
    return 0;
}

int skr_compile_check_lhs(struct skr_compiler *c, const char *source, const struct skr_ast *lhs)
{
    c->source = source;
    c->in_output = false;
    return compile_lhs(c, lhs) != NULL ? 0 : -EINVAL;
}

/* ---- Checks ---------------------------------------------------------------------------------- */

static const char *cls_desc(enum skr_cls cls, bool list)
{
    if (list) {
        return "list";
    }
    switch (cls) {
    case SKR_CLS_U64:
    case SKR_CLS_S64:
    case SKR_CLS_DBL:
        return "numeric";
    case SKR_CLS_BOOL:
        return "boolean";
    case SKR_CLS_STR:
        return "string";
    case SKR_CLS_BUF:
        return "buffer";
    case SKR_CLS_IP:
        return "IP address";
    case SKR_CLS_NET:
        return "IP network";
    default:
        return "unknown";
    }
}

static bool op_allowed(enum skr_cls cls, bool list, enum skr_op op)
{
    if (op == SKR_OP_EXISTS) {
        return true;
    }
    if (list) {
        return op == SKR_OP_IN || op == SKR_OP_INTERSECTS;
    }
    switch (cls) {
    case SKR_CLS_U64:
    case SKR_CLS_S64:
    case SKR_CLS_DBL:
        return op == SKR_OP_EQ || op == SKR_OP_NE || op == SKR_OP_LT || op == SKR_OP_LE ||
               op == SKR_OP_GT || op == SKR_OP_GE || op == SKR_OP_IN || op == SKR_OP_INTERSECTS;
    case SKR_CLS_BOOL:
    case SKR_CLS_IP:
    case SKR_CLS_NET:
        return op == SKR_OP_EQ || op == SKR_OP_NE || op == SKR_OP_IN || op == SKR_OP_INTERSECTS;
    case SKR_CLS_STR:
        return op != SKR_OP_BCONTAINS && op != SKR_OP_BSTARTSWITH;
    case SKR_CLS_BUF:
        return op == SKR_OP_EQ || op == SKR_OP_NE || op == SKR_OP_CONTAINS ||
               op == SKR_OP_STARTSWITH || op == SKR_OP_ENDSWITH || op == SKR_OP_BCONTAINS ||
               op == SKR_OP_BSTARTSWITH || op == SKR_OP_IN || op == SKR_OP_INTERSECTS;
    default:
        return false;
    }
}

/* Strict decimal integer. */
static bool parse_int(const char *s, bool *neg, uint64_t *mag)
{
    const char *p = s;
    uint64_t v = 0;

    *neg = false;
    if (*p == '+' || *p == '-') {
        *neg = *p == '-';
        p++;
    }
    if (*p == '\0') {
        return false;
    }
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *mag = v;
    return true;
}

static uint64_t type_mask(uint32_t type)
{
    switch (type) {
    case SKR_FT_UINT8:
        return 0xffULL;
    case SKR_FT_UINT16:
    case SKR_FT_PORT:
        return 0xffffULL;
    case SKR_FT_UINT32:
        return 0xffffffffULL;
    default:
        return UINT64_MAX;
    }
}

/* Parses one constant for the check's class into v (arena memory). */
static bool parse_const(struct skr_compiler *c,
                        const struct skr_check *chk,
                        uint32_t type,
                        const struct skr_ast *vn,
                        struct skr_value *v)
{
    const char *s = vn->str;
    bool neg;
    uint64_t mag;

    memset(v, 0, sizeof(*v));
    switch ((enum skr_cls)chk->cls) {
    case SKR_CLS_U64:
    case SKR_CLS_S64:
        if (memchr(s, '\0', vn->len) != NULL && strlen(s) != vn->len) {
            cerr(c, vn->pos, "%s is not a valid number", s);
            return false;
        }
        if (!parse_int(s, &neg, &mag)) {
            if (type == SKR_FT_PORT) {
                struct servent *se = getservbyname(s, NULL);
                if (se != NULL) {
                    v->u64 = ntohs((uint16_t)se->s_port);
                    return true;
                }
            }
            cerr(c, vn->pos, "%s is not a valid number", s);
            return false;
        }
        if (chk->cls == SKR_CLS_S64) {
            if ((!neg && mag > (uint64_t)INT64_MAX) || (neg && mag > (uint64_t)INT64_MAX + 1)) {
                cerr(c, vn->pos, "%s is not a valid number", s);
                return false;
            }
            v->s64 = neg ? (int64_t)(0 - mag) : (int64_t)mag;
        } else {
            v->u64 = (neg ? (0 - mag) : mag) & type_mask(type);
        }
        return true;
    case SKR_CLS_DBL:
        if (!parse_int(s, &neg, &mag)) {
            cerr(c, vn->pos, "%s is not a valid number", s);
            return false;
        }
        v->d = neg ? -(double)mag : (double)mag;
        return true;
    case SKR_CLS_BOOL:
        if (strcmp(s, "true") == 0) {
            v->u64 = 1;
        } else if (strcmp(s, "false") == 0) {
            v->u64 = 0;
        } else {
            cerr(c, vn->pos, "%s is not a valid boolean value (use true or false)", s);
            return false;
        }
        return true;
    case SKR_CLS_STR:
        if (memchr(s, '\0', vn->len) != NULL) {
            cerr(c, vn->pos, "filter error: string values must not contain NUL bytes");
            return false;
        }
        v->p = (const uint8_t *)s;
        v->len = vn->len;
        if (chk->op == SKR_OP_ICONTAINS) {
            /* compared case-insensitively: stored in lower case once */
            uint8_t *low = skr_arena_alloc(c->arena, vn->len + 1);
            if (low == NULL) {
                oom(c, vn->pos);
                return false;
            }
            for (uint32_t i = 0; i <= vn->len; i++) {
                low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (uint8_t)(s[i] + 32) : (uint8_t)s[i];
            }
            v->p = low;
        }
        return true;
    case SKR_CLS_BUF:
        if (chk->op == SKR_OP_BCONTAINS || chk->op == SKR_OP_BSTARTSWITH) {
            uint8_t *buf = skr_arena_alloc(c->arena, vn->len / 2 + 1);
            long n;
            if (buf == NULL) {
                oom(c, vn->pos);
                return false;
            }
            n = memchr(s, '\0', vn->len) != NULL ? -1 : skr_unhex(s, vn->len, buf);
            if (n < 0 || vn->len == 0) {
                cerr(c, vn->pos,
                     "filter error: bcontains and bstartswith operator support hex strings only");
                return false;
            }
            v->p = buf;
            v->len = (uint32_t)n;
            return true;
        }
        v->p = (const uint8_t *)s;
        v->len = vn->len;
        return true;
    case SKR_CLS_IP: {
        uint8_t *buf = skr_arena_alloc(c->arena, 16);
        int n = buf != NULL && strlen(s) == vn->len ? skr_parse_ip(s, buf) : -1;
        if (n < 0) {
            cerr(c, vn->pos, "%s is not a valid IP address", s);
            return false;
        }
        v->p = buf;
        v->len = (uint32_t)n;
        return true;
    }
    case SKR_CLS_NET: {
        uint8_t *buf = skr_arena_alloc(c->arena, 16);
        uint32_t bits = 0;
        int n = buf != NULL && strlen(s) == vn->len ? skr_parse_net(s, buf, &bits) : -1;
        if (n < 0) {
            cerr(c, vn->pos, "%s is not a valid IP network (expected address/bits)", s);
            return false;
        }
        v->p = buf;
        v->len = (uint32_t)n;
        v->u64 = bits;
        return true;
    }
    default:
        cerr(c, vn->pos, "unsupported field type");
        return false;
    }
}

static const char *const transformer_names[] = {
    "val", "tolower", "toupper", "b64", "basename", "len", "join", "concat", "getopt",
};

/* LOAD_COMPILE_CONDITION warnings for a string literal that looks like a field or a
 * transformer (the author probably meant val() or a transformer). */
static void warn_misused_value(struct skr_compiler *c, const struct skr_ast *vn)
{
    char buf[512];
    size_t o = 0;
    struct skr_field_desc d;
    size_t name_len = 0;

    if (vn->len >= sizeof(buf)) {
        return;
    }
    for (uint32_t i = 0; i < vn->len; i++) {
        if (vn->str[i] != ' ') {
            buf[o++] = vn->str[i];
        }
    }
    buf[o] = '\0';
    if (o == 0) {
        return;
    }
    for (size_t i = 0; i < sizeof(transformer_names) / sizeof(transformer_names[0]); i++) {
        size_t tl = strlen(transformer_names[i]);
        if (o > tl + 1 && memcmp(buf, transformer_names[i], tl) == 0 && buf[tl] == '(' &&
            buf[o - 1] == ')') {
            skr_compiler_msg(
                    c, true, W_COND, vn->pos,
                    "'%s' may be a valid field transformer misused as a const string value",
                    vn->str);
            return;
        }
    }
    if (strchr(buf, '.') == NULL || c->host == NULL || c->host->lookup_field == NULL) {
        return;
    }
    for (size_t i = 0; i < o; i++) {
        char ch = buf[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '[' || ch == ']')) {
            return;
        }
    }
    {
        size_t flen = strcspn(buf, "[");
        if (c->host->lookup_field(c->host->user, c->source, buf, flen, &d, &name_len) == 0 &&
            name_len == flen) {
            skr_compiler_msg(c, true, W_COND, vn->pos,
                             "'%s' may be a valid field misused as a const string value", vn->str);
        }
    }
}

static bool is_regex_meta(char ch)
{
    return strchr("\\.^$|?*+()[]{}", ch) != NULL;
}

/* A regex whose only metacharacters are anchors and leading/trailing wildcards is a plain
 * string operator in disguise. */
static void warn_simple_regex(struct skr_compiler *c, const struct skr_ast *vn)
{
    const char *s = vn->str;
    size_t b = 0;
    size_t e = vn->len;

    if (e > 0 && s[0] == '^') {
        b++;
    }
    if (e > b && s[e - 1] == '$' && (e < 2 || s[e - 2] != '\\')) {
        e--;
    }
    if (e - b >= 2 && s[b] == '.' && (s[b + 1] == '*' || s[b + 1] == '+' || s[b + 1] == '?')) {
        b += 2;
    }
    if (e - b >= 2 && s[e - 2] == '.' && (s[e - 1] == '*' || s[e - 1] == '+' || s[e - 1] == '?') &&
        (e - b < 3 || s[e - 3] != '\\')) {
        e -= 2;
    }
    for (size_t i = b; i < e; i++) {
        if (is_regex_meta(s[i])) {
            return;
        }
    }
    skr_compiler_msg(
            c, true, W_COND, vn->pos,
            "regex '%s' can be replaced by a simpler and faster operator (=, contains, startswith or endswith)",
            s);
}

static bool compile_regex(struct skr_compiler *c,
                          struct skr_check *chk,
                          const struct skr_ast *vn,
                          uint32_t i)
{
    int errcode = 0;
    PCRE2_SIZE erroff = 0;
    pcre2_code *re;

    re = pcre2_compile((PCRE2_SPTR)chk->vals[i].p, chk->vals[i].len,
                       PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOLLAR_ENDONLY, &errcode, &erroff,
                       NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0) {
            msg[0] = '\0';
        }
        cerr(c, vn->pos, "invalid regular expression '%s': %s at offset %zu", vn->str,
             (const char *)msg, (size_t)erroff);
        return false;
    }
    /* JIT when the platform has it; pcre2_match falls back to the interpreter otherwise. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    chk->re[i] = re;
    if (c->ncodes == c->codes_cap) {
        uint32_t ncap = c->codes_cap ? c->codes_cap * 2 : 16;
        void **nc = realloc(c->codes, ncap * sizeof(*nc));
        if (nc == NULL) {
            pcre2_code_free(re);
            chk->re[i] = NULL;
            oom(c, vn->pos);
            return false;
        }
        c->codes = nc;
        c->codes_cap = ncap;
    }
    c->codes[c->ncodes++] = re;
    return true;
}

static const char *lhs_field_name(const struct skr_operand *o)
{
    return o->text;
}

/* Whether name is one of the check's string constants. */
static bool among_values(const struct skr_check *chk, const char *name)
{
    size_t len = strlen(name);

    for (uint32_t i = 0; i < chk->nvals; i++) {
        if (chk->vals[i].len == len && memcmp(chk->vals[i].p, name, len) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * evt.type =, != or in constants, decided by the event code when the source's event-type
 * table allows it: every code a tested name stands for must stand for tested names only
 * (a generic syscall event's code stands for many names, and then the value is needed).
 * Leaves chk unchanged when it cannot decide.
 */
static void fold_evt_type(struct skr_compiler *c, struct skr_check *chk)
{
    const struct skr_rules_host *h = c->host;
    uint16_t codes[64];
    const char *names[64];
    uint64_t *bits;
    uint32_t maxc = 0;
    uint16_t *all = NULL;
    size_t nall = 0;

    if (h == NULL || h->event_codes == NULL || h->event_code_names == NULL ||
        chk->lhs->kind != SKR_OPD_FIELD || chk->lhs->req == NULL || chk->lhs->req->arg_present ||
        chk->rhs != NULL || chk->mod != SKR_MOD_NONE || chk->cls != SKR_CLS_STR ||
        (chk->op != SKR_OP_EQ && chk->op != SKR_OP_NE && chk->op != SKR_OP_IN) ||
        strcmp(chk->lhs->text, "evt.type") != 0 || chk->nvals == 0) {
        return;
    }
    for (uint32_t i = 0; i < chk->nvals; i++) {
        char name[128];
        size_t n;
        uint16_t *na;
        if (chk->vals[i].len >= sizeof(name)) {
            free(all);
            return;
        }
        memcpy(name, chk->vals[i].p, chk->vals[i].len);
        name[chk->vals[i].len] = '\0';
        n = h->event_codes(h->user, c->source, name, codes, 64);
        if (n == 0 || n > 64) {
            free(all);
            return;
        }
        na = realloc(all, (nall + n) * sizeof(*all));
        if (na == NULL) {
            free(all);
            return;
        }
        all = na;
        memcpy(all + nall, codes, n * sizeof(*codes));
        nall += n;
    }
    for (size_t i = 0; i < nall; i++) {
        size_t nn = h->event_code_names(h->user, c->source, all[i], names, 64);
        if (nn == 0 || nn > 64) {
            free(all);
            return;
        }
        for (size_t j = 0; j < nn; j++) {
            if (!among_values(chk, names[j])) {
                free(all);
                return;
            }
        }
        maxc = all[i] > maxc ? all[i] : maxc;
    }
    bits = skr_arena_calloc(c->arena, maxc / 64 + 1, sizeof(*bits));
    if (bits != NULL) {
        for (size_t i = 0; i < nall; i++) {
            bits[all[i] >> 6] |= 1ull << (all[i] & 63);
        }
        chk->typebits = bits;
        chk->ntypebits = (maxc / 64 + 1) * 64;
        chk->type_neg = chk->op == SKR_OP_NE;
    }
    free(all);
}

static struct skr_check *compile_check(struct skr_compiler *c,
                                       const struct skr_ast *n,
                                       struct skr_check *chk)
{
    const struct skr_ast *rhs;
    struct skr_operand *lhs;
    enum skr_op op = n->op;

    if (chk == NULL) {
        return oom(c, n->pos);
    }
    lhs = compile_lhs(c, n->kids[0]);
    if (lhs == NULL) {
        return NULL;
    }
    if (op == SKR_OP_EQEQ) {
        op = SKR_OP_EQ;
    }
    chk->lhs = lhs;
    chk->op = (uint8_t)op;
    chk->mod = n->mod;
    chk->cls = (uint8_t)skr_type_class(lhs->type);
    chk->lhs_list = lhs->is_list;
    if (!op_allowed(chk->cls, chk->lhs_list, op)) {
        return cerr(c, n->pos, "'%s' operator not supported for %s filters (field '%s')",
                    skr_op_name(op), cls_desc(chk->cls, chk->lhs_list), lhs_field_name(lhs));
    }
    if (n->kind == SKR_AST_UNARY) {
        skr_check_specialize(chk);
        return chk;
    }
    rhs = n->kids[1];
    if (chk->mod != SKR_MOD_NONE && chk->lhs_list) {
        return cerr(c, n->pos, "operator modifiers cannot be used with list field '%s'",
                    lhs_field_name(lhs));
    }
    if (rhs->kind == SKR_AST_TRANSFORMER) {
        struct skr_operand *r;
        if (op == SKR_OP_PMATCH || op == SKR_OP_REGEX || chk->cls == SKR_CLS_NET) {
            return cerr(c, rhs->pos,
                        "operator '%s' does not support right-hand side fields with field '%s'",
                        skr_op_name(op), lhs_field_name(lhs));
        }
        if (lhs->kind == SKR_OPD_FIELD && (lhs->fflags & SKR_FIELD_NO_RHS)) {
            return cerr(c, n->pos, "field '%s' doesn't support right-hand side fields",
                        lhs_field_name(lhs));
        }
        r = compile_xform(c, rhs);
        if (r == NULL) {
            return NULL;
        }
        if (r->kind == SKR_OPD_FIELD && (r->fflags & SKR_FIELD_NO_RHS)) {
            return cerr(c, rhs->pos, "field '%s' can't be used as a right-hand side field",
                        r->text);
        }
        if (skr_type_class(r->type) != chk->cls || r->is_list != lhs->is_list) {
            return cerr(
                    c, rhs->pos,
                    "field '%s' has type '%s%s' while the right-hand side field '%s' has incompatible type '%s%s'",
                    lhs->text, skr_type_name(lhs->type), lhs->is_list ? " (list)" : "", r->text,
                    skr_type_name(r->type), r->is_list ? " (list)" : "");
        }
        chk->rhs = r;
        skr_check_specialize(chk);
        return chk;
    }

    /* Constant values. */
    {
        const struct skr_ast *const *vnodes;
        uint32_t nv;
        const struct skr_ast *single = rhs;

        if (rhs->kind == SKR_AST_LIST) {
            vnodes = (const struct skr_ast *const *)rhs->kids;
            nv = rhs->nkids;
        } else {
            vnodes = &single;
            nv = 1;
        }
        if (!skr_op_is_list(op) && chk->mod == SKR_MOD_NONE && nv != 1) {
            return cerr(c, rhs->pos, "operator '%s' takes a single value", skr_op_name(op));
        }
        chk->nvals = nv;
        chk->vals = skr_arena_calloc(c->arena, nv ? nv : 1, sizeof(*chk->vals));
        if (chk->vals == NULL) {
            return oom(c, rhs->pos);
        }
        for (uint32_t i = 0; i < nv; i++) {
            if (!parse_const(c, chk, lhs->type, vnodes[i], &chk->vals[i])) {
                return NULL;
            }
        }
        if (rhs->kind == SKR_AST_VALUE && chk->cls == SKR_CLS_STR && op != SKR_OP_REGEX) {
            warn_misused_value(c, rhs);
        }
        if (op == SKR_OP_PMATCH) {
            if (chk->cls != SKR_CLS_STR) {
                return cerr(c, n->pos, "'pmatch' operator not supported for %s filters",
                            cls_desc(chk->cls, false));
            }
            chk->pm = skr_pmatch_new(c->arena, chk->vals, nv);
            if (chk->pm == NULL) {
                return oom(c, rhs->pos);
            }
        }
        if ((op == SKR_OP_IN || op == SKR_OP_INTERSECTS) &&
            (chk->cls == SKR_CLS_STR || chk->cls == SKR_CLS_BUF) && nv > 16) {
            chk->set = skr_strset_new(c->arena, chk->vals, nv);
            if (chk->set == NULL) {
                return oom(c, rhs->pos);
            }
        }
        if (op == SKR_OP_REGEX) {
            chk->re = skr_arena_calloc(c->arena, nv ? nv : 1, sizeof(*chk->re));
            if (chk->re == NULL) {
                return oom(c, rhs->pos);
            }
            for (uint32_t i = 0; i < nv; i++) {
                if (!compile_regex(c, chk, vnodes[i], i)) {
                    return NULL;
                }
                warn_simple_regex(c, vnodes[i]);
            }
        }
    }
    skr_check_specialize(chk);
    fold_evt_type(c, chk);
    return chk;
}

/* ---- Conditions ------------------------------------------------------------------------------- */

/* A rule runs only for the event types its index entry names, so its evt.type tests are
 * nearly always true: in an "and", they go after the other operands, which fail sooner.
 * Checks have no side effects, so the result is the same. */
static bool is_evt_type_check(const struct skr_cnode *k)
{
    const struct skr_check *chk = k->kind == SKR_CN_CHECK ? k->chk : NULL;

    return chk != NULL && chk->lhs->kind == SKR_OPD_FIELD && !chk->lhs->req->arg_present &&
           chk->rhs == NULL && chk->mod == SKR_MOD_NONE &&
           (chk->op == SKR_OP_EQ || chk->op == SKR_OP_IN) &&
           strcmp(chk->lhs->text, "evt.type") == 0;
}

static uint32_t operand_cost(const struct skr_operand *o)
{
    uint32_t cost = o != NULL ? o->cost : 0;

    for (uint32_t i = 0; o != NULL && i < o->nargs; i++) {
        uint32_t k = operand_cost(o->args[i]);
        cost = k > cost ? k : cost;
    }
    return cost;
}

/* The highest extraction cost among a node's checks. */
static uint32_t node_cost(const struct skr_cnode *k)
{
    uint32_t cost = 0;

    if (k->kind == SKR_CN_CHECK) {
        uint32_t l = operand_cost(k->chk->lhs);
        uint32_t r = operand_cost(k->chk->rhs);
        return l > r ? l : r;
    }
    for (uint32_t i = 0; i < k->n; i++) {
        uint32_t c = node_cost(k->kids[i]);
        cost = c > cost ? c : cost;
    }
    return cost;
}

/* Operands of "and"/"or" whose fields cost more to extract (another plugin's, looked up in
 * shared tables) go after the others: a cheap operand that decides the result saves the
 * extraction. Checks have no side effects, so the result is the same. */
static bool is_costly(const struct skr_cnode *k)
{
    return node_cost(k) > 0;
}

/* A check that holds for few events: a string field compared to constants by equality,
 * membership, prefix, suffix, substring or pattern. Not one against single characters
 * only (fd.typechar = f, evt.dir = <: a handful of values, most events have the common
 * one), nor negations, booleans, numbers or field-to-field comparisons. */
static bool check_is_selective(const struct skr_check *chk)
{
    bool longer = false;

    if (chk->typebits != NULL || chk->rhs != NULL || chk->mod != SKR_MOD_NONE ||
        (chk->cls != SKR_CLS_STR && chk->cls != SKR_CLS_BUF)) {
        return false;
    }
    switch (chk->op) {
    case SKR_OP_EQ:
    case SKR_OP_IN:
    case SKR_OP_INTERSECTS:
    case SKR_OP_STARTSWITH:
    case SKR_OP_BSTARTSWITH:
    case SKR_OP_ENDSWITH:
    case SKR_OP_CONTAINS:
    case SKR_OP_ICONTAINS:
    case SKR_OP_BCONTAINS:
    case SKR_OP_GLOB:
    case SKR_OP_IGLOB:
    case SKR_OP_PMATCH:
    case SKR_OP_REGEX:
        break;
    default:
        return false;
    }
    for (uint32_t i = 0; i < chk->nvals; i++) {
        longer = longer || chk->vals[i].len > 1;
    }
    return longer;
}

/* An operand likely to be false: a selective check, an "and" with one, an "or" of them. */
static bool is_selective(const struct skr_cnode *k)
{
    switch ((enum skr_cnode_kind)k->kind) {
    case SKR_CN_CHECK:
        return check_is_selective(k->chk);
    case SKR_CN_MEMO:
        return is_selective(k->kids[0]);
    case SKR_CN_AND:
        for (uint32_t i = 0; i < k->n; i++) {
            if (is_selective(k->kids[i])) {
                return true;
            }
        }
        return false;
    case SKR_CN_OR:
        for (uint32_t i = 0; i < k->n; i++) {
            if (!is_selective(k->kids[i])) {
                return false;
            }
        }
        return k->n > 0;
    default:
        return false;
    }
}

/* In an "and", operands likely to be true go after the others: a rule such as
 * "open_read and sensitive_files and ..." then looks at the file name first, which
 * decides nearly every event, instead of extracting the open flags, the fd type and the
 * fd number that nearly every open has. Checks have no side effects: same result. */
static bool is_unselective(const struct skr_cnode *k)
{
    return !is_selective(k);
}

/* Moves the operands late() picks after the others, keeping both groups in their order.
 * Without memory the order stays as it is (still correct, only slower). */
static void move_last(struct skr_cnode **kids, uint32_t n, bool (*late)(const struct skr_cnode *))
{
    struct skr_cnode **moved;
    uint32_t w = 0;
    uint32_t nm = 0;

    if (n < 2 || (moved = malloc(n * sizeof(*moved))) == NULL) {
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (late(kids[i])) {
            moved[nm++] = kids[i];
        } else {
            kids[w++] = kids[i];
        }
    }
    memcpy(kids + w, moved, nm * sizeof(*kids));
    free(moved);
}

/* One compiled macro body: the node every reference of the macro (for one source) shares. */
struct skr_memo_ent {
    const struct skr_ast *body;
    const char *source;
    struct skr_cnode *node;
    uint32_t refs;
};

/* The shared node of a macro body just compiled as k: the first compile of (body, source)
 * is kept (behind a memo node when it has operands to evaluate), later ones give the same
 * node. Every reference is still compiled, so each rule gets its own messages. */
static struct skr_cnode *share_macro(struct skr_compiler *c,
                                     const struct skr_ast *body,
                                     struct skr_cnode *k)
{
    struct skr_memo_ent *e;
    struct skr_cnode *m;

    for (uint32_t i = 0; i < c->nmemos; i++) {
        e = &c->memos[i];
        if (e->body == body && strcmp(e->source, c->source) == 0) {
            e->refs++;
            return e->node;
        }
    }
    if (c->nmemos == c->memos_cap) {
        uint32_t ncap = c->memos_cap ? c->memos_cap * 2 : 64;
        struct skr_memo_ent *nv = realloc(c->memos, ncap * sizeof(*nv));
        if (nv == NULL) {
            return k; /* not shared: still correct */
        }
        c->memos = nv;
        c->memos_cap = ncap;
    }
    m = k;
    if (k->kind == SKR_CN_AND || k->kind == SKR_CN_OR || k->kind == SKR_CN_NOT) {
        m = skr_arena_calloc(c->arena, 1, sizeof(*m));
        if (m == NULL || (m->kids = skr_arena_alloc(c->arena, sizeof(*m->kids))) == NULL) {
            return k;
        }
        m->kind = SKR_CN_MEMO;
        m->n = 1;
        m->kids[0] = k;
    }
    e = &c->memos[c->nmemos++];
    e->body = body;
    e->source = c->source;
    e->node = m;
    e->refs = 1;
    return m;
}

uint32_t skr_compiler_assign_memos(struct skr_compiler *c)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < c->nmemos; i++) {
        struct skr_cnode *m = c->memos[i].node;
        if (m->kind == SKR_CN_MEMO) {
            m->slot = c->memos[i].refs > 1 ? ++n : 0;
        }
    }
    return n;
}

/* A check node and its check share one allocation (one cache line apart at most). */
struct cnode_check {
    struct skr_cnode n;
    struct skr_check c;
};

static struct skr_cnode *compile_node(struct skr_compiler *c, const struct skr_ast *n)
{
    struct skr_cnode *cn;

    switch (n->kind) {
    case SKR_AST_AND:
    case SKR_AST_OR:
    case SKR_AST_NOT: {
        uint8_t kind = n->kind == SKR_AST_AND  ? SKR_CN_AND
                       : n->kind == SKR_AST_OR ? SKR_CN_OR
                                               : SKR_CN_NOT;
        struct skr_cnode **kids = NULL;
        uint32_t nk = 0;
        uint32_t cap = 0;

        if (kind == SKR_CN_NOT) {
            struct skr_cnode *k = compile_node(c, n->kids[0]);
            if (k == NULL) {
                return NULL;
            }
            if (k->kind == SKR_CN_NOT) {
                return k->kids[0]; /* not not x is x */
            }
            cn = skr_arena_calloc(c->arena, 1, sizeof(*cn));
            if (cn == NULL || (cn->kids = skr_arena_alloc(c->arena, sizeof(*cn->kids))) == NULL) {
                return oom(c, n->pos);
            }
            cn->kind = kind;
            cn->n = 1;
            cn->kids[0] = k;
            return cn;
        }
        /* Nested chains of the same operator (macros, parentheses) become one level:
         * same operands, same order, same short-circuit. */
        for (uint32_t i = 0; i < n->nkids; i++) {
            struct skr_cnode *k = compile_node(c, n->kids[i]);
            uint32_t add;
            if (k == NULL) {
                free(kids);
                return NULL;
            }
            add = k->kind == kind ? k->n : 1;
            if (nk + add > cap) {
                uint32_t ncap = (nk + add) * 2;
                struct skr_cnode **nv = realloc(kids, ncap * sizeof(*nv));
                if (nv == NULL) {
                    free(kids);
                    return oom(c, n->pos);
                }
                kids = nv;
                cap = ncap;
            }
            if (k->kind == kind) {
                memcpy(kids + nk, k->kids, k->n * sizeof(*kids));
            } else {
                kids[nk] = k;
            }
            nk += add;
        }
        if (kind == SKR_CN_AND) {
            move_last(kids, nk, is_unselective);
        }
        move_last(kids, nk, is_costly);
        if (kind == SKR_CN_AND) {
            move_last(kids, nk, is_evt_type_check);
        }
        cn = skr_arena_calloc(c->arena, 1, sizeof(*cn));
        if (cn != NULL && nk > 0) {
            cn->kids = skr_arena_memdup(c->arena, kids, nk * sizeof(*kids));
        }
        free(kids);
        if (cn == NULL || (nk > 0 && cn->kids == NULL)) {
            return oom(c, n->pos);
        }
        cn->kind = kind;
        cn->n = nk;
        return cn;
    }
    case SKR_AST_UNARY:
    case SKR_AST_BINARY: {
        struct cnode_check *cc = skr_arena_calloc(c->arena, 1, sizeof(*cc));
        if (cc == NULL) {
            return oom(c, n->pos);
        }
        cc->n.kind = SKR_CN_CHECK;
        cc->n.chk = compile_check(c, n, &cc->c);
        return cc->n.chk != NULL ? &cc->n : NULL;
    }
    case SKR_AST_MACRO: {
        /* Errors inside a macro are reported at the reference, as Falco does. */
        bool outer = c->macro_ref == NULL;
        struct skr_cnode *k;
        if (outer) {
            c->macro_ref = n;
        }
        k = compile_node(c, n->kids[0]);
        if (outer) {
            c->macro_ref = NULL;
        }
        return k != NULL && !c->in_output ? share_macro(c, n->kids[0], k) : k;
    }
    case SKR_AST_IDENT:
        return cerr(c, n->pos, "filter error: unexpected identifier '%s'", n->str);
    default:
        return cerr(c, n->pos, "filter error: unexpected expression");
    }
}

struct skr_cnode *skr_compile_cond(struct skr_compiler *c,
                                   const char *source,
                                   const struct skr_ast *ast)
{
    c->source = source;
    c->in_output = false;
    return compile_node(c, ast);
}

/* ---- AST-level warnings ------------------------------------------------------------------------ */

static bool is_na_op(enum skr_op op)
{
    return op == SKR_OP_EQ || op == SKR_OP_EQEQ || op == SKR_OP_NE || op == SKR_OP_IN ||
           op == SKR_OP_INTERSECTS || op == SKR_OP_PMATCH;
}

static bool is_na_value(const struct skr_ast *v)
{
    if (v->kind == SKR_AST_VALUE) {
        return v->len == 4 && memcmp(v->str, "<NA>", 4) == 0;
    }
    if (v->kind == SKR_AST_LIST) {
        for (uint32_t i = 0; i < v->nkids; i++) {
            if (is_na_value(v->kids[i])) {
                return true;
            }
        }
    }
    return false;
}

static void ast_warn_walk(struct skr_compiler *c, const struct skr_ast *n, bool *seen_dep)
{
    if (n->kind == SKR_AST_MACRO) {
        bool outer = c->macro_ref == NULL;
        if (outer) {
            c->macro_ref = n;
        }
        ast_warn_walk(c, n->kids[0], seen_dep);
        if (outer) {
            c->macro_ref = NULL;
        }
        return;
    }
    if (n->kind == SKR_AST_FIELD) {
        for (size_t i = 0; i < sizeof(deprecated_fields) / sizeof(deprecated_fields[0]); i++) {
            if (seen_dep[i] || strlen(deprecated_fields[i]) != n->len ||
                memcmp(deprecated_fields[i], n->str, n->len) != 0) {
                continue;
            }
            seen_dep[i] = true;
            skr_compiler_msg(
                    c, true, W_DEPRECATED, n->pos,
                    "usage of deprecated field '%s' has been detected in the rule condition",
                    deprecated_fields[i]);
            if (c->nmsgs > 0) {
                c->msgs[c->nmsgs - 1].deprecated_field = deprecated_fields[i];
            }
        }
        return;
    }
    if (n->kind == SKR_AST_BINARY && n->kids[0]->kind == SKR_AST_FIELD && is_na_op(n->op)) {
        const struct skr_ast *f = n->kids[0];
        if (((f->len >= 3 && memcmp(f->str, "ka.", 3) == 0) ||
             (f->len >= 5 && memcmp(f->str, "jevt.", 5) == 0)) &&
            is_na_value(n->kids[1])) {
            skr_compiler_msg(
                    c, true, W_NA, n->pos,
                    "comparing a field value with <NA> is unsafe and can lead to unpredictable behavior of the rule condition. If you need to check for the existence of a field, consider using the 'exists' operator instead.");
        }
    }
    if (n->kind == SKR_AST_LIST) {
        return;
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        ast_warn_walk(c, n->kids[i], seen_dep);
    }
}

void skr_ast_warnings(struct skr_compiler *c, const struct skr_ast *ast)
{
    bool seen_dep[sizeof(deprecated_fields) / sizeof(deprecated_fields[0])] = { false };

    ast_warn_walk(c, ast, seen_dep);
}
