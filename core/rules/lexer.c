/* SPDX-License-Identifier: Apache-2.0 */
#include "rules/lexer.h"

#include <stdio.h>
#include <string.h>

void skr_lexer_init(struct skr_lexer *lx, const char *in, size_t len)
{
    memset(lx, 0, sizeof(*lx));
    lx->in = in;
    lx->len = len;
    lx->pos.idx = 0;
    lx->pos.line = 1;
    lx->pos.col = 1;
}

static void advance(struct skr_lexer *lx, size_t n)
{
    for (size_t i = 0; i < n && lx->pos.idx < lx->len; i++) {
        char c = lx->in[lx->pos.idx];
        lx->pos.col++;
        if (c == '\r' || c == '\n') {
            lx->pos.col = 1;
            lx->pos.line++;
        }
        lx->pos.idx++;
    }
}

/* Bytes left before the end or the first NUL. */
static size_t avail(const struct skr_lexer *lx)
{
    const char *p = lx->in + lx->pos.idx;
    size_t left = lx->len - lx->pos.idx;
    const char *nul = memchr(p, '\0', left);

    return nul != NULL ? (size_t)(nul - p) : left;
}

static bool take(struct skr_lexer *lx, size_t n)
{
    if (n == 0) {
        return false;
    }
    lx->tok = lx->in + lx->pos.idx;
    lx->tok_len = n;
    lx->val = lx->tok;
    lx->val_len = n;
    advance(lx, n);
    return true;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* [:space:] */
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n';
}

bool skr_lex_blank(struct skr_lexer *lx)
{
    size_t n = 0;
    size_t max = avail(lx);
    const char *p = lx->in + lx->pos.idx;

    while (n < max && is_blank(p[n])) {
        n++;
    }
    advance(lx, n);
    return n > 0;
}

bool skr_lex_str(struct skr_lexer *lx, const char *s)
{
    size_t n = strlen(s);

    if (avail(lx) < n || memcmp(lx->in + lx->pos.idx, s, n) != 0) {
        return false;
    }
    return take(lx, n);
}

bool skr_lex_not_blank(struct skr_lexer *lx)
{
    size_t max = avail(lx);
    const char *p = lx->in + lx->pos.idx;
    size_t n = 3;

    if (max < 4 || memcmp(p, "not", 3) != 0 || !is_space(p[3])) {
        return false;
    }
    while (n < max && is_space(p[n])) {
        n++;
    }
    return take(lx, n);
}

/* Length of an identifier at p, 0 if none. */
static size_t ident_len(const char *p, size_t max)
{
    size_t n = 0;

    while (n < max && is_alpha(p[n])) {
        n++;
    }
    if (n == 0) {
        return 0;
    }
    while (n < max && (is_alpha(p[n]) || is_digit(p[n]) || p[n] == '_')) {
        n++;
    }
    return n;
}

bool skr_lex_identifier(struct skr_lexer *lx)
{
    return take(lx, ident_len(lx->in + lx->pos.idx, avail(lx)));
}

bool skr_lex_field_name(struct skr_lexer *lx)
{
    const char *p = lx->in + lx->pos.idx;
    size_t max = avail(lx);
    size_t n = ident_len(p, max);
    size_t parts = 0;

    if (n == 0) {
        return false;
    }
    while (n < max && p[n] == '.') {
        size_t k = ident_len(p + n + 1, max - n - 1);
        if (k == 0) {
            break;
        }
        n += 1 + k;
        parts++;
    }
    if (parts == 0) {
        return false;
    }
    return take(lx, n);
}

bool skr_lex_field_arg_bare(struct skr_lexer *lx)
{
    const char *p = lx->in + lx->pos.idx;
    size_t max = avail(lx);
    size_t n = 0;

    while (n < max && p[n] != ']' && p[n] != '[' && p[n] != '"' && p[n] != '\'' &&
           !is_space(p[n])) {
        n++;
    }
    return take(lx, n);
}

bool skr_lex_hex_number(struct skr_lexer *lx)
{
    const char *p = lx->in + lx->pos.idx;
    size_t max = avail(lx);
    size_t n = 2;

    if (max < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') || !is_hex(p[2])) {
        return false;
    }
    while (n < max && is_hex(p[n])) {
        n++;
    }
    return take(lx, n);
}

