#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Running saker with the test plugins: alerts, outputs, sinks, tables, async events, event
interest, a failing source, the alert queue and the metrics."""
import json

import sakertest
from coretest import Workdir, fixture, metrics, saker

c = sakertest.Checks("core run")
w = Workdir("run")
COUNTER = ("counter", fixture("counter"), {"count": 1000})

even_rule = w.write("even.yaml", """
- rule: Even counter
  desc: even numbers up to 6
  condition: counter.even = true and counter.n <= 6
  output: even %counter.n (text=%counter.text ip=%counter.ip tags=%counter.tags even=%counter.even)
  priority: WARNING
  source: counter
  tags: [test, even]
""")

# ---- text alerts, exit code, metrics -----------------------------------------------------------
cfg = w.config("c1.yaml", [COUNTER])
p = saker(["-c", cfg, "-r", even_rule])
c.check(p.returncode == 0, f"run: {p.returncode} {p.stderr}")
lines = [l for l in p.stdout.splitlines() if l]
c.check(len(lines) == 3, f"three alerts: {lines}")
c.check(lines[0].endswith(": Warning even 2 (text=ctr 2 ip=10.0.0.2 tags=(a,b,even) even=true)"),
        f"text line: {lines[0] if lines else None}")
m = metrics(p.stderr)
c.check(m is not None and m["final"], "final metrics line")
c.check(m["sources"]["counter"]["events"] == 1000 and m["sources"]["counter"]["state"] == "eof",
        f"source metrics {m['sources']}")
c.check(m["rules"]["matches"] == 3 and m["rules"]["by_rule"] == {"Even counter": 3} and
        m["rules"]["by_priority"] == {"Warning": 3}, f"rule metrics {m['rules']}")
c.check(m["outputs"]["pushed"] == 3 and m["outputs"]["sinks"]["stdout"]["delivered"] == 3,
        f"output metrics {m['outputs']}")

# ---- JSON alerts, Falco's shape ------------------------------------------------------------------
p = saker(["-c", cfg, "-r", even_rule, "-o", "json_output=true"])
alerts = sakertest.json_lines(p.stdout)
c.check(len(alerts) == 3, f"three JSON alerts: {p.stdout}")
a = alerts[0] if alerts else {}
c.check(sorted(a) == ["hostname", "output", "output_fields", "priority", "rule", "source",
                      "tags", "time"], f"JSON keys: {sorted(a)}")
c.check(a.get("hostname") == "testhost" and a.get("priority") == "Warning" and
        a.get("rule") == "Even counter" and a.get("source") == "counter" and
        a.get("tags") == ["even", "test"] and a.get("time") == "2023-11-14T22:13:20.000002000Z",
        f"JSON values: {a}")
of = a.get("output_fields", {})
c.check(of == {"evt.time": 1700000000000002000, "counter.n": 2, "counter.text": "ctr 2",
               "counter.ip": "10.0.0.2", "counter.tags": ["a", "b", "even"],
               "counter.even": True}, f"typed output_fields: {of}")
p = saker(["-c", cfg, "-r", even_rule, "-o", "json_output=true", "-o",
           "json_include_output_property=false", "-o", "json_include_tags_property=false",
           "-o", "json_include_output_fields_property=false", "-o",
           "json_include_message_property=true", "-o", "time_format_iso_8601=true"])
a = sakertest.json_lines(p.stdout)[0]
c.check(sorted(a) == ["hostname", "message", "priority", "rule", "source", "time"] and
        a["message"].startswith("even 2 (text=ctr 2"), f"JSON options: {a}")
p = saker(["-c", cfg, "-r", even_rule, "-o", "time_format_iso_8601=true"])
c.check(p.stdout.startswith("2023-11-14T22:13:20.000002000+0000: Warning even 2"),
        f"ISO 8601 text: {p.stdout[:80]}")

# ---- the generic evt.* fields ----------------------------------------------------------------------
gen_rule = w.write("gen.yaml", """
- rule: Generic fields
  desc: the core's fields
  condition: counter.n = 3
  output: num=%evt.num src=%evt.source plugin=%evt.pluginname info=%evt.plugininfo raw=%evt.rawtime rs=%evt.rawtime.s rns=%evt.rawtime.ns iso=%evt.time.iso8601 rel=%evt.reltime host=%evt.hostname async=%evt.is_async
  priority: INFO
  source: counter
