# SPDX-License-Identifier: Apache-2.0
"""Connects a TCP socket to a listener of its own on the loopback, then either
starts a shell with the connection as its standard input and output (shell), or
keeps the connection on a high descriptor and starts a shell on pipes (keep).
For the rule tests; nothing leaves the machine."""
import os
import socket
import subprocess
import sys


def main():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = socket.create_connection(srv.getsockname())
    peer, _ = srv.accept()
    if sys.argv[1] == "shell":
        subprocess.run(["sh", "-c", "true"], stdin=cli, stdout=cli, check=True)
    else:
        os.dup2(cli.fileno(), 10)
        subprocess.run(["sh", "-c", "true"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       check=True)
    peer.close()
    cli.close()
    srv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
