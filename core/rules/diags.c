/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnostics of a load: every error and warning with its file:line:col, the
 * item it concerns and Falco's code, formatted as text lines or as Falco's
 * -V JSON result. Positions inside a condition or output are mapped back to
 * the YAML file through the scalar the text came from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/collect.h"

struct diag_ent {
    struct skr_diag pub;
    const char *deprecated_field;
    struct skr_diag_loc locs[SKR_DIAG_MAX_LOCS];
    uint32_t nlocs;
    uint32_t result; /* index of the file result it belongs to */
};

struct diag_result {
    const char *name;
    bool loaded;
    bool schema_ran;
    bool schema_valid;
    struct skr_strbuf schema_warnings; /* one per line */
};

struct skr_diags {
    struct skr_arena a;
    struct diag_ent *v;
    size_t n;
    size_t cap;
    size_t nerrors;
    struct diag_result *res;
    size_t nres;
    size_t res_cap;
};

struct skr_diags *skr_diags_new(void)
{
    struct skr_diags *d = calloc(1, sizeof(*d));

    if (d != NULL) {
        skr_arena_init(&d->a, 16384);
    }
    return d;
}

void skr_diags_free(struct skr_diags *d)
{
    if (d == NULL) {
        return;
    }
    skr_arena_fini(&d->a);
    for (size_t i = 0; i < d->nres; i++) {
        skr_strbuf_fini(&d->res[i].schema_warnings);
    }
    free(d->v);
    free(d->res);
    free(d);
}

size_t skr_diags_count(const struct skr_diags *d)
{
    return d != NULL ? d->n : 0;
}

const struct skr_diag *skr_diags_get(const struct skr_diags *d, size_t i)
{
    if (d == NULL || i >= d->n) {
        return NULL;
    }
    return &d->v[i].pub;
}

size_t skr_diags_errors(const struct skr_diags *d)
{
    return d != NULL ? d->nerrors : 0;
}

int skr_diags_add_file(struct skr_diags *d, const char *file, bool loaded)
{
    if (d == NULL) {
        return 0;
    }
    if (d->nres == d->res_cap) {
        size_t ncap = d->res_cap ? d->res_cap * 2 : 8;
        struct diag_result *nr = realloc(d->res, ncap * sizeof(*nr));
        if (nr == NULL) {
            return -ENOMEM;
        }
        d->res = nr;
        d->res_cap = ncap;
    }
    memset(&d->res[d->nres], 0, sizeof(d->res[d->nres]));
    skr_strbuf_init(&d->res[d->nres].schema_warnings);
    d->res[d->nres].name = skr_arena_strdup(&d->a, file);
    d->res[d->nres].loaded = loaded;
    if (d->res[d->nres].name == NULL) {
        return -ENOMEM;
    }
    d->nres++;
    return 0;
}

int skr_diags_set_schema(struct skr_diags *d, bool valid, const char *warnings)
{
    struct diag_result *r;

    if (d == NULL || d->nres == 0) {
        return 0;
    }
    r = &d->res[d->nres - 1];
    if (!r->schema_ran) {
        r->schema_ran = true;
        r->schema_valid = true;
    }
    r->schema_valid = r->schema_valid && valid;
    if (warnings != NULL && warnings[0] != '\0') {
        if (r->schema_warnings.len > 0) {
            skr_strbuf_putc(&r->schema_warnings, '\n');
        }
        skr_strbuf_puts(&r->schema_warnings, warnings);
    }
    return r->schema_warnings.truncated ? -ENOMEM : 0;
}

static const char *cpy(struct skr_diags *d, const char *s)
{
    return s != NULL ? skr_arena_strdup(&d->a, s) : NULL;
}

