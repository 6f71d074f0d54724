/* SPDX-License-Identifier: Apache-2.0 */
/* Building blocks of the comparison operators: hash sets for in/intersects, the pmatch
 * prefix tree, byte searches, base64/hex decoding and IP parsing. */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

/* ---- String hash set ------------------------------------------------------------------ */

struct strset_ent {
    uint64_t hash;
    const uint8_t *p; /* NULL: empty slot */
    uint32_t len;
};

struct skr_strset {
    uint64_t mask;
    struct strset_ent *ents;
};

static uint64_t hash_bytes(const uint8_t *p, uint32_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (uint32_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

struct skr_strset *skr_strset_new(struct skr_arena *a, const struct skr_value *vals, uint32_t n)
{
    struct skr_strset *s = skr_arena_calloc(a, 1, sizeof(*s));
    uint64_t cap = 8;

    if (s == NULL) {
        return NULL;
    }
    while (cap < (uint64_t)n * 2) {
        cap *= 2;
    }
    s->ents = skr_arena_calloc(a, cap, sizeof(*s->ents));
    if (s->ents == NULL) {
        return NULL;
    }
    s->mask = cap - 1;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t h = hash_bytes(vals[i].p, vals[i].len);
        uint64_t k = h & s->mask;
        bool dup = false;
        while (s->ents[k].p != NULL) {
            if (s->ents[k].hash == h && s->ents[k].len == vals[i].len &&
                memcmp(s->ents[k].p, vals[i].p, vals[i].len) == 0) {
                dup = true;
                break;
            }
            k = (k + 1) & s->mask;
        }
        if (!dup) {
            s->ents[k].hash = h;
            s->ents[k].p = vals[i].p != NULL ? vals[i].p : (const uint8_t *)"";
            s->ents[k].len = vals[i].len;
        }
    }
    return s;
}

bool skr_strset_has(const struct skr_strset *s, const uint8_t *p, uint32_t len)
{
    uint64_t h = hash_bytes(p, len);
    uint64_t k = h & s->mask;

    while (s->ents[k].p != NULL) {
        if (s->ents[k].hash == h && s->ents[k].len == len &&
            skr_bytes_equal(s->ents[k].p, p, len)) {
            return true;
        }
        k = (k + 1) & s->mask;
    }
    return false;
}

/* ---- pmatch prefix tree --------------------------------------------------------------- */

struct pm_node;

struct pm_edge {
    const char *part; /* NUL-terminated path component */
    uint32_t len;
    bool glob;
    struct pm_node *child;
};

struct pm_node {
    bool end;
    uint32_t n;
    uint32_t cap;
    struct pm_edge *edges;
};

struct skr_pmatch {
    struct pm_node root;
};

static bool is_glob_part(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '*' || p[i] == '?' || p[i] == '[') {
            return true;
        }
    }
    return false;
}

static struct pm_node *pm_child(struct skr_arena *a,
                                struct pm_node *nd,
                                const char *part,
                                size_t len)
{
    for (uint32_t i = 0; i < nd->n; i++) {
        if (nd->edges[i].len == len && memcmp(nd->edges[i].part, part, len) == 0) {
            return nd->edges[i].child;
        }
    }
    if (nd->n == nd->cap) {
        uint32_t ncap = nd->cap ? nd->cap * 2 : 4;
        struct pm_edge *ne = skr_arena_alloc(a, ncap * sizeof(*ne));
        if (ne == NULL) {
            return NULL;
        }
        if (nd->n > 0) {
            memcpy(ne, nd->edges, nd->n * sizeof(*ne));
        }
        nd->edges = ne;
        nd->cap = ncap;
    }
    struct pm_edge *e = &nd->edges[nd->n];
    e->part = skr_arena_strndup(a, part, len);
    e->len = (uint32_t)len;
    e->glob = is_glob_part(part, len);
    e->child = skr_arena_calloc(a, 1, sizeof(struct pm_node));
    if (e->part == NULL || e->child == NULL) {
        return NULL;
    }
    nd->n++;
    return e->child;
}

