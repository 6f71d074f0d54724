/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture files for rule tests: gzip-compressed captures are unpacked before
 * a replay, and a recording is cut down to the events of the test's own
 * threads before it is committed. The cut goes through the capture reader
 * and writer of core/pipeline, so every record is checked (CRC, lengths) on
 * the way and the result is a capture like any other (docs/capture-format.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "pipeline/capture.h"
#include "ruletest/ruletest_int.h"

#define COPY_CHUNK (256 * 1024)
#define REF_MAX    65536 /* references are 16-bit */

static bool is_gzip(const char *path, struct skr_err *err, int *rc)
{
    unsigned char magic[2] = { 0, 0 };
    FILE *f = fopen(path, "rb");
    size_t n;

    *rc = 0;
    if (f == NULL) {
        *rc = skr_err_set(err, -errno, "capture file %s: cannot open: %s", path, strerror(errno));
        return false;
    }
    n = fread(magic, 1, sizeof(magic), f);
    fclose(f);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

/* True when the stream ended early or broken (gzread may end a cut-off file quietly). */
static bool gz_failed(gzFile gz)
{
    int zerr = Z_OK;

    gzerror(gz, &zerr);
    return zerr != Z_OK && zerr != Z_STREAM_END;
}

int skr_rt_capture_unpack(const char *src, const char *dst, const char **use, struct skr_err *err)
{
    unsigned char *buf = NULL;
    gzFile gz = NULL;
    FILE *out = NULL;
    int rc = 0;
    int n;

    *use = src;
    if (!is_gzip(src, err, &rc)) {
        return rc;
    }
    if ((buf = malloc(COPY_CHUNK)) == NULL) {
        return skr_err_set(err, -ENOMEM, "capture file %s: out of memory", src);
    }
    gz = gzopen(src, "rb");
    out = fopen(dst, "wb");
    if (gz == NULL || out == NULL) {
        rc = skr_err_set(err, -EIO, "capture file %s: cannot unpack into %s: %s", src, dst,
                         strerror(errno));
        goto out;
    }
    while ((n = gzread(gz, buf, COPY_CHUNK)) > 0) {
        if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
            rc = skr_err_set(err, -EIO, "%s: cannot write: %s", dst, strerror(errno));
            goto out;
        }
    }
    if (n < 0 || gz_failed(gz)) {
        int zerr = 0;
        const char *msg = gzerror(gz, &zerr);
        rc = skr_err_set(err, -EIO, "capture file %s: damaged gzip data (%s): record it again", src,
                         msg ? msg : "unknown error");
        goto out;
    }
    *use = dst;
out:
    if (gz != NULL && gzclose(gz) != Z_OK && rc == 0) {
        rc = skr_err_set(err, -EIO, "capture file %s: damaged gzip data: record it again", src);
        *use = src;
    }
    if (out != NULL && fclose(out) != 0 && rc == 0) {
        rc = skr_err_set(err, -EIO, "%s: cannot write: %s", dst, strerror(errno));
    }
    free(buf);
    return rc;
}

static bool keep_tid(uint64_t tid, const int64_t *tids, size_t n)
{
    size_t lo = 0, hi = n;
    int64_t t = (int64_t)tid;

    if (tid == UINT64_MAX) {
        return true;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tids[mid] == t) {
            return true;
        }
        if (tids[mid] < t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

static int gzip_file(const char *in, const char *out, struct skr_err *err)
{
    unsigned char *buf = malloc(COPY_CHUNK);
    FILE *f = fopen(in, "rb");
    gzFile gz = gzopen(out, "wb9");
    int rc = 0;
    size_t n;

    if (buf == NULL || f == NULL || gz == NULL) {
        rc = skr_err_set(err, -EIO, "cannot compress %s into %s: %s", in, out,
                         buf == NULL ? "out of memory" : strerror(errno));
        goto out;
    }
    while ((n = fread(buf, 1, COPY_CHUNK, f)) > 0) {
        if (gzwrite(gz, buf, (unsigned)n) != (int)n) {
            rc = skr_err_set(err, -EIO, "%s: cannot write the compressed capture", out);
            goto out;
        }
    }
    if (ferror(f)) {
        rc = skr_err_set(err, -EIO, "%s: cannot read: %s", in, strerror(errno));
    }
out:
    if (gz != NULL && gzclose(gz) != Z_OK && rc == 0) {
        rc = skr_err_set(err, -EIO, "%s: cannot write the compressed capture", out);
    }
    if (f != NULL) {
        fclose(f);
    }
    free(buf);
    return rc;
}

int skr_rt_capture_filter(const char *in,
                          const char *out,
                          const int64_t *tids,
                          size_t ntids,
                          bool gzip,
                          uint64_t *kept,
                          uint64_t *dropped,
                          struct skr_err *err)
{
    struct skr_capture_reader *r = NULL;
    struct skr_capture_writer *w = NULL;
    struct skr_capture_buf buf = { 0 };
    struct skr_strbuf plain, tmp;
    int *refmap = NULL;
    int rc = 0;

    *kept = 0;
    *dropped = 0;
    skr_strbuf_init(&plain);
    skr_strbuf_init(&tmp);
    skr_strbuf_printf(&plain, "%s.plain.tmp", out);
    skr_strbuf_printf(&tmp, "%s.tmp", out);
    if (plain.truncated || tmp.truncated) {
        rc = skr_err_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    if ((refmap = malloc(REF_MAX * sizeof(*refmap))) == NULL) {
        rc = skr_err_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < REF_MAX; i++) {
        refmap[i] = -1;
    }
    if ((r = skr_capture_open(in, err)) == NULL ||
        (w = skr_capture_create(gzip ? plain.p : tmp.p, err)) == NULL) {
        rc = err->code ? err->code : -EIO;
        goto out;
    }
    for (;;) {
        struct skr_capture_rec rec;
        int ref;
        rc = skr_capture_next(r, &rec, err);
        if (rc <= 0) {
            break;
        }
        if (rec.ref < 0 || rec.ref >= REF_MAX) {
            rc = skr_err_set(err, -EINVAL,
                             "capture file %s: offset %llu: reference %d out of range", in,
                             (unsigned long long)rec.offset, rec.ref);
            break;
        }
        if (rec.type == SKR_CAPTURE_REC_SOURCE) {
            /* Identities keep their order: a replay learns its sources from them. */
            ref = skr_capture_ref(w, &buf, &rec.ident);
            if (ref < 0) {
                rc = skr_err_set(err, ref, "%s: cannot declare source '%s': %s", out,
                                 rec.ident.source, strerror(-ref));
                break;
            }
            refmap[rec.ref] = ref;
            continue;
        }
        if (!keep_tid(rec.evt->tid, tids, ntids)) {
            (*dropped)++;
            continue;
        }
        ref = refmap[rec.ref];
        if (ref < 0) {
            ref = skr_capture_ref(w, &buf, skr_capture_ident_of(r, rec.ref));
            refmap[rec.ref] = ref;
        }
        if (ref < 0 || (rc = skr_capture_event(w, &buf, ref, rec.evt)) < 0) {
            rc = skr_err_set(err, ref < 0 ? ref : rc, "%s: cannot write an event", out);
            break;
        }
        (*kept)++;
    }
    if (rc == 0 && (rc = skr_capture_flush(w, &buf)) < 0) {
        skr_err_set(err, rc, "%s: cannot write: %s", out, strerror(-rc));
    }
out:
    skr_capture_buf_fini(&buf);
    free(refmap);
    if (w != NULL) {
        struct skr_err cerr;
        int crc = skr_capture_close(w, &cerr);
        if (crc < 0 && rc == 0) {
            *err = cerr;
            rc = crc;
        }
    }
    skr_capture_close_reader(r);
    if (rc == 0 && gzip) {
        rc = gzip_file(plain.p, tmp.p, err);
    }
    if (rc == 0 && rename(tmp.p, out) != 0) {
        rc = skr_err_set(err, -errno, "cannot move %s to %s: %s", tmp.p, out, strerror(errno));
    }
    if (plain.p[0] != '\0') {
        unlink(plain.p);
    }
    if (rc != 0 && tmp.p[0] != '\0') {
        unlink(tmp.p);
    }
    skr_strbuf_fini(&plain);
    skr_strbuf_fini(&tmp);
    return rc;
}
