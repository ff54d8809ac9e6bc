#!/bin/sh
# Runs every test suite against the build in $1 (build/ or build-asan/):
# unit tests (GLib GTest, TAP) and the CLI tests (tests/cli/*.py).
# The last line is "N passed, N failed"; the exit status is non-zero on any
# failure.
set -eu
BUILD=${1:-build}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
make --no-print-directory -s BUILD="$BUILD" tests-bin
exec python3 tests/run.py --build "$BUILD" "$@"
