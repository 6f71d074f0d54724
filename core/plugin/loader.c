/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading a plugin: resolve the symbols, then check (separate steps)
 * required symbols, API version, identity, capabilities, extension version,
 * and read the plugin's JSON documents.
 */
#include "plugin/plugin.h"
#include "plugin/plugin_int.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* Prefix of every load error: the configured name, the real one when known, the path. */
static int load_err(struct skr_err *err, const struct skr_plugin *p, const char *fmt, ...)
        SKR_PRINTF(3, 4);

static int load_err(struct skr_err *err, const struct skr_plugin *p, const char *fmt, ...)
{
    char msg[SKR_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    va_end(ap);
    return skr_err_set(err, -EINVAL, "plugin '%s' (%s): %s", p->label, p->path, msg);
}

#define RESOLVE(field, sym) vt->field = (__typeof__(vt->field))dlsym(dl, sym)

void skr_plugin_resolve(void *dl, struct skr_plugin_vtable *vt)
{
    memset(vt, 0, sizeof(*vt));
    RESOLVE(api.get_required_api_version, "plugin_get_required_api_version");
    RESOLVE(api.get_init_schema, "plugin_get_init_schema");
    RESOLVE(api.init, "plugin_init");
    RESOLVE(api.destroy, "plugin_destroy");
    RESOLVE(api.get_last_error, "plugin_get_last_error");
    RESOLVE(api.get_name, "plugin_get_name");
    RESOLVE(api.get_description, "plugin_get_description");
    RESOLVE(api.get_contact, "plugin_get_contact");
    RESOLVE(api.get_version, "plugin_get_version");
    RESOLVE(api.get_id, "plugin_get_id");
    RESOLVE(api.get_event_source, "plugin_get_event_source");
    RESOLVE(api.open, "plugin_open");
    RESOLVE(api.close, "plugin_close");
    RESOLVE(api.list_open_params, "plugin_list_open_params");
    RESOLVE(api.get_progress, "plugin_get_progress");
    RESOLVE(api.event_to_string, "plugin_event_to_string");
    RESOLVE(api.next_batch, "plugin_next_batch");
    RESOLVE(api.get_extract_event_types, "plugin_get_extract_event_types");
    RESOLVE(api.get_extract_event_sources, "plugin_get_extract_event_sources");
    RESOLVE(api.get_fields, "plugin_get_fields");
    RESOLVE(api.extract_fields, "plugin_extract_fields");
    RESOLVE(api.get_parse_event_types, "plugin_get_parse_event_types");
    RESOLVE(api.get_parse_event_sources, "plugin_get_parse_event_sources");
    RESOLVE(api.parse_event, "plugin_parse_event");
    RESOLVE(api.get_async_event_sources, "plugin_get_async_event_sources");
    RESOLVE(api.get_async_events, "plugin_get_async_events");
    RESOLVE(api.set_async_event_handler, "plugin_set_async_event_handler");
    RESOLVE(api.dump_state, "plugin_dump_state");
    RESOLVE(api.set_config, "plugin_set_config");
    RESOLVE(api.get_metrics, "plugin_get_metrics");
    RESOLVE(api.capture_open, "plugin_capture_open");
    RESOLVE(api.capture_close, "plugin_capture_close");
    RESOLVE(api.get_required_event_schema_version, "plugin_get_required_event_schema_version");
    RESOLVE(get_required_saker_ext_version, "plugin_get_required_saker_ext_version");
    RESOLVE(get_extract_lifetime, "plugin_get_extract_lifetime");
    RESOLVE(get_event_types, "plugin_get_event_types");
    RESOLVE(set_event_interest, "plugin_set_event_interest");
    RESOLVE(get_prefilter_fields, "plugin_get_prefilter_fields");
    RESOLVE(set_prefilter, "plugin_set_prefilter");
    RESOLVE(sink_open, "plugin_sink_open");
    RESOLVE(sink_write, "plugin_sink_write");
    RESOLVE(sink_flush, "plugin_sink_flush");
    RESOLVE(sink_reopen, "plugin_sink_reopen");
    RESOLVE(sink_close, "plugin_sink_close");
}

#undef RESOLVE

/* Step 1: the API version (Falco's rule: same major, host minor.patch not older). */
static int check_api_version(struct skr_plugin *p, struct skr_err *err)
{
    static const struct skr_semver host = { PLUGIN_API_VERSION_MAJOR, PLUGIN_API_VERSION_MINOR,
                                            PLUGIN_API_VERSION_PATCH };
    struct skr_semver need;
    const char *s;

    if (p->vt.api.get_required_api_version == NULL) {
        return load_err(err, p,
                        "required symbol plugin_get_required_api_version is not exported: the "
                        "library is not a plugin");
    }
    s = p->vt.api.get_required_api_version();
    if (s == NULL || skr_semver_parse(s, &need) < 0) {
        return load_err(err, p,
                        "plugin_get_required_api_version returned '%s', not a version M.m.p: "
                        "rebuild the plugin with a valid API version",
                        s ? s : "(null)");
    }
    p->required_api_version = s;
    if (need.major != host.major) {
        return load_err(err, p,
                        "requires plugin API %s, but Saker offers %s and the major versions "
                        "differ: use a plugin built for API %u.x",
                        s, PLUGIN_API_VERSION_STR, host.major);
    }
    if (!skr_semver_satisfies(&host, &need)) {
        return load_err(err, p,
                        "requires plugin API %s, newer than the %s Saker offers: use an older "
                        "release of the plugin or a newer Saker",
                        s, PLUGIN_API_VERSION_STR);
    }
    return 0;
}

/* Step 2: the symbols every plugin must export. */
static int check_required(struct skr_plugin *p, struct skr_err *err)
{
    const struct {
        const void *fn;
        const char *sym;
    } req[] = {
        { (const void *)p->vt.api.get_version, "plugin_get_version" },
        { (const void *)p->vt.api.get_name, "plugin_get_name" },
        { (const void *)p->vt.api.get_description, "plugin_get_description" },
        { (const void *)p->vt.api.get_contact, "plugin_get_contact" },
        { (const void *)p->vt.api.init, "plugin_init" },
        { (const void *)p->vt.api.destroy, "plugin_destroy" },
        { (const void *)p->vt.api.get_last_error, "plugin_get_last_error" },
    };

    for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
        if (req[i].fn == NULL) {
            return load_err(err, p,
                            "required symbol %s is not exported: the library is not a complete "
                            "plugin",
                            req[i].sym);
        }
    }
    return 0;
}

