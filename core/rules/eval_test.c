/* SPDX-License-Identifier: Apache-2.0 */
/* Compiler and evaluator: every operator against every field type (compile errors included),
 * missing values, list fields, modifiers, multi-valued fields, transformers, val(), and output
 * rendering. The host is a JSON field table; the event is a table of values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/parser.h"
#include "rules/rules_int.h"
#include "rules/testhost.h"

static const char fields_json[] =
        "{\"fields\":["
        "{\"source\":\"t\",\"name\":\"s.str\",\"type\":\"string\"},"
        "{\"source\":\"t\",\"name\":\"s.path\",\"type\":\"fspath\"},"
        "{\"source\":\"t\",\"name\":\"s.other\",\"type\":\"string\"},"
        "{\"source\":\"t\",\"name\":\"s.b64\",\"type\":\"string\"},"
        "{\"source\":\"t\",\"name\":\"s.buf\",\"type\":\"bytebuf\"},"
        "{\"source\":\"t\",\"name\":\"n.u64\",\"type\":\"uint64\"},"
        "{\"source\":\"t\",\"name\":\"n.u32\",\"type\":\"uint32\"},"
        "{\"source\":\"t\",\"name\":\"n.s64\",\"type\":\"int64\"},"
        "{\"source\":\"t\",\"name\":\"n.s16\",\"type\":\"int16\"},"
        "{\"source\":\"t\",\"name\":\"n.port\",\"type\":\"port\"},"
        "{\"source\":\"t\",\"name\":\"n.rel\",\"type\":\"reltime\"},"
        "{\"source\":\"t\",\"name\":\"n.abs\",\"type\":\"abstime\"},"
        "{\"source\":\"t\",\"name\":\"n.dbl\",\"type\":\"double\"},"
        "{\"source\":\"t\",\"name\":\"b.bool\",\"type\":\"bool\"},"
        "{\"source\":\"t\",\"name\":\"ip.addr\",\"type\":\"ipaddr\"},"
        "{\"source\":\"t\",\"name\":\"ip.six\",\"type\":\"ipaddr\"},"
        "{\"source\":\"t\",\"name\":\"ip.net\",\"type\":\"ipnet\"},"
        "{\"source\":\"t\",\"name\":\"l.str\",\"type\":\"string\",\"list\":true},"
        "{\"source\":\"t\",\"name\":\"l.u64\",\"type\":\"uint64\",\"list\":true},"
        "{\"source\":\"t\",\"name\":\"l.empty\",\"type\":\"string\",\"list\":true},"
        "{\"source\":\"t\",\"name\":\"a.anc\",\"type\":\"string\",\"arg\":{\"index\":true},"
        "\"properties\":[\"no_rhs\"]},"
        "{\"source\":\"t\",\"name\":\"x.arg\",\"type\":\"string\","
        "\"arg\":{\"required\":true,\"key\":true,\"dotted\":true}},"
        "{\"source\":\"t\",\"name\":\"m.missing\",\"type\":\"string\"},"
        "{\"source\":\"t\",\"name\":\"d.old\",\"type\":\"string\",\"properties\":[\"deprecated\"]},"
        "{\"source\":\"t\",\"name\":\"f.only\",\"type\":\"string\",\"properties\":[\"filter_only\"]},"
        "{\"source\":\"t\",\"name\":\"p.only\",\"type\":\"string\",\"properties\":[\"print_only\"]}"
        "],\"event_types\":{\"t\":[{\"name\":\"open\",\"code\":2},{\"name\":\"open\",\"code\":3},"
        "{\"name\":\"close\",\"code\":4}]}}";

/* ---- The event ---------------------------------------------------------------------------- */

struct evf {
    const char *key; /* field name, or name[arg] */
    int rc;
    uint32_t n;
    struct skr_value v[4];
};

static uint8_t ip4[4] = { 10, 1, 2, 3 };
static uint8_t ip6[16] = { [15] = 1 };
static uint8_t net4[4] = { 192, 168, 1, 7 };
static const uint8_t buf[6] = { 'h', 'e', 0, 'l', 'l', 'o' };

