#!/bin/sh
# Honest work: serve a directory on 127.0.0.1 with python's http.server and
# fetch from it with curl, wget and urllib. http_fetch.sh WORKDIR
set -e
cd "$1"
mkdir -p site
echo "hello over http" > site/index.txt
/usr/bin/python3 -u -m http.server --bind 127.0.0.1 --directory site 0 > server.log 2>&1 &
server=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' server.log | head -n 1)
  [ -n "$port" ] && break
  sleep 0.05
done
curl -s "http://127.0.0.1:$port/index.txt"
wget -q -O - "http://127.0.0.1:$port/index.txt"
/usr/bin/python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$port/index.txt').read().decode(), end='')"
kill "$server"
wait "$server" 2>/dev/null || true
