#!/bin/sh
# Makes a setuid copy of a program: setuid.sh DIR
cp /bin/true "$1/rootme"
chmod u+s "$1/rootme"
echo "chmod rc=$?"
