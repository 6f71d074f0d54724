// SPDX-License-Identifier: Apache-2.0
#include <string.h>

#include "path.h"

/* True when p (absolute) needs no normalisation: the common case, copied as is. */
static int is_clean(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '/') {
            continue;
        }
        if (i + 1 < n && p[i + 1] == '/') {
            return 0;
        }
        if (i + 1 < n && p[i + 1] == '.') {
            /* "/." or "/.." followed by '/' or the end */
            size_t j = i + 2;
            if (j < n && p[j] == '.') {
                j++;
            }
            if (j == n || p[j] == '/') {
                return 0;
            }
        }
    }
    return 1;
}

/* Appends the components of s to out[0..*olen), normalising as it goes. */
static int append(char *out, size_t *olen, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t start, len;

        while (i < n && s[i] == '/') {
            i++;
        }
        start = i;
        while (i < n && s[i] != '/') {
            i++;
        }
        len = i - start;
        if (len == 0 || (len == 1 && s[start] == '.')) {
            continue;
        }
        if (len == 2 && s[start] == '.' && s[start + 1] == '.') {
            /* drop the last component, never the root */
            if (*olen > 1) {
                size_t k = *olen - 1; /* out ends with '/' */
                while (k > 0 && out[k - 1] != '/') {
                    k--;
                }
                *olen = k;
            }
            continue;
        }
        if (*olen + len + 1 > SKR_PATH_MAX) {
            return -1;
        }
        memcpy(out + *olen, s + start, len);
        *olen += len;
        out[(*olen)++] = '/';
    }
    return 0;
}

size_t skr_path_resolve(char *out, const char *base, size_t blen, const char *path, size_t plen)
{
    size_t olen = 1;
    int trailing;

    if (plen > 0 && path[0] == '/') {
        if (plen <= SKR_PATH_MAX && is_clean(path, plen)) {
            memcpy(out, path, plen);
            out[plen] = '\0';
            return plen;
        }
        blen = 0;
    }
    out[0] = '/';
    trailing = plen > 0 ? path[plen - 1] == '/' : (blen > 0 && base[blen - 1] == '/');
    if ((blen && append(out, &olen, base, blen) < 0) || append(out, &olen, path, plen) < 0) {
        size_t n = sizeof(SKR_PATH_TOO_LONG) - 1;
        memcpy(out, SKR_PATH_TOO_LONG, n + 1);
        return n;
    }
    /* every component was written with a '/' after it: keep it only when asked */
    if (olen > 1 && !trailing) {
        olen--;
    }
    out[olen] = '\0';
    return olen;
}
