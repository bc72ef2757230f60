#!/usr/bin/python3
"""A backdoor listener's first step: listen on every interface (port 0, and
closed at once if it ever worked)."""
import socket

s = socket.socket()
s.bind(("0.0.0.0", 0))
try:
    s.listen(1)
    print("listening")
except OSError as e:
    print("listen refused errno", e.errno)
s.close()
