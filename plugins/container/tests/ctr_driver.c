/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drives libcontainer.so (loaded with dlopen, as a host would) against the
 * in-process threads table of mock_host.c, following a script of JSON lines
 * read from a file, and prints one JSON line per command that reports
 * something. The script tests use it with a fake runtime socket.
 *
 *   ctr_driver <libcontainer.so> <script.jsonl>
 *
 * Commands ("op"): init {config}, async_handler, thread {tid, pid, ptid,
 * vpid, vtid, exe, cgroups: [path...], start_ts}, capture_open, event
 * {code, tid, res}, procexit {tid}, extract {tid, fields: [name |
 * [name, key] | [name, null, index]], until: {field, timeout_ms}},
 * feed_async, metrics, wait_metric {name, min, timeout_ms}, destroy.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include <saker/sdk.h>

#include "mock_host.h"

struct api {
    void *lib;
    ss_plugin_t *(*init)(const ss_plugin_init_input *, ss_plugin_rc *);
    void (*destroy)(ss_plugin_t *);
    const char *(*last_error)(ss_plugin_t *);
    const char *(*get_fields)(void);
    ss_plugin_rc (*parse)(ss_plugin_t *,
                          const ss_plugin_event_input *,
                          const ss_plugin_event_parse_input *);
    ss_plugin_rc (*extract)(ss_plugin_t *,
                            const ss_plugin_event_input *,
                            const ss_plugin_field_extract_input *);
    ss_plugin_rc (*capture_open)(ss_plugin_t *, const ss_plugin_capture_listen_input *);
    ss_plugin_rc (*set_async)(ss_plugin_t *,
                              ss_plugin_owner_t *,
                              const ss_plugin_async_event_handler_t);
    ss_plugin_metric *(*metrics)(ss_plugin_t *, uint32_t *);
};

struct field_decl {
    char name[64];
    uint32_t type;
};

struct driver {
    struct api api;
    struct mock_host *h;
    ss_plugin_t *p;
    uint64_t evtnum;
    size_t fed;
    struct field_decl fields[128];
    uint32_t nfields;
    uint8_t buf[65536];
};

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void pause_briefly(void)
{
    struct timespec ts = { 0, 5 * 1000 * 1000 };

    nanosleep(&ts, NULL);
}

static int load(struct api *a, const char *path)
{
    a->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (a->lib == NULL) {
        fprintf(stderr, "ctr_driver: %s\n", dlerror());
        return -1;
    }
#define SYM(field, name)                                                 \
    do {                                                                 \
        *(void **)&a->field = dlsym(a->lib, name);                       \
        if (a->field == NULL) {                                          \
            fprintf(stderr, "ctr_driver: %s: missing %s\n", path, name); \
            return -1;                                                   \
        }                                                                \
    } while (0)
    SYM(init, "plugin_init");
    SYM(destroy, "plugin_destroy");
    SYM(last_error, "plugin_get_last_error");
    SYM(get_fields, "plugin_get_fields");
    SYM(parse, "plugin_parse_event");
    SYM(extract, "plugin_extract_fields");
    SYM(capture_open, "plugin_capture_open");
    SYM(set_async, "plugin_set_async_event_handler");
    SYM(metrics, "plugin_get_metrics");
#undef SYM
    return 0;
}

static int load_fields(struct driver *d)
{
    cJSON *arr = cJSON_Parse(d->api.get_fields());
    const cJSON *it;

    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return -1;
    }
    cJSON_ArrayForEach(it, arr) {
        const char *name = cJSON_GetObjectItem(it, "name")->valuestring;
        const char *type = cJSON_GetObjectItem(it, "type")->valuestring;
        struct field_decl *f = &d->fields[d->nfields++];
        snprintf(f->name, sizeof(f->name), "%s", name);
        f->type = strcmp(type, "bool") == 0      ? FTYPE_BOOL
                  : strcmp(type, "abstime") == 0 ? FTYPE_ABSTIME
                  : strcmp(type, "reltime") == 0 ? FTYPE_RELTIME
                  : strcmp(type, "uint64") == 0  ? FTYPE_UINT64
                                                 : FTYPE_STRING;
    }
    cJSON_Delete(arr);
    return 0;
}

