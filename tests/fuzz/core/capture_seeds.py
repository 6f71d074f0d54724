#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes seed capture files for the capture reader's fuzz harness into DIR (format 1.0, see
docs/capture-format.md): two sources, plugin and syscall-style events, an async event."""
import os
import struct
import sys
import zlib


def record(typ, body):
    head = struct.pack("<II", typ, len(body))
    return head + struct.pack("<II", zlib.crc32(head + body) & 0xffffffff, 0) + body


def source(ref, pid, src, plugin, version):
    body = struct.pack("<HHI", ref, 0, pid)
    for s in (src, plugin, version):
        b = s.encode()
        body += struct.pack("<H", len(b)) + b
    return record(1, body)


def event(ref, ts, tid, typ, params, large):
    lw = "I" if large else "H"
    lens = b"".join(struct.pack("<" + lw, len(p)) for p in params)
    length = 26 + len(lens) + sum(len(p) for p in params)
    evt = struct.pack("<QQIHI", ts, tid, length, typ, len(params)) + lens + b"".join(params)
    return record(2, struct.pack("<HHI", ref, 0, 0) + evt)


header = b"SAKERCAP" + struct.pack("<HHI", 1, 0, 32) + bytes(16)
seeds = {
    "plugin_events.cap": header + source(0, 999, "counter", "counter", "1.0.0") + b"".join(
        event(0, 1700000000000000000 + i, 2**64 - 1, 322,
              [struct.pack("<I", 999), f"ctr {i}".encode()], True) for i in range(1, 4)),
    "syscall_and_async.cap": header + source(0, 0, "syscall", "evtsrc", "1.0.0") +
    event(0, 1, 42, 3, [b"/tmp/f1\0"], False) + event(0, 2, 42, 5, [struct.pack("<Q", 3)], False) +
    source(1, 0, "syscall", "ticker", "1.0.0") +
    event(1, 3, 2**64 - 1, 402, [struct.pack("<I", 0), b"tick\0", b"tick 1"], True),
    "header_only.cap": header,
}
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
