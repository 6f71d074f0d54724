/* SPDX-License-Identifier: Apache-2.0 */
#include <saker/sdk.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool saker_evt_large_payload(uint16_t type)
{
    return type == 322 || type == 323 || type == 324 || type == 325 || type == 402 || type == 403;
}

int saker_evt_param(const ss_plugin_event *evt, uint32_t idx, const uint8_t **data, uint32_t *len)
{
    const uint8_t *base = (const uint8_t *)evt;
    uint32_t lw = saker_evt_large_payload(evt->type) ? 4 : 2;
    uint64_t off;
    uint64_t lens_end;

    if (evt->len < SAKER_EVT_HDR_LEN || idx >= evt->nparams) {
        return -1;
    }
    lens_end = SAKER_EVT_HDR_LEN + (uint64_t)evt->nparams * lw;
    if (lens_end > evt->len) {
        return -1;
    }
    off = lens_end;
    for (uint32_t i = 0; i <= idx; i++) {
        uint32_t l;
        if (lw == 4) {
            memcpy(&l, base + SAKER_EVT_HDR_LEN + (uint64_t)i * 4, 4);
        } else {
            uint16_t l16;
            memcpy(&l16, base + SAKER_EVT_HDR_LEN + (uint64_t)i * 2, 2);
            l = l16;
        }
        if (i == idx) {
            if (off + l > evt->len) {
                return -1;
            }
            *data = base + off;
            *len = l;
            return 0;
        }
        off += l;
    }
    return -1;
}

uint32_t saker_evt_build(void *buf,
                         size_t cap,
                         uint64_t ts,
                         uint64_t tid,
                         uint16_t type,
                         uint32_t nparams,
                         const void *const *data,
                         const uint32_t *lens)
{
    uint32_t lw = saker_evt_large_payload(type) ? 4 : 2;
    uint64_t total = SAKER_EVT_HDR_LEN + (uint64_t)nparams * lw;
    uint8_t *p = buf;
    ss_plugin_event hdr;

    for (uint32_t i = 0; i < nparams; i++) {
        if (lw == 2 && lens[i] > UINT16_MAX) {
            return 0;
        }
        total += lens[i];
    }
    if (total > cap || total > UINT32_MAX) {
        return 0;
    }
    hdr.ts = ts;
    hdr.tid = tid;
    hdr.len = (uint32_t)total;
    hdr.type = type;
    hdr.nparams = nparams;
    memcpy(p, &hdr, SAKER_EVT_HDR_LEN);
    p += SAKER_EVT_HDR_LEN;
    for (uint32_t i = 0; i < nparams; i++) {
        if (lw == 4) {
            memcpy(p, &lens[i], 4);
        } else {
            uint16_t l16 = (uint16_t)lens[i];
            memcpy(p, &l16, 2);
        }
        p += lw;
    }
    for (uint32_t i = 0; i < nparams; i++) {
        if (lens[i] > 0) {
            memcpy(p, data[i], lens[i]);
        }
        p += lens[i];
    }
    return (uint32_t)total;
}

uint32_t saker_evt_build_plugin(void *buf,
                                size_t cap,
                                uint64_t ts,
                                uint32_t plugin_id,
                                const void *data,
                                uint32_t len)
{
    const void *params[2] = { &plugin_id, data };
    uint32_t lens[2] = { 4, len };

    return saker_evt_build(buf, cap, ts, UINT64_MAX, PPME_PLUGINEVENT_E, 2, params, lens);
}

int saker_evt_plugin_payload(const ss_plugin_event *evt,
                             uint32_t *plugin_id,
                             const uint8_t **data,
                             uint32_t *len)
{
    const uint8_t *idp;
    uint32_t idlen;

    if (evt->type != PPME_PLUGINEVENT_E || evt->nparams != 2) {
        return -1;
    }
    if (saker_evt_param(evt, 0, &idp, &idlen) < 0 || idlen != 4) {
        return -1;
    }
    if (saker_evt_param(evt, 1, data, len) < 0) {
        return -1;
    }
    memcpy(plugin_id, idp, 4);
    return 0;
}

/* ---- store ---- */

