# SPDX-License-Identifier: Apache-2.0
"""Live end to end: saker with the syscall and container plugins and the
upstream falco_rules.yaml, real attacks and benign look-alikes.

1. saker runs live, once with the kernel's open-path filter (no capture)
   and once writing a capture with -w (every event kept).
2. Each time, each attack runs; each must produce its rule's alert, with
   the right process name and file/address in the output.
3. The benign look-alikes run; no alert may mention them.
4. The capture is replayed with -e as an unprivileged user; it must give
   the same alerts as the live run.

Needs root (eBPF, cgroups, overlayfs, ptrace); skips otherwise, and never
under CI=true.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import sakertest as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import actions  # noqa: E402

MIN_RULES = 15


def config(work, plugins):
    path = os.path.join(work, "saker.yaml")
    with open(path, "w") as f:
        f.write(f"""
plugins_dir: {plugins}
plugins:
  - name: syscall
    library_path: libsyscall.so
  - name: container
    library_path: libcontainer.so
load_plugins: [syscall, container]
rules_files: []
json_output: true
stdout_output:
  enabled: true
""")
    return path


class Saker:
    def __init__(self, args, work, env=None, user=None):
        self.out = open(os.path.join(work, "out.%d" % id(self)), "w+")
        self.err = open(os.path.join(work, "err.%d" % id(self)), "w+")
        argv = [st.saker_bin()] + args
        if user:
            argv = ["setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups"] + argv
        self.p = subprocess.Popen(argv, stdout=self.out, stderr=self.err, env=env)

    def text(self, which):
        which.flush()
        with open(which.name) as f:
            return f.read()

    def alerts(self):
        return [a for a in st.json_lines(self.text(self.out)) if "rule" in a]

    def wait_alert(self, pred, timeout, what):
        def found():
            if self.p.poll() is not None:
                raise AssertionError(f"saker exited {self.p.returncode}:\n{self.text(self.err)}")
            return any(pred(a) for a in self.alerts())
        st.wait_for(found, timeout=timeout, what=what)

    def stop(self, timeout=120):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        return self.p.wait(timeout=timeout)


def matches(alert, exp):
    if alert.get("rule") != exp.rule:
        return False
    fields = alert.get("output_fields", {})
    if exp.proc is not None and fields.get("proc.name") != exp.proc:
        return False
    return exp.text in alert.get("output", "")


def live_run(c, cfg, rules, work, capture):
    """Saker live (writing a capture when asked) while every attack and look-alike runs.
    Checks each expected alert and that no look-alike raised one; returns the alerts, the
    expected ones and saker's log."""
    mode = "capturing" if capture else "prefiltered"
    env = actions.Env(os.path.join(work, "act-" + mode))
    os.makedirs(env.path("keys"), exist_ok=True)
    ready = env.path("ready-marker")
    live = Saker(["-c", cfg, "-r", rules] + (["-w", capture] if capture else []), work)
    try:
        # The source is up when an action is seen: shred a marker until its alert shows.
        def ready_probe(a):
            return a.get("rule") == "Remove Bulk Data from Disk" and "ready-marker" in a["output"]

        deadline = time.monotonic() + 120
        while True:
            with open(ready, "w") as f:
                f.write("x")
            subprocess.run(["shred", "-u", ready], capture_output=True)
            try:
                live.wait_alert(ready_probe, 2, "the first alert")
                break
            except AssertionError:
                if time.monotonic() > deadline or live.p.poll() is not None:
                    raise

        # libcurl is loaded only once a container runtime socket is there to talk to
        if not any(os.path.exists(p) for p in ("/var/run/docker.sock", "/run/podman/podman.sock")):
            with open(f"/proc/{live.p.pid}/maps") as f:
                c.check("libcurl" not in f.read(), f"{mode}: libcurl loaded with no runtime socket")

        expected = []
        for act in actions.ATTACKS:
            try:
                expected += [(act.__name__, e) for e in act(env)]
            except Exception as e:  # an action that cannot run here is reported, not hidden
                c.check(False, f"{mode}: action {act.__name__} failed to run: {e}")
        markers = actions.benign(env)

        # Sync point: every action's events have been processed once this one's alert shows.
        closing = env.path("closing-marker")
        with open(closing, "w") as f:
            f.write("y")
        subprocess.run(["shred", "-u", closing], capture_output=True)
        live.wait_alert(lambda a: a.get("rule") == "Remove Bulk Data from Disk" and
                        "closing-marker" in a["output"], 120, "the closing marker alert")
    finally:
        rc = live.stop()
        env.cleanup()
    log = live.text(live.err)
    c.check(rc == 0, f"{mode}: saker exits 0 on SIGTERM (got {rc}): {log[-2000:]}")

    alerts = live.alerts()
    fired = set()
    for name, exp in expected:
        ok = any(matches(a, exp) for a in alerts)
        c.check(ok, f"{mode}: {name}: expected {exp}")
        if ok:
            fired.add(exp.rule)
    print(f"{mode}: rules caught: {len(fired)} of 25: {sorted(fired)}")
    c.check(len(fired) >= MIN_RULES, f"{mode}: at least {MIN_RULES} of the 25 upstream rules "
                                     f"caught (got {len(fired)})")
    for m in markers:
        hits = [a["rule"] for a in alerts if m in a.get("output", "")]
        c.check(not hits, f"{mode}: benign look-alike {m!r} raised {hits}")
    for a in alerts:
        if a.get("rule") == "Terminal shell in container":
            c.check(a.get("output_fields", {}).get("proc.tty", 0) != 0,
                    f"{mode}: Terminal shell in container only with a terminal")
    return alerts, expected, log


