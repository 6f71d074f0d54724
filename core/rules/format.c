/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output formats: "%field" templates compiled once into literal and field
 * segments, rendered per alert. A missing value renders as <NA> (Falco adds
 * "*" to every rule output). After '%': optional width digits, then the
 * longest prefix of the text that parses and compiles as a field (with an
 * optional [arg]) or a transformer expression.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/parser.h"
#include "rules/rules_int.h"

#define E_OUT "LOAD_ERR_COMPILE_OUTPUT"

struct segvec {
    struct skr_fmt_seg *v;
    uint32_t n;
    uint32_t cap;
};

static int seg_push(struct skr_arena *a, struct segvec *sv, struct skr_fmt_seg s)
{
    if (sv->n == sv->cap) {
        uint32_t ncap = sv->cap ? sv->cap * 2 : 8;
        struct skr_fmt_seg *nv = skr_arena_alloc(a, ncap * sizeof(*nv));
        if (nv == NULL) {
            return -ENOMEM;
        }
        if (sv->n > 0) {
            memcpy(nv, sv->v, sv->n * sizeof(*nv));
        }
        sv->v = nv;
        sv->cap = ncap;
    }
    sv->v[sv->n++] = s;
    return 0;
}

/* Index of the output field written as text, adding it when new. */
static int field_index(struct skr_arena *a,
                       struct skr_format *f,
                       struct skr_operand *o,
                       uint32_t *cap)
{
    for (uint32_t i = 0; i < f->nopds; i++) {
        if (strcmp(f->opds[i]->text, o->text) == 0) {
            return (int)i;
        }
    }
    if (f->nopds == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 8;
        struct skr_operand **nv = skr_arena_alloc(a, ncap * sizeof(*nv));
        if (nv == NULL) {
            return -ENOMEM;
        }
        if (f->nopds > 0) {
            memcpy(nv, f->opds, f->nopds * sizeof(*nv));
        }
        f->opds = nv;
        *cap = ncap;
    }
    f->opds[f->nopds] = o;
    return (int)f->nopds++;
}

/* Compiles n without keeping its messages when it fails. */
static struct skr_operand *try_compile(struct skr_compiler *c, const struct skr_ast *n)
{
    uint32_t nmsgs = c->nmsgs;
    bool failed = c->failed;
    struct skr_operand *o;
    int rc;

    c->failed = false;
    rc = skr_compile_output_operand(c, n, &o);
    if (rc < 0) {
        c->nmsgs = nmsgs;
        c->failed = failed;
        return NULL;
    }
    c->failed = failed;
    return o;
}

int skr_compile_format(struct skr_compiler *c,
                       const char *source,
                       const char *text,
                       size_t len,
                       struct skr_format *out)
{
    struct segvec sv = { 0 };
    uint32_t fcap = 0;
    size_t i = 0;
    size_t lit_start = 0;

