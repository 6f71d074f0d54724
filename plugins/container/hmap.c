/* SPDX-License-Identifier: Apache-2.0 */
#include "hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 16

/* FNV-1a, 64 bit: container ids and cgroup paths are short. */
static uint64_t hash_key(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int ctr_hmap_init(struct ctr_hmap *m, size_t capacity, void (*free_value)(void *value))
{
    memset(m, 0, sizeof(*m));
    m->buckets = calloc(MIN_BUCKETS, sizeof(*m->buckets));
    if (m->buckets == NULL) {
        return -ENOMEM;
    }
    m->nbuckets = MIN_BUCKETS;
    m->capacity = capacity;
    m->free_value = free_value;
    return 0;
}

static void free_node(struct ctr_hmap *m, struct ctr_hmap_node *n, bool free_value)
{
    if (free_value && m->free_value != NULL && n->value != NULL) {
        m->free_value(n->value);
    }
    free(n);
}

void ctr_hmap_fini(struct ctr_hmap *m)
{
    struct ctr_hmap_node *n = m->oldest;

    while (n != NULL) {
        struct ctr_hmap_node *next = n->next;
        free_node(m, n, true);
        n = next;
    }
    free(m->buckets);
    memset(m, 0, sizeof(*m));
}

static struct ctr_hmap_node *find(const struct ctr_hmap *m, const char *key, size_t len, uint64_t h)
{
    struct ctr_hmap_node *n;

    if (m->buckets == NULL) {
        return NULL;
    }
    for (n = m->buckets[h & (m->nbuckets - 1)]; n != NULL; n = n->chain) {
        if (n->hash == h && n->key_len == len && memcmp(n->key, key, len) == 0) {
            return n;
        }
    }
    return NULL;
}

static void lru_unlink(struct ctr_hmap *m, struct ctr_hmap_node *n)
{
    if (n->prev != NULL) {
        n->prev->next = n->next;
    } else {
        m->oldest = n->next;
    }
    if (n->next != NULL) {
        n->next->prev = n->prev;
    } else {
        m->newest = n->prev;
    }
    n->prev = NULL;
    n->next = NULL;
}

static void lru_push_newest(struct ctr_hmap *m, struct ctr_hmap_node *n)
{
    n->prev = m->newest;
    n->next = NULL;
    if (m->newest != NULL) {
        m->newest->next = n;
    } else {
        m->oldest = n;
    }
    m->newest = n;
}

static void bucket_unlink(struct ctr_hmap *m, struct ctr_hmap_node *n)
{
    struct ctr_hmap_node **pp = &m->buckets[n->hash & (m->nbuckets - 1)];

    while (*pp != NULL && *pp != n) {
        pp = &(*pp)->chain;
    }
    if (*pp == n) {
        *pp = n->chain;
    }
    n->chain = NULL;
}

static void unlink_node(struct ctr_hmap *m, struct ctr_hmap_node *n)
{
    bucket_unlink(m, n);
    lru_unlink(m, n);
    m->count--;
}

void *ctr_hmap_get(const struct ctr_hmap *m, const char *key, size_t key_len)
{
    struct ctr_hmap_node *n = find(m, key, key_len, hash_key(key, key_len));

    return n != NULL ? n->value : NULL;
}

bool ctr_hmap_contains(const struct ctr_hmap *m, const char *key, size_t key_len)
{
    return find(m, key, key_len, hash_key(key, key_len)) != NULL;
}

void *ctr_hmap_touch(struct ctr_hmap *m, const char *key, size_t key_len)
{
    struct ctr_hmap_node *n = find(m, key, key_len, hash_key(key, key_len));

    if (n == NULL) {
        return NULL;
    }
    if (n != m->newest) {
        lru_unlink(m, n);
        lru_push_newest(m, n);
    }
    return n->value;
}

/* Doubles the bucket array when the load passes 1; failure only slows lookups. */
static void maybe_grow(struct ctr_hmap *m)
{
    struct ctr_hmap_node **nb;
    size_t nn;

    if (m->count < m->nbuckets || m->nbuckets > (SIZE_MAX / sizeof(*nb)) / 2) {
        return;
    }
    nn = m->nbuckets * 2;
    nb = calloc(nn, sizeof(*nb));
    if (nb == NULL) {
        return;
    }
    for (struct ctr_hmap_node *n = m->oldest; n != NULL; n = n->next) {
        size_t b = n->hash & (nn - 1);
        n->chain = nb[b];
        nb[b] = n;
    }
    free(m->buckets);
    m->buckets = nb;
    m->nbuckets = nn;
}

int ctr_hmap_put(struct ctr_hmap *m, const char *key, size_t key_len, void *value)
{
    uint64_t h = hash_key(key, key_len);
    struct ctr_hmap_node *n = find(m, key, key_len, h);
    size_t b;

    if (n != NULL) {
        if (m->free_value != NULL && n->value != NULL && n->value != value) {
            m->free_value(n->value);
        }
        n->value = value;
        if (n != m->newest) {
            lru_unlink(m, n);
            lru_push_newest(m, n);
        }
        return 0;
    }
    if (key_len > SIZE_MAX - sizeof(*n) - 1) {
        return -ENOMEM;
    }
    n = malloc(sizeof(*n) + key_len + 1);
    if (n == NULL) {
        return -ENOMEM;
    }
    if (m->capacity > 0 && m->count >= m->capacity && m->oldest != NULL) {
        struct ctr_hmap_node *old = m->oldest;
        unlink_node(m, old);
        free_node(m, old, true);
        m->evictions++;
    }
    n->hash = h;
    n->key_len = key_len;
    n->value = value;
    memcpy(n->key, key, key_len);
    n->key[key_len] = '\0';
    b = h & (m->nbuckets - 1);
    n->chain = m->buckets[b];
    m->buckets[b] = n;
    lru_push_newest(m, n);
    m->count++;
    maybe_grow(m);
    return 0;
}

void *ctr_hmap_take(struct ctr_hmap *m, const char *key, size_t key_len)
{
    struct ctr_hmap_node *n = find(m, key, key_len, hash_key(key, key_len));
    void *v;

    if (n == NULL) {
        return NULL;
    }
    v = n->value;
    unlink_node(m, n);
    free_node(m, n, false);
    return v;
}

bool ctr_hmap_erase(struct ctr_hmap *m, const char *key, size_t key_len)
{
    struct ctr_hmap_node *n = find(m, key, key_len, hash_key(key, key_len));

    if (n == NULL) {
        return false;
    }
    unlink_node(m, n);
    free_node(m, n, true);
    return true;
}

void ctr_hmap_foreach(const struct ctr_hmap *m,
                      bool (*fn)(const char *key, void *value, void *arg),
                      void *arg)
{
    for (struct ctr_hmap_node *n = m->oldest; n != NULL;) {
        struct ctr_hmap_node *next = n->next;
        if (!fn(n->key, n->value, arg)) {
            return;
        }
        n = next;
    }
}
