/* SPDX-License-Identifier: GPL-2.0-only */
/* Processes: clone family, execve, exit, credentials, signals, ptrace, limits. */
#ifndef SKR_PROGRAMS_PROC_H
#define SKR_PROGRAMS_PROC_H

/* The 21 parameters of clone/clone3/fork/vfork exits, for the current task. */
static __always_inline int skr_clone_common(__u16 code, long ret, __u32 flags)
{
    struct skr_scratch *s = skr_begin(code, 21, SKR_DC_CLONE);
    struct task_struct *task = skr_task();
    struct skr_vm vm;
    __u64 pid_tgid = bpf_get_current_pid_tgid();

    if (!s) {
        return 0;
    }
    if (skr_pidns_level(task) != 0) {
        flags |= SKR_CL_CHILD_IN_PIDNS;
    }
    skr_task_vm(task, &vm);
    skr_push_s64(s, ret);
    if (ret < 0) {
        skr_push_empty(s);
        skr_push_empty(s);
    } else {
        skr_push_exe_args(s, task);
    }
    skr_push_s64(s, (__u32)pid_tgid);
    skr_push_s64(s, pid_tgid >> 32);
    skr_push_s64(s, BPF_CORE_READ(task, real_parent, pid));
    skr_push_empty(s); /* cwd: tracked in user space */
    skr_push_s64(s, skr_task_fdlimit(task));
    skr_push_u64(s, BPF_CORE_READ(task, maj_flt));
    skr_push_u64(s, BPF_CORE_READ(task, min_flt));
    skr_push_u32(s, vm.size_kb);
    skr_push_u32(s, vm.rss_kb);
    skr_push_u32(s, vm.swap_kb);
    skr_push_comm(s, task);
    if (ret < 0) {
        skr_push_empty(s);
    } else {
        skr_push_cgroups(s, task);
    }
    skr_push_u32(s, flags);
    skr_push_u32(s, skr_euid(task));
    skr_push_u32(s, skr_egid(task));
    skr_push_s64(s, skr_task_vtid(task));
    skr_push_s64(s, skr_task_vpid(task));
    skr_push_u64(s, skr_pidns_init_start(task));
    return skr_submit(s);
}

SKR_EXIT(clone)
{
    /* x86_64 argument order: flags, newsp, parent_tid, child_tid, tls */
    return skr_clone_common(SKR_PPME_SYSCALL_CLONE_20_X, ret, skr_clone_flags(SKR_A0(regs)));
}

SKR_EXIT(clone3)
{
    __u64 flags = 0;

    bpf_probe_read_user(&flags, sizeof(flags), (const void *)SKR_A0(regs));
    return skr_clone_common(SKR_PPME_SYSCALL_CLONE3_X, ret, skr_clone_flags(flags));
}

SKR_EXIT(fork)
{
    return skr_clone_common(SKR_PPME_SYSCALL_FORK_20_X, ret, 0);
}

SKR_EXIT(vfork)
{
    return skr_clone_common(SKR_PPME_SYSCALL_VFORK_20_X, ret, SKR_CL_CLONE_VFORK | SKR_CL_CLONE_VM);
}

/*
 * The 31 (execve) or 30 (execveat) parameters, for the current task. exec_ok:
 * the task now runs the new program (sched_process_exec), its argv is in its
 * mm; otherwise (a failed call) argv comes from the syscall's argv array.
 */
