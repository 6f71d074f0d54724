// SPDX-License-Identifier: Apache-2.0
/*
 * A minimal plugin host for the syscall plugin, used by the syscall tests:
 * it dlopens libsyscall.so, initialises it (with a tables input that keeps
 * the threads table), sets the event interest, and then either
 *
 *   live:   opens the source, runs a command, and prints the requested fields
 *           of every event of that command and its descendants as JSON lines
 *           (optionally recording every event to a file), or
 *   replay: feeds a recorded file through parse_event/extract_fields only,
 *           with the source never opened, printing the same JSON lines.
 *
 * Usage:
 *   harness PLUGIN live   --types T1,T2 --fields F1,F2 [--record FILE] [--tag TAG]
 *                         [--config JSON] [--open-filter JSON] -- CMD ARGS...
 *   harness PLUGIN replay --fields F1,F2 --tag TAG FILE
 *   harness PLUGIN fields
 *
 * --open-filter {"prefix":[...],"exact":[...],"suffix":[...]} sends, after the
 * interest, a source prefilter as a host would for one rule per open-family
 * event type whose only clause is "fd.name startswith/=/endswith" those.
 *
 * Events are selected by the environment variable SKR_HARNESS_TAG=<tag>,
 * which the command and its descendants inherit (proc.env[SKR_HARNESS_TAG]).
 * Exit 0 on success, 1 on error, 77 when live capture needs root.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <saker/plugin_api.h>

#define MAX_FIELDS 64

struct api {
    const char *(*get_required_api_version)(void);
    ss_plugin_t *(*init)(const ss_plugin_init_input *, ss_plugin_rc *);
    void (*destroy)(ss_plugin_t *);
    const char *(*get_last_error)(ss_plugin_t *);
    const char *(*get_fields)(void);
    ss_instance_t *(*open)(ss_plugin_t *, const char *, ss_plugin_rc *);
    void (*close)(ss_plugin_t *, ss_instance_t *);
    ss_plugin_rc (*next_batch)(ss_plugin_t *, ss_instance_t *, uint32_t *, ss_plugin_event ***);
    ss_plugin_rc (*extract_fields)(ss_plugin_t *,
                                   const ss_plugin_event_input *,
                                   const ss_plugin_field_extract_input *);
    ss_plugin_rc (*parse_event)(ss_plugin_t *,
                                const ss_plugin_event_input *,
                                const ss_plugin_event_parse_input *);
    ss_plugin_metric *(*get_metrics)(ss_plugin_t *, uint32_t *);
    const saker_event_type *(*get_event_types)(ss_plugin_t *, uint32_t *);
    ss_plugin_rc (*set_event_interest)(ss_plugin_t *, const saker_event_interest *);
    const char *const *(*get_prefilter_fields)(ss_plugin_t *, uint32_t *);
    ss_plugin_rc (*set_prefilter)(ss_plugin_t *, const saker_prefilter *);
};

struct fieldreq {
    char text[128];
    uint32_t id;
    uint32_t type;
    bool list;
    char key[96];
    uint64_t index;
    bool has_arg, arg_is_key;
};

static struct api g;
static ss_plugin_t *g_state;
static ss_plugin_table_input g_threads;
static bool g_have_threads;
static struct fieldreq g_fields[MAX_FIELDS];
static int g_nfields;
static const char *g_tag;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "harness: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static void *sym(void *h, const char *name, bool required)
{
    void *p = dlsym(h, name);
    if (!p && required) {
        die("missing symbol %s", name);
    }
    return p;
}

static ss_plugin_rc add_table(ss_plugin_owner_t *o, const ss_plugin_table_input *in)
{
    (void)o;
    if (strcmp(in->name, "threads") == 0) {
        g_threads = *in;
        g_have_threads = true;
    }
    return SS_PLUGIN_SUCCESS;
}

static void log_fn(ss_plugin_owner_t *o, const char *c, const char *m, ss_plugin_log_severity s)
{
    (void)o;
    (void)c;
    if (s <= SS_PLUGIN_LOG_SEV_NOTICE) {
        fprintf(stderr, "[syscall] %s\n", m);
    }
}

/* Resolves a field as the core would: exact name, name[arg], or a dotted argument. */
static void resolve_field(cJSON *fields, const char *text, struct fieldreq *r)
{
    char name[128];
    const char *br = strchr(text, '[');
    int id = 0;
    cJSON *f;

    memset(r, 0, sizeof(*r));
    snprintf(r->text, sizeof(r->text), "%s", text);
    snprintf(name, sizeof(name), "%.*s", br ? (int)(br - text) : (int)strlen(text), text);
    if (br) {
        const char *end = strchr(br, ']');
        char *e;
        if (!end) {
            die("bad field argument in %s", text);
        }
        snprintf(r->key, sizeof(r->key), "%.*s", (int)(end - br - 1), br + 1);
        r->has_arg = true;
        r->index = strtoull(r->key, &e, 10);
        r->arg_is_key = *e != '\0';
    }
    for (size_t len = strlen(name); len > 0; len--) {
        id = 0;
        cJSON_ArrayForEach(f, fields) {
            const char *n = cJSON_GetObjectItem(f, "name")->valuestring;
            if (strlen(n) == len && strncmp(n, name, len) == 0 &&
                (name[len] == '\0' || name[len] == '.')) {
                const char *type = cJSON_GetObjectItem(f, "type")->valuestring;
                r->id = (uint32_t)id;
                r->list = cJSON_IsTrue(cJSON_GetObjectItem(f, "isList"));
                r->type = strcmp(type, "string") == 0    ? FTYPE_STRING
                          : strcmp(type, "bool") == 0    ? FTYPE_BOOL
                          : strcmp(type, "ipaddr") == 0  ? FTYPE_IPADDR
                          : strcmp(type, "ipnet") == 0   ? FTYPE_IPNET
                          : strcmp(type, "bytebuf") == 0 ? SAKER_FTYPE_BYTEBUF
                          : strcmp(type, "fspath") == 0  ? SAKER_FTYPE_FSPATH
                          : strcmp(type, "int64") == 0 || strcmp(type, "int32") == 0 ||
                                          strcmp(type, "int16") == 0
                                  ? SAKER_FTYPE_INT64
                                  : FTYPE_UINT64;
                if (name[len] == '.') {
                    snprintf(r->key, sizeof(r->key), "%s", name + len + 1);
                    r->has_arg = true;
                    r->arg_is_key = true;
                }
                snprintf(r->text, sizeof(r->text), "%s", text);
                return;
            }
            id++;
        }
    }
    die("unknown field %s", text);
}

