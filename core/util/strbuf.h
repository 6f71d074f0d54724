/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable, always NUL-terminated string buffer. Appends never fail
 * silently: on allocation failure or when a fixed cap is reached the buffer
 * keeps what fits and sets truncated, which the caller checks once at the end.
 */
#ifndef SKR_UTIL_STRBUF_H
#define SKR_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct skr_strbuf {
    char *p;        /* NUL-terminated; never NULL after init */
    size_t len;     /* bytes before the NUL */
    size_t cap;     /* allocated bytes */
    size_t max;     /* 0: unbounded; else the largest len allowed */
    bool truncated; /* an append did not fit */
};

/* Initialises an empty buffer (no allocation until the first append). */
void skr_strbuf_init(struct skr_strbuf *b);
/* Frees the memory; the buffer can be initialised again. */
void skr_strbuf_fini(struct skr_strbuf *b);
/* Empties the buffer and clears truncated, keeping the memory. */
void skr_strbuf_reset(struct skr_strbuf *b);

void skr_strbuf_append(struct skr_strbuf *b, const char *s, size_t n);
void skr_strbuf_puts(struct skr_strbuf *b, const char *s);
void skr_strbuf_putc(struct skr_strbuf *b, char c);
void skr_strbuf_printf(struct skr_strbuf *b, const char *fmt, ...) SKR_PRINTF(2, 3);
/* Appends s as the body of a JSON string (no quotes), escaping as JSON requires. */
void skr_strbuf_json_escape(struct skr_strbuf *b, const char *s, size_t n);

/* Hands the string to the caller (who frees it) and re-initialises b. */
char *skr_strbuf_steal(struct skr_strbuf *b);

#endif /* SKR_UTIL_STRBUF_H */
