/* SPDX-License-Identifier: Apache-2.0 */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_str[1];

void skr_strbuf_init(struct skr_strbuf *b)
{
    b->p = empty_str;
    b->len = 0;
    b->cap = 0;
    b->max = 0;
    b->truncated = false;
}

void skr_strbuf_fini(struct skr_strbuf *b)
{
    if (b->cap > 0) {
        free(b->p);
    }
    skr_strbuf_init(b);
}

void skr_strbuf_reset(struct skr_strbuf *b)
{
    b->len = 0;
    if (b->cap > 0) {
        b->p[0] = '\0';
    }
    b->truncated = false;
}

/* Makes room for want more bytes plus the NUL; returns how many of them fit. */
static size_t reserve(struct skr_strbuf *b, size_t want)
{
    size_t need;
    size_t ncap;
    char *np;

    if (b->max > 0 && b->len + want > b->max) {
        want = b->max - b->len;
    }
    need = b->len + want + 1;
    if (need <= b->cap) {
        return want;
    }
    ncap = b->cap ? b->cap : 64;
    while (ncap < need) {
        ncap *= 2;
    }
    np = b->cap > 0 ? realloc(b->p, ncap) : malloc(ncap);
    if (np == NULL) {
        b->truncated = true;
        return b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
    }
    if (b->cap == 0) {
        np[0] = '\0';
    }
    b->p = np;
    b->cap = ncap;
    return want;
}

void skr_strbuf_append(struct skr_strbuf *b, const char *s, size_t n)
{
    size_t fit = reserve(b, n);

    if (fit < n) {
        b->truncated = true;
    }
    if (fit == 0) {
        return;
    }
    memcpy(b->p + b->len, s, fit);
    b->len += fit;
    b->p[b->len] = '\0';
}

void skr_strbuf_puts(struct skr_strbuf *b, const char *s)
{
    skr_strbuf_append(b, s, strlen(s));
}

void skr_strbuf_putc(struct skr_strbuf *b, char c)
{
    skr_strbuf_append(b, &c, 1);
}

void skr_strbuf_printf(struct skr_strbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->truncated = true;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        skr_strbuf_append(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n) < (size_t)n) {
        b->truncated = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void skr_strbuf_json_escape(struct skr_strbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        size_t elen = 2;

        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        skr_strbuf_append(b, s + start, i - start);
        esc[0] = '\\';
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xf];
            elen = 6;
            break;
        }
        skr_strbuf_append(b, esc, elen);
        start = i + 1;
    }
    skr_strbuf_append(b, s + start, n - start);
}

char *skr_strbuf_steal(struct skr_strbuf *b)
{
    char *p;

    if (b->cap == 0) {
        p = strdup("");
    } else {
        p = b->p;
    }
    skr_strbuf_init(b);
    return p;
}
