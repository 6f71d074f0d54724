// SPDX-License-Identifier: Apache-2.0
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "users.h"

#define MAX_CONTAINERS 256
#define MAX_ENTRIES    65536

struct entry {
    uint32_t id;
    bool known;
    struct skr_user u; /* for groups only name is set */
};

struct idtab {
    struct entry *v;
    size_t n, cap;
};

struct domain {
    char *cid; /* "" = host */
    struct idtab users, groups;
    bool loaded;
};

struct skr_users {
    bool live;
    struct domain host;
    struct domain *containers;
    size_t ncontainers;
};

static struct entry *tab_find(struct idtab *t, uint32_t id)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].id == id) {
            return &t->v[i];
        }
    }
    return NULL;
}

static struct entry *tab_add(struct idtab *t,
                             uint32_t id,
                             bool known,
                             const char *name,
                             const char *home,
                             const char *shell)
{
    struct entry *e;

    if (t->n >= MAX_ENTRIES) {
        return NULL;
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 32;
        struct entry *nv = realloc(t->v, nc * sizeof(*nv));
        if (!nv) {
            return NULL;
        }
        t->v = nv;
        t->cap = nc;
    }
    e = &t->v[t->n];
    memset(e, 0, sizeof(*e));
    e->id = id;
    e->known = known;
    if (known) {
        e->u.name = strdup(name ? name : "");
        e->u.home = strdup(home ? home : "");
        e->u.shell = strdup(shell ? shell : "");
        if (!e->u.name || !e->u.home || !e->u.shell) {
            free((void *)e->u.name);
            free((void *)e->u.home);
            free((void *)e->u.shell);
            return NULL;
        }
    }
    t->n++;
    return e;
}

static void tab_free(struct idtab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free((void *)t->v[i].u.name);
        free((void *)t->v[i].u.home);
        free((void *)t->v[i].u.shell);
    }
    free(t->v);
}

/* Loads passwd and group files under root ("" for the host). NSS (+/-) entries are skipped. */
static void load(struct domain *d, const char *root)
{
    char path[512], buf[4096];
    FILE *f;

    d->loaded = true;
    snprintf(path, sizeof(path), "%s/etc/passwd", root);
    f = fopen(path, "re");
    if (f) {
        struct passwd pw, *res;
        while (fgetpwent_r(f, &pw, buf, sizeof(buf), &res) == 0) {
            if (pw.pw_name[0] == '+' || pw.pw_name[0] == '-' || tab_find(&d->users, pw.pw_uid)) {
                continue;
            }
            tab_add(&d->users, pw.pw_uid, true, pw.pw_name, pw.pw_dir, pw.pw_shell);
        }
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/etc/group", root);
    f = fopen(path, "re");
    if (f) {
        struct group gr, *res;
        while (fgetgrent_r(f, &gr, buf, sizeof(buf), &res) == 0) {
            if (gr.gr_name[0] == '+' || gr.gr_name[0] == '-' || tab_find(&d->groups, gr.gr_gid)) {
                continue;
            }
            tab_add(&d->groups, gr.gr_gid, true, gr.gr_name, NULL, NULL);
        }
        fclose(f);
    }
}

struct skr_users *skr_users_new(bool live)
{
    struct skr_users *u = calloc(1, sizeof(*u));

    if (!u) {
        return NULL;
    }
    u->live = live;
    u->host.cid = "";
    return u;
}

void skr_users_free(struct skr_users *u)
{
    if (!u) {
        return;
    }
    tab_free(&u->host.users);
    tab_free(&u->host.groups);
    for (size_t i = 0; i < u->ncontainers; i++) {
        tab_free(&u->containers[i].users);
        tab_free(&u->containers[i].groups);
        free(u->containers[i].cid);
    }
    free(u->containers);
    free(u);
}

/* True when pid runs in a mount namespace of its own (its /etc is not the host's). */
static bool own_mount_ns(int64_t pid)
{
    char path[64], a[64], b[64];
    ssize_t na, nb;

    snprintf(path, sizeof(path), "/proc/%lld/ns/mnt", (long long)pid);
    na = readlink(path, a, sizeof(a) - 1);
    nb = readlink("/proc/self/ns/mnt", b, sizeof(b) - 1);
    if (na <= 0 || nb <= 0) {
        return false;
    }
    return na != nb || memcmp(a, b, (size_t)na) != 0;
}

static struct domain *domain_for(struct skr_users *u, const char *cid, int64_t pid)
{
    struct domain *d;
    char root[64];

    /* a container sharing the host's mount namespace reads the host's files */
    if (cid && cid[0] && !(u->live && pid > 0 && own_mount_ns(pid))) {
        cid = NULL;
    }
    if (!cid || !cid[0]) {
        if (!u->host.loaded) {
            load(&u->host, "");
        }
        return &u->host;
    }
    for (size_t i = 0; i < u->ncontainers; i++) {
        if (strcmp(u->containers[i].cid, cid) == 0) {
            return &u->containers[i];
        }
    }
    if (u->ncontainers >= MAX_CONTAINERS) {
        return NULL;
    }
    d = realloc(u->containers, (u->ncontainers + 1) * sizeof(*d));
    if (!d) {
        return NULL;
    }
    u->containers = d;
    d = &u->containers[u->ncontainers];
    memset(d, 0, sizeof(*d));
    d->cid = strdup(cid);
    if (!d->cid) {
        return NULL;
    }
    u->ncontainers++;
    if (u->live && pid > 0) {
        snprintf(root, sizeof(root), "/proc/%lld/root", (long long)pid);
        load(d, root);
    }
    d->loaded = true;
    return d;
}

const struct skr_user *skr_users_user(struct skr_users *u,
                                      uint32_t uid,
                                      const char *cid,
                                      int64_t pid)
{
    struct domain *d = domain_for(u, cid, pid);
    struct entry *e;

    if (!d) {
        return NULL;
    }
    e = tab_find(&d->users, uid);
    if (!e && d == &u->host) {
        /* not in /etc/passwd: ask NSS once */
        struct passwd pw, *res = NULL;
        char buf[4096];
        if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res) {
            e = tab_add(&d->users, uid, true, pw.pw_name, pw.pw_dir, pw.pw_shell);
        } else {
            e = tab_add(&d->users, uid, false, NULL, NULL, NULL);
        }
    }
    return e && e->known ? &e->u : NULL;
}

const char *skr_users_group(struct skr_users *u, uint32_t gid, const char *cid, int64_t pid)
{
    struct domain *d = domain_for(u, cid, pid);
    struct entry *e;

    if (!d) {
        return NULL;
    }
    e = tab_find(&d->groups, gid);
    if (!e && d == &u->host) {
        struct group gr, *res = NULL;
        char buf[4096];
        if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) == 0 && res) {
            e = tab_add(&d->groups, gid, true, gr.gr_name, NULL, NULL);
        } else {
            e = tab_add(&d->groups, gid, false, NULL, NULL, NULL);
        }
    }
    return e && e->known ? e->u.name : NULL;
}
