#!/bin/sh
# A miner with an innocent name, its pool given as a stratum URL on the
# command line: miner_stratum_argv.sh PORT
exec /usr/bin/python3 "$(dirname "$0")/fake_miner.py" --url "stratum+tcp://127.0.0.1:$1" --user wallet
