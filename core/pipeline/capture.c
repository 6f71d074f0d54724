/* SPDX-License-Identifier: Apache-2.0 */
/* Capture files (docs/capture-format.md): writer and bounds-checked reader. */
#include "pipeline/capture.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define FLUSH_AT      (256u * 1024u)
#define MAX_IDENTS    4096
#define MAX_IDENT_STR 1024

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* ---- Writing ------------------------------------------------------------------------------ */

struct wident {
    struct skr_capture_ident id;
    char *strs; /* the owned copies of the strings */
};

struct skr_capture_writer {
    pthread_mutex_t lock;
    FILE *f;
    char *path;
    struct wident *idents;
    size_t nidents;
    int write_errno;
    _Atomic uint64_t events;
};

static int buf_reserve(struct skr_capture_buf *b, size_t more)
{
    size_t need = b->len + more;
    size_t cap;
    uint8_t *np;

    if (need <= b->cap) {
        return 0;
    }
    cap = b->cap ? b->cap : 64 * 1024;
    while (cap < need) {
        cap *= 2;
    }
    np = realloc(b->p, cap);
    if (np == NULL) {
        return -ENOMEM;
    }
    b->p = np;
    b->cap = cap;
    return 0;
}

/* Appends a record header for a body of n bytes at body (already in the buffer or not). */
static int put_record(struct skr_capture_buf *b,
                      uint32_t type,
                      const void *head,
                      size_t hlen,
                      const void *body,
                      size_t blen)
{
    uint8_t rh[SKR_CAPTURE_RECORD_HEADER_LEN];
    uLong crc;
    int rc;

    if (hlen + blen > SKR_CAPTURE_MAX_RECORD) {
        return -EFBIG;
    }
    if ((rc = buf_reserve(b, sizeof(rh) + hlen + blen)) < 0) {
        return rc;
    }
    put32(rh, type);
    put32(rh + 4, (uint32_t)(hlen + blen));
    /* the CRC covers the record's type and length too */
    crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, rh, 8);
    crc = crc32(crc, head, (uInt)hlen);
    if (blen > 0) {
        crc = crc32(crc, body, (uInt)blen);
    }
    put32(rh + 8, (uint32_t)crc);
    put32(rh + 12, 0);
    memcpy(b->p + b->len, rh, sizeof(rh));
    memcpy(b->p + b->len + sizeof(rh), head, hlen);
    if (blen > 0) {
        memcpy(b->p + b->len + sizeof(rh) + hlen, body, blen);
    }
    b->len += sizeof(rh) + hlen + blen;
    return 0;
}

struct skr_capture_writer *skr_capture_create(const char *path, struct skr_err *err)
{
    struct skr_capture_writer *w = calloc(1, sizeof(*w));
    uint8_t hdr[SKR_CAPTURE_HEADER_LEN];

