/* SPDX-License-Identifier: Apache-2.0 */
/*
 * saker test: reads the test files, runs every case in its engine (a replay
 * per capture file, a live syscall session per test file), prints one line
 * per case and a summary, and re-records captures on request.
 *
 * How a case finds its alerts in a run shared with other cases: its snippet
 * runs with SAKER_TEST_CASE=<case name> in its environment, and the runner
 * appends %proc.env[SAKER_TEST_CASE] and %proc.aenv[SAKER_TEST_CASE] to the
 * output of the rules the case names (an override in a rules file of its
 * own, loaded last), so each alert says which case's processes raised it.
 * A live session knows it has seen everything once the alert of a file the
 * runner creates comes out (the runner's "sync" rule).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ruletest/ruletest.h"
#include "ruletest/ruletest_int.h"

#define REPLAY_TIMEOUT_MS 600000
#define READY_TIMEOUT_MS  120000
#define READY_PROBE_MS    1000
#define SYNC_TIMEOUT_MS   60000
#define STOP_TIMEOUT_MS   120000
#define TAIL_BYTES        2000
#define OUTPUT_SHOWN      400

enum variant {
    V_REPLAY,
    V_LIVE,
    V_RECORD,
};

static const char *const variant_names[] = { "replay", "live", "record" };

struct runner {
    const char *config;     /* -c */
    const char **overrides; /* -o */
    size_t noverrides;
    const char **filters; /* -k */
    size_t nfilters;
    bool want_replay;
    bool want_live;
    bool record;
    bool verbose;
    bool keep;
    bool list;
    bool root;
    char self[PATH_MAX];
    char tmp[PATH_MAX];
    unsigned seq; /* unique names in tmp */

    unsigned passed, failed, skipped, skipped_root, errors;
};

/* ---- Output ------------------------------------------------------------------------ */

static void report(struct runner *rn,
                   const char *verdict,
                   const struct skr_rt_file *f,
                   const struct skr_rt_case *c,
                   enum variant v,
                   const char *why)
{
    printf("%-5s %s: %s [%s]%s%s\n", verdict, f->path, c->name, variant_names[v],
           why && *why ? ": " : "", why ? why : "");
    fflush(stdout);
    (void)rn;
}

static void show_alerts(const struct skr_rt_case *c, const struct skr_rt_alerts *alerts)
{
    for (size_t i = 0; i < alerts->n; i++) {
        const struct skr_rt_alert *al = &alerts->v[i];
        if (skr_rt_in_scope(c, al)) {
            printf("        %s (%s): %.*s\n", al->rule, al->priority, OUTPUT_SHOWN, al->output);
        }
    }
}

static void verdict(struct runner *rn,
                    const struct skr_rt_file *f,
                    const struct skr_rt_case *c,
                    enum variant v,
                    const struct skr_rt_engine *eng)
{
    const struct skr_rt_alerts *alerts = &eng->alerts;
    struct skr_strbuf why;
    bool ok;

    skr_strbuf_init(&why);
    ok = skr_rt_check_case(c, alerts, &why);
    if (!ok && eng->drops > 0) {
        skr_strbuf_printf(&why,
                          " (the engine's sources dropped %llu events: was the machine "
                          "overloaded?)",
                          (unsigned long long)eng->drops);
    }
    if (why.len > 2000) {
        why.p[2000] = '\0';
    }
    report(rn, ok ? "PASS" : "FAIL", f, c, v, why.p);
    if (ok) {
        rn->passed++;
    } else {
        rn->failed++;
    }
    if (rn->verbose || !ok) {
        show_alerts(c, alerts);
    }
    skr_strbuf_fini(&why);
}

static void fail_case(struct runner *rn,
                      const struct skr_rt_file *f,
                      const struct skr_rt_case *c,
                      enum variant v,
                      const char *why)
{
    report(rn, "FAIL", f, c, v, why);
    rn->failed++;
}

/* "saker: error: ..." lines (or the last lines) of an engine's stderr, on one line. */
static void engine_error(const struct skr_rt_engine *e, int code, struct skr_strbuf *out)
{
    struct skr_strbuf tail;
    const char *p;

    skr_strbuf_init(&tail);
    skr_rt_engine_stderr_tail(e, TAIL_BYTES, &tail);
    if (code == -ETIMEDOUT) {
        skr_strbuf_puts(out, "the engine did not finish in time");
    } else {
        skr_strbuf_printf(out, "the engine exited with status %d", code);
    }
    p = strstr(tail.p, "error:");
    skr_strbuf_puts(out, ": ");
    for (p = p ? p : tail.p; *p != '\0'; p++) {
        skr_strbuf_putc(out, *p == '\n' ? ' ' : *p);
    }
    skr_strbuf_fini(&tail);
}

/* ---- Files in the scratch directory ---------------------------------------------------------- */

static int scratch_path(struct runner *rn, const char *stem, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%u-%s", rn->tmp, ++rn->seq, stem);

    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int write_file(const char *path, const char *text, size_t len, struct skr_err *err)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (f == NULL) {
        return skr_err_set(err, -errno, "%s: cannot create: %s", path, strerror(errno));
    }
    ok = fwrite(text, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return ok ? 0 : skr_err_set(err, -EIO, "%s: cannot write", path);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* ---- The rules file of the runner ------------------------------------------------------------ */

static void yaml_quoted(struct skr_strbuf *b, const char *s)
{
    skr_strbuf_putc(b, '"');
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\') {
            skr_strbuf_putc(b, '\\');
        }
        skr_strbuf_putc(b, *s);
    }
    skr_strbuf_putc(b, '"');
}

struct group {
    const char *capture; /* NULL: the live cases without a capture */
    struct skr_rt_case **cases;
    size_t n;
};

