# SPDX-License-Identifier: Apache-2.0
"""Helpers for the output sinks' integration tests: saker configs that emit a known number of
alerts (the counter test source and a rule matching every event), receivers on loopback that
record what they get (HTTP and HTTPS, syslog over UDP, TCP and a local socket), and the
accounting check every test makes: each alert emitted is received or counted as failed,
dropped or lost."""
import atexit
import gzip
import http.server
import json
import os
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import tempfile
import threading

import sakertest

ALL_RULE = """
- rule: Every counter event
  desc: matches every event of the counter source
  condition: counter.n > 0
  output: n=%counter.n text=%counter.text
  priority: {priority}
  source: counter
"""

# Priorities by residue, so alerts cover several syslog severities.
PRIO_RULES = """
- rule: Critical counter event
  desc: every fourth event
  condition: counter.n > 0 and counter.n in (4, 8, 12, 16, 20, 24, 28, 32, 36, 40)
  output: crit n=%counter.n
  priority: CRITICAL
  source: counter
- rule: Other counter event
  desc: the others
  condition: counter.n > 0 and not counter.n in (4, 8, 12, 16, 20, 24, 28, 32, 36, 40)
  output: note n=%counter.n
  priority: NOTICE
  source: counter
"""


def fixture(name):
    path = os.path.join(sakertest.build_dir(), "fixture-plugins", f"lib{name}.so")
    if not os.path.exists(path):
        raise AssertionError(f"test plugin {path} is not built (target saker_fixture_plugins)")
    return path


def _remove_later(path):
    if not os.environ.get("SAKER_KEEP_TEST_FILES"):
        atexit.register(lambda: shutil.rmtree(path, ignore_errors=True))


class Workdir:
    """A temporary directory for one test's configs, rules and outputs."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix=f"saker-output-{name}-")
        _remove_later(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def rules(self, priority="WARNING"):
        return self.write("all.yaml", ALL_RULE.format(priority=priority))

    def config(self, name, count, extra="", counter=None, stdout=False):
        """A config whose counter source emits `count` events (every one an alert)."""
        init = {"count": count}
        init.update(counter or {})
        text = (f"plugins_dir: {sakertest.plugins_dir()}\n"
                "rules_files: []\n"
                "plugins:\n"
                "  - name: counter\n"
                f"    library_path: {fixture('counter')}\n"
                f"    init_config: {json.dumps(init)}\n"
                f"stdout_output:\n  enabled: {'true' if stdout else 'false'}\n" + extra)
        return self.write(name, text)


def env():
    e = dict(os.environ)
    e.setdefault("SAKER_HOSTNAME", "testhost")
    e.setdefault("TZ", "UTC")
    return e


def saker(args, timeout=120):
    return sakertest.run([sakertest.saker_bin()] + list(args), timeout=timeout, env=env())


def metrics(stderr):
    """The last saker_metrics object of a run's stderr."""
    found = None
    for obj in sakertest.json_lines(stderr):
        if "saker_metrics" in obj:
            found = obj["saker_metrics"]
    return found


class Running:
    """saker in the background; stdout and stderr go to files."""

    def __init__(self, args):
        self.out = tempfile.NamedTemporaryFile("w", prefix="saker-out-", delete=False)
        self.err = tempfile.NamedTemporaryFile("w", prefix="saker-err-", delete=False)
        for p in (self.out.name, self.err.name):
            if not os.environ.get("SAKER_KEEP_TEST_FILES"):
                atexit.register(lambda p=p: os.path.exists(p) and os.unlink(p))
        self.p = subprocess.Popen([sakertest.saker_bin()] + list(args), stdout=self.out,
                                  stderr=self.err, env=env())

    def stdout(self):
        with open(self.out.name) as f:
            return f.read()

    def stderr(self):
        with open(self.err.name) as f:
            return f.read()

    def alive(self):
        return self.p.poll() is None

    def finish(self, sig=signal.SIGTERM, timeout=120):
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


def check_account(c, m, sink, emitted, received=None, what=""):
    """Every alert emitted is delivered, failed, dropped or lost at `sink`; the receiver got
    exactly the delivered ones."""
    if m is None:
        c.check(False, f"{what}: no metrics line")
        return None
    s = m["outputs"]["sinks"].get(sink)
    if s is None:
        c.check(False, f"{what}: no sink {sink} in {m['outputs']}")
        return None
    total = s["delivered"] + s["failed"] + s["dropped"] + s["lost"]
    c.check(s["offered"] == emitted and total == emitted and s["queued"] == 0,
            f"{what}: {sink} accounts for {total} of {emitted} alerts emitted: {s}")
    if received is not None:
        c.check(received == s["delivered"],
                f"{what}: {sink} delivered {s['delivered']}, the receiver got {received}")
    return s


