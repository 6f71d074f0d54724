/* SPDX-License-Identifier: Apache-2.0 */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

/* The log is process-wide by nature: one level and one writer, guarded. */
static _Atomic int g_level = SKR_LOG_INFO;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static skr_log_sink_fn g_sink;
static void *g_sink_user;

static const char *const level_names[] = {
    "emergency", "alert", "critical", "error", "warning", "notice", "info", "debug",
};

const char *skr_log_level_name(enum skr_log_level level)
{
    if ((int)level < 0 || (int)level > SKR_LOG_DEBUG) {
        return "unknown";
    }
    return level_names[level];
}

int skr_log_level_parse(const char *name, enum skr_log_level *out)
{
    for (int i = 0; i <= SKR_LOG_DEBUG; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (enum skr_log_level)i;
            return 0;
        }
    }
    if (strcasecmp(name, "informational") == 0) {
        *out = SKR_LOG_INFO;
        return 0;
    }
    return -1;
}

void skr_log_set_level(enum skr_log_level level)
{
    atomic_store(&g_level, (int)level);
}

enum skr_log_level skr_log_get_level(void)
{
    return (enum skr_log_level)atomic_load(&g_level);
}

void skr_log_set_sink(skr_log_sink_fn fn, void *user)
{
    pthread_mutex_lock(&g_lock);
    g_sink = fn;
    g_sink_user = user;
    pthread_mutex_unlock(&g_lock);
}

static void vlog(enum skr_log_level level, const char *component, const char *fmt, va_list ap)
{
    char msg[2048];
    char line[2304];

    if ((int)level > atomic_load(&g_level)) {
        return;
    }
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    if (component != NULL && component[0] != '\0') {
        snprintf(line, sizeof(line), "%s: [%s] %s", skr_log_level_name(level), component, msg);
    } else {
        snprintf(line, sizeof(line), "%s: %s", skr_log_level_name(level), msg);
    }
    pthread_mutex_lock(&g_lock);
    if (g_sink != NULL) {
        g_sink(level, line, g_sink_user);
    } else {
        fprintf(stderr, "saker: %s\n", line);
    }
    pthread_mutex_unlock(&g_lock);
}

void skr_log(enum skr_log_level level, const char *component, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(level, component, fmt, ap);
    va_end(ap);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void skr_complain(struct skr_complaint *c,
                  enum skr_log_level level,
                  const char *component,
                  const char *fmt,
                  ...)
{
    uint64_t now = mono_ns();
    uint64_t interval = c->interval_ns ? c->interval_ns : 10ull * 1000000000ull;
    char msg[1024];
    va_list ap;

    if (c->last_ns != 0 && now - c->last_ns < interval) {
        c->suppressed++;
        return;
    }
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    va_end(ap);
    if (c->suppressed > 0) {
        skr_log(level, component, "%s (%llu similar messages suppressed)", msg,
                (unsigned long long)c->suppressed);
    } else {
        skr_log(level, component, "%s", msg);
    }
    c->suppressed = 0;
    c->last_ns = now;
}
