// SPDX-License-Identifier: Apache-2.0
/*
 * Field extraction. parse_event has already found the event's thread and fd
 * (s->ctx); a field is computed from them on demand. Values are copied into
 * the plugin's result store, valid until the next extract_fields call.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "flagtab.h"
#include "render.h"
#include "skr_driver.h"

#define MAX_ANCESTORS 128

struct xc {
    struct skr_sys *s;
    const struct skr_ev *ev;
    struct skr_thread *t; /* event thread or NULL */
    struct skr_thread *m; /* its main thread or NULL */
    ss_plugin_extract_field *f;
};

/* ---- Results -------------------------------------------------------------------- */

static int set_str(struct xc *x, const char *p, size_t n)
{
    return saker_field_set_str(&x->s->store, x->f, p ? p : "", p ? n : 0);
}

static int set_cstr(struct xc *x, const char *p)
{
    return set_str(x, p, p ? strlen(p) : 0);
}

/*
 * A string that stays valid and unchanged until the next parse_event (state,
 * static text): the result points at it, no copy and no strlen.
 */
static int set_ref(struct xc *x, const char *p)
{
    const char **arr = saker_store_alloc(&x->s->store, sizeof(*arr));

    if (!arr) {
        return -1;
    }
    arr[0] = p ? p : "";
    x->f->res.str = arr;
    x->f->res_len = 1;
    return 0;
}

/* A one-character string for c (printable ASCII, else "?"), from static text. */
static const char *char_str(char c)
{
    static const char k_chars[95][2] = {
        " ", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+", ",",  "-", ".", "/",
        "0", "1", "2",  "3", "4", "5", "6", "7", "8", "9", ":", ";", "<",  "=", ">", "?",
        "@", "A", "B",  "C", "D", "E", "F", "G", "H", "I", "J", "K", "L",  "M", "N", "O",
        "P", "Q", "R",  "S", "T", "U", "V", "W", "X", "Y", "Z", "[", "\\", "]", "^", "_",
        "`", "a", "b",  "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",  "m", "n", "o",
        "p", "q", "r",  "s", "t", "u", "v", "w", "x", "y", "z", "{", "|",  "}", "~"
    };

    if (c < 0x20 || c > 0x7e) {
        return "?";
    }
    return k_chars[c - 0x20];
}

static int set_u64(struct xc *x, uint64_t v)
{
    return saker_field_set_u64(&x->s->store, x->f, v);
}

static int set_s64(struct xc *x, int64_t v)
{
    return saker_field_set_u64(&x->s->store, x->f, (uint64_t)v);
}

static int set_bool(struct xc *x, bool v)
{
    return saker_field_set_bool(&x->s->store, x->f, v);
}

static int set_double(struct xc *x, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    return set_u64(x, bits);
}

static int set_buf(struct xc *x, const void *p, uint32_t n)
{
    return saker_field_set_buf(&x->s->store, x->f, p, n);
}

static int add_str(struct xc *x, const char *p, size_t n)
{
    return saker_field_add_str(&x->s->store, x->f, p ? p : "", p ? n : 0, MAX_ANCESTORS);
}

/* Several values for a non-list field: the engine matches any of them. */
static int add_u64(struct xc *x, uint64_t v)
{
    return saker_field_add_u64(&x->s->store, x->f, v, MAX_ANCESTORS);
}

static int add_buf(struct xc *x, const void *p, uint32_t n)
{
    ss_plugin_byte_buffer *arr;
    void *copy;
    uint64_t k = x->f->res_len;

    arr = saker_store_alloc(&x->s->store, (size_t)(k + 1) * sizeof(*arr));
    copy = saker_store_alloc(&x->s->store, n ? n : 1);
    if (!arr || !copy) {
        return -1;
    }
    if (k) {
        memcpy(arr, x->f->res.buf, (size_t)k * sizeof(*arr));
    }
    memcpy(copy, p, n);
    arr[k].ptr = copy;
    arr[k].len = n;
    x->f->res.buf = arr;
    x->f->res_len = k + 1;
    return 0;
}

static struct skr_sbuf *sb_reset(struct xc *x)
{
    skr_sbuf_reset(&x->s->sb);
    return &x->s->sb;
}

static int set_sb(struct xc *x, struct skr_sbuf *b)
{
    if (b->oom) {
        return -1;
    }
    return set_str(x, b->p ? b->p : "", b->len);
}

/* ---- Processes -------------------------------------------------------------------- */

/* The n-th ancestor process's main thread (0: the process itself), or NULL. */
static struct skr_thread *ancestor(struct skr_sys *s, struct skr_thread *t, uint64_t n)
{
    struct skr_thread *p = skr_thread_main(s->st, t);

    for (uint64_t i = 0; p && i < n; i++) {
        struct skr_thread *q = skr_thread_parent(s->st, p);
        if (q == p || i >= MAX_ANCESTORS) {
            return NULL;
        }
        p = q;
    }
    return p;
}

enum pkind {
    PK_NAME,
    PK_EXE,
    PK_EXEPATH,
    PK_CMDLINE,
    PK_PID,
    PK_ARGS,
    PK_ENV
};

static void args_joined(struct skr_sbuf *b, const struct skr_blob *args)
{
    const char *p = skr_blob_str(args), *end = p + skr_blob_len(args);
    bool first = true;

    while (args && p < end) {
        size_t n = strnlen(p, (size_t)(end - p));
        if (!first) {
            skr_sbuf_addc(b, ' ');
        }
        skr_sbuf_add(b, p, n);
        first = false;
        p += n + 1;
    }
}

/* Appends the value of kind for process thread t. */
/* The text of the kinds kept as NUL-terminated strings in the state. */
static const char *proc_text(const struct skr_thread *t, enum pkind k)
{
    switch (k) {
    case PK_NAME:
        return t->comm;
    case PK_EXE:
        return skr_blob_str(t->proc->exe);
    default:
        return skr_blob_str(t->proc->exepath);
    }
}

static void proc_value(struct skr_sys *s, struct skr_sbuf *b, struct skr_thread *t, enum pkind k)
{
    const struct skr_proc *p = t->proc;

    switch (k) {
    case PK_NAME:
        skr_sbuf_adds(b, t->comm);
        break;
    case PK_EXE:
        skr_sbuf_add(b, skr_blob_str(p->exe), skr_blob_len(p->exe));
        break;
    case PK_EXEPATH:
        skr_sbuf_add(b, skr_blob_str(p->exepath), skr_blob_len(p->exepath));
        break;
    case PK_CMDLINE:
        skr_sbuf_adds(b, t->comm);
        if (skr_blob_len(p->args)) {
            skr_sbuf_addc(b, ' ');
            args_joined(b, p->args);
        }
        break;
    case PK_ARGS:
        args_joined(b, p->args);
        break;
    case PK_ENV: {
        const char *e = skr_blob_str(p->env), *end = e + skr_blob_len(p->env);
        bool first = true;
        while (p->env && e < end) {
            size_t n = strnlen(e, (size_t)(end - e));
            if (!first) {
                skr_sbuf_addc(b, ' ');
            }
            skr_sbuf_add(b, e, n);
            first = false;
            e += n + 1;
        }
        break;
    }
    case PK_PID:
        skr_sbuf_addf(b, "%" PRId64, t->pid);
        break;
    }
    (void)s;
}

/* proc.a<kind>: [N] the N-th ancestor; no index: every ancestor (parent first). */
static int ancestors_field(struct xc *x, enum pkind k)
{
    struct skr_sys *s = x->s;
    struct skr_thread *p;

    if (!x->t) {
        return 0;
    }
    if (x->f->arg_present) {
        p = ancestor(s, x->t, x->f->arg_index);
        if (!p) {
            return 0;
        }
        if (k == PK_PID) {
            return set_s64(x, p->pid);
        }
        if (k == PK_NAME || k == PK_EXE || k == PK_EXEPATH) {
            return set_ref(x, proc_text(p, k));
        }
        proc_value(s, sb_reset(x), p, k);
        return set_sb(x, &s->sb);
    }
    p = skr_thread_main(s->st, x->t);
    for (int i = 0; i < MAX_ANCESTORS; i++) {
        struct skr_thread *q = skr_thread_parent(s->st, p);
        if (!q || q == p) {
            break;
        }
        p = q;
        if (k == PK_PID) {
            if (add_u64(x, (uint64_t)p->pid) < 0) {
                return -1;
            }
            continue;
        }
        proc_value(s, sb_reset(x), p, k);
        if (add_str(x, s->sb.p ? s->sb.p : "", s->sb.len) < 0) {
            return -1;
        }
    }
    return 0;
}

static int parent_field(struct xc *x, enum pkind k)
{
    struct skr_thread *p = x->t ? skr_thread_parent(x->s->st, x->t) : NULL;

    if (!p) {
        return 0;
    }
    if (k == PK_PID) {
        return set_s64(x, p->pid);
    }
    if (k == PK_NAME || k == PK_EXE || k == PK_EXEPATH) {
        return set_ref(x, proc_text(p, k));
    }
    proc_value(x->s, sb_reset(x), p, k);
    return set_sb(x, &x->s->sb);
}

