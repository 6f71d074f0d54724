/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the eBPF driver and user space share: the configuration user space
 * writes into the driver's global data, the per-CPU counters the driver
 * keeps, the interest table, and the layout of every record the driver
 * writes into its ring buffers.
 *
 * Records are complete events in the libscap layout, written by the driver
 * in their final form so user space hands them on without copying:
 *
 *   offset 0   u64 ts       ns since the epoch
 *          8   u64 tid      host thread id
 *         16   u32 len      whole event, header included
 *         20   u16 type     libscap event code (SKR_PPME_* below)
 *         22   u32 nparams
 *         26   u16 len[nparams]
 *              parameter bytes, back to back, no padding
 *
 * Parameter order and types are libscap's for every code (see
 * plugins/syscall/README.md for the table). All fields here have fixed
 * widths and explicit padding; user space checks every size with
 * _Static_assert. No pointers.
 *
 * This header is included by the BPF programs (after vmlinux.h) and by user
 * space (after <stdint.h>); it uses only the __uNN names both sides have.
 */
#ifndef SKR_DRIVER_H
#define SKR_DRIVER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* ---- Sizes ------------------------------------------------------------------- */

#define SKR_EVT_HDR_LEN 26
/* Largest event the driver builds; longer ones are dropped and counted. */
#define SKR_MAX_EVT_SIZE (32 * 1024)
/* Largest single variable-size parameter (paths, argv, env). */
#define SKR_MAX_PARAM_SIZE 4096
/* Syscall numbers the interest table covers (x86_64 and arm64 stay below). */
#define SKR_SYSCALL_MAX 512
/* Ring buffers: one per possible CPU, at most this many. */
#define SKR_MAX_CPUS 1024
/* Arguments read from an argv array of a failed execve. */
#define SKR_MAX_ARGV 64
/* Path components the driver walks for the executable's path and cgroups. */
#define SKR_MAX_PATH_DEPTH   48
#define SKR_MAX_CGROUP_DEPTH 6

/* ---- Interest table -----------------------------------------------------------
 * interest[syscall nr] says what to do at that syscall's exit.
 */
#define SKR_INT_EXIT    (1u << 0) /* emit the exit event */
#define SKR_INT_GENERIC (1u << 1) /* emit it as the generic event (code 1) */

/* How close(2) is captured (cfg.close_mode). */
#define SKR_CLOSE_NONE   0 /* never */
#define SKR_CLOSE_ALL    1 /* every close */
#define SKR_CLOSE_NONREG 2 /* all but closes of regular files */

/* ---- Open-family path prefilter ----------------------------------------------
 * With a syscall's bit set in cfg.pf_open_mask, its exit handler drops (and
 * counts in n_prefiltered) an event when all of these hold:
 *   - the open failed, or the new fd is a regular file;
 *   - the path is canonical: absolute, at most SKR_PF_KEY_MAX-1 bytes, no
 *     empty, "." or ".." component, no ".." anywhere, no trailing '/';
 *   - no entry of skr_pf_prefix or skr_pf_suffix matches it.
 * Anything else is sent as usual. A relative or non-canonical path may name
 * a file the rules name under another spelling, which a byte match cannot
 * see; successful opens of anything but a regular file always pass. So with
 * every prefix, exact path and suffix the loaded rules can match on in the
 * tries, nothing a rule could match is lost.
 *
 * Both tries are BPF_MAP_TYPE_LPM_TRIE maps keyed by struct skr_pf_key:
 *   skr_pf_prefix: a prefix P is P's bytes, prefixlen 8*len(P); an exact path
 *                  E is E's bytes and a NUL, prefixlen 8*(len(E)+1); looked up
 *                  with the path and its NUL;
 *   skr_pf_suffix: a suffix S is S's bytes reversed, prefixlen 8*len(S);
 *                  looked up with the path reversed.
 * Before a lookup, two bitmaps of 65536 bits say whether it can succeed:
 * skr_pf_head has bit b1 | b2 << 8 set when some prefix or exact entry (its
 * NUL counted) can begin with '/', b1, b2; skr_pf_tail has bit last | prev << 8
 * set when some suffix can end with prev, last. An entry too short to fix both
 * bytes sets every bit it can stand for.
 */
#define SKR_PF_PAIR_BYTES  (65536 / 8)
#define SKR_PF_OPEN        (1u << 0)
#define SKR_PF_OPENAT      (1u << 1)
#define SKR_PF_OPENAT2     (1u << 2)
#define SKR_PF_CREAT       (1u << 3)
#define SKR_PF_KEY_MAX     256  /* data bytes of a key (the LPM trie maximum) */
#define SKR_PF_MAX_ENTRIES 4096 /* per trie */

