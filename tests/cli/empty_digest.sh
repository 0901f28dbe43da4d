#!/bin/sh
# SPDX-License-Identifier: MIT
# A digest without articles (problems alone) and two endpoints ([endpoint]
# and [endpoint b], each a digest-sink), the write of b's copy failing
# (ENOSPC from tests/fault/enospc.c, at the call found by counting a first
# run from the same state), then a restart (the next `run --once`): the
# first endpoint, which had it, does not get the same problems again under
# a new id, and b gets it under the first id (docs/daemon.md, "The pending
# list"); the same when the first endpoint's mark cannot be saved (its copy
# waits unpushed), when digestd is killed after the last copy, before
# the problem is marked as told, and when it is killed at the last copy's
# mark (the restart finds the copy there already, writes nothing, and must
# still mark the problem as told). Then the same with the feed recovered by the restart:
# nothing left to say, b gets nothing and nothing stays behind. A damaged
# empty-digest file is one warning naming it, not a crash. Last, the
# running daemon with b's outbox full (the shim): a reload that removes b
# ends the digest (the first endpoint does not get it again), one that
# puts [endpoint c] in b's place sends it to c under the same id.
. tests/cli/lib.sh
. tests/cli/daemon.lib

need_shim "empty_digest: a failed write"
mkdir -p "$TMP/articles" "$TMP/feeds" "$TMP/b"
start_sink 0 || exit 1
start_feeds "$TMP/feeds" || exit 1
start_b || exit 1
FEED_URL="https://localhost:$FEED_PORT/feeds/gone.xml" write_config "$TMP/w.ini" \
	"[endpoint b]" "url = https://localhost:$B_PORT/digest" "ca_file = $TMP/tls/cert.pem" \
	"signing_key_file = $TMP/key" "retry_base = 1s" "retry_max = 2s"
# Backoff of 1 s, so that a run a second later polls the feed again.
sed -e "s|^log_level = .*|&\nproblem_after = 1|" \
	-e 's|^min_host_delay = 0s|&\nbackoff_base = 1s\nbackoff_max = 1s|' "$TMP/w.ini" >"$TMP/d.ini"

ids() {
	find "$1" -name '*.json' 2>/dev/null | sed 's|.*/||; s|\.json$||' | sort
}
# problems DIR: the sources listed under "problems" in each digest in DIR.
problems() {
	python3 -c 'import glob,json,sys
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    print(" ".join(p["source"] for p in json.load(open(f)).get("problems", [])))' "$1"
}
fresh() {
	rm -rf "$TMP/state"
	mkdir -m 700 "$TMP/state" # the shim counts in a folder that exists
	find "$TMP/store" "$TMP/b/store" -name '*.json' -exec rm -f {} + 2>/dev/null
}

# The counting run: the first call on b's outbox is its copy's file.
fresh
once count DIGESTD_FAULT_LOG="$TMP/points"
at=$(grep -m 1 ' create /outbox/b/' "$TMP/points" | cut -d' ' -f1)
if [ -n "$at" ] && [ "$(problems "$TMP/store")" = feed ] && [ "$(problems "$TMP/b/store")" = feed ]; then
	pass "counting run: each endpoint gets the feed's problem"; else
	fail "counting run: each endpoint gets the feed's problem" "point '$at'" \
		"first: $(problems "$TMP/store"), b: $(problems "$TMP/b/store")" "$(tail -n 5 "$TMP/count.log")"; fi

# crash_run TAG: from a fresh state, a run whose write of b's copy fails.
crash_run() {
	fresh
	once "fault-$1" DIGESTD_FAULT_AT="$at"
	if [ "$RC" -eq 75 ] && [ "$(stored)" -eq 1 ] && [ -z "$(ids "$TMP/b/store")" ] &&
		grep -q "^  *[0-9]* FAULT\|digest .* not composed" "$TMP/fault-$1.log"; then
		pass "$1: b's copy not written: exit 75, the first endpoint got it"; else
		fail "$1: b's copy not written: exit 75, the first endpoint got it" "exit $RC" \
			"first $(stored), b $(ids "$TMP/b/store")" "$(tail -n 5 "$TMP/fault-$1.log")"; fi
}

crash_run "problems unchanged"
once restart
ids "$TMP/store" >"$TMP/ids-a"
ids "$TMP/b/store" >"$TMP/ids-b"
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$TMP/ids-a")" -eq 1 ]; then
	pass "restart: the first endpoint does not get the same problems again"; else
	fail "restart: the first endpoint does not get the same problems again" "exit $RC" \
		"first: $(problems "$TMP/store" | tr '\n' '|') ids $(tr '\n' ' ' <"$TMP/ids-a")" \
		"$(tail -n 5 "$TMP/restart.log")"; fi
