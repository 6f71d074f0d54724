// SPDX-License-Identifier: Apache-2.0
/*
 * State updates, event by event (the built-in parser of the syscall source).
 * Every event first resets the per-event context (thread, fd); then the
 * event's type decides what changes. Removals caused by an event (a closed
 * fd, an exited thread) are applied at the start of the next one, so the
 * event itself still sees them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flagtab.h"
#include "plugin.h"
#include "skr_driver.h"

#define ALL_CAPS ((1ull << 41) - 1)

static void set_blob(struct skr_blob **dst, const char *p, size_t n)
{
    struct skr_blob *b = skr_blob_new(p ? p : "", p ? n : 0);

    if (b) {
        skr_blob_unref(*dst);
        *dst = b;
    }
}

static void set_comm(struct skr_thread *t, const char *p, size_t n)
{
    if (n >= sizeof(t->comm)) {
        n = sizeof(t->comm) - 1;
    }
    memcpy(t->comm, p, n);
    t->comm[n] = '\0';
}

/* A bytebuf parameter as a blob (argv, env, cgroups). */
static void set_blob_param(struct skr_blob **dst, const struct skr_ev *ev, uint32_t i)
{
    if (i < ev->nparams) {
        size_t n = ev->plen[i];
        /* drop one trailing NUL: items stay NUL-separated */
        if (n > 0 && ev->p[i][n - 1] == '\0') {
            n--;
        }
        set_blob(dst, (const char *)ev->p[i], n);
    }
}

/* ---- Paths ---------------------------------------------------------------------- */

static const struct skr_blob *thread_cwd(struct skr_sys *s, struct skr_thread *t)
{
    struct skr_thread *m = skr_thread_main(s->st, t);
    return m && m->proc ? m->proc->cwd : NULL;
}

/* Resolves name against dirfd (SKR_AT_FDCWD: the cwd) into out; returns the length. */
static size_t resolve_at(struct skr_sys *s,
                         struct skr_thread *t,
                         int64_t dirfd,
                         const char *name,
                         size_t nlen,
                         char *out)
{
    const struct skr_blob *cwd;
    struct skr_fdinfo *f;

    if (nlen > 0 && name[0] == '/') {
        return skr_path_resolve(out, NULL, 0, name, nlen);
    }
    if (dirfd == SKR_AT_FDCWD) {
        cwd = thread_cwd(s, t);
        if (!cwd || cwd->len == 0) {
            size_t n = nlen > SKR_PATH_MAX ? SKR_PATH_MAX : nlen;
            memcpy(out, name, n);
            out[n] = '\0';
            return n;
        }
        return skr_path_resolve(out, cwd->data, cwd->len, name, nlen);
    }
    f = t ? skr_fd_find(t->proc, dirfd) : NULL;
    if (f && f->name_len > 0) {
        char base[SKR_PATH_MAX + 2];
        size_t bl = f->name_len > SKR_PATH_MAX ? SKR_PATH_MAX : f->name_len;
        memcpy(base, f->name, bl);
        if (base[bl - 1] != '/') {
            base[bl++] = '/';
        }
        return skr_path_resolve(out, base, bl, name, nlen);
    }
    {
        int n = snprintf(out, SKR_PATH_MAX + 1, "<UNKNOWN>/%.*s", (int)nlen, name);
        return n < 0 ? 0 : (size_t)n > SKR_PATH_MAX ? SKR_PATH_MAX : (size_t)n;
    }
}

/* ---- Sockets -------------------------------------------------------------------- */

static void addr_text(char *buf, size_t cap, int family, const void *addr)
{
    if (!inet_ntop(family, addr, buf, (socklen_t)cap)) {
        buf[0] = '\0';
    }
}

void skr_fd_set_tuple_name(struct skr_fdinfo *f)
{
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], name[2 * INET6_ADDRSTRLEN + 32];
    int n = 0;

    switch (f->type) {
    case SKR_FD_IPV4_SOCK:
        addr_text(a, sizeof(a), AF_INET, &f->addr.v4.sip);
        addr_text(b, sizeof(b), AF_INET, &f->addr.v4.dip);
        n = snprintf(name, sizeof(name), "%s:%u->%s:%u", a, f->sport, b, f->dport);
        break;
    case SKR_FD_IPV6_SOCK:
        addr_text(a, sizeof(a), AF_INET6, f->addr.v6.sip);
        addr_text(b, sizeof(b), AF_INET6, f->addr.v6.dip);
        n = snprintf(name, sizeof(name), "%s:%u->%s:%u", a, f->sport, b, f->dport);
        break;
    case SKR_FD_IPV4_SERVSOCK:
        addr_text(a, sizeof(a), AF_INET, &f->addr.v4.sip);
        n = snprintf(name, sizeof(name), "%s:%u", a, f->sport);
        break;
    case SKR_FD_IPV6_SERVSOCK:
        addr_text(a, sizeof(a), AF_INET6, f->addr.v6.sip);
        n = snprintf(name, sizeof(name), "%s:%u", a, f->sport);
        break;
    default:
        return;
    }
    if (n > 0 && (size_t)n < sizeof(name)) {
        skr_fd_set_name(f, name, (size_t)n);
    }
}

static bool v6_is_v4mapped(const uint8_t *a)
{
    static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(a, prefix, 12) == 0;
}

static uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/*
 * Stores a SOCKTUPLE parameter into f. swap: the tuple is server -> client
 * (e.g. local -> remote of a server socket) and is stored flipped. Returns
 * true when the tuple was understood. Unix tuples also name the fd.
 */
static bool store_tuple(struct skr_fdinfo *f, const uint8_t *p, uint32_t len, bool swap)
{
    if (len == 0) {
        return false;
    }
    if (p[0] == SKR_AF_INET && len >= 13) {
        uint32_t s = rd32(p + 1), d = rd32(p + 7);
        uint16_t sp = rd16(p + 5), dp = rd16(p + 11);
        f->type = f->type == SKR_FD_IPV4_SERVSOCK ? f->type : SKR_FD_IPV4_SOCK;
        f->addr.v4.sip = swap ? d : s;
        f->addr.v4.dip = swap ? s : d;
        f->sport = swap ? dp : sp;
        f->dport = swap ? sp : dp;
        return true;
    }
    if (p[0] == SKR_AF_INET6 && len >= 37) {
        const uint8_t *s = p + 1, *d = p + 19;
        uint16_t sp = rd16(p + 17), dp = rd16(p + 35);
        if (v6_is_v4mapped(s) && v6_is_v4mapped(d)) {
            f->type = SKR_FD_IPV4_SOCK;
            memcpy(&f->addr.v4.sip, (swap ? d : s) + 12, 4);
            memcpy(&f->addr.v4.dip, (swap ? s : d) + 12, 4);
        } else {
            f->type = SKR_FD_IPV6_SOCK;
            memcpy(f->addr.v6.sip, swap ? d : s, 16);
            memcpy(f->addr.v6.dip, swap ? s : d, 16);
        }
        f->sport = swap ? dp : sp;
        f->dport = swap ? sp : dp;
        return true;
    }
    if (p[0] == SKR_AF_UNIX && len >= 17) {
        char name[160];
        const char *path = (const char *)p + 17;
        size_t plen = len - 17;
        const void *nul = memchr(path, '\0', plen);
        int n;
        if (nul) {
            plen = (size_t)((const char *)nul - path);
        }
        f->type = SKR_FD_UNIX_SOCK;
        f->addr.un.src = rd64(p + 1);
        f->addr.un.dst = rd64(p + 9);
        n = snprintf(name, sizeof(name), "%" PRIx64 "->%" PRIx64 " %.*s", f->addr.un.src,
                     f->addr.un.dst, (int)(plen > 108 ? 108 : plen), path);
        if (n > 0 && (size_t)n < sizeof(name)) {
            skr_fd_set_name(f, name, (size_t)n);
        }
        return true;
    }
    return false;
}

