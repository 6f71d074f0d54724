/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fields the plugin extracts, in get_fields order (the order is the
 * field_id the host passes back, and matches the reference plugin's).
 */
#ifndef CTR_FIELDS_H
#define CTR_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

enum ctr_field {
    F_CONTAINER_ID,
    F_CONTAINER_FULL_ID,
    F_CONTAINER_NAME,
    F_CONTAINER_IMAGE,
    F_CONTAINER_IMAGE_ID,
    F_CONTAINER_TYPE,
    F_CONTAINER_PRIVILEGED,
    F_CONTAINER_MOUNTS,
    F_CONTAINER_MOUNT,
    F_CONTAINER_MOUNT_SOURCE,
    F_CONTAINER_MOUNT_DEST,
    F_CONTAINER_MOUNT_MODE,
    F_CONTAINER_MOUNT_RDWR,
    F_CONTAINER_MOUNT_PROPAGATION,
    F_CONTAINER_IMAGE_REPOSITORY,
    F_CONTAINER_IMAGE_TAG,
    F_CONTAINER_IMAGE_DIGEST,
    F_CONTAINER_HEALTHCHECK,
    F_CONTAINER_LIVENESS_PROBE,
    F_CONTAINER_READINESS_PROBE,
    F_CONTAINER_START_TS,
    F_CONTAINER_DURATION,
    F_CONTAINER_IP,
    F_CONTAINER_CNI_JSON,
    F_CONTAINER_HOST_PID,
    F_CONTAINER_HOST_NETWORK,
    F_CONTAINER_HOST_IPC,
    F_CONTAINER_LABEL,
    F_CONTAINER_LABELS,
    F_PROC_IS_CONTAINER_HEALTHCHECK,
    F_PROC_IS_CONTAINER_LIVENESS_PROBE,
    F_PROC_IS_CONTAINER_READINESS_PROBE,
    F_K8S_POD_NAME,
    F_K8S_NS_NAME,
    F_K8S_POD_ID,
    F_K8S_POD_UID,
    F_K8S_POD_SANDBOX_ID,
    F_K8S_POD_FULL_SANDBOX_ID,
    F_K8S_POD_LABEL,
    F_K8S_POD_LABELS,
    F_K8S_POD_IP,
    F_K8S_POD_CNI_JSON,
    /* deprecated: never a value */
    F_K8S_RC_NAME,
    F_K8S_RC_ID,
    F_K8S_RC_LABEL,
    F_K8S_RC_LABELS,
    F_K8S_SVC_NAME,
    F_K8S_SVC_ID,
    F_K8S_SVC_LABEL,
    F_K8S_SVC_LABELS,
    F_K8S_NS_ID,
    F_K8S_NS_LABEL,
    F_K8S_NS_LABELS,
    F_K8S_RS_NAME,
    F_K8S_RS_ID,
    F_K8S_RS_LABEL,
    F_K8S_RS_LABELS,
    F_K8S_DEPLOYMENT_NAME,
    F_K8S_DEPLOYMENT_ID,
    F_K8S_DEPLOYMENT_LABEL,
    F_K8S_DEPLOYMENT_LABELS,
    F_COUNT,
};

/* Argument kinds. */
#define CTR_ARG_NONE      0
#define CTR_ARG_KEY       1 /* required [key] */
#define CTR_ARG_KEY_INDEX 2 /* required [key] or [index] */

struct ctr_field_info {
    const char *name;
    uint32_t type; /* FTYPE_* */
    const char *display;
    const char *desc;
    int arg;
    bool suggested_output;
    bool deprecated;
};

extern const struct ctr_field_info ctr_fields[F_COUNT];

/* The get_fields JSON, built once; static for the library's life. NULL on OOM. */
const char *ctr_fields_json(void);

#endif /* CTR_FIELDS_H */
