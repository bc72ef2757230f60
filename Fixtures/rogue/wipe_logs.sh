#!/bin/sh
# Truncates a system log. Run only with tmpfs over /var/log (the test's
# private mount namespace).
if ! grep -q " /var/log tmpfs " /proc/self/mounts; then
  echo "refusing to run outside a private /var/log" >&2; exit 2
fi
echo old >> /var/log/auth.log
# ":" is a special builtin: a failed redirection would end the script, so use a subshell.
( : > /var/log/auth.log )
echo "truncate rc=$?"
