/* SPDX-License-Identifier: Apache-2.0 */
/*
 * out_file: an output sink appending each alert's line to a file (Falco's
 * file_output). With keep_alive the file stays open and plugin_sink_reopen
 * (SIGUSR1) closes and reopens it, for log rotation; without it the file is
 * opened and closed for every batch of alerts, so rotation needs nothing.
 *
 * Every batch is handed to the kernel before the write call returns, so an
 * alert counted delivered is in the file (an error marks the batch failed).
 * fsync says when it is also forced to disk: never, flush (when the host's
 * queue runs empty, and at close) or always (after every batch).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <saker/sdk.h>

enum fsync_policy {
    FSYNC_NEVER,
    FSYNC_FLUSH,
    FSYNC_ALWAYS,
};

struct state {
    struct saker_errbuf err;
    char *filename;
    bool keep_alive;
    enum fsync_policy fsync;
    FILE *f;
    bool unsynced; /* written since the last fsync */
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
    return "out_file";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "Appends alerts to a file, one line each";
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
    return "{\"type\":\"object\",\"properties\":{\"filename\":{\"type\":\"string\","
           "\"minLength\":1},\"keep_alive\":{\"type\":\"boolean\"},\"fsync\":{\"type\":"
           "\"string\",\"enum\":[\"never\",\"flush\",\"always\"]}},\"required\":[\"filename\"],"
           "\"additionalProperties\":false}";
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct state *s = calloc(1, sizeof(*s));
    cJSON *cfg;
    const cJSON *fn;
    const cJSON *fs;

    if (s == NULL) {
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    *rc = SS_PLUGIN_FAILURE;
    cfg = cJSON_Parse(in->config ? in->config : "");
    fn = cJSON_GetObjectItemCaseSensitive(cfg, "filename");
    fs = cJSON_GetObjectItemCaseSensitive(cfg, "fsync");
    if (!cJSON_IsString(fn) || fn->valuestring[0] == '\0') {
        saker_err(&s->err, "init config needs a \"filename\" (file_output.filename)");
        goto out;
    }
    s->keep_alive = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "keep_alive"));
    s->fsync = FSYNC_NEVER;
    if (cJSON_IsString(fs) && strcmp(fs->valuestring, "flush") == 0) {
        s->fsync = FSYNC_FLUSH;
    } else if (cJSON_IsString(fs) && strcmp(fs->valuestring, "always") == 0) {
        s->fsync = FSYNC_ALWAYS;
    } else if (fs != NULL && !(cJSON_IsString(fs) && strcmp(fs->valuestring, "never") == 0)) {
        saker_err(&s->err, "\"fsync\" must be never, flush or always");
        goto out;
    }
    s->filename = strdup(fn->valuestring);
    if (s->filename == NULL) {
        saker_err(&s->err, "out of memory");
        goto out;
    }
    *rc = SS_PLUGIN_SUCCESS;
out:
    cJSON_Delete(cfg);
    return s;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *s)
{
    struct state *st = s;

    if (st->f != NULL) {
        fclose(st->f);
    }
    free(st->filename);
    free(st);
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct state *)s)->err.msg;
}

static ss_plugin_rc open_file(struct state *s)
{
    s->f = fopen(s->filename, "a");
    if (s->f == NULL) {
        return saker_err(&s->err, "cannot open %s for appending: %s", s->filename, strerror(errno));
    }
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc sync_file(struct state *s)
{
    if (s->f == NULL || !s->unsynced) {
        return SS_PLUGIN_SUCCESS;
    }
    if (fflush(s->f) != 0 || fsync(fileno(s->f)) != 0) {
        return saker_err(&s->err, "cannot sync %s to disk: %s", s->filename, strerror(errno));
    }
    s->unsynced = false;
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc close_file(struct state *s)
{
    ss_plugin_rc rc = SS_PLUGIN_SUCCESS;

    if (s->f == NULL) {
        return SS_PLUGIN_SUCCESS;
    }
    if (s->fsync != FSYNC_NEVER) {
        rc = sync_file(s);
    }
    if (fclose(s->f) != 0 && rc == SS_PLUGIN_SUCCESS) {
        rc = saker_err(&s->err, "cannot write %s: %s", s->filename, strerror(errno));
    }
    s->f = NULL;
    return rc;
}

SAKER_EXPORT saker_sink_t *plugin_sink_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc)
{
    struct state *st = s;

    (void)params;
    /* open once even without keep_alive, so a bad path fails at start, not at the first alert */
    *rc = open_file(st);
    if (*rc == SS_PLUGIN_SUCCESS && !st->keep_alive) {
        *rc = close_file(st);
    }
    return *rc == SS_PLUGIN_SUCCESS ? st : NULL;
}

static void mark_all(saker_sink_result *results, uint32_t n, ss_plugin_rc rc)
{
    for (uint32_t i = 0; i < n; i++) {
        results[i].rc = rc;
        results[i].retries = 0;
    }
}

SAKER_EXPORT ss_plugin_rc plugin_sink_write(ss_plugin_t *s,
                                            saker_sink_t *h,
                                            uint32_t n,
                                            const saker_alert *const *alerts,
                                            saker_sink_result *results)
{
    struct state *st = s;
    bool failed = false;

    (void)h;
    mark_all(results, n, SS_PLUGIN_FAILURE);
    if (st->f == NULL && open_file(st) != SS_PLUGIN_SUCCESS) {
        return SS_PLUGIN_FAILURE;
    }
    for (uint32_t i = 0; i < n && !failed; i++) {
        const char *line = alerts[i]->line ? alerts[i]->line : "";
        size_t len = strlen(line);
        if (fwrite(line, 1, len, st->f) != len || fputc('\n', st->f) == EOF) {
            saker_err(&st->err, "cannot write %s: %s", st->filename, strerror(errno));
            failed = true;
        }
    }
    /* hand the batch to the kernel now, so what is counted delivered is in the file */
    if (!failed && fflush(st->f) != 0) {
        saker_err(&st->err, "cannot write %s: %s", st->filename, strerror(errno));
        failed = true;
    }
    st->unsynced = true;
    if (!failed && st->fsync == FSYNC_ALWAYS && sync_file(st) != SS_PLUGIN_SUCCESS) {
        failed = true;
    }
    if (failed) {
        /* start over with a fresh open at the next batch (a full disk, a removed directory) */
        fclose(st->f);
        st->f = NULL;
        return SS_PLUGIN_FAILURE;
    }
    if (!st->keep_alive && close_file(st) != SS_PLUGIN_SUCCESS) {
        return SS_PLUGIN_FAILURE;
    }
    mark_all(results, n, SS_PLUGIN_SUCCESS);
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT ss_plugin_rc plugin_sink_flush(ss_plugin_t *s, saker_sink_t *h)
{
    struct state *st = s;

    (void)h;
    if (st->fsync == FSYNC_FLUSH) {
        return sync_file(st);
    }
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT ss_plugin_rc plugin_sink_reopen(ss_plugin_t *s, saker_sink_t *h)
{
    struct state *st = s;
    ss_plugin_rc rc;

    (void)h;
    if (!st->keep_alive) {
        return SS_PLUGIN_SUCCESS;
    }
    rc = close_file(st);
    if (open_file(st) != SS_PLUGIN_SUCCESS) {
        return SS_PLUGIN_FAILURE;
    }
    return rc;
}

SAKER_EXPORT void plugin_sink_close(ss_plugin_t *s, saker_sink_t *h)
{
    (void)h;
    close_file(s);
}
