#!/bin/sh
# SPDX-License-Identifier: MIT
# A full disk at every point of one cycle, in turn (issue 10): a preloaded
# shim ($BUILD/tests/libenospc.so, tests/fault/enospc.c) counts the writes,
# fsyncs, renames and file creations on the state folder during one `run
# --once` (a new article from a folder, a new item from an HTTPS feed with
# an ETag, one digest composed and delivered), then for each point N runs
# the same cycle from the same state with point N failing with ENOSPC, then
# clean cycles until --once exits 0; and once more with each point before the
# first outbox write failing and digestd killed at its next attempt to save
# the article list (a crash while the disk is still full). Every article must reach the sink's store
# in exactly one digest; --once must exit 75 while something is left (a save
# that failed again when retried within the run) and 0 only when the next
# run finds nothing to do.
. tests/cli/lib.sh
. tests/cli/daemon.lib

# A static program (make check LIBC=musl sets TEST_LIBC) loads nothing: the
# shim cannot be preloaded; the glibc builds run this test on the same code.
if [ "${TEST_LIBC:-glibc}" = musl ]; then
	echo "SKIP: diskfull: a static musl build cannot preload the fault shim"
	exit 0
fi
SHIM=$(cd "$(dirname "$BUILD/tests/libenospc.so")" && pwd)/libenospc.so
if [ ! -f "$SHIM" ]; then
	fail "the fault shim is built ($BUILD/tests/libenospc.so)"
	exit 1
fi

# faulty N: `run --once` with call N failing (0: count only); the counted
# calls go to $TMP/points.N, stderr to $TMP/err, the status to RC. Under
# qemu-user the preload goes to the guest (-E), not to qemu itself; under
# ASan the shim is loaded before the sanitizer runtime, which it accepts only
# when told to.
faulty() {
	rm -f "$TMP/points.$1"
	asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	if [ -n "$TEST_WRAPPER" ]; then
		# shellcheck disable=SC2086
		DIGESTD_FAULT_DIR=$TMP/state DIGESTD_FAULT_AT=$1 DIGESTD_FAULT_LOG=$TMP/points.$1 \
			DIGESTD_FAULT_KILL=$KILL_ON ASAN_OPTIONS=$asan $TEST_WRAPPER -E LD_PRELOAD="$SHIM" "$DIGESTD" run --once \
			--config "$TMP/d.ini" >"$TMP/out" 2>"$TMP/err"
	else
		DIGESTD_FAULT_DIR=$TMP/state DIGESTD_FAULT_AT=$1 DIGESTD_FAULT_LOG=$TMP/points.$1 \
			DIGESTD_FAULT_KILL=$KILL_ON ASAN_OPTIONS=$asan LD_PRELOAD="$SHIM" "$DIGESTD" run --once \
			--config "$TMP/d.ini" >"$TMP/out" 2>"$TMP/err"
	fi
	RC=$?
}

