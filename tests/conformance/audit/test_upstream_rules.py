#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Falco's k8s_audit_rules.yaml and aws_cloudtrail_rules.yaml with Saker's
k8saudit, cloudtrail and json plugins: both load with no error and every rule
compiled; the upstream samples replayed through them (and through the
upstream tests' override files) raise the alerts k8saudit/EXPECTED.md and
cloudtrail/EXPECTED.md state. Where upstream states no expectation, the test
asserts what the rules' conditions imply (IMPLIED below, with the reason).

falco_rules.yaml, which upstream also loads in these tests, holds only
syscall rules and is left out: it cannot affect k8s_audit events."""
import json
import os
import re

import replay
import sakertest

checks = sakertest.Checks("upstream audit rules")
engine = replay.pick_engine()
C = sakertest.corpus_dir()

# Rows of k8saudit/EXPECTED.md whose current expectation is "no alert assertion", keyed by
# (sample, rules files): the alerts the rules' conditions imply, rule -> count.
IMPLIED = {
    # engine_v4's "Create HostNetwork Pod" replaces the current one and checks its own
    # falco_hostnetwork_images list; trust_nginx_container.yaml only extends the current
    # k8s_audit_hostnetwork_images, so nginx is not trusted by the rule that runs.
    ("create_nginx_pod_hostnetwork.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/engine_v4_k8s_audit_rules.yaml",
     "k8saudit/test_rules/trust_nginx_container.yaml")): {"Create HostNetwork Pod": 1},
    # nginx is in k8s_audit_hostnetwork_images now; nothing else matches the pod.
    ("create_nginx_pod_hostnetwork.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/trust_nginx_container.yaml")): {},
    # no hostNetwork, no privilege, no sensitive mount; every user and image allowed.
    ("create_nginx_pod_nohostnetwork.json", ("rules/k8s_audit_rules.yaml",)): {},
    ("create_nginx_pod_nohostnetwork.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/trust_nginx_container.yaml")): {},
    # as for host network: engine_v4's rule checks falco_privileged_images.
    ("create_nginx_pod_privileged.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/engine_v4_k8s_audit_rules.yaml",
     "k8saudit/test_rules/trust_nginx_container.yaml")): {"Create Privileged Pod": 1},
    ("create_nginx_pod_privileged.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/trust_nginx_container.yaml")): {},
    ("create_nginx_pod_sensitive_mount.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/trust_nginx_container.yaml")): {},
    # allow_nginx_container.yaml allows the pod's only image; no other rule matches.
    ("create_nginx_pod_unprivileged.json", ("k8saudit/test_rules/engine_v4_k8s_audit_rules.yaml",
     "k8saudit/test_rules/engine_v4/allow_nginx_container.yaml")): {},
    ("create_nginx_pod_unprivileged.json",
     ("k8saudit/test_rules/engine_v4_k8s_audit_rules.yaml",)): {},
    ("create_nginx_pod_unprivileged.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/allow_nginx_container.yaml")): {},
    ("create_nginx_pod_unprivileged.json", ("rules/k8s_audit_rules.yaml",)): {},
    ("create_nginx_pod_unprivileged.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/trust_nginx_container.yaml")): {},
    # the host paths mounted are not in sensitive_vol_mount's list.
    ("create_nginx_pod_unsensitive_mount.json", ("rules/k8s_audit_rules.yaml",)): {},
    ("create_nginx_pod_unsensitive_mount.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/trust_nginx_container.yaml")): {},
    # namespace foo and user some-user allowed, activity rules switched off.
    ("some-user_creates_namespace_foo.json", ("rules/k8s_audit_rules.yaml",
     "k8saudit/test_rules/allow_namespace_foo.yaml",
     "k8saudit/test_rules/allow_user_some-user.yaml",
     "k8saudit/test_rules/disallow_kactivity.yaml")): {},
}

PRIO = {"INFO": "INFORMATIONAL"}


def norm_prio(p):
    p = p.upper()
    return PRIO.get(p, p)


def expected_rows():
    for line in open(os.path.join(C, "k8saudit", "EXPECTED.md")):
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        sample = cells[0].strip("`")
        files = tuple(re.findall(r"`([^`]+\.yaml)`", cells[2]))
        yield sample, cells[1], files, cells[3]


def validate_upstream_files():
    for rules, plugins in [("rules/k8s_audit_rules.yaml", ["k8saudit", "json"]),
                           ("rules/aws_cloudtrail_rules.yaml", ["cloudtrail", "json"])]:
        path = os.path.join(C, rules)
        ok, errors, warnings, text = engine.validate([path], plugins)
        checks.check(ok and not errors, f"{rules} does not load: {text}")
        print(f"   {rules}: {len(errors)} errors, {len(warnings)} warnings, "
              f"{engine.loaded_rules} rules loaded", flush=True)
        # every rule compiled: all the enabled ones are loaded
        want = replay.count_rules(path) - replay.count_disabled_rules(path)
        checks.check(engine.loaded_rules == want,
                     f"{rules}: {engine.loaded_rules} rules loaded, want {want}")
        if hasattr(engine, "last_rules"):
            checks.check(len(engine.last_rules) == replay.count_rules(path),
                         f"{rules}: {len(engine.last_rules)} rules compiled of "
                         f"{replay.count_rules(path)}")
        # a rule of an unknown source or with an unknown field would be skipped with a warning
        bad = [w for w in warnings if w.get("code") in ("LOAD_UNKNOWN_SOURCE", "LOAD_UNKNOWN_FIELD")]
        checks.check(not bad, f"{rules}: rules skipped: {bad}")


def replay_k8saudit():
    for sample, test, files, expect in expected_rows():
        path = os.path.join(C, "k8saudit", "samples", sample)
        events = []
        for line in open(path):
            if line.strip():
                events.append(json.loads(line))
        what = f"{sample} [{test}]"
        if sample == "fal_01_003.json":
            # the plugin itself must reject it: replay it as is
            alerts, stderr = engine.run("k8s_audit", [os.path.join(C, f) for f in files], events)
            checks.check(sum(len(a) for a in alerts) == 0, f"{what}: alerts raised")
            checks.check("data not recognized as a k8s audit event" in stderr,
                         f"{what}: stderr lacks the rejection: {stderr[-500:]!r}")
            continue
        per_event, _ = engine.run("k8s_audit", [os.path.join(C, f) for f in files], events)
        counts, prios = {}, set()
        for alerts in per_event:
            for a in alerts:
                counts[a["rule"]] = counts.get(a["rule"], 0) + 1
                prios.add(norm_prio(a["priority"]))
        m = re.search(r'rule "([^"]+)" fires exactly (\d+)x', expect)
        p = re.search(r">=1 alert with priority (\w+)", expect)
        if m:
            checks.check(counts.get(m.group(1), 0) == int(m.group(2)),
                         f"{what}: {m.group(1)!r} fired {counts.get(m.group(1), 0)}x, "
                         f"want {m.group(2)} (all: {counts})")
            if p:
                checks.check(norm_prio(p.group(1)) in prios,
                             f"{what}: no alert of priority {p.group(1)} ({prios})")
        elif expect.startswith("0 alerts in total"):
            checks.check(not counts, f"{what}: want no alert, got {counts}")
        elif "no alert assertion" in expect:
            want = IMPLIED.get((sample, files))
            checks.check(want is not None, f"{what}: no implied expectation recorded")
            if want is not None:
                checks.check(counts == want, f"{what}: got {counts}, the rules imply {want}")
        else:
            checks.check(False, f"{what}: expectation not understood: {expect!r}")


def replay_cloudtrail():
    records = json.load(open(os.path.join(C, "cloudtrail", "samples",
                                          "alice_start_instances.json")))["Records"]
    # cloudtrail/EXPECTED.md: "Cloudtrail Create Instance" fires exactly once, priority INFO
    per_event, _ = engine.run("aws_cloudtrail",
                              [os.path.join(C, "cloudtrail/test_rules/cloudtrail_create_instances"
                                               ".yaml")], records)
    got = [a for alerts in per_event for a in alerts]
    checks.check([a["rule"] for a in got] == ["Cloudtrail Create Instance"],
                 f"cloudtrail_create_instances: {got}")
    checks.check(all(norm_prio(a["priority"]) == "INFORMATIONAL" for a in got),
                 f"cloudtrail_create_instances priority: {got}")
    checks.check(all("user name=Alice" in a["output"] for a in got),
                 f"json.value in the output: {got}")
    # no rule of aws_cloudtrail_rules.yaml is about StartInstances (and the catch-all rule is
    # disabled): the sample raises nothing there
    per_event, _ = engine.run("aws_cloudtrail", [os.path.join(C, "rules/aws_cloudtrail_rules.yaml")],
                              records)
    checks.check(sum(len(a) for a in per_event) == 0, f"aws_cloudtrail_rules: {per_event}")
    # a rules file requiring a newer plugin than loaded is refused with upstream's message
    ok, errors, _, text = engine.validate(
        [os.path.join(C, "cloudtrail/test_rules/cloudtrail_incompat_plugin_version.yaml")],
        ["cloudtrail", "json"])
    checks.check(not ok and re.search(r"Plugin 'cloudtrail' version '.*' is not compatible with "
                                      r"required plugin version '100000\.0\.0'", text),
                 f"incompatible plugin version: {text!r}")


def saker_cloudtrail_facts():
    """cloudtrail/EXPECTED.md's facts about the saker binary itself (saker engine only)."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="audit-ct-") as d:
        cfg = os.path.join(d, "with.yaml")
        with open(cfg, "w") as f:
            f.write("\n".join(replay.plugins_config([("cloudtrail", None), ("json", None)])) + "\n")
        p = sakertest.run_saker(["-c", cfg] + replay.saker_args() + ["--list"], timeout=60)
        checks.check(p.returncode == 0 and re.search(r"^ct\.id\b", p.stdout, re.M),
                     f"--list with cloudtrail+json lacks ct.id: {p.stderr}")
        p = sakertest.run_saker(["-c", cfg] + replay.saker_args() + ["--list-plugins"], timeout=60)
        names = re.findall(r"^Name: (\S+)", p.stdout, re.M)
        checks.check(p.returncode == 0 and sorted(names) == ["cloudtrail", "json"],
                     f"--list-plugins: {names} {p.stderr}")
        none = os.path.join(d, "none.yaml")
        with open(none, "w") as f:
            f.write("plugins: []\nload_plugins: []\n")
        for name in ["cloudtrail_create_instances.yaml", "cloudtrail_create_instances_exceptions.yaml"]:
            p = sakertest.run_saker(["-c", none] + replay.saker_args() + [
                "-o", "json", "-V", os.path.join(C, "cloudtrail", "test_rules", name)], timeout=60)
            doc = json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else {}
            warnings = [w for r in doc.get("falco_load_results", []) for w in r.get("warnings", [])]
            checks.check(p.returncode == 0 and any(
                w.get("code") == "LOAD_UNKNOWN_SOURCE" and
                w.get("message") == "Unknown source aws_cloudtrail, skipping" for w in warnings),
                f"{name} with no plugins: rc {p.returncode}, {warnings}")


print("== validating the upstream rule files", flush=True)
validate_upstream_files()
print("== k8saudit samples (k8saudit/EXPECTED.md)", flush=True)
replay_k8saudit()
print("== cloudtrail sample (cloudtrail/EXPECTED.md)", flush=True)
replay_cloudtrail()
if isinstance(engine, replay.SakerEngine):
    saker_cloudtrail_facts()
checks.finish()
