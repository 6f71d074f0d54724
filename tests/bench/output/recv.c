/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output_bench_recv: a local receiver for the output sink benchmark. It
 * listens on loopback (or a unix datagram socket), counts the alerts it
 * receives and exits when it has `--expect` of them, or when nothing came
 * for `--idle-ms` after the first one (a datagram transport may lose some),
 * then prints one JSON line: {"received":N,"bytes":B,"first_ns":..,"last_ns":..}.
 * Before receiving it prints {"port":P} (or {"path":...}) on a line of its
 * own, so the caller can point saker at it.
 *
 *   output_bench_recv --mode udp|tcp|unix|http [--path SOCK] --expect N [--idle-ms 2000]
 *
 * tcp counts RFC 6587 octet-counted frames; http (libmicrohttpd) answers
 * 200 to every POST and counts one alert per body, or the items of a JSON
 * array body, or the lines of a text batch.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static _Atomic uint64_t received;
static _Atomic uint64_t bytes;
static _Atomic uint64_t first_ns;
static _Atomic uint64_t last_ns;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void count(uint64_t n, uint64_t len)
{
    uint64_t t = now_ns();
    uint64_t zero = 0;

    atomic_compare_exchange_strong(&first_ns, &zero, t);
    atomic_store(&last_ns, t);
    atomic_fetch_add(&bytes, len);
    atomic_fetch_add(&received, n);
}

static bool done(uint64_t expect, uint64_t idle_ns)
{
    uint64_t last = atomic_load(&last_ns);

    return atomic_load(&received) >= expect || (last != 0 && now_ns() - last > idle_ns);
}

static int listen_inet(int type, int *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, type, 0);
    int big = 16 << 20;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) < 0 ||
        (type == SOCK_STREAM && listen(fd, 16) < 0)) {
        perror("output_bench_recv: socket");
        exit(1);
    }
    /* as root, a receive buffer past rmem_max, so a burst of datagrams is not dropped */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static void run_dgram(int fd, uint64_t expect, uint64_t idle_ns)
{
    static char buf[65536];

    while (!done(expect, idle_ns)) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t n;
        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        n = recv(fd, buf, sizeof(buf), 0);
        if (n > 0) {
            count(1, (uint64_t)n);
        }
    }
}

