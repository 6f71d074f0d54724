/* SPDX-License-Identifier: Apache-2.0 */
/* Loading rules files: lists, macros, exceptions (all three forms), append/override,
 * enable/disable, required versions, each error class with its file:line:col, the event-type
 * index, first/all matching and diagnostics formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "rules/testhost.h"
#include "util/arena.h"

static const char *const fields_part =
        "{\"fields\":["
        "{\"source\":\"syscall\",\"name\":\"evt.type\",\"type\":\"string\"},"
        "{\"source\":\"syscall\",\"name\":\"evt.num\",\"type\":\"uint64\"},"
        "{\"source\":\"syscall\",\"name\":\"proc.name\",\"type\":\"string\"},"
        "{\"source\":\"syscall\",\"name\":\"proc.pname\",\"type\":\"string\"},"
        "{\"source\":\"syscall\",\"name\":\"proc.cmdline\",\"type\":\"string\"},"
        "{\"source\":\"syscall\",\"name\":\"fd.name\",\"type\":\"string\"},"
        "{\"source\":\"syscall\",\"name\":\"fd.directory\",\"type\":\"string\"},"
        "{\"source\":\"syscall\",\"name\":\"user.name\",\"type\":\"string\"},"
        "{\"source\":\"syscall\",\"name\":\"container.id\",\"type\":\"string\",\"cost\":1},"
        "{\"source\":\"k8s_audit\",\"name\":\"ka.verb\",\"type\":\"string\"}"
        "],\"event_types\":{\"syscall\":["
        "{\"name\":\"open\",\"code\":2},{\"name\":\"open\",\"code\":3},"
        "{\"name\":\"close\",\"code\":4},{\"name\":\"close\",\"code\":5},"
        "{\"name\":\"execve\",\"code\":292},{\"name\":\"execve\",\"code\":293},"
        "{\"name\":\"openat\",\"code\":306},{\"name\":\"openat\",\"code\":307},"
        "{\"name\":\"mmap\",\"code\":1},{\"name\":\"munmap\",\"code\":1}";

struct env {
    struct skr_test_host *th;
    char dir[64];
    int nfiles;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));
    struct skr_strbuf b;
    char err[256];

    assert_non_null(e);
    skr_strbuf_init(&b);
    skr_strbuf_puts(&b, fields_part);
    /* Enough other event codes for "every code" to count more than 100. */
    for (int i = 0; i < 120; i++) {
        skr_strbuf_printf(&b, ",{\"name\":\"ev%d\",\"code\":%d}", i, 500 + i);
    }
    skr_strbuf_puts(
            &b,
            "],\"k8s_audit\":[]},\"plugins\":[{\"name\":\"k8saudit\",\"version\":\"0.18.2\"}]}");
    e->th = skr_test_host_new(b.p, b.len, err, sizeof(err));
    skr_strbuf_fini(&b);
    if (e->th == NULL) {
        fail_msg("host: %s", err);
    }
    snprintf(e->dir, sizeof(e->dir), "/tmp/skr-rules-test-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", e->dir);
    }
    skr_test_host_free(e->th);
    free(e);
    return 0;
}

/* Writes content to a new file of the test folder and returns its path (static storage
 * per call index). */
