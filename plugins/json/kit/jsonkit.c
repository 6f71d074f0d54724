/* SPDX-License-Identifier: Apache-2.0 */
/* Lookups, the per-event document cache, list results and rate limits (see jsonkit.h). */
#include "jsonkit.h"

#include <stdlib.h>
#include <string.h>

const cJSON *jk_get(const cJSON *v, const char *const *keys, size_t nkeys)
{
    for (size_t i = 0; i < nkeys && v != NULL; i++) {
        if (!cJSON_IsObject(v)) {
            return NULL;
        }
        v = cJSON_GetObjectItemCaseSensitive(v, keys[i]);
    }
    return v;
}

const char *jk_get_str(const cJSON *v, const char *const *keys, size_t nkeys)
{
    v = jk_get(v, keys, nkeys);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void jk_doc_init(struct jk_doc *d)
{
    memset(d, 0, sizeof(*d));
}

void jk_doc_fini(struct jk_doc *d)
{
    cJSON_Delete(d->root);
    jk_doc_init(d);
}

const cJSON *jk_doc_get(struct jk_doc *d,
                        const ss_plugin_event_input *ev,
                        const char **payload,
                        uint32_t *plen)
{
    const uint8_t *data = NULL;
    uint32_t len = 0;
    uint32_t id;

    if (ev == NULL || ev->evt == NULL || saker_evt_plugin_payload(ev->evt, &id, &data, &len) < 0) {
        return NULL;
    }
    if (payload != NULL) {
        *payload = (const char *)data;
        *plen = len;
    }
    if (d->valid && d->evtnum == ev->evtnum && d->ts == ev->evt->ts && d->len == len) {
        return d->root;
    }
    cJSON_Delete(d->root);
    d->root = NULL;
    /* Upstream decodes only payloads that start like a document. */
    if (len > 0 && (data[0] == '{' || data[0] == '[')) {
        d->root = cJSON_ParseWithLength((const char *)data, len);
    }
    d->valid = true;
    d->evtnum = ev->evtnum;
    d->ts = ev->evt->ts;
    d->len = len;
    return d->root;
}

void jk_strlist_init(struct jk_strlist *l)
{
    memset(l, 0, sizeof(*l));
}

void jk_strlist_fini(struct jk_strlist *l)
{
    free(l->items);
    jk_strlist_init(l);
}

void jk_strlist_reset(struct jk_strlist *l)
{
    l->n = 0;
}

int jk_strlist_add_ref(struct jk_strlist *l, const char *p)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        const char **items;
        if (cap < l->cap) {
            return -1;
        }
        items = realloc(l->items, (size_t)cap * sizeof(*items));
        if (items == NULL) {
            return -1;
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = p;
    return 0;
}

int jk_strlist_add(struct jk_strlist *l, struct saker_store *s, const char *p, size_t n)
{
    const char *copy = saker_store_strndup(s, p, n);

    if (copy == NULL) {
        return -1;
    }
    return jk_strlist_add_ref(l, copy);
}

int jk_strlist_commit(struct jk_strlist *l, struct saker_store *s, ss_plugin_extract_field *f)
{
    const char **arr;

    f->res_len = 0;
    if (l->n == 0) {
        return 0;
    }
    arr = saker_store_alloc(s, (size_t)l->n * sizeof(*arr));
    if (arr == NULL) {
        return -1;
    }
    memcpy(arr, l->items, (size_t)l->n * sizeof(*arr));
    f->res.str = arr;
    f->res_len = l->n;
    return 0;
}

bool jk_ratelimit_ok(struct jk_ratelimit *r, uint64_t burst, uint64_t every)
{
    uint64_t n = r->seen++;

    return n < burst || (every > 0 && (n - burst) % every == every - 1);
}
