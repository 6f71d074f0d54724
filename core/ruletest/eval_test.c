/* SPDX-License-Identifier: Apache-2.0 */
/* Verdicts: alert lines, scopes, expectations and the reasons a case fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ruletest/ruletest_int.h"

static void add(struct skr_rt_alerts *a, const char *line)
{
    assert_int_equal(skr_rt_alerts_add_line(a, line, strlen(line)), 1);
}

static void load_alerts(struct skr_rt_alerts *a)
{
    add(a, "{\"rule\":\"Saker Shadow File Read\",\"priority\":\"Warning\",\"output\":\"read "
           "file=/etc/shadow process=cat\",\"output_fields\":{\"proc.env[SAKER_TEST_CASE]\":"
           "\"fire-case\",\"proc.aenv[SAKER_TEST_CASE]\":null,\"proc.pid\":4242}}");
    add(a, "{\"rule\":\"Saker Shadow File Read\",\"priority\":\"Warning\",\"output\":\"read "
           "file=/etc/gshadow process=cat\",\"output_fields\":{\"proc.env[SAKER_TEST_CASE]\":"
           "\"\",\"proc.aenv[SAKER_TEST_CASE]\":\"fire-case\"}}");
    add(a, "{\"rule\":\"Saker Other\",\"priority\":\"Notice\",\"output\":\"other\","
           "\"output_fields\":{\"proc.env[SAKER_TEST_CASE]\":\"benign-case\","
           "\"ka.user.name\":\"alice\",\"proc.is_exe_from_memfd\":true}}");
    add(a, "{\"rule\":\"saker test: sync\",\"priority\":\"Emergency\",\"output\":\"sync x\","
           "\"output_fields\":{\"proc.env[SAKER_TEST_CASE]\":\"fire-case\"}}");
}

static void alert_lines(void **state)
{
    struct skr_rt_alerts a = { 0 };
    char buf[64];
    bool found;

    (void)state;
    load_alerts(&a);
    assert_int_equal(a.n, 4);
    /* not alerts: metrics, text, broken JSON */
    assert_int_equal(skr_rt_alerts_add_line(&a, "{\"saker_metrics\":{}}", 20), 0);
    assert_int_equal(skr_rt_alerts_add_line(&a, "12:00:00 Warning text", 21), 0);
    assert_int_equal(skr_rt_alerts_add_line(&a, "{\"rule\":", 8), 0);
    assert_int_equal(a.n, 4);
    assert_string_equal(skr_rt_alert_field(&a.v[0], "proc.pid", buf, sizeof(buf), &found), "4242");
    assert_true(found);
    assert_string_equal(
            skr_rt_alert_field(&a.v[2], "proc.is_exe_from_memfd", buf, sizeof(buf), &found),
            "true");
    assert_string_equal(
            skr_rt_alert_field(&a.v[0], "proc.aenv[SAKER_TEST_CASE]", buf, sizeof(buf), &found),
            "");
    assert_false(found);
    assert_string_equal(skr_rt_alert_field(&a.v[0], "no.such", buf, sizeof(buf), &found), "");
    assert_false(found);
    skr_rt_alerts_fini(&a);
}

static void wildcards(void **state)
{
    (void)state;
    assert_true(skr_rt_wildcard("*", ""));
    assert_true(skr_rt_wildcard("Saker *", "Saker Shadow File Read"));
    assert_true(skr_rt_wildcard("*File*", "Saker Shadow File Read"));
    assert_true(skr_rt_wildcard("S?ker*Read", "Saker Shadow File Read"));
    assert_false(skr_rt_wildcard("Saker", "Saker Shadow File Read"));
    assert_false(skr_rt_wildcard("*Write", "Saker Shadow File Read"));
    assert_false(skr_rt_wildcard("saker *", "Saker Shadow File Read"));
}

