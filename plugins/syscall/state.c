// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

#define FD_FREELIST   1024
#define EVICT_SAMPLES 32

struct slot {
    int64_t tid;
    struct skr_thread *t; /* NULL: empty */
};

struct skr_state {
    struct skr_state_limits lim;
    struct skr_state_stats stats;
    struct slot *slots;
    size_t cap; /* power of two */
    size_t count;
    size_t evict_cursor;
    struct skr_fdinfo *free_fds[FD_FREELIST];
    uint32_t n_free;
};

/* ---- Blobs ---------------------------------------------------------------------- */

struct skr_blob *skr_blob_new(const void *p, size_t len)
{
    struct skr_blob *b;

    if (len > UINT32_MAX - 1) {
        return NULL;
    }
    b = malloc(sizeof(*b) + len + 1);
    if (!b) {
        return NULL;
    }
    b->refs = 1;
    b->len = (uint32_t)len;
    if (len) {
        memcpy(b->data, p, len);
    }
    b->data[len] = '\0';
    return b;
}

void skr_blob_unref(struct skr_blob *b)
{
    if (b && --b->refs == 0) {
        free(b);
    }
}

/* ---- Fd entries ----------------------------------------------------------------- */

static struct skr_fdinfo *fd_alloc(struct skr_state *st)
{
    struct skr_fdinfo *f;

    if (st->n_free > 0) {
        f = st->free_fds[--st->n_free];
        /* keep the name buffers, clear the rest */
        char *name = f->name, *raw = f->name_raw;
        uint32_t ncap = f->name_cap, rcap = f->raw_cap;
        memset(f, 0, sizeof(*f));
        f->name = name;
        f->name_cap = ncap;
        f->name_raw = raw;
        f->raw_cap = rcap;
        if (name) {
            name[0] = '\0';
        }
        if (raw) {
            raw[0] = '\0';
        }
        return f;
    }
    return calloc(1, sizeof(*f));
}

static void fd_release(struct skr_state *st, struct skr_fdinfo *f)
{
    if (!f) {
        return;
    }
    if (st && st->n_free < FD_FREELIST) {
        st->free_fds[st->n_free++] = f;
        return;
    }
    free(f->name);
    free(f->name_raw);
    free(f);
}

static int set_buf(char **buf, uint32_t *len, uint32_t *cap, const char *s, size_t n)
{
    if (n >= UINT32_MAX) {
        return -ENOMEM;
    }
    if (!*buf || *cap < n + 1) {
        uint32_t want = (uint32_t)(n + 1 < 64 ? 64 : n + 1);
        char *nb = realloc(*buf, want);
        if (!nb) {
            return -ENOMEM;
        }
        *buf = nb;
        *cap = want;
    }
    if (n) {
        memmove(*buf, s, n);
    }
    (*buf)[n] = '\0';
    *len = (uint32_t)n;
    return 0;
}

int skr_fd_set_name(struct skr_fdinfo *f, const char *name, size_t len)
{
    return set_buf(&f->name, &f->name_len, &f->name_cap, name, len);
}

int skr_fd_set_name_raw(struct skr_fdinfo *f, const char *name, size_t len)
{
    return set_buf(&f->name_raw, &f->raw_len, &f->raw_cap, name, len);
}

struct skr_fdinfo *skr_fd_find(struct skr_proc *p, int64_t fd)
{
    if (!p || fd < 0 || (uint64_t)fd >= p->fds.cap) {
        return NULL;
    }
    return p->fds.slots[fd];
}

static int fd_grow(struct skr_state *st, struct skr_proc *p, int64_t fd)
{
    uint32_t ncap = p->fds.cap ? p->fds.cap : 16;
    struct skr_fdinfo **ns;

    if (fd < 0) {
        return -EINVAL;
    }
    if ((uint64_t)fd >= st->lim.max_fd) {
        st->stats.n_fd_drops++;
        return -ERANGE;
    }
    while ((uint64_t)fd >= ncap) {
        ncap *= 2;
    }
    if (ncap > st->lim.max_fd) {
        ncap = st->lim.max_fd;
    }
    ns = realloc(p->fds.slots, ncap * sizeof(*ns));
    if (!ns) {
        return -ENOMEM;
    }
    memset(ns + p->fds.cap, 0, (ncap - p->fds.cap) * sizeof(*ns));
    p->fds.slots = ns;
    p->fds.cap = ncap;
    return 0;
}

struct skr_fdinfo *skr_fd_add(struct skr_state *st, struct skr_proc *p, int64_t fd)
{
    struct skr_fdinfo *f;

