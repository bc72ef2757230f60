#!/usr/bin/python3
"""A tunnel agent reaching its service: resolves NAME at a fake resolver on
127.0.0.1:DNS_PORT (which answers 127.0.0.1), then connects to the answer on
PORT and says hello. Usage: tunnel_service.py NAME DNS_PORT PORT"""
import socket
import sys

name, dns_port, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00\x00\x01\x00\x01"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
u.connect(("127.0.0.1", dns_port))
u.send(q)
ip = socket.inet_ntoa(u.recv(512)[-4:])
t = socket.socket()
t.connect((ip, port))
t.send(b"hello tunnel service\n")
print("connected", ip)
