// SPDX-License-Identifier: Apache-2.0
/* Parameter layouts of the events the driver emits and the plugin parses. */
#include <pthread.h>
#include <string.h>

#include "evtab.h"

#define P(n, t)                                    \
    {                                              \
        n, SKR_PT_##t, SKR_PF_DEC, SKR_FT_NONE, -1 \
    }
#define PX(n, t)                                   \
    {                                              \
        n, SKR_PT_##t, SKR_PF_HEX, SKR_FT_NONE, -1 \
    }
#define PO(n, t)                                   \
    {                                              \
        n, SKR_PT_##t, SKR_PF_OCT, SKR_FT_NONE, -1 \
    }
#define PN(n, t)                                  \
    {                                             \
        n, SKR_PT_##t, SKR_PF_NA, SKR_FT_NONE, -1 \
    }
#define PT(n, t, tab)                               \
    {                                               \
        n, SKR_PT_##t, SKR_PF_HEX, SKR_FT_##tab, -1 \
    }
#define PTD(n, t, tab)                              \
    {                                               \
        n, SKR_PT_##t, SKR_PF_DEC, SKR_FT_##tab, -1 \
    }
#define PTO(n, t, tab)                              \
    {                                               \
        n, SKR_PT_##t, SKR_PF_OCT, SKR_FT_##tab, -1 \
    }
#define PR(n, rel)                                       \
    {                                                    \
        n, SKR_PT_FSRELPATH, SKR_PF_NA, SKR_FT_NONE, rel \
    }

#define EF_C SKR_EF_CREATES_FD
#define EF_D SKR_EF_DESTROYS_FD
#define EF_U SKR_EF_USES_FD
#define EF_R SKR_EF_READS_FROM_FD
#define EF_W SKR_EF_WRITES_TO_FD
#define EF_S SKR_EF_MODIFIES_STATE

#define SYSC(c) (SKR_EC_##c | SKR_EC_SYSCALL)
#define ARR(a)  (uint8_t)(sizeof(a) / sizeof((a)[0])), a

static const struct skr_param_info p_generic[] = { P("ID", SYSCALLID), P("nativeID", UINT16) };
static const struct skr_param_info p_open[] = {
    P("fd", FD),        P("name", FSPATH), PT("flags", FLAGS32, FILE_FLAGS),
    PO("mode", UINT32), PX("dev", UINT32), P("ino", UINT64)
};
static const struct skr_param_info p_openat[] = {
    P("fd", FD),        P("dirfd", FD),    PR("name", 1),   PT("flags", FLAGS32, FILE_FLAGS),
    PO("mode", UINT32), PX("dev", UINT32), P("ino", UINT64)
};
static const struct skr_param_info p_openat2[] = {
    P("fd", FD),        P("dirfd", FD),
    PR("name", 1),      PT("flags", FLAGS32, FILE_FLAGS),
    PO("mode", UINT32), PT("resolve", FLAGS32, OPENAT2_FLAGS),
    PX("dev", UINT32),  P("ino", UINT64)
};
static const struct skr_param_info p_creat[] = {
    P("fd", FD),       P("name", FSPATH), PO("mode", UINT32),
    PX("dev", UINT32), P("ino", UINT64),  PT("creat_flags", FLAGS16, CREAT_FLAGS)
};
static const struct skr_param_info p_open_by_handle_at[] = {
    P("fd", FD),       P("mountfd", FD),  PT("flags", FLAGS32, FILE_FLAGS),
    P("path", FSPATH), PX("dev", UINT32), P("ino", UINT64)
};
static const struct skr_param_info p_close[] = { P("res", ERRNO), P("fd", FD) };
static const struct skr_param_info p_close_range[] = { P("res", ERRNO), P("first", UINT32),
                                                       P("last", UINT32),
                                                       PT("flags", FLAGS32, CLOSE_RANGE_FLAGS) };
static const struct skr_param_info p_dup[] = { P("res", FD), P("oldfd", FD) };
static const struct skr_param_info p_dup2[] = { P("res", FD), P("oldfd", FD), P("newfd", FD) };
static const struct skr_param_info p_dup3[] = { P("res", FD), P("oldfd", FD), P("newfd", FD),
                                                PT("flags", FLAGS32, FILE_FLAGS) };
static const struct skr_param_info p_fcntl[] = { P("res", FD), P("fd", FD),
                                                 PTD("cmd", ENUMFLAGS8, FCNTL_COMMANDS),
                                                 PX("arg", UINT64) };
