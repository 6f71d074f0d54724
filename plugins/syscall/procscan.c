// SPDX-License-Identifier: Apache-2.0
/*
 * The starting state: at open, every thread and open fd found in /proc is
 * written as a Saker state event (saker_init, saker_thread, saker_fd; see
 * README.md), handed out by next_batch before the driver's events. Because
 * the state is in the event stream, a capture replays it with no /proc.
 * The same reader describes a single unknown thread met later.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plugin.h"
#include "skr_driver.h"

#define READ_MAX 4096

struct skr_scan {
    struct skr_sys *s;
    struct skr_sbuf buf;
    size_t *offs;
    size_t n, cap, next;
    const void **ptrs;
};

/* ---- Event builder -------------------------------------------------------------- */

struct eb {
    struct skr_sbuf *b;
    size_t start;
    uint32_t np, i;
};

static void eb_begin(struct eb *e,
                     struct skr_sbuf *b,
                     uint16_t type,
                     uint32_t np,
                     uint64_t ts,
                     int64_t tid)
{
    uint8_t hdr[26] = { 0 };
    uint64_t t = (uint64_t)tid;

    e->b = b;
    e->start = b->len;
    e->np = np;
    e->i = 0;
    memcpy(hdr, &ts, 8);
    memcpy(hdr + 8, &t, 8);
    memcpy(hdr + 20, &type, 2);
    memcpy(hdr + 22, &np, 4);
    skr_sbuf_add(b, (const char *)hdr, sizeof(hdr));
    for (uint32_t k = 0; k < np; k++) {
        skr_sbuf_add(b, "\0\0", 2);
    }
}

static void eb_param(struct eb *e, const void *p, size_t n)
{
    uint16_t l;

    if (e->i >= e->np || e->b->oom) {
        return;
    }
    if (n > 65535) {
        n = 65535;
    }
    l = (uint16_t)n;
    skr_sbuf_add(e->b, p, n);
    if (!e->b->oom) {
        memcpy(e->b->p + e->start + 26 + 2 * e->i, &l, 2);
    }
    e->i++;
}

static void eb_u64(struct eb *e, uint64_t v)
{
    eb_param(e, &v, 8);
}

static void eb_u32(struct eb *e, uint32_t v)
{
    eb_param(e, &v, 4);
}

static void eb_u8(struct eb *e, uint8_t v)
{
    eb_param(e, &v, 1);
}

static void eb_str(struct eb *e, const char *s, size_t n)
{
    if (!s) {
        eb_param(e, "", 0);
        return;
    }
    /* charbuf: the bytes and a NUL */
    if (e->i >= e->np || e->b->oom) {
        return;
    }
    if (n > 65534) {
        n = 65534;
    }
    {
        uint16_t l = (uint16_t)(n + 1);
        skr_sbuf_add(e->b, s, n);
        skr_sbuf_addc(e->b, '\0');
        if (!e->b->oom) {
            memcpy(e->b->p + e->start + 26 + 2 * e->i, &l, 2);
        }
        e->i++;
    }
}

static void eb_end(struct eb *e)
{
    uint32_t len;

    while (e->i < e->np) {
        eb_param(e, "", 0);
    }
    if (e->b->oom) {
        return;
    }
    len = (uint32_t)(e->b->len - e->start);
    memcpy(e->b->p + e->start + 16, &len, 4);
}

/* ---- /proc readers --------------------------------------------------------------- */

static ssize_t read_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n, total = 0;

    if (fd < 0) {
        return -1;
    }
    while ((size_t)total < cap && (n = read(fd, buf + total, cap - (size_t)total)) > 0) {
        total += n;
    }
    close(fd);
    return total;
}

static ssize_t read_link(const char *path, char *buf, size_t cap)
{
    ssize_t n = readlink(path, buf, cap - 1);

    if (n < 0) {
        return -1;
    }
    buf[n] = '\0';
    return n;
}

static const char *status_field(const char *status, const char *key)
{
    size_t kl = strlen(key);
    const char *p = status;

    while (p && *p) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
            return p + kl + 1;
        }
        p = strchr(p, '\n');
        if (p) {
            p++;
        }
    }
    return NULL;
}

