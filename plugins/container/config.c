/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "matcher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

static const char schema[] =
        "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"type\":\"object\","
        "\"additionalProperties\":false,\"properties\":{"
        "\"label_max_len\":{\"type\":\"integer\",\"minimum\":0,\"title\":\"Longest label value "
        "kept\",\"description\":\"Container labels whose value is longer are not reported.\"},"
        "\"with_size\":{\"type\":\"boolean\",\"title\":\"Query the writable layer size\","
        "\"description\":\"Ask the runtime for the container size (slow on some runtimes).\"},"
        "\"hooks\":{\"type\":\"array\",\"items\":{\"enum\":[\"create\",\"start\",\"remove\"]},"
        "\"title\":\"Runtime events that trigger a lookup\"},"
        "\"host_root\":{\"type\":\"string\",\"title\":\"Prefix of every socket path\"},"
        "\"log_level\":{\"enum\":[\"error\",\"warning\",\"info\",\"debug\",\"trace\"]},"
        "\"lookup_timeout_ms\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":60000,"
        "\"title\":\"Bound of one runtime API request\"},"
        "\"max_containers\":{\"type\":\"integer\",\"minimum\":1,\"title\":\"Containers kept in "
        "memory\"},"
        "\"engines\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
        "\"docker\":{\"$ref\":\"#/definitions/Sockets\"},"
        "\"podman\":{\"$ref\":\"#/definitions/Sockets\"},"
        "\"cri\":{\"$ref\":\"#/definitions/Sockets\"},"
        "\"containerd\":{\"$ref\":\"#/definitions/Sockets\"},"
        "\"lxc\":{\"$ref\":\"#/definitions/Simple\"},"
        "\"libvirt_lxc\":{\"$ref\":\"#/definitions/Simple\"},"
        "\"bpm\":{\"$ref\":\"#/definitions/Simple\"},"
        "\"static\":{\"$ref\":\"#/definitions/Static\"}}}},"
        "\"definitions\":{"
        "\"Sockets\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
        "\"enabled\":{\"type\":\"boolean\"},\"sockets\":{\"type\":\"array\",\"items\":{\"type\":"
        "\"string\"}}}},"
        "\"Simple\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
        "\"enabled\":{\"type\":\"boolean\"}}},"
        "\"Static\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
        "\"enabled\":{\"type\":\"boolean\"},\"container_id\":{\"type\":\"string\",\"minLength\":1},"
        "\"container_name\":{\"type\":\"string\",\"minLength\":1},"
        "\"container_image\":{\"type\":\"string\",\"minLength\":1}}}}}";

const char *ctr_config_schema(void)
{
    return schema;
}

static const char *json_type_name(const cJSON *v)
{
    if (cJSON_IsBool(v)) {
        return "a boolean";
    }
    if (cJSON_IsNumber(v)) {
        return "a number";
    }
    if (cJSON_IsString(v)) {
        return "a string";
    }
    if (cJSON_IsArray(v)) {
        return "an array";
    }
    if (cJSON_IsObject(v)) {
        return "an object";
    }
    return "null";
}

static int bad(char *err, size_t cap, const char *path, const char *want, const cJSON *v)
{
    snprintf(err, cap, "init config: '%s' must be %s (got %s)", path, want, json_type_name(v));
    return -EINVAL;
}

static int get_bool(const cJSON *v, const char *path, bool *out, char *err, size_t cap)
{
    if (!cJSON_IsBool(v)) {
        return bad(err, cap, path, "true or false", v);
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

static int get_u32(const cJSON *v,
                   const char *path,
                   uint32_t min,
                   uint32_t max,
                   uint32_t *out,
                   char *err,
                   size_t cap)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble ||
        v->valuedouble < min || v->valuedouble > max) {
        snprintf(err, cap, "init config: '%s' must be an integer from %u to %u", path, min, max);
        return -EINVAL;
    }
    *out = (uint32_t)v->valuedouble;
    return 0;
}

static int get_str(const cJSON *v,
                   const char *path,
                   bool non_empty,
                   char **out,
                   char *err,
                   size_t cap)
{
    char *copy;

    if (!cJSON_IsString(v) || (non_empty && v->valuestring[0] == '\0')) {
        return bad(err, cap, path, non_empty ? "a non-empty string" : "a string", v);
    }
    copy = strdup(v->valuestring);
    if (copy == NULL) {
        snprintf(err, cap, "init config: out of memory");
        return -ENOMEM;
    }
    free(*out);
    *out = copy;
    return 0;
}

