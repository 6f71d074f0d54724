# SPDX-License-Identifier: Apache-2.0
"""Conformance: every item of the upstream rules files in ../shared/corpus/rules/
(falco_rules.yaml first) loads in syntax-only mode, i.e. with no field registry:
each condition parses after list, exception and macro expansion, each output's
%fields parse, and nothing is reported. The compiled (canonical) condition of
every rule is parsed again and must print the same (a stable canonical form).
Binding the fields is the acceptance of the plugins, not of this test.

usage: upstream_rules_parse_test.py RULES_TOOL
"""
import json
import os
import sys

import sakertest as st

# Files loaded together, in order (an add-on needs its base file first).
GROUPS = [
    ["falco_rules.yaml"],
    ["k8s_audit_rules.yaml", "k8s_audit_rules_gke.yaml"],
    ["aws_cloudtrail_rules.yaml"],
    ["gcp_auditlog_rules.yaml"],
    ["github.yaml"],
    ["okta_rules.yaml"],
]


def items(tool, path):
    p = st.run([tool, "yaml2json", path], check=True)
    return json.loads(p.stdout) or []


def main():
    tool = sys.argv[1]
    base = st.corpus_dir("rules")
    checks = st.Checks("upstream rules files parse (syntax only)")
    for group in GROUPS:
        paths = [os.path.join(base, f) for f in group]
        if not all(os.path.exists(p) for p in paths):
            checks.check(False, f"missing corpus file in {group}")
            continue
        p = st.run([tool, "load", "--syntax-only", "--describe", "-"] + paths)
        res = json.loads(p.stdout)
        label = "+".join(group)
        checks.check(res["ok"] and not res["errors"],
                     f"{label}: load failed: {res['text'].strip()}")
        checks.check(not res["warnings"], f"{label}: unexpected warnings: {res['text'].strip()}")
        rules, macros, lists = set(), set(), set()
        for path in paths:
            for it in items(tool, path):
                if "rule" in it:
                    rules.add(it["rule"])
                elif "macro" in it:
                    macros.add(it["macro"])
                elif "list" in it:
                    lists.add(it["list"])
        got_rules = {r["name"] for r in res["rules"]}
        checks.check(got_rules == rules,
                     f"{label}: rules parsed {len(got_rules)} of {len(rules)}: "
                     f"missing {sorted(rules - got_rules)[:5]}")
        desc = res.get("describe") or {}
        checks.check({m["info"]["name"] for m in desc.get("macros", [])} == macros,
                     f"{label}: not every macro parsed")
        checks.check({l["info"]["name"] for l in desc.get("lists", [])} == lists,
                     f"{label}: not every list was read")
        conds = [r["condition"] for r in res["rules"]]
        inp = "".join(json.dumps({"expr": c}) + "\n" for c in conds)
        pp = st.run([tool, "parse", "--depth", "1000"], input=inp)
        for cond, line in zip(conds, pp.stdout.splitlines()):
            out = json.loads(line)
            checks.check(out["ok"] and out["ast"] == cond,
                         f"{label}: canonical condition does not reparse to itself: {cond[:100]!r}")
        print(f"{label}: {len(got_rules)} rules, {len(macros)} macros, {len(lists)} lists",
              flush=True)
    checks.finish()


if __name__ == "__main__":
    main()
