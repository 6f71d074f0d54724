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

#include "rules/parser.h"
#include "rules/yamlread.h"

#define WARNING_APPEND                                                                    \
    "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under " \
    "'override' instead."
#define WARNING_ENABLED                                                                       \
    "The standalone 'enabled' key usage is deprecated. The correct approach requires also a " \
    "'replace' entry under the 'override' key (i.e. 'enabled: replace')."
#define ERROR_OVERRIDE_APPEND                                                                  \
    "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. " \
    "'condition: append') under 'override' instead."

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
    t->segs[0].src = rd_mark(r, n);
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
    segs[t->nsegs].src = rd_mark(r, n);
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
        yaml_node_t *k = rd_node(r, p->key);
        bool ok = false;
        char msg[512];
        struct cl_ctx kctx;
        if (!rd_is_scalar(k)) {
            continue;
        }
        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (strcmp(allowed[i], rd_scalar(k)) == 0) {
                ok = true;
                break;
            }
        }
        if (ok) {
            continue;
        }
        snprintf(msg, sizeof(msg), "Unknown key '%.200s'. The key will be ignored.", rd_scalar(k));
        kctx = rd_ctx(r, k, "value for", rd_scalar(k));
        rd_warn(r, "LOAD_UNKNOWN_KEY", ctx, &kctx, msg);
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
    const yaml_node_t *ov = rd_get(r, item, "override", &keynode);

    *app_mask = 0;
    *rep_mask = 0;
    if (ov == NULL) {
        return 0;
    }
    if (ov->type != YAML_MAPPING_NODE) {
        if (rd_is_null(ov)) {
            return 0;
        }
        struct cl_ctx octx = rd_ctx(r, ov, "overrides", "");
        return rd_fail(r, E_YAML, ctx, &octx,
                       "Value of 'override' must be a mapping of keys to 'append' or 'replace'");
    }
    for (yaml_node_pair_t *p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top; p++) {
        yaml_node_t *k = rd_node(r, p->key);
        yaml_node_t *v = rd_node(r, p->value);
        const char *key = rd_is_scalar(k) ? rd_scalar(k) : "";
        const char *op = rd_is_scalar(v) ? rd_scalar(v) : "";
        bool can_app = false;
        bool can_rep = false;
        uint32_t bit = 0;
        struct cl_ctx kctx = rd_ctx(r, k, "overrides", key);

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
                return rd_fail(r, E_YAML, ctx, &kctx,
                               "Key '%s' cannot be appended to, use 'replace' instead", key);
            }
            *app_mask |= bit;
        } else if (strcmp(op, "replace") == 0) {
            if (!can_rep) {
                return rd_fail(r, E_YAML, ctx, &kctx, "Key '%s' cannot be replaced", key);
            }
            *rep_mask |= bit;
        } else {
            struct cl_ctx vctx = rd_ctx(r, v, "value for", key);
            return rd_fail(
                    r, E_YAML, ctx, &vctx,
                    "Invalid override operation for key '%s': '%s'. Allowed values are: %s%s", key,
                    op, can_app ? "append " : "", can_rep ? "replace " : "");
        }
    }
    return 0;
}

