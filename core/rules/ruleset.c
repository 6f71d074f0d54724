/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading and compiling rulesets. Files are read in order into one collector;
 * after each file everything collected so far is compiled again (so a
 * reference must resolve by the end of the file that makes it, and unused
 * items are reported per file), as Falco does. The last successful compile
 * becomes the ruleset: rules selected, indexed per source and event code.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/collect.h"
#include "rules/expand.h"
#include "rules/parser.h"

#define E_COND     "LOAD_ERR_COMPILE_CONDITION"
#define E_OUT      "LOAD_ERR_COMPILE_OUTPUT"
#define E_VALIDATE "LOAD_ERR_VALIDATE"

struct rule_ext {
    struct skr_rule r;
    bool enabled; /* final flag */
    const struct cl_rule *src;
    char *describe; /* this rule's describe JSON */
};

/* State of one compile of the collector. */
struct build {
    struct collector *col;
    const struct skr_rules_load_opts *opts;
    struct skr_diags *diags;
    struct skr_ruleset *rs;
    struct skr_compiler comp;
    struct xp_list *lists;
    uint32_t nlists;
    const struct skr_ast **mast; /* parsed macro conditions (lists substituted) */
    const struct skr_ast **mres; /* resolved */
    uint8_t *mstate;             /* 0 todo, 1 resolving, 2 done */
    bool *mused;
    struct rule_ext **rules;
    uint32_t nrules;
    bool failed;
};

/* ---- Diagnostics helpers -------------------------------------------------------------------- */

static void report_text(struct build *b,
                        enum skr_diag_severity sev,
                        const char *code,
                        const char *msg,
                        const struct cl_ctx *item,
                        const struct cl_text *text,
                        const struct xp_text *xt,
                        struct skr_pos pos,
                        const char *kind,
                        const char *depr)
{
    struct skr_pos p = { 0, 0, 0 };

    if (text != NULL && pos.line > 0) {
        int32_t o = xt != NULL ? xp_origin(xt, pos.idx) : (int32_t)pos.idx;
        if (o >= 0) {
            p.idx = (uint32_t)o;
            p.line = 1;
            p.col = (uint32_t)o + 1;
        }
    }
    diag_report(b->diags, sev, code, msg, item, NULL, text, kind, p, depr);
}

static void report_cmsgs(struct build *b,
                         const struct cl_ctx *item,
                         const struct cl_text *text,
                         const struct xp_text *xt,
                         const char *kind,
                         bool skip_unknown,
                         bool *skipped)
{
    for (uint32_t i = 0; i < b->comp.nmsgs; i++) {
        const struct skr_cmsg *m = &b->comp.msgs[i];
        enum skr_diag_severity sev = m->warning ? SKR_DIAG_WARNING : SKR_DIAG_ERROR;
        const char *code = m->code;
        if (!m->warning && skip_unknown &&
            (strstr(m->msg, "nonexistent field") != NULL ||
             strstr(m->msg, "invalid formatting token") != NULL ||
             strstr(m->msg, "unknown event type") != NULL ||
             strstr(m->msg, "unknown filter:") != NULL)) {
            sev = SKR_DIAG_WARNING;
            code = "LOAD_UNKNOWN_FILTER";
            *skipped = true;
        }
        report_text(b, sev, code, m->msg, item, text, xt, m->pos, kind, m->deprecated_field);
        if (sev == SKR_DIAG_ERROR) {
            b->failed = true;
        }
    }
    skr_compiler_reset_msgs(&b->comp);
}

/* ---- Lists ------------------------------------------------------------------------------------ */

static int build_lists(struct build *b)
{
    struct collector *c = b->col;

    b->lists = skr_arena_calloc(&b->rs->arena, c->nlists + 1, sizeof(*b->lists));
    if (b->lists == NULL) {
        return -ENOMEM;
    }
    b->nlists = c->nlists;
    for (uint32_t i = 0; i < c->nlists; i++) {
        const struct cl_list *l = c->lists[i];
        uint32_t n = 0;
        char **items;
        /* Size: one level of expansion. */
        for (uint32_t k = 0; k < l->nitems; k++) {
            const struct cl_list *ref = collector_list(c, l->items[k]);
            n += (ref != NULL && ref->index < l->visibility) ? ref->nitems : 1;
        }
        items = skr_arena_calloc(&b->rs->arena, n + 1, sizeof(*items));
        if (items == NULL) {
            return -ENOMEM;
        }
        n = 0;
        for (uint32_t k = 0; k < l->nitems; k++) {
            const struct cl_list *ref = collector_list(c, l->items[k]);
            if (ref != NULL && ref->index < l->visibility) {
                for (uint32_t j = 0; j < ref->nitems; j++) {
                    items[n++] = ref->items[j];
                }
            } else {
                items[n++] = l->items[k];
            }
        }
        b->lists[i].name = l->name;
        b->lists[i].items = items;
        b->lists[i].nitems = n;
        b->lists[i].src = l;
    }
    /* Lists used by other lists count as used. */
    for (uint32_t i = 0; i < c->nlists; i++) {
        const struct cl_list *l = c->lists[i];
        for (uint32_t k = 0; k < l->nitems; k++) {
            const struct cl_list *ref = collector_list(c, l->items[k]);
            if (ref != NULL && ref->index < l->visibility) {
                for (uint32_t j = 0; j < c->nlists; j++) {
                    if (c->lists[j] == ref) {
                        b->lists[j].used = true;
                    }
                }
            }
        }
    }
    return 0;
}

/* ---- Conditions: substitute lists, parse ------------------------------------------------------ */

static const struct skr_ast *parse_text(struct build *b,
                                        struct xp_text *xt,
                                        const struct cl_ctx *item,
                                        const struct cl_text *text)
{
    struct skr_parse_error perr;
    const struct skr_ast *ast;

    if (xp_lists(xt, b->lists, b->nlists) < 0) {
        return NULL;
    }
    ast = skr_parse(&b->rs->arena, xt->s, xt->len, SKR_PARSE_MAX_DEPTH, &perr, NULL);
    if (ast == NULL) {
        report_text(b, SKR_DIAG_ERROR, E_COND, perr.msg, item, text, xt, perr.pos,
                    "condition expression", NULL);
        b->failed = true;
    }
    return ast;
}

/* ---- Macros ----------------------------------------------------------------------------------- */

