/* SPDX-License-Identifier: Apache-2.0 */
/* Counted strings for the hot path: no strlen per use. */
#ifndef SKR_UTIL_STR_H
#define SKR_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct skr_str {
    const char *p; /* not necessarily NUL-terminated */
    size_t len;
};

#define SKR_STR_LIT(s) ((struct skr_str){ (s), sizeof(s) - 1 })

static inline struct skr_str skr_str_from(const char *s)
{
    struct skr_str r = { s, s ? strlen(s) : 0 };
    return r;
}

static inline bool skr_str_eq(struct skr_str a, struct skr_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool skr_str_eq_cstr(struct skr_str a, const char *b)
{
    return skr_str_eq(a, skr_str_from(b));
}

#endif /* SKR_UTIL_STR_H */
