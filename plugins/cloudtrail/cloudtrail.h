/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrail plugin internals: source aws_cloudtrail (plugin id 2) read from
 * CloudTrail log files, and the ct.*, s3.*, ec2.*, ecr.* and iam.* fields.
 * Only this plugin's .c files include this header.
 */
#ifndef SAKER_CLOUDTRAIL_H
#define SAKER_CLOUDTRAIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_api.h>
#include <saker/sdk.h>

#include "kit/jsonkit.h"

#define CT_PLUGIN_ID      2
#define CT_SOURCE         "aws_cloudtrail"
#define CT_PLUGIN_VERSION "0.17.1"

enum ct_metric {
    CM_FILES_READ,
    CM_FILES_FAILED,    /* unreadable, not gzip/JSON, or not a CloudTrail log file */
    CM_RECORDS_READ,    /* records delivered as events */
    CM_RECORDS_SKIPPED, /* no or bad eventTime, no eventType, insight events, not JSON */
    CM__COUNT,
};

struct ct_state {
    struct saker_errbuf err;
    ss_plugin_owner_t *owner;
    ss_plugin_log_fn_t log_fn;
    _Atomic uint64_t m[CM__COUNT];
    ss_plugin_metric metrics[CM__COUNT];
    struct jk_ratelimit complaints;
    /* extraction scratch */
    struct jk_doc doc;
    struct jk_buf text;
    struct jk_buf info;
    struct saker_store store;
    struct jk_strlist list;
    /* event_to_string */
    struct jk_buf str;
};

void ct_log(struct ct_state *st, ss_plugin_log_severity sev, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

static inline void ct_count(struct ct_state *st, enum ct_metric m, uint64_t n)
{
    atomic_fetch_add_explicit(&st->m[m], n, memory_order_relaxed);
}

/* Validates the init config (upstream's keys; S3/SQS ones are checked but unused). */
int ct_config_check(const char *text, struct saker_errbuf *err);
extern const char CT_INIT_SCHEMA[];

/* ---- Records -------------------------------------------------------------------------- */

/* Where one record's raw text is in a log file. */
struct ct_span {
    size_t off;
    size_t len;
};

struct ct_spans {
    struct ct_span *v;
    size_t n;
    size_t cap;
};

/*
 * Splits a log file {"Records":[{...},{...}]} into the byte-exact text of each
 * record (an object element of the top-level "Records" array). Braces and
 * quotes inside strings are handled; a trailing record cut off by the end of
 * the data is dropped, the complete ones before it are kept. Returns 0, -1
 * when p is not a JSON object at all, -2 on out of memory.
 */
int ct_split_records(const char *p, size_t n, struct ct_spans *out);

/* ---- Files ---------------------------------------------------------------------------- */

struct ct_files;

/* A log file, or a directory walked recursively for *.json and *.json.gz, in name order. */
int ct_files_open(struct ct_state *st, const char *path, struct ct_files **out);
void ct_files_close(struct ct_files *f);
/* Appends up to max events. SUCCESS with at least one, EOF when all files are read, FAILURE. */
ss_plugin_rc ct_files_next(struct ct_files *f,
                           uint32_t max,
                           ss_plugin_event ***evts,
                           uint32_t *nevts);
uint32_t ct_files_progress(struct ct_files *f, char *text, size_t text_len);

/* ---- Fields --------------------------------------------------------------------------- */

extern const char CT_FIELDS_JSON[];
int ct_extract(struct ct_state *st, const cJSON *root, ss_plugin_extract_field *f);
/* "<user> via <ip> [!]<arrow> <name> ..." (the ct.info field) into b; 0 or -1. */
int ct_info(const cJSON *root, struct jk_buf *b);
/* ct.user: false when the identity type gives no user. */
bool ct_user(const cJSON *root, const char **user);

#endif /* SAKER_CLOUDTRAIL_H */