static void emit(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);

    printf("%s\n", s);
    fflush(stdout);
    free(s);
    cJSON_Delete(o);
}

static void parse_evt(struct driver *d, ss_plugin_event *evt)
{
    ss_plugin_event_input in = { .evt = evt, .evtnum = ++d->evtnum, .evtsrc = "syscall" };

    if (d->api.parse(d->p, &in, mock_host_parse_input(d->h)) != SS_PLUGIN_SUCCESS) {
        fprintf(stderr, "ctr_driver: parse failed: %s\n", d->api.last_error(d->p));
    }
}

static int64_t num(const cJSON *o, const char *k, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);

    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

/* Extracts the listed fields for one fresh event of tid into a JSON object. */
static cJSON *extract_all(struct driver *d, int64_t tid, const cJSON *list, double *ms)
{
    cJSON *out = cJSON_CreateObject();
    ss_plugin_event *evt = mock_evt_res(d->buf, sizeof(d->buf), 1, 1000000, (uint64_t)tid, 0);
    ss_plugin_event_input in = { .evt = evt, .evtnum = ++d->evtnum, .evtsrc = "syscall" };
    const cJSON *it;
    double t0 = now_ms();

    cJSON_ArrayForEach(it, list) {
        ss_plugin_extract_field f;
        ss_plugin_field_extract_input ein;
        const char *name =
                cJSON_IsString(it) ? it->valuestring : cJSON_GetArrayItem(it, 0)->valuestring;
        const cJSON *key = cJSON_IsArray(it) ? cJSON_GetArrayItem(it, 1) : NULL;
        const cJSON *idx = cJSON_IsArray(it) ? cJSON_GetArrayItem(it, 2) : NULL;
        char label[160];
        uint32_t id;

        memset(&f, 0, sizeof(f));
        for (id = 0; id < d->nfields && strcmp(d->fields[id].name, name) != 0; id++) {
        }
        if (id == d->nfields) {
            fprintf(stderr, "ctr_driver: no field %s\n", name);
            continue;
        }
        f.field_id = id;
        f.field = name;
        f.ftype = d->fields[id].type;
        if (cJSON_IsString(key)) {
            f.arg_key = key->valuestring;
            f.arg_present = 1;
            snprintf(label, sizeof(label), "%s[%s]", name, key->valuestring);
        } else if (cJSON_IsNumber(idx)) {
            f.arg_index = (uint64_t)idx->valuedouble;
            f.arg_present = 1;
            snprintf(label, sizeof(label), "%s[%d]", name, (int)idx->valuedouble);
        } else {
            snprintf(label, sizeof(label), "%s", name);
        }
        ein = mock_host_extract_input(d->h, &f, 1);
        if (d->api.extract(d->p, &in, &ein) != SS_PLUGIN_SUCCESS || f.res_len == 0) {
            cJSON_AddNullToObject(out, label);
        } else if (f.ftype == FTYPE_STRING) {
            cJSON_AddStringToObject(out, label, f.res.str[0]);
        } else if (f.ftype == FTYPE_BOOL) {
            cJSON_AddBoolToObject(out, label, f.res.boolean[0]);
        } else {
            cJSON_AddNumberToObject(out, label, (double)f.res.u64[0]);
        }
    }
    *ms = now_ms() - t0;
    return out;
}

static void cmd_extract(struct driver *d, const cJSON *cmd)
{
    const cJSON *until = cJSON_GetObjectItem(cmd, "until");
    const char *wait_field =
            until != NULL ? cJSON_GetObjectItem(until, "field")->valuestring : NULL;
    double deadline = now_ms() + (double)num(until, "timeout_ms", 0);
    double t0 = now_ms();
    double ms = 0;
    double max_ms = 0;
    cJSON *values;
    cJSON *o = cJSON_CreateObject();
    bool ok = true;

    for (;;) {
        values = extract_all(d, num(cmd, "tid", 0), cJSON_GetObjectItem(cmd, "fields"), &ms);
        if (ms > max_ms) {
            max_ms = ms;
        }
        if (wait_field == NULL || !cJSON_IsNull(cJSON_GetObjectItem(values, wait_field))) {
            break;
        }
        if (now_ms() > deadline) {
            ok = false;
            break;
        }
        cJSON_Delete(values);
        pause_briefly();
    }
    cJSON_AddStringToObject(o, "op", "extract");
    cJSON_AddBoolToObject(o, "ok", ok);
    cJSON_AddNumberToObject(o, "max_call_ms", max_ms);
    cJSON_AddNumberToObject(o, "waited_ms", now_ms() - t0);
    cJSON_AddItemToObject(o, "values", values);
    emit(o);
}