struct skr_pf_key {
    __u32 prefixlen; /* bits of data that count */
    __u8 data[SKR_PF_KEY_MAX];
};

/* ---- Configuration -------------------------------------------------------------
 * Written by user space into the driver's global data before the programs
 * are attached; the interest table and pf_open_mask may change later (rules
 * reload).
 */
struct skr_drv_config {
    __u64 boot_ns;      /* epoch ns at boot: event ts = boot_ns + bpf_ktime_get_boot_ns() */
    __u32 self_tgid;    /* the saker process: none of its threads is traced */
    __u32 snaplen;      /* bytes of I/O buffers captured */
    __u32 wakeup_bytes; /* wake the consumer when this many bytes are pending */
    __u32 close_mode;   /* SKR_CLOSE_* */
    __u32 exec_enabled; /* emit successful execve from sched_process_exec */
    __u32 procexit_enabled;
    __u32 ncpus;        /* ring buffers in use */
    __u32 close_nr;     /* native number of close(2) */
    __u32 pf_open_mask; /* SKR_PF_*: open-family syscalls whose paths are prefiltered */
    __u32 pad0;
};

/* ---- Counters --------------------------------------------------------------------
 * One copy per CPU (a per-CPU array map with one element). user space sums
 * them; n_drops_* are ring-buffer-full drops by event class, like libscap's.
 */
struct skr_drv_counters {
    __u64 n_evts;             /* events the driver tried to write, dropped ones included */
    __u64 n_drops_buffer;     /* ring buffer full: all classes */
    __u64 n_drops_max_size;   /* event longer than SKR_MAX_EVT_SIZE */
    __u64 n_drops_clone_fork; /* ... of which clone/fork exits */
    __u64 n_drops_execve;     /* execve exits */
    __u64 n_drops_connect;    /* connect exits */
    __u64 n_drops_open;       /* open family exits */
    __u64 n_drops_dir_file;   /* file and directory operations */
    __u64 n_drops_other;      /* other syscalls of interest */
    __u64 n_drops_close;      /* close */
    __u64 n_drops_procexit;   /* process exit */
    __u64 n_compat_skipped;   /* 32-bit syscalls, not traced */
    __u64 n_prefiltered;      /* opens the path prefilter left out (not drops, not in n_evts) */
};

/* Event classes for the drop counters. */
#define SKR_DC_OTHER    0
#define SKR_DC_CLONE    1
#define SKR_DC_EXECVE   2
#define SKR_DC_CONNECT  3
#define SKR_DC_OPEN     4
#define SKR_DC_DIR_FILE 5
#define SKR_DC_CLOSE    6
#define SKR_DC_PROCEXIT 7

/* ---- The event header ---------------------------------------------------------- */

struct skr_evt_hdr {
    __u64 ts;
    __u64 tid;
    __u32 len;
    __u16 type;
    __u32 nparams;
} __attribute__((packed));

/* ---- Event codes the driver writes (libscap numbering) ------------------------- */

