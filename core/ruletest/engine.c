/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine under test: the saker binary as a child process. Its stdout (a
 * pipe) carries one JSON alert per line and is read as it comes, so a live
 * run can wait for a given alert; its stderr goes to a file, shown when
 * something fails. Waiting is poll() on the pipe and on a pidfd of the child,
 * never a fixed sleep.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ruletest/ruletest_int.h"

/* How often a child without a pidfd is looked at. */
#define NO_PIDFD_POLL_MS 20

int64_t skr_rt_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

int skr_rt_engine_start(struct skr_rt_engine *e,
                        const char *const *argv,
                        const char *err_path,
                        struct skr_err *err)
{
    int out[2] = { -1, -1 };
    int errfd = -1;
    pid_t pid;
    int n;

    memset(e, 0, sizeof(*e));
    e->pid = -1;
    e->pidfd = -1;
    e->out_fd = -1;
    skr_strbuf_init(&e->line);
    skr_strbuf_init(&e->extra);
    n = snprintf(e->err_path, sizeof(e->err_path), "%s", err_path);
    if (n < 0 || (size_t)n >= sizeof(e->err_path)) {
        return skr_err_set(err, -ENAMETOOLONG, "%s: path too long", err_path);
    }
    errfd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (errfd < 0) {
        return skr_err_set(err, -errno, "%s: cannot create: %s", err_path, strerror(errno));
    }
    if (pipe2(out, O_CLOEXEC) != 0) {
        int rc = -errno;
        close(errfd);
        return skr_err_set(err, rc, "cannot make a pipe: %s", strerror(-rc));
    }
    pid = fork();
    if (pid < 0) {
        int rc = -errno;
        close(errfd);
        close(out[0]);
        close(out[1]);
        return skr_err_set(err, rc, "cannot start %s: %s", argv[0], strerror(-rc));
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        /* an engine never outlives its runner (a live one would run on forever) */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 || dup2(errfd, 2) < 0) {
            _exit(127);
        }
        execv(argv[0], (char *const *)argv);
        dprintf(2, "saker test: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(errfd);
    close(out[1]);
    e->pid = pid;
    e->out_fd = out[0];
    e->pidfd = open_pidfd(pid);
    return 0;
}

/* The metrics line saker prints at exit: the drops its sources reported. */
static bool take_metrics(struct skr_rt_engine *e, const char *line, size_t len)
{
    cJSON *o = cJSON_ParseWithLength(line, len);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "saker_metrics");
    const cJSON *src;
    bool found = m != NULL;

    cJSON_ArrayForEach(src, cJSON_GetObjectItemCaseSensitive(m, "sources")) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(src, "source_drops");
        if (cJSON_IsNumber(d) && d->valuedouble > 0) {
            e->drops += (uint64_t)d->valuedouble;
        }
    }
    cJSON_Delete(o);
    return found;
}

static void take_lines(struct skr_rt_engine *e, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t chunk = nl ? (size_t)(nl - p) : n;
        skr_strbuf_append(&e->line, p, chunk);
        if (nl == NULL) {
            return;
        }
        if (e->line.len > 0 && skr_rt_alerts_add_line(&e->alerts, e->line.p, e->line.len) == 0 &&
            !take_metrics(e, e->line.p, e->line.len) && e->extra.len < 65536) {
            skr_strbuf_append(&e->extra, e->line.p, e->line.len);
            skr_strbuf_putc(&e->extra, '\n');
        }
        skr_strbuf_reset(&e->line);
        p += chunk + 1;
        n -= chunk + 1;
    }
}