#define STR(s)                                          \
    {                                                   \
        .p = (const uint8_t *)(s), .len = sizeof(s) - 1 \
    }

static struct evf event[] = {
    { "s.str", 0, 1, { STR("/usr/bin/bash") } },
    { "s.path", 0, 1, { STR("/etc/passwd") } },
    { "s.other", 0, 1, { STR("/usr/bin/bash") } },
    { "s.b64", 0, 1, { STR("aGVsbG8=") } },
    { "s.buf", 0, 1, { { .p = buf, .len = 6 } } },
    { "n.u64", 0, 1, { { .u64 = 42 } } },
    { "n.u32", 0, 1, { { .u64 = 4294967295u } } },
    { "n.s64", 0, 1, { { .s64 = -5 } } },
    { "n.s16", 0, 1, { { .s64 = -300 } } },
    { "n.port", 0, 1, { { .u64 = 443 } } },
    { "n.rel", 0, 1, { { .u64 = 1000 } } },
    { "n.abs", 0, 1, { { .u64 = 1700000000000000000ull } } },
    { "n.dbl", 0, 1, { { .d = 2.0 } } },
    { "b.bool", 0, 1, { { .u64 = 1 } } },
    { "ip.addr", 0, 1, { { .p = ip4, .len = 4 } } },
    { "ip.six", 0, 1, { { .p = ip6, .len = 16 } } },
    { "ip.net", 0, 1, { { .p = net4, .len = 4 } } },
    { "l.str", 0, 2, { STR("a"), STR("b") } },
    { "l.u64", 0, 2, { { .u64 = 1 }, { .u64 = 2 } } },
    { "l.empty", 0, 0, { { .u64 = 0 } } },
    { "a.anc", 0, 3, { STR("bash"), STR("sshd"), STR("init") } },
    { "a.anc[1]", 0, 1, { STR("bash") } },
    { "x.arg[foo]", 0, 1, { STR("bar") } },
    { "d.old", 0, 1, { STR("x") } },
    { "f.only", 0, 1, { STR("x") } },
    { "p.only", 0, 1, { STR("x") } },
};

struct ctxdata {
    struct skr_test_host *th;
    int calls;
};

static int extract(void *user,
                   const struct skr_extract_req *req,
                   const struct skr_value **vals,
                   uint32_t *n)
{
    struct ctxdata *cd = user;
    const struct skr_field_desc *d = skr_test_host_field(cd->th, req->field_id);
    char key[128];

    cd->calls++;
    if (!req->arg_present) {
        snprintf(key, sizeof(key), "%s", d->name);
    } else if (req->arg_key != NULL) {
        snprintf(key, sizeof(key), "%s[%s]", d->name, req->arg_key);
    } else {
        snprintf(key, sizeof(key), "%s[%llu]", d->name, (unsigned long long)req->arg_index);
    }
    for (size_t i = 0; i < sizeof(event) / sizeof(event[0]); i++) {
        if (strcmp(event[i].key, key) == 0) {
            *vals = event[i].v;
            *n = event[i].n;
            return event[i].rc;
        }
    }
    *n = 0;
    return -2; /* missing */
}

/* ---- Compile and evaluate ------------------------------------------------------------------ */

struct env {
    struct skr_test_host *th;
    struct skr_eval_ctx *ctx;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));
    char err[256];

    assert_non_null(e);
    e->th = skr_test_host_new(fields_json, strlen(fields_json), err, sizeof(err));
    if (e->th == NULL) {
        fail_msg("host: %s", err);
    }
    e->ctx = skr_eval_ctx_new();
    assert_non_null(e->ctx);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;

    skr_test_host_free(e->th);
    skr_eval_ctx_free(e->ctx);
    free(e);
    return 0;
}

