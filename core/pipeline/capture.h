/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture files: every event of every source, with the identity of the
 * source and plugin that produced it, so a replay can run the same parse and
 * extract plugins and rules without the live source. The format is described
 * in docs/capture-format.md.
 *
 * Writing: one writer shared by the source threads; each thread appends
 * records to its own struct skr_capture_buf and the buffer goes to the file
 * whole, under the writer's lock, so records never interleave.
 *
 * Reading: sequential; every length is checked against the file and every
 * record's CRC-32; a truncated or corrupt file is an error that names the
 * byte offset, never a crash.
 */
#ifndef SKR_PIPELINE_CAPTURE_H
#define SKR_PIPELINE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <saker/plugin_api.h>

#include "util/err.h"

#define SKR_CAPTURE_MAGIC             "SAKERCAP"
#define SKR_CAPTURE_VERSION_MAJOR     1
#define SKR_CAPTURE_VERSION_MINOR     0
#define SKR_CAPTURE_HEADER_LEN        32
#define SKR_CAPTURE_RECORD_HEADER_LEN 16
#define SKR_CAPTURE_MAX_RECORD        (64u * 1024u * 1024u)

enum skr_capture_rec_type {
    SKR_CAPTURE_REC_SOURCE = 1, /* declares a (source, plugin) identity and its reference */
    SKR_CAPTURE_REC_EVENT = 2,  /* one event of a declared identity */
};

/* Who produced an event: the source it belongs to and the plugin that made it. */
struct skr_capture_ident {
    const char *source;
    const char *plugin;
    const char *version;
    uint32_t plugin_id;
};

/* ---- Writing ------------------------------------------------------------------------ */

struct skr_capture_writer;

struct skr_capture_buf {
    uint8_t *p;
    size_t len;
    size_t cap;
};

struct skr_capture_writer *skr_capture_create(const char *path, struct skr_err *err);

/*
 * The reference of an identity, declaring it in the file (a SOURCE record
 * in buf) the first time it is seen. Thread-safe. Returns the reference or
 * a negative errno.
 */
int skr_capture_ref(struct skr_capture_writer *w,
                    struct skr_capture_buf *buf,
                    const struct skr_capture_ident *id);

/* Appends an EVENT record to buf; writes buf out when it grows large. Returns 0 or -errno. */
int skr_capture_event(struct skr_capture_writer *w,
                      struct skr_capture_buf *buf,
                      int ref,
                      const ss_plugin_event *evt);

/* Writes buf out (under the writer's lock) and empties it. */
int skr_capture_flush(struct skr_capture_writer *w, struct skr_capture_buf *buf);

void skr_capture_buf_fini(struct skr_capture_buf *buf);

/* Closes the file. Returns 0, or -errno when any write failed (err says which). */
int skr_capture_close(struct skr_capture_writer *w, struct skr_err *err);

/* Records written. */
uint64_t skr_capture_events(const struct skr_capture_writer *w);

/* ---- Reading ------------------------------------------------------------------------ */

struct skr_capture_reader;

struct skr_capture_rec {
    enum skr_capture_rec_type type;
    uint64_t offset; /* of the record in the file */
    int ref;
    /* SOURCE */
    struct skr_capture_ident ident; /* strings valid until the reader is closed */
    /* EVENT: valid until the next skr_capture_next */
    const ss_plugin_event *evt;
};

/* Opens path ("-" is stdin) and checks the file header. */
struct skr_capture_reader *skr_capture_open(const char *path, struct skr_err *err);
/* Reads from f (borrowed); name labels errors. */
struct skr_capture_reader *skr_capture_open_file(FILE *f, const char *name, struct skr_err *err);

/*
 * The next record: 1 with *rec filled, 0 at the end of the file, or a
 * negative errno with err naming the file and the byte offset. An EVENT of
 * an undeclared reference is an error.
 */
int skr_capture_next(struct skr_capture_reader *r,
                     struct skr_capture_rec *rec,
                     struct skr_err *err);

/* The identity of a declared reference, or NULL. */
const struct skr_capture_ident *skr_capture_ident_of(const struct skr_capture_reader *r, int ref);

void skr_capture_close_reader(struct skr_capture_reader *r);

#endif /* SKR_PIPELINE_CAPTURE_H */
