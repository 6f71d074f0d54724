/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading audit events from files: one file, or every regular file of a
 * directory oldest first (as upstream). A file holds JSON documents one after
 * the other: JSON lines, or documents spread over many lines (an EventList
 * written by kubectl, say). A document that cannot be used is reported with
 * its file and line and skipped; the rest of the file is still read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "k8saudit.h"

#define READ_CHUNK (1u << 20)
#define MAX_DOC    (64u << 20)

struct k8s_files {
    struct k8s_state *st;
    char **paths;
    size_t npaths;
    size_t cur; /* index of the open file, or of the next to open */
    int fd;
    char *buf;
    size_t cap;
    size_t start; /* first unconsumed byte */
    size_t end;   /* end of the bytes read */
    bool eof;
    bool skipping; /* dropping bytes up to the next newline */
    uint64_t line; /* line number of buf[start] */
    uint64_t total_bytes;
    uint64_t done_bytes;
    struct jk_buf scratch;
};

struct dated_path {
    char *path;
    struct timespec mtime;
};

static int cmp_mtime(const void *a, const void *b)
{
    const struct dated_path *x = a, *y = b;

    if (x->mtime.tv_sec != y->mtime.tv_sec) {
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    }
    if (x->mtime.tv_nsec != y->mtime.tv_nsec) {
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    }
    return strcmp(x->path, y->path);
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    int w;

    if (p == NULL) {
        return NULL;
    }
    w = snprintf(p, n, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= n) {
        free(p);
        return NULL;
    }
    return p;
}

