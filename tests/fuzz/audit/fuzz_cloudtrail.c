/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the cloudtrail plugin's record parsing: the input is
 * split into records as a log file, and also read through the plugin's own
 * open/next_batch (gzip detection, splitting, eventTime ordering); every
 * record has all 73 fields extracted and its event_to_string text built.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <saker/plugin_api.h>
#include <saker/sdk.h>

#include "cloudtrail.h"

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

#define NFIELDS 73

static uint64_t evtnum;

static void extract_all(ss_plugin_t *s, const ss_plugin_event *evt)
{
    ss_plugin_event_input in = { .evt = evt, .evtnum = ++evtnum, .evtsrc = "aws_cloudtrail" };
    ss_plugin_extract_field f[NFIELDS];
    ss_plugin_field_extract_input ei;

    memset(f, 0, sizeof(f));
    for (uint32_t i = 0; i < NFIELDS; i++) {
        f[i].field_id = i;
        f[i].field = "fuzz";
        /* s3.bytes* and s3.cnt.* (60..65) are numbers */
        f[i].ftype = (i >= 60 && i <= 65) ? FTYPE_UINT64 : FTYPE_STRING;
        if (i == 68 && (evtnum & 1)) {
            f[i].arg_present = 1;
            f[i].arg_index = evtnum % 4;
        }
    }
    memset(&ei, 0, sizeof(ei));
    ei.num_fields = NFIELDS;
    ei.fields = f;
    if (plugin_extract_fields(s, &in, &ei) != SS_PLUGIN_SUCCESS) {
        return;
    }
    for (uint32_t i = 0; i < NFIELDS; i++) {
        for (uint64_t k = 0; k < f[i].res_len && f[i].ftype == FTYPE_STRING; k++) {
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
    ss_plugin_init_input init = { .config = "" };
    struct ct_spans spans = { 0 };
    ss_plugin_rc rc;
    ss_plugin_t *s = plugin_init(&init, &rc);
    char path[64];
    int fd;

    if (rc != SS_PLUGIN_SUCCESS) {
        __builtin_trap(); /* an invariant broke: make libFuzzer report it */
    }
    /* splitting, then every record as an event, whatever its content */
    if (ct_split_records((const char *)data, size, &spans) == 0) {
        for (size_t i = 0; i < spans.n; i++) {
            if (spans.v[i].off + spans.v[i].len > size) {
                __builtin_trap(); /* an invariant broke: make libFuzzer report it */
            }
            if (saker_evt_build_plugin(evbuf, sizeof(evbuf), 1, CT_PLUGIN_ID, data + spans.v[i].off,
                                       (uint32_t)spans.v[i].len) > 0) {
                extract_all(s, (const ss_plugin_event *)evbuf);
            }
        }
    }
    free(spans.v);
    /* the input as a log file */
    fd = memfd_create("cloudtrail-fuzz", 0);
    if (fd >= 0 && write(fd, data, size) == (ssize_t)size &&
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd) > 0) {
        ss_instance_t *h = plugin_open(s, path, &rc);
        if (h != NULL) {
            uint64_t prev_ts = 0;
            for (int batches = 0; batches < 1000; batches++) {
                uint32_t n = 0;
                ss_plugin_event **evts = NULL;
                rc = plugin_next_batch(s, h, &n, &evts);
                for (uint32_t i = 0; i < n; i++) {
                    /* one file: records come out in time order */
                    if (evts[i]->ts < prev_ts) {
                        __builtin_trap(); /* an invariant broke: make libFuzzer report it */
                    }
                    prev_ts = evts[i]->ts;
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
