/* SPDX-License-Identifier: Apache-2.0 */
/* Test files: what a valid file reads as, and every mistake with its position. */
#include <errno.h>
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

#include "ruletest/ruletest_int.h"

static char dir[64];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/saker-ruletest-spec-%d", (int)getpid());
    mkdir(dir, 0700);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    if (getenv("SAKER_KEEP_TEST_FILES") == NULL) {
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0) {
            return -1;
        }
    }
    return 0;
}

static void valid_file(void **state)
{
    const char *p = write_tmp("ok.yaml", "rules_files: [../rules.yaml, /abs/more.yaml]\n"
                                         "options: [priority=debug]\n"
                                         "prelude: . ./lib.sh\n"
                                         "cases:\n"
                                         "  - name: fires\n"
                                         "    capture: &c caps/one.cap.gz\n"
                                         "    live: cat /etc/shadow\n"
                                         "    timeout: 5\n"
                                         "    expect:\n"
                                         "      fire:\n"
                                         "        - Rule A\n"
                                         "        - {rule: 'Rule B*', output: x=1, priority: "
                                         "Warning, count: 2}\n"
                                         "  - name: quiet\n"
                                         "    capture: *c\n"
                                         "    scope: {field: ka.user.name, value: alice}\n"
                                         "    expect: {no_fire: ['*']}\n"
                                         "  - name: plain\n"
                                         "    capture: caps/two.cap\n"
                                         "    expect: {fire: [Rule A]}\n");
    struct skr_rt_file *f = NULL;
    struct skr_err err;
    char want[256];

    (void)state;
    assert_int_equal(skr_rt_file_load(p, &f, &err), 0);
    assert_non_null(f);
    assert_string_equal(f->dir, dir);
    assert_int_equal(f->nrules_files, 2);
    snprintf(want, sizeof(want), "%s/../rules.yaml", dir);
    assert_string_equal(f->rules_files[0], want);
    assert_string_equal(f->rules_files[1], "/abs/more.yaml");
    assert_int_equal(f->noptions, 1);
    assert_string_equal(f->prelude, ". ./lib.sh");
    assert_int_equal(f->ncases, 3);
    /* a case with a snippet is scoped to its process tree by default */
    assert_string_equal(f->cases[0].name, "fires");
    assert_int_equal(f->cases[0].scope, SKR_RT_SCOPE_TREE);
    assert_int_equal(f->cases[0].timeout_s, 5);
    assert_string_equal(f->cases[0].capture_rel, "caps/one.cap.gz");
    snprintf(want, sizeof(want), "%s/caps/one.cap.gz", dir);
    assert_string_equal(f->cases[0].capture, want);
    assert_int_equal(f->cases[0].nfire, 2);
    assert_string_equal(f->cases[0].fire[0].rule, "Rule A");
    assert_int_equal(f->cases[0].fire[0].min_count, 1);
    assert_string_equal(f->cases[0].fire[1].rule, "Rule B*");
    assert_string_equal(f->cases[0].fire[1].output, "x=1");
    assert_string_equal(f->cases[0].fire[1].priority, "Warning");
    assert_int_equal(f->cases[0].fire[1].min_count, 2);
    assert_int_equal(f->cases[0].fire[1].line, 12);
    /* YAML aliases work; an explicit field scope */
    assert_string_equal(f->cases[1].capture, want);
    assert_int_equal(f->cases[1].scope, SKR_RT_SCOPE_FIELD);
    assert_string_equal(f->cases[1].scope_field, "ka.user.name");
    assert_string_equal(f->cases[1].scope_value, "alice");
    assert_int_equal(f->cases[1].nno_fire, 1);
    /* a capture-only case sees every alert of its capture */
    assert_int_equal(f->cases[2].scope, SKR_RT_SCOPE_ALL);
    assert_null(f->cases[2].live);
    assert_int_equal(f->cases[2].timeout_s, 30);
    skr_rt_file_free(f);
}

struct bad_case {
    const char *text;
    unsigned line, col;
    const char *msg;
};