static int read_engine_version(struct rd *r, const yaml_node_t *item, const struct cl_ctx *pctx)
{
    struct cl_ctx ctx = rd_ctx(r, item, "required_engine_version", "");
    const yaml_node_t *v;
    struct skr_semver need;
    struct skr_semver have = { SKR_ENGINE_VERSION_MAJOR, SKR_ENGINE_VERSION_MINOR,
                               SKR_ENGINE_VERSION_PATCH };
    uint64_t legacy;
    int rc;

    (void)pctx;
    warn_unknown_keys(r, item, &ctx, keys_engine);
    rc = rd_decode_scalar(r, item, "required_engine_version", &ctx, false, &v);
    if (rc < 0) {
        return rc;
    }
    if (rd_parse_u64(rd_scalar(v), &legacy) == 0 && legacy <= UINT32_MAX) {
        need.major = 0;
        need.minor = (uint32_t)legacy;
        need.patch = SKR_ENGINE_VERSION_PATCH;
    } else if (skr_semver_parse(rd_scalar(v), &need) < 0 || strchr(rd_scalar(v), '-') != NULL ||
               strchr(rd_scalar(v), '+') != NULL) {
        return rd_fail(
                r, E_YAML, &ctx, NULL,
                "Unable to parse engine version '%s' as a semver string. Expected \"x.y.z\" semver format.",
                rd_scalar(v));
    }
    if (!skr_semver_satisfies(&have, &need)) {
        return rd_fail(r, E_VALIDATE, &ctx, NULL,
                       "Rules require engine version %u.%u.%u, but engine version is %s",
                       need.major, need.minor, need.patch, SKR_ENGINE_VERSION_STR);
    }
    if (!r->c->has_engine_req || skr_semver_cmp(&need, &r->c->engine_req) > 0) {
        r->c->engine_req = need;
        r->c->has_engine_req = true;
    }
    return 0;
}

