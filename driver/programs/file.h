/* SPDX-License-Identifier: GPL-2.0-only */
/* Exit handlers of file, directory and file-descriptor syscalls. */
#ifndef SKR_PROGRAMS_FILE_H
#define SKR_PROGRAMS_FILE_H

/* dev, ino and the driver-added open flags of the file behind a new fd. */
static __always_inline void skr_new_fd_info(long ret, struct skr_file_info *fi)
{
    if (ret >= 0) {
        skr_file_info(skr_fd_file(skr_task(), ret), fi);
    } else {
        fi->dev = 0;
        fi->ino = 0;
        fi->layer = 0;
        fi->created = 0;
        fi->mode = 0;
    }
}

/* ---- Open-family path prefilter (see skr_driver.h) ------------------------------ */

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, SKR_PF_MAX_ENTRIES);
    __type(key, struct skr_pf_key);
    __type(value, __u8);
} skr_pf_prefix SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, SKR_PF_MAX_ENTRIES);
    __type(key, struct skr_pf_key);
    __type(value, __u8);
} skr_pf_suffix SEC(".maps");

/*
 * The path is looked at 8 bytes at a time: per byte, a loop with a branch
 * per test costs the verifier one path per combination at every position and
 * the CPU a few cycles. Loads and stores of 8 bytes at any byte address are
 * fine on the architectures the driver supports (x86_64, arm64); they go
 * through an integer so that clang keeps them whole instead of splitting
 * them into bytes for an array of __u8.
 */
#define SKR_PF_ONES 0x0101010101010101ull
#define SKR_PF_LOW7 0x7f7f7f7f7f7f7f7full

static __always_inline __u64 skr_pf_load(const __u8 *p)
{
    return *(const __u64 *)(unsigned long)p;
}

static __always_inline void skr_pf_store(__u8 *p, __u64 v)
{
    *(__u64 *)(unsigned long)p = v;
}

/* 0x80 in each byte of w that equals ch, 0 in the others (no carry from byte to byte). */
static __always_inline __u64 skr_pf_eq(__u64 w, __u64 ch)
{
    __u64 t = w ^ (ch * SKR_PF_ONES);

    return ~(((t & SKR_PF_LOW7) + SKR_PF_LOW7) | t | SKR_PF_LOW7);
}

/*
 * Copies the path of len bytes (2..SKR_PF_KEY_MAX-1) at data offset off, and
 * its NUL, into both lookup keys, forwards with the NUL and reversed, and
 * returns 1 when it is canonical.
 *
 * Word k holds bytes 8k..8k+7; the words one and two bytes further on give,
 * at every position, the byte and the two after it. "//", "/./" and ".."
 * anywhere, and '/' or "/." just before the NUL, make the path not canonical.
 * The 8 bytes after the NUL, where the next parameter goes, are zeroed first
 * so that the windows of the last word see no leftovers there.
 *
 * The reversed word k goes to byte len-8k-8 of the suffix key: for the last
 * word that is up to 8 bytes before the key's data, into pf_slack and the
 * key's prefixlen, which is written after the loop. Nothing after the loop
 * indexes by len, so that the verifier's states at the loop's exits differ
 * only in values it need not track exactly and are pruned into one.
 */
static __always_inline int skr_pf_keys(struct skr_scratch *s, __u32 off, __u32 len)
{
    __u8 *p = &s->data[off & SKR_OFF_MASK];
    __u8 *rev = s->pf_suffix.data - 8;
    __u64 bad = 0;

    if (p[0] != '/') {
        return 0;
    }
    skr_pf_store(p + len + 1, 0);
    for (__u32 k = 0; k < SKR_PF_KEY_MAX / 8 && 8 * k <= len; k++) {
        const __u8 *q = p + 8 * k;
        __u64 w0 = skr_pf_load(q), w1 = skr_pf_load(q + 1), w2 = skr_pf_load(q + 2);
        __u64 s0 = skr_pf_eq(w0, '/'), s1 = skr_pf_eq(w1, '/'), s2 = skr_pf_eq(w2, '/');
        __u64 d0 = skr_pf_eq(w0, '.'), d1 = skr_pf_eq(w1, '.');
        __u64 z1 = skr_pf_eq(w1, 0), z2 = skr_pf_eq(w2, 0);

        bad |= (s0 & (s1 | z1 | (d1 & (s2 | z2)))) | (d0 & d1);
        skr_pf_store(&s->pf_prefix.data[8 * k], w0);
        skr_pf_store(&rev[(len - 8 * k) & (SKR_PF_KEY_MAX - 1)], __builtin_bswap64(w0));
    }
    s->pf_prefix.prefixlen = 8 * (len + 1);
    s->pf_suffix.prefixlen = 8 * len;
    return bad == 0;
}

