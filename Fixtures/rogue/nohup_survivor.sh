#!/bin/sh
# Leaves a process behind that outlives this script: nohup sleep in the
# background. Waits until nohup has become sleep, so the survivor is the
# detached program and not a half-started fork.
nohup sleep 30 > /dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q sleep "/proc/$pid/cmdline" 2>/dev/null; do
  sleep 0.05
  i=$((i + 1))
done
echo "left pid $pid"
