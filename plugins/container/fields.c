/* SPDX-License-Identifier: Apache-2.0 */
#include "fields.h"

#include <pthread.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include <saker/plugin_api.h>

#define S FTYPE_STRING
#define B FTYPE_BOOL
#define DEPRECATED_K8S \
    "Deprecated: always empty. Kubernetes object metadata comes from the k8smeta plugin."

const struct ctr_field_info ctr_fields[F_COUNT] = {
    [F_CONTAINER_ID] = { "container.id", S, "Container ID",
                         "The short container id (12 characters for runc-based runtimes) read "
                         "from the process's cgroups, or 'host' for a process that runs in no "
                         "container. Known without asking the runtime.",
                         CTR_ARG_NONE, true, false },
    [F_CONTAINER_FULL_ID] = { "container.full_id", S, "Container Full ID",
                              "The full container id as the runtime reports it ('host' for host "
                              "processes). Empty until the runtime answered.",
                              CTR_ARG_NONE, false, false },
    [F_CONTAINER_NAME] = { "container.name", S, "Container Name",
                           "The container name given by the runtime (for Kubernetes, the "
                           "container's name in the pod); 'host' for host processes.",
                           CTR_ARG_NONE, true, false },
    [F_CONTAINER_IMAGE] = { "container.image", S, "Image Name",
                            "The image reference the container was started from, e.g. "
                            "docker.io/library/nginx:1.25.",
                            CTR_ARG_NONE, false, false },
    [F_CONTAINER_IMAGE_ID] = { "container.image.id", S, "Image ID",
                               "The image id, without the 'sha256:' prefix.", CTR_ARG_NONE, false,
                               false },
    [F_CONTAINER_TYPE] = { "container.type", S, "Type",
                           "The container runtime: docker, podman, containerd, cri-o, cri, lxc, "
                           "libvirt-lxc, bpm, or host.",
                           CTR_ARG_NONE, false, false },
    [F_CONTAINER_PRIVILEGED] = { "container.privileged", B, "Privileged",
                                 "True when the container runs privileged.", CTR_ARG_NONE, false,
                                 false },
    [F_CONTAINER_MOUNTS] = { "container.mounts", S, "Mounts",
                             "Every mount of the container as source:dest:mode:rdwr:propagation, "
                             "joined by commas.",
                             CTR_ARG_NONE, false, false },
    [F_CONTAINER_MOUNT] = { "container.mount", S, "Mount",
                            "One mount as source:dest:mode:rdwr:propagation, chosen by position "
                            "(container.mount[0]) or by a pattern searched in the mount source "
                            "(container.mount[/usr/local]).",
                            CTR_ARG_KEY_INDEX, false, false },
    [F_CONTAINER_MOUNT_SOURCE] = { "container.mount.source", S, "Mount Source",
                                   "The source of one mount, chosen by position or by a pattern "
                                   "searched in the mount destination.",
                                   CTR_ARG_KEY_INDEX, false, false },
    [F_CONTAINER_MOUNT_DEST] = { "container.mount.dest", S, "Mount Destination",
                                 "The destination of one mount, chosen by position or by a "
                                 "pattern searched in the mount source.",
                                 CTR_ARG_KEY_INDEX, false, false },
    [F_CONTAINER_MOUNT_MODE] = { "container.mount.mode", S, "Mount Mode",
                                 "The mode of one mount, chosen by position or by a pattern "
                                 "searched in the mount source.",
                                 CTR_ARG_KEY_INDEX, false, false },
    [F_CONTAINER_MOUNT_RDWR] = { "container.mount.rdwr", S, "Mount Read/Write",
                                 "'true' when one mount is writable, chosen by position or by a "
                                 "pattern searched in the mount source.",
                                 CTR_ARG_KEY_INDEX, false, false },
    [F_CONTAINER_MOUNT_PROPAGATION] = { "container.mount.propagation", S, "Mount Propagation",
                                        "The propagation of one mount (e.g. rprivate), chosen by "
                                        "position or by a pattern searched in the mount source.",
                                        CTR_ARG_KEY_INDEX, false, false },
    [F_CONTAINER_IMAGE_REPOSITORY] = { "container.image.repository", S, "Repository",
                                       "The image repository, e.g. docker.io/library/nginx or "
                                       "registry:5000/team/app.",
                                       CTR_ARG_NONE, true, false },
    [F_CONTAINER_IMAGE_TAG] = { "container.image.tag", S, "Image Tag",
                                "The image tag, e.g. 1.25 or latest.", CTR_ARG_NONE, true, false },
    [F_CONTAINER_IMAGE_DIGEST] = { "container.image.digest", S, "Registry Digest",
                                   "The image's registry digest, sha256:<hex>.", CTR_ARG_NONE,
                                   false, false },
    [F_CONTAINER_HEALTHCHECK] = { "container.healthcheck", S, "[Deprecated] Health Check",
                                  "Deprecated: always empty.", CTR_ARG_NONE, false, true },
    [F_CONTAINER_LIVENESS_PROBE] = { "container.liveness_probe", S, "[Deprecated] Liveness",
                                     "Deprecated: always empty.", CTR_ARG_NONE, false, true },
    [F_CONTAINER_READINESS_PROBE] = { "container.readiness_probe", S, "[Deprecated] Readiness",
                                      "Deprecated: always empty.", CTR_ARG_NONE, false, true },
    [F_CONTAINER_START_TS] = { "container.start_ts", FTYPE_ABSTIME, "Container Start",
                               "When the container started (ns since the epoch): the start of "
                               "the init process of the process's pid namespace, as the kernel "
                               "reports it.",
                               CTR_ARG_NONE, false, false },
    [F_CONTAINER_DURATION] = { "container.duration", FTYPE_RELTIME, "Container Duration",
                               "Nanoseconds from container.start_ts to the event.", CTR_ARG_NONE,
                               false, false },
    [F_CONTAINER_IP] = { "container.ip", S, "Container IP Address",
                         "The container's primary IPv4 address from the runtime.", CTR_ARG_NONE,
                         false, false },
    [F_CONTAINER_CNI_JSON] = { "container.cni.json", S, "Container CNI Result",
                               "The CNI result of the container's pod, as JSON text (CRI "
                               "runtimes).",
                               CTR_ARG_NONE, false, false },
    [F_CONTAINER_HOST_PID] = { "container.host_pid", B, "Host PID Namespace",
                               "True when the container shares the host's pid namespace.",
                               CTR_ARG_NONE, false, false },
    [F_CONTAINER_HOST_NETWORK] = { "container.host_network", B, "Host Network Namespace",
                                   "True when the container shares the host's network "
                                   "namespace.",
                                   CTR_ARG_NONE, false, false },
    [F_CONTAINER_HOST_IPC] = { "container.host_ipc", B, "Host IPC Namespace",
                               "True when the container shares the host's IPC namespace.",
                               CTR_ARG_NONE, false, false },
    [F_CONTAINER_LABEL] = { "container.label", S, "Container Label",
                            "The value of one container label: container.label[com.example.team] "
                            "or container.label.com.example.team.",
                            CTR_ARG_KEY, false, false },
    [F_CONTAINER_LABELS] = { "container.labels", S, "Container Labels",
                             "The container's labels as 'key:value' pairs joined by ', '.",
                             CTR_ARG_NONE, false, false },
    [F_PROC_IS_CONTAINER_HEALTHCHECK] = { "proc.is_container_healthcheck", B,
                                          "[Deprecated] Process Is Container Healthcheck",
                                          "Deprecated: always empty.", CTR_ARG_NONE, false, true },
    [F_PROC_IS_CONTAINER_LIVENESS_PROBE] = { "proc.is_container_liveness_probe", B,
                                             "[Deprecated] Process Is Container Liveness",
                                             "Deprecated: always empty.", CTR_ARG_NONE, false,
                                             true },
    [F_PROC_IS_CONTAINER_READINESS_PROBE] = { "proc.is_container_readiness_probe", B,
                                              "[Deprecated] Process Is Container Readiness",
                                              "Deprecated: always empty.", CTR_ARG_NONE, false,
                                              true },
    [F_K8S_POD_NAME] = { "k8s.pod.name", S, "Pod Name",
                         "The Kubernetes pod name, from the container's "
                         "io.kubernetes.pod.name label.",
                         CTR_ARG_NONE, true, false },
    [F_K8S_NS_NAME] = { "k8s.ns.name", S, "Namespace Name",
                        "The Kubernetes namespace, from the container's "
                        "io.kubernetes.pod.namespace label.",
                        CTR_ARG_NONE, true, false },
    [F_K8S_POD_ID] = { "k8s.pod.id", S, "Legacy Pod UID", "Legacy name of k8s.pod.uid.",
                       CTR_ARG_NONE, false, false },
    [F_K8S_POD_UID] = { "k8s.pod.uid", S, "Pod UID",
                        "The Kubernetes pod UID, from the io.kubernetes.pod.uid label.",
                        CTR_ARG_NONE, false, false },
    [F_K8S_POD_SANDBOX_ID] = { "k8s.pod.sandbox_id", S, "Pod Sandbox ID",
                               "The first 12 characters of the pod sandbox id.", CTR_ARG_NONE,
                               false, false },
    [F_K8S_POD_FULL_SANDBOX_ID] = { "k8s.pod.full_sandbox_id", S, "Pod Full Sandbox ID",
                                    "The full pod sandbox id.", CTR_ARG_NONE, false, false },
    [F_K8S_POD_LABEL] = { "k8s.pod.label", S, "Pod Label",
                          "The value of one pod label: k8s.pod.label[app] or "
                          "k8s.pod.label.app.",
                          CTR_ARG_KEY, false, false },
    [F_K8S_POD_LABELS] = { "k8s.pod.labels", S, "Pod Labels",
                           "The pod's labels as 'key:value' pairs joined by ', '.", CTR_ARG_NONE,
                           false, false },
    [F_K8S_POD_IP] = { "k8s.pod.ip", S, "Pod IP", "The pod's primary IPv4 address.", CTR_ARG_NONE,
                       false, false },
    [F_K8S_POD_CNI_JSON] = { "k8s.pod.cni.json", S, "Pod CNI Result",
                             "The pod's CNI result as JSON text.", CTR_ARG_NONE, false, false },
    [F_K8S_RC_NAME] = { "k8s.rc.name", S, "[Deprecated] Replication Controller Name",
                        DEPRECATED_K8S, CTR_ARG_NONE, false, true },
    [F_K8S_RC_ID] = { "k8s.rc.id", S, "[Deprecated] Replication Controller ID", DEPRECATED_K8S,
                      CTR_ARG_NONE, false, true },
    [F_K8S_RC_LABEL] = { "k8s.rc.label", S, "[Deprecated] Replication Controller Label",
                         DEPRECATED_K8S, CTR_ARG_KEY, false, true },
    [F_K8S_RC_LABELS] = { "k8s.rc.labels", S, "[Deprecated] Replication Controller Labels",
                          DEPRECATED_K8S, CTR_ARG_NONE, false, true },
    [F_K8S_SVC_NAME] = { "k8s.svc.name", S, "[Deprecated] Service Name", DEPRECATED_K8S,
                         CTR_ARG_NONE, false, true },
    [F_K8S_SVC_ID] = { "k8s.svc.id", S, "[Deprecated] Service ID", DEPRECATED_K8S, CTR_ARG_NONE,
                       false, true },
    [F_K8S_SVC_LABEL] = { "k8s.svc.label", S, "[Deprecated] Service Label", DEPRECATED_K8S,
                          CTR_ARG_KEY, false, true },
    [F_K8S_SVC_LABELS] = { "k8s.svc.labels", S, "[Deprecated] Service Labels", DEPRECATED_K8S,
                           CTR_ARG_NONE, false, true },
    [F_K8S_NS_ID] = { "k8s.ns.id", S, "[Deprecated] Namespace ID", DEPRECATED_K8S, CTR_ARG_NONE,
                      false, true },
    [F_K8S_NS_LABEL] = { "k8s.ns.label", S, "[Deprecated] Namespace Label", DEPRECATED_K8S,
                         CTR_ARG_KEY, false, true },
    [F_K8S_NS_LABELS] = { "k8s.ns.labels", S, "[Deprecated] Namespace Labels", DEPRECATED_K8S,
                          CTR_ARG_NONE, false, true },
    [F_K8S_RS_NAME] = { "k8s.rs.name", S, "[Deprecated] Replica Set Name", DEPRECATED_K8S,
                        CTR_ARG_NONE, false, true },
    [F_K8S_RS_ID] = { "k8s.rs.id", S, "[Deprecated] Replica Set ID", DEPRECATED_K8S, CTR_ARG_NONE,
                      false, true },
    [F_K8S_RS_LABEL] = { "k8s.rs.label", S, "[Deprecated] Replica Set Label", DEPRECATED_K8S,
                         CTR_ARG_KEY, false, true },
    [F_K8S_RS_LABELS] = { "k8s.rs.labels", S, "[Deprecated] Replica Set Labels", DEPRECATED_K8S,
                          CTR_ARG_NONE, false, true },
    [F_K8S_DEPLOYMENT_NAME] = { "k8s.deployment.name", S, "[Deprecated] Deployment Name",
                                DEPRECATED_K8S, CTR_ARG_NONE, false, true },
    [F_K8S_DEPLOYMENT_ID] = { "k8s.deployment.id", S, "[Deprecated] Deployment ID", DEPRECATED_K8S,
                              CTR_ARG_NONE, false, true },
    [F_K8S_DEPLOYMENT_LABEL] = { "k8s.deployment.label", S, "[Deprecated] Deployment Label",
                                 DEPRECATED_K8S, CTR_ARG_KEY, false, true },
    [F_K8S_DEPLOYMENT_LABELS] = { "k8s.deployment.labels", S, "[Deprecated] Deployment Labels",
                                  DEPRECATED_K8S, CTR_ARG_NONE, false, true },
};