static int caps_field(struct xc *x, uint64_t caps)
{
    struct skr_sbuf *b = sb_reset(x);
    bool first = true;

    for (int i = 0; i < SKR_NUM_CAPS; i++) {
        if (caps & (1ull << i)) {
            if (!first) {
                skr_sbuf_addc(b, ' ');
            }
            skr_sbuf_adds(b, skr_cap_names[i]);
            first = false;
        }
    }
    return set_sb(x, b);
}

/* The leader of t's session / process group: the entry with tid = id, else the eldest run of
 * ancestors sharing id. */
static struct skr_thread *group_leader(struct skr_sys *s, struct skr_thread *t, bool session)
{
    int64_t id = session ? t->sid : t->pgid;
    struct skr_thread *l, *p, *best = NULL;

    if (id <= 0) {
        return NULL;
    }
    l = skr_thread_find(s->st, id);
    if (l) {
        return l;
    }
    p = skr_thread_main(s->st, t);
    for (int i = 0; p && i < MAX_ANCESTORS; i++) {
        if ((session ? p->sid : p->pgid) != id) {
            break;
        }
        best = p;
        struct skr_thread *q = skr_thread_parent(s->st, p);
        if (q == p) {
            break;
        }
        p = q;
    }
    return best;
}

static int env_var(struct xc *x, const struct skr_blob *env, const char *name)
{
    const char *e = skr_blob_str(env), *end = e + skr_blob_len(env);
    size_t nl = strlen(name);

    while (env && e < end) {
        size_t n = strnlen(e, (size_t)(end - e));
        if (n > nl && memcmp(e, name, nl) == 0 && e[nl] == '=') {
            const char *v = e + nl + 1, *ve = e + n;
            while (v < ve && *v == ' ') {
                v++;
            }
            while (ve > v && ve[-1] == ' ') {
                ve--;
            }
            return set_str(x, v, (size_t)(ve - v));
        }
        e += n + 1;
    }
    return set_str(x, "", 0);
}

/* ---- File descriptors ------------------------------------------------------------- */

static bool is_file_type(uint8_t t)
{
    return t == SKR_FD_FILE || t == SKR_FD_FILE_V2 || t == SKR_FD_DIRECTORY;
}

static bool is_ip(uint8_t t)
{
    return t >= SKR_FD_IPV4_SOCK && t <= SKR_FD_IPV6_SERVSOCK;
}

static bool is_v6(uint8_t t)
{
    return t == SKR_FD_IPV6_SOCK || t == SKR_FD_IPV6_SERVSOCK;
}

static bool is_listen(uint8_t t)
{
    return t == SKR_FD_IPV4_SERVSOCK || t == SKR_FD_IPV6_SERVSOCK;
}

/* Name of the event's fd: the entry's, else what the event names. Returns false when none. */
static bool fd_name(struct xc *x, const char **p, size_t *n)
{
    struct skr_ctx *c = &x->s->ctx;

    if (c->fd) {
        *p = c->fd->name ? c->fd->name : "";
        *n = c->fd->name_len;
        return true;
    }
    if (c->has_evt_path) {
        *p = c->evt_path;
        *n = c->evt_path_len;
        return true;
    }
    if (x->ev->info && x->ev->info->dir == '<' && c->has_fd) {
        *p = "";
        *n = 0;
        return true;
    }
    return false;
}

static char evt_typechar(uint16_t code)
{
    switch (code) {
    case SKR_PPME_SYSCALL_OPENAT_2_X:
    case SKR_PPME_SYSCALL_OPENAT2_X:
    case SKR_PPME_SYSCALL_CREAT_X:
        return 'f';
    case SKR_PPME_SOCKET_SOCKET_X:
    case SKR_PPME_SOCKET_ACCEPT_5_X:
    case SKR_PPME_SOCKET_ACCEPT4_6_X:
        return '4';
    case SKR_PPME_SYSCALL_PIPE_X:
    case SKR_PPME_SYSCALL_PIPE2_X:
        return 'p';
    case SKR_PPME_SYSCALL_EVENTFD_X:
    case SKR_PPME_SYSCALL_EVENTFD2_X:
        return 'e';
    case SKR_PPME_SYSCALL_SIGNALFD_X:
    case SKR_PPME_SYSCALL_SIGNALFD4_X:
        return 's';
    case SKR_PPME_SYSCALL_TIMERFD_CREATE_X:
        return 't';
    case SKR_PPME_SYSCALL_INOTIFY_INIT_X:
    case SKR_PPME_SYSCALL_INOTIFY_INIT1_X:
        return 'i';
    default:
        return 'o';
    }
}

struct sock_view {
    bool ok, v6, listening;
    const uint8_t *cip, *sip; /* network order, 4 or 16 bytes */
    uint16_t cport, sport;
    bool client_local; /* which end is local */
};

static bool sock_view(const struct skr_fdinfo *f, struct sock_view *v)
{
    memset(v, 0, sizeof(*v));
    if (!f || !is_ip(f->type)) {
        return false;
    }
    v->ok = true;
    v->v6 = is_v6(f->type);
    v->listening = is_listen(f->type);
    v->cip = v->v6 ? f->addr.v6.sip : (const uint8_t *)&f->addr.v4.sip;
    v->sip = v->v6 ? f->addr.v6.dip : (const uint8_t *)&f->addr.v4.dip;
    v->cport = f->sport;
    v->sport = f->dport;
    if (v->listening) {
        v->sip = v->cip;
        v->sport = v->cport;
    }
    v->client_local = !(f->flags & SKR_FDF_ROLE_SERVER);
    return true;
}

static bool has_role(const struct skr_fdinfo *f)
{
    return f && (f->flags & (SKR_FDF_ROLE_CLIENT | SKR_FDF_ROLE_SERVER));
}

static const char *l4name(uint8_t l4)
{
    switch (l4) {
    case SKR_L4_TCP:
        return "tcp";
    case SKR_L4_UDP:
        return "udp";
    case SKR_L4_ICMP:
        return "icmp";
    case SKR_L4_RAW:
        return "raw";
    default:
        return "<NA>";
    }
}

static int fd_std(struct xc *x, int64_t fd, bool name)
{
    struct skr_fdinfo *f;

    if (!x->m) {
        return 0;
    }
    f = skr_fd_find(x->m->proc, fd);
    if (!f) {
        return 0;
    }
    return name ? set_str(x, f->name ? f->name : "", f->name_len)
                : set_cstr(x, skr_fdtype_name(f->type));
}

/* ---- fs.path.* -------------------------------------------------------------------- */

struct fspath {
    int name_i, source_i, target_i; /* parameter indexes, -1 none */
    int name_dirfd, source_dirfd, target_dirfd;
    bool use_fd;     /* fchmod, fchown: the fd's name */
    bool success_fd; /* success is fd != -1 */
};

static bool fspath_info(uint16_t code, struct fspath *fp)
{
    memset(fp, -1, sizeof(*fp));
    fp->use_fd = false;
    fp->success_fd = false;
    switch (code) {
    case SKR_PPME_SYSCALL_MKDIR_2_X:
    case SKR_PPME_SYSCALL_RMDIR_2_X:
    case SKR_PPME_SYSCALL_UNLINK_2_X:
    case SKR_PPME_SYSCALL_CHOWN_X:
    case SKR_PPME_SYSCALL_LCHOWN_X:
    case SKR_PPME_SYSCALL_CHMOD_X:
    case SKR_PPME_SYSCALL_UMOUNT2_X:
        fp->name_i = 1;
        return true;
    case SKR_PPME_SYSCALL_MKDIRAT_X:
    case SKR_PPME_SYSCALL_UNLINKAT_2_X:
    case SKR_PPME_SYSCALL_FCHMODAT_X:
    case SKR_PPME_SYSCALL_FCHOWNAT_X:
        fp->name_i = 2;
        fp->name_dirfd = 1;
        return true;
    case SKR_PPME_SYSCALL_OPEN_X:
        fp->name_i = 1;
        fp->success_fd = true;
        return true;
    case SKR_PPME_SYSCALL_OPENAT_2_X:
    case SKR_PPME_SYSCALL_OPENAT2_X:
        fp->name_i = 2;
        fp->name_dirfd = 1;
        fp->success_fd = true;
        return true;
    case SKR_PPME_SYSCALL_FCHMOD_X:
    case SKR_PPME_SYSCALL_FCHOWN_X:
        fp->use_fd = true;
        return true;
    case SKR_PPME_SYSCALL_RENAME_X:
        fp->source_i = 1;
        fp->target_i = 2;
        return true;
    case SKR_PPME_SYSCALL_RENAMEAT_X:
        fp->source_i = 2;
        fp->target_i = 4;
        return true;
    case SKR_PPME_SYSCALL_RENAMEAT2_X:
        fp->source_i = 2;
        fp->source_dirfd = 1;
        fp->target_i = 4;
        fp->target_dirfd = 3;
        return true;
    case SKR_PPME_SYSCALL_LINK_2_X:
        fp->source_i = 2;
        fp->target_i = 1;
        return true;
    case SKR_PPME_SYSCALL_LINKAT_2_X:
        fp->source_i = 4;
        fp->target_i = 2;
        return true;
    case SKR_PPME_SYSCALL_SYMLINK_X:
        fp->source_i = 2;
        fp->target_i = 1;
        return true;
    case SKR_PPME_SYSCALL_SYMLINKAT_X:
        fp->source_i = 3;
        fp->source_dirfd = 2;
        fp->target_i = 1;
        return true;
    case SKR_PPME_SYSCALL_MOUNT_X:
        fp->source_i = 1;
        fp->target_i = 2;
        return true;
    default:
        return false;
    }
}

