/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule test files (docs/rule-tests.md): YAML read into a tree with marks
 * (core/config's reader), checked key by key so every mistake is reported
 * with its file, line and column; and the rule names a rules file defines,
 * so a case naming a rule that does not exist is caught before anything runs.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ruletest/ruletest_int.h"

#define DEFAULT_TIMEOUT_S 30
#define MAX_TIMEOUT_S     3600

struct ctx {
    struct skr_rt_file *f;
    struct skr_err *err;
};

static int bad(struct ctx *x, const struct skr_cnode *n, const char *fmt, ...) SKR_PRINTF(3, 4);

static int bad(struct ctx *x, const struct skr_cnode *n, const char *fmt, ...)
{
    char msg[SKR_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    va_end(ap);
    return skr_err_set_at(x->err, -EINVAL, n->file, n->line, n->col, "%s", msg);
}

static int oom(struct ctx *x)
{
    return skr_err_set(x->err, -ENOMEM, "%s: out of memory", x->f->path);
}

static bool is_scalar(const struct skr_cnode *n)
{
    return n != NULL && n->kind == SKR_CNODE_SCALAR;
}

/* Every key of map must be one of known (NULL-terminated). */
static int check_keys(struct ctx *x,
                      const struct skr_cnode *map,
                      const char *what,
                      const char *const *known)
{
    for (size_t i = 0; i < map->n; i++) {
        const struct skr_cnode *k = map->keys[i];
        bool ok = false;
        for (const char *const *p = known; *p != NULL && !ok; p++) {
            ok = strcmp(k->text, *p) == 0;
        }
        if (!ok) {
            struct skr_strbuf b;
            int rc;
            skr_strbuf_init(&b);
            for (const char *const *p = known; *p != NULL; p++) {
                skr_strbuf_printf(&b, "%s%s", p == known ? "" : ", ", *p);
            }
            rc = bad(x, k, "unknown key '%s' in %s (known keys: %s)", k->text, what, b.p);
            skr_strbuf_fini(&b);
            return rc;
        }
    }
    return 0;
}

/* A scalar string value; *out NULL when the key is absent. */
static int get_str(struct ctx *x,
                   const struct skr_cnode *map,
                   const char *key,
                   bool required,
                   const char *what,
                   const char **out)
{
    const struct skr_cnode *v = skr_cnode_get(map, key);

    *out = NULL;
    if (v == NULL || skr_cnode_is_null(v)) {
        if (required) {
            return bad(x, map, "%s needs '%s'", what, key);
        }
        return 0;
    }
    if (!is_scalar(v)) {
        return bad(x, v, "'%s' of %s must be a string, not a %s", key, what,
                   skr_cnode_kind_name(v));
    }
    *out = v->text;
    return 0;
}

static const char *resolve(struct ctx *x, const char *p)
{
    struct skr_strbuf b;
    char *r;

    if (p[0] == '/') {
        return p;
    }
    skr_strbuf_init(&b);
    skr_strbuf_printf(&b, "%s/%s", x->f->dir, p);
    r = b.truncated ? NULL : skr_arena_strdup(&x->f->doc->arena, b.p);
    skr_strbuf_fini(&b);
    return r;
}

/* A list of strings (a single string is a list of one). */
static int get_str_list(struct ctx *x,
                        const struct skr_cnode *v,
                        const char *what,
                        const char ***out,
                        size_t *n)
{
    const char **list;

    *out = NULL;
    *n = 0;
    if (v == NULL || skr_cnode_is_null(v)) {
        return 0;
    }
    if (is_scalar(v)) {
        list = skr_arena_calloc(&x->f->doc->arena, 1, sizeof(*list));
        if (list == NULL) {
            return oom(x);
        }
        list[0] = v->text;
        *out = list;
        *n = 1;
        return 0;
    }
    if (v->kind != SKR_CNODE_SEQ) {
        return bad(x, v, "%s must be a list of strings, not a %s", what, skr_cnode_kind_name(v));
    }
    list = skr_arena_calloc(&x->f->doc->arena, v->n ? v->n : 1, sizeof(*list));
    if (list == NULL) {
        return oom(x);
    }
    for (size_t i = 0; i < v->n; i++) {
        if (!is_scalar(v->vals[i])) {
            return bad(x, v->vals[i], "%s must be a list of strings; this entry is a %s", what,
                       skr_cnode_kind_name(v->vals[i]));
        }
        list[i] = v->vals[i]->text;
    }
    *out = list;
    *n = v->n;
    return 0;
}

static int parse_uint(struct ctx *x,
                      const struct skr_cnode *v,
                      const char *what,
                      unsigned min,
                      unsigned max,
                      unsigned *out)
{
    char *end = NULL;
    unsigned long u;

    if (!is_scalar(v) || v->text[0] < '0' || v->text[0] > '9') {
        return bad(x, v, "%s must be a whole number between %u and %u", what, min, max);
    }
    errno = 0;
    u = strtoul(v->text, &end, 10);
    if (errno != 0 || *end != '\0' || u < min || u > max) {
        return bad(x, v, "%s must be a whole number between %u and %u, not '%s'", what, min, max,
                   v->text);
    }
    *out = (unsigned)u;
    return 0;
}

static int parse_expects(struct ctx *x,
                         const struct skr_cnode *v,
                         bool fire,
                         struct skr_rt_expect **out,
                         size_t *n)
{
    static const char *const fire_keys[] = { "rule", "output", "priority", "count", NULL };
    static const char *const no_fire_keys[] = { "rule", "output", "priority", NULL };
    const char *what = fire ? "expect.fire" : "expect.no_fire";
    struct skr_rt_expect *list;
    int rc;

    *out = NULL;
    *n = 0;
    if (v == NULL || skr_cnode_is_null(v)) {
        return 0;
    }
    if (v->kind != SKR_CNODE_SEQ) {
        return bad(x, v, "%s must be a list of rule names (or {rule, output, priority%s} maps)",
                   what, fire ? ", count" : "");
    }
    list = skr_arena_calloc(&x->f->doc->arena, v->n ? v->n : 1, sizeof(*list));
    if (list == NULL) {
        return oom(x);
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct skr_cnode *e = v->vals[i];
        struct skr_rt_expect *ex = &list[i];
        ex->line = e->line;
        ex->col = e->col;
        ex->min_count = 1;
        if (is_scalar(e)) {
            ex->rule = e->text;
        } else if (e->kind == SKR_CNODE_MAP) {
            const struct skr_cnode *cnt = skr_cnode_get(e, "count");
            if ((rc = check_keys(x, e, what, fire ? fire_keys : no_fire_keys)) < 0 ||
                (rc = get_str(x, e, "rule", true, what, &ex->rule)) < 0 ||
                (rc = get_str(x, e, "output", false, what, &ex->output)) < 0 ||
                (rc = get_str(x, e, "priority", false, what, &ex->priority)) < 0) {
                return rc;
            }
            if (cnt != NULL &&
                (rc = parse_uint(x, cnt, "expect.fire count", 1, 1000000, &ex->min_count)) < 0) {
                return rc;
            }
        } else {
            return bad(x, e, "an entry of %s must be a rule name or a map, not a %s", what,
                       skr_cnode_kind_name(e));
        }
        if (ex->rule[0] == '\0') {
            return bad(x, e, "an entry of %s has an empty rule name", what);
        }
    }
    *out = list;
    *n = v->n;
    return 0;
}

static int parse_scope(struct ctx *x, const struct skr_cnode *v, struct skr_rt_case *c)
{
    static const char *const keys[] = { "field", "value", NULL };
    int rc;

    c->scope = c->live != NULL ? SKR_RT_SCOPE_TREE : SKR_RT_SCOPE_ALL;
    if (v == NULL || skr_cnode_is_null(v)) {
        return 0;
    }
    if (is_scalar(v)) {
        if (strcmp(v->text, "tree") == 0) {
            c->scope = SKR_RT_SCOPE_TREE;
        } else if (strcmp(v->text, "all") == 0) {
            c->scope = SKR_RT_SCOPE_ALL;
        } else {
            return bad(x, v, "scope must be tree, all or {field: F, value: V}, not '%s'", v->text);
        }
        return 0;
    }
    if (v->kind != SKR_CNODE_MAP) {
        return bad(x, v, "scope must be tree, all or {field: F, value: V}, not a %s",
                   skr_cnode_kind_name(v));
    }
    if ((rc = check_keys(x, v, "scope", keys)) < 0 ||
        (rc = get_str(x, v, "field", true, "scope", &c->scope_field)) < 0 ||
        (rc = get_str(x, v, "value", true, "scope", &c->scope_value)) < 0) {
        return rc;
    }
    if (strchr(c->scope_field, '%') != NULL || strchr(c->scope_field, ' ') != NULL) {
        return bad(x, v, "scope.field is a field name such as proc.name, not a format ('%s')",
                   c->scope_field);
    }
    c->scope = SKR_RT_SCOPE_FIELD;
    return 0;
}

static bool valid_name(const char *s)
{
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\') {
            return false;
        }
    }
    return true;
}

