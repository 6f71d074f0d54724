/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON documents a plugin hands over: fields, compatible sources, async events. */
#include "plugin/plugin_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

static const struct {
    const char *name;
    uint32_t code;
} ftypes[] = {
    { "int8", SAKER_FTYPE_INT8 },     { "int16", SAKER_FTYPE_INT16 },
    { "int32", SAKER_FTYPE_INT32 },   { "int64", SAKER_FTYPE_INT64 },
    { "uint8", SAKER_FTYPE_UINT8 },   { "uint16", SAKER_FTYPE_UINT16 },
    { "uint32", SAKER_FTYPE_UINT32 }, { "uint64", FTYPE_UINT64 },
    { "string", FTYPE_STRING },       { "bytebuf", SAKER_FTYPE_BYTEBUF },
    { "fspath", SAKER_FTYPE_FSPATH }, { "reltime", FTYPE_RELTIME },
    { "abstime", FTYPE_ABSTIME },     { "port", SAKER_FTYPE_PORT },
    { "bool", FTYPE_BOOL },           { "double", SAKER_FTYPE_DOUBLE },
    { "ipaddr", FTYPE_IPADDR },       { "ipnet", FTYPE_IPNET },
};

const char *skr_ftype_name(uint32_t type)
{
    for (size_t i = 0; i < sizeof(ftypes) / sizeof(ftypes[0]); i++) {
        if (ftypes[i].code == type) {
            return ftypes[i].name;
        }
    }
    return NULL;
}

uint32_t skr_ftype_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(ftypes) / sizeof(ftypes[0]); i++) {
        if (strcmp(ftypes[i].name, name) == 0) {
            return ftypes[i].code;
        }
    }
    return 0;
}

static const struct {
    const char *name;
    uint32_t flag;
} props[] = {
    { "hidden", SKR_PF_HIDDEN },         { "filter_only", SKR_PF_FILTER_ONLY },
    { "print_only", SKR_PF_PRINT_ONLY }, { "deprecated", SKR_PF_DEPRECATED },
    { "no_rhs", SKR_PF_NO_RHS },
};

