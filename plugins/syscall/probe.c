// SPDX-License-Identifier: Apache-2.0
/*
 * The driver's user side (the only file that includes the skeleton).
 *
 * Ring buffers are read in place: each per-CPU ring maps its consumer page
 * read-write and its producer page and data area read-only, once (libbpf maps
 * the data twice in a row so that a wrapping record is contiguous, which
 * doubles the resident size of every ring; here the rare record that wraps
 * is copied into the ring's bounce buffer instead). skr_probe_next() merges
 * the heads of all rings by timestamp and hands out pointers into the rings;
 * the consumer positions move past them only on the next call, which is when
 * the host is done with the batch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "evtab.h"
#include "probe.h"
#include "saker_bpf.skel.h"

_Static_assert(sizeof(struct skr_evt_hdr) == SKR_EVT_HDR_LEN, "event header is 26 bytes");
_Static_assert(sizeof(struct skr_drv_config) == 48, "driver config layout");
_Static_assert(sizeof(struct skr_drv_counters) == 13 * 8, "driver counters layout");
_Static_assert(sizeof(struct skr_pf_key) == 4 + SKR_PF_KEY_MAX, "prefilter key layout");

#define RB_HDR_SZ  8u
#define RB_BUSY    (1u << 31)
#define RB_DISCARD (1u << 30)

struct ring {
    int fd;
    unsigned long *consumer_pos; /* shared, written by us */
    unsigned long *producer_pos; /* shared, written by the kernel */
    uint8_t *data;
    size_t mask;
    unsigned long head;    /* next record to look at */
    unsigned long release; /* consumer position to publish at the next call */
    uint8_t *bounce;       /* a wrapped record made contiguous (one per batch at most) */
};

struct skr_probe {
    struct saker_bpf *skel;
    struct bpf_link *links[4];
    int nlinks;
    uint32_t ncpus;
    struct ring *rings;
    size_t page;
    size_t ring_bytes;
    int epfd;
    struct bpf_link *enter_link; /* sys_enter, attached only while closes are taken at entry */
    uint8_t handlers[SKR_SYSCALL_MAX];
    uint64_t bad_records;
};

static __thread const struct skr_probe_opts *t_log_opts;

/* Forwards libbpf's messages line by line (a verifier log can be very long). */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    va_list ap2;
    char *buf, *line, *save = NULL;
    int n;

    if (!t_log_opts || !t_log_opts->log || level == LIBBPF_DEBUG) {
        return 0;
    }
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return 0;
    }
    buf = malloc((size_t)n + 1);
    if (!buf) {
        return 0;
    }
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        t_log_opts->log(t_log_opts->log_user, level == LIBBPF_WARN ? 0 : 1, line);
    }
    free(buf);
    return 0;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

static int map_ring(struct skr_probe *p, struct ring *r, int fd)
{
    void *cons, *prod;

    r->fd = fd;
    cons = mmap(NULL, p->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (cons == MAP_FAILED) {
        return -errno;
    }
    prod = mmap(NULL, p->page + p->ring_bytes, PROT_READ, MAP_SHARED, fd, p->page);
    if (prod == MAP_FAILED) {
        int rc = -errno;
        munmap(cons, p->page);
        return rc;
    }
    r->consumer_pos = cons;
    r->producer_pos = prod;
    r->data = (uint8_t *)prod + p->page;
    r->mask = p->ring_bytes - 1;
    r->head = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
    r->release = r->head;
    return 0;
}

static void unmap_ring(struct skr_probe *p, struct ring *r)
{
    if (r->consumer_pos) {
        munmap(r->consumer_pos, p->page);
    }
    if (r->producer_pos) {
        munmap(r->producer_pos, p->page + p->ring_bytes);
    }
    free(r->bounce);
    if (r->fd >= 0) {
        close(r->fd);
    }
}

/*
 * Once the programs are in the kernel, the object they came from (embedded in
 * this library, about a megabyte) is not read again: its pages are given back
 * so they do not count as resident. They are clean file pages; a later read
 * would simply fault them in again.
 */
static void release_elf_bytes(void)
{
    size_t sz = 0, page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)saker_bpf__elf_bytes(&sz), end = start + sz;

    start = (start + page - 1) & ~(uintptr_t)(page - 1);
    end &= ~(uintptr_t)(page - 1);
    if (end > start) {
        (void)madvise((void *)start, end - start, MADV_DONTNEED);
    }
}

