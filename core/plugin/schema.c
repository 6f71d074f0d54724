/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation of a plugin's init config against its JSON Schema. cJSON
 * parses both documents; this walks the keywords plugins use in practice
 * (the Go and C++ SDKs generate draft-04..2020-12 schemas from config
 * structs). Unknown keywords are ignored, as the specification allows.
 */
#include "plugin/plugin.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

struct vctx {
    const cJSON *root;
    char where[512]; /* JSON pointer of the value being checked */
    char msg[512];
    int depth;
};

static int fail(struct vctx *v, const char *fmt, const char *a)
{
    skr_fmt(v->msg, sizeof(v->msg), fmt, a);
    return -EINVAL;
}

static const char *json_type(const cJSON *j)
{
    if (cJSON_IsObject(j)) {
        return "object";
    }
    if (cJSON_IsArray(j)) {
        return "array";
    }
    if (cJSON_IsString(j)) {
        return "string";
    }
    if (cJSON_IsBool(j)) {
        return "boolean";
    }
    if (cJSON_IsNull(j)) {
        return "null";
    }
    return "number";
}

static bool type_is(const cJSON *j, const char *t)
{
    if (strcmp(t, "integer") == 0) {
        return cJSON_IsNumber(j) && floor(j->valuedouble) == j->valuedouble;
    }
    if (strcmp(t, "number") == 0) {
        return cJSON_IsNumber(j);
    }
    return strcmp(json_type(j), t) == 0;
}

/* Resolves "#/a/b" inside the root schema. */
static const cJSON *resolve_ref(const cJSON *root, const char *ref)
{
    const cJSON *cur = root;
    char seg[256];

    if (ref[0] != '#') {
        return NULL;
    }
    ref++;
    while (*ref == '/') {
        size_t n = 0;
        ref++;
        while (*ref != '\0' && *ref != '/' && n + 1 < sizeof(seg)) {
            if (ref[0] == '~' && ref[1] == '1') {
                seg[n++] = '/';
                ref += 2;
            } else if (ref[0] == '~' && ref[1] == '0') {
                seg[n++] = '~';
                ref += 2;
            } else {
                seg[n++] = *ref++;
            }
        }
        seg[n] = '\0';
        cur = cJSON_GetObjectItemCaseSensitive(cur, seg);
        if (cur == NULL) {
            return NULL;
        }
    }
    return cur;
}

static int validate(struct vctx *v, const cJSON *schema, const cJSON *val);

static int with_path(struct vctx *v, const char *seg, const cJSON *schema, const cJSON *val)
{
    size_t old = strlen(v->where);
    int rc;

    skr_fmt(v->where + old, sizeof(v->where) - old, "/%s", seg);
    rc = validate(v, schema, val);
    if (rc == 0) {
        v->where[old] = '\0';
    }
    return rc;
}

static int check_number(struct vctx *v, const cJSON *schema, const cJSON *val)
{
    const cJSON *k;
    char num[64];

    skr_fmt(num, sizeof(num), "%.17g", val->valuedouble);
    if ((k = cJSON_GetObjectItemCaseSensitive(schema, "minimum")) && cJSON_IsNumber(k) &&
        val->valuedouble < k->valuedouble) {
        return fail(v, "%s is below the minimum", num);
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(schema, "maximum")) && cJSON_IsNumber(k) &&
        val->valuedouble > k->valuedouble) {
        return fail(v, "%s is above the maximum", num);
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(schema, "exclusiveMinimum")) && cJSON_IsNumber(k) &&
        val->valuedouble <= k->valuedouble) {
        return fail(v, "%s is not above the exclusive minimum", num);
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(schema, "exclusiveMaximum")) && cJSON_IsNumber(k) &&
        val->valuedouble >= k->valuedouble) {
        return fail(v, "%s is not below the exclusive maximum", num);
    }
    return 0;
}