struct saker_store_block {
    struct saker_store_block *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

void saker_store_init(struct saker_store *s)
{
    s->head = NULL;
}

void saker_store_fini(struct saker_store *s)
{
    struct saker_store_block *b = s->head;

    while (b != NULL) {
        struct saker_store_block *n = b->next;
        free(b);
        b = n;
    }
    s->head = NULL;
}

void saker_store_reset(struct saker_store *s)
{
    struct saker_store_block *b = s->head;

    if (b == NULL) {
        return;
    }
    /* keep the newest (largest) block, free the rest */
    struct saker_store_block *rest = b->next;
    while (rest != NULL) {
        struct saker_store_block *n = rest->next;
        free(rest);
        rest = n;
    }
    b->next = NULL;
    b->used = 0;
}

void *saker_store_alloc(struct saker_store *s, size_t size)
{
    struct saker_store_block *b = s->head;
    size_t rounded = (size + 15) & ~(size_t)15;

    if (rounded == 0) {
        rounded = 16;
    }
    if (b == NULL || b->size - b->used < rounded) {
        size_t bsize = 4096;
        if (b != NULL && b->size * 2 > bsize) {
            bsize = b->size * 2;
        }
        while (bsize < rounded) {
            bsize *= 2;
        }
        struct saker_store_block *nb = malloc(sizeof(*nb) + bsize);
        if (nb == NULL) {
            return NULL;
        }
        nb->size = bsize;
        nb->used = 0;
        nb->next = b;
        s->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    return p;
}

const char *saker_store_strndup(struct saker_store *s, const char *p, size_t n)
{
    char *d = saker_store_alloc(s, n + 1);

    if (d == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(d, p, n);
    }
    d[n] = '\0';
    return d;
}

int saker_field_set_str(struct saker_store *s, ss_plugin_extract_field *f, const char *p, size_t n)
{
    const char **arr = saker_store_alloc(s, sizeof(*arr));

    if (arr == NULL || (arr[0] = saker_store_strndup(s, p, n)) == NULL) {
        return -1;
    }
    f->res.str = arr;
    f->res_len = 1;
    return 0;
}

int saker_field_set_u64(struct saker_store *s, ss_plugin_extract_field *f, uint64_t v)
{
    uint64_t *arr = saker_store_alloc(s, sizeof(*arr));

    if (arr == NULL) {
        return -1;
    }
    arr[0] = v;
    f->res.u64 = arr;
    f->res_len = 1;
    return 0;
}

int saker_field_set_bool(struct saker_store *s, ss_plugin_extract_field *f, bool v)
{
    ss_plugin_bool *arr = saker_store_alloc(s, sizeof(*arr));

    if (arr == NULL) {
        return -1;
    }
    arr[0] = v ? 1 : 0;
    f->res.boolean = arr;
    f->res_len = 1;
    return 0;
}

int saker_field_set_buf(struct saker_store *s,
                        ss_plugin_extract_field *f,
                        const void *p,
                        uint32_t n)
{
    ss_plugin_byte_buffer *arr = saker_store_alloc(s, sizeof(*arr));
    void *copy = saker_store_alloc(s, n);

    if (arr == NULL || copy == NULL) {
        return -1;
    }
    if (n > 0) {
        memcpy(copy, p, n);
    }
    arr[0].len = n;
    arr[0].ptr = copy;
    f->res.buf = arr;
    f->res_len = 1;
    return 0;
}

/* Grows a result array by one slot; the old array stays in the store until reset. */
static void *grow(struct saker_store *s, const void *old, uint64_t n, size_t elem)
{
    void *arr = saker_store_alloc(s, (size_t)(n + 1) * elem);

    if (arr != NULL && n > 0) {
        memcpy(arr, old, (size_t)n * elem);
    }
    return arr;
}

int saker_field_add_str(struct saker_store *s,
                        ss_plugin_extract_field *f,
                        const char *p,
                        size_t n,
                        uint32_t max_values)
{
    const char **arr;
    const char *copy;

    if (f->res_len >= max_values) {
        return -1;
    }
    arr = grow(s, f->res_len ? f->res.str : NULL, f->res_len, sizeof(*arr));
    copy = saker_store_strndup(s, p, n);
    if (arr == NULL || copy == NULL) {
        return -1;
    }
    arr[f->res_len] = copy;
    f->res.str = arr;
    f->res_len++;
    return 0;
}

int saker_field_add_u64(struct saker_store *s,
                        ss_plugin_extract_field *f,
                        uint64_t v,
                        uint32_t max_values)
{
    uint64_t *arr;

    if (f->res_len >= max_values) {
        return -1;
    }
    arr = grow(s, f->res_len ? f->res.u64 : NULL, f->res_len, sizeof(*arr));
    if (arr == NULL) {
        return -1;
    }
    arr[f->res_len] = v;
    f->res.u64 = arr;
    f->res_len++;
    return 0;
}

ss_plugin_rc saker_err(struct saker_errbuf *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) < 0) {
        e->msg[0] = '\0';
    }
    va_end(ap);
    return SS_PLUGIN_FAILURE;
}