/* 1 true, 0 false, -1 compile error (message in err). */
static int run(struct env *e, const char *expr, char *err, size_t errlen, int *nwarn)
{
    struct skr_arena a;
    struct skr_compiler c;
    struct skr_parse_error perr;
    struct skr_ast *ast;
    struct skr_cnode *cn;
    struct ctxdata cd = { e->th, 0 };
    int res = -1;

    err[0] = '\0';
    skr_arena_init(&a, 0);
    skr_compiler_init(&c, &a, skr_test_host_get(e->th));
    ast = skr_parse(&a, expr, strlen(expr), 100, &perr, NULL);
    if (ast == NULL) {
        snprintf(err, errlen, "parse: %.400s", perr.msg);
        goto out;
    }
    skr_ast_warnings(&c, ast);
    cn = skr_compile_cond(&c, "t", ast);
    for (uint32_t i = 0; i < c.nmsgs; i++) {
        if (!c.msgs[i].warning) {
            snprintf(err, errlen, "%s", c.msgs[i].msg);
            cn = NULL;
        }
    }
    if (nwarn != NULL) {
        *nwarn = 0;
        for (uint32_t i = 0; i < c.nmsgs; i++) {
            *nwarn += c.msgs[i].warning;
        }
    }
    if (cn == NULL) {
        goto out;
    }
    assert_int_equal(skr_eval_ctx_reserve(e->ctx, c.nreqs + 1), 0);
    skr_eval_begin(e->ctx, extract, &cd);
    res = skr_eval_cond(e->ctx, cn) ? 1 : 0;
    {
        /* the branch program the ruleset evaluates gives the same result */
        const struct skr_prog *prog = skr_prog_build(&a, cn);
        assert_non_null(prog);
        skr_eval_begin(e->ctx, extract, &cd);
        if ((skr_eval_prog(e->ctx, prog) ? 1 : 0) != res) {
            fail_msg("%s: the branch program disagrees with the tree (%d)", expr, res);
        }
    }
out:
    skr_compiler_fini(&c);
    skr_arena_fini(&a);
    return res;
}

struct case_ {
    const char *expr;
    int want;        /* 1 true, 0 false, -1 compile error */
    const char *msg; /* substring of the error (want -1) */
};

static void run_table(struct env *e, const struct case_ *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char err[512];
        int got = run(e, t[i].expr, err, sizeof(err), NULL);
        if (got != t[i].want) {
            fail_msg("%s: got %d, want %d (%s)", t[i].expr, got, t[i].want, err);
        }
        if (t[i].want == -1 && t[i].msg != NULL && strstr(err, t[i].msg) == NULL) {
            fail_msg("%s: error '%s' lacks '%s'", t[i].expr, err, t[i].msg);
        }
    }
}

#define RUN(state, table) run_table(*(state), table, sizeof(table) / sizeof(table[0]))

static void test_strings(void **state)
{
    static const struct case_ t[] = {
        { "s.str = /usr/bin/bash", 1, NULL },
        { "s.str == /usr/bin/bash", 1, NULL },
        { "s.str = /usr/bin/sh", 0, NULL },
        { "s.str != /usr/bin/sh", 1, NULL },
        { "s.str != /usr/bin/bash", 0, NULL },
        { "s.str < 9", 1, NULL },  /* "/" sorts before "9" */
        { "s.str <= 5", 1, NULL }, /* strcmp order against the text "5" */
        { "s.str > 5", 0, NULL },
        { "s.str > -1", 1, NULL },
        { "s.str >= +1", 1, NULL },
        { "s.str >= 0", 0, NULL },
        { "s.str >= val(s.other)", 1, NULL },
        { "s.str contains bin/b", 1, NULL },
        { "s.str contains BIN", 0, NULL },
        { "s.str icontains BIN/BA", 1, NULL },
        { "s.str startswith /usr/", 1, NULL },
        { "s.str startswith /opt/", 0, NULL },
        { "s.str endswith bash", 1, NULL },
        { "s.str endswith sh2", 0, NULL },
        { "s.str glob '/usr/*'", 1, NULL }, /* '*' crosses '/' in glob */
        { "s.str glob '/usr/?in/bas[h]'", 1, NULL },
        { "s.str glob '/opt/*'", 0, NULL },
        { "s.str iglob '/USR/*'", 1, NULL },
        { "s.str regex '/usr/.*/ba.h'", 1, NULL },
        { "s.str regex 'bin'", 0, NULL }, /* anchored: a full match is needed */
        { "s.str regex '('", -1, "invalid regular expression" },
        { "s.str in (/bin/sh, /usr/bin/bash)", 1, NULL },
        { "s.str in (a, b, c, d, e, f, /usr/bin/bash)", 1, NULL },
        { "s.str in (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, /usr/bin/bash)", 1,
          NULL }, /* hash set */
        { "s.str in (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r)", 0, NULL },
        { "s.str in (a, b, c, d, e, f)", 0, NULL },
        { "s.str intersects (/usr/bin/bash)", 1, NULL },
        { "s.str pmatch (/usr/bin)", 1, NULL },
        { "s.str pmatch (/usr/b)", 0, NULL },
        { "s.str exists", 1, NULL },
        { "s.str bcontains 2f", -1, "'bcontains' operator not supported for string" },
        { "s.str bstartswith 2f", -1, "not supported for string" },
        { "s.str = \"\\x00\"", -1, "NUL" },
        { "s.path = /etc/passwd", 1, NULL },
        { "s.path pmatch (/etc)", 1, NULL },
        { "s.path pmatch (/etc/pass)", 0, NULL },
        { "s.path pmatch (/var/log, /et*/passwd)", 1, NULL },
        { "s.path glob /etc/*", 1, NULL },
        { "s.path contains pass", 1, NULL },
    };
    RUN(state, t);
}