/* The n-th (0-based) whitespace-separated number after a status key; def when absent. */
static int64_t status_num(const char *status, const char *key, int n, int base, int64_t def)
{
    const char *p = status_field(status, key);
    char *end;

    if (!p) {
        return def;
    }
    for (int i = 0;; i++) {
        long long v;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\n' || *p == '\0') {
            return def;
        }
        v = strtoll(p, &end, base);
        if (end == p) {
            return def;
        }
        if (i == n) {
            return v;
        }
        p = end;
    }
}

static int status_count(const char *status, const char *key)
{
    const char *p = status_field(status, key);
    int n = 0;

    while (p && *p && *p != '\n') {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\n' || *p == '\0') {
            break;
        }
        n++;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            p++;
        }
    }
    return n;
}

static uint64_t status_hex(const char *status, const char *key)
{
    const char *p = status_field(status, key);
    return p ? strtoull(p, NULL, 16) : 0;
}

/* Appends "name=path\0" items for the controllers the driver reports, from /proc/.../cgroup. */
static void cgroups_of(const char *path, struct skr_sbuf *out)
{
    char buf[8192];
    ssize_t n = read_file(path, buf, sizeof(buf) - 1);
    static const char *const wanted[] = { "cpuset", "cpu", "cpuacct", "blkio", "memory" };
    const char *found[5] = { 0 };
    size_t flen[5] = { 0 };
    const char *unified = NULL;
    size_t ulen = 0;
    char *line, *save = NULL;

    if (n <= 0) {
        return;
    }
    buf[n] = '\0';
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':'), *c2;
        if (!c1 || !(c2 = strchr(c1 + 1, ':'))) {
            continue;
        }
        if (c2 == c1 + 1) {
            unified = c2 + 1;
            ulen = strlen(unified);
            continue;
        }
        for (char *ctl = c1 + 1; ctl < c2;) {
            char *comma = memchr(ctl, ',', (size_t)(c2 - ctl));
            char *ce = comma ? comma : c2;
            for (int k = 0; k < 5; k++) {
                if ((size_t)(ce - ctl) == strlen(wanted[k]) &&
                    memcmp(ctl, wanted[k], (size_t)(ce - ctl)) == 0) {
                    found[k] = c2 + 1;
                    flen[k] = strlen(c2 + 1);
                }
            }
            ctl = ce + 1;
        }
    }
    for (int k = 0; k < 5; k++) {
        const char *p = found[k] ? found[k] : unified;
        size_t l = found[k] ? flen[k] : ulen;
        if (!p) {
            continue;
        }
        skr_sbuf_adds(out, k == 3 ? "io" : wanted[k]);
        skr_sbuf_addc(out, '=');
        skr_sbuf_add(out, p, l);
        skr_sbuf_addc(out, '\0');
    }
}

static uint64_t clk_tck(void)
{
    long t = sysconf(_SC_CLK_TCK);
    return t > 0 ? (uint64_t)t : 100;
}

/* Writes one saker_thread event for (pid, tid) into out; 0, or -1 when it is gone or a kernel
 * thread. */
static int thread_event(struct skr_sys *s,
                        int64_t pid,
                        int64_t tid,
                        uint64_t ts,
                        struct skr_sbuf *out)
{
    char path[96], status[4096], statb[1024], cmd[READ_MAX], env[READ_MAX], link[4097];
    char exe_link[4097];
    ssize_t n, cl, el, xl;
    struct eb e;
    struct stat st;
    struct skr_sbuf cg = { 0 };
    const char *p;
    int64_t ppid, sid = -1, pgid = -1, vpgid = 0, vtid, vpid;
    uint64_t start_ts = 0, pidns_ts = s->boot_ns;
    uint32_t tty = 0, uid, gid, flags = 0, exe_flags = 0, loginuid = UINT32_MAX;
    uint64_t exe_ino = 0, ctime_ns = 0, mtime_ns = 0;
    int64_t fdlimit = -1;
    struct rlimit rl;