static const struct skr_param_info p_chdir[] = { P("res", ERRNO), PN("path", CHARBUF) };
static const struct skr_param_info p_fchdir[] = { P("res", ERRNO), P("fd", FD) };
static const struct skr_param_info p_chroot[] = { P("res", ERRNO), P("path", FSPATH) };
static const struct skr_param_info p_mkdir[] = { P("res", ERRNO), P("path", FSPATH),
                                                 PX("mode", UINT32) };
static const struct skr_param_info p_mkdirat[] = { P("res", ERRNO), P("dirfd", FD), PR("path", 1),
                                                   PX("mode", UINT32) };
static const struct skr_param_info p_path_res[] = { P("res", ERRNO), P("path", FSPATH) };
static const struct skr_param_info p_unlinkat[] = { P("res", ERRNO), P("dirfd", FD), PR("name", 1),
                                                    PT("flags", FLAGS32, UNLINKAT_FLAGS) };
static const struct skr_param_info p_rename[] = { P("res", ERRNO), P("oldpath", FSPATH),
                                                  P("newpath", FSPATH) };
static const struct skr_param_info p_renameat[] = { P("res", ERRNO), P("olddirfd", FD),
                                                    PR("oldpath", 1), P("newdirfd", FD),
                                                    PR("newpath", 3) };
static const struct skr_param_info p_renameat2[] = {
    P("res", ERRNO),   P("olddirfd", FD), PR("oldpath", 1),
    P("newdirfd", FD), PR("newpath", 3),  PT("flags", FLAGS32, RENAMEAT2_FLAGS)
};
static const struct skr_param_info p_symlink[] = { P("res", ERRNO), PN("target", CHARBUF),
                                                   P("linkpath", FSPATH) };
static const struct skr_param_info p_symlinkat[] = { P("res", ERRNO), PN("target", CHARBUF),
                                                     P("linkdirfd", FD), PR("linkpath", 2) };
static const struct skr_param_info p_link[] = { P("res", ERRNO), P("oldpath", FSPATH),
                                                P("newpath", FSPATH) };
static const struct skr_param_info p_linkat[] = {
    P("res", ERRNO), P("olddir", FD),  PR("oldpath", 1),
    P("newdir", FD), PR("newpath", 3), PT("flags", FLAGS32, LINKAT_FLAGS)
};
static const struct skr_param_info p_chmod[] = { P("res", ERRNO), P("filename", FSPATH),
                                                 PTO("mode", MODE, CHMOD_MODE) };
static const struct skr_param_info p_fchmod[] = { P("res", ERRNO), P("fd", FD),
                                                  PTO("mode", MODE, CHMOD_MODE) };
static const struct skr_param_info p_fchmodat[] = { P("res", ERRNO), P("dirfd", FD),
                                                    PR("filename", 1),
                                                    PTO("mode", MODE, CHMOD_MODE) };
static const struct skr_param_info p_chown[] = { P("res", ERRNO), P("path", FSPATH),
                                                 P("uid", UINT32), P("gid", UINT32) };
static const struct skr_param_info p_fchown[] = { P("res", ERRNO), P("fd", FD), P("uid", UINT32),
                                                  P("gid", UINT32) };
static const struct skr_param_info p_fchownat[] = {
    P("res", ERRNO),  P("dirfd", FD),   PR("pathname", 1),
    P("uid", UINT32), P("gid", UINT32), PT("flags", FLAGS32, FCHOWNAT_FLAGS)
};
static const struct skr_param_info p_mount[] = { P("res", ERRNO), PN("dev", CHARBUF),
                                                 P("dir", FSPATH), PN("type", CHARBUF),
                                                 PT("flags", FLAGS32, MOUNT_FLAGS) };
static const struct skr_param_info p_umount2[] = { P("res", ERRNO), P("name", FSPATH),
                                                   PT("flags", FLAGS32, UMOUNT_FLAGS) };
static const struct skr_param_info p_memfd_create[] = { P("fd", FD), PN("name", CHARBUF),
                                                        PT("flags", FLAGS32, MEMFD_FLAGS) };
static const struct skr_param_info p_pipe[] = { P("res", ERRNO), P("fd1", FD), P("fd2", FD),
                                                P("ino", UINT64) };
static const struct skr_param_info p_pipe2[] = { P("res", ERRNO), P("fd1", FD), P("fd2", FD),
                                                 P("ino", UINT64),
                                                 PT("flags", FLAGS32, FILE_FLAGS) };
static const struct skr_param_info p_eventfd[] = { P("res", FD), P("initval", UINT64),
                                                   PX("flags", UINT32) };