/* Adds field to the (space-separated) appended output of rule at index i. */
static void add_field(struct skr_strbuf *per_rule, size_t i, const char *field)
{
    char needle[512];
    int n = snprintf(needle, sizeof(needle), "%%%s", field);

    if (n < 0 || (size_t)n >= sizeof(needle) || strstr(per_rule[i].p, needle) != NULL) {
        return;
    }
    skr_strbuf_printf(&per_rule[i], "%s%s", per_rule[i].len ? " " : "", needle);
}

/*
 * The runner's own rules file: for every rule a scoped case names, its output gets the
 * fields the scope reads; a live session adds the sync rule (and, when recording, the rule
 * that lists the threads of the cases).
 */
static int make_rules(struct runner *rn,
                      const struct skr_rt_rule_names *names,
                      struct skr_rt_case *const *cases,
                      size_t ncases,
                      const char *sync_dir,
                      bool tree,
                      char *path,
                      size_t size,
                      struct skr_err *err)
{
    struct skr_strbuf *per_rule = calloc(names->n ? names->n : 1, sizeof(*per_rule));
    struct skr_strbuf b;
    int rc;

    if (per_rule == NULL) {
        return skr_err_set(err, -ENOMEM, "out of memory");
    }
    skr_strbuf_init(&b);
    for (size_t i = 0; i < names->n; i++) {
        skr_strbuf_init(&per_rule[i]);
    }
    for (size_t k = 0; k < ncases; k++) {
        const struct skr_rt_case *c = cases[k];
        if (c->scope == SKR_RT_SCOPE_ALL) {
            continue;
        }
        for (size_t e = 0; e < c->nfire + c->nno_fire; e++) {
            const struct skr_rt_expect *ex = e < c->nfire ? &c->fire[e] : &c->no_fire[e - c->nfire];
            for (size_t i = 0; i < names->n; i++) {
                if (!skr_rt_wildcard(ex->rule, names->v[i].name)) {
                    continue;
                }
                if (c->scope == SKR_RT_SCOPE_FIELD) {
                    add_field(per_rule, i, c->scope_field);
                } else if (strcmp(names->v[i].source, "syscall") == 0) {
                    add_field(per_rule, i, "proc.env[" SKR_RT_CASE_ENV "]");
                    add_field(per_rule, i, "proc.aenv[" SKR_RT_CASE_ENV "]");
                }
            }
        }
    }
    skr_strbuf_puts(&b, "# Written by saker test for one run.\n");
    for (size_t i = 0; i < names->n; i++) {
        if (per_rule[i].len == 0) {
            continue;
        }
        skr_strbuf_puts(&b, "- rule: ");
        yaml_quoted(&b, names->v[i].name);
        skr_strbuf_puts(&b, "\n  output: ");
        yaml_quoted(&b, per_rule[i].p);
        skr_strbuf_puts(&b, "\n  override:\n    output: append\n");
    }
    if (sync_dir != NULL) {
        skr_strbuf_puts(&b, "- rule: \"" SKR_RT_SYNC_RULE "\"\n"
                            "  desc: A file the test runner creates to see how far the engine "
                            "has read.\n"
                            "  condition: evt.type in (open, openat, openat2) and fd.directory = ");
        yaml_quoted(&b, sync_dir);
        skr_strbuf_puts(&b, "\n  output: \"sync %fd.name\"\n  priority: EMERGENCY\n"
                            "  source: syscall\n");
    }
    if (tree) {
        skr_strbuf_puts(&b, "- rule: \"" SKR_RT_TREE_RULE "\"\n"
                            "  desc: A thread of a test case's snippet, kept in the recording.\n"
                            "  condition: evt.type in (execve, clone, clone3, fork, vfork) and "
                            "(proc.env[" SKR_RT_CASE_ENV
                            "] glob \"?*\" or proc.aenv[" SKR_RT_CASE_ENV "] glob \"?*\")\n"
                            "  output: \"tree %thread.tid %proc.pid\"\n  priority: EMERGENCY\n"
                            "  source: syscall\n");
    }
    if (b.truncated) {
        rc = skr_err_set(err, -ENOMEM, "out of memory");
    } else if ((rc = scratch_path(rn, "rules.yaml", path, size)) < 0) {
        rc = skr_err_set(err, rc, "%s: scratch path too long", rn->tmp);
    } else {
        rc = write_file(path, b.p, b.len, err);
    }
    for (size_t i = 0; i < names->n; i++) {
        skr_strbuf_fini(&per_rule[i]);
    }
    free(per_rule);
    skr_strbuf_fini(&b);
    return rc;
}

/* ---- Engine command lines ---------------------------------------------------------------------- */

struct argv {
    const char **v;
    size_t n, cap;
    bool oom;
};