static int attach(struct skr_probe *p, struct bpf_program *prog, char *err, size_t errlen)
{
    struct bpf_link *l = bpf_program__attach(prog);

    if (!l) {
        int rc = -errno;
        return fail(err, errlen, rc, "cannot attach eBPF program %s: %s", bpf_program__name(prog),
                    strerror(-rc));
    }
    p->links[p->nlinks++] = l;
    return 0;
}

/* Fills the tail-call table with every x_<syscall> handler of the object. */
static int fill_handlers(struct skr_probe *p, char *err, size_t errlen)
{
    int table = bpf_map__fd(p->skel->maps.skr_exit_progs);
    struct bpf_program *prog;

    bpf_object__for_each_program(prog, p->skel->obj)
    {
        const char *name = bpf_program__name(prog);
        int nr, fd;

        if (strncmp(name, "x_", 2) != 0) {
            continue;
        }
        nr = skr_syscall_nr(name + 2);
        if (nr < 0 || nr >= SKR_SYSCALL_MAX) {
            continue; /* a syscall this architecture does not have */
        }
        fd = bpf_program__fd(prog);
        if (bpf_map_update_elem(table, &nr, &fd, BPF_ANY) != 0) {
            int rc = -errno;
            return fail(err, errlen, rc, "cannot register eBPF handler %s: %s", name,
                        strerror(-rc));
        }
        p->handlers[nr] = 1;
    }
    return 0;
}

static int create_rings(struct skr_probe *p, int first_fd, char *err, size_t errlen)
{
    int outer = bpf_map__fd(p->skel->maps.skr_ringbufs);
    struct epoll_event ev = { .events = EPOLLIN };

    p->rings = calloc(p->ncpus, sizeof(*p->rings));
    if (!p->rings) {
        return fail(err, errlen, -ENOMEM, "out of memory for %u ring buffers", p->ncpus);
    }
    for (uint32_t i = 0; i < p->ncpus; i++) {
        p->rings[i].fd = -1;
    }
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (p->epfd < 0) {
        return fail(err, errlen, -errno, "epoll_create1: %s", strerror(errno));
    }
    for (uint32_t cpu = 0; cpu < p->ncpus; cpu++) {
        int fd = cpu == 0 ? first_fd
                          : bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, p->ring_bytes, NULL);
        int rc;

        if (fd < 0) {
            return fail(err, errlen, -errno,
                        "cannot create a %zu-byte ring buffer for CPU %u: %s (lower "
                        "ringbuf_size_kb)",
                        p->ring_bytes, cpu, strerror(errno));
        }
        rc = map_ring(p, &p->rings[cpu], fd);
        if (rc < 0) {
            if (cpu != 0) {
                close(fd);
            }
            return fail(err, errlen, rc, "cannot map the ring buffer of CPU %u: %s", cpu,
                        strerror(-rc));
        }
        if (bpf_map_update_elem(outer, &cpu, &fd, BPF_ANY) != 0) {
            return fail(err, errlen, -errno, "cannot install the ring buffer of CPU %u: %s", cpu,
                        strerror(errno));
        }
        ev.data.u32 = cpu;
        if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            return fail(err, errlen, -errno, "epoll_ctl: %s", strerror(errno));
        }
    }
    return 0;
}