static int get_bool(const cJSON *obj, const char *key, bool *out, char *why, size_t why_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = false;
    if (v == NULL) {
        return 0;
    }
    if (!cJSON_IsBool(v)) {
        skr_fmt(why, why_len, "'%s' must be true or false", key);
        return -EINVAL;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

int skr_plugin_field_from_json(struct skr_arena *a,
                               const cJSON *obj,
                               struct skr_plugin_field *f,
                               char *why,
                               size_t why_len)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(obj, "desc");
    const cJSON *display = cJSON_GetObjectItemCaseSensitive(obj, "display");
    const cJSON *arg = cJSON_GetObjectItemCaseSensitive(obj, "arg");
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(obj, "properties");
    bool b;

    memset(f, 0, sizeof(*f));
    if (!cJSON_IsObject(obj)) {
        skr_fmt(why, why_len, "a field must be an object");
        return -EINVAL;
    }
    if (!cJSON_IsString(name) || name->valuestring[0] == '\0') {
        skr_fmt(why, why_len, "a field has no \"name\"");
        return -EINVAL;
    }
    f->name = skr_arena_strdup(a, name->valuestring);
    if (!cJSON_IsString(type) || (f->type = skr_ftype_parse(type->valuestring)) == 0) {
        skr_fmt(why, why_len, "field '%s': unknown type '%s'", name->valuestring,
                cJSON_IsString(type) ? type->valuestring : "(none)");
        return -EINVAL;
    }
    if (!cJSON_IsString(desc) || desc->valuestring[0] == '\0') {
        skr_fmt(why, why_len, "field '%s': \"desc\" is missing or empty", name->valuestring);
        return -EINVAL;
    }
    f->desc = skr_arena_strdup(a, desc->valuestring);
    if (cJSON_IsString(display)) {
        f->display = skr_arena_strdup(a, display->valuestring);
    }
    if (get_bool(obj, "isList", &b, why, why_len) < 0) {
        return -EINVAL;
    }
    if (b) {
        f->flags |= SKR_PF_LIST;
    }
    if (get_bool(obj, "addOutput", &f->add_output, why, why_len) < 0) {
        return -EINVAL;
    }
    if (arg != NULL) {
        bool req;
        bool idx;
        bool key;
        bool dotted;
        if (!cJSON_IsObject(arg)) {
            skr_fmt(why, why_len, "field '%s': \"arg\" must be an object", name->valuestring);
            return -EINVAL;
        }
        if (get_bool(arg, "isRequired", &req, why, why_len) < 0 ||
            get_bool(arg, "isIndex", &idx, why, why_len) < 0 ||
            get_bool(arg, "isKey", &key, why, why_len) < 0 ||
            get_bool(arg, "isDotted", &dotted, why, why_len) < 0) {
            return -EINVAL;
        }
        if (req && !idx && !key) {
            skr_fmt(why, why_len, "field '%s': a required argument must be an index or a key",
                    name->valuestring);
            return -EINVAL;
        }
        if (idx || key || dotted) {
            f->arg_flags |= SKR_PA_ALLOWED;
        }
        f->arg_flags |= (req ? SKR_PA_REQUIRED : 0) | (idx ? SKR_PA_INDEX : 0) |
                        (key ? SKR_PA_KEY : 0) | (dotted ? SKR_PA_DOTTED : 0);
    }
    if (pr != NULL) {
        const cJSON *it;
        size_t n = 0;
        const char **list;
        if (!cJSON_IsArray(pr)) {
            skr_fmt(why, why_len, "field '%s': \"properties\" must be an array of strings",
                    name->valuestring);
            return -EINVAL;
        }
        list = skr_arena_calloc(a, (size_t)cJSON_GetArraySize(pr) + 1, sizeof(*list));
        if (list == NULL) {
            return -ENOMEM;
        }
        cJSON_ArrayForEach(it, pr) {
            if (!cJSON_IsString(it)) {
                skr_fmt(why, why_len, "field '%s': \"properties\" must be an array of strings",
                        name->valuestring);
                return -EINVAL;
            }
            for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
                if (strcmp(it->valuestring, props[i].name) == 0) {
                    f->flags |= props[i].flag;
                }
            }
            list[n++] = skr_arena_strdup(a, it->valuestring);
        }
        f->properties = list;
    }
    if (f->name == NULL || f->desc == NULL) {
        return -ENOMEM;
    }
    return 0;
}

int skr_plugin_parse_fields(struct skr_plugin *p, const char *json, struct skr_err *err)
{
    cJSON *root;
    const cJSON *it;
    size_t n = 0;
    char why[256];
    int rc = 0;

    if (json == NULL) {
        return skr_err_set(err, -EINVAL,
                           "plugin '%s' (%s): plugin_get_fields returned NULL: it must return a "
                           "JSON array of fields",
                           p->label, p->path);
    }
    root = cJSON_Parse(json);
    if (!cJSON_IsArray(root) || cJSON_GetArraySize(root) == 0) {
        cJSON_Delete(root);
        return skr_err_set(err, -EINVAL,
                           "plugin '%s' (%s): plugin_get_fields did not return a non-empty JSON "
                           "array of fields",
                           p->label, p->path);
    }
    p->fields = skr_arena_calloc(&p->arena, (size_t)cJSON_GetArraySize(root), sizeof(*p->fields));
    if (p->fields == NULL) {
        cJSON_Delete(root);
        return -ENOMEM;
    }
    cJSON_ArrayForEach(it, root) {
        rc = skr_plugin_field_from_json(&p->arena, it, &p->fields[n], why, sizeof(why));
        if (rc < 0) {
            if (rc == -EINVAL) {
                skr_err_set(err, -EINVAL, "plugin '%s' (%s): plugin_get_fields: %s", p->label,
                            p->path, why);
            }
            break;
        }
        for (size_t j = 0; j < n; j++) {
            if (strcmp(p->fields[j].name, p->fields[n].name) == 0) {
                rc = skr_err_set(err, -EINVAL,
                                 "plugin '%s' (%s): plugin_get_fields: field '%s' is listed "
                                 "twice",
                                 p->label, p->path, p->fields[n].name);
                break;
            }
        }
        if (rc < 0) {
            break;
        }
        n++;
    }
    cJSON_Delete(root);
    p->num_fields = n;
    return rc;
}

