/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The main loop: start the outputs and the sources (or the replay), then
 * wait for signals, source endings and metrics ticks.
 *   SIGINT, SIGTERM  stop the sources after their current batch, drain the
 *                    alert queue, flush and close the sinks, close plugins
 *   SIGUSR1          reopen the sinks (log rotation)
 *   SIGHUP           reload: rules swapped in atomically when only rules
 *                    settings changed (no event is lost), else a full
 *                    restart of the engine with the new configuration
 * The signals are blocked in every thread and read from a signalfd here.
 */
#include "pipeline/pipeline_int.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void print_diags(struct skr_diags *d)
{
    struct skr_strbuf out;

    if (d == NULL || skr_diags_count(d) == 0) {
        return;
    }
    skr_strbuf_init(&out);
    skr_diags_format(d, false, &out);
    /* one log line per diagnostic, so each is greppable */
    for (char *line = out.p; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        skr_log(strstr(line, "error") != NULL ? SKR_LOG_ERR : SKR_LOG_WARNING, "rules", "%s", line);
        line = nl != NULL ? nl + 1 : NULL;
    }
    skr_strbuf_fini(&out);
}

/* Loads the rules into e->rs; on error prints every diagnostic. */
static int load_rules(struct skr_engine *e, struct skr_err *err)
{
    struct skr_ruleset *rs = NULL;
    struct skr_diags *d = skr_diags_new();
    int rc;

    rc = skr_engine_load_rules(e, NULL, 0, &rs, d, err);
    print_diags(d);
    skr_diags_free(d);
    if (rc < 0) {
        return rc;
    }
    pthread_mutex_lock(&e->rs_lock);
    e->rs = rs;
    atomic_fetch_add(&e->rs_gen, 1);
    pthread_mutex_unlock(&e->rs_lock);
    if (rs != NULL) {
        skr_log(SKR_LOG_INFO, "rules", "%zu rules loaded", skr_ruleset_rule_count(rs));
    }
    return 0;
}

static int start(struct skr_engine *e, struct skr_err *err)
{
    int rc;

    if ((rc = load_rules(e, err)) < 0) {
        return rc;
    }
    if ((rc = skr_output_start(e->out, err)) < 0) {
        return rc;
    }
    if (e->opts->dry_run) {
        return 0;
    }
    if (e->replay) {
        if ((rc = skr_replay_open(e, e->opts->capture_read, err)) < 0) {
            return rc;
        }
        return skr_replay_start(e, err);
    }
    for (size_t i = 0; i < e->nsources; i++) {
        if ((rc = skr_source_start(e->sources[i], err)) < 0) {
            return rc;
        }
    }
    return 0;
}

static bool all_ended(struct skr_engine *e)
{
    for (size_t i = 0; i < e->nsources; i++) {
        int st = atomic_load(&e->sources[i]->state);
        if (st == SRC_RUNNING || st == SRC_IDLE) {
            return false;
        }
    }
    return true;
}

/* Stops sources, drains and closes outputs. Returns the number of failed sources. */
static int stop(struct skr_engine *e)
{
    int failed = 0;

    atomic_store(&e->stop, true);
    skr_replay_join(e);
    for (size_t i = 0; i < e->nsources; i++) {
        struct skr_source *s = e->sources[i];
        skr_source_join(s);
        if (atomic_load(&s->state) == SRC_FAILED) {
            failed++;
        }
    }
    skr_output_stop(e->out);
    return failed;
}

/* The configuration minus the keys a rules reload may change, as JSON. */
static char *structure_of(const struct skr_cfg *c)
{
    static const char *const rule_keys[] = { "rules_files", "rules_file",    "rules",
                                             "priority",    "rule_matching", "log_level" };
    struct skr_cnode copy = *c->root;
    struct skr_cnode *keys[256];
    struct skr_cnode *vals[256];
    size_t n = 0;

    for (size_t i = 0; i < c->root->n && n < 256; i++) {
        bool skip = false;
        for (size_t k = 0; k < sizeof(rule_keys) / sizeof(rule_keys[0]); k++) {
            skip = skip || strcmp(c->root->keys[i]->text, rule_keys[k]) == 0;
        }
        if (!skip) {
            keys[n] = c->root->keys[i];
            vals[n] = c->root->vals[i];
            n++;
        }
    }
    copy.keys = keys;
    copy.vals = vals;
    copy.n = n;
    return skr_cnode_to_json(&copy);
}

