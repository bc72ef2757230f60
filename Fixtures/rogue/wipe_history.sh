#!/bin/sh
# Erases shell history in $HOME (a temporary directory in tests):
# wipe_history.sh rm|truncate|devnull
case "$HOME" in
/root|/home/*) echo "refusing to touch a real home: $HOME" >&2; exit 2 ;;
esac
case "$1" in
rm) rm -f "$HOME/.bash_history" ;;
truncate) ( : > "$HOME/.bash_history" ) ;;
devnull) ln -sf /dev/null "$HOME/.bash_history" ;;
esac
echo "wipe rc=$?"
