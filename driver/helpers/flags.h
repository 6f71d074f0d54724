/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux flag values to the libscap ("ppm") values events carry. Rules match
 * the names of the ppm values, so the conversion must be exact.
 */
#ifndef SKR_HELPERS_FLAGS_H
#define SKR_HELPERS_FLAGS_H

/* Linux open(2) flags (asm-generic values; arm64 differs for four of them). */
#define L_O_ACCMODE  00000003
#define L_O_CREAT    00000100
#define L_O_EXCL     00000200
#define L_O_TRUNC    00001000
#define L_O_APPEND   00002000
#define L_O_NONBLOCK 00004000
#define L_O_DSYNC    00010000
#ifdef __TARGET_ARCH_arm64
#define L_O_DIRECTORY 00040000
#define L_O_DIRECT    00200000
#define L_O_LARGEFILE 00400000
#else
#define L_O_DIRECT    00040000
#define L_O_LARGEFILE 00100000
#define L_O_DIRECTORY 00200000
#endif
#define L_O_CLOEXEC     02000000
#define L_O_SYNC_BIT    04000000
#define L_O_TMPFILE_BIT 020000000

static __always_inline __u32 skr_open_flags(__u32 f)
{
    __u32 r;

    switch (f & L_O_ACCMODE) {
    case 0:
        r = SKR_O_RDONLY;
        break;
    case 1:
        r = SKR_O_WRONLY;
        break;
    default:
        r = SKR_O_RDWR;
        break;
    }
    if (f & L_O_CREAT) {
        r |= SKR_O_CREAT;
    }
    if (f & L_O_EXCL) {
        r |= SKR_O_EXCL;
    }
    if (f & L_O_TRUNC) {
        r |= SKR_O_TRUNC;
    }
    if (f & L_O_APPEND) {
        r |= SKR_O_APPEND;
    }
    if (f & L_O_NONBLOCK) {
        r |= SKR_O_NONBLOCK;
    }
    if (f & L_O_DSYNC) {
        r |= SKR_O_DSYNC;
    }
    if (f & L_O_SYNC_BIT) {
        r |= SKR_O_SYNC;
    }
    if (f & L_O_DIRECT) {
        r |= SKR_O_DIRECT;
    }
    if (f & L_O_LARGEFILE) {
        r |= SKR_O_LARGEFILE;
    }
    if (f & L_O_DIRECTORY) {
        r |= SKR_O_DIRECTORY;
    }
    if (f & L_O_CLOEXEC) {
        r |= SKR_O_CLOEXEC;
    }
    if (f & L_O_TMPFILE_BIT) {
        r |= SKR_O_TMPFILE;
    }
    return r;
}

/* The creation mode, only when it means something (O_CREAT or O_TMPFILE). */
static __always_inline __u32 skr_open_mode(__u32 flags, __u32 mode)
{
    if (flags & (L_O_CREAT | L_O_TMPFILE_BIT)) {
        return mode & 07777;
    }
    return 0;
}

/* O_NONBLOCK / O_CLOEXEC style flags (SOCK_*, EFD_*, IN_*, ...) as file_flags. */
static __always_inline __u32 skr_nb_cloexec_flags(__u32 f)
{
    __u32 r = 0;

    if (f & L_O_NONBLOCK) {
        r |= SKR_O_NONBLOCK;
    }
    if (f & L_O_CLOEXEC) {
        r |= SKR_O_CLOEXEC;
    }
    return r;
}

