/* SPDX-License-Identifier: Apache-2.0 */
/* Typed setters shared by every option table, and scalar parsing helpers. */
#include "config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "util/log.h"

bool skr_cfg_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (size == 0) {
        return false;
    }
    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0) {
        buf[0] = '\0';
        return false;
    }
    return (size_t)n < size;
}

int skr_cfg_errf(struct skr_err *err,
                 const struct skr_cnode *n,
                 const char *path,
                 const char *fmt,
                 ...)
{
    char msg[SKR_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    va_end(ap);
    if (n == NULL) {
        return skr_err_set(err, -EINVAL, "%s: %s", path, msg);
    }
    return skr_err_set_at(err, -EINVAL, n->file, n->line, n->col, "%s: %s", path, msg);
}

static const char *const prio_rule_names[] = {
    "emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug",
};
static const char *const prio_out_names[] = {
    "Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

int skr_cfg_priority_parse(const char *s, int *out)
{
    for (int i = 0; i < 8; i++) {
        if (strcasecmp(s, prio_rule_names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    if (strcasecmp(s, "info") == 0) {
        *out = 6;
        return 0;
    }
    return -EINVAL;
}

const char *skr_cfg_priority_name(int prio)
{
    if (prio < 0 || prio > 7) {
        return "Unknown";
    }
    return prio_out_names[prio];
}

int skr_duration_parse_ms(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {
        { "ms", 1.0 },       { "s", 1000.0 },      { "m", 60000.0 },       { "h", 3600000.0 },
        { "d", 86400000.0 }, { "w", 604800000.0 }, { "y", 31536000000.0 },
    };
    double total = 0;
    const char *p = s;
    bool any = false;

    if (*p == '\0') {
        return -EINVAL;
    }
    /* A bare number is milliseconds (Falco's fallback form). */
    {
        char *end;
        unsigned long long v;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno == 0 && *end == '\0' && isdigit((unsigned char)s[0])) {
            *out = v;
            return 0;
        }
    }
    while (*p != '\0') {
        char *end;
        double v;
        size_t best = 0;
        double mult = 0;

        if (!isdigit((unsigned char)*p)) {
            return -EINVAL;
        }
        v = strtod(p, &end);
        if (end == p) {
            return -EINVAL;
        }
        p = end;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t ul = strlen(units[i].unit);
            if (strncmp(p, units[i].unit, ul) == 0 && ul > best) {
                /* "ms" must win over "m" */
                best = ul;
                mult = units[i].ms;
            }
        }
        if (best == 0) {
            return -EINVAL;
        }
        p += best;
        total += v * mult;
        any = true;
    }
    if (!any || total < 0 || total > 1.8e19) {
        return -EINVAL;
    }
    *out = (uint64_t)total;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    static const char *const t[] = { "true", "yes", "on", "y" };
    static const char *const f[] = { "false", "no", "off", "n" };

    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, t[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, f[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

static int need_scalar(const struct skr_cnode *n,
                       const char *path,
                       const char *what,
                       struct skr_err *err)
{
    if (n->kind != SKR_CNODE_SCALAR) {
        return skr_cfg_errf(err, n, path, "expected %s, got a %s", what, skr_cnode_kind_name(n));
    }
    return 0;
}

static int set_strlist(struct skr_cfg_ctx *c,
                       const struct skr_cnode *n,
                       struct skr_strlist *l,
                       struct skr_err *err)
{
    l->v = NULL;
    l->n = 0;
    if (skr_cnode_is_null(n)) {
        return 0;
    }
    if (n->kind == SKR_CNODE_SCALAR) {
        /* A single string stands for a one-item list (Falco accepts it too). */
        l->v = skr_arena_alloc(&c->doc->arena, sizeof(*l->v));
        if (l->v == NULL) {
            return -ENOMEM;
        }
        l->v[0] = n->text;
        l->n = 1;
        return 0;
    }
    if (n->kind != SKR_CNODE_SEQ) {
        return skr_cfg_errf(err, n, c->path, "expected a list of strings, got a %s",
                            skr_cnode_kind_name(n));
    }
    l->v = skr_arena_calloc(&c->doc->arena, n->n ? n->n : 1, sizeof(*l->v));
    if (l->v == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n->n; i++) {
        const struct skr_cnode *it = n->vals[i];
        if (it->kind != SKR_CNODE_SCALAR) {
            return skr_cfg_errf(err, it, c->path, "item %zu: expected a string, got a %s", i,
                                skr_cnode_kind_name(it));
        }
        l->v[l->n++] = it->text;
    }
    return 0;
}

int skr_opt_apply(struct skr_cfg_ctx *c,
                  const struct skr_opt *o,
                  const struct skr_cnode *n,
                  void *base,
                  struct skr_err *err)
{
    void *dst = (char *)base + o->offset;
    const char *path = c->path ? c->path : o->name;
    int rc;

    switch (o->type) {
    case SKR_OPT_BOOL: {
        bool v;
        if ((rc = need_scalar(n, path, "a boolean (true or false)", err)) < 0) {
            return rc;
        }
        if (parse_bool(n->text, &v) < 0) {
            return skr_cfg_errf(err, n, path, "expected a boolean (true or false), got '%s'",
                                n->text);
        }
        *(bool *)dst = v;
        return 0;
    }
    case SKR_OPT_INT:
    case SKR_OPT_UINT: {
        char *end;
        if ((rc = need_scalar(n, path, "an integer", err)) < 0) {
            return rc;
        }
        errno = 0;
        if (o->type == SKR_OPT_INT) {
            long long v = strtoll(n->text, &end, 0);
            if (errno != 0 || end == n->text || *end != '\0') {
                return skr_cfg_errf(err, n, path, "expected an integer, got '%s'", n->text);
            }
            *(int64_t *)dst = v;
        } else {
            unsigned long long v = strtoull(n->text, &end, 0);
            if (errno != 0 || end == n->text || *end != '\0' || n->text[0] == '-') {
                return skr_cfg_errf(err, n, path, "expected a non-negative integer, got '%s'",
                                    n->text);
            }
            *(uint64_t *)dst = v;
        }
        return 0;
    }
    case SKR_OPT_DOUBLE: {
        char *end;
        double v;
        if ((rc = need_scalar(n, path, "a number", err)) < 0) {
            return rc;
        }
        errno = 0;
        v = strtod(n->text, &end);
        if (errno != 0 || end == n->text || *end != '\0' || !isfinite(v)) {
            return skr_cfg_errf(err, n, path, "expected a number, got '%s'", n->text);
        }
        *(double *)dst = v;
        return 0;
    }
    case SKR_OPT_STRING:
        if (skr_cnode_is_null(n)) {
            *(const char **)dst = "";
            return 0;
        }
        if ((rc = need_scalar(n, path, "a string", err)) < 0) {
            return rc;
        }
        *(const char **)dst = n->text;
        return 0;
    case SKR_OPT_STRLIST:
        return set_strlist(c, n, dst, err);
    case SKR_OPT_PRIORITY: {
        int v;
        if ((rc = need_scalar(n, path, "a priority", err)) < 0) {
            return rc;
        }
        if (skr_cfg_priority_parse(n->text, &v) < 0) {
            return skr_cfg_errf(err, n, path,
                                "unknown priority '%s': use one of emergency, alert, critical, "
                                "error, warning, notice, info, debug",
                                n->text);
        }
        *(int *)dst = v;
        return 0;
    }
    case SKR_OPT_LOGLEVEL: {
        enum skr_log_level v;
        if ((rc = need_scalar(n, path, "a log level", err)) < 0) {
            return rc;
        }
        if (skr_log_level_parse(n->text, &v) < 0) {
            return skr_cfg_errf(err, n, path,
                                "unknown log level '%s': use one of emergency, alert, critical, "
                                "error, warning, notice, info, debug",
                                n->text);
        }
        *(int *)dst = (int)v;
        return 0;
    }
    case SKR_OPT_DURATION: {
        uint64_t v;
        if ((rc = need_scalar(n, path, "a duration", err)) < 0) {
            return rc;
        }
        if (skr_duration_parse_ms(n->text, &v) < 0) {
            return skr_cfg_errf(err, n, path,
                                "invalid duration '%s': write milliseconds (5000) or a number "
                                "with a unit (100ms, 30s, 5m, 1h)",
                                n->text);
        }
        *(uint64_t *)dst = v;
        return 0;
    }
    case SKR_OPT_ENUM:
        if ((rc = need_scalar(n, path, "a name", err)) < 0) {
            return rc;
        }
        for (int i = 0; o->choices[i] != NULL; i++) {
            if (strcasecmp(n->text, o->choices[i]) == 0) {
                *(int *)dst = i;
                return 0;
            }
        }
        {
            char list[256] = "";
            size_t used = 0;
            for (int i = 0; o->choices[i] != NULL; i++) {
                int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                 o->choices[i]);
                if (w < 0 || (size_t)w >= sizeof(list) - used) {
                    break;
                }
                used += (size_t)w;
            }
            return skr_cfg_errf(err, n, path, "unknown value '%s': use one of %s", n->text, list);
        }
    case SKR_OPT_CUSTOM:
        return o->set(c, o, n, base, err);
    }
    return skr_cfg_errf(err, n, path, "unsupported option type");
}

/* ---- YAML -> JSON ------------------------------------------------------------------ */

static cJSON *scalar_to_json(const struct skr_cnode *n)
{
    bool b;
    char *end;

    if (skr_cnode_is_null(n)) {
        return cJSON_CreateNull();
    }
    if (n->quoted) {
        return cJSON_CreateString(n->text);
    }
    if (strcmp(n->text, "true") == 0 || strcmp(n->text, "false") == 0 ||
        strcmp(n->text, "True") == 0 || strcmp(n->text, "False") == 0) {
        parse_bool(n->text, &b);
        return cJSON_CreateBool(b);
    }
    if (n->len > 0 &&
        (isdigit((unsigned char)n->text[0]) || n->text[0] == '-' || n->text[0] == '+')) {
        errno = 0;
        long long v = strtoll(n->text, &end, 10);
        if (errno == 0 && *end == '\0' && end != n->text) {
            /* cJSON stores numbers as double: keep integers exact up to 2^53, else a string */
            if (v > -(1LL << 53) && v < (1LL << 53)) {
                return cJSON_CreateNumber((double)v);
            }
            return cJSON_CreateRaw(n->text);
        }
        errno = 0;
        double d = strtod(n->text, &end);
        if (errno == 0 && *end == '\0' && end != n->text && isfinite(d)) {
            return cJSON_CreateNumber(d);
        }
    }
    return cJSON_CreateString(n->text);
}

static cJSON *node_to_json(const struct skr_cnode *n, int depth)
{
    cJSON *j;

    if (depth > 64) {
        return NULL;
    }
    if (n == NULL || n->kind == SKR_CNODE_NULL || n->kind == SKR_CNODE_SCALAR) {
        return n == NULL ? cJSON_CreateNull() : scalar_to_json(n);
    }
    j = n->kind == SKR_CNODE_MAP ? cJSON_CreateObject() : cJSON_CreateArray();
    if (j == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n->n; i++) {
        cJSON *v = node_to_json(n->vals[i], depth + 1);
        if (v == NULL) {
            cJSON_Delete(j);
            return NULL;
        }
        if (n->kind == SKR_CNODE_MAP) {
            cJSON_AddItemToObject(j, n->keys[i]->text, v);
        } else {
            cJSON_AddItemToArray(j, v);
        }
    }
    return j;
}

char *skr_cnode_to_json(const struct skr_cnode *n)
{
    cJSON *j = node_to_json(n, 0);
    char *s;

    if (j == NULL) {
        return NULL;
    }
    s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}
