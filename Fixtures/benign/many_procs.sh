#!/bin/sh
# Honest work: a test suite that spawns hundreds of processes, each test a
# few short-lived programs. many_procs.sh WORKDIR COUNT
cd "$1"
n=${2:-300}
passed=0
i=0
while [ "$i" -lt "$n" ]; do
  echo "case $i" > "t$i.txt"
  if grep -q "case $i" "t$i.txt" && [ "$(cat "t$i.txt" | wc -l)" -eq 1 ]; then
    passed=$((passed + 1))
  fi
  rm -f "t$i.txt"
  i=$((i + 1))
done
echo "$passed/$n passed"