    snprintf(path, sizeof(path), "/proc/%" PRId64 "/task/%" PRId64 "/status", pid, tid);
    n = read_file(path, status, sizeof(status) - 1);
    if (n <= 0) {
        return -1;
    }
    status[n] = '\0';
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/cmdline", pid);
    cl = read_file(path, cmd, sizeof(cmd));
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/exe", pid);
    xl = read_link(path, exe_link, sizeof(exe_link));
    if (cl <= 0 && xl < 0) {
        return -1; /* kernel thread or zombie */
    }
    if (cl < 0) {
        cl = 0;
    }
    ppid = status_num(status, "PPid", 0, 10, 0);
    uid = (uint32_t)status_num(status, "Uid", 1, 10, UINT32_MAX);
    gid = (uint32_t)status_num(status, "Gid", 1, 10, UINT32_MAX);
    vtid = status_count(status, "NSpid") > 1
                   ? status_num(status, "NSpid", status_count(status, "NSpid") - 1, 10, tid)
                   : tid;
    vpid = status_count(status, "NStgid") > 1
                   ? status_num(status, "NStgid", status_count(status, "NStgid") - 1, 10, pid)
                   : pid;
    if (status_count(status, "NSpgid") > 1) {
        vpgid = status_num(status, "NSpgid", status_count(status, "NSpgid") - 1, 10, 0);
    }

    snprintf(path, sizeof(path), "/proc/%" PRId64 "/task/%" PRId64 "/stat", pid, tid);
    n = read_file(path, statb, sizeof(statb) - 1);
    if (n > 0) {
        statb[n] = '\0';
        p = strrchr(statb, ')');
        if (p) {
            /* fields after ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
             * cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime */
            long long v[20] = { 0 };
            int k = 0;
            char *endp;
            p += 2;
            while (*p && *p != ' ') {
                p++;
            }
            while (k < 20 && *p) {
                v[k++] = strtoll(p, &endp, 10);
                if (endp == p) {
                    break;
                }
                p = endp;
            }
            pgid = v[1];
            sid = v[2];
            tty = (uint32_t)v[3];
            if (k >= 19) {
                start_ts = s->boot_ns + (uint64_t)v[18] * 1000000000ull / clk_tck();
            }
        }
    }
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/environ", pid);
    el = read_file(path, env, sizeof(env));
    if (el < 0) {
        el = 0;
    }
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/loginuid", pid);
    {
        char lb[32];
        ssize_t ln = read_file(path, lb, sizeof(lb) - 1);
        if (ln > 0) {
            lb[ln] = '\0';
            loginuid = (uint32_t)strtoul(lb, NULL, 10);
        }
    }
    if (prlimit((pid_t)pid, RLIMIT_NOFILE, NULL, &rl) == 0) {
        fdlimit = rl.rlim_cur == RLIM_INFINITY ? -1 : (int64_t)rl.rlim_cur;
    }
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/exe", pid);
    if (xl >= 0 && stat(path, &st) == 0) {
        exe_ino = st.st_ino;
        ctime_ns = (uint64_t)st.st_ctim.tv_sec * 1000000000ull + (uint64_t)st.st_ctim.tv_nsec;
        mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
        if (uid == 0 || (st.st_uid == uid && (st.st_mode & S_IWUSR)) ||
            (st.st_gid == gid && (st.st_mode & S_IWGRP)) || (st.st_mode & S_IWOTH)) {
            exe_flags |= SKR_EXE_WRITABLE;
        }
    }
    if (xl > 0) {
        static const char deleted[] = " (deleted)";
        size_t dl = sizeof(deleted) - 1;
        if ((size_t)xl > dl && memcmp(exe_link + xl - dl, deleted, dl) == 0) {
            xl -= (ssize_t)dl;
            exe_link[xl] = '\0';
        }
        if (strncmp(exe_link, "/memfd:", 7) == 0) {
            exe_flags |= SKR_EXE_FROM_MEMFD;
            memmove(exe_link, exe_link + 1, (size_t)xl);
            xl--;
        }
    }
    if (vpid != pid) {
        snprintf(path, sizeof(path), "/proc/%" PRId64 "/root/proc/1/cmdline", pid);
        if (stat(path, &st) == 0) {
            pidns_ts = (uint64_t)st.st_ctim.tv_sec * 1000000000ull + (uint64_t)st.st_ctim.tv_nsec;
        }
    }
    if (tid != pid) {
        flags |= SKR_CL_CLONE_THREAD | SKR_CL_CLONE_FILES;
    } else {
        flags |= SKR_CL_IS_MAIN_THREAD;
    }

