/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_rules_eval: evaluates rule files on events whose field values were
 * extracted beforehand (by the real plugins, through plughost), with the rule
 * engine library and its JSON test host. The audit tests use it only while
 * the saker binary cannot run rules yet.
 *
 *   audit_rules_eval --fields HOST.json --source S [--plugin NAME=VER]...
 *                    [--match-all] [--events E.jsonl] RULES...
 *
 * HOST.json is in the shape of `saker --list -o json`. Each line of E.jsonl is
 * {"fields": {"name[arg]": value | [values] | null}}. Prints one JSON document:
 * {"ok", "text" (diagnostics), "errors", "warnings", "rules": [{"name",
 * "priority", "enabled"}], "events": [{"matched": [...], "outputs": [{"rule",
 * "output"}]}]}. Extracted values stay valid for the whole event, as the
 * engine's extraction contract requires.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/testhost.h"
#include "util/strbuf.h"

#define MAX_VALS 4096

struct event {
    struct skr_test_host *host;
    const cJSON *fields;
    struct skr_value vals[MAX_VALS]; /* every value of the event, never reused within it */
    uint32_t used;
};

static int extract(void *user,
                   const struct skr_extract_req *req,
                   const struct skr_value **vals,
                   uint32_t *nvals)
{
    struct event *ev = user;
    const struct skr_field_desc *d = skr_test_host_field(ev->host, req->field_id);
    char key[512];
    const cJSON *v, *it;
    int k;
    uint32_t start = ev->used;

    *nvals = 0;
    if (d == NULL) {
        return -ENOENT;
    }
    if (!req->arg_present) {
        k = snprintf(key, sizeof(key), "%s", d->name);
    } else if (req->arg_key != NULL) {
        k = snprintf(key, sizeof(key), "%s[%s]", d->name, req->arg_key);
    } else {
        k = snprintf(key, sizeof(key), "%s[%" PRIu64 "]", d->name, req->arg_index);
    }
    if (k < 0 || (size_t)k >= sizeof(key)) {
        return -ENOENT;
    }
    v = cJSON_GetObjectItemCaseSensitive(ev->fields, key);
    if (v == NULL || cJSON_IsNull(v)) {
        return -ENOENT;
    }
    for (it = cJSON_IsArray(v) ? v->child : v; it != NULL;
         it = cJSON_IsArray(v) ? it->next : NULL) {
        struct skr_value *out;
        if (ev->used >= MAX_VALS) {
            return -ENOMEM;
        }
        out = &ev->vals[ev->used++];
        memset(out, 0, sizeof(*out));
        if (cJSON_IsString(it)) {
            out->p = (const uint8_t *)it->valuestring;
            out->len = (uint32_t)strlen(it->valuestring);
        } else if (cJSON_IsNumber(it)) {
            out->u64 = (uint64_t)it->valuedouble;
        } else if (cJSON_IsBool(it)) {
            out->u64 = cJSON_IsTrue(it) ? 1 : 0;
        } else {
            return -EINVAL;
        }
    }
    *vals = &ev->vals[start];
    *nvals = ev->used - start;
    return 0;
}

struct match_ctx {
    const struct skr_ruleset *rs;
    struct skr_eval_ctx *ctx;
    struct event *ev;
    cJSON *matched;
    cJSON *outputs;
};

static bool on_match(void *user, const struct skr_rule *r)
{
    struct match_ctx *m = user;
    struct skr_strbuf b;
    cJSON *o = cJSON_CreateObject();

    cJSON_AddItemToArray(m->matched, cJSON_CreateString(skr_rule_name(r)));
    skr_strbuf_init(&b);
    if (skr_rule_render(r, m->ctx, extract, m->ev, &b, NULL, NULL) == 0) {
        cJSON_AddStringToObject(o, "output", b.p ? b.p : "");
    }
    cJSON_AddStringToObject(o, "rule", skr_rule_name(r));
    cJSON_AddItemToArray(m->outputs, o);
    skr_strbuf_fini(&b);
    return true;
}

static char *read_line(FILE *f)
{
    size_t cap = 0;
    char *line = NULL;
    ssize_t n = getline(&line, &cap, f);

    if (n < 0) {
        free(line);
        return NULL;
    }
    return line;
}

static cJSON *diag_list(const struct skr_diags *d, enum skr_diag_severity sev)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; i < skr_diags_count(d); i++) {
        const struct skr_diag *g = skr_diags_get(d, i);
        if (g->severity == sev) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "code", g->code ? g->code : "");
            cJSON_AddStringToObject(o, "message", g->message ? g->message : "");
            cJSON_AddItemToArray(arr, o);
        }
    }
    return arr;
}

