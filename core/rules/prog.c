/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Branch programs: a compiled condition flattened into forward jumps.
 *
 * gen(node, T, F) emits code that ends at label T when node holds and at F
 * otherwise; an "and" sends each operand's true exit to the next operand and
 * its false exit to F ("or" the other way round), "not" swaps the labels, and
 * a kept macro body (memo slot) first tests the slot, then runs the body and
 * stores its result on the way out. Labels are resolved once everything is
 * emitted. Every jump goes forward, so evaluation always ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

struct pgen {
    struct skr_ins *ins;
    uint32_t n, cap;
    uint32_t *labels; /* label id -> pc */
    uint32_t nlabels, lcap;
    bool oom;
};

#define L_TRUE  0u /* label ids 0 and 1: the program's two ends */
#define L_FALSE 1u

static uint32_t new_label(struct pgen *g)
{
    if (g->nlabels == g->lcap) {
        uint32_t ncap = g->lcap ? g->lcap * 2 : 64;
        uint32_t *nl = realloc(g->labels, ncap * sizeof(*nl));
        if (nl == NULL) {
            g->oom = true;
            return L_FALSE;
        }
        g->labels = nl;
        g->lcap = ncap;
    }
    g->labels[g->nlabels] = SKR_PC_FALSE;
    return g->nlabels++;
}

static void define(struct pgen *g, uint32_t label)
{
    if (!g->oom) {
        g->labels[label] = g->n;
    }
}

static void emit(struct pgen *g, const struct skr_ins *in)
{
    if (g->oom) {
        return;
    }
    if (g->n == g->cap) {
        uint32_t ncap = g->cap ? g->cap * 2 : 32;
        struct skr_ins *ni = realloc(g->ins, ncap * sizeof(*ni));
        if (ni == NULL) {
            g->oom = true;
            return;
        }
        g->ins = ni;
        g->cap = ncap;
    }
    g->ins[g->n++] = *in;
}

static void gen(struct pgen *g, const struct skr_cnode *nd, uint32_t t, uint32_t f)
{
    struct skr_ins in;

    memset(&in, 0, sizeof(in));
    switch ((enum skr_cnode_kind)nd->kind) {
    case SKR_CN_CHECK:
        in.op = SKR_INS_CHECK;
        in.chk = nd->chk;
        in.t = t;
        in.f = f;
        emit(g, &in);
        return;
    case SKR_CN_CONST:
        in.op = SKR_INS_JUMP;
        in.t = nd->cval ? t : f;
        emit(g, &in);
        return;
    case SKR_CN_NOT:
        gen(g, nd->kids[0], f, t);
        return;
    case SKR_CN_AND:
    case SKR_CN_OR:
        if (nd->n == 0) { /* an empty "and" holds, an empty "or" does not */
            in.op = SKR_INS_JUMP;
            in.t = nd->kind == SKR_CN_AND ? t : f;
            emit(g, &in);
            return;
        }
        for (uint32_t i = 0; i < nd->n; i++) {
            uint32_t next = i + 1 < nd->n ? new_label(g) : 0;
            if (i + 1 == nd->n) {
                gen(g, nd->kids[i], t, f);
            } else if (nd->kind == SKR_CN_AND) {
                gen(g, nd->kids[i], next, f);
            } else {
                gen(g, nd->kids[i], t, next);
            }
            if (i + 1 < nd->n) {
                define(g, next);
            }
        }
        return;
    case SKR_CN_MEMO: {
        uint32_t lt, lf;
        if (nd->slot == 0) {
            gen(g, nd->kids[0], t, f);
            return;
        }
        in.op = SKR_INS_MEMO;
        in.slot = nd->slot;
        in.t = t;
        in.f = f;
        emit(g, &in);
        lt = new_label(g);
        lf = new_label(g);
        gen(g, nd->kids[0], lt, lf);
        define(g, lt);
        in.op = SKR_INS_SET;
        in.val = true;
        in.t = t;
        in.f = 0;
        emit(g, &in);
        define(g, lf);
        in.val = false;
        in.t = f;
        emit(g, &in);
        return;
    }
    }
    g->oom = true; /* unknown node: keep the tree */
}

/* A label id as a pc; jumps to the ends become SKR_PC_TRUE / SKR_PC_FALSE. */
static uint32_t resolve(const struct pgen *g, uint32_t label)
{
    if (label == L_TRUE) {
        return SKR_PC_TRUE;
    }
    if (label == L_FALSE) {
        return SKR_PC_FALSE;
    }
    return g->labels[label] >= g->n ? SKR_PC_FALSE : g->labels[label];
}

struct skr_prog *skr_prog_build(struct skr_arena *arena, const struct skr_cnode *cond)
{
    struct pgen g;
    struct skr_prog *p = NULL;

    if (cond == NULL) {
        return NULL;
    }
    memset(&g, 0, sizeof(g));
    (void)new_label(&g); /* L_TRUE */
    (void)new_label(&g); /* L_FALSE */
    gen(&g, cond, L_TRUE, L_FALSE);
    if (!g.oom && g.n > 0) {
        p = skr_arena_alloc(arena, sizeof(*p) + g.n * sizeof(p->ins[0]));
    }
    if (p != NULL) {
        p->n = g.n;
        for (uint32_t i = 0; i < g.n; i++) {
            p->ins[i] = g.ins[i];
            p->ins[i].t = resolve(&g, g.ins[i].t);
            if (p->ins[i].op == SKR_INS_CHECK || p->ins[i].op == SKR_INS_MEMO) {
                p->ins[i].f = resolve(&g, g.ins[i].f);
            }
        }
    }
    free(g.ins);
    free(g.labels);
    return p;
}