/* Resolves parameter pi (relative to dirfd parameter di, or the cwd) into s->pathbuf. */
static size_t resolve_param(struct xc *x,
                            int pi,
                            int di,
                            bool unknown_prefix,
                            const char **raw,
                            size_t *rawlen)
{
    struct skr_sys *s = x->s;
    const char *p = skr_ev_str(x->ev, (uint32_t)pi, rawlen);
    const struct skr_blob *cwd;

    *raw = p;
    if (!p) {
        return (size_t)-1;
    }
    if (*rawlen > 0 && p[0] == '/') {
        return skr_path_resolve(s->pathbuf, NULL, 0, p, *rawlen);
    }
    if (di >= 0) {
        int64_t dirfd = skr_ev_s64(x->ev, (uint32_t)di, SKR_AT_FDCWD);
        if (dirfd != SKR_AT_FDCWD) {
            struct skr_fdinfo *f = x->m ? skr_fd_find(x->m->proc, dirfd) : NULL;
            if (f && f->name_len && (f->type == SKR_FD_DIRECTORY || f->type == SKR_FD_FILE)) {
                char base[SKR_PATH_MAX + 2];
                size_t bl = f->name_len > SKR_PATH_MAX ? SKR_PATH_MAX : f->name_len;
                memcpy(base, f->name, bl);
                if (base[bl - 1] != '/') {
                    base[bl++] = '/';
                }
                return skr_path_resolve(s->pathbuf, base, bl, p, *rawlen);
            }
            int n = snprintf(s->pathbuf, sizeof(s->pathbuf), "<UNKNOWN>/%.*s", (int)*rawlen, p);
            return n < 0 ? 0 : (size_t)n >= sizeof(s->pathbuf) ? sizeof(s->pathbuf) - 1 : (size_t)n;
        }
    }
    if (unknown_prefix) {
        int n = snprintf(s->pathbuf, sizeof(s->pathbuf), "<UNKNOWN>%.*s", (int)*rawlen, p);
        return n < 0 ? 0 : (size_t)n >= sizeof(s->pathbuf) ? sizeof(s->pathbuf) - 1 : (size_t)n;
    }
    cwd = x->m ? x->m->proc->cwd : NULL;
    if (!cwd || !cwd->len) {
        size_t n = *rawlen > SKR_PATH_MAX ? SKR_PATH_MAX : *rawlen;
        memcpy(s->pathbuf, p, n);
        s->pathbuf[n] = '\0';
        return n;
    }
    return skr_path_resolve(s->pathbuf, cwd->data, cwd->len, p, *rawlen);
}

static int fspath_field(struct xc *x, int which, bool raw)
{
    struct fspath fp;
    const char *r;
    size_t rl, n;
    int64_t res;
    int pi, di;

    if (!fspath_info(x->ev->type, &fp)) {
        return 0;
    }
    res = skr_ev_s64(x->ev, 0, -1);
    if (fp.success_fd ? res == -1 : res != 0) {
        return 0;
    }
    if (which == 0) {
        if (fp.use_fd) {
            struct skr_fdinfo *f = x->s->ctx.fd;
            if (!f) {
                return 0;
            }
            return set_str(x, f->name ? f->name : "", f->name_len);
        }
        pi = fp.name_i;
        di = fp.name_dirfd;
    } else if (which == 1) {
        pi = fp.source_i;
        di = fp.source_dirfd;
    } else {
        pi = fp.target_i;
        di = fp.target_dirfd;
    }
    if (pi < 0) {
        return 0;
    }
    if (raw) {
        r = skr_ev_str(x->ev, (uint32_t)pi, &rl);
        return r ? set_str(x, r, rl) : 0;
    }
    if (x->ev->type == SKR_PPME_SYSCALL_OPENAT_2_X || x->ev->type == SKR_PPME_SYSCALL_OPENAT2_X) {
        /* relative opens use the opened file's name */
        r = skr_ev_str(x->ev, (uint32_t)pi, &rl);
        if (r && rl && r[0] != '/') {
            struct skr_fdinfo *f = x->s->ctx.fd;
            return f ? set_str(x, f->name, f->name_len) : set_cstr(x, "<UNKNOWN>");
        }
    }
    n = resolve_param(x, pi, di, x->ev->type == SKR_PPME_SYSCALL_SYMLINKAT_X && which == 2, &r,
                      &rl);
    if (n == (size_t)-1) {
        return 0;
    }
    return set_str(x, x->s->pathbuf, n);
}

/* ---- evt.* helpers ------------------------------------------------------------------ */

static bool has_retval(const struct skr_ev *ev)
{
    const struct skr_event_info *i = ev->info;

    return i && i->dir == '<' && (i->category & SKR_EC_SYSCALL) && ev->type != SKR_PPME_GENERIC_X &&
           ev->nparams > 0 && ev->plen[0] > 0;
}

static const char *category_name(struct xc *x)
{
    const struct skr_event_info *i = x->ev->info;
    uint32_t c;

    if (!i) {
        return "unknown";
    }
    c = i->category & 0x1ff;
    switch (c) {
    case SKR_EC_UNKNOWN:
        return "unknown";
    case SKR_EC_OTHER:
        return "other";
    case SKR_EC_FILE:
        return "file";
    case SKR_EC_NET:
        return "net";
    case SKR_EC_IPC:
        return "IPC";
    case SKR_EC_MEMORY:
        return "memory";
    case SKR_EC_PROCESS:
        return "process";
    case SKR_EC_SLEEP:
        return "sleep";
    case SKR_EC_SYSTEM:
        return "system";
    case SKR_EC_SIGNAL:
        return "signal";
    case SKR_EC_USER:
        return "user";
    case SKR_EC_TIME:
        return "time";
    case SKR_EC_WAIT:
        return "wait";
    case SKR_EC_SCHEDULER:
        return "scheduler";
    case SKR_EC_INTERNAL:
        return "internal";
    case SKR_EC_IO_READ:
    case SKR_EC_IO_WRITE:
    case SKR_EC_IO_OTHER: {
        struct skr_fdinfo *f = x->s->ctx.fd;
        if (!f) {
            return "unknown";
        }
        if (is_file_type(f->type)) {
            return "file";
        }
        if (is_ip(f->type)) {
            return "net";
        }
        switch (f->type) {
        case SKR_FD_FIFO:
        case SKR_FD_UNIX_SOCK:
        case SKR_FD_EVENT:
        case SKR_FD_SIGNALFD:
        case SKR_FD_INOTIFY:
        case SKR_FD_USERFAULTFD:
            return "ipc";
        default:
            return "unknown";
        }
    }
    default:
        return "unknown";
    }
}

static bool is_open_event(uint16_t code)
{
    return code == SKR_PPME_SYSCALL_OPEN_X || code == SKR_PPME_SYSCALL_OPENAT_2_X ||
           code == SKR_PPME_SYSCALL_OPENAT2_X || code == SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X;
}

static uint32_t open_flags_param(const struct skr_ev *ev)
{
    switch (ev->type) {
    case SKR_PPME_SYSCALL_OPEN_X:
    case SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X:
        return (uint32_t)skr_ev_u64(ev, 2, 0);
    case SKR_PPME_SYSCALL_OPENAT_2_X:
    case SKR_PPME_SYSCALL_OPENAT2_X:
        return (uint32_t)skr_ev_u64(ev, 3, 0);
    default:
        return 0;
    }
}

/* Parameter index of name in the current event, or -1. */
static int param_index(const struct skr_ev *ev, const char *name, size_t len)
{
    if (!ev->info) {
        return -1;
    }
    return skr_event_param_index(ev->info, name, len);
}

