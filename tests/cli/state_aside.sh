#!/bin/sh
# SPDX-License-Identifier: MIT
# A source's or an endpoint's state file (source-HASH.state) that is
# damaged, or a link, FIFO or folder in its place, is said in one line,
# once: its first load sets it aside as source-HASH.state.corrupt, so the
# other loads of the run (a poll loads its source's state more than once),
# and the next start-ups and reloads, find no file. Before, a damaged feed's
# file was said twice per `run --once`, an endpoint's at every start-up and
# reload until its next push answer. A state kept for another url is not
# damage: never set aside.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles" "$TMP/feeds"
start_sink 0 || exit 1
rss_feed "$TMP/feeds/news.xml" a1 a2
start_feeds "$TMP/feeds" || exit 1
FEED_URL=https://localhost:$FEED_PORT/feeds/news.xml write_config "$TMP/d.ini"
new_article first
expect_status "a first cycle: exit 0" 0 digestd run --once --config "$TMP/d.ini"
feed=$(grep -l '^name feed$' "$TMP/state"/source-*.state)
arts=$(grep -l '^name articles$' "$TMP/state"/source-*.state)
ep=$(grep -l '^name endpoint:default$' "$TMP/state"/source-*.state)
if [ -z "$feed" ] || [ -z "$arts" ] || [ -z "$ep" ]; then
	fail "each source and the endpoint have a state file" "$(ls "$TMP/state")"
	exit 1
fi

