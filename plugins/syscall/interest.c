// SPDX-License-Identifier: Apache-2.0
/*
 * From the event types the loaded rules can match to what the driver
 * captures: the syscalls those event types come from, plus the syscalls
 * this plugin's own state needs to give those rules correct fields.
 *
 * The host's interest is the union of the rules' event codes and every
 * parser's declared codes, this plugin's own included; the rules' names come
 * separately (the evt.type names rules check positively). So a code this
 * plugin declares for parsing counts as wanted by the rules only when a rule
 * names it; any other code counts as it is. A code set that covers most of
 * the syscall events ("evt.type != x") counts as "everything".
 *
 * Process state (clone, exec, exit, credentials, cwd) is always tracked when
 * anything is of interest, because every rule reads proc.* or user.*. The fd
 * table is tracked only when some event of interest needs it (an event that
 * uses or names a descriptor or a path). close(2) is taken in full only when
 * a rule names it; otherwise closes of regular files are skipped in the
 * kernel (a stale entry is replaced when its number is reused), so a
 * workload that opens and closes files costs one event per open.
 */
#include <string.h>

#include "evtab.h"
#include "plugin.h"

/* Exit codes this plugin parses (get_parse_event_types), besides its own state events. */
static const uint16_t g_parse_codes[] = {
    SKR_PPME_SYSCALL_OPEN_X,
    SKR_PPME_SYSCALL_CLOSE_X,
    SKR_PPME_SOCKET_SOCKET_X,
    SKR_PPME_SOCKET_BIND_X,
    SKR_PPME_SOCKET_CONNECT_X,
    SKR_PPME_SOCKET_SENDTO_X,
    SKR_PPME_SOCKET_RECVFROM_X,
    SKR_PPME_SOCKET_SOCKETPAIR_X,
    SKR_PPME_SOCKET_SENDMSG_X,
    SKR_PPME_SOCKET_RECVMSG_X,
    SKR_PPME_SYSCALL_CREAT_X,
    SKR_PPME_SYSCALL_PIPE_X,
    SKR_PPME_SYSCALL_EVENTFD_X,
    SKR_PPME_SYSCALL_CHDIR_X,
    SKR_PPME_SYSCALL_FCHDIR_X,
    SKR_PPME_SYSCALL_SIGNALFD_X,
    SKR_PPME_SYSCALL_TIMERFD_CREATE_X,
    SKR_PPME_SYSCALL_INOTIFY_INIT_X,
    SKR_PPME_SYSCALL_SETRLIMIT_X,
    SKR_PPME_SYSCALL_PRLIMIT_X,
    SKR_PPME_SYSCALL_FCNTL_X,
    SKR_PPME_PROCEXIT_1_E,
    SKR_PPME_SYSCALL_SETRESUID_X,
    SKR_PPME_SYSCALL_SETRESGID_X,
    SKR_PPME_SYSCALL_SETUID_X,
    SKR_PPME_SYSCALL_SETGID_X,
    SKR_PPME_SYSCALL_CLONE_20_X,
    SKR_PPME_SYSCALL_FORK_20_X,
    SKR_PPME_SYSCALL_VFORK_20_X,
    SKR_PPME_SYSCALL_SETNS_X,
    SKR_PPME_SOCKET_ACCEPT_5_X,
    SKR_PPME_SYSCALL_CHROOT_X,
    SKR_PPME_SYSCALL_SETSID_X,
    SKR_PPME_SYSCALL_UNSHARE_X,
    SKR_PPME_SYSCALL_EXECVE_19_X,
    SKR_PPME_SYSCALL_OPENAT_2_X,
    SKR_PPME_SYSCALL_USERFAULTFD_X,
    SKR_PPME_SYSCALL_OPENAT2_X,
    SKR_PPME_SYSCALL_EXECVEAT_X,
    SKR_PPME_SYSCALL_CLONE3_X,
    SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X,
    SKR_PPME_SYSCALL_IO_URING_SETUP_X,
    SKR_PPME_SYSCALL_CAPSET_X,
    SKR_PPME_SYSCALL_DUP2_X,
    SKR_PPME_SYSCALL_DUP3_X,
    SKR_PPME_SYSCALL_DUP_1_X,
    SKR_PPME_SYSCALL_BPF_2_X,
    SKR_PPME_SYSCALL_EPOLL_CREATE_X,
    SKR_PPME_SYSCALL_EPOLL_CREATE1_X,
    SKR_PPME_SOCKET_ACCEPT4_6_X,
    SKR_PPME_SYSCALL_PIPE2_X,
    SKR_PPME_SYSCALL_INOTIFY_INIT1_X,
    SKR_PPME_SYSCALL_EVENTFD2_X,
    SKR_PPME_SYSCALL_SIGNALFD4_X,
    SKR_PPME_SYSCALL_PRCTL_X,
    SKR_PPME_SYSCALL_MEMFD_CREATE_X,
    SKR_PPME_SYSCALL_PIDFD_GETFD_X,
    SKR_PPME_SYSCALL_PIDFD_OPEN_X,
    SKR_PPME_SYSCALL_SETREUID_X,
    SKR_PPME_SYSCALL_SETREGID_X,
    SKR_PPME_SYSCALL_CLOSE_RANGE_X,
    SKR_EVT_INIT,
    SKR_EVT_THREAD,
    SKR_EVT_FD,
};

