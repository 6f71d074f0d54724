/* SPDX-License-Identifier: Apache-2.0 */
#include "config/tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util/strbuf.h"

struct skr_cdoc *skr_cdoc_new(void)
{
    struct skr_cdoc *d = calloc(1, sizeof(*d));

    if (d != NULL) {
        skr_arena_init(&d->arena, 16384);
    }
    return d;
}

void skr_cdoc_free(struct skr_cdoc *d)
{
    if (d == NULL) {
        return;
    }
    skr_arena_fini(&d->arena);
    free(d);
}

struct skr_cnode *skr_cnode_new(struct skr_cdoc *d,
                                enum skr_cnode_kind kind,
                                const char *file,
                                unsigned line,
                                unsigned col)
{
    struct skr_cnode *n = skr_arena_calloc(&d->arena, 1, sizeof(*n));

    if (n == NULL) {
        return NULL;
    }
    n->kind = kind;
    n->file = file;
    n->line = line;
    n->col = col;
    n->text = "";
    return n;
}

int skr_cnode_append(struct skr_cdoc *d,
                     struct skr_cnode *n,
                     struct skr_cnode *key,
                     struct skr_cnode *val)
{
    if (n->n == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 8;
        struct skr_cnode **vals = skr_arena_alloc(&d->arena, cap * sizeof(*vals));
        struct skr_cnode **keys = NULL;

        if (vals == NULL) {
            return -ENOMEM;
        }
        if (n->kind == SKR_CNODE_MAP) {
            keys = skr_arena_alloc(&d->arena, cap * sizeof(*keys));
            if (keys == NULL) {
                return -ENOMEM;
            }
            if (n->n > 0) {
                memcpy(keys, n->keys, n->n * sizeof(*keys));
            }
        }
        if (n->n > 0) {
            memcpy(vals, n->vals, n->n * sizeof(*vals));
        }
        n->vals = vals;
        n->keys = keys;
        n->cap = cap;
    }
    if (n->kind == SKR_CNODE_MAP) {
        n->keys[n->n] = key;
    }
    n->vals[n->n++] = val;
    return 0;
}

long skr_cnode_find(const struct skr_cnode *n, const char *key)
{
    if (n == NULL || n->kind != SKR_CNODE_MAP) {
        return -1;
    }
    for (size_t i = 0; i < n->n; i++) {
        if (strcmp(n->keys[i]->text, key) == 0) {
            return (long)i;
        }
    }
    return -1;
}

struct skr_cnode *skr_cnode_get(const struct skr_cnode *n, const char *key)
{
    long i = skr_cnode_find(n, key);

    return i < 0 ? NULL : n->vals[i];
}

bool skr_cnode_is_null(const struct skr_cnode *n)
{
    if (n == NULL || n->kind == SKR_CNODE_NULL) {
        return true;
    }
    if (n->kind != SKR_CNODE_SCALAR || n->quoted) {
        return false;
    }
    return strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

const char *skr_cnode_kind_name(const struct skr_cnode *n)
{
    if (skr_cnode_is_null(n)) {
        return "null";
    }
    switch (n->kind) {
    case SKR_CNODE_MAP:
        return "map";
    case SKR_CNODE_SEQ:
        return "list";
    default:
        return "scalar";
    }
}

char *skr_cdoc_expand_env(struct skr_cdoc *d, const char *s, size_t len, size_t *out_len)
{
    struct skr_strbuf b;
    char *r;
    size_t i = 0;

    if (memchr(s, '$', len) == NULL) {
        r = skr_arena_strndup(&d->arena, s, len);
        *out_len = len;
        return r;
    }
    skr_strbuf_init(&b);
    while (i < len) {
        if (s[i] == '$' && i + 2 < len && s[i + 1] == '$' && s[i + 2] == '{') {
            /* $${x} is the literal text ${x} */
            skr_strbuf_putc(&b, '$');
            i += 2;
            continue;
        }
        if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
            const char *end = memchr(s + i + 2, '}', len - i - 2);
            if (end != NULL) {
                char name[256];
                size_t nlen = (size_t)(end - (s + i + 2));
                if (nlen < sizeof(name)) {
                    const char *v;
                    memcpy(name, s + i + 2, nlen);
                    name[nlen] = '\0';
                    v = getenv(name);
                    if (v != NULL) {
                        skr_strbuf_puts(&b, v);
                    }
                    i = (size_t)(end - s) + 1;
                    continue;
                }
            }
        }
        skr_strbuf_putc(&b, s[i]);
        i++;
    }
    if (b.truncated) {
        skr_strbuf_fini(&b);
        return NULL;
    }
    r = skr_arena_strndup(&d->arena, b.p, b.len);
    *out_len = b.len;
    skr_strbuf_fini(&b);
    return r;
}

