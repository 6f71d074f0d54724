/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container plugin: container and Kubernetes metadata for syscall
 * events. It adds container_id (and category) to the syscall plugin's
 * threads table, fills them from each thread's cgroups on the events that
 * change them, and extracts container.* and k8s.* fields from what the
 * container runtimes report (looked up off the event thread).
 */
#include "plugin.h"
#include "fields.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- identity ------------------------------------------------------------ */

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return CTR_REQUIRED_API_VERSION;
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return CTR_PLUGIN_NAME;
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return CTR_PLUGIN_VERSION;
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Container and Kubernetes metadata (container.*, k8s.*) for syscall events, from "
           "cgroups and the container runtimes' sockets";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "https://github.com/saker-project/saker";
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *schema_type)
{
    *schema_type = SS_PLUGIN_SCHEMA_JSON;
    return ctr_config_schema();
}

SAKER_EXPORT const char *plugin_get_required_event_schema_version(ss_plugin_t *s)
{
    return CTR_REQUIRED_SCHEMA_VERSION;
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    struct ctr_plugin *p = s;

    return p != NULL ? p->err.msg : "container plugin: no state";
}

/* ---- logging --------------------------------------------------------------- */

void ctr_log(struct ctr_plugin *p, ss_plugin_log_severity sev, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (p->log_fn == NULL || sev > p->cfg.log_level) {
        return;
    }
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    va_end(ap);
    p->log_fn(p->owner, NULL, msg, sev);
}

static void worker_log(void *ctx, ss_plugin_log_severity sev, const char *msg)
{
    ctr_log(ctx, sev, "%s", msg);
}

/* ---- container map ----------------------------------------------------------- */

struct ctr_info *ctr_lookup(struct ctr_plugin *p, const char *id)
{
    if (id[0] == '\0') {
        return p->host;
    }
    return ctr_hmap_get(&p->containers, id, strlen(id));
}

static void update_count_metric(struct ctr_plugin *p)
{
    p->counters[M_N_CONTAINERS] = p->containers.count;
}

/* Takes ownership of info. */
static void add_container(struct ctr_plugin *p, struct ctr_info *info)
{
    size_t n = strlen(info->id);

    if (n == 0) {
        ctr_info_unref(info); /* never shadow the host entry */
        return;
    }
    ctr_hmap_erase(&p->asked, info->id, n);
    /* counted once per container, though it may be learnt twice (worker, then async event) */
    if (!info->is_pod_sandbox && info->image[0] == '\0' &&
        !ctr_hmap_contains(&p->containers, info->id, n)) {
        p->counters[M_N_MISSING_IMAGES]++;
    }
    p->containers_gen++;
    if (ctr_hmap_put(&p->containers, info->id, n, info) < 0) {
        ctr_info_unref(info);
    }
    update_count_metric(p);
}

static void on_worker_result(struct ctr_info *info, bool removed, void *arg)
{
    struct ctr_plugin *p = arg;

    if (removed) {
        p->containers_gen++;
        ctr_hmap_erase(&p->containers, info->id, strlen(info->id));
        ctr_info_unref(info);
        update_count_metric(p);
        return;
    }
    add_container(p, info);
}

void ctr_drain_worker(struct ctr_plugin *p)
{
    if (p->worker != NULL && ctr_worker_has_results(p->worker)) {
        ctr_worker_drain(p->worker, on_worker_result, p);
    }
}

static void start_worker(struct ctr_plugin *p)
{
    int rc;

    if (p->worker == NULL || p->worker_started) {
        return;
    }
    p->worker_started = true;
    rc = ctr_worker_start(p->worker);
    if (rc < 0) {
        ctr_log(p, SS_PLUGIN_LOG_SEV_ERROR,
                "cannot start the metadata worker (%s): container metadata stays <NA>",
                strerror(-rc));
    }
}

/* Asks the worker about id, once until it answers. */
static void ask(struct ctr_plugin *p, const char *id)
{
    size_t n = strlen(id);

    if (p->worker == NULL || ctr_hmap_contains(&p->asked, id, n)) {
        return;
    }
    start_worker(p);
    if (ctr_worker_request(p->worker, id)) {
        ctr_hmap_put(&p->asked, id, n, NULL);
    }
}

static void emit_async(struct ctr_plugin *p,
                       const char *name,
                       const struct ctr_info *info,
                       uint64_t ts)
{
    char *json;
    ss_plugin_event *evt;

    if (p->async_handler == NULL) {
        return;
    }
    json = ctr_info_to_json(info);
    evt = json != NULL ? ctr_async_event_new(name, json, ts) : NULL;
    if (evt != NULL) {
        p->async_err[0] = '\0';
        if (p->async_handler(p->async_owner, evt, p->async_err) != SS_PLUGIN_SUCCESS) {
            ctr_log(p, SS_PLUGIN_LOG_SEV_WARNING, "the host refused a %s event: %s", name,
                    p->async_err);
        }
    }
    free(evt);
    free(json);
}

