/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Docker Engine API responses the lookup worker reads (Podman serves the
 * same API on its socket): container inspect, image inspect, container list
 * and the events stream. Pure parsing, no I/O, so it is unit-tested and
 * fuzzed on its own.
 */
#ifndef CTR_DOCKER_H
#define CTR_DOCKER_H

#include <stddef.h>
#include <stdint.h>

#include "info.h"
#include "matcher.h"

/* What a container inspect asks the worker to look up next. */
struct ctr_docker_followup {
    char image_id[160];                 /* image to inspect for repository/tag/digest, or "" */
    char net_container[CTR_ID_MAX + 1]; /* container whose IP this one shares, or "" */
};

/*
 * Parses GET /containers/{id}/json into a new info of the given type
 * (CTR_TYPE_DOCKER or CTR_TYPE_PODMAN). Labels whose value is longer than
 * label_max_len are dropped. Returns the info (one reference; not yet
 * finished with ctr_info_finish), or NULL with a message in err.
 */
struct ctr_info *ctr_docker_parse_container(const char *json,
                                            size_t len,
                                            int type,
                                            uint32_t label_max_len,
                                            struct ctr_docker_followup *next,
                                            char *err,
                                            size_t cap);

/*
 * Applies GET /images/{id}/json: repository, tag and digest from RepoDigests
 * and RepoTags (when present they replace what the image name gave).
 * Returns 0, -EINVAL for an unusable document, -ENOMEM.
 */
int ctr_docker_apply_image(struct ctr_info *info, const char *json, size_t len);

/*
 * Calls fn for the "Id" of every container in GET /containers/json, up to
 * max ids. Returns how many were reported, or -EINVAL.
 */
int ctr_docker_parse_list(const char *json,
                          size_t len,
                          size_t max,
                          void (*fn)(const char *id, void *arg),
                          void *arg);

/* One message of GET /events. */
enum ctr_docker_action {
    CTR_DOCKER_ACTION_OTHER = 0,
    CTR_DOCKER_ACTION_CREATE,
    CTR_DOCKER_ACTION_START,
    CTR_DOCKER_ACTION_DESTROY,
};

/*
 * Parses one JSON line of the events stream. Fills the actor id (full id)
 * and its "image" attribute. Returns the action, or -EINVAL.
 */
int ctr_docker_parse_event(const char *json,
                           size_t len,
                           char *id,
                           size_t id_cap,
                           char *image,
                           size_t image_cap);

#endif /* CTR_DOCKER_H */