def main():
    st.require_root()
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        st.skip("the kernel has no BTF: the CO-RE driver cannot load")
    c = st.Checks("syscall e2e upstream rules")
    rules = os.path.join(st.corpus_dir("rules"), "falco_rules.yaml")
    work = tempfile.mkdtemp(prefix="skr-e2e-")
    os.chmod(work, 0o755)
    cfg = config(work, st.plugins_dir())
    capture = os.path.join(work, "live.cap")

    # Without a capture the kernel drops the opens no rule can match (by path); with one it
    # keeps every event. Both must catch the same attacks.
    _, _, log = live_run(c, cfg, rules, work, None)
    c.check("filtered in the kernel by path" in log,
            f"the upstream rules turn the kernel's open-path filter on: {log[-2000:]}")
    alerts, expected, _ = live_run(c, cfg, rules, work, capture)

    # Replay as an unprivileged user: the same alerts, from the capture alone.
    os.chmod(capture, 0o644)
    for name in os.listdir(work):
        os.chmod(os.path.join(work, name), 0o755 if os.path.isdir(os.path.join(work, name))
                 else 0o644)
    user = "65534"  # nobody
    replay = Saker(["-c", cfg, "-r", rules, "-e", capture], work, user=user)
    rrc = replay.p.wait(timeout=600)
    c.check(rrc == 0, f"replay as {user} exits 0 (got {rrc}): {replay.text(replay.err)[-2000:]}")
    def key(a):
        return (a.get("rule"), a.get("output"))
    live_keys = sorted(key(a) for a in alerts)
    replay_keys = sorted(key(a) for a in replay.alerts())
    c.check(live_keys == replay_keys,
            f"replayed alerts equal the live ones ({len(replay_keys)} vs {len(live_keys)}); "
            f"only live: {[k for k in live_keys if k not in replay_keys][:5]}; "
            f"only replay: {[k for k in replay_keys if k not in live_keys][:5]}")
    for name, exp in expected:
        c.check(any(matches(a, exp) for a in replay.alerts()), f"replay: {name}: expected {exp}")
    if not c.failed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work directory kept: {work}")
    c.finish()


if __name__ == "__main__":
    main()
