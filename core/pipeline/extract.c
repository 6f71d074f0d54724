/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field extraction at evaluation time: the rule engine asks for one field of
 * the current event; the pipeline routes it to the owning plugin's
 * extract_fields or computes a generic evt.* field, and copies the values
 * into the source's per-event arena (plugin memory is only valid until its
 * next extract call; the engine keeps values for the whole event).
 */
#include "pipeline/pipeline_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct skr_value *vals_alloc(struct skr_source *s, size_t n)
{
    if (n <= 1 && s->vpool_used < sizeof(s->vpool) / sizeof(s->vpool[0])) {
        return &s->vpool[s->vpool_used++];
    }
    s->arena_used = true;
    return skr_arena_alloc(&s->arena, (n ? n : 1) * sizeof(struct skr_value));
}

static int one_u64(struct skr_source *s, uint64_t v, const struct skr_value **vals, uint32_t *nvals)
{
    struct skr_value *out = vals_alloc(s, 1);

    if (out == NULL) {
        return -ENOMEM;
    }
    memset(out, 0, sizeof(*out));
    out->u64 = v;
    *vals = out;
    *nvals = 1;
    return 0;
}

static int one_str(struct skr_source *s,
                   const char *p,
                   size_t len,
                   const struct skr_value **vals,
                   uint32_t *nvals)
{
    struct skr_value *out = vals_alloc(s, 1);
    char *copy;

    s->arena_used = true;
    if (out == NULL || (copy = skr_arena_strndup(&s->arena, p, len)) == NULL) {
        return -ENOMEM;
    }
    memset(out, 0, sizeof(*out));
    out->p = (const uint8_t *)copy;
    out->len = (uint32_t)len;
    *vals = out;
    *nvals = 1;
    return 0;
}

static int time_str(struct skr_source *s,
                    uint64_t ts,
                    const char *fmt,
                    bool ns,
                    bool utc,
                    const char *suffix,
                    const struct skr_value **vals,
                    uint32_t *nvals)
{
    time_t secs = (time_t)(ts / 1000000000ull);
    struct tm tm;
    char buf[96];
    size_t n;
    int w;

    if (utc) {
        gmtime_r(&secs, &tm);
    } else {
        localtime_r(&secs, &tm);
    }
    n = strftime(buf, sizeof(buf), fmt, &tm);
    if (ns) {
        w = snprintf(buf + n, sizeof(buf) - n, ".%09llu%s",
                     (unsigned long long)(ts % 1000000000ull), suffix);
        if (w > 0 && (size_t)w < sizeof(buf) - n) {
            n += (size_t)w;
        }
    }
    return one_str(s, buf, n, vals, nvals);
}

/* evt.plugininfo without plugin_event_to_string: Falco's "datalen=N data=..." text. */
static int default_info(struct skr_source *s,
                        const uint8_t *data,
                        uint32_t len,
                        const struct skr_value **vals,
                        uint32_t *nvals)
{
    char buf[160];
    bool printable = true;
    uint32_t show = len > 50 ? 50 : len;
    size_t n;

    skr_fmt(buf, sizeof(buf), "datalen=%u data=", len);
    n = strlen(buf);
    for (uint32_t i = 0; i < show; i++) {
        printable = printable && data[i] >= 0x20 && data[i] < 0x7f;
    }
    if (!printable) {
        skr_fmt(buf + n, sizeof(buf) - n, "<binary>");
    } else {
        /* at most 26 + 50 + 5 bytes: it fits */
        memcpy(buf + n, data, show);
        buf[n + show] = '\0';
        if (len > show) {
            skr_fmt(buf + n + show, sizeof(buf) - n - show, "[...]");
        }
    }
    return one_str(s, buf, strlen(buf), vals, nvals);
}