/* Literal edges are tried before glob edges: keep them first. */
static void pm_sort(struct pm_node *nd)
{
    uint32_t w = 0;
    struct pm_edge tmp;

    for (uint32_t i = 0; i < nd->n; i++) {
        if (!nd->edges[i].glob) {
            tmp = nd->edges[i];
            memmove(&nd->edges[w + 1], &nd->edges[w], (i - w) * sizeof(tmp));
            nd->edges[w++] = tmp;
        }
    }
    for (uint32_t i = 0; i < nd->n; i++) {
        pm_sort(nd->edges[i].child);
    }
}

struct skr_pmatch *skr_pmatch_new(struct skr_arena *a, const struct skr_value *vals, uint32_t n)
{
    struct skr_pmatch *pm = skr_arena_calloc(a, 1, sizeof(*pm));

    if (pm == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *p = (const char *)vals[i].p;
        size_t len = vals[i].len;
        size_t k = 0;
        struct pm_node *nd = &pm->root;
        while (k < len) {
            size_t start;
            while (k < len && p[k] == '/') {
                k++;
            }
            start = k;
            while (k < len && p[k] != '/') {
                k++;
            }
            if (k > start) {
                nd = pm_child(a, nd, p + start, k - start);
                if (nd == NULL) {
                    return NULL;
                }
            }
        }
        nd->end = true;
    }
    pm_sort(&pm->root);
    return pm;
}

static bool pm_walk(const struct pm_node *nd, const char *p, size_t len, size_t k)
{
    size_t start;
    char comp[256];

    if (nd->end) {
        return true;
    }
    while (k < len && p[k] == '/') {
        k++;
    }
    if (k >= len) {
        return false;
    }
    start = k;
    while (k < len && p[k] != '/') {
        k++;
    }
    for (uint32_t i = 0; i < nd->n; i++) {
        const struct pm_edge *e = &nd->edges[i];
        if (!e->glob) {
            if (e->len == k - start && memcmp(e->part, p + start, e->len) == 0 &&
                pm_walk(e->child, p, len, k)) {
                return true;
            }
            continue;
        }
        if (k - start >= sizeof(comp)) {
            continue; /* a component this long cannot be matched by a glob part */
        }
        memcpy(comp, p + start, k - start);
        comp[k - start] = '\0';
        if (fnmatch(e->part, comp, 0) == 0 && pm_walk(e->child, p, len, k)) {
            return true;
        }
    }
    return false;
}

bool skr_pmatch_match(const struct skr_pmatch *pm, const char *path, size_t len)
{
    return pm_walk(&pm->root, path, len, 0);
}

/* ---- Byte searches -------------------------------------------------------------------- */

bool skr_bytes_contains(const uint8_t *h, size_t hlen, const uint8_t *n, size_t nlen)
{
    const uint8_t *p = h;
    const uint8_t *end;

    if (nlen == 0) {
        return true;
    }
    if (nlen > hlen) {
        return false;
    }
    if (nlen == 1) {
        return memchr(h, n[0], hlen) != NULL;
    }
    if (hlen > 256) {
        /* long text: memmem stays linear whatever the input */
        return memmem(h, hlen, n, nlen) != NULL;
    }
    /* Short text (paths, names): first byte by memchr, then last byte, then the rest;
     * memmem's set-up costs more than the whole search here. */
    end = h + hlen - nlen + 1; /* one past the last possible start */
    while (p < end && (p = memchr(p, n[0], (size_t)(end - p))) != NULL) {
        if (p[nlen - 1] == n[nlen - 1] && skr_bytes_equal(p + 1, n + 1, nlen - 2)) {
            return true;
        }
        p++;
    }
    return false;
}

static inline uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

