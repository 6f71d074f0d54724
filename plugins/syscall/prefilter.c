// SPDX-License-Identifier: Apache-2.0
/*
 * From the host's source prefilter to the driver's open-path filter.
 *
 * The host gives, per event code, what every rule needs of fd.name,
 * fd.nameraw, fd.directory and fd.filename (conjunctions of clauses, each a
 * disjunction of "field op constant"). For the open family this becomes a set
 * of path prefixes, exact paths and suffixes the kernel tests on the path an
 * open names: an open of a regular file (or a failed one) whose path is
 * absolute and canonical, and matches none of them, is dropped at its origin.
 * On such a path fd.name and fd.nameraw equal the path, fd.directory is the
 * part before the last '/' and fd.filename the part after it, which is what
 * makes each translation below exact or a superset.
 *
 * A dropped open leaves no fd entry, and an entry left by an earlier file on
 * that number (closes of regular files are skipped in the kernel) stays. So
 * the filter is on only when no rule reads the file behind an fd on any other
 * event that can name a regular file's fd (read, mmap, fchmod, dup, ...).
 * Sockets and directories are never dropped, so socket calls and dirfd use
 * keep exact entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtab.h"
#include "plugin.h"

/* The fields the host reports on: the four path fields (atoms), the fd's type (a rule that
 * needs a socket does not care which file a regular fd is), then the fields that show which
 * file an fd is ("reads"). */
enum {
    F_NAME,
    F_NAMERAW,
    F_DIRECTORY,
    F_FILENAME,
    F_TYPE,
    F_TYPECHAR,
    F_IDENTITY
};

const char *const skr_prefilter_fields[] = {
    "fd.name",
    "fd.nameraw",
    "fd.directory",
    "fd.filename",
    "fd.type",
    "fd.typechar",
    "fd.dev",
    "fd.dev.major",
    "fd.dev.minor",
    "fd.ino",
    "fd.containername",
    "fd.containerdirectory",
    "fd.is_upper_layer",
    "fd.is_lower_layer",
    "fd.name_changed",
    "evt.args",
    "evt.info",
    "evt.arg",
    "evt.arg.fd",
    "fdlist.names",
};
const uint32_t skr_num_prefilter_fields =
        sizeof(skr_prefilter_fields) / sizeof(skr_prefilter_fields[0]);

enum akind {
    A_NONE,
    A_FALSE,
    A_EXACT,
    A_PREFIX,
    A_SUFFIX
};

struct atom {
    enum akind k;
    char *s; /* owned */
};

