/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluator: walks a compiled condition with short-circuit, extracting
 * fields lazily through the host callback and caching them per event in the
 * thread's skr_eval_ctx (keyed by the request's slot). Transformer results and
 * renders use the context's scratch arena, which is reset per event, so a warm
 * context evaluates without calling malloc.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

struct skr_eval_ctx *skr_eval_ctx_new(void)
{
    struct skr_eval_ctx *ctx = calloc(1, sizeof(*ctx));

    if (ctx == NULL) {
        return NULL;
    }
    skr_arena_init(&ctx->scratch, 16384);
    skr_strbuf_init(&ctx->tmp);
    ctx->md = pcre2_match_data_create(1, NULL);
    if (ctx->md == NULL) {
        free(ctx);
        return NULL;
    }
    ctx->gen = 1;
    return ctx;
}

void skr_eval_ctx_free(struct skr_eval_ctx *ctx)
{
    if (ctx == NULL) {
        return;
    }
    pcre2_match_data_free(ctx->md);
    skr_arena_fini(&ctx->scratch);
    skr_strbuf_fini(&ctx->tmp);
    free(ctx->cache);
    free(ctx->memo);
    free(ctx->ofields);
    free(ctx);
}

int skr_eval_ctx_reserve(struct skr_eval_ctx *ctx, uint32_t nslots)
{
    struct skr_cache_ent *nc;

    if (nslots <= ctx->ncache) {
        return 0;
    }
    nc = realloc(ctx->cache, nslots * sizeof(*nc));
    if (nc == NULL) {
        return -ENOMEM;
    }
    memset(nc + ctx->ncache, 0, (nslots - ctx->ncache) * sizeof(*nc));
    ctx->cache = nc;
    ctx->ncache = nslots;
    return 0;
}

int skr_eval_ctx_reserve_memo(struct skr_eval_ctx *ctx, uint32_t nmemo)
{
    struct skr_memo_val *nm;

    if (nmemo < ctx->nmemo) {
        return 0;
    }
    nm = realloc(ctx->memo, ((size_t)nmemo + 1) * sizeof(*nm));
    if (nm == NULL) {
        return -ENOMEM;
    }
    memset(nm + ctx->nmemo, 0, ((size_t)nmemo + 1 - ctx->nmemo) * sizeof(*nm));
    ctx->memo = nm;
    ctx->nmemo = nmemo + 1;
    return 0;
}

void skr_eval_begin(struct skr_eval_ctx *ctx, skr_extract_fn extract, void *user)
{
    ctx->gen++;
    ctx->code_known = false;
    ctx->extract = extract;
    ctx->extract_user = user;
    skr_arena_reset(&ctx->scratch);
}

/* ---- Value formatting ------------------------------------------------------------------ */

void skr_value_format(uint32_t type, const struct skr_value *v, struct skr_strbuf *out)
{
    char buf[64];

    switch (skr_type_class(type)) {
    case SKR_CLS_U64:
        skr_strbuf_printf(out, "%" PRIu64, v->u64);
        break;
    case SKR_CLS_S64:
        skr_strbuf_printf(out, "%" PRId64, v->s64);
        break;
    case SKR_CLS_DBL:
        skr_strbuf_printf(out, "%.1f", v->d);
        break;
    case SKR_CLS_BOOL:
        skr_strbuf_puts(out, v->u64 ? "true" : "false");
        break;
    case SKR_CLS_STR:
        if (v->p != NULL) {
            skr_strbuf_append(out, (const char *)v->p, v->len);
        }
        break;
    case SKR_CLS_BUF:
        for (uint32_t i = 0; i < v->len; i++) {
            uint8_t c = v->p[i];
            skr_strbuf_putc(out, (c >= 0x20 && c < 0x7f) ? (char)c : '.');
        }
        break;
    case SKR_CLS_IP:
    case SKR_CLS_NET:
        if (v->len == 4 && inet_ntop(AF_INET, v->p, buf, sizeof(buf)) != NULL) {
            skr_strbuf_puts(out, buf);
        } else if (v->len == 16 && inet_ntop(AF_INET6, v->p, buf, sizeof(buf)) != NULL) {
            skr_strbuf_puts(out, buf);
        }
        break;
    default:
        break;
    }
}

/* ---- Operands ------------------------------------------------------------------------------ */

