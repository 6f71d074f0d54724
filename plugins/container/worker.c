/* SPDX-License-Identifier: Apache-2.0 */
#include "worker.h"
#include "docker.h"
#include "matcher.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "curl_lazy.h"

#include <saker/sdk.h>

#define MAX_SOCKS 32
/* Biggest runtime API response accepted; larger ones are cut off and the lookup fails. */
#define MAX_RESPONSE (8u << 20)
/* A runtime events stream that ended or could not connect is retried after this long. */
#define STREAM_RETRY_MS 5000
/* A container the runtime does not know yet is asked again this often, for this long. */
#define RETRY_STEP_MS   30
#define RETRY_WINDOW_MS 150

struct sock {
    char path[PATH_MAX];
    int type; /* CTR_TYPE_DOCKER or CTR_TYPE_PODMAN */
    CURL *curl;
};

struct pending {
    char id[CTR_ID_MAX + 1];
    uint64_t first_ms;
    uint64_t next_ms;
};

struct result {
    struct ctr_info *info;
    bool removed;
};

/* One runtime's events stream: newline-delimited JSON messages. */
struct stream {
    struct ctr_worker *w;
    struct sock *s;
    CURL *curl;
    bool active;
    bool connected_once;
    uint64_t retry_ms;
    size_t len;
    char line[8192];
};

struct resp {
    char *p;
    size_t len;
    size_t cap;
    bool too_big;
};

struct ctr_worker {
    /* settings, read-only after new */
    uint32_t label_max_len;
    bool with_size;
    long timeout_ms;
    uint32_t max_list;
    char events_query[256]; /* GET /events?filters=... for the configured hooks, or "" */
    struct sock socks[MAX_SOCKS];
    size_t nsocks;
    ctr_worker_log_fn log;
    void *log_ctx;

    pthread_t thread;
    bool started;
    const struct ctr_curl *cc; /* libcurl, once a runtime socket was there */
    bool curl_failed;          /* loading it failed (logged once) */
    pthread_t events_thread;
    bool events_started;
    CURLM *events_multi;
    atomic_bool events_stop;
    struct stream streams[MAX_SOCKS]; /* events thread only */

    pthread_mutex_t mu; /* guards everything below up to the async part */
    pthread_cond_t wake;
    pthread_cond_t space;
    bool stop;
    struct pending req[CTR_WORKER_MAX_REQUESTS];
    size_t req_head;
    size_t req_count;
    struct result res[CTR_WORKER_MAX_RESULTS];
    size_t res_head;
    size_t res_count;
    atomic_size_t res_ready;

    pthread_mutex_t async_mu;
    ss_plugin_owner_t *async_owner;
    ss_plugin_async_event_handler_t async_handler;
    char async_err[PLUGIN_MAX_ERRLEN];

    atomic_uint_fast64_t n_ok;
    atomic_uint_fast64_t n_failed;
    atomic_uint_fast64_t n_dropped;
    atomic_uint_fast64_t n_requests;

    /* worker thread only */
    struct pending retry[CTR_WORKER_MAX_REQUESTS];
    size_t nretry;
    struct resp resp;
};

