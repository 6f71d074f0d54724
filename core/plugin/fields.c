/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The field registry: every field of every loaded extractor, per event
 * source, with the core's generic evt.* fields, and the event types each
 * source names. The rule engine resolves field tokens and evt.type values
 * through it; `saker --list` prints it.
 */
#include "plugin/plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/hash.h"

/* The core's fields for every source (spec syscall-fields.md §2.2). */
static const struct skr_plugin_field generic_fields[SKR_GEN_COUNT] = {
    [SKR_GEN_EVT_NUM] = { "evt.num",
                          "Event number: 1 for the first event of the source, then "
                          "one more for each event",
                          NULL, FTYPE_UINT64, 0, 0, false, NULL },
    [SKR_GEN_EVT_TIME] = { "evt.time", "Event time as local HH:MM:SS.nnnnnnnnn", NULL, FTYPE_STRING,
                           0, 0, false, NULL },
    [SKR_GEN_EVT_TIME_S] = { "evt.time.s", "Event time as local HH:MM:SS", NULL, FTYPE_STRING, 0, 0,
                             false, NULL },
    [SKR_GEN_EVT_TIME_ISO8601] = { "evt.time.iso8601",
                                   "Event time as UTC YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000", NULL,
                                   FTYPE_STRING, 0, 0, false, NULL },
    [SKR_GEN_EVT_DATETIME] = { "evt.datetime", "Event time as local YYYY-MM-DD HH:MM:SS.nnnnnnnnn",
                               NULL, FTYPE_STRING, 0, 0, false, NULL },
    [SKR_GEN_EVT_DATETIME_S] = { "evt.datetime.s", "Event time as local YYYY-MM-DD HH:MM:SS", NULL,
                                 FTYPE_STRING, 0, 0, false, NULL },
    [SKR_GEN_EVT_RAWTIME] = { "evt.rawtime", "Event time in nanoseconds since the epoch", NULL,
                              FTYPE_ABSTIME, 0, 0, false, NULL },
    [SKR_GEN_EVT_RAWTIME_S] = { "evt.rawtime.s", "Seconds of the event time since the epoch", NULL,
                                FTYPE_ABSTIME, 0, 0, false, NULL },
    [SKR_GEN_EVT_RAWTIME_NS] = { "evt.rawtime.ns",
                                 "Nanoseconds within the second of the event "
                                 "time",
                                 NULL, FTYPE_ABSTIME, 0, 0, false, NULL },
    [SKR_GEN_EVT_RELTIME] = { "evt.reltime",
                              "Time since the first event of the source, in "
                              "nanoseconds",
                              NULL, FTYPE_RELTIME, 0, 0, false, NULL },
    [SKR_GEN_EVT_RELTIME_S] = { "evt.reltime.s", "Seconds of evt.reltime", NULL, FTYPE_RELTIME, 0,
                                0, false, NULL },
    [SKR_GEN_EVT_RELTIME_NS] = { "evt.reltime.ns", "Nanoseconds within the second of evt.reltime",
                                 NULL, FTYPE_RELTIME, 0, 0, false, NULL },
    [SKR_GEN_EVT_PLUGINNAME] = { "evt.pluginname",
                                 "Name of the plugin that produced a "
                                 "plugin-source event",
                                 NULL, FTYPE_STRING, 0, 0, false, NULL },
    [SKR_GEN_EVT_PLUGININFO] = { "evt.plugininfo",
                                 "The producing plugin's text of the event "
                                 "(plugin_event_to_string)",
                                 NULL, FTYPE_STRING, 0, 0, false, NULL },
    [SKR_GEN_EVT_SOURCE] = { "evt.source", "Name of the event's source", NULL, FTYPE_STRING, 0, 0,
                             false, NULL },
    [SKR_GEN_EVT_IS_ASYNC] = { "evt.is_async", "true for async (meta) events", NULL, FTYPE_BOOL, 0,
                               0, false, NULL },
    [SKR_GEN_EVT_ASYNCTYPE] = { "evt.asynctype", "Name of an async event", NULL, FTYPE_STRING, 0, 0,
                                false, NULL },
    [SKR_GEN_EVT_HOSTNAME] = { "evt.hostname",
                               "Host name (SAKER_HOSTNAME or FALCO_HOSTNAME "
                               "when set)",
                               NULL, FTYPE_STRING, 0, 0, false, NULL },
    [SKR_GEN_EVT_TS] = { "evt.ts", "Event time in nanoseconds since the epoch (as evt.rawtime)",
                         NULL, FTYPE_ABSTIME, 0, 0, false, NULL },
};

