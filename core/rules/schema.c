/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The structural check Falco runs with its rules-file JSON schema: which keys
 * an item, an exception, an override or a plugin requirement may have, and
 * their types. Problems are schema warnings only (schema_valid false); they
 * never fail a load. YAML scalars are typed as JSON would see them: quoted
 * scalars are strings; plain ones are null, booleans, integers, numbers or
 * strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rules/collect.h"

enum jtype {
    J_NULL,
    J_BOOL,
    J_INT,
    J_NUM,
    J_STR,
    J_ARR,
    J_OBJ
};

static const char *jtype_name(enum jtype t)
{
    static const char *const names[] = { "null",   "boolean", "integer", "number",
                                         "string", "array",   "object" };
    return names[t];
}

static bool is_int(const char *s)
{
    if (*s == '-' || *s == '+') {
        s++;
    }
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
    }
    return true;
}

static bool is_num(const char *s)
{
    char *end = NULL;

    if (*s == '\0') {
        return false;
    }
    (void)strtod(s, &end);
    return *end == '\0' && strpbrk(s, "0123456789") != NULL;
}

static enum jtype type_of(const yaml_node_t *n)
{
    const char *s;

    if (n == NULL) {
        return J_NULL;
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        return J_ARR;
    }
    if (n->type == YAML_MAPPING_NODE) {
        return J_OBJ;
    }
    s = (const char *)n->data.scalar.value;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return J_STR;
    }
    if (s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
        strcmp(s, "NULL") == 0) {
        return J_NULL;
    }
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0 ||
        strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) {
        return J_BOOL;
    }
    if (is_int(s)) {
        return J_INT;
    }
    if (is_num(s)) {
        return J_NUM;
    }
    return J_STR;
}

struct sc {
    yaml_document_t *doc;
    struct skr_strbuf *out;
    uint32_t nwarn;
};

static void warnf(struct sc *c,
                  const char *path,
                  const yaml_node_t *n,
                  const char *fmt,
                  const char *a,
                  const char *b)
{
    if (c->nwarn++ >= 50) {
        return; /* enough to show the problem */
    }
    if (c->out->len > 0) {
        skr_strbuf_putc(c->out, '\n');
    }
    skr_strbuf_printf(c->out, "%s (line %u): ", path,
                      n != NULL ? (unsigned)n->start_mark.line + 1 : 0u);
    skr_strbuf_printf(c->out, fmt, a, b);
}

static bool want(struct sc *c, const char *path, const yaml_node_t *n, enum jtype t)
{
    enum jtype got = type_of(n);

    if (got == t || (t == J_NUM && got == J_INT)) {
        return true;
    }
    warnf(c, path, n, "expected %s, got %s", jtype_name(t), jtype_name(got));
    return false;
}

static const char *const prio_enum[] = { "EMERGENCY", "ALERT", "CRITICAL",      "ERROR", "WARNING",
                                         "NOTICE",    "INFO",  "INFORMATIONAL", "DEBUG", NULL };

static bool in_enum(const char *s, const char *const *e)
{
    for (size_t i = 0; e[i] != NULL; i++) {
        if (strcmp(e[i], s) == 0) {
            return true;
        }
    }
    return false;
}

static void check_object(struct sc *c,
                         const char *path,
                         const yaml_node_t *n,
                         const char *const *allowed,
                         const char *const *required)
{
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        const char *key = (k != NULL && k->type == YAML_SCALAR_NODE)
                                  ? (const char *)k->data.scalar.value
                                  : "";
        if (!in_enum(key, allowed)) {
            warnf(c, path, k, "additional property '%s' is not allowed%s", key, "");
        }
    }
    for (size_t i = 0; required != NULL && required[i] != NULL; i++) {
        bool found = false;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
            if (k != NULL && k->type == YAML_SCALAR_NODE &&
                strcmp((const char *)k->data.scalar.value, required[i]) == 0) {
                found = true;
            }
        }
        if (!found) {
            warnf(c, path, n, "required property '%s' is missing%s", required[i], "");
        }
    }
}

static yaml_node_t *value_of(struct sc *c, const yaml_node_t *m, const char *key)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k != NULL && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0) {
            return yaml_document_get_node(c->doc, p->value);
        }
    }
    return NULL;
}

static void check_name_version(struct sc *c, const char *path, const yaml_node_t *n, bool alts)
{
    static const char *const allowed[] = { "name", "version", "alternatives", NULL };
    static const char *const allowed_alt[] = { "name", "version", NULL };
    static const char *const required[] = { "name", "version", NULL };
    yaml_node_t *v;

    if (!want(c, path, n, J_OBJ)) {
        return;
    }
    check_object(c, path, n, alts ? allowed : allowed_alt, required);
    if ((v = value_of(c, n, "name")) != NULL) {
        want(c, path, v, J_STR);
    }
    if ((v = value_of(c, n, "version")) != NULL) {
        want(c, path, v, J_STR);
    }
    if (alts && (v = value_of(c, n, "alternatives")) != NULL && want(c, path, v, J_ARR)) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            check_name_version(c, path, yaml_document_get_node(c->doc, *it), false);
        }
    }
}