/* ---- libyaml events -> tree ------------------------------------------------------ */

struct anchor {
    const char *name;
    struct skr_cnode *node;
    struct anchor *next;
};

struct builder {
    struct skr_cdoc *d;
    const char *name;
    const struct skr_cparse_opts *opts;
    struct skr_err *err;
    struct anchor *anchors;
    /* open containers and, for maps, the pending key */
    struct skr_cnode *stack[128];
    struct skr_cnode *pending_key[128];
    int depth;
    struct skr_cnode *root;
    bool have_root;
};

static int add_anchor(struct builder *b, const unsigned char *anchor, struct skr_cnode *n)
{
    struct anchor *a;

    if (anchor == NULL) {
        return 0;
    }
    a = skr_arena_alloc(&b->d->arena, sizeof(*a));
    if (a == NULL) {
        return -ENOMEM;
    }
    a->name = skr_arena_strdup(&b->d->arena, (const char *)anchor);
    if (a->name == NULL) {
        return -ENOMEM;
    }
    a->node = n;
    a->next = b->anchors;
    b->anchors = a;
    return 0;
}

/* Hands a finished node to its parent (or makes it the root). */
static int attach(struct builder *b, struct skr_cnode *n)
{
    struct skr_cnode *parent;

    if (b->depth == 0) {
        b->root = n;
        b->have_root = true;
        return 0;
    }
    parent = b->stack[b->depth - 1];
    if (parent->kind == SKR_CNODE_SEQ) {
        return skr_cnode_append(b->d, parent, NULL, n);
    }
    if (b->pending_key[b->depth - 1] == NULL) {
        if (n->kind != SKR_CNODE_SCALAR && n->kind != SKR_CNODE_NULL) {
            return skr_err_set_at(b->err, -EINVAL, b->name, n->line, n->col,
                                  "invalid YAML: a map key must be a scalar, not a %s",
                                  skr_cnode_kind_name(n));
        }
        if (skr_cnode_find(parent, n->text) >= 0) {
            return skr_err_set_at(b->err, -EINVAL, b->name, n->line, n->col,
                                  "invalid YAML: duplicate key '%s': remove one of them", n->text);
        }
        b->pending_key[b->depth - 1] = n;
        return 0;
    }
    {
        struct skr_cnode *key = b->pending_key[b->depth - 1];
        b->pending_key[b->depth - 1] = NULL;
        return skr_cnode_append(b->d, parent, key, n);
    }
}

static bool in_key_position(const struct builder *b)
{
    return b->depth > 0 && b->stack[b->depth - 1]->kind == SKR_CNODE_MAP &&
           b->pending_key[b->depth - 1] == NULL;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    bool quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                  ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                  ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
    struct skr_cnode *n;
    unsigned line = (unsigned)ev->start_mark.line + 1;
    unsigned col = (unsigned)ev->start_mark.column + 1;

    n = skr_cnode_new(b->d, SKR_CNODE_SCALAR, b->name, line, col);
    if (n == NULL) {
        return -ENOMEM;
    }
    if (b->opts != NULL && b->opts->expand_env && !in_key_position(b)) {
        n->text = skr_cdoc_expand_env(b->d, text, len, &n->len);
    } else {
        n->text = skr_arena_strndup(&b->d->arena, text, len);
        n->len = len;
    }
    if (n->text == NULL) {
        return -ENOMEM;
    }
    n->quoted = quoted;
    if (!quoted && (len == 0 || skr_cnode_is_null(n))) {
        n->kind = SKR_CNODE_NULL;
    }
    if (add_anchor(b, ev->data.scalar.anchor, n) < 0) {
        return -ENOMEM;
    }
    return attach(b, n);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;

    for (struct anchor *a = b->anchors; a != NULL; a = a->next) {
        if (strcmp(a->name, name) == 0) {
            return attach(b, a->node);
        }
    }
    return skr_err_set_at(b->err, -EINVAL, b->name, (unsigned)ev->start_mark.line + 1,
                          (unsigned)ev->start_mark.column + 1,
                          "invalid YAML: unknown alias '*%s': define the anchor '&%s' first", name,
                          name);
}

