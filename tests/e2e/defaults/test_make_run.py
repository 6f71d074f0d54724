# SPDX-License-Identifier: Apache-2.0
"""What `sudo make run` starts, as root: the installed saker with its built-in
configuration (installed into a DESTDIR here, the install prefix moved there with
-o) runs the syscall source with saker_rules.yaml, and `cat /etc/shadow` from a
shell prints the "Saker Shadow File Read" alert on stdout within a second.

The latency of three reads is measured from the start of cat to the alert line.
Needs root and a kernel with BTF; skips otherwise, never under CI=true."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import sakertest as st

LATENCY_S = 1.0


def defaults():
    p = st.run_saker(["--list-config"], check=True)
    return {m.group(1): m.group(2) for m in re.finditer(r"^(\S+)\s+.*default: (.*)$", p.stdout, re.M)}


class Output:
    """saker's stdout in a file, read as it grows."""

    def __init__(self, path):
        self.path = path
        self.pos = 0
        self.lines = []

    def poll(self):
        with open(self.path) as f:
            f.seek(self.pos)
            chunk = f.read()
        done = chunk.rfind("\n") + 1
        self.pos += done
        self.lines += chunk[:done].splitlines()
        return self.lines


# The shell is a link called skr-makerun, so the alerts of this test are told apart from
# those of other tests running at the same time.
SHELL_NAME = "skr-makerun"


def shadow_alerts(lines, since):
    return [line for line in lines[since:] if "Password hashes read" in line and
            "file=/etc/shadow" in line and "process=cat" in line and
            f"parent={SHELL_NAME}" in line]


def main():
    st.require_root()
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        st.skip("the kernel has no BTF: the CO-RE driver cannot load")
    c = st.Checks("make run")
    work = tempfile.mkdtemp(prefix="skr-makerun-")
    d = defaults()
    dest = os.path.join(work, "dest")
    p = subprocess.run(["cmake", "--install", st.build_dir()], env=dict(os.environ, DESTDIR=dest),
                       capture_output=True, text=True, timeout=300)
    c.check(p.returncode == 0, f"cmake --install: {p.stderr[-1500:]}")
    prefix_bin = [os.path.join(r, "saker") for r, _, fs in os.walk(dest) if "saker" in fs and
                  r.endswith("/bin")]
    if p.returncode != 0 or len(prefix_bin) != 1:
        c.finish()
    args = [prefix_bin[0], "-o", "plugins_dir=" + dest + d["plugins_dir"],
            "-o", "rules_files[0]=" + dest + d["rules_files"][1:-1]]
    if os.path.exists("/etc/saker/saker.yaml"):
        args += ["-c", os.path.join(st.build_dir(), "saker.yaml")]  # the built-in one, as a file
    shell = os.path.join(work, SHELL_NAME)
    os.symlink("/bin/sh", shell)
    out_path = os.path.join(work, "stdout")
    err_path = os.path.join(work, "stderr")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err)
    out = Output(out_path)
    latencies = []
    try:
        # Up once a read shows: the eBPF driver takes a moment to attach.
        deadline = time.monotonic() + 120
        while True:
            subprocess.run([shell, "-c", "cat /etc/shadow > /dev/null"], check=True)
            try:
                st.wait_for(lambda: proc.poll() is not None or shadow_alerts(out.poll(), 0),
                            timeout=1.0, what="the first alert")
            except AssertionError:
                pass
            if shadow_alerts(out.poll(), 0):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no alert from saker (exit {proc.poll()}):\n"
                                     + open(err_path).read()[-2000:])
        for _ in range(3):
            since = len(out.poll())
            t0 = time.monotonic()
            subprocess.run([shell, "-c", "cat /etc/shadow > /dev/null"], check=True)
            st.wait_for(lambda: shadow_alerts(out.poll(), since), timeout=10, interval=0.005,
                        what="the alert of cat /etc/shadow")
            latencies.append(time.monotonic() - t0)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=120)
    err = open(err_path).read()
    print("latencies (s):", ", ".join(f"{x:.3f}" for x in latencies))
    c.check(rc == 0, f"saker exits 0 on SIGTERM (got {rc})")
    c.check("running 1 event source(s)" in err, f"the syscall source runs: {err[-1500:]}")
    n = re.search(r"(\d+) rules loaded", err)
    c.check(n and int(n.group(1)) >= 40, f"the default rules are loaded ({n and n.group(0)})")
    c.check(len(latencies) == 3 and max(latencies) < LATENCY_S,
            f"each alert within {LATENCY_S} s of cat /etc/shadow ({latencies})")
    alert = shadow_alerts(out.poll(), 0)[-1]
    c.check(" Warning " in alert and not alert.startswith("{"), f"a text alert at Warning: {alert}")
    for part in (f"parent={SHELL_NAME}", "user=root", "container="):
        c.check(part in alert, f"the alert names {part!r}: {alert}")
    shutil.rmtree(work, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