# once NAME: `run --once`, bounded (a FIFO must not hold it); stderr in
# $TMP/NAME.log, the exit status in RC.
once() {
	timeout -k 5 $((60 * SLOW)) $TEST_WRAPPER "$DIGESTD" run --once --config "$TMP/d.ini" \
		>/dev/null 2>"$TMP/$1.log"
	RC=$?
}
# said WHO FILE LOG: how many lines of LOG name WHO and FILE.
said() { grep -F -- "$2" "$3" | grep -cF -- "$1: "; }
# one NAME WHO FILE LOG WHAT: LOG says FILE's fate once, naming WHO, as
# `WHO: FILE: WHAT; moved to FILE.corrupt; starting afresh`.
one() {
	want="$2: $3: $5; moved to $3.corrupt; starting afresh"
	if [ "$(said "$2" "$3" "$4")" -eq 1 ] && grep -qF -- "$want" "$4"; then pass "$1"; else
		fail "$1" "want once: $want" "got:" "$(grep -F -- "$3" "$4")"
	fi
}
# fresh: no .corrupt file left (a folder cannot be renamed over a file).
fresh() { rm -rf "$TMP/state"/*.corrupt; }

# ---- run --once: a damaged feed's and endpoint's file, a folder for the folder source's ----
printf 'damaged feed\n' >"$feed"
printf 'damaged endpoint\n' >"$ep"
rm -rf "$arts" && mkdir "$arts" && : >"$arts/x"
new_article second
once damaged
one "--once: a damaged feed's state file, said once, set aside" "source feed" "$feed" \
	"$TMP/damaged.log" damaged
one "--once: a damaged endpoint's state file, said once, set aside" "[endpoint]" "$ep" \
	"$TMP/damaged.log" damaged
one "--once: a folder for a source's state file, said once, set aside" "source articles" "$arts" \
	"$TMP/damaged.log" "not a regular file (a folder)"
if [ "$RC" -eq 0 ] && [ "$(cat "$feed.corrupt" 2>/dev/null)" = "damaged feed" ] &&
	[ "$(cat "$ep.corrupt" 2>/dev/null)" = "damaged endpoint" ] && [ -f "$arts.corrupt/x" ] &&
	grep -q '^name feed$' "$feed" && grep -q '^name articles$' "$arts" &&
	grep -q '^name endpoint:default$' "$ep"; then
	pass "--once: the damaged files kept as .corrupt, the run's saves written new"; else
	fail "--once: the damaged files kept as .corrupt, the run's saves written new" "exit $RC" \
		"$(ls -l "$TMP/state")"; fi

# ---- an endpoint with nothing to push: said once, not at every run ----
fresh
printf 'damaged endpoint\n' >"$ep"
once idle1
once idle2
if [ "$(said "[endpoint]" "$ep" "$TMP/idle1.log")" -eq 1 ] &&
	[ "$(said "[endpoint]" "$ep" "$TMP/idle2.log")" -eq 0 ] && [ -f "$ep.corrupt" ]; then
	pass "an endpoint with nothing to push: its damaged file said at the first run only"; else
	fail "an endpoint with nothing to push: its damaged file said at the first run only" \
		"$(grep -F -- "$ep" "$TMP/idle1.log" "$TMP/idle2.log")"; fi

# ---- the daemon: start-up and two reloads ----
fresh
rm -rf "$feed" "$arts" "$ep"
mkfifo "$feed"
printf 'secret\n' >"$TMP/secret"
ln -s "$TMP/secret" "$arts"
mkdir "$ep"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon.log" &
dpid=$!
PIDS="$PIDS $dpid"
wait_grep "digestd started" "$TMP/daemon.log"
kill -HUP $dpid
wait_count 1 "reloaded" "$TMP/daemon.log"
kill -HUP $dpid
wait_count 2 "reloaded" "$TMP/daemon.log"
one "daemon, start-up and two reloads: a FIFO for a feed's state file, said once" "source feed" \
	"$feed" "$TMP/daemon.log" "not a regular file"
one "daemon, start-up and two reloads: a link for a source's state file, said once" \
	"source articles" "$arts" "$TMP/daemon.log" "a symbolic link, not followed"
one "daemon, start-up and two reloads: a folder for the endpoint's state file, said once" \
	"[endpoint]" "$ep" "$TMP/daemon.log" "not a regular file (a folder)"
if [ -p "$feed.corrupt" ] && [ -L "$arts.corrupt" ] && [ -d "$ep.corrupt" ] &&
	[ "$(cat "$TMP/secret")" = secret ]; then
	pass "daemon: the FIFO, the link and the folder set aside as they were, the link's target untouched"; else
	fail "daemon: the FIFO, the link and the folder set aside as they were, the link's target untouched" \
		"$(ls -l "$TMP/state")"; fi
kill -TERM $dpid
wait_gone $dpid 40

# ---- a state kept for another url is not damage ----
# A run on the feed's url first: the daemon above may have been stopped
# before its poll saved the feed's state (a slow machine, qemu).
fresh
once before
[ -f "$feed" ] || fail "a feed's state file saved by a run" "exit $RC" "$(ls "$TMP/state")"
rss_feed "$TMP/feeds/other.xml" o1
FEED_URL=https://localhost:$FEED_PORT/feeds/other.xml write_config "$TMP/d.ini"
once moved
if [ "$RC" -eq 0 ] && grep -q "source feed: its url changed" "$TMP/moved.log" &&
	[ "$(said "source feed" "$feed" "$TMP/moved.log")" -eq 0 ] && [ ! -e "$feed.corrupt" ]; then
	pass "a feed's url changed: started afresh, nothing set aside or warned"; else
	fail "a feed's url changed: started afresh, nothing set aside or warned" "exit $RC" \
		"$(grep -F "source feed" "$TMP/moved.log")"; fi

# ---- filter-test changes nothing: a damaged file stays where it is, and
# is said once (it reads as none: the source's first poll, its backlog) ----
printf 'damaged feed\n' >"$feed"
digestd filter-test --config "$TMP/d.ini" >/dev/null 2>"$TMP/ft.log"
rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$feed")" = "damaged feed" ] && [ ! -e "$feed.corrupt" ]; then
	pass "filter-test: a damaged state file left in place, nothing set aside"; else
	fail "filter-test: a damaged state file left in place, nothing set aside" "exit $rc" \
		"$(ls "$TMP/state")" "$(tail -n 3 "$TMP/ft.log")"; fi
want="source feed: state file $feed: damaged; read as none, left for the daemon"
if [ "$(said "source feed" "$feed" "$TMP/ft.log")" -eq 1 ] && grep -qF -- "$want" "$TMP/ft.log"; then
	pass "filter-test: the damaged state file it reads as none said once"; else
	fail "filter-test: the damaged state file it reads as none said once" "want once: $want" \
		"got:" "$(cat "$TMP/ft.log")"; fi
