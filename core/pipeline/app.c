/* SPDX-License-Identifier: Apache-2.0 */
/* The command line modes: configuration -> engine -> result -> exit code. */
#include "pipeline/pipeline_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <saker/version.h>

#define DEFAULT_CONFIG_PATH "/etc/saker/saker.yaml"
#define RULE_LANGUAGE       "the Falco rule language of Falco 0.44"

static void print_err(const struct skr_err *err)
{
    char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];

    skr_log(SKR_LOG_ERR, NULL, "%s", skr_err_format(err, buf, sizeof(buf)));
}

/* Resolves which configuration file applies (for reloads too). */
static void resolve_config(const struct skr_app_opts *o, struct skr_app_opts *out)
{
    *out = *o;
    if (out->config_path == NULL && access(DEFAULT_CONFIG_PATH, R_OK) == 0) {
        out->config_path = DEFAULT_CONFIG_PATH;
    }
}

static void null_log(enum skr_log_level level, const char *line, void *user)
{
    (void)level;
    (void)line;
    (void)user;
}

static int load_config(const struct skr_app_opts *o, struct skr_cfg **c)
{
    struct skr_config_input in = { 0 };
    struct skr_err err;

    in.path = o->config_path;
    in.text = o->default_text;
    in.text_len = o->default_len;
    in.text_name = "<embedded saker.yaml>";
    in.overrides = o->overrides;
    in.num_overrides = o->num_overrides;
    skr_err_clear(&err);
    if (skr_config_load(&in, c, &err) < 0) {
        print_err(&err);
        return -1;
    }
    skr_log_set_level((enum skr_log_level)(*c)->v.log_level);
    if (!(*c)->v.log_stderr) {
        skr_log_set_sink(null_log, NULL);
    }
    return 0;
}

static int build(const struct skr_app_opts *o, enum skr_engine_mode mode, struct skr_engine **e)
{
    struct skr_cfg *c = NULL;
    struct skr_err err;

    if (load_config(o, &c) < 0) {
        return -1;
    }
    skr_err_clear(&err);
    if (skr_engine_new(o, c, mode, e, &err) < 0) {
        print_err(&err);
        return -1;
    }
    return 0;
}

int skr_app_run(const struct skr_app_opts *given)
{
    struct skr_app_opts o;
    struct skr_engine *e = NULL;
    sigset_t mask;
    int code;

    /* before any thread exists (plugins may start some at init): signals are read by the
     * main loop from a signalfd, never delivered to a thread */
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    resolve_config(given, &o);
    if (o.capture_read != NULL && o.capture_write != NULL &&
        strcmp(o.capture_read, o.capture_write) == 0) {
        skr_log(SKR_LOG_ERR, NULL,
                "-e and -w name the same file %s: write the new capture elsewhere", o.capture_read);
        return 1;
    }
    if (build(&o, SKR_MODE_RUN, &e) < 0) {
        return 1;
    }
    code = skr_engine_run(&e, &o);
    skr_engine_free(e);
    return code;
}

int skr_app_list_fields(const struct skr_app_opts *given, const char *source)
{
    struct skr_app_opts o;
    struct skr_engine *e = NULL;
    struct skr_strbuf out;
    int rc;

    resolve_config(given, &o);
    if (build(&o, SKR_MODE_FIELDS, &e) < 0) {
        return 1;
    }
    skr_strbuf_init(&out);
    rc = skr_registry_list(e->reg, source, o.json, &out);
    if (rc == -ENOENT) {
        struct skr_strbuf known;
        skr_strbuf_init(&known);
        for (size_t i = 0; i < e->nsources; i++) {
            skr_strbuf_printf(&known, "%s%s", i ? ", " : "", e->sources[i]->name);
        }
        skr_log(SKR_LOG_ERR, NULL,
                "--list %s: no loaded plugin provides event source '%s' (known sources: %s)",
                source, source, known.len ? known.p : "none");
        skr_strbuf_fini(&known);
    } else {
        fputs(out.p, stdout);
    }
    skr_strbuf_fini(&out);
    skr_engine_free(e);
    return rc < 0 ? 1 : 0;
}

