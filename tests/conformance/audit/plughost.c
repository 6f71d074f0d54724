/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plughost: a minimal plugin host for the audit plugins' tests. It dlopens
 * plugins through the plugin ABI only (no core code), opens the first one as
 * a source (or builds one event from a payload file), and prints one JSON
 * line per event with the fields asked for, then a summary line.
 *
 *   plughost --plugin lib.so [--config JSON] [--plugin lib2.so ...]
 *            (--open PARAMS | --payload FILE [--ts NS] | --list-fields)
 *            [--field NAME[ARG]]... [--count] [--payloads] [--hold] [--max-events N]
 *
 * --hold opens the source but reads nothing until SIGUSR1 (a stalled engine).
 * --count prints only the summary (fields are still extracted for every
 * event). --payloads adds each event's payload (as a JSON string) and its
 * event_to_string text. SIGINT/SIGTERM end the stream like an EOF, once what
 * the source holds is delivered. Plugin logs go to stderr
 * as "[name] message". Exit status: 0 on EOF or signal, 1 on any failure.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <saker/plugin_api.h>

#define MAX_PLUGINS 8
#define MAX_FIELDS  64

struct plugin {
    void *lib;
    plugin_api api;
    const char *name;
    const char *config;
    ss_plugin_t *state;
    cJSON *fields;
};

struct field_req {
    char *spec;
    struct plugin *p;
    uint32_t id;
    char *name;
    char *arg;
    bool has_arg;
    bool is_index;
    uint64_t index;
    bool is_list;
    uint32_t type;
};

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t hold_flag;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        hold_flag = 0;
        return;
    }
    stop_flag = 1;
}

static void log_fn(ss_plugin_owner_t *o,
                   const char *component,
                   const char *msg,
                   ss_plugin_log_severity sev)
{
    const struct plugin *p = o;
    (void)sev;
    fprintf(stderr, "[%s] %s\n", component ? component : p->name, msg);
    fflush(stderr);
}

static int load(struct plugin *p, const char *path)
{
    p->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (p->lib == NULL) {
        fprintf(stderr, "plughost: cannot load %s: %s\n", path, dlerror());
        return -1;
    }
#define SYM(n) p->api.n = (__typeof__(p->api.n))dlsym(p->lib, "plugin_" #n)
    SYM(get_required_api_version);
    SYM(get_init_schema);
    SYM(init);
    SYM(destroy);
    SYM(get_last_error);
    SYM(get_name);
    SYM(get_version);
    SYM(get_id);
    SYM(get_event_source);
    SYM(open);
    SYM(close);
    SYM(next_batch);
    SYM(get_fields);
    SYM(extract_fields);
    SYM(get_metrics);
    SYM(event_to_string);
    SYM(get_progress);
#undef SYM
    if (!p->api.init || !p->api.get_name || !p->api.destroy || !p->api.get_last_error) {
        fprintf(stderr, "plughost: %s lacks required symbols\n", path);
        return -1;
    }
    p->name = p->api.get_name();
    if (p->api.get_fields != NULL) {
        p->fields = cJSON_Parse(p->api.get_fields());
        if (!cJSON_IsArray(p->fields)) {
            fprintf(stderr, "plughost: %s: get_fields is not a JSON array\n", p->name);
            return -1;
        }
    }
    return 0;
}

static int init(struct plugin *p)
{
    ss_plugin_init_input in;
    ss_plugin_rc rc = SS_PLUGIN_FAILURE;

    memset(&in, 0, sizeof(in));
    in.config = p->config ? p->config : "";
    in.owner = p;
    in.log_fn = log_fn;
    p->state = p->api.init(&in, &rc);
    if (rc != SS_PLUGIN_SUCCESS) {
        fprintf(stderr, "plughost: init of %s failed: %s\n", p->name,
                p->state ? p->api.get_last_error(p->state) : "(no state)");
        return -1;
    }
    return 0;
}

