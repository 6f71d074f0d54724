/* SPDX-License-Identifier: Apache-2.0 */
/* The syscall plugin's building blocks: paths, event decoding, flag text, state tables. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <saker/sdk.h>

#include "event.h"
#include "evtab.h"
#include "flagtab.h"
#include "path.h"
#include "plugin.h"
#include "render.h"
#include "skr_driver.h"
#include "state.h"

/* ---- Paths ----------------------------------------------------------------------------- */

static const char *resolve(char *out, const char *base, const char *path)
{
    size_t n = skr_path_resolve(out, base, base ? strlen(base) : 0, path, strlen(path));
    assert_int_equal(n, strlen(out));
    return out;
}

static void path_normalises(void **state)
{
    char out[SKR_PATH_MAX + 1];

    (void)state;
    assert_string_equal(resolve(out, NULL, "/etc/shadow"), "/etc/shadow");
    assert_string_equal(resolve(out, NULL, "/a/b/../c"), "/a/c");
    assert_string_equal(resolve(out, NULL, "//a///b/./c"), "/a/b/c");
    assert_string_equal(resolve(out, NULL, "/a/b/"), "/a/b/");
    assert_string_equal(resolve(out, NULL, "/../../etc/passwd"), "/etc/passwd");
    assert_string_equal(resolve(out, NULL, "/a/.."), "/");
    assert_string_equal(resolve(out, NULL, "/a/.hidden/..x"), "/a/.hidden/..x");
    /* relative: against the base, which ends with '/' */
    assert_string_equal(resolve(out, "/home/u/", "x/./y"), "/home/u/x/y");
    assert_string_equal(resolve(out, "/home/u/", "../../../etc/shadow"), "/etc/shadow");
    assert_string_equal(resolve(out, "/", "tmp"), "/tmp");
    assert_string_equal(resolve(out, "/srv/", "www/"), "/srv/www/");
    /* an absolute path ignores the base */
    assert_string_equal(resolve(out, "/home/u/", "/etc/../root"), "/root");
}

static void path_too_long(void **state)
{
    char out[SKR_PATH_MAX + 1];
    char *big = malloc(SKR_PATH_MAX + 64);
    size_t n;

    (void)state;
    assert_non_null(big);
    big[0] = '/';
    memset(big + 1, 'a', SKR_PATH_MAX + 40);
    big[SKR_PATH_MAX + 41] = '\0';
    n = skr_path_resolve(out, NULL, 0, big, strlen(big));
    assert_string_equal(out, SKR_PATH_TOO_LONG);
    assert_int_equal(n, strlen(SKR_PATH_TOO_LONG));
    /* long but collapsing to something short is fine */
    for (size_t i = 0; i + 5 <= SKR_PATH_MAX + 40; i += 5) {
        memcpy(big + i, "a/../", 5);
        big[i + 5] = '\0';
    }
    n = skr_path_resolve(out, "/base/", 6, big, strlen(big));
    assert_true(strlen(big) > SKR_PATH_MAX);
    assert_string_equal(out, "/base/");
    assert_int_equal(n, 6);
    free(big);
}

/* ---- Event decoding ------------------------------------------------------------------- */

static uint32_t build(uint8_t *buf,
                      size_t cap,
                      uint16_t type,
                      uint32_t n,
                      const void *const *d,
                      const uint32_t *l)
{
    return saker_evt_build(buf, cap, 1000, 42, type, n, d, l);
}

