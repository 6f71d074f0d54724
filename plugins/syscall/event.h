/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A decoded view of one event: header fields and a pointer/length per
 * parameter, checked against the event's own length so that a truncated or
 * hostile event is rejected instead of read out of bounds. Also a small
 * growable string builder used to render text without allocating once warm.
 */
#ifndef SKR_SYSCALL_EVENT_H
#define SKR_SYSCALL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "evtab.h"

struct skr_ev {
    const uint8_t *raw;
    uint64_t ts;
    int64_t tid;
    uint32_t len;
    uint16_t type;
    uint32_t nparams;
    const struct skr_event_info *info; /* NULL for codes the plugin does not know */
    const uint8_t *p[SKR_MAX_EVT_PARAMS];
    uint32_t plen[SKR_MAX_EVT_PARAMS];
};

/* Decodes buf (buflen bytes available). 0, or -1 when malformed. */
int skr_ev_decode(struct skr_ev *ev, const void *buf, size_t buflen);

static inline bool skr_ev_has(const struct skr_ev *ev, uint32_t i)
{
    return i < ev->nparams && i < SKR_MAX_EVT_PARAMS && ev->plen[i] > 0;
}

/* Integer parameter i, sign-extended when its width is 1, 2 or 4 and signed is set. */
bool skr_ev_int(const struct skr_ev *ev, uint32_t i, bool is_signed, int64_t *out);

static inline int64_t skr_ev_s64(const struct skr_ev *ev, uint32_t i, int64_t dflt)
{
    int64_t v;
    return skr_ev_int(ev, i, true, &v) ? v : dflt;
}

static inline uint64_t skr_ev_u64(const struct skr_ev *ev, uint32_t i, uint64_t dflt)
{
    int64_t v;
    return skr_ev_int(ev, i, false, &v) ? (uint64_t)v : dflt;
}

/*
 * String parameter i (charbuf/fspath): its bytes up to the first NUL or the
 * parameter end. Sets *len; returns NULL when the parameter is empty.
 */
const char *skr_ev_str(const struct skr_ev *ev, uint32_t i, size_t *len);

/* ---- String builder ------------------------------------------------------------ */

struct skr_sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

void skr_sbuf_reset(struct skr_sbuf *b);
void skr_sbuf_fini(struct skr_sbuf *b);
void skr_sbuf_add(struct skr_sbuf *b, const char *s, size_t n);
void skr_sbuf_addc(struct skr_sbuf *b, char c);
void skr_sbuf_adds(struct skr_sbuf *b, const char *s);
void skr_sbuf_addf(struct skr_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far, NUL-terminated ("" when empty or out of memory). */
const char *skr_sbuf_str(struct skr_sbuf *b);

#endif /* SKR_SYSCALL_EVENT_H */
