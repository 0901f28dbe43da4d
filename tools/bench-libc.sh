#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-libc [ARCH=arm64|armhf|armv6]`: `digestd summarize` throughput
# of the glibc and the musl firmware (tools/firmware.sh builds both) under
# qemu-user, and their ratio. Three inputs: the seed articles (many small
# files: open, read, segment, score), one large file made of them (memcpy into
# the window) and one long line without punctuation (memchr over the input).
#
# Each libc's program is timed as linked and linked after 1, 2 and 3 KiB of
# padding (digestd-padN, tools/layout-pad.c): under qemu-user where the hot
# functions fall against the 4 KiB pages moves the time by up to a factor of
# two, so one link of each libc compares layouts as much as libcs. The ratio
# is of the medians over the four layouts. Each program is timed five
# times (processor time), the runs of all eight interleaved, the best kept. A bench: the
# figures are printed, nothing is judged.
# Usage: sh tools/bench-libc.sh ARCH QEMU
set -eu
[ $# -eq 2 ] || { echo "usage: sh tools/bench-libc.sh ARCH QEMU" >&2; exit 64; }
arch=$1 qemu=$2
pads="0 1024 2048 3072"

# program LIBC PAD: the firmware of that libc, linked after PAD bytes.
program() {
	dir=build/firmware-$arch
	[ "$1" = glibc ] || dir=$dir-$1
	if [ "$2" = 0 ]; then echo "$dir/digestd"; else echo "$dir/digestd-pad$2"; fi
}
for libc in glibc musl; do
	for pad in $pads; do
		b=$(program $libc "$pad")
		[ -x "$b" ] || { echo "bench-libc: $b is missing: make bench-libc ARCH=$arch builds it" >&2; exit 66; }
	done
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

# seconds BINARY INPUT: one run's processor time (user and system, of qemu
# and its threads): unlike the wall time, hardly moved by whatever else
# shares the machine.
seconds() {
	b=$1
	if [ "$2" = many ]; then
		set -- "$tmp"/many/*.txt
	else
		set -- "$tmp/$2.txt"
	fi
	# $qemu unquoted: it may carry options (qemu-arm -cpu arm1176).
	# shellcheck disable=SC2086
	python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (r.ru_utime + r.ru_stime))' $qemu "$b" summarize "$@" ||
		{ echo "bench-libc: $b summarize failed" >&2; exit 1; }
}

printf 'bench-libc %s under %s: digestd summarize, processor seconds, best of 5, each libc linked with its code moved by 0-3 KiB\n' \
	"$arch" "$qemu"
printf '  %-34s %-6s %7s %7s %7s %7s %7s\n' input libc "+0" "+1 KiB" "+2 KiB" "+3 KiB" median
for input in many big line; do
	case $input in
	many) label="$(find "$tmp/many" -type f | wc -l) seed articles ($(du -sk "$tmp/many" | cut -f1) KB)" ;;
	big) label="one 32 MB file of articles" ;;
	line) label="one 32 MB line, no punctuation" ;;
	esac
	: >"$tmp/times"
	for _ in 1 2 3 4 5; do
		for libc in glibc musl; do
			for pad in $pads; do
				echo "$libc $pad $(seconds "$(program $libc "$pad")" $input)" >>"$tmp/times"
			done
		done
	done
	# The best run per program; per libc the four layouts and their median.
	awk -v label="$label" -v pads="$pads" '
		{ k = $1 " " $2; if (!(k in best) || $3 < best[k]) best[k] = $3 }
		END {
			n = split(pads, p, " ")
			split("glibc musl", libs, " ")
			for (l = 1; l <= 2; l++) {
				line = sprintf("  %-34s %-6s", l == 1 ? label : "", libs[l])
				for (i = 1; i <= n; i++) {
					t[i] = best[libs[l] " " p[i]]
					line = line sprintf(" %7.3f", t[i])
				}
				# n is 4: the median is the mean of the middle two.
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
				med[l] = (t[2] + t[3]) / 2
				print line sprintf(" %7.3f", med[l])
			}
			printf "  %-34s musl/glibc, medians: %.2f\n", "", med[2] / med[1]
		}' "$tmp/times"
done