struct name_entry {
    const char *name;
    uint32_t id;
    UT_hash_handle hh;
};

struct reg_source {
    char *name;
    struct name_entry *by_name;
    uint32_t *ids; /* fields of this source, in the order added */
    size_t nids;
    size_t cap_ids;
    struct skr_event_type *types;
    size_t ntypes;
    size_t cap_types;
};

struct skr_registry {
    struct reg_source *sources;
    size_t nsources;
    struct skr_field *fields;
    size_t nfields;
    size_t cap_fields;
};

struct skr_registry *skr_registry_new(void)
{
    return calloc(1, sizeof(struct skr_registry));
}

void skr_registry_free(struct skr_registry *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->nsources; i++) {
        struct reg_source *s = &r->sources[i];
        struct name_entry *e;
        struct name_entry *tmp;
        HASH_ITER(hh, s->by_name, e, tmp) {
            HASH_DEL(s->by_name, e);
            free(e);
        }
        for (size_t t = 0; t < s->ntypes; t++) {
            free((char *)s->types[t].name);
        }
        free(s->types);
        free(s->ids);
        free(s->name);
    }
    free(r->sources);
    free(r->fields);
    free(r);
}

static struct reg_source *find_source(const struct skr_registry *r, const char *source)
{
    for (size_t i = 0; i < r->nsources; i++) {
        if (strcmp(r->sources[i].name, source) == 0) {
            return &r->sources[i];
        }
    }
    return NULL;
}

static int add_field(struct skr_registry *r,
                     struct reg_source *s,
                     const struct skr_field *f,
                     struct skr_err *err)
{
    struct name_entry *e;
    uint32_t id;

    HASH_FIND(hh, s->by_name, f->f->name, strlen(f->f->name), e);
    if (e != NULL) {
        const struct skr_field *old = &r->fields[e->id];
        return skr_err_set(err, -EEXIST,
                           "field '%s' of source '%s' is defined by both %s%s%s and %s%s%s: load "
                           "only one of them",
                           f->f->name, s->name, old->plugin ? "plugin '" : "the core",
                           old->plugin ? old->plugin->name : "", old->plugin ? "'" : "",
                           f->plugin ? "plugin '" : "the core", f->plugin ? f->plugin->name : "",
                           f->plugin ? "'" : "");
    }
    if (r->nfields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 256;
        struct skr_field *nf = realloc(r->fields, cap * sizeof(*nf));
        if (nf == NULL) {
            return -ENOMEM;
        }
        r->fields = nf;
        r->cap_fields = cap;
    }
    if (s->nids == s->cap_ids) {
        size_t cap = s->cap_ids ? s->cap_ids * 2 : 64;
        uint32_t *ni = realloc(s->ids, cap * sizeof(*ni));
        if (ni == NULL) {
            return -ENOMEM;
        }
        s->ids = ni;
        s->cap_ids = cap;
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return -ENOMEM;
    }
    id = (uint32_t)r->nfields;
    r->fields[id] = *f;
    r->fields[id].id = id;
    r->fields[id].source = s->name;
    e->name = f->f->name;
    e->id = id;
    HASH_ADD_KEYPTR(hh, s->by_name, e->name, strlen(e->name), e);
    if (skr_hash_failed()) {
        free(e);
        return -ENOMEM;
    }
    r->nfields++;
    s->ids[s->nids++] = id;
    return 0;
}

