# SPDX-License-Identifier: Apache-2.0
"""The default ruleset against its committed captures, without root:

- every rule of rules/saker_rules.yaml (at least 40) has a case that must fire it
  and a benign look-alike that must not, each with a capture and a live snippet;
- saker test --replay rules/tests/saker_*.yaml passes every case, prints one PASS
  line per case and the summary "N passed, 0 failed, 0 skipped", and exits 0;
- the committed captures stay small.
"""
import os

import sakertest as st

import defaultstest as dt

MIN_RULES = 40
MAX_CAPTURE_BYTES = 4 * 1024 * 1024


def main():
    c = st.Checks("default rules replayed")
    files = dt.test_files()
    rules = dt.rule_names()
    cases = dt.list_cases(files)
    c.check(len(rules) >= MIN_RULES, f"at least {MIN_RULES} rules (got {len(rules)})")
    c.check(len(set(rules)) == len(rules), "rule names are unique")
    for r in rules:
        fires = [k for k in cases if r in k["fire"] and k["capture"] and k["live"]]
        quiet = [k for k in cases if r in k["no_fire"] and k["capture"] and k["live"]]
        c.check(fires, f"rule {r!r} has a case that fires it (capture and live)")
        c.check(quiet, f"rule {r!r} has a benign look-alike that must not fire it")
    for k in cases:
        for name in k["fire"] + k["no_fire"]:
            c.check(name in rules, f"{k['case']}: names rule {name!r} of saker_rules.yaml")

    size = 0
    for k in {k["capture"] for k in cases if k["capture"]}:
        path = os.path.join(st.source_dir(), "rules", "tests", k)
        c.check(os.path.exists(path), f"capture {k} is committed")
        size += os.path.getsize(path) if os.path.exists(path) else 0
    print(f"captures: {size} bytes")
    c.check(size <= MAX_CAPTURE_BYTES, f"captures take at most {MAX_CAPTURE_BYTES} bytes (got {size})")

    p = dt.run_test(["--replay"], files, timeout=800)
    print("\n".join(line for line in p.stdout.splitlines() if not line.startswith("PASS ")))
    want = len([k for k in cases if k["capture"]])
    c.check(p.returncode == 0, f"saker test --replay exits 0 (got {p.returncode}): {p.stderr[-2000:]}")
    c.check(dt.summary(p.stdout) == (want, 0, 0),
            f"summary says {want} passed, 0 failed, 0 skipped (got {dt.summary(p.stdout)})")
    lines = [line for line in p.stdout.splitlines() if line.startswith("PASS ")]
    c.check(len(lines) == want, f"one PASS line per replayed case ({len(lines)} of {want})")
    for k in cases:
        if k["capture"]:
            tag = f": {k['case']} [replay]"
            c.check(any(line.endswith(tag) for line in lines), f"PASS line for {k['case']}")
    c.finish()


if __name__ == "__main__":
    main()