#define SKR_PPME_GENERIC_X                   1
#define SKR_PPME_SYSCALL_OPEN_X              3
#define SKR_PPME_SYSCALL_CLOSE_X             5
#define SKR_PPME_SOCKET_SOCKET_X             19
#define SKR_PPME_SOCKET_BIND_X               21
#define SKR_PPME_SOCKET_CONNECT_X            23
#define SKR_PPME_SOCKET_LISTEN_X             25
#define SKR_PPME_SOCKET_SENDTO_X             31
#define SKR_PPME_SOCKET_RECVFROM_X           35
#define SKR_PPME_SOCKET_SHUTDOWN_X           37
#define SKR_PPME_SOCKET_SOCKETPAIR_X         43
#define SKR_PPME_SOCKET_SENDMSG_X            49
#define SKR_PPME_SOCKET_RECVMSG_X            53
#define SKR_PPME_SYSCALL_CREAT_X             59
#define SKR_PPME_SYSCALL_PIPE_X              61
#define SKR_PPME_SYSCALL_EVENTFD_X           63
#define SKR_PPME_SYSCALL_CHDIR_X             95
#define SKR_PPME_SYSCALL_FCHDIR_X            97
#define SKR_PPME_SYSCALL_SIGNALFD_X          127
#define SKR_PPME_SYSCALL_KILL_X              129
#define SKR_PPME_SYSCALL_TKILL_X             131
#define SKR_PPME_SYSCALL_TGKILL_X            133
#define SKR_PPME_SYSCALL_TIMERFD_CREATE_X    137
#define SKR_PPME_SYSCALL_INOTIFY_INIT_X      139
#define SKR_PPME_SYSCALL_GETRLIMIT_X         141
#define SKR_PPME_SYSCALL_SETRLIMIT_X         143
#define SKR_PPME_SYSCALL_PRLIMIT_X           145
#define SKR_PPME_SYSCALL_FCNTL_X             151
#define SKR_PPME_SYSCALL_MMAP_X              161
#define SKR_PPME_SYSCALL_MUNMAP_X            165
#define SKR_PPME_SYSCALL_PTRACE_X            169
#define SKR_PPME_SYSCALL_RENAME_X            175
#define SKR_PPME_SYSCALL_RENAMEAT_X          177
#define SKR_PPME_SYSCALL_SYMLINK_X           179
#define SKR_PPME_SYSCALL_SYMLINKAT_X         181
#define SKR_PPME_PROCEXIT_1_E                186
#define SKR_PPME_SYSCALL_SETRESUID_X         193
#define SKR_PPME_SYSCALL_SETRESGID_X         195
#define SKR_PPME_SYSCALL_SETUID_X            199
#define SKR_PPME_SYSCALL_SETGID_X            201
#define SKR_PPME_SYSCALL_CLONE_20_X          223
#define SKR_PPME_SYSCALL_FORK_20_X           225
#define SKR_PPME_SYSCALL_VFORK_20_X          227
#define SKR_PPME_SYSCALL_SETNS_X             241
#define SKR_PPME_SOCKET_ACCEPT_5_X           247
#define SKR_PPME_SYSCALL_MOUNT_X             257
#define SKR_PPME_SYSCALL_CHROOT_X            267
#define SKR_PPME_SYSCALL_SETSID_X            275
#define SKR_PPME_SYSCALL_MKDIR_2_X           277
#define SKR_PPME_SYSCALL_RMDIR_2_X           279
#define SKR_PPME_SYSCALL_UNSHARE_X           285
#define SKR_PPME_SYSCALL_EXECVE_19_X         293
#define SKR_PPME_SYSCALL_SETPGID_X           295
#define SKR_PPME_SYSCALL_UNLINK_2_X          301
#define SKR_PPME_SYSCALL_UNLINKAT_2_X        303
#define SKR_PPME_SYSCALL_MKDIRAT_X           305
#define SKR_PPME_SYSCALL_OPENAT_2_X          307
#define SKR_PPME_SYSCALL_LINK_2_X            309
#define SKR_PPME_SYSCALL_LINKAT_2_X          311
#define SKR_PPME_SYSCALL_FCHMODAT_X          313
#define SKR_PPME_SYSCALL_CHMOD_X             315
#define SKR_PPME_SYSCALL_FCHMOD_X            317
#define SKR_PPME_SYSCALL_RENAMEAT2_X         319
#define SKR_PPME_SYSCALL_USERFAULTFD_X       321
#define SKR_PPME_SYSCALL_OPENAT2_X           327
#define SKR_PPME_SYSCALL_MPROTECT_X          329
#define SKR_PPME_SYSCALL_EXECVEAT_X          331
#define SKR_PPME_SYSCALL_CLONE3_X            335
#define SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X 337
#define SKR_PPME_SYSCALL_IO_URING_SETUP_X    339
#define SKR_PPME_SYSCALL_CAPSET_X            353
#define SKR_PPME_SYSCALL_DUP2_X              363
#define SKR_PPME_SYSCALL_DUP3_X              365
#define SKR_PPME_SYSCALL_DUP_1_X             367
#define SKR_PPME_SYSCALL_BPF_2_X             369
#define SKR_PPME_SYSCALL_EPOLL_CREATE_X      375
#define SKR_PPME_SYSCALL_EPOLL_CREATE1_X     377
#define SKR_PPME_SYSCALL_CHOWN_X             379
#define SKR_PPME_SYSCALL_LCHOWN_X            381
#define SKR_PPME_SYSCALL_FCHOWN_X            383
#define SKR_PPME_SYSCALL_FCHOWNAT_X          385
#define SKR_PPME_SOCKET_ACCEPT4_6_X          389
#define SKR_PPME_SYSCALL_UMOUNT2_X           391
#define SKR_PPME_SYSCALL_PIPE2_X             393
#define SKR_PPME_SYSCALL_INOTIFY_INIT1_X     395
#define SKR_PPME_SYSCALL_EVENTFD2_X          397
#define SKR_PPME_SYSCALL_SIGNALFD4_X         399
#define SKR_PPME_SYSCALL_PRCTL_X             401
#define SKR_PPME_SYSCALL_MEMFD_CREATE_X      405
#define SKR_PPME_SYSCALL_PIDFD_GETFD_X       407
#define SKR_PPME_SYSCALL_PIDFD_OPEN_X        409
#define SKR_PPME_SYSCALL_INIT_MODULE_X       411
#define SKR_PPME_SYSCALL_FINIT_MODULE_X      413
#define SKR_PPME_SYSCALL_DELETE_MODULE_X     425
#define SKR_PPME_SYSCALL_SETREUID_X          427
#define SKR_PPME_SYSCALL_SETREGID_X          429
#define SKR_PPME_SYSCALL_CLOSE_RANGE_X       451

