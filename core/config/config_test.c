/* SPDX-License-Identifier: Apache-2.0 */
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

#include "config/config.h"
#include "util/log.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/saker-config-test-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        return -1;
    }
    skr_log_set_level(SKR_LOG_ERR);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[4][512];
    static int slot;
    char *p = path[slot++ % 4];
    FILE *f;

    snprintf(p, 512, "%s/%s", tmpdir, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static int load_text(const char *text,
                     const char *const *ovs,
                     size_t nov,
                     struct skr_cfg **c,
                     struct skr_err *err)
{
    struct skr_config_input in = {
        .text = text,
        .text_len = strlen(text),
        .text_name = "test.yaml",
        .overrides = ovs,
        .num_overrides = nov,
    };
    skr_err_clear(err);
    return skr_config_load(&in, c, err);
}

static void defaults_apply(void **state)
{
    struct skr_cfg *c = NULL;
    struct skr_err err;

    (void)state;
    assert_int_equal(load_text("", NULL, 0, &c, &err), 0);
    assert_false(c->v.output.json_output);
    assert_true(c->v.output.json_include_output_property);
    assert_true(c->v.output.stdout_enabled);
    assert_int_equal(c->v.priority, 7);
    assert_int_equal(c->v.log_level, SKR_LOG_INFO);
    assert_int_equal(c->v.num_plugins, 2);
    assert_string_equal(c->v.plugins[0].name, "syscall");
    assert_string_equal(c->v.plugins[1].library_path, "libcontainer.so");
    assert_string_equal(c->v.plugins[0].library_path, "libsyscall.so");
    assert_int_equal(c->v.load_plugins.n, 0);
    assert_int_equal(c->v.rules_files.n, 1);
    assert_int_equal(c->v.metrics.interval_ms, 3600000);
    assert_int_equal(c->v.drops.actions, SKR_DROP_ACTION_LOG | SKR_DROP_ACTION_ALERT);
    assert_string_equal(c->v.output.file_filename, "./events.txt");
    skr_config_free(c);
}

static void values_and_types(void **state)
{
    struct skr_cfg *c = NULL;
    struct skr_err err;
    const char *text = "json_output: true\n"
                       "priority: Warning\n"
                       "log_level: debug\n"
                       "rules_files:\n  - /a.yaml\n  - /b\n"
                       "metrics:\n  enabled: yes\n  interval: 1m30s\n"
                       "file_output: {enabled: true, filename: /tmp/x.txt}\n"
                       "plugins:\n"
                       "  - name: k8saudit\n"
                       "    library_path: libk8saudit.so\n"
                       "    init_config:\n      maxEventSize: 262144\n      ssl: \"no\"\n"
                       "      flag: true\n      list: [1, a]\n"
                       "    open_params: '  http://:9765/k8s-audit  '\n"
                       "  - name: json\n    library_path: /abs/libjson.so\n"
                       "    init_config: raw text\n"
                       "load_plugins: [k8saudit, json]\n"
                       "rules:\n  - disable: {tag: noisy}\n  - enable: {rule: 'Shell *'}\n";

    (void)state;
    assert_int_equal(load_text(text, NULL, 0, &c, &err), 0);
    assert_true(c->v.output.json_output);
    assert_int_equal(c->v.priority, 4);
    assert_int_equal(c->v.log_level, SKR_LOG_DEBUG);
    assert_int_equal(c->v.rules_files.n, 2);
    assert_string_equal(c->v.rules_files.v[1], "/b");
    assert_true(c->v.metrics.enabled);
    assert_int_equal(c->v.metrics.interval_ms, 90000);
    assert_true(c->v.output.file_enabled);
    assert_string_equal(c->v.output.file_filename, "/tmp/x.txt");
    assert_int_equal(c->v.num_plugins, 2);
    assert_string_equal(
            c->v.plugins[0].init_config,
            "{\"maxEventSize\":262144,\"ssl\":\"no\",\"flag\":true,\"list\":[1,\"a\"]}");
    assert_string_equal(c->v.plugins[0].open_params, "http://:9765/k8s-audit");
    assert_int_equal(c->v.plugins[0].line, 12);
    assert_string_equal(c->v.plugins[1].init_config, "raw text");
    assert_string_equal(c->v.plugins[1].open_params, "");
    assert_int_equal(c->v.load_plugins.n, 2);
    assert_int_equal(c->v.num_rules, 2);
    assert_false(c->v.rules[0].enable);
    assert_true(c->v.rules[0].by_tag);
    assert_string_equal(c->v.rules[1].pattern, "Shell *");
    skr_config_free(c);
}

struct err_case {
    const char *text;
    const char *override;
    const char *want; /* substring of the formatted error */
};

static void errors_name_position(void **state)
{
    static const struct err_case cases[] = {
        { "json_output: true\nfile_outptu:\n  enabled: true\n", NULL,
          "test.yaml:2:1: unknown configuration key 'file_outptu'" },
        { "file_output:\n  enabled: true\n  keep_alive: maybe\n", NULL,
          "test.yaml:3:15: file_output.keep_alive: expected a boolean (true or false), got "
          "'maybe'" },
        { "file_output:\n  enabld: true\n", NULL,
          "test.yaml:2:3: unknown configuration key 'file_output.enabld'" },
        { "json_output: [1\n", NULL, "test.yaml:2:1: invalid YAML" },
        { "a: 1\na: 2\n", NULL, "test.yaml:2:1: invalid YAML: duplicate key 'a'" },
        { "priority: loud\n", NULL, "test.yaml:1:11: priority: unknown priority 'loud'" },
        { "metrics:\n  interval: soon\n", NULL,
          "test.yaml:2:13: metrics.interval: invalid duration 'soon'" },
        { "plugins:\n  - name: x\n", NULL, "test.yaml:2:5: plugins[0]: missing 'library_path'" },
        { "plugins:\n  - name: x\n    library_path: y\n    colour: red\n", NULL,
          "test.yaml:4:5: plugins[0]: unknown key 'colour'" },
        { "plugins:\n  - name: x\n    library_path: y\n    init_config: [1]\n", NULL,
          "test.yaml:4:18: plugins[0]: init_config must be a map or a string, not a list" },
        { "outputs_queue:\n  policy: sometimes\n", NULL,
          "outputs_queue.policy: unknown value 'sometimes': use one of drop, block" },
        { "stdout_output: true\n", NULL,
          "test.yaml:1:16: stdout_output: expected a map of options, got a scalar" },
        { "- a\n- b\n", NULL,
          "test.yaml:1:1: the top level of a configuration file must be a map" },
        { "", "json_output", "-o json_output: expected key=value" },
        { "", "file_output.keep_alive=sure",
          "-o file_output.keep_alive=sure: "
          "file_output.keep_alive: expected a boolean" },
        { "", "no_such.key=1", "-o no_such.key=1: unknown configuration key 'no_such'" },
        { "", "plugins[3].name=x", "index 3 is out of range: the list has 0 items" },
        { "", "a..b=1", "invalid key path 'a..b'" },
        { "rules_file: /x.yaml\nrules_files: [/y.yaml]\n", NULL,
          "both rules_file and rules_files are set" },
        { "file_output:\n  enabled: true\n  filename: ''\n", NULL,
          "file_output is enabled but has no filename" },
        { "syscall_event_drops:\n  actions: [ignore, log]\n", NULL,
          "'ignore' cannot be combined with other actions" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct skr_cfg *c = NULL;
        struct skr_err err;
        char buf[1200];
        const char *ov[1] = { cases[i].override };
        int rc = load_text(cases[i].text, ov, cases[i].override ? 1 : 0, &c, &err);

        skr_err_format(&err, buf, sizeof(buf));
        if (rc >= 0 || strstr(buf, cases[i].want) == NULL) {
            fail_msg("case %zu: rc %d, error '%s', want '%s'", i, rc, buf, cases[i].want);
        }
        assert_null(c);
    }
}

static void overrides_apply(void **state)
{
    struct skr_cfg *c = NULL;
    struct skr_err err;
    const char *text = "plugins:\n  - name: a\n    library_path: liba.so\n";
    const char *ovs[] = {
        "json_output=true",
        "plugins[0].open_params=file.json",
        "plugins[1].name=b",
        "plugins[1].library_path=libb.so",
        "plugins[1].init_config={x: 1, y: two}",
        "metrics.interval=250ms",
        "load_plugins=[a, b]",
        "file_output.filename=",
    };

    (void)state;
    assert_int_equal(load_text(text, ovs, sizeof(ovs) / sizeof(ovs[0]), &c, &err), 0);
    assert_true(c->v.output.json_output);
    assert_int_equal(c->v.num_plugins, 2);
    assert_string_equal(c->v.plugins[0].open_params, "file.json");
    assert_string_equal(c->v.plugins[1].name, "b");
    assert_string_equal(c->v.plugins[1].init_config, "{\"x\":1,\"y\":\"two\"}");
    assert_int_equal(c->v.metrics.interval_ms, 250);
    assert_int_equal(c->v.load_plugins.n, 2);
    assert_string_equal(c->v.output.file_filename, "");
    skr_config_free(c);
}

static void keypath_parse(void **state)
{
    struct skr_cdoc *d = skr_cdoc_new();
    struct skr_keyseg *s;
    size_t n;
    const char *p = "a\\.b.c[2][0].d";

    (void)state;
    assert_int_equal(skr_config_parse_keypath(d, p, strlen(p), &s, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(s[0].key, "a.b");
    assert_string_equal(s[1].key, "c");
    assert_null(s[2].key);
    assert_int_equal(s[2].index, 2);
    assert_int_equal(s[3].index, 0);
    assert_string_equal(s[4].key, "d");
    static const char *const bad[] = { "", ".a", "a.", "a[", "a[x]", "a]b", "[0]", "a[1]b" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (skr_config_parse_keypath(d, bad[i], strlen(bad[i]), &s, &n) == 0) {
            fail_msg("'%s' parsed", bad[i]);
        }
    }
    skr_cdoc_free(d);
}

static void env_expansion(void **state)
{
    struct skr_cfg *c = NULL;
    struct skr_err err;

    (void)state;
    setenv("SKR_TEST_DIR", "/opt/x", 1);
    unsetenv("SKR_TEST_UNSET");
    assert_int_equal(load_text("plugins_dir: ${SKR_TEST_DIR}/plugins${SKR_TEST_UNSET}\n"
                               "file_output:\n  filename: $${SKR_TEST_DIR}\n",
                               NULL, 0, &c, &err),
                     0);
    assert_string_equal(c->v.plugins_dir, "/opt/x/plugins");
    assert_string_equal(c->v.output.file_filename, "${SKR_TEST_DIR}");
    skr_config_free(c);
}

static void includes_merge(void **state)
{
    struct skr_cfg *c = NULL;
    struct skr_err err;
    char main_text[2048];
    char dir[512];
    char buf[1200];

    (void)state;
    snprintf(dir, sizeof(dir), "%s/conf.d", tmpdir);
    mkdir(dir, 0755);
    write_file("conf.d/10-a.yaml", "load_plugins: [b]\njson_output: true\n");
    write_file("conf.d/20-b.yaml", "load_plugins: [c]\npriority: error\n");
    write_file("over.yaml", "load_plugins: [z]\nlog_level: error\n");
    write_file("addonly.yaml", "load_plugins: [q]\njson_output: false\nlog_stderr: false\n");
    snprintf(main_text, sizeof(main_text),
             "load_plugins: [a]\nconfig_files:\n  - %s/conf.d\n  - path: %s/missing.yaml\n"
             "  - {path: %s/addonly.yaml, strategy: add-only}\n",
             tmpdir, tmpdir, tmpdir);
    {
        const char *mainp = write_file("main.yaml", main_text);
        struct skr_config_input in = { .path = mainp };
        skr_err_clear(&err);
        assert_int_equal(skr_config_load(&in, &c, &err), 0);
    }
    /* append: lists concatenate, scalars override; add-only: only new keys */
    assert_int_equal(c->v.load_plugins.n, 3);
    assert_string_equal(c->v.load_plugins.v[0], "a");
    assert_string_equal(c->v.load_plugins.v[2], "c");
    assert_true(c->v.output.json_output);
    assert_int_equal(c->v.priority, 3);
    assert_false(c->v.log_stderr);
    assert_int_equal(c->files.n, 4);
    skr_config_free(c);

    /* override strategy and -o config_files */
    {
        char ov[600];
        const char *ovs[1] = { ov };
        snprintf(ov, sizeof(ov), "config_files=[{path: %s/over.yaml, strategy: override}]", tmpdir);
        assert_int_equal(load_text("load_plugins: [a]\n", ovs, 1, &c, &err), 0);
        assert_int_equal(c->v.load_plugins.n, 1);
        assert_string_equal(c->v.load_plugins.v[0], "z");
        assert_int_equal(c->v.log_level, SKR_LOG_ERR);
        skr_config_free(c);
    }

    /* an included file may not include others; the main file may not include itself */
    {
        char t[600];
        const char *nested = write_file("nested.yaml", "config_files: [/x]\n");
        snprintf(t, sizeof(t), "config_files: [%s]\n", nested);
        assert_true(load_text(t, NULL, 0, &c, &err) < 0);
        skr_err_format(&err, buf, sizeof(buf));
        assert_non_null(strstr(buf, "nested.yaml:1:1: config_files: an included file cannot"));
    }
    {
        char t[600];
        char p[512];
        struct skr_config_input in = { .path = p };
        snprintf(p, sizeof(p), "%s/self.yaml", tmpdir);
        snprintf(t, sizeof(t), "config_files: [%s]\n", p);
        write_file("self.yaml", t);
        skr_err_clear(&err);
        assert_true(skr_config_load(&in, &c, &err) < 0);
        assert_non_null(strstr(err.msg, "is the main configuration file itself"));
    }
}

static void section_json(void **state)
{
    struct skr_cfg *c = NULL;
    struct skr_err err;
    static const char *const excl[] = { "enabled", NULL };
    char *j;

    (void)state;
    assert_int_equal(
            load_text("file_output:\n  enabled: true\n  filename: /x\n", NULL, 0, &c, &err), 0);
    j = skr_config_section_json(c, "file_output", excl);
    assert_string_equal(j, "{\"keep_alive\":false,\"filename\":\"/x\",\"fsync\":\"never\"}");
    free(j);
    skr_config_free(c);
}

static void durations(void **state)
{
    static const struct {
        const char *s;
        uint64_t ms;
    } ok[] = { { "5000", 5000 },  { "100ms", 100 },     { "30s", 30000 },   { "2m", 120000 },
               { "1h", 3600000 }, { "1h30m", 5400000 }, { "1d", 86400000 }, { "1w", 604800000 } };
    static const char *const bad[] = { "", "s", "10x", "-5s", "1.5.5s", "ms" };
    uint64_t v;

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(skr_duration_parse_ms(ok[i].s, &v), 0);
        assert_int_equal(v, ok[i].ms);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (skr_duration_parse_ms(bad[i], &v) == 0) {
            fail_msg("'%s' parsed", bad[i]);
        }
    }
}

static void compat_keys_accepted(void **state)
{
    struct skr_cfg *c = NULL;
    struct skr_err err;

    (void)state;
    assert_int_equal(
            load_text("engine:\n  kind: modern_ebpf\n  modern_ebpf: {cpus_for_each_buffer: 2}\n"
                      "webserver: {enabled: true}\nmetrics:\n  enabled: false\n"
                      "  rules_counters_enabled: true\n",
                      NULL, 0, &c, &err),
            0);
    skr_config_free(c);
}

static void check_defaults_reports(void **state)
{
    struct skr_strbuf out;
    struct skr_err err;
    int n;

    (void)state;
    skr_strbuf_init(&out);
    n = skr_config_check_defaults("json_output: true\n", 18, "x.yaml", &out, &err);
    assert_true(n > 5); /* most options are missing, json_output differs */
    assert_non_null(strstr(out.p, "json_output: true, but the default is false"));
    assert_non_null(strstr(out.p, "priority: missing"));
    skr_strbuf_fini(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_apply),
        cmocka_unit_test(values_and_types),
        cmocka_unit_test(errors_name_position),
        cmocka_unit_test(overrides_apply),
        cmocka_unit_test(keypath_parse),
        cmocka_unit_test(env_expansion),
        cmocka_unit_test(includes_merge),
        cmocka_unit_test(section_json),
        cmocka_unit_test(durations),
        cmocka_unit_test(compat_keys_accepted),
        cmocka_unit_test(check_defaults_reports),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