static void test_buffers(void **state)
{
    static const struct case_ t[] = {
        { "s.buf = \"he\\x00llo\"", 1, NULL },
        { "s.buf = hello", 0, NULL },
        { "s.buf != hello", 1, NULL },
        { "s.buf contains llo", 1, NULL },
        { "s.buf bcontains 006c", 1, NULL },
        { "s.buf bcontains 6c7", -1, "hex strings only" },
        { "s.buf bcontains zz", -1, "hex strings only" },
        { "s.buf bstartswith 6865", 1, NULL },
        { "s.buf bstartswith 65", 0, NULL },
        { "s.buf startswith he", 1, NULL },
        { "s.buf endswith lo", 1, NULL },
        { "s.buf in (\"he\\x00llo\", x)", 1, NULL },
        { "s.buf glob h*", -1, "'glob' operator not supported for buffer" },
        { "s.buf regex h.*", -1, "not supported for buffer" },
        { "s.buf icontains H", -1, "not supported for buffer" },
        { "s.buf > 1", -1, "not supported for buffer" },
        { "s.buf pmatch (/a)", -1, "not supported for buffer" },
    };
    RUN(state, t);
}

static void test_numbers(void **state)
{
    static const struct case_ t[] = {
        { "n.u64 = 42", 1, NULL },
        { "n.u64 != 42", 0, NULL },
        { "n.u64 < 43", 1, NULL },
        { "n.u64 <= 41", 0, NULL },
        { "n.u64 > 41", 1, NULL },
        { "n.u64 >= 42", 1, NULL },
        { "n.u64 in (1, 42)", 1, NULL },
        { "n.u64 intersects (1, 2)", 0, NULL },
        { "n.u64 exists", 1, NULL },
        { "n.u64 > 0x10", -1, "0x10 is not a valid number" },
        { "n.u64 > 1.5", -1, "1.5 is not a valid number" },
        { "n.u64 = abc", -1, "abc is not a valid number" },
        { "n.u64 contains 4", -1, "'contains' operator not supported for numeric" },
        { "n.u64 glob 4", -1, "not supported for numeric" },
        { "n.u64 pmatch (1)", -1, "not supported for numeric" },
        { "n.u64 regex 4", -1, "not supported for numeric" },
        { "n.u32 = -1", 1, NULL }, /* unsigned fields read -1 as wrap-around */
        { "n.u32 = 4294967295", 1, NULL },
        { "n.s64 = -5", 1, NULL },
        { "n.s64 < 0", 1, NULL },
        { "n.s64 > -10", 1, NULL },
        { "n.s64 in (-5, 5)", 1, NULL },
        { "n.s16 < -299", 1, NULL },
        { "n.port = 443", 1, NULL },
        { "n.port != 80", 1, NULL },
        { "n.rel > 999", 1, NULL },
        { "n.abs > 1600000000000000000", 1, NULL },
        { "n.dbl = 2", 1, NULL },
        { "n.dbl > 1", 1, NULL },
        { "n.dbl = 2.0", -1, "not a valid number" },
        { "b.bool = true", 1, NULL },
        { "b.bool != false", 1, NULL },
        { "b.bool = false", 0, NULL },
        { "b.bool in (false)", 0, NULL },
        { "b.bool = 1", -1, "not a valid boolean" },
        { "b.bool contains t", -1, "not supported for boolean" },
        { "b.bool < 1", -1, "not supported for boolean" },
    };
    RUN(state, t);
}