static void wlog(struct ctr_worker *w, ss_plugin_log_severity sev, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void wlog(struct ctr_worker *w, ss_plugin_log_severity sev, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (w->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    va_end(ap);
    w->log(w->log_ctx, sev, msg);
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool add_sock(struct ctr_worker *w, const char *host_root, const char *path, int type)
{
    struct sock *s;
    int n;

    if (w->nsocks == MAX_SOCKS) {
        return false;
    }
    s = &w->socks[w->nsocks];
    n = snprintf(s->path, sizeof(s->path), "%s%s", host_root, path);
    if (n < 0 || (size_t)n >= sizeof(s->path)) {
        return false;
    }
    for (size_t i = 0; i < w->nsocks; i++) {
        if (strcmp(w->socks[i].path, s->path) == 0) {
            return true;
        }
    }
    s->type = type;
    s->curl = NULL;
    w->nsocks++;
    return true;
}

/* Rootless Podman: one socket per logged-in user under /run/user/<uid>. */
static void add_rootless_podman(struct ctr_worker *w, const char *host_root)
{
    char dir[PATH_MAX];
    DIR *d;
    struct dirent *de;
    int n = snprintf(dir, sizeof(dir), "%s/run/user", host_root);

    if (n < 0 || (size_t)n >= sizeof(dir) || (d = opendir(dir)) == NULL) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char path[PATH_MAX];
        char *end;
        strtoul(de->d_name, &end, 10);
        if (de->d_name[0] == '.' || *end != '\0') {
            continue;
        }
        n = snprintf(path, sizeof(path), "/run/user/%s/podman/podman.sock", de->d_name);
        if (n > 0 && (size_t)n < sizeof(path)) {
            add_sock(w, host_root, path, CTR_TYPE_PODMAN);
        }
    }
    closedir(d);
}

static bool is_socket(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

struct ctr_worker *ctr_worker_new(const struct ctr_config *cfg,
                                  ctr_worker_log_fn log,
                                  void *log_ctx,
                                  char *err,
                                  size_t cap)
{
    struct ctr_worker *w = calloc(1, sizeof(*w));
    const char *root = cfg->host_root != NULL ? cfg->host_root : "";

    if (w == NULL) {
        snprintf(err, cap, "out of memory creating the metadata worker");
        return NULL;
    }
    w->label_max_len = cfg->label_max_len;
    w->with_size = cfg->with_size;
    w->timeout_ms = cfg->lookup_timeout_ms;
    w->max_list = cfg->max_containers;
    w->log = log;
    w->log_ctx = log_ctx;
    atomic_init(&w->events_stop, false);
    if (cfg->hook_create || cfg->hook_start || cfg->hook_remove) {
        /* filters={"type":["container"],"event":[...]}, URL-encoded */
        int n = snprintf(w->events_query, sizeof(w->events_query),
                         "/events?filters=%%7B%%22type%%22%%3A%%5B%%22container%%22%%5D%%2C"
                         "%%22event%%22%%3A%%5B%s%s%s%s%s%%5D%%7D",
                         cfg->hook_create ? "%22create%22" : "",
                         cfg->hook_create && (cfg->hook_start || cfg->hook_remove) ? "%2C" : "",
                         cfg->hook_start ? "%22start%22" : "",
                         cfg->hook_start && cfg->hook_remove ? "%2C" : "",
                         cfg->hook_remove ? "%22destroy%22" : "");
        if (n < 0 || (size_t)n >= sizeof(w->events_query)) {
            w->events_query[0] = '\0';
        }
    }
    atomic_init(&w->res_ready, 0);
    atomic_init(&w->n_ok, 0);
    atomic_init(&w->n_failed, 0);
    atomic_init(&w->n_dropped, 0);
    atomic_init(&w->n_requests, 0);
    if (!cfg->static_enabled) {
        if (cfg->docker.enabled) {
            if (cfg->docker.n_sockets == 0) {
                add_sock(w, root, "/var/run/docker.sock", CTR_TYPE_DOCKER);
            }
            for (size_t i = 0; i < cfg->docker.n_sockets; i++) {
                add_sock(w, root, cfg->docker.sockets[i], CTR_TYPE_DOCKER);
            }
        }
        if (cfg->podman.enabled) {
            if (cfg->podman.n_sockets == 0) {
                add_sock(w, root, "/run/podman/podman.sock", CTR_TYPE_PODMAN);
                add_rootless_podman(w, root);
            }
            for (size_t i = 0; i < cfg->podman.n_sockets; i++) {
                add_sock(w, root, cfg->podman.sockets[i], CTR_TYPE_PODMAN);
            }
        }
    }
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
        free(w);
        snprintf(err, cap, "cannot create the metadata worker's lock");
        return NULL;
    }
    if (pthread_mutex_init(&w->async_mu, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        free(w);
        snprintf(err, cap, "cannot create the metadata worker's lock");
        return NULL;
    }
    {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->wake, &ca);
        pthread_cond_init(&w->space, &ca);
        pthread_condattr_destroy(&ca);
    }
    return w;
}

size_t ctr_worker_num_sockets(const struct ctr_worker *w)
{
    return w->nsocks;
}

/* ---- HTTP over the runtime socket ------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct resp *r = arg;
    size_t n = size * nmemb;

    if (r->len + n + 1 > MAX_RESPONSE) {
        r->too_big = true;
        return 0; /* aborts the transfer */
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 16384;
        char *p;
        while (cap < r->len + n + 1) {
            cap *= 2;
        }
        p = realloc(r->p, cap);
        if (p == NULL) {
            return 0;
        }
        r->p = p;
        r->cap = cap;
    }
    memcpy(r->p + r->len, data, n);
    r->len += n;
    r->p[r->len] = '\0';
    return n;
}

