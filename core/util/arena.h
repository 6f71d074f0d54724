/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator for memory that dies together: an AST per compile, the
 * scratch of one event. Allocation is a pointer bump; reset keeps the first
 * block so a per-event arena stops calling malloc once warm.
 */
#ifndef SKR_UTIL_ARENA_H
#define SKR_UTIL_ARENA_H

#include <stddef.h>

struct skr_arena_block;

struct skr_arena {
    struct skr_arena_block *head; /* current block, newest first */
    size_t block_size;            /* default size of a new block */
};

/* block_size 0 means 16 KiB. No allocation happens until the first alloc. */
void skr_arena_init(struct skr_arena *a, size_t block_size);
/* Frees every block. */
void skr_arena_fini(struct skr_arena *a);
/* Forgets every allocation; keeps the largest block for reuse. */
void skr_arena_reset(struct skr_arena *a);

/* size bytes aligned to 16, or NULL when out of memory. Valid until reset/fini. */
void *skr_arena_alloc(struct skr_arena *a, size_t size);
/* Zeroed memory. */
void *skr_arena_calloc(struct skr_arena *a, size_t n, size_t size);
/* A NUL-terminated copy of s[0..n). */
char *skr_arena_strndup(struct skr_arena *a, const char *s, size_t n);
char *skr_arena_strdup(struct skr_arena *a, const char *s);
/* A copy of n bytes. */
void *skr_arena_memdup(struct skr_arena *a, const void *p, size_t n);

#endif /* SKR_UTIL_ARENA_H */
