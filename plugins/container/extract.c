/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field extraction. Per event, the thread's container id and pid-namespace
 * start time are read from the threads table once and reused for every
 * field the host asks about that event; values are copied into the
 * per-call store, so nothing handed to the host points into the container
 * map.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "fields.h"
#include "plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

static void regex_free(void *code)
{
    pcre2_code_free(code);
}

int ctr_extract_init(struct ctr_plugin *p)
{
    return ctr_hmap_init(&p->regex_cache, 64, regex_free);
}

void ctr_extract_fini(struct ctr_plugin *p)
{
    ctr_hmap_fini(&p->regex_cache);
    pcre2_match_data_free(p->match_data);
    p->match_data = NULL;
}

/* The compiled pattern of a mount key (cached; an invalid pattern caches as NULL). */
static pcre2_code *mount_pattern(struct ctr_plugin *p, const char *key)
{
    size_t n = strlen(key);
    pcre2_code *code;
    int errcode;
    PCRE2_SIZE erroff;

    if (ctr_hmap_contains(&p->regex_cache, key, n)) {
        return ctr_hmap_touch(&p->regex_cache, key, n);
    }
    code = pcre2_compile((PCRE2_SPTR)key, n, PCRE2_MULTILINE, &errcode, &erroff, NULL);
    if (code == NULL) {
        ctr_log(p, SS_PLUGIN_LOG_SEV_WARNING,
                "mount pattern '%s' is not a valid regular expression (offset %zu): the "
                "container.mount* field has no value",
                key, (size_t)erroff);
    }
    if (ctr_hmap_put(&p->regex_cache, key, n, code) < 0) {
        pcre2_code_free(code);
        return NULL;
    }
    return code;
}

static bool regex_found(struct ctr_plugin *p, pcre2_code *code, const char *subject)
{
    if (p->match_data == NULL) {
        p->match_data = pcre2_match_data_create(1, NULL);
        if (p->match_data == NULL) {
            return false;
        }
    }
    return pcre2_match(code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, p->match_data, NULL) >= 0;
}

static const struct ctr_mount *find_mount(struct ctr_plugin *p,
                                          const struct ctr_info *info,
                                          const ss_plugin_extract_field *f,
                                          bool by_dest)
{
    pcre2_code *code;

    if (f->arg_key != NULL) {
        code = mount_pattern(p, f->arg_key);
        if (code == NULL) {
            return NULL;
        }
        for (size_t i = 0; i < info->n_mounts; i++) {
            const struct ctr_mount *m = &info->mounts[i];
            if (regex_found(p, code, by_dest ? m->dest : m->source)) {
                return m;
            }
        }
        return NULL;
    }
    if (f->arg_present && f->arg_index < info->n_mounts) {
        return &info->mounts[f->arg_index];
    }
    return NULL;
}

static int set_str(struct ctr_plugin *p, ss_plugin_extract_field *f, const char *s)
{
    return saker_field_set_str(&p->store, f, s, strlen(s));
}

/* For k8s.pod.ip/cni.json/label(s): the sandbox's entry when the container has no CNI result. */
static const struct ctr_info *sandbox_of(struct ctr_plugin *p, const struct ctr_info *info)
{
    char id[CTR_SHORT_ID_LEN + 1];
    size_t n = strlen(info->pod_sandbox_id);

    if (info->cni_json[0] != '\0') {
        return NULL;
    }
    if (n > CTR_SHORT_ID_LEN) {
        n = CTR_SHORT_ID_LEN;
    }
    memcpy(id, info->pod_sandbox_id, n);
    id[n] = '\0';
    return ctr_hmap_get(&p->containers, id, n);
}

static bool arg_key_present(const ss_plugin_extract_field *f)
{
    return f->arg_key != NULL;
}

