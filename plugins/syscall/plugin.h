/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syscall plugin's state (one per ss_plugin_t) and the interfaces of its
 * parts: parse.c (state updates), extract.c (fields), tables.c (the threads
 * table offered to other plugins), procscan.c (starting state), interest.c
 * (what the driver captures). Internal to the plugin.
 */
#ifndef SKR_SYSCALL_PLUGIN_H
#define SKR_SYSCALL_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include <saker/sdk.h>

#include "event.h"
#include "path.h"
#include "probe.h"
#include "state.h"
#include "users.h"

#define SKR_PLUGIN_NAME    "syscall"
#define SKR_PLUGIN_VERSION "0.1.0"

/* init_config (see the schema in plugin.c and README.md). */
struct skr_sys_config {
    uint32_t ringbuf_size_kb;   /* per CPU */
    uint32_t snaplen;           /* bytes of I/O data captured */
    uint32_t thread_table_size; /* threads kept */
    uint32_t max_fd;            /* fd numbers kept per process */
    uint32_t batch_size;        /* events per next_batch */
    uint32_t poll_ms;           /* longest wait for events in next_batch */
    bool proc_scan;             /* read /proc at open */
    bool proc_scan_fds;         /* ... including open fds */
    bool proc_lookup;           /* read /proc for unknown threads */
    bool capture_all;           /* ignore the event interest: capture everything */
    bool skip_regular_close;    /* closes of regular files are skipped in the kernel */
};

/* What parse_event learned about the current event, reused by extract_fields. */
struct skr_ctx {
    uint64_t evtnum;
    bool valid;
    struct skr_ev ev;
    struct skr_thread *thread;
    struct skr_fdinfo *fd; /* the event's fd entry after parsing, or NULL */
    int64_t fd_num;        /* the event's fd number, -1 when none */
    bool has_fd;           /* the event type has an fd at all */
    bool name_changed;     /* parsing changed fd.name */
    /* the path an open-family event names, resolved, also when the call failed */
    char evt_path[SKR_PATH_MAX + 1];
    size_t evt_path_len;
    bool has_evt_path;
};

struct skr_tables;
struct skr_scan;

/* The open-path filter the driver applies (prefilter.c). */
struct skr_open_filter {
    uint32_t mask; /* SKR_PF_* of the open-family syscalls filtered; 0: off */
    char **prefixes;
    size_t nprefixes;
    char **exact;
    size_t nexact;
    char **suffixes;
    size_t nsuffixes;
    char why[128]; /* why some open-family syscall is not filtered, or "" */
};

struct skr_sys {
    struct skr_sys_config cfg;
    ss_plugin_owner_t *owner;
    ss_plugin_log_fn_t log;
    struct saker_errbuf err;

    struct skr_state *st;
    struct skr_users *users;
    struct skr_tables *tables;
    uint64_t boot_ns; /* epoch ns at boot (from the machine, or from a capture's saker_init) */

    /* parsing */
    struct skr_ctx ctx;
    int64_t pending_exit_tid; /* removed at the start of the next event */
    int64_t pending_close_tid, pending_close_fd;
    char pathbuf[SKR_PATH_MAX + 1];
    uint64_t n_bad_events;
    uint64_t n_parsed;

    /* interest (set_event_interest) */
    bool interest_set;
    bool interest_all;
    uint8_t *interest_codes; /* bitmap of 65536 bits */
    char **interest_names;
    uint32_t n_interest_names;
    uint32_t n_unsupported;
    struct skr_open_filter ofilter; /* from set_prefilter; applied when the probe is open */

    /* extraction */
    struct saker_store store; /* extraction results of event store_evtnum */
    uint64_t store_evtnum;    /* UINT64_MAX: none yet */
    struct skr_sbuf sb, sb2;

    /* live source (NULL when not open: replay) */
    struct skr_probe *probe;
    bool live; /* an instance is open: /proc may be read */
    struct skr_scan *scan;
    const void **batch;
    uint32_t batch_cap;
    uint64_t n_delivered;

    /* metrics (get_metrics) */
    ss_plugin_metric metrics[32];
    char metric_names[32][48];
};

void skr_log(struct skr_sys *s, ss_plugin_log_severity sev, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* parse.c */
int skr_parse(struct skr_sys *s, uint64_t evtnum, const ss_plugin_event *evt);
/* Makes s->ctx describe evt without changing state (extraction of an unparsed event). */
int skr_ctx_prepare(struct skr_sys *s, uint64_t evtnum, const ss_plugin_event *evt);
/* Creates a thread for an unknown tid (from /proc when live, else a placeholder). */
struct skr_thread *skr_thread_lookup_or_create(struct skr_sys *s, int64_t tid, uint64_t ts);
/* Applies one /proc-derived thread description (also used by the scan). */
void skr_fd_set_tuple_name(struct skr_fdinfo *f);

/* extract.c */
const char *skr_fields_json(void);
ss_plugin_rc skr_extract(struct skr_sys *s,
                         const ss_plugin_event_input *evt,
                         const ss_plugin_field_extract_input *in);

/* prefilter.c: the fields asked of the host, and the filter built from its answer.
 * Returns 0 (out may be off, with out->why) or -1 when out of memory. */
extern const char *const skr_prefilter_fields[];
extern const uint32_t skr_num_prefilter_fields;
int skr_open_filter_build(const saker_prefilter *pf, struct skr_open_filter *out);
void skr_open_filter_free(struct skr_open_filter *f);

/* tables.c */
struct skr_tables *skr_tables_new(struct skr_sys *s);
void skr_tables_free(struct skr_tables *t);
int skr_tables_register(struct skr_sys *s, const ss_plugin_init_tables_input *in);
/* A dynamic string field of t (e.g. "container_id"), or NULL. */
const char *skr_tables_dyn_str(struct skr_sys *s, const struct skr_thread *t, const char *name);

/* procscan.c: builds the starting-state events at open. */
struct skr_scan *skr_scan_new(struct skr_sys *s);
void skr_scan_free(struct skr_scan *sc);
/* The next up to max state events; 0 when done. Valid until the next call. */
uint32_t skr_scan_next(struct skr_scan *sc, const void **evts, uint32_t max);
/* Builds a saker_thread event for one tid from /proc into buf (for unknown threads). */
int skr_scan_thread_event(struct skr_sys *s, int64_t pid, int64_t tid, struct skr_sbuf *out);

/* interest.c */
void skr_interest_compute(struct skr_sys *s, struct skr_probe_interest *out);
/* The event codes parse_event handles (state-changing events and the state events). */
const uint16_t *skr_parse_codes(uint32_t *n);

#endif /* SKR_SYSCALL_PLUGIN_H */