int skr_probe_open(const struct skr_probe_opts *opts,
                   struct skr_probe **out,
                   char *err,
                   size_t errlen)
{
    struct skr_probe *p = calloc(1, sizeof(*p));
    libbpf_print_fn_t prev;
    int first_fd = -1, rc, ncpus;
    struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

    if (!p) {
        return fail(err, errlen, -ENOMEM, "out of memory");
    }
    p->epfd = -1;
    p->page = (size_t)sysconf(_SC_PAGESIZE);
    p->ring_bytes = opts->ringbuf_bytes;
    if (p->ring_bytes < p->page || (p->ring_bytes & (p->ring_bytes - 1)) != 0) {
        free(p);
        return fail(err, errlen, -EINVAL,
                    "ring buffer size %u is not a power of two of at least one page",
                    opts->ringbuf_bytes);
    }
    ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0 || ncpus > SKR_MAX_CPUS) {
        free(p);
        return fail(err, errlen, -EINVAL, "cannot count the possible CPUs (%d)", ncpus);
    }
    p->ncpus = (uint32_t)ncpus;

    /* Harmless when it fails: kernels >= 5.11 charge BPF memory to the cgroup. */
    (void)setrlimit(RLIMIT_MEMLOCK, &rl);

    t_log_opts = opts;
    prev = libbpf_set_print(print_libbpf);

    p->skel = saker_bpf__open();
    if (!p->skel) {
        rc = fail(err, errlen, -errno, "cannot open the eBPF driver: %s", strerror(errno));
        goto out;
    }
    bpf_map__set_max_entries(p->skel->maps.skr_scratch_map, p->ncpus);
    bpf_map__set_max_entries(p->skel->maps.skr_ringbufs, p->ncpus);
    first_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, p->ring_bytes, NULL);
    if (first_fd < 0) {
        rc = fail(err, errlen, -errno,
                  "cannot create a BPF ring buffer: %s (needs root or CAP_BPF, and a kernel >= "
                  "5.8)",
                  strerror(errno));
        goto out;
    }
    bpf_map__set_inner_map_fd(p->skel->maps.skr_ringbufs, first_fd);

    p->skel->bss->skr_cfg.boot_ns = opts->boot_ns;
    p->skel->bss->skr_cfg.self_tgid = opts->self_tgid;
    p->skel->bss->skr_cfg.snaplen = opts->snaplen;
    p->skel->bss->skr_cfg.wakeup_bytes = opts->wakeup_bytes;
    p->skel->bss->skr_cfg.ncpus = p->ncpus;
    p->skel->bss->skr_cfg.close_mode = SKR_CLOSE_NONE;

    p->skel->bss->skr_cfg.close_nr = (uint32_t)skr_syscall_nr("close");

    rc = saker_bpf__load(p->skel);
    if (rc == 0) {
        release_elf_bytes();
    }
    if (rc != 0) {
        rc = fail(err, errlen, rc < 0 ? rc : -EINVAL,
                  "cannot load the eBPF driver: %s (see the verifier log above; the kernel needs "
                  "BTF, BPF ring buffers and tp_btf support)",
                  strerror(rc < 0 ? -rc : EINVAL));
        goto out;
    }
    rc = fill_handlers(p, err, errlen);
    if (rc < 0) {
        goto out;
    }
    rc = create_rings(p, first_fd, err, errlen);
    first_fd = -1; /* owned by ring 0 now */
    if (rc < 0) {
        goto out;
    }
    rc = attach(p, p->skel->progs.skr_sys_exit, err, errlen);
    if (rc == 0) {
        rc = attach(p, p->skel->progs.skr_exec, err, errlen);
    }
    if (rc == 0) {
        rc = attach(p, p->skel->progs.skr_procexit, err, errlen);
    }
    if (rc < 0) {
        goto out;
    }
    *out = p;
    p = NULL;
out:
    libbpf_set_print(prev);
    t_log_opts = NULL;
    if (first_fd >= 0) {
        close(first_fd);
    }
    skr_probe_close(p);
    return rc;
}

void skr_probe_close(struct skr_probe *p)
{
    if (!p) {
        return;
    }
    bpf_link__destroy(p->enter_link);
    for (int i = p->nlinks - 1; i >= 0; i--) {
        bpf_link__destroy(p->links[i]);
    }
    if (p->rings) {
        for (uint32_t i = 0; i < p->ncpus; i++) {
            unmap_ring(p, &p->rings[i]);
        }
        free(p->rings);
    }
    if (p->epfd >= 0) {
        close(p->epfd);
    }
    saker_bpf__destroy(p->skel);
    free(p);
}

bool skr_probe_has_handler(const struct skr_probe *p, uint32_t nr)
{
    return nr < SKR_SYSCALL_MAX && p->handlers[nr];
}