int skr_registry_add_source(struct skr_registry *r, const char *source, struct skr_err *err)
{
    struct reg_source *s;
    struct reg_source *ns;
    int rc;

    if (find_source(r, source) != NULL) {
        return 0;
    }
    ns = realloc(r->sources, (r->nsources + 1) * sizeof(*ns));
    if (ns == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    r->sources = ns;
    s = &r->sources[r->nsources];
    memset(s, 0, sizeof(*s));
    s->name = strdup(source);
    if (s->name == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    r->nsources++;
    for (uint32_t g = 0; g < SKR_GEN_COUNT; g++) {
        struct skr_field f = { .f = &generic_fields[g], .owner = SKR_FIELD_GENERIC, .generic = g };
        if ((rc = add_field(r, s, &f, err)) < 0) {
            return rc == -ENOMEM ? skr_err_set(err, rc, "out of memory") : rc;
        }
    }
    return 0;
}

int skr_registry_add_plugin(struct skr_registry *r,
                            const char *source,
                            const struct skr_plugin *p,
                            size_t plugin_idx,
                            struct skr_err *err)
{
    struct reg_source *s = find_source(r, source);
    int rc;

    if (s == NULL) {
        return skr_err_set(err, -ENOENT, "unknown event source '%s'", source);
    }
    for (size_t i = 0; i < p->num_fields; i++) {
        struct skr_field f = {
            .f = &p->fields[i],
            .owner = SKR_FIELD_PLUGIN,
            .plugin = p,
            .plugin_idx = plugin_idx,
            .plugin_field = (uint32_t)i,
        };
        if ((rc = add_field(r, s, &f, err)) < 0) {
            return rc == -ENOMEM ? skr_err_set(err, rc, "out of memory") : rc;
        }
    }
    return 0;
}

int skr_registry_add_event_types(struct skr_registry *r,
                                 const char *source,
                                 const struct skr_event_type *types,
                                 size_t n,
                                 struct skr_err *err)
{
    struct reg_source *s = find_source(r, source);

    if (s == NULL) {
        return skr_err_set(err, -ENOENT, "unknown event source '%s'", source);
    }
    for (size_t i = 0; i < n; i++) {
        if (types[i].name == NULL || types[i].name[0] == '\0') {
            continue;
        }
        if (s->ntypes == s->cap_types) {
            size_t cap = s->cap_types ? s->cap_types * 2 : 64;
            struct skr_event_type *nt = realloc(s->types, cap * sizeof(*nt));
            if (nt == NULL) {
                return skr_err_set(err, -ENOMEM, "out of memory");
            }
            s->types = nt;
            s->cap_types = cap;
        }
        s->types[s->ntypes] = types[i];
        s->types[s->ntypes].name = strdup(types[i].name);
        if (s->types[s->ntypes].name == NULL) {
            return skr_err_set(err, -ENOMEM, "out of memory");
        }
        s->ntypes++;
    }
    return 0;
}

size_t skr_registry_num_sources(const struct skr_registry *r)
{
    return r->nsources;
}

const char *skr_registry_source(const struct skr_registry *r, size_t i)
{
    return i < r->nsources ? r->sources[i].name : NULL;
}

bool skr_registry_has_source(const struct skr_registry *r, const char *source)
{
    return find_source(r, source) != NULL;
}

size_t skr_registry_num_fields(const struct skr_registry *r)
{
    return r->nfields;
}

const struct skr_field *skr_registry_field(const struct skr_registry *r, uint32_t id)
{
    return id < r->nfields ? &r->fields[id] : NULL;
}

const struct skr_field *skr_registry_lookup(const struct skr_registry *r,
                                            const char *source,
                                            const char *token,
                                            size_t len,
                                            size_t *name_len)
{
    const struct reg_source *s = find_source(r, source);
    struct name_entry *e;

    if (s == NULL || len == 0) {
        return NULL;
    }
    HASH_FIND(hh, s->by_name, token, len, e);
    if (e != NULL) {
        *name_len = len;
        return &r->fields[e->id];
    }
    /* the longest name followed by '.': a field with a dotted argument (evt.arg.fd) */
    for (size_t i = len; i > 0; i--) {
        if (token[i - 1] != '.') {
            continue;
        }
        HASH_FIND(hh, s->by_name, token, i - 1, e);
        if (e != NULL && (r->fields[e->id].f->arg_flags & SKR_PA_DOTTED)) {
            *name_len = i - 1;
            return &r->fields[e->id];
        }
    }
    return NULL;
}

size_t skr_registry_event_codes(const struct skr_registry *r,
                                const char *source,
                                const char *name,
                                uint16_t *codes,
                                size_t max)
{
    const struct reg_source *s = find_source(r, source);
    size_t n = 0;

    if (s == NULL) {
        return 0;
    }
    for (size_t i = 0; i < s->ntypes; i++) {
        if (strcmp(s->types[i].name, name) != 0) {
            continue;
        }
        /* one row per code: a name may be listed twice with the same code */
        bool dup = false;
        for (size_t j = 0; j < n && j < max; j++) {
            dup = dup || codes[j] == s->types[i].code;
        }
        if (dup) {
            continue;
        }
        if (n < max) {
            codes[n] = s->types[i].code;
        }
        n++;
    }
    return n;
}

const struct skr_event_type *skr_registry_event_types(const struct skr_registry *r,
                                                      const char *source,
                                                      size_t *n)
{
    const struct reg_source *s = find_source(r, source);

    *n = s ? s->ntypes : 0;
    return s ? s->types : NULL;
}

/* ---- Listing ------------------------------------------------------------------------------ */

static void flag_names(const struct skr_plugin_field *f, cJSON *arr)
{
    static const struct {
        uint32_t flag;
        const char *name;
    } names[] = {
        { SKR_PF_FILTER_ONLY, "filter_only" }, { SKR_PF_PRINT_ONLY, "print_only" },
        { SKR_PF_DEPRECATED, "deprecated" },   { SKR_PF_NO_RHS, "no_rhs" },
        { SKR_PF_HIDDEN, "hidden" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (f->flags & names[i].flag) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(names[i].name));
        }
    }
    for (size_t i = 0; f->properties != NULL && f->properties[i] != NULL; i++) {
        bool known = false;
        for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
            known = known || strcmp(f->properties[i], names[j].name) == 0;
        }
        if (!known) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(f->properties[i]));
        }
    }
}

