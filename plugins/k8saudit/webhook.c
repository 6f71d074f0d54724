/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The webhook: an HTTP(S) server (libmicrohttpd) that kube-apiserver posts
 * audit batches to. Server threads only validate a request, turn it into
 * events and put them on the bounded queue; the reply is 200 once they are
 * queued, so an accepted event is never lost. Everything refused is answered
 * with a status that says why (404, 405, 401, 400, 413, 503) and counted.
 *
 * A slow client only ever holds its own connection: sockets are serviced by
 * epoll, idle connections time out, bodies are bounded per request and in
 * total, and next_batch never waits for the network.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "k8saudit.h"

struct k8s_webhook {
    struct k8s_state *st;
    struct MHD_Daemon *daemon;
    int lsock;
    bool tls;
    char *path;
    char *cert_pem;
    char *key_pem;
    char *ca_pem;
    struct k8s_queue q;
    bool q_ready;
    _Atomic uint64_t inflight; /* bytes of request bodies being received */
    struct jk_ratelimit server_complaints;
    char url[300];
};

/* One request being received. */
struct conn {
    struct jk_buf body;
    uint64_t reserved; /* bytes counted in inflight for this request */
    uint64_t discarded;
    bool too_large;
    bool answered;
};

static const char *const MSG_OK = "ok\n";

/* ---- Responses ---------------------------------------------------------------------- */

static enum MHD_Result reply(struct k8s_webhook *w,
                             struct MHD_Connection *mc,
                             unsigned status,
                             const char *msg,
                             bool copy)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
            strlen(msg), (void *)msg, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc;
    enum k8s_metric m = M__COUNT;

    if (r == NULL) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    switch (status) {
    case MHD_HTTP_OK:
        m = M_REQUESTS_OK;
        break;
    case MHD_HTTP_NOT_FOUND:
        m = M_REJ_NOT_FOUND;
        break;
    case MHD_HTTP_METHOD_NOT_ALLOWED:
        m = M_REJ_METHOD;
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
        break;
    case MHD_HTTP_UNAUTHORIZED:
        m = M_REJ_UNAUTHORIZED;
        if (w->st->cfg.bearer_token != NULL) {
            MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
        }
        break;
    case MHD_HTTP_UNSUPPORTED_MEDIA_TYPE:
        m = M_REJ_CONTENT_TYPE;
        break;
    case MHD_HTTP_CONTENT_TOO_LARGE:
        m = M_REJ_TOO_LARGE;
        break;
    case MHD_HTTP_SERVICE_UNAVAILABLE:
        m = M_REJ_QUEUE_FULL;
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
        break;
    default:
        m = M_REJ_MALFORMED;
        break;
    }
    rc = MHD_queue_response(mc, status, r);
    MHD_destroy_response(r);
    if (rc == MHD_YES) {
        k8s_count(w->st, M_REQUESTS, 1);
        k8s_count(w->st, m, 1);
    }
    return rc;
}

/* ---- Checks before the body ----------------------------------------------------------- */

static bool same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);

    for (size_t i = 0; i < la; i++) {
        diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    }
    return diff == 0;
}

static bool authorized(struct k8s_webhook *w, struct MHD_Connection *mc)
{
    const char *token = w->st->cfg.bearer_token;

    if (w->tls && w->ca_pem != NULL) {
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(mc, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        unsigned status = 0;
        if (ci == NULL || ci->tls_session == NULL ||
            gnutls_certificate_verify_peers2((gnutls_session_t)ci->tls_session, &status) < 0 ||
            status != 0) {
            return false;
        }
    }
    if (token != NULL) {
        const char *h =
                MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
            return false;
        }
        h += 7;
        while (*h == ' ') {
            h++;
        }
        return same_secret(h, token);
    }
    return true;
}

static bool reserve(struct k8s_webhook *w, struct conn *c, uint64_t n)
{
    uint64_t cur = atomic_load(&w->inflight);

    do {
        if (cur + n > w->st->cfg.max_inflight_bytes) {
            return false;
        }
    } while (!atomic_compare_exchange_weak(&w->inflight, &cur, cur + n));
    c->reserved += n;
    return true;
}