int skr_probe_set_interest(struct skr_probe *p,
                           const struct skr_probe_interest *in,
                           uint32_t *unsupported,
                           char *names,
                           size_t names_len)
{
    struct skr_drv_config *cfg = &p->skel->bss->skr_cfg;
    volatile uint8_t *table = p->skel->bss->skr_interest;
    uint32_t missing = 0;
    uint32_t close_mode = in->close_mode;
    int close_nr = skr_syscall_nr("close");

    if (names && names_len) {
        names[0] = '\0';
    }

    if (close_mode == SKR_CLOSE_NONREG && !p->enter_link) {
        p->enter_link = bpf_program__attach(p->skel->progs.skr_sys_enter);
        if (!p->enter_link) {
            close_mode = SKR_CLOSE_ALL; /* take every close at exit instead */
        }
    }
    for (uint32_t nr = 0; nr < SKR_SYSCALL_MAX; nr++) {
        uint8_t want = in->syscalls[nr];
        uint8_t mode = 0;

        if (want) {
            if (p->handlers[nr]) {
                mode = SKR_INT_EXIT;
            } else if (skr_syscall_exit_code(nr) == 1) {
                mode = SKR_INT_GENERIC;
            } else {
                const char *nm = skr_syscall_name(nr);
                size_t used = names ? strlen(names) : 0;
                missing++;
                if (names && nm && used + strlen(nm) + 2 < names_len) {
                    snprintf(names + used, names_len - used, "%s%s", used ? " " : "", nm);
                }
            }
        }
        if ((int)nr == close_nr) {
            mode = close_mode == SKR_CLOSE_ALL ? SKR_INT_EXIT : 0;
        }
        table[nr] = mode;
    }
    __atomic_store_n(&cfg->close_mode, close_mode, __ATOMIC_RELEASE);
    __atomic_store_n(&cfg->exec_enabled, in->exec ? 1u : 0u, __ATOMIC_RELEASE);
    __atomic_store_n(&cfg->procexit_enabled, in->procexit ? 1u : 0u, __ATOMIC_RELEASE);
    if (close_mode != SKR_CLOSE_NONREG && p->enter_link) {
        bpf_link__destroy(p->enter_link);
        p->enter_link = NULL;
    }
    if (unsupported) {
        *unsupported = missing;
    }
    return 0;
}

/* Deletes every entry of the LPM trie fd. */
static int pf_clear(int fd)
{
    struct skr_pf_key key;

    /* Deleted keys drop out of the walk, so each round starts from the first key again. */
    while (bpf_map_get_next_key(fd, NULL, &key) == 0) {
        if (bpf_map_delete_elem(fd, &key) != 0) {
            return -errno;
        }
    }
    return errno == ENOENT ? 0 : -errno;
}

enum pf_kind {
    PF_PREFIX,
    PF_EXACT,
    PF_SUFFIX
};

/*
 * Adds s to the LPM trie fd: as is, with a NUL after it when exact, or
 * reversed. Too long for a key: a prefix or exact path is cut to a prefix,
 * which matches more paths, never fewer; a suffix is skipped, as paths that
 * long are never filtered.
 */
static int pf_add(int fd, const char *s, enum pf_kind kind)
{
    struct skr_pf_key key;
    size_t len = strlen(s);
    uint8_t one = 1;

    memset(&key, 0, sizeof(key));
    if (kind == PF_SUFFIX) {
        if (len > SKR_PF_KEY_MAX - 1) {
            return 0;
        }
        for (size_t i = 0; i < len; i++) {
            key.data[i] = (uint8_t)s[len - 1 - i];
        }
    } else {
        if (kind == PF_EXACT && len + 1 > SKR_PF_KEY_MAX) {
            kind = PF_PREFIX;
        }
        if (len > SKR_PF_KEY_MAX - 1) {
            len = SKR_PF_KEY_MAX - 1;
        }
        memcpy(key.data, s, len);
        if (kind == PF_EXACT) {
            len++; /* the NUL, already there */
        }
    }
    key.prefixlen = (uint32_t)(8 * len);
    if (bpf_map_update_elem(fd, &key, &one, BPF_ANY) != 0) {
        return errno == ENOSPC ? -E2BIG : -errno;
    }
    return 0;
}

static void pf_set_bit(volatile uint8_t *bits, uint32_t b)
{
    bits[(b >> 3) & (SKR_PF_PAIR_BYTES - 1)] |= (uint8_t)(1u << (b & 7));
}

