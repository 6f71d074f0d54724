/* SPDX-License-Identifier: Apache-2.0 */
#include "mock_host.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <saker/sdk.h>

#define MAX_THREADS 4096
#define MAX_SUB     32
#define MAX_DYN     16
#define MAX_ASYNC   256
#define MAX_LOG     256

enum kind {
    K_THREADS = 1,
    K_CGROUPS,
    K_ARGS,
};

enum fixed_field {
    FF_TID,
    FF_PID,
    FF_PTID,
    FF_VPID,
    FF_VTID,
    FF_EXE,
    FF_COMM,
    FF_PIDNS_START,
    FF_CGROUPS,
    FF_ARGS,
    FF_COUNT,
    FF_SUB_FIRST,
    FF_SUB_SECOND,
    FF_SUB_VALUE,
    FF_DYN,
};

struct field {
    enum kind table;
    enum fixed_field which;
    int dyn; /* index for FF_DYN */
    ss_plugin_state_type type;
    const char *name;
};

struct sub_item {
    char *a; /* first / value */
    char *b; /* second */
};

struct sub {
    enum kind kind; /* must be first: every table handle starts with its kind */
    size_t n;
    struct sub_item items[MAX_SUB];
};

struct dyn_value {
    bool set;
    ss_plugin_state_data v;
    char *str;
};

struct mock_thread {
    int64_t tid;
    int64_t pid;
    int64_t ptid;
    int64_t vpid;
    int64_t vtid;
    char *exe;
    uint64_t pidns_start;
    struct sub cgroups;
    struct sub args;
    struct dyn_value dyn[MAX_DYN];
    bool in_table;
};

struct threads_table {
    enum kind kind;
};

struct mock_host {
    struct threads_table threads;
    bool no_tables;
    bool no_threads;
    struct mock_thread *t[MAX_THREADS];
    size_t nthreads;
    struct field fixed[FF_COUNT];
    struct field sub_first;
    struct field sub_second;
    struct field sub_value;
    struct field dyn[MAX_DYN];
    char *dyn_names[MAX_DYN];
    size_t ndyn;
    ss_plugin_table_fieldinfo infos[FF_COUNT + MAX_DYN];
    long outstanding;
    char lasterr[256];
    ss_plugin_table_fields_vtable_ext fields;
    ss_plugin_table_reader_vtable_ext reader;
    ss_plugin_table_writer_vtable_ext writer;
    ss_plugin_init_tables_input tables;
    ss_plugin_init_input init;
    ss_plugin_event_parse_input parse;
    ss_plugin_capture_listen_input capture;
    char *config;
    pthread_mutex_t async_mu; /* the handler is called from the plugin's threads */
    ss_plugin_event *async[MAX_ASYNC];
    size_t nasync;
    bool refuse;
    char *log[MAX_LOG];
    ss_plugin_log_severity log_sev[MAX_LOG];
    size_t nlog;
};

/* The host a table or entry belongs to: tests use one host at a time. */
static struct mock_host *g_host;

static const char *last_error(ss_plugin_owner_t *o)
{
    struct mock_host *h = o;

    return h->lasterr[0] ? h->lasterr : NULL;
}

static void log_fn(ss_plugin_owner_t *o,
                   const char *component,
                   const char *msg,
                   ss_plugin_log_severity sev)
{
    struct mock_host *h = o;

    if (h->nlog < MAX_LOG) {
        h->log_sev[h->nlog] = sev;
        h->log[h->nlog++] = strdup(msg);
    }
}

static struct mock_thread *find(struct mock_host *h, int64_t tid)
{
    for (size_t i = 0; i < h->nthreads; i++) {
        if (h->t[i]->tid == tid) {
            return h->t[i];
        }
    }
    return NULL;
}

/* ---- fields vtable ---- */

static ss_plugin_table_fieldinfo *list_fields(ss_plugin_table_t *t, uint32_t *n)
{
    struct mock_host *h = g_host;
    uint32_t k = 0;

    if (*(enum kind *)t != K_THREADS) {
        *n = 0;
        return h->infos;
    }
    for (int i = 0; i < FF_COUNT; i++) {
        h->infos[k++] = (ss_plugin_table_fieldinfo){ h->fixed[i].name, h->fixed[i].type, 1 };
    }
    for (size_t i = 0; i < h->ndyn; i++) {
        h->infos[k++] = (ss_plugin_table_fieldinfo){ h->dyn[i].name, h->dyn[i].type, 0 };
    }
    *n = k;
    return h->infos;
}