static int parse_string_array(struct skr_plugin *p,
                              const char *json,
                              const char *sym,
                              char ***out,
                              size_t *nout,
                              struct skr_err *err)
{
    cJSON *root;
    const cJSON *it;
    char **v;
    size_t n = 0;

    *out = NULL;
    *nout = 0;
    if (json == NULL || json[0] == '\0') {
        return 0;
    }
    root = cJSON_Parse(json);
    if (!cJSON_IsArray(root)) {
        cJSON_Delete(root);
        return skr_err_set(err, -EINVAL,
                           "plugin '%s' (%s): %s did not return a JSON array of strings", p->label,
                           p->path, sym);
    }
    v = skr_arena_calloc(&p->arena, (size_t)cJSON_GetArraySize(root) + 2, sizeof(*v));
    if (v == NULL) {
        cJSON_Delete(root);
        return -ENOMEM;
    }
    cJSON_ArrayForEach(it, root) {
        if (!cJSON_IsString(it)) {
            cJSON_Delete(root);
            return skr_err_set(err, -EINVAL, "plugin '%s' (%s): %s: every item must be a string",
                               p->label, p->path, sym);
        }
        if (it->valuestring[0] == '\0') {
            continue; /* empty names are ignored, as Falco does */
        }
        v[n] = skr_arena_strdup(&p->arena, it->valuestring);
        if (v[n] == NULL) {
            cJSON_Delete(root);
            return -ENOMEM;
        }
        n++;
    }
    cJSON_Delete(root);
    *out = v;
    *nout = n;
    return 0;
}

int skr_plugin_parse_srcset(struct skr_plugin *p,
                            const char *(*fn)(void),
                            const char *sym,
                            struct skr_srcset *set,
                            struct skr_err *err)
{
    int rc = parse_string_array(p, fn ? fn() : NULL, sym, &set->v, &set->n, err);
    bool have = false;

    if (rc < 0 || !(p->caps & SKR_CAP_SOURCING)) {
        return rc;
    }
    /* A source is always compatible with its own events (added even to a non-empty list). */
    for (size_t i = 0; i < set->n; i++) {
        have = have || strcmp(set->v[i], p->source) == 0;
    }
    if (!have) {
        if (set->v == NULL) {
            set->v = skr_arena_calloc(&p->arena, 2, sizeof(*set->v));
            if (set->v == NULL) {
                return -ENOMEM;
            }
        }
        set->v[set->n++] = (char *)p->source;
    }
    return 0;
}

int skr_plugin_parse_async_names(struct skr_plugin *p, struct skr_err *err)
{
    int rc = parse_string_array(p, p->vt.api.get_async_events(), "plugin_get_async_events",
                                &p->async_names, &p->num_async_names, err);

    if (rc < 0) {
        return rc;
    }
    if (p->num_async_names == 0) {
        return skr_err_set(err, -EINVAL,
                           "plugin '%s' (%s): plugin_get_async_events must return a non-empty "
                           "JSON array of event names",
                           p->label, p->path);
    }
    return 0;
}

int skr_plugin_check_schema_doc(struct skr_plugin *p, const char *schema, struct skr_err *err)
{
    cJSON *root = cJSON_Parse(schema);
    bool ok = cJSON_IsObject(root);

    cJSON_Delete(root);
    if (!ok) {
        return skr_err_set(err, -EINVAL,
                           "plugin '%s' (%s): plugin_get_init_schema did not return a JSON object",
                           p->label, p->path);
    }
    return 0;
}
