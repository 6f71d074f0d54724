/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading one rules file (libyaml) into the collector, item by item, as
 * Falco's rules reader does: the kind of an item is the first of
 * required_engine_version, required_plugin_versions, list, macro, rule that
 * is present; keys are decoded with Falco's messages; the first error stops
 * the file. Appends and overrides are applied to the collector as they are
 * read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "rules/collect.h"
#include "rules/parser.h"

#define E_YAML     "LOAD_ERR_YAML_VALIDATE"
#define E_VALIDATE "LOAD_ERR_VALIDATE"

#define WARNING_APPEND                                                                    \
    "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under " \
    "'override' instead."
#define WARNING_ENABLED                                                                       \
    "The standalone 'enabled' key usage is deprecated. The correct approach requires also a " \
    "'replace' entry under the 'override' key (i.e. 'enabled: replace')."
#define ERROR_OVERRIDE_APPEND                                                                  \
    "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. " \
    "'condition: append') under 'override' instead."

struct rd {
    struct collector *c;
    const struct cl_file *f;
    yaml_document_t *doc;
    struct skr_diags *diags;
    struct cl_error *err;
};

/* ---- YAML helpers --------------------------------------------------------------------- */

static yaml_node_t *node_of(struct rd *r, int id)
{
    return yaml_document_get_node(r->doc, id);
}

static struct cl_mark mark_of(struct rd *r, const yaml_node_t *n)
{
    struct cl_mark m = { r->f, 0, 0, 0 };

    if (n != NULL) {
        m.line = (uint32_t)n->start_mark.line;
        m.col = (uint32_t)n->start_mark.column;
        m.off = (uint32_t)n->start_mark.index;
    }
    return m;
}

static struct cl_ctx ctx_of(struct rd *r, const yaml_node_t *n, const char *kind, const char *name)
{
    struct cl_ctx x;

    x.mark = mark_of(r, n);
    x.kind = kind;
    x.name = name != NULL ? name : "";
    return x;
}

static bool is_scalar(const yaml_node_t *n)
{
    return n != NULL && n->type == YAML_SCALAR_NODE;
}

static const char *scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
    const char *s;

    if (n == NULL || n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    s = scalar(n);
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* The value of key in mapping m (first match), or NULL. */
static yaml_node_t *get(struct rd *r, const yaml_node_t *m, const char *key, yaml_node_t **keynode)
{
    if (m == NULL || m->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_of(r, p->key);
        if (is_scalar(k) && strcmp(scalar(k), key) == 0) {
            if (keynode != NULL) {
                *keynode = k;
            }
            return node_of(r, p->value);
        }
    }
    return NULL;
}

static bool has(struct rd *r, const yaml_node_t *m, const char *key)
{
    return get(r, m, key, NULL) != NULL;
}

static int fail(struct rd *r,
                const char *code,
                const struct cl_ctx *ctx,
                const struct cl_ctx *sub,
                const char *fmt,
                ...) SKR_PRINTF(5, 6);

static int fail(struct rd *r,
                const char *code,
                const struct cl_ctx *ctx,
                const struct cl_ctx *sub,
                const char *fmt,
                ...)
{
    va_list ap;

    r->err->code = code;
    va_start(ap, fmt);
    if (vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap) < 0) {
        r->err->msg[0] = '\0';
    }
    va_end(ap);
    /* Names may point into the YAML document, which is gone when the error is reported. */
    r->err->ctx = *ctx;
    r->err->ctx.name = skr_arena_strdup(&r->c->a, ctx->name != NULL ? ctx->name : "");
    if (sub != NULL) {
        r->err->sub = *sub;
        r->err->sub.name = skr_arena_strdup(&r->c->a, sub->name != NULL ? sub->name : "");
    } else {
        memset(&r->err->sub, 0, sizeof(r->err->sub));
    }
    return -EINVAL;
}

static int oom(struct rd *r, const struct cl_ctx *ctx)
{
    return fail(r, E_VALIDATE, ctx, NULL, "out of memory while loading rules");
}

static void warn(struct rd *r,
                 const char *code,
                 const struct cl_ctx *ctx,
                 const struct cl_ctx *sub,
                 const char *msg)
{
    struct skr_pos none = { 0, 0, 0 };

    diag_report(r->diags, SKR_DIAG_WARNING, code, msg, ctx, sub, NULL, NULL, none, NULL);
}

static char *dup(struct rd *r, const char *s)
{
    return skr_arena_strdup(&r->c->a, s);
}