static void caps_json(const struct skr_plugin *p, cJSON *o)
{
    static const struct {
        unsigned cap;
        const char *name;
    } names[] = {
        { SKR_CAP_SOURCING, "sourcing" },
        { SKR_CAP_EXTRACTION, "extraction" },
        { SKR_CAP_PARSING, "parsing" },
        { SKR_CAP_ASYNC, "async" },
        { SKR_CAP_CAPTURE_LISTENING, "capture_listening" },
        { SKR_CAP_SINK, "sink" },
    };
    cJSON *a = cJSON_AddArrayToObject(o, "capabilities");

    for (size_t i = 0; a != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        if (p->caps & names[i].cap) {
            cJSON_AddItemToArray(a, cJSON_CreateString(names[i].name));
        }
    }
}

int skr_app_list_plugins(const struct skr_app_opts *given)
{
    struct skr_app_opts o;
    struct skr_engine *e = NULL;
    struct skr_strbuf out;

    resolve_config(given, &o);
    if (build(&o, SKR_MODE_PLUGINS, &e) < 0) {
        return 1;
    }
    skr_strbuf_init(&out);
    if (o.json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(doc, "plugins");
        char *s;
        for (size_t i = 0; i < e->nplugins; i++) {
            const struct skr_plugin *p = e->plugins[i].p;
            cJSON *po = cJSON_CreateObject();
            cJSON_AddStringToObject(po, "name", p->name);
            cJSON_AddStringToObject(po, "version", p->version);
            cJSON_AddStringToObject(po, "description", p->description);
            cJSON_AddStringToObject(po, "contact", p->contact);
            cJSON_AddStringToObject(po, "required_api_version", p->required_api_version);
            cJSON_AddStringToObject(po, "library", p->path);
            caps_json(p, po);
            if (p->caps & SKR_CAP_SOURCING) {
                cJSON_AddNumberToObject(po, "id", p->id);
                cJSON_AddStringToObject(po, "source", p->source);
            }
            if (p->caps & SKR_CAP_EXTRACTION) {
                cJSON_AddNumberToObject(po, "fields", (double)p->num_fields);
            }
            cJSON_AddItemToArray(arr, po);
        }
        s = cJSON_PrintUnformatted(doc);
        cJSON_Delete(doc);
        if (s != NULL) {
            skr_strbuf_puts(&out, s);
            skr_strbuf_putc(&out, '\n');
            free(s);
        }
    } else {
        skr_strbuf_printf(&out, "%zu plugin%s loaded:\n", e->nplugins, e->nplugins == 1 ? "" : "s");
        for (size_t i = 0; i < e->nplugins; i++) {
            const struct skr_plugin *p = e->plugins[i].p;
            skr_strbuf_printf(&out,
                              "\nName: %s\nDescription: %s\nContact: %s\nVersion: %s\n"
                              "Required API version: %s\nLibrary: %s\nCapabilities: ",
                              p->name, p->description, p->contact, p->version,
                              p->required_api_version, p->path);
            skr_plugin_caps_text(p, &out);
            skr_strbuf_putc(&out, '\n');
        }
    }
    fputs(out.p, stdout);
    skr_strbuf_fini(&out);
    skr_engine_free(e);
    return 0;
}

