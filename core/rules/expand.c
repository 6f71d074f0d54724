/* SPDX-License-Identifier: Apache-2.0 */
#include "rules/expand.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void xp_text_fini(struct xp_text *t)
{
    free(t->s);
    free(t->map);
    memset(t, 0, sizeof(*t));
}

int xp_text_init(struct xp_text *t, const char *s, uint32_t len)
{
    memset(t, 0, sizeof(*t));
    t->s = malloc((size_t)len + 1);
    t->map = malloc(((size_t)len + 1) * sizeof(*t->map));
    if (t->s == NULL || t->map == NULL) {
        xp_text_fini(t);
        return -ENOMEM;
    }
    memcpy(t->s, s, len);
    t->s[len] = '\0';
    for (uint32_t i = 0; i <= len; i++) {
        t->map[i] = (int32_t)i;
    }
    t->len = len;
    return 0;
}

int32_t xp_origin(const struct xp_text *t, uint32_t off)
{
    if (off > t->len) {
        off = t->len;
    }
    for (uint32_t i = off + 1; i-- > 0;) {
        if (t->map[i] >= 0) {
            return t->map[i];
        }
    }
    return -1;
}

/* Replaces t[from..to) by repl (whose bytes come from origin). */
static int splice(struct xp_text *t,
                  uint32_t from,
                  uint32_t to,
                  const char *repl,
                  uint32_t rlen,
                  int32_t origin)
{
    uint32_t nlen = t->len - (to - from) + rlen;
    char *ns = malloc((size_t)nlen + 1);
    int32_t *nm = malloc(((size_t)nlen + 1) * sizeof(*nm));

    if (ns == NULL || nm == NULL) {
        free(ns);
        free(nm);
        return -ENOMEM;
    }
    memcpy(ns, t->s, from);
    memcpy(nm, t->map, from * sizeof(*nm));
    memcpy(ns + from, repl, rlen);
    for (uint32_t i = 0; i < rlen; i++) {
        nm[from + i] = origin;
    }
    memcpy(ns + from + rlen, t->s + to, t->len - to);
    memcpy(nm + from + rlen, t->map + to, (t->len - to + 1) * sizeof(*nm));
    ns[nlen] = '\0';
    free(t->s);
    free(t->map);
    t->s = ns;
    t->map = nm;
    t->len = nlen;
    return 0;
}

void xp_quote(struct skr_strbuf *out, const char *v)
{
    if (strchr(v, ' ') != NULL && v[0] != '"' && v[0] != '\'') {
        skr_strbuf_putc(out, '"');
        skr_strbuf_puts(out, v);
        skr_strbuf_putc(out, '"');
    } else {
        skr_strbuf_puts(out, v);
    }
}

static bool is_list_comp(const char *comp)
{
    /* in / intersects / pmatch, or any operator with a modifier ("startswith anyof") */
    return strcmp(comp, "in") == 0 || strcmp(comp, "intersects") == 0 ||
           strcmp(comp, "pmatch") == 0 || strchr(comp, ' ') != NULL;
}

