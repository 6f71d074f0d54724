/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text-level expansion before parsing, as Falco does it: list references
 * substituted into condition text, exceptions appended as "and not (...)"
 * clauses; and structural macro resolution after parsing. Internal.
 */
#ifndef SKR_RULES_EXPAND_H
#define SKR_RULES_EXPAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/collect.h"

/* A list after one level of list->list expansion. */
struct xp_list {
    const char *name;
    char **items; /* as written (expanded one level) */
    uint32_t nitems;
    bool used;
    const struct cl_list *src;
};

/* A text with, for every byte, the offset in the original text it came from. */
struct xp_text {
    char *s;
    uint32_t len;
    int32_t *map; /* len + 1 entries; -1: generated text with no origin */
};

void xp_text_fini(struct xp_text *t);
/* Copies s[0..len) with the identity map. */
int xp_text_init(struct xp_text *t, const char *s, uint32_t len);
/* Wraps t as "(" t ")" and appends the exception clauses of r. Returns 0, -ENOMEM, or
 * -EINVAL with *errmsg (static text) and *errex (the exception at fault). */
int xp_exceptions(struct xp_text *t,
                  const struct cl_rule *r,
                  const char **errmsg,
                  const struct cl_exception **errex);
/* Substitutes every list reference (lists in definition order), marking used lists. */
int xp_lists(struct xp_text *t, struct xp_list *lists, uint32_t nlists);
/* Maps an offset of t back to the original text (-1: none). */
int32_t xp_origin(const struct xp_text *t, uint32_t off);

/* Falco's quoting of list items and exception values: wrap in double quotes when the
 * value has a space and does not start with a quote. Appends to out. */
void xp_quote(struct skr_strbuf *out, const char *v);

#endif /* SKR_RULES_EXPAND_H */
