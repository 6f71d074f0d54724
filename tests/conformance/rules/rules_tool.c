/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_tool: drives the rule engine for the conformance and integration
 * scripts (Python has no YAML parser in its standard library, and the
 * scripts check the engine's answers, not its internals).
 *
 *   rules_tool yaml2json FILE
 *   rules_tool parse [--depth N]                        JSON lines {"expr"} on stdin
 *   rules_tool compile --fields F.json [--source S]     JSON lines {"expr"} on stdin
 *   rules_tool load --syntax-only FILE...                (no fields: parse and expand only)
 *   rules_tool load --fields F.json [--source S]... [--plugin NAME=VER]...
 *              [--min-priority N] [--match-all] [--enable|--disable RULE]...
 *              [--enable-tag|--disable-tag TAG]... [--describe RULE|-] FILE...
 *   rules_tool eval --fields F.json [--source S]... --events E.jsonl FILE...
 *
 * Every command prints JSON (one document, or one line per input line).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rules/parser.h"
#include "rules/rules.h"
#include "rules/rules_int.h"
#include "rules/testhost.h"

static int usage(void)
{
    fprintf(stderr, "usage: rules_tool yaml2json|parse|compile|load|eval [options] [files]\n");
    return 2;
}

static void print_json(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);

    if (s != NULL) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    fflush(stdout);
}

/* ---- yaml2json ----------------------------------------------------------------------- */

static cJSON *yaml_node_json(yaml_document_t *doc, yaml_node_t *n)
{
    cJSON *o;

    if (n == NULL) {
        return cJSON_CreateNull();
    }
    switch (n->type) {
    case YAML_SCALAR_NODE: {
        const char *s = (const char *)n->data.scalar.value;
        if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            char *end = NULL;
            long long v;
            if (s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0) {
                return cJSON_CreateNull();
            }
            if (strcmp(s, "true") == 0) {
                return cJSON_CreateTrue();
            }
            if (strcmp(s, "false") == 0) {
                return cJSON_CreateFalse();
            }
            errno = 0;
            v = strtoll(s, &end, 10);
            if (errno == 0 && end != s && *end == '\0') {
                return cJSON_CreateNumber((double)v);
            }
        }
        return cJSON_CreateString(s);
    }
    case YAML_SEQUENCE_NODE:
        o = cJSON_CreateArray();
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++) {
            cJSON_AddItemToArray(o, yaml_node_json(doc, yaml_document_get_node(doc, *it)));
        }
        return o;
    case YAML_MAPPING_NODE:
        o = cJSON_CreateObject();
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (k != NULL && k->type == YAML_SCALAR_NODE) {
                cJSON_AddItemToObject(o, (const char *)k->data.scalar.value,
                                      yaml_node_json(doc, yaml_document_get_node(doc, p->value)));
            }
        }
        return o;
    default:
        return cJSON_CreateNull();
    }
}

static int cmd_yaml2json(const char *path)
{
    FILE *f = fopen(path, "rb");
    yaml_parser_t parser;
    yaml_document_t doc;
    cJSON *o;

    if (f == NULL) {
        fprintf(stderr, "rules_tool: cannot open %s\n", path);
        return 1;
    }
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        fprintf(stderr, "rules_tool: %s: invalid YAML\n", path);
        yaml_parser_delete(&parser);
        fclose(f);
        return 1;
    }
    o = yaml_node_json(&doc, yaml_document_get_root_node(&doc));
    print_json(o);
    cJSON_Delete(o);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return 0;
}

/* ---- Reading JSON lines ---------------------------------------------------------------- */

static char *read_line(FILE *f)
{
    size_t cap = 4096;
    size_t n = 0;
    char *buf = malloc(cap);
    int c;

    if (buf == NULL) {
        return NULL;
    }
    while ((c = fgetc(f)) != EOF && c != '\n') {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        buf[n++] = (char)c;
    }
    if (c == EOF && n == 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static cJSON *pos_json(struct skr_pos p)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "idx", p.idx);
    cJSON_AddNumberToObject(o, "line", p.line);
    cJSON_AddNumberToObject(o, "col", p.col);
    return o;
}

