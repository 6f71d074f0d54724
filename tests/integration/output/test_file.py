#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""out_file: every fsync policy writes every alert; a device that refuses writes (/dev/full)
counts every alert failed and says why; SIGUSR1 reopens a kept-alive file for rotation without
losing an alert; a file that cannot be opened is an error at start."""
import os
import signal

import sakertest
from outputtest import Running, Workdir, check_account, metrics, saker

c = sakertest.Checks("output file")
w = Workdir("file")
rules = w.rules()


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l for l in f.read().splitlines() if l]


def section(path, **keys):
    out = f"file_output:\n  enabled: true\n  filename: {path}\n"
    for k, v in keys.items():
        out += f"  {k}: {str(v).lower() if isinstance(v, bool) else v}\n"
    return out


for fsync in ("never", "flush", "always"):
    for keep in (False, True):
        name = f"{fsync}-{'keep' if keep else 'reopen'}"
        out = w.path(f"{name}.txt")
        cfg = w.config(f"{name}.yaml", 300, extra=section(out, fsync=fsync, keep_alive=keep),
                       counter={"batch": 7})
        p = saker(["-c", cfg, "-r", rules])
        m = metrics(p.stderr)
        c.check(p.returncode == 0, f"{name}: exit {p.returncode} {p.stderr[-800:]}")
        check_account(c, m, "file", 300, received=len(lines(out)), what=name)
        ns = [int(l.split("n=")[1].split()[0]) for l in lines(out)]
        c.check(ns == list(range(1, 301)), f"{name}: every alert once, in order")

# ---- a device that refuses every write --------------------------------------------------------
cfg = w.config("full.yaml", 20, extra=section("/dev/full", keep_alive=True))
p = saker(["-c", cfg, "-r", rules])
s = check_account(c, metrics(p.stderr), "file", 20, received=0, what="/dev/full")
c.check(s is not None and s["failed"] == 20, f"/dev/full: {s}")
c.check("cannot write /dev/full: No space left on device" in p.stderr, f"why: {p.stderr[-800:]}")

# ---- a file that cannot be opened: an error at start ---------------------------------------------
cfg = w.config("noopen.yaml", 1, extra=section(w.path("no/such/dir/x.txt")))
p = saker(["-c", cfg, "-r", rules])
c.check(p.returncode == 1 and "output sink 'file' (plugin 'out_file'): plugin_sink_open failed: "
        "cannot open " in p.stderr and "No such file or directory" in p.stderr,
        f"unopenable file: {p.stderr}")

# ---- rotation: rename, SIGUSR1, later alerts in the new file, none lost ------------------------
out = w.path("rotate.txt")
cfg = w.config("rotate.yaml", 60, extra=section(out, keep_alive=True),
               counter={"batch": 1, "pace_us": 15000})
r = Running(["-c", cfg, "-r", rules])
try:
    sakertest.wait_for(lambda: len(lines(out)) >= 10, what="10 alerts before the rotation")
    os.rename(out, out + ".1")
    r.p.send_signal(signal.SIGUSR1)
    rc = r.p.wait(timeout=120)
finally:
    r.kill()
old, new = lines(out + ".1"), lines(out)
c.check(rc == 0 and len(new) > 0 and len(old) + len(new) == 60,
        f"rotation: {len(old)} + {len(new)} lines, exit {rc} {r.stderr()[-600:]}")
check_account(c, metrics(r.stderr()), "file", 60, received=len(old) + len(new), what="rotation")

c.finish()