static void arg(struct argv *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        const char **v = realloc(a->v, cap * sizeof(*v));
        if (v == NULL) {
            a->oom = true;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

static void engine_argv(struct runner *rn,
                        const struct skr_rt_file *f,
                        const char *own_rules,
                        struct argv *a)
{
    static const char *const defaults[] = {
        /* a test looks at every rule that matches, never drops an alert, loads every rule */
        "rule_matching=all",
        "outputs_queue.policy=block",
        "priority=debug",
    };
    static const char *const forced[] = {
        /* what the runner reads: JSON alerts with their fields, on stdout only */
        "json_output=true",
        "json_include_output_property=true",
        "json_include_output_fields_property=true",
        "stdout_output.enabled=true",
        "file_output.enabled=false",
    };

    arg(a, rn->self);
    if (rn->config != NULL) {
        arg(a, "-c");
        arg(a, rn->config);
    }
    for (size_t i = 0; i < rn->noverrides; i++) {
        arg(a, "-o");
        arg(a, rn->overrides[i]);
    }
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        arg(a, "-o");
        arg(a, defaults[i]);
    }
    for (size_t i = 0; i < f->noptions; i++) {
        arg(a, "-o");
        arg(a, f->options[i]);
    }
    for (size_t i = 0; i < sizeof(forced) / sizeof(forced[0]); i++) {
        arg(a, "-o");
        arg(a, forced[i]);
    }
    for (size_t i = 0; i < f->nrules_files; i++) {
        arg(a, "-r");
        arg(a, f->rules_files[i]);
    }
    arg(a, "-r");
    arg(a, own_rules);
}

/* ---- Replays ------------------------------------------------------------------------------------ */

static void run_replay(struct runner *rn,
                       const struct skr_rt_file *f,
                       const struct skr_rt_rule_names *names,
                       const struct group *g)
{
    char rules[PATH_MAX], unpacked[PATH_MAX], errlog[PATH_MAX];
    struct skr_rt_engine eng;
    struct argv a = { 0 };
    struct skr_strbuf why;
    struct skr_err err;
    const char *use = NULL;
    bool started = false;
    int code;

    skr_strbuf_init(&why);
    skr_err_clear(&err);
    if (access(g->capture, R_OK) != 0) {
        skr_strbuf_printf(&why, "capture file %s: %s (record it as root with saker test --record)",
                          g->cases[0]->capture_rel, strerror(errno));
        goto failed;
    }
    if (scratch_path(rn, "replay.cap", unpacked, sizeof(unpacked)) < 0 ||
        scratch_path(rn, "replay.err", errlog, sizeof(errlog)) < 0) {
        skr_strbuf_puts(&why, "scratch path too long");
        goto failed;
    }
    if (skr_rt_capture_unpack(g->capture, unpacked, &use, &err) < 0 ||
        make_rules(rn, names, g->cases, g->n, NULL, false, rules, sizeof(rules), &err) < 0) {
        char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
        skr_strbuf_puts(&why, skr_err_format(&err, buf, sizeof(buf)));
        goto failed;
    }
    engine_argv(rn, f, rules, &a);
    arg(&a, "-e");
    arg(&a, use);
    if (a.oom) {
        skr_strbuf_puts(&why, "out of memory");
        goto failed;
    }
    if (skr_rt_engine_start(&eng, a.v, errlog, &err) < 0) {
        char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
        skr_strbuf_puts(&why, skr_err_format(&err, buf, sizeof(buf)));
        goto failed;
    }
    started = true;
    code = skr_rt_engine_finish(&eng, REPLAY_TIMEOUT_MS);
    if (code != 0) {
        engine_error(&eng, code, &why);
        goto failed;
    }
    for (size_t i = 0; i < g->n; i++) {
        verdict(rn, f, g->cases[i], V_REPLAY, &eng);
    }
    goto out;
failed:
    for (size_t i = 0; i < g->n; i++) {
        fail_case(rn, f, g->cases[i], V_REPLAY, why.p);
    }
out:
    if (started) {
        skr_rt_engine_fini(&eng);
    }
    free(a.v);
    skr_strbuf_fini(&why);
}

/* ---- Live sessions ------------------------------------------------------------------------------ */

struct live {
    struct skr_rt_engine eng;
    bool started;
    char sync_dir[PATH_MAX];
    size_t cursor; /* alerts already searched for sync marks */
    unsigned marks;
    int64_t *pids; /* the processes between the runner and the snippets (kept in recordings) */
    size_t npids, cap_pids;
};

static bool saw_mark(struct live *lv, const char *path)
{
    for (; lv->cursor < lv->eng.alerts.n; lv->cursor++) {
        const struct skr_rt_alert *al = &lv->eng.alerts.v[lv->cursor];
        const char *p;
        if (strcmp(al->rule, SKR_RT_SYNC_RULE) != 0 || (p = strstr(al->output, path)) == NULL) {
            continue;
        }
        if (p[strlen(path)] == '\0' || p[strlen(path)] == ' ') {
            lv->cursor++;
            return true;
        }
    }
    return false;
}

/* Creates a mark file and waits (at most wait_ms) for its alert. 1 seen, 0 not yet, <0 the
 * engine is gone. */
static int mark(struct live *lv, const char *kind, int wait_ms)
{
    char path[PATH_MAX];
    int64_t deadline = skr_rt_now_ms() + wait_ms;
    int n = snprintf(path, sizeof(path), "%s/%s-%u", lv->sync_dir, kind, ++lv->marks);
    int fd;

    if (n < 0 || (size_t)n >= sizeof(path)) {
        return -ENAMETOOLONG;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return -errno;
    }
    close(fd);
    for (;;) {
        int64_t left = deadline - skr_rt_now_ms();
        if (saw_mark(lv, path)) {
            return 1;
        }
        if (lv->eng.out_eof) {
            return -EPIPE;
        }
        if (left <= 0) {
            return 0;
        }
        skr_rt_engine_pump(&lv->eng, (int)left);
    }
}

/* Marks until one shows (a single mark event can be dropped under load; a later one proves
 * the same), at most total_ms. 1 seen, 0 not within the time, <0 the engine is gone. */
static int sync_marks(struct live *lv, const char *kind, int total_ms)
{
    int64_t deadline = skr_rt_now_ms() + total_ms;
    int rc = 0;

    while (skr_rt_now_ms() < deadline) {
        rc = mark(lv, kind, READY_PROBE_MS);
        if (rc != 0) {
            return rc;
        }
    }
    return rc;
}

static int live_start(struct runner *rn,
                      const struct skr_rt_file *f,
                      const struct skr_rt_rule_names *names,
                      const struct group *g,
                      const char *capture_out,
                      struct live *lv,
                      struct skr_strbuf *why)
{
    char rules[PATH_MAX], errlog[PATH_MAX];
    struct argv a = { 0 };
    struct skr_err err;
    int rc;

    skr_err_clear(&err);
    if (scratch_path(rn, "sync", lv->sync_dir, sizeof(lv->sync_dir)) < 0 ||
        scratch_path(rn, "live.err", errlog, sizeof(errlog)) < 0) {
        skr_strbuf_puts(why, "scratch path too long");
        return -ENAMETOOLONG;
    }
    if (mkdir(lv->sync_dir, 0700) != 0) {
        skr_strbuf_printf(why, "%s: %s", lv->sync_dir, strerror(errno));
        return -errno;
    }
    rc = make_rules(rn, names, g->cases, g->n, lv->sync_dir, capture_out != NULL, rules,
                    sizeof(rules), &err);
    if (rc < 0) {
        char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
        skr_strbuf_puts(why, skr_err_format(&err, buf, sizeof(buf)));
        return rc;
    }
    engine_argv(rn, f, rules, &a);
    if (capture_out != NULL) {
        arg(&a, "-w");
        arg(&a, capture_out);
    }
    if (a.oom) {
        free(a.v);
        skr_strbuf_puts(why, "out of memory");
        return -ENOMEM;
    }
    rc = skr_rt_engine_start(&lv->eng, a.v, errlog, &err);
    free(a.v);
    if (rc < 0) {
        char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
        skr_strbuf_puts(why, skr_err_format(&err, buf, sizeof(buf)));
        return rc;
    }
    lv->started = true;
    /* The source is up once a file the runner creates shows in an alert. */
    rc = sync_marks(lv, "ready", READY_TIMEOUT_MS);
    if (rc == 1) {
        return 0;
    }
    if (rc < 0) {
        int code = skr_rt_engine_finish(&lv->eng, STOP_TIMEOUT_MS);
        engine_error(&lv->eng, code, why);
        return -EPIPE;
    }
    skr_strbuf_printf(why, "the live engine saw none of the runner's files within %d s",
                      READY_TIMEOUT_MS / 1000);
    return -ETIMEDOUT;
}

static char *env_entry(const char *k, const char *v)
{
    size_t n = strlen(k) + strlen(v) + 2;
    char *s = malloc(n);

    if (s != NULL && snprintf(s, n, "%s=%s", k, v) < 0) {
        s[0] = '\0';
    }
    return s;
}

static volatile sig_atomic_t g_alarm; /* the supervisor's timeout fired */

static void on_alarm(int sig)
{
    (void)sig;
    g_alarm = 1;
}

static void write_all(int fd, const void *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        p = (const char *)p + w;
        n -= (size_t)w;
    }
}

