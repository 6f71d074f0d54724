#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Output sink throughput: alerts/s through each sink to a local receiver.

The counter test source emits N events and one rule matches every one, so saker raises N JSON
alerts (about 300 bytes each). Each scenario enables one sink (stdout_output off unless it is the
one measured), with a blocking queue so no alert is dropped, and runs saker to completion: saker
exits only when every sink has delivered what was queued, so N / wall time is the end-to-end
rate, start-up included. The receiver (output_bench_recv, or a file, or a pipe) counts what
arrives; a run fails unless the sink's account says every alert was delivered and the receiver
got them all (a datagram transport reports what the kernel dropped instead). The file to
/dev/null scenario is the baseline: source, rules and queue with no sink work.

Prints one self-describing JSON line per scenario: median alerts/s over the runs, every run's
figure, the receiver-side rate (first to last alert received), the command and the machine.

Run: ctest --test-dir BUILD -R bench_output -V
 or: SAKER_BIN=BUILD/core/saker SAKER_BUILD_DIR=BUILD SAKER_PLUGINS_DIR=BUILD/plugins-out \\
     SAKER_SOURCE_DIR=. PYTHONPATH=tests/lib python3 tests/bench/output/bench_output.py \\
     [--alerts N] [--runs N] [--only SUBSTRING]
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import sakertest

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
ap.add_argument("--alerts", type=int, default=200_000, help="alerts per run (default 200000)")
ap.add_argument("--runs", type=int, default=3, help="runs per scenario (default 3)")
ap.add_argument("--only", default="", help="run only scenarios whose name contains this")
args = ap.parse_args()

build = sakertest.build_dir()
recv_bin = os.path.join(build, "tests", "bench", "output", "output_bench_recv")
counter = os.path.join(build, "fixture-plugins", "libcounter.so")
for p in (recv_bin, counter):
    if not os.path.exists(p):
        print(f"FAIL: {p} is not built (targets output_bench_recv, saker_fixture_plugins)")
        sys.exit(1)

work = tempfile.mkdtemp(prefix="saker-bench-output-")
rules = os.path.join(work, "all.yaml")
with open(rules, "w") as f:
    f.write("""- rule: Every counter event
  desc: one alert per event
  condition: counter.n > 0
  output: shell in container n=%counter.n text=%counter.text ip=%counter.ip tags=%counter.tags
  priority: WARNING
  source: counter
  tags: [bench, output]
""")


def config(n, sink_yaml, stdout=False):
    path = os.path.join(work, "bench.yaml")
    with open(path, "w") as f:
        f.write(f"""plugins_dir: {sakertest.plugins_dir()}
rules_files: []
json_output: true
stdout_output: {{enabled: {'true' if stdout else 'false'}}}
outputs_queue: {{capacity: 65536, policy: block, block_timeout: 60s, drain_timeout: 600s}}
plugins:
  - name: counter
    library_path: {counter}
    init_config: {{count: {n}, batch: 1024}}
{sink_yaml}""")
    return path


class Receiver:
    def __init__(self, mode, n, path=None):
        argv = [recv_bin, "--mode", mode, "--expect", str(n), "--idle-ms", "3000"]
        if path:
            argv += ["--path", path]
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        self.hello = json.loads(self.p.stdout.readline())

    def result(self):
        out, _ = self.p.communicate(timeout=600)
        return json.loads(out.strip().splitlines()[-1])


