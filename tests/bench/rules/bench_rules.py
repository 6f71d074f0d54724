# SPDX-License-Identifier: Apache-2.0
"""Rule-engine benchmark driver (label bench).

Runs bench_rules on (1) 100 synthetic Falco-like rules and (2) the upstream
falco_rules.yaml of ../shared/corpus/rules (read in place), each over a
synthetic syscall event stream where about 1% of events match, on one thread.
Prints the figures (medians of --runs runs) and one JSON line per ruleset. The
goal (2 million events/s with 100 rules) is reported, not asserted: timing on a
shared machine is not a test.

usage: bench_rules.py BENCH_RULES FIELDS_JSON [--runs N] [--events N]
"""
import argparse
import json
import os
import sys

import sakertest as st


def run(cmd):
    p = st.run(cmd, timeout=600)
    if p.returncode != 0:
        print(p.stdout + p.stderr, flush=True)
        raise SystemExit(f"bench_rules failed: {' '.join(cmd)}")
    print(p.stdout, end="", flush=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench")
    ap.add_argument("fields")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--events", type=int, default=2000000)
    a = ap.parse_args()
    base = [a.bench, "--fields", a.fields, "--runs", str(a.runs), "--events", str(a.events)]
    print(f"$ {' '.join(base)} --rules 100", flush=True)
    synth = run(base + ["--rules", "100"])
    goal = 2000000
    print(f"goal: {goal} events/s with 100 rules -> measured {synth['events_per_s']:.0f} "
          f"({synth['events_per_s'] / goal:.2f}x)", flush=True)
    falco = os.path.join(st.corpus_dir("rules"), "falco_rules.yaml")
    print(f"$ {' '.join(base)} --rules-file {falco} --plugin container=0.7.1", flush=True)
    run(base + ["--rules-file", falco, "--plugin", "container=0.7.1"])
    sys.exit(0)


if __name__ == "__main__":
    main()
