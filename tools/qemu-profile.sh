#!/bin/sh
# SPDX-License-Identifier: MIT
# Where a firmware program spends its time under qemu-user, by sampling:
# qemu runs it behind its gdb stub, a SIGUSR1 every INTERVAL seconds stops
# it, gdb (gdb-multiarch) notes the function it stopped in and its caller,
# and the counts are printed, most frequent first. qemu-user has no
# profiler of its own (Debian's 7.2 has no TCG plugins) and perf sees only
# translated code; a stop lands where qemu checks for signals, at the start
# of a translated block, so short functions are a little under-counted.
# Usage: sh tools/qemu-profile.sh QEMU BINARY ARGS...
# e.g.   sh tools/qemu-profile.sh qemu-aarch64 build/firmware-arm64-musl/digestd summarize big.txt
set -eu
[ $# -ge 2 ] || { echo "usage: sh tools/qemu-profile.sh QEMU BINARY ARGS..." >&2; exit 64; }
command -v gdb-multiarch >/dev/null || { echo "qemu-profile: needs gdb-multiarch (apt-get install gdb-multiarch)" >&2; exit 69; }
qemu=$1 bin=$2
shift 2
interval=${INTERVAL:-0.01}
samples=${SAMPLES:-2000}
port=$((20000 + $$ % 20000))
tmp=$(mktemp -d)
trap 'kill "$qpid" 2>/dev/null || :; rm -rf "$tmp"' EXIT

$qemu -g "$port" "$bin" "$@" >/dev/null 2>"$tmp/stderr" &
qpid=$!
{
	echo "set pagination off"
	echo "handle SIGUSR1 stop print nopass"
	echo "target remote 127.0.0.1:$port"
	i=0
	while [ $i -lt "$samples" ]; do
		echo "continue"
		echo "bt 2"
		i=$((i + 1))
	done
} >"$tmp/gdb"
# gdb retries the connection until qemu listens (tcp auto-retry, 15 s).
gdb-multiarch -q -batch -x "$tmp/gdb" "$bin" >"$tmp/out" 2>&1 &
gpid=$!
# A signal before gdb is attached would end qemu's wait for it: first the
# stop at the entry point, which gdb prints once connected.
while kill -0 "$gpid" 2>/dev/null && ! grep -q '^0x' "$tmp/out"; do
	sleep 0.05
done
# Signals until gdb is done: qemu exits with the program, or the samples run out.
while kill -0 "$gpid" 2>/dev/null; do
	sleep "$interval"
	kill -USR1 "$qpid" 2>/dev/null || break
done
wait "$gpid" || :
total=$(grep -c '^#0' "$tmp/out" || :)
[ "$total" -gt 0 ] || { echo "qemu-profile: no samples; gdb said:" >&2; tail -5 "$tmp/out" >&2; exit 1; }
printf 'qemu-profile: %s samples of %s %s\n' "$total" "$bin" "$*"
printf '%7s %6s  %-28s %s\n' samples share function "called from"
# "#0  0x... in f (...) at ..." or "#0  f (...)": the function names of
# frames 0 and 1, paired.
awk '/^#0/ { f0 = fn($0) } /^#1/ { print f0 "\t" fn($0); f0 = "" }
	function fn(l) { sub(/^#[0-9]+ +(0x[0-9a-f]+ in )?/, "", l); sub(/ .*/, "", l); return l }' "$tmp/out" |
	sort | uniq -c | sort -rn | head -"${TOP:-20}" |
	awk -v total="$total" -F '\t' '{ split($1, a, " "); printf "%7d %5.1f%%  %-28s %s\n", a[1], 100 * a[1] / total, a[2], $2 }'