    eb_begin(&e, out, SKR_EVT_THREAD, 31, ts, tid);
    eb_u64(&e, (uint64_t)tid);
    eb_u64(&e, (uint64_t)pid);
    eb_u64(&e, (uint64_t)ppid);
    eb_u64(&e, (uint64_t)sid);
    eb_u64(&e, (uint64_t)vpgid);
    eb_u64(&e, (uint64_t)pgid);
    eb_u64(&e, (uint64_t)vtid);
    eb_u64(&e, (uint64_t)vpid);
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/task/%" PRId64 "/comm", pid, tid);
    {
        char comm[32];
        ssize_t cn = read_file(path, comm, sizeof(comm) - 1);
        while (cn > 0 && (comm[cn - 1] == '\n' || comm[cn - 1] == '\0')) {
            cn--;
        }
        eb_str(&e, comm, cn > 0 ? (size_t)cn : 0);
    }
    {
        size_t exelen = strnlen(cmd, (size_t)cl);
        eb_str(&e, cmd, exelen);
        if ((size_t)cl > exelen + 1) {
            eb_param(&e, cmd + exelen + 1, (size_t)cl - exelen - 1);
        } else {
            eb_param(&e, "", 0);
        }
    }
    eb_param(&e, env, (size_t)el);
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/cwd", pid);
    if ((n = read_link(path, link, sizeof(link) - 1)) >= 0) {
        if (n == 0 || link[n - 1] != '/') {
            link[n++] = '/';
            link[n] = '\0';
        }
        eb_str(&e, link, (size_t)n);
    } else {
        eb_param(&e, "", 0);
    }
    eb_str(&e, xl >= 0 ? exe_link : "", xl > 0 ? (size_t)xl : 0);
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/task/%" PRId64 "/cgroup", pid, tid);
    cgroups_of(path, &cg);
    eb_param(&e, cg.p ? cg.p : "", cg.len);
    skr_sbuf_fini(&cg);
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/root", pid);
    if ((n = read_link(path, link, sizeof(link))) >= 0) {
        eb_str(&e, link, (size_t)n);
    } else {
        eb_param(&e, "", 0);
    }
    eb_u32(&e, uid);
    eb_u32(&e, gid);
    eb_u32(&e, loginuid);
    eb_u64(&e, status_hex(status, "CapInh"));
    eb_u64(&e, status_hex(status, "CapPrm"));
    eb_u64(&e, status_hex(status, "CapEff"));
    eb_u64(&e, (uint64_t)fdlimit);
    eb_u32(&e, tty);
    eb_u32(&e, flags);
    eb_u32(&e, exe_flags);
    eb_u64(&e, exe_ino);
    eb_u64(&e, ctime_ns);
    eb_u64(&e, mtime_ns);
    eb_u64(&e, start_ts);
    eb_u64(&e, pidns_ts);
    eb_end(&e);
    return out->oom ? -1 : 0;
}

int skr_scan_thread_event(struct skr_sys *s, int64_t pid, int64_t tid, struct skr_sbuf *out)
{
    struct timespec now;

    if (pid <= 0) {
        char path[64], status[4096];
        ssize_t n;
        snprintf(path, sizeof(path), "/proc/%" PRId64 "/status", tid);
        n = read_file(path, status, sizeof(status) - 1);
        if (n <= 0) {
            return -1;
        }
        status[n] = '\0';
        pid = status_num(status, "Tgid", 0, 10, tid);
    }
    clock_gettime(CLOCK_REALTIME, &now);
    return thread_event(s, pid, tid, (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec,
                        out);
}

/* ---- Sockets of a network namespace --------------------------------------------------- */

struct sockent {
    uint64_t ino;
    uint8_t family; /* 4, 6, 1 (unix), 16 (netlink) */
    uint8_t l4;
    bool listen;
    uint8_t laddr[16], raddr[16];
    uint16_t lport, rport;
    uint64_t uaddr;
    char upath[110];
};

struct sockmap {
    struct sockent *v;
    size_t n, cap;
    uint16_t *listen_ports;
    size_t nlisten;
};

static void sockmap_free(struct sockmap *m)
{
    free(m->v);
    free(m->listen_ports);
    memset(m, 0, sizeof(*m));
}

static struct sockent *sockmap_add(struct sockmap *m)
{
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 64;
        struct sockent *nv = realloc(m->v, nc * sizeof(*nv));
        if (!nv) {
            return NULL;
        }
        m->v = nv;
        m->cap = nc;
    }
    memset(&m->v[m->n], 0, sizeof(m->v[0]));
    return &m->v[m->n++];
}

