#!/bin/sh
# SPDX-License-Identifier: MIT
# The wall clock steps under a running daemon, as on a board without a
# real-time clock that NTP sets right minutes after boot, or a bad time
# server or an admin sets back: the clock shim ($BUILD/tests/libclockshift.so,
# tests/fault/clockshift.c) moves CLOCK_REALTIME of digestd (and of the
# sink, whose certificate and signature window then follow the same clock)
# by the offset in a file, the monotonic clock untouched. Checks that no
# retry and no time of day waits for a time that is now years away, and that
# a step forward composes no digest off its schedule.
. tests/cli/lib.sh
. tests/cli/daemon.lib

if [ "${TEST_LIBC:-glibc}" = musl ]; then
	echo "SKIP: clock.sh: a static digestd cannot preload the clock shim"
	exit 0
fi
SHIM=$(cd "$(dirname "$BUILD/tests/libclockshift.so")" 2>/dev/null && pwd)/libclockshift.so
if [ ! -f "$SHIM" ]; then
	fail "the clock shim is built ($BUILD/tests/libclockshift.so)"
	exit 0
fi
YEARS2=63072000

# set_clock SECONDS: the shifted processes' clock runs SECONDS ahead (< 0:
# behind) from now on, as one step.
set_clock() {
	echo "$1" >"$TMP/off.tmp" && mv "$TMP/off.tmp" "$TMP/off"
}

# clock_on, clock_off: the programs started in between run on the shifted
# clock. Under qemu-user the preload goes to the guest (QEMU_SET_ENV), not
# to qemu itself; under ASan the shim is loaded before the sanitizer
# runtime, which it accepts only when told to.
ASAN0=${ASAN_OPTIONS-}
clock_on() {
	export DIGESTD_CLOCK_FILE="$TMP/off"
	export ASAN_OPTIONS="${ASAN0:+$ASAN0:}verify_asan_link_order=0"
	if [ -n "$TEST_WRAPPER" ]; then
		export QEMU_SET_ENV="LD_PRELOAD=$SHIM"
	else
		export LD_PRELOAD="$SHIM"
	fi
}
clock_off() {
	unset DIGESTD_CLOCK_FILE LD_PRELOAD QEMU_SET_ENV
	if [ -n "$ASAN0" ]; then export ASAN_OPTIONS="$ASAN0"; else unset ASAN_OPTIONS; fi
}

# start_daemon INI LOG: digestd run on the shifted clock; sets pid.
start_daemon() {
	clock_on
	$TEST_WRAPPER "$DIGESTD" run --config "$1" >"$2" 2>&1 &
	pid=$!
	clock_off
	PIDS="$PIDS $pid"
	wait_grep "digestd started" "$2" 20
}

# start_shifted_sink PORT: digest-sink on the shifted clock, with a new
# certificate made on it (libcurl reads the CA file at each handshake).
start_shifted_sink() {
	rm -rf "$TMP/tls"
	clock_on
	start_sink "$1"
	rc=$?
	clock_off
	return $rc
}

stop_daemon() {
	kill -TERM "$pid"
	wait_gone "$pid" 40
}

# offset_to SECONDS-OF-DAY [DAYS]: the offset that puts the shifted clock
# at that time of day (UTC), DAYS (default 0) before today.
offset_to() {
	now=$(date +%s)
	echo $((now / 86400 * 86400 - ${2:-0} * 86400 + $1 - now))
}

# expect_delivered NAME LOG N: the daemon logging to LOG delivers, and the
# sink has N digests stored, within 30 s.
expect_delivered() {
	if wait_grep "delivered" "$2" 30 && [ "$(stored)" -eq "$3" ]; then pass "$1"; else
		fail "$1" "$(stored) stored" "$(tail -n 4 "$2")"
	fi
}

