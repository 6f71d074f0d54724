/* SPDX-License-Identifier: Apache-2.0 */
/* Options of the core: rules, plugins, logging, metrics, drop alerts. */
#include "config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SAKER_PLUGINS_INSTALL_DIR
#define SAKER_PLUGINS_INSTALL_DIR "/usr/local/lib/saker/plugins"
#endif
#ifndef SAKER_RULES_INSTALL_DIR
#define SAKER_RULES_INSTALL_DIR "/usr/local/share/saker/rules"
#endif

#define OFF(f) offsetof(struct skr_config, f)

static const char *trim(struct skr_cdoc *d, const char *s)
{
    size_t len = strlen(s);

    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1])) {
        len--;
    }
    return skr_arena_strndup(&d->arena, s, len);
}

static int entry_string(struct skr_cfg_ctx *c,
                        const struct skr_cnode *entry,
                        const char *key,
                        const char *path,
                        bool required,
                        const char **out,
                        struct skr_err *err)
{
    const struct skr_cnode *v = skr_cnode_get(entry, key);

    (void)c;
    if (v == NULL || skr_cnode_is_null(v)) {
        if (required) {
            return skr_cfg_errf(err, entry, path, "missing '%s': every plugin entry needs one",
                                key);
        }
        *out = "";
        return 0;
    }
    if (v->kind != SKR_CNODE_SCALAR) {
        return skr_cfg_errf(err, v, path, "'%s' must be a string, not a %s", key,
                            skr_cnode_kind_name(v));
    }
    *out = v->text;
    return 0;
}

static int set_plugins(struct skr_cfg_ctx *c,
                       const struct skr_opt *o,
                       const struct skr_cnode *n,
                       void *base,
                       struct skr_err *err)
{
    struct skr_config *cfg = base;
    static const char *const keys[] = { "name", "library_path", "init_config", "open_params" };
    char path[128];
    int rc;

    (void)o;
    cfg->plugins = NULL;
    cfg->num_plugins = 0;
    if (skr_cnode_is_null(n)) {
        return 0;
    }
    if (n->kind != SKR_CNODE_SEQ) {
        return skr_cfg_errf(err, n, c->path, "expected a list of plugin entries, got a %s",
                            skr_cnode_kind_name(n));
    }
    cfg->plugins = skr_arena_calloc(&c->doc->arena, n->n ? n->n : 1, sizeof(*cfg->plugins));
    if (cfg->plugins == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n->n; i++) {
        const struct skr_cnode *e = n->vals[i];
        struct skr_plugin_cfg *p = &cfg->plugins[i];
        const struct skr_cnode *ic;

        skr_cfg_fmt(path, sizeof(path), "plugins[%zu]", i);
        if (e->kind != SKR_CNODE_MAP) {
            return skr_cfg_errf(err, e, path, "expected a map with name and library_path, got a %s",
                                skr_cnode_kind_name(e));
        }
        for (size_t k = 0; k < e->n; k++) {
            bool known = false;
            for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
                known = known || strcmp(e->keys[k]->text, keys[j]) == 0;
            }
            if (!known) {
                return skr_cfg_errf(err, e->keys[k], path,
                                    "unknown key '%s': a plugin entry has name, library_path, "
                                    "init_config and open_params",
                                    e->keys[k]->text);
            }
        }
        if ((rc = entry_string(c, e, "name", path, true, &p->name, err)) < 0 ||
            (rc = entry_string(c, e, "library_path", path, true, &p->library_path, err)) < 0 ||
            (rc = entry_string(c, e, "open_params", path, false, &p->open_params, err)) < 0) {
            return rc;
        }
        p->open_params = trim(c->doc, p->open_params);
        if (p->open_params == NULL) {
            return -ENOMEM;
        }
        ic = skr_cnode_get(e, "init_config");
        if (ic == NULL || skr_cnode_is_null(ic)) {
            p->init_config = "";
        } else if (ic->kind == SKR_CNODE_SCALAR) {
            p->init_config = ic->text;
        } else if (ic->kind == SKR_CNODE_MAP) {
            char *json = skr_cnode_to_json(ic);
            if (json == NULL) {
                return -ENOMEM;
            }
            p->init_config = skr_arena_strdup(&c->doc->arena, json);
            free(json);
            if (p->init_config == NULL) {
                return -ENOMEM;
            }
        } else {
            return skr_cfg_errf(err, ic, path, "init_config must be a map or a string, not a %s",
                                skr_cnode_kind_name(ic));
        }
        p->file = e->file;
        p->line = e->line;
        p->col = e->col;
        cfg->num_plugins++;
    }
    return 0;
}

