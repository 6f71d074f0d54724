/* SPDX-License-Identifier: Apache-2.0 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void skr_err_clear(struct skr_err *err)
{
    if (err == NULL) {
        return;
    }
    err->code = 0;
    err->line = 0;
    err->col = 0;
    err->file[0] = '\0';
    err->msg[0] = '\0';
}

static void set_msg(struct skr_err *err, const char *fmt, va_list ap)
{
    int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    if (n < 0) {
        err->msg[0] = '\0';
    }
}

int skr_err_set(struct skr_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return code;
    }
    skr_err_clear(err);
    err->code = code;
    va_start(ap, fmt);
    set_msg(err, fmt, ap);
    va_end(ap);
    return code;
}

int skr_err_set_at(struct skr_err *err,
                   int code,
                   const char *file,
                   unsigned line,
                   unsigned col,
                   const char *fmt,
                   ...)
{
    va_list ap;

    if (err == NULL) {
        return code;
    }
    skr_err_clear(err);
    err->code = code;
    err->line = line;
    err->col = col;
    if (file != NULL) {
        snprintf(err->file, sizeof(err->file), "%s", file);
    }
    va_start(ap, fmt);
    set_msg(err, fmt, ap);
    va_end(ap);
    return code;
}

int skr_err_prefix(struct skr_err *err, const char *fmt, ...)
{
    char prefix[SKR_ERR_MSG_MAX];
    char old[SKR_ERR_MSG_MAX];
    va_list ap;

    if (err == NULL) {
        return 0;
    }
    va_start(ap, fmt);
    if (vsnprintf(prefix, sizeof(prefix), fmt, ap) < 0) {
        prefix[0] = '\0';
    }
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) < 0) {
        memcpy(err->msg, old, sizeof(old));
    }
    return err->code;
}

const char *skr_err_format(const struct skr_err *err, char *buf, size_t size)
{
    int n;

    if (size == 0) {
        return buf;
    }
    if (err->file[0] != '\0' && err->line > 0 && err->col > 0) {
        n = snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line, err->col, err->msg);
    } else if (err->file[0] != '\0' && err->line > 0) {
        n = snprintf(buf, size, "%s:%u: %s", err->file, err->line, err->msg);
    } else if (err->file[0] != '\0') {
        n = snprintf(buf, size, "%s: %s", err->file, err->msg);
    } else {
        n = snprintf(buf, size, "%s", err->msg);
    }
    if (n < 0) {
        buf[0] = '\0';
    }
    return buf;
}