static bool tuple_has_remote(const uint8_t *p, uint32_t len)
{
    static const uint8_t zero[16];
    if (len >= 13 && p[0] == SKR_AF_INET) {
        return rd32(p + 7) != 0 || rd16(p + 11) != 0;
    }
    if (len >= 37 && p[0] == SKR_AF_INET6) {
        return memcmp(p + 19, zero, 16) != 0 || rd16(p + 35) != 0;
    }
    return len >= 17 && p[0] == SKR_AF_UNIX;
}

/* ---- Thread lookup -------------------------------------------------------------- */

static void apply_thread_state(struct skr_sys *s, const struct skr_ev *ev);

static struct skr_thread *placeholder(struct skr_sys *s, int64_t tid, uint64_t ts)
{
    struct skr_thread *t = skr_thread_add(s->st, tid, ts);

    if (!t) {
        return NULL;
    }
    t->flags |= SKR_TF_PLACEHOLDER;
    memcpy(t->comm, "<NA>", 5);
    set_blob(&t->proc->exe, "<NA>", 4);
    return t;
}

struct skr_thread *skr_thread_lookup_or_create(struct skr_sys *s, int64_t tid, uint64_t ts)
{
    struct skr_thread *t;

    if (tid <= 0) {
        return NULL;
    }
    t = skr_thread_find(s->st, tid);
    if (t) {
        return t;
    }
    if (s->live && s->cfg.proc_lookup) {
        struct skr_sbuf *b = &s->sb2;
        struct skr_ev tev;
        skr_sbuf_reset(b);
        if (skr_scan_thread_event(s, -1, tid, b) == 0 && skr_ev_decode(&tev, b->p, b->len) == 0) {
            apply_thread_state(s, &tev);
            t = skr_thread_find(s->st, tid);
            if (t) {
                return t;
            }
        }
    }
    t = placeholder(s, tid, ts);
    if (t) {
        ((struct skr_state_stats *)skr_state_stats(s->st))->n_placeholders++;
    }
    return t;
}

/* ---- Starting state --------------------------------------------------------------- */

static void apply_thread_state(struct skr_sys *s, const struct skr_ev *ev)
{
    int64_t tid = skr_ev_s64(ev, 0, -1), pid = skr_ev_s64(ev, 1, -1);
    struct skr_thread *t;
    size_t n;
    const char *str;

    if (tid <= 0) {
        return;
    }
    t = skr_thread_add(s->st, tid, ev->ts);
    if (!t) {
        return;
    }
    t->pid = pid;
    t->ptid = skr_ev_s64(ev, 2, -1);
    t->sid = skr_ev_s64(ev, 3, -1);
    t->vpgid = skr_ev_s64(ev, 4, -1);
    t->pgid = skr_ev_s64(ev, 5, -1);
    t->vtid = skr_ev_s64(ev, 6, -1);
    t->vpid = skr_ev_s64(ev, 7, -1);
    str = skr_ev_str(ev, 8, &n);
    set_comm(t, str ? str : "", n);
    if (pid > 0 && pid != tid) {
        struct skr_thread *m = skr_thread_find(s->st, pid);
        if (m && m->proc) {
            skr_thread_set_proc(s->st, t, m->proc);
        }
    }
    if (t->proc->nthreads <= 1 || pid == tid) {
        struct skr_proc *p = t->proc;
        str = skr_ev_str(ev, 9, &n);
        set_blob(&p->exe, str, n);
        set_blob_param(&p->args, ev, 10);
        set_blob_param(&p->env, ev, 11);
        str = skr_ev_str(ev, 12, &n);
        set_blob(&p->cwd, str, n);
        str = skr_ev_str(ev, 13, &n);
        set_blob(&p->exepath, str, n);
        str = skr_ev_str(ev, 15, &n);
        set_blob(&p->root, str, n);
        p->fdlimit = skr_ev_s64(ev, 22, -1);
        p->exe_flags = (uint32_t)skr_ev_u64(ev, 25, 0);
        p->exe_ino = skr_ev_u64(ev, 26, 0);
        p->exe_ino_ctime = skr_ev_u64(ev, 27, 0);
        p->exe_ino_mtime = skr_ev_u64(ev, 28, 0);
    }
    set_blob_param(&t->cgroups, ev, 14);
    t->uid = (uint32_t)skr_ev_u64(ev, 16, UINT32_MAX);
    t->gid = (uint32_t)skr_ev_u64(ev, 17, UINT32_MAX);
    t->loginuid = (uint32_t)skr_ev_u64(ev, 18, UINT32_MAX);
    t->cap_inh = skr_ev_u64(ev, 19, 0);
    t->cap_prm = skr_ev_u64(ev, 20, 0);
    t->cap_eff = skr_ev_u64(ev, 21, 0);
    t->tty = (uint32_t)skr_ev_u64(ev, 23, 0);
    t->flags = (uint32_t)skr_ev_u64(ev, 24, 0) & ~SKR_TF_PLACEHOLDER;
    t->clone_ts = skr_ev_u64(ev, 29, 0);
    t->pidns_init_start_ts = skr_ev_u64(ev, 30, 0);
    if (t->clone_ts && t->proc->exe_ino_ctime && t->clone_ts > t->proc->exe_ino_ctime) {
        t->exe_ino_ctime_duration_clone_ts = t->clone_ts - t->proc->exe_ino_ctime;
    }
}

static void apply_fd_state(struct skr_sys *s, const struct skr_ev *ev)
{
    int64_t pid = skr_ev_s64(ev, 0, -1), fd = skr_ev_s64(ev, 1, -1);
    struct skr_thread *t = skr_thread_find(s->st, pid);
    struct skr_fdinfo *f;
    const char *str;
    size_t n;

    if (!t || fd < 0) {
        return;
    }
    f = skr_fd_add(s->st, t->proc, fd);
    if (!f) {
        return;
    }
    f->type = (uint8_t)skr_ev_u64(ev, 2, SKR_FD_UNKNOWN);
    f->flags = (uint32_t)skr_ev_u64(ev, 3, 0) | SKR_FDF_FROM_PROC;
    f->openflags = (uint32_t)skr_ev_u64(ev, 4, 0);
    str = skr_ev_str(ev, 5, &n);
    if (str) {
        skr_fd_set_name(f, str, n);
    }
    f->dev = (uint32_t)skr_ev_u64(ev, 6, 0);
    f->ino = skr_ev_u64(ev, 7, 0);
    if (skr_ev_has(ev, 8)) {
        uint8_t type = f->type;
        store_tuple(f, ev->p[8], ev->plen[8], false);
        if (type == SKR_FD_IPV4_SERVSOCK || type == SKR_FD_IPV6_SERVSOCK) {
            f->type = type;
        }
        skr_fd_set_tuple_name(f);
    }
    f->l4proto = (uint8_t)skr_ev_u64(ev, 9, 0);
    f->pid = skr_ev_s64(ev, 10, 0);
}

/* ---- Processes ---------------------------------------------------------------------- */

