#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""out_syslog against receivers on loopback: UDP and TCP servers (RFC 5424, octet counting),
a TCP server that closes the connection midway (the sink connects again, nothing lost), and a
local datagram socket standing in for /dev/log (RFC 3164). Severity follows the priority; every
alert emitted is received or counted failed."""
import re

import sakertest
from outputtest import (PRIO_RULES, SyslogLocal, SyslogTcp, SyslogUdp, Workdir, check_account,
                        free_port, metrics, saker)

c = sakertest.Checks("output syslog")
w = Workdir("syslog")
rules = w.write("prio.yaml", PRIO_RULES)
N = 40
RFC5424 = re.compile(r"^<(\d+)>1 (\S+) (\S+) (\S+) (\d+) (\S+) - (.*)$")


def run(name, count, section, what, counter=None):
    cfg = w.config(name, count, extra=section, counter=counter)
    p = saker(["-c", cfg, "-r", rules])
    m = metrics(p.stderr)
    c.check(p.returncode == 0, f"{what}: exit {p.returncode}: {p.stderr[-1500:]}")
    c.check(m is not None and m["rules"]["matches"] == count, f"{what}: alerts emitted")
    return p, m


def check_5424(msgs, what, facility=1):
    ok = True
    ns = []
    for msg in msgs:
        mt = RFC5424.match(msg)
        if mt is None:
            c.check(False, f"{what}: not RFC 5424: {msg!r}")
            return
        pri, ts, host, app, pid, msgid, body = mt.groups()
        n = int(re.search(r" n=(\d+)$", body).group(1))
        ns.append(n)
        sev = 2 if n % 4 == 0 else 5  # Critical, Notice
        ok = ok and int(pri) == facility * 8 + sev and host == "testhost" and app == "saker" \
            and msgid == "counter" and ts.startswith("2023-11-14T22:13:20.") and ts.endswith("Z")
    c.check(ok, f"{what}: PRI = facility*8 + severity, header fields: {msgs[:2]}")
    c.check(sorted(ns) == list(range(1, len(msgs) + 1)), f"{what}: each alert once")


# ---- UDP ------------------------------------------------------------------------------------------
udp = SyslogUdp()
p, m = run("udp.yaml", N, f"syslog_output:\n  enabled: true\n  transport: udp\n  host: 127.0.0.1\n"
           f"  port: {udp.port}\n  facility: local3\n", "udp")
sakertest.wait_for(lambda: len(udp.messages()) >= N, timeout=10, what="udp datagrams")
check_account(c, m, "syslog", N, received=len(udp.messages()), what="udp")
check_5424(udp.messages(), "udp", facility=19)
udp.close()

# ---- TCP, octet counting ---------------------------------------------------------------------------
tcp = SyslogTcp()
p, m = run("tcp.yaml", N, f"syslog_output:\n  enabled: true\n  transport: tcp\n  host: 127.0.0.1\n"
           f"  port: {tcp.port}\n", "tcp")
sakertest.wait_for(lambda: len(tcp.messages()) >= N, timeout=10, what="tcp messages")
check_account(c, m, "syslog", N, received=len(tcp.messages()), what="tcp")
check_5424(tcp.messages(), "tcp")
c.check(tcp.connections == 1, f"one connection: {tcp.connections}")
tcp.close()

# ---- TCP server closing the connection after 5 messages: the sink connects again ----------------
# Syslog over TCP has no acknowledgement: a message written after the server closed, before its
# FIN arrived, would vanish. The sink checks for the FIN before each send; alerts come 100 ms
# apart here so the server has surely closed before the next one.
tcp = SyslogTcp(close_after=5)
p, m = run("tcp-reconnect.yaml", 15,
           f"syslog_output:\n  enabled: true\n  transport: tcp\n  host: 127.0.0.1\n"
           f"  port: {tcp.port}\n", "tcp reconnect", counter={"batch": 1, "pace_us": 100000})
sakertest.wait_for(lambda: len(tcp.messages()) >= 15, timeout=10, what="tcp messages")
s = check_account(c, m, "syslog", 15, received=len(tcp.messages()), what="tcp reconnect")
c.check(tcp.connections == 2 and s is not None and s["delivered"] == 15,
        f"reconnected, nothing lost: {tcp.connections} connections, {s}")
tcp.close()

# ---- nobody listening on TCP: failures counted, start is not refused -------------------------------
dead = free_port()
p, m = run("tcp-down.yaml", 5, f"syslog_output:\n  enabled: true\n  transport: tcp\n"
           f"  host: 127.0.0.1\n  port: {dead}\n", "tcp down")
s = check_account(c, m, "syslog", 5, received=0, what="tcp down")
c.check(s is not None and s["failed"] == 5 and s["retries"] == 5, f"tcp down: {s}")
c.check("connecting again at the next alert" in p.stderr and "Connection refused" in p.stderr,
        f"tcp down logged: {p.stderr[-1000:]}")

# ---- the local socket (RFC 3164, as syslog(3) writes) ---------------------------------------------
sock = w.path("log.sock")
local = SyslogLocal(sock)
p, m = run("local.yaml", N, f"syslog_output:\n  enabled: true\n  socket: {sock}\n  ident: sk\n",
           "local")
sakertest.wait_for(lambda: len(local.messages()) >= N, timeout=10, what="local datagrams")
msgs = local.messages()
check_account(c, m, "syslog", N, received=len(msgs), what="local")
bsd = re.compile(r"^<(\d+)>Nov 14 22:13:20 sk\[\d+\]: 22:13:20\.\d{9}: (Critical|Notice) "
                 r"(crit|note) n=(\d+)$")
good = [bsd.match(x) for x in msgs]
c.check(all(good) and all(int(g.group(1)) == 8 + (2 if g.group(2) == "Critical" else 5)
                          for g in good),
        f"RFC 3164 to the local socket: {msgs[:2]}")
local.close()

# a local socket that is not there: counted failed, said once at start
p, m = run("local-missing.yaml", 3, f"syslog_output:\n  enabled: true\n  socket: {w.path('none')}\n",
           "local missing")
s = check_account(c, m, "syslog", 3, received=0, what="local missing")
c.check(s is not None and s["failed"] == 3 and "cannot connect to the syslog socket" in p.stderr,
        f"missing socket: {s} {p.stderr[-600:]}")

c.finish()