/*
 * The supervisor of one snippet (a forked runner, orphaned on purpose): starts the snippet
 * in a process group of its own, kills the group at the timeout and once the snippet ends,
 * and tells the runner through fd: {its pid, the snippet's pid}, then {wait status, timed
 * out}. Never returns.
 */
static void supervise(int fd,
                      const char *dir,
                      const char *log,
                      const char *script,
                      char *const *env,
                      unsigned timeout_s)
{
    struct sigaction sa;
    int32_t msg[2];
    int status = 0;
    pid_t p;

    p = fork();
    if (p == 0) {
        int in = open("/dev/null", O_RDONLY);
        int lg = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (in < 0 || lg < 0 || chdir(dir) != 0 || dup2(in, 0) < 0 || dup2(lg, 1) < 0 ||
            dup2(lg, 2) < 0) {
            _exit(126);
        }
        execve("/bin/sh", (char *const[]){ "sh", "-c", (char *)script, NULL }, env);
        _exit(127);
    }
    msg[0] = (int32_t)getpid();
    msg[1] = (int32_t)p;
    write_all(fd, msg, sizeof(msg));
    if (p < 0) {
        msg[0] = 127 << 8;
        msg[1] = 0;
        write_all(fd, msg, sizeof(msg));
        _exit(0);
    }
    setpgid(p, p);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid returns at the timeout */
    sigaction(SIGALRM, &sa, NULL);
    alarm(timeout_s);
    while (waitpid(p, &status, 0) < 0) {
        if (errno != EINTR) {
            break;
        }
        if (g_alarm) {
            kill(-p, SIGKILL);
        }
    }
    kill(-p, SIGKILL); /* what the snippet left running */
    msg[0] = status;
    msg[1] = g_alarm;
    write_all(fd, msg, sizeof(msg));
    _exit(0);
}

static void remember_pid(struct live *lv, int64_t pid)
{
    if (lv->npids == lv->cap_pids) {
        size_t cap = lv->cap_pids ? lv->cap_pids * 2 : 32;
        int64_t *v = realloc(lv->pids, cap * sizeof(*v));
        if (v == NULL) {
            return;
        }
        lv->pids = v;
        lv->cap_pids = cap;
    }
    lv->pids[lv->npids++] = pid;
}

/*
 * Runs a case's snippet as a shell script, reading the engine's alerts meanwhile. Returns true
 * when it exited 0; otherwise why says how it ended.
 *
 * The snippet does not descend from the runner: a child of the runner starts its supervisor
 * and exits, so the supervisor's parent becomes init (or the nearest subreaper). Rules that
 * look at ancestors (a build tool, a package manager above a process) then see the same
 * thing whether saker test runs from a terminal, make or ctest, live or from a recording.
 */
static bool run_snippet(struct runner *rn,
                        const struct skr_rt_file *f,
                        const struct skr_rt_case *c,
                        struct live *lv,
                        struct skr_strbuf *why)
{
    char dir[PATH_MAX], log[PATH_MAX], absdir[PATH_MAX];
    const char *home = getenv("HOME");
    char *env[8] = { 0 };
    struct skr_strbuf script;
    int32_t msg[4];
    size_t got = 0;
    int64_t deadline;
    bool ok = false;
    int pfd[2] = { -1, -1 };
    pid_t c1;

