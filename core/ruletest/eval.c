/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alerts as saker prints them with json_output (one JSON object per line,
 * read with cJSON), and the verdict of a case: which alerts are in its
 * scope, and whether the rules it names fired or stayed silent there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ruletest/ruletest_int.h"

bool skr_rt_wildcard(const char *p, const char *s)
{
    const char *star = NULL;
    const char *retry = NULL;

    while (*s != '\0') {
        if (*p == '*') {
            star = p++;
            retry = s;
        } else if (*p == '?' || *p == *s) {
            p++;
            s++;
        } else if (star != NULL) {
            p = star + 1;
            s = ++retry;
        } else {
            return false;
        }
    }
    while (*p == '*') {
        p++;
    }
    return *p == '\0';
}

static char *dup_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return strdup(cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : "");
}

int skr_rt_alerts_add_line(struct skr_rt_alerts *a, const char *line, size_t len)
{
    cJSON *o = cJSON_ParseWithLength(line, len);
    const cJSON *rule;
    struct skr_rt_alert al = { 0 };

    if (o == NULL) {
        return 0;
    }
    rule = cJSON_GetObjectItemCaseSensitive(o, "rule");
    if (!cJSON_IsObject(o) || !cJSON_IsString(rule)) {
        cJSON_Delete(o);
        return 0;
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        struct skr_rt_alert *v = realloc(a->v, cap * sizeof(*v));
        if (v == NULL) {
            cJSON_Delete(o);
            return -ENOMEM;
        }
        a->v = v;
        a->cap = cap;
    }
    al.rule = dup_str(o, "rule");
    al.priority = dup_str(o, "priority");
    al.output = dup_str(o, "output");
    al.fields = cJSON_DetachItemFromObjectCaseSensitive(o, "output_fields");
    cJSON_Delete(o);
    if (al.rule == NULL || al.priority == NULL || al.output == NULL) {
        free(al.rule);
        free(al.priority);
        free(al.output);
        cJSON_Delete(al.fields);
        return -ENOMEM;
    }
    a->v[a->n++] = al;
    return 1;
}

void skr_rt_alerts_fini(struct skr_rt_alerts *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].rule);
        free(a->v[i].priority);
        free(a->v[i].output);
        cJSON_Delete(a->v[i].fields);
    }
    free(a->v);
    memset(a, 0, sizeof(*a));
}

const char *skr_rt_alert_field(const struct skr_rt_alert *al,
                               const char *field,
                               char *buf,
                               size_t size,
                               bool *found)
{
    const cJSON *v = al->fields ? cJSON_GetObjectItemCaseSensitive(al->fields, field) : NULL;

    *found = v != NULL && !cJSON_IsNull(v);
    if (!*found) {
        return "";
    }
    if (cJSON_IsString(v)) {
        return v->valuestring;
    }
    if (cJSON_IsBool(v)) {
        return cJSON_IsTrue(v) ? "true" : "false";
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        int n = d == (double)(int64_t)d ? snprintf(buf, size, "%" PRId64, (int64_t)d)
                                        : snprintf(buf, size, "%.17g", d);
        return n >= 0 && (size_t)n < size ? buf : "";
    }
    return "";
}

bool skr_rt_in_scope(const struct skr_rt_case *c, const struct skr_rt_alert *al)
{
    char buf[64];
    bool found;

    if (strncmp(al->rule, SKR_RT_OWN_PREFIX, sizeof(SKR_RT_OWN_PREFIX) - 1) == 0) {
        return false;
    }
    switch (c->scope) {
    case SKR_RT_SCOPE_ALL:
        return true;
    case SKR_RT_SCOPE_TREE:
        /* The snippet's processes carry the variable; processes that dropped their
         * environment still have an ancestor that carries it. */
        return strcmp(skr_rt_alert_field(al, "proc.env[" SKR_RT_CASE_ENV "]", buf, sizeof(buf),
                                         &found),
                      c->name) == 0 ||
               strcmp(skr_rt_alert_field(al, "proc.aenv[" SKR_RT_CASE_ENV "]", buf, sizeof(buf),
                                         &found),
                      c->name) == 0;
    case SKR_RT_SCOPE_FIELD:
        return strcmp(skr_rt_alert_field(al, c->scope_field, buf, sizeof(buf), &found),
                      c->scope_value) == 0 &&
               found;
    }
    return false;
}