static void event_decodes_params(void **state)
{
    uint8_t buf[256];
    int64_t fd = 3, dirfd = -100;
    uint32_t flags = SKR_O_RDONLY | SKR_O_CLOEXEC, mode = 0, dev = 0x803;
    uint64_t ino = 1234;
    const char *name = "/etc/passwd";
    const void *d[] = { &fd, &dirfd, name, &flags, &mode, &dev, &ino };
    const uint32_t l[] = { 8, 8, 12, 4, 4, 4, 8 };
    struct skr_ev ev;
    size_t n;

    (void)state;
    assert_true(build(buf, sizeof(buf), SKR_PPME_SYSCALL_OPENAT_2_X, 7, d, l) > 0);
    assert_int_equal(skr_ev_decode(&ev, buf, sizeof(buf)), 0);
    assert_int_equal(ev.type, SKR_PPME_SYSCALL_OPENAT_2_X);
    assert_int_equal(ev.tid, 42);
    assert_int_equal(ev.ts, 1000);
    assert_int_equal(ev.nparams, 7);
    assert_non_null(ev.info);
    assert_string_equal(ev.info->name, "openat");
    assert_int_equal(skr_ev_s64(&ev, 0, -1), 3);
    assert_int_equal(skr_ev_s64(&ev, 1, 0), -100);
    assert_string_equal(skr_ev_str(&ev, 2, &n), "/etc/passwd");
    assert_int_equal(n, 11);
    assert_int_equal(skr_ev_u64(&ev, 3, 0), SKR_O_RDONLY | SKR_O_CLOEXEC);
    assert_int_equal(skr_ev_u64(&ev, 6, 0), 1234);
    /* beyond the parameters: the default */
    assert_int_equal(skr_ev_s64(&ev, 9, -7), -7);
    assert_false(skr_ev_has(&ev, 9));
}

static void event_sign_extends(void **state)
{
    uint8_t buf[128];
    int32_t backlog = -1;
    int64_t res = 0, fd = 5;
    const void *d[] = { &res, &fd, &backlog };
    const uint32_t l[] = { 8, 8, 4 };
    struct skr_ev ev;
    int64_t v;

    (void)state;
    assert_true(build(buf, sizeof(buf), SKR_PPME_SOCKET_LISTEN_X, 3, d, l) > 0);
    assert_int_equal(skr_ev_decode(&ev, buf, sizeof(buf)), 0);
    assert_true(skr_ev_int(&ev, 2, true, &v));
    assert_int_equal(v, -1);
    assert_true(skr_ev_int(&ev, 2, false, &v));
    assert_int_equal(v, 0xffffffffll);
}

static void event_rejects_malformed(void **state)
{
    uint8_t buf[256], bad[256];
    int64_t fd = 3;
    const char *name = "/x";
    const void *d[] = { &fd, name };
    const uint32_t l[] = { 8, 3 };
    uint32_t len, v;
    struct skr_ev ev;

    (void)state;
    len = build(buf, sizeof(buf), SKR_PPME_SYSCALL_OPEN_X, 2, d, l);
    assert_true(len > 0);
    /* every truncation is rejected, never read past */
    for (uint32_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, buf, cut);
        assert_int_equal(skr_ev_decode(&ev, copy, cut), -1);
        free(copy);
    }
    /* a header length larger than the buffer */
    memcpy(bad, buf, len);
    v = len + 10;
    memcpy(bad + 16, &v, 4);
    assert_int_equal(skr_ev_decode(&ev, bad, len), -1);
    /* parameter lengths summing past the event */
    memcpy(bad, buf, len);
    bad[26] = 0xff;
    bad[27] = 0x7f;
    assert_int_equal(skr_ev_decode(&ev, bad, len), -1);
    /* more parameters than any layout */
    memcpy(bad, buf, len);
    v = 4000;
    memcpy(bad + 22, &v, 4);
    assert_int_equal(skr_ev_decode(&ev, bad, len), -1);
    /* the intact event still decodes */
    assert_int_equal(skr_ev_decode(&ev, buf, len), 0);
}

static void event_unknown_code_decodes(void **state)
{
    uint8_t buf[64];
    uint64_t a = 7;
    const void *d[] = { &a };
    const uint32_t l[] = { 8 };
    struct skr_ev ev;

    (void)state;
    assert_true(build(buf, sizeof(buf), 500, 1, d, l) > 0);
    assert_int_equal(skr_ev_decode(&ev, buf, sizeof(buf)), 0);
    assert_null(ev.info);
    assert_int_equal(ev.nparams, 1);
}

static void sbuf_grows(void **state)
{
    struct skr_sbuf b;

    (void)state;
    memset(&b, 0, sizeof(b));
    assert_string_equal(skr_sbuf_str(&b), "");
    for (int i = 0; i < 1000; i++) {
        skr_sbuf_addf(&b, "%d,", i % 10);
    }
    assert_int_equal(b.len, 2000);
    assert_int_equal(strncmp(skr_sbuf_str(&b), "0,1,2,", 6), 0);
    skr_sbuf_reset(&b);
    skr_sbuf_adds(&b, "ab");
    skr_sbuf_addc(&b, 'c');
    skr_sbuf_add(&b, "dxx", 1);
    assert_string_equal(skr_sbuf_str(&b), "abcd");
    skr_sbuf_fini(&b);
}