/* libcurl for w's threads, loaded on first use; NULL (logged once) when it cannot be. */
static const struct ctr_curl *worker_curl(struct ctr_worker *w)
{
    char err[256];
    const struct ctr_curl *c = ctr_curl_get(err, sizeof(err));
    bool first;

    if (c == NULL) {
        /* both the lookup and the events thread get here */
        pthread_mutex_lock(&w->async_mu);
        first = !w->curl_failed;
        w->curl_failed = true;
        pthread_mutex_unlock(&w->async_mu);
        if (first) {
            wlog(w, SS_PLUGIN_LOG_SEV_WARNING, "%s: container metadata stays <NA>", err);
        }
    }
    return c;
}

/* GET path on socket s; the body lands in w->resp. Returns the HTTP status, or -1. */
static long http_get(struct ctr_worker *w, struct sock *s, const char *path)
{
    char url[1024];
    const struct ctr_curl *c;
    long status = -1;
    CURLcode cc;
    int n;

    if (!is_socket(s->path)) {
        return -1;
    }
    c = worker_curl(w);
    if (c == NULL) {
        return -1;
    }
    if (s->curl == NULL) {
        s->curl = c->easy_init();
        if (s->curl == NULL) {
            return -1;
        }
    }
    n = snprintf(url, sizeof(url), "http://localhost%s", path);
    if (n < 0 || (size_t)n >= sizeof(url)) {
        return -1;
    }
    w->resp.len = 0;
    w->resp.too_big = false;
    c->easy_setopt(s->curl, CURLOPT_UNIX_SOCKET_PATH, s->path);
    c->easy_setopt(s->curl, CURLOPT_URL, url);
    c->easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    c->easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, w->timeout_ms);
    c->easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, w->timeout_ms);
    c->easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
    c->easy_setopt(s->curl, CURLOPT_WRITEDATA, &w->resp);
    c->easy_setopt(s->curl, CURLOPT_FOLLOWLOCATION, 0L);
    cc = c->easy_perform(s->curl);
    if (cc != CURLE_OK) {
        wlog(w, SS_PLUGIN_LOG_SEV_DEBUG, "runtime request %s on %s failed: %s", path, s->path,
             w->resp.too_big ? "response too large" : c->easy_strerror(cc));
        return -1;
    }
    c->easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
    if (w->resp.p == NULL) {
        on_body("", 1, 0, &w->resp);
    }
    return w->resp.p != NULL ? status : -1;
}

