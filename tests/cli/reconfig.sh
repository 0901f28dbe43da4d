#!/bin/sh
# SPDX-License-Identifier: MIT
# What happens to the state when the configuration changes between runs or
# across a reload (docs/daemon.md, "Changing the configuration"): digests
# waiting in an outbox, articles waiting in the pending list, the sources'
# state files. Against digest-sink and tests/cli/fake_service.py.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles"
start_sink 0 || exit 1
TOKEN=tok123abc
(umask 077 && printf '%s\n' "$TOKEN" >"$TMP/token")
rm -f "$TMP/f.ready"
: >"$TMP/f.log"
python3 tests/cli/fake_service.py --kind ntfy --cert "$TMP/tls/cert.pem" --key "$TMP/tls/key.pem" \
	--ready "$TMP/f.ready" --log "$TMP/f.log" --token "$TOKEN" 2>>"$TMP/f.err" &
PIDS="$PIDS $!"
wait_grep . "$TMP/f.ready" 20 || { echo "fake ntfy did not start"; exit 1; }
F_PORT=$(cat "$TMP/f.ready")
EP_TAIL="ca_file = $TMP/tls/cert.pem
retry_base = 1s
retry_max = 2s"

# 1. [endpoint hook] changes kind (webhook to ntfy) while its outbox holds a
# digest rendered for the webhook: sent, it would reach ntfy as the
# webhook's JSON. It goes to dead/hook/ with the reason, and --once says 69.
new_article k1
new_article k2
write_config "$TMP/c.ini" "[endpoint hook]" "url = https://localhost:1/x" \
	"signing_key_file = $TMP/key" "$EP_TAIL"
digestd run --once --config "$TMP/c.ini" 2>"$TMP/k1.log"
write_config "$TMP/c.ini" "[endpoint hook]" "kind = ntfy" "url = https://localhost:$F_PORT/digests" \
	"token_file = $TMP/token" "$EP_TAIL"
expect_status "kind changed: --once exits 69 (a digest moved to dead/)" 69 \
	digestd run --once --config "$TMP/c.ini"
cp "$TMP/err" "$TMP/k2.log"
if [ ! -s "$TMP/f.log" ] && [ "$(find "$TMP/state/dead/hook" -name '*.digest' | wc -l)" -eq 1 ] &&
	[ "$(find "$TMP/state/outbox/hook" -name '*.digest' | wc -l)" -eq 0 ]; then
	pass "kind changed: the webhook's entry not sent to ntfy, moved to dead/hook/"
else
	fail "kind changed: the webhook's entry not sent to ntfy, moved to dead/hook/" \
		"ntfy got: $(head -c 200 "$TMP/f.log")" "$(find "$TMP/state" -name '*.digest')"
fi
expect_grep "kind changed: the log names both kinds" \
	"rendered for kind = webhook; \[endpoint hook\] is now kind = ntfy" "$TMP/k2.log"
