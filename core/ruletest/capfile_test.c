/* SPDX-License-Identifier: Apache-2.0 */
/* Captures: gzip unpacking, and the cut of a recording to the threads of the tests. */
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
#include "ruletest/ruletest_int.h"

static char base[64];

static char *tmp(const char *name)
{
    static char paths[8][128];
    static int next;
    char *p = paths[next++ % 8];

    snprintf(p, sizeof(paths[0]), "%s-%s", base, name);
    return p;
}

static void make_event(uint8_t *buf, uint64_t ts, uint64_t tid)
{
    ss_plugin_event *e = (ss_plugin_event *)buf;
    uint32_t lens[1] = { 8 };

    e->ts = ts;
    e->tid = tid;
    e->type = 322;
    e->nparams = 1;
    e->len = 26 + 4 + 8;
    memcpy(buf + 26, lens, 4);
    memcpy(buf + 30, &ts, 8);
}

/* Two sources; events of threads 10, 11, 12 and of no thread (-1), interleaved. */
static void write_recording(const char *path)
{
    struct skr_capture_ident a = { "syscall", "syscall", "0.1.0", 0 };
    struct skr_capture_ident b = { "syscall", "container", "0.7.1", 0 };
    static const uint64_t tids[] = { 10, 11, UINT64_MAX, 12, 10, 11, 12, UINT64_MAX };
    struct skr_capture_buf buf = { 0 };
    struct skr_capture_writer *w;
    struct skr_err err;
    uint8_t ev[64];

    w = skr_capture_create(path, &err);
    assert_non_null(w);
    assert_int_equal(skr_capture_ref(w, &buf, &a), 0);
    assert_int_equal(skr_capture_ref(w, &buf, &b), 1);
    for (size_t i = 0; i < sizeof(tids) / sizeof(tids[0]); i++) {
        make_event(ev, 100 + i, tids[i]);
        assert_int_equal(skr_capture_event(w, &buf, (int)(i % 2), (ss_plugin_event *)ev), 0);
    }
    assert_int_equal(skr_capture_flush(w, &buf), 0);
    skr_capture_buf_fini(&buf);
    assert_int_equal(skr_capture_close(w, &err), 0);
}

/* Reads a capture back: the timestamps of its events, and its identities. */
static size_t read_back(const char *path, uint64_t *ts, size_t max, size_t *nsources)
{
    struct skr_capture_reader *r;
    struct skr_capture_rec rec;
    struct skr_err err;
    size_t n = 0;
    int rc;

    *nsources = 0;
    r = skr_capture_open(path, &err);
    assert_non_null(r);
    while ((rc = skr_capture_next(r, &rec, &err)) == 1) {
        if (rec.type == SKR_CAPTURE_REC_SOURCE) {
            (*nsources)++;
        } else if (n < max) {
            ts[n++] = rec.evt->ts;
        }
    }
    assert_int_equal(rc, 0);
    skr_capture_close_reader(r);
    return n;
}

static void filter_keeps_listed_threads(void **state)
{
    const char *in = tmp("in.cap");
    const char *out = tmp("out.cap");
    const char *outgz = tmp("out.cap.gz");
    const char *unpacked = tmp("unpacked.cap");
    const int64_t keep[] = { 10, 12 };
    uint64_t kept, dropped, ts[16];
    const char *use;
    struct skr_err err;
    size_t nsrc, n;

    (void)state;
    write_recording(in);
    assert_int_equal(skr_rt_capture_filter(in, out, keep, 2, false, &kept, &dropped, &err), 0);
    assert_int_equal(kept, 6);
    assert_int_equal(dropped, 2);
    n = read_back(out, ts, 16, &nsrc);
    assert_int_equal(nsrc, 2);
    assert_int_equal(n, 6);
    assert_int_equal(ts[0], 100); /* tid 10 */
    assert_int_equal(ts[1], 102); /* no thread */
    assert_int_equal(ts[2], 103); /* tid 12 */
    assert_int_equal(ts[5], 107);
    /* the same, compressed: unpacked again it is the very same file */
    assert_int_equal(skr_rt_capture_filter(in, outgz, keep, 2, true, &kept, &dropped, &err), 0);
    assert_int_equal(skr_rt_capture_unpack(outgz, unpacked, &use, &err), 0);
    assert_string_equal(use, unpacked);
    n = read_back(unpacked, ts, 16, &nsrc);
    assert_int_equal(n, 6);
    /* a plain file is used in place */
    assert_int_equal(skr_rt_capture_unpack(out, unpacked, &use, &err), 0);
    assert_string_equal(use, out);
    /* no .tmp left behind */
    assert_int_not_equal(access(tmp("out.cap.tmp"), F_OK), 0);
    assert_int_not_equal(access(tmp("out.cap.gz.plain.tmp"), F_OK), 0);
}

static void damaged_inputs(void **state)
{
    const char *in = tmp("in2.cap");
    const char *out = tmp("out2.cap");
    const char *gz = tmp("cut.cap.gz");
    const char *dst = tmp("cut.cap");
    const int64_t keep[] = { 10 };
    uint64_t kept, dropped;
    struct skr_err err;
    const char *use;
    FILE *f;
    long size;
    gzFile z;

    (void)state;
    write_recording(in);
    /* a cut-off recording: the error names the file; no output is left */
    f = fopen(in, "r+");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    assert_int_equal(truncate(in, size - 5), 0);
    assert_true(skr_rt_capture_filter(in, out, keep, 1, false, &kept, &dropped, &err) < 0);
    assert_non_null(strstr(err.msg, "in2.cap"));
    assert_int_not_equal(access(out, F_OK), 0);
    /* a cut-off gzip file */
    z = gzopen(gz, "wb");
    assert_non_null(z);
    assert_int_equal(gzwrite(z, "SAKERCAP0123456789abcdefghijklmnopqrstuvwxyz", 44), 44);
    gzclose(z);
    f = fopen(gz, "r+");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    assert_int_equal(truncate(gz, size - 10), 0);
    assert_true(skr_rt_capture_unpack(gz, dst, &use, &err) < 0);
    assert_non_null(strstr(err.msg, "gzip"));
    /* a missing file */
    assert_int_equal(skr_rt_capture_unpack("/nonexistent.cap", dst, &use, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "/nonexistent.cap"));
}

static int teardown(void **state)
{
    static const char *const names[] = { "in.cap",       "out.cap", "out.cap.gz",
                                         "unpacked.cap", "in2.cap", "out2.cap",
                                         "cut.cap.gz",   "cut.cap", "out.cap.tmp" };

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        unlink(tmp(names[i]));
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filter_keeps_listed_threads),
        cmocka_unit_test(damaged_inputs),
    };

    snprintf(base, sizeof(base), "/tmp/saker-ruletest-cap-%d", (int)getpid());
    return cmocka_run_group_tests(tests, NULL, teardown);
}