""")
cfgz = w.config("cz.yaml", [("counter", fixture("counter"), {"count": 5, "zero_id": True})])
p = saker(["-c", cfgz, "-r", gen_rule])
c.check("num=3 src=counter plugin=counter info=counter event 3 raw=1700000000000003000 "
        "rs=1700000000 rns=3000 iso=2023-11-14T22:13:20.000003000+0000 rel=2000 host=testhost "
        "async=false" in p.stdout, f"generic fields (events with plugin id 0 fixed): {p.stdout}")

# ---- outputs: file_output and a third-party sink plugin with typed fields ---------------------------
events_txt = w.path("events.txt")
rec = w.path("rec.jsonl")
cfg2 = w.config("c2.yaml", [COUNTER, ("sinkrec", fixture("sinkrec"), None, rec)],
                extra=f"stdout_output:\n  enabled: false\nfile_output:\n  enabled: true\n"
                      f"  filename: {events_txt}\n")
p = saker(["-c", cfg2, "-r", even_rule])
c.check(p.returncode == 0 and p.stdout == "", f"file+sink run: {p.returncode} {p.stdout} {p.stderr}")
with open(events_txt) as f:
    flines = f.read().splitlines()
c.check(len(flines) == 3 and "Warning even 4 (text=ctr 4" in flines[1], f"events.txt: {flines}")
with open(rec) as f:
    recs = [json.loads(l) for l in f]
c.check(len(recs) == 3, f"sink records: {recs}")
r = recs[0] if recs else {}
c.check(r.get("rule") == "Even counter" and r.get("priority") == 4 and
        r.get("priority_name") == "Warning" and r.get("source") == "counter" and
        r.get("hostname") == "testhost" and r.get("seq") == 1 and
        r.get("line", "").endswith("Warning even 2 (text=ctr 2 ip=10.0.0.2 tags=(a,b,even) "
                                   "even=true)"), f"sink record: {r}")
c.check(r.get("fields") == {"counter.n": [2], "counter.text": ["ctr 2"], "counter.ip": ["10.0.0.2"],
                           "counter.tags": ["a", "b", "even"], "counter.even": [True]},
        f"typed fields handed to the sink: {r.get('fields')}")
m = metrics(p.stderr)
c.check(set(m["outputs"]["sinks"]) == {"file", "sinkrec"} and
        m["outputs"]["sinks"]["sinkrec"]["delivered"] == 3, f"sink metrics: {m['outputs']}")

# a sink that refuses alerts: counted as failures, not lost silently
cfg3 = w.config("c3.yaml", [COUNTER, ("sinkrec", fixture("sinkrec"), {"fail_writes": True},
                                      w.path("rec3.jsonl"))])
p = saker(["-c", cfg3, "-r", even_rule])
m = metrics(p.stderr)
c.check(m["outputs"]["sink_failures"] == 3 and m["outputs"]["sinks"]["sinkrec"]["failed"] == 3 and
        m["outputs"]["sinks"]["sinkrec"]["retries"] == 3 and
        m["outputs"]["sinks"]["stdout"]["delivered"] == 3, f"failed sink: {m['outputs']}")
c.check("alert(s) not delivered: the receiver refused the alert" in p.stderr,
        f"failure logged: {p.stderr}")

# ---- a full queue drops with a count (a slow sink, a queue of 2) --------------------------------
all_rule = w.write("all.yaml", """
- rule: Every counter event
  desc: all of them
  condition: counter.n > 0
  output: n=%counter.n
  priority: NOTICE
  source: counter
""")
cfg4 = w.config("c4.yaml", [("counter", fixture("counter"), {"count": 300}),
                            ("sinkrec", fixture("sinkrec"), {"delay_us": 2000},
                             w.path("rec4.jsonl"))],
                extra="stdout_output:\n  enabled: false\noutputs_queue:\n  capacity: 2\n")
p = saker(["-c", cfg4, "-r", all_rule])
m = metrics(p.stderr)
o = m["outputs"]
c.check(p.returncode == 0 and o["queue_drops"] > 0 and
        o["queue_drops"] + o["pushed"] == 300 and o["sinks"]["sinkrec"]["delivered"] == o["pushed"],
        f"drops counted: {o}")
c.check("the alert queue is full (outputs_queue.capacity 2)" in p.stderr, "drop logged")
# block policy: nothing dropped
p = saker(["-c", cfg4, "-r", all_rule, "-o", "outputs_queue.policy=block", "-o",
           "plugins[1].init_config={delay_us: 100}"])
o = metrics(p.stderr)["outputs"]
c.check(o["queue_drops"] == 0 and o["sinks"]["sinkrec"]["delivered"] == 300, f"block: {o}")

# ---- tables: one plugin's table read by another through the host ---------------------------------
tbl_rule = w.write("tbl.yaml", """
- rule: Table values
  desc: values another plugin wrote
  condition: counter.n in (2, 6, 7)
  output: n=%counter.n count=%seen.count last=%seen.last
  priority: INFO
  source: counter
