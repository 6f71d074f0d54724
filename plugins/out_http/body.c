/* SPDX-License-Identifier: Apache-2.0 */
#include "body.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <zlib.h>

void bytes_reset(struct bytes *b)
{
    b->len = 0;
}

void bytes_fini(struct bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

static int reserve(struct bytes *b, size_t more)
{
    size_t ncap;
    unsigned char *np;

    if (more > SIZE_MAX - b->len - 1) {
        return -1;
    }
    if (b->len + more + 1 <= b->cap) {
        return 0;
    }
    ncap = b->cap ? b->cap : 1024;
    while (ncap < b->len + more + 1) {
        ncap *= 2;
    }
    np = realloc(b->p, ncap);
    if (np == NULL) {
        return -1;
    }
    b->p = np;
    b->cap = ncap;
    return 0;
}

int bytes_append(struct bytes *b, const void *p, size_t n)
{
    if (reserve(b, n) < 0) {
        return -1;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0'; /* a text body stays a C string */
    return 0;
}

static const char *line_of(const saker_alert *a)
{
    return a->line ? a->line : "";
}

int http_body(struct bytes *out,
              const saker_alert *const *alerts,
              uint32_t n,
              bool batch,
              bool *json)
{
    bool all_json = true;
    int rc = 0;

    bytes_reset(out);
    for (uint32_t i = 0; i < n; i++) {
        all_json = all_json && line_of(alerts[i])[0] == '{';
    }
    *json = all_json;
    if (!batch) {
        const char *l = line_of(alerts[0]);
        return bytes_append(out, l, strlen(l));
    }
    if (all_json) {
        rc |= bytes_append(out, "[", 1);
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *l = line_of(alerts[i]);
        if (all_json && i > 0) {
            rc |= bytes_append(out, ",", 1);
        }
        rc |= bytes_append(out, l, strlen(l));
        if (!all_json) {
            rc |= bytes_append(out, "\n", 1);
        }
    }
    if (all_json) {
        rc |= bytes_append(out, "]", 1);
    }
    return rc < 0 ? -1 : 0;
}

int http_gzip(struct bytes *out, const unsigned char *in, size_t len)
{
    z_stream z;
    int rc;

    memset(&z, 0, sizeof(z));
    /* windowBits 15 + 16: a gzip wrapper, as Content-Encoding: gzip says */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return -1;
    }
    bytes_reset(out);
    if (len > UINT32_MAX || reserve(out, deflateBound(&z, (uLong)len)) < 0) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = out->p;
    z.avail_out = (uInt)(out->cap - 1);
    rc = deflate(&z, Z_FINISH);
    out->len = z.total_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

enum http_verdict http_judge(int curl_code, long status, bool *timeout, bool *unreachable)
{
    *timeout = false;
    *unreachable = false;
    switch ((CURLcode)curl_code) {
    case CURLE_OK:
        if (status >= 200 && status < 300) {
            return HTTP_DELIVERED;
        }
        if (status >= 500 || status == 408 || status == 429) {
            return HTTP_RETRY;
        }
        return HTTP_FAILED;
    case CURLE_OPERATION_TIMEDOUT:
        *timeout = true;
        *unreachable = true;
        return HTTP_RETRY;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        *unreachable = true;
        return HTTP_RETRY;
    default:
        /* a bad URL, a certificate that does not verify, an unsupported option: no retry helps */
        return HTTP_FAILED;
    }
}

uint64_t http_backoff_ms(uint64_t base, uint64_t max, uint32_t k)
{
    uint64_t w = base;

    for (uint32_t i = 1; i < k && w < max; i++) {
        w *= 2;
    }
    return w > max ? max : w;
}
