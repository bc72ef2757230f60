#!/usr/bin/python3
"""Tries destinations and prints the errno of each: egress_probe.py HOST:PORT[/udp]...
Run only in a network namespace of its own (unshare -n): no packet can leave."""
import socket
import sys

for target in sys.argv[1:]:
    addr, _, proto = target.partition("/")
    host, port = addr.rsplit(":", 1)
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.sendto(b"probe", (host, int(port)))
            print(target, "sent")
        except OSError as e:
            print(target, "errno", e.errno)
        continue
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect((host, int(port)))
        print(target, "connected")
    except OSError as e:
        print(target, "errno", e.errno)
