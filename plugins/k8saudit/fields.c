/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ka.* fields. Names, order (= field id), types and argument forms are
 * those of the upstream k8saudit plugin 0.18.0, so its rule files work
 * unchanged; every value is a string, as upstream. See README.md for the
 * few places where the values knowingly differ.
 */
#include <stdlib.h>
#include <string.h>

#include "k8saudit.h"

/* X(id, name, list, arg, desc): list is L (a list) or S (single); arg is NONE, INDEX or KEY. */
#define CONTAINER_FIELDS(X, P, PN, LAST_HOSTPORT)                                                \
    X(P##_NAME, "ka.req.pod." PN ".name", L, INDEX, "Names of the pod's " PN ".")                \
    X(P##_IMAGE, "ka.req.pod." PN ".image", L, INDEX, "Images of the pod's " PN ".")             \
    X(P##_IMAGE_REPO, "ka.req.pod." PN ".image.repository", L, INDEX,                            \
      "Images of the pod's " PN " without tag or digest (e.g. falcosecurity/falco).")            \
    X(P##_COMMAND, "ka.req.pod." PN ".command", L, INDEX,                                        \
      "Command of each of the pod's " PN ", words joined by spaces.")                            \
    X(P##_ARGS, "ka.req.pod." PN ".args", L, INDEX,                                              \
      "Arguments of each of the pod's " PN ", joined by spaces.")                                \
    X(P##_PRIVILEGED, "ka.req.pod." PN ".privileged", L, INDEX,                                  \
      "securityContext.privileged of the pod's " PN ".")                                         \
    X(P##_APE, "ka.req.pod." PN ".allow_privilege_escalation", L, INDEX,                         \
      "securityContext.allowPrivilegeEscalation of the pod's " PN ".")                           \
    X(P##_ROFS, "ka.req.pod." PN ".read_only_fs", L, INDEX,                                      \
      "securityContext.readOnlyRootFilesystem of the pod's " PN ".")                             \
    X(P##_RUN_AS_USER, "ka.req.pod." PN ".run_as_user", L, INDEX,                                \
      "securityContext.runAsUser of the pod's " PN ".")                                          \
    X(P##_EFF_RUN_AS_USER, "ka.req.pod." PN ".eff_run_as_user", L, INDEX,                        \
      "User id each of the pod's " PN " starts with: its own runAsUser, else the pod's, else "   \
      "0.")                                                                                      \
    X(P##_RUN_AS_GROUP, "ka.req.pod." PN ".run_as_group", L, INDEX,                              \
      "securityContext.runAsGroup of the pod's " PN ".")                                         \
    X(P##_EFF_RUN_AS_GROUP, "ka.req.pod." PN ".eff_run_as_group", L, INDEX,                      \
      "Group id each of the pod's " PN " starts with: its own runAsGroup, else the pod's, else " \
      "0.")                                                                                      \
    X(P##_PROC_MOUNT, "ka.req.pod." PN ".proc_mount", L, INDEX,                                  \
      "securityContext.procMount of the pod's " PN ".")                                          \
    LAST_HOSTPORT(P##_ADD_CAPS, "ka.req.pod." PN ".add_capabilities", L, INDEX,                  \
                  "securityContext.capabilities.add of each of the pod's " PN ", as JSON.")

#define INIT_HOSTPORT(X)                                               \
    X(INIT_HOST_PORT, "ka.req.pod.initContainers.host_port", L, INDEX, \
      "hostPort of every port of the pod's initContainers (containerPort when no hostPort).")

#define K8S_FIELDS(X, XLAST)                                                                      \
    X(AUDITID, "ka.auditid", S, NONE, "Unique id of the audit event.")                            \
    X(STAGE, "ka.stage", S, NONE,                                                                 \
      "Stage of the request the event was written at (RequestReceived, ResponseStarted, "         \
      "ResponseComplete, Panic).")                                                                \
    X(AUTH_DECISION, "ka.auth.decision", S, NONE, "Authorization decision (allow or forbid).")    \
    X(AUTH_REASON, "ka.auth.reason", S, NONE, "Why the authorizer decided as it did.")            \
    X(AUTH_OS_DECISION, "ka.auth.openshift.decision", S, NONE,                                    \
      "Decision of the OpenShift authentication layer (OpenShift only).")                         \
    X(VAP_FAILURE, "ka.validations.admission.policy.failure", S, NONE,                            \
      "Failure reported by a ValidatingAdmissionPolicy.")                                         \
    X(POD_VIOLATIONS, "ka.security.pod.violations", S, NONE,                                      \
      "Pod Security admission violations found in audit mode.")                                   \
    X(AUTH_OS_USERNAME, "ka.auth.openshift.username", S, NONE,                                    \
      "User name seen by the OpenShift authentication layer (OpenShift only).")                   \
    X(USER_NAME, "ka.user.name", S, NONE, "User who made the request.")                           \
    X(USER_GROUPS, "ka.user.groups", L, NONE, "Groups of the user who made the request.")         \
    X(IMPUSER_NAME, "ka.impuser.name", S, NONE, "User the request impersonated.")                 \
    X(VERB, "ka.verb", S, NONE, "Verb of the request (get, list, create, patch, delete, ...).")   \
    X(URI, "ka.uri", S, NONE, "Request URI as the client sent it.")                               \
    X(URI_PARAM, "ka.uri.param", S, KEY,                                                          \
      "First value of the named query parameter of the request URI (ka.uri.param[command]).")     \
    X(TARGET_NAME, "ka.target.name", S, NONE, "Name of the object the request acts on.")          \
    X(TARGET_NAMESPACE, "ka.target.namespace", S, NONE, "Namespace of the object acted on.")      \
    X(TARGET_RESOURCE, "ka.target.resource", S, NONE,                                             \
      "Resource kind acted on (pods, secrets...).")                                               \
    X(TARGET_SUBRESOURCE, "ka.target.subresource", S, NONE,                                       \
      "Subresource acted on (exec, attach, log, ...).")                                           \
    X(TARGET_POD_NAME, "ka.target.pod.name", S, NONE,                                             \
      "Name of the pod in the response, for requests on pods themselves (no subresource).")       \
    X(BINDING_SUBJECTS, "ka.req.binding.subjects", L, NONE,                                       \
      "Subjects a role binding in the request binds, each as JSON.")                              \
    X(BINDING_USERS, "ka.req.binding.subjects.user_names", L, NONE,                               \
      "Names of the User subjects of a role binding in the request.")                             \
    X(BINDING_SAS, "ka.req.binding.subjects.serviceaccount_names", L, NONE,                       \
      "Names of the ServiceAccount subjects of a role binding in the request.")                   \
    X(BINDING_SA_NS, "ka.req.binding.subjects.serviceaccount_ns_names", L, NONE,                  \
      "ServiceAccount subjects of a role binding in the request, as namespace:name.")             \
    X(BINDING_GROUPS, "ka.req.binding.subjects.group_names", L, NONE,                             \
      "Names of the Group subjects of a role binding in the request.")                            \
    X(BINDING_ROLE, "ka.req.binding.role", S, NONE,                                               \
      "Role a binding in the request grants (roleRef.name).")                                     \
    X(BINDING_HAS_NAME, "ka.req.binding.subject.has_name", S, KEY,                                \
      "Deprecated, kept so old rules load: always true.")                                         \
    X(CONFIGMAP_NAME, "ka.req.configmap.name", S, NONE, "Name of the configmap acted on.")        \
    X(CONFIGMAP_OBJ, "ka.req.configmap.obj", S, NONE,                                             \
      "Data of the configmap in the request, as JSON.")                                           \
    X(C_ARGS, "ka.req.pod.containers.args", L, INDEX,                                             \
      "Arguments of each of the pod's containers, joined by spaces.")                             \
    X(C_COMMAND, "ka.req.pod.containers.command", L, INDEX,                                       \
      "Command of each of the pod's containers, words joined by spaces.")                         \
    X(C_NAME, "ka.req.pod.containers.name", L, INDEX, "Names of the pod's containers.")           \
    X(C_IMAGE, "ka.req.pod.containers.image", L, INDEX, "Images of the pod's containers.")        \
    X(CONTAINER_IMAGE, "ka.req.container.image", S, NONE,                                         \
      "Deprecated (use ka.req.pod.containers.image): image of the first container.")              \
    X(C_IMAGE_REPO, "ka.req.pod.containers.image.repository", L, INDEX,                           \
      "Images of the pod's containers without tag or digest (e.g. falcosecurity/falco).")         \
    X(CONTAINER_IMAGE_REPO, "ka.req.container.image.repository", S, NONE,                         \
      "Deprecated (use ka.req.pod.containers.image.repository): repository of the first "         \
      "container.")                                                                               \
    X(HOST_IPC, "ka.req.pod.host_ipc", S, NONE, "hostIPC of the pod in the request.")             \
    X(HOST_NETWORK, "ka.req.pod.host_network", S, NONE, "hostNetwork of the pod in the request.") \
    X(CONTAINER_HOST_NETWORK, "ka.req.container.host_network", S, NONE,                           \
      "Deprecated alias of ka.req.pod.host_network.")                                             \
    X(HOST_PID, "ka.req.pod.host_pid", S, NONE, "hostPID of the pod in the request.")             \
    X(C_HOST_PORT, "ka.req.pod.containers.host_port", L, INDEX,                                   \
      "hostPort of every port of the pod's containers (containerPort when no hostPort).")         \
    X(C_PRIVILEGED, "ka.req.pod.containers.privileged", L, INDEX,                                 \
      "securityContext.privileged of the pod's containers.")                                      \
    X(CONTAINER_PRIVILEGED, "ka.req.container.privileged", S, NONE,                               \
      "Deprecated (use ka.req.pod.containers.privileged): true when any container is "            \
      "privileged.")                                                                              \
    X(C_APE, "ka.req.pod.containers.allow_privilege_escalation", L, INDEX,                        \
      "securityContext.allowPrivilegeEscalation of the pod's containers.")                        \
    X(C_ROFS, "ka.req.pod.containers.read_only_fs", L, INDEX,                                     \
      "securityContext.readOnlyRootFilesystem of the pod's containers.")                          \
    X(POD_RUN_AS_USER, "ka.req.pod.run_as_user", S, NONE,                                         \
      "runAsUser of the pod-level securityContext.")                                              \
    X(C_RUN_AS_USER, "ka.req.pod.containers.run_as_user", L, INDEX,                               \
      "securityContext.runAsUser of the pod's containers.")                                       \
    X(C_EFF_RUN_AS_USER, "ka.req.pod.containers.eff_run_as_user", L, INDEX,                       \
      "User id each container starts with: its own runAsUser, else the pod's, else 0.")           \
    X(POD_RUN_AS_GROUP, "ka.req.pod.run_as_group", S, NONE,                                       \
      "runAsGroup of the pod-level securityContext.")                                             \
    X(C_RUN_AS_GROUP, "ka.req.pod.containers.run_as_group", L, INDEX,                             \
      "securityContext.runAsGroup of the pod's containers.")                                      \
    X(C_EFF_RUN_AS_GROUP, "ka.req.pod.containers.eff_run_as_group", L, INDEX,                     \
      "Group id each container starts with: its own runAsGroup, else the pod's, else 0.")         \
    X(C_PROC_MOUNT, "ka.req.pod.containers.proc_mount", L, INDEX,                                 \
      "securityContext.procMount of the pod's containers.")                                       \
    X(ROLE_RULES, "ka.req.role.rules", L, NONE, "Rules of a role in the request, each as JSON.")  \
    X(ROLE_API_GROUPS, "ka.req.role.rules.apiGroups", L, INDEX,                                   \
      "apiGroups of the rules of a role in the request.")                                         \
    X(ROLE_NON_RESOURCE_URLS, "ka.req.role.rules.nonResourceURLs", L, INDEX,                      \
      "nonResourceURLs of the rules of a role in the request.")                                   \
    X(ROLE_VERBS, "ka.req.role.rules.verbs", L, INDEX,                                            \
      "Verbs of the rules of a role in the request.")                                             \
    X(ROLE_RESOURCES, "ka.req.role.rules.resources", L, INDEX,                                    \
      "Resources of the rules of a role in the request.")                                         \
    X(FS_GROUP, "ka.req.pod.fs_group", S, NONE, "fsGroup of the pod-level securityContext.")      \
    X(SUPPLEMENTAL_GROUPS, "ka.req.pod.supplemental_groups", L, NONE,                             \
      "supplementalGroups of the pod-level securityContext.")                                     \
    X(C_ADD_CAPS, "ka.req.pod.containers.add_capabilities", L, INDEX,                             \
      "securityContext.capabilities.add of each container, as JSON.")                             \
    X(SERVICE_TYPE, "ka.req.service.type", S, NONE, "Type of the service in the request.")        \
    X(SERVICE_PORTS, "ka.req.service.ports", L, INDEX,                                            \
      "Ports of the service in the request, each as JSON.")                                       \
    X(VOLUMES_HOSTPATH, "ka.req.pod.volumes.hostpath", L, INDEX,                                  \
      "hostPath paths of the pod's volumes.")                                                     \
    X(VOLUME_HOSTPATH, "ka.req.volume.hostpath", S, KEY,                                          \
      "Deprecated (use ka.req.pod.volumes.hostpath): true when a hostPath volume uses the given " \
      "path (a trailing * matches a prefix), else false.")                                        \
    X(VOLUMES_FLEX, "ka.req.pod.volumes.flexvolume_driver", L, INDEX,                             \
      "flexVolume drivers of the pod's volumes.")                                                 \
    X(VOLUMES_TYPE, "ka.req.pod.volumes.volume_type", L, INDEX,                                   \
      "Type keys (hostPath, secret, emptyDir, ...) of the pod's volumes.")                        \
    X(RESP_NAME, "ka.resp.name", S, NONE, "Name of the object in the response.")                  \
    X(RESPONSE_CODE, "ka.response.code", S, NONE, "HTTP status code of the response.")            \
    X(RESPONSE_REASON, "ka.response.reason", S, NONE,                                             \
      "Reason given with the response status (mostly on failures).")                              \
    X(USERAGENT, "ka.useragent", S, NONE, "User agent of the client.")                            \
    X(SOURCEIPS, "ka.sourceips", L, INDEX, "Addresses the request came from.")                    \
    X(CLUSTER_NAME, "ka.cluster.name", S, NONE, "Cluster name annotation of the event.")          \
    CONTAINER_FIELDS(X, INIT, "initContainers", X)                                                \
    INIT_HOSTPORT(X)                                                                              \
    CONTAINER_FIELDS(X, EPH, "ephemeralContainers", XLAST)

enum k8s_field {
#define FIELD_ENUM(id, name, list, arg, desc) K_##id,
    K8S_FIELDS(FIELD_ENUM, FIELD_ENUM)
#undef FIELD_ENUM
    K__COUNT
};

_Static_assert(K__COUNT == 100, "upstream k8saudit 0.18.0 exports 100 fields");

#define JSON_LIST_L    ",\"isList\":true"
#define JSON_LIST_S    ""
#define JSON_ARG_NONE  ""
#define JSON_ARG_INDEX ",\"arg\":{\"isRequired\":false,\"isIndex\":true,\"isKey\":false}"
#define JSON_ARG_KEY   ",\"arg\":{\"isRequired\":true,\"isIndex\":false,\"isKey\":true}"
#define FIELD_JSON(id, name, list, arg, desc)                     \
    "{\"type\":\"string\",\"name\":\"" name "\",\"desc\":\"" desc \
    "\"" JSON_LIST_##list JSON_ARG_##arg "},"
#define FIELD_JSON_LAST(id, name, list, arg, desc)                \
    "{\"type\":\"string\",\"name\":\"" name "\",\"desc\":\"" desc \
    "\"" JSON_LIST_##list JSON_ARG_##arg "}"

const char K8S_FIELDS_JSON[] = "[" K8S_FIELDS(FIELD_JSON, FIELD_JSON_LAST) "]";

/* ---- Collecting values -------------------------------------------------------------- */

static int vlist_push(struct k8s_vlist *l, const cJSON *v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        const cJSON **p = realloc(l->v, cap * sizeof(*p));
        if (p == NULL) {
            return -1;
        }
        l->v = p;
        l->cap = cap;
    }
    l->v[l->n++] = v;
    return 0;
}

enum {
    COLLECT_OK = 0,
    COLLECT_NA = 1,
    COLLECT_OOM = -1
};

/*
 * Walks keys from v. An array met before a key is expanded: every element
 * (an element lacking the rest of the path adds a NULL slot) or, with
 * idx >= 0, only element idx. "" as a key stands for the element itself. The
 * value found after the last key is added as it is, arrays included.
 */
static int collect(struct k8s_vlist *out,
                   const cJSON *v,
                   int64_t idx,
                   const char *const *keys,
                   size_t nkeys)
{
    for (size_t i = 0; i < nkeys; i++) {
        if (cJSON_IsArray(v)) {
            if (idx < 0) {
                for (const cJSON *c = v->child; c != NULL; c = c->next) {
                    int rc = collect(out, c, idx, keys + i, nkeys - i);
                    if (rc == COLLECT_OOM || (rc == COLLECT_NA && vlist_push(out, NULL) < 0)) {
                        return COLLECT_OOM;
                    }
                }
                return COLLECT_OK;
            }
            v = cJSON_GetArrayItem(v, (int)idx);
            if (v == NULL) {
                return COLLECT_NA;
            }
        }
        if (keys[i][0] != '\0') {
            v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, keys[i]) : NULL;
        }
        if (v == NULL) {
            return COLLECT_NA;
        }
    }
    return vlist_push(out, v) < 0 ? COLLECT_OOM : COLLECT_OK;
}

