// SPDX-License-Identifier: Apache-2.0
/*
 * From the event types the loaded rules can match to what the driver
 * captures: the syscalls those event types come from, plus the syscalls
 * this plugin's own state needs to give those rules correct fields.
 *
 * Process state (clone, exec, exit, credentials, cwd) is always tracked when
 * anything is of interest, because every rule reads proc.* or user.*. The fd
 * table is tracked only when some event of interest reads a descriptor it
 * did not create itself (dup, send, fchmod, *at with a dirfd, ...) or an
 * open needs a dirfd or cwd to name its file. close(2) is taken in full
 * only when a rule names it; otherwise closes of regular files are skipped
 * in the kernel (a stale entry is replaced when its number is reused), so a
 * workload that opens and closes files costs one event per open.
 */
#include <string.h>

#include "evtab.h"
#include "plugin.h"

static bool code_wanted(const struct skr_sys *s, uint16_t code)
{
    if (!s->interest_codes) {
        return false;
    }
    return (s->interest_codes[code >> 3] >> (code & 7)) & 1;
}

static void want(struct skr_probe_interest *out, const char *syscall)
{
    int nr = skr_syscall_nr(syscall);

    if (nr >= 0 && nr < SKR_SYSCALL_MAX) {
        out->syscalls[nr] = 1;
    }
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

void skr_interest_compute(struct skr_sys *s, struct skr_probe_interest *out)
{
    bool all = s->cfg.capture_all || !s->interest_set || s->interest_all;
    bool any = false, fd_needed = false, close_named = false;

    memset(out, 0, sizeof(*out));
    for (uint32_t nr = 0; nr < SKR_SYSCALL_MAX; nr++) {
        const char *name = skr_syscall_name(nr);
        uint16_t code;

        if (!name) {
            continue;
        }
        code = skr_syscall_exit_code(nr);
        if (all || code_wanted(s, code) || code_wanted(s, code - 1)) {
            if (code == 1 && !all) {
                continue; /* generic: only the syscalls named below */
            }
            out->syscalls[nr] = 1;
            any = true;
            if (!no_fd_state(code)) {
                fd_needed = true;
            }
            if (code == 5) {
                close_named = true;
            }
        }
    }
    /* Names narrow the generic code to single syscalls (and may name any syscall). */
    for (uint32_t i = 0; i < s->n_interest_names; i++) {
        int nr = skr_syscall_nr(s->interest_names[i]);
        if (nr >= 0 && nr < SKR_SYSCALL_MAX) {
            uint16_t code = skr_syscall_exit_code((uint32_t)nr);
            out->syscalls[nr] = 1;
            any = true;
            if (!no_fd_state(code)) {
                fd_needed = true;
            }
            if (code == 5) {
                close_named = true;
            }
        }
    }
    if (!all && code_wanted(s, 1) && s->n_interest_names == 0) {
        /* the generic code with no name: every generic syscall */
        for (uint32_t nr = 0; nr < SKR_SYSCALL_MAX; nr++) {
            if (skr_syscall_name(nr) && skr_syscall_exit_code(nr) == 1) {
                out->syscalls[nr] = 1;
                any = true;
            }
        }
    }
    if (all || code_wanted(s, 186) || code_wanted(s, 187)) {
        any = true;
    }
    if (!any) {
        return; /* nothing is of interest: the driver stays silent */
    }
    for (const char *const *n = proc_state; *n; n++) {
        want(out, *n);
    }
    out->exec = true;
    out->procexit = true;
    if (fd_needed) {
        for (const char *const *n = fd_state; *n; n++) {
            want(out, *n);
        }
    }
    if (close_named) {
        out->close_mode = SKR_CLOSE_ALL;
    } else if (fd_needed) {
        out->close_mode = s->cfg.skip_regular_close ? SKR_CLOSE_NONREG : SKR_CLOSE_ALL;
    } else {
        out->close_mode = SKR_CLOSE_NONE;
    }
    /* execve: failures come from the syscall exit; successes from sched_process_exec. */
}