/* Extracts a field not in the cache yet (out of line: the hit path stays small). */
static __attribute__((noinline)) void fill_field(struct skr_eval_ctx *ctx,
                                                 const struct skr_extract_req *req,
                                                 struct skr_cache_ent *e)
{
    e->gen = ctx->gen;
    e->vals = NULL;
    e->n = 0;
    e->rc = ctx->extract(ctx->extract_user, req, &e->vals, &e->n);
    if (e->rc == 0 && e->n > 0 && e->vals == NULL) {
        e->rc = -EINVAL;
    }
    if (e->rc == 0 && e->n == 0 && !req->is_list) {
        e->rc = -ENOENT;
    }
    if (e->rc > 0) {
        e->rc = 0;
    }
}

static inline __attribute__((always_inline)) int get_field(struct skr_eval_ctx *ctx,
                                                           const struct skr_extract_req *req,
                                                           const struct skr_value **vals,
                                                           uint32_t *n)
{
    struct skr_cache_ent *e = &ctx->cache[req->slot];

    if (e->gen != ctx->gen) {
        fill_field(ctx, req, e);
    }
    *vals = e->vals;
    *n = e->n;
    return e->rc;
}

static struct skr_value *new_vals(struct skr_eval_ctx *ctx, uint32_t n)
{
    return skr_arena_alloc(&ctx->scratch, (n ? n : 1) * sizeof(struct skr_value));
}

/* A string value copied into scratch memory (NUL-terminated). */
static bool make_str(struct skr_eval_ctx *ctx, struct skr_value *v, const char *s, size_t len)
{
    char *p = skr_arena_alloc(&ctx->scratch, len + 1);

    if (p == NULL) {
        return false;
    }
    if (len > 0) {
        memcpy(p, s, len);
    }
    p[len] = '\0';
    memset(v, 0, sizeof(*v));
    v->p = (const uint8_t *)p;
    v->len = (uint32_t)len;
    return true;
}

/* Values of o rendered as strings (for join, concat and getopt). */
static int eval_strings(struct skr_eval_ctx *ctx,
                        const struct skr_operand *o,
                        const struct skr_value **out,
                        uint32_t *nout)
{
    const struct skr_value *vals;
    uint32_t n;
    struct skr_value *res;
    int rc;

    if (o->kind == SKR_OPD_TLIST) {
        res = new_vals(ctx, o->nargs);
        if (res == NULL) {
            return -ENOMEM;
        }
        for (uint32_t i = 0; i < o->nargs; i++) {
            const struct skr_operand *item = o->args[i];
            rc = skr_eval_operand(ctx, item, &vals, &n);
            if (rc < 0 || n == 0) {
                return -ENOENT;
            }
            skr_strbuf_reset(&ctx->tmp);
            skr_value_format(item->type, &vals[0], &ctx->tmp);
            if (!make_str(ctx, &res[i], ctx->tmp.p, ctx->tmp.len)) {
                return -ENOMEM;
            }
        }
        *out = res;
        *nout = o->nargs;
        return 0;
    }
    rc = skr_eval_operand(ctx, o, &vals, &n);
    if (rc < 0) {
        return rc;
    }
    if (skr_type_class(o->type) == SKR_CLS_STR) {
        *out = vals;
        *nout = n;
        return 0;
    }
    res = new_vals(ctx, n);
    if (res == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        skr_strbuf_reset(&ctx->tmp);
        skr_value_format(o->type, &vals[i], &ctx->tmp);
        if (!make_str(ctx, &res[i], ctx->tmp.p, ctx->tmp.len)) {
            return -ENOMEM;
        }
    }
    *out = res;
    *nout = n;
    return 0;
}

/* One getopt result: an option letter ("?" for unknown), or a value. */
static bool push_str(struct skr_eval_ctx *ctx,
                     struct skr_value *res,
                     uint32_t *nres,
                     uint32_t cap,
                     const char *s,
                     size_t len)
{
    if (*nres >= cap) {
        return true; /* cannot happen: cap bounds the output */
    }
    return make_str(ctx, &res[(*nres)++], s, len);
}