static __always_inline int skr_execve_common(__u16 code,
                                             long ret,
                                             const char *const *uargv,
                                             const void *ufilename,
                                             const char *kfilename)
{
    struct skr_scratch *s =
            skr_begin(code, code == SKR_PPME_SYSCALL_EXECVE_19_X ? 31 : 30, SKR_DC_EXECVE);
    struct task_struct *task = skr_task();
    struct skr_exe_info ei;
    struct skr_caps caps;
    struct skr_vm vm;
    __u64 pid_tgid = bpf_get_current_pid_tgid();

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    if (ret == 0) {
        skr_push_exe_args(s, task);
    } else {
        /* argv[0] as exe, then up to SKR_MAX_ARGV arguments, from the caller's memory. */
        const char *arg = NULL;
        __u32 start, total = 0;
        int i;

        if (uargv) {
            bpf_probe_read_user(&arg, sizeof(arg), &uargv[0]);
        }
        skr_push_user_str(s, arg);
        start = s->pos;
        for (i = 1; i < SKR_MAX_ARGV && uargv; i++) {
            long n;

            arg = NULL;
            bpf_probe_read_user(&arg, sizeof(arg), &uargv[i]);
            if (!arg || total >= SKR_MAX_PARAM_SIZE) {
                break;
            }
            n = bpf_probe_read_user_str(&s->data[(start + total) & SKR_OFF_MASK],
                                        SKR_MAX_PARAM_SIZE - (total & SKR_PARAM_MASK), arg);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        if (total > SKR_MAX_PARAM_SIZE) {
            total = SKR_MAX_PARAM_SIZE;
        }
        s->pos = start + total;
        skr_set_len(s, total);
    }
    skr_task_vm(task, &vm);
    skr_push_s64(s, (__u32)pid_tgid);
    skr_push_s64(s, pid_tgid >> 32);
    skr_push_s64(s, BPF_CORE_READ(task, real_parent, pid));
    skr_push_empty(s); /* cwd: tracked in user space */
    skr_push_u64(s, skr_task_fdlimit(task));
    skr_push_u64(s, BPF_CORE_READ(task, maj_flt));
    skr_push_u64(s, BPF_CORE_READ(task, min_flt));
    skr_push_u32(s, vm.size_kb);
    skr_push_u32(s, vm.rss_kb);
    skr_push_u32(s, vm.swap_kb);
    skr_push_comm(s, task);
    skr_push_cgroups(s, task);
    if (ret == 0) {
        skr_push_env(s, task);
    } else {
        skr_push_empty(s);
    }
    skr_push_u32(s, skr_task_tty(task));
    skr_push_s64(s, skr_task_pgid(task, 1));
    skr_push_u32(s, skr_loginuid(task));
    skr_exe_info(task, &ei);
    skr_push_u32(s, ei.flags);
    skr_read_caps(task, &caps);
    skr_push_u64(s, caps.inh);
    skr_push_u64(s, caps.prm);
    skr_push_u64(s, caps.eff);
    skr_push_u64(s, ei.ino);
    skr_push_u64(s, ei.ctime);
    skr_push_u64(s, ei.mtime);
    skr_push_u32(s, skr_euid(task));
    skr_push_exepath(s, task);
    skr_push_s64(s, skr_task_pgid(task, 0));
    skr_push_u32(s, skr_egid(task));
    if (code == SKR_PPME_SYSCALL_EXECVE_19_X) {
        if (kfilename) {
            skr_push_kernel_str(s, kfilename);
        } else {
            skr_push_user_str(s, ufilename);
        }
    }
    return skr_submit(s);
}

/* Successful execve and execveat: the new program is in place. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(skr_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
    /*
     * Both execve and execveat: like Falco's drivers, a success is an execve
     * event (the kernel itself rewrites the syscall number of a 64-bit exec).
     */
    if (!skr_cfg.exec_enabled || skr_is_self()) {
        return 0;
    }
    return skr_execve_common(SKR_PPME_SYSCALL_EXECVE_19_X, 0, NULL, NULL,
                             BPF_CORE_READ(bprm, filename));
}

/* Failed calls only; successes come from sched_process_exec. */
SKR_EXIT(execve)
{
    if (ret == 0) {
        return 0;
    }
    return skr_execve_common(SKR_PPME_SYSCALL_EXECVE_19_X, ret, (const char *const *)SKR_A1(regs),
                             (const void *)SKR_A0(regs), NULL);
}

SKR_EXIT(execveat)
{
    if (ret == 0) {
        return 0;
    }
    return skr_execve_common(SKR_PPME_SYSCALL_EXECVEAT_X, ret, (const char *const *)SKR_A2(regs),
                             NULL, NULL);
}

