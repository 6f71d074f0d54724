/* SPDX-License-Identifier: Apache-2.0 */
/* Syslog message formatting (RFC 5424, RFC 3164) and octet-counting framing (RFC 6587). */
#include "frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool reserve(struct msgbuf *b, size_t more)
{
    size_t need;
    char *np;
    size_t ncap;

    if (b->oom) {
        return false;
    }
    need = b->len + more + 1;
    if (need <= b->cap) {
        return true;
    }
    ncap = b->cap ? b->cap : 512;
    while (ncap < need) {
        ncap *= 2;
    }
    np = realloc(b->p, ncap);
    if (np == NULL) {
        b->oom = true;
        return false;
    }
    b->p = np;
    b->cap = ncap;
    return true;
}

static void put(struct msgbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n)) {
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void putf(struct msgbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct msgbuf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    int w;

    va_start(ap, fmt);
    w = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof(tmp)) {
        b->oom = true; /* never happens with the formats below; refuse rather than cut */
        return;
    }
    put(b, tmp, (size_t)w);
}

/* A header field: printable ASCII without spaces, at most max bytes, "-" when empty. */
static void put_token(struct msgbuf *b, const char *s, size_t max)
{
    size_t n = 0;

    if (s == NULL || s[0] == '\0') {
        put(b, "-", 1);
        return;
    }
    for (; s[n] != '\0' && n < max; n++) {
        char c = s[n];
        if (c <= 32 || c >= 127) {
            c = '_';
        }
        put(b, &c, 1);
    }
}

void msgbuf_reset(struct msgbuf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->p != NULL) {
        b->p[0] = '\0';
    }
}

void msgbuf_fini(struct msgbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->oom = false;
}

size_t syslog_format_msg(struct msgbuf *b, enum syslog_format f, const struct syslog_msg *m)
{
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t secs = (time_t)(m->ts / 1000000000ull);
    size_t start = b->len;
    struct tm tm;

    putf(b, "<%d>", m->facility * 8 + (m->severity & 7));
    if (f == SYSLOG_RFC5424) {
        /* VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG] */
        gmtime_r(&secs, &tm);
        putf(b, "1 %04d-%02d-%02dT%02d:%02d:%02d.%06luZ ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (unsigned long)((m->ts % 1000000000ull) / 1000ull));
        put_token(b, m->hostname, 255);
        put(b, " ", 1);
        put_token(b, m->app, 48);
        putf(b, " %d ", m->pid);
        put_token(b, m->msgid, 32);
        put(b, " - ", 3);
    } else {
        /* "<PRI>Mmm dd hh:mm:ss [HOSTNAME ]TAG[pid]: MSG", local time, as syslog(3) writes */
        localtime_r(&secs, &tm);
        putf(b, "%s %2d %02d:%02d:%02d ", months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
        if (m->with_host) {
            put_token(b, m->hostname, 255);
            put(b, " ", 1);
        }
        put_token(b, m->app, 32);
        putf(b, "[%d]: ", m->pid);
    }
    put(b, m->text, m->text_len);
    return b->oom ? 0 : b->len - start;
}

size_t syslog_octet_prefix(char *buf, size_t size, size_t n)
{
    int w = snprintf(buf, size, "%zu ", n);

    return w < 0 || (size_t)w >= size ? 0 : (size_t)w;
}