static int unknown_key(char *err, size_t cap, const char *where, const char *key, const char *known)
{
    snprintf(err, cap, "init config: unknown key '%s%s'; known keys here: %s", where, key, known);
    return -EINVAL;
}

static int parse_sockets_engine(const cJSON *o,
                                const char *name,
                                struct ctr_engine_cfg *e,
                                char *err,
                                size_t cap)
{
    const cJSON *it;
    char path[96];

    if (!cJSON_IsObject(o)) {
        snprintf(path, sizeof(path), "engines.%s", name);
        return bad(err, cap, path, "an object {enabled, sockets}", o);
    }
    cJSON_ArrayForEach(it, o) {
        snprintf(path, sizeof(path), "engines.%s.%s", name, it->string);
        if (strcmp(it->string, "enabled") == 0) {
            if (get_bool(it, path, &e->enabled, err, cap) < 0) {
                return -EINVAL;
            }
        } else if (strcmp(it->string, "sockets") == 0) {
            const cJSON *s;
            if (!cJSON_IsArray(it)) {
                return bad(err, cap, path, "an array of socket paths", it);
            }
            cJSON_ArrayForEach(s, it) {
                if (!cJSON_IsString(s) || s->valuestring[0] == '\0') {
                    return bad(err, cap, path, "an array of non-empty strings", s);
                }
                if (e->n_sockets == CTR_MAX_SOCKETS) {
                    snprintf(err, cap, "init config: '%s' lists more than %d sockets", path,
                             CTR_MAX_SOCKETS);
                    return -EINVAL;
                }
                e->sockets[e->n_sockets] = strdup(s->valuestring);
                if (e->sockets[e->n_sockets] == NULL) {
                    snprintf(err, cap, "init config: out of memory");
                    return -ENOMEM;
                }
                e->n_sockets++;
            }
        } else {
            char where[64];
            snprintf(where, sizeof(where), "engines.%s.", name);
            return unknown_key(err, cap, where, it->string, "enabled, sockets");
        }
    }
    return 0;
}

