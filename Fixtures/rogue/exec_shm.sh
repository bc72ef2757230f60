#!/bin/sh
# Drops a program in /dev/shm and runs it (a copy of /bin/true).
f=/dev/shm/aw-test-$$
cp /bin/true "$f"
"$f"
echo "exec rc=$?"
rm -f "$f"
