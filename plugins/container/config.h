/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The plugin's init config (JSON; every key optional):
 *
 *   label_max_len      labels with longer values are dropped (100)
 *   with_size          ask runtimes for the container's writable size (false)
 *   hooks              runtime lifecycle events that trigger a lookup
 *                      (["create"]; "create", "start", "remove")
 *   host_root          prefix of every socket path (env HOST_ROOT, else "")
 *   log_level          "error" | "warning" | "info" | "debug" | "trace" ("info")
 *   lookup_timeout_ms  bound of one runtime API request (1000)
 *   max_containers     containers kept in memory (16384)
 *   engines            docker, podman, cri, containerd: {enabled, sockets};
 *                      lxc, libvirt_lxc, bpm: {enabled};
 *                      static: {enabled, container_id, container_name, container_image}
 *
 * Unknown keys and wrong types are errors naming the key path.
 */
#ifndef CTR_CONFIG_H
#define CTR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_types.h>

#define CTR_MAX_SOCKETS 16

struct ctr_engine_cfg {
    bool enabled;
    size_t n_sockets; /* 0: the engine's default sockets */
    char *sockets[CTR_MAX_SOCKETS];
};

struct ctr_config {
    uint32_t label_max_len;
    bool with_size;
    bool hook_create;
    bool hook_start;
    bool hook_remove;
    char *host_root;
    ss_plugin_log_severity log_level;
    uint32_t lookup_timeout_ms;
    uint32_t max_containers;
    struct ctr_engine_cfg docker;
    struct ctr_engine_cfg podman;
    struct ctr_engine_cfg cri;
    struct ctr_engine_cfg containerd;
    bool lxc;
    bool libvirt_lxc;
    bool bpm;
    bool static_enabled;
    char *static_id;
    char *static_name;
    char *static_image;
};

/* The JSON Schema of the config, a static string. */
const char *ctr_config_schema(void);

/*
 * Fills cfg from text (NULL or "" mean {}). Returns 0, or -EINVAL / -ENOMEM
 * with a message in err naming the offending key and what it should be.
 * cfg must be finalised with ctr_config_fini in both cases.
 */
int ctr_config_parse(struct ctr_config *cfg, const char *text, char *err, size_t cap);
void ctr_config_fini(struct ctr_config *cfg);

/* The CTR_ENGINE_* mask of enabled cgroup matchers. */
uint32_t ctr_config_engine_mask(const struct ctr_config *cfg);

#endif /* CTR_CONFIG_H */