def lines_in(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


# Each scenario: (name, sink name in the metrics, alerts, setup) where setup(n) returns
# (sink yaml, receiver or None, stdout to a file?, count_fn for file-like receivers or None).
def file_scenario(fsync, target=None):
    def setup(n):
        path = target or os.path.join(work, "events.json")
        if target is None and os.path.exists(path):
            os.unlink(path)
        y = (f"file_output: {{enabled: true, keep_alive: true, fsync: {fsync}, "
             f"filename: {path}}}\n")
        return y, None, False, (None if target else (lambda: lines_in(path)))
    return setup


def syslog_scenario(transport):
    def setup(n):
        if transport == "local":
            sock = os.path.join(work, "log.sock")
            if os.path.exists(sock):
                os.unlink(sock)
            r = Receiver("unix", n, sock)
            y = f"syslog_output: {{enabled: true, transport: local, socket: {sock}}}\n"
        else:
            r = Receiver(transport, n)
            y = (f"syslog_output: {{enabled: true, transport: {transport}, host: 127.0.0.1, "
                 f"port: {r.hello['port']}}}\n")
        return y, r, False, None
    return setup


def http_scenario(batch):
    def setup(n):
        r = Receiver("http", n)
        y = (f"http_output: {{enabled: true, url: 'http://127.0.0.1:{r.hello['port']}/', "
             f"batch_size: {batch}}}\n")
        return y, r, False, None
    return setup


def program_scenario(keep_alive):
    def setup(n):
        path = os.path.join(work, "program.out")
        if os.path.exists(path):
            os.unlink(path)
        y = (f"program_output: {{enabled: true, keep_alive: {'true' if keep_alive else 'false'}, "
             f"program: 'cat >> {path}'}}\n")
        return y, None, False, (lambda: lines_in(path))
    return setup


def stdout_setup(n):
    return "", None, True, None


N = args.alerts
SCENARIOS = [
    ("baseline: file to /dev/null", "file", N, file_scenario("never", "/dev/null")),
    ("stdout (to a file)", "stdout", N, stdout_setup),
    ("file, fsync never", "file", N, file_scenario("never")),
    ("file, fsync flush", "file", N, file_scenario("flush")),
    ("syslog, local socket", "syslog", N, syslog_scenario("local")),
    ("syslog, udp", "syslog", N, syslog_scenario("udp")),
    ("syslog, tcp", "syslog", N, syslog_scenario("tcp")),
    ("http, batch_size 1", "http", N, http_scenario(1)),
    ("http, batch_size 64", "http", N, http_scenario(64)),
    ("program, keep_alive", "program", N, program_scenario(True)),
    ("program, one run per alert", "program", max(1, N // 100), program_scenario(False)),
]

failed = False
for name, sink, n, setup in SCENARIOS:
    if args.only and args.only not in name:
        continue
    rates = []
    recv_rates = []
    lost_at_receiver = []
    argv = None
    for _ in range(args.runs):
        sink_yaml, recv, to_file, count_fn = setup(n)
        cfg = config(n, sink_yaml, stdout=to_file)
        argv = [sakertest.saker_bin(), "-c", cfg, "-r", rules]
        out_path = os.path.join(work, "stdout.json")
        with open(out_path, "w") as out:
            t0 = time.monotonic()
            p = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, text=True, timeout=900)
            wall = time.monotonic() - t0
        m = None
        for o in sakertest.json_lines(p.stderr):
            if "saker_metrics" in o:
                m = o["saker_metrics"]
        res = recv.result() if recv else None
        if p.returncode != 0 or m is None:
            print(f"FAIL: {name}: exit {p.returncode}\n{p.stderr[-2000:]}")
            failed = True
            break
        s = m["outputs"]["sinks"][sink]
        if m["rules"]["matches"] != n or s["delivered"] != n:
            print(f"FAIL: {name}: {m['rules']['matches']} alerts emitted, {n} expected; "
                  f"sink account {s}")
            failed = True
        if res is not None:
            got = res["received"]
            if res["last_ns"] > res["first_ns"]:
                recv_rates.append(got / ((res["last_ns"] - res["first_ns"]) / 1e9))
        elif to_file:
            got = lines_in(out_path)
        elif count_fn is not None:
            got = count_fn()
        else:
            got = s["delivered"]
        if got != s["delivered"]:
            if sink == "syslog" and ("udp" in name or "local" in name):
                lost_at_receiver.append(s["delivered"] - got)  # datagrams the kernel dropped
            else:
                print(f"FAIL: {name}: the receiver got {got}, the sink delivered {s['delivered']}")
                failed = True
        rates.append(n / wall)
    if rates:
        line = {
            "bench": "output", "scenario": name, "sink": sink, "alerts": n, "runs": len(rates),
            "alerts_per_s_median": round(statistics.median(rates)),
            "alerts_per_s_runs": [round(r) for r in rates],
            "measured": "alerts / saker wall time (start-up to the last alert delivered)",
        }
        if recv_rates:
            line["receiver_alerts_per_s_median"] = round(statistics.median(recv_rates))
        if lost_at_receiver:
            line["dropped_by_kernel_runs"] = lost_at_receiver
        line.update({"command": " ".join(argv), "cpus": os.cpu_count(),
                     "machine": platform.machine(), "sanitized": sakertest.sanitized()})
        print(json.dumps(line), flush=True)

shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failed else 0)