#define NUM_PARSE_CODES (sizeof(g_parse_codes) / sizeof(g_parse_codes[0]))

const uint16_t *skr_parse_codes(uint32_t *n)
{
    *n = (uint32_t)NUM_PARSE_CODES;
    return g_parse_codes;
}

static bool is_parse_code(uint16_t code)
{
    for (size_t i = 0; i < NUM_PARSE_CODES; i++) {
        if (g_parse_codes[i] == code || (code < 0x7f00 && g_parse_codes[i] == (code | 1))) {
            return true;
        }
    }
    return false;
}

static bool code_set(const struct skr_sys *s, uint16_t code)
{
    return s->interest_codes && ((s->interest_codes[code >> 3] >> (code & 7)) & 1);
}

/* Event types that need no fd state to be rendered right. */
static bool no_fd_state(uint16_t code)
{
    switch (code | 1) {
    case 1:   /* generic */
    case 129: /* kill */
    case 131:
    case 133:
    case 169: /* ptrace */
    case 175: /* rename */
    case 179: /* symlink */
    case 187: /* procexit */
    case 193:
    case 195:
    case 199:
    case 201:
    case 223: /* clone family */
    case 225:
    case 227:
    case 257: /* mount */
    case 277: /* mkdir */
    case 279:
    case 285: /* unshare */
    case 293: /* execve */
    case 301: /* unlink */
    case 309: /* link */
    case 315: /* chmod */
    case 329: /* mprotect */
    case 331:
    case 335:
    case 353:
    case 379:
    case 381:
    case 391: /* umount2 */
    case 401: /* prctl */
    case 405: /* memfd_create */
    case 411: /* init_module */
    case 425:
    case 427:
    case 429:
        return true;
    default:
        return false;
    }
}

static const char *const proc_state[] = {
    "clone",    "clone3",    "fork",      "vfork",  "setuid",    "setgid",    "setreuid",
    "setregid", "setresuid", "setresgid", "capset", "setsid",    "prctl",     "chdir",
    "fchdir",   "chroot",    "unshare",   "setns",  "prlimit64", "setrlimit", NULL,
};

static const char *const fd_state[] = {
    "open",
    "openat",
    "openat2",
    "creat",
    "open_by_handle_at",
    "socket",
    "socketpair",
    "bind",
    "connect",
    "accept",
    "accept4",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "pipe",
    "pipe2",
    "eventfd",
    "eventfd2",
    "signalfd",
    "signalfd4",
    "timerfd_create",
    "inotify_init",
    "inotify_init1",
    "epoll_create",
    "epoll_create1",
    "bpf",
    "userfaultfd",
    "io_uring_setup",
    "memfd_create",
    "pidfd_open",
    "pidfd_getfd",
    "close_range",
    NULL,
};