/* Step 3: identity strings. */
static int read_identity(struct skr_plugin *p, struct skr_err *err)
{
    struct skr_semver v;

    p->name = p->vt.api.get_name();
    p->version = p->vt.api.get_version();
    p->description = p->vt.api.get_description();
    p->contact = p->vt.api.get_contact();
    if (p->name == NULL || p->name[0] == '\0') {
        return load_err(err, p, "plugin_get_name returned an empty name");
    }
    if (p->description == NULL) {
        p->description = "";
    }
    if (p->contact == NULL) {
        p->contact = "";
    }
    if (p->version == NULL || skr_semver_parse(p->version, &v) < 0) {
        return load_err(err, p, "plugin_get_version returned '%s', not a version M.m.p",
                        p->version ? p->version : "(null)");
    }
    return 0;
}

/* Step 4: capabilities from the symbols present (Falco's rules, broken ones included). */
static int check_caps(struct skr_plugin *p, struct skr_err *err)
{
    const struct skr_plugin_vtable *vt = &p->vt;
    struct skr_strbuf broken;
    int rc = 0;
    int src_syms = (vt->api.open != NULL) + (vt->api.close != NULL) + (vt->api.next_batch != NULL);
    bool has_id = false;
    bool has_src = false;
    int sink_syms = (vt->sink_open != NULL) + (vt->sink_write != NULL) + (vt->sink_close != NULL);

    skr_strbuf_init(&broken);
    p->caps = 0;
    if (vt->api.get_id != NULL) {
        p->id = vt->api.get_id();
        has_id = p->id != 0;
    }
    if (vt->api.get_event_source != NULL) {
        const char *s = vt->api.get_event_source();
        has_src = s != NULL && s[0] != '\0';
        p->source = has_src ? s : NULL;
    }
    if (src_syms == 3) {
        if (has_id != has_src) {
            skr_strbuf_puts(&broken, has_id ? "a plugin ID without an event source name"
                                            : "an event source name with plugin ID 0");
        } else {
            p->caps |= SKR_CAP_SOURCING;
        }
    } else if (src_syms > 0) {
        skr_strbuf_puts(&broken, "sourcing needs plugin_open, plugin_close and plugin_next_batch");
    }
    if (vt->api.get_fields != NULL && vt->api.extract_fields != NULL) {
        p->caps |= SKR_CAP_EXTRACTION;
    } else if (vt->api.extract_fields != NULL) {
        skr_strbuf_printf(&broken, "%sextraction needs plugin_get_fields", broken.len ? ", " : "");
    }
    if (vt->api.parse_event != NULL) {
        p->caps |= SKR_CAP_PARSING;
    }
    if (vt->api.get_async_events != NULL && vt->api.set_async_event_handler != NULL) {
        p->caps |= SKR_CAP_ASYNC;
    } else if (vt->api.set_async_event_handler != NULL) {
        skr_strbuf_printf(&broken, "%sasync events need plugin_get_async_events",
                          broken.len ? ", " : "");
    }
    if (vt->api.capture_open != NULL && vt->api.capture_close != NULL) {
        p->caps |= SKR_CAP_CAPTURE_LISTENING;
    } else if (vt->api.capture_open != NULL) {
        skr_strbuf_printf(&broken, "%scapture listening needs plugin_capture_close",
                          broken.len ? ", " : "");
    }
    if (sink_syms == 3) {
        p->caps |= SKR_CAP_SINK;
    } else if (sink_syms > 0) {
        skr_strbuf_printf(&broken,
                          "%sthe sink capability needs plugin_sink_open, plugin_sink_write and "
                          "plugin_sink_close",
                          broken.len ? ", " : "");
    }
    if (broken.len > 0) {
        rc = load_err(err, p, "broken plugin capabilities: %s: fix the plugin's exported symbols",
                      broken.p);
    } else if (p->caps == 0) {
        rc = load_err(err, p,
                      "the plugin implements no capability (sourcing, extraction, parsing, "
                      "async, capture listening or sink)");
    } else if (p->caps & SKR_CAP_SOURCING) {
        if (p->source == NULL) {
            p->source = "syscall";
        } else if (strcmp(p->source, "syscall") == 0 || strcmp(p->source, "internal") == 0 ||
                   strcmp(p->source, "plugins") == 0) {
            rc = load_err(err, p,
                          "event source name '%s' is reserved: a plugin with an ID must name its "
                          "own source",
                          p->source);
        }
    }
    skr_strbuf_fini(&broken);
    return rc;
}