static int parse_simple_engine(const cJSON *o,
                               const char *name,
                               bool *enabled,
                               char *err,
                               size_t cap)
{
    const cJSON *it;
    char path[96];

    if (!cJSON_IsObject(o)) {
        snprintf(path, sizeof(path), "engines.%s", name);
        return bad(err, cap, path, "an object {enabled}", o);
    }
    cJSON_ArrayForEach(it, o) {
        if (strcmp(it->string, "enabled") != 0) {
            char where[64];
            snprintf(where, sizeof(where), "engines.%s.", name);
            return unknown_key(err, cap, where, it->string, "enabled");
        }
        snprintf(path, sizeof(path), "engines.%s.enabled", name);
        if (get_bool(it, path, enabled, err, cap) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

static int parse_static_engine(const cJSON *o, struct ctr_config *cfg, char *err, size_t cap)
{
    const cJSON *it;
    int rc;

    if (!cJSON_IsObject(o)) {
        return bad(err, cap, "engines.static", "an object", o);
    }
    cJSON_ArrayForEach(it, o) {
        if (strcmp(it->string, "enabled") == 0) {
            rc = get_bool(it, "engines.static.enabled", &cfg->static_enabled, err, cap);
        } else if (strcmp(it->string, "container_id") == 0) {
            rc = get_str(it, "engines.static.container_id", false, &cfg->static_id, err, cap);
        } else if (strcmp(it->string, "container_name") == 0) {
            rc = get_str(it, "engines.static.container_name", false, &cfg->static_name, err, cap);
        } else if (strcmp(it->string, "container_image") == 0) {
            rc = get_str(it, "engines.static.container_image", false, &cfg->static_image, err, cap);
        } else {
            return unknown_key(err, cap, "engines.static.", it->string,
                               "enabled, container_id, container_name, container_image");
        }
        if (rc < 0) {
            return rc;
        }
    }
    if (cfg->static_enabled) {
        if (cfg->static_id == NULL || cfg->static_name == NULL || cfg->static_image == NULL ||
            cfg->static_id[0] == '\0' || cfg->static_name[0] == '\0' ||
            cfg->static_image[0] == '\0') {
            snprintf(err, cap,
                     "init config: 'engines.static' is enabled but lacks container_id, "
                     "container_name or container_image; set all three");
            return -EINVAL;
        }
        if (strlen(cfg->static_id) > CTR_ID_MAX) {
            snprintf(err, cap, "init config: 'engines.static.container_id' is longer than %d",
                     CTR_ID_MAX);
            return -EINVAL;
        }
    }
    return 0;
}

static int parse_engines(const cJSON *o, struct ctr_config *cfg, char *err, size_t cap)
{
    const cJSON *it;
    int rc;

    if (!cJSON_IsObject(o)) {
        return bad(err, cap, "engines", "an object", o);
    }
    cJSON_ArrayForEach(it, o) {
        const char *k = it->string;
        if (strcmp(k, "docker") == 0) {
            rc = parse_sockets_engine(it, k, &cfg->docker, err, cap);
        } else if (strcmp(k, "podman") == 0) {
            rc = parse_sockets_engine(it, k, &cfg->podman, err, cap);
        } else if (strcmp(k, "cri") == 0) {
            rc = parse_sockets_engine(it, k, &cfg->cri, err, cap);
        } else if (strcmp(k, "containerd") == 0) {
            rc = parse_sockets_engine(it, k, &cfg->containerd, err, cap);
        } else if (strcmp(k, "lxc") == 0) {
            rc = parse_simple_engine(it, k, &cfg->lxc, err, cap);
        } else if (strcmp(k, "libvirt_lxc") == 0) {
            rc = parse_simple_engine(it, k, &cfg->libvirt_lxc, err, cap);
        } else if (strcmp(k, "bpm") == 0) {
            rc = parse_simple_engine(it, k, &cfg->bpm, err, cap);
        } else if (strcmp(k, "static") == 0) {
            rc = parse_static_engine(it, cfg, err, cap);
        } else {
            return unknown_key(err, cap, "engines.", k,
                               "docker, podman, cri, containerd, lxc, libvirt_lxc, bpm, static");
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int parse_hooks(const cJSON *v, struct ctr_config *cfg, char *err, size_t cap)
{
    const cJSON *it;

    if (!cJSON_IsArray(v)) {
        return bad(err, cap, "hooks", "an array of \"create\", \"start\", \"remove\"", v);
    }
    cfg->hook_create = cfg->hook_start = cfg->hook_remove = false;
    cJSON_ArrayForEach(it, v) {
        if (cJSON_IsString(it) && strcmp(it->valuestring, "create") == 0) {
            cfg->hook_create = true;
        } else if (cJSON_IsString(it) && strcmp(it->valuestring, "start") == 0) {
            cfg->hook_start = true;
        } else if (cJSON_IsString(it) && strcmp(it->valuestring, "remove") == 0) {
            cfg->hook_remove = true;
        } else {
            snprintf(err, cap,
                     "init config: 'hooks' items must be \"create\", \"start\" or \"remove\"");
            return -EINVAL;
        }
    }
    return 0;
}

static int parse_log_level(const cJSON *v, struct ctr_config *cfg, char *err, size_t cap)
{
    static const struct {
        const char *name;
        ss_plugin_log_severity sev;
    } levels[] = {
        { "error", SS_PLUGIN_LOG_SEV_ERROR }, { "warning", SS_PLUGIN_LOG_SEV_WARNING },
        { "info", SS_PLUGIN_LOG_SEV_INFO },   { "debug", SS_PLUGIN_LOG_SEV_DEBUG },
        { "trace", SS_PLUGIN_LOG_SEV_TRACE },
    };

    for (size_t i = 0; cJSON_IsString(v) && i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (strcmp(v->valuestring, levels[i].name) == 0) {
            cfg->log_level = levels[i].sev;
            return 0;
        }
    }
    snprintf(err, cap,
             "init config: 'log_level' must be one of error, warning, info, debug, trace");
    return -EINVAL;
}

int ctr_config_parse(struct ctr_config *cfg, const char *text, char *err, size_t cap)
{
    cJSON *root = NULL;
    const cJSON *it;
    const char *env_root;
    int rc = 0;

    memset(cfg, 0, sizeof(*cfg));
    cfg->label_max_len = 100;
    cfg->hook_create = true;
    cfg->log_level = SS_PLUGIN_LOG_SEV_INFO;
    cfg->lookup_timeout_ms = 1000;
    cfg->max_containers = 16384;
    cfg->docker.enabled = cfg->podman.enabled = cfg->cri.enabled = true;
    cfg->containerd.enabled = true;
    cfg->lxc = cfg->libvirt_lxc = cfg->bpm = true;
    env_root = getenv("HOST_ROOT");
    cfg->host_root = strdup(env_root != NULL ? env_root : "");
    if (cfg->host_root == NULL) {
        snprintf(err, cap, "init config: out of memory");
        return -ENOMEM;
    }
    if (text == NULL || text[0] == '\0') {
        return 0;
    }
    root = cJSON_Parse(text);
    if (root == NULL) {
        const char *at = cJSON_GetErrorPtr();
        snprintf(err, cap, "init config is not valid JSON (near \"%.20s\"); pass a JSON object",
                 at != NULL ? at : "");
        return -EINVAL;
    }
    if (!cJSON_IsObject(root)) {
        rc = bad(err, cap, "(top level)", "a JSON object", root);
        goto out;
    }
    cJSON_ArrayForEach(it, root) {
        const char *k = it->string;
        if (strcmp(k, "label_max_len") == 0) {
            rc = get_u32(it, k, 0, UINT32_MAX, &cfg->label_max_len, err, cap);
        } else if (strcmp(k, "with_size") == 0) {
            rc = get_bool(it, k, &cfg->with_size, err, cap);
        } else if (strcmp(k, "hooks") == 0) {
            rc = parse_hooks(it, cfg, err, cap);
        } else if (strcmp(k, "host_root") == 0) {
            rc = get_str(it, k, false, &cfg->host_root, err, cap);
        } else if (strcmp(k, "log_level") == 0) {
            rc = parse_log_level(it, cfg, err, cap);
        } else if (strcmp(k, "lookup_timeout_ms") == 0) {
            rc = get_u32(it, k, 1, 60000, &cfg->lookup_timeout_ms, err, cap);
        } else if (strcmp(k, "max_containers") == 0) {
            rc = get_u32(it, k, 1, 1u << 24, &cfg->max_containers, err, cap);
        } else if (strcmp(k, "engines") == 0) {
            rc = parse_engines(it, cfg, err, cap);
        } else {
            rc = unknown_key(err, cap, "", k,
                             "label_max_len, with_size, hooks, host_root, log_level, "
                             "lookup_timeout_ms, max_containers, engines");
        }
        if (rc < 0) {
            goto out;
        }
    }
out:
    cJSON_Delete(root);
    return rc;
}

static void engine_fini(struct ctr_engine_cfg *e)
{
    for (size_t i = 0; i < e->n_sockets; i++) {
        free(e->sockets[i]);
    }
    e->n_sockets = 0;
}

void ctr_config_fini(struct ctr_config *cfg)
{
    engine_fini(&cfg->docker);
    engine_fini(&cfg->podman);
    engine_fini(&cfg->cri);
    engine_fini(&cfg->containerd);
    free(cfg->host_root);
    free(cfg->static_id);
    free(cfg->static_name);
    free(cfg->static_image);
    memset(cfg, 0, sizeof(*cfg));
}

uint32_t ctr_config_engine_mask(const struct ctr_config *cfg)
{
    uint32_t m = 0;

    if (cfg->static_enabled) {
        return CTR_ENGINE_STATIC;
    }
    m |= cfg->podman.enabled ? CTR_ENGINE_PODMAN : 0;
    m |= cfg->docker.enabled ? CTR_ENGINE_DOCKER : 0;
    m |= cfg->cri.enabled ? CTR_ENGINE_CRI : 0;
    m |= cfg->containerd.enabled ? CTR_ENGINE_CONTAINERD : 0;
    m |= cfg->lxc ? CTR_ENGINE_LXC : 0;
    m |= cfg->libvirt_lxc ? CTR_ENGINE_LIBVIRT_LXC : 0;
    m |= cfg->bpm ? CTR_ENGINE_BPM : 0;
    return m;
}
