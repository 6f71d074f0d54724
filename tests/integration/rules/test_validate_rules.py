#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""saker -V through the rule engine: Falco's rules files validated against the loaded
plugins' fields, every error and warning with file:line:col and its code, exit 0/1, the
-o json result in the shape of Falco's -V JSON, plugin version requirements, and the field
registry of `saker --list -o json` read by the engine's test host.

Needs the saker binary and the k8saudit, cloudtrail and json plugins (SAKER_PLUGINS_DIR)."""
import json
import os
import re
import tempfile

import sakertest

c = sakertest.Checks("rules: saker -V")
plugins_dir = sakertest.plugins_dir()
for lib in ("libk8saudit.so", "libcloudtrail.so", "libjson.so"):
    if not os.path.exists(os.path.join(plugins_dir, lib)):
        sakertest.skip(f"{lib} is not built in {plugins_dir}")
work = tempfile.mkdtemp(prefix="saker-rules-validate-")


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


cfg = write("saker.yaml", f"""plugins_dir: {plugins_dir}
rules_files: []
plugins:
  - name: k8saudit
    library_path: libk8saudit.so
  - name: cloudtrail
    library_path: libcloudtrail.so
  - name: json
    library_path: libjson.so
load_plugins: [k8saudit, cloudtrail, json]
""")


def validate(*files, json_out=False):
    args = ["-c", cfg, "-V"] + list(files)
    if json_out:
        args += ["-o", "json"]
    return sakertest.run_saker(args)


# ---- upstream plugin rules compile against the real plugins ------------------------------------
rules_dir = sakertest.corpus_dir("rules")
for name in ("k8s_audit_rules.yaml", "aws_cloudtrail_rules.yaml"):
    path = os.path.join(rules_dir, name)
    p = validate(path)
    c.check(p.returncode == 0 and f"{path}: Ok" in p.stdout,
            f"{name}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    c.check(" error " not in p.stdout, f"{name}: errors reported:\n{p.stdout}")

# ---- errors: file:line:col, code, item, message; exit 1 ----------------------------------------
bad = write("bad.yaml", """- macro: verbs
  condition: ka.verb in (get, list)

- rule: Bad field
  desc: a field no plugin extracts
  condition: verbs and ka.nope = x
  output: "user=%ka.user.name"
  priority: WARNING
  source: k8s_audit