static int set_rules_selection(struct skr_cfg_ctx *c,
                               const struct skr_opt *o,
                               const struct skr_cnode *n,
                               void *base,
                               struct skr_err *err)
{
    struct skr_config *cfg = base;
    char path[64];

    (void)o;
    cfg->rules = NULL;
    cfg->num_rules = 0;
    if (skr_cnode_is_null(n)) {
        return 0;
    }
    if (n->kind != SKR_CNODE_SEQ) {
        return skr_cfg_errf(err, n, c->path, "expected a list, got a %s", skr_cnode_kind_name(n));
    }
    cfg->rules = skr_arena_calloc(&c->doc->arena, n->n ? n->n : 1, sizeof(*cfg->rules));
    if (cfg->rules == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n->n; i++) {
        const struct skr_cnode *e = n->vals[i];
        const struct skr_cnode *what;
        struct skr_rule_sel_cfg *s = &cfg->rules[i];

        skr_cfg_fmt(path, sizeof(path), "rules[%zu]", i);
        if (e->kind != SKR_CNODE_MAP || e->n != 1 ||
            (strcmp(e->keys[0]->text, "enable") != 0 && strcmp(e->keys[0]->text, "disable") != 0)) {
            return skr_cfg_errf(err, e, path,
                                "expected {enable: {rule: NAME}}, {enable: {tag: TAG}}, "
                                "{disable: {rule: NAME}} or {disable: {tag: TAG}}");
        }
        s->enable = strcmp(e->keys[0]->text, "enable") == 0;
        what = e->vals[0];
        if (what->kind != SKR_CNODE_MAP || what->n != 1 ||
            (strcmp(what->keys[0]->text, "rule") != 0 && strcmp(what->keys[0]->text, "tag") != 0) ||
            what->vals[0]->kind != SKR_CNODE_SCALAR) {
            return skr_cfg_errf(err, what, path, "expected {rule: NAME} or {tag: TAG} under %s",
                                e->keys[0]->text);
        }
        s->by_tag = strcmp(what->keys[0]->text, "tag") == 0;
        s->pattern = what->vals[0]->text;
        cfg->num_rules++;
    }
    return 0;
}

/* config_files is consumed by the loader; this only checks its shape. */
static int set_config_files(struct skr_cfg_ctx *c,
                            const struct skr_opt *o,
                            const struct skr_cnode *n,
                            void *base,
                            struct skr_err *err)
{
    (void)o;
    (void)base;
    if (skr_cnode_is_null(n)) {
        return 0;
    }
    if (n->kind != SKR_CNODE_SEQ && n->kind != SKR_CNODE_SCALAR) {
        return skr_cfg_errf(err, n, c->path, "expected a list of paths, got a %s",
                            skr_cnode_kind_name(n));
    }
    return 0;
}

static int set_drop_actions(struct skr_cfg_ctx *c,
                            const struct skr_opt *o,
                            const struct skr_cnode *n,
                            void *base,
                            struct skr_err *err)
{
    static const char *const names[] = { "log", "alert", "exit" };
    unsigned *actions = (unsigned *)((char *)base + o->offset);
    bool ignore = false;
    struct skr_strlist l;
    int rc;

    if ((rc = skr_opt_apply(c, &(const struct skr_opt){ .name = c->path, .type = SKR_OPT_STRLIST },
                            n, &l, err)) < 0) {
        return rc;
    }
    *actions = 0;
    for (size_t i = 0; i < l.n; i++) {
        bool found = false;
        if (strcmp(l.v[i], "ignore") == 0) {
            ignore = true;
            continue;
        }
        for (unsigned j = 0; j < 3; j++) {
            if (strcmp(l.v[i], names[j]) == 0) {
                *actions |= 1u << j;
                found = true;
            }
        }
        if (!found) {
            return skr_cfg_errf(err, n, c->path,
                                "unknown action '%s': use ignore, log, alert or exit", l.v[i]);
        }
    }
    if (ignore && *actions != 0) {
        return skr_cfg_errf(err, n, c->path, "'ignore' cannot be combined with other actions");
    }
    return 0;
}