static void release(struct k8s_webhook *w, struct conn *c)
{
    atomic_fetch_sub(&w->inflight, c->reserved);
    c->reserved = 0;
}

/* First call for a request: decide everything the headers allow. */
static enum MHD_Result on_headers(struct k8s_webhook *w,
                                  struct MHD_Connection *mc,
                                  const char *url,
                                  const char *method,
                                  struct conn *c)
{
    const struct k8s_config *cfg = &w->st->cfg;
    const char *ctype, *clen;

    if (!authorized(w, mc)) {
        c->answered = true;
        return reply(w, mc, MHD_HTTP_UNAUTHORIZED,
                     "unauthorized: send the configured bearer token or client certificate\n",
                     false);
    }
    if (strcmp(url, w->path) != 0) {
        c->answered = true;
        return reply(w, mc, MHD_HTTP_NOT_FOUND,
                     "not found: post audit events to the webhook "
                     "path\n",
                     false);
    }
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
        c->answered = true;
        return reply(w, mc, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: use POST\n", false);
    }
    ctype = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ctype == NULL || strcasestr(ctype, "application/json") == NULL) {
        c->answered = true;
        return reply(w, mc, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                     "wrong content type: send Content-Type: application/json\n", false);
    }
    clen = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (clen != NULL) {
        char *end = NULL;
        unsigned long long n;
        errno = 0;
        n = strtoull(clen, &end, 10);
        if (errno != 0 || end == clen || n > cfg->max_batch_size) {
            c->answered = true;
            return reply(w, mc, MHD_HTTP_CONTENT_TOO_LARGE,
                         "request body larger than webhookMaxBatchSize\n", false);
        }
        if (!reserve(w, c, n + 1) || jk_buf_reserve(&c->body, (size_t)n + 1) < 0) {
            release(w, c);
            c->answered = true;
            return reply(w, mc, MHD_HTTP_SERVICE_UNAVAILABLE,
                         "too many request bodies in flight, retry later\n", false);
        }
    }
    return MHD_YES;
}

/* ---- The body ---------------------------------------------------------------------------- */

static void count_skips(struct k8s_webhook *w, const struct k8s_parse_stats *stats)
{
    uint32_t skipped = stats->no_timestamp + stats->too_large;

    if (skipped == 0) {
        return;
    }
    k8s_count(w->st, M_EVENTS_SKIPPED, skipped);
    if (jk_ratelimit_ok(&w->st->complaints, 20, 1000)) {
        k8s_log(w->st, SS_PLUGIN_LOG_SEV_WARNING,
                "webhook request: skipped %u audit events without a valid stageTimestamp and %u "
                "larger than maxEventSize",
                stats->no_timestamp, stats->too_large);
    }
}

/* The whole body is in: parse, convert, queue, answer. */
static enum MHD_Result on_body(struct k8s_webhook *w, struct MHD_Connection *mc, struct conn *c)
{
    struct k8s_parse_stats stats = { 0 };
    struct k8s_evbuf evs = { 0 };
    struct jk_buf scratch;
    const char *end = NULL;
    char msg[160];
    cJSON *root;
    int rc;