/* ---- parse ----------------------------------------------------------------------------------- */

static int cmd_parse(uint32_t depth)
{
    char *line;

    while ((line = read_line(stdin)) != NULL) {
        cJSON *in = cJSON_Parse(line);
        cJSON *out = cJSON_CreateObject();
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(in, "expr");
        struct skr_arena a;
        struct skr_parse_error err;
        struct skr_pos end;
        struct skr_ast *ast;

        free(line);
        if (!cJSON_IsString(e)) {
            cJSON_AddStringToObject(out, "error", "bad request");
            print_json(out);
            cJSON_Delete(in);
            cJSON_Delete(out);
            continue;
        }
        skr_arena_init(&a, 0);
        ast = skr_parse(&a, e->valuestring, strlen(e->valuestring), depth, &err, &end);
        cJSON_AddBoolToObject(out, "ok", ast != NULL);
        if (ast != NULL) {
            struct skr_strbuf b;
            skr_strbuf_init(&b);
            skr_ast_print(ast, &b);
            cJSON_AddStringToObject(out, "ast", b.p);
            skr_strbuf_reset(&b);
            skr_ast_dump_positions(ast, &b);
            cJSON_AddStringToObject(out, "positions", b.p);
            skr_strbuf_fini(&b);
            cJSON_AddItemToObject(out, "end", pos_json(end));
        } else {
            cJSON_AddStringToObject(out, "error", err.msg);
            cJSON_AddItemToObject(out, "pos", pos_json(err.pos));
        }
        skr_arena_fini(&a);
        print_json(out);
        cJSON_Delete(in);
        cJSON_Delete(out);
    }
    return 0;
}

/* ---- A test extractor: values from a JSON object keyed by field text ------------------ */

struct json_event {
    const struct skr_test_host *host;
    const cJSON *fields;
    /* Values stay valid for the whole event (the engine caches them): one block per
     * extraction, freed with the event. */
    struct skr_arena mem;
};

static int json_extract(void *user,
                        const struct skr_extract_req *req,
                        const struct skr_value **vals,
                        uint32_t *nvals)
{
    struct json_event *ev = user;
    const struct skr_field_desc *d = skr_test_host_field(ev->host, req->field_id);
    char key[512];
    const cJSON *v;
    const cJSON *items[64];
    uint32_t n = 0;
    int k;

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
    struct skr_value *outv = skr_arena_calloc(&ev->mem, 64, sizeof(*outv));
    uint8_t(*buf)[16] = skr_arena_calloc(&ev->mem, 64, 16);
    if (outv == NULL || buf == NULL) {
        return -ENOMEM;
    }
    if (cJSON_IsArray(v)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v) {
            if (n < 64) {
                items[n++] = it;
            }
        }
    } else {
        items[n++] = v;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct skr_value *out = &outv[i];
        const cJSON *it = items[i];
        memset(out, 0, sizeof(*out));
        switch (skr_type_class(d->type)) {
        case SKR_CLS_U64:
        case SKR_CLS_BOOL:
            out->u64 = cJSON_IsBool(it) ? (uint64_t)cJSON_IsTrue(it) : (uint64_t)it->valuedouble;
            break;
        case SKR_CLS_S64:
            out->s64 = (int64_t)it->valuedouble;
            break;
        case SKR_CLS_DBL:
            out->d = it->valuedouble;
            break;
        case SKR_CLS_IP:
        case SKR_CLS_NET: {
            int l = cJSON_IsString(it) ? skr_parse_ip(it->valuestring, buf[i]) : -1;
            if (l < 0) {
                return -EINVAL;
            }
            out->p = buf[i];
            out->len = (uint32_t)l;
            break;
        }
        default:
            if (!cJSON_IsString(it)) {
                return -EINVAL;
            }
            out->p = (const uint8_t *)it->valuestring;
            out->len = (uint32_t)strlen(it->valuestring);
            break;
        }
    }
    *vals = outv;
    *nvals = n;
    return 0;
}

/* ---- compile --------------------------------------------------------------------------------- */