/*
 * The prefilter of the open-family handler whose SKR_PF_* bit is pf, called
 * right after the path parameter was pushed at data offset off. Returns 1,
 * counted, when the event is to be dropped.
 */
static __always_inline int skr_pf_drop(struct skr_scratch *s,
                                       __u32 pf,
                                       long ret,
                                       __u32 mode,
                                       __u32 off)
{
    struct skr_drv_counters *c;
    __u32 n = s->pos - off; /* path bytes and NUL; 0 when unreadable */
    __u32 pair;

    if (!(skr_cfg.pf_open_mask & pf)) {
        return 0;
    }
    if (ret >= 0 && (mode & SKR_S_IFMT) != SKR_S_IFREG) {
        return 0;
    }
    /* "/" alone is not canonical; longer paths do not fit a key */
    if (n < 3 || n > SKR_PF_KEY_MAX) {
        return 0;
    }
    if (!skr_pf_keys(s, off, n - 1)) {
        return 0;
    }
    /* the bytes after the leading '/' (the second one may be the NUL), and the last two */
    pair = s->pf_prefix.data[1] | (__u32)s->pf_prefix.data[2] << 8;
    if (((skr_pf_head[pair >> 3] >> (pair & 7)) & 1) &&
        bpf_map_lookup_elem(&skr_pf_prefix, &s->pf_prefix)) {
        return 0;
    }
    pair = s->pf_suffix.data[0] | (__u32)s->pf_suffix.data[1] << 8;
    if (((skr_pf_tail[pair >> 3] >> (pair & 7)) & 1) &&
        bpf_map_lookup_elem(&skr_pf_suffix, &s->pf_suffix)) {
        return 0;
    }
    c = skr_counters_get();
    if (c) {
        c->n_prefiltered++;
    }
    return 1;
}

SKR_EXIT(open)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_OPEN_X, 6, SKR_DC_OPEN);
    struct skr_file_info fi;
    __u32 flags = SKR_A1(regs);
    __u32 off;

    if (!s) {
        return 0;
    }
    skr_new_fd_info(ret, &fi);
    skr_push_s64(s, ret);
    off = s->pos;
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    if (skr_pf_drop(s, SKR_PF_OPEN, ret, fi.mode, off)) {
        return 0;
    }
    skr_push_u32(s, skr_open_flags(flags) | (fi.created ? SKR_O_F_CREATED : 0) | fi.layer);
    skr_push_u32(s, skr_open_mode(flags, SKR_A2(regs)));
    skr_push_u32(s, fi.dev);
    skr_push_u64(s, fi.ino);
    return skr_submit(s);
}

SKR_EXIT(openat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_OPENAT_2_X, 7, SKR_DC_OPEN);
    struct skr_file_info fi;
    __u32 flags = SKR_A2(regs);
    __u32 off;

    if (!s) {
        return 0;
    }
    skr_new_fd_info(ret, &fi);
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    off = s->pos;
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    if (skr_pf_drop(s, SKR_PF_OPENAT, ret, fi.mode, off)) {
        return 0;
    }
    skr_push_u32(s, skr_open_flags(flags) | (fi.created ? SKR_O_F_CREATED : 0) | fi.layer);
    skr_push_u32(s, skr_open_mode(flags, SKR_A3(regs)));
    skr_push_u32(s, fi.dev);
    skr_push_u64(s, fi.ino);
    return skr_submit(s);
}

struct skr_open_how {
    __u64 flags, mode, resolve;
};

SKR_EXIT(openat2)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_OPENAT2_X, 8, SKR_DC_OPEN);
    struct skr_open_how how = {};
    struct skr_file_info fi;
    __u32 off;

    if (!s) {
        return 0;
    }
    bpf_probe_read_user(&how, sizeof(how), (const void *)SKR_A2(regs));
    skr_new_fd_info(ret, &fi);
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    off = s->pos;
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    if (skr_pf_drop(s, SKR_PF_OPENAT2, ret, fi.mode, off)) {
        return 0;
    }
    skr_push_u32(s, skr_open_flags(how.flags) | (fi.created ? SKR_O_F_CREATED : 0) | fi.layer);
    skr_push_u32(s, skr_open_mode(how.flags, how.mode));
    skr_push_u32(s, how.resolve & 0x3f);
    skr_push_u32(s, fi.dev);
    skr_push_u64(s, fi.ino);
    return skr_submit(s);
}

