#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The k8saudit webhook over HTTP and HTTPS, driven with curl on loopback:
real audit batches are accepted and every accepted event is delivered; every
rejection path answers its status and is counted; a stalled engine gets 503
instead of losing events; slow clients do not hold up others; bearer tokens
and client certificates are enforced."""
import http.client
import json
import os
import socket
import tempfile
import threading
import time

import sakertest
from webhook import Host, curl, event, event_list, make_certs, need_tools, sample_events
import replay  # noqa: E402 (webhook put its directory on the path)

need_tools("curl", "openssl")
checks = sakertest.Checks("k8saudit webhook")
work = tempfile.mkdtemp(prefix="audit-webhook-")


def metric(summary, name):
    return summary["metrics"][f"k8saudit.{name}"]


def scenario(fn):
    print(f"== {fn.__name__}", flush=True)
    fn()
    return fn


@scenario
def real_batches_are_delivered():
    """Upstream's sample events, posted as an EventList, one by one, and as an array."""
    evs = sample_events()
    checks.check(len(evs) >= 30, f"only {len(evs)} sample events")
    h = Host(work, fields=("ka.auditid", "jevt.value[/stage]"), with_json=True)
    try:
        posted = []
        code, _ = curl(h.url, event_list(evs), workdir=work)
        checks.check(code == 200, f"EventList of {len(evs)} events: {code}")
        posted += [e["auditID"] for e in evs]
        for e in evs[:5]:
            code, body = curl(h.url, json.dumps(e), workdir=work)
            checks.check(code == 200 and body.strip() == "ok", f"single Event: {code} {body!r}")
            posted.append(e["auditID"])
        code, _ = curl(h.url, json.dumps([evs[0], {"kind": "EventList", "items": evs[1:3]}]),
                       ctype="application/json; charset=utf-8", workdir=work)
        checks.check(code == 200, f"array of Event and EventList: {code}")
        posted += [e["auditID"] for e in evs[:3]]
        got = h.wait_events(len(posted))
        checks.check(sorted(e["fields"]["ka.auditid"] for e in got) == sorted(posted),
                     "delivered audit ids differ from the posted ones")
        checks.check(all(e["fields"]["jevt.value[/stage]"] for e in got), "json plugin on events")
        s = h.stop()
        checks.check(s["events"] == len(posted), f"{s['events']} events, posted {len(posted)}")
        checks.check(metric(s, "webhook_events_queued") == len(posted), "queued metric")
        checks.check(metric(s, "events_delivered") == len(posted), "delivered metric")
        checks.check(metric(s, "webhook_requests_ok") == 7, "requests_ok metric")
        checks.check(metric(s, "webhook_events_discarded_at_close") == 0, "nothing discarded")
    finally:
        h.kill()


@scenario
def every_rejection_is_answered_and_counted():
    h = Host(work, config=json.dumps({"webhookMaxBatchSize": 8192, "maxEventSize": 2048}))
    try:
        cases = [
            ("malformed JSON", dict(body="{\"kind\":\"Event\",", ), 400, "malformed JSON"),
            ("not audit data", dict(body='{"kind": 0}'), 400, "data not recognized"),
            ("not audit kind", dict(body='{"kind": "Pod", "items": []}'), 400,
             "data not recognized"),
            ("wrong content type", dict(body="{}", ctype="text/plain"), 415, "content type"),
            ("no content type", dict(body="{}", ctype=None), 415, "content type"),
            ("GET", dict(method="GET", ctype=None), 405, "POST"),
            ("PUT", dict(body="{}", method="PUT"), 405, "POST"),
            ("wrong path", dict(body="{}", path="/other"), 404, "not found"),
            ("too large", dict(body=event_list([event(str(i)) for i in range(40)])), 413,
             "webhookMaxBatchSize"),
            ("too large, chunked", dict(body=event_list([event(str(i)) for i in range(40)]),
                                         chunked=True), 413, "webhookMaxBatchSize"),
        ]
        for name, kw, status, text in cases:
            url = h.url if "path" not in kw else h.url.rsplit("/", 1)[0] + kw.pop("path")
            code, body = curl(url, workdir=work, **kw)
            checks.check(code == status and text in body, f"{name}: {code} {body!r}")
        # events without stageTimestamp or over maxEventSize are skipped, the rest accepted
        big = event("big", requestObject={"pad": "x" * 3000})
        nots = event("nots")
        del nots["stageTimestamp"]
        code, _ = curl(h.url, event_list([event("ok-1"), nots, big, event("ok-2")]), workdir=work)
        checks.check(code == 200, f"partly skipped batch: {code}")
        got = h.wait_events(2)
        checks.check(sorted(e["fields"]["ka.auditid"] for e in got) == ["ok-1", "ok-2"],
                     "only the valid events are delivered")
        s = h.stop()
        want = {"webhook_rejected_malformed": 3, "webhook_rejected_content_type": 2,
                "webhook_rejected_method": 2, "webhook_rejected_not_found": 1,
                "webhook_rejected_too_large": 2, "webhook_requests_ok": 1,
                "webhook_requests": 11, "events_skipped": 2, "webhook_events_queued": 2,
                "documents_rejected": 3}
        for k, v in want.items():
            checks.check(metric(s, k) == v, f"metric {k} = {metric(s, k)}, want {v}")
        checks.check(s["events"] == 2, "events delivered")
    finally:
        h.kill()