static int generic(struct skr_source *s, uint32_t g, const struct skr_value **vals, uint32_t *nvals)
{
    const ss_plugin_event *e = s->in.evt;
    uint64_t ts = e->ts;
    uint64_t rel = ts >= s->first_ts ? ts - s->first_ts : 0;
    const struct skr_plugin *input = s->eng->plugins[s->input].p;
    const uint8_t *d;
    uint32_t l;

    *nvals = 0;
    switch (g) {
    case SKR_GEN_EVT_NUM:
        return one_u64(s, s->in.evtnum, vals, nvals);
    case SKR_GEN_EVT_TIME:
        return time_str(s, ts, "%H:%M:%S", true, false, "", vals, nvals);
    case SKR_GEN_EVT_TIME_S:
        return time_str(s, ts, "%H:%M:%S", false, false, "", vals, nvals);
    case SKR_GEN_EVT_TIME_ISO8601:
        return time_str(s, ts, "%Y-%m-%dT%H:%M:%S", true, true, "+0000", vals, nvals);
    case SKR_GEN_EVT_DATETIME:
        return time_str(s, ts, "%Y-%m-%d %H:%M:%S", true, false, "", vals, nvals);
    case SKR_GEN_EVT_DATETIME_S:
        return time_str(s, ts, "%Y-%m-%d %H:%M:%S", false, false, "", vals, nvals);
    case SKR_GEN_EVT_RAWTIME:
    case SKR_GEN_EVT_TS:
        return one_u64(s, ts, vals, nvals);
    case SKR_GEN_EVT_RAWTIME_S:
        return one_u64(s, ts / 1000000000ull, vals, nvals);
    case SKR_GEN_EVT_RAWTIME_NS:
        return one_u64(s, ts % 1000000000ull, vals, nvals);
    case SKR_GEN_EVT_RELTIME:
        return one_u64(s, rel, vals, nvals);
    case SKR_GEN_EVT_RELTIME_S:
        return one_u64(s, rel / 1000000000ull, vals, nvals);
    case SKR_GEN_EVT_RELTIME_NS:
        return one_u64(s, rel % 1000000000ull, vals, nvals);
    case SKR_GEN_EVT_PLUGINNAME:
        if (e->type != PPME_PLUGINEVENT_E || input->id == 0) {
            return 0;
        }
        return one_str(s, input->name, strlen(input->name), vals, nvals);
    case SKR_GEN_EVT_PLUGININFO: {
        const struct skr_plugin_inst *inst = &s->insts[s->input];
        if (e->type != PPME_PLUGINEVENT_E || input->id == 0) {
            return 0;
        }
        if (input->vt.api.event_to_string != NULL) {
            const char *txt = input->vt.api.event_to_string(inst->state, &s->in);
            if (txt != NULL && txt[0] != '\0') {
                return one_str(s, txt, strlen(txt), vals, nvals);
            }
        }
        if (skr_evt_param(e, 1, &d, &l) < 0) {
            return 0;
        }
        return default_info(s, d, l, vals, nvals);
    }
    case SKR_GEN_EVT_SOURCE:
        return one_str(s, s->name, strlen(s->name), vals, nvals);
    case SKR_GEN_EVT_IS_ASYNC:
        return one_u64(s, e->type == PPME_ASYNCEVENT_E, vals, nvals);
    case SKR_GEN_EVT_ASYNCTYPE:
        if (e->type != PPME_ASYNCEVENT_E || skr_evt_param(e, 1, &d, &l) < 0 || l == 0) {
            return 0;
        }
        return one_str(s, (const char *)d, strnlen((const char *)d, l), vals, nvals);
    case SKR_GEN_EVT_HOSTNAME:
        return one_str(s, s->eng->hostname, strlen(s->eng->hostname), vals, nvals);
    default:
        return -ENOENT;
    }
}

/* A plugin's results as engine values: strings and buffers copied into the arena, or
 * pointed at when the plugin keeps them for the whole event (in_place). */
