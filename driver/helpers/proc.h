/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Process description pushed by clone/fork/vfork/clone3 and execve events:
 * argv, comm, cgroups, environment and the executable's path and inode.
 */
#ifndef SKR_HELPERS_PROC_H
#define SKR_HELPERS_PROC_H

/* exe (argv[0], charbuf) and args (argv[1..], NUL-separated bytebuf) from the task's mm. */
static __always_inline void skr_push_exe_args(struct skr_scratch *s, struct task_struct *task)
{
    struct mm_struct *mm = BPF_CORE_READ(task, mm);
    unsigned long start, end, total;
    long n;

    if (!mm) {
        skr_push_empty(s);
        skr_push_empty(s);
        return;
    }
    start = BPF_CORE_READ(mm, arg_start);
    end = BPF_CORE_READ(mm, arg_end);
    if (end <= start) {
        skr_push_empty(s);
        skr_push_empty(s);
        return;
    }
    total = end - start;
    if (total > SKR_MAX_PARAM_SIZE) {
        total = SKR_MAX_PARAM_SIZE;
    }
    n = bpf_probe_read_user_str(&s->data[s->pos & SKR_OFF_MASK],
                                total & (SKR_MAX_PARAM_SIZE * 2 - 1), (const void *)start);
    if (n <= 0) {
        skr_push_empty(s);
        skr_push_empty(s);
        return;
    }
    s->pos += n;
    skr_set_len(s, n);
    if (total <= (unsigned long)n) {
        skr_push_empty(s);
        return;
    }
    skr_push_user_buf(s, (const void *)(start + n), total - n);
}

/* env (NUL-separated bytebuf) from the task's mm. */
static __always_inline void skr_push_env(struct skr_scratch *s, struct task_struct *task)
{
    struct mm_struct *mm = BPF_CORE_READ(task, mm);
    unsigned long start, end, total;

    if (!mm) {
        skr_push_empty(s);
        return;
    }
    start = BPF_CORE_READ(mm, env_start);
    end = BPF_CORE_READ(mm, env_end);
    if (end <= start) {
        skr_push_empty(s);
        return;
    }
    total = end - start;
    if (total > SKR_MAX_PARAM_SIZE) {
        total = SKR_MAX_PARAM_SIZE;
    }
    skr_push_user_buf(s, (const void *)start, total);
}

static __always_inline void skr_push_comm(struct skr_scratch *s, struct task_struct *task)
{
    skr_push_kernel_str(s, &task->comm);
}

static __always_inline struct kernfs_node *skr_kn_parent(struct kernfs_node *kn)
{
    if (bpf_core_field_exists(kn->__parent)) {
        return BPF_CORE_READ(kn, __parent);
    }
    return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* Appends "<name>=<path>\0" for one controller; returns the bytes written. */
static __always_inline __u32 skr_cgroup_entry(struct skr_scratch *s,
                                              struct task_struct *task,
                                              int subsys_id,
                                              const char name[8],
                                              __u32 name_len)
{
    struct kernfs_node *kns[8];
    struct cgroup_subsys_state *css;
    struct kernfs_node *kn, *parent;
    __u32 start = s->pos, depth = 0;
    int i;

    css = BPF_CORE_READ(task, cgroups, subsys[subsys_id & 15]);
    if (!css) {
        return 0;
    }
    kn = BPF_CORE_READ(css, cgroup, kn);
    if (!kn) {
        return 0;
    }
    for (i = 0; i < SKR_MAX_CGROUP_DEPTH; i++) {
        parent = skr_kn_parent(kn);
        if (!parent) {
            break;
        }
        kns[depth & 7] = kn;
        depth++;
        kn = parent;
    }
    bpf_probe_read_kernel(&s->data[s->pos & SKR_OFF_MASK], name_len & 7, name);
    s->pos += name_len;
    s->data[s->pos & SKR_OFF_MASK] = '=';
    s->pos++;
    if (depth == 0) {
        s->data[s->pos & SKR_OFF_MASK] = '/';
        s->pos++;
    }
    for (i = SKR_MAX_CGROUP_DEPTH - 1; i >= 0; i--) {
        const char *nm;
        long n;

        if ((__u32)i >= depth) {
            continue;
        }
        s->data[s->pos & SKR_OFF_MASK] = '/';
        s->pos++;
        kn = kns[i & 7];
        nm = BPF_CORE_READ(kn, name);
        n = bpf_probe_read_kernel_str(&s->data[s->pos & SKR_OFF_MASK], 256, nm);
        if (n > 1) {
            s->pos += n - 1; /* keep going after the name, without its NUL */
        }
    }
    s->data[s->pos & SKR_OFF_MASK] = 0;
    s->pos++;
    return s->pos - start;
}

/* cgroups (bytebuf of NUL-separated subsys=path) for cpuset, cpu, cpuacct, io, memory. */
static __always_inline void skr_push_cgroups(struct skr_scratch *s, struct task_struct *task)
{
    __u32 total = 0;

    if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id)) {
        total += skr_cgroup_entry(
                s, task, bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id), "cpuset", 6);
    }
    if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id)) {
        total += skr_cgroup_entry(s, task, bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id),
                                  "cpu", 3);
    }
    if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id)) {
        total += skr_cgroup_entry(
                s, task, bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id), "cpuacct", 7);
    }
    if (bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id)) {
        total += skr_cgroup_entry(s, task, bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id),
                                  "io", 2);
    }
    if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
        total += skr_cgroup_entry(
                s, task, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id), "memory", 6);
    }
    skr_set_len(s, total);
}

