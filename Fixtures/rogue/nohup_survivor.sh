#!/bin/sh
# Leaves a process behind that outlives this script: nohup sleep in the background.
nohup sleep 30 > /dev/null 2>&1 &
echo "left pid $!"
