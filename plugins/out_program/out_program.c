/* SPDX-License-Identifier: Apache-2.0 */
/*
 * out_program: an output sink piping each alert's line to a program's stdin
 * (Falco's program_output). The program runs with /bin/sh -c in its own
 * process group, with default signal dispositions and an empty signal mask
 * whatever the host blocks or ignores.
 *
 * keep_alive false: one run per alert; the alert is delivered when the
 * program read it and exited with status 0 within the timeout.
 * keep_alive true: one long-running program; the alert is delivered when it
 * was written to the program's stdin. When the program has gone away (exited,
 * or stopped reading for longer than the timeout and was stopped), it is
 * started again and the alert written again, up to max_retries times.
 * plugin_sink_reopen (SIGUSR1) restarts it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <saker/sdk.h>

extern char **environ;

/* The shortest time between two starts of a kept-alive program that keeps exiting. */
#define RESTART_GAP_MS 100

struct state {
    struct saker_errbuf err;
    ss_plugin_owner_t *owner;
    ss_plugin_log_fn_t log;
    char *program;
    bool keep_alive;
    unsigned max_retries;
    int timeout_ms;

    pid_t pid; /* the running program, or 0 */
    int in;    /* its stdin (write end, non-blocking), or -1 */
    uint64_t started_ns;
    uint64_t restarts;
};

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return "3.0.0";
}

SAKER_EXPORT const char *plugin_get_required_saker_ext_version(void)
{
    return "1.0.0";
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return "out_program";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Pipes alerts to a program's stdin, one line each";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "https://github.com/saker-project/saker";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return "0.1.0";
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *type)
{
    *type = SS_PLUGIN_SCHEMA_JSON;
    return "{\"type\":\"object\",\"properties\":{"
           "\"program\":{\"type\":\"string\",\"minLength\":1},"
           "\"keep_alive\":{\"type\":\"boolean\"},"
           "\"max_retries\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},"
           "\"timeout\":{\"type\":\"integer\",\"minimum\":1}"
           "},\"required\":[\"program\"],\"additionalProperties\":false}";
}

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void logf_(struct state *s, ss_plugin_log_severity sev, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void logf_(struct state *s, ss_plugin_log_severity sev, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    int w;

    if (s->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    w = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w > 0) {
        s->log(s->owner, NULL, msg, sev); /* a cut message still says what happened */
    }
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct state *s = calloc(1, sizeof(*s));
    cJSON *cfg;
    const cJSON *v;

    if (s == NULL) {
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    s->in = -1;
    s->owner = in->owner;
    s->log = in->log_fn;
    s->max_retries = 3;
    s->timeout_ms = 10000;
    *rc = SS_PLUGIN_FAILURE;
    cfg = cJSON_Parse(in->config && in->config[0] ? in->config : "{}");
    v = cJSON_GetObjectItemCaseSensitive(cfg, "program");
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
        saker_err(&s->err, "init config needs a \"program\" (program_output.program)");
        goto out;
    }
    s->program = strdup(v->valuestring);
    s->keep_alive = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "keep_alive"));
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(cfg, "max_retries"))) {
        s->max_retries = v->valuedouble < 0 ? 0 : (unsigned)v->valuedouble;
    }
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(cfg, "timeout"))) {
        s->timeout_ms = v->valuedouble < 1 ? 1 : (int)v->valuedouble;
    }
    if (s->program == NULL) {
        saker_err(&s->err, "out of memory");
        goto out;
    }
    *rc = SS_PLUGIN_SUCCESS;
out:
    cJSON_Delete(cfg);
    return s;
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct state *)s)->err.msg;
}

/* ---- The program ----------------------------------------------------------------------- */

