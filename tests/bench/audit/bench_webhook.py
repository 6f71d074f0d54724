#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Load test of the k8saudit webhook on loopback.

A separate load generator (audit_loadgen) posts `--rate` requests/s of
`--batch`-event audit batches for `--seconds`; the engine reads the webhook
and evaluates every event. The run fails unless every event answered 200 was
counted in by the engine. Prints one self-describing JSON line per run and
one with the medians.

Engines: "plughost" (the ABI-only host: the k8saudit and json plugins, eight
fields that upstream rules read extracted from every event) or "saker" (the
saker binary with the upstream k8s_audit_rules.yaml).

    bench_webhook.py [--rate 1000] [--seconds 60] [--batch 10] [--runs 1]
                     [--engine auto|plughost|saker] [--connections 64]
"""
import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import sakertest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "conformance", "audit"))
import common  # noqa: E402
import replay  # noqa: E402

FIELDS = ["ka.verb", "ka.user.name", "ka.target.resource", "ka.target.namespace",
          "jevt.value[/stage]", "ka.uri", "ka.response.code", "ka.auth.decision"]


def loadgen():
    return os.path.join(sakertest.build_dir(), "tests", "bench", "audit", "audit_loadgen")


class PlugHost:
    name = "plughost"

    def __init__(self, work):
        self.err_path = os.path.join(work, "engine.err")
        args = common.host_args([("k8saudit", json.dumps({"webhookQueueMaxEvents": 200000})),
                                 ("json", None)])
        args += ["--open", "http://127.0.0.1:0/k8s-audit", "--count"]
        for f in FIELDS:
            args += ["--field", f]
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err, text=True)
        self.url = sakertest.wait_for(self._url, timeout=30, what="webhook to listen")

    def _url(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"engine exited: {open(self.err_path).read()}")
        m = re.search(r"webhook listening on (\S+)", open(self.err_path).read())
        return m.group(1) if m else None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=120)
        for line in out.splitlines():
            if line.startswith('{"summary"'):
                s = json.loads(line)["summary"]
                return {"events_counted": s["events"],
                        "events_queued": s["metrics"]["k8saudit.webhook_events_queued"],
                        "events_discarded": s["metrics"]["k8saudit.webhook_events_discarded_at_close"]}
        raise AssertionError("engine printed no summary")


class Saker:
    """The saker binary reading the webhook with the upstream k8s audit rules."""
    name = "saker"

    def __init__(self, work):
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.url = f"http://127.0.0.1:{self.port}/k8s-audit"
        cfg = os.path.join(work, "saker.yaml")
        lines = replay.plugins_config([("k8saudit", json.dumps({"webhookQueueMaxEvents": 200000})),
                                       ("json", None)], open_params=self.url)
        self.metrics_path = os.path.join(work, "metrics.jsonl")
        lines += ["rules_files: [%s]" % sakertest.corpus_dir("rules/k8s_audit_rules.yaml"),
                  "json_output: true", "stdout_output:", "  enabled: true",
                  "metrics:", "  enabled: true", "  interval: 1s",
                  f"  output_file: {self.metrics_path}"]
        with open(cfg, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.err_path = os.path.join(work, "engine.err")
        self.out_path = os.path.join(work, "engine.out")
        self.err = open(self.err_path, "w")
        self.out = open(self.out_path, "w")
        self.proc = subprocess.Popen([sakertest.saker_bin(), "-c", cfg] + replay.saker_args(),
                                     stdout=self.out, stderr=self.err)
        sakertest.wait_for(self._listening, timeout=60, what="saker's webhook to listen")

    def _listening(self):
        import socket
        if self.proc.poll() is not None:
            raise AssertionError(f"saker exited: {open(self.err_path).read()}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def counted(self):
        """Events of k8s_audit saker has evaluated, from its last periodic metrics line."""
        n = 0
        if os.path.exists(self.metrics_path):
            for line in open(self.metrics_path):
                if line.startswith('{"saker_metrics"') and line.endswith("\n"):
                    n = json.loads(line)["saker_metrics"]["sources"]["k8s_audit"]["events"]
        return n

    def wait_counted(self, n):
        """saker reads the webhook's queue after the load ends: wait until it has all."""
        sakertest.wait_for(lambda: self.counted() >= n, timeout=300,
                           what=f"saker to evaluate {n} events")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        self.out.close()
        self.err.close()
        text = open(self.out_path).read() + open(self.err_path).read()
        metrics = open(self.metrics_path).read() if os.path.exists(self.metrics_path) else ""
        counted = discarded = None
        for line in (text + "\n" + metrics).splitlines():
            if line.startswith('{"saker_metrics"'):
                m = json.loads(line)["saker_metrics"]
                if m.get("final"):
                    counted = m["sources"]["k8s_audit"]["events"]
        found = re.search(r"webhook closed with (\d+) accepted events", text)
        discarded = int(found.group(1)) if found else 0
        if counted is None:
            raise AssertionError(f"saker printed no final metrics: {text[-2000:]}")
        return {"events_counted": counted, "events_queued": None, "events_discarded": discarded}


