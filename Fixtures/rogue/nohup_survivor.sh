#!/bin/sh
# Leaves a process behind that outlives this script: nohup sleep in the
# background. Waits until nohup has become sleep (its comm), so the survivor
# is the detached program and nohup's own start is long past.
nohup sleep 30 > /dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -qx sleep "/proc/$pid/comm" 2>/dev/null; do
  sleep 0.05
  i=$((i + 1))
done
echo "left pid $pid"