static void errors_with_positions(void **state)
{
    static const struct bad_case cases[] = {
        { "- a\n", 1, 1, "is a map with rules_files and cases" },
        { "rules_files: [r.yaml]\ncases: []\n", 2, 8, "non-empty list of cases" },
        { "cases:\n  - name: a\n    live: x\n    expect: {fire: [R]}\n", 1, 1,
          "needs rules_files" },
        { "rules_files: [r.yaml]\nfoo: 1\ncases: []\n", 2, 1, "unknown key 'foo'" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    expect: {fire: [R]}\n", 3, 5,
          "needs a capture file" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    live: x\n", 3, 5, "needs 'expect'" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    live: x\n    expect: {}\n", 5, 13,
          "expects nothing" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    live: x\n    expect: {fire: R}\n", 5, 20,
          "must be a list of rule names" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    live: x\n    scope: mine\n"
          "    expect: {fire: [R]}\n",
          5, 12, "scope must be tree, all" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    live: x\n    timeout: 0\n"
          "    expect: {fire: [R]}\n",
          5, 14, "between 1 and 3600" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    live: x\n"
          "    expect: {fire: [{rule: R, count: -1}]}\n",
          5, 38, "whole number" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    live: x\n"
          "    expect: {no_fire: [{rule: R, count: 2}]}\n",
          5, 34, "unknown key 'count' in expect.no_fire" },
        { "rules_files: [r.yaml]\ncases:\n  - name: a\n    live: x\n    expect: {fire: [R]}\n"
          "  - name: a\n    live: y\n    expect: {fire: [R]}\n",
          6, 5, "used twice" },
        { "rules_files: [r.yaml]\noptions: [priority]\ncases: []\n", 2, 10, "key=value" },
        { "rules_files: [r.yaml]\ncases:\n  - name: 'a\"b'\n    live: x\n"
          "    expect: {fire: [R]}\n",
          3, 11, "must not be empty" },
        { "rules_files: [r.yaml\n", 2, 1, "" },
    };
    char name[32];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct skr_rt_file *f = NULL;
        struct skr_err err;
        const char *p;
        snprintf(name, sizeof(name), "bad%zu.yaml", i);
        p = write_tmp(name, cases[i].text);
        if (skr_rt_file_load(p, &f, &err) == 0) {
            fail_msg("case %zu loaded", i);
        }
        assert_null(f);
        if (strstr(err.msg, cases[i].msg) == NULL || err.line != cases[i].line ||
            (cases[i].msg[0] != '\0' && err.col != cases[i].col)) {
            fail_msg("case %zu: got %u:%u '%s', want %u:%u '%s'", i, err.line, err.col, err.msg,
                     cases[i].line, cases[i].col, cases[i].msg);
        }
        assert_string_equal(err.file, p);
    }
}

static void missing_and_empty_files(void **state)
{
    struct skr_rt_file *f = NULL;
    struct skr_err err;
    const char *p;

    (void)state;
    assert_int_equal(skr_rt_file_load("/nonexistent/t.yaml", &f, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "cannot open"));
    p = write_tmp("empty.yaml", "");
    assert_int_equal(skr_rt_file_load(p, &f, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(err.line, 1);
}

static void rule_names(void **state)
{
    const char *r1 = write_tmp("r1.yaml", "- list: l\n  items: [a]\n"
                                          "- rule: First Rule\n  condition: evt.num > 0\n"
                                          "- rule: K8s Rule\n  source: k8s_audit\n"
                                          "- rule: First Rule\n  enabled: false\n");
    char rdir[128], p2[160];
    const char *paths[2];
    struct skr_rt_rule_names names = { 0 };
    struct skr_err err;
    FILE *f;

    (void)state;
    snprintf(rdir, sizeof(rdir), "%s/rules.d", dir);
    mkdir(rdir, 0700);
    snprintf(p2, sizeof(p2), "%s/b.yaml", rdir);
    f = fopen(p2, "w");
    assert_non_null(f);
    fputs("- rule: From Folder\n", f);
    fclose(f);
    snprintf(p2, sizeof(p2), "%s/ignored.txt", rdir);
    f = fopen(p2, "w");
    assert_non_null(f);
    fputs("- rule: Not Read\n", f);
    fclose(f);
    paths[0] = r1;
    paths[1] = rdir;
    assert_int_equal(skr_rt_rule_names_scan(paths, 2, &names, &err), 0);
    assert_int_equal(names.n, 3);
    assert_string_equal(names.v[0].name, "First Rule");
    assert_string_equal(names.v[0].source, "syscall");
    assert_string_equal(names.v[1].source, "k8s_audit");
    assert_string_equal(names.v[2].name, "From Folder");
    assert_true(skr_rt_rule_names_match(&names, "First*"));
    assert_true(skr_rt_rule_names_match(&names, "*"));
    assert_false(skr_rt_rule_names_match(&names, "Not Read"));
    skr_rt_rule_names_fini(&names);
    paths[0] = "/nonexistent/rules.yaml";
    assert_true(skr_rt_rule_names_scan(paths, 1, &names, &err) < 0);
    assert_non_null(strstr(err.msg, "/nonexistent/rules.yaml"));
    skr_rt_rule_names_fini(&names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_file),
        cmocka_unit_test(errors_with_positions),
        cmocka_unit_test(missing_and_empty_files),
        cmocka_unit_test(rule_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