    if (c->too_large) {
        return reply(w, mc, MHD_HTTP_CONTENT_TOO_LARGE,
                     "request body larger than webhookMaxBatchSize\n", false);
    }
    if (jk_buf_append(&c->body, "", 0) < 0) {
        return reply(w, mc, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory, retry later\n", false);
    }
    /* length + 1: the NUL lets cJSON reject trailing garbage */
    root = cJSON_ParseWithLengthOpts(c->body.p, c->body.len + 1, &end, 1);
    if (root == NULL) {
        long at = end != NULL ? (long)(end - c->body.p) : 0;
        k8s_count(w->st, M_DOCS_REJECTED, 1);
        int n = snprintf(msg, sizeof(msg),
                         "malformed JSON: the body is not a JSON document "
                         "(error near byte %ld)\n",
                         at);
        return reply(w, mc, MHD_HTTP_BAD_REQUEST,
                     n > 0 && (size_t)n < sizeof(msg) ? msg : "malformed JSON\n", true);
    }
    jk_buf_init(&scratch);
    rc = k8s_events_from_json(root, w->st->cfg.max_event_size, &scratch, &evs, &stats);
    cJSON_Delete(root);
    jk_buf_fini(&scratch);
    /* the body is no longer needed: give its budget back before queueing */
    jk_buf_fini(&c->body);
    release(w, c);
    if (rc == -1) {
        k8s_count(w->st, M_DOCS_REJECTED, 1);
        return reply(w, mc, MHD_HTTP_BAD_REQUEST,
                     "data not recognized as a k8s audit event: send an audit.k8s.io Event or "
                     "EventList\n",
                     false);
    }
    if (rc == -2) {
        k8s_evbuf_fini(&evs);
        return reply(w, mc, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory, retry later\n", false);
    }
    count_skips(w, &stats);
    if (evs.count > 0) {
        struct k8s_chunk chunk = { .data = evs.p, .len = evs.len, .count = evs.count };
        if (k8s_queue_push(&w->q, &chunk) < 0) {
            k8s_evbuf_fini(&evs);
            return reply(w, mc, MHD_HTTP_SERVICE_UNAVAILABLE, "event queue is full, retry later\n",
                         false);
        }
        k8s_count(w->st, M_EVENTS_QUEUED, evs.count);
    }
    return reply(w, mc, MHD_HTTP_OK, MSG_OK, false);
}

static enum MHD_Result on_request(void *cls,
                                  struct MHD_Connection *mc,
                                  const char *url,
                                  const char *method,
                                  const char *version,
                                  const char *data,
                                  size_t *size,
                                  void **con_cls)
{
    struct k8s_webhook *w = cls;
    struct conn *c = *con_cls;
    (void)version;

    if (c == NULL) {
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            return MHD_NO;
        }
        jk_buf_init(&c->body);
        *con_cls = c;
        return on_headers(w, mc, url, method, c);
    }
    if (c->answered) {
        *size = 0; /* a refused request's body is not read */
        return MHD_YES;
    }
    if (*size > 0) {
        size_t n = *size;
        *size = 0;
        if (c->too_large) {
            c->discarded += n;
            /* a body that will not end is cut off rather than read forever */
            return c->discarded > w->st->cfg.max_batch_size ? MHD_NO : MHD_YES;
        }
        if (c->body.len + n > w->st->cfg.max_batch_size) {
            c->too_large = true;
            jk_buf_fini(&c->body);
            release(w, c);
            return MHD_YES;
        }
        if (c->body.len + n + 1 > c->reserved &&
            !reserve(w, c, c->body.len + n + 1 - c->reserved)) {
            c->too_large = false;
            c->answered = true;
            jk_buf_fini(&c->body);
            release(w, c);
            /* cannot answer in the middle of a body: close, the client retries */
            k8s_count(w->st, M_REJ_QUEUE_FULL, 1);
            return MHD_NO;
        }
        if (jk_buf_append(&c->body, data, n) < 0) {
            return MHD_NO;
        }
        return MHD_YES;
    }
    c->answered = true;
    return on_body(w, mc, c);
}

static void on_completed(void *cls,
                         struct MHD_Connection *mc,
                         void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct k8s_webhook *w = cls;
    struct conn *c = *con_cls;
    (void)mc;

    if (c == NULL) {
        return;
    }
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        k8s_count(w->st, M_REJ_ABORTED, 1);
    }
    release(w, c);
    jk_buf_fini(&c->body);
    free(c);
    *con_cls = NULL;
}

static void on_server_log(void *cls, const char *fmt, va_list ap)
{
    struct k8s_webhook *w = cls;
    char msg[512];
    int n;

    if (!jk_ratelimit_ok(&w->server_complaints, 20, 1000)) {
        return;
    }
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    if (n < 0) {
        return;
    }
    /* libmicrohttpd messages end with a newline */
    n = (int)strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) {
        msg[--n] = '\0';
    }
    k8s_log(w->st, SS_PLUGIN_LOG_SEV_WARNING, "webhook server: %s", msg);
}

/* ---- Opening ------------------------------------------------------------------------------ */

