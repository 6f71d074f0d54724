#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Pipeline throughput: a source of 5,000,000 small plugin events through saker (checks, rules,
output queue), several runs, median events/s. The count the metrics report must equal the count
produced. Prints one self-describing JSON line per scenario.

Run: ctest --test-dir BUILD -R bench_pipeline -V
 or: SAKER_BIN=... SAKER_BUILD_DIR=... SAKER_PLUGINS_DIR=... SAKER_SOURCE_DIR=... \
     python3 tests/bench/pipeline/bench_pipeline.py [--events N] [--runs N]
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

ap = argparse.ArgumentParser()
ap.add_argument("--events", type=int, default=5_000_000)
ap.add_argument("--runs", type=int, default=3)
args = ap.parse_args()

lib = os.path.join(sakertest.build_dir(), "bench-plugins", "libbenchsrc.so")
if not os.path.exists(lib):
    print(f"FAIL: {lib} is not built (target benchsrc)")
    sys.exit(1)

work = tempfile.mkdtemp(prefix="saker-bench-")
cfg = os.path.join(work, "bench.yaml")
with open(cfg, "w") as f:
    f.write(f"""plugins_dir: {sakertest.plugins_dir()}
rules_files: []
stdout_output: {{enabled: false}}
file_output: {{enabled: true, filename: /dev/null, keep_alive: true}}
plugins:
  - name: benchsrc
    library_path: {lib}
    init_config: {{count: {args.events}, batch: 1024}}
""")
rules = {
    "no rules": None,
    "10 rules, no match": "\n".join(f"""- rule: R{i}
  desc: never matches
  condition: bench.n = 0 and bench.text = "x{i}"
  output: n=%bench.n
  priority: WARNING
  source: bench
""" for i in range(10)),
    "1 rule, 1% of events alert": """- rule: Every hundredth
  desc: n ends in 00
  condition: bench.n in (100, 200, 300) or bench.n > 4950000
  output: n=%bench.n text=%bench.text
  priority: WARNING
  source: bench
""",
}

failed = False
for name, text in rules.items():
    argv = [sakertest.saker_bin(), "-c", cfg]
    if text is not None:
        rp = os.path.join(work, name.replace(" ", "_").replace(",", "").replace("%", "") + ".yaml")
        with open(rp, "w") as f:
            f.write(text)
        argv += ["-r", rp]
    rates = []
    for _ in range(args.runs):
        t0 = time.monotonic()
        p = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        wall = time.monotonic() - t0
        m = None
        for o in sakertest.json_lines(p.stderr):
            if "saker_metrics" in o:
                m = o["saker_metrics"]
        if p.returncode != 0 or m is None:
            print(f"FAIL: {name}: exit {p.returncode}\n{p.stderr}")
            failed = True
            break
        n = m["sources"]["bench"]["events"]
        if n != args.events:
            print(f"FAIL: {name}: metrics count {n} events, the source produced {args.events}")
            failed = True
        rates.append(n / wall)
    if rates:
        print(json.dumps({
            "bench": "pipeline", "scenario": name, "events": args.events, "runs": len(rates),
            "events_per_s_median": round(statistics.median(rates)),
            "events_per_s_runs": [round(r) for r in rates],
            "measured": "process wall time, including start-up",
            "command": " ".join(argv), "cpus": os.cpu_count(), "machine": platform.machine(),
            "sanitized": sakertest.sanitized(),
        }), flush=True)
shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failed else 0)