static int resolve(struct field_req *f, struct plugin *ps, int np)
{
    char *br = strchr(f->spec, '[');

    f->name = strdup(f->spec);
    if (br != NULL) {
        size_t n = strlen(br);
        if (n < 2 || br[n - 1] != ']') {
            fprintf(stderr, "plughost: bad field %s\n", f->spec);
            return -1;
        }
        f->name[br - f->spec] = '\0';
        f->arg = strndup(br + 1, n - 2);
        f->has_arg = true;
    }
    for (int i = 0; i < np; i++) {
        uint32_t id = 0;
        for (const cJSON *d = ps[i].fields ? ps[i].fields->child : NULL; d; d = d->next, id++) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(d, "name");
            if (!cJSON_IsString(nm) || strcmp(nm->valuestring, f->name) != 0) {
                continue;
            }
            const char *t = cJSON_GetObjectItemCaseSensitive(d, "type")->valuestring;
            const cJSON *arg = cJSON_GetObjectItemCaseSensitive(d, "arg");
            f->p = &ps[i];
            f->id = id;
            f->is_list = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "isList"));
            f->type = strcmp(t, "string") == 0 ? FTYPE_STRING : FTYPE_UINT64;
            if (f->has_arg && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(arg, "isIndex"))) {
                char *end = NULL;
                errno = 0;
                f->index = strtoull(f->arg, &end, 10);
                f->is_index = errno == 0 && end != f->arg && *end == '\0';
            }
            return 0;
        }
    }
    fprintf(stderr, "plughost: no loaded plugin exports field %s\n", f->name);
    return -1;
}

static cJSON *extract(struct field_req *f,
                      const ss_plugin_event *evt,
                      uint64_t evtnum,
                      const char *src)
{
    ss_plugin_event_input in = { .evt = evt, .evtnum = evtnum, .evtsrc = src };
    ss_plugin_extract_field ef;
    ss_plugin_field_extract_input ei;
    cJSON *out;

    memset(&ef, 0, sizeof(ef));
    ef.field_id = f->id;
    ef.field = f->name;
    ef.ftype = f->type;
    ef.flist = f->is_list;
    if (f->has_arg) {
        ef.arg_present = 1;
        if (f->is_index) {
            ef.arg_index = f->index;
        } else {
            ef.arg_key = f->arg;
        }
    }
    memset(&ei, 0, sizeof(ei));
    ei.owner = f->p;
    ei.num_fields = 1;
    ei.fields = &ef;
    if (f->p->api.extract_fields(f->p->state, &in, &ei) != SS_PLUGIN_SUCCESS) {
        return cJSON_CreateString("<extract error>");
    }
    if (ef.res_len == 0) {
        return cJSON_CreateNull();
    }
    out = f->is_list ? cJSON_CreateArray() : NULL;
    for (uint64_t i = 0; i < ef.res_len; i++) {
        cJSON *v;
        if (f->type == FTYPE_STRING) {
            v = cJSON_CreateString(ef.res.str[i]);
        } else {
            v = cJSON_CreateNumber((double)ef.res.u64[i]);
        }
        if (out == NULL) {
            return v;
        }
        cJSON_AddItemToArray(out, v);
    }
    return out;
}

static bool show_payloads;

static void print_event(struct plugin *p,
                        struct field_req *fs,
                        int nf,
                        const ss_plugin_event *evt,
                        uint64_t n,
                        const char *src)
{
    cJSON *line = cJSON_CreateObject();
    cJSON *vals = cJSON_AddObjectToObject(line, "fields");
    char *text;

    cJSON_AddNumberToObject(line, "n", (double)n);
    cJSON_AddNumberToObject(line, "ts_s", (double)(evt->ts / 1000000000ull));
    cJSON_AddNumberToObject(line, "ts_ns", (double)(evt->ts % 1000000000ull));
    for (int i = 0; i < nf; i++) {
        cJSON_AddItemToObject(vals, fs[i].spec, extract(&fs[i], evt, n, src));
    }
    if (show_payloads && evt->type == PPME_PLUGINEVENT_E && evt->len >= 38) {
        ss_plugin_event_input in = { .evt = evt, .evtnum = n, .evtsrc = src };
        uint32_t plen = evt->len - 38;
        char *copy = malloc((size_t)plen + 1);
        if (copy != NULL) {
            memcpy(copy, (const char *)evt + 38, plen);
            copy[plen] = '\0';
            cJSON_AddStringToObject(line, "payload", copy);
            free(copy);
        }
        if (p->api.event_to_string != NULL) {
            cJSON_AddStringToObject(line, "info", p->api.event_to_string(p->state, &in));
        }
    }
    text = cJSON_PrintUnformatted(line);
    puts(text);
    cJSON_free(text);
    cJSON_Delete(line);
}