static int retire_cfg(struct skr_engine *e, struct skr_cfg *old)
{
    struct skr_cfg **nr = realloc(e->retired, (e->nretired + 1) * sizeof(*nr));

    if (nr == NULL) {
        return -ENOMEM;
    }
    e->retired = nr;
    e->retired[e->nretired++] = old;
    return 0;
}

/* SIGHUP. Returns 1 when the engine must be rebuilt with *newcfg, 0 when done. */
static int reload(struct skr_engine *e, struct skr_cfg **newcfg)
{
    struct skr_config_input in = { 0 };
    struct skr_cfg *c = NULL;
    struct skr_err err;
    struct skr_ruleset *rs = NULL;
    struct skr_diags *d;
    struct skr_cfg *old;
    char *a;
    char *b;
    bool same;
    int rc;

    *newcfg = NULL;
    in.path = e->opts->config_path;
    in.text = e->opts->default_text;
    in.text_len = e->opts->default_len;
    in.text_name = "<embedded saker.yaml>";
    in.overrides = e->opts->overrides;
    in.num_overrides = e->opts->num_overrides;
    skr_err_clear(&err);
    if (skr_config_load(&in, &c, &err) < 0) {
        char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
        skr_log(SKR_LOG_ERR, "reload",
                "SIGHUP: configuration not reloaded, the running one stays: %s",
                skr_err_format(&err, buf, sizeof(buf)));
        return 0;
    }
    a = structure_of(e->cfg);
    b = structure_of(c);
    same = a != NULL && b != NULL && strcmp(a, b) == 0;
    free(a);
    free(b);
    if (!same) {
        skr_log(SKR_LOG_INFO, "reload",
                "SIGHUP: plugins, outputs or other settings changed: restarting the engine");
        *newcfg = c;
        return 1;
    }
    /* only rules settings changed: compile the new ruleset beside the running one */
    old = e->cfg;
    e->cfg = c;
    d = skr_diags_new();
    rc = skr_engine_load_rules(e, NULL, 0, &rs, d, &err);
    print_diags(d);
    skr_diags_free(d);
    if (rc < 0) {
        e->cfg = old;
        skr_config_free(c);
        skr_log(SKR_LOG_ERR, "reload",
                "SIGHUP: the rules did not load, the running rules stay (see the errors above)");
        return 0;
    }
    if (retire_cfg(e, old) < 0) {
        skr_log(SKR_LOG_WARNING, "reload", "out of memory keeping the old configuration");
    }
    skr_log_set_level((enum skr_log_level)c->v.log_level);
    pthread_mutex_lock(&e->rs_lock);
    {
        struct skr_ruleset *prev = e->rs;
        e->rs = rs;
        atomic_fetch_add_explicit(&e->rs_gen, 1, memory_order_release);
        pthread_mutex_unlock(&e->rs_lock);
        skr_ruleset_unref(prev);
    }
    skr_log(SKR_LOG_INFO, "reload", "SIGHUP: %zu rules loaded and swapped in",
            rs ? skr_ruleset_rule_count(rs) : 0);
    return 0;
}

static int finish_capture(struct skr_engine *e)
{
    struct skr_err err;
    int rc = 0;

    if (e->cw != NULL) {
        skr_err_clear(&err);
        if (skr_capture_close(e->cw, &err) < 0) {
            skr_log(SKR_LOG_ERR, "capture", "%s", err.msg);
            rc = -1;
        }
        e->cw = NULL;
    }
    return rc;
}

int skr_engine_run(struct skr_engine **pe, const struct skr_app_opts *opts)
{
    struct skr_engine *e = *pe;
    sigset_t mask;
    int sfd;
    struct skr_err err;
    char buf[SKR_ERR_MSG_MAX + SKR_ERR_FILE_MAX + 32];
    uint64_t next_metrics = 0;
    int failed;
    int code = 0;

    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGUSR1);
    sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        skr_log(SKR_LOG_ERR, "run", "signalfd: %s", strerror(errno));
        return 1;
    }
