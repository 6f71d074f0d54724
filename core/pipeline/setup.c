/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building an engine from a configuration: load the plugins of load_plugins,
 * work out the event sources, init every plugin once per source it serves
 * (Falco's model), build the field registry, load the rules, set up the
 * outputs and the capture file. Each step has its own one-line errors.
 */
#include "pipeline/pipeline_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Plugins ----------------------------------------------------------------------------- */

static int plugin_path(const struct skr_config *c,
                       const char *name,
                       const char *lib,
                       char *out,
                       size_t n,
                       struct skr_err *err)
{
    int w;

    if (lib[0] == '/') {
        w = snprintf(out, n, "%s", lib);
    } else {
        /* a relative path stays inside plugins_dir */
        const char *p = lib;
        while (*p != '\0') {
            size_t seg = strcspn(p, "/");
            if (seg == 2 && p[0] == '.' && p[1] == '.') {
                return skr_err_set(err, -EINVAL,
                                   "plugin '%s': library_path '%s' leaves plugins_dir (%s): use "
                                   "an absolute path",
                                   name, lib, c->plugins_dir);
            }
            p += seg;
            while (*p == '/') {
                p++;
            }
        }
        w = snprintf(out, n, "%s/%s", c->plugins_dir, lib);
    }
    if (w < 0 || (size_t)w >= n) {
        return skr_err_set(err, -ENAMETOOLONG, "plugin '%s': library path too long", name);
    }
    return 0;
}

static const struct skr_plugin_cfg *find_cfg(const struct skr_config *c, const char *name)
{
    for (size_t i = 0; i < c->num_plugins; i++) {
        if (strcmp(c->plugins[i].name, name) == 0) {
            return &c->plugins[i];
        }
    }
    return NULL;
}

static int add_sink_plugin(struct skr_engine *e, struct skr_plugin *p)
{
    struct skr_plugin **ns = realloc(e->sink_plugins, (e->nsink_plugins + 1) * sizeof(*ns));

    if (ns == NULL) {
        return -ENOMEM;
    }
    e->sink_plugins = ns;
    e->sink_plugins[e->nsink_plugins++] = p;
    return 0;
}

static int load_plugins(struct skr_engine *e, struct skr_err *err)
{
    const struct skr_config *c = &e->cfg->v;
    size_t n = c->load_plugins.n > 0 ? c->load_plugins.n : c->num_plugins;
    char path[PATH_MAX];
    int rc;

    e->plugins = calloc(n ? n : 1, sizeof(*e->plugins));
    if (e->plugins == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const struct skr_plugin_cfg *pc;
        struct skr_plugin *p;

        if (c->load_plugins.n > 0) {
            const char *name = c->load_plugins.v[i];
            pc = find_cfg(c, name);
            if (pc == NULL) {
                return skr_err_set(err, -ENOENT,
                                   "load_plugins names '%s', but no plugins entry has that name: "
                                   "add {name: %s, library_path: ...} to plugins",
                                   name, name);
            }
            for (size_t j = 0; j < i; j++) {
                if (strcmp(c->load_plugins.v[j], name) == 0) {
                    return skr_err_set(err, -EINVAL, "load_plugins names '%s' twice: list it once",
                                       name);
                }
            }
        } else {
            pc = &c->plugins[i];
        }
        if ((rc = plugin_path(c, pc->name, pc->library_path, path, sizeof(path), err)) < 0) {
            return rc;
        }
        p = skr_plugin_open(pc->name, path, err);
        if (p == NULL) {
            return err->code ? err->code : -EINVAL;
        }
        e->plugins[e->nplugins].p = p;
        e->plugins[e->nplugins].cfg = pc;
        e->nplugins++;
        if (strcmp(p->name, pc->name) != 0) {
            skr_log(SKR_LOG_WARNING, "plugins",
                    "plugins entry '%s' loads a plugin named '%s' (%s): name the entry '%s'",
                    pc->name, p->name, path, p->name);
        }
        for (size_t j = 0; j + 1 < e->nplugins; j++) {
            const struct skr_plugin *q = e->plugins[j].p;
            if (strcmp(q->name, p->name) == 0) {
                return skr_err_set(err, -EEXIST,
                                   "plugins entries '%s' and '%s' both load plugin '%s' (%s and "
                                   "%s): load it once",
                                   e->plugins[j].cfg->name, pc->name, p->name, q->path, p->path);
            }
            if ((p->caps & SKR_CAP_SOURCING) && (q->caps & SKR_CAP_SOURCING) && p->id != 0 &&
                p->id == q->id) {
                return skr_err_set(err, -EEXIST,
                                   "plugins '%s' and '%s' have the same plugin ID %u: plugin IDs "
                                   "must be unique (load only one of them)",
                                   q->name, p->name, p->id);
            }
        }
    }
    return 0;
}

/* ---- Sources ----------------------------------------------------------------------------- */

static struct skr_source *find_source(struct skr_engine *e, const char *name)
{
    for (size_t i = 0; i < e->nsources; i++) {
        if (strcmp(e->sources[i]->name, name) == 0) {
            return e->sources[i];
        }
    }
    return NULL;
}

static int new_source(struct skr_engine *e, const char *name, size_t input, struct skr_err *err)
{
    struct skr_source **ns = realloc(e->sources, (e->nsources + 1) * sizeof(*ns));
    const char **nn = realloc(e->source_names, (e->nsources + 2) * sizeof(*nn));
    struct skr_source *s;

    if (ns != NULL) {
        e->sources = ns;
    }
    if (nn != NULL) {
        e->source_names = nn;
    }
    s = calloc(1, sizeof(*s));
    if (ns == NULL || nn == NULL || s == NULL) {
        free(s);
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    s->eng = e;
    s->drops_cfg = e->cfg->v.drops;
    s->idx = e->nsources;
    s->name = name;
    s->input = input;
    atomic_init(&s->state, SRC_IDLE);
    pthread_mutex_init(&s->async_lock, NULL);
    pthread_mutex_init(&s->pm_lock, NULL);
    pthread_cond_init(&s->async_cond, NULL);
    skr_arena_init(&s->arena, 65536);
    skr_strbuf_init(&s->render);
    e->sources[e->nsources] = s;
    e->source_names[e->nsources] = name;
    e->source_names[e->nsources + 1] = NULL;
    e->nsources++;
    return 0;
}

static int add_index(size_t **v, size_t *n, size_t idx)
{
    size_t *nv = realloc(*v, (*n + 1) * sizeof(*nv));

    if (nv == NULL) {
        return -ENOMEM;
    }
    nv[*n] = idx;
    *v = nv;
    (*n)++;
    return 0;
}

static int registry_types(struct skr_engine *e, struct skr_source *s, struct skr_err *err)
{
    const struct skr_plugin_inst *in = &s->insts[s->input];
    const struct skr_plugin *p = in->p;
    int rc;

    if (p->vt.get_event_types != NULL && in->state != NULL) {
        uint32_t n = 0;
        const saker_event_type *t = p->vt.get_event_types(in->state, &n);
        struct skr_event_type *v = calloc(n ? n : 1, sizeof(*v));
        if (v == NULL) {
            return skr_err_set(err, -ENOMEM, "out of memory");
        }
        for (uint32_t i = 0; t != NULL && i < n; i++) {
            v[i].name = t[i].name;
            v[i].code = t[i].code;
            v[i].dir = t[i].dir;
            v[i].flags = t[i].flags;
        }
        rc = skr_registry_add_event_types(e->reg, s->name, v, t ? n : 0, err);
        free(v);
        if (rc < 0) {
            return rc;
        }
    }
    if (p->id != 0) {
        struct skr_event_type pe = { "pluginevent", PPME_PLUGINEVENT_E, '>', 0 };
        if ((rc = skr_registry_add_event_types(e->reg, s->name, &pe, 1, err)) < 0) {
            return rc;
        }
    }
    {
        struct skr_event_type ae = { "asyncevent", PPME_ASYNCEVENT_E, '>', 0 };
        if ((rc = skr_registry_add_event_types(e->reg, s->name, &ae, 1, err)) < 0) {
            return rc;
        }
    }
    for (size_t i = 0; i < s->nasyncs; i++) {
        const struct skr_plugin *ap = e->plugins[s->asyncs[i]].p;
        for (size_t k = 0; k < ap->num_async_names; k++) {
            struct skr_event_type ae = { ap->async_names[k], PPME_ASYNCEVENT_E, '>', 0 };
            if ((rc = skr_registry_add_event_types(e->reg, s->name, &ae, 1, err)) < 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int setup_source(struct skr_engine *e, struct skr_source *s, struct skr_err *err)
{
    bool has_extractor = false;
    int rc;

    s->tables = skr_tables_new();
    s->insts = calloc(e->nplugins, sizeof(*s->insts));
    s->idents = calloc(e->nplugins, sizeof(*s->idents));
    s->cap_keys = calloc(e->nplugins + 1, sizeof(*s->cap_keys));
    s->cap_refs = calloc(e->nplugins + 1, sizeof(*s->cap_refs));
    s->ectx = skr_eval_ctx_new();
    if (s->tables == NULL || s->insts == NULL || s->idents == NULL || s->cap_keys == NULL ||
        s->cap_refs == NULL || s->ectx == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    if ((rc = skr_registry_add_source(e->reg, s->name, err)) < 0) {
        return rc;
    }
    /* init in load order: a table's owner comes before the plugins that use it */
    for (size_t i = 0; i < e->nplugins; i++) {
        struct skr_lplugin *lp = &e->plugins[i];
        struct skr_plugin *p = lp->p;

        s->idents[i].source = s->name;
        s->idents[i].plugin = p->name;
        s->idents[i].version = p->version;
        s->idents[i].plugin_id = p->id;
        if (i != s->input && !skr_plugin_serves(p, s->name)) {
            continue;
        }
        if ((rc = skr_plugin_inst_init(&s->insts[i], p, lp->cfg->init_config, s->tables, err)) <
            0) {
            return rc;
        }
        s->insts[i].user = s;
        lp->used = true;
        if (skr_plugin_parses(p, s->name) && (rc = add_index(&s->parsers, &s->nparsers, i)) < 0) {
            return skr_err_set(err, rc, "out of memory");
        }
        if (skr_plugin_async_into(p, s->name) && (rc = add_index(&s->asyncs, &s->nasyncs, i)) < 0) {
            return skr_err_set(err, rc, "out of memory");
        }
        if (skr_plugin_extracts(p, s->name)) {
            has_extractor = true;
            if ((rc = skr_registry_add_plugin(e->reg, s->name, p, i, err)) < 0) {
                return rc;
            }
        }
    }
    if (!has_extractor) {
        const struct skr_plugin *p = e->plugins[s->input].p;
        return skr_err_set(err, -EINVAL,
                           "plugin '%s': event source '%s' has no field extractor: load a plugin "
                           "that extracts fields from '%s' (or give '%s' the extraction "
                           "capability)",
                           p->name, s->name, s->name, p->name);
    }
    if ((rc = registry_types(e, s, err)) < 0) {
        return rc;
    }
    /* the inputs handed to plugins for every event, built once */
    s->in.evtsrc = s->name;
    s->parse_in.get_owner_last_error = skr_plugin_owner_last_error;
    s->extract_in.get_owner_last_error = skr_plugin_owner_last_error;
    s->extract_in.num_fields = 1;
    s->extract_in.fields = &s->extract_field;
    {
        ss_plugin_table_reader_vtable_ext *r = skr_tables_reader(s->tables);
        ss_plugin_table_writer_vtable_ext *w = skr_tables_writer(s->tables);
        s->parse_in.table_reader_ext = r;
        s->parse_in.table_writer_ext = w;
        s->parse_in.table_reader.get_table_name = r->get_table_name;
        s->parse_in.table_reader.get_table_size = r->get_table_size;
        s->parse_in.table_reader.get_table_entry = r->get_table_entry;
        s->parse_in.table_reader.read_entry_field = r->read_entry_field;
        s->parse_in.table_writer.clear_table = w->clear_table;
        s->parse_in.table_writer.erase_table_entry = w->erase_table_entry;
        s->parse_in.table_writer.create_table_entry = w->create_table_entry;
        s->parse_in.table_writer.destroy_table_entry = w->destroy_table_entry;
        s->parse_in.table_writer.add_table_entry = w->add_table_entry;
        s->parse_in.table_writer.write_entry_field = w->write_entry_field;
        s->extract_in.table_reader = s->parse_in.table_reader;
        s->extract_in.table_reader_ext = r;
    }
    return 0;
}

static int build_sources(struct skr_engine *e, struct skr_err *err)
{
    int rc;

    e->reg = skr_registry_new();
    if (e->reg == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < e->nplugins; i++) {
        const struct skr_plugin *p = e->plugins[i].p;
        struct skr_source *s;
        if (!(p->caps & SKR_CAP_SOURCING)) {
            continue;
        }
        s = find_source(e, p->source);
        if (s != NULL) {
            skr_log(SKR_LOG_WARNING, "plugins",
                    "plugin '%s' also provides event source '%s'; plugin '%s' (loaded first) is "
                    "its input",
                    p->name, p->source, e->plugins[s->input].p->name);
            continue;
        }
        if ((rc = new_source(e, p->source, i, err)) < 0) {
            return rc;
        }
    }
    for (size_t i = 0; i < e->nsources; i++) {
        if ((rc = setup_source(e, e->sources[i], err)) < 0) {
            return rc;
        }
    }
    for (size_t i = 0; i < e->nplugins; i++) {
        const struct skr_plugin *p = e->plugins[i].p;
        if (!e->plugins[i].used && p->caps != SKR_CAP_SINK) {
            skr_log(SKR_LOG_WARNING, "plugins",
                    "plugin '%s' is loaded but no enabled event source uses it", p->name);
        }
    }
    return 0;
}

/* ---- Rules -------------------------------------------------------------------------------- */

static bool host_has_source(void *user, const char *source)
{
    struct skr_engine *e = user;

    return skr_registry_has_source(e->reg, source);
}

static int host_lookup(void *user,
                       const char *source,
                       const char *token,
                       size_t len,
                       struct skr_field_desc *out,
                       size_t *name_len)
{
    struct skr_engine *e = user;
    const struct skr_field *f = skr_registry_lookup(e->reg, source, token, len, name_len);

    if (f == NULL) {
        return -ENOENT;
    }
    out->name = f->f->name;
    out->id = f->id;
    out->type = f->f->type;
    out->flags = f->f->flags;
    out->arg_flags = f->f->arg_flags;
    /* fields of a plugin other than the one producing the source's events cost more */
    out->cost = f->owner == SKR_FIELD_PLUGIN && f->plugin != NULL &&
                                !((f->plugin->caps & SKR_CAP_SOURCING) &&
                                  strcmp(f->plugin->source, source) == 0)
                        ? 1
                        : 0;
    return 0;
}

static size_t host_event_codes(void *user,
                               const char *source,
                               const char *name,
                               uint16_t *codes,
                               size_t max)
{
    struct skr_engine *e = user;

    return skr_registry_event_codes(e->reg, source, name, codes, max);
}

static size_t host_event_code_count(void *user, const char *source)
{
    struct skr_engine *e = user;
    const struct skr_event_type *t;
    uint8_t seen[65536 / 8];
    size_t n;
    size_t distinct = 0;

    t = skr_registry_event_types(e->reg, source, &n);
    if (t == NULL || n == 0) {
        return 0; /* no table: the engine assumes every code */
    }
    memset(seen, 0, sizeof(seen));
    for (size_t i = 0; i < n; i++) {
        uint16_t c = t[i].code;
        if (!(seen[c / 8] & (1u << (c % 8)))) {
            seen[c / 8] |= (uint8_t)(1u << (c % 8));
            distinct++;
        }
    }
    return distinct;
}

static size_t host_event_code_names(void *user,
                                    const char *source,
                                    uint16_t code,
                                    const char **names,
                                    size_t max)
{
    struct skr_engine *e = user;
    const struct skr_event_type *t;
    size_t n;
    size_t k = 0;

    t = skr_registry_event_types(e->reg, source, &n);
    for (size_t i = 0; t != NULL && i < n; i++) {
        bool dup = false;
        if (t[i].code != code) {
            continue;
        }
        for (size_t j = 0; j < k && j < max; j++) {
            dup = dup || strcmp(names[j], t[i].name) == 0;
        }
        if (dup) {
            continue;
        }
        if (k < max) {
            names[k] = t[i].name;
        }
        k++;
    }
    return k;
}

static const char *host_plugin_version(void *user, const char *name)
{
    struct skr_engine *e = user;

    for (size_t i = 0; i < e->nplugins; i++) {
        if (strcmp(e->plugins[i].p->name, name) == 0) {
            return e->plugins[i].p->version;
        }
    }
    for (size_t i = 0; i < e->nsink_plugins; i++) {
        if (strcmp(e->sink_plugins[i]->name, name) == 0) {
            return e->sink_plugins[i]->version;
        }
    }
    return NULL;
}

void skr_engine_rules_host(struct skr_engine *e, struct skr_rules_host *h)
{
    memset(h, 0, sizeof(*h));
    h->user = e;
    h->has_source = host_has_source;
    h->lookup_field = host_lookup;
    h->event_codes = host_event_codes;
    h->plugin_version = host_plugin_version;
    h->event_code_count = host_event_code_count;
    h->event_code_names = host_event_code_names;
}

/*
 * The engine's append_output entries from the config's. suggested_output
 * becomes, for each source it covers, one extra_output of Falco's shape,
 * " foo_bar=%foo.bar" for each plugin field of that source flagged
 * addOutput. Strings live in texts (freed by the caller after the load).
 */
static int build_append_output(struct skr_engine *e,
                               struct skr_append_output **out,
                               size_t *nout,
                               char ***texts,
                               size_t *ntexts)
{
    const struct skr_config *c = &e->cfg->v;
    size_t cap = 0;
    struct skr_append_output *v;
    char **t;
    size_t n = 0;
    size_t nt = 0;

    for (size_t i = 0; i < c->num_append_output; i++) {
        cap += 1 + (c->append_output[i].suggested_output ? e->nsources : 0);
    }
    *out = NULL;
    *nout = 0;
    *texts = NULL;
    *ntexts = 0;
    if (cap == 0) {
        return 0;
    }
    v = calloc(cap, sizeof(*v));
    t = calloc(cap, sizeof(*t));
    if (v == NULL || t == NULL) {
        free(v);
        free(t);
        return -ENOMEM;
    }
    for (size_t i = 0; i < c->num_append_output; i++) {
        const struct skr_append_output_cfg *a = &c->append_output[i];
        struct skr_append_output base = {
            .source = a->source,
            .rule = a->rule,
            .tags = a->tags.v,
            .num_tags = a->tags.n,
        };

        if (a->extra_output != NULL || a->num_extra_fields > 0) {
            v[n] = base;
            v[n].extra_output = a->extra_output;
            v[n].extra_fields = a->extra_fields;
            v[n].extra_field_names = a->extra_field_names;
            v[n].num_extra_fields = a->num_extra_fields;
            n++;
        }
        if (!a->suggested_output) {
            continue;
        }
        for (size_t si = 0; si < e->nsources; si++) {
            const char *src = e->source_names[si];
            struct skr_strbuf b;

            if (a->source != NULL && a->source[0] != '\0' && strcmp(a->source, src) != 0) {
                continue;
            }
            skr_strbuf_init(&b);
            for (uint32_t id = 0; id < skr_registry_num_fields(e->reg); id++) {
                const struct skr_field *f = skr_registry_field(e->reg, id);
                if (f->owner != SKR_FIELD_PLUGIN || !f->f->add_output ||
                    strcmp(f->source, src) != 0) {
                    continue;
                }
                if (b.len > 0) {
                    skr_strbuf_putc(&b, ' ');
                }
                for (const char *p = f->f->name; *p != '\0'; p++) {
                    skr_strbuf_putc(&b, *p == '.' ? '_' : *p);
                }
                skr_strbuf_printf(&b, "=%%%s", f->f->name);
            }
            if (b.truncated) {
                skr_strbuf_fini(&b);
                continue;
            }
            if (b.len == 0) {
                skr_strbuf_fini(&b);
                continue;
            }
            t[nt] = skr_strbuf_steal(&b);
            if (t[nt] == NULL) {
                continue;
            }
            v[n] = base;
            v[n].source = src;
            v[n].extra_output = t[nt];
            nt++;
            n++;
        }
    }
    *out = v;
    *nout = n;
    *texts = t;
    *ntexts = nt;
    return 0;
}

int skr_engine_load_rules(struct skr_engine *e,
                          const char *const *paths,
                          size_t npaths,
                          struct skr_ruleset **rs,
                          struct skr_diags *diags,
                          struct skr_err *err)
{
    const struct skr_config *c = &e->cfg->v;
    struct skr_rules_load_opts lo;
    struct skr_rules_host host;
    struct skr_rules_selection *sel = NULL;
    const char **keep = NULL;
    size_t nkeep = 0;
    struct skr_append_output *ao = NULL;
    size_t nao = 0;
    char **ao_texts = NULL;
    size_t nao_texts = 0;
    int rc;

    *rs = NULL;
    if (paths == NULL) {
        if (e->opts->num_rules > 0) {
            paths = e->opts->rules;
            npaths = e->opts->num_rules;
        } else {
            paths = c->rules_files.v;
            npaths = c->rules_files.n;
        }
    }
    keep = calloc(npaths ? npaths : 1, sizeof(*keep));
    sel = calloc(c->num_rules ? c->num_rules : 1, sizeof(*sel));
    if (keep == NULL || sel == NULL) {
        free(keep);
        free(sel);
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) < 0) {
            skr_log(SKR_LOG_WARNING, "rules", "rules file %s does not exist: skipped", paths[i]);
            continue;
        }
        keep[nkeep++] = paths[i];
    }
    if (nkeep == 0) {
        skr_log(SKR_LOG_WARNING, "rules",
                "no rules files to load (rules_files or -r): events are processed but no rule "
                "can match");
        free(keep);
        free(sel);
        return 0;
    }
    for (size_t i = 0; i < c->num_rules; i++) {
        sel[i].enable = c->rules[i].enable;
        sel[i].by_tag = c->rules[i].by_tag;
        sel[i].pattern = c->rules[i].pattern;
    }
    skr_engine_rules_host(e, &host);
    memset(&lo, 0, sizeof(lo));
    lo.paths = keep;
    lo.num_paths = nkeep;
    lo.sources = e->source_names;
    lo.num_sources = e->nsources;
    lo.min_priority = c->priority;
    lo.match_all = c->rule_matching_all == 1;
    lo.selection = sel;
    lo.num_selection = c->num_rules;
    lo.host = &host;
    rc = build_append_output(e, &ao, &nao, &ao_texts, &nao_texts);
    if (rc == 0) {
        lo.append_output = ao;
        lo.num_append_output = nao;
        rc = skr_rules_load(&lo, rs, diags);
    }
    for (size_t i = 0; i < nao_texts; i++) {
        free(ao_texts[i]);
    }
    free(ao_texts);
    free(ao);
    free(keep);
    free(sel);
    if (rc < 0) {
        *rs = NULL;
        return skr_err_set(err, rc, "the rules did not load");
    }
    return 0;
}

int skr_engine_interest(struct skr_engine *e,
                        struct skr_source *s,
                        struct skr_ruleset *rs,
                        saker_event_interest *in,
                        uint16_t **types_out)
{
    uint8_t *bm = calloc(65536 / 8, 1);
    bool all = false;
    uint32_t n = 0;
    uint16_t *types;

    *types_out = NULL;
    memset(in, 0, sizeof(*in));
    in->size = sizeof(*in);
    if (bm == NULL) {
        in->all = 1;
        return 0;
    }
    if (e->cw != NULL) {
        all = true; /* a capture keeps every event */
    }
    if (rs != NULL) {
        bool rall = false;
        skr_ruleset_event_codes(rs, s->idx, bm, &rall);
        all = all || rall;
        in->names = skr_ruleset_event_names(rs, s->idx);
        while (in->names != NULL && in->names[in->num_names] != NULL) {
            in->num_names++;
        }
    }
    for (size_t i = 0; i < s->nparsers; i++) {
        const struct skr_plugin_inst *p = &s->insts[s->parsers[i]];
        if (p->parse_all) {
            all = true;
            continue;
        }
        for (size_t k = 0; k < 65536 / 8; k++) {
            bm[k] |= p->parse_types[k];
        }
    }
    skr_bitmap_set(bm, PPME_ASYNCEVENT_E);
    for (uint32_t c = 0; c < 65536; c++) {
        n += skr_bitmap_get(bm, (uint16_t)c);
    }
    types = calloc(n ? n : 1, sizeof(*types));
    if (types == NULL) {
        free(bm);
        in->all = 1;
        return 0;
    }
    n = 0;
    for (uint32_t c = 0; c < 65536; c++) {
        if (skr_bitmap_get(bm, (uint16_t)c)) {
            types[n++] = (uint16_t)c;
        }
    }
    free(bm);
    in->all = all ? 1 : 0;
    in->num_types = n;
    in->types = types;
    *types_out = types;
    return 0;
}

/* The registry handle of the source plugin's own field name, or UINT32_MAX. */
static uint32_t own_field_id(const struct skr_engine *e,
                             const struct skr_plugin *p,
                             const char *name)
{
    size_t n = skr_registry_num_fields(e->reg);

    for (uint32_t id = 0; id < n; id++) {
        const struct skr_field *f = skr_registry_field(e->reg, id);
        if (f != NULL && f->owner == SKR_FIELD_PLUGIN && f->plugin == p &&
            strcmp(f->f->name, name) == 0) {
            return id;
        }
    }
    return UINT32_MAX;
}

static bool other_parser_takes(const struct skr_source *s, uint16_t code)
{
    for (size_t i = 0; i < s->nparsers; i++) {
        const struct skr_plugin_inst *p = &s->insts[s->parsers[i]];
        if (s->parsers[i] != s->input && (p->parse_all || skr_bitmap_get(p->parse_types, code))) {
            return true;
        }
    }
    return false;
}

_Static_assert(SKR_PF_EQ == SAKER_PREFILTER_EQ && SKR_PF_PREFIX == SAKER_PREFILTER_PREFIX &&
                       SKR_PF_SUFFIX == SAKER_PREFILTER_SUFFIX &&
                       SKR_PF_CONTAINS == SAKER_PREFILTER_CONTAINS &&
                       SKR_PF_GLOB == SAKER_PREFILTER_GLOB &&
                       SKR_PF_PMATCH == SAKER_PREFILTER_PMATCH,
               "prefilter operators keep the ABI's numbers");

static int prefilter_code(struct skr_source *s,
                          struct skr_ruleset *rs,
                          const uint32_t *ids,
                          uint32_t nf,
                          struct skr_arena *a,
                          saker_prefilter_code *out)
{
    struct skr_pf_code pc;
    saker_prefilter_rule *rules;
    int rc = skr_ruleset_prefilter(rs, s->idx, out->code, ids, nf, a, &pc);

    if (rc < 0) {
        return rc;
    }
    out->any = other_parser_takes(s, out->code) ? 1 : 0;
    rules = skr_arena_calloc(a, pc.nrules ? pc.nrules : 1, sizeof(*rules));
    if (rules == NULL) {
        return -ENOMEM;
    }
    for (uint32_t r = 0; r < pc.nrules; r++) {
        const struct skr_pf_rule *pr = &pc.rules[r];
        saker_prefilter_clause *cl =
                skr_arena_calloc(a, pr->nclauses ? pr->nclauses : 1, sizeof(*cl));
        ss_plugin_bool *reads = skr_arena_calloc(a, nf ? nf : 1, sizeof(*reads));
        if (cl == NULL || reads == NULL) {
            return -ENOMEM;
        }
        for (uint32_t f = 0; f < nf; f++) {
            reads[f] = pr->reads[f] ? 1 : 0;
        }
        rules[r].reads = reads;
        for (uint32_t c = 0; c < pr->nclauses; c++) {
            const struct skr_pf_clause *pcl = &pr->clauses[c];
            saker_prefilter_atom *at =
                    skr_arena_calloc(a, pcl->natoms ? pcl->natoms : 1, sizeof(*at));
            if (at == NULL) {
                return -ENOMEM;
            }
            for (uint32_t k = 0; k < pcl->natoms; k++) {
                at[k].field = pcl->atoms[k].field;
                at[k].op = pcl->atoms[k].op; /* enum skr_pf_op has the SAKER_PREFILTER_* values */
                at[k].value = (const char *)pcl->atoms[k].val;
                at[k].len = pcl->atoms[k].len;
            }
            cl[c].num_atoms = pcl->natoms;
            cl[c].atoms = at;
        }
        rules[r].num_clauses = pr->nclauses;
        rules[r].clauses = cl;
    }
    out->num_rules = pc.nrules;
    out->rules = rules;
    return 0;
}

int skr_engine_prefilter(struct skr_engine *e,
                         struct skr_source *s,
                         struct skr_ruleset *rs,
                         const saker_event_interest *in,
                         struct skr_arena *a,
                         saker_prefilter *out)
{
    const struct skr_plugin_inst *inst = &s->insts[s->input];
    const char *const *names = NULL;
    saker_prefilter_code *codes;
    uint32_t nf = 0;
    uint32_t *ids;

    memset(out, 0, sizeof(*out));
    out->size = sizeof(*out);
    if (rs == NULL || in->all || inst->p->vt.get_prefilter_fields == NULL) {
        return 0;
    }
    names = inst->p->vt.get_prefilter_fields(inst->state, &nf);
    if (names == NULL || nf == 0) {
        return 0;
    }
    ids = skr_arena_calloc(a, nf, sizeof(*ids));
    codes = skr_arena_calloc(a, in->num_types ? in->num_types : 1, sizeof(*codes));
    if (ids == NULL || codes == NULL) {
        return -ENOMEM;
    }
    for (uint32_t f = 0; f < nf; f++) {
        ids[f] = names[f] != NULL ? own_field_id(e, inst->p, names[f]) : UINT32_MAX;
    }
    for (uint32_t i = 0; i < in->num_types; i++) {
        int rc;
        codes[i].code = in->types[i];
        rc = prefilter_code(s, rs, ids, nf, a, &codes[i]);
        if (rc < 0) {
            return rc;
        }
    }
    out->num_fields = nf;
    out->fields = names;
    out->num_codes = in->num_types;
    out->codes = codes;
    return 0;
}

/* ---- Outputs ------------------------------------------------------------------------------- */

static int builtin_sink(struct skr_engine *e,
                        const char *section,
                        const char *lib,
                        const char *name,
                        struct skr_err *err)
{
    const char *const *exclude = skr_output_section_core_keys;
    char path[PATH_MAX];
    struct skr_plugin *p;
    char *ic;
    int rc;
    int w = snprintf(path, sizeof(path), "%s/%s", e->cfg->v.plugins_dir, lib);

    if (w < 0 || (size_t)w >= sizeof(path)) {
        return skr_err_set(err, -ENAMETOOLONG, "plugins_dir is too long");
    }
    p = skr_plugin_open(lib, path, err);
    if (p == NULL) {
        return skr_err_prefix(err, "%s is enabled", section);
    }
    if (add_sink_plugin(e, p) < 0) {
        skr_plugin_free(p);
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    ic = skr_config_section_json(e->cfg, section, exclude);
    if (ic == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    rc = skr_output_add_sink(e->out, p, name, ic, "", err);
    free(ic);
    if (rc < 0) {
        return skr_err_prefix(err, "%s", section);
    }
    return 0;
}

static int setup_outputs(struct skr_engine *e, struct skr_err *err)
{
    const struct skr_config *c = &e->cfg->v;
    int rc;

    e->out = skr_output_new(&c->output, e->hostname, err);
    if (e->out == NULL) {
        return err->code;
    }
    for (const struct skr_output_builtin *b = skr_output_builtins; b->section != NULL; b++) {
        if (skr_output_builtin_enabled(&c->output, b) &&
            (rc = builtin_sink(e, b->section, b->library, b->name, err)) < 0) {
            return rc;
        }
    }
    for (size_t i = 0; i < e->nplugins; i++) {
        struct skr_lplugin *lp = &e->plugins[i];
        if (!(lp->p->caps & SKR_CAP_SINK)) {
            continue;
        }
        if ((rc = skr_output_add_sink(e->out, lp->p, lp->p->name, lp->cfg->init_config,
                                      lp->cfg->open_params, err)) < 0) {
            return rc;
        }
        lp->used = true;
    }
    if (skr_output_num_sinks(e->out) == 0) {
        return skr_err_set(err, -EINVAL,
                           "no output is enabled: enable stdout_output, file_output, "
                           "syslog_output, program_output or http_output, or load a sink plugin");
    }
    return 0;
}

static int setup_capture(struct skr_engine *e, struct skr_err *err)
{
    struct skr_capture_buf b = { 0 };
    int rc = 0;

    e->cw = skr_capture_create(e->opts->capture_write, err);
    if (e->cw == NULL) {
        return err->code;
    }
    /* every source's input is declared up front, in source order: a replay of this file with
     * the same configuration writes the same declarations */
    for (size_t i = 0; i < e->nsources && rc >= 0; i++) {
        struct skr_source *s = e->sources[i];
        rc = skr_capture_ref(e->cw, &b, &s->idents[s->input]);
    }
    if (rc >= 0) {
        rc = skr_capture_flush(e->cw, &b);
    }
    skr_capture_buf_fini(&b);
    if (rc < 0) {
        return skr_err_set(err, rc, "capture file %s: cannot write: %s", e->opts->capture_write,
                           strerror(-rc));
    }
    return 0;
}

static void init_hostname(struct skr_engine *e)
{
    const char *h = getenv("SAKER_HOSTNAME");

    if (h == NULL || h[0] == '\0') {
        h = getenv("FALCO_HOSTNAME");
    }
    if (h != NULL && h[0] != '\0') {
        skr_fmt(e->hostname, sizeof(e->hostname), "%s", h);
    } else if (gethostname(e->hostname, sizeof(e->hostname) - 1) < 0) {
        skr_fmt(e->hostname, sizeof(e->hostname), "unknown");
    }
}

int skr_engine_new(const struct skr_app_opts *opts,
                   struct skr_cfg *cfg,
                   enum skr_engine_mode mode,
                   struct skr_engine **out,
                   struct skr_err *err)
{
    struct skr_engine *e = calloc(1, sizeof(*e));
    int rc;

    *out = NULL;
    if (e == NULL) {
        skr_config_free(cfg);
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    e->opts = opts;
    e->cfg = cfg;
    e->mode = mode;
    e->replay = opts->capture_read != NULL;
    e->notify_fd = -1;
    pthread_mutex_init(&e->rs_lock, NULL);
    skr_metrics_init(&e->metrics);
    init_hostname(e);
    if ((rc = load_plugins(e, err)) < 0 || mode == SKR_MODE_PLUGINS) {
        goto out;
    }
    if ((rc = build_sources(e, err)) < 0 || mode == SKR_MODE_FIELDS || mode == SKR_MODE_RULES) {
        goto out;
    }
    if (e->nsources == 0) {
        rc = skr_err_set(err, -EINVAL,
                         "no event source is enabled: load a plugin with the event sourcing "
                         "capability (plugins and load_plugins)");
        goto out;
    }
    if ((rc = setup_outputs(e, err)) < 0) {
        goto out;
    }
    if (opts->capture_write != NULL && (rc = setup_capture(e, err)) < 0) {
        goto out;
    }
    e->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (e->notify_fd < 0) {
        rc = skr_err_set(err, -errno, "eventfd: %s", strerror(errno));
    }
out:
    if (rc < 0) {
        skr_engine_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

static void free_source(struct skr_source *s, size_t nplugins)
{
    /* users of a table go before its owner: reverse load order */
    for (size_t i = nplugins; s->insts != NULL && i > 0; i--) {
        skr_plugin_inst_fini(&s->insts[i - 1]);
    }
    skr_ruleset_unref(s->rs);
    skr_eval_ctx_free(s->ectx);
    skr_tables_free(s->tables);
    for (size_t i = 0; s->aq != NULL && i < s->aq_cap; i++) {
        free(s->aq[i].buf);
    }
    free(s->aq);
    skr_capture_buf_fini(&s->cbuf);
    skr_arena_fini(&s->arena);
    skr_strbuf_fini(&s->render);
    pthread_mutex_destroy(&s->async_lock);
    pthread_mutex_destroy(&s->pm_lock);
    pthread_cond_destroy(&s->async_cond);
    free(s->afields);
    free(s->avalues);
    free(s->atags);
    free(s->scratch);
    free(s->parsers);
    free(s->asyncs);
    free(s->insts);
    free(s->idents);
    free(s->cap_keys);
    free(s->cap_refs);
    free(s);
}

void skr_engine_free(struct skr_engine *e)
{
    if (e == NULL) {
        return;
    }
    skr_output_free(e->out);
    for (size_t i = 0; i < e->nsources; i++) {
        free_source(e->sources[i], e->nplugins);
    }
    skr_capture_close_reader(e->reader);
    if (e->cw != NULL) {
        struct skr_err err;
        if (skr_capture_close(e->cw, &err) < 0) {
            skr_log(SKR_LOG_ERR, "capture", "%s", err.msg);
        }
    }
    skr_ruleset_unref(e->rs);
    skr_diags_free(e->diags);
    skr_registry_free(e->reg);
    for (size_t i = 0; i < e->nplugins; i++) {
        skr_plugin_free(e->plugins[i].p);
    }
    for (size_t i = 0; i < e->nsink_plugins; i++) {
        skr_plugin_free(e->sink_plugins[i]);
    }
    for (size_t i = 0; i < e->nretired; i++) {
        skr_config_free(e->retired[i]);
    }
    skr_config_free(e->cfg);
    if (e->notify_fd >= 0) {
        close(e->notify_fd);
    }
    skr_metrics_fini(&e->metrics);
    pthread_mutex_destroy(&e->rs_lock);
    free(e->retired);
    free(e->sink_plugins);
    free(e->plugins);
    free(e->sources);
    free(e->source_names);
    free(e);
}