/* Step 5: Saker extensions have their own version. */
static int check_ext_version(struct skr_plugin *p, struct skr_err *err)
{
    static const struct skr_semver host = { SAKER_EXT_VERSION_MAJOR, SAKER_EXT_VERSION_MINOR,
                                            SAKER_EXT_VERSION_PATCH };
    const struct skr_plugin_vtable *vt = &p->vt;
    bool any = vt->get_event_types || vt->set_event_interest || vt->get_extract_lifetime ||
               vt->get_prefilter_fields || vt->set_prefilter || vt->sink_open || vt->sink_write ||
               vt->sink_flush || vt->sink_reopen || vt->sink_close;
    struct skr_semver need;
    const char *s;

    if (!any) {
        return 0;
    }
    if (vt->get_required_saker_ext_version == NULL) {
        return load_err(err, p,
                        "exports Saker extension symbols but not "
                        "plugin_get_required_saker_ext_version: export it");
    }
    s = vt->get_required_saker_ext_version();
    if (s == NULL || skr_semver_parse(s, &need) < 0) {
        return load_err(err, p,
                        "plugin_get_required_saker_ext_version returned '%s', not a version "
                        "M.m.p",
                        s ? s : "(null)");
    }
    if (!skr_semver_satisfies(&host, &need)) {
        return load_err(err, p,
                        "requires Saker extensions %s, but this Saker offers %s: use a matching "
                        "plugin release",
                        s, SAKER_EXT_VERSION_STR);
    }
    if ((vt->get_event_types || vt->set_event_interest) && !(p->caps & SKR_CAP_SOURCING)) {
        return load_err(err, p,
                        "exports plugin_get_event_types or plugin_set_event_interest without "
                        "being a source");
    }
    if ((vt->get_prefilter_fields || vt->set_prefilter) && !(p->caps & SKR_CAP_SOURCING)) {
        return load_err(err, p,
                        "exports plugin_get_prefilter_fields or plugin_set_prefilter without "
                        "being a source");
    }
    if ((vt->get_prefilter_fields == NULL) != (vt->set_prefilter == NULL)) {
        return load_err(err, p,
                        "exports only one of plugin_get_prefilter_fields and "
                        "plugin_set_prefilter: export both or neither");
    }
    return 0;
}

