/* SPDX-License-Identifier: Apache-2.0 */
/* Assembling a configuration: main file, includes, -o overrides, option tables. */
#include "config/config_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "util/log.h"

static const struct skr_opt_table *const all_tables[] = {
    &skr_core_opt_table,
    &skr_output_opt_table,
    NULL,
};

const struct skr_opt_table *const *skr_config_tables(void)
{
    return all_tables;
}

/* ---- Key paths ------------------------------------------------------------------------ */

/* Reads one key (escapes resolved) at path[*pos]; returns its length, 0 when empty. */
static size_t read_key(const char *path, size_t len, size_t *pos, char *cur)
{
    size_t cl = 0;

    while (*pos < len) {
        char ch = path[*pos];
        if (ch == '\\') {
            if (*pos + 1 >= len) {
                return 0;
            }
            cur[cl++] = path[*pos + 1];
            *pos += 2;
            continue;
        }
        if (ch == '.' || ch == '[' || ch == ']') {
            break;
        }
        cur[cl++] = ch;
        (*pos)++;
    }
    return cl;
}

int skr_config_parse_keypath(struct skr_cdoc *d,
                             const char *path,
                             size_t len,
                             struct skr_keyseg **segs,
                             size_t *nsegs)
{
    struct skr_keyseg *v;
    char *cur;
    size_t n = 0;
    size_t pos = 0;
    size_t cl;

    if (len == 0) {
        return -EINVAL;
    }
    v = skr_arena_calloc(&d->arena, len + 1, sizeof(*v));
    cur = skr_arena_alloc(&d->arena, len + 1);
    if (v == NULL || cur == NULL) {
        return -ENOMEM;
    }
    /* path := key ( '.' key | '[' digits ']' )* */
    cl = read_key(path, len, &pos, cur);
    if (cl == 0) {
        return -EINVAL;
    }
    for (;;) {
        if (cl > 0) {
            v[n].key = skr_arena_strndup(&d->arena, cur, cl);
            v[n].index = -1;
            if (v[n].key == NULL) {
                return -ENOMEM;
            }
            n++;
            cl = 0;
        }
        if (pos >= len) {
            break;
        }
        if (path[pos] == '.') {
            pos++;
            cl = read_key(path, len, &pos, cur);
            if (cl == 0) {
                return -EINVAL;
            }
            continue;
        }
        if (path[pos] == '[') {
            long idx = 0;
            size_t start = ++pos;
            while (pos < len && path[pos] >= '0' && path[pos] <= '9') {
                if (idx > 100000000) {
                    return -EINVAL;
                }
                idx = idx * 10 + (path[pos] - '0');
                pos++;
            }
            if (pos == start || pos >= len || path[pos] != ']') {
                return -EINVAL;
            }
            pos++;
            v[n].key = NULL;
            v[n].index = idx;
            n++;
            continue;
        }
        return -EINVAL;
    }
    *segs = v;
    *nsegs = n;
    return 0;
}

/* ---- Overrides --------------------------------------------------------------------------- */

struct override {
    const char *text; /* "key=value" as given */
    const char *name; /* "-o key=value" for marks */
    struct skr_keyseg *segs;
    size_t nsegs;
    struct skr_cnode *value;
};

static int parse_override(struct skr_cdoc *d,
                          const char *text,
                          struct override *o,
                          struct skr_err *err)
{
    const char *eq = strchr(text, '=');
    const char *val;
    size_t vlen;
    char name[512];
    static const struct skr_cparse_opts popts = { .expand_env = true };

    if (eq == NULL) {
        return skr_err_set(err, -EINVAL,
                           "-o %s: expected key=value (e.g. -o json_output=true), or -o json",
                           text);
    }
    o->text = text;
    skr_cfg_fmt(name, sizeof(name), "-o %s", text);
    o->name = skr_arena_strdup(&d->arena, name);
    if (o->name == NULL) {
        return -ENOMEM;
    }
    if (skr_config_parse_keypath(d, text, (size_t)(eq - text), &o->segs, &o->nsegs) < 0) {
        return skr_err_set(err, -EINVAL,
                           "-o %s: invalid key path '%.*s': write dotted keys with [N] list "
                           "indexes, e.g. plugins[0].open_params",
                           text, (int)(eq - text), text);
    }
    val = eq + 1;
    vlen = strlen(val);
    if (vlen >= 2 &&
        ((val[0] == '{' && val[vlen - 1] == '}') || (val[0] == '[' && val[vlen - 1] == ']'))) {
        o->value = skr_cdoc_parse(d, val, vlen, o->name, &popts, err);
        if (o->value == NULL) {
            return err ? err->code : -EINVAL;
        }
        return 0;
    }
    o->value = skr_cnode_new(d, vlen == 0 ? SKR_CNODE_NULL : SKR_CNODE_SCALAR, o->name, 0, 0);
    if (o->value == NULL) {
        return -ENOMEM;
    }
    o->value->text = skr_cdoc_expand_env(d, val, vlen, &o->value->len);
    if (o->value->text == NULL) {
        return -ENOMEM;
    }
    return 0;
}