static int macro_index(struct build *b, const char *name, uint32_t visibility)
{
    for (uint32_t i = 0; i < b->col->nmacros; i++) {
        const struct cl_macro *m = b->col->macros[i];
        if (m->index < visibility && strcmp(m->name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

struct resolve_err {
    char msg[512];
    struct skr_pos pos;
};

static const struct skr_ast *resolve(struct build *b,
                                     const struct skr_ast *n,
                                     uint32_t visibility,
                                     struct resolve_err *err);

static const struct skr_ast *macro_resolved(struct build *b, int mi, struct resolve_err *err)
{
    const struct cl_macro *m = b->col->macros[mi];

    if (b->mstate[mi] == 1) {
        snprintf(err->msg, sizeof(err->msg), "reference loop in macro '%s'", m->name);
        return NULL;
    }
    if (b->mstate[mi] == 0) {
        struct resolve_err inner;
        memset(&inner, 0, sizeof(inner));
        b->mstate[mi] = 1;
        b->mres[mi] = resolve(b, b->mast[mi], m->visibility, &inner);
        b->mstate[mi] = 2;
        if (b->mres[mi] == NULL) {
            *err = inner;
            return NULL;
        }
    }
    return b->mres[mi];
}

static const struct skr_ast *resolve(struct build *b,
                                     const struct skr_ast *n,
                                     uint32_t visibility,
                                     struct resolve_err *err)
{
    struct skr_ast **kids = NULL;
    struct skr_ast *copy;
    bool changed = false;

    if (n->kind == SKR_AST_IDENT) {
        int mi = macro_index(b, n->str, visibility);
        const struct skr_ast *body;
        if (mi < 0) {
            snprintf(err->msg, sizeof(err->msg), "Undefined macro '%s' used in filter.", n->str);
            err->pos = n->pos;
            return NULL;
        }
        body = macro_resolved(b, mi, err);
        if (body == NULL) {
            err->pos = n->pos; /* the inner position is in the other macro's text */
            return NULL;
        }
        b->mused[mi] = true;
        copy = skr_ast_new(&b->rs->arena, SKR_AST_MACRO, n->pos);
        if (copy == NULL ||
            skr_ast_set_kids(&b->rs->arena, copy, (struct skr_ast **)&body, 1) < 0) {
            snprintf(err->msg, sizeof(err->msg), "out of memory");
            err->pos = n->pos;
            return NULL;
        }
        copy->str = n->str;
        copy->len = n->len;
        return copy;
    }
    if (n->kind != SKR_AST_AND && n->kind != SKR_AST_OR && n->kind != SKR_AST_NOT) {
        return n;
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        const struct skr_ast *k = resolve(b, n->kids[i], visibility, err);
        if (k == NULL) {
            return NULL;
        }
        if (k != n->kids[i] && kids == NULL) {
            kids = skr_arena_alloc(&b->rs->arena, n->nkids * sizeof(*kids));
            if (kids == NULL) {
                snprintf(err->msg, sizeof(err->msg), "out of memory");
                err->pos = n->pos;
                return NULL;
            }
            memcpy(kids, n->kids, n->nkids * sizeof(*kids));
            changed = true;
        }
        if (kids != NULL) {
            kids[i] = (struct skr_ast *)k;
        }
    }
    if (!changed) {
        return n;
    }
    copy = skr_arena_memdup(&b->rs->arena, n, sizeof(*n));
    if (copy == NULL) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        err->pos = n->pos;
        return NULL;
    }
    copy->kids = kids;
    return copy;
}

static int build_macros(struct build *b)
{
    struct collector *c = b->col;
    uint32_t n = c->nmacros;

    b->mast = skr_arena_calloc(&b->rs->arena, n + 1, sizeof(*b->mast));
    b->mres = skr_arena_calloc(&b->rs->arena, n + 1, sizeof(*b->mres));
    b->mstate = skr_arena_calloc(&b->rs->arena, n + 1, 1);
    b->mused = skr_arena_calloc(&b->rs->arena, n + 1, sizeof(*b->mused));
    if (b->mast == NULL || b->mres == NULL || b->mstate == NULL || b->mused == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct cl_macro *m = c->macros[i];
        struct xp_text xt;
        if (xp_text_init(&xt, m->cond.s, m->cond.len) < 0) {
            return -ENOMEM;
        }
        b->mast[i] = parse_text(b, &xt, &m->ctx, &m->cond);
        xp_text_fini(&xt);
        if (b->mast[i] == NULL) {
            return b->failed ? -EINVAL : -ENOMEM;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct cl_macro *m = c->macros[i];
        struct resolve_err err;
        memset(&err, 0, sizeof(err));
        if (macro_resolved(b, (int)i, &err) == NULL) {
            struct xp_text xt;
            /* Positions are in the macro's text after list substitution: redo it to map back. */
            if (xp_text_init(&xt, m->cond.s, m->cond.len) == 0 &&
                xp_lists(&xt, b->lists, b->nlists) == 0) {
                report_text(b, SKR_DIAG_ERROR, E_VALIDATE, err.msg, &m->ctx, &m->cond, &xt, err.pos,
                            "condition expression", NULL);
            } else {
                report_text(b, SKR_DIAG_ERROR, E_VALIDATE, err.msg, &m->ctx, NULL, NULL, err.pos,
                            NULL, NULL);
            }
            xp_text_fini(&xt);
            b->failed = true;
            return -EINVAL;
        }
    }
    return 0;
}

/* ---- Rules ------------------------------------------------------------------------------------ */

static const char *const deprecated_out[] = {
    "evt.dir",        "evt.latency",       "evt.latency.s",
    "evt.latency.ns", "evt.latency.human", "evt.wait_latency",
};

static char *copy_str(struct build *b, const char *s)
{
    return skr_arena_strdup(&b->rs->arena, s != NULL ? s : "");
}

static bool append_matches(const struct skr_append_output *ao, const struct cl_rule *cr)
{
    if (ao->source != NULL && ao->source[0] != '\0' && strcmp(ao->source, cr->source) != 0) {
        return false;
    }
    if (ao->rule != NULL && ao->rule[0] != '\0' && strcmp(ao->rule, cr->name) != 0) {
        return false;
    }
    for (size_t t = 0; t < ao->num_tags; t++) {
        bool has = false;
        for (uint32_t k = 0; k < cr->ntags && !has; k++) {
            has = strcmp(cr->tags[k], ao->tags[t]) == 0;
        }
        if (!has) {
            return false;
        }
    }
    return true;
}

/* The rule's output with the extra_output of every matching append_output entry. */
static char *append_outputs(struct build *b, const struct cl_rule *cr)
{
    struct skr_strbuf o;
    char *res;

    if (b->opts->num_append_output == 0) {
        return cr->output.s;
    }
    skr_strbuf_init(&o);
    skr_strbuf_puts(&o, cr->output.s);
    for (size_t a = 0; a < b->opts->num_append_output; a++) {
        const struct skr_append_output *ao = &b->opts->append_output[a];
        if (ao->extra_output != NULL && ao->extra_output[0] != '\0' && append_matches(ao, cr)) {
            skr_strbuf_putc(&o, ' ');
            skr_strbuf_puts(&o, ao->extra_output);
        }
    }
    res = o.truncated ? NULL : skr_arena_strdup(&b->rs->arena, o.p);
    skr_strbuf_fini(&o);
    return res;
}

/* Removes every "%container.info" (deprecated; the container plugin adds its fields). */
static char *strip_container_info(struct build *b, const char *s, bool *found)
{
    const char *needle = "%container.info";
    size_t nl = strlen(needle);
    struct skr_strbuf o;
    const char *p = s;
    const char *hit;
    char *res;

    *found = false;
    skr_strbuf_init(&o);
    while ((hit = strstr(p, needle)) != NULL) {
        *found = true;
        skr_strbuf_append(&o, p, (size_t)(hit - p));
        p = hit + nl;
    }
    skr_strbuf_puts(&o, p);
    res = o.truncated ? NULL : skr_arena_strdup(&b->rs->arena, o.p);
    skr_strbuf_fini(&o);
    return res;
}

static int add_rule(struct build *b, struct rule_ext *re)
{
    if (b->nrules % 64 == 0) {
        struct rule_ext **nr = realloc(b->rules, (b->nrules + 64) * sizeof(*nr));
        if (nr == NULL) {
            return -ENOMEM;
        }
        b->rules = nr;
    }
    b->rules[b->nrules++] = re;
    return 0;
}

/* Syntax-only: every %token of the output must parse as a field or transformer. */
static int check_format_syntax(struct build *b,
                               const struct cl_rule *cr,
                               const char *out,
                               bool rewritten)
{
    size_t len = strlen(out);

    for (size_t i = 0; i < len; i++) {
        size_t consumed = 0;
        struct skr_pos p = { (uint32_t)i, 1, (uint32_t)i + 1 };
        if (out[i] != '%') {
            continue;
        }
        i++;
        while (i < len && out[i] >= '0' && out[i] <= '9') {
            i++;
        }
        if (i >= len || skr_parse_field_expr(&b->rs->arena, out + i, len - i, &consumed) == NULL) {
            report_text(
                    b, SKR_DIAG_ERROR, E_OUT,
                    i >= len
                            ? "invalid formatting token: formatting cannot end with a %"
                            : "invalid formatting token: it does not name a field or a field transformer",
                    &cr->ctx, rewritten ? NULL : &cr->output, NULL, p, "rule output expression",
                    NULL);
            b->failed = true;
            return -EINVAL;
        }
        i += consumed - 1;
    }
    return 0;
}

/* Syntax-only: parse, expand and resolve the condition; nothing is bound. */
static int compile_rule_syntax(struct build *b, const struct cl_rule *cr, struct rule_ext *re)
{
    struct xp_text xt;
    const char *errmsg = NULL;
    const struct cl_exception *errex = NULL;
    const struct skr_ast *ast;
    const struct skr_ast *res;
    struct resolve_err rerr;
    struct skr_strbuf sb;
    struct skr_pos nopos = { 0, 0, 0 };
    int rc;

    if (xp_text_init(&xt, cr->cond.s, cr->cond.len) < 0) {
        return -ENOMEM;
    }
    if (cr->nexcs > 0) {
        rc = xp_exceptions(&xt, cr, &errmsg, &errex);
        if (rc == -EINVAL) {
            diag_report(b->diags, SKR_DIAG_ERROR, E_VALIDATE, errmsg, &cr->ctx, &errex->ctx, NULL,
                        NULL, nopos, NULL);
            b->failed = true;
        }
        if (rc < 0) {
            xp_text_fini(&xt);
            return rc;
        }
    }
    ast = parse_text(b, &xt, &cr->ctx, &cr->cond);
    if (ast == NULL) {
        xp_text_fini(&xt);
        return b->failed ? -EINVAL : -ENOMEM;
    }
    memset(&rerr, 0, sizeof(rerr));
    res = resolve(b, ast, UINT32_MAX, &rerr);
    if (res == NULL) {
        report_text(b, SKR_DIAG_ERROR, E_VALIDATE, rerr.msg, &cr->ctx, &cr->cond, &xt, rerr.pos,
                    "condition expression", NULL);
        xp_text_fini(&xt);
        b->failed = true;
        return -EINVAL;
    }
    xp_text_fini(&xt);
    re->r.name = copy_str(b, cr->name);
    re->r.priority = cr->priority;
    re->r.source = copy_str(b, cr->source);
    re->r.desc = copy_str(b, cr->desc);
    re->r.tags = skr_arena_calloc(&b->rs->arena, 1, sizeof(*re->r.tags));
    skr_strbuf_init(&sb);
    skr_ast_print(res, &sb);
    re->r.cond_str = sb.truncated ? NULL : copy_str(b, sb.p);
    skr_strbuf_fini(&sb);
    re->r.output_str = copy_str(b, cr->output.s);
    if (re->r.name == NULL || re->r.source == NULL || re->r.desc == NULL || re->r.tags == NULL ||
        re->r.cond_str == NULL || re->r.output_str == NULL) {
        return -ENOMEM;
    }
    re->r.source_idx = SIZE_MAX; /* never indexed: nothing is bound */
    re->enabled = false;
    return add_rule(b, re);
}

static int compile_rule(struct build *b, const struct cl_rule *cr)
{
    struct rule_ext *re;
    struct xp_text xt;
    const char *errmsg = NULL;
    const struct cl_exception *errex = NULL;
    const struct skr_ast *ast;
    const struct skr_ast *res;
    struct resolve_err rerr;
    bool skipped = false;
    bool found;
    char *out;
    int rc;
    struct skr_strbuf sb;
    struct skr_pos nopos = { 0, 0, 0 };

    re = skr_arena_calloc(&b->rs->arena, 1, sizeof(*re));
    if (re == NULL) {
        return -ENOMEM;
    }
    re->src = cr;

    /* Output first, as Falco does: append_output, then %container.info removed. */
    out = append_outputs(b, cr);
    if (out == NULL) {
        return -ENOMEM;
    }
    out = strip_container_info(b, out, &found);
    if (out == NULL) {
        return -ENOMEM;
    }
    if (found) {
        report_text(
                b, SKR_DIAG_WARNING, "LOAD_DEPRECATED_ITEM",
                "%container.info is deprecated and no more useful, and will be dropped by Falco 1.0.0. The container plugin will automatically add required fields to the output message.",
                &cr->ctx, NULL, NULL, nopos, NULL, NULL);
    }
    if (b->opts->syntax_only) {
        rc = check_format_syntax(b, cr, out, found);
        if (rc < 0) {
            return rc;
        }
        return compile_rule_syntax(b, cr, re);
    }
    rc = skr_compile_format(&b->comp, cr->source, out, strlen(out), &re->r.out);
    if (rc < 0 && !b->comp.failed) {
        return rc;
    }
    if (!found) {
        /* Positions map into the output text only when it was not rewritten. */
        report_cmsgs(b, &cr->ctx, &cr->output, NULL, "rule output expression", cr->skip_unknown,
                     &skipped);
    } else {
        report_cmsgs(b, &cr->ctx, NULL, NULL, NULL, cr->skip_unknown, &skipped);
    }
    if (b->failed) {
        return -EINVAL;
    }
    if (skipped) {
        return 0;
    }
    for (size_t a = 0; a < b->opts->num_append_output; a++) {
        const struct skr_append_output *ao = &b->opts->append_output[a];
        if (!append_matches(ao, cr)) {
            continue;
        }
        for (size_t k = 0; k < ao->num_extra_fields; k++) {
            const char *name = ao->extra_field_names != NULL ? ao->extra_field_names[k] : NULL;
            if (ao->extra_fields[k] == NULL) {
                continue;
            }
            rc = name != NULL ? skr_format_add_named(&b->comp, cr->source, &re->r.out, name,
                                                     ao->extra_fields[k])
                              : skr_format_add_field(&b->comp, cr->source, &re->r.out,
                                                     ao->extra_fields[k]);
            if (rc < 0 && !b->comp.failed) {
                return rc;
            }
        }
    }
    report_cmsgs(b, &cr->ctx, NULL, NULL, NULL, false, &skipped);
    if (b->failed) {
        return -EINVAL;
    }
    for (size_t i = 0; i < sizeof(deprecated_out) / sizeof(deprecated_out[0]); i++) {
        const char *hit = strstr(out, deprecated_out[i]);
        if (hit != NULL) {
            char msg[256];
            struct skr_pos p = { (uint32_t)(hit - out), 1, (uint32_t)(hit - out) + 1 };
            snprintf(msg, sizeof(msg),
                     "usage of deprecated field '%s' has been detected in the rule output",
                     deprecated_out[i]);
            report_text(b, SKR_DIAG_WARNING, "LOAD_DEPRECATED_ITEM", msg, &cr->ctx,
                        found ? NULL : &cr->output, NULL, p, "rule output expression",
                        deprecated_out[i]);
        }
    }

    /* Condition: exceptions, lists, parse, macros, compile. */
    if (xp_text_init(&xt, cr->cond.s, cr->cond.len) < 0) {
        return -ENOMEM;
    }
    if (cr->nexcs > 0) {
        rc = xp_exceptions(&xt, cr, &errmsg, &errex);
        if (rc == -EINVAL) {
            diag_report(b->diags, SKR_DIAG_ERROR, E_VALIDATE, errmsg, &cr->ctx, &errex->ctx, NULL,
                        NULL, nopos, NULL);
            b->failed = true;
        }
        if (rc < 0) {
            xp_text_fini(&xt);
            return rc;
        }
    }
    ast = parse_text(b, &xt, &cr->ctx, &cr->cond);
    if (ast == NULL) {
        xp_text_fini(&xt);
        return b->failed ? -EINVAL : -ENOMEM;
    }
    memset(&rerr, 0, sizeof(rerr));
    res = resolve(b, ast, UINT32_MAX, &rerr);
    if (res == NULL) {
        report_text(b, SKR_DIAG_ERROR, E_VALIDATE, rerr.msg, &cr->ctx, &cr->cond, &xt, rerr.pos,
                    "condition expression", NULL);
        xp_text_fini(&xt);
        b->failed = true;
        return -EINVAL;
    }
    skr_ast_warnings(&b->comp, res);
    report_cmsgs(b, &cr->ctx, &cr->cond, &xt, "condition expression", false, &skipped);
    re->r.cond = skr_compile_cond(&b->comp, cr->source, res);
    if (re->r.cond != NULL) {
        struct skr_evtnames names = { 0 };
        rc = skr_evtset_of(&b->comp, cr->source, res, &re->r.evts, &names);
        if (rc == 0 && names.n > 0) {
            /* The names point into the tree, which lives in the ruleset's arena. */
            re->r.evt_names = skr_arena_memdup(&b->rs->arena, names.v, names.n * sizeof(*names.v));
            re->r.nevt_names = re->r.evt_names != NULL ? names.n : 0;
            if (re->r.evt_names == NULL) {
                rc = -ENOMEM;
            }
        }
        free(names.v);
        if (rc == -ENOMEM) {
            xp_text_fini(&xt);
            return rc;
        }
    }
    report_cmsgs(b, &cr->ctx, &cr->cond, &xt, "condition expression", cr->skip_unknown, &skipped);
    xp_text_fini(&xt);
    if (b->failed) {
        return -EINVAL;
    }
    if (skipped || re->r.cond == NULL) {
        return 0;
    }
    if (strcmp(cr->source, "syscall") == 0 && cr->warn_evttypes) {
        size_t universe = 0;
        const struct skr_rules_host *h = b->opts->host;
        if (h != NULL && h->event_code_count != NULL) {
            universe = h->event_code_count(h->user, cr->source);
        }
        if (skr_evtset_count(&re->r.evts, universe ? universe : 65536) > 100) {
            report_text(
                    b, SKR_DIAG_WARNING, "LOAD_NO_EVTTYPE",
                    "Rule matches too many evt.type values. This has a significant performance penalty.",
                    &cr->ctx, NULL, NULL, nopos, NULL, NULL);
        }
    }

    /* Finish the compiled rule. */
    re->r.name = copy_str(b, cr->name);
    re->r.priority = cr->priority;
    re->r.source = copy_str(b, cr->source);
    re->r.desc = copy_str(b, cr->desc);
    re->r.ntags = cr->ntags;
    re->r.tags = skr_arena_calloc(&b->rs->arena, cr->ntags + 1, sizeof(*re->r.tags));
    if (re->r.name == NULL || re->r.source == NULL || re->r.desc == NULL || re->r.tags == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < cr->ntags; i++) {
        re->r.tags[i] = copy_str(b, cr->tags[i]);
        if (re->r.tags[i] == NULL) {
            return -ENOMEM;
        }
    }
    skr_strbuf_init(&sb);
    skr_ast_print(res, &sb);
    re->r.cond_str = sb.truncated ? NULL : copy_str(b, sb.p);
    skr_strbuf_reset(&sb);
    skr_format_print(&re->r.out, &sb);
    re->r.output_str = sb.truncated ? NULL : copy_str(b, sb.p);
    skr_strbuf_fini(&sb);
    if (re->r.cond_str == NULL || re->r.output_str == NULL) {
        return -ENOMEM;
    }
    re->r.source_idx = SIZE_MAX;
    for (size_t s = 0; s < b->opts->num_sources; s++) {
        if (strcmp(b->opts->sources[s], cr->source) == 0) {
            re->r.source_idx = s;
        }
    }
    re->enabled = cr->enabled && cr->priority <= b->opts->min_priority;
    return add_rule(b, re);
}

/* ---- Selection, index ------------------------------------------------------------------------- */

static bool wildcard_match(const char *pat, const char *s)
{
    if (*pat == '\0') {
        return *s == '\0';
    }
    if (*pat == '*') {
        while (*pat == '*') {
            pat++;
        }
        if (*pat == '\0') {
            return true;
        }
        for (; *s != '\0'; s++) {
            if (wildcard_match(pat, s)) {
                return true;
            }
        }
        return false;
    }
    return *pat == *s && wildcard_match(pat + 1, s + 1);
}

static bool selection_matches(const struct skr_rules_selection *sel, const struct rule_ext *re)
{
    if (sel->by_tag) {
        for (size_t i = 0; i < re->r.ntags; i++) {
            if (strcmp(re->r.tags[i], sel->pattern) == 0) {
                return true;
            }
        }
        return false;
    }
    return wildcard_match(sel->pattern, re->r.name);
}

static int select_rules(struct build *b)
{
    struct skr_ruleset *rs = b->rs;
    struct rule_ext **order = calloc(b->nrules + 1, sizeof(*order));
    uint32_t n = 0;

    if (order == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < b->nrules; i++) {
        if (b->rules[i]->enabled) {
            order[n++] = b->rules[i];
        }
    }
    for (size_t s = 0; s < b->opts->num_selection; s++) {
        const struct skr_rules_selection *sel = &b->opts->selection[s];
        if (sel->pattern == NULL) {
            continue;
        }
        if (!sel->enable) {
            uint32_t w = 0;
            for (uint32_t i = 0; i < n; i++) {
                if (!selection_matches(sel, order[i])) {
                    order[w++] = order[i];
                } else {
                    order[i]->enabled = false;
                }
            }
            n = w;
            continue;
        }
        for (uint32_t i = 0; i < b->nrules; i++) {
            struct rule_ext *re = b->rules[i];
            if (re->enabled || re->r.cond == NULL || re->r.priority > b->opts->min_priority ||
                !selection_matches(sel, re)) {
                continue;
            }
            re->enabled = true;
            order[n++] = re;
        }
    }
    rs->rules = skr_arena_calloc(&rs->arena, n + 1, sizeof(*rs->rules));
    rs->compiled = skr_arena_calloc(&rs->arena, b->nrules + 1, sizeof(*rs->compiled));
    if (rs->rules == NULL || rs->compiled == NULL) {
        free(order);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        order[i]->r.index = i;
        rs->rules[i] = &order[i]->r;
    }
    rs->nrules = n;
    for (uint32_t i = 0; i < b->nrules; i++) {
        if (!b->rules[i]->enabled) {
            b->rules[i]->r.index = SIZE_MAX;
        }
        rs->compiled[i] = &b->rules[i]->r;
    }
    rs->ncompiled = b->nrules;
    free(order);
    return 0;
}

/* The codes under which a rule is filed: its set plus the async code. */
static bool files_under(const struct skr_rule *r, uint32_t code)
{
    return code == SKR_EVT_CODE_ASYNC || skr_evtset_has(&r->evts, (uint16_t)code);
}

static int build_index(struct build *b)
{
    struct skr_ruleset *rs = b->rs;

    rs->nsources = b->opts->num_sources;
    rs->sources = skr_arena_calloc(&rs->arena, rs->nsources + 1, sizeof(*rs->sources));
    rs->index = skr_arena_calloc(&rs->arena, rs->nsources + 1, sizeof(*rs->index));
    if (rs->sources == NULL || rs->index == NULL) {
        return -ENOMEM;
    }
    for (size_t s = 0; s < rs->nsources; s++) {
        struct skr_rs_index *ix = &rs->index[s];
        uint32_t max_code = SKR_EVT_CODE_ASYNC;
        uint32_t total = 0;
        uint32_t nb = 0;
        struct skr_evtnames names = { 0 };

        rs->sources[s] = copy_str(b, b->opts->sources[s]);
        ix->bitmap = skr_arena_calloc(&rs->arena, 65536 / 8, 1);
        if (rs->sources[s] == NULL || ix->bitmap == NULL) {
            return -ENOMEM;
        }
        for (size_t i = 0; i < rs->nrules; i++) {
            const struct skr_rule *r = rs->rules[i];
            if (r->source_idx != s) {
                continue;
            }
            for (uint32_t k = 0; k < r->evts.n; k++) {
                if (r->evts.codes[k] > max_code) {
                    max_code = r->evts.codes[k];
                }
            }
            if (r->evts.complement) {
                nb++;
            }
        }
        ix->max_code = max_code;
        ix->off = skr_arena_calloc(&rs->arena, (size_t)max_code + 2, sizeof(*ix->off));
        if (ix->off == NULL) {
            return -ENOMEM;
        }
        for (uint32_t code = 0; code <= max_code; code++) {
            ix->off[code] = total;
            for (size_t i = 0; i < rs->nrules; i++) {
                if (rs->rules[i]->source_idx == s && files_under(rs->rules[i], code)) {
                    total++;
                }
            }
        }
        ix->off[max_code + 1] = total;
        ix->list = skr_arena_calloc(&rs->arena, (size_t)total + 1, sizeof(*ix->list));
        ix->beyond = skr_arena_calloc(&rs->arena, (size_t)nb + 1, sizeof(*ix->beyond));
        if (ix->list == NULL || ix->beyond == NULL) {
            return -ENOMEM;
        }
        total = 0;
        for (uint32_t code = 0; code <= max_code; code++) {
            for (size_t i = 0; i < rs->nrules; i++) {
                if (rs->rules[i]->source_idx == s && files_under(rs->rules[i], code)) {
                    ix->list[total++] = rs->rules[i];
                }
            }
        }
        for (size_t i = 0; i < rs->nrules; i++) {
            const struct skr_rule *r = rs->rules[i];
            if (r->source_idx != s) {
                continue;
            }
            if (r->evts.complement) {
                ix->beyond[ix->nbeyond++] = rs->rules[i];
                for (uint32_t code = 0; code < 65536; code++) {
                    if (skr_evtset_has(&r->evts, (uint16_t)code)) {
                        ix->bitmap[code / 8] |= (uint8_t)(1u << (code % 8));
                    }
                }
                if (r->evts.n == 0) {
                    ix->all = true;
                }
            } else {
                for (uint32_t k = 0; k < r->evts.n; k++) {
                    uint16_t code = r->evts.codes[k];
                    ix->bitmap[code / 8] |= (uint8_t)(1u << (code % 8));
                }
            }
        }
        /* evt.type names the enabled rules of this source mention. */
        for (size_t i = 0; i < rs->nrules; i++) {
            const struct skr_rule *r = rs->rules[i];
            if (r->source_idx != s) {
                continue;
            }
            for (uint32_t k = 0; k < r->nevt_names; k++) {
                bool dupl = false;
                for (uint32_t j = 0; j < names.n; j++) {
                    dupl |= strcmp(names.v[j], r->evt_names[k]) == 0;
                }
                if (dupl) {
                    continue;
                }
                if (names.n == names.cap) {
                    uint32_t ncap = names.cap ? names.cap * 2 : 16;
                    const char **nv = realloc(names.v, ncap * sizeof(*nv));
                    if (nv == NULL) {
                        free(names.v);
                        return -ENOMEM;
                    }
                    names.v = nv;
                    names.cap = ncap;
                }
                names.v[names.n++] = r->evt_names[k];
            }
        }
        ix->names = skr_arena_calloc(&rs->arena, names.n + 1, sizeof(*ix->names));
        if (ix->names == NULL) {
            free(names.v);
            return -ENOMEM;
        }
        for (uint32_t k = 0; k < names.n; k++) {
            ix->names[k] = names.v[k];
        }
        free(names.v);
    }
    return 0;
}

/* ---- Describe --------------------------------------------------------------------------------- */

static void jstr(struct skr_strbuf *o, const char *s)
{
    skr_strbuf_putc(o, '"');
    if (s != NULL) {
        skr_strbuf_json_escape(o, s, strlen(s));
    }
    skr_strbuf_putc(o, '"');
}

static void jstrs(struct skr_strbuf *o, char *const *v, uint32_t n)
{
    skr_strbuf_putc(o, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            skr_strbuf_putc(o, ',');
        }
        jstr(o, v[i]);
    }
    skr_strbuf_putc(o, ']');
}

static int describe_rule(struct build *b, struct rule_ext *re)
{
    const struct cl_rule *cr = re->src;
    struct skr_strbuf o;

    skr_strbuf_init(&o);
    skr_strbuf_puts(&o, "{\"info\":{\"name\":");
    jstr(&o, cr->name);
    skr_strbuf_puts(&o, ",\"condition\":");
    jstr(&o, cr->cond.s);
    skr_strbuf_puts(&o, ",\"output\":");
    jstr(&o, cr->output.s);
    skr_strbuf_puts(&o, ",\"description\":");
    jstr(&o, cr->desc);
    skr_strbuf_puts(&o, ",\"priority\":");
    jstr(&o, skr_priority_name(cr->priority));
    skr_strbuf_puts(&o, ",\"source\":");
    jstr(&o, cr->source);
    skr_strbuf_printf(&o, ",\"enabled\":%s,\"tags\":", cr->enabled ? "true" : "false");
    jstrs(&o, cr->tags, cr->ntags);
    skr_strbuf_puts(&o, ",\"exceptions\":[");
    for (uint32_t i = 0; i < cr->nexcs; i++) {
        if (i > 0) {
            skr_strbuf_putc(&o, ',');
        }
        jstr(&o, cr->excs[i].name);
    }
    skr_strbuf_printf(&o,
                      "],\"capture\":%s,\"capture_duration\":%llu,\"warn_evttypes\":%s,"
                      "\"skip-if-unknown-filter\":%s},\"details\":{\"condition_compiled\":",
                      cr->capture ? "true" : "false", (unsigned long long)cr->capture_duration,
                      cr->warn_evttypes ? "true" : "false", cr->skip_unknown ? "true" : "false");
    jstr(&o, re->r.cond_str);
    skr_strbuf_puts(&o, ",\"output_compiled\":");
    jstr(&o, re->r.output_str);
    skr_strbuf_printf(&o, ",\"enabled\":%s,\"events\":", re->enabled ? "true" : "false");
    jstrs(&o, (char *const *)re->r.evt_names, re->r.nevt_names);
    skr_strbuf_puts(&o, ",\"output_fields\":[");
    for (uint32_t i = 0; i < re->r.out.nopds; i++) {
        if (i > 0) {
            skr_strbuf_putc(&o, ',');
        }
        jstr(&o, re->r.out.opds[i]->text);
    }
    skr_strbuf_puts(&o, "]}}");
    re->r.describe = o.truncated ? NULL : copy_str(b, o.p);
    skr_strbuf_fini(&o);
    return re->r.describe != NULL ? 0 : -ENOMEM;
}

static int describe_all(struct build *b)
{
    struct collector *c = b->col;
    struct skr_strbuf o;
    int rc = 0;

    skr_strbuf_init(&o);
    if (c->has_engine_req) {
        skr_strbuf_printf(&o, "\"required_engine_version\":\"%u.%u.%u\"", c->engine_req.major,
                          c->engine_req.minor, c->engine_req.patch);
    } else {
        skr_strbuf_puts(&o, "\"required_engine_version\":\"0.0.0\"");
    }
    skr_strbuf_puts(&o, ",\"required_plugin_versions\":[");
    for (uint32_t i = 0; i < c->nplugins; i++) {
        const struct cl_plugin_group *g = &c->plugins[i];
        if (i > 0) {
            skr_strbuf_putc(&o, ',');
        }
        skr_strbuf_puts(&o, "{\"name\":");
        jstr(&o, g->alts[0].name);
        skr_strbuf_puts(&o, ",\"version\":");
        jstr(&o, g->alts[0].version);
        skr_strbuf_puts(&o, ",\"alternatives\":[");
        for (uint32_t k = 1; k < g->n; k++) {
            if (k > 1) {
                skr_strbuf_putc(&o, ',');
            }
            skr_strbuf_puts(&o, "{\"name\":");
            jstr(&o, g->alts[k].name);
            skr_strbuf_puts(&o, ",\"version\":");
            jstr(&o, g->alts[k].version);
            skr_strbuf_putc(&o, '}');
        }
        skr_strbuf_puts(&o, "]}");
    }
    skr_strbuf_puts(&o, "],\"lists\":[");
    for (uint32_t i = 0; i < c->nlists; i++) {
        const struct cl_list *l = c->lists[i];
        bool first = true;
        if (i > 0) {
            skr_strbuf_putc(&o, ',');
        }
        skr_strbuf_puts(&o, "{\"info\":{\"name\":");
        jstr(&o, l->name);
        skr_strbuf_puts(&o, ",\"items\":");
        jstrs(&o, l->items, l->nitems);
        skr_strbuf_printf(&o, "},\"details\":{\"used\":%s,\"items_compiled\":",
                          b->lists[i].used ? "true" : "false");
        jstrs(&o, b->lists[i].items, b->lists[i].nitems);
        skr_strbuf_puts(&o, ",\"lists\":[");
        for (uint32_t k = 0; k < l->nitems; k++) {
            const struct cl_list *ref = collector_list(c, l->items[k]);
            if (ref != NULL && ref->index < l->visibility) {
                if (!first) {
                    skr_strbuf_putc(&o, ',');
                }
                first = false;
                jstr(&o, ref->name);
            }
        }
        skr_strbuf_puts(&o, "]}}");
    }
    skr_strbuf_puts(&o, "],\"macros\":[");
    for (uint32_t i = 0; i < c->nmacros; i++) {
        struct skr_strbuf cs;
        if (i > 0) {
            skr_strbuf_putc(&o, ',');
        }
        skr_strbuf_puts(&o, "{\"info\":{\"name\":");
        jstr(&o, c->macros[i]->name);
        skr_strbuf_puts(&o, ",\"condition\":");
        jstr(&o, c->macros[i]->cond.s);
        skr_strbuf_printf(&o, "},\"details\":{\"used\":%s,\"condition_compiled\":",
                          b->mused[i] ? "true" : "false");
        skr_strbuf_init(&cs);
        skr_ast_print(b->mres[i], &cs);
        jstr(&o, cs.p);
        skr_strbuf_fini(&cs);
        skr_strbuf_puts(&o, "}}");
    }
    skr_strbuf_putc(&o, ']');
    b->rs->describe = o.truncated ? NULL : copy_str(b, o.p);
    skr_strbuf_fini(&o);
    if (b->rs->describe == NULL) {
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < b->nrules && rc == 0; i++) {
        rc = describe_rule(b, b->rules[i]);
    }
    return rc;
}

void skr_ruleset_describe(const struct skr_ruleset *rs,
                          const char *rule_filter,
                          struct skr_strbuf *out)
{
    bool first = true;

    skr_strbuf_putc(out, '{');
    if (rule_filter == NULL) {
        skr_strbuf_puts(out, rs->describe != NULL ? rs->describe : "\"lists\":[],\"macros\":[]");
        skr_strbuf_putc(out, ',');
    }
    skr_strbuf_puts(out, "\"rules\":[");
    for (size_t i = 0; i < rs->ncompiled; i++) {
        const struct skr_rule *r = rs->compiled[i];
        if (rule_filter != NULL && strcmp(rule_filter, r->name) != 0) {
            continue;
        }
        if (!first) {
            skr_strbuf_putc(out, ',');
        }
        first = false;
        skr_strbuf_puts(out, r->describe != NULL ? r->describe : "{}");
    }
    skr_strbuf_puts(out, "]}");
}

/* ---- One compile of everything collected ------------------------------------------------------- */

static void ruleset_free(struct skr_ruleset *rs)
{
    if (rs == NULL) {
        return;
    }
    skr_compiler_free_codes(rs->codes, rs->ncodes);
    skr_arena_fini(&rs->arena);
    free(rs);
}

static struct skr_ruleset *compile_all(struct collector *col,
                                       const struct skr_rules_load_opts *opts,
                                       struct skr_diags *diags,
                                       int *rcp)
{
    struct build b;
    struct skr_ruleset *rs = calloc(1, sizeof(*rs));
    int rc = -ENOMEM;

    memset(&b, 0, sizeof(b));
    if (rs == NULL) {
        *rcp = -ENOMEM;
        return NULL;
    }
    atomic_init(&rs->refs, 1);
    skr_arena_init(&rs->arena, 65536);
    rs->match_all = opts->match_all;
    b.col = col;
    b.opts = opts;
    b.diags = diags;
    b.rs = rs;
    skr_compiler_init(&b.comp, &rs->arena, opts->host);

    rc = build_lists(&b);
    if (rc == 0) {
        rc = build_macros(&b);
    }
    for (uint32_t i = 0; rc == 0 && i < col->nrules; i++) {
        if (col->rules[i]->unknown_source) {
            continue;
        }
        rc = compile_rule(&b, col->rules[i]);
    }
    if (rc == 0 && b.failed) {
        rc = -EINVAL;
    }
    if (rc == 0) {
        for (uint32_t i = 0; i < col->nmacros; i++) {
            if (!b.mused[i]) {
                struct skr_pos none = { 0, 0, 0 };
                diag_report(diags, SKR_DIAG_WARNING, "LOAD_UNUSED_MACRO",
                            "Macro not referred to by any other rule/macro", &col->macros[i]->ctx,
                            NULL, NULL, NULL, none, NULL);
            }
        }
        for (uint32_t i = 0; i < col->nlists; i++) {
            if (!b.lists[i].used) {
                struct skr_pos none = { 0, 0, 0 };
                diag_report(diags, SKR_DIAG_WARNING, "LOAD_UNUSED_LIST",
                            "List not referred to by any other rule/macro", &col->lists[i]->ctx,
                            NULL, NULL, NULL, none, NULL);
            }
        }
        rc = select_rules(&b);
    }
    for (uint32_t i = 0; rc == 0 && i < b.nrules; i++) {
        b.rules[i]->r.enabled = b.rules[i]->enabled;
    }
    if (rc == 0) {
        rc = build_index(&b);
    }
    if (rc == 0) {
        rc = describe_all(&b);
    }
    if (rc == 0) {
        rs->nslots = b.comp.nreqs;
        rs->nmemo = skr_compiler_assign_memos(&b.comp);
        for (size_t i = 0; i < rs->ncompiled; i++) {
            /* after the memo slots: the programs carry them */
            rs->compiled[i]->prog = skr_prog_build(&rs->arena, rs->compiled[i]->cond);
        }
        rs->reqs = skr_arena_calloc(&rs->arena, b.comp.nreqs + 1, sizeof(*rs->reqs));
        if (rs->reqs == NULL) {
            rc = -ENOMEM;
        } else if (b.comp.nreqs > 0) {
            memcpy(rs->reqs, b.comp.reqs, b.comp.nreqs * sizeof(*rs->reqs));
        }
    }
    if (rc == 0) {
        rs->codes = b.comp.codes;
        rs->ncodes = b.comp.ncodes;
        b.comp.codes = NULL;
        b.comp.ncodes = 0;
    }
    skr_compiler_fini(&b.comp);
    free(b.rules);
    if (rc < 0) {
        if (rc == -ENOMEM) {
            struct skr_pos none = { 0, 0, 0 };
            diag_report(diags, SKR_DIAG_ERROR, E_VALIDATE, "out of memory while compiling rules",
                        NULL, NULL, NULL, NULL, none, NULL);
        }
        ruleset_free(rs);
        *rcp = rc;
        return NULL;
    }
    *rcp = 0;
    return rs;
}

/* ---- Plugin requirements ----------------------------------------------------------------------- */

static int check_plugins(struct collector *col,
                         const struct skr_rules_load_opts *opts,
                         struct skr_diags *diags)
{
    const struct skr_rules_host *h = opts->host;
    int rc = 0;

    for (uint32_t i = 0; i < col->nplugins; i++) {
        const struct cl_plugin_group *g = &col->plugins[i];
        bool decided = false;
        struct skr_pos none = { 0, 0, 0 };
        char msg[1024];
        for (uint32_t k = 0; k < g->n && !decided; k++) {
            const char *have = (h != NULL && h->plugin_version != NULL)
                                       ? h->plugin_version(h->user, g->alts[k].name)
                                       : NULL;
            struct skr_semver hv;
            struct skr_semver nv;
            if (have == NULL) {
                continue;
            }
            decided = true;
            if (skr_semver_parse(have, &hv) < 0 || skr_semver_parse(g->alts[k].version, &nv) < 0 ||
                !skr_semver_satisfies(&hv, &nv)) {
                snprintf(
                        msg, sizeof(msg),
                        "Plugin '%s' version '%s' is not compatible with required plugin version '%s'",
                        g->alts[k].name, have, g->alts[k].version);
                diag_report(diags, SKR_DIAG_ERROR, E_VALIDATE, msg, &g->ctx, NULL, NULL, NULL, none,
                            NULL);
                rc = -EINVAL;
            }
        }
        if (!decided) {
            struct skr_strbuf b;
            skr_strbuf_init(&b);
            skr_strbuf_puts(&b, "Plugin requirement not satisfied, must load one of: ");
            for (uint32_t k = 0; k < g->n; k++) {
                skr_strbuf_printf(&b, "%s%s (>= %s)", k > 0 ? ", " : "", g->alts[k].name,
                                  g->alts[k].version);
            }
            diag_report(diags, SKR_DIAG_ERROR, E_VALIDATE, b.p, &g->ctx, NULL, NULL, NULL, none,
                        NULL);
            skr_strbuf_fini(&b);
            rc = -EINVAL;
        }
    }
    return rc;
}

/* ---- Files --------------------------------------------------------------------------------------- */

struct pathvec {
    char **v;
    size_t n;
    size_t cap;
};

static int path_push(struct pathvec *pv, const char *p)
{
    if (pv->n == pv->cap) {
        size_t ncap = pv->cap ? pv->cap * 2 : 16;
        char **nv = realloc(pv->v, ncap * sizeof(*nv));
        if (nv == NULL) {
            return -ENOMEM;
        }
        pv->v = nv;
        pv->cap = ncap;
    }
    pv->v[pv->n] = strdup(p);
    if (pv->v[pv->n] == NULL) {
        return -ENOMEM;
    }
    pv->n++;
    return 0;
}

static bool is_yaml_name(const char *p)
{
    size_t n = strlen(p);

    return (n > 5 && strcmp(p + n - 5, ".yaml") == 0) || (n > 4 && strcmp(p + n - 4, ".yml") == 0);
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void file_error(struct skr_diags *diags, const char *path, const char *why)
{
    struct skr_diag_in in;
    char msg[1024];

    memset(&in, 0, sizeof(in));
    snprintf(msg, sizeof(msg), "could not read rules file '%s': %s (check rules_files)", path, why);
    in.severity = SKR_DIAG_ERROR;
    in.code = "LOAD_ERR_FILE_READ";
    in.file = path;
    in.message = msg;
    (void)skr_diags_add_file(diags, path, false);
    (void)skr_diags_add(diags, &in);
}

/* Files and folders (their .yaml and .yml regular files, sorted by path), in order. */
static int expand_paths(const struct skr_rules_load_opts *opts,
                        struct pathvec *pv,
                        struct skr_diags *diags)
{
    for (size_t i = 0; i < opts->num_paths; i++) {
        const char *p = opts->paths[i];
        struct stat st;
        if (stat(p, &st) != 0) {
            file_error(diags, p, strerror(errno));
            return -ENOENT;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(p);
            struct dirent *de;
            size_t first = pv->n;
            if (d == NULL) {
                file_error(diags, p, strerror(errno));
                return -errno;
            }
            while ((de = readdir(d)) != NULL) {
                char full[4096];
                struct stat fst;
                int n = snprintf(full, sizeof(full), "%s/%s", p, de->d_name);
                if (n < 0 || (size_t)n >= sizeof(full) || !is_yaml_name(de->d_name)) {
                    continue;
                }
                if (stat(full, &fst) != 0 || !S_ISREG(fst.st_mode)) {
                    continue;
                }
                if (path_push(pv, full) < 0) {
                    closedir(d);
                    return -ENOMEM;
                }
            }
            closedir(d);
            qsort(pv->v + first, pv->n - first, sizeof(*pv->v), cmp_path);
        } else if (is_yaml_name(p)) {
            if (path_push(pv, p) < 0) {
                return -ENOMEM;
            }
        }
    }
    return 0;
}

static char *read_file(const char *path, size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    size_t n = 0;

    *err = 0;
    if (f == NULL) {
        *err = errno;
        return NULL;
    }
    for (;;) {
        size_t r;
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                *err = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) {
            break;
        }
    }
    if (ferror(f)) {
        *err = EIO;
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

int skr_rules_load(const struct skr_rules_load_opts *opts,
                   struct skr_ruleset **out,
                   struct skr_diags *diags)
{
    struct pathvec pv = { 0 };
    struct collector col;
    struct skr_ruleset *last = NULL;
    char **texts = NULL;
    struct cl_file *files = NULL;
    int rc;

    *out = NULL;
    collector_init(&col, opts);
    rc = expand_paths(opts, &pv, diags);
    if (rc == 0 && pv.n > 0) {
        texts = calloc(pv.n, sizeof(*texts));
        files = calloc(pv.n, sizeof(*files));
        if (texts == NULL || files == NULL) {
            rc = -ENOMEM;
        }
    }
    for (size_t i = 0; rc == 0 && i < pv.n; i++) {
        struct cl_error err;
        struct skr_ruleset *rs;
        int ferr;
        size_t len = 0;

        texts[i] = read_file(pv.v[i], &len, &ferr);
        if (texts[i] == NULL) {
            file_error(diags, pv.v[i], strerror(ferr));
            rc = -ferr;
            break;
        }
        files[i].name = pv.v[i];
        files[i].text = texts[i];
        files[i].len = len;
        if (skr_diags_add_file(diags, pv.v[i], true) < 0) {
            rc = -ENOMEM;
            break;
        }
        rc = loader_read_file(&col, &files[i], diags, &err);
        if (rc < 0) {
            struct skr_pos none = { 0, 0, 0 };
            diag_report(diags, SKR_DIAG_ERROR, err.code, err.msg, &err.ctx,
                        err.sub.kind != NULL ? &err.sub : NULL, NULL, NULL, none, NULL);
            break;
        }
        rs = compile_all(&col, opts, diags, &rc);
        if (rs == NULL) {
            break;
        }
        skr_ruleset_unref(last);
        last = rs;
    }
    if (rc == 0 && !opts->syntax_only) {
        rc = check_plugins(&col, opts, diags);
    }
    if (rc == 0 && last == NULL) {
        last = compile_all(&col, opts, diags, &rc);
    }
    if (rc == 0) {
        *out = last;
        last = NULL;
    }
    skr_ruleset_unref(last);
    collector_fini(&col);
    for (size_t i = 0; i < pv.n; i++) {
        free(pv.v[i]);
        if (texts != NULL) {
            free(texts[i]);
        }
    }
    free(pv.v);
    free(texts);
    free(files);
    if (rc == 0 && skr_diags_errors(diags) > 0) {
        rc = -EINVAL;
        skr_ruleset_unref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- Public accessors ---------------------------------------------------------------------------- */

struct skr_ruleset *skr_ruleset_ref(struct skr_ruleset *rs)
{
    if (rs != NULL) {
        atomic_fetch_add_explicit(&rs->refs, 1, memory_order_relaxed);
    }
    return rs;
}

void skr_ruleset_unref(struct skr_ruleset *rs)
{
    if (rs != NULL && atomic_fetch_sub_explicit(&rs->refs, 1, memory_order_acq_rel) == 1) {
        ruleset_free(rs);
    }
}

size_t skr_ruleset_rule_count(const struct skr_ruleset *rs)
{
    return rs != NULL ? rs->nrules : 0;
}

const struct skr_rule *skr_ruleset_rule(const struct skr_ruleset *rs, size_t idx)
{
    return (rs != NULL && idx < rs->nrules) ? rs->rules[idx] : NULL;
}

size_t skr_ruleset_compiled_count(const struct skr_ruleset *rs)
{
    return rs != NULL ? rs->ncompiled : 0;
}

const struct skr_rule *skr_ruleset_compiled(const struct skr_ruleset *rs, size_t idx)
{
    return (rs != NULL && idx < rs->ncompiled) ? rs->compiled[idx] : NULL;
}

const char *skr_rule_name(const struct skr_rule *r)
{
    return r->name;
}

size_t skr_rule_index(const struct skr_rule *r)
{
    return r->index;
}

int skr_rule_priority(const struct skr_rule *r)
{
    return r->priority;
}

const char *skr_rule_source(const struct skr_rule *r)
{
    return r->source;
}

size_t skr_rule_tag_count(const struct skr_rule *r)
{
    return r->ntags;
}

const char *skr_rule_tag(const struct skr_rule *r, size_t i)
{
    return i < r->ntags ? r->tags[i] : NULL;
}

const char *skr_rule_condition(const struct skr_rule *r)
{
    return r->cond_str;
}

const char *skr_rule_output(const struct skr_rule *r)
{
    return r->output_str;
}

const char *skr_rule_desc(const struct skr_rule *r)
{
    return r->desc;
}

uint64_t skr_rule_match_count(const struct skr_rule *r)
{
    return atomic_load_explicit(&((struct skr_rule *)r)->matches, memory_order_relaxed);
}

bool skr_rule_enabled(const struct skr_rule *r)
{
    return r->enabled;
}

void skr_ruleset_event_codes(const struct skr_ruleset *rs,
                             size_t source_idx,
                             uint8_t *bitmap,
                             bool *all)
{
    memset(bitmap, 0, 65536 / 8);
    *all = false;
    if (rs == NULL || source_idx >= rs->nsources) {
        return;
    }
    memcpy(bitmap, rs->index[source_idx].bitmap, 65536 / 8);
    *all = rs->index[source_idx].all;
}

const char *const *skr_ruleset_event_names(const struct skr_ruleset *rs, size_t source_idx)
{
    static const char *const none[] = { NULL };

    if (rs == NULL || source_idx >= rs->nsources) {
        return none;
    }
    return rs->index[source_idx].names;
}

/* ---- Evaluation ---------------------------------------------------------------------------------- */

int skr_ruleset_eval(const struct skr_ruleset *rs,
                     struct skr_eval_ctx *ctx,
                     size_t source_idx,
                     uint16_t evt_code,
                     skr_extract_fn extract,
                     void *extract_user,
                     skr_match_fn on_match,
                     void *match_user)
{
    const struct skr_rs_index *ix;
    struct skr_rule *const *list;
    uint32_t n;
    int matches = 0;

    if (rs == NULL || ctx == NULL || extract == NULL || source_idx >= rs->nsources) {
        return -EINVAL;
    }
    if (ctx->ncache < rs->nslots && skr_eval_ctx_reserve(ctx, rs->nslots) < 0) {
        return -ENOMEM;
    }
    if (ctx->nmemo <= rs->nmemo && skr_eval_ctx_reserve_memo(ctx, rs->nmemo) < 0) {
        return -ENOMEM;
    }
    skr_eval_begin(ctx, extract, extract_user);
    ctx->code = evt_code;
    ctx->code_known = true;
    ix = &rs->index[source_idx];
    if (evt_code <= ix->max_code) {
        list = ix->list + ix->off[evt_code];
        n = ix->off[evt_code + 1] - ix->off[evt_code];
    } else {
        list = ix->beyond;
        n = ix->nbeyond;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct skr_rule *r = list[i];
        if (!(r->prog != NULL ? skr_eval_prog(ctx, r->prog) : skr_eval_cond(ctx, r->cond))) {
            continue;
        }
        matches++;
        atomic_fetch_add_explicit(&r->matches, 1, memory_order_relaxed);
        if (on_match != NULL && !on_match(match_user, r)) {
            break;
        }
        if (!rs->match_all) {
            break;
        }
    }
    return matches;
}

int skr_rule_render(const struct skr_rule *r,
                    struct skr_eval_ctx *ctx,
                    skr_extract_fn extract,
                    void *extract_user,
                    struct skr_strbuf *out,
                    const struct skr_out_field **fields,
                    size_t *nfields)
{
    if (r == NULL || ctx == NULL || out == NULL || extract == NULL) {
        return -EINVAL;
    }
    ctx->extract = extract;
    ctx->extract_user = extract_user;
    return skr_format_render(ctx, &r->out, out, fields, nfields);
}
