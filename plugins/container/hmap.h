/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A string-keyed hash map with an LRU list, private to the container plugin.
 *
 * Keys are copied into the map; values are opaque pointers whose lifetime
 * the caller manages (the map calls the free function given at init when an
 * entry is replaced, evicted, erased or the map is finalised). With a
 * non-zero capacity the map never holds more entries than that: inserting
 * into a full map evicts the least recently used entry.
 *
 * Not thread-safe: one owner thread.
 */
#ifndef CTR_HMAP_H
#define CTR_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctr_hmap_node {
    struct ctr_hmap_node *chain; /* next in the bucket */
    struct ctr_hmap_node *prev;  /* LRU list: towards the oldest */
    struct ctr_hmap_node *next;  /* LRU list: towards the newest */
    uint64_t hash;
    size_t key_len;
    void *value;
    char key[]; /* NUL-terminated */
};

struct ctr_hmap {
    struct ctr_hmap_node **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    size_t capacity; /* 0: unbounded */
    uint64_t evictions;
    struct ctr_hmap_node *oldest;
    struct ctr_hmap_node *newest;
    void (*free_value)(void *value);
};

/* capacity 0 means unbounded; free_value may be NULL. Returns 0 or -ENOMEM. */
int ctr_hmap_init(struct ctr_hmap *m, size_t capacity, void (*free_value)(void *value));
void ctr_hmap_fini(struct ctr_hmap *m);

/* The value at key (NULL when absent). Borrowed; valid until the entry goes. */
void *ctr_hmap_get(const struct ctr_hmap *m, const char *key, size_t key_len);
/* As ctr_hmap_get, and marks the entry most recently used. */
void *ctr_hmap_touch(struct ctr_hmap *m, const char *key, size_t key_len);
bool ctr_hmap_contains(const struct ctr_hmap *m, const char *key, size_t key_len);

/*
 * Inserts or replaces key -> value (the old value is freed). The entry
 * becomes the most recently used. Returns 0, or -ENOMEM (value not taken:
 * the caller still owns it).
 */
int ctr_hmap_put(struct ctr_hmap *m, const char *key, size_t key_len, void *value);

/* Removes key; returns its value without freeing it (NULL when absent). */
void *ctr_hmap_take(struct ctr_hmap *m, const char *key, size_t key_len);
/* Removes key and frees its value; true when it was there. */
bool ctr_hmap_erase(struct ctr_hmap *m, const char *key, size_t key_len);

/* Calls fn for every entry, oldest first, until fn returns false. */
void ctr_hmap_foreach(const struct ctr_hmap *m,
                      bool (*fn)(const char *key, void *value, void *arg),
                      void *arg);

#endif /* CTR_HMAP_H */