static bool has(const char *v, uint32_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (uint32_t i = 0; i + n <= len; i++) {
        if (memcmp(v + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

static struct atom mk(enum akind k, const char *a, size_t alen, const char *b, size_t blen)
{
    struct atom r = { k, NULL };

    if (k == A_NONE || k == A_FALSE) {
        return r;
    }
    r.s = malloc(alen + blen + 1);
    if (!r.s) {
        r.k = A_NONE; /* out of memory: keep the event */
        return r;
    }
    memcpy(r.s, a, alen);
    memcpy(r.s + alen, b, blen);
    r.s[alen + blen] = '\0';
    return r;
}

/* Text before the first glob metacharacter. */
static uint32_t literal_prefix(const char *v, uint32_t len)
{
    uint32_t i = 0;

    while (i < len && v[i] != '*' && v[i] != '?' && v[i] != '[' && v[i] != '\\') {
        i++;
    }
    return i;
}

/* A canonical path has no ".." and no empty component. */
static bool never_in_canonical(const char *v, uint32_t len)
{
    return has(v, len, "..") || has(v, len, "//");
}

static struct atom convert(const saker_prefilter_atom *a)
{
    const char *v = a->value;
    uint32_t len = a->len;
    uint32_t lp;

    if (!v || memchr(v, '\0', len)) {
        return mk(A_NONE, NULL, 0, NULL, 0);
    }
    if (a->op == SAKER_PREFILTER_CONTAINS) {
        return mk(never_in_canonical(v, len) ? A_FALSE : A_NONE, NULL, 0, NULL, 0);
    }
    switch (a->field) {
    case F_NAME:
    case F_NAMERAW:
        switch (a->op) {
        case SAKER_PREFILTER_EQ:
            return mk(A_EXACT, v, len, "", 0);
        case SAKER_PREFILTER_PREFIX:
            return mk(len ? A_PREFIX : A_NONE, v, len, "", 0);
        case SAKER_PREFILTER_SUFFIX:
            return mk(len ? A_SUFFIX : A_NONE, v, len, "", 0);
        case SAKER_PREFILTER_GLOB:
            lp = literal_prefix(v, len);
            if (lp == len) {
                return mk(A_EXACT, v, len, "", 0);
            }
            return mk(lp ? A_PREFIX : A_NONE, v, lp, "", 0);
        case SAKER_PREFILTER_PMATCH:
            /* pmatch compares whole components: "/etc" and "/etc/" both match /etc/x */
            lp = literal_prefix(v, len);
            while (lp > 0 && v[lp - 1] == '/') {
                lp--;
            }
            return mk(lp ? A_PREFIX : A_NONE, v, lp, "", 0);
        default:
            return mk(A_NONE, NULL, 0, NULL, 0);
        }
    case F_DIRECTORY:
        if (a->op == SAKER_PREFILTER_EQ) {
            /* the directory of /x is "/" */
            return len == 1 && v[0] == '/' ? mk(A_PREFIX, "/", 1, "", 0)
                                           : mk(A_PREFIX, v, len, "/", 1);
        }
        if (a->op == SAKER_PREFILTER_PREFIX) {
            return mk(len ? A_PREFIX : A_NONE, v, len, "", 0);
        }
        return mk(A_NONE, NULL, 0, NULL, 0);
    case F_FILENAME:
        if (a->op == SAKER_PREFILTER_EQ) {
            return mk(memchr(v, '/', len) || len == 0 ? A_FALSE : A_SUFFIX, "/", 1, v, len);
        }
        if (a->op == SAKER_PREFILTER_SUFFIX && len && !memchr(v, '/', len)) {
            return mk(A_SUFFIX, v, len, "", 0);
        }
        return mk(A_NONE, NULL, 0, NULL, 0);
    default:
        return mk(A_NONE, NULL, 0, NULL, 0);
    }
}

/* ---- Growing string lists ------------------------------------------------------------- */

static bool push(char ***v, size_t *n, char *s)
{
    char **nv = realloc(*v, (*n + 1) * sizeof(**v));

    if (!nv) {
        free(s);
        return false;
    }
    nv[(*n)++] = s;
    *v = nv;
    return true;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

void skr_open_filter_free(struct skr_open_filter *f)
{
    free_list(f->prefixes, f->nprefixes);
    free_list(f->exact, f->nexact);
    free_list(f->suffixes, f->nsuffixes);
    memset(f, 0, sizeof(*f));
}

/* ---- Choosing a clause per rule ----------------------------------------------------- */

/*
 * Converts one clause. Returns false when some atom cannot be tested (the clause then says
 * nothing the kernel can use). *score is the length of its shortest entry, exact paths
 * counting double: a longer shortest entry lets fewer paths through.
 */
static bool clause_atoms(const saker_prefilter_clause *c, struct atom *out, uint32_t *score)
{
    uint32_t best = UINT32_MAX;

    for (uint32_t i = 0; i < c->num_atoms; i++) {
        out[i] = convert(&c->atoms[i]);
        if (out[i].k == A_NONE) {
            for (uint32_t k = 0; k <= i; k++) {
                free(out[k].s);
            }
            return false;
        }
        if (out[i].k != A_FALSE) {
            uint32_t l = (uint32_t)strlen(out[i].s) * (out[i].k == A_EXACT ? 2 : 1);
            best = l < best ? l : best;
        }
    }
    *score = best; /* UINT32_MAX: every atom is false, the rule never matches here */
    return true;
}

static void free_atoms(struct atom *a, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        free(a[i].s);
    }
}

/* Adds what lets rule r's events through; false when r needs every path. */
static bool add_rule(const saker_prefilter_rule *r, struct skr_open_filter *f, bool *oom)
{
    const saker_prefilter_clause *best = NULL;
    uint32_t best_score = 0;

    for (uint32_t c = 0; c < r->num_clauses; c++) {
        const saker_prefilter_clause *cl = &r->clauses[c];
        struct atom *at = calloc(cl->num_atoms ? cl->num_atoms : 1, sizeof(*at));
        uint32_t score;

        if (!at) {
            *oom = true;
            return false;
        }
        if (clause_atoms(cl, at, &score)) {
            free_atoms(at, cl->num_atoms);
            if (!best || score > best_score) {
                best = cl;
                best_score = score;
            }
        }
        free(at);
    }
    if (!best) {
        return false;
    }
    {
        struct atom *at = calloc(best->num_atoms ? best->num_atoms : 1, sizeof(*at));
        uint32_t score;
        bool ok = true;

        if (!at || !clause_atoms(best, at, &score)) {
            free(at);
            *oom = true;
            return false;
        }
        for (uint32_t i = 0; i < best->num_atoms; i++) {
            char *s = at[i].s;
            char ***list = at[i].k == A_EXACT    ? &f->exact
                           : at[i].k == A_PREFIX ? &f->prefixes
                           : at[i].k == A_SUFFIX ? &f->suffixes
                                                 : NULL;
            size_t *n = at[i].k == A_EXACT    ? &f->nexact
                        : at[i].k == A_PREFIX ? &f->nprefixes
                                              : &f->nsuffixes;

            at[i].s = NULL;
            if (list && ok) {
                ok = push(list, n, s); /* frees s when it fails */
            } else {
                free(s);
            }
        }
        free_atoms(at, best->num_atoms);
        free(at);
        if (!ok) {
            *oom = true;
            return false;
        }
    }
    return true;
}

/* ---- The filter ---------------------------------------------------------------------- */

static uint32_t open_bit(uint16_t code)
{
    switch (code) {
    case SKR_PPME_SYSCALL_OPEN_X:
        return SKR_PF_OPEN;
    case SKR_PPME_SYSCALL_OPENAT_2_X:
        return SKR_PF_OPENAT;
    case SKR_PPME_SYSCALL_OPENAT2_X:
        return SKR_PF_OPENAT2;
    case SKR_PPME_SYSCALL_CREAT_X:
        return SKR_PF_CREAT;
    default:
        return 0;
    }
}

static bool is_open_family(uint16_t code)
{
    const char *n = skr_event_name(code);

    return n && (strcmp(n, "open") == 0 || strcmp(n, "openat") == 0 || strcmp(n, "openat2") == 0 ||
                 strcmp(n, "creat") == 0);
}

/* Calls that fail unless their fd is a socket: a regular file's entry never matters. */
static bool socket_only(uint16_t code)
{
    static const char *const names[] = {
        "connect",    "accept",     "accept4",     "bind",        "listen",   "sendto",
        "recvfrom",   "sendmsg",    "recvmsg",     "sendmmsg",    "recvmmsg", "shutdown",
        "getsockopt", "setsockopt", "getsockname", "getpeername", "socket",   "socketpair",
    };
    const char *n = skr_event_name(code);

    for (size_t i = 0; n && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(n, names[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* True when some clause of r holds only for fds that are not regular files. */
static bool needs_non_file(const saker_prefilter_rule *r)
{
    for (uint32_t c = 0; c < r->num_clauses; c++) {
        const saker_prefilter_clause *cl = &r->clauses[c];
        bool only = true;

        for (uint32_t i = 0; i < cl->num_atoms && only; i++) {
            const saker_prefilter_atom *a = &cl->atoms[i];
            only = a->op == SAKER_PREFILTER_EQ && a->value &&
                   ((a->field == F_TYPE && strcmp(a->value, "file") != 0) ||
                    (a->field == F_TYPECHAR && strcmp(a->value, "f") != 0));
        }
        if (only) {
            return true;
        }
    }
    return false;
}

/* True when a rule on code reads which file an fd is, and the fd can be a regular file's. */
static bool reads_file_of_fd(const saker_prefilter *pf, const saker_prefilter_code *c)
{
    const struct skr_event_info *info = skr_event_info(c->code);

    if (is_open_family(c->code) || c->code == SKR_PPME_SYSCALL_CLOSE_X) {
        return false; /* the file the event opens; closes of regular files never come */
    }
    if (socket_only(c->code) || (info && (info->category & 0x1ff) == SKR_EC_NET)) {
        return false; /* the fd is a socket */
    }
    /* a code the plugin has no layout for has no fd to resolve */
    if (!info || (info->fd_param < 0 && !(info->flags & SKR_EF_USES_FD))) {
        return false;
    }
    for (uint32_t r = 0; r < c->num_rules; r++) {
        const saker_prefilter_rule *rule = &c->rules[r];
        bool reads = false;

        for (uint32_t f = 0; f < pf->num_fields && rule->reads; f++) {
            reads = reads || (f != F_TYPE && f != F_TYPECHAR && rule->reads[f]);
        }
        if (reads && !needs_non_file(rule)) {
            return true;
        }
    }
    return false;
}

int skr_open_filter_build(const saker_prefilter *pf, struct skr_open_filter *out)
{
    bool oom = false;

    memset(out, 0, sizeof(*out));
    if (!pf || pf->num_fields < F_IDENTITY || pf->num_codes == 0) {
        snprintf(out->why, sizeof(out->why), "the host sent no prefilter");
        return 0;
    }
    for (uint32_t i = 0; i < pf->num_codes; i++) {
        const saker_prefilter_code *c = &pf->codes[i];
        if (reads_file_of_fd(pf, c)) {
            const char *n = skr_event_name(c->code);
            snprintf(out->why, sizeof(out->why), "a rule on %s reads which file an fd is",
                     n ? n : "an event");
            return 0;
        }
    }
    for (uint32_t i = 0; i < pf->num_codes; i++) {
        const saker_prefilter_code *c = &pf->codes[i];
        uint32_t bit = open_bit(c->code);
        bool all = c->any != 0;

        if (!bit) {
            continue;
        }
        for (uint32_t r = 0; r < c->num_rules && !all; r++) {
            all = !add_rule(&c->rules[r], out, &oom);
        }
        if (oom) {
            skr_open_filter_free(out);
            return -1;
        }
        if (!all) {
            out->mask |= bit;
        } else if (!out->why[0]) {
            const char *n = skr_event_name(c->code);
            snprintf(out->why, sizeof(out->why), "a rule on %s needs every path",
                     n ? n : "an open");
        }
    }
    return 0;
}