static bool expect_matches(const struct skr_rt_expect *ex, const struct skr_rt_alert *al)
{
    return skr_rt_wildcard(ex->rule, al->rule) &&
           (ex->output == NULL || strstr(al->output, ex->output) != NULL) &&
           (ex->priority == NULL || strcasecmp(ex->priority, al->priority) == 0);
}

/* "'A' (2), 'B' (1)": the rules that fired in scope, for failure messages. */
static void fired_summary(const struct skr_rt_case *c,
                          const struct skr_rt_alerts *alerts,
                          struct skr_strbuf *out)
{
    size_t shown = 0;

    for (size_t i = 0; i < alerts->n; i++) {
        const struct skr_rt_alert *al = &alerts->v[i];
        size_t count = 0;
        bool seen = false;
        if (!skr_rt_in_scope(c, al)) {
            continue;
        }
        for (size_t j = 0; j < i && !seen; j++) {
            seen = skr_rt_in_scope(c, &alerts->v[j]) && strcmp(alerts->v[j].rule, al->rule) == 0;
        }
        if (seen) {
            continue;
        }
        for (size_t j = i; j < alerts->n; j++) {
            count += skr_rt_in_scope(c, &alerts->v[j]) && strcmp(alerts->v[j].rule, al->rule) == 0;
        }
        skr_strbuf_printf(out, "%s'%s' (%zu)", shown ? ", " : "", al->rule, count);
        shown++;
    }
    if (shown == 0) {
        skr_strbuf_puts(out, "none");
    }
}

static void describe(const struct skr_rt_expect *ex, struct skr_strbuf *why)
{
    skr_strbuf_printf(why, "'%s'", ex->rule);
    if (ex->output != NULL) {
        skr_strbuf_printf(why, " with output containing '%s'", ex->output);
    }
    if (ex->priority != NULL) {
        skr_strbuf_printf(why, " at priority %s", ex->priority);
    }
}

bool skr_rt_check_case(const struct skr_rt_case *c,
                       const struct skr_rt_alerts *alerts,
                       struct skr_strbuf *why)
{
    bool ok = true;

    for (size_t e = 0; e < c->nfire; e++) {
        const struct skr_rt_expect *ex = &c->fire[e];
        unsigned n = 0;
        for (size_t i = 0; i < alerts->n; i++) {
            n += skr_rt_in_scope(c, &alerts->v[i]) && expect_matches(ex, &alerts->v[i]);
        }
        if (n < ex->min_count) {
            skr_strbuf_puts(why, ok ? "" : "; ");
            describe(ex, why);
            if (ex->min_count > 1) {
                skr_strbuf_printf(why, " fired %u times, expected at least %u", n, ex->min_count);
            } else {
                skr_strbuf_puts(why, " did not fire");
            }
            skr_strbuf_puts(why, " (fired: ");
            fired_summary(c, alerts, why);
            skr_strbuf_puts(why, ")");
            ok = false;
        }
    }
    for (size_t e = 0; e < c->nno_fire; e++) {
        const struct skr_rt_expect *ex = &c->no_fire[e];
        for (size_t i = 0; i < alerts->n; i++) {
            const struct skr_rt_alert *al = &alerts->v[i];
            if (skr_rt_in_scope(c, al) && expect_matches(ex, al)) {
                skr_strbuf_puts(why, ok ? "" : "; ");
                skr_strbuf_printf(why, "'%s' fired: %s", al->rule, al->output);
                ok = false;
                break;
            }
        }
    }
    return ok;
}
