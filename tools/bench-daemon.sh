#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`, daemon part (docs/daemon.md reports the figures): syscalls and
# wake-ups of an idle daemon over 60 s (tools/bench-idle.sh), RSS across 1,000 --once
# cycles and 1,000 reloads against the local digest-sink, and a valgrind
# leak check of a cycle and of the daemon (`make bench` installs valgrind:
# tools/deps.sh bench). Missing tools are reported and their part skipped.
# Usage: tools/bench-daemon.sh BUILD/digestd [CYCLES] [IDLE_SECONDS]
set -eu
digestd=$1
cycles=${2:-1000}
idle=${3:-60}
build=$(dirname "$digestd")
sink=$build/digest-sink
. tools/bench-lib.sh
have() { command -v "$1" >/dev/null 2>&1; }
for tool in python3 /usr/bin/time; do
	have "$tool" || { echo "bench-daemon: $tool is missing (make deps installs it)" >&2; exit 1; }
done
[ -x "$sink" ] || { echo "bench-daemon: $sink is missing (make builds it)" >&2; exit 1; }

sh tools/signing-key.sh "$tmp/key"
"$sink" --self-signed "$tmp/tls" --store "$tmp/store" --signing-key "$tmp/key" --port 0 \
	--ready-file "$tmp/ready" >"$tmp/sink.log" 2>&1 &
pids="$pids $!"
wait_for . "$tmp/ready"
port=$(cat "$tmp/ready")
mkdir -p "$tmp/articles"
cat >"$tmp/d.ini" <<EOF
[daemon]
state_dir = $tmp/state
log_level = info
[source articles]
url = $tmp/articles
type = folder
interval = 30m
[digest]
schedule = 1h
group = no
[endpoint]
url = https://localhost:$port/digest
ca_file = $tmp/tls/cert.pem
signing_key_file = $tmp/key
EOF
# group = no: article() cycles through the 8 seed texts, so with grouping on
# every article after the 8th joins a story already delivered and is held
# back (docs/grouping.md): 1,000 cycles would push 8 digests, not 1,000.
article() { # article N: the only article in the folder, a new one each time
	rm -f "$tmp"/articles/*.txt
	src=$(ls seeds/*.txt | sed -n "$(($1 % 8 + 1))p")
	{
		printf 'Title: Bench story %s\nURL: https://news.example.org/bench/%s\n' "$1" "$1"
		sed -n '/^$/,$p' "$src"
	} >"$tmp/articles/a$1.txt"
}
vmrss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

echo "== digestd daemon benchmark ($(uname -m), $(nproc) CPUs)"

# ---- idle: 60 s with nothing due, watchdog at 20 s (a ping every 10 s) ----
article 0
sh tools/bench-idle.sh "$digestd" "$tmp/d.ini" "$idle" 20000000

# ---- no growth: RSS of --once cycles, and of a daemon across reloads ----
rm -rf "$tmp/state"
i=1
first=
last=
min=
max=
fails=0
while [ $i -le "$cycles" ]; do
	article "$i"
	if ! /usr/bin/time -f '%M' -o "$tmp/rss" "$digestd" run --once --config "$tmp/d.ini" \
		2>>"$tmp/cycles.log"; then
		fails=$((fails + 1))
	fi
	r=$(tail -n 1 "$tmp/rss")
	[ -n "$first" ] || first=$r
	last=$r
	[ -n "$min" ] && [ "$min" -le "$r" ] || min=$r
	[ -n "$max" ] && [ "$max" -ge "$r" ] || max=$r
	i=$((i + 1))
done
stored=$(find "$tmp/store" -name '*.json' | wc -l)
echo "--once x$cycles: max RSS first $first KiB, last $last KiB (min $min, max $max);" \
	"$stored digests stored, $fails cycles not exit 0"
# Each cycle must compose and push its digest, or the RSS above is not that of
# a full cycle (as tools/bench-cycle.py fails on an article not delivered).
if [ "$stored" -ne "$cycles" ] || [ "$fails" -ne 0 ]; then
	echo "bench-daemon: $cycles cycles stored $stored digests, $fails failed: each must push one" >&2
	exit 1
fi

"$digestd" run --config "$tmp/d.ini" 2>"$tmp/reload.log" &
dpid=$!
pids="$pids $dpid"
wait_for 'digestd started' "$tmp/reload.log"
sleep 0.5
r0=$(vmrss "$dpid")
r10=$r0
i=1
while [ $i -le "$cycles" ]; do
	kill -HUP "$dpid"
	# One reload at a time: wait for its log line.
	n=0
	until [ "$(grep -c '^.*reloaded ' "$tmp/reload.log")" -ge $i ]; do
		n=$((n + 1))
		[ $n -lt 500 ] || { echo "bench-daemon: reload $i did not finish" >&2; exit 1; }
		sleep 0.01
	done
	[ $i -eq 10 ] && r10=$(vmrss "$dpid")
	i=$((i + 1))
done
r1=$(vmrss "$dpid")
kill -TERM "$dpid"
wait "$dpid" 2>/dev/null || true
echo "daemon x$cycles SIGHUP reloads: VmRSS at start $r0 KiB, after 10 reloads $r10 KiB, after $cycles $r1 KiB"

# ---- leaks ----
article leak
if have valgrind; then
	rm -rf "$tmp/state"
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$digestd" run --once --config "$tmp/d.ini" 2>"$tmp/vg1.log" && rc1=0 || rc1=$?
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$digestd" run --config "$tmp/d.ini" 2>"$tmp/vg2.log" &
	vpid=$!
	pids="$pids $vpid"
	wait_for 'digestd started' "$tmp/vg2.log"
	kill -HUP "$vpid"
	wait_for 'reloaded' "$tmp/vg2.log"
	kill -USR1 "$vpid"
	wait_for 'status:' "$tmp/vg2.log"
	kill -TERM "$vpid"
	wait "$vpid" && rc2=0 || rc2=$?
	errs1=$(grep -c '^==[0-9]*== ' "$tmp/vg1.log" || true)
	errs2=$(grep -c '^==[0-9]*== ' "$tmp/vg2.log" || true)
	echo "valgrind --leak-check=full: --once cycle exit $rc1 ($errs1 report lines);" \
		"daemon with reload, SIGUSR1, SIGTERM exit $rc2 ($errs2 report lines)"
	grep '^==' "$tmp/vg1.log" "$tmp/vg2.log" | head -n 20 || true
else
	echo "leaks: SKIP (valgrind is missing; make check SAN=1 runs the tests under LeakSanitizer)"
fi
