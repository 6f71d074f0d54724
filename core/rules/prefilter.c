/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Source prefilters: what the rules of one event code need of a few string
 * fields, as a formula a source can test where the event is born.
 *
 * Each rule's compiled condition is projected onto the asked-for fields as a
 * conjunction of clauses (CNF), each clause a disjunction of atoms
 * "field op constant". The projection only ever weakens: a check on another
 * field, a negation, a transformer or a field comparison becomes "true"; an
 * "or" whose product would be too big keeps only some of its clauses. So
 * every clause is implied by the condition, and an event that fails one of
 * them cannot match the rule. Which clause is worth testing, and how, is the
 * source's business.
 */
#include <errno.h>
#include <string.h>

#include "rules/rules_int.h"

/* Bounds that keep a projection small; dropping clauses only weakens it. */
#define PF_MAX_CLAUSES 32
#define PF_MAX_ATOMS   4096

struct pf_ctx {
    struct skr_arena *arena;
    const uint32_t *fields;
    size_t nfields;
    bool oom;
};

/* A conjunction of clauses; n == 0 is "true". */
struct pf_cnf {
    uint32_t n;
    struct skr_pf_clause *c;
};

static int field_index(const struct pf_ctx *x, const struct skr_extract_req *req)
{
    if (req == NULL || req->arg_present) {
        return -1;
    }
    for (size_t i = 0; i < x->nfields; i++) {
        if (x->fields[i] == req->field_id) {
            return (int)i;
        }
    }
    return -1;
}

static uint32_t atom_op(const struct skr_check *chk)
{
    switch (chk->op) {
    case SKR_OP_EQ:
    case SKR_OP_EQEQ:
    case SKR_OP_IN:
        return SKR_PF_EQ;
    case SKR_OP_STARTSWITH:
        return SKR_PF_PREFIX;
    case SKR_OP_ENDSWITH:
        return SKR_PF_SUFFIX;
    case SKR_OP_CONTAINS:
        return SKR_PF_CONTAINS;
    case SKR_OP_GLOB:
        return SKR_PF_GLOB;
    case SKR_OP_PMATCH:
        return SKR_PF_PMATCH;
    default:
        return 0;
    }
}

/* One clause from a check on an asked-for field, or "true" (n == 0). */
static struct pf_cnf cnf_check(struct pf_ctx *x, const struct skr_check *chk)
{
    struct pf_cnf r = { 0, NULL };
    struct skr_pf_clause *cl;
    uint32_t op = atom_op(chk);
    int f;

    if (op == 0 || chk->rhs != NULL || chk->mod != SKR_MOD_NONE || chk->cls != SKR_CLS_STR ||
        chk->lhs_list || chk->typebits != NULL || chk->nvals == 0 || chk->nvals > PF_MAX_ATOMS ||
        chk->lhs == NULL || chk->lhs->kind != SKR_OPD_FIELD || chk->lhs->is_list ||
        chk->lhs->has_sel) {
        return r;
    }
    f = field_index(x, chk->lhs_req);
    if (f < 0) {
        return r;
    }
    cl = skr_arena_calloc(x->arena, 1, sizeof(*cl));
    if (cl == NULL) {
        x->oom = true;
        return r;
    }
    cl->atoms = skr_arena_calloc(x->arena, chk->nvals, sizeof(*cl->atoms));
    if (cl->atoms == NULL) {
        x->oom = true;
        return r;
    }
    for (uint32_t i = 0; i < chk->nvals; i++) {
        struct skr_pf_atom *a = &cl->atoms[cl->natoms++];
        a->field = (uint32_t)f;
        a->op = op;
        a->val = chk->vals[i].p;
        a->len = chk->vals[i].len;
    }
    r.n = 1;
    r.c = cl;
    return r;
}

static struct pf_cnf cnf_of(struct pf_ctx *x, const struct skr_cnode *n);

static struct pf_cnf cnf_and(struct pf_ctx *x, const struct skr_cnode *n)
{
    struct pf_cnf r = { 0, NULL };

    for (uint32_t i = 0; i < n->n && !x->oom; i++) {
        struct pf_cnf k = cnf_of(x, n->kids[i]);
        uint32_t take = k.n;
        struct skr_pf_clause *c;

        if (take == 0) {
            continue;
        }
        if (r.n + take > PF_MAX_CLAUSES) {
            take = PF_MAX_CLAUSES - r.n;
        }
        if (take == 0) {
            break;
        }
        c = skr_arena_calloc(x->arena, r.n + take, sizeof(*c));
        if (c == NULL) {
            x->oom = true;
            break;
        }
        if (r.n) {
            memcpy(c, r.c, r.n * sizeof(*c));
        }
        memcpy(c + r.n, k.c, take * sizeof(*c));
        r.c = c;
        r.n += take;
    }
    return r;
}

/* a or b, for one clause of each: every atom of both. */
static bool clause_union(struct pf_ctx *x,
                         const struct skr_pf_clause *a,
                         const struct skr_pf_clause *b,
                         struct skr_pf_clause *out)
{
    uint32_t n = a->natoms + b->natoms;

    out->natoms = 0;
    out->atoms = NULL;
    if (n > PF_MAX_ATOMS) {
        return false;
    }
    if (n == 0) {
        return true; /* false or false */
    }
    out->atoms = skr_arena_calloc(x->arena, n, sizeof(*out->atoms));
    if (out->atoms == NULL) {
        x->oom = true;
        return false;
    }
    if (a->natoms) {
        memcpy(out->atoms, a->atoms, a->natoms * sizeof(*a->atoms));
    }
    if (b->natoms) {
        memcpy(out->atoms + a->natoms, b->atoms, b->natoms * sizeof(*b->atoms));
    }
    out->natoms = n;
    return true;
}

