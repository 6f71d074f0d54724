/* SPDX-License-Identifier: Apache-2.0 */
#include "info.h"
#include "matcher.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* JSON keys of the optional probe objects, by enum ctr_probe_kind. */
static const char *const probe_keys[CTR_PROBE_KINDS] = { "Healthcheck", "LivenessProbe",
                                                         "ReadinessProbe" };

int ctr_info_set_str(char **dst, const char *src)
{
    char *copy = strdup(src != NULL ? src : "");

    if (copy == NULL) {
        return -ENOMEM;
    }
    free(*dst);
    *dst = copy;
    return 0;
}

struct ctr_info *ctr_info_new(void)
{
    struct ctr_info *info = calloc(1, sizeof(*info));

    if (info == NULL) {
        return NULL;
    }
    char **strs[] = { &info->id,         &info->full_id,        &info->name,
                      &info->image,      &info->imageid,        &info->imagerepo,
                      &info->imagetag,   &info->imagedigest,    &info->user,
                      &info->ip,         &info->cni_json,       &info->pod_sandbox_id,
                      &info->labels_str, &info->pod_labels_str, &info->mounts_str };
    info->refs = 1;
    info->type = CTR_TYPE_UNKNOWN;
    info->cpu_shares = 1024;
    info->cpu_period = 100000;
    info->size = -1;
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if (ctr_info_set_str(strs[i], "") < 0) {
            ctr_info_unref(info);
            return NULL;
        }
    }
    return info;
}

struct ctr_info *ctr_info_new_host(void)
{
    struct ctr_info *info = ctr_info_new();

    if (info == NULL) {
        return NULL;
    }
    info->type = CTR_TYPE_HOST;
    if (ctr_info_set_str(&info->id, "host") < 0 || ctr_info_set_str(&info->full_id, "host") < 0 ||
        ctr_info_set_str(&info->name, "host") < 0) {
        ctr_info_unref(info);
        return NULL;
    }
    return info;
}

struct ctr_info *ctr_info_ref(struct ctr_info *info)
{
    if (info != NULL) {
        info->refs++;
    }
    return info;
}

static void free_kv(struct ctr_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

void ctr_info_unref(struct ctr_info *info)
{
    if (info == NULL || --info->refs > 0) {
        return;
    }
    free(info->id);
    free(info->full_id);
    free(info->name);
    free(info->image);
    free(info->imageid);
    free(info->imagerepo);
    free(info->imagetag);
    free(info->imagedigest);
    free(info->user);
    free(info->ip);
    free(info->cni_json);
    free(info->pod_sandbox_id);
    free_kv(info->labels, info->n_labels);
    free_kv(info->pod_labels, info->n_pod_labels);
    for (size_t i = 0; i < info->n_mounts; i++) {
        free(info->mounts[i].source);
        free(info->mounts[i].dest);
        free(info->mounts[i].mode);
        free(info->mounts[i].propagation);
    }
    free(info->mounts);
    free(info->ports);
    free_strv(info->env, info->n_env);
    for (int k = 0; k < CTR_PROBE_KINDS; k++) {
        free(info->probes[k].exe);
        free_strv(info->probes[k].args, info->probes[k].n_args);
    }
    free(info->labels_str);
    free(info->pod_labels_str);
    free(info->mounts_str);
    free(info);
}

void ctr_info_unref_void(void *info)
{
    ctr_info_unref(info);
}

int ctr_info_add_label(struct ctr_kv **kv, size_t *n, const char *key, const char *value)
{
    struct ctr_kv *grown;
    char *k;
    char *v;

    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*kv)[i].key, key) == 0) {
            return ctr_info_set_str(&(*kv)[i].value, value);
        }
    }
    grown = realloc(*kv, (*n + 1) * sizeof(**kv));
    if (grown == NULL) {
        return -ENOMEM;
    }
    *kv = grown;
    k = strdup(key);
    v = strdup(value != NULL ? value : "");
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return -ENOMEM;
    }
    grown[*n].key = k;
    grown[*n].value = v;
    (*n)++;
    return 0;
}

