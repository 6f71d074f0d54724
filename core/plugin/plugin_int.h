/* SPDX-License-Identifier: Apache-2.0 */
/* Private to core/plugin. */
#ifndef SKR_PLUGIN_INT_H
#define SKR_PLUGIN_INT_H

#include "plugin/plugin.h"

/* Parses get_fields JSON into p->fields. */
int skr_plugin_parse_fields(struct skr_plugin *p, const char *json, struct skr_err *err);

/* Parses a get_*_event_sources JSON array (fn may be NULL: empty set) into set, adding the
 * plugin's own source when it is a source. */
int skr_plugin_parse_srcset(struct skr_plugin *p,
                            const char *(*fn)(void),
                            const char *sym,
                            struct skr_srcset *set,
                            struct skr_err *err);

/* Parses get_async_events into p->async_names (non-empty array required). */
int skr_plugin_parse_async_names(struct skr_plugin *p, struct skr_err *err);

/* Checks that an init schema is a JSON object. */
int skr_plugin_check_schema_doc(struct skr_plugin *p, const char *schema, struct skr_err *err);

/* Parses one field object (shared with the core's generic field table). */
struct cJSON;
int skr_plugin_field_from_json(struct skr_arena *a,
                               const struct cJSON *obj,
                               struct skr_plugin_field *f,
                               char *why,
                               size_t why_len);

#endif /* SKR_PLUGIN_INT_H */
