#!/usr/bin/python3
"""A DNS responder on 127.0.0.1 for tests: answers every A query with
127.0.0.1 and every AAAA query with ::1, over UDP and over TCP (two-byte length
framing, as resolvers use when an answer is too big or `options use-vc` is
set). Writes its port to PORTFILE and stops after TIMEOUT seconds.
Usage: dns_responder.py PORTFILE [TIMEOUT] [PORT]  (PORT 0: any free port)"""
import os
import select
import socket
import struct
import sys
import time

portfile = sys.argv[1]
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 20
want = int(sys.argv[3]) if len(sys.argv) > 3 else 0

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", want))
port = u.getsockname()[1]
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", port))
t.listen(8)
with open(portfile + ".tmp", "w") as f:
    f.write(str(port))
os.rename(portfile + ".tmp", portfile)


def respond(q):
    if len(q) < 17:
        return None
    i = 12
    while i < len(q) and q[i] != 0:
        i += 1 + q[i]
    question = q[12:i + 5]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    rdata = socket.inet_aton("127.0.0.1") if qtype == 1 else socket.inet_pton(socket.AF_INET6, "::1")
    answer = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
    return q[:2] + b"\x81\x80" + struct.pack("!HHHH", 1, 1, 0, 0) + question + answer


def read_exactly(c, n):
    b = b""
    while len(b) < n:
        part = c.recv(n - len(b))
        if not part:
            return None
        b += part
    return b


end = time.time() + timeout
while time.time() < end:
    ready, _, _ = select.select([u, t], [], [], 0.2)
    if u in ready:
        q, peer = u.recvfrom(512)
        r = respond(q)
        if r:
            u.sendto(r, peer)
    if t in ready:
        c, _ = t.accept()
        c.settimeout(2)
        try:
            while True:
                head = read_exactly(c, 2)
                if head is None:
                    break
                q = read_exactly(c, struct.unpack("!H", head)[0])
                r = respond(q) if q else None
                if r is None:
                    break
                # Length and message in separate segments, as a reader may also take them.
                c.sendall(struct.pack("!H", len(r)))
                c.sendall(r)
        except OSError:
            pass
        c.close()