# push_failing NAME LOG: on the right clock, a new article NAME and a
# digest of it at once, whose push finds no server (the sink's port, its
# certificate made anew): digestd logging to LOG is left waiting for the
# retry; sets pid.
push_failing() {
	rm -rf "$TMP/tls"
	set_clock 0
	start_sink "$PORT" || return 1
	stop_sink
	new_article "$1"
	echo 1 >"$TMP/state/last-digest"
	start_daemon "$TMP/c.ini" "$2"
	wait_grep "retry in" "$2" 20
}

mkdir -p "$TMP/articles" "$TMP/state"
cp seeds/001_*.txt "$TMP/articles/"

# ---- a push waiting for its retry when the clock is set back 2 years ----
# The first push finds no server (retry in 1 s on the right clock); then
# the clock goes back 2 years and the server comes up, its certificate and
# signature window on the same clock: the retry is due now, not in 2 years.
start_sink 0 || exit 1
stop_sink
set_clock 0
write_config "$TMP/c.ini"
echo 1 >"$TMP/state/last-digest" # long overdue: a digest at once
start_daemon "$TMP/c.ini" "$TMP/d1.log"
wait_grep "retry in" "$TMP/d1.log" 20
set_clock -$YEARS2
start_shifted_sink "$PORT" || exit 1
expect_delivered "clock set back 2 years: a push waiting for its retry is delivered at once" \
	"$TMP/d1.log" 1
expect_grep "the step is logged" "the wall clock stepped back by 6307" "$TMP/d1.log"
stop_daemon
stop_sink

# ---- an entry left by a run whose clock was 2 years ahead ----
# Its next attempt was set on the right clock; digestd starts again on a
# clock 2 years behind (set back while it was down): tried at once.
push_failing later "$TMP/d2.log" || exit 1
stop_daemon
set_clock -$YEARS2
start_shifted_sink "$PORT" || exit 1
start_daemon "$TMP/c.ini" "$TMP/d3.log"
expect_delivered "started 2 years behind the clock of the last run: its entry is delivered at once" \
	"$TMP/d3.log" 2
stop_daemon
stop_sink

# ---- a push waiting for its retry when the clock is set back an hour ----
# A step back shorter than a day (PUSH_RETRY_AFTER_MAX, the most a retry may
# ask): the entry's next-attempt, on the old clock, is within what a retry
# may set, and waited for the new clock to reach it, an hour later. Its
# last-attempt, ahead of the new clock, tells: the wait it asked for (1-2 s)
# counts from now.
push_failing hour "$TMP/d4.log" || exit 1
set_clock -3600
start_shifted_sink "$PORT" || exit 1
expect_delivered "clock set back an hour: a push waiting for its retry is delivered after its wait, not an hour later" \
	"$TMP/d4.log" 3
expect_grep "the retry counted from now is logged" "set back since its last attempt: next attempt in" \
	"$TMP/d4.log"
stop_daemon
stop_sink

# ---- a time of day when the clock is set back, or set right at boot ----
# UTC times of day, digests without articles too (send_empty), so that each
# digest the schedule makes shows. SIGUSR1 wakes the loop after a step, as
# the next wake-up it had planned would (a source's poll, at most its
# interval later): the step is seen then.
export TZ=UTC
# tod_config INI STATE: a 07:00 schedule, state in STATE.
tod_config() {
	SCHEDULE=07:00 write_config "$1.tmp"
	sed "s|^state_dir = .*|state_dir = $2|; s/^group = no$/&\nsend_empty = yes/" "$1.tmp" >"$1"
}
composed() { grep -c "^.* digest dg_[^ ]* composed" "$1"; }
# usr1_round LOG N: SIGUSR1, and the loop has gone round once more since
# (its Nth status line).
usr1_round() {
	kill -USR1 "$pid"
	wait_count "$2" "status:" "$1" 20
}

