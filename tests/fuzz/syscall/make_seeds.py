# SPDX-License-Identifier: Apache-2.0
"""Builds the seed corpus of fuzz_syscall from a real capture (run by hand,
as root, when the event layouts change; the seeds are kept in the repo).

    make_seeds.py HARNESS LIBSYSCALL OUTDIR

It records the integration actor (tests/integration/syscall/actor.py) with
the syscall harness, in an empty environment, keeps the actor's own events
and the harness's starting-state events, blanks every environment and cgroup
parameter (the state of this machine is not the project's to keep), and
writes windows of events in the fuzzer's framing: a 16-bit little-endian
length before each event.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ACTOR = os.path.join(HERE, "..", "..", "integration", "syscall", "actor.py")

EVT_THREAD, EVT_FD, EVT_INIT = 0x7F02, 0x7F04, 0x7F00
EXECVE_X, EXECVEAT_X = 293, 331
CLONE_X = (223, 225, 227, 335)
# parameter index of the environment and of the cgroups in each layout
ENV_PARAM = {EVT_THREAD: 11, EXECVE_X: 15, EXECVEAT_X: 15}
CGROUP_PARAM = {EVT_THREAD: 14, EXECVE_X: 14, EXECVEAT_X: 14, **{c: 14 for c in CLONE_X}}
CGROUPS = b"cpuset=/\0cpu=/\0memory=/docker/0123456789abcdef0123456789abcdef\0"
LARGE = {322, 324, 402, 403}  # 4-byte parameter lengths


def read_events(path):
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos + 26 <= len(data):
        ts, tid, length, etype, nparams = struct.unpack_from("<QQIHI", data, pos)
        yield {"ts": ts, "tid": tid, "type": etype, "nparams": nparams,
               "raw": data[pos:pos + length]}
        pos += length


def params(ev):
    width = 4 if ev["type"] in LARGE else 2
    raw, n = ev["raw"], ev["nparams"]
    lens = [int.from_bytes(raw[26 + i * width:26 + (i + 1) * width], "little") for i in range(n)]
    out, off = [], 26 + n * width
    for ln in lens:
        out.append(raw[off:off + ln])
        off += ln
    return out


def rebuild(ev, ps):
    width = 4 if ev["type"] in LARGE else 2
    body = b"".join(ps)
    hdr_len = 26 + len(ps) * width + len(body)
    out = struct.pack("<QQIHI", ev["ts"], ev["tid"], hdr_len, ev["type"], len(ps))
    out += b"".join(len(p).to_bytes(width, "little") for p in ps)
    return out + body


def scrub(ev):
    """Blanks what describes this machine rather than the actor: env, cgroups."""
    ps = params(ev)
    i = ENV_PARAM.get(ev["type"])
    if i is not None and i < len(ps):
        ps[i] = b"PATH=/usr/bin:/bin\0"
    i = CGROUP_PARAM.get(ev["type"])
    if i is not None and i < len(ps):
        ps[i] = CGROUPS
    return rebuild(ev, ps)


def main():
    harness, plugin, outdir = sys.argv[1:4]
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        rec = os.path.join(work, "rec.bin")
        subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", harness, plugin, "live", "--types",
                        "open,openat,close,rename,symlink,link,unlink,unlinkat,mkdir,rmdir,chmod,"
                        "chown,socket,bind,listen,connect,accept,accept4,sendto,execve,execveat,"
                        "clone,clone3,procexit,mmap,mprotect,ptrace,kill,setuid,setgid,dup2,"
                        "chdir,memfd_create,fchmod,pipe2",
                        "--fields", "evt.type", "--record", rec, "--",
                        "/usr/bin/python3", ACTOR, work], check=True, capture_output=True)
        with open(os.path.join(work, "facts.json")) as f:
            facts = json.load(f)
        evs = list(read_events(rec))
    tree = {v for k, v in facts.items() if k.endswith("pid") or k == "thread_tid"}
    # the starting state of the harness only: not other processes' command lines
    keep = {facts["parent"]}
    state = [e for e in evs if e["type"] == EVT_INIT][:1]
    state += [e for e in evs if e["type"] == EVT_THREAD and e["tid"] in keep]
    state += [e for e in evs if e["type"] == EVT_FD and params(e)[0] and
              int.from_bytes(params(e)[0], "little", signed=True) in keep][:8]
    # the actor's events, without the interpreter's start-up look-ups in site directories
    actor = [e for e in evs if e["tid"] in tree and e["type"] not in (EVT_INIT, EVT_THREAD, EVT_FD)
             and b"/usr/local/" not in e["raw"] and b"packages" not in e["raw"]]
    prefix = b"".join(struct.pack("<H", len(r)) + r for r in (scrub(e) for e in state))
    n = 0
    for i in range(0, len(actor), 24):
        body = b"".join(struct.pack("<H", len(r)) + r
                        for r in (scrub(e) for e in actor[i:i + 24]) if len(r) < 65536)
        with open(os.path.join(outdir, f"seed-{n:03d}.bin"), "wb") as f:
            f.write(prefix + body)
        n += 1
    print(f"{n} seeds from {len(actor)} actor events and {len(state)} state events")


if __name__ == "__main__":
    main()