static void load_fields(const char *list)
{
    cJSON *fields = cJSON_Parse(g.get_fields());
    char *copy = strdup(list), *tok, *save = NULL;

    if (!fields || !copy) {
        die("cannot parse the plugin's fields");
    }
    for (tok = strtok_r(copy, ",", &save); tok && g_nfields < MAX_FIELDS;
         tok = strtok_r(NULL, ",", &save)) {
        resolve_field(fields, tok, &g_fields[g_nfields++]);
    }
    free(copy);
    cJSON_Delete(fields);
}

static void json_str(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c < 0x20 || c >= 0x7f) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

static bool extract_one(const ss_plugin_event_input *in,
                        struct fieldreq *r,
                        ss_plugin_extract_field *f)
{
    ss_plugin_field_extract_input x;

    memset(f, 0, sizeof(*f));
    memset(&x, 0, sizeof(x));
    f->field_id = r->id;
    f->field = r->text;
    f->ftype = r->type;
    f->flist = r->list;
    f->arg_present = r->has_arg;
    f->arg_key = r->has_arg && r->arg_is_key ? r->key : NULL;
    f->arg_index = r->has_arg && !r->arg_is_key ? r->index : 0;
    x.num_fields = 1;
    x.fields = f;
    if (g_have_threads) {
        x.table_reader_ext = g_threads.reader_ext;
    }
    if (g.extract_fields(g_state, in, &x) != SS_PLUGIN_SUCCESS) {
        die("extract_fields(%s): %s", r->text, g.get_last_error(g_state));
    }
    return f->res_len > 0;
}