/*
 * (a1 and a2 ...) or (b1 and b2 ...) implies (ai or bj) for every i, j: the
 * product, bounded. An operand without clauses makes the "or" true.
 */
static struct pf_cnf cnf_or(struct pf_ctx *x, const struct skr_cnode *n)
{
    struct pf_cnf r = { 0, NULL };

    for (uint32_t i = 0; i < n->n && !x->oom; i++) {
        struct pf_cnf k = cnf_of(x, n->kids[i]);
        struct skr_pf_clause *c;
        uint32_t m = 0;

        if (k.n == 0) {
            return (struct pf_cnf){ 0, NULL };
        }
        if (i == 0) {
            r = k;
            continue;
        }
        c = skr_arena_calloc(x->arena, PF_MAX_CLAUSES, sizeof(*c));
        if (c == NULL) {
            x->oom = true;
            break;
        }
        for (uint32_t p = 0; p < r.n && m < PF_MAX_CLAUSES; p++) {
            for (uint32_t q = 0; q < k.n && m < PF_MAX_CLAUSES; q++) {
                if (clause_union(x, &r.c[p], &k.c[q], &c[m])) {
                    m++;
                }
            }
        }
        if (m == 0) {
            return (struct pf_cnf){ 0, NULL };
        }
        r.c = c;
        r.n = m;
    }
    return r;
}

static struct pf_cnf cnf_of(struct pf_ctx *x, const struct skr_cnode *n)
{
    struct pf_cnf r = { 0, NULL };

    if (n == NULL || x->oom) {
        return r;
    }
    switch (n->kind) {
    case SKR_CN_AND:
        return cnf_and(x, n);
    case SKR_CN_OR:
        return cnf_or(x, n);
    case SKR_CN_MEMO:
        return n->n ? cnf_of(x, n->kids[0]) : r;
    case SKR_CN_CHECK:
        return n->chk ? cnf_check(x, n->chk) : r;
    case SKR_CN_CONST:
        if (!n->cval) {
            /* never true: one empty clause */
            r.c = skr_arena_calloc(x->arena, 1, sizeof(*r.c));
            if (r.c == NULL) {
                x->oom = true;
                return r;
            }
            r.n = 1;
        }
        return r;
    default:
        return r; /* not: true */
    }
}

/* ---- Which asked-for fields a rule reads ----------------------------------------------- */

static void mark_operand(const struct pf_ctx *x, const struct skr_operand *o, bool *reads)
{
    if (o == NULL) {
        return;
    }
    if (o->kind == SKR_OPD_FIELD && o->req != NULL) {
        for (size_t i = 0; i < x->nfields; i++) {
            if (x->fields[i] == o->req->field_id) {
                reads[i] = true;
            }
        }
    }
    for (uint32_t i = 0; i < o->nargs; i++) {
        mark_operand(x, o->args[i], reads);
    }
}

static void mark_cond(const struct pf_ctx *x, const struct skr_cnode *n, bool *reads)
{
    if (n == NULL) {
        return;
    }
    if (n->kind == SKR_CN_CHECK && n->chk != NULL) {
        mark_operand(x, n->chk->lhs, reads);
        mark_operand(x, n->chk->rhs, reads);
    }
    for (uint32_t i = 0; i < n->n; i++) {
        mark_cond(x, n->kids[i], reads);
    }
}

static void mark_format(const struct pf_ctx *x, const struct skr_format *f, bool *reads)
{
    for (uint32_t i = 0; i < f->nopds; i++) {
        mark_operand(x, f->opds[i], reads);
    }
    for (uint32_t i = 0; i < f->nnamed; i++) {
        mark_format(x, &f->named[i].fmt, reads);
    }
}

int skr_ruleset_prefilter(const struct skr_ruleset *rs,
                          size_t source_idx,
                          uint16_t code,
                          const uint32_t *field_ids,
                          size_t nfields,
                          struct skr_arena *arena,
                          struct skr_pf_code *out)
{
    struct pf_ctx x = { arena, field_ids, nfields, false };
    const struct skr_rs_index *ix;
    struct skr_rule *const *list;
    uint32_t n;

    memset(out, 0, sizeof(*out));
    if (rs == NULL || arena == NULL || source_idx >= rs->nsources) {
        return -EINVAL;
    }
    ix = &rs->index[source_idx];
    if (code <= ix->max_code) {
        list = ix->list + ix->off[code];
        n = ix->off[code + 1] - ix->off[code];
    } else {
        list = ix->beyond;
        n = ix->nbeyond;
    }
    out->rules = skr_arena_calloc(arena, n ? n : 1, sizeof(*out->rules));
    if (out->rules == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct skr_rule *r = list[i];
        struct pf_cnf c = cnf_of(&x, r->cond);

        if (x.oom) {
            return -ENOMEM;
        }
        out->rules[i].nclauses = c.n;
        out->rules[i].clauses = c.c;
        out->rules[i].reads = skr_arena_calloc(arena, nfields ? nfields : 1, sizeof(bool));
        if (out->rules[i].reads == NULL) {
            return -ENOMEM;
        }
        mark_cond(&x, r->cond, out->rules[i].reads);
        mark_format(&x, &r->out, out->rules[i].reads);
    }
    out->nrules = n;
    return 0;
}