if [ "$(wc -l <"$TMP/ids-b")" -eq 1 ] && cmp -s "$TMP/ids-a" "$TMP/ids-b" &&
	[ "$(problems "$TMP/b/store")" = feed ]; then
	pass "restart: b gets it under the first id, listing the problem"; else
	fail "restart: b gets it under the first id, listing the problem" \
		"first $(tr '\n' ' ' <"$TMP/ids-a"), b $(tr '\n' ' ' <"$TMP/ids-b")" \
		"b: $(problems "$TMP/b/store")"; fi
if [ ! -e "$TMP/state/empty-digest" ] && [ "$(outbox_entries)" -eq 0 ]; then
	pass "restart: nothing left behind (no empty-digest file, outboxes empty)"; else
	fail "restart: nothing left behind (no empty-digest file, outboxes empty)" \
		"$(ls -A "$TMP/state")" "$(find "$TMP/state/outbox")"; fi

# The mark of the first endpoint cannot be saved (the second save of
# empty-digest, after phase one's): its copy is written but held back from
# the push, and the restart keeps it (already there) and sends it once.
mark=$(grep ' create /empty-digest.tmp' "$TMP/points" | sed -n 2p | cut -d' ' -f1)
fresh
once mark DIGESTD_FAULT_AT="$mark"
if [ -n "$mark" ] && [ "$RC" -eq 75 ] && [ "$(stored)" -eq 0 ] && [ -z "$(ids "$TMP/b/store")" ] &&
	[ "$(outbox_entries)" -eq 1 ]; then
	pass "first mark not saved: its copy waits in the outbox, not pushed"; else
	fail "first mark not saved: its copy waits in the outbox, not pushed" "point '$mark', exit $RC" \
		"first $(stored), b $(ids "$TMP/b/store")" "$(find "$TMP/state/outbox")" \
		"$(tail -n 5 "$TMP/mark.log")"; fi
once mark-restart
ids "$TMP/store" >"$TMP/ids-a"
ids "$TMP/b/store" >"$TMP/ids-b"
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$TMP/ids-a")" -eq 1 ] && cmp -s "$TMP/ids-a" "$TMP/ids-b" &&
	grep -q "is in .* already" "$TMP/mark-restart.log"; then
	pass "first mark not saved, restart: each endpoint gets it once, under one id"; else
	fail "first mark not saved, restart: each endpoint gets it once, under one id" "exit $RC" \
		"first $(tr '\n' ' ' <"$TMP/ids-a"), b $(tr '\n' ' ' <"$TMP/ids-b")" \
		"$(tail -n 5 "$TMP/mark-restart.log")"; fi

# killed_run TAG POINT CASE: from a fresh state, a run killed at the shim's
# call POINT (tests/fault/enospc.c's DIGESTD_FAULT_KILL_AT) leaves both
# copies in the outboxes and the empty-digest file in place; two restarts,
# the feed still failing, then give each endpoint the digest once, under
# one id, and leave no empty-digest file. CASE names the kill point.
killed_run() {
	fresh
	once "$1" DIGESTD_FAULT_KILL_AT="$2"
	if [ -n "$2" ] && [ "$RC" -gt 128 ] && [ "$(outbox_entries)" -eq 2 ] &&
		[ -e "$TMP/state/empty-digest" ]; then
		pass "$3: both copies in the outboxes"; else
		fail "$3: both copies in the outboxes" "point '$2', exit $RC" \
			"$(find "$TMP/state/outbox")" "$(tail -n 3 "$TMP/$1.log")"; fi
	once "$1-restart"
	sleep 1.1 # past the feed's backoff: polled again, still failing
	once "$1-later"
	ids "$TMP/store" >"$TMP/ids-a"
	ids "$TMP/b/store" >"$TMP/ids-b"
	if [ "$RC" -eq 0 ] && [ "$(wc -l <"$TMP/ids-a")" -eq 1 ] && cmp -s "$TMP/ids-a" "$TMP/ids-b" &&
		[ ! -e "$TMP/state/empty-digest" ]; then
		pass "$3, restarted twice: each endpoint got it once"; else
		fail "$3, restarted twice: each endpoint got it once" "exit $RC" \
			"first $(tr '\n' ' ' <"$TMP/ids-a"), b $(tr '\n' ' ' <"$TMP/ids-b")" \
			"$(tail -n 4 "$TMP/$1-restart.log")" "$(tail -n 4 "$TMP/$1-later.log")"; fi
}

# Killed after the last copy's mark, at the save that marks the problem as
# told: the restart finds every endpoint holding it, marks the problem
# then, and sends nothing again.
last=$(grep ' create /empty-digest.tmp' "$TMP/points" | sed -n 3p | cut -d' ' -f1)
told=$(awk -v l="$last" '$1 > l && $2 == "create" && $3 ~ /^\/source-/ { print $1; exit }' "$TMP/points")
killed_run killed "$told" "killed before the told mark"

# Killed at the save of b's mark (its copy written, the mark not saved):
# the restart finds b's copy there already (nothing written) and saves the
# mark; the problem is marked as told then, so a later run, the feed still
# failing, sends no second digest of the same problem.
killed_run killed-mark "$last" "killed at b's mark"

