#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Upstream field-extraction facts of the corpus, through the real plugins:
k8saudit/field_extraction_cases.json, json/extract_cases.json, and the records
of cloudtrail/record_split_cases.json as the cloudtrail plugin delivers them."""
import json
import os
import sys
import tempfile

import common
import sakertest

checks = sakertest.Checks("audit field cases")


def k8saudit_cases():
    data = json.load(open(sakertest.corpus_dir("k8saudit/field_extraction_cases.json")))
    payload = json.dumps(data["event"])
    fields = sorted({c["field"] for c in data["cases"]})
    got = common.extract_payload([("k8saudit", None)], payload, fields)
    for c in data["cases"]:
        text = common.go_list(got.get(c["field"]))
        if "must_contain" in c:
            checks.check(c["must_contain"] in text,
                         f"k8saudit {c['field']} = {text!r} must contain {c['must_contain']!r}")
        if "must_not_contain" in c:
            checks.check(c["must_not_contain"] not in text,
                         f"k8saudit {c['field']} = {text!r} must not contain "
                         f"{c['must_not_contain']!r}")


# The upstream test addresses field id 1 as "json.object"; field 1 is json.obj.
JSON_FIELD_BY_ID = {"json.object": "json.obj"}


def json_cases():
    data = json.load(open(sakertest.corpus_dir("json/extract_cases.json")))
    ts = 1700000000123456789
    for i, c in enumerate(data["cases"]):
        name = JSON_FIELD_BY_ID.get(c["field"], c["field"])
        spec = name if c["arg"] is None else f"{name}[{c['arg']}]"
        try:
            got = common.extract_payload([("json", None)], c["event"], [spec], ts=ts)[spec]
        except AssertionError as e:
            checks.check(False, f"json case {i} ({spec}): {e}")
            continue
        if "expect_value" in c:
            checks.check(got == c["expect_value"],
                         f"json case {i} ({spec}): got {got!r}, want {c['expect_value']!r}")
        elif "timestamp" in c.get("expect", ""):
            checks.check(got == str(ts), f"json case {i} ({spec}): got {got!r}, want {ts}")
        else:
            # "no error (no value asserted)": the extraction must simply succeed
            checks.check(got is None or isinstance(got, str), f"json case {i} ({spec}): {got!r}")


def cloudtrail_records():
    """Records with an eventTime become events whose payload is the record, byte for byte."""
    data = json.load(open(sakertest.corpus_dir("cloudtrail/record_split_cases.json")))
    for c in data["cases"]:
        want = [r for r in c["expected_records"] if '"eventTime"' in r]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "case.json")
            with open(path, "w") as f:
                f.write(c["payload"])
            events, summary, p = common.run_host([("cloudtrail", None)],
                                                 ["--open", path, "--payloads"])
            got = [e["payload"] for e in events]
            checks.check(p.returncode == 0 and got == want,
                         f"cloudtrail {c['name']}: got {got}, want {want} ({p.stderr.strip()})")


k8saudit_cases()
json_cases()
cloudtrail_records()
checks.finish()
