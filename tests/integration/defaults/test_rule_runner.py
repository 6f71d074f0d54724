# SPDX-License-Identifier: Apache-2.0
"""saker test itself, without root, on a capture of the default rule tests and
rules of its own: verdicts and their reasons, scopes, plain and gzip captures,
the summary line and exit status, skipped live cases, test-file errors with
their positions, engine errors, --list and -k."""
import gzip
import json
import os
import shutil
import tempfile

import sakertest as st

import defaultstest as dt

RULES = """
- rule: T Shadow By Cat
  desc: test rule
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow and proc.name = cat
  output: "shadow %fd.name by %proc.name"
  priority: WARNING
- rule: T Shadow Read
  desc: test rule
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow
  output: "shadow %fd.name by %proc.name"
  priority: NOTICE
"""

# Case names of the committed capture's recording: tree scopes find those processes.
OK = """
rules_files: [rules.yaml]
cases:
  - name: shadow-read-by-cat
    capture: credential_access.cap.gz
    scope: tree
    expect:
      fire: [{rule: T Shadow By Cat, output: by cat, priority: warning}]
  - name: shadow-read-by-login-tool
    capture: plain.cap
    scope: tree
    expect:
      fire: [T Shadow Read]
      no_fire: [T Shadow By Cat]
  - name: any-cat
    capture: plain.cap
    scope: {field: proc.name, value: cat}
    expect:
      fire: [{rule: "T Shadow*", count: 2}]
  - name: all-of-the-capture
    capture: credential_access.cap.gz
    expect:
      fire: [{rule: "T *", count: 3}]
  - name: live-only
    live: cat /etc/shadow > /dev/null
    expect:
      fire: [T Shadow By Cat]
"""

BAD = """
rules_files: [rules.yaml]
cases:
  - name: shadow-read-by-cat
    capture: credential_access.cap.gz
    expect:
      no_fire: [T Shadow By Cat]
  - name: shadow-read-by-login-tool
    capture: credential_access.cap.gz
    scope: tree
    expect:
      fire: [{rule: T Shadow Read, count: 5}]
  - name: not-recorded
    capture: missing.cap.gz
    expect:
      fire: [T Shadow Read]
"""

TYPO = """
rules_files: [rules.yaml]
cases:
  - name: a
    capture: plain.cap
    expect:
      fire: [T Shadow Read]
      no_fire: [T Shadow Rread]
"""

BROKEN = """
rules_files: [rules.yaml]
cases:
  - name: a
    capture: [plain.cap
"""

BAD_RULES = """
rules_files: [bad-rules.yaml]
cases:
  - name: a
    capture: plain.cap
    expect:
      fire: [T Broken]
  - name: b
    capture: plain.cap
    expect:
      no_fire: [T Broken]
"""

DAMAGED = """
rules_files: [rules.yaml]
cases:
  - name: a
    capture: damaged.cap.gz
    expect:
      fire: [T Shadow Read]
"""


