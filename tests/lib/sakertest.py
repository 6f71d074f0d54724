# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for Saker's script tests (Python 3 standard library only).

Conventions:
- A test that cannot run here exits with SKIP (77) after printing why; ctest
  reports it as skipped. Under CI=true a missing prerequisite is a failure.
- Paths come from the environment ctest sets (see cmake/SakerTest.cmake).
- Wait on conditions or process exit, never on a fixed sleep.
"""
import json
import os
import subprocess
import sys
import time

SKIP = 77


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip(reason):
    """Skip the test with a visible reason; under CI=true this fails instead."""
    if in_ci():
        print(f"FAIL (CI=true forbids skipping): {reason}", flush=True)
        sys.exit(1)
    print(f"SKIP: {reason}", flush=True)
    sys.exit(SKIP)


def require_root():
    if os.geteuid() != 0:
        skip("needs root (live eBPF / privileged actions)")


def env_path(name):
    v = os.environ.get(name)
    if not v:
        print(f"FAIL: {name} is not set (run through ctest)", flush=True)
        sys.exit(1)
    return v


def saker_bin():
    return env_path("SAKER_BIN")


def plugins_dir():
    return env_path("SAKER_PLUGINS_DIR")


def source_dir():
    return env_path("SAKER_SOURCE_DIR")


def build_dir():
    return env_path("SAKER_BUILD_DIR")


def corpus_dir(sub=""):
    """The conformance corpus (../shared/corpus unless SAKER_CORPUS_DIR says otherwise)."""
    base = os.environ.get("SAKER_CORPUS_DIR") or os.path.join(source_dir(), "..", "shared", "corpus")
    path = os.path.join(base, sub)
    if not os.path.exists(path):
        skip(f"conformance corpus not found at {path}")
    return path


def sanitized():
    return os.environ.get("SAKER_SANITIZED") == "1"


def run(args, timeout=120, check=False, **kw):
    """Runs a command, returns CompletedProcess with text stdout/stderr."""
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{args} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def run_saker(args, timeout=120, **kw):
    return run([saker_bin()] + list(args), timeout=timeout, **kw)


def json_lines(text):
    """Parses every line that is a JSON object; other lines are ignored."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def wait_for(pred, timeout=30.0, interval=0.02, what="condition"):
    """Polls pred() until it returns a truthy value; raises on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Checks:
    """Counts assertions so a test reports how many cases it checked."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = []

    def check(self, ok, msg):
        if ok:
            self.passed += 1
        else:
            self.failed.append(msg)
            print(f"  FAIL: {msg}", flush=True)

    def finish(self):
        total = self.passed + len(self.failed)
        print(f"{self.name}: {self.passed}/{total} passed", flush=True)
        sys.exit(0 if not self.failed else 1)