/* Step 6: the JSON documents and the init schema. */
static int read_documents(struct skr_plugin *p, struct skr_err *err)
{
    int rc;

    if (p->caps & SKR_CAP_EXTRACTION) {
        const char *fj = p->vt.api.get_fields();
        if ((rc = skr_plugin_parse_fields(p, fj, err)) < 0) {
            return rc;
        }
        rc = skr_plugin_parse_srcset(p, p->vt.api.get_extract_event_sources,
                                     "plugin_get_extract_event_sources", &p->extract_sources, err);
        if (rc < 0) {
            return rc;
        }
    }
    if (p->caps & SKR_CAP_PARSING) {
        rc = skr_plugin_parse_srcset(p, p->vt.api.get_parse_event_sources,
                                     "plugin_get_parse_event_sources", &p->parse_sources, err);
        if (rc < 0) {
            return rc;
        }
    }
    if (p->caps & SKR_CAP_ASYNC) {
        rc = skr_plugin_parse_srcset(p, p->vt.api.get_async_event_sources,
                                     "plugin_get_async_event_sources", &p->async_sources, err);
        if (rc < 0 || (rc = skr_plugin_parse_async_names(p, err)) < 0) {
            return rc;
        }
    }
    if (p->vt.api.get_init_schema != NULL) {
        ss_plugin_schema_type st = SS_PLUGIN_SCHEMA_NONE;
        const char *schema = p->vt.api.get_init_schema(&st);
        if (st == SS_PLUGIN_SCHEMA_JSON && schema != NULL && schema[0] != '\0') {
            if ((rc = skr_plugin_check_schema_doc(p, schema, err)) < 0) {
                return rc;
            }
            p->init_schema = skr_arena_strdup(&p->arena, schema);
            if (p->init_schema == NULL) {
                return -ENOMEM;
            }
        } else if (st != SS_PLUGIN_SCHEMA_NONE && st != SS_PLUGIN_SCHEMA_JSON) {
            return load_err(err, p, "plugin_get_init_schema returned unknown schema type %d",
                            (int)st);
        }
    }
    return 0;
}

static struct skr_plugin *plugin_new(const char *label, const char *path)
{
    struct skr_plugin *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        return NULL;
    }
    skr_arena_init(&p->arena, 4096);
    p->label = skr_arena_strdup(&p->arena, label ? label : "?");
    p->path = skr_arena_strdup(&p->arena, path);
    if (p->label == NULL || p->path == NULL) {
        skr_arena_fini(&p->arena);
        free(p);
        return NULL;
    }
    return p;
}

static int run_checks(struct skr_plugin *p, struct skr_err *err)
{
    int rc;

    if ((rc = check_api_version(p, err)) < 0 || (rc = check_required(p, err)) < 0 ||
        (rc = read_identity(p, err)) < 0 || (rc = check_caps(p, err)) < 0 ||
        (rc = check_ext_version(p, err)) < 0 || (rc = read_documents(p, err)) < 0) {
        if (rc == -ENOMEM && err != NULL && err->code == 0) {
            load_err(err, p, "out of memory");
        }
        return rc;
    }
    /* from here on messages use the plugin's own name */
    if (strcmp(p->label, p->name) != 0) {
        char *n = skr_arena_strdup(&p->arena, p->name);
        if (n != NULL) {
            p->label = n;
        }
    }
    return 0;
}

