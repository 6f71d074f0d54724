/* SPDX-License-Identifier: Apache-2.0 */
#include "util/semver.h"

#include <errno.h>
#include <stddef.h>

static const char *parse_num(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    const char *start = s;

    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX) {
            return NULL;
        }
        s++;
    }
    if (s == start) {
        return NULL;
    }
    *out = (uint32_t)v;
    return s;
}

int skr_semver_parse(const char *s, struct skr_semver *out)
{
    struct skr_semver v;

    if (s == NULL) {
        return -EINVAL;
    }
    s = parse_num(s, &v.major);
    if (s == NULL || *s++ != '.') {
        return -EINVAL;
    }
    s = parse_num(s, &v.minor);
    if (s == NULL || *s++ != '.') {
        return -EINVAL;
    }
    s = parse_num(s, &v.patch);
    if (s == NULL || (*s != '\0' && *s != '-' && *s != '+')) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

int skr_semver_cmp(const struct skr_semver *a, const struct skr_semver *b)
{
    if (a->major != b->major) {
        return a->major < b->major ? -1 : 1;
    }
    if (a->minor != b->minor) {
        return a->minor < b->minor ? -1 : 1;
    }
    if (a->patch != b->patch) {
        return a->patch < b->patch ? -1 : 1;
    }
    return 0;
}

bool skr_semver_satisfies(const struct skr_semver *have, const struct skr_semver *need)
{
    return have->major == need->major && skr_semver_cmp(have, need) >= 0;
}
