# SPDX-License-Identifier: Apache-2.0
"""Performs one real action per syscall family, inside directory D (argv[1]).

Run by the harness as its command (so every event carries the harness tag).
Each action touches names that appear nowhere else, so the test finds the
events of each action by name. What the test needs to know (pids, ports)
goes to D/facts.json (stdout belongs to the harness).
"""
import ctypes
import json
import mmap
import os
import signal
import socket
import sys
import threading

PTRACE_ATTACH = 16
PTRACE_DETACH = 17


def main():
    d = sys.argv[1]
    with open("/proc/self/comm") as f:
        facts = {"pid": os.getpid(), "comm": f.read().strip(), "parent": os.getppid()}
    libc = ctypes.CDLL(None, use_errno=True)

    # files: create, reopen relative to a directory fd, chdir + relative, a failed open
    fd = os.open(f"{d}/a.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, b"x")
    os.close(fd)
    dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    fd = os.open("a.txt", os.O_RDONLY, dir_fd=dfd)
    os.close(fd)
    os.close(dfd)
    os.chdir(d)
    fd = os.open("rel.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.close(fd)
    try:
        os.open(f"{d}/missing.txt", os.O_RDONLY)
    except FileNotFoundError:
        pass

    # names: rename, symlink, link, unlink, mkdir, rmdir, chmod, chown
    os.rename(f"{d}/a.txt", f"{d}/b.txt")
    os.symlink(f"{d}/b.txt", f"{d}/sym.lnk")
    os.link(f"{d}/b.txt", f"{d}/hard.lnk")
    os.unlink(f"{d}/sym.lnk")
    os.mkdir(f"{d}/subdir", 0o755)
    os.rmdir(f"{d}/subdir")
    os.chmod(f"{d}/b.txt", 0o640)
    os.chown(f"{d}/b.txt", 65534, 65534)

    # sockets: TCP listen/connect/accept, UDP sendto
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    facts["tcp_port"] = srv.getsockname()[1]
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cli.connect(("127.0.0.1", facts["tcp_port"]))
    facts["tcp_client_port"] = cli.getsockname()[1]
    conn, _ = srv.accept()
    conn.close()
    cli.close()
    srv.close()
    udp_rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_rx.bind(("127.0.0.1", 0))
    facts["udp_port"] = udp_rx.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(b"ping", ("127.0.0.1", facts["udp_port"]))
    udp.close()
    udp_rx.close()

    # a thread opens a file
    def in_thread():
        facts["thread_tid"] = threading.get_native_id()
        os.close(os.open(f"{d}/thread.txt", os.O_WRONLY | os.O_CREAT, 0o600))

    t = threading.Thread(target=in_thread)
    t.start()
    t.join()

    # a child: stdout onto a file, then drops to nobody
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        fd = os.open(f"{d}/child-out.txt", os.O_WRONLY | os.O_CREAT, 0o666)
        os.dup2(fd, 1)
        os.fchmod(1, 0o666)
        os.setgid(65534)
        os.setuid(65534)
        os.close(os.open(f"{d}/as-nobody.txt", os.O_RDONLY))
        os._exit(0)
    os.close(r)
    os.close(w)
    os.waitpid(child, 0)
    facts["child_pid"] = child

    # exec: a program with arguments
    child = os.fork()
    if child == 0:
        os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
        os.execv("/bin/echo", ["echo", "integration-marker", "two"])
    os.waitpid(child, 0)
    facts["echo_pid"] = child

    # fileless: execute /bin/true from a memfd
    child = os.fork()
    if child == 0:
        mfd = os.memfd_create("payload", 0)
        with open("/bin/true", "rb") as f:
            os.write(mfd, f.read())
        os.execve(mfd, ["payload-run"], {})
    os.waitpid(child, 0)
    facts["memfd_pid"] = child

    # executable memory
    m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    m.close()

    # ptrace attach to a child that waits on a pipe, then kill it
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    if libc.ptrace(PTRACE_ATTACH, child, None, None) != 0:
        facts["ptrace_errno"] = ctypes.get_errno()
    os.waitpid(child, 0)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    os.close(w)
    facts["traced_pid"] = child

    with open(f"{d}/facts.json", "w") as f:
        json.dump(facts, f)


if __name__ == "__main__":
    main()
