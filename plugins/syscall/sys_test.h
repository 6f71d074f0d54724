/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the syscall plugin's unit tests (not part of the plugin): builds
 * events in the driver's layout from typed values, runs them through the
 * plugin's exported parse_event and extract_fields, and reads fields by name
 * as a host would (ids and argument forms from plugin_get_fields).
 */
#ifndef SKR_SYSCALL_SYS_TEST_H
#define SKR_SYSCALL_SYS_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include <saker/plugin_api.h>
#include <saker/plugin_ext.h>
#include <saker/sdk.h>

#include "evtab.h"

/* The plugin's exports, linked in from syscall_objs. */
ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc);
void plugin_destroy(ss_plugin_t *st);
const char *plugin_get_last_error(ss_plugin_t *st);
const char *plugin_get_fields(void);
ss_plugin_rc plugin_parse_event(ss_plugin_t *st,
                                const ss_plugin_event_input *evt,
                                const ss_plugin_event_parse_input *in);
ss_plugin_rc plugin_extract_fields(ss_plugin_t *st,
                                   const ss_plugin_event_input *evt,
                                   const ss_plugin_field_extract_input *in);
ss_plugin_metric *plugin_get_metrics(ss_plugin_t *st, uint32_t *num_metrics);

/* ---- Building events ----------------------------------------------------------------- */

struct tev {
    uint16_t type;
    uint32_t n;
    const void *d[SKR_MAX_EVT_PARAMS];
    uint32_t l[SKR_MAX_EVT_PARAMS];
    uint8_t vals[SKR_MAX_EVT_PARAMS][8];
    uint8_t buf[65536];
};

static inline void tev_begin(struct tev *t, uint16_t type)
{
    t->type = type;
    t->n = 0;
}

static inline uint32_t tev_width(uint8_t pt)
{
    switch (pt) {
    case SKR_PT_INT8:
    case SKR_PT_UINT8:
    case SKR_PT_FLAGS8:
    case SKR_PT_ENUMFLAGS8:
    case SKR_PT_SIGTYPE:
        return 1;
    case SKR_PT_INT16:
    case SKR_PT_UINT16:
    case SKR_PT_FLAGS16:
    case SKR_PT_ENUMFLAGS16:
    case SKR_PT_SYSCALLID:
    case SKR_PT_PORT:
        return 2;
    case SKR_PT_INT32:
    case SKR_PT_UINT32:
    case SKR_PT_FLAGS32:
    case SKR_PT_ENUMFLAGS32:
    case SKR_PT_UID:
    case SKR_PT_GID:
    case SKR_PT_MODE:
    case SKR_PT_FD32:
    case SKR_PT_PID32:
    case SKR_PT_BOOL:
    case SKR_PT_IPV4ADDR:
        return 4;
    default:
        return 8;
    }
}

/* The next parameter: an integer as wide as the layout of the event type says. */
static inline void tev_int(struct tev *t, int64_t v)
{
    const struct skr_event_info *info = skr_event_info(t->type);
    uint32_t w;

    assert_non_null(info);
    assert_true(t->n < info->nparams);
    w = tev_width(info->params[t->n].type);
    memcpy(t->vals[t->n], &v, w); /* little endian: the low bytes */
    t->d[t->n] = t->vals[t->n];
    t->l[t->n] = w;
    t->n++;
}

/* The next parameter: bytes as given (the caller keeps them alive until tev_end). */
static inline void tev_bytes(struct tev *t, const void *p, uint32_t len)
{
    assert_true(t->n < SKR_MAX_EVT_PARAMS);
    t->d[t->n] = p;
    t->l[t->n] = len;
    t->n++;
}

/* The next parameter: a string with its NUL. */
static inline void tev_str(struct tev *t, const char *s)
{
    tev_bytes(t, s, (uint32_t)strlen(s) + 1);
}

/* The next parameter: empty. */
static inline void tev_none(struct tev *t)
{
    tev_bytes(t, NULL, 0);
}

/* Empty parameters up to the end of the layout. */
static inline void tev_fill(struct tev *t)
{
    const struct skr_event_info *info = skr_event_info(t->type);

    while (t->n < info->nparams) {
        tev_none(t);
    }
}

