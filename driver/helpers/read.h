/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading kernel state: files behind descriptors, inodes, sockets, the
 * current task's credentials, namespaces and memory. Every read goes
 * through CO-RE relocations, so the same object runs on the kernels whose
 * layouts are described by the flavors below.
 */
#ifndef SKR_HELPERS_READ_H
#define SKR_HELPERS_READ_H

/* ---- Layout flavors of older kernels ------------------------------------------ */

struct kernfs_node___old {
    struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct inode___v66 {
    struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___old {
    struct timespec64 i_ctime;
    struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

struct inode___v67 {
    struct timespec64 __i_mtime;
} __attribute__((preserve_access_index));

typedef struct {
    __u32 cap[2];
} kernel_cap_t___old;

struct cred___old {
    kernel_cap_t___old cap_inheritable;
    kernel_cap_t___old cap_permitted;
    kernel_cap_t___old cap_effective;
} __attribute__((preserve_access_index));

/* overlayfs keeps its inode around the VFS inode. */
struct ovl_inode___skr {
    struct inode vfs_inode;
    struct dentry *__upperdentry;
} __attribute__((preserve_access_index));

#define SKR_OVERLAYFS_SUPER_MAGIC 0x794c7630
#define SKR_FMODE_CREATED         0x100000
#define SKR_S_IFMT                00170000
#define SKR_S_IFSOCK              0140000
#define SKR_S_IFREG               0100000
#define SKR_S_IFDIR               0040000

static __always_inline struct task_struct *skr_task(void)
{
    return bpf_get_current_task_btf();
}

/*
 * Turns a kernel address into a typed pointer the program may read with
 * plain loads (the verifier makes them fault-safe), instead of one helper
 * call per field: on the open/close path this is most of the driver's cost.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * The file behind fd in task (a pointer from bpf_get_current_task_btf), or
 * NULL. Read with direct loads only.
 */
static __always_inline struct file *skr_fd_file(struct task_struct *task, __s64 fd)
{
    struct files_struct *files;
    struct fdtable *fdt;
    struct file **fds;
    struct kiocb *slot;

    if (fd < 0 || !task) {
        return NULL;
    }
    files = task->files;
    if (!files) {
        return NULL;
    }
    fdt = files->fdt;
    if (!fdt || (__u64)fd >= fdt->max_fds) {
        return NULL;
    }
    fds = fdt->fd;
    if (!fds) {
        return NULL;
    }
    /*
     * The slot is a struct file * in an array the verifier knows nothing
     * about. Viewed as the ki_filp member of a struct kiocb placed over it,
     * it becomes a direct (fault-safe) load instead of a helper call.
     */
    slot = bpf_rdonly_cast((char *)&fds[fd] - bpf_core_field_offset(struct kiocb, ki_filp),
                           bpf_core_type_id_kernel(struct kiocb));
    return slot->ki_filp;
}

/* Kernel dev_t (major << 20 | minor) in the user-space encoding (new_encode_dev). */
static __always_inline __u32 skr_encode_dev(__u32 kdev)
{
    __u32 major = kdev >> 20;
    __u32 minor = kdev & ((1u << 20) - 1);

    return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline __u32 skr_inode_mode(struct inode *ino)
{
    return BPF_CORE_READ(ino, i_mode);
}

/* SKR_FD_UPPER_LAYER / SKR_FD_LOWER_LAYER when the inode lives on overlayfs. */
static __always_inline __u32 skr_overlay_layer(struct inode *ino, __u32 upper, __u32 lower)
{
    unsigned long magic = BPF_CORE_READ(ino, i_sb, s_magic);
    struct ovl_inode___skr *ovl;
    struct dentry *up = NULL;

    if (magic != SKR_OVERLAYFS_SUPER_MAGIC) {
        return 0;
    }
    if (!bpf_core_type_exists(struct ovl_inode___skr)) {
        return 0;
    }
    ovl = (void *)((char *)ino - bpf_core_field_offset(struct ovl_inode___skr, vfs_inode));
    up = BPF_CORE_READ(ovl, __upperdentry);
    return up ? upper : lower;
}

struct skr_file_info {
    __u32 dev;
    __u32 layer; /* SKR_FD_UPPER_LAYER / SKR_FD_LOWER_LAYER */
    __u64 ino;
    __u32 created;
    __u32 mode;
};

/* f: a pointer from skr_fd_file (direct loads). */
static __always_inline void skr_file_info(struct file *f, struct skr_file_info *fi)
{
    struct inode *ino;
    struct super_block *sb;

    fi->dev = 0;
    fi->ino = 0;
    fi->layer = 0;
    fi->created = 0;
    fi->mode = 0;
    if (!f) {
        return;
    }
    ino = f->f_inode;
    if (!ino) {
        return;
    }
    sb = ino->i_sb;
    fi->dev = skr_encode_dev(sb ? sb->s_dev : 0);
    fi->ino = ino->i_ino;
    fi->mode = ino->i_mode;
    fi->created = (f->f_mode & SKR_FMODE_CREATED) != 0;
    if (sb && sb->s_magic == SKR_OVERLAYFS_SUPER_MAGIC) {
        fi->layer = skr_overlay_layer(ino, SKR_FD_UPPER_LAYER, SKR_FD_LOWER_LAYER);
    }
}

static __always_inline __u64 skr_inode_ctime_ns(struct inode *ino)
{
    if (bpf_core_field_exists(ino->i_ctime_sec)) {
        return (__u64)BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ull +
               BPF_CORE_READ(ino, i_ctime_nsec);
    }
    if (bpf_core_field_exists(((struct inode___v66 *)ino)->__i_ctime)) {
        struct timespec64 t = BPF_CORE_READ((struct inode___v66 *)ino, __i_ctime);
        return (__u64)t.tv_sec * 1000000000ull + t.tv_nsec;
    }
    {
        struct timespec64 t = BPF_CORE_READ((struct inode___old *)ino, i_ctime);
        return (__u64)t.tv_sec * 1000000000ull + t.tv_nsec;
    }
}

static __always_inline __u64 skr_inode_mtime_ns(struct inode *ino)
{
    if (bpf_core_field_exists(ino->i_mtime_sec)) {
        return (__u64)BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ull +
               BPF_CORE_READ(ino, i_mtime_nsec);
    }
    if (bpf_core_field_exists(((struct inode___v67 *)ino)->__i_mtime)) {
        struct timespec64 t = BPF_CORE_READ((struct inode___v67 *)ino, __i_mtime);
        return (__u64)t.tv_sec * 1000000000ull + t.tv_nsec;
    }
    {
        struct timespec64 t = BPF_CORE_READ((struct inode___old *)ino, i_mtime);
        return (__u64)t.tv_sec * 1000000000ull + t.tv_nsec;
    }
}

/* ---- Credentials -------------------------------------------------------------- */

static __always_inline __u64 skr_cap(const kernel_cap_t *c)
{
    return BPF_CORE_READ(c, val);
}

struct skr_caps {
    __u64 inh, prm, eff;
};

static __always_inline void skr_read_caps(struct task_struct *task, struct skr_caps *out)
{
    const struct cred *cred = BPF_CORE_READ(task, cred);

    if (bpf_core_field_exists(((kernel_cap_t *)0)->val)) {
        out->inh = BPF_CORE_READ(cred, cap_inheritable.val);
        out->prm = BPF_CORE_READ(cred, cap_permitted.val);
        out->eff = BPF_CORE_READ(cred, cap_effective.val);
    } else {
        struct cred___old *o = (void *)cred;
        kernel_cap_t___old c;
        c = BPF_CORE_READ(o, cap_inheritable);
        out->inh = ((__u64)c.cap[1] << 32) | c.cap[0];
        c = BPF_CORE_READ(o, cap_permitted);
        out->prm = ((__u64)c.cap[1] << 32) | c.cap[0];
        c = BPF_CORE_READ(o, cap_effective);
        out->eff = ((__u64)c.cap[1] << 32) | c.cap[0];
    }
}

static __always_inline __u32 skr_euid(struct task_struct *task)
{
    return BPF_CORE_READ(task, cred, euid.val);
}

static __always_inline __u32 skr_egid(struct task_struct *task)
{
    return BPF_CORE_READ(task, cred, egid.val);
}

static __always_inline __u32 skr_loginuid(struct task_struct *task)
{
    if (bpf_core_field_exists(task->loginuid)) {
        return BPF_CORE_READ(task, loginuid.val);
    }
    return 0xffffffff;
}

/* ---- Pids and namespaces ------------------------------------------------------ */

/* The number of pid p in its own (deepest) namespace. */
static __always_inline __s64 skr_pid_vnr(struct pid *p)
{
    struct upid up = {};
    unsigned int level;

    if (!p) {
        return 0;
    }
    level = BPF_CORE_READ(p, level);
    bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[level & 31]);
    return up.nr;
}

static __always_inline __s64 skr_pid_nr(struct pid *p)
{
    struct upid up = {};

    if (!p) {
        return 0;
    }
    bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[0]);
    return up.nr;
}

static __always_inline __u32 skr_pidns_level(struct task_struct *task)
{
    return BPF_CORE_READ(task, thread_pid, level);
}

/* Start time (ns since boot) of the init task of the task's pid namespace. */
static __always_inline __u64 skr_pidns_init_start(struct task_struct *task)
{
    struct pid *p = BPF_CORE_READ(task, thread_pid);
    struct upid up = {};
    unsigned int level;
    struct task_struct *reaper;

    if (!p) {
        return 0;
    }
    level = BPF_CORE_READ(p, level);
    bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[level & 31]);
    if (!up.ns) {
        return 0;
    }
    {
        struct pid_namespace *ns = up.ns;
        reaper = BPF_CORE_READ(ns, child_reaper);
    }
    if (!reaper) {
        return 0;
    }
    return BPF_CORE_READ(reaper, start_time);
}

/* vtid / vpid / vpgid of the task in its own pid namespace. */
static __always_inline __s64 skr_task_vtid(struct task_struct *task)
{
    return skr_pid_vnr(BPF_CORE_READ(task, thread_pid));
}

static __always_inline __s64 skr_task_vpid(struct task_struct *task)
{
    return skr_pid_vnr(BPF_CORE_READ(task, group_leader, thread_pid));
}

static __always_inline __s64 skr_task_pgid(struct task_struct *task, int virt)
{
    struct pid *p = BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID]);
    return virt ? skr_pid_vnr(p) : skr_pid_nr(p);
}