/* yaml-cpp's boolean spellings. */
static int parse_bool(const char *s, bool *out)
{
    static const char *const t[] = { "y",    "Y",    "yes", "Yes", "YES", "true",
                                     "True", "TRUE", "on",  "On",  "ON" };
    static const char *const f[] = { "n",     "N",     "no",  "No",  "NO", "false",
                                     "False", "FALSE", "off", "Off", "OFF" };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (strcmp(s, t[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, f[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (*s == '+') {
        s++;
    }
    if (*s == '\0') {
        return -EINVAL;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) {
            return -EINVAL;
        }
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Falco's decode_val: a present, non-null, non-empty scalar. *out NULL when absent and
 * optional. */
static int decode_scalar(struct rd *r,
                         const yaml_node_t *item,
                         const char *key,
                         const struct cl_ctx *ctx,
                         bool optional,
                         const yaml_node_t **out)
{
    const yaml_node_t *v = get(r, item, key, NULL);
    struct cl_ctx vctx;

    *out = NULL;
    if (v == NULL) {
        if (optional) {
            return 0;
        }
        return fail(r, E_YAML, ctx, NULL, "Item has no mapping for key '%s'", key);
    }
    if (is_null(v)) {
        return fail(r, E_YAML, ctx, NULL, "Mapping for key '%s' is empty", key);
    }
    vctx = ctx_of(r, v, "value for", key);
    if (!is_scalar(v)) {
        return fail(r, E_YAML, ctx, &vctx, "Value is not a scalar value");
    }
    if (scalar(v)[0] == '\0') {
        return fail(r, E_YAML, ctx, &vctx, "Value must be non-empty");
    }
    *out = v;
    return 0;
}

static int decode_str(struct rd *r,
                      const yaml_node_t *item,
                      const char *key,
                      const struct cl_ctx *ctx,
                      bool optional,
                      char **out)
{
    const yaml_node_t *v;
    int rc = decode_scalar(r, item, key, ctx, optional, &v);

    *out = NULL;
    if (rc < 0 || v == NULL) {
        return rc;
    }
    *out = dup(r, scalar(v));
    return *out != NULL ? 0 : oom(r, ctx);
}

static int decode_bool(struct rd *r,
                       const yaml_node_t *item,
                       const char *key,
                       const struct cl_ctx *ctx,
                       bool optional,
                       bool *out,
                       bool *present)
{
    const yaml_node_t *v;
    int rc = decode_scalar(r, item, key, ctx, optional, &v);

    if (present != NULL) {
        *present = false;
    }
    if (rc < 0 || v == NULL) {
        return rc;
    }
    if (parse_bool(scalar(v), out) < 0) {
        struct cl_ctx vctx = ctx_of(r, v, "value for", key);
        return fail(r, E_YAML, ctx, &vctx, "Can't decode YAML scalar value");
    }
    if (present != NULL) {
        *present = true;
    }
    return 0;
}

static int decode_u64(struct rd *r,
                      const yaml_node_t *item,
                      const char *key,
                      const struct cl_ctx *ctx,
                      bool optional,
                      uint64_t *out,
                      bool *present)
{
    const yaml_node_t *v;
    int rc = decode_scalar(r, item, key, ctx, optional, &v);

    if (present != NULL) {
        *present = false;
    }
    if (rc < 0 || v == NULL) {
        return rc;
    }
    if (parse_u64(scalar(v), out) < 0) {
        struct cl_ctx vctx = ctx_of(r, v, "value for", key);
        return fail(r, E_YAML, ctx, &vctx, "Can't decode YAML scalar value");
    }
    if (present != NULL) {
        *present = true;
    }
    return 0;
}

/* A sequence of scalars (items, tags). */
static int decode_seq(struct rd *r,
                      const yaml_node_t *item,
                      const char *key,
                      const struct cl_ctx *ctx,
                      bool optional,
                      char ***out,
                      uint32_t *nout,
                      bool *present)
{
    const yaml_node_t *v = get(r, item, key, NULL);
    struct cl_ctx vctx;
    char **arr;
    uint32_t n = 0;

    *out = NULL;
    *nout = 0;
    if (present != NULL) {
        *present = false;
    }
    if (v == NULL) {
        if (optional) {
            return 0;
        }
        return fail(r, E_YAML, ctx, NULL, "Item has no mapping for key '%s'", key);
    }
    vctx = ctx_of(r, v, "value for", key);
    if (v->type != YAML_SEQUENCE_NODE) {
        return fail(r, E_YAML, ctx, &vctx, "Value is not a sequence");
    }
    arr = skr_arena_calloc(&r->c->a,
                           (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) + 1,
                           sizeof(*arr));
    if (arr == NULL) {
        return oom(r, ctx);
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *e = node_of(r, *it);
        if (!is_scalar(e)) {
            struct cl_ctx ictx = ctx_of(r, e, "list item", "");
            return fail(r, E_YAML, ctx, &ictx, "sequence value is not scalar");
        }
        arr[n] = dup(r, scalar(e));
        if (arr[n] == NULL) {
            return oom(r, ctx);
        }
        n++;
    }
    *out = arr;
    *nout = n;
    if (present != NULL) {
        *present = true;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Tags are a set: sorted, unique. */
static void tags_normalize(char **tags, uint32_t *n)
{
    uint32_t w = 0;

    if (*n == 0) {
        return;
    }
    qsort(tags, *n, sizeof(*tags), cmp_str);
    for (uint32_t i = 0; i < *n; i++) {
        if (w == 0 || strcmp(tags[w - 1], tags[i]) != 0) {
            tags[w++] = tags[i];
        }
    }
    *n = w;
}

/* Sets t to the scalar's text, recording its origin. */
static int text_set(struct rd *r, struct cl_text *t, const char *s, const yaml_node_t *n)
{
    t->len = (uint32_t)strlen(s);
    t->s = skr_arena_strndup(&r->c->a, s, t->len);
    t->segs = skr_arena_alloc(&r->c->a, sizeof(*t->segs));
    if (t->s == NULL || t->segs == NULL) {
        return -ENOMEM;
    }
    t->nsegs = 1;
    t->segs[0].off = 0;
    t->segs[0].len = t->len;
    t->segs[0].src = mark_of(r, n);
    t->segs[0].src_end = n != NULL ? (uint32_t)n->end_mark.index : 0;
    return 0;
}

/* t += " " + s. */
static int text_append(struct rd *r, struct cl_text *t, const char *s, const yaml_node_t *n)
{
    uint32_t slen = (uint32_t)strlen(s);
    char *ns = skr_arena_alloc(&r->c->a, (size_t)t->len + 1 + slen + 1);
    struct cl_seg *segs = skr_arena_alloc(&r->c->a, (t->nsegs + 1) * sizeof(*segs));

    if (ns == NULL || segs == NULL) {
        return -ENOMEM;
    }
    memcpy(ns, t->s, t->len);
    ns[t->len] = ' ';
    memcpy(ns + t->len + 1, s, slen + 1);
    memcpy(segs, t->segs, t->nsegs * sizeof(*segs));
    segs[t->nsegs].off = t->len + 1;
    segs[t->nsegs].len = slen;
    segs[t->nsegs].src = mark_of(r, n);
    segs[t->nsegs].src_end = n != NULL ? (uint32_t)n->end_mark.index : 0;
    t->s = ns;
    t->len += 1 + slen;
    t->segs = segs;
    t->nsegs++;
    return 0;
}

static char *trim_dup(struct rd *r, const char *s)
{
    size_t b = 0;
    size_t e = strlen(s);

    while (b < e && strchr(" \t\n\r\f\v", s[b]) != NULL) {
        b++;
    }
    while (e > b && strchr(" \t\n\r\f\v", s[e - 1]) != NULL) {
        e--;
    }
    return skr_arena_strndup(&r->c->a, s + b, e - b);
}

/* ---- Unknown keys ---------------------------------------------------------------------------- */

static void warn_unknown_keys(struct rd *r,
                              const yaml_node_t *item,
                              const struct cl_ctx *ctx,
                              const char *const *allowed)
{
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node_of(r, p->key);
        bool ok = false;
        char msg[512];
        struct cl_ctx kctx;
        if (!is_scalar(k)) {
            continue;
        }
        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (strcmp(allowed[i], scalar(k)) == 0) {
                ok = true;
                break;
            }
        }
        if (ok) {
            continue;
        }
        snprintf(msg, sizeof(msg), "Unknown key '%.200s'. The key will be ignored.", scalar(k));
        kctx = ctx_of(r, k, "value for", scalar(k));
        warn(r, "LOAD_UNKNOWN_KEY", ctx, &kctx, msg);
    }
}

/* ---- Name checks ------------------------------------------------------------------------------- */

static bool valid_macro_name(const char *s)
{
    size_t i = 0;

    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')) {
        i++;
    }
    if (i == 0) {
        return false;
    }
    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
           (s[i] >= '0' && s[i] <= '9') || s[i] == '_') {
        i++;
    }
    return s[i] == '\0';
}

static bool valid_list_name(const char *s)
{
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (strchr("()\"'=, \t\n\r\f\v", *s) != NULL) {
            return false;
        }
    }
    return true;
}

/* ---- Exceptions ---------------------------------------------------------------------------------- */

static int decode_xentry(struct rd *r,
                         const yaml_node_t *v,
                         const char *key,
                         const struct cl_ctx *ctx,
                         struct cl_xentry *out)
{
    memset(out, 0, sizeof(*out));
    if (is_scalar(v)) {
        if (scalar(v)[0] == '\0' && !is_null(v)) {
            struct cl_ctx vctx = ctx_of(r, v, "value for", key);
            return fail(r, E_YAML, ctx, &vctx, "Value must be non-empty");
        }
        if (is_null(v)) {
            return 0; /* null: not given */
        }
        out->valid = true;
        out->item = dup(r, scalar(v));
        return out->item != NULL ? 0 : oom(r, ctx);
    }
    if (v->type == YAML_SEQUENCE_NODE) {
        size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        out->valid = true;
        out->is_list = true;
        out->items = skr_arena_calloc(&r->c->a, n + 1, sizeof(*out->items));
        if (out->items == NULL) {
            return oom(r, ctx);
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            int rc = decode_xentry(r, node_of(r, *it), "", ctx, &out->items[out->nitems]);
            if (rc < 0) {
                return rc;
            }
            out->nitems++;
        }
    }
    return 0;
}

static int read_exceptions(struct rd *r,
                           const yaml_node_t *item,
                           const struct cl_ctx *rctx,
                           bool append,
                           struct cl_exception **out,
                           uint32_t *nout,
                           bool *present)
{
    const yaml_node_t *exs = get(r, item, "exceptions", NULL);
    struct cl_ctx exsctx;
    struct cl_exception *arr;
    uint32_t n = 0;

    *out = NULL;
    *nout = 0;
    if (present != NULL) {
        *present = exs != NULL;
    }
    if (exs == NULL || is_null(exs)) {
        return 0;
    }
    exsctx = ctx_of(r, exs, "exceptions", "");
    if (exs->type != YAML_SEQUENCE_NODE) {
        return fail(r, E_YAML, rctx, &exsctx, "Rule exceptions must be a sequence");
    }
    arr = skr_arena_calloc(
            &r->c->a, (size_t)(exs->data.sequence.items.top - exs->data.sequence.items.start) + 1,
            sizeof(*arr));
    if (arr == NULL) {
        return oom(r, rctx);
    }
    for (yaml_node_item_t *it = exs->data.sequence.items.start; it < exs->data.sequence.items.top;
         it++) {
        yaml_node_t *ex = node_of(r, *it);
        struct cl_ctx tmp = ctx_of(r, ex, "exception", "");
        struct cl_exception *e = &arr[n];
        const yaml_node_t *v;
        char *name;
        int rc;

        if (ex == NULL || ex->type != YAML_MAPPING_NODE) {
            return fail(r, E_YAML, rctx, &tmp, "Rule exception must be a mapping");
        }
        rc = decode_str(r, ex, "name", &tmp, false, &name);
        if (rc < 0) {
            r->err->sub = r->err->ctx;
            r->err->ctx = *rctx;
            return rc;
        }
        e->name = name;
        e->ctx = ctx_of(r, ex, "exception", name);
        for (uint32_t k = 0; k < n; k++) {
            if (strcmp(arr[k].name, name) == 0) {
                char msg[512];
                snprintf(msg, sizeof(msg),
                         "Multiple definitions of exception '%.200s' in the same rule", name);
                warn(r, "LOAD_EXCEPTION_NAME_NOT_UNIQUE", rctx, &e->ctx, msg);
                break;
            }
        }
        v = get(r, ex, "fields", NULL);
        if (v == NULL) {
            if (!append) {
                return fail(r, E_YAML, rctx, &e->ctx, "Item has no mapping for key 'fields'");
            }
        } else {
            rc = decode_xentry(r, v, "fields", rctx, &e->fields);
            if (rc < 0) {
                return rc;
            }
        }
        v = get(r, ex, "comps", NULL);
        if (v != NULL) {
            if (is_scalar(v) && scalar(v)[0] == '\0') {
                /* comps: "" counts as missing */
            } else {
                rc = decode_xentry(r, v, "comps", rctx, &e->comps);
                if (rc < 0) {
                    return rc;
                }
                if (e->comps.is_list && e->comps.nitems == 0) {
                    e->comps.valid = false; /* comps: [] counts as missing */
                }
            }
        }
        v = get(r, ex, "values", NULL);
        if (v != NULL) {
            struct cl_ctx vctx = ctx_of(r, v, "exception values", "");
            size_t nv;
            if (v->type != YAML_SEQUENCE_NODE) {
                return fail(r, E_YAML, rctx, &vctx, "Rule exception values must be a sequence");
            }
            nv = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            e->values = skr_arena_calloc(&r->c->a, nv + 1, sizeof(*e->values));
            if (e->values == NULL) {
                return oom(r, rctx);
            }
            for (yaml_node_item_t *vi = v->data.sequence.items.start;
                 vi < v->data.sequence.items.top; vi++) {
                yaml_node_t *val = node_of(r, *vi);
                struct cl_ctx valctx = ctx_of(r, val, "exception value", "");
                if (is_scalar(val) && scalar(val)[0] == '\0') {
                    return fail(r, E_YAML, rctx, &valctx, "Value must be non-empty");
                }
                rc = decode_xentry(r, val, "", rctx, &e->values[e->nvalues]);
                if (rc < 0) {
                    return rc;
                }
                e->nvalues++;
            }
            e->has_values = true;
        } else if (append) {
            warn(r, "LOAD_APPEND_NO_VALUES", rctx, &e->ctx,
                 "Overriding/appending exception with no values");
        }
        n++;
    }
    *out = arr;
    *nout = n;
    return 0;
}

/* ---- Exception validation ---------------------------------------------------------------------- */

static const char *const modifier_words[] = { "oneof", "anyof", "allof" };

/* Normalises a comparison ("  startswith   oneof ") in place; returns the operator and
 * sets *mod. SKR_OP_NONE when invalid. */
static enum skr_op parse_comp(char *s, enum skr_op_modifier *mod)
{
    char *w1;
    char *w2;
    char *save = NULL;
    char buf[128];
    enum skr_op op;

    *mod = SKR_MOD_NONE;
    if (strlen(s) >= sizeof(buf)) {
        return SKR_OP_NONE;
    }
    memcpy(buf, s, strlen(s) + 1);
    w1 = strtok_r(buf, " \t\n\r", &save);
    w2 = w1 != NULL ? strtok_r(NULL, " \t\n\r", &save) : NULL;
    if (w1 == NULL || strtok_r(NULL, " \t\n\r", &save) != NULL) {
        return SKR_OP_NONE;
    }
    op = skr_op_parse(w1, strlen(w1));
    if (op == SKR_OP_NONE) {
        return SKR_OP_NONE;
    }
    if (w2 != NULL) {
        for (int i = 0; i < 3; i++) {
            if (strcmp(w2, modifier_words[i]) == 0) {
                *mod = (enum skr_op_modifier)(SKR_MOD_ONEOF + i);
            }
        }
        if (*mod == SKR_MOD_NONE || !skr_op_takes_modifier(op)) {
            return SKR_OP_NONE;
        }
        snprintf(s, strlen(s) + 1, "%s %s", w1, w2);
    } else {
        snprintf(s, strlen(s) + 1, "%s", w1);
    }
    return op;
}

/* Is name a valid left-hand side for source: a field, or a transformer expression that
 * compiles with " exists" appended? */
static bool field_defined(struct rd *r, const char *source, const char *name)
{
    const struct skr_rules_host *h = r->c->opts->host;
    struct skr_arena tmp;
    struct skr_compiler comp;
    struct skr_parse_error perr;
    struct skr_strbuf b;
    const struct skr_ast *ast;
    bool ok = false;

    if (h == NULL || h->lookup_field == NULL) {
        return true; /* nothing to check against */
    }
    skr_arena_init(&tmp, 4096);
    skr_strbuf_init(&b);
    skr_strbuf_printf(&b, "%s exists", name);
    ast = b.truncated ? NULL : skr_parse(&tmp, b.p, b.len, 100, &perr, NULL);
    if (ast != NULL && ast->kind == SKR_AST_UNARY) {
        skr_compiler_init(&comp, &tmp, h);
        ok = skr_compile_check_lhs(&comp, source, ast->kids[0]) == 0;
        skr_compiler_fini(&comp);
    }
    skr_strbuf_fini(&b);
    skr_arena_fini(&tmp);
    return ok;
}

static int validate_exception(struct rd *r,
                              const char *source,
                              bool source_known,
                              struct cl_exception *ex,
                              const struct cl_ctx *rctx)
{
    enum skr_op_modifier mod;

    if (ex->fields.is_list) {
        if (!ex->comps.valid) {
            ex->comps.valid = true;
            ex->comps.is_list = true;
            ex->comps.nitems = ex->fields.nitems;
            ex->comps.items =
                    skr_arena_calloc(&r->c->a, ex->fields.nitems + 1, sizeof(*ex->comps.items));
            if (ex->comps.items == NULL) {
                return oom(r, rctx);
            }
            for (uint32_t i = 0; i < ex->fields.nitems; i++) {
                ex->comps.items[i].valid = true;
                ex->comps.items[i].item = dup(r, "=");
            }
        }
        if (!ex->comps.is_list || ex->fields.nitems != ex->comps.nitems) {
            return fail(r, E_VALIDATE, rctx, &ex->ctx,
                        "Fields and comps lists must have equal length");
        }
        for (uint32_t i = 0; i < ex->comps.nitems; i++) {
            struct cl_xentry *cmp = &ex->comps.items[i];
            if (cmp->is_list || cmp->item == NULL || parse_comp(cmp->item, &mod) == SKR_OP_NONE) {
                return fail(r, E_VALIDATE, rctx, &ex->ctx,
                            "'%s' is not a supported comparison operator",
                            cmp->item != NULL ? cmp->item : "");
            }
        }
        for (uint32_t i = 0; i < ex->fields.nitems; i++) {
            struct cl_xentry *fe = &ex->fields.items[i];
            if (fe->is_list || fe->item == NULL) {
                return fail(r, E_VALIDATE, rctx, &ex->ctx, "Exception fields must be strings");
            }
            if (source_known && !field_defined(r, source, fe->item)) {
                return fail(r, E_VALIDATE, rctx, &ex->ctx, "'%s' is not a supported filter field",
                            fe->item);
            }
        }
        return 0;
    }
    if (!ex->comps.valid) {
        ex->comps.valid = true;
        ex->comps.item = dup(r, "in");
    }
    if (ex->comps.is_list) {
        return fail(r, E_VALIDATE, rctx, &ex->ctx, "Fields and comps must both be strings");
    }
    {
        enum skr_op op = parse_comp(ex->comps.item, &mod);
        if (op == SKR_OP_NONE || (mod == SKR_MOD_NONE && op != SKR_OP_IN && op != SKR_OP_PMATCH &&
                                  op != SKR_OP_INTERSECTS)) {
            return fail(
                    r, E_VALIDATE, rctx, &ex->ctx,
                    "When fields is a single value, comps must be one of (in, pmatch, intersects) or a string operator with a modifier (oneof, anyof, allof), not '%s'",
                    ex->comps.item);
        }
    }
    if (source_known && !field_defined(r, source, ex->fields.item)) {
        return fail(r, E_VALIDATE, rctx, &ex->ctx, "'%s' is not a supported filter field",
                    ex->fields.item);
    }
    return 0;
}

/* ---- Collector operations ------------------------------------------------------------------- */

static int push_ptr(void ***arr, uint32_t *n, uint32_t *cap, void *p)
{
    if (*n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 32;
        void **na = realloc(*arr, ncap * sizeof(*na));
        if (na == NULL) {
            return -ENOMEM;
        }
        *arr = na;
        *cap = ncap;
    }
    (*arr)[(*n)++] = p;
    return 0;
}

static bool source_known(struct rd *r, const char *source)
{
    const struct skr_rules_host *h = r->c->opts->host;

    if (r->c->opts->syntax_only) {
        return false; /* no field to check exceptions against */
    }
    return h != NULL && h->has_source != NULL && h->has_source(h->user, source);
}

/* ---- Items ------------------------------------------------------------------------------------- */

static const char *const keys_list[] = { "list", "items", "append", "override", NULL };
static const char *const keys_macro[] = { "macro", "condition", "append", "override", NULL };
static const char *const keys_rule[] = {
    "rule",
    "condition",
    "output",
    "desc",
    "priority",
    "source",
    "enabled",
    "tags",
    "exceptions",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "capture",
    "capture_duration",
    "override",
    "append",
    NULL,
};
static const char *const keys_engine[] = { "required_engine_version", NULL };
static const char *const keys_plugins[] = { "required_plugin_versions", NULL };

/* Reads override: {key: append|replace}. */
static int decode_overrides(struct rd *r,
                            const yaml_node_t *item,
                            const struct cl_ctx *ctx,
                            const char *const *appendable,
                            const char *const *replaceable,
                            uint32_t *app_mask,
                            uint32_t *rep_mask,
                            const char *const *keys)
{
    yaml_node_t *keynode = NULL;
    const yaml_node_t *ov = get(r, item, "override", &keynode);

    *app_mask = 0;
    *rep_mask = 0;
    if (ov == NULL) {
        return 0;
    }
    if (ov->type != YAML_MAPPING_NODE) {
        if (is_null(ov)) {
            return 0;
        }
        struct cl_ctx octx = ctx_of(r, ov, "overrides", "");
        return fail(r, E_YAML, ctx, &octx,
                    "Value of 'override' must be a mapping of keys to 'append' or 'replace'");
    }
    for (yaml_node_pair_t *p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_of(r, p->key);
        yaml_node_t *v = node_of(r, p->value);
        const char *key = is_scalar(k) ? scalar(k) : "";
        const char *op = is_scalar(v) ? scalar(v) : "";
        bool can_app = false;
        bool can_rep = false;
        uint32_t bit = 0;
        struct cl_ctx kctx = ctx_of(r, k, "overrides", key);

        for (uint32_t i = 0; appendable[i] != NULL; i++) {
            can_app |= strcmp(appendable[i], key) == 0;
        }
        for (uint32_t i = 0; replaceable[i] != NULL; i++) {
            can_rep |= strcmp(replaceable[i], key) == 0;
        }
        for (uint32_t i = 0; keys[i] != NULL; i++) {
            if (strcmp(keys[i], key) == 0) {
                bit = 1u << i;
            }
        }
        if (strcmp(op, "append") == 0) {
            if (!can_app) {
                return fail(r, E_YAML, ctx, &kctx,
                            "Key '%s' cannot be appended to, use 'replace' instead", key);
            }
            *app_mask |= bit;
        } else if (strcmp(op, "replace") == 0) {
            if (!can_rep) {
                return fail(r, E_YAML, ctx, &kctx, "Key '%s' cannot be replaced", key);
            }
            *rep_mask |= bit;
        } else {
            struct cl_ctx vctx = ctx_of(r, v, "value for", key);
            return fail(r, E_YAML, ctx, &vctx,
                        "Invalid override operation for key '%s': '%s'. Allowed values are: %s%s",
                        key, op, can_app ? "append " : "", can_rep ? "replace " : "");
        }
    }
    return 0;
}

static int read_engine_version(struct rd *r, const yaml_node_t *item, const struct cl_ctx *pctx)
{
    struct cl_ctx ctx = ctx_of(r, item, "required_engine_version", "");
    const yaml_node_t *v;
    struct skr_semver need;
    struct skr_semver have = { SKR_ENGINE_VERSION_MAJOR, SKR_ENGINE_VERSION_MINOR,
                               SKR_ENGINE_VERSION_PATCH };
    uint64_t legacy;
    int rc;

    (void)pctx;
    warn_unknown_keys(r, item, &ctx, keys_engine);
    rc = decode_scalar(r, item, "required_engine_version", &ctx, false, &v);
    if (rc < 0) {
        return rc;
    }
    if (parse_u64(scalar(v), &legacy) == 0 && legacy <= UINT32_MAX) {
        need.major = 0;
        need.minor = (uint32_t)legacy;
        need.patch = SKR_ENGINE_VERSION_PATCH;
    } else if (skr_semver_parse(scalar(v), &need) < 0 || strchr(scalar(v), '-') != NULL ||
               strchr(scalar(v), '+') != NULL) {
        return fail(
                r, E_YAML, &ctx, NULL,
                "Unable to parse engine version '%s' as a semver string. Expected \"x.y.z\" semver format.",
                scalar(v));
    }
    if (!skr_semver_satisfies(&have, &need)) {
        return fail(r, E_VALIDATE, &ctx, NULL,
                    "Rules require engine version %u.%u.%u, but engine version is %s", need.major,
                    need.minor, need.patch, SKR_ENGINE_VERSION_STR);
    }
    if (!r->c->has_engine_req || skr_semver_cmp(&need, &r->c->engine_req) > 0) {
        r->c->engine_req = need;
        r->c->has_engine_req = true;
    }
    return 0;
}

static int read_plugin_versions(struct rd *r, const yaml_node_t *item)
{
    const yaml_node_t *seq = get(r, item, "required_plugin_versions", NULL);
    struct cl_ctx ctx = ctx_of(r, seq, "required plugin versions", "");
    int rc;

    warn_unknown_keys(r, item, &ctx, keys_plugins);
    if (seq == NULL || seq->type != YAML_SEQUENCE_NODE) {
        return fail(r, E_YAML, &ctx, NULL, "Value of required_plugin_versions must be a sequence");
    }
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top;
         it++) {
        yaml_node_t *pl = node_of(r, *it);
        struct cl_ctx tmp = ctx_of(r, pl, "required plugin versions entry", "");
        struct cl_plugin_group g;
        const yaml_node_t *alts;
        size_t nalts = 0;
        char *name;
        char *ver;

        memset(&g, 0, sizeof(g));
        if (pl == NULL || pl->type != YAML_MAPPING_NODE) {
            return fail(r, E_YAML, &ctx, &tmp, "Plugin version must be a mapping");
        }
        rc = decode_str(r, pl, "name", &tmp, false, &name);
        if (rc < 0) {
            return rc;
        }
        g.ctx = ctx_of(r, pl, "required plugin versions entry", name);
        rc = decode_str(r, pl, "version", &g.ctx, false, &ver);
        if (rc < 0) {
            return rc;
        }
        alts = get(r, pl, "alternatives", NULL);
        if (alts != NULL) {
            if (alts->type != YAML_SEQUENCE_NODE) {
                return fail(r, E_YAML, &g.ctx, NULL,
                            "Value of plugin version alternatives must be a sequence");
            }
            nalts = (size_t)(alts->data.sequence.items.top - alts->data.sequence.items.start);
        }
        g.alts = skr_arena_calloc(&r->c->a, nalts + 1, sizeof(*g.alts));
        if (g.alts == NULL) {
            return oom(r, &ctx);
        }
        g.alts[0].name = name;
        g.alts[0].version = ver;
        g.n = 1;
        for (size_t i = 0; i < nalts; i++) {
            yaml_node_t *a = node_of(r, alts->data.sequence.items.start[i]);
            struct cl_ctx actx = ctx_of(r, a, "required plugin versions alternative", "");
            if (a == NULL || a->type != YAML_MAPPING_NODE) {
                return fail(r, E_YAML, &g.ctx, &actx,
                            "Plugin version alternative must be a mapping");
            }
            rc = decode_str(r, a, "name", &actx, false, &g.alts[g.n].name);
            if (rc < 0) {
                return rc;
            }
            actx.name = g.alts[g.n].name;
            rc = decode_str(r, a, "version", &actx, false, &g.alts[g.n].version);
            if (rc < 0) {
                return rc;
            }
            g.n++;
        }
        for (uint32_t i = 0; i < g.n; i++) {
            struct skr_semver sv;
            if (skr_semver_parse(g.alts[i].version, &sv) < 0) {
                return fail(r, E_VALIDATE, &g.ctx, NULL,
                            "Invalid required version '%s' for plugin '%s'", g.alts[i].version,
                            g.alts[i].name);
            }
            for (uint32_t k = 0; k < i; k++) {
                if (strcmp(g.alts[k].name, g.alts[i].name) == 0) {
                    return fail(r, E_VALIDATE, &g.ctx, NULL,
                                "Defined multiple alternative version requirements for plugin '%s'",
                                g.alts[i].name);
                }
            }
        }
        if (r->c->nplugins == r->c->plugins_cap) {
            uint32_t ncap = r->c->plugins_cap ? r->c->plugins_cap * 2 : 8;
            struct cl_plugin_group *np = realloc(r->c->plugins, ncap * sizeof(*np));
            if (np == NULL) {
                return oom(r, &ctx);
            }
            r->c->plugins = np;
            r->c->plugins_cap = ncap;
        }
        r->c->plugins[r->c->nplugins++] = g;
    }
    return 0;
}

static int read_list(struct rd *r, const yaml_node_t *item)
{
    struct cl_ctx tmp = ctx_of(r, item, "list", "");
    struct cl_ctx ctx;
    char *name;
    char **items;
    uint32_t nitems;
    bool append = false;
    uint32_t app_mask;
    uint32_t rep_mask;
    static const char *const overridable[] = { "items", NULL };
    struct cl_list *prev;
    int rc;

    rc = decode_str(r, item, "list", &tmp, false, &name);
    if (rc < 0) {
        return rc;
    }
    ctx = ctx_of(r, item, "list", name);
    warn_unknown_keys(r, item, &ctx, keys_list);
    if (!valid_list_name(name)) {
        warn(r, "LOAD_INVALID_LIST_NAME", &ctx, NULL,
             "List has an invalid name. List names should match a regular expression: ([^()\"'[:space:]=,]+)");
    }
    rc = decode_seq(r, item, "items", &ctx, false, &items, &nitems, NULL);
    if (rc < 0) {
        return rc;
    }
    rc = decode_bool(r, item, "append", &ctx, true, &append, NULL);
    if (rc < 0) {
        return rc;
    }
    if (append) {
        warn(r, "LOAD_DEPRECATED_ITEM", &ctx, NULL, WARNING_APPEND);
    }
    rc = decode_overrides(r, item, &ctx, overridable, overridable, &app_mask, &rep_mask, keys_list);
    if (rc < 0) {
        return rc;
    }
    if (append && (app_mask | rep_mask) != 0) {
        return fail(r, E_YAML, &ctx, NULL, ERROR_OVERRIDE_APPEND);
    }
    append |= app_mask != 0;
    prev = collector_list(r->c, name);
    if (append) {
        char **merged;
        if (prev == NULL) {
            return fail(
                    r, E_VALIDATE, &ctx, NULL,
                    "List uses 'append' or 'override.items: append' but no list by that name already exists");
        }
        merged = skr_arena_alloc(&r->c->a, ((size_t)prev->nitems + nitems + 1) * sizeof(*merged));
        if (merged == NULL) {
            return oom(r, &ctx);
        }
        if (prev->nitems > 0) {
            memcpy(merged, prev->items, prev->nitems * sizeof(*merged));
        }
        if (nitems > 0) {
            memcpy(merged + prev->nitems, items, nitems * sizeof(*merged));
        }
        prev->items = merged;
        prev->nitems += nitems;
        prev->visibility = r->c->cur_index++;
        return 0;
    }
    if (prev != NULL) {
        prev->items = items;
        prev->nitems = nitems;
        prev->ctx = ctx;
        prev->visibility = r->c->cur_index++;
        return 0;
    }
    prev = skr_arena_calloc(&r->c->a, 1, sizeof(*prev));
    if (prev == NULL) {
        return oom(r, &ctx);
    }
    prev->name = name;
    prev->items = items;
    prev->nitems = nitems;
    prev->ctx = ctx;
    prev->index = prev->visibility = r->c->cur_index++;
    if (push_ptr((void ***)&r->c->lists, &r->c->nlists, &r->c->lists_cap, prev) < 0) {
        return oom(r, &ctx);
    }
    return 0;
}

static int read_macro(struct rd *r, const yaml_node_t *item)
{
    struct cl_ctx tmp = ctx_of(r, item, "macro", "");
    struct cl_ctx ctx;
    char *name;
    const yaml_node_t *cond;
    bool append = false;
    uint32_t app_mask;
    uint32_t rep_mask;
    static const char *const overridable[] = { "condition", NULL };
    struct cl_macro *prev;
    int rc;

    rc = decode_str(r, item, "macro", &tmp, false, &name);
    if (rc < 0) {
        return rc;
    }
    ctx = ctx_of(r, item, "macro", name);
    warn_unknown_keys(r, item, &ctx, keys_macro);
    if (!valid_macro_name(name)) {
        warn(r, "LOAD_INVALID_MACRO_NAME", &ctx, NULL,
             "Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)");
    }
    rc = decode_scalar(r, item, "condition", &ctx, false, &cond);
    if (rc < 0) {
        return rc;
    }
    rc = decode_bool(r, item, "append", &ctx, true, &append, NULL);
    if (rc < 0) {
        return rc;
    }
    if (append) {
        warn(r, "LOAD_DEPRECATED_ITEM", &ctx, NULL, WARNING_APPEND);
    }
    rc = decode_overrides(r, item, &ctx, overridable, overridable, &app_mask, &rep_mask,
                          keys_macro);
    if (rc < 0) {
        return rc;
    }
    if (append && (app_mask | rep_mask) != 0) {
        return fail(r, E_YAML, &ctx, NULL, ERROR_OVERRIDE_APPEND);
    }
    append |= app_mask != 0;
    prev = collector_macro(r->c, name);
    if (append) {
        if (prev == NULL) {
            return fail(
                    r, E_VALIDATE, &ctx, NULL,
                    "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists");
        }
        if (text_append(r, &prev->cond, scalar(cond), cond) < 0) {
            return oom(r, &ctx);
        }
        prev->visibility = r->c->cur_index++;
        return 0;
    }
    if (prev == NULL) {
        prev = skr_arena_calloc(&r->c->a, 1, sizeof(*prev));
        if (prev == NULL) {
            return oom(r, &ctx);
        }
        prev->name = name;
        prev->index = r->c->cur_index;
        if (push_ptr((void ***)&r->c->macros, &r->c->nmacros, &r->c->macros_cap, prev) < 0) {
            return oom(r, &ctx);
        }
    }
    if (text_set(r, &prev->cond, scalar(cond), cond) < 0) {
        return oom(r, &ctx);
    }
    prev->ctx = ctx;
    prev->visibility = r->c->cur_index++;
    return 0;
}

/* Keys of a rule in bit order (for override masks). */
enum {
    K_RULE,
    K_CONDITION,
    K_OUTPUT,
    K_DESC,
    K_PRIORITY,
    K_SOURCE,
    K_ENABLED,
    K_TAGS,
    K_EXCEPTIONS,
    K_WARN_EVTTYPES,
    K_SKIP,
    K_CAPTURE,
    K_CAPTURE_DURATION,
};

#define BIT(k) (1u << (k))

static int check_source(struct rd *r,
                        const yaml_node_t *item,
                        const struct cl_rule *prev,
                        const struct cl_ctx *ctx)
{
    const yaml_node_t *s = get(r, item, "source", NULL);

    if (prev == NULL || s == NULL || !is_scalar(s) || is_null(s) || scalar(s)[0] == '\0') {
        return 0;
    }
    if (strcmp(scalar(s), prev->source) != 0) {
        return fail(r, E_VALIDATE, ctx, NULL, "Rule has been re-defined with a different source");
    }
    return 0;
}

static int priority_of(struct rd *r, const yaml_node_t *item, const struct cl_ctx *ctx, int *out)
{
    char *s;
    int rc = decode_str(r, item, "priority", ctx, false, &s);

    if (rc < 0) {
        return rc;
    }
    *out = skr_priority_parse(s);
    if (*out < 0) {
        struct cl_ctx pctx = ctx_of(r, get(r, item, "priority", NULL), "rule priority", "");
        return fail(r, E_YAML, ctx, &pctx, "Invalid priority");
    }
    return 0;
}

/* Applies appended exceptions to a rule. */
static int append_exceptions(struct rd *r,
                             struct cl_rule *prev,
                             struct cl_exception *excs,
                             uint32_t n,
                             const struct cl_ctx *ctx)
{
    bool known = !prev->unknown_source;

    for (uint32_t i = 0; i < n; i++) {
        struct cl_exception *ex = &excs[i];
        struct cl_exception *pe = NULL;
        for (uint32_t k = 0; k < prev->nexcs; k++) {
            if (strcmp(prev->excs[k].name, ex->name) == 0) {
                pe = &prev->excs[k];
            }
        }
        if (pe == NULL) {
            struct cl_exception *ne;
            int rc;
            if (!ex->fields.valid) {
                return fail(r, E_VALIDATE, ctx, &ex->ctx,
                            "Rule exception must have fields property with a list of fields");
            }
            if (ex->nvalues == 0) {
                return fail(r, E_VALIDATE, ctx, &ex->ctx,
                            "Rule exception must have values property with a list of values");
            }
            rc = validate_exception(r, prev->source, known, ex, ctx);
            if (rc < 0) {
                return rc;
            }
            ne = skr_arena_alloc(&r->c->a, (prev->nexcs + 1) * sizeof(*ne));
            if (ne == NULL) {
                return oom(r, ctx);
            }
            if (prev->nexcs > 0) {
                memcpy(ne, prev->excs, prev->nexcs * sizeof(*ne));
            }
            ne[prev->nexcs] = *ex;
            prev->excs = ne;
            prev->nexcs++;
            continue;
        }
        if (ex->fields.valid || ex->comps.valid) {
            return fail(r, E_VALIDATE, ctx, &ex->ctx,
                        "Can not append exception fields/comps to existing exception, only values");
        }
        if (ex->nvalues > 0) {
            struct cl_xentry *nv =
                    skr_arena_alloc(&r->c->a, ((size_t)pe->nvalues + ex->nvalues) * sizeof(*nv));
            if (nv == NULL) {
                return oom(r, ctx);
            }
            if (pe->nvalues > 0) {
                memcpy(nv, pe->values, pe->nvalues * sizeof(*nv));
            }
            memcpy(nv + pe->nvalues, ex->values, ex->nvalues * sizeof(*nv));
            pe->values = nv;
            pe->nvalues += ex->nvalues;
        }
    }
    return 0;
}

static int merge_tags(struct rd *r,
                      struct cl_rule *prev,
                      char **tags,
                      uint32_t n,
                      const struct cl_ctx *ctx)
{
    char **nt = skr_arena_alloc(&r->c->a, ((size_t)prev->ntags + n + 1) * sizeof(*nt));

    if (nt == NULL) {
        return oom(r, ctx);
    }
    if (prev->ntags > 0) {
        memcpy(nt, prev->tags, prev->ntags * sizeof(*nt));
    }
    if (n > 0) {
        memcpy(nt + prev->ntags, tags, n * sizeof(*nt));
    }
    prev->tags = nt;
    prev->ntags += n;
    tags_normalize(prev->tags, &prev->ntags);
    return 0;
}

/* An override item: appends first, then replaces. */
static int read_rule_override(struct rd *r,
                              const yaml_node_t *item,
                              const char *name,
                              const struct cl_ctx *ctx,
                              uint32_t app,
                              uint32_t rep)
{
    static const int order[] = { K_CONDITION, K_EXCEPTIONS, K_OUTPUT,          K_DESC,
                                 K_TAGS,      K_PRIORITY,   K_ENABLED,         K_WARN_EVTTYPES,
                                 K_SKIP,      K_CAPTURE,    K_CAPTURE_DURATION };
    uint32_t expected = 0;
    struct cl_rule *prev = collector_rule(r->c, name);
    int rc;

    for (int k = K_CONDITION; k <= K_CAPTURE_DURATION; k++) {
        if (k != K_SOURCE && has(r, item, keys_rule[k])) {
            expected |= BIT(k);
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        uint32_t mask = pass == 0 ? app : rep;
        const char *what = pass == 0 ? "append" : "replace";
        bool any = false;
        if (mask == 0) {
            continue;
        }
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
            int k = order[i];
            if (!(mask & BIT(k))) {
                continue;
            }
            if (!(expected & BIT(k))) {
                return fail(r, E_YAML, ctx, NULL,
                            "An %s override for '%s' was specified but '%s' is not defined", what,
                            keys_rule[k], keys_rule[k]);
            }
            expected &= ~BIT(k);
        }
        if (prev == NULL) {
            return fail(
                    r, E_VALIDATE, ctx, NULL, "%s",
                    pass == 0
                            ? "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"
                            : "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists");
        }
        rc = check_source(r, item, prev, ctx);
        if (rc < 0) {
            return rc;
        }
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
            int k = order[i];
            const yaml_node_t *v;
            if (!(mask & BIT(k))) {
                continue;
            }
            switch (k) {
            case K_CONDITION:
            case K_OUTPUT:
            case K_DESC: {
                struct cl_text *t = k == K_CONDITION ? &prev->cond : &prev->output;
                rc = decode_scalar(r, item, keys_rule[k], ctx, false, &v);
                if (rc < 0) {
                    return rc;
                }
                if (k == K_DESC) {
                    if (pass == 0) {
                        size_t l1 = strlen(prev->desc);
                        size_t l2 = strlen(scalar(v));
                        char *nd = skr_arena_alloc(&r->c->a, l1 + l2 + 2);
                        if (nd == NULL) {
                            return oom(r, ctx);
                        }
                        memcpy(nd, prev->desc, l1);
                        nd[l1] = ' ';
                        memcpy(nd + l1 + 1, scalar(v), l2 + 1);
                        prev->desc = nd;
                    } else {
                        prev->desc = dup(r, scalar(v));
                    }
                    any = true;
                    break;
                }
                if (k == K_OUTPUT) {
                    char *trimmed = trim_dup(r, scalar(v));
                    if (trimmed == NULL) {
                        return oom(r, ctx);
                    }
                    rc = pass == 0 ? (trimmed[0] != '\0' ? text_append(r, t, trimmed, v) : 0)
                                   : text_set(r, t, trimmed, v);
                } else {
                    rc = pass == 0 ? text_append(r, t, scalar(v), v) : text_set(r, t, scalar(v), v);
                }
                if (rc < 0) {
                    return oom(r, ctx);
                }
                any = true;
                break;
            }
            case K_TAGS: {
                char **tags;
                uint32_t ntags;
                rc = decode_seq(r, item, "tags", ctx, false, &tags, &ntags, NULL);
                if (rc < 0) {
                    return rc;
                }
                if (pass == 0) {
                    rc = merge_tags(r, prev, tags, ntags, ctx);
                    if (rc < 0) {
                        return rc;
                    }
                } else {
                    tags_normalize(tags, &ntags);
                    prev->tags = tags;
                    prev->ntags = ntags;
                }
                any = true;
                break;
            }
            case K_EXCEPTIONS: {
                struct cl_exception *excs;
                uint32_t nexcs;
                rc = read_exceptions(r, item, ctx, pass == 0, &excs, &nexcs, NULL);
                if (rc < 0) {
                    return rc;
                }
                if (pass == 0) {
                    rc = append_exceptions(r, prev, excs, nexcs, ctx);
                    if (rc < 0) {
                        return rc;
                    }
                } else {
                    for (uint32_t e = 0; e < nexcs; e++) {
                        if (!excs[e].fields.valid) {
                            return fail(r, E_YAML, ctx, &excs[e].ctx,
                                        "Item has no mapping for key 'fields'");
                        }
                        rc = validate_exception(r, prev->source, !prev->unknown_source, &excs[e],
                                                ctx);
                        if (rc < 0) {
                            return rc;
                        }
                    }
                    prev->excs = excs;
                    prev->nexcs = nexcs;
                }
                any = true;
                break;
            }
            case K_PRIORITY:
                rc = priority_of(r, item, ctx, &prev->priority);
                if (rc < 0) {
                    return rc;
                }
                any = true;
                break;
            case K_ENABLED:
                rc = decode_bool(r, item, "enabled", ctx, false, &prev->enabled, NULL);
                any = true;
                break;
            case K_WARN_EVTTYPES:
                rc = decode_bool(r, item, "warn_evttypes", ctx, false, &prev->warn_evttypes, NULL);
                any = true;
                break;
            case K_SKIP:
                rc = decode_bool(r, item, "skip-if-unknown-filter", ctx, false, &prev->skip_unknown,
                                 NULL);
                any = true;
                break;
            case K_CAPTURE:
                rc = decode_bool(r, item, "capture", ctx, false, &prev->capture, NULL);
                any = true;
                break;
            case K_CAPTURE_DURATION:
                rc = decode_u64(r, item, "capture_duration", ctx, false, &prev->capture_duration,
                                NULL);
                any = true;
                break;
            default:
                break;
            }
            if (rc < 0) {
                return rc;
            }
        }
        if (!any) {
            return fail(r, E_VALIDATE, ctx, NULL, "%s",
                        pass == 0 ? "Appended rule must have exceptions or condition property"
                                  : "The rule must have at least one field that can be replaced");
        }
        prev->visibility = r->c->cur_index++;
    }
    for (int k = K_CONDITION; k <= K_CAPTURE_DURATION; k++) {
        if (expected & BIT(k)) {
            yaml_node_t *kn = NULL;
            (void)get(r, item, keys_rule[k], &kn);
            struct cl_ctx kctx = ctx_of(r, kn, "overrides", keys_rule[k]);
            return fail(r, E_YAML, ctx, &kctx,
                        "Unexpected key '%s': no corresponding entry under 'override' is defined.",
                        keys_rule[k]);
        }
    }
    return 0;
}

