/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syscall plugin as a host drives it: synthetic events in the driver's
 * layout go through plugin_parse_event, fields come out of
 * plugin_extract_fields. State events, process life cycle, fd tracking,
 * sockets, bad input, limits and configuration.
 */
#include "sys_test.h"

#include "skr_driver.h"
#include "state.h"

static const char k_args_cat[] = "/etc/shadow";
static const char k_env[] = "HOME=/root\0PATH=/usr/bin:/bin\0LD_PRELOAD=/tmp/x.so";
static const char k_cgroups[] = "cpu=/user.slice\0memory=/docker/0123456789abcdef0123";

/* A saker_thread state event. */
static const ss_plugin_event *thread_state(struct tev *t,
                                           int64_t tid,
                                           int64_t pid,
                                           int64_t ptid,
                                           const char *comm,
                                           const char *exe,
                                           const char *cwd,
                                           const char *exepath,
                                           uint32_t uid)
{
    tev_begin(t, SKR_EVT_THREAD);
    tev_int(t, tid);
    tev_int(t, pid);
    tev_int(t, ptid);
    tev_int(t, pid); /* sid */
    tev_int(t, pid); /* vpgid */
    tev_int(t, pid); /* pgid */
    tev_int(t, tid); /* vtid */
    tev_int(t, pid); /* vpid */
    tev_str(t, comm);
    tev_str(t, exe);
    tev_bytes(t, "-l\0-c", 6);
    tev_bytes(t, k_env, sizeof(k_env));
    tev_str(t, cwd);
    tev_str(t, exepath);
    tev_bytes(t, k_cgroups, sizeof(k_cgroups));
    tev_str(t, "/");
    tev_int(t, uid);
    tev_int(t, uid);  /* gid */
    tev_int(t, 1000); /* loginuid */
    tev_int(t, 0);
    tev_int(t, 0x1ffffffffffll);
    tev_int(t, 0x1ffffffffffll);
    tev_int(t, 1024);  /* fdlimit */
    tev_int(t, 34817); /* tty */
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 77);           /* exe_ino */
    tev_int(t, 1000000000ll); /* exe_ino_ctime */
    tev_int(t, 1000000000ll); /* exe_ino_mtime */
    tev_int(t, 5000000000ll); /* start_ts */
    tev_int(t, 1);            /* pidns_init_start_ts */
    return tev_end(t, 10, tid);
}

/* The starting state of a small system: systemd(1) -> sshd(50) -> bash(100, 2 threads). */
static void boot(struct sys *s)
{
    struct tev *t = malloc(sizeof(*t));

    assert_non_null(t);
    tev_begin(t, SKR_EVT_INIT);
    tev_int(t, 1000);
    tev_str(t, "proc");
    tev_int(t, 4);
    tev_int(t, 1);
    sys_feed(s, t, 1, 0);
    sys_parse(s, thread_state(t, 1, 1, 0, "systemd", "/sbin/init", "/", "/usr/lib/systemd/systemd",
                              0));
    sys_parse(s, thread_state(t, 50, 50, 1, "sshd", "sshd:", "/", "/usr/sbin/sshd", 0));
    sys_parse(s, thread_state(t, 100, 100, 50, "bash", "-bash", "/home/u/", "/usr/bin/bash", 1000));
    sys_parse(s, thread_state(t, 101, 100, 50, "bash", "-bash", "/home/u/", "/usr/bin/bash", 1000));
    /* an open fd of bash */
    tev_begin(t, SKR_EVT_FD);
    tev_int(t, 100);
    tev_int(t, 7);
    tev_int(t, SKR_FD_FILE);
    tev_int(t, 0);
    tev_int(t, SKR_O_WRONLY | SKR_O_APPEND);
    tev_str(t, "/var/log/auth.log");
    tev_int(t, 0x803);
    tev_int(t, 4242);
    tev_none(t);
    tev_int(t, 0);
    tev_int(t, 0);
    sys_feed(s, t, 11, 0);
    free(t);
}

static const ss_plugin_event *fchmod_evt(struct tev *t, int64_t tid, int64_t fd)
{
    tev_begin(t, SKR_PPME_SYSCALL_FCHMOD_X);
    tev_int(t, 0);
    tev_int(t, fd);
    tev_int(t, 0644);
    return tev_end(t, 20, tid);
}