static void clone_fill(struct skr_sys *s,
                       struct skr_thread *child,
                       struct skr_thread *from,
                       const struct skr_ev *ev,
                       bool child_side)
{
    const char *str;
    size_t n;
    uint32_t flags = (uint32_t)skr_ev_u64(ev, 15, 0);
    bool is_thread = flags & SKR_CL_CLONE_THREAD;

    child->flags = flags | (child_side ? SKR_CL_CLONE_INVERTED : 0);
    if (from) {
        if (is_thread) {
            struct skr_thread *m = skr_thread_main(s->st, from);
            skr_thread_set_proc(s->st, child, m->proc);
        } else {
            struct skr_thread *m = skr_thread_main(s->st, from);
            struct skr_proc *p = skr_proc_fork(s->st, m->proc);
            if (p) {
                skr_thread_set_proc(s->st, child, p);
                p->refs--; /* skr_thread_set_proc took its own reference */
            }
        }
        child->sid = from->sid;
        child->vpgid = from->vpgid;
        child->pgid = from->pgid;
        child->tty = from->tty;
        child->loginuid = from->loginuid;
        child->cap_inh = from->cap_inh;
        child->cap_prm = from->cap_prm;
        child->cap_eff = from->cap_eff;
        child->exe_ino_ctime_duration_clone_ts = from->exe_ino_ctime_duration_clone_ts;
        if (is_thread) {
            child->lastexec_ts = from->lastexec_ts;
        }
    }
    str = skr_ev_str(ev, 1, &n);
    if (str && (!is_thread || child->proc->nthreads <= 1)) {
        set_blob(&child->proc->exe, str, n);
    }
    if (!is_thread || child->proc->nthreads <= 1) {
        if (skr_ev_has(ev, 2) || !from) {
            set_blob_param(&child->proc->args, ev, 2);
        }
        child->proc->fdlimit = skr_ev_s64(ev, 7, child->proc->fdlimit);
        child->proc->vmsize_kb = (uint32_t)skr_ev_u64(ev, 10, 0);
        child->proc->vmrss_kb = (uint32_t)skr_ev_u64(ev, 11, 0);
        child->proc->vmswap_kb = (uint32_t)skr_ev_u64(ev, 12, 0);
    }
    str = skr_ev_str(ev, 13, &n);
    if (str) {
        set_comm(child, str, n);
    } else if (child->proc->exe) {
        set_comm(child, child->proc->exe->data, child->proc->exe->len);
    }
    if (skr_ev_has(ev, 14)) {
        set_blob_param(&child->cgroups, ev, 14);
    } else if (from) {
        skr_blob_unref(child->cgroups);
        child->cgroups = skr_blob_ref(from->cgroups);
    }
    child->uid = (uint32_t)skr_ev_u64(ev, 16, UINT32_MAX);
    child->gid = (uint32_t)skr_ev_u64(ev, 17, UINT32_MAX);
    child->clone_ts = ev->ts;
    child->pidns_init_start_ts = s->boot_ns;
    if ((flags & SKR_CL_CHILD_IN_PIDNS) && skr_ev_has(ev, 20)) {
        child->pidns_init_start_ts = skr_ev_u64(ev, 20, 0) + s->boot_ns;
    }
}

static void parse_clone(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    int64_t res = skr_ev_s64(ev, 0, -1);
    uint32_t flags = (uint32_t)skr_ev_u64(ev, 15, 0);
    struct skr_thread *child, *from;
    int64_t ctid;

    if (res < 0) {
        return;
    }
    if (res > 0) {
        /* parent side: the child is res */
        if (!t || (flags & (SKR_CL_CLONE_VFORK | SKR_CL_CHILD_IN_PIDNS | SKR_CL_CLONE_NEWPID)) ||
            ev->type == SKR_PPME_SYSCALL_VFORK_20_X) {
            return; /* the child side describes it */
        }
        ctid = res;
        if (ctid == t->tid) {
            return; /* a thread cannot be its own child (a damaged event) */
        }
        child = skr_thread_find(s->st, ctid);
        if (child && (child->flags & SKR_CL_CLONE_INVERTED)) {
            return; /* already created by the child side */
        }
        child = skr_thread_add(s->st, ctid, ev->ts);
        if (!child) {
            return;
        }
        t->last_seen_ts = ev->ts;
        clone_fill(s, child, t, ev, false);
        if (flags & SKR_CL_CLONE_THREAD) {
            child->pid = t->pid;
            child->ptid = t->ptid;
        } else {
            child->pid = ctid;
            child->ptid = t->tid;
        }
        child->vtid = child->tid;
        child->vpid = child->pid;
        return;
    }
    /* child side: this thread is the child */
    ctid = ev->tid;
    child = skr_thread_find(s->st, ctid);
    if (child && !(child->flags & SKR_TF_PLACEHOLDER) && child->clone_ts &&
        ev->ts - child->clone_ts < 2000000000ull) {
        s->ctx.thread = child;
        return; /* created by the parent side a moment ago */
    }
    if (flags & SKR_CL_CLONE_THREAD) {
        from = skr_thread_find(s->st, skr_ev_s64(ev, 4, -1)); /* the thread group */
    } else {
        from = skr_thread_find(s->st, skr_ev_s64(ev, 5, -1)); /* the creating thread */
    }
    if (from == child) {
        from = NULL; /* a thread is not its own creator: the entry is replaced below */
    } else if (from) {
        from->last_seen_ts = ev->ts; /* seen now: not the one evicted to make room */
    }
    child = skr_thread_add(s->st, ctid, ev->ts);
    if (!child) {
        s->ctx.thread = NULL;
        return;
    }
    clone_fill(s, child, from, ev, true);
    child->pid = skr_ev_s64(ev, 4, ctid);
    child->ptid = skr_ev_s64(ev, 5, -1);
    child->vtid = skr_ev_s64(ev, 18, -1);
    child->vpid = skr_ev_s64(ev, 19, -1);
    s->ctx.thread = child;
}

/* Removes the other threads of t's group (execve leaves one). */
struct group_sweep {
    struct skr_sys *s;
    struct skr_thread *keep;
    int64_t victims[64];
    uint32_t n;
};

static bool collect_group(void *u, struct skr_thread *t)
{
    struct group_sweep *g = u;

    if (t != g->keep && t->proc == g->keep->proc && t->tid != g->keep->pid) {
        if (g->n < 64) {
            g->victims[g->n++] = t->tid;
        }
    }
    return g->n < 64;
}