/* ---- Flag values the driver writes (libscap "ppm" values) ---------------------- */

/* file_flags */
#define SKR_O_NONE         0
#define SKR_O_RDONLY       (1 << 0)
#define SKR_O_WRONLY       (1 << 1)
#define SKR_O_RDWR         (SKR_O_RDONLY | SKR_O_WRONLY)
#define SKR_O_CREAT        (1 << 2)
#define SKR_O_APPEND       (1 << 3)
#define SKR_O_DSYNC        (1 << 4)
#define SKR_O_EXCL         (1 << 5)
#define SKR_O_NONBLOCK     (1 << 6)
#define SKR_O_SYNC         (1 << 7)
#define SKR_O_TRUNC        (1 << 8)
#define SKR_O_DIRECT       (1 << 9)
#define SKR_O_DIRECTORY    (1 << 10)
#define SKR_O_LARGEFILE    (1 << 11)
#define SKR_O_CLOEXEC      (1 << 12)
#define SKR_O_TMPFILE      (1 << 13)
#define SKR_O_F_CREATED    (1 << 14)
#define SKR_FD_UPPER_LAYER (1 << 15)
#define SKR_FD_LOWER_LAYER (1 << 16)

/* creat_flags */
#define SKR_FD_UPPER_LAYER_CREAT (1 << 0)
#define SKR_FD_LOWER_LAYER_CREAT (1 << 1)

/* execve_flags */
#define SKR_EXE_WRITABLE    (1 << 0)
#define SKR_EXE_UPPER_LAYER (1 << 1)
#define SKR_EXE_FROM_MEMFD  (1 << 2)
#define SKR_EXE_LOWER_LAYER (1 << 3)

/* clone_flags */
#define SKR_CL_CLONE_FILES          (1 << 0)
#define SKR_CL_CLONE_FS             (1 << 1)
#define SKR_CL_CLONE_IO             (1 << 2)
#define SKR_CL_CLONE_NEWIPC         (1 << 3)
#define SKR_CL_CLONE_NEWNET         (1 << 4)
#define SKR_CL_CLONE_NEWNS          (1 << 5)
#define SKR_CL_CLONE_NEWPID         (1 << 6)
#define SKR_CL_CLONE_NEWUTS         (1 << 7)
#define SKR_CL_CLONE_PARENT         (1 << 8)
#define SKR_CL_CLONE_PARENT_SETTID  (1 << 9)
#define SKR_CL_CLONE_PTRACE         (1 << 10)
#define SKR_CL_CLONE_SIGHAND        (1 << 11)
#define SKR_CL_CLONE_SYSVSEM        (1 << 12)
#define SKR_CL_CLONE_THREAD         (1 << 13)
#define SKR_CL_CLONE_UNTRACED       (1 << 14)
#define SKR_CL_CLONE_VM             (1 << 15)
#define SKR_CL_CLONE_INVERTED       (1 << 16)
#define SKR_CL_NAME_CHANGED         (1 << 17)
#define SKR_CL_CLOSED               (1 << 18)
#define SKR_CL_ACTIVE               (1 << 19)
#define SKR_CL_CLONE_NEWUSER        (1 << 20)
#define SKR_CL_PIPE_SRC             (1 << 21)
#define SKR_CL_PIPE_DST             (1 << 22)
#define SKR_CL_CLONE_CHILD_CLEARTID (1 << 23)
#define SKR_CL_CLONE_CHILD_SETTID   (1 << 24)
#define SKR_CL_CLONE_SETTLS         (1 << 25)
#define SKR_CL_CLONE_STOPPED        (1 << 26)
#define SKR_CL_CLONE_VFORK          (1 << 27)
#define SKR_CL_CLONE_NEWCGROUP      (1 << 28)
#define SKR_CL_CHILD_IN_PIDNS       (1 << 29)
#define SKR_CL_IS_MAIN_THREAD       (1 << 30)

/* Socket families in SOCKADDR / SOCKTUPLE parameters. */
#define SKR_AF_UNSPEC 0
#define SKR_AF_UNIX   1
#define SKR_AF_INET   2
#define SKR_AF_INET6  10

#define SKR_AT_FDCWD (-100)

#endif /* SKR_DRIVER_H */
