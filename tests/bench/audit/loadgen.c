/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_loadgen: posts Kubernetes audit batches to a webhook at a fixed rate
 * (open loop: request i is due at start + i/rate) over a pool of keep-alive
 * connections, then prints one JSON line: requests sent and answered by
 * status, events accepted (in 200 answers), achieved rate, and latency
 * percentiles measured from each request's due time (so a stalled server
 * cannot hide behind a slow client). One event in a hundred is from a user
 * outside the upstream rules' allowed list, so the engine raises alerts too.
 *
 *   audit_loadgen --url URL [--rate 1000] [--seconds 60] [--batch 10]
 *                 [--connections 64] [--cacert PEM] [--header H]...
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
    CURL *h;
    char *body;
    size_t len;
    size_t cap;
    uint64_t due_ns;
    bool busy;
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static size_t discard(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : (x > y ? 1 : 0);
}

/* An EventList of batch events whose audit ids carry the request number. */
static int build_body(struct slot *s, uint64_t req, unsigned batch)
{
    size_t need = 64 + (size_t)batch * 700;
    size_t off = 0;
    int n;

    if (s->cap < need) {
        char *p = realloc(s->body, need);
        if (p == NULL) {
            return -1;
        }
        s->body = p;
        s->cap = need;
    }
    n = snprintf(s->body, s->cap,
                 "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\","
                 "\"items\":[");
    if (n < 0 || (size_t)n >= s->cap) {
        return -1;
    }
    off = (size_t)n;
    for (unsigned i = 0; i < batch; i++) {
        n = snprintf(
                s->body + off, s->cap - off,
                "%s{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Request\","
                "\"auditID\":\"lg-%" PRIu64 "-%u\",\"stage\":\"ResponseComplete\",\"requestURI\":"
                "\"/api/v1/namespaces/team-%u/pods/web-%u\",\"verb\":\"%s\",\"user\":{\"username\":"
                "\"%s%u\",\"groups\":[\"system:authenticated\"]},\"sourceIPs\":[\"10.1.%u.%u\"],"
                "\"userAgent\":\"loadgen\",\"objectRef\":{\"resource\":\"%s\",\"namespace\":"
                "\"team-%u\",\"name\":\"web-%u\",\"apiVersion\":\"v1\"},\"responseStatus\":{"
                "\"metadata\":{},\"code\":200},\"requestReceivedTimestamp\":"
                "\"2024-05-01T10:00:00.000000Z\",\"stageTimestamp\":\"2024-05-01T10:00:00.%06uZ\","
                "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\","
                "\"authorization.k8s.io/reason\":\"\"}}",
                i ? "," : "", req, i, i % 7, i, i % 3 ? "get" : "create",
                /* one event in a hundred comes from a person, whom the upstream rules flag */
                (req * batch + i) % 100 == 0 ? "user-" : "system:serviceaccount:ci:builder-", i % 5,
                (unsigned)(req % 250), i % 250, i % 4 ? "pods" : "secrets", i % 7, i,
                (unsigned)(req % 1000000));
        if (n < 0 || (size_t)n >= s->cap - off) {
            return -1;
        }
        off += (size_t)n;
    }
    n = snprintf(s->body + off, s->cap - off, "]}");
    if (n < 0 || (size_t)n >= s->cap - off) {
        return -1;
    }
    s->len = off + (size_t)n;
    return 0;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *cacert = NULL;
    double rate = 1000, seconds = 60;
    unsigned batch = 10, nconn = 64;
    struct curl_slist *headers = NULL;
    uint64_t total, sent = 0, done = 0, ok = 0, failed = 0, late = 0;
    uint64_t codes[600] = { 0 };
    uint64_t *lat_us;
    struct slot *slots;
    CURLM *m;
    uint64_t start, interval_ns, end;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--url") == 0) {
            url = argv[i + 1];
        } else if (strcmp(argv[i], "--rate") == 0) {
            rate = atof(argv[i + 1]);
        } else if (strcmp(argv[i], "--seconds") == 0) {
            seconds = atof(argv[i + 1]);
        } else if (strcmp(argv[i], "--batch") == 0) {
            batch = (unsigned)atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--connections") == 0) {
            nconn = (unsigned)atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--cacert") == 0) {
            cacert = argv[i + 1];
        } else if (strcmp(argv[i], "--header") == 0) {
            headers = curl_slist_append(headers, argv[i + 1]);
        } else {
            fprintf(stderr, "audit_loadgen: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (url == NULL || rate <= 0 || seconds <= 0 || batch == 0 || nconn == 0) {
        fprintf(stderr, "usage: audit_loadgen --url URL [--rate N] [--seconds S] [--batch N] "
                        "[--connections N] [--cacert PEM] [--header H]...\n");
        return 2;
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    total = (uint64_t)(rate * seconds);
    interval_ns = (uint64_t)(1e9 / rate);
    lat_us = calloc(total ? total : 1, sizeof(*lat_us));
    slots = calloc(nconn, sizeof(*slots));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    m = curl_multi_init();
    if (lat_us == NULL || slots == NULL || m == NULL) {
        fprintf(stderr, "audit_loadgen: out of memory\n");
        return 1;
    }
    for (unsigned i = 0; i < nconn; i++) {
        CURL *h = curl_easy_init();
        slots[i].h = h;
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(h, CURLOPT_PRIVATE, &slots[i]);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        if (cacert != NULL) {
            curl_easy_setopt(h, CURLOPT_CAINFO, cacert);
        }
    }
    start = now_ns();
    while (done < total) {
        uint64_t t = now_ns();
        int running, left;
        CURLMsg *msg;

        /* start every request that is due, on any idle connection */
        while (sent < total && start + sent * interval_ns <= t) {
            struct slot *s = NULL;
            for (unsigned i = 0; i < nconn && s == NULL; i++) {
                if (!slots[i].busy) {
                    s = &slots[i];
                }
            }
            if (s == NULL) {
                break; /* all connections busy: it starts late, its latency shows it */
            }
            if (build_body(s, sent, batch) < 0) {
                fprintf(stderr, "audit_loadgen: cannot build a request body\n");
                return 1;
            }
            s->due_ns = start + sent * interval_ns;
            if (t - s->due_ns > 10000000ull) {
                late++;
            }
            s->busy = true;
            curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, s->body);
            curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE, (long)s->len);
            curl_multi_add_handle(m, s->h);
            sent++;
        }
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            struct slot *s;
            long code = 0;
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            lat_us[done++] = (now_ns() - s->due_ns) / 1000;
            if (msg->data.result == CURLE_OK && code == 200) {
                ok++;
            } else if (msg->data.result != CURLE_OK) {
                failed++;
            }
            if (code >= 0 && code < 600) {
                codes[code]++;
            }
            curl_multi_remove_handle(m, msg->easy_handle);
            s->busy = false;
        }
        if (done < total) {
            uint64_t n2 = now_ns();
            uint64_t next = sent < total ? start + sent * interval_ns : n2 + 5000000;
            /* due but no idle connection: wait for a completion, not for the clock */
            int wait_ms = next > n2 ? (int)((next - n2 + 999999) / 1000000) : 5;
            curl_multi_poll(m, NULL, 0, wait_ms, NULL);
        }
    }
    end = now_ns();
    qsort(lat_us, done, sizeof(*lat_us), cmp_u64);
#define PCT(p) (done ? lat_us[(size_t)((done - 1) * (p))] / 1000.0 : 0.0)
    printf("{\"requests\":%" PRIu64 ",\"ok\":%" PRIu64 ",\"transport_errors\":%" PRIu64
           ",\"late_starts\":%" PRIu64 ",\"events_accepted\":%" PRIu64
           ",\"seconds\":%.3f,\"requests_per_s\":%.1f,\"events_per_s\":%.1f,"
           "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"status\":{",
           done, ok, failed, late, ok * batch, (end - start) / 1e9, done / ((end - start) / 1e9),
           ok * batch / ((end - start) / 1e9), PCT(0.50), PCT(0.90), PCT(0.99), PCT(1.0));
    {
        bool first = true;
        for (int c = 0; c < 600; c++) {
            if (codes[c] > 0) {
                printf("%s\"%d\":%" PRIu64, first ? "" : ",", c, codes[c]);
                first = false;
            }
        }
    }
    printf("}}\n");
    for (unsigned i = 0; i < nconn; i++) {
        curl_easy_cleanup(slots[i].h);
        free(slots[i].body);
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    free(slots);
    free(lat_us);
    return 0;
}