/* The head pairs an entry of len bytes (an exact path's NUL counted) can begin with. */
static void pf_mark_head(volatile uint8_t *head, const char *e, size_t len)
{
    const uint8_t *u = (const uint8_t *)e;

    if (len >= 3) {
        pf_set_bit(head, u[1] | (uint32_t)u[2] << 8);
        return;
    }
    for (uint32_t b = 0; b < 65536; b++) {
        if ((len < 2 || (b & 0xff) == u[1]) && (len < 3 || (b >> 8) == u[2])) {
            pf_set_bit(head, b);
        }
    }
}

/* The tail pairs a suffix of len bytes can end with (bit: last | prev << 8). */
static void pf_mark_tail(volatile uint8_t *tail, const char *sfx, size_t len)
{
    const uint8_t *u = (const uint8_t *)sfx;

    if (len >= 2) {
        pf_set_bit(tail, u[len - 1] | (uint32_t)u[len - 2] << 8);
        return;
    }
    for (uint32_t b = 0; b < 65536; b++) {
        if ((len < 1 || (b & 0xff) == u[len - 1]) && (len < 2 || (b >> 8) == u[len - 2])) {
            pf_set_bit(tail, b);
        }
    }
}

int skr_probe_set_open_filter(struct skr_probe *p,
                              uint32_t mask,
                              const char *const *prefixes,
                              size_t nprefixes,
                              const char *const *exact,
                              size_t nexact,
                              const char *const *suffixes,
                              size_t nsuffixes)
{
    struct skr_drv_config *cfg = &p->skel->bss->skr_cfg;
    int pfd = bpf_map__fd(p->skel->maps.skr_pf_prefix);
    int sfd = bpf_map__fd(p->skel->maps.skr_pf_suffix);
    int rc;

    volatile uint8_t *head = p->skel->bss->skr_pf_head;
    volatile uint8_t *tail = p->skel->bss->skr_pf_tail;

    /* Off while the tries change: a half-filled trie must not drop anything. */
    __atomic_store_n(&cfg->pf_open_mask, 0u, __ATOMIC_SEQ_CST);
    for (size_t i = 0; i < SKR_PF_PAIR_BYTES; i++) {
        head[i] = 0;
        tail[i] = 0;
    }
    rc = pf_clear(pfd);
    if (rc == 0) {
        rc = pf_clear(sfd);
    }
    if (rc < 0 || mask == 0) {
        return rc;
    }
    for (size_t i = 0; rc == 0 && i < nprefixes; i++) {
        rc = pf_add(pfd, prefixes[i], PF_PREFIX);
        pf_mark_head(head, prefixes[i], strlen(prefixes[i]));
    }
    for (size_t i = 0; rc == 0 && i < nexact; i++) {
        rc = pf_add(pfd, exact[i], PF_EXACT);
        pf_mark_head(head, exact[i], strlen(exact[i]) + 1); /* with its NUL */
    }
    for (size_t i = 0; rc == 0 && i < nsuffixes; i++) {
        rc = pf_add(sfd, suffixes[i], PF_SUFFIX);
        pf_mark_tail(tail, suffixes[i], strlen(suffixes[i]));
    }
    if (rc < 0) {
        return rc;
    }
    __atomic_store_n(&cfg->pf_open_mask, mask, __ATOMIC_SEQ_CST);
    return 0;
}

/* Looks at the head record of ring r: 1 and *rec when there is one, 0 otherwise. */
static int peek(struct skr_probe *p, struct ring *r, const uint8_t **rec, uint32_t *reclen)
{
    unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);

    while (r->head < prod) {
        const uint8_t *hdr = r->data + (r->head & r->mask);
        uint32_t len = __atomic_load_n((const uint32_t *)hdr, __ATOMIC_ACQUIRE);
        uint32_t dlen;

        if (len & RB_BUSY) {
            return 0; /* being written: this ring waits */
        }
        dlen = len & ~(RB_BUSY | RB_DISCARD);
        if (!(len & RB_DISCARD)) {
            size_t off = (r->head + RB_HDR_SZ) & r->mask;
            const uint8_t *data = r->data + off;
            const struct skr_evt_hdr *e;
            if (dlen > p->ring_bytes - off) {
                /* wraps past the end of the data area: copy it out whole */
                size_t first = p->ring_bytes - off;
                if (dlen > SKR_MAX_EVT_SIZE + 64 ||
                    (!r->bounce && !(r->bounce = malloc(SKR_MAX_EVT_SIZE + 64)))) {
                    p->bad_records++;
                    r->head += (dlen + RB_HDR_SZ + 7) & ~7ul;
                    continue;
                }
                memcpy(r->bounce, data, first);
                memcpy(r->bounce + first, r->data, dlen - first);
                data = r->bounce;
            }
            e = (const void *)data;
            if (dlen >= SKR_EVT_HDR_LEN && e->len == dlen) {
                *rec = data;
                *reclen = dlen;
                return 1;
            }
            p->bad_records++;
        }
        r->head += (dlen + RB_HDR_SZ + 7) & ~7ul;
    }
    return 0;
}

