/* SPDX-License-Identifier: Apache-2.0 */
/*
 * out_stdout: an output sink writing each alert's line to standard output.
 * The lines of one batch are buffered by stdio and written together before
 * the call returns, so a burst costs one write per batch and an alert counted
 * delivered has reached the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <saker/sdk.h>

struct state {
    struct saker_errbuf err;
};

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return "3.0.0";
}

SAKER_EXPORT const char *plugin_get_required_saker_ext_version(void)
{
    return "1.0.0";
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return "out_stdout";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Writes alerts to standard output, one line each";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "https://github.com/saker-project/saker";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return "0.2.0";
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *type)
{
    *type = SS_PLUGIN_SCHEMA_JSON;
    return "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}";
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct state *s = calloc(1, sizeof(*s));

    (void)in;
    *rc = s != NULL ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
    return s;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *s)
{
    free(s);
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct state *)s)->err.msg;
}

SAKER_EXPORT saker_sink_t *plugin_sink_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc)
{
    (void)params;
    *rc = SS_PLUGIN_SUCCESS;
    return s;
}

SAKER_EXPORT ss_plugin_rc plugin_sink_write(ss_plugin_t *s,
                                            saker_sink_t *h,
                                            uint32_t n,
                                            const saker_alert *const *alerts,
                                            saker_sink_result *results)
{
    struct state *st = s;
    bool ok = true;

    (void)h;
    for (uint32_t i = 0; i < n; i++) {
        const char *line = alerts[i]->line ? alerts[i]->line : "";
        size_t len = strlen(line);
        if (ok && (fwrite(line, 1, len, stdout) != len || fputc('\n', stdout) == EOF)) {
            ok = false;
        }
    }
    /* one write for the batch, before the alerts are counted delivered */
    if (ok && fflush(stdout) != 0) {
        ok = false;
    }
    if (!ok) {
        saker_err(&st->err, "cannot write to stdout: %s", strerror(errno));
        clearerr(stdout);
    }
    for (uint32_t i = 0; i < n; i++) {
        results[i].rc = ok ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
        results[i].retries = 0;
    }
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT ss_plugin_rc plugin_sink_flush(ss_plugin_t *s, saker_sink_t *h)
{
    (void)h;
    if (fflush(stdout) != 0) {
        return saker_err(&((struct state *)s)->err, "cannot flush stdout: %s", strerror(errno));
    }
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT void plugin_sink_close(ss_plugin_t *s, saker_sink_t *h)
{
    (void)s;
    (void)h;
    fflush(stdout);
}
