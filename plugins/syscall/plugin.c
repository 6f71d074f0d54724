// SPDX-License-Identifier: Apache-2.0
/*
 * libsyscall.so: the syscall source. A "syscall-source" plugin in the plugin
 * API's terms (no plugin id, no event source name): its events are libscap
 * events filed under the source "syscall". It also parses them (process,
 * thread and fd state, offered to other plugins as the "threads" table) and
 * extracts the evt/proc/thread/fd/user/group/fs.path fields.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <cjson/cJSON.h>

#include "evtab.h"
#include "plugin.h"

#define REQUIRED_API "3.6.0"
#define REQUIRED_EXT "1.0.0"

static const char g_schema[] =
        "{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
        "\"type\":\"object\",\"additionalProperties\":false,"
        "\"properties\":{"
        "\"ringbuf_size_kb\":{\"type\":\"integer\",\"minimum\":4,\"maximum\":1048576,"
        "\"description\":\"Ring buffer size per CPU in KiB, a power of two (default 4096)\"},"
        "\"snaplen\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":4096,"
        "\"description\":\"Bytes of I/O data captured (default 80)\"},"
        "\"thread_table_size\":{\"type\":\"integer\",\"minimum\":64,\"maximum\":4194304,"
        "\"description\":\"Threads kept; the least recently seen is evicted beyond it (default "
        "262144)\"},"
        "\"max_fd\":{\"type\":\"integer\",\"minimum\":16,\"maximum\":1048576,"
        "\"description\":\"File descriptors kept per process: fd numbers below it (default "
        "65536)\"},"
        "\"batch_size\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":65536,"
        "\"description\":\"Events per next_batch call (default 1024)\"},"
        "\"poll_ms\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000,"
        "\"description\":\"Longest wait for events before a timeout (default 2)\"},"
        "\"proc_scan\":{\"type\":\"boolean\",\"description\":\"Read the starting state from /proc "
        "(default true)\"},"
        "\"proc_scan_fds\":{\"type\":\"boolean\",\"description\":\"Include open fds in the "
        "starting state (default true)\"},"
        "\"proc_lookup\":{\"type\":\"boolean\",\"description\":\"Read /proc for threads met "
        "without their clone (default true)\"},"
        "\"capture_all\":{\"type\":\"boolean\",\"description\":\"Capture every supported syscall, "
        "whatever the rules need (default false)\"},"
        "\"skip_regular_close\":{\"type\":\"boolean\",\"description\":\"Skip closes of regular "
        "files in the kernel when no rule names close (default true)\"}"
        "}}";

struct skr_inst {
    struct skr_sys *s;
};

void skr_log(struct skr_sys *s, ss_plugin_log_severity sev, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (!s->log) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    s->log(s->owner, NULL, msg, sev);
}

/* ---- Config ----------------------------------------------------------------------- */

static void config_defaults(struct skr_sys_config *c)
{
    c->ringbuf_size_kb =
            4096; /* 4 MiB per CPU: 40 ms at 2M events/s per CPU, or a stalled consumer */
    c->snaplen = 80;
    c->thread_table_size = 262144;
    c->max_fd = 65536;
    c->batch_size = 1024;
    c->poll_ms = 2;
    c->proc_scan = true;
    c->proc_scan_fds = true;
    c->proc_lookup = true;
    c->capture_all = false;
    c->skip_regular_close = true;
}

static int get_uint(struct skr_sys *s,
                    const cJSON *root,
                    const char *key,
                    uint32_t min,
                    uint32_t max,
                    uint32_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

    if (!v) {
        return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble ||
        v->valuedouble < min || v->valuedouble > max) {
        saker_err(&s->err,
                  "init_config: '%s' must be an integer between %u and %u; fix the syscall "
                  "plugin's init_config",
                  key, min, max);
        return -EINVAL;
    }
    *out = (uint32_t)v->valuedouble;
    return 0;
}