    if (w == NULL) {
        skr_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    w->f = fopen(path, "wb");
    w->path = strdup(path);
    if (w->f == NULL || w->path == NULL) {
        skr_err_set(err, -errno, "capture file %s: cannot create: %s", path, strerror(errno));
        if (w->f != NULL) {
            fclose(w->f);
        }
        free(w->path);
        free(w);
        return NULL;
    }
    memset(hdr, 0, sizeof(hdr));
    memcpy(hdr, SKR_CAPTURE_MAGIC, 8);
    put16(hdr + 8, SKR_CAPTURE_VERSION_MAJOR);
    put16(hdr + 10, SKR_CAPTURE_VERSION_MINOR);
    put32(hdr + 12, SKR_CAPTURE_HEADER_LEN);
    if (fwrite(hdr, 1, sizeof(hdr), w->f) != sizeof(hdr)) {
        w->write_errno = errno ? errno : EIO;
    }
    pthread_mutex_init(&w->lock, NULL);
    return w;
}

static bool same_ident(const struct skr_capture_ident *a, const struct skr_capture_ident *b)
{
    return a->plugin_id == b->plugin_id && strcmp(a->source, b->source) == 0 &&
           strcmp(a->plugin, b->plugin) == 0 && strcmp(a->version, b->version) == 0;
}

int skr_capture_ref(struct skr_capture_writer *w,
                    struct skr_capture_buf *buf,
                    const struct skr_capture_ident *id)
{
    uint8_t body[8 + 3 * (2 + MAX_IDENT_STR)];
    size_t off = 8;
    const char *strs[3] = { id->source, id->plugin, id->version };
    struct wident *ni;
    struct wident *nw;
    int ref;
    int rc;

    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->nidents; i++) {
        if (same_ident(&w->idents[i].id, id)) {
            pthread_mutex_unlock(&w->lock);
            return (int)i;
        }
    }
    if (w->nidents >= MAX_IDENTS) {
        pthread_mutex_unlock(&w->lock);
        return -ENOSPC;
    }
    ni = realloc(w->idents, (w->nidents + 1) * sizeof(*ni));
    if (ni == NULL) {
        pthread_mutex_unlock(&w->lock);
        return -ENOMEM;
    }
    w->idents = ni;
    nw = &w->idents[w->nidents];
    {
        size_t l0 = strlen(id->source) + 1;
        size_t l1 = strlen(id->plugin) + 1;
        size_t l2 = strlen(id->version) + 1;
        nw->strs = malloc(l0 + l1 + l2);
        if (nw->strs == NULL) {
            pthread_mutex_unlock(&w->lock);
            return -ENOMEM;
        }
        memcpy(nw->strs, id->source, l0);
        memcpy(nw->strs + l0, id->plugin, l1);
        memcpy(nw->strs + l0 + l1, id->version, l2);
        nw->id.source = nw->strs;
        nw->id.plugin = nw->strs + l0;
        nw->id.version = nw->strs + l0 + l1;
        nw->id.plugin_id = id->plugin_id;
    }
    ref = (int)w->nidents;
    put16(body, (uint16_t)ref);
    put16(body + 2, 0);
    put32(body + 4, id->plugin_id);
    for (int i = 0; i < 3; i++) {
        size_t l = strlen(strs[i]);
        if (l > MAX_IDENT_STR) {
            l = MAX_IDENT_STR;
        }
        put16(body + off, (uint16_t)l);
        memcpy(body + off + 2, strs[i], l);
        off += 2 + l;
    }
    /* the declaration goes to the file before any event that uses it */
    {
        struct skr_capture_buf decl = { 0 };
        rc = put_record(&decl, SKR_CAPTURE_REC_SOURCE, body, off, NULL, 0);
        if (rc == 0) {
            if (buf != NULL && buf->len > 0 && fwrite(buf->p, 1, buf->len, w->f) != buf->len &&
                w->write_errno == 0) {
                w->write_errno = errno ? errno : EIO;
            }
            if (buf != NULL) {
                buf->len = 0;
            }
            if (fwrite(decl.p, 1, decl.len, w->f) != decl.len && w->write_errno == 0) {
                w->write_errno = errno ? errno : EIO;
            }
        }
        free(decl.p);
    }
    if (rc < 0) {
        free(nw->strs);
        pthread_mutex_unlock(&w->lock);
        return rc;
    }
    w->nidents++;
    pthread_mutex_unlock(&w->lock);
    return ref;
}

int skr_capture_event(struct skr_capture_writer *w,
                      struct skr_capture_buf *buf,
                      int ref,
                      const ss_plugin_event *evt)
{
    uint8_t head[8];
    int rc;

    put16(head, (uint16_t)ref);
    put16(head + 2, 0);
    put32(head + 4, 0);
    rc = put_record(buf, SKR_CAPTURE_REC_EVENT, head, sizeof(head), evt, evt->len);
    if (rc < 0) {
        return rc;
    }
    atomic_fetch_add_explicit(&w->events, 1, memory_order_relaxed);
    if (buf->len >= FLUSH_AT) {
        return skr_capture_flush(w, buf);
    }
    return 0;
}

