#!/bin/sh
# A netcat that runs a shell on its connection to 127.0.0.1:PORT:
# netcat_exec.sh nc|socat PORT
case "$1" in
nc) nc -e /bin/sh 127.0.0.1 "$2" ;;
socat) socat "TCP:127.0.0.1:$2" EXEC:/bin/sh,pty,stderr ;;
esac