/* Legacy append: true (condition and exceptions only). */
static int read_rule_append(struct rd *r,
                            const yaml_node_t *item,
                            const char *name,
                            const struct cl_ctx *ctx)
{
    struct cl_rule *prev = collector_rule(r->c, name);
    const yaml_node_t *cond = NULL;
    struct cl_exception *excs = NULL;
    uint32_t nexcs = 0;
    bool has_excs = false;
    int rc;

    if (has(r, item, "condition")) {
        rc = decode_scalar(r, item, "condition", ctx, false, &cond);
        if (rc < 0) {
            return rc;
        }
    }
    if (has(r, item, "exceptions")) {
        rc = read_exceptions(r, item, ctx, true, &excs, &nexcs, &has_excs);
        if (rc < 0) {
            return rc;
        }
    }
    if (prev == NULL) {
        return fail(
                r, E_VALIDATE, ctx, NULL,
                "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists");
    }
    if (cond == NULL && !has_excs) {
        return fail(r, E_VALIDATE, ctx, NULL,
                    "Appended rule must have exceptions or condition property");
    }
    rc = check_source(r, item, prev, ctx);
    if (rc < 0) {
        return rc;
    }
    if (cond != NULL && scalar(cond)[0] != '\0' &&
        text_append(r, &prev->cond, scalar(cond), cond) < 0) {
        return oom(r, ctx);
    }
    if (nexcs > 0) {
        rc = append_exceptions(r, prev, excs, nexcs, ctx);
        if (rc < 0) {
            return rc;
        }
    }
    prev->visibility = r->c->cur_index++;
    return 0;
}

