/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule-engine benchmark: compiles a ruleset and evaluates a synthetic stream of
 * syscall-like events on one thread, with field values served by a test
 * extractor under Falco's field names and types (the syscall fixture).
 *
 *   bench_rules --fields F.json [--rules N] [--events N] [--runs N] [--seed N]
 *               [--match-rate PCT] [--rules-file FILE [--plugin NAME=VER]]
 *   bench_rules [--rules N] --write-rules FILE     (writes the synthetic rules and exits)
 *
 * Without --rules-file, N synthetic rules are written (Falco-like: an
 * evt.type set, process and file lists, a negated exception) and loaded
 * through the normal loader. Every figure is the median of --runs runs.
 * Output: one human line per figure and one JSON line at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/testhost.h"

/* ---- Synthetic values -------------------------------------------------------------------- */

static const char *const syscalls[] = {
    "read",   "write",  "openat",   "close", "mmap",    "fstat",  "execve", "connect",
    "accept", "sendto", "recvfrom", "clone", "unlink",  "rename", "chmod",  "setuid",
    "ptrace", "bind",   "socket",   "mkdir", "symlink", "dup2",   "open",   "openat2",
};
#define NSYSCALLS (sizeof(syscalls) / sizeof(syscalls[0]))

static const char *const names[] = {
    "nginx", "java", "python3", "node",    "postgres", "redis-server", "containerd", "kubelet",
    "sshd",  "cron", "systemd", "dockerd", "envoy",    "mysqld",       "php-fpm",    "ruby",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static const char *const dirs[] = { "/var/lib/app",  "/usr/lib",   "/proc/self", "/srv/data",
                                    "/opt/app/logs", "/var/cache", "/run/app" };
#define NDIRS (sizeof(dirs) / sizeof(dirs[0]))

struct bench_event {
    uint16_t code;
    const char *type;
    const char *name;
    const char *pname;
    char cmdline[96];
    char fdname[96];
    const char *user;
    uint64_t fdnum;
    uint64_t pid;
};

/* Field kinds the extractor serves (by field id, looked up once). */
enum fk {
    FK_NONE,
    FK_TYPE,
    FK_NAME,
    FK_PNAME,
    FK_ANAME,
    FK_CMDLINE,
    FK_EXE,
    FK_FDNAME,
    FK_USER,
    FK_FDNUM,
    FK_PID,
    FK_UID,
    FK_CONTAINER
};

struct bench {
    struct skr_test_host *th;
    uint8_t *kinds; /* by field id */
    uint32_t nkinds;
    struct bench_event *ev;
    /* One slot per field kind: cached values stay valid for the whole event. */
    struct skr_value vals[FK_CONTAINER + 1][2];
};

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int extract(void *user,
                   const struct skr_extract_req *req,
                   const struct skr_value **vals,
                   uint32_t *n)
{
    struct bench *b = user;
    const struct bench_event *ev = b->ev;
    const char *s = NULL;
    enum fk kind = req->field_id < b->nkinds ? b->kinds[req->field_id] : FK_NONE;
    struct skr_value *v = b->vals[kind];

    *n = 1;
    *vals = v;
    switch (kind) {
    case FK_TYPE:
        s = ev->type;
        break;
    case FK_NAME:
    case FK_EXE:
        s = ev->name;
        break;
    case FK_PNAME:
        s = ev->pname;
        break;
    case FK_ANAME:
        if (req->arg_present) {
            s = req->arg_index == 0 ? ev->name : req->arg_index == 1 ? ev->pname : "systemd";
            break;
        }
        v[0].p = (const uint8_t *)ev->pname;
        v[0].len = (uint32_t)strlen(ev->pname);
        v[1].p = (const uint8_t *)"systemd";
        v[1].len = 7;
        *n = 2;
        return 0;
    case FK_CMDLINE:
        s = ev->cmdline;
        break;
    case FK_FDNAME:
        s = ev->fdname;
        break;
    case FK_USER:
        s = ev->user;
        break;
    case FK_FDNUM:
        v[0].s64 = (int64_t)ev->fdnum;
        return 0;
    case FK_PID:
        v[0].s64 = (int64_t)ev->pid;
        return 0;
    case FK_UID:
        v[0].u64 = 1000;
        return 0;
    case FK_CONTAINER:
        s = "host";
        break;
    default:
        *n = 0;
        return -ENOENT;
    }
    v[0].p = (const uint8_t *)s;
    v[0].len = (uint32_t)strlen(s);
    return 0;
}

static void map_fields(struct bench *b)
{
    static const struct {
        const char *name;
        enum fk kind;
    } map[] = {
        { "evt.type", FK_TYPE },        { "proc.name", FK_NAME },
        { "proc.pname", FK_PNAME },     { "proc.aname", FK_ANAME },
        { "proc.cmdline", FK_CMDLINE }, { "proc.exe", FK_EXE },
        { "fd.name", FK_FDNAME },       { "user.name", FK_USER },
        { "fd.num", FK_FDNUM },         { "proc.pid", FK_PID },
        { "user.uid", FK_UID },         { "container.id", FK_CONTAINER },
    };
    const struct skr_field_desc *d;

    b->nkinds = 0;
    while (skr_test_host_field(b->th, b->nkinds) != NULL) {
        b->nkinds++;
    }
    b->kinds = calloc(b->nkinds + 1, 1);
    for (uint32_t id = 0; b->kinds != NULL && id < b->nkinds; id++) {
        d = skr_test_host_field(b->th, id);
        for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
            if (strcmp(d->name, map[k].name) == 0) {
                b->kinds[id] = (uint8_t)map[k].kind;
            }
        }
    }
}