/* Percent-encodes one path segment into out. False when it does not fit. */
static bool escape_segment(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '-';
        if (o + (plain ? 1 : 3) >= cap) {
            return false;
        }
        if (plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return true;
}

enum lookup_rc {
    LOOKUP_OK,
    LOOKUP_NOT_FOUND, /* every reachable runtime said 404: maybe not created yet */
    LOOKUP_FAILED,    /* no runtime answered usefully */
};

/* The IP of the container whose network namespace another one shares. */
static void fill_shared_ip(struct ctr_worker *w,
                           struct sock *s,
                           struct ctr_info *info,
                           const char *other)
{
    char esc[3 * (CTR_ID_MAX + 1)];
    char path[1100];
    struct ctr_docker_followup next;
    struct ctr_info *peer;
    char err[128];

    if (!escape_segment(other, esc, sizeof(esc)) ||
        snprintf(path, sizeof(path), "/containers/%s/json", esc) >= (int)sizeof(path) ||
        http_get(w, s, path) != 200) {
        return;
    }
    peer = ctr_docker_parse_container(w->resp.p, w->resp.len, s->type, w->label_max_len, &next, err,
                                      sizeof(err));
    if (peer != NULL) {
        ctr_info_set_str(&info->ip, peer->ip);
        ctr_info_unref(peer);
    }
}

static enum lookup_rc inspect_on(struct ctr_worker *w,
                                 struct sock *s,
                                 const char *id,
                                 struct ctr_info **out)
{
    char esc[3 * (CTR_ID_MAX + 1)];
    char path[1100];
    struct ctr_docker_followup next;
    struct ctr_info *info;
    char err[256];
    long status;
    int n;

    if (!escape_segment(id, esc, sizeof(esc))) {
        return LOOKUP_FAILED;
    }
    n = snprintf(path, sizeof(path), "/containers/%s/json%s", esc, w->with_size ? "?size=1" : "");
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return LOOKUP_FAILED;
    }
    status = http_get(w, s, path);
    if (status == 404) {
        return LOOKUP_NOT_FOUND;
    }
    if (status != 200) {
        if (status > 0) {
            wlog(w, SS_PLUGIN_LOG_SEV_DEBUG, "runtime at %s answered %ld for container %s", s->path,
                 status, id);
        }
        return LOOKUP_FAILED;
    }
    info = ctr_docker_parse_container(w->resp.p, w->resp.len, s->type, w->label_max_len, &next, err,
                                      sizeof(err));
    if (info == NULL) {
        wlog(w, SS_PLUGIN_LOG_SEV_WARNING, "runtime at %s: container %s: %s", s->path, id, err);
        return LOOKUP_FAILED;
    }
    if (next.image_id[0] != '\0' && escape_segment(next.image_id, esc, sizeof(esc)) &&
        snprintf(path, sizeof(path), "/images/%s/json", esc) < (int)sizeof(path) &&
        http_get(w, s, path) == 200) {
        ctr_docker_apply_image(info, w->resp.p, w->resp.len);
    }
    if (next.net_container[0] != '\0') {
        fill_shared_ip(w, s, info, next.net_container);
    }
    if (ctr_info_finish(info) < 0) {
        ctr_info_unref(info);
        return LOOKUP_FAILED;
    }
    *out = info;
    return LOOKUP_OK;
}

static enum lookup_rc lookup(struct ctr_worker *w, const char *id, struct ctr_info **out)
{
    enum lookup_rc rc = LOOKUP_FAILED;

    for (size_t i = 0; i < w->nsocks; i++) {
        enum lookup_rc r = inspect_on(w, &w->socks[i], id, out);
        if (r == LOOKUP_OK) {
            return r;
        }
        if (r == LOOKUP_NOT_FOUND) {
            rc = r;
        }
    }
    return rc;
}

/* ---- results ------------------------------------------------------------ */

