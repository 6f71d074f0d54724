/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fields the plugin extracts, with libsinsp's names, types and flags.
 * The order of this list is the field_id order of get_fields; after it come
 * one hidden evt.arg.<name> and one evt.rawarg.<name> field per parameter
 * name of the event table, so that an unknown parameter name is a compile
 * error and evt.rawarg.<name> has the type of that parameter.
 */
#ifndef SKR_SYSCALL_FIELDS_H
#define SKR_SYSCALL_FIELDS_H

#include <stdint.h>

/* flags */
#define FL_FILTER_ONLY (1u << 0)
#define FL_HIDDEN      (1u << 1)
#define FL_DEPRECATED  (1u << 2)
#define FL_NO_RHS      (1u << 3)
#define FL_LIST        (1u << 4)
#define FL_PRINT_ONLY  (1u << 5)

/* argument forms */
enum skr_argform {
    A_NONE,
    A_IDX,         /* optional [N] */
    A_KEY,         /* optional [KEY] */
    A_IDX_KEY,     /* optional [N] or [KEY] */
    A_REQ_IDX,     /* required [N] */
    A_REQ_IDX_KEY, /* required [N] or [KEY] */
    A_REQ_KEY,     /* required [KEY] */
    A_DOT_REQ,     /* required, written .NAME (or [NAME]) */
    A_DOT_OPT,     /* optional, written .NAME */
};

