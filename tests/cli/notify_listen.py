#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A fake systemd notify socket for tests: binds an AF_UNIX datagram socket
# (a path, or an abstract name given as @name) and appends each message to
# OUT as one line, its newlines turned into spaces. OUT exists once bound.
# Usage: notify_listen.py SOCKET OUT   (stops on SIGTERM)
import os
import signal
import socket
import sys


def main():
    addr, out = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if addr.startswith("@"):
        sock.bind("\0" + addr[1:])
    else:
        if os.path.exists(addr):
            os.unlink(addr)
        sock.bind(addr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(out, "a", buffering=1, encoding="utf-8", errors="replace") as f:
        while True:
            msg = sock.recv(4096)
            f.write(msg.decode("utf-8", "replace").replace("\n", " ") + "\n")


if __name__ == "__main__":
    main()
