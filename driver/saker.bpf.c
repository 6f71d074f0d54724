// SPDX-License-Identifier: GPL-2.0-only
/*
 * Saker's eBPF driver.
 *
 * Raw syscall exit hook -> per-syscall interest table -> tail call into the
 * handler of that syscall, which writes one event in its final libscap
 * layout into this CPU's ring buffer. Successful execve comes from
 * sched_process_exec, process exit from sched_process_exit, and close(2) can
 * be taken at entry (to skip regular files) instead of at exit.
 *
 * Filtering happens here: a syscall no loaded rule and no state tracker
 * needs has its interest byte at 0 and costs a table lookup; the threads of
 * the saker process itself are never traced.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "shared/skr_driver.h"
#include "helpers/base.h"
#include "helpers/read.h"
#include "helpers/flags.h"
#include "helpers/proc.h"
#include "programs/common.h"
#include "programs/file.h"
#include "programs/net.h"
#include "programs/proc.h"

char LICENSE[] SEC("license") = "GPL";

#define SKR_TS_COMPAT 0x0002

static __always_inline int skr_is_compat(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
    if (bpf_core_field_exists(task->thread_info.status)) {
        return (BPF_CORE_READ(task, thread_info.status) & SKR_TS_COMPAT) != 0;
    }
#endif
    return 0;
}

/* Syscalls without an event of their own: ID and nativeID only. */
static __always_inline int skr_generic(__u32 id)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_GENERIC_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_u16(s, id);
    skr_push_u16(s, id);
    return skr_submit(s);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(skr_sys_exit, struct pt_regs *regs, long ret)
{
    __u64 id = SKR_SC_ID(regs);
    __u8 mode;

    if (id >= SKR_SYSCALL_MAX) {
        return 0;
    }
    mode = skr_interest[id & (SKR_SYSCALL_MAX - 1)];
    if (!mode) {
        return 0;
    }
    if (skr_is_self()) {
        return 0;
    }
    if (skr_is_compat(skr_task())) {
        struct skr_drv_counters *c = skr_counters_get();
        if (c) {
            c->n_compat_skipped++;
        }
        return 0;
    }
    if (mode & SKR_INT_GENERIC) {
        return skr_generic(id);
    }
    bpf_tail_call(ctx, &skr_exit_progs, id);
    return 0;
}

/*
 * close(2) at entry, where the file is still there: in SKR_CLOSE_NONREG mode
 * closes of regular files are skipped (their fd entries are replaced when
 * the number is reused). Attached only in that mode. A close of a live fd
 * always releases it, so res is 0, or -EBADF when there is no such fd.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(skr_sys_enter, struct pt_regs *regs, long id)
{
    struct skr_scratch *s;
    struct file *f;
    __s64 fd;

    if (id != skr_cfg.close_nr || skr_cfg.close_mode != SKR_CLOSE_NONREG || skr_is_self()) {
        return 0;
    }
    fd = SKR_I32(SKR_A0(regs));
    f = skr_fd_file(skr_task(), fd);
    if (f) {
        struct inode *ino = f->f_inode;
        __u32 mode = ino ? ino->i_mode : 0;
        if ((mode & SKR_S_IFMT) == SKR_S_IFREG) {
            return 0;
        }
    }
    s = skr_begin(SKR_PPME_SYSCALL_CLOSE_X, 2, SKR_DC_CLOSE);
    if (!s) {
        return 0;
    }
    skr_push_s64(s, f ? 0 : -9);
    skr_push_s64(s, fd);
    return skr_submit(s);
}
