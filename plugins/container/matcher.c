/* SPDX-License-Identifier: Apache-2.0 */
#include "matcher.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Length of a full runc-style container id. */
#define FULL_ID_LEN 64

const char *ctr_type_name(int type)
{
    switch (type) {
    case CTR_TYPE_DOCKER:
        return "docker";
    case CTR_TYPE_LXC:
        return "lxc";
    case CTR_TYPE_LIBVIRT_LXC:
        return "libvirt-lxc";
    case CTR_TYPE_MESOS:
        return "mesos";
    case CTR_TYPE_RKT:
        return "rkt";
    case CTR_TYPE_CRI:
        return "cri";
    case CTR_TYPE_CONTAINERD:
        return "containerd";
    case CTR_TYPE_CRIO:
        return "cri-o";
    case CTR_TYPE_BPM:
        return "bpm";
    case CTR_TYPE_PODMAN:
        return "podman";
    case CTR_TYPE_HOST:
        return "host";
    default:
        return "";
    }
}

/* Last occurrence of needle in hay, as a position; -1 when absent. "" is found at len. */
static long rfind(const char *hay, size_t len, const char *needle, size_t nlen)
{
    size_t end;

    if (nlen > len) {
        return -1;
    }
    if (nlen == 0) {
        return (long)len;
    }
    /* candidates start with needle[0]; walk them backwards */
    end = len - nlen + 1;
    while (end > 0) {
        const char *c = memrchr(hay, needle[0], end);
        if (c == NULL) {
            return -1;
        }
        if (memcmp(c, needle, nlen) == 0) {
            return (long)(c - hay);
        }
        end = (size_t)(c - hay);
    }
    return -1;
}

/* First occurrence of needle at or after from; -1 when absent. */
static long find_from(const char *hay, size_t len, size_t from, const char *needle, size_t nlen)
{
    const char *c;

    if (from > len) {
        return -1;
    }
    c = memmem(hay + from, len - from, needle, nlen);
    return c != NULL ? (long)(c - hay) : -1;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);

    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void set_id(struct ctr_match *out, const char *p, size_t n)
{
    memcpy(out->id, p, n);
    out->id[n] = '\0';
    out->id_len = n;
}

/*
 * One (prefix, suffix) layout of the runc family: the id runs from after the
 * last prefix to the last suffix (or the end for ""). A 64-character span is
 * a full id and yields its first 12 characters. The hex test deliberately
 * compares the absolute position of the first non-hex character after the
 * prefix with 64, as the reference implementation does, which makes it a
 * length test for ids that do not start the path. Shorter spans are ids only
 * for containerd, and never for systemd unit paths.
 */
static bool match_layout(const char *path,
                         size_t len,
                         const char *prefix,
                         const char *suffix,
                         bool short_ids,
                         struct ctr_match *out)
{
    size_t plen = strlen(prefix);
    long start = rfind(path, len, prefix, plen);
    long end;
    size_t span;
    size_t first_non_hex;

    if (start < 0) {
        return false;
    }
    start += (long)plen;
    end = rfind(path, len, suffix, strlen(suffix));
    if (end < 0 || end < start) {
        return false;
    }
    span = (size_t)(end - start);
    if (span == FULL_ID_LEN) {
        first_non_hex = len;
        for (size_t i = (size_t)start; i < len; i++) {
            if (!is_hex(path[i])) {
                first_non_hex = i;
                break;
            }
        }
        if (first_non_hex >= FULL_ID_LEN) {
            set_id(out, path + start, CTR_SHORT_ID_LEN);
            return true;
        }
    }
    if (span > FULL_ID_LEN || span == 0) {
        return false;
    }
    if (short_ids && !ends_with(path, len, ".service") && !ends_with(path, len, ".slice") &&
        !ends_with(path, len, ".scope")) {
        set_id(out, path + start, span < CTR_SHORT_ID_LEN ? span : CTR_SHORT_ID_LEN);
        return true;
    }
    return false;
}

struct layout {
    const char *prefix;
    const char *suffix;
};

static const struct layout podman_layouts[] = {
    { "/libpod-", ".scope" },
    { "/libpod-", ".scope/container" },
    { "/libpod-", "" },
    { "/libpod-payload-", ".scope" },
    { "/libpod-payload-", ".scope/container" },
    { "/libpod-payload-", "" },
    { NULL, NULL },
};

static const struct layout docker_layouts[] = {
    { "/", "" },
    { "/docker-", ".scope" },
    { NULL, NULL },
};

static const struct layout cri_layouts[] = {
    { "/", "" },
    { "/crio-", "" },
    { "/cri-containerd-", ".scope" },
    { "/crio-", ".scope" },
    { ":cri-containerd:", "" },
    { "/docker-", ".scope" },
    { "/nerdctl-", ".scope" },
    { NULL, NULL },
};