/* Every exiting thread. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(skr_procexit, struct task_struct *p)
{
    struct skr_scratch *s;
    struct task_struct *task = skr_task();
    __s64 code, reaper = 0;

    if (!skr_cfg.procexit_enabled || skr_is_self()) {
        return 0;
    }
    s = skr_begin(SKR_PPME_PROCEXIT_1_E, 5, SKR_DC_PROCEXIT);
    if (!s) {
        return 0;
    }
    code = BPF_CORE_READ(task, exit_code);
    /* Children to adopt: leave the choice of the reaper to user space (-1). */
    {
        struct list_head *head = &task->children;
        struct list_head *first = BPF_CORE_READ(task, children.next);
        if (first != head) {
            reaper = -1;
        }
    }
    skr_push_s64(s, code);
    skr_push_s64(s, (code >> 8) & 0xff);
    skr_push_u8(s, code & 0x7f);
    skr_push_u8(s, (code & 0x80) ? 1 : 0);
    skr_push_s64(s, reaper);
    return skr_submit(s);
}

#define SKR_EXIT_RES_ID(name, code)                               \
    SKR_EXIT(name)                                                \
    {                                                             \
        struct skr_scratch *s = skr_begin(code, 2, SKR_DC_OTHER); \
        if (!s) {                                                 \
            return 0;                                             \
        }                                                         \
        skr_push_s64(s, ret);                                     \
        skr_push_u32(s, SKR_A0(regs));                            \
        return skr_submit(s);                                     \
    }

#define SKR_EXIT_RES_2ID(name, code)                              \
    SKR_EXIT(name)                                                \
    {                                                             \
        struct skr_scratch *s = skr_begin(code, 3, SKR_DC_OTHER); \
        if (!s) {                                                 \
            return 0;                                             \
        }                                                         \
        skr_push_s64(s, ret);                                     \
        skr_push_u32(s, SKR_A0(regs));                            \
        skr_push_u32(s, SKR_A1(regs));                            \
        return skr_submit(s);                                     \
    }

#define SKR_EXIT_RES_3ID(name, code)                              \
    SKR_EXIT(name)                                                \
    {                                                             \
        struct skr_scratch *s = skr_begin(code, 4, SKR_DC_OTHER); \
        if (!s) {                                                 \
            return 0;                                             \
        }                                                         \
        skr_push_s64(s, ret);                                     \
        skr_push_u32(s, SKR_A0(regs));                            \
        skr_push_u32(s, SKR_A1(regs));                            \
        skr_push_u32(s, SKR_A2(regs));                            \
        return skr_submit(s);                                     \
    }

SKR_EXIT_RES_ID(setuid, SKR_PPME_SYSCALL_SETUID_X)
SKR_EXIT_RES_ID(setgid, SKR_PPME_SYSCALL_SETGID_X)
SKR_EXIT_RES_2ID(setreuid, SKR_PPME_SYSCALL_SETREUID_X)
SKR_EXIT_RES_2ID(setregid, SKR_PPME_SYSCALL_SETREGID_X)
SKR_EXIT_RES_3ID(setresuid, SKR_PPME_SYSCALL_SETRESUID_X)
SKR_EXIT_RES_3ID(setresgid, SKR_PPME_SYSCALL_SETRESGID_X)

SKR_EXIT(capset)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_CAPSET_X, 4, SKR_DC_OTHER);
    struct skr_caps caps;

    if (!s) {
        return 0;
    }
    skr_read_caps(skr_task(), &caps);
    skr_push_s64(s, ret);
    skr_push_u64(s, caps.inh);
    skr_push_u64(s, caps.prm);
    skr_push_u64(s, caps.eff);
    return skr_submit(s);
}

SKR_EXIT(setsid)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_SETSID_X, 1, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    return skr_submit(s);
}

SKR_EXIT(setpgid)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_SETPGID_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_s64(s, SKR_I32(SKR_A1(regs)));
    return skr_submit(s);
}

SKR_EXIT(prctl)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_PRCTL_X, 4, SKR_DC_OTHER);
    __u32 option = SKR_A0(regs);
    __u64 arg2 = SKR_A1(regs);
    __s64 arg2_int = arg2;

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u32(s, option);
    if (option == 15 || option == 16) { /* PR_SET_NAME, PR_GET_NAME */
        skr_push_user_str(s, (const void *)arg2);
    } else {
        skr_push_empty(s);
    }
    if (option == 37) { /* PR_GET_CHILD_SUBREAPER: the value read */
        __s32 v = 0;
        bpf_probe_read_user(&v, sizeof(v), (const void *)arg2);
        arg2_int = v;
    }
    skr_push_s64(s, arg2_int);
    return skr_submit(s);
}