@scenario
def bearer_token_is_required():
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write("s3cr3t-token\n")
    for config in [{"webhookBearerToken": "s3cr3t-token"},
                   {"webhookBearerTokenFile": token_file}]:
        h = Host(work, config=json.dumps(config))
        try:
            body = json.dumps(event("authed"))
            code, text = curl(h.url, body, workdir=work)
            checks.check(code == 401 and "unauthorized" in text, f"no token: {code}")
            code, _ = curl(h.url, body, headers=["Authorization: Bearer wrong"], workdir=work)
            checks.check(code == 401, f"wrong token: {code}")
            code, _ = curl(h.url, body, headers=["Authorization: Basic czNjcjN0LXRva2Vu"],
                           workdir=work)
            checks.check(code == 401, f"basic auth: {code}")
            code, _ = curl(h.url, body, headers=["Authorization: Bearer s3cr3t-token"],
                           workdir=work)
            checks.check(code == 200, f"right token: {code}")
            h.wait_events(1)
            s = h.stop()
            checks.check(metric(s, "webhook_rejected_unauthorized") == 3, "401s counted")
            checks.check(s["events"] == 1, "only the authorized event is delivered")
        finally:
            h.kill()


@scenario
def stalled_engine_gets_503_and_loses_nothing():
    h = Host(work, config=json.dumps({"webhookQueueMaxEvents": 5}), hold=True)
    try:
        two = lambda tag: event_list([event(f"{tag}-a"), event(f"{tag}-b")])
        statuses = [curl(h.url, two(t), workdir=work)[0] for t in ("b1", "b2", "b3")]
        checks.check(statuses == [200, 200, 503], f"2+2 fit a queue of 5, 2 more do not: "
                                                  f"{statuses}")
        code, body = curl(h.url, json.dumps(event("single")), workdir=work)
        checks.check(code == 200, f"one more fits: {code}")
        code, body = curl(h.url, json.dumps(event("over")), workdir=work)
        checks.check(code == 503 and "full" in body, f"full queue: {code} {body!r}")
        h.release()
        h.wait_events(5)
        code, _ = curl(h.url, two("after"), workdir=work)
        checks.check(code == 200, f"accepted again once drained: {code}")
        got = h.wait_events(7)
        ids = sorted(e["fields"]["ka.auditid"] for e in got)
        checks.check(ids == sorted(["b1-a", "b1-b", "b2-a", "b2-b", "single", "after-a",
                                    "after-b"]), f"delivered {ids}")
        s = h.stop()
        checks.check(metric(s, "webhook_rejected_queue_full") == 2, "503s counted")
        checks.check(s["events"] == 7 and metric(s, "webhook_events_queued") == 7,
                     "every accepted event delivered, nothing else")
    finally:
        h.kill()


