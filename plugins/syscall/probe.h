/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The eBPF driver's user side: load, configure and attach the programs, and
 * read their per-CPU ring buffers in place, merged in timestamp order. The
 * only file that touches the libbpf skeleton.
 */
#ifndef SKR_SYSCALL_PROBE_H
#define SKR_SYSCALL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skr_driver.h"

struct skr_probe;

/* Receives libbpf's messages (verifier logs included) while the probe loads. */
typedef void (*skr_probe_log_fn)(void *user, int level, const char *msg);

struct skr_probe_opts {
    uint32_t ringbuf_bytes; /* per CPU; a power of two, multiple of the page size */
    uint32_t snaplen;       /* I/O buffer bytes captured */
    uint32_t wakeup_bytes;  /* pending bytes that wake the consumer early */
    uint32_t self_tgid;     /* never traced */
    uint64_t boot_ns;       /* epoch ns at boot */
    skr_probe_log_fn log;
    void *log_user;
};

/* What the driver captures (see skr_probe_set_interest). */
struct skr_probe_interest {
    uint8_t syscalls[SKR_SYSCALL_MAX]; /* SKR_INT_* per native syscall number */
    uint32_t close_mode;               /* SKR_CLOSE_* */
    bool exec;                         /* successful execve from sched_process_exec */
    bool procexit;
};

/*
 * Loads and attaches the driver with nothing of interest yet. Returns 0 and
 * *out, or a negative errno with err filled (what failed and what to do).
 */
int skr_probe_open(const struct skr_probe_opts *opts,
                   struct skr_probe **out,
                   char *err,
                   size_t errlen);

/* Detaches and frees everything. NULL is a no-op. */
void skr_probe_close(struct skr_probe *p);

/*
 * Applies what to capture. Syscalls asked for that the driver has no handler
 * for are reported as generic events when they have no event of their own,
 * and left out otherwise (counted in *unsupported when not NULL, their names
 * listed in names, space-separated, when not NULL).
 */
int skr_probe_set_interest(struct skr_probe *p,
                           const struct skr_probe_interest *in,
                           uint32_t *unsupported,
                           char *names,
                           size_t names_len);

/*
 * Open-family path prefilter (see skr_driver.h). mask: SKR_PF_* syscalls to
 * filter, 0 = off. Entries longer than the key are shortened to prefixes of
 * SKR_PF_KEY_MAX-1 bytes (an exact path that long becomes a prefix); a suffix
 * longer than that is left out (paths that long always pass). More than
 * SKR_PF_MAX_ENTRIES distinct prefixes and exact paths, or suffixes, give
 * -E2BIG. Returns 0, or a negative errno with the filter left off.
 */
int skr_probe_set_open_filter(struct skr_probe *p,
                              uint32_t mask,
                              const char *const *prefixes,
                              size_t nprefixes,
                              const char *const *exact,
                              size_t nexact,
                              const char *const *suffixes,
                              size_t nsuffixes);

/* True when the driver has a dedicated handler for native syscall nr. */
bool skr_probe_has_handler(const struct skr_probe *p, uint32_t nr);

/*
 * Releases the records handed out by the previous call, then fills recs with
 * up to max records (complete events) in timestamp order. The records stay
 * valid until the next call or close. Returns the number filled.
 */
uint32_t skr_probe_next(struct skr_probe *p, const void **recs, uint32_t max);

/* Waits up to timeout_ms for the driver to signal pending data. */
void skr_probe_wait(struct skr_probe *p, int timeout_ms);

/* Sums the per-CPU counters into *sum; per_cpu (ncpus entries) may be NULL. */
int skr_probe_counters(struct skr_probe *p,
                       struct skr_drv_counters *sum,
                       struct skr_drv_counters *per_cpu);

/* The number of ring buffers (possible CPUs). */
uint32_t skr_probe_ncpus(const struct skr_probe *p);

/* Records skipped because their length or header was inconsistent. */
uint64_t skr_probe_bad_records(const struct skr_probe *p);

/* The CPU whose ring holds the record at rec (from skr_probe_next), or -1. */
int skr_probe_cpu_of(const struct skr_probe *p, const void *rec);

#endif /* SKR_SYSCALL_PROBE_H */