static inline const ss_plugin_event *tev_end(struct tev *t, uint64_t ts, int64_t tid)
{
    uint32_t len =
            saker_evt_build(t->buf, sizeof(t->buf), ts, (uint64_t)tid, t->type, t->n, t->d, t->l);

    assert_true(len > 0);
    return (const ss_plugin_event *)t->buf;
}

/* An IPv4 socket tuple: family, sip, sport, dip, dport (addresses as dotted bytes). */
static inline uint32_t tev_tuple4(uint8_t *out,
                                  const uint8_t sip[4],
                                  uint16_t sport,
                                  const uint8_t dip[4],
                                  uint16_t dport)
{
    out[0] = 2; /* PPM_AF_INET */
    memcpy(out + 1, sip, 4);
    memcpy(out + 5, &sport, 2);
    memcpy(out + 7, dip, 4);
    memcpy(out + 11, &dport, 2);
    return 13;
}

/* ---- Driving the plugin -------------------------------------------------------------- */

struct sys {
    ss_plugin_t *st;
    uint64_t evtnum;
    cJSON *fields;
    ss_plugin_table_reader_vtable_ext *reader_ext; /* from the fake host, or NULL */
};

static inline ss_plugin_t *sys_init_cfg(const char *config,
                                        const ss_plugin_init_tables_input *tables,
                                        ss_plugin_rc *rc)
{
    ss_plugin_init_input in;

    memset(&in, 0, sizeof(in));
    in.config = config;
    in.tables = tables;
    return plugin_init(&in, rc);
}

/* A plugin state; tables: the host's table services, or NULL for none. */
static inline void sys_open_tables(struct sys *s,
                                   const char *config,
                                   const ss_plugin_init_tables_input *tables)
{
    ss_plugin_rc rc;

    memset(s, 0, sizeof(*s));
    s->st = sys_init_cfg(config, tables, &rc);
    assert_non_null(s->st);
    if (rc != SS_PLUGIN_SUCCESS) {
        fail_msg("plugin_init: %s", plugin_get_last_error(s->st));
    }
    s->fields = cJSON_Parse(plugin_get_fields());
    assert_non_null(s->fields);
}

static inline void sys_open(struct sys *s, const char *config)
{
    sys_open_tables(s, config, NULL);
}

static inline void sys_close(struct sys *s)
{
    plugin_destroy(s->st);
    cJSON_Delete(s->fields);
}

static inline ss_plugin_event_input sys_input(struct sys *s, const ss_plugin_event *e)
{
    ss_plugin_event_input in;

    memset(&in, 0, sizeof(in));
    in.evt = e;
    in.evtnum = s->evtnum;
    in.evtsrc = "syscall";
    return in;
}

/* Parses e as the next event; returns its event number. */
static inline uint64_t sys_parse(struct sys *s, const ss_plugin_event *e)
{
    ss_plugin_event_input in;

    s->evtnum++;
    in = sys_input(s, e);
    assert_int_equal(plugin_parse_event(s->st, &in, NULL), SS_PLUGIN_SUCCESS);
    return s->evtnum;
}

/* Builds, then parses t. */
static inline uint64_t sys_feed(struct sys *s, struct tev *t, uint64_t ts, int64_t tid)
{
    return sys_parse(s, tev_end(t, ts, tid));
}

/* The type code the plugin's field list gives name (with any argument removed). */
static inline uint32_t sys_ftype(const char *type)
{
    static const struct {
        const char *name;
        uint32_t code;
    } map[] = {
        { "string", FTYPE_STRING },
        { "uint64", FTYPE_UINT64 },
        { "bool", FTYPE_BOOL },
        { "reltime", FTYPE_RELTIME },
        { "abstime", FTYPE_ABSTIME },
        { "ipaddr", FTYPE_IPADDR },
        { "ipnet", FTYPE_IPNET },
        { "int64", SAKER_FTYPE_INT64 },
        { "bytebuf", SAKER_FTYPE_BYTEBUF },
        { "fspath", SAKER_FTYPE_FSPATH },
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i].name, type) == 0) {
            return map[i].code;
        }
    }
    return FTYPE_UINT64; /* the remaining integer forms travel as 64-bit values */
}

/*
 * Extracts field text (e.g. "fd.name", "proc.aname[2]", "proc.env[HOME]",
 * "evt.arg.flags") from the last event fed. Returns the number of values;
 * f holds them until the next extraction.
 */