static int cmd_compile(struct skr_test_host *th, const char *source)
{
    char *line;
    struct skr_eval_ctx *ctx = skr_eval_ctx_new();

    if (ctx == NULL) {
        return 1;
    }
    while ((line = read_line(stdin)) != NULL) {
        cJSON *in = cJSON_Parse(line);
        cJSON *out = cJSON_CreateObject();
        cJSON *warns = cJSON_CreateArray();
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(in, "expr");
        struct skr_arena a;
        struct skr_compiler comp;
        struct skr_parse_error perr;
        struct skr_ast *ast;
        struct skr_cnode *cn = NULL;
        struct skr_evtset evts;
        const char *err = NULL;

        free(line);
        skr_arena_init(&a, 0);
        skr_compiler_init(&comp, &a, skr_test_host_get(th));
        if (!cJSON_IsString(e)) {
            err = "bad request";
        } else {
            ast = skr_parse(&a, e->valuestring, strlen(e->valuestring), 100, &perr, NULL);
            if (ast == NULL) {
                err = perr.msg;
                cJSON_AddBoolToObject(out, "parse_ok", false);
            } else {
                cJSON_AddBoolToObject(out, "parse_ok", true);
                skr_ast_warnings(&comp, ast);
                cn = skr_compile_cond(&comp, source, ast);
                if (cn != NULL) {
                    (void)skr_evtset_of(&comp, source, ast, &evts, NULL);
                }
                for (uint32_t i = 0; i < comp.nmsgs; i++) {
                    if (!comp.msgs[i].warning) {
                        err = comp.msgs[i].msg;
                        cn = NULL;
                        break;
                    }
                    cJSON_AddItemToArray(warns, cJSON_CreateString(comp.msgs[i].msg));
                }
            }
        }
        cJSON_AddBoolToObject(out, "ok", err == NULL);
        if (err != NULL) {
            cJSON_AddStringToObject(out, "error", err);
        }
        cJSON_AddItemToObject(out, "warnings", warns);
        if (cn != NULL) {
            /* Evaluate with no field values: meaningful for expressions made of literals. */
            struct json_event ev;
            cJSON *empty = cJSON_CreateObject();
            memset(&ev, 0, sizeof(ev));
            skr_arena_init(&ev.mem, 0);
            ev.host = th;
            ev.fields = empty;
            if (skr_eval_ctx_reserve(ctx, comp.nreqs + 1) == 0) {
                const struct skr_prog *prog = skr_prog_build(&a, cn);
                bool v;
                skr_eval_begin(ctx, json_extract, &ev);
                v = skr_eval_cond(ctx, cn);
                cJSON_AddBoolToObject(out, "eval", v);
                skr_eval_begin(ctx, json_extract, &ev);
                if (prog == NULL || skr_eval_prog(ctx, prog) != v) {
                    fprintf(stderr, "branch program disagrees with the tree\n");
                    abort();
                }
            }
            cJSON_AddBoolToObject(out, "uses_fields", comp.nreqs > 0);
            cJSON_Delete(empty);
            skr_arena_fini(&ev.mem);
        }
        skr_compiler_fini(&comp);
        skr_arena_fini(&a);
        print_json(out);
        cJSON_Delete(in);
        cJSON_Delete(out);
    }
    skr_eval_ctx_free(ctx);
    return 0;
}

/* ---- load / eval ------------------------------------------------------------------------------ */

struct load_args {
    const char *sources[16];
    size_t nsources;
    const char *paths[64];
    size_t npaths;
    struct skr_rules_selection sel[32];
    size_t nsel;
    int min_priority;
    bool match_all;
    bool describe;
    const char *describe_filter;
    const char *events;
    bool syntax_only;
};