static int read_plugin_versions(struct rd *r, const yaml_node_t *item)
{
    const yaml_node_t *seq = rd_get(r, item, "required_plugin_versions", NULL);
    struct cl_ctx ctx = rd_ctx(r, seq, "required plugin versions", "");
    int rc;

    warn_unknown_keys(r, item, &ctx, keys_plugins);
    if (seq == NULL || seq->type != YAML_SEQUENCE_NODE) {
        return rd_fail(r, E_YAML, &ctx, NULL,
                       "Value of required_plugin_versions must be a sequence");
    }
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top;
         it++) {
        yaml_node_t *pl = rd_node(r, *it);
        struct cl_ctx tmp = rd_ctx(r, pl, "required plugin versions entry", "");
        struct cl_plugin_group g;
        const yaml_node_t *alts;
        size_t nalts = 0;
        char *name;
        char *ver;

        memset(&g, 0, sizeof(g));
        if (pl == NULL || pl->type != YAML_MAPPING_NODE) {
            return rd_fail(r, E_YAML, &ctx, &tmp, "Plugin version must be a mapping");
        }
        rc = rd_decode_str(r, pl, "name", &tmp, false, &name);
        if (rc < 0) {
            return rc;
        }
        g.ctx = rd_ctx(r, pl, "required plugin versions entry", name);
        rc = rd_decode_str(r, pl, "version", &g.ctx, false, &ver);
        if (rc < 0) {
            return rc;
        }
        alts = rd_get(r, pl, "alternatives", NULL);
        if (alts != NULL) {
            if (alts->type != YAML_SEQUENCE_NODE) {
                return rd_fail(r, E_YAML, &g.ctx, NULL,
                               "Value of plugin version alternatives must be a sequence");
            }
            nalts = (size_t)(alts->data.sequence.items.top - alts->data.sequence.items.start);
        }
        g.alts = skr_arena_calloc(&r->c->a, nalts + 1, sizeof(*g.alts));
        if (g.alts == NULL) {
            return rd_oom(r, &ctx);
        }
        g.alts[0].name = name;
        g.alts[0].version = ver;
        g.n = 1;
        for (size_t i = 0; i < nalts; i++) {
            yaml_node_t *a = rd_node(r, alts->data.sequence.items.start[i]);
            struct cl_ctx actx = rd_ctx(r, a, "required plugin versions alternative", "");
            if (a == NULL || a->type != YAML_MAPPING_NODE) {
                return rd_fail(r, E_YAML, &g.ctx, &actx,
                               "Plugin version alternative must be a mapping");
            }
            rc = rd_decode_str(r, a, "name", &actx, false, &g.alts[g.n].name);
            if (rc < 0) {
                return rc;
            }
            actx.name = g.alts[g.n].name;
            rc = rd_decode_str(r, a, "version", &actx, false, &g.alts[g.n].version);
            if (rc < 0) {
                return rc;
            }
            g.n++;
        }
        for (uint32_t i = 0; i < g.n; i++) {
            struct skr_semver sv;
            if (skr_semver_parse(g.alts[i].version, &sv) < 0) {
                return rd_fail(r, E_VALIDATE, &g.ctx, NULL,
                               "Invalid required version '%s' for plugin '%s'", g.alts[i].version,
                               g.alts[i].name);
            }
            for (uint32_t k = 0; k < i; k++) {
                if (strcmp(g.alts[k].name, g.alts[i].name) == 0) {
                    return rd_fail(
                            r, E_VALIDATE, &g.ctx, NULL,
                            "Defined multiple alternative version requirements for plugin '%s'",
                            g.alts[i].name);
                }
            }
        }
        if (r->c->nplugins == r->c->plugins_cap) {
            uint32_t ncap = r->c->plugins_cap ? r->c->plugins_cap * 2 : 8;
            struct cl_plugin_group *np = realloc(r->c->plugins, ncap * sizeof(*np));
            if (np == NULL) {
                return rd_oom(r, &ctx);
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
    struct cl_ctx tmp = rd_ctx(r, item, "list", "");
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

    rc = rd_decode_str(r, item, "list", &tmp, false, &name);
    if (rc < 0) {
        return rc;
    }
    ctx = rd_ctx(r, item, "list", name);
    warn_unknown_keys(r, item, &ctx, keys_list);
    if (!valid_list_name(name)) {
        rd_warn(r, "LOAD_INVALID_LIST_NAME", &ctx, NULL,
                "List has an invalid name. List names should match a regular expression: ([^()\"'[:space:]=,]+)");
    }
    rc = rd_decode_seq(r, item, "items", &ctx, false, &items, &nitems, NULL);
    if (rc < 0) {
        return rc;
    }
    rc = rd_decode_bool(r, item, "append", &ctx, true, &append, NULL);
    if (rc < 0) {
        return rc;
    }
    if (append) {
        rd_warn(r, "LOAD_DEPRECATED_ITEM", &ctx, NULL, WARNING_APPEND);
    }
    rc = decode_overrides(r, item, &ctx, overridable, overridable, &app_mask, &rep_mask, keys_list);
    if (rc < 0) {
        return rc;
    }
    if (append && (app_mask | rep_mask) != 0) {
        return rd_fail(r, E_YAML, &ctx, NULL, ERROR_OVERRIDE_APPEND);
    }
    append |= app_mask != 0;
    prev = collector_list(r->c, name);
    if (append) {
        char **merged;
        if (prev == NULL) {
            return rd_fail(
                    r, E_VALIDATE, &ctx, NULL,
                    "List uses 'append' or 'override.items: append' but no list by that name already exists");
        }
        merged = skr_arena_alloc(&r->c->a, ((size_t)prev->nitems + nitems + 1) * sizeof(*merged));
        if (merged == NULL) {
            return rd_oom(r, &ctx);
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
        return rd_oom(r, &ctx);
    }
    prev->name = name;
    prev->items = items;
    prev->nitems = nitems;
    prev->ctx = ctx;
    prev->index = prev->visibility = r->c->cur_index++;
    if (push_ptr((void ***)&r->c->lists, &r->c->nlists, &r->c->lists_cap, prev) < 0) {
        return rd_oom(r, &ctx);
    }
    return 0;
}

static int read_macro(struct rd *r, const yaml_node_t *item)
{
    struct cl_ctx tmp = rd_ctx(r, item, "macro", "");
    struct cl_ctx ctx;
    char *name;
    const yaml_node_t *cond;
    bool append = false;
    uint32_t app_mask;
    uint32_t rep_mask;
    static const char *const overridable[] = { "condition", NULL };
    struct cl_macro *prev;
    int rc;

    rc = rd_decode_str(r, item, "macro", &tmp, false, &name);
    if (rc < 0) {
        return rc;
    }
    ctx = rd_ctx(r, item, "macro", name);
    warn_unknown_keys(r, item, &ctx, keys_macro);
    if (!valid_macro_name(name)) {
        rd_warn(r, "LOAD_INVALID_MACRO_NAME", &ctx, NULL,
                "Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)");
    }
    rc = rd_decode_scalar(r, item, "condition", &ctx, false, &cond);
    if (rc < 0) {
        return rc;
    }
    rc = rd_decode_bool(r, item, "append", &ctx, true, &append, NULL);
    if (rc < 0) {
        return rc;
    }
    if (append) {
        rd_warn(r, "LOAD_DEPRECATED_ITEM", &ctx, NULL, WARNING_APPEND);
    }
    rc = decode_overrides(r, item, &ctx, overridable, overridable, &app_mask, &rep_mask,
                          keys_macro);
    if (rc < 0) {
        return rc;
    }
    if (append && (app_mask | rep_mask) != 0) {
        return rd_fail(r, E_YAML, &ctx, NULL, ERROR_OVERRIDE_APPEND);
    }
    append |= app_mask != 0;
    prev = collector_macro(r->c, name);
    if (append) {
        if (prev == NULL) {
            return rd_fail(
                    r, E_VALIDATE, &ctx, NULL,
                    "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists");
        }
        if (text_append(r, &prev->cond, rd_scalar(cond), cond) < 0) {
            return rd_oom(r, &ctx);
        }
        prev->visibility = r->c->cur_index++;
        return 0;
    }
    if (prev == NULL) {
        prev = skr_arena_calloc(&r->c->a, 1, sizeof(*prev));
        if (prev == NULL) {
            return rd_oom(r, &ctx);
        }
        prev->name = name;
        prev->index = r->c->cur_index;
        if (push_ptr((void ***)&r->c->macros, &r->c->nmacros, &r->c->macros_cap, prev) < 0) {
            return rd_oom(r, &ctx);
        }
    }
    if (text_set(r, &prev->cond, rd_scalar(cond), cond) < 0) {
        return rd_oom(r, &ctx);
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
    const yaml_node_t *s = rd_get(r, item, "source", NULL);

    if (prev == NULL || s == NULL || !rd_is_scalar(s) || rd_is_null(s) || rd_scalar(s)[0] == '\0') {
        return 0;
    }
    if (strcmp(rd_scalar(s), prev->source) != 0) {
        return rd_fail(r, E_VALIDATE, ctx, NULL,
                       "Rule has been re-defined with a different source");
    }
    return 0;
}

static int priority_of(struct rd *r, const yaml_node_t *item, const struct cl_ctx *ctx, int *out)
{
    char *s;
    int rc = rd_decode_str(r, item, "priority", ctx, false, &s);

    if (rc < 0) {
        return rc;
    }
    *out = skr_priority_parse(s);
    if (*out < 0) {
        struct cl_ctx pctx = rd_ctx(r, rd_get(r, item, "priority", NULL), "rule priority", "");
        return rd_fail(r, E_YAML, ctx, &pctx, "Invalid priority");
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
        return rd_oom(r, ctx);
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
        if (k != K_SOURCE && rd_has(r, item, keys_rule[k])) {
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
                return rd_fail(r, E_YAML, ctx, NULL,
                               "An %s override for '%s' was specified but '%s' is not defined",
                               what, keys_rule[k], keys_rule[k]);
            }
            expected &= ~BIT(k);
        }
        if (prev == NULL) {
            return rd_fail(
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
                rc = rd_decode_scalar(r, item, keys_rule[k], ctx, false, &v);
                if (rc < 0) {
                    return rc;
                }
                if (k == K_DESC) {
                    if (pass == 0) {
                        size_t l1 = strlen(prev->desc);
                        size_t l2 = strlen(rd_scalar(v));
                        char *nd = skr_arena_alloc(&r->c->a, l1 + l2 + 2);
                        if (nd == NULL) {
                            return rd_oom(r, ctx);
                        }
                        memcpy(nd, prev->desc, l1);
                        nd[l1] = ' ';
                        memcpy(nd + l1 + 1, rd_scalar(v), l2 + 1);
                        prev->desc = nd;
                    } else {
                        prev->desc = rd_dup(r, rd_scalar(v));
                    }
                    any = true;
                    break;
                }
                if (k == K_OUTPUT) {
                    char *trimmed = trim_dup(r, rd_scalar(v));
                    if (trimmed == NULL) {
                        return rd_oom(r, ctx);
                    }
                    rc = pass == 0 ? (trimmed[0] != '\0' ? text_append(r, t, trimmed, v) : 0)
                                   : text_set(r, t, trimmed, v);
                } else {
                    rc = pass == 0 ? text_append(r, t, rd_scalar(v), v)
                                   : text_set(r, t, rd_scalar(v), v);
                }
                if (rc < 0) {
                    return rd_oom(r, ctx);
                }
                any = true;
                break;
            }
            case K_TAGS: {
                char **tags;
                uint32_t ntags;
                rc = rd_decode_seq(r, item, "tags", ctx, false, &tags, &ntags, NULL);
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
                rc = rd_read_exceptions(r, item, ctx, pass == 0, &excs, &nexcs, NULL);
                if (rc < 0) {
                    return rc;
                }
                if (pass == 0) {
                    rc = rd_append_exceptions(r, prev, excs, nexcs, ctx);
                    if (rc < 0) {
                        return rc;
                    }
                } else {
                    for (uint32_t e = 0; e < nexcs; e++) {
                        if (!excs[e].fields.valid) {
                            return rd_fail(r, E_YAML, ctx, &excs[e].ctx,
                                           "Item has no mapping for key 'fields'");
                        }
                        rc = rd_validate_exception(r, prev->source, !prev->unknown_source, &excs[e],
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
                rc = rd_decode_bool(r, item, "enabled", ctx, false, &prev->enabled, NULL);
                any = true;
                break;
            case K_WARN_EVTTYPES:
                rc = rd_decode_bool(r, item, "warn_evttypes", ctx, false, &prev->warn_evttypes,
                                    NULL);
                any = true;
                break;
            case K_SKIP:
                rc = rd_decode_bool(r, item, "skip-if-unknown-filter", ctx, false,
                                    &prev->skip_unknown, NULL);
                any = true;
                break;
            case K_CAPTURE:
                rc = rd_decode_bool(r, item, "capture", ctx, false, &prev->capture, NULL);
                any = true;
                break;
            case K_CAPTURE_DURATION:
                rc = rd_decode_u64(r, item, "capture_duration", ctx, false, &prev->capture_duration,
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
            return rd_fail(r, E_VALIDATE, ctx, NULL, "%s",
                           pass == 0
                                   ? "Appended rule must have exceptions or condition property"
                                   : "The rule must have at least one field that can be replaced");
        }
        prev->visibility = r->c->cur_index++;
    }
    for (int k = K_CONDITION; k <= K_CAPTURE_DURATION; k++) {
        if (expected & BIT(k)) {
            yaml_node_t *kn = NULL;
            (void)rd_get(r, item, keys_rule[k], &kn);
            struct cl_ctx kctx = rd_ctx(r, kn, "overrides", keys_rule[k]);
            return rd_fail(
                    r, E_YAML, ctx, &kctx,
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

    if (rd_has(r, item, "condition")) {
        rc = rd_decode_scalar(r, item, "condition", ctx, false, &cond);
        if (rc < 0) {
            return rc;
        }
    }
    if (rd_has(r, item, "exceptions")) {
        rc = rd_read_exceptions(r, item, ctx, true, &excs, &nexcs, &has_excs);
        if (rc < 0) {
            return rc;
        }
    }
    if (prev == NULL) {
        return rd_fail(
                r, E_VALIDATE, ctx, NULL,
                "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists");
    }
    if (cond == NULL && !has_excs) {
        return rd_fail(r, E_VALIDATE, ctx, NULL,
                       "Appended rule must have exceptions or condition property");
    }
    rc = check_source(r, item, prev, ctx);
    if (rc < 0) {
        return rc;
    }
    if (cond != NULL && rd_scalar(cond)[0] != '\0' &&
        text_append(r, &prev->cond, rd_scalar(cond), cond) < 0) {
        return rd_oom(r, ctx);
    }
    if (nexcs > 0) {
        rc = rd_append_exceptions(r, prev, excs, nexcs, ctx);
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
    rc = rd_decode_scalar(r, item, "condition", ctx, false, &cond);
    if (rc < 0) {
        return rc;
    }
    rc = rd_decode_scalar(r, item, "output", ctx, false, &out);
    if (rc < 0) {
        return rc;
    }
    rc = rd_decode_str(r, item, "desc", ctx, false, &desc);
    if (rc < 0) {
        return rc;
    }
    rc = priority_of(r, item, ctx, &v.priority);
    if (rc < 0) {
        return rc;
    }
    v.desc = desc;
    if (text_set(r, &v.cond, rd_scalar(cond), cond) < 0) {
        return rd_oom(r, ctx);
    }
    {
        char *trimmed = trim_dup(r, rd_scalar(out));
        if (trimmed == NULL || text_set(r, &v.output, trimmed, out) < 0) {
            return rd_oom(r, ctx);
        }
    }
    rc = rd_decode_str(r, item, "source", ctx, true, &src);
    if (rc < 0) {
        return rc;
    }
    v.source = src != NULL ? src : rd_dup(r, "syscall");
    rc = rd_decode_bool(r, item, "enabled", ctx, true, &b, &present);
    if (rc < 0) {
        return rc;
    }
    if (present) {
        v.enabled = b;
    }
    rc = rd_decode_bool(r, item, "warn_evttypes", ctx, true, &b, &present);
    if (rc < 0) {
        return rc;
    }
    if (present) {
        v.warn_evttypes = b;
    }
    rc = rd_decode_bool(r, item, "skip-if-unknown-filter", ctx, true, &b, &present);
    if (rc < 0) {
        return rc;
    }
    if (present) {
        v.skip_unknown = b;
    }
    rc = rd_decode_bool(r, item, "capture", ctx, true, &b, &present);
    if (rc < 0) {
        return rc;
    }
    if (present) {
        v.capture = b;
    }
    rc = rd_decode_u64(r, item, "capture_duration", ctx, true, &v.capture_duration, NULL);
    if (rc < 0) {
        return rc;
    }
    rc = rd_decode_seq(r, item, "tags", ctx, true, &v.tags, &v.ntags, NULL);
    if (rc < 0) {
        return rc;
    }
    tags_normalize(v.tags, &v.ntags);
    rc = rd_read_exceptions(r, item, ctx, false, &v.excs, &v.nexcs, NULL);
    if (rc < 0) {
        return rc;
    }

    /* collector define */
    prev = collector_rule(r->c, name);
    if (prev != NULL && strcmp(prev->source, v.source) != 0) {
        return rd_fail(r, E_VALIDATE, ctx, NULL,
                       "Rule has been re-defined with a different source");
    }
    v.unknown_source = !r->c->opts->syntax_only && !source_known(r, v.source);
    if (v.unknown_source) {
        char msg[512];
        snprintf(msg, sizeof(msg), "Unknown source %.200s, skipping", v.source);
        rd_warn(r, "LOAD_UNKNOWN_SOURCE", ctx, NULL, msg);
    }
    for (uint32_t i = 0; i < v.nexcs; i++) {
        if (!v.excs[i].fields.valid) {
            return rd_fail(r, E_VALIDATE, ctx, &v.excs[i].ctx,
                           "Rule exception item must have fields property with a list of fields");
        }
        rc = rd_validate_exception(r, v.source, !v.unknown_source, &v.excs[i], ctx);
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
        return rd_oom(r, ctx);
    }
    v.index = v.visibility = r->c->cur_index++;
    *prev = v;
    if (push_ptr((void ***)&r->c->rules, &r->c->nrules, &r->c->rules_cap, prev) < 0) {
        return rd_oom(r, ctx);
    }
    return 0;
}

static int read_rule(struct rd *r, const yaml_node_t *item)
{
    struct cl_ctx tmp = rd_ctx(r, item, "rule", "");
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

    rc = rd_decode_str(r, item, "rule", &tmp, false, &name);
    if (rc < 0) {
        return rc;
    }
    ctx = rd_ctx(r, item, "rule", name);
    warn_unknown_keys(r, item, &ctx, keys_rule);
    rc = rd_decode_bool(r, item, "append", &ctx, true, &append, NULL);
    if (rc < 0) {
        return rc;
    }
    if (append) {
        rd_warn(r, "LOAD_DEPRECATED_ITEM", &ctx, NULL, WARNING_APPEND);
    }
    rc = decode_overrides(r, item, &ctx, appendable, replaceable, &app, &rep, keys_rule);
    if (rc < 0) {
        return rc;
    }
    if (append && (app | rep) != 0) {
        return rd_fail(r, E_YAML, &ctx, NULL, ERROR_OVERRIDE_APPEND);
    }
    if ((app | rep) != 0) {
        return read_rule_override(r, item, name, &ctx, app, rep);
    }
    if (append) {
        return read_rule_append(r, item, name, &ctx);
    }
    if (!rd_has(r, item, "condition") && !rd_has(r, item, "output") && !rd_has(r, item, "desc") &&
        !rd_has(r, item, "priority")) {
        bool enabled;
        struct cl_rule *prev;
        rc = rd_decode_bool(r, item, "enabled", &ctx, false, &enabled, NULL);
        if (rc < 0) {
            return rc;
        }
        rd_warn(r, "LOAD_DEPRECATED_ITEM", &ctx, NULL, WARNING_ENABLED);
        prev = collector_rule(r->c, name);
        if (prev == NULL) {
            return rd_fail(r, E_VALIDATE, &ctx, NULL,
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
        struct cl_ctx ctx = rd_ctx(r, item, "rules content item", "");
        return rd_fail(r, E_YAML, &ctx, NULL,
                       "Unexpected element type. Each element should be a yaml associative array.");
    }
    if (rd_has(r, item, "required_engine_version")) {
        return read_engine_version(r, item, NULL);
    }
    if (rd_has(r, item, "required_plugin_versions")) {
        return read_plugin_versions(r, item);
    }
    if (rd_has(r, item, "list")) {
        return read_list(r, item);
    }
    if (rd_has(r, item, "macro")) {
        return read_macro(r, item);
    }
    if (rd_has(r, item, "rule")) {
        return read_rule(r, item);
    }
    {
        struct cl_ctx ctx = rd_ctx(r, item, "rules content item", "");
        rd_warn(r, "LOAD_UNKNOWN_ITEM", &ctx, NULL, "Unknown top level item");
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
        return rd_fail(&r, "LOAD_ERR_YAML_PARSE", &fctx, NULL, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)f->text, f->len);
    for (;;) {
        yaml_node_t *root;
        if (!yaml_parser_load(&parser, &doc)) {
            struct cl_ctx ectx = fctx;
            ectx.mark.line = (uint32_t)parser.problem_mark.line;
            ectx.mark.col = (uint32_t)parser.problem_mark.column;
            ectx.mark.off = (uint32_t)parser.problem_mark.index;
            rc = rd_fail(&r, "LOAD_ERR_YAML_PARSE", &ectx, NULL, "%s%s%s",
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
        if (!rd_is_null(root)) {
            struct skr_strbuf sw;
            skr_strbuf_init(&sw);
            if (skr_schema_check(&doc, root, &sw) > 0 || root->type != YAML_SEQUENCE_NODE) {
                (void)skr_diags_set_schema(diags, false, sw.p);
            } else {
                (void)skr_diags_set_schema(diags, true, NULL);
            }
            skr_strbuf_fini(&sw);
            if (root->type == YAML_SCALAR_NODE) {
                rc = rd_fail(&r, E_YAML, &fctx, NULL, "Rules content is not yaml");
            } else if (root->type != YAML_SEQUENCE_NODE) {
                rc = rd_fail(&r, E_YAML, &fctx, NULL, "Rules content is not yaml array of objects");
            } else {
                for (yaml_node_item_t *it = root->data.sequence.items.start;
                     rc == 0 && it < root->data.sequence.items.top; it++) {
                    yaml_node_t *item = yaml_document_get_node(&doc, *it);
                    if (item == NULL || rd_is_null(item)) {
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
