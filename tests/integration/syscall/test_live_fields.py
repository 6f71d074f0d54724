# SPDX-License-Identifier: Apache-2.0
"""The syscall plugin live, through a minimal host (syscall_harness): real
actions of every syscall family (actor.py) and the fields their events carry;
then the recorded events replayed by an unprivileged user, with the source
never opened, must give exactly the same fields.

Needs root (eBPF); skips otherwise, and never under CI=true.
"""
import json
import os
import subprocess
import sys
import tempfile

import sakertest as st

HERE = os.path.dirname(os.path.abspath(__file__))

TYPES = ("open,openat,openat2,creat,close,rename,renameat,renameat2,symlink,symlinkat,link,"
         "linkat,unlink,unlinkat,mkdir,mkdirat,rmdir,chmod,fchmod,fchmodat,chown,fchownat,"
         "lchown,socket,bind,listen,connect,accept,accept4,sendto,sendmsg,execve,execveat,clone,"
         "clone3,fork,vfork,procexit,mmap,mprotect,ptrace,kill,setuid,setgid,dup2,dup3,dup,chdir,"
         "memfd_create")
FIELDS = ("evt.type,evt.res,proc.name,proc.pname,proc.cmdline,proc.exepath,proc.pid,proc.ppid,"
          "thread.tid,thread.ismain,user.uid,user.name,group.name,fd.name,fd.num,fd.typechar,"
          "fd.sport,fd.cport,fd.l4proto,fd.is_server,evt.is_open_read,evt.is_open_write,"
          "evt.arg.flags,evt.arg.prot,evt.arg.request,evt.arg.sig,evt.arg.mode,evt.arg.uid,"
          "fs.path.name,fs.path.source,fs.path.target,proc.is_exe_from_memfd,proc.cwd,"
          "proc.stdout.name,proc.aname[2],thread.cap_effective")


def harness():
    path = os.path.join(st.build_dir(), "tests", "integration", "syscall", "syscall_harness")
    if not os.path.exists(path):
        print(f"FAIL: {path} was not built", flush=True)
        sys.exit(1)
    return path


def events(text):
    return st.json_lines(text)


