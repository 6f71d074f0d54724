/* SPDX-License-Identifier: Apache-2.0 */
#include "docker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

static const cJSON *item(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = item(o, k);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static int64_t num_of(const cJSON *o, const char *k, int64_t def)
{
    const cJSON *v = item(o, k);

    if (!cJSON_IsNumber(v) || v->valuedouble != v->valuedouble || v->valuedouble >= 9.2e18 ||
        v->valuedouble <= -9.2e18) {
        return def;
    }
    return (int64_t)v->valuedouble;
}

static void copy_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (no libc time zone involved). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe;
    unsigned doy;
    unsigned doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* RFC 3339 ("2024-05-01T10:20:30.123456789Z" or "+02:00") to epoch seconds; 0 if unparsable. */
static int64_t parse_rfc3339(const char *s)
{
    int y;
    unsigned mo;
    unsigned d;
    unsigned h;
    unsigned mi;
    unsigned sec;
    int n = 0;
    int64_t t;
    const char *p;

    if (sscanf(s, "%4d-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n == 0) {
        return 0;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
        return 0;
    }
    t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    p = s + n;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    if (*p == '+' || *p == '-') {
        unsigned oh;
        unsigned om;
        if (sscanf(p + 1, "%2u:%2u", &oh, &om) == 2) {
            int64_t off = (int64_t)oh * 3600 + om * 60;
            t += *p == '+' ? -off : off;
        }
    }
    return t;
}

/* Number of CPUs in a cpuset list such as "0-3,6". */
static int64_t count_cpuset(const char *s)
{
    int64_t count = 0;
    const char *p = s;

    while (*p != '\0') {
        char *end;
        long a = strtol(p, &end, 10);
        long b = a;
        if (end == p || a < 0) {
            return 0;
        }
        p = end;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1 || b < a) {
                return 0;
            }
            p = end;
        }
        count += b - a + 1;
        if (*p == ',') {
            p++;
        } else if (*p != '\0') {
            return 0;
        }
    }
    return count;
}

static int parse_labels(struct ctr_info *info, const cJSON *labels, uint32_t label_max_len)
{
    const cJSON *it;

    if (!cJSON_IsObject(labels)) {
        return 0;
    }
    cJSON_ArrayForEach(it, labels) {
        if (it->string == NULL || !cJSON_IsString(it) || strlen(it->valuestring) > label_max_len) {
            continue;
        }
        if (ctr_info_add_label(&info->labels, &info->n_labels, it->string, it->valuestring) < 0) {
            return -ENOMEM;
        }
    }
    return 0;
}

static int parse_mounts(struct ctr_info *info, const cJSON *arr)
{
    const cJSON *it;
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;

    if (n <= 0) {
        return 0;
    }
    info->mounts = calloc((size_t)n, sizeof(*info->mounts));
    if (info->mounts == NULL) {
        return -ENOMEM;
    }
    cJSON_ArrayForEach(it, arr) {
        struct ctr_mount *m = &info->mounts[info->n_mounts];
        if (!cJSON_IsObject(it)) {
            continue;
        }
        info->n_mounts++;
        m->rw = cJSON_IsTrue(item(it, "RW"));
        if (ctr_info_set_str(&m->source, str_of(it, "Source")) < 0 ||
            ctr_info_set_str(&m->dest, str_of(it, "Destination")) < 0 ||
            ctr_info_set_str(&m->mode, str_of(it, "Mode")) < 0 ||
            ctr_info_set_str(&m->propagation, str_of(it, "Propagation")) < 0) {
            return -ENOMEM;
        }
    }
    return 0;
}

