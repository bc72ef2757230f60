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
cat > "$work/seq.yaml" <<'YAML'
- list: shell_binaries
  items: [sh, bash, dash, zsh]
- rule: Reverse shell
  desc: a connected socket duplicated onto stdin/stdout/stderr, then a shell
  sequence:
    by: proc.pid
    within: 30s
    steps:
      - evt.type = connect
      - evt.type in (dup2, dup3) and fd.num = step[1].fd.num and evt.arg.newfd in (0, 1, 2)
      - evt.type = execve and proc.name in (shell_binaries)
  output: "reverse shell by %proc.name to %fd.sip"
  priority: CRITICAL
  tags: [mitre_execution, T1059]
  action: kill
YAML
"$AW" run --no-defaults --policy "$work/seq.yaml" --trace "$work/t.jsonl" -- \
    /bin/sh -c "ls /tmp >/dev/null; cat /etc/hostname >/dev/null; Fixtures/bin/revshell $(cat "$work/port") shell" 2>/dev/null || true
wait || true
"$AW" report "$work/t.jsonl" -o "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1250 \
    --screenshot="$PWD/docs/report-example.png" "file://$work/report.html" 2>/dev/null
echo "docs/report-example.png"
