// SPDX-License-Identifier: Apache-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flagtab.h"
#include "render.h"
#include "skr_driver.h"

static const char *const g_fdtype_names[] = {
    [SKR_FD_UNINIT] = "<NA>",
    [SKR_FD_FILE] = "file",
    [SKR_FD_DIRECTORY] = "directory",
    [SKR_FD_IPV4_SOCK] = "ipv4",
    [SKR_FD_IPV6_SOCK] = "ipv6",
    [SKR_FD_IPV4_SERVSOCK] = "ipv4",
    [SKR_FD_IPV6_SERVSOCK] = "ipv6",
    [SKR_FD_FIFO] = "pipe",
    [SKR_FD_UNIX_SOCK] = "unix",
    [SKR_FD_EVENT] = "event",
    [SKR_FD_UNKNOWN] = "<NA>",
    [SKR_FD_UNSUPPORTED] = "<NA>",
    [SKR_FD_SIGNALFD] = "signalfd",
    [SKR_FD_EVENTPOLL] = "eventpoll",
    [SKR_FD_INOTIFY] = "inotify",
    [SKR_FD_TIMERFD] = "timerfd",
    [SKR_FD_NETLINK] = "netlink",
    [SKR_FD_FILE_V2] = "file",
    [SKR_FD_BPF] = "bpf",
    [SKR_FD_USERFAULTFD] = "userfaultfd",
    [SKR_FD_IOURING] = "io_uring",
    [SKR_FD_MEMFD] = "memfd",
    [SKR_FD_PIDFD] = "pidfd",
};

static const char g_fdtype_chars[] = {
    [SKR_FD_UNINIT] = 'o',        [SKR_FD_FILE] = 'f',        [SKR_FD_DIRECTORY] = 'd',
    [SKR_FD_IPV4_SOCK] = '4',     [SKR_FD_IPV6_SOCK] = '6',   [SKR_FD_IPV4_SERVSOCK] = '4',
    [SKR_FD_IPV6_SERVSOCK] = '6', [SKR_FD_FIFO] = 'p',        [SKR_FD_UNIX_SOCK] = 'u',
    [SKR_FD_EVENT] = 'e',         [SKR_FD_UNKNOWN] = 'o',     [SKR_FD_UNSUPPORTED] = 'X',
    [SKR_FD_SIGNALFD] = 's',      [SKR_FD_EVENTPOLL] = 'l',   [SKR_FD_INOTIFY] = 'i',
    [SKR_FD_TIMERFD] = 't',       [SKR_FD_NETLINK] = 'n',     [SKR_FD_FILE_V2] = 'f',
    [SKR_FD_BPF] = 'b',           [SKR_FD_USERFAULTFD] = 'u', [SKR_FD_IOURING] = 'r',
    [SKR_FD_MEMFD] = 'm',         [SKR_FD_PIDFD] = 'P',
};

const char *skr_fdtype_name(uint8_t type)
{
    if (type < sizeof(g_fdtype_names) / sizeof(g_fdtype_names[0]) && g_fdtype_names[type]) {
        return g_fdtype_names[type];
    }
    return "<NA>";
}

char skr_fdtype_char(uint8_t type)
{
    if (type < sizeof(g_fdtype_chars) && g_fdtype_chars[type]) {
        return g_fdtype_chars[type];
    }
    return '?';
}

const char *skr_errno_name(int64_t e)
{
    if (e > 0 && e < SKR_ERRNO_MAX) {
        return skr_errno_names[e];
    }
    return NULL;
}

const char *skr_errno_name_ret(int64_t ret)
{
    /* compared before negating: -INT64_MIN does not exist */
    return ret < 0 && ret > -SKR_ERRNO_MAX ? skr_errno_names[-ret] : NULL;
}

void skr_render_bytes(struct skr_sbuf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        skr_sbuf_addc(b, (c >= 0x20 && c < 0x7f) ? (char)c : '.');
    }
}

