#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes a new Standard Webhooks signing key to FILE, mode 0600: whsec_ and
# the base64 of 32 random bytes, as digestd and digest-sink read it. An
# existing FILE (or a symlink there) is kept as it is, never replaced.
# Used by `make install`, `make run` and the benchmarks.
# Usage: sh tools/signing-key.sh FILE
set -eu
[ $# -eq 1 ] || { echo "usage: sh tools/signing-key.sh FILE" >&2; exit 64; }
file=$1
if [ -e "$file" ] || [ -L "$file" ]; then
	exit 0
fi
umask 077
key=$(head -c 32 /dev/urandom | base64)
if [ ${#key} -ne 44 ]; then
	echo "signing-key: could not read 32 random bytes from /dev/urandom" >&2
	exit 74
fi
# A temporary file beside FILE, then a hard link: FILE appears whole or not
# at all, and a FILE made meanwhile is not overwritten.
tmp=$(mktemp "$file.XXXXXX")
trap 'rm -f "$tmp"' EXIT
printf 'whsec_%s\n' "$key" >"$tmp"
ln "$tmp" "$file"