static void test_addresses(void **state)
{
    static const struct case_ t[] = {
        { "ip.addr = 10.1.2.3", 1, NULL },
        { "ip.addr != 10.1.2.4", 1, NULL },
        { "ip.addr in (1.1.1.1, 10.1.2.3)", 1, NULL },
        { "ip.addr = ::1", 0, NULL }, /* families never compare equal */
        { "ip.addr != ::1", 1, NULL },
        { "ip.six = ::1", 1, NULL },
        { "ip.six = \"0:0:0:0:0:0:0:1\"", 1, NULL },
        { "ip.addr = 10.1.2", -1, "not a valid IP address" },
        { "ip.addr contains 10", -1, "not supported for IP address" },
        { "ip.addr == anyof (1.1.1.1, 10.1.2.3)", 1, NULL },
        { "ip.addr != allof (1.1.1.1, 10.1.2.4)", 1, NULL },
        { "ip.net = 192.168.0.0/16", 1, NULL },
        { "ip.net = 192.0.0.0/4", 1, NULL },
        { "ip.net = 10.0.0.0/8", 0, NULL },
        { "ip.net != 10.0.0.0/8", 1, NULL },
        { "ip.net != 2001:db8::/32", 1, NULL },
        { "ip.net in (10.0.0.0/8, 192.168.1.0/24)", 1, NULL },
        { "ip.net = 192.168.1.7", 1, NULL },
        { "ip.net = 10.0.0.0/33", -1, "not a valid IP network" },
        { "ip.net = val(ip.addr)", -1, "right-hand side fields" },
    };
    RUN(state, t);
}

static void test_lists_missing(void **state)
{
    static const struct case_ t[] = {
        { "l.str in (a, b, c)", 1, NULL }, /* every element in the set */
        { "l.str in (a)", 0, NULL },
        { "l.str intersects (b, z)", 1, NULL }, /* some element in the set */
        { "l.str intersects (z)", 0, NULL },
        { "l.u64 in (1, 2, 3)", 1, NULL },
        { "l.u64 intersects (5)", 0, NULL },
        { "l.empty in (x)", 1, NULL },
        { "l.empty intersects (x)", 0, NULL },
        { "l.empty exists", 1, NULL },
        { "l.str = a", -1, "'=' operator not supported for list" },
        { "l.str contains a", -1, "not supported for list" },
        { "l.str startswith anyof (a)", -1, "not supported for list" },
        { "m.missing = x", 0, NULL },
        { "m.missing != x", 0, NULL }, /* a missing value makes every check false */
        { "not m.missing = x", 1, NULL },
        { "m.missing exists", 0, NULL },
        { "not m.missing exists", 1, NULL },
        { "m.missing in (x)", 0, NULL },
        { "nope.field = x", -1, "filter_check called with nonexistent field nope.field" },
        { "s.str[1] = x", -1, "nonexistent field s.str[1]" },
        { "x.arg = bar", -1, "requires an argument" },
        { "x.arg.foo = bar", 1, NULL },
        { "x.arg[foo] = bar", 1, NULL },
        { "x.arg.nope = bar", 0, NULL },
        { "p.only = x", -1, "print only" },
        { "f.only = x", 1, NULL },
        { "undefined_macro", -1, "unexpected identifier 'undefined_macro'" },
    };
    RUN(state, t);
}