struct skr_plugin *skr_plugin_load_vtable(const struct skr_plugin_vtable *vt,
                                          const char *label,
                                          struct skr_err *err)
{
    struct skr_plugin *p = plugin_new(label, "<memory>");

    if (p == NULL) {
        skr_err_set(err, -ENOMEM, "plugin '%s': out of memory", label);
        return NULL;
    }
    p->vt = *vt;
    if (run_checks(p, err) < 0) {
        skr_plugin_free(p);
        return NULL;
    }
    return p;
}

struct skr_plugin *skr_plugin_open(const char *label, const char *path, struct skr_err *err)
{
    struct skr_plugin *p = plugin_new(label, path);
    const char *why;

    if (p == NULL) {
        skr_err_set(err, -ENOMEM, "plugin '%s': out of memory", label);
        return NULL;
    }
    p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (p->dl == NULL) {
        why = dlerror();
        skr_err_set(err, -ENOENT,
                    "plugin '%s': cannot load library %s: %s: check library_path (relative "
                    "paths are resolved against plugins_dir) and that it is a plugin built for "
                    "this machine",
                    label, path, why ? why : "unknown error");
        skr_plugin_free(p);
        return NULL;
    }
    skr_plugin_resolve(p->dl, &p->vt);
    if (run_checks(p, err) < 0) {
        skr_plugin_free(p);
        return NULL;
    }
    return p;
}

void skr_plugin_free(struct skr_plugin *p)
{
    if (p == NULL) {
        return;
    }
    if (p->dl != NULL) {
        dlclose(p->dl);
    }
    skr_arena_fini(&p->arena);
    free(p);
}

static bool in_set(const struct skr_srcset *s, const char *source)
{
    if (s->n == 0) {
        return true;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i], source) == 0) {
            return true;
        }
    }
    return false;
}

bool skr_plugin_extracts(const struct skr_plugin *p, const char *source)
{
    return (p->caps & SKR_CAP_EXTRACTION) && in_set(&p->extract_sources, source);
}

bool skr_plugin_parses(const struct skr_plugin *p, const char *source)
{
    return (p->caps & SKR_CAP_PARSING) && in_set(&p->parse_sources, source);
}

bool skr_plugin_async_into(const struct skr_plugin *p, const char *source)
{
    return (p->caps & SKR_CAP_ASYNC) && in_set(&p->async_sources, source);
}

bool skr_plugin_serves(const struct skr_plugin *p, const char *source)
{
    if ((p->caps & SKR_CAP_SOURCING) && strcmp(p->source, source) == 0) {
        return true;
    }
    return skr_plugin_extracts(p, source) || skr_plugin_parses(p, source) ||
           skr_plugin_async_into(p, source);
}

void skr_plugin_caps_text(const struct skr_plugin *p, struct skr_strbuf *out)
{
    const char *sep = "";

    if (p->caps & SKR_CAP_SOURCING) {
        if (p->id != 0) {
            skr_strbuf_printf(out, "event sourcing (ID %u, source '%s')", p->id, p->source);
        } else {
            skr_strbuf_puts(out, "event sourcing (source 'syscall')");
        }
        sep = ", ";
    }
    if (p->caps & SKR_CAP_EXTRACTION) {
        skr_strbuf_printf(out, "%sfield extraction", sep);
        sep = ", ";
    }
    if (p->caps & SKR_CAP_PARSING) {
        skr_strbuf_printf(out, "%sevent parsing", sep);
        sep = ", ";
    }
    if (p->caps & SKR_CAP_ASYNC) {
        skr_strbuf_printf(out, "%sasync events", sep);
        sep = ", ";
    }
    if (p->caps & SKR_CAP_CAPTURE_LISTENING) {
        skr_strbuf_printf(out, "%scapture listening", sep);
        sep = ", ";
    }
    if (p->caps & SKR_CAP_SINK) {
        skr_strbuf_printf(out, "%soutput sink", sep);
    }
}
