/* SPDX-License-Identifier: Apache-2.0 */
/*
 * out_syslog: an output sink sending each alert to syslog (Falco's
 * syslog_output), its severity the alert's priority. Transports: the local
 * daemon's socket (a datagram socket, else a stream one, as the C library's
 * syslog() does), or a remote server over UDP (one message per datagram) or
 * TCP (messages framed by octet counting, RFC 6587). Formats: RFC 5424, or
 * RFC 3164 as syslog() writes it.
 *
 * A server that is down at start is not an error: the sink connects again
 * when it writes. A send that fails is tried once more on a new connection,
 * then the alert counts as failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <saker/sdk.h>

#include "frame.h"

enum transport {
    T_LOCAL,
    T_UDP,
    T_TCP,
};

static const char *const transport_names[] = { "local", "udp", "tcp", NULL };
static const char *const format_names[] = { "auto", "rfc5424", "rfc3164", NULL };
static const char *const facility_names[] = {
    "kern",    "user",         "mail",   "daemon",   "auth",   "syslog", "lpr",
    "news",    "uucp",         "cron",   "authpriv", "ftp",    "ntp",    "security",
    "console", "solaris-cron", "local0", "local1",   "local2", "local3", "local4",
    "local5",  "local6",       "local7", NULL,
};

struct state {
    struct saker_errbuf err;
    ss_plugin_owner_t *owner;
    ss_plugin_log_fn_t log;
    enum transport transport;
    enum syslog_format format;
    char *socket_path;
    char *host;
    unsigned port;
    int facility;
    char *ident;
    int timeout_ms;
    int pid;

    int fd;
    bool stream; /* the connected socket is a stream (tcp, or a stream local socket) */
    struct msgbuf msg;
};

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return "3.0.0";
}

SAKER_EXPORT const char *plugin_get_required_saker_ext_version(void)
{
    return "1.0.0";
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return "out_syslog";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Sends alerts to syslog: the local daemon, or a server over UDP or TCP";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "https://github.com/saker-project/saker";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return "0.1.0";
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *type)
{
    *type = SS_PLUGIN_SCHEMA_JSON;
    return "{\"type\":\"object\",\"properties\":{"
           "\"transport\":{\"type\":\"string\",\"enum\":[\"local\",\"udp\",\"tcp\"]},"
           "\"socket\":{\"type\":\"string\",\"minLength\":1},"
           "\"host\":{\"type\":\"string\"},"
           "\"port\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":65535},"
           "\"facility\":{\"type\":\"string\",\"enum\":[\"kern\",\"user\",\"mail\",\"daemon\","
           "\"auth\",\"syslog\",\"lpr\",\"news\",\"uucp\",\"cron\",\"authpriv\",\"ftp\",\"ntp\","
           "\"security\",\"console\",\"solaris-cron\",\"local0\",\"local1\",\"local2\","
           "\"local3\",\"local4\",\"local5\",\"local6\",\"local7\"]},"
           "\"ident\":{\"type\":\"string\"},"
           "\"format\":{\"type\":\"string\",\"enum\":[\"auto\",\"rfc5424\",\"rfc3164\"]},"
           "\"timeout\":{\"type\":\"integer\",\"minimum\":1}"
           "},\"additionalProperties\":false}";
}

static int name_index(const char *const *names, const char *s, int def)
{
    if (s == NULL) {
        return def;
    }
    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(names[i], s) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *str_opt(const cJSON *cfg, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);

    return cJSON_IsString(v) ? v->valuestring : def;
}

static double num_opt(const cJSON *cfg, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);

    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct state *s = calloc(1, sizeof(*s));
    cJSON *cfg;
    int t;
    int f;
    double port;

    if (s == NULL) {
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    s->fd = -1;
    s->owner = in->owner;
    s->log = in->log_fn;
    s->pid = (int)getpid();
    *rc = SS_PLUGIN_FAILURE;
    cfg = cJSON_Parse(in->config && in->config[0] ? in->config : "{}");
    if (cfg == NULL) {
        saker_err(&s->err, "the init config is not valid JSON");
        return s;
    }
    t = name_index(transport_names, str_opt(cfg, "transport", NULL), T_LOCAL);
    f = name_index(format_names, str_opt(cfg, "format", NULL), 0);
    s->facility = name_index(facility_names, str_opt(cfg, "facility", NULL), 1);
    port = num_opt(cfg, "port", 514);
    s->timeout_ms = (int)num_opt(cfg, "timeout", 2000);
    if (t < 0 || f < 0 || s->facility < 0) {
        saker_err(&s->err, "unknown transport, format or facility: see the plugin's README");
        goto out;
    }
    if (port < 1 || port > 65535 || s->timeout_ms < 1) {
        saker_err(&s->err, "\"port\" must be 1..65535 and \"timeout\" at least 1 ms");
        goto out;
    }
    s->transport = (enum transport)t;
    s->port = (unsigned)port;
    /* auto: what the local daemon expects from syslog(3), the structured format on the wire */
    s->format = f == 1   ? SYSLOG_RFC5424
                : f == 2 ? SYSLOG_RFC3164
                         : (s->transport == T_LOCAL ? SYSLOG_RFC3164 : SYSLOG_RFC5424);
    s->socket_path = strdup(str_opt(cfg, "socket", "/dev/log"));
    s->host = strdup(str_opt(cfg, "host", "localhost"));
    s->ident = strdup(str_opt(cfg, "ident", "saker"));
    if (s->socket_path == NULL || s->host == NULL || s->ident == NULL) {
        saker_err(&s->err, "out of memory");
        goto out;
    }
    if (s->transport != T_LOCAL && s->host[0] == '\0') {
        saker_err(&s->err, "transport %s needs a \"host\"", transport_names[s->transport]);
        goto out;
    }
    *rc = SS_PLUGIN_SUCCESS;
out:
    cJSON_Delete(cfg);
    return s;
}

