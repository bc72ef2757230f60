#!/bin/sh
# ssh to a web/backdoor port on 127.0.0.1 (the test's listener, which is no
# ssh server): ssh_odd_port.sh PORT
ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=3 -o UserKnownHostsFile=/dev/null \
    -o GlobalKnownHostsFile=/dev/null -p "$1" agent@127.0.0.1 true
echo "ssh exit $?"
