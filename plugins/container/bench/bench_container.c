/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Speed of the container plugin's per-event work, against the in-process
 * threads table of tests/mock_host.c (its own cost is included and small:
 * 8 threads). Prints one JSON line per measure: the median ns/op of RUNS
 * runs of ITERS operations, with the spread.
 *
 *   container_bench [iters]
 *
 *   extract_id_host       container.id of a host thread, a new event each time
 *   extract_id_container  container.id of a container thread, a new event each time
 *   extract_second_field  container.image.repository after container.id, same event
 *   parse_execve          execve exit: cgroups read, matched (cached), id written
 *   match_path_uncached   one cgroup path through every matcher, no cache
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "plugin.h"
#include "tests/mock_host.h"

ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc);
void plugin_destroy(ss_plugin_t *s);
ss_plugin_rc plugin_parse_event(ss_plugin_t *s,
                                const ss_plugin_event_input *ev,
                                const ss_plugin_event_parse_input *in);
ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                   const ss_plugin_event_input *evt,
                                   const ss_plugin_field_extract_input *in);
ss_plugin_rc plugin_capture_open(ss_plugin_t *s, const ss_plugin_capture_listen_input *in);

#define RUNS 7
#define ID64 "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return x < y ? -1 : x > y;
}

struct ctx {
    struct mock_host *h;
    ss_plugin_t *p;
    uint64_t evtnum;
    uint8_t evt_host[64];
    uint8_t evt_ctr[64];
    uint8_t evt_exec[64];
};

typedef void (*op_fn)(struct ctx *c, long iters);

/* Set when an operation did not do what it measures; main then fails. */
static bool failed;

static void extract_field(struct ctx *c, void *evt, uint64_t evtnum, enum ctr_field id)
{
    ss_plugin_extract_field f;
    ss_plugin_event_input in = { .evt = evt, .evtnum = evtnum, .evtsrc = "syscall" };
    ss_plugin_field_extract_input ein;

    memset(&f, 0, sizeof(f));
    f.field_id = id;
    f.field = ctr_fields[id].name;
    f.ftype = ctr_fields[id].type;
    ein = mock_host_extract_input(c->h, &f, 1);
    if (plugin_extract_fields(c->p, &in, &ein) != SS_PLUGIN_SUCCESS || f.res_len != 1) {
        fprintf(stderr, "bench: extraction of %s failed\n", f.field);
        failed = true;
    }
}

static void op_extract_host(struct ctx *c, long iters)
{
    for (long i = 0; i < iters; i++) {
        extract_field(c, c->evt_host, ++c->evtnum, F_CONTAINER_ID);
    }
}

static void op_extract_container(struct ctx *c, long iters)
{
    for (long i = 0; i < iters; i++) {
        extract_field(c, c->evt_ctr, ++c->evtnum, F_CONTAINER_ID);
    }
}

static void op_second_field(struct ctx *c, long iters)
{
    extract_field(c, c->evt_ctr, ++c->evtnum, F_CONTAINER_ID);
    for (long i = 0; i < iters; i++) {
        extract_field(c, c->evt_ctr, c->evtnum, F_CONTAINER_IMAGE_REPOSITORY);
    }
}

static void op_parse_execve(struct ctx *c, long iters)
{
    for (long i = 0; i < iters; i++) {
        ss_plugin_event_input in = { .evt = (void *)c->evt_exec,
                                     .evtnum = ++c->evtnum,
                                     .evtsrc = "syscall" };
        plugin_parse_event(c->p, &in, mock_host_parse_input(c->h));
    }
}

static void op_match_uncached(struct ctx *c, long iters)
{
    static const char *paths[] = {
        "/system.slice/docker-" ID64 ".scope",
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/"
        "cri-containerd-" ID64 ".scope",
        "/user.slice/user-1000.slice/session-2.scope",
        "/",
    };
    struct ctr_match m;
    long hits = 0;

    for (long i = 0; i < iters; i++) {
        const char *p = paths[i & 3];
        hits += ctr_match_path(0x7f, p, strlen(p), &m);
    }
    if (hits == 0) {
        failed = true;
    }
}

static void measure(struct ctx *c, const char *name, op_fn fn, long iters)
{
    double ns[RUNS];

    fn(c, iters / 10 + 1); /* warm up */
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = now_ns();
        fn(c, iters);
        ns[r] = (double)(now_ns() - t0) / (double)iters;
    }
    qsort(ns, RUNS, sizeof(ns[0]), cmp_double);
    printf("{\"bench\":\"container.%s\",\"median_ns_per_op\":%.1f,\"min_ns\":%.1f,\"max_ns\":%.1f,"
           "\"runs\":%d,\"iters\":%ld}\n",
           name, ns[RUNS / 2], ns[0], ns[RUNS - 1], RUNS, iters);
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    struct ctx c;
    ss_plugin_rc rc;
    const char *json = "{\"container\":{\"id\":\"3ad7b26ded6d\",\"name\":\"web\",\"image\":"
                       "\"nginx:1.25\",\"imagerepo\":\"nginx\"}}";
    uint8_t abuf[1024];

    memset(&c, 0, sizeof(c));
    c.h = mock_host_new();
    c.p = plugin_init(mock_host_init_input(c.h, "{\"engines\":{\"docker\":{\"enabled\":true,"
                                                "\"sockets\":[\"/nonexistent.sock\"]},\"podman\":"
                                                "{\"enabled\":false,\"sockets\":[]}}}"),
                      &rc);
    if (rc != SS_PLUGIN_SUCCESS) {
        fprintf(stderr, "bench: plugin_init failed\n");
        return 1;
    }
    for (int t = 1; t <= 8; t++) {
        struct mock_thread *th = mock_thread_add(c.h, t, t, 1, t, t, "/bin/sh");
        mock_thread_add_cgroup(th, "cpuset", "/");
        mock_thread_add_cgroup(th, "cpu",
                               t <= 4 ? "/user.slice/user-1000.slice/session-2.scope"
                                      : "/system.slice/docker-" ID64 ".scope");
    }
    plugin_capture_open(c.p, mock_host_capture_input(c.h));
    {
        ss_plugin_event_input in = { .evt = mock_evt_async(abuf, sizeof(abuf), "container", json),
                                     .evtnum = ++c.evtnum,
                                     .evtsrc = "syscall" };
        plugin_parse_event(c.p, &in, mock_host_parse_input(c.h));
    }
    mock_evt_res(c.evt_host, sizeof(c.evt_host), 306, 1, 3, 3);
    mock_evt_res(c.evt_ctr, sizeof(c.evt_ctr), 306, 1, 7, 3);
    mock_evt_res(c.evt_exec, sizeof(c.evt_exec), 293, 1, 7, 0);
    printf("{\"bench\":\"container.setup\",\"command\":\"container_bench %ld\",\"threads\":8,"
           "\"note\":\"mock threads table; median of %d runs\"}\n",
           iters, RUNS);
    measure(&c, "extract_id_host", op_extract_host, iters);
    measure(&c, "extract_id_container", op_extract_container, iters);
    measure(&c, "extract_second_field", op_second_field, iters);
    measure(&c, "parse_execve", op_parse_execve, iters);
    measure(&c, "match_path_uncached", op_match_uncached, iters);
    plugin_destroy(c.p);
    mock_host_free(c.h);
    return failed ? 1 : 0;
}