static int convert(struct skr_source *s,
                   const ss_plugin_extract_field *f,
                   uint32_t type,
                   bool in_place,
                   const struct skr_value **vals,
                   uint32_t *nvals)
{
    uint64_t n = f->res_len;
    struct skr_value *out;

    if (n == 0) {
        *nvals = 0;
        return 0;
    }
    /* A field that is not a list may still yield several values (proc.aname without an
     * index: every ancestor); the engine matches it when any value matches. */
    if (n > UINT32_MAX / sizeof(struct skr_value)) {
        return -E2BIG;
    }
    out = vals_alloc(s, (size_t)n);
    if (out == NULL) {
        return -ENOMEM;
    }
    memset(out, 0, (size_t)n * sizeof(*out));
    for (uint64_t i = 0; i < n; i++) {
        switch (type) {
        case FTYPE_STRING:
        case SAKER_FTYPE_FSPATH: {
            const char *str = f->res.str[i] ? f->res.str[i] : "";
            size_t len = strlen(str);
            const char *copy = str;
            if (!in_place) {
                s->arena_used = true;
                copy = skr_arena_strndup(&s->arena, str, len);
                if (copy == NULL) {
                    return -ENOMEM;
                }
            }
            out[i].p = (const uint8_t *)copy;
            out[i].len = (uint32_t)len;
            break;
        }
        case FTYPE_BOOL:
            out[i].u64 = f->res.boolean[i] ? 1 : 0;
            break;
        case FTYPE_IPADDR:
        case FTYPE_IPNET:
        case SAKER_FTYPE_BYTEBUF: {
            const ss_plugin_byte_buffer *b = &f->res.buf[i];
            const void *copy = b->ptr != NULL ? b->ptr : "";
            if (!in_place) {
                s->arena_used = true;
                copy = skr_arena_memdup(&s->arena, copy, b->len ? b->len : 1);
                if (copy == NULL) {
                    return -ENOMEM;
                }
            }
            out[i].p = copy;
            out[i].len = b->len;
            break;
        }
        case SAKER_FTYPE_DOUBLE:
            memcpy(&out[i].d, &f->res.u64[i], sizeof(double));
            break;
        default: /* integers, ports, times: widened into u64 (signed ones sign-extended) */
            out[i].u64 = f->res.u64[i];
            break;
        }
    }
    *vals = out;
    *nvals = (uint32_t)n;
    return 0;
}

int skr_extract(void *user,
                const struct skr_extract_req *req,
                const struct skr_value **vals,
                uint32_t *nvals)
{
    struct skr_source *s = user;
    const struct skr_field *fd = skr_registry_field(s->eng->reg, req->field_id);
    struct skr_plugin_inst *inst;
    ss_plugin_rc rc;

    *nvals = 0;
    if (fd == NULL) {
        return -ENOENT;
    }
    if (fd->owner == SKR_FIELD_GENERIC) {
        return generic(s, fd->generic, vals, nvals);
    }
    inst = &s->insts[fd->plugin_idx];
    if (inst->state == NULL || !skr_inst_extracts_type(inst, s->in.evt->type)) {
        return 0;
    }
    s->extract_field.res.u64 = NULL;
    s->extract_field.res_len = 0;
    s->extract_field.field_id = fd->plugin_field;
    s->extract_field.field = fd->f->name;
    s->extract_field.arg_key = req->arg_key;
    s->extract_field.arg_index = req->arg_index;
    s->extract_field.arg_present = req->arg_present;
    s->extract_field.ftype = fd->f->type;
    s->extract_field.flist = (fd->f->flags & SKR_PF_LIST) != 0;
    s->extract_in.owner = inst;
    rc = inst->p->vt.api.extract_fields(inst->state, &s->in, &s->extract_in);
    if (rc != SS_PLUGIN_SUCCESS) {
        atomic_fetch_add_explicit(&s->n_extract_errors, 1, memory_order_relaxed);
        skr_complain(&s->c_extract, SKR_LOG_WARNING, inst->p->name,
                     "plugin_extract_fields failed for %s (event %llu of source %s): %s",
                     fd->f->name, (unsigned long long)s->in.evtnum, s->name,
                     skr_plugin_inst_last_error(inst));
        return -EIO;
    }
    return convert(s, &s->extract_field, fd->f->type, inst->extract_event_lifetime, vals, nvals);
}
