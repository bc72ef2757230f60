#!/usr/bin/python3
"""A fake miner (no hashing at all): connects to a pool on 127.0.0.1 and
sends an XMRig-style stratum login, as python's sendall (send/sendto).
Usage: fake_miner.py --url stratum+tcp://127.0.0.1:PORT | --port PORT"""
import json
import socket
import sys

args = sys.argv[1:]
if "--url" in args:
    port = int(args[args.index("--url") + 1].rsplit(":", 1)[1])
else:
    port = int(args[args.index("--port") + 1])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
login = {"id": 1, "jsonrpc": "2.0", "method": "login",
         "params": {"login": "44AFFq5kSiGBoZ", "pass": "x", "agent": "XMRig/6.21.0 (Linux x86_64)", "algo": ["rx/0"]}}
s.sendall((json.dumps(login) + "\n").encode())
print("login sent")
