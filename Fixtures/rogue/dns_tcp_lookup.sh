#!/bin/sh
# Inside a user, mount and network namespace of our own (unshare -rmn): a
# resolv.conf that sends glibc's resolver over TCP (options use-vc) to a DNS
# responder on this namespace's loopback, port 53. Then resolves NAME through
# getaddrinfo and connects to the answer on PORT (a listener on loopback).
# Usage: unshare -rmn dns_tcp_lookup.sh DIR NAME PORT
set -e
dir=$1 name=$2 port=$3
here=$(dirname "$0")
ip link set lo up
printf 'nameserver 127.0.0.1\noptions use-vc attempts:1 timeout:2\n' > "$dir/resolv.conf"
mount --bind "$dir/resolv.conf" /etc/resolv.conf
rm -f "$dir/dns.port"
/usr/bin/python3 "$here/dns_responder.py" "$dir/dns.port" 20 53 &
responder=$!
i=0
while [ ! -s "$dir/dns.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
/usr/bin/python3 - "$name" "$port" <<'PY'
import socket, sys
name, port = sys.argv[1], int(sys.argv[2])
ip = socket.getaddrinfo(name, port, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(1)
c = socket.socket()
try:
    c.connect((ip, port))
    print("connected", ip)
except OSError as e:
    print("refused", e.errno)
PY
kill $responder 2>/dev/null || true
