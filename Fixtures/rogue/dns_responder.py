#!/usr/bin/python3
"""A DNS responder on 127.0.0.1 for tests: answers every A query with
127.0.0.1 and every AAAA query with ::1. Writes its port to PORTFILE and
stops after TIMEOUT seconds."""
import socket
import struct
import sys
import time

portfile, timeout = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 20
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(0.2)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(portfile + ".tmp", portfile)
end = time.time() + timeout
while time.time() < end:
    try:
        q, peer = s.recvfrom(512)
    except socket.timeout:
        continue
    if len(q) < 17:
        continue
    qid = q[:2]
    i = 12
    while q[i] != 0:
        i += 1 + q[i]
    question = q[12:i + 5]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    rdata = socket.inet_aton("127.0.0.1") if qtype == 1 else socket.inet_pton(socket.AF_INET6, "::1")
    answer = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
    s.sendto(qid + b"\x81\x80" + struct.pack("!HHHH", 1, 1, 0, 0) + question + answer, peer)
