#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd status` (issue 13): per source, per endpoint, the seen-set and the
# schedule, in text and JSON; read while a daemon runs (no lock taken), the
# state folder byte-identical afterwards; planted FIFOs, links and garbage
# reported, never waited on or followed.
. tests/cli/lib.sh
. tests/cli/daemon.lib

# status ARGS...: digestd status bounded by a timeout (a FIFO must not
# block it); stdout in $TMP/out, stderr in $TMP/err, status in RC.
status() {
	timeout -k 5 $((20 * SLOW)) $TEST_WRAPPER "$DIGESTD" status "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}

# snapshot FILE: every file of the state folder with its type, mode, size
# and checksum, so that any change shows.
snapshot() {
	(cd "$TMP/state" && find . -printf '%p %y %m %s %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort) >"$1"
}

# json_get EXPR: a value of the last JSON output (Python expression on j).
json_get() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$TMP/out" "$1" 2>>"$TMP/err"
}

mkdir -p "$TMP/articles" "$TMP/feeds"
cp seeds/001_*.txt "$TMP/articles/"
start_sink 0 --mode fail500 || exit 1
start_feeds "$TMP/feeds" || exit 1
GROUP=yes FEED_URL="https://localhost:$FEED_PORT/feeds/gone.xml?token=s3cret" write_config "$TMP/d.ini"

status --config "$TMP/d.ini"
if [ "$RC" -eq 0 ] && grep -q "not made yet" "$TMP/out"; then
	pass "status before any run: exit 0, no state yet"; else
	fail "status before any run: exit 0, no state yet" "exit $RC" "$(cat "$TMP/err")"; fi
if [ ! -e "$TMP/state" ]; then pass "status makes no state folder"; else
	fail "status makes no state folder"; fi

# One cycle: the feed answers 404, the sink 500: a digest waits.
digestd run --once --config "$TMP/d.ini" >/dev/null 2>&1
snapshot "$TMP/before"
status --config "$TMP/d.ini"
check_text() {
	expect_grep "text: $1" "$2" "$TMP/out"
}
[ "$RC" -eq 0 ] && pass "status: exit 0" || fail "status: exit 0" "exit $RC" "$(cat "$TMP/err")"
check_text "the feed's last HTTP status" "last HTTP status: 404" 
check_text "its error" "last error: HTTP status 404"
check_text "its failures" "consecutive failures: 1"
check_text "a digest waiting" "digests waiting: 1"
check_text "the endpoint's last answer" "last HTTP status: 500"
# One article delivered with text: its URL key and its text key.
check_text "the seen-set's fill" "keys remembered: 2"
check_text "the story window's fill" "stories remembered: 1"
check_text "no digestd runs after --once" "digestd not running"
if grep -q s3cret "$TMP/out"; then fail "the feed's URL is redacted" "$(grep s3cret "$TMP/out")"; else
	pass "the feed's URL is redacted"; fi
# Each source's and endpoint's state file path, as the daemon's warnings
# name it: a source-HASH.state mapped to its name.
feed_st=$(grep -l '^name feed$' "$TMP/state"/source-*.state)
arts_st=$(grep -l '^name articles$' "$TMP/state"/source-*.state)
ep_st=$(grep -l '^name endpoint:default$' "$TMP/state"/source-*.state)
check_text "the feed's state file path" "^  state file path: $feed_st$"
check_text "the folder source's state file path" "^  state file path: $arts_st$"
check_text "the endpoint's state file path" "^  answer state file path: $ep_st$"

status --config "$TMP/d.ini" --format json
[ "$RC" -eq 0 ] && pass "json: exit 0" || fail "json: exit 0" "exit $RC"
check_json() {
	got=$(json_get "$2")
	if [ "$got" = "$3" ]; then pass "json: $1"; else fail "json: $1" "got '$got', want '$3'" "$(cat "$TMP/err")"; fi
}
check_json "schema" 'j["schema"]' "digestd.status/1"
check_json "feed status" '[s for s in j["sources"] if s["name"]=="feed"][0]["status"]' 404
check_json "feed failures" '[s for s in j["sources"] if s["name"]=="feed"][0]["failures"]' 1
# A folder source keeps its state too: its poll, its articles.
check_json "folder source: state, last poll, items" '[(s["state"], s["last_poll"] is not None, s["last_success"] == s["last_poll"], s["failures"], s["items"]) for s in j["sources"] if s["name"]=="articles"][0]' "('ok', True, True, 0, 1)"
# --once schedules nothing: no next poll, no next digest, none stale.
check_json "after --once: no next poll recorded" '[(s["next_poll"], s["next_poll_stale"]) for s in j["sources"]]' "[(None, False), (None, False)]"
check_json "after --once: no next digest recorded" '(j["digest"]["next"], j["digest"]["next_stale"], j["running"])' "(None, False, False)"
check_json "endpoint waiting" 'j["endpoints"][0]["waiting"]' 1
check_json "each source's state_file" '[s["state_file"] for s in j["sources"]]' \
	"['$arts_st', '$feed_st']"
check_json "the endpoint's state_file" 'j["endpoints"][0]["state_file"]' "$ep_st"
# The plain endpoint's file name is the same everywhere (the hash of
# endpoint:default): docs/status.md's example shows that one.
if grep -qF "\"state_file\":\"/var/lib/digestd/$(basename "$ep_st")\"" docs/status.md; then
	pass "docs/status.md: the example's endpoint state_file is the plain endpoint's"; else
	fail "docs/status.md: the example's endpoint state_file is the plain endpoint's" \
		"want $(basename "$ep_st") in:" "$(grep -F state_file docs/status.md)"; fi
check_json "endpoint last status" 'j["endpoints"][0]["last_status"]' 500
check_json "endpoint dead letters" 'j["endpoints"][0]["dead"]' 0
check_json "seen count" 'j["seen"]["count"]' 2
check_json "story window: one story, carried by a digest" '(j["stories"]["state"], j["stories"]["count"], j["stories"]["delivered"])' "('ok', 1, 1)"

snapshot "$TMP/after"
expect_same "the state folder is byte-identical after status" "$TMP/after" "$TMP/before"

# While a daemon runs (holding the lock), status still answers.
stop_sink
start_sink "$PORT" || exit 1
# The binary itself, not lib.sh's digestd function: a function put in the
# background runs in a subshell, whose pid $! would be, and the daemon would
# outlive the test.
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" >"$TMP/daemon.log" 2>&1 &
DPID=$!
PIDS="$PIDS $DPID"
wait_grep "digestd started" "$TMP/daemon.log" 20
status --config "$TMP/d.ini" --format json
if [ "$RC" -eq 0 ] && json_get 'j["endpoints"][0]["name"]' | grep -q default; then
	pass "status while the daemon runs"; else
	fail "status while the daemon runs" "exit $RC" "$(cat "$TMP/err")"; fi
wait_grep "delivered\|received" "$TMP/sink.log" 20
# The schedule as the daemon recorded it after one cycle: the folder source
# next polled one interval (30 min) after its poll ends (counted once the
# seen-set is committed, a second or more later on a slow machine: up to a
# minute is allowed), the next digest at the time in next-digest, one
# interval (1 h) after the start at the earliest.
i=0
while [ $i -lt $((20 * SLOW)) ]; do
	status --config "$TMP/d.ini" --format json
	[ "$(json_get '[s["next_poll"] is not None for s in j["sources"]]')" = "[True, True]" ] && break
	sleep 1
	i=$((i + 1))
done
check_json "running daemon: running" 'j["running"]' True
check_json "running daemon: the folder source's next poll is its interval after its last" '[__import__("calendar").timegm(__import__("time").strptime(s["next_poll"], "%Y-%m-%dT%H:%M:%SZ")) - __import__("calendar").timegm(__import__("time").strptime(s["last_poll"], "%Y-%m-%dT%H:%M:%SZ")) in range(1800, 1861) for s in j["sources"] if s["name"]=="articles"][0]' True
check_json "running daemon: the failing feed's next poll is its backoff's end" '[s["next_poll"] > s["last_poll"] for s in j["sources"] if s["name"]=="feed"][0]' True
next_digest=$(python3 -c 'import sys,time; print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(open(sys.argv[1]).read()))))' "$TMP/state/next-digest" 2>&1)
check_json "running daemon: the next digest as it scheduled it" 'j["digest"]["next"]' "$next_digest"
check_json "running daemon: the next digest an interval ahead" 'j["digest"]["next"] > j["time"] and not j["digest"]["next_stale"]' True
# A time long past is not stale while the daemon runs.
printf '1000000000\n' >"$TMP/state/next-digest"
status --config "$TMP/d.ini" --format json
check_json "running daemon: a past next digest is not called stale" '(j["digest"]["next"], j["digest"]["next_stale"])' "('2001-09-09T01:46:40Z', False)"
kill "$DPID"
wait_gone "$DPID" 20
# Stopped: the same time is stale, in JSON and text; the sources' next
# polls, not past, are not.
status --config "$TMP/d.ini" --format json
check_json "stopped daemon: a next digest past by an interval is stale" '(j["running"], j["digest"]["next_stale"], [s["next_poll_stale"] for s in j["sources"]])' "(False, True, [False, False])"
status --config "$TMP/d.ini"
check_text "stopped daemon: not running" "digestd not running"
check_text "stopped daemon: the stale time is said" "no digestd runs: not running"

# A hostile server's words in a state file (the feed's last error): a
# right-to-left override (U+202E) and a C1 CSI (U+009B) would make the
# terminal show a line that says something else. Text shows each as a space
# (the override beside the space before it: two); JSON keeps the exact
# string (C1 escaped, U+202E as is: decoded, both are there).
st=$(grep -l '^name feed$' "$TMP/state"/source-*.state)
python3 - "$st" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")
lines = [b"error HTTP status 404 \xe2\x80\xaegnp.exe\xc2\x9b31m" if l.startswith(b"error ") else l
         for l in lines]
open(p, "wb").write(b"\n".join(lines))
PY
status --config "$TMP/d.ini"
if [ "$RC" -eq 0 ] && grep -q "last error: HTTP status 404  gnp.exe 31m" "$TMP/out" &&
	! grep -q "$(printf '\342\200\256')" "$TMP/out" && ! grep -q "$(printf '\302\233')" "$TMP/out"; then
	pass "text: a planted error's U+202E and U+009B shown as spaces"
else
	fail "text: a planted error's U+202E and U+009B shown as spaces" "exit $RC" \
		"$(grep "last error: HTTP status 404" "$TMP/out" | od -c | head -n 4)"
fi
status --config "$TMP/d.ini" --format json
check_json "a planted error kept exact" \
	'[s["error"] == "HTTP status 404 \u202egnp.exe\u009b31m" for s in j["sources"] if s["name"]=="feed"][0]' True

# Hostile state: the feed's state file a FIFO, the seen-set a link, the
# oldest outbox entry garbage, last-digest garbage, next-digest a FIFO,
# dead/ a link.
st=$(ls "$TMP/state"/source-*.state | head -n 1)
other=$(ls "$TMP/state"/source-*.state | grep -vxF "$st" | head -n 1)
rm -f "$st" && mkfifo "$st"
printf 'damaged\n' >"$other"
mv "$TMP/state/seen" "$TMP/seen.real" && ln -s "$TMP/seen.real" "$TMP/state/seen"
printf 'not an entry\n' >"$TMP/state/outbox/00000000000000000001-dg_garbage.digest"
printf 'yesterday\n' >"$TMP/state/last-digest"
rm -f "$TMP/state/next-digest" && mkfifo "$TMP/state/next-digest"
rm -rf "$TMP/state/dead" && ln -s /tmp "$TMP/state/dead"
snapshot "$TMP/before"
status --config "$TMP/d.ini"
[ "$RC" -eq 0 ] && pass "hostile state: exit 0, no hang" || fail "hostile state: exit 0, no hang" "exit $RC" "$(cat "$TMP/err")"
check_text "a FIFO state file is reported" "state file: not a regular file"
check_text "a damaged state file is reported (left where it is: nothing touched, below)" \
	"state file: damaged"
check_text "a linked seen-set is reported" "state file: a symbolic link"
check_text "a garbage outbox entry is reported" "outbox folder: the oldest entry is damaged"
check_text "a linked dead/ is reported" "dead folder: a symbolic link"
expect_grep "garbage last-digest is one warning" "last-digest: not a time" "$TMP/err"
expect_grep "a FIFO next-digest is one warning, not waited on" "next-digest: not a regular file" "$TMP/err"
check_text "a FIFO next-digest: no next digest shown" "next: not scheduled"
status --config "$TMP/d.ini" --format json
if [ "$RC" -eq 0 ] && json_get 'len(j["sources"])' | grep -q 2; then pass "hostile state: valid JSON"; else
	fail "hostile state: valid JSON" "exit $RC" "$(cat "$TMP/err")"; fi
snapshot "$TMP/after"
expect_same "hostile state: nothing touched" "$TMP/after" "$TMP/before"

expect_status "status: unknown option: exit 64" 64 digestd status --bogus
expect_status "status: missing config: exit 66" 66 digestd status --config "$TMP/none.ini"
