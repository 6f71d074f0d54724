/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer harness for the capture file reader: any bytes give records or an error, never a
 * crash or an out-of-bounds read. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline/capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    struct skr_capture_reader *r;
    struct skr_capture_rec rec;
    struct skr_err err;
    size_t n = 0;

    if (size == 0) {
        return 0;
    }
    f = fmemopen((void *)data, size, "rb");
    if (f == NULL) {
        return 0;
    }
    r = skr_capture_open_file(f, "fuzz", &err);
    if (r != NULL) {
        while (skr_capture_next(r, &rec, &err) == 1 && n++ < 100000) {
            if (rec.type == SKR_CAPTURE_REC_EVENT) {
                /* every byte the reader claims belongs to the event must be readable */
                volatile uint8_t sink = 0;
                const uint8_t *p = (const uint8_t *)rec.evt;
                for (uint32_t i = 0; i < rec.evt->len; i++) {
                    sink ^= p[i];
                }
                (void)sink;
            }
        }
        skr_capture_close_reader(r);
    }
    fclose(f);
    return 0;
}