""")
cfg5 = w.config("c5.yaml", [("counter", fixture("counter"), {"count": 8}),
                            ("tblowner", fixture("tblowner")), ("tblreader", fixture("tblreader"))])
p = saker(["-c", cfg5, "-r", tbl_rule])
c.check(p.returncode == 0, f"tables run: {p.stderr}")
for want in ("n=2 count=1 last=ctr 2", "n=6 count=2 last=ctr 6", "n=7 count=2 last=ctr 7"):
    c.check(want in p.stdout, f"tables: lacks {want!r}: {p.stdout}")
# the reader before the owner: the table does not exist yet at its init
cfg6 = w.config("c6.yaml", [("counter", fixture("counter")), ("tblreader", fixture("tblreader")),
                            ("tblowner", fixture("tblowner"))])
p = saker(["-c", cfg6, "--dry-run"])
c.check(p.returncode == 1 and "plugin 'tblreader': plugin_init failed: table 'seen' not found: no "
        "table named 'seen' (load the plugin that owns it before this one)" in p.stderr,
        f"table order: {p.stderr}")

# ---- a syscall-like source: event types, event-type interest, async events ----------------------
open_rule = w.write("open.yaml", """
- rule: Open
  desc: open exits
  condition: evt.type = open
  output: open %evtsrc.name interest=%evtsrc.interest
  priority: INFO
""")
cfg7 = w.config("c7.yaml", [("evtsrc", fixture("evtsrc"), {"count": 6})])
p = saker(["-c", cfg7, "-r", open_rule])
opens = [l for l in p.stdout.splitlines() if " open " in l]
c.check(len(opens) == 2 and opens[0].endswith("open /tmp/f1 interest=2,3,402"),
        f"interest before open: {opens} {p.stderr}")
# the source prefilter: what each rule needs of evtsrc.name, per code, and what it reads
pf_rules = w.write("pf.yaml", """
- rule: Named
  desc: opens of some files
  condition: evt.type = open and (evtsrc.name startswith /tmp/f or evtsrc.name in (/a, /b))
             and not evtsrc.name = /tmp/f9
  output: pf %evtsrc.prefilter
  priority: INFO
- rule: Any open
  desc: no need on the name
  condition: evt.type = open and evt.type != close
  output: any
  priority: INFO
""")
p = saker(["-c", cfg7, "-r", pf_rules])
pf = [l.split(" pf ", 1)[1] for l in p.stdout.splitlines() if " pf " in l]
named = "{evtsrc.name pre /tmp/f|evtsrc.name eq /a|evtsrc.name eq /b+r;}"
c.check(len(pf) == 2 and pf[0] == f"2{named}3{named}402{named}",
        f"prefilter before open: {pf} {p.stderr}")
p = saker(["-c", cfg7, "-r", pf_rules, "-w", w.path("pf.cap")])
pf = [l.split(" pf ", 1)[1] for l in p.stdout.splitlines() if " pf " in l]
c.check(pf and pf[0] == "", f"an empty prefilter when capturing every event: {pf} {p.stderr}")
tick_rule = w.write("tick.yaml", """
- rule: Tick
  desc: async events of the ticker
  condition: evt.asynctype = tick
  output: tick %tick.data async=%evt.is_async type=%evt.asynctype
  priority: INFO
""")
cfg8 = w.config("c8.yaml", [("evtsrc", fixture("evtsrc"), {"count": 3}),
                            ("ticker", fixture("ticker"), {"count": 3})])
p = saker(["-c", cfg8, "-r", tick_rule])
ticks = sorted(l.split(": Informational ")[1] for l in p.stdout.splitlines() if "tick" in l)
m = metrics(p.stderr)
delivered = m["sources"]["syscall"]["async_events"]
c.check(p.returncode == 0 and len(ticks) == delivered and 0 < delivered <= 3 and
        all(t.startswith("tick tick ") and t.endswith("async=true type=tick") for t in ticks),
        f"async events: {ticks} {m['sources']}")

# ---- capture listening: capture_open before the first event, routines on host threads ---------
listen_rule = w.write("listen.yaml", """
- rule: Listening
  desc: capture_open happened
  condition: counter.n = 3
  output: opened=%listen.opened
  priority: INFO
  source: counter