static void print_event(FILE *out, const ss_plugin_event_input *in)
{
    ss_plugin_extract_field f;
    static struct fieldreq tagreq;
    static bool tag_init;

    if (g_tag) {
        if (!tag_init) {
            cJSON *fields = cJSON_Parse(g.get_fields());
            resolve_field(fields, "proc.env[SKR_HARNESS_TAG]", &tagreq);
            cJSON_Delete(fields);
            tag_init = true;
        }
        if (!extract_one(in, &tagreq, &f) || strcmp(f.res.str[0], g_tag) != 0) {
            return;
        }
    }
    fprintf(out, "{\"evt.num\":%" PRIu64, in->evtnum);
    for (int i = 0; i < g_nfields; i++) {
        struct fieldreq *r = &g_fields[i];
        fprintf(out, ",");
        json_str(out, r->text, strlen(r->text));
        fprintf(out, ":");
        if (!extract_one(in, r, &f)) {
            fprintf(out, "null");
            continue;
        }
        if (f.res_len > 1 || r->list) {
            fprintf(out, "[");
        }
        for (uint64_t k = 0; k < f.res_len; k++) {
            if (k) {
                fprintf(out, ",");
            }
            switch (r->type) {
            case FTYPE_STRING:
            case SAKER_FTYPE_FSPATH:
                json_str(out, f.res.str[k], strlen(f.res.str[k]));
                break;
            case FTYPE_BOOL:
                fprintf(out, "%s", f.res.boolean[k] ? "true" : "false");
                break;
            case SAKER_FTYPE_INT64:
                fprintf(out, "%" PRId64, (int64_t)f.res.u64[k]);
                break;
            case FTYPE_IPADDR:
            case FTYPE_IPNET:
            case SAKER_FTYPE_BYTEBUF: {
                const uint8_t *p = f.res.buf[k].ptr;
                fprintf(out, "\"");
                for (uint32_t b = 0; b < f.res.buf[k].len; b++) {
                    fprintf(out, "%02x", p[b]);
                }
                fprintf(out, "\"");
                break;
            }
            default:
                fprintf(out, "%" PRIu64, f.res.u64[k]);
                break;
            }
        }
        if (f.res_len > 1 || r->list) {
            fprintf(out, "]");
        }
    }
    fprintf(out, "}\n");
    fflush(out);
}

/* The command's pid, and whether its exit event (procexit, code 186) was seen. */
static pid_t g_child = -1;
static bool g_child_exit_seen;

static void handle(const ss_plugin_event *e, uint64_t num, FILE *rec, FILE *out)
{
    ss_plugin_event_input in = { e, num, "syscall" };
    ss_plugin_event_parse_input pin;

    if (e->type == 186 && g_child > 0 && e->tid == (uint64_t)g_child) {
        g_child_exit_seen = true;
    }

    if (rec) {
        fwrite(e, 1, e->len, rec);
    }
    memset(&pin, 0, sizeof(pin));
    if (g_have_threads) {
        pin.table_reader_ext = g_threads.reader_ext;
        pin.table_writer_ext = g_threads.writer_ext;
    }
    if (g.parse_event(g_state, &in, &pin) != SS_PLUGIN_SUCCESS) {
        die("parse_event: %s", g.get_last_error(g_state));
    }
    print_event(out, &in);
}

static void set_interest(const char *types)
{
    uint32_t ntypes = 0;
    const saker_event_type *et = g.get_event_types(g_state, &ntypes);
    uint16_t codes[2048];
    const char *names[512];
    uint32_t nc = 0, nn = 0;
    char *copy = strdup(types), *tok, *save = NULL;
    saker_event_interest in;

    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        bool found = false;
        for (uint32_t i = 0; i < ntypes; i++) {
            if (strcmp(et[i].name, tok) == 0 && nc < 2048) {
                codes[nc++] = et[i].code;
                found = true;
            }
        }
        if (!found) {
            die("unknown event type %s", tok);
        }
        if (nn < 512) {
            names[nn++] = tok;
        }
    }
    memset(&in, 0, sizeof(in));
    in.size = sizeof(in);
    in.num_types = nc;
    in.types = codes;
    in.num_names = nn;
    in.names = names;
    if (g.set_event_interest(g_state, &in) != SS_PLUGIN_SUCCESS) {
        die("set_event_interest: %s", g.get_last_error(g_state));
    }
    free(copy);
}

