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
	-c campaigns/demo.ini --lang en --alt-manifest samples/alt-text.csv \
	-o "$OUT" samples/
# the demo campaign's other languages, all in one run from one decode of
# each photo (docs/prep.md, "Languages")
echo "attache prep -c campaigns/demo.ini --lang fr,es,ar,zh,ru samples/ -> $OUT/languages/"
ATTACHE_PRESET_DIR=presets build/attache prep -q -p instagram-portrait \
	-c campaigns/demo.ini --lang fr,es,ar,zh,ru --alt-manifest samples/alt-text.csv \
	-o "$OUT/languages" samples/
# the sheet a second person checks before approving (docs/review.md)
ATTACHE_PRESET_DIR=presets build/attache review "$OUT"
ATTACHE_PRESET_DIR=presets build/attache review -q "$OUT/languages"
echo
echo "Done. The prepared images are in $OUT/ (one file per photo and preset,"
echo "named PHOTO.PRESET.jpg), with attache-manifest.jsonl listing them."
echo "Each carries the demo campaign (campaigns/demo.ini): a logo and an"
echo "#Action2015 band, in English there and in fr, es, ar, zh and ru in"
echo "$OUT/languages/ (PHOTO.PRESET.LANG.jpg, each with every language's"
echo "alt text)."
echo "Open $OUT/review.html in a browser: the sheet a second person checks"
echo "before approving (attache approve $OUT --by NAME; docs/review.md);"
echo "$OUT/languages/review.html shows each photo's five languages grouped."
