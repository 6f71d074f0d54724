/* SPDX-License-Identifier: Apache-2.0 */
/* YAML node access and Falco's key decoding for the rules-file reader. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/yamlread.h"

/* ---- YAML helpers --------------------------------------------------------------------- */

yaml_node_t *rd_node(struct rd *r, int id)
{
    return yaml_document_get_node(r->doc, id);
}

struct cl_mark rd_mark(struct rd *r, const yaml_node_t *n)
{
    struct cl_mark m = { r->f, 0, 0, 0 };

    if (n != NULL) {
        m.line = (uint32_t)n->start_mark.line;
        m.col = (uint32_t)n->start_mark.column;
        m.off = (uint32_t)n->start_mark.index;
    }
    return m;
}

struct cl_ctx rd_ctx(struct rd *r, const yaml_node_t *n, const char *kind, const char *name)
{
    struct cl_ctx x;

    x.mark = rd_mark(r, n);
    x.kind = kind;
    x.name = name != NULL ? name : "";
    return x;
}

bool rd_is_scalar(const yaml_node_t *n)
{
    return n != NULL && n->type == YAML_SCALAR_NODE;
}

const char *rd_scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

bool rd_is_null(const yaml_node_t *n)
{
    const char *s;

    if (n == NULL || n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    s = rd_scalar(n);
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* The value of key in mapping m (first match), or NULL. */
yaml_node_t *rd_get(struct rd *r, const yaml_node_t *m, const char *key, yaml_node_t **keynode)
{
    if (m == NULL || m->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = rd_node(r, p->key);
        if (rd_is_scalar(k) && strcmp(rd_scalar(k), key) == 0) {
            if (keynode != NULL) {
                *keynode = k;
            }
            return rd_node(r, p->value);
        }
    }
    return NULL;
}

bool rd_has(struct rd *r, const yaml_node_t *m, const char *key)
{
    return rd_get(r, m, key, NULL) != NULL;
}

int rd_fail(struct rd *r,
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

int rd_oom(struct rd *r, const struct cl_ctx *ctx)
{
    return rd_fail(r, E_VALIDATE, ctx, NULL, "out of memory while loading rules");
}

void rd_warn(struct rd *r,
             const char *code,
             const struct cl_ctx *ctx,
             const struct cl_ctx *sub,
             const char *msg)
{
    struct skr_pos none = { 0, 0, 0 };

    diag_report(r->diags, SKR_DIAG_WARNING, code, msg, ctx, sub, NULL, NULL, none, NULL);
}

char *rd_dup(struct rd *r, const char *s)
{
    return skr_arena_strdup(&r->c->a, s);
}

/* yaml-cpp's boolean spellings. */
int rd_parse_bool(const char *s, bool *out)
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

int rd_parse_u64(const char *s, uint64_t *out)
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
int rd_decode_scalar(struct rd *r,
                     const yaml_node_t *item,
                     const char *key,
                     const struct cl_ctx *ctx,
                     bool optional,
                     const yaml_node_t **out)
{
    const yaml_node_t *v = rd_get(r, item, key, NULL);
    struct cl_ctx vctx;

    *out = NULL;
    if (v == NULL) {
        if (optional) {
            return 0;
        }
        return rd_fail(r, E_YAML, ctx, NULL, "Item has no mapping for key '%s'", key);
    }
    if (rd_is_null(v)) {
        return rd_fail(r, E_YAML, ctx, NULL, "Mapping for key '%s' is empty", key);
    }
    vctx = rd_ctx(r, v, "value for", key);
    if (!rd_is_scalar(v)) {
        return rd_fail(r, E_YAML, ctx, &vctx, "Value is not a scalar value");
    }
    if (rd_scalar(v)[0] == '\0') {
        return rd_fail(r, E_YAML, ctx, &vctx, "Value must be non-empty");
    }
    *out = v;
    return 0;
}

int rd_decode_str(struct rd *r,
                  const yaml_node_t *item,
                  const char *key,
                  const struct cl_ctx *ctx,
                  bool optional,
                  char **out)
{
    const yaml_node_t *v;
    int rc = rd_decode_scalar(r, item, key, ctx, optional, &v);

    *out = NULL;
    if (rc < 0 || v == NULL) {
        return rc;
    }
    *out = rd_dup(r, rd_scalar(v));
    return *out != NULL ? 0 : rd_oom(r, ctx);
}

int rd_decode_bool(struct rd *r,
                   const yaml_node_t *item,
                   const char *key,
                   const struct cl_ctx *ctx,
                   bool optional,
                   bool *out,
                   bool *present)
{
    const yaml_node_t *v;
    int rc = rd_decode_scalar(r, item, key, ctx, optional, &v);

    if (present != NULL) {
        *present = false;
    }
    if (rc < 0 || v == NULL) {
        return rc;
    }
    if (rd_parse_bool(rd_scalar(v), out) < 0) {
        struct cl_ctx vctx = rd_ctx(r, v, "value for", key);
        return rd_fail(r, E_YAML, ctx, &vctx, "Can't decode YAML scalar value");
    }
    if (present != NULL) {
        *present = true;
    }
    return 0;
}

int rd_decode_u64(struct rd *r,
                  const yaml_node_t *item,
                  const char *key,
                  const struct cl_ctx *ctx,
                  bool optional,
                  uint64_t *out,
                  bool *present)
{
    const yaml_node_t *v;
    int rc = rd_decode_scalar(r, item, key, ctx, optional, &v);

    if (present != NULL) {
        *present = false;
    }
    if (rc < 0 || v == NULL) {
        return rc;
    }
    if (rd_parse_u64(rd_scalar(v), out) < 0) {
        struct cl_ctx vctx = rd_ctx(r, v, "value for", key);
        return rd_fail(r, E_YAML, ctx, &vctx, "Can't decode YAML scalar value");
    }
    if (present != NULL) {
        *present = true;
    }
    return 0;
}

/* A sequence of scalars (items, tags). */
int rd_decode_seq(struct rd *r,
                  const yaml_node_t *item,
                  const char *key,
                  const struct cl_ctx *ctx,
                  bool optional,
                  char ***out,
                  uint32_t *nout,
                  bool *present)
{
    const yaml_node_t *v = rd_get(r, item, key, NULL);
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
        return rd_fail(r, E_YAML, ctx, NULL, "Item has no mapping for key '%s'", key);
    }
    vctx = rd_ctx(r, v, "value for", key);
    if (v->type != YAML_SEQUENCE_NODE) {
        return rd_fail(r, E_YAML, ctx, &vctx, "Value is not a sequence");
    }
    arr = skr_arena_calloc(&r->c->a,
                           (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) + 1,
                           sizeof(*arr));
    if (arr == NULL) {
        return rd_oom(r, ctx);
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *e = rd_node(r, *it);
        if (!rd_is_scalar(e)) {
            struct cl_ctx ictx = rd_ctx(r, e, "list item", "");
            return rd_fail(r, E_YAML, ctx, &ictx, "sequence value is not scalar");
        }
        arr[n] = rd_dup(r, rd_scalar(e));
        if (arr[n] == NULL) {
            return rd_oom(r, ctx);
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