static ss_plugin_rc start(struct state *s)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none;
    sigset_t all;
    int p[2];
    char *argv[] = { "sh", "-c", s->program, NULL };
    int rc;

    if (s->in >= 0) {
        close(s->in); /* the stdin of a program that has ended */
        s->in = -1;
    }
    if (pipe2(p, O_CLOEXEC) < 0) {
        return saker_err(&s->err, "cannot make a pipe for '%s': %s", s->program, strerror(errno));
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], STDIN_FILENO);
    posix_spawnattr_init(&at);
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                          POSIX_SPAWN_SETPGROUP);
    rc = posix_spawn(&s->pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(p[0]);
    if (rc != 0) {
        close(p[1]);
        s->pid = 0;
        return saker_err(&s->err, "cannot start '%s': %s", s->program, strerror(rc));
    }
    s->in = p[1];
    fcntl(s->in, F_SETFL, fcntl(s->in, F_GETFL) | O_NONBLOCK);
    s->started_ns = mono_ns();
    return SS_PLUGIN_SUCCESS;
}

static void describe_status(int status, char *buf, size_t size)
{
    int w;

    if (WIFEXITED(status)) {
        w = snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        w = snprintf(buf, size, "was killed by signal %d", WTERMSIG(status));
    } else {
        w = snprintf(buf, size, "ended");
    }
    if (w < 0 || (size_t)w >= size) {
        buf[0] = '\0';
    }
}

/* Waits up to timeout_ms for the program to exit; 1 and *status when it did, 0 when not. */
static int wait_exit(struct state *s, int timeout_ms, int *status)
{
    int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
    int r;

    if (fd >= 0) {
        struct pollfd pf = { .fd = fd, .events = POLLIN };
        while ((r = poll(&pf, 1, timeout_ms)) < 0 && errno == EINTR) {
        }
        close(fd);
        if (r == 0) {
            return 0;
        }
    }
    /* exited (or pidfd unsupported: wait without a bound, as pclose does) */
    while ((r = waitpid(s->pid, status, 0)) < 0 && errno == EINTR) {
    }
    return 1;
}

/* Closes the program's stdin and reaps it: EOF, then SIGTERM, then SIGKILL. Returns its status. */
static int stop(struct state *s, int grace_ms)
{
    int status = 0;

    if (s->in >= 0) {
        close(s->in);
        s->in = -1;
    }
    if (s->pid <= 0) {
        return 0;
    }
    if (!wait_exit(s, grace_ms, &status)) {
        kill(-s->pid, SIGTERM);
        if (!wait_exit(s, 1000, &status)) {
            kill(-s->pid, SIGKILL);
            wait_exit(s, -1, &status);
        }
    }
    s->pid = 0;
    return status;
}

/* True when the kept-alive program is still running (reaps it when it is not). */
static bool running(struct state *s)
{
    int status;

    if (s->pid <= 0) {
        return false;
    }
    if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
        char how[64];
        describe_status(status, how, sizeof(how));
        logf_(s, SS_PLUGIN_LOG_SEV_WARNING, "program '%s' %s: starting it again", s->program, how);
        s->pid = 0; /* its stdin stays open: what it left unread can still be counted */
        return false;
    }
    return true;
}

/* Writes all of buf to the program's stdin within the timeout. 0, or a negative errno. */
/* Writes all of buf to the program's stdin within the timeout, adding what it wrote to
 * *written. 0, or a negative errno. */
static int write_all(struct state *s, const char *buf, size_t len, size_t *written)
{
    size_t off = 0;
    uint64_t deadline = mono_ns() + (uint64_t)s->timeout_ms * 1000000ull;

    while (off < len) {
        ssize_t w = write(s->in, buf + off, len - off);
        if (w > 0) {
            off += (size_t)w;
            *written += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = { .fd = s->in, .events = POLLOUT };
            uint64_t now = mono_ns();
            int r;
            if (now >= deadline) {
                return -ETIMEDOUT;
            }
            r = poll(&pf, 1, (int)((deadline - now) / 1000000ull) + 1);
            if (r == 0) {
                return -ETIMEDOUT;
            }
            if (r > 0 && (pf.revents & (POLLERR | POLLHUP))) {
                return -EPIPE;
            }
            continue;
        }
        return w < 0 ? -errno : -EIO;
    }
    return 0;
}

