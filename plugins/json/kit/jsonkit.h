/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonkit: the JSON plumbing shared by the json, k8saudit and cloudtrail
 * plugins. Parsing is cJSON's; this kit adds what the plugins need around
 * it: framing JSON values inside a byte stream, a per-event cache of the
 * parsed payload, upstream-compatible text renderings, RFC 6901 pointers,
 * RFC 3339 timestamps and list results for extract_fields.
 *
 * Nothing here is global: every function works on caller-owned state, so
 * several plugin states may use the kit from different threads at once.
 */
#ifndef SAKER_JSONKIT_H
#define SAKER_JSONKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <saker/plugin_api.h>
#include <saker/sdk.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Framing ----------------------------------------------------------------
 *
 * Finds where one JSON value ends without building it, so a stream can be cut
 * into values that cJSON then parses, and so the raw bytes of a value can be
 * kept verbatim. Brackets are counted outside strings; string escapes are
 * honoured. The framer does not validate: cJSON does that afterwards.
 */
enum jk_frame_rc {
    JK_FRAME_OK = 0,         /* *len is the value's length */
    JK_FRAME_INCOMPLETE = 1, /* the value runs past the end of the buffer */
    JK_FRAME_BAD = -1,       /* not the start of a value (e.g. a stray ']') */
};

/* Number of whitespace bytes (space, tab, CR, LF) at the start of p[0..n). */
size_t jk_skip_ws(const char *p, size_t n);

/*
 * Frames the value starting at p[0] (not whitespace). A bare literal (number,
 * true, false, null) ends at the first delimiter; one that reaches the end of
 * the buffer is INCOMPLETE unless at_eof says no more bytes can follow.
 */
enum jk_frame_rc jk_frame_value(const char *p, size_t n, bool at_eof, size_t *len);

/* ---- Growable text buffer ------------------------------------------------------ */

/* A reusable byte buffer owned by a plugin state; it only grows. */
struct jk_buf {
    char *p;
    size_t len;
    size_t cap;
};

void jk_buf_init(struct jk_buf *b);
void jk_buf_fini(struct jk_buf *b);
/* Makes room for at least need bytes in total; 0 or -1 on out of memory. */
int jk_buf_reserve(struct jk_buf *b, size_t need);
int jk_buf_append(struct jk_buf *b, const char *p, size_t n);

/* ---- Rendering ----------------------------------------------------------------- */

/*
 * The text form upstream plugins give a JSON value: a string is its unescaped
 * text, anything else its compact JSON. Returns a pointer valid until the
 * next use of b or until v is freed, and its length in *len; NULL when out of
 * memory or when v is NULL.
 */
const char *jk_text(struct jk_buf *b, const cJSON *v, size_t *len);

/* Compact JSON of v into b (b->len is set); 0 or -1. */
int jk_print_compact(struct jk_buf *b, const cJSON *v);

/*
 * Indented JSON of v: two spaces per level, "key": value, empty containers as
 * {} and [], no trailing newline (the layout of Go's json.Indent with an
 * empty prefix and a two-space indent). 0 or -1; the text is in b.
 */
int jk_print_indented(struct jk_buf *b, const cJSON *v);

/* ---- Pointers ------------------------------------------------------------------- */

/*
 * Resolves an RFC 6901 pointer. The leading '/' is optional (upstream treats
 * "a/b" as "/a/b"); "" is the whole document. ~0 and ~1 are unescaped; array
 * tokens are decimal indexes. NULL when the pointer leads nowhere.
 */
const cJSON *jk_pointer(const cJSON *root, const char *ptr);

/* ---- Lookups -------------------------------------------------------------------- */

/* The member at the path of object keys (case-sensitive), or NULL. */
const cJSON *jk_get(const cJSON *v, const char *const *keys, size_t nkeys);
/* The member's string, or NULL when absent or not a string. */
const char *jk_get_str(const cJSON *v, const char *const *keys, size_t nkeys);

#define JK_KEYS(...)                        \
    ((const char *const[]){ __VA_ARGS__ }), \
            (sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

/* ---- Time ------------------------------------------------------------------------ */

/*
 * Parses an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm))
 * into nanoseconds since the epoch. Fractions beyond nanoseconds are cut.
 * 0, or -1 when s is not such a timestamp or is before 1970.
 */
int jk_rfc3339_ns(const char *s, size_t n, uint64_t *ns);

/* ---- Per-event document cache ----------------------------------------------------- */

/*
 * The parsed payload of the event being extracted. Extracting many fields of
 * one event parses its payload once: the document is kept until an event
 * with another number, time or length arrives.
 */
struct jk_doc {
    bool valid;
    uint64_t evtnum;
    uint64_t ts;
    uint32_t len;
    cJSON *root; /* NULL when the payload is not JSON */
};

void jk_doc_init(struct jk_doc *d);
void jk_doc_fini(struct jk_doc *d);

/*
 * The document of ev's plugin-event payload (code 322), parsed at most once
 * per event; NULL when the event has no payload or it is not JSON. When
 * payload/plen are not NULL they receive the raw payload (valid during the
 * call only). Owned by d.
 */
const cJSON *jk_doc_get(struct jk_doc *d,
                        const ss_plugin_event_input *ev,
                        const char **payload,
                        uint32_t *plen);

/* ---- List results ------------------------------------------------------------------ */

/* Scratch for building a list of strings; owned by a plugin state, reused. */
struct jk_strlist {
    const char **items;
    uint32_t n;
    uint32_t cap;
};

void jk_strlist_init(struct jk_strlist *l);
void jk_strlist_fini(struct jk_strlist *l);
void jk_strlist_reset(struct jk_strlist *l);
/* Appends a copy of p[0..n) made in s; 0 or -1. */
int jk_strlist_add(struct jk_strlist *l, struct saker_store *s, const char *p, size_t n);
/* Appends p itself; it must stay valid until the next extract_fields call. */
int jk_strlist_add_ref(struct jk_strlist *l, const char *p);
/* Publishes the list as f's result (res_len 0 when empty); 0 or -1. */
int jk_strlist_commit(struct jk_strlist *l, struct saker_store *s, ss_plugin_extract_field *f);

/* ---- Logging --------------------------------------------------------------------- */

/*
 * A rate-limited complaint: the first `burst` calls return true, then one in
 * every `every`. Callers count every occurrence in a metric and log only when
 * this says so, so a flood of bad input never floods the log.
 */
struct jk_ratelimit {
    _Atomic uint64_t seen;
};
bool jk_ratelimit_ok(struct jk_ratelimit *r, uint64_t burst, uint64_t every);

#ifdef __cplusplus
}
#endif

#endif /* SAKER_JSONKIT_H */