static void disconnect(struct state *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *st)
{
    struct state *s = st;

    disconnect(s);
    msgbuf_fini(&s->msg);
    free(s->socket_path);
    free(s->host);
    free(s->ident);
    free(s);
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct state *)s)->err.msg;
}

static void set_timeouts(struct state *s)
{
    struct timeval tv = { s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000 };

    /* a daemon or server that stops reading delays only this sink, and only this long */
    setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static ss_plugin_rc connect_local(struct state *s)
{
    static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
    struct sockaddr_un sa;
    int last = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(s->socket_path) >= sizeof(sa.sun_path)) {
        return saker_err(&s->err, "socket path %s is too long", s->socket_path);
    }
    memcpy(sa.sun_path, s->socket_path, strlen(s->socket_path) + 1);
    for (size_t i = 0; i < 2; i++) {
        s->fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
        if (s->fd < 0) {
            last = errno;
            continue;
        }
        if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            s->stream = types[i] == SOCK_STREAM;
            set_timeouts(s);
            return SS_PLUGIN_SUCCESS;
        }
        last = errno;
        disconnect(s);
        if (last != EPROTOTYPE) {
            break;
        }
    }
    return saker_err(&s->err,
                     "cannot connect to the syslog socket %s: %s (is a syslog daemon "
                     "running? set syslog_output.socket or another transport)",
                     s->socket_path, strerror(last));
}

/* A TCP connect bounded by the timeout. */
static int connect_timed(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
    int flags = fcntl(fd, F_GETFL);
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int soerr = 0;
    socklen_t sl = sizeof(soerr);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        return -1;
    }
    if (connect(fd, sa, len) < 0) {
        if (errno != EINPROGRESS) {
            return -1;
        }
        if (poll(&p, 1, timeout_ms) <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
            errno = soerr ? soerr : errno;
            return -1;
        }
    }
    return fcntl(fd, F_SETFL, flags);
}

static ss_plugin_rc connect_net(struct state *s)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    char port[16];
    int last = 0;
    int gai;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = s->transport == T_TCP ? SOCK_STREAM : SOCK_DGRAM;
    if (snprintf(port, sizeof(port), "%u", s->port) >= (int)sizeof(port)) {
        return saker_err(&s->err, "bad port %u", s->port);
    }
    gai = getaddrinfo(s->host, port, &hints, &res);
    if (gai != 0) {
        return saker_err(&s->err, "cannot resolve syslog server %s: %s", s->host,
                         gai_strerror(gai));
    }
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        s->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (s->fd < 0) {
            last = errno;
            continue;
        }
        if ((s->transport == T_TCP
                     ? connect_timed(s->fd, ai->ai_addr, ai->ai_addrlen, s->timeout_ms)
                     : connect(s->fd, ai->ai_addr, ai->ai_addrlen)) == 0) {
            s->stream = s->transport == T_TCP;
            set_timeouts(s);
            freeaddrinfo(res);
            return SS_PLUGIN_SUCCESS;
        }
        last = errno;
        disconnect(s);
    }
    freeaddrinfo(res);
    return saker_err(&s->err, "cannot connect to syslog server %s:%u over %s: %s", s->host, s->port,
                     transport_names[s->transport], strerror(last));
}

static ss_plugin_rc connect_sink(struct state *s)
{
    disconnect(s);
    return s->transport == T_LOCAL ? connect_local(s) : connect_net(s);
}

