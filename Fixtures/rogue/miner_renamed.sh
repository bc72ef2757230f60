#!/bin/sh
# A known miner by name (a copy of /bin/true called xmrig, never a real
# miner), started with a loopback pool: miner_renamed.sh DIR PORT
set -e
cp /bin/true "$1/xmrig"
"$1/xmrig" -o "127.0.0.1:$2" -u wallet -p x
echo "miner ran"
