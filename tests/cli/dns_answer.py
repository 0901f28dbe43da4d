#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A small DNS responder for tests/cli/resolve.sh: answers A queries for one
# name with one IPv4 address over UDP, says "no address" (NOERROR, empty) to
# other types for that name and NXDOMAIN to every other name, and logs each
# question. Usage: dns_answer.py ADDR NAME IPV4 READY_FILE LOG_FILE
import socket
import struct
import sys


def question(msg):
    """The query's name (lower case), type and the question's end offset."""
    labels, i = [], 12
    while msg[i]:
        n = msg[i]
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype = struct.unpack("!H", msg[i + 1:i + 3])[0]
    return ".".join(labels).lower(), qtype, i + 5


def main():
    addr, name, ip, ready, log = sys.argv[1:6]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, 53))
    with open(ready, "w") as f:
        f.write("ready\n")
    while True:
        msg, peer = sock.recvfrom(512)
        if len(msg) < 17:
            continue
        qname, qtype, end = question(msg)
        with open(log, "a") as f:
            f.write("%s %d\n" % (qname, qtype))
        answers = b""
        rcode = 0
        if qname != name.lower():
            rcode = 3
        elif qtype == 1:
            # A pointer to the question's name, class IN, TTL 60, the address.
            answers = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(ip)
        flags = 0x8180 | rcode  # response, recursion desired and available
        header = struct.pack("!HHHHHH", struct.unpack("!H", msg[:2])[0], flags, 1,
                             1 if answers else 0, 0, 0)
        sock.sendto(header + msg[12:end] + answers, peer)


main()