static const struct skr_param_info p_eventfd2[] = { P("res", FD), PT("flags", FLAGS16, FILE_FLAGS),
                                                    P("initval", UINT64) };
static const struct skr_param_info p_signalfd[] = { P("res", FD), P("fd", FD), PX("mask", UINT32),
                                                    PX("flags", UINT8) };
static const struct skr_param_info p_signalfd4[] = { P("res", FD), PT("flags", FLAGS16, FILE_FLAGS),
                                                     P("fd", FD), PX("mask", UINT32) };
static const struct skr_param_info p_timerfd_create[] = { P("res", FD), P("clockid", UINT8),
                                                          PX("flags", UINT8) };
static const struct skr_param_info p_inotify_init[] = { P("res", FD), PX("flags", UINT8) };
static const struct skr_param_info p_inotify_init1[] = { P("res", FD),
                                                         PT("flags", FLAGS16, FILE_FLAGS) };
static const struct skr_param_info p_epoll_create[] = { P("res", ERRNO), P("size", INT32) };
static const struct skr_param_info p_epoll_create1[] = {
    P("res", ERRNO), PT("flags", FLAGS32, EPOLL_CREATE1_FLAGS)
};
static const struct skr_param_info p_userfaultfd[] = { P("res", ERRNO),
                                                       PT("flags", FLAGS32, FILE_FLAGS) };
static const struct skr_param_info p_io_uring_setup[] = {
    P("res", ERRNO),
    P("entries", UINT32),
    P("sq_entries", UINT32),
    P("cq_entries", UINT32),
    PT("flags", FLAGS32, IO_URING_SETUP_FLAGS),
    P("sq_thread_cpu", UINT32),
    P("sq_thread_idle", UINT32),
    PT("features", FLAGS32, IO_URING_SETUP_FEATS)
};
static const struct skr_param_info p_pidfd_open[] = { P("fd", FD), P("pid", PID),
                                                      PT("flags", FLAGS32, PIDFD_OPEN_FLAGS) };
static const struct skr_param_info p_pidfd_getfd[] = { P("fd", FD), P("pid_fd", FD),
                                                       P("target_fd", FD), PX("flags", UINT32) };
static const struct skr_param_info p_bpf[] = { P("fd", FD), PTD("cmd", ENUMFLAGS32, BPF_COMMANDS) };
static const struct skr_param_info p_init_module[] = { P("res", ERRNO), PN("img", BYTEBUF),
                                                       P("length", UINT64), PN("uargs", CHARBUF) };
static const struct skr_param_info p_finit_module[] = { P("res", ERRNO), P("fd", FD),
                                                        PN("uargs", CHARBUF),
                                                        PT("flags", FLAGS32, FINIT_MODULE_FLAGS) };
static const struct skr_param_info p_delete_module[] = {
    P("res", ERRNO), PN("name", CHARBUF), PT("flags", FLAGS32, DELETE_MODULE_FLAGS)
};
static const struct skr_param_info p_mmap[] = { P("res", ERRNO),
                                                P("vm_size", UINT32),
                                                P("vm_rss", UINT32),
                                                P("vm_swap", UINT32),
                                                PX("addr", UINT64),
                                                P("length", UINT64),
                                                PT("prot", FLAGS32, PROT_FLAGS),
                                                PT("flags", FLAGS32, MMAP_FLAGS),
                                                P("fd", FD),
                                                P("offset", UINT64) };
static const struct skr_param_info p_munmap[] = { P("res", ERRNO),     P("vm_size", UINT32),
                                                  P("vm_rss", UINT32), P("vm_swap", UINT32),
                                                  PX("addr", UINT64),  P("length", UINT64) };
static const struct skr_param_info p_mprotect[] = { P("res", ERRNO), PX("addr", UINT64),
                                                    P("length", UINT64),
                                                    PT("prot", FLAGS32, PROT_FLAGS) };
static const struct skr_param_info p_socket[] = { P("fd", FD),
                                                  PTD("domain", ENUMFLAGS32, SOCKET_FAMILIES),
                                                  P("type", UINT32), P("proto", UINT32),
                                                  PT("flags", FLAGS32, FILE_FLAGS) };
static const struct skr_param_info p_socketpair[] = {
    P("res", ERRNO),      P("fd1", FD),       P("fd2", FD),
    PX("source", UINT64), PX("peer", UINT64), PTD("domain", ENUMFLAGS32, SOCKET_FAMILIES),
    P("type", UINT32),    P("proto", UINT32)
};
static const struct skr_param_info p_bind[] = { P("res", ERRNO), PN("addr", SOCKADDR),
                                                P("fd", FD) };
