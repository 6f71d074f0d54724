# SPDX-License-Identifier: Apache-2.0
"""Traces a child of its own and reads (peek) or writes back unchanged (poke) one
word of the child's memory with ptrace(2), for the rule tests. Usage:
ptrace_poke.py peek|poke. Exits 0 when every call succeeded."""
import ctypes
import os
import signal
import sys

PTRACE_TRACEME, PTRACE_PEEKDATA, PTRACE_POKEDATA, PTRACE_KILL = 0, 2, 5, 8


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.restype = ctypes.c_long
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    word = ctypes.c_long(0x5A4B3C2D)  # same address in the child (fork copies the memory)
    pid = os.fork()
    if pid == 0:
        libc.ptrace(PTRACE_TRACEME, 0, None, None)
        os.kill(os.getpid(), signal.SIGSTOP)
        os._exit(0)
    os.waitpid(pid, os.WUNTRACED)
    addr = ctypes.addressof(word)
    ctypes.set_errno(0)
    value = libc.ptrace(PTRACE_PEEKDATA, pid, addr, None)
    ok = ctypes.get_errno() == 0 and value == 0x5A4B3C2D
    if ok and sys.argv[1] == "poke":
        ok = libc.ptrace(PTRACE_POKEDATA, pid, addr, value) == 0
    libc.ptrace(PTRACE_KILL, pid, None, None)
    os.waitpid(pid, 0)
    if not ok:
        print(f"ptrace {sys.argv[1]} failed: errno {ctypes.get_errno()}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