void skr_render_flags(struct skr_sbuf *b, uint8_t pt, uint8_t tab, uint64_t value)
{
    const struct skr_flag *f;
    uint64_t rem = value;
    bool first = true;

    if (tab == SKR_FT_NONE || tab >= SKR_FT_COUNT || !skr_flag_tables[tab]) {
        return;
    }
    f = skr_flag_tables[tab];
    if (pt == SKR_PT_ENUMFLAGS8 || pt == SKR_PT_ENUMFLAGS16 || pt == SKR_PT_ENUMFLAGS32) {
        for (; f->name; f++) {
            if (f->value == value) {
                if (!first) {
                    skr_sbuf_addc(b, '|');
                }
                skr_sbuf_adds(b, f->name);
                first = false;
            }
        }
        return;
    }
    for (; f->name; f++) {
        bool match = (f->value == 0 && value == 0) ||
                     (f->value != 0 && rem != 0 && (rem & f->value) == f->value);
        if (match) {
            if (!first) {
                skr_sbuf_addc(b, '|');
            }
            skr_sbuf_adds(b, f->name);
            first = false;
            rem &= ~(uint64_t)f->value;
        }
        if (f->value == value && match) {
            break;
        }
    }
}

static void render_addr(struct skr_sbuf *b, int family, const void *addr)
{
    char buf[INET6_ADDRSTRLEN];

    if (inet_ntop(family, addr, buf, sizeof(buf))) {
        skr_sbuf_adds(b, buf);
    }
}

static uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static void render_sockaddr(struct skr_sbuf *b, const uint8_t *p, uint32_t n)
{
    if (p[0] == SKR_AF_INET && n >= 7) {
        render_addr(b, AF_INET, p + 1);
        skr_sbuf_addf(b, ":%u", rd16(p + 5));
    } else if (p[0] == SKR_AF_INET6 && n >= 19) {
        render_addr(b, AF_INET6, p + 1);
        skr_sbuf_addf(b, ":%u", rd16(p + 17));
    } else if (p[0] == SKR_AF_UNIX) {
        skr_sbuf_add(b, (const char *)p + 1, strnlen((const char *)p + 1, n - 1));
    } else {
        skr_sbuf_addf(b, "family %u", p[0]);
    }
}

static void render_socktuple(struct skr_sbuf *b, const uint8_t *p, uint32_t n)
{
    if (p[0] == SKR_AF_INET && n >= 13) {
        render_addr(b, AF_INET, p + 1);
        skr_sbuf_addf(b, ":%u->", rd16(p + 5));
        render_addr(b, AF_INET, p + 7);
        skr_sbuf_addf(b, ":%u", rd16(p + 11));
    } else if (p[0] == SKR_AF_INET6 && n >= 37) {
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        bool v4 = memcmp(p + 1, mapped, 12) == 0 && memcmp(p + 19, mapped, 12) == 0;
        render_addr(b, v4 ? AF_INET : AF_INET6, v4 ? p + 13 : p + 1);
        skr_sbuf_addf(b, ":%u->", rd16(p + 17));
        render_addr(b, v4 ? AF_INET : AF_INET6, v4 ? p + 31 : p + 19);
        skr_sbuf_addf(b, ":%u", rd16(p + 35));
    } else if (p[0] == SKR_AF_UNIX && n >= 17) {
        uint64_t src, dst;
        memcpy(&src, p + 1, 8);
        memcpy(&dst, p + 9, 8);
        skr_sbuf_addf(b, "%" PRIx64 "->%" PRIx64 " ", src, dst);
        skr_sbuf_add(b, (const char *)p + 17, strnlen((const char *)p + 17, n - 17));
    } else {
        skr_sbuf_addf(b, "family %u", p[0]);
    }
}

static bool is_empty_null_type(uint8_t pt)
{
    return pt == SKR_PT_BYTEBUF || pt == SKR_PT_SOCKTUPLE || pt == SKR_PT_FDLIST ||
           pt == SKR_PT_DYN;
}

static void render_abstime(struct skr_sbuf *b, uint64_t ns)
{
    time_t sec = (time_t)(ns / 1000000000ull);
    struct tm tm;
    char buf[64], tz[16];

    if (!localtime_r(&sec, &tm)) {
        return;
    }
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    strftime(tz, sizeof(tz), "%z", &tm);
    skr_sbuf_addf(b, "%s.%09" PRIu64 " %s", buf, (uint64_t)(ns % 1000000000ull), tz);
}