static cJSON *diags_json(const struct skr_diags *d, enum skr_diag_severity sev)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; i < skr_diags_count(d); i++) {
        const struct skr_diag *g = skr_diags_get(d, i);
        cJSON *o;
        if (g->severity != sev) {
            continue;
        }
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", g->code);
        cJSON_AddStringToObject(o, "message", g->message);
        cJSON_AddStringToObject(o, "file", g->file != NULL ? g->file : "");
        cJSON_AddNumberToObject(o, "line", g->line);
        cJSON_AddNumberToObject(o, "col", g->col);
        cJSON_AddStringToObject(o, "item_kind", g->item_kind != NULL ? g->item_kind : "");
        cJSON_AddStringToObject(o, "item_name", g->item_name != NULL ? g->item_name : "");
        cJSON_AddStringToObject(o, "snippet", g->snippet != NULL ? g->snippet : "");
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static bool print_match(void *user, const struct skr_rule *r)
{
    cJSON *arr = user;

    cJSON_AddItemToArray(arr, cJSON_CreateString(skr_rule_name(r)));
    return true;
}

static int run_events(struct skr_ruleset *rs,
                      struct skr_test_host *th,
                      const struct load_args *la,
                      cJSON *out)
{
    FILE *f = fopen(la->events, "rb");
    struct skr_eval_ctx *ctx = skr_eval_ctx_new();
    cJSON *results = cJSON_CreateArray();
    char *line;

    cJSON_AddItemToObject(out, "events", results);
    if (f == NULL || ctx == NULL) {
        if (f != NULL) {
            fclose(f);
        }
        skr_eval_ctx_free(ctx);
        return 1;
    }
    while ((line = read_line(f)) != NULL) {
        cJSON *ev = cJSON_Parse(line);
        cJSON *res = cJSON_CreateObject();
        cJSON *matched = cJSON_CreateArray();
        cJSON *outputs = cJSON_CreateArray();
        const char *src = "syscall";
        size_t sidx = 0;
        struct json_event je;
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(ev, "code");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(ev, "source");
        int n;

        free(line);
        if (cJSON_IsString(s)) {
            src = s->valuestring;
        }
        for (size_t i = 0; i < la->nsources; i++) {
            if (strcmp(la->sources[i], src) == 0) {
                sidx = i;
            }
        }
        memset(&je, 0, sizeof(je));
        skr_arena_init(&je.mem, 0);
        je.host = th;
        je.fields = cJSON_GetObjectItemCaseSensitive(ev, "fields");
        n = skr_ruleset_eval(rs, ctx, sidx, cJSON_IsNumber(code) ? (uint16_t)code->valuedouble : 0,
                             json_extract, &je, print_match, matched);
        cJSON_AddNumberToObject(res, "rc", n);
        cJSON_AddItemToObject(res, "matched", matched);
        for (int i = 0; i < cJSON_GetArraySize(matched); i++) {
            const char *name = cJSON_GetArrayItem(matched, i)->valuestring;
            for (size_t k = 0; k < skr_ruleset_rule_count(rs); k++) {
                const struct skr_rule *r = skr_ruleset_rule(rs, k);
                struct skr_strbuf b;
                const struct skr_out_field *flds;
                size_t nflds;
                cJSON *o;
                cJSON *fo;
                if (strcmp(skr_rule_name(r), name) != 0) {
                    continue;
                }
                skr_strbuf_init(&b);
                o = cJSON_CreateObject();
                fo = cJSON_CreateObject();
                if (skr_rule_render(r, ctx, json_extract, &je, &b, &flds, &nflds) == 0) {
                    cJSON_AddStringToObject(o, "output", b.p);
                    for (size_t fi = 0; fi < nflds; fi++) {
                        cJSON_AddNumberToObject(fo, flds[fi].name, flds[fi].nvals);
                    }
                }
                cJSON_AddStringToObject(o, "rule", name);
                cJSON_AddItemToObject(o, "field_counts", fo);
                cJSON_AddItemToArray(outputs, o);
                skr_strbuf_fini(&b);
            }
        }
        cJSON_AddItemToObject(res, "outputs", outputs);
        cJSON_AddItemToArray(results, res);
        cJSON_Delete(ev);
        skr_arena_fini(&je.mem);
    }
    fclose(f);
    skr_eval_ctx_free(ctx);
    return 0;
}

static int cmd_load(struct skr_test_host *th, struct load_args *la)
{
    struct skr_rules_load_opts opts;
    struct skr_diags *diags = skr_diags_new();
    struct skr_ruleset *rs = NULL;
    cJSON *out = cJSON_CreateObject();
    cJSON *rules = cJSON_CreateArray();
    struct skr_strbuf b;
    int rc;

    memset(&opts, 0, sizeof(opts));
    if (la->nsources == 0) {
        la->sources[la->nsources++] = "syscall";
    }
    opts.paths = la->paths;
    opts.num_paths = la->npaths;
    opts.sources = la->sources;
    opts.num_sources = la->nsources;
    opts.min_priority = la->min_priority;
    opts.match_all = la->match_all;
    opts.selection = la->sel;
    opts.num_selection = la->nsel;
    opts.host = th != NULL ? skr_test_host_get(th) : NULL;
    opts.syntax_only = la->syntax_only;
    rc = skr_rules_load(&opts, &rs, diags);
    cJSON_AddBoolToObject(out, "ok", rc == 0);
    cJSON_AddNumberToObject(out, "rc", rc);
    cJSON_AddItemToObject(out, "errors", diags_json(diags, SKR_DIAG_ERROR));
    cJSON_AddItemToObject(out, "warnings", diags_json(diags, SKR_DIAG_WARNING));
    skr_strbuf_init(&b);
    skr_diags_format(diags, false, &b);
    cJSON_AddStringToObject(out, "text", b.p);
    skr_strbuf_reset(&b);
    skr_diags_format(diags, true, &b);
    cJSON_AddItemToObject(out, "falco_json", cJSON_Parse(b.p));
    if (rs != NULL) {
        for (size_t i = 0; i < skr_ruleset_compiled_count(rs); i++) {
            const struct skr_rule *r = skr_ruleset_compiled(rs, i);
            cJSON *o = cJSON_CreateObject();
            cJSON *tags = cJSON_CreateArray();
            cJSON_AddStringToObject(o, "name", skr_rule_name(r));
            cJSON_AddBoolToObject(o, "enabled", skr_rule_enabled(r));
            cJSON_AddStringToObject(o, "condition", skr_rule_condition(r));
            cJSON_AddStringToObject(o, "output", skr_rule_output(r));
            cJSON_AddNumberToObject(o, "priority", skr_rule_priority(r));
            cJSON_AddStringToObject(o, "source", skr_rule_source(r));
            for (size_t t = 0; t < skr_rule_tag_count(r); t++) {
                cJSON_AddItemToArray(tags, cJSON_CreateString(skr_rule_tag(r, t)));
            }
            cJSON_AddItemToObject(o, "tags", tags);
            cJSON_AddItemToArray(rules, o);
        }
        cJSON_AddNumberToObject(out, "num_enabled_rules", (double)skr_ruleset_rule_count(rs));
        cJSON *order = cJSON_CreateArray();
        for (size_t i = 0; i < skr_ruleset_rule_count(rs); i++) {
            cJSON_AddItemToArray(order, cJSON_CreateString(skr_rule_name(skr_ruleset_rule(rs, i))));
        }
        cJSON_AddItemToObject(out, "enabled_order", order);
        cJSON *names = cJSON_CreateObject();
        for (size_t s = 0; s < la->nsources; s++) {
            cJSON *arr = cJSON_CreateArray();
            const char *const *nm = skr_ruleset_event_names(rs, s);
            uint8_t *bitmap = calloc(65536 / 8, 1);
            bool all = false;
            for (size_t k = 0; nm[k] != NULL; k++) {
                cJSON_AddItemToArray(arr, cJSON_CreateString(nm[k]));
            }
            cJSON_AddItemToObject(names, la->sources[s], arr);
            if (bitmap != NULL) {
                size_t count = 0;
                skr_ruleset_event_codes(rs, s, bitmap, &all);
                for (size_t c = 0; c < 65536; c++) {
                    count += (bitmap[c / 8] >> (c % 8)) & 1;
                }
                cJSON *info = cJSON_CreateObject();
                cJSON_AddNumberToObject(info, "codes", (double)count);
                cJSON_AddBoolToObject(info, "all", all);
                cJSON_AddItemToObject(out, la->sources[s], info);
                free(bitmap);
            }
        }
        cJSON_AddItemToObject(out, "event_names", names);
        if (la->describe) {
            skr_strbuf_reset(&b);
            skr_ruleset_describe(rs, la->describe_filter, &b);
            cJSON_AddItemToObject(out, "describe", cJSON_Parse(b.p));
        }
        if (la->events != NULL) {
            run_events(rs, th, la, out);
        }
    }
    cJSON_AddItemToObject(out, "rules", rules);
    skr_strbuf_fini(&b);
    print_json(out);
    cJSON_Delete(out);
    skr_ruleset_unref(rs);
    skr_diags_free(diags);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *fields = NULL;
    const char *source = "syscall";
    uint32_t depth = 100;
    struct load_args la;
    struct skr_test_host *th = NULL;
    char err[512];
    const char *cmd;
    int rc;

    if (argc < 2) {
        return usage();
    }
    cmd = argv[1];
    memset(&la, 0, sizeof(la));
    la.min_priority = 7;
    if (strcmp(cmd, "yaml2json") == 0) {
        return argc == 3 ? cmd_yaml2json(argv[2]) : usage();
    }
    th = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--fields") == 0 && v != NULL) {
            fields = v;
            i++;
        } else if (strcmp(a, "--depth") == 0 && v != NULL) {
            depth = (uint32_t)strtoul(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--source") == 0 && v != NULL) {
            source = v;
            if (la.nsources < 16) {
                la.sources[la.nsources++] = v;
            }
            i++;
        } else if (strcmp(a, "--plugin") == 0 && v != NULL) {
            i++; /* applied below, once the host exists */
        } else if (strcmp(a, "--min-priority") == 0 && v != NULL) {
            la.min_priority = atoi(v);
            i++;
        } else if (strcmp(a, "--syntax-only") == 0) {
            la.syntax_only = true;
        } else if (strcmp(a, "--match-all") == 0) {
            la.match_all = true;
        } else if ((strcmp(a, "--enable") == 0 || strcmp(a, "--disable") == 0 ||
                    strcmp(a, "--enable-tag") == 0 || strcmp(a, "--disable-tag") == 0) &&
                   v != NULL) {
            if (la.nsel < 32) {
                la.sel[la.nsel].enable = strncmp(a, "--enable", 8) == 0;
                la.sel[la.nsel].by_tag = strstr(a, "-tag") != NULL;
                la.sel[la.nsel].pattern = v;
                la.nsel++;
            }
            i++;
        } else if (strcmp(a, "--describe") == 0 && v != NULL) {
            la.describe = true;
            la.describe_filter = strcmp(v, "-") == 0 ? NULL : v;
            i++;
        } else if (strcmp(a, "--events") == 0 && v != NULL) {
            la.events = v;
            i++;
        } else if (a[0] == '-' && a[1] == '-') {
            return usage();
        } else if (la.npaths < 64) {
            la.paths[la.npaths++] = a;
        }
    }
    if (strcmp(cmd, "parse") == 0) {
        return cmd_parse(depth);
    }
    if (fields == NULL && strcmp(cmd, "load") == 0 && la.syntax_only) {
        return cmd_load(NULL, &la);
    }
    if (fields == NULL) {
        fprintf(stderr, "rules_tool: --fields is required for %s\n", cmd);
        return 2;
    }
    th = skr_test_host_load(fields, err, sizeof(err));
    if (th == NULL) {
        fprintf(stderr, "rules_tool: %s\n", err);
        return 2;
    }
    for (int i = 2; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--plugin") == 0) {
            char buf[256];
            char *eq;
            snprintf(buf, sizeof(buf), "%s", argv[i + 1]);
            eq = strchr(buf, '=');
            if (eq != NULL) {
                *eq = '\0';
                skr_test_host_add_plugin(th, buf, eq + 1);
            }
        }
    }
    if (strcmp(cmd, "compile") == 0) {
        rc = cmd_compile(th, source);
    } else if (strcmp(cmd, "load") == 0 || strcmp(cmd, "eval") == 0) {
        rc = cmd_load(th, &la);
    } else {
        rc = usage();
    }
    skr_test_host_free(th);
    return rc;
}