bool skr_bytes_icontains(const uint8_t *h, size_t hlen, const uint8_t *n, size_t nlen)
{
    if (nlen == 0) {
        return true;
    }
    if (nlen > hlen) {
        return false;
    }
    uint8_t first = lower(n[0]);
    for (size_t i = 0; i + nlen <= hlen; i++) {
        if (lower(h[i]) != first) {
            continue;
        }
        size_t j = 1;
        while (j < nlen && lower(h[i + j]) == lower(n[j])) {
            j++;
        }
        if (j == nlen) {
            return true;
        }
    }
    return false;
}

bool skr_bytes_icontains_lower(const uint8_t *h, size_t hlen, const uint8_t *n, size_t nlen)
{
    const uint8_t *end;
    const uint8_t *p = h;
    uint8_t c0;
    uint8_t c1;

    if (nlen == 0) {
        return true;
    }
    if (nlen > hlen) {
        return false;
    }
    c0 = n[0];
    c1 = (c0 >= 'a' && c0 <= 'z') ? (uint8_t)(c0 - 32) : c0;
    end = h + hlen - nlen + 1; /* one past the last possible start */
    while (p < end) {
        /* the next start candidate, in either case of the first byte */
        const uint8_t *a = memchr(p, c0, (size_t)(end - p));
        const uint8_t *q = a;
        if (c1 != c0) {
            const uint8_t *b = memchr(p, c1, (size_t)((a != NULL ? a : end) - p));
            if (b != NULL) {
                q = b;
            }
        }
        if (q == NULL) {
            return false;
        }
        size_t k = 1;
        while (k < nlen && lower(q[k]) == n[k]) {
            k++;
        }
        if (k == nlen) {
            return true;
        }
        p = q + 1;
    }
    return false;
}

/* ---- Decoding ----------------------------------------------------------------------------- */

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

long skr_b64_decode(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;

    for (int pad = 0; pad < 2 && len > 0 && in[len - 1] == '='; pad++) {
        len--;
    }
    if (len % 4 == 1) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        int v = b64val(in[i]);
        if (v < 0) {
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return (long)o;
}

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

long skr_unhex(const char *in, size_t len, uint8_t *out)
{
    if (len % 2 != 0) {
        return -1;
    }
    for (size_t i = 0; i < len; i += 2) {
        int hi = hexdigit(in[i]);
        int lo = hexdigit(in[i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i / 2] = (uint8_t)(hi * 16 + lo);
    }
    return (long)(len / 2);
}

int skr_parse_ip(const char *s, uint8_t *out)
{
    if (inet_pton(AF_INET, s, out) == 1) {
        return 4;
    }
    if (inet_pton(AF_INET6, s, out) == 1) {
        return 16;
    }
    return -1;
}

int skr_parse_net(const char *s, uint8_t *out, uint32_t *bits)
{
    const char *slash = strchr(s, '/');
    char addr[64];
    size_t alen;
    int len;
    char *end = NULL;
    unsigned long b;

    if (slash == NULL) {
        len = skr_parse_ip(s, out);
        if (len > 0) {
            *bits = (uint32_t)len * 8;
        }
        return len;
    }
    alen = (size_t)(slash - s);
    if (alen == 0 || alen >= sizeof(addr)) {
        return -1;
    }
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    len = skr_parse_ip(addr, out);
    if (len < 0 || slash[1] < '0' || slash[1] > '9') {
        return -1;
    }
    errno = 0;
    b = strtoul(slash + 1, &end, 10);
    if (errno != 0 || *end != '\0' || b > (unsigned long)len * 8) {
        return -1;
    }
    *bits = (uint32_t)b;
    return len;
}

bool skr_net_contains(const uint8_t *net,
                      uint32_t netlen,
                      uint32_t bits,
                      const uint8_t *addr,
                      uint32_t addrlen)
{
    uint32_t full = bits / 8;
    uint32_t rest = bits % 8;

    if (netlen != addrlen) {
        return false;
    }
    if (memcmp(net, addr, full) != 0) {
        return false;
    }
    if (rest != 0) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((net[full] & mask) != (addr[full] & mask)) {
            return false;
        }
    }
    return true;
}
