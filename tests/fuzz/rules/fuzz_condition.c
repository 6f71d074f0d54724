/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the condition language: parse any bytes; when they
 * parse, the canonical text must parse again to the same text, and the tree
 * is compiled against the syscall test fixture and evaluated on a fixed event.
 * The allocator failing (arena) and bad input must end in an error, never in a
 * crash or a sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/parser.h"
#include "rules/rules_int.h"
#include "rules/testhost.h"

static struct skr_test_host *host;
static struct skr_eval_ctx *ctx;

static int extract(void *user,
                   const struct skr_extract_req *req,
                   const struct skr_value **vals,
                   uint32_t *n)
{
    static const uint8_t addr[16] = { 10, 0, 0, 1 };
    static struct skr_value v[2];

    (void)user;
    memset(v, 0, sizeof(v));
    switch (skr_type_class(req->type)) {
    case SKR_CLS_STR:
    case SKR_CLS_BUF:
        v[0].p = (const uint8_t *)"/usr/bin/bash";
        v[0].len = 13;
        v[1].p = (const uint8_t *)"sshd";
        v[1].len = 4;
        break;
    case SKR_CLS_IP:
    case SKR_CLS_NET:
        v[0].p = addr;
        v[0].len = 4;
        v[1] = v[0];
        break;
    default:
        v[0].u64 = req->field_id;
        v[1].u64 = 7;
        break;
    }
    if (req->field_id % 5 == 0) {
        return -2; /* some fields are missing */
    }
    *vals = v;
    *n = req->is_list ? 2 : 1;
    return 0;
}

/* Upstream prints literal transformer arguments unquoted ("getopt(proc.args,nt:)"), which
 * does not read back; such trees are exempt from the round trip. */
static bool has_literal_xform_arg(const struct skr_ast *n)
{
    for (uint32_t i = 0; i < n->nkids; i++) {
        if ((n->kind == SKR_AST_TRANSFORMER || n->kind == SKR_AST_TLIST) &&
            n->kids[i]->kind == SKR_AST_VALUE) {
            return true;
        }
        if (n->kind != SKR_AST_LIST && has_literal_xform_arg(n->kids[i])) {
            return true;
        }
    }
    return false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *path = getenv("SKR_FUZZ_FIELDS");
    char err[256];

    (void)argc;
    (void)argv;
    host = skr_test_host_load(path != NULL ? path : SKR_FIXTURE, err, sizeof(err));
    ctx = skr_eval_ctx_new();
    if (host == NULL || ctx == NULL) {
        fprintf(stderr, "fuzz_condition: %s\n", host == NULL ? err : "out of memory");
        return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct skr_arena a;
    struct skr_parse_error perr;
    struct skr_ast *ast;
    struct skr_strbuf b1;
    struct skr_strbuf b2;
    struct skr_compiler c;

    if (host == NULL || size > 65536) {
        return 0;
    }
    skr_arena_init(&a, 0);
    skr_strbuf_init(&b1);
    skr_strbuf_init(&b2);
    ast = skr_parse(&a, (const char *)data, size, 100, &perr, NULL);
    if (ast != NULL && !has_literal_xform_arg(ast)) {
        /* The canonical text parses again and reaches a fixed point at once ("not(not(a))"
         * prints as "not not a", which reads back as "a"). */
        struct skr_ast *again;
        struct skr_strbuf b3;
        skr_ast_print(ast, &b1);
        again = skr_parse(&a, b1.p, b1.len, 1000, &perr, NULL);
        if (again == NULL) {
            fprintf(stderr, "canonical text does not parse: %s: %s\n", b1.p, perr.msg);
            abort();
        }
        skr_ast_print(again, &b2);
        again = skr_parse(&a, b2.p, b2.len, 1000, &perr, NULL);
        if (again == NULL) {
            fprintf(stderr, "canonical text does not parse: %s: %s\n", b2.p, perr.msg);
            abort();
        }
        skr_strbuf_init(&b3);
        skr_ast_print(again, &b3);
        if (strcmp(b2.p, b3.p) != 0) {
            fprintf(stderr, "canonical text unstable:\n%s\n%s\n", b2.p, b3.p);
            abort();
        }
        skr_strbuf_fini(&b3);
    }
    if (ast != NULL) {
        skr_compiler_init(&c, &a, skr_test_host_get(host));
        skr_ast_warnings(&c, ast);
        struct skr_cnode *cn = skr_compile_cond(&c, "syscall", ast);
        if (cn != NULL && !c.failed) {
            struct skr_evtset evts;
            (void)skr_evtset_of(&c, "syscall", ast, &evts, NULL);
            if (skr_eval_ctx_reserve(ctx, c.nreqs + 1) == 0) {
                const struct skr_prog *prog = skr_prog_build(&a, cn);
                bool v;
                skr_eval_begin(ctx, extract, NULL);
                v = skr_eval_cond(ctx, cn);
                skr_eval_begin(ctx, extract, NULL);
                if (prog != NULL && skr_eval_prog(ctx, prog) != v) {
                    abort(); /* the branch program must agree with the tree */
                }
            }
        }
        skr_compiler_fini(&c);
    }
    /* The same bytes as an output format. */
    skr_compiler_init(&c, &a, skr_test_host_get(host));
    {
        struct skr_format f;
        if (skr_compile_format(&c, "syscall", (const char *)data, size, &f) == 0 &&
            skr_eval_ctx_reserve(ctx, c.nreqs + 1) == 0) {
            struct skr_strbuf out;
            skr_eval_begin(ctx, extract, NULL);
            skr_strbuf_init(&out);
            (void)skr_format_render(ctx, &f, &out, NULL, NULL);
            skr_strbuf_fini(&out);
        }
    }
    skr_compiler_fini(&c);
    skr_strbuf_fini(&b1);
    skr_strbuf_fini(&b2);
    skr_arena_fini(&a);
    return 0;
}
