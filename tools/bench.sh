#!/bin/sh
# make bench: see tools/bench.py.
set -eu
cd "$(dirname "$0")/.."
exec python3 tools/bench.py --build "${1:-build}"
