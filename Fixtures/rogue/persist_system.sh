#!/bin/sh
# System-wide persistence: persist_system.sh PATH writes a line to PATH.
# The test runs this in a private mount namespace with tmpfs over /etc,
# /var/spool and /var/log, so even a failed defence changes nothing real.
if ! grep -q " /etc tmpfs " /proc/self/mounts; then
  echo "refusing to run outside a private /etc" >&2; exit 2
fi
mkdir -p "$(dirname "$1")" 2>/dev/null
echo '* * * * * root /tmp/.x' > "$1"
echo "write rc=$?"