/* evt.rawarg: the parameter's value converted to the field's type. */
static int rawarg(struct xc *x, int i)
{
    const struct skr_ev *ev = x->ev;
    const struct skr_param_info *pi;
    int64_t v;

    if (i < 0 || (uint32_t)i >= ev->nparams || ev->plen[i] == 0) {
        return 0;
    }
    pi = &ev->info->params[i];
    switch (x->f->ftype) {
    case 9: /* string */
    case SAKER_FTYPE_FSPATH: {
        size_t n;
        const char *p = skr_ev_str(ev, (uint32_t)i, &n);
        return p ? set_str(x, p, n) : 0;
    }
    case SAKER_FTYPE_BYTEBUF:
    case FTYPE_IPADDR:
        return set_buf(x, ev->p[i], ev->plen[i]);
    default:
        if (!skr_ev_int(ev, (uint32_t)i,
                        pi->type <= SKR_PT_INT64 || pi->type == SKR_PT_ERRNO ||
                                pi->type == SKR_PT_FD || pi->type == SKR_PT_PID,
                        &v)) {
            return 0;
        }
        return set_u64(x, (uint64_t)v);
    }
}

static int evt_arg(struct xc *x, int i)
{
    struct skr_sbuf *b;

    if (i < 0 || (uint32_t)i >= x->ev->nparams) {
        return 0;
    }
    b = sb_reset(x);
    skr_render_arg(x->s, b, (uint32_t)i);
    return set_sb(x, b);
}

/* evt.abspath[.src|.dst] */
static int abspath(struct xc *x)
{
    const char *which = x->f->arg_present && x->f->arg_key ? x->f->arg_key : "";
    bool dst = strcmp(which, "dst") == 0;
    int pi = -1, di = -1;
    const char *r;
    size_t rl, n;

    switch (x->ev->type) {
    case SKR_PPME_SYSCALL_RENAMEAT_X:
    case SKR_PPME_SYSCALL_RENAMEAT2_X:
    case SKR_PPME_SYSCALL_LINKAT_2_X:
        pi = dst ? 4 : 2;
        di = dst ? 3 : 1;
        break;
    case SKR_PPME_SYSCALL_SYMLINKAT_X:
        pi = 3;
        di = 2;
        break;
    case SKR_PPME_SYSCALL_OPENAT_2_X:
    case SKR_PPME_SYSCALL_OPENAT2_X:
    case SKR_PPME_SYSCALL_UNLINKAT_2_X:
    case SKR_PPME_SYSCALL_MKDIRAT_X:
    case SKR_PPME_SYSCALL_FCHMODAT_X:
    case SKR_PPME_SYSCALL_FCHOWNAT_X:
        pi = 2;
        di = 1;
        break;
    case SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X:
        if (skr_ev_s64(x->ev, 0, -1) <= 0) {
            return 0;
        }
        r = skr_ev_str(x->ev, 3, &rl);
        return r ? set_str(x, r, rl) : 0;
    default:
        return 0;
    }
    n = resolve_param(x, pi, di, false, &r, &rl);
    if (n == (size_t)-1) {
        return 0;
    }
    return set_str(x, x->s->pathbuf, n);
}

static int type_is(struct xc *x)
{
    const char *a = x->f->arg_key;
    char *end;
    unsigned long code;
    uint16_t t = x->ev->type;

    if (!a || !*a) {
        return set_u64(x, 0);
    }
    code = strtoul(a, &end, 10);
    if (*end == '\0') {
        return set_u64(x, code == t);
    }
    /* the first table entry with that name and its exit twin */
    for (uint32_t c = 0; c < SKR_EVENT_CODES; c++) {
        const char *n = skr_event_code_names[c];
        if (n && strcmp(n, a) == 0) {
            return set_u64(x, t == c || t == c + 1);
        }
    }
    return set_u64(x, 0);
}

static int cgroup_field(struct xc *x, const char *subsys)
{
    const struct skr_blob *cg = x->t ? x->t->cgroups : NULL;
    const char *p = skr_blob_str(cg), *end = p + skr_blob_len(cg);
    size_t sl;

    if (!cg || !subsys) {
        return 0;
    }
    if (strcmp(subsys, "blkio") == 0) {
        subsys = "io"; /* the driver names the controller io on every hierarchy */
    }
    sl = strlen(subsys);
    while (p < end) {
        size_t n = strnlen(p, (size_t)(end - p));
        if (n > sl && memcmp(p, subsys, sl) == 0 && p[sl] == '=') {
            return set_str(x, p + sl + 1, n - sl - 1);
        }
        if (strcmp(subsys, "io") == 0 && n > 6 && memcmp(p, "blkio=", 6) == 0) {
            return set_str(x, p + 6, n - 6);
        }
        p += n + 1;
    }
    return 0;
}

static const struct skr_user *user_of(struct xc *x, uint32_t uid)
{
    const char *cid = skr_tables_dyn_str(x->s, x->t, "container_id");
    return skr_users_user(x->s->users, uid, cid, x->t->pid);
}

/* ---- The dispatcher ----------------------------------------------------------------- */