static int get_bool(struct skr_sys *s, const cJSON *root, const char *key, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

    if (!v) {
        return 0;
    }
    if (!cJSON_IsBool(v)) {
        saker_err(&s->err, "init_config: '%s' must be true or false", key);
        return -EINVAL;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

static int parse_config(struct skr_sys *s, const char *text)
{
    static const char *const known[] = {
        "ringbuf_size_kb", "snaplen",     "thread_table_size",  "max_fd",
        "batch_size",      "poll_ms",     "proc_scan",          "proc_scan_fds",
        "proc_lookup",     "capture_all", "skip_regular_close", NULL
    };
    struct skr_sys_config *c = &s->cfg;
    cJSON *root;
    const cJSON *it;
    int rc = 0;

    config_defaults(c);
    if (!text || !*text) {
        return 0;
    }
    root = cJSON_Parse(text);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        saker_err(&s->err, "init_config is not a JSON object: give the syscall plugin a mapping "
                           "of options (see its README)");
        return -EINVAL;
    }
    cJSON_ArrayForEach(it, root) {
        bool ok = false;
        for (const char *const *k = known; *k; k++) {
            ok = ok || strcmp(it->string, *k) == 0;
        }
        if (!ok) {
            saker_err(&s->err,
                      "init_config: unknown option '%s' (known: ringbuf_size_kb, "
                      "snaplen, thread_table_size, max_fd, batch_size, poll_ms, "
                      "proc_scan, proc_scan_fds, proc_lookup, capture_all, "
                      "skip_regular_close)",
                      it->string);
            rc = -EINVAL;
            goto out;
        }
    }
    if ((rc = get_uint(s, root, "ringbuf_size_kb", 4, 1048576, &c->ringbuf_size_kb)) < 0 ||
        (rc = get_uint(s, root, "snaplen", 0, 4096, &c->snaplen)) < 0 ||
        (rc = get_uint(s, root, "thread_table_size", 64, 4194304, &c->thread_table_size)) < 0 ||
        (rc = get_uint(s, root, "max_fd", 16, 1048576, &c->max_fd)) < 0 ||
        (rc = get_uint(s, root, "batch_size", 1, 65536, &c->batch_size)) < 0 ||
        (rc = get_uint(s, root, "poll_ms", 0, 1000, &c->poll_ms)) < 0 ||
        (rc = get_bool(s, root, "proc_scan", &c->proc_scan)) < 0 ||
        (rc = get_bool(s, root, "proc_scan_fds", &c->proc_scan_fds)) < 0 ||
        (rc = get_bool(s, root, "proc_lookup", &c->proc_lookup)) < 0 ||
        (rc = get_bool(s, root, "capture_all", &c->capture_all)) < 0 ||
        (rc = get_bool(s, root, "skip_regular_close", &c->skip_regular_close)) < 0) {
        goto out;
    }
    if (c->ringbuf_size_kb & (c->ringbuf_size_kb - 1)) {
        saker_err(&s->err, "init_config: 'ringbuf_size_kb' is %u; it must be a power of two",
                  c->ringbuf_size_kb);
        rc = -EINVAL;
    }
out:
    cJSON_Delete(root);
    return rc;
}

static uint64_t boot_epoch_ns(void)
{
    struct timespec rt, bt;

    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    return ((uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec) -
           ((uint64_t)bt.tv_sec * 1000000000ull + (uint64_t)bt.tv_nsec);
}

/* ---- Common -------------------------------------------------------------------------- */

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return REQUIRED_API;
}

SAKER_EXPORT const char *plugin_get_required_saker_ext_version(void)
{
    return REQUIRED_EXT;
}

/* Extraction results stay in the store, or in state untouched until the next parse, until
 * another event is extracted: the host reads them in place. (A host without this
 * extension copies them, so the requirement stays 1.0.0.) */
SAKER_EXPORT uint32_t plugin_get_extract_lifetime(ss_plugin_t *st)
{
    (void)st;
    return SAKER_EXTRACT_LIFETIME_EVENT;
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return SKR_PLUGIN_NAME;
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Linux syscalls from a CO-RE eBPF driver, with process, thread and file-descriptor "
           "state";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "github.com/saker-security/saker";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return SKR_PLUGIN_VERSION;
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *schema_type)
{
    *schema_type = SS_PLUGIN_SCHEMA_JSON;
    return g_schema;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *st)
{
    struct skr_sys *s = st;

    if (!s) {
        return;
    }
    skr_probe_close(s->probe);
    skr_scan_free(s->scan);
    skr_state_free(s->st);
    skr_users_free(s->users);
    skr_tables_free(s->tables);
    saker_store_fini(&s->store);
    skr_sbuf_fini(&s->sb);
    skr_sbuf_fini(&s->sb2);
    free(s->interest_codes);
    for (uint32_t i = 0; i < s->n_interest_names; i++) {
        free(s->interest_names[i]);
    }
    free(s->interest_names);
    skr_open_filter_free(&s->ofilter);
    free(s->batch);
    free(s);
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct skr_sys *s = calloc(1, sizeof(*s));
    struct skr_state_limits lim;

    *rc = SS_PLUGIN_FAILURE;
    if (!s) {
        return NULL;
    }
    s->owner = in ? in->owner : NULL;
    s->log = in ? in->log_fn : NULL;
    saker_store_init(&s->store);
    s->store_evtnum = UINT64_MAX;
    if (parse_config(s, in ? in->config : NULL) < 0) {
        return s;
    }
    lim.max_threads = s->cfg.thread_table_size;
    lim.max_fd = s->cfg.max_fd;
    s->st = skr_state_new(&lim);
    s->users = skr_users_new(true);
    s->tables = skr_tables_new(s);
    s->batch_cap = s->cfg.batch_size;
    s->batch = calloc(s->batch_cap, sizeof(*s->batch));
    if (!s->st || !s->users || !s->tables || !s->batch) {
        saker_err(&s->err, "out of memory initialising the syscall plugin");
        return s;
    }
    s->boot_ns = boot_epoch_ns();
    if (in && skr_tables_register(s, in->tables) < 0) {
        saker_err(&s->err, "the host refused the 'threads' table (add_table failed)");
        return s;
    }
    *rc = SS_PLUGIN_SUCCESS;
    return s;
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *st)
{
    struct skr_sys *s = st;
    return s ? s->err.msg : "no plugin state";
}

/* ---- Event types and interest (Saker extension) ------------------------------------- */

struct etypes {
    saker_event_type *v;
    uint32_t n;
};

static struct etypes g_types;
static pthread_once_t g_types_once = PTHREAD_ONCE_INIT;

static bool always_emitted(uint16_t code)
{
    switch (code) {
    case SKR_PPME_SYSCALL_CLONE_20_X:
    case SKR_PPME_SYSCALL_CLONE3_X:
    case SKR_PPME_SYSCALL_FORK_20_X:
    case SKR_PPME_SYSCALL_VFORK_20_X:
    case SKR_PPME_SYSCALL_EXECVE_19_X:
    case SKR_PPME_PROCEXIT_1_E:
    case SKR_EVT_INIT:
    case SKR_EVT_THREAD:
    case SKR_EVT_FD:
        return true;
    default:
        return false;
    }
}

static void build_types(void)
{
    uint32_t cap = SKR_EVENT_CODES + 1024, n = 0;
    saker_event_type *v = calloc(cap, sizeof(*v));

    if (!v) {
        return;
    }
    for (uint32_t c = 0; c < SKR_EVENT_CODES && n < cap; c++) {
        const char *name = skr_event_code_names[c];
        if (!name) {
            continue;
        }
        v[n++] = (saker_event_type){ name, (uint16_t)c, (c & 1) ? '<' : '>', 0,
                                     always_emitted((uint16_t)c) ? SAKER_EVENT_TYPE_ALWAYS : 0 };
    }
    /* syscalls without an event of their own: the generic code, named by syscall */
    for (const char *const *g = skr_generic_syscall_names; *g && n < cap; g++) {
        v[n++] = (saker_event_type){ *g, SKR_PPME_GENERIC_X, '<', 0, SAKER_EVENT_TYPE_GENERIC };
    }
    for (uint32_t nr = 0; nr < SKR_NATIVE_SYSCALLS && n < cap; nr++) {
        const char *name = skr_syscall_name(nr);
        bool listed = false;
        if (!name || skr_syscall_exit_code(nr) != 1) {
            continue;
        }
        for (const char *const *g = skr_generic_syscall_names; *g; g++) {
            listed = listed || strcmp(*g, name) == 0;
        }
        if (!listed) {
            v[n++] = (saker_event_type){ name, SKR_PPME_GENERIC_X, '<', 0,
                                         SAKER_EVENT_TYPE_GENERIC };
        }
    }
    {
        static const uint16_t own[] = { SKR_EVT_INIT, SKR_EVT_THREAD, SKR_EVT_FD };
        for (size_t i = 0; i < sizeof(own) / sizeof(own[0]) && n < cap; i++) {
            v[n++] = (saker_event_type){ skr_event_name(own[i]), own[i], '>', 0,
                                         SAKER_EVENT_TYPE_ALWAYS };
        }
    }
    g_types.v = v;
    g_types.n = n;
}

__attribute__((destructor)) static void free_types(void)
{
    free(g_types.v);
    g_types.v = NULL;
}

SAKER_EXPORT const saker_event_type *plugin_get_event_types(ss_plugin_t *st, uint32_t *num_types)
{
    (void)st;
    pthread_once(&g_types_once, build_types);
    *num_types = g_types.n;
    return g_types.v;
}

static void apply_interest(struct skr_sys *s)
{
    struct skr_probe_interest pi;
    uint32_t missing = 0;
    char names[512];

    if (!s->probe) {
        return;
    }
    skr_interest_compute(s, &pi);
    skr_probe_set_interest(s->probe, &pi, &missing, names, sizeof(names));
    s->n_unsupported = missing;
    if (missing) {
        skr_log(s, SS_PLUGIN_LOG_SEV_NOTICE,
                "%u syscall(s) the rules name have no handler in the eBPF driver: %s; their "
                "events are not captured (metric n_unsupported_syscalls)",
                missing, names);
    }
}

static void apply_open_filter(struct skr_sys *s)
{
    const struct skr_open_filter *f = &s->ofilter;
    int r;

    if (!s->probe) {
        return;
    }
    r = skr_probe_set_open_filter(s->probe, s->cfg.capture_all ? 0 : f->mask,
                                  (const char *const *)f->prefixes, f->nprefixes,
                                  (const char *const *)f->exact, f->nexact,
                                  (const char *const *)f->suffixes, f->nsuffixes);
    if (r < 0) {
        skr_log(s, SS_PLUGIN_LOG_SEV_WARNING,
                "cannot set the kernel's open-path filter (%s): every open of interest is "
                "delivered",
                strerror(-r));
    } else if (f->mask && !s->cfg.capture_all) {
        skr_log(s, SS_PLUGIN_LOG_SEV_INFO,
                "opens of regular files are filtered in the kernel by path: %zu prefixes, %zu "
                "paths, %zu suffixes%s%s",
                f->nprefixes, f->nexact, f->nsuffixes, f->why[0] ? "; not every open call: " : "",
                f->why);
    } else if (f->why[0]) {
        skr_log(s, SS_PLUGIN_LOG_SEV_INFO, "opens are not filtered by path: %s", f->why);
    }
}

/* Fields whose needs the host reports (set_prefilter). */
SAKER_EXPORT const char *const *plugin_get_prefilter_fields(ss_plugin_t *st, uint32_t *num_fields)
{
    (void)st;
    *num_fields = skr_num_prefilter_fields;
    return skr_prefilter_fields;
}

SAKER_EXPORT ss_plugin_rc plugin_set_prefilter(ss_plugin_t *st, const saker_prefilter *pf)
{
    struct skr_sys *s = st;
    struct skr_open_filter f;

    if (!s || !pf) {
        return SS_PLUGIN_FAILURE;
    }
    if (skr_open_filter_build(pf, &f) < 0) {
        return saker_err(&s->err, "out of memory building the open-path filter");
    }
    skr_open_filter_free(&s->ofilter);
    s->ofilter = f;
    apply_open_filter(s);
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT ss_plugin_rc plugin_set_event_interest(ss_plugin_t *st, const saker_event_interest *in)
{
    struct skr_sys *s = st;
    uint8_t *codes;
    char **names = NULL;

    if (!s || !in) {
        return SS_PLUGIN_FAILURE;
    }
    codes = calloc(65536 / 8, 1);
    if (!codes) {
        return saker_err(&s->err, "out of memory storing the event interest");
    }
    for (uint32_t i = 0; i < in->num_types && in->types; i++) {
        codes[in->types[i] >> 3] |= (uint8_t)(1u << (in->types[i] & 7));
    }
    if (in->num_names && in->names) {
        names = calloc(in->num_names, sizeof(*names));
        if (!names) {
            free(codes);
            return saker_err(&s->err, "out of memory storing the event interest");
        }
        for (uint32_t i = 0; i < in->num_names; i++) {
            names[i] = strdup(in->names[i] ? in->names[i] : "");
            if (!names[i]) {
                for (uint32_t k = 0; k < i; k++) {
                    free(names[k]);
                }
                free(names);
                free(codes);
                return saker_err(&s->err, "out of memory storing the event interest");
            }
        }
    }
    free(s->interest_codes);
    for (uint32_t i = 0; i < s->n_interest_names; i++) {
        free(s->interest_names[i]);
    }
    free(s->interest_names);
    s->interest_codes = codes;
    s->interest_names = names;
    s->n_interest_names = names ? in->num_names : 0;
    s->interest_all = in->all != 0;
    s->interest_set = true;
    /* a new interest voids the path filter until the host sends the matching one */
    skr_open_filter_free(&s->ofilter);
    apply_open_filter(s);
    apply_interest(s);
    return SS_PLUGIN_SUCCESS;
}

/* ---- Source ---------------------------------------------------------------------------- */

static void probe_log(void *user, int level, const char *msg)
{
    struct skr_sys *s = user;
    skr_log(s, level == 0 ? SS_PLUGIN_LOG_SEV_WARNING : SS_PLUGIN_LOG_SEV_DEBUG, "%s", msg);
}

SAKER_EXPORT ss_instance_t *plugin_open(ss_plugin_t *st, const char *params, ss_plugin_rc *rc)
{
    struct skr_sys *s = st;
    struct skr_inst *inst;
    struct skr_probe_opts po;
    char err[512];
    int r;

    (void)params;
    *rc = SS_PLUGIN_FAILURE;
    if (!s) {
        return NULL;
    }
    if (s->probe) {
        saker_err(&s->err, "the syscall source is already open: one instance per plugin state");
        return NULL;
    }
    inst = calloc(1, sizeof(*inst));
    if (!inst) {
        saker_err(&s->err, "out of memory opening the syscall source");
        return NULL;
    }
    inst->s = s;
    memset(&po, 0, sizeof(po));
    po.ringbuf_bytes = s->cfg.ringbuf_size_kb * 1024u;
    po.snaplen = s->cfg.snaplen;
    po.wakeup_bytes = po.ringbuf_bytes / 4;
    po.self_tgid = (uint32_t)getpid();
    s->boot_ns = boot_epoch_ns();
    po.boot_ns = s->boot_ns;
    po.log = probe_log;
    po.log_user = s;
    r = skr_probe_open(&po, &s->probe, err, sizeof(err));
    if (r < 0) {
        saker_err(&s->err, "%s", err);
        free(inst);
        return NULL;
    }
    /* loading parsed the kernel's BTF (megabytes, now freed): give the pages back */
    malloc_trim(0);
    s->live = true;
    apply_interest(s);
    apply_open_filter(s);
    /* the starting state, after the driver is attached so that nothing falls in between */
    s->scan = skr_scan_new(s);
    if (!s->scan) {
        saker_err(&s->err, "cannot read the starting state from /proc (out of memory)");
        skr_probe_close(s->probe);
        s->probe = NULL;
        s->live = false;
        free(inst);
        return NULL;
    }
    *rc = SS_PLUGIN_SUCCESS;
    return inst;
}

SAKER_EXPORT void plugin_close(ss_plugin_t *st, ss_instance_t *h)
{
    struct skr_sys *s = st;

    if (s) {
        skr_probe_close(s->probe);
        s->probe = NULL;
        skr_scan_free(s->scan);
        s->scan = NULL;
        s->live = false;
    }
    free(h);
}

SAKER_EXPORT ss_plugin_rc plugin_next_batch(ss_plugin_t *st,
                                            ss_instance_t *h,
                                            uint32_t *nevts,
                                            ss_plugin_event ***evts)
{
    struct skr_sys *s = st;
    uint32_t n;

    *nevts = 0;
    if (!s || !h || !s->probe) {
        return s ? saker_err(&s->err, "next_batch on a closed syscall source") : SS_PLUGIN_FAILURE;
    }
    if (s->scan) {
        n = skr_scan_next(s->scan, s->batch, s->batch_cap);
        if (n > 0) {
            *nevts = n;
            *evts = (ss_plugin_event **)s->batch;
            s->n_delivered += n;
            return SS_PLUGIN_SUCCESS;
        }
    }
    n = skr_probe_next(s->probe, s->batch, s->batch_cap);
    if (n == 0 && s->cfg.poll_ms > 0) {
        skr_probe_wait(s->probe, (int)s->cfg.poll_ms);
        n = skr_probe_next(s->probe, s->batch, s->batch_cap);
    }
    if (n == 0) {
        return SS_PLUGIN_TIMEOUT;
    }
    *nevts = n;
    *evts = (ss_plugin_event **)s->batch;
    s->n_delivered += n;
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT const char *plugin_list_open_params(ss_plugin_t *st, ss_plugin_rc *rc)
{
    (void)st;
    *rc = SS_PLUGIN_SUCCESS;
    return "[{\"value\":\"\",\"desc\":\"this machine's syscalls (live eBPF)\"}]";
}

/* ---- Extraction and parsing ---------------------------------------------------------- */

SAKER_EXPORT const char *plugin_get_fields(void)
{
    return skr_fields_json();
}

SAKER_EXPORT const char *plugin_get_extract_event_sources(void)
{
    return "[\"syscall\"]";
}

SAKER_EXPORT const char *plugin_get_parse_event_sources(void)
{
    return "[\"syscall\"]";
}

SAKER_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t *st,
                                                const ss_plugin_event_input *evt,
                                                const ss_plugin_field_extract_input *in)
{
    struct skr_sys *s = st;

    if (!s || !evt || !in) {
        return SS_PLUGIN_FAILURE;
    }
    return skr_extract(s, evt, in);
}

/*
 * Only the events that change state are parsed; the others are looked at
 * when their fields are extracted. This is also what the host adds to the
 * event interest for this plugin's sake (see interest.c).
 */
SAKER_EXPORT uint16_t *plugin_get_parse_event_types(uint32_t *numtypes, ss_plugin_t *st)
{
    (void)st;
    return (uint16_t *)skr_parse_codes(numtypes);
}

SAKER_EXPORT ss_plugin_rc plugin_parse_event(ss_plugin_t *st,
                                             const ss_plugin_event_input *evt,
                                             const ss_plugin_event_parse_input *in)
{
    struct skr_sys *s = st;

    (void)in;
    if (!s || !evt) {
        return SS_PLUGIN_FAILURE;
    }
    /* a malformed event is counted and skipped; it never stops the source */
    (void)skr_parse(s, evt->evtnum, evt->evt);
    return SS_PLUGIN_SUCCESS;
}

/* ---- Metrics ------------------------------------------------------------------------------ */

static void metric(struct skr_sys *s,
                   uint32_t *n,
                   const char *name,
                   ss_plugin_metric_type type,
                   uint64_t v)
{
    ss_plugin_metric *m;

    if (*n >= sizeof(s->metrics) / sizeof(s->metrics[0])) {
        return;
    }
    snprintf(s->metric_names[*n], sizeof(s->metric_names[*n]), "%s", name);
    m = &s->metrics[*n];
    m->name = s->metric_names[*n];
    m->type = type;
    m->value_type = SS_PLUGIN_METRIC_VALUE_TYPE_U64;
    m->value.u64 = v;
    (*n)++;
}

SAKER_EXPORT ss_plugin_metric *plugin_get_metrics(ss_plugin_t *st, uint32_t *num_metrics)
{
    struct skr_sys *s = st;
    struct skr_drv_counters c;
    const struct skr_state_stats *ss;
    uint32_t n = 0;
    const ss_plugin_metric_type mono = SS_PLUGIN_METRIC_TYPE_MONOTONIC;
    const ss_plugin_metric_type gauge = SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC;

    *num_metrics = 0;
    if (!s || !s->st) {
        return NULL;
    }
    memset(&c, 0, sizeof(c));
    if (s->probe) {
        skr_probe_counters(s->probe, &c, NULL);
    }
    ss = skr_state_stats(s->st);
    metric(s, &n, "n_evts", mono, c.n_evts);
    metric(s, &n, "n_drops", mono, c.n_drops_buffer + c.n_drops_max_size);
    metric(s, &n, "n_drops_buffer_total", mono, c.n_drops_buffer);
    metric(s, &n, "n_drops_buffer_clone_fork_exit", mono, c.n_drops_clone_fork);
    metric(s, &n, "n_drops_buffer_execve_exit", mono, c.n_drops_execve);
    metric(s, &n, "n_drops_buffer_connect_exit", mono, c.n_drops_connect);
    metric(s, &n, "n_drops_buffer_open_exit", mono, c.n_drops_open);
    metric(s, &n, "n_drops_buffer_dir_file_exit", mono, c.n_drops_dir_file);
    metric(s, &n, "n_drops_buffer_other_interest_exit", mono, c.n_drops_other);
    metric(s, &n, "n_drops_buffer_close_exit", mono, c.n_drops_close);
    metric(s, &n, "n_drops_buffer_proc_exit", mono, c.n_drops_procexit);
    metric(s, &n, "n_drops_scratch_map", mono, c.n_drops_max_size);
    metric(s, &n, "n_drops_page_faults", mono, 0);
    metric(s, &n, "n_drops_bug", mono, s->probe ? skr_probe_bad_records(s->probe) : 0);
    metric(s, &n, "n_compat_skipped", mono, c.n_compat_skipped);
    metric(s, &n, "n_prefiltered", mono, c.n_prefiltered);
    metric(s, &n, "n_delivered", mono, s->n_delivered);
    metric(s, &n, "n_parsed", mono, s->n_parsed);
    metric(s, &n, "n_bad_events", mono, s->n_bad_events);
    metric(s, &n, "n_threads", gauge, ss->n_threads);
    metric(s, &n, "n_fds", gauge, ss->n_fds);
    metric(s, &n, "n_thread_evictions", mono, ss->n_thread_evictions);
    metric(s, &n, "n_fd_drops", mono, ss->n_fd_drops);
    metric(s, &n, "n_placeholders", mono, ss->n_placeholders);
    metric(s, &n, "n_unsupported_syscalls", gauge, s->n_unsupported);
    *num_metrics = n;
    return s->metrics;
}