static bool same(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

int skr_diags_add(struct skr_diags *d, const struct skr_diag_in *in)
{
    struct diag_ent *e;

    if (d == NULL) {
        return 0;
    }
    for (size_t i = 0; i < d->n; i++) {
        const struct skr_diag *o = &d->v[i].pub;
        if (o->severity == in->severity && same(o->code, in->code) && same(o->file, in->file) &&
            o->line == in->line && o->col == in->col && same(o->message, in->message) &&
            same(o->item_name, in->item_name)) {
            return 0;
        }
    }
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 16;
        struct diag_ent *nv = realloc(d->v, ncap * sizeof(*nv));
        if (nv == NULL) {
            return -ENOMEM;
        }
        d->v = nv;
        d->cap = ncap;
    }
    e = &d->v[d->n];
    memset(e, 0, sizeof(*e));
    e->pub.severity = in->severity;
    e->pub.code = cpy(d, in->code);
    e->pub.file = cpy(d, in->file);
    e->pub.line = in->line;
    e->pub.col = in->col;
    e->pub.item_kind = cpy(d, in->item_kind);
    e->pub.item_name = cpy(d, in->item_name);
    e->pub.message = cpy(d, in->message != NULL ? in->message : "");
    e->pub.snippet = cpy(d, in->snippet);
    e->deprecated_field = cpy(d, in->deprecated_field);
    e->nlocs = in->nlocs;
    for (uint32_t i = 0; i < in->nlocs && i < SKR_DIAG_MAX_LOCS; i++) {
        e->locs[i] = in->locs[i];
        e->locs[i].item_type = cpy(d, in->locs[i].item_type);
        e->locs[i].item_name = cpy(d, in->locs[i].item_name);
        e->locs[i].name = cpy(d, in->locs[i].name);
    }
    e->result = d->nres > 0 ? (uint32_t)(d->nres - 1) : 0;
    if (e->pub.message == NULL || e->pub.code == NULL) {
        return -ENOMEM;
    }
    d->n++;
    if (in->severity == SKR_DIAG_ERROR) {
        d->nerrors++;
    }
    return 0;
}

/* ---- Positions and snippets --------------------------------------------------------------- */

/* Line/col (0-based) of byte offset off in text. */
static void line_col(const char *text, size_t len, size_t off, uint32_t *line, uint32_t *col)
{
    uint32_t l = 0;
    size_t ls = 0;

    if (off > len) {
        off = len;
    }
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            ls = i + 1;
        }
    }
    *line = l;
    *col = (uint32_t)(off - ls);
}

/* The file offset of byte k of a segment's value, found by walking the scalar's source and
 * matching the value's bytes (skipping quotes, indentation, escapes and line breaks). */
static size_t map_offset(const struct cl_seg *seg, const char *value, uint32_t k)
{
    const struct cl_file *f = seg->src.file;
    size_t i = seg->src.off;
    size_t end = seg->src_end > seg->src.off && seg->src_end <= f->len ? seg->src_end : f->len;
    uint32_t j = 0;

    if (i < end && (f->text[i] == '"' || f->text[i] == '\'')) {
        i++;
    } else if (i < end && (f->text[i] == '|' || f->text[i] == '>')) {
        while (i < end && f->text[i] != '\n') {
            i++;
        }
    }
    while (j < k && i < end) {
        if (f->text[i] == value[j]) {
            j++;
        }
        i++;
    }
    while (i < end && j < seg->len && f->text[i] != value[j] &&
           (f->text[i] == ' ' || f->text[i] == '\n' || f->text[i] == '\r' || f->text[i] == '\t')) {
        i++;
    }
    return i < f->len ? i : f->len;
}

/* One source line around off, cut to 160 characters, and a caret line. */
static void make_snippet(const char *text, size_t len, size_t off, struct skr_strbuf *out)
{
    size_t ls = off;
    size_t le = off;
    size_t from;
    size_t to;

    if (off > len) {
        off = len;
        ls = le = len;
    }
    while (ls > 0 && text[ls - 1] != '\n') {
        ls--;
    }
    while (le < len && text[le] != '\n') {
        le++;
    }
    from = ls;
    to = le;
    if (to - from > 160) {
        from = off > ls + 80 ? off - 80 : ls;
        to = from + 160 < le ? from + 160 : le;
    }
    if (from > ls) {
        skr_strbuf_puts(out, "...");
    }
    skr_strbuf_append(out, text + from, to - from);
    if (to < le) {
        skr_strbuf_puts(out, "...");
    }
    skr_strbuf_putc(out, '\n');
    for (size_t i = (from > ls ? from - 3 : from); i < off; i++) {
        skr_strbuf_putc(out, (i >= from && text[i] == '\t') ? '\t' : ' ');
    }
    skr_strbuf_puts(out, "^\n");
}

static void add_loc(struct skr_diag_in *in,
                    const char *type,
                    const char *name,
                    const char *pname,
                    uint32_t line,
                    uint32_t col,
                    uint32_t off)
{
    struct skr_diag_loc *l;

    if (in->nlocs >= SKR_DIAG_MAX_LOCS) {
        return;
    }
    l = &in->locs[in->nlocs++];
    l->item_type = type;
    l->item_name = name != NULL ? name : "";
    l->name = pname != NULL ? pname : "";
    l->line = line;
    l->col = col;
    l->off = off;
}