/* Plain text of parameter i with type pt and format fmt. */
static void render_plain(struct skr_sys *s,
                         struct skr_sbuf *b,
                         const struct skr_ev *ev,
                         uint32_t i,
                         uint8_t pt,
                         uint8_t fmt)
{
    const uint8_t *p = ev->p[i];
    uint32_t n = ev->plen[i];
    int64_t v;

    (void)s;
    if (n == 0) {
        skr_sbuf_adds(b, is_empty_null_type(pt) ? "NULL" : "<NA>");
        return;
    }
    switch (pt) {
    case SKR_PT_INT8:
    case SKR_PT_INT16:
    case SKR_PT_INT32:
    case SKR_PT_INT64:
    case SKR_PT_ERRNO:
    case SKR_PT_FD:
    case SKR_PT_PID:
        skr_ev_int(ev, i, true, &v);
        if (fmt == SKR_PF_HEX) {
            skr_sbuf_addf(b, "%" PRIX64, (uint64_t)v);
        } else if (fmt == SKR_PF_OCT) {
            skr_sbuf_addf(b, "%#" PRIo64, (uint64_t)v);
        } else {
            skr_sbuf_addf(b, "%" PRId64, v);
        }
        return;
    case SKR_PT_UID:
    case SKR_PT_GID:
        skr_ev_int(ev, i, false, &v);
        skr_sbuf_addf(b, "%d", (int32_t)(uint32_t)v);
        return;
    case SKR_PT_UINT8:
    case SKR_PT_UINT16:
    case SKR_PT_UINT32:
    case SKR_PT_UINT64:
    case SKR_PT_SYSCALLID:
    case SKR_PT_SIGTYPE:
    case SKR_PT_PORT:
    case SKR_PT_FLAGS8:
    case SKR_PT_FLAGS16:
    case SKR_PT_FLAGS32:
    case SKR_PT_ENUMFLAGS8:
    case SKR_PT_ENUMFLAGS16:
    case SKR_PT_ENUMFLAGS32:
    case SKR_PT_MODE:
    case SKR_PT_RELTIME:
        skr_ev_int(ev, i, false, &v);
        if (pt == SKR_PT_RELTIME && (uint64_t)v == UINT64_MAX) {
            skr_sbuf_adds(b, "none");
        } else if (pt == SKR_PT_MODE || fmt == SKR_PF_OCT) {
            skr_sbuf_addf(b, "%#" PRIo64, (uint64_t)v);
        } else if (fmt == SKR_PF_HEX && pt != SKR_PT_FLAGS8 && pt != SKR_PT_FLAGS16 &&
                   pt != SKR_PT_FLAGS32 && pt != SKR_PT_ENUMFLAGS8 && pt != SKR_PT_ENUMFLAGS16 &&
                   pt != SKR_PT_ENUMFLAGS32) {
            skr_sbuf_addf(b, "%" PRIX64, (uint64_t)v);
        } else {
            skr_sbuf_addf(b, "%" PRIu64, (uint64_t)v);
        }
        return;
    case SKR_PT_ABSTIME:
        skr_ev_int(ev, i, false, &v);
        render_abstime(b, (uint64_t)v);
        return;
    case SKR_PT_CHARBUF:
    case SKR_PT_FSPATH:
    case SKR_PT_FSRELPATH: {
        size_t len;
        const char *str = skr_ev_str(ev, i, &len);
        skr_sbuf_add(b, str, len);
        return;
    }
    case SKR_PT_BYTEBUF:
        skr_render_bytes(b, p, n);
        return;
    case SKR_PT_SOCKADDR:
        render_sockaddr(b, p, n);
        return;
    case SKR_PT_SOCKTUPLE:
        render_socktuple(b, p, n);
        return;
    case SKR_PT_DYN:
        if (p[0] == 1 && n >= 2) {
            skr_sbuf_addf(b, "%u", p[1]);
        } else if (n >= 9) {
            uint64_t u;
            memcpy(&u, p + 1, 8);
            skr_sbuf_addf(b, fmt == SKR_PF_HEX ? "%" PRIX64 : "%" PRIu64, u);
        }
        return;
    case SKR_PT_BOOL:
        skr_ev_int(ev, i, false, &v);
        skr_sbuf_adds(b, v ? "true" : "false");
        return;
    default:
        skr_render_bytes(b, p, n);
        return;
    }
}

