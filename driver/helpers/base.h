/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Maps, global data and the event builder every program uses.
 *
 * An event is built in this CPU's scratch area in its final libscap layout
 * (header, parameter lengths, parameters) and copied once into this CPU's
 * ring buffer with bpf_ringbuf_output(). Offsets into the scratch area are
 * masked so that the verifier can bound every access: a parameter starts
 * below SKR_MAX_EVT_SIZE and is at most SKR_MAX_PARAM_SIZE (plus a little)
 * long, and the scratch area is big enough for both.
 */
#ifndef SKR_HELPERS_BASE_H
#define SKR_HELPERS_BASE_H

#define SKR_SCRATCH_SIZE (SKR_MAX_EVT_SIZE * 2)
#define SKR_OFF_MASK     (SKR_MAX_EVT_SIZE - 1)
#define SKR_PARAM_MASK   (SKR_MAX_PARAM_SIZE - 1)
/* Work area for paths built right to left; twice the largest path. */
#define SKR_TMP_SIZE   (SKR_MAX_PARAM_SIZE * 2)
#define SKR_TMP_MASK   (SKR_TMP_SIZE - 1)
#define SKR_MAX_PARAMS 32

struct skr_scratch {
    __u8 data[SKR_SCRATCH_SIZE];
    __u8 tmp[SKR_TMP_SIZE];
    /* Lookup keys of the open-family path prefilter (programs/file.h). */
    struct skr_pf_key pf_prefix;
    __u8 pf_slack[4]; /* the reversed path's last word may start 8 bytes before pf_suffix.data */
    struct skr_pf_key pf_suffix;
    __u32 pos;     /* next parameter byte */
    __u32 idx;     /* next parameter index */
    __u32 nparams; /* parameters declared at begin */
    __u32 dclass;  /* SKR_DC_* of the event being built */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1); /* set to the number of possible CPUs before load */
    __type(key, __u32);
    __type(value, struct skr_scratch);
} skr_scratch_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct skr_drv_counters);
} skr_counters SEC(".maps");

struct skr_ringbuf_map {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024); /* replaced by the inner map user space provides */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 1); /* set to the number of possible CPUs before load */
    __type(key, __u32);
    __array(values, struct skr_ringbuf_map);
} skr_ringbufs SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, SKR_SYSCALL_MAX);
    __type(key, __u32);
    __type(value, __u32);
} skr_exit_progs SEC(".maps");

/* Written by user space (see struct skr_drv_config). */
struct skr_drv_config skr_cfg = {};
__u8 skr_interest[SKR_SYSCALL_MAX] = {};
/* Open path prefilter: which first and last two bytes some trie entry can match (see
 * skr_driver.h), so that most paths skip the trie lookups. */
__u8 skr_pf_head[SKR_PF_PAIR_BYTES] = {};
__u8 skr_pf_tail[SKR_PF_PAIR_BYTES] = {};

static __always_inline struct skr_drv_counters *skr_counters_get(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&skr_counters, &zero);
}

static __always_inline struct skr_scratch *skr_scratch_get(void)
{
    __u32 cpu = bpf_get_smp_processor_id();
    return bpf_map_lookup_elem(&skr_scratch_map, &cpu);
}

/* Starts an event of type with nparams parameters. Returns the scratch area or NULL. */
static __always_inline struct skr_scratch *skr_begin(__u16 type, __u32 nparams, __u32 dclass)
{
    struct skr_scratch *s = skr_scratch_get();
    struct skr_evt_hdr *h;

    if (!s) {
        return NULL;
    }
    h = (struct skr_evt_hdr *)s->data;
    h->type = type;
    h->nparams = nparams;
    s->nparams = nparams & (SKR_MAX_PARAMS - 1);
    s->pos = SKR_EVT_HDR_LEN + 2 * (nparams & (SKR_MAX_PARAMS - 1));
    s->idx = 0;
    s->dclass = dclass;
    return s;
}

static __always_inline void skr_set_len(struct skr_scratch *s, __u16 len)
{
    __u32 i = s->idx;

    if (i >= SKR_MAX_PARAMS) {
        return;
    }
    *(__u16 *)&s->data[SKR_EVT_HDR_LEN + 2 * (i & (SKR_MAX_PARAMS - 1))] = len;
    s->idx = i + 1;
}

static __always_inline void skr_push_empty(struct skr_scratch *s)
{
    skr_set_len(s, 0);
}

#define SKR_DEFINE_PUSH(name, type)                                            \
    static __always_inline void skr_push_##name(struct skr_scratch *s, type v) \
    {                                                                          \
        *(type *)&s->data[s->pos & SKR_OFF_MASK] = v;                          \
        s->pos += sizeof(type);                                                \
        skr_set_len(s, sizeof(type));                                          \
    }

SKR_DEFINE_PUSH(u8, __u8)
SKR_DEFINE_PUSH(u16, __u16)
SKR_DEFINE_PUSH(u32, __u32)
SKR_DEFINE_PUSH(u64, __u64)
SKR_DEFINE_PUSH(s32, __s32)
SKR_DEFINE_PUSH(s64, __s64)

/* A NUL-terminated string from user memory (charbuf/fspath); empty when unreadable. */
static __always_inline void skr_push_user_str(struct skr_scratch *s, const void *uptr)
{
    long n = 0;

    if (uptr) {
        n = bpf_probe_read_user_str(&s->data[s->pos & SKR_OFF_MASK], SKR_MAX_PARAM_SIZE, uptr);
    }
    if (n <= 0) {
        skr_push_empty(s);
        return;
    }
    s->pos += n;
    skr_set_len(s, n);
}