static const char *file(struct env *e, const char *name, const char *content)
{
    static char paths[16][256];
    char *p = paths[e->nfiles++ % 16];
    FILE *f;

    snprintf(p, 256, "%s/%s", e->dir, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return p;
}

struct loaded {
    struct skr_ruleset *rs;
    struct skr_diags *d;
    int rc;
};

static const char *const default_sources[] = { "syscall", "k8s_audit" };

static struct loaded load_opts(struct env *e,
                               const char *const *paths,
                               size_t n,
                               const struct skr_rules_selection *sel,
                               size_t nsel,
                               int min_prio,
                               bool match_all)
{
    struct skr_rules_load_opts o;
    struct loaded l;

    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.num_paths = n;
    o.sources = default_sources;
    o.num_sources = 2;
    o.min_priority = min_prio;
    o.match_all = match_all;
    o.selection = sel;
    o.num_selection = nsel;
    o.host = skr_test_host_get(e->th);
    l.d = skr_diags_new();
    assert_non_null(l.d);
    l.rc = skr_rules_load(&o, &l.rs, l.d);
    return l;
}

static struct loaded load1(struct env *e, const char *content)
{
    const char *p = file(e, "rules.yaml", content);
    return load_opts(e, &p, 1, NULL, 0, 7, false);
}

static void unload(struct loaded *l)
{
    skr_ruleset_unref(l->rs);
    skr_diags_free(l->d);
}

/* The diagnostic with code and a message containing text, or NULL. */
static const struct skr_diag *find(const struct loaded *l, const char *code, const char *text)
{
    for (size_t i = 0; i < skr_diags_count(l->d); i++) {
        const struct skr_diag *g = skr_diags_get(l->d, i);
        if ((code == NULL || strcmp(g->code, code) == 0) &&
            (text == NULL || strstr(g->message, text) != NULL)) {
            return g;
        }
    }
    return NULL;
}

static void dump(const struct loaded *l)
{
    struct skr_strbuf b;

    skr_strbuf_init(&b);
    skr_diags_format(l->d, false, &b);
    fprintf(stderr, "%s", b.p);
    skr_strbuf_fini(&b);
}

static void expect_ok(const struct loaded *l)
{
    if (l->rc != 0) {
        dump(l);
        fail_msg("load failed: %d", l->rc);
    }
}

/* Expects an error with code, message and 1-based position (0: not checked). */
static void expect_error(const struct loaded *l,
                         const char *code,
                         const char *text,
                         unsigned line,
                         unsigned col)
{
    const struct skr_diag *g = find(l, code, text);

    if (l->rc == 0 || g == NULL || g->severity != SKR_DIAG_ERROR) {
        dump(l);
        fail_msg("no error %s '%s'", code, text);
    }
    if ((line != 0 && g->line != line) || (col != 0 && g->col != col)) {
        fail_msg("error '%s' at %u:%u, want %u:%u", text, g->line, g->col, line, col);
    }
    assert_null(l->rs);
}

static const struct skr_rule *rule(const struct loaded *l, const char *name)
{
    for (size_t i = 0; i < skr_ruleset_compiled_count(l->rs); i++) {
        const struct skr_rule *r = skr_ruleset_compiled(l->rs, i);
        if (strcmp(skr_rule_name(r), name) == 0) {
            return r;
        }
    }
    fail_msg("no rule %s", name);
    return NULL;
}

#define RULE(name, cond)                                                           \
    "- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o %proc.name\n" \
    "  priority: WARNING\n"

/* ---- Lists and macros ------------------------------------------------------------------------- */

static void test_lists_macros(void **state)
{
    struct env *e = *state;
    struct loaded l;

    l = load1(
            e,
            "- list: shells\n  items: [bash, \"my sh\"]\n"
            "- list: more\n  items: [shells, zsh]\n"
            "- macro: spawned\n  condition: evt.type = execve\n"
            "- macro: shell_spawn\n  condition: spawned and proc.name in (more)\n"
            "- list: shells\n  items: [ksh]\n  override:\n    items: append\n" RULE(
                    "r1",
                    "shell_spawn or proc.name in (shells, fish)") "- macro: unused_m\n  condition: fd.name = x\n"
                                                                  "- list: unused_l\n  items: [a]\n");
    expect_ok(&l);
    /* one level of list->list expansion, with the referenced list's final items */
    assert_string_equal(skr_rule_condition(rule(&l, "r1")),
                        "((evt.type = execve and proc.name in (bash, \"my sh\", ksh, zsh)) or "
                        "proc.name in (bash, \"my sh\", ksh, fish))");
    assert_non_null(find(&l, "LOAD_UNUSED_MACRO", NULL));
    assert_non_null(find(&l, "LOAD_UNUSED_LIST", NULL));
    assert_string_equal(find(&l, "LOAD_UNUSED_MACRO", NULL)->item_name, "unused_m");
    assert_string_equal(find(&l, "LOAD_UNUSED_LIST", NULL)->item_name, "unused_l");
    unload(&l);

    /* a macro can use only macros defined before it; a rule any macro */
    l = load1(e, "- macro: a\n  condition: b\n- macro: b\n  condition: proc.name = x\n" RULE("r",
                                                                                             "a"));
    expect_error(&l, "LOAD_ERR_VALIDATE", "Undefined macro 'b' used in filter.", 2, 14);
    unload(&l);
    l = load1(e, "- macro: a\n  condition: evt.type = open and a\n" RULE("r", "a"));
    expect_error(&l, "LOAD_ERR_VALIDATE", "Undefined macro 'a'", 2, 34); /* not visible yet */
    unload(&l);
    l = load1(e,
              "- macro: a\n  condition: evt.type = open\n- macro: b\n  condition: a\n"
              "- macro: a\n  condition: or b\n  override:\n    condition: append\n" RULE("r", "a"));
    expect_error(&l, "LOAD_ERR_VALIDATE", "reference loop in macro", 0, 0);
    unload(&l);
    /* a macro appended later sees macros defined before the append */
    l = load1(e, "- macro: a\n  condition: evt.type = open\n"
                 "- macro: b\n  condition: proc.name = x\n"
                 "- macro: a\n  condition: and b\n  override:\n    condition: append\n" RULE("r",
                                                                                             "a"));
    expect_ok(&l);
    assert_string_equal(skr_rule_condition(rule(&l, "r")), "(evt.type = open and proc.name = x)");
    unload(&l);
    /* across files: a reference must resolve by the end of the file that makes it */
    {
        const char *p[2];
        p[0] = file(e, "a.yaml", RULE("r", "evt.type = open and later"));
        p[1] = file(e, "b.yaml", "- macro: later\n  condition: proc.name = x\n");
        l = load_opts(e, p, 2, NULL, 0, 7, false);
        expect_error(&l, "LOAD_ERR_VALIDATE", "Undefined macro 'later'", 3, 34);
        unload(&l);
        p[0] = file(e, "c.yaml", "- macro: later\n  condition: proc.name = x\n");
        p[1] = file(e, "d.yaml", RULE("r", "evt.type = open and later"));
        l = load_opts(e, p, 2, NULL, 0, 7, false);
        expect_ok(&l);
        /* reported as unused after the first file */
        assert_non_null(find(&l, "LOAD_UNUSED_MACRO", NULL));
        unload(&l);
    }
    /* an empty list removes an adjacent comma */
    l = load1(e, "- list: none\n  items: []\n" RULE(
                         "r", "proc.name in (none, a) or proc.name in (b, none)"));
    expect_ok(&l);
    assert_string_equal(skr_rule_condition(rule(&l, "r")),
                        "(proc.name in (a) or proc.name in (b))");
    unload(&l);
}

/* ---- Exceptions ----------------------------------------------------------------------------------- */

static void test_exceptions(void **state)
{
    struct env *e = *state;
    struct loaded l;

    l = load1(e, "- list: apt_dirs\n  items: [/usr/lib]\n"
                 "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n"
                 "  priority: INFO\n  exceptions:\n"
                 "    - name: writers\n      fields: [proc.name, fd.directory]\n"
                 "      comps: [=, in]\n      values:\n        - [apt, [/usr/bin, /bin]]\n"
                 "        - [yum, apt_dirs]\n"
                 "    - name: files\n      fields: fd.name\n      values: [passwd, \"my file\"]\n"
                 "    - name: prefixes\n      fields: [proc.cmdline]\n"
                 "      comps: [startswith anyof]\n      values:\n        - [[curl, wget]]\n"
                 "    - name: empty\n      fields: proc.name\n");
    expect_ok(&l);
    assert_string_equal(
            skr_rule_condition(rule(&l, "r")),
            "(evt.type = open and not ((proc.name = apt and fd.directory in (/usr/bin, /bin)) or "
            "(proc.name = yum and fd.directory in (/usr/lib))) and not fd.name in (passwd, \"my "
            "file\") and not proc.cmdline startswith anyof (curl, wget))");
    unload(&l);

    /* appending values to an exception (legacy append and override append) */
    l = load1(
            e,
            RULE("r",
                 "evt.type = open") "  exceptions:\n    - name: e\n"
                                    "      fields: proc.name\n      values: [a]\n"
                                    "- rule: r\n  exceptions:\n    - name: e\n      values: [b]\n  append: true\n"
                                    "- rule: r\n  exceptions:\n    - name: e2\n      fields: [fd.name]\n"
                                    "      values: [[/x]]\n  override:\n    exceptions: append\n");
    expect_ok(&l);
    assert_string_equal(skr_rule_condition(rule(&l, "r")),
                        "(evt.type = open and not proc.name in (a, b) and not fd.name = /x)");
    assert_non_null(find(&l, "LOAD_DEPRECATED_ITEM", "'append' key is deprecated"));
    unload(&l);

    /* replacing the whole list; fields are required there */
    l = load1(
            e,
            RULE("r",
                 "evt.type = open") "  exceptions:\n    - name: e\n"
                                    "      fields: proc.name\n      values: [a]\n"
                                    "- rule: r\n  exceptions:\n    - name: f\n      fields: fd.name\n"
                                    "      values: [c]\n  override:\n    exceptions: replace\n");
    expect_ok(&l);
    assert_string_equal(skr_rule_condition(rule(&l, "r")),
                        "(evt.type = open and not fd.name in (c))");
    unload(&l);
    l = load1(e,
              RULE("r",
                   "evt.type = open") "- rule: r\n  exceptions:\n    - name: f\n"
                                      "      values: [c]\n  override:\n    exceptions: replace\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key 'fields'", 0, 0);
    unload(&l);

    /* shape errors */
    l = load1(
            e,
            RULE("r",
                 "evt.type = open") "  exceptions:\n    - name: e\n"
                                    "      fields: [proc.name, fd.name]\n      comps: [=]\n      values: []\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "Fields and comps lists must have equal length", 7, 7);
    unload(&l);
    l = load1(
            e,
            RULE("r",
                 "evt.type = open") "  exceptions:\n    - name: e\n"
                                    "      fields: [proc.name, fd.name]\n      values:\n        - [a]\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "Fields and values lists must have equal length", 0, 0);
    unload(&l);
    l = load1(
            e,
            RULE("r",
                 "evt.type = open") "  exceptions:\n    - name: e\n"
                                    "      fields: [proc.name]\n      comps: [frob]\n      values: []\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "'frob' is not a supported comparison operator", 0, 0);
    unload(&l);
    l = load1(e, RULE("r", "evt.type = open") "  exceptions:\n    - name: e\n"
                                              "      fields: [proc.nope]\n      values: []\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "'proc.nope' is not a supported filter field", 0, 0);
    unload(&l);
    l = load1(
            e,
            RULE("r",
                 "evt.type = open") "  exceptions:\n    - name: e\n"
                                    "      fields: proc.name\n      comps: =\n      values: [a]\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "comps must be one of", 0, 0);
    unload(&l);
    l = load1(e,
              RULE("r",
                   "evt.type = open") "  exceptions:\n    - name: e\n"
                                      "      fields: [proc.name]\n      values: []\n    - name: e\n"
                                      "      fields: [fd.name]\n      values: []\n");
    expect_ok(&l);
    assert_non_null(find(&l, "LOAD_EXCEPTION_NAME_NOT_UNIQUE", NULL));
    unload(&l);
}

/* ---- Append and override ------------------------------------------------------------------------ */

static void test_append_override(void **state)
{
    struct env *e = *state;
    struct loaded l;

    l = load1(e, "- rule: r\n  desc: one\n  condition: evt.type = open\n  output: a %proc.name\n"
                 "  priority: INFO\n  tags: [b, a]\n"
                 "- rule: r\n  desc: two\n  condition: and proc.name = cat\n  output: b\n"
                 "  tags: [c, a]\n  priority: ERROR\n  enabled: false\n"
                 "  override:\n    desc: append\n    condition: append\n    output: append\n"
                 "    tags: append\n    priority: replace\n    enabled: replace\n");
    expect_ok(&l);
    {
        const struct skr_rule *r = rule(&l, "r");
        assert_string_equal(skr_rule_condition(r), "(evt.type = open and proc.name = cat)");
        assert_string_equal(skr_rule_output(r), "a %proc.name b");
        assert_string_equal(skr_rule_desc(r), "one two");
        assert_int_equal(skr_rule_priority(r), 3);
        assert_int_equal(skr_rule_tag_count(r), 3);
        assert_string_equal(skr_rule_tag(r, 0), "a");
        assert_string_equal(skr_rule_tag(r, 2), "c");
        assert_false(skr_rule_enabled(r));
        assert_int_equal(skr_ruleset_rule_count(l.rs), 0);
    }
    unload(&l);

    /* redefinition replaces everything but keeps the rule's place */
    l = load1(e, RULE("first", "evt.type = open") RULE("second", "evt.type = close")
                         RULE("first", "evt.type = execve"));
    expect_ok(&l);
    assert_string_equal(skr_rule_name(skr_ruleset_rule(l.rs, 0)), "first");
    assert_string_equal(skr_rule_condition(skr_ruleset_rule(l.rs, 0)), "evt.type = execve");
    unload(&l);

    l = load1(e, "- rule: r\n  condition: and x\n  append: true\n");
    expect_error(&l, "LOAD_ERR_VALIDATE",
                 "Rule uses 'append' or 'override.<key>: append' but no rule by that name", 1, 3);
    unload(&l);
    l = load1(e, "- list: l\n  items: [a]\n  append: true\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "List uses 'append'", 1, 3);
    unload(&l);
    l = load1(e, RULE("r", "evt.type = open") "- rule: r\n  priority: INFO\n"
                                              "  override:\n    priority: append\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE",
                 "Key 'priority' cannot be appended to, use 'replace' instead", 9, 5);
    unload(&l);
    l = load1(e,
              RULE("r", "evt.type = open") "- rule: r\n  condition: and x.y = 1\n"
                                           "  append: true\n  override:\n    condition: append\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Keys 'override' and 'append: true' cannot", 6, 3);
    unload(&l);
    l = load1(e, RULE("r", "evt.type = open") "- rule: r\n  desc: x\n  priority: INFO\n"
                                              "  override:\n    desc: replace\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Unexpected key 'priority'", 8, 3);
    unload(&l);
    l = load1(e, RULE("r", "evt.type = open") "- rule: r\n  desc: x\n"
                                              "  override:\n    desc: swap\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Invalid override operation for key 'desc': 'swap'",
                 0, 0);
    unload(&l);
    l = load1(e, "- rule: r\n  desc: d\n  condition: ka.verb = get\n  output: o\n"
                 "  priority: INFO\n  source: k8s_audit\n"
                 "- rule: r\n  condition: and ka.verb = x\n  source: syscall\n  append: true\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "Rule has been re-defined with a different source", 7, 3);
    unload(&l);
}

/* ---- Enable / disable ------------------------------------------------------------------------------ */

static void test_enable_disable(void **state)
{
    struct env *e = *state;
    const char *p[2];
    struct loaded l;
    struct skr_rules_selection sel[3];

    p[0] = file(
            e, "base.yaml",
            RULE("a one", "evt.type = open") "  tags: [t1]\n" RULE(
                    "a two",
                    "evt.type = close") "  enabled: false\n"
                                        "- rule: b three\n  desc: d\n  condition: evt.type = execve\n  output: o\n"
                                        "  priority: DEBUG\n  tags: [t1, t2]\n");
    p[1] = file(e, "local.yaml", "- rule: a one\n  enabled: false\n");
    l = load_opts(e, p, 2, NULL, 0, 7, false);
    expect_ok(&l);
    assert_int_equal(skr_ruleset_rule_count(l.rs), 1);
    assert_string_equal(skr_rule_name(skr_ruleset_rule(l.rs, 0)), "b three");
    assert_non_null(find(&l, "LOAD_DEPRECATED_ITEM", "standalone 'enabled'"));
    unload(&l);

    /* minimum priority: less severe rules are left out, even when enabled */
    l = load_opts(e, p, 1, NULL, 0, 4, false);
    expect_ok(&l);
    assert_int_equal(skr_ruleset_rule_count(l.rs), 1);
    assert_string_equal(skr_rule_name(skr_ruleset_rule(l.rs, 0)), "a one");
    unload(&l);

    /* selections, in order; rules they enable go to the end */
    sel[0] = (struct skr_rules_selection){ .enable = false, .by_tag = true, .pattern = "t1" };
    sel[1] = (struct skr_rules_selection){ .enable = true, .by_tag = false, .pattern = "a *" };
    sel[2] = (struct skr_rules_selection){ .enable = true, .by_tag = true, .pattern = "t2" };
    l = load_opts(e, p, 1, sel, 3, 7, false);
    expect_ok(&l);
    assert_int_equal(skr_ruleset_rule_count(l.rs), 3);
    assert_string_equal(skr_rule_name(skr_ruleset_rule(l.rs, 0)), "a one");
    assert_string_equal(skr_rule_name(skr_ruleset_rule(l.rs, 1)), "a two");
    assert_string_equal(skr_rule_name(skr_ruleset_rule(l.rs, 2)), "b three");
    assert_int_equal(skr_rule_index(skr_ruleset_rule(l.rs, 2)), 2);
    unload(&l);

    l = load1(e, "- rule: nope\n  enabled: true\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "Rule has 'enabled' key but no rule by that name", 1, 3);
    unload(&l);
}

/* ---- Required versions --------------------------------------------------------------------------- */

static void test_required_versions(void **state)
{
    struct env *e = *state;
    struct loaded l;

    l = load1(e, "- required_engine_version: 0.26.0\n- required_engine_version: 15\n");
    expect_ok(&l);
    unload(&l);
    l = load1(e, "- required_engine_version: 0.99.0\n");
    expect_error(&l, "LOAD_ERR_VALIDATE",
                 "Rules require engine version 0.99.0, but engine version is", 1, 3);
    unload(&l);
    l = load1(e, "- required_engine_version: 1.0.0\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "Rules require engine version 1.0.0", 0, 0);
    unload(&l);
    l = load1(e, "\n- required_engine_version: seven\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Unable to parse engine version 'seven'", 2, 3);
    unload(&l);

    l = load1(e, "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.18.0\n");
    expect_ok(&l);
    unload(&l);
    l = load1(e, "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.19.0\n");
    expect_error(
            &l, "LOAD_ERR_VALIDATE",
            "Plugin 'k8saudit' version '0.18.2' is not compatible with required plugin version '0.19.0'",
            2, 5);
    unload(&l);
    l = load1(e, "- required_plugin_versions:\n  - name: k8saudit-eks\n    version: 0.1.0\n"
                 "    alternatives:\n      - name: k8saudit\n        version: 0.10.0\n");
    expect_ok(&l);
    unload(&l);
    l = load1(e, "- required_plugin_versions:\n  - name: json\n    version: 0.7.0\n"
                 "    alternatives:\n      - name: jsonx\n        version: 0.1.0\n");
    expect_error(
            &l, "LOAD_ERR_VALIDATE",
            "Plugin requirement not satisfied, must load one of: json (>= 0.7.0), jsonx (>= 0.1.0)",
            0, 0);
    unload(&l);
    l = load1(e, "- required_plugin_versions:\n  - name: a\n    version: 0.1.0\n"
                 "    alternatives:\n      - name: a\n        version: 0.2.0\n");
    expect_error(&l, "LOAD_ERR_VALIDATE", "Defined multiple alternative version requirements", 0,
                 0);
    unload(&l);
}

/* ---- Errors with their position ---------------------------------------------------------------- */

static void test_error_classes(void **state)
{
    struct env *e = *state;
    struct loaded l;

    l = load1(e, "- rule: r\n  desc: [unclosed\n");
    expect_error(&l, "LOAD_ERR_YAML_PARSE", "", 3, 1);
    unload(&l);
    l = load1(e, "rule: r\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Rules content is not yaml array of objects", 0, 0);
    unload(&l);
    l = load1(e, "- rule: r\n  desc: d\n  condition: evt.type = open\n  priority: INFO\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key 'output'", 1, 3);
    unload(&l);
    l = load1(e, "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n"
                 "  priority: LOUD\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Invalid priority", 5, 13);
    unload(&l);
    l = load1(e, "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n"
                 "  priority: INFO\n  enabled: maybe\n");
    expect_error(&l, "LOAD_ERR_YAML_VALIDATE", "Can't decode YAML scalar value", 6, 12);
    unload(&l);
    /* a parse error inside a block scalar, mapped to its line and column in the file */
    l = load1(e, "- rule: r\n  desc: d\n  condition: >\n    evt.type = open and\n"
                 "    proc.name = a=b\n  output: o\n  priority: INFO\n");
    expect_error(&l, "LOAD_ERR_COMPILE_CONDITION", "unexpected token after 'a'", 5, 18);
    unload(&l);
    l = load1(e, RULE("r", "evt.type = open and proc.nope = x"));
    expect_error(&l, "LOAD_ERR_COMPILE_CONDITION",
                 "filter_check called with nonexistent field proc.nope", 3, 34);
    unload(&l);
    l = load1(e, RULE("r", "evt.type = OPEN"));
    expect_error(&l, "LOAD_ERR_COMPILE_CONDITION", "unknown event type OPEN", 3, 25);
    unload(&l);
    l = load1(e, "- rule: r\n  desc: d\n  condition: evt.type = open\n"
                 "  output: \"user=%user.name file=%fd.nope\"\n  priority: INFO\n");
    expect_error(&l, "LOAD_ERR_COMPILE_OUTPUT", "nonexistent field fd.nope", 4, 33);
    unload(&l);
    l = load1(e, "- macro: m\n  condition: proc.nope = x\n" RULE("r", "evt.type = open and m"));
    /* inside a macro: reported where the rule references the macro */
    expect_error(&l, "LOAD_ERR_COMPILE_CONDITION", "nonexistent field proc.nope", 5, 34);
    unload(&l);
    /* skip-if-unknown-filter turns unknown fields into a warning and drops the rule */
    l = load1(
            e,
            RULE("r", "evt.type = open and proc.nope = x") "  skip-if-unknown-filter: true\n" RULE(
                    "s", "evt.type = open"));
    expect_ok(&l);
    assert_non_null(find(&l, "LOAD_UNKNOWN_FILTER", "nonexistent field"));
    assert_int_equal(skr_ruleset_compiled_count(l.rs), 1);
    unload(&l);
    /* warnings that keep the load */
    l = load1(e, "- rule: r\n  desc: d\n  condition: proc.name = x\n  output: o\n"
                 "  priority: INFO\n  typo: 1\n- other: 1\n"
                 "- rule: k\n  desc: d\n  condition: ka.verb = get\n  output: o\n"
                 "  priority: INFO\n  source: nowhere\n");
    expect_ok(&l);
    assert_non_null(find(&l, "LOAD_NO_EVTTYPE", NULL));
    assert_non_null(find(&l, "LOAD_UNKNOWN_KEY", "Unknown key 'typo'"));
    assert_non_null(find(&l, "LOAD_UNKNOWN_ITEM", NULL));
    assert_non_null(find(&l, "LOAD_UNKNOWN_SOURCE", "Unknown source nowhere, skipping"));
    unload(&l);
    {
        const char *missing = "/nonexistent/saker/rules.yaml";
        l = load_opts(e, &missing, 1, NULL, 0, 7, false);
        expect_error(&l, "LOAD_ERR_FILE_READ", "No such file or directory", 0, 0);
        unload(&l);
    }
}

/* ---- Index, evaluation, matching order ------------------------------------------------------- */

struct vals {
    const char *type;
    const char *name;
};

static int extract(void *user,
                   const struct skr_extract_req *req,
                   const struct skr_value **vals,
                   uint32_t *n)
{
    static struct skr_value v[2];
    const struct vals *ev = user;

    /* field ids follow the fields array: 0 evt.type, 2 proc.name */
    if (req->field_id == 0) {
        v[0].p = (const uint8_t *)ev->type;
        v[0].len = (uint32_t)strlen(ev->type);
    } else if (req->field_id == 2) {
        v[1].p = (const uint8_t *)ev->name;
        v[1].len = (uint32_t)strlen(ev->name);
        *vals = &v[1];
        *n = 1;
        return 0;
    } else {
        return -2;
    }
    *vals = v;
    *n = 1;
    return 0;
}

static bool collect(void *user, const struct skr_rule *r)
{
    struct skr_strbuf *b = user;

    skr_strbuf_printf(b, "%s;", skr_rule_name(r));
    return true;
}

static void test_index_eval(void **state)
{
    struct env *e = *state;
    const char *p;
    struct loaded l;
    struct skr_eval_ctx *ctx = skr_eval_ctx_new();
    struct skr_strbuf b;
    struct vals ev = { "open", "cat" };
    uint8_t *bitmap = calloc(65536 / 8, 1);
    bool all = true;

    assert_non_null(ctx);
    assert_non_null(bitmap);
    skr_strbuf_init(&b);
    p = file(
            e, "idx.yaml",
            RULE("opens", "evt.type in (open, openat)") RULE(
                    "cats",
                    "proc.name = cat and not evt.type = close") RULE("closes",
                                                                     "evt.type = close and proc.name = cat")
                    RULE("never", "evt.type = open and evt.type = close") "- macro: never_true\n  condition: (evt.num=0)\n" RULE(
                            "anchored", "evt.type = open and not never_true"));
    l = load_opts(e, &p, 1, NULL, 0, 7, true);
    expect_ok(&l);
    assert_non_null(find(&l, "LOAD_NO_EVTTYPE", NULL)); /* "cats" */
    assert_int_equal(skr_ruleset_rule_count(l.rs), 5);

    skr_ruleset_event_codes(l.rs, 0, bitmap, &all);
    assert_false(all);
    assert_true(bitmap[3 / 8] & (1 << (3 % 8)));
    assert_true(bitmap[307 / 8] & (1 << (307 % 8)));
    assert_true(bitmap[600 / 8] & (1 << (600 % 8))); /* "cats" matches every other code */
    {
        const char *const *names = skr_ruleset_event_names(l.rs, 0);
        int n = 0;
        while (names[n] != NULL) {
            n++;
        }
        assert_int_equal(n, 3); /* open, openat, close: the names checked positively */
    }

    /* match all: every matching rule, in rule order */
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 3, extract, &ev, collect, &b), 3);
    assert_string_equal(b.p, "opens;cats;anchored;");
    skr_strbuf_reset(&b);
    ev.type = "close";
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 5, extract, &ev, collect, &b), 1);
    assert_string_equal(b.p, "closes;");
    skr_strbuf_reset(&b);
    /* an event code no rule names reaches only the rules of every code */
    ev.type = "ev1";
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 501, extract, &ev, collect, &b), 1);
    assert_string_equal(b.p, "cats;");
    skr_strbuf_reset(&b);
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 60000, extract, &ev, collect, &b), 1);
    skr_strbuf_reset(&b);
    /* other sources have their own rules */
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 1, 322, extract, &ev, collect, &b), 0);
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 9, 3, extract, &ev, collect, &b), -22);
    assert_int_equal(skr_rule_match_count(skr_ruleset_rule(l.rs, 1)), 3);
    unload(&l);

    /* first match (the default) stops at the first rule */
    l = load_opts(e, &p, 1, NULL, 0, 7, false);
    expect_ok(&l);
    ev.type = "open";
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 2, extract, &ev, collect, &b), 1);
    assert_string_equal(b.p, "opens;");
    /* a ruleset outlives its load while referenced (hot reload swaps references) */
    {
        struct skr_ruleset *keep = skr_ruleset_ref(l.rs);
        unload(&l);
        skr_strbuf_reset(&b);
        assert_int_equal(skr_ruleset_eval(keep, ctx, 0, 2, extract, &ev, collect, &b), 1);
        skr_ruleset_unref(keep);
    }
    skr_strbuf_fini(&b);
    skr_eval_ctx_free(ctx);
    free(bitmap);
}