ss_plugin_event *ctr_async_event_new(const char *name, const char *json, uint64_t ts)
{
    uint32_t plugin_id = 0;
    size_t jlen = strlen(json) + 1;
    size_t nlen = strlen(name) + 1;
    const void *params[3] = { &plugin_id, name, json };
    uint32_t lens[3] = { 4, (uint32_t)nlen, (uint32_t)jlen };
    size_t cap = SAKER_EVT_HDR_LEN + 3 * 4 + 4 + nlen + jlen;
    void *buf;

    if (jlen > UINT32_MAX / 2) {
        return NULL;
    }
    buf = malloc(cap);
    if (buf == NULL) {
        return NULL;
    }
    /* tid 1, as the reference plugin stamps its container events */
    if (saker_evt_build(buf, cap, ts, 1, PPME_ASYNCEVENT_E, 3, params, lens) == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void emit_async(struct ctr_worker *w, const char *name, const char *json, uint64_t ts)
{
    ss_plugin_event *evt;

    pthread_mutex_lock(&w->async_mu);
    if (w->async_handler != NULL && json != NULL) {
        evt = ctr_async_event_new(name, json, ts);
        if (evt != NULL) {
            w->async_err[0] = '\0';
            if (w->async_handler(w->async_owner, evt, w->async_err) != SS_PLUGIN_SUCCESS) {
                wlog(w, SS_PLUGIN_LOG_SEV_WARNING, "the host refused a %s event: %s", name,
                     w->async_err);
            }
            free(evt);
        }
    }
    pthread_mutex_unlock(&w->async_mu);
}

static bool async_wanted(struct ctr_worker *w)
{
    bool on;

    pthread_mutex_lock(&w->async_mu);
    on = w->async_handler != NULL;
    pthread_mutex_unlock(&w->async_mu);
    return on;
}

/* Hands info to the event thread, waiting for room (never drops a finished lookup). */
static void publish(struct ctr_worker *w, struct ctr_info *info, bool removed)
{
    char *json = async_wanted(w) ? ctr_info_to_json(info) : NULL;

    pthread_mutex_lock(&w->mu);
    while (w->res_count == CTR_WORKER_MAX_RESULTS && !w->stop) {
        pthread_cond_wait(&w->space, &w->mu);
    }
    if (w->stop) {
        pthread_mutex_unlock(&w->mu);
        ctr_info_unref(info);
        free(json);
        return;
    }
    w->res[(w->res_head + w->res_count) % CTR_WORKER_MAX_RESULTS] =
            (struct result){ .info = info, .removed = removed };
    w->res_count++;
    atomic_store_explicit(&w->res_ready, w->res_count, memory_order_release);
    pthread_mutex_unlock(&w->mu);
    /* The event thread may free info from now on: only the JSON made above is used. */
    if (json != NULL) {
        emit_async(w, removed ? "container_removed" : "container", json,
                   removed ? realtime_ns() + 1000000000u : UINT64_MAX);
        free(json);
    }
}

static void list_one(const char *id, void *arg)
{
    char **ids = arg;
    size_t i = 0;

    while (ids[i] != NULL) {
        i++;
    }
    ids[i] = strdup(id);
}

/* Lists the containers that exist before the first event and publishes them. */
static void list_existing(struct ctr_worker *w)
{
    for (size_t i = 0; i < w->nsocks; i++) {
        struct sock *s = &w->socks[i];
        size_t max = w->max_list;
        char **ids;
        int n;

        if (!is_socket(s->path)) {
            continue;
        }
        if (http_get(w, s, "/containers/json?all=1") != 200) {
            wlog(w, SS_PLUGIN_LOG_SEV_WARNING,
                 "cannot list containers at %s; their metadata will be looked up on first use",
                 s->path);
            continue;
        }
        ids = calloc(max + 1, sizeof(*ids));
        if (ids == NULL) {
            continue;
        }
        n = ctr_docker_parse_list(w->resp.p, w->resp.len, max, list_one, ids);
        wlog(w, SS_PLUGIN_LOG_SEV_INFO, "runtime at %s: %d existing containers", s->path,
             n < 0 ? 0 : n);
        for (size_t k = 0; ids[k] != NULL; k++) {
            struct ctr_info *info = NULL;
            bool stop;
            pthread_mutex_lock(&w->mu);
            stop = w->stop;
            pthread_mutex_unlock(&w->mu);
            if (!stop && inspect_on(w, s, ids[k], &info) == LOOKUP_OK) {
                atomic_fetch_add(&w->n_ok, 1);
                publish(w, info, false);
            }
            free(ids[k]);
        }
        free(ids);
    }
}

static void attempt(struct ctr_worker *w, struct pending *p, uint64_t now)
{
    struct ctr_info *info = NULL;
    enum lookup_rc rc = lookup(w, p->id, &info);

    if (rc == LOOKUP_OK) {
        atomic_fetch_add(&w->n_ok, 1);
        publish(w, info, false);
        return;
    }
    if (rc == LOOKUP_NOT_FOUND && now < p->first_ms + RETRY_WINDOW_MS &&
        w->nretry < CTR_WORKER_MAX_REQUESTS) {
        p->next_ms = now + RETRY_STEP_MS;
        w->retry[w->nretry++] = *p;
        return;
    }
    atomic_fetch_add(&w->n_failed, 1);
    wlog(w, SS_PLUGIN_LOG_SEV_DEBUG, "no runtime knows container %s; its metadata stays <NA>",
         p->id);
}

static void *run(void *arg)
{
    struct ctr_worker *w = arg;
    struct pending *batch = calloc(CTR_WORKER_MAX_REQUESTS, sizeof(*batch));

    if (batch == NULL) {
        wlog(w, SS_PLUGIN_LOG_SEV_ERROR, "out of memory: container metadata lookups are off");
        return NULL;
    }
    list_existing(w);
    for (;;) {
        size_t nb = 0;
        uint64_t now;
        uint64_t due = UINT64_MAX;

        pthread_mutex_lock(&w->mu);
        for (;;) {
            if (w->stop) {
                pthread_mutex_unlock(&w->mu);
                free(batch);
                return NULL;
            }
            if (w->req_count > 0) {
                break;
            }
            due = UINT64_MAX;
            for (size_t i = 0; i < w->nretry; i++) {
                if (w->retry[i].next_ms < due) {
                    due = w->retry[i].next_ms;
                }
            }
            now = now_ms();
            if (due <= now) {
                break;
            }
            if (due == UINT64_MAX) {
                pthread_cond_wait(&w->wake, &w->mu);
            } else {
                struct timespec ts = { .tv_sec = (time_t)(due / 1000),
                                       .tv_nsec = (long)(due % 1000) * 1000000 };
                pthread_cond_timedwait(&w->wake, &w->mu, &ts);
            }
        }
        while (w->req_count > 0) {
            batch[nb++] = w->req[w->req_head];
            w->req_head = (w->req_head + 1) % CTR_WORKER_MAX_REQUESTS;
            w->req_count--;
        }
        pthread_mutex_unlock(&w->mu);

        now = now_ms();
        for (size_t i = 0; i < nb; i++) {
            attempt(w, &batch[i], now);
        }
        /* Due retries; attempt() may re-append, so walk a snapshot of the count. */
        {
            size_t n = w->nretry;
            size_t keep = 0;
            struct pending due_now[CTR_WORKER_MAX_REQUESTS / 8];
            size_t ndue = 0;
            now = now_ms();
            for (size_t i = 0; i < n; i++) {
                if (w->retry[i].next_ms <= now && ndue < sizeof(due_now) / sizeof(due_now[0])) {
                    due_now[ndue++] = w->retry[i];
                } else {
                    w->retry[keep++] = w->retry[i];
                }
            }
            w->nretry = keep;
            for (size_t i = 0; i < ndue; i++) {
                attempt(w, &due_now[i], now);
            }
        }
    }
}

/* ---- runtime events streams ------------------------------------------- */

/* A destroyed container: enough for the event thread to forget it. */
static void publish_removed(struct ctr_worker *w,
                            struct sock *s,
                            const char *full_id,
                            const char *image)
{
    struct ctr_info *info = ctr_info_new();
    char short_id[CTR_SHORT_ID_LEN + 1];
    size_t n = strlen(full_id);

    if (info == NULL) {
        return;
    }
    memcpy(short_id, full_id, n < CTR_SHORT_ID_LEN ? n : CTR_SHORT_ID_LEN);
    short_id[n < CTR_SHORT_ID_LEN ? n : CTR_SHORT_ID_LEN] = '\0';
    info->type = s->type;
    if (ctr_info_set_str(&info->id, short_id) < 0 ||
        ctr_info_set_str(&info->full_id, full_id) < 0 ||
        ctr_info_set_str(&info->image, image) < 0 || ctr_info_finish(info) < 0) {
        ctr_info_unref(info);
        return;
    }
    publish(w, info, true);
}

static void on_stream_line(struct stream *st, const char *line, size_t len)
{
    char id[CTR_ID_MAX + 1];
    char image[512];
    int action = ctr_docker_parse_event(line, len, id, sizeof(id), image, sizeof(image));

    if (strlen(id) < CTR_SHORT_ID_LEN) {
        return;
    }
    switch (action) {
    case CTR_DOCKER_ACTION_CREATE:
    case CTR_DOCKER_ACTION_START:
        /* looked up by the worker thread, as if a process of it had been seen */
        ctr_worker_request(st->w, id);
        break;
    case CTR_DOCKER_ACTION_DESTROY:
        publish_removed(st->w, st->s, id, image);
        break;
    default:
        break;
    }
}

static size_t on_stream_data(char *data, size_t size, size_t nmemb, void *arg)
{
    struct stream *st = arg;
    size_t n = size * nmemb;

    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c == '\n') {
            if (st->len > 0) {
                on_stream_line(st, st->line, st->len);
            }
            st->len = 0;
        } else if (st->len < sizeof(st->line)) {
            st->line[st->len++] = c;
        }
        /* an over-long message is cut and fails to parse: skipped */
    }
    return n;
}

