/* SPDX-License-Identifier: Apache-2.0 */
/* Request bodies of out_http (one alert, a batch, gzip) and what to do with an answer. */
#ifndef OUT_HTTP_BODY_H
#define OUT_HTTP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_api.h>

/* A growable byte buffer owned by the plugin state, reused for every request. */
struct bytes {
    unsigned char *p;
    size_t len;
    size_t cap;
};

void bytes_reset(struct bytes *b);
void bytes_fini(struct bytes *b);
/* 0, or -1 when out of memory. */
int bytes_append(struct bytes *b, const void *p, size_t n);

/*
 * The body for n alerts (n >= 1) into out, replacing its content. Without
 * batch (batch_size 1) it is the one alert's line as is; with batch it is a
 * JSON array of the lines when every line is a JSON object, else the lines
 * each ended by '\n', whatever n. *json says whether the body is JSON
 * (Content-Type application/json). Returns 0 or -1 (OOM).
 */
int http_body(struct bytes *out,
              const saker_alert *const *alerts,
              uint32_t n,
              bool batch,
              bool *json);

/* gzip of in[0..len) into out (replacing it). 0, or -1 on failure. */
int http_gzip(struct bytes *out, const unsigned char *in, size_t len);

enum http_verdict {
    HTTP_DELIVERED, /* 2xx */
    HTTP_RETRY,     /* worth another attempt: 5xx, 408, 429, a connection error, a timeout */
    HTTP_FAILED,    /* another attempt would not help: other answers, TLS and URL errors */
};

/*
 * What an attempt means: curl_code is the CURLcode of curl_easy_perform,
 * status the HTTP status when curl_code is 0. *timeout says whether the
 * attempt timed out; *unreachable whether the server could not be reached
 * or did not answer (connection error or timeout).
 */
enum http_verdict http_judge(int curl_code, long status, bool *timeout, bool *unreachable);

/* The wait before retry number k (1-based): base * 2^(k-1), at most max (ms). */
uint64_t http_backoff_ms(uint64_t base, uint64_t max, uint32_t k);

#endif /* OUT_HTTP_BODY_H */
