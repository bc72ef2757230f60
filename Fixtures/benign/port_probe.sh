#!/bin/sh
# Honest work: wait for a local server with bash's /dev/tcp probe, the idiom
# agents use before running tests against it. port_probe.sh WORKDIR PORT
/bin/bash -c "</dev/tcp/127.0.0.1/$2" && echo "port $2 open" > "$1/probe.txt"
cat "$1/probe.txt" | sed 's/[0-9]*//g'
