/* SPDX-License-Identifier: Apache-2.0 */
/* Path resolution as the rules see it: base + relative path, normalised. */
#ifndef SKR_SYSCALL_PATH_H
#define SKR_SYSCALL_PATH_H

#include <stddef.h>

#define SKR_PATH_MAX      4096
#define SKR_PATH_TOO_LONG "/DIR_TOO_LONG/FILENAME_TOO_LONG"

/*
 * Writes into out (at least SKR_PATH_MAX + 1 bytes) the normalised form of
 * path when it is absolute, else of base + path (base ends with '/'): "."
 * components dropped, ".." removes the previous component (never above
 * "/"), repeated '/' collapsed, a trailing '/' kept. A result longer than
 * SKR_PATH_MAX is SKR_PATH_TOO_LONG. Returns the length written.
 */
size_t skr_path_resolve(char *out, const char *base, size_t blen, const char *path, size_t plen);

#endif /* SKR_SYSCALL_PATH_H */
