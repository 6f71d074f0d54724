/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the k8saudit plugin's audit-event parsing: the input
 * is read as a file of audit events through the plugin's own open/next_batch
 * (framing, JSON parsing, EventList/Event/array handling, timestamps), every
 * event it yields has all 100 fields extracted, and the input itself is also
 * extracted from as if it were an event payload.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <saker/plugin_api.h>
#include <saker/sdk.h>

#include "k8saudit.h"

ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc);
void plugin_destroy(ss_plugin_t *s);
ss_instance_t *plugin_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc);
void plugin_close(ss_plugin_t *s, ss_instance_t *h);
ss_plugin_rc plugin_next_batch(ss_plugin_t *s,
                               ss_instance_t *h,
                               uint32_t *nevts,
                               ss_plugin_event ***evts);
ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                   const ss_plugin_event_input *ev,
                                   const ss_plugin_field_extract_input *in);
const char *plugin_event_to_string(ss_plugin_t *s, const ss_plugin_event_input *ev);

#define NFIELDS 100

static uint64_t evtnum;

static void extract_all(ss_plugin_t *s, const ss_plugin_event *evt)
{
    static const char *const keys[] = { "command", "/var/run/docker.sock", "/var*", "x" };
    ss_plugin_event_input in = { .evt = evt, .evtnum = ++evtnum, .evtsrc = "k8s_audit" };
    ss_plugin_extract_field f[NFIELDS * 3];
    ss_plugin_field_extract_input ei;

    memset(f, 0, sizeof(f));
    for (uint32_t i = 0; i < NFIELDS; i++) {
        /* no argument, an index argument, a key argument */
        f[i].field_id = i;
        f[i].field = "fuzz";
        f[i].ftype = FTYPE_STRING;
        f[NFIELDS + i] = f[i];
        f[NFIELDS + i].arg_present = 1;
        f[NFIELDS + i].arg_index = evtnum % 3;
        f[2 * NFIELDS + i] = f[i];
        f[2 * NFIELDS + i].arg_present = 1;
        f[2 * NFIELDS + i].arg_key = keys[(evtnum + i) % 4];
    }
    memset(&ei, 0, sizeof(ei));
    ei.num_fields = NFIELDS * 3;
    ei.fields = f;
    if (plugin_extract_fields(s, &in, &ei) != SS_PLUGIN_SUCCESS) {
        return;
    }
    for (uint32_t i = 0; i < NFIELDS * 3; i++) {
        for (uint64_t k = 0; k < f[i].res_len; k++) {
            /* results must be readable strings */
            if (strlen(f[i].res.str[k]) > (1u << 30)) {
                __builtin_trap(); /* an invariant broke: make libFuzzer report it */
            }
        }
    }
    plugin_event_to_string(s, &in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t evbuf[1 << 20];
    ss_plugin_init_input init = { .config = "{\"maxEventSize\":65536}" };
    ss_plugin_rc rc;
    ss_plugin_t *s = plugin_init(&init, &rc);
    char path[64];
    int fd;

    if (rc != SS_PLUGIN_SUCCESS) {
        __builtin_trap(); /* an invariant broke: make libFuzzer report it */
    }
    /* the input as an event payload */
    if (size + 64 < sizeof(evbuf) &&
        saker_evt_build_plugin(evbuf, sizeof(evbuf), 1, K8S_PLUGIN_ID, data, (uint32_t)size) > 0) {
        extract_all(s, (const ss_plugin_event *)evbuf);
    }
    /* the input as a file of audit events */
    fd = memfd_create("k8saudit-fuzz", 0);
    if (fd >= 0 && write(fd, data, size) == (ssize_t)size &&
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd) > 0) {
        ss_instance_t *h = plugin_open(s, path, &rc);
        if (h != NULL) {
            for (int batches = 0; batches < 1000; batches++) {
                uint32_t n = 0;
                ss_plugin_event **evts = NULL;
                rc = plugin_next_batch(s, h, &n, &evts);
                for (uint32_t i = 0; i < n; i++) {
                    extract_all(s, evts[i]);
                }
                if (rc != SS_PLUGIN_SUCCESS) {
                    break;
                }
            }
            plugin_close(s, h);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    plugin_destroy(s);
    return 0;
}