static void parse_execve(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    struct skr_proc *p;
    const char *str;
    size_t n;

    if (!t || skr_ev_s64(ev, 0, -1) != 0) {
        return;
    }
    t->dead = false;
    while (t->proc->nthreads > 1) {
        /* in rounds of 64, so that a process of many threads is swept completely */
        struct group_sweep g = { .s = s, .keep = t };
        skr_state_foreach(s->st, collect_group, &g);
        for (uint32_t i = 0; i < g.n; i++) {
            skr_thread_remove(s->st, g.victims[i]);
        }
        if (g.n < 64) {
            break;
        }
    }
    p = t->proc;
    str = skr_ev_str(ev, 1, &n);
    set_blob(&p->exe, str, n);
    set_blob_param(&p->args, ev, 2);
    t->pid = skr_ev_s64(ev, 4, t->pid);
    if (t->flags & SKR_TF_PLACEHOLDER) {
        t->ptid = skr_ev_s64(ev, 5, t->ptid);
        t->vtid = t->tid;
        t->vpid = t->pid;
    }
    p->fdlimit = skr_ev_s64(ev, 7, p->fdlimit);
    p->vmsize_kb = (uint32_t)skr_ev_u64(ev, 10, 0);
    p->vmrss_kb = (uint32_t)skr_ev_u64(ev, 11, 0);
    p->vmswap_kb = (uint32_t)skr_ev_u64(ev, 12, 0);
    str = skr_ev_str(ev, 13, &n);
    if (str) {
        set_comm(t, str, n);
    } else {
        set_comm(t, skr_blob_str(p->exe), skr_blob_len(p->exe));
    }
    set_blob_param(&t->cgroups, ev, 14);
    if (skr_ev_has(ev, 15)) {
        set_blob_param(&p->env, ev, 15);
    }
    t->tty = (uint32_t)skr_ev_u64(ev, 16, 0);
    t->vpgid = skr_ev_s64(ev, 17, t->vpgid);
    t->loginuid = (uint32_t)skr_ev_u64(ev, 18, UINT32_MAX);
    p->exe_flags = (uint32_t)skr_ev_u64(ev, 19, 0);
    t->cap_inh = skr_ev_u64(ev, 20, 0);
    t->cap_prm = skr_ev_u64(ev, 21, 0);
    t->cap_eff = skr_ev_u64(ev, 22, 0);
    p->exe_ino = skr_ev_u64(ev, 23, 0);
    p->exe_ino_ctime = skr_ev_u64(ev, 24, 0);
    p->exe_ino_mtime = skr_ev_u64(ev, 25, 0);
    t->uid = (uint32_t)skr_ev_u64(ev, 26, UINT32_MAX);
    str = skr_ev_str(ev, 27, &n);
    if (str) {
        /* the kernel marks unlinked files; a memfd has no directory */
        static const char deleted[] = " (deleted)";
        size_t dl = sizeof(deleted) - 1;
        if (n > dl && memcmp(str + n - dl, deleted, dl) == 0) {
            n -= dl;
        }
        if ((p->exe_flags & SKR_EXE_FROM_MEMFD) && n > 7 && memcmp(str, "/memfd:", 7) == 0) {
            str++;
            n--;
        }
        set_blob(&p->exepath, str, n);
    }
    t->pgid = skr_ev_s64(ev, 28, -1);
    t->gid = (uint32_t)skr_ev_u64(ev, 29, UINT32_MAX);
    t->lastexec_ts = ev->ts;
    t->exe_ino_ctime_duration_clone_ts = 0;
    if (t->clone_ts && p->exe_ino_ctime && t->clone_ts > p->exe_ino_ctime) {
        t->exe_ino_ctime_duration_clone_ts = t->clone_ts - p->exe_ino_ctime;
    }
    t->exe_ino_ctime_duration_pidns_start = 0;
    if (t->pidns_init_start_ts && p->exe_ino_ctime > t->pidns_init_start_ts) {
        t->exe_ino_ctime_duration_pidns_start = p->exe_ino_ctime - t->pidns_init_start_ts;
    }
    t->flags = (t->flags & (SKR_CL_PIPE_SRC | SKR_CL_PIPE_DST | SKR_CL_IS_MAIN_THREAD |
                            SKR_CL_CLONE_INVERTED)) |
               SKR_CL_ACTIVE | SKR_CL_NAME_CHANGED;
    /* close-on-exec descriptors are gone */
    for (uint32_t i = 0; i < p->fds.cap; i++) {
        struct skr_fdinfo *f = p->fds.slots[i];
        if (f && ((f->openflags & SKR_O_CLOEXEC) || (f->flags & SKR_FDF_CLOEXEC))) {
            skr_fd_remove(s->st, p, i);
        }
    }
}

/* ---- File descriptors ------------------------------------------------------------ */

static struct skr_fdinfo *new_fd(struct skr_sys *s, struct skr_thread *t, int64_t fd, uint8_t type)
{
    struct skr_fdinfo *f;

    if (!t || fd < 0) {
        return NULL;
    }
    f = skr_fd_add(s->st, skr_thread_main(s->st, t)->proc, fd);
    if (f) {
        f->type = type;
    }
    return f;
}

static void parse_open(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    int64_t fd = skr_ev_s64(ev, 0, -1), dirfd = SKR_AT_FDCWD;
    uint32_t ni = 1, flags = 0, dev = 0;
    uint64_t ino = 0;
    const char *name;
    size_t nlen;
    struct skr_fdinfo *f;

    switch (ev->type) {
    case SKR_PPME_SYSCALL_OPEN_X:
        flags = (uint32_t)skr_ev_u64(ev, 2, 0);
        dev = (uint32_t)skr_ev_u64(ev, 4, 0);
        ino = skr_ev_u64(ev, 5, 0);
        break;
    case SKR_PPME_SYSCALL_CREAT_X: {
        uint32_t cf = (uint32_t)skr_ev_u64(ev, 5, 0);
        flags = SKR_O_CREAT | SKR_O_WRONLY | SKR_O_TRUNC;
        if (cf & SKR_FD_UPPER_LAYER_CREAT) {
            flags |= SKR_FD_UPPER_LAYER;
        } else if (cf & SKR_FD_LOWER_LAYER_CREAT) {
            flags |= SKR_FD_LOWER_LAYER;
        }
        dev = (uint32_t)skr_ev_u64(ev, 3, 0);
        ino = skr_ev_u64(ev, 4, 0);
        break;
    }
    case SKR_PPME_SYSCALL_OPENAT_2_X:
        ni = 2;
        dirfd = skr_ev_s64(ev, 1, SKR_AT_FDCWD);
        flags = (uint32_t)skr_ev_u64(ev, 3, 0);
        dev = (uint32_t)skr_ev_u64(ev, 5, 0);
        ino = skr_ev_u64(ev, 6, 0);
        break;
    case SKR_PPME_SYSCALL_OPENAT2_X:
        ni = 2;
        dirfd = skr_ev_s64(ev, 1, SKR_AT_FDCWD);
        flags = (uint32_t)skr_ev_u64(ev, 3, 0);
        dev = (uint32_t)skr_ev_u64(ev, 6, 0);
        ino = skr_ev_u64(ev, 7, 0);
        break;
    case SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X:
        ni = 3;
        flags = (uint32_t)skr_ev_u64(ev, 2, 0);
        dev = (uint32_t)skr_ev_u64(ev, 4, 0);
        ino = skr_ev_u64(ev, 5, 0);
        break;
    default:
        return;
    }
    name = skr_ev_str(ev, ni, &nlen);
    if (!name) {
        name = "";
        nlen = 0;
    }
    if (ev->type == SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X) {
        size_t n = nlen > SKR_PATH_MAX ? SKR_PATH_MAX : nlen;
        memcpy(s->ctx.evt_path, name, n);
        s->ctx.evt_path[n] = '\0';
        s->ctx.evt_path_len = n;
    } else {
        s->ctx.evt_path_len = resolve_at(s, t, dirfd, name, nlen, s->ctx.evt_path);
    }
    s->ctx.has_evt_path = true;
    s->ctx.fd_num = fd;
    if (fd < 0) {
        return;
    }
    f = new_fd(s, t, fd, (flags & SKR_O_DIRECTORY) ? SKR_FD_DIRECTORY : SKR_FD_FILE);
    if (!f) {
        return;
    }
    skr_fd_set_name(f, s->ctx.evt_path, s->ctx.evt_path_len);
    skr_fd_set_name_raw(f, name, nlen);
    f->openflags = flags;
    f->dev = dev;
    f->ino = ino;
    s->ctx.fd = f;
}

static uint8_t l4_from_socket(uint32_t domain, uint32_t type, uint32_t proto)
{
    type &= 0xf;
    (void)domain;
    switch (proto) {
    case 6:
        return SKR_L4_TCP;
    case 17:
        return SKR_L4_UDP;
    case 1:
    case 58:
        return SKR_L4_ICMP;
    default:
        break;
    }
    if (type == 3) { /* SOCK_RAW */
        return SKR_L4_RAW;
    }
    if (proto == 0) {
        if (type == 1) {
            return SKR_L4_TCP;
        }
        if (type == 2) {
            return SKR_L4_UDP;
        }
    }
    return SKR_L4_NA;
}