static int write_line(struct state *s, const char *line, size_t *written)
{
    int rc = write_all(s, line, strlen(line), written);

    return rc < 0 ? rc : write_all(s, "\n", 1, written);
}

/* keep_alive false: one run of the program for one alert. */
static ss_plugin_rc run_once(struct state *s, const saker_alert *a)
{
    size_t written = 0;
    char how[64];
    int status;
    int rc;

    if (start(s) != SS_PLUGIN_SUCCESS) {
        return SS_PLUGIN_FAILURE;
    }
    rc = write_line(s, a->line ? a->line : "", &written);
    status = stop(s, s->timeout_ms);
    if (rc < 0 && rc != -EPIPE) {
        return saker_err(&s->err, "program '%s' did not read the alert within %d ms: stopped",
                         s->program, s->timeout_ms);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        describe_status(status, how, sizeof(how));
        return saker_err(&s->err, "program '%s' %s", s->program, how);
    }
    return SS_PLUGIN_SUCCESS;
}

/* Bytes written to the program's stdin that it has not read yet. */
static size_t unread(struct state *s)
{
    int n = 0;

    if (s->in < 0 || ioctl(s->in, FIONREAD, &n) < 0 || n < 0) {
        return 0;
    }
    return (size_t)n;
}

/* Starts the kept-alive program when it is not running, at most once per RESTART_GAP_MS. */
static ss_plugin_rc ensure_running(struct state *s)
{
    uint64_t gap = (uint64_t)RESTART_GAP_MS * 1000000ull;
    uint64_t since;

    if (running(s)) {
        return SS_PLUGIN_SUCCESS;
    }
    since = mono_ns() - s->started_ns;
    if (s->started_ns != 0 && since < gap) {
        /* a program that exits at once must not be restarted in a tight loop */
        struct timespec d = { 0, (long)(gap - since) };
        nanosleep(&d, NULL);
    }
    if (s->started_ns != 0) {
        s->restarts++;
    }
    return start(s);
}

/*
 * Waits until the program has read everything written to it, has exited, or
 * has read nothing for the timeout. Returns the bytes it left unread (0: all
 * read).
 */
static size_t drain(struct state *s)
{
    uint64_t timeout_ns = (uint64_t)s->timeout_ms * 1000000ull;
    uint64_t deadline = mono_ns() + timeout_ns;
    size_t last = SIZE_MAX;
    long pause_ns = 20000;

    for (;;) {
        size_t left = unread(s);
        struct timespec d;
        if (left == 0) {
            return 0;
        }
        if (!running(s)) {
            return unread(s); /* final now: nobody reads the pipe any more */
        }
        if (left < last) {
            /* it is reading: the timeout runs from its last progress */
            last = left;
            deadline = mono_ns() + timeout_ns;
        } else if (mono_ns() >= deadline) {
            return left;
        }
        d.tv_sec = 0;
        d.tv_nsec = pause_ns;
        nanosleep(&d, NULL);
        if (pause_ns < 2000000) {
            pause_ns *= 2;
        }
    }
}

/*
 * keep_alive true: the alerts of one write call to the running program. An
 * alert is delivered once the program has read its line. When the program
 * went away, or stopped reading for the timeout (then it is stopped), the
 * alerts it did not read are written again to a restarted program, each at
 * most max_retries times.
 */