static void state_events_build_the_tree(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    const ss_plugin_event *e;

    (void)state;
    sys_open(&s, NULL);
    boot(&s);
    assert_int_equal(sys_metric(&s, "n_threads"), 4);
    /* the second thread of bash sees its process and the fd opened before the start */
    e = fchmod_evt(t, 101, 7);
    sys_parse(&s, e);
    assert_str(&s, e, "evt.type", "fchmod");
    assert_str(&s, e, "evt.dir", "<");
    assert_str(&s, e, "proc.name", "bash");
    assert_str(&s, e, "proc.exe", "-bash");
    assert_str(&s, e, "proc.exepath", "/usr/bin/bash");
    assert_str(&s, e, "proc.pname", "sshd");
    assert_str(&s, e, "proc.aname[2]", "systemd");
    assert_str(&s, e, "proc.cmdline", "bash -l -c");
    assert_str(&s, e, "proc.args", "-l -c");
    assert_str(&s, e, "proc.cwd", "/home/u/");
    assert_str(&s, e, "proc.env[HOME]", "/root");
    assert_str(&s, e, "proc.env[LD_PRELOAD]", "/tmp/x.so");
    assert_int_equal(sys_u64(&s, e, "proc.pid"), 100);
    assert_int_equal(sys_u64(&s, e, "thread.tid"), 101);
    assert_int_equal(sys_u64(&s, e, "proc.ppid"), 50);
    assert_false(sys_u64(&s, e, "thread.ismain"));
    assert_int_equal(sys_u64(&s, e, "proc.tty"), 34817);
    assert_int_equal(sys_u64(&s, e, "user.uid"), 1000);
    assert_int_equal(sys_u64(&s, e, "user.loginuid"), 1000);
    assert_str(&s, e, "thread.cgroup[memory]", "/docker/0123456789abcdef0123");
    assert_str(&s, e, "fd.name", "/var/log/auth.log");
    assert_str(&s, e, "fd.directory", "/var/log");
    assert_str(&s, e, "fd.filename", "auth.log");
    assert_str(&s, e, "fd.typechar", "f");
    assert_str(&s, e, "fd.type", "file");
    assert_int_equal(sys_u64(&s, e, "fd.num"), 7);
    assert_int_equal(sys_u64(&s, e, "fd.ino"), 4242);
    assert_str(&s, e, "evt.arg.mode", "S_IROTH|S_IRGRP|S_IWUSR|S_IRUSR");
    assert_int_equal(sys_u64(&s, e, "evt.rawarg.mode"), 0644);
    /* root of the tree */
    e = fchmod_evt(t, 1, 7);
    sys_parse(&s, e);
    assert_str(&s, e, "proc.name", "systemd");
    assert_str(&s, e, "fd.name", ""); /* an exit event whose fd is unknown */
    assert_int_equal(sys_u64(&s, e, "user.uid"), 0);
    assert_str(&s, e, "user.name", "root");
    sys_close(&s);
    free(t);
}

static const ss_plugin_event *clone_evt(struct tev *t,
                                        int64_t tid,
                                        int64_t res,
                                        int64_t child_tid,
                                        int64_t child_pid,
                                        int64_t parent_tid,
                                        uint32_t flags)
{
    tev_begin(t, SKR_PPME_SYSCALL_CLONE_20_X);
    tev_int(t, res);
    tev_str(t, "-bash");
    tev_bytes(t, "-l\0-c", 6);
    tev_int(t, child_tid);
    tev_int(t, child_pid);
    tev_int(t, parent_tid);
    tev_none(t); /* cwd */
    tev_int(t, 1024);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 1000);
    tev_int(t, 500);
    tev_int(t, 0);
    tev_str(t, "bash");
    tev_bytes(t, k_cgroups, sizeof(k_cgroups));
    tev_int(t, flags);
    tev_int(t, 1000);
    tev_int(t, 1000);
    tev_int(t, child_tid);
    tev_int(t, child_pid);
    tev_int(t, 0);
    return tev_end(t, 30, tid);
}

static const ss_plugin_event *execve_evt(struct tev *t,
                                         int64_t tid,
                                         const char *exe,
                                         const void *args,
                                         uint32_t alen,
                                         const char *comm,
                                         const char *exepath,
                                         uint32_t uid,
                                         uint32_t exe_flags)
{
    tev_begin(t, SKR_PPME_SYSCALL_EXECVE_19_X);
    tev_int(t, 0);
    tev_str(t, exe);
    tev_bytes(t, args, alen);
    tev_int(t, tid);
    tev_int(t, tid);
    tev_int(t, 100);
    tev_none(t);
    tev_int(t, 1024);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 2000);
    tev_int(t, 900);
    tev_int(t, 0);
    tev_str(t, comm);
    tev_bytes(t, k_cgroups, sizeof(k_cgroups));
    tev_bytes(t, "TERM=xterm", 11);
    tev_int(t, 34817);
    tev_int(t, tid);
    tev_int(t, 1000);
    tev_int(t, exe_flags);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 99);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, uid);
    tev_str(t, exepath);
    tev_int(t, tid);
    tev_int(t, uid);
    tev_str(t, exepath);
    return tev_end(t, 40, tid);
}