    if (fd < 0 || (uint64_t)fd >= p->fds.cap) {
        if (fd_grow(st, p, fd) < 0) {
            return NULL;
        }
    }
    f = p->fds.slots[fd];
    if (f) {
        /* reuse the entry in place */
        char *name = f->name, *raw = f->name_raw;
        uint32_t ncap = f->name_cap, rcap = f->raw_cap;
        memset(f, 0, sizeof(*f));
        f->name = name;
        f->name_cap = ncap;
        f->name_raw = raw;
        f->raw_cap = rcap;
        if (name) {
            name[0] = '\0';
        }
        if (raw) {
            raw[0] = '\0';
        }
    } else {
        f = fd_alloc(st);
        if (!f) {
            return NULL;
        }
        p->fds.slots[fd] = f;
        p->fds.count++;
        st->stats.n_fds++;
    }
    f->fd = fd;
    return f;
}

void skr_fd_remove(struct skr_state *st, struct skr_proc *p, int64_t fd)
{
    struct skr_fdinfo *f = skr_fd_find(p, fd);

    if (!f) {
        return;
    }
    p->fds.slots[fd] = NULL;
    p->fds.count--;
    st->stats.n_fds--;
    fd_release(st, f);
}

struct skr_fdinfo *skr_fd_copy(struct skr_state *st,
                               struct skr_proc *p,
                               int64_t fd,
                               const struct skr_fdinfo *src)
{
    struct skr_fdinfo saved;
    struct skr_fdinfo *f;

    if (skr_fd_find(p, fd) == src) {
        return (struct skr_fdinfo *)src; /* onto itself (dup2(n, n)): nothing changes */
    }
    /* src is another entry: making room for fd never moves or changes it */
    saved = *src;
    f = skr_fd_add(st, p, fd);
    if (f) {
        char *name = f->name, *raw = f->name_raw;
        uint32_t ncap = f->name_cap, rcap = f->raw_cap;
        *f = saved;
        f->fd = fd;
        f->name = name;
        f->name_cap = ncap;
        f->name_len = 0;
        f->name_raw = raw;
        f->raw_cap = rcap;
        f->raw_len = 0;
        if (skr_fd_set_name(f, src->name_len ? src->name : "", saved.name_len) < 0 ||
            skr_fd_set_name_raw(f, src->raw_len ? src->name_raw : "", saved.raw_len) < 0) {
            skr_fd_remove(st, p, fd);
            f = NULL;
        }
    }
    return f;
}

void skr_fd_clear_all(struct skr_state *st, struct skr_proc *p)
{
    for (uint32_t i = 0; i < p->fds.cap; i++) {
        if (p->fds.slots[i]) {
            fd_release(st, p->fds.slots[i]);
            p->fds.slots[i] = NULL;
            st->stats.n_fds--;
        }
    }
    p->fds.count = 0;
}

/* ---- Processes ----------------------------------------------------------------- */

static struct skr_proc *proc_new(void)
{
    struct skr_proc *p = calloc(1, sizeof(*p));

    if (p) {
        p->refs = 1;
        p->fdlimit = -1;
    }
    return p;
}

static void proc_unref(struct skr_state *st, struct skr_proc *p)
{
    if (!p || --p->refs > 0) {
        return;
    }
    skr_blob_unref(p->exe);
    skr_blob_unref(p->args);
    skr_blob_unref(p->env);
    skr_blob_unref(p->cwd);
    skr_blob_unref(p->exepath);
    skr_blob_unref(p->root);
    if (st) {
        skr_fd_clear_all(st, p);
    } else {
        for (uint32_t i = 0; i < p->fds.cap; i++) {
            fd_release(NULL, p->fds.slots[i]);
        }
    }
    free(p->fds.slots);
    free(p);
}

struct skr_proc *skr_proc_fork(struct skr_state *st, const struct skr_proc *parent)
{
    struct skr_proc *p = proc_new();

    if (!p) {
        return NULL;
    }
    p->exe = skr_blob_ref(parent->exe);
    p->args = skr_blob_ref(parent->args);
    p->env = skr_blob_ref(parent->env);
    p->cwd = skr_blob_ref(parent->cwd);
    p->exepath = skr_blob_ref(parent->exepath);
    p->root = skr_blob_ref(parent->root);
    p->fdlimit = parent->fdlimit;
    p->vmsize_kb = parent->vmsize_kb;
    p->vmrss_kb = parent->vmrss_kb;
    p->vmswap_kb = parent->vmswap_kb;
    p->exe_flags = parent->exe_flags;
    p->exe_ino = parent->exe_ino;
    p->exe_ino_ctime = parent->exe_ino_ctime;
    p->exe_ino_mtime = parent->exe_ino_mtime;
    for (uint32_t i = 0; i < parent->fds.cap; i++) {
        const struct skr_fdinfo *src = parent->fds.slots[i];
        struct skr_fdinfo *f;
        if (!src) {
            continue;
        }
        f = skr_fd_copy(st, p, i, src);
        if (f) {
            f->flags |= SKR_FDF_CLONED;
        }
    }
    return p;
}