static inline uint64_t sys_extract(struct sys *s,
                                   const ss_plugin_event *e,
                                   const char *text,
                                   ss_plugin_extract_field *f)
{
    static char key[256];
    ss_plugin_field_extract_input x;
    ss_plugin_event_input in = sys_input(s, e);
    const char *br = strchr(text, '[');
    size_t nlen = br ? (size_t)(br - text) : strlen(text);
    const cJSON *it;
    uint32_t id = 0;
    bool found = false;

    memset(f, 0, sizeof(*f));
    cJSON_ArrayForEach(it, s->fields) {
        const char *name = cJSON_GetObjectItem(it, "name")->valuestring;
        size_t l = strlen(name);
        const cJSON *arg = cJSON_GetObjectItem(it, "arg");
        bool dotted = arg && cJSON_IsTrue(cJSON_GetObjectItem(arg, "isDotted"));
        if (l == nlen && memcmp(name, text, l) == 0) {
            found = true;
        } else if (dotted && !br && strncmp(text, name, l) == 0 && text[l] == '.') {
            found = true;
            snprintf(key, sizeof(key), "%s", text + l + 1);
            f->arg_present = true;
            f->arg_key = key;
        }
        if (found) {
            f->ftype = sys_ftype(cJSON_GetObjectItem(it, "type")->valuestring);
            f->flist = cJSON_IsTrue(cJSON_GetObjectItem(it, "isList"));
            if (br) {
                bool is_index = arg && cJSON_IsTrue(cJSON_GetObjectItem(arg, "isIndex"));
                size_t al = strlen(br + 1) - 1; /* without ']' */
                char *end;
                snprintf(key, sizeof(key), "%.*s", (int)al, br + 1);
                f->arg_present = true;
                unsigned long long v = strtoull(key, &end, 10);
                if (is_index && *key && !*end) {
                    f->arg_index = v;
                } else {
                    f->arg_key = key;
                }
            }
            break;
        }
        id++;
    }
    if (!found) {
        fail_msg("no field %s", text);
    }
    f->field_id = id;
    f->field = text;
    memset(&x, 0, sizeof(x));
    x.num_fields = 1;
    x.fields = f;
    x.table_reader_ext = s->reader_ext;
    assert_int_equal(plugin_extract_fields(s->st, &in, &x), SS_PLUGIN_SUCCESS);
    return f->res_len;
}

/* The string value of field text for e, or NULL when it has none. */
static inline const char *sys_str(struct sys *s, const ss_plugin_event *e, const char *text)
{
    static ss_plugin_extract_field f;

    if (sys_extract(s, e, text, &f) == 0) {
        return NULL;
    }
    return f.res.str[0];
}

/* The integer value of field text for e; fails the test when it has none. */
static inline uint64_t sys_u64(struct sys *s, const ss_plugin_event *e, const char *text)
{
    ss_plugin_extract_field f;

    if (sys_extract(s, e, text, &f) == 0) {
        fail_msg("%s has no value", text);
    }
    if (f.ftype == FTYPE_BOOL) {
        return f.res.boolean[0];
    }
    return f.res.u64[0];
}

/* True when field text has a value for e. */
static inline bool sys_has(struct sys *s, const ss_plugin_event *e, const char *text)
{
    ss_plugin_extract_field f;
    return sys_extract(s, e, text, &f) > 0;
}

/* The value of metric name. */
static inline uint64_t sys_metric(struct sys *s, const char *name)
{
    uint32_t n = 0;
    ss_plugin_metric *m = plugin_get_metrics(s->st, &n);

    for (uint32_t i = 0; i < n; i++) {
        if (strcmp(m[i].name, name) == 0) {
            return m[i].value.u64;
        }
    }
    fail_msg("no metric %s", name);
    return 0;
}

#define assert_str(s, e, field, want)                                       \
    do {                                                                    \
        const char *got_ = sys_str((s), (e), (field));                      \
        if (!got_) {                                                        \
            fail_msg("%s: no value, want \"%s\"", (field), (want));         \
        }                                                                   \
        if (strcmp(got_, (want)) != 0) {                                    \
            fail_msg("%s: got \"%s\", want \"%s\"", (field), got_, (want)); \
        }                                                                   \
    } while (0)

#endif /* SKR_SYSCALL_SYS_TEST_H */
