/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process, thread and file-descriptor state.
 *
 * A thread (struct skr_thread, one per host tid) points at the process it
 * belongs to (struct skr_proc, shared by the threads of a thread group): the
 * process holds what Linux shares between threads (executable, argv, env,
 * cwd, fd table, limits); the thread holds what is per task (comm,
 * credentials, capabilities, cgroups, ids).
 *
 * Strings that are copied on fork (argv, env, cwd, paths) are immutable
 * reference-counted blobs, so a fork costs reference increments, not copies.
 * Fd names live in each fd entry and are reused in place when the fd number
 * is reused, so the hot path (open, close, dup) does not allocate once warm.
 *
 * Memory is bounded: the thread table has a size limit (the least recently
 * seen thread is evicted and counted), each fd table stops at max_fd, and
 * exited threads and closed fds are removed.
 *
 * Not thread-safe: one state per plugin state, used from its source thread.
 */
#ifndef SKR_SYSCALL_STATE_H
#define SKR_SYSCALL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Blobs --------------------------------------------------------------------- */

struct skr_blob {
    uint32_t refs;
    uint32_t len; /* bytes before the terminating NUL (data[len] == 0) */
    char data[];
};

/* A new blob holding p[0..len) plus a NUL, refcount 1; NULL on OOM. */
struct skr_blob *skr_blob_new(const void *p, size_t len);
static inline struct skr_blob *skr_blob_ref(struct skr_blob *b)
{
    if (b) {
        b->refs++;
    }
    return b;
}
void skr_blob_unref(struct skr_blob *b);
static inline const char *skr_blob_str(const struct skr_blob *b)
{
    return b ? b->data : "";
}
static inline uint32_t skr_blob_len(const struct skr_blob *b)
{
    return b ? b->len : 0;
}

/* ---- File descriptors ------------------------------------------------------------ */

enum skr_fdtype {
    SKR_FD_UNINIT = 0,
    SKR_FD_FILE,
    SKR_FD_DIRECTORY,
    SKR_FD_IPV4_SOCK,
    SKR_FD_IPV6_SOCK,
    SKR_FD_IPV4_SERVSOCK,
    SKR_FD_IPV6_SERVSOCK,
    SKR_FD_FIFO,
    SKR_FD_UNIX_SOCK,
    SKR_FD_EVENT,
    SKR_FD_UNKNOWN,
    SKR_FD_UNSUPPORTED,
    SKR_FD_SIGNALFD,
    SKR_FD_EVENTPOLL,
    SKR_FD_INOTIFY,
    SKR_FD_TIMERFD,
    SKR_FD_NETLINK,
    SKR_FD_FILE_V2,
    SKR_FD_BPF,
    SKR_FD_USERFAULTFD,
    SKR_FD_IOURING,
    SKR_FD_MEMFD,
    SKR_FD_PIDFD,
};

/* struct skr_fdinfo.flags */
#define SKR_FDF_ROLE_CLIENT (1u << 0)
#define SKR_FDF_ROLE_SERVER (1u << 1)
#define SKR_FDF_CONNECTED   (1u << 2)
#define SKR_FDF_CLOEXEC     (1u << 3)
#define SKR_FDF_FROM_PROC   (1u << 4)
#define SKR_FDF_CLONED      (1u << 5)

/* l4 protocols */
#define SKR_L4_NA   0
#define SKR_L4_TCP  1
#define SKR_L4_UDP  2
#define SKR_L4_ICMP 3
#define SKR_L4_RAW  4

struct skr_fdinfo {
    int64_t fd;
    uint8_t type;    /* enum skr_fdtype */
    uint8_t l4proto; /* SKR_L4_* */
    uint16_t pad;
    uint32_t flags;     /* SKR_FDF_* */
    uint32_t openflags; /* ppm open flags (file_flags) */
    uint32_t dev;
    uint64_t ino;
    int64_t pid; /* pidfd: the target */
    char *name;  /* NUL-terminated, owned */
    uint32_t name_len, name_cap;
    char *name_raw; /* path as passed to open, owned */
    uint32_t raw_len, raw_cap;
    /* Sockets: client -> server tuple (addresses network order, ports host order). */
    union {
        struct {
            uint32_t sip, dip;
        } v4;
        struct {
            uint8_t sip[16], dip[16];
        } v6;
        struct {
            uint64_t src, dst;
        } un;
    } addr;
    uint16_t sport, dport;
};

struct skr_fdtable {
    struct skr_fdinfo **slots; /* indexed by fd number */
    uint32_t cap;
    uint32_t count;
};

/* ---- Processes and threads ----------------------------------------------------- */

struct skr_proc {
    uint32_t refs; /* threads pointing here */
    uint32_t nthreads;
    struct skr_blob *exe;     /* argv[0] */
    struct skr_blob *args;    /* argv[1..], NUL-separated, NUL-terminated items */
    struct skr_blob *env;     /* NUL-separated K=V items */
    struct skr_blob *cwd;     /* ends with '/' */
    struct skr_blob *exepath; /* resolved executable path */
    struct skr_blob *root;
    struct skr_fdtable fds;
    int64_t fdlimit;
    uint32_t vmsize_kb, vmrss_kb, vmswap_kb;
    uint32_t exe_flags; /* SKR_EXE_* */
    uint64_t exe_ino, exe_ino_ctime, exe_ino_mtime;
    bool reaper; /* child subreaper or namespace init */
};

