/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay (-e FILE): the events of a capture file go through the same checks,
 * parse and extract plugins and rules as live events, with no source opened
 * (the sourcing plugins are init'ed, for their fields and their event
 * texts). One thread reads the file in order and hands each event to its
 * source, so the alerts come out in the order of the capture.
 */
#include "pipeline/pipeline_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int skr_replay_open(struct skr_engine *e, const char *path, struct skr_err *err)
{
    e->reader = skr_capture_open(path, err);
    return e->reader != NULL ? 0 : err->code;
}

static struct skr_source *source_of(struct skr_engine *e, const char *name)
{
    for (size_t i = 0; i < e->nsources; i++) {
        if (strcmp(e->sources[i]->name, name) == 0) {
            return e->sources[i];
        }
    }
    return NULL;
}

static void fail(struct skr_engine *e, const char *fmt, ...) SKR_PRINTF(2, 3);

static void fail(struct skr_engine *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(e->replay_error, sizeof(e->replay_error), fmt, ap) < 0) {
        e->replay_error[0] = '\0';
    }
    va_end(ap);
    atomic_store(&e->replay_failed, true);
    skr_log(SKR_LOG_ERR, "replay", "%s", e->replay_error);
}

static void *replay_main(void *arg)
{
    struct skr_engine *e = arg;
    struct skr_source **by_ref = NULL;
    size_t nref = 0;
    struct skr_capture_rec rec;
    struct skr_err err;
    uint64_t n = 0;
    char why[256];
    int rc;

    for (size_t i = 0; i < e->nsources; i++) {
        skr_source_sync_rules(e->sources[i]);
        skr_source_capture_open(e->sources[i]);
    }
    while (!atomic_load_explicit(&e->stop, memory_order_relaxed)) {
        skr_err_clear(&err);
        rc = skr_capture_next(e->reader, &rec, &err);
        if (rc == 0) {
            break;
        }
        if (rc < 0) {
            fail(e, "%s", err.msg);
            break;
        }
        if (rec.type == SKR_CAPTURE_REC_SOURCE) {
            struct skr_source *s = source_of(e, rec.ident.source);
            struct skr_source **nb;
            if (s == NULL) {
                fail(e,
                     "capture file %s: offset %" PRIu64 ": source '%s' (plugin '%s', ID %u) is "
                     "not provided by any loaded plugin: load it (plugins, load_plugins) to "
                     "replay this capture",
                     e->opts->capture_read, rec.offset, rec.ident.source, rec.ident.plugin,
                     rec.ident.plugin_id);
                break;
            }
            nb = realloc(by_ref, (nref + 1) * sizeof(*nb));
            if (nb == NULL) {
                fail(e, "out of memory");
                break;
            }
            by_ref = nb;
            by_ref[nref++] = s;
            continue;
        }
        {
            struct skr_source *s = (size_t)rec.ref < nref ? by_ref[rec.ref] : NULL;
            const ss_plugin_event *evt = NULL;
            if (s == NULL) {
                fail(e, "capture file %s: offset %" PRIu64 ": event of unknown source reference",
                     e->opts->capture_read, rec.offset);
                break;
            }
            if (skr_source_check_replayed(s, rec.evt, &evt, why, sizeof(why)) < 0) {
                fail(e, "capture file %s: offset %" PRIu64 ": %s", e->opts->capture_read,
                     rec.offset, why);
                break;
            }
            skr_source_event(s, evt, skr_capture_ident_of(e->reader, rec.ref));
            if ((++n & 1023) == 0) {
                atomic_store_explicit(&s->n_events, s->evtnum, memory_order_relaxed);
                skr_source_sync_rules(s);
            }
        }
    }
    for (size_t i = 0; i < e->nsources; i++) {
        struct skr_source *s = e->sources[i];
        skr_source_capture_close(s);
        atomic_store(&s->n_events, s->evtnum);
        if (e->cw != NULL) {
            skr_capture_flush(e->cw, &s->cbuf);
        }
        /* a damaged file fails the replay (reported once, with its offset), not each source */
        atomic_store(&s->state, atomic_load(&e->replay_failed) ||
                                                atomic_load_explicit(&e->stop, memory_order_relaxed)
                                        ? SRC_STOPPED
                                        : SRC_EOF);
    }
    free(by_ref);
    {
        uint64_t one = 1;
        if (write(e->notify_fd, &one, sizeof(one)) < 0) {
            skr_log(SKR_LOG_DEBUG, "replay", "cannot wake the main thread");
        }
    }
    return NULL;
}

int skr_replay_start(struct skr_engine *e, struct skr_err *err)
{
    for (size_t i = 0; i < e->nsources; i++) {
        atomic_store(&e->sources[i]->state, SRC_RUNNING);
    }
    if (pthread_create(&e->replay_thread, NULL, replay_main, e) != 0) {
        return skr_err_set(err, -EAGAIN, "cannot start the replay thread");
    }
    e->replay_started = true;
    return 0;
}

void skr_replay_join(struct skr_engine *e)
{
    if (e->replay_started) {
        pthread_join(e->replay_thread, NULL);
        e->replay_started = false;
    }
}
