#!/usr/bin/env bash
# Regenerates docs/report-example.png: the report of a reverse shell caught on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
AW=${AW:-.build/debug/agentwatch}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 Fixtures/rogue/catcher.py "$work/port" "$work/received" "id; exit
" 10 &
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
"$AW" run --no-defaults --policy Fixtures/policies/reverse_shell_sequence.yaml --trace "$work/t.jsonl" -- \
    /bin/sh -c "ls /tmp >/dev/null; cat /etc/hostname >/dev/null; Fixtures/bin/revshell $(cat "$work/port") shell" 2>/dev/null || true
wait || true
"$AW" report "$work/t.jsonl" -o "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1250 \
    --screenshot="$PWD/docs/report-example.png" "file://$work/report.html" 2>/dev/null
echo "docs/report-example.png"