static void parse_socket(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    int64_t fd = skr_ev_s64(ev, 0, -1);
    uint32_t domain = (uint32_t)skr_ev_u64(ev, 1, 0), type = (uint32_t)skr_ev_u64(ev, 2, 0);
    uint32_t proto = (uint32_t)skr_ev_u64(ev, 3, 0);
    uint8_t ft;
    struct skr_fdinfo *f;

    s->ctx.fd_num = fd;
    switch (domain) {
    case 1:
        ft = SKR_FD_UNIX_SOCK;
        break;
    case 2:
        ft = SKR_FD_IPV4_SOCK;
        break;
    case 10:
        ft = SKR_FD_IPV6_SOCK;
        break;
    case 16:
        ft = SKR_FD_NETLINK;
        break;
    default:
        ft = SKR_FD_UNKNOWN;
        break;
    }
    f = new_fd(s, t, fd, ft);
    if (!f) {
        return;
    }
    f->openflags = (uint32_t)skr_ev_u64(ev, 4, 0);
    if (ft == SKR_FD_IPV4_SOCK || ft == SKR_FD_IPV6_SOCK) {
        f->l4proto = l4_from_socket(domain, type, proto);
    }
    s->ctx.fd = f;
}

/* True when f's name is not before[0..blen) (the name may be unset: NULL). */
static bool name_differs(const struct skr_fdinfo *f, const char *before, size_t blen)
{
    return f->name_len != blen || (blen > 0 && memcmp(f->name, before, blen) != 0);
}

static void parse_bind(struct skr_sys *s, const struct skr_ev *ev)
{
    struct skr_fdinfo *f = s->ctx.fd;
    const uint8_t *a;
    uint32_t len;

    if (skr_ev_s64(ev, 0, -1) < 0 || !f || !skr_ev_has(ev, 1)) {
        return;
    }
    a = ev->p[1];
    len = ev->plen[1];
    if (a[0] == SKR_AF_INET && len >= 7 && rd16(a + 5) > 0) {
        f->type = SKR_FD_IPV4_SERVSOCK;
        f->addr.v4.sip = rd32(a + 1);
        f->sport = rd16(a + 5);
        f->flags |= SKR_FDF_ROLE_SERVER;
        skr_fd_set_tuple_name(f);
    } else if (a[0] == SKR_AF_INET6 && len >= 19 && rd16(a + 17) > 0) {
        f->type = SKR_FD_IPV6_SERVSOCK;
        memcpy(f->addr.v6.sip, a + 1, 16);
        f->sport = rd16(a + 17);
        f->flags |= SKR_FDF_ROLE_SERVER;
        skr_fd_set_tuple_name(f);
    } else if ((a[0] == SKR_AF_INET && len >= 7) || (a[0] == SKR_AF_INET6 && len >= 19)) {
        /* port 0 (the kernel picks one): not a server yet, named after the address given */
        char ip[INET6_ADDRSTRLEN], name[INET6_ADDRSTRLEN + 8];
        int n;
        addr_text(ip, sizeof(ip), a[0] == SKR_AF_INET ? AF_INET : AF_INET6, a + 1);
        n = snprintf(name, sizeof(name), "%s:0", ip);
        if (n > 0 && (size_t)n < sizeof(name)) {
            skr_fd_set_name(f, name, (size_t)n);
        }
    } else if (a[0] == SKR_AF_UNIX && len > 1) {
        size_t n = strnlen((const char *)a + 1, len - 1);
        skr_fd_set_name(f, (const char *)a + 1, n);
    }
}

static void parse_connect(struct skr_sys *s, const struct skr_ev *ev)
{
    struct skr_fdinfo *f = s->ctx.fd;
    int64_t res = skr_ev_s64(ev, 0, -1);
    char before[256];
    size_t blen = 0;

    if (!f || (res < 0 && res != -115)) {
        return;
    }
    if (f->name_len) {
        blen = f->name_len < sizeof(before) ? f->name_len : sizeof(before) - 1;
        memcpy(before, f->name, blen);
    }
    if (skr_ev_has(ev, 1) && tuple_has_remote(ev->p[1], ev->plen[1])) {
        store_tuple(f, ev->p[1], ev->plen[1], false);
    } else if (skr_ev_has(ev, 3)) {
        /* no tuple from the kernel: the destination the caller gave */
        const uint8_t *a = ev->p[3];
        uint32_t len = ev->plen[3];
        if (a[0] == SKR_AF_INET && len >= 7) {
            f->type = SKR_FD_IPV4_SOCK;
            f->addr.v4.dip = rd32(a + 1);
            f->dport = rd16(a + 5);
        } else if (a[0] == SKR_AF_INET6 && len >= 19) {
            f->type = SKR_FD_IPV6_SOCK;
            memcpy(f->addr.v6.dip, a + 1, 16);
            f->dport = rd16(a + 17);
        }
    }
    f->flags = (f->flags & ~SKR_FDF_ROLE_SERVER) | SKR_FDF_ROLE_CLIENT | SKR_FDF_CONNECTED;
    if (f->type != SKR_FD_UNIX_SOCK) {
        skr_fd_set_tuple_name(f);
    }
    s->ctx.name_changed = name_differs(f, before, blen);
}

static void parse_accept(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    int64_t fd = skr_ev_s64(ev, 0, -1);
    struct skr_fdinfo *f;

    s->ctx.fd_num = fd;
    if (fd < 0) {
        return;
    }
    f = new_fd(s, t, fd, SKR_FD_UNKNOWN);
    if (!f) {
        return;
    }
    if (skr_ev_has(ev, 1)) {
        store_tuple(f, ev->p[1], ev->plen[1], false);
    }
    f->flags |= SKR_FDF_ROLE_SERVER | SKR_FDF_CONNECTED;
    f->l4proto = SKR_L4_TCP;
    if (ev->type == SKR_PPME_SOCKET_ACCEPT4_6_X && (skr_ev_u64(ev, 5, 0) & SKR_O_CLOEXEC)) {
        f->openflags |= SKR_O_CLOEXEC;
    }
    if (f->type != SKR_FD_UNIX_SOCK) {
        skr_fd_set_tuple_name(f);
    }
    s->ctx.fd = f;
}

/* send*, recv*: fill the tuple of sockets that have none yet (§ socket roles). */
static void parse_io(struct skr_sys *s, const struct skr_ev *ev, bool is_recv, uint32_t ti)
{
    struct skr_fdinfo *f = s->ctx.fd;
    int64_t res = skr_ev_s64(ev, 0, -1);
    char before[256];
    size_t blen = 0;
    bool swap;

    if (!f || res < 0) {
        return;
    }
    if (f->type == SKR_FD_IPV4_SOCK || f->type == SKR_FD_IPV6_SOCK) {
        if ((f->name_len == 0 || f->l4proto != SKR_L4_TCP) && skr_ev_has(ev, ti) &&
            tuple_has_remote(ev->p[ti], ev->plen[ti])) {
            if (f->name_len) {
                blen = f->name_len < sizeof(before) ? f->name_len : sizeof(before) - 1;
                memcpy(before, f->name, blen);
            }
            if (!(f->flags & (SKR_FDF_ROLE_CLIENT | SKR_FDF_ROLE_SERVER))) {
                f->flags |= is_recv ? SKR_FDF_ROLE_SERVER : SKR_FDF_ROLE_CLIENT;
            }
            /* send tuples are local -> remote, recv tuples remote -> local; store client first */
            swap = (f->flags & SKR_FDF_ROLE_SERVER) ? !is_recv : is_recv;
            store_tuple(f, ev->p[ti], ev->plen[ti], swap);
            if (f->l4proto == SKR_L4_NA) {
                f->l4proto = SKR_L4_UDP;
            }
            skr_fd_set_tuple_name(f);
            s->ctx.name_changed = name_differs(f, before, blen);
        }
        f->flags |= SKR_FDF_CONNECTED;
    }
}

