# SPDX-License-Identifier: Apache-2.0
"""Helpers for the core's integration tests: configs with the test plugins, running saker."""
import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import sakertest


def fixture(name):
    """Absolute path of a test plugin library built in tests/fixtures/plugins."""
    path = os.path.join(sakertest.build_dir(), "fixture-plugins", f"lib{name}.so")
    if not os.path.exists(path):
        raise AssertionError(f"test plugin {path} is not built (build target saker_fixture_plugins)")
    return path


def _remove_later(path):
    """Removes a test's scratch files at exit, unless SAKER_KEEP_TEST_FILES is set."""
    if not os.environ.get("SAKER_KEEP_TEST_FILES"):
        atexit.register(lambda: shutil.rmtree(path, ignore_errors=True)
                        if os.path.isdir(path) else
                        (os.path.exists(path) and os.unlink(path)))


class Workdir:
    """A temporary directory for configs, rules and outputs of one test."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix=f"saker-{name}-")
        _remove_later(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def config(self, name, plugins, extra="", load=None):
        """A config file: plugins is a list of (name, library, init_config or None, open_params)."""
        lines = [f"plugins_dir: {sakertest.plugins_dir()}", "rules_files: []", "plugins:"]
        for p in plugins:
            pname, lib, init, params = (list(p) + [None, None])[:4]
            lines.append(f"  - name: {pname}")
            lines.append(f"    library_path: {lib}")
            if init is not None:
                lines.append(f"    init_config: {json.dumps(init) if not isinstance(init, str) else json.dumps(init)}")
            if params is not None:
                lines.append(f"    open_params: {json.dumps(params)}")
        if load is not None:
            lines.append(f"load_plugins: {json.dumps(load)}")
        text = "\n".join(lines) + "\n" + extra
        return self.write(name, text)


def saker(args, timeout=120, env=None):
    e = dict(os.environ)
    e.setdefault("SAKER_HOSTNAME", "testhost")
    if env:
        e.update(env)
    return sakertest.run([sakertest.saker_bin()] + list(args), timeout=timeout, env=e)


def metrics(stderr):
    """The last saker_metrics JSON line of stderr."""
    found = None
    for obj in sakertest.json_lines(stderr):
        if "saker_metrics" in obj:
            found = obj["saker_metrics"]
    return found


class Running:
    """A saker process in the background whose stdout lines are collected."""

    def __init__(self, args, env=None):
        e = dict(os.environ)
        e.setdefault("SAKER_HOSTNAME", "testhost")
        if env:
            e.update(env)
        self.out = tempfile.NamedTemporaryFile("w", prefix="saker-out-", delete=False)
        self.err = tempfile.NamedTemporaryFile("w", prefix="saker-err-", delete=False)
        self.out_path = self.out.name
        self.err_path = self.err.name
        _remove_later(self.out_path)
        _remove_later(self.err_path)
        self.p = subprocess.Popen([sakertest.saker_bin()] + list(args), stdout=self.out,
                                  stderr=self.err, env=e)

    def stdout(self):
        with open(self.out_path) as f:
            return f.read()

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def wait_stdout(self, pred, timeout=60, what="output"):
        def check():
            if self.p.poll() is not None:
                raise AssertionError(f"saker exited ({self.p.returncode}) while waiting for {what}:\n"
                                     f"{self.stderr()}")
            return pred(self.stdout())
        return sakertest.wait_for(check, timeout=timeout, what=what)

    def wait_stderr(self, pred, timeout=60, what="log"):
        def check():
            if self.p.poll() is not None:
                raise AssertionError(f"saker exited ({self.p.returncode}) while waiting for {what}:\n"
                                     f"{self.stderr()}")
            return pred(self.stderr())
        return sakertest.wait_for(check, timeout=timeout, what=what)

    def send(self, sig):
        self.p.send_signal(sig)

    def finish(self, sig=signal.SIGTERM, timeout=60):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        rc = self.p.wait(timeout=timeout)
        self.out.close()
        self.err.close()
        return rc

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
