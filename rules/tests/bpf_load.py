# SPDX-License-Identifier: Apache-2.0
"""Loads a minimal eBPF program (a socket filter that returns 0) or creates a
one-entry array map, with the bpf(2) system call, for the rule tests. Usage:
bpf_load.py prog|map. Exits 0 when the kernel accepted it, 1 otherwise."""
import ctypes
import struct
import sys

SYS_BPF = 321  # x86_64
BPF_MAP_CREATE, BPF_PROG_LOAD = 0, 5
BPF_MAP_TYPE_ARRAY, BPF_PROG_TYPE_SOCKET_FILTER = 2, 1


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(128)
    if sys.argv[1] == "prog":
        insns = ctypes.create_string_buffer(
            struct.pack("<BBhi", 0xB7, 0, 0, 0) + struct.pack("<BBhi", 0x95, 0, 0, 0))  # r0 = 0; exit
        lic = ctypes.create_string_buffer(b"GPL")
        struct.pack_into("<IIQQ", attr, 0, BPF_PROG_TYPE_SOCKET_FILTER, 2,
                         ctypes.addressof(insns), ctypes.addressof(lic))
        cmd = BPF_PROG_LOAD
    else:
        struct.pack_into("<IIII", attr, 0, BPF_MAP_TYPE_ARRAY, 4, 4, 1)
        cmd = BPF_MAP_CREATE
    fd = libc.syscall(SYS_BPF, cmd, attr, len(attr))
    if fd < 0:
        print(f"bpf({sys.argv[1]}) failed: errno {ctypes.get_errno()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