static uint16_t syscall_codes[NSYSCALLS];

/* The exit code of each syscall of the stream (looked up once). */
static void lookup_codes(const struct skr_rules_host *h)
{
    for (size_t i = 0; i < NSYSCALLS; i++) {
        uint16_t codes[8];
        syscall_codes[i] = 1; /* the generic event when the table has no such name */
        if (h->event_codes(h->user, "syscall", syscalls[i], codes, 8) > 0) {
            syscall_codes[i] = codes[0] | 1;
        }
    }
}

/* Builds one event; match_rate percent of them look like what the rules watch. */
static void make_event(struct bench_event *ev, int match_rate)
{
    bool bad = (int)(rnd() % 100) < match_rate;
    size_t t = rnd() % NSYSCALLS;

    ev->type = syscalls[t];
    ev->code = syscall_codes[t];
    ev->name = bad ? "bash" : names[rnd() % NNAMES];
    ev->pname = names[rnd() % NNAMES];
    ev->user = bad ? "root" : "app";
    ev->fdnum = rnd() % 64;
    ev->pid = 1000 + rnd() % 30000;
    snprintf(ev->cmdline, sizeof(ev->cmdline), "%s --config /etc/%s.conf --port %u", ev->name,
             ev->name, (unsigned)(rnd() % 9000 + 1000));
    snprintf(ev->fdname, sizeof(ev->fdname), "%s/%s/file%u.dat", bad ? "/etc" : dirs[rnd() % NDIRS],
             ev->pname, (unsigned)(rnd() % 1000));
}

/* ---- Synthetic rules ---------------------------------------------------------------------- */