static const struct skr_param_info p_connect[] = { P("res", ERRNO), PN("tuple", SOCKTUPLE),
                                                   P("fd", FD), PN("addr", SOCKADDR) };
static const struct skr_param_info p_listen[] = { P("res", ERRNO), P("fd", FD),
                                                  P("backlog", INT32) };
static const struct skr_param_info p_accept[] = { P("fd", FD), PN("tuple", SOCKTUPLE),
                                                  P("queuepct", UINT8), P("queuelen", UINT32),
                                                  P("queuemax", UINT32) };
static const struct skr_param_info p_accept4[] = { P("fd", FD),           PN("tuple", SOCKTUPLE),
                                                   P("queuepct", UINT8),  P("queuelen", UINT32),
                                                   P("queuemax", UINT32), PX("flags", INT32) };
static const struct skr_param_info p_sendto[] = { P("res", ERRNO), PN("data", BYTEBUF), P("fd", FD),
                                                  P("size", UINT32), PN("tuple", SOCKTUPLE) };
static const struct skr_param_info p_recvfrom[] = { P("res", ERRNO), PN("data", BYTEBUF),
                                                    PN("tuple", SOCKTUPLE), P("fd", FD),
                                                    P("size", UINT32) };
static const struct skr_param_info p_recvmsg[] = {
    P("res", ERRNO),        P("size", UINT32),         PN("data", BYTEBUF),
    PN("tuple", SOCKTUPLE), PN("msgcontrol", BYTEBUF), P("fd", FD)
};
static const struct skr_param_info p_shutdown[] = { P("res", ERRNO), P("fd", FD),
                                                    PT("how", ENUMFLAGS8, SHUTDOWN_HOW) };
static const struct skr_param_info p_clone[] = { P("res", PID),
                                                 PN("exe", CHARBUF),
                                                 PN("args", BYTEBUF),
                                                 P("tid", PID),
                                                 P("pid", PID),
                                                 P("ptid", PID),
                                                 PN("cwd", CHARBUF),
                                                 P("fdlimit", INT64),
                                                 P("pgft_maj", UINT64),
                                                 P("pgft_min", UINT64),
                                                 P("vm_size", UINT32),
                                                 P("vm_rss", UINT32),
                                                 P("vm_swap", UINT32),
                                                 PN("comm", CHARBUF),
                                                 PN("cgroups", BYTEBUF),
                                                 PT("flags", FLAGS32, CLONE_FLAGS),
                                                 P("uid", UINT32),
                                                 P("gid", UINT32),
                                                 P("vtid", PID),
                                                 P("vpid", PID),
                                                 P("pidns_init_start_ts", UINT64) };
static const struct skr_param_info p_execve[] = { P("res", ERRNO),
                                                  PN("exe", CHARBUF),
                                                  PN("args", BYTEBUF),
                                                  P("tid", PID),
                                                  P("pid", PID),
                                                  P("ptid", PID),
                                                  PN("cwd", CHARBUF),
                                                  P("fdlimit", UINT64),
                                                  P("pgft_maj", UINT64),
                                                  P("pgft_min", UINT64),
                                                  P("vm_size", UINT32),
                                                  P("vm_rss", UINT32),
                                                  P("vm_swap", UINT32),
                                                  PN("comm", CHARBUF),
                                                  PN("cgroups", BYTEBUF),
                                                  PN("env", BYTEBUF),
                                                  P("tty", UINT32),
                                                  P("vpgid", PID),
                                                  P("loginuid", UID),
                                                  PT("flags", FLAGS32, EXECVE_FLAGS),
                                                  PX("cap_inheritable", UINT64),
                                                  PX("cap_permitted", UINT64),
                                                  PX("cap_effective", UINT64),
                                                  P("exe_ino", UINT64),
                                                  P("exe_ino_ctime", ABSTIME),
                                                  P("exe_ino_mtime", ABSTIME),
                                                  P("uid", UID),
                                                  P("trusted_exepath", FSPATH),
                                                  P("pgid", PID),
                                                  P("gid", GID),
                                                  P("filename", FSPATH) };
static const struct skr_param_info p_procexit[] = { P("status", ERRNO), P("ret", ERRNO),
                                                    P("sig", SIGTYPE), P("core", UINT8),
                                                    P("reaper_tid", PID) };
