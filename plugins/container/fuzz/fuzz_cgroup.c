/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: cgroup paths (NUL-separated in one input) through every
 * matcher and through the cached matcher. A matched id must be non-empty,
 * bounded, and made of the path's own bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "matcher.h"

#define ALL                                                                           \
    (CTR_ENGINE_PODMAN | CTR_ENGINE_DOCKER | CTR_ENGINE_CRI | CTR_ENGINE_CONTAINERD | \
     CTR_ENGINE_LXC | CTR_ENGINE_LIBVIRT_LXC | CTR_ENGINE_BPM)

static void check(const struct ctr_match *m, const uint8_t *p, size_t n)
{
    if (m->id_len == 0 || m->id_len > CTR_ID_MAX || m->id[m->id_len] != '\0' ||
        memmem(p, n, m->id, m->id_len) == NULL) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctr_matcher mt;
    size_t start = 0;

    if (ctr_matcher_init(&mt, ALL, NULL, 8) < 0) {
        return 0;
    }
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\0') {
            const char *p = (const char *)data + start;
            size_t n = i - start;
            struct ctr_match m;
            const struct ctr_match *cm;
            if (ctr_match_path(ALL, p, n, &m)) {
                check(&m, data + start, n);
            }
            cm = ctr_matcher_match(&mt, p, n);
            if (cm != NULL) {
                check(cm, data + start, n);
            }
            start = i + 1;
        }
    }
    ctr_matcher_fini(&mt);
    return 0;
}
