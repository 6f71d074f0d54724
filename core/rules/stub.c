/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder definitions of rules.h while the engine is built; every entry point exists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

struct skr_diags {
    size_t n;
};

struct skr_diags *skr_diags_new(void)
{
    return calloc(1, sizeof(struct skr_diags));
}

void skr_diags_free(struct skr_diags *d)
{
    free(d);
}

size_t skr_diags_count(const struct skr_diags *d)
{
    return 0;
}

const struct skr_diag *skr_diags_get(const struct skr_diags *d, size_t i)
{
    return NULL;
}

size_t skr_diags_errors(const struct skr_diags *d)
{
    return 0;
}

void skr_diags_format(const struct skr_diags *d, bool json, struct skr_strbuf *out)
{
    if (json) {
        skr_strbuf_puts(out, "{}");
    }
}

int skr_rules_load(const struct skr_rules_load_opts *opts,
                   struct skr_ruleset **out,
                   struct skr_diags *diags)
{
    *out = NULL;
    return -ENOSYS;
}

struct skr_ruleset *skr_ruleset_ref(struct skr_ruleset *rs)
{
    return rs;
}

void skr_ruleset_unref(struct skr_ruleset *rs)
{
}

size_t skr_ruleset_rule_count(const struct skr_ruleset *rs)
{
    return 0;
}

const struct skr_rule *skr_ruleset_rule(const struct skr_ruleset *rs, size_t idx)
{
    return NULL;
}

const char *skr_rule_name(const struct skr_rule *r)
{
    return "";
}

size_t skr_rule_index(const struct skr_rule *r)
{
    return 0;
}

int skr_rule_priority(const struct skr_rule *r)
{
    return 7;
}

const char *skr_rule_source(const struct skr_rule *r)
{
    return "";
}

size_t skr_rule_tag_count(const struct skr_rule *r)
{
    return 0;
}

const char *skr_rule_tag(const struct skr_rule *r, size_t i)
{
    return NULL;
}

void skr_ruleset_event_codes(const struct skr_ruleset *rs,
                             size_t source_idx,
                             uint8_t *bitmap,
                             bool *all)
{
    memset(bitmap, 0, 65536 / 8);
    *all = false;
}

const char *const *skr_ruleset_event_names(const struct skr_ruleset *rs, size_t source_idx)
{
    static const char *const none[] = { NULL };
    return none;
}

struct skr_eval_ctx {
    int unused;
};

struct skr_eval_ctx *skr_eval_ctx_new(void)
{
    return calloc(1, sizeof(struct skr_eval_ctx));
}

void skr_eval_ctx_free(struct skr_eval_ctx *ctx)
{
    free(ctx);
}

int skr_ruleset_eval(const struct skr_ruleset *rs,
                     struct skr_eval_ctx *ctx,
                     size_t source_idx,
                     uint16_t evt_code,
                     skr_extract_fn extract,
                     void *extract_user,
                     skr_match_fn on_match,
                     void *match_user)
{
    return -ENOSYS;
}

int skr_rule_render(const struct skr_rule *r,
                    struct skr_eval_ctx *ctx,
                    skr_extract_fn extract,
                    void *extract_user,
                    struct skr_strbuf *out,
                    const struct skr_out_field **fields,
                    size_t *nfields)
{
    return -ENOSYS;
}