uint32_t skr_probe_next(struct skr_probe *p, const void **recs, uint32_t max)
{
    const uint8_t *heads[64];
    uint32_t lens[64];
    uint32_t idx[64];
    uint32_t nactive = 0, n = 0;

    for (uint32_t i = 0; i < p->ncpus; i++) {
        struct ring *r = &p->rings[i];
        if (r->release != *r->consumer_pos) {
            __atomic_store_n(r->consumer_pos, r->release, __ATOMIC_RELEASE);
        }
    }
    /* Rings with a record ready (up to 64 at a time; the others wait for the next batch). */
    for (uint32_t i = 0; i < p->ncpus && nactive < 64; i++) {
        if (peek(p, &p->rings[i], &heads[nactive], &lens[nactive])) {
            idx[nactive++] = i;
        }
    }
    while (n < max && nactive > 0) {
        uint32_t best = 0;
        uint64_t best_ts = ((const struct skr_evt_hdr *)heads[0])->ts;
        struct ring *r;

        for (uint32_t k = 1; k < nactive; k++) {
            uint64_t ts = ((const struct skr_evt_hdr *)heads[k])->ts;
            if (ts < best_ts) {
                best_ts = ts;
                best = k;
            }
        }
        recs[n++] = heads[best];
        r = &p->rings[idx[best]];
        r->head += (lens[best] + RB_HDR_SZ + 7) & ~7ul;
        if (!peek(p, r, &heads[best], &lens[best])) {
            nactive--;
            heads[best] = heads[nactive];
            lens[best] = lens[nactive];
            idx[best] = idx[nactive];
        }
    }
    for (uint32_t i = 0; i < p->ncpus; i++) {
        p->rings[i].release = p->rings[i].head;
    }
    return n;
}

void skr_probe_wait(struct skr_probe *p, int timeout_ms)
{
    struct epoll_event evs[8];

    (void)epoll_wait(p->epfd, evs, 8, timeout_ms);
}

int skr_probe_counters(struct skr_probe *p,
                       struct skr_drv_counters *sum,
                       struct skr_drv_counters *per_cpu)
{
    struct skr_drv_counters *vals;
    uint32_t zero = 0;
    int fd = bpf_map__fd(p->skel->maps.skr_counters);

    memset(sum, 0, sizeof(*sum));
    vals = calloc(p->ncpus, sizeof(*vals));
    if (!vals) {
        return -ENOMEM;
    }
    if (bpf_map_lookup_elem(fd, &zero, vals) != 0) {
        int rc = -errno;
        free(vals);
        return rc;
    }
    for (uint32_t c = 0; c < p->ncpus; c++) {
        const uint64_t *src = (const uint64_t *)&vals[c];
        uint64_t *dst = (uint64_t *)sum;
        for (size_t k = 0; k < sizeof(*sum) / sizeof(uint64_t); k++) {
            dst[k] += src[k];
        }
        if (per_cpu) {
            per_cpu[c] = vals[c];
        }
    }
    free(vals);
    return 0;
}

uint32_t skr_probe_ncpus(const struct skr_probe *p)
{
    return p->ncpus;
}

uint64_t skr_probe_bad_records(const struct skr_probe *p)
{
    return p->bad_records;
}

int skr_probe_cpu_of(const struct skr_probe *p, const void *rec)
{
    const uint8_t *r = rec;

    for (uint32_t i = 0; p && i < p->ncpus; i++) {
        const struct ring *g = &p->rings[i];
        if ((g->data && r >= g->data && r < g->data + p->ring_bytes) ||
            (g->bounce && r >= g->bounce && r < g->bounce + SKR_MAX_EVT_SIZE + 64)) {
            return (int)i;
        }
    }
    return -1;
}
