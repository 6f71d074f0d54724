/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the rules loader: any bytes as a rules file (read
 * through a memfd), loaded against the syscall test fixture; a load that
 * succeeds is evaluated once and its diagnostics are formatted both ways.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/testhost.h"

static struct skr_test_host *host;
static struct skr_eval_ctx *ctx;
static int fd = -1;
static char dir[64];
static char path[128];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

static int extract(void *user,
                   const struct skr_extract_req *req,
                   const struct skr_value **vals,
                   uint32_t *n)
{
    static struct skr_value v;

    (void)user;
    (void)req;
    v.p = (const uint8_t *)"bash";
    v.len = 4;
    v.u64 = 4;
    *vals = &v;
    *n = 1;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *fields = getenv("SKR_FUZZ_FIELDS");
    char err[256];

    (void)argc;
    (void)argv;
    host = skr_test_host_load(fields != NULL ? fields : SKR_FIXTURE, err, sizeof(err));
    ctx = skr_eval_ctx_new();
    fd = memfd_create("rules.yaml", 0);
    if (host == NULL || ctx == NULL || fd < 0) {
        fprintf(stderr, "fuzz_rules_loader: cannot set up (%s)\n", host == NULL ? err : "memfd");
        return 1;
    }
    skr_test_host_add_plugin(host, "container", "0.7.1");
    /* The loader takes *.yaml paths: a link with that name leads to the memfd. */
    snprintf(dir, sizeof(dir), "/tmp/skr-fuzz-rules-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    snprintf(path, sizeof(path), "%s/rules.yaml", dir);
    {
        char target[64];
        snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)getpid(), fd);
        if (symlink(target, path) != 0) {
            return 1;
        }
    }
    atexit(cleanup);
    return 0;
}

static bool on_match(void *user, const struct skr_rule *r)
{
    struct skr_strbuf *out = user;

    return skr_rule_render(r, ctx, extract, NULL, out, NULL, NULL) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *paths[1] = { path };
    static const char *const sources[] = { "syscall" };
    struct skr_rules_load_opts opts;
    struct skr_diags *d;
    struct skr_ruleset *rs = NULL;
    struct skr_strbuf b;

    if (host == NULL || size > 262144 || ftruncate(fd, 0) != 0 ||
        pwrite(fd, data, size, 0) != (ssize_t)size) {
        return 0;
    }
    memset(&opts, 0, sizeof(opts));
    opts.paths = paths;
    opts.num_paths = 1;
    opts.sources = sources;
    opts.num_sources = 1;
    opts.min_priority = 7;
    opts.match_all = true;
    opts.host = skr_test_host_get(host);
    d = skr_diags_new();
    if (d == NULL) {
        return 0;
    }
    skr_strbuf_init(&b);
    if (skr_rules_load(&opts, &rs, d) == 0) {
        for (uint16_t code = 0; code < 8; code++) {
            (void)skr_ruleset_eval(rs, ctx, 0, code * 41, extract, NULL, on_match, &b);
        }
        skr_strbuf_reset(&b);
        skr_ruleset_describe(rs, NULL, &b);
    }
    skr_strbuf_reset(&b);
    skr_diags_format(d, false, &b);
    skr_strbuf_reset(&b);
    skr_diags_format(d, true, &b);
    skr_strbuf_fini(&b);
    skr_ruleset_unref(rs);
    skr_diags_free(d);
    return 0;
}