/* Appends fd's resolved text (<typechar[l4]>name); returns whether anything was written. */
static bool render_fd(struct skr_sys *s, struct skr_sbuf *b, int64_t fd)
{
    struct skr_thread *t = s->ctx.thread;
    struct skr_fdinfo *f;

    if (fd == SKR_AT_FDCWD) {
        skr_sbuf_adds(b, "AT_FDCWD");
        return true;
    }
    if (fd < 0) {
        const char *e = skr_errno_name_ret(fd);
        if (e) {
            skr_sbuf_adds(b, e);
            return true;
        }
        return false;
    }
    f = t ? skr_fd_find(skr_thread_main(s->st, t)->proc, fd) : NULL;
    if (!f) {
        return false;
    }
    skr_sbuf_addc(b, '<');
    skr_sbuf_addc(b, skr_fdtype_char(f->type));
    if (f->type >= SKR_FD_IPV4_SOCK && f->type <= SKR_FD_IPV6_SERVSOCK) {
        static const char l4[] = { 0, 't', 'u', 'i', 'r' };
        if (f->l4proto > 0 && f->l4proto < sizeof(l4)) {
            skr_sbuf_addc(b, l4[f->l4proto]);
        }
    }
    skr_sbuf_addc(b, '>');
    skr_sbuf_add(b, f->name ? f->name : "", f->name_len);
    return true;
}