static void run_tcp(int lfd, uint64_t expect, uint64_t idle_ns)
{
    static char buf[1 << 20];
    size_t have = 0;
    int fd = -1;

    while (!done(expect, idle_ns)) {
        struct pollfd p = { .fd = fd >= 0 ? fd : lfd, .events = POLLIN };
        ssize_t n;
        size_t off = 0;
        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        if (fd < 0) {
            fd = accept(lfd, NULL, NULL);
            have = 0;
            continue;
        }
        n = recv(fd, buf + have, sizeof(buf) - have, 0);
        if (n <= 0) {
            close(fd);
            fd = -1;
            continue;
        }
        have += (size_t)n;
        /* frames: "LEN SP MSG" */
        for (;;) {
            char *sp = memchr(buf + off, ' ', have - off);
            unsigned long len;
            if (sp == NULL) {
                break;
            }
            len = strtoul(buf + off, NULL, 10);
            if ((size_t)(sp + 1 - buf) + len > have) {
                break;
            }
            count(1, len);
            off = (size_t)(sp + 1 - buf) + len;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* ---- http ------------------------------------------------------------------------------------ */

struct body {
    char *p;
    size_t len;
};

static uint64_t alerts_in(const char *p, size_t len)
{
    uint64_t n = 0;

    if (len > 0 && p[0] == '[') {
        cJSON *a = cJSON_ParseWithLength(p, len);
        n = (uint64_t)cJSON_GetArraySize(a);
        cJSON_Delete(a);
        return n;
    }
    if (len > 0 && p[0] == '{') {
        return 1;
    }
    for (size_t i = 0; i < len; i++) {
        n += p[i] == '\n';
    }
    return len > 0 && p[len - 1] != '\n' ? n + 1 : n;
}

static enum MHD_Result on_request(void *cls,
                                  struct MHD_Connection *c,
                                  const char *url,
                                  const char *method,
                                  const char *version,
                                  const char *data,
                                  size_t *size,
                                  void **ctx)
{
    struct body *b = *ctx;
    struct MHD_Response *r;
    enum MHD_Result ret;

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        *ctx = b;
        return b != NULL ? MHD_YES : MHD_NO;
    }
    if (*size > 0) {
        char *np = realloc(b->p, b->len + *size);
        if (np == NULL) {
            return MHD_NO;
        }
        memcpy(np + b->len, data, *size);
        b->p = np;
        b->len += *size;
        *size = 0;
        return MHD_YES;
    }
    count(alerts_in(b->p, b->len), b->len);
    r = MHD_create_response_from_buffer(2, "ok", MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static void on_done(void *cls,
                    struct MHD_Connection *c,
                    void **ctx,
                    enum MHD_RequestTerminationCode t)
{
    struct body *b = *ctx;

    (void)cls;
    (void)c;
    (void)t;
    if (b != NULL) {
        free(b->p);
        free(b);
        *ctx = NULL;
    }
}

int main(int argc, char **argv)
{
    const char *mode = NULL;
    const char *path = NULL;
    uint64_t expect = 0;
    uint64_t idle_ns = 2000000000ull;
    int port = 0;
    int fd = -1;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--mode") == 0) {
            mode = argv[i + 1];
        } else if (strcmp(argv[i], "--path") == 0) {
            path = argv[i + 1];
        } else if (strcmp(argv[i], "--expect") == 0) {
            expect = strtoull(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--idle-ms") == 0) {
            idle_ns = strtoull(argv[i + 1], NULL, 10) * 1000000ull;
        }
    }
    if (mode == NULL || expect == 0) {
        fprintf(stderr, "usage: output_bench_recv --mode udp|tcp|unix|http [--path SOCK] "
                        "--expect N [--idle-ms MS]\n");
        return 2;
    }
    if (strcmp(mode, "udp") == 0) {
        fd = listen_inet(SOCK_DGRAM, &port);
        printf("{\"port\":%d}\n", port);
        fflush(stdout);
        run_dgram(fd, expect, idle_ns);
    } else if (strcmp(mode, "tcp") == 0) {
        fd = listen_inet(SOCK_STREAM, &port);
        printf("{\"port\":%d}\n", port);
        fflush(stdout);
        run_tcp(fd, expect, idle_ns);
    } else if (strcmp(mode, "unix") == 0 && path != NULL) {
        struct sockaddr_un sa;
        int big = 16 << 20;
        memset(&sa, 0, sizeof(sa));
        sa.sun_family = AF_UNIX;
        if (strlen(path) >= sizeof(sa.sun_path)) {
            fprintf(stderr, "output_bench_recv: path too long\n");
            return 1;
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            perror("output_bench_recv: unix socket");
            return 1;
        }
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
        }
        printf("{\"path\":\"%s\"}\n", path);
        fflush(stdout);
        run_dgram(fd, expect, idle_ns);
    } else if (strcmp(mode, "http") == 0) {
        struct MHD_Daemon *d;
        const union MHD_DaemonInfo *info;
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
                             on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                             MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
        if (d == NULL) {
            fprintf(stderr, "output_bench_recv: cannot start the HTTP server\n");
            return 1;
        }
        info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        printf("{\"port\":%u}\n", info != NULL ? info->port : 0);
        fflush(stdout);
        while (!done(expect, idle_ns)) {
            struct timespec t = { 0, 20000000 };
            nanosleep(&t, NULL);
        }
        MHD_stop_daemon(d);
    } else {
        fprintf(stderr, "output_bench_recv: unknown mode %s\n", mode);
        return 2;
    }
    if (fd >= 0) {
        close(fd);
    }
    printf("{\"received\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"first_ns\":%" PRIu64
           ",\"last_ns\":%" PRIu64 "}\n",
           atomic_load(&received), atomic_load(&bytes), atomic_load(&first_ns),
           atomic_load(&last_ns));
    return 0;
}