static void parse_addr(const char *hex, uint8_t *out, bool v6)
{
    for (int w = 0; w < (v6 ? 4 : 1); w++) {
        char word[9];
        uint32_t v;
        memcpy(word, hex + 8 * w, 8);
        word[8] = '\0';
        v = (uint32_t)strtoul(word, NULL, 16);
        memcpy(out + 4 * w, &v, 4);
    }
}

static void load_inet(struct sockmap *m, int64_t pid, const char *file, bool v6, uint8_t l4)
{
    char path[96];
    FILE *f;
    char line[512];

    snprintf(path, sizeof(path), "/proc/%" PRId64 "/net/%s", pid, file);
    f = fopen(path, "re");
    if (!f) {
        return;
    }
    if (!fgets(line, sizeof(line), f)) {
        fclose(f);
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        char la[64], ra[64];
        unsigned lp, rp, stt;
        unsigned long long ino;
        struct sockent *e;
        /* sl local rem st tx:rx tr:tm retrnsmt uid timeout inode */
        if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %63[0-9A-Fa-f]:%x %x %*s %*s %*s %*u %*u %llu",
                   la, &lp, ra, &rp, &stt, &ino) != 6) {
            continue;
        }
        e = sockmap_add(m);
        if (!e) {
            break;
        }
        e->ino = ino;
        e->family = v6 ? 6 : 4;
        e->l4 = l4;
        parse_addr(la, e->laddr, v6);
        parse_addr(ra, e->raddr, v6);
        e->lport = (uint16_t)lp;
        e->rport = (uint16_t)rp;
        e->listen = l4 == SKR_L4_TCP && stt == 0x0a;
        if (e->listen) {
            uint16_t *np = realloc(m->listen_ports, (m->nlisten + 1) * sizeof(*np));
            if (np) {
                m->listen_ports = np;
                m->listen_ports[m->nlisten++] = e->lport;
            }
        }
    }
    fclose(f);
}

static void load_unix(struct sockmap *m, int64_t pid)
{
    char path[96], line[512];
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%" PRId64 "/net/unix", pid);
    f = fopen(path, "re");
    if (!f) {
        return;
    }
    if (!fgets(line, sizeof(line), f)) {
        fclose(f);
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned long long addr, ino;
        char upath[110] = "";
        struct sockent *e;
        if (sscanf(line, "%llx: %*x %*x %*x %*x %*x %llu %109s", &addr, &ino, upath) < 2) {
            continue;
        }
        e = sockmap_add(m);
        if (!e) {
            break;
        }
        e->ino = ino;
        e->family = 1;
        e->uaddr = addr;
        snprintf(e->upath, sizeof(e->upath), "%s", upath);
    }
    fclose(f);
}

static void load_netns(struct sockmap *m, int64_t pid)
{
    load_inet(m, pid, "tcp", false, SKR_L4_TCP);
    load_inet(m, pid, "tcp6", true, SKR_L4_TCP);
    load_inet(m, pid, "udp", false, SKR_L4_UDP);
    load_inet(m, pid, "udp6", true, SKR_L4_UDP);
    load_inet(m, pid, "raw", false, SKR_L4_RAW);
    load_inet(m, pid, "raw6", true, SKR_L4_RAW);
    load_unix(m, pid);
}

static const struct sockent *sock_find(const struct sockmap *m, uint64_t ino)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->v[i].ino == ino) {
            return &m->v[i];
        }
    }
    return NULL;
}

