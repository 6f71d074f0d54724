# SPDX-License-Identifier: Apache-2.0
"""The kernel's open-path filter, live: saker with rules that name file paths
drops, in the kernel, the opens no rule can match, and still alerts on every
open a rule does match, whichever path field the rule tests.

1. Opens of files no rule names are not delivered: the source's event count
   barely moves while thousands of them run, and moves by thousands while
   as many opens of a path a rule names (but never alerts on) run.
2. A rule on fd.name (exact), fd.filename and fd.directory each alerts; so
   does an open written with "..", which the kernel never drops.

Needs root (eBPF); skips otherwise, and never under CI=true.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import sakertest as st

# Opens per phase. Other tests running at the same time add events of their own (their
# processes' state): the thresholds leave room for thousands of them.
N = 20000


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def rules(work):
    return f"""
- rule: pf keep
  desc: opens under keep/, never alerting
  condition: evt.type in (open, openat) and fd.name startswith {work}/keep/ and proc.name = no-such-proc
  output: keep %fd.name
  priority: WARNING
- rule: pf exact
  desc: one path
  condition: evt.type = openat and fd.name = {work}/exact.txt
  output: exact %fd.name %fd.nameraw by %proc.name
  priority: WARNING
- rule: pf filename
  desc: a file name anywhere
  condition: evt.type = openat and evt.is_open_read=true and fd.filename in (secret.key, id_test)
  output: filename %fd.name by %proc.name
  priority: WARNING
- rule: pf directory
  desc: a directory
  condition: evt.type = openat and fd.directory = {work}/logs and not proc.name = no-such-proc
  output: directory %fd.name by %proc.name
  priority: WARNING
"""


def metrics_events(path):
    """The syscall source's event count in the last metrics line, or None."""
    last = None
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.startswith("{"):
                    last = json.loads(line)["saker_metrics"]
    if last is None:
        return None
    return last.get("sources", {}).get("syscall", {}).get("events")


def settled_events(path):
    """The event count once two metrics lines in a row agree closely (the opens are in)."""
    prev = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(1.2)
        cur = metrics_events(path)
        if cur is not None and prev is not None and cur - prev < N // 10:
            return cur
        prev = cur
    raise AssertionError("the event count never settled")


def opens(paths, times=1):
    for _ in range(times):
        for p in paths:
            try:
                with open(p):
                    pass
            except OSError:
                pass


def main():
    st.require_root()
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        st.skip("the kernel has no BTF: the CO-RE driver cannot load")
    c = st.Checks("syscall open-path prefilter")
    work = tempfile.mkdtemp(prefix="skr-pf-")
    os.chmod(work, 0o755)
    for d in ("keep", "drop", "logs", "sub"):
        os.makedirs(os.path.join(work, d))
    for f in ("keep/a", "drop/a", "drop/secret.keys", "logs/a.log", "sub/secret.key",
              "exact.txt", "exact.txt2"):
        write(os.path.join(work, f), "x")
    write(os.path.join(work, "rules.yaml"), rules(work))
    mpath = os.path.join(work, "metrics.json")
    write(os.path.join(work, "saker.yaml"), f"""
plugins_dir: {st.plugins_dir()}
plugins:
  - name: syscall
    library_path: libsyscall.so
load_plugins: [syscall]
rules_files: [{work}/rules.yaml]
json_output: true
stdout_output: {{enabled: true}}
metrics: {{enabled: true, interval: 1s, output_file: {mpath}}}
""")
    out = open(os.path.join(work, "out"), "w+")
    err = open(os.path.join(work, "err"), "w+")
    p = subprocess.Popen([st.saker_bin(), "-c", os.path.join(work, "saker.yaml")], stdout=out,
                         stderr=err)

    def alerts():
        out.flush()
        with open(out.name) as f:
            return [a for a in st.json_lines(f.read()) if "rule" in a]

    def seen(rule, text):
        return any(a["rule"] == rule and text in a["output"] for a in alerts())

    try:
        def ready():
            if p.poll() is not None:
                raise AssertionError(f"saker exited {p.returncode}")
            opens([os.path.join(work, "exact.txt")])
            return seen("pf exact", f"{work}/exact.txt")
        st.wait_for(ready, timeout=120, what="the first alert")

        e0 = settled_events(mpath)
        opens([os.path.join(work, "drop", "a"), os.path.join(work, "exact.txt2")], N // 2)
        e1 = settled_events(mpath)
        opens([os.path.join(work, "keep", "a")], N)
        e2 = settled_events(mpath)
        print(f"events: {e1 - e0} during {N} opens no rule names, {e2 - e1} during {N} opens "
              f"under keep/", flush=True)
        c.check(e1 - e0 < N // 2, f"{N} opens no rule names gave {e1 - e0} events")
        c.check((e2 - e1) - (e1 - e0) >= 3 * N // 4,
                f"{N} opens a rule names gave only {e2 - e1} events")

        opens([os.path.join(work, "sub", "secret.key"), os.path.join(work, "drop", "secret.keys"),
               os.path.join(work, "logs", "a.log")])
        os.chdir(os.path.join(work, "drop"))
        opens(["../exact.txt"])
        os.chdir("/")
        opens([os.path.join(work, "logs", "closing.log")])  # fails: a failed open still alerts
        st.wait_for(lambda: seen("pf directory", "closing.log"), timeout=60,
                    what="the closing alert")
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=120)
    err.flush()
    with open(err.name) as f:
        log = f.read()
    c.check(rc == 0, f"saker exits 0 (got {rc}): {log[-2000:]}")
    c.check("filtered in the kernel by path" in log, f"no filter in the log: {log[-2000:]}")
    c.check(seen("pf filename", f"{work}/sub/secret.key"), "fd.filename rule did not alert")
    c.check(not seen("pf filename", "secret.keys"), "fd.filename rule alerted on secret.keys")
    c.check(seen("pf directory", f"{work}/logs/a.log"), "fd.directory rule did not alert")
    c.check(any(a["rule"] == "pf exact" and "../exact.txt" in a["output"] for a in alerts()),
            "an open written with '..' was not delivered")
    c.check(not any(a["rule"] == "pf keep" for a in alerts()), "pf keep alerted")
    if not c.failed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work directory kept: {work}")
    c.finish()


if __name__ == "__main__":
    main()
