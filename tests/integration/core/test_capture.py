#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Capture (-w) and replay (-e): same alerts, byte-identical re-capture, and damaged files
reported with their byte offset."""
import filecmp
import struct

import sakertest
from coretest import Workdir, fixture, metrics, saker

c = sakertest.Checks("core capture")
w = Workdir("capture")

rules = w.write("rules.yaml", """
- rule: Some counter events
  desc: every seventh
  condition: counter.n in (7, 14, 21, 28, 490)
  output: n=%counter.n num=%evt.num info=%evt.plugininfo rel=%evt.reltime
  priority: WARNING
  source: counter
- rule: Ticks
  desc: async events
  condition: evt.asynctype = tick
  output: tick %tick.data num=%evt.num
  priority: NOTICE
  source: counter
""")
cfg = w.config("c.yaml", [("counter", fixture("counter"), {"count": 500, "zero_id": True,
                                                            "batch": 7}),
                          ("ticker", fixture("ticker"), {"count": 4})])


def records(path):
    """(offset, type, length) of every record, parsed independently of saker."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"SAKERCAP", "magic"
    off = struct.unpack_from("<I", data, 12)[0]
    while off < len(data):
        typ, n, _crc, _res = struct.unpack_from("<IIII", data, off)
        out.append((off, typ, n))
        off += 16 + n
    return out, data


live = w.path("live.cap")
p = saker(["-c", cfg, "-r", rules, "-w", live])
c.check(p.returncode == 0, f"live capture: {p.returncode} {p.stderr}")
live_alerts = p.stdout.splitlines()
m_live = metrics(p.stderr)
c.check(len([l for l in live_alerts if "n=" in l]) == 5, f"live alerts: {live_alerts}")
recs, data = records(live)
events = [r for r in recs if r[1] == 2]
sources = [r for r in recs if r[1] == 1]
c.check(len(events) == m_live["sources"]["counter"]["events"] == m_live["capture"]["events"],
        f"every event captured: {len(events)} vs {m_live['sources']}")
c.check(len(sources) >= 1 and recs[0][1] == 1 and recs[0][0] == 32,
        f"the file starts with a source declaration: {recs[:2]}")

# replay: no source opened, the same alerts, the same evt.num, and a byte-identical re-capture
again = w.path("again.cap")
p = saker(["-c", cfg, "-r", rules, "-e", live, "-w", again])
c.check(p.returncode == 0, f"replay: {p.returncode} {p.stderr}")
c.check(p.stdout.splitlines() == live_alerts, f"replayed alerts differ:\n{p.stdout}\nvs\n"
        + "\n".join(live_alerts))
m = metrics(p.stderr)
c.check(m["sources"]["counter"]["events"] == m_live["sources"]["counter"]["events"],
        f"replayed event count: {m['sources']}")
c.check(m["sources"]["counter"]["async_events"] == 0, "no async producer runs in a replay")
c.check(filecmp.cmp(live, again, shallow=False), "re-capture of the replay is byte-identical")

# a syscall-like source: a capture makes it send everything (interest all), replay matches
sys_rules = w.write("sys.yaml", """
- rule: Open
  desc: opens
  condition: evt.type = open
  output: open %evtsrc.name interest=%evtsrc.interest num=%evt.num
  priority: INFO
""")
scfg = w.config("s.yaml", [("evtsrc", fixture("evtsrc"), {"count": 30})])
scap = w.path("sys.cap")
p = saker(["-c", scfg, "-r", sys_rules, "-w", scap])
c.check(p.returncode == 0 and "interest=all" in p.stdout, f"capture interest: {p.stdout[:200]}")
live_sys = p.stdout.splitlines()
p = saker(["-c", scfg, "-r", sys_rules, "-e", scap])
c.check(p.returncode == 0 and len(p.stdout.splitlines()) == 10, f"replayed opens: {p.stdout}")
c.check([l.split(" interest=")[0] for l in p.stdout.splitlines()] ==
        [l.split(" interest=")[0] for l in live_sys], "same opens replayed")

# damaged files: the error names the byte offset of the damaged record
ev_off, _, ev_len = events[3]
cut = w.path("cut.cap")
with open(cut, "wb") as f:
    f.write(data[:ev_off + 16 + ev_len // 2])
p = saker(["-c", cfg, "-r", rules, "-e", cut])
c.check(p.returncode == 1 and f"capture file {cut}: offset {ev_off}: truncated record" in p.stderr,
        f"truncated: {p.stderr}")
c.check("Some counter events" not in p.stdout or True, "alerts before the damage may be printed")
cut2 = w.path("cut2.cap")
with open(cut2, "wb") as f:
    f.write(data[:ev_off + 5])
p = saker(["-c", cfg, "-r", rules, "-e", cut2])
c.check(p.returncode == 1 and f"offset {ev_off}: truncated record header" in p.stderr,
        f"truncated header: {p.stderr}")
flip = bytearray(data)
flip[ev_off + 16 + 8 + 40] ^= 0xff
bad = w.path("bad.cap")
with open(bad, "wb") as f:
    f.write(flip)
p = saker(["-c", cfg, "-r", rules, "-e", bad])
c.check(p.returncode == 1 and f"offset {ev_off}: record checksum mismatch" in p.stderr,
        f"corrupt: {p.stderr}")
huge = bytearray(data)
struct.pack_into("<I", huge, ev_off + 4, 0x7fffffff)
hf = w.path("huge.cap")
with open(hf, "wb") as f:
    f.write(huge)
p = saker(["-c", cfg, "-r", rules, "-e", hf])
c.check(p.returncode == 1 and f"offset {ev_off}: record of 2147483647 bytes exceeds" in p.stderr,
        f"huge length: {p.stderr}")
notcap = w.write("notcap.cap", "hello\n" * 10)
p = saker(["-c", cfg, "-e", notcap])
c.check(p.returncode == 1 and "offset 0: not a Saker capture file" in p.stderr, f"not a capture: "
        f"{p.stderr}")
p = saker(["-c", cfg, "-e", w.path("absent.cap")])
c.check(p.returncode == 1 and "cannot open" in p.stderr, f"absent: {p.stderr}")

# a capture of a source no loaded plugin provides
p = saker(["-c", scfg, "-e", live])
c.check(p.returncode == 1 and "offset 32: source 'counter' (plugin 'counter', ID 1000001) is not "
        "provided by any loaded plugin" in p.stderr, f"unknown source: {p.stderr}")
p = saker(["-c", cfg, "-e", live, "-w", live])
c.check(p.returncode == 1 and "-e and -w name the same file" in p.stderr, "same file")

c.finish()
