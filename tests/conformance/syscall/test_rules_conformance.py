# SPDX-License-Identifier: Apache-2.0
"""Conformance of the syscall plugin's field and event-type registry.

1. `saker --list -o json` with the syscall and container plugins: the real
   registry (every field the plugins publish, every event type).
2. `saker -V falco_rules.yaml` with those plugins: zero errors and warnings;
   the rule engine loads every rule of the file against the registry.
3. The rule engine's conformance scripts (filters cases.jsonl compile rows,
   rule_loader cases.yaml) run against the real registry instead of the
   test fixture (SAKER_RULES_FIELDS), plus the compile rows that need the
   per-parameter types of evt.rawarg, which only the real plugin has.

The mock fields of upstream's compiler tests (c.*, sample.*) are added to the
registry: they exist only in those tests.

usage: test_rules_conformance.py RULES_TOOL
"""
import json
import os
import sys
import tempfile

import sakertest as st

MOCK_FIELDS = [
    ("c.true", "string"), ("c.false", "string"), ("c.buffer", "bytebuf"),
    ("c.doublequote", "string"), ("c.singlequote", "string"), ("sample.is_open", "uint64"),
    ("sample.proc_name", "string"), ("sample.tick", "string"),
]

# Compile rows whose field type depends on the event parameter (evt.rawarg.NAME).
RAWARG_ROWS = ["evt.rawarg.addr > 0", "evt.rawarg.tuple > 0"]


def config(work):
    path = os.path.join(work, "saker.yaml")
    with open(path, "w") as f:
        f.write(f"""plugins_dir: {st.plugins_dir()}
plugins:
  - name: syscall
    library_path: libsyscall.so
  - name: container
    library_path: libcontainer.so
load_plugins: [syscall, container]
rules_files: []
""")
    return path


def main():
    tool = sys.argv[1]
    rules_dir = os.path.join(st.source_dir(), "tests", "conformance", "rules")
    upstream = os.path.join(st.corpus_dir("rules"), "falco_rules.yaml")
    c = st.Checks("syscall registry conformance")
    with tempfile.TemporaryDirectory() as work:
        cfg = config(work)

        # 1. the registry
        p = st.run_saker(["-c", cfg, "--list", "-o", "json"], timeout=120)
        c.check(p.returncode == 0, f"saker --list exited {p.returncode}: {p.stderr[-2000:]}")
        reg = json.loads(p.stdout)
        names = {f["name"] for f in reg["fields"]}
        for need in ("evt.type", "proc.name", "proc.aname", "fd.name", "fs.path.name",
                     "user.name", "group.name", "thread.cap_effective", "evt.arg", "evt.rawarg",
                     "container.id"):
            c.check(need in names, f"registry lacks {need}")
        types = {e["name"] for e in reg["event_types"]["syscall"]}
        for need in ("openat", "execve", "execveat", "procexit", "connect", "ptrace", "getpid",
                     "memfd_create"):
            c.check(need in types, f"registry lacks event type {need}")
        for name, ftype in MOCK_FIELDS:
            reg["fields"].append({"source": "syscall", "plugin": "mock", "name": name,
                                  "type": ftype, "desc": "mock field of upstream's compiler tests",
                                  "list": False, "properties": []})
        fields = os.path.join(work, "registry.json")
        with open(fields, "w") as f:
            json.dump(reg, f)

        # 2. the upstream rules validate with zero errors and warnings
        p = st.run_saker(["-c", cfg, "-o", "json", "-V", upstream], timeout=300)
        res = json.loads(p.stdout)["falco_load_results"][0] if p.stdout.strip() else {}
        c.check(p.returncode == 0 and res.get("successful"),
                f"saker -V falco_rules.yaml: rc {p.returncode}, {res or p.stderr[-2000:]}")
        c.check(not res.get("errors"), f"errors: {res.get('errors')}")
        c.check(not res.get("warnings"), f"warnings: {res.get('warnings')}")
        doc = json.loads(st.run([tool, "yaml2json", upstream], check=True).stdout)
        in_file = {i["rule"] for i in doc if isinstance(i, dict) and "rule" in i}
        p = st.run_saker(["-c", cfg, "--list-plugins", "-o", "json"], timeout=120)
        plugins = [f"{pl['name']}={pl['version']}" for pl in json.loads(p.stdout)["plugins"]]
        args = [tool, "load", "--fields", fields, "--source", "syscall", "--describe", "-"]
        for pl in plugins:
            args += ["--plugin", pl]
        p = st.run(args + [upstream], timeout=300)
        desc = json.loads(p.stdout) if p.stdout.strip() else {}
        loaded = {r.get("name") or r["info"]["name"] for r in desc.get("rules", [])}
        c.check(desc.get("ok") and not desc.get("errors") and not desc.get("warnings"),
                f"rule engine load: {desc.get('text', p.stderr)[-2000:]}")
        c.check(in_file and in_file == loaded,
                f"rules loaded {len(loaded)} of {len(in_file)}; missing {sorted(in_file - loaded)[:10]}")
        print(f"falco_rules.yaml: {len(loaded)}/{len(in_file)} rules compiled", flush=True)

        # 3. rows needing the real evt.rawarg types
        inp = "".join(json.dumps({"expr": e}) + "\n" for e in RAWARG_ROWS)
        p = st.run([tool, "compile", "--fields", fields, "--source", "syscall"], input=inp)
        outs = [json.loads(line) for line in p.stdout.splitlines()]
        rows = {}
        with open(os.path.join(st.corpus_dir("filters"), "cases.jsonl"), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    rows[r["expression"]] = r["expect"]
        for expr, out in zip(RAWARG_ROWS, outs):
            want = rows.get(expr)
            c.check(want in ("compile_ok", "compile_error"), f"{expr!r} is not a compile row")
            c.check(out["ok"] == (want == "compile_ok"),
                    f"{want} {expr!r}: got {'ok' if out['ok'] else out.get('error')}")
        c.check(len(outs) == len(RAWARG_ROWS), "rules_tool answered every rawarg row")

        # the rule engine's own conformance scripts, on the real registry
        env = dict(os.environ, SAKER_RULES_FIELDS=fields)
        for script in ("filters_test.py", "rule_loader_test.py"):
            p = st.run([sys.executable, os.path.join(rules_dir, script), tool, fields], env=env,
                       timeout=900)
            summary = [line for line in p.stdout.splitlines()
                       if "passed" in line or "not run" in line]
            for line in summary:
                print(f"{script}: {line}", flush=True)
            fails = [line for line in p.stdout.splitlines() if line.strip().startswith("FAIL")]
            for line in fails[:20]:
                print(f"{script}: {line}", flush=True)
            c.check(p.returncode == 0, f"{script} on the real registry exited {p.returncode}")
    c.finish()


if __name__ == "__main__":
    main()
