/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading CloudTrail log files: one file, or a directory walked recursively
 * for *.json and *.json.gz in name order (CloudTrail names files by time).
 * Each file is read whole (gunzipped when compressed), split into records,
 * and its records are delivered ordered by eventTime.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cloudtrail.h"

#define MAX_FILE     (1ull << 30)
#define EVT_OVERHEAD (SAKER_EVT_HDR_LEN + 2 * 4 + 4)

struct record {
    size_t off;
    size_t len;
    uint64_t ts;
    size_t seq; /* position in the file: keeps equal times in file order */
};

struct ct_files {
    struct ct_state *st;
    char **paths;
    size_t npaths;
    size_t cap;
    size_t next;        /* next file to read */
    struct jk_buf data; /* the current file, decompressed */
    struct record *recs;
    size_t nrecs;
    size_t recs_cap;
    size_t pos; /* next record to deliver */
    struct ct_spans spans;
    /* the batch handed to the host */
    uint8_t *evbuf;
    size_t evbuf_cap;
    ss_plugin_event **evts;
    size_t evts_cap;
};

static int add_path(struct ct_files *f, const char *p)
{
    char *d;

    if (f->npaths == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        char **np = realloc(f->paths, cap * sizeof(*np));
        if (np == NULL) {
            return -1;
        }
        f->paths = np;
        f->cap = cap;
    }
    d = strdup(p);
    if (d == NULL) {
        return -1;
    }
    f->paths[f->npaths++] = d;
    return 0;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);

    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks dir in name order; symlinked directories are not followed (no loops). */
static int walk(struct ct_files *f, const char *dir, int depth)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;

    if (depth > 64) {
        return 0;
    }
    d = opendir(dir);
    if (d == NULL) {
        saker_err(&f->st->err, "cannot open directory %s: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nn = realloc(names, ncap * sizeof(*nn));
            if (nn == NULL) {
                goto oom;
            }
            names = nn;
            cap = ncap;
        }
        if ((names[n] = strdup(de->d_name)) == NULL) {
            goto oom;
        }
        n++;
    }
    if (n > 1) {
        qsort(names, n, sizeof(*names), cmp_names);
    }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat sb;
        int w = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (w < 0 || (size_t)w >= sizeof(path) || lstat(path, &sb) < 0) {
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            if (walk(f, path, depth + 1) < 0) {
                goto out;
            }
        } else if ((S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)) &&
                   (has_suffix(names[i], ".json") || has_suffix(names[i], ".json.gz"))) {
            if (add_path(f, path) < 0) {
                goto oom;
            }
        }
    }
    rc = 0;
    goto out;
oom:
    saker_err(&f->st->err, "out of memory listing %s", dir);
out:
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    closedir(d);
    return rc;
}

void ct_files_close(struct ct_files *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < f->npaths; i++) {
        free(f->paths[i]);
    }
    free(f->paths);
    jk_buf_fini(&f->data);
    free(f->recs);
    free(f->spans.v);
    free(f->evbuf);
    free(f->evts);
    free(f);
}

int ct_files_open(struct ct_state *st, const char *path, struct ct_files **out)
{
    struct ct_files *f = calloc(1, sizeof(*f));
    struct stat sb;

    if (f == NULL) {
        saker_err(&st->err, "out of memory opening %s", path);
        return -1;
    }
    f->st = st;
    jk_buf_init(&f->data);
    if (path[0] == '\0') {
        saker_err(&st->err, "open_params is empty: give a CloudTrail log file or a directory of "
                            "them");
        goto fail;
    }
    if (stat(path, &sb) < 0) {
        saker_err(&st->err,
                  "cannot open %s: %s (open_params must be a CloudTrail log file or a "
                  "directory of them)",
                  path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(sb.st_mode)) {
        if (walk(f, path, 0) < 0) {
            goto fail;
        }
        if (f->npaths == 0) {
            saker_err(&st->err, "no *.json or *.json.gz files found in %s", path);
            goto fail;
        }
    } else if (add_path(f, path) < 0) {
        saker_err(&st->err, "out of memory opening %s", path);
        goto fail;
    }
    *out = f;
    return 0;
fail:
    ct_files_close(f);
    return -1;
}

uint32_t ct_files_progress(struct ct_files *f, char *text, size_t text_len)
{
    uint32_t pct = f->npaths ? (uint32_t)((uint64_t)f->next * 10000 / f->npaths) : 10000;
    int n = snprintf(text, text_len, "%.2f%% - %zu/%zu files", pct / 100.0, f->next, f->npaths);

    if (n < 0 || (size_t)n >= text_len) {
        text[0] = '\0';
    }
    return pct;
}

static void complain(struct ct_files *f, const char *path, const char *what)
{
    if (jk_ratelimit_ok(&f->st->complaints, 20, 1000)) {
        ct_log(f->st, SS_PLUGIN_LOG_SEV_ERROR, "%s: %s; skipped", path, what);
    }
}

/* Reads a whole file, gunzipping it when it is gzip (zlib reads plain files as they are). */
static int read_file(struct ct_files *f, const char *path)
{
    gzFile gz = gzopen(path, "rb");
    int rc = -1;

    f->data.len = 0;
    if (gz == NULL) {
        complain(f, path, strerror(errno ? errno : EIO));
        return -1;
    }
    gzbuffer(gz, 1 << 17);
    for (;;) {
        int r;
        if (jk_buf_reserve(&f->data, f->data.len + (1 << 20) + 1) < 0) {
            complain(f, path, "out of memory");
            goto out;
        }
        r = gzread(gz, f->data.p + f->data.len, 1 << 20);
        if (r < 0) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            char what[256];
            snprintf(what, sizeof(what), "cannot read: %s",
                     zerr == Z_ERRNO ? strerror(errno) : msg);
            complain(f, path, what);
            goto out;
        }
        if (r == 0) {
            int zerr = Z_OK;
            gzerror(gz, &zerr);
            if (zerr == Z_BUF_ERROR) {
                /* a cut-off gzip file: keep its complete records, as for a cut-off plain one */
                complain(f, path, "truncated gzip data; its complete records are read");
            }
            break;
        }
        f->data.len += (size_t)r;
        if (f->data.len > MAX_FILE) {
            complain(f, path, "larger than 1 GiB once decompressed");
            goto out;
        }
    }
    f->data.p[f->data.len] = '\0';
    rc = 0;
out:
    gzclose(gz);
    return rc;
}

