#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Signals: SIGINT/SIGTERM stop cleanly (queue drained, exit 0), SIGUSR1 reopens the sinks,
SIGHUP reloads rules (no event lost) or restarts on a configuration change; periodic metrics."""
import json
import os
import re
import signal

import sakertest
from coretest import Running, Workdir, fixture, metrics

c = sakertest.Checks("core signals")
w = Workdir("signals")

all_rule = """
- rule: {name}
  desc: every event
  condition: counter.n > 0
  output: {tag} %counter.n
  priority: NOTICE
  source: counter
"""
rules = w.write("rules.yaml", all_rule.format(name="Rule A", tag="A"))


def numbers(text, tag):
    return [int(m.group(1)) for m in re.finditer(rf" {tag} (\d+)$", text, re.M)]


# ---- SIGTERM / SIGINT: stop after draining, exit 0 ------------------------------------------------
for sig in (signal.SIGTERM, signal.SIGINT):
    cfg = w.config(f"idle{int(sig)}.yaml", [("counter", fixture("counter"),
                                             {"count": 50, "idle": True})])
    r = Running(["-c", cfg, "-r", rules])
    try:
        r.wait_stdout(lambda out: len(numbers(out, "A")) == 50, what="50 alerts")
        rc = r.finish(sig)
    finally:
        r.kill()
    name = "SIGTERM" if sig == signal.SIGTERM else "SIGINT"
    c.check(rc == 0, f"{name}: exit code {rc}: {r.stderr()}")
    c.check(f"{name}: stopping" in r.stderr(), f"{name} logged")
    m = metrics(r.stderr())
    c.check(m and m["final"] and m["sources"]["counter"]["state"] == "stopped" and
            m["sources"]["counter"]["events"] == 50 and m["outputs"]["dispatched"] == 50,
            f"{name} metrics: {m}")

# ---- SIGUSR1: sinks reopen (file rotation) --------------------------------------------------------
events = w.path("events.txt")
rec = w.path("rec.jsonl")
cfg = w.config("usr1.yaml", [("counter", fixture("counter"), {"count": 5, "idle": True}),
                             ("sinkrec", fixture("sinkrec"), None, rec)],
               extra=f"stdout_output:\n  enabled: false\nfile_output:\n  enabled: true\n"
                     f"  keep_alive: true\n  filename: {events}\n")
r = Running(["-c", cfg, "-r", rules])
try:
    sakertest.wait_for(lambda: os.path.exists(events) and
                       len(open(events).read().splitlines()) == 5, what="5 alerts in the file")
    os.rename(events, events + ".1")
    r.send(signal.SIGUSR1)
    sakertest.wait_for(lambda: os.path.exists(events), what="the file reopened under its name")
    sakertest.wait_for(lambda: '"event":"reopen"' in open(rec).read(), what="the sink reopened")
    rc = r.finish()
finally:
    r.kill()
c.check(rc == 0 and "SIGUSR1: reopening the outputs" in r.stderr(), f"SIGUSR1: {r.stderr()}")

# ---- SIGHUP: rules swapped in without losing an event ---------------------------------------------
paced = w.config("paced.yaml", [("counter", fixture("counter"),
                                 {"count": 0, "batch": 1, "pace_us": 2000})])
r = Running(["-c", paced, "-r", rules])
try:
    r.wait_stdout(lambda out: len(numbers(out, "A")) >= 20, what="20 alerts of rule A")
    w.write("rules.yaml", all_rule.format(name="Rule B", tag="B"))
    r.send(signal.SIGHUP)
    r.wait_stdout(lambda out: len(numbers(out, "B")) >= 20, what="20 alerts of rule B")
    # a broken rules file: the running rules stay
    w.write("rules.yaml", "- rule: broken\n  condition: (\n")
    r.send(signal.SIGHUP)
    r.wait_stderr(lambda err: "the rules did not load, the running rules stay" in err,
                  what="the failed reload reported")
    before = len(numbers(r.stdout(), "B"))
    r.wait_stdout(lambda out: len(numbers(out, "B")) >= before + 10, what="rule B still running")
    rc = r.finish()
finally:
    r.kill()
out = r.stdout()
a, b = numbers(out, "A"), numbers(out, "B")
c.check(rc == 0, f"SIGHUP run exit code {rc}: {r.stderr()}")
c.check("SIGHUP: 1 rules loaded and swapped in" in r.stderr(), "reload logged")
c.check(a and b and max(a) < min(b), f"A before B: {a[-3:]} {b[:3]}")
c.check(sorted(a + b) == list(range(1, len(a) + len(b) + 1)),
        f"no event lost or doubled across the swap: {len(a)}+{len(b)}, "
        f"max {max(a + b) if a + b else 0}")

# ---- SIGHUP with a changed configuration: the engine restarts with it ----------------------------
w.write("rules.yaml", all_rule.format(name="Rule A", tag="A"))
conf = w.config("restart.yaml", [("counter", fixture("counter"),
                                  {"count": 0, "batch": 1, "pace_us": 2000})])
r = Running(["-c", conf, "-r", rules])
try:
    r.wait_stdout(lambda out: len(numbers(out, "A")) >= 5, what="text alerts")
    with open(conf, "a") as f:
        f.write("json_output: true\n")
    r.send(signal.SIGHUP)
    r.wait_stdout(lambda out: len(sakertest.json_lines(out)) >= 5, what="JSON alerts after restart")
    rc = r.finish()
finally:
    r.kill()
c.check(rc == 0 and "restarting the engine" in r.stderr(), f"restart: {rc} {r.stderr()}")
j = sakertest.json_lines(r.stdout())
c.check(j and j[0]["rule"] == "Rule A" and j[0]["output_fields"]["counter.n"] == 1,
        f"the restarted engine: {j[:1]}")

# ---- drops a source reports: counted, logged, and an internal alert -------------------------
dcfg = w.config("drops.yaml", [("counter", fixture("counter"),
                                {"count": 10, "idle": True, "drops": 50})],
                extra="json_output: true\n")
r = Running(["-c", dcfg, "-r", rules])
try:
    r.wait_stdout(lambda out: "Saker internal: event drop" in out, what="the drop alert")
    rc = r.finish()
finally:
    r.kill()
drop = [a for a in sakertest.json_lines(r.stdout()) if a.get("source") == "internal"]
c.check(rc == 0 and len(drop) == 1, f"one drop alert (rate limited): {drop}")
if drop:
    d = drop[0]
    c.check(d["rule"] == "Saker internal: event drop" and d["priority"] == "Debug" and
            "tags" not in d and d["output_fields"]["n_drops"] == "50" and
            d["output_fields"]["n_evts"] == "60" and
            "50 events of source counter dropped in last second" in d["output"],
            f"drop alert: {d}")
c.check("Saker internal: event drop. 50 events of source counter dropped" in r.stderr(),
        "drop logged")
c.check(metrics(r.stderr())["sources"]["counter"]["source_drops"] == 50, "drops counted")
pm = metrics(r.stderr())["sources"]["counter"].get("plugin_metrics")
c.check(pm == {"n_evts": 60, "n_drops": 50}, f"the plugin's own metrics: {pm}")

# ---- periodic metrics -----------------------------------------------------------------------------
mcfg = w.config("metrics.yaml", [("counter", fixture("counter"), {"count": 10, "idle": True})],
                extra="metrics:\n  enabled: true\n  interval: 100ms\n")
r = Running(["-c", mcfg, "-r", rules])
try:
    r.wait_stderr(lambda err: sum('"final":false' in l for l in err.splitlines()) >= 2,
                  what="two periodic snapshots")
    rc = r.finish()
finally:
    r.kill()
snaps = [o["saker_metrics"] for o in sakertest.json_lines(r.stderr()) if "saker_metrics" in o]
c.check(rc == 0 and len(snaps) >= 3 and snaps[-1]["final"] and
        all(not s["final"] for s in snaps[:-1]), f"snapshots: {len(snaps)}")
c.check(snaps[-1]["sources"]["counter"]["events"] == 10, "final snapshot counts")

c.finish()
