// SPDX-License-Identifier: Apache-2.0
/*
 * The "threads" table offered to the host and other plugins (tables part of
 * the plugin API): key int64 tid, the fields of a thread entry, read-only
 * subtables args/env/cgroups (keyed by index) and file_descriptors (keyed by
 * fd), and dynamic fields other plugins add (e.g. the container plugin's
 * container_id).
 *
 * Every table pointer handed out starts with a tag, so the same vtables
 * serve the threads table and every subtable. Entries are the plugin's own
 * objects: a thread entry stays valid until the thread is removed, which
 * happens only in this plugin's parse_event, never while another plugin
 * holds it during its own call. release_table_entry has nothing to do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "render.h"

#define TAG     0x534b5254u /* "SKRT" */
#define MAX_DYN 64

enum tkind {
    TK_THREADS,
    TK_ARGS,
    TK_ENV,
    TK_CGROUPS,
    TK_FDS
};

struct tab {
    uint32_t tag;
    uint32_t kind; /* enum tkind */
    struct skr_sys *s;
    struct skr_thread *t; /* subtables: the thread they belong to */
};

/* One thread's four subtables, allocated on first use (skr_thread.subtables). */
struct subtabs {
    struct tab args, env, cgroups, fds;
    char first[64]; /* scratch for cgroups' "first" */
};

struct fdesc {
    uint32_t tag;
    uint32_t kind; /* table kind it belongs to */
    uint32_t id;   /* static field id, or MAX_DYN+index for dynamic fields */
    ss_plugin_state_type type;
};

/* ---- Static fields ------------------------------------------------------------------ */

enum {
    TF_TID,
    TF_PID,
    TF_PTID,
    TF_REAPER_TID,
    TF_SID,
    TF_COMM,
    TF_EXE,
    TF_EXE_PATH,
    TF_EXE_WRITABLE,
    TF_EXE_UPPER_LAYER,
    TF_EXE_LOWER_LAYER,
    TF_EXE_FROM_MEMFD,
    TF_ARGS,
    TF_ENV,
    TF_CGROUPS,
    TF_FLAGS,
    TF_FD_LIMIT,
    TF_UID,
    TF_GID,
    TF_LOGINUID,
    TF_EXE_INO,
    TF_EXE_INO_CTIME,
    TF_EXE_INO_MTIME,
    TF_VTID,
    TF_VPID,
    TF_VPGID,
    TF_PGID,
    TF_PIDNS_INIT_START_TS,
    TF_ROOT,
    TF_TTY,
    TF_FILE_DESCRIPTORS,
    TF_CWD,
    TF_COUNT
};

static ss_plugin_table_fieldinfo g_thread_fields[TF_COUNT] = {
    [TF_TID] = { "tid", SS_PLUGIN_ST_INT64, 1 },
    [TF_PID] = { "pid", SS_PLUGIN_ST_INT64, 0 },
    [TF_PTID] = { "ptid", SS_PLUGIN_ST_INT64, 0 },
    [TF_REAPER_TID] = { "reaper_tid", SS_PLUGIN_ST_INT64, 0 },
    [TF_SID] = { "sid", SS_PLUGIN_ST_INT64, 0 },
    [TF_COMM] = { "comm", SS_PLUGIN_ST_STRING, 0 },
    [TF_EXE] = { "exe", SS_PLUGIN_ST_STRING, 0 },
    [TF_EXE_PATH] = { "exe_path", SS_PLUGIN_ST_STRING, 0 },
    [TF_EXE_WRITABLE] = { "exe_writable", SS_PLUGIN_ST_BOOL, 0 },
    [TF_EXE_UPPER_LAYER] = { "exe_upper_layer", SS_PLUGIN_ST_BOOL, 0 },
    [TF_EXE_LOWER_LAYER] = { "exe_lower_layer", SS_PLUGIN_ST_BOOL, 0 },
    [TF_EXE_FROM_MEMFD] = { "exe_from_memfd", SS_PLUGIN_ST_BOOL, 0 },
    [TF_ARGS] = { "args", SS_PLUGIN_ST_TABLE, 1 },
    [TF_ENV] = { "env", SS_PLUGIN_ST_TABLE, 1 },
    [TF_CGROUPS] = { "cgroups", SS_PLUGIN_ST_TABLE, 1 },
    [TF_FLAGS] = { "flags", SS_PLUGIN_ST_UINT32, 0 },
    [TF_FD_LIMIT] = { "fd_limit", SS_PLUGIN_ST_INT64, 0 },
    [TF_UID] = { "uid", SS_PLUGIN_ST_UINT32, 0 },
    [TF_GID] = { "gid", SS_PLUGIN_ST_UINT32, 0 },
    [TF_LOGINUID] = { "loginuid", SS_PLUGIN_ST_UINT32, 0 },
    [TF_EXE_INO] = { "exe_ino", SS_PLUGIN_ST_UINT64, 0 },
    [TF_EXE_INO_CTIME] = { "exe_ino_ctime", SS_PLUGIN_ST_UINT64, 0 },
    [TF_EXE_INO_MTIME] = { "exe_ino_mtime", SS_PLUGIN_ST_UINT64, 0 },
    [TF_VTID] = { "vtid", SS_PLUGIN_ST_INT64, 0 },
    [TF_VPID] = { "vpid", SS_PLUGIN_ST_INT64, 0 },
    [TF_VPGID] = { "vpgid", SS_PLUGIN_ST_INT64, 0 },
    [TF_PGID] = { "pgid", SS_PLUGIN_ST_INT64, 0 },
    [TF_PIDNS_INIT_START_TS] = { "pidns_init_start_ts", SS_PLUGIN_ST_UINT64, 0 },
    [TF_ROOT] = { "root", SS_PLUGIN_ST_STRING, 0 },
    [TF_TTY] = { "tty", SS_PLUGIN_ST_UINT32, 0 },
    [TF_FILE_DESCRIPTORS] = { "file_descriptors", SS_PLUGIN_ST_TABLE, 1 },
    [TF_CWD] = { "cwd", SS_PLUGIN_ST_STRING, 1 },
};

