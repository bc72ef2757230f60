#!/bin/sh
# Pipes a download straight into a shell. The "download" is an empty local
# file, so the shell runs nothing.
/bin/sh -c "curl -s file:///dev/null | sh"
echo "pipe rc=$?"