/* An info for engines whose cgroup match is all there is to know (lxc, bpm, static, ...). */
static struct ctr_info *info_from_match(struct ctr_plugin *p, const struct ctr_match *m)
{
    struct ctr_info *info = ctr_info_new();

    if (info == NULL) {
        return NULL;
    }
    info->type = m->type;
    if (ctr_info_set_str(&info->id, m->id) < 0) {
        goto oom;
    }
    if (m->type == CTR_TYPE_STATIC) {
        free(info->imagerepo);
        free(info->imagetag);
        free(info->imagedigest);
        info->imagerepo = info->imagetag = info->imagedigest = NULL;
        if (ctr_info_set_str(&info->full_id, m->id) < 0 ||
            ctr_info_set_str(&info->name, p->cfg.static_name) < 0 ||
            ctr_info_set_str(&info->image, p->cfg.static_image) < 0 ||
            ctr_image_split(p->cfg.static_image, &info->imagerepo, &info->imagetag,
                            &info->imagedigest) < 0) {
            goto oom;
        }
    }
    if (ctr_info_finish(info) < 0) {
        goto oom;
    }
    return info;
oom:
    ctr_info_unref(info);
    return NULL;
}

/* ---- threads table --------------------------------------------------------------- */

struct cgroup_walk {
    struct ctr_plugin *p;
    ss_plugin_table_reader_vtable_ext *r;
    ss_plugin_table_t *subtable;
    const struct ctr_match *match;
};

static ss_plugin_bool walk_cgroup(ss_plugin_table_iterator_state_t *s, ss_plugin_table_entry_t *e)
{
    struct cgroup_walk *w = s;
    ss_plugin_state_data d;

    if (w->r->read_entry_field(w->subtable, e, w->p->f_cgroup_path, &d) != SS_PLUGIN_SUCCESS ||
        d.str == NULL || d.str[0] == '\0') {
        return 1;
    }
    w->match = ctr_matcher_match(&w->p->matcher, d.str, strlen(d.str));
    return w->match == NULL;
}

/* The container a thread's cgroups name; NULL for the host. */
static const struct ctr_match *thread_match(struct ctr_plugin *p,
                                            ss_plugin_table_reader_vtable_ext *r,
                                            ss_plugin_table_entry_t *e)
{
    ss_plugin_state_data d;
    struct cgroup_walk w = { .p = p, .r = r, .match = NULL };

    if (r->read_entry_field(p->threads, e, p->f_cgroups, &d) != SS_PLUGIN_SUCCESS ||
        d.table == NULL) {
        return NULL;
    }
    w.subtable = d.table;
    r->iterate_entries(w.subtable, walk_cgroup, &w);
    return w.match;
}

static bool read_s64(struct ctr_plugin *p,
                     ss_plugin_table_reader_vtable_ext *r,
                     ss_plugin_table_entry_t *e,
                     ss_plugin_table_field_t *f,
                     int64_t *out)
{
    ss_plugin_state_data d;

    if (f == NULL || r->read_entry_field(p->threads, e, f, &d) != SS_PLUGIN_SUCCESS) {
        return false;
    }
    *out = d.s64;
    return true;
}

static bool read_id(struct ctr_plugin *p,
                    ss_plugin_table_reader_vtable_ext *r,
                    ss_plugin_table_entry_t *e,
                    char *out,
                    size_t cap)
{
    ss_plugin_state_data d;
    size_t n;

    if (r->read_entry_field(p->threads, e, p->f_container_id, &d) != SS_PLUGIN_SUCCESS) {
        return false;
    }
    n = d.str != NULL ? strlen(d.str) : 0;
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(out, d.str != NULL ? d.str : "", n);
    out[n] = '\0';
    return true;
}

static uint16_t read_category(struct ctr_plugin *p,
                              ss_plugin_table_reader_vtable_ext *r,
                              ss_plugin_table_entry_t *e)
{
    ss_plugin_state_data d;

    if (r->read_entry_field(p->threads, e, p->f_category, &d) != SS_PLUGIN_SUCCESS) {
        return CAT_NONE;
    }
    return d.u16;
}

struct args_walk {
    struct ctr_plugin *p;
    ss_plugin_table_reader_vtable_ext *r;
    ss_plugin_table_t *subtable;
    const struct ctr_probe *probe;
    size_t i;
    bool same;
};

