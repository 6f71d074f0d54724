/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event codes a condition can match, computed on the macro-resolved tree
 * as Falco does: "and" intersects, "or" unites, "not" is pushed down to the
 * leaves (De Morgan). Leaves on evt.type/syscall.type with =, ==, != or in
 * give the named codes; evt.type exists gives every code; constant evt.num
 * checks give nothing or everything; every other leaf is neutral (every code,
 * whatever the negation).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

#define MAX_CODES_PER_NAME 64

struct set {
    bool comp;
    uint32_t n;
    uint16_t *v; /* malloc'ed, sorted, unique */
};

static void set_free(struct set *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void set_normalize(struct set *s)
{
    uint32_t w = 0;

    if (s->n == 0) {
        return;
    }
    qsort(s->v, s->n, sizeof(*s->v), cmp_u16);
    for (uint32_t i = 0; i < s->n; i++) {
        if (w == 0 || s->v[w - 1] != s->v[i]) {
            s->v[w++] = s->v[i];
        }
    }
    s->n = w;
}

/* Sorted-array algebra: out = a op b where op is union (1), intersection (2) or
 * difference a - b (3). */
static int arr_op(const struct set *a, const struct set *b, int op, struct set *out)
{
    uint32_t i = 0;
    uint32_t j = 0;
    uint32_t k = 0;
    uint16_t *v = malloc(((size_t)a->n + b->n + 1) * sizeof(*v));

    if (v == NULL) {
        return -ENOMEM;
    }
    while (i < a->n || j < b->n) {
        if (j >= b->n || (i < a->n && a->v[i] < b->v[j])) {
            if (op == 1 || op == 3) {
                v[k++] = a->v[i];
            }
            i++;
        } else if (i >= a->n || b->v[j] < a->v[i]) {
            if (op == 1) {
                v[k++] = b->v[j];
            }
            j++;
        } else {
            if (op == 1 || op == 2) {
                v[k++] = a->v[i];
            }
            i++;
            j++;
        }
    }
    out->v = v;
    out->n = k;
    return 0;
}

/* a = a AND b (intersect) or a OR b (union); b is consumed. */
static int set_combine(struct set *a, struct set *b, bool intersect)
{
    struct set r = { 0 };
    int rc;

    if (intersect) {
        if (!a->comp && !b->comp) {
            rc = arr_op(a, b, 2, &r);
        } else if (a->comp && b->comp) {
            rc = arr_op(a, b, 1, &r);
            r.comp = true;
        } else if (!a->comp) {
            rc = arr_op(a, b, 3, &r);
        } else {
            rc = arr_op(b, a, 3, &r);
        }
    } else {
        if (!a->comp && !b->comp) {
            rc = arr_op(a, b, 1, &r);
        } else if (a->comp && b->comp) {
            rc = arr_op(a, b, 2, &r);
            r.comp = true;
        } else if (!a->comp) {
            rc = arr_op(b, a, 3, &r);
            r.comp = true;
        } else {
            rc = arr_op(a, b, 3, &r);
            r.comp = true;
        }
    }
    set_free(a);
    set_free(b);
    if (rc < 0) {
        return rc;
    }
    *a = r;
    return 0;
}

static bool field_is(const struct skr_ast *f, const char *name)
{
    return f->kind == SKR_AST_FIELD && !(f->flags & SKR_AST_HAS_ARG) && f->len == strlen(name) &&
           memcmp(f->str, name, f->len) == 0;
}

/* evt.type under a transformer cannot be analysed (syscall.type is then a neutral leaf). */
static bool mentions_evt_type(const struct skr_ast *n)
{
    if (field_is(n, "evt.type")) {
        return true;
    }
    if (n->kind == SKR_AST_TRANSFORMER || n->kind == SKR_AST_TLIST) {
        for (uint32_t i = 0; i < n->nkids; i++) {
            if (mentions_evt_type(n->kids[i])) {
                return true;
            }
        }
    }
    return false;
}

static int add_name(struct skr_evtnames *names, const char *name)
{
    if (names == NULL) {
        return 0;
    }
    for (uint32_t i = 0; i < names->n; i++) {
        if (strcmp(names->v[i], name) == 0) {
            return 0;
        }
    }
    if (names->n == names->cap) {
        uint32_t ncap = names->cap ? names->cap * 2 : 16;
        const char **nv = realloc(names->v, ncap * sizeof(*nv));
        if (nv == NULL) {
            return -ENOMEM;
        }
        names->v = nv;
        names->cap = ncap;
    }
    names->v[names->n++] = name;
    return 0;
}

/* The codes of one evt.type value. */
static int codes_of(struct skr_compiler *c,
                    const char *source,
                    const struct skr_ast *v,
                    struct set *s)
{
    uint16_t codes[MAX_CODES_PER_NAME];
    size_t n = 0;

    if (c->host != NULL && c->host->event_codes != NULL) {
        n = c->host->event_codes(c->host->user, source, v->str, codes, MAX_CODES_PER_NAME);
    }
    if (n == 0) {
        skr_compiler_msg(c, false, "LOAD_ERR_COMPILE_CONDITION", v->pos, "unknown event type %s",
                         v->str);
        return -ENOENT;
    }
    if (n > MAX_CODES_PER_NAME) {
        n = MAX_CODES_PER_NAME;
    }
    uint16_t *nv = realloc(s->v, ((size_t)s->n + n) * sizeof(*nv));
    if (nv == NULL) {
        return -ENOMEM;
    }
    memcpy(nv + s->n, codes, n * sizeof(*codes));
    s->v = nv;
    s->n += (uint32_t)n;
    return 0;
}

/* Constant evt.num checks: 1 = never true (empty), 2 = always true (all), 0 = neither. */
static int evt_num_const(const struct skr_ast *n)
{
    const struct skr_ast *r = n->kids[1];
    enum skr_op op = n->op;
    const char *v;

    if (r->kind == SKR_AST_LIST && op == SKR_OP_IN && n->mod == SKR_MOD_NONE) {
        for (uint32_t i = 0; i < r->nkids; i++) {
            if (strcmp(r->kids[i]->str, "0") != 0) {
                return 0;
            }
        }
        return 1;
    }
    if (r->kind != SKR_AST_VALUE || n->mod != SKR_MOD_NONE) {
        return 0;
    }
    v = r->str;
    if (((op == SKR_OP_EQ || op == SKR_OP_EQEQ || op == SKR_OP_LE || op == SKR_OP_IN) &&
         strcmp(v, "0") == 0) ||
        (op == SKR_OP_LT && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0))) {
        return 1;
    }
    if ((op == SKR_OP_NE || op == SKR_OP_GT || op == SKR_OP_GE) && strcmp(v, "0") == 0) {
        return 2;
    }
    if (op == SKR_OP_GE && strcmp(v, "1") == 0) {
        return 2;
    }
    return 0;
}

