/* SPDX-License-Identifier: Apache-2.0 */
/* Splitting CloudTrail log files into the raw text of their records. */
#include <stdlib.h>
#include <string.h>

#include "cloudtrail.h"

static int push(struct ct_spans *out, size_t off, size_t len)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        struct ct_span *v = realloc(out->v, cap * sizeof(*v));
        if (v == NULL) {
            return -1;
        }
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n].off = off;
    out->v[out->n].len = len;
    out->n++;
    return 0;
}

/* True when the string token at p[0..len) decodes to "Records" (escapes included). */
static bool is_records_key(const char *p, size_t len)
{
    cJSON *key;
    bool yes;

    if (len == 9 && memcmp(p, "\"Records\"", 9) == 0) {
        return true;
    }
    if (memchr(p, '\\', len) == NULL) {
        return false;
    }
    key = cJSON_ParseWithLength(p, len);
    yes = cJSON_IsString(key) && strcmp(key->valuestring, "Records") == 0;
    cJSON_Delete(key);
    return yes;
}

/* Records of the array starting at p[i] == '['; stops quietly at the first damage. */
static int split_array(const char *p, size_t n, size_t i, struct ct_spans *out)
{
    i++;
    for (;;) {
        size_t len = 0;
        i += jk_skip_ws(p + i, n - i);
        if (i >= n || p[i] == ']') {
            return 0;
        }
        if (jk_frame_value(p + i, n - i, true, &len) != JK_FRAME_OK) {
            return 0; /* a record cut off at the end of the data */
        }
        if (p[i] == '{' && push(out, i, len) < 0) {
            return -2;
        }
        i += len;
        i += jk_skip_ws(p + i, n - i);
        if (i >= n || p[i] != ',') {
            return 0;
        }
        i++;
    }
}

int ct_split_records(const char *p, size_t n, struct ct_spans *out)
{
    size_t i = jk_skip_ws(p, n);

    out->n = 0;
    if (i >= n || p[i] != '{') {
        return -1;
    }
    i++;
    for (;;) {
        size_t klen = 0, vlen = 0;
        bool records;
        i += jk_skip_ws(p + i, n - i);
        if (i >= n || p[i] != '"' || jk_frame_value(p + i, n - i, true, &klen) != JK_FRAME_OK) {
            return 0;
        }
        records = is_records_key(p + i, klen);
        i += klen;
        i += jk_skip_ws(p + i, n - i);
        if (i >= n || p[i] != ':') {
            return 0;
        }
        i++;
        i += jk_skip_ws(p + i, n - i);
        if (i >= n) {
            return 0;
        }
        if (records && p[i] == '[') {
            int rc = split_array(p, n, i, out);
            if (rc < 0 || out->n > 0) {
                return rc;
            }
        }
        if (jk_frame_value(p + i, n - i, true, &vlen) != JK_FRAME_OK) {
            return 0;
        }
        i += vlen;
        i += jk_skip_ws(p + i, n - i);
        if (i >= n || p[i] != ',') {
            return 0;
        }
        i++;
    }
}
