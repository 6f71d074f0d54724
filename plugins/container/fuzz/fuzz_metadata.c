/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: runtime API responses and container-event payloads.
 * The input is read as a container inspect, an image inspect, a container
 * list, an events line and an async payload; whatever parses must render
 * and survive a JSON round trip with the same id.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "info.h"

static void count(const char *id, void *arg)
{
    (*(size_t *)arg)++;
}

static void roundtrip(struct ctr_info *info)
{
    char err[256];
    char *json;
    struct ctr_info *back;

    if (ctr_info_finish(info) < 0) {
        return;
    }
    json = ctr_info_to_json(info);
    if (json == NULL) {
        return;
    }
    back = ctr_info_from_json(json, strlen(json), err, sizeof(err));
    if (back == NULL || strcmp(back->id, info->id) != 0 ||
        strcmp(back->mounts_str, info->mounts_str) != 0 ||
        strcmp(back->labels_str, info->labels_str) != 0) {
        __builtin_trap();
    }
    ctr_info_unref(back);
    free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct ctr_docker_followup next;
    char err[256];
    char id[80];
    char image[80];
    size_t n = 0;
    struct ctr_info *info;

    info = ctr_docker_parse_container(text, size, CTR_TYPE_DOCKER, 100, &next, err, sizeof(err));
    if (info != NULL) {
        ctr_docker_apply_image(info, text, size);
        roundtrip(info);
        ctr_info_unref(info);
    }
    ctr_docker_parse_list(text, size, 64, count, &n);
    ctr_docker_parse_event(text, size, id, sizeof(id), image, sizeof(image));
    info = ctr_info_from_json(text, size, err, sizeof(err));
    if (info != NULL) {
        roundtrip(info);
        ctr_info_unref(info);
    }
    return 0;
}
