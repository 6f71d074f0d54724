/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "pipeline/capture.h"

static char path[64];

static size_t make_event(uint8_t *buf, uint64_t ts, const char *payload)
{
    ss_plugin_event *e = (ss_plugin_event *)buf;
    uint32_t plen = (uint32_t)strlen(payload);
    uint32_t lens[2] = { 4, plen };
    uint32_t id = 999;

    e->ts = ts;
    e->tid = UINT64_MAX;
    e->type = 322;
    e->nparams = 2;
    e->len = 26 + 8 + 4 + plen;
    memcpy(buf + 26, lens, 8);
    memcpy(buf + 34, &id, 4);
    memcpy(buf + 38, payload, plen);
    return e->len;
}

static void write_sample(void)
{
    struct skr_err err;
    struct skr_capture_writer *w;
    struct skr_capture_buf b = { 0 };
    struct skr_capture_ident id = { "counter", "counter", "1.0.0", 999 };
    struct skr_capture_ident id2 = { "counter", "asyncer", "0.1.0", 0 };
    uint8_t ev[128];

    snprintf(path, sizeof(path), "/tmp/saker-capture-test-%d", (int)getpid());
    w = skr_capture_create(path, &err);
    assert_non_null(w);
    assert_int_equal(skr_capture_ref(w, &b, &id), 0);
    make_event(ev, 1, "one");
    assert_int_equal(skr_capture_event(w, &b, 0, (ss_plugin_event *)ev), 0);
    assert_int_equal(skr_capture_ref(w, &b, &id2), 1);
    assert_int_equal(skr_capture_ref(w, &b, &id), 0);
    make_event(ev, 2, "two!");
    assert_int_equal(skr_capture_event(w, &b, 1, (ss_plugin_event *)ev), 0);
    assert_int_equal(skr_capture_flush(w, &b), 0);
    skr_capture_buf_fini(&b);
    assert_int_equal(skr_capture_events(w), 2);
    assert_int_equal(skr_capture_close(w, &err), 0);
}

static void roundtrip(void **state)
{
    struct skr_err err;
    struct skr_capture_reader *r;
    struct skr_capture_rec rec;

    (void)state;
    write_sample();
    r = skr_capture_open(path, &err);
    assert_non_null(r);
    assert_int_equal(skr_capture_next(r, &rec, &err), 1);
    assert_int_equal(rec.type, SKR_CAPTURE_REC_SOURCE);
    assert_int_equal(rec.offset, 32);
    assert_string_equal(rec.ident.source, "counter");
    assert_int_equal(rec.ident.plugin_id, 999);
    assert_int_equal(skr_capture_next(r, &rec, &err), 1);
    assert_int_equal(rec.type, SKR_CAPTURE_REC_EVENT);
    assert_int_equal(rec.ref, 0);
    assert_int_equal(rec.evt->ts, 1);
    assert_memory_equal((const uint8_t *)rec.evt + 38, "one", 3);
    assert_int_equal(skr_capture_next(r, &rec, &err), 1);
    assert_int_equal(rec.type, SKR_CAPTURE_REC_SOURCE);
    assert_string_equal(rec.ident.plugin, "asyncer");
    assert_int_equal(skr_capture_next(r, &rec, &err), 1);
    assert_int_equal(rec.ref, 1);
    assert_string_equal(skr_capture_ident_of(r, 1)->plugin, "asyncer");
    assert_int_equal(skr_capture_next(r, &rec, &err), 0);
    skr_capture_close_reader(r);
}

/* Every truncation point and every flipped byte gives an error with an offset, never a crash. */
static void damage_is_reported(void **state)
{
    FILE *f;
    uint8_t data[4096];
    size_t n;

    (void)state;
    write_sample();
    f = fopen(path, "rb");
    n = fread(data, 1, sizeof(data), f);
    fclose(f);
    for (size_t cut = 0; cut < n; cut++) {
        FILE *m = fmemopen(data, cut ? cut : 1, "rb");
        struct skr_err err;
        struct skr_capture_reader *r;
        struct skr_capture_rec rec;
        int rc = 1;

        if (cut == 0) {
            fclose(m);
            continue;
        }
        skr_err_clear(&err);
        r = skr_capture_open_file(m, "cut", &err);
        if (r != NULL) {
            while ((rc = skr_capture_next(r, &rec, &err)) == 1) {
            }
            skr_capture_close_reader(r);
        }
        fclose(m);
        /* a cut at a record boundary is a clean (shorter) file; anything else an error */
        if (rc < 0 || r == NULL) {
            assert_non_null(strstr(err.msg, "offset "));
        }
    }
    for (size_t i = 8; i < n; i++) {
        uint8_t copy[4096];
        FILE *m;
        struct skr_err err;
        struct skr_capture_reader *r;
        struct skr_capture_rec rec;
        int rc = 1;

        memcpy(copy, data, n);
        copy[i] ^= 0x5a;
        m = fmemopen(copy, n, "rb");
        skr_err_clear(&err);
        r = skr_capture_open_file(m, "flip", &err);
        if (r != NULL) {
            while ((rc = skr_capture_next(r, &rec, &err)) == 1) {
            }
            skr_capture_close_reader(r);
        }
        fclose(m);
        if (i >= 32) {
            /* inside records: the CRC, a length or a reference catches it */
            if (rc >= 0) {
                fail_msg("flipping byte %zu went unnoticed", i);
            }
            assert_non_null(strstr(err.msg, "offset "));
        }
    }
    unlink(path);
}

static void not_a_capture(void **state)
{
    struct skr_err err;
    FILE *m = fmemopen((void *)"hello world, not a capture", 26, "rb");

    (void)state;
    assert_null(skr_capture_open_file(m, "x", &err));
    assert_string_equal(err.msg, "capture file x: offset 0: not a Saker capture file (no "
                                 "SAKERCAP magic)");
    fclose(m);
}

/* A record with an empty body as the first record (no read buffer yet) is an error with its
 * offset, for every record type. */
static void empty_records(void **state)
{
    (void)state;
    for (uint32_t type = 1; type <= 2; type++) {
        uint8_t data[64] = "SAKERCAP";
        uint16_t ver[2] = { 1, 0 };
        uint32_t hlen = 32;
        uint32_t rh[2] = { type, 0 };
        uint32_t crc;
        FILE *m;
        struct skr_err err;
        struct skr_capture_reader *r;
        struct skr_capture_rec rec;

        memcpy(data + 8, ver, 4);
        memcpy(data + 12, &hlen, 4);
        memcpy(data + 32, rh, 8);
        crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data + 32, 8);
        memcpy(data + 40, &crc, 4);
        m = fmemopen(data, 48, "rb");
        skr_err_clear(&err);
        r = skr_capture_open_file(m, "empty", &err);
        assert_non_null(r);
        assert_true(skr_capture_next(r, &rec, &err) < 0);
        assert_non_null(strstr(err.msg, "offset 32"));
        skr_capture_close_reader(r);
        fclose(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip),
        cmocka_unit_test(damage_is_reported),
        cmocka_unit_test(not_a_capture),
        cmocka_unit_test(empty_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