@scenario
def https_with_server_and_client_certificates():
    certs = make_certs(work)
    body = json.dumps(event("tls-1"))
    # upstream's combined PEM (certificate and key in one file)
    h = Host(work, config=json.dumps({"sslCertificate": certs["server-combined.pem"]}),
             url="https://127.0.0.1:0/k8s-audit")
    try:
        checks.check(h.url.startswith("https://"), f"url {h.url}")
        code, _ = curl(h.url, body, extra=["--cacert", certs["ca.pem"]], workdir=work)
        checks.check(code == 200, f"https post: {code}")
        code, _ = curl(h.url, body, extra=["--cacert", certs["ca.pem"]], method="GET",
                       workdir=work)
        checks.check(code == 405, f"https GET: {code}")
        code, _ = curl(h.url.replace("https://", "http://"), body, workdir=work)
        checks.check(code != 200, f"plain http to the https port: {code}")
        h.wait_events(1)
        s = h.stop()
        checks.check(s["events"] == 1, "https event delivered")
    finally:
        h.kill()
    # separate key file, and client certificates required
    h = Host(work, config=json.dumps({"sslCertificate": certs["server.pem"],
                                      "sslPrivateKey": certs["server.key"],
                                      "sslClientCA": certs["ca.pem"]}),
             url="https://127.0.0.1:0/k8s-audit")
    try:
        base = ["--cacert", certs["ca.pem"]]
        code, _ = curl(h.url, body, extra=base, workdir=work)
        checks.check(code == 401, f"no client certificate: {code}")
        code, _ = curl(h.url, body, extra=base + ["--cert", certs["stranger.pem"], "--key",
                                                  certs["stranger.key"]], workdir=work)
        checks.check(code in (0, 401), f"client certificate from another CA: {code}")
        code, _ = curl(h.url, json.dumps(event("mtls-1")),
                       extra=base + ["--cert", certs["client.pem"], "--key", certs["client.key"]],
                       workdir=work)
        checks.check(code == 200, f"trusted client certificate: {code}")
        got = h.wait_events(1)
        checks.check([e["fields"]["ka.auditid"] for e in got] == ["mtls-1"], "mtls event")
        h.stop()
    finally:
        h.kill()
    # a missing certificate is an open error naming the file
    from webhook import common
    _, _, p = common.run_host([("k8saudit", json.dumps({"sslCertificate": "/nonexistent.pem"}))],
                              ["--open", "https://127.0.0.1:0/x"])
    checks.check(p.returncode != 0 and "sslCertificate /nonexistent.pem" in p.stderr,
                 f"missing certificate: {p.stderr!r}")