static const ss_plugin_event *openat_evt(struct tev *t,
                                         int64_t tid,
                                         int64_t fd,
                                         int64_t dirfd,
                                         const char *name,
                                         uint32_t flags)
{
    tev_begin(t, SKR_PPME_SYSCALL_OPENAT_2_X);
    tev_int(t, fd);
    tev_int(t, dirfd);
    tev_str(t, name);
    tev_int(t, flags);
    tev_int(t, 0);
    tev_int(t, 0x803);
    tev_int(t, 555);
    return tev_end(t, 50, tid);
}

static const ss_plugin_event *close_evt(struct tev *t, int64_t tid, int64_t fd)
{
    tev_begin(t, SKR_PPME_SYSCALL_CLOSE_X);
    tev_int(t, 0);
    tev_int(t, fd);
    return tev_end(t, 60, tid);
}

static void process_life_cycle(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    const ss_plugin_event *e;

    (void)state;
    sys_open(&s, NULL);
    boot(&s);
    /* bash forks: parent side then child side */
    sys_parse(&s, clone_evt(t, 100, 200, 100, 100, 50, 0));
    e = clone_evt(t, 200, 0, 200, 200, 100, 0);
    sys_parse(&s, e);
    assert_str(&s, e, "proc.name", "bash");
    assert_int_equal(sys_u64(&s, e, "proc.pid"), 200);
    assert_int_equal(sys_u64(&s, e, "proc.ppid"), 100);
    assert_str(&s, e, "proc.pname", "bash");
    assert_str(&s, e, "proc.aname[3]", "systemd");
    assert_str(&s, e, "proc.cwd", "/home/u/");
    /* the fork copied bash's fds */
    e = fchmod_evt(t, 200, 7);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "/var/log/auth.log");
    /* the child runs cat */
    e = execve_evt(t, 200, "cat", k_args_cat, sizeof(k_args_cat), "cat", "/usr/bin/cat", 0, 0);
    sys_parse(&s, e);
    assert_str(&s, e, "evt.type", "execve");
    assert_str(&s, e, "proc.name", "cat");
    assert_str(&s, e, "proc.exe", "cat");
    assert_str(&s, e, "proc.exepath", "/usr/bin/cat");
    assert_str(&s, e, "proc.cmdline", "cat /etc/shadow");
    assert_str(&s, e, "proc.pname", "bash");
    assert_str(&s, e, "proc.pcmdline", "bash -l -c");
    assert_str(&s, e, "proc.env[TERM]", "xterm");
    assert_str(&s, e, "proc.env[HOME]", ""); /* unset: empty, as Falco */
    assert_str(&s, e, "user.name", "root");
    assert_int_equal(sys_u64(&s, e, "proc.cmdnargs"), 1);
    /* open relative to the cwd */
    e = openat_evt(t, 200, 3, SKR_AT_FDCWD, "notes/../notes.txt", SKR_O_RDONLY);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "/home/u/notes.txt");
    assert_str(&s, e, "fd.nameraw", "notes/../notes.txt");
    assert_str(&s, e, "evt.arg.name", "/home/u/notes.txt"); /* the resolved form */
    assert_str(&s, e, "evt.rawarg.name", "notes/../notes.txt");
    assert_str(&s, e, "evt.arg.flags", "O_RDONLY");
    assert_int_equal(sys_u64(&s, e, "evt.rawarg.flags"), SKR_O_RDONLY);
    assert_true(sys_u64(&s, e, "evt.is_open_read"));
    assert_false(sys_u64(&s, e, "evt.is_open_write"));
    assert_int_equal(sys_u64(&s, e, "evt.rawres"), 3);
    assert_str(&s, e, "evt.res", "SUCCESS");
    assert_int_equal(sys_u64(&s, e, "fd.num"), 3);
    assert_int_equal(sys_u64(&s, e, "fd.dev"), 0x803);
    /* a directory fd, then a path relative to it */
    sys_parse(&s, openat_evt(t, 200, 4, SKR_AT_FDCWD, "/etc", SKR_O_RDONLY | SKR_O_DIRECTORY));
    e = openat_evt(t, 200, 5, 4, "shadow", SKR_O_RDONLY | SKR_O_CLOEXEC);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "/etc/shadow");
    assert_str(&s, e, "evt.arg.flags", "O_RDONLY|O_CLOEXEC");
    /* a failed open names its path and no fd */
    e = openat_evt(t, 200, -2, SKR_AT_FDCWD, "/nonexistent", SKR_O_RDONLY);
    sys_parse(&s, e);
    assert_str(&s, e, "evt.res", "ENOENT");
    assert_true(sys_u64(&s, e, "evt.failed"));
    assert_str(&s, e, "fs.path.name", "/nonexistent");
    assert_str(&s, e, "fd.name", "/nonexistent"); /* a failed open: its path */
    /* the close event still sees the fd; the next one does not */
    e = close_evt(t, 200, 3);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "/home/u/notes.txt");
    e = fchmod_evt(t, 200, 3);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "");
    /* dup2 5 -> 1 */
    tev_begin(t, SKR_PPME_SYSCALL_DUP2_X);
    tev_int(t, 1);
    tev_int(t, 5);
    tev_int(t, 1);
    sys_feed(&s, t, 70, 200);
    e = fchmod_evt(t, 200, 1);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "/etc/shadow");
    assert_str(&s, e, "proc.stdout.name", "/etc/shadow");
    /* the parent's table was not touched by the child */
    e = fchmod_evt(t, 100, 3);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "");
    /* exit: the thread goes after the procexit event */
    tev_begin(t, SKR_PPME_PROCEXIT_1_E);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 100);
    e = tev_end(t, 80, 200);
    sys_parse(&s, e);
    assert_str(&s, e, "proc.name", "cat");
    assert_int_equal(sys_metric(&s, "n_threads"), 5);
    e = fchmod_evt(t, 100, 7);
    sys_parse(&s, e);
    assert_int_equal(sys_metric(&s, "n_threads"), 4);
    sys_close(&s);
    free(t);
}