static int open_container(struct builder *b,
                          const yaml_event_t *ev,
                          enum skr_cnode_kind kind,
                          const unsigned char *anchor)
{
    struct skr_cnode *n;

    if (b->depth >= (int)(sizeof(b->stack) / sizeof(b->stack[0]))) {
        return skr_err_set_at(b->err, -EINVAL, b->name, (unsigned)ev->start_mark.line + 1,
                              (unsigned)ev->start_mark.column + 1,
                              "invalid YAML: nesting deeper than %d levels",
                              (int)(sizeof(b->stack) / sizeof(b->stack[0])));
    }
    if (in_key_position(b)) {
        return skr_err_set_at(b->err, -EINVAL, b->name, (unsigned)ev->start_mark.line + 1,
                              (unsigned)ev->start_mark.column + 1,
                              "invalid YAML: a map key must be a scalar");
    }
    n = skr_cnode_new(b->d, kind, b->name, (unsigned)ev->start_mark.line + 1,
                      (unsigned)ev->start_mark.column + 1);
    if (n == NULL || add_anchor(b, anchor, n) < 0) {
        return -ENOMEM;
    }
    b->stack[b->depth] = n;
    b->pending_key[b->depth] = NULL;
    b->depth++;
    return 0;
}

static int close_container(struct builder *b)
{
    struct skr_cnode *n = b->stack[--b->depth];

    return attach(b, n);
}

static int yaml_error(struct builder *b, const yaml_parser_t *p)
{
    unsigned line = (unsigned)p->problem_mark.line + 1;
    unsigned col = (unsigned)p->problem_mark.column + 1;

    if (p->error == YAML_MEMORY_ERROR) {
        return skr_err_set(b->err, -ENOMEM, "%s: out of memory while parsing YAML", b->name);
    }
    if (p->context != NULL) {
        return skr_err_set_at(b->err, -EINVAL, b->name, line, col,
                              "invalid YAML: %s %s: fix the syntax", p->problem ? p->problem : "",
                              p->context);
    }
    return skr_err_set_at(b->err, -EINVAL, b->name, line, col, "invalid YAML: %s: fix the syntax",
                          p->problem ? p->problem : "error");
}

struct skr_cnode *skr_cdoc_parse(struct skr_cdoc *d,
                                 const char *text,
                                 size_t len,
                                 const char *name,
                                 const struct skr_cparse_opts *opts,
                                 struct skr_err *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct builder b;
    int rc = 0;
    bool done = false;
    bool in_doc = false;

    memset(&b, 0, sizeof(b));
    b.d = d;
    b.opts = opts;
    b.err = err;
    b.name = skr_arena_strdup(&d->arena, name);
    if (b.name == NULL) {
        skr_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    if (!yaml_parser_initialize(&parser)) {
        skr_err_set(err, -ENOMEM, "%s: cannot initialise the YAML parser", name);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = yaml_error(&b, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            in_doc = true;
            break;
        case YAML_DOCUMENT_END_EVENT:
            /* Only the first document counts. */
            done = b.have_root;
            in_doc = false;
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(&b, &ev);
            break;
        case YAML_ALIAS_EVENT:
            rc = on_alias(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = open_container(&b, &ev, SKR_CNODE_SEQ, ev.data.sequence_start.anchor);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = open_container(&b, &ev, SKR_CNODE_MAP, ev.data.mapping_start.anchor);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = close_container(&b);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc < 0) {
            if (rc == -ENOMEM && (err == NULL || err->code == 0)) {
                skr_err_set(err, -ENOMEM, "%s: out of memory while parsing YAML", name);
            }
            break;
        }
    }
    (void)in_doc;
    yaml_parser_delete(&parser);
    if (rc < 0) {
        return NULL;
    }
    if (!b.have_root || b.root == NULL) {
        struct skr_cnode *n = skr_cnode_new(d, SKR_CNODE_NULL, b.name, 1, 1);
        if (n == NULL) {
            skr_err_set(err, -ENOMEM, "out of memory");
        }
        return n;
    }
    return b.root;
}

struct skr_cnode *skr_cdoc_parse_file(struct skr_cdoc *d,
                                      const char *path,
                                      const struct skr_cparse_opts *opts,
                                      struct skr_err *err)
{
    FILE *f = fopen(path, "rb");
    struct skr_strbuf b;
    struct skr_cnode *root = NULL;
    char chunk[8192];
    size_t n;

    if (f == NULL) {
        skr_err_set(err, -errno, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    skr_strbuf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        skr_strbuf_append(&b, chunk, n);
    }
    if (ferror(f)) {
        skr_err_set(err, -EIO, "%s: cannot read: %s", path, strerror(errno));
    } else if (b.truncated) {
        skr_err_set(err, -ENOMEM, "%s: out of memory while reading", path);
    } else {
        root = skr_cdoc_parse(d, b.p, b.len, path, opts, err);
    }
    fclose(f);
    skr_strbuf_fini(&b);
    return root;
}