static int parse_case(struct ctx *x, const struct skr_cnode *n, struct skr_rt_case *c)
{
    static const char *const keys[] = { "name",  "desc",    "capture", "live",
                                        "scope", "timeout", "expect",  NULL };
    static const char *const expect_keys[] = { "fire", "no_fire", NULL };
    const struct skr_cnode *v;
    const struct skr_cnode *exp;
    int rc;

    if (n->kind != SKR_CNODE_MAP) {
        return bad(x, n, "a case must be a map (name, capture or live, expect), not a %s",
                   skr_cnode_kind_name(n));
    }
    c->line = n->line;
    c->col = n->col;
    c->timeout_s = DEFAULT_TIMEOUT_S;
    if ((rc = check_keys(x, n, "a case", keys)) < 0 ||
        (rc = get_str(x, n, "name", true, "a case", &c->name)) < 0 ||
        (rc = get_str(x, n, "desc", false, "a case", &c->desc)) < 0 ||
        (rc = get_str(x, n, "capture", false, "a case", &c->capture_rel)) < 0 ||
        (rc = get_str(x, n, "live", false, "a case", &c->live)) < 0) {
        return rc;
    }
    if (!valid_name(c->name)) {
        return bad(x, skr_cnode_get(n, "name"),
                   "case name '%s' must not be empty nor hold control characters, quotes or "
                   "backslashes",
                   c->name);
    }
    if (c->capture_rel == NULL && c->live == NULL) {
        return bad(x, n,
                   "case '%s' needs a capture file ('capture'), a live snippet ('live'), "
                   "or both",
                   c->name);
    }
    if (c->capture_rel != NULL && (c->capture = resolve(x, c->capture_rel)) == NULL) {
        return oom(x);
    }
    if ((v = skr_cnode_get(n, "timeout")) != NULL &&
        (rc = parse_uint(x, v, "timeout (seconds)", 1, MAX_TIMEOUT_S, &c->timeout_s)) < 0) {
        return rc;
    }
    if ((rc = parse_scope(x, skr_cnode_get(n, "scope"), c)) < 0) {
        return rc;
    }
    exp = skr_cnode_get(n, "expect");
    if (exp == NULL || exp->kind != SKR_CNODE_MAP) {
        return bad(x, exp ? exp : n, "case '%s' needs 'expect' with 'fire' and/or 'no_fire'",
                   c->name);
    }
    if ((rc = check_keys(x, exp, "expect", expect_keys)) < 0 ||
        (rc = parse_expects(x, skr_cnode_get(exp, "fire"), true, &c->fire, &c->nfire)) < 0 ||
        (rc = parse_expects(x, skr_cnode_get(exp, "no_fire"), false, &c->no_fire, &c->nno_fire)) <
                0) {
        return rc;
    }
    if (c->nfire == 0 && c->nno_fire == 0) {
        return bad(x, exp, "case '%s' expects nothing: list rules under fire or no_fire", c->name);
    }
    return 0;
}

