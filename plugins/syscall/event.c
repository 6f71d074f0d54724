// SPDX-License-Identifier: Apache-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "event.h"

#define HDR_LEN 26u

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static bool large_payload(uint16_t type)
{
    return type == 322 || type == 323 || type == 324 || type == 325 || type == 402 || type == 403;
}

int skr_ev_decode(struct skr_ev *ev, const void *buf, size_t buflen)
{
    const uint8_t *b = buf;
    uint32_t lw, off;

    if (!buf || buflen < HDR_LEN) {
        return -1;
    }
    ev->raw = b;
    ev->ts = rd64(b);
    ev->tid = (int64_t)rd64(b + 8);
    ev->len = rd32(b + 16);
    ev->type = rd16(b + 20);
    ev->nparams = rd32(b + 22);
    if (ev->len < HDR_LEN || ev->len > buflen) {
        return -1;
    }
    lw = large_payload(ev->type) ? 4 : 2;
    if (ev->nparams > SKR_MAX_EVT_PARAMS ||
        (uint64_t)HDR_LEN + (uint64_t)ev->nparams * lw > ev->len) {
        return -1;
    }
    off = HDR_LEN + ev->nparams * lw;
    for (uint32_t i = 0; i < ev->nparams; i++) {
        uint32_t l = lw == 2 ? rd16(b + HDR_LEN + 2 * i) : rd32(b + HDR_LEN + 4 * i);
        if ((uint64_t)off + l > ev->len) {
            return -1;
        }
        ev->p[i] = b + off;
        ev->plen[i] = l;
        off += l;
    }
    ev->info = skr_event_info(ev->type);
    return 0;
}

bool skr_ev_int(const struct skr_ev *ev, uint32_t i, bool is_signed, int64_t *out)
{
    const uint8_t *p;

    if (i >= ev->nparams || i >= SKR_MAX_EVT_PARAMS) {
        return false;
    }
    p = ev->p[i];
    switch (ev->plen[i]) {
    case 1:
        *out = is_signed ? (int64_t)(int8_t)p[0] : (int64_t)p[0];
        return true;
    case 2:
        *out = is_signed ? (int64_t)(int16_t)rd16(p) : (int64_t)rd16(p);
        return true;
    case 4:
        *out = is_signed ? (int64_t)(int32_t)rd32(p) : (int64_t)rd32(p);
        return true;
    case 8:
        *out = (int64_t)rd64(p);
        return true;
    default:
        return false;
    }
}

const char *skr_ev_str(const struct skr_ev *ev, uint32_t i, size_t *len)
{
    const char *s;
    const void *nul;

    if (!skr_ev_has(ev, i)) {
        *len = 0;
        return NULL;
    }
    s = (const char *)ev->p[i];
    nul = memchr(s, '\0', ev->plen[i]);
    *len = nul ? (size_t)((const char *)nul - s) : ev->plen[i];
    return s;
}

/* ---- String builder ------------------------------------------------------------ */

static bool reserve(struct skr_sbuf *b, size_t more)
{
    size_t need = b->len + more + 1;
    char *np;

    if (b->oom) {
        return false;
    }
    if (need <= b->cap) {
        return true;
    }
    if (need < 256) {
        need = 256;
    }
    if (need < b->cap * 2) {
        need = b->cap * 2;
    }
    np = realloc(b->p, need);
    if (!np) {
        b->oom = true;
        return false;
    }
    b->p = np;
    b->cap = need;
    return true;
}

void skr_sbuf_reset(struct skr_sbuf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->p) {
        b->p[0] = '\0';
    }
}

void skr_sbuf_fini(struct skr_sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

void skr_sbuf_add(struct skr_sbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n)) {
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void skr_sbuf_addc(struct skr_sbuf *b, char c)
{
    skr_sbuf_add(b, &c, 1);
}

void skr_sbuf_adds(struct skr_sbuf *b, const char *s)
{
    skr_sbuf_add(b, s, strlen(s));
}

void skr_sbuf_addf(struct skr_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        b->len += (size_t)n;
    }
}

const char *skr_sbuf_str(struct skr_sbuf *b)
{
    if (b->oom || !b->p) {
        return "";
    }
    return b->p;
}