SKR_EXIT(creat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_CREAT_X, 6, SKR_DC_OPEN);
    struct skr_file_info fi;
    __u16 cflags = 0;
    __u32 off;

    if (!s) {
        return 0;
    }
    skr_new_fd_info(ret, &fi);
    if (fi.layer == SKR_FD_UPPER_LAYER) {
        cflags = SKR_FD_UPPER_LAYER_CREAT;
    } else if (fi.layer == SKR_FD_LOWER_LAYER) {
        cflags = SKR_FD_LOWER_LAYER_CREAT;
    }
    skr_push_s64(s, ret);
    off = s->pos;
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    if (skr_pf_drop(s, SKR_PF_CREAT, ret, fi.mode, off)) {
        return 0;
    }
    skr_push_u32(s, SKR_A1(regs) & 07777);
    skr_push_u32(s, fi.dev);
    skr_push_u64(s, fi.ino);
    skr_push_u16(s, cflags);
    return skr_submit(s);
}

SKR_EXIT(open_by_handle_at)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X, 6, SKR_DC_OPEN);
    struct task_struct *task = skr_task();
    struct skr_file_info fi;
    struct file *f = NULL;
    __u32 start = 0, len;

    if (!s) {
        return 0;
    }
    skr_new_fd_info(ret, &fi);
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u32(s, skr_open_flags(SKR_A2(regs)) | fi.layer);
    if (ret >= 0) {
        f = skr_fd_file(task, ret);
    }
    if (f) {
        len = skr_build_path(s, task, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt),
                             &start);
        skr_push_tmp(s, start, len);
    } else {
        skr_push_empty(s);
    }
    skr_push_u32(s, fi.dev);
    skr_push_u64(s, fi.ino);
    return skr_submit(s);
}

SKR_EXIT(close)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_CLOSE_X, 2, SKR_DC_CLOSE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    return skr_submit(s);
}

SKR_EXIT(close_range)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_CLOSE_RANGE_X, 4, SKR_DC_CLOSE);
    __u32 f = SKR_A2(regs), pf = 0;

    if (!s) {
        return 0;
    }
    if (f & (1u << 1)) {
        pf |= 0x2; /* CLOSE_RANGE_UNSHARE */
    }
    if (f & (1u << 2)) {
        pf |= 0x4; /* CLOSE_RANGE_CLOEXEC */
    }
    skr_push_s64(s, ret);
    skr_push_u32(s, SKR_A0(regs));
    skr_push_u32(s, SKR_A1(regs));
    skr_push_u32(s, pf);
    return skr_submit(s);
}

SKR_EXIT(dup)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_DUP_1_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    return skr_submit(s);
}

SKR_EXIT(dup2)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_DUP2_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_s64(s, SKR_I32(SKR_A1(regs)));
    return skr_submit(s);
}

SKR_EXIT(dup3)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_DUP3_X, 4, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_s64(s, SKR_I32(SKR_A1(regs)));
    skr_push_u32(s, skr_nb_cloexec_flags(SKR_A2(regs)));
    return skr_submit(s);
}

SKR_EXIT(fcntl)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_FCNTL_X, 4, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u8(s, skr_fcntl_cmd(SKR_A1(regs)));
    skr_push_u64(s, SKR_A2(regs));
    return skr_submit(s);
}

/* res + one path argument read from user memory. */
#define SKR_EXIT_RES_PATH(name, code, cls)                \
    SKR_EXIT(name)                                        \
    {                                                     \
        struct skr_scratch *s = skr_begin(code, 2, cls);  \
        if (!s) {                                         \
            return 0;                                     \
        }                                                 \
        skr_push_s64(s, ret);                             \
        skr_push_user_str(s, (const void *)SKR_A0(regs)); \
        return skr_submit(s);                             \
    }

SKR_EXIT_RES_PATH(chdir, SKR_PPME_SYSCALL_CHDIR_X, SKR_DC_DIR_FILE)
SKR_EXIT_RES_PATH(chroot, SKR_PPME_SYSCALL_CHROOT_X, SKR_DC_DIR_FILE)
SKR_EXIT_RES_PATH(rmdir, SKR_PPME_SYSCALL_RMDIR_2_X, SKR_DC_DIR_FILE)
SKR_EXIT_RES_PATH(unlink, SKR_PPME_SYSCALL_UNLINK_2_X, SKR_DC_DIR_FILE)