    skr_strbuf_init(&script);
    if (scratch_path(rn, "case", dir, sizeof(dir)) < 0 ||
        scratch_path(rn, "case.log", log, sizeof(log)) < 0 || realpath(f->dir, absdir) == NULL) {
        skr_strbuf_printf(why, "cannot prepare the case directory: %s", strerror(errno));
        goto out;
    }
    if (mkdir(dir, 0755) != 0) {
        skr_strbuf_printf(why, "%s: %s", dir, strerror(errno));
        goto out;
    }
    skr_strbuf_printf(&script, "%s\n%s", f->prelude ? f->prelude : "", c->live);
    env[0] = env_entry("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env[1] = env_entry("HOME", home && *home ? home : "/root");
    env[2] = env_entry("LC_ALL", "C");
    env[3] = env_entry(SKR_RT_CASE_ENV, c->name);
    env[4] = env_entry("SAKER_TEST_DIR", dir);
    env[5] = env_entry("SAKER_TEST_FILE_DIR", absdir);
    for (int i = 0; i < 6; i++) {
        if (env[i] == NULL) {
            skr_strbuf_puts(why, "out of memory");
            goto out;
        }
    }
    if (script.truncated || pipe2(pfd, O_CLOEXEC) != 0) {
        skr_strbuf_printf(why, "cannot start the snippet: %s", strerror(errno));
        goto out;
    }
    fflush(stdout);
    c1 = fork();
    if (c1 < 0) {
        skr_strbuf_printf(why, "cannot start the snippet: %s", strerror(errno));
        goto out;
    }
    if (c1 == 0) {
        pid_t c2 = fork();
        if (c2 == 0) {
            close(pfd[0]);
            supervise(pfd[1], dir, log, script.p, env, c->timeout_s);
        }
        _exit(c2 < 0 ? 1 : 0);
    }
    close(pfd[1]);
    pfd[1] = -1;
    while (waitpid(c1, NULL, 0) < 0 && errno == EINTR) {
    }
    remember_pid(lv, c1);
    /* the supervisor enforces the timeout; this bound only covers a supervisor that hangs */
    deadline = skr_rt_now_ms() + (int64_t)c->timeout_s * 1000 + 10000;
    while (got < sizeof(msg)) {
        int64_t left = deadline - skr_rt_now_ms();
        struct pollfd pf[2] = { { .fd = pfd[0], .events = POLLIN },
                                { .fd = lv->eng.out_eof ? -1 : lv->eng.out_fd, .events = POLLIN } };
        if (left <= 0) {
            break;
        }
        if (poll(pf, 2, (int)left) <= 0) {
            continue;
        }
        if (pf[1].revents != 0) {
            skr_rt_engine_pump(&lv->eng, 0);
        }
        if (pf[0].revents != 0) {
            ssize_t r = read(pfd[0], (char *)msg + got, sizeof(msg) - got);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                break;
            }
            got += (size_t)r;
        }
    }
    if (got >= 2 * sizeof(int32_t)) {
        remember_pid(lv, msg[0]); /* the supervisor: its events belong to a recording */
    }
    if (got < sizeof(msg)) {
        if (got >= 2 * sizeof(int32_t) && msg[1] > 0) {
            kill(-msg[1], SIGKILL);
        }
        if (got >= sizeof(int32_t) && msg[0] > 0) {
            kill(msg[0], SIGKILL);
        }
        skr_strbuf_printf(why, "the snippet's supervisor %s",
                          got < sizeof(msg) && skr_rt_now_ms() >= deadline ? "hung"
                                                                           : "ended early");
    } else if (msg[3] != 0) {
        skr_strbuf_printf(why, "the snippet did not finish within %u s (timeout)", c->timeout_s);
    } else if (!WIFEXITED(msg[2]) || WEXITSTATUS(msg[2]) != 0) {
        FILE *lf = fopen(log, "r");
        char buf[600];
        size_t n = lf ? fread(buf, 1, sizeof(buf) - 1, lf) : 0;
        buf[n] = '\0';
        for (size_t i = 0; i < n; i++) {
            buf[i] = buf[i] == '\n' ? ' ' : buf[i];
        }
        if (lf != NULL) {
            fclose(lf);
        }
        skr_strbuf_printf(why, "the snippet %s %d: %s",
                          WIFEXITED(msg[2]) ? "exited with status" : "was killed by signal",
                          WIFEXITED(msg[2]) ? WEXITSTATUS(msg[2]) : WTERMSIG(msg[2]), buf);
    } else {
        ok = true;
    }
out:
    if (pfd[0] >= 0) {
        close(pfd[0]);
    }
    if (pfd[1] >= 0) {
        close(pfd[1]);
    }
    for (int i = 0; i < 8; i++) {
        free(env[i]);
    }
    skr_strbuf_fini(&script);
    return ok;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The threads of the cases (from the tree rule), of their supervisors and the runner's own,
 * sorted and unique. */
static int64_t *case_threads(const struct live *lv, size_t *n)
{
    const struct skr_rt_alerts *alerts = &lv->eng.alerts;
    int64_t *t = malloc((2 * alerts->n + lv->npids + 1) * sizeof(*t));
    size_t k = 0;

    if (t == NULL) {
        return NULL;
    }
    t[k++] = getpid();
    for (size_t i = 0; i < lv->npids; i++) {
        t[k++] = lv->pids[i];
    }
    for (size_t i = 0; i < alerts->n; i++) {
        const struct skr_rt_alert *al = &alerts->v[i];
        const char *fields[] = { "thread.tid", "proc.pid" };
        if (strcmp(al->rule, SKR_RT_TREE_RULE) != 0) {
            continue;
        }
        for (size_t j = 0; j < 2; j++) {
            char buf[64];
            bool found;
            const char *v = skr_rt_alert_field(al, fields[j], buf, sizeof(buf), &found);
            if (found) {
                t[k++] = strtoll(v, NULL, 10);
            }
        }
    }
    qsort(t, k, sizeof(*t), cmp_i64);
    *n = 0;
    for (size_t i = 0; i < k; i++) {
        if (*n == 0 || t[*n - 1] != t[i]) {
            t[(*n)++] = t[i];
        }
    }
    return t;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* One live session for the cases of g: every snippet in turn, then the verdicts; when
 * recording, the capture is cut to the cases' threads and written to g->capture. */
static void run_live(struct runner *rn,
                     const struct skr_rt_file *f,
                     const struct skr_rt_rule_names *names,
                     const struct group *g,
                     bool record)
{
    enum variant v = record ? V_RECORD : V_LIVE;
    struct live lv = { 0 };
    char raw[PATH_MAX] = "";
    struct skr_strbuf why;
    bool *ran = calloc(g->n ? g->n : 1, sizeof(*ran));
    char **whys = calloc(g->n ? g->n : 1, sizeof(*whys));
    int code;

    skr_strbuf_init(&why);
    if (ran == NULL || whys == NULL) {
        skr_strbuf_puts(&why, "out of memory");
        goto failed;
    }
    if (record && scratch_path(rn, "record.cap", raw, sizeof(raw)) < 0) {
        skr_strbuf_puts(&why, "scratch path too long");
        goto failed;
    }
    if (live_start(rn, f, names, g, record ? raw : NULL, &lv, &why) < 0) {
        goto failed;
    }
    for (size_t i = 0; i < g->n; i++) {
        struct skr_strbuf w;
        skr_strbuf_init(&w);
        ran[i] = run_snippet(rn, f, g->cases[i], &lv, &w);
        whys[i] = skr_strbuf_steal(&w);
    }
    /* Everything the snippets did was read once a later mark shows; a second mark covers
     * events a source hands out in per-CPU batches. */
    for (int round = 0; round < 2; round++) {
        int rc = sync_marks(&lv, "end", SYNC_TIMEOUT_MS);
        if (rc != 1) {
            skr_strbuf_printf(&why,
                              rc == 0 ? "the live engine fell behind: no end mark showed "
                                        "within %d s"
                                      : "the live engine stopped early",
                              SYNC_TIMEOUT_MS / 1000);
            code = skr_rt_engine_stop(&lv.eng, STOP_TIMEOUT_MS);
            if (rc < 0) {
                skr_strbuf_puts(&why, ": ");
                engine_error(&lv.eng, code, &why);
            } else if (lv.eng.drops > 0) {
                skr_strbuf_printf(&why, " (its sources dropped %llu events)",
                                  (unsigned long long)lv.eng.drops);
            }
            goto failed;
        }
    }
    code = skr_rt_engine_stop(&lv.eng, STOP_TIMEOUT_MS);
    if (code != 0) {
        engine_error(&lv.eng, code, &why);
        goto failed;
    }
    for (size_t i = 0; i < g->n; i++) {
        if (ran[i]) {
            verdict(rn, f, g->cases[i], v, &lv.eng);
        } else {
            fail_case(rn, f, g->cases[i], v, whys[i]);
        }
    }
    if (record) {
        size_t ntids = 0;
        int64_t *tids = case_threads(&lv, &ntids);
        uint64_t kept = 0, dropped = 0;
        struct skr_err err;
        skr_err_clear(&err);
        if (tids == NULL) {
            printf("ERROR %s: out of memory\n", g->capture);
            rn->errors++;
        } else if (skr_rt_capture_filter(raw, g->capture, tids, ntids, ends_with(g->capture, ".gz"),
                                         &kept, &dropped, &err) < 0) {
            char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
            printf("ERROR %s: %s\n", g->capture, skr_err_format(&err, buf, sizeof(buf)));
            rn->errors++;
        } else {
            printf("WROTE %s (%llu events of %zu threads kept, %llu others dropped)\n",
                   g->cases[0]->capture_rel, (unsigned long long)kept, ntids,
                   (unsigned long long)dropped);
        }
        free(tids);
        if (raw[0] != '\0') {
            unlink(raw);
        }
    }
    goto out;
failed:
    for (size_t i = 0; i < g->n; i++) {
        fail_case(rn, f, g->cases[i], v, why.p);
    }
out:
    if (lv.started) {
        skr_rt_engine_fini(&lv.eng);
    }
    free(lv.pids);
    for (size_t i = 0; whys != NULL && i < g->n; i++) {
        free(whys[i]);
    }
    free(whys);
    free(ran);
    skr_strbuf_fini(&why);
}

/* ---- One test file ---------------------------------------------------------------------------- */

static bool selected(const struct runner *rn, const struct skr_rt_case *c)
{
    if (rn->nfilters == 0) {
        return true;
    }
    for (size_t i = 0; i < rn->nfilters; i++) {
        if (skr_rt_wildcard(rn->filters[i], c->name)) {
            return true;
        }
    }
    return false;
}

/* Every rule a case names must exist, so a typo is an error and not a passing "no_fire". */
static int check_names(const struct skr_rt_file *f,
                       const struct skr_rt_rule_names *names,
                       struct skr_err *err)
{
    for (size_t k = 0; k < f->ncases; k++) {
        const struct skr_rt_case *c = &f->cases[k];
        for (size_t e = 0; e < c->nfire + c->nno_fire; e++) {
            const struct skr_rt_expect *ex = e < c->nfire ? &c->fire[e] : &c->no_fire[e - c->nfire];
            if (!skr_rt_rule_names_match(names, ex->rule)) {
                return skr_err_set_at(err, -ENOENT, f->path, ex->line, ex->col,
                                      "case '%s': no rule named '%s' in the rules files of this "
                                      "test file; check the name",
                                      c->name, ex->rule);
            }
        }
    }
    return 0;
}

/* Groups the selected cases of f: by capture file (with_capture), or the live cases
 * (!with_capture; recording: those without a capture). */
static size_t make_groups(const struct runner *rn,
                          struct skr_rt_file *f,
                          bool by_capture,
                          bool need_live,
                          struct group *groups,
                          struct skr_rt_case **slots)
{
    size_t ng = 0, used = 0;

    for (size_t k = 0; k < f->ncases; k++) {
        struct skr_rt_case *c = &f->cases[k];
        const char *key = by_capture ? c->capture : NULL;
        size_t g;
        if (!selected(rn, c) || (by_capture && c->capture == NULL) ||
            (need_live && c->live == NULL)) {
            continue;
        }
        for (g = 0; g < ng; g++) {
            if ((key == NULL && groups[g].capture == NULL) ||
                (key != NULL && groups[g].capture != NULL && strcmp(groups[g].capture, key) == 0)) {
                break;
            }
        }
        if (g == ng) {
            groups[ng].capture = key;
            groups[ng].cases = NULL;
            groups[ng].n = 0;
            ng++;
        }
        (void)used;
    }
    /* lay the cases out group by group, in file order */
    for (size_t g = 0; g < ng; g++) {
        groups[g].cases = slots + used;
        for (size_t k = 0; k < f->ncases; k++) {
            struct skr_rt_case *c = &f->cases[k];
            const char *key = by_capture ? c->capture : NULL;
            if (!selected(rn, c) || (by_capture && c->capture == NULL) ||
                (need_live && c->live == NULL)) {
                continue;
            }
            if ((key == NULL) == (groups[g].capture == NULL) &&
                (key == NULL || strcmp(key, groups[g].capture) == 0)) {
                groups[g].cases[groups[g].n++] = c;
                used++;
            }
        }
    }
    return ng;
}

static void run_file(struct runner *rn, const char *path)
{
    struct skr_rt_rule_names names = { 0 };
    struct skr_rt_file *f = NULL;
    struct group *groups = NULL;
    struct skr_rt_case **slots = NULL;
    struct skr_err err;
    char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
    size_t ng;

    skr_err_clear(&err);
    if (skr_rt_file_load(path, &f, &err) < 0 ||
        skr_rt_rule_names_scan(f->rules_files, f->nrules_files, &names, &err) < 0 ||
        check_names(f, &names, &err) < 0) {
        printf("ERROR %s\n", skr_err_format(&err, buf, sizeof(buf)));
        rn->errors++;
        goto out;
    }
    groups = calloc(f->ncases, sizeof(*groups));
    slots = calloc(f->ncases, sizeof(*slots));
    if (groups == NULL || slots == NULL) {
        printf("ERROR %s: out of memory\n", path);
        rn->errors++;
        goto out;
    }
    if (rn->record) {
        /* record every capture that has live snippets, then check the new captures */
        ng = make_groups(rn, f, true, true, groups, slots);
        for (size_t g = 0; g < ng; g++) {
            run_live(rn, f, &names, &groups[g], true);
        }
    }
    if (rn->want_replay) {
        ng = make_groups(rn, f, true, false, groups, slots);
        for (size_t g = 0; g < ng; g++) {
            run_replay(rn, f, &names, &groups[g]);
        }
    }
    if (rn->want_live && !rn->record) {
        ng = make_groups(rn, f, false, true, groups, slots);
        if (ng > 0 && !rn->root) {
            for (size_t i = 0; i < groups[0].n; i++) {
                report(rn, "SKIP", f, groups[0].cases[i], V_LIVE, "needs root");
                rn->skipped++;
                rn->skipped_root++;
            }
        } else if (ng > 0) {
            run_live(rn, f, &names, &groups[0], false);
        }
    }
out:
    free(groups);
    free(slots);
    skr_rt_rule_names_fini(&names);
    skr_rt_file_free(f);
}

/* --list: the cases of a file as JSON lines, for tools and for checking coverage. */
static int list_file(const struct runner *rn, const char *path)
{
    static const char *const scopes[] = { "all", "tree", "field" };
    struct skr_rt_file *f = NULL;
    struct skr_err err;
    char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
    int rc = 0;

    skr_err_clear(&err);
    if (skr_rt_file_load(path, &f, &err) < 0) {
        printf("ERROR %s\n", skr_err_format(&err, buf, sizeof(buf)));
        return 1;
    }
    for (size_t k = 0; k < f->ncases && rc == 0; k++) {
        const struct skr_rt_case *c = &f->cases[k];
        cJSON *o, *fire, *no_fire;
        char *text;
        if (!selected(rn, c)) {
            continue;
        }
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", f->path);
        cJSON_AddStringToObject(o, "case", c->name);
        cJSON_AddNumberToObject(o, "line", c->line);
        if (c->capture_rel != NULL) {
            cJSON_AddStringToObject(o, "capture", c->capture_rel);
        } else {
            cJSON_AddNullToObject(o, "capture");
        }
        cJSON_AddBoolToObject(o, "live", c->live != NULL);
        cJSON_AddStringToObject(o, "scope", scopes[c->scope]);
        fire = cJSON_AddArrayToObject(o, "fire");
        no_fire = cJSON_AddArrayToObject(o, "no_fire");
        for (size_t e = 0; e < c->nfire; e++) {
            cJSON_AddItemToArray(fire, cJSON_CreateString(c->fire[e].rule));
        }
        for (size_t e = 0; e < c->nno_fire; e++) {
            cJSON_AddItemToArray(no_fire, cJSON_CreateString(c->no_fire[e].rule));
        }
        text = cJSON_PrintUnformatted(o);
        if (text == NULL) {
            rc = 1;
        } else {
            printf("%s\n", text);
        }
        cJSON_free(text);
        cJSON_Delete(o);
    }
    skr_rt_file_free(f);
    return rc;
}

/* ---- Command line -------------------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fputs("Usage: saker test [OPTIONS] FILE...\n"
          "\n"
          "Runs rule test files (docs/rule-tests.md): each case replays a capture file and/or\n"
          "runs a shell snippet live under the syscall source (root), then checks which rules\n"
          "fired. Prints one line per case and \"N passed, M failed, K skipped\"; exits 1 when\n"
          "a case failed. Without root, live cases are skipped (and counted).\n"
          "\n"
          "  -c FILE          configuration of the engine under test (as saker -c)\n"
          "  -o KEY=VALUE     configuration override for the engine under test; repeatable\n"
          "  --replay         run only the capture variants\n"
          "  --live           run only the live variants (root)\n"
          "  --record         (root) run every case that has both a capture and a live snippet\n"
          "                   live, write its capture anew (only its own threads are kept),\n"
          "                   then replay the new captures\n"
          "  -k PATTERN       only the cases whose name matches (* and ?); repeatable\n"
          "  -v, --verbose    print the alerts in each case's scope\n"
          "  --keep           keep the scratch directory (its path is printed)\n"
          "  --list           print the cases (one JSON object per line) without running them\n"
          "  -h, --help       print this help\n",
          out);
}

static int push(const char ***v, size_t *n, const char *s)
{
    const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

    if (nv == NULL) {
        return -ENOMEM;
    }
    nv[(*n)++] = s;
    *v = nv;
    return 0;
}

enum {
    OPT_REPLAY = 1000,
    OPT_LIVE,
    OPT_RECORD,
    OPT_KEEP,
    OPT_LIST,
};

int skr_ruletest_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "replay", no_argument, NULL, OPT_REPLAY }, { "live", no_argument, NULL, OPT_LIVE },
        { "record", no_argument, NULL, OPT_RECORD }, { "keep", no_argument, NULL, OPT_KEEP },
        { "list", no_argument, NULL, OPT_LIST },     { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    struct runner rn = { 0 };
    bool only_replay = false, only_live = false;
    const char *tmpbase = getenv("TMPDIR");
    ssize_t n;
    int code = 1;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:o:k:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            rn.config = optarg;
            break;
        case 'o':
            if (strchr(optarg, '=') == NULL) {
                fprintf(stderr, "saker test: -o %s: expected key=value\n", optarg);
                goto out;
            }
            if (push(&rn.overrides, &rn.noverrides, optarg) < 0) {
                goto oom;
            }
            break;
        case 'k':
            if (push(&rn.filters, &rn.nfilters, optarg) < 0) {
                goto oom;
            }
            break;
        case OPT_REPLAY:
            only_replay = true;
            break;
        case OPT_LIVE:
            only_live = true;
            break;
        case OPT_RECORD:
            rn.record = true;
            break;
        case OPT_KEEP:
            rn.keep = true;
            break;
        case OPT_LIST:
            rn.list = true;
            break;
        case 'v':
            rn.verbose = true;
            break;
        case 'h':
            usage(stdout);
            code = 0;
            goto out;
        default:
            usage(stderr);
            goto out;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "saker test: no test file given (see saker test --help)\n");
        goto out;
    }
    if (only_replay && only_live) {
        fprintf(stderr, "saker test: --replay and --live exclude each other; give neither to "
                        "run both\n");
        goto out;
    }
    if (rn.list) {
        code = 0;
        for (int i = optind; i < argc; i++) {
            code |= list_file(&rn, argv[i]);
        }
        goto out;
    }
    rn.root = geteuid() == 0;
    if (rn.record && !rn.root) {
        fprintf(stderr, "saker test: --record runs the live snippets and needs root\n");
        goto out;
    }
    rn.want_replay = !only_live;
    rn.want_live = !only_replay;
    n = readlink("/proc/self/exe", rn.self, sizeof(rn.self) - 1);
    if (n <= 0 || (size_t)n >= sizeof(rn.self) - 1) {
        fprintf(stderr, "saker test: cannot find the saker binary (/proc/self/exe): %s\n",
                strerror(errno));
        goto out;
    }
    rn.self[n] = '\0';
    if (snprintf(rn.tmp, sizeof(rn.tmp), "%s/saker-test-XXXXXX",
                 tmpbase && *tmpbase ? tmpbase : "/tmp") >= (int)sizeof(rn.tmp) ||
        mkdtemp(rn.tmp) == NULL) {
        fprintf(stderr, "saker test: cannot make a scratch directory under %s: %s\n",
                tmpbase && *tmpbase ? tmpbase : "/tmp", strerror(errno));
        goto out;
    }
    chmod(rn.tmp, 0755); /* snippets that drop privileges still reach their directory */
    for (int i = optind; i < argc; i++) {
        run_file(&rn, argv[i]);
    }
    printf("%u passed, %u failed, %u skipped", rn.passed, rn.failed + rn.errors, rn.skipped);
    if (rn.skipped_root > 0) {
        printf(" (%u live cases need root)", rn.skipped_root);
    }
    if (rn.errors > 0) {
        printf(" (%u errors in test files or recordings)", rn.errors);
    }
    printf("\n");
    if (rn.keep) {
        printf("scratch directory kept: %s\n", rn.tmp);
    } else {
        /* FTW_MOUNT: never into a file system a snippet left mounted there */
        nftw(rn.tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    }
    code = rn.failed + rn.errors > 0 ? 1 : 0;
    goto out;
oom:
    fprintf(stderr, "saker test: out of memory\n");
out:
    free(rn.overrides);
    free(rn.filters);
    return code;
}