/* Appends the resolved text of parameter i; returns whether anything was written. */
static bool render_resolved(struct skr_sys *s,
                            struct skr_sbuf *b,
                            const struct skr_ev *ev,
                            uint32_t i,
                            const struct skr_param_info *pi)
{
    int64_t v;
    size_t start = b->len;

    if (ev->plen[i] == 0) {
        return false;
    }
    switch (pi->type) {
    case SKR_PT_ERRNO:
        skr_ev_int(ev, i, true, &v);
        if (skr_errno_name_ret(v)) {
            skr_sbuf_adds(b, skr_errno_name_ret(v));
        }
        break;
    case SKR_PT_FD:
        skr_ev_int(ev, i, true, &v);
        render_fd(s, b, v);
        break;
    case SKR_PT_PID: {
        struct skr_thread *t;
        skr_ev_int(ev, i, true, &v);
        t = v > 0 ? skr_thread_find(s->st, v) : NULL;
        if (t) {
            skr_sbuf_adds(b, t->comm);
        }
        break;
    }
    case SKR_PT_SYSCALLID: {
        const char *name;
        skr_ev_int(ev, i, false, &v);
        name = skr_syscall_name((uint32_t)v);
        if (name) {
            skr_sbuf_adds(b, name);
        }
        break;
    }
    case SKR_PT_SIGTYPE:
        skr_ev_int(ev, i, false, &v);
        if (v > 0 && v < 32) {
            skr_sbuf_adds(b, skr_signal_names[v]);
        }
        break;
    case SKR_PT_RELTIME:
        skr_ev_int(ev, i, false, &v);
        if ((uint64_t)v != UINT64_MAX) {
            skr_sbuf_addf(b, "%lgs", (double)(uint64_t)v / 1e9);
        }
        break;
    case SKR_PT_FLAGS8:
    case SKR_PT_FLAGS16:
    case SKR_PT_FLAGS32:
    case SKR_PT_ENUMFLAGS8:
    case SKR_PT_ENUMFLAGS16:
    case SKR_PT_ENUMFLAGS32:
    case SKR_PT_MODE:
        skr_ev_int(ev, i, false, &v);
        skr_render_flags(b, pi->type, pi->table, (uint64_t)v);
        break;
    case SKR_PT_FSPATH: {
        size_t len;
        const char *str = skr_ev_str(ev, i, &len);
        const struct skr_blob *cwd;
        struct skr_thread *m;
        if (!str || len == 0 || str[0] == '/') {
            break;
        }
        m = skr_thread_main(s->st, s->ctx.thread);
        cwd = m ? m->proc->cwd : NULL;
        if (cwd && cwd->len) {
            size_t n = skr_path_resolve(s->pathbuf, cwd->data, cwd->len, str, len);
            skr_sbuf_add(b, s->pathbuf, n);
        }
        break;
    }
    case SKR_PT_FSRELPATH: {
        size_t len;
        const char *str = skr_ev_str(ev, i, &len);
        int64_t dirfd = SKR_AT_FDCWD;
        struct skr_thread *m;
        struct skr_fdinfo *f;
        if (!str || len == 0 || str[0] == '/') {
            break;
        }
        if (pi->rel >= 0) {
            dirfd = skr_ev_s64(ev, (uint32_t)pi->rel, SKR_AT_FDCWD);
        }
        m = skr_thread_main(s->st, s->ctx.thread);
        if (!m) {
            break;
        }
        if (dirfd == SKR_AT_FDCWD) {
            const struct skr_blob *cwd = m->proc->cwd;
            if (cwd && cwd->len) {
                size_t n = skr_path_resolve(s->pathbuf, cwd->data, cwd->len, str, len);
                skr_sbuf_add(b, s->pathbuf, n);
            }
        } else if ((f = skr_fd_find(m->proc, dirfd)) && f->name_len) {
            char base[SKR_PATH_MAX + 2];
            size_t bl = f->name_len > SKR_PATH_MAX ? SKR_PATH_MAX : f->name_len, n;
            memcpy(base, f->name, bl);
            if (base[bl - 1] != '/') {
                base[bl++] = '/';
            }
            n = skr_path_resolve(s->pathbuf, base, bl, str, len);
            skr_sbuf_add(b, s->pathbuf, n);
        }
        break;
    }
    case SKR_PT_UID:
    case SKR_PT_GID: {
        struct skr_thread *t = s->ctx.thread;
        const char *cid = t ? skr_tables_dyn_str(s, t, "container_id") : NULL;
        skr_ev_int(ev, i, false, &v);
        if ((uint32_t)v == UINT32_MAX) {
            skr_sbuf_adds(b, "<NONE>");
        } else if (pi->type == SKR_PT_UID) {
            const struct skr_user *u = skr_users_user(s->users, (uint32_t)v, cid, t ? t->pid : -1);
            skr_sbuf_adds(b, u ? u->name : "<NA>");
        } else {
            const char *g = skr_users_group(s->users, (uint32_t)v, cid, t ? t->pid : -1);
            skr_sbuf_adds(b, g ? g : "<NA>");
        }
        break;
    }
    default:
        break;
    }
    return b->len > start;
}

void skr_render_arg(struct skr_sys *s, struct skr_sbuf *b, uint32_t i)
{
    const struct skr_ev *ev = &s->ctx.ev;
    const struct skr_param_info *pi;

    if (!ev->info || i >= ev->nparams || i >= ev->info->nparams) {
        return;
    }
    pi = &ev->info->params[i];
    if (!render_resolved(s, b, ev, i, pi)) {
        render_plain(s, b, ev, i, pi->type, pi->fmt);
    }
}

void skr_render_args(struct skr_sys *s, struct skr_sbuf *b)
{
    const struct skr_ev *ev = &s->ctx.ev;

    if (!ev->info || ev->type == SKR_PPME_GENERIC_X) {
        return;
    }
    for (uint32_t i = 0; i < ev->nparams && i < ev->info->nparams; i++) {
        const struct skr_param_info *pi = &ev->info->params[i];
        size_t mark;

        if (i > 0) {
            skr_sbuf_addc(b, ' ');
        }
        skr_sbuf_adds(b, pi->name);
        skr_sbuf_addc(b, '=');
        render_plain(s, b, ev, i, pi->type, pi->fmt);
        mark = b->len;
        skr_sbuf_addc(b, '(');
        if (render_resolved(s, b, ev, i, pi)) {
            skr_sbuf_addc(b, ')');
        } else if (!b->oom) {
            b->len = mark;
            b->p[b->len] = '\0';
        }
    }
}
