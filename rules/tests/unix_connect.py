# SPDX-License-Identifier: Apache-2.0
"""Listens on a unix socket at the path given and connects to it, for the rule
tests (a stand-in for a container runtime's socket)."""
import os
import socket
import sys


def main():
    path = os.path.abspath(sys.argv[1])
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cli.connect(path)
    cli.close()
    srv.close()
    os.unlink(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
