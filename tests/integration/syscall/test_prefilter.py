# SPDX-License-Identifier: Apache-2.0
"""The kernel's open-path filter, live.

1. The plugin under a minimal host (syscall_harness) given a prefilter of
   prefixes, exact paths and suffixes: of the test's own opens, exactly those
   the filter cannot rule out arrive (named paths, relative and ".." paths,
   directories, failed opens of named paths), none of the others, and the
   driver counts the others in n_prefiltered. Other processes' events do not
   matter: the harness prints only the test's own.
2. saker with rules that name file paths: a rule on fd.name (exact),
   fd.filename and fd.directory each alerts, and so does an open written
   with "..", while saker logs the filter it set.

Needs root (eBPF); skips otherwise, and never under CI=true.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

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


def opens(paths, times=1):
    for _ in range(times):
        for p in paths:
            try:
                with open(p):
                    pass
            except OSError:
                pass


ACTOR = r"""
import os, sys
work, n = sys.argv[1], int(sys.argv[2])
def touch(p):
    try:
        os.close(os.open(p, os.O_RDONLY))
    except OSError:
        pass
for _ in range(n):
    touch(f"{work}/drop/a")
for _ in range(100):
    touch(f"{work}/keep/a")
for p in ("exact.txt", "exact.txt2", "sub/secret.key", "drop/secret.keys", "drop/missing",
          "keep/missing", "drop"):
    touch(f"{work}/{p}")
os.chdir(f"{work}/drop")
touch("../exact.txt")
touch("a")
"""


def harness_check(c, work):
    harness = os.path.join(st.build_dir(), "tests", "integration", "syscall", "syscall_harness")
    spec = {"prefix": [f"{work}/keep/"], "exact": [f"{work}/exact.txt"], "suffix": ["/secret.key"]}
    p = st.run([harness, os.path.join(st.plugins_dir(), "libsyscall.so"), "live",
                "--types", "open,openat", "--fields", "evt.type,fd.name,fd.nameraw,evt.res",
                "--tag", "prefilter", "--open-filter", json.dumps(spec), "--",
                sys.executable, "-c", ACTOR, work, str(N)], timeout=120)
    c.check(p.returncode == 0, f"harness exited {p.returncode}: {p.stderr[-2000:]}")
    metrics = dict(line.split()[1:3] for line in p.stderr.splitlines()
                   if line.startswith("metric "))
    seen = {}
    for e in st.json_lines(p.stdout):
        if e.get("evt.type") in ("open", "openat"):
            key = (e.get("fd.name"), e.get("fd.nameraw"))
            seen[key] = seen.get(key, 0) + 1

    def count(name, raw=None):
        return sum(v for (n, r), v in seen.items() if n == name and (raw is None or r == raw))

    w = work
    print(f"harness: {count(f'{w}/drop/a')} of {N} unnamed opens arrived, "
          f"{count(f'{w}/keep/a')} of 100 named; n_prefiltered {metrics.get('n_prefiltered')}",
          flush=True)
    c.check(count(f"{w}/drop/a", f"{w}/drop/a") == 0, "an unnamed canonical open arrived")
    c.check(count(f"{w}/keep/a") == 100, f"named opens: {count(f'{w}/keep/a')} of 100")
    c.check(count(f"{w}/exact.txt", f"{w}/exact.txt") == 1, "the exact path did not arrive")
    c.check(count(f"{w}/exact.txt2") == 0, "a path that only starts with the exact one arrived")
    c.check(count(f"{w}/sub/secret.key") == 1, "the suffix did not let its path through")
    c.check(count(f"{w}/drop/secret.keys") == 0, "a path past the suffix arrived")
    c.check(count(f"{w}/drop/missing") == 0, "an unnamed failed open arrived")
    c.check(count(f"{w}/keep/missing") == 1, "a named failed open did not arrive")
    c.check(count(f"{w}/drop") == 1, "an open of a directory did not arrive")
    c.check(count(f"{w}/exact.txt", "../exact.txt") == 1, "an open written with '..' did not arrive")
    c.check(count(f"{w}/drop/a", "a") == 1, "a relative open did not arrive")
    c.check(int(metrics.get("n_prefiltered", "0")) >= N + 3,
            f"n_prefiltered {metrics.get('n_prefiltered')} < {N + 3}")


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
    harness_check(c, work)

    write(os.path.join(work, "rules.yaml"), rules(work))
    write(os.path.join(work, "saker.yaml"), f"""
plugins_dir: {st.plugins_dir()}
plugins:
  - name: syscall
    library_path: libsyscall.so
load_plugins: [syscall]
rules_files: [{work}/rules.yaml]
json_output: true
stdout_output: {{enabled: true}}
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
    snaps = [o["saker_metrics"] for o in st.json_lines(log) if "saker_metrics" in o]
    pm = snaps[-1]["sources"]["syscall"].get("plugin_metrics", {}) if snaps else {}
    # drop/secret.keys at least was filtered in the kernel
    c.check(pm.get("n_prefiltered", 0) >= 1 and pm.get("n_evts", 0) >= 1,
            f"the final metrics show no prefiltered opens: {pm}")
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
