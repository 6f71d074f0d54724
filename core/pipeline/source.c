/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One event source: its thread pulls batches from the sourcing plugin,
 * checks and fixes each event as Falco does, hands it to the parse plugins,
 * the capture file and the rule engine, and turns matches into alerts. No
 * per-event malloc, lock, log line or strlen: counters are published once per
 * batch, values live in an arena reset after each event.
 */
#include "pipeline/pipeline_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define ASYNC_QUEUE 4096

uint64_t skr_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t skr_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *skr_source_state_name(int state)
{
    switch (state) {
    case SRC_IDLE:
        return "idle";
    case SRC_RUNNING:
        return "running";
    case SRC_EOF:
        return "eof";
    case SRC_STOPPED:
        return "stopped";
    case SRC_FAILED:
        return "failed";
    }
    return "?";
}

void skr_source_fail(struct skr_source *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(s->error, sizeof(s->error), fmt, ap) < 0) {
        s->error[0] = '\0';
    }
    va_end(ap);
    atomic_store(&s->state, SRC_FAILED);
    skr_log(SKR_LOG_ERR, "source", "source '%s' stopped: %s", s->name, s->error);
}

/* ---- Rules and alerts ---------------------------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *np;

    if (need <= *cap) {
        return 0;
    }
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        ncap *= 2;
    }
    np = realloc(*p, ncap * elem);
    if (np == NULL) {
        return -ENOMEM;
    }
    *p = np;
    *cap = ncap;
    return 0;
}

static void to_alert_value(uint32_t type, const struct skr_value *in, saker_alert_value *out)
{
    memset(out, 0, sizeof(*out));
    switch (type) {
    case SKR_FT_STRING:
    case SKR_FT_FSPATH:
        out->v.str.ptr = in->p ? (const char *)in->p : "";
        out->v.str.len = in->len;
        break;
    case SKR_FT_IPADDR:
    case SKR_FT_IPNET:
    case SKR_FT_BYTEBUF:
        out->v.buf.ptr = in->p;
        out->v.buf.len = in->len;
        break;
    case SKR_FT_BOOL:
        out->v.boolean = in->u64 ? 1 : 0;
        break;
    case SKR_FT_DOUBLE:
        out->v.d = in->d;
        break;
    default:
        out->v.u64 = in->u64;
        break;
    }
}

static bool on_match(void *user, const struct skr_rule *rule)
{
    struct skr_source *s = user;
    const struct skr_out_field *fields = NULL;
    size_t nfields = 0;
    size_t nvals = 0;
    size_t ntags = skr_rule_tag_count(rule);
    saker_alert a;
    int prio = skr_rule_priority(rule);

    skr_metrics_rule_match(&s->eng->metrics, skr_rule_name(rule), prio);
    atomic_fetch_add_explicit(&s->n_alerts, 1, memory_order_relaxed);
    if (s->eng->out == NULL) {
        return true;
    }
    skr_strbuf_reset(&s->render);
    if (skr_rule_render(rule, s->ectx, skr_extract, s, &s->render, &fields, &nfields) < 0) {
        skr_complain(&s->c_alert, SKR_LOG_WARNING, "source",
                     "cannot render the output of rule '%s'", skr_rule_name(rule));
    }
    for (size_t i = 0; i < nfields; i++) {
        nvals += fields[i].nvals;
    }
    if (grow((void **)&s->afields, &s->acap_fields, nfields, sizeof(*s->afields)) < 0 ||
        grow((void **)&s->avalues, &s->acap_values, nvals, sizeof(*s->avalues)) < 0 ||
        grow((void **)&s->atags, &s->acap_tags, ntags, sizeof(*s->atags)) < 0) {
        skr_complain(&s->c_alert, SKR_LOG_ERR, "source", "out of memory building an alert");
        return true;
    }
    nvals = 0;
    for (size_t i = 0; i < nfields; i++) {
        saker_alert_field *af = &s->afields[i];
        af->name = fields[i].name;
        af->type = fields[i].type;
        af->is_list = fields[i].is_list;
        af->num_values = fields[i].nvals;
        af->values = &s->avalues[nvals];
        for (uint32_t k = 0; k < fields[i].nvals; k++) {
            to_alert_value(fields[i].type, &fields[i].vals[k], &s->avalues[nvals++]);
        }
    }
    for (size_t i = 0; i < ntags; i++) {
        s->atags[i] = skr_rule_tag(rule, i);
    }
    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.priority = (uint32_t)prio;
    a.ts = s->in.evt->ts;
    a.rule = skr_rule_name(rule);
    a.source = s->name;
    a.output = s->render.p;
    a.num_tags = (uint32_t)ntags;
    a.tags = s->atags;
    a.num_fields = (uint32_t)nfields;
    a.fields = s->afields;
    skr_output_push(s->eng->out, &a);
    return true;
}

/* After the interest: what the rules need of the source's own fields, when it asks. */
static void send_prefilter(struct skr_source *s,
                           const struct skr_plugin_inst *inst,
                           const saker_event_interest *in)
{
    struct skr_arena a;
    saker_prefilter pf;

    skr_arena_init(&a, 0);
    if (skr_engine_prefilter(s->eng, s, s->rs, in, &a, &pf) < 0) {
        skr_log(SKR_LOG_WARNING, inst->p->name,
                "out of memory building the source prefilter (the source keeps sending every "
                "event of interest)");
        memset(&pf, 0, sizeof(pf));
        pf.size = sizeof(pf);
    }
    if (inst->p->vt.set_prefilter(inst->state, &pf) != SS_PLUGIN_SUCCESS) {
        skr_log(SKR_LOG_WARNING, inst->p->name,
                "plugin_set_prefilter failed: %s (the source keeps sending every event of "
                "interest)",
                skr_plugin_inst_last_error(inst));
    }
    skr_arena_fini(&a);
}