/* evt.type tests decided by the event code, and macro bodies shared between rules: the same
 * matches as extracting evt.type, without extracting it, except for a code that stands for
 * several names (mmap and munmap share code 1 here, as generic syscall events do). */
static unsigned type_extracts;
static unsigned container_extracts;
static unsigned num_extracts;

static int counting_extract(void *user,
                            const struct skr_extract_req *req,
                            const struct skr_value **vals,
                            uint32_t *n)
{
    static struct skr_value num = { .u64 = 7 };

    if (req->field_id == 0) {
        type_extracts++;
    }
    if (req->field_id == 8) {
        container_extracts++; /* missing: != fails */
    }
    if (req->field_id == 1) {
        num_extracts++; /* evt.num is 7 */
        *vals = &num;
        *n = 1;
        return 0;
    }
    return extract(user, req, vals, n);
}

static void test_type_codes_and_shared_macros(void **state)
{
    struct env *e = *state;
    const char *p;
    struct loaded l;
    struct skr_eval_ctx *ctx = skr_eval_ctx_new();
    struct skr_strbuf b;
    struct vals ev = { "open", "cat" };
    static const struct {
        const char *type;
        uint16_t code;
        const char *want;
        unsigned type_extracts;
    } cases[] = {
        { "open", 2, "a;b;", 0 }, { "openat", 307, "a;", 0 }, { "close", 4, "n;", 0 },
        { "mmap", 1, "g;n;", 1 }, { "munmap", 1, "n;", 1 },
    };

    assert_non_null(ctx);
    skr_strbuf_init(&b);
    p = file(
            e, "codes.yaml",
            "- macro: opener\n  condition: evt.type in (open, openat) and proc.name = cat\n"
            "- macro: mapper\n  condition: evt.type = mmap\n" RULE("a", "opener and proc.name != x")
                    RULE("b", "evt.type = open and opener") RULE("g", "mapper and proc.name = cat")
                            RULE("n", "evt.type != open and evt.type != openat "
                                      "and proc.name = cat")
                                    RULE("c", "evt.type = open and container.id != host "
                                              "and proc.name = cat"));
    l = load_opts(e, &p, 1, NULL, 0, 7, true);
    expect_ok(&l);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* twice: the second evaluation must not see the first one's kept results */
        for (int round = 0; round < 2; round++) {
            ev.type = cases[i].type;
            type_extracts = 0;
            skr_strbuf_reset(&b);
            assert_true(skr_ruleset_eval(l.rs, ctx, 0, cases[i].code, counting_extract, &ev,
                                         collect, &b) >= 0);
            if (strcmp(b.p, cases[i].want) != 0 || type_extracts != cases[i].type_extracts) {
                fail_msg("%s (code %u): matched %s with %u evt.type extractions, want %s with %u",
                         cases[i].type, cases[i].code, b.p, type_extracts, cases[i].want,
                         cases[i].type_extracts);
            }
        }
    }
    /* a different process name changes the shared macro's result from one event to the next;
     * the costly container.id is not extracted when proc.name decides first */
    ev.type = "open";
    ev.name = "dog";
    skr_strbuf_reset(&b);
    container_extracts = 0;
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 2, counting_extract, &ev, collect, &b), 0);
    assert_int_equal(container_extracts, 0);
    ev.name = "cat";
    skr_strbuf_reset(&b);
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 2, counting_extract, &ev, collect, &b), 2);
    unload(&l);
    skr_strbuf_fini(&b);
    skr_eval_ctx_free(ctx);
}