/* ---- Threads -------------------------------------------------------------------- */

static void thread_free(struct skr_state *st, struct skr_thread *t)
{
    if (!t) {
        return;
    }
    if (t->proc) {
        if (t->proc->nthreads > 0) {
            t->proc->nthreads--;
        }
        proc_unref(st, t->proc);
    }
    skr_blob_unref(t->cgroups);
    for (uint32_t i = 0; i < t->ndyn; i++) {
        if (t->dyn[i].type == 9 /* SS_PLUGIN_ST_STRING */) {
            free(t->dyn[i].v.str);
        }
    }
    free(t->dyn);
    free(t->subtables);
    free(t);
}

struct skr_thread *skr_thread_new_detached(void)
{
    struct skr_thread *t = calloc(1, sizeof(*t));

    if (!t) {
        return NULL;
    }
    t->proc = proc_new();
    if (!t->proc) {
        free(t);
        return NULL;
    }
    t->proc->nthreads = 1;
    t->pid = t->ptid = t->sid = t->vpgid = t->pgid = t->vtid = t->vpid = t->reaper_tid = -1;
    t->uid = t->gid = t->loginuid = UINT32_MAX;
    t->flags = 0;
    return t;
}

void skr_thread_free_detached(struct skr_thread *t)
{
    thread_free(NULL, t);
}

void skr_thread_set_proc(struct skr_state *st, struct skr_thread *t, struct skr_proc *proc)
{
    if (t->proc == proc) {
        return;
    }
    if (t->proc) {
        if (t->proc->nthreads > 0) {
            t->proc->nthreads--;
        }
        proc_unref(st, t->proc);
    }
    t->proc = proc;
    if (proc) {
        proc->refs++;
        proc->nthreads++;
    }
}

static size_t hash_tid(int64_t tid, size_t mask)
{
    uint64_t x = (uint64_t)tid * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 32) & mask;
}

static int table_grow(struct skr_state *st)
{
    size_t ncap = st->cap ? st->cap * 2 : 1024;
    struct slot *ns = calloc(ncap, sizeof(*ns));

    if (!ns) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < st->cap; i++) {
        if (st->slots[i].t) {
            size_t j = hash_tid(st->slots[i].tid, ncap - 1);
            while (ns[j].t) {
                j = (j + 1) & (ncap - 1);
            }
            ns[j] = st->slots[i];
        }
    }
    free(st->slots);
    st->slots = ns;
    st->cap = ncap;
    return 0;
}

static size_t find_slot(const struct skr_state *st, int64_t tid)
{
    size_t mask = st->cap - 1, i = hash_tid(tid, mask);

    while (st->slots[i].t) {
        if (st->slots[i].tid == tid) {
            return i;
        }
        i = (i + 1) & mask;
    }
    return SIZE_MAX;
}

struct skr_thread *skr_thread_find(struct skr_state *st, int64_t tid)
{
    size_t i;

    if (!st->cap) {
        return NULL;
    }
    i = find_slot(st, tid);
    return i == SIZE_MAX ? NULL : st->slots[i].t;
}

/* Removes slot i, shifting the following cluster back (no tombstones). */
static void slot_delete(struct skr_state *st, size_t i)
{
    size_t mask = st->cap - 1, j = i;

    st->slots[i].t = NULL;
    for (;;) {
        size_t k;
        j = (j + 1) & mask;
        if (!st->slots[j].t) {
            break;
        }
        k = hash_tid(st->slots[j].tid, mask);
        /* move j to i when its home k is not in (i, j] (cyclically) */
        if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j)) {
            continue;
        }
        st->slots[i] = st->slots[j];
        st->slots[j].t = NULL;
        i = j;
    }
    st->count--;
}

void skr_thread_remove(struct skr_state *st, int64_t tid)
{
    size_t i;
    struct skr_thread *t;

    if (!st->cap) {
        return;
    }
    i = find_slot(st, tid);
    if (i == SIZE_MAX) {
        return;
    }
    t = st->slots[i].t;
    slot_delete(st, i);
    st->stats.n_threads = st->count;
    thread_free(st, t);
}

