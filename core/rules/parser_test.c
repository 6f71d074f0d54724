/* SPDX-License-Identifier: Apache-2.0 */
/* The condition parser: accepted forms with their canonical text, rejected forms with their
 * message and position, node positions, and the output-field parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/lexer.h"
#include "rules/parser.h"

struct ok_case {
    const char *in;
    const char *canonical;
};

static const struct ok_case ok_cases[] = {
    /* precedence, n-ary chains, not parity */
    { "a and b or c", "((a and b) or c)" },
    { "a.b = 1 or b.c = 2 and m", "(a.b = 1 or (b.c = 2 and m))" },
    { "a and b and c", "(a and b and c)" },
    { "not proc.name = bash and fd.num > 2", "(not proc.name = bash and fd.num > 2)" },
    { "not not proc.name = bash", "proc.name = bash" },
    { "not not not a", "not a" },
    { "not(a) and(not(b))", "(not a and not b)" },
    { "(a)or(b)", "(a or b)" },
    { "((((a))))", "a" },
    { "a and notb", "(a and notb)" },
    { "a or (not) or b", "(a or (not) or b)" },
    { "(and) and (or)", "((and) and (or))" },
    /* blanks: newlines, tabs, backspace are blanks; symbol/list operators need none */
    { "proc.name=bash", "proc.name = bash" },
    { "proc.name in(sh,bash)", "proc.name in (sh, bash)" },
    { "proc.name\nin\t(sh,\n bash)", "proc.name in (sh, bash)" },
    { "fd.num exists and(a)", "(fd.num exists and a)" },
    { "x.y existsand macro", "(x.y exists and macro)" },
    { "  a  ", "a" },
    /* values */
    { "proc.cmdline contains 'it\\'s'", "proc.cmdline contains \"it's\"" },
    { "proc.cmdline contains \"it's\"", "proc.cmdline contains \"it's\"" },
    { "proc.cmdline contains \"\\x41\\t\"", "proc.cmdline contains \"A\\t\"" },
    { "proc.name = \"a=b\"", "proc.name = \"a=b\"" },
    { "proc.name = \"\"", "proc.name = \"\"" },
    { "proc.name = \"a\\ b\"", "proc.name = \"a\\\\b\"" },
    { "fd.name = /tmp/x.log", "fd.name = /tmp/x.log" },
    { "fd.num > -1", "fd.num > -1" },
    { "fd.num > 0x10", "fd.num > 0x10" },
    { "x.y > 1.5e+3", "x.y > 1.5e+3" },
    { "proc.name > 5", "proc.name > 5" },
    { "x.y in ()", "x.y in ()" },
    { "proc.name in foo", "proc.name in foo" },
    { "evt.buffer bcontains 6c73", "evt.buffer bcontains 6c73" },
    /* fields with arguments */
    { "proc.aname[2] = sshd", "proc.aname[2] = sshd" },
    { "json.value[/user/name] = admin", "json.value[/user/name] = admin" },
    { "proc.env[\"MY VAR\"] exists", "proc.env[\"MY VAR\"] exists" },
    { "evt.arg[\"k[e]y\"] = \"[x]\"", "evt.arg[\"k[e]y\"] = \"[x]\"" },
    { "evt.arg.flags contains O_CREAT", "evt.arg.flags contains O_CREAT" },
    { "ka.req.pod.containers.image[0] startswith nginx",
      "ka.req.pod.containers.image[0] startswith nginx" },
    /* modifiers */
    { "proc.name startswith anyof (kube-, etcd-)", "proc.name startswith anyof (kube-, etcd-)" },
    { "proc.name != allof (a, b)", "proc.name != allof (a, b)" },
    { "proc.name == oneof ()", "proc.name == oneof ()" },
    { "proc.name == oneof my_list", "proc.name == oneof my_list" },
    { "proc.name = oneof", "proc.name = oneof" },
    { "proc.name == anyof and fd.name exists", "(proc.name == anyof and fd.name exists)" },
    /* transformers and val() */
    { "tolower(proc.name) = toupper(proc.pname)", "tolower(proc.name) = toupper(proc.pname)" },
    { "proc.name = val(proc.pname)", "proc.name = val(proc.pname)" },
    { "len(proc.name) > 15", "len(proc.name) > 15" },
    { "b64( toupper(x.y) ) exists", "b64(toupper(x.y)) exists" },
    { "join(\"-\", (fd.name, \"x\", 3)) = a", "join(-,(fd.name,x,3)) = a" },
    { "getopt(proc.args, \"nt:\")[t] = v", "getopt(proc.args,nt:)[t] = v" },
    { "proc.pname = proc.name", "proc.pname = proc.name" },
};

