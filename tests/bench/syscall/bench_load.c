/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Workloads for the syscall source benchmarks. Each prints one JSON line.
 *
 *   bench_load openclose N PATH
 *       N open(PATH, O_RDONLY) + close pairs, timed.
 *   bench_load storm WORKERS SECONDS RATE
 *       WORKERS processes, one per CPU in turn, each looping dup(pipe fd) +
 *       close(dup) for SECONDS; RATE > 0 paces each worker to RATE loops per
 *       second, 0 runs flat out. Reports the loops done (2 syscalls each).
 *   bench_load spawn N PARALLEL
 *       N short-lived processes (fork + _exit), PARALLEL alive at a time.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int openclose(long n, const char *path)
{
    uint64_t t0 = now_ns(), t1;

    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "open %s: %s\n", path, strerror(errno));
            return 1;
        }
        close(fd);
    }
    t1 = now_ns();
    printf("{\"mode\":\"openclose\",\"pairs\":%ld,\"ns\":%" PRIu64 "}\n", n, t1 - t0);
    return 0;
}

static uint64_t storm_worker(int cpu, double seconds, uint64_t rate)
{
    cpu_set_t set;
    int p[2];
    uint64_t loops = 0, t0, end;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
    if (pipe(p) < 0) {
        return 0;
    }
    t0 = now_ns();
    end = t0 + (uint64_t)(seconds * 1e9);
    for (;;) {
        for (int k = 0; k < 256; k++) {
            int fd = dup(p[0]);
            if (fd >= 0) {
                close(fd);
            }
        }
        loops += 256;
        uint64_t t = now_ns();
        if (t >= end) {
            break;
        }
        if (rate) {
            /* paced: wait until this many loops are due */
            uint64_t due = t0 + loops * 1000000000ull / rate;
            while (now_ns() < due) {
            }
        }
    }
    return loops;
}

static int storm(int workers, double seconds, uint64_t rate)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t *counts = mmap(NULL, sizeof(uint64_t) * (size_t)workers, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    uint64_t total = 0, t0 = now_ns(), t1;

    if (counts == MAP_FAILED) {
        return 1;
    }
    for (int i = 0; i < workers; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            counts[i] = storm_worker((int)(i % (ncpu > 0 ? ncpu : 1)), seconds, rate);
            _exit(0);
        }
        if (pid < 0) {
            return 1;
        }
    }
    while (wait(NULL) > 0) {
    }
    t1 = now_ns();
    for (int i = 0; i < workers; i++) {
        total += counts[i];
    }
    printf("{\"mode\":\"storm\",\"workers\":%d,\"loops\":%" PRIu64 ",\"syscalls\":%" PRIu64
           ",\"ns\":%" PRIu64 "}\n",
           workers, total, 2 * total, t1 - t0);
    return 0;
}

static int spawn(long n, long par)
{
    long alive = 0, started = 0;
    uint64_t t0 = now_ns(), t1;

    while (started < n || alive > 0) {
        while (started < n && alive < par) {
            pid_t pid = fork();
            if (pid == 0) {
                _exit(0);
            }
            if (pid < 0) {
                break;
            }
            started++;
            alive++;
        }
        if (wait(NULL) > 0) {
            alive--;
        } else if (started >= n) {
            break;
        }
    }
    t1 = now_ns();
    printf("{\"mode\":\"spawn\",\"processes\":%ld,\"ns\":%" PRIu64 "}\n", started, t1 - t0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "openclose") == 0) {
        return openclose(atol(argv[2]), argv[3]);
    }
    if (argc == 5 && strcmp(argv[1], "storm") == 0) {
        return storm(atoi(argv[2]), atof(argv[3]), strtoull(argv[4], NULL, 10));
    }
    if (argc == 4 && strcmp(argv[1], "spawn") == 0) {
        return spawn(atol(argv[2]), atol(argv[3]));
    }
    fprintf(stderr, "usage: bench_load openclose N PATH | storm WORKERS SECONDS RATE | "
                    "spawn N PARALLEL\n");
    return 2;
}