/* A scalar string at key of map m, or NULL when absent; an error for anything else. */
static int opt_scalar(const struct skr_cnode *m,
                      const char *key,
                      const char *path,
                      const char **out,
                      struct skr_err *err)
{
    const struct skr_cnode *v = skr_cnode_get(m, key);

    *out = NULL;
    if (v == NULL || skr_cnode_is_null(v)) {
        return 0;
    }
    if (v->kind != SKR_CNODE_SCALAR) {
        return skr_cfg_errf(err, v, path, "%s: expected a string, got a %s", key,
                            skr_cnode_kind_name(v));
    }
    *out = v->text;
    return 0;
}

static int set_append_output_entry(struct skr_cfg_ctx *c,
                                   const struct skr_cnode *e,
                                   const char *path,
                                   struct skr_append_output_cfg *a,
                                   struct skr_err *err)
{
    static const char *const keys[] = { "match", "extra_output", "extra_fields",
                                        "suggested_output" };
    const struct skr_cnode *m;
    const struct skr_cnode *v;
    int rc;

    if (e->kind != SKR_CNODE_MAP) {
        return skr_cfg_errf(err, e, path,
                            "expected {match: {source, rule, tags}, extra_output, extra_fields, "
                            "suggested_output}, got a %s",
                            skr_cnode_kind_name(e));
    }
    for (size_t i = 0; i < e->n; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            known = known || strcmp(e->keys[i]->text, keys[k]) == 0;
        }
        if (!known) {
            return skr_cfg_errf(err, e->keys[i], path,
                                "unknown key '%s': use match, extra_output, extra_fields or "
                                "suggested_output",
                                e->keys[i]->text);
        }
    }
    m = skr_cnode_get(e, "match");
    if (m != NULL && !skr_cnode_is_null(m)) {
        char mpath[128];
        skr_cfg_fmt(mpath, sizeof(mpath), "%s.match", path);
        if (m->kind != SKR_CNODE_MAP) {
            return skr_cfg_errf(err, m, mpath, "expected a map {source, rule, tags}, got a %s",
                                skr_cnode_kind_name(m));
        }
        for (size_t i = 0; i < m->n; i++) {
            const char *k = m->keys[i]->text;
            if (strcmp(k, "source") != 0 && strcmp(k, "rule") != 0 && strcmp(k, "tags") != 0) {
                return skr_cfg_errf(err, m->keys[i], mpath,
                                    "unknown key '%s': use source, rule or tags", k);
            }
        }
        if ((rc = opt_scalar(m, "source", mpath, &a->source, err)) < 0 ||
            (rc = opt_scalar(m, "rule", mpath, &a->rule, err)) < 0) {
            return rc;
        }
        v = skr_cnode_get(m, "tags");
        if (v != NULL &&
            (rc = skr_opt_apply(c,
                                &(const struct skr_opt){ .name = mpath, .type = SKR_OPT_STRLIST },
                                v, &a->tags, err)) < 0) {
            return rc;
        }
    }
    if ((rc = opt_scalar(e, "extra_output", path, &a->extra_output, err)) < 0) {
        return rc;
    }
    v = skr_cnode_get(e, "suggested_output");
    if (v != NULL &&
        (rc = skr_opt_apply(c, &(const struct skr_opt){ .name = path, .type = SKR_OPT_BOOL }, v,
                            &a->suggested_output, err)) < 0) {
        return rc;
    }
    v = skr_cnode_get(e, "extra_fields");
    if (v != NULL && !skr_cnode_is_null(v)) {
        if (v->kind != SKR_CNODE_SEQ) {
            return skr_cfg_errf(err, v, path, "extra_fields: expected a list, got a %s",
                                skr_cnode_kind_name(v));
        }
        a->extra_fields = skr_arena_calloc(&c->doc->arena, v->n ? v->n : 1, sizeof(char *));
        a->extra_field_names = skr_arena_calloc(&c->doc->arena, v->n ? v->n : 1, sizeof(char *));
        if (a->extra_fields == NULL || a->extra_field_names == NULL) {
            return -ENOMEM;
        }
        for (size_t i = 0; i < v->n; i++) {
            const struct skr_cnode *f = v->vals[i];
            if (f->kind == SKR_CNODE_SCALAR) {
                a->extra_fields[i] = f->text; /* a field expression */
            } else if (f->kind == SKR_CNODE_MAP && f->n == 1 &&
                       f->vals[0]->kind == SKR_CNODE_SCALAR) {
                a->extra_field_names[i] = f->keys[0]->text;
                a->extra_fields[i] = f->vals[0]->text; /* a format */
            } else {
                return skr_cfg_errf(err, f, path,
                                    "extra_fields: each entry is a field (evt.hostname) or "
                                    "{name: format}");
            }
        }
        a->num_extra_fields = v->n;
    }
    return 0;
}