static void threads_share_fds(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    const ss_plugin_event *e;

    (void)state;
    sys_open(&s, NULL);
    boot(&s);
    /* a new thread (CLONE_THREAD) of bash, from the parent side */
    sys_parse(&s, clone_evt(t, 100, 102, 100, 100, 50,
                            SKR_CL_CLONE_THREAD | SKR_CL_CLONE_FILES | SKR_CL_CLONE_VM));
    sys_parse(&s, openat_evt(t, 102, 9, SKR_AT_FDCWD, "/tmp/shared", SKR_O_RDWR | SKR_O_CREAT));
    e = fchmod_evt(t, 100, 9);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "/tmp/shared");
    assert_int_equal(sys_u64(&s, e, "proc.nthreads"), 3);
    /* execve from a thread replaces the other threads */
    e = execve_evt(t, 100, "sh", "-c\0true", 8, "sh", "/usr/bin/dash", 1000, 0);
    sys_parse(&s, e);
    assert_int_equal(sys_u64(&s, e, "proc.nthreads"), 1);
    assert_str(&s, e, "proc.name", "sh");
    assert_str(&s, e, "proc.cmdline", "sh -c true");
    sys_close(&s);
    free(t);
}

static void sockets_and_tuples(void **state)
{
    static const uint8_t lip[4] = { 10, 0, 0, 1 }, rip[4] = { 93, 184, 216, 34 };
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    const ss_plugin_event *e;
    uint8_t tuple[32], addr[8];
    uint32_t tl;
    ss_plugin_extract_field f;

    (void)state;
    sys_open(&s, NULL);
    boot(&s);
    tev_begin(t, SKR_PPME_SOCKET_SOCKET_X);
    tev_int(t, 6);
    tev_int(t, 2);
    tev_int(t, 1);
    tev_int(t, 0);
    tev_int(t, 0);
    sys_feed(&s, t, 90, 100);
    tl = tev_tuple4(tuple, lip, 40000, rip, 443);
    addr[0] = 2;
    memcpy(addr + 1, rip, 4);
    addr[5] = 443 & 0xff;
    addr[6] = 443 >> 8;
    tev_begin(t, SKR_PPME_SOCKET_CONNECT_X);
    tev_int(t, 0);
    tev_bytes(t, tuple, tl);
    tev_int(t, 6);
    tev_bytes(t, addr, 7);
    e = tev_end(t, 91, 100);
    sys_parse(&s, e);
    assert_str(&s, e, "evt.type", "connect");
    assert_str(&s, e, "fd.name", "10.0.0.1:40000->93.184.216.34:443");
    assert_str(&s, e, "fd.typechar", "4");
    assert_str(&s, e, "fd.type", "ipv4");
    assert_str(&s, e, "fd.l4proto", "tcp");
    assert_int_equal(sys_u64(&s, e, "fd.sport"), 443);
    assert_int_equal(sys_u64(&s, e, "fd.cport"), 40000);
    assert_int_equal(sys_u64(&s, e, "fd.rport"), 443);
    assert_int_equal(sys_u64(&s, e, "fd.lport"), 40000);
    assert_false(sys_u64(&s, e, "fd.is_server"));
    assert_true(sys_u64(&s, e, "fd.connected"));
    assert_int_equal(sys_extract(&s, e, "fd.sip", &f), 1);
    assert_int_equal(f.res.buf[0].len, 4);
    assert_memory_equal(f.res.buf[0].ptr, rip, 4);
    assert_str(&s, e, "fd.sockfamily", "ip");
    sys_close(&s);
    free(t);
}