static int extract_one(struct ctr_plugin *p,
                       ss_plugin_extract_field *f,
                       const struct ctr_info *info,
                       const char *thread_id,
                       bool has_start,
                       uint64_t start_ts,
                       uint64_t evt_ts)
{
    const struct ctr_mount *m;
    const struct ctr_info *sb;
    const char *v;
    char buf[4096];

    f->res_len = 0;
    if (f->field_id >= F_COUNT) {
        return -1;
    }
    if (info == NULL && f->field_id != F_CONTAINER_ID && f->field_id != F_CONTAINER_START_TS &&
        f->field_id != F_CONTAINER_DURATION) {
        return 0; /* metadata not known (yet): no value */
    }
    switch ((enum ctr_field)f->field_id) {
    case F_CONTAINER_ID:
        return set_str(p, f, info != NULL ? info->id : thread_id);
    case F_CONTAINER_FULL_ID:
        return set_str(p, f, info->full_id);
    case F_CONTAINER_NAME:
        return set_str(p, f, info->name);
    case F_CONTAINER_IMAGE:
        return set_str(p, f, info->image);
    case F_CONTAINER_IMAGE_ID:
        return set_str(p, f, info->imageid);
    case F_CONTAINER_TYPE:
        return set_str(p, f, ctr_type_name(info->type));
    case F_CONTAINER_PRIVILEGED:
        return saker_field_set_bool(&p->store, f, info->privileged);
    case F_CONTAINER_MOUNTS:
        return set_str(p, f, info->mounts_str);
    case F_CONTAINER_MOUNT:
    case F_CONTAINER_MOUNT_SOURCE:
    case F_CONTAINER_MOUNT_DEST:
    case F_CONTAINER_MOUNT_MODE:
    case F_CONTAINER_MOUNT_RDWR:
    case F_CONTAINER_MOUNT_PROPAGATION:
        /* by key, .source searches destinations and every other one searches sources */
        m = find_mount(p, info, f, f->field_id == F_CONTAINER_MOUNT_SOURCE);
        if (m == NULL) {
            return 0;
        }
        switch (f->field_id) {
        case F_CONTAINER_MOUNT:
            if (ctr_mount_format(m, buf, sizeof(buf)) < 0) {
                return 0;
            }
            return set_str(p, f, buf);
        case F_CONTAINER_MOUNT_SOURCE:
            return set_str(p, f, m->source);
        case F_CONTAINER_MOUNT_DEST:
            return set_str(p, f, m->dest);
        case F_CONTAINER_MOUNT_MODE:
            return set_str(p, f, m->mode);
        case F_CONTAINER_MOUNT_RDWR:
            return set_str(p, f, m->rw ? "true" : "false");
        default:
            return set_str(p, f, m->propagation);
        }
    case F_CONTAINER_IMAGE_REPOSITORY:
        return set_str(p, f, info->imagerepo);
    case F_CONTAINER_IMAGE_TAG:
        return set_str(p, f, info->imagetag);
    case F_CONTAINER_IMAGE_DIGEST:
        return set_str(p, f, info->imagedigest);
    case F_CONTAINER_START_TS:
        if (!has_start || start_ts == 0) {
            return 0;
        }
        return saker_field_set_u64(&p->store, f, start_ts);
    case F_CONTAINER_DURATION:
        if (!has_start || start_ts == 0) {
            return 0;
        }
        return saker_field_set_u64(&p->store, f, evt_ts - start_ts);
    case F_CONTAINER_IP:
        return set_str(p, f, info->ip);
    case F_CONTAINER_CNI_JSON:
        return set_str(p, f, info->cni_json);
    case F_CONTAINER_HOST_PID:
        return saker_field_set_bool(&p->store, f, info->host_pid);
    case F_CONTAINER_HOST_NETWORK:
        return saker_field_set_bool(&p->store, f, info->host_network);
    case F_CONTAINER_HOST_IPC:
        return saker_field_set_bool(&p->store, f, info->host_ipc);
    case F_CONTAINER_LABEL:
        v = arg_key_present(f) ? ctr_kv_get(info->labels, info->n_labels, f->arg_key) : NULL;
        return v != NULL ? set_str(p, f, v) : 0;
    case F_CONTAINER_LABELS:
        return set_str(p, f, info->labels_str);
    case F_K8S_POD_NAME:
        v = ctr_kv_get(info->labels, info->n_labels, "io.kubernetes.pod.name");
        return v != NULL ? set_str(p, f, v) : 0;
    case F_K8S_NS_NAME:
        v = ctr_kv_get(info->labels, info->n_labels, "io.kubernetes.pod.namespace");
        return v != NULL ? set_str(p, f, v) : 0;
    case F_K8S_POD_ID:
    case F_K8S_POD_UID:
        v = ctr_kv_get(info->labels, info->n_labels, "io.kubernetes.pod.uid");
        return v != NULL ? set_str(p, f, v) : 0;
    case F_K8S_POD_SANDBOX_ID: {
        size_t n = strlen(info->pod_sandbox_id);
        return saker_field_set_str(&p->store, f, info->pod_sandbox_id,
                                   n > CTR_SHORT_ID_LEN ? CTR_SHORT_ID_LEN : n);
    }
    case F_K8S_POD_FULL_SANDBOX_ID:
        return set_str(p, f, info->pod_sandbox_id);
    case F_K8S_POD_LABEL:
        if (!arg_key_present(f)) {
            return 0;
        }
        sb = sandbox_of(p, info);
        v = sb != NULL ? ctr_kv_get(sb->pod_labels, sb->n_pod_labels, f->arg_key) : NULL;
        if (v == NULL) {
            v = ctr_kv_get(info->pod_labels, info->n_pod_labels, f->arg_key);
        }
        return v != NULL ? set_str(p, f, v) : 0;
    case F_K8S_POD_LABELS:
        sb = sandbox_of(p, info);
        return set_str(p, f, sb != NULL ? sb->pod_labels_str : info->pod_labels_str);
    case F_K8S_POD_IP:
        if (info->cni_json[0] != '\0') {
            return set_str(p, f, info->ip);
        }
        sb = sandbox_of(p, info);
        return sb != NULL ? set_str(p, f, sb->ip) : 0;
    case F_K8S_POD_CNI_JSON:
        if (info->cni_json[0] != '\0') {
            return set_str(p, f, info->cni_json);
        }
        sb = sandbox_of(p, info);
        return sb != NULL ? set_str(p, f, sb->cni_json) : 0;
    default:
        return 0; /* deprecated fields never have a value */
    }
}