static int apply_override(struct skr_cdoc *d,
                          struct skr_cnode *root,
                          const struct override *o,
                          struct skr_err *err)
{
    struct skr_cnode *cur = root;

    for (size_t i = 0; i < o->nsegs; i++) {
        const struct skr_keyseg *s = &o->segs[i];
        bool last = i + 1 == o->nsegs;
        struct skr_cnode *next;

        if (s->key != NULL) {
            long at;
            if (cur->kind != SKR_CNODE_MAP) {
                /* what was there (a scalar, a null) is replaced by a map */
                cur->kind = SKR_CNODE_MAP;
                cur->n = 0;
                cur->cap = 0;
            }
            at = skr_cnode_find(cur, s->key);
            if (last) {
                if (at >= 0) {
                    cur->vals[at] = o->value;
                    return 0;
                }
                next = skr_cnode_new(d, SKR_CNODE_SCALAR, o->name, 0, 0);
                if (next == NULL) {
                    return -ENOMEM;
                }
                next->text = s->key;
                next->len = strlen(s->key);
                return skr_cnode_append(d, cur, next, o->value);
            }
            if (at >= 0) {
                next = cur->vals[at];
            } else {
                struct skr_cnode *key = skr_cnode_new(d, SKR_CNODE_SCALAR, o->name, 0, 0);
                next = skr_cnode_new(d, o->segs[i + 1].key != NULL ? SKR_CNODE_MAP : SKR_CNODE_SEQ,
                                     o->name, 0, 0);
                if (key == NULL || next == NULL) {
                    return -ENOMEM;
                }
                key->text = s->key;
                key->len = strlen(s->key);
                if (skr_cnode_append(d, cur, key, next) < 0) {
                    return -ENOMEM;
                }
            }
            cur = next;
            continue;
        }
        /* list index */
        if (cur->kind != SKR_CNODE_SEQ) {
            if (cur->kind == SKR_CNODE_NULL || cur->n == 0) {
                cur->kind = SKR_CNODE_SEQ;
                cur->n = 0;
                cur->cap = 0;
            } else {
                return skr_err_set(err, -EINVAL,
                                   "%s: [%ld] indexes a list, but the key holds a %s: drop the "
                                   "index or fix the path",
                                   o->name, s->index, skr_cnode_kind_name(cur));
            }
        }
        if ((size_t)s->index > cur->n) {
            return skr_err_set(err, -EINVAL,
                               "%s: index %ld is out of range: the list has %zu items (use "
                               "index %zu to append)",
                               o->name, s->index, cur->n, cur->n);
        }
        if ((size_t)s->index == cur->n) {
            next = last ? o->value
                        : skr_cnode_new(d,
                                        o->segs[i + 1].key != NULL ? SKR_CNODE_MAP : SKR_CNODE_SEQ,
                                        o->name, 0, 0);
            if (next == NULL || skr_cnode_append(d, cur, NULL, next) < 0) {
                return -ENOMEM;
            }
        } else if (last) {
            cur->vals[s->index] = o->value;
            return 0;
        } else {
            next = cur->vals[s->index];
        }
        cur = next;
    }
    return 0;
}

/* ---- Includes ----------------------------------------------------------------------------- */

enum merge_strategy {
    MERGE_APPEND,
    MERGE_OVERRIDE,
    MERGE_ADD_ONLY
};