int xp_exceptions(struct xp_text *t,
                  const struct cl_rule *r,
                  const char **errmsg,
                  const struct cl_exception **errex)
{
    struct skr_strbuf x;
    int rc;

    rc = splice(t, 0, 0, "(", 1, -1);
    if (rc == 0) {
        rc = splice(t, t->len, t->len, ")", 1, -1);
    }
    if (rc < 0) {
        return rc;
    }
    skr_strbuf_init(&x);
    for (uint32_t e = 0; e < r->nexcs; e++) {
        const struct cl_exception *ex = &r->excs[e];
        skr_strbuf_reset(&x);
        if (!ex->fields.is_list) {
            for (uint32_t i = 0; i < ex->nvalues; i++) {
                const struct cl_xentry *v = &ex->values[i];
                if (v->is_list || v->item == NULL) {
                    *errmsg = "Expected values array to contain a list of strings";
                    *errex = ex;
                    skr_strbuf_fini(&x);
                    return -EINVAL;
                }
                if (x.len == 0) {
                    skr_strbuf_printf(&x, "(%s %s (", ex->fields.item, ex->comps.item);
                } else {
                    skr_strbuf_puts(&x, ", ");
                }
                xp_quote(&x, v->item);
            }
            if (x.len > 0) {
                skr_strbuf_puts(&x, "))");
            }
        } else {
            skr_strbuf_putc(&x, '(');
            for (uint32_t i = 0; i < ex->nvalues; i++) {
                const struct cl_xentry *tuple = &ex->values[i];
                if (!tuple->is_list || tuple->nitems != ex->fields.nitems) {
                    *errmsg = "Fields and values lists must have equal length";
                    *errex = ex;
                    skr_strbuf_fini(&x);
                    return -EINVAL;
                }
                if (x.len > 1) {
                    skr_strbuf_puts(&x, " or ");
                }
                skr_strbuf_putc(&x, '(');
                for (uint32_t k = 0; k < ex->fields.nitems; k++) {
                    const struct cl_xentry *v = &tuple->items[k];
                    const char *comp = ex->comps.items[k].item;
                    if (k > 0) {
                        skr_strbuf_puts(&x, " and ");
                    }
                    skr_strbuf_printf(&x, " %s %s ", ex->fields.items[k].item, comp);
                    if (v->is_list) {
                        skr_strbuf_putc(&x, '(');
                        for (uint32_t j = 0; j < v->nitems; j++) {
                            if (j > 0) {
                                skr_strbuf_puts(&x, ", ");
                            }
                            xp_quote(&x, v->items[j].item != NULL ? v->items[j].item : "");
                        }
                        skr_strbuf_putc(&x, ')');
                    } else if (v->item == NULL) {
                        *errmsg = "Expected values array to contain a list of strings";
                        *errex = ex;
                        skr_strbuf_fini(&x);
                        return -EINVAL;
                    } else if (is_list_comp(comp)) {
                        if (v->item[0] != '(') {
                            skr_strbuf_printf(&x, "(%s)", v->item);
                        } else {
                            skr_strbuf_puts(&x, v->item);
                        }
                    } else {
                        xp_quote(&x, v->item);
                    }
                }
                skr_strbuf_putc(&x, ')');
            }
            skr_strbuf_putc(&x, ')');
            if (x.len == 2) {
                skr_strbuf_reset(&x);
            }
        }
        if (x.truncated) {
            skr_strbuf_fini(&x);
            return -ENOMEM;
        }
        if (x.len > 0) {
            rc = splice(t, t->len, t->len, " and not ", 9, -1);
            if (rc == 0) {
                rc = splice(t, t->len, t->len, x.p, (uint32_t)x.len, -1);
            }
            if (rc < 0) {
                skr_strbuf_fini(&x);
                return rc;
            }
        }
    }
    skr_strbuf_fini(&x);
    return 0;
}

static bool is_delim(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == ',' ||
           c == '=';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Substitutes one list, as Falco's textual scan does. */
static int subst_list(struct xp_text *t, struct xp_list *l)
{
    size_t nlen = strlen(l->name);
    struct skr_strbuf sub;
    char *hit;
    size_t start;

    if (nlen == 0) {
        return 0;
    }
    skr_strbuf_init(&sub);
    for (uint32_t i = 0; i < l->nitems; i++) {
        if (i > 0) {
            skr_strbuf_puts(&sub, ", ");
        }
        xp_quote(&sub, l->items[i]);
    }
    if (sub.truncated) {
        skr_strbuf_fini(&sub);
        return -ENOMEM;
    }
    hit = strstr(t->s, l->name);
    while (hit != NULL) {
        size_t s = (size_t)(hit - t->s);
        size_t e = s + nlen;
        start = s;
        if ((s == 0 || is_delim(t->s[s - 1])) && (e >= t->len || is_delim(t->s[e]))) {
            int32_t origin = t->map[s];
            struct skr_strbuf repl;
            int rc;
            while (s > 0 && is_blank(t->s[s - 1])) {
                s--;
            }
            while (e < t->len && is_blank(t->s[e])) {
                e++;
            }
            if (sub.len == 0) {
                if (s > 0 && t->s[s - 1] == ',') {
                    s--;
                } else if (e < t->len && t->s[e] == ',') {
                    e++;
                }
            }
            skr_strbuf_init(&repl);
            if (s > 0) {
                skr_strbuf_putc(&repl, ' ');
            }
            skr_strbuf_append(&repl, sub.p, sub.len);
            skr_strbuf_putc(&repl, ' ');
            rc = repl.truncated
                         ? -ENOMEM
                         : splice(t, (uint32_t)s, (uint32_t)e, repl.p, (uint32_t)repl.len, origin);
            skr_strbuf_fini(&repl);
            if (rc < 0) {
                skr_strbuf_fini(&sub);
                return rc;
            }
            start = s + sub.len + 1;
            l->used = true;
        }
        if (start + 1 > t->len) {
            break;
        }
        hit = strstr(t->s + start + 1, l->name);
    }
    skr_strbuf_fini(&sub);
    return 0;
}

int xp_lists(struct xp_text *t, struct xp_list *lists, uint32_t nlists)
{
    for (uint32_t i = 0; i < nlists; i++) {
        int rc = subst_list(t, &lists[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