static const struct skr_param_info p_setuid[] = { P("res", ERRNO), P("uid", UID) };
static const struct skr_param_info p_setgid[] = { P("res", ERRNO), P("gid", GID) };
static const struct skr_param_info p_setreuid[] = { P("res", ERRNO), P("ruid", UID),
                                                    P("euid", UID) };
static const struct skr_param_info p_setregid[] = { P("res", ERRNO), P("rgid", UID),
                                                    P("egid", UID) };
static const struct skr_param_info p_setresuid[] = { P("res", ERRNO), P("ruid", UID),
                                                     P("euid", UID), P("suid", UID) };
static const struct skr_param_info p_setresgid[] = { P("res", ERRNO), P("rgid", GID),
                                                     P("egid", GID), P("sgid", GID) };
static const struct skr_param_info p_capset[] = { P("res", ERRNO), PX("cap_inheritable", UINT64),
                                                  PX("cap_permitted", UINT64),
                                                  PX("cap_effective", UINT64) };
static const struct skr_param_info p_setsid[] = { P("res", PID) };
static const struct skr_param_info p_setpgid[] = { P("res", ERRNO), P("pid", PID), P("pgid", PID) };
static const struct skr_param_info p_prctl[] = { P("res", ERRNO),
                                                 PTD("option", ENUMFLAGS32, PRCTL_OPTIONS),
                                                 PN("arg2_str", CHARBUF), P("arg2_int", INT64) };
static const struct skr_param_info p_ptrace[] = { P("res", ERRNO), PX("addr", DYN), PX("data", DYN),
                                                  PTD("request", ENUMFLAGS16, PTRACE_REQUESTS),
                                                  P("pid", PID) };
static const struct skr_param_info p_kill[] = { P("res", ERRNO), P("pid", PID), P("sig", SIGTYPE) };
static const struct skr_param_info p_tkill[] = { P("res", ERRNO), P("tid", PID),
                                                 P("sig", SIGTYPE) };
static const struct skr_param_info p_tgkill[] = { P("res", ERRNO), P("pid", PID), P("tid", PID),
                                                  P("sig", SIGTYPE) };
static const struct skr_param_info p_unshare[] = { P("res", ERRNO),
                                                   PT("flags", FLAGS32, CLONE_FLAGS) };
static const struct skr_param_info p_setns[] = { P("res", ERRNO), P("fd", FD),
                                                 PT("nstype", FLAGS32, CLONE_FLAGS) };
static const struct skr_param_info p_prlimit[] = { P("res", ERRNO),
                                                   P("newcur", INT64),
                                                   P("newmax", INT64),
                                                   P("oldcur", INT64),
                                                   P("oldmax", INT64),
                                                   P("pid", INT64),
                                                   PTD("resource", ENUMFLAGS8, RLIMIT_RESOURCES) };
static const struct skr_param_info p_rlimit[] = { P("res", ERRNO), P("cur", INT64), P("max", INT64),
                                                  PTD("resource", ENUMFLAGS8, RLIMIT_RESOURCES) };

/* Saker's state events. */
static const struct skr_param_info p_init[] = { P("boot_ts", ABSTIME), PN("source", CHARBUF),
                                                P("nthreads", UINT32), P("nfds", UINT32) };
static const struct skr_param_info p_thread[] = { P("tid", PID),
                                                  P("pid", PID),
                                                  P("ptid", PID),
                                                  P("sid", PID),
                                                  P("vpgid", PID),
                                                  P("pgid", PID),
                                                  P("vtid", PID),
                                                  P("vpid", PID),
                                                  PN("comm", CHARBUF),
                                                  PN("exe", CHARBUF),
                                                  PN("args", BYTEBUF),
                                                  PN("env", BYTEBUF),
                                                  PN("cwd", CHARBUF),
                                                  P("exepath", FSPATH),
                                                  PN("cgroups", BYTEBUF),
                                                  P("root", FSPATH),
                                                  P("uid", UID),
                                                  P("gid", GID),
                                                  P("loginuid", UID),
                                                  PX("cap_inheritable", UINT64),
                                                  PX("cap_permitted", UINT64),
                                                  PX("cap_effective", UINT64),
                                                  P("fdlimit", INT64),
                                                  P("tty", UINT32),
                                                  PT("flags", FLAGS32, CLONE_FLAGS),
                                                  PT("exe_flags", FLAGS32, EXECVE_FLAGS),
                                                  P("exe_ino", UINT64),
                                                  P("exe_ino_ctime", ABSTIME),
                                                  P("exe_ino_mtime", ABSTIME),
                                                  P("start_ts", ABSTIME),
                                                  P("pidns_init_start_ts", ABSTIME) };