/* X(id, name, type, flags, argform, desc) */
#define SKR_FIELDS(X)                                                                              \
    X(EVT_LATENCY, "evt.latency", "reltime", FL_DEPRECATED, A_NONE,                                \
      "Deprecated, always 0: enter/exit pairing is gone.")                                         \
    X(EVT_LATENCY_S, "evt.latency.s", "reltime", FL_DEPRECATED, A_NONE, "Deprecated, always 0.")   \
    X(EVT_LATENCY_NS, "evt.latency.ns", "reltime", FL_DEPRECATED, A_NONE, "Deprecated, always 0.") \
    X(EVT_LATENCY_QUANTIZED, "evt.latency.quantized", "uint64", FL_DEPRECATED | FL_HIDDEN, A_NONE, \
      "Deprecated, always 0.")                                                                     \
    X(EVT_LATENCY_HUMAN, "evt.latency.human", "string", FL_DEPRECATED, A_NONE,                     \
      "Deprecated, always 0ns.")                                                                   \
    X(EVT_DELTATIME, "evt.deltatime", "reltime", 0, A_NONE,                                        \
      "Nanoseconds since the previous event this field was extracted from.")                       \
    X(EVT_DELTATIME_S, "evt.deltatime.s", "reltime", 0, A_NONE, "Seconds part of evt.deltatime.")  \
    X(EVT_DELTATIME_NS, "evt.deltatime.ns", "reltime", 0, A_NONE,                                  \
      "Nanoseconds part of evt.deltatime.")                                                        \
    X(EVT_OUTPUTTIME, "evt.outputtime", "string", FL_PRINT_ONLY, A_NONE,                           \
      "Event time as HH:MM:SS.nnnnnnnnn.")                                                         \
    X(EVT_DIR, "evt.dir", "string", FL_DEPRECATED, A_NONE,                                         \
      "> for enter events, < for exit events.")                                                    \
    X(EVT_TYPE, "evt.type", "string", 0, A_NONE, "Event name (syscall name for generic events).")  \
    X(EVT_TYPE_IS, "evt.type.is", "uint32", 0, A_DOT_REQ,                                          \
      "1 when the event is of the type given after the dot (name or code), else 0.")               \
    X(SYSCALL_TYPE, "syscall.type", "string", 0, A_NONE,                                           \
      "For syscall events, the syscall name; missing for other events.")                           \
    X(EVT_CATEGORY, "evt.category", "string", 0, A_NONE,                                           \
      "Category of the event (file, net, ...).")                                                   \
    X(EVT_CPU, "evt.cpu", "int16", 0, A_NONE, "CPU that produced the event.")                      \
    X(EVT_ARGS, "evt.args", "string", 0, A_NONE, "All parameters as name=value.")                  \
    X(EVT_ARG, "evt.arg", "string", 0, A_REQ_IDX_KEY,                                              \
      "One parameter as text: evt.arg.NAME or evt.arg[N].")                                        \
    X(EVT_RAWARG, "evt.rawarg", "uint64", FL_NO_RHS, A_REQ_KEY,                                    \
      "One parameter's raw value: evt.rawarg.NAME.")                                               \
    X(EVT_INFO, "evt.info", "string", 0, A_NONE, "Same as evt.args.")                              \
    X(EVT_BUFFER, "evt.buffer", "bytebuf", 0, A_NONE, "The data of I/O events.")                   \
    X(EVT_BUFLEN, "evt.buflen", "uint64", 0, A_NONE, "Bytes of a successful I/O event.")           \
    X(EVT_RES, "evt.res", "string", 0, A_NONE, "SUCCESS, or the errno name of the failure.")       \
    X(EVT_RAWRES, "evt.rawres", "int64", 0, A_NONE, "Return value of the syscall.")                \
    X(EVT_FAILED, "evt.failed", "bool", 0, A_NONE, "True when the syscall failed.")                \
    X(EVT_IS_IO, "evt.is_io", "bool", 0, A_NONE, "True for events that read or write an fd.")      \
    X(EVT_IS_IO_READ, "evt.is_io_read", "bool", 0, A_NONE, "True for events that read an fd.")     \
    X(EVT_IS_IO_WRITE, "evt.is_io_write", "bool", 0, A_NONE, "True for events that write an fd.")  \
    X(EVT_IO_DIR, "evt.io_dir", "string", 0, A_NONE, "read or write for I/O events.")              \
    X(EVT_IS_WAIT, "evt.is_wait", "bool", 0, A_NONE, "True for events that wait.")                 \
    X(EVT_WAIT_LATENCY, "evt.wait_latency", "reltime", FL_DEPRECATED, A_NONE,                      \
      "Deprecated, always 0.")                                                                     \
    X(EVT_IS_SYSLOG, "evt.is_syslog", "bool", 0, A_NONE, "True for writes to /dev/log.")           \
    X(EVT_COUNT, "evt.count", "uint32", 0, A_NONE, "Always 1.")                                    \
    X(EVT_COUNT_ERROR, "evt.count.error", "uint32", 0, A_NONE, "1 when the syscall failed.")       \
    X(EVT_COUNT_ERROR_FILE, "evt.count.error.file", "uint32", 0, A_NONE,                           \
      "1 when a file syscall failed.")                                                             \
    X(EVT_COUNT_ERROR_NET, "evt.count.error.net", "uint32", 0, A_NONE,                             \
      "1 when a network syscall failed.")                                                          \
    X(EVT_COUNT_ERROR_MEMORY, "evt.count.error.memory", "uint32", 0, A_NONE,                       \
      "1 when a memory syscall failed.")                                                           \
    X(EVT_COUNT_ERROR_OTHER, "evt.count.error.other", "uint32", 0, A_NONE,                         \
      "1 when another syscall failed.")                                                            \
    X(EVT_COUNT_EXIT, "evt.count.exit", "uint32", 0, A_NONE, "1 for exit events.")                 \
    X(EVT_COUNT_PROCINFO, "evt.count.procinfo", "uint32", FL_HIDDEN, A_NONE, "Always 0.")          \
    X(EVT_COUNT_THREADINFO, "evt.count.threadinfo", "uint32", FL_HIDDEN, A_NONE, "Always 0.")      \
    X(EVT_AROUND, "evt.around", "uint64", FL_FILTER_ONLY | FL_NO_RHS, A_REQ_IDX,                   \
      "True when the event is within RHS milliseconds of the timestamp given.")                    \
    X(EVT_ABSPATH, "evt.abspath", "string", 0, A_DOT_OPT,                                          \
      "Absolute path of a dirfd + path pair (.src / .dst for two-path calls).")                    \
    X(EVT_BUFLEN_IN, "evt.buflen.in", "uint64", FL_HIDDEN, A_NONE, "Bytes read.")                  \
    X(EVT_BUFLEN_OUT, "evt.buflen.out", "uint64", FL_HIDDEN, A_NONE, "Bytes written.")             \
    X(EVT_BUFLEN_FILE, "evt.buflen.file", "uint64", FL_HIDDEN, A_NONE, "File bytes.")              \
    X(EVT_BUFLEN_FILE_IN, "evt.buflen.file.in", "uint64", FL_HIDDEN, A_NONE, "File bytes read.")   \
    X(EVT_BUFLEN_FILE_OUT, "evt.buflen.file.out", "uint64", FL_HIDDEN, A_NONE,                     \
      "File bytes written.")                                                                       \
    X(EVT_BUFLEN_NET, "evt.buflen.net", "uint64", FL_HIDDEN, A_NONE, "Network bytes.")             \
    X(EVT_BUFLEN_NET_IN, "evt.buflen.net.in", "uint64", FL_HIDDEN, A_NONE, "Network bytes read.")  \
    X(EVT_BUFLEN_NET_OUT, "evt.buflen.net.out", "uint64", FL_HIDDEN, A_NONE,                       \
      "Network bytes written.")                                                                    \
    X(EVT_IS_OPEN_READ, "evt.is_open_read", "bool", 0, A_NONE, "True for opens with read access.") \
    X(EVT_IS_OPEN_WRITE, "evt.is_open_write", "bool", 0, A_NONE,                                   \
      "True for opens with write access.")                                                         \
    X(EVT_INFRA_DOCKER_NAME, "evt.infra.docker.name", "string", FL_HIDDEN, A_NONE,                 \
      "Legacy infrastructure events only.")                                                        \
    X(EVT_INFRA_DOCKER_CONTAINER_ID, "evt.infra.docker.container.id", "string", FL_HIDDEN, A_NONE, \
      "Legacy infrastructure events only.")                                                        \
    X(EVT_INFRA_DOCKER_CONTAINER_NAME, "evt.infra.docker.container.name", "string", FL_HIDDEN,     \
      A_NONE, "Legacy infrastructure events only.")                                                \
    X(EVT_INFRA_DOCKER_CONTAINER_IMAGE, "evt.infra.docker.container.image", "string", FL_HIDDEN,   \
      A_NONE, "Legacy infrastructure events only.")                                                \
    X(EVT_IS_OPEN_EXEC, "evt.is_open_exec", "bool", 0, A_NONE,                                     \
      "True for opens that create a file with execute permission.")                                \
    X(EVT_IS_OPEN_CREATE, "evt.is_open_create", "bool", 0, A_NONE,                                 \
      "True for opens that created the file.")                                                     \
    X(PROC_EXE, "proc.exe", "string", 0, A_NONE, "argv[0] of the process.")                        \
    X(PROC_PEXE, "proc.pexe", "string", 0, A_NONE, "proc.exe of the parent.")                      \
    X(PROC_AEXE, "proc.aexe", "string", FL_NO_RHS, A_IDX, "proc.exe of an ancestor.")              \
    X(PROC_EXEPATH, "proc.exepath", "string", 0, A_NONE, "Full path of the executable.")           \
    X(PROC_PEXEPATH, "proc.pexepath", "string", 0, A_NONE, "proc.exepath of the parent.")          \
    X(PROC_AEXEPATH, "proc.aexepath", "string", FL_NO_RHS, A_IDX, "proc.exepath of an ancestor.")  \
    X(PROC_NAME, "proc.name", "string", 0, A_NONE, "Name (comm) of the thread.")                   \
    X(PROC_PNAME, "proc.pname", "string", 0, A_NONE, "proc.name of the parent.")                   \
    X(PROC_ANAME, "proc.aname", "string", FL_NO_RHS, A_IDX,                                        \
      "proc.name of an ancestor ([0] self, [1] parent, ...); without index any ancestor.")         \
    X(PROC_ARGS, "proc.args", "string", 0, A_IDX, "Arguments after argv[0], space-separated.")     \
    X(PROC_AARGS, "proc.aargs", "string", 0, A_IDX, "proc.args of an ancestor.")                   \
    X(PROC_CMDLINE, "proc.cmdline", "string", 0, A_NONE, "proc.name and proc.args.")               \
    X(PROC_PCMDLINE, "proc.pcmdline", "string", 0, A_NONE, "proc.cmdline of the parent.")          \
    X(PROC_ACMDLINE, "proc.acmdline", "string", FL_NO_RHS, A_IDX, "proc.cmdline of an ancestor.")  \
    X(PROC_CMDNARGS, "proc.cmdnargs", "uint64", 0, A_NONE, "Number of arguments.")                 \
    X(PROC_CMDLENARGS, "proc.cmdlenargs", "uint64", 0, A_NONE, "Total length of the arguments.")   \
    X(PROC_EXELINE, "proc.exeline", "string", 0, A_NONE, "proc.exe and proc.args.")                \
    X(PROC_ENV, "proc.env", "string", 0, A_KEY, "Environment, or the value of one variable.")      \
    X(PROC_AENV, "proc.aenv", "string", FL_NO_RHS, A_IDX_KEY,                                      \
      "Environment of an ancestor, or a variable found in the ancestors.")                         \
    X(PROC_CWD, "proc.cwd", "string", 0, A_NONE, "Current working directory, ending with /.")      \
    X(PROC_LOGINSHELLID, "proc.loginshellid", "int64", 0, A_NONE,                                  \
      "pid of the oldest ancestor shell.")                                                         \
    X(PROC_TTY, "proc.tty", "uint32", 0, A_NONE, "Controlling terminal, 0 when none.")             \
    X(PROC_PID, "proc.pid", "int64", 0, A_NONE, "Process id.")                                     \
    X(PROC_PPID, "proc.ppid", "int64", 0, A_NONE, "Parent process id.")                            \
    X(PROC_APID, "proc.apid", "int64", FL_NO_RHS, A_IDX, "Process id of an ancestor.")             \
    X(PROC_VPID, "proc.vpid", "int64", 0, A_NONE, "Process id in its pid namespace.")              \
    X(PROC_PVPID, "proc.pvpid", "int64", 0, A_NONE, "proc.vpid of the parent.")                    \
    X(PROC_SID, "proc.sid", "int64", 0, A_NONE, "Session id.")                                     \
    X(PROC_SNAME, "proc.sname", "string", 0, A_NONE, "Name of the session leader.")                \
    X(PROC_SID_EXE, "proc.sid.exe", "string", 0, A_NONE, "proc.exe of the session leader.")        \
    X(PROC_SID_EXEPATH, "proc.sid.exepath", "string", 0, A_NONE,                                   \
      "proc.exepath of the session leader.")                                                       \
    X(PROC_VPGID, "proc.vpgid", "int64", 0, A_NONE, "Process group id in its pid namespace.")      \
    X(PROC_VPGID_NAME, "proc.vpgid.name", "string", 0, A_NONE,                                     \
      "Name of the process group leader.")                                                         \
    X(PROC_VPGID_EXE, "proc.vpgid.exe", "string", 0, A_NONE,                                       \
      "proc.exe of the process group leader.")                                                     \
    X(PROC_VPGID_EXEPATH, "proc.vpgid.exepath", "string", 0, A_NONE,                               \
      "proc.exepath of the process group leader.")                                                 \
    X(PROC_PGID, "proc.pgid", "int64", 0, A_NONE, "Process group id.")                             \
    X(PROC_PGID_NAME, "proc.pgid.name", "string", 0, A_NONE, "Name of the process group leader.")  \
    X(PROC_PGID_EXE, "proc.pgid.exe", "string", 0, A_NONE,                                         \
      "proc.exe of the process group leader.")                                                     \
    X(PROC_PGID_EXEPATH, "proc.pgid.exepath", "string", 0, A_NONE,                                 \
      "proc.exepath of the process group leader.")                                                 \
    X(PROC_DURATION, "proc.duration", "reltime", 0, A_NONE, "Time since the process started.")     \
    X(PROC_PPID_DURATION, "proc.ppid.duration", "reltime", 0, A_NONE,                              \
      "Time since the parent started.")                                                            \
    X(PROC_PID_TS, "proc.pid.ts", "reltime", 0, A_NONE, "Start time of the process.")              \
    X(PROC_PPID_TS, "proc.ppid.ts", "reltime", 0, A_NONE, "Start time of the parent.")             \
    X(PROC_IS_EXE_WRITABLE, "proc.is_exe_writable", "bool", 0, A_NONE,                             \
      "The executable is writable by the process's user.")                                         \
    X(PROC_IS_EXE_UPPER_LAYER, "proc.is_exe_upper_layer", "bool", 0, A_NONE,                       \
      "The executable is in an overlayfs upper layer.")                                            \
    X(PROC_IS_EXE_LOWER_LAYER, "proc.is_exe_lower_layer", "bool", 0, A_NONE,                       \
      "The executable is in an overlayfs lower layer.")                                            \
    X(PROC_IS_EXE_FROM_MEMFD, "proc.is_exe_from_memfd", "bool", 0, A_NONE,                         \
      "The executable is a memfd (fileless execution).")                                           \
    X(PROC_IS_SID_LEADER, "proc.is_sid_leader", "bool", 0, A_NONE, "sid == vpid.")                 \
    X(PROC_IS_VPGID_LEADER, "proc.is_vpgid_leader", "bool", 0, A_NONE, "vpgid == vpid.")           \
    X(PROC_IS_PGID_LEADER, "proc.is_pgid_leader", "bool", 0, A_NONE, "pgid == pid.")               \
    X(PROC_EXE_INO, "proc.exe_ino", "int64", 0, A_NONE, "Inode of the executable.")                \
    X(PROC_EXE_INO_CTIME, "proc.exe_ino.ctime", "abstime", 0, A_NONE, "ctime of the executable.")  \
    X(PROC_EXE_INO_MTIME, "proc.exe_ino.mtime", "abstime", 0, A_NONE, "mtime of the executable.")  \
    X(PROC_EXE_INO_CTIME_DURATION_PROC_START, "proc.exe_ino.ctime_duration_proc_start", "abstime", \
      0, A_NONE, "Process start time minus the executable's ctime.")                               \
    X(PROC_EXE_INO_CTIME_DURATION_PIDNS_START, "proc.exe_ino.ctime_duration_pidns_start",          \
      "abstime", 0, A_NONE, "Executable ctime minus the pid namespace start.")                     \
    X(PROC_PIDNS_INIT_START_TS, "proc.pidns_init_start_ts", "uint64", 0, A_NONE,                   \
      "Start time of the pid namespace's init.")                                                   \
    X(THREAD_CAP_PERMITTED, "thread.cap_permitted", "string", 0, A_NONE,                           \
      "Permitted capabilities.")                                                                   \
    X(THREAD_CAP_INHERITABLE, "thread.cap_inheritable", "string", 0, A_NONE,                       \
      "Inheritable capabilities.")                                                                 \
    X(THREAD_CAP_EFFECTIVE, "thread.cap_effective", "string", 0, A_NONE,                           \
      "Effective capabilities.")                                                                   \
    X(PROC_FDOPENCOUNT, "proc.fdopencount", "uint64", 0, A_NONE, "Number of open fds.")            \
    X(PROC_FDLIMIT, "proc.fdlimit", "int64", 0, A_NONE, "RLIMIT_NOFILE soft limit.")               \
    X(PROC_FDUSAGE, "proc.fdusage", "double", 0, A_NONE, "Open fds in percent of the limit.")      \
    X(PROC_VMSIZE, "proc.vmsize", "uint64", 0, A_NONE, "Virtual memory size in KiB.")              \
    X(PROC_VMRSS, "proc.vmrss", "uint64", 0, A_NONE, "Resident memory in KiB.")                    \
    X(PROC_VMSWAP, "proc.vmswap", "uint64", 0, A_NONE, "Swapped memory in KiB.")                   \
    X(THREAD_PFMAJOR, "thread.pfmajor", "uint64", 0, A_NONE, "Major page faults.")                 \
    X(THREAD_PFMINOR, "thread.pfminor", "uint64", 0, A_NONE, "Minor page faults.")                 \
    X(THREAD_TID, "thread.tid", "int64", 0, A_NONE, "Thread id.")                                  \
    X(THREAD_ISMAIN, "thread.ismain", "bool", 0, A_NONE, "True for the main thread.")              \
    X(THREAD_VTID, "thread.vtid", "int64", 0, A_NONE, "Thread id in its pid namespace.")           \
    X(THREAD_NAMETID, "thread.nametid", "string", FL_HIDDEN, A_NONE, "comm followed by tid.")      \
    X(THREAD_EXECTIME, "thread.exectime", "reltime", 0, A_NONE, "0: no scheduler events.")         \
    X(THREAD_TOTEXECTIME, "thread.totexectime", "reltime", 0, A_NONE, "0: no scheduler events.")   \
    X(THREAD_CGROUPS, "thread.cgroups", "string", 0, A_NONE, "All cgroups as subsys=path.")        \
    X(THREAD_CGROUP, "thread.cgroup", "string", 0, A_DOT_REQ,                                      \
      "Cgroup of one subsystem: thread.cgroup.SUBSYS.")                                            \
    X(PROC_NTHREADS, "proc.nthreads", "uint64", 0, A_NONE, "Live threads of the process.")         \
    X(PROC_NCHILDS, "proc.nchilds", "uint64", 0, A_NONE, "Live non-main threads.")                 \
    X(THREAD_CPU, "thread.cpu", "double", 0, A_NONE, "CPU usage (procinfo events only).")          \
    X(THREAD_CPU_USER, "thread.cpu.user", "double", 0, A_NONE, "User CPU (procinfo events only).") \
    X(THREAD_CPU_SYSTEM, "thread.cpu.system", "double", 0, A_NONE,                                 \
      "System CPU (procinfo events only).")                                                        \
    X(THREAD_VMSIZE, "thread.vmsize", "uint64", 0, A_NONE, "vmsize of the main thread, else 0.")   \
    X(THREAD_VMRSS, "thread.vmrss", "uint64", 0, A_NONE, "vmrss of the main thread, else 0.")      \
    X(THREAD_VMSIZE_B, "thread.vmsize.b", "uint64", FL_HIDDEN, A_NONE, "vmsize in bytes.")         \
    X(THREAD_VMRSS_B, "thread.vmrss.b", "uint64", FL_HIDDEN, A_NONE, "vmrss in bytes.")            \
    X(PROC_STDIN_TYPE, "proc.stdin.type", "string", 0, A_NONE, "fd.type of fd 0.")                 \
    X(PROC_STDOUT_TYPE, "proc.stdout.type", "string", 0, A_NONE, "fd.type of fd 1.")               \
    X(PROC_STDERR_TYPE, "proc.stderr.type", "string", 0, A_NONE, "fd.type of fd 2.")               \
    X(PROC_STDIN_NAME, "proc.stdin.name", "string", 0, A_NONE, "fd.name of fd 0.")                 \
    X(PROC_STDOUT_NAME, "proc.stdout.name", "string", 0, A_NONE, "fd.name of fd 1.")               \
    X(PROC_STDERR_NAME, "proc.stderr.name", "string", 0, A_NONE, "fd.name of fd 2.")               \
    X(FD_NUM, "fd.num", "int64", 0, A_NONE, "The fd the event uses or creates.")                   \
    X(FD_TYPE, "fd.type", "string", 0, A_NONE, "Type of the fd (file, ipv4, unix, ...).")          \
    X(FD_TYPECHAR, "fd.typechar", "string", 0, A_NONE, "Type of the fd as one letter.")            \
    X(FD_NAME, "fd.name", "string", 0, A_NONE, "Full name of the fd (path, tuple, ...).")          \
    X(FD_DIRECTORY, "fd.directory", "string", 0, A_NONE, "Directory of a file fd.")                \
    X(FD_FILENAME, "fd.filename", "string", 0, A_NONE, "File name of a file fd.")                  \
    X(FD_IP, "fd.ip", "ipaddr", FL_FILTER_ONLY | FL_NO_RHS, A_NONE, "Client or server IP.")        \
    X(FD_CIP, "fd.cip", "ipaddr", 0, A_NONE, "Client IP.")                                         \
    X(FD_SIP, "fd.sip", "ipaddr", 0, A_NONE, "Server IP.")                                         \
    X(FD_LIP, "fd.lip", "ipaddr", 0, A_NONE, "Local IP.")                                          \
    X(FD_RIP, "fd.rip", "ipaddr", 0, A_NONE, "Remote IP.")                                         \
    X(FD_PORT, "fd.port", "port", FL_FILTER_ONLY | FL_NO_RHS, A_NONE, "Client or server port.")    \
    X(FD_CPORT, "fd.cport", "port", 0, A_NONE, "Client port.")                                     \
    X(FD_SPORT, "fd.sport", "port", 0, A_NONE, "Server port.")                                     \
    X(FD_LPORT, "fd.lport", "port", 0, A_NONE, "Local port.")                                      \
    X(FD_RPORT, "fd.rport", "port", 0, A_NONE, "Remote port.")                                     \
    X(FD_L4PROTO, "fd.l4proto", "string", 0, A_NONE, "tcp, udp, icmp or raw.")                     \
    X(FD_SOCKFAMILY, "fd.sockfamily", "string", 0, A_NONE, "ip or unix.")                          \
    X(FD_IS_SERVER, "fd.is_server", "bool", 0, A_NONE, "True for server sockets.")                 \
    X(FD_UID, "fd.uid", "string", 0, A_NONE, "Thread id followed by fd number.")                   \
    X(FD_CONTAINERNAME, "fd.containername", "string", 0, A_NONE, "Container id:fd.name.")          \
    X(FD_CONTAINERDIRECTORY, "fd.containerdirectory", "string", 0, A_NONE,                         \
      "Container id:fd.directory.")                                                                \
    X(FD_PROTO, "fd.proto", "port", FL_FILTER_ONLY | FL_NO_RHS, A_NONE, "Client or server port.")  \
    X(FD_CPROTO, "fd.cproto", "string", 0, A_NONE, "Client port as text.")                         \
    X(FD_SPROTO, "fd.sproto", "string", 0, A_NONE, "Server port as text.")                         \
    X(FD_LPROTO, "fd.lproto", "string", 0, A_NONE, "Local port as text.")                          \
    X(FD_RPROTO, "fd.rproto", "string", 0, A_NONE, "Remote port as text.")                         \
    X(FD_NET, "fd.net", "ipnet", FL_FILTER_ONLY | FL_NO_RHS, A_NONE,                               \
      "Client or server IP in the network.")                                                       \
    X(FD_CNET, "fd.cnet", "ipnet", FL_FILTER_ONLY | FL_NO_RHS, A_NONE,                             \
      "Client IP in the network.")                                                                 \
    X(FD_SNET, "fd.snet", "ipnet", FL_FILTER_ONLY | FL_NO_RHS, A_NONE,                             \
      "Server IP in the network.")                                                                 \
    X(FD_LNET, "fd.lnet", "ipnet", FL_FILTER_ONLY | FL_NO_RHS, A_NONE, "Local IP in the network.") \
    X(FD_RNET, "fd.rnet", "ipnet", FL_FILTER_ONLY | FL_NO_RHS, A_NONE,                             \
      "Remote IP in the network.")                                                                 \
    X(FD_CONNECTED, "fd.connected", "bool", 0, A_NONE, "True for connected sockets.")              \
    X(FD_NAME_CHANGED, "fd.name_changed", "bool", 0, A_NONE,                                       \
      "True when the event changed fd.name.")                                                      \
    X(FD_CIP_NAME, "fd.cip.name", "string", FL_NO_RHS, A_NONE, "Domain name of the client IP.")    \
    X(FD_SIP_NAME, "fd.sip.name", "string", FL_NO_RHS, A_NONE, "Domain name of the server IP.")    \
    X(FD_LIP_NAME, "fd.lip.name", "string", FL_NO_RHS, A_NONE, "Domain name of the local IP.")     \
    X(FD_RIP_NAME, "fd.rip.name", "string", FL_NO_RHS, A_NONE, "Domain name of the remote IP.")    \
    X(FD_DEV, "fd.dev", "int32", 0, A_NONE, "Device number of the file.")                          \
    X(FD_DEV_MAJOR, "fd.dev.major", "int32", 0, A_NONE, "Major device number.")                    \
    X(FD_DEV_MINOR, "fd.dev.minor", "int32", 0, A_NONE, "Minor device number.")                    \
    X(FD_INO, "fd.ino", "int64", 0, A_NONE, "Inode of the file.")                                  \
    X(FD_NAMERAW, "fd.nameraw", "string", 0, A_NONE, "The path as passed to open.")                \
    X(FD_TYPES, "fd.types", "string", FL_LIST | FL_NO_RHS, A_IDX,                                  \
      "Types of the process's fds (or of fd N).")                                                  \
    X(FD_IS_UPPER_LAYER, "fd.is_upper_layer", "bool", 0, A_NONE,                                   \
      "The file is in an overlayfs upper layer.")                                                  \
    X(FD_IS_LOWER_LAYER, "fd.is_lower_layer", "bool", 0, A_NONE,                                   \
      "The file is in an overlayfs lower layer.")                                                  \
    X(FDLIST_NUMS, "fdlist.nums", "string", 0, A_NONE, "poll fds (not captured).")                 \
    X(FDLIST_NAMES, "fdlist.names", "string", 0, A_NONE, "poll fd names (not captured).")          \
    X(FDLIST_CIPS, "fdlist.cips", "string", 0, A_NONE, "poll client IPs (not captured).")          \
    X(FDLIST_SIPS, "fdlist.sips", "string", 0, A_NONE, "poll server IPs (not captured).")          \
    X(FDLIST_CPORTS, "fdlist.cports", "string", 0, A_NONE, "poll client ports (not captured).")    \
    X(FDLIST_SPORTS, "fdlist.sports", "string", 0, A_NONE, "poll server ports (not captured).")    \
    X(GROUP_GID, "group.gid", "uint32", 0, A_NONE, "Effective gid.")                               \
    X(GROUP_NAME, "group.name", "string", 0, A_NONE, "Name of the effective group.")               \
    X(USER_UID, "user.uid", "uint32", 0, A_NONE, "Effective uid.")                                 \
    X(USER_NAME, "user.name", "string", 0, A_NONE, "Name of the effective user.")                  \
    X(USER_HOMEDIR, "user.homedir", "string", 0, A_NONE, "Home directory of the user.")            \
    X(USER_SHELL, "user.shell", "string", 0, A_NONE, "Login shell of the user.")                   \
    X(USER_LOGINUID, "user.loginuid", "int64", 0, A_NONE, "Audit login uid, -1 when unset.")       \
    X(USER_LOGINNAME, "user.loginname", "string", 0, A_NONE, "Name of the login user.")            \
    X(FS_PATH_NAME, "fs.path.name", "string", 0, A_NONE, "Path operated on, absolute.")            \
    X(FS_PATH_NAMERAW, "fs.path.nameraw", "string", 0, A_NONE, "Path operated on, as passed.")     \
    X(FS_PATH_SOURCE, "fs.path.source", "string", 0, A_NONE, "Source path, absolute.")             \
    X(FS_PATH_SOURCERAW, "fs.path.sourceraw", "string", 0, A_NONE, "Source path, as passed.")      \
    X(FS_PATH_TARGET, "fs.path.target", "string", 0, A_NONE, "Target path, absolute.")             \
    X(FS_PATH_TARGETRAW, "fs.path.targetraw", "string", 0, A_NONE, "Target path, as passed.")

enum skr_field_id {
#define SKR_FIELD_ENUM(id, name, type, flags, arg, desc) F_##id,
    SKR_FIELDS(SKR_FIELD_ENUM)
#undef SKR_FIELD_ENUM
    F_NUM_FIXED
};

/* Field ids from F_NUM_FIXED on: evt.arg.<name> then evt.rawarg.<name>, one per parameter name. */
uint32_t skr_num_param_names(void);

#endif /* SKR_SYSCALL_FIELDS_H */
