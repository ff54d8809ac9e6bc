#!/bin/sh
# Runs every test suite against the build in $1 (build/ or build-asan/,
# built by make check / make asan first): unit tests (GLib GTest, TAP) and
# the CLI tests (tests/cli/*.py). The last line is "N passed, N failed";
# the exit status is non-zero on any failure. Further arguments go to
# tests/run.py (-k WORD runs a subset).
set -eu
BUILD=${1:-build}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
[ -x "$BUILD/attache" ] || { echo "run-tests: $BUILD/attache is not built (make check builds it)" >&2; exit 1; }
exec python3 tests/run.py --build "$BUILD" "$@"