/* Thread flags beyond the clone flags (SKR_CL_* of skr_driver.h). */
#define SKR_TF_PLACEHOLDER (1u << 31) /* created from an unknown tid, not from an event */

struct skr_thread {
    int64_t tid, pid, ptid, sid, vpgid, pgid, vtid, vpid, reaper_tid;
    struct skr_proc *proc;
    struct skr_blob *cgroups; /* NUL-separated subsys=path items */
    char comm[16];
    uint32_t uid, gid, loginuid;
    uint32_t flags; /* SKR_CL_* and SKR_TF_* */
    uint32_t tty;
    uint64_t cap_inh, cap_prm, cap_eff;
    uint64_t clone_ts, lastexec_ts, pidns_init_start_ts;
    uint64_t exe_ino_ctime_duration_clone_ts, exe_ino_ctime_duration_pidns_start;
    uint64_t pfmajor, pfminor;
    uint64_t last_seen_ts;
    bool dead;
    struct skr_dynval *dyn; /* values of fields other plugins added (tables.c) */
    uint32_t ndyn;
    void *subtables; /* tables.c: this thread's args/env/cgroups/fd tables, owned */
};

/* One dynamic field value (see tables.c). */
struct skr_dynval {
    uint8_t type; /* ss_plugin_state_type */
    uint8_t set;
    union {
        int64_t s64;
        uint64_t u64;
        char *str;
    } v;
};

/* ---- The state ------------------------------------------------------------------ */

struct skr_state_limits {
    uint32_t max_threads; /* thread table size limit */
    uint32_t max_fd;      /* highest fd number + 1 kept per process */
};

struct skr_state_stats {
    uint64_t n_threads;          /* live entries */
    uint64_t n_fds;              /* fd entries over all processes */
    uint64_t n_thread_evictions; /* threads evicted by the size limit */
    uint64_t n_fd_drops;         /* fds above max_fd, not kept */
    uint64_t n_placeholders;     /* threads created without their clone/exec */
};

struct skr_state;

struct skr_state *skr_state_new(const struct skr_state_limits *lim);
void skr_state_free(struct skr_state *st);
void skr_state_clear(struct skr_state *st);

const struct skr_state_stats *skr_state_stats(const struct skr_state *st);

/* The thread with this tid, or NULL. */
struct skr_thread *skr_thread_find(struct skr_state *st, int64_t tid);

/*
 * A new thread entry for tid, replacing any previous one; it gets a fresh
 * process of its own unless the caller attaches it to another one with
 * skr_thread_set_proc. NULL on OOM. now: event time, used for eviction.
 */
struct skr_thread *skr_thread_add(struct skr_state *st, int64_t tid, uint64_t now);

/* A detached thread (not in the table) with a fresh process; see skr_thread_insert. */
struct skr_thread *skr_thread_new_detached(void);
/* Inserts a detached thread under tid (replacing any); returns it or NULL on OOM. */
struct skr_thread *skr_thread_insert(struct skr_state *st,
                                     int64_t tid,
                                     struct skr_thread *t,
                                     uint64_t now);
/* Frees a detached thread that was never inserted. */
void skr_thread_free_detached(struct skr_thread *t);

/* Removes and frees the thread with this tid (its process goes with its last thread). */
void skr_thread_remove(struct skr_state *st, int64_t tid);

/* Makes t share proc (its previous process is released; st may be NULL for detached threads). */
void skr_thread_set_proc(struct skr_state *st, struct skr_thread *t, struct skr_proc *proc);

/* A copy of proc for a forked child: blobs shared, fd table copied (entries marked cloned). */
struct skr_proc *skr_proc_fork(struct skr_state *st, const struct skr_proc *parent);

/* The main thread of t's thread group (t itself when unknown). */
struct skr_thread *skr_thread_main(struct skr_state *st, struct skr_thread *t);

/* The parent process's main thread, or NULL. */
struct skr_thread *skr_thread_parent(struct skr_state *st, struct skr_thread *t);

/* Calls fn for every thread until it returns false. */
void skr_state_foreach(struct skr_state *st, bool (*fn)(void *u, struct skr_thread *t), void *u);

/* Number of threads in the table. */
size_t skr_state_size(const struct skr_state *st);

/* ---- Fd tables ------------------------------------------------------------------- */

struct skr_fdinfo *skr_fd_find(struct skr_proc *p, int64_t fd);
/* A cleared entry at fd (replacing any); NULL when fd is out of range or on OOM. */
struct skr_fdinfo *skr_fd_add(struct skr_state *st, struct skr_proc *p, int64_t fd);
void skr_fd_remove(struct skr_state *st, struct skr_proc *p, int64_t fd);
/* Copies src into a new entry at fd (dup); NULL when out of range or on OOM. */
struct skr_fdinfo *skr_fd_copy(struct skr_state *st,
                               struct skr_proc *p,
                               int64_t fd,
                               const struct skr_fdinfo *src);
void skr_fd_clear_all(struct skr_state *st, struct skr_proc *p);

/* Replaces the entry's name / raw name (copies; reuses the buffer). -ENOMEM on failure. */
int skr_fd_set_name(struct skr_fdinfo *f, const char *name, size_t len);
int skr_fd_set_name_raw(struct skr_fdinfo *f, const char *name, size_t len);

#endif /* SKR_SYSCALL_STATE_H */