/* A NUL-terminated string from kernel memory. */
static __always_inline void skr_push_kernel_str(struct skr_scratch *s, const void *kptr)
{
    long n = 0;

    if (kptr) {
        n = bpf_probe_read_kernel_str(&s->data[s->pos & SKR_OFF_MASK], SKR_MAX_PARAM_SIZE, kptr);
    }
    if (n <= 0) {
        skr_push_empty(s);
        return;
    }
    s->pos += n;
    skr_set_len(s, n);
}

/* len bytes of user memory as a byte buffer (len <= SKR_MAX_PARAM_SIZE). */
static __always_inline void skr_push_user_buf(struct skr_scratch *s, const void *uptr, __u32 len)
{
    if (!uptr || len == 0) {
        skr_push_empty(s);
        return;
    }
    if (len > SKR_MAX_PARAM_SIZE) {
        len = SKR_MAX_PARAM_SIZE;
    }
    if (bpf_probe_read_user(&s->data[s->pos & SKR_OFF_MASK], len & (SKR_MAX_PARAM_SIZE * 2 - 1),
                            uptr) != 0) {
        skr_push_empty(s);
        return;
    }
    s->pos += len;
    skr_set_len(s, len);
}

/* len bytes from the scratch work area as one parameter (a copy inside the map value). */
static __always_inline void skr_push_tmp(struct skr_scratch *s, __u32 off, __u32 len)
{
    if (len == 0 || len > SKR_MAX_PARAM_SIZE) {
        skr_push_empty(s);
        return;
    }
    if (bpf_probe_read_kernel(&s->data[s->pos & SKR_OFF_MASK], len & (SKR_MAX_PARAM_SIZE * 2 - 1),
                              &s->tmp[off & (SKR_TMP_SIZE / 2 - 1)]) != 0) {
        skr_push_empty(s);
        return;
    }
    s->pos += len;
    skr_set_len(s, len);
}

static __always_inline void skr_count_drop(struct skr_drv_counters *c, __u32 dclass)
{
    c->n_drops_buffer++;
    switch (dclass) {
    case SKR_DC_CLONE:
        c->n_drops_clone_fork++;
        break;
    case SKR_DC_EXECVE:
        c->n_drops_execve++;
        break;
    case SKR_DC_CONNECT:
        c->n_drops_connect++;
        break;
    case SKR_DC_OPEN:
        c->n_drops_open++;
        break;
    case SKR_DC_DIR_FILE:
        c->n_drops_dir_file++;
        break;
    case SKR_DC_CLOSE:
        c->n_drops_close++;
        break;
    case SKR_DC_PROCEXIT:
        c->n_drops_procexit++;
        break;
    default:
        c->n_drops_other++;
        break;
    }
}

/*
 * Fills the header (timestamp, thread, length) and writes the event into this
 * CPU's ring buffer. A full ring buffer is a counted drop, never a wait.
 */
static __always_inline int skr_submit(struct skr_scratch *s)
{
    struct skr_drv_counters *c = skr_counters_get();
    struct skr_evt_hdr *h = (struct skr_evt_hdr *)s->data;
    __u32 cpu = bpf_get_smp_processor_id();
    __u32 len = s->pos;
    __u64 flags = BPF_RB_NO_WAKEUP;
    void *rb;

    if (!c) {
        return 0;
    }
    c->n_evts++;
    /* Parameters declared but never pushed stay empty, so the layout is always complete. */
    while (s->idx < s->nparams && s->idx < SKR_MAX_PARAMS) {
        skr_push_empty(s);
    }
    if (len > SKR_MAX_EVT_SIZE - 1) {
        c->n_drops_max_size++;
        return 0;
    }
    h->ts = skr_cfg.boot_ns + bpf_ktime_get_boot_ns();
    h->tid = (__u32)bpf_get_current_pid_tgid();
    h->len = len;
    rb = bpf_map_lookup_elem(&skr_ringbufs, &cpu);
    if (!rb) {
        skr_count_drop(c, s->dclass);
        return 0;
    }
    /*
     * Wake the consumer once, when the pending data crosses the threshold: a
     * wakeup is an interrupt on this CPU, and a busy consumer needs none (an
     * idle one also wakes on its own every poll_ms).
     */
    {
        __u64 avail = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA);
        if (avail < skr_cfg.wakeup_bytes && avail + len >= skr_cfg.wakeup_bytes) {
            flags = BPF_RB_FORCE_WAKEUP;
        }
    }
    if (bpf_ringbuf_output(rb, s->data, len & SKR_OFF_MASK, flags) != 0) {
        skr_count_drop(c, s->dclass);
    }
    return 0;
}

/* Same, with the header's thread id given (events about another task). */
static __always_inline int skr_submit_tid(struct skr_scratch *s, __u32 tid)
{
    skr_submit(s);
    return 0;
}

static __always_inline __u32 skr_self_tgid(void)
{
    return skr_cfg.self_tgid;
}

static __always_inline int skr_is_self(void)
{
    return (__u32)(bpf_get_current_pid_tgid() >> 32) == skr_cfg.self_tgid;
}

#endif /* SKR_HELPERS_BASE_H */
