#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Throughput of the audit plugins' file sources and field extraction.

Generates --events k8s audit events (JSON lines) and as many CloudTrail
records (files of 1000 records), then reads them with plughost through
k8saudit or cloudtrail (+ json), extracting 0, 1, 8 and 24 fields per event.
Each configuration runs --runs times; one JSON line per configuration gives
the median events/s and, against "1 field", the cost ratio: since a payload
is parsed once per event, 8 fields must cost far less than 8 times 1.

    bench_extract.py [--events 200000] [--runs 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import sakertest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "conformance", "audit"))
import common  # noqa: E402

K8S_FIELDS = ["ka.verb", "ka.user.name", "ka.target.resource", "ka.target.namespace",
              "jevt.value[/stage]", "ka.uri", "ka.response.code", "ka.auth.decision",
              "ka.target.name", "ka.target.subresource", "ka.user.groups", "ka.useragent",
              "ka.sourceips", "ka.resp.name", "ka.req.pod.containers.image",
              "ka.req.pod.containers.image.repository", "ka.req.pod.containers.privileged",
              "ka.req.pod.host_network", "ka.req.pod.volumes.hostpath", "ka.req.role.rules",
              "ka.req.binding.role", "ka.req.configmap.obj", "ka.impuser.name", "jevt.rawtime"]
CT_FIELDS = ["ct.name", "ct.user", "ct.src", "ct.region", "ct.srcip", "ct.error",
             "ct.user.identitytype", "json.value[/additionalEventData/MFAUsed]", "ct.request",
             "ct.readonly", "s3.bucket", "ct.info", "ct.user.accountid", "ct.useragent",
             "ct.id", "ct.eventtype", "ct.request.name", "ct.response", "ec2.imageids",
             "iam.role", "ct.shortsrc", "ct.managementevent", "ct.user.arn", "s3.bytes"]


def k8s_event(i):
    return {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
            "auditID": f"bench-{i}", "stage": "ResponseComplete",
            "requestURI": f"/api/v1/namespaces/team-{i % 9}/pods", "verb": "create",
            "user": {"username": f"user-{i % 17}", "groups": ["dev", "system:authenticated"]},
            "sourceIPs": ["10.0.0.1"], "userAgent": "kubectl/v1.29.0",
            "objectRef": {"resource": "pods", "namespace": f"team-{i % 9}", "apiVersion": "v1"},
            "responseStatus": {"metadata": {}, "code": 201},
            "requestObject": {"kind": "Pod", "metadata": {"name": f"web-{i}"}, "spec": {
                "containers": [{"name": "app", "image": "nginx:1.25",
                                "securityContext": {"privileged": i % 50 == 0}},
                               {"name": "side", "image": "envoy:1.29"}],
                "volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}]}},
            "responseObject": {"kind": "Pod", "metadata": {"name": f"web-{i}"}},
            "requestReceivedTimestamp": "2024-05-01T10:00:00.000000Z",
            "stageTimestamp": "2024-05-01T10:00:00.%06dZ" % (i % 1000000),
            "annotations": {"authorization.k8s.io/decision": "allow",
                            "authorization.k8s.io/reason": ""}}


def ct_record(i):
    return {"eventVersion": "1.08", "userIdentity": {
        "type": "IAMUser", "principalId": "AIDA", "arn": f"arn:aws:iam::1:user/u{i % 13}",
        "accountId": "111122223333", "userName": f"u{i % 13}"},
        "eventTime": "2024-05-01T10:%02d:%02dZ" % (i // 60 % 60, i % 60),
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.1", "userAgent": "aws-cli/2",
        "requestParameters": {"bucketName": "logs", "key": f"k/{i}", "Host": "logs.s3"},
        "responseElements": None, "additionalEventData": {"bytesTransferredOut": 100},
        "requestID": "r", "eventID": f"e{i}", "readOnly": True, "eventType": "AwsApiCall",
        "managementEvent": False, "recipientAccountId": "111122223333"}


def timed(args):
    start = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - start
    if p.returncode != 0:
        raise AssertionError(f"plughost failed: {p.stderr}")
    summary = json.loads([l for l in p.stdout.splitlines() if l.startswith('{"summary"')][0])
    return summary["summary"]["events"], elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if sakertest.sanitized():
        sakertest.skip("benchmarks run in the normal build only")
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as d:
        k8s = os.path.join(d, "audit.log")
        with open(k8s, "w") as f:
            for i in range(args.events):
                f.write(json.dumps(k8s_event(i), separators=(",", ":")) + "\n")
        ctdir = os.path.join(d, "cloudtrail")
        os.makedirs(ctdir)
        for start in range(0, args.events, 1000):
            with open(os.path.join(ctdir, f"f{start:09d}.json"), "w") as f:
                json.dump({"Records": [ct_record(i) for i in range(start, min(start + 1000,
                                                                                args.events))]}, f)
        ok = True
        for src, path, fields in [("k8saudit", k8s, K8S_FIELDS), ("cloudtrail", ctdir, CT_FIELDS)]:
            base = None
            for nf in (0, 1, 8, 24):
                cmd = common.host_args([(src, None), ("json", None)]) + ["--open", path, "--count"]
                for fld in fields[:nf]:
                    cmd += ["--field", fld]
                rates = []
                for _ in range(args.runs):
                    n, secs = timed(cmd)
                    ok = ok and n == args.events
                    rates.append(n / secs)
                med = statistics.median(rates)
                if nf == 1:
                    base = med
                line = {"bench": "audit_extract", "plugin": src, "fields_per_event": nf,
                        "events": args.events, "runs": args.runs,
                        "median_events_per_s": round(med, 1),
                        "cost_vs_1_field": round(base / med, 2) if base and nf >= 1 else None,
                        "command": f"bench_extract.py --events {args.events} --runs {args.runs}",
                        "cpus": os.cpu_count()}
                print(json.dumps(line), flush=True)
        if not ok:
            print("FAIL: a run did not read every event", flush=True)
            sys.exit(1)


main()