static const struct skr_param_info p_fd[] = { P("pid", PID),
                                              P("fd", FD),
                                              P("type", UINT8),
                                              PX("fdflags", UINT32),
                                              PT("flags", FLAGS32, FILE_FLAGS),
                                              P("name", FSPATH),
                                              PX("dev", UINT32),
                                              P("ino", UINT64),
                                              PN("tuple", SOCKTUPLE),
                                              P("l4proto", UINT8),
                                              P("target_pid", PID) };

#define EV(c, n, cat, fl, fdp, p)       \
    {                                   \
        n, c, '<', cat, fl, fdp, ARR(p) \
    }

static const struct skr_event_info g_events[] = {
    EV(1, "syscall", SYSC(OTHER), 0, -1, p_generic),
    EV(3, "open", SYSC(FILE), EF_C | EF_S, -1, p_open),
    EV(5, "close", SYSC(IO_OTHER), EF_D | EF_U | EF_S, 1, p_close),
    EV(19, "socket", SYSC(NET), EF_C | EF_S, -1, p_socket),
    EV(21, "bind", SYSC(NET), EF_U | EF_S, 2, p_bind),
    EV(23, "connect", SYSC(NET), EF_U | EF_S, 2, p_connect),
    EV(25, "listen", SYSC(NET), EF_U, 1, p_listen),
    EV(31, "sendto", SYSC(IO_WRITE), EF_U | EF_W | EF_S, 2, p_sendto),
    EV(35, "recvfrom", SYSC(IO_READ), EF_U | EF_R | EF_S, 3, p_recvfrom),
    EV(37, "shutdown", SYSC(NET), EF_U | EF_S, 1, p_shutdown),
    EV(43, "socketpair", SYSC(IPC), EF_C | EF_S, -1, p_socketpair),
    EV(49, "sendmsg", SYSC(IO_WRITE), EF_U | EF_W | EF_S, 2, p_sendto),
    EV(53, "recvmsg", SYSC(IO_READ), EF_U | EF_R | EF_S, 5, p_recvmsg),
    EV(59, "creat", SYSC(FILE), EF_C | EF_S, -1, p_creat),
    EV(61, "pipe", SYSC(IPC), EF_C | EF_S, -1, p_pipe),
    EV(63, "eventfd", SYSC(IPC), EF_C | EF_S, -1, p_eventfd),
    EV(95, "chdir", SYSC(FILE), EF_S, -1, p_chdir),
    EV(97, "fchdir", SYSC(FILE), EF_U | EF_S, 1, p_fchdir),
    EV(127, "signalfd", SYSC(SIGNAL), EF_C | EF_S, -1, p_signalfd),
    EV(129, "kill", SYSC(SIGNAL), 0, -1, p_kill),
    EV(131, "tkill", SYSC(SIGNAL), 0, -1, p_tkill),
    EV(133, "tgkill", SYSC(SIGNAL), 0, -1, p_tgkill),
    EV(137, "timerfd_create", SYSC(TIME), EF_C | EF_S, -1, p_timerfd_create),
    EV(139, "inotify_init", SYSC(IPC), EF_C | EF_S, -1, p_inotify_init),
    EV(141, "getrlimit", SYSC(PROCESS), 0, -1, p_rlimit),
    EV(143, "setrlimit", SYSC(PROCESS), 0, -1, p_rlimit),
    EV(145, "prlimit", SYSC(PROCESS), 0, -1, p_prlimit),
    EV(151, "fcntl", SYSC(IO_OTHER), EF_U | EF_S, 1, p_fcntl),
    EV(161, "mmap", SYSC(MEMORY), EF_U, 8, p_mmap),
    EV(165, "munmap", SYSC(MEMORY), 0, -1, p_munmap),
    EV(169, "ptrace", SYSC(PROCESS), 0, -1, p_ptrace),
    EV(175, "rename", SYSC(FILE), 0, -1, p_rename),
    EV(177, "renameat", SYSC(FILE), 0, -1, p_renameat),
    EV(179, "symlink", SYSC(FILE), 0, -1, p_symlink),
    EV(181, "symlinkat", SYSC(FILE), EF_U, 2, p_symlinkat),
    { "procexit", 186, '>', SKR_EC_PROCESS | SKR_EC_TRACEPOINT, EF_S, -1, ARR(p_procexit) },
    EV(193, "setresuid", SYSC(USER), EF_S, -1, p_setresuid),
    EV(195, "setresgid", SYSC(USER), EF_S, -1, p_setresgid),
    EV(199, "setuid", SYSC(USER), EF_S, -1, p_setuid),
    EV(201, "setgid", SYSC(USER), EF_S, -1, p_setgid),
    EV(223, "clone", SYSC(PROCESS), EF_S, -1, p_clone),
    EV(225, "fork", SYSC(PROCESS), EF_S, -1, p_clone),
    EV(227, "vfork", SYSC(PROCESS), EF_S, -1, p_clone),
    EV(241, "setns", SYSC(PROCESS), EF_U, 1, p_setns),
    EV(247, "accept", SYSC(NET), EF_C | EF_S, -1, p_accept),
    EV(257, "mount", SYSC(FILE), EF_S, -1, p_mount),
    EV(267, "chroot", SYSC(PROCESS), EF_S, -1, p_chroot),
    EV(275, "setsid", SYSC(PROCESS), EF_S, -1, p_setsid),
    EV(277, "mkdir", SYSC(FILE), 0, -1, p_mkdir),
    EV(279, "rmdir", SYSC(FILE), 0, -1, p_path_res),
    EV(285, "unshare", SYSC(PROCESS), 0, -1, p_unshare),
    EV(293, "execve", SYSC(PROCESS), EF_S, -1, p_execve),
    EV(295, "setpgid", SYSC(PROCESS), 0, -1, p_setpgid),
    EV(301, "unlink", SYSC(FILE), 0, -1, p_path_res),
    EV(303, "unlinkat", SYSC(FILE), EF_U, 1, p_unlinkat),
    EV(305, "mkdirat", SYSC(FILE), EF_U, 1, p_mkdirat),
    EV(307, "openat", SYSC(FILE), EF_C | EF_S, -1, p_openat),
    EV(309, "link", SYSC(FILE), 0, -1, p_link),
    EV(311, "linkat", SYSC(FILE), 0, -1, p_linkat),
    EV(313, "fchmodat", SYSC(FILE), EF_U, 1, p_fchmodat),
    EV(315, "chmod", SYSC(FILE), 0, -1, p_chmod),
    EV(317, "fchmod", SYSC(FILE), EF_U, 1, p_fchmod),
    EV(319, "renameat2", SYSC(FILE), 0, -1, p_renameat2),
    EV(321, "userfaultfd", SYSC(FILE), EF_C | EF_S, -1, p_userfaultfd),
    EV(327, "openat2", SYSC(FILE), EF_C | EF_S, -1, p_openat2),
    EV(329, "mprotect", SYSC(MEMORY), 0, -1, p_mprotect),
    /* execveat: the execve layout without its last parameter (filename) */
    { "execveat", 331, '<', SYSC(PROCESS), EF_S, -1, 30, p_execve },
    EV(335, "clone3", SYSC(PROCESS), EF_S, -1, p_clone),
    EV(337, "open_by_handle_at", SYSC(FILE), EF_C | EF_S, -1, p_open_by_handle_at),
    EV(339, "io_uring_setup", SYSC(IO_OTHER), EF_C | EF_S, -1, p_io_uring_setup),
    EV(353, "capset", SYSC(PROCESS), EF_S, -1, p_capset),
    EV(363, "dup2", SYSC(IO_OTHER), EF_C | EF_U | EF_S, 1, p_dup2),
    EV(365, "dup3", SYSC(IO_OTHER), EF_C | EF_U | EF_S, 1, p_dup3),
    EV(367, "dup", SYSC(IO_OTHER), EF_C | EF_U | EF_S, 1, p_dup),
    EV(369, "bpf", SYSC(OTHER), EF_C, -1, p_bpf),
    EV(375, "epoll_create", SYSC(WAIT), EF_C | EF_S, -1, p_epoll_create),
    EV(377, "epoll_create1", SYSC(WAIT), EF_C | EF_S, -1, p_epoll_create1),
    EV(379, "chown", SYSC(FILE), 0, -1, p_chown),
    EV(381, "lchown", SYSC(FILE), 0, -1, p_chown),
    EV(383, "fchown", SYSC(FILE), EF_U, 1, p_fchown),
    EV(385, "fchownat", SYSC(FILE), EF_U, 1, p_fchownat),
    EV(389, "accept4", SYSC(NET), EF_C | EF_S, -1, p_accept4),
    EV(391, "umount2", SYSC(FILE), EF_S, -1, p_umount2),
    EV(393, "pipe2", SYSC(IPC), EF_C | EF_S, -1, p_pipe2),
    EV(395, "inotify_init1", SYSC(IPC), EF_C | EF_S, -1, p_inotify_init1),
    EV(397, "eventfd2", SYSC(IPC), EF_C | EF_S, -1, p_eventfd2),
    EV(399, "signalfd4", SYSC(SIGNAL), EF_C | EF_S, -1, p_signalfd4),
    EV(401, "prctl", SYSC(PROCESS), EF_S, -1, p_prctl),
    EV(405, "memfd_create", SYSC(MEMORY), EF_C | EF_S, -1, p_memfd_create),
    EV(407, "pidfd_getfd", SYSC(PROCESS), EF_C | EF_S, -1, p_pidfd_getfd),
    EV(409, "pidfd_open", SYSC(PROCESS), EF_C | EF_S, -1, p_pidfd_open),
    EV(411, "init_module", SYSC(OTHER), 0, -1, p_init_module),
    EV(413, "finit_module", SYSC(OTHER), EF_U | EF_R, 1, p_finit_module),
    EV(425, "delete_module", SYSC(OTHER), 0, -1, p_delete_module),
    EV(427, "setreuid", SYSC(USER), EF_S, -1, p_setreuid),
    EV(429, "setregid", SYSC(USER), EF_S, -1, p_setregid),
    EV(451, "close_range", SYSC(IO_OTHER), EF_S, -1, p_close_range),
    { "saker_init", SKR_EVT_INIT, '>', SKR_EC_INTERNAL | SKR_EC_METAEVENT, EF_S, -1, ARR(p_init) },
    { "saker_thread", SKR_EVT_THREAD, '>', SKR_EC_PROCESS | SKR_EC_METAEVENT, EF_S, -1,
      ARR(p_thread) },
    { "saker_fd", SKR_EVT_FD, '>', SKR_EC_FILE | SKR_EC_METAEVENT, EF_S, -1, ARR(p_fd) },
};

