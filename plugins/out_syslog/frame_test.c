/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "frame.h"

/* 2024-05-01T10:00:00.123456789Z */
#define TS 1714557600123456789ull

static struct syslog_msg sample(void)
{
    struct syslog_msg m;

    memset(&m, 0, sizeof(m));
    m.facility = 1; /* user */
    m.severity = 4; /* Warning */
    m.ts = TS;
    m.hostname = "node-1";
    m.app = "saker";
    m.msgid = "syscall";
    m.pid = 42;
    m.text = "10:00:00.123456789: Warning shell in container";
    m.text_len = strlen(m.text);
    return m;
}

static void rfc5424(void **state)
{
    struct msgbuf b = { 0 };
    struct syslog_msg m = sample();
    size_t n;

    (void)state;
    n = syslog_format_msg(&b, SYSLOG_RFC5424, &m);
    assert_string_equal(b.p, "<12>1 2024-05-01T10:00:00.123456Z node-1 saker 42 syscall - "
                             "10:00:00.123456789: Warning shell in container");
    assert_int_equal(n, strlen(b.p));
    /* PRI = facility * 8 + severity: local7 and emergency, debug */
    msgbuf_reset(&b);
    m.facility = 23;
    m.severity = 0;
    syslog_format_msg(&b, SYSLOG_RFC5424, &m);
    assert_memory_equal(b.p, "<184>1 ", 7);
    msgbuf_reset(&b);
    m.facility = 0;
    m.severity = 7;
    syslog_format_msg(&b, SYSLOG_RFC5424, &m);
    assert_memory_equal(b.p, "<7>1 ", 5);
    /* empty header fields are "-", spaces and control characters in them '_' */
    msgbuf_reset(&b);
    m.hostname = "";
    m.msgid = NULL;
    m.app = "my app\n";
    syslog_format_msg(&b, SYSLOG_RFC5424, &m);
    assert_non_null(strstr(b.p, "Z - my_app_ 42 - - 10:00"));
    msgbuf_fini(&b);
}

static void rfc5424_fields_are_cut_to_their_length(void **state)
{
    struct msgbuf b = { 0 };
    struct syslog_msg m = sample();
    char longname[100];

    (void)state;
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    m.app = longname;
    m.msgid = longname;
    syslog_format_msg(&b, SYSLOG_RFC5424, &m);
    /* APP-NAME 48, MSGID 32 */
    assert_non_null(strstr(b.p, " node-1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 42 "
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - "));
    msgbuf_fini(&b);
}

static void rfc3164(void **state)
{
    struct msgbuf b = { 0 };
    struct syslog_msg m = sample();

    (void)state;
    syslog_format_msg(&b, SYSLOG_RFC3164, &m);
    /* to the local socket: no host name, as syslog(3) writes */
    assert_string_equal(b.p, "<12>May  1 10:00:00 saker[42]: 10:00:00.123456789: Warning shell in "
                             "container");
    msgbuf_reset(&b);
    m.with_host = true;
    m.ts = TS + 14ull * 86400ull * 1000000000ull; /* May 15: two digits */
    syslog_format_msg(&b, SYSLOG_RFC3164, &m);
    assert_memory_equal(b.p, "<12>May 15 10:00:00 node-1 saker[42]: ", 38);
    msgbuf_fini(&b);
}

static void octet_counting(void **state)
{
    char buf[32];

    (void)state;
    assert_int_equal(syslog_octet_prefix(buf, sizeof(buf), 87), 3);
    assert_string_equal(buf, "87 ");
    assert_int_equal(syslog_octet_prefix(buf, 3, 100), 0);
}

static void appends_reuse_memory(void **state)
{
    struct msgbuf b = { 0 };
    struct syslog_msg m = sample();
    char *big = malloc(100000);

    (void)state;
    memset(big, 'x', 99999);
    big[99999] = '\0';
    m.text = big;
    m.text_len = 99999;
    assert_true(syslog_format_msg(&b, SYSLOG_RFC5424, &m) > 99999);
    assert_false(b.oom);
    msgbuf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_true(b.cap > 99999);
    msgbuf_fini(&b);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc5424),
        cmocka_unit_test(rfc5424_fields_are_cut_to_their_length),
        cmocka_unit_test(rfc3164),
        cmocka_unit_test(octet_counting),
        cmocka_unit_test(appends_reuse_memory),
    };
    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
