# SPDX-License-Identifier: Apache-2.0
"""Driving the k8saudit webhook in a plugin host, and posting to it with curl."""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

import sakertest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "conformance", "audit"))
import common  # noqa: E402


def need_tools(*tools):
    for t in tools:
        if shutil.which(t) is None:
            sakertest.skip(f"{t} is not installed (scripts/install-deps.sh installs it)")


class Host:
    """plughost with the k8saudit webhook open; events go to a file, logs to another."""

    def __init__(self, workdir, config=None, url="http://127.0.0.1:0/k8s-audit",
                 fields=("ka.auditid",), hold=False, with_json=False):
        self.out_path = os.path.join(workdir, f"host{id(self)}.out")
        self.err_path = os.path.join(workdir, f"host{id(self)}.err")
        plugins = [("k8saudit", config)] + ([("json", None)] if with_json else [])
        args = common.host_args(plugins) + ["--open", url]
        for f in fields:
            args += ["--field", f]
        if hold:
            args.append("--hold")
        self.out = open(self.out_path, "w")
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=self.err)
        self.url = sakertest.wait_for(self._listening, timeout=30, what="webhook to listen")
        self.summary = None

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"host exited {self.proc.returncode}: {self.stderr()}")
        m = re.search(r"webhook listening on (\S+)", self.stderr())
        return m.group(1) if m else None

    def stderr(self):
        return open(self.err_path).read()

    def events(self):
        out = []
        for line in open(self.out_path):
            # the host may be in the middle of writing the last line
            if line.startswith("{") and line.endswith("\n"):
                obj = json.loads(line)
                if "fields" in obj:
                    out.append(obj)
        return out

    def wait_events(self, n, timeout=30):
        return sakertest.wait_for(lambda: len(self.events()) >= n and self.events(),
                                  timeout=timeout, what=f"{n} events to be delivered")

    def release(self):
        self.proc.send_signal(signal.SIGUSR1)

    def stop(self):
        """Ends the stream (as an EOF) and returns the host's summary."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.out.close()
        self.err.close()
        for line in open(self.out_path):
            if line.startswith('{"summary"'):
                self.summary = json.loads(line)["summary"]
        if self.summary is None:
            raise AssertionError(f"no summary from host: {self.stderr()}")
        return self.summary

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def curl(url, body=None, ctype="application/json", method=None, headers=(), extra=(),
         chunked=False, workdir=None):
    """Posts with curl; returns (status, response body). status 0: no HTTP response."""
    args = ["curl", "-sS", "--max-time", "30", "-o", "-", "-w", "\n%{http_code}"]
    if method:
        args += ["-X", method]
    if ctype:
        args += ["-H", f"Content-Type: {ctype}"]
    for h in headers:
        args += ["-H", h]
    if chunked:
        args += ["-H", "Transfer-Encoding: chunked"]
    tmp = None
    if body is not None:
        fd, tmp = tempfile.mkstemp(dir=workdir)
        with os.fdopen(fd, "wb") as f:
            f.write(body if isinstance(body, bytes) else body.encode())
        args += ["--data-binary", "@" + tmp]
    args += list(extra) + [url]
    try:
        p = subprocess.run(args, capture_output=True, timeout=60)
    finally:
        if tmp:
            os.unlink(tmp)
    text = p.stdout.decode(errors="replace")
    body_text, _, code = text.rpartition("\n")
    return int(code) if code.isdigit() else 0, body_text


def sample_events():
    """Every audit event of the upstream samples (one per JSON line)."""
    out = []
    for path in sorted(glob.glob(os.path.join(sakertest.corpus_dir("k8saudit/samples"),
                                              "*.json"))):
        for line in open(path):
            line = line.strip()
            if line:
                doc = json.loads(line)
                if isinstance(doc, dict) and doc.get("kind") == "Event":
                    out.append(doc)
    return out


def event(audit_id, stage="ResponseComplete", **extra):
    doc = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
           "auditID": audit_id, "stage": stage, "verb": "get", "requestURI": "/api/v1/pods",
           "user": {"username": "tester"}, "objectRef": {"resource": "pods"},
           "responseStatus": {"code": 200},
           "stageTimestamp": "2024-05-01T10:00:00.000001Z"}
    doc.update(extra)
    return doc


def event_list(events):
    return json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": events})


def make_certs(d):
    """A CA, a server certificate for 127.0.0.1 signed by it (combined PEM too), a client
    certificate signed by it, and a self-signed stranger certificate."""
    def ossl(*a):
        subprocess.run(["openssl"] + list(a), check=True, capture_output=True, cwd=d, timeout=120)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
         "-days", "2", "-subj", "/CN=saker-test-ca")
    for who, ext in [("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
                     ("client", "extendedKeyUsage=clientAuth")]:
        with open(os.path.join(d, f"{who}.ext"), "w") as f:
            f.write(ext + "\n")
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{who}.key", "-out",
             f"{who}.csr", "-subj", f"/CN={who}")
        ossl("x509", "-req", "-in", f"{who}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", f"{who}.pem", "-days", "2", "-extfile", f"{who}.ext")
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key", "-out",
         "stranger.pem", "-days", "2", "-subj", "/CN=stranger")
    with open(os.path.join(d, "server-combined.pem"), "w") as f:
        f.write(open(os.path.join(d, "server.pem")).read())
        f.write(open(os.path.join(d, "server.key")).read())
    return {k: os.path.join(d, k) for k in ["ca.pem", "server.pem", "server.key",
                                             "server-combined.pem", "client.pem", "client.key",
                                             "stranger.pem", "stranger.key"]}