static void test_modifiers_and_ancestors(void **state)
{
    static const struct case_ t[] = {
        { "s.str startswith anyof (/usr, /opt)", 1, NULL },
        { "s.str startswith allof (/usr, /usr/bin)", 1, NULL },
        { "s.str startswith oneof (/usr, /usr/bin)", 0, NULL },
        { "s.str startswith oneof (/usr, /opt)", 1, NULL },
        { "s.str = oneof ()", 0, NULL },
        { "s.str = anyof ()", 0, NULL },
        { "s.str = allof ()", 0, NULL },
        { "s.str != anyof (a, b)", 1, NULL },
        { "s.str != allof (/usr/bin/bash, x)", 0, NULL },
        { "s.str regex anyof ('x', '/usr/.*')", 1, NULL },
        { "s.str = oneof", 0, NULL },
        { "n.u64 = anyof (1, 42)", 1, NULL },
        /* a non-list field with several values (ancestors): any of them */
        { "a.anc = sshd", 1, NULL },
        { "a.anc = nobody", 0, NULL },
        { "a.anc != bash", 1, NULL },
        { "a.anc in (init)", 1, NULL },
        { "a.anc[1] = bash", 1, NULL },
        { "a.anc[1] = sshd", 0, NULL },
        { "a.anc[2] = sshd", 0, NULL }, /* missing */
        { "s.str = val(a.anc)", -1, "can't be used as a right-hand side field" },
        { "a.anc = val(s.str)", -1, "doesn't support right-hand side fields" },
    };
    RUN(state, t);
}

static void test_transformers(void **state)
{
    static const struct case_ t[] = {
        { "toupper(s.str) = /USR/BIN/BASH", 1, NULL },
        { "tolower(toupper(s.str)) = /usr/bin/bash", 1, NULL },
        { "basename(s.str) = bash", 1, NULL },
        { "basename(s.path) = passwd", 1, NULL },
        { "len(s.str) = 13", 1, NULL },
        { "len(s.str) > 15", 0, NULL },
        { "len(l.str) = 2", 1, NULL },
        { "len(l.empty) = 0", 1, NULL },
        { "len(s.buf) = 6", 1, NULL },
        { "b64(s.b64) = hello", 1, NULL },
        { "toupper(b64(s.b64)) = HELLO", 1, NULL },
        { "concat(s.str, \"-\", toupper(s.path)) = /usr/bin/bash-/ETC/PASSWD", 1, NULL },
        { "join(\",\", l.str) = \"a,b\"", 1, NULL },
        { "join(\",\", (s.path, n.u64, \"x\")) = \"/etc/passwd,42,x\"", 1, NULL },
        { "join(\",\", ()) = \"\"", 1, NULL },
        { "getopt((\"-n\", \"-t\", \"hello\"), \"nt:\")[t] = hello", 1, NULL },
        { "getopt((\"-x\", \"-n\"), \"n\") intersects (\"?\")", 1, NULL },
        { "getopt((\"-t\"), \"t:\") intersects (\"t\")", 0, NULL },
        { "getopt((\"-n\"), \"nt:\")[t] exists", 0, NULL },
        { "tolower(m.missing) = x", 0, NULL },
        { "concat(s.str, m.missing) exists", 0, NULL },
        { "toupper(n.u64) = 1", -1, "type 'uint64' is not supported by 'toupper'" },
        { "len(n.u64) = 1", -1, "not supported by 'len'" },
        { "b64(s.str) exists", 0, NULL }, /* not base64: no value */
        { "toupper(s.str)[x] = A", -1, "does not support field arguments" },
        { "join(\"-\") = a", -1, "takes a separator and a list" },
        { "concat(\"a\") = a", -1, "at least two" },
        { "getopt((\"-n\"), \"n\")[\"\"] = n", -1, "exactly one character" },
        { "toupper(a.anc) = BASH", -1, "does not support transformers" },
        { "len(a.anc) = 4", 1, NULL }, /* len only counts, per value */
        /* field against field */
        { "s.str = val(s.other)", 1, NULL },
        { "s.str = val(s.path)", 0, NULL },
        { "s.str != val(s.path)", 1, NULL },
        { "s.str startswith val(s.str)", 1, NULL },
        { "toupper(s.str) = toupper(s.other)", 1, NULL },
        { "s.str in val(s.other)", 1, NULL },
        { "s.str = val(n.u64)", -1, "incompatible type 'uint64'" },
        { "s.str = val(l.str)", -1, "incompatible type" },
        { "s.str pmatch val(s.path)", -1, "does not support right-hand side fields" },
        { "s.str regex val(s.path)", -1, "does not support right-hand side fields" },
        { "s.str = val(m.missing)", 0, NULL },
        { "n.u64 = val(n.u64)", 1, NULL },
        { "n.u64 < len(s.str)", 0, NULL },
    };
    RUN(state, t);
}

