#!/bin/sh
# make bench: see tools/bench.py, then the desk's figures (tools/bench-serve.py).
set -eu
cd "$(dirname "$0")/.."
rc=0
python3 tools/bench.py --build "${1:-build}" || rc=$?
python3 tools/bench-serve.py --build "${1:-build}" || rc=$?
exit $rc