static int walk(struct skr_compiler *c,
                const char *source,
                const struct skr_ast *n,
                bool neg,
                struct set *out,
                struct skr_evtnames *names)
{
    int rc;

    memset(out, 0, sizeof(*out));
    switch (n->kind) {
    case SKR_AST_AND:
    case SKR_AST_OR: {
        bool intersect = (n->kind == SKR_AST_AND) != neg;
        rc = walk(c, source, n->kids[0], neg, out, names);
        for (uint32_t i = 1; rc == 0 && i < n->nkids; i++) {
            struct set k;
            rc = walk(c, source, n->kids[i], neg, &k, names);
            if (rc == 0) {
                rc = set_combine(out, &k, intersect);
            }
        }
        if (rc < 0) {
            set_free(out);
        }
        return rc;
    }
    case SKR_AST_NOT:
        return walk(c, source, n->kids[0], !neg, out, names);
    case SKR_AST_MACRO: {
        bool outer = c->macro_ref == NULL;
        if (outer) {
            c->macro_ref = n;
        }
        rc = walk(c, source, n->kids[0], neg, out, names);
        if (outer) {
            c->macro_ref = NULL;
        }
        return rc;
    }
    case SKR_AST_UNARY:
        if (n->kids[0]->kind == SKR_AST_TRANSFORMER && mentions_evt_type(n->kids[0])) {
            skr_compiler_msg(c, false, "LOAD_ERR_COMPILE_CONDITION", n->pos,
                             "evt.type cannot be used with transformers");
            return -EINVAL;
        }
        if (field_is(n->kids[0], "evt.type") || field_is(n->kids[0], "syscall.type")) {
            out->comp = !neg; /* exists: every code; negated: none */
            return 0;
        }
        out->comp = true;
        return 0;
    case SKR_AST_BINARY: {
        const struct skr_ast *l = n->kids[0];
        const struct skr_ast *r = n->kids[1];
        enum skr_op op = n->op;
        if ((l->kind == SKR_AST_TRANSFORMER && mentions_evt_type(l)) ||
            (field_is(l, "evt.type") && r->kind == SKR_AST_TRANSFORMER)) {
            skr_compiler_msg(c, false, "LOAD_ERR_COMPILE_CONDITION", n->pos,
                             "evt.type cannot be compared with a field or used with transformers");
            return -EINVAL;
        }
        if ((field_is(l, "evt.type") || field_is(l, "syscall.type")) && n->mod == SKR_MOD_NONE &&
            (op == SKR_OP_EQ || op == SKR_OP_EQEQ || op == SKR_OP_NE || op == SKR_OP_IN)) {
            bool comp;
            if (r->kind == SKR_AST_LIST) {
                for (uint32_t i = 0; i < r->nkids; i++) {
                    rc = codes_of(c, source, r->kids[i], out);
                    if (rc < 0) {
                        set_free(out);
                        return rc;
                    }
                }
            } else {
                rc = codes_of(c, source, r, out);
                if (rc < 0) {
                    set_free(out);
                    return rc;
                }
            }
            set_normalize(out);
            comp = (op == SKR_OP_NE) != neg;
            out->comp = comp;
            if (!comp) {
                if (r->kind == SKR_AST_LIST) {
                    for (uint32_t i = 0; i < r->nkids; i++) {
                        if (add_name(names, r->kids[i]->str) < 0) {
                            return -ENOMEM;
                        }
                    }
                } else if (add_name(names, r->str) < 0) {
                    return -ENOMEM;
                }
            }
            return 0;
        }
        if (field_is(l, "evt.num")) {
            int k = evt_num_const(n);
            if (k != 0) {
                bool all = (k == 2) != neg;
                out->comp = all;
                return 0;
            }
        }
        out->comp = true;
        return 0;
    }
    default:
        out->comp = true;
        return 0;
    }
}

int skr_evtset_of(struct skr_compiler *c,
                  const char *source,
                  const struct skr_ast *ast,
                  struct skr_evtset *out,
                  struct skr_evtnames *names)
{
    struct set s;
    int rc = walk(c, source, ast, false, &s, names);

    if (rc < 0) {
        return rc;
    }
    out->complement = s.comp;
    out->n = s.n;
    out->codes = NULL;
    if (s.n > 0) {
        out->codes = skr_arena_memdup(c->arena, s.v, s.n * sizeof(*s.v));
        if (out->codes == NULL) {
            set_free(&s);
            return -ENOMEM;
        }
    }
    set_free(&s);
    return 0;
}

bool skr_evtset_has(const struct skr_evtset *s, uint16_t code)
{
    uint32_t lo = 0;
    uint32_t hi = s->n;

    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->codes[mid] == code) {
            return !s->complement;
        }
        if (s->codes[mid] < code) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return s->complement;
}

uint64_t skr_evtset_count(const struct skr_evtset *s, uint64_t universe)
{
    if (!s->complement) {
        return s->n;
    }
    return universe > s->n ? universe - s->n : 0;
}