void diag_report(struct skr_diags *diags,
                 enum skr_diag_severity sev,
                 const char *code,
                 const char *msg,
                 const struct cl_ctx *item,
                 const struct cl_ctx *sub,
                 const struct cl_text *text,
                 const char *text_kind,
                 struct skr_pos pos_in_text,
                 const char *deprecated_field)
{
    struct skr_diag_in in;
    struct skr_strbuf snip;
    struct skr_strbuf excerpt;
    const struct cl_mark *m = NULL;
    const struct cl_file *f = NULL;
    size_t off = 0;
    bool have_off = false;

    if (diags == NULL) {
        return;
    }
    memset(&in, 0, sizeof(in));
    skr_strbuf_init(&snip);
    skr_strbuf_init(&excerpt);
    in.severity = sev;
    in.code = code;
    in.message = msg;
    in.deprecated_field = deprecated_field;
    if (item != NULL) {
        in.item_kind = item->kind;
        in.item_name = item->name;
        f = item->mark.file;
        m = &item->mark;
    }
    if (f != NULL) {
        add_loc(&in, "rules content", "", f->name, 0, 0, 0);
    }
    if (item != NULL && item->kind != NULL) {
        add_loc(&in, item->kind, item->name, f != NULL ? f->name : "", item->mark.line,
                item->mark.col, item->mark.off);
    }
    if (sub != NULL && sub->kind != NULL) {
        m = &sub->mark;
        if (sub->mark.file != NULL) {
            f = sub->mark.file;
        }
        add_loc(&in, sub->kind, sub->name, f != NULL ? f->name : "", sub->mark.line, sub->mark.col,
                sub->mark.off);
    }
    if (m != NULL && f != NULL) {
        off = m->off;
        have_off = true;
    }
    if (text != NULL && text->nsegs > 0 && pos_in_text.line > 0) {
        uint32_t k = pos_in_text.idx < text->len ? pos_in_text.idx : text->len;
        const struct cl_seg *seg = &text->segs[0];
        uint32_t fl = 0;
        uint32_t fc = 0;
        for (uint32_t i = 0; i < text->nsegs; i++) {
            if (text->segs[i].off <= k) {
                seg = &text->segs[i];
            }
        }
        /* Falco names the location by the text: "..." (20 characters at most). */
        skr_strbuf_putc(&excerpt, '"');
        if (text->len <= 20) {
            skr_strbuf_append(&excerpt, text->s, text->len);
        } else {
            skr_strbuf_append(&excerpt, text->s, 17);
            skr_strbuf_puts(&excerpt, "...");
        }
        skr_strbuf_putc(&excerpt, '"');
        for (size_t i = 0; i < excerpt.len; i++) {
            if (excerpt.p[i] == '\n' || excerpt.p[i] == '\r') {
                excerpt.p[i] = ' ';
            }
        }
        if (seg->src.file != NULL) {
            f = seg->src.file;
            off = map_offset(seg, text->s + seg->off,
                             k - seg->off > seg->len ? seg->len : k - seg->off);
            have_off = true;
            line_col(f->text, f->len, off, &fl, &fc);
        }
        add_loc(&in, text_kind != NULL ? text_kind : "condition expression", "", excerpt.p, fl, fc,
                (uint32_t)off);
        make_snippet(text->s, text->len, k, &snip);
    } else if (have_off) {
        make_snippet(f->text, f->len, off, &snip);
    }
    if (f != NULL) {
        in.file = f->name;
        if (have_off) {
            uint32_t l;
            uint32_t c;
            line_col(f->text, f->len, off, &l, &c);
            in.line = l + 1;
            in.col = c + 1;
        }
    }
    in.snippet = snip.len > 0 ? snip.p : NULL;
    (void)skr_diags_add(diags, &in);
    skr_strbuf_fini(&snip);
    skr_strbuf_fini(&excerpt);
}

/* ---- Formatting ------------------------------------------------------------------------------ */