static cJSON *field_json(const struct skr_field *fd)
{
    const struct skr_plugin_field *f = fd->f;
    cJSON *o = cJSON_CreateObject();
    cJSON *arg;

    if (o == NULL) {
        return NULL;
    }
    cJSON_AddStringToObject(o, "source", fd->source);
    cJSON_AddStringToObject(o, "plugin", fd->plugin ? fd->plugin->name : "");
    cJSON_AddStringToObject(o, "name", f->name);
    cJSON_AddStringToObject(o, "type", skr_ftype_name(f->type));
    cJSON_AddStringToObject(o, "desc", f->desc);
    cJSON_AddBoolToObject(o, "list", (f->flags & SKR_PF_LIST) != 0);
    arg = cJSON_AddObjectToObject(o, "arg");
    if (arg != NULL) {
        cJSON_AddBoolToObject(arg, "required", (f->arg_flags & SKR_PA_REQUIRED) != 0);
        cJSON_AddBoolToObject(arg, "index", (f->arg_flags & SKR_PA_INDEX) != 0);
        cJSON_AddBoolToObject(arg, "key", (f->arg_flags & SKR_PA_KEY) != 0);
        cJSON_AddBoolToObject(arg, "dotted", (f->arg_flags & SKR_PA_DOTTED) != 0);
    }
    flag_names(f, cJSON_AddArrayToObject(o, "properties"));
    if (f->add_output) {
        cJSON_AddBoolToObject(o, "add_output", true);
    }
    return o;
}

