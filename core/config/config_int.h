/* SPDX-License-Identifier: Apache-2.0 */
/* Private to core/config: the setter context and helpers shared by its files. */
#ifndef SKR_CONFIG_INT_H
#define SKR_CONFIG_INT_H

#include "config/config.h"

struct skr_cfg_ctx {
    struct skr_cdoc *doc;
    const char *path; /* key path of the node being set, for messages */
};

/* Sets err to "file:line:col: path: <msg>" for node n. Returns -EINVAL. */
int skr_cfg_errf(struct skr_err *err,
                 const struct skr_cnode *n,
                 const char *path,
                 const char *fmt,
                 ...) SKR_PRINTF(4, 5);

/* snprintf with the result checked: buf always NUL-terminated ("" when the format fails);
 * false when the text did not fit whole. */
bool skr_cfg_fmt(char *buf, size_t size, const char *fmt, ...) SKR_PRINTF(3, 4);

/* Applies one option's value from node n to the configuration struct base. */
int skr_opt_apply(struct skr_cfg_ctx *c,
                  const struct skr_opt *o,
                  const struct skr_cnode *n,
                  void *base,
                  struct skr_err *err);

/* Tables of the components. */
extern const struct skr_opt_table skr_core_opt_table;
extern const struct skr_opt_table skr_output_opt_table;

#endif /* SKR_CONFIG_INT_H */