# cycle_input TAG: the folder holds w0 and fTAG, the feed g0 and gTAG; w0
# and g0 are in the saved state's seen-set already.
cycle_input() {
	rm -f "$TMP/articles"/*.txt
	new_article w0
	new_article "f$1"
	rss_feed "$TMP/feeds/news.xml" g0 "g$1"
	TAGS="$TAGS $1"
}

# one_point N TAG: the cycle from the saved state with point N failing, then
# clean cycles until --once exits 0.
one_point() {
	rm -rf "$TMP/state"
	cp -a "$TMP/base" "$TMP/state"
	cycle_input "$2"
	faulty "$1"
	rc=$RC
	what=$(sed -n 's/^[0-9]* FAULT //p' "$TMP/points.$1")
	# Exit 75 when something is left (a save that failed again when retried
	# in the run); exit 0 must then be true: the next run has nothing to do.
	[ -n "$KILL_ON" ] || [ $rc -eq 75 ] || [ $rc -eq 0 ] ||
		bad_status="$bad_status [$1: $what: exit $rc]"
	echo "${KILL_ON:+killed }point $1: $what: exit $rc" >>"$TMP/summary"
	KILL_ON_SAVED=$KILL_ON
	KILL_ON=
	k=0
	while [ $k -lt 6 ]; do
		faulty -1
		if [ $k -eq 0 ] && [ -z "$KILL_ON" ] && [ $rc -eq 0 ] &&
			! grep -q "one cycle done: 0 new articles, 0 digests composed, 0 delivered" "$TMP/err"; then
			bad_status="$bad_status [$1: $what: exit 0, yet the next run: $(grep -o 'one cycle done: [^(]*' "$TMP/err")]"
		fi
		[ "$RC" -eq 0 ] && break
		k=$((k + 1))
	done
	[ "$RC" -eq 0 ] || bad_status="$bad_status [$1: clean runs still exit $RC]"
	KILL_ON=$KILL_ON_SAVED
}

mkdir -p "$TMP/articles" "$TMP/feeds"
start_sink 0 || exit 1
start_feeds "$TMP/feeds" || exit 1
FEED_URL=https://localhost:$FEED_PORT/feeds/news.xml write_config "$TMP/d.ini"
KILL_ON=
TAGS=
bad_status=

# The state every cycle starts from: w0 and g0 delivered.
rm -f "$TMP/articles"/*.txt
new_article w0
rss_feed "$TMP/feeds/news.xml" g0
digestd run --once --config "$TMP/d.ini" >"$TMP/out" 2>"$TMP/err"
if [ $? -ne 0 ] || [ "$(stored)" -ne 1 ]; then
	fail "the starting state: w0 and g0 delivered" "$(tail -n 3 "$TMP/err")"
	exit 1
fi
cp -a "$TMP/state" "$TMP/base"

# A disk full before the first start ever: the lock file cannot be created.
# That is the same full disk as later ones: --once says 75 (run again), not
# 73, which the unit's RestartPreventExitStatus= would never restart.
rm -rf "$TMP/state"
cp -a "$TMP/base" "$TMP/state"
rm -f "$TMP/state/lock"
faulty 1
if [ "$RC" -eq 75 ] && grep -q "FAULT .*/lock" "$TMP/points.1"; then
	pass "ENOSPC creating the lock file at start: exit 75"; else
	fail "ENOSPC creating the lock file at start: exit 75" "exit $RC" "$(cat "$TMP/points.1")" \
		"$(tail -n 2 "$TMP/err")"; fi

# Count the points of one cycle.
rm -rf "$TMP/state"
cp -a "$TMP/base" "$TMP/state"
cycle_input c
faulty 0
points=$(grep -c . "$TMP/points.0")
if [ "$RC" -eq 0 ] && [ "$points" -gt 10 ]; then
	pass "one cycle without faults: exit 0, $points write/fsync/rename/create points"; else
	fail "one cycle without faults: exit 0, $points write/fsync/rename/create points" \
		"exit $RC" "$(tail -n 3 "$TMP/err")"; fi
# The points before the digest's first outbox write.
early=$(($(grep -n ' /outbox/' "$TMP/points.0" | head -n 1 | cut -d: -f1) - 1))
cp "$TMP/points.0" "$TMP/summary"

n=1
while [ $n -le "$points" ]; do
	one_point $n "$n"
	n=$((n + 1))
done
KILL_ON=/pending
n=1
while [ $n -le "$early" ]; do
	one_point $n "k$n"
	n=$((n + 1))
done
[ -n "${DISKFULL_SUMMARY:-}" ] && cp "$TMP/summary" "$DISKFULL_SUMMARY"

titles | sort >"$TMP/titles"
lost=""
for t in $TAGS; do
	for a in "f$t" "g$t"; do
		grep -qx "Story $a" "$TMP/titles" || lost="$lost $a"
	done
done
twice=$(uniq -d "$TMP/titles" | tr '\n' ' ')
# The sink drops a digest pushed a second time by its id: no article shows
# twice in its store then, but the push was repeated all the same.
repushed=$(grep -c "duplicate id=" "$TMP/sink.log")
echo "diskfull: points=$points killed-after=$early digests=$(stored) lost=[${lost# }] twice=[$twice] repushed=$repushed"
if [ -z "$lost" ]; then pass "ENOSPC at each of $points points (and killed after $early): no article lost"; else
	fail "ENOSPC at each of $points points (and killed after $early): no article lost" "lost:$lost"; fi
if [ -z "$twice" ]; then pass "ENOSPC at each of $points points (and killed after $early): no article in two digests"; else
	fail "ENOSPC at each of $points points (and killed after $early): no article in two digests" "twice: $twice"; fi
if [ -z "$bad_status" ]; then pass "ENOSPC at each point: --once exits 75 while something is left, 0 only when done"; else
	fail "ENOSPC at each point: --once exits 75 while something is left, 0 only when done" "$bad_status"; fi
if [ "$repushed" -eq 0 ]; then pass "ENOSPC at each point: no digest pushed twice"; else
	fail "ENOSPC at each point: no digest pushed twice" "$(grep "duplicate id=" "$TMP/sink.log")"; fi