/* "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]: TCP bindings with an IPv4 host side. */
static int parse_ports(struct ctr_info *info, const cJSON *ports)
{
    const cJSON *it;
    size_t cap = 0;

    if (!cJSON_IsObject(ports)) {
        return 0;
    }
    cJSON_ArrayForEach(it, ports) {
        char *end;
        unsigned long cport;
        const cJSON *b;

        if (it->string == NULL || strstr(it->string, "/tcp") == NULL || !cJSON_IsArray(it)) {
            continue;
        }
        cport = strtoul(it->string, &end, 10);
        if (end == it->string || cport > 65535) {
            continue;
        }
        cJSON_ArrayForEach(b, it) {
            const char *hip = str_of(b, "HostIp");
            const char *hport = str_of(b, "HostPort");
            struct in_addr a = { 0 };
            unsigned long hp;

            if (hip[0] != '\0' && inet_pton(AF_INET, hip, &a) != 1) {
                continue;
            }
            hp = strtoul(hport, &end, 10);
            if (end == hport || *end != '\0' || hp > 65535) {
                continue;
            }
            if (info->n_ports == cap) {
                size_t ncap = cap ? cap * 2 : 4;
                struct ctr_port *np = realloc(info->ports, ncap * sizeof(*np));
                if (np == NULL) {
                    return -ENOMEM;
                }
                info->ports = np;
                cap = ncap;
            }
            info->ports[info->n_ports].host_ip = ntohl(a.s_addr);
            info->ports[info->n_ports].host_port = (uint32_t)hp;
            info->ports[info->n_ports].container_port = (uint32_t)cport;
            info->n_ports++;
        }
    }
    return 0;
}

