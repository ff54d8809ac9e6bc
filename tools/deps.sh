#!/bin/sh
# make deps: install the Debian packages attache needs, if any is missing.
# Non-interactive (apt-get update, then apt-get install -y); a no-op when
# everything is there, so `make check` stays fast on a prepared machine.
set -eu

PKGS="
pkg-config make gcc clang libclang-rt-14-dev libglib2.0-dev-bin
libvips-dev libvips-tools
libexif-dev libcurl4-openssl-dev libssl-dev libpng-dev libjson-glib-dev libheif-dev
liblcms2-dev zlib1g-dev libicu-dev libjpeg-dev
libimage-exiftool-perl imagemagick time
fonts-noto-core fonts-noto-cjk libpango1.0-dev libfontconfig-dev
python3
chromium
man-db zsh
g++ libdlib-dev libopencv-objdetect-dev libopencv-contrib-dev opencv-data python3-opencv
libtesseract-dev tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-spa
tesseract-ocr-ara tesseract-ocr-chi-sim tesseract-ocr-rus
libsoup-3.0-dev glib-networking libsqlite3-dev libsodium-dev openssl
libjpeg-turbo-progs nodejs
"

# The browser tests' npm packages (axe-core, pinned in tests/js's lock
# file): npm ci only when node_modules is missing or older than the lock,
# so a prepared machine runs no npm at all and a closed network is no
# error for it.
npm_packages() {
	here=$(dirname "$0")/../tests/js
	[ -f "$here/package-lock.json" ] || return 0
	lock=$here/node_modules/.package-lock.json
	if [ -f "$lock" ] && [ ! "$here/package-lock.json" -nt "$lock" ]; then
		return 0
	fi
	command -v npm >/dev/null 2>&1 || return 0
	echo "make deps: npm ci in tests/js"
	(cd "$here" && npm ci --no-audit --no-fund --ignore-scripts)
}

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# npm: Debian's package, unless the machine's nodejs brings its own (a
# NodeSource nodejs does, and conflicts with Debian's npm)
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && { npm_packages; exit 0; }

echo "make deps: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "make deps: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q $missing
npm_packages
