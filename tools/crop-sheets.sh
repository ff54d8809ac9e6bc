#!/bin/sh
# Before/after contact sheets of the crops (docs/presets.md, "Subjects that
# are not faces"): every phone photo and labelled group photo in
# ../shared/samples, instagram-portrait, instagram-square and x-landscape,
# each as `--crop attention-only` (before) and the default (after), side
# by side, one row per photo, in build/crops/before-after-N.png (8 rows
# each). Other cover presets: a comma-separated PRESETS list and a NAME,
# the sheets then in build/NAME/. Usage:
# tools/crop-sheets.sh [BUILD [PRESETS NAME]]
set -e
B=${1:-build}
S=$(dirname "$0")/../../shared/samples
P=${2:-instagram-portrait,instagram-square,x-landscape}
W=$B/${3:-crops}
rm -rf "$W" && mkdir -p "$W/cells"
ls "$S"/phone/*.jpg "$S"/phone/*.heic "$S"/faces/*.jpg > "$W/list.txt"
"$B/attache" prep -q --crop attention-only -o "$W/before" -p $P $(cat "$W/list.txt") 2>/dev/null || true
"$B/attache" prep -q -o "$W/after" -p $P $(cat "$W/list.txt") 2>/dev/null || true
i=0 rows=
for f in $(cat "$W/list.txt"); do
	b=$(basename "${f%.*}")
	ls "$W/before/$b".* > /dev/null 2>&1 || continue
	cells=
	for p in $(echo "$P" | tr , ' '); do
		for s in before after; do
			c=$W/cells/$i-$p-$s.png
			vips thumbnail "$(ls "$W/$s/$b.$p".* | head -1)" "$c" 1000 --height 160
			vips embed "$c" "$W/cells/t.png" 4 4 $(($(vipsheader -f width "$c") + 8)) 168 --extend white
			mv "$W/cells/t.png" "$c"
			cells="$cells $c"
		done
	done
	vips arrayjoin "${cells# }" "$W/cells/row$i.png" --across $(echo $cells | wc -w) --background 255
	rows="$rows $W/cells/row$i.png"
	i=$((i + 1))
done
n=0
set -- $rows
while [ $# -gt 0 ]; do
	n=$((n + 1)) part=
	for k in 1 2 3 4 5 6 7 8; do
		[ $# -gt 0 ] || break
		part="$part $1"
		shift
	done
	vips arrayjoin "${part# }" "$W/before-after-$n.png" --across 1 --background 255
done
echo "$W/before-after-1.png .. $n.png"