static void check_item(struct sc *c, const char *path, const yaml_node_t *n)
{
    static const char *const allowed[] = {
        "required_engine_version",
        "required_plugin_versions",
        "macro",
        "condition",
        "list",
        "items",
        "rule",
        "desc",
        "enabled",
        "output",
        "append",
        "priority",
        "capture",
        "capture_duration",
        "capture_events",
        "capture_filesize",
        "source",
        "exceptions",
        "override",
        "tags",
        "warn_evttypes",
        "skip-if-unknown-filter",
        NULL,
    };
    static const char *const strings[] = { "required_engine_version",
                                           "macro",
                                           "condition",
                                           "list",
                                           "rule",
                                           "desc",
                                           "output",
                                           "source",
                                           NULL };
    static const char *const bools[] = {
        "enabled", "append", "capture", "warn_evttypes", "skip-if-unknown-filter", NULL
    };
    static const char *const ints[] = { "capture_duration", "capture_events", "capture_filesize",
                                        NULL };
    static const char *const ov_allowed[] = {
        "items",
        "desc",
        "condition",
        "output",
        "priority",
        "enabled",
        "exceptions",
        "capture",
        "capture_duration",
        "capture_events",
        "capture_filesize",
        "tags",
        "warn_evttypes",
        "skip-if-unknown-filter",
        NULL,
    };
    static const char *const ov_enum[] = { "append", "replace", NULL };
    static const char *const ex_allowed[] = { "name", "fields", "comps", "values", NULL };
    static const char *const ex_required[] = { "name", NULL };
    yaml_node_t *v;

    if (!want(c, path, n, J_OBJ)) {
        return;
    }
    check_object(c, path, n, allowed, NULL);
    for (size_t i = 0; strings[i] != NULL; i++) {
        if ((v = value_of(c, n, strings[i])) != NULL) {
            want(c, path, v, J_STR);
        }
    }
    for (size_t i = 0; bools[i] != NULL; i++) {
        if ((v = value_of(c, n, bools[i])) != NULL) {
            want(c, path, v, J_BOOL);
        }
    }
    for (size_t i = 0; ints[i] != NULL; i++) {
        if ((v = value_of(c, n, ints[i])) != NULL) {
            want(c, path, v, J_INT);
        }
    }
    if ((v = value_of(c, n, "priority")) != NULL && want(c, path, v, J_STR) &&
        !in_enum((const char *)v->data.scalar.value, prio_enum)) {
        warnf(c, path, v, "priority '%s' is not one of the schema's values%s",
              (const char *)v->data.scalar.value, "");
    }
    if ((v = value_of(c, n, "items")) != NULL && want(c, path, v, J_ARR)) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            yaml_node_t *e = yaml_document_get_node(c->doc, *it);
            enum jtype t = type_of(e);
            if (t != J_STR && t != J_INT) {
                warnf(c, path, e, "list items must be strings or integers, got %s%s", jtype_name(t),
                      "");
            }
        }
    }
    if ((v = value_of(c, n, "tags")) != NULL && want(c, path, v, J_ARR)) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            want(c, path, yaml_document_get_node(c->doc, *it), J_STR);
        }
    }
    if ((v = value_of(c, n, "required_plugin_versions")) != NULL && want(c, path, v, J_ARR)) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            check_name_version(c, path, yaml_document_get_node(c->doc, *it), true);
        }
    }
    if ((v = value_of(c, n, "exceptions")) != NULL && want(c, path, v, J_ARR)) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            yaml_node_t *e = yaml_document_get_node(c->doc, *it);
            yaml_node_t *nm;
            if (want(c, path, e, J_OBJ)) {
                check_object(c, path, e, ex_allowed, ex_required);
                if ((nm = value_of(c, e, "name")) != NULL) {
                    want(c, path, nm, J_STR);
                }
            }
        }
    }
    if ((v = value_of(c, n, "override")) != NULL && want(c, path, v, J_OBJ)) {
        check_object(c, path, v, ov_allowed, NULL);
        if (v->data.mapping.pairs.top == v->data.mapping.pairs.start) {
            warnf(c, path, v, "override must have at least one property%s%s", "", "");
        }
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
             p++) {
            yaml_node_t *o = yaml_document_get_node(c->doc, p->value);
            if (want(c, path, o, J_STR) && !in_enum((const char *)o->data.scalar.value, ov_enum)) {
                warnf(c, path, o, "override value '%s' is not append or replace%s",
                      (const char *)o->data.scalar.value, "");
            }
        }
    }
}

int skr_schema_check(struct yaml_document_s *doc,
                     const struct yaml_node_s *root,
                     struct skr_strbuf *out)
{
    struct sc c = { doc, out, 0 };
    char path[32];
    uint32_t i = 0;

    if (root->type != YAML_SEQUENCE_NODE) {
        warnf(&c, "/", root, "the document must be an array of items%s%s", "", "");
        return (int)c.nwarn;
    }
    for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top;
         it++, i++) {
        snprintf(path, sizeof(path), "/%u", (unsigned)i);
        check_item(&c, path, yaml_document_get_node(doc, *it));
    }
    return (int)c.nwarn;
}