static ss_plugin_bool walk_arg(ss_plugin_table_iterator_state_t *s, ss_plugin_table_entry_t *e)
{
    struct args_walk *w = s;
    ss_plugin_state_data d;

    if (w->r->read_entry_field(w->subtable, e, w->p->f_arg_value, &d) != SS_PLUGIN_SUCCESS ||
        d.str == NULL || d.str[0] == '\0') {
        return 1;
    }
    if (w->i >= w->probe->n_args || strcmp(w->probe->args[w->i], d.str) != 0) {
        w->same = false;
        return 0;
    }
    w->i++;
    return 1;
}

/* Whether the thread runs exactly the command of a health probe of its container. */
static bool runs_probe(struct ctr_plugin *p,
                       ss_plugin_table_reader_vtable_ext *r,
                       ss_plugin_table_entry_t *e,
                       const struct ctr_probe *probe)
{
    ss_plugin_state_data d;
    struct args_walk w = { .p = p, .r = r, .probe = probe, .i = 0, .same = true };

    if (!probe->present || p->f_exe == NULL || p->f_args == NULL || p->f_arg_value == NULL) {
        return false;
    }
    if (r->read_entry_field(p->threads, e, p->f_exe, &d) != SS_PLUGIN_SUCCESS || d.str == NULL ||
        strcmp(d.str, probe->exe) != 0) {
        return false;
    }
    if (r->read_entry_field(p->threads, e, p->f_args, &d) != SS_PLUGIN_SUCCESS || d.table == NULL) {
        return false;
    }
    w.subtable = d.table;
    r->iterate_entries(w.subtable, walk_arg, &w);
    return w.same && w.i == probe->n_args;
}

/* Whether an ancestor of the thread is its container's init (then it is no probe). */
static bool has_container_init_ancestor(struct ctr_plugin *p,
                                        ss_plugin_table_reader_vtable_ext *r,
                                        int64_t ptid)
{
    for (int depth = 0; depth < 64 && ptid > 0; depth++) {
        ss_plugin_state_data key = { .s64 = ptid };
        ss_plugin_table_entry_t *e = r->get_table_entry(p->threads, &key);
        int64_t vpid = -1;
        char id[CTR_ID_MAX + 1];
        bool found;

        if (e == NULL) {
            return false;
        }
        found = read_s64(p, r, e, p->f_vpid, &vpid) && vpid == 1 &&
                read_id(p, r, e, id, sizeof(id)) && id[0] != '\0';
        if (found || !read_s64(p, r, e, p->f_ptid, &ptid)) {
            r->release_table_entry(p->threads, e);
            return found;
        }
        r->release_table_entry(p->threads, e);
    }
    return false;
}

static void write_category(struct ctr_plugin *p,
                           ss_plugin_table_reader_vtable_ext *r,
                           ss_plugin_table_writer_vtable_ext *w,
                           ss_plugin_table_entry_t *e,
                           const struct ctr_info *info)
{
    static const uint16_t cat_of_probe[CTR_PROBE_KINDS] = { CAT_HEALTHCHECK, CAT_LIVENESS_PROBE,
                                                            CAT_READINESS_PROBE };
    ss_plugin_state_data d = { .u16 = CAT_NONE };
    int64_t vpid = -1;
    int64_t ptid = -1;

    if (p->f_category == NULL) {
        return;
    }
    if (read_s64(p, r, e, p->f_vpid, &vpid) && vpid == 1) {
        d.u16 = CAT_CONTAINER;
        w->write_entry_field(p->threads, e, p->f_category, &d);
        return;
    }
    if (read_s64(p, r, e, p->f_ptid, &ptid) && ptid > 0) {
        ss_plugin_state_data key = { .s64 = ptid };
        ss_plugin_table_entry_t *parent = r->get_table_entry(p->threads, &key);
        if (parent != NULL) {
            d.u16 = read_category(p, r, parent);
            r->release_table_entry(p->threads, parent);
            if (d.u16 != CAT_NONE) {
                w->write_entry_field(p->threads, e, p->f_category, &d);
                return;
            }
        }
    }
    for (int k = 0; k < CTR_PROBE_KINDS; k++) {
        if (runs_probe(p, r, e, &info->probes[k])) {
            if (!has_container_init_ancestor(p, r, ptid)) {
                d.u16 = cat_of_probe[k];
                w->write_entry_field(p->threads, e, p->f_category, &d);
            }
            return;
        }
    }
}