static void reap(struct skr_rt_engine *e, bool block)
{
    int st;
    pid_t r;

    if (e->exited || e->pid < 0) {
        return;
    }
    do {
        r = waitpid(e->pid, &st, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == e->pid) {
        e->exited = true;
        e->status = st;
    } else if (r < 0) {
        e->exited = true; /* not our child any more: nothing to wait for */
        e->status = 0;
    }
}

int skr_rt_engine_pump(struct skr_rt_engine *e, int timeout_ms)
{
    struct pollfd pf[2];
    nfds_t np = 0;
    char buf[65536];
    ssize_t r;
    int rc;

    if (e->out_eof) {
        reap(e, false);
        return -EPIPE;
    }
    pf[np++] = (struct pollfd){ .fd = e->out_fd, .events = POLLIN };
    if (e->pidfd >= 0 && !e->exited) {
        pf[np++] = (struct pollfd){ .fd = e->pidfd, .events = POLLIN };
    } else if (e->pidfd < 0 && (timeout_ms < 0 || timeout_ms > NO_PIDFD_POLL_MS)) {
        timeout_ms = NO_PIDFD_POLL_MS;
    }
    do {
        rc = poll(pf, np, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    if (np > 1 && (pf[1].revents & POLLIN) != 0) {
        reap(e, false);
    }
    if (e->pidfd < 0) {
        reap(e, false);
    }
    if (rc <= 0 || (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        return 0;
    }
    /* Take everything that is there now, without blocking. */
    for (;;) {
        struct pollfd one = { .fd = e->out_fd, .events = POLLIN };
        do {
            r = read(e->out_fd, buf, sizeof(buf));
        } while (r < 0 && errno == EINTR);
        if (r <= 0) {
            if (r == 0 || errno != EAGAIN) {
                e->out_eof = true;
                if (e->line.len > 0) {
                    take_lines(e, "\n", 1);
                }
                reap(e, false);
                return -EPIPE;
            }
            return 0;
        }
        take_lines(e, buf, (size_t)r);
        if ((size_t)r < sizeof(buf) || poll(&one, 1, 0) <= 0) {
            return 0;
        }
    }
}

int skr_rt_engine_finish(struct skr_rt_engine *e, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? -1 : skr_rt_now_ms() + timeout_ms;

    while (!e->out_eof) {
        int left = -1;
        if (deadline >= 0) {
            int64_t d = deadline - skr_rt_now_ms();
            if (d <= 0) {
                break;
            }
            left = (int)d;
        }
        skr_rt_engine_pump(e, left);
    }
    if (!e->out_eof) {
        kill(e->pid, SIGKILL);
        reap(e, true);
        return -ETIMEDOUT;
    }
    reap(e, true);
    if (WIFEXITED(e->status)) {
        return WEXITSTATUS(e->status);
    }
    return 128 + (WIFSIGNALED(e->status) ? WTERMSIG(e->status) : 0);
}

int skr_rt_engine_stop(struct skr_rt_engine *e, int timeout_ms)
{
    if (e->pid > 0 && !e->exited) {
        kill(e->pid, SIGTERM);
    }
    return skr_rt_engine_finish(e, timeout_ms);
}

void skr_rt_engine_fini(struct skr_rt_engine *e)
{
    if (e->pid > 0 && !e->exited) {
        kill(e->pid, SIGKILL);
        reap(e, true);
    }
    if (e->out_fd >= 0) {
        close(e->out_fd);
    }
    if (e->pidfd >= 0) {
        close(e->pidfd);
    }
    skr_strbuf_fini(&e->line);
    skr_strbuf_fini(&e->extra);
    skr_rt_alerts_fini(&e->alerts);
    e->pid = -1;
    e->out_fd = -1;
    e->pidfd = -1;
}

void skr_rt_engine_stderr_tail(const struct skr_rt_engine *e, size_t max, struct skr_strbuf *out)
{
    FILE *f = fopen(e->err_path, "rb");
    char buf[4096];
    long size;
    size_t n;

    if (f == NULL) {
        return;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && (size_t)size > max) {
        fseek(f, size - (long)max, SEEK_SET);
    } else {
        fseek(f, 0, SEEK_SET);
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        skr_strbuf_append(out, buf, n);
    }
    fclose(f);
}