static int set_append_output(struct skr_cfg_ctx *c,
                             const struct skr_opt *o,
                             const struct skr_cnode *n,
                             void *base,
                             struct skr_err *err)
{
    struct skr_config *cfg = base;
    char path[64];
    int rc;

    (void)o;
    cfg->append_output = NULL;
    cfg->num_append_output = 0;
    if (skr_cnode_is_null(n)) {
        return 0;
    }
    if (n->kind != SKR_CNODE_SEQ) {
        return skr_cfg_errf(err, n, c->path, "expected a list, got a %s", skr_cnode_kind_name(n));
    }
    cfg->append_output =
            skr_arena_calloc(&c->doc->arena, n->n ? n->n : 1, sizeof(*cfg->append_output));
    if (cfg->append_output == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n->n; i++) {
        skr_cfg_fmt(path, sizeof(path), "append_output[%zu]", i);
        if ((rc = set_append_output_entry(c, n->vals[i], path, &cfg->append_output[i], err)) < 0) {
            return rc;
        }
        cfg->num_append_output++;
    }
    return 0;
}

static const char *const rule_matching_choices[] = { "first", "all", NULL };

#define COMPAT(n)                                                                        \
    {                                                                                    \
        .name = n, .flags = SKR_OPT_COMPAT, .desc = "Falco option, accepted and ignored" \
    }