static void list_text(const struct skr_registry *r,
                      const struct reg_source *s,
                      struct skr_strbuf *out)
{
    const struct skr_plugin *cur = NULL;
    bool first = true;

    skr_strbuf_printf(out, "Event source: %s\n", s->name);
    for (size_t i = 0; i < s->nids; i++) {
        const struct skr_field *fd = &r->fields[s->ids[i]];
        const struct skr_plugin_field *f = fd->f;
        char name[300];
        const char *arg = "";

        if (first || fd->plugin != cur) {
            if (fd->plugin == NULL) {
                skr_strbuf_puts(out, "\nField class: evt (generic fields of every event "
                                     "source)\n\n");
            } else {
                skr_strbuf_printf(out, "\nField class: %s (plugin %s %s)\n\n", fd->plugin->name,
                                  fd->plugin->name, fd->plugin->version);
            }
            cur = fd->plugin;
            first = false;
        }
        if (f->flags & SKR_PF_HIDDEN) {
            continue;
        }
        if (f->arg_flags & SKR_PA_DOTTED) {
            arg = ".ARG";
        } else if ((f->arg_flags & SKR_PA_INDEX) && (f->arg_flags & SKR_PA_KEY)) {
            arg = "[ARG]";
        } else if (f->arg_flags & SKR_PA_INDEX) {
            arg = "[INDEX]";
        } else if (f->arg_flags & SKR_PA_KEY) {
            arg = "[KEY]";
        }
        skr_fmt(name, sizeof(name), "%s%s", f->name, arg);
        skr_strbuf_printf(out, "%-40s %-8s%s %s%s\n", name, skr_ftype_name(f->type),
                          (f->flags & SKR_PF_LIST) ? " (list)" : "", f->desc,
                          (f->flags & SKR_PF_DEPRECATED) ? " (deprecated)" : "");
    }
    skr_strbuf_putc(out, '\n');
}

int skr_registry_list(const struct skr_registry *r,
                      const char *source,
                      bool json,
                      struct skr_strbuf *out)
{
    cJSON *doc;
    cJSON *fields;
    cJSON *types;
    char *s;

    if (source != NULL && find_source(r, source) == NULL) {
        return -ENOENT;
    }
    if (!json) {
        for (size_t i = 0; i < r->nsources; i++) {
            if (source == NULL || strcmp(source, r->sources[i].name) == 0) {
                list_text(r, &r->sources[i], out);
            }
        }
        return 0;
    }
    doc = cJSON_CreateObject();
    fields = cJSON_AddArrayToObject(doc, "fields");
    types = cJSON_AddObjectToObject(doc, "event_types");
    if (doc == NULL || fields == NULL || types == NULL) {
        cJSON_Delete(doc);
        return -ENOMEM;
    }
    for (size_t i = 0; i < r->nsources; i++) {
        const struct reg_source *rs = &r->sources[i];
        cJSON *tl;
        if (source != NULL && strcmp(source, rs->name) != 0) {
            continue;
        }
        for (size_t k = 0; k < rs->nids; k++) {
            cJSON_AddItemToArray(fields, field_json(&r->fields[rs->ids[k]]));
        }
        tl = cJSON_AddArrayToObject(types, rs->name);
        for (size_t t = 0; tl != NULL && t < rs->ntypes; t++) {
            cJSON *o = cJSON_CreateObject();
            char dir[2] = { (char)rs->types[t].dir, '\0' };
            cJSON_AddStringToObject(o, "name", rs->types[t].name);
            cJSON_AddNumberToObject(o, "code", rs->types[t].code);
            cJSON_AddStringToObject(o, "dir", dir);
            cJSON_AddItemToArray(tl, o);
        }
    }
    s = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (s == NULL) {
        return -ENOMEM;
    }
    skr_strbuf_puts(out, s);
    skr_strbuf_putc(out, '\n');
    free(s);
    return 0;
}