    memset(out, 0, sizeof(*out));
    c->source = source;
    c->in_output = true;
    while (i < len) {
        struct skr_pos pos;
        size_t tok_start;
        uint32_t width = 0;
        struct skr_operand *o = NULL;
        size_t consumed = 0;
        size_t limit;
        int idx;

        if (text[i] != '%') {
            i++;
            continue;
        }
        pos.idx = (uint32_t)i;
        pos.line = 1;
        pos.col = (uint32_t)i + 1;
        for (size_t k = 0; k < i; k++) {
            if (text[k] == '\n') {
                pos.line++;
                pos.col = (uint32_t)(i - k);
            }
        }
        if (i > lit_start) {
            struct skr_fmt_seg s = { text + lit_start, (uint32_t)(i - lit_start), 0, 0 };
            if (seg_push(c->arena, &sv, s) < 0) {
                skr_compiler_msg(c, false, E_OUT, pos, "out of memory");
                return -ENOMEM;
            }
        }
        i++;
        if (i >= len) {
            skr_compiler_msg(c, false, E_OUT, pos,
                             "invalid formatting token: formatting cannot end with a %%");
            return -EINVAL;
        }
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            width = width * 10 + (uint32_t)(text[i] - '0');
            if (width > 65536) {
                width = 65536;
            }
            i++;
        }
        tok_start = i;
        limit = len - tok_start;
        while (limit > 0) {
            const struct skr_ast *n =
                    skr_parse_field_expr(c->arena, text + tok_start, limit, &consumed);
            if (n == NULL) {
                break;
            }
            o = try_compile(c, n);
            if (o != NULL || n->kind != SKR_AST_FIELD || consumed <= 1) {
                break;
            }
            limit = consumed - 1; /* a shorter prefix may name a field: "%proc.namex" */
        }
        if (o == NULL) {
            /* Compile the full token again to report why it failed. */
            const struct skr_ast *n =
                    skr_parse_field_expr(c->arena, text + tok_start, len - tok_start, &consumed);
            struct skr_operand *dummy;
            uint32_t first = c->nmsgs;
            if (n != NULL && skr_compile_output_operand(c, n, &dummy) < 0) {
                /* Positions are relative to the token: report them at its '%'. */
                for (uint32_t k = first; k < c->nmsgs; k++) {
                    c->msgs[k].pos = pos;
                }
                return -EINVAL;
            }
            skr_compiler_msg(
                    c, false, E_OUT, pos,
                    "invalid formatting token %%%.*s: unknown filter: it does not name a field or a field transformer",
                    (int)((len - tok_start) > 40 ? 40 : (len - tok_start)), text + tok_start);
            return -EINVAL;
        }
        idx = field_index(c->arena, out, o, &fcap);
        if (idx < 0) {
            skr_compiler_msg(c, false, E_OUT, pos, "out of memory");
            return -ENOMEM;
        }
        {
            struct skr_fmt_seg s = { NULL, 0, width, (uint32_t)idx };
            if (seg_push(c->arena, &sv, s) < 0) {
                skr_compiler_msg(c, false, E_OUT, pos, "out of memory");
                return -ENOMEM;
            }
        }
        i = tok_start + consumed;
        lit_start = i;
    }
    if (len > lit_start) {
        struct skr_fmt_seg s = { text + lit_start, (uint32_t)(len - lit_start), 0, 0 };
        if (seg_push(c->arena, &sv, s) < 0) {
            struct skr_pos pos = { 0, 0, 0 };
            skr_compiler_msg(c, false, E_OUT, pos, "out of memory");
            return -ENOMEM;
        }
    }
    out->segs = sv.v;
    out->nsegs = sv.n;
    return 0;
}

/* Appends the rendering of one output field's values. */
static void render_values(const struct skr_operand *o,
                          const struct skr_value *vals,
                          uint32_t n,
                          int rc,
                          struct skr_strbuf *out)
{
    if (rc < 0 || (n == 0 && !o->is_list)) {
        skr_strbuf_puts(out, "<NA>");
        return;
    }
    if (o->is_list) {
        skr_strbuf_putc(out, '(');
    }
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            skr_strbuf_putc(out, o->is_list ? ',' : ' ');
        }
        skr_value_format(o->type, &vals[i], out);
    }
    if (o->is_list) {
        skr_strbuf_putc(out, ')');
    }
}

/* Renders a named extra field's format into per-event memory. */
static int render_named(struct skr_eval_ctx *ctx,
                        const struct skr_named_fmt *nf,
                        struct skr_out_field *of)
{
    struct skr_strbuf sb;
    struct skr_value *v;
    char *p;

    skr_strbuf_init(&sb);
    (void)skr_format_render(ctx, &nf->fmt, &sb, NULL, NULL);
    v = skr_arena_calloc(&ctx->scratch, 1, sizeof(*v));
    p = skr_arena_alloc(&ctx->scratch, sb.len + 1);
    if (v == NULL || p == NULL) {
        skr_strbuf_fini(&sb);
        return -ENOMEM;
    }
    if (sb.len > 0) {
        memcpy(p, sb.p, sb.len);
    }
    p[sb.len] = '\0';
    v->p = (const uint8_t *)p;
    v->len = (uint32_t)sb.len;
    skr_strbuf_fini(&sb);
    of->name = nf->name;
    of->type = SKR_FT_STRING;
    of->is_list = false;
    of->nvals = 1;
    of->vals = v;
    return 0;
}

