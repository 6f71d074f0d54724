/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/semver.h"
#include "util/strbuf.h"

static void err_formats_position(void **state)
{
    struct skr_err e;
    char buf[256];

    skr_err_clear(&e);
    assert_int_equal(skr_err_set_at(&e, -EINVAL, "a.yaml", 3, 7, "bad key '%s'", "x"), -EINVAL);
    assert_string_equal(skr_err_format(&e, buf, sizeof(buf)), "a.yaml:3:7: bad key 'x'");
    skr_err_prefix(&e, "loading %s", "rules");
    assert_string_equal(e.msg, "loading rules: bad key 'x'");
    skr_err_set(&e, -ENOENT, "no such plugin");
    assert_string_equal(skr_err_format(&e, buf, sizeof(buf)), "no such plugin");
    assert_int_equal(skr_err_set(NULL, -5, "ignored"), -5);
}

static void strbuf_grows_and_truncates(void **state)
{
    struct skr_strbuf b;

    skr_strbuf_init(&b);
    assert_string_equal(b.p, "");
    for (int i = 0; i < 1000; i++) {
        skr_strbuf_printf(&b, "%d,", i % 10);
    }
    assert_int_equal(b.len, 2000);
    assert_false(b.truncated);
    skr_strbuf_reset(&b);
    b.max = 5;
    skr_strbuf_puts(&b, "abcdefgh");
    assert_string_equal(b.p, "abcde");
    assert_true(b.truncated);
    skr_strbuf_reset(&b);
    b.max = 0;
    skr_strbuf_json_escape(&b, "a\"b\\c\n\x01", 7);
    assert_string_equal(b.p, "a\\\"b\\\\c\\n\\u0001");
    char *s = skr_strbuf_steal(&b);
    assert_string_equal(s, "a\\\"b\\\\c\\n\\u0001");
    free(s);
    skr_strbuf_fini(&b);
}

static void arena_reuses_memory(void **state)
{
    struct skr_arena a;

    skr_arena_init(&a, 128);
    char *s = skr_arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    void *big = skr_arena_alloc(&a, 10000);
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % 16, 0);
    skr_arena_reset(&a);
    void *again = skr_arena_alloc(&a, 9000);
    assert_ptr_equal(again, big); /* the largest block is kept */
    skr_arena_fini(&a);
}

static void semver_rules(void **state)
{
    struct skr_semver have, need;

    assert_int_equal(skr_semver_parse("3.12.0", &have), 0);
    assert_int_equal(skr_semver_parse("3.11.0", &need), 0);
    assert_true(skr_semver_satisfies(&have, &need));
    assert_int_equal(skr_semver_parse("3.13.0", &need), 0);
    assert_false(skr_semver_satisfies(&have, &need));
    assert_int_equal(skr_semver_parse("2.0.0", &need), 0);
    assert_false(skr_semver_satisfies(&have, &need));
    assert_int_equal(skr_semver_parse("1.2", &need), -EINVAL);
    assert_int_equal(skr_semver_parse("1.2.x", &need), -EINVAL);
    assert_int_equal(skr_semver_parse("1.2.3-rc1", &need), 0);
}

struct item {
    int key;
    UT_hash_handle hh;
};

static void hash_oom_is_not_fatal(void **state)
{
    struct item *head = NULL, *it, *tmp;

    for (int i = 0; i < 100; i++) {
        it = calloc(1, sizeof(*it));
        it->key = i;
        HASH_ADD_INT(head, key, it);
        assert_false(skr_hash_failed());
    }
    int k = 42;
    HASH_FIND_INT(head, &k, it);
    assert_non_null(it);
    HASH_ITER(hh, head, it, tmp) {
        HASH_DEL(head, it);
        free(it);
    }
}

static int log_lines;
static char last_line[512];

static void capture(enum skr_log_level level, const char *line, void *user)
{
    log_lines++;
    snprintf(last_line, sizeof(last_line), "%s", line);
}

static void log_levels_and_complaints(void **state)
{
    struct skr_complaint c = { 0 };
    enum skr_log_level lvl;

    skr_log_set_sink(capture, NULL);
    skr_log_set_level(SKR_LOG_WARNING);
    skr_log(SKR_LOG_INFO, "x", "dropped");
    assert_int_equal(log_lines, 0);
    skr_log(SKR_LOG_ERR, "loader", "bad %d", 1);
    assert_string_equal(last_line, "error: [loader] bad 1");
    for (int i = 0; i < 5; i++) {
        skr_complain(&c, SKR_LOG_WARNING, "q", "queue full");
    }
    assert_int_equal(log_lines, 2);
    assert_int_equal(c.suppressed, 4);
    assert_int_equal(skr_log_level_parse("Informational", &lvl), 0);
    assert_int_equal(lvl, SKR_LOG_INFO);
    assert_int_equal(skr_log_level_parse("loud", &lvl), -1);
    skr_log_set_sink(NULL, NULL);
    skr_log_set_level(SKR_LOG_INFO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(err_formats_position),  cmocka_unit_test(strbuf_grows_and_truncates),
        cmocka_unit_test(arena_reuses_memory),   cmocka_unit_test(semver_rules),
        cmocka_unit_test(hash_oom_is_not_fatal), cmocka_unit_test(log_levels_and_complaints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
