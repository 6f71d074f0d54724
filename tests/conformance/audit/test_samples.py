#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every upstream k8saudit and cloudtrail sample through the plugins' file
sources, field values compared with an independent reading of the sample in
Python: the number of events, their times and the common fields. The
FAL-01-003 fixture must be rejected with upstream's message."""
import calendar
import glob
import json
import os
import re

import common
import sakertest

checks = sakertest.Checks("audit samples")


def rfc3339_ns(s):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z", s)
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]))
    frac = (m.group(7) or "").ljust(9, "0")[:9]
    return secs * 1000000000 + int(frac)


def text(v):
    """The string form upstream gives a JSON value."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def dig(obj, *keys):
    for k in keys:
        if not isinstance(obj, dict) or k not in obj:
            return None
        obj = obj[k]
    return obj


K8S_FIELDS = {
    "ka.auditid": lambda e: text(dig(e, "auditID")),
    "ka.stage": lambda e: text(dig(e, "stage")),
    "jevt.value[/stage]": lambda e: text(dig(e, "stage")),
    "ka.verb": lambda e: text(dig(e, "verb")),
    "ka.user.name": lambda e: text(dig(e, "user", "username")),
    "ka.user.groups": lambda e: [text(g) for g in dig(e, "user", "groups")]
    if isinstance(dig(e, "user", "groups"), list) else None,
    "ka.uri": lambda e: text(dig(e, "requestURI")),
    "ka.target.resource": lambda e: text(dig(e, "objectRef", "resource")),
    "ka.target.subresource": lambda e: text(dig(e, "objectRef", "subresource")),
    "ka.target.name": lambda e: text(dig(e, "objectRef", "name")),
    "ka.target.namespace": lambda e: text(dig(e, "objectRef", "namespace")),
    "ka.response.code": lambda e: text(dig(e, "responseStatus", "code")),
    "ka.auth.decision": lambda e: text(dig(e, "annotations", "authorization.k8s.io/decision")),
    "ka.resp.name": lambda e: text(dig(e, "responseObject", "metadata", "name")),
    "ka.req.configmap.obj": lambda e: text(dig(e, "requestObject", "data")),
    "ka.req.pod.host_network": lambda e: text(dig(e, "requestObject", "spec", "hostNetwork")),
    "ka.req.binding.role": lambda e: text(dig(e, "requestObject", "roleRef", "name")),
    "ka.req.service.type": lambda e: text(dig(e, "requestObject", "spec", "type")),
    "ka.req.pod.containers.image": lambda e: (
        [text(c.get("image")) for c in dig(e, "requestObject", "spec", "containers")] or None)
    if isinstance(dig(e, "requestObject", "spec", "containers"), list) else None,
    "ka.req.pod.containers.privileged": lambda e: (
        [text(dig(c, "securityContext", "privileged"))
         for c in dig(e, "requestObject", "spec", "containers")
         if dig(c, "securityContext", "privileged") is not None] or None)
    if isinstance(dig(e, "requestObject", "spec", "containers"), list) else None,
    "ka.req.pod.volumes.hostpath": lambda e: (
        [text(dig(v, "hostPath", "path")) for v in dig(e, "requestObject", "spec", "volumes")
         if dig(v, "hostPath", "path") is not None] or None)
    if isinstance(dig(e, "requestObject", "spec", "volumes"), list) else None,
    "ka.req.role.rules.resources": lambda e: (
        [text(x) for r in dig(e, "requestObject", "rules") for x in (r.get("resources") or [])]
        or None) if isinstance(dig(e, "requestObject", "rules"), list) else None,
}


def expected_k8s_events(path):
    out = []
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        doc = json.loads(line)
        if isinstance(doc, dict) and doc.get("kind") == "Event" and "stageTimestamp" in doc:
            out.append(doc)
    return out


def check_k8saudit():
    samples = sorted(glob.glob(os.path.join(sakertest.corpus_dir("k8saudit/samples"), "*.json")))
    checks.check(len(samples) >= 30, f"only {len(samples)} k8saudit samples found")
    extra = []
    for f in K8S_FIELDS:
        extra += ["--field", f]
    extra += ["--field", "jevt.rawtime"]
    for path in samples:
        name = os.path.basename(path)
        events, summary, p = common.run_host([("k8saudit", None), ("json", None)],
                                             ["--open", path] + extra)
        checks.check(p.returncode == 0 and summary is not None and summary["stop"] == "eof",
                     f"{name}: plughost failed: {p.stderr.strip()}")
        if name == "fal_01_003.json":
            checks.check(len(events) == 0, f"{name}: {len(events)} events, want none")
            checks.check("data not recognized as a k8s audit event" in p.stderr,
                         f"{name}: stderr lacks upstream's message: {p.stderr!r}")
            continue
        want = expected_k8s_events(path)
        checks.check(len(events) == len(want), f"{name}: {len(events)} events, want {len(want)}")
        for got, doc in zip(events, want):
            ts = rfc3339_ns(doc["stageTimestamp"])
            checks.check(got["ts_s"] * 1000000000 + got["ts_ns"] == ts, f"{name}: event time")
            checks.check(got["fields"]["jevt.rawtime"] == str(ts), f"{name}: jevt.rawtime")
            for field, oracle in K8S_FIELDS.items():
                w, g = oracle(doc), got["fields"][field]
                checks.check(g == w, f"{name}: {field} = {g!r}, want {w!r}")


def check_cloudtrail():
    path = sakertest.corpus_dir("cloudtrail/samples/alice_start_instances.json")
    doc = json.load(open(path))["Records"][0]
    fields = {"ct.id": None, "ct.name": doc["eventName"], "ct.src": doc["eventSource"],
              "ct.shortsrc": "ec2", "ct.user": "Alice", "ct.region": doc["awsRegion"],
              "ct.srcip": doc["sourceIPAddress"], "ct.user.identitytype": "IAMUser",
              "ct.user.accountid": "123456789012", "ct.readonly": "false",
              "ct.eventtype": "AwsApiCall", "ct.error": None,
              "json.value[/userIdentity/userName]": "Alice",
              "json.value[/responseElements/instancesSet/items/0/instanceId]": "i-ebeaf9e2",
              "ct.info": "Alice via 205.251.233.176 \u2192 StartInstances"}
    extra = ["--open", path, "--payloads"]
    for f in fields:
        extra += ["--field", f]
    events, summary, p = common.run_host([("cloudtrail", None), ("json", None)], extra)
    checks.check(p.returncode == 0 and len(events) == 1, f"cloudtrail sample: {p.stderr}")
    if len(events) == 1:
        e = events[0]
        checks.check(e["ts_s"] == rfc3339_ns(doc["eventTime"]) // 1000000000, "cloudtrail time")
        for f, w in fields.items():
            checks.check(e["fields"][f] == w, f"cloudtrail {f} = {e['fields'][f]!r}, want {w!r}")
        raw = open(path).read()
        checks.check(e["payload"] in raw and json.loads(e["payload"]) == doc,
                     "cloudtrail payload is not the record's own text")
        checks.check(e["info"].startswith("us-east-2 Alice ec2 StartInstances Alice via"),
                     f"cloudtrail event_to_string: {e['info']!r}")


check_k8saudit()
check_cloudtrail()
checks.finish()
