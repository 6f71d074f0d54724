/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the parameters of an event in the libscap layout, bounded by its length; text. */
#include "plugin/plugin.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool skr_evt_large_payload(uint16_t type)
{
    return (type >= 322 && type <= 325) || type == 402 || type == 403;
}

int skr_evt_param(const ss_plugin_event *evt, uint32_t idx, const uint8_t **data, uint32_t *len)
{
    const uint8_t *base = (const uint8_t *)evt;
    uint32_t lw;
    uint64_t off;

    if (evt->len < SKR_EVT_HDR_LEN || idx >= evt->nparams) {
        return -1;
    }
    lw = skr_evt_large_payload(evt->type) ? 4 : 2;
    off = SKR_EVT_HDR_LEN + (uint64_t)evt->nparams * lw;
    if (off > evt->len) {
        return -1;
    }
    for (uint32_t i = 0; i <= idx; i++) {
        uint32_t l;
        if (lw == 4) {
            memcpy(&l, base + SKR_EVT_HDR_LEN + (uint64_t)i * 4, 4);
        } else {
            uint16_t l16;
            memcpy(&l16, base + SKR_EVT_HDR_LEN + (uint64_t)i * 2, 2);
            l = l16;
        }
        if (off + l > evt->len) {
            return -1;
        }
        if (i == idx) {
            *data = base + off;
            *len = l;
            return 0;
        }
        off += l;
    }
    return -1;
}

bool skr_evt_well_formed(const ss_plugin_event *evt, uint32_t avail)
{
    const uint8_t *base = (const uint8_t *)evt;
    uint32_t lw;
    uint64_t off;

    if (avail < SKR_EVT_HDR_LEN || evt->len < SKR_EVT_HDR_LEN || evt->len > avail) {
        return false;
    }
    lw = skr_evt_large_payload(evt->type) ? 4 : 2;
    off = SKR_EVT_HDR_LEN + (uint64_t)evt->nparams * lw;
    if (off > evt->len) {
        return false;
    }
    for (uint32_t i = 0; i < evt->nparams; i++) {
        uint32_t l;
        if (lw == 4) {
            memcpy(&l, base + SKR_EVT_HDR_LEN + (uint64_t)i * 4, 4);
        } else {
            uint16_t l16;
            memcpy(&l16, base + SKR_EVT_HDR_LEN + (uint64_t)i * 2, 2);
            l = l16;
        }
        off += l;
        if (off > evt->len) {
            return false;
        }
    }
    return true;
}

bool skr_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (size == 0) {
        return false;
    }
    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0) {
        buf[0] = '\0';
        return false;
    }
    return (size_t)n < size;
}