static char *read_pem(struct k8s_state *st, const char *path, const char *what)
{
    FILE *fp = fopen(path, "rb");
    char *p = NULL;
    long n;

    if (fp == NULL) {
        saker_err(&st->err, "cannot read %s %s: %s (set it in init_config)", what, path,
                  strerror(errno));
        return NULL;
    }
    if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || n > (1 << 20) ||
        fseek(fp, 0, SEEK_SET) != 0) {
        saker_err(&st->err, "cannot read %s %s: not a PEM file of sane size", what, path);
        goto out;
    }
    p = malloc((size_t)n + 1);
    if (p == NULL || fread(p, 1, (size_t)n, fp) != (size_t)n) {
        saker_err(&st->err, "cannot read %s %s", what, path);
        free(p);
        p = NULL;
        goto out;
    }
    p[n] = '\0';
out:
    fclose(fp);
    return p;
}

/* Splits http(s)://host:port/path. host "" means every interface. */
static int parse_url(struct k8s_state *st,
                     const char *params,
                     char **host,
                     char **port,
                     char **path)
{
    const char *sep = strstr(params, "://");
    CURLU *u = curl_url();
    char *h = NULL, *p = NULL, *pa = NULL;
    char fixed[1024];
    int rc = -1;
    bool any = sep != NULL && sep[3] == ':';

    if (u == NULL || sep == NULL) {
        goto bad;
    }
    /* curl wants a host; an empty one (http://:9765/x) means every interface, as upstream */
    if (any) {
        int n = snprintf(fixed, sizeof(fixed), "%.*s://any%s", (int)(sep - params), params,
                         sep + 3);
        if (n < 0 || (size_t)n >= sizeof(fixed)) {
            goto bad;
        }
        params = fixed;
    }
    if (curl_url_set(u, CURLUPART_URL, params, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &p, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &pa, 0) != CURLUE_OK) {
        goto bad;
    }
    if (any) {
        h[0] = '\0';
    } else if (h[0] == '[') {
        size_t n = strlen(h);
        memmove(h, h + 1, n - 1);
        h[n - 2] = '\0';
    }
    *host = strdup(h);
    *port = strdup(p);
    *path = strdup(pa);
    if (*host == NULL || *port == NULL || *path == NULL) {
        saker_err(&st->err, "out of memory opening %s", params);
        goto out;
    }
    rc = 0;
    goto out;
bad:
    saker_err(&st->err,
              "open_params %s is not a webhook address: write "
              "http://[host]:port/path or https://[host]:port/path (port required)",
              params);
out:
    curl_free(h);
    curl_free(p);
    curl_free(pa);
    curl_url_cleanup(u);
    return rc;
}

static int listen_on(struct k8s_state *st,
                     const char *host,
                     const char *port,
                     int *out,
                     char *bound,
                     size_t bound_len)
{
    struct addrinfo hints, *res = NULL;
    int fd = -1, rc, saved = 0;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    hints.ai_family = host[0] == '\0' ? AF_INET6 : AF_UNSPEC;
    rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rc != 0 && host[0] == '\0') {
        hints.ai_family = AF_INET;
        rc = getaddrinfo(NULL, port, &hints, &res);
    }
    if (rc != 0) {
        saker_err(&st->err, "cannot resolve webhook address %s:%s: %s", host, port,
                  gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int one = 1, zero = 0;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6 && host[0] == '\0') {
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 512) == 0) {
            break;
        }
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0 && host[0] == '\0' && hints.ai_family == AF_INET6) {
        /* no IPv6 here: every IPv4 interface */
        return listen_on(st, "0.0.0.0", port, out, bound, bound_len);
    }
    if (fd < 0) {
        saker_err(&st->err, "cannot listen on %s:%s: %s (is another process using the port?)",
                  host[0] ? host : "*", port, strerror(saved));
        return -1;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        char a[INET6_ADDRSTRLEN] = "?";
        unsigned pn = 0;
        if (ss.ss_family == AF_INET) {
            const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
            pn = ntohs(s4->sin_port);
            rc = snprintf(bound, bound_len, "%s:%u", a, pn);
        } else {
            const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
            pn = ntohs(s6->sin6_port);
            rc = snprintf(bound, bound_len, "[%s]:%u", a, pn);
        }
        if (rc < 0 || (size_t)rc >= bound_len) {
            bound[0] = '\0';
        }
    }
    *out = fd;
    return 0;
}

struct k8s_queue *k8s_webhook_queue(struct k8s_webhook *w)
{
    return &w->q;
}