static void want(struct skr_probe_interest *out, const char *syscall)
{
    int nr = skr_syscall_nr(syscall);

    if (nr >= 0 && nr < SKR_SYSCALL_MAX) {
        out->syscalls[nr] = 1;
    }
}

struct rule_want {
    bool any, fd_needed, close;
};

static void want_nr(struct skr_probe_interest *out, struct rule_want *w, uint32_t nr)
{
    uint16_t code = skr_syscall_exit_code(nr);

    out->syscalls[nr] = 1;
    w->any = true;
    if (!no_fd_state(code)) {
        w->fd_needed = true;
    }
    if (code == SKR_PPME_SYSCALL_CLOSE_X) {
        w->close = true;
    }
}

/* The syscalls an evt.type name stands for: an event name, or a syscall name. */
static void want_name(struct skr_probe_interest *out, struct rule_want *w, const char *name)
{
    bool found = false;
    int nr;

    for (uint32_t n = 0; n < SKR_SYSCALL_MAX; n++) {
        uint16_t code = skr_syscall_exit_code(n);
        const char *en;
        if (!skr_syscall_name(n) || code == 1) {
            continue;
        }
        en = skr_event_name(code);
        if (en && strcmp(en, name) == 0) {
            want_nr(out, w, n);
            found = true;
        }
    }
    if (found) {
        return;
    }
    nr = skr_syscall_nr(name);
    if (nr >= 0 && nr < SKR_SYSCALL_MAX) {
        want_nr(out, w, (uint32_t)nr);
    }
    if (strcmp(name, "procexit") == 0) {
        w->any = true;
    }
}

void skr_interest_compute(struct skr_sys *s, struct skr_probe_interest *out)
{
    bool all = s->cfg.capture_all || !s->interest_set || s->interest_all;
    struct rule_want w = { 0 };
    uint32_t known = 0, set = 0;

    memset(out, 0, sizeof(*out));
    if (!all) {
        /* codes the rules can match (those this plugin parses count only when named) */
        for (uint32_t nr = 0; nr < SKR_SYSCALL_MAX; nr++) {
            uint16_t code;
            if (!skr_syscall_name(nr)) {
                continue;
            }
            code = skr_syscall_exit_code(nr);
            if (code == 1) {
                continue; /* the generic code: only the syscalls the names give */
            }
            known++;
            if (code_set(s, code) || code_set(s, code - 1)) {
                set++;
                if (!is_parse_code(code)) {
                    want_nr(out, &w, nr);
                }
            }
        }
        /* "evt.type != x" and the like: every event but a few */
        if (known > 0 && set * 10 > known * 6) {
            all = true;
        }
    }
    if (all) {
        memset(out, 0, sizeof(*out));
        w = (struct rule_want){ 0 };
        for (uint32_t nr = 0; nr < SKR_SYSCALL_MAX; nr++) {
            if (skr_syscall_name(nr)) {
                want_nr(out, &w, nr);
            }
        }
    } else {
        for (uint32_t i = 0; i < s->n_interest_names; i++) {
            want_name(out, &w, s->interest_names[i]);
        }
        if (code_set(s, SKR_PPME_GENERIC_X) && s->n_interest_names == 0) {
            for (uint32_t nr = 0; nr < SKR_SYSCALL_MAX; nr++) {
                if (skr_syscall_name(nr) && skr_syscall_exit_code(nr) == 1) {
                    want_nr(out, &w, nr);
                }
            }
        }
    }
    if (!w.any) {
        return; /* nothing is of interest: the driver stays silent */
    }
    for (const char *const *n = proc_state; *n; n++) {
        want(out, *n);
    }
    out->exec = true;
    out->procexit = true;
    if (w.fd_needed) {
        for (const char *const *n = fd_state; *n; n++) {
            want(out, *n);
        }
    }
    if (w.close) {
        out->close_mode = SKR_CLOSE_ALL;
    } else if (w.fd_needed) {
        out->close_mode = s->cfg.skip_regular_close ? SKR_CLOSE_NONREG : SKR_CLOSE_ALL;
    } else {
        out->close_mode = SKR_CLOSE_NONE;
    }
}
