/* SPDX-License-Identifier: Apache-2.0 */
/*
 * k8saudit plugin internals: source k8s_audit (plugin id 1), fed by a
 * webhook (http/https) or by files of audit events, and the ka.* fields.
 * Only this plugin's .c files include this header.
 */
#ifndef SAKER_K8SAUDIT_H
#define SAKER_K8SAUDIT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_api.h>
#include <saker/sdk.h>

#include "kit/jsonkit.h"

#define K8S_PLUGIN_ID      1
#define K8S_SOURCE         "k8s_audit"
#define K8S_PLUGIN_VERSION "0.18.0"

/* ---- Configuration (init_config) ------------------------------------------- */

struct k8s_config {
    char *ssl_certificate;   /* PEM with certificate (and key unless ssl_private_key) */
    char *ssl_private_key;   /* PEM key; NULL: taken from ssl_certificate */
    char *ssl_client_ca;     /* PEM CA; set: https clients must present a cert it signed */
    char *bearer_token;      /* set: requests must carry "Authorization: Bearer <token>" */
    uint64_t max_event_size; /* bytes of one audit event, re-serialised */
    uint64_t max_batch_size; /* bytes of one request body */
    uint64_t queue_max_events;
    uint64_t queue_max_bytes;
    uint64_t max_inflight_bytes; /* request bodies buffered at once, all connections */
    uint32_t max_connections;
    uint32_t threads;
    uint32_t timeout_s; /* idle time before a connection is closed */
};

/* Fills cfg from the init config JSON text (NULL or "" = defaults). 0, or -1 with err. */
int k8s_config_parse(struct k8s_config *cfg, const char *text, struct saker_errbuf *err);
void k8s_config_fini(struct k8s_config *cfg);
extern const char K8S_INIT_SCHEMA[];

/* ---- Metrics ------------------------------------------------------------------ */

/* Counters, written by webhook threads and the source thread. */
enum k8s_metric {
    M_EVENTS_QUEUED,    /* audit events accepted into the queue (webhook) */
    M_EVENTS_READ,      /* audit events read from files */
    M_EVENTS_DELIVERED, /* events handed to the host by next_batch */
    M_EVENTS_SKIPPED,   /* audit events dropped: no/bad stageTimestamp or too large */
    M_DOCS_REJECTED,    /* documents that are not audit events or not JSON */
    M_REQUESTS,         /* HTTP requests answered */
    M_REQUESTS_OK,      /* answered 200 */
    M_REJ_NOT_FOUND,    /* 404: wrong path */
    M_REJ_METHOD,       /* 405: not POST */
    M_REJ_UNAUTHORIZED, /* 401: missing or wrong bearer token / client certificate */
    M_REJ_CONTENT_TYPE, /* 400: not application/json */
    M_REJ_MALFORMED,    /* 400: not JSON or not audit events */
    M_REJ_TOO_LARGE,    /* 413: body over webhookMaxBatchSize */
    M_REJ_QUEUE_FULL,   /* 503: the queue or the in-flight budget is full */
    M_REJ_ABORTED,      /* connections closed before a complete request */
    M_EVENTS_DISCARDED, /* accepted events still queued when the source was closed */
    M_QUEUE_EVENTS,     /* gauge: events waiting in the queue */
    M_QUEUE_BYTES,      /* gauge: bytes waiting in the queue */
    M__COUNT,
};

/* ---- Plugin state ------------------------------------------------------------- */

struct k8s_instance;

/* A list of JSON values (NULL slots allowed) collected during one extraction. */
struct k8s_vlist {
    const cJSON **v;
    size_t n;
    size_t cap;
};

struct k8s_state {
    struct saker_errbuf err;
    ss_plugin_owner_t *owner;
    ss_plugin_log_fn_t log_fn;
    struct k8s_config cfg;
    _Atomic uint64_t m[M__COUNT];
    ss_plugin_metric metrics[M__COUNT];
    struct jk_ratelimit complaints;
    /* extraction scratch, used from the extracting thread only */
    struct jk_doc doc;
    struct jk_buf text;
    struct jk_buf join;
    struct saker_store store;
    struct jk_strlist list;
    struct k8s_vlist vals;
    /* event_to_string */
    struct jk_buf str;
};

static inline void k8s_count(struct k8s_state *st, enum k8s_metric m, uint64_t n)
{
    atomic_fetch_add_explicit(&st->m[m], n, memory_order_relaxed);
}