static void stream_open(struct ctr_worker *w, struct stream *st)
{
    char url[512];
    int n = snprintf(url, sizeof(url), "http://localhost%s", w->events_query);

    if (n < 0 || (size_t)n >= sizeof(url)) {
        return;
    }
    st->curl = w->cc->easy_init();
    if (st->curl == NULL) {
        return;
    }
    st->len = 0;
    w->cc->easy_setopt(st->curl, CURLOPT_UNIX_SOCKET_PATH, st->s->path);
    w->cc->easy_setopt(st->curl, CURLOPT_URL, url);
    w->cc->easy_setopt(st->curl, CURLOPT_NOSIGNAL, 1L);
    w->cc->easy_setopt(st->curl, CURLOPT_CONNECTTIMEOUT_MS, w->timeout_ms);
    w->cc->easy_setopt(st->curl, CURLOPT_WRITEFUNCTION, on_stream_data);
    w->cc->easy_setopt(st->curl, CURLOPT_WRITEDATA, st);
    w->cc->easy_setopt(st->curl, CURLOPT_PRIVATE, st);
    if (w->cc->multi_add_handle(w->events_multi, st->curl) != CURLM_OK) {
        w->cc->easy_cleanup(st->curl);
        st->curl = NULL;
        return;
    }
    st->active = true;
}

