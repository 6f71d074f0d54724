/* SPDX-License-Identifier: GPL-2.0-only */
/* Syscall arguments and the shape of an exit handler. */
#ifndef SKR_PROGRAMS_COMMON_H
#define SKR_PROGRAMS_COMMON_H

#if defined(__TARGET_ARCH_x86)
#define SKR_SC_ID(regs) ((regs)->orig_ax)
#define SKR_A0(regs)    ((regs)->di)
#define SKR_A1(regs)    ((regs)->si)
#define SKR_A2(regs)    ((regs)->dx)
#define SKR_A3(regs)    ((regs)->r10)
#define SKR_A4(regs)    ((regs)->r8)
#define SKR_A5(regs)    ((regs)->r9)
#elif defined(__TARGET_ARCH_arm64)
#define SKR_SC_ID(regs) ((regs)->syscallno)
#define SKR_A0(regs)    ((regs)->orig_x0)
#define SKR_A1(regs)    ((regs)->regs[1])
#define SKR_A2(regs)    ((regs)->regs[2])
#define SKR_A3(regs)    ((regs)->regs[3])
#define SKR_A4(regs)    ((regs)->regs[4])
#define SKR_A5(regs)    ((regs)->regs[5])
#else
#error "unsupported architecture"
#endif

/* One exit handler: reached by tail call from the sys_exit dispatcher. */
#define SKR_EXIT(name)     \
    SEC("tp_btf/sys_exit") \
    int BPF_PROG(x_##name, struct pt_regs *regs, long ret)

#define SKR_I32(v) ((__s64)(__s32)(v))

#endif /* SKR_PROGRAMS_COMMON_H */
