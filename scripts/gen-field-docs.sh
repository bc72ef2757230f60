#!/usr/bin/env bash
# Rewrites the field table at the end of docs/policy-language.md from the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/policy-language.md
head -n "$(grep -n '^Generated from `FieldTable.documentation()`.' "$doc" | cut -d: -f1)" "$doc" > "$doc.tmp"
echo >> "$doc.tmp"
.build/debug/agentwatch fields >> "$doc.tmp"
mv "$doc.tmp" "$doc"