static void stream_close(struct ctr_worker *w, struct stream *st)
{
    if (st->curl != NULL) {
        w->cc->multi_remove_handle(w->events_multi, st->curl);
        w->cc->easy_cleanup(st->curl);
        st->curl = NULL;
    }
    st->active = false;
}

/* Waits until some runtime socket exists, then loads libcurl and makes the multi handle.
 * False when stopped first or libcurl cannot be had. */
static bool events_ready(struct ctr_worker *w)
{
    const struct ctr_curl *c;
    CURLM *m;

    for (;;) {
        bool any = false;
        struct timespec nap = { 0, 100 * 1000 * 1000 };

        if (atomic_load(&w->events_stop)) {
            return false;
        }
        for (size_t i = 0; i < w->nsocks && !any; i++) {
            any = is_socket(w->socks[i].path);
        }
        if (any) {
            break;
        }
        nanosleep(&nap, NULL);
    }
    c = worker_curl(w);
    if (c == NULL) {
        return false;
    }
    m = c->multi_init();
    if (m == NULL) {
        return false;
    }
    pthread_mutex_lock(&w->async_mu);
    w->cc = c;
    w->events_multi = m;
    pthread_mutex_unlock(&w->async_mu);
    return true;
}

static void *run_events(void *arg)
{
    struct ctr_worker *w = arg;

    if (!events_ready(w)) {
        return NULL;
    }
    while (!atomic_load(&w->events_stop)) {
        uint64_t now = now_ms();
        int running = 0;
        CURLMsg *msg;
        int left;

        for (size_t i = 0; i < w->nsocks; i++) {
            struct stream *st = &w->streams[i];
            if (!st->active && now >= st->retry_ms) {
                st->retry_ms = now + STREAM_RETRY_MS;
                if (is_socket(st->s->path)) {
                    stream_open(w, st);
                }
            }
        }
        w->cc->multi_perform(w->events_multi, &running);
        while ((msg = w->cc->multi_info_read(w->events_multi, &left)) != NULL) {
            struct stream *st = NULL;
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            w->cc->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&st);
            if (st != NULL) {
                wlog(w, SS_PLUGIN_LOG_SEV_DEBUG,
                     "events stream of %s ended (%s); reconnecting in %d ms", st->s->path,
                     w->cc->easy_strerror(msg->data.result), STREAM_RETRY_MS);
                stream_close(w, st);
                st->retry_ms = now_ms() + STREAM_RETRY_MS;
            }
        }
        /* wakes on data, on ctr_worker_free, or after a second to retry streams */
        w->cc->multi_poll(w->events_multi, NULL, 0, 1000, NULL);
    }
    for (size_t i = 0; i < w->nsocks; i++) {
        stream_close(w, &w->streams[i]);
    }
    return NULL;
}

static void start_events(struct ctr_worker *w)
{
    if (w->events_query[0] == '\0' || w->nsocks == 0) {
        return;
    }
    for (size_t i = 0; i < w->nsocks; i++) {
        w->streams[i].w = w;
        w->streams[i].s = &w->socks[i];
    }
    if (pthread_create(&w->events_thread, NULL, run_events, w) != 0) {
        wlog(w, SS_PLUGIN_LOG_SEV_WARNING,
             "cannot start the runtime events listener: containers are learnt when first seen");
        return;
    }
    w->events_started = true;
}