static void test_warnings(void **state)
{
    static const struct {
        const char *expr;
        int warnings;
    } t[] = {
        { "s.str = s.path", 1 },            /* a field misused as a string */
        { "s.str = \"s.path \"", 1 },       /* spaces removed */
        { "s.str = nope.field", 0 },        /* not a field */
        { "s.str = 'toupper(s.path)'", 1 }, /* a transformer misused as a string */
        { "s.str = 'tolow(s.path)'", 0 },
        { "s.str regex bash", 1 }, /* a plain string operator in disguise */
        { "s.str regex '^/usr/.*'", 1 },
        { "s.str regex '/usr/.*/bash'", 0 },
        { "s.str regex 'ba[s]h'", 0 },
        { "d.old = x", 1 },   /* deprecated field */
        { "ka.x = <NA>", 1 }, /* unsafe <NA> comparison (AST level) */
    };
    struct env *e = *state;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char err[256];
        int n = 0;
        run(e, t[i].expr, err, sizeof(err), &n);
        if (n != t[i].warnings) {
            fail_msg("%s: %d warnings, want %d (%s)", t[i].expr, n, t[i].warnings, err);
        }
    }
}

/* The extractor runs once per field per event, however many checks read the field. */
static void test_cache(void **state)
{
    struct env *e = *state;
    struct skr_arena a;
    struct skr_compiler c;
    struct skr_parse_error perr;
    struct ctxdata cd = { e->th, 0 };
    const char *expr = "s.str contains x or s.str startswith y or s.str = /usr/bin/bash";
    struct skr_ast *ast;
    struct skr_cnode *cn;

    skr_arena_init(&a, 0);
    skr_compiler_init(&c, &a, skr_test_host_get(e->th));
    ast = skr_parse(&a, expr, strlen(expr), 100, &perr, NULL);
    assert_non_null(ast);
    cn = skr_compile_cond(&c, "t", ast);
    assert_non_null(cn);
    assert_int_equal(c.nreqs, 1);
    assert_int_equal(skr_eval_ctx_reserve(e->ctx, c.nreqs), 0);
    skr_eval_begin(e->ctx, extract, &cd);
    assert_true(skr_eval_cond(e->ctx, cn));
    assert_int_equal(cd.calls, 1);
    /* short-circuit: the first true branch ends the evaluation */
    skr_eval_begin(e->ctx, extract, &cd);
    cd.calls = 0;
    assert_true(skr_eval_cond(e->ctx, cn));
    assert_int_equal(cd.calls, 1);
    skr_compiler_fini(&c);
    skr_arena_fini(&a);
}

/* The substring search against memmem: every needle of a small alphabet in short texts
 * (the hand-written path) and long ones (memmem), including needles at both ends. */
