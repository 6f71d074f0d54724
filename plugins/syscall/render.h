/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text of event parameters as evt.arg / evt.args show them: the plain form
 * and the resolved form (flag names, fd names, absolute paths, user names).
 */
#ifndef SKR_SYSCALL_RENDER_H
#define SKR_SYSCALL_RENDER_H

#include "plugin.h"

/* fd.type text and fd.typechar of an fd type. */
const char *skr_fdtype_name(uint8_t type);
char skr_fdtype_char(uint8_t type);

/* Appends the names of value in flag table tab, rendered per the parameter type. */
void skr_render_flags(struct skr_sbuf *b, uint8_t pt, uint8_t tab, uint64_t value);

/* Appends the text of parameter i of the current event: resolved when non-empty, else plain. */
void skr_render_arg(struct skr_sys *s, struct skr_sbuf *b, uint32_t i);

/* Appends every parameter as name=plain[(resolved)] separated by spaces. */
void skr_render_args(struct skr_sys *s, struct skr_sbuf *b);

/* The errno symbol of e (positive), or NULL. */
const char *skr_errno_name(int64_t e);
/* The errno name of a negative return value (-ENOENT: "ENOENT"), or NULL. */
const char *skr_errno_name_ret(int64_t ret);

/* Appends buf rendered as Falco's "normal" buffer format (printable ASCII, '.' otherwise). */
void skr_render_bytes(struct skr_sbuf *b, const uint8_t *p, size_t n);

#endif /* SKR_SYSCALL_RENDER_H */
