#!/bin/sh
# make demo: prepare the project's own sample photos for several platforms
# and say where the results are.
set -eu
cd "$(dirname "$0")/.."
OUT=out
rm -rf "$OUT"
echo "attache prep samples/ -> $OUT/"
ATTACHE_PRESET_DIR=presets build/attache prep \
	-p x-landscape,instagram-portrait,bluesky,mastodon \
	-o "$OUT" samples/
ATTACHE_PRESET_DIR=presets build/attache review "$OUT"
echo
echo "Done. The prepared images are in $OUT/ (one file per photo and preset,"
echo "named PHOTO.PRESET.jpg), with attache-manifest.jsonl listing them."
echo "Open $OUT/review.html in a browser: the sheet a second person checks"
echo "before approving (attache approve $OUT --by NAME; docs/review.md)."
