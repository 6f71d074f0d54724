#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A hanging HTTP endpoint (accepts, never answers) does not delay the stdout and file sinks:
they receive every alert while the HTTP sink is still stuck in its first request. The HTTP
sink's small queue drops what does not fit (drop, or block up to a bound), and at shutdown what
it still holds is counted lost after outputs_queue.drain_timeout. Every alert is accounted for
at every sink."""
import os

import sakertest
from outputtest import HangingServer, Running, Workdir, check_account, http_section, metrics

c = sakertest.Checks("output hang")
w = Workdir("hang")
rules = w.rules()
N = 300


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l for l in f.read().splitlines() if l]


def scenario(name, queue, timeout=3000):
    srv = HangingServer()
    events = w.path(f"{name}.txt")
    extra = (http_section(srv.url, timeout=timeout, connect_timeout=2000, max_retries=0) +
             f"file_output:\n  enabled: true\n  keep_alive: true\n  filename: {events}\n"
             f"outputs_queue:\n  drain_timeout: 200ms\n  sinks:\n    http: {queue}\n")
    cfg = w.config(f"{name}.yaml", N, extra=extra, counter={"idle": True, "batch": 16},
                   stdout=True)
    r = Running(["-c", cfg, "-r", rules])
    try:
        # stdout and file get every alert ...
        sakertest.wait_for(lambda: len(lines(events)) == N and
                           sum(" n=" in l for l in r.stdout().splitlines()) == N,
                           timeout=60, what=f"{name}: {N} alerts in the file and on stdout")
        # ... while the HTTP sink still waits for the answer to its first request
        with srv.cond:
            connected, gave_up = len(srv.conns), srv.closed
        c.check(connected >= 1 and gave_up == 0,
                f"{name}: stdout and file complete while the HTTP request hangs "
                f"({connected} connections, {gave_up} abandoned)")
        c.check(r.alive(), f"{name}: saker still running")
        rc = r.finish()
    finally:
        r.kill()
        srv.close()
    m = metrics(r.stderr())
    c.check(rc == 0, f"{name}: exit code {rc}: {r.stderr()[-1500:]}")
    emitted = m["rules"]["matches"] if m else -1
    c.check(emitted == N, f"{name}: {emitted} alerts emitted")
    check_account(c, m, "file", N, received=len(lines(events)), what=name)
    check_account(c, m, "stdout", N,
                  received=sum(" n=" in l for l in r.stdout().splitlines()), what=name)
    h = check_account(c, m, "http", N, received=0, what=name)
    return h, r.stderr()


# drop: the HTTP queue of 20 fills, the rest is dropped for it (counted); the sink holds at most
# one queue-full in hand, so at least N - 2 * capacity are dropped. What it holds fails (its
# request times out or is abandoned at shutdown); what is still queued then is lost. Whether
# anything is still queued depends on when the sink thread first took alerts (before or after
# the source filled its queue): the next scenario makes losses certain.
h, err = scenario("drop", "{capacity: 20, policy: drop}")
if h is not None:
    c.check(h["delivered"] == 0 and h["capacity"] == 20 and h["dropped"] >= N - 2 * 20 and
            h["failed"] >= 1 and h["failed"] + h["lost"] == N - h["dropped"],
            f"drop: hanging sink's account {h}")
c.check("the alert queue is full (outputs_queue.sinks.http.capacity 20)" in err,
        f"drop logged: {err[-1500:]}")
c.check("alerts offered: 0 delivered" in err, f"the sink's account is logged at exit: {err[-800:]}")
c.check("[http] writing " in err and "(output_timeout 2000 ms); the other sinks are not held back"
        in err, "the slow write is logged (output_timeout)")
c.check("alert(s) not delivered: POST " in err and "after 0 retries" in err and
        "(the first: rule 'Every counter event' at 2023-11-14T22:13:20.000001000+0000" in err,
        f"the failure is logged with rule and time: {err[-1500:]}")

# lost: a queue that holds every alert, and a request that does not time out before shutdown: the
# sink takes at most one batch (256 alerts) in hand, so at least N - 256 are still queued when
# saker stops, and they are counted lost after drain_timeout. (The request in progress is not
# interrupted: shutdown waits for it up to the sink's own timeout, then counts it failed.)
h, err = scenario("lost", "{capacity: 1000, policy: drop}", timeout=15000)
if h is not None:
    c.check(h["delivered"] == 0 and h["dropped"] == 0 and h["lost"] >= N - 256 and
            h["failed"] + h["lost"] == N, f"lost: hanging sink's account {h}")
c.check("queued alert(s) lost: the sink did not deliver them within outputs_queue.drain_timeout "
        "(200 ms)" in err, f"lost logged: {err[-1500:]}")

# drop_oldest: the same bound, the newest alerts kept
h, err = scenario("oldest", "{capacity: 20, policy: drop_oldest}")
if h is not None:
    c.check(h["delivered"] == 0 and h["policy"] == "drop_oldest" and h["dropped"] >= N - 2 * 20,
            f"drop_oldest: {h}")

# block up to a bound: the source waits at most block_timeout once, then the stalled sink drops
h, err = scenario("block", "{capacity: 5, policy: block, block_timeout: 300ms}")
if h is not None:
    c.check(h["delivered"] == 0 and h["policy"] == "block" and h["dropped"] >= N - 2 * 5,
            f"block: {h}")
c.check("the sink took no alert for 300 ms with its queue full" in err,
        f"stall logged: {err[-1500:]}")

c.finish()