int skr_app_validate(const struct skr_app_opts *given, const char *const *files, size_t n)
{
    struct skr_app_opts o;
    struct skr_engine *e = NULL;
    struct skr_ruleset *rs = NULL;
    struct skr_diags *d;
    struct skr_strbuf out;
    struct skr_err err;
    size_t errors;
    int rc;

    resolve_config(given, &o);
    for (size_t i = 0; i < n; i++) {
        if (access(files[i], R_OK) != 0) {
            skr_log(SKR_LOG_ERR, NULL, "-V %s: cannot read the rules file: %s", files[i],
                    strerror(errno));
            return 1;
        }
    }
    if (build(&o, SKR_MODE_RULES, &e) < 0) {
        return 1;
    }
    d = skr_diags_new();
    if (d == NULL) {
        skr_engine_free(e);
        return 1;
    }
    skr_err_clear(&err);
    rc = skr_engine_load_rules(e, files, n, &rs, d, &err);
    errors = skr_diags_errors(d);
    skr_strbuf_init(&out);
    skr_diags_format(d, o.json, &out);
    if (!o.json) {
        for (size_t i = 0; i < n; i++) {
            const char *verdict = rc < 0 || errors > 0          ? "Invalid"
                                  : skr_diags_count(d) > errors ? "Ok, with warnings"
                                                                : "Ok";
            skr_strbuf_printf(&out, "%s: %s\n", files[i], verdict);
        }
    }
    fputs(out.p, stdout);
    skr_strbuf_fini(&out);
    skr_ruleset_unref(rs);
    skr_diags_free(d);
    skr_engine_free(e);
    return rc < 0 || errors > 0 ? 1 : 0;
}

int skr_app_version(const struct skr_app_opts *o)
{
    if (o->json) {
        printf("{\"saker_version\":\"%s\",\"plugin_api_version\":\"%s\","
               "\"saker_ext_version\":\"%s\",\"engine_version\":\"%s\","
               "\"engine_version_semver\":\"%s\",\"rule_language\":\"%s\","
               "\"capture_format_version\":\"%d.%d\"}\n",
               SAKER_VERSION_STR, PLUGIN_API_VERSION_STR, SAKER_EXT_VERSION_STR,
               SKR_ENGINE_VERSION_STR, SKR_ENGINE_VERSION_STR, RULE_LANGUAGE,
               SKR_CAPTURE_VERSION_MAJOR, SKR_CAPTURE_VERSION_MINOR);
        return 0;
    }
    printf("Saker version: %s\n"
           "Plugin API version: %s\n"
           "Saker plugin extensions version: %s\n"
           "Rule engine version: %s (%s; rules files requiring a newer "
           "required_engine_version are refused)\n"
           "Capture file format: %d.%d\n",
           SAKER_VERSION_STR, PLUGIN_API_VERSION_STR, SAKER_EXT_VERSION_STR, SKR_ENGINE_VERSION_STR,
           RULE_LANGUAGE, SKR_CAPTURE_VERSION_MAJOR, SKR_CAPTURE_VERSION_MINOR);
    return 0;
}

int skr_app_list_config(const struct skr_app_opts *o)
{
    struct skr_strbuf out;

    skr_strbuf_init(&out);
    skr_config_list(o->json, &out);
    fputs(out.p, stdout);
    skr_strbuf_fini(&out);
    return 0;
}

int skr_app_check_config(const char *path, const char *text, size_t len)
{
    struct skr_strbuf out;
    struct skr_strbuf file;
    struct skr_err err;
    int n;

    skr_strbuf_init(&out);
    skr_strbuf_init(&file);
    if (path != NULL) {
        FILE *f = fopen(path, "rb");
        char chunk[4096];
        size_t r;
        if (f == NULL) {
            skr_log(SKR_LOG_ERR, NULL, "--check-config %s: cannot open: %s", path, strerror(errno));
            return 1;
        }
        while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0) {
            skr_strbuf_append(&file, chunk, r);
        }
        fclose(f);
        text = file.p;
        len = file.len;
    }
    skr_err_clear(&err);
    n = skr_config_check_defaults(text, len, path ? path : "<embedded saker.yaml>", &out, &err);
    if (n < 0) {
        print_err(&err);
    } else if (n > 0) {
        fputs(out.p, stdout);
        printf("%s: %d difference%s from the built-in defaults\n",
               path ? path : "<embedded saker.yaml>", n, n == 1 ? "" : "s");
    } else {
        printf("%s: every option is stated with its default\n",
               path ? path : "<embedded saker.yaml>");
    }
    skr_strbuf_fini(&out);
    skr_strbuf_fini(&file);
    return n == 0 ? 0 : 1;
}