/* ---- Event table and flag text ---------------------------------------------------------- */

static void evtab_names_and_maps(void **state)
{
    (void)state;
    assert_string_equal(skr_event_name(SKR_PPME_SYSCALL_OPENAT_2_X), "openat");
    assert_string_equal(skr_event_name(SKR_PPME_SYSCALL_OPENAT_2_X - 1), "openat");
    assert_string_equal(skr_event_name(SKR_EVT_THREAD), "saker_thread");
    assert_string_equal(skr_event_name(SKR_EVT_FD), "saker_fd");
    assert_null(skr_event_name(0x7f10));
    assert_int_equal(skr_syscall_nr("openat"), 257);
    assert_string_equal(skr_syscall_name(59), "execve");
    assert_int_equal(skr_syscall_exit_code(257), SKR_PPME_SYSCALL_OPENAT_2_X);
    assert_int_equal(skr_syscall_exit_code(39), 1); /* getpid: the generic event */
    assert_int_equal(skr_syscall_exit_code(9999), 1);
    /* the table is sorted and every layout fits the limit */
    for (uint32_t c = 0, prev = 0; c < 0x8000; c++) {
        const struct skr_event_info *i = skr_event_info((uint16_t)c);
        if (!i) {
            continue;
        }
        assert_int_equal(i->code, c);
        assert_true(c >= prev);
        assert_true(i->nparams <= SKR_MAX_EVT_PARAMS);
        assert_true(i->fd_param < (int)i->nparams);
        prev = c;
    }
    assert_int_equal(skr_event_param_index(skr_event_info(SKR_PPME_SYSCALL_OPENAT_2_X), "flags", 5),
                     3);
    assert_int_equal(skr_event_param_index(skr_event_info(SKR_PPME_SYSCALL_OPENAT_2_X), "fla", 3),
                     -1);
}

static const char *flags_text(struct skr_sbuf *b, uint8_t pt, uint8_t tab, uint64_t v)
{
    skr_sbuf_reset(b);
    skr_render_flags(b, pt, tab, v);
    return skr_sbuf_str(b);
}

static void render_flag_names(void **state)
{
    struct skr_sbuf b;

    (void)state;
    memset(&b, 0, sizeof(b));
    assert_string_equal(
            flags_text(&b, SKR_PT_FLAGS32, SKR_FT_FILE_FLAGS, SKR_O_RDONLY | SKR_O_CLOEXEC),
            "O_RDONLY|O_CLOEXEC");
    assert_string_equal(flags_text(&b, SKR_PT_FLAGS32, SKR_FT_FILE_FLAGS,
                                   SKR_O_RDWR | SKR_O_CREAT | SKR_O_TRUNC),
                        "O_TRUNC|O_CREAT|O_RDWR"); /* libscap's table order */
    assert_string_equal(flags_text(&b, SKR_PT_FLAGS32, SKR_FT_FILE_FLAGS, 0), "O_NONE");
    /* enumerations name one value */
    assert_string_equal(flags_text(&b, SKR_PT_ENUMFLAGS16, SKR_FT_PTRACE_REQUESTS, 11),
                        "PTRACE_ATTACH");
    assert_string_equal(flags_text(&b, SKR_PT_ENUMFLAGS32, SKR_FT_SOCKET_FAMILIES, 2), "AF_INET");
    assert_string_equal(skr_errno_name(2), "ENOENT");
    assert_string_equal(skr_errno_name(13), "EACCES");
    assert_null(skr_errno_name(100000));
    skr_sbuf_fini(&b);
}

/* ---- State ---------------------------------------------------------------------------------- */

