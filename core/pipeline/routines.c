/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture listening (plugin API 3.7): when a source's stream opens (live or
 * replay) every plugin of that source with the capability gets
 * plugin_capture_open, with a routine vtable through which it may run work
 * on host threads; plugin_capture_close when the stream closes. Each
 * subscribed routine runs on its own thread, again and again, until it
 * returns false or is unsubscribed; all are joined at close.
 */
#include "pipeline/pipeline_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct skr_routine {
    pthread_t thread;
    struct skr_plugin_inst *inst;
    ss_plugin_routine_fn_t fn;
    ss_plugin_routine_state_t *arg;
    _Atomic bool stop;
    bool joined;
    struct skr_routine *next;
};

static void *routine_main(void *arg)
{
    struct skr_routine *r = arg;

    while (!atomic_load(&r->stop) && r->fn(r->inst->state, r->arg)) {
    }
    return NULL;
}

static ss_plugin_routine_t *subscribe(ss_plugin_owner_t *o,
                                      ss_plugin_routine_fn_t f,
                                      ss_plugin_routine_state_t *i)
{
    struct skr_plugin_inst *inst = o;
    struct skr_source *s = inst != NULL ? inst->user : NULL;
    struct skr_routine *r;

    if (s == NULL || f == NULL || (r = calloc(1, sizeof(*r))) == NULL) {
        return NULL;
    }
    r->inst = inst;
    r->fn = f;
    r->arg = i;
    if (pthread_create(&r->thread, NULL, routine_main, r) != 0) {
        free(r);
        return NULL;
    }
    pthread_mutex_lock(&s->async_lock);
    r->next = s->routines;
    s->routines = r;
    pthread_mutex_unlock(&s->async_lock);
    return r;
}

static ss_plugin_rc unsubscribe(ss_plugin_owner_t *o, ss_plugin_routine_t *rt)
{
    struct skr_plugin_inst *inst = o;
    struct skr_source *s = inst != NULL ? inst->user : NULL;
    struct skr_routine *r = rt;

    if (s == NULL || r == NULL) {
        return SS_PLUGIN_FAILURE;
    }
    atomic_store(&r->stop, true);
    if (!pthread_equal(pthread_self(), r->thread) && !r->joined) {
        pthread_join(r->thread, NULL);
        r->joined = true;
    }
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_routine_vtable routine_vt = { subscribe, unsubscribe };

static void listen_input(struct skr_source *s,
                         struct skr_plugin_inst *inst,
                         ss_plugin_capture_listen_input *in)
{
    memset(in, 0, sizeof(*in));
    in->owner = inst;
    in->routine = &routine_vt;
    in->table_reader_ext = skr_tables_reader(s->tables);
    in->table_writer_ext = skr_tables_writer(s->tables);
    in->get_owner_last_error = skr_plugin_owner_last_error;
}

void skr_source_capture_open(struct skr_source *s)
{
    for (size_t i = 0; i < s->eng->nplugins; i++) {
        struct skr_plugin_inst *inst = &s->insts[i];
        ss_plugin_capture_listen_input in;

        if (inst->state == NULL || !(inst->p->caps & SKR_CAP_CAPTURE_LISTENING)) {
            continue;
        }
        listen_input(s, inst, &in);
        if (inst->p->vt.api.capture_open(inst->state, &in) != SS_PLUGIN_SUCCESS) {
            skr_log(SKR_LOG_WARNING, inst->p->name, "plugin_capture_open failed: %s",
                    skr_plugin_inst_last_error(inst));
        }
    }
}

void skr_source_capture_close(struct skr_source *s)
{
    struct skr_routine *r;

    for (size_t i = 0; i < s->eng->nplugins; i++) {
        struct skr_plugin_inst *inst = &s->insts[i];
        ss_plugin_capture_listen_input in;

        if (inst->state == NULL || !(inst->p->caps & SKR_CAP_CAPTURE_LISTENING)) {
            continue;
        }
        listen_input(s, inst, &in);
        if (inst->p->vt.api.capture_close(inst->state, &in) != SS_PLUGIN_SUCCESS) {
            skr_log(SKR_LOG_WARNING, inst->p->name, "plugin_capture_close failed: %s",
                    skr_plugin_inst_last_error(inst));
        }
    }
    /* routines still subscribed stop now */
    pthread_mutex_lock(&s->async_lock);
    r = s->routines;
    s->routines = NULL;
    pthread_mutex_unlock(&s->async_lock);
    while (r != NULL) {
        struct skr_routine *next = r->next;
        atomic_store(&r->stop, true);
        if (!r->joined) {
            pthread_join(r->thread, NULL);
        }
        free(r);
        r = next;
    }
}