/* Controlling terminal as a user-space device number, 0 when none. */
static __always_inline __u32 skr_task_tty(struct task_struct *task)
{
    struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
    __u32 major, minor;
    int index;

    if (!tty) {
        return 0;
    }
    index = BPF_CORE_READ(tty, index);
    major = BPF_CORE_READ(tty, driver, major);
    minor = BPF_CORE_READ(tty, driver, minor_start) + index;
    return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline __s64 skr_task_fdlimit(struct task_struct *task)
{
    return BPF_CORE_READ(task, signal, rlim[7].rlim_cur); /* RLIMIT_NOFILE */
}

struct skr_vm {
    __u32 size_kb, rss_kb, swap_kb;
    __u32 pad;
};

static __always_inline void skr_task_vm(struct task_struct *task, struct skr_vm *vm)
{
    struct mm_struct *mm = BPF_CORE_READ(task, mm);

    vm->size_kb = 0;
    vm->rss_kb = 0;
    vm->swap_kb = 0;
    if (!mm) {
        return;
    }
    vm->size_kb = BPF_CORE_READ(mm, total_vm) << 2;
    if (bpf_core_type_exists(struct percpu_counter) &&
        bpf_core_field_exists(((struct percpu_counter *)0)->count)) {
        /* MM_FILEPAGES 0, MM_ANONPAGES 1, MM_SWAPENTS 2, MM_SHMEMPAGES 3 */
        __s64 file = BPF_CORE_READ(mm, rss_stat[0].count);
        __s64 anon = BPF_CORE_READ(mm, rss_stat[1].count);
        __s64 swap = BPF_CORE_READ(mm, rss_stat[2].count);
        __s64 shm = BPF_CORE_READ(mm, rss_stat[3].count);
        __s64 rss = file + anon + shm;
        vm->rss_kb = rss > 0 ? rss << 2 : 0;
        vm->swap_kb = swap > 0 ? swap << 2 : 0;
    }
}

/* ---- Sockets -------------------------------------------------------------------- */

#define SKR_LINUX_AF_UNIX  1
#define SKR_LINUX_AF_INET  2
#define SKR_LINUX_AF_INET6 10

static __always_inline struct sock *skr_file_sock(struct file *f)
{
    struct inode *ino;
    struct socket *sock;

    if (!f) {
        return NULL;
    }
    ino = BPF_CORE_READ(f, f_inode);
    if (!ino || (BPF_CORE_READ(ino, i_mode) & SKR_S_IFMT) != SKR_S_IFSOCK) {
        return NULL;
    }
    sock = BPF_CORE_READ(f, private_data);
    if (!sock) {
        return NULL;
    }
    return BPF_CORE_READ(sock, sk);
}

/*
 * Pushes a SOCKTUPLE parameter for socket sk. remote_first: the tuple is
 * remote -> local (accept, recv*), else local -> remote. Sockets that are not
 * inet/inet6/unix, or NULL, give an empty parameter. Returns 1 when the tuple
 * has a remote end (port or address), 0 otherwise.
 */
static __always_inline int skr_push_socktuple(struct skr_scratch *s,
                                              struct sock *sk,
                                              int remote_first)
{
    __u16 family;
    __u32 off;

    if (!sk) {
        skr_push_empty(s);
        return 0;
    }
    family = BPF_CORE_READ(sk, __sk_common.skc_family);
    off = s->pos & SKR_OFF_MASK;
    if (family == SKR_LINUX_AF_INET) {
        __u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
        __u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
        __u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
        __u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
        __u8 *p = &s->data[off];
        p[0] = SKR_AF_INET;
        if (remote_first) {
            *(__u32 *)&p[1] = raddr;
            *(__u16 *)&p[5] = rport;
            *(__u32 *)&p[7] = laddr;
            *(__u16 *)&p[11] = lport;
        } else {
            *(__u32 *)&p[1] = laddr;
            *(__u16 *)&p[5] = lport;
            *(__u32 *)&p[7] = raddr;
            *(__u16 *)&p[11] = rport;
        }
        s->pos += 13;
        skr_set_len(s, 13);
        return raddr != 0 || rport != 0;
    }
    if (family == SKR_LINUX_AF_INET6) {
        struct in6_addr l = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
        struct in6_addr r = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
        __u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
        __u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
        __u8 *p = &s->data[off];
        p[0] = SKR_AF_INET6;
        if (remote_first) {
            __builtin_memcpy(&p[1], &r, 16);
            *(__u16 *)&p[17] = rport;
            __builtin_memcpy(&p[19], &l, 16);
            *(__u16 *)&p[35] = lport;
        } else {
            __builtin_memcpy(&p[1], &l, 16);
            *(__u16 *)&p[17] = lport;
            __builtin_memcpy(&p[19], &r, 16);
            *(__u16 *)&p[35] = rport;
        }
        s->pos += 37;
        skr_set_len(s, 37);
        return rport != 0;
    }
    if (family == SKR_LINUX_AF_UNIX) {
        struct unix_sock *us = (struct unix_sock *)sk;
        struct sock *peer = BPF_CORE_READ(us, peer);
        struct unix_address *addr = NULL;
        __u8 *p = &s->data[off];
        long n = 0;

        p[0] = SKR_AF_UNIX;
        *(__u64 *)&p[1] = (__u64)sk;
        *(__u64 *)&p[9] = (__u64)peer;
        if (peer) {
            addr = BPF_CORE_READ((struct unix_sock *)peer, addr);
        }
        if (!addr) {
            addr = BPF_CORE_READ(us, addr);
        }
        if (addr) {
            n = bpf_probe_read_kernel_str(&s->data[(off + 17) & SKR_OFF_MASK], 108,
                                          &addr->name[0].sun_path);
        }
        if (n <= 0) {
            s->data[(off + 17) & SKR_OFF_MASK] = 0;
            n = 1;
        }
        s->pos += 17 + n;
        skr_set_len(s, 17 + n);
        return peer != NULL;
    }
    skr_push_empty(s);
    return 0;
}

/*
 * Pushes a SOCKADDR parameter from a user-space struct sockaddr of ulen bytes.
 * Unsupported families give "family byte only".
 */
static __always_inline void skr_push_user_sockaddr(struct skr_scratch *s,
                                                   const void *uaddr,
                                                   __u32 ulen)
{
    __u16 family = 0;
    __u32 off = s->pos & SKR_OFF_MASK;
    __u8 *p = &s->data[off];

    if (!uaddr || ulen < 2 || bpf_probe_read_user(&family, sizeof(family), uaddr) != 0) {
        skr_push_empty(s);
        return;
    }
    if (family == SKR_LINUX_AF_INET && ulen >= 8) {
        struct sockaddr_in in = {};
        bpf_probe_read_user(&in, sizeof(in), uaddr);
        p[0] = SKR_AF_INET;
        *(__u32 *)&p[1] = in.sin_addr.s_addr;
        *(__u16 *)&p[5] = bpf_ntohs(in.sin_port);
        s->pos += 7;
        skr_set_len(s, 7);
        return;
    }
    if (family == SKR_LINUX_AF_INET6 && ulen >= 24) {
        struct sockaddr_in6 in6 = {};
        bpf_probe_read_user(&in6, sizeof(in6), uaddr);
        p[0] = SKR_AF_INET6;
        __builtin_memcpy(&p[1], &in6.sin6_addr, 16);
        *(__u16 *)&p[17] = bpf_ntohs(in6.sin6_port);
        s->pos += 19;
        skr_set_len(s, 19);
        return;
    }
    if (family == SKR_LINUX_AF_UNIX) {
        long n;
        p[0] = SKR_AF_UNIX;
        n = bpf_probe_read_user_str(&s->data[(off + 1) & SKR_OFF_MASK], 108,
                                    (const char *)uaddr + 2);
        if (n <= 0) {
            s->data[(off + 1) & SKR_OFF_MASK] = 0;
            n = 1;
        }
        s->pos += 1 + n;
        skr_set_len(s, 1 + n);
        return;
    }
    p[0] = (__u8)family;
    s->pos += 1;
    skr_set_len(s, 1);
}

#endif /* SKR_HELPERS_READ_H */
