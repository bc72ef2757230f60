#!/bin/sh
# Downloads a program, makes it executable, runs it: download_exec.sh DIR
# The "download" is curl reading file:///bin/true, so nothing leaves the host.
curl -s -o "$1/tool" file:///bin/true
chmod +x "$1/tool"
"$1/tool"
echo "tool rc=$?"
