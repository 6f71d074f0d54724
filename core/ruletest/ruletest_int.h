/* SPDX-License-Identifier: Apache-2.0 */
/* Private to core/ruletest: test files, alerts, the engine child process, captures. */
#ifndef SKR_RULETEST_INT_H
#define SKR_RULETEST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "config/tree.h"
#include "util/err.h"
#include "util/strbuf.h"

/* The environment variable that marks the processes of a live case (its value: the case name). */
#define SKR_RT_CASE_ENV "SAKER_TEST_CASE"
/* Rules the runner adds for itself start with this; cases never see their alerts. */
#define SKR_RT_OWN_PREFIX "saker test: "
#define SKR_RT_SYNC_RULE  SKR_RT_OWN_PREFIX "sync"
#define SKR_RT_TREE_RULE  SKR_RT_OWN_PREFIX "tree"

/* ---- Test files (spec.c) -------------------------------------------------------------- */

enum skr_rt_scope {
    SKR_RT_SCOPE_ALL,   /* every alert of the run */
    SKR_RT_SCOPE_TREE,  /* alerts of the processes started by the case's snippet */
    SKR_RT_SCOPE_FIELD, /* alerts whose output field scope_field renders as scope_value */
};

/* One entry of expect.fire or expect.no_fire. Strings live in the file's document. */
struct skr_rt_expect {
    const char *rule;     /* rule name; '*' and '?' are wildcards */
    const char *output;   /* text the alert's output must contain, or NULL */
    const char *priority; /* priority the alert must have (any case), or NULL */
    unsigned min_count;   /* fire: at least this many alerts (default 1) */
    unsigned line, col;
};

struct skr_rt_case {
    const char *name;
    const char *desc;        /* or NULL */
    const char *capture;     /* the capture file (resolved against the test file), or NULL */
    const char *capture_rel; /* as written, for messages */
    const char *live;        /* the shell snippet, or NULL */
    enum skr_rt_scope scope;
    const char *scope_field; /* SKR_RT_SCOPE_FIELD */
    const char *scope_value;
    unsigned timeout_s; /* live: the snippet's bound */
    struct skr_rt_expect *fire;
    size_t nfire;
    struct skr_rt_expect *no_fire;
    size_t nno_fire;
    unsigned line, col;
};

struct skr_rt_file {
    const char *path;         /* as given */
    const char *dir;          /* its directory */
    const char **rules_files; /* resolved */
    size_t nrules_files;
    const char **options; /* "key=value", passed as -o */
    size_t noptions;
    const char *prelude; /* shell text put before every snippet, or NULL */
    struct skr_rt_case *cases;
    size_t ncases;
    struct skr_cdoc *doc; /* owns every string above */
};

/* Loads and checks a test file. Errors carry the file, line and column. */
int skr_rt_file_load(const char *path, struct skr_rt_file **out, struct skr_err *err);
void skr_rt_file_free(struct skr_rt_file *f);

/* The rule names defined in rules files (items "- rule: NAME"), with their source. */
struct skr_rt_rule_name {
    const char *name;
    const char *source; /* "syscall" when the item gives none */
};

struct skr_rt_rule_names {
    struct skr_rt_rule_name *v;
    size_t n;
    size_t cap;
    struct skr_cdoc *doc; /* owns the strings */
};

/* Reads the rule names of files and folders (*.yaml, *.yml in name order) into names
 * (zero-initialised by the caller). Duplicates are kept once. */
int skr_rt_rule_names_scan(const char *const *paths,
                           size_t n,
                           struct skr_rt_rule_names *names,
                           struct skr_err *err);
void skr_rt_rule_names_fini(struct skr_rt_rule_names *names);
/* True when some name matches the wildcard pattern. */
bool skr_rt_rule_names_match(const struct skr_rt_rule_names *names, const char *pattern);

/* ---- Alerts (eval.c) ------------------------------------------------------------------ */

struct skr_rt_alert {
    char *rule;
    char *priority;
    char *output;
    cJSON *fields; /* the output_fields object, or NULL */
};

