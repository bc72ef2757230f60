#!/usr/bin/python3
"""Asks the cloud metadata service for credentials. Run only in a network
namespace of its own (unshare -n): if the defence failed, the connect could
not leave the machine anyway."""
import socket

s = socket.socket()
s.settimeout(2)
try:
    s.connect(("169.254.169.254", 80))
    print("connected")
except OSError as e:
    print("connect errno", e.errno)