static bool is_listen_port(const struct sockmap *m, uint16_t port)
{
    for (size_t i = 0; i < m->nlisten; i++) {
        if (m->listen_ports[i] == port) {
            return true;
        }
    }
    return false;
}

/* ---- Fds ---------------------------------------------------------------------------- */

static uint32_t linux_open_flags(uint32_t f)
{
    uint32_t r = (f & 3) == 0 ? SKR_O_RDONLY : (f & 3) == 1 ? SKR_O_WRONLY : SKR_O_RDWR;

    if (f & O_CREAT) {
        r |= SKR_O_CREAT;
    }
    if (f & O_EXCL) {
        r |= SKR_O_EXCL;
    }
    if (f & O_TRUNC) {
        r |= SKR_O_TRUNC;
    }
    if (f & O_APPEND) {
        r |= SKR_O_APPEND;
    }
    if (f & O_NONBLOCK) {
        r |= SKR_O_NONBLOCK;
    }
    if (f & O_DSYNC) {
        r |= SKR_O_DSYNC;
    }
    if (f & O_DIRECTORY) {
        r |= SKR_O_DIRECTORY;
    }
    if (f & O_CLOEXEC) {
        r |= SKR_O_CLOEXEC;
    }
    return r;
}

/* One saker_fd event. */
static void fd_event(struct eb *e,
                     struct skr_sbuf *out,
                     uint64_t ts,
                     int64_t pid,
                     int64_t fd,
                     uint8_t type,
                     uint32_t fdflags,
                     uint32_t oflags,
                     const char *name,
                     size_t nlen,
                     uint32_t dev,
                     uint64_t ino,
                     const uint8_t *tuple,
                     size_t tlen,
                     uint8_t l4)
{
    eb_begin(e, out, SKR_EVT_FD, 11, ts, pid);
    eb_u64(e, (uint64_t)pid);
    eb_u64(e, (uint64_t)fd);
    eb_u8(e, type);
    eb_u32(e, fdflags);
    eb_u32(e, oflags);
    eb_str(e, name, nlen);
    eb_u32(e, dev);
    eb_u64(e, ino);
    eb_param(e, tuple, tlen);
    eb_u8(e, l4);
    eb_u64(e, 0);
    eb_end(e);
}