static void state_threads_and_procs(void **state)
{
    struct skr_state_limits lim = { .max_threads = 1000, .max_fd = 64 };
    struct skr_state *st = skr_state_new(&lim);
    struct skr_thread *a, *b, *c;
    struct skr_proc *fp;

    (void)state;
    assert_non_null(st);
    a = skr_thread_add(st, 100, 1);
    assert_non_null(a);
    a->pid = 100;
    a->proc->exe = skr_blob_new("bash", 4);
    /* a second thread of the same process shares it */
    b = skr_thread_add(st, 101, 2);
    b->pid = 100;
    skr_thread_set_proc(st, b, a->proc);
    assert_ptr_equal(a->proc, b->proc);
    assert_int_equal(a->proc->nthreads, 2);
    assert_ptr_equal(skr_thread_main(st, b), a);
    /* a forked child shares blobs, copies fds */
    assert_non_null(skr_fd_add(st, a->proc, 3));
    assert_int_equal(skr_fd_set_name(skr_fd_find(a->proc, 3), "/tmp/x", 6), 0);
    c = skr_thread_add(st, 200, 3);
    c->pid = 200;
    c->ptid = 100;
    fp = skr_proc_fork(st, a->proc);
    assert_non_null(fp);
    skr_thread_set_proc(st, c, fp);
    fp->refs--;
    assert_ptr_equal(c->proc->exe, a->proc->exe);
    assert_string_equal(skr_fd_find(c->proc, 3)->name, "/tmp/x");
    assert_true(skr_fd_find(c->proc, 3)->flags & SKR_FDF_CLONED);
    /* closing in the child leaves the parent's */
    skr_fd_remove(st, c->proc, 3);
    assert_null(skr_fd_find(c->proc, 3));
    assert_non_null(skr_fd_find(a->proc, 3));
    assert_ptr_equal(skr_thread_parent(st, c), a);
    assert_int_equal(skr_state_size(st), 3);
    assert_int_equal(skr_state_stats(st)->n_fds, 1);
    /* the process survives until its last thread goes */
    skr_thread_remove(st, 100);
    assert_null(skr_thread_find(st, 100));
    assert_string_equal(skr_blob_str(skr_thread_find(st, 101)->proc->exe), "bash");
    skr_thread_remove(st, 101);
    assert_int_equal(skr_state_stats(st)->n_fds, 0);
    assert_null(skr_thread_parent(st, c));
    skr_state_free(st);
}

static void state_evicts_at_limit(void **state)
{
    struct skr_state_limits lim = { .max_threads = 64, .max_fd = 16 };
    struct skr_state *st = skr_state_new(&lim);

    (void)state;
    for (int64_t tid = 1; tid <= 1000; tid++) {
        struct skr_thread *t = skr_thread_add(st, tid, (uint64_t)tid);
        assert_non_null(t);
        t->pid = tid;
        assert_non_null(skr_fd_add(st, t->proc, 1));
        assert_true(skr_state_size(st) <= 64);
    }
    assert_int_equal(skr_state_size(st), skr_state_stats(st)->n_threads);
    assert_true(skr_state_stats(st)->n_thread_evictions >= 1000 - 64);
    /* the most recent are kept; evicted threads' fds went with them */
    assert_non_null(skr_thread_find(st, 1000));
    assert_null(skr_thread_find(st, 1));
    assert_int_equal(skr_state_stats(st)->n_fds, skr_state_size(st));
    skr_state_free(st);
}

static void state_fd_limits(void **state)
{
    struct skr_state_limits lim = { .max_threads = 64, .max_fd = 16 };
    struct skr_state *st = skr_state_new(&lim);
    struct skr_thread *t = skr_thread_add(st, 5, 1);
    struct skr_fdinfo *f, *g;

    (void)state;
    assert_null(skr_fd_add(st, t->proc, 16));
    assert_null(skr_fd_add(st, t->proc, -1));
    assert_int_equal(skr_state_stats(st)->n_fd_drops, 1);
    f = skr_fd_add(st, t->proc, 15);
    assert_non_null(f);
    f->type = SKR_FD_FILE;
    assert_int_equal(skr_fd_set_name(f, "/var/log/syslog", 15), 0);
    assert_int_equal(skr_fd_set_name_raw(f, "syslog", 6), 0);
    g = skr_fd_copy(st, t->proc, 0, f);
    assert_non_null(g);
    assert_int_equal(g->fd, 0);
    assert_string_equal(g->name, "/var/log/syslog");
    assert_string_equal(g->name_raw, "syslog");
    /* the copy owns its name */
    assert_int_equal(skr_fd_set_name(f, "/other", 6), 0);
    assert_string_equal(g->name, "/var/log/syslog");
    /* copying an entry onto its own fd leaves it as it is */
    assert_ptr_equal(skr_fd_copy(st, t->proc, 0, g), g);
    assert_string_equal(g->name, "/var/log/syslog");
    assert_string_equal(g->name_raw, "syslog");
    /* replacing an fd reuses its slot; a long name grows it */
    for (int i = 0; i < 100; i++) {
        char name[64];
        int n = snprintf(name, sizeof(name), "/tmp/file-%d", i);
        f = skr_fd_add(st, t->proc, 3);
        assert_non_null(f);
        assert_int_equal(skr_fd_set_name(f, name, (size_t)n), 0);
    }
    assert_string_equal(skr_fd_find(t->proc, 3)->name, "/tmp/file-99");
    assert_int_equal(skr_state_stats(st)->n_fds, 3);
    skr_fd_clear_all(st, t->proc);
    assert_int_equal(skr_state_stats(st)->n_fds, 0);
    assert_null(skr_fd_find(t->proc, 15));
    skr_state_free(st);
}

