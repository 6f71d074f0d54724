/* SPDX-License-Identifier: Apache-2.0 */
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

struct skr_arena_block {
    struct skr_arena_block *next;
    size_t size; /* usable bytes in data */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

void skr_arena_init(struct skr_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 16384;
}

void skr_arena_fini(struct skr_arena *a)
{
    struct skr_arena_block *b = a->head;

    while (b != NULL) {
        struct skr_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

void skr_arena_reset(struct skr_arena *a)
{
    struct skr_arena_block *keep = NULL;
    struct skr_arena_block *b = a->head;

    while (b != NULL) {
        struct skr_arena_block *next = b->next;
        if (keep == NULL || b->size > keep->size) {
            free(keep);
            keep = b;
        } else {
            free(b);
        }
        b = next;
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
}

void *skr_arena_alloc(struct skr_arena *a, size_t size)
{
    struct skr_arena_block *b = a->head;
    size_t rounded;

    if (size > SIZE_MAX - ARENA_ALIGN) {
        return NULL;
    }
    rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded == 0) {
        rounded = ARENA_ALIGN;
    }
    if (b == NULL || b->size - b->used < rounded) {
        size_t bsize = a->block_size > rounded ? a->block_size : rounded;
        struct skr_arena_block *nb = malloc(sizeof(*nb) + bsize);
        if (nb == NULL) {
            return NULL;
        }
        nb->size = bsize;
        nb->used = 0;
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    return p;
}

void *skr_arena_calloc(struct skr_arena *a, size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    p = skr_arena_alloc(a, n * size);
    if (p != NULL) {
        memset(p, 0, n * size);
    }
    return p;
}

char *skr_arena_strndup(struct skr_arena *a, const char *s, size_t n)
{
    char *p = skr_arena_alloc(a, n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *skr_arena_strdup(struct skr_arena *a, const char *s)
{
    return skr_arena_strndup(a, s, strlen(s));
}

void *skr_arena_memdup(struct skr_arena *a, const void *src, size_t n)
{
    void *p = skr_arena_alloc(a, n);

    if (p != NULL && n > 0) {
        memcpy(p, src, n);
    }
    return p;
}