static int xf_getopt(struct skr_eval_ctx *ctx,
                     const struct skr_operand *o,
                     const struct skr_value **out,
                     uint32_t *nout)
{
    const struct skr_value *args;
    const struct skr_value *optv;
    uint32_t nargs;
    uint32_t nopt;
    const char *opts;
    struct skr_value *res;
    uint32_t nres = 0;
    uint32_t cap = 0;
    const char *sel_val = NULL;
    size_t sel_len = 0;
    bool sel_found = false;
    int rc;

    rc = eval_strings(ctx, o->args[0], &args, &nargs);
    if (rc < 0) {
        return rc;
    }
    rc = eval_strings(ctx, o->args[1], &optv, &nopt);
    if (rc < 0 || nopt == 0) {
        return -ENOENT;
    }
    opts = (const char *)optv[0].p;
    for (uint32_t i = 0; i < nargs; i++) {
        cap += args[i].len + 1;
    }
    res = new_vals(ctx, cap);
    if (res == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < nargs; i++) {
        const char *tok = (const char *)args[i].p;
        uint32_t len = args[i].len;
        if (len == 2 && tok[0] == '-' && tok[1] == '-') {
            break;
        }
        if (len < 2 || tok[0] != '-') {
            break;
        }
        if (tok[1] == '-') {
            continue; /* long options are skipped */
        }
        for (uint32_t j = 1; j < len; j++) {
            char c = tok[j];
            const char *spec = c != ':' ? memchr(opts, c, optv[0].len) : NULL;
            if (spec == NULL) {
                if (!push_str(ctx, res, &nres, cap, "?", 1)) {
                    return -ENOMEM;
                }
                continue;
            }
            if (spec[1] != ':') {
                if (!push_str(ctx, res, &nres, cap, &c, 1)) {
                    return -ENOMEM;
                }
                if (o->has_sel && c == o->sel) {
                    sel_found = true;
                    sel_val = spec;
                    sel_len = 1;
                }
                continue;
            }
            /* The option takes a value: the rest of the token, or the next token. */
            if (j + 1 < len) {
                if (!push_str(ctx, res, &nres, cap, &c, 1) ||
                    !push_str(ctx, res, &nres, cap, tok + j + 1, len - j - 1)) {
                    return -ENOMEM;
                }
                if (o->has_sel && c == o->sel) {
                    sel_found = true;
                    sel_val = tok + j + 1;
                    sel_len = len - j - 1;
                }
            } else if (i + 1 < nargs) {
                i++;
                if (!push_str(ctx, res, &nres, cap, &c, 1) ||
                    !push_str(ctx, res, &nres, cap, (const char *)args[i].p, args[i].len)) {
                    return -ENOMEM;
                }
                if (o->has_sel && c == o->sel) {
                    sel_found = true;
                    sel_val = (const char *)args[i].p;
                    sel_len = args[i].len;
                }
            } else {
                if (!push_str(ctx, res, &nres, cap, "", 0)) {
                    return -ENOMEM;
                }
                if (o->has_sel && c == o->sel) {
                    sel_found = true;
                    sel_val = "";
                    sel_len = 0;
                }
            }
            break;
        }
    }
    if (o->has_sel) {
        if (!sel_found) {
            return -ENOENT;
        }
        res = new_vals(ctx, 1);
        if (res == NULL || !make_str(ctx, res, sel_val, sel_len)) {
            return -ENOMEM;
        }
        *out = res;
        *nout = 1;
        return 0;
    }
    *out = res;
    *nout = nres;
    return 0;
}

/* One string made of vals joined by sep (NULL: none), in scratch memory. */
static int concat_values(struct skr_eval_ctx *ctx,
                         const struct skr_value *vals,
                         uint32_t n,
                         const struct skr_value *sep,
                         const struct skr_value **out,
                         uint32_t *nout)
{
    size_t total = 0;
    struct skr_value *res = new_vals(ctx, 1);
    uint8_t *buf;
    size_t o = 0;

    for (uint32_t i = 0; i < n; i++) {
        total += vals[i].len + (sep != NULL && i > 0 ? sep->len : 0);
    }
    buf = skr_arena_alloc(&ctx->scratch, total + 1);
    if (res == NULL || buf == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (sep != NULL && i > 0 && sep->len > 0) {
            memcpy(buf + o, sep->p, sep->len);
            o += sep->len;
        }
        if (vals[i].len > 0) {
            memcpy(buf + o, vals[i].p, vals[i].len);
            o += vals[i].len;
        }
    }
    buf[o] = '\0';
    memset(res, 0, sizeof(*res));
    res->p = buf;
    res->len = (uint32_t)o;
    *out = res;
    *nout = 1;
    return 0;
}

