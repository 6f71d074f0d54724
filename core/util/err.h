/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User-facing errors. A function that can fail returns 0 or a negative errno
 * and, when given one, fills a struct skr_err with a message a user can act
 * on and, for file input, the file, line and column. Report each error once,
 * where it is decided; callers pass err up unchanged.
 */
#ifndef SKR_UTIL_ERR_H
#define SKR_UTIL_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define SKR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SKR_PRINTF(fmt, args)
#endif

#define SKR_ERR_MSG_MAX  1024
#define SKR_ERR_FILE_MAX 512

struct skr_err {
    int code;                    /* negative errno, 0 when clear */
    unsigned line;               /* 1-based; 0 when not about a file position */
    unsigned col;                /* 1-based; 0 when unknown */
    char file[SKR_ERR_FILE_MAX]; /* "" when not about a file */
    char msg[SKR_ERR_MSG_MAX];
};

/* Clears err (NULL is allowed). */
void skr_err_clear(struct skr_err *err);

/* Sets code and message, clears the position. Returns code. err may be NULL. */
int skr_err_set(struct skr_err *err, int code, const char *fmt, ...) SKR_PRINTF(3, 4);

/* Sets code, message and position (file may be NULL). Returns code. */
int skr_err_set_at(struct skr_err *err,
                   int code,
                   const char *file,
                   unsigned line,
                   unsigned col,
                   const char *fmt,
                   ...) SKR_PRINTF(6, 7);

/* Puts "context: " in front of the message already in err. Returns err->code. */
int skr_err_prefix(struct skr_err *err, const char *fmt, ...) SKR_PRINTF(2, 3);

/* Formats err as "file:line:col: msg" (only the known parts) into buf. Returns buf. */
const char *skr_err_format(const struct skr_err *err, char *buf, size_t size);

#endif /* SKR_UTIL_ERR_H */