static void test_contains_search(void **state)
{
    uint8_t h[300];
    uint8_t n[6];
    uint32_t seed = 12345;

    (void)state;
    for (int round = 0; round < 20000; round++) {
        size_t hlen = (round % 7 == 0) ? 257 + (seed % 40) : seed % 40;
        size_t nlen;
        for (size_t i = 0; i < hlen; i++) {
            seed = seed * 1103515245u + 12345u;
            h[i] = (uint8_t)('a' + (seed >> 16) % 3);
        }
        seed = seed * 1103515245u + 12345u;
        nlen = (seed >> 16) % 6;
        for (size_t i = 0; i < nlen; i++) {
            seed = seed * 1103515245u + 12345u;
            n[i] = (uint8_t)('a' + (seed >> 16) % 3);
        }
        bool want = nlen == 0 || memmem(h, hlen, n, nlen) != NULL;
        assert_int_equal(skr_bytes_contains(h, hlen, n, nlen), want);
    }
    assert_true(skr_bytes_contains((const uint8_t *)"/etc/shadow", 11,
                                   (const uint8_t *)"/etc/shadow", 11));
    assert_true(skr_bytes_contains((const uint8_t *)"/x/id_rsa", 9, (const uint8_t *)"id_rsa", 6));
    assert_false(skr_bytes_contains((const uint8_t *)"/x/id_rs", 8, (const uint8_t *)"id_rsa", 6));
}

static void test_render(void **state)
{
    static const struct {
        const char *fmt;
        const char *want;
    } t[] = {
        { "cmd=%s.str", "cmd=/usr/bin/bash" },
        { "%m.missing|%n.u64|%n.s64", "<NA>|42|-5" },
        { "[%8n.u64][%3s.str]", "[42      ][/us]" },
        { "%l.str %l.empty", "(a,b) ()" },
        { "%toupper(s.path) %basename(s.str)", "/ETC/PASSWD bash" },
        { "%a.anc %a.anc[1]", "bash sshd init bash" },
        { "%b.bool %ip.addr %ip.six %n.dbl", "true 10.1.2.3 ::1 2.0" },
        { "%s.buf", "he.llo" },
        { "%s.strx", "/usr/bin/bashx" }, /* the longest prefix that names a field */
        { "%x.arg.foo!", "bar!" },
        { "100%% done", NULL }, /* no escape for '%' */
        { "ends with %", NULL },
        { "%f.only", NULL }, /* filter-only fields cannot be displayed */
        { "%nope.field", NULL },
        { "%p.only", "x" },
    };
    struct env *e = *state;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct skr_arena a;
        struct skr_compiler c;
        struct skr_format f;
        struct skr_strbuf out;
        struct ctxdata cd = { e->th, 0 };
        const struct skr_out_field *flds;
        size_t nflds;
        int rc;

        skr_arena_init(&a, 0);
        skr_compiler_init(&c, &a, skr_test_host_get(e->th));
        rc = skr_compile_format(&c, "t", t[i].fmt, strlen(t[i].fmt), &f);
        if (t[i].want == NULL) {
            if (rc == 0) {
                fail_msg("format %s compiled", t[i].fmt);
            }
            assert_true(c.nmsgs > 0);
            assert_string_equal(c.msgs[0].code, "LOAD_ERR_COMPILE_OUTPUT");
        } else {
            if (rc != 0) {
                fail_msg("format %s: %s", t[i].fmt, c.nmsgs ? c.msgs[0].msg : "?");
            }
            assert_int_equal(skr_eval_ctx_reserve(e->ctx, c.nreqs + 1), 0);
            skr_eval_begin(e->ctx, extract, &cd);
            skr_strbuf_init(&out);
            assert_int_equal(skr_format_render(e->ctx, &f, &out, &flds, &nflds), 0);
            if (strcmp(out.p, t[i].want) != 0) {
                fail_msg("format %s rendered %s, want %s", t[i].fmt, out.p, t[i].want);
            }
            assert_int_equal(nflds, f.nopds);
            skr_strbuf_fini(&out);
        }
        skr_compiler_fini(&c);
        skr_arena_fini(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),         cmocka_unit_test(test_buffers),
        cmocka_unit_test(test_numbers),         cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_lists_missing),   cmocka_unit_test(test_modifiers_and_ancestors),
        cmocka_unit_test(test_transformers),    cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_cache),           cmocka_unit_test(test_render),
        cmocka_unit_test(test_contains_search),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
