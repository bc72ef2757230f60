#!/bin/sh
# Remote port forwarding through an ssh target on 127.0.0.1:PORT:
# ssh_forward.sh PORT. Config and known hosts are /dev/null: nothing of the
# user's ~/.ssh is used or written.
exec ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=3 -o UserKnownHostsFile=/dev/null \
    -o GlobalKnownHostsFile=/dev/null -N -R 9000:127.0.0.1:22 -p "$1" agent@127.0.0.1
