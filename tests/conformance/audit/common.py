# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the audit plugins' script tests: plughost, plugin paths."""
import json
import os
import subprocess
import tempfile

import sakertest


def plugin(name):
    path = os.path.join(sakertest.plugins_dir(), f"lib{name}.so")
    if not os.path.exists(path):
        raise AssertionError(f"plugin {path} was not built")
    return path


def plughost():
    path = os.path.join(sakertest.build_dir(), "tests", "conformance", "audit", "audit_plughost")
    if not os.path.exists(path):
        raise AssertionError(f"{path} was not built")
    return path


def host_args(plugins):
    """plugins: list of (name, config or None)."""
    args = [plughost()]
    for name, config in plugins:
        args += ["--plugin", plugin(name)]
        if config is not None:
            args += ["--config", config]
    return args


def run_host(plugins, extra, timeout=120):
    """Runs plughost; returns (events, summary, CompletedProcess)."""
    p = subprocess.run(host_args(plugins) + list(extra), capture_output=True, text=True,
                       timeout=timeout)
    events, summary = [], None
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        obj = json.loads(line)
        if "summary" in obj:
            summary = obj["summary"]
        elif "fields" in obj:
            events.append(obj)
    return events, summary, p


def extract_payload(plugins, payload, fields, ts=None):
    """Builds one event from payload text and extracts fields; returns the fields dict."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(payload)
        path = f.name
    try:
        extra = ["--payload", path]
        if ts is not None:
            extra += ["--ts", str(ts)]
        for fld in fields:
            extra += ["--field", fld]
        events, _, p = run_host(plugins, extra)
        if p.returncode != 0 or len(events) != 1:
            raise AssertionError(f"plughost failed ({p.returncode}): {p.stderr}")
        return events[0]["fields"]
    finally:
        os.unlink(path)


def go_list(value):
    """Go's %v rendering of a []string (upstream tests compare against it)."""
    if value is None:
        return "[]"
    if isinstance(value, list):
        return "[" + " ".join(value) + "]"
    return str(value)
