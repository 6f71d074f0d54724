/* SPDX-License-Identifier: Apache-2.0 */
#include "rules/testhost.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

struct th_field {
    struct skr_field_desc d;
    char *source; /* NULL: every source */
};

struct th_event {
    char *source;
    char *name;
    uint16_t code;
};

struct th_plugin {
    char *name;
    char *version;
};

struct skr_test_host {
    struct skr_rules_host host;
    struct th_field *fields;
    size_t nfields;
    struct th_event *events;
    size_t nevents;
    struct th_plugin *plugins;
    size_t nplugins;
    char **sources;
    size_t nsources;
};

static bool source_match(const struct th_field *f, const char *source)
{
    return f->source == NULL || f->source[0] == '\0' || strcmp(f->source, "*") == 0 ||
           strcmp(f->source, source) == 0;
}

static bool th_has_source(void *user, const char *source)
{
    struct skr_test_host *h = user;

    for (size_t i = 0; i < h->nsources; i++) {
        if (strcmp(h->sources[i], source) == 0) {
            return true;
        }
    }
    return false;
}

static int th_lookup(void *user,
                     const char *source,
                     const char *token,
                     size_t len,
                     struct skr_field_desc *out,
                     size_t *name_len)
{
    struct skr_test_host *h = user;
    const struct th_field *best = NULL;
    size_t best_len = 0;

    for (size_t i = 0; i < h->nfields; i++) {
        const struct th_field *f = &h->fields[i];
        size_t fl = strlen(f->d.name);
        if (!source_match(f, source) || fl > len || memcmp(f->d.name, token, fl) != 0) {
            continue;
        }
        if (fl == len) {
            best = f;
            best_len = fl;
            break;
        }
        /* A longer token: "evt.arg.flags" names evt.arg with a dotted argument. */
        if (token[fl] == '.' && (f->d.arg_flags & SKR_ARG_DOTTED) && fl > best_len) {
            best = f;
            best_len = fl;
        }
    }
    if (best == NULL) {
        return -ENOENT;
    }
    *out = best->d;
    *name_len = best_len;
    return 0;
}

static size_t th_event_codes(void *user,
                             const char *source,
                             const char *name,
                             uint16_t *codes,
                             size_t max)
{
    struct skr_test_host *h = user;
    size_t n = 0;

    for (size_t i = 0; i < h->nevents; i++) {
        const struct th_event *e = &h->events[i];
        if (strcmp(e->source, source) != 0 || strcmp(e->name, name) != 0) {
            continue;
        }
        if (n < max) {
            codes[n] = e->code;
        }
        n++;
    }
    return n;
}

static size_t th_event_code_names(void *user,
                                  const char *source,
                                  uint16_t code,
                                  const char **names,
                                  size_t max)
{
    struct skr_test_host *h = user;
    size_t n = 0;

    for (size_t i = 0; i < h->nevents; i++) {
        const struct th_event *e = &h->events[i];
        bool dup = false;
        if (e->code != code || strcmp(e->source, source) != 0) {
            continue;
        }
        for (size_t j = 0; j < n && j < max; j++) {
            dup = dup || strcmp(names[j], e->name) == 0;
        }
        if (dup) {
            continue;
        }
        if (n < max) {
            names[n] = e->name;
        }
        n++;
    }
    return n;
}

static size_t th_event_code_count(void *user, const char *source)
{
    struct skr_test_host *h = user;
    uint8_t *seen = calloc(65536 / 8, 1);
    size_t n = 0;

    if (seen == NULL) {
        return 0;
    }
    for (size_t i = 0; i < h->nevents; i++) {
        uint16_t c = h->events[i].code;
        if (strcmp(h->events[i].source, source) == 0 && !(seen[c / 8] & (1u << (c % 8)))) {
            seen[c / 8] |= (uint8_t)(1u << (c % 8));
            n++;
        }
    }
    free(seen);
    return n > 0 ? n + 1 : 0; /* plus the async code */
}

static const char *th_plugin_version(void *user, const char *name)
{
    struct skr_test_host *h = user;

    for (size_t i = 0; i < h->nplugins; i++) {
        if (strcmp(h->plugins[i].name, name) == 0) {
            return h->plugins[i].version;
        }
    }
    return NULL;
}

