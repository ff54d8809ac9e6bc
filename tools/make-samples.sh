#!/bin/sh
# make samples: (re)draws samples/ with tools/mksamples.c.
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p "$BUILD/tools"
cc -std=gnu11 -O2 -Wall -o "$BUILD/tools/mksamples" tools/mksamples.c \
	$(pkg-config --cflags --libs vips libexif zlib) -lm
"$BUILD/tools/mksamples" samples