SKR_EXIT(fchdir)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_FCHDIR_X, 2, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    return skr_submit(s);
}

SKR_EXIT(mkdir)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_MKDIR_2_X, 3, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    skr_push_u32(s, SKR_A1(regs));
    return skr_submit(s);
}

SKR_EXIT(mkdirat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_MKDIRAT_X, 4, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_u32(s, SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(unlinkat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_UNLINKAT_2_X, 4, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_u32(s, SKR_A2(regs) & 0x200);
    return skr_submit(s);
}

/* res + two paths (rename, link, symlink). */
#define SKR_EXIT_RES_2PATH(name, code)                               \
    SKR_EXIT(name)                                                   \
    {                                                                \
        struct skr_scratch *s = skr_begin(code, 3, SKR_DC_DIR_FILE); \
        if (!s) {                                                    \
            return 0;                                                \
        }                                                            \
        skr_push_s64(s, ret);                                        \
        skr_push_user_str(s, (const void *)SKR_A0(regs));            \
        skr_push_user_str(s, (const void *)SKR_A1(regs));            \
        return skr_submit(s);                                        \
    }

SKR_EXIT_RES_2PATH(rename, SKR_PPME_SYSCALL_RENAME_X)
SKR_EXIT_RES_2PATH(link, SKR_PPME_SYSCALL_LINK_2_X)
SKR_EXIT_RES_2PATH(symlink, SKR_PPME_SYSCALL_SYMLINK_X)

SKR_EXIT(renameat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_RENAMEAT_X, 5, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_s64(s, SKR_I32(SKR_A2(regs)));
    skr_push_user_str(s, (const void *)SKR_A3(regs));
    return skr_submit(s);
}

SKR_EXIT(renameat2)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_RENAMEAT2_X, 6, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_s64(s, SKR_I32(SKR_A2(regs)));
    skr_push_user_str(s, (const void *)SKR_A3(regs));
    skr_push_u32(s, SKR_A4(regs) & 0x7);
    return skr_submit(s);
}

SKR_EXIT(linkat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_LINKAT_2_X, 6, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_s64(s, SKR_I32(SKR_A2(regs)));
    skr_push_user_str(s, (const void *)SKR_A3(regs));
    skr_push_u32(s, SKR_A4(regs) & 0x1400);
    return skr_submit(s);
}

SKR_EXIT(symlinkat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_SYMLINKAT_X, 4, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    skr_push_s64(s, SKR_I32(SKR_A1(regs)));
    skr_push_user_str(s, (const void *)SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(chmod)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_CHMOD_X, 3, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    skr_push_u32(s, SKR_A1(regs) & 07777);
    return skr_submit(s);
}

SKR_EXIT(fchmod)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_FCHMOD_X, 3, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u32(s, SKR_A1(regs) & 07777);
    return skr_submit(s);
}

SKR_EXIT(fchmodat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_FCHMODAT_X, 4, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_u32(s, SKR_A2(regs) & 07777);
    return skr_submit(s);
}

#define SKR_EXIT_CHOWN(name, code)                                   \
    SKR_EXIT(name)                                                   \
    {                                                                \
        struct skr_scratch *s = skr_begin(code, 4, SKR_DC_DIR_FILE); \
        if (!s) {                                                    \
            return 0;                                                \
        }                                                            \
        skr_push_s64(s, ret);                                        \
        skr_push_user_str(s, (const void *)SKR_A0(regs));            \
        skr_push_u32(s, SKR_A1(regs));                               \
        skr_push_u32(s, SKR_A2(regs));                               \
        return skr_submit(s);                                        \
    }

SKR_EXIT_CHOWN(chown, SKR_PPME_SYSCALL_CHOWN_X)
SKR_EXIT_CHOWN(lchown, SKR_PPME_SYSCALL_LCHOWN_X)

SKR_EXIT(fchown)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_FCHOWN_X, 4, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u32(s, SKR_A1(regs));
    skr_push_u32(s, SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(fchownat)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_FCHOWNAT_X, 6, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_u32(s, SKR_A2(regs));
    skr_push_u32(s, SKR_A3(regs));
    skr_push_u32(s, skr_fchownat_flags(SKR_A4(regs)));
    return skr_submit(s);
}

SKR_EXIT(mount)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_MOUNT_X, 5, SKR_DC_DIR_FILE);
    __u32 flags = SKR_A3(regs);

    if (!s) {
        return 0;
    }
    if ((flags & 0xffff0000) == 0xc0ed0000) {
        flags &= 0xffff; /* MS_MGC_VAL */
    }
    skr_push_s64(s, ret);
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_user_str(s, (const void *)SKR_A2(regs));
    skr_push_u32(s, flags);
    return skr_submit(s);
}