static void test_accepts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
        struct skr_arena a;
        struct skr_parse_error err;
        struct skr_strbuf b;
        struct skr_ast *ast;

        skr_arena_init(&a, 0);
        skr_strbuf_init(&b);
        ast = skr_parse(&a, ok_cases[i].in, strlen(ok_cases[i].in), 100, &err, NULL);
        if (ast == NULL) {
            fail_msg("rejected %s: %s", ok_cases[i].in, err.msg);
        }
        skr_ast_print(ast, &b);
        if (strcmp(b.p, ok_cases[i].canonical) != 0) {
            fail_msg("%s printed as %s, want %s", ok_cases[i].in, b.p, ok_cases[i].canonical);
        }
        if (strstr(ok_cases[i].canonical, "(not)") || strstr(ok_cases[i].canonical, "(and)")) {
            /* a bare word spelled like an operator keeps its parentheses: it parses again */
            ast = skr_parse(&a, b.p, b.len, 100, &err, NULL);
            if (ast == NULL) {
                fail_msg("canonical %s does not parse: %s", b.p, err.msg);
            }
            skr_strbuf_reset(&b);
            skr_ast_print(ast, &b);
            if (strcmp(b.p, ok_cases[i].canonical) != 0) {
                fail_msg("canonical %s printed again as %s", ok_cases[i].canonical, b.p);
            }
        }
        skr_strbuf_fini(&b);
        skr_arena_fini(&a);
    }
}

struct err_case {
    const char *in;
    const char *msg; /* substring */
    uint32_t col;    /* 1-based column where the parser stood; 0: not checked */
};

static const struct err_case err_cases[] = {
    { "", "filter input string is empty", 1 },
    { "proc.cmdline contains\"-e\"", "expected a valid check operator", 14 },
    { "proc.name = bash AND fd.num = 1", "unexpected token after 'bash', expecting 'or', 'and'",
      18 },
    { "proc.name = a=b", "unexpected token after 'a'", 14 },
    { "proc.cmdline contains \"a\\qb\"", "unsupported string escape sequence: \\q", 23 },
    { "proc.name = \"\\x4\"", "truncated/invalid hex char escape sequence", 13 },
    { "proc.name = 'a\\\"b'", "invalid \\\" escape in '-quoted string", 13 },
    { "(proc.name = a", "expected a ')' token", 15 },
    { "evt.arg[0].x = 1", "expected a valid check operator", 11 },
    { "evt.arg[] = v", "expected a valid field argument", 9 },
    { "evt.arg[\"x\" = v", "expected a ']' token", 12 },
    { "a andb", "expected blank or '(' after 'and'", 6 },
    { "a orb", "expected blank or '(' after 'or'", 5 },
    { "proc.name > abc", "expected a number value", 13 },
    { "x.y in (a,)", "expected a string value", 11 },
    { "x.y in )", "expected a list, an identifier", 8 },
    { "val(x.y) exists", "unexpected token after 'val'", 4 },
    { "x.y = val(tolower(x.z))", "expected a field within 'val' transformer", 11 },
    { "b64 (x.y) exists", "unexpected token after 'b64'", 5 },
    { "b64(x.y exists", "expected a ')' token closing the transformer", 9 },
    { "join(\"-\", ((x.y))) = a", "expected a field or a nested valid transformer", 12 },
    { "macro > 12", "unexpected token after 'macro'", 7 },
    { "proc.name == oneof (cat,)", "expected a string value", 25 },
    { "proc.name ==oneof (cat)", "unexpected token after 'oneof'", 19 },
    { "a\n and\n (b", "expected a ')' token", 4 },
};

static void test_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
        struct skr_arena a;
        struct skr_parse_error err;
        struct skr_ast *ast;

        skr_arena_init(&a, 0);
        ast = skr_parse(&a, err_cases[i].in, strlen(err_cases[i].in), 100, &err, NULL);
        if (ast != NULL) {
            fail_msg("accepted %s", err_cases[i].in);
        }
        if (strstr(err.msg, err_cases[i].msg) == NULL) {
            fail_msg("%s: message %s lacks %s", err_cases[i].in, err.msg, err_cases[i].msg);
        }
        if (err_cases[i].col != 0 && err.pos.col != err_cases[i].col) {
            fail_msg("%s: error at column %u, want %u", err_cases[i].in, err.pos.col,
                     err_cases[i].col);
        }
        skr_arena_fini(&a);
    }
}