static int read_rule_define(struct rd *r,
                            const yaml_node_t *item,
                            const char *name,
                            const struct cl_ctx *ctx)
{
    struct cl_rule v;
    struct cl_rule *prev;
    const yaml_node_t *cond;
    const yaml_node_t *out;
    char *desc;
    char *src = NULL;
    bool b;
    bool present;
    int rc;

    memset(&v, 0, sizeof(v));
    v.name = (char *)name;
    v.enabled = true;
    v.warn_evttypes = true;
    v.ctx = *ctx;
    rc = decode_scalar(r, item, "condition", ctx, false, &cond);
    if (rc < 0) {
        return rc;
    }
    rc = decode_scalar(r, item, "output", ctx, false, &out);
    if (rc < 0) {
        return rc;
    }
    rc = decode_str(r, item, "desc", ctx, false, &desc);
    if (rc < 0) {
        return rc;
    }
    rc = priority_of(r, item, ctx, &v.priority);
    if (rc < 0) {
        return rc;
    }
    v.desc = desc;
    if (text_set(r, &v.cond, scalar(cond), cond) < 0) {
        return oom(r, ctx);
    }
    {
        char *trimmed = trim_dup(r, scalar(out));
        if (trimmed == NULL || text_set(r, &v.output, trimmed, out) < 0) {
            return oom(r, ctx);
        }
    }
    rc = decode_str(r, item, "source", ctx, true, &src);
    if (rc < 0) {
        return rc;
    }
    v.source = src != NULL ? src : dup(r, "syscall");
    rc = decode_bool(r, item, "enabled", ctx, true, &b, &present);
    if (rc < 0) {
        return rc;
    }
    if (present) {
        v.enabled = b;
    }
    rc = decode_bool(r, item, "warn_evttypes", ctx, true, &b, &present);
    if (rc < 0) {
        return rc;
    }
    if (present) {
        v.warn_evttypes = b;
    }
    rc = decode_bool(r, item, "skip-if-unknown-filter", ctx, true, &b, &present);
    if (rc < 0) {
        return rc;
    }
    if (present) {
        v.skip_unknown = b;
    }
    rc = decode_bool(r, item, "capture", ctx, true, &b, &present);
    if (rc < 0) {
        return rc;
    }
    if (present) {
        v.capture = b;
    }
    rc = decode_u64(r, item, "capture_duration", ctx, true, &v.capture_duration, NULL);
    if (rc < 0) {
        return rc;
    }
    rc = decode_seq(r, item, "tags", ctx, true, &v.tags, &v.ntags, NULL);
    if (rc < 0) {
        return rc;
    }
    tags_normalize(v.tags, &v.ntags);
    rc = read_exceptions(r, item, ctx, false, &v.excs, &v.nexcs, NULL);
    if (rc < 0) {
        return rc;
    }

    /* collector define */
    prev = collector_rule(r->c, name);
    if (prev != NULL && strcmp(prev->source, v.source) != 0) {
        return fail(r, E_VALIDATE, ctx, NULL, "Rule has been re-defined with a different source");
    }
    v.unknown_source = !r->c->opts->syntax_only && !source_known(r, v.source);
    if (v.unknown_source) {
        char msg[512];
        snprintf(msg, sizeof(msg), "Unknown source %.200s, skipping", v.source);
        warn(r, "LOAD_UNKNOWN_SOURCE", ctx, NULL, msg);
    }
    for (uint32_t i = 0; i < v.nexcs; i++) {
        if (!v.excs[i].fields.valid) {
            return fail(r, E_VALIDATE, ctx, &v.excs[i].ctx,
                        "Rule exception item must have fields property with a list of fields");
        }
        rc = validate_exception(r, v.source, !v.unknown_source, &v.excs[i], ctx);
        if (rc < 0) {
            return rc;
        }
    }
    if (prev != NULL) {
        v.index = prev->index;
        v.visibility = r->c->cur_index++;
        *prev = v;
        return 0;
    }
    prev = skr_arena_alloc(&r->c->a, sizeof(*prev));
    if (prev == NULL) {
        return oom(r, ctx);
    }
    v.index = v.visibility = r->c->cur_index++;
    *prev = v;
    if (push_ptr((void ***)&r->c->rules, &r->c->nrules, &r->c->rules_cap, prev) < 0) {
        return oom(r, ctx);
    }
    return 0;
}