void skr_source_sync_rules(struct skr_source *s)
{
    struct skr_engine *e = s->eng;
    uint64_t gen = atomic_load_explicit(&e->rs_gen, memory_order_acquire);
    struct skr_ruleset *old = s->rs;
    const struct skr_plugin_inst *inst = &s->insts[s->input];

    if (gen == s->rs_gen) {
        return;
    }
    pthread_mutex_lock(&e->rs_lock);
    s->rs = e->rs != NULL ? skr_ruleset_ref(e->rs) : NULL;
    s->rs_gen = atomic_load(&e->rs_gen);
    pthread_mutex_unlock(&e->rs_lock);
    skr_ruleset_unref(old);
    if (!e->replay && inst->p->vt.set_event_interest != NULL && inst->state != NULL) {
        saker_event_interest in;
        uint16_t *types = NULL;
        if (skr_engine_interest(e, s, s->rs, &in, &types) == 0) {
            if (inst->p->vt.set_event_interest(inst->state, &in) != SS_PLUGIN_SUCCESS) {
                skr_log(SKR_LOG_WARNING, inst->p->name,
                        "plugin_set_event_interest failed: %s (the source keeps sending every "
                        "event)",
                        skr_plugin_inst_last_error(inst));
            } else if (inst->p->vt.set_prefilter != NULL) {
                send_prefilter(s, inst, &in);
            }
        }
        free(types);
    }
}

/* ---- Events ---------------------------------------------------------------------------------- */

static int capture_ref(struct skr_source *s, const struct skr_capture_ident *id)
{
    /* idents of this source live in s->idents (one per plugin) or in the replay reader: both
     * stable, so the pointer is the key */
    for (size_t i = 0; i < s->eng->nplugins + 1; i++) {
        if (s->cap_keys[i] == id) {
            return s->cap_refs[i];
        }
        if (s->cap_keys[i] == NULL) {
            int ref = skr_capture_ref(s->eng->cw, &s->cbuf, id);
            if (ref < 0) {
                return ref;
            }
            s->cap_keys[i] = id;
            s->cap_refs[i] = ref;
            return ref;
        }
    }
    return skr_capture_ref(s->eng->cw, &s->cbuf, id);
}