static const struct skr_opt core_opts[] = {
    { .name = "config_files",
      .type = SKR_OPT_CUSTOM,
      .def = "[]",
      .set = set_config_files,
      .desc = "Further config files or directories merged into this one, in order: a path, or "
              "{path, strategy} with strategy append (default), override or add-only" },
    { .name = "rules_files",
      .type = SKR_OPT_STRLIST,
      .def = "[" SAKER_RULES_INSTALL_DIR "/saker_rules.yaml]",
      .offset = OFF(rules_files),
      .desc = "Rules files and directories (*.yaml, *.yml, sorted), loaded in order; missing "
              "entries are skipped with a warning" },
    { .name = "rules_file",
      .type = SKR_OPT_STRLIST,
      .offset = OFF(rules_file_alias),
      .flags = SKR_OPT_HIDDEN,
      .desc = "Deprecated spelling of rules_files" },
    { .name = "rules",
      .type = SKR_OPT_CUSTOM,
      .def = "[]",
      .offset = OFF(rules),
      .set = set_rules_selection,
      .desc = "Rules to enable or disable after loading, in order: {enable|disable: {rule: "
              "NAME-with-*-wildcards}} or {enable|disable: {tag: TAG}}" },
    { .name = "rule_matching",
      .type = SKR_OPT_ENUM,
      .def = "first",
      .offset = OFF(rule_matching_all),
      .choices = rule_matching_choices,
      .desc = "first: stop at the first matching rule per event; all: report every match" },
    { .name = "append_output",
      .type = SKR_OPT_CUSTOM,
      .def = "[]",
      .offset = OFF(append_output),
      .set = set_append_output,
      .desc = "More output for matching rules: {match: {source, rule, tags}, extra_output: "
              "FORMAT, extra_fields: [FIELD or {NAME: FORMAT}], suggested_output: BOOL}; "
              "suggested_output appends each plugin field flagged addOutput as name=%field" },
    { .name = "priority",
      .type = SKR_OPT_PRIORITY,
      .def = "debug",
      .offset = OFF(priority),
      .desc = "Minimum priority of the rules loaded" },
    { .name = "plugins_dir",
      .type = SKR_OPT_STRING,
      .def = SAKER_PLUGINS_INSTALL_DIR,
      .offset = OFF(plugins_dir),
      .desc = "Directory relative library_path values are resolved against" },
    { .name = "plugins",
      .type = SKR_OPT_CUSTOM,
      .def = "[{name: syscall, library_path: libsyscall.so}, {name: container, library_path: "
             "libcontainer.so, init_config: {engines: {containerd: {enabled: false}}}}]",
      .offset = OFF(plugins),
      .set = set_plugins,
      .desc = "Plugins that can be loaded: {name, library_path, init_config (map or string), "
              "open_params}" },
    { .name = "load_plugins",
      .type = SKR_OPT_STRLIST,
      .def = "[]",
      .offset = OFF(load_plugins),
      .desc = "Names of the plugins entries to load, in this order; empty loads every entry" },
    { .name = "log_level",
      .type = SKR_OPT_LOGLEVEL,
      .def = "info",
      .offset = OFF(log_level),
      .desc = "Least severe level of Saker's own log messages" },
    { .name = "log_stderr",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(log_stderr),
      .desc = "Write Saker's own log messages to stderr" },
    { .name = "metrics.enabled",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(metrics.enabled),
      .desc = "Print a metrics snapshot every metrics.interval (one is always printed at exit)" },
    { .name = "metrics.interval",
      .type = SKR_OPT_DURATION,
      .def = "1h",
      .offset = OFF(metrics.interval_ms),
      .desc = "Time between metrics snapshots (100ms, 30s, 5m, 1h, ...)" },
    { .name = "metrics.output_rule",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(metrics.output_rule),
      .desc = "Also send each snapshot as an internal alert through the outputs" },
    { .name = "metrics.output_file",
      .type = SKR_OPT_STRING,
      .def = "\"\"",
      .offset = OFF(metrics.output_file),
      .desc = "Append snapshots (JSON lines) to this file instead of stderr" },
    { .name = "syscall_event_drops.threshold",
      .type = SKR_OPT_DOUBLE,
      .def = "0.1",
      .offset = OFF(drops.threshold),
      .desc = "Ratio of dropped to seen events (per second, as a source reports them) above "
              "which the actions run" },
    { .name = "syscall_event_drops.actions",
      .type = SKR_OPT_CUSTOM,
      .def = "[log, alert]",
      .offset = OFF(drops.actions),
      .set = set_drop_actions,
      .desc = "What to do on drops: ignore, or any of log, alert (internal alert, Debug), exit" },
    { .name = "syscall_event_drops.rate",
      .type = SKR_OPT_DOUBLE,
      .def = "0.03333",
      .offset = OFF(drops.rate),
      .desc = "Drop notifications per second allowed (token bucket rate)" },
    { .name = "syscall_event_drops.max_burst",
      .type = SKR_OPT_UINT,
      .def = "1",
      .offset = OFF(drops.max_burst),
      .desc = "Drop notifications allowed in a burst (token bucket size)" },
    COMPAT("syscall_event_drops.simulate_drops"),
    COMPAT("watch_config_files"),
    COMPAT("log_syslog"),
    COMPAT("libs_logger"),
    COMPAT("engine"),
    COMPAT("capture"),
    COMPAT("plugins_hostinfo"),
    COMPAT("base_syscalls"),
    COMPAT("falco_libs"),
    COMPAT("syscall_event_timeouts"),
    COMPAT("webserver"),
    COMPAT("static_fields"),
    COMPAT("metrics.rules_counters_enabled"),
    COMPAT("metrics.resource_utilization_enabled"),
    COMPAT("metrics.state_counters_enabled"),
    COMPAT("metrics.kernel_event_counters_enabled"),
    COMPAT("metrics.kernel_event_counters_per_cpu_enabled"),
    COMPAT("metrics.kernel_iter_event_counters_enabled"),
    COMPAT("metrics.libbpf_stats_enabled"),
    COMPAT("metrics.plugins_metrics_enabled"),
    COMPAT("metrics.jemalloc_stats_enabled"),
    COMPAT("metrics.convert_memory_to_mb"),
    COMPAT("metrics.include_empty_values"),
};

const struct skr_opt_table skr_core_opt_table = {
    .component = "core",
    .opts = core_opts,
    .num_opts = sizeof(core_opts) / sizeof(core_opts[0]),
};
