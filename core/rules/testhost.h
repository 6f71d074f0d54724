/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A struct skr_rules_host built from a JSON document in the shape `saker
 * --list -o json` prints:
 *   {"fields":[{"source","plugin","name","type","desc","list":bool,
 *               "arg":{"required","index","key","dotted"},"properties":[...]}],
 *    "event_types":{"<source>":[{"name","code","dir"}]},
 *    "plugins":[{"name","version"}]}          (plugins: optional, for requirements)
 * For tests, tools and benchmarks only (the pipeline uses the core's field
 * registry); it lives in the library saker_rules_testhost.
 */
#ifndef SKR_RULES_TESTHOST_H
#define SKR_RULES_TESTHOST_H

#include <stddef.h>

#include "rules/rules.h"

struct skr_test_host;

/* Parses json. Returns NULL and fills err (when not NULL) on failure. */
struct skr_test_host *skr_test_host_new(const char *json, size_t len, char *err, size_t errlen);
/* Reads and parses a file. */
struct skr_test_host *skr_test_host_load(const char *path, char *err, size_t errlen);
void skr_test_host_free(struct skr_test_host *h);

/* The host interface (valid while h lives). */
const struct skr_rules_host *skr_test_host_get(struct skr_test_host *h);

/* Adds a loaded plugin (for required_plugin_versions). Returns 0 or -ENOMEM. */
int skr_test_host_add_plugin(struct skr_test_host *h, const char *name, const char *version);

/* The descriptor of field id (as given to skr_extract_req.field_id), or NULL. */
const struct skr_field_desc *skr_test_host_field(const struct skr_test_host *h, uint32_t id);

#endif /* SKR_RULES_TESTHOST_H */