def main():
    c = st.Checks("saker test runner")
    work = tempfile.mkdtemp(prefix="skr-ruletest-")
    os.chmod(work, 0o755)
    src = os.path.join(st.source_dir(), "rules", "tests", "captures", "credential_access.cap.gz")
    shutil.copy(src, os.path.join(work, "credential_access.cap.gz"))
    with gzip.open(src, "rb") as f, open(os.path.join(work, "plain.cap"), "wb") as out:
        shutil.copyfileobj(f, out)
    with open(src, "rb") as f:
        data = f.read()
    with open(os.path.join(work, "damaged.cap.gz"), "wb") as f:
        f.write(data[: len(data) // 2])
    files = {"rules.yaml": RULES, "ok.yaml": OK, "bad.yaml": BAD, "typo.yaml": TYPO,
             "broken.yaml": BROKEN, "bad-rules.yaml": "- rule: T Broken\n  desc: x\n"
             "  condition: evt.type = openat and\n  output: x\n  priority: INFO\n",
             "badrules.yaml": BAD_RULES, "damaged.yaml": DAMAGED}
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(work, name), 0o644)
    for name in os.listdir(work):
        os.chmod(os.path.join(work, name), 0o644)
    path = lambda n: os.path.join(work, n)  # noqa: E731

    # Passing cases; the live one is skipped without root (run as nobody when we are root).
    pre = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    p = st.run(pre + [st.saker_bin(), "test"] + dt.config_args() + [path("ok.yaml")], timeout=300)
    print(p.stdout)
    c.check(p.returncode == 0, f"passing file exits 0 (got {p.returncode}): {p.stderr[-1500:]}")
    c.check(dt.summary(p.stdout) == (4, 0, 1), f"4 passed, 0 failed, 1 skipped ({dt.summary(p.stdout)})")
    c.check("(1 live cases need root)" in p.stdout, "the summary says why live cases were skipped")
    for case in ("shadow-read-by-cat", "shadow-read-by-login-tool", "any-cat", "all-of-the-capture"):
        c.check(f"PASS  {path('ok.yaml')}: {case} [replay]" in p.stdout, f"PASS line for {case}")
    c.check(f"SKIP  {path('ok.yaml')}: live-only [live]: needs root" in p.stdout, "SKIP line")

    # Failing cases: one line each, with the reason; exit 1.
    p = dt.run_test([], [path("bad.yaml")])
    print(p.stdout)
    c.check(p.returncode == 1, f"failing file exits 1 (got {p.returncode})")
    c.check(dt.summary(p.stdout) == (0, 3, 0), f"0 passed, 3 failed ({dt.summary(p.stdout)})")
    c.check(f"FAIL  {path('bad.yaml')}: shadow-read-by-cat [replay]: 'T Shadow By Cat' fired: " in p.stdout,
            "a rule that must not fire is named with its output")
    c.check("'T Shadow Read' fired 1 times, expected at least 5 (fired: " in p.stdout,
            "a count short of its minimum is reported")
    c.check("not-recorded [replay]: capture file missing.cap.gz" in p.stdout and
            "saker test --record" in p.stdout, "a missing capture says how to record it")

    # Test-file errors: file:line:col, exit 1.
    p = dt.run_test([], [path("typo.yaml")])
    c.check(p.returncode == 1 and f"ERROR {path('typo.yaml')}:8:17: case 'a': no rule named "
            "'T Shadow Rread'" in p.stdout, f"unknown rule name with its position: {p.stdout}")
    p = dt.run_test([], [path("broken.yaml")])
    c.check(p.returncode == 1 and f"ERROR {path('broken.yaml')}:" in p.stdout,
            f"invalid YAML with its position: {p.stdout}")
    c.check(dt.summary(p.stdout) == (0, 1, 0), f"an invalid file counts as a failure: {p.stdout}")

    # The engine fails (rules do not compile): every case of the run fails with its message.
    p = dt.run_test([], [path("badrules.yaml")])
    c.check(p.returncode == 1 and p.stdout.count("the engine exited with status 1") == 2 and
            "bad-rules.yaml:3" in p.stdout, f"engine errors reach every case: {p.stdout}")
    p = dt.run_test([], [path("damaged.yaml")])
    c.check(p.returncode == 1 and "damaged gzip data" in p.stdout, f"a cut gzip capture: {p.stdout}")

    # -k selects cases; --list prints them as JSON without running anything.
    p = dt.run_test(["-k", "any-*", "--replay"], [path("ok.yaml")])
    c.check(p.returncode == 0 and dt.summary(p.stdout) == (1, 0, 0), f"-k any-*: {p.stdout}")
    p = st.run_saker(["test", "--list", path("ok.yaml")])
    listed = [json.loads(line) for line in p.stdout.splitlines()]
    c.check(p.returncode == 0 and [x["case"] for x in listed] ==
            ["shadow-read-by-cat", "shadow-read-by-login-tool", "any-cat", "all-of-the-capture",
             "live-only"], f"--list: {p.stdout}")
    c.check(listed[2]["scope"] == "field" and listed[4]["live"] and listed[4]["capture"] is None and
            listed[1]["no_fire"] == ["T Shadow By Cat"], f"--list fields: {listed}")

    # Usage errors.
    p = st.run_saker(["test"])
    c.check(p.returncode == 1 and "no test file given" in p.stderr, f"no file: {p.stderr}")
    p = st.run_saker(["test", "--replay", "--live", path("ok.yaml")])
    c.check(p.returncode == 1 and "exclude each other" in p.stderr, f"--replay --live: {p.stderr}")
    p = st.run_saker(["test", "--help"])
    c.check(p.returncode == 0 and "Usage: saker test" in p.stdout, "--help")

    if not c.failed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work directory kept: {work}")
    c.finish()


if __name__ == "__main__":
    main()
