#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Saker's own rule files for k8s_audit and aws_cloudtrail, replayed with the
events of their test descriptions (rules/tests/*_cases.json): each file loads
with no error or warning, every case fires exactly the rules it states (so a
rule's firing case fires it and its benign look-alike does not), and every
rule of the file has both kinds of case."""
import json
import os
import re
import sys

import sakertest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "conformance", "audit"))
import replay  # noqa: E402

checks = sakertest.Checks("Saker audit rules")
engine = replay.pick_engine()


def rule_names(path):
    return [m.group(1).strip() for m in re.finditer(r"^- rule:\s*(.+)$", open(path).read(), re.M)]


for cases_file in ["k8s_audit_rules_cases.json", "cloudtrail_rules_cases.json"]:
    doc = json.load(open(os.path.join(sakertest.source_dir(), "rules", "tests", cases_file)))
    rules_path = os.path.join(sakertest.source_dir(), "rules", doc["rules_file"])
    names = rule_names(rules_path)
    print(f"== {doc['rules_file']}: {len(names)} rules, {len(doc['cases'])} cases", flush=True)
    checks.check(len(names) >= 15, f"{doc['rules_file']} has only {len(names)} rules")
    ok, errors, warnings, text = engine.validate([rules_path], doc["plugins"])
    checks.check(ok and not errors, f"{doc['rules_file']} does not load: {text}")
    checks.check(not warnings, f"{doc['rules_file']} loads with warnings: {text}")
    checks.check(engine.loaded_rules == len(names),
                 f"{doc['rules_file']}: {engine.loaded_rules} rules loaded of {len(names)}")
    # every rule is checked on its own: rule_matching all, so an event fires every rule it
    # matches (with Falco's default, "first", only the first would)
    per_event, stderr = engine.run(doc["source"], [rules_path], [c["event"] for c in doc["cases"]],
                                   extra_plugins=[p for p in doc["plugins"]
                                                  if p not in replay.PLUGIN_SOURCE.values()],
                                   match_all=True)
    fired_by = {n: 0 for n in names}
    benign_for = {n: 0 for n in names}
    for case, alerts in zip(doc["cases"], per_event):
        fired = sorted({a["rule"] for a in alerts})
        checks.check(fired == sorted(case["expect"]),
                     f"{case['name']}: fired {fired}, expected {sorted(case['expect'])}")
        for a in alerts:
            # the output names who acted: a user= or by= value, when present, is known
            who = re.findall(r"\b(?:user|by)=(\S+)", a["output"])
            checks.check(a["output"].strip() != "" and "<NA>" not in who,
                         f"{case['name']}: alert output {a['output']!r}")
        for r in fired:
            if r in fired_by:
                fired_by[r] += 1
        if case["covers"] not in case["expect"]:
            benign_for[case["covers"]] = benign_for.get(case["covers"], 0) + 1
    for n in names:
        checks.check(fired_by[n] > 0, f"rule {n!r}: no case fires it")
        checks.check(benign_for.get(n, 0) > 0, f"rule {n!r}: no benign look-alike case")
checks.finish()