/* In an "and", a string compared to constants goes before operands that hold for most
 * events (numbers, negations, single characters): the same matches, fewer extractions. */
static void test_selective_first(void **state)
{
    struct env *e = *state;
    const char *p;
    struct loaded l;
    struct skr_eval_ctx *ctx = skr_eval_ctx_new();
    struct skr_strbuf b;
    struct vals ev = { "open", "dog" };

    assert_non_null(ctx);
    skr_strbuf_init(&b);
    p = file(e, "selective.yaml",
             "- macro: numbered\n  condition: evt.num > 5 and proc.name != x\n" RULE(
                     "s", "evt.type = open and numbered and proc.name startswith ca"));
    l = load_opts(e, &p, 1, NULL, 0, 7, true);
    expect_ok(&l);
    /* dog: proc.name decides without evt.num */
    num_extracts = 0;
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 2, counting_extract, &ev, collect, &b), 0);
    assert_int_equal(num_extracts, 0);
    ev.name = "cat";
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 2, counting_extract, &ev, collect, &b), 1);
    assert_string_equal(b.p, "s;");
    assert_int_equal(num_extracts, 1);
    unload(&l);

    /* one character compared: no reason to think it rare, the order stays */
    p = file(e, "selective.yaml", RULE("t", "evt.type = open and evt.num > 5 and proc.name = c"));
    l = load_opts(e, &p, 1, NULL, 0, 7, true);
    expect_ok(&l);
    ev.name = "dog";
    num_extracts = 0;
    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 2, counting_extract, &ev, collect, &b), 0);
    assert_int_equal(num_extracts, 1);
    unload(&l);
    skr_strbuf_fini(&b);
    skr_eval_ctx_free(ctx);
}