if grep -q "rendered for kind = webhook" "$TMP"/state/dead/hook/*.reason 2>/dev/null; then
	pass "kind changed: the reason file says why"
else
	fail "kind changed: the reason file says why" "$(cat "$TMP"/state/dead/hook/*.reason 2>&1)"
fi
# The next digest is rendered for ntfy and delivered.
new_article k3
expect_status "kind changed: the next digest goes out as ntfy's" 0 \
	digestd run --once --config "$TMP/c.ini"
if [ "$(grep -c '"status": 200' "$TMP/f.log")" -ge 1 ] && ! grep -q '"schema' "$TMP/f.log"; then
	pass "kind changed: ntfy got a message, never the webhook's JSON"
else
	fail "kind changed: ntfy got a message, never the webhook's JSON" "$(head -c 300 "$TMP/f.log")"
fi

# 1b. The move to dead/ of such an entry fails (tests/fault/enospc.c
# refuses it while $TMP/no-move exists, as on a disk gone read-only): the
# pass retries it after retry_base (1 s), as after any failure, and once
# the disk takes it the entry is in dead/hook/ with one reason file. It was
# tried again only when something else started a pass (here: never, the
# schedule 1h), and the failed move left a reason file behind (the retry
# then wrote NAME.1). Then a damaged entry, whose failed move was already
# retried: no reason file left behind either. In both, the log said "moved
# to dead/" before the "cannot move" line: it says the entry is kept.
SHIM=$BUILD/tests/libenospc.so
if [ "${TEST_LIBC:-glibc}" = musl ] || [ ! -f "$SHIM" ]; then
	echo "SKIP: reconfig: move to dead/ refused: no fault shim on this build"
else
	SHIM=$(cd "$(dirname "$SHIM")" && pwd)/libenospc.so
	write_config "$TMP/c.ini" "[endpoint hook]" "url = https://localhost:1/x" \
		"signing_key_file = $TMP/key" "$EP_TAIL"
	new_article k4
	digestd run --once --config "$TMP/c.ini" 2>"$TMP/k4.log"
	write_config "$TMP/c.ini" "[endpoint hook]" "kind = ntfy" \
		"url = https://localhost:$F_PORT/digests" "token_file = $TMP/token" "$EP_TAIL"
	sent=$(grep -c '"status": 200' "$TMP/f.log")
	: >"$TMP/no-move"
	start_shimmed "$TMP/move.log" DIGESTD_FAULT_NO_MOVE="$TMP/no-move"
	# in_hook DIR PATTERN: how many of DIR/hook's files match PATTERN.
	in_hook() { ls "$TMP/state/$1/hook" | grep -c -- "$2"; }
	# refused_then_moved NAME ENTRY OUTBOX DEAD REASONS: with the move of
	# outbox/hook/ENTRY refused, OUTBOX entries stay and no reason file is
	# added; once it is taken, DEAD entries and REASONS reason files in
	# dead/hook/, the outbox empty.
	refused_then_moved() {
		what=$1 stay=$3 want=$4 reasons=$5
		wait_grep "outbox/hook/$2: cannot move to dead/hook/" "$TMP/move.log" 40
		if [ "$(in_hook outbox '\.digest$')" -eq "$stay" ] &&
			[ "$(in_hook dead '\.reason$')" -eq $((reasons - stay)) ]; then
			pass "$what: refused: the entry stays, no reason file left for it"
		else
			fail "$what: refused: the entry stays, no reason file left for it" \
				"$(ls "$TMP/state/outbox/hook" "$TMP/state/dead/hook")"
		fi
		# The log says what happened: the entry kept, its move tried
		# again; "moved" only once it is moved, on one line.
		if wait_grep "outbox/hook/$2: .*kept in outbox/hook/, its move to dead/hook/ tried again" \
			"$TMP/move.log" 10 && ! grep -q "outbox/hook/$2: .*moved to dead/hook/" "$TMP/move.log"; then
			pass "$what: refused: the log says the entry is kept, never that it moved"
		else
			fail "$what: refused: the log says the entry is kept, never that it moved" \
				"$(grep -- "$2" "$TMP/move.log" | head -n 4)"
		fi
		rm -f "$TMP/no-move"
		if wait_grep "outbox/hook/$2: .*moved to dead/hook/" "$TMP/move.log" 30 &&
			[ "$(grep -c "outbox/hook/$2: .*moved to dead/hook/" "$TMP/move.log")" -eq 1 ]; then
			pass "$what: taken: the log says moved, once"
		else
			fail "$what: taken: the log says moved, once" \
				"$(grep -- "$2" "$TMP/move.log" | tail -n 4)"
		fi
		moved() { [ "$(in_hook dead '\.digest$')" -eq "$want" ]; }
		wait_until 30 moved
		if moved && [ "$(in_hook outbox '\.digest$')" -eq 0 ] &&
			[ "$(in_hook dead '\.reason$')" -eq "$reasons" ] &&
			[ "$(grep -c '"status": 200' "$TMP/f.log")" -eq "$sent" ]; then
			pass "$what: then taken: retried after retry_base, moved once, not sent"
		else
			fail "$what: then taken: retried after retry_base, moved once, not sent" \
				"$(ls "$TMP/state/outbox/hook" "$TMP/state/dead/hook")" \
				"$(tail -n 5 "$TMP/move.log")"
		fi
	}
	refused_then_moved "kind changed, move to dead/" "$(ls "$TMP/state/outbox/hook")" 1 2 2
	: >"$TMP/no-move"
	bad=00000000000000000009-dg_00000000000000000000000000000009.digest
	printf 'not an entry\n' >"$TMP/state/outbox/hook/$bad"
	kill -HUP $pid
	refused_then_moved "damaged, move to dead/" "$bad" 1 3 3
	kill -TERM $pid
	wait_gone $pid 40
fi

# 2. A source keeps its name, its url changes to another feed. Its state
# file was the other feed's: its validators went to the new URL (a server
# may answer 304 to them: the new feed unread), and as the source had been
# polled, the new feed's whole backlog went into the next digest. Now it is
# a new source: no validators, `backlog` entries, the rest marked seen.
mkdir -p "$TMP/feeds"
start_feeds "$TMP/feeds" || exit 1
set --
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do set -- "$@" "b$i"; done
rss_feed "$TMP/feeds/b.xml" "$@"
set --
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do set -- "$@" "c$i"; done
rss_feed "$TMP/feeds/c.xml" "$@"
rm -rf "$TMP/state" "$TMP/articles"/*
FEED_URL="https://localhost:$FEED_PORT/feeds/b.xml" write_config "$TMP/c.ini"
digestd run --once --config "$TMP/c.ini" 2>"$TMP/u1.log"
FEED_URL="https://localhost:$FEED_PORT/feeds/c.xml" write_config "$TMP/c.ini"
expect_status "url changed: --once" 0 digestd run --once --config "$TMP/c.ini"
cp "$TMP/err" "$TMP/u2.log"
got=$(titles | grep -c '^Story c')
if [ "$got" -eq 5 ]; then pass "url changed: the new feed's first poll takes backlog (5) entries"; else
	fail "url changed: the new feed's first poll takes backlog (5) entries" "took $got" \
		"$(tail -n 4 "$TMP/u2.log")"
fi
if grep '/feeds/c.xml' "$TMP/feeds.log" | head -n 1 | grep -q '/feeds/c.xml	-	-	'; then
	pass "url changed: the other feed's validators not sent to the new URL"
else
	fail "url changed: the other feed's validators not sent to the new URL" \
		"$(grep '/feeds/c.xml' "$TMP/feeds.log" | head -n 1)"
fi
expect_grep "url changed: said in the log" "source feed: its url changed: polled as a new source" \
	"$TMP/u2.log"
# The same feed at a new address (http to https, a move): its entries seen
# before say so, and every new entry is taken, none marked seen unread.
set --
for i in 13 14 15 16 17 18 19 20; do set -- "$@" "c$i"; done
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do set -- "$@" "c$i"; done
rss_feed "$TMP/feeds/c2.xml" "$@"
FEED_URL="https://localhost:$FEED_PORT/feeds/c2.xml" write_config "$TMP/c.ini"
expect_status "same feed moved: --once" 0 digestd run --once --config "$TMP/c.ini"
got=$(titles | grep -c '^Story c')
if [ "$got" -eq 13 ] && grep -q "and every entry newer than one seen before" "$TMP/err"; then
	pass "same feed moved: its 8 new entries taken, none marked seen unread"
else
	fail "same feed moved: its 8 new entries taken, none marked seen unread" \
		"c stories delivered: $got (want 5 + 8)" "$(tail -n 4 "$TMP/err")"
fi

# A source renamed, its url kept: a new name has no state, so its poll is a
# first poll; its 8 entries newer than those seen before are all taken, not
# `backlog` of them with the other 3 marked seen unread.
set --
for i in 21 22 23 24 25 26 27 28; do set -- "$@" "c$i"; done
for i in 13 14 15 16 17 18 19 20 1 2 3 4; do set -- "$@" "c$i"; done
rss_feed "$TMP/feeds/c2.xml" "$@"
FEED_URL="https://localhost:$FEED_PORT/feeds/c2.xml" write_config "$TMP/c.tmp"
sed 's/^\[source feed\]$/[source renamed]/' "$TMP/c.tmp" >"$TMP/c.ini"
expect_status "source renamed: --once" 0 digestd run --once --config "$TMP/c.ini"
got=$(titles | grep -c '^Story c')
if [ "$got" -eq 21 ]; then
	pass "source renamed: its 8 new entries taken, none marked seen unread"
else
	fail "source renamed: its 8 new entries taken, none marked seen unread" \
		"c stories delivered: $got (want 13 + 8)" "$(tail -n 4 "$TMP/err")"
fi

# 3. The same across a reload, the source backing off (its URL refused, an
# hour's backoff): the new URL is polled at once, not after the other's
# backoff.
rm -rf "$TMP/state"
: >"$TMP/feeds.log"
# backoff_ini URL: the config with the feed at URL and an hour's backoff.
backoff_ini() {
	FEED_URL=$1 write_config "$TMP/c.tmp"
	sed 's/^\[http\]$/[http]\nbackoff_base = 1h/' "$TMP/c.tmp" >"$TMP/c.ini"
}
backoff_ini "https://localhost:1/feeds/none.xml"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/c.ini" 2>"$TMP/d3.log" &
pid=$!
PIDS="$PIDS $pid"
if wait_grep "source feed: .*backing off\|source feed: .*refused\|source feed:.*failed" "$TMP/d3.log" 30; then
	backoff_ini "https://localhost:$FEED_PORT/feeds/c.xml"
	kill -HUP $pid
	if wait_grep "/feeds/c.xml" "$TMP/feeds.log" 30; then
		pass "url changed by a reload: the new URL polled at once, not after the hour's backoff"
	else
		fail "url changed by a reload: the new URL polled at once, not after the hour's backoff" \
			"$(tail -n 5 "$TMP/d3.log")"
	fi
else
	fail "url changed by a reload: the refused URL failed" "$(tail -n 5 "$TMP/d3.log")"
fi
kill $pid 2>/dev/null
wait $pid 2>/dev/null

# 4. [endpoint two] removed while its outbox holds a digest: kept, and said
# at start-up and at a reload (one line naming the folder); configured
# again later, it gets the digest then.
rm -rf "$TMP/state" "$TMP/articles"/*
new_article r1
TWO_DOWN="url = https://localhost:1/two"
write_config "$TMP/c.ini" "[endpoint two]" "$TWO_DOWN" "signing_key_file = $TMP/key" "$EP_TAIL"
digestd run --once --config "$TMP/c.ini" 2>"$TMP/r1.log"
write_config "$TMP/c.ini"
expect_status "endpoint removed: --once" 0 digestd run --once --config "$TMP/c.ini"
expect_grep "endpoint removed: said at start-up" \
	"outbox/two: 1 digest waits for \[endpoint two\], which is not configured" "$TMP/err"
if [ "$(find "$TMP/state/outbox/two" -name '*.digest' | wc -l)" -eq 1 ]; then
	pass "endpoint removed: its digest kept"
else
	fail "endpoint removed: its digest kept" "$(find "$TMP/state" -name '*.digest')"
fi
digestd status --format json --config "$TMP/c.ini" >"$TMP/status.json" 2>"$TMP/status.err"
if python3 - "$TMP/status.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["unclaimed"] == [{"outbox": "outbox/two", "endpoint": "two", "waiting": 1}], s["unclaimed"]
assert [e["name"] for e in s["endpoints"]] == ["default"]
PYEOF
then pass "endpoint removed: status --json lists outbox/two as unclaimed"; else
	fail "endpoint removed: status --json lists outbox/two as unclaimed" "$(cat "$TMP/status.err")"
fi
digestd status --config "$TMP/c.ini" >"$TMP/status.txt" 2>&1
expect_grep "endpoint removed: status says so" \
	"outbox/two: for \[endpoint two\], which is not configured" "$TMP/status.txt"
write_config "$TMP/c.ini" "[endpoint two]" "$TWO_DOWN" "signing_key_file = $TMP/key" "$EP_TAIL"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/c.ini" 2>"$TMP/d4.log" &
pid=$!
PIDS="$PIDS $pid"
wait_grep "digestd started" "$TMP/d4.log"
write_config "$TMP/c.ini"
kill -HUP $pid
if wait_grep "reloaded" "$TMP/d4.log" && grep -q "outbox/two: 1 digest waits" "$TMP/d4.log"; then
	pass "endpoint removed by a reload: said"
else
	fail "endpoint removed by a reload: said" "$(tail -n 4 "$TMP/d4.log")"
fi
# The ini swapped for a FIFO no one writes: the reload must not wait on it
# (the loop would stop); it is refused, and the daemon goes on.
mv "$TMP/c.ini" "$TMP/c.ini.file"
mkfifo "$TMP/c.ini"
kill -HUP $pid
if wait_grep "reload failed" "$TMP/d4.log" && grep -q "$TMP/c.ini: not a regular file" "$TMP/d4.log" &&
	kill -USR1 $pid && wait_grep "status:" "$TMP/d4.log"; then
	pass "the ini a FIFO at reload: refused in one line, the loop goes on"
else
	fail "the ini a FIFO at reload: refused in one line, the loop goes on" "$(tail -n 4 "$TMP/d4.log")"
fi
rm -f "$TMP/c.ini"
mv "$TMP/c.ini.file" "$TMP/c.ini"
kill $pid 2>/dev/null
wait $pid 2>/dev/null
write_config "$TMP/c.ini" "[endpoint two]" "url = https://localhost:$PORT/digest" \
	"signing_key_file = $TMP/key" "$EP_TAIL"
expect_status "endpoint configured again: --once" 0 digestd run --once --config "$TMP/c.ini"
# (The sink keeps one copy of a webhook-id: the plain [endpoint] took it.)
if grep -q "to \[endpoint two\]: delivered" "$TMP/err" && ! grep -q "not configured" "$TMP/err" &&
	[ "$(find "$TMP/state/outbox/two" -name '*.digest' | wc -l)" -eq 0 ]; then
	pass "endpoint configured again: the digest kept for it delivered"
else
	fail "endpoint configured again: the digest kept for it delivered" "$(tail -n 4 "$TMP/err")"
fi

# 5. SIGHUP storms: 100 reloads while the sources are polled, 100 while the
# digest's push hangs (the sink holds its first answer): every reload done,
# the daemon still up, the digest delivered once, each article in it once.
stop_sink
start_sink "$PORT" --mode hang:1 || exit 1
rm -rf "$TMP/state" "$TMP/articles"/*
for i in 1 2 3 4 5 6 7 8 9 10; do new_article "h$i"; done
set --
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do set -- "$@" "g$i"; done
rss_feed "$TMP/feeds/g.xml" "$@"
before=$(stored)
FEED_URL="https://localhost:$FEED_PORT/feeds/g.xml" SCHEDULE=1m write_config "$TMP/c.ini"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/c.ini" 2>"$TMP/d5.log" &
pid=$!
PIDS="$PIDS $pid"
wait_grep "digestd started" "$TMP/d5.log"
# storm N: N SIGHUPs, 10 ms apart.
storm() {
	n=0
	while [ $n -lt "$1" ]; do
		kill -HUP $pid
		n=$((n + 1))
		sleep 0.01
	done
}
storm 100
wait_grep "composed" "$TMP/d5.log" 120
storm 100
wait_grep ": delivered" "$TMP/d5.log" 120
kill -USR1 $pid
wait_grep "status:" "$TMP/d5.log"
reloads=$(grep -c "^.* reloaded " "$TMP/d5.log")
if alive $pid && [ "$reloads" -ge 2 ] && ! grep -q "reload failed" "$TMP/d5.log"; then
	pass "SIGHUP storms: $reloads reloads for 200 signals, none failed, still running"
else
	fail "SIGHUP storms: reloaded, still running" "$(tail -n 4 "$TMP/d5.log")"
fi
kill -TERM $pid
wait_gone $pid 40
titles | grep -E '^Story (h|g)[0-9]+$' | sort >"$TMP/storm.titles"
if [ "$(stored)" -eq $((before + 1)) ] && [ "$(wc -l <"$TMP/storm.titles")" -eq 15 ] &&
	[ "$(sort -u "$TMP/storm.titles" | wc -l)" -eq 15 ] && [ "$(outbox_entries)" -eq 0 ]; then
	pass "SIGHUP storms: one digest, its 15 articles once each, the outbox empty"
else
	fail "SIGHUP storms: one digest, its 15 articles once each, the outbox empty" \
		"stored $before -> $(stored), $(wc -l <"$TMP/storm.titles") titles, outbox $(outbox_entries)"
fi