static int strv_from_json(const cJSON *arr, size_t skip, char ***v, size_t *n)
{
    const cJSON *it;
    int count = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    size_t idx = 0;

    *v = NULL;
    *n = 0;
    if (count <= 0 || (size_t)count <= skip) {
        return 0;
    }
    *v = calloc((size_t)count, sizeof(**v));
    if (*v == NULL) {
        return -ENOMEM;
    }
    cJSON_ArrayForEach(it, arr) {
        if (idx++ < skip || !cJSON_IsString(it)) {
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

/* Config.Healthcheck.Test: ["CMD", exe, args...] or ["CMD-SHELL", "command"]. */
static int parse_healthcheck(struct ctr_info *info, const cJSON *hc)
{
    const cJSON *test = item(hc, "Test");
    const cJSON *kind;
    struct ctr_probe *p = &info->probes[CTR_PROBE_HEALTHCHECK];

    if (!cJSON_IsArray(test) || cJSON_GetArraySize(test) < 2) {
        return 0;
    }
    kind = cJSON_GetArrayItem(test, 0);
    if (!cJSON_IsString(kind) || !cJSON_IsString(cJSON_GetArrayItem(test, 1))) {
        return 0;
    }
    if (strcmp(kind->valuestring, "CMD") == 0) {
        p->present = true;
        if (ctr_info_set_str(&p->exe, cJSON_GetArrayItem(test, 1)->valuestring) < 0) {
            return -ENOMEM;
        }
        return strv_from_json(test, 2, &p->args, &p->n_args);
    }
    if (strcmp(kind->valuestring, "CMD-SHELL") == 0) {
        p->present = true;
        p->args = calloc(2, sizeof(*p->args));
        if (p->args == NULL || ctr_info_set_str(&p->exe, "/bin/sh") < 0) {
            return -ENOMEM;
        }
        p->args[0] = strdup("-c");
        p->args[1] = strdup(cJSON_GetArrayItem(test, 1)->valuestring);
        p->n_args = 2;
        return p->args[0] != NULL && p->args[1] != NULL ? 0 : -ENOMEM;
    }
    return 0;
}

struct ctr_info *ctr_docker_parse_container(const char *json,
                                            size_t len,
                                            int type,
                                            uint32_t label_max_len,
                                            struct ctr_docker_followup *next,
                                            char *err,
                                            size_t cap)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    struct ctr_info *info = NULL;
    const cJSON *cfg;
    const cJSON *host;
    const cJSON *net;
    const char *full_id;
    const char *name;
    const char *image_id;
    const char *netmode;
    char short_id[CTR_SHORT_ID_LEN + 1];

    next->image_id[0] = '\0';
    next->net_container[0] = '\0';
    if (root == NULL || !cJSON_IsObject(root)) {
        snprintf(err, cap, "container inspect response is not a JSON object");
        goto fail;
    }
    full_id = str_of(root, "Id");
    if (strlen(full_id) < CTR_SHORT_ID_LEN) {
        snprintf(err, cap, "container inspect response has no usable \"Id\"");
        goto fail;
    }
    cfg = item(root, "Config");
    host = item(root, "HostConfig");
    net = item(root, "NetworkSettings");
    info = ctr_info_new();
    if (info == NULL) {
        goto oom;
    }
    info->type = type;
    copy_trunc(short_id, sizeof(short_id), full_id);
    name = str_of(root, "Name");
    if (name[0] == '/') {
        name++;
    }
    info->is_pod_sandbox = strstr(name, "k8s_POD") != NULL;
    if (ctr_info_set_str(&info->id, short_id) < 0 ||
        ctr_info_set_str(&info->full_id, full_id) < 0 || ctr_info_set_str(&info->name, name) < 0 ||
        ctr_info_set_str(&info->image, str_of(cfg, "Image")) < 0 ||
        ctr_info_set_str(&info->user, str_of(cfg, "User")) < 0 ||
        ctr_info_set_str(&info->ip, str_of(net, "IPAddress")) < 0) {
        goto oom;
    }
    /* Repository and tag from the name the image was run by, until the image itself says. */
    free(info->imagerepo);
    free(info->imagetag);
    free(info->imagedigest);
    info->imagerepo = info->imagetag = info->imagedigest = NULL;
    if (ctr_image_split(info->image, &info->imagerepo, &info->imagetag, &info->imagedigest) < 0) {
        goto oom;
    }
    /* "Image" is the image id, "sha256:<hex>" for Docker; Podman gives the bare hex. */
    image_id = str_of(root, "Image");
    if (strchr(image_id, '/') == NULL && strchr(image_id, ':') != NULL) {
        if (ctr_info_set_str(&info->imageid, strchr(image_id, ':') + 1) < 0) {
            goto oom;
        }
    } else if (type == CTR_TYPE_PODMAN && ctr_info_set_str(&info->imageid, image_id) < 0) {
        goto oom;
    }
    copy_trunc(next->image_id, sizeof(next->image_id), image_id);

    info->privileged = cJSON_IsTrue(item(host, "Privileged"));
    info->host_ipc = strcmp(str_of(host, "IpcMode"), "host") == 0;
    info->host_pid = strcmp(str_of(host, "PidMode"), "host") == 0;
    netmode = str_of(host, "NetworkMode");
    info->host_network = strcmp(netmode, "host") == 0;
    if (info->ip[0] == '\0' && strncmp(netmode, "container:", 10) == 0) {
        copy_trunc(next->net_container, sizeof(next->net_container), netmode + 10);
    }
    info->memory_limit = num_of(host, "Memory", 0);
    info->swap_limit = num_of(host, "MemorySwap", 0);
    if (num_of(host, "CpuShares", 0) > 0) {
        info->cpu_shares = num_of(host, "CpuShares", 0);
    }
    if (num_of(host, "CpuPeriod", 0) > 0) {
        info->cpu_period = num_of(host, "CpuPeriod", 0);
    }
    info->cpu_quota = num_of(host, "CpuQuota", 0);
    info->cpuset_cpu_count = count_cpuset(str_of(host, "CpusetCpus"));
    info->created_time = parse_rfc3339(str_of(root, "Created"));
    info->size = num_of(root, "SizeRw", -1);

    if (parse_labels(info, item(cfg, "Labels"), label_max_len) < 0 ||
        parse_mounts(info, item(root, "Mounts")) < 0 || parse_ports(info, item(net, "Ports")) < 0 ||
        strv_from_json(item(cfg, "Env"), 0, &info->env, &info->n_env) < 0 ||
        parse_healthcheck(info, item(cfg, "Healthcheck")) < 0) {
        goto oom;
    }
    cJSON_Delete(root);
    return info;
oom:
    snprintf(err, cap, "out of memory parsing a container inspect response");
fail:
    cJSON_Delete(root);
    ctr_info_unref(info);
    return NULL;
}

int ctr_docker_apply_image(struct ctr_info *info, const char *json, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *digests;
    const cJSON *tags;
    const cJSON *it;
    char *repo = NULL;
    const char *digest = NULL;
    const char *only_digest = NULL;
    size_t n_digests = 0;
    char *tag = NULL;
    int rc = 0;

    if (root == NULL || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return -EINVAL;
    }
    digests = cJSON_IsArray(item(root, "RepoDigests")) ? item(root, "RepoDigests") : NULL;
    tags = cJSON_IsArray(item(root, "RepoTags")) ? item(root, "RepoTags") : NULL;
    cJSON_ArrayForEach(it, digests) {
        const char *at;
        if (!cJSON_IsString(it) || (at = strchr(it->valuestring, '@')) == NULL ||
            strchr(at + 1, '@') != NULL) {
            continue;
        }
        if (repo == NULL) {
            repo = strndup(it->valuestring, (size_t)(at - it->valuestring));
            if (repo == NULL) {
                rc = -ENOMEM;
                goto out;
            }
        }
        n_digests++;
        only_digest = at + 1;
        if (strstr(it->valuestring, repo) != NULL) {
            digest = at + 1;
            break;
        }
    }
    if (digest == NULL && n_digests == 1) {
        digest = only_digest;
    }
    cJSON_ArrayForEach(it, tags) {
        const char *colon;
        if (!cJSON_IsString(it) || (colon = strchr(it->valuestring, ':')) == NULL ||
            strchr(colon + 1, ':') != NULL) {
            continue; /* "repo:tag" only; a registry port makes it ambiguous */
        }
        if (repo == NULL) {
            repo = strndup(it->valuestring, (size_t)(colon - it->valuestring));
            if (repo == NULL) {
                rc = -ENOMEM;
                goto out;
            }
        }
        if (strstr(it->valuestring, repo) != NULL) {
            tag = strdup(colon + 1);
            if (tag == NULL) {
                rc = -ENOMEM;
                goto out;
            }
            break;
        }
    }
    if ((repo != NULL && ctr_info_set_str(&info->imagerepo, repo) < 0) ||
        (tag != NULL && ctr_info_set_str(&info->imagetag, tag) < 0) ||
        (digest != NULL && ctr_info_set_str(&info->imagedigest, digest) < 0)) {
        rc = -ENOMEM;
    }
out:
    free(repo);
    free(tag);
    cJSON_Delete(root);
    return rc;
}

int ctr_docker_parse_list(const char *json,
                          size_t len,
                          size_t max,
                          void (*fn)(const char *id, void *arg),
                          void *arg)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *it;
    int n = 0;

    if (root == NULL || !cJSON_IsArray(root)) {
        cJSON_Delete(root);
        return -EINVAL;
    }
    cJSON_ArrayForEach(it, root) {
        const char *id = str_of(it, "Id");
        if ((size_t)n >= max) {
            break;
        }
        if (strlen(id) >= CTR_SHORT_ID_LEN) {
            fn(id, arg);
            n++;
        }
    }
    cJSON_Delete(root);
    return n;
}

int ctr_docker_parse_event(const char *json,
                           size_t len,
                           char *id,
                           size_t id_cap,
                           char *image,
                           size_t image_cap)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *actor;
    const char *action;
    const char *type;
    int rc = CTR_DOCKER_ACTION_OTHER;

    if (root == NULL || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return -EINVAL;
    }
    actor = item(root, "Actor");
    type = str_of(root, "Type");
    action = str_of(root, "Action");
    if (action[0] == '\0') {
        action = str_of(root, "status");
    }
    copy_trunc(id, id_cap,
               str_of(actor, "ID")[0] != '\0' ? str_of(actor, "ID") : str_of(root, "id"));
    copy_trunc(image, image_cap, str_of(item(actor, "Attributes"), "image"));
    if (type[0] != '\0' && strcmp(type, "container") != 0) {
        rc = CTR_DOCKER_ACTION_OTHER;
    } else if (strcmp(action, "create") == 0) {
        rc = CTR_DOCKER_ACTION_CREATE;
    } else if (strcmp(action, "start") == 0) {
        rc = CTR_DOCKER_ACTION_START;
    } else if (strcmp(action, "destroy") == 0 || strcmp(action, "remove") == 0) {
        rc = CTR_DOCKER_ACTION_DESTROY;
    }
    cJSON_Delete(root);
    return rc;
}