/* A PT_DYN parameter: one index byte, then the value of that type. */
static __always_inline void skr_push_dyn_u64(struct skr_scratch *s, __u64 v)
{
    __u32 off = s->pos & SKR_OFF_MASK;

    s->data[off] = 0;
    *(__u64 *)&s->data[(off + 1) & SKR_OFF_MASK] = v;
    s->pos += 9;
    skr_set_len(s, 9);
}

static __always_inline void skr_push_dyn_sig(struct skr_scratch *s, __u8 sig)
{
    __u32 off = s->pos & SKR_OFF_MASK;

    s->data[off] = 1;
    s->data[(off + 1) & SKR_OFF_MASK] = sig;
    s->pos += 2;
    skr_set_len(s, 2);
}

SKR_EXIT(ptrace)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_PTRACE_X, 5, SKR_DC_OTHER);
    __u64 req = SKR_A0(regs);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    if (ret < 0) {
        skr_push_dyn_u64(s, 0);
        skr_push_dyn_u64(s, 0);
    } else {
        skr_push_dyn_u64(s, SKR_A2(regs));
        if (req == 7 || req == 9 || req == 17 || req == 24) { /* CONT SINGLESTEP DETACH SYSCALL */
            skr_push_dyn_sig(s, SKR_A3(regs));
        } else {
            skr_push_dyn_u64(s, SKR_A3(regs));
        }
    }
    skr_push_u16(s, skr_ptrace_request(req));
    skr_push_s64(s, SKR_I32(SKR_A1(regs)));
    return skr_submit(s);
}

SKR_EXIT(kill)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_KILL_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u8(s, SKR_A1(regs));
    return skr_submit(s);
}

SKR_EXIT(tkill)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_TKILL_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u8(s, SKR_A1(regs));
    return skr_submit(s);
}

SKR_EXIT(tgkill)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_TGKILL_X, 4, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_s64(s, SKR_I32(SKR_A1(regs)));
    skr_push_u8(s, SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(unshare)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_UNSHARE_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u32(s, skr_clone_flags(SKR_A0(regs)));
    return skr_submit(s);
}

SKR_EXIT(setns)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_SETNS_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u32(s, skr_clone_flags(SKR_A1(regs)));
    return skr_submit(s);
}

struct skr_rlimit64 {
    __s64 cur, max;
};

SKR_EXIT(prlimit64)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_PRLIMIT_X, 7, SKR_DC_OTHER);
    struct skr_rlimit64 nl = { -1, -1 }, ol = { -1, -1 };

    if (!s) {
        return 0;
    }
    if (SKR_A2(regs)) {
        bpf_probe_read_user(&nl, sizeof(nl), (const void *)SKR_A2(regs));
    }
    if (ret >= 0 && SKR_A3(regs)) {
        bpf_probe_read_user(&ol, sizeof(ol), (const void *)SKR_A3(regs));
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, nl.cur);
    skr_push_s64(s, nl.max);
    skr_push_s64(s, ol.cur);
    skr_push_s64(s, ol.max);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u8(s, SKR_A1(regs));
    return skr_submit(s);
}

static __always_inline int skr_rlimit_common(__u16 code, struct pt_regs *regs, long ret)
{
    struct skr_scratch *s = skr_begin(code, 4, SKR_DC_OTHER);
    struct skr_rlimit64 l = { -1, -1 };

    if (!s) {
        return 0;
    }
    if (ret >= 0) {
        bpf_probe_read_user(&l, sizeof(l), (const void *)SKR_A1(regs));
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, l.cur);
    skr_push_s64(s, l.max);
    skr_push_u8(s, SKR_A0(regs));
    return skr_submit(s);
}

SKR_EXIT(setrlimit)
{
    return skr_rlimit_common(SKR_PPME_SYSCALL_SETRLIMIT_X, regs, ret);
}

SKR_EXIT(getrlimit)
{
    return skr_rlimit_common(SKR_PPME_SYSCALL_GETRLIMIT_X, regs, ret);
}

#endif /* SKR_PROGRAMS_PROC_H */