static ss_plugin_table_field_t *get_field(ss_plugin_table_t *t,
                                          const char *name,
                                          ss_plugin_state_type type)
{
    struct mock_host *h = g_host;
    enum kind k = *(enum kind *)t;

    if (k == K_CGROUPS) {
        if (strcmp(name, "first") == 0 && type == SS_PLUGIN_ST_STRING) {
            return &h->sub_first;
        }
        if (strcmp(name, "second") == 0 && type == SS_PLUGIN_ST_STRING) {
            return &h->sub_second;
        }
        snprintf(h->lasterr, sizeof(h->lasterr), "no field %s in cgroups", name);
        return NULL;
    }
    if (k == K_ARGS) {
        if (strcmp(name, "value") == 0 && type == SS_PLUGIN_ST_STRING) {
            return &h->sub_value;
        }
        snprintf(h->lasterr, sizeof(h->lasterr), "no field %s in args", name);
        return NULL;
    }
    for (int i = 0; i < FF_COUNT; i++) {
        if (strcmp(h->fixed[i].name, name) == 0) {
            if (h->fixed[i].type != type) {
                snprintf(h->lasterr, sizeof(h->lasterr), "field %s has another type", name);
                return NULL;
            }
            return &h->fixed[i];
        }
    }
    for (size_t i = 0; i < h->ndyn; i++) {
        if (strcmp(h->dyn[i].name, name) == 0 && h->dyn[i].type == type) {
            return &h->dyn[i];
        }
    }
    snprintf(h->lasterr, sizeof(h->lasterr), "no field %s in threads", name);
    return NULL;
}

static ss_plugin_table_field_t *add_field(ss_plugin_table_t *t,
                                          const char *name,
                                          ss_plugin_state_type type)
{
    struct mock_host *h = g_host;
    ss_plugin_table_field_t *f;

    if (*(enum kind *)t != K_THREADS) {
        return NULL;
    }
    f = get_field(t, name, type);
    if (f != NULL) {
        return f;
    }
    if (h->ndyn == MAX_DYN) {
        return NULL;
    }
    h->dyn_names[h->ndyn] = strdup(name);
    h->dyn[h->ndyn] =
            (struct field){ K_THREADS, FF_DYN, (int)h->ndyn, type, h->dyn_names[h->ndyn] };
    return &h->dyn[h->ndyn++];
}

/* ---- reader ---- */

static const char *table_name(ss_plugin_table_t *t)
{
    switch (*(enum kind *)t) {
    case K_THREADS:
        return "threads";
    case K_CGROUPS:
        return "cgroups";
    default:
        return "args";
    }
}

static uint64_t table_size(ss_plugin_table_t *t)
{
    enum kind k = *(enum kind *)t;

    if (k == K_THREADS) {
        return g_host->nthreads;
    }
    return ((struct sub *)t)->n;
}

static ss_plugin_table_entry_t *get_entry(ss_plugin_table_t *t, const ss_plugin_state_data *key)
{
    struct mock_host *h = g_host;
    struct mock_thread *th;

    if (*(enum kind *)t != K_THREADS) {
        return NULL;
    }
    th = find(h, key->s64);
    if (th == NULL) {
        snprintf(h->lasterr, sizeof(h->lasterr), "no thread %lld", (long long)key->s64);
        return NULL;
    }
    h->outstanding++;
    return th;
}

static ss_plugin_rc read_field(ss_plugin_table_t *t,
                               ss_plugin_table_entry_t *e,
                               const ss_plugin_table_field_t *f,
                               ss_plugin_state_data *out)
{
    const struct field *fd = f;
    struct mock_thread *th = e;
    struct sub_item *it = e;

    switch (fd->which) {
    case FF_TID:
        out->s64 = th->tid;
        break;
    case FF_PID:
        out->s64 = th->pid;
        break;
    case FF_PTID:
        out->s64 = th->ptid;
        break;
    case FF_VPID:
        out->s64 = th->vpid;
        break;
    case FF_VTID:
        out->s64 = th->vtid;
        break;
    case FF_EXE:
    case FF_COMM:
        out->str = th->exe != NULL ? th->exe : "";
        break;
    case FF_PIDNS_START:
        out->u64 = th->pidns_start;
        break;
    case FF_CGROUPS:
        out->table = &th->cgroups;
        break;
    case FF_ARGS:
        out->table = &th->args;
        break;
    case FF_SUB_FIRST:
    case FF_SUB_VALUE:
        out->str = it->a != NULL ? it->a : "";
        break;
    case FF_SUB_SECOND:
        out->str = it->b != NULL ? it->b : "";
        break;
    case FF_DYN:
        if (!th->dyn[fd->dyn].set) {
            /* a dynamic field reads as its zero value until written */
            memset(out, 0, sizeof(*out));
            if (fd->type == SS_PLUGIN_ST_STRING) {
                out->str = "";
            }
        } else {
            *out = th->dyn[fd->dyn].v;
            if (fd->type == SS_PLUGIN_ST_STRING) {
                out->str = th->dyn[fd->dyn].str;
            }
        }
        break;
    default:
        return SS_PLUGIN_FAILURE;
    }
    return SS_PLUGIN_SUCCESS;
}