#define NUM_EVENTS (sizeof(g_events) / sizeof(g_events[0]))

/* code -> index + 1 into g_events for libscap codes; Saker codes are searched. */
static const struct skr_event_info *lookup_code(uint16_t code)
{
    size_t lo = 0, hi = NUM_EVENTS;

    /* g_events is sorted by code. */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g_events[mid].code == code) {
            return &g_events[mid];
        }
        if (g_events[mid].code < code) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* Every libscap code's layout by code, built once: decoding an event is one load. */
static const struct skr_event_info *g_by_code[SKR_EVENT_CODES];
static pthread_once_t g_by_code_once = PTHREAD_ONCE_INIT;

static void build_by_code(void)
{
    for (size_t i = 0; i < NUM_EVENTS; i++) {
        if (g_events[i].code < SKR_EVENT_CODES) {
            g_by_code[g_events[i].code] = &g_events[i];
        }
    }
}

const struct skr_event_info *skr_event_info(uint16_t code)
{
    if (code < SKR_EVENT_CODES) {
        pthread_once(&g_by_code_once, build_by_code);
        return g_by_code[code];
    }
    return lookup_code(code);
}

const char *skr_event_name(uint16_t code)
{
    const struct skr_event_info *info;

    if (code < SKR_EVENT_CODES && skr_event_code_names[code]) {
        return skr_event_code_names[code];
    }
    info = lookup_code(code);
    return info ? info->name : NULL;
}

int skr_event_param_index(const struct skr_event_info *info, const char *name, size_t len)
{
    for (uint8_t i = 0; i < info->nparams; i++) {
        const char *n = info->params[i].name;
        if (strncmp(n, name, len) == 0 && n[len] == '\0') {
            return i;
        }
    }
    return -1;
}

int skr_syscall_nr(const char *name)
{
    for (int i = 0; i < SKR_NATIVE_SYSCALLS; i++) {
        if (skr_x86_64_syscalls[i] && strcmp(skr_x86_64_syscalls[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

const char *skr_syscall_name(uint32_t nr)
{
    return nr < SKR_NATIVE_SYSCALLS ? skr_x86_64_syscalls[nr] : NULL;
}

uint16_t skr_syscall_exit_code(uint32_t nr)
{
    const char *name = skr_syscall_name(nr);

    if (!name) {
        return 1;
    }
    for (const struct skr_syscall_map *m = skr_syscall_maps; m->syscall; m++) {
        if (strcmp(m->syscall, name) == 0) {
            return m->exit_code;
        }
    }
    return 1;
}
