/* SPDX-License-Identifier: Apache-2.0 */
/*
 * State of one container plugin instance (ss_plugin_t), shared by the files
 * that implement its capabilities. Private to the plugin.
 */
#ifndef CTR_PLUGIN_H
#define CTR_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include <saker/plugin_api.h>
#include <saker/sdk.h>

#include "config.h"
#include "hmap.h"
#include "info.h"
#include "matcher.h"
#include "worker.h"

#define CTR_PLUGIN_NAME "container"
/* The reference plugin's field-set level this plugin implements in full. */
#define CTR_PLUGIN_VERSION          "0.7.1"
#define CTR_REQUIRED_API_VERSION    "3.10.0"
#define CTR_REQUIRED_SCHEMA_VERSION "4.0.0"

/* Event codes the plugin reads. */
#define EV_PROCEXIT_1_E       186
#define EV_CLONE_20_X         223
#define EV_FORK_20_X          225
#define EV_VFORK_20_X         227
#define EV_CONTAINER_E        228
#define EV_EXECVE_16_X        231
#define EV_CHROOT_X           267
#define EV_CONTAINER_JSON_E   272
#define EV_EXECVE_17_X        283
#define EV_EXECVE_18_X        289
#define EV_EXECVE_19_X        293
#define EV_CONTAINER_JSON_2_E 324
#define EV_EXECVEAT_X         331
#define EV_CLONE3_X           335
#define EV_ASYNCEVENT_E       402

#define ASYNC_ADDED   "container"
#define ASYNC_REMOVED "container_removed"

/* Thread categories written to the threads table (deprecated upstream concept). */
enum ctr_category {
    CAT_NONE = 0,
    CAT_CONTAINER = 1,
    CAT_HEALTHCHECK = 2,
    CAT_LIVENESS_PROBE = 3,
    CAT_READINESS_PROBE = 4,
};

enum ctr_metric {
    M_N_CONTAINERS,
    M_N_MISSING_IMAGES,
    M_N_LOOKUPS_OK,
    M_N_LOOKUPS_FAILED,
    M_N_REQUESTS_DROPPED,
    M_N_BAD_EVENTS,
    M_COUNT,
};

struct ctr_plugin {
    struct saker_errbuf err;
    ss_plugin_owner_t *owner;
    ss_plugin_log_fn_t log_fn;
    struct ctr_config cfg;
    struct ctr_matcher matcher;
    struct ctr_hmap containers; /* id -> struct ctr_info* (one reference each) */
    uint64_t containers_gen;    /* bumped on every change of the map */
    struct ctr_hmap asked;      /* ids handed to the worker and not answered yet */
    struct ctr_info *host;      /* the "" entry: host processes */
    struct ctr_info *last;      /* info carried by the last container event parsed */
    uint64_t last_evtnum;
    struct ctr_worker *worker; /* NULL when no runtime socket is configured */
    bool worker_started;
    ss_plugin_owner_t *async_owner;
    ss_plugin_async_event_handler_t async_handler;
    char async_err[PLUGIN_MAX_ERRLEN];

    /* the threads table and the accessors the plugin uses */
    ss_plugin_table_t *threads;
    ss_plugin_table_field_t *f_container_id; /* added by this plugin */
    ss_plugin_table_field_t *f_category;     /* added by this plugin */
    ss_plugin_table_field_t *f_cgroups;
    ss_plugin_table_field_t *f_cgroup_path; /* "second" of the cgroups subtable */
    ss_plugin_table_field_t *f_pidns_start;
    ss_plugin_table_field_t *f_vpid;
    ss_plugin_table_field_t *f_vtid;
    ss_plugin_table_field_t *f_ptid;
    ss_plugin_table_field_t *f_exe;
    ss_plugin_table_field_t *f_args;
    ss_plugin_table_field_t *f_arg_value; /* "value" of the args subtable */
    bool assigned_all;                    /* every pre-existing thread got its container id */

    /* extraction */
    struct saker_store store;
    uint64_t cache_evtnum; /* event whose thread data is cached below (number, tid, time) */
    uint64_t cache_tid;
    uint64_t cache_ts;
    bool cache_valid;
    bool cache_has_thread;
    char cache_id[CTR_ID_MAX + 1];
    uint64_t cache_start_ts;
    const struct ctr_info *cache_info; /* ctr_lookup(cache_id) as of cache_gen */
    uint64_t cache_gen;
    struct ctr_hmap regex_cache; /* mount key -> compiled pattern */
    void *match_data;            /* pcre2_match_data*, reused */

    uint64_t counters[M_COUNT];
    ss_plugin_metric metrics[M_COUNT];
};

/* Logs through the host's log_fn when sev is within the configured level. */
void ctr_log(struct ctr_plugin *p, ss_plugin_log_severity sev, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* The container info for a thread's container_id ("" = host); NULL when not known yet. */
struct ctr_info *ctr_lookup(struct ctr_plugin *p, const char *id);

/* Moves finished lookups from the worker into the container map. */
void ctr_drain_worker(struct ctr_plugin *p);

/* Decodes a container event (async or legacy) into a new info; NULL when it is not one. */
struct ctr_info *ctr_decode_container_event(struct ctr_plugin *p,
                                            const ss_plugin_event *evt,
                                            bool *removed);

ss_plugin_rc ctr_extract(struct ctr_plugin *p,
                         const ss_plugin_event_input *evt,
                         const ss_plugin_field_extract_input *in);

/* The extraction caches: 0 or -ENOMEM; fini is safe on a zeroed plugin. */
int ctr_extract_init(struct ctr_plugin *p);
void ctr_extract_fini(struct ctr_plugin *p);

#endif /* CTR_PLUGIN_H */