enum {
    FF_TYPE,
    FF_OPEN_FLAGS,
    FF_NAME,
    FF_NAME_RAW,
    FF_FLAGS,
    FF_DEV,
    FF_INO,
    FF_PID,
    FF_FD,
    FF_COUNT
};

static ss_plugin_table_fieldinfo g_fd_fields[FF_COUNT] = {
    [FF_TYPE] = { "type", SS_PLUGIN_ST_UINT8, 1 },
    [FF_OPEN_FLAGS] = { "open_flags", SS_PLUGIN_ST_UINT32, 1 },
    [FF_NAME] = { "name", SS_PLUGIN_ST_STRING, 1 },
    [FF_NAME_RAW] = { "name_raw", SS_PLUGIN_ST_STRING, 1 },
    [FF_FLAGS] = { "flags", SS_PLUGIN_ST_UINT32, 1 },
    [FF_DEV] = { "dev", SS_PLUGIN_ST_UINT32, 1 },
    [FF_INO] = { "ino", SS_PLUGIN_ST_UINT64, 1 },
    [FF_PID] = { "pid", SS_PLUGIN_ST_INT64, 1 },
    [FF_FD] = { "fd", SS_PLUGIN_ST_INT64, 1 },
};

static ss_plugin_table_fieldinfo g_value_fields[1] = { { "value", SS_PLUGIN_ST_STRING, 1 } };
static ss_plugin_table_fieldinfo g_pair_fields[2] = { { "first", SS_PLUGIN_ST_STRING, 1 },
                                                      { "second", SS_PLUGIN_ST_STRING, 1 } };

/* ---- The tables module -------------------------------------------------------------- */

struct dynfield {
    struct fdesc d;
    char *name;
};

struct skr_tables {
    struct skr_sys *s;
    struct tab root;
    struct fdesc thread_descs[TF_COUNT];
    struct fdesc fd_descs[FF_COUNT];
    struct fdesc value_desc, pair_descs[2];
    struct dynfield dyn[MAX_DYN];
    uint32_t ndyn;
    ss_plugin_table_fieldinfo *list; /* list_table_fields of threads: static + dynamic */
    int container_id_idx;            /* cached index of container_id, -1 */
    ss_plugin_table_reader_vtable_ext reader;
    ss_plugin_table_writer_vtable_ext writer;
    ss_plugin_table_fields_vtable_ext fields;
};

static struct tab *as_tab(ss_plugin_table_t *t)
{
    struct tab *tb = t;
    return tb && tb->tag == TAG ? tb : NULL;
}

static const struct fdesc *as_desc(const ss_plugin_table_field_t *f)
{
    const struct fdesc *d = f;
    return d && d->tag == TAG ? d : NULL;
}

static struct subtabs *subtabs_of(struct skr_sys *s, struct skr_thread *t)
{
    struct subtabs *st = t->subtables;

    if (st) {
        return st;
    }
    st = calloc(1, sizeof(*st));
    if (!st) {
        return NULL;
    }
    st->args = (struct tab){ TAG, TK_ARGS, s, t };
    st->env = (struct tab){ TAG, TK_ENV, s, t };
    st->cgroups = (struct tab){ TAG, TK_CGROUPS, s, t };
    st->fds = (struct tab){ TAG, TK_FDS, s, t };
    t->subtables = st;
    return st;
}

/* The n-th NUL-separated item of blob b, or NULL. */
static const char *blob_item(const struct skr_blob *b, uint64_t n, size_t *len)
{
    const char *p = skr_blob_str(b), *end = p + skr_blob_len(b);

    for (uint64_t i = 0; b && p < end; i++) {
        size_t l = strnlen(p, (size_t)(end - p));
        if (i == n) {
            *len = l;
            return p;
        }
        p += l + 1;
    }
    return NULL;
}

