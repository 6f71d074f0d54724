#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Syscall source benchmarks: saker with the syscall and container plugins and
the upstream falco_rules.yaml, live (root, eBPF). Prints one self-describing
JSON line per scenario, figures as medians of several runs and ratios.

  openclose  2,000,000 open+close pairs timed without saker and with saker, in
             the same run, alternating: slowdown ratio (of the medians, pairwise
             and of the fastest runs), saker's CPU seconds per workload run,
             events and dropped events (goals: <= 1.25x, <= 1 s, 0 drops).
  storm      dup+close of a pipe on every core, flat out then paced down until
             no event is dropped: the events/s saker sustains (goal >= 3M/s),
             each storm starting --settle seconds after saker's source.
  rss        saker's resident memory with the rules loaded and idle, then after
             100,000 short-lived processes, twice (goal <= 20 MB, no growth).

Run: ctest --test-dir BUILD -R bench_syscall -V
 or: SAKER_BIN=... SAKER_BUILD_DIR=... SAKER_PLUGINS_DIR=... SAKER_SOURCE_DIR=... \\
     python3 tests/bench/syscall/bench_syscall.py [--only openclose,storm,rss] [--runs N]
         [--pairs N] [--processes N] [--ringbuf-kb N]
"""
import argparse
import atexit
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import sakertest as st

ap = argparse.ArgumentParser()
ap.add_argument("--only", default="openclose,storm,rss")
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--pairs", type=int, default=2_000_000)
ap.add_argument("--processes", type=int, default=100_000)
ap.add_argument("--storm-seconds", type=float, default=4.0)
ap.add_argument("--storm-steps", type=int, default=6)
ap.add_argument("--settle", type=float, default=2.0, help="seconds between saker's start and a storm")
ap.add_argument("--ringbuf-kb", type=int, default=0, help="syscall init_config ringbuf_size_kb")
args = ap.parse_args()

st.require_root()
LOAD = os.path.join(st.build_dir(), "tests", "bench", "syscall", "bench_load")
RULES = os.path.join(st.corpus_dir("rules"), "falco_rules.yaml")
TICK = os.sysconf("SC_CLK_TCK")
WORK = tempfile.mkdtemp(prefix="saker-bench-syscall-")
MACHINE = {"cpus": os.cpu_count(), "kernel": platform.release(),
           "cpu": platform.processor() or platform.machine()}


def config():
    cfg = os.path.join(WORK, "saker.yaml")
    init = f"init_config: {{ringbuf_size_kb: {args.ringbuf_kb}}}" if args.ringbuf_kb else ""
    with open(cfg, "w") as f:
        f.write(f"""plugins_dir: {st.plugins_dir()}
plugins:
  - name: syscall
    library_path: libsyscall.so
    {init}
  - name: container
    library_path: libcontainer.so
