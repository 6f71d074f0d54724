/* SPDX-License-Identifier: Apache-2.0 */
/* Framing of JSON values inside a byte stream (see jsonkit.h). */
#include "jsonkit.h"

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_delim(char c)
{
    return is_ws(c) || c == ',' || c == ']' || c == '}' || c == ':' || c == '{' || c == '[' ||
           c == '"';
}

size_t jk_skip_ws(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && is_ws(p[i])) {
        i++;
    }
    return i;
}

/* Length of the string token at p[0] == '"', quotes included, or 0 when unterminated. */
static size_t frame_string(const char *p, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (p[i] == '\\') {
            i++; /* the escaped byte can never close the string */
        } else if (p[i] == '"') {
            return i + 1;
        }
    }
    return 0;
}

enum jk_frame_rc jk_frame_value(const char *p, size_t n, bool at_eof, size_t *len)
{
    size_t depth = 0;

    if (n == 0) {
        return at_eof ? JK_FRAME_BAD : JK_FRAME_INCOMPLETE;
    }
    if (p[0] == ']' || p[0] == '}' || p[0] == ',' || p[0] == ':' || is_ws(p[0])) {
        return JK_FRAME_BAD;
    }
    if (p[0] == '"') {
        size_t l = frame_string(p, n);
        if (l == 0) {
            return at_eof ? JK_FRAME_BAD : JK_FRAME_INCOMPLETE;
        }
        *len = l;
        return JK_FRAME_OK;
    }
    if (p[0] != '{' && p[0] != '[') {
        size_t i = 0;
        while (i < n && !is_delim(p[i])) {
            i++;
        }
        if (i == n && !at_eof) {
            return JK_FRAME_INCOMPLETE;
        }
        *len = i;
        return JK_FRAME_OK;
    }
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '"') {
            size_t l = frame_string(p + i, n - i);
            if (l == 0) {
                break;
            }
            i += l - 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth == 0) {
                *len = i + 1;
                return JK_FRAME_OK;
            }
        }
    }
    return at_eof ? JK_FRAME_BAD : JK_FRAME_INCOMPLETE;
}