# ---- HTTP ------------------------------------------------------------------------------------

class HttpRecorder:
    """An HTTP(S) server on 127.0.0.1 that records every request. mode:
    "ok" answers 200; "fail_first" answers `status` to the first `fails` requests, then 200;
    "always" answers `status` to every request."""

    def __init__(self, mode="ok", status=500, fails=0, tls=None):
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.requests = []
        self.answers = []
        self.peers = set()
        self.mode = mode
        self.status = status
        self.fails = fails
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be seen

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                with rec.cond:
                    k = len(rec.answers)
                    if rec.mode == "always" or (rec.mode == "fail_first" and k < rec.fails):
                        code = rec.status
                    else:
                        code = 200
                    rec.answers.append(code)
                    if code == 200:
                        rec.requests.append({"headers": dict(self.headers), "body": body})
                    rec.peers.add(self.client_address)
                    rec.cond.notify_all()
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}/alerts"

    def bodies(self):
        with self.lock:
            return [r["body"] for r in self.requests]

    def alerts(self):
        """Every alert received: JSON objects (arrays unpacked) or text lines."""
        out = []
        for b in self.bodies():
            t = b.decode()
            if t.startswith("["):
                out.extend(json.loads(t))
            elif t.startswith("{"):
                out.append(json.loads(t))
            else:
                out.extend(l for l in t.split("\n") if l)
        return out

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class HangingServer:
    """Accepts connections and reads, never answers; keeps every connection open."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.closed = 0  # connections the client gave up
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.cond:
                self.conns.append(conn)
                self.cond.notify_all()
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
        with self.cond:
            self.closed += 1
            self.cond.notify_all()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/alerts"

    def close(self):
        self.stop = True
        self.sock.close()
        for c in self.conns:
            c.close()


def free_port():
    """A TCP port nothing listens on (bound then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Certs:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl."""

    def __init__(self, w):
        if shutil.which("openssl") is None:
            sakertest.skip("the openssl command is needed to make test certificates")
        d = w.path("certs")
        os.makedirs(d, exist_ok=True)
        self.dir = d

        def run(*args):
            sakertest.run(["openssl"] + list(args), check=True, cwd=d)

        key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        run("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=saker test CA",
            "-days", "2")
        with open(os.path.join(d, "san.ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        for name in ("server", "client"):
            run("req", *key, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj",
                f"/CN=saker test {name}")
            run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", "san.ext")

    def path(self, name):
        return os.path.join(self.dir, name)

    def server_context(self, require_client=False):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.path("server.crt"), self.path("server.key"))
        if require_client:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(self.path("ca.crt"))
        return ctx


def http_section(url, **keys):
    lines = ["http_output:", "  enabled: true", f"  url: {json.dumps(url)}"]
    for k, v in keys.items():
        lines.append(f"  {k}: {json.dumps(v)}")
    return "\n".join(lines) + "\n"


# ---- syslog ----------------------------------------------------------------------------------

class SyslogUdp:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.port = self.sock.getsockname()[1]
        self.msgs = []
        self.lock = threading.Lock()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            with self.lock:
                self.msgs.append(data.decode())

    def messages(self):
        with self.lock:
            return list(self.msgs)

    def close(self):
        self.sock.close()


class SyslogLocal(SyslogUdp):
    """A datagram socket at a path, as the local syslog daemon's /dev/log."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.path = path
        self.msgs = []
        self.lock = threading.Lock()
        threading.Thread(target=self._run, daemon=True).start()


class SyslogTcp:
    """Parses octet-counted frames (RFC 6587). With close_after=K, the first connection is
    closed by the server after K messages, so the sender has to connect again."""

    def __init__(self, close_after=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.msgs = []
        self.connections = 0
        self.close_after = close_after
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                first = self.connections == 1
            threading.Thread(target=self._read, args=(conn, first), daemon=True).start()

    def _read(self, conn, first):
        buf = b""
        got = 0
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buf += data
                while True:
                    sp = buf.find(b" ")
                    if sp < 0:
                        break
                    n = int(buf[:sp])
                    if len(buf) < sp + 1 + n:
                        break
                    msg = buf[sp + 1:sp + 1 + n].decode()
                    buf = buf[sp + 1 + n:]
                    with self.lock:
                        self.msgs.append(msg)
                    got += 1
                    if first and self.close_after is not None and got >= self.close_after:
                        conn.shutdown(socket.SHUT_RDWR)
                        return

    def messages(self):
        with self.lock:
            return list(self.msgs)

    def close(self):
        self.sock.close()