static uint64_t metric(struct driver *d, const char *name)
{
    uint32_t n = 0;
    ss_plugin_metric *m = d->api.metrics(d->p, &n);

    for (uint32_t i = 0; i < n; i++) {
        if (strcmp(m[i].name, name) == 0) {
            return m[i].value.u64;
        }
    }
    return 0;
}

static void cmd_metrics(struct driver *d)
{
    uint32_t n = 0;
    ss_plugin_metric *m = d->api.metrics(d->p, &n);
    cJSON *o = cJSON_CreateObject();
    cJSON *v = cJSON_AddObjectToObject(o, "values");

    cJSON_AddStringToObject(o, "op", "metrics");
    for (uint32_t i = 0; i < n; i++) {
        cJSON_AddNumberToObject(v, m[i].name, (double)m[i].value.u64);
    }
    emit(o);
}

static void cmd_feed_async(struct driver *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *events = cJSON_AddArrayToObject(o, "events");

    cJSON_AddStringToObject(o, "op", "feed_async");
    for (; d->fed < mock_host_async_count(d->h); d->fed++) {
        const ss_plugin_event *evt = mock_host_async_event(d->h, d->fed);
        const char *name;
        const char *json;
        cJSON *e = cJSON_CreateObject();
        if (mock_host_async_decode(d->h, d->fed, &name, &json)) {
            cJSON_AddStringToObject(e, "name", name);
            cJSON_AddItemToObject(e, "json", cJSON_Parse(json));
        }
        cJSON_AddItemToArray(events, e);
        memcpy(d->buf, evt, evt->len);
        parse_evt(d, (ss_plugin_event *)d->buf);
    }
    emit(o);
}

