# SPDX-License-Identifier: Apache-2.0
"""The container plugin against fake Docker and Podman API sockets.

Runs libcontainer.so through ctr_driver (dlopen + an in-process threads
table): threads in cgroups shaped like each runtime's, metadata looked up
over the sockets, listed at start, unknown ids, a runtime that hangs, no
runtime at all, async container events and a bad init config.

    test_runtime_lookup.py <ctr_driver> <libcontainer.so>
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sakertest  # noqa: E402
from fake_runtime import FakeRuntime  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ID_WEB = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
ID_DB = "8c1f00aa11bb22cc33dd44ee55ff66778899aabbccddeeff0011223344556677"
ID_GONE = "dead00000000beef0000000000000000000000000000000000000000000000aa"
ID_SLOW = "5107000000000000000000000000000000000000000000000000000000000001"
ID_PRE = "9e00000000000000000000000000000000000000000000000000000000000042"
# Lookups are bounded by this; a hung runtime must not hold extraction.
TIMEOUT_MS = 300
# Extraction calls are in-memory work; this bound is far above what they cost
# even under sanitizers, and far below the runtime's hang.
FAST_MS = 100 if not sakertest.sanitized() else 400


def load(name):
    with open(os.path.join(HERE, "data", name)) as f:
        return json.load(f)


def run_driver(driver, plugin, script, tmp, timeout=60):
    path = os.path.join(tmp, "script.jsonl")
    with open(path, "w") as f:
        for cmd in script:
            f.write(json.dumps(cmd) + "\n")
    p = subprocess.run([driver, plugin, path], capture_output=True, text=True, timeout=timeout)
    out = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    return p, out


FIELDS = ["container.id", "container.full_id", "container.name", "container.type",
          "container.image", "container.image.repository", "container.image.tag",
          "container.image.digest", "container.image.id", "container.privileged",
          "container.host_ipc", "container.host_network", "container.ip", "k8s.pod.name",
          "k8s.ns.name", "k8s.pod.uid", "container.labels", "container.mounts",
          "container.start_ts", ["container.label", "com.example.team"],
          ["container.mount.dest", "/srv/data"], ["container.mount", None, 1]]


def main():
    if len(sys.argv) != 3:
        print("usage: test_runtime_lookup.py <ctr_driver> <libcontainer.so>")
        return 2
    driver, plugin = sys.argv[1], sys.argv[2]
    c = sakertest.Checks("container runtime lookups")
    tmp = tempfile.mkdtemp(prefix="ctr-rt-")
    docker = FakeRuntime(os.path.join(tmp, "docker.sock"))
    podman = FakeRuntime(os.path.join(tmp, "podman.sock"))

    web = load("docker_container.json")
    docker.add_container(web, image=load("docker_image.json"))
    slow = copy.deepcopy(web)
    slow["Id"], slow["Name"] = ID_SLOW, "/slow"
    docker.add_container(slow, delay_s=30)
    pre = copy.deepcopy(web)
    pre["Id"], pre["Name"] = ID_PRE, "/pre"
    pre["Config"]["Image"] = "registry:5000/team/pre:7"
    pre["Image"] = "sha256:" + "11" * 32
    pre["HostConfig"]["Privileged"] = False
    docker.add_container(pre, listed=True)
    db = copy.deepcopy(web)
    db["Id"], db["Name"] = ID_DB, "/db"
    db["Config"]["Image"] = "quay.io/fedora/postgresql-16:latest"
    db["Config"]["Labels"] = {"app": "db"}
    db["Image"] = "a" * 64
    podman.add_container(db)
    docker.start()
    podman.start()
    try:
        config = {"lookup_timeout_ms": TIMEOUT_MS,
                  "engines": {"docker": {"enabled": True, "sockets": [docker.path]},
                              "podman": {"enabled": True, "sockets": [podman.path]},
                              "cri": {"enabled": False, "sockets": []},
                              "containerd": {"enabled": False, "sockets": []}}}
        script = [
            {"op": "init", "config": config},
            {"op": "async_handler"},
            {"op": "thread", "tid": 1, "cgroups": ["/init.scope"], "exe": "/sbin/init"},
            {"op": "thread", "tid": 100, "vpid": 1, "vtid": 1, "start_ts": 1714558830000000000,
             "cgroups": ["/", "/system.slice/docker-%s.scope" % ID_WEB]},
            {"op": "thread", "tid": 101, "cgroups": ["/machine.slice/libpod-%s.scope/container" % ID_DB]},
            {"op": "thread", "tid": 102, "cgroups": ["/docker/%s" % ID_GONE]},
            {"op": "thread", "tid": 103, "cgroups": ["/kubepods/besteffort/pod1/%s" % ID_SLOW]},
            {"op": "thread", "tid": 110, "cgroups": ["/system.slice/docker-%s.scope" % ID_PRE]},
            {"op": "capture_open"},
            {"op": "extract", "tid": 100, "fields": FIELDS,
             "until": {"field": "container.name", "timeout_ms": 10000}},
            {"op": "event", "code": 293, "tid": 101, "res": 0},
            {"op": "extract", "tid": 101, "fields": ["container.id", "container.name", "container.type",
                                                      "container.image.repository", "container.image.tag",
                                                      "container.image.id", ["container.label", "app"]],
             "until": {"field": "container.name", "timeout_ms": 10000}},
            {"op": "extract", "tid": 110, "fields": ["container.id", "container.name",
                                                      "container.image.repository", "container.image.tag",
                                                      "container.privileged"],
             "until": {"field": "container.name", "timeout_ms": 10000}},
            {"op": "extract", "tid": 103, "fields": ["container.id", "container.name"]},
            {"op": "extract", "tid": 1, "fields": ["container.id", "container.name", "container.type",
                                                    "container.image", "container.privileged", "k8s.ns.name"]},
            {"op": "wait_metric", "name": "n_lookups_failed", "min": 2, "timeout_ms": 10000},
            {"op": "extract", "tid": 102, "fields": ["container.id", "container.name"]},
            {"op": "extract", "tid": 103, "fields": ["container.id", "container.name"]},
            {"op": "feed_async"},
            {"op": "procexit", "tid": 100},
            {"op": "feed_async"},
            {"op": "extract", "tid": 100, "fields": ["container.id", "container.name"]},
            {"op": "metrics"},
            {"op": "destroy"},
        ]
        p, out = run_driver(driver, plugin, script, tmp)
        for o in out:
            print("  " + json.dumps(o)[:300])
        c.check(p.returncode == 0, "driver exit %d: %s" % (p.returncode, p.stderr[-2000:]))
        ops = [o["op"] for o in out]
        c.check(ops.count("extract") == 8, "all extractions reported: %s" % ops)
        if ops.count("extract") != 8:
            c.finish()
        ex = [o for o in out if o["op"] == "extract"]

        w = ex[0]
        v = w["values"]
        c.check(w["ok"], "docker container metadata arrived: %s" % v)
        expect = {
            "container.id": ID_WEB[:12], "container.full_id": ID_WEB, "container.name": "web",
            "container.type": "docker", "container.image": "docker.io/library/nginx:1.25",
            # the image's own names replace what the image reference gave
            "container.image.repository": "nginx", "container.image.tag": "1.25",
            "container.image.digest": "sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27",
            "container.image.id": "6f7e2741b66b1f5d0e5b0f4f2b57cb3b0c5fdfbd5a2f5a8f3a1a1f1e5d8a0c11",
            "container.privileged": True, "container.host_ipc": True, "container.host_network": False,
            "container.ip": "172.17.0.2", "k8s.pod.name": "web-0", "k8s.ns.name": "prod",
            "k8s.pod.uid": "7f1c7a2e-1111-2222-3333-444455556666",
            "container.labels": "com.example.team:edge, maintainer:NGINX Docker Maintainers <docker-maint@nginx.com>",
            "container.mounts": "/srv/data:/data:rw:true:rprivate,/var/lib/docker/volumes/cache/_data:/cache:z:false:",
            "container.start_ts": 1714558830000000000,
            "container.label[com.example.team]": "edge",
            "container.mount.dest[/srv/data]": "/data",
            "container.mount[1]": "/var/lib/docker/volumes/cache/_data:/cache:z:false:",
        }
        for k, want in expect.items():
            c.check(v.get(k) == want, "web %s = %r, want %r" % (k, v.get(k), want))
        c.check(w["max_call_ms"] < FAST_MS, "extraction never waits on I/O (%.1f ms)" % w["max_call_ms"])

        v = ex[1]["values"]
        c.check(ex[1]["ok"], "podman container metadata arrived: %s" % v)
        for k, want in {"container.id": ID_DB[:12], "container.name": "db", "container.type": "podman",
                        "container.image.repository": "quay.io/fedora/postgresql-16",
                        "container.image.tag": "latest", "container.image.id": "a" * 64,
                        "container.label[app]": "db"}.items():
            c.check(v.get(k) == want, "db %s = %r, want %r" % (k, v.get(k), want))

        v = ex[2]["values"]
        c.check(ex[2]["ok"], "listed container known without asking: %s" % v)
        for k, want in {"container.id": ID_PRE[:12], "container.name": "pre",
                        "container.image.repository": "registry:5000/team/pre", "container.image.tag": "7",
                        "container.privileged": False}.items():
            c.check(v.get(k) == want, "pre %s = %r, want %r" % (k, v.get(k), want))

        for e in (ex[3], ex[6]):
            c.check(e["values"] == {"container.id": ID_SLOW[:12], "container.name": None},
                    "hung runtime: id only, %s" % e["values"])
            c.check(e["max_call_ms"] < FAST_MS, "hung runtime does not stall extraction (%.1f ms)"
                    % e["max_call_ms"])

        c.check(ex[4]["values"] == {"container.id": "host", "container.name": "host", "container.type": "host",
                                    "container.image": "", "container.privileged": False,
                                    "k8s.ns.name": None}, "host thread: %s" % ex[4]["values"])

        c.check(ex[5]["values"] == {"container.id": ID_GONE[:12], "container.name": None},
                "unknown container: id only, %s" % ex[5]["values"])
        c.check(len(docker.requested("/containers/%s" % ID_GONE[:12])) >= 2,
                "unknown id retried while it may be being created: %s" % docker.requested("/containers/dead"))

        feeds = [o for o in out if o["op"] == "feed_async"]
        added = {e["json"]["container"]["name"] for e in feeds[0]["events"] if e["name"] == "container"}
        c.check({"web", "db", "pre"} <= added, "container async events sent: %s" % sorted(added))
        removed = [e for e in feeds[1]["events"] if e["name"] == "container_removed"]
        c.check(len(removed) == 1 and removed[0]["json"]["container"]["id"] == ID_WEB[:12],
                "init exit sends container_removed: %s" % feeds[1]["events"])
        c.check(ex[7]["values"] == {"container.id": ID_WEB[:12], "container.name": None},
                "removed container is forgotten: %s" % ex[7]["values"])

        m = [o for o in out if o["op"] == "metrics"][0]["values"]
        c.check(m.get("n_lookups_ok", 0) >= 3, "lookups ok counted: %s" % m)
        c.check(m.get("n_lookups_failed", 0) >= 2, "failed lookups counted: %s" % m)
        d = [o for o in out if o["op"] == "destroy"][0]
        c.check(d["outstanding"] == 0, "every table entry released")
        c.check(d["ms"] < 5 * TIMEOUT_MS + 1000, "destroy joins the worker promptly (%.0f ms)" % d["ms"])

        # Runtime events: a container created after start is looked up before any
        # of its processes is seen, and its destruction is announced.
        ID_LATE = "1a7e" + "0" * 59 + "9"
        late = copy.deepcopy(web)
        late["Id"], late["Name"] = ID_LATE, "/late"
        docker.add_container(late, destroy_after_inspect=True)
        docker.emit("create", ID_LATE, "docker.io/library/nginx:1.25")
        p, out = run_driver(driver, plugin, [
            {"op": "init", "config": dict(config, hooks=["create", "remove"])},
            {"op": "async_handler"},
            {"op": "capture_open"},
            {"op": "wait_async", "name": "container", "id": ID_LATE[:12], "timeout_ms": 10000},
            {"op": "wait_async", "name": "container_removed", "id": ID_LATE[:12], "timeout_ms": 10000},
            {"op": "destroy"},
        ], tmp)
        c.check(p.returncode == 0, "events driver exit %d: %s" % (p.returncode, p.stderr[-1000:]))
        waits = [o for o in out if o["op"] == "wait_async"]
        c.check(len(waits) == 2 and waits[0]["found"], "create event led to a lookup: %s" % out)
        c.check(len(waits) == 2 and waits[1]["found"], "destroy event led to container_removed: %s" % out)
        d = [o for o in out if o["op"] == "destroy"]
        c.check(d and d[0]["ms"] < 2000, "destroy closes the events stream promptly: %s" % d)

        # No runtime socket at all: the id, nothing else, and no waiting.
        p, out = run_driver(driver, plugin, [
            {"op": "init", "config": {"engines": {"docker": {"enabled": True, "sockets": [os.path.join(tmp, "none.sock")]},
                                                  "podman": {"enabled": False, "sockets": []}}}},
            {"op": "thread", "tid": 7, "cgroups": ["/docker/%s" % ID_WEB]},
            {"op": "event", "code": 293, "tid": 7, "res": 0},
            {"op": "wait_metric", "name": "n_lookups_failed", "min": 1, "timeout_ms": 10000},
            {"op": "extract", "tid": 7, "fields": ["container.id", "container.name", "container.image.repository"]},
        ], tmp)
        c.check(p.returncode == 0, "no-runtime driver exit %d: %s" % (p.returncode, p.stderr[-1000:]))
        ex = [o for o in out if o["op"] == "extract"]
        c.check(len(ex) == 1 and ex[0]["values"] == {"container.id": ID_WEB[:12], "container.name": None,
                                                      "container.image.repository": None},
                "no runtime: <NA> metadata: %s" % out)

        # A bad init config is refused with the key's path.
        p, out = run_driver(driver, plugin, [
            {"op": "init", "config": {"engines": {"docker": {"enabled": True, "socket": []}}}}], tmp)
        c.check(p.returncode == 1 and out and out[0]["rc"] == 1
                and "engines.docker.socket" in out[0]["error"], "bad config refused: %s" % out)
    finally:
        docker.stop()
        podman.stop()
    c.finish()


if __name__ == "__main__":
    main()
