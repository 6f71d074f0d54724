#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Per-sink queue settings (outputs_queue.sinks) and their errors, deduplication windows with
their summary alerts, and the accounting in the metrics: alerts emitted = alerts offered to each
sink - summaries + repeats counted, and offered = delivered + failed + dropped + lost."""

import sakertest
from outputtest import Workdir, check_account, fixture, metrics, saker

c = sakertest.Checks("output queue")
w = Workdir("queue")
rules = w.rules()
same = w.write("same.yaml", """
- rule: Same alert
  desc: one output whatever the event
  condition: counter.n > 0
  output: the same alert every time
  priority: ERROR
  source: counter
  tags: [dedup]
""")


def run(cfg, r=rules):
    p = saker(["-c", cfg, "-r", r])
    return p, metrics(p.stderr)


# ---- per-sink queue settings, by built-in sink and by plugin name ---------------------------------
rec = w.path("rec.jsonl")
extra = (f"file_output:\n  enabled: true\n  filename: {w.path('f.txt')}\n"
         "outputs_queue:\n  capacity: 300\n  sinks:\n"
         "    file: {capacity: 1000, policy: drop_oldest}\n"
         "    sinkrec: {capacity: 7, policy: block, block_timeout: 2s}\n"
         "plugins:\n"
         f"  - name: counter\n    library_path: {fixture('counter')}\n"
         "    init_config: {count: 50}\n"
         f"  - name: sinkrec\n    library_path: {fixture('sinkrec')}\n"
         f"    open_params: {rec}\n")
cfg = w.write("sinks.yaml", f"plugins_dir: {sakertest.plugins_dir()}\nrules_files: []\n"
              "stdout_output:\n  enabled: true\n" + extra)
p, m = run(cfg)
c.check(p.returncode == 0, f"per-sink settings: {p.stderr[-800:]}")
o = m["outputs"]["sinks"] if m else {}
c.check(o.get("stdout", {}).get("capacity") == 300 and o["stdout"]["policy"] == "drop" and
        o.get("file", {}).get("capacity") == 1000 and o["file"]["policy"] == "drop_oldest" and
        o.get("sinkrec", {}).get("capacity") == 7 and o["sinkrec"]["policy"] == "block",
        f"capacities and policies per sink: {o}")
for sink in ("stdout", "file", "sinkrec"):
    check_account(c, m, sink, 50, what=f"per-sink {sink}")
with open(rec) as f:
    c.check(len(f.read().splitlines()) == 50, "the plugin sink got every alert (block, room)")

# ---- errors in outputs_queue.sinks name the place -----------------------------------------------
cases = [
    ("outputs_queue:\n  sinks:\n    htpp: {capacity: 5}\n",
     ":11:5: outputs_queue.sinks.htpp: no output sink is named 'htpp' (the sinks running are: "
     "stdout)"),
    ("outputs_queue:\n  sinks:\n    stdout: {capacity: lots}\n",
     ":11:24: outputs_queue.sinks.stdout.capacity: expected a non-negative integer, got 'lots'"),
    ("outputs_queue:\n  sinks:\n    stdout: {size: 3}\n",
     ":11:14: outputs_queue.sinks.stdout: unknown key 'size': a sink's queue has capacity, "
     "policy and block_timeout"),
    ("outputs_queue:\n  sinks:\n    stdout: {policy: newest}\n",
     ":11:22: outputs_queue.sinks.stdout.policy: unknown value 'newest': use one of drop, block, "
     "drop_oldest"),
    ("outputs_queue:\n  policy: sometimes\n",
     ":10:11: outputs_queue.policy: unknown value 'sometimes'"),
]
for i, (text, want) in enumerate(cases):
    cfg = w.config(f"bad{i}.yaml", 1, extra=text, stdout=True)
    p = saker(["-c", cfg, "-r", rules])
    c.check(p.returncode == 1 and f"{cfg}{want}" in p.stderr, f"error {i}: {p.stderr}")

# ---- deduplication: one window over the whole run, closed at exit -------------------------------
cfg = w.config("dedup.yaml", 25, stdout=True,
               extra="json_output: true\noutputs_dedup:\n  window: 1h\n")
p, m = run(cfg, same)
alerts = sakertest.json_lines(p.stdout)
c.check(p.returncode == 0 and len(alerts) == 2, f"first alert and one summary: {p.stdout}")
if len(alerts) == 2:
    first, summary = alerts
    c.check(first["output_fields"] == {"evt.time": 1700000000000001000} and
            first["rule"] == "Same alert", f"first alert as is: {first}")
    c.check(summary["rule"] == "Same alert" and summary["priority"] == "Error" and
            summary["tags"] == ["dedup"] and
            summary["output"].endswith("Error the same alert every time (repeated 24 more times "
                                       "within 3600s)") and
            summary["output_fields"] == {"evt.time": 1700000000000025000, "dedup.repeats": 24},
            f"summary: {summary}")
o = m["outputs"] if m else {}
c.check(o.get("deduplicated") == 24 and o.get("dedup_summaries") == 1, f"dedup counters: {o}")
s = check_account(c, m, "stdout", 2, received=len(alerts), what="dedup")
c.check(m["rules"]["matches"] == s["offered"] - o["dedup_summaries"] + o["deduplicated"],
        "emitted = offered - summaries + repeats")

# short windows: the timer closes them while the source runs; every repeat is in a summary
cfg = w.config("dedup2.yaml", 60, stdout=True, counter={"batch": 1, "pace_us": 10000},
               extra="json_output: true\noutputs_dedup:\n  window: 150ms\n")
p, m = run(cfg, same)
alerts = sakertest.json_lines(p.stdout)
o = m["outputs"]
summaries = [a for a in alerts if "dedup.repeats" in a["output_fields"]]
c.check(len(summaries) >= 2 and len(summaries) == o["dedup_summaries"] and
        sum(a["output_fields"]["dedup.repeats"] for a in summaries) == o["deduplicated"] and
        len(alerts) - len(summaries) + o["deduplicated"] == 60,
        f"windows of 150ms: {len(alerts)} alerts, {len(summaries)} summaries, {o}")
check_account(c, m, "stdout", len(alerts), received=len(alerts), what="dedup windows")
# distinct alerts are never merged
cfg = w.config("dedup3.yaml", 30, stdout=True, extra="outputs_dedup:\n  window: 1h\n")
p, m = run(cfg)
c.check(len([l for l in p.stdout.splitlines() if " n=" in l]) == 30 and
        m["outputs"]["deduplicated"] == 0, "distinct alerts all go out")

c.finish()