int skr_capture_flush(struct skr_capture_writer *w, struct skr_capture_buf *buf)
{
    int rc = 0;

    if (buf->len == 0) {
        return 0;
    }
    pthread_mutex_lock(&w->lock);
    if (fwrite(buf->p, 1, buf->len, w->f) != buf->len) {
        if (w->write_errno == 0) {
            w->write_errno = errno ? errno : EIO;
        }
        rc = -w->write_errno;
    }
    pthread_mutex_unlock(&w->lock);
    buf->len = 0;
    return rc;
}

void skr_capture_buf_fini(struct skr_capture_buf *buf)
{
    free(buf->p);
    buf->p = NULL;
    buf->len = 0;
    buf->cap = 0;
}

uint64_t skr_capture_events(const struct skr_capture_writer *w)
{
    return atomic_load(&((struct skr_capture_writer *)w)->events);
}

int skr_capture_close(struct skr_capture_writer *w, struct skr_err *err)
{
    int rc = 0;

    if (w == NULL) {
        return 0;
    }
    if (fclose(w->f) != 0 && w->write_errno == 0) {
        w->write_errno = errno ? errno : EIO;
    }
    if (w->write_errno != 0) {
        rc = skr_err_set(err, -w->write_errno,
                         "capture file %s: write failed: %s: the capture is incomplete", w->path,
                         strerror(w->write_errno));
    }
    for (size_t i = 0; i < w->nidents; i++) {
        free(w->idents[i].strs);
    }
    pthread_mutex_destroy(&w->lock);
    free(w->idents);
    free(w->path);
    free(w);
    return rc;
}

/* ---- Reading ------------------------------------------------------------------------------ */

struct rident {
    struct skr_capture_ident id;
    char *strs;
};

struct skr_capture_reader {
    FILE *f;
    bool own;
    char *name;
    uint64_t off;
    uint8_t *buf;
    size_t cap;
    struct rident *idents;
    size_t nidents;
};

static size_t read_full(struct skr_capture_reader *r, void *p, size_t n)
{
    size_t got = fread(p, 1, n, r->f);

    r->off += got;
    return got;
}

struct skr_capture_reader *skr_capture_open_file(FILE *f, const char *name, struct skr_err *err)
{
    struct skr_capture_reader *r = calloc(1, sizeof(*r));
    uint8_t hdr[SKR_CAPTURE_HEADER_LEN];
    size_t got;
    uint32_t hlen;