SAKER_EXPORT saker_sink_t *plugin_sink_open(ss_plugin_t *st, const char *params, ss_plugin_rc *rc)
{
    struct state *s = st;

    (void)params;
    if (connect_sink(s) != SS_PLUGIN_SUCCESS && s->log != NULL) {
        char msg[PLUGIN_MAX_ERRLEN + 64];
        int w = snprintf(msg, sizeof(msg), "%s; connecting again at the next alert", s->err.msg);
        s->log(s->owner, NULL, w > 0 && (size_t)w < sizeof(msg) ? msg : s->err.msg,
               SS_PLUGIN_LOG_SEV_WARNING);
    }
    *rc = SS_PLUGIN_SUCCESS;
    return s;
}

/* Sends the message in s->msg (framed for a stream). */
static int send_msg(struct state *s)
{
    char prefix[32];
    size_t plen = 0;
    struct iovec iov[2];
    struct msghdr mh;
    size_t total;
    size_t sent = 0;

    if (s->transport == T_TCP) {
        plen = syslog_octet_prefix(prefix, sizeof(prefix), s->msg.len);
    }
    /* a stream to the local daemon ends each message with a NUL, as syslog(3) does */
    total = plen + s->msg.len + (s->stream && s->transport == T_LOCAL ? 1 : 0);
    while (sent < total) {
        size_t off = sent;
        int n = 0;
        ssize_t w;

        if (off < plen) {
            iov[n].iov_base = prefix + off;
            iov[n].iov_len = plen - off;
            n++;
            off = plen;
        }
        iov[n].iov_base = s->msg.p + (off - plen);
        iov[n].iov_len = total - off;
        n++;
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = iov;
        mh.msg_iovlen = (size_t)n;
        w = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (!s->stream) {
            return (size_t)w == total ? 0 : -EMSGSIZE;
        }
        sent += (size_t)w;
    }
    return 0;
}

/* True when the other end of a stream has closed it (or it is in error). */
static bool peer_closed(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };

    if (poll(&p, 1, 0) <= 0) {
        return false;
    }
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
        return true;
    }
    if (p.revents & POLLIN) {
        /* a syslog server sends nothing: readable means closed, or data to discard */
        char buf[256];
        ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        return r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR);
    }
    return false;
}

static ss_plugin_rc send_alert(struct state *s, const saker_alert *a, uint32_t *retries)
{
    struct syslog_msg m;
    const char *text = a->line ? a->line : "";
    int err = 0;

    memset(&m, 0, sizeof(m));
    m.facility = s->facility;
    m.severity = (int)(a->priority & 7);
    m.ts = a->ts;
    m.hostname = a->hostname;
    m.app = s->ident;
    m.msgid = a->source;
    m.pid = s->pid;
    m.text = text;
    m.text_len = strlen(text);
    m.with_host = s->transport != T_LOCAL;
    msgbuf_reset(&s->msg);
    if (syslog_format_msg(&s->msg, s->format, &m) == 0) {
        return saker_err(&s->err, "out of memory formatting a syslog message");
    }
    /* one try on the connection we have, one more on a new connection */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt > 0) {
            (*retries)++;
        }
        if (s->fd >= 0 && s->stream && peer_closed(s->fd)) {
            /* a server that closed the connection would drop this message unseen */
            disconnect(s);
        }
        if (s->fd < 0 && connect_sink(s) != SS_PLUGIN_SUCCESS) {
            continue;
        }
        err = send_msg(s);
        if (err == 0) {
            return SS_PLUGIN_SUCCESS;
        }
        if (err == -EMSGSIZE && !s->stream && s->msg.len > 2048) {
            /* a datagram too large for the receiver: the 2048 bytes every receiver takes */
            s->msg.len = 2048;
            attempt--;
            (*retries)++;
            continue;
        }
        saker_err(&s->err, "cannot send to syslog (%s %s): %s", transport_names[s->transport],
                  s->transport == T_LOCAL ? s->socket_path : s->host, strerror(-err));
        disconnect(s);
    }
    return SS_PLUGIN_FAILURE;
}

SAKER_EXPORT ss_plugin_rc plugin_sink_write(ss_plugin_t *st,
                                            saker_sink_t *h,
                                            uint32_t n,
                                            const saker_alert *const *alerts,
                                            saker_sink_result *results)
{
    struct state *s = st;

    (void)h;
    for (uint32_t i = 0; i < n; i++) {
        results[i].retries = 0;
        results[i].rc = send_alert(s, alerts[i], &results[i].retries);
    }
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT ss_plugin_rc plugin_sink_reopen(ss_plugin_t *st, saker_sink_t *h)
{
    struct state *s = st;

    (void)h;
    /* a restarted daemon has a new socket: connect again */
    return connect_sink(s);
}

SAKER_EXPORT void plugin_sink_close(ss_plugin_t *st, saker_sink_t *h)
{
    (void)h;
    disconnect(st);
}