static int eval_xform(struct skr_eval_ctx *ctx,
                      const struct skr_operand *o,
                      const struct skr_value **out,
                      uint32_t *nout)
{
    const struct skr_value *in;
    uint32_t n;
    struct skr_value *res;
    int rc;

    switch ((enum skr_xform)o->xf) {
    case SKR_XF_JOIN: {
        const struct skr_value *sep;
        uint32_t nsep;
        const struct skr_value *items;
        uint32_t nitems;
        rc = eval_strings(ctx, o->args[0], &sep, &nsep);
        if (rc < 0 || nsep == 0) {
            return -ENOENT;
        }
        rc = eval_strings(ctx, o->args[1], &items, &nitems);
        if (rc < 0) {
            return rc;
        }
        return concat_values(ctx, items, nitems, &sep[0], out, nout);
    }
    case SKR_XF_CONCAT: {
        struct skr_value *parts = new_vals(ctx, o->nargs);
        if (parts == NULL) {
            return -ENOMEM;
        }
        for (uint32_t i = 0; i < o->nargs; i++) {
            const struct skr_value *v;
            uint32_t nv;
            rc = eval_strings(ctx, o->args[i], &v, &nv);
            if (rc < 0 || nv == 0) {
                return -ENOENT;
            }
            parts[i] = v[0];
        }
        return concat_values(ctx, parts, o->nargs, NULL, out, nout);
    }
    case SKR_XF_GETOPT:
        return xf_getopt(ctx, o, out, nout);
    default:
        break;
    }

    rc = skr_eval_operand(ctx, o->args[0], &in, &n);
    if (rc < 0) {
        return rc;
    }
    if (o->xf == SKR_XF_LEN) {
        /* A list counts its elements; a string or buffer its bytes (each value of a
         * multi-valued field). */
        uint32_t nres = o->args[0]->is_list ? 1 : n;
        if (nres == 0) {
            return -ENOENT;
        }
        res = new_vals(ctx, nres);
        if (res == NULL) {
            return -ENOMEM;
        }
        memset(res, 0, nres * sizeof(*res));
        if (o->args[0]->is_list) {
            res->u64 = n;
        } else {
            bool str = skr_type_class(o->args[0]->type) == SKR_CLS_STR;
            for (uint32_t i = 0; i < n; i++) {
                res[i].u64 = (str && in[i].p != NULL) ? strnlen((const char *)in[i].p, in[i].len)
                                                      : in[i].len;
            }
        }
        *out = res;
        *nout = nres;
        return 0;
    }
    res = new_vals(ctx, n);
    if (res == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = in[i].p != NULL ? in[i].p : (const uint8_t *)"";
        uint32_t len = in[i].len;
        uint8_t *buf = skr_arena_alloc(&ctx->scratch, (size_t)len + 1);
        if (buf == NULL) {
            return -ENOMEM;
        }
        memset(&res[i], 0, sizeof(res[i]));
        switch ((enum skr_xform)o->xf) {
        case SKR_XF_TOLOWER:
        case SKR_XF_TOUPPER:
            for (uint32_t k = 0; k < len; k++) {
                uint8_t c = p[k];
                if (o->xf == SKR_XF_TOLOWER && c >= 'A' && c <= 'Z') {
                    c = (uint8_t)(c + 32);
                } else if (o->xf == SKR_XF_TOUPPER && c >= 'a' && c <= 'z') {
                    c = (uint8_t)(c - 32);
                }
                buf[k] = c;
            }
            res[i].len = len;
            break;
        case SKR_XF_B64: {
            long dl = skr_b64_decode(p, len, buf);
            if (dl < 0) {
                return -EINVAL;
            }
            res[i].len = (uint32_t)dl;
            break;
        }
        case SKR_XF_BASENAME: {
            const uint8_t *slash = NULL;
            for (uint32_t k = 0; k < len; k++) {
                if (p[k] == '/') {
                    slash = p + k;
                }
            }
            const uint8_t *start = slash != NULL ? slash + 1 : p;
            uint32_t bl = (uint32_t)(p + len - start);
            memcpy(buf, start, bl);
            res[i].len = bl;
            break;
        }
        default:
            return -EINVAL;
        }
        buf[res[i].len] = '\0';
        res[i].p = buf;
    }
    *out = res;
    *nout = n;
    return 0;
}

int skr_eval_operand(struct skr_eval_ctx *ctx,
                     const struct skr_operand *o,
                     const struct skr_value **vals,
                     uint32_t *n)
{
    switch ((enum skr_opd_kind)o->kind) {
    case SKR_OPD_FIELD:
        return get_field(ctx, o->req, vals, n);
    case SKR_OPD_XFORM:
        return eval_xform(ctx, o, vals, n);
    case SKR_OPD_CONST:
        *vals = &o->cval;
        *n = 1;
        return 0;
    case SKR_OPD_TLIST:
        return eval_strings(ctx, o, vals, n);
    }
    return -EINVAL;
}