static void send_kept(struct state *s,
                      uint32_t n,
                      const saker_alert *const *alerts,
                      saker_sink_result *results)
{
    uint32_t first = 0; /* alerts before it are settled */

    while (first < n) {
        size_t written = 0; /* bytes in the pipe since this attempt began, cut lines included */
        size_t ends[256];   /* where each whole line ended */
        uint32_t upto = first;
        uint32_t k = n - first > 256 ? 256 : n - first;
        size_t consumed;
        int rc = 0;

        if (ensure_running(s) != SS_PLUGIN_SUCCESS) {
            rc = -ECHILD;
        }
        while (rc == 0 && upto < first + k) {
            if ((rc = write_line(s, alerts[upto]->line ? alerts[upto]->line : "", &written)) == 0) {
                ends[upto - first] = written;
                upto++;
            }
        }
        consumed = written;
        if (rc != -ECHILD) {
            consumed = written - drain(s);
        }
        if (rc == 0 && consumed == written) {
            for (uint32_t i = first; i < upto; i++) {
                results[i].rc = SS_PLUGIN_SUCCESS;
            }
            first = upto;
            continue;
        }
        /* the program read some lines (delivered); the others are tried again or fail */
        if (rc == -ETIMEDOUT || (rc == 0 && running(s))) {
            saker_err(&s->err, "program '%s' did not read for %d ms: stopped it", s->program,
                      s->timeout_ms);
            logf_(s, SS_PLUGIN_LOG_SEV_WARNING, "%s", s->err.msg);
        } else if (rc != -ECHILD) {
            saker_err(&s->err, "program '%s' went away before reading every alert", s->program);
        }
        stop(s, 0);
        for (uint32_t i = first, base = first; i < upto && ends[i - base] <= consumed; i++) {
            results[i].rc = SS_PLUGIN_SUCCESS;
            first = i + 1;
        }
        if (first >= n) {
            break;
        }
        /* every alert written (even in part) and not read is written again: a retry */
        for (uint32_t i = first; i < n && (i < upto || (i == upto && rc != -ECHILD)); i++) {
            results[i].retries++;
        }
        if (rc == -ECHILD) {
            results[first].retries++; /* the program did not even start */
        }
        if (results[first].retries <= s->max_retries) {
            continue;
        }
        results[first].retries = s->max_retries;
        /* given up on this alert: the program keeps failing, so the rest of the call fails at
         * once (the next call tries again) rather than holding the sink for every alert */
        for (uint32_t i = first; i < n; i++) {
            results[i].rc = SS_PLUGIN_FAILURE;
        }
        if (first + 1 < n) {
            char why[PLUGIN_MAX_ERRLEN];
            memcpy(why, s->err.msg, sizeof(why));
            saker_err(&s->err, "%s (later alerts of the same batch not attempted)", why);
        }
        return;
    }
}

SAKER_EXPORT saker_sink_t *plugin_sink_open(ss_plugin_t *st, const char *params, ss_plugin_rc *rc)
{
    struct state *s = st;

    (void)params;
    *rc = SS_PLUGIN_SUCCESS;
    if (s->keep_alive) {
        /* a program that cannot start is an error at start, not at the first alert */
        *rc = start(s);
    }
    return *rc == SS_PLUGIN_SUCCESS ? s : NULL;
}

SAKER_EXPORT ss_plugin_rc plugin_sink_write(ss_plugin_t *st,
                                            saker_sink_t *h,
                                            uint32_t n,
                                            const saker_alert *const *alerts,
                                            saker_sink_result *results)
{
    struct state *s = st;

    (void)h;
    for (uint32_t i = 0; i < n; i++) {
        results[i].retries = 0;
        results[i].rc = SS_PLUGIN_FAILURE;
    }
    if (s->keep_alive) {
        send_kept(s, n, alerts, results);
        return SS_PLUGIN_SUCCESS;
    }
    for (uint32_t i = 0; i < n; i++) {
        results[i].rc = run_once(s, alerts[i]);
    }
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT ss_plugin_rc plugin_sink_reopen(ss_plugin_t *st, saker_sink_t *h)
{
    struct state *s = st;

    (void)h;
    if (!s->keep_alive) {
        return SS_PLUGIN_SUCCESS;
    }
    stop(s, s->timeout_ms);
    return start(s);
}

SAKER_EXPORT void plugin_sink_close(ss_plugin_t *st, saker_sink_t *h)
{
    struct state *s = st;

    (void)h;
    stop(s, s->timeout_ms);
    if (s->restarts > 0) {
        logf_(s, SS_PLUGIN_LOG_SEV_NOTICE, "program '%s' was started again %llu time(s)",
              s->program, (unsigned long long)s->restarts);
    }
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *st)
{
    struct state *s = st;

    stop(s, 0);
    free(s->program);
    free(s);
}