static bool match_layouts(const char *path,
                          size_t len,
                          const struct layout *l,
                          struct ctr_match *out)
{
    for (; l->prefix != NULL; l++) {
        if (match_layout(path, len, l->prefix, l->suffix, false, out)) {
            return true;
        }
    }
    return false;
}

/* A containerd namespace segment: [A-Za-z0-9]+([._-][A-Za-z0-9]+)*. */
static bool is_namespace_name(const char *s, size_t n)
{
    bool prev_sep = true; /* the first character must be alphanumeric */

    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (is_alnum(s[i])) {
            prev_sep = false;
        } else if (s[i] == '.' || s[i] == '_' || s[i] == '-') {
            if (prev_sep) {
                return false;
            }
            prev_sep = true;
        } else {
            return false;
        }
    }
    return !prev_sep;
}

/*
 * Containers started through containerd's own API sit under
 * /<namespace>/<id>: the namespace is the first "/name/" segment of the path,
 * and the id follows its last occurrence.
 */
static bool match_containerd(const char *path, size_t len, struct ctr_match *out)
{
    char prefix[CTR_ID_MAX + 3];

    for (size_t i = 0; i < len; i++) {
        long next;
        size_t seg;

        if (path[i] != '/') {
            continue;
        }
        next = find_from(path, len, i + 1, "/", 1);
        if (next < 0) {
            return false;
        }
        seg = (size_t)next - i - 1;
        if (!is_namespace_name(path + i + 1, seg)) {
            continue;
        }
        if (seg + 2 >= sizeof(prefix)) {
            return false;
        }
        memcpy(prefix, path + i, seg + 2);
        prefix[seg + 2] = '\0';
        return match_layout(path, len, prefix, "", true, out);
    }
    return false;
}

static bool match_lxc(const char *path, size_t len, struct ctr_match *out)
{
    static const char *const layouts[] = { "/lxc/", "/lxc.payload/", "/lxc.payload." };

    for (size_t k = 0; k < sizeof(layouts) / sizeof(layouts[0]); k++) {
        size_t n = strlen(layouts[k]);
        long pos = find_from(path, len, 0, layouts[k], n);
        size_t start;
        long end;
        size_t idn;

        if (pos < 0) {
            continue;
        }
        start = (size_t)pos + n;
        end = find_from(path, len, start, "/", 1);
        idn = (end < 0 ? len : (size_t)end) - start;
        /* An empty id would alias the host entry; treat it as no container. */
        if (idn == 0 || idn > CTR_ID_MAX) {
            return false;
        }
        set_id(out, path + start, idn);
        return true;
    }
    return false;
}

static bool match_libvirt_lxc(const char *path, size_t len, struct ctr_match *out)
{
    static const char marker[] = "-lxc\\x2";
    static const char legacy[] = "/libvirt/lxc/";
    long pos;

    /* Non-systemd: <...>/<id>.libvirt-lxc, the first ".libvirt-lxc" ending the path. */
    pos = find_from(path, len, 0, ".libvirt-lxc", 12);
    if (pos >= 0 && (size_t)pos + 12 == len) {
        long slash = rfind(path, len, "/", 1);
        if (slash >= 0 && slash < pos) {
            size_t idn = (size_t)(pos - slash - 1);
            if (idn > 0 && idn <= CTR_ID_MAX) {
                set_id(out, path + slash + 1, idn);
                return true;
            }
            return false;
        }
    }
    /* systemd: machine-lxc\x2d<id>.scope[/libvirt]; the escaped '-' (\x2d) is skipped too. */
    pos = find_from(path, len, 0, marker, sizeof(marker) - 1);
    if (pos >= 0) {
        const char *delim =
                find_from(path, len, 0, ".scope/libvirt", 14) >= 0 ? ".scope/libvirt" : ".scope";
        size_t dlen = strlen(delim);
        long pos2 = find_from(path, len, 0, delim, dlen);
        if (pos2 >= 0 && (size_t)pos2 + dlen == len) {
            size_t start = (size_t)pos + sizeof(marker);
            if ((size_t)pos2 > start && (size_t)pos2 - start <= CTR_ID_MAX) {
                set_id(out, path + start, (size_t)pos2 - start);
                return true;
            }
            return false;
        }
    }
    /* Legacy: .../libvirt/lxc/<id> */
    pos = find_from(path, len, 0, legacy, sizeof(legacy) - 1);
    if (pos >= 0) {
        size_t start = (size_t)pos + sizeof(legacy) - 1;
        if (len > start && len - start <= CTR_ID_MAX) {
            set_id(out, path + start, len - start);
            return true;
        }
    }
    return false;
}

