/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the plugin knows about one container, and its JSON form.
 *
 * The JSON is the payload of the "container" / "container_removed" async
 * events and of the legacy container_json events found in captures:
 * {"container": {"id": ..., "full_id": ..., "type": <int>, "name": ...,
 * "image": ..., "imageid", "imagerepo", "imagetag", "imagedigest", "User",
 * "privileged", "host_pid", "host_network", "host_ipc", "ip", "cni_json",
 * "is_pod_sandbox", "pod_sandbox_id", "pod_sandbox_labels", "labels",
 * "Mounts": [{"Source","Destination","Mode","RW","Propagation"}],
 * "port_mappings": [{"HostIp","HostPort","ContainerPort"}], "env",
 * "created_time", "cpu_period", "cpu_quota", "cpu_shares",
 * "cpuset_cpu_count", "memory_limit", "swap_limit", "size"}}
 * plus optional "Healthcheck" / "LivenessProbe" / "ReadinessProbe" objects
 * ({"exe": ..., "args": [...]}).
 *
 * An info is reference counted: the container map holds one reference and
 * the "last container event" slot another. It is only ever touched by the
 * plugin's event thread once published (the lookup worker builds it and
 * hands it over whole).
 */
#ifndef CTR_INFO_H
#define CTR_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctr_kv {
    char *key;
    char *value;
};

struct ctr_mount {
    char *source;
    char *dest;
    char *mode;
    char *propagation;
    bool rw;
};

struct ctr_port {
    uint32_t host_ip; /* host byte order */
    uint32_t host_port;
    uint32_t container_port;
};

enum ctr_probe_kind {
    CTR_PROBE_HEALTHCHECK = 0,
    CTR_PROBE_LIVENESS = 1,
    CTR_PROBE_READINESS = 2,
    CTR_PROBE_KINDS = 3,
};

struct ctr_probe {
    bool present;
    char *exe;
    char **args;
    size_t n_args;
};

struct ctr_info {
    uint32_t refs;
    int type; /* enum ctr_type */
    char *id; /* the short id threads carry; never NULL */
    char *full_id;
    char *name;
    char *image;
    char *imageid;
    char *imagerepo;
    char *imagetag;
    char *imagedigest;
    char *user;
    char *ip;
    char *cni_json;
    char *pod_sandbox_id;
    bool privileged;
    bool host_pid;
    bool host_network;
    bool host_ipc;
    bool is_pod_sandbox;
    struct ctr_kv *labels; /* sorted by key */
    size_t n_labels;
    struct ctr_kv *pod_labels; /* sorted by key */
    size_t n_pod_labels;
    struct ctr_mount *mounts;
    size_t n_mounts;
    struct ctr_port *ports;
    size_t n_ports;
    char **env;
    size_t n_env;
    struct ctr_probe probes[CTR_PROBE_KINDS];
    int64_t created_time; /* seconds since the epoch */
    int64_t cpu_period;
    int64_t cpu_quota;
    int64_t cpu_shares;
    int64_t cpuset_cpu_count;
    int64_t memory_limit;
    int64_t swap_limit;
    int64_t size; /* -1: unknown */
    /* Rendered once, for extraction. */
    char *labels_str;     /* container.labels */
    char *pod_labels_str; /* k8s.pod.labels */
    char *mounts_str;     /* container.mounts */
};

/* A zeroed info with every string "" and one reference; NULL on OOM. */
struct ctr_info *ctr_info_new(void);
/* The host's entry: id/full_id/name/type "host". NULL on OOM. */
struct ctr_info *ctr_info_new_host(void);
struct ctr_info *ctr_info_ref(struct ctr_info *info);
/* Drops one reference; frees at zero. NULL is a no-op. */
void ctr_info_unref(struct ctr_info *info);
/* For maps: ctr_info_unref with a void pointer. */
void ctr_info_unref_void(void *info);

/* Replaces *dst with a copy of src (NULL becomes ""). Returns 0 or -ENOMEM. */
int ctr_info_set_str(char **dst, const char *src);
/* Appends a label; later keys replace earlier ones. Returns 0 or -ENOMEM. */
int ctr_info_add_label(struct ctr_kv **kv, size_t *n, const char *key, const char *value);
/* Sorts labels by key and renders labels_str, pod_labels_str and mounts_str. */
int ctr_info_finish(struct ctr_info *info);

/* The value of a label, or NULL. */
const char *ctr_kv_get(const struct ctr_kv *kv, size_t n, const char *key);

/* "source:dest:mode:rdwr:propagation" into buf; returns the length or -1 when it does not fit. */
int ctr_mount_format(const struct ctr_mount *m, char *buf, size_t cap);

/*
 * Splits an image reference into repository, tag and digest the way the
 * runtime metadata does: "registry:5000/team/app:1.2@sha256:ab" gives
 * repository "registry:5000/team/app", tag "1.2", digest "sha256:ab".
 * Outputs are allocated; 0 or -ENOMEM.
 */
int ctr_image_split(const char *image, char **repo, char **tag, char **digest);

/* JSON text of info (the async payload); malloc'd, NULL on OOM. */
char *ctr_info_to_json(const struct ctr_info *info);
/*
 * Parses the async/legacy JSON payload (len bytes, need not be
 * NUL-terminated). Returns a new info (one reference), or NULL with a
 * message in err (cap bytes).
 */
struct ctr_info *ctr_info_from_json(const char *text, size_t len, char *err, size_t cap);

#endif /* CTR_INFO_H */
