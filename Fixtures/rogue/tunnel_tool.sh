#!/bin/sh
# A tunnel tool by name (a copy of /bin/true, never the real one) pointed at
# a local port: tunnel_tool.sh DIR NAME ARGS...
dir=$1 name=$2
shift 2
cp /bin/true "$dir/$name"
"$dir/$name" "$@"
echo "$name ran"