/* ---- Source prefilters ------------------------------------------------------------------------ */

static uint32_t field_id_of(struct env *e, const char *name)
{
    for (uint32_t id = 0;; id++) {
        const struct skr_field_desc *d = skr_test_host_field(e->th, id);
        if (d == NULL) {
            fail_msg("no field %s", name);
        }
        if (strcmp(d->name, name) == 0) {
            return id;
        }
    }
}

static void expect_atom(const struct skr_pf_clause *c,
                        uint32_t i,
                        uint32_t field,
                        uint32_t op,
                        const char *val)
{
    assert_true(i < c->natoms);
    assert_int_equal(c->atoms[i].field, field);
    assert_int_equal(c->atoms[i].op, op);
    assert_int_equal(c->atoms[i].len, strlen(val));
    assert_memory_equal(c->atoms[i].val, val, strlen(val));
}

static void test_prefilter(void **state)
{
    struct env *e = *state;
    uint32_t ids[2] = { field_id_of(e, "fd.name"), field_id_of(e, "fd.directory") };
    struct skr_arena arena;
    struct skr_pf_code pc;
    const struct skr_pf_rule *r;
    const char *p;
    struct loaded l;

    skr_arena_init(&arena, 0);
    p = file(
            e, "prefilter.yaml",
            "- macro: sensitive\n"
            "  condition: fd.name startswith /etc and (fd.name in (/etc/shadow, /etc/sudoers)\n"
            "             or fd.directory = /etc/pam.d)\n" RULE(
                    "a", "evt.type = open and sensitive and not proc.name = cat")
                    RULE("b", "evt.type = open and proc.name = x") RULE(
                            "c", "evt.type = openat and (fd.name endswith .pem or "
                                 "fd.name glob '/home/*/.ssh/*' or not fd.name pmatch (/tmp))")
                            RULE("d",
                                 "evt.type = openat and (fd.name contains '../' or "
                                 "fd.directory startswith /var) and (fd.name = /a or fd.name = /b)")
                                    RULE("e", "evt.type = execve and proc.name = sh") RULE(
                                            "f",
                                            "evt.type = openat and tolower(fd.name) = /x and fd.name != /y and "
                                            "proc.name = z"));
    l = load_opts(e, &p, 1, NULL, 0, 7, true);
    expect_ok(&l);

    /* open: a (two clauses; the negation adds none), then b (none) */
    assert_int_equal(skr_ruleset_prefilter(l.rs, 0, 3, ids, 2, &arena, &pc), 0);
    assert_int_equal(pc.nrules, 2);
    r = &pc.rules[0];
    assert_int_equal(r->nclauses, 2);
    assert_int_equal(r->clauses[0].natoms, 1);
    expect_atom(&r->clauses[0], 0, 0, SKR_PF_PREFIX, "/etc");
    assert_int_equal(r->clauses[1].natoms, 3);
    expect_atom(&r->clauses[1], 0, 0, SKR_PF_EQ, "/etc/shadow");
    expect_atom(&r->clauses[1], 1, 0, SKR_PF_EQ, "/etc/sudoers");
    expect_atom(&r->clauses[1], 2, 1, SKR_PF_EQ, "/etc/pam.d");
    assert_int_equal(pc.rules[1].nclauses, 0);
    assert_true(pc.rules[0].reads[0] && pc.rules[0].reads[1]);
    assert_true(!pc.rules[1].reads[0] && !pc.rules[1].reads[1]);

    /* openat: c has a negation among its alternatives (no clause); d is the product of its
     * two "or"s; f compares a transformed value and uses != (no clause) */
    assert_int_equal(skr_ruleset_prefilter(l.rs, 0, 307, ids, 2, &arena, &pc), 0);
    assert_int_equal(pc.nrules, 3);
    assert_int_equal(pc.rules[0].nclauses, 0);
    r = &pc.rules[1];
    assert_int_equal(r->nclauses, 2);
    assert_int_equal(r->clauses[0].natoms, 2);
    expect_atom(&r->clauses[0], 0, 0, SKR_PF_CONTAINS, "../");
    expect_atom(&r->clauses[0], 1, 1, SKR_PF_PREFIX, "/var");
    assert_int_equal(r->clauses[1].natoms, 2);
    expect_atom(&r->clauses[1], 0, 0, SKR_PF_EQ, "/a");
    expect_atom(&r->clauses[1], 1, 0, SKR_PF_EQ, "/b");
    assert_int_equal(pc.rules[2].nclauses, 0);

    /* execve: reads neither field */
    assert_int_equal(skr_ruleset_prefilter(l.rs, 0, 293, ids, 2, &arena, &pc), 0);
    assert_int_equal(pc.nrules, 1);
    assert_int_equal(pc.rules[0].nclauses, 0);
    assert_false(pc.rules[0].reads[0] || pc.rules[0].reads[1]);
    unload(&l);

    /* a product too big keeps some clauses, each still implied; an output field counts as read */
    p = file(
            e, "prefilter.yaml",
            RULE("g",
                 "evt.type = execve and (fd.name = /a and fd.name = /b and fd.name = /c "
                 "and fd.name = /d and fd.name = /e and fd.name = /f or fd.name = /g and "
                 "fd.name = /h and fd.name = /i and fd.name = /j and fd.name = /k and "
                 "fd.name = /l)") "- rule: h\n  desc: d\n  condition: evt.type = open and proc.name = a\n"
                                  "  output: o %fd.directory\n  priority: WARNING\n");
    l = load_opts(e, &p, 1, NULL, 0, 7, true);
    expect_ok(&l);
    assert_int_equal(skr_ruleset_prefilter(l.rs, 0, 293, ids, 2, &arena, &pc), 0);
    assert_int_equal(pc.nrules, 1);
    assert_int_equal(pc.rules[0].nclauses, 32);
    for (uint32_t i = 0; i < 32; i++) {
        const struct skr_pf_clause *c = &pc.rules[0].clauses[i];
        assert_int_equal(c->natoms, 2);
        assert_true(c->atoms[0].val[1] <= 'f' && c->atoms[1].val[1] >= 'g');
    }
    assert_true(pc.rules[0].reads[0] && !pc.rules[0].reads[1]);
    assert_int_equal(skr_ruleset_prefilter(l.rs, 0, 3, ids, 2, &arena, &pc), 0);
    assert_int_equal(pc.nrules, 1);
    assert_int_equal(pc.rules[0].nclauses, 0);
    assert_true(!pc.rules[0].reads[0] && pc.rules[0].reads[1]);
    unload(&l);
    skr_arena_fini(&arena);
}