/* ---- Comparisons ---------------------------------------------------------------------------- */

static int bytes_cmp(const struct skr_value *a, const struct skr_value *b)
{
    uint32_t m = a->len < b->len ? a->len : b->len;
    int r = m > 0 ? memcmp(a->p, b->p, m) : 0;

    if (r != 0) {
        return r;
    }
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static bool bytes_eq(const struct skr_value *a, const struct skr_value *b)
{
    return a->len == b->len && skr_bytes_equal(a->p, b->p, a->len);
}

static bool ord(int r, enum skr_op op)
{
    switch (op) {
    case SKR_OP_EQ:
        return r == 0;
    case SKR_OP_NE:
        return r != 0;
    case SKR_OP_LT:
        return r < 0;
    case SKR_OP_LE:
        return r <= 0;
    case SKR_OP_GT:
        return r > 0;
    case SKR_OP_GE:
        return r >= 0;
    default:
        return false;
    }
}

static bool match_regex(struct skr_eval_ctx *ctx, const void *re, const struct skr_value *v)
{
    return pcre2_match(re, v->p != NULL ? v->p : (const uint8_t *)"", v->len, 0, 0, ctx->md,
                       NULL) >= 0;
}

/* v op k for one value and one constant (or right-hand side value). */
static bool cmp1(struct skr_eval_ctx *ctx,
                 const struct skr_check *chk,
                 enum skr_op op,
                 const struct skr_value *v,
                 const struct skr_value *k,
                 uint32_t ki)
{
    switch ((enum skr_cls)chk->cls) {
    case SKR_CLS_U64:
        return ord(v->u64 < k->u64 ? -1 : v->u64 > k->u64 ? 1 : 0, op);
    case SKR_CLS_S64:
        return ord(v->s64 < k->s64 ? -1 : v->s64 > k->s64 ? 1 : 0, op);
    case SKR_CLS_DBL:
        return ord(v->d < k->d ? -1 : v->d > k->d ? 1 : 0, op);
    case SKR_CLS_BOOL:
        return ord((v->u64 != 0) == (k->u64 != 0) ? 0 : 1, op == SKR_OP_NE ? SKR_OP_NE : SKR_OP_EQ);
    case SKR_CLS_IP:
        return op == SKR_OP_NE ? !bytes_eq(v, k) : bytes_eq(v, k);
    case SKR_CLS_NET: {
        bool in = chk->rhs != NULL ? bytes_eq(v, k)
                                   : skr_net_contains(k->p, k->len, (uint32_t)k->u64, v->p, v->len);
        return op == SKR_OP_NE ? !in : in;
    }
    case SKR_CLS_STR:
    case SKR_CLS_BUF:
        break;
    default:
        return false;
    }
    switch (op) {
    case SKR_OP_EQ:
        return bytes_eq(v, k);
    case SKR_OP_NE:
        return !bytes_eq(v, k);
    case SKR_OP_LT:
    case SKR_OP_LE:
    case SKR_OP_GT:
    case SKR_OP_GE:
        return ord(bytes_cmp(v, k), op);
    case SKR_OP_CONTAINS:
    case SKR_OP_BCONTAINS:
        return skr_bytes_contains(v->p, v->len, k->p, k->len);
    case SKR_OP_ICONTAINS:
        return skr_bytes_icontains(v->p, v->len, k->p, k->len);
    case SKR_OP_STARTSWITH:
    case SKR_OP_BSTARTSWITH:
        return v->len >= k->len && skr_bytes_equal(v->p, k->p, k->len);
    case SKR_OP_ENDSWITH:
        return v->len >= k->len && skr_bytes_equal(v->p + v->len - k->len, k->p, k->len);
    case SKR_OP_GLOB:
    case SKR_OP_IGLOB:
        return fnmatch((const char *)k->p, v->p != NULL ? (const char *)v->p : "",
                       op == SKR_OP_IGLOB ? FNM_CASEFOLD : 0) == 0;
    case SKR_OP_REGEX:
        return chk->re != NULL && match_regex(ctx, chk->re[ki], v);
    default:
        return false;
    }
}

/* Is v one of the set (constants or right-hand side values)? */
static bool in_set(struct skr_eval_ctx *ctx,
                   const struct skr_check *chk,
                   const struct skr_value *v,
                   const struct skr_value *set,
                   uint32_t nset,
                   bool constant)
{
    if (constant && chk->set != NULL) {
        return skr_strset_has(chk->set, v->p, v->len);
    }
    for (uint32_t i = 0; i < nset; i++) {
        if (cmp1(ctx, chk, SKR_OP_EQ, v, &set[i], i)) {
            return true;
        }
    }
    return false;
}

/* The check for one left-hand value. */
static bool check_value(struct skr_eval_ctx *ctx,
                        const struct skr_check *chk,
                        const struct skr_value *v,
                        const struct skr_value *ks,
                        uint32_t nk,
                        bool constant)
{
    enum skr_op op = chk->op;
    uint32_t hits = 0;

    switch (op) {
    case SKR_OP_IN:
    case SKR_OP_INTERSECTS:
        return in_set(ctx, chk, v, ks, nk, constant);
    case SKR_OP_PMATCH:
        return chk->pm != NULL && v->p != NULL &&
               skr_pmatch_match(chk->pm, (const char *)v->p, v->len);
    default:
        break;
    }
    switch (chk->mod) {
    case SKR_MOD_NONE:
        return nk > 0 && cmp1(ctx, chk, op, v, &ks[0], 0);
    case SKR_MOD_ANYOF:
        for (uint32_t i = 0; i < nk; i++) {
            if (cmp1(ctx, chk, op, v, &ks[i], i)) {
                return true;
            }
        }
        return false;
    case SKR_MOD_ALLOF:
        for (uint32_t i = 0; i < nk; i++) {
            if (!cmp1(ctx, chk, op, v, &ks[i], i)) {
                return false;
            }
        }
        return nk > 0;
    case SKR_MOD_ONEOF:
        for (uint32_t i = 0; i < nk; i++) {
            if (cmp1(ctx, chk, op, v, &ks[i], i) && ++hits > 1) {
                return false;
            }
        }
        return hits == 1;
    }
    return false;
}

/* ---- Specialised matchers for the common checks (chosen at compile time) ----------------- */

static bool m_str_eq(struct skr_eval_ctx *ctx,
                     const struct skr_check *chk,
                     const struct skr_value *v)
{
    (void)ctx;
    return bytes_eq(v, &chk->vals[0]);
}

static bool m_str_ne(struct skr_eval_ctx *ctx,
                     const struct skr_check *chk,
                     const struct skr_value *v)
{
    (void)ctx;
    return !bytes_eq(v, &chk->vals[0]);
}

static bool m_str_in(struct skr_eval_ctx *ctx,
                     const struct skr_check *chk,
                     const struct skr_value *v)
{
    (void)ctx;
    if (chk->set != NULL) {
        return skr_strset_has(chk->set, v->p, v->len);
    }
    for (uint32_t i = 0; i < chk->nvals; i++) {
        const struct skr_value *k = &chk->vals[i];
        if (k->len == v->len &&
            (v->len == 0 || (k->p[0] == v->p[0] && skr_bytes_equal(k->p, v->p, v->len)))) {
            return true;
        }
    }
    return false;
}

static bool m_str_startswith(struct skr_eval_ctx *ctx,
                             const struct skr_check *chk,
                             const struct skr_value *v)
{
    const struct skr_value *k = &chk->vals[0];

    (void)ctx;
    return v->len >= k->len && skr_bytes_equal(v->p, k->p, k->len);
}

static bool m_str_endswith(struct skr_eval_ctx *ctx,
                           const struct skr_check *chk,
                           const struct skr_value *v)
{
    const struct skr_value *k = &chk->vals[0];

    (void)ctx;
    return v->len >= k->len && skr_bytes_equal(v->p + v->len - k->len, k->p, k->len);
}

static bool m_str_contains(struct skr_eval_ctx *ctx,
                           const struct skr_check *chk,
                           const struct skr_value *v)
{
    (void)ctx;
    return skr_bytes_contains(v->p, v->len, chk->vals[0].p, chk->vals[0].len);
}

static bool m_str_icontains(struct skr_eval_ctx *ctx,
                            const struct skr_check *chk,
                            const struct skr_value *v)
{
    (void)ctx;
    return skr_bytes_icontains_lower(v->p, v->len, chk->vals[0].p, chk->vals[0].len);
}

#define NUM_MATCHER(name, field, cmpop)                                     \
    static bool name(struct skr_eval_ctx *ctx, const struct skr_check *chk, \
                     const struct skr_value *v)                             \
    {                                                                       \
        (void)ctx;                                                          \
        return v->field cmpop chk->vals[0].field;                           \
    }

NUM_MATCHER(m_u64_eq, u64, ==)
NUM_MATCHER(m_u64_ne, u64, !=)
NUM_MATCHER(m_u64_lt, u64, <)
NUM_MATCHER(m_u64_le, u64, <=)
NUM_MATCHER(m_u64_gt, u64, >)
NUM_MATCHER(m_u64_ge, u64, >=)
NUM_MATCHER(m_s64_eq, s64, ==)
NUM_MATCHER(m_s64_ne, s64, !=)
NUM_MATCHER(m_s64_lt, s64, <)
NUM_MATCHER(m_s64_le, s64, <=)
NUM_MATCHER(m_s64_gt, s64, >)
NUM_MATCHER(m_s64_ge, s64, >=)

static skr_match1_fn num_matcher(enum skr_cls cls, enum skr_op op)
{
    static const skr_match1_fn u[] = { m_u64_eq, m_u64_ne, m_u64_lt, m_u64_le, m_u64_gt, m_u64_ge };
    static const skr_match1_fn s[] = { m_s64_eq, m_s64_ne, m_s64_lt, m_s64_le, m_s64_gt, m_s64_ge };
    int k;

    switch (op) {
    case SKR_OP_EQ:
        k = 0;
        break;
    case SKR_OP_NE:
        k = 1;
        break;
    case SKR_OP_LT:
        k = 2;
        break;
    case SKR_OP_LE:
        k = 3;
        break;
    case SKR_OP_GT:
        k = 4;
        break;
    case SKR_OP_GE:
        k = 5;
        break;
    default:
        return NULL;
    }
    return cls == SKR_CLS_U64 ? u[k] : s[k];
}

static bool m_pmatch(struct skr_eval_ctx *ctx,
                     const struct skr_check *chk,
                     const struct skr_value *v)
{
    (void)ctx;
    return v->p != NULL && skr_pmatch_match(chk->pm, (const char *)v->p, v->len);
}

static bool m_generic(struct skr_eval_ctx *ctx,
                      const struct skr_check *chk,
                      const struct skr_value *v)
{
    return check_value(ctx, chk, v, chk->vals, chk->nvals, true);
}

void skr_check_specialize(struct skr_check *chk)
{
    chk->lhs_req = chk->lhs->kind == SKR_OPD_FIELD ? chk->lhs->req : NULL;
    chk->match = NULL;
    if (chk->rhs != NULL || chk->lhs_list || chk->op == SKR_OP_EXISTS) {
        return;
    }
    chk->match = m_generic;
    if (chk->mod == SKR_MOD_NONE && chk->nvals == 1 &&
        (chk->cls == SKR_CLS_U64 || chk->cls == SKR_CLS_S64)) {
        skr_match1_fn f = num_matcher((enum skr_cls)chk->cls, (enum skr_op)chk->op);
        if (f != NULL) {
            chk->match = f;
        }
        return;
    }
    if (chk->mod != SKR_MOD_NONE || (chk->cls != SKR_CLS_STR && chk->cls != SKR_CLS_BUF)) {
        return;
    }
    switch (chk->op) {
    case SKR_OP_EQ:
        chk->match = chk->nvals == 1 ? m_str_eq : m_generic;
        break;
    case SKR_OP_NE:
        chk->match = chk->nvals == 1 ? m_str_ne : m_generic;
        break;
    case SKR_OP_IN:
    case SKR_OP_INTERSECTS:
        chk->match = m_str_in;
        break;
    case SKR_OP_STARTSWITH:
    case SKR_OP_BSTARTSWITH:
        chk->match = m_str_startswith;
        break;
    case SKR_OP_ENDSWITH:
        chk->match = m_str_endswith;
        break;
    case SKR_OP_CONTAINS:
    case SKR_OP_BCONTAINS:
        chk->match = m_str_contains;
        break;
    case SKR_OP_ICONTAINS:
        chk->match = chk->cls == SKR_CLS_STR ? m_str_icontains : m_generic;
        break;
    case SKR_OP_PMATCH:
        chk->match = chk->pm != NULL ? m_pmatch : m_generic;
        break;
    default:
        break;
    }
}

/* Everything but the specialised checks (out of line: the common path stays small). */
static __attribute__((noinline)) bool eval_check_general(struct skr_eval_ctx *ctx,
                                                         const struct skr_check *chk,
                                                         const struct skr_value *vals,
                                                         uint32_t n)
{
    const struct skr_value *ks = chk->vals;
    uint32_t nk = chk->nvals;
    bool constant = true;

    if (chk->op == SKR_OP_EXISTS) {
        return chk->lhs_list || n > 0;
    }
    if (chk->rhs != NULL) {
        if (skr_eval_operand(ctx, chk->rhs, &ks, &nk) < 0) {
            return false;
        }
        constant = false;
    }
    if (chk->lhs_list) {
        if (chk->op == SKR_OP_IN) {
            for (uint32_t i = 0; i < n; i++) {
                if (!in_set(ctx, chk, &vals[i], ks, nk, constant)) {
                    return false;
                }
            }
            return true;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (in_set(ctx, chk, &vals[i], ks, nk, constant)) {
                return true;
            }
        }
        return false;
    }
    /* A single value; several only for fields such as ancestors: any of them. */
    for (uint32_t i = 0; i < n; i++) {
        if (check_value(ctx, chk, &vals[i], ks, nk, constant)) {
            return true;
        }
    }
    return false;
}

static inline bool eval_check(struct skr_eval_ctx *ctx, const struct skr_check *chk)
{
    const struct skr_value *vals;
    uint32_t n;
    int rc;

    if (chk->typebits != NULL && ctx->code_known) {
        uint32_t code = ctx->code;
        bool in = code < chk->ntypebits && ((chk->typebits[code >> 6] >> (code & 63)) & 1u);
        return in != chk->type_neg;
    }
    if (chk->lhs_req != NULL) {
        rc = get_field(ctx, chk->lhs_req, &vals, &n);
    } else {
        rc = skr_eval_operand(ctx, chk->lhs, &vals, &n);
    }
    if (rc < 0) {
        return false;
    }
    if (chk->match != NULL) {
        /* One value, or several for fields such as ancestors: any of them. */
        for (uint32_t i = 0; i < n; i++) {
            if (chk->match(ctx, chk, &vals[i])) {
                return true;
            }
        }
        return false;
    }
    return eval_check_general(ctx, chk, vals, n);
}

bool skr_eval_cond(struct skr_eval_ctx *ctx, const struct skr_cnode *nd)
{
    switch ((enum skr_cnode_kind)nd->kind) {
    case SKR_CN_CHECK:
        return eval_check(ctx, nd->chk);
    case SKR_CN_AND:
        for (uint32_t i = 0; i < nd->n; i++) {
            const struct skr_cnode *k = nd->kids[i];
            if (!(k->kind == SKR_CN_CHECK ? eval_check(ctx, k->chk) : skr_eval_cond(ctx, k))) {
                return false;
            }
        }
        return true;
    case SKR_CN_OR:
        for (uint32_t i = 0; i < nd->n; i++) {
            const struct skr_cnode *k = nd->kids[i];
            if (k->kind == SKR_CN_CHECK ? eval_check(ctx, k->chk) : skr_eval_cond(ctx, k)) {
                return true;
            }
        }
        return false;
    case SKR_CN_NOT:
        return !skr_eval_cond(ctx, nd->kids[0]);
    case SKR_CN_CONST:
        return nd->cval;
    case SKR_CN_MEMO: {
        struct skr_memo_val *m;
        bool v;
        if (nd->slot == 0 || nd->slot >= ctx->nmemo) {
            return skr_eval_cond(ctx, nd->kids[0]);
        }
        m = &ctx->memo[nd->slot];
        if (m->gen == ctx->gen) {
            return m->val;
        }
        v = skr_eval_cond(ctx, nd->kids[0]);
        m->gen = ctx->gen;
        m->val = v;
        return v;
    }
    }
    return false;
}

bool skr_eval_prog(struct skr_eval_ctx *ctx, const struct skr_prog *prog)
{
    uint32_t pc = 0;

    while (pc < prog->n) {
        const struct skr_ins *in = &prog->ins[pc];
        switch ((enum skr_ins_op)in->op) {
        case SKR_INS_CHECK:
            pc = eval_check(ctx, in->chk) ? in->t : in->f;
            break;
        case SKR_INS_JUMP:
            pc = in->t;
            break;
        case SKR_INS_MEMO:
            if (in->slot < ctx->nmemo && ctx->memo[in->slot].gen == ctx->gen) {
                pc = ctx->memo[in->slot].val ? in->t : in->f;
            } else {
                pc++;
            }
            break;
        case SKR_INS_SET:
            if (in->slot < ctx->nmemo) {
                ctx->memo[in->slot].gen = ctx->gen;
                ctx->memo[in->slot].val = in->val;
            }
            pc = in->t;
            break;
        default:
            return false;
        }
    }
    return pc == SKR_PC_TRUE;
}