restart:
    skr_err_clear(&err);
    if (start(e, &err) < 0) {
        skr_log(SKR_LOG_ERR, "run", "%s", skr_err_format(&err, buf, sizeof(buf)));
        stop(e);
        close(sfd);
        return 1;
    }
    if (opts->dry_run) {
        skr_log(SKR_LOG_INFO, "run",
                "dry run: configuration, plugins, rules and outputs are "
                "ready; exiting without reading events");
        stop(e);
        close(sfd);
        return finish_capture(e) < 0 ? 1 : 0;
    }
    skr_log(SKR_LOG_INFO, "run", "%s %zu event source(s)", e->replay ? "replaying" : "running",
            e->nsources);
    if (e->cfg->v.metrics.enabled) {
        next_metrics = skr_mono_ns() + e->cfg->v.metrics.interval_ms * 1000000ull;
    }
    for (;;) {
        struct pollfd fds[2] = { { .fd = sfd, .events = POLLIN },
                                 { .fd = e->notify_fd, .events = POLLIN } };
        int timeout = -1;
        int n;

        if (all_ended(e) || atomic_load(&e->stop)) {
            break;
        }
        if (next_metrics != 0) {
            uint64_t now = skr_mono_ns();
            timeout = now >= next_metrics ? 0 : (int)((next_metrics - now) / 1000000ull) + 1;
        }
        n = poll(fds, 2, timeout);
        if (n < 0 && errno != EINTR) {
            skr_log(SKR_LOG_ERR, "run", "poll: %s", strerror(errno));
            break;
        }
        if (next_metrics != 0 && skr_mono_ns() >= next_metrics) {
            skr_metrics_emit(e, false);
            next_metrics += e->cfg->v.metrics.interval_ms * 1000000ull;
        }
        if (n > 0 && (fds[1].revents & POLLIN)) {
            uint64_t v;
            if (read(e->notify_fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
                skr_log(SKR_LOG_DEBUG, "run", "eventfd read: %s", strerror(errno));
            }
        }
        if (n > 0 && (fds[0].revents & POLLIN)) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) {
                    skr_log(SKR_LOG_INFO, "run", "%s: stopping",
                            si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
                    atomic_store(&e->stop, true);
                } else if (si.ssi_signo == SIGUSR1) {
                    skr_log(SKR_LOG_INFO, "run", "SIGUSR1: reopening the outputs");
                    skr_output_reopen(e->out);
                } else if (si.ssi_signo == SIGHUP && e->replay) {
                    skr_log(SKR_LOG_WARNING, "run",
                            "SIGHUP ignored: a capture replay runs with the configuration it "
                            "started with");
                } else if (si.ssi_signo == SIGHUP) {
                    struct skr_cfg *nc = NULL;
                    if (reload(e, &nc) == 1) {
                        const struct skr_app_opts *o = e->opts;
                        struct skr_engine *ne = NULL;
                        stop(e);
                        skr_metrics_emit(e, false);
                        finish_capture(e);
                        skr_engine_free(e);
                        *pe = NULL;
                        skr_log_set_level((enum skr_log_level)nc->v.log_level);
                        skr_err_clear(&err);
                        if (skr_engine_new(o, nc, SKR_MODE_RUN, &ne, &err) < 0) {
                            skr_log(SKR_LOG_ERR, "reload",
                                    "SIGHUP: the new configuration does not start: %s",
                                    skr_err_format(&err, buf, sizeof(buf)));
                            close(sfd);
                            return 1;
                        }
                        e = *pe = ne;
                        next_metrics = 0;
                        goto restart;
                    }
                }
            }
        }
    }
    failed = stop(e);
    for (size_t i = 0; i < e->nsources; i++) {
        struct skr_source *s = e->sources[i];
        if (atomic_load(&s->state) == SRC_FAILED) {
            skr_log(SKR_LOG_ERR, "run", "source '%s' failed: %s", s->name, s->error);
        }
    }
    skr_metrics_emit(e, true);
    if (finish_capture(e) < 0) {
        code = 1;
    }
    if (failed > 0 || atomic_load(&e->fatal) || atomic_load(&e->replay_failed)) {
        code = 1;
    }
    close(sfd);
    return code;
}
