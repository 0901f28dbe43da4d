#!/bin/sh
# SPDX-License-Identifier: MIT
# For tools/firmware.sh: downloads Debian's source of PACKAGE with apt-get
# source (options in $APT_OPTS) and unpacks it into DIR/tree; DIR keeps the
# .dsc and a `version` line. The newest version apt knows is tried first; a
# mirror can lack it (an upload to CODENAME-security or -updates that it does
# not serve: 404), and then the version in the CODENAME release suite is
# built instead, said on stderr and in the version line.
# Usage: APT_OPTS="-o ..." sh tools/apt-source.sh PACKAGE DIR CODENAME
set -eu
[ $# -eq 3 ] || { echo "usage: sh tools/apt-source.sh PACKAGE DIR CODENAME" >&2; exit 64; }
pkg=$1 dir=$2 codename=$3
: "${APT_OPTS:=}"
tmp=$dir.tmp

# get WHICH: apt-get source WHICH into $tmp, unpacked into $tmp/tree.
get() {
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get -q $APT_OPTS source --download-only "$1" >download.log 2>&1 &&
		dpkg-source -x ./*.dsc tree >unpack.log 2>&1)
}

note=""
if ! get "$pkg"; then
	why=$(grep -m 1 '^E: ' "$tmp/download.log" || tail -n 1 "$tmp"/*.log)
	echo "firmware: $pkg: the newest source cannot be had ($why);" \
		"falling back to the version in the $codename release suite" >&2
	note=" (the $codename release's: the newest could not be downloaded)"
	if ! get "$pkg/$codename"; then
		cat "$tmp"/*.log >&2
		exit 69
	fi
fi
version=$(sed -n 's/^Version: //p' "$tmp"/*.dsc | head -n 1)
printf '%s%s\n' "$version" "$note" >"$tmp/version"
rm -rf "$dir"
mv "$tmp" "$dir"
echo "firmware: $pkg source $version$note"
