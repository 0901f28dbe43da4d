#!/bin/sh
# SPDX-License-Identifier: MIT
# An interval schedule survives restarts: the daemon counts from the last
# digest it composed (kept in the state folder), not from its own start, so
# a board that reboots more often than the interval still gets digests, and
# one restarted right after a digest does not send another at once.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles" "$TMP/state"
cp seeds/001_*.txt "$TMP/articles/"
start_sink 0 || exit 1
SCHEDULE=1h write_config "$TMP/s.ini"

# The last digest went out an hour ago, less 3 seconds.
echo $(($(date +%s) - 3600 + 3)) >"$TMP/state/last-digest"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/s.ini" >"$TMP/d1.log" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
if wait_count 1 "received id=" "$TMP/sink.log" 40; then
	pass "1h schedule, last digest 59m57s ago: a digest within seconds of start"
else
	fail "1h schedule, last digest 59m57s ago: a digest within seconds of start" \
		"$(tail -n 5 "$TMP/d1.log")"
fi
t=$(cat "$TMP/state/last-digest" 2>/dev/null || echo 0)
if [ $(($(date +%s) - t)) -lt $((60 * SLOW)) ]; then
	pass "the time of the new digest is saved"
else
	fail "the time of the new digest is saved" "last-digest: $t"
fi
kill -TERM "$pid"
wait_gone "$pid" 40

# Restarted right after it, with a new article: nothing due for an hour.
sed 's/^Title: .*/Title: A later story/' seeds/002_*.txt >"$TMP/articles/later.txt"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/s.ini" >"$TMP/d2.log" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
wait_grep "new articles" "$TMP/d2.log" 20
sleep $((3 * SLOW))
if [ "$(stored)" -eq 1 ]; then
	pass "restarted just after a digest: the next one waits for the interval"
else
	fail "restarted just after a digest: the next one waits for the interval" \
		"stored $(stored)"
fi
kill -TERM "$pid"
wait_gone "$pid" 40

# A damaged file: a warning, and the schedule starts from now.
echo "not a time" >"$TMP/state/last-digest"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/s.ini" >"$TMP/d3.log" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
wait_grep "started" "$TMP/d3.log" 20
expect_grep "a damaged last-digest file is named in a warning" "last-digest: not a time" \
	"$TMP/d3.log"
kill -TERM "$pid"
wait_gone "$pid" 40

# A last-digest that cannot be saved (a folder where its temporary file
# goes, which unlink cannot remove): one warning naming it, counted in the
# metrics, and the daemon goes on with the time it holds.
echo $(($(date +%s) - 3600 + 3)) >"$TMP/state/last-digest"
mkdir -p "$TMP/state/last-digest.tmp/x" "$TMP/prom"
sed "s|^log_level = .*|&\nmetrics_file = $TMP/prom/digestd.prom|" "$TMP/s.ini" >"$TMP/m.ini"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/m.ini" >"$TMP/d4.log" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
wait_count 2 "received id=" "$TMP/sink.log" 40
wait_grep "^digestd_state_save_failures_total 1$" "$TMP/prom/digestd.prom" 20
if [ "$(grep -c "$TMP/state/last-digest: cannot save: " "$TMP/d4.log")" -eq 1 ] &&
	grep -q "^digestd_state_save_failures_total 1$" "$TMP/prom/digestd.prom"; then
	pass "last-digest not saved: one warning naming the file, counted"
else
	fail "last-digest not saved: one warning naming the file, counted" \
		"$(grep -c "received id=" "$TMP/sink.log") received" "$(grep state_save "$TMP/prom/digestd.prom")" \
		"$(tail -n 4 "$TMP/d4.log")"
fi
kill -TERM "$pid"
wait_gone "$pid" 40