static int extract_one(struct xc *x)
{
    struct skr_sys *s = x->s;
    struct skr_ctx *c = &s->ctx;
    const struct skr_ev *ev = x->ev;
    struct skr_thread *t = x->t, *m = x->m;
    struct skr_fdinfo *fd = c->fd;
    uint32_t id = x->f->field_id;
    struct sock_view sv;
    struct skr_sbuf *b;
    int64_t v;

    if (id >= F_NUM_FIXED) {
        uint32_t np = skr_num_param_names(), k = id - F_NUM_FIXED;
        const char *name;
        if (k >= 2 * np) {
            return 0;
        }
        name = skr_param_names[k % np].name;
        if (k < np) {
            return evt_arg(x, param_index(ev, name, strlen(name)));
        }
        return rawarg(x, param_index(ev, name, strlen(name)));
    }

    switch ((enum skr_field_id)id) {
    case F_EVT_LATENCY:
    case F_EVT_LATENCY_S:
    case F_EVT_LATENCY_NS:
    case F_EVT_LATENCY_QUANTIZED:
    case F_EVT_WAIT_LATENCY:
    case F_THREAD_EXECTIME:
    case F_THREAD_TOTEXECTIME:
        return set_u64(x, 0);
    case F_EVT_LATENCY_HUMAN:
        return set_cstr(x, "0ns");
    case F_EVT_DELTATIME:
    case F_EVT_DELTATIME_S:
    case F_EVT_DELTATIME_NS:
        return set_u64(x, 0);
    case F_EVT_OUTPUTTIME: {
        char buf[64];
        time_t sec = (time_t)(ev->ts / 1000000000ull);
        struct tm tm;
        int n;
        localtime_r(&sec, &tm);
        n = snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%09" PRIu64, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (uint64_t)(ev->ts % 1000000000ull));
        return n > 0 ? set_str(x, buf, (size_t)n) : 0;
    }
    case F_EVT_DIR:
        if (!ev->info) {
            return 0;
        }
        return set_cstr(x, (ev->type & 1) ? "<" : ">");
    case F_EVT_TYPE:
        if (ev->type == SKR_PPME_GENERIC_X) {
            const char *n = skr_syscall_name((uint32_t)skr_ev_u64(ev, 0, UINT32_MAX));
            return set_ref(x, n ? n : "syscall");
        }
        return set_ref(x, skr_event_name(ev->type) ? skr_event_name(ev->type) : "unknown");
    case F_EVT_TYPE_IS:
        return type_is(x);
    case F_SYSCALL_TYPE:
        if (!ev->info || !(ev->info->category & SKR_EC_SYSCALL)) {
            return 0;
        }
        if (ev->type == SKR_PPME_GENERIC_X) {
            const char *n = skr_syscall_name((uint32_t)skr_ev_u64(ev, 0, UINT32_MAX));
            return set_cstr(x, n ? n : "syscall");
        }
        return set_cstr(x, ev->info->name);
    case F_EVT_CATEGORY:
        return set_cstr(x, category_name(x));
    case F_EVT_CPU: {
        /* live events only: a capture does not record the CPU */
        int cpu = s->probe ? skr_probe_cpu_of(s->probe, ev->raw) : -1;
        return cpu >= 0 ? set_u64(x, (uint64_t)cpu) : 0;
    }
    case F_EVT_ARGS:
    case F_EVT_INFO:
        b = sb_reset(x);
        skr_render_args(s, b);
        return set_sb(x, b);
    case F_EVT_ARG:
        if (!x->f->arg_present) {
            return 0;
        }
        if (x->f->arg_key) {
            return evt_arg(x, param_index(ev, x->f->arg_key, strlen(x->f->arg_key)));
        }
        return evt_arg(x, (int)x->f->arg_index);
    case F_EVT_RAWARG:
        if (!x->f->arg_key) {
            return 0;
        }
        return rawarg(x, param_index(ev, x->f->arg_key, strlen(x->f->arg_key)));
    case F_EVT_BUFFER: {
        int i = param_index(ev, "data", 4);
        if (i < 0 || ev->plen[i] == 0) {
            return 0;
        }
        return set_buf(x, ev->p[i], ev->plen[i]);
    }
    case F_EVT_BUFLEN:
    case F_EVT_BUFLEN_IN:
    case F_EVT_BUFLEN_OUT:
    case F_EVT_BUFLEN_FILE:
    case F_EVT_BUFLEN_FILE_IN:
    case F_EVT_BUFLEN_FILE_OUT:
    case F_EVT_BUFLEN_NET:
    case F_EVT_BUFLEN_NET_IN:
    case F_EVT_BUFLEN_NET_OUT:
        if (!ev->info || !(ev->info->flags & (SKR_EF_READS_FROM_FD | SKR_EF_WRITES_TO_FD)) || !fd ||
            (v = skr_ev_s64(ev, 0, -1)) < 0) {
            return 0;
        }
        if (id == F_EVT_BUFLEN) {
            return set_u64(x, (uint64_t)v);
        }
        {
            bool in = ev->info->flags & SKR_EF_READS_FROM_FD;
            bool want_in = id == F_EVT_BUFLEN_IN || id == F_EVT_BUFLEN_FILE_IN ||
                           id == F_EVT_BUFLEN_NET_IN;
            bool want_out = id == F_EVT_BUFLEN_OUT || id == F_EVT_BUFLEN_FILE_OUT ||
                            id == F_EVT_BUFLEN_NET_OUT;
            bool want_file = id >= F_EVT_BUFLEN_FILE && id <= F_EVT_BUFLEN_FILE_OUT;
            bool want_net = id >= F_EVT_BUFLEN_NET && id <= F_EVT_BUFLEN_NET_OUT;
            if ((want_in && !in) || (want_out && in) || (want_file && !is_file_type(fd->type)) ||
                (want_net && !is_ip(fd->type))) {
                return 0;
            }
            return set_u64(x, (uint64_t)v);
        }
    case F_EVT_RES:
        if (!has_retval(ev)) {
            return 0;
        }
        v = skr_ev_s64(ev, 0, 0);
        if (v >= 0) {
            return set_cstr(x, "SUCCESS");
        } else {
            const char *e = skr_errno_name_ret(v);
            char buf[32];
            int n;
            if (e) {
                return set_cstr(x, e);
            }
            n = snprintf(buf, sizeof(buf), "%" PRId64, v);
            return n > 0 ? set_str(x, buf, (size_t)n) : 0;
        }
    case F_EVT_RAWRES:
        if (!has_retval(ev)) {
            return 0;
        }
        return set_s64(x, skr_ev_s64(ev, 0, 0));
    case F_EVT_FAILED:
        if (!has_retval(ev)) {
            return 0;
        }
        return set_bool(x, skr_ev_s64(ev, 0, 0) < 0);
    case F_EVT_IS_IO:
        return set_bool(
                x, ev->info && (ev->info->flags & (SKR_EF_READS_FROM_FD | SKR_EF_WRITES_TO_FD)));
    case F_EVT_IS_IO_READ:
        return set_bool(x, ev->info && (ev->info->flags & SKR_EF_READS_FROM_FD));
    case F_EVT_IS_IO_WRITE:
        return set_bool(x, ev->info && (ev->info->flags & SKR_EF_WRITES_TO_FD));
    case F_EVT_IO_DIR:
        if (!ev->info || !(ev->info->flags & (SKR_EF_READS_FROM_FD | SKR_EF_WRITES_TO_FD))) {
            return 0;
        }
        return set_cstr(x, (ev->info->flags & SKR_EF_WRITES_TO_FD) ? "write" : "read");
    case F_EVT_IS_WAIT:
        return set_bool(x, ev->info && (ev->info->flags & SKR_EF_WAITS));
    case F_EVT_IS_SYSLOG:
        return set_bool(x, ev->info && (ev->info->flags & SKR_EF_WRITES_TO_FD) && fd && fd->name &&
                                   strstr(fd->name, "/dev/log") != NULL);
    case F_EVT_COUNT:
        return set_u64(x, 1);
    case F_EVT_COUNT_ERROR:
    case F_EVT_COUNT_ERROR_FILE:
    case F_EVT_COUNT_ERROR_NET:
    case F_EVT_COUNT_ERROR_MEMORY:
    case F_EVT_COUNT_ERROR_OTHER: {
        bool failed, file, net, mem;
        uint16_t tc = ev->type;
        if (!has_retval(ev)) {
            return 0;
        }
        failed = skr_ev_s64(ev, 0, 0) < 0;
        if (id == F_EVT_COUNT_ERROR) {
            return set_u64(x, failed);
        }
        file = fd ? is_file_type(fd->type) : is_open_event(tc) || tc == SKR_PPME_SYSCALL_CREAT_X;
        net = fd ? (is_ip(fd->type) || fd->type == SKR_FD_UNIX_SOCK)
                 : (tc == SKR_PPME_SOCKET_ACCEPT_5_X || tc == SKR_PPME_SOCKET_ACCEPT4_6_X ||
                    tc == SKR_PPME_SOCKET_CONNECT_X);
        mem = ev->info && (ev->info->category & 0x1ff) == SKR_EC_MEMORY;
        if ((id == F_EVT_COUNT_ERROR_FILE && file) || (id == F_EVT_COUNT_ERROR_NET && net) ||
            (id == F_EVT_COUNT_ERROR_MEMORY && mem) ||
            (id == F_EVT_COUNT_ERROR_OTHER && !file && !net && !mem)) {
            return set_u64(x, failed);
        }
        return 0;
    }
    case F_EVT_COUNT_EXIT:
        if (!ev->info || ev->info->dir != '<') {
            return 0;
        }
        return set_u64(x, 1);
    case F_EVT_COUNT_PROCINFO:
    case F_EVT_COUNT_THREADINFO:
        return set_u64(x, 0);
    case F_EVT_AROUND:
        return 0;
    case F_EVT_ABSPATH:
        return abspath(x);
    case F_EVT_IS_OPEN_READ:
        return set_bool(x, is_open_event(ev->type) && (open_flags_param(ev) & SKR_O_RDONLY));
    case F_EVT_IS_OPEN_WRITE:
        return set_bool(x, is_open_event(ev->type) && (open_flags_param(ev) & SKR_O_WRONLY));
    case F_EVT_IS_OPEN_EXEC: {
        uint32_t fl = open_flags_param(ev), mode = 0;
        if (ev->type == SKR_PPME_SYSCALL_CREAT_X) {
            return set_bool(x, (skr_ev_u64(ev, 2, 0) & 0111) != 0);
        }
        if (!is_open_event(ev->type) || ev->type == SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X ||
            !(fl & (SKR_O_CREAT | SKR_O_TMPFILE))) {
            return set_bool(x, false);
        }
        mode = (uint32_t)skr_ev_u64(ev, ev->type == SKR_PPME_SYSCALL_OPEN_X ? 3 : 4, 0);
        return set_bool(x, (mode & 0111) != 0);
    }
    case F_EVT_IS_OPEN_CREATE: {
        uint32_t fl = open_flags_param(ev);
        if (!is_open_event(ev->type)) {
            return set_bool(x, false);
        }
        return set_bool(x, (fl & SKR_O_F_CREATED) ||
                                   ((fl & SKR_O_TMPFILE) && skr_ev_s64(ev, 0, -1) >= 0));
    }
    case F_EVT_INFRA_DOCKER_NAME:
    case F_EVT_INFRA_DOCKER_CONTAINER_ID:
    case F_EVT_INFRA_DOCKER_CONTAINER_NAME:
    case F_EVT_INFRA_DOCKER_CONTAINER_IMAGE:
    case F_FDLIST_NUMS:
    case F_FDLIST_NAMES:
    case F_FDLIST_CIPS:
    case F_FDLIST_SIPS:
    case F_FDLIST_CPORTS:
    case F_FDLIST_SPORTS:
    case F_THREAD_CPU:
    case F_THREAD_CPU_USER:
    case F_THREAD_CPU_SYSTEM:
    case F_FD_CIP_NAME:
    case F_FD_SIP_NAME:
    case F_FD_LIP_NAME:
    case F_FD_RIP_NAME:
        return 0;
    default:
        break;
    }

    /* ---- fs.path.* (do not need the thread beyond path resolution) ---- */
    switch ((enum skr_field_id)id) {
    case F_FS_PATH_NAME:
        return fspath_field(x, 0, false);
    case F_FS_PATH_NAMERAW:
        return fspath_field(x, 0, true);
    case F_FS_PATH_SOURCE:
        return fspath_field(x, 1, false);
    case F_FS_PATH_SOURCERAW:
        return fspath_field(x, 1, true);
    case F_FS_PATH_TARGET:
        return fspath_field(x, 2, false);
    case F_FS_PATH_TARGETRAW:
        return fspath_field(x, 2, true);
    default:
        break;
    }

    /* ---- fd.* ---- */
    switch ((enum skr_field_id)id) {
    case F_FD_NUM:
        if (!c->has_fd) {
            return 0;
        }
        if (ev->info && (ev->info->flags & SKR_EF_CREATES_FD) && !fd && c->fd_num < 0) {
            return set_s64(x, -1);
        }
        return set_s64(x, c->fd_num);
    case F_FD_TYPE:
        return fd ? set_ref(x, skr_fdtype_name(fd->type)) : 0;
    case F_FD_TYPECHAR: {
        char ch;
        if (fd) {
            ch = skr_fdtype_char(fd->type);
        } else if (c->has_fd) {
            ch = evt_typechar(ev->type);
        } else {
            return 0;
        }
        return set_ref(x, char_str(ch));
    }
    case F_FD_NAME: {
        const char *p;
        size_t n;
        if (!fd &&
            (ev->type == SKR_PPME_SOCKET_CONNECT_X || ev->type == SKR_PPME_SOCKET_ACCEPT_5_X ||
             ev->type == SKR_PPME_SOCKET_ACCEPT4_6_X)) {
            b = sb_reset(x);
            skr_render_arg(s, b, 1); /* the tuple */
            return set_sb(x, b);
        }
        /* the fd's name, or the event's path: NUL-terminated, kept until the next event */
        return fd_name(x, &p, &n) ? set_ref(x, p) : 0;
    }
    case F_FD_DIRECTORY:
    case F_FD_FILENAME: {
        const char *p, *slash;
        size_t n;
        if (fd && !is_file_type(fd->type)) {
            return 0;
        }
        if (!fd && !c->has_evt_path) {
            return 0;
        }
        if (!fd_name(x, &p, &n)) {
            return 0;
        }
        if (id == F_FD_FILENAME && fd && fd->type == SKR_FD_DIRECTORY) {
            return 0;
        }
        if (id == F_FD_FILENAME && !fd) {
            return 0;
        }
        /* p is NUL-terminated and kept until the next event: whole names and final
         * components are handed out in place; only a directory part is copied */
        if (fd && fd->type == SKR_FD_DIRECTORY) {
            return set_ref(x, p);
        }
        if (n > 0 && p[n - 1] == '/') {
            return set_ref(x, p);
        }
        slash = memrchr(p, '/', n);
        if (id == F_FD_DIRECTORY) {
            if (!slash || slash == p) {
                return set_ref(x, "/");
            }
            return set_str(x, p, (size_t)(slash - p));
        }
        if (!slash) {
            return set_ref(x, "/");
        }
        return set_ref(x, slash + 1);
    }
    case F_FD_NAMERAW: {
        size_t n;
        const char *p;
        if (fd) {
            return set_str(x, fd->name_raw ? fd->name_raw : "", fd->raw_len);
        }
        if (ev->type == SKR_PPME_SYSCALL_OPENAT_2_X || ev->type == SKR_PPME_SYSCALL_OPENAT2_X) {
            p = skr_ev_str(ev, 2, &n);
        } else if (ev->type == SKR_PPME_SYSCALL_OPEN_X || ev->type == SKR_PPME_SYSCALL_CREAT_X) {
            p = skr_ev_str(ev, 1, &n);
        } else {
            return 0;
        }
        return p ? set_str(x, p, n) : 0;
    }
    case F_FD_IP:
    case F_FD_NET:
        if (!sock_view(fd, &sv)) {
            return 0;
        }
        if (sv.listening) {
            return set_buf(x, sv.sip, sv.v6 ? 16 : 4);
        }
        if (add_buf(x, sv.cip, sv.v6 ? 16 : 4) < 0) {
            return -1;
        }
        return add_buf(x, sv.sip, sv.v6 ? 16 : 4);
    case F_FD_CIP:
    case F_FD_CNET:
        if (!sock_view(fd, &sv) || sv.listening || !has_role(fd)) {
            return 0;
        }
        return set_buf(x, sv.cip, sv.v6 ? 16 : 4);
    case F_FD_SIP:
    case F_FD_SNET:
        if (!sock_view(fd, &sv) || (!sv.listening && !has_role(fd))) {
            return 0;
        }
        return set_buf(x, sv.sip, sv.v6 ? 16 : 4);
    case F_FD_LIP:
    case F_FD_LNET:
        if (!sock_view(fd, &sv) || sv.listening) {
            return 0;
        }
        return set_buf(x, sv.client_local ? sv.cip : sv.sip, sv.v6 ? 16 : 4);
    case F_FD_RIP:
    case F_FD_RNET:
        if (!sock_view(fd, &sv) || sv.listening) {
            return 0;
        }
        return set_buf(x, sv.client_local ? sv.sip : sv.cip, sv.v6 ? 16 : 4);
    case F_FD_PORT:
    case F_FD_PROTO:
        if (!sock_view(fd, &sv)) {
            return 0;
        }
        if (sv.listening) {
            return set_u64(x, sv.sport);
        }
        if (add_u64(x, sv.cport) < 0) {
            return -1;
        }
        return add_u64(x, sv.sport);
    case F_FD_CPORT:
    case F_FD_CPROTO:
        if (!sock_view(fd, &sv) || sv.listening || !has_role(fd)) {
            return 0;
        }
        if (id == F_FD_CPROTO) {
            char buf[8];
            int n = snprintf(buf, sizeof(buf), "%u", sv.cport);
            return set_str(x, buf, (size_t)n);
        }
        return set_u64(x, sv.cport);
    case F_FD_SPORT:
    case F_FD_SPROTO:
        if (!sock_view(fd, &sv) || (!sv.listening && !has_role(fd))) {
            return 0;
        }
        if (id == F_FD_SPROTO) {
            char buf[8];
            int n = snprintf(buf, sizeof(buf), "%u", sv.sport);
            return set_str(x, buf, (size_t)n);
        }
        return set_u64(x, sv.sport);
    case F_FD_LPORT:
    case F_FD_LPROTO:
    case F_FD_RPORT:
    case F_FD_RPROTO: {
        bool local = id == F_FD_LPORT || id == F_FD_LPROTO;
        uint16_t port;
        if (!sock_view(fd, &sv) || sv.listening) {
            return 0;
        }
        port = (local == sv.client_local) ? sv.cport : sv.sport;
        if (id == F_FD_LPROTO || id == F_FD_RPROTO) {
            char buf[8];
            int n = snprintf(buf, sizeof(buf), "%u", port);
            return set_str(x, buf, (size_t)n);
        }
        return set_u64(x, port);
    }
    case F_FD_L4PROTO:
        if (!fd) {
            return 0;
        }
        if (is_ip(fd->type) && !has_role(fd) && !is_listen(fd->type) && fd->l4proto != SKR_L4_RAW) {
            return set_cstr(x, "<NA>");
        }
        return set_cstr(x, is_ip(fd->type) ? l4name(fd->l4proto) : "<NA>");
    case F_FD_SOCKFAMILY:
        if (!fd) {
            return 0;
        }
        if (is_ip(fd->type)) {
            return set_cstr(x, "ip");
        }
        if (fd->type == SKR_FD_UNIX_SOCK) {
            return set_cstr(x, "unix");
        }
        return 0;
    case F_FD_IS_SERVER:
        if (!fd) {
            return 0;
        }
        return set_bool(x, is_listen(fd->type) || (fd->flags & SKR_FDF_ROLE_SERVER));
    case F_FD_UID: {
        char buf[48];
        int n;
        if (!fd || !t) {
            return 0;
        }
        n = snprintf(buf, sizeof(buf), "%" PRId64 "%" PRId64, t->tid, fd->fd);
        return set_str(x, buf, (size_t)n);
    }
    case F_FD_CONTAINERNAME:
    case F_FD_CONTAINERDIRECTORY: {
        const char *cid = skr_tables_dyn_str(s, t, "container_id");
        const char *p;
        size_t n;
        if (!fd_name(x, &p, &n)) {
            return 0;
        }
        b = sb_reset(x);
        skr_sbuf_adds(b, cid ? cid : "");
        skr_sbuf_addc(b, ':');
        if (id == F_FD_CONTAINERDIRECTORY) {
            const char *slash = memrchr(p, '/', n);
            if (slash && slash != p && !(fd && fd->type == SKR_FD_DIRECTORY)) {
                n = (size_t)(slash - p);
            }
        }
        skr_sbuf_add(b, p, n);
        return set_sb(x, b);
    }
    case F_FD_CONNECTED:
        return fd ? set_bool(x, fd->flags & SKR_FDF_CONNECTED) : 0;
    case F_FD_NAME_CHANGED:
        if (!c->has_fd) {
            return 0;
        }
        return set_bool(x, c->name_changed);
    case F_FD_DEV:
        return fd ? set_s64(x, (int32_t)fd->dev) : 0;
    case F_FD_DEV_MAJOR:
        return fd ? set_s64(x, (int32_t)((fd->dev & 0xfff00) >> 8)) : 0;
    case F_FD_DEV_MINOR:
        return fd ? set_s64(x, (int32_t)((fd->dev & 0xff) | ((fd->dev >> 12) & 0xfff00))) : 0;
    case F_FD_INO:
        return fd ? set_s64(x, (int64_t)fd->ino) : 0;
    case F_FD_IS_UPPER_LAYER:
        return fd ? set_bool(x, fd->openflags & SKR_FD_UPPER_LAYER) : 0;
    case F_FD_IS_LOWER_LAYER:
        return fd ? set_bool(x, fd->openflags & SKR_FD_LOWER_LAYER) : 0;
    case F_FD_TYPES: {
        uint32_t seen = 0;
        if (!m) {
            return 0;
        }
        if (x->f->arg_present) {
            struct skr_fdinfo *f = skr_fd_find(m->proc, (int64_t)x->f->arg_index);
            if (!f) {
                return 0;
            }
            return add_str(x, skr_fdtype_name(f->type), strlen(skr_fdtype_name(f->type)));
        }
        for (uint32_t i = 0; i < m->proc->fds.cap; i++) {
            struct skr_fdinfo *f = m->proc->fds.slots[i];
            if (f && f->type < 32 && !(seen & (1u << f->type))) {
                const char *n = skr_fdtype_name(f->type);
                seen |= 1u << f->type;
                if (add_str(x, n, strlen(n)) < 0) {
                    return -1;
                }
            }
        }
        return 0;
    }
    default:
        break;
    }

    /* ---- everything below needs the thread ---- */
    if (!t) {
        return 0;
    }
    switch ((enum skr_field_id)id) {
    case F_PROC_EXE:
        return set_ref(x, skr_blob_str(m->proc->exe));
    case F_PROC_PEXE:
        return parent_field(x, PK_EXE);
    case F_PROC_AEXE:
        return ancestors_field(x, PK_EXE);
    case F_PROC_EXEPATH:
        return set_ref(x, skr_blob_str(m->proc->exepath));
    case F_PROC_PEXEPATH:
        return parent_field(x, PK_EXEPATH);
    case F_PROC_AEXEPATH:
        return ancestors_field(x, PK_EXEPATH);
    case F_PROC_NAME:
        return set_ref(x, t->comm);
    case F_PROC_PNAME:
        return parent_field(x, PK_NAME);
    case F_PROC_ANAME:
        return ancestors_field(x, PK_NAME);
    case F_PROC_ARGS:
        if (x->f->arg_present) {
            const struct skr_blob *a = m->proc->args;
            const char *p = skr_blob_str(a), *end = p + skr_blob_len(a);
            for (uint64_t i = 0; a && p < end; i++) {
                size_t n = strnlen(p, (size_t)(end - p));
                if (i == x->f->arg_index) {
                    return set_str(x, p, n);
                }
                p += n + 1;
            }
            return set_str(x, "", 0);
        }
        b = sb_reset(x);
        args_joined(b, m->proc->args);
        return set_sb(x, b);
    case F_PROC_AARGS:
        if (x->f->arg_present) {
            struct skr_thread *p = ancestor(s, t, x->f->arg_index);
            if (!p) {
                return 0;
            }
            b = sb_reset(x);
            args_joined(b, p->proc->args);
            return set_sb(x, b);
        } else {
            struct skr_thread *p = m;
            bool first = true;
            b = sb_reset(x);
            for (int i = 0; i < MAX_ANCESTORS; i++) {
                struct skr_thread *q = skr_thread_parent(s->st, p);
                if (!q || q == p) {
                    break;
                }
                p = q;
                if (!first) {
                    skr_sbuf_addc(b, ' ');
                }
                args_joined(b, p->proc->args);
                first = false;
            }
            return set_sb(x, b);
        }
    case F_PROC_CMDLINE:
        b = sb_reset(x);
        proc_value(s, b, t, PK_CMDLINE);
        return set_sb(x, b);
    case F_PROC_PCMDLINE:
        return parent_field(x, PK_CMDLINE);
    case F_PROC_ACMDLINE:
        return ancestors_field(x, PK_CMDLINE);
    case F_PROC_CMDNARGS:
    case F_PROC_CMDLENARGS: {
        const struct skr_blob *a = m->proc->args;
        const char *p = skr_blob_str(a), *end = p + skr_blob_len(a);
        uint64_t cnt = 0, len = 0;
        while (a && p < end) {
            size_t n = strnlen(p, (size_t)(end - p));
            cnt++;
            len += n;
            p += n + 1;
        }
        return set_u64(x, id == F_PROC_CMDNARGS ? cnt : len);
    }
    case F_PROC_EXELINE:
        b = sb_reset(x);
        skr_sbuf_add(b, skr_blob_str(m->proc->exe), skr_blob_len(m->proc->exe));
        skr_sbuf_addc(b, ' ');
        args_joined(b, m->proc->args);
        return set_sb(x, b);
    case F_PROC_ENV:
        if (x->f->arg_present && x->f->arg_key) {
            return env_var(x, m->proc->env, x->f->arg_key);
        }
        b = sb_reset(x);
        proc_value(s, b, m, PK_ENV);
        return set_sb(x, b);
    case F_PROC_AENV:
        if (x->f->arg_present && x->f->arg_key) {
            struct skr_thread *p = m;
            for (int i = 0; i < 20; i++) {
                struct skr_thread *q = skr_thread_parent(s->st, p);
                if (!q || q == p) {
                    break;
                }
                p = q;
                const char *e = skr_blob_str(p->proc->env), *end = e + skr_blob_len(p->proc->env);
                size_t nl = strlen(x->f->arg_key);
                while (p->proc->env && e < end) {
                    size_t n = strnlen(e, (size_t)(end - e));
                    if (n > nl + 1 && memcmp(e, x->f->arg_key, nl) == 0 && e[nl] == '=') {
                        return set_str(x, e + nl + 1, n - nl - 1);
                    }
                    e += n + 1;
                }
            }
            return 0;
        }
        if (!x->f->arg_present || x->f->arg_index == 0) {
            b = sb_reset(x);
            proc_value(s, b, m, PK_ENV);
            return set_sb(x, b);
        } else {
            struct skr_thread *p = ancestor(s, t, x->f->arg_index);
            if (!p) {
                return 0;
            }
            b = sb_reset(x);
            proc_value(s, b, p, PK_ENV);
            return set_sb(x, b);
        }
    case F_PROC_CWD:
        if (!m->proc->cwd || m->proc->cwd->len == 0) {
            return set_cstr(x, "./");
        }
        return set_str(x, m->proc->cwd->data, m->proc->cwd->len);
    case F_PROC_LOGINSHELLID: {
        struct skr_thread *p = m;
        int64_t found = -1;
        for (int i = 0; p && i < MAX_ANCESTORS; i++) {
            size_t n = strlen(p->comm);
            if (n >= 2 && p->comm[n - 2] == 's' && p->comm[n - 1] == 'h') {
                found = p->pid;
            }
            struct skr_thread *q = skr_thread_parent(s->st, p);
            if (q == p) {
                break;
            }
            p = q;
        }
        return found >= 0 ? set_s64(x, found) : 0;
    }
    case F_PROC_TTY:
        return set_u64(x, t->tty);
    case F_PROC_PID:
        return set_s64(x, t->pid);
    case F_PROC_PPID:
        return parent_field(x, PK_PID);
    case F_PROC_APID:
        if (!x->f->arg_present) {
            return set_s64(x, t->pid);
        }
        return ancestors_field(x, PK_PID);
    case F_PROC_VPID:
        return t->vpid >= 0 ? set_s64(x, t->vpid) : 0;
    case F_PROC_PVPID: {
        struct skr_thread *p = t->ptid > 0 ? skr_thread_find(s->st, t->ptid) : NULL;
        return p ? set_s64(x, p->vpid) : 0;
    }
    case F_PROC_SID:
        return set_s64(x, t->sid);
    case F_PROC_SNAME:
    case F_PROC_SID_EXE:
    case F_PROC_SID_EXEPATH:
    case F_PROC_VPGID_NAME:
    case F_PROC_VPGID_EXE:
    case F_PROC_VPGID_EXEPATH:
    case F_PROC_PGID_NAME:
    case F_PROC_PGID_EXE:
    case F_PROC_PGID_EXEPATH: {
        bool session = id == F_PROC_SNAME || id == F_PROC_SID_EXE || id == F_PROC_SID_EXEPATH;
        struct skr_thread *l = group_leader(s, t, session);
        enum pkind k = (id == F_PROC_SNAME || id == F_PROC_VPGID_NAME || id == F_PROC_PGID_NAME)
                               ? PK_NAME
                       : (id == F_PROC_SID_EXE || id == F_PROC_VPGID_EXE || id == F_PROC_PGID_EXE)
                               ? PK_EXE
                               : PK_EXEPATH;
        if (!l) {
            return set_str(x, "", 0);
        }
        b = sb_reset(x);
        proc_value(s, b, skr_thread_main(s->st, l), k);
        return set_sb(x, b);
    }
    case F_PROC_VPGID:
        return set_s64(x, t->vpgid);
    case F_PROC_PGID:
        return set_s64(x, t->pgid);
    case F_PROC_DURATION:
        if (!m->clone_ts || ev->ts < m->clone_ts) {
            return 0;
        }
        return set_u64(x, ev->ts - m->clone_ts);
    case F_PROC_PPID_DURATION: {
        struct skr_thread *p = skr_thread_parent(s->st, t);
        if (!p || !p->clone_ts || ev->ts < p->clone_ts) {
            return 0;
        }
        return set_u64(x, ev->ts - p->clone_ts);
    }
    case F_PROC_PID_TS:
        return m->clone_ts ? set_u64(x, m->clone_ts) : 0;
    case F_PROC_PPID_TS: {
        struct skr_thread *p = t->ptid > 0 ? skr_thread_find(s->st, t->ptid) : NULL;
        return p && p->clone_ts ? set_u64(x, p->clone_ts) : 0;
    }
    case F_PROC_IS_EXE_WRITABLE:
        return set_bool(x, m->proc->exe_flags & SKR_EXE_WRITABLE);
    case F_PROC_IS_EXE_UPPER_LAYER:
        return set_bool(x, m->proc->exe_flags & SKR_EXE_UPPER_LAYER);
    case F_PROC_IS_EXE_LOWER_LAYER:
        return set_bool(x, m->proc->exe_flags & SKR_EXE_LOWER_LAYER);
    case F_PROC_IS_EXE_FROM_MEMFD:
        return set_bool(x, m->proc->exe_flags & SKR_EXE_FROM_MEMFD);
    case F_PROC_IS_SID_LEADER:
        return set_bool(x, t->sid == t->vpid);
    case F_PROC_IS_VPGID_LEADER:
        return set_bool(x, t->vpgid == t->vpid);
    case F_PROC_IS_PGID_LEADER:
        return set_bool(x, t->pgid == t->pid);
    case F_PROC_EXE_INO:
        return m->proc->exe_ino ? set_s64(x, (int64_t)m->proc->exe_ino) : 0;
    case F_PROC_EXE_INO_CTIME:
        return m->proc->exe_ino_ctime ? set_u64(x, m->proc->exe_ino_ctime) : 0;
    case F_PROC_EXE_INO_MTIME:
        return m->proc->exe_ino_mtime ? set_u64(x, m->proc->exe_ino_mtime) : 0;
    case F_PROC_EXE_INO_CTIME_DURATION_PROC_START:
        return m->exe_ino_ctime_duration_clone_ts ? set_u64(x, m->exe_ino_ctime_duration_clone_ts)
                                                  : 0;
    case F_PROC_EXE_INO_CTIME_DURATION_PIDNS_START:
        return m->exe_ino_ctime_duration_pidns_start
                       ? set_u64(x, m->exe_ino_ctime_duration_pidns_start)
                       : 0;
    case F_PROC_PIDNS_INIT_START_TS:
        return t->pidns_init_start_ts ? set_u64(x, t->pidns_init_start_ts) : 0;
    case F_THREAD_CAP_PERMITTED:
        return caps_field(x, t->cap_prm);
    case F_THREAD_CAP_INHERITABLE:
        return caps_field(x, t->cap_inh);
    case F_THREAD_CAP_EFFECTIVE:
        return caps_field(x, t->cap_eff);
    case F_PROC_FDOPENCOUNT:
        return set_u64(x, m->proc->fds.count);
    case F_PROC_FDLIMIT:
        return set_s64(x, m->proc->fdlimit);
    case F_PROC_FDUSAGE:
        if (m->proc->fdlimit <= 0) {
            return set_double(x, 0);
        }
        return set_double(x, 100.0 * m->proc->fds.count / (double)m->proc->fdlimit);
    case F_PROC_VMSIZE:
        return set_u64(x, m->proc->vmsize_kb);
    case F_PROC_VMRSS:
        return set_u64(x, m->proc->vmrss_kb);
    case F_PROC_VMSWAP:
        return set_u64(x, m->proc->vmswap_kb);
    case F_THREAD_PFMAJOR:
        return set_u64(x, t->pfmajor);
    case F_THREAD_PFMINOR:
        return set_u64(x, t->pfminor);
    case F_THREAD_TID:
        return set_s64(x, t->tid);
    case F_THREAD_ISMAIN:
        return set_bool(x, t->tid == t->pid || (t->flags & SKR_CL_IS_MAIN_THREAD));
    case F_THREAD_VTID:
        return t->vtid >= 0 ? set_s64(x, t->vtid) : 0;
    case F_THREAD_NAMETID: {
        b = sb_reset(x);
        skr_sbuf_addf(b, "%s%" PRId64, t->comm, t->tid);
        return set_sb(x, b);
    }
    case F_THREAD_CGROUPS: {
        const struct skr_blob *cg = t->cgroups;
        const char *p = skr_blob_str(cg), *end = p + skr_blob_len(cg);
        bool first = true;
        if (!cg || !cg->len) {
            return 0;
        }
        b = sb_reset(x);
        while (p < end) {
            size_t n = strnlen(p, (size_t)(end - p));
            if (!first) {
                skr_sbuf_addc(b, ' ');
            }
            skr_sbuf_add(b, p, n);
            first = false;
            p += n + 1;
        }
        return set_sb(x, b);
    }
    case F_THREAD_CGROUP:
        return cgroup_field(x, x->f->arg_key);
    case F_PROC_NTHREADS:
        return set_u64(x, m->proc->nthreads);
    case F_PROC_NCHILDS:
        return set_u64(x, m->proc->nthreads > 0 ? m->proc->nthreads - 1 : 0);
    case F_THREAD_VMSIZE:
    case F_THREAD_VMSIZE_B:
        if (t != m) {
            return set_u64(x, 0);
        }
        return set_u64(x, id == F_THREAD_VMSIZE ? m->proc->vmsize_kb
                                                : (uint64_t)m->proc->vmsize_kb * 1024);
    case F_THREAD_VMRSS:
    case F_THREAD_VMRSS_B:
        if (t != m) {
            return set_u64(x, 0);
        }
        return set_u64(x, id == F_THREAD_VMRSS ? m->proc->vmrss_kb
                                               : (uint64_t)m->proc->vmrss_kb * 1024);
    case F_PROC_STDIN_TYPE:
        return fd_std(x, 0, false);
    case F_PROC_STDOUT_TYPE:
        return fd_std(x, 1, false);
    case F_PROC_STDERR_TYPE:
        return fd_std(x, 2, false);
    case F_PROC_STDIN_NAME:
        return fd_std(x, 0, true);
    case F_PROC_STDOUT_NAME:
        return fd_std(x, 1, true);
    case F_PROC_STDERR_NAME:
        return fd_std(x, 2, true);
    case F_GROUP_GID:
        return set_u64(x, t->gid);
    case F_GROUP_NAME: {
        const char *cid = skr_tables_dyn_str(s, t, "container_id");
        const char *g = skr_users_group(s->users, t->gid, cid, t->pid);
        return set_cstr(x, g ? g : t->gid == 0 ? "root" : "<NA>");
    }
    case F_USER_UID:
        return set_u64(x, t->uid);
    case F_USER_NAME: {
        const struct skr_user *u = user_of(x, t->uid);
        return set_ref(x, u ? u->name : t->uid == 0 ? "root" : "<NA>");
    }
    case F_USER_HOMEDIR: {
        const struct skr_user *u = user_of(x, t->uid);
        return set_cstr(x, u ? u->home : t->uid == 0 ? "/root" : "<NA>");
    }
    case F_USER_SHELL: {
        const struct skr_user *u = user_of(x, t->uid);
        return set_cstr(x, u ? u->shell : "<NA>");
    }
    case F_USER_LOGINUID:
        return set_s64(x, t->loginuid == UINT32_MAX ? -1 : (int64_t)t->loginuid);
    case F_USER_LOGINNAME: {
        const struct skr_user *u;
        if (t->loginuid == UINT32_MAX) {
            return set_cstr(x, "<NA>");
        }
        u = user_of(x, t->loginuid);
        return set_cstr(x, u ? u->name : t->loginuid == 0 ? "root" : "<NA>");
    }
    default:
        return 0;
    }
}