void skr_source_event(struct skr_source *s,
                      const ss_plugin_event *evt,
                      const struct skr_capture_ident *ident)
{
    struct skr_engine *e = s->eng;

    s->evtnum++;
    if (!s->have_first_ts && evt->type != PPME_ASYNCEVENT_E) {
        /* evt.reltime counts from the first event that is not a meta event */
        s->first_ts = evt->ts;
        s->have_first_ts = true;
    }
    s->in.evt = evt;
    s->in.evtnum = s->evtnum;
    if (e->cw != NULL) {
        int ref = capture_ref(s, ident);
        if (ref < 0 || skr_capture_event(e->cw, &s->cbuf, ref, evt) < 0) {
            skr_complain(&s->c_alert, SKR_LOG_ERR, "capture",
                         "cannot write event %" PRIu64 " of source %s to the capture file",
                         s->evtnum, s->name);
        }
    }
    for (size_t i = 0; i < s->nparsers; i++) {
        struct skr_plugin_inst *inst = &s->insts[s->parsers[i]];
        if (!skr_inst_parses_type(inst, evt->type)) {
            continue;
        }
        s->parse_in.owner = inst;
        if (inst->p->vt.api.parse_event(inst->state, &s->in, &s->parse_in) != SS_PLUGIN_SUCCESS) {
            atomic_fetch_add_explicit(&s->n_parse_errors, 1, memory_order_relaxed);
            skr_complain(&s->c_parse, SKR_LOG_WARNING, inst->p->name,
                         "plugin_parse_event failed on event %" PRIu64 " of source %s: %s",
                         s->evtnum, s->name, skr_plugin_inst_last_error(inst));
        }
    }
    if (s->rs != NULL) {
        skr_ruleset_eval(s->rs, s->ectx, s->idx, evt->type, skr_extract, s, on_match, s);
    }
    s->vpool_used = 0;
    if (s->arena_used) {
        skr_arena_reset(&s->arena);
        s->arena_used = false;
    }
    if (s->tables != NULL) {
        skr_tables_event_done(s->tables);
    }
}

/* A copy of evt in the scratch buffer, to fix fields without writing plugin memory. */
static ss_plugin_event *scratch_copy(struct skr_source *s, const ss_plugin_event *evt)
{
    if (evt->len > s->scratch_cap) {
        uint32_t cap = s->scratch_cap ? s->scratch_cap : 4096;
        uint8_t *np;
        while (cap < evt->len) {
            cap *= 2;
        }
        np = realloc(s->scratch, cap);
        if (np == NULL) {
            return NULL;
        }
        s->scratch = np;
        s->scratch_cap = cap;
    }
    memcpy(s->scratch, evt, evt->len);
    return (ss_plugin_event *)s->scratch;
}

/*
 * Falco's checks on an event of this source's input plugin. Returns the event
 * to process (evt or a fixed copy), or NULL with why filled.
 */
static const ss_plugin_event *check_event(struct skr_source *s,
                                          const ss_plugin_event *evt,
                                          char *why,
                                          size_t why_len)
{
    const struct skr_plugin *p = s->eng->plugins[s->input].p;
    bool fix_ts;
    bool fix_tid = false;
    uint32_t id = 0;
    ss_plugin_event *c;

    if (evt == NULL || evt->len < SKR_EVT_HDR_LEN) {
        skr_fmt(why, why_len, "malformed event (shorter than its %u-byte header)", SKR_EVT_HDR_LEN);
        return NULL;
    }
    fix_ts = evt->ts == UINT64_MAX;
    if (p->id != 0 || evt->type == PPME_PLUGINEVENT_E) {
        uint32_t lens[2];
        /* a plugin event: header, two 4-byte lengths (4, N), the id, N payload bytes */
        if (evt->type != PPME_PLUGINEVENT_E || evt->nparams != 2 ||
            evt->len < PLUGIN_EVENT_PAYLOAD_OFFSET) {
            skr_fmt(why, why_len,
                    "malformed plugin event (type %u, %u parameters): a plugin source must "
                    "emit code-322 events with 2 parameters",
                    evt->type, evt->nparams);
            return NULL;
        }
        memcpy(lens, (const uint8_t *)evt + SKR_EVT_HDR_LEN, sizeof(lens));
        if (lens[0] != 4 || (uint64_t)PLUGIN_EVENT_PAYLOAD_OFFSET + lens[1] != evt->len) {
            skr_fmt(why, why_len,
                    "malformed plugin event: parameter lengths %u and %u do not match its "
                    "length %u",
                    lens[0], lens[1], evt->len);
            return NULL;
        }
        memcpy(&id, (const uint8_t *)evt + SKR_EVT_HDR_LEN + 8, 4);
        if (id != 0 && id != p->id) {
            skr_fmt(why, why_len, "unexpected plugin ID %u in an event (the plugin's ID is %u)", id,
                    p->id);
            return NULL;
        }
        if (id == 0 && p->id == 0) {
            skr_fmt(why, why_len, "plugin event with plugin ID 0");
            return NULL;
        }
        fix_tid = evt->tid != UINT64_MAX;
    }
    if (!fix_ts && !fix_tid && (id != 0 || p->id == 0)) {
        return evt;
    }
    c = scratch_copy(s, evt);
    if (c == NULL) {
        skr_fmt(why, why_len, "out of memory");
        return NULL;
    }
    if (fix_ts) {
        c->ts = skr_now_ns();
    }
    if (fix_tid) {
        c->tid = UINT64_MAX;
    }
    if (id == 0 && p->id != 0) {
        memcpy((uint8_t *)c + 34, &p->id, 4);
    }
    return c;
}

