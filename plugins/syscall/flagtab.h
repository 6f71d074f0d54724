/* SPDX-License-Identifier: Apache-2.0 */
/* Names of flag values, errnos, signals and capabilities. Immutable data. */
#ifndef SKR_SYSCALL_FLAGTAB_H
#define SKR_SYSCALL_FLAGTAB_H

#include <stdint.h>

#include "evtab.h"

struct skr_flag {
    const char *name; /* NULL ends a table */
    uint32_t value;
};

#define SKR_ERRNO_MAX 140
#define SKR_NUM_CAPS  41

extern const struct skr_flag *const skr_flag_tables[SKR_FT_COUNT];
extern const char *const skr_errno_names[SKR_ERRNO_MAX];
extern const char *const skr_signal_names[32];
extern const char *const skr_cap_names[SKR_NUM_CAPS];

#endif /* SKR_SYSCALL_FLAGTAB_H */