static void scopes(void **state)
{
    struct skr_rt_alerts a = { 0 };
    struct skr_rt_case tree = { .name = "fire-case", .scope = SKR_RT_SCOPE_TREE };
    struct skr_rt_case all = { .name = "x", .scope = SKR_RT_SCOPE_ALL };
    struct skr_rt_case field = { .name = "y",
                                 .scope = SKR_RT_SCOPE_FIELD,
                                 .scope_field = "ka.user.name",
                                 .scope_value = "alice" };

    (void)state;
    load_alerts(&a);
    /* the process itself or an ancestor carries the case's name */
    assert_true(skr_rt_in_scope(&tree, &a.v[0]));
    assert_true(skr_rt_in_scope(&tree, &a.v[1]));
    assert_false(skr_rt_in_scope(&tree, &a.v[2]));
    /* the runner's own rules are never in a case's scope */
    assert_false(skr_rt_in_scope(&tree, &a.v[3]));
    assert_false(skr_rt_in_scope(&all, &a.v[3]));
    assert_true(skr_rt_in_scope(&all, &a.v[2]));
    assert_true(skr_rt_in_scope(&field, &a.v[2]));
    assert_false(skr_rt_in_scope(&field, &a.v[0]));
    skr_rt_alerts_fini(&a);
}

static bool check(struct skr_rt_case *c, const struct skr_rt_alerts *a, char *why, size_t n)
{
    struct skr_strbuf b;
    bool ok;

    skr_strbuf_init(&b);
    ok = skr_rt_check_case(c, a, &b);
    snprintf(why, n, "%s", b.p);
    skr_strbuf_fini(&b);
    return ok;
}

static void expectations(void **state)
{
    struct skr_rt_alerts a = { 0 };
    struct skr_rt_expect fire_ok[] = {
        { .rule = "Saker Shadow File Read", .min_count = 2 },
        { .rule = "*Shadow*",
          .output = "file=/etc/gshadow",
          .priority = "warning",
          .min_count = 1 },
    };
    struct skr_rt_expect fire_bad[] = {
        { .rule = "Saker Shadow File Read", .min_count = 3 },
        { .rule = "Saker Other", .min_count = 1 },
        { .rule = "*Shadow*", .priority = "Critical", .min_count = 1 },
    };
    struct skr_rt_expect quiet[] = { { .rule = "Saker Other", .min_count = 1 } };
    struct skr_rt_expect loud[] = { { .rule = "*", .min_count = 1 } };
    struct skr_rt_case c = { .name = "fire-case", .scope = SKR_RT_SCOPE_TREE };
    char why[2048];

    (void)state;
    load_alerts(&a);
    c.fire = fire_ok;
    c.nfire = 2;
    c.no_fire = quiet;
    c.nno_fire = 1;
    assert_true(check(&c, &a, why, sizeof(why)));
    assert_string_equal(why, "");

    c.fire = fire_bad;
    c.nfire = 3;
    c.nno_fire = 0;
    assert_false(check(&c, &a, why, sizeof(why)));
    assert_non_null(strstr(why, "'Saker Shadow File Read' fired 2 times, expected at least 3 "
                                "(fired: 'Saker Shadow File Read' (2))"));
    assert_non_null(strstr(why, "; 'Saker Other' did not fire"));
    assert_non_null(strstr(why, "'*Shadow*' at priority Critical did not fire"));

    c.nfire = 0;
    c.no_fire = loud;
    c.nno_fire = 1;
    assert_false(check(&c, &a, why, sizeof(why)));
    assert_string_equal(why, "'Saker Shadow File Read' fired: read file=/etc/shadow process=cat");

    /* nothing in scope */
    c.name = "nobody";
    assert_true(check(&c, &a, why, sizeof(why)));
    c.fire = quiet;
    c.nfire = 1;
    c.nno_fire = 0;
    assert_false(check(&c, &a, why, sizeof(why)));
    assert_string_equal(why, "'Saker Other' did not fire (fired: none)");
    skr_rt_alerts_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alert_lines),
        cmocka_unit_test(wildcards),
        cmocka_unit_test(scopes),
        cmocka_unit_test(expectations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