/* ---- append_output ---------------------------------------------------------------------------- */

static struct loaded load_append(struct env *e,
                                 const char *content,
                                 const struct skr_append_output *ao,
                                 size_t n)
{
    const char *p = file(e, "append.yaml", content);
    struct skr_rules_load_opts o;
    struct loaded l;

    memset(&o, 0, sizeof(o));
    o.paths = &p;
    o.num_paths = 1;
    o.sources = default_sources;
    o.num_sources = 2;
    o.min_priority = 7;
    o.match_all = true;
    o.host = skr_test_host_get(e->th);
    o.append_output = ao;
    o.num_append_output = n;
    l.d = skr_diags_new();
    assert_non_null(l.d);
    l.rc = skr_rules_load(&o, &l.rs, l.d);
    return l;
}

static void test_append_output(void **state)
{
    struct env *e = *state;
    static const char *const tags_ab[] = { "a", "b" };
    static const char *const f_user[] = { "user.name" };
    static const char *const f_named[] = { "/root", "%proc.name!", "late" };
    static const char *const n_named[] = { "home", "who", "home" };
    static const char *const f_dup[] = { "proc.name", "toupper(proc.name)" };
    static const char *const f_bad[] = { "nope.x" };
    const struct skr_append_output ao[] = {
        { "syscall", NULL, NULL, 0, "on %evt.type", f_user, NULL, 1 },
        { NULL, NULL, tags_ab, 2, "tagged", f_named, n_named, 2 },
        { "", "r2", NULL, 0, NULL, f_dup, NULL, 2 },
        { "k8s_audit", NULL, NULL, 0, "verb=%ka.verb", NULL, NULL, 0 },
        { NULL, "r1", NULL, 0, "", f_named + 2, n_named + 2, 1 },
    };
    const char *rules =
            "- rule: r1\n  desc: d\n  condition: evt.type = open\n  output: o %proc.name\n"
            "  priority: WARNING\n  tags: [b, a, c]\n"
            "- rule: r2\n  desc: d\n  condition: evt.type = open and proc.name = cat\n"
            "  output: two %proc.name\n  priority: WARNING\n  tags: [a]\n"
            "- rule: k\n  desc: d\n  condition: ka.verb = get\n  output: k\n"
            "  priority: WARNING\n  source: k8s_audit\n";
    struct loaded l;
    struct skr_eval_ctx *ctx = skr_eval_ctx_new();
    struct skr_strbuf b;
    struct vals ev = { "open", "cat" };
    const struct skr_out_field *flds = NULL;
    size_t nflds = 0;

    assert_non_null(ctx);
    skr_strbuf_init(&b);
    l = load_append(e, rules, ao, sizeof(ao) / sizeof(ao[0]));
    expect_ok(&l);
    assert_string_equal(skr_rule_output(rule(&l, "r1")), "o %proc.name on %evt.type tagged");
    assert_string_equal(skr_rule_output(rule(&l, "r2")), "two %proc.name on %evt.type");
    assert_string_equal(skr_rule_output(rule(&l, "k")), "k verb=%ka.verb");

    assert_int_equal(skr_ruleset_eval(l.rs, ctx, 0, 3, extract, &ev, collect, &b), 2);
    skr_strbuf_reset(&b);
    assert_int_equal(skr_rule_render(rule(&l, "r1"), ctx, extract, &ev, &b, &flds, &nflds), 0);
    assert_string_equal(b.p, "o cat on open tagged");
    /* text fields, then the bare extra fields, then the named ones (a later name wins) */
    assert_int_equal(nflds, 5);
    assert_string_equal(flds[0].name, "proc.name");
    assert_string_equal(flds[1].name, "evt.type");
    assert_string_equal(flds[2].name, "user.name");
    assert_int_equal(flds[2].nvals, 0);
    assert_string_equal(flds[3].name, "home");
    assert_int_equal(flds[3].type, SKR_FT_STRING);
    assert_int_equal(flds[3].nvals, 1);
    assert_string_equal((const char *)flds[3].vals[0].p, "late");
    assert_string_equal(flds[4].name, "who");
    assert_string_equal((const char *)flds[4].vals[0].p, "cat!");

    skr_strbuf_reset(&b);
    assert_int_equal(skr_rule_render(rule(&l, "r2"), ctx, extract, &ev, &b, &flds, &nflds), 0);
    assert_string_equal(b.p, "two cat on open");
    assert_int_equal(nflds, 4); /* proc.name once */
    assert_string_equal(flds[2].name, "user.name");
    assert_string_equal(flds[3].name, "toupper(proc.name)");
    assert_string_equal((const char *)flds[3].vals[0].p, "CAT");
    unload(&l);

    /* an extra field that does not compile fails the load */
    {
        const struct skr_append_output bad = { NULL, "r2", NULL, 0, NULL, f_bad, NULL, 1 };
        l = load_append(e, rules, &bad, 1);
        assert_int_not_equal(l.rc, 0);
        assert_non_null(find(&l, NULL, "nope.x"));
        unload(&l);
    }
    /* so does extra output that does not */
    {
        const struct skr_append_output bad = { NULL, NULL, NULL, 0, "%nope.y", NULL, NULL, 0 };
        l = load_append(e, rules, &bad, 1);
        assert_int_not_equal(l.rc, 0);
        assert_non_null(find(&l, "LOAD_ERR_COMPILE_OUTPUT", NULL));
        unload(&l);
    }
    skr_strbuf_fini(&b);
    skr_eval_ctx_free(ctx);
}

