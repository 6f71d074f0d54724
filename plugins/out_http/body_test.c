/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <zlib.h>

#include "body.h"

static saker_alert alert(const char *line)
{
    saker_alert a;

    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.line = line;
    return a;
}

static void one_alert_is_its_line(void **state)
{
    struct bytes b = { 0 };
    saker_alert a = alert("{\"rule\":\"x\"}");
    const saker_alert *v[] = { &a };
    bool json;

    (void)state;
    assert_int_equal(http_body(&b, v, 1, false, &json), 0);
    assert_true(json);
    assert_string_equal((char *)b.p, "{\"rule\":\"x\"}");
    a = alert("10:00:00.000000000: Warning text");
    assert_int_equal(http_body(&b, v, 1, false, &json), 0);
    assert_false(json);
    assert_int_equal(b.len, strlen("10:00:00.000000000: Warning text"));
    bytes_fini(&b);
}

static void batches(void **state)
{
    struct bytes b = { 0 };
    saker_alert a1 = alert("{\"n\":1}");
    saker_alert a2 = alert("{\"n\":2}");
    saker_alert t = alert("10:00:00.000000000: Debug t");
    const saker_alert *v[] = { &a1, &a2 };
    const saker_alert *mixed[] = { &a1, &t };
    bool json;

    (void)state;
    assert_int_equal(http_body(&b, v, 2, true, &json), 0);
    assert_true(json);
    assert_string_equal((char *)b.p, "[{\"n\":1},{\"n\":2}]");
    /* text lines (or a mix): one line each */
    assert_int_equal(http_body(&b, mixed, 2, true, &json), 0);
    assert_false(json);
    assert_string_equal((char *)b.p, "{\"n\":1}\n10:00:00.000000000: Debug t\n");
    /* in batch mode a lone alert is still an array, so the receiver sees one shape */
    assert_int_equal(http_body(&b, v, 1, true, &json), 0);
    assert_string_equal((char *)b.p, "[{\"n\":1}]");
    bytes_fini(&b);
}

static void gzip_round_trip(void **state)
{
    struct bytes gz = { 0 };
    const char *text = "{\"output\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
    unsigned char out[256];
    z_stream z;

    (void)state;
    assert_int_equal(http_gzip(&gz, (const unsigned char *)text, strlen(text)), 0);
    assert_true(gz.len > 10);
    assert_int_equal(gz.p[0], 0x1f); /* gzip magic */
    assert_int_equal(gz.p[1], 0x8b);
    memset(&z, 0, sizeof(z));
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = gz.p;
    z.avail_in = (uInt)gz.len;
    z.next_out = out;
    z.avail_out = sizeof(out);
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.total_out, strlen(text));
    assert_memory_equal(out, text, strlen(text));
    inflateEnd(&z);
    bytes_fini(&gz);
}

static void verdicts(void **state)
{
    bool t;
    bool u;

    (void)state;
    assert_int_equal(http_judge(CURLE_OK, 200, &t, &u), HTTP_DELIVERED);
    assert_int_equal(http_judge(CURLE_OK, 204, &t, &u), HTTP_DELIVERED);
    assert_int_equal(http_judge(CURLE_OK, 500, &t, &u), HTTP_RETRY);
    assert_false(u);
    assert_int_equal(http_judge(CURLE_OK, 503, &t, &u), HTTP_RETRY);
    assert_int_equal(http_judge(CURLE_OK, 429, &t, &u), HTTP_RETRY);
    assert_int_equal(http_judge(CURLE_OK, 408, &t, &u), HTTP_RETRY);
    assert_int_equal(http_judge(CURLE_OK, 400, &t, &u), HTTP_FAILED);
    assert_int_equal(http_judge(CURLE_OK, 404, &t, &u), HTTP_FAILED);
    assert_int_equal(http_judge(CURLE_OK, 301, &t, &u), HTTP_FAILED);
    assert_int_equal(http_judge(CURLE_OPERATION_TIMEDOUT, 0, &t, &u), HTTP_RETRY);
    assert_true(t);
    assert_true(u);
    assert_int_equal(http_judge(CURLE_COULDNT_CONNECT, 0, &t, &u), HTTP_RETRY);
    assert_false(t);
    assert_true(u);
    assert_int_equal(http_judge(CURLE_GOT_NOTHING, 0, &t, &u), HTTP_RETRY);
    assert_int_equal(http_judge(CURLE_PEER_FAILED_VERIFICATION, 0, &t, &u), HTTP_FAILED);
    assert_int_equal(http_judge(CURLE_URL_MALFORMAT, 0, &t, &u), HTTP_FAILED);
}

static void backoff_doubles_up_to_its_cap(void **state)
{
    (void)state;
    assert_int_equal(http_backoff_ms(100, 5000, 1), 100);
    assert_int_equal(http_backoff_ms(100, 5000, 2), 200);
    assert_int_equal(http_backoff_ms(100, 5000, 3), 400);
    assert_int_equal(http_backoff_ms(100, 5000, 7), 5000);
    assert_int_equal(http_backoff_ms(100, 5000, 200), 5000);
    assert_int_equal(http_backoff_ms(0, 5000, 3), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_alert_is_its_line),
        cmocka_unit_test(batches),
        cmocka_unit_test(gzip_round_trip),
        cmocka_unit_test(verdicts),
        cmocka_unit_test(backoff_doubles_up_to_its_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
