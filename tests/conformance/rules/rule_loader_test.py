# SPDX-License-Identifier: Apache-2.0
"""Conformance: every case of ../shared/corpus/rule_loader/cases.yaml (upstream
Falco rules-loader tests) run against the engine, step by step.

The upstream harness has one engine with the syscall source; its fields come
from the fields document given as argv[2] (the test fixture
syscall_fields.fixture.json, or SAKER_RULES_FIELDS when set to the real
registry printed by `saker --list -o json`).

usage: rule_loader_test.py RULES_TOOL FIELDS_JSON
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import sakertest as st


def load_cases(tool, path):
    p = st.run([tool, "yaml2json", path], check=True)
    return json.loads(p.stdout)["cases"]


def describe_get(desc, rule_filter, path):
    """The value at path in the describe JSON, with rules filtered by name."""
    cur = desc
    for i, key in enumerate(path):
        if i == 0 and key == "rules" and rule_filter is not None:
            cur = [r for r in cur["rules"] if r["info"]["name"] == rule_filter]
            continue
        cur = cur[key]
    return cur


def same_value(got, want):
    if isinstance(want, str) and re.fullmatch(r"\d+u", want):
        want = int(want[:-1])  # an upstream unsigned literal ("15000u")
    return got == want


def any_contains(items, text):
    return any(text in d["message"] for d in items)


def run_case(tool, fields, case, checks, tmp):
    name = case["name"]
    res = None
    for step in case["steps"]:
        if "load" in step:
            ld = step["load"]
            path = os.path.join(tmp, ld["file"])
            with open(path, "w", encoding="utf-8") as f:
                f.write(ld["content"])
            p = st.run([tool, "load", "--fields", fields, "--source", "syscall", "--describe", "-",
                        path])
            try:
                res = json.loads(p.stdout)
            except json.JSONDecodeError:
                checks.check(False, f"{name}: the tool printed no JSON (exit {p.returncode}): "
                                    f"{p.stderr.strip()}")
                return
            want_ok = ld["expect"] == "ok"
            checks.check(res["ok"] == want_ok,
                         f"{name}: load expected {ld['expect']}, got "
                         f"{'ok' if res['ok'] else 'error'}: {res['text'].strip()}")
            os.unlink(path)
            continue
        if res is None:
            checks.check(False, f"{name}: a step before any load")
            continue
        if "schema_validation" in step:
            results = res["falco_json"]["falco_load_results"]
            valid = results[-1].get("schema_valid") if results else None
            want = step["schema_validation"] == "ok"
            checks.check(valid == want,
                         f"{name}: schema validation expected {step['schema_validation']}, got "
                         f"{valid}: {results[-1].get('schema_warnings') if results else None}")
        elif "error_message_contains" in step:
            got = any_contains(res["errors"], step["error_message_contains"])
            checks.check(got == step["expected"],
                         f"{name}: error containing {step['error_message_contains']!r} "
                         f"expected {step['expected']}; errors: {[e['message'] for e in res['errors']]}")
        elif "warning_message_contains" in step:
            got = any_contains(res["warnings"], step["warning_message_contains"])
            checks.check(got == step["expected"],
                         f"{name}: warning containing {step['warning_message_contains']!r} "
                         f"expected {step['expected']}; warnings: "
                         f"{[w['message'] for w in res['warnings']]}")
        elif "has_warnings" in step:
            checks.check(bool(res["warnings"]) == step["has_warnings"],
                         f"{name}: has_warnings expected {step['has_warnings']}: "
                         f"{[w['message'] for w in res['warnings']]}")
        elif "load_successful" in step:
            checks.check(res["ok"] == step["load_successful"],
                         f"{name}: load_successful expected {step['load_successful']}")
        elif "compiled_condition" in step or "compiled_output" in step:
            key = "compiled_condition" if "compiled_condition" in step else "compiled_output"
            want = step[key]
            rules = [r for r in res["rules"] if r["name"] == want["rule"]]
            got = (rules[0]["condition" if key == "compiled_condition" else "output"]
                   if rules else None)
            checks.check(got == want["equals"],
                         f"{name}: {key} of {want['rule']!r}:\n    got  {got!r}\n    want "
                         f"{want['equals']!r}")
        elif "describe" in step:
            d = step["describe"]
            try:
                got = describe_get(res["describe"], d["rule_filter"], d["path"])
            except (KeyError, IndexError, TypeError) as e:
                checks.check(False, f"{name}: describe path {d['path']} missing ({e})")
                continue
            if "size" in d:
                checks.check(len(got) == d["size"],
                             f"{name}: describe {d['path']} size {len(got)}, want {d['size']}")
            else:
                checks.check(same_value(got, d["equals"]),
                             f"{name}: describe {d['path']} = {got!r}, want {d['equals']!r}")
        elif "num_enabled_rules" in step:
            checks.check(res.get("num_enabled_rules") == step["num_enabled_rules"],
                         f"{name}: num_enabled_rules {res.get('num_enabled_rules')}, want "
                         f"{step['num_enabled_rules']}")
        else:
            checks.check(False, f"{name}: unknown step {step}")
    also = case.get("also_asserted")
    if also and res is not None:
        check_also(name, also, res, checks)


def check_also(name, text, res, checks):
    """The two context assertions of the corpus, stated in words."""
    m = re.match(r"the first error's context snippet contains the text '(.*)'$", text)
    if m:
        snip = res["errors"][0]["snippet"] if res["errors"] else ""
        checks.check(m.group(1) in snip, f"{name}: first error snippet lacks {m.group(1)!r}: "
                                         f"{snip!r}")
        return
    m = re.match(r"a warning with code (\w+) exists; its context snippet does not contain "
                 r"'(.*)' and does contain '(.*)'$", text)
    if m:
        ws = [w for w in res["warnings"] if w["code"] == m.group(1)]
        ok = any(m.group(2) not in w["snippet"] and m.group(3) in w["snippet"] for w in ws)
        checks.check(ok, f"{name}: no {m.group(1)} warning with the expected snippet: "
                         f"{[w['snippet'] for w in ws]}")
        return
    checks.check(False, f"{name}: unrecognised also_asserted text: {text}")


def main():
    tool, fields = sys.argv[1], sys.argv[2]
    fields = os.environ.get("SAKER_RULES_FIELDS") or fields
    cases = load_cases(tool, os.path.join(st.corpus_dir("rule_loader"), "cases.yaml"))
    checks = st.Checks("rule_loader conformance (steps)")
    passed_cases = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            before = len(checks.failed)
            run_case(tool, fields, case, checks, tmp)
            if len(checks.failed) == before:
                passed_cases += 1
    print(f"rule_loader cases: {passed_cases}/{len(cases)} passed (fields: "
          f"{os.path.basename(fields)})", flush=True)
    checks.finish()


if __name__ == "__main__":
    main()