static const struct {
    const char *code;
    const char *shortdesc;
    const char *longdesc;
} codes[] = {
    { "LOAD_ERR_FILE_READ", "File read error", "The rules file could not be read" },
    { "LOAD_ERR_YAML_PARSE", "YAML parse error", "The rules file is not valid YAML" },
    { "LOAD_ERR_YAML_VALIDATE", "Error validating internal structure of YAML file",
      "An item has the wrong shape or misses a key" },
    { "LOAD_ERR_COMPILE_CONDITION", "Error compiling condition", "A condition does not compile" },
    { "LOAD_ERR_COMPILE_OUTPUT", "Error compiling output", "An output does not compile" },
    { "LOAD_ERR_VALIDATE", "Error validating rule/macro/list/exception objects",
      "A rule, macro, list or exception is not valid" },
    { "LOAD_ERR_EXTENSION", "Error in extension item", "An extension item is not valid" },
    { "LOAD_UNKNOWN_SOURCE", "Unknown event source",
      "A rule has an unknown event source. This can occur when reading rules content without having a corresponding plugin loaded, etc. The rule will be silently ignored." },
    { "LOAD_UNSAFE_NA_CHECK", "Unsafe <NA> comparison in condition",
      "Comparing a field value with <NA> is unsafe and can lead to unpredictable behavior of the rule condition. If you need to check for the existence of a field, consider using the 'exists' operator instead." },
    { "LOAD_NO_EVTTYPE", "Condition has no event-type restriction",
      "A rule condition matches too many evt.type values. This has a significant performance penalty. Make the condition more specific by adding an evt.type field or further restricting the number of evt.type values in the condition." },
    { "LOAD_UNKNOWN_FILTER", "Unknown field or event-type in condition or output",
      "A rule condition or output refers to a field or evt.type that does not exist. This is normally an error, but if a rule has a skip-if-unknown-filter property, the error is downgraded to a warning." },
    { "LOAD_UNUSED_MACRO", "Unused macro",
      "A macro is defined in the rules content but is not used by any other macro or rule." },
    { "LOAD_UNUSED_LIST", "Unused list",
      "A list is defined in the rules content but is not used by any other list, macro, or rule." },
    { "LOAD_UNKNOWN_ITEM", "Unknown rules file item",
      "A rules file contains an item that has no recognized top-level key (list, macro, rule, ...). The item is ignored." },
    { "LOAD_DEPRECATED_ITEM", "Used deprecated item",
      "A deprecated item (the append key, a standalone enabled key, %container.info or a deprecated field) is used." },
    { "LOAD_WARNING_EXTENSION", "Warning in extension item", "An extension item has a problem." },
    { "LOAD_APPEND_NO_VALUES", "Overriding/appending with no values",
      "An exception is appended or overridden without values." },
    { "LOAD_EXCEPTION_NAME_NOT_UNIQUE", "Multiple exceptions defined with the same name",
      "A rule has more than one exception with the same name." },
    { "LOAD_INVALID_MACRO_NAME", "Invalid macro name",
      "A macro name does not match the identifier syntax of the condition language." },
    { "LOAD_INVALID_LIST_NAME", "Invalid list name",
      "A list name does not match the bare-string syntax of the condition language." },
    { "LOAD_COMPILE_CONDITION", "Warning in rule condition",
      "The condition compiles but probably does not do what was meant." },
    { "LOAD_UNKNOWN_KEY", "Unknown key in item definition",
      "An item has a key the loader does not know; it is ignored." },
};

const char *skr_diag_codedesc(const char *code, bool error)
{
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(codes[i].code, code) == 0) {
            return error ? codes[i].shortdesc : codes[i].longdesc;
        }
    }
    return "";
}

static void json_str(struct skr_strbuf *out, const char *s)
{
    skr_strbuf_putc(out, '"');
    if (s != NULL) {
        skr_strbuf_json_escape(out, s, strlen(s));
    }
    skr_strbuf_putc(out, '"');
}