static int parse_file(struct ctx *x, const struct skr_cnode *root)
{
    static const char *const keys[] = { "rules_files", "options", "prelude", "cases", NULL };
    struct skr_rt_file *f = x->f;
    const struct skr_cnode *cases;
    const char **rules;
    int rc;

    if (root->kind != SKR_CNODE_MAP) {
        return bad(x, root, "a rule test file is a map with rules_files and cases, not a %s",
                   skr_cnode_kind_name(root));
    }
    if ((rc = check_keys(x, root, "the test file", keys)) < 0 ||
        (rc = get_str_list(x, skr_cnode_get(root, "rules_files"), "rules_files", &rules,
                           &f->nrules_files)) < 0 ||
        (rc = get_str_list(x, skr_cnode_get(root, "options"), "options", &f->options,
                           &f->noptions)) < 0 ||
        (rc = get_str(x, root, "prelude", false, "the test file", &f->prelude)) < 0) {
        return rc;
    }
    if (f->nrules_files == 0) {
        return bad(x, root,
                   "the test file needs rules_files: the rules files it tests "
                   "(relative to the test file)");
    }
    for (size_t i = 0; i < f->noptions; i++) {
        if (strchr(f->options[i], '=') == NULL) {
            return bad(x, skr_cnode_get(root, "options"),
                       "option '%s' must be key=value, as for saker -o", f->options[i]);
        }
    }
    for (size_t i = 0; i < f->nrules_files; i++) {
        if ((rules[i] = resolve(x, rules[i])) == NULL) {
            return oom(x);
        }
    }
    f->rules_files = rules;
    cases = skr_cnode_get(root, "cases");
    if (cases == NULL || cases->kind != SKR_CNODE_SEQ || cases->n == 0) {
        return bad(x, cases ? cases : root, "the test file needs a non-empty list of cases");
    }
    f->cases = skr_arena_calloc(&f->doc->arena, cases->n, sizeof(*f->cases));
    if (f->cases == NULL) {
        return oom(x);
    }
    for (size_t i = 0; i < cases->n; i++) {
        if ((rc = parse_case(x, cases->vals[i], &f->cases[i])) < 0) {
            return rc;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(f->cases[j].name, f->cases[i].name) == 0) {
                return bad(x, cases->vals[i], "case name '%s' is used twice (first at line %u)",
                           f->cases[i].name, f->cases[j].line);
            }
        }
        f->ncases++;
    }
    return 0;
}

