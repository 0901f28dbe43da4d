#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/apt-source.sh (the sources of `make firmware`) against a stand-in
# apt-get and dpkg-source: the newest version when the mirror serves it; the
# release suite's, said and recorded, when the newest is a 404 (seen for
# zlib from bookworm-security); status 69 when neither can be had.
. tests/cli/lib.sh

mkdir -p "$TMP/bin"
# The mirror: zlib's newest .dsc is missing, the release's is there; curl's
# newest is there; nothing at all for "gone".
cat >"$TMP/bin/apt-get" <<'EOF2'
#!/bin/sh
for a; do last=$a; done
echo "apt-get $*" >>"$APT_LOG"
dsc() { printf 'Format: 3.0 (quilt)\nSource: %s\nVersion: %s\n' "$1" "$2" >"$1_$2.dsc"; }
case $last in
zlib)
	echo "E: Failed to fetch http://deb.example/debian-security/pool/updates/main/z/zlib/zlib_1.2.13.dfsg-1%2bdeb12u1.dsc  404  Not Found"
	exit 100 ;;
zlib/bookworm) dsc zlib 1:1.2.13.dfsg-1 ;;
curl) dsc curl 7.88.1-10+deb12u5 ;;
*) echo "E: Unable to find a source package for $last"; exit 100 ;;
esac
EOF2
cat >"$TMP/bin/dpkg-source" <<'EOF2'
#!/bin/sh
mkdir "$3" && cp "$2" "$3/"
EOF2
chmod +x "$TMP/bin/apt-get" "$TMP/bin/dpkg-source"
src=$TMP/src
mkdir -p "$src"
fetch() { # PACKAGE: runs the tool with the stand-ins first in PATH
	PATH="$TMP/bin:$PATH" APT_LOG="$TMP/apt.log" APT_OPTS="-o Dir::Cache=x" sh tools/apt-source.sh "$1" "$src/$1" bookworm \
		>"$TMP/out" 2>"$TMP/err"
	RC=$?
}

fetch curl
if [ $RC -eq 0 ] && [ -d "$src/curl/tree" ] && [ "$(cat "$src/curl/version")" = "7.88.1-10+deb12u5" ] &&
	[ ! -s "$TMP/err" ] && grep -q "apt-get -q -o Dir::Cache=x source --download-only curl$" "$TMP/apt.log"; then
	pass "apt-source: the newest version, with the apt options"
else
	fail "apt-source: the newest version, with the apt options" "exit $RC" "$(cat "$TMP/err" "$TMP/apt.log")"
fi

fetch zlib
if [ $RC -eq 0 ] && [ -d "$src/zlib/tree" ] &&
	[ "$(cat "$src/zlib/version")" = "1:1.2.13.dfsg-1 (the bookworm release's: the newest could not be downloaded)" ] &&
	grep -q "zlib: the newest source cannot be had (E: Failed to fetch .*zlib_1.2.13.dfsg-1%2bdeb12u1.dsc  404  Not Found); falling back to the version in the bookworm release suite" "$TMP/err" &&
	[ ! -e "$src/zlib.tmp" ]; then
	pass "apt-source: a 404 for the newest falls back to the release suite, said and recorded"
else
	fail "apt-source: a 404 for the newest falls back to the release suite, said and recorded" \
		"exit $RC" "$(cat "$TMP/err" "$src/zlib/version")"
fi

# A second fetch replaces the first (no tree nested inside the old one).
fetch curl
if [ $RC -eq 0 ] && [ ! -e "$src/curl/curl.tmp" ] && [ -d "$src/curl/tree" ] && [ ! -e "$src/curl.tmp" ]; then
	pass "apt-source: a new fetch replaces the old folder"
else
	fail "apt-source: a new fetch replaces the old folder" "$(find "$src/curl")"
fi

fetch gone
if [ $RC -eq 69 ] && grep -q "Unable to find a source package for gone/bookworm" "$TMP/err" && [ ! -e "$src/gone" ]; then
	pass "apt-source: no source at all: status 69, apt's reason shown"
else
	fail "apt-source: no source at all: status 69, apt's reason shown" "exit $RC" "$(cat "$TMP/err")"
fi