const char *ctr_kv_get(const struct ctr_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kv[i].key, key) == 0) {
            return kv[i].value;
        }
    }
    return NULL;
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ctr_kv *)a)->key, ((const struct ctr_kv *)b)->key);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A growable string, enough for the few renderings done per container. */
struct buf {
    char *p;
    size_t len;
    size_t cap;
    bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->oom) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* "k:v, k2, k3:v3": annotations and the runtime's own io.kubernetes.* labels are left out. */
static char *render_labels(const struct ctr_kv *kv, size_t n)
{
    struct buf b = { 0 };

    buf_add(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (starts_with(kv[i].key, "annotation.") || starts_with(kv[i].key, "io.kubernetes.")) {
            continue;
        }
        if (b.len > 0) {
            buf_adds(&b, ", ");
        }
        buf_adds(&b, kv[i].key);
        if (kv[i].value[0] != '\0') {
            buf_adds(&b, ":");
            buf_adds(&b, kv[i].value);
        }
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int ctr_mount_format(const struct ctr_mount *m, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s:%s:%s:%s:%s", m->source, m->dest, m->mode,
                     m->rw ? "true" : "false", m->propagation);

    if (n < 0 || (size_t)n >= cap) {
        return -1;
    }
    return n;
}

static char *render_mounts(const struct ctr_mount *m, size_t n)
{
    struct buf b = { 0 };

    buf_add(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            buf_adds(&b, ",");
        }
        buf_adds(&b, m[i].source);
        buf_adds(&b, ":");
        buf_adds(&b, m[i].dest);
        buf_adds(&b, ":");
        buf_adds(&b, m[i].mode);
        buf_adds(&b, m[i].rw ? ":true:" : ":false:");
        buf_adds(&b, m[i].propagation);
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int ctr_info_finish(struct ctr_info *info)
{
    char *labels;
    char *pod_labels;
    char *mounts;

    if (info->n_labels > 1) {
        qsort(info->labels, info->n_labels, sizeof(*info->labels), kv_cmp);
    }
    if (info->n_pod_labels > 1) {
        qsort(info->pod_labels, info->n_pod_labels, sizeof(*info->pod_labels), kv_cmp);
    }
    labels = render_labels(info->labels, info->n_labels);
    pod_labels = render_labels(info->pod_labels, info->n_pod_labels);
    mounts = render_mounts(info->mounts, info->n_mounts);
    if (labels == NULL || pod_labels == NULL || mounts == NULL) {
        free(labels);
        free(pod_labels);
        free(mounts);
        return -ENOMEM;
    }
    free(info->labels_str);
    free(info->pod_labels_str);
    free(info->mounts_str);
    info->labels_str = labels;
    info->pod_labels_str = pod_labels;
    info->mounts_str = mounts;
    return 0;
}

static char *dup_range(const char *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

int ctr_image_split(const char *image, char **repo, char **tag, char **digest)
{
    const char *at = strchr(image, '@');
    size_t base_len = at != NULL ? (size_t)(at - image) : strlen(image);
    const char *slash = NULL;
    const char *colon = NULL;

    for (size_t i = 0; i < base_len; i++) {
        if (image[i] == '/') {
            slash = image + i;
        } else if (image[i] == ':') {
            colon = image + i;
        }
    }
    /* A colon before the last slash belongs to a registry port, not a tag. */
    if (colon != NULL && slash != NULL && colon < slash) {
        colon = NULL;
    }
    *repo = dup_range(image, colon != NULL ? (size_t)(colon - image) : base_len);
    *tag = colon != NULL ? dup_range(colon + 1, base_len - (size_t)(colon - image) - 1)
                         : strdup("");
    *digest = at != NULL ? strdup(at + 1) : strdup("");
    if (*repo == NULL || *tag == NULL || *digest == NULL) {
        free(*repo);
        free(*tag);
        free(*digest);
        *repo = *tag = *digest = NULL;
        return -ENOMEM;
    }
    return 0;
}

/* ---- JSON -------------------------------------------------------------- */

static bool add_str(cJSON *o, const char *k, const char *v)
{
    return cJSON_AddStringToObject(o, k, v != NULL ? v : "") != NULL;
}

static bool add_num(cJSON *o, const char *k, int64_t v)
{
    return cJSON_AddNumberToObject(o, k, (double)v) != NULL;
}

static bool add_bool(cJSON *o, const char *k, bool v)
{
    return cJSON_AddBoolToObject(o, k, v) != NULL;
}

static cJSON *kv_to_json(const struct ctr_kv *kv, size_t n)
{
    cJSON *o = cJSON_CreateObject();

    for (size_t i = 0; o != NULL && i < n; i++) {
        if (!add_str(o, kv[i].key, kv[i].value)) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

static cJSON *strv_to_json(char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; a != NULL && i < n; i++) {
        cJSON *s = cJSON_CreateString(v[i]);
        if (s == NULL || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static bool add_item(cJSON *o, const char *k, cJSON *item)
{
    if (item == NULL) {
        return false;
    }
    if (!cJSON_AddItemToObject(o, k, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static cJSON *mounts_to_json(const struct ctr_info *info)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; a != NULL && i < info->n_mounts; i++) {
        const struct ctr_mount *m = &info->mounts[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(a, o) || !add_str(o, "Source", m->source) ||
            !add_str(o, "Destination", m->dest) || !add_str(o, "Mode", m->mode) ||
            !add_bool(o, "RW", m->rw) || !add_str(o, "Propagation", m->propagation)) {
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static cJSON *ports_to_json(const struct ctr_info *info)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; a != NULL && i < info->n_ports; i++) {
        const struct ctr_port *p = &info->ports[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(a, o) || !add_num(o, "HostIp", p->host_ip) ||
            !add_num(o, "HostPort", p->host_port) ||
            !add_num(o, "ContainerPort", p->container_port)) {
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

char *ctr_info_to_json(const struct ctr_info *info)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *c = cJSON_AddObjectToObject(root, "container");
    char *text = NULL;
    bool ok;

    if (root == NULL || c == NULL) {
        cJSON_Delete(root);
        return NULL;
    }
    ok = add_num(c, "type", info->type) && add_str(c, "id", info->id) &&
         add_str(c, "full_id", info->full_id) && add_str(c, "name", info->name) &&
         add_str(c, "image", info->image) && add_str(c, "imageid", info->imageid) &&
         add_str(c, "imagerepo", info->imagerepo) && add_str(c, "imagetag", info->imagetag) &&
         add_str(c, "imagedigest", info->imagedigest) && add_str(c, "User", info->user) &&
         add_str(c, "ip", info->ip) && add_str(c, "cni_json", info->cni_json) &&
         add_bool(c, "privileged", info->privileged) && add_bool(c, "host_pid", info->host_pid) &&
         add_bool(c, "host_network", info->host_network) &&
         add_bool(c, "host_ipc", info->host_ipc) &&
         add_bool(c, "is_pod_sandbox", info->is_pod_sandbox) &&
         add_str(c, "pod_sandbox_id", info->pod_sandbox_id) &&
         add_item(c, "pod_sandbox_labels", kv_to_json(info->pod_labels, info->n_pod_labels)) &&
         add_item(c, "labels", kv_to_json(info->labels, info->n_labels)) &&
         add_item(c, "Mounts", mounts_to_json(info)) &&
         add_item(c, "port_mappings", ports_to_json(info)) &&
         add_item(c, "env", strv_to_json(info->env, info->n_env)) &&
         add_num(c, "created_time", info->created_time) &&
         add_num(c, "cpu_period", info->cpu_period) && add_num(c, "cpu_quota", info->cpu_quota) &&
         add_num(c, "cpu_shares", info->cpu_shares) &&
         add_num(c, "cpuset_cpu_count", info->cpuset_cpu_count) &&
         add_num(c, "memory_limit", info->memory_limit) &&
         add_num(c, "swap_limit", info->swap_limit) && add_num(c, "size", info->size);
    for (int k = 0; ok && k < CTR_PROBE_KINDS; k++) {
        const struct ctr_probe *p = &info->probes[k];
        cJSON *o;
        if (!p->present) {
            continue;
        }
        o = cJSON_AddObjectToObject(c, probe_keys[k]);
        ok = o != NULL && add_str(o, "exe", p->exe) &&
             add_item(o, "args", strv_to_json(p->args, p->n_args));
    }
    if (ok) {
        text = cJSON_PrintUnformatted(root);
    }
    cJSON_Delete(root);
    return text;
}

/* ---- parsing ----------------------------------------------------------- */

static int get_str(const cJSON *o, const char *k, char **dst)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return ctr_info_set_str(dst, cJSON_IsString(v) ? v->valuestring : "");
}

static bool get_bool(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static int64_t get_num(const cJSON *o, const char *k, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    if (!cJSON_IsNumber(v) || v->valuedouble != v->valuedouble) {
        return def;
    }
    if (v->valuedouble >= 9.2e18 || v->valuedouble <= -9.2e18) {
        return def;
    }
    return (int64_t)v->valuedouble;
}

static int get_kv(const cJSON *o, const char *k, struct ctr_kv **kv, size_t *n)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(o, k);
    const cJSON *it;

    if (!cJSON_IsObject(obj)) {
        return 0;
    }
    cJSON_ArrayForEach(it, obj) {
        if (it->string == NULL || !cJSON_IsString(it)) {
            continue;
        }
        if (ctr_info_add_label(kv, n, it->string, it->valuestring) < 0) {
            return -ENOMEM;
        }
    }
    return 0;
}

static int get_strv(const cJSON *arr, char ***v, size_t *n)
{
    const cJSON *it;
    int count = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;

    *v = NULL;
    *n = 0;
    if (count <= 0) {
        return 0;
    }
    *v = calloc((size_t)count, sizeof(**v));
    if (*v == NULL) {
        return -ENOMEM;
    }
    cJSON_ArrayForEach(it, arr) {
        if (!cJSON_IsString(it)) {
            continue;
        }
        (*v)[*n] = strdup(it->valuestring);
        if ((*v)[*n] == NULL) {
            return -ENOMEM;
        }
        (*n)++;
    }
    return 0;
}

static int get_mounts(const cJSON *o, struct ctr_info *info)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "Mounts");
    const cJSON *it;
    int count = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;

    if (count <= 0) {
        return 0;
    }
    info->mounts = calloc((size_t)count, sizeof(*info->mounts));
    if (info->mounts == NULL) {
        return -ENOMEM;
    }
    cJSON_ArrayForEach(it, arr) {
        struct ctr_mount *m = &info->mounts[info->n_mounts];
        if (!cJSON_IsObject(it)) {
            continue;
        }
        info->n_mounts++;
        if (get_str(it, "Source", &m->source) < 0 || get_str(it, "Destination", &m->dest) < 0 ||
            get_str(it, "Mode", &m->mode) < 0 || get_str(it, "Propagation", &m->propagation) < 0) {
            return -ENOMEM;
        }
        m->rw = get_bool(it, "RW");
    }
    return 0;
}

static int get_ports(const cJSON *o, struct ctr_info *info)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "port_mappings");
    const cJSON *it;
    int count = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;

    if (count <= 0) {
        return 0;
    }
    info->ports = calloc((size_t)count, sizeof(*info->ports));
    if (info->ports == NULL) {
        return -ENOMEM;
    }
    cJSON_ArrayForEach(it, arr) {
        struct ctr_port *p = &info->ports[info->n_ports];
        if (!cJSON_IsObject(it)) {
            continue;
        }
        p->host_ip = (uint32_t)get_num(it, "HostIp", 0);
        p->host_port = (uint32_t)get_num(it, "HostPort", 0);
        p->container_port = (uint32_t)get_num(it, "ContainerPort", 0);
        info->n_ports++;
    }
    return 0;
}

struct ctr_info *ctr_info_from_json(const char *text, size_t len, char *err, size_t cap)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    const cJSON *c;
    struct ctr_info *info = NULL;
    int rc = -ENOMEM;

    if (root == NULL || !cJSON_IsObject(root)) {
        snprintf(err, cap, "container metadata is not a JSON object");
        goto out;
    }
    c = cJSON_GetObjectItemCaseSensitive(root, "container");
    if (!cJSON_IsObject(c)) {
        c = root; /* tolerate the flat form some writers produced */
    }
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "id"))) {
        snprintf(err, cap, "container metadata has no string \"id\"");
        goto out;
    }
    info = ctr_info_new();
    if (info == NULL) {
        goto oom;
    }
    info->type = (int)get_num(c, "type", CTR_TYPE_UNKNOWN);
    if (get_str(c, "id", &info->id) < 0 || get_str(c, "full_id", &info->full_id) < 0 ||
        get_str(c, "name", &info->name) < 0 || get_str(c, "image", &info->image) < 0 ||
        get_str(c, "imageid", &info->imageid) < 0 ||
        get_str(c, "imagerepo", &info->imagerepo) < 0 ||
        get_str(c, "imagetag", &info->imagetag) < 0 ||
        get_str(c, "imagedigest", &info->imagedigest) < 0 || get_str(c, "User", &info->user) < 0 ||
        get_str(c, "ip", &info->ip) < 0 || get_str(c, "cni_json", &info->cni_json) < 0 ||
        get_str(c, "pod_sandbox_id", &info->pod_sandbox_id) < 0) {
        goto oom;
    }
    info->privileged = get_bool(c, "privileged");
    info->host_pid = get_bool(c, "host_pid");
    info->host_network = get_bool(c, "host_network");
    info->host_ipc = get_bool(c, "host_ipc");
    info->is_pod_sandbox = get_bool(c, "is_pod_sandbox");
    info->created_time = get_num(c, "created_time", 0);
    info->cpu_period = get_num(c, "cpu_period", 0);
    info->cpu_quota = get_num(c, "cpu_quota", 0);
    info->cpu_shares = get_num(c, "cpu_shares", 0);
    info->cpuset_cpu_count = get_num(c, "cpuset_cpu_count", 0);
    info->memory_limit = get_num(c, "memory_limit", 0);
    info->swap_limit = get_num(c, "swap_limit", 0);
    info->size = get_num(c, "size", -1);
    if (get_kv(c, "labels", &info->labels, &info->n_labels) < 0 ||
        get_kv(c, "pod_sandbox_labels", &info->pod_labels, &info->n_pod_labels) < 0 ||
        get_mounts(c, info) < 0 || get_ports(c, info) < 0 ||
        get_strv(cJSON_GetObjectItemCaseSensitive(c, "env"), &info->env, &info->n_env) < 0) {
        goto oom;
    }
    for (int k = 0; k < CTR_PROBE_KINDS; k++) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, probe_keys[k]);
        struct ctr_probe *probe = &info->probes[k];
        if (!cJSON_IsObject(p)) {
            continue;
        }
        probe->present = true;
        if (get_str(p, "exe", &probe->exe) < 0 ||
            get_strv(cJSON_GetObjectItemCaseSensitive(p, "args"), &probe->args, &probe->n_args) <
                    0) {
            goto oom;
        }
    }
    if (ctr_info_finish(info) < 0) {
        goto oom;
    }
    rc = 0;
    goto out;
oom:
    snprintf(err, cap, "out of memory parsing container metadata");
out:
    cJSON_Delete(root);
    if (rc < 0) {
        ctr_info_unref(info);
        return NULL;
    }
    return info;
}