/* ---- Results ---------------------------------------------------------------------- */

/* Adds v's text form to the list (strings by reference: they live as long as the document). */
static int add_text(struct k8s_state *st, const cJSON *v)
{
    size_t len;
    const char *t;

    if (cJSON_IsString(v) && v->valuestring != NULL) {
        return jk_strlist_add_ref(&st->list, v->valuestring);
    }
    t = jk_text(&st->text, v, &len);
    if (t == NULL) {
        return -1;
    }
    return jk_strlist_add(&st->list, &st->store, t, len);
}

static int set_text(struct k8s_state *st, ss_plugin_extract_field *f, const cJSON *v)
{
    if (v == NULL) {
        return 0;
    }
    if (add_text(st, v) < 0) {
        return -1;
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

static int set_literal(struct k8s_state *st, ss_plugin_extract_field *f, const char *s)
{
    if (jk_strlist_add_ref(&st->list, s) < 0) {
        return -1;
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

/* Every collected value, NULL slots skipped. */
static int add_all_skip_null(struct k8s_state *st)
{
    for (size_t i = 0; i < st->vals.n; i++) {
        if (st->vals.v[i] != NULL && add_text(st, st->vals.v[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Every collected value; a NULL slot makes the whole field absent (returns 1). */
static int add_all_strict(struct k8s_state *st)
{
    for (size_t i = 0; i < st->vals.n; i++) {
        if (st->vals.v[i] == NULL) {
            jk_strlist_reset(&st->list);
            return 1;
        }
        if (add_text(st, st->vals.v[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

/* The elements of an array value, each as text; a non-array makes the field absent. */
static int set_array_items(struct k8s_state *st, ss_plugin_extract_field *f, const cJSON *v)
{
    if (!cJSON_IsArray(v)) {
        return 0;
    }
    for (const cJSON *c = v->child; c != NULL; c = c->next) {
        if (add_text(st, c) < 0) {
            return -1;
        }
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

static int64_t index_filter(const ss_plugin_extract_field *f)
{
    if (!f->arg_present || f->arg_key != NULL) {
        return -1;
    }
    return f->arg_index > INT32_MAX ? INT32_MAX : (int64_t)f->arg_index;
}

/* Repository part of an image reference: upstream cuts at the first ':' then at '@'. */
static int add_repository(struct k8s_state *st, const char *image)
{
    size_t n = strcspn(image, ":");
    const char *at = memchr(image, '@', n);

    if (at != NULL) {
        n = (size_t)(at - image);
    }
    return jk_strlist_add(&st->list, &st->store, image, n);
}

/* ---- Containers -------------------------------------------------------------------- */

enum c_attr {
    A_NAME,
    A_IMAGE,
    A_IMAGE_REPO,
    A_COMMAND,
    A_ARGS,
    A_PRIVILEGED,
    A_APE,
    A_ROFS,
    A_RUN_AS_USER,
    A_EFF_RUN_AS_USER,
    A_RUN_AS_GROUP,
    A_EFF_RUN_AS_GROUP,
    A_PROC_MOUNT,
    A_ADD_CAPS,
    A_HOST_PORT,
};

static int join_words(struct k8s_state *st, const cJSON *v)
{
    if (!cJSON_IsArray(v)) {
        return add_text(st, v);
    }
    st->join.len = 0;
    for (const cJSON *c = v->child; c != NULL; c = c->next) {
        size_t len;
        const char *t;
        if (c != v->child && jk_buf_append(&st->join, " ", 1) < 0) {
            return -1;
        }
        /* the element's text goes to the text buffer, then into join */
        t = jk_text(&st->text, c, &len);
        if (t == NULL || jk_buf_append(&st->join, t, len) < 0) {
            return -1;
        }
    }
    return jk_strlist_add(&st->list, &st->store, st->join.p ? st->join.p : "", st->join.len);
}

static int host_ports(struct k8s_state *st)
{
    for (size_t i = 0; i < st->vals.n; i++) {
        const cJSON *ports = st->vals.v[i];
        if (ports == NULL) {
            continue;
        }
        if (!cJSON_IsArray(ports)) {
            jk_strlist_reset(&st->list);
            return 1;
        }
        for (const cJSON *p = ports->child; p != NULL; p = p->next) {
            const cJSON *hp =
                    cJSON_IsObject(p) ? cJSON_GetObjectItemCaseSensitive(p, "hostPort") : NULL;
            const cJSON *cp =
                    cJSON_IsObject(p) ? cJSON_GetObjectItemCaseSensitive(p, "containerPort") : NULL;
            if ((hp != NULL || cp != NULL) && add_text(st, hp != NULL ? hp : cp) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int container_field(struct k8s_state *st,
                           const cJSON *root,
                           ss_plugin_extract_field *f,
                           const char *list,
                           enum c_attr attr)
{
    static const char *const sc_key[] = {
        [A_PRIVILEGED] = "privileged",       [A_APE] = "allowPrivilegeEscalation",
        [A_ROFS] = "readOnlyRootFilesystem", [A_RUN_AS_USER] = "runAsUser",
        [A_EFF_RUN_AS_USER] = "runAsUser",   [A_RUN_AS_GROUP] = "runAsGroup",
        [A_EFF_RUN_AS_GROUP] = "runAsGroup", [A_PROC_MOUNT] = "procMount",
    };
    int64_t idx = index_filter(f);
    const char *keys[6] = { "requestObject", "spec", list, NULL, NULL, NULL };
    size_t nkeys = 4;
    int rc;

    switch (attr) {
    case A_NAME:
        keys[3] = "name";
        break;
    case A_IMAGE:
    case A_IMAGE_REPO:
        keys[3] = "image";
        break;
    case A_COMMAND:
        keys[3] = "command";
        break;
    case A_ARGS:
        keys[3] = "args";
        break;
    case A_HOST_PORT:
        keys[3] = "ports";
        break;
    case A_ADD_CAPS:
        keys[3] = "securityContext";
        keys[4] = "capabilities";
        keys[5] = "add";
        nkeys = 6;
        break;
    default:
        keys[3] = "securityContext";
        keys[4] = sc_key[attr];
        nkeys = 5;
        break;
    }
    rc = collect(&st->vals, root, idx, keys, nkeys);
    if (rc != COLLECT_OK) {
        return rc == COLLECT_OOM ? -1 : 0;
    }
    switch (attr) {
    case A_IMAGE:
        rc = add_all_strict(st);
        break;
    case A_IMAGE_REPO:
        rc = 0;
        for (size_t i = 0; i < st->vals.n && rc == 0; i++) {
            const cJSON *v = st->vals.v[i];
            if (v == NULL) {
                jk_strlist_reset(&st->list);
                return 0;
            }
            if (cJSON_IsString(v)) {
                rc = add_repository(st, v->valuestring);
            } else {
                size_t len;
                const char *t = jk_text(&st->text, v, &len);
                rc = t == NULL ? -1 : add_repository(st, t);
            }
        }
        break;
    case A_COMMAND:
    case A_ARGS:
        rc = 0;
        for (size_t i = 0; i < st->vals.n && rc == 0; i++) {
            if (st->vals.v[i] != NULL) {
                rc = join_words(st, st->vals.v[i]);
            }
        }
        break;
    case A_HOST_PORT:
        rc = host_ports(st);
        break;
    case A_EFF_RUN_AS_USER:
    case A_EFF_RUN_AS_GROUP: {
        const cJSON *pod =
                jk_get(root, JK_KEYS("requestObject", "spec", "securityContext", sc_key[attr]));
        rc = 0;
        for (size_t i = 0; i < st->vals.n && rc == 0; i++) {
            const cJSON *v = st->vals.v[i] != NULL ? st->vals.v[i] : pod;
            rc = v != NULL ? add_text(st, v) : jk_strlist_add_ref(&st->list, "0");
        }
        break;
    }
    default:
        rc = add_all_skip_null(st);
        break;
    }
    if (rc != 0) {
        return rc < 0 ? -1 : 0;
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

/* ---- Other multi-valued fields ------------------------------------------------------- */

/* requestObject.rules[].<key> arrays flattened; idx selects one rule. */
static int role_rules_field(struct k8s_state *st,
                            const cJSON *root,
                            ss_plugin_extract_field *f,
                            const char *key)
{
    const char *keys[] = { "requestObject", "rules", key };
    int rc = collect(&st->vals, root, index_filter(f), keys, 3);

    if (rc != COLLECT_OK) {
        return rc == COLLECT_OOM ? -1 : 0;
    }
    for (size_t i = 0; i < st->vals.n; i++) {
        const cJSON *v = st->vals.v[i];
        if (!cJSON_IsArray(v)) {
            continue;
        }
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            if (add_text(st, c) < 0) {
                return -1;
            }
        }
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

static int binding_subjects(struct k8s_state *st,
                            const cJSON *root,
                            ss_plugin_extract_field *f,
                            const char *kind,
                            bool with_ns)
{
    const cJSON *subjects = jk_get(root, JK_KEYS("requestObject", "subjects"));

    if (!cJSON_IsArray(subjects)) {
        return 0;
    }
    for (const cJSON *s = subjects->child; s != NULL; s = s->next) {
        const char *k = jk_get_str(s, JK_KEYS("kind"));
        const cJSON *name = jk_get(s, JK_KEYS("name"));
        if (k == NULL || strcmp(k, kind) != 0 || name == NULL) {
            continue;
        }
        if (!with_ns) {
            if (add_text(st, name) < 0) {
                return -1;
            }
            continue;
        }
        const char *ns = jk_get_str(s, JK_KEYS("namespace"));
        size_t len;
        const char *t = jk_text(&st->text, name, &len);
        st->join.len = 0;
        if (t == NULL || jk_buf_append(&st->join, ns ? ns : "", ns ? strlen(ns) : 0) < 0 ||
            jk_buf_append(&st->join, ":", 1) < 0 || jk_buf_append(&st->join, t, len) < 0 ||
            jk_strlist_add(&st->list, &st->store, st->join.p, st->join.len) < 0) {
            return -1;
        }
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

/* Decodes %XX and '+' of a query component into out; false on a bad escape. */
static bool query_unescape(const char *p, size_t n, struct jk_buf *out)
{
    out->len = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int v = 0;
            if (i + 2 >= n) {
                return false;
            }
            for (size_t k = i + 1; k <= i + 2; k++) {
                char h = p[k];
                int d = (h >= '0' && h <= '9')   ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                 : -1;
                if (d < 0) {
                    return false;
                }
                v = v * 16 + d;
            }
            c = (char)v;
            i += 2;
        }
        if (jk_buf_append(out, &c, 1) < 0) {
            return false;
        }
    }
    return jk_buf_append(out, "", 0) == 0;
}

static int uri_param(struct k8s_state *st, const cJSON *root, ss_plugin_extract_field *f)
{
    const char *uri = jk_get_str(root, JK_KEYS("requestURI"));
    const char *q;
    size_t qlen;

    if (uri == NULL || f->arg_key == NULL || (q = strchr(uri, '?')) == NULL) {
        return 0;
    }
    q++;
    qlen = strcspn(q, "#");
    while (qlen > 0) {
        size_t plen = strcspn(q, "&");
        const char *eq;
        size_t klen;
        if (plen > qlen) {
            plen = qlen;
        }
        eq = memchr(q, '=', plen);
        klen = eq ? (size_t)(eq - q) : plen;
        if (plen > 0 && query_unescape(q, klen, &st->join) && strcmp(st->join.p, f->arg_key) == 0) {
            const char *val = eq ? eq + 1 : q + plen;
            size_t vlen = eq ? plen - klen - 1 : 0;
            if (query_unescape(val, vlen, &st->join)) {
                if (jk_strlist_add(&st->list, &st->store, st->join.p, st->join.len) < 0) {
                    return -1;
                }
                return jk_strlist_commit(&st->list, &st->store, f);
            }
        }
        q += plen;
        qlen -= plen;
        if (qlen > 0) {
            q++;
            qlen--;
        }
    }
    return 0;
}

static int volume_hostpath(struct k8s_state *st, const cJSON *root, ss_plugin_extract_field *f)
{
    const char *arg = f->arg_key;
    size_t alen;
    bool prefix;
    int rc;

    if (arg == NULL || arg[0] == '\0') {
        return 0;
    }
    rc = collect(&st->vals, root, -1,
                 (const char *const[]){ "requestObject", "spec", "volumes", "hostPath", "path" },
                 5);
    if (rc != COLLECT_OK) {
        return rc == COLLECT_OOM ? -1 : 0;
    }
    alen = strlen(arg);
    prefix = arg[alen - 1] == '*';
    for (size_t i = 0; i < st->vals.n; i++) {
        const cJSON *v = st->vals.v[i];
        if (!cJSON_IsString(v)) {
            continue;
        }
        if ((prefix && strncmp(v->valuestring, arg, alen - 1) == 0) ||
            strcmp(v->valuestring, arg) == 0) {
            return set_literal(st, f, "true");
        }
    }
    return set_literal(st, f, "false");
}

static int volume_types(struct k8s_state *st, const cJSON *root, ss_plugin_extract_field *f)
{
    int rc = collect(&st->vals, root, index_filter(f),
                     (const char *const[]){ "requestObject", "spec", "volumes", "" }, 4);

    if (rc != COLLECT_OK) {
        return rc == COLLECT_OOM ? -1 : 0;
    }
    for (size_t i = 0; i < st->vals.n; i++) {
        const cJSON *v = st->vals.v[i];
        if (!cJSON_IsObject(v)) {
            continue;
        }
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            if (c->string != NULL && strcmp(c->string, "name") != 0 &&
                jk_strlist_add_ref(&st->list, c->string) < 0) {
                return -1;
            }
        }
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

/* Elements of an array at path; idx selects one. */
static int array_elements(struct k8s_state *st, ss_plugin_extract_field *f, const cJSON *arr)
{
    int64_t idx = index_filter(f);

    if (!cJSON_IsArray(arr)) {
        return 0;
    }
    if (idx >= 0) {
        return set_text(st, f, cJSON_GetArrayItem(arr, (int)idx));
    }
    return set_array_items(st, f, arr);
}

/* ---- Dispatch ------------------------------------------------------------------------ */

int k8s_extract(struct k8s_state *st, const cJSON *root, ss_plugin_extract_field *f)
{
    const cJSON *annotations;
    uint32_t id = f->field_id;

    f->res_len = 0;
    jk_strlist_reset(&st->list);
    st->vals.n = 0;
    /* documents that are not audit events yield nothing */
    if (root == NULL || cJSON_GetObjectItemCaseSensitive(root, "auditID") == NULL) {
        return 0;
    }
    annotations = cJSON_GetObjectItemCaseSensitive(root, "annotations");

    if (id >= K_INIT_NAME && id <= K_INIT_HOST_PORT) {
        return container_field(st, root, f, "initContainers", (enum c_attr)(id - K_INIT_NAME));
    }
    if (id >= K_EPH_NAME && id <= K_EPH_ADD_CAPS) {
        return container_field(st, root, f, "ephemeralContainers", (enum c_attr)(id - K_EPH_NAME));
    }
    switch ((enum k8s_field)id) {
    case K_AUDITID:
        return set_text(st, f, jk_get(root, JK_KEYS("auditID")));
    case K_STAGE:
        return set_text(st, f, jk_get(root, JK_KEYS("stage")));
    case K_AUTH_DECISION:
        return set_text(st, f, jk_get(annotations, JK_KEYS("authorization.k8s.io/decision")));
    case K_AUTH_REASON:
        return set_text(st, f, jk_get(annotations, JK_KEYS("authorization.k8s.io/reason")));
    case K_AUTH_OS_DECISION:
        return set_text(st, f,
                        jk_get(annotations, JK_KEYS("authentication.openshift.io/decision")));
    case K_VAP_FAILURE:
        return set_text(st, f,
                        jk_get(annotations,
                               JK_KEYS("validation.policy.admission.k8s.io/validation_failure")));
    case K_POD_VIOLATIONS:
        return set_text(
                st, f, jk_get(annotations, JK_KEYS("pod-security.kubernetes.io/audit-violations")));
    case K_AUTH_OS_USERNAME:
        return set_text(st, f,
                        jk_get(annotations, JK_KEYS("authentication.openshift.io/username")));
    case K_USER_NAME:
        return set_text(st, f, jk_get(root, JK_KEYS("user", "username")));
    case K_USER_GROUPS:
        return set_array_items(st, f, jk_get(root, JK_KEYS("user", "groups")));
    case K_IMPUSER_NAME:
        return set_text(st, f, jk_get(root, JK_KEYS("impersonatedUser", "username")));
    case K_VERB:
        return set_text(st, f, jk_get(root, JK_KEYS("verb")));
    case K_URI:
        return set_text(st, f, jk_get(root, JK_KEYS("requestURI")));
    case K_URI_PARAM:
        return uri_param(st, root, f);
    case K_TARGET_NAME:
    case K_CONFIGMAP_NAME:
        return set_text(st, f, jk_get(root, JK_KEYS("objectRef", "name")));
    case K_TARGET_NAMESPACE:
        return set_text(st, f, jk_get(root, JK_KEYS("objectRef", "namespace")));
    case K_TARGET_RESOURCE:
        return set_text(st, f, jk_get(root, JK_KEYS("objectRef", "resource")));
    case K_TARGET_SUBRESOURCE:
        return set_text(st, f, jk_get(root, JK_KEYS("objectRef", "subresource")));
    case K_TARGET_POD_NAME: {
        const char *res = jk_get_str(root, JK_KEYS("objectRef", "resource"));
        if (res == NULL || strcmp(res, "pods") != 0 ||
            jk_get(root, JK_KEYS("objectRef", "subresource")) != NULL) {
            return 0;
        }
        return set_text(st, f, jk_get(root, JK_KEYS("responseObject", "metadata", "name")));
    }
    case K_BINDING_SUBJECTS:
        return set_array_items(st, f, jk_get(root, JK_KEYS("requestObject", "subjects")));
    case K_BINDING_USERS:
        return binding_subjects(st, root, f, "User", false);
    case K_BINDING_SAS:
        return binding_subjects(st, root, f, "ServiceAccount", false);
    case K_BINDING_SA_NS:
        return binding_subjects(st, root, f, "ServiceAccount", true);
    case K_BINDING_GROUPS:
        return binding_subjects(st, root, f, "Group", false);
    case K_BINDING_ROLE:
        return set_text(st, f, jk_get(root, JK_KEYS("requestObject", "roleRef", "name")));
    case K_BINDING_HAS_NAME:
        return set_literal(st, f, "true");
    case K_CONFIGMAP_OBJ:
        return set_text(st, f, jk_get(root, JK_KEYS("requestObject", "data")));
    case K_C_ARGS:
        return container_field(st, root, f, "containers", A_ARGS);
    case K_C_COMMAND:
        return container_field(st, root, f, "containers", A_COMMAND);
    case K_C_NAME:
        return container_field(st, root, f, "containers", A_NAME);
    case K_C_IMAGE:
        return container_field(st, root, f, "containers", A_IMAGE);
    case K_C_IMAGE_REPO:
        return container_field(st, root, f, "containers", A_IMAGE_REPO);
    case K_CONTAINER_IMAGE:
    case K_CONTAINER_IMAGE_REPO: {
        ss_plugin_extract_field first = *f;
        int rc;
        first.arg_present = 1;
        first.arg_key = NULL;
        first.arg_index = 0;
        rc = container_field(st, root, &first, "containers",
                             id == K_CONTAINER_IMAGE ? A_IMAGE : A_IMAGE_REPO);
        if (rc == 0 && first.res_len > 0) {
            f->res = first.res;
            f->res_len = 1;
        }
        return rc;
    }
    case K_HOST_IPC:
        return set_text(st, f, jk_get(root, JK_KEYS("requestObject", "spec", "hostIPC")));
    case K_HOST_NETWORK:
    case K_CONTAINER_HOST_NETWORK:
        return set_text(st, f, jk_get(root, JK_KEYS("requestObject", "spec", "hostNetwork")));
    case K_HOST_PID:
        return set_text(st, f, jk_get(root, JK_KEYS("requestObject", "spec", "hostPID")));
    case K_C_HOST_PORT:
        return container_field(st, root, f, "containers", A_HOST_PORT);
    case K_C_PRIVILEGED:
        return container_field(st, root, f, "containers", A_PRIVILEGED);
    case K_CONTAINER_PRIVILEGED: {
        int rc = collect(&st->vals, root, -1,
                         (const char *const[]){ "requestObject", "spec", "containers",
                                                "securityContext", "privileged" },
                         5);
        if (rc != COLLECT_OK) {
            return rc == COLLECT_OOM ? -1 : 0;
        }
        for (size_t i = 0; i < st->vals.n; i++) {
            if (cJSON_IsTrue(st->vals.v[i])) {
                return set_literal(st, f, "true");
            }
        }
        return set_literal(st, f, "false");
    }
    case K_C_APE:
        return container_field(st, root, f, "containers", A_APE);
    case K_C_ROFS:
        return container_field(st, root, f, "containers", A_ROFS);
    case K_POD_RUN_AS_USER:
        return set_text(
                st, f,
                jk_get(root, JK_KEYS("requestObject", "spec", "securityContext", "runAsUser")));
    case K_C_RUN_AS_USER:
        return container_field(st, root, f, "containers", A_RUN_AS_USER);
    case K_C_EFF_RUN_AS_USER:
        return container_field(st, root, f, "containers", A_EFF_RUN_AS_USER);
    case K_POD_RUN_AS_GROUP:
        return set_text(
                st, f,
                jk_get(root, JK_KEYS("requestObject", "spec", "securityContext", "runAsGroup")));
    case K_C_RUN_AS_GROUP:
        return container_field(st, root, f, "containers", A_RUN_AS_GROUP);
    case K_C_EFF_RUN_AS_GROUP:
        return container_field(st, root, f, "containers", A_EFF_RUN_AS_GROUP);
    case K_C_PROC_MOUNT:
        return container_field(st, root, f, "containers", A_PROC_MOUNT);
    case K_ROLE_RULES:
        return set_array_items(st, f, jk_get(root, JK_KEYS("requestObject", "rules")));
    case K_ROLE_API_GROUPS:
        return role_rules_field(st, root, f, "apiGroups");
    case K_ROLE_NON_RESOURCE_URLS:
        return role_rules_field(st, root, f, "nonResourceURLs");
    case K_ROLE_VERBS:
        return role_rules_field(st, root, f, "verbs");
    case K_ROLE_RESOURCES:
        return role_rules_field(st, root, f, "resources");
    case K_FS_GROUP:
        return set_text(
                st, f,
                jk_get(root, JK_KEYS("requestObject", "spec", "securityContext", "fsGroup")));
    case K_SUPPLEMENTAL_GROUPS:
        return set_array_items(st, f,
                               jk_get(root, JK_KEYS("requestObject", "spec", "securityContext",
                                                    "supplementalGroups")));
    case K_C_ADD_CAPS:
        return container_field(st, root, f, "containers", A_ADD_CAPS);
    case K_SERVICE_TYPE:
        return set_text(st, f, jk_get(root, JK_KEYS("requestObject", "spec", "type")));
    case K_SERVICE_PORTS:
        return array_elements(st, f, jk_get(root, JK_KEYS("requestObject", "spec", "ports")));
    case K_VOLUMES_HOSTPATH:
    case K_VOLUMES_FLEX: {
        int rc = collect(&st->vals, root, index_filter(f),
                         id == K_VOLUMES_HOSTPATH
                                 ? (const char *const[]){ "requestObject", "spec", "volumes",
                                                          "hostPath", "path" }
                                 : (const char *const[]){ "requestObject", "spec", "volumes",
                                                          "flexVolume", "driver" },
                         5);
        if (rc != COLLECT_OK) {
            return rc == COLLECT_OOM ? -1 : 0;
        }
        if (add_all_skip_null(st) < 0) {
            return -1;
        }
        return jk_strlist_commit(&st->list, &st->store, f);
    }
    case K_VOLUME_HOSTPATH:
        return volume_hostpath(st, root, f);
    case K_VOLUMES_TYPE:
        return volume_types(st, root, f);
    case K_RESP_NAME:
        return set_text(st, f, jk_get(root, JK_KEYS("responseObject", "metadata", "name")));
    case K_RESPONSE_CODE:
        return set_text(st, f, jk_get(root, JK_KEYS("responseStatus", "code")));
    case K_RESPONSE_REASON:
        return set_text(st, f, jk_get(root, JK_KEYS("responseStatus", "reason")));
    case K_USERAGENT:
        return set_text(st, f, jk_get(root, JK_KEYS("userAgent")));
    case K_SOURCEIPS:
        return array_elements(st, f, jk_get(root, JK_KEYS("sourceIPs")));
    case K_CLUSTER_NAME:
        return set_text(st, f, jk_get(annotations, JK_KEYS("cluster_name")));
    default:
        return 0;
    }
}