static void json_diag(struct skr_strbuf *out, const struct diag_ent *e)
{
    bool err = e->pub.severity == SKR_DIAG_ERROR;

    skr_strbuf_puts(out, "{\"code\":");
    json_str(out, e->pub.code);
    skr_strbuf_puts(out, ",\"codedesc\":");
    json_str(out, skr_diag_codedesc(e->pub.code, err));
    skr_strbuf_puts(out, ",\"message\":");
    json_str(out, e->pub.message);
    if (e->deprecated_field != NULL) {
        skr_strbuf_puts(out, ",\"deprecated_field\":");
        json_str(out, e->deprecated_field);
    }
    skr_strbuf_puts(out, ",\"context\":{\"locations\":[");
    for (uint32_t i = 0; i < e->nlocs; i++) {
        const struct skr_diag_loc *l = &e->locs[i];
        if (i > 0) {
            skr_strbuf_putc(out, ',');
        }
        skr_strbuf_puts(out, "{\"item_type\":");
        json_str(out, l->item_type);
        skr_strbuf_puts(out, ",\"item_name\":");
        json_str(out, l->item_name);
        skr_strbuf_puts(out, ",\"position\":{\"name\":");
        json_str(out, l->name);
        skr_strbuf_printf(out, ",\"line\":%u,\"column\":%u,\"offset\":%u}}", (unsigned)l->line,
                          (unsigned)l->col, (unsigned)l->off);
    }
    skr_strbuf_puts(out, "],\"snippet\":");
    json_str(out, e->pub.snippet != NULL ? e->pub.snippet : "");
    skr_strbuf_puts(out, "}}");
}

void skr_diags_format(const struct skr_diags *d, bool json, struct skr_strbuf *out)
{
    if (json) {
        skr_strbuf_puts(out, "{\"falco_load_results\":[");
        for (size_t r = 0; d != NULL && r < d->nres; r++) {
            bool ok = d->res[r].loaded;
            bool first;
            for (size_t i = 0; i < d->n; i++) {
                if (d->v[i].result == r && d->v[i].pub.severity == SKR_DIAG_ERROR) {
                    ok = false;
                }
            }
            if (r > 0) {
                skr_strbuf_putc(out, ',');
            }
            skr_strbuf_puts(out, "{\"name\":");
            json_str(out, d->res[r].name);
            skr_strbuf_printf(out, ",\"successful\":%s,", ok ? "true" : "false");
            if (d->res[r].schema_ran) {
                const char *w = d->res[r].schema_warnings.p;
                skr_strbuf_printf(out, "\"schema_valid\":%s,\"schema_warnings\":[",
                                  d->res[r].schema_valid ? "true" : "false");
                while (w != NULL && *w != '\0') {
                    const char *nl = strchr(w, '\n');
                    size_t len = nl != NULL ? (size_t)(nl - w) : strlen(w);
                    if (w != d->res[r].schema_warnings.p) {
                        skr_strbuf_putc(out, ',');
                    }
                    skr_strbuf_putc(out, '"');
                    skr_strbuf_json_escape(out, w, len);
                    skr_strbuf_putc(out, '"');
                    w = nl != NULL ? nl + 1 : NULL;
                }
                skr_strbuf_puts(out, "],");
            }
            skr_strbuf_puts(out, "\"errors\":[");
            first = true;
            for (size_t i = 0; i < d->n; i++) {
                if (d->v[i].result == r && d->v[i].pub.severity == SKR_DIAG_ERROR) {
                    if (!first) {
                        skr_strbuf_putc(out, ',');
                    }
                    first = false;
                    json_diag(out, &d->v[i]);
                }
            }
            skr_strbuf_puts(out, "],\"warnings\":[");
            first = true;
            for (size_t i = 0; i < d->n; i++) {
                if (d->v[i].result == r && d->v[i].pub.severity == SKR_DIAG_WARNING) {
                    if (!first) {
                        skr_strbuf_putc(out, ',');
                    }
                    first = false;
                    json_diag(out, &d->v[i]);
                }
            }
            skr_strbuf_puts(out, "]}");
        }
        skr_strbuf_puts(out, "]}");
        return;
    }
    for (size_t i = 0; d != NULL && i < d->n; i++) {
        const struct skr_diag *g = &d->v[i].pub;
        if (g->file != NULL) {
            skr_strbuf_puts(out, g->file);
            if (g->line > 0) {
                skr_strbuf_printf(out, ":%u:%u", g->line, g->col);
            }
            skr_strbuf_puts(out, ": ");
        }
        skr_strbuf_printf(out, "%s %s: ", g->severity == SKR_DIAG_ERROR ? "error" : "warning",
                          g->code);
        if (g->item_kind != NULL && g->item_name != NULL && g->item_name[0] != '\0') {
            skr_strbuf_printf(out, "%s '%s': ", g->item_kind, g->item_name);
        }
        skr_strbuf_puts(out, g->message);
        skr_strbuf_putc(out, '\n');
    }
}