static void test_depth_limit(void **state)
{
    char buf[400];
    struct skr_arena a;
    struct skr_parse_error err;

    (void)state;
    memset(buf, '(', sizeof(buf));
    skr_arena_init(&a, 0);
    assert_null(skr_parse(&a, buf, sizeof(buf), 100, &err, NULL));
    assert_string_equal(err.msg, "exceeded max depth limit of 100");
    /* the loader's limit is higher: 60 nested groups parse */
    memset(buf, 0, sizeof(buf));
    for (int i = 0; i < 60; i++) {
        buf[i] = '(';
    }
    buf[60] = 'a';
    for (int i = 0; i < 60; i++) {
        buf[61 + i] = ')';
    }
    assert_non_null(skr_parse(&a, buf, strlen(buf), SKR_PARSE_MAX_DEPTH, &err, NULL));
    assert_null(skr_parse(&a, buf, strlen(buf), 100, &err, NULL));
    skr_arena_fini(&a);
}

static void test_positions(void **state)
{
    static const struct {
        const char *in;
        const char *dump;
    } cases[] = {
        { "proc.name=nginx or proc.name=apache",
          "or0 1 1binary0 1 1field0 1 1value10 1 11binary19 1 20field19 1 20value29 1 30" },
        { "not proc.name=nginx", "not0 1 1binary4 1 5field4 1 5value14 1 15" },
        { "proc.name in ( nginx, apache)", "binary0 1 1field0 1 1list13 1 14" },
        { "a\n and\n b.c exists", "and0 1 1identifier0 1 1unary8 3 2field8 3 2" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct skr_arena a;
        struct skr_parse_error err;
        struct skr_strbuf b;
        struct skr_pos end;
        struct skr_ast *ast;

        skr_arena_init(&a, 0);
        skr_strbuf_init(&b);
        ast = skr_parse(&a, cases[i].in, strlen(cases[i].in), 100, &err, &end);
        assert_non_null(ast);
        skr_ast_dump_positions(ast, &b);
        if (strcmp(b.p, cases[i].dump) != 0) {
            fail_msg("%s: positions %s, want %s", cases[i].in, b.p, cases[i].dump);
        }
        assert_int_equal(end.idx, strlen(cases[i].in));
        skr_strbuf_fini(&b);
        skr_arena_fini(&a);
    }
}

static void test_field_expr(void **state)
{
    static const struct {
        const char *in;
        size_t consumed; /* 0: no expression */
    } cases[] = {
        { "proc.name x", 9 },       { "proc.aname[2]x", 13 }, { "toupper(user.name) y", 18 },
        { "json.value[/a/b]", 16 }, { "evt.arg.flags)", 13 }, { " proc.name", 0 },
        { "val(proc.name)", 0 },    { "toupper (x.y)", 0 },   { "name", 0 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct skr_arena a;
        size_t consumed = 0;
        struct skr_ast *n;

        skr_arena_init(&a, 0);
        n = skr_parse_field_expr(&a, cases[i].in, strlen(cases[i].in), &consumed);
        if (cases[i].consumed == 0) {
            assert_null(n);
        } else {
            assert_non_null(n);
            assert_int_equal(consumed, cases[i].consumed);
        }
        skr_arena_fini(&a);
    }
}

static void test_unescape(void **state)
{
    struct skr_arena a;
    const char *err;
    size_t len;
    char *v;

    (void)state;
    skr_arena_init(&a, 0);
    v = skr_unescape(&a, "\"a\\b\\f\\n\\r\\t\\\\\\/\\\"\\x00z\"", 24, &len, &err);
    assert_non_null(v);
    assert_int_equal(len, 11);
    assert_memory_equal(v, "a\b\f\n\r\t\\/\"\0z", 11);
    assert_null(skr_unescape(&a, "'\\\"'", 4, &len, &err));
    assert_non_null(strstr(err, "invalid"));
    skr_arena_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),     cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_depth_limit), cmocka_unit_test(test_positions),
        cmocka_unit_test(test_field_expr),  cmocka_unit_test(test_unescape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
