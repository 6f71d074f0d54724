#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""--list, --list-plugins (text and JSON), and a plain Falco-ABI plugin's exported symbols."""
import json
import subprocess

import sakertest
from coretest import Workdir, fixture, saker

c = sakertest.Checks("core list")
w = Workdir("list")
cfg = w.config("c.yaml", [("counter", fixture("counter")), ("evtsrc", fixture("evtsrc")),
                          ("ticker", fixture("ticker"))])

# --list-plugins, text
p = saker(["-c", cfg, "--list-plugins"])
c.check(p.returncode == 0, f"--list-plugins: {p.returncode} {p.stderr}")
c.check("3 plugins loaded:" in p.stdout, f"--list-plugins header: {p.stdout}")
c.check("Name: counter\nDescription: Counts from 1 to N as plugin events (test plugin)\n"
        "Contact: saker tests\nVersion: 1.0.0\nRequired API version: 3.11.0\n" in p.stdout,
        f"--list-plugins counter block: {p.stdout}")
c.check("Capabilities: event sourcing (ID 1000001, source 'counter'), field extraction"
        in p.stdout, "counter capabilities")
c.check("Capabilities: event sourcing (source 'syscall'), field extraction" in p.stdout,
        "evtsrc capabilities")
c.check("Capabilities: field extraction, async events" in p.stdout, "ticker capabilities")

# --list-plugins -o json
p = saker(["-c", cfg, "--list-plugins", "-o", "json"])
doc = json.loads(p.stdout)
names = [x["name"] for x in doc["plugins"]]
c.check(names == ["counter", "evtsrc", "ticker"], f"json plugins: {names}")
ctr = doc["plugins"][0]
c.check(ctr["id"] == 1000001 and ctr["source"] == "counter" and
        ctr["capabilities"] == ["sourcing", "extraction"] and ctr["fields"] == 7,
        f"json counter: {ctr}")

# --list: every source, text
p = saker(["-c", cfg, "--list"])
c.check(p.returncode == 0, f"--list: {p.returncode} {p.stderr}")
for want in ("Event source: counter", "Event source: syscall", "counter.tags[INDEX]",
             "counter.kv[KEY]", "Field class: counter (plugin counter 1.0.0)", "evt.plugininfo",
             "tick.data", "evtsrc.interest"):
    c.check(want in p.stdout, f"--list lacks {want!r}")

# --list SOURCE restricts; an unknown source is an error
p = saker(["-c", cfg, "--list", "counter"])
c.check(p.returncode == 0 and "Event source: counter" in p.stdout and
        "Event source: syscall" not in p.stdout, f"--list counter: {p.stdout[:300]}")
p = saker(["-c", cfg, "--list", "nosuch"])
c.check(p.returncode == 1 and "no loaded plugin provides event source 'nosuch' (known sources: "
        "counter, syscall)" in p.stderr, f"--list nosuch: {p.stderr}")

# --list -o json: the document the rule engine's conformance runner reads
p = saker(["-c", cfg, "--list", "-o", "json"])
doc = json.loads(p.stdout)
c.check(set(doc) == {"fields", "event_types"}, f"json keys {set(doc)}")
by = {(f["source"], f["name"]): f for f in doc["fields"]}
f = by.get(("counter", "counter.kv"))
c.check(f == {"source": "counter", "plugin": "counter", "name": "counter.kv", "type": "string",
              "desc": "key=n", "list": False,
              "arg": {"required": True, "index": False, "key": True, "dotted": False},
              "properties": []}, f"counter.kv: {f}")
f = by.get(("counter", "counter.tags"))
c.check(f and f["list"] and f["arg"]["index"] and not f["arg"]["required"], f"tags: {f}")
f = by.get(("syscall", "evt.num"))
c.check(f and f["plugin"] == "" and f["type"] == "uint64", f"generic evt.num: {f}")
c.check(("syscall", "tick.data") in by and ("counter", "tick.data") in by,
        "an extractor without a source list serves every source")
c.check(("syscall", "counter.n") not in by, "counter's fields stay on its own source")
et = doc["event_types"]
c.check({"name": "open", "code": 3, "dir": "<"} in et["syscall"] and
        {"name": "kill", "code": 7, "dir": "<"} in et["syscall"] and
        {"name": "tick", "code": 402, "dir": ">"} in et["syscall"], f"syscall types {et['syscall']}")
c.check({"name": "pluginevent", "code": 322, "dir": ">"} in et["counter"], f"counter types {et}")
p = saker(["-c", cfg, "--list", "counter", "-o", "json"])
doc = json.loads(p.stdout)
c.check(set(doc["event_types"]) == {"counter"} and
        all(f["source"] == "counter" for f in doc["fields"]), "--list counter -o json")

# a plugin built with no Saker extension exports only Falco plugin_* symbols
falco_syms = {
    "plugin_get_required_api_version", "plugin_get_init_schema", "plugin_init",
    "plugin_destroy", "plugin_get_last_error", "plugin_get_name", "plugin_get_description",
    "plugin_get_contact", "plugin_get_version", "plugin_get_id", "plugin_get_event_source",
    "plugin_open", "plugin_close", "plugin_list_open_params", "plugin_get_progress",
    "plugin_event_to_string", "plugin_next_batch", "plugin_get_extract_event_types",
    "plugin_get_extract_event_sources", "plugin_get_fields", "plugin_extract_fields",
    "plugin_get_parse_event_types", "plugin_get_parse_event_sources", "plugin_parse_event",
    "plugin_get_async_event_sources", "plugin_get_async_events",
    "plugin_set_async_event_handler", "plugin_dump_state", "plugin_set_config",
    "plugin_get_metrics", "plugin_capture_open", "plugin_capture_close",
    "plugin_get_required_event_schema_version",
}
nm = subprocess.run(["nm", "-D", "--defined-only", fixture("counter")], capture_output=True,
                    text=True)
exported = {l.split()[-1] for l in nm.stdout.splitlines() if " T " in l}
c.check(nm.returncode == 0 and exported and exported <= falco_syms,
        f"counter exports non-Falco symbols: {exported - falco_syms}")
c.check(not any(s.startswith("plugin_sink") or "saker" in s for s in exported),
        "counter exports no Saker extension")

c.finish()
