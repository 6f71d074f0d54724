/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one place uthash is included. Out of memory in a uthash macro never
 * exits the process: the add is skipped and skr_hash_oom is set on the
 * element's table, which the caller checks after HASH_ADD*.
 *
 * Usage:  HASH_ADD_KEYPTR(hh, head, key, len, elt);
 *         if (skr_hash_failed()) { ... handle out of memory ... }
 */
#ifndef SKR_UTIL_HASH_H
#define SKR_UTIL_HASH_H

#include <stdbool.h>

/* Set by the non-fatal OOM hook in the calling thread; read and cleared by skr_hash_failed(). */
extern _Thread_local bool skr_hash_oom_flag;

static inline bool skr_hash_failed(void)
{
    bool f = skr_hash_oom_flag;
    skr_hash_oom_flag = false;
    return f;
}

#define HASH_NONFATAL_OOM        1
#define uthash_nonfatal_oom(elt) (skr_hash_oom_flag = true)

#include <uthash.h>
#include <utlist.h>

#endif /* SKR_UTIL_HASH_H */
