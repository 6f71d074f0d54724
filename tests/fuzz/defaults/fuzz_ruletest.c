/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness of saker test's readers: each input is read as a rule test
 * file (through a memory file, as the runner reads a path), as a line of saker's
 * JSON output checked against a case, and, split at its first NUL, as a wildcard
 * pattern and a rule name. Invariants: no crash, no leak, and a loaded file is
 * consistent (every case has a name, a capture or a snippet, and an expectation).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ruletest/ruletest_int.h"

static void check_file(const uint8_t *data, size_t size)
{
    char path[64];
    struct skr_rt_file *f = NULL;
    struct skr_err err;
    int fd = memfd_create("fuzz-test-file", 0);

    if (fd < 0) {
        return;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (skr_rt_file_load(path, &f, &err) == 0) {
            if (f->ncases == 0 || f->nrules_files == 0) {
                __builtin_trap();
            }
            for (size_t i = 0; i < f->ncases; i++) {
                const struct skr_rt_case *c = &f->cases[i];
                if (c->name == NULL || (c->capture == NULL && c->live == NULL) ||
                    c->nfire + c->nno_fire == 0) {
                    __builtin_trap();
                }
            }
        } else if (f != NULL || err.msg[0] == '\0') {
            __builtin_trap();
        }
        skr_rt_file_free(f);
    }
    close(fd);
}

static void check_alert(const uint8_t *data, size_t size)
{
    struct skr_rt_alerts a = { 0 };
    struct skr_rt_expect any = { .rule = "*", .min_count = 1 };
    struct skr_rt_case c = {
        .name = "x", .scope = SKR_RT_SCOPE_TREE, .no_fire = &any, .nno_fire = 1
    };
    struct skr_strbuf why;

    if (skr_rt_alerts_add_line(&a, (const char *)data, size) < 0) {
        return;
    }
    skr_strbuf_init(&why);
    skr_rt_check_case(&c, &a, &why);
    c.scope = SKR_RT_SCOPE_FIELD;
    c.scope_field = "proc.name";
    c.scope_value = "x";
    skr_rt_check_case(&c, &a, &why);
    skr_strbuf_fini(&why);
    skr_rt_alerts_fini(&a);
}

static void check_wildcard(const uint8_t *data, size_t size)
{
    char buf[512];
    size_t n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
    const char *nul;

    memcpy(buf, data, n);
    buf[n] = '\0';
    nul = memchr(buf, '\0', n);
    if (nul != NULL && nul + 1 < buf + n) {
        bool m = skr_rt_wildcard(buf, nul + 1);
        /* a pattern without wildcards matches only itself */
        if (strpbrk(buf, "*?") == NULL && m != (strcmp(buf, nul + 1) == 0)) {
            __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_file(data, size);
    check_alert(data, size);
    check_wildcard(data, size);
    return 0;
}