static const char *type_name(uint32_t t)
{
    switch (t) {
    case FTYPE_BOOL:
        return "bool";
    case FTYPE_ABSTIME:
        return "abstime";
    case FTYPE_RELTIME:
        return "reltime";
    case FTYPE_UINT64:
        return "uint64";
    default:
        return "string";
    }
}

/*
 * Built once into static storage rather than the heap: a host may dlclose the
 * library, and a heap copy held by a static pointer would then leak.
 */
static char json_text[24576];
static bool json_ok;
static pthread_once_t json_once = PTHREAD_ONCE_INIT;

static cJSON *field_json(const struct ctr_field_info *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *arg;
    bool ok;

    if (o == NULL) {
        return NULL;
    }
    ok = cJSON_AddStringToObject(o, "type", type_name(f->type)) != NULL &&
         cJSON_AddStringToObject(o, "name", f->name) != NULL &&
         cJSON_AddStringToObject(o, "display", f->display) != NULL &&
         cJSON_AddStringToObject(o, "desc", f->desc) != NULL;
    if (ok && f->arg != CTR_ARG_NONE) {
        arg = cJSON_AddObjectToObject(o, "arg");
        ok = arg != NULL && cJSON_AddBoolToObject(arg, "isRequired", 1) != NULL &&
             cJSON_AddBoolToObject(arg, "isKey", 1) != NULL &&
             cJSON_AddBoolToObject(arg, "isIndex", f->arg == CTR_ARG_KEY_INDEX) != NULL;
        /* label[key] may also be written label.key (a Saker extension Falco ignores). */
        if (ok && f->arg == CTR_ARG_KEY) {
            ok = cJSON_AddBoolToObject(arg, "isDotted", 1) != NULL;
        }
    }
    if (ok && f->deprecated) {
        cJSON *props = cJSON_AddArrayToObject(o, "properties");
        cJSON *d = cJSON_CreateString("deprecated");
        ok = props != NULL && d != NULL && cJSON_AddItemToArray(props, d);
        if (!ok) {
            cJSON_Delete(d);
        }
    }
    if (ok && f->suggested_output) {
        ok = cJSON_AddBoolToObject(o, "addOutput", 1) != NULL;
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static void build_json(void)
{
    cJSON *arr = cJSON_CreateArray();

    for (int i = 0; arr != NULL && i < F_COUNT; i++) {
        cJSON *o = field_json(&ctr_fields[i]);
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(arr);
            return;
        }
    }
    if (arr != NULL) {
        json_ok = cJSON_PrintPreallocated(arr, json_text, (int)sizeof(json_text), 0);
        cJSON_Delete(arr);
    }
}

const char *ctr_fields_json(void)
{
    pthread_once(&json_once, build_json);
    return json_ok ? json_text : NULL;
}
