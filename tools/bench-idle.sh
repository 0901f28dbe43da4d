#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`: the wake-ups of an idle daemon. Starts `digestd run` with a
# fake notify socket and a watchdog, waits for its first idle STATUS (its
# first poll of every source done), then counts its syscalls with strace.
# Used by tools/bench-daemon.sh and tools/bench-cycle.py.
# Usage: tools/bench-idle.sh DIGESTD CONFIG SECONDS WATCHDOG_USEC [START_SECONDS]
#   START_SECONDS: how long the first poll may take (default 30).
# Prints one summary line and strace's table (a SKIP line without strace);
# exits 1 when the daemon did not become idle in time.
set -eu
digestd=$1
config=$2
idle=$3
watchdog=$4
start=${5:-30}
command -v strace >/dev/null 2>&1 || { echo "idle: SKIP (strace is missing)"; exit 0; }
. tools/bench-lib.sh

# The listener's file exists once its socket is bound.
python3 tests/cli/notify_listen.py "$tmp/notify.sock" "$tmp/notify.log" &
pids="$pids $!"
n=100
until [ -f "$tmp/notify.log" ] || [ $n -eq 0 ]; do sleep 0.1; n=$((n - 1)); done
NOTIFY_SOCKET=$tmp/notify.sock WATCHDOG_USEC=$watchdog "$digestd" run --config "$config" \
	2>"$tmp/idle.log" &
dpid=$!
pids="$pids $dpid"
wait_for '^STATUS=idle' "$tmp/notify.log" "$start"
pings0=$(grep -c '^WATCHDOG=1$' "$tmp/notify.log" || true)
# One tracer only (ptrace allows one). Each sleep is a poll() call; the
# one strace interrupts when attaching resumes as restart_syscall.
strace -f -c -o "$tmp/strace-c" -p "$dpid" 2>/dev/null &
spid=$!
sleep "$idle"
kill -INT "$spid"
wait "$spid" 2>/dev/null || true
kill -TERM "$dpid"
wait "$dpid" 2>/dev/null || true
# No syscall at all leaves strace's table empty.
total=$(awk '$NF == "total" { n = $4 } END { print n + 0 }' "$tmp/strace-c")
polls=$(awk '$NF ~ /^(poll|ppoll|restart_syscall)$/ { n += $4 } END { print n + 0 }' "$tmp/strace-c")
pings=$(($(grep -c '^WATCHDOG=1$' "$tmp/notify.log" || true) - pings0))
echo "idle ${idle}s: $total syscalls, $polls sleeps (poll and restart_syscall calls:" \
	"$((polls * 60 / idle)) wake-ups a minute); watchdog pings sent: $pings" \
	"(WATCHDOG_USEC=$watchdog: one per $((watchdog / 2000000)) s)"
[ ! -s "$tmp/strace-c" ] || sed 's/^/    /' "$tmp/strace-c"