static int merge_into(struct skr_cdoc *d,
                      struct skr_cnode *root,
                      const struct skr_cnode *inc,
                      enum merge_strategy st)
{
    for (size_t i = 0; i < inc->n; i++) {
        long at = skr_cnode_find(root, inc->keys[i]->text);
        struct skr_cnode *v = inc->vals[i];

        if (at < 0) {
            if (skr_cnode_append(d, root, inc->keys[i], v) < 0) {
                return -ENOMEM;
            }
            continue;
        }
        if (st == MERGE_ADD_ONLY) {
            continue;
        }
        if (st == MERGE_APPEND && root->vals[at]->kind == SKR_CNODE_SEQ &&
            v->kind == SKR_CNODE_SEQ) {
            /* copy: the old list may be shared through an alias */
            struct skr_cnode *merged = skr_cnode_new(d, SKR_CNODE_SEQ, root->vals[at]->file,
                                                     root->vals[at]->line, root->vals[at]->col);
            if (merged == NULL) {
                return -ENOMEM;
            }
            for (size_t j = 0; j < root->vals[at]->n; j++) {
                if (skr_cnode_append(d, merged, NULL, root->vals[at]->vals[j]) < 0) {
                    return -ENOMEM;
                }
            }
            for (size_t j = 0; j < v->n; j++) {
                if (skr_cnode_append(d, merged, NULL, v->vals[j]) < 0) {
                    return -ENOMEM;
                }
            }
            root->vals[at] = merged;
            continue;
        }
        root->vals[at] = v;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_file(struct skr_cdoc *d, struct skr_strlist *files, const char *path)
{
    const char **nv = skr_arena_alloc(&d->arena, (files->n + 1) * sizeof(*nv));

    if (nv == NULL) {
        return -ENOMEM;
    }
    if (files->n > 0) {
        memcpy(nv, files->v, files->n * sizeof(*nv));
    }
    nv[files->n] = skr_arena_strdup(&d->arena, path);
    if (nv[files->n] == NULL) {
        return -ENOMEM;
    }
    files->v = nv;
    files->n++;
    return 0;
}

static int include_file(struct skr_cdoc *d,
                        struct skr_cnode *root,
                        const char *path,
                        const char *main_real,
                        enum merge_strategy st,
                        struct skr_strlist *files,
                        struct skr_err *err)
{
    static const struct skr_cparse_opts popts = { .expand_env = true };
    char real[PATH_MAX];
    struct skr_cnode *inc;

    if (main_real != NULL && realpath(path, real) != NULL && strcmp(real, main_real) == 0) {
        return skr_err_set(err, -EINVAL,
                           "config_files: '%s' is the main configuration file itself: remove it "
                           "from config_files",
                           path);
    }
    inc = skr_cdoc_parse_file(d, path, &popts, err);
    if (inc == NULL) {
        return err ? err->code : -EINVAL;
    }
    if (skr_cnode_is_null(inc)) {
        return add_file(d, files, path);
    }
    if (inc->kind != SKR_CNODE_MAP) {
        return skr_err_set_at(err, -EINVAL, inc->file, inc->line, inc->col,
                              "the top level of a configuration file must be a map of keys, not "
                              "a %s",
                              skr_cnode_kind_name(inc));
    }
    {
        long at = skr_cnode_find(inc, "config_files");
        if (at >= 0) {
            const struct skr_cnode *k = inc->keys[at];
            return skr_err_set_at(err, -EINVAL, k->file, k->line, k->col,
                                  "config_files: an included file cannot include others: move "
                                  "this list to the main configuration file");
        }
    }
    if (merge_into(d, root, inc, st) < 0) {
        return -ENOMEM;
    }
    return add_file(d, files, path);
}

static int include_path(struct skr_cdoc *d,
                        struct skr_cnode *root,
                        const char *path,
                        const char *main_real,
                        enum merge_strategy st,
                        struct skr_strlist *files,
                        struct skr_err *err)
{
    struct stat st_buf;
    DIR *dir;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = 0;

    if (stat(path, &st_buf) < 0) {
        skr_log(SKR_LOG_WARNING, "config", "config_files: %s does not exist; skipped", path);
        return 0;
    }
    if (!S_ISDIR(st_buf.st_mode)) {
        return include_file(d, root, path, main_real, st, files, err);
    }
    dir = opendir(path);
    if (dir == NULL) {
        return skr_err_set(err, -errno, "config_files: cannot read directory %s: %s", path,
                           strerror(errno));
    }
    while ((de = readdir(dir)) != NULL) {
        char full[PATH_MAX];
        struct stat fs;
        int w = snprintf(full, sizeof(full), "%s/%s", path, de->d_name);

        if (w < 0 || (size_t)w >= sizeof(full) || stat(full, &fs) < 0 || !S_ISREG(fs.st_mode)) {
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = realloc(names, ncap * sizeof(*nn));
            if (nn == NULL) {
                rc = -ENOMEM;
                break;
            }
            names = nn;
            cap = ncap;
        }
        names[n] = strdup(full);
        if (names[n] == NULL) {
            rc = -ENOMEM;
            break;
        }
        n++;
    }
    closedir(dir);
    if (rc == 0) {
        qsort(names, n, sizeof(*names), cmp_str);
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = include_file(d, root, names[i], main_real, st, files, err);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    if (rc == -ENOMEM && err != NULL && err->code == 0) {
        skr_err_set(err, -ENOMEM, "config_files: out of memory");
    }
    return rc;
}

static int process_includes(struct skr_cdoc *d,
                            struct skr_cnode *root,
                            const char *main_path,
                            struct skr_strlist *files,
                            struct skr_err *err)
{
    const struct skr_cnode *cf = skr_cnode_get(root, "config_files");
    char main_real[PATH_MAX];
    const char *mr = NULL;
    int rc;

    if (cf == NULL || skr_cnode_is_null(cf)) {
        return 0;
    }
    if (main_path != NULL && realpath(main_path, main_real) != NULL) {
        mr = main_real;
    }
    if (cf->kind == SKR_CNODE_SCALAR) {
        return include_path(d, root, cf->text, mr, MERGE_APPEND, files, err);
    }
    if (cf->kind != SKR_CNODE_SEQ) {
        return skr_cfg_errf(err, cf, "config_files", "expected a list of paths, got a %s",
                            skr_cnode_kind_name(cf));
    }
    for (size_t i = 0; i < cf->n; i++) {
        const struct skr_cnode *e = cf->vals[i];
        enum merge_strategy st = MERGE_APPEND;
        const char *path;
        char p[64];

        skr_cfg_fmt(p, sizeof(p), "config_files[%zu]", i);
        if (e->kind == SKR_CNODE_SCALAR) {
            path = e->text;
        } else if (e->kind == SKR_CNODE_MAP) {
            const struct skr_cnode *pn = skr_cnode_get(e, "path");
            const struct skr_cnode *sn = skr_cnode_get(e, "strategy");
            for (size_t k = 0; k < e->n; k++) {
                if (strcmp(e->keys[k]->text, "path") != 0 &&
                    strcmp(e->keys[k]->text, "strategy") != 0) {
                    return skr_cfg_errf(err, e->keys[k], p,
                                        "unknown key '%s': an entry has path and strategy",
                                        e->keys[k]->text);
                }
            }
            if (pn == NULL || pn->kind != SKR_CNODE_SCALAR) {
                return skr_cfg_errf(err, e, p, "missing 'path'");
            }
            path = pn->text;
            if (sn != NULL && !skr_cnode_is_null(sn)) {
                if (sn->kind == SKR_CNODE_SCALAR && strcmp(sn->text, "append") == 0) {
                    st = MERGE_APPEND;
                } else if (sn->kind == SKR_CNODE_SCALAR && strcmp(sn->text, "override") == 0) {
                    st = MERGE_OVERRIDE;
                } else if (sn->kind == SKR_CNODE_SCALAR && strcmp(sn->text, "add-only") == 0) {
                    st = MERGE_ADD_ONLY;
                } else {
                    return skr_cfg_errf(err, sn, p,
                                        "unknown strategy '%s': use append, override or "
                                        "add-only",
                                        sn->kind == SKR_CNODE_SCALAR ? sn->text : "?");
                }
            }
        } else {
            return skr_cfg_errf(err, e, p, "expected a path or {path, strategy}, got a %s",
                                skr_cnode_kind_name(e));
        }
        if ((rc = include_path(d, root, path, mr, st, files, err)) < 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- Checking against the tables ---------------------------------------------------------- */

static const struct skr_opt *find_opt(const char *path, bool *is_section, bool *is_compat)
{
    size_t plen = strlen(path);

    *is_section = false;
    *is_compat = false;
    for (const struct skr_opt_table *const *t = all_tables; *t != NULL; t++) {
        for (size_t i = 0; i < (*t)->num_opts; i++) {
            const struct skr_opt *o = &(*t)->opts[i];
            size_t olen = strlen(o->name);
            if (o->flags & SKR_OPT_COMPAT) {
                /* the compat key itself or anything under it */
                if (strncmp(path, o->name, olen) == 0 &&
                    (path[olen] == '\0' || path[olen] == '.')) {
                    *is_compat = true;
                    return o;
                }
                continue;
            }
            if (strcmp(o->name, path) == 0) {
                return o;
            }
            if (olen > plen && strncmp(o->name, path, plen) == 0 && o->name[plen] == '.') {
                *is_section = true;
            }
        }
    }
    return NULL;
}

struct check_ctx {
    struct skr_strbuf ignored; /* compat keys seen */
};

static int check_keys(const struct skr_cnode *map,
                      const char *prefix,
                      struct check_ctx *cc,
                      struct skr_err *err)
{
    for (size_t i = 0; i < map->n; i++) {
        const struct skr_cnode *k = map->keys[i];
        char path[512];
        bool section;
        bool compat;
        const struct skr_opt *o;
        int w = prefix[0] ? snprintf(path, sizeof(path), "%s.%s", prefix, k->text)
                          : snprintf(path, sizeof(path), "%s", k->text);

        if (w < 0 || (size_t)w >= sizeof(path)) {
            return skr_err_set_at(err, -EINVAL, k->file, k->line, k->col,
                                  "key path too long: '%s.%s'", prefix, k->text);
        }
        o = find_opt(path, &section, &compat);
        if (o != NULL && compat) {
            if (cc->ignored.len > 0) {
                skr_strbuf_puts(&cc->ignored, ", ");
            }
            skr_strbuf_puts(&cc->ignored, path);
            continue;
        }
        if (o != NULL) {
            continue;
        }
        if (section) {
            const struct skr_cnode *v = map->vals[i];
            if (skr_cnode_is_null(v)) {
                continue;
            }
            if (v->kind != SKR_CNODE_MAP) {
                return skr_cfg_errf(err, v, path, "expected a map of options, got a %s",
                                    skr_cnode_kind_name(v));
            }
            if (check_keys(v, path, cc, err) < 0) {
                return err->code;
            }
            continue;
        }
        return skr_err_set_at(err, -EINVAL, k->file, k->line, k->col,
                              "unknown configuration key '%s': check its spelling (saker "
                              "--list-config lists every key)",
                              path);
    }
    return 0;
}

/* The node at a dotted option name, or NULL when absent. */
static const struct skr_cnode *lookup(const struct skr_cnode *root, const char *name)
{
    const struct skr_cnode *cur = root;
    char seg[256];
    const char *p = name;

    while (cur != NULL) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len >= sizeof(seg) || cur->kind != SKR_CNODE_MAP) {
            return NULL;
        }
        memcpy(seg, p, len);
        seg[len] = '\0';
        cur = skr_cnode_get(cur, seg);
        if (dot == NULL) {
            return cur;
        }
        p = dot + 1;
    }
    return NULL;
}

static int apply_defaults(struct skr_cdoc *d, struct skr_config *v, struct skr_err *err)
{
    for (const struct skr_opt_table *const *t = all_tables; *t != NULL; t++) {
        for (size_t i = 0; i < (*t)->num_opts; i++) {
            const struct skr_opt *o = &(*t)->opts[i];
            struct skr_cfg_ctx c = { .doc = d, .path = o->name };
            struct skr_cnode *n;
            char name[300];

            if ((o->flags & SKR_OPT_COMPAT) || o->def == NULL) {
                continue;
            }
            skr_cfg_fmt(name, sizeof(name), "default of %s", o->name);
            n = skr_cdoc_parse(d, o->def, strlen(o->def), name, NULL, err);
            if (n == NULL || skr_opt_apply(&c, o, n, v, err) < 0) {
                /* a broken default is a bug in the table, said plainly */
                return skr_err_prefix(err, "built-in default of %s", o->name);
            }
        }
    }
    return 0;
}

static int apply_values(struct skr_cdoc *d,
                        const struct skr_cnode *root,
                        struct skr_config *v,
                        struct skr_err *err)
{
    for (const struct skr_opt_table *const *t = all_tables; *t != NULL; t++) {
        for (size_t i = 0; i < (*t)->num_opts; i++) {
            const struct skr_opt *o = &(*t)->opts[i];
            struct skr_cfg_ctx c = { .doc = d, .path = o->name };
            const struct skr_cnode *n;

            if (o->flags & SKR_OPT_COMPAT) {
                continue;
            }
            n = lookup(root, o->name);
            if (n == NULL) {
                continue;
            }
            if (skr_opt_apply(&c, o, n, v, err) < 0) {
                return err->code ? err->code : -EINVAL;
            }
        }
    }
    return 0;
}

static int post_check(const struct skr_cnode *root, struct skr_config *v, struct skr_err *err)
{
    if (v->rules_file_alias.n > 0) {
        const struct skr_cnode *n = lookup(root, "rules_file");
        if (lookup(root, "rules_files") != NULL) {
            return skr_cfg_errf(err, n, "rules_file",
                                "both rules_file and rules_files are set: keep only rules_files");
        }
        skr_log(SKR_LOG_WARNING, "config", "rules_file is deprecated: use rules_files");
        v->rules_files = v->rules_file_alias;
    }
    if (v->output.file_enabled && v->output.file_filename[0] == '\0') {
        const struct skr_cnode *n = lookup(root, "file_output.filename");
        return skr_cfg_errf(err, n, "file_output.filename",
                            "file_output is enabled but has no filename: set one");
    }
    if (v->output.sinks.http_enabled && v->output.sinks.http_url[0] == '\0') {
        const struct skr_cnode *n = lookup(root, "http_output.url");
        return skr_cfg_errf(err, n ? n : lookup(root, "http_output.enabled"), "http_output.url",
                            "http_output is enabled but has no url: set one");
    }
    if (v->output.sinks.program_enabled && v->output.sinks.program_program[0] == '\0') {
        const struct skr_cnode *n = lookup(root, "program_output.program");
        return skr_cfg_errf(err, n ? n : lookup(root, "program_output.enabled"),
                            "program_output.program",
                            "program_output is enabled but has no program: set one");
    }
    if (v->metrics.enabled && v->metrics.interval_ms < 100) {
        const struct skr_cnode *n = lookup(root, "metrics.interval");
        return skr_cfg_errf(err, n, "metrics.interval", "must be at least 100ms");
    }
    if (v->drops.threshold < 0 || v->drops.threshold > 1) {
        const struct skr_cnode *n = lookup(root, "syscall_event_drops.threshold");
        return skr_cfg_errf(err, n, "syscall_event_drops.threshold", "must be between 0 and 1");
    }
    return 0;
}

int skr_config_load(const struct skr_config_input *in, struct skr_cfg **out, struct skr_err *err)
{
    static const struct skr_cparse_opts popts = { .expand_env = true };
    struct skr_cfg *c = calloc(1, sizeof(*c));
    struct override *ovs = NULL;
    struct check_ctx cc;
    int rc = -ENOMEM;

    skr_strbuf_init(&cc.ignored);
    if (c == NULL || (c->doc = skr_cdoc_new()) == NULL) {
        skr_err_set(err, -ENOMEM, "out of memory loading the configuration");
        goto out;
    }
    if (in->path != NULL) {
        c->root = skr_cdoc_parse_file(c->doc, in->path, &popts, err);
    } else {
        c->root = skr_cdoc_parse(c->doc, in->text, in->text_len,
                                 in->text_name ? in->text_name : "<embedded saker.yaml>", &popts,
                                 err);
    }
    if (c->root == NULL) {
        rc = err ? err->code : -EINVAL;
        goto out;
    }
    if (skr_cnode_is_null(c->root)) {
        c->root->kind = SKR_CNODE_MAP;
    } else if (c->root->kind != SKR_CNODE_MAP) {
        rc = skr_err_set_at(err, -EINVAL, c->root->file, c->root->line, c->root->col,
                            "the top level of a configuration file must be a map of keys, not a "
                            "%s",
                            skr_cnode_kind_name(c->root));
        goto out;
    }
    if ((rc = add_file(c->doc, &c->files,
                       in->path ? in->path
                                : (in->text_name ? in->text_name : "<embedded saker.yaml>"))) < 0) {
        goto out;
    }
    if (in->num_overrides > 0) {
        ovs = calloc(in->num_overrides, sizeof(*ovs));
        if (ovs == NULL) {
            rc = -ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < in->num_overrides; i++) {
        if ((rc = parse_override(c->doc, in->overrides[i], &ovs[i], err)) < 0) {
            goto out;
        }
    }
    /* -o config_files=... first, so it can change the include list */
    for (size_t i = 0; i < in->num_overrides; i++) {
        if (strcmp(ovs[i].segs[0].key, "config_files") == 0 &&
            (rc = apply_override(c->doc, c->root, &ovs[i], err)) < 0) {
            goto out;
        }
    }
    if (!in->no_includes &&
        (rc = process_includes(c->doc, c->root, in->path, &c->files, err)) < 0) {
        goto out;
    }
    for (size_t i = 0; i < in->num_overrides; i++) {
        if (strcmp(ovs[i].segs[0].key, "config_files") != 0 &&
            (rc = apply_override(c->doc, c->root, &ovs[i], err)) < 0) {
            goto out;
        }
    }
    if ((rc = check_keys(c->root, "", &cc, err)) < 0) {
        goto out;
    }
    if (cc.ignored.len > 0) {
        skr_log(SKR_LOG_INFO, "config", "ignoring Falco options Saker does not implement: %s",
                cc.ignored.p);
    }
    if ((rc = apply_defaults(c->doc, &c->v, err)) < 0 ||
        (rc = apply_values(c->doc, c->root, &c->v, err)) < 0 ||
        (rc = post_check(c->root, &c->v, err)) < 0) {
        goto out;
    }
    *out = c;
    c = NULL;
    rc = 0;
out:
    if (rc == -ENOMEM && err != NULL && err->code == 0) {
        skr_err_set(err, -ENOMEM, "out of memory loading the configuration");
    }
    free(ovs);
    skr_strbuf_fini(&cc.ignored);
    skr_config_free(c);
    return rc;
}

void skr_config_free(struct skr_cfg *c)
{
    if (c == NULL) {
        return;
    }
    skr_cdoc_free(c->doc);
    free(c);
}

/* ---- Section JSON, listing, default check ---------------------------------------------- */

static cJSON *opt_value_json(const struct skr_opt *o, const void *base)
{
    const void *p = (const char *)base + o->offset;

    switch (o->type) {
    case SKR_OPT_BOOL:
        return cJSON_CreateBool(*(const bool *)p);
    case SKR_OPT_INT:
        return cJSON_CreateNumber((double)*(const int64_t *)p);
    case SKR_OPT_UINT:
    case SKR_OPT_DURATION:
        return cJSON_CreateNumber((double)*(const uint64_t *)p);
    case SKR_OPT_DOUBLE:
        return cJSON_CreateNumber(*(const double *)p);
    case SKR_OPT_STRING:
        return cJSON_CreateString(*(const char *const *)p);
    case SKR_OPT_STRLIST: {
        const struct skr_strlist *l = p;
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a != NULL && i < l->n; i++) {
            cJSON_AddItemToArray(a, cJSON_CreateString(l->v[i]));
        }
        return a;
    }
    case SKR_OPT_PRIORITY:
    case SKR_OPT_LOGLEVEL:
    case SKR_OPT_ENUM:
        if (o->type == SKR_OPT_ENUM) {
            return cJSON_CreateString(o->choices[*(const int *)p]);
        }
        return cJSON_CreateNumber(*(const int *)p);
    case SKR_OPT_CUSTOM:
        break;
    }
    return cJSON_CreateNull();
}

char *skr_config_section_json(const struct skr_cfg *c,
                              const char *section,
                              const char *const *exclude)
{
    size_t slen = strlen(section);
    cJSON *obj = cJSON_CreateObject();
    char *s;

    if (obj == NULL) {
        return NULL;
    }
    for (const struct skr_opt_table *const *t = all_tables; *t != NULL; t++) {
        for (size_t i = 0; i < (*t)->num_opts; i++) {
            const struct skr_opt *o = &(*t)->opts[i];
            const char *key;
            bool skip = false;
            cJSON *parent = obj;
            char seg[128];

            if ((o->flags & SKR_OPT_COMPAT) || strncmp(o->name, section, slen) != 0 ||
                o->name[slen] != '.') {
                continue;
            }
            key = o->name + slen + 1;
            for (size_t e = 0; exclude != NULL && exclude[e] != NULL; e++) {
                skip = skip || strcmp(key, exclude[e]) == 0;
            }
            if (skip) {
                continue;
            }
            /* nested keys "a.b" become {"a":{"b":...}} */
            for (const char *dot = strchr(key, '.'); dot != NULL; dot = strchr(key, '.')) {
                size_t len = (size_t)(dot - key);
                cJSON *child;
                if (len >= sizeof(seg)) {
                    break;
                }
                memcpy(seg, key, len);
                seg[len] = '\0';
                child = cJSON_GetObjectItemCaseSensitive(parent, seg);
                if (child == NULL) {
                    child = cJSON_AddObjectToObject(parent, seg);
                }
                if (child == NULL) {
                    cJSON_Delete(obj);
                    return NULL;
                }
                parent = child;
                key = dot + 1;
            }
            cJSON_AddItemToObject(parent, key, opt_value_json(o, &c->v));
        }
    }
    s = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    return s;
}

static const char *type_name(enum skr_opt_type t)
{
    switch (t) {
    case SKR_OPT_BOOL:
        return "bool";
    case SKR_OPT_INT:
        return "int";
    case SKR_OPT_UINT:
        return "uint";
    case SKR_OPT_DOUBLE:
        return "number";
    case SKR_OPT_STRING:
        return "string";
    case SKR_OPT_STRLIST:
        return "list of strings";
    case SKR_OPT_PRIORITY:
        return "priority";
    case SKR_OPT_LOGLEVEL:
        return "log level";
    case SKR_OPT_DURATION:
        return "duration";
    case SKR_OPT_ENUM:
        return "enum";
    case SKR_OPT_CUSTOM:
        return "structured";
    }
    return "?";
}

void skr_config_list(bool json, struct skr_strbuf *out)
{
    cJSON *arr = json ? cJSON_CreateArray() : NULL;

    for (const struct skr_opt_table *const *t = all_tables; *t != NULL; t++) {
        for (size_t i = 0; i < (*t)->num_opts; i++) {
            const struct skr_opt *o = &(*t)->opts[i];
            if (o->flags & SKR_OPT_HIDDEN) {
                continue;
            }
            if (json) {
                cJSON *e = cJSON_CreateObject();
                if (e == NULL) {
                    continue;
                }
                cJSON_AddStringToObject(e, "name", o->name);
                cJSON_AddStringToObject(e, "component", (*t)->component);
                cJSON_AddStringToObject(
                        e, "type", (o->flags & SKR_OPT_COMPAT) ? "ignored" : type_name(o->type));
                if (o->def != NULL) {
                    cJSON_AddStringToObject(e, "default", o->def);
                } else {
                    cJSON_AddNullToObject(e, "default");
                }
                cJSON_AddStringToObject(e, "desc", o->desc ? o->desc : "");
                cJSON_AddItemToArray(arr, e);
                continue;
            }
            if (o->flags & SKR_OPT_COMPAT) {
                skr_strbuf_printf(out, "%-40s (Falco option, accepted and ignored)\n", o->name);
                continue;
            }
            skr_strbuf_printf(out, "%-40s %-16s default: %s\n    %s\n", o->name, type_name(o->type),
                              o->def, o->desc ? o->desc : "");
        }
    }
    if (json && arr != NULL) {
        char *s = cJSON_PrintUnformatted(arr);
        if (s != NULL) {
            skr_strbuf_puts(out, s);
            skr_strbuf_putc(out, '\n');
            free(s);
        }
        cJSON_Delete(arr);
    }
}

int skr_config_check_defaults(const char *text,
                              size_t len,
                              const char *name,
                              struct skr_strbuf *out,
                              struct skr_err *err)
{
    struct skr_config_input in = { .text = text, .text_len = len, .text_name = name };
    struct skr_cfg *c = NULL;
    int diffs = 0;
    int rc;

    rc = skr_config_load(&in, &c, err);
    if (rc < 0) {
        return rc;
    }
    for (const struct skr_opt_table *const *t = all_tables; *t != NULL; t++) {
        for (size_t i = 0; i < (*t)->num_opts; i++) {
            const struct skr_opt *o = &(*t)->opts[i];
            const struct skr_cnode *n = lookup(c->root, o->name);
            struct skr_cnode *def;
            char *a;
            char *b;

            if (o->flags & SKR_OPT_COMPAT) {
                if (n != NULL) {
                    skr_strbuf_printf(out, "%s: Falco option present in the default file\n",
                                      o->name);
                    diffs++;
                }
                continue;
            }
            if (o->flags & SKR_OPT_HIDDEN) {
                if (n != NULL) {
                    skr_strbuf_printf(out, "%s: hidden option present in the default file\n",
                                      o->name);
                    diffs++;
                }
                continue;
            }
            if (n == NULL) {
                skr_strbuf_printf(out, "%s: missing (default %s)\n", o->name, o->def);
                diffs++;
                continue;
            }
            def = skr_cdoc_parse(c->doc, o->def, strlen(o->def), "default", NULL, err);
            if (def == NULL) {
                skr_config_free(c);
                return err->code;
            }
            a = skr_cnode_to_json(n);
            b = skr_cnode_to_json(def);
            if (a == NULL || b == NULL || strcmp(a, b) != 0) {
                skr_strbuf_printf(out, "%s: %s, but the default is %s\n", o->name, a ? a : "?",
                                  b ? b : "?");
                diffs++;
            }
            free(a);
            free(b);
        }
    }
    skr_config_free(c);
    return diffs;
}