bool skr_lex_number(struct skr_lexer *lx)
{
    const char *p = lx->in + lx->pos.idx;
    size_t max = avail(lx);
    size_t n = 0;
    size_t digits;

    if (n < max && (p[n] == '+' || p[n] == '-')) {
        n++;
    }
    digits = n;
    while (n < max && is_digit(p[n])) {
        n++;
    }
    if (n == digits) {
        return false;
    }
    if (n < max && p[n] == '.') {
        n++;
    }
    while (n < max && is_digit(p[n])) {
        n++;
    }
    if (n + 2 < max && (p[n] == 'e' || p[n] == 'E') && (p[n + 1] == '+' || p[n + 1] == '-') &&
        is_digit(p[n + 2])) {
        n += 3;
        while (n < max && is_digit(p[n])) {
            n++;
        }
    }
    return take(lx, n);
}

bool skr_lex_bare_str(struct skr_lexer *lx)
{
    const char *p = lx->in + lx->pos.idx;
    size_t max = avail(lx);
    size_t n = 0;

    while (n < max && p[n] != '(' && p[n] != ')' && p[n] != '"' && p[n] != '\'' && p[n] != '=' &&
           p[n] != ',' && !is_space(p[n])) {
        n++;
    }
    return take(lx, n);
}

static int hexval(char c)
{
    if (is_digit(c)) {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return c - 'A' + 10;
}

char *skr_unescape(struct skr_arena *a,
                   const char *tok,
                   size_t tok_len,
                   size_t *out_len,
                   const char **err)
{
    char quote = tok[0];
    size_t end = tok_len - 1; /* the closing delimiter */
    char *out = skr_arena_alloc(a, tok_len + 1);
    size_t o = 0;
    char buf[96];

    *err = NULL;
    if (out == NULL) {
        *err = "out of memory";
        return NULL;
    }
    for (size_t i = 1; i < end; i++) {
        char c = tok[i];
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        if (++i >= end) {
            /* A trailing backslash before the delimiter cannot happen: the delimiter
             * would have been escaped. Keep the byte as written. */
            out[o++] = '\\';
            break;
        }
        c = tok[i];
        switch (c) {
        case 'b':
            out[o++] = '\b';
            break;
        case 'f':
            out[o++] = '\f';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case ' ': /* legacy: "\ " is a backslash */
        case '\\':
            out[o++] = '\\';
            break;
        case '/':
            out[o++] = '/';
            break;
        case '"':
        case '\'':
            if (c != quote) {
                snprintf(buf, sizeof(buf), "invalid \\%c escape in %c-quoted string", c, quote);
                *err = skr_arena_strdup(a, buf);
                return NULL;
            }
            out[o++] = c;
            break;
        case 'x':
            if (i + 2 >= end || !is_hex(tok[i + 1]) || !is_hex(tok[i + 2])) {
                *err = "truncated/invalid hex char escape sequence";
                return NULL;
            }
            out[o++] = (char)(hexval(tok[i + 1]) * 16 + hexval(tok[i + 2]));
            i += 2;
            break;
        default:
            snprintf(buf, sizeof(buf), "unsupported string escape sequence: \\%c", c);
            *err = skr_arena_strdup(a, buf);
            return NULL;
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

bool skr_lex_quoted(struct skr_lexer *lx, struct skr_arena *a)
{
    const char *p = lx->in + lx->pos.idx;
    size_t max = avail(lx);
    char quote;
    char prev;
    const char *err = NULL;
    size_t n;
    size_t vlen = 0;
    char *v;

    lx->esc_err = NULL;
    if (max == 0 || (p[0] != '"' && p[0] != '\'')) {
        return false;
    }
    quote = p[0];
    /* The string ends at the first delimiter whose previous byte is not a backslash. */
    prev = p[0];
    for (n = 1; n < max; n++) {
        if (p[n] == quote && prev != '\\') {
            break;
        }
        prev = p[n];
    }
    if (n >= max) {
        return false;
    }
    v = skr_unescape(a, p, n + 1, &vlen, &err);
    if (v == NULL) {
        lx->esc_err = err;
        return false;
    }
    take(lx, n + 1);
    lx->val = v;
    lx->val_len = vlen;
    return true;
}