def cpu_seconds(pid):
    """User + system CPU time of a live process, from /proc."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def one_run(args, engine_cls, work):
    engine = engine_cls(work)
    try:
        cmd = [loadgen(), "--url", engine.url, "--rate", str(args.rate), "--seconds",
               str(args.seconds), "--batch", str(args.batch), "--connections",
               str(args.connections)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.seconds * 3 + 120)
        if p.returncode != 0:
            raise AssertionError(f"loadgen failed: {p.stderr}")
        load = json.loads(p.stdout.strip().splitlines()[-1])
        if hasattr(engine, "wait_counted"):
            caught = time.monotonic()
            engine.wait_counted(load["events_accepted"])
            load["engine_lag_s"] = round(time.monotonic() - caught, 3)
        cpu = cpu_seconds(engine.proc.pid)
        if cpu is not None:
            # engine CPU over the run, as a share of one core
            load["engine_cpu_s"] = round(cpu, 2)
            load["engine_cpu_pct_of_one_core"] = round(100 * cpu / load["seconds"], 1)
    finally:
        counts = engine.stop()
    return load, counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--engine", choices=["auto", "plughost", "saker"], default="auto")
    args = ap.parse_args()
    if sakertest.sanitized():
        sakertest.skip("benchmarks run in the normal build only")
    if args.engine == "saker" or (args.engine == "auto" and replay.saker_can_run_rules()):
        engine_cls = Saker
    else:
        engine_cls = PlugHost
    machine = {"cpus": os.cpu_count(), "kernel": platform.release(),
               "python": platform.python_version()}
    runs, ok = [], True
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="audit-bench-") as work:
            load, counts = one_run(args, engine_cls, work)
        lost = load["events_accepted"] - counts["events_counted"]
        result = {"bench": "k8saudit_webhook", "run": i + 1, "engine": engine_cls.name,
                  "rate_target": args.rate, "seconds": args.seconds, "batch": args.batch,
                  "load": load, "engine_counts": counts, "accepted_not_counted": lost}
        print(json.dumps(result), flush=True)
        if lost != 0 or (counts.get("events_queued") not in (None, load["events_accepted"])):
            print(f"FAIL: {load['events_accepted']} events accepted (200) but the engine "
                  f"counted {counts}", flush=True)
            ok = False
        runs.append(load)
    summary = {"bench": "k8saudit_webhook", "summary": True, "engine": engine_cls.name,
               "runs": len(runs), "machine": machine,
               "command": " ".join([os.path.basename(sys.argv[0])] + sys.argv[1:]),
               "median_events_per_s": statistics.median(r["events_per_s"] for r in runs),
               "median_requests_per_s": statistics.median(r["requests_per_s"] for r in runs),
               "median_p99_ms": statistics.median(r["latency_ms"]["p99"] for r in runs),
               "median_p50_ms": statistics.median(r["latency_ms"]["p50"] for r in runs),
               "median_engine_cpu_pct_of_one_core": statistics.median(
                   r.get("engine_cpu_pct_of_one_core", 0) for r in runs),
               "non_200": sum(r["requests"] - r["ok"] for r in runs)}
    print(json.dumps(summary), flush=True)
    sys.exit(0 if ok else 1)


main()