static void state_blobs_refcount(void **state)
{
    struct skr_blob *b = skr_blob_new("a\0b", 3);

    (void)state;
    assert_int_equal(skr_blob_len(b), 3);
    assert_int_equal(b->data[3], 0);
    assert_ptr_equal(skr_blob_ref(b), b);
    assert_int_equal(b->refs, 2);
    skr_blob_unref(b);
    skr_blob_unref(b);
    assert_string_equal(skr_blob_str(NULL), "");
    assert_int_equal(skr_blob_len(NULL), 0);
    assert_null(skr_blob_ref(NULL));
}

/* ---- The open-path filter from the host's prefilter ---------------------------------------- */

/* Field indexes of skr_prefilter_fields. */
enum {
    PF_NAME,
    PF_NAMERAW,
    PF_DIRECTORY,
    PF_FILENAME,
    PF_TYPE
};

static uint16_t exit_code_of(const char *name)
{
    for (uint32_t c = 0; c < SKR_EVENT_CODES; c++) {
        const struct skr_event_info *i = skr_event_info((uint16_t)c);
        if (i && i->dir == '<' && strcmp(i->name, name) == 0) {
            return (uint16_t)c;
        }
    }
    fail_msg("no exit event %s", name);
    return 0;
}

#define ATOM(f, op, v)                \
    {                                 \
        (f), (op), (v), sizeof(v) - 1 \
    }

static bool listed(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i], s) == 0) {
            return true;
        }
    }
    return false;
}