static bool is_container_event(uint16_t type)
{
    return type == EV_ASYNCEVENT_E || type == EV_CONTAINER_E || type == EV_CONTAINER_JSON_E ||
           type == EV_CONTAINER_JSON_2_E;
}

/* Reads (once per event) the thread's container id and pid-namespace start. */
static void load_thread(struct ctr_plugin *p,
                        const ss_plugin_event_input *ev,
                        ss_plugin_table_reader_vtable_ext *r)
{
    ss_plugin_state_data key = { .s64 = (int64_t)ev->evt->tid };
    ss_plugin_state_data d;
    ss_plugin_table_entry_t *e;
    size_t n;

    /* a host that does not number events still changes tid or time between them */
    if (p->cache_valid && p->cache_evtnum == ev->evtnum && p->cache_tid == ev->evt->tid &&
        p->cache_ts == ev->evt->ts) {
        return;
    }
    p->cache_valid = true;
    p->cache_evtnum = ev->evtnum;
    p->cache_tid = ev->evt->tid;
    p->cache_ts = ev->evt->ts;
    p->cache_has_thread = false;
    p->cache_id[0] = '\0';
    p->cache_start_ts = 0;
    p->cache_info = NULL;
    /* New event: take in what the worker found meanwhile. */
    ctr_drain_worker(p);
    if (r == NULL || ev->evt->tid == UINT64_MAX) {
        return;
    }
    e = r->get_table_entry(p->threads, &key);
    if (e == NULL) {
        return;
    }
    if (r->read_entry_field(p->threads, e, p->f_container_id, &d) == SS_PLUGIN_SUCCESS) {
        n = d.str != NULL ? strlen(d.str) : 0;
        if (n <= CTR_ID_MAX) {
            memcpy(p->cache_id, d.str != NULL ? d.str : "", n);
            p->cache_id[n] = '\0';
            p->cache_has_thread = true;
        }
    }
    if (p->f_pidns_start != NULL &&
        r->read_entry_field(p->threads, e, p->f_pidns_start, &d) == SS_PLUGIN_SUCCESS) {
        p->cache_start_ts = d.u64;
    }
    r->release_table_entry(p->threads, e);
}

ss_plugin_rc ctr_extract(struct ctr_plugin *p,
                         const ss_plugin_event_input *ev,
                         const ss_plugin_field_extract_input *in)
{
    const ss_plugin_event *evt = ev->evt;
    const struct ctr_info *info = NULL;
    bool container_event = false;
    const char *thread_id = "";
    bool has_thread = false;

    saker_store_reset(&p->store);
    if (is_container_event(evt->type)) {
        if (p->last == NULL || p->last_evtnum != ev->evtnum) {
            /* Not parsed (yet): read the event itself. */
            bool removed;
            struct ctr_info *decoded = ctr_decode_container_event(p, evt, &removed);
            if (decoded != NULL) {
                ctr_info_unref(p->last);
                p->last = decoded;
                p->last_evtnum = ev->evtnum;
            }
        }
        if (p->last != NULL && p->last_evtnum == ev->evtnum) {
            info = p->last;
            container_event = true;
        }
    }
    if (!container_event) {
        load_thread(p, ev, in->table_reader_ext);
        has_thread = p->cache_has_thread;
        thread_id = p->cache_id;
        if (has_thread) {
            if (p->cache_info == NULL || p->cache_gen != p->containers_gen) {
                p->cache_info = ctr_lookup(p, thread_id);
                p->cache_gen = p->containers_gen;
            }
            info = p->cache_info;
        }
    }
    for (uint32_t i = 0; i < in->num_fields; i++) {
        ss_plugin_extract_field *f = &in->fields[i];
        if (!container_event && !has_thread) {
            f->res_len = 0; /* unknown thread: nothing to say */
            continue;
        }
        if (extract_one(p, f, info, thread_id, !container_event, p->cache_start_ts, evt->ts) < 0) {
            f->res_len = 0;
            if (f->field_id >= F_COUNT) {
                return saker_err(&p->err, "plugin_extract_fields: unknown field id %u (%s)",
                                 f->field_id, f->field != NULL ? f->field : "?");
            }
            return saker_err(&p->err, "plugin_extract_fields: out of memory extracting %s",
                             ctr_fields[f->field_id].name);
        }
    }
    return SS_PLUGIN_SUCCESS;
}
