#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-libc [ARCH=arm64|armhf|armv6]`: `digestd summarize` throughput
# of the glibc and the musl firmware (tools/firmware.sh builds both) under
# qemu-user, and their ratio. Three inputs: the seed articles (many small
# files: open, read, segment, score), one large file made of them (memcpy into
# the window) and one long line without punctuation (memchr over the input).
# Each is timed five times, the best kept. A bench: the figures are printed,
# nothing is judged.
# Usage: sh tools/bench-libc.sh ARCH QEMU
set -eu
[ $# -eq 2 ] || { echo "usage: sh tools/bench-libc.sh ARCH QEMU" >&2; exit 64; }
arch=$1 qemu=$2
glibc=build/firmware-$arch/digestd
musl=build/firmware-$arch-musl/digestd
for b in "$glibc" "$musl"; do
	[ -x "$b" ] || { echo "bench-libc: $b is missing: make firmware ARCH=$arch LIBC=..." >&2; exit 66; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# 100 copies of each seed article, as separate files.
mkdir -p "$tmp/many"
i=0
while [ $i -lt 100 ]; do
	for f in seeds/*.txt; do cp "$f" "$tmp/many/$i-$(basename "$f")"; done
	i=$((i + 1))
done
# 32 MB of articles in one file; 32 MB of words in one line.
: >"$tmp/big.txt"
while [ "$(wc -c <"$tmp/big.txt")" -lt 32000000 ]; do
	cat seeds/*.txt seeds/*.txt seeds/*.txt seeds/*.txt >>"$tmp/big.txt"
done
awk 'BEGIN { for (i = 0; i < 4000000; i++) printf "digestd "; print "" }' >"$tmp/line.txt"

# best BINARY ARGS...: the best wall time of five runs, in seconds.
best() {
	b=$1
	shift
	n=0 min=""
	while [ $n -lt 5 ]; do
		s=$(date +%s.%N)
		# shellcheck disable=SC2086
		$qemu "$b" summarize "$@" >/dev/null 2>&1 || { echo "bench-libc: $b summarize $* failed" >&2; exit 1; }
		e=$(date +%s.%N)
		min=$(awk -v a="$s" -v b="$e" -v m="$min" 'BEGIN { t = b - a; if (m == "" || t < m) m = t; printf "%.3f", m }')
		n=$((n + 1))
	done
	echo "$min"
}

printf 'bench-libc %s under %s: digestd summarize, best of 5 (s)\n' "$arch" "$qemu"
printf '  %-34s %8s %8s %7s\n' input glibc musl musl/glibc
for input in many big line; do
	case $input in
	many) label="900 seed articles ($(du -sk "$tmp/many" | cut -f1) KB)" ;;
	big) label="one 32 MB file of articles" ;;
	line) label="one 32 MB line, no punctuation" ;;
	esac
	if [ "$input" = many ]; then
		g=$(best "$glibc" "$tmp"/many/*.txt)
		m=$(best "$musl" "$tmp"/many/*.txt)
	else
		g=$(best "$glibc" "$tmp/$input.txt")
		m=$(best "$musl" "$tmp/$input.txt")
	fi
	printf '  %-34s %8s %8s %7s\n' "$label" "$g" "$m" "$(awk -v g="$g" -v m="$m" 'BEGIN { printf "%.2f", m / g }')"
done
