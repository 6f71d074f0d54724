#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""out_http against real servers on loopback: a recorder (JSON and text, headers, batches,
gzip, connection reuse), one that answers 500 then 200 (retries), one that always fails, a
closed port, and HTTPS with a CA file, without it, insecure, and with client certificates
(mTLS). In every run each alert emitted is received or counted failed, dropped or lost."""
import json

import sakertest
from outputtest import (Certs, HttpRecorder, Workdir, check_account, free_port, http_section,
                        metrics, saker)

c = sakertest.Checks("output http")
w = Workdir("http")
rules = w.rules()
N = 40


def run(name, count, section, extra="", what="", counter=None):
    cfg = w.config(name, count, extra=section + extra, counter=counter)
    p = saker(["-c", cfg, "-r", rules])
    m = metrics(p.stderr)
    c.check(p.returncode == 0, f"{what}: exit {p.returncode}: {p.stderr[-2000:]}")
    emitted = m["rules"]["matches"] if m else -1
    c.check(emitted == count, f"{what}: {emitted} alerts emitted, expected {count}")
    return p, m


# ---- JSON alerts, one per request, on one reused connection ------------------------------------
srv = HttpRecorder()
p, m = run("json.yaml", N, http_section(srv.url, headers=["X-Team: sec", "Authorization: Bearer t0k"]),
           extra="json_output: true\n", what="json")
got = srv.alerts()
check_account(c, m, "http", N, received=len(got), what="json")
c.check(len(got) == N and sorted(a["output_fields"]["counter.n"] for a in got) == list(range(1, N + 1)),
        f"every alert received once: {len(got)}")
c.check(all(a["rule"] == "Every counter event" and a["hostname"] == "testhost" for a in got),
        f"alert content: {got[:1]}")
h = srv.requests[0]["headers"] if srv.requests else {}
c.check(h.get("Content-Type") == "application/json" and h.get("User-Agent") == "saker" and
        h.get("X-Team") == "sec" and h.get("Authorization") == "Bearer t0k",
        f"request headers: {h}")
c.check(len(srv.peers) == 1, f"the connection is reused (keep-alive): {len(srv.peers)} connections")
srv.close()

# ---- text alerts: text/plain ------------------------------------------------------------------------
srv = HttpRecorder()
p, m = run("text.yaml", 5, http_section(srv.url, user_agent="acme/1.0"), what="text")
got = srv.alerts()
check_account(c, m, "http", 5, received=len(got), what="text")
c.check(len(got) == 5 and all(": Warning n=" in l for l in got), f"text lines: {got}")
h = srv.requests[0]["headers"] if srv.requests else {}
c.check(h.get("Content-Type") == "text/plain" and h.get("User-Agent") == "acme/1.0",
        f"text headers: {h}")
srv.close()

# ---- batches of up to 16, gzip ------------------------------------------------------------------------
srv = HttpRecorder()
p, m = run("batch.yaml", 200, http_section(srv.url, batch_size=16, compress_uploads=True),
           extra="json_output: true\n", counter={"batch": 64}, what="batch")
got = srv.alerts()
bodies = srv.bodies()
check_account(c, m, "http", 200, received=len(got), what="batch")
c.check(sorted(a["output_fields"]["counter.n"] for a in got) == list(range(1, 201)),
        f"batched alerts: {len(got)}")
c.check(all(b.startswith(b"[") for b in bodies) and len(bodies) < 200 and
        max(len(json.loads(b)) for b in bodies) <= 16,
        f"bodies are JSON arrays of at most 16: {len(bodies)} requests")
c.check(all(r["headers"].get("Content-Encoding") == "gzip" for r in srv.requests),
        "gzip bodies")
srv.close()

# ---- 500 then 200: retried, nothing lost ----------------------------------------------------------
srv = HttpRecorder(mode="fail_first", status=500, fails=3)
p, m = run("retry.yaml", 10, http_section(srv.url, max_retries=5, retry_backoff=10),
           extra="json_output: true\n", what="500 then 200")
got = srv.alerts()
s = check_account(c, m, "http", 10, received=len(got), what="500 then 200")
c.check(s is not None and s["delivered"] == 10 and s["failed"] == 0 and s["retries"] == 3,
        f"three retries, every alert delivered: {s}")
c.check(srv.answers[:4] == [500, 500, 500, 200], f"answers: {srv.answers}")
srv.close()

# ---- always 503: bounded retries, then failed and logged with rule and time ------------------------
srv = HttpRecorder(mode="always", status=503)
p, m = run("fail.yaml", 4, http_section(srv.url, max_retries=2, retry_backoff=5),
           what="always 503")
s = check_account(c, m, "http", 4, received=len(srv.alerts()), what="always 503")
c.check(s is not None and s["failed"] == 4 and s["retries"] == 8 and len(srv.answers) == 12,
        f"3 attempts per alert, all failed: {s} answers={len(srv.answers)}")
c.check("alert(s) not delivered: POST " in p.stderr and "HTTP 503 after 2 retries" in p.stderr and
        "rule 'Every counter event' at 2023-11-14T22:13:20.000001000+0000" in p.stderr,
        f"failure logged with rule and time: {p.stderr[-1500:]}")
srv.close()

# ---- a 4xx answer is not retried ---------------------------------------------------------------
srv = HttpRecorder(mode="always", status=400)
p, m = run("bad.yaml", 3, http_section(srv.url, max_retries=3, retry_backoff=5), what="400")
s = check_account(c, m, "http", 3, received=0, what="400")
c.check(s is not None and s["failed"] == 3 and s["retries"] == 0 and len(srv.answers) == 3,
        f"no retry after 400: {s}")
srv.close()

# ---- nobody listening: connection errors counted, the rest of a batch fails at once -----------------
port = free_port()
p, m = run("refused.yaml", 30,
           http_section(f"http://127.0.0.1:{port}/x", max_retries=1, retry_backoff=10),
           counter={"batch": 30}, what="refused")
s = check_account(c, m, "http", 30, received=0, what="refused")
c.check(s is not None and s["failed"] == 30, f"refused: {s}")
c.check("Couldn't connect" in p.stderr or "Connection refused" in p.stderr or
        "Failed to connect" in p.stderr, f"connection error logged: {p.stderr[-800:]}")

# ---- HTTPS -------------------------------------------------------------------------------------------
certs = Certs(w)
srv = HttpRecorder(tls=certs.server_context())
p, m = run("tls.yaml", 6, http_section(srv.url, ca_cert=certs.path("ca.crt")),
           extra="json_output: true\n", what="https with ca_cert")
check_account(c, m, "http", 6, received=len(srv.alerts()), what="https with ca_cert")
c.check(len(srv.alerts()) == 6, "https delivered")
# the server's CA unknown: verification fails, every alert counted failed
p, m = run("tls-noca.yaml", 3, http_section(srv.url, ca_cert="", ca_bundle=certs.path("client.crt"),
                                             max_retries=0), what="https, unknown CA")
s = check_account(c, m, "http", 3, received=0, what="https, unknown CA")
c.check(s is not None and s["failed"] == 3, f"unverified server refused: {s}")
# insecure: no verification
p, m = run("tls-insecure.yaml", 2, http_section(srv.url, insecure=True), what="insecure")
check_account(c, m, "http", 2, received=2, what="insecure")
srv.close()

# mTLS: the server wants a client certificate
srv = HttpRecorder(tls=certs.server_context(require_client=True))
p, m = run("mtls.yaml", 4, http_section(srv.url, ca_cert=certs.path("ca.crt"), mtls=True,
                                         client_cert=certs.path("client.crt"),
                                         client_key=certs.path("client.key")), what="mtls")
check_account(c, m, "http", 4, received=len(srv.alerts()), what="mtls")
c.check(len(srv.alerts()) == 4, "mtls delivered")
p, m = run("mtls-none.yaml", 2, http_section(srv.url, ca_cert=certs.path("ca.crt"), max_retries=0),
           what="no client certificate")
s = check_account(c, m, "http", 2, received=0, what="no client certificate")
c.check(s is not None and s["failed"] == 2, f"refused without a client certificate: {s}")
srv.close()

# ---- configuration errors -------------------------------------------------------------------------
cfg = w.config("nourl.yaml", 1, extra="http_output:\n  enabled: true\n")
p = saker(["-c", cfg, "-r", rules])
c.check(p.returncode == 1 and f"{cfg}:10:12: http_output.url: http_output is enabled but has no url: "
        "set one" in p.stderr, f"no url: {p.stderr}")
cfg = w.config("badurl.yaml", 1, extra=http_section("ftp://127.0.0.1/x"))
p = saker(["-c", cfg, "-r", rules])
c.check(p.returncode == 1 and "plugin_sink_open failed: url 'ftp://127.0.0.1/x' is not an "
        "http:// or https:// URL" in p.stderr, f"bad url: {p.stderr}")
cfg = w.config("badhdr.yaml", 1, extra=http_section("http://127.0.0.1:1/", headers=["nocolon"]))
p = saker(["-c", cfg, "-r", rules])
c.check(p.returncode == 1 and "\"headers\" entries are \"Name: value\" strings" in p.stderr,
        f"bad header: {p.stderr}")

c.finish()