/* Logs through the host's log_fn (no-op without one). Thread-safe. */
void k8s_log(struct k8s_state *st, ss_plugin_log_severity sev, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

/* ---- Events -------------------------------------------------------------------- */

/*
 * Events laid out back to back, each a complete plugin event (code 322) padded
 * to 8 bytes. Built by the webhook threads and the file reader; next_batch
 * hands out pointers into it.
 */
struct k8s_evbuf {
    uint8_t *p;
    size_t len;
    size_t cap;
    uint32_t count;
};

void k8s_evbuf_reset(struct k8s_evbuf *b);
void k8s_evbuf_fini(struct k8s_evbuf *b);
/* The event after at (NULL at the end); start with at = NULL. */
const ss_plugin_event *k8s_evbuf_next(const uint8_t *base, size_t len, const ss_plugin_event *at);

/* What converting one JSON document into events found. */
struct k8s_parse_stats {
    uint32_t events;       /* events appended */
    uint32_t no_timestamp; /* skipped: stageTimestamp missing or not RFC 3339 */
    uint32_t too_large;    /* skipped: larger than maxEventSize */
};

/*
 * Appends one event per audit event in root: an EventList's items, an Event,
 * or an array of those (recursively). Returns 0; -1 when root is not audit
 * data ("data not recognized as a k8s audit event", nothing appended) and -2
 * on out of memory. scratch is a reusable print buffer.
 */
int k8s_events_from_json(const cJSON *root,
                         uint64_t max_event_size,
                         struct jk_buf *scratch,
                         struct k8s_evbuf *out,
                         struct k8s_parse_stats *stats);

/* ---- Bounded queue between webhook threads and next_batch ----------------------- */

/* One accepted request's events. */
struct k8s_chunk {
    uint8_t *data;
    size_t len;
    uint32_t count;
};

struct k8s_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct k8s_chunk *ring;
    size_t ring_cap;
    size_t head;
    size_t n;
    uint64_t events;
    uint64_t bytes;
    uint64_t max_events;
    uint64_t max_bytes;
};

int k8s_queue_init(struct k8s_queue *q, uint64_t max_events, uint64_t max_bytes);
/* Frees the queue and every chunk still in it. */
void k8s_queue_fini(struct k8s_queue *q);
/* Queues c whole (the queue takes c->data) and returns 0, or returns -1 and changes nothing
 * when it does not fit. Thread-safe. */
int k8s_queue_push(struct k8s_queue *q, struct k8s_chunk *c);
/*
 * Moves whole chunks into out[0..max_out) until max_events events are taken
 * (always at least one chunk when the queue is not empty), waiting up to
 * wait_ms for the first. Returns the number of chunks; the caller frees them.
 */
size_t k8s_queue_pop(struct k8s_queue *q,
                     struct k8s_chunk *out,
                     size_t max_out,
                     uint32_t max_events,
                     int wait_ms,
                     uint64_t *events,
                     uint64_t *bytes);

/* ---- Open instances -------------------------------------------------------------- */

struct k8s_webhook;
struct k8s_files;

/* Parses http(s)://[host]:port/path. 0 or -1 with err. */
int k8s_webhook_open(struct k8s_state *st, const char *params, bool tls, struct k8s_webhook **out);
void k8s_webhook_close(struct k8s_webhook *w);
struct k8s_queue *k8s_webhook_queue(struct k8s_webhook *w);
/* "http://127.0.0.1:9765/k8s-audit": where the server listens (the real port when 0 was
 * asked). */
const char *k8s_webhook_url(struct k8s_webhook *w);

/* A file or a directory of files (oldest first). 0 or -1 with err. */
int k8s_files_open(struct k8s_state *st, const char *path, struct k8s_files **out);
void k8s_files_close(struct k8s_files *f);
/*
 * Appends the next events (up to max_events) to out. Returns SS_PLUGIN_SUCCESS
 * (maybe with none when a document held none), SS_PLUGIN_EOF when every file
 * is read, or SS_PLUGIN_FAILURE with st->err.
 */
ss_plugin_rc k8s_files_next(struct k8s_files *f, struct k8s_evbuf *out, uint32_t max_events);
/* Read progress in hundredths of a percent. */
uint32_t k8s_files_progress(struct k8s_files *f);

/* ---- Fields ---------------------------------------------------------------------- */

extern const char K8S_FIELDS_JSON[];
/* Fills one field from the audit event document root (NULL or no auditID: no value). 0 or
 * -1 on out of memory. */
int k8s_extract(struct k8s_state *st, const cJSON *root, ss_plugin_extract_field *f);

#endif /* SAKER_K8SAUDIT_H */