ss_plugin_rc skr_extract(struct skr_sys *s,
                         const ss_plugin_event_input *evt,
                         const ss_plugin_field_extract_input *in)
{
    struct xc x = { .s = s };

    /* results live until another event comes (plugin_get_extract_lifetime) */
    if (s->store_evtnum != evt->evtnum) {
        saker_store_reset(&s->store);
        s->store_evtnum = evt->evtnum;
    }
    if (!s->ctx.valid || s->ctx.evtnum != evt->evtnum) {
        /* not parsed by us (another parser order, or a replay without parse): look only */
        if (skr_ctx_prepare(s, evt->evtnum, evt->evt) < 0) {
            for (uint32_t i = 0; i < in->num_fields; i++) {
                in->fields[i].res_len = 0;
            }
            return SS_PLUGIN_SUCCESS;
        }
    }
    x.ev = &s->ctx.ev;
    x.t = s->ctx.thread;
    x.m = x.t ? skr_thread_main(s->st, x.t) : NULL;
    for (uint32_t i = 0; i < in->num_fields; i++) {
        x.f = &in->fields[i];
        x.f->res_len = 0;
        if (extract_one(&x) < 0) {
            return saker_err(&s->err, "out of memory extracting %s", x.f->field);
        }
    }
    return SS_PLUGIN_SUCCESS;
}