static void parse_dup(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    int64_t res = skr_ev_s64(ev, 0, -1);
    struct skr_fdinfo *old = s->ctx.fd, *f;
    struct skr_proc *p;

    if (res < 0 || !t) {
        return;
    }
    p = skr_thread_main(s->st, t)->proc;
    if (!old) {
        skr_fd_remove(s->st, p, res);
        s->ctx.fd_num = res;
        s->ctx.fd = NULL;
        return;
    }
    if (old->fd == res) {
        return;
    }
    f = skr_fd_copy(s->st, p, res, old);
    if (!f) {
        return;
    }
    f->openflags &= ~SKR_O_CLOEXEC;
    f->flags &= ~SKR_FDF_CLOEXEC;
    if (ev->type == SKR_PPME_SYSCALL_DUP3_X && (skr_ev_u64(ev, 3, 0) & SKR_O_CLOEXEC)) {
        f->openflags |= SKR_O_CLOEXEC;
    }
    if (ev->type == SKR_PPME_SYSCALL_FCNTL_X && skr_ev_u64(ev, 2, 0) == 26) {
        f->openflags |= SKR_O_CLOEXEC; /* F_DUPFD_CLOEXEC */
    }
    if (res == 0) {
        t->flags |= SKR_CL_PIPE_DST;
    } else if (res == 1) {
        t->flags |= SKR_CL_PIPE_SRC;
    }
    s->ctx.fd = f;
    s->ctx.fd_num = res;
}

static void parse_fcntl(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    uint64_t cmd = skr_ev_u64(ev, 2, 0);

    if (cmd == 1 || cmd == 26) { /* F_DUPFD, F_DUPFD_CLOEXEC */
        parse_dup(s, t, ev);
    } else if (cmd == 3 && s->ctx.fd && skr_ev_s64(ev, 0, -1) >= 0) { /* F_SETFD */
        if (skr_ev_u64(ev, 3, 0) & 1) {
            s->ctx.fd->openflags |= SKR_O_CLOEXEC;
        } else {
            s->ctx.fd->openflags &= ~SKR_O_CLOEXEC;
            s->ctx.fd->flags &= ~SKR_FDF_CLOEXEC;
        }
    }
}

static void parse_pipe(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    uint32_t flags = ev->type == SKR_PPME_SYSCALL_PIPE2_X ? (uint32_t)skr_ev_u64(ev, 4, 0) : 0;
    uint64_t ino = skr_ev_u64(ev, 3, 0);

    if (skr_ev_s64(ev, 0, -1) < 0) {
        return;
    }
    for (uint32_t i = 1; i <= 2; i++) {
        struct skr_fdinfo *f = new_fd(s, t, skr_ev_s64(ev, i, -1), SKR_FD_FIFO);
        if (f) {
            f->ino = ino;
            f->openflags = flags;
        }
    }
}

static void parse_socketpair(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    int64_t fd1 = skr_ev_s64(ev, 1, -1), fd2 = skr_ev_s64(ev, 2, -1);
    uint64_t src = skr_ev_u64(ev, 3, 0), peer = skr_ev_u64(ev, 4, 0);
    struct skr_fdinfo *f;

    if (skr_ev_s64(ev, 0, -1) < 0 || fd1 == fd2) {
        return;
    }
    f = new_fd(s, t, fd1, SKR_FD_UNIX_SOCK);
    if (f) {
        f->addr.un.src = src;
        f->addr.un.dst = peer;
    }
    f = new_fd(s, t, fd2, SKR_FD_UNIX_SOCK);
    if (f) {
        f->addr.un.src = peer;
        f->addr.un.dst = src;
    }
}

/* One fd of a fixed type created by the event (eventfd, timerfd, ...). */
static void parse_typed_fd(struct skr_sys *s,
                           struct skr_thread *t,
                           const struct skr_ev *ev,
                           uint8_t type)
{
    int64_t fd = skr_ev_s64(ev, 0, -1);
    struct skr_fdinfo *f;

    s->ctx.fd_num = fd;
    f = new_fd(s, t, fd, type);
    if (f) {
        s->ctx.fd = f;
    }
}

static void parse_close(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    if (skr_ev_s64(ev, 0, -1) >= 0 && s->ctx.fd && t) {
        s->pending_close_tid = t->tid;
        s->pending_close_fd = s->ctx.fd_num;
    }
}

static void parse_close_range(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    uint64_t first = skr_ev_u64(ev, 1, 0), last = skr_ev_u64(ev, 2, 0);
    uint32_t flags = (uint32_t)skr_ev_u64(ev, 3, 0);
    struct skr_proc *p;

    if (!t || skr_ev_s64(ev, 0, -1) < 0) {
        return;
    }
    p = skr_thread_main(s->st, t)->proc;
    if (last >= p->fds.cap) {
        last = p->fds.cap ? p->fds.cap - 1 : 0;
    }
    for (uint64_t fd = first; fd <= last && fd < p->fds.cap; fd++) {
        if (!p->fds.slots[fd]) {
            continue;
        }
        if (flags & 0x4) { /* CLOSE_RANGE_CLOEXEC */
            p->fds.slots[fd]->openflags |= SKR_O_CLOEXEC;
        } else {
            skr_fd_remove(s->st, p, (int64_t)fd);
        }
    }
}

/* ---- Other state ------------------------------------------------------------------ */

static void parse_chdir(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    struct skr_thread *m;
    size_t n = 0;

    if (!t || skr_ev_s64(ev, 0, -1) < 0) {
        return;
    }
    m = skr_thread_main(s->st, t);
    if (ev->type == SKR_PPME_SYSCALL_CHDIR_X) {
        const char *path = skr_ev_str(ev, 1, &n);
        if (!path) {
            return;
        }
        n = resolve_at(s, t, SKR_AT_FDCWD, path, n, s->pathbuf);
    } else {
        struct skr_fdinfo *f = s->ctx.fd;
        if (!f || f->name_len == 0) {
            return;
        }
        n = f->name_len > SKR_PATH_MAX - 1 ? SKR_PATH_MAX - 1 : f->name_len;
        memcpy(s->pathbuf, f->name, n);
    }
    if (n == 0 || s->pathbuf[n - 1] != '/') {
        s->pathbuf[n++] = '/';
    }
    set_blob(&m->proc->cwd, s->pathbuf, n);
}

static void parse_setid(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    if (!t || skr_ev_s64(ev, 0, -1) != 0) {
        return;
    }
    switch (ev->type) {
    case SKR_PPME_SYSCALL_SETUID_X:
        t->uid = (uint32_t)skr_ev_u64(ev, 1, t->uid);
        break;
    case SKR_PPME_SYSCALL_SETREUID_X:
    case SKR_PPME_SYSCALL_SETRESUID_X:
        t->uid = (uint32_t)skr_ev_u64(ev, 2, t->uid);
        break;
    case SKR_PPME_SYSCALL_SETGID_X:
        t->gid = (uint32_t)skr_ev_u64(ev, 1, t->gid);
        break;
    case SKR_PPME_SYSCALL_SETREGID_X:
    case SKR_PPME_SYSCALL_SETRESGID_X:
        t->gid = (uint32_t)skr_ev_u64(ev, 2, t->gid);
        break;
    default:
        break;
    }
}

