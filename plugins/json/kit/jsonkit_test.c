/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jsonkit.h"

static void test_frame(void **state)
{
    static const struct {
        const char *in;
        bool at_eof;
        enum jk_frame_rc rc;
        size_t len;
    } cases[] = {
        { "{\"a\":1} tail", false, JK_FRAME_OK, 7 },
        { "{\"a\":\"}\"}", false, JK_FRAME_OK, 9 },
        { "{\"a\":\"\\\"}\"}x", false, JK_FRAME_OK, 11 },
        { "[1,[2,{\"x\":[]}]],", false, JK_FRAME_OK, 16 },
        { "{\"a\":\"unterminated", false, JK_FRAME_INCOMPLETE, 0 },
        { "{\"a\":\"unterminated", true, JK_FRAME_BAD, 0 },
        { "{\"a\":[1,2", false, JK_FRAME_INCOMPLETE, 0 },
        { "\"str\\\\\" rest", false, JK_FRAME_OK, 7 },
        { "123,", false, JK_FRAME_OK, 3 },
        { "123", false, JK_FRAME_INCOMPLETE, 0 },
        { "123", true, JK_FRAME_OK, 3 },
        { "true]", false, JK_FRAME_OK, 4 },
        { "]", false, JK_FRAME_BAD, 0 },
        { ",", true, JK_FRAME_BAD, 0 },
        { "", false, JK_FRAME_INCOMPLETE, 0 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        enum jk_frame_rc rc =
                jk_frame_value(cases[i].in, strlen(cases[i].in), cases[i].at_eof, &len);
        if (rc != cases[i].rc || (rc == JK_FRAME_OK && len != cases[i].len)) {
            fail_msg("case %zu (%s): rc %d len %zu", i, cases[i].in, rc, len);
        }
    }
    assert_int_equal(jk_skip_ws(" \t\r\nx", 5), 4);
    assert_int_equal(jk_skip_ws("   ", 3), 3);
}

static void test_rfc3339(void **state)
{
    static const struct {
        const char *in;
        int rc;
        uint64_t ns;
    } cases[] = {
        { "1970-01-01T00:00:00Z", 0, 0 },
        { "2018-10-26T13:38:34.902914Z", 0, 1540561114902914000ull },
        { "2014-03-06T21:22:54Z", 0, 1394140974000000000ull },
        { "2014-03-06T23:22:54+02:00", 0, 1394140974000000000ull },
        { "2014-03-06T20:22:54-01:00", 0, 1394140974000000000ull },
        { "2024-02-29T00:00:00.123456789123Z", 0, 1709164800123456789ull },
        { "2023-02-29T00:00:00Z", -1, 0 },
        { "2023-13-01T00:00:00Z", -1, 0 },
        { "2023-01-01 00:00:00Z", -1, 0 },
        { "2023-01-01T00:00:00", -1, 0 },
        { "2023-01-01T00:00:00.Z", -1, 0 },
        { "2023-01-01T24:00:00Z", -1, 0 },
        { "2023-01-01T00:00:60Z", -1, 0 },
        { "2023-01-01T00:00:00Zjunk", -1, 0 },
        { "1969-12-31T23:59:59Z", -1, 0 },
        { "", -1, 0 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t ns = 0;
        int rc = jk_rfc3339_ns(cases[i].in, strlen(cases[i].in), &ns);
        if (rc != cases[i].rc || (rc == 0 && ns != cases[i].ns)) {
            fail_msg("case %zu (%s): rc %d ns %llu", i, cases[i].in, rc, (unsigned long long)ns);
        }
    }
}

static void test_pointer_and_text(void **state)
{
    static const char doc[] = "{\"list\":[{\"intvalue\":1,\"floatvalue\":2.5}],\"value\":\"hello\","
                              "\"~/escaped\":\"hello\\\"2\",\"\":\"empty\",\"n\":null,\"b\":true}";
    static const struct {
        const char *ptr;
        const char *want; /* NULL: absent */
    } cases[] = {
        { "/value", "hello" },
        { "value", "hello" },
        { "/list/0/intvalue", "1" },
        { "/list/0/floatvalue", "2.5" },
        { "/~0~1escaped", "hello\"2" },
        { "/list/1", NULL },
        { "/list/x", NULL },
        { "/missing", NULL },
        { "/", "empty" },
        { "/n", "null" },
        { "/b", "true" },
        { "/list", "[{\"intvalue\":1,\"floatvalue\":2.5}]" },
        { "invalid_pointer", NULL },
    };
    struct jk_buf b;
    cJSON *root = cJSON_Parse(doc);
    (void)state;

    assert_non_null(root);
    jk_buf_init(&b);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const cJSON *v = jk_pointer(root, cases[i].ptr);
        size_t len = 0;
        const char *t = jk_text(&b, v, &len);
        if (cases[i].want == NULL) {
            if (v != NULL) {
                fail_msg("case %s: expected absent", cases[i].ptr);
            }
            continue;
        }
        if (t == NULL || len != strlen(cases[i].want) || memcmp(t, cases[i].want, len) != 0) {
            fail_msg("case %s: got %.*s", cases[i].ptr, (int)len, t ? t : "(null)");
        }
    }
    assert_ptr_equal(jk_pointer(root, ""), root);
    jk_buf_fini(&b);
    cJSON_Delete(root);
}

static void test_indented(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        { "{\"value\":\"hello\"}", "{\n  \"value\": \"hello\"\n}" },
        { "{}", "{}" },
        { "[]", "[]" },
        { "{\"a\":[1,{\"b\":{}}],\"c\":\"q\\\"\"}",
          "{\n  \"a\": [\n    1,\n    {\n      \"b\": {}\n    }\n  ],\n  \"c\": \"q\\\"\"\n}" },
        { "\"s\"", "\"s\"" },
    };
    struct jk_buf b;
    (void)state;

    jk_buf_init(&b);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *root = cJSON_Parse(cases[i].in);
        assert_non_null(root);
        assert_int_equal(jk_print_indented(&b, root), 0);
        assert_string_equal(b.p, cases[i].want);
        assert_int_equal(b.len, strlen(cases[i].want));
        cJSON_Delete(root);
    }
    jk_buf_fini(&b);
}