static uint64_t blob_count(const struct skr_blob *b)
{
    uint64_t n = 0;
    size_t l;

    while (blob_item(b, n, &l)) {
        n++;
    }
    return n;
}

static const struct skr_blob *item_blob(const struct tab *tb)
{
    struct skr_thread *m = skr_thread_main(tb->s->st, tb->t);

    switch (tb->kind) {
    case TK_ARGS:
        return m->proc->args;
    case TK_ENV:
        return m->proc->env;
    case TK_CGROUPS:
        return tb->t->cgroups;
    default:
        return NULL;
    }
}

/* ---- Reader -------------------------------------------------------------------------- */

static const char *get_table_name(ss_plugin_table_t *t)
{
    struct tab *tb = as_tab(t);

    if (!tb) {
        return NULL;
    }
    switch (tb->kind) {
    case TK_THREADS:
        return "threads";
    case TK_ARGS:
        return "args";
    case TK_ENV:
        return "env";
    case TK_CGROUPS:
        return "cgroups";
    default:
        return "file_descriptors";
    }
}

static uint64_t get_table_size(ss_plugin_table_t *t)
{
    struct tab *tb = as_tab(t);

    if (!tb) {
        return (uint64_t)-1;
    }
    if (tb->kind == TK_THREADS) {
        return skr_state_size(tb->s->st);
    }
    if (tb->kind == TK_FDS) {
        return skr_thread_main(tb->s->st, tb->t)->proc->fds.count;
    }
    return blob_count(item_blob(tb));
}

/* Subtable entries of index tables are encoded indexes + 1 (NULL stays "none"). */
static ss_plugin_table_entry_t *get_table_entry(ss_plugin_table_t *t,
                                                const ss_plugin_state_data *key)
{
    struct tab *tb = as_tab(t);
    size_t l;

    if (!tb || !key) {
        return NULL;
    }
    switch (tb->kind) {
    case TK_THREADS:
        return skr_thread_find(tb->s->st, key->s64);
    case TK_FDS:
        return skr_fd_find(skr_thread_main(tb->s->st, tb->t)->proc, key->s64);
    default:
        if (!blob_item(item_blob(tb), key->u64, &l)) {
            return NULL;
        }
        return (ss_plugin_table_entry_t *)(uintptr_t)(key->u64 + 1);
    }
}

static void release_table_entry(ss_plugin_table_t *t, ss_plugin_table_entry_t *e)
{
    (void)t;
    (void)e;
}

static int read_dyn(struct skr_thread *th,
                    uint32_t idx,
                    ss_plugin_state_type type,
                    ss_plugin_state_data *out)
{
    memset(out, 0, sizeof(*out));
    if (idx < th->ndyn && th->dyn[idx].set) {
        if (type == SS_PLUGIN_ST_STRING) {
            out->str = th->dyn[idx].v.str ? th->dyn[idx].v.str : "";
        } else {
            out->u64 = th->dyn[idx].v.u64;
        }
    } else if (type == SS_PLUGIN_ST_STRING) {
        out->str = "";
    }
    return 0;
}