int skr_rt_file_load(const char *path, struct skr_rt_file **out, struct skr_err *err)
{
    struct skr_cparse_opts po = { .expand_env = false };
    struct skr_rt_file *f = calloc(1, sizeof(*f));
    struct skr_cnode *root;
    struct ctx x = { f, err };
    const char *slash;
    int rc;

    *out = NULL;
    if (f == NULL || (f->doc = skr_cdoc_new()) == NULL) {
        free(f);
        return skr_err_set(err, -ENOMEM, "%s: out of memory", path);
    }
    f->path = skr_arena_strdup(&f->doc->arena, path);
    slash = strrchr(path, '/');
    f->dir = slash == NULL ? "." : skr_arena_strndup(&f->doc->arena, path, (size_t)(slash - path));
    if (f->path == NULL || f->dir == NULL) {
        rc = skr_err_set(err, -ENOMEM, "%s: out of memory", path);
        goto out;
    }
    if (f->dir[0] == '\0') {
        f->dir = "/";
    }
    skr_err_clear(err);
    root = skr_cdoc_parse_file(f->doc, path, &po, err);
    if (root == NULL || root->kind == SKR_CNODE_NULL) {
        rc = root == NULL && err->code != 0
                     ? err->code
                     : skr_err_set_at(err, -EINVAL, path, 1, 1,
                                      "the test file is empty: give rules_files and cases");
        goto out;
    }
    rc = parse_file(&x, root);
    if (rc == 0) {
        *out = f;
        f = NULL;
    }
out:
    skr_rt_file_free(f);
    return rc;
}

void skr_rt_file_free(struct skr_rt_file *f)
{
    if (f == NULL) {
        return;
    }
    skr_cdoc_free(f->doc);
    free(f);
}

/* ---- Rule names of rules files --------------------------------------------------------- */