static void unknown_threads_get_placeholders(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    const ss_plugin_event *e;

    (void)state;
    sys_open(&s, NULL);
    e = fchmod_evt(t, 4321, 3);
    sys_parse(&s, e);
    assert_int_equal(sys_metric(&s, "n_placeholders"), 1);
    assert_int_equal(sys_u64(&s, e, "thread.tid"), 4321);
    assert_str(&s, e, "proc.name", "<NA>");
    assert_str(&s, e, "fd.name", "");
    /* a later execve fills it in */
    e = execve_evt(t, 4321, "ls", "-l", 3, "ls", "/usr/bin/ls", 0, 0);
    sys_parse(&s, e);
    assert_str(&s, e, "proc.name", "ls");
    assert_str(&s, e, "proc.cmdline", "ls -l");
    sys_close(&s);
    free(t);
}

static void bad_events_are_counted(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    uint8_t *bad = malloc(65536);
    const ss_plugin_event *e;
    ss_plugin_extract_field f;
    uint32_t len;

    (void)state;
    sys_open(&s, NULL);
    boot(&s);
    e = openat_evt(t, 100, 3, SKR_AT_FDCWD, "/etc/passwd", SKR_O_RDONLY);
    len = e->len;
    /* every truncation: parsed without harm, counted, no field from garbage */
    for (uint32_t cut = 26; cut < len; cut++) {
        memcpy(bad, e, cut);
        memcpy(bad + 16, &cut, 4);
        sys_parse(&s, (const ss_plugin_event *)bad);
        sys_extract(&s, (const ss_plugin_event *)bad, "fd.name", &f);
        sys_extract(&s, (const ss_plugin_event *)bad, "evt.args", &f);
    }
    assert_true(sys_metric(&s, "n_bad_events") >= 1);
    /* a hostile parameter count */
    memcpy(bad, e, len);
    bad[22] = 0xff;
    bad[23] = 0xff;
    sys_parse(&s, (const ss_plugin_event *)bad);
    assert_int_equal(sys_extract(&s, (const ss_plugin_event *)bad, "fd.name", &f), 0);
    /* a state event whose parameters are all empty */
    tev_begin(t, SKR_EVT_THREAD);
    tev_fill(t);
    sys_feed(&s, t, 99, 0);
    tev_begin(t, SKR_EVT_FD);
    tev_fill(t);
    sys_feed(&s, t, 99, 0);
    /* the state is intact */
    e = fchmod_evt(t, 100, 7);
    sys_parse(&s, e);
    assert_str(&s, e, "fd.name", "/var/log/auth.log");
    sys_close(&s);
    free(bad);
    free(t);
}

static void table_size_is_bounded(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));

    (void)state;
    sys_open(&s, "{\"thread_table_size\": 64, \"max_fd\": 16}");
    for (int64_t tid = 1000; tid < 1500; tid++) {
        sys_parse(&s, thread_state(t, tid, tid, 1, "w", "w", "/", "/w", 0));
    }
    assert_int_equal(sys_metric(&s, "n_threads"), 64);
    assert_int_equal(sys_metric(&s, "n_thread_evictions"), 500 - 64);
    /* an fd beyond max_fd is not kept, and counted */
    sys_parse(&s, openat_evt(t, 1499, 20, SKR_AT_FDCWD, "/x", SKR_O_RDONLY));
    assert_int_equal(sys_metric(&s, "n_fd_drops"), 1);
    sys_parse(&s, openat_evt(t, 1499, 15, SKR_AT_FDCWD, "/y", SKR_O_RDONLY));
    assert_int_equal(sys_metric(&s, "n_fds"), 1);
    sys_close(&s);
    free(t);
}

static const ss_plugin_event *procexit_evt(struct tev *t, int64_t tid, int64_t reaper)
{
    tev_begin(t, SKR_PPME_PROCEXIT_1_E);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, 0);
    tev_int(t, reaper);
    return tev_end(t, 90, tid);
}

/* An orphan's parent becomes the reaper, as the kernel re-parents it. */
static void orphans_are_reparented(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    const ss_plugin_event *e;

    (void)state;
    sys_open(&s, NULL);
    boot(&s);
    /* bash (100) forks 200, which forks 300; 200 exits while 300 lives */
    sys_parse(&s, clone_evt(t, 100, 200, 100, 100, 50, 0));
    sys_parse(&s, clone_evt(t, 200, 300, 200, 200, 100, 0));
    e = fchmod_evt(t, 300, 7);
    sys_parse(&s, e);
    assert_int_equal(sys_u64(&s, e, "proc.ppid"), 200);
    sys_parse(&s, procexit_evt(t, 200, -1));
    /* no subreaper among the ancestors: init adopts it */
    e = fchmod_evt(t, 300, 7);
    sys_parse(&s, e);
    assert_int_equal(sys_u64(&s, e, "proc.ppid"), 1);
    assert_str(&s, e, "proc.pname", "systemd");
    /* with a subreaper ancestor (bash, 100), the orphan goes to it */
    tev_begin(t, SKR_PPME_SYSCALL_PRCTL_X);
    tev_int(t, 0);
    tev_int(t, 36); /* PR_SET_CHILD_SUBREAPER */
    tev_none(t);
    tev_int(t, 1);
    sys_feed(&s, t, 95, 100);
    sys_parse(&s, clone_evt(t, 100, 400, 100, 100, 50, 0));
    sys_parse(&s, clone_evt(t, 400, 500, 400, 400, 100, 0));
    sys_parse(&s, procexit_evt(t, 400, -1));
    e = fchmod_evt(t, 500, 7);
    sys_parse(&s, e);
    assert_int_equal(sys_u64(&s, e, "proc.ppid"), 100);
    assert_str(&s, e, "proc.pname", "bash");
    /* a reaper named by the event wins */
    sys_parse(&s, clone_evt(t, 500, 600, 500, 500, 100, 0));
    sys_parse(&s, procexit_evt(t, 500, 50));
    e = fchmod_evt(t, 600, 7);
    sys_parse(&s, e);
    assert_int_equal(sys_u64(&s, e, "proc.ppid"), 50);
    assert_str(&s, e, "proc.pname", "sshd");
    sys_close(&s);
    free(t);
}