struct skr_rt_alerts {
    struct skr_rt_alert *v;
    size_t n;
    size_t cap;
};

/* Parses one line of saker's JSON output; lines that are not alerts are skipped (0).
 * Returns 1 when an alert was added, 0 when skipped, -ENOMEM. */
int skr_rt_alerts_add_line(struct skr_rt_alerts *a, const char *line, size_t len);
void skr_rt_alerts_fini(struct skr_rt_alerts *a);

/* The rendered value of an output field as text ("" when null or absent: *found false). */
const char *skr_rt_alert_field(const struct skr_rt_alert *al,
                               const char *field,
                               char *buf,
                               size_t size,
                               bool *found);

/* True when the alert belongs to the case (its scope). */
bool skr_rt_in_scope(const struct skr_rt_case *c, const struct skr_rt_alert *al);

/* Checks a case's expectations against the alerts of its run. Returns true when they
 * hold; otherwise why says what went wrong (one line). */
bool skr_rt_check_case(const struct skr_rt_case *c,
                       const struct skr_rt_alerts *alerts,
                       struct skr_strbuf *why);

/* Shell-style wildcard match ('*', '?'), case-sensitive. */
bool skr_rt_wildcard(const char *pattern, const char *s);

/* ---- The engine as a child process (engine.c) ---------------------------------------- */

struct skr_rt_engine {
    pid_t pid;
    int pidfd;  /* -1 when the kernel has no pidfd_open */
    int out_fd; /* the read end of its stdout */
    bool out_eof;
    bool exited;
    int status; /* waitpid status once exited */
    char err_path[4096];
    struct skr_strbuf line; /* a partial stdout line */
    struct skr_rt_alerts alerts;
    struct skr_strbuf extra; /* stdout lines that are neither alerts nor metrics */
    uint64_t drops;          /* events its sources reported dropped (its final metrics) */
};

/* Starts argv[0] (the saker binary) with argv; stdout is read by the runner, stderr goes to
 * err_path. Returns 0 or -errno with err set. */
int skr_rt_engine_start(struct skr_rt_engine *e,
                        const char *const *argv,
                        const char *err_path,
                        struct skr_err *err);
/* Reads what the engine wrote, waiting at most timeout_ms (0: no wait, -1: until something
 * happens). Returns 0, or -EPIPE once its stdout is closed. */
int skr_rt_engine_pump(struct skr_rt_engine *e, int timeout_ms);
/* Reads until stdout closes, then reaps the engine; waits at most timeout_ms overall
 * (-1: forever). Returns the exit code, or -ETIMEDOUT (the engine is then killed). */
int skr_rt_engine_finish(struct skr_rt_engine *e, int timeout_ms);
/* Asks the engine to stop (SIGTERM), then finish()es it. */
int skr_rt_engine_stop(struct skr_rt_engine *e, int timeout_ms);
/* Kills a still running engine and frees everything. */
void skr_rt_engine_fini(struct skr_rt_engine *e);
/* The last max bytes of the engine's stderr, for failure messages. */
void skr_rt_engine_stderr_tail(const struct skr_rt_engine *e, size_t max, struct skr_strbuf *out);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t skr_rt_now_ms(void);

/* ---- Capture files (capfile.c) ---------------------------------------------------------- */

/* When src is gzip-compressed, writes its content to dst and sets *use = dst; otherwise
 * *use = src. Returns 0 or -errno. */
int skr_rt_capture_unpack(const char *src, const char *dst, const char **use, struct skr_err *err);

/*
 * Copies the capture in to out, keeping every SOURCE record and the EVENT records whose
 * thread id is in tids (sorted ascending) or is -1 (events of no thread: plugin events, the
 * start of a source's state). When gzip is true out is gzip-compressed. The file is written
 * to out + ".tmp" and renamed, so out is never half-written.
 */
int skr_rt_capture_filter(const char *in,
                          const char *out,
                          const int64_t *tids,
                          size_t ntids,
                          bool gzip,
                          uint64_t *kept,
                          uint64_t *dropped,
                          struct skr_err *err);

#endif /* SKR_RULETEST_INT_H */