static void add_metrics(cJSON *summary, struct plugin *ps, int np)
{
    cJSON *m = cJSON_AddObjectToObject(summary, "metrics");

    for (int i = 0; i < np; i++) {
        uint32_t n = 0;
        ss_plugin_metric *ms;
        if (ps[i].api.get_metrics == NULL || ps[i].state == NULL) {
            continue;
        }
        ms = ps[i].api.get_metrics(ps[i].state, &n);
        for (uint32_t k = 0; k < n; k++) {
            char key[256];
            snprintf(key, sizeof(key), "%s.%s", ps[i].name, ms[k].name);
            cJSON_AddNumberToObject(m, key, (double)ms[k].value.u64);
        }
    }
}

int main(int argc, char **argv)
{
    struct plugin ps[MAX_PLUGINS];
    struct field_req fs[MAX_FIELDS];
    int np = 0, nf = 0, rc = 1;
    const char *open_params = NULL, *payload_file = NULL;
    uint64_t ts = 1, max_events = UINT64_MAX, n = 0;
    bool count_only = false, list_fields = false;
    const char *stop_reason = "eof";
    char errbuf[PLUGIN_MAX_ERRLEN] = "";
    cJSON *summary;
    char *text;

    memset(ps, 0, sizeof(ps));
    memset(fs, 0, sizeof(fs));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--count") == 0) {
            count_only = true;
            continue;
        }
        if (strcmp(a, "--hold") == 0) {
            hold_flag = 1;
            continue;
        }
        if (strcmp(a, "--payloads") == 0) {
            show_payloads = true;
            continue;
        }
        if (strcmp(a, "--list-fields") == 0) {
            list_fields = true;
            continue;
        }
        if (v == NULL) {
            fprintf(stderr, "plughost: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--plugin") == 0 && np < MAX_PLUGINS) {
            if (load(&ps[np++], v) < 0) {
                return 1;
            }
        } else if (strcmp(a, "--config") == 0 && np > 0) {
            ps[np - 1].config = v;
        } else if (strcmp(a, "--open") == 0) {
            open_params = v;
        } else if (strcmp(a, "--payload") == 0) {
            payload_file = v;
        } else if (strcmp(a, "--ts") == 0) {
            ts = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--max-events") == 0) {
            max_events = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--field") == 0 && nf < MAX_FIELDS) {
            fs[nf++].spec = (char *)v;
        } else {
            fprintf(stderr, "plughost: unknown option %s\n", a);
            return 2;
        }
    }
    if (np == 0) {
        fprintf(stderr, "plughost: give at least one --plugin\n");
        return 2;
    }
    if (list_fields) {
        for (int i = 0; i < np; i++) {
            printf("%s\n", ps[i].api.get_fields ? ps[i].api.get_fields() : "[]");
        }
        rc = 0;
        goto out;
    }
    for (int i = 0; i < np; i++) {
        if (init(&ps[i]) < 0) {
            goto out;
        }
    }
    for (int i = 0; i < nf; i++) {
        if (resolve(&fs[i], ps, np) < 0) {
            goto out;
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGUSR1, on_signal);
    if (payload_file != NULL) {
        static uint8_t evbuf[1 << 22];
        FILE *fp = fopen(payload_file, "rb");
        size_t len;
        char *data = malloc(1 << 21);
        if (fp == NULL || data == NULL) {
            fprintf(stderr, "plughost: cannot read %s\n", payload_file);
            free(data);
            goto out;
        }
        len = fread(data, 1, 1 << 21, fp);
        fclose(fp);
        const void *params[2] = { &(uint32_t){ 999 }, data };
        uint32_t lens[2] = { 4, (uint32_t)len };
        ss_plugin_event hdr = {
            .ts = ts, .tid = UINT64_MAX, .type = PPME_PLUGINEVENT_E, .nparams = 2
        };
        uint8_t *p = evbuf;
        hdr.len = (uint32_t)(sizeof(hdr) + 8 + 4 + len);
        memcpy(p, &hdr, sizeof(hdr));
        memcpy(p + 26, &lens[0], 4);
        memcpy(p + 30, &lens[1], 4);
        memcpy(p + 34, params[0], 4);
        memcpy(p + 38, data, len);
        free(data);
        print_event(&ps[0], fs, nf, (const ss_plugin_event *)evbuf, 1, "test");
        rc = 0;
        goto out;
    }
    if (open_params != NULL) {
        struct plugin *src = &ps[0];
        ss_plugin_rc orc = SS_PLUGIN_FAILURE;
        ss_instance_t *h;
        const char *srcname = src->api.get_event_source ? src->api.get_event_source() : "?";
        if (src->api.open == NULL || src->api.next_batch == NULL) {
            fprintf(stderr, "plughost: %s is not a source plugin\n", src->name);
            goto out;
        }
        h = src->api.open(src->state, open_params, &orc);
        if (orc != SS_PLUGIN_SUCCESS) {
            fprintf(stderr, "plughost: open failed: %s\n", src->api.get_last_error(src->state));
            goto out;
        }
        printf("{\"opened\":true}\n");
        fflush(stdout);
        rc = 0;
        {
            /* signals are blocked between the check and the wait, so none is missed */
            sigset_t block, old;
            sigemptyset(&block);
            sigaddset(&block, SIGUSR1);
            sigaddset(&block, SIGTERM);
            sigaddset(&block, SIGINT);
            sigprocmask(SIG_BLOCK, &block, &old);
            while (hold_flag && !stop_flag) {
                sigsuspend(&old);
            }
            sigprocmask(SIG_SETMASK, &old, NULL);
        }
        while (!stop_flag && n < max_events) {
            uint32_t k = 0;
            ss_plugin_event **evts = NULL;
            ss_plugin_rc r = src->api.next_batch(src->state, h, &k, &evts);
            for (uint32_t i = 0; i < k && n < max_events; i++) {
                n++;
                if (count_only) {
                    for (int f = 0; f < nf; f++) {
                        cJSON_Delete(extract(&fs[f], evts[i], n, srcname));
                    }
                } else {
                    print_event(src, fs, nf, evts[i], n, srcname);
                }
            }
            if (k > 0 && !count_only) {
                fflush(stdout);
            }
            if (r == SS_PLUGIN_EOF) {
                break;
            }
            if (r == SS_PLUGIN_TIMEOUT) {
                continue;
            }
            if (r != SS_PLUGIN_SUCCESS) {
                snprintf(errbuf, sizeof(errbuf), "%s", src->api.get_last_error(src->state));
                stop_reason = "failure";
                rc = 1;
                break;
            }
        }
        if (stop_flag) {
            /* stopping: deliver what the source already holds (until it has nothing now) */
            stop_reason = "signal";
            for (int rounds = 0; rc == 0 && rounds < 100000; rounds++) {
                uint32_t k = 0;
                ss_plugin_event **evts = NULL;
                ss_plugin_rc r = src->api.next_batch(src->state, h, &k, &evts);
                for (uint32_t i = 0; i < k; i++) {
                    n++;
                    if (count_only) {
                        for (int f = 0; f < nf; f++) {
                            cJSON_Delete(extract(&fs[f], evts[i], n, srcname));
                        }
                    } else {
                        print_event(src, fs, nf, evts[i], n, srcname);
                    }
                }
                if (r != SS_PLUGIN_SUCCESS) {
                    break;
                }
            }
        }
        summary = cJSON_CreateObject();
        cJSON_AddNumberToObject(summary, "events", (double)n);
        cJSON_AddStringToObject(summary, "stop", stop_reason);
        cJSON_AddStringToObject(summary, "error", errbuf);
        add_metrics(summary, ps, np);
        src->api.close(src->state, h);
        text = cJSON_PrintUnformatted(summary);
        printf("{\"summary\":%s}\n", text);
        cJSON_free(text);
        cJSON_Delete(summary);
        goto out;
    }
    fprintf(stderr, "plughost: give --open, --payload or --list-fields\n");
out:
    for (int i = 0; i < nf; i++) {
        free(fs[i].name);
        free(fs[i].arg);
    }
    for (int i = np - 1; i >= 0; i--) {
        if (ps[i].state != NULL) {
            ps[i].api.destroy(ps[i].state);
        }
        cJSON_Delete(ps[i].fields);
        if (ps[i].lib != NULL) {
            dlclose(ps[i].lib);
        }
    }
    fflush(stdout);
    return rc;
}