/* ---- Diagnostics formats ---------------------------------------------------------------------- */

static void test_diags_format(void **state)
{
    struct env *e = *state;
    struct loaded l;
    struct skr_strbuf b;
    const struct skr_diag *g;

    l = load1(e, RULE("r", "evt.type = open and (proc.name = a"));
    skr_strbuf_init(&b);
    skr_diags_format(l.d, false, &b);
    g = find(&l, "LOAD_ERR_COMPILE_CONDITION", NULL);
    assert_non_null(g);
    assert_non_null(strstr(b.p, "rules.yaml:3:48: error LOAD_ERR_COMPILE_CONDITION: rule 'r': "
                                "expected a ')' token\n"));
    assert_non_null(g->snippet);
    assert_non_null(strstr(g->snippet, "^"));
    skr_strbuf_reset(&b);
    skr_diags_format(l.d, true, &b);
    assert_non_null(strstr(b.p, "{\"falco_load_results\":[{\"name\":"));
    assert_non_null(strstr(b.p, "\"successful\":false"));
    assert_non_null(strstr(b.p, "\"item_type\":\"condition expression\""));
    assert_non_null(strstr(b.p, "\"codedesc\":\"Error compiling condition\""));
    skr_strbuf_fini(&b);
    assert_int_equal(skr_diags_errors(l.d), 1);
    unload(&l);
}