/* Computes and stores the container of one thread entry. */
static void assign_entry(struct ctr_plugin *p,
                         ss_plugin_table_reader_vtable_ext *r,
                         ss_plugin_table_writer_vtable_ext *w,
                         ss_plugin_table_entry_t *e)
{
    const struct ctr_match *m = thread_match(p, r, e);
    char id[CTR_ID_MAX + 1];
    ss_plugin_state_data d;
    struct ctr_info *info;

    memcpy(id, m != NULL ? m->id : "", m != NULL ? m->id_len + 1 : 1);
    d.str = id;
    if (w->write_entry_field(p->threads, e, p->f_container_id, &d) != SS_PLUGIN_SUCCESS) {
        p->counters[M_N_BAD_EVENTS]++;
        return;
    }
    if (id[0] == '\0') {
        return;
    }
    info = ctr_hmap_touch(&p->containers, id, strlen(id));
    if (info == NULL && m->has_info) {
        info = info_from_match(p, m);
        if (info != NULL) {
            emit_async(p, ASYNC_ADDED, info, UINT64_MAX);
            add_container(p, info);
        }
    } else if (info == NULL) {
        ask(p, id);
    }
    if (info != NULL) {
        write_category(p, r, w, e, info);
    }
}

static void assign_tid(struct ctr_plugin *p,
                       ss_plugin_table_reader_vtable_ext *r,
                       ss_plugin_table_writer_vtable_ext *w,
                       int64_t tid)
{
    ss_plugin_state_data key = { .s64 = tid };
    ss_plugin_table_entry_t *e = r->get_table_entry(p->threads, &key);

    if (e == NULL) {
        return;
    }
    assign_entry(p, r, w, e);
    r->release_table_entry(p->threads, e);
}

struct assign_all {
    struct ctr_plugin *p;
    ss_plugin_table_reader_vtable_ext *r;
    ss_plugin_table_writer_vtable_ext *w;
    uint64_t n;
};

static ss_plugin_bool assign_one(ss_plugin_table_iterator_state_t *s, ss_plugin_table_entry_t *e)
{
    struct assign_all *a = s;

    assign_entry(a->p, a->r, a->w, e);
    a->n++;
    return 1;
}

/* Every thread already in the table gets its container id (capture start). */
static void assign_all(struct ctr_plugin *p,
                       ss_plugin_table_reader_vtable_ext *r,
                       ss_plugin_table_writer_vtable_ext *w)
{
    struct assign_all a = { .p = p, .r = r, .w = w, .n = 0 };

    if (r == NULL || w == NULL || r->iterate_entries == NULL) {
        return;
    }
    p->assigned_all = true;
    ctr_drain_worker(p);
    r->iterate_entries(p->threads, assign_one, &a);
    ctr_log(p, SS_PLUGIN_LOG_SEV_DEBUG, "assigned container ids to %llu existing threads",
            (unsigned long long)a.n);
}

/* ---- init / destroy -------------------------------------------------------------- */

static ss_plugin_table_field_t *get_field(const ss_plugin_init_tables_input *t,
                                          ss_plugin_table_t *table,
                                          const char *name,
                                          ss_plugin_state_type type)
{
    return t->fields_ext->get_table_field(table, name, type);
}

/* The accessor of a field of the subtable held in field f of every threads entry. */
static ss_plugin_table_field_t *get_subtable_field(const ss_plugin_init_tables_input *t,
                                                   ss_plugin_table_t *threads,
                                                   ss_plugin_table_field_t *f,
                                                   const char *name,
                                                   ss_plugin_state_type type)
{
    ss_plugin_table_entry_t *e;
    ss_plugin_state_data d;
    ss_plugin_table_field_t *res = NULL;

    if (f == NULL || t->writer_ext == NULL || t->writer_ext->create_table_entry == NULL) {
        return NULL;
    }
    e = t->writer_ext->create_table_entry(threads);
    if (e == NULL) {
        return NULL;
    }
    if (t->reader_ext->read_entry_field(threads, e, f, &d) == SS_PLUGIN_SUCCESS &&
        d.table != NULL) {
        res = t->fields_ext->get_table_field(d.table, name, type);
    }
    t->writer_ext->destroy_table_entry(threads, e);
    return res;
}

static const char *owner_error(const ss_plugin_init_input *in)
{
    const char *e = in->get_owner_last_error != NULL ? in->get_owner_last_error(in->owner) : NULL;

    return e != NULL ? e : "no detail from the host";
}