static void open_filter_from_prefilter(void **state)
{
    /* sensitive files: startswith /etc and (name in (...) or directory = /etc/pam.d) */
    const saker_prefilter_atom etc[] = { ATOM(PF_NAME, SAKER_PREFILTER_PREFIX, "/etc") };
    const saker_prefilter_atom files[] = {
        ATOM(PF_NAME, SAKER_PREFILTER_EQ, "/etc/shadow"),
        ATOM(PF_DIRECTORY, SAKER_PREFILTER_EQ, "/etc/pam.d"),
    };
    const saker_prefilter_clause sensitive[] = { { 1, etc }, { 2, files } };
    /* traversal: contains "../" (never on a canonical path) and a key file name */
    const saker_prefilter_atom dots[] = { ATOM(PF_NAMERAW, SAKER_PREFILTER_CONTAINS, "../") };
    const saker_prefilter_atom keys[] = { ATOM(PF_FILENAME, SAKER_PREFILTER_EQ, "id_rsa"),
                                          ATOM(PF_NAME, SAKER_PREFILTER_GLOB, "/home/*/.ssh/*"),
                                          ATOM(PF_NAME, SAKER_PREFILTER_PMATCH, "/root/") };
    const saker_prefilter_clause traversal[] = { { 1, dots } };
    const saker_prefilter_clause keyfiles[] = { { 3, keys } };
    /* a clause with an atom the kernel cannot test says nothing */
    const saker_prefilter_atom any_pem[] = { ATOM(PF_NAME, SAKER_PREFILTER_CONTAINS, ".pem") };
    const saker_prefilter_clause pem[] = { { 1, any_pem } };
    /* dup of a socket: reads fd.name, but only for sockets */
    const saker_prefilter_atom sock[] = { ATOM(PF_TYPE, SAKER_PREFILTER_EQ, "ipv4"),
                                          ATOM(PF_TYPE, SAKER_PREFILTER_EQ, "ipv6") };
    const saker_prefilter_clause socket_only[] = { { 2, sock } };
    ss_plugin_bool reads_name[32] = { 1 };
    ss_plugin_bool reads_none[32] = { 0 };
    saker_prefilter_rule openat_rules[] = { { 2, sensitive, reads_name },
                                            { 1, traversal, reads_name },
                                            { 1, keyfiles, reads_none } };
    saker_prefilter_rule open_rules[] = { { 1, pem, reads_name } };
    saker_prefilter_rule dup_rules[] = { { 1, socket_only, reads_name } };
    saker_prefilter_rule read_rules[] = { { 0, NULL, reads_name } };
    saker_prefilter_code codes[] = {
        { exit_code_of("openat"), 0, 3, openat_rules },
        { exit_code_of("open"), 0, 1, open_rules },
        { exit_code_of("creat"), 1, 0, NULL }, /* another plugin parses every creat */
        { exit_code_of("dup"), 0, 1, dup_rules },
        { exit_code_of("fchmod"), 0, 1, read_rules },
    };
    saker_prefilter pf = { sizeof(pf), skr_num_prefilter_fields, skr_prefilter_fields, 4, codes };
    struct skr_open_filter f;

    (void)state;
    assert_true(skr_num_prefilter_fields <= 32);
    assert_string_equal(skr_prefilter_fields[PF_TYPE], "fd.type");

    assert_int_equal(skr_open_filter_build(&pf, &f), 0);
    /* openat only: open has a rule with nothing to test, creat is parsed elsewhere */
    assert_int_equal(f.mask, SKR_PF_OPENAT);
    assert_non_null(strstr(f.why, "open"));
    /* the names list is the narrower clause of the sensitive-files rule */
    assert_int_equal(f.nexact, 1);
    assert_string_equal(f.exact[0], "/etc/shadow");
    assert_true(listed(f.prefixes, f.nprefixes, "/etc/pam.d/"));
    assert_false(listed(f.prefixes, f.nprefixes, "/etc"));
    /* traversal adds nothing; the key files: a suffix, a glob's and a pmatch's prefixes */
    assert_int_equal(f.nsuffixes, 1);
    assert_string_equal(f.suffixes[0], "/id_rsa");
    assert_true(listed(f.prefixes, f.nprefixes, "/home/"));
    assert_true(listed(f.prefixes, f.nprefixes, "/root"));
    assert_int_equal(f.nprefixes, 3);
    skr_open_filter_free(&f);

    /* a rule that reads which file an fchmod's fd is: no filter at all */
    pf.num_codes = 5;
    assert_int_equal(skr_open_filter_build(&pf, &f), 0);
    assert_int_equal(f.mask, 0);
    assert_non_null(strstr(f.why, "fchmod"));
    skr_open_filter_free(&f);
    /* ... unless it reads nothing of the fd */
    read_rules[0].reads = reads_none;
    assert_int_equal(skr_open_filter_build(&pf, &f), 0);
    assert_int_equal(f.mask, SKR_PF_OPENAT);
    skr_open_filter_free(&f);
    /* a dup rule without the socket clause counts */
    dup_rules[0].num_clauses = 0;
    assert_int_equal(skr_open_filter_build(&pf, &f), 0);
    assert_int_equal(f.mask, 0);
    assert_non_null(strstr(f.why, "dup"));
    skr_open_filter_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_normalises),
        cmocka_unit_test(path_too_long),
        cmocka_unit_test(event_decodes_params),
        cmocka_unit_test(event_sign_extends),
        cmocka_unit_test(event_rejects_malformed),
        cmocka_unit_test(event_unknown_code_decodes),
        cmocka_unit_test(sbuf_grows),
        cmocka_unit_test(evtab_names_and_maps),
        cmocka_unit_test(render_flag_names),
        cmocka_unit_test(state_threads_and_procs),
        cmocka_unit_test(state_evicts_at_limit),
        cmocka_unit_test(state_fd_limits),
        cmocka_unit_test(state_blobs_refcount),
        cmocka_unit_test(open_filter_from_prefilter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