/* One rule per open-family exit code: fd.name starts with, equals or ends with a value. */
static void set_open_filter(const char *spec)
{
    static const char *const kinds[] = { "prefix", "exact", "suffix" };
    static const uint32_t ops[] = { SAKER_PREFILTER_PREFIX, SAKER_PREFILTER_EQ,
                                    SAKER_PREFILTER_SUFFIX };
    cJSON *j = cJSON_Parse(spec);
    uint32_t nf = 0, ntypes = 0, name_field = UINT32_MAX, na = 0, nc = 0;
    const char *const *fields = g.get_prefilter_fields(g_state, &nf);
    const saker_event_type *et = g.get_event_types(g_state, &ntypes);
    saker_prefilter_atom atoms[64];
    saker_prefilter_clause clause;
    saker_prefilter_rule rule;
    saker_prefilter_code codes[16];
    ss_plugin_bool reads[128] = { 0 };
    saker_prefilter pf;

    if (!j || nf > 128) {
        die("bad --open-filter %s", spec);
    }
    for (uint32_t f = 0; f < nf; f++) {
        if (strcmp(fields[f], "fd.name") == 0) {
            name_field = f;
        }
    }
    if (name_field == UINT32_MAX) {
        die("the plugin asks for no fd.name prefilter");
    }
    for (int k = 0; k < 3; k++) {
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(j, kinds[k])) {
            if (cJSON_IsString(v) && na < 64) {
                atoms[na].field = name_field;
                atoms[na].op = ops[k];
                atoms[na].value = v->valuestring;
                atoms[na].len = (uint32_t)strlen(v->valuestring);
                na++;
            }
        }
    }
    clause.num_atoms = na;
    clause.atoms = atoms;
    rule.num_clauses = 1;
    rule.clauses = &clause;
    rule.reads = reads;
    for (uint32_t i = 0; i < ntypes && nc < 16; i++) {
        const char *n = et[i].name;
        if (et[i].dir == '<' && (strcmp(n, "open") == 0 || strcmp(n, "openat") == 0 ||
                                 strcmp(n, "openat2") == 0 || strcmp(n, "creat") == 0)) {
            memset(&codes[nc], 0, sizeof(codes[nc]));
            codes[nc].code = et[i].code;
            codes[nc].num_rules = 1;
            codes[nc].rules = &rule;
            nc++;
        }
    }
    memset(&pf, 0, sizeof(pf));
    pf.size = sizeof(pf);
    pf.num_fields = nf;
    pf.fields = fields;
    pf.num_codes = nc;
    pf.codes = codes;
    if (g.set_prefilter(g_state, &pf) != SS_PLUGIN_SUCCESS) {
        die("set_prefilter: %s", g.get_last_error(g_state));
    }
    cJSON_Delete(j);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int run_live(const char *types, const char *open_filter, const char *record, char **cmd)
{
    ss_plugin_rc rc;
    ss_instance_t *h;
    FILE *rec = NULL;
    pid_t child;
    uint64_t num = 0, deadline = 0;
    int status = 0;
    bool child_done = false;
    char tagenv[160];

    set_interest(types);
    if (open_filter) {
        set_open_filter(open_filter);
    }
    h = g.open(g_state, "", &rc);
    if (rc != SS_PLUGIN_SUCCESS) {
        fprintf(stderr, "harness: open: %s\n", g.get_last_error(g_state));
        return geteuid() == 0 ? 1 : 77;
    }
    if (record) {
        rec = fopen(record, "wb");
        if (!rec) {
            die("cannot write %s: %s", record, strerror(errno));
        }
    }
    /* let the starting state through before the command starts */
    deadline = now_ns() + 2000000000ull;
    for (;;) {
        uint32_t n = 0;
        ss_plugin_event **evts;
        rc = g.next_batch(g_state, h, &n, &evts);
        for (uint32_t i = 0; i < n; i++) {
            handle(evts[i], ++num, rec, stdout);
        }
        if (rc == SS_PLUGIN_TIMEOUT || now_ns() > deadline) {
            break;
        }
        if (rc != SS_PLUGIN_SUCCESS) {
            die("next_batch: %s", g.get_last_error(g_state));
        }
    }
    snprintf(tagenv, sizeof(tagenv), "SKR_HARNESS_TAG=%s", g_tag);
    child = fork();
    if (child == 0) {
        putenv(tagenv);
        execvp(cmd[0], cmd);
        _exit(127);
    }
    if (child < 0) {
        die("fork: %s", strerror(errno));
    }
    g_child = child;
    for (;;) {
        uint32_t n = 0;
        ss_plugin_event **evts;
        if (!child_done && waitpid(child, &status, WNOHANG) == child) {
            child_done = true;
            deadline = now_ns() + 10000000000ull; /* a guard, not a wait */
        }
        rc = g.next_batch(g_state, h, &n, &evts);
        for (uint32_t i = 0; i < n; i++) {
            handle(evts[i], ++num, rec, stdout);
        }
        if (rc != SS_PLUGIN_SUCCESS && rc != SS_PLUGIN_TIMEOUT) {
            die("next_batch: %s", g.get_last_error(g_state));
        }
        /* the command's own exit event is its last: every earlier one has been merged */
        if (child_done && g_child_exit_seen && rc == SS_PLUGIN_TIMEOUT) {
            break;
        }
        if (child_done && now_ns() > deadline) {
            die("the exit event of the command (pid %d) never arrived", (int)child);
        }
    }
    {
        uint32_t nm = 0;
        ss_plugin_metric *m = g.get_metrics(g_state, &nm);
        for (uint32_t i = 0; i < nm; i++) {
            fprintf(stderr, "metric %s %" PRIu64 "\n", m[i].name, m[i].value.u64);
        }
    }
    g.close(g_state, h);
    if (rec) {
        fclose(rec);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 2;
}

static int run_replay(const char *file)
{
    FILE *f = fopen(file, "rb");
    uint64_t num = 0;
    uint8_t *buf = NULL;
    size_t cap = 0;

    if (!f) {
        die("cannot read %s: %s", file, strerror(errno));
    }
    for (;;) {
        uint8_t hdr[26];
        uint32_t len;
        if (fread(hdr, 1, 26, f) != 26) {
            break;
        }
        memcpy(&len, hdr + 16, 4);
        if (len < 26 || len > (1u << 24)) {
            die("corrupt record in %s", file);
        }
        if (len > cap) {
            cap = len;
            buf = realloc(buf, cap);
            if (!buf) {
                die("out of memory");
            }
        }
        memcpy(buf, hdr, 26);
        if (fread(buf + 26, 1, len - 26, f) != len - 26) {
            die("truncated record in %s", file);
        }
        handle((const ss_plugin_event *)buf, ++num, NULL, stdout);
    }
    free(buf);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    const char *types = "", *fields = "", *record = NULL, *config = "", *open_filter = NULL;
    ss_plugin_init_tables_input tin;
    ss_plugin_init_input in;
    ss_plugin_rc rc;
    void *h;
    int i;

    if (argc < 3) {
        die("usage: harness PLUGIN live|replay|fields ...");
    }
    h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        die("dlopen %s: %s", argv[1], dlerror());
    }
    g.init = sym(h, "plugin_init", true);
    g.destroy = sym(h, "plugin_destroy", true);
    g.get_last_error = sym(h, "plugin_get_last_error", true);
    g.get_fields = sym(h, "plugin_get_fields", true);
    g.open = sym(h, "plugin_open", true);
    g.close = sym(h, "plugin_close", true);
    g.next_batch = sym(h, "plugin_next_batch", true);
    g.extract_fields = sym(h, "plugin_extract_fields", true);
    g.parse_event = sym(h, "plugin_parse_event", true);
    g.get_metrics = sym(h, "plugin_get_metrics", true);
    g.get_event_types = sym(h, "plugin_get_event_types", true);
    g.set_event_interest = sym(h, "plugin_set_event_interest", true);
    g.get_prefilter_fields = sym(h, "plugin_get_prefilter_fields", true);
    g.set_prefilter = sym(h, "plugin_set_prefilter", true);
    if (strcmp(argv[2], "fields") == 0) {
        puts(g.get_fields());
        return 0;
    }
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--types") == 0 && i + 1 < argc) {
            types = argv[++i];
        } else if (strcmp(argv[i], "--fields") == 0 && i + 1 < argc) {
            fields = argv[++i];
        } else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc) {
            record = argv[++i];
        } else if (strcmp(argv[i], "--tag") == 0 && i + 1 < argc) {
            g_tag = argv[++i];
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--open-filter") == 0 && i + 1 < argc) {
            open_filter = argv[++i];
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            break;
        }
    }
    memset(&tin, 0, sizeof(tin));
    tin.add_table = add_table;
    memset(&in, 0, sizeof(in));
    in.config = config;
    in.tables = &tin;
    in.log_fn = log_fn;
    g_state = g.init(&in, &rc);
    if (rc != SS_PLUGIN_SUCCESS) {
        die("init: %s", g_state ? g.get_last_error(g_state) : "(no state)");
    }
    load_fields(fields);
    if (strcmp(argv[2], "live") == 0) {
        if (!g_tag) {
            g_tag = "harness";
        }
        if (i >= argc) {
            die("live needs a command after --");
        }
        rc = run_live(types, open_filter, record, argv + i);
    } else if (strcmp(argv[2], "replay") == 0) {
        if (i >= argc) {
            die("replay needs a file");
        }
        rc = run_replay(argv[i]);
    } else {
        die("unknown mode %s", argv[2]);
    }
    g.destroy(g_state);
    dlclose(h);
    return rc;
}
