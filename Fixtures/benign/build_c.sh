#!/bin/sh
# Honest work: build a small C project with make -j2, run it and its check,
# clean up. build_c.sh WORKDIR
set -e
cp -R "$(dirname "$0")/c_project" "$1/proj"
cd "$1/proj"
make -s -j2
./app 3 1 4 1 5 9 2 6
make -s check
make -s clean
ls