static int write_rules(const char *path, int nrules)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        return -errno;
    }
    fprintf(f, "- list: shell_binaries\n  items: [ash, bash, csh, ksh, sh, tcsh, zsh, dash]\n");
    fprintf(f, "- list: trusted\n  items: [");
    for (int i = 0; i < 40; i++) {
        fprintf(f, "%strusted%d", i ? ", " : "", i);
    }
    fprintf(f, ", sshd, cron]\n");
    fprintf(f, "- macro: spawned_process\n  condition: evt.type in (execve, execveat)\n");
    fprintf(f, "- macro: open_write\n  condition: evt.type in (open, openat, openat2) and "
               "fd.name startswith /etc\n");
    fprintf(f, "- macro: never_true\n  condition: (evt.num = 0)\n");
    for (int i = 0; i < nrules; i++) {
        const char *t1 = syscalls[(i * 7) % NSYSCALLS];
        const char *t2 = syscalls[(i * 11 + 3) % NSYSCALLS];
        fprintf(f, "- rule: bench rule %d\n  desc: synthetic rule %d\n  condition: >\n", i, i);
        switch (i % 5) {
        case 0:
            fprintf(f,
                    "    evt.type in (%s, %s) and proc.name in (shell_binaries) and\n"
                    "    not proc.pname in (trusted) and not user.name = app%d\n",
                    t1, t2, i);
            break;
        case 1:
            fprintf(f,
                    "    spawned_process and proc.name in (shell_binaries) and\n"
                    "    proc.cmdline contains \"-c rule%d\" and not never_true\n",
                    i);
            break;
        case 2:
            fprintf(f,
                    "    open_write and not proc.name in (trusted) and\n"
                    "    fd.name pmatch (/etc/rule%d, /etc/sudoers.d) and proc.aname[2] != init\n",
                    i);
            break;
        case 3:
            fprintf(f, "    evt.type = %s and fd.num > 1000%d and proc.name startswith rule%d\n",
                    t1, i, i);
            break;
        default:
            fprintf(f,
                    "    evt.type in (%s, connect) and (proc.name = rule%d or\n"
                    "    proc.cmdline icontains \"/tmp/rule%d\" or fd.name endswith .rule%d)\n",
                    t2, i, i, i);
            break;
        }
        fprintf(f,
                "  output: rule %d fired (proc=%%proc.name parent=%%proc.pname file=%%fd.name "
                "user=%%user.name cmd=%%proc.cmdline)\n  priority: WARNING\n  tags: [bench]\n",
                i);
        if (i % 4 == 0) {
            fprintf(f, "  exceptions:\n    - name: known\n      fields: [proc.name, fd.name]\n"
                       "      comps: [=, startswith]\n      values:\n"
                       "        - [nginx, /var/lib]\n        - [java, /srv]\n");
        }
    }
    return fclose(f) == 0 ? 0 : -errno;
}