static int run_cmd(struct driver *d, const cJSON *cmd)
{
    const char *op = cJSON_GetObjectItem(cmd, "op")->valuestring;

    if (strcmp(op, "init") == 0) {
        const cJSON *cfg = cJSON_GetObjectItem(cmd, "config");
        char *text = cJSON_IsString(cfg) ? strdup(cfg->valuestring)
                     : cfg != NULL       ? cJSON_PrintUnformatted(cfg)
                                         : strdup("");
        ss_plugin_rc rc;
        cJSON *o = cJSON_CreateObject();
        d->p = d->api.init(mock_host_init_input(d->h, text), &rc);
        free(text);
        cJSON_AddStringToObject(o, "op", "init");
        cJSON_AddNumberToObject(o, "rc", rc);
        cJSON_AddStringToObject(o, "error", rc == SS_PLUGIN_SUCCESS ? "" : d->api.last_error(d->p));
        emit(o);
        if (rc != SS_PLUGIN_SUCCESS) {
            d->api.destroy(d->p);
            d->p = NULL;
            return -1;
        }
    } else if (strcmp(op, "async_handler") == 0) {
        d->api.set_async(d->p, d->h, mock_host_async_handler());
    } else if (strcmp(op, "thread") == 0) {
        const cJSON *cg;
        int64_t tid = num(cmd, "tid", 0);
        const cJSON *exe = cJSON_GetObjectItem(cmd, "exe");
        struct mock_thread *t = mock_thread_add(
                d->h, tid, num(cmd, "pid", tid), num(cmd, "ptid", 1), num(cmd, "vpid", tid),
                num(cmd, "vtid", tid), cJSON_IsString(exe) ? exe->valuestring : "/bin/sh");
        cJSON_ArrayForEach(cg, cJSON_GetObjectItem(cmd, "cgroups")) {
            mock_thread_add_cgroup(t, "cpu", cg->valuestring);
        }
        mock_thread_set_start_ts(t, (uint64_t)num(cmd, "start_ts", 0));
    } else if (strcmp(op, "capture_open") == 0) {
        d->api.capture_open(d->p, mock_host_capture_input(d->h));
    } else if (strcmp(op, "event") == 0) {
        parse_evt(d, mock_evt_res(d->buf, sizeof(d->buf), (uint16_t)num(cmd, "code", 293), 1000,
                                  (uint64_t)num(cmd, "tid", 0), num(cmd, "res", 0)));
    } else if (strcmp(op, "procexit") == 0) {
        parse_evt(d, mock_evt_procexit(d->buf, sizeof(d->buf), 1000, (uint64_t)num(cmd, "tid", 0)));
    } else if (strcmp(op, "extract") == 0) {
        cmd_extract(d, cmd);
    } else if (strcmp(op, "feed_async") == 0) {
        cmd_feed_async(d);
    } else if (strcmp(op, "metrics") == 0) {
        cmd_metrics(d);
    } else if (strcmp(op, "wait_metric") == 0) {
        const char *name = cJSON_GetObjectItem(cmd, "name")->valuestring;
        double deadline = now_ms() + (double)num(cmd, "timeout_ms", 5000);
        cJSON *o = cJSON_CreateObject();
        uint64_t v;
        while ((v = metric(d, name)) < (uint64_t)num(cmd, "min", 1) && now_ms() < deadline) {
            pause_briefly();
        }
        cJSON_AddStringToObject(o, "op", "wait_metric");
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddNumberToObject(o, "value", (double)v);
        emit(o);
    } else if (strcmp(op, "wait_async") == 0) {
        /* until an async event of that name names container id (by "id") */
        const char *want = cJSON_GetObjectItem(cmd, "name")->valuestring;
        const char *want_id = cJSON_GetObjectItem(cmd, "id")->valuestring;
        double deadline = now_ms() + (double)num(cmd, "timeout_ms", 5000);
        cJSON *o = cJSON_CreateObject();
        bool found = false;
        while (!found) {
            size_t n = mock_host_async_count(d->h);
            for (size_t i = 0; i < n && !found; i++) {
                const char *name;
                const char *json;
                cJSON *j;
                if (!mock_host_async_decode(d->h, i, &name, &json) || strcmp(name, want) != 0) {
                    continue;
                }
                j = cJSON_Parse(json);
                found = j != NULL &&
                        cJSON_IsString(
                                cJSON_GetObjectItem(cJSON_GetObjectItem(j, "container"), "id")) &&
                        strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "container"), "id")
                                       ->valuestring,
                               want_id) == 0;
                cJSON_Delete(j);
            }
            if (found || now_ms() > deadline) {
                break;
            }
            pause_briefly();
        }
        cJSON_AddStringToObject(o, "op", "wait_async");
        cJSON_AddStringToObject(o, "name", want);
        cJSON_AddBoolToObject(o, "found", found);
        emit(o);
    } else if (strcmp(op, "destroy") == 0) {
        double t0 = now_ms();
        cJSON *o = cJSON_CreateObject();
        d->api.destroy(d->p);
        d->p = NULL;
        cJSON_AddStringToObject(o, "op", "destroy");
        cJSON_AddNumberToObject(o, "ms", now_ms() - t0);
        cJSON_AddNumberToObject(o, "outstanding", (double)mock_host_outstanding(d->h));
        emit(o);
    } else {
        fprintf(stderr, "ctr_driver: unknown op %s\n", op);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct driver *d;
    FILE *f;
    char line[65536];
    int rc = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: ctr_driver <libcontainer.so> <script.jsonl>\n");
        return 2;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL || load(&d->api, argv[1]) < 0 || load_fields(d) < 0) {
        return 2;
    }
    d->h = mock_host_new();
    f = fopen(argv[2], "r");
    if (f == NULL) {
        perror(argv[2]);
        return 2;
    }
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        cJSON *cmd = cJSON_Parse(line);
        if (cmd == NULL) {
            continue;
        }
        rc = run_cmd(d, cmd);
        cJSON_Delete(cmd);
    }
    fclose(f);
    if (d->p != NULL) {
        d->api.destroy(d->p);
    }
    mock_host_free(d->h);
    dlclose(d->api.lib);
    free(d);
    return rc == 0 ? 0 : 1;
}