static ss_plugin_rc init_tables(struct ctr_plugin *p, const ss_plugin_init_input *in)
{
    const ss_plugin_init_tables_input *t = in->tables;

    if (t == NULL || t->get_table == NULL || t->fields_ext == NULL || t->reader_ext == NULL) {
        return saker_err(&p->err, "plugin_init: the host offers no state tables; the container "
                                  "plugin needs the syscall source's 'threads' table");
    }
    p->threads = t->get_table(p->owner, "threads", SS_PLUGIN_ST_INT64);
    if (p->threads == NULL) {
        return saker_err(&p->err,
                         "plugin_init: table 'threads' (key int64) not found (%s); load the "
                         "syscall plugin before the container plugin",
                         owner_error(in));
    }
    p->f_cgroups = get_field(t, p->threads, "cgroups", SS_PLUGIN_ST_TABLE);
    p->f_cgroup_path =
            get_subtable_field(t, p->threads, p->f_cgroups, "second", SS_PLUGIN_ST_STRING);
    if (p->f_cgroups == NULL || p->f_cgroup_path == NULL) {
        return saker_err(&p->err,
                         "plugin_init: the 'threads' table has no 'cgroups' subtable with a "
                         "string field 'second' (%s); the syscall plugin loaded is too old",
                         owner_error(in));
    }
    p->f_container_id =
            t->fields_ext->add_table_field(p->threads, "container_id", SS_PLUGIN_ST_STRING);
    if (p->f_container_id == NULL) {
        return saker_err(&p->err,
                         "plugin_init: cannot add field 'container_id' to table 'threads' (%s)",
                         owner_error(in));
    }
    p->f_category = t->fields_ext->add_table_field(p->threads, "category", SS_PLUGIN_ST_UINT16);
    p->f_pidns_start = get_field(t, p->threads, "pidns_init_start_ts", SS_PLUGIN_ST_UINT64);
    p->f_vpid = get_field(t, p->threads, "vpid", SS_PLUGIN_ST_INT64);
    p->f_vtid = get_field(t, p->threads, "vtid", SS_PLUGIN_ST_INT64);
    p->f_ptid = get_field(t, p->threads, "ptid", SS_PLUGIN_ST_INT64);
    p->f_exe = get_field(t, p->threads, "exe", SS_PLUGIN_ST_STRING);
    p->f_args = get_field(t, p->threads, "args", SS_PLUGIN_ST_TABLE);
    p->f_arg_value = get_subtable_field(t, p->threads, p->f_args, "value", SS_PLUGIN_ST_STRING);
    if (p->f_pidns_start == NULL) {
        ctr_log(p, SS_PLUGIN_LOG_SEV_WARNING,
                "table 'threads' has no uint64 'pidns_init_start_ts': container.start_ts and "
                "container.duration stay <NA>");
    }
    return SS_PLUGIN_SUCCESS;
}

static void init_metrics(struct ctr_plugin *p)
{
    static const struct {
        const char *name;
        ss_plugin_metric_type type;
    } defs[M_COUNT] = {
        [M_N_CONTAINERS] = { "n_containers", SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC },
        [M_N_MISSING_IMAGES] = { "n_missing_container_images", SS_PLUGIN_METRIC_TYPE_MONOTONIC },
        [M_N_LOOKUPS_OK] = { "n_lookups_ok", SS_PLUGIN_METRIC_TYPE_MONOTONIC },
        [M_N_LOOKUPS_FAILED] = { "n_lookups_failed", SS_PLUGIN_METRIC_TYPE_MONOTONIC },
        [M_N_REQUESTS_DROPPED] = { "n_lookup_requests_dropped", SS_PLUGIN_METRIC_TYPE_MONOTONIC },
        [M_N_BAD_EVENTS] = { "n_bad_events", SS_PLUGIN_METRIC_TYPE_MONOTONIC },
    };

    for (int i = 0; i < M_COUNT; i++) {
        p->metrics[i].name = defs[i].name;
        p->metrics[i].type = defs[i].type;
        p->metrics[i].value_type = SS_PLUGIN_METRIC_VALUE_TYPE_U64;
        p->metrics[i].value.u64 = 0;
    }
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *s);

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct ctr_plugin *p = calloc(1, sizeof(*p));
    char err[PLUGIN_MAX_ERRLEN];
    int r;

    if (p == NULL) {
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    p->owner = in->owner;
    p->log_fn = in->log_fn;
    saker_store_init(&p->store);
    init_metrics(p);
    r = ctr_config_parse(&p->cfg, in->config, err, sizeof(err));
    if (r < 0) {
        *rc = saker_err(&p->err, "plugin_init: %s", err);
        return p;
    }
    if (ctr_matcher_init(&p->matcher, ctr_config_engine_mask(&p->cfg), p->cfg.static_id, 4096) <
                0 ||
        ctr_hmap_init(&p->containers, p->cfg.max_containers, ctr_info_unref_void) < 0 ||
        ctr_hmap_init(&p->asked, p->cfg.max_containers, NULL) < 0 || ctr_extract_init(p) < 0 ||
        (p->host = ctr_info_new_host()) == NULL) {
        *rc = saker_err(&p->err, "plugin_init: out of memory");
        return p;
    }
    *rc = init_tables(p, in);
    if (*rc != SS_PLUGIN_SUCCESS) {
        return p;
    }
    if (!p->cfg.static_enabled) {
        p->worker = ctr_worker_new(&p->cfg, worker_log, p, err, sizeof(err));
        if (p->worker == NULL) {
            *rc = saker_err(&p->err, "plugin_init: %s", err);
            return p;
        }
        if (p->cfg.cri.enabled || p->cfg.containerd.enabled) {
            ctr_log(p, SS_PLUGIN_LOG_SEV_DEBUG,
                    "CRI and containerd metadata lookups are not available in this build: "
                    "container.id works for their containers, other fields stay <NA>");
        }
    }
    *rc = SS_PLUGIN_SUCCESS;
    return p;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *s)
{
    struct ctr_plugin *p = s;

    if (p == NULL) {
        return;
    }
    ctr_worker_free(p->worker);
    ctr_extract_fini(p);
    ctr_hmap_fini(&p->containers);
    ctr_hmap_fini(&p->asked);
    ctr_matcher_fini(&p->matcher);
    ctr_info_unref(p->host);
    ctr_info_unref(p->last);
    saker_store_fini(&p->store);
    ctr_config_fini(&p->cfg);
    free(p);
}

