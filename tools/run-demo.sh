#!/bin/sh
# SPDX-License-Identifier: MIT
# `make run`: summarises every article in seeds/ and prints the result.
set -eu
digestd=${1:-build/digestd}
for f in seeds/*.txt; do
	title=$(sed -n 's/^Title: *//p;/^$/q' "$f")
	echo "== $f${title:+ — $title}"
	"$digestd" summarize "$f"
	echo
done