static bool match_bpm(const char *path, size_t len, struct ctr_match *out)
{
    long pos = find_from(path, len, 0, "bpm-", 4);
    size_t start;
    long end;
    size_t idn;

    if (pos < 0) {
        return false;
    }
    start = (size_t)pos + 4;
    end = find_from(path, len, start, ".scope", 6);
    idn = (end < 0 ? len : (size_t)end) - start;
    if (idn == 0 || idn > CTR_ID_MAX) {
        return false;
    }
    for (size_t i = 0; i < idn; i++) {
        char c = path[start + i];
        if (!is_alnum(c) && c != '.' && c != '_' && c != '-') {
            return false;
        }
    }
    set_id(out, path + start, idn);
    return true;
}

bool ctr_match_path(uint32_t mask, const char *path, size_t len, struct ctr_match *out)
{
    out->has_info = false;
    out->type = CTR_TYPE_UNKNOWN;
    if (len == 0) {
        return false;
    }
    if ((mask & CTR_ENGINE_PODMAN) && match_layouts(path, len, podman_layouts, out)) {
        out->engine = CTR_ENGINE_PODMAN;
        return true;
    }
    if ((mask & CTR_ENGINE_DOCKER) && match_layouts(path, len, docker_layouts, out)) {
        out->engine = CTR_ENGINE_DOCKER;
        return true;
    }
    if ((mask & CTR_ENGINE_CRI) && match_layouts(path, len, cri_layouts, out)) {
        out->engine = CTR_ENGINE_CRI;
        return true;
    }
    if ((mask & CTR_ENGINE_CONTAINERD) && match_containerd(path, len, out)) {
        out->engine = CTR_ENGINE_CONTAINERD;
        return true;
    }
    if ((mask & CTR_ENGINE_LXC) && match_lxc(path, len, out)) {
        out->engine = CTR_ENGINE_LXC;
        out->has_info = true;
        out->type = CTR_TYPE_LXC;
        return true;
    }
    if ((mask & CTR_ENGINE_LIBVIRT_LXC) && match_libvirt_lxc(path, len, out)) {
        out->engine = CTR_ENGINE_LIBVIRT_LXC;
        out->has_info = true;
        out->type = CTR_TYPE_LIBVIRT_LXC;
        return true;
    }
    if ((mask & CTR_ENGINE_BPM) && match_bpm(path, len, out)) {
        out->engine = CTR_ENGINE_BPM;
        out->has_info = true;
        out->type = CTR_TYPE_BPM;
        return true;
    }
    return false;
}

int ctr_matcher_init(struct ctr_matcher *m, uint32_t mask, const char *static_id, size_t cache_size)
{
    memset(m, 0, sizeof(*m));
    m->mask = mask;
    if ((mask & CTR_ENGINE_STATIC) && static_id != NULL) {
        size_t n = strlen(static_id);
        if (n == 0 || n > CTR_ID_MAX) {
            return -EINVAL;
        }
        memcpy(m->static_id, static_id, n + 1);
        m->static_enabled = true;
    }
    return ctr_hmap_init(&m->cache, cache_size > 0 ? cache_size : 1, free);
}

void ctr_matcher_fini(struct ctr_matcher *m)
{
    ctr_hmap_fini(&m->cache);
}

const struct ctr_match *ctr_matcher_match(struct ctr_matcher *m, const char *path, size_t len)
{
    struct ctr_match *res;

    if (len == 0) {
        return NULL;
    }
    if (m->static_enabled) {
        res = ctr_hmap_get(&m->cache, "", 0);
        if (res == NULL) {
            res = calloc(1, sizeof(*res));
            if (res == NULL) {
                return NULL;
            }
            set_id(res, m->static_id, strlen(m->static_id));
            res->engine = CTR_ENGINE_STATIC;
            res->has_info = true;
            res->type = CTR_TYPE_STATIC;
            if (ctr_hmap_put(&m->cache, "", 0, res) < 0) {
                free(res);
                return NULL;
            }
        }
        return res;
    }
    res = ctr_hmap_touch(&m->cache, path, len);
    if (res != NULL) {
        m->hits++;
        return res->id_len > 0 ? res : NULL;
    }
    m->misses++;
    res = malloc(sizeof(*res));
    if (res == NULL) {
        return NULL;
    }
    if (!ctr_match_path(m->mask, path, len, res)) {
        res->id_len = 0;
        res->id[0] = '\0';
    }
    if (ctr_hmap_put(&m->cache, path, len, res) < 0) {
        /* Uncached: the result is still right for this call; keep one scratch copy. */
        free(res);
        return NULL;
    }
    return res->id_len > 0 ? res : NULL;
}
