/* SPDX-License-Identifier: Apache-2.0 */
/* The collector's storage and the define/append/replace operations of lists, macros and
 * rules, with Falco's ordering rules (index = first definition, visibility = last change). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/collect.h"

void collector_init(struct collector *c, const struct skr_rules_load_opts *opts)
{
    memset(c, 0, sizeof(*c));
    skr_arena_init(&c->a, 65536);
    c->opts = opts;
}

void collector_fini(struct collector *c)
{
    free(c->lists);
    free(c->macros);
    free(c->rules);
    free(c->plugins);
    skr_arena_fini(&c->a);
    memset(c, 0, sizeof(*c));
}

struct cl_list *collector_list(const struct collector *c, const char *name)
{
    for (uint32_t i = 0; i < c->nlists; i++) {
        if (strcmp(c->lists[i]->name, name) == 0) {
            return c->lists[i];
        }
    }
    return NULL;
}

struct cl_macro *collector_macro(const struct collector *c, const char *name)
{
    for (uint32_t i = 0; i < c->nmacros; i++) {
        if (strcmp(c->macros[i]->name, name) == 0) {
            return c->macros[i];
        }
    }
    return NULL;
}

struct cl_rule *collector_rule(const struct collector *c, const char *name)
{
    for (uint32_t i = 0; i < c->nrules; i++) {
        if (strcmp(c->rules[i]->name, name) == 0) {
            return c->rules[i];
        }
    }
    return NULL;
}
