/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the configuration loader: YAML parsing, option
 * tables, typed setters, -o overrides. The first line of the input is an
 * override ("key=value"), the rest is the configuration file. Includes are
 * checked but not followed (they would read arbitrary files).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    skr_log_set_level(SKR_LOG_EMERG);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t olen = nl ? (size_t)(nl - (const char *)data) : 0;
    char *ov = malloc(olen + 1);
    const char *ovs[1] = { ov };
    struct skr_config_input in = { 0 };
    struct skr_cfg *c = NULL;
    struct skr_err err;

    if (ov == NULL) {
        return 0;
    }
    memcpy(ov, data, olen);
    ov[olen] = '\0';
    in.text = nl ? nl + 1 : (const char *)data;
    in.text_len = nl ? size - olen - 1 : size;
    in.text_name = "fuzz.yaml";
    in.overrides = ovs;
    in.num_overrides = strchr(ov, '=') != NULL && memchr(ov, '\0', olen) == NULL ? 1 : 0;
    in.no_includes = true;
    skr_err_clear(&err);
    if (skr_config_load(&in, &c, &err) == 0) {
        static const char *const ex[] = { "enabled", NULL };
        char *j = skr_config_section_json(c, "file_output", ex);
        free(j);
        skr_config_free(c);
    }
    free(ov);
    return 0;
}
