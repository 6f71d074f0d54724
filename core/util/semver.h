/* SPDX-License-Identifier: Apache-2.0 */
/* "M.m.p" versions and the compatibility rule shared by the plugin API and the rules files. */
#ifndef SKR_UTIL_SEMVER_H
#define SKR_UTIL_SEMVER_H

#include <stdbool.h>
#include <stdint.h>

struct skr_semver {
    uint32_t major;
    uint32_t minor;
    uint32_t patch;
};

/* Parses exactly three dot-separated unsigned decimal numbers, nothing else (a "-pre" or
 * "+build" suffix is accepted and ignored). Returns 0 or -EINVAL. */
int skr_semver_parse(const char *s, struct skr_semver *out);

/* <0, 0, >0 as a is older, equal, newer than b. */
int skr_semver_cmp(const struct skr_semver *a, const struct skr_semver *b);

/* True when what `have` offers satisfies `need`: same major and have >= need. */
bool skr_semver_satisfies(const struct skr_semver *have, const struct skr_semver *need);

#endif /* SKR_UTIL_SEMVER_H */
