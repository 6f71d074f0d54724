#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""out_program: a program sink that writes to a file. One run per alert and one kept-alive
program; a kept-alive program that exits after every alert is restarted and nothing is lost; a
program that fails or cannot start is counted; SIGUSR1 restarts the program. Every alert emitted
is received or counted failed."""
import os
import signal

import sakertest
from outputtest import Running, Workdir, check_account, metrics, saker

c = sakertest.Checks("output program")
w = Workdir("program")
rules = w.rules()


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l for l in f.read().splitlines() if l]


def section(program, **keys):
    out = f"program_output:\n  enabled: true\n  program: {program!r}\n"
    for k, v in keys.items():
        out += f"  {k}: {str(v).lower() if isinstance(v, bool) else v}\n"
    return out


def run(name, count, sec, what, counter=None, extra=""):
    cfg = w.config(name, count, extra=sec + extra, counter=counter)
    p = saker(["-c", cfg, "-r", rules])
    m = metrics(p.stderr)
    c.check(p.returncode == 0, f"{what}: exit {p.returncode}: {p.stderr[-1500:]}")
    c.check(m is not None and m["rules"]["matches"] == count, f"{what}: alerts emitted")
    return p, m


def numbers(path):
    return sorted(int(l.rsplit("n=", 1)[1].split()[0]) for l in lines(path))


# ---- one run per alert (Falco's default) -----------------------------------------------------------
out = w.path("once.txt")
p, m = run("once.yaml", 20, section(f"cat >> {out}"), "per alert")
check_account(c, m, "program", 20, received=len(lines(out)), what="per alert")
c.check(numbers(out) == list(range(1, 21)), f"per alert: {numbers(out)}")

# JSON lines reach the program as they are
out = w.path("json.txt")
p, m = run("json.yaml", 3, section(f"cat >> {out}", keep_alive=True), "json",
           extra="json_output: true\n")
got = [sakertest.json_lines(l)[0] for l in lines(out)]
c.check(len(got) == 3 and got[0]["rule"] == "Every counter event", f"json lines: {got}")

# ---- one kept-alive program --------------------------------------------------------------------------
out = w.path("kept.txt")
p, m = run("kept.yaml", 200, section(f"exec cat >> {out}", keep_alive=True), "keep_alive")
check_account(c, m, "program", 200, received=len(lines(out)), what="keep_alive")
c.check(numbers(out) == list(range(1, 201)), "keep_alive: every alert once, in order")

# a kept-alive program that reads one line and exits: restarted, and the lines it left unread
# in the pipe are written again to the new one, so every alert is delivered once
out = w.path("restart.txt")
p, m = run("restart.yaml", 12, section(f'read -r l; printf "%s\\n" "$l" >> {out}',
                                       keep_alive=True, max_retries=15),
           "restarted", counter={"batch": 3})
s = check_account(c, m, "program", 12, received=len(lines(out)), what="restarted")
c.check(numbers(out) == list(range(1, 13)) and s is not None and s["delivered"] == 12 and
        s["retries"] > 0, f"restarted: {numbers(out)} {s}")
c.check("starting it again" in p.stderr and "was started again" in p.stderr,
        f"restarts logged: {p.stderr[-1500:]}")

# a kept-alive program that exits without reading: each alert is tried max_retries more times,
# then the batch fails (counted), and the sink is not held for long
p, m = run("dies.yaml", 6, section("exit 0", keep_alive=True, max_retries=1), "dying program",
           counter={"batch": 6})
s = check_account(c, m, "program", 6, received=0, what="dying program")
c.check(s is not None and s["failed"] == 6 and "went away before reading every alert" in p.stderr,
        f"dying program: {s} {p.stderr[-800:]}")

# ---- a program that fails: counted, with its status -------------------------------------------------
p, m = run("fail.yaml", 4, section("cat > /dev/null; exit 3"), "failing program")
s = check_account(c, m, "program", 4, received=0, what="failing program")
c.check(s is not None and s["failed"] == 4, f"failing program: {s}")
c.check("program 'cat > /dev/null; exit 3' exited with status 3" in p.stderr,
        f"status logged: {p.stderr[-800:]}")

# a program that does not read: stopped after the timeout, counted failed
p, m = run("stuck.yaml", 1, section("sleep 30", timeout="300ms"), "stuck program")
s = check_account(c, m, "program", 1, received=0, what="stuck program")
c.check(s is not None and s["failed"] == 1 and "was killed by signal 15" in p.stderr,
        f"stuck program stopped: {s} {p.stderr[-800:]}")

# enabled without a program: an error naming the key
cfg = w.config("noprogram.yaml", 1, extra="program_output:\n  enabled: true\n  program: ''\n")
p = saker(["-c", cfg, "-r", rules])
c.check(p.returncode == 1 and "program_output.program: program_output is enabled but has no "
        "program: set one" in p.stderr, f"empty program: {p.stderr}")

# ---- SIGUSR1 restarts a kept-alive program -----------------------------------------------------------
out = w.path("usr1.txt")
starts = w.path("starts.txt")
cfg = w.config("usr1.yaml", 5, extra=section(f"echo start >> {starts}; exec cat >> {out}",
                                             keep_alive=True),
               counter={"idle": True})
r = Running(["-c", cfg, "-r", rules])
try:
    sakertest.wait_for(lambda: len(lines(out)) == 5, what="5 alerts through the program")
    r.p.send_signal(signal.SIGUSR1)
    sakertest.wait_for(lambda: len(lines(starts)) == 2, what="the program started again")
    rc = r.finish()
finally:
    r.kill()
c.check(rc == 0 and "SIGUSR1: reopening the outputs" in r.stderr(), f"SIGUSR1: {r.stderr()[-800:]}")
check_account(c, metrics(r.stderr()), "program", 5, received=len(lines(out)), what="SIGUSR1")

c.finish()