/* ---- Measurement ----------------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;

    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
        }
    }
    fclose(f);
    return kb;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return x < y ? -1 : x > y ? 1 : 0;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct skr_ruleset *load(struct bench *b, const char *path, struct skr_diags **dout)
{
    static const char *const sources[] = { "syscall" };
    struct skr_rules_load_opts o;
    struct skr_ruleset *rs = NULL;
    struct skr_diags *d = skr_diags_new();

    memset(&o, 0, sizeof(o));
    o.paths = &path;
    o.num_paths = 1;
    o.sources = sources;
    o.num_sources = 1;
    o.min_priority = 7;
    o.host = skr_test_host_get(b->th);
    if (skr_rules_load(&o, &rs, d) != 0) {
        struct skr_strbuf s;
        skr_strbuf_init(&s);
        skr_diags_format(d, false, &s);
        fprintf(stderr, "bench_rules: %s", s.p);
        skr_strbuf_fini(&s);
    }
    *dout = d;
    return rs;
}

static bool count_match(void *user, const struct skr_rule *r)
{
    (void)r;
    (*(uint64_t *)user)++;
    return true;
}

int main(int argc, char **argv)
{
    const char *fields = NULL;
    const char *rules_file = NULL;
    int nrules = 100;
    long nevents = 2000000;
    int runs = 5;
    int match_rate = 1;
    struct bench b;
    char path[256];
    char err[256];
    struct skr_ruleset *rs = NULL;
    struct skr_diags *d = NULL;
    double compile[32];
    double rate[32];
    long rss0;
    long rss1;
    long rss2;
    uint64_t matches = 0;
    uint64_t evaluated_rules_hint = 0;
    struct bench_event *events;
    long nstream = 65536;
    struct skr_eval_ctx *ctx;

    memset(&b, 0, sizeof(b));
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--fields") == 0 && v != NULL) {
            fields = argv[++i];
        } else if (strcmp(argv[i], "--rules") == 0 && v != NULL) {
            nrules = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--events") == 0 && v != NULL) {
            nevents = atol(argv[++i]);
        } else if (strcmp(argv[i], "--runs") == 0 && v != NULL) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--seed") == 0 && v != NULL) {
            rng_state = strtoull(argv[++i], NULL, 10) | 1;
        } else if (strcmp(argv[i], "--match-rate") == 0 && v != NULL) {
            match_rate = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--write-rules") == 0 && v != NULL) {
            return write_rules(argv[i + 1], nrules) == 0 ? 0 : 1;
        } else if (strcmp(argv[i], "--rules-file") == 0 && v != NULL) {
            rules_file = argv[++i];
        } else if (strcmp(argv[i], "--plugin") == 0 && v != NULL) {
            i++; /* applied below */
        } else {
            fprintf(stderr, "usage: bench_rules --fields F.json [--rules N] [--events N] "
                            "[--runs N] [--seed N] [--match-rate PCT] [--rules-file FILE]\n");
            return 2;
        }
    }
    if (fields == NULL || runs < 1 || runs > 32 || nrules < 1 || nevents < 1) {
        fprintf(stderr, "bench_rules: --fields is required; 1 <= runs <= 32\n");
        return 2;
    }
    b.th = skr_test_host_load(fields, err, sizeof(err));
    if (b.th == NULL) {
        fprintf(stderr, "bench_rules: %s\n", err);
        return 2;
    }
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--plugin") == 0) {
            char buf[128];
            char *eq;
            snprintf(buf, sizeof(buf), "%s", argv[i + 1]);
            eq = strchr(buf, '=');
            if (eq != NULL) {
                *eq = '\0';
                skr_test_host_add_plugin(b.th, buf, eq + 1);
            }
        }
    }
    map_fields(&b);
    if (rules_file == NULL) {
        snprintf(path, sizeof(path), "/tmp/skr-bench-rules-%d.yaml", (int)getpid());
        if (write_rules(path, nrules) < 0) {
            fprintf(stderr, "bench_rules: cannot write %s\n", path);
            return 1;
        }
        rules_file = path;
    }

    /* A stream of events, replayed in order for every run. */
    events = calloc((size_t)nstream, sizeof(*events));
    ctx = skr_eval_ctx_new();
    if (events == NULL || ctx == NULL) {
        return 1;
    }
    lookup_codes(skr_test_host_get(b.th));
    for (long i = 0; i < nstream; i++) {
        make_event(&events[i], match_rate);
    }
    rss0 = rss_kb();
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        skr_ruleset_unref(rs);
        skr_diags_free(d);
        rs = load(&b, rules_file, &d);
        compile[r] = now_s() - t0;
        if (rs == NULL) {
            return 1;
        }
        if (r == 0) {
            rss1 = rss_kb(); /* the first load: later ones reuse freed memory */
        }
    }

    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        matches = 0;
        for (long i = 0; i < nevents; i++) {
            b.ev = &events[i % nstream];
            int m = skr_ruleset_eval(rs, ctx, 0, b.ev->code, extract, &b, count_match, &matches);
            if (m < 0) {
                fprintf(stderr, "bench_rules: eval failed: %d\n", m);
                return 1;
            }
        }
        rate[r] = (double)nevents / (now_s() - t0);
    }
    rss2 = rss_kb();
    for (size_t i = 0; i < skr_ruleset_rule_count(rs); i++) {
        evaluated_rules_hint += skr_rule_match_count(skr_ruleset_rule(rs, i));
    }

    printf("ruleset: %s (%zu rules enabled)\n", rules_file == path ? "synthetic" : rules_file,
           skr_ruleset_rule_count(rs));
    printf("compile: %.2f ms (median of %d)\n", median(compile, runs) * 1e3, runs);
    printf("evaluate: %.0f events/s on one thread (median of %d runs of %ld events; %.2f%% "
           "matched)\n",
           median(rate, runs), runs, nevents, 100.0 * (double)matches / (double)nevents);
    printf("memory: ruleset %ld KiB RSS, evaluation context %ld KiB RSS\n", rss1 - rss0,
           rss2 - rss1);
    printf("{\"bench\":\"rules\",\"ruleset\":\"%s\",\"rules\":%zu,\"compile_ms\":%.3f,"
           "\"events_per_s\":%.0f,\"events\":%ld,\"runs\":%d,\"match_pct\":%.3f,"
           "\"ruleset_rss_kib\":%ld,\"eval_rss_kib\":%ld,\"total_matches\":%" PRIu64 "}\n",
           rules_file == path ? "synthetic" : rules_file, skr_ruleset_rule_count(rs),
           median(compile, runs) * 1e3, median(rate, runs), nevents, runs,
           100.0 * (double)matches / (double)nevents, rss1 - rss0, rss2 - rss1,
           evaluated_rules_hint);
    if (rules_file == path) {
        unlink(path);
    }
    skr_eval_ctx_free(ctx);
    free(events);
    skr_ruleset_unref(rs);
    skr_diags_free(d);
    free(b.kinds);
    skr_test_host_free(b.th);
    return 0;
}
