/* SPDX-License-Identifier: Apache-2.0 */
/* Buffers and the text forms of JSON values (see jsonkit.h). */
#include "jsonkit.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

void jk_buf_init(struct jk_buf *b)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void jk_buf_fini(struct jk_buf *b)
{
    free(b->p);
    jk_buf_init(b);
}

int jk_buf_reserve(struct jk_buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 256;
    char *p;

    if (need <= b->cap) {
        return 0;
    }
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            return -1;
        }
        cap *= 2;
    }
    p = realloc(b->p, cap);
    if (p == NULL) {
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

int jk_buf_append(struct jk_buf *b, const char *p, size_t n)
{
    if (n > SIZE_MAX - b->len - 1 || jk_buf_reserve(b, b->len + n + 1) < 0) {
        return -1;
    }
    if (n > 0) {
        memcpy(b->p + b->len, p, n);
    }
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* Appends cJSON's compact printing of v at b->len. */
static int print_at(struct jk_buf *b, const cJSON *v)
{
    size_t room = 64;

    for (;;) {
        size_t avail;
        if (jk_buf_reserve(b, b->len + room) < 0) {
            return -1;
        }
        avail = b->cap - b->len;
        if (avail > INT_MAX) {
            avail = INT_MAX;
        }
        /* cJSON_PrintPreallocated only reads the tree; its prototype lacks const. */
        if (cJSON_PrintPreallocated((cJSON *)v, b->p + b->len, (int)avail, 0)) {
            b->len += strlen(b->p + b->len);
            return 0;
        }
        if (avail == INT_MAX) {
            return -1;
        }
        room = b->cap - b->len + 1; /* forces the next reserve to double */
    }
}

int jk_print_compact(struct jk_buf *b, const cJSON *v)
{
    b->len = 0;
    return print_at(b, v);
}

const char *jk_text(struct jk_buf *b, const cJSON *v, size_t *len)
{
    if (v == NULL) {
        return NULL;
    }
    if (cJSON_IsString(v) && v->valuestring != NULL) {
        *len = strlen(v->valuestring);
        return v->valuestring;
    }
    if (jk_print_compact(b, v) < 0) {
        return NULL;
    }
    *len = b->len;
    return b->p;
}

static int indent(struct jk_buf *b, int level)
{
    for (int i = 0; i < level; i++) {
        if (jk_buf_append(b, "  ", 2) < 0) {
            return -1;
        }
    }
    return 0;
}

/* A key printed as a JSON string by cJSON, without allocating a node. */
static int print_key(struct jk_buf *b, const char *key)
{
    cJSON tmp;

    memset(&tmp, 0, sizeof(tmp));
    tmp.type = cJSON_String | cJSON_IsReference;
    tmp.valuestring = (char *)key;
    return print_at(b, &tmp);
}

static int print_indented(struct jk_buf *b, const cJSON *v, int level)
{
    bool obj = cJSON_IsObject(v);

    if (!obj && !cJSON_IsArray(v)) {
        return print_at(b, v);
    }
    if (v->child == NULL) {
        return jk_buf_append(b, obj ? "{}" : "[]", 2);
    }
    if (jk_buf_append(b, obj ? "{\n" : "[\n", 2) < 0) {
        return -1;
    }
    for (const cJSON *c = v->child; c != NULL; c = c->next) {
        if (indent(b, level + 1) < 0) {
            return -1;
        }
        if (obj &&
            (print_key(b, c->string ? c->string : "") < 0 || jk_buf_append(b, ": ", 2) < 0)) {
            return -1;
        }
        if (print_indented(b, c, level + 1) < 0) {
            return -1;
        }
        if (jk_buf_append(b, c->next ? ",\n" : "\n", c->next ? 2 : 1) < 0) {
            return -1;
        }
    }
    if (indent(b, level) < 0) {
        return -1;
    }
    return jk_buf_append(b, obj ? "}" : "]", 1);
}

int jk_print_indented(struct jk_buf *b, const cJSON *v)
{
    b->len = 0;
    if (jk_buf_reserve(b, 1) < 0) {
        return -1;
    }
    b->p[0] = '\0';
    return print_indented(b, v, 0);
}
