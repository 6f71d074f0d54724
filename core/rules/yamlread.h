/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the rules-file reader (loader.c) and the exception reader
 * (exceptions.c): YAML node access with marks, Falco's key decoding with its
 * messages, and the reader's error/warning reporting. Internal.
 */
#ifndef SKR_RULES_YAMLREAD_H
#define SKR_RULES_YAMLREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

#include "rules/collect.h"

#define E_YAML     "LOAD_ERR_YAML_VALIDATE"
#define E_VALIDATE "LOAD_ERR_VALIDATE"

/* The state of reading one file. */
struct rd {
    struct collector *c;
    const struct cl_file *f;
    yaml_document_t *doc;
    struct skr_diags *diags;
    struct cl_error *err;
};

yaml_node_t *rd_node(struct rd *r, int id);
struct cl_mark rd_mark(struct rd *r, const yaml_node_t *n);
struct cl_ctx rd_ctx(struct rd *r, const yaml_node_t *n, const char *kind, const char *name);
bool rd_is_scalar(const yaml_node_t *n);
const char *rd_scalar(const yaml_node_t *n);
/* A plain scalar YAML reads as null ("", "~", "null"). */
bool rd_is_null(const yaml_node_t *n);
/* The value of key in mapping m (first match), and its key node when asked. */
yaml_node_t *rd_get(struct rd *r, const yaml_node_t *m, const char *key, yaml_node_t **keynode);
bool rd_has(struct rd *r, const yaml_node_t *m, const char *key);

/* Fills r->err (names copied: the document goes away before the error is reported) and
 * returns -EINVAL. */
int rd_fail(struct rd *r,
            const char *code,
            const struct cl_ctx *ctx,
            const struct cl_ctx *sub,
            const char *fmt,
            ...) SKR_PRINTF(5, 6);
int rd_oom(struct rd *r, const struct cl_ctx *ctx);
void rd_warn(struct rd *r,
             const char *code,
             const struct cl_ctx *ctx,
             const struct cl_ctx *sub,
             const char *msg);
char *rd_dup(struct rd *r, const char *s);

/* yaml-cpp's boolean spellings; decimal unsigned numbers. */
int rd_parse_bool(const char *s, bool *out);
int rd_parse_u64(const char *s, uint64_t *out);

/* Falco's decode_val: a present, non-null, non-empty scalar (*out NULL when absent and
 * optional); then as a string, a bool or a number. */
int rd_decode_scalar(struct rd *r,
                     const yaml_node_t *item,
                     const char *key,
                     const struct cl_ctx *ctx,
                     bool optional,
                     const yaml_node_t **out);
int rd_decode_str(struct rd *r,
                  const yaml_node_t *item,
                  const char *key,
                  const struct cl_ctx *ctx,
                  bool optional,
                  char **out);
int rd_decode_bool(struct rd *r,
                   const yaml_node_t *item,
                   const char *key,
                   const struct cl_ctx *ctx,
                   bool optional,
                   bool *out,
                   bool *present);
int rd_decode_u64(struct rd *r,
                  const yaml_node_t *item,
                  const char *key,
                  const struct cl_ctx *ctx,
                  bool optional,
                  uint64_t *out,
                  bool *present);
/* A sequence of scalars (items, tags). */
int rd_decode_seq(struct rd *r,
                  const yaml_node_t *item,
                  const char *key,
                  const struct cl_ctx *ctx,
                  bool optional,
                  char ***out,
                  uint32_t *nout,
                  bool *present);

/* Exceptions (exceptions.c). */
int rd_read_exceptions(struct rd *r,
                       const yaml_node_t *item,
                       const struct cl_ctx *rctx,
                       bool append,
                       struct cl_exception **out,
                       uint32_t *nout,
                       bool *present);
int rd_validate_exception(struct rd *r,
                          const char *source,
                          bool source_known,
                          struct cl_exception *ex,
                          const struct cl_ctx *rctx);
/* Adds appended exceptions to a rule, or appends values to existing ones. */
int rd_append_exceptions(struct rd *r,
                         struct cl_rule *prev,
                         struct cl_exception *excs,
                         uint32_t n,
                         const struct cl_ctx *ctx);

#endif /* SKR_RULES_YAMLREAD_H */