""")
p = validate(bad)
c.check(p.returncode == 1 and f"{bad}: Invalid" in p.stdout, f"bad: exit {p.returncode}")
want = (f"{bad}:6:24: error LOAD_ERR_COMPILE_CONDITION: rule 'Bad field': "
        "filter_check called with nonexistent field ka.nope")
c.check(want in p.stdout, f"bad: {want!r} not in:\n{p.stdout}")

syntax = write("syntax.yaml", """- rule: Unbalanced
  desc: d
  condition: >
    ka.verb = get and
    (ka.user.name = admin
  output: x
  priority: INFO
  source: k8s_audit
""")
p = validate(syntax)
c.check(p.returncode == 1 and re.search(
    rf"{re.escape(syntax)}:\d+:\d+: error LOAD_ERR_COMPILE_CONDITION: rule 'Unbalanced': "
    r"expected a '\)' token", p.stdout), f"syntax: {p.stdout}")

shape = write("shape.yaml", "- rule: Missing keys\n  desc: d\n  condition: ka.verb = get\n")
p = validate(shape)
c.check(p.returncode == 1 and f"{shape}:1:3: error LOAD_ERR_YAML_VALIDATE: rule 'Missing keys': "
        "Item has no mapping for key 'output'" in p.stdout, f"shape: {p.stdout}")

# ---- JSON result: Falco's shape ------------------------------------------------------------------
p = validate(bad, json_out=True)
doc = None
try:
    doc = json.loads(p.stdout)
except ValueError:
    pass
c.check(p.returncode == 1 and doc is not None, f"-V -o json: {p.stdout}")
if doc is not None:
    res = doc["falco_load_results"][0]
    c.check(res["name"] == bad and res["successful"] is False, f"json result: {res}")
    c.check(res.get("schema_valid") is True, f"schema_valid: {res}")
    err = res["errors"][0]
    c.check(err["code"] == "LOAD_ERR_COMPILE_CONDITION" and
            err["codedesc"] == "Error compiling condition" and
            "nonexistent field ka.nope" in err["message"], f"json error: {err}")
    locs = err["context"]["locations"]
    c.check([l["item_type"] for l in locs] == ["rules content", "rule", "condition expression"],
            f"locations: {locs}")
    c.check(locs[1]["item_name"] == "Bad field" and locs[1]["position"]["line"] == 3 and
            locs[2]["position"]["line"] == 5 and locs[2]["position"]["column"] == 23,
            f"0-based positions: {locs}")
    c.check(locs[2]["position"]["name"] == '"verbs and ka.nope..."', f"excerpt: {locs[2]}")
    c.check("^" in err["context"]["snippet"], f"snippet: {err['context']}")

# ---- warnings only: exit 0 ----------------------------------------------------------------------------
warn = write("warn.yaml", """- macro: never_used
  condition: ka.verb = get
- list: never_listed
  items: [a]
- rule: Any
  desc: d
  condition: ka.verb = delete
  output: "deleted by %ka.user.name"
  priority: NOTICE
  source: k8s_audit
  typo: 1
""")
p = validate(warn)
c.check(p.returncode == 0 and f"{warn}: Ok" in p.stdout, f"warn: exit {p.returncode} {p.stdout}")
for code in ("LOAD_UNUSED_MACRO", "LOAD_UNUSED_LIST", "LOAD_UNKNOWN_KEY"):
    c.check(f"warning {code}" in p.stdout, f"warn: no {code} in {p.stdout}")

# ---- several files: a reference resolves by the end of the file that makes it ------------------
m = write("m.yaml", "- macro: deletes\n  condition: ka.verb = delete\n")
r = write("r.yaml", "- rule: Deletes\n  desc: d\n  condition: deletes\n  output: x\n"
                    "  priority: INFO\n  source: k8s_audit\n")
p = validate(m, r)
c.check(p.returncode == 0, f"macro then rule: {p.stdout}")
p = validate(r, m)
c.check(p.returncode == 1 and "Undefined macro 'deletes' used in filter." in p.stdout,
        f"rule then macro: {p.stdout}")

# ---- required plugin versions against the loaded plugins --------------------------------------
ok_req = write("req_ok.yaml", """- required_plugin_versions:
  - name: k8saudit-eks
    version: 0.1.0
    alternatives:
      - name: k8saudit
        version: 0.1.0
""")
p = validate(ok_req)
c.check(p.returncode == 0, f"satisfied requirement: {p.stdout}")
new_req = write("req_new.yaml", "- required_plugin_versions:\n  - name: k8saudit\n"
                                "    version: 9.0.0\n")
p = validate(new_req)
c.check(p.returncode == 1 and re.search(r"Plugin 'k8saudit' version '[0-9.]+' is not compatible "
                                        r"with required plugin version '9.0.0'", p.stdout),
        f"too new: {p.stdout}")
none_req = write("req_none.yaml", "- required_plugin_versions:\n  - name: okta\n"
                                  "    version: 0.1.0\n")
p = validate(none_req)
c.check(p.returncode == 1 and "must load one of: okta (>= 0.1.0)" in p.stdout,
        f"absent plugin: {p.stdout}")
eng = write("engine.yaml", "- required_engine_version: 0.99.0\n")
p = validate(eng)
c.check(p.returncode == 1 and "Rules require engine version 0.99.0" in p.stdout,
        f"engine version: {p.stdout}")

# ---- the registry saker prints is what the engine's test host reads -----------------------------
tool = os.path.join(sakertest.build_dir(), "tests", "conformance", "rules", "rules_tool")
p = sakertest.run_saker(["-c", cfg, "--list", "-o", "json"])
c.check(p.returncode == 0, f"--list -o json: {p.stderr}")
if os.path.exists(tool) and p.returncode == 0:
    fields = write("fields.json", p.stdout)
    q = sakertest.run([tool, "load", "--fields", fields, "--source", "k8s_audit",
                       "--plugin", "k8saudit=0.18.0", "--plugin", "json=0.7.0",
                       os.path.join(rules_dir, "k8s_audit_rules.yaml")])
    res = json.loads(q.stdout) if q.stdout.strip() else {}
    c.check(res.get("ok") and res.get("num_enabled_rules", 0) > 0,
            f"k8s_audit_rules.yaml on the --list registry: {res.get('text')}")
c.finish()