static int read_rule(struct rd *r, const yaml_node_t *item)
{
    struct cl_ctx tmp = ctx_of(r, item, "rule", "");
    struct cl_ctx ctx;
    char *name;
    bool append = false;
    uint32_t app;
    uint32_t rep;
    static const char *const appendable[] = { "condition", "output",     "desc",
                                              "tags",      "exceptions", NULL };
    static const char *const replaceable[] = {
        "condition",
        "output",
        "desc",
        "priority",
        "tags",
        "exceptions",
        "enabled",
        "warn_evttypes",
        "skip-if-unknown-filter",
        "capture",
        "capture_duration",
        NULL,
    };
    int rc;

    rc = decode_str(r, item, "rule", &tmp, false, &name);
    if (rc < 0) {
        return rc;
    }
    ctx = ctx_of(r, item, "rule", name);
    warn_unknown_keys(r, item, &ctx, keys_rule);
    rc = decode_bool(r, item, "append", &ctx, true, &append, NULL);
    if (rc < 0) {
        return rc;
    }
    if (append) {
        warn(r, "LOAD_DEPRECATED_ITEM", &ctx, NULL, WARNING_APPEND);
    }
    rc = decode_overrides(r, item, &ctx, appendable, replaceable, &app, &rep, keys_rule);
    if (rc < 0) {
        return rc;
    }
    if (append && (app | rep) != 0) {
        return fail(r, E_YAML, &ctx, NULL, ERROR_OVERRIDE_APPEND);
    }
    if ((app | rep) != 0) {
        return read_rule_override(r, item, name, &ctx, app, rep);
    }
    if (append) {
        return read_rule_append(r, item, name, &ctx);
    }
    if (!has(r, item, "condition") && !has(r, item, "output") && !has(r, item, "desc") &&
        !has(r, item, "priority")) {
        bool enabled;
        struct cl_rule *prev;
        rc = decode_bool(r, item, "enabled", &ctx, false, &enabled, NULL);
        if (rc < 0) {
            return rc;
        }
        warn(r, "LOAD_DEPRECATED_ITEM", &ctx, NULL, WARNING_ENABLED);
        prev = collector_rule(r->c, name);
        if (prev == NULL) {
            return fail(r, E_VALIDATE, &ctx, NULL,
                        "Rule has 'enabled' key but no rule by that name already exists");
        }
        prev->enabled = enabled;
        return 0;
    }
    return read_rule_define(r, item, name, &ctx);
}