int skr_format_render(struct skr_eval_ctx *ctx,
                      const struct skr_format *f,
                      struct skr_strbuf *out,
                      const struct skr_out_field **fields,
                      size_t *nfields)
{
    uint32_t nout = f->nopds + f->nnamed;

    if (fields != NULL && nout > ctx->ofields_cap) {
        struct skr_out_field *nf = realloc(ctx->ofields, nout * sizeof(*nf));
        if (nf == NULL) {
            return -ENOMEM;
        }
        ctx->ofields = nf;
        ctx->ofields_cap = nout;
    }
    if (fields != NULL) {
        for (uint32_t i = 0; i < f->nopds; i++) {
            const struct skr_operand *o = f->opds[i];
            struct skr_out_field *of = &ctx->ofields[i];
            const struct skr_value *vals = NULL;
            uint32_t n = 0;
            int rc = skr_eval_operand(ctx, o, &vals, &n);
            of->name = o->text;
            of->type = o->type;
            of->is_list = o->is_list;
            of->nvals = rc < 0 ? 0 : n;
            of->vals = rc < 0 ? NULL : vals;
        }
        for (uint32_t i = 0; i < f->nnamed; i++) {
            if (render_named(ctx, &f->named[i], &ctx->ofields[f->nopds + i]) < 0) {
                return -ENOMEM;
            }
        }
        *fields = ctx->ofields;
        *nfields = nout;
    }
    for (uint32_t s = 0; s < f->nsegs; s++) {
        const struct skr_fmt_seg *seg = &f->segs[s];
        const struct skr_operand *o;
        const struct skr_value *vals = NULL;
        uint32_t n = 0;
        int rc;
        size_t start;

        if (seg->lit != NULL) {
            skr_strbuf_append(out, seg->lit, seg->lit_len);
            continue;
        }
        o = f->opds[seg->field];
        rc = skr_eval_operand(ctx, o, &vals, &n);
        start = out->len;
        render_values(o, vals, n, rc, out);
        if (seg->width > 0 && !out->truncated) {
            size_t w = out->len - start;
            if (w > seg->width) {
                out->len = start + seg->width;
                out->p[out->len] = '\0';
            } else {
                while (w++ < seg->width) {
                    skr_strbuf_putc(out, ' ');
                }
            }
        }
    }
    return out->truncated ? -ENOBUFS : 0;
}

/* Text of the compiled format: the literals with %field references as compiled. */
void skr_format_print(const struct skr_format *f, struct skr_strbuf *out)
{
    for (uint32_t s = 0; s < f->nsegs; s++) {
        const struct skr_fmt_seg *seg = &f->segs[s];
        if (seg->lit != NULL) {
            skr_strbuf_append(out, seg->lit, seg->lit_len);
            continue;
        }
        skr_strbuf_putc(out, '%');
        if (seg->width > 0) {
            skr_strbuf_printf(out, "%u", (unsigned)seg->width);
        }
        skr_strbuf_puts(out, f->opds[seg->field]->text);
    }
}

int skr_format_add_field(struct skr_compiler *c,
                         const char *source,
                         struct skr_format *f,
                         const char *expr)
{
    size_t len = strlen(expr);
    size_t consumed = 0;
    const struct skr_ast *n;
    struct skr_operand *o;
    struct skr_operand **nv;
    struct skr_pos pos = { 0, 0, 0 };

    c->source = source;
    n = skr_parse_field_expr(c->arena, expr, len, &consumed);
    if (n == NULL || consumed != len) {
        skr_compiler_msg(c, false, E_OUT, pos,
                         "invalid output field '%s': it must be one field or transformer", expr);
        return -EINVAL;
    }
    if (skr_compile_output_operand(c, n, &o) < 0) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < f->nopds; i++) {
        if (strcmp(f->opds[i]->text, o->text) == 0) {
            return 0;
        }
    }
    nv = skr_arena_alloc(c->arena, (f->nopds + 1) * sizeof(*nv));
    if (nv == NULL) {
        skr_compiler_msg(c, false, E_OUT, pos, "out of memory");
        return -ENOMEM;
    }
    if (f->nopds > 0) {
        memcpy(nv, f->opds, f->nopds * sizeof(*nv));
    }
    nv[f->nopds++] = o;
    f->opds = nv;
    return 0;
}

int skr_format_add_named(struct skr_compiler *c,
                         const char *source,
                         struct skr_format *f,
                         const char *name,
                         const char *text)
{
    struct skr_named_fmt *nv;
    struct skr_format sub;
    uint32_t at = f->nnamed;
    int rc;

    rc = skr_compile_format(c, source, text, strlen(text), &sub);
    if (rc < 0 || c->failed) {
        return rc < 0 ? rc : -EINVAL;
    }
    for (uint32_t i = 0; i < f->nnamed; i++) {
        if (strcmp(f->named[i].name, name) == 0) {
            at = i;
        }
    }
    if (at == f->nnamed) {
        struct skr_pos pos = { 0, 0, 0 };
        char *nm = skr_arena_strdup(c->arena, name);
        nv = skr_arena_alloc(c->arena, (f->nnamed + 1) * sizeof(*nv));
        if (nv == NULL || nm == NULL) {
            skr_compiler_msg(c, false, E_OUT, pos, "out of memory");
            return -ENOMEM;
        }
        if (f->nnamed > 0) {
            memcpy(nv, f->named, f->nnamed * sizeof(*nv));
        }
        nv[at].name = nm;
        f->named = nv;
        f->nnamed++;
    }
    f->named[at].fmt = sub;
    return 0;
}