static int names_add(struct skr_rt_rule_names *names, const char *name, const char *source)
{
    for (size_t i = 0; i < names->n; i++) {
        if (strcmp(names->v[i].name, name) == 0) {
            return 0;
        }
    }
    if (names->n == names->cap) {
        size_t cap = names->cap ? names->cap * 2 : 64;
        struct skr_rt_rule_name *v = realloc(names->v, cap * sizeof(*v));
        if (v == NULL) {
            return -ENOMEM;
        }
        names->v = v;
        names->cap = cap;
    }
    names->v[names->n].name = name;
    names->v[names->n].source = source;
    names->n++;
    return 0;
}

static int scan_file(const char *path, struct skr_rt_rule_names *names, struct skr_err *err)
{
    struct skr_cparse_opts po = { .expand_env = false };
    struct skr_cnode *root;

    skr_err_clear(err);
    root = skr_cdoc_parse_file(names->doc, path, &po, err);
    if (root == NULL) {
        return err->code != 0 ? err->code : 0; /* an empty rules file defines nothing */
    }
    if (root->kind != SKR_CNODE_SEQ) {
        return 0; /* not a rules file: saker itself will say why */
    }
    for (size_t i = 0; i < root->n; i++) {
        const struct skr_cnode *item = root->vals[i];
        const struct skr_cnode *name = skr_cnode_get(item, "rule");
        const struct skr_cnode *src = skr_cnode_get(item, "source");
        if (item->kind != SKR_CNODE_MAP || !is_scalar(name)) {
            continue;
        }
        if (names_add(names, name->text, is_scalar(src) ? src->text : "syscall") < 0) {
            return skr_err_set(err, -ENOMEM, "%s: out of memory", path);
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool yaml_name(const char *n)
{
    size_t l = strlen(n);

    return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) || (l > 4 && strcmp(n + l - 4, ".yml") == 0);
}

static int scan_dir(const char *path, struct skr_rt_rule_names *names, struct skr_err *err)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char **files = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (d == NULL) {
        return skr_err_set(err, -errno, "%s: cannot open the rules folder: %s", path,
                           strerror(errno));
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !yaml_name(de->d_name)) {
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nf = realloc(files, ncap * sizeof(*nf));
            if (nf == NULL) {
                rc = -ENOMEM;
                goto out;
            }
            files = nf;
            cap = ncap;
        }
        if ((files[n] = strdup(de->d_name)) == NULL) {
            rc = -ENOMEM;
            goto out;
        }
        n++;
    }
    qsort(files, n, sizeof(*files), cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct skr_strbuf p;
        skr_strbuf_init(&p);
        skr_strbuf_printf(&p, "%s/%s", path, files[i]);
        rc = p.truncated ? -ENOMEM : scan_file(p.p, names, err);
        skr_strbuf_fini(&p);
    }
out:
    if (rc == -ENOMEM) {
        skr_err_set(err, rc, "%s: out of memory", path);
    }
    for (size_t i = 0; i < n; i++) {
        free(files[i]);
    }
    free(files);
    closedir(d);
    return rc;
}

int skr_rt_rule_names_scan(const char *const *paths,
                           size_t n,
                           struct skr_rt_rule_names *names,
                           struct skr_err *err)
{
    if (names->doc == NULL && (names->doc = skr_cdoc_new()) == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int rc;
        if (stat(paths[i], &st) != 0) {
            return skr_err_set(err, -errno, "%s: cannot read the rules file: %s", paths[i],
                               strerror(errno));
        }
        rc = S_ISDIR(st.st_mode) ? scan_dir(paths[i], names, err) : scan_file(paths[i], names, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

void skr_rt_rule_names_fini(struct skr_rt_rule_names *names)
{
    free(names->v);
    skr_cdoc_free(names->doc);
    memset(names, 0, sizeof(*names));
}

bool skr_rt_rule_names_match(const struct skr_rt_rule_names *names, const char *pattern)
{
    for (size_t i = 0; i < names->n; i++) {
        if (skr_rt_wildcard(pattern, names->v[i].name)) {
            return true;
        }
    }
    return false;
}