/* ---- parsing ------------------------------------------------------------------------ */

static const uint16_t parse_types[] = {
    EV_ASYNCEVENT_E, EV_CONTAINER_E, EV_CONTAINER_JSON_E, EV_CONTAINER_JSON_2_E, EV_CLONE_20_X,
    EV_FORK_20_X,    EV_VFORK_20_X,  EV_CLONE3_X,         EV_EXECVE_16_X,        EV_EXECVE_17_X,
    EV_EXECVE_18_X,  EV_EXECVE_19_X, EV_EXECVEAT_X,       EV_CHROOT_X,           EV_PROCEXIT_1_E,
};

SAKER_EXPORT uint16_t *plugin_get_parse_event_types(uint32_t *numtypes, ss_plugin_t *s)
{
    *numtypes = sizeof(parse_types) / sizeof(parse_types[0]);
    return (uint16_t *)parse_types;
}

SAKER_EXPORT const char *plugin_get_parse_event_sources(void)
{
    return "[\"syscall\"]";
}

SAKER_EXPORT const char *plugin_get_extract_event_sources(void)
{
    return "[\"syscall\"]";
}

static bool copy_charbuf(const uint8_t *data, uint32_t len, char *out, size_t cap)
{
    size_t n = len;

    while (n > 0 && data[n - 1] == '\0') {
        n--;
    }
    if (n >= cap || memchr(data, '\0', n) != NULL) {
        return false;
    }
    memcpy(out, data, n);
    out[n] = '\0';
    return true;
}

struct ctr_info *ctr_decode_container_event(struct ctr_plugin *p,
                                            const ss_plugin_event *evt,
                                            bool *removed)
{
    const uint8_t *data;
    uint32_t len;
    char err[256];
    struct ctr_info *info = NULL;

    *removed = false;
    switch (evt->type) {
    case EV_ASYNCEVENT_E: {
        char name[64];
        if (evt->nparams != 3 || saker_evt_param(evt, 1, &data, &len) < 0 ||
            !copy_charbuf(data, len, name, sizeof(name))) {
            return NULL;
        }
        if (strcmp(name, ASYNC_ADDED) != 0 && strcmp(name, ASYNC_REMOVED) != 0) {
            return NULL; /* another plugin's async event */
        }
        *removed = strcmp(name, ASYNC_REMOVED) == 0;
        if (saker_evt_param(evt, 2, &data, &len) < 0) {
            break;
        }
        info = ctr_info_from_json((const char *)data, len, err, sizeof(err));
        break;
    }
    case EV_CONTAINER_JSON_E:
    case EV_CONTAINER_JSON_2_E:
        if (evt->nparams < 1 || saker_evt_param(evt, 0, &data, &len) < 0 || len == 0) {
            break;
        }
        info = ctr_info_from_json((const char *)data, len, err, sizeof(err));
        break;
    case EV_CONTAINER_E: {
        char id[CTR_ID_MAX + 1];
        char name[1024];
        char image[1024];
        const uint8_t *tp;
        uint32_t tlen;
        uint32_t type;
        if (evt->nparams < 4 || saker_evt_param(evt, 0, &data, &len) < 0 ||
            !copy_charbuf(data, len, id, sizeof(id)) || saker_evt_param(evt, 1, &tp, &tlen) < 0 ||
            tlen != 4 || saker_evt_param(evt, 2, &data, &len) < 0 ||
            !copy_charbuf(data, len, name, sizeof(name)) ||
            saker_evt_param(evt, 3, &data, &len) < 0 ||
            !copy_charbuf(data, len, image, sizeof(image))) {
            break;
        }
        memcpy(&type, tp, 4);
        info = ctr_info_new();
        if (info == NULL || ctr_info_set_str(&info->id, id) < 0 ||
            ctr_info_set_str(&info->name, name) < 0 || ctr_info_set_str(&info->image, image) < 0 ||
            ctr_info_finish(info) < 0) {
            ctr_info_unref(info);
            info = NULL;
            break;
        }
        info->type = (int)type;
        break;
    }
    default:
        return NULL;
    }
    if (info == NULL) {
        p->counters[M_N_BAD_EVENTS]++;
        ctr_log(p, SS_PLUGIN_LOG_SEV_DEBUG, "malformed container event (type %u) ignored",
                (unsigned)evt->type);
    }
    return info;
}