static __always_inline __u32 skr_clone_flags(__u64 f)
{
    __u32 r = 0;

    if (f & 0x00000400) {
        r |= SKR_CL_CLONE_FILES;
    }
    if (f & 0x00000200) {
        r |= SKR_CL_CLONE_FS;
    }
    if (f & 0x80000000ull) {
        r |= SKR_CL_CLONE_IO;
    }
    if (f & 0x08000000) {
        r |= SKR_CL_CLONE_NEWIPC;
    }
    if (f & 0x40000000) {
        r |= SKR_CL_CLONE_NEWNET;
    }
    if (f & 0x00020000) {
        r |= SKR_CL_CLONE_NEWNS;
    }
    if (f & 0x20000000) {
        r |= SKR_CL_CLONE_NEWPID;
    }
    if (f & 0x04000000) {
        r |= SKR_CL_CLONE_NEWUTS;
    }
    if (f & 0x00008000) {
        r |= SKR_CL_CLONE_PARENT;
    }
    if (f & 0x00100000) {
        r |= SKR_CL_CLONE_PARENT_SETTID;
    }
    if (f & 0x00002000) {
        r |= SKR_CL_CLONE_PTRACE;
    }
    if (f & 0x00000800) {
        r |= SKR_CL_CLONE_SIGHAND;
    }
    if (f & 0x00040000) {
        r |= SKR_CL_CLONE_SYSVSEM;
    }
    if (f & 0x00010000) {
        r |= SKR_CL_CLONE_THREAD;
    }
    if (f & 0x00800000) {
        r |= SKR_CL_CLONE_UNTRACED;
    }
    if (f & 0x00000100) {
        r |= SKR_CL_CLONE_VM;
    }
    if (f & 0x10000000) {
        r |= SKR_CL_CLONE_NEWUSER;
    }
    if (f & 0x00200000) {
        r |= SKR_CL_CLONE_CHILD_CLEARTID;
    }
    if (f & 0x01000000) {
        r |= SKR_CL_CLONE_CHILD_SETTID;
    }
    if (f & 0x00080000) {
        r |= SKR_CL_CLONE_SETTLS;
    }
    if (f & 0x00004000) {
        r |= SKR_CL_CLONE_VFORK;
    }
    if (f & 0x02000000) {
        r |= SKR_CL_CLONE_NEWCGROUP;
    }
    return r;
}

static __always_inline __u16 skr_ptrace_request(__u64 req)
{
    switch (req) {
    case 0:
        return 1; /* TRACEME */
    case 1:
        return 2; /* PEEKTEXT */
    case 2:
        return 3; /* PEEKDATA */
    case 3:
        return 4; /* PEEKUSR */
    case 4:
        return 5; /* POKETEXT */
    case 5:
        return 6; /* POKEDATA */
    case 6:
        return 7; /* POKEUSR */
    case 7:
        return 8; /* CONT */
    case 8:
        return 9; /* KILL */
    case 9:
        return 10; /* SINGLESTEP */
    case 16:
        return 11; /* ATTACH */
    case 17:
        return 12; /* DETACH */
    case 24:
        return 13; /* SYSCALL */
    case 0x4200:
        return 14; /* SETOPTIONS */
    case 0x4201:
        return 15; /* GETEVENTMSG */
    case 0x4202:
        return 16; /* GETSIGINFO */
    case 0x4203:
        return 17; /* SETSIGINFO */
    case 0x4204:
        return 18; /* GETREGSET */
    case 0x4205:
        return 19; /* SETREGSET */
    case 0x4206:
        return 20; /* SEIZE */
    case 0x4207:
        return 21; /* INTERRUPT */
    case 0x4208:
        return 22; /* LISTEN */
    case 0x4209:
        return 23; /* PEEKSIGINFO */
    case 0x420a:
        return 24; /* GETSIGMASK */
    case 0x420b:
        return 25; /* SETSIGMASK */
    case 12:
        return 26; /* GETREGS */
    case 13:
        return 27; /* SETREGS */
    case 14:
        return 28; /* GETFPREGS */
    case 15:
        return 29; /* SETFPREGS */
    case 18:
        return 30; /* GETFPXREGS */
    case 19:
        return 31; /* SETFPXREGS */
    case 21:
        return 32; /* OLDSETOPTIONS */
    case 25:
        return 33; /* GET_THREAD_AREA */
    case 26:
        return 34; /* SET_THREAD_AREA */
    case 30:
        return 35; /* ARCH_PRCTL */
    case 31:
        return 36; /* SYSEMU */
    case 32:
        return 37; /* SYSEMU_SINGLESTEP */
    case 33:
        return 38; /* SINGLEBLOCK */
    default:
        return 0;
    }
}