static void test_compact_grows(void **state)
{
    struct jk_buf b;
    cJSON *arr = cJSON_CreateArray();
    (void)state;

    for (int i = 0; i < 5000; i++) {
        cJSON_AddItemToArray(arr, cJSON_CreateString("0123456789"));
    }
    jk_buf_init(&b);
    assert_int_equal(jk_print_compact(&b, arr), 0);
    assert_int_equal(b.len, 2 + 5000 * 12 + 4999);
    assert_int_equal(b.p[0], '[');
    assert_int_equal(b.p[b.len - 1], ']');
    jk_buf_fini(&b);
    cJSON_Delete(arr);
}

static uint32_t build(uint8_t *buf, size_t cap, uint64_t ts, const char *payload)
{
    return saker_evt_build_plugin(buf, cap, ts, 1, payload, (uint32_t)strlen(payload));
}

static void test_doc_cache(void **state)
{
    uint8_t e1[256], e2[256];
    struct jk_doc d;
    ss_plugin_event_input in = { 0 };
    const cJSON *r1, *r2;
    const char *payload;
    uint32_t plen;
    (void)state;

    assert_true(build(e1, sizeof(e1), 10, "{\"a\":1}") > 0);
    assert_true(build(e2, sizeof(e2), 11, "not json") > 0);
    jk_doc_init(&d);
    in.evt = (const ss_plugin_event *)e1;
    in.evtnum = 1;
    r1 = jk_doc_get(&d, &in, &payload, &plen);
    assert_non_null(r1);
    assert_int_equal(plen, 7);
    assert_memory_equal(payload, "{\"a\":1}", 7);
    /* the same event is not parsed again */
    r2 = jk_doc_get(&d, &in, NULL, NULL);
    assert_ptr_equal(r1, r2);
    in.evt = (const ss_plugin_event *)e2;
    in.evtnum = 2;
    assert_null(jk_doc_get(&d, &in, NULL, NULL));
    /* a non-plugin event has no document */
    ((ss_plugin_event *)e2)->type = 3;
    in.evtnum = 3;
    assert_null(jk_doc_get(&d, &in, NULL, NULL));
    jk_doc_fini(&d);
}

static void test_strlist(void **state)
{
    struct jk_strlist l;
    struct saker_store s;
    ss_plugin_extract_field f;
    (void)state;

    memset(&f, 0, sizeof(f));
    jk_strlist_init(&l);
    saker_store_init(&s);
    assert_int_equal(jk_strlist_commit(&l, &s, &f), 0);
    assert_int_equal(f.res_len, 0);
    for (int i = 0; i < 100; i++) {
        char tmp[8];
        int n = snprintf(tmp, sizeof(tmp), "v%d", i);
        assert_int_equal(jk_strlist_add(&l, &s, tmp, (size_t)n), 0);
    }
    assert_int_equal(jk_strlist_add_ref(&l, "ref"), 0);
    assert_int_equal(jk_strlist_commit(&l, &s, &f), 0);
    assert_int_equal(f.res_len, 101);
    assert_string_equal(f.res.str[0], "v0");
    assert_string_equal(f.res.str[99], "v99");
    assert_string_equal(f.res.str[100], "ref");
    jk_strlist_reset(&l);
    assert_int_equal(l.n, 0);
    jk_strlist_fini(&l);
    saker_store_fini(&s);
}

static void test_ratelimit(void **state)
{
    struct jk_ratelimit r = { 0 };
    int logged = 0;
    (void)state;

    for (int i = 0; i < 1010; i++) {
        logged += jk_ratelimit_ok(&r, 5, 1000) ? 1 : 0;
    }
    assert_int_equal(logged, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_pointer_and_text),
        cmocka_unit_test(test_indented),
        cmocka_unit_test(test_compact_grows),
        cmocka_unit_test(test_doc_cache),
        cmocka_unit_test(test_strlist),
        cmocka_unit_test(test_ratelimit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
