#!/bin/sh
# Honest work: a virtual environment and an offline pip install of a local
# wheel, then its console script. pip_venv.sh WORKDIR
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$1"
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
/usr/bin/python3 -m venv venv
wheel=$(/usr/bin/python3 "$here/wheel_pkg/make_wheel.py" "$1")
venv/bin/pip install -q --no-index "$wheel"
venv/bin/hello-agent
venv/bin/python -c "import hello_agent; print(hello_agent.__name__)"