static void parse_container_event(struct ctr_plugin *p, const ss_plugin_event_input *ev)
{
    bool removed;
    struct ctr_info *info = ctr_decode_container_event(p, ev->evt, &removed);

    if (info == NULL) {
        return;
    }
    ctr_info_unref(p->last);
    p->last = ctr_info_ref(info);
    p->last_evtnum = ev->evtnum;
    if (removed) {
        p->containers_gen++;
        ctr_hmap_erase(&p->containers, info->id, strlen(info->id));
        ctr_hmap_erase(&p->asked, info->id, strlen(info->id));
        ctr_info_unref(info);
        update_count_metric(p);
    } else {
        add_container(p, info);
    }
}

static int64_t event_res(const ss_plugin_event *evt)
{
    const uint8_t *data;
    uint32_t len;
    int64_t res;

    if (saker_evt_param(evt, 0, &data, &len) < 0 || len != 8) {
        return -1;
    }
    memcpy(&res, data, 8);
    return res;
}

/* When a container's init exits, the container is gone: say so (the async event removes it). */
static void parse_procexit(struct ctr_plugin *p, ss_plugin_table_reader_vtable_ext *r, uint64_t tid)
{
    ss_plugin_state_data key = { .s64 = (int64_t)tid };
    ss_plugin_table_entry_t *e;
    int64_t vpid = -1;
    int64_t vtid = -1;
    char id[CTR_ID_MAX + 1];
    struct ctr_info *info;

    if (p->async_handler == NULL) {
        return;
    }
    e = r->get_table_entry(p->threads, &key);
    if (e == NULL) {
        return;
    }
    if (read_s64(p, r, e, p->f_vpid, &vpid) && read_s64(p, r, e, p->f_vtid, &vtid) && vpid == 1 &&
        vtid == 1 && read_id(p, r, e, id, sizeof(id)) && id[0] != '\0' &&
        (info = ctr_hmap_get(&p->containers, id, strlen(id))) != NULL) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        /* a second later, so the container's last events are still enriched */
        emit_async(p, ASYNC_REMOVED, info,
                   (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + 1000000000u);
    }
    r->release_table_entry(p->threads, e);
}

SAKER_EXPORT ss_plugin_rc plugin_parse_event(ss_plugin_t *s,
                                             const ss_plugin_event_input *ev,
                                             const ss_plugin_event_parse_input *in)
{
    struct ctr_plugin *p = s;
    ss_plugin_table_reader_vtable_ext *r = in->table_reader_ext;
    ss_plugin_table_writer_vtable_ext *w = in->table_writer_ext;
    const ss_plugin_event *evt = ev->evt;
    int64_t res;

    if (r == NULL || w == NULL) {
        return saker_err(&p->err, "plugin_parse_event: the host passed no table reader/writer");
    }
    if (!p->assigned_all) {
        /* The host did not call capture_open: give existing threads their ids now. */
        assign_all(p, r, w);
    }
    start_worker(p);
    ctr_drain_worker(p);
    switch (evt->type) {
    case EV_ASYNCEVENT_E:
    case EV_CONTAINER_E:
    case EV_CONTAINER_JSON_E:
    case EV_CONTAINER_JSON_2_E:
        parse_container_event(p, ev);
        break;
    case EV_PROCEXIT_1_E:
        parse_procexit(p, r, evt->tid);
        break;
    case EV_CLONE_20_X:
    case EV_FORK_20_X:
    case EV_VFORK_20_X:
    case EV_CLONE3_X:
    case EV_EXECVE_16_X:
    case EV_EXECVE_17_X:
    case EV_EXECVE_18_X:
    case EV_EXECVE_19_X:
    case EV_EXECVEAT_X:
    case EV_CHROOT_X:
        res = event_res(evt);
        if (res < 0) {
            break;
        }
        assign_tid(p, r, w, (int64_t)evt->tid);
        /* The parent side of a clone also names the child: give it its id at once. */
        if (res > 0 && (evt->type == EV_CLONE_20_X || evt->type == EV_FORK_20_X ||
                        evt->type == EV_VFORK_20_X || evt->type == EV_CLONE3_X)) {
            assign_tid(p, r, w, res);
        }
        break;
    default:
        break;
    }
    return SS_PLUGIN_SUCCESS;
}

