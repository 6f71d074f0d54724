/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Saker's own operational log (not alerts). One way in: skr_log(). Lines go
 * to stderr as "saker: <level>: [component] message" unless a sink is set.
 * Thread-safe. Never log per event: use a skr_complaint, which rate-limits.
 */
#ifndef SKR_UTIL_LOG_H
#define SKR_UTIL_LOG_H

#include <stdint.h>

#include "util/err.h"

/* Levels share their numbers with syslog severities and alert priorities. */
enum skr_log_level {
    SKR_LOG_EMERG = 0,
    SKR_LOG_ALERT = 1,
    SKR_LOG_CRIT = 2,
    SKR_LOG_ERR = 3,
    SKR_LOG_WARNING = 4,
    SKR_LOG_NOTICE = 5,
    SKR_LOG_INFO = 6,
    SKR_LOG_DEBUG = 7,
};

/* Receives every line that passes the level; line has no trailing newline. */
typedef void (*skr_log_sink_fn)(enum skr_log_level level, const char *line, void *user);

void skr_log(enum skr_log_level level, const char *component, const char *fmt, ...)
        SKR_PRINTF(3, 4);

/* Messages above (less severe than) level are dropped. Default: SKR_LOG_INFO. */
void skr_log_set_level(enum skr_log_level level);
enum skr_log_level skr_log_get_level(void);

/* Replaces the stderr writer; NULL restores it. */
void skr_log_set_sink(skr_log_sink_fn fn, void *user);

/* "emergency".."debug" (Falco's log_level names, "info"/"informational" both accepted). */
const char *skr_log_level_name(enum skr_log_level level);
int skr_log_level_parse(const char *name, enum skr_log_level *out);

/*
 * A rate-limited complaint: at most one line per interval, saying how many
 * were suppressed since the last one. Zero-initialise; one per call site and
 * thread (it is not locked).
 */
struct skr_complaint {
    uint64_t last_ns;
    uint64_t suppressed;
    uint64_t interval_ns; /* 0 means 10 s */
};

void skr_complain(struct skr_complaint *c,
                  enum skr_log_level level,
                  const char *component,
                  const char *fmt,
                  ...) SKR_PRINTF(4, 5);

#endif /* SKR_UTIL_LOG_H */