static int check_object(struct vctx *v, const cJSON *schema, const cJSON *val)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
    const cJSON *addl = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
    const cJSON *it;
    int rc;

    if (cJSON_IsArray(req)) {
        cJSON_ArrayForEach(it, req) {
            if (cJSON_IsString(it) &&
                cJSON_GetObjectItemCaseSensitive(val, it->valuestring) == NULL) {
                return fail(v, "required property '%s' is missing", it->valuestring);
            }
        }
    }
    cJSON_ArrayForEach(it, val) {
        const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, it->string) : NULL;
        if (ps != NULL) {
            if ((rc = with_path(v, it->string, ps, it)) < 0) {
                return rc;
            }
        } else if (cJSON_IsFalse(addl)) {
            return fail(v, "unknown property '%s' (additional properties are not allowed)",
                        it->string);
        } else if (cJSON_IsObject(addl)) {
            if ((rc = with_path(v, it->string, addl, it)) < 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int check_array(struct vctx *v, const cJSON *schema, const cJSON *val)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
    const cJSON *k;
    int n = cJSON_GetArraySize(val);
    int rc;

    if ((k = cJSON_GetObjectItemCaseSensitive(schema, "minItems")) && cJSON_IsNumber(k) &&
        n < k->valuedouble) {
        return fail(v, "%s: too few items", "array");
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(schema, "maxItems")) && cJSON_IsNumber(k) &&
        n > k->valuedouble) {
        return fail(v, "%s: too many items", "array");
    }
    if (cJSON_IsObject(items)) {
        for (int i = 0; i < n; i++) {
            char seg[16];
            skr_fmt(seg, sizeof(seg), "%d", i);
            if ((rc = with_path(v, seg, items, cJSON_GetArrayItem(val, i))) < 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int check_combinators(struct vctx *v, const cJSON *schema, const cJSON *val)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(schema, "allOf");
    const cJSON *any = cJSON_GetObjectItemCaseSensitive(schema, "anyOf");
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(schema, "oneOf");
    const cJSON *not = cJSON_GetObjectItemCaseSensitive(schema, "not");
    const cJSON *it;
    int rc;

    if (cJSON_IsArray(all)) {
        cJSON_ArrayForEach(it, all) {
            if ((rc = validate(v, it, val)) < 0) {
                return rc;
            }
        }
    }
    if (cJSON_IsArray(any) || cJSON_IsArray(one)) {
        const cJSON *set = cJSON_IsArray(any) ? any : one;
        int matches = 0;
        struct vctx probe;
        cJSON_ArrayForEach(it, set) {
            probe = *v;
            if (validate(&probe, it, val) == 0) {
                matches++;
            }
        }
        if (matches == 0) {
            return fail(v, "the value matches none of the allowed %s",
                        cJSON_IsArray(any) ? "schemas (anyOf)" : "schemas (oneOf)");
        }
        if (cJSON_IsArray(one) && !cJSON_IsArray(any) && matches > 1) {
            return fail(v, "the value matches several %s", "schemas (oneOf)");
        }
    }
    if (cJSON_IsObject(not )) {
        struct vctx probe = *v;
        if (validate(&probe, not, val) == 0) {
            return fail(v, "the value matches a %s schema", "forbidden (not)");
        }
    }
    return 0;
}

static int validate(struct vctx *v, const cJSON *schema, const cJSON *val)
{
    const cJSON *ref;
    const cJSON *type;
    const cJSON *en;
    const cJSON *k;
    int rc;

    if (cJSON_IsTrue(schema) || schema == NULL) {
        return 0;
    }
    if (cJSON_IsFalse(schema)) {
        return fail(v, "%s is not allowed here", json_type(val));
    }
    if (!cJSON_IsObject(schema)) {
        return 0;
    }
    if (++v->depth > 64) {
        return fail(v, "%s", "the schema nests too deeply (recursive $ref?)");
    }
    ref = cJSON_GetObjectItemCaseSensitive(schema, "$ref");
    if (cJSON_IsString(ref)) {
        const cJSON *target = resolve_ref(v->root, ref->valuestring);
        if (target == NULL) {
            return fail(v, "the schema's $ref '%s' cannot be resolved", ref->valuestring);
        }
        if ((rc = validate(v, target, val)) < 0) {
            return rc;
        }
    }
    type = cJSON_GetObjectItemCaseSensitive(schema, "type");
    if (cJSON_IsString(type) && !type_is(val, type->valuestring)) {
        skr_fmt(v->msg, sizeof(v->msg), "expected %s %s, got %s",
                strchr("aeiou", type->valuestring[0]) ? "an" : "a", type->valuestring,
                json_type(val));
        return -EINVAL;
    }
    if (cJSON_IsArray(type)) {
        bool ok = false;
        cJSON_ArrayForEach(k, type) {
            ok = ok || (cJSON_IsString(k) && type_is(val, k->valuestring));
        }
        if (!ok) {
            return fail(v, "%s is not one of the allowed types", json_type(val));
        }
    }
    en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
    if (cJSON_IsArray(en)) {
        bool ok = false;
        cJSON_ArrayForEach(k, en) {
            ok = ok || cJSON_Compare(k, val, true);
        }
        if (!ok) {
            char *s = cJSON_PrintUnformatted(val);
            rc = fail(v, "%s is not one of the allowed values", s ? s : "the value");
            cJSON_free(s);
            return rc;
        }
    }
    k = cJSON_GetObjectItemCaseSensitive(schema, "const");
    if (k != NULL && !cJSON_Compare(k, val, true)) {
        return fail(v, "%s", "the value differs from the required constant");
    }
    if (cJSON_IsString(val)) {
        size_t len = strlen(val->valuestring);
        if ((k = cJSON_GetObjectItemCaseSensitive(schema, "minLength")) && cJSON_IsNumber(k) &&
            (double)len < k->valuedouble) {
            return fail(v, "'%s' is too short", val->valuestring);
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(schema, "maxLength")) && cJSON_IsNumber(k) &&
            (double)len > k->valuedouble) {
            return fail(v, "'%s' is too long", val->valuestring);
        }
    }
    if (cJSON_IsNumber(val) && (rc = check_number(v, schema, val)) < 0) {
        return rc;
    }
    if (cJSON_IsObject(val) && (rc = check_object(v, schema, val)) < 0) {
        return rc;
    }
    if (cJSON_IsArray(val) && (rc = check_array(v, schema, val)) < 0) {
        return rc;
    }
    if ((rc = check_combinators(v, schema, val)) < 0) {
        return rc;
    }
    v->depth--;
    return 0;
}

int skr_json_schema_validate(const char *schema, const char *config, struct skr_err *err)
{
    cJSON *s = cJSON_Parse(schema);
    cJSON *c = cJSON_Parse(config);
    struct vctx v;
    int rc;

    memset(&v, 0, sizeof(v));
    if (s == NULL) {
        rc = skr_err_set(err, -EINVAL, "the plugin's init schema is not valid JSON");
        goto out;
    }
    if (c == NULL) {
        rc = skr_err_set(err, -EINVAL,
                         "init config is not valid JSON: write init_config as a YAML map or a "
                         "JSON object");
        goto out;
    }
    v.root = s;
    rc = validate(&v, s, c);
    if (rc < 0) {
        skr_err_set(err, rc, "init config: %s: %s: fix init_config", v.where[0] ? v.where : "/",
                    v.msg);
    }
out:
    cJSON_Delete(s);
    cJSON_Delete(c);
    return rc;
}
