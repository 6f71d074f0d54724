/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for writing Saker (and Falco) plugins in C. Everything here works
 * on caller-provided memory or on a store the plugin owns; nothing is global.
 */
#ifndef SAKER_SDK_H
#define SAKER_SDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks a plugin_* function for export (plugins build with hidden visibility). */
#if defined(__GNUC__)
#define SAKER_EXPORT __attribute__((visibility("default")))
#else
#define SAKER_EXPORT
#endif

/* ---- Events ---------------------------------------------------------------- */

#define SAKER_EVT_HDR_LEN 26u

/* True for event codes whose parameter lengths are 4 bytes (322, 324, 402, 403). */
bool saker_evt_large_payload(uint16_t type);

/*
 * Parameter idx of evt: sets *data and *len and returns 0, or returns -1 when
 * the event is too short for its header, lengths or that parameter (a
 * truncated or hostile event never reads out of bounds: evt->len bounds all).
 */
int saker_evt_param(const ss_plugin_event *evt, uint32_t idx, const uint8_t **data, uint32_t *len);

/*
 * Builds a plugin event (code 322) in buf: header, plugin id, payload.
 * Returns the event length, or 0 when cap is too small.
 */
uint32_t saker_evt_build_plugin(void *buf,
                                size_t cap,
                                uint64_t ts,
                                uint32_t plugin_id,
                                const void *data,
                                uint32_t len);

/* The payload of a plugin event, or -1 when evt is not a well-formed 322 event. */
int saker_evt_plugin_payload(const ss_plugin_event *evt,
                             uint32_t *plugin_id,
                             const uint8_t **data,
                             uint32_t *len);

/*
 * Writes a generic event: nparams parameters given as (data, len) pairs.
 * Length words are 2 or 4 bytes as saker_evt_large_payload(type) says.
 * Returns the event length, or 0 when it does not fit (or a length does not
 * fit its word).
 */
uint32_t saker_evt_build(void *buf,
                         size_t cap,
                         uint64_t ts,
                         uint64_t tid,
                         uint16_t type,
                         uint32_t nparams,
                         const void *const *data,
                         const uint32_t *lens);

/* ---- Extraction results -------------------------------------------------------
 *
 * Memory for extract_fields results, owned by the plugin state and reset at
 * the start of every extract_fields call (results stay valid until the next
 * call, as the ABI requires).
 */
struct saker_store_block;

struct saker_store {
    struct saker_store_block *head; /* newest block first */
};

void saker_store_init(struct saker_store *s);
void saker_store_fini(struct saker_store *s);
void saker_store_reset(struct saker_store *s);
/* size bytes aligned to 8, or NULL when out of memory. */
void *saker_store_alloc(struct saker_store *s, size_t size);
/* A NUL-terminated copy. */
const char *saker_store_strndup(struct saker_store *s, const char *p, size_t n);

/* Blocks are chained and never moved, so every pointer handed out stays valid until reset. */

/* Set one result: copies the value(s) into the store. Return 0, or -1 on OOM. */
int saker_field_set_str(struct saker_store *s, ss_plugin_extract_field *f, const char *p, size_t n);
int saker_field_set_u64(struct saker_store *s, ss_plugin_extract_field *f, uint64_t v);
int saker_field_set_bool(struct saker_store *s, ss_plugin_extract_field *f, bool v);
int saker_field_set_buf(struct saker_store *s,
                        ss_plugin_extract_field *f,
                        const void *p,
                        uint32_t n);
/* Append one more value to a list field (res_len grows by one). */
int saker_field_add_str(struct saker_store *s,
                        ss_plugin_extract_field *f,
                        const char *p,
                        size_t n,
                        uint32_t max_values);
int saker_field_add_u64(struct saker_store *s,
                        ss_plugin_extract_field *f,
                        uint64_t v,
                        uint32_t max_values);

/* ---- Errors ------------------------------------------------------------------- */

/* A plugin's last-error text. */
struct saker_errbuf {
    char msg[PLUGIN_MAX_ERRLEN];
};

/* Formats into e->msg; returns SS_PLUGIN_FAILURE so callers can "return saker_err(...)". */
ss_plugin_rc saker_err(struct saker_errbuf *e, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 2, 3)))
#endif
        ;

#ifdef __cplusplus
}
#endif

#endif /* SAKER_SDK_H */