SKR_EXIT(umount2)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_UMOUNT2_X, 3, SKR_DC_DIR_FILE);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    skr_push_u32(s, SKR_A1(regs) & 0xf);
    return skr_submit(s);
}

SKR_EXIT(memfd_create)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_MEMFD_CREATE_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    skr_push_u32(s, SKR_A1(regs) & 0x7);
    return skr_submit(s);
}

static __always_inline int skr_pipe_common(struct pt_regs *regs, long ret, int is_pipe2)
{
    struct skr_scratch *s = skr_begin(is_pipe2 ? SKR_PPME_SYSCALL_PIPE2_X : SKR_PPME_SYSCALL_PIPE_X,
                                      is_pipe2 ? 5 : 4, SKR_DC_OTHER);
    __s32 fds[2] = { -1, -1 };
    struct skr_file_info fi = {};

    if (!s) {
        return 0;
    }
    if (ret >= 0) {
        bpf_probe_read_user(fds, sizeof(fds), (const void *)SKR_A0(regs));
        skr_file_info(skr_fd_file(skr_task(), fds[0]), &fi);
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, fds[0]);
    skr_push_s64(s, fds[1]);
    skr_push_u64(s, fi.ino);
    if (is_pipe2) {
        skr_push_u32(s, skr_nb_cloexec_flags(SKR_A1(regs)));
    }
    return skr_submit(s);
}

SKR_EXIT(pipe)
{
    return skr_pipe_common(regs, ret, 0);
}

SKR_EXIT(pipe2)
{
    return skr_pipe_common(regs, ret, 1);
}

SKR_EXIT(eventfd)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_EVENTFD_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u64(s, SKR_A0(regs));
    skr_push_u32(s, 0);
    return skr_submit(s);
}

SKR_EXIT(eventfd2)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_EVENTFD2_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u16(s, skr_nb_cloexec_flags(SKR_A1(regs)));
    skr_push_u64(s, SKR_A0(regs));
    return skr_submit(s);
}

SKR_EXIT(signalfd)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_SIGNALFD_X, 4, SKR_DC_OTHER);
    __u64 mask = 0;

    if (!s) {
        return 0;
    }
    bpf_probe_read_user(&mask, sizeof(mask), (const void *)SKR_A1(regs));
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u32(s, (__u32)mask);
    skr_push_u8(s, 0);
    return skr_submit(s);
}

SKR_EXIT(signalfd4)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_SIGNALFD4_X, 4, SKR_DC_OTHER);
    __u64 mask = 0;

    if (!s) {
        return 0;
    }
    bpf_probe_read_user(&mask, sizeof(mask), (const void *)SKR_A1(regs));
    skr_push_s64(s, ret);
    skr_push_u16(s, skr_nb_cloexec_flags(SKR_A3(regs)));
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u32(s, (__u32)mask);
    return skr_submit(s);
}

SKR_EXIT(timerfd_create)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_TIMERFD_CREATE_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u8(s, SKR_A0(regs));
    skr_push_u8(s, 0);
    return skr_submit(s);
}

SKR_EXIT(inotify_init)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_INOTIFY_INIT_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u8(s, 0);
    return skr_submit(s);
}

SKR_EXIT(inotify_init1)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_INOTIFY_INIT1_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u16(s, skr_nb_cloexec_flags(SKR_A0(regs)));
    return skr_submit(s);
}

SKR_EXIT(epoll_create)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_EPOLL_CREATE_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s32(s, SKR_A0(regs));
    return skr_submit(s);
}

SKR_EXIT(epoll_create1)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_EPOLL_CREATE1_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u32(s, (SKR_A0(regs) & L_O_CLOEXEC) ? 1 : 0);
    return skr_submit(s);
}

SKR_EXIT(userfaultfd)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_USERFAULTFD_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u32(s, skr_nb_cloexec_flags(SKR_A0(regs)));
    return skr_submit(s);
}

struct skr_io_uring_params {
    __u32 sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features;
};

