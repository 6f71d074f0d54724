/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule exceptions as Falco reads them: the list form (fields and comps lists,
 * tuples of values), the single-field form and comparisons with modifiers;
 * their validation against the rule's source; appends of new exceptions and
 * of values to existing ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/parser.h"
#include "rules/yamlread.h"

/* ---- Exceptions ---------------------------------------------------------------------------------- */

static int decode_xentry(struct rd *r,
                         const yaml_node_t *v,
                         const char *key,
                         const struct cl_ctx *ctx,
                         struct cl_xentry *out)
{
    memset(out, 0, sizeof(*out));
    if (rd_is_scalar(v)) {
        if (rd_scalar(v)[0] == '\0' && !rd_is_null(v)) {
            struct cl_ctx vctx = rd_ctx(r, v, "value for", key);
            return rd_fail(r, E_YAML, ctx, &vctx, "Value must be non-empty");
        }
        if (rd_is_null(v)) {
            return 0; /* null: not given */
        }
        out->valid = true;
        out->item = rd_dup(r, rd_scalar(v));
        return out->item != NULL ? 0 : rd_oom(r, ctx);
    }
    if (v->type == YAML_SEQUENCE_NODE) {
        size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        out->valid = true;
        out->is_list = true;
        out->items = skr_arena_calloc(&r->c->a, n + 1, sizeof(*out->items));
        if (out->items == NULL) {
            return rd_oom(r, ctx);
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            int rc = decode_xentry(r, rd_node(r, *it), "", ctx, &out->items[out->nitems]);
            if (rc < 0) {
                return rc;
            }
            out->nitems++;
        }
    }
    return 0;
}