int main(int argc, char **argv)
{
    const char *fields_path = NULL, *events_path = NULL, *source = "syscall";
    const char *paths[64];
    size_t npaths = 0;
    bool match_all = false;
    struct skr_test_host *host;
    struct skr_rules_load_opts opts;
    struct skr_diags *diags = skr_diags_new();
    struct skr_ruleset *rs = NULL;
    struct skr_strbuf text;
    char err[512];
    cJSON *out = cJSON_CreateObject();
    cJSON *rules = cJSON_CreateArray();
    int rc;
    char *s;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--match-all") == 0) {
            match_all = true;
        } else if (strcmp(argv[i], "--fields") == 0 && i + 1 < argc) {
            fields_path = argv[++i];
        } else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            events_path = argv[++i];
        } else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc) {
            source = argv[++i];
        } else if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc) {
            i++;
        } else if (npaths < 64) {
            paths[npaths++] = argv[i];
        }
    }
    if (fields_path == NULL || npaths == 0) {
        fprintf(stderr, "usage: audit_rules_eval --fields F.json --source S [--plugin N=V]... "
                        "[--match-all] [--events E.jsonl] RULES...\n");
        return 2;
    }
    host = skr_test_host_load(fields_path, err, sizeof(err));
    if (host == NULL) {
        fprintf(stderr, "audit_rules_eval: %s\n", err);
        return 1;
    }
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--plugin") == 0) {
            char *eq = strchr(argv[i + 1], '=');
            if (eq != NULL) {
                *eq = '\0';
                skr_test_host_add_plugin(host, argv[i + 1], eq + 1);
            }
        }
    }
    memset(&opts, 0, sizeof(opts));
    opts.paths = paths;
    opts.num_paths = npaths;
    opts.sources = &source;
    opts.num_sources = 1;
    opts.min_priority = 7;
    opts.match_all = match_all;
    opts.host = skr_test_host_get(host);
    rc = skr_rules_load(&opts, &rs, diags);
    skr_strbuf_init(&text);
    skr_diags_format(diags, false, &text);
    cJSON_AddBoolToObject(out, "ok", rc == 0);
    cJSON_AddStringToObject(out, "text", text.p ? text.p : "");
    cJSON_AddItemToObject(out, "errors", diag_list(diags, SKR_DIAG_ERROR));
    cJSON_AddItemToObject(out, "warnings", diag_list(diags, SKR_DIAG_WARNING));
    skr_strbuf_fini(&text);
    if (rs != NULL) {
        for (size_t i = 0; i < skr_ruleset_compiled_count(rs); i++) {
            const struct skr_rule *r = skr_ruleset_compiled(rs, i);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", skr_rule_name(r));
            cJSON_AddNumberToObject(o, "priority", skr_rule_priority(r));
            cJSON_AddBoolToObject(o, "enabled", skr_rule_enabled(r));
            cJSON_AddItemToArray(rules, o);
        }
    }
    cJSON_AddItemToObject(out, "rules", rules);
    if (rs != NULL && events_path != NULL) {
        FILE *f = fopen(events_path, "r");
        cJSON *events = cJSON_AddArrayToObject(out, "events");
        struct skr_eval_ctx *ctx = skr_eval_ctx_new();
        struct event *ev = calloc(1, sizeof(*ev));
        char *line;
        while (f != NULL && ev != NULL && (line = read_line(f)) != NULL) {
            cJSON *in = cJSON_Parse(line);
            cJSON *res = cJSON_CreateObject();
            struct match_ctx m = { .rs = rs, .ctx = ctx, .ev = ev };
            free(line);
            ev->host = host;
            ev->fields = cJSON_GetObjectItemCaseSensitive(in, "fields");
            ev->used = 0;
            m.matched = cJSON_AddArrayToObject(res, "matched");
            m.outputs = cJSON_AddArrayToObject(res, "outputs");
            cJSON_AddNumberToObject(
                    res, "rc",
                    skr_ruleset_eval(rs, ctx, 0, SKR_EVT_CODE_PLUGIN, extract, ev, on_match, &m));
            cJSON_AddItemToArray(events, res);
            cJSON_Delete(in);
        }
        if (f != NULL) {
            fclose(f);
        }
        free(ev);
        skr_eval_ctx_free(ctx);
    }
    s = cJSON_PrintUnformatted(out);
    puts(s);
    free(s);
    cJSON_Delete(out);
    skr_ruleset_unref(rs);
    skr_diags_free(diags);
    skr_test_host_free(host);
    return 0;
}
