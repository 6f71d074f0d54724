/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes audit JSON -> k8s_audit plugin events. */
#include <stdlib.h>
#include <string.h>

#include "k8saudit.h"

#define EVT_OVERHEAD (SAKER_EVT_HDR_LEN + 2 * 4 + 4)

static size_t padded(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

void k8s_evbuf_reset(struct k8s_evbuf *b)
{
    b->len = 0;
    b->count = 0;
}

void k8s_evbuf_fini(struct k8s_evbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

const ss_plugin_event *k8s_evbuf_next(const uint8_t *base, size_t len, const ss_plugin_event *at)
{
    size_t off = 0;

    if (at != NULL) {
        off = (size_t)((const uint8_t *)at - base) + padded(at->len);
    }
    return off + SAKER_EVT_HDR_LEN <= len ? (const ss_plugin_event *)(base + off) : NULL;
}

static int evbuf_add(struct k8s_evbuf *b, uint64_t ts, const char *payload, size_t len)
{
    size_t need = padded(EVT_OVERHEAD + len);

    if (len > UINT32_MAX - EVT_OVERHEAD) {
        return -1;
    }
    if (b->cap - b->len < need) {
        size_t cap = b->cap ? b->cap : 4096;
        uint8_t *p;
        while (cap - b->len < need) {
            cap *= 2;
        }
        p = realloc(b->p, cap);
        if (p == NULL) {
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    if (saker_evt_build_plugin(b->p + b->len, b->cap - b->len, ts, K8S_PLUGIN_ID, payload,
                               (uint32_t)len) == 0) {
        return -1;
    }
    memset(b->p + b->len + EVT_OVERHEAD + len, 0, need - EVT_OVERHEAD - len);
    b->len += need;
    b->count++;
    return 0;
}

static int single_event(const cJSON *ev,
                        uint64_t max_event_size,
                        struct jk_buf *scratch,
                        struct k8s_evbuf *out,
                        struct k8s_parse_stats *stats)
{
    const char *stamp = jk_get_str(ev, JK_KEYS("stageTimestamp"));
    uint64_t ts;

    if (stamp == NULL || jk_rfc3339_ns(stamp, strlen(stamp), &ts) < 0) {
        stats->no_timestamp++;
        return 0;
    }
    if (jk_print_compact(scratch, ev) < 0) {
        return -2;
    }
    if (scratch->len > max_event_size) {
        stats->too_large++;
        return 0;
    }
    if (evbuf_add(out, ts, scratch->p, scratch->len) < 0) {
        return -2;
    }
    stats->events++;
    return 0;
}

static int from_json(const cJSON *v,
                     uint64_t max_event_size,
                     struct jk_buf *scratch,
                     struct k8s_evbuf *out,
                     struct k8s_parse_stats *stats)
{
    const char *kind;
    const cJSON *items;

    if (cJSON_IsArray(v)) {
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            int rc = from_json(c, max_event_size, scratch, out, stats);
            if (rc < 0) {
                return rc;
            }
        }
        return 0;
    }
    kind = jk_get_str(v, JK_KEYS("kind"));
    if (kind != NULL && strcmp(kind, "EventList") == 0) {
        items = jk_get(v, JK_KEYS("items"));
        if (cJSON_IsArray(items)) {
            for (const cJSON *c = items->child; c != NULL; c = c->next) {
                int rc = single_event(c, max_event_size, scratch, out, stats);
                if (rc < 0) {
                    return rc;
                }
            }
            return 0;
        }
    } else if (kind != NULL && strcmp(kind, "Event") == 0) {
        return single_event(v, max_event_size, scratch, out, stats);
    }
    return -1;
}

int k8s_events_from_json(const cJSON *root,
                         uint64_t max_event_size,
                         struct jk_buf *scratch,
                         struct k8s_evbuf *out,
                         struct k8s_parse_stats *stats)
{
    size_t len0 = out->len;
    uint32_t count0 = out->count;
    struct k8s_parse_stats s0 = *stats;
    int rc = from_json(root, max_event_size, scratch, out, stats);

    if (rc < 0) {
        /* one unrecognised part rejects the whole document, as upstream does */
        out->len = len0;
        out->count = count0;
        *stats = s0;
    }
    return rc;
}