int rd_read_exceptions(struct rd *r,
                       const yaml_node_t *item,
                       const struct cl_ctx *rctx,
                       bool append,
                       struct cl_exception **out,
                       uint32_t *nout,
                       bool *present)
{
    const yaml_node_t *exs = rd_get(r, item, "exceptions", NULL);
    struct cl_ctx exsctx;
    struct cl_exception *arr;
    uint32_t n = 0;

    *out = NULL;
    *nout = 0;
    if (present != NULL) {
        *present = exs != NULL;
    }
    if (exs == NULL || rd_is_null(exs)) {
        return 0;
    }
    exsctx = rd_ctx(r, exs, "exceptions", "");
    if (exs->type != YAML_SEQUENCE_NODE) {
        return rd_fail(r, E_YAML, rctx, &exsctx, "Rule exceptions must be a sequence");
    }
    arr = skr_arena_calloc(
            &r->c->a, (size_t)(exs->data.sequence.items.top - exs->data.sequence.items.start) + 1,
            sizeof(*arr));
    if (arr == NULL) {
        return rd_oom(r, rctx);
    }
    for (yaml_node_item_t *it = exs->data.sequence.items.start; it < exs->data.sequence.items.top;
         it++) {
        yaml_node_t *ex = rd_node(r, *it);
        struct cl_ctx tmp = rd_ctx(r, ex, "exception", "");
        struct cl_exception *e = &arr[n];
        const yaml_node_t *v;
        char *name;
        int rc;

        if (ex == NULL || ex->type != YAML_MAPPING_NODE) {
            return rd_fail(r, E_YAML, rctx, &tmp, "Rule exception must be a mapping");
        }
        rc = rd_decode_str(r, ex, "name", &tmp, false, &name);
        if (rc < 0) {
            r->err->sub = r->err->ctx;
            r->err->ctx = *rctx;
            return rc;
        }
        e->name = name;
        e->ctx = rd_ctx(r, ex, "exception", name);
        for (uint32_t k = 0; k < n; k++) {
            if (strcmp(arr[k].name, name) == 0) {
                char msg[512];
                snprintf(msg, sizeof(msg),
                         "Multiple definitions of exception '%.200s' in the same rule", name);
                rd_warn(r, "LOAD_EXCEPTION_NAME_NOT_UNIQUE", rctx, &e->ctx, msg);
                break;
            }
        }
        v = rd_get(r, ex, "fields", NULL);
        if (v == NULL) {
            if (!append) {
                return rd_fail(r, E_YAML, rctx, &e->ctx, "Item has no mapping for key 'fields'");
            }
        } else {
            rc = decode_xentry(r, v, "fields", rctx, &e->fields);
            if (rc < 0) {
                return rc;
            }
        }
        v = rd_get(r, ex, "comps", NULL);
        if (v != NULL) {
            if (rd_is_scalar(v) && rd_scalar(v)[0] == '\0') {
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
        v = rd_get(r, ex, "values", NULL);
        if (v != NULL) {
            struct cl_ctx vctx = rd_ctx(r, v, "exception values", "");
            size_t nv;
            if (v->type != YAML_SEQUENCE_NODE) {
                return rd_fail(r, E_YAML, rctx, &vctx, "Rule exception values must be a sequence");
            }
            nv = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            e->values = skr_arena_calloc(&r->c->a, nv + 1, sizeof(*e->values));
            if (e->values == NULL) {
                return rd_oom(r, rctx);
            }
            for (yaml_node_item_t *vi = v->data.sequence.items.start;
                 vi < v->data.sequence.items.top; vi++) {
                yaml_node_t *val = rd_node(r, *vi);
                struct cl_ctx valctx = rd_ctx(r, val, "exception value", "");
                if (rd_is_scalar(val) && rd_scalar(val)[0] == '\0') {
                    return rd_fail(r, E_YAML, rctx, &valctx, "Value must be non-empty");
                }
                rc = decode_xentry(r, val, "", rctx, &e->values[e->nvalues]);
                if (rc < 0) {
                    return rc;
                }
                e->nvalues++;
            }
            e->has_values = true;
        } else if (append) {
            rd_warn(r, "LOAD_APPEND_NO_VALUES", rctx, &e->ctx,
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

int rd_validate_exception(struct rd *r,
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
                return rd_oom(r, rctx);
            }
            for (uint32_t i = 0; i < ex->fields.nitems; i++) {
                ex->comps.items[i].valid = true;
                ex->comps.items[i].item = rd_dup(r, "=");
            }
        }
        if (!ex->comps.is_list || ex->fields.nitems != ex->comps.nitems) {
            return rd_fail(r, E_VALIDATE, rctx, &ex->ctx,
                           "Fields and comps lists must have equal length");
        }
        for (uint32_t i = 0; i < ex->comps.nitems; i++) {
            struct cl_xentry *cmp = &ex->comps.items[i];
            if (cmp->is_list || cmp->item == NULL || parse_comp(cmp->item, &mod) == SKR_OP_NONE) {
                return rd_fail(r, E_VALIDATE, rctx, &ex->ctx,
                               "'%s' is not a supported comparison operator",
                               cmp->item != NULL ? cmp->item : "");
            }
        }
        for (uint32_t i = 0; i < ex->fields.nitems; i++) {
            struct cl_xentry *fe = &ex->fields.items[i];
            if (fe->is_list || fe->item == NULL) {
                return rd_fail(r, E_VALIDATE, rctx, &ex->ctx, "Exception fields must be strings");
            }
            if (source_known && !field_defined(r, source, fe->item)) {
                return rd_fail(r, E_VALIDATE, rctx, &ex->ctx,
                               "'%s' is not a supported filter field", fe->item);
            }
        }
        return 0;
    }
    if (!ex->comps.valid) {
        ex->comps.valid = true;
        ex->comps.item = rd_dup(r, "in");
    }
    if (ex->comps.is_list) {
        return rd_fail(r, E_VALIDATE, rctx, &ex->ctx, "Fields and comps must both be strings");
    }
    {
        enum skr_op op = parse_comp(ex->comps.item, &mod);
        if (op == SKR_OP_NONE || (mod == SKR_MOD_NONE && op != SKR_OP_IN && op != SKR_OP_PMATCH &&
                                  op != SKR_OP_INTERSECTS)) {
            return rd_fail(
                    r, E_VALIDATE, rctx, &ex->ctx,
                    "When fields is a single value, comps must be one of (in, pmatch, intersects) or a string operator with a modifier (oneof, anyof, allof), not '%s'",
                    ex->comps.item);
        }
    }
    if (source_known && !field_defined(r, source, ex->fields.item)) {
        return rd_fail(r, E_VALIDATE, rctx, &ex->ctx, "'%s' is not a supported filter field",
                       ex->fields.item);
    }
    return 0;
}

/* Applies appended exceptions to a rule. */
int rd_append_exceptions(struct rd *r,
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
                return rd_fail(r, E_VALIDATE, ctx, &ex->ctx,
                               "Rule exception must have fields property with a list of fields");
            }
            if (ex->nvalues == 0) {
                return rd_fail(r, E_VALIDATE, ctx, &ex->ctx,
                               "Rule exception must have values property with a list of values");
            }
            rc = rd_validate_exception(r, prev->source, known, ex, ctx);
            if (rc < 0) {
                return rc;
            }
            ne = skr_arena_alloc(&r->c->a, (prev->nexcs + 1) * sizeof(*ne));
            if (ne == NULL) {
                return rd_oom(r, ctx);
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
            return rd_fail(
                    r, E_VALIDATE, ctx, &ex->ctx,
                    "Can not append exception fields/comps to existing exception, only values");
        }
        if (ex->nvalues > 0) {
            struct cl_xentry *nv =
                    skr_arena_alloc(&r->c->a, ((size_t)pe->nvalues + ex->nvalues) * sizeof(*nv));
            if (nv == NULL) {
                return rd_oom(r, ctx);
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