static void parse_rlimit(struct skr_sys *s, struct skr_thread *t, const struct skr_ev *ev)
{
    struct skr_thread *target = t;
    int64_t cur;
    uint64_t res;

    if (!t || skr_ev_s64(ev, 0, -1) < 0) {
        return;
    }
    if (ev->type == SKR_PPME_SYSCALL_PRLIMIT_X) {
        int64_t pid = skr_ev_s64(ev, 5, 0);
        res = skr_ev_u64(ev, 6, 0);
        cur = skr_ev_s64(ev, 1, -1);
        if (cur == -1) {
            cur = skr_ev_s64(ev, 3, -1);
        }
        if (pid != 0) {
            target = skr_thread_find(s->st, pid);
        }
    } else {
        res = skr_ev_u64(ev, 3, 0);
        cur = skr_ev_s64(ev, 1, -1);
    }
    if (res == 7 && cur != -1 && target) { /* RLIMIT_NOFILE */
        skr_thread_main(s->st, target)->proc->fdlimit = cur;
    }
}

/* ---- Re-parenting ------------------------------------------------------------------- */

struct adopt {
    struct skr_thread *dead;
    int64_t sibling;  /* another live thread of the dead thread's group, or -1 */
    int64_t new_ptid; /* the adopter */
    uint32_t moved;
};

static bool find_sibling(void *u, struct skr_thread *t)
{
    struct adopt *a = u;

    if (t != a->dead && t->proc == a->dead->proc && !t->dead) {
        a->sibling = t->tid;
        return false;
    }
    return true;
}

static bool move_children(void *u, struct skr_thread *t)
{
    struct adopt *a = u;

    if (t->ptid == a->dead->tid && t->proc != a->dead->proc) {
        t->ptid = a->new_ptid;
        a->moved++;
    }
    return true;
}

/*
 * A thread that had children is going (procexit said so): its children's
 * parent becomes another live thread of its group, else the nearest
 * ancestor that reaps orphans (child subreaper or namespace init), else
 * none, as the kernel re-parents them. Only for threads that had children,
 * so the walk over the table is rare.
 */
static void reparent_children(struct skr_sys *s, struct skr_thread *dead)
{
    struct adopt a = { .dead = dead, .sibling = -1, .new_ptid = 0 };

    skr_state_foreach(s->st, find_sibling, &a);
    if (dead->reaper_tid > 0 && skr_thread_find(s->st, dead->reaper_tid)) {
        a.new_ptid = dead->reaper_tid; /* the event named it */
    } else if (a.sibling > 0) {
        a.new_ptid = a.sibling;
    } else {
        struct skr_thread *p = skr_thread_parent(s->st, dead);
        for (int depth = 0; p && depth < 64; depth++) {
            if (p->proc && (p->proc->reaper || p->tid == 1 || p->vpid == 1)) {
                a.new_ptid = p->tid;
                break;
            }
            p = skr_thread_parent(s->st, p);
        }
    }
    skr_state_foreach(s->st, move_children, &a);
}

/* ---- Per event ---------------------------------------------------------------------- */

static void apply_pending(struct skr_sys *s)
{
    if (s->pending_close_tid > 0) {
        struct skr_thread *t = skr_thread_find(s->st, s->pending_close_tid);
        if (t) {
            skr_fd_remove(s->st, skr_thread_main(s->st, t)->proc, s->pending_close_fd);
        }
        s->pending_close_tid = 0;
    }
    if (s->pending_exit_tid > 0) {
        struct skr_thread *t = skr_thread_find(s->st, s->pending_exit_tid);
        if (t && t->reaper_tid != 0) {
            reparent_children(s, t);
        }
        skr_thread_remove(s->st, s->pending_exit_tid);
        s->pending_exit_tid = 0;
    }
}

/* Thread and fd of the event, without changing state. */
static int prepare(struct skr_sys *s, uint64_t evtnum, const ss_plugin_event *evt, bool create)
{
    struct skr_ctx *c = &s->ctx;
    const struct skr_event_info *info;

    c->valid = false;
    c->evtnum = evtnum;
    c->thread = NULL;
    c->fd = NULL;
    c->fd_num = -1;
    c->has_fd = false;
    c->name_changed = false;
    c->has_evt_path = false;
    c->evt_path_len = 0;
    if (!evt || skr_ev_decode(&c->ev, evt, evt->len) != 0) {
        s->n_bad_events++;
        return -EINVAL;
    }
    c->valid = true;
    info = c->ev.info;
    if (c->ev.type == SKR_EVT_INIT || c->ev.type == SKR_EVT_THREAD || c->ev.type == SKR_EVT_FD) {
        return 0;
    }
    if (c->ev.tid > 0 && c->ev.tid != (int64_t)UINT64_MAX) {
        bool clone_child = info &&
                           (info->code == SKR_PPME_SYSCALL_CLONE_20_X ||
                            info->code == SKR_PPME_SYSCALL_CLONE3_X ||
                            info->code == SKR_PPME_SYSCALL_FORK_20_X ||
                            info->code == SKR_PPME_SYSCALL_VFORK_20_X) &&
                           skr_ev_s64(&c->ev, 0, -1) == 0;
        if (create && info && !clone_child && c->ev.type != SKR_PPME_PROCEXIT_1_E) {
            c->thread = skr_thread_lookup_or_create(s, c->ev.tid, c->ev.ts);
        } else {
            c->thread = skr_thread_find(s->st, c->ev.tid);
        }
        if (c->thread) {
            c->thread->last_seen_ts = c->ev.ts;
        }
    }
    if (info && (info->flags & (SKR_EF_CREATES_FD | SKR_EF_USES_FD | SKR_EF_DESTROYS_FD))) {
        c->has_fd = true;
        if (info->fd_param >= 0) {
            c->fd_num = skr_ev_s64(&c->ev, (uint32_t)info->fd_param, -1);
            if (c->thread) {
                c->fd = skr_fd_find(skr_thread_main(s->st, c->thread)->proc, c->fd_num);
            }
        }
    }
    return 0;
}

int skr_ctx_prepare(struct skr_sys *s, uint64_t evtnum, const ss_plugin_event *evt)
{
    /* events that change nothing are not parsed: they still find (or make) their thread */
    return prepare(s, evtnum, evt, true);
}