/* Evicts the least recently seen of a sample of threads not seen at now. */
static bool evict_one(struct skr_state *st, uint64_t now)
{
    size_t best = SIZE_MAX;
    uint64_t best_ts = UINT64_MAX;
    size_t seen = 0;

    for (size_t n = 0; n < st->cap && seen < EVICT_SAMPLES; n++) {
        size_t i = (st->evict_cursor + n) & (st->cap - 1);
        struct skr_thread *t = st->slots[i].t;
        uint64_t ts;
        if (!t) {
            continue;
        }
        seen++;
        ts = t->dead ? 0 : t->last_seen_ts;
        if (ts < now && ts < best_ts) {
            best_ts = ts;
            best = i;
        }
    }
    st->evict_cursor = (st->evict_cursor + EVICT_SAMPLES * 2) & (st->cap - 1);
    if (best == SIZE_MAX) {
        return false;
    }
    skr_thread_remove(st, st->slots[best].tid);
    st->stats.n_thread_evictions++;
    return true;
}

struct skr_thread *skr_thread_insert(struct skr_state *st,
                                     int64_t tid,
                                     struct skr_thread *t,
                                     uint64_t now)
{
    size_t i;

    skr_thread_remove(st, tid);
    if (st->count >= st->lim.max_threads && !evict_one(st, now)) {
        st->stats.n_thread_evictions++;
        return NULL;
    }
    if ((st->count + 1) * 2 > st->cap && table_grow(st) < 0) {
        return NULL;
    }
    i = hash_tid(tid, st->cap - 1);
    while (st->slots[i].t) {
        i = (i + 1) & (st->cap - 1);
    }
    st->slots[i].tid = tid;
    st->slots[i].t = t;
    st->count++;
    st->stats.n_threads = st->count;
    t->tid = tid;
    t->last_seen_ts = now;
    return t;
}

struct skr_thread *skr_thread_add(struct skr_state *st, int64_t tid, uint64_t now)
{
    struct skr_thread *t = skr_thread_new_detached();

    if (!t) {
        return NULL;
    }
    if (!skr_thread_insert(st, tid, t, now)) {
        thread_free(st, t);
        return NULL;
    }
    return t;
}

struct skr_thread *skr_thread_main(struct skr_state *st, struct skr_thread *t)
{
    struct skr_thread *m;

    if (!t || t->tid == t->pid || t->pid < 0) {
        return t;
    }
    m = skr_thread_find(st, t->pid);
    return m ? m : t;
}

struct skr_thread *skr_thread_parent(struct skr_state *st, struct skr_thread *t)
{
    struct skr_thread *m = skr_thread_main(st, t), *p;

    if (!m || m->ptid <= 0 || m->ptid == m->tid) {
        return NULL;
    }
    p = skr_thread_find(st, m->ptid);
    if (!p) {
        return NULL;
    }
    return skr_thread_main(st, p);
}

void skr_state_foreach(struct skr_state *st, bool (*fn)(void *u, struct skr_thread *t), void *u)
{
    for (size_t i = 0; i < st->cap; i++) {
        if (st->slots[i].t && !fn(u, st->slots[i].t)) {
            return;
        }
    }
}

size_t skr_state_size(const struct skr_state *st)
{
    return st->count;
}

/* ---- The state ------------------------------------------------------------------ */

struct skr_state *skr_state_new(const struct skr_state_limits *lim)
{
    struct skr_state *st = calloc(1, sizeof(*st));

    if (!st) {
        return NULL;
    }
    st->lim = *lim;
    if (st->lim.max_threads == 0) {
        st->lim.max_threads = 1;
    }
    if (st->lim.max_fd == 0) {
        st->lim.max_fd = 1;
    }
    if (table_grow(st) < 0) {
        free(st);
        return NULL;
    }
    return st;
}

void skr_state_clear(struct skr_state *st)
{
    for (size_t i = 0; i < st->cap; i++) {
        if (st->slots[i].t) {
            thread_free(st, st->slots[i].t);
            st->slots[i].t = NULL;
        }
    }
    st->count = 0;
    st->stats.n_threads = 0;
}

void skr_state_free(struct skr_state *st)
{
    if (!st) {
        return;
    }
    skr_state_clear(st);
    for (uint32_t i = 0; i < st->n_free; i++) {
        free(st->free_fds[i]->name);
        free(st->free_fds[i]->name_raw);
        free(st->free_fds[i]);
    }
    free(st->slots);
    free(st);
}

const struct skr_state_stats *skr_state_stats(const struct skr_state *st)
{
    return &st->stats;
}
