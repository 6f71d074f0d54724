/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 6901 JSON pointers over cJSON trees (see jsonkit.h). */
#include "jsonkit.h"

#include <string.h>

/* True when key equals the escaped token tok[0..n) once ~0 and ~1 are unescaped. */
static bool token_eq(const char *key, const char *tok, size_t n)
{
    size_t i = 0;

    for (;;) {
        char want;
        if (i == n) {
            return *key == '\0';
        }
        if (tok[i] == '~' && i + 1 < n && (tok[i + 1] == '0' || tok[i + 1] == '1')) {
            want = tok[i + 1] == '0' ? '~' : '/';
            i += 2;
        } else {
            want = tok[i];
            i++;
        }
        if (*key != want) {
            return false;
        }
        key++;
    }
}

static const cJSON *step(const cJSON *v, const char *tok, size_t n)
{
    if (cJSON_IsObject(v)) {
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            if (c->string != NULL && token_eq(c->string, tok, n)) {
                return c;
            }
        }
        return NULL;
    }
    if (cJSON_IsArray(v)) {
        size_t idx = 0;
        if (n == 0 || n > 9) {
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            if (tok[i] < '0' || tok[i] > '9') {
                return NULL;
            }
            idx = idx * 10 + (size_t)(tok[i] - '0');
        }
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            if (idx-- == 0) {
                return c;
            }
        }
    }
    return NULL;
}

const cJSON *jk_pointer(const cJSON *root, const char *ptr)
{
    const cJSON *v = root;
    const char *p = ptr;

    if (root == NULL || ptr == NULL) {
        return NULL;
    }
    if (*p == '\0') {
        return root;
    }
    if (*p == '/') {
        p++;
    }
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        v = step(v, p, n);
        if (v == NULL || slash == NULL) {
            return v;
        }
        p = slash + 1;
    }
}
