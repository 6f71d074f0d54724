/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event table: for every event code the plugin emits or parses, its
 * name, direction, category, flags and parameter layout (libscap's), plus the
 * names of every libscap code and syscall so that rules naming any of them
 * compile. Immutable data; safe to share between plugin states.
 */
#ifndef SKR_SYSCALL_EVTAB_H
#define SKR_SYSCALL_EVTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SKR_EVENT_CODES     512 /* libscap codes 0..511 */
#define SKR_NATIVE_SYSCALLS 512 /* x86_64 syscall numbers */
#define SKR_MAX_EVT_PARAMS  32

/* Saker's own state events (not libscap codes; see README.md). */
#define SKR_EVT_INIT   0x7f00 /* "saker_init": start of the starting state */
#define SKR_EVT_THREAD 0x7f02 /* "saker_thread": one thread found at start */
#define SKR_EVT_FD     0x7f04 /* "saker_fd": one open fd found at start */

/* Parameter types (libscap ppm_param_type numbering). */
enum skr_pt {
    SKR_PT_NONE = 0,
    SKR_PT_INT8 = 1,
    SKR_PT_INT16 = 2,
    SKR_PT_INT32 = 3,
    SKR_PT_INT64 = 4,
    SKR_PT_UINT8 = 5,
    SKR_PT_UINT16 = 6,
    SKR_PT_UINT32 = 7,
    SKR_PT_UINT64 = 8,
    SKR_PT_CHARBUF = 9,
    SKR_PT_BYTEBUF = 10,
    SKR_PT_ERRNO = 11,
    SKR_PT_SOCKADDR = 12,
    SKR_PT_SOCKTUPLE = 13,
    SKR_PT_FD = 14,
    SKR_PT_PID = 15,
    SKR_PT_FDLIST = 16,
    SKR_PT_FSPATH = 17,
    SKR_PT_SYSCALLID = 18,
    SKR_PT_SIGTYPE = 19,
    SKR_PT_RELTIME = 20,
    SKR_PT_ABSTIME = 21,
    SKR_PT_PORT = 22,
    SKR_PT_BOOL = 25,
    SKR_PT_IPV4ADDR = 26,
    SKR_PT_DYN = 27,
    SKR_PT_FLAGS8 = 28,
    SKR_PT_FLAGS16 = 29,
    SKR_PT_FLAGS32 = 30,
    SKR_PT_UID = 31,
    SKR_PT_GID = 32,
    SKR_PT_DOUBLE = 33,
    SKR_PT_SIGSET = 34,
    SKR_PT_CHARBUFARRAY = 35,
    SKR_PT_IPV6ADDR = 38,
    SKR_PT_MODE = 42,
    SKR_PT_FSRELPATH = 43,
    SKR_PT_ENUMFLAGS8 = 44,
    SKR_PT_ENUMFLAGS16 = 45,
    SKR_PT_ENUMFLAGS32 = 46,
    SKR_PT_FD32 = 47,
    SKR_PT_PID32 = 48,
};

/* Print formats. */
enum skr_pf {
    SKR_PF_NA = 0,
    SKR_PF_DEC = 1,
    SKR_PF_HEX = 2,
    SKR_PF_OCT = 6,
};

/* Flag and enum tables (flagtab.c). */
enum skr_ft {
    SKR_FT_NONE = 0,
    SKR_FT_FILE_FLAGS,
    SKR_FT_CREAT_FLAGS,
    SKR_FT_CLONE_FLAGS,
    SKR_FT_SOCKET_FAMILIES,
    SKR_FT_PTRACE_REQUESTS,
    SKR_FT_PROT_FLAGS,
    SKR_FT_MMAP_FLAGS,
    SKR_FT_MOUNT_FLAGS,
    SKR_FT_UMOUNT_FLAGS,
    SKR_FT_LINKAT_FLAGS,
    SKR_FT_UNLINKAT_FLAGS,
    SKR_FT_RENAMEAT2_FLAGS,
    SKR_FT_CHMOD_MODE,
    SKR_FT_FCHOWNAT_FLAGS,
    SKR_FT_OPENAT2_FLAGS,
    SKR_FT_EXECVE_FLAGS,
    SKR_FT_MEMFD_FLAGS,
    SKR_FT_PIDFD_OPEN_FLAGS,
    SKR_FT_BPF_COMMANDS,
    SKR_FT_DELETE_MODULE_FLAGS,
    SKR_FT_FINIT_MODULE_FLAGS,
    SKR_FT_CLOSE_RANGE_FLAGS,
    SKR_FT_FCNTL_COMMANDS,
    SKR_FT_PRCTL_OPTIONS,
    SKR_FT_RLIMIT_RESOURCES,
    SKR_FT_SHUTDOWN_HOW,
    SKR_FT_EPOLL_CREATE1_FLAGS,
    SKR_FT_IO_URING_SETUP_FLAGS,
    SKR_FT_IO_URING_SETUP_FEATS,
    SKR_FT_COUNT
};

/* Event flags (libscap EF_* values). */
#define SKR_EF_CREATES_FD     (1u << 0)
#define SKR_EF_DESTROYS_FD    (1u << 1)
#define SKR_EF_USES_FD        (1u << 2)
#define SKR_EF_READS_FROM_FD  (1u << 3)
#define SKR_EF_WRITES_TO_FD   (1u << 4)
#define SKR_EF_MODIFIES_STATE (1u << 5)
#define SKR_EF_WAITS          (1u << 7)

/* Event categories (libscap EC_* values). */
enum skr_ec {
    SKR_EC_UNKNOWN = 0,
    SKR_EC_OTHER = 1,
    SKR_EC_FILE = 2,
    SKR_EC_NET = 3,
    SKR_EC_IPC = 4,
    SKR_EC_MEMORY = 5,
    SKR_EC_PROCESS = 6,
    SKR_EC_SLEEP = 7,
    SKR_EC_SYSTEM = 8,
    SKR_EC_SIGNAL = 9,
    SKR_EC_USER = 10,
    SKR_EC_TIME = 11,
    SKR_EC_IO_READ = 32,
    SKR_EC_IO_WRITE = 33,
    SKR_EC_IO_OTHER = 34,
    SKR_EC_WAIT = 64,
    SKR_EC_SCHEDULER = 128,
    SKR_EC_INTERNAL = 256,
    SKR_EC_SYSCALL = 512,
    SKR_EC_TRACEPOINT = 1024,
    SKR_EC_METAEVENT = 4096,
};

struct skr_param_info {
    const char *name;
    uint8_t type;  /* enum skr_pt */
    uint8_t fmt;   /* enum skr_pf */
    uint8_t table; /* enum skr_ft */
    int8_t rel;    /* FSRELPATH: index of its dirfd parameter, else -1 */
};

struct skr_event_info {
    const char *name;
    uint16_t code;
    char dir;          /* '>' enter, '<' exit */
    uint16_t category; /* SKR_EC_* low bits | SKR_EC_SYSCALL/TRACEPOINT/METAEVENT */
    uint32_t flags;    /* SKR_EF_* */
    int8_t fd_param;   /* parameter holding the fd the event uses, or -1 */
    uint8_t nparams;
    const struct skr_param_info *params;
};

/* The layout of an event code the plugin knows in detail, or NULL. */
const struct skr_event_info *skr_event_info(uint16_t code);

/* The evt.type name of any code: libscap names, Saker's state events, else NULL. */
const char *skr_event_name(uint16_t code);

/* The index of the parameter named name (length len) in info, or -1. */
int skr_event_param_index(const struct skr_event_info *info, const char *name, size_t len);

/* Generated tables (evtab_gen.c). */
struct skr_syscall_map {
    const char *syscall; /* syscall name */
    uint16_t exit_code;  /* exit event code of its dedicated event */
};

/* A parameter name of any current event layout and the type of its first occurrence. */
struct skr_param_name {
    const char *name;
    uint8_t type; /* enum skr_pt */
};

extern const char *const skr_event_code_names[SKR_EVENT_CODES];
extern const struct skr_param_name skr_param_names[]; /* sorted by name, NULL-terminated */
extern const char *const skr_generic_syscall_names[];
extern const struct skr_syscall_map skr_syscall_maps[];
extern const char *const skr_x86_64_syscalls[SKR_NATIVE_SYSCALLS];

/* The native syscall number of name, or -1. */
int skr_syscall_nr(const char *name);
/* The name of native syscall nr, or NULL. */
const char *skr_syscall_name(uint32_t nr);
/* The exit event code of native syscall nr's dedicated event, or 1 (generic). */
uint16_t skr_syscall_exit_code(uint32_t nr);

#endif /* SKR_SYSCALL_EVTAB_H */
