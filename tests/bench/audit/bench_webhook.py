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

FIELDS = ["ka.verb", "ka.user.name", "ka.target.resource", "ka.target.namespace",
          "jevt.value[/stage]", "ka.uri", "ka.response.code", "ka.auth.decision"]


def loadgen():
    return os.path.join(sakertest.build_dir(), "tests", "bench", "audit", "audit_loadgen")


def saker_works():
    try:
        return sakertest.run_saker(["--version"], timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


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
        port = s.getsockname()[1]
        s.close()
        self.url = f"http://127.0.0.1:{port}/k8s-audit"
        cfg = os.path.join(work, "saker.yaml")
        rules = sakertest.corpus_dir("rules/k8s_audit_rules.yaml")
        with open(cfg, "w") as f:
            f.write(f"""plugins:
  - name: k8saudit
    library_path: {common.plugin('k8saudit')}
    init_config: '{{"webhookQueueMaxEvents": 200000}}'
    open_params: "{self.url}"
  - name: json
    library_path: {common.plugin('json')}
load_plugins: [k8saudit, json]
rules_files: [{rules}]
json_output: true
stdout_output:
  enabled: false
""")
        self.err_path = os.path.join(work, "engine.err")
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen([sakertest.saker_bin(), "-c", cfg], stdout=subprocess.PIPE,
                                     stderr=self.err, text=True)
        sakertest.wait_for(self._listening, timeout=60, what="saker's webhook to listen")

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"saker exited: {open(self.err_path).read()}")
        import socket
        try:
            socket.create_connection(("127.0.0.1", int(self.url.split(":")[2].split("/")[0])),
                                     timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=120)
        text = out + open(self.err_path).read()
        counted = queued = None
        for line in text.splitlines():
            m = re.search(r'"k8saudit\.webhook_events_queued"\s*:\s*(\d+)', line)
            if m:
                queued = int(m.group(1))
            m = re.search(r'"k8s_audit"\s*:\s*\{[^}]*"events"\s*:\s*(\d+)', line)
            if m:
                counted = int(m.group(1))
        if counted is None:
            raise AssertionError("saker reported no event count for source k8s_audit")
        return {"events_counted": counted, "events_queued": queued}


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
    if args.engine == "saker" or (args.engine == "auto" and saker_works()):
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
               "non_200": sum(r["requests"] - r["ok"] for r in runs)}
    print(json.dumps(summary), flush=True)
    sys.exit(0 if ok else 1)


main()
