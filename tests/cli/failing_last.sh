#!/bin/sh
# SPDX-License-Identifier: MIT
# An endpoint whose last push failed takes its turns after the others'
# (docs/digest.md, "The push"). [endpoint], listed first, hangs (each push
# ends at its timeout); [endpoint b] answers. A first cycle leaves the first
# endpoint failing, its copy retried only an hour later; a daemon started
# then composes a second digest at once (last-digest long overdue), which
# must reach b before the first endpoint's attempt at it ends: the mark came
# from the endpoint's state file, the daemon being a new process. Then the
# mark in memory within one run: cleared by a delivered push, set by a
# failed one (a refusal, which leaves the walk going), each seen in the
# run's next pass. Judged by the order of log lines, never by time.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles"
start_sink 0 --mode hang || exit 1
start_b || exit 1
# The first endpoint: a short timeout (each of its pushes waits for it) and
# a retry an hour away, so that its first copy is not due in the daemon's
# passes and the push of the second digest is the one it holds.
PUSH_TIMEOUT=$((3 * SLOW))s RETRY_MAX=1h write_config "$TMP/d.ini" "" "[endpoint b]" \
	"url = https://localhost:$B_PORT/digest" "ca_file = $TMP/tls/cert.pem" \
	"signing_key_file = $TMP/key" "timeout = 30s" "retry_base = 2s" "retry_max = 4s"
sed 's/^retry_base = 1s$/retry_base = 1h/' "$TMP/d.ini" >"$TMP/d.tmp" && mv "$TMP/d.tmp" "$TMP/d.ini"
if [ "$(grep -c '^retry_base = 1h$' "$TMP/d.ini")" -ne 1 ]; then
	fail "config: the first endpoint retries after 1h" "$(cat "$TMP/d.ini")"
	exit 1
fi
# The same with a timeout no push waits for: the cycles in which the first
# endpoint must answer (or hold a push until SIGTERM) use it, so that a
# loaded machine or qemu, slow to shake hands, cannot turn an answer into a
# timeout.
sed "s/^timeout = $((3 * SLOW))s\$/timeout = $((120 * SLOW))s/" "$TMP/d.ini" >"$TMP/long.ini"
if [ "$(grep -c "^timeout = $((120 * SLOW))s\$" "$TMP/long.ini")" -ne 1 ]; then
	fail "config: the first endpoint's long timeout" "$(cat "$TMP/long.ini")"
	exit 1
fi

# daemon_digest NAME LOG: a new article NAME, then the daemon (pid), its
# stderr in LOG, composing a digest at once (last-digest long overdue);
# sets ID to it and waits for its push to each endpoint to end, the first
# endpoint's at its timeout, b's delivered. False when a line never came.
# The waits are wide (loop.sh says why); each ends as soon as its line is
# there.
daemon_digest() {
	new_article "$1"
	echo 1 >"$TMP/state/last-digest"
	$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$2" &
	pid=$!
	PIDS="$PIDS $pid"
	wait_until 60 grep -q "digest dg_[0-9A-Za-z_]* composed" "$2"
	ID=$(composed "$2")
	[ -n "$ID" ] && wait_grep "push $ID: timeout after" "$2" 60 &&
		wait_grep "push $ID to \[endpoint b\]: delivered" "$2" 60
}
# before FIRST SECOND LOG: LOG has a line with FIRST, and one with SECOND
# after it.
before() {
	[ -n "$(line_of "$1" "$3")" ] && [ -n "$(line_of "$2" "$3")" ] &&
		[ "$(line_of "$1" "$3")" -lt "$(line_of "$2" "$3")" ]
}

# ---- a first cycle: the first endpoint times out, b gets the digest ----
new_article first
expect_status "cycle 1: exit 75 (the hanging endpoint's copy waits)" 75 \
	digestd run --once --config "$TMP/d.ini"
cp "$TMP/err" "$TMP/once.log"
id1=$(composed "$TMP/once.log")
expect_grep "cycle 1: the first endpoint's push timed out" "push $id1: timeout after" "$TMP/once.log"
expect_grep "cycle 1: b got the digest" "push $id1 to \[endpoint b\]: delivered" "$TMP/once.log"