/* A full table must not evict the creator of a clone it is describing. */
static void clone_into_full_table_keeps_creator(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    const ss_plugin_event *e;

    (void)state;
    sys_open(&s, "{\"thread_table_size\": 64}");
    /* the creator is the least recently seen thread of a full table */
    sys_parse(&s, thread_state(t, 100, 100, 1, "bash", "-bash", "/", "/usr/bin/bash", 0));
    for (int64_t tid = 2000; tid < 2063; tid++) {
        tev_begin(t, SKR_EVT_THREAD);
        tev_int(t, tid);
        tev_int(t, tid);
        tev_fill(t);
        sys_feed(&s, t, 20, 0);
    }
    assert_int_equal(sys_metric(&s, "n_threads"), 64);
    /* child side only (the parent's event was not seen) */
    e = clone_evt(t, 300, 0, 300, 300, 100, 0);
    sys_parse(&s, e);
    assert_str(&s, e, "proc.pname", "bash");
    assert_str(&s, e, "proc.name", "bash");
    /* a hostile clone naming the child as its own creator */
    e = clone_evt(t, 301, 0, 301, 301, 301, 0);
    sys_parse(&s, e);
    assert_int_equal(sys_u64(&s, e, "thread.tid"), 301);
    /* a hostile parent side returning the caller's own tid */
    e = clone_evt(t, 300, 300, 300, 300, 100, 0);
    sys_parse(&s, e);
    assert_str(&s, e, "proc.name", "bash");
    sys_close(&s);
    free(t);
}

/* ---- Configuration ------------------------------------------------------------------ */

static void expect_config_error(const char *config, const char *needle)
{
    ss_plugin_rc rc;
    ss_plugin_t *st = sys_init_cfg(config, NULL, &rc);
    const char *err;

    assert_non_null(st);
    assert_int_not_equal(rc, SS_PLUGIN_SUCCESS);
    err = plugin_get_last_error(st);
    assert_non_null(err);
    if (!strstr(err, needle)) {
        fail_msg("config %s: error \"%s\" does not mention \"%s\"", config, err, needle);
    }
    plugin_destroy(st);
}

static void config_validation(void **state)
{
    ss_plugin_rc rc;
    ss_plugin_t *st;

    (void)state;
    expect_config_error("{\"ring_size\": 4}", "ring_size");
    expect_config_error("{\"snaplen\": \"80\"}", "snaplen");
    expect_config_error("{\"snaplen\": 100000}", "snaplen");
    expect_config_error("{\"snaplen\": 1.5}", "snaplen");
    expect_config_error("{\"ringbuf_size_kb\": 3000}", "power of two");
    expect_config_error("{\"proc_scan\": 1}", "proc_scan");
    expect_config_error("[1,2]", "JSON object");
    expect_config_error("{not json", "JSON object");
    st = sys_init_cfg("{\"ringbuf_size_kb\": 1024, \"snaplen\": 0, \"proc_scan\": false, "
                      "\"capture_all\": true}",
                      NULL, &rc);
    assert_int_equal(rc, SS_PLUGIN_SUCCESS);
    plugin_destroy(st);
    st = sys_init_cfg("", NULL, &rc);
    assert_int_equal(rc, SS_PLUGIN_SUCCESS);
    plugin_destroy(st);
}

/* ---- The threads table ---------------------------------------------------------------- */

static ss_plugin_table_input g_table;
static int g_add_table_calls;