def main():
    st.require_root()
    plugin = os.path.join(st.plugins_dir(), "libsyscall.so")
    c = st.Checks("syscall live fields")
    # Small rings first, so that records wrap around their end many times during the run. A
    # slow consumer (a sanitized build on a busy machine) may then lose events to full rings:
    # counted drops, never malformed records. The actions run again with larger rings until a
    # run loses nothing, and the fields are checked on that run.
    for ring_kb in (32, 512, 8192):
        work = tempfile.mkdtemp(prefix="skr-itest-")
        os.chmod(work, 0o755)
        rec = os.path.join(work, "rec.bin")
        live = st.run([harness(), plugin, "live", "--types", TYPES, "--fields", FIELDS, "--tag",
                       "itest", "--record", rec, "--config",
                       json.dumps({"ringbuf_size_kb": ring_kb}), "--",
                       sys.executable, os.path.join(HERE, "actor.py"), work], timeout=120)
        if live.returncode != 0:
            print(live.stderr[-4000:], flush=True)
            print(f"FAIL: live harness exited {live.returncode}", flush=True)
            sys.exit(1)
        metrics = dict(line.split()[1:3] for line in live.stderr.splitlines()
                       if line.startswith("metric "))
        c.check(metrics.get("n_drops_bug") == "0",
                f"{ring_kb} KiB rings: malformed ring records: {metrics.get('n_drops_bug')}")
        print(f"driver, {ring_kb} KiB rings: {metrics.get('n_evts')} events, "
              f"{metrics.get('n_drops')} dropped", flush=True)
        if metrics.get("n_drops") == "0":
            break
    c.check(metrics.get("n_drops") == "0", "every run lost events, even with 8 MiB rings")
    with open(os.path.join(work, "facts.json")) as f:
        facts = json.load(f)
    evs = events(live.stdout)
    c.check(int(metrics.get("n_evts", "0")) > 300, f"driver events: {metrics.get('n_evts')}")
    c.check(len(evs) > 100, f"live capture has {len(evs)} events of the actor")

    def find(what, **want):
        for e in evs:
            if all((e.get(k) == v) if not callable(v) else v(e.get(k)) for k, v in want.items()):
                return e
        c.check(False, f"no event for {what}: {want}")
        return None

    def expect(e, what, **want):
        if e is None:
            return
        for k, v in want.items():
            c.check(e.get(k) == v, f"{what}: {k} is {e.get(k)!r}, want {v!r}")

    d = work
    me = facts["pid"]
    comm = facts["comm"]

    # files
    e = find("create", **{"evt.type": "openat", "fd.name": f"{d}/a.txt", "evt.is_open_write": True})
    expect(e, "create", **{"proc.pid": me, "proc.name": comm, "fd.typechar": "f",
                            "evt.res": "SUCCESS", "user.name": "root", "group.name": "root"})
    if e:
        c.check("O_CREAT" in e["evt.arg.flags"] and "O_WRONLY" in e["evt.arg.flags"],
                f"create flags {e['evt.arg.flags']}")
        c.check(e["evt.arg.mode"] == "0600", f"create mode {e['evt.arg.mode']}")
    e = find("open relative to a dir fd", **{"evt.type": "openat", "fd.name": f"{d}/a.txt",
                                            "evt.is_open_read": True})
    expect(e, "open relative to a dir fd", **{"evt.arg.flags": "O_RDONLY|O_CLOEXEC"})
    e = find("open relative to the cwd", **{"evt.type": "openat", "fd.name": f"{d}/rel.txt"})
    expect(e, "open relative to the cwd", **{"proc.cwd": f"{d}/"})
    e = find("failed open", **{"evt.type": "openat", "fs.path.name": f"{d}/missing.txt"})
    expect(e, "failed open", **{"evt.res": "ENOENT", "fd.name": f"{d}/missing.txt"})
    e = find("close", **{"evt.type": "close", "fd.name": f"{d}/a.txt"})

    # names
    e = find("rename", **{"evt.type": lambda t: t in ("rename", "renameat", "renameat2"),
                          "fs.path.source": f"{d}/a.txt"})
    expect(e, "rename", **{"fs.path.target": f"{d}/b.txt", "evt.res": "SUCCESS"})
    # as in Falco, the source of link and symlink is the new name, the target the old file
    e = find("symlink", **{"evt.type": lambda t: t in ("symlink", "symlinkat"),
                           "fs.path.source": f"{d}/sym.lnk"})
    expect(e, "symlink", **{"fs.path.target": f"{d}/b.txt"})
    e = find("link", **{"evt.type": lambda t: t in ("link", "linkat"),
                        "fs.path.source": f"{d}/hard.lnk"})
    expect(e, "link", **{"fs.path.target": f"{d}/b.txt"})
    find("unlink", **{"evt.type": lambda t: t in ("unlink", "unlinkat"),
                      "fs.path.name": f"{d}/sym.lnk"})
    find("mkdir", **{"evt.type": lambda t: t in ("mkdir", "mkdirat"),
                     "fs.path.name": f"{d}/subdir"})
    find("rmdir", **{"evt.type": lambda t: t in ("rmdir", "unlinkat"),
                     "fs.path.name": f"{d}/subdir"})
    e = find("chmod", **{"evt.type": lambda t: t in ("chmod", "fchmodat"),
                         "fs.path.name": f"{d}/b.txt"})
    if e:
        c.check("S_IRUSR" in (e["evt.arg.mode"] or "") and "S_IRGRP" in (e["evt.arg.mode"] or ""),
                f"chmod mode {e['evt.arg.mode']}")
    find("chown", **{"evt.type": lambda t: t in ("chown", "fchownat", "lchown"),
                     "evt.res": "SUCCESS", "proc.pid": me,
                     "evt.arg.uid": lambda u: u in ("nobody", "65534")})

    # sockets
    port, cport = facts["tcp_port"], facts["tcp_client_port"]
    tuple_text = f"127.0.0.1:{cport}->127.0.0.1:{port}"
    e = find("connect", **{"evt.type": "connect", "fd.name": tuple_text})
    expect(e, "connect", **{"fd.sport": port, "fd.cport": cport, "fd.l4proto": "tcp",
                             "fd.typechar": "4", "fd.is_server": False})
    e = find("accept", **{"evt.type": lambda t: t in ("accept", "accept4"), "fd.name": tuple_text})
    expect(e, "accept", **{"fd.is_server": True, "fd.sport": port})
    # bound to port 0: named after the address as given, as in Falco
    find("bind", **{"evt.type": "bind", "fd.name": "127.0.0.1:0", "proc.pid": me})
    e = find("listen", **{"evt.type": "listen", "proc.pid": me})
    expect(e, "listen", **{"fd.typechar": "4", "evt.res": "SUCCESS"})
    e = find("udp sendto", **{"evt.type": lambda t: t in ("sendto", "sendmsg"),
                              "fd.sport": facts["udp_port"]})
    expect(e, "udp sendto", **{"fd.l4proto": "udp", "fd.is_server": False})

    # threads, children, exec
    e = find("thread open", **{"evt.type": "openat", "fd.name": f"{d}/thread.txt"})
    expect(e, "thread open", **{"thread.tid": facts["thread_tid"], "proc.pid": me,
                                 "thread.ismain": False})
    child = facts["child_pid"]
    e = find("child clone", **{"evt.type": "clone", "proc.pid": child})
    expect(e, "child clone", **{"proc.ppid": me, "proc.pname": comm})
    e = find("stdout redirected", **{"evt.type": "fchmod", "proc.pid": child})
    expect(e, "stdout redirected", **{"fd.name": f"{d}/child-out.txt",
                                       "proc.stdout.name": f"{d}/child-out.txt"})
    find("setuid", **{"evt.type": "setuid", "proc.pid": child, "evt.res": "SUCCESS"})
    e = find("open as nobody", **{"evt.type": "openat", "fd.name": f"{d}/as-nobody.txt"})
    expect(e, "open as nobody", **{"user.uid": 65534, "user.name": "nobody", "proc.pid": child})
    e = find("execve", **{"evt.type": "execve", "proc.pid": facts["echo_pid"]})
    expect(e, "execve", **{"proc.name": "echo", "proc.cmdline": "echo integration-marker two",
                            "proc.exepath": "/usr/bin/echo", "proc.pname": comm,
                            "evt.res": "SUCCESS", "proc.ppid": me})
    e = find("procexit", **{"evt.type": "procexit", "proc.pid": facts["echo_pid"]})
    expect(e, "procexit", **{"proc.name": "echo"})
    e = find("exec from memfd", **{"evt.type": "execve", "proc.pid": facts["memfd_pid"]})
    expect(e, "exec from memfd", **{"proc.is_exe_from_memfd": True,
                                     "proc.exepath": "memfd:payload"})
    e = find("memfd_create", **{"evt.type": "memfd_create", "proc.pid": facts["memfd_pid"]})
    expect(e, "memfd_create", **{"fd.name": "payload", "fd.typechar": "m"})
    e = find("executable memory", **{"evt.type": "mmap", "proc.pid": me,
                                     "evt.arg.prot": "PROT_READ|PROT_WRITE|PROT_EXEC"})
    e = find("ptrace", **{"evt.type": "ptrace", "proc.pid": me})
    expect(e, "ptrace", **{"evt.arg.request": "PTRACE_ATTACH", "evt.res": "SUCCESS"})
    e = find("kill", **{"evt.type": "kill", "proc.pid": me})
    expect(e, "kill", **{"evt.arg.sig": "SIGKILL"})
    e = find("killed child exit", **{"evt.type": "procexit", "proc.pid": facts["traced_pid"]})
    expect(e, "killed child exit", **{"evt.arg.sig": "SIGKILL"})
    e = find("root capabilities", **{"proc.pid": me, "evt.type": "openat"})
    if e:
        c.check("CAP_SYS_ADMIN" in (e["thread.cap_effective"] or ""),
                f"cap_effective {e['thread.cap_effective']}")

    # the capture replayed by nobody, the source never opened: the same fields
    os.chmod(rec, 0o644)
    replay = st.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", harness(),
                     plugin, "replay", "--fields", FIELDS, "--tag", "itest", rec], timeout=120)
    c.check(replay.returncode == 0, f"replay exited {replay.returncode}: {replay.stderr[-2000:]}")
    rev = events(replay.stdout)
    c.check(len(rev) == len(evs), f"replay gave {len(rev)} events, live {len(evs)}")
    diffs = [(a, b) for a, b in zip(evs, rev) if a != b]
    for a, b in diffs[:5]:
        keys = [k for k in a if a.get(k) != b.get(k)]
        print(f"  live  {a['evt.num']} {a['evt.type']}: " +
              ", ".join(f"{k}={a.get(k)!r}" for k in keys), flush=True)
        print(f"  replay {b['evt.num']} {b['evt.type']}: " +
              ", ".join(f"{k}={b.get(k)!r}" for k in keys), flush=True)
    c.check(not diffs, f"{len(diffs)} replayed events differ from live")
    c.finish()


if __name__ == "__main__":
    main()