static ss_plugin_rc read_thread(struct tab *tb,
                                struct skr_thread *th,
                                const struct fdesc *d,
                                ss_plugin_state_data *out)
{
    struct skr_sys *s = tb->s;
    struct skr_thread *m = skr_thread_main(s->st, th);
    struct subtabs *sub;

    if (d->id >= MAX_DYN) {
        read_dyn(th, d->id - MAX_DYN, d->type, out);
        return SS_PLUGIN_SUCCESS;
    }
    switch (d->id) {
    case TF_TID:
        out->s64 = th->tid;
        break;
    case TF_PID:
        out->s64 = th->pid;
        break;
    case TF_PTID:
        out->s64 = th->ptid;
        break;
    case TF_REAPER_TID:
        out->s64 = th->reaper_tid;
        break;
    case TF_SID:
        out->s64 = th->sid;
        break;
    case TF_COMM:
        out->str = th->comm;
        break;
    case TF_EXE:
        out->str = skr_blob_str(m->proc->exe);
        break;
    case TF_EXE_PATH:
        out->str = skr_blob_str(m->proc->exepath);
        break;
    case TF_EXE_WRITABLE:
        out->b = (m->proc->exe_flags & SKR_EXE_WRITABLE) != 0;
        break;
    case TF_EXE_UPPER_LAYER:
        out->b = (m->proc->exe_flags & SKR_EXE_UPPER_LAYER) != 0;
        break;
    case TF_EXE_LOWER_LAYER:
        out->b = (m->proc->exe_flags & SKR_EXE_LOWER_LAYER) != 0;
        break;
    case TF_EXE_FROM_MEMFD:
        out->b = (m->proc->exe_flags & SKR_EXE_FROM_MEMFD) != 0;
        break;
    case TF_ARGS:
    case TF_ENV:
    case TF_CGROUPS:
    case TF_FILE_DESCRIPTORS:
        sub = subtabs_of(s, th);
        if (!sub) {
            return SS_PLUGIN_FAILURE;
        }
        out->table = d->id == TF_ARGS      ? (ss_plugin_table_t *)&sub->args
                     : d->id == TF_ENV     ? (ss_plugin_table_t *)&sub->env
                     : d->id == TF_CGROUPS ? (ss_plugin_table_t *)&sub->cgroups
                                           : (ss_plugin_table_t *)&sub->fds;
        break;
    case TF_FLAGS:
        out->u32 = th->flags & ~SKR_TF_PLACEHOLDER;
        break;
    case TF_FD_LIMIT:
        out->s64 = m->proc->fdlimit;
        break;
    case TF_UID:
        out->u32 = th->uid;
        break;
    case TF_GID:
        out->u32 = th->gid;
        break;
    case TF_LOGINUID:
        out->u32 = th->loginuid;
        break;
    case TF_EXE_INO:
        out->u64 = m->proc->exe_ino;
        break;
    case TF_EXE_INO_CTIME:
        out->u64 = m->proc->exe_ino_ctime;
        break;
    case TF_EXE_INO_MTIME:
        out->u64 = m->proc->exe_ino_mtime;
        break;
    case TF_VTID:
        out->s64 = th->vtid;
        break;
    case TF_VPID:
        out->s64 = th->vpid;
        break;
    case TF_VPGID:
        out->s64 = th->vpgid;
        break;
    case TF_PGID:
        out->s64 = th->pgid;
        break;
    case TF_PIDNS_INIT_START_TS:
        out->u64 = th->pidns_init_start_ts;
        break;
    case TF_ROOT:
        out->str = skr_blob_str(m->proc->root);
        break;
    case TF_TTY:
        out->u32 = th->tty;
        break;
    case TF_CWD:
        out->str = skr_blob_str(m->proc->cwd);
        break;
    default:
        return SS_PLUGIN_FAILURE;
    }
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc read_fd(struct skr_fdinfo *f, const struct fdesc *d, ss_plugin_state_data *out)
{
    switch (d->id) {
    case FF_TYPE:
        out->u8 = f->type;
        break;
    case FF_OPEN_FLAGS:
        out->u32 = f->openflags;
        break;
    case FF_NAME:
        out->str = f->name ? f->name : "";
        break;
    case FF_NAME_RAW:
        out->str = f->name_raw ? f->name_raw : "";
        break;
    case FF_FLAGS:
        out->u32 = f->flags;
        break;
    case FF_DEV:
        out->u32 = f->dev;
        break;
    case FF_INO:
        out->u64 = f->ino;
        break;
    case FF_PID:
        out->s64 = f->pid;
        break;
    case FF_FD:
        out->s64 = f->fd;
        break;
    default:
        return SS_PLUGIN_FAILURE;
    }
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc read_entry_field(ss_plugin_table_t *t,
                                     ss_plugin_table_entry_t *e,
                                     const ss_plugin_table_field_t *f,
                                     ss_plugin_state_data *out)
{
    struct tab *tb = as_tab(t);
    const struct fdesc *d = as_desc(f);

    /* args and env share the "value" accessor */
    if (!tb || !d || !e || !out ||
        (d->kind != tb->kind && !(d->kind == TK_ARGS && tb->kind == TK_ENV))) {
        return SS_PLUGIN_FAILURE;
    }
    switch (tb->kind) {
    case TK_THREADS:
        return read_thread(tb, e, d, out);
    case TK_FDS:
        return read_fd(e, d, out);
    default: {
        uint64_t idx = (uint64_t)(uintptr_t)e - 1;
        size_t l;
        const char *item = blob_item(item_blob(tb), idx, &l);
        if (!item) {
            return SS_PLUGIN_FAILURE;
        }
        if (tb->kind != TK_CGROUPS) {
            out->str = item;
            return SS_PLUGIN_SUCCESS;
        }
        {
            const char *eq = memchr(item, '=', l);
            struct subtabs *sub = subtabs_of(tb->s, tb->t);
            size_t nl = eq ? (size_t)(eq - item) : l;
            if (!sub) {
                return SS_PLUGIN_FAILURE;
            }
            if (d->id == 1) {
                out->str = eq ? eq + 1 : "";
                return SS_PLUGIN_SUCCESS;
            }
            /* controller names as libsinsp spells them */
            if (nl == 2 && memcmp(item, "io", 2) == 0) {
                out->str = "blkio";
                return SS_PLUGIN_SUCCESS;
            }
            if (nl >= sizeof(sub->first)) {
                nl = sizeof(sub->first) - 1;
            }
            memcpy(sub->first, item, nl);
            sub->first[nl] = '\0';
            out->str = sub->first;
            return SS_PLUGIN_SUCCESS;
        }
    }
    }
}

struct iter_ctx {
    ss_plugin_table_iterator_func_t it;
    ss_plugin_table_iterator_state_t *st;
    bool stopped;
};

static bool iter_thread(void *u, struct skr_thread *t)
{
    struct iter_ctx *c = u;

    if (!c->it(c->st, t)) {
        c->stopped = true;
        return false;
    }
    return true;
}

static ss_plugin_bool iterate_entries(ss_plugin_table_t *t,
                                      ss_plugin_table_iterator_func_t it,
                                      ss_plugin_table_iterator_state_t *s)
{
    struct tab *tb = as_tab(t);
    struct iter_ctx c = { it, s, false };

    if (!tb || !it) {
        return 0;
    }
    switch (tb->kind) {
    case TK_THREADS:
        skr_state_foreach(tb->s->st, iter_thread, &c);
        return !c.stopped;
    case TK_FDS: {
        struct skr_proc *p = skr_thread_main(tb->s->st, tb->t)->proc;
        for (uint32_t i = 0; i < p->fds.cap; i++) {
            if (p->fds.slots[i] && !it(s, p->fds.slots[i])) {
                return 0;
            }
        }
        return 1;
    }
    default: {
        uint64_t n = blob_count(item_blob(tb));
        for (uint64_t i = 0; i < n; i++) {
            if (!it(s, (ss_plugin_table_entry_t *)(uintptr_t)(i + 1))) {
                return 0;
            }
        }
        return 1;
    }
    }
}

/* ---- Writer ------------------------------------------------------------------------------ */

/*
 * Another plugin removed or replaced the thread tid (-1: every thread): the
 * current event's view is looked up again at its next extraction.
 */
static void forget_ctx(struct skr_sys *s, int64_t tid)
{
    if (tid < 0 || (s->ctx.thread && s->ctx.thread->tid == tid)) {
        s->ctx.valid = false;
        s->ctx.thread = NULL;
        s->ctx.fd = NULL;
    }
}

static ss_plugin_rc clear_table(ss_plugin_table_t *t)
{
    struct tab *tb = as_tab(t);

    if (!tb || tb->kind != TK_THREADS) {
        return SS_PLUGIN_FAILURE;
    }
    forget_ctx(tb->s, -1);
    skr_state_clear(tb->s->st);
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc erase_table_entry(ss_plugin_table_t *t, const ss_plugin_state_data *key)
{
    struct tab *tb = as_tab(t);

    if (!tb || tb->kind != TK_THREADS || !key) {
        return SS_PLUGIN_FAILURE;
    }
    forget_ctx(tb->s, key->s64);
    skr_thread_remove(tb->s->st, key->s64);
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_table_entry_t *create_table_entry(ss_plugin_table_t *t)
{
    struct tab *tb = as_tab(t);

    if (!tb || tb->kind != TK_THREADS) {
        return NULL;
    }
    return skr_thread_new_detached();
}

static void destroy_table_entry(ss_plugin_table_t *t, ss_plugin_table_entry_t *e)
{
    struct tab *tb = as_tab(t);

    if (tb && tb->kind == TK_THREADS && e) {
        skr_thread_free_detached(e);
    }
}

static ss_plugin_table_entry_t *add_table_entry(ss_plugin_table_t *t,
                                                const ss_plugin_state_data *key,
                                                ss_plugin_table_entry_t *e)
{
    struct tab *tb = as_tab(t);
    struct skr_thread *th = e;

    if (!tb || tb->kind != TK_THREADS || !key || !e) {
        return NULL;
    }
    forget_ctx(tb->s, key->s64);
    if (!skr_thread_insert(tb->s->st, key->s64, th, tb->s->ctx.ev.ts)) {
        skr_thread_free_detached(th);
        return NULL;
    }
    if (th->pid < 0) {
        th->pid = th->tid;
    }
    return th;
}

static ss_plugin_rc write_dyn(struct skr_thread *th,
                              uint32_t idx,
                              ss_plugin_state_type type,
                              const ss_plugin_state_data *in)
{
    if (idx >= th->ndyn) {
        struct skr_dynval *nd = realloc(th->dyn, (idx + 1) * sizeof(*nd));
        if (!nd) {
            return SS_PLUGIN_FAILURE;
        }
        memset(nd + th->ndyn, 0, (idx + 1 - th->ndyn) * sizeof(*nd));
        th->dyn = nd;
        th->ndyn = idx + 1;
    }
    if (type == SS_PLUGIN_ST_STRING) {
        const char *src = in->str ? in->str : "";
        char *old = th->dyn[idx].v.str;
        size_t n = strlen(src);
        if (old && strcmp(old, src) == 0) {
            return SS_PLUGIN_SUCCESS;
        }
        char *copy = malloc(n + 1);
        if (!copy) {
            return SS_PLUGIN_FAILURE;
        }
        memcpy(copy, src, n + 1);
        free(old);
        th->dyn[idx].v.str = copy;
    } else {
        switch (type) {
        case SS_PLUGIN_ST_INT8:
            th->dyn[idx].v.s64 = in->s8;
            break;
        case SS_PLUGIN_ST_INT16:
            th->dyn[idx].v.s64 = in->s16;
            break;
        case SS_PLUGIN_ST_INT32:
            th->dyn[idx].v.s64 = in->s32;
            break;
        case SS_PLUGIN_ST_UINT8:
            th->dyn[idx].v.u64 = in->u8;
            break;
        case SS_PLUGIN_ST_UINT16:
            th->dyn[idx].v.u64 = in->u16;
            break;
        case SS_PLUGIN_ST_UINT32:
            th->dyn[idx].v.u64 = in->u32;
            break;
        case SS_PLUGIN_ST_BOOL:
            th->dyn[idx].v.u64 = in->b;
            break;
        default:
            th->dyn[idx].v.u64 = in->u64;
            break;
        }
    }
    th->dyn[idx].type = (uint8_t)type;
    th->dyn[idx].set = 1;
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc write_entry_field(ss_plugin_table_t *t,
                                      ss_plugin_table_entry_t *e,
                                      const ss_plugin_table_field_t *f,
                                      const ss_plugin_state_data *in)
{
    struct tab *tb = as_tab(t);
    const struct fdesc *d = as_desc(f);
    struct skr_thread *th = e, *m;

    if (!tb || !d || !e || !in || tb->kind != TK_THREADS || d->kind != TK_THREADS) {
        return SS_PLUGIN_FAILURE;
    }
    if (d->id >= MAX_DYN) {
        return write_dyn(th, d->id - MAX_DYN, d->type, in);
    }
    if (g_thread_fields[d->id].read_only) {
        return SS_PLUGIN_FAILURE;
    }
    m = skr_thread_main(tb->s->st, th);
    switch (d->id) {
    case TF_PID:
        th->pid = in->s64;
        break;
    case TF_PTID:
        th->ptid = in->s64;
        break;
    case TF_REAPER_TID:
        th->reaper_tid = in->s64;
        break;
    case TF_SID:
        th->sid = in->s64;
        break;
    case TF_COMM: {
        size_t n = in->str ? strlen(in->str) : 0;
        if (n >= sizeof(th->comm)) {
            n = sizeof(th->comm) - 1;
        }
        memcpy(th->comm, in->str ? in->str : "", n);
        th->comm[n] = '\0';
        break;
    }
    case TF_EXE:
    case TF_EXE_PATH:
    case TF_ROOT: {
        const char *src = in->str ? in->str : "";
        struct skr_blob *b = skr_blob_new(src, strlen(src));
        struct skr_blob **dst = d->id == TF_EXE        ? &m->proc->exe
                                : d->id == TF_EXE_PATH ? &m->proc->exepath
                                                       : &m->proc->root;
        if (!b) {
            return SS_PLUGIN_FAILURE;
        }
        skr_blob_unref(*dst);
        *dst = b;
        break;
    }
    case TF_EXE_WRITABLE:
    case TF_EXE_UPPER_LAYER:
    case TF_EXE_LOWER_LAYER:
    case TF_EXE_FROM_MEMFD: {
        uint32_t bit = d->id == TF_EXE_WRITABLE      ? SKR_EXE_WRITABLE
                       : d->id == TF_EXE_UPPER_LAYER ? SKR_EXE_UPPER_LAYER
                       : d->id == TF_EXE_LOWER_LAYER ? SKR_EXE_LOWER_LAYER
                                                     : SKR_EXE_FROM_MEMFD;
        m->proc->exe_flags = in->b ? (m->proc->exe_flags | bit) : (m->proc->exe_flags & ~bit);
        break;
    }
    case TF_FLAGS:
        th->flags = in->u32 & ~SKR_TF_PLACEHOLDER;
        break;
    case TF_FD_LIMIT:
        m->proc->fdlimit = in->s64;
        break;
    case TF_UID:
        th->uid = in->u32;
        break;
    case TF_GID:
        th->gid = in->u32;
        break;
    case TF_LOGINUID:
        th->loginuid = in->u32;
        break;
    case TF_EXE_INO:
        m->proc->exe_ino = in->u64;
        break;
    case TF_EXE_INO_CTIME:
        m->proc->exe_ino_ctime = in->u64;
        break;
    case TF_EXE_INO_MTIME:
        m->proc->exe_ino_mtime = in->u64;
        break;
    case TF_VTID:
        th->vtid = in->s64;
        break;
    case TF_VPID:
        th->vpid = in->s64;
        break;
    case TF_VPGID:
        th->vpgid = in->s64;
        break;
    case TF_PGID:
        th->pgid = in->s64;
        break;
    case TF_PIDNS_INIT_START_TS:
        th->pidns_init_start_ts = in->u64;
        break;
    case TF_TTY:
        th->tty = in->u32;
        break;
    default:
        return SS_PLUGIN_FAILURE;
    }
    return SS_PLUGIN_SUCCESS;
}

/* ---- Fields ------------------------------------------------------------------------------ */

static struct skr_tables *tables_of(struct tab *tb)
{
    return tb->s->tables;
}

static ss_plugin_table_fieldinfo *list_table_fields(ss_plugin_table_t *t, uint32_t *n)
{
    struct tab *tb = as_tab(t);
    struct skr_tables *tt;

    if (!tb || !n) {
        return NULL;
    }
    switch (tb->kind) {
    case TK_THREADS:
        tt = tables_of(tb);
        *n = TF_COUNT + tt->ndyn;
        return tt->list;
    case TK_FDS:
        *n = FF_COUNT;
        return g_fd_fields;
    case TK_CGROUPS:
        *n = 2;
        return g_pair_fields;
    default:
        *n = 1;
        return g_value_fields;
    }
}

static ss_plugin_table_field_t *get_table_field(ss_plugin_table_t *t,
                                                const char *name,
                                                ss_plugin_state_type type)
{
    struct tab *tb = as_tab(t);
    struct skr_tables *tt;

    if (!tb || !name) {
        return NULL;
    }
    tt = tables_of(tb);
    switch (tb->kind) {
    case TK_THREADS:
        for (uint32_t i = 0; i < TF_COUNT; i++) {
            if (strcmp(g_thread_fields[i].name, name) == 0) {
                return g_thread_fields[i].field_type == type ? &tt->thread_descs[i] : NULL;
            }
        }
        for (uint32_t i = 0; i < tt->ndyn; i++) {
            if (strcmp(tt->dyn[i].name, name) == 0) {
                return tt->dyn[i].d.type == type ? &tt->dyn[i].d : NULL;
            }
        }
        return NULL;
    case TK_FDS:
        for (uint32_t i = 0; i < FF_COUNT; i++) {
            if (strcmp(g_fd_fields[i].name, name) == 0) {
                return g_fd_fields[i].field_type == type ? &tt->fd_descs[i] : NULL;
            }
        }
        return NULL;
    case TK_CGROUPS:
        if (type != SS_PLUGIN_ST_STRING) {
            return NULL;
        }
        if (strcmp(name, "first") == 0) {
            return &tt->pair_descs[0];
        }
        return strcmp(name, "second") == 0 ? &tt->pair_descs[1] : NULL;
    default:
        return strcmp(name, "value") == 0 && type == SS_PLUGIN_ST_STRING ? &tt->value_desc : NULL;
    }
}

static int rebuild_list(struct skr_tables *tt)
{
    ss_plugin_table_fieldinfo *l = realloc(tt->list, (TF_COUNT + tt->ndyn) * sizeof(*l));

    if (!l) {
        return -ENOMEM;
    }
    memcpy(l, g_thread_fields, sizeof(g_thread_fields));
    for (uint32_t i = 0; i < tt->ndyn; i++) {
        l[TF_COUNT + i].name = tt->dyn[i].name;
        l[TF_COUNT + i].field_type = tt->dyn[i].d.type;
        l[TF_COUNT + i].read_only = 0;
    }
    tt->list = l;
    return 0;
}

static ss_plugin_table_field_t *add_table_field(ss_plugin_table_t *t,
                                                const char *name,
                                                ss_plugin_state_type type)
{
    struct tab *tb = as_tab(t);
    struct skr_tables *tt;
    ss_plugin_table_field_t *existing;
    struct dynfield *df;

    if (!tb || !name || tb->kind != TK_THREADS || type == SS_PLUGIN_ST_TABLE) {
        return NULL;
    }
    tt = tables_of(tb);
    existing = get_table_field(t, name, type);
    if (existing) {
        return existing;
    }
    for (uint32_t i = 0; i < TF_COUNT; i++) {
        if (strcmp(g_thread_fields[i].name, name) == 0) {
            return NULL; /* a static field of another type */
        }
    }
    for (uint32_t i = 0; i < tt->ndyn; i++) {
        if (strcmp(tt->dyn[i].name, name) == 0) {
            return NULL; /* a dynamic field of another type */
        }
    }
    if (tt->ndyn >= MAX_DYN) {
        return NULL;
    }
    df = &tt->dyn[tt->ndyn];
    df->name = strdup(name);
    if (!df->name) {
        return NULL;
    }
    df->d = (struct fdesc){ TAG, TK_THREADS, MAX_DYN + tt->ndyn, type };
    tt->ndyn++;
    if (strcmp(name, "container_id") == 0 && type == SS_PLUGIN_ST_STRING) {
        tt->container_id_idx = (int)tt->ndyn - 1;
    }
    if (rebuild_list(tt) < 0) {
        tt->ndyn--;
        free(df->name);
        return NULL;
    }
    return &df->d;
}

/* ---- Module --------------------------------------------------------------------------- */

struct skr_tables *skr_tables_new(struct skr_sys *s)
{
    struct skr_tables *tt = calloc(1, sizeof(*tt));

    if (!tt) {
        return NULL;
    }
    tt->s = s;
    tt->root = (struct tab){ TAG, TK_THREADS, s, NULL };
    tt->container_id_idx = -1;
    for (uint32_t i = 0; i < TF_COUNT; i++) {
        tt->thread_descs[i] = (struct fdesc){ TAG, TK_THREADS, i, g_thread_fields[i].field_type };
    }
    for (uint32_t i = 0; i < FF_COUNT; i++) {
        tt->fd_descs[i] = (struct fdesc){ TAG, TK_FDS, i, g_fd_fields[i].field_type };
    }
    tt->value_desc = (struct fdesc){ TAG, TK_ARGS, 0, SS_PLUGIN_ST_STRING };
    tt->pair_descs[0] = (struct fdesc){ TAG, TK_CGROUPS, 0, SS_PLUGIN_ST_STRING };
    tt->pair_descs[1] = (struct fdesc){ TAG, TK_CGROUPS, 1, SS_PLUGIN_ST_STRING };
    tt->reader = (ss_plugin_table_reader_vtable_ext){
        .get_table_name = get_table_name,
        .get_table_size = get_table_size,
        .get_table_entry = get_table_entry,
        .read_entry_field = read_entry_field,
        .release_table_entry = release_table_entry,
        .iterate_entries = iterate_entries,
    };
    tt->writer = (ss_plugin_table_writer_vtable_ext){
        .clear_table = clear_table,
        .erase_table_entry = erase_table_entry,
        .create_table_entry = create_table_entry,
        .destroy_table_entry = destroy_table_entry,
        .add_table_entry = add_table_entry,
        .write_entry_field = write_entry_field,
    };
    tt->fields = (ss_plugin_table_fields_vtable_ext){
        .list_table_fields = list_table_fields,
        .get_table_field = get_table_field,
        .add_table_field = add_table_field,
    };
    if (rebuild_list(tt) < 0) {
        free(tt);
        return NULL;
    }
    return tt;
}

void skr_tables_free(struct skr_tables *tt)
{
    if (!tt) {
        return;
    }
    for (uint32_t i = 0; i < tt->ndyn; i++) {
        free(tt->dyn[i].name);
    }
    free(tt->list);
    free(tt);
}

int skr_tables_register(struct skr_sys *s, const ss_plugin_init_tables_input *in)
{
    struct skr_tables *tt = s->tables;
    ss_plugin_table_input ti;

    if (!in || !in->add_table) {
        return 0; /* a host without tables: nothing to offer */
    }
    memset(&ti, 0, sizeof(ti));
    ti.name = "threads";
    ti.key_type = SS_PLUGIN_ST_INT64;
    ti.table = &tt->root;
    ti.reader.get_table_name = get_table_name;
    ti.reader.get_table_size = get_table_size;
    ti.reader.get_table_entry = get_table_entry;
    ti.reader.read_entry_field = read_entry_field;
    ti.writer.clear_table = clear_table;
    ti.writer.erase_table_entry = erase_table_entry;
    ti.writer.create_table_entry = create_table_entry;
    ti.writer.destroy_table_entry = destroy_table_entry;
    ti.writer.add_table_entry = add_table_entry;
    ti.writer.write_entry_field = write_entry_field;
    ti.fields.list_table_fields = list_table_fields;
    ti.fields.get_table_field = get_table_field;
    ti.fields.add_table_field = add_table_field;
    ti.reader_ext = &tt->reader;
    ti.writer_ext = &tt->writer;
    ti.fields_ext = &tt->fields;
    if (in->add_table(s->owner, &ti) != SS_PLUGIN_SUCCESS) {
        return -EINVAL;
    }
    return 0;
}

const char *skr_tables_dyn_str(struct skr_sys *s, const struct skr_thread *t, const char *name)
{
    struct skr_tables *tt = s->tables;
    int idx = -1;

    if (!tt || !t) {
        return NULL;
    }
    if (strcmp(name, "container_id") == 0) {
        idx = tt->container_id_idx;
    } else {
        for (uint32_t i = 0; i < tt->ndyn; i++) {
            if (strcmp(tt->dyn[i].name, name) == 0 && tt->dyn[i].d.type == SS_PLUGIN_ST_STRING) {
                idx = (int)i;
            }
        }
    }
    if (idx < 0 || (uint32_t)idx >= t->ndyn || !t->dyn[idx].set) {
        return NULL;
    }
    return t->dyn[idx].v.str;
}