static void release_entry(ss_plugin_table_t *t, ss_plugin_table_entry_t *e)
{
    if (*(enum kind *)t == K_THREADS) {
        g_host->outstanding--;
    }
}

static ss_plugin_bool iterate(ss_plugin_table_t *t,
                              ss_plugin_table_iterator_func_t it,
                              ss_plugin_table_iterator_state_t *s)
{
    enum kind k = *(enum kind *)t;

    if (k == K_THREADS) {
        for (size_t i = 0; i < g_host->nthreads; i++) {
            if (!it(s, g_host->t[i])) {
                return 0;
            }
        }
        return 1;
    }
    for (size_t i = 0; i < ((struct sub *)t)->n; i++) {
        if (!it(s, &((struct sub *)t)->items[i])) {
            return 0;
        }
    }
    return 1;
}

/* ---- writer ---- */

static ss_plugin_rc clear_table(ss_plugin_table_t *t)
{
    return SS_PLUGIN_NOT_SUPPORTED;
}

static ss_plugin_rc erase_entry(ss_plugin_table_t *t, const ss_plugin_state_data *key)
{
    mock_thread_remove(g_host, key->s64);
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_table_entry_t *create_entry(ss_plugin_table_t *t)
{
    struct mock_thread *th;

    if (*(enum kind *)t != K_THREADS) {
        return NULL;
    }
    th = calloc(1, sizeof(*th));
    if (th != NULL) {
        th->cgroups.kind = K_CGROUPS;
        th->args.kind = K_ARGS;
    }
    return th;
}

static void free_thread(struct mock_thread *th)
{
    mock_thread_clear_cgroups(th);
    for (size_t i = 0; i < th->args.n; i++) {
        free(th->args.items[i].a);
    }
    for (int i = 0; i < MAX_DYN; i++) {
        free(th->dyn[i].str);
    }
    free(th->exe);
    free(th);
}

static void destroy_entry(ss_plugin_table_t *t, ss_plugin_table_entry_t *e)
{
    free_thread(e);
}

static ss_plugin_table_entry_t *add_entry(ss_plugin_table_t *t,
                                          const ss_plugin_state_data *key,
                                          ss_plugin_table_entry_t *e)
{
    struct mock_thread *th = e;

    mock_thread_remove(g_host, key->s64);
    th->tid = key->s64;
    th->in_table = true;
    g_host->t[g_host->nthreads++] = th;
    g_host->outstanding++;
    return th;
}

static ss_plugin_rc write_field(ss_plugin_table_t *t,
                                ss_plugin_table_entry_t *e,
                                const ss_plugin_table_field_t *f,
                                const ss_plugin_state_data *in)
{
    const struct field *fd = f;
    struct mock_thread *th = e;
    struct dyn_value *dv;

    if (fd->which != FF_DYN) {
        snprintf(g_host->lasterr, sizeof(g_host->lasterr), "field %s is read-only", fd->name);
        return SS_PLUGIN_FAILURE;
    }
    dv = &th->dyn[fd->dyn];
    dv->set = true;
    dv->v = *in;
    if (fd->type == SS_PLUGIN_ST_STRING) {
        char *copy = strdup(in->str != NULL ? in->str : "");
        if (copy == NULL) {
            return SS_PLUGIN_FAILURE;
        }
        free(dv->str);
        dv->str = copy;
    }
    return SS_PLUGIN_SUCCESS;
}

/* ---- host ---- */

static ss_plugin_table_info *list_tables(ss_plugin_owner_t *o, uint32_t *n)
{
    static ss_plugin_table_info info = { "threads", SS_PLUGIN_ST_INT64 };

    *n = 1;
    return &info;
}

static ss_plugin_table_t *get_table(ss_plugin_owner_t *o,
                                    const char *name,
                                    ss_plugin_state_type key_type)
{
    struct mock_host *h = o;

    if (h->no_threads || strcmp(name, "threads") != 0 || key_type != SS_PLUGIN_ST_INT64) {
        snprintf(h->lasterr, sizeof(h->lasterr), "no table %s", name);
        return NULL;
    }
    return &h->threads;
}

static ss_plugin_rc add_table(ss_plugin_owner_t *o, const ss_plugin_table_input *in)
{
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc async_handler(ss_plugin_owner_t *o, const ss_plugin_event *evt, char *err)
{
    struct mock_host *h = o;
    ss_plugin_event *copy;

    ss_plugin_rc rc = SS_PLUGIN_SUCCESS;

    pthread_mutex_lock(&h->async_mu);
    if (h->refuse) {
        if (err != NULL) {
            snprintf(err, PLUGIN_MAX_ERRLEN, "refused by the test host");
        }
        rc = SS_PLUGIN_FAILURE;
    } else if (evt->type != PPME_ASYNCEVENT_E || evt->nparams != 3 || h->nasync == MAX_ASYNC) {
        if (err != NULL) {
            snprintf(err, PLUGIN_MAX_ERRLEN, "malformed async event");
        }
        rc = SS_PLUGIN_FAILURE;
    } else if ((copy = malloc(evt->len)) == NULL) {
        rc = SS_PLUGIN_FAILURE;
    } else {
        memcpy(copy, evt, evt->len);
        h->async[h->nasync++] = copy;
    }
    pthread_mutex_unlock(&h->async_mu);
    return rc;
}

ss_plugin_async_event_handler_t mock_host_async_handler(void)
{
    return async_handler;
}

struct mock_host *mock_host_new(void)
{
    static const struct {
        const char *name;
        ss_plugin_state_type type;
    } defs[FF_COUNT] = {
        [FF_TID] = { "tid", SS_PLUGIN_ST_INT64 },
        [FF_PID] = { "pid", SS_PLUGIN_ST_INT64 },
        [FF_PTID] = { "ptid", SS_PLUGIN_ST_INT64 },
        [FF_VPID] = { "vpid", SS_PLUGIN_ST_INT64 },
        [FF_VTID] = { "vtid", SS_PLUGIN_ST_INT64 },
        [FF_EXE] = { "exe", SS_PLUGIN_ST_STRING },
        [FF_COMM] = { "comm", SS_PLUGIN_ST_STRING },
        [FF_PIDNS_START] = { "pidns_init_start_ts", SS_PLUGIN_ST_UINT64 },
        [FF_CGROUPS] = { "cgroups", SS_PLUGIN_ST_TABLE },
        [FF_ARGS] = { "args", SS_PLUGIN_ST_TABLE },
    };
    struct mock_host *h = calloc(1, sizeof(*h));

    if (h == NULL) {
        return NULL;
    }
    g_host = h;
    pthread_mutex_init(&h->async_mu, NULL);
    h->threads.kind = K_THREADS;
    for (int i = 0; i < FF_COUNT; i++) {
        h->fixed[i] =
                (struct field){ K_THREADS, (enum fixed_field)i, 0, defs[i].type, defs[i].name };
    }
    h->sub_first = (struct field){ K_CGROUPS, FF_SUB_FIRST, 0, SS_PLUGIN_ST_STRING, "first" };
    h->sub_second = (struct field){ K_CGROUPS, FF_SUB_SECOND, 0, SS_PLUGIN_ST_STRING, "second" };
    h->sub_value = (struct field){ K_ARGS, FF_SUB_VALUE, 0, SS_PLUGIN_ST_STRING, "value" };
    h->fields = (ss_plugin_table_fields_vtable_ext){ list_fields, get_field, add_field };
    h->reader = (ss_plugin_table_reader_vtable_ext){ table_name, table_size,    get_entry,
                                                     read_field, release_entry, iterate };
    h->writer = (ss_plugin_table_writer_vtable_ext){ clear_table,   erase_entry, create_entry,
                                                     destroy_entry, add_entry,   write_field };
    h->tables.list_tables = list_tables;
    h->tables.get_table = get_table;
    h->tables.add_table = add_table;
    h->tables.fields_ext = &h->fields;
    h->tables.reader_ext = &h->reader;
    h->tables.writer_ext = &h->writer;
    h->parse.owner = h;
    h->parse.get_owner_last_error = last_error;
    h->parse.table_reader_ext = &h->reader;
    h->parse.table_writer_ext = &h->writer;
    h->capture.owner = h;
    h->capture.get_owner_last_error = last_error;
    h->capture.table_reader_ext = &h->reader;
    h->capture.table_writer_ext = &h->writer;
    return h;
}

void mock_host_free(struct mock_host *h)
{
    if (h == NULL) {
        return;
    }
    for (size_t i = 0; i < h->nthreads; i++) {
        free_thread(h->t[i]);
    }
    for (size_t i = 0; i < h->ndyn; i++) {
        free(h->dyn_names[i]);
    }
    for (size_t i = 0; i < h->nasync; i++) {
        free(h->async[i]);
    }
    for (size_t i = 0; i < h->nlog; i++) {
        free(h->log[i]);
    }
    free(h->config);
    pthread_mutex_destroy(&h->async_mu);
    if (g_host == h) {
        g_host = NULL;
    }
    free(h);
}

void mock_host_without_tables(struct mock_host *h)
{
    h->no_tables = true;
}

void mock_host_without_threads(struct mock_host *h)
{
    h->no_threads = true;
}

const ss_plugin_init_input *mock_host_init_input(struct mock_host *h, const char *config)
{
    free(h->config);
    h->config = strdup(config != NULL ? config : "");
    h->init.config = h->config;
    h->init.owner = h;
    h->init.get_owner_last_error = last_error;
    h->init.tables = h->no_tables ? NULL : &h->tables;
    h->init.log_fn = log_fn;
    return &h->init;
}

const ss_plugin_event_parse_input *mock_host_parse_input(struct mock_host *h)
{
    return &h->parse;
}

ss_plugin_field_extract_input mock_host_extract_input(struct mock_host *h,
                                                      ss_plugin_extract_field *fields,
                                                      uint32_t n)
{
    ss_plugin_field_extract_input in;

    memset(&in, 0, sizeof(in));
    in.owner = h;
    in.get_owner_last_error = last_error;
    in.num_fields = n;
    in.fields = fields;
    in.table_reader_ext = &h->reader;
    return in;
}

const ss_plugin_capture_listen_input *mock_host_capture_input(struct mock_host *h)
{
    return &h->capture;
}

struct mock_thread *mock_thread_add(struct mock_host *h,
                                    int64_t tid,
                                    int64_t pid,
                                    int64_t ptid,
                                    int64_t vpid,
                                    int64_t vtid,
                                    const char *exe)
{
    struct mock_thread *th;

    mock_thread_remove(h, tid);
    if (h->nthreads == MAX_THREADS) {
        return NULL;
    }
    th = create_entry(&h->threads);
    if (th == NULL) {
        return NULL;
    }
    th->tid = tid;
    th->pid = pid;
    th->ptid = ptid;
    th->vpid = vpid;
    th->vtid = vtid;
    th->exe = strdup(exe != NULL ? exe : "");
    th->in_table = true;
    h->t[h->nthreads++] = th;
    return th;
}

struct mock_thread *mock_thread_get(struct mock_host *h, int64_t tid)
{
    return find(h, tid);
}

void mock_thread_remove(struct mock_host *h, int64_t tid)
{
    for (size_t i = 0; i < h->nthreads; i++) {
        if (h->t[i]->tid == tid) {
            free_thread(h->t[i]);
            h->t[i] = h->t[--h->nthreads];
            return;
        }
    }
}

void mock_thread_add_cgroup(struct mock_thread *t, const char *subsys, const char *path)
{
    if (t->cgroups.n < MAX_SUB) {
        t->cgroups.items[t->cgroups.n].a = strdup(subsys);
        t->cgroups.items[t->cgroups.n].b = strdup(path);
        t->cgroups.n++;
    }
}

void mock_thread_clear_cgroups(struct mock_thread *t)
{
    for (size_t i = 0; i < t->cgroups.n; i++) {
        free(t->cgroups.items[i].a);
        free(t->cgroups.items[i].b);
    }
    t->cgroups.n = 0;
}

void mock_thread_add_arg(struct mock_thread *t, const char *arg)
{
    if (t->args.n < MAX_SUB) {
        t->args.items[t->args.n++].a = strdup(arg);
    }
}

void mock_thread_set_start_ts(struct mock_thread *t, uint64_t ts)
{
    t->pidns_start = ts;
}

size_t mock_thread_count(struct mock_host *h)
{
    return h->nthreads;
}

static const struct field *dyn_field(struct mock_host *h, const char *name)
{
    for (size_t i = 0; i < h->ndyn; i++) {
        if (strcmp(h->dyn[i].name, name) == 0) {
            return &h->dyn[i];
        }
    }
    return NULL;
}

const char *mock_thread_dyn_str(struct mock_host *h, struct mock_thread *t, const char *name)
{
    const struct field *f = dyn_field(h, name);

    if (f == NULL || !t->dyn[f->dyn].set) {
        return NULL;
    }
    return t->dyn[f->dyn].str;
}

bool mock_thread_dyn_u16(struct mock_host *h,
                         struct mock_thread *t,
                         const char *name,
                         uint16_t *out)
{
    const struct field *f = dyn_field(h, name);

    if (f == NULL || !t->dyn[f->dyn].set) {
        return false;
    }
    *out = t->dyn[f->dyn].v.u16;
    return true;
}

long mock_host_outstanding(struct mock_host *h)
{
    return h->outstanding;
}

size_t mock_host_async_count(struct mock_host *h)
{
    size_t n;

    pthread_mutex_lock(&h->async_mu);
    n = h->nasync;
    pthread_mutex_unlock(&h->async_mu);
    return n;
}

const ss_plugin_event *mock_host_async_event(struct mock_host *h, size_t i)
{
    const ss_plugin_event *e;

    pthread_mutex_lock(&h->async_mu);
    e = i < h->nasync ? h->async[i] : NULL;
    pthread_mutex_unlock(&h->async_mu);
    return e;
}

bool mock_host_async_decode(struct mock_host *h, size_t i, const char **name, const char **json)
{
    const uint8_t *d;
    uint32_t n;

    const ss_plugin_event *e = mock_host_async_event(h, i);

    if (e == NULL) {
        return false;
    }
    if (saker_evt_param(e, 1, &d, &n) < 0 || n == 0 || d[n - 1] != '\0') {
        return false;
    }
    *name = (const char *)d;
    if (saker_evt_param(e, 2, &d, &n) < 0 || n == 0 || d[n - 1] != '\0') {
        return false;
    }
    *json = (const char *)d;
    return true;
}

void mock_host_async_refuse(struct mock_host *h, bool refuse)
{
    h->refuse = refuse;
}

size_t mock_host_log_count(struct mock_host *h)
{
    return h->nlog;
}

const char *mock_host_log_line(struct mock_host *h, size_t i, ss_plugin_log_severity *sev)
{
    if (i >= h->nlog) {
        return NULL;
    }
    if (sev != NULL) {
        *sev = h->log_sev[i];
    }
    return h->log[i];
}

bool mock_host_log_contains(struct mock_host *h, const char *needle)
{
    for (size_t i = 0; i < h->nlog; i++) {
        if (h->log[i] != NULL && strstr(h->log[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

ss_plugin_event *mock_evt_res(void *buf,
                              size_t cap,
                              uint16_t type,
                              uint64_t ts,
                              uint64_t tid,
                              int64_t res)
{
    const void *params[1] = { &res };
    uint32_t lens[1] = { 8 };

    return saker_evt_build(buf, cap, ts, tid, type, 1, params, lens) ? buf : NULL;
}

ss_plugin_event *mock_evt_async(void *buf, size_t cap, const char *name, const char *json)
{
    uint32_t id = 0;
    const void *params[3] = { &id, name, json };
    uint32_t lens[3] = { 4, (uint32_t)strlen(name) + 1, (uint32_t)strlen(json) + 1 };

    return saker_evt_build(buf, cap, UINT64_MAX, 1, PPME_ASYNCEVENT_E, 3, params, lens) ? buf
                                                                                        : NULL;
}

ss_plugin_event *mock_evt_procexit(void *buf, size_t cap, uint64_t ts, uint64_t tid)
{
    int64_t status = 0;
    const void *params[1] = { &status };
    uint32_t lens[1] = { 8 };

    return saker_evt_build(buf, cap, ts, tid, 186, 1, params, lens) ? buf : NULL;
}