int skr_parse(struct skr_sys *s, uint64_t evtnum, const ss_plugin_event *evt)
{
    struct skr_ctx *c = &s->ctx;
    struct skr_thread *t;
    const struct skr_ev *ev;
    int rc;

    apply_pending(s);
    rc = prepare(s, evtnum, evt, true);
    if (rc < 0) {
        return rc;
    }
    s->n_parsed++;
    t = c->thread;
    ev = &c->ev;
    switch (ev->type) {
    case SKR_EVT_INIT:
        s->boot_ns = skr_ev_u64(ev, 0, s->boot_ns);
        break;
    case SKR_EVT_THREAD:
        apply_thread_state(s, ev);
        break;
    case SKR_EVT_FD:
        apply_fd_state(s, ev);
        break;
    case SKR_PPME_SYSCALL_CLONE_20_X:
    case SKR_PPME_SYSCALL_CLONE3_X:
    case SKR_PPME_SYSCALL_FORK_20_X:
    case SKR_PPME_SYSCALL_VFORK_20_X:
        parse_clone(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_EXECVE_19_X:
    case SKR_PPME_SYSCALL_EXECVEAT_X:
        parse_execve(s, t, ev);
        break;
    case SKR_PPME_PROCEXIT_1_E:
        if (t) {
            t->dead = true;
            t->reaper_tid = skr_ev_s64(ev, 4, -1);
            s->pending_exit_tid = t->tid;
        }
        break;
    case SKR_PPME_SYSCALL_OPEN_X:
    case SKR_PPME_SYSCALL_OPENAT_2_X:
    case SKR_PPME_SYSCALL_OPENAT2_X:
    case SKR_PPME_SYSCALL_CREAT_X:
    case SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X:
        parse_open(s, t, ev);
        break;
    case SKR_PPME_SOCKET_SOCKET_X:
        parse_socket(s, t, ev);
        break;
    case SKR_PPME_SOCKET_BIND_X:
        parse_bind(s, ev);
        break;
    case SKR_PPME_SOCKET_CONNECT_X:
        parse_connect(s, ev);
        break;
    case SKR_PPME_SOCKET_ACCEPT_5_X:
    case SKR_PPME_SOCKET_ACCEPT4_6_X:
        parse_accept(s, t, ev);
        break;
    case SKR_PPME_SOCKET_SENDTO_X:
    case SKR_PPME_SOCKET_SENDMSG_X:
        parse_io(s, ev, false, 4);
        break;
    case SKR_PPME_SOCKET_RECVFROM_X:
        parse_io(s, ev, true, 2);
        break;
    case SKR_PPME_SOCKET_RECVMSG_X:
        parse_io(s, ev, true, 3);
        break;
    case SKR_PPME_SYSCALL_DUP_1_X:
    case SKR_PPME_SYSCALL_DUP2_X:
    case SKR_PPME_SYSCALL_DUP3_X:
        parse_dup(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_FCNTL_X:
        parse_fcntl(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_PIPE_X:
    case SKR_PPME_SYSCALL_PIPE2_X:
        parse_pipe(s, t, ev);
        break;
    case SKR_PPME_SOCKET_SOCKETPAIR_X:
        parse_socketpair(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_EVENTFD_X:
    case SKR_PPME_SYSCALL_EVENTFD2_X:
        parse_typed_fd(s, t, ev, SKR_FD_EVENT);
        break;
    case SKR_PPME_SYSCALL_SIGNALFD_X:
    case SKR_PPME_SYSCALL_SIGNALFD4_X:
        parse_typed_fd(s, t, ev, SKR_FD_SIGNALFD);
        break;
    case SKR_PPME_SYSCALL_TIMERFD_CREATE_X:
        parse_typed_fd(s, t, ev, SKR_FD_TIMERFD);
        break;
    case SKR_PPME_SYSCALL_INOTIFY_INIT_X:
    case SKR_PPME_SYSCALL_INOTIFY_INIT1_X:
        parse_typed_fd(s, t, ev, SKR_FD_INOTIFY);
        break;
    case SKR_PPME_SYSCALL_EPOLL_CREATE_X:
    case SKR_PPME_SYSCALL_EPOLL_CREATE1_X:
        parse_typed_fd(s, t, ev, SKR_FD_EVENTPOLL);
        break;
    case SKR_PPME_SYSCALL_BPF_2_X:
        parse_typed_fd(s, t, ev, SKR_FD_BPF);
        break;
    case SKR_PPME_SYSCALL_USERFAULTFD_X:
        parse_typed_fd(s, t, ev, SKR_FD_USERFAULTFD);
        break;
    case SKR_PPME_SYSCALL_IO_URING_SETUP_X:
        parse_typed_fd(s, t, ev, SKR_FD_IOURING);
        break;
    case SKR_PPME_SYSCALL_MEMFD_CREATE_X: {
        int64_t fd = skr_ev_s64(ev, 0, -1);
        struct skr_fdinfo *f = new_fd(s, t, fd, SKR_FD_MEMFD);
        size_t n;
        const char *name = skr_ev_str(ev, 1, &n);
        c->fd_num = fd;
        if (f) {
            if (name) {
                skr_fd_set_name(f, name, n);
            }
            if (skr_ev_u64(ev, 2, 0) & 1) {
                f->openflags |= SKR_O_CLOEXEC;
            }
            c->fd = f;
        }
        break;
    }
    case SKR_PPME_SYSCALL_PIDFD_OPEN_X: {
        int64_t fd = skr_ev_s64(ev, 0, -1), pid = skr_ev_s64(ev, 1, 0);
        struct skr_fdinfo *f = new_fd(s, t, fd, SKR_FD_PIDFD);
        c->fd_num = fd;
        if (f) {
            char name[64];
            int n = snprintf(name, sizeof(name), "/proc/%" PRId64, pid);
            f->pid = pid;
            if (n > 0) {
                skr_fd_set_name(f, name, (size_t)n);
            }
            c->fd = f;
        }
        break;
    }
    case SKR_PPME_SYSCALL_PIDFD_GETFD_X:
        parse_typed_fd(s, t, ev, SKR_FD_UNKNOWN);
        break;
    case SKR_PPME_SYSCALL_CLOSE_X:
        parse_close(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_CLOSE_RANGE_X:
        parse_close_range(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_CHDIR_X:
    case SKR_PPME_SYSCALL_FCHDIR_X:
        parse_chdir(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_CHROOT_X:
        if (t && skr_ev_s64(ev, 0, -1) == 0) {
            size_t n;
            const char *path = skr_ev_str(ev, 1, &n);
            if (path) {
                n = resolve_at(s, t, SKR_AT_FDCWD, path, n, s->pathbuf);
                set_blob(&skr_thread_main(s->st, t)->proc->root, s->pathbuf, n);
            }
        }
        break;
    case SKR_PPME_SYSCALL_SETUID_X:
    case SKR_PPME_SYSCALL_SETGID_X:
    case SKR_PPME_SYSCALL_SETREUID_X:
    case SKR_PPME_SYSCALL_SETREGID_X:
    case SKR_PPME_SYSCALL_SETRESUID_X:
    case SKR_PPME_SYSCALL_SETRESGID_X:
        parse_setid(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_CAPSET_X:
        if (t && skr_ev_s64(ev, 0, -1) == 0) {
            t->cap_inh = skr_ev_u64(ev, 1, 0);
            t->cap_prm = skr_ev_u64(ev, 2, 0);
            t->cap_eff = skr_ev_u64(ev, 3, 0);
        }
        break;
    case SKR_PPME_SYSCALL_UNSHARE_X:
    case SKR_PPME_SYSCALL_SETNS_X: {
        uint32_t fl = (uint32_t)skr_ev_u64(ev, ev->type == SKR_PPME_SYSCALL_UNSHARE_X ? 1 : 2, 0);
        if (t && skr_ev_s64(ev, 0, -1) == 0 && (fl & SKR_CL_CLONE_NEWUSER)) {
            t->cap_inh = t->cap_prm = t->cap_eff = ALL_CAPS;
        }
        break;
    }
    case SKR_PPME_SYSCALL_PRCTL_X:
        if (t && skr_ev_s64(ev, 0, -1) >= 0 && skr_ev_u64(ev, 1, 0) == 36) {
            skr_thread_main(s->st, t)->proc->reaper = skr_ev_s64(ev, 3, 0) != 0;
        }
        break;
    case SKR_PPME_SYSCALL_SETSID_X:
        if (t && skr_ev_s64(ev, 0, -1) >= 0) {
            t->sid = skr_ev_s64(ev, 0, -1);
        }
        break;
    case SKR_PPME_SYSCALL_PRLIMIT_X:
    case SKR_PPME_SYSCALL_SETRLIMIT_X:
    case SKR_PPME_SYSCALL_GETRLIMIT_X:
        parse_rlimit(s, t, ev);
        break;
    case SKR_PPME_SYSCALL_MMAP_X:
    case SKR_PPME_SYSCALL_MUNMAP_X:
        if (t) {
            struct skr_proc *p = skr_thread_main(s->st, t)->proc;
            p->vmsize_kb = (uint32_t)skr_ev_u64(ev, 1, p->vmsize_kb);
            p->vmrss_kb = (uint32_t)skr_ev_u64(ev, 2, p->vmrss_kb);
            p->vmswap_kb = (uint32_t)skr_ev_u64(ev, 3, p->vmswap_kb);
        }
        break;
    default:
        break;
    }
    return 0;
}
