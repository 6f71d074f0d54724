/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container ids from cgroup paths.
 *
 * Each enabled engine has a matcher; they run in a fixed order (podman,
 * docker, cri, containerd, lxc, libvirt-lxc, bpm) and the first that
 * recognises a path wins. A static engine, when enabled, replaces them all
 * and assigns its one id to every path. Results are cached per path in a
 * bounded LRU, so a busy host pays the string work once per cgroup.
 */
#ifndef CTR_MATCHER_H
#define CTR_MATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"

/* Container types, numbered as the runtime metadata JSON numbers them. */
enum ctr_type {
    CTR_TYPE_DOCKER = 0,
    CTR_TYPE_LXC = 1,
    CTR_TYPE_LIBVIRT_LXC = 2,
    CTR_TYPE_MESOS = 3,
    CTR_TYPE_RKT = 4,
    CTR_TYPE_CUSTOM = 5,
    CTR_TYPE_CRI = 6,
    CTR_TYPE_CONTAINERD = 7,
    CTR_TYPE_CRIO = 8,
    CTR_TYPE_BPM = 9,
    CTR_TYPE_STATIC = 10,
    CTR_TYPE_PODMAN = 11,
    CTR_TYPE_HOST = 0xfffe,
    CTR_TYPE_UNKNOWN = 0xffff,
};

/* The name container.type shows ("" for types without one). Static string. */
const char *ctr_type_name(int type);

/* Engine bits. */
#define CTR_ENGINE_PODMAN      (1u << 0)
#define CTR_ENGINE_DOCKER      (1u << 1)
#define CTR_ENGINE_CRI         (1u << 2)
#define CTR_ENGINE_CONTAINERD  (1u << 3)
#define CTR_ENGINE_LXC         (1u << 4)
#define CTR_ENGINE_LIBVIRT_LXC (1u << 5)
#define CTR_ENGINE_BPM         (1u << 6)
#define CTR_ENGINE_STATIC      (1u << 7)

/* Longest id a matcher may return (lxc and libvirt ids are not truncated). */
#define CTR_ID_MAX 255
/* Length of the short ids runc-style runtimes report. */
#define CTR_SHORT_ID_LEN 12

struct ctr_match {
    uint32_t engine; /* the CTR_ENGINE_* bit that matched */
    bool has_info;   /* lxc, libvirt-lxc, bpm and static: the match alone describes it */
    int type;        /* for has_info: the container type */
    size_t id_len;
    char id[CTR_ID_MAX + 1];
};

/*
 * Runs the matchers of the engines in mask over one path. Returns true and
 * fills *out on a match. The static engine is not handled here (it needs no
 * path); see struct ctr_matcher.
 */
bool ctr_match_path(uint32_t mask, const char *path, size_t len, struct ctr_match *out);

/* Matchers plus the per-path cache. */
struct ctr_matcher {
    uint32_t mask;
    bool static_enabled;
    char static_id[CTR_ID_MAX + 1];
    struct ctr_hmap cache; /* path -> struct ctr_match* (id_len 0: no match) */
    uint64_t hits;
    uint64_t misses;
};

/* cache_size 0 disables caching. Returns 0 or -ENOMEM. */
int ctr_matcher_init(struct ctr_matcher *m,
                     uint32_t mask,
                     const char *static_id,
                     size_t cache_size);
void ctr_matcher_fini(struct ctr_matcher *m);

/*
 * Matches one path through the cache. Returns a borrowed result valid until
 * the next call, or NULL when the path names no container.
 */
const struct ctr_match *ctr_matcher_match(struct ctr_matcher *m, const char *path, size_t len);

#endif /* CTR_MATCHER_H */