const char *k8s_webhook_url(struct k8s_webhook *w)
{
    return w->url;
}

void k8s_webhook_close(struct k8s_webhook *w)
{
    if (w == NULL) {
        return;
    }
    if (w->daemon != NULL) {
        MHD_stop_daemon(w->daemon);
    }
    if (w->lsock >= 0) {
        close(w->lsock);
    }
    if (w->q_ready) {
        /* answered 200 but never read: the host closed without draining; say so */
        if (w->q.events > 0) {
            k8s_count(w->st, M_EVENTS_DISCARDED, w->q.events);
            k8s_log(w->st, SS_PLUGIN_LOG_SEV_WARNING,
                    "webhook closed with %llu accepted events the engine never read",
                    (unsigned long long)w->q.events);
        }
        k8s_queue_fini(&w->q);
    }
    free(w->path);
    free(w->cert_pem);
    free(w->key_pem);
    free(w->ca_pem);
    free(w);
}

int k8s_webhook_open(struct k8s_state *st, const char *params, bool tls, struct k8s_webhook **out)
{
    const struct k8s_config *cfg = &st->cfg;
    struct k8s_webhook *w = calloc(1, sizeof(*w));
    char *host = NULL, *port = NULL;
    char bound[INET6_ADDRSTRLEN + 16] = "";
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    int n;

    if (w == NULL) {
        saker_err(&st->err, "out of memory opening %s", params);
        return -1;
    }
    w->st = st;
    w->lsock = -1;
    w->tls = tls;
    if (parse_url(st, params, &host, &port, &w->path) < 0) {
        goto fail;
    }
    if (tls) {
        w->cert_pem = read_pem(st, cfg->ssl_certificate, "sslCertificate");
        if (w->cert_pem == NULL) {
            goto fail;
        }
        w->key_pem =
                read_pem(st, cfg->ssl_private_key ? cfg->ssl_private_key : cfg->ssl_certificate,
                         cfg->ssl_private_key ? "sslPrivateKey" : "sslCertificate");
        if (w->key_pem == NULL) {
            goto fail;
        }
        if (cfg->ssl_client_ca != NULL &&
            (w->ca_pem = read_pem(st, cfg->ssl_client_ca, "sslClientCA")) == NULL) {
            goto fail;
        }
        flags |= MHD_USE_TLS;
    } else if (cfg->ssl_client_ca != NULL) {
        k8s_log(st, SS_PLUGIN_LOG_SEV_WARNING,
                "sslClientCA is set but %s is not https: client certificates are not checked",
                params);
    }
    if (k8s_queue_init(&w->q, cfg->queue_max_events, cfg->queue_max_bytes) < 0) {
        saker_err(&st->err, "out of memory opening %s", params);
        goto fail;
    }
    w->q_ready = true;
    if (listen_on(st, host, port, &w->lsock, bound, sizeof(bound)) < 0) {
        goto fail;
    }
    w->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, w, MHD_OPTION_EXTERNAL_LOGGER, on_server_log, w,
            MHD_OPTION_LISTEN_SOCKET, w->lsock, MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s, MHD_OPTION_THREAD_POOL_SIZE,
            (unsigned)cfg->threads, tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, w->cert_pem,
            MHD_OPTION_HTTPS_MEM_KEY, w->key_pem,
            w->ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, w->ca_pem, MHD_OPTION_END);
    if (w->daemon == NULL) {
        saker_err(&st->err, "cannot start the webhook server on %s%s", params,
                  tls ? " (check that sslCertificate holds a PEM certificate and its key)" : "");
        goto fail;
    }
    w->lsock = -1; /* the daemon owns the socket now and closes it when stopped */
    n = snprintf(w->url, sizeof(w->url), "%s://%s%s", tls ? "https" : "http", bound, w->path);
    if (n < 0 || (size_t)n >= sizeof(w->url)) {
        w->url[0] = '\0';
    }
    k8s_log(st, SS_PLUGIN_LOG_SEV_INFO, "webhook listening on %s", w->url);
    free(host);
    free(port);
    *out = w;
    return 0;
fail:
    free(host);
    free(port);
    k8s_webhook_close(w);
    return -1;
}