# ---- the daemon: a new digest reaches b before the hanging endpoint's try ends ----
if daemon_digest second "$TMP/run.log"; then
	if before "push $ID to \[endpoint b\]: delivered" "push $ID: timeout after" "$TMP/run.log"; then
		pass "after a restart: the new digest reached b before the failing endpoint's attempt ended"
	else
		fail "after a restart: the new digest reached b before the failing endpoint's attempt ended" \
			"$(grep "push $ID" "$TMP/run.log")"
	fi
	# Never starved: the first endpoint was tried in the same pass, and
	# both its copies wait for their retry time, none given up.
	if [ -n "$(find "$TMP/state/outbox" -maxdepth 1 -name "*-$id1.digest")" ] &&
		[ -n "$(find "$TMP/state/outbox" -maxdepth 1 -name "*-$ID.digest")" ]; then
		pass "the failing endpoint still got its push; both its copies wait for their retry"
	else
		fail "the failing endpoint still got its push; both its copies wait for their retry" \
			"$(ls "$TMP/state/outbox")"
	fi
else
	fail "after a restart: a second digest pushed to both endpoints" "$(tail -n 5 "$TMP/run.log")"
fi
kill -TERM $pid
wait_gone $pid 40

# ---- a delivered push clears the mark, in memory at once ----
# The first endpoint, marked failing by its state file, answers its two
# waiting copies in the cycle's first pass; the new digest, in the pass
# after the compose, goes to it first again, as listed.
stop_sink
start_sink "$PORT" || exit 1
new_article third
expect_status "the first endpoint answers: exit 0, its copies delivered" 0 \
	digestd run --once --config "$TMP/long.ini"
cp "$TMP/err" "$TMP/third.log"
id3=$(composed "$TMP/third.log")
if before "push $id3: delivered" "push $id3 to \[endpoint b\]: delivered" "$TMP/third.log"; then
	pass "cleared by a delivered push: the first endpoint goes first again, as listed"
else
	fail "cleared by a delivered push: the first endpoint goes first again, as listed" \
		"$(grep "push ${id3:-dg_}" "$TMP/third.log")"
fi

# ---- a failure marks it in memory, for the next pass of the same run ----
# A digest left in both outboxes with no answer recorded (SIGTERM while the
# first endpoint holds its push; a timeout long enough not to come first),
# then a cycle in which the first endpoint refuses everything (400: a dead
# letter, which does not end its walk): its first refusal, in the first
# pass, puts its push of the new digest after b's.
stop_sink
start_sink "$PORT" --mode hang || exit 1
held=$(grep -c "mode=hang: holding the answer" "$TMP/sink.log")
new_article fifth
$TEST_WRAPPER "$DIGESTD" run --once --config "$TMP/long.ini" 2>"$TMP/fifth.log" &
pid=$!
PIDS="$PIDS $pid"
if wait_count $((held + 1)) "mode=hang: holding the answer" "$TMP/sink.log" 60; then
	kill -TERM $pid
	wait_gone $pid 40
else
	fail "SIGTERM while the first endpoint holds a push: the push started" "$(tail -n 3 "$TMP/fifth.log")"
fi
id5=$(composed "$TMP/fifth.log")
stop_sink
start_sink "$PORT" --mode reject400 || exit 1
new_article sixth
expect_status "the first endpoint refuses: exit 69" 69 digestd run --once --config "$TMP/long.ini"
cp "$TMP/err" "$TMP/sixth.log"
id6=$(composed "$TMP/sixth.log")
if [ -n "$id5" ] && before "push $id5: refused" "push $id5 to \[endpoint b\]: delivered" "$TMP/sixth.log"; then
	pass "no failure recorded: the first endpoint goes first, as listed"
else
	fail "no failure recorded: the first endpoint goes first, as listed" \
		"$(grep "push ${id5:-dg_}" "$TMP/sixth.log")"
fi
if [ -n "$id6" ] && before "push $id6 to \[endpoint b\]: delivered" "push $id6: refused" "$TMP/sixth.log"; then
	pass "a refusal in the run's first pass: its next pass serves b first"
else
	fail "a refusal in the run's first pass: its next pass serves b first" \
		"$(grep "push ${id6:-dg_}" "$TMP/sixth.log")"
fi