static int list_dir(struct k8s_files *f, const char *dir)
{
    struct saker_errbuf *err = &f->st->err;
    struct dated_path *items = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    DIR *d = opendir(dir);
    int rc = -1;

    if (d == NULL) {
        saker_err(err, "cannot open directory %s: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        struct stat sb;
        char *p;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        p = join_path(dir, de->d_name);
        if (p == NULL) {
            saker_err(err, "out of memory listing %s", dir);
            goto out;
        }
        if (stat(p, &sb) < 0 || !S_ISREG(sb.st_mode)) {
            free(p);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct dated_path *ni = realloc(items, ncap * sizeof(*ni));
            if (ni == NULL) {
                free(p);
                saker_err(err, "out of memory listing %s", dir);
                goto out;
            }
            items = ni;
            cap = ncap;
        }
        items[n].path = p;
        items[n].mtime = sb.st_mtim;
        n++;
        f->total_bytes += (uint64_t)sb.st_size;
    }
    if (n == 0) {
        saker_err(err,
                  "directory %s holds no files: give a file of audit events or a directory "
                  "of them",
                  dir);
        goto out;
    }
    qsort(items, n, sizeof(*items), cmp_mtime);
    f->paths = calloc(n, sizeof(char *));
    if (f->paths == NULL) {
        saker_err(err, "out of memory listing %s", dir);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        f->paths[i] = items[i].path;
        items[i].path = NULL;
    }
    f->npaths = n;
    rc = 0;
out:
    for (size_t i = 0; i < n; i++) {
        free(items[i].path);
    }
    free(items);
    closedir(d);
    return rc;
}

void k8s_files_close(struct k8s_files *f)
{
    if (f == NULL) {
        return;
    }
    if (f->fd >= 0) {
        close(f->fd);
    }
    for (size_t i = 0; i < f->npaths; i++) {
        free(f->paths[i]);
    }
    free(f->paths);
    free(f->buf);
    jk_buf_fini(&f->scratch);
    free(f);
}

int k8s_files_open(struct k8s_state *st, const char *path, struct k8s_files **out)
{
    struct k8s_files *f = calloc(1, sizeof(*f));
    struct stat sb;

    if (f == NULL) {
        saker_err(&st->err, "out of memory opening %s", path);
        return -1;
    }
    f->st = st;
    f->fd = -1;
    jk_buf_init(&f->scratch);
    if (stat(path, &sb) < 0) {
        saker_err(&st->err,
                  "cannot open %s: %s (open_params must be http(s)://host:port/path, "
                  "a file or a directory of audit events)",
                  path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(sb.st_mode)) {
        if (list_dir(f, path) < 0) {
            goto fail;
        }
    } else {
        f->paths = calloc(1, sizeof(char *));
        if (f->paths == NULL || (f->paths[0] = malloc(strlen(path) + 1)) == NULL) {
            saker_err(&st->err, "out of memory opening %s", path);
            goto fail;
        }
        memcpy(f->paths[0], path, strlen(path) + 1);
        f->npaths = 1;
        f->total_bytes = (uint64_t)sb.st_size;
    }
    /* fail now, not in the middle of the stream, when a file cannot be read */
    for (size_t i = 0; i < f->npaths; i++) {
        if (access(f->paths[i], R_OK) < 0) {
            saker_err(&st->err, "cannot read %s: %s", f->paths[i], strerror(errno));
            goto fail;
        }
    }
    *out = f;
    return 0;
fail:
    k8s_files_close(f);
    return -1;
}

uint32_t k8s_files_progress(struct k8s_files *f)
{
    if (f->total_bytes == 0) {
        return f->cur >= f->npaths ? 10000 : 0;
    }
    uint64_t p = f->done_bytes * 10000 / f->total_bytes;
    return p > 10000 ? 10000 : (uint32_t)p;
}

static void complain(struct k8s_files *f, const char *what)
{
    k8s_count(f->st, M_DOCS_REJECTED, 1);
    if (jk_ratelimit_ok(&f->st->complaints, 20, 1000)) {
        k8s_log(f->st, SS_PLUGIN_LOG_SEV_ERROR, "%s:%llu: %s; skipped", f->paths[f->cur],
                (unsigned long long)f->line, what);
    }
}

static void consume(struct k8s_files *f, size_t n)
{
    const char *p, *e;

    if (n == 0) {
        return;
    }
    p = f->buf + f->start;
    e = p + n;

    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        f->line++;
        p++;
    }
    f->start += n;
}

/* Drops bytes through the next newline (or all of the window, remembering to go on). */
static void skip_line(struct k8s_files *f)
{
    const char *nl = f->end > f->start ? memchr(f->buf + f->start, '\n', f->end - f->start) : NULL;

    if (nl != NULL) {
        consume(f, (size_t)(nl - (f->buf + f->start)) + 1);
        f->skipping = false;
    } else {
        consume(f, f->end - f->start);
        f->skipping = true;
    }
}

/* Reads more bytes, keeping buf[start..end). 0, or -1 with st->err. */
static int read_more(struct k8s_files *f)
{
    ssize_t r;

    if (f->start > 0) {
        memmove(f->buf, f->buf + f->start, f->end - f->start);
        f->end -= f->start;
        f->start = 0;
    }
    if (f->cap - f->end < READ_CHUNK) {
        size_t cap = f->cap ? f->cap : READ_CHUNK;
        char *nb;
        while (cap - f->end < READ_CHUNK) {
            cap *= 2;
        }
        nb = realloc(f->buf, cap);
        if (nb == NULL) {
            saker_err(&f->st->err, "out of memory reading %s", f->paths[f->cur]);
            return -1;
        }
        f->buf = nb;
        f->cap = cap;
    }
    do {
        r = read(f->fd, f->buf + f->end, READ_CHUNK);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        saker_err(&f->st->err, "cannot read %s: %s", f->paths[f->cur], strerror(errno));
        return -1;
    }
    if (r == 0) {
        f->eof = true;
    }
    f->end += (size_t)r;
    f->done_bytes += (uint64_t)r;
    return 0;
}

static void close_current(struct k8s_files *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
    f->cur++;
    f->start = f->end = 0;
}

/* Converts one framed document: 0, 1 when it is not JSON, -1 on out of memory. */
static int handle_doc(struct k8s_files *f, const char *p, size_t len, struct k8s_evbuf *out)
{
    struct k8s_parse_stats stats = { 0 };
    cJSON *root = cJSON_ParseWithLength(p, len);
    int rc;

    if (root == NULL) {
        complain(f, "invalid JSON");
        return 1;
    }
    rc = k8s_events_from_json(root, f->st->cfg.max_event_size, &f->scratch, out, &stats);
    cJSON_Delete(root);
    if (rc == -2) {
        saker_err(&f->st->err, "out of memory reading %s", f->paths[f->cur]);
        return -1;
    }
    if (rc == -1) {
        complain(f, "data not recognized as a k8s audit event");
        return 0;
    }
    k8s_count(f->st, M_EVENTS_READ, stats.events);
    if (stats.no_timestamp + stats.too_large > 0) {
        k8s_count(f->st, M_EVENTS_SKIPPED, stats.no_timestamp + stats.too_large);
        if (jk_ratelimit_ok(&f->st->complaints, 20, 1000)) {
            k8s_log(f->st, SS_PLUGIN_LOG_SEV_WARNING,
                    "%s:%llu: skipped %u audit events without a valid stageTimestamp and %u "
                    "larger than maxEventSize",
                    f->paths[f->cur], (unsigned long long)f->line, stats.no_timestamp,
                    stats.too_large);
        }
    }
    return 0;
}

ss_plugin_rc k8s_files_next(struct k8s_files *f, struct k8s_evbuf *out, uint32_t max_events)
{
    while (out->count < max_events) {
        size_t ws, len = 0;
        enum jk_frame_rc rc;

        if (f->fd < 0) {
            if (f->cur >= f->npaths) {
                break;
            }
            f->fd = open(f->paths[f->cur], O_RDONLY | O_CLOEXEC);
            if (f->fd < 0) {
                saker_err(&f->st->err, "cannot open %s: %s", f->paths[f->cur], strerror(errno));
                return SS_PLUGIN_FAILURE;
            }
            f->eof = false;
            f->skipping = false;
            f->line = 1;
            f->start = f->end = 0;
        }
        if (f->skipping) {
            skip_line(f);
        }
        if (f->end > f->start) {
            ws = jk_skip_ws(f->buf + f->start, f->end - f->start);
            consume(f, ws);
        }
        if (f->start == f->end || f->skipping) {
            if (f->eof) {
                close_current(f);
            } else if (read_more(f) < 0) {
                return SS_PLUGIN_FAILURE;
            }
            continue;
        }
        rc = jk_frame_value(f->buf + f->start, f->end - f->start, f->eof, &len);
        if (rc == JK_FRAME_INCOMPLETE) {
            if (f->end - f->start >= MAX_DOC) {
                complain(f, "document larger than 64 MiB");
                skip_line(f);
            } else if (read_more(f) < 0) {
                return SS_PLUGIN_FAILURE;
            }
            continue;
        }
        if (rc == JK_FRAME_BAD) {
            complain(f, f->eof && f->buf[f->start] != ']' && f->buf[f->start] != '}'
                                ? "truncated JSON document"
                                : "not a JSON document");
            skip_line(f);
            continue;
        }
        int hr = handle_doc(f, f->buf + f->start, len, out);
        if (hr < 0) {
            return SS_PLUGIN_FAILURE;
        }
        consume(f, len);
        if (hr > 0) {
            skip_line(f); /* the rest of a broken line is noise */
        }
    }
    return out->count > 0 ? SS_PLUGIN_SUCCESS : SS_PLUGIN_EOF;
}