@scenario
def slow_clients_do_not_stall_delivery():
    h = Host(work, config=json.dumps({"webhookTimeoutSeconds": 2}))
    stalled = []
    try:
        host, port = h.url.split("//")[1].split("/")[0].rsplit(":", 1)
        # 40 clients that stop mid-headers or mid-body and say nothing more
        for i in range(40):
            s = socket.create_connection((host, int(port)))
            if i % 2:
                s.sendall(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Ty")
            else:
                s.sendall(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                          b"\r\nContent-Length: 100000\r\n\r\n{\"kind\":\"EventList\",")
            stalled.append(s)
        start = time.monotonic()
        code, _ = curl(h.url, json.dumps(event("fast")), workdir=work)
        elapsed = time.monotonic() - start
        checks.check(code == 200, f"post beside stalled clients: {code}")
        checks.check(elapsed < 5, f"post took {elapsed:.1f}s beside stalled clients")
        h.wait_events(1, timeout=10)
        # the server closes them once idle for webhookTimeoutSeconds

        def closed(s):
            s.settimeout(15)
            try:
                return s.recv(4096) == b""
            except (ConnectionResetError, socket.timeout):
                return True
        checks.check(all(closed(s) for s in stalled), "idle connections are closed")
        s = h.stop()
        checks.check(s["events"] == 1, "the fast client's event was delivered")
        checks.check(metric(s, "webhook_aborted") >= 20, "aborted requests counted")
    finally:
        for s in stalled:
            s.close()
        h.kill()


@scenario
def concurrent_posts_lose_nothing():
    """8 clients post 10-event batches while the engine drains a small queue: every 200 is
    delivered, every 503 is not."""
    h = Host(work, config=json.dumps({"webhookQueueMaxEvents": 60}))
    accepted, rejected = [], []
    lock = threading.Lock()
    host, port = h.url.split("//")[1].split("/")[0].rsplit(":", 1)

    def client(k):
        c = http.client.HTTPConnection(host, int(port), timeout=30)
        for r in range(25):
            ids = [f"c{k}-r{r}-e{i}" for i in range(10)]
            c.request("POST", "/k8s-audit", event_list([event(x) for x in ids]),
                      {"Content-Type": "application/json"})
            resp = c.getresponse()
            resp.read()
            with lock:
                (accepted if resp.status == 200 else rejected).append((resp.status, ids))
        c.close()
    try:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ids = [x for _, b in accepted for x in b]
        checks.check(all(st == 503 for st, _ in rejected), "only 503 refusals")
        got = h.wait_events(len(ids))
        s = h.stop()
        checks.check(sorted(e["fields"]["ka.auditid"] for e in got) == sorted(ids),
                     f"delivered events are exactly the {len(ids)} accepted ones")
        checks.check(metric(s, "webhook_events_discarded_at_close") == 0, "nothing discarded")
        checks.check(metric(s, "webhook_rejected_queue_full") == len(rejected), "503s counted")
        print(f"   accepted {len(accepted)} requests, refused {len(rejected)}", flush=True)
    finally:
        h.kill()


def sample(name):
    path = os.path.join(sakertest.corpus_dir("k8saudit/samples"), name)
    return [json.loads(line) for line in open(path) if line.strip()]


@scenario
def alerts_from_batches_over_http_and_https():
    """Upstream samples posted with curl raise the upstream rules' alerts; Saker's own rules
    fire on their cases posted over mutual TLS."""
    engine = replay.pick_engine()
    rules = [sakertest.corpus_dir("rules/k8s_audit_rules.yaml")]

    def post_http(url):
        batch = (sample("exec_pod.json") + sample("create_nginx_pod_privileged.json")
                 + sample("create_nginx_pod_hostnetwork.json")
                 + sample("anonymous_creates_namespace_foo.json"))
        code, _ = curl(url, event_list(batch), workdir=work)
        checks.check(code == 200, f"http batch: {code}")
        code, _ = curl(url, json.dumps(sample("attach_cluster_admin_role.json")[0]), workdir=work)
        checks.check(code == 200, f"http single event: {code}")
    alerts, _ = engine.live(rules, None, "http", post_http)
    counts = {}
    for a in alerts:
        counts[a["rule"]] = counts.get(a["rule"], 0) + 1
    want = {"Attach/Exec Pod": 1, "Create Privileged Pod": 1, "Create HostNetwork Pod": 1,
            "Anonymous Request Allowed": 1, "Attach to cluster-admin Role": 1}
    checks.check(counts == want, f"alerts over http: {counts}, want {want}")

    cert_dir = os.path.join(work, "live-certs")
    os.makedirs(cert_dir, exist_ok=True)
    certs = make_certs(cert_dir)
    tls = json.dumps({"sslCertificate": certs["server.pem"], "sslPrivateKey": certs["server.key"],
                      "sslClientCA": certs["ca.pem"]})
    cert_args = ["--cacert", certs["ca.pem"], "--cert", certs["client.pem"], "--key",
                 certs["client.key"]]

    def post_https(url):
        batch = sample("create_nginx_pod_sensitive_mount.json") + sample("delete_namespace_foo.json")
        code, _ = curl(url, event_list(batch), extra=cert_args, workdir=work)
        checks.check(code == 200, f"https batch: {code}")
        code, _ = curl(url, event_list(sample("exec_pod.json")), extra=["--cacert", certs["ca.pem"]],
                       workdir=work)
        checks.check(code == 401, f"https batch without a client certificate: {code}")
    alerts, _ = engine.live(rules, tls, "https", post_https)
    counts = {}
    for a in alerts:
        counts[a["rule"]] = counts.get(a["rule"], 0) + 1
    want = {"Create Sensitive Mount Pod": 1, "K8s Namespace Deleted": 1}
    checks.check(counts == want, f"alerts over https: {counts}, want {want}")

    own = json.load(open(os.path.join(sakertest.source_dir(), "rules", "tests",
                                      "k8s_audit_rules_cases.json")))
    firing = [c for c in own["cases"] if c["expect"]]

    def post_own(url):
        events = replay.place("k8s_audit", [c["event"] for c in firing])
        code, _ = curl(url, event_list(events), extra=cert_args, workdir=work)
        checks.check(code == 200, f"https batch of Saker rule cases: {code}")
    alerts, _ = engine.live([os.path.join(sakertest.source_dir(), "rules", own["rules_file"])],
                            tls, "https", post_own, match_all=True)
    fired = sorted({a["rule"] for a in alerts})
    want = sorted({r for c in firing for r in c["expect"]})
    checks.check(fired == want, f"Saker rules over https: fired {fired}, want {want}")


checks.finish()