""")
cfg10 = w.config("c10.yaml", [("counter", fixture("counter"), {"count": 3}),
                             ("listener", fixture("listener"))])
for mode in ([], ["-w", w.path("listen.cap")]):
    p = saker(["-c", cfg10, "-r", listen_rule] + mode)
    c.check(p.returncode == 0 and "opened=true" in p.stdout, f"capture listening {mode}: "
            f"{p.returncode} {p.stdout} {p.stderr}")
p = saker(["-c", cfg10, "-r", listen_rule, "-e", w.path("listen.cap")])
c.check(p.returncode == 0 and "opened=true" in p.stdout, f"capture listening in a replay: "
        f"{p.stdout} {p.stderr}")

# ---- a failing source stops alone; the others go on; the exit code says so -----------------------
last_rule = w.write("last.yaml", """
- rule: Last counter event
  desc: the last one
  condition: counter.n = 20000
  output: last %counter.n
  priority: INFO
  source: counter
""")
cfg9 = w.config("c9.yaml", [("counter", fixture("counter"), {"count": 20000}),
                            ("batchfail", fixture("batchfail"), {"count": 5})])
p = saker(["-c", cfg9, "-r", last_rule])
c.check(p.returncode == 1, f"failed source exit code {p.returncode}")
c.check("source 'flaky' stopped: plugin 'batchfail': plugin_next_batch failed: the device was "
        "unplugged after 5 events" in p.stderr, f"failure message: {p.stderr}")
c.check("last 20000" in p.stdout, f"the other source went on: {p.stdout}")
m = metrics(p.stderr)
c.check(m["sources"]["counter"]["events"] == 20000 and m["sources"]["counter"]["state"] == "eof" and
        m["sources"]["flaky"]["events"] == 5 and m["sources"]["flaky"]["state"] == "failed" and
        "unplugged" in m["sources"]["flaky"].get("error", ""), f"metrics {m['sources']}")

# ---- append_output: extra text, extra fields, the plugins' suggested fields ---------------------------
cfg_ao = w.config("ao.yaml", [COUNTER], extra="""
append_output:
  - match: {source: counter, tags: [even]}
    extra_output: "n2=%counter.n"
    extra_fields: [counter.text, {label: "L-%counter.n"}]
  - match: {rule: Other rule}
    extra_output: "never=%counter.n"
  - suggested_output: true
""")
p = saker(["-c", cfg_ao, "-r", even_rule, "-o", "json_output=true"])
alerts = sakertest.json_lines(p.stdout)
c.check(p.returncode == 0 and len(alerts) == 3, f"append_output run: {p.returncode} {p.stderr}")
a = alerts[0] if alerts else {}
c.check(a.get("output", "").endswith("even=true) n2=2 counter_rel=2000"),
        f"extra_output then the suggested field, Falco's name=%field shape: {a.get('output')}")
c.check("never=" not in a.get("output", ""), "an entry for another rule does not apply")
of = a.get("output_fields", {})
c.check(of.get("counter.text") == "ctr 2" and of.get("label") == "L-2" and
        of.get("counter.rel") == 2000 and of.get("counter.n") == 2,
        f"extra fields in output_fields only: {of}")
bad = w.config("ao_bad.yaml", [COUNTER], extra="append_output:\n  - match: {sourcee: x}\n")
p = saker(["-c", bad, "-r", even_rule])
c.check(p.returncode == 1 and "ao_bad.yaml:" in p.stderr and "unknown key 'sourcee'" in p.stderr,
        f"a bad append_output key names file, line and key: {p.stderr}")

# ---- no output enabled ---------------------------------------------------------------------------------
p = saker(["-c", cfg, "-o", "stdout_output.enabled=false", "--dry-run"])
c.check(p.returncode == 1 and "no output is enabled" in p.stderr, f"no output: {p.stderr}")
# --dry-run loads everything and reads no event
p = saker(["-c", cfg, "-r", even_rule, "--dry-run"])
c.check(p.returncode == 0 and p.stdout == "" and "dry run" in p.stderr, f"dry run: {p.stderr}")

c.finish()