int ctr_worker_start(struct ctr_worker *w)
{
    int rc;

    if (w->started) {
        return 0;
    }
    rc = pthread_create(&w->thread, NULL, run, w);
    if (rc != 0) {
        return -rc;
    }
    w->started = true;
    start_events(w);
    return 0;
}

void ctr_worker_free(struct ctr_worker *w)
{
    if (w == NULL) {
        return;
    }
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_cond_broadcast(&w->wake);
        pthread_cond_broadcast(&w->space);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    if (w->events_started) {
        pthread_mutex_lock(&w->async_mu);
        atomic_store(&w->events_stop, true);
        if (w->events_multi != NULL) {
            w->cc->multi_wakeup(w->events_multi);
        }
        pthread_mutex_unlock(&w->async_mu);
        pthread_join(w->events_thread, NULL);
    }
    if (w->events_multi != NULL) {
        w->cc->multi_cleanup(w->events_multi);
    }
    while (w->res_count > 0) {
        ctr_info_unref(w->res[w->res_head].info);
        w->res_head = (w->res_head + 1) % CTR_WORKER_MAX_RESULTS;
        w->res_count--;
    }
    for (size_t i = 0; i < w->nsocks; i++) {
        if (w->socks[i].curl != NULL) {
            ctr_curl_get(NULL, 0)->easy_cleanup(w->socks[i].curl);
        }
    }
    free(w->resp.p);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->space);
    pthread_mutex_destroy(&w->async_mu);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

bool ctr_worker_request(struct ctr_worker *w, const char *id)
{
    size_t n = strlen(id);
    struct pending *p;

    if (n == 0 || n > CTR_ID_MAX) {
        return false;
    }
    pthread_mutex_lock(&w->mu);
    if (w->req_count == CTR_WORKER_MAX_REQUESTS) {
        pthread_mutex_unlock(&w->mu);
        atomic_fetch_add(&w->n_dropped, 1);
        return false;
    }
    p = &w->req[(w->req_head + w->req_count) % CTR_WORKER_MAX_REQUESTS];
    memcpy(p->id, id, n + 1);
    p->first_ms = now_ms();
    p->next_ms = p->first_ms;
    w->req_count++;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    atomic_fetch_add(&w->n_requests, 1);
    return true;
}

bool ctr_worker_has_results(const struct ctr_worker *w)
{
    return atomic_load_explicit(&w->res_ready, memory_order_relaxed) > 0;
}

size_t ctr_worker_drain(struct ctr_worker *w,
                        void (*fn)(struct ctr_info *info, bool removed, void *arg),
                        void *arg)
{
    struct result batch[64];
    size_t total = 0;

    for (;;) {
        size_t n = 0;
        pthread_mutex_lock(&w->mu);
        while (w->res_count > 0 && n < sizeof(batch) / sizeof(batch[0])) {
            batch[n++] = w->res[w->res_head];
            w->res_head = (w->res_head + 1) % CTR_WORKER_MAX_RESULTS;
            w->res_count--;
        }
        atomic_store_explicit(&w->res_ready, w->res_count, memory_order_release);
        if (n > 0) {
            pthread_cond_broadcast(&w->space);
        }
        pthread_mutex_unlock(&w->mu);
        if (n == 0) {
            return total;
        }
        for (size_t i = 0; i < n; i++) {
            fn(batch[i].info, batch[i].removed, arg);
        }
        total += n;
    }
}

void ctr_worker_set_async(struct ctr_worker *w,
                          ss_plugin_owner_t *owner,
                          ss_plugin_async_event_handler_t handler)
{
    pthread_mutex_lock(&w->async_mu);
    w->async_owner = owner;
    w->async_handler = handler;
    pthread_mutex_unlock(&w->async_mu);
}

void ctr_worker_stats(const struct ctr_worker *w, struct ctr_worker_stats *out)
{
    out->lookups_ok = atomic_load(&w->n_ok);
    out->lookups_failed = atomic_load(&w->n_failed);
    out->requests_dropped = atomic_load(&w->n_dropped);
    out->requests = atomic_load(&w->n_requests);
}