static ss_plugin_rc fake_add_table(ss_plugin_owner_t *o, const ss_plugin_table_input *in)
{
    (void)o;
    g_table = *in;
    g_add_table_calls++;
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_bool count_entry(ss_plugin_table_iterator_state_t *u, ss_plugin_table_entry_t *e)
{
    (void)e;
    (*(int *)u)++;
    return 1;
}

static void threads_table(void **state)
{
    ss_plugin_init_tables_input ti;
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    ss_plugin_table_reader_vtable_ext *r;
    ss_plugin_table_writer_vtable_ext *w;
    ss_plugin_table_fields_vtable_ext *fl;
    ss_plugin_table_field_t *f_comm, *f_tid, *f_pid, *f_args, *f_fds, *f_cid, *f_val, *f_name,
            *f_cwd;
    ss_plugin_table_entry_t *e, *tmp;
    ss_plugin_state_data key, out, in;
    ss_plugin_table_t *sub;
    const ss_plugin_event *ev;
    int n = 0;
    uint32_t nf;

    (void)state;
    memset(&ti, 0, sizeof(ti));
    ti.add_table = fake_add_table;
    sys_open_tables(&s, NULL, &ti);
    assert_int_equal(g_add_table_calls, 1);
    assert_string_equal(g_table.name, "threads");
    assert_int_equal(g_table.key_type, SS_PLUGIN_ST_INT64);
    r = g_table.reader_ext;
    w = g_table.writer_ext;
    fl = g_table.fields_ext;
    s.reader_ext = r;
    assert_string_equal(r->get_table_name(g_table.table), "threads");
    /* fields are obtained at init, before any entry exists */
    f_comm = fl->get_table_field(g_table.table, "comm", SS_PLUGIN_ST_STRING);
    f_pid = fl->get_table_field(g_table.table, "pid", SS_PLUGIN_ST_INT64);
    f_tid = fl->get_table_field(g_table.table, "tid", SS_PLUGIN_ST_INT64);
    assert_non_null(f_tid);
    f_args = fl->get_table_field(g_table.table, "args", SS_PLUGIN_ST_TABLE);
    f_fds = fl->get_table_field(g_table.table, "file_descriptors", SS_PLUGIN_ST_TABLE);
    f_cwd = fl->get_table_field(g_table.table, "cwd", SS_PLUGIN_ST_STRING);
    assert_non_null(f_comm);
    assert_non_null(f_pid);
    assert_non_null(f_args);
    assert_non_null(f_fds);
    assert_non_null(f_cwd);
    assert_null(fl->get_table_field(g_table.table, "comm", SS_PLUGIN_ST_UINT64));
    assert_null(fl->get_table_field(g_table.table, "nope", SS_PLUGIN_ST_STRING));
    /* subtable fields via a detached entry, the way plugins discover them at init */
    tmp = w->create_table_entry(g_table.table);
    assert_non_null(tmp);
    assert_int_equal(r->read_entry_field(g_table.table, tmp, f_args, &out), SS_PLUGIN_SUCCESS);
    f_val = fl->get_table_field(out.table, "value", SS_PLUGIN_ST_STRING);
    assert_non_null(f_val);
    assert_int_equal(r->read_entry_field(g_table.table, tmp, f_fds, &out), SS_PLUGIN_SUCCESS);
    f_name = fl->get_table_field(out.table, "name", SS_PLUGIN_ST_STRING);
    assert_non_null(f_name);
    w->destroy_table_entry(g_table.table, tmp);
    /* a dynamic field another plugin adds */
    f_cid = fl->add_table_field(g_table.table, "container_id", SS_PLUGIN_ST_STRING);
    assert_non_null(f_cid);
    assert_ptr_equal(fl->get_table_field(g_table.table, "container_id", SS_PLUGIN_ST_STRING),
                     f_cid);
    assert_non_null(fl->list_table_fields(g_table.table, &nf));
    assert_true(nf > 20);

    boot(&s);
    assert_int_equal(r->get_table_size(g_table.table), 4);
    assert_int_equal(
            r->iterate_entries(g_table.table, count_entry, (ss_plugin_table_iterator_state_t *)&n),
            1);
    assert_int_equal(n, 4);
    key.s64 = 101;
    e = r->get_table_entry(g_table.table, &key);
    assert_non_null(e);
    assert_int_equal(r->read_entry_field(g_table.table, e, f_comm, &out), SS_PLUGIN_SUCCESS);
    assert_string_equal(out.str, "bash");
    assert_int_equal(r->read_entry_field(g_table.table, e, f_pid, &out), SS_PLUGIN_SUCCESS);
    assert_int_equal(out.s64, 100);
    assert_int_equal(r->read_entry_field(g_table.table, e, f_cwd, &out), SS_PLUGIN_SUCCESS);
    assert_string_equal(out.str, "/home/u/");
    /* args subtable: keyed by index */
    assert_int_equal(r->read_entry_field(g_table.table, e, f_args, &out), SS_PLUGIN_SUCCESS);
    sub = out.table;
    assert_int_equal(r->get_table_size(sub), 2);
    key.u64 = 1;
    tmp = r->get_table_entry(sub, &key);
    assert_non_null(tmp);
    assert_int_equal(r->read_entry_field(sub, tmp, f_val, &out), SS_PLUGIN_SUCCESS);
    assert_string_equal(out.str, "-c");
    r->release_table_entry(sub, tmp);
    /* fd subtable: keyed by fd, shared by the threads of the process */
    assert_int_equal(r->read_entry_field(g_table.table, e, f_fds, &out), SS_PLUGIN_SUCCESS);
    sub = out.table;
    assert_int_equal(r->get_table_size(sub), 1);
    key.s64 = 7;
    tmp = r->get_table_entry(sub, &key);
    assert_non_null(tmp);
    assert_int_equal(r->read_entry_field(sub, tmp, f_name, &out), SS_PLUGIN_SUCCESS);
    assert_string_equal(out.str, "/var/log/auth.log");
    r->release_table_entry(sub, tmp);
    key.s64 = 8;
    assert_null(r->get_table_entry(sub, &key));
    /* the dynamic field: unset reads as empty, written values are copied */
    assert_int_equal(r->read_entry_field(g_table.table, e, f_cid, &out), SS_PLUGIN_SUCCESS);
    assert_string_equal(out.str, "");
    {
        char cid[] = "0123456789ab";
        in.str = cid;
        assert_int_equal(w->write_entry_field(g_table.table, e, f_cid, &in), SS_PLUGIN_SUCCESS);
        cid[0] = 'X';
    }
    assert_int_equal(r->read_entry_field(g_table.table, e, f_cid, &out), SS_PLUGIN_SUCCESS);
    assert_string_equal(out.str, "0123456789ab");
    /* the key is read-only; comm is writable, as in Falco's thread table */
    in.s64 = 5;
    assert_int_not_equal(w->write_entry_field(g_table.table, e, f_tid, &in), SS_PLUGIN_SUCCESS);
    in.str = "renamed";
    assert_int_equal(w->write_entry_field(g_table.table, e, f_comm, &in), SS_PLUGIN_SUCCESS);
    r->release_table_entry(g_table.table, e);
    ev = fchmod_evt(t, 101, 7);
    sys_parse(&s, ev);
    assert_str(&s, ev, "proc.name", "renamed");
    assert_int_equal(sys_u64(&s, ev, "thread.tid"), 101);
    /* missing keys */
    key.s64 = 999999;
    assert_null(r->get_table_entry(g_table.table, &key));
    sys_close(&s);
    free(t);
}

/* The results of one event stay valid while the event's other fields are extracted (the
 * host reads them in place), and the next event starts afresh. */
uint32_t plugin_get_extract_lifetime(ss_plugin_t *st);

static void results_last_the_event(void **state)
{
    struct sys s;
    struct tev *t = malloc(sizeof(*t));
    const ss_plugin_event *e;
    ss_plugin_extract_field name, dir, pname, cmd;
    const char *name_p, *dir_p, *pname_p;

    (void)state;
    sys_open(&s, NULL);
    assert_int_equal(plugin_get_extract_lifetime(s.st), SAKER_EXTRACT_LIFETIME_EVENT);
    boot(&s);
    e = fchmod_evt(t, 101, 7);
    sys_parse(&s, e);
    assert_int_equal(sys_extract(&s, e, "fd.name", &name), 1);
    name_p = name.res.str[0];
    assert_int_equal(sys_extract(&s, e, "fd.directory", &dir), 1);
    dir_p = dir.res.str[0];
    assert_int_equal(sys_extract(&s, e, "proc.pname", &pname), 1);
    pname_p = pname.res.str[0];
    for (int i = 0; i < 200; i++) { /* enough copies to need new store blocks */
        assert_int_equal(sys_extract(&s, e, "proc.cmdline", &cmd), 1);
    }
    assert_ptr_equal(name.res.str[0], name_p);
    assert_string_equal(name_p, "/var/log/auth.log");
    assert_string_equal(dir_p, "/var/log");
    assert_string_equal(pname_p, "sshd");
    /* another event: the earlier results are given up, new ones are right */
    e = fchmod_evt(t, 101, 7);
    sys_parse(&s, e);
    assert_int_equal(sys_extract(&s, e, "fd.directory", &dir), 1);
    assert_string_equal(dir.res.str[0], "/var/log");
    sys_close(&s);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_events_build_the_tree),
        cmocka_unit_test(results_last_the_event),
        cmocka_unit_test(process_life_cycle),
        cmocka_unit_test(threads_share_fds),
        cmocka_unit_test(sockets_and_tuples),
        cmocka_unit_test(unknown_threads_get_placeholders),
        cmocka_unit_test(bad_events_are_counted),
        cmocka_unit_test(table_size_is_bounded),
        cmocka_unit_test(clone_into_full_table_keeps_creator),
        cmocka_unit_test(orphans_are_reparented),
        cmocka_unit_test(config_validation),
        cmocka_unit_test(threads_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