# The feed recovered by the restart (an empty one: no article): the
# problem is gone, send_empty is no, so nothing is said to b.
crash_run "feed recovered"
rss_feed "$TMP/feeds/gone.xml"
sleep 1.1
once recovered
if [ "$RC" -eq 0 ] && [ "$(stored)" -eq 1 ] && [ -z "$(ids "$TMP/b/store")" ] &&
	[ ! -e "$TMP/state/empty-digest" ] && [ "$(outbox_entries)" -eq 0 ]; then
	pass "recovered by the restart: nothing more is sent, nothing left behind"; else
	fail "recovered by the restart: nothing more is sent, nothing left behind" "exit $RC" \
		"first $(stored), b $(ids "$TMP/b/store")" "$(ls -A "$TMP/state")" \
		"$(tail -n 5 "$TMP/recovered.log")"; fi
rm -f "$TMP/feeds/gone.xml"

# A damaged file: one warning naming it; the digest goes to every endpoint.
fresh
printf 'not a digest id\n' >"$TMP/state/empty-digest"
once damaged
if [ "$RC" -eq 0 ] && [ "$(grep -c "$TMP/state/empty-digest: damaged" "$TMP/damaged.log")" -eq 1 ] &&
	[ "$(stored)" -eq 1 ] && [ "$(ids "$TMP/b/store" | wc -l)" -eq 1 ]; then
	pass "damaged empty-digest: one warning naming it, the digest sent to both"; else
	fail "damaged empty-digest: one warning naming it, the digest sent to both" "exit $RC" \
		"$(tail -n 5 "$TMP/damaged.log")"; fi

# ---- the running daemon, reloaded while b's copy cannot be written ----
sed '/^\[endpoint b\]/,$d' "$TMP/d.ini" >"$TMP/no-b.ini"
sed 's/^\[endpoint b\]/[endpoint c]/' "$TMP/d.ini" >"$TMP/c-for-b.ini"
touch "$TMP/full"
# reload_run TAG INI: from a fresh state, a `run --once` whose copy for b
# cannot be written (its outbox full), then the daemon, its digest due at
# once (last-digest two hours back), still failing to write it; then INI
# in place, SIGHUP, and WAIT_FOR in its log; stopped; a `run --once` on
# INI pushes what is left.
reload_run() {
	fresh
	once "pre-$1" DIGESTD_FAULT_FULL="$TMP/full" DIGESTD_FAULT_FULL_IN=/outbox/b/
	echo $(($(date +%s) - 7200)) >"$TMP/state/last-digest"
	cp "$TMP/d.ini" "$TMP/c.ini"
	start_shimmed "$TMP/reload-$1.log" DIGESTD_FAULT_FULL="$TMP/full" DIGESTD_FAULT_FULL_IN=/outbox/b/
	if [ "$RC" -eq 75 ] && [ "$(stored)" -eq 1 ] &&
		wait_grep "not composed.*No space left" "$TMP/reload-$1.log"; then
		cp "$2" "$TMP/c.ini"
		kill -HUP "$pid"
		wait_grep "$WAIT_FOR" "$TMP/reload-$1.log" || echo "no '$WAIT_FOR' in the log"
	else
		echo "the first run exited $RC, the first endpoint has $(stored), or b's copy never failed"
	fi
	kill -TERM "$pid"
	wait_gone "$pid"
	digestd run --once --config "$2" >"$TMP/after-$1.log" 2>&1
	RC=$?
}
WAIT_FOR="is done: every endpoint holds it" reload_run removed "$TMP/no-b.ini"
if [ "$RC" -eq 0 ] && [ "$(stored)" -eq 1 ] && [ -z "$(ids "$TMP/b/store")" ] &&
	[ ! -e "$TMP/state/empty-digest" ] && [ "$(outbox_entries)" -eq 0 ]; then
	pass "reload removing b: done, the first endpoint does not get it again"; else
	fail "reload removing b: done, the first endpoint does not get it again" "exit $RC" \
		"first $(stored), b $(ids "$TMP/b/store")" "$(ls -A "$TMP/state")" \
		"$(tail -n 5 "$TMP/reload-removed.log")"; fi
WAIT_FOR="to \[endpoint c\]: delivered" reload_run c "$TMP/c-for-b.ini"
ids "$TMP/store" >"$TMP/ids-a"
ids "$TMP/b/store" >"$TMP/ids-b"
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$TMP/ids-a")" -eq 1 ] && cmp -s "$TMP/ids-a" "$TMP/ids-b" &&
	[ "$(problems "$TMP/b/store")" = feed ] && [ ! -e "$TMP/state/empty-digest" ]; then
	pass "reload putting c in b's place: c gets it under the same id, the first not again"; else
	fail "reload putting c in b's place: c gets it under the same id, the first not again" \
		"exit $RC" "first $(tr '\n' ' ' <"$TMP/ids-a"), c $(tr '\n' ' ' <"$TMP/ids-b")" \
		"$(tail -n 5 "$TMP/reload-c.log")"; fi