SKR_EXIT(io_uring_setup)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_IO_URING_SETUP_X, 8, SKR_DC_OTHER);
    struct skr_io_uring_params p = {};

    if (!s) {
        return 0;
    }
    bpf_probe_read_user(&p, sizeof(p), (const void *)SKR_A1(regs));
    skr_push_s64(s, ret);
    skr_push_u32(s, SKR_A0(regs));
    skr_push_u32(s, p.sq_entries);
    skr_push_u32(s, p.cq_entries);
    skr_push_u32(s, p.flags & 0xff);
    skr_push_u32(s, p.sq_thread_cpu);
    skr_push_u32(s, p.sq_thread_idle);
    skr_push_u32(s, p.features & 0x7ff);
    return skr_submit(s);
}

SKR_EXIT(pidfd_open)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_PIDFD_OPEN_X, 3, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_u32(s, (SKR_A1(regs) & L_O_NONBLOCK) ? 1 : 0);
    return skr_submit(s);
}

SKR_EXIT(pidfd_getfd)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_PIDFD_GETFD_X, 4, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_s64(s, SKR_I32(SKR_A1(regs)));
    skr_push_u32(s, SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(bpf)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_BPF_2_X, 2, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u32(s, SKR_A0(regs));
    return skr_submit(s);
}

SKR_EXIT(init_module)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_INIT_MODULE_X, 4, SKR_DC_OTHER);
    __u64 len = SKR_A1(regs);
    __u32 snap = skr_cfg.snaplen;

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_user_buf(s, (const void *)SKR_A0(regs), len < snap ? len : snap);
    skr_push_u64(s, len);
    skr_push_user_str(s, (const void *)SKR_A2(regs));
    return skr_submit(s);
}

SKR_EXIT(finit_module)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_FINIT_MODULE_X, 4, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_s64(s, SKR_I32(SKR_A0(regs)));
    skr_push_user_str(s, (const void *)SKR_A1(regs));
    skr_push_u32(s, SKR_A2(regs) & 0x7);
    return skr_submit(s);
}

SKR_EXIT(delete_module)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_DELETE_MODULE_X, 3, SKR_DC_OTHER);
    __u32 f = SKR_A1(regs), pf = 0;

    if (!s) {
        return 0;
    }
    if (f & L_O_NONBLOCK) {
        pf |= 0x2;
    }
    if (f & L_O_TRUNC) {
        pf |= 0x1;
    }
    skr_push_s64(s, ret);
    skr_push_user_str(s, (const void *)SKR_A0(regs));
    skr_push_u32(s, pf);
    return skr_submit(s);
}

SKR_EXIT(mmap)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_MMAP_X, 10, SKR_DC_OTHER);
    struct skr_vm vm;

    if (!s) {
        return 0;
    }
    skr_task_vm(skr_task(), &vm);
    skr_push_s64(s, ret);
    skr_push_u32(s, vm.size_kb);
    skr_push_u32(s, vm.rss_kb);
    skr_push_u32(s, vm.swap_kb);
    skr_push_u64(s, SKR_A0(regs));
    skr_push_u64(s, SKR_A1(regs));
    skr_push_u32(s, skr_prot_flags(SKR_A2(regs)));
    skr_push_u32(s, skr_mmap_flags(SKR_A3(regs)));
    skr_push_s64(s, SKR_I32(SKR_A4(regs)));
    skr_push_u64(s, SKR_A5(regs));
    return skr_submit(s);
}

SKR_EXIT(munmap)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_MUNMAP_X, 6, SKR_DC_OTHER);
    struct skr_vm vm;

    if (!s) {
        return 0;
    }
    skr_task_vm(skr_task(), &vm);
    skr_push_s64(s, ret);
    skr_push_u32(s, vm.size_kb);
    skr_push_u32(s, vm.rss_kb);
    skr_push_u32(s, vm.swap_kb);
    skr_push_u64(s, SKR_A0(regs));
    skr_push_u64(s, SKR_A1(regs));
    return skr_submit(s);
}

SKR_EXIT(mprotect)
{
    struct skr_scratch *s = skr_begin(SKR_PPME_SYSCALL_MPROTECT_X, 4, SKR_DC_OTHER);

    if (!s) {
        return 0;
    }
    skr_push_s64(s, ret);
    skr_push_u64(s, SKR_A0(regs));
    skr_push_u64(s, SKR_A1(regs));
    skr_push_u32(s, skr_prot_flags(SKR_A2(regs)));
    return skr_submit(s);
}

#endif /* SKR_PROGRAMS_FILE_H */