static __always_inline __u8 skr_fcntl_cmd(__u32 cmd)
{
    switch (cmd) {
    case 0:
        return 1; /* F_DUPFD */
    case 1:
        return 2; /* F_GETFD */
    case 2:
        return 3; /* F_SETFD */
    case 3:
        return 4; /* F_GETFL */
    case 4:
        return 5; /* F_SETFL */
    case 5:
        return 6; /* F_GETLK */
    case 6:
        return 8; /* F_SETLK */
    case 7:
        return 9; /* F_SETLKW */
    case 8:
        return 10; /* F_SETOWN */
    case 9:
        return 12; /* F_GETOWN */
    case 10:
        return 13; /* F_SETSIG */
    case 11:
        return 15; /* F_GETSIG */
    case 15:
        return 21; /* F_SETOWN_EX */
    case 16:
        return 22; /* F_GETOWN_EX */
    case 36:
        return 30; /* F_OFD_GETLK */
    case 37:
        return 31; /* F_OFD_SETLK */
    case 38:
        return 32; /* F_OFD_SETLKW */
    case 1024:
        return 23; /* F_SETLEASE */
    case 1025:
        return 24; /* F_GETLEASE */
    case 1026:
        return 27; /* F_NOTIFY */
    case 1029:
        return 25; /* F_CANCELLK */
    case 1030:
        return 26; /* F_DUPFD_CLOEXEC */
    case 1031:
        return 28; /* F_SETPIPE_SZ */
    case 1032:
        return 29; /* F_GETPIPE_SZ */
    default:
        return 0;
    }
}

static __always_inline __u32 skr_prot_flags(__u64 p)
{
    __u32 r = p & 0xf; /* READ, WRITE, EXEC, SEM share their bits */

    if (p & 0x01000000) {
        r |= 0x10; /* PROT_GROWSDOWN */
    }
    if (p & 0x02000000) {
        r |= 0x20; /* PROT_GROWSUP */
    }
    return r;
}

static __always_inline __u32 skr_mmap_flags(__u64 f)
{
    __u32 r = 0;

    if (f & 0x01) {
        r |= 0x1; /* MAP_SHARED */
    }
    if (f & 0x02) {
        r |= 0x2; /* MAP_PRIVATE */
    }
    if (f & 0x10) {
        r |= 0x4; /* MAP_FIXED */
    }
    if (f & 0x20) {
        r |= 0x8; /* MAP_ANONYMOUS */
    }
    if (f & 0x40) {
        r |= 0x10; /* MAP_32BIT */
    }
    if (f & 0x4000) {
        r |= 0x40; /* MAP_NORESERVE */
    }
    if (f & 0x8000) {
        r |= 0x80; /* MAP_POPULATE */
    }
    if (f & 0x10000) {
        r |= 0x100; /* MAP_NONBLOCK */
    }
    if (f & 0x100) {
        r |= 0x200; /* MAP_GROWSDOWN */
    }
    if (f & 0x800) {
        r |= 0x400; /* MAP_DENYWRITE */
    }
    if (f & 0x1000) {
        r |= 0x800; /* MAP_EXECUTABLE */
    }
    if (f & 0x2000) {
        r |= 0x4000; /* MAP_LOCKED */
    }
    return r;
}

/* AT_SYMLINK_NOFOLLOW (0x100) and AT_EMPTY_PATH (0x1000) as fchownat_flags. */
static __always_inline __u32 skr_fchownat_flags(__u32 f)
{
    __u32 r = 0;

    if (f & 0x100) {
        r |= 0x400;
    }
    if (f & 0x1000) {
        r |= 0x1000;
    }
    return r;
}

#endif /* SKR_HELPERS_FLAGS_H */