rm -rf "$TMP/tls"
set_clock 0
start_sink "$PORT" || exit 1
for days in 1 730; do
	tod_config "$TMP/t$days.ini" "$TMP/state-t$days"
	# 3 s before 07:00: the day's digest, then the clock goes back to 3 s
	# before the 07:00 of $days days earlier.
	set_clock "$(offset_to $((7 * 3600 - 3)))"
	start_daemon "$TMP/t$days.ini" "$TMP/t$days.log"
	wait_count 1 " digest dg_[^ ]* composed" "$TMP/t$days.log" 30
	set_clock "$(offset_to $((7 * 3600 - 3)) "$days")"
	usr1_round "$TMP/t$days.log" 1
	if wait_count 2 " digest dg_[^ ]* composed" "$TMP/t$days.log" 30; then
		pass "clock set back $days days after a 07:00 digest: the 07:00 of the new clock composes"
	else
		fail "clock set back $days days after a 07:00 digest: the 07:00 of the new clock composes" \
			"$(composed "$TMP/t$days.log") composed" "$(tail -n 3 "$TMP/t$days.log")"
	fi
	stop_daemon
done

# Booted 2 years behind, a minute before 07:00; NTP sets the clock right at
# noon: no digest until tomorrow's 07:00 (the 07:00 of the stale clock was
# never lived through).
tod_config "$TMP/b.ini" "$TMP/state-b"
set_clock "$(offset_to $((7 * 3600 - 60)) 730)"
start_daemon "$TMP/b.ini" "$TMP/b.log"
set_clock "$(offset_to $((12 * 3600)))"
usr1_round "$TMP/b.log" 1
wait_grep "stepped forward" "$TMP/b.log" 20
usr1_round "$TMP/b.log" 2
tomorrow=$(($(date +%s) / 86400 * 86400 + 86400 + 7 * 3600))
if [ "$(composed "$TMP/b.log")" -eq 0 ] && [ "$(cat "$TMP/state-b/next-digest")" = "$tomorrow" ]; then
	pass "booted 2 years behind, set right at noon: no digest off its schedule, the next at 07:00"
else
	fail "booted 2 years behind, set right at noon: no digest off its schedule, the next at 07:00" \
		"$(composed "$TMP/b.log") composed; next-digest $(cat "$TMP/state-b/next-digest"), want $tomorrow" \
		"$(tail -n 3 "$TMP/b.log")"
fi
stop_daemon

# The same step landing while a poll is under way, between the loop's look
# at the clocks and its look at the digest's time: the shim sets the clock
# right as the folder source's poll opens an article (stepnow.txt). Before,
# the digest's look took noon for five hours gone by, and composed.
tod_config "$TMP/p.ini" "$TMP/state-p"
rm -f "$TMP"/articles/*
new_article stepnow
set_clock "$(offset_to $((7 * 3600 - 60)) 730)"
offset_to $((12 * 3600)) >"$TMP/off.next"
export DIGESTD_CLOCK_STEP_ON=stepnow.txt
start_daemon "$TMP/p.ini" "$TMP/p.log"
unset DIGESTD_CLOCK_STEP_ON
wait_grep "stepped forward" "$TMP/p.log" 20
usr1_round "$TMP/p.log" 1
tomorrow=$(($(date +%s) / 86400 * 86400 + 86400 + 7 * 3600))
if [ ! -e "$TMP/off.next" ] && [ "$(composed "$TMP/p.log")" -eq 0 ] &&
	[ "$(cat "$TMP/state-p/next-digest")" = "$tomorrow" ]; then
	pass "set right at noon in the middle of a poll: no digest off its schedule, the next at 07:00"
else
	fail "set right at noon in the middle of a poll: no digest off its schedule, the next at 07:00" \
		"step file left: $([ -e "$TMP/off.next" ] && echo yes || echo no);" \
		"$(composed "$TMP/p.log") composed; next-digest $(cat "$TMP/state-p/next-digest")," \
		"want $tomorrow" "$(tail -n 4 "$TMP/p.log")"
fi
stop_daemon
stop_sink