struct skr_path_walk {
    struct skr_scratch *s;
    struct dentry *dentry;
    struct vfsmount *vfsmnt;
    struct mount *mnt;
    struct mount *mnt_parent;
    struct dentry *root_dentry;
    struct vfsmount *root_mnt;
    __u32 cur;
};

/* One step of the walk (a bpf_loop callback): 1 stops the loop. */
static long skr_path_step(__u32 i, struct skr_path_walk *w)
{
    struct skr_scratch *s = w->s;
    struct dentry *dentry = w->dentry, *mnt_root, *parent;
    struct vfsmount *vfsmnt = w->vfsmnt;
    struct mount *mnt = w->mnt, *mnt_parent = w->mnt_parent;
    struct qstr q;
    /* Masked so that the verifier sees the same range at every step (the walk converges). */
    __u32 len, cur = w->cur & (SKR_MAX_PARAM_SIZE - 1);

    if (!dentry || !s) {
        return 1;
    }
    if (dentry == w->root_dentry && vfsmnt == w->root_mnt) {
        return 1;
    }
    mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
    if (dentry == mnt_root) {
        if (mnt == mnt_parent) {
            return 1;
        }
        w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
        w->mnt = mnt_parent;
        w->mnt_parent = BPF_CORE_READ(mnt_parent, mnt_parent);
        w->vfsmnt = (void *)((char *)mnt_parent + bpf_core_field_offset(struct mount, mnt));
        return 0;
    }
    parent = BPF_CORE_READ(dentry, d_parent);
    q = BPF_CORE_READ(dentry, d_name);
    len = q.len;
    if (len > 255) {
        len = 255;
    }
    if (cur < len + 1) {
        return 1;
    }
    cur -= len;
    bpf_probe_read_kernel(&s->tmp[cur & (SKR_MAX_PARAM_SIZE - 1)], len & 255, q.name);
    cur -= 1;
    s->tmp[cur & (SKR_MAX_PARAM_SIZE - 1)] = '/';
    w->cur = cur & (SKR_MAX_PARAM_SIZE - 1);
    w->dentry = parent;
    /* a pseudo file (memfd, pipe, socket) is its own parent: its name is the whole path */
    return parent == dentry;
}

/*
 * Builds the path of (dentry, vfsmnt) right to left in the work area, up to the
 * task's root, crossing mount points. Returns the length including the NUL
 * and sets *start to its first byte in s->tmp.
 */
static __always_inline __u32 skr_build_path(struct skr_scratch *s,
                                            struct task_struct *task,
                                            struct dentry *dentry,
                                            struct vfsmount *vfsmnt,
                                            __u32 *start)
{
    struct skr_path_walk w = {};
    __u32 end = SKR_MAX_PARAM_SIZE - 1;
    struct mount *mnt = (void *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));

    w.s = s;
    w.dentry = dentry;
    w.vfsmnt = vfsmnt;
    w.mnt = mnt;
    w.mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
    w.root_dentry = BPF_CORE_READ(task, fs, root.dentry);
    w.root_mnt = BPF_CORE_READ(task, fs, root.mnt);
    w.cur = end;
    s->tmp[end] = 0;
    bpf_loop(SKR_MAX_PATH_DEPTH, skr_path_step, &w, 0);
    if (w.cur == end) {
        w.cur = end - 1;
        s->tmp[w.cur] = '/';
    }
    *start = w.cur;
    return end - w.cur + 1;
}

struct skr_exe_info {
    __u32 flags; /* SKR_EXE_* */
    __u32 pad;
    __u64 ino, ctime, mtime;
};

/* The executable's inode data and execve_flags; pushes nothing. */
static __always_inline void skr_exe_info(struct task_struct *task, struct skr_exe_info *ei)
{
    struct file *exe = BPF_CORE_READ(task, mm, exe_file);
    struct inode *ino;
    __u32 euid, egid, iuid, igid, mode;

    ei->flags = 0;
    ei->ino = 0;
    ei->ctime = 0;
    ei->mtime = 0;
    if (!exe) {
        return;
    }
    ino = BPF_CORE_READ(exe, f_inode);
    if (!ino) {
        return;
    }
    ei->ino = BPF_CORE_READ(ino, i_ino);
    ei->ctime = skr_inode_ctime_ns(ino);
    ei->mtime = skr_inode_mtime_ns(ino);
    euid = skr_euid(task);
    egid = skr_egid(task);
    iuid = BPF_CORE_READ(ino, i_uid.val);
    igid = BPF_CORE_READ(ino, i_gid.val);
    mode = BPF_CORE_READ(ino, i_mode);
    if (euid == 0 || (iuid == euid && (mode & 0200)) || (igid == egid && (mode & 0020)) ||
        (mode & 0002)) {
        ei->flags |= SKR_EXE_WRITABLE;
    }
    if (BPF_CORE_READ(ino, __i_nlink) == 0) {
        ei->flags |= SKR_EXE_FROM_MEMFD;
    }
    ei->flags |= skr_overlay_layer(ino, SKR_EXE_UPPER_LAYER, SKR_EXE_LOWER_LAYER);
}

/* trusted_exepath (fspath): the executable's path as the kernel resolves it. */
static __always_inline void skr_push_exepath(struct skr_scratch *s, struct task_struct *task)
{
    struct file *exe = BPF_CORE_READ(task, mm, exe_file);
    struct dentry *d;
    struct vfsmount *m;
    __u32 start = 0, len;

    if (!exe) {
        skr_push_empty(s);
        return;
    }
    d = BPF_CORE_READ(exe, f_path.dentry);
    m = BPF_CORE_READ(exe, f_path.mnt);
    len = skr_build_path(s, task, d, m, &start);
    skr_push_tmp(s, start, len);
}

#endif /* SKR_HELPERS_PROC_H */