    if (r == NULL || (r->name = strdup(name)) == NULL) {
        free(r);
        skr_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    r->f = f;
    got = read_full(r, hdr, 16);
    if (got < 8 || memcmp(hdr, SKR_CAPTURE_MAGIC, 8) != 0) {
        skr_err_set(err, -EINVAL,
                    "capture file %s: offset 0: not a Saker capture file (no SAKERCAP magic)",
                    name);
        goto fail;
    }
    if (got < 16) {
        skr_err_set(err, -EINVAL, "capture file %s: offset %zu: truncated file header", name, got);
        goto fail;
    }
    if (get16(hdr + 8) != SKR_CAPTURE_VERSION_MAJOR) {
        skr_err_set(err, -EINVAL,
                    "capture file %s: offset 8: format version %u.%u, this Saker reads %u.x: "
                    "replay it with a matching Saker",
                    name, get16(hdr + 8), get16(hdr + 10), SKR_CAPTURE_VERSION_MAJOR);
        goto fail;
    }
    hlen = get32(hdr + 12);
    if (hlen < SKR_CAPTURE_HEADER_LEN || hlen > 4096) {
        skr_err_set(err, -EINVAL, "capture file %s: offset 12: invalid header length %u", name,
                    hlen);
        goto fail;
    }
    /* skip the rest of the header (newer minor versions may make it longer) */
    while (r->off < hlen) {
        uint8_t skip[256];
        size_t want = hlen - r->off > sizeof(skip) ? sizeof(skip) : (size_t)(hlen - r->off);
        if (read_full(r, skip, want) != want) {
            skr_err_set(err, -EINVAL, "capture file %s: offset %llu: truncated file header", name,
                        (unsigned long long)r->off);
            goto fail;
        }
    }
    return r;
fail:
    free(r->name);
    free(r);
    return NULL;
}

struct skr_capture_reader *skr_capture_open(const char *path, struct skr_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct skr_capture_reader *r;

    if (f == NULL) {
        skr_err_set(err, -errno, "capture file %s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    r = skr_capture_open_file(f, path, err);
    if (r == NULL) {
        if (f != stdin) {
            fclose(f);
        }
        return NULL;
    }
    r->own = f != stdin;
    return r;
}

static int parse_source(struct skr_capture_reader *r,
                        const uint8_t *b,
                        uint32_t n,
                        struct skr_capture_rec *rec,
                        struct skr_err *err)
{
    size_t off = 8;
    const char *s[3];
    size_t l[3];
    struct rident *ni;
    struct rident *id;
    uint16_t ref;

    if (n < 8) {
        return skr_err_set(err, -EINVAL,
                           "capture file %s: offset %llu: source record too short (%u bytes)",
                           r->name, (unsigned long long)rec->offset, n);
    }
    ref = get16(b);
    for (int i = 0; i < 3; i++) {
        if (off + 2 > n || off + 2 + get16(b + off) > n) {
            return skr_err_set(err, -EINVAL,
                               "capture file %s: offset %llu: source record strings overrun "
                               "the record",
                               r->name, (unsigned long long)rec->offset);
        }
        l[i] = get16(b + off);
        s[i] = (const char *)b + off + 2;
        off += 2 + l[i];
    }
    if (ref != r->nidents) {
        return skr_err_set(err, -EINVAL,
                           "capture file %s: offset %llu: source reference %u out of order "
                           "(expected %zu)",
                           r->name, (unsigned long long)rec->offset, ref, r->nidents);
    }
    if (r->nidents >= MAX_IDENTS) {
        return skr_err_set(err, -EINVAL, "capture file %s: offset %llu: too many sources", r->name,
                           (unsigned long long)rec->offset);
    }
    ni = realloc(r->idents, (r->nidents + 1) * sizeof(*ni));
    if (ni == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    r->idents = ni;
    id = &r->idents[r->nidents];
    id->strs = malloc(l[0] + l[1] + l[2] + 3);
    if (id->strs == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    memcpy(id->strs, s[0], l[0]);
    id->strs[l[0]] = '\0';
    memcpy(id->strs + l[0] + 1, s[1], l[1]);
    id->strs[l[0] + 1 + l[1]] = '\0';
    memcpy(id->strs + l[0] + l[1] + 2, s[2], l[2]);
    id->strs[l[0] + l[1] + 2 + l[2]] = '\0';
    id->id.source = id->strs;
    id->id.plugin = id->strs + l[0] + 1;
    id->id.version = id->strs + l[0] + l[1] + 2;
    id->id.plugin_id = get32(b + 4);
    if (l[0] == 0 || memchr(id->id.source, '\0', l[0]) != NULL) {
        free(id->strs);
        return skr_err_set(err, -EINVAL,
                           "capture file %s: offset %llu: empty or invalid source name", r->name,
                           (unsigned long long)rec->offset);
    }
    r->nidents++;
    rec->ref = ref;
    rec->ident = id->id;
    return 0;
}

int skr_capture_next(struct skr_capture_reader *r, struct skr_capture_rec *rec, struct skr_err *err)
{
    uint8_t rh[SKR_CAPTURE_RECORD_HEADER_LEN];
    uint32_t type;
    uint32_t n;
    uint32_t crc;
    size_t got;

    for (;;) {
        memset(rec, 0, sizeof(*rec));
        rec->offset = r->off;
        got = read_full(r, rh, sizeof(rh));
        if (got == 0) {
            if (ferror(r->f)) {
                return skr_err_set(err, -EIO, "capture file %s: offset %llu: read error", r->name,
                                   (unsigned long long)rec->offset);
            }
            return 0;
        }
        if (got < sizeof(rh)) {
            return skr_err_set(err, -EINVAL,
                               "capture file %s: offset %llu: truncated record header (%zu of "
                               "%d bytes): the file was cut short",
                               r->name, (unsigned long long)rec->offset, got,
                               SKR_CAPTURE_RECORD_HEADER_LEN);
        }
        type = get32(rh);
        n = get32(rh + 4);
        crc = get32(rh + 8);
        if (get32(rh + 12) != 0) {
            return skr_err_set(err, -EINVAL,
                               "capture file %s: offset %llu: record header has a non-zero "
                               "reserved field: the file is corrupt",
                               r->name, (unsigned long long)rec->offset);
        }
        if (n > SKR_CAPTURE_MAX_RECORD) {
            return skr_err_set(err, -EINVAL,
                               "capture file %s: offset %llu: record of %u bytes exceeds the %u "
                               "byte limit: the file is corrupt",
                               r->name, (unsigned long long)rec->offset, n, SKR_CAPTURE_MAX_RECORD);
        }
        if (n > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            uint8_t *nb;
            while (cap < n) {
                cap *= 2;
            }
            nb = realloc(r->buf, cap);
            if (nb == NULL) {
                return skr_err_set(err, -ENOMEM, "out of memory");
            }
            r->buf = nb;
            r->cap = cap;
        }
        got = read_full(r, r->buf, n);
        if (got < n) {
            return skr_err_set(err, -EINVAL,
                               "capture file %s: offset %llu: truncated record (%zu of %u bytes): "
                               "the file was cut short",
                               r->name, (unsigned long long)rec->offset, got, n);
        }
        /* zlib's crc32() of a NULL buffer is 0, not the running value: an empty body adds
         * nothing */
        if ((uint32_t)(n ? crc32(crc32(crc32(0L, Z_NULL, 0), rh, 8), r->buf, n)
                         : crc32(crc32(0L, Z_NULL, 0), rh, 8)) != crc) {
            return skr_err_set(err, -EINVAL,
                               "capture file %s: offset %llu: record checksum mismatch: the file "
                               "is corrupt",
                               r->name, (unsigned long long)rec->offset);
        }
        if (type == SKR_CAPTURE_REC_SOURCE) {
            rec->type = SKR_CAPTURE_REC_SOURCE;
            int rc = parse_source(r, r->buf, n, rec, err);
            return rc < 0 ? rc : 1;
        }
        if (type == SKR_CAPTURE_REC_EVENT) {
            uint32_t elen;
            if (n < 8 + 26) {
                return skr_err_set(err, -EINVAL,
                                   "capture file %s: offset %llu: event record too short (%u "
                                   "bytes)",
                                   r->name, (unsigned long long)rec->offset, n);
            }
            rec->type = SKR_CAPTURE_REC_EVENT;
            rec->ref = get16(r->buf);
            memcpy(&elen, r->buf + 8 + 16, 4);
            if (elen != n - 8) {
                return skr_err_set(err, -EINVAL,
                                   "capture file %s: offset %llu: event length %u does not match "
                                   "its record (%u bytes)",
                                   r->name, (unsigned long long)rec->offset, elen, n - 8);
            }
            if ((size_t)rec->ref >= r->nidents) {
                return skr_err_set(err, -EINVAL,
                                   "capture file %s: offset %llu: event of undeclared source "
                                   "reference %d",
                                   r->name, (unsigned long long)rec->offset, rec->ref);
            }
            rec->ident = r->idents[rec->ref].id;
            rec->evt = (const ss_plugin_event *)(r->buf + 8);
            return 1;
        }
        /* unknown record types (a newer minor version) are skipped: the CRC held */
    }
}

const struct skr_capture_ident *skr_capture_ident_of(const struct skr_capture_reader *r, int ref)
{
    return ref >= 0 && (size_t)ref < r->nidents ? &r->idents[ref].id : NULL;
}

void skr_capture_close_reader(struct skr_capture_reader *r)
{
    if (r == NULL) {
        return;
    }
    if (r->own) {
        fclose(r->f);
    }
    for (size_t i = 0; i < r->nidents; i++) {
        free(r->idents[i].strs);
    }
    free(r->idents);
    free(r->buf);
    free(r->name);
    free(r);
}
