#!/usr/bin/python3
"""Looks up a mining pool: one DNS query for pool.supportxmr.com, sent to a
fake resolver on 127.0.0.1:PORT (never a real one). Usage: pool_dns.py PORT"""
import socket
import struct
import sys

port = int(sys.argv[1])
header = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
qname = b"".join(bytes([len(p)]) + p for p in b"pool.supportxmr.com".split(b".")) + b"\0"
query = header + qname + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(query, ("127.0.0.1", port))
    print("query sent")
except OSError as e:
    print("query refused errno", e.errno)