static int cmp_records(const void *a, const void *b)
{
    const struct record *x = a, *y = b;

    if (x->ts != y->ts) {
        return x->ts < y->ts ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

/* Loads the next file's usable records, sorted by time. 0, or -1 on out of memory. */
static int load_next(struct ct_files *f)
{
    const char *path = f->paths[f->next++];
    uint64_t skipped = 0;
    int rc;

    f->nrecs = 0;
    f->pos = 0;
    if (read_file(f, path) < 0) {
        ct_count(f->st, CM_FILES_FAILED, 1);
        return 0;
    }
    rc = ct_split_records(f->data.p, f->data.len, &f->spans);
    if (rc == -2) {
        return -1;
    }
    if (rc == -1) {
        ct_count(f->st, CM_FILES_FAILED, 1);
        complain(f, path, "not a CloudTrail log file (a JSON object with Records)");
        return 0;
    }
    ct_count(f->st, CM_FILES_READ, 1);
    if (f->spans.n > f->recs_cap) {
        struct record *r = realloc(f->recs, f->spans.n * sizeof(*r));
        if (r == NULL) {
            return -1;
        }
        f->recs = r;
        f->recs_cap = f->spans.n;
    }
    for (size_t i = 0; i < f->spans.n; i++) {
        const char *p = f->data.p + f->spans.v[i].off;
        cJSON *rec = cJSON_ParseWithLength(p, f->spans.v[i].len);
        const char *t = jk_get_str(rec, JK_KEYS("eventTime"));
        const char *type = jk_get_str(rec, JK_KEYS("eventType"));
        uint64_t ts;
        /* as upstream: a record needs a time and a type; insights are not activity */
        if (t == NULL || jk_rfc3339_ns(t, strlen(t), &ts) < 0 || type == NULL ||
            strcmp(type, "AwsCloudTrailInsight") == 0 ||
            f->spans.v[i].len > UINT32_MAX - EVT_OVERHEAD) {
            skipped++;
        } else {
            struct record *r = &f->recs[f->nrecs++];
            r->off = f->spans.v[i].off;
            r->len = f->spans.v[i].len;
            r->ts = ts;
            r->seq = i;
        }
        cJSON_Delete(rec);
    }
    if (f->nrecs > 1) {
        qsort(f->recs, f->nrecs, sizeof(*f->recs), cmp_records);
    }
    if (skipped > 0) {
        ct_count(f->st, CM_RECORDS_SKIPPED, skipped);
        if (jk_ratelimit_ok(&f->st->complaints, 20, 1000)) {
            ct_log(f->st, SS_PLUGIN_LOG_SEV_WARNING,
                   "%s: skipped %llu records without a valid eventTime or eventType, or that are "
                   "insight events",
                   path, (unsigned long long)skipped);
        }
    }
    return 0;
}

ss_plugin_rc ct_files_next(struct ct_files *f,
                           uint32_t max,
                           ss_plugin_event ***evts,
                           uint32_t *nevts)
{
    size_t need = 0, off = 0;
    uint32_t n = 0;

    *nevts = 0;
    while (f->pos >= f->nrecs) {
        if (f->next >= f->npaths) {
            return SS_PLUGIN_EOF;
        }
        if (load_next(f) < 0) {
            return saker_err(&f->st->err, "out of memory reading %s", f->paths[f->next - 1]);
        }
    }
    /* one batch comes from one file: the records are in memory already */
    for (size_t i = f->pos; i < f->nrecs && n < max; i++, n++) {
        need += (EVT_OVERHEAD + f->recs[i].len + 7) & ~(size_t)7;
    }
    if (need > f->evbuf_cap) {
        uint8_t *b = realloc(f->evbuf, need);
        if (b == NULL) {
            return saker_err(&f->st->err, "out of memory delivering events");
        }
        f->evbuf = b;
        f->evbuf_cap = need;
    }
    if (n > f->evts_cap) {
        ss_plugin_event **e = realloc(f->evts, n * sizeof(*e));
        if (e == NULL) {
            return saker_err(&f->st->err, "out of memory delivering events");
        }
        f->evts = e;
        f->evts_cap = n;
    }
    for (uint32_t k = 0; k < n; k++) {
        const struct record *r = &f->recs[f->pos++];
        uint32_t len = saker_evt_build_plugin(f->evbuf + off, f->evbuf_cap - off, r->ts,
                                              CT_PLUGIN_ID, f->data.p + r->off, (uint32_t)r->len);
        f->evts[k] = (ss_plugin_event *)(f->evbuf + off);
        off += (len + 7) & ~(size_t)7;
    }
    ct_count(f->st, CM_RECORDS_READ, n);
    *evts = f->evts;
    *nevts = n;
    return SS_PLUGIN_SUCCESS;
}