/* ---- capture listening -------------------------------------------------------------- */

SAKER_EXPORT ss_plugin_rc plugin_capture_open(ss_plugin_t *s,
                                              const ss_plugin_capture_listen_input *in)
{
    struct ctr_plugin *p = s;

    start_worker(p);
    assign_all(p, in->table_reader_ext, in->table_writer_ext);
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT ss_plugin_rc plugin_capture_close(ss_plugin_t *s,
                                               const ss_plugin_capture_listen_input *in)
{
    return SS_PLUGIN_SUCCESS;
}

/* ---- async events ----------------------------------------------------------------------- */

SAKER_EXPORT const char *plugin_get_async_events(void)
{
    return "[\"" ASYNC_ADDED "\",\"" ASYNC_REMOVED "\"]";
}

SAKER_EXPORT const char *plugin_get_async_event_sources(void)
{
    return "[\"syscall\"]";
}

SAKER_EXPORT ss_plugin_rc plugin_set_async_event_handler(ss_plugin_t *s,
                                                         ss_plugin_owner_t *owner,
                                                         const ss_plugin_async_event_handler_t h)
{
    struct ctr_plugin *p = s;

    p->async_owner = owner;
    p->async_handler = h;
    if (p->worker != NULL) {
        ctr_worker_set_async(p->worker, owner, h);
        if (h != NULL) {
            start_worker(p);
        }
    }
    return SS_PLUGIN_SUCCESS;
}

struct dump_state {
    struct ctr_plugin *p;
    ss_plugin_owner_t *owner;
    ss_plugin_async_event_handler_t handler;
    ss_plugin_rc rc;
};

static bool dump_one(const char *key, void *value, void *arg)
{
    struct dump_state *d = arg;
    char *json = ctr_info_to_json(value);
    ss_plugin_event *evt = json != NULL ? ctr_async_event_new(ASYNC_ADDED, json, UINT64_MAX) : NULL;

    if (evt == NULL) {
        d->rc = saker_err(&d->p->err, "plugin_dump_state: out of memory");
    } else if (d->handler(d->owner, evt, d->p->async_err) != SS_PLUGIN_SUCCESS) {
        d->rc = saker_err(&d->p->err, "plugin_dump_state: the host refused container %s: %s", key,
                          d->p->async_err);
    }
    free(evt);
    free(json);
    return d->rc == SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT ss_plugin_rc plugin_dump_state(ss_plugin_t *s,
                                            ss_plugin_owner_t *owner,
                                            const ss_plugin_async_event_handler_t handler)
{
    struct ctr_plugin *p = s;
    struct dump_state d = { .p = p, .owner = owner, .handler = handler, .rc = SS_PLUGIN_SUCCESS };

    if (handler == NULL) {
        return saker_err(&p->err, "plugin_dump_state: no handler given");
    }
    ctr_drain_worker(p);
    ctr_hmap_foreach(&p->containers, dump_one, &d);
    return d.rc;
}

/* ---- metrics ------------------------------------------------------------------------------ */

SAKER_EXPORT ss_plugin_metric *plugin_get_metrics(ss_plugin_t *s, uint32_t *num_metrics)
{
    struct ctr_plugin *p = s;
    struct ctr_worker_stats ws = { 0 };

    if (p->worker != NULL) {
        ctr_worker_stats(p->worker, &ws);
    }
    p->counters[M_N_LOOKUPS_OK] = ws.lookups_ok;
    p->counters[M_N_LOOKUPS_FAILED] = ws.lookups_failed;
    p->counters[M_N_REQUESTS_DROPPED] = ws.requests_dropped;
    for (int i = 0; i < M_COUNT; i++) {
        p->metrics[i].value.u64 = p->counters[i];
    }
    *num_metrics = M_COUNT;
    return p->metrics;
}

/* ---- extraction ------------------------------------------------------------------------------ */

SAKER_EXPORT const char *plugin_get_fields(void)
{
    return ctr_fields_json();
}

SAKER_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                                const ss_plugin_event_input *evt,
                                                const ss_plugin_field_extract_input *in)
{
    return ctr_extract(s, evt, in);
}
