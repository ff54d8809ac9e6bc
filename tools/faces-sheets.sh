#!/bin/sh
# The contact sheets of issue 14's note (docs/faces.md), in build/sheets/:
#   train-x-landscape.png      the man by the train window in x-landscape:
#                              the photo, --crop attention-only (before), the
#                              default face-aware crop (after)
#   squirrel-instagram-portrait.png  the squirrel, instagram-portrait, the
#                              same three
#   groups-protect-faces.png   the 4 group photos of ../shared/samples/faces:
#                              the photo, then --protect faces in
#                              instagram-square and x-landscape
# Every cell is a thumbnail with its caption under it (libvips: thumbnail,
# text, join, arrayjoin). Usage: tools/faces-sheets.sh [BUILD]
set -e
B=${1:-build}
S=$(dirname "$0")/../../shared/samples
W=$B/sheets
rm -rf "$W" && mkdir -p "$W/work"
T=$W/work

# cell NAME IMAGE CAPTION: a 240 px high thumbnail of IMAGE (upright: vips
# thumbnail applies the EXIF orientation) over its caption, framed in
# white, as $T/NAME.png; prints that path
cell() {
	n=$1
	shift
	vips thumbnail "$1" "$T/$n-t.v" 2000 --height 240
	vips text "$T/$n-c.v" "$2" --width 420 --dpi 90
	vips invert "$T/$n-c.v" "$T/$n-ci.v"
	vips join "$T/$n-t.v" "$T/$n-ci.v" "$T/$n-j.v" vertical --expand --background 255 --shim 4
	vips embed "$T/$n-j.v" "$T/$n.png" 6 6 $(($(vipsheader -f width "$T/$n-j.v") + 12)) $(($(vipsheader -f height "$T/$n-j.v") + 12)) \
		--extend background --background 255
	echo "$T/$n.png"
}

# before_after PHOTO PRESET SHEET: the photo, attention-only, default
before_after() {
	b=$(basename "${1%.*}")
	"$B/attache" prep -q --crop attention-only -p "$2" -o "$T/before" "$1"
	"$B/attache" prep -q -p "$2" -o "$T/after" "$1"
	c1=$(cell "$b-photo" "$1" "$b")
	c2=$(cell "$b-before" "$(ls "$T/before/$b.$2".* | head -1)" "before: $2, --crop attention-only")
	c3=$(cell "$b-after" "$(ls "$T/after/$b.$2".* | head -1)" "after: $2, default (faces kept whole)")
	vips arrayjoin "$c1 $c2 $c3" "$W/$3" --across 3 --background 255 --valign centre
	echo "$W/$3"
}

before_after "$S/phone/samsung-galaxy-s_o6_gps-zero_thumb.jpg" x-landscape train-x-landscape.png
before_after "$S/phone/canon-eos-600d_gps_xmp-iptc-city.jpg" instagram-portrait squirrel-instagram-portrait.png

cells=
for f in "$S"/faces/*.jpg; do
	b=$(basename "${f%.*}")
	"$B/attache" prep -q --protect faces -p instagram-square,x-landscape -o "$T/protect" "$f"
	cells="$cells $(cell "$b-photo" "$f" "$b")"
	cells="$cells $(cell "$b-square" "$T/protect/$b.instagram-square.jpg" "protected (--protect faces): instagram-square")"
	cells="$cells $(cell "$b-x" "$T/protect/$b.x-landscape.jpg" "protected (--protect faces): x-landscape")"
done
vips arrayjoin "${cells# }" "$W/groups-protect-faces.png" --across 3 --background 255 --valign centre
echo "$W/groups-protect-faces.png"
rm -rf "$T"