static int read_item(struct rd *r, const yaml_node_t *item)
{
    if (item->type != YAML_MAPPING_NODE) {
        struct cl_ctx ctx = ctx_of(r, item, "rules content item", "");
        return fail(r, E_YAML, &ctx, NULL,
                    "Unexpected element type. Each element should be a yaml associative array.");
    }
    if (has(r, item, "required_engine_version")) {
        return read_engine_version(r, item, NULL);
    }
    if (has(r, item, "required_plugin_versions")) {
        return read_plugin_versions(r, item);
    }
    if (has(r, item, "list")) {
        return read_list(r, item);
    }
    if (has(r, item, "macro")) {
        return read_macro(r, item);
    }
    if (has(r, item, "rule")) {
        return read_rule(r, item);
    }
    {
        struct cl_ctx ctx = ctx_of(r, item, "rules content item", "");
        warn(r, "LOAD_UNKNOWN_ITEM", &ctx, NULL, "Unknown top level item");
    }
    return 0;
}

int loader_read_file(struct collector *c,
                     const struct cl_file *f,
                     struct skr_diags *diags,
                     struct cl_error *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct rd r = { c, f, &doc, diags, err };
    struct cl_ctx fctx = { { f, 0, 0, 0 }, "rules content", "" };
    int rc = 0;

    memset(err, 0, sizeof(*err));
    if (!yaml_parser_initialize(&parser)) {
        return fail(&r, "LOAD_ERR_YAML_PARSE", &fctx, NULL, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)f->text, f->len);
    for (;;) {
        yaml_node_t *root;
        if (!yaml_parser_load(&parser, &doc)) {
            struct cl_ctx ectx = fctx;
            ectx.mark.line = (uint32_t)parser.problem_mark.line;
            ectx.mark.col = (uint32_t)parser.problem_mark.column;
            ectx.mark.off = (uint32_t)parser.problem_mark.index;
            rc = fail(&r, "LOAD_ERR_YAML_PARSE", &ectx, NULL, "%s%s%s",
                      parser.problem != NULL ? parser.problem : "invalid YAML",
                      parser.context != NULL ? " " : "",
                      parser.context != NULL ? parser.context : "");
            break;
        }
        root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            yaml_document_delete(&doc);
            break; /* end of the stream */
        }
        if (!is_null(root)) {
            struct skr_strbuf sw;
            skr_strbuf_init(&sw);
            if (skr_schema_check(&doc, root, &sw) > 0 || root->type != YAML_SEQUENCE_NODE) {
                (void)skr_diags_set_schema(diags, false, sw.p);
            } else {
                (void)skr_diags_set_schema(diags, true, NULL);
            }
            skr_strbuf_fini(&sw);
            if (root->type == YAML_SCALAR_NODE) {
                rc = fail(&r, E_YAML, &fctx, NULL, "Rules content is not yaml");
            } else if (root->type != YAML_SEQUENCE_NODE) {
                rc = fail(&r, E_YAML, &fctx, NULL, "Rules content is not yaml array of objects");
            } else {
                for (yaml_node_item_t *it = root->data.sequence.items.start;
                     rc == 0 && it < root->data.sequence.items.top; it++) {
                    yaml_node_t *item = yaml_document_get_node(&doc, *it);
                    if (item == NULL || is_null(item)) {
                        continue;
                    }
                    rc = read_item(&r, item);
                }
            }
        }
        yaml_document_delete(&doc);
        if (rc < 0) {
            break;
        }
    }
    yaml_parser_delete(&parser);
    return rc;
}