load_plugins: [syscall, container]
rules_files: [{RULES}]
json_output: true
stdout_output: {{enabled: true}}
metrics: {{enabled: true, interval: 1s, output_file: {os.path.join(WORK, "metrics.json")}}}
""")
    return cfg


def snapshots():
    path = os.path.join(WORK, "metrics.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line)["saker_metrics"] for line in f if line.startswith("{")]


LIVE = []


@atexit.register
def _stop_leftovers():
    for p in LIVE:
        if p.poll() is None:
            p.kill()
            p.wait()


class Saker:
    def __init__(self):
        metrics = os.path.join(WORK, "metrics.json")
        if os.path.exists(metrics):
            os.unlink(metrics)
        self.err = open(os.path.join(WORK, "saker.err"), "w")
        self.p = subprocess.Popen([st.saker_bin(), "-c", config()], stdout=subprocess.DEVNULL,
                                  stderr=self.err)
        LIVE.append(self.p)
        # running: the first snapshot shows the starting-state events of the open source
        try:
            st.wait_for(lambda: self.p.poll() is not None or any(
                s["sources"].get("syscall", {}).get("events", 0) > 0 for s in snapshots()),
                timeout=60, what="saker's syscall source to start")
        except AssertionError:
            self.p.kill()
            self.p.wait()
            raise
        if self.p.poll() is not None:
            raise SystemExit(f"saker exited {self.p.returncode}: "
                             f"{open(self.err.name).read()[-2000:]}")

    def cpu_s(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_mb(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        """Stops saker; returns (total CPU seconds, final metrics)."""
        self.p.send_signal(signal.SIGINT)
        _, status, ru = os.wait4(self.p.pid, 0)
        self.p.returncode = os.waitstatus_to_exitcode(status)
        self.err.close()
        final = [s for s in snapshots() if s.get("final")]
        return ru.ru_utime + ru.ru_stime, (final[-1] if final else {})


def syscall_metrics(m):
    s = m.get("sources", {}).get("syscall", {})
    return s.get("events", 0), s.get("source_drops", 0)


def load(*a):
    """Runs a workload; its JSON line, plus its own CPU seconds (user + system) as "cpu_s"."""
    p = subprocess.Popen([LOAD] + [str(x) for x in a], stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{LOAD} {a} failed: {out}")
    res = json.loads(out.strip().splitlines()[-1])
    res["cpu_s"] = ru.ru_utime + ru.ru_stime
    return res


def openclose():
    """Runs without and with saker alternate, so that both see the same machine: on a
    shared VM the speed of the same loop drifts by tens of percent over a minute."""
    target = os.path.join(WORK, "target.txt")
    with open(target, "w") as f:
        f.write("x")
    base, with_saker = [], []
    cpu_workload = cpu_total = 0.0
    events = drops = 0
    for _ in range(args.runs):
        base.append(load("openclose", args.pairs, target))
        sk = Saker()
        cpu0 = sk.cpu_s()
        with_saker.append(load("openclose", args.pairs, target))
        cpu, final = sk.stop()
        cpu_workload += cpu - cpu0
        cpu_total += cpu
        e, d = syscall_metrics(final)
        events += e
        drops += d
    cpu_workload /= args.runs
    b = statistics.median(r["ns"] for r in base)
    w = statistics.median(r["ns"] for r in with_saker)
    bc = statistics.median(r["cpu_s"] for r in base)
    wc = statistics.median(r["cpu_s"] for r in with_saker)
    pairs = [x["ns"] / y["ns"] for x, y in zip(with_saker, base)]
    return {"bench": "syscall_openclose", "pairs": args.pairs, "runs": args.runs,
            "baseline_ms_median": round(b / 1e6, 1), "with_saker_ms_median": round(w / 1e6, 1),
            "slowdown": round(w / b, 3),
            # each run with saker against the run without it just before
            "slowdown_pairwise_median": round(statistics.median(pairs), 3),
            # the fastest of each: the cost with the least interference from the machine
            "slowdown_min": round(min(r["ns"] for r in with_saker) /
                                  min(r["ns"] for r in base), 3),
            # the workload's own CPU time: the driver's cost, without waiting for a busy CPU
            "workload_cpu_s_baseline": round(bc, 3), "workload_cpu_s_with_saker": round(wc, 3),
            "workload_cpu_slowdown": round(wc / bc, 3),
            "saker_cpu_s_per_run": round(cpu_workload, 3),
            "saker_cpu_s_total": round(cpu_total, 3),
            "events": events, "dropped": drops,
            "goals": {"slowdown": 1.25, "saker_cpu_s": 1.0, "dropped": 0}}


def storm_once(rate):
    sk = Saker()
    # steady state: the starting-state events and the first laps of the rings (page faults
    # on the consumer's side) are behind it
    time.sleep(args.settle)
    r = load("storm", os.cpu_count(), args.storm_seconds, rate)
    _, final = sk.stop()
    events, drops = syscall_metrics(final)
    return r["syscalls"] / (r["ns"] / 1e9), events, drops


def storm():
    """Flat out first; then a binary search on the paced rate for the highest without drops."""
    tried = []
    eps, events, drops = storm_once(0)
    tried.append({"rate_per_worker": 0, "events_per_s": round(eps), "dropped": drops})
    best = eps if drops == 0 else None
    lo, hi = 0.0, eps / 2 / os.cpu_count()  # loops (2 syscalls) per second per worker
    for _ in range(0 if best else args.storm_steps):
        mid = (lo + hi) / 2
        eps, events, drops = storm_once(int(mid))
        tried.append({"rate_per_worker": int(mid), "events_per_s": round(eps), "dropped": drops})
        if drops == 0:
            lo = mid
            best = max(best or 0, eps)
        else:
            hi = mid
    return {"bench": "syscall_storm", "workers": os.cpu_count(), "seconds": args.storm_seconds,
            "sustained_events_per_s": round(best) if best else None, "steps": tried,
            "goal_events_per_s": 3_000_000}


def rss():
    sk = Saker()
    idle = sk.rss_mb()
    after = []
    for _ in range(2):
        load("spawn", args.processes, 32)
        after.append(round(sk.rss_mb(), 1))
    _, final = sk.stop()
    events, drops = syscall_metrics(final)
    return {"bench": "syscall_rss", "rss_mb_rules_loaded": round(idle, 1),
            "rss_mb_after_each_spawn_round": after, "processes_per_round": args.processes,
            "events": events, "dropped": drops, "goal_rss_mb": 20}


def main():
    if not os.path.exists(LOAD):
        print(f"FAIL: {LOAD} is not built (target bench_load)")
        sys.exit(1)
    others = subprocess.run(["pgrep", "-x", "saker"], capture_output=True, text=True).stdout.split()
    if others:
        print(f"note: other saker processes are running ({' '.join(others)}): figures are not "
              "those of a quiet machine", flush=True)
    for name in args.only.split(","):
        load_before = os.getloadavg()[0]
        res = {"openclose": openclose, "storm": storm, "rss": rss}[name]()
        res["machine"] = dict(MACHINE, loadavg_1m_before=round(load_before, 2),
                              loadavg_1m_after=round(os.getloadavg()[0], 2))
        res["command"] = " ".join(sys.argv)
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