static int add_source(struct skr_test_host *h, const char *s)
{
    char **ns;

    if (s == NULL || s[0] == '\0' || th_has_source(h, s)) {
        return 0;
    }
    ns = realloc(h->sources, (h->nsources + 1) * sizeof(*ns));
    if (ns == NULL) {
        return -ENOMEM;
    }
    h->sources = ns;
    h->sources[h->nsources] = strdup(s);
    if (h->sources[h->nsources] == NULL) {
        return -ENOMEM;
    }
    h->nsources++;
    return 0;
}

int skr_test_host_add_plugin(struct skr_test_host *h, const char *name, const char *version)
{
    struct th_plugin *np = realloc(h->plugins, (h->nplugins + 1) * sizeof(*np));

    if (np == NULL) {
        return -ENOMEM;
    }
    h->plugins = np;
    h->plugins[h->nplugins].name = strdup(name);
    h->plugins[h->nplugins].version = strdup(version);
    if (h->plugins[h->nplugins].name == NULL || h->plugins[h->nplugins].version == NULL) {
        free(h->plugins[h->nplugins].name);
        free(h->plugins[h->nplugins].version);
        return -ENOMEM;
    }
    h->nplugins++;
    return 0;
}

static bool jbool(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int parse_field(struct skr_test_host *h, const cJSON *f, char *err, size_t errlen)
{
    struct th_field *tf = &h->fields[h->nfields];
    const char *name = jstr(f, "name");
    const char *type = jstr(f, "type");
    const char *source = jstr(f, "source");
    const cJSON *arg = cJSON_GetObjectItemCaseSensitive(f, "arg");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
    const cJSON *p;

    memset(tf, 0, sizeof(*tf));
    if (name == NULL || type == NULL) {
        snprintf(err, errlen, "field %zu: \"name\" and \"type\" are required", h->nfields);
        return -EINVAL;
    }
    tf->d.type = skr_type_parse(type);
    if (tf->d.type == 0) {
        snprintf(err, errlen, "field '%s': unknown type '%s'", name, type);
        return -EINVAL;
    }
    tf->d.name = strdup(name);
    tf->source = source != NULL ? strdup(source) : NULL;
    if (tf->d.name == NULL || (source != NULL && tf->source == NULL)) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    tf->d.id = (uint32_t)h->nfields;
    if (jbool(f, "list")) {
        tf->d.flags |= SKR_FIELD_LIST;
    }
    {
        const cJSON *cost = cJSON_GetObjectItemCaseSensitive(f, "cost");
        if (cJSON_IsNumber(cost) && cost->valuedouble >= 0) {
            tf->d.cost = (uint32_t)cost->valuedouble;
        }
    }
    cJSON_ArrayForEach(p, props) {
        if (!cJSON_IsString(p)) {
            continue;
        }
        if (strcmp(p->valuestring, "filter_only") == 0) {
            tf->d.flags |= SKR_FIELD_FILTER_ONLY;
        } else if (strcmp(p->valuestring, "print_only") == 0) {
            tf->d.flags |= SKR_FIELD_PRINT_ONLY;
        } else if (strcmp(p->valuestring, "deprecated") == 0) {
            tf->d.flags |= SKR_FIELD_DEPRECATED;
        } else if (strcmp(p->valuestring, "no_rhs") == 0) {
            tf->d.flags |= SKR_FIELD_NO_RHS;
        } else if (strcmp(p->valuestring, "hidden") == 0) {
            tf->d.flags |= SKR_FIELD_HIDDEN;
        }
    }
    if (cJSON_IsObject(arg)) {
        /* "arg": {...} with every flag false (as --list prints it) means no argument. */
        if (jbool(arg, "required")) {
            tf->d.arg_flags |= SKR_ARG_REQUIRED;
        }
        if (jbool(arg, "index")) {
            tf->d.arg_flags |= SKR_ARG_INDEX;
        }
        if (jbool(arg, "key")) {
            tf->d.arg_flags |= SKR_ARG_KEY;
        }
        if (jbool(arg, "dotted") || jbool(arg, "isDotted")) {
            tf->d.arg_flags |= SKR_ARG_DOTTED;
        }
        if (tf->d.arg_flags != 0) {
            tf->d.arg_flags |= SKR_ARG_ALLOWED;
        }
    }
    h->nfields++;
    return add_source(h, source);
}

struct skr_test_host *skr_test_host_new(const char *json, size_t len, char *err, size_t errlen)
{
    char dummy[8];
    struct skr_test_host *h = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *fields;
    const cJSON *evts;
    const cJSON *plugins;
    const cJSON *it;

    if (err == NULL) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (root == NULL) {
        snprintf(err, errlen, "the fields document is not valid JSON");
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    h->host.user = h;
    h->host.has_source = th_has_source;
    h->host.lookup_field = th_lookup;
    h->host.event_codes = th_event_codes;
    h->host.plugin_version = th_plugin_version;
    h->host.event_code_count = th_event_code_count;
    h->host.event_code_names = th_event_code_names;
    fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
    if (!cJSON_IsArray(fields)) {
        snprintf(err, errlen, "the fields document has no \"fields\" array");
        goto fail;
    }
    h->fields = calloc((size_t)cJSON_GetArraySize(fields) + 1, sizeof(*h->fields));
    if (h->fields == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    cJSON_ArrayForEach(it, fields) {
        if (parse_field(h, it, err, errlen) < 0) {
            goto fail;
        }
    }
    evts = cJSON_GetObjectItemCaseSensitive(root, "event_types");
    if (cJSON_IsObject(evts)) {
        const cJSON *src;
        size_t total = 0;
        cJSON_ArrayForEach(src, evts) {
            total += (size_t)cJSON_GetArraySize(src);
        }
        h->events = calloc(total + 1, sizeof(*h->events));
        if (h->events == NULL) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        cJSON_ArrayForEach(src, evts) {
            const cJSON *e;
            if (add_source(h, src->string) < 0) {
                snprintf(err, errlen, "out of memory");
                goto fail;
            }
            cJSON_ArrayForEach(e, src) {
                const char *name = jstr(e, "name");
                const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
                if (name == NULL || !cJSON_IsNumber(code)) {
                    continue;
                }
                h->events[h->nevents].source = strdup(src->string);
                h->events[h->nevents].name = strdup(name);
                h->events[h->nevents].code = (uint16_t)code->valuedouble;
                if (h->events[h->nevents].source == NULL || h->events[h->nevents].name == NULL) {
                    free(h->events[h->nevents].source);
                    free(h->events[h->nevents].name);
                    snprintf(err, errlen, "out of memory");
                    goto fail;
                }
                h->nevents++;
            }
        }
    }
    plugins = cJSON_GetObjectItemCaseSensitive(root, "plugins");
    cJSON_ArrayForEach(it, plugins) {
        const char *name = jstr(it, "name");
        const char *version = jstr(it, "version");
        if (name != NULL && version != NULL && skr_test_host_add_plugin(h, name, version) < 0) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    cJSON_Delete(root);
    return h;
fail:
    cJSON_Delete(root);
    skr_test_host_free(h);
    return NULL;
}

struct skr_test_host *skr_test_host_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    struct skr_test_host *h;

    if (f == NULL) {
        if (err != NULL) {
            snprintf(err, errlen, "cannot open fields document '%s'", path);
        }
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        if (err != NULL) {
            snprintf(err, errlen, "cannot read fields document '%s'", path);
        }
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        if (err != NULL) {
            snprintf(err, errlen, "cannot read fields document '%s'", path);
        }
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    h = skr_test_host_new(buf, (size_t)n, err, errlen);
    free(buf);
    return h;
}

void skr_test_host_free(struct skr_test_host *h)
{
    if (h == NULL) {
        return;
    }
    for (size_t i = 0; i < h->nfields; i++) {
        free((char *)h->fields[i].d.name);
        free(h->fields[i].source);
    }
    for (size_t i = 0; i < h->nevents; i++) {
        free(h->events[i].source);
        free(h->events[i].name);
    }
    for (size_t i = 0; i < h->nplugins; i++) {
        free(h->plugins[i].name);
        free(h->plugins[i].version);
    }
    for (size_t i = 0; i < h->nsources; i++) {
        free(h->sources[i]);
    }
    free(h->fields);
    free(h->events);
    free(h->plugins);
    free(h->sources);
    free(h);
}

const struct skr_rules_host *skr_test_host_get(struct skr_test_host *h)
{
    return &h->host;
}

const struct skr_field_desc *skr_test_host_field(const struct skr_test_host *h, uint32_t id)
{
    return id < h->nfields ? &h->fields[id].d : NULL;
}
