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
libsoup-3.0-dev glib-networking libsqlite3-dev libsodium-dev
libjpeg-turbo-progs npm
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

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
