#!/usr/bin/python3
"""A reverse-shell catcher on loopback: listens on 127.0.0.1 (port 0 = any),
writes the port to PORTFILE, accepts one connection, sends COMMANDS, and
records every byte it receives to LOGFILE. Exits after TIMEOUT seconds."""
import socket
import sys

portfile, logfile = sys.argv[1], sys.argv[2]
commands = (sys.argv[3] if len(sys.argv) > 3 else "echo caught-by-catcher; exit\n").encode()
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(timeout)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(portfile + ".tmp", portfile)
received = b""
try:
    conn, _ = srv.accept()
    conn.settimeout(timeout)
    conn.sendall(commands)
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        received += chunk
except (socket.timeout, OSError):
    pass
with open(logfile, "wb") as f:
    f.write(received)