/* ---- Folders --------------------------------------------------------------------------------- */

static void test_folders(void **state)
{
    struct env *e = *state;
    char sub[128];
    char path[192];
    const char *p = sub;
    struct loaded l;
    FILE *f;

    snprintf(sub, sizeof(sub), "%s/rules.d", e->dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof(path), "%s/20-b.yaml", sub);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("- macro: m\n  condition: proc.name = x\n" RULE("b", "evt.type = open and m"), f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/10-a.yml", sub);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(RULE("a", "evt.type = close"), f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/notes.txt", sub);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("not rules", f);
    fclose(f);
    l = load_opts(e, &p, 1, NULL, 0, 7, false);
    expect_ok(&l);
    assert_int_equal(skr_ruleset_rule_count(l.rs), 2);
    assert_string_equal(skr_rule_name(skr_ruleset_rule(l.rs, 0)), "a");
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_macros),
        cmocka_unit_test(test_exceptions),
        cmocka_unit_test(test_append_override),
        cmocka_unit_test(test_enable_disable),
        cmocka_unit_test(test_required_versions),
        cmocka_unit_test(test_error_classes),
        cmocka_unit_test(test_index_eval),
        cmocka_unit_test(test_diags_format),
        cmocka_unit_test(test_type_codes_and_shared_macros),
        cmocka_unit_test(test_selective_first),
        cmocka_unit_test(test_prefilter),
        cmocka_unit_test(test_folders),
        cmocka_unit_test(test_append_output),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