static uint32_t user_dev(dev_t d)
{
    uint32_t major = (uint32_t)(d >> 8) & 0xfff,
             minor = ((uint32_t)d & 0xff) | ((uint32_t)(d >> 12) & 0xfff00);
    return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static uint32_t scan_fds(struct skr_scan *sc, int64_t pid, uint64_t ts, struct sockmap *sm)
{
    char path[96], link[4097], info[512];
    DIR *d;
    struct dirent *de;
    uint32_t count = 0;
    struct eb e;

    snprintf(path, sizeof(path), "/proc/%" PRId64 "/fd", pid);
    d = opendir(path);
    if (!d) {
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        char *end;
        long long fd = strtoll(de->d_name, &end, 10);
        ssize_t n;
        uint32_t oflags = 0;
        uint8_t type = SKR_FD_UNKNOWN, l4 = 0;
        uint8_t tuple[40];
        size_t tlen = 0;
        uint32_t fdflags = SKR_FDF_FROM_PROC;
        uint64_t ino = 0;
        uint32_t dev = 0;
        struct stat st;

        if (*end || de->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/%" PRId64 "/fd/%lld", pid, fd);
        n = read_link(path, link, sizeof(link));
        if (n < 0) {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/%" PRId64 "/fdinfo/%lld", pid, fd);
        {
            ssize_t in = read_file(path, info, sizeof(info) - 1);
            if (in > 0) {
                info[in] = '\0';
                oflags = linux_open_flags((uint32_t)status_num(info, "flags", 0, 8, 0));
            }
        }
        if (link[0] == '/') {
            snprintf(path, sizeof(path), "/proc/%" PRId64 "/fd/%lld", pid, fd);
            if (strncmp(link, "/memfd:", 7) == 0) {
                type = SKR_FD_MEMFD;
            } else if (stat(path, &st) == 0) {
                type = S_ISDIR(st.st_mode) ? SKR_FD_DIRECTORY : SKR_FD_FILE;
                ino = st.st_ino;
                dev = user_dev(st.st_dev);
            } else {
                type = SKR_FD_FILE;
            }
        } else if (strncmp(link, "pipe:[", 6) == 0) {
            type = SKR_FD_FIFO;
            ino = strtoull(link + 6, NULL, 10);
        } else if (strncmp(link, "socket:[", 8) == 0) {
            const struct sockent *se;
            ino = strtoull(link + 8, NULL, 10);
            se = sock_find(sm, ino);
            n = 0;
            link[0] = '\0';
            if (se && (se->family == 4 || se->family == 6)) {
                bool v6 = se->family == 6;
                size_t al = v6 ? 16 : 4;
                bool server = se->listen || is_listen_port(sm, se->lport);
                const uint8_t *ca = server ? se->raddr : se->laddr;
                const uint8_t *sa = server ? se->laddr : se->raddr;
                uint16_t cp = server ? se->rport : se->lport, sp = server ? se->lport : se->rport;
                l4 = se->l4;
                if (se->listen) {
                    type = v6 ? SKR_FD_IPV6_SERVSOCK : SKR_FD_IPV4_SERVSOCK;
                    ca = se->laddr;
                    cp = se->lport;
                } else {
                    type = v6 ? SKR_FD_IPV6_SOCK : SKR_FD_IPV4_SOCK;
                    fdflags |= server ? SKR_FDF_ROLE_SERVER : SKR_FDF_ROLE_CLIENT;
                    if (l4 == SKR_L4_TCP) {
                        fdflags |= SKR_FDF_CONNECTED;
                    }
                }
                tuple[0] = v6 ? SKR_AF_INET6 : SKR_AF_INET;
                memcpy(tuple + 1, ca, al);
                memcpy(tuple + 1 + al, &cp, 2);
                memcpy(tuple + 3 + al, sa, al);
                memcpy(tuple + 3 + 2 * al, &sp, 2);
                tlen = 5 + 2 * al;
            } else if (se && se->family == 1) {
                int un = snprintf(link, sizeof(link), "%" PRIx64 "->0 %s", se->uaddr, se->upath);
                type = SKR_FD_UNIX_SOCK;
                n = un > 0 && (size_t)un < sizeof(link) ? un : 0;
            }
        } else if (strncmp(link, "anon_inode:", 11) == 0) {
            const char *k = link + 11;
            if (strstr(k, "eventfd")) {
                type = SKR_FD_EVENT;
            } else if (strstr(k, "eventpoll")) {
                type = SKR_FD_EVENTPOLL;
            } else if (strstr(k, "inotify")) {
                type = SKR_FD_INOTIFY;
            } else if (strstr(k, "signalfd")) {
                type = SKR_FD_SIGNALFD;
            } else if (strstr(k, "timerfd")) {
                type = SKR_FD_TIMERFD;
            } else if (strstr(k, "io_uring")) {
                type = SKR_FD_IOURING;
            } else if (strstr(k, "userfaultfd")) {
                type = SKR_FD_USERFAULTFD;
            } else if (strstr(k, "pidfd")) {
                type = SKR_FD_PIDFD;
            } else if (strstr(k, "bpf")) {
                type = SKR_FD_BPF;
            }
            n = 0;
            link[0] = '\0';
        } else {
            n = 0;
            link[0] = '\0';
        }
        fd_event(&e, &sc->buf, ts, pid, fd, type, fdflags, oflags, link, (size_t)n, dev, ino, tuple,
                 tlen, l4);
        count++;
    }
    closedir(d);
    return count;
}

/* ---- The scan ---------------------------------------------------------------------------- */

static int record(struct skr_scan *sc, size_t off)
{
    if (sc->n == sc->cap) {
        size_t nc = sc->cap ? sc->cap * 2 : 1024;
        size_t *no = realloc(sc->offs, nc * sizeof(*no));
        if (!no) {
            return -ENOMEM;
        }
        sc->offs = no;
        sc->cap = nc;
    }
    sc->offs[sc->n++] = off;
    return 0;
}

struct skr_scan *skr_scan_new(struct skr_sys *s)
{
    struct skr_scan *sc = calloc(1, sizeof(*sc));
    struct timespec now;
    uint64_t ts;
    DIR *d;
    struct dirent *de;
    uint32_t nthreads = 0, nfds = 0;
    struct eb e;
    char nsbuf[64], curns[64] = "";
    struct sockmap sm = { 0 };

    if (!sc) {
        return NULL;
    }
    sc->s = s;
    clock_gettime(CLOCK_REALTIME, &now);
    ts = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
    record(sc, sc->buf.len);
    eb_begin(&e, &sc->buf, SKR_EVT_INIT, 4, ts, -1);
    eb_u64(&e, s->boot_ns);
    eb_str(&e, "procfs", 6);
    eb_u32(&e, 0);
    eb_u32(&e, 0);
    eb_end(&e);
    d = s->cfg.proc_scan ? opendir("/proc") : NULL;
    while (d && (de = readdir(d)) != NULL) {
        char *end, path[96];
        long long pid = strtoll(de->d_name, &end, 10);
        DIR *td;
        struct dirent *te;
        size_t off;

        if (*end || pid <= 0) {
            continue;
        }
        off = sc->buf.len;
        if (thread_event(s, pid, pid, ts, &sc->buf) < 0) {
            sc->buf.len = off;
            continue;
        }
        record(sc, off);
        nthreads++;
        snprintf(path, sizeof(path), "/proc/%lld/task", pid);
        td = opendir(path);
        while (td && (te = readdir(td)) != NULL) {
            long long tid = strtoll(te->d_name, &end, 10);
            if (*end || tid <= 0 || tid == pid) {
                continue;
            }
            off = sc->buf.len;
            if (thread_event(s, pid, tid, ts, &sc->buf) < 0) {
                sc->buf.len = off;
                continue;
            }
            record(sc, off);
            nthreads++;
        }
        if (td) {
            closedir(td);
        }
        if (s->cfg.proc_scan_fds) {
            size_t before = sc->buf.len;
            uint32_t nf;
            snprintf(path, sizeof(path), "/proc/%lld/ns/net", pid);
            if (read_link(path, nsbuf, sizeof(nsbuf)) > 0 && strcmp(nsbuf, curns) != 0) {
                sockmap_free(&sm);
                load_netns(&sm, pid);
                snprintf(curns, sizeof(curns), "%s", nsbuf);
            }
            nf = scan_fds(sc, pid, ts, &sm);
            /* record each fd event */
            for (size_t o = before; o < sc->buf.len;) {
                uint32_t len;
                memcpy(&len, sc->buf.p + o + 16, 4);
                record(sc, o);
                if (len == 0) {
                    break;
                }
                o += len;
            }
            nfds += nf;
        }
    }
    if (d) {
        closedir(d);
    }
    sockmap_free(&sm);
    if (sc->buf.oom) {
        skr_scan_free(sc);
        return NULL;
    }
    /* the totals go into the first event */
    memcpy(sc->buf.p + sc->offs[0] + 26 + 2 * 4 + 8 + 7, &nthreads, 4);
    memcpy(sc->buf.p + sc->offs[0] + 26 + 2 * 4 + 8 + 7 + 4, &nfds, 4);
    sc->ptrs = calloc(sc->n ? sc->n : 1, sizeof(*sc->ptrs));
    if (!sc->ptrs) {
        skr_scan_free(sc);
        return NULL;
    }
    for (size_t i = 0; i < sc->n; i++) {
        sc->ptrs[i] = sc->buf.p + sc->offs[i];
    }
    return sc;
}

void skr_scan_free(struct skr_scan *sc)
{
    if (!sc) {
        return;
    }
    skr_sbuf_fini(&sc->buf);
    free(sc->offs);
    free(sc->ptrs);
    free(sc);
}

uint32_t skr_scan_next(struct skr_scan *sc, const void **evts, uint32_t max)
{
    uint32_t n = 0;

    while (n < max && sc->next < sc->n) {
        evts[n++] = sc->ptrs[sc->next++];
    }
    return n;
}