int skr_source_check_replayed(struct skr_source *s,
                              const ss_plugin_event *evt,
                              const ss_plugin_event **out,
                              char *why,
                              size_t why_len)
{
    if (!skr_evt_well_formed(evt, evt->len)) {
        skr_fmt(why, why_len, "malformed event (its parameter lengths overrun it)");
        return -EINVAL;
    }
    if (evt->type == PPME_ASYNCEVENT_E) {
        *out = evt;
        return 0;
    }
    *out = check_event(s, evt, why, why_len);
    return *out != NULL ? 0 : -EINVAL;
}

/* ---- Async events ------------------------------------------------------------------------ */

static bool async_name_known(const struct skr_plugin *p, const char *name, uint32_t len)
{
    if (len == 0 || name[len - 1] != '\0') {
        return false;
    }
    for (size_t i = 0; i < p->num_async_names; i++) {
        if (strcmp(p->async_names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

ss_plugin_rc skr_source_on_async(void *user,
                                 struct skr_plugin_inst *inst,
                                 const ss_plugin_event *evt,
                                 char *err)
{
    struct skr_source *s = user;
    const struct skr_plugin *input = s->eng->plugins[s->input].p;
    const uint8_t *d;
    uint32_t l;
    struct async_slot *slot;
    ss_plugin_event *copy;

    if (evt == NULL || evt->len < SKR_EVT_HDR_LEN || evt->type != PPME_ASYNCEVENT_E ||
        evt->nparams != 3 || !skr_evt_well_formed(evt, evt->len) ||
        skr_evt_param(evt, 0, &d, &l) < 0 || l != 4) {
        if (err != NULL) {
            skr_fmt(err, PLUGIN_MAX_ERRLEN,
                    "malformed async event: code 402 with 3 parameters expected");
        }
        return SS_PLUGIN_FAILURE;
    }
    if (skr_evt_param(evt, 1, &d, &l) < 0 || !async_name_known(inst->p, (const char *)d, l)) {
        if (err != NULL) {
            skr_fmt(err, PLUGIN_MAX_ERRLEN,
                    "incompatible async event: the name is not in plugin_get_async_events");
        }
        return SS_PLUGIN_FAILURE;
    }
    pthread_mutex_lock(&s->async_lock);
    if (!s->async_on || s->aq_tail - s->aq_head >= s->aq_cap) {
        bool full = s->async_on;
        pthread_mutex_unlock(&s->async_lock);
        if (full) {
            atomic_fetch_add_explicit(&s->n_async_drops, 1, memory_order_relaxed);
        }
        if (err != NULL) {
            skr_fmt(err, PLUGIN_MAX_ERRLEN, "%s",
                    full ? "the async event queue is full: event dropped"
                         : "the source does not accept async events now");
        }
        return SS_PLUGIN_FAILURE;
    }
    slot = &s->aq[s->aq_tail % s->aq_cap];
    if (slot->cap < evt->len) {
        uint8_t *nb = realloc(slot->buf, evt->len);
        if (nb == NULL) {
            pthread_mutex_unlock(&s->async_lock);
            atomic_fetch_add_explicit(&s->n_async_drops, 1, memory_order_relaxed);
            return SS_PLUGIN_FAILURE;
        }
        slot->buf = nb;
        slot->cap = evt->len;
    }
    memcpy(slot->buf, evt, evt->len);
    copy = (ss_plugin_event *)slot->buf;
    /* the host sets the plugin id (the source's) and the time when asked */
    memcpy(slot->buf + SKR_EVT_HDR_LEN + 12, &input->id, 4);
    if (copy->ts == UINT64_MAX) {
        copy->ts = skr_now_ns();
    }
    slot->plugin_idx = (size_t)(inst - s->insts);
    s->aq_tail++;
    pthread_cond_signal(&s->async_cond);
    pthread_mutex_unlock(&s->async_lock);
    return SS_PLUGIN_SUCCESS;
}

void skr_source_drain_async(struct skr_source *s)
{
    uint64_t head;
    uint64_t tail;

    pthread_mutex_lock(&s->async_lock);
    head = s->aq_head;
    tail = s->aq_tail;
    pthread_mutex_unlock(&s->async_lock);
    if (head == tail) {
        return;
    }
    for (uint64_t i = head; i < tail; i++) {
        struct async_slot *slot = &s->aq[i % s->aq_cap];
        skr_source_event(s, (const ss_plugin_event *)slot->buf, &s->idents[slot->plugin_idx]);
    }
    pthread_mutex_lock(&s->async_lock);
    s->aq_head = tail;
    pthread_mutex_unlock(&s->async_lock);
    atomic_fetch_add_explicit(&s->n_async, tail - head, memory_order_relaxed);
}

void skr_source_async_start(struct skr_source *s)
{
    if (s->nasyncs == 0) {
        return;
    }
    if (s->aq == NULL) {
        s->aq = calloc(ASYNC_QUEUE, sizeof(*s->aq));
        if (s->aq == NULL) {
            skr_log(SKR_LOG_ERR, "source", "source '%s': out of memory for async events", s->name);
            return;
        }
        s->aq_cap = ASYNC_QUEUE;
    }
    pthread_mutex_lock(&s->async_lock);
    s->async_on = true;
    pthread_mutex_unlock(&s->async_lock);
    for (size_t i = 0; i < s->nasyncs; i++) {
        struct skr_plugin_inst *inst = &s->insts[s->asyncs[i]];
        inst->async_fn = skr_source_on_async;
        inst->async_user = s;
        if (inst->p->vt.api.set_async_event_handler(inst->state, inst, skr_plugin_async_handler) !=
            SS_PLUGIN_SUCCESS) {
            skr_log(SKR_LOG_ERR, inst->p->name,
                    "plugin_set_async_event_handler failed: %s (no async events from it)",
                    skr_plugin_inst_last_error(inst));
        }
    }
}

void skr_source_async_stop(struct skr_source *s)
{
    if (!s->async_on) {
        return;
    }
    for (size_t i = 0; i < s->nasyncs; i++) {
        struct skr_plugin_inst *inst = &s->insts[s->asyncs[i]];
        /* NULL: the plugin stops and joins its producers before returning */
        inst->p->vt.api.set_async_event_handler(inst->state, inst, NULL);
    }
    pthread_mutex_lock(&s->async_lock);
    s->async_on = false;
    pthread_mutex_unlock(&s->async_lock);
}

/* With a capture file, async plugins first write their current state into it. */
static void dump_states(struct skr_source *s)
{
    for (size_t i = 0; i < s->nasyncs; i++) {
        struct skr_plugin_inst *inst = &s->insts[s->asyncs[i]];
        if (inst->p->vt.api.dump_state != NULL &&
            inst->p->vt.api.dump_state(inst->state, inst, skr_plugin_async_handler) !=
                    SS_PLUGIN_SUCCESS) {
            skr_log(SKR_LOG_WARNING, inst->p->name, "plugin_dump_state failed: %s",
                    skr_plugin_inst_last_error(inst));
        }
        skr_source_drain_async(s);
    }
}

/* ---- Drops the source reports --------------------------------------------------------------- */

/* The last part of a metric name: "syscall.n_drops" -> "n_drops". */
static const char *metric_base(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot ? dot + 1 : name;
}

static uint64_t metric_u64(const ss_plugin_metric *m)
{
    switch (m->value_type) {
    case SS_PLUGIN_METRIC_VALUE_TYPE_U64:
        return m->value.u64;
    case SS_PLUGIN_METRIC_VALUE_TYPE_U32:
        return m->value.u32;
    case SS_PLUGIN_METRIC_VALUE_TYPE_S64:
        return m->value.s64 > 0 ? (uint64_t)m->value.s64 : 0;
    case SS_PLUGIN_METRIC_VALUE_TYPE_S32:
        return m->value.s32 > 0 ? (uint64_t)m->value.s32 : 0;
    default:
        return 0;
    }
}

/* Keeps the metrics for the snapshots (skr_metrics_json), their values as JSON numbers. */
static void keep_metrics(struct skr_source *s, const ss_plugin_metric *m, uint32_t n)
{
    uint32_t k = 0;

    pthread_mutex_lock(&s->pm_lock);
    for (uint32_t i = 0; m != NULL && i < n && k < SKR_DROP_METRICS; i++) {
        char *v = s->pm_vals[k];
        size_t vl = sizeof(s->pm_vals[k]);

        if (m[i].name == NULL || m[i].name[0] == '\0') {
            continue;
        }
        switch (m[i].value_type) {
        case SS_PLUGIN_METRIC_VALUE_TYPE_U64:
            skr_fmt(v, vl, "%" PRIu64, m[i].value.u64);
            break;
        case SS_PLUGIN_METRIC_VALUE_TYPE_U32:
            skr_fmt(v, vl, "%" PRIu32, m[i].value.u32);
            break;
        case SS_PLUGIN_METRIC_VALUE_TYPE_S64:
            skr_fmt(v, vl, "%" PRId64, m[i].value.s64);
            break;
        case SS_PLUGIN_METRIC_VALUE_TYPE_S32:
            skr_fmt(v, vl, "%" PRId32, m[i].value.s32);
            break;
        case SS_PLUGIN_METRIC_VALUE_TYPE_I:
            skr_fmt(v, vl, "%d", m[i].value.i);
            break;
        case SS_PLUGIN_METRIC_VALUE_TYPE_D:
            if (!isfinite(m[i].value.d)) {
                continue;
            }
            skr_fmt(v, vl, "%.17g", m[i].value.d);
            break;
        case SS_PLUGIN_METRIC_VALUE_TYPE_F:
            if (!isfinite(m[i].value.f)) {
                continue;
            }
            skr_fmt(v, vl, "%.9g", (double)m[i].value.f);
            break;
        default:
            continue;
        }
        skr_fmt(s->pm_names[k], sizeof(s->pm_names[k]), "%s", m[i].name);
        k++;
    }
    s->npm = k;
    pthread_mutex_unlock(&s->pm_lock);
}

/*
 * About once a second: the source's n_drops and n_evts metrics (and every
 * other n_drops* counter it reports, as the syscall source does) become
 * counted drops and, above the threshold and within the rate limit, the
 * configured actions: a log line, an internal alert (Falco's syscall drop
 * alert, with the per-second deltas as string fields), or a stop.
 */
static void check_drops(struct skr_source *s, uint64_t now)
{
    const struct skr_plugin_inst *inst = &s->insts[s->input];
    const struct skr_drops_cfg *dc = &s->drops_cfg;
    bool syscall = strcmp(s->name, "syscall") == 0;
    ss_plugin_metric *m;
    uint32_t n = 0;
    uint64_t d = 0;
    uint64_t ev = 0;
    bool have = false;
    double elapsed = (double)(now - s->drops_last_check_ns) / 1e9;
    const char *keys[SKR_DROP_METRICS];
    const char *vals[SKR_DROP_METRICS];
    char nums[SKR_DROP_METRICS][24];
    uint32_t nk = 0;
    char text[256];

    s->drops_last_check_ns = now;
    if (inst->p->vt.api.get_metrics == NULL) {
        return;
    }
    m = inst->p->vt.api.get_metrics(inst->state, &n);
    keep_metrics(s, m, n);
    for (uint32_t i = 0; m != NULL && i < n && i < SKR_DROP_METRICS; i++) {
        const char *base = metric_base(m[i].name ? m[i].name : "");
        uint64_t v = metric_u64(&m[i]);
        uint64_t delta = v >= s->drop_prev[i] ? v - s->drop_prev[i] : 0;
        bool evts = strcmp(base, "n_evts") == 0;

        s->drop_prev[i] = v;
        if (!evts && strncmp(base, "n_drops", 7) != 0) {
            continue;
        }
        if (evts) {
            ev = delta;
        } else if (strcmp(base, "n_drops") == 0) {
            d = delta;
            have = true;
            atomic_store(&s->n_source_drops, v);
        }
        skr_fmt(nums[nk], sizeof(nums[nk]), "%" PRIu64, delta);
        keys[nk] = base;
        vals[nk] = nums[nk];
        nk++;
    }
    s->drop_tokens += elapsed * dc->rate;
    if (s->drop_tokens > (double)dc->max_burst) {
        s->drop_tokens = (double)dc->max_burst;
    }
    if (!have || d == 0 || dc->actions == 0 || (double)d <= dc->threshold * (double)(ev ? ev : d) ||
        s->drop_tokens < 1.0) {
        return;
    }
    s->drop_tokens -= 1.0;
    if (syscall) {
        skr_fmt(text, sizeof(text),
                "Saker internal: syscall event drop. %" PRIu64
                " system calls dropped in last second.",
                d);
    } else {
        skr_fmt(text, sizeof(text),
                "Saker internal: event drop. %" PRIu64
                " events of source %s dropped in last second.",
                d, s->name);
    }
    if (dc->actions & SKR_DROP_ACTION_LOG) {
        skr_log(SKR_LOG_WARNING, "source", "%s", text);
    }
    if ((dc->actions & SKR_DROP_ACTION_ALERT) && s->eng->out != NULL) {
        skr_output_push_internal(s->eng->out, skr_now_ns(), 7,
                                 syscall ? "Saker internal: syscall event drop"
                                         : "Saker internal: event drop",
                                 text, keys, vals, nk);
    }
    if (dc->actions & SKR_DROP_ACTION_EXIT) {
        skr_log(SKR_LOG_CRIT, "source", "%s Exiting (syscall_event_drops.actions has exit).", text);
        atomic_store(&s->eng->fatal, true);
        atomic_store(&s->eng->stop, true);
    }
}

/* ---- The thread ------------------------------------------------------------------------------ */

static void notify(struct skr_source *s)
{
    uint64_t one = 1;

    if (s->eng->notify_fd >= 0 && write(s->eng->notify_fd, &one, sizeof(one)) < 0) {
        skr_log(SKR_LOG_DEBUG, "source", "cannot wake the main thread");
    }
}

static void wait_a_little(struct skr_source *s)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 1000000; /* 1 ms: the plugin had nothing; async events wake us sooner */
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&s->async_lock);
    if (s->aq_head == s->aq_tail) {
        pthread_cond_timedwait(&s->async_cond, &s->async_lock, &until);
    }
    pthread_mutex_unlock(&s->async_lock);
}

/* How long a stopping source keeps reading what it already holds. */
#define STOP_DRAIN_MAX_NS (2ull * 1000000000ull)

static void *source_main(void *arg)
{
    struct skr_source *s = arg;
    struct skr_plugin_inst *inst = &s->insts[s->input];
    const struct skr_capture_ident *ident = &s->idents[s->input];
    ss_plugin_rc rc = SS_PLUGIN_FAILURE;
    const struct plugin_api *api = &inst->p->vt.api;
    uint64_t drain_until = 0; /* set when a stop is seen */
    char why[256];

    skr_source_sync_rules(s);
    s->handle = api->open(inst->state, s->eng->plugins[s->input].cfg->open_params, &rc);
    if (rc != SS_PLUGIN_SUCCESS) {
        skr_source_fail(s, "plugin '%s': plugin_open failed: %s", inst->p->name,
                        skr_plugin_inst_last_error(inst));
        s->handle = NULL;
        notify(s);
        return NULL;
    }
    skr_source_capture_open(s);
    skr_source_async_start(s);
    if (s->eng->cw != NULL) {
        dump_states(s);
    }
    s->drops_last_check_ns = skr_mono_ns();
    s->drop_tokens = (double)s->drops_cfg.max_burst; /* the bucket starts full */
    for (;;) {
        uint32_t n = 0;
        ss_plugin_event **evts = NULL;
        uint64_t now;

        if (drain_until == 0 && atomic_load_explicit(&s->eng->stop, memory_order_relaxed)) {
            /* A stop first takes what the source already holds (events a webhook has
             * acknowledged, a ring buffer's backlog), for a bounded time. */
            drain_until = skr_mono_ns() + STOP_DRAIN_MAX_NS;
        }
        skr_source_sync_rules(s);
        skr_source_drain_async(s);
        rc = api->next_batch(inst->state, s->handle, &n, &evts);
        if (rc == SS_PLUGIN_SUCCESS && n == 0) {
            skr_source_fail(s, "plugin '%s': plugin_next_batch returned SUCCESS with no events",
                            inst->p->name);
            break;
        }
        for (uint32_t i = 0; i < n && evts != NULL; i++) {
            const ss_plugin_event *e = check_event(s, evts[i], why, sizeof(why));
            if (e == NULL) {
                skr_source_fail(s, "plugin '%s': %s", inst->p->name, why);
                break;
            }
            skr_source_event(s, e, ident);
        }
        atomic_store_explicit(&s->n_events, s->evtnum, memory_order_relaxed);
        if (atomic_load(&s->state) == SRC_FAILED) {
            break;
        }
        now = skr_mono_ns();
        if (now - s->drops_last_check_ns >= 1000000000ull) {
            check_drops(s, now);
        }
        if (rc == SS_PLUGIN_SUCCESS) {
            if (drain_until != 0 && now >= drain_until) {
                break;
            }
            continue;
        }
        if (rc == SS_PLUGIN_TIMEOUT) {
            if (drain_until != 0) {
                break; /* nothing more is pending: the drain is complete */
            }
            wait_a_little(s);
            continue;
        }
        if (rc == SS_PLUGIN_EOF) {
            atomic_store(&s->state, SRC_EOF);
            break;
        }
        skr_source_fail(s, "plugin '%s': plugin_next_batch failed: %s", inst->p->name,
                        skr_plugin_inst_last_error(inst));
        break;
    }
    skr_source_async_stop(s);
    skr_source_drain_async(s);
    atomic_store(&s->n_events, s->evtnum);
    if (api->get_metrics != NULL) {
        uint32_t nm = 0;
        const ss_plugin_metric *m = api->get_metrics(inst->state, &nm);

        keep_metrics(s, m, nm); /* the final snapshot's */
    }
    if (s->eng->cw != NULL) {
        skr_capture_flush(s->eng->cw, &s->cbuf);
    }
    skr_source_capture_close(s);
    api->close(inst->state, s->handle);
    s->handle = NULL;
    if (atomic_load(&s->state) == SRC_RUNNING) {
        atomic_store(&s->state, SRC_STOPPED);
    }
    skr_log(SKR_LOG_DEBUG, "source", "source '%s' ended (%s) after %" PRIu64 " events", s->name,
            skr_source_state_name(atomic_load(&s->state)), s->evtnum);
    notify(s);
    return NULL;
}

int skr_source_start(struct skr_source *s, struct skr_err *err)
{
    atomic_store(&s->state, SRC_RUNNING);
    if (pthread_create(&s->thread, NULL, source_main, s) != 0) {
        atomic_store(&s->state, SRC_FAILED);
        return skr_err_set(err, -EAGAIN, "cannot start the thread of source '%s'", s->name);
    }
    s->thread_started = true;
    return 0;
}

void skr_source_join(struct skr_source *s)
{
    if (s->thread_started) {
        pthread_join(s->thread, NULL);
        s->thread_started = false;
    }
}
