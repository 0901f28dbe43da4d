#!/bin/sh
# SPDX-License-Identifier: MIT
# The mark of an endpoint whose last push failed (it takes its turns after
# the others: docs/digest.md, "The push") is of its address: a reload or a
# restart that changes where its pushes go (its url here) starts it
# unmarked; an endpoint left as it was keeps its mark. [endpoint] and
# [endpoint c] refuse every push (a 400: a dead letter, which does not end
# the walk), [endpoint b] takes them; listed [endpoint], c, b. Judged by
# the order of log lines, never by time.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles"
start_sink 0 --mode reject400 || exit 1
start_b || exit 1
# conf SCHEDULE FIRST_URL: $TMP/d.ini, [endpoint] at FIRST_URL.
conf() {
	SCHEDULE=$1 write_config "$TMP/d.ini" "" "[endpoint c]" \
		"url = https://localhost:$PORT/c" "ca_file = $TMP/tls/cert.pem" \
		"signing_key_file = $TMP/key" "timeout = 30s" "" "[endpoint b]" \
		"url = https://localhost:$B_PORT/digest" "ca_file = $TMP/tls/cert.pem" \
		"signing_key_file = $TMP/key" "timeout = 30s"
	sed "s|^url = https://localhost:$PORT/digest\$|url = $2|" "$TMP/d.ini" >"$TMP/d.tmp" &&
		mv "$TMP/d.tmp" "$TMP/d.ini"
	if [ "$(grep -c "^url = $2\$" "$TMP/d.ini")" -ne 1 ]; then
		fail "config: [endpoint] url = $2" "$(cat "$TMP/d.ini")"
		exit 1
	fi
}
# order NAME LOG ID: the first push of digest ID went to [endpoint], then
# b, then c (checked as two pairs: [endpoint] before b, b before c).
order() {
	a=$(line_of "push $3: refused" "$2")
	b=$(line_of "push $3 to \[endpoint b\]: delivered" "$2")
	c=$(line_of "push $3 to \[endpoint c\]: refused" "$2")
	if [ -n "$3" ] && [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then
		pass "$1: [endpoint], its url changed, unmarked: pushed before b"
	else
		fail "$1: [endpoint], its url changed, unmarked: pushed before b" \
			"$(grep "push ${3:-dg_}" "$2")"
	fi
	if [ -n "$3" ] && [ -n "$b" ] && [ -n "$c" ] && [ "$b" -lt "$c" ]; then
		pass "$1: [endpoint c], unchanged, still marked: pushed after b"
	else
		fail "$1: [endpoint c], unchanged, still marked: pushed after b" \
			"$(grep "push ${3:-dg_}" "$2")"
	fi
}

# ---- a first cycle: [endpoint] and c refuse, both marked ----
conf 1h "https://localhost:$PORT/digest"
new_article first
expect_status "cycle 1: exit 69 (two refusals)" 69 digestd run --once --config "$TMP/d.ini"
cp "$TMP/err" "$TMP/once.log"
id=$(composed "$TMP/once.log")
if [ -n "$id" ] && [ -n "$(line_of "push $id: refused" "$TMP/once.log")" ] &&
	[ -n "$(line_of "push $id to \[endpoint c\]: refused" "$TMP/once.log")" ]; then
	pass "cycle 1: [endpoint] and c refused"
else
	fail "cycle 1: [endpoint] and c refused" "$(grep "push" "$TMP/once.log")"
fi

# ---- a reload that moves [endpoint]: unmarked; c keeps its mark ----
# The daemon takes the new article, its digest due in half an hour; the
# reload moves [endpoint] and makes the digest due at once (a shorter
# schedule, counted from last-digest).
new_article second
echo $(($(date +%s) - 1800)) >"$TMP/state/last-digest"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/run.log" &
pid=$!
PIDS="$PIDS $pid"
if ! wait_grep "source articles: 1 new articles" "$TMP/run.log" 60; then
	fail "the daemon took the new article" "$(tail -n 5 "$TMP/run.log")"
	exit 1
fi
conf 1m "https://localhost:$PORT/digest?moved"
kill -HUP $pid
wait_grep "reloaded" "$TMP/run.log" 60 &&
	wait_grep "digest dg_[0-9A-Za-z_]* composed" "$TMP/run.log" 60
id=$(composed "$TMP/run.log")
if [ -n "$id" ] && wait_grep "push $id to \[endpoint c\]: refused" "$TMP/run.log" 60; then
	order "after a reload" "$TMP/run.log" "$id"
else
	fail "after a reload: a digest pushed to the three endpoints" "$(tail -n 8 "$TMP/run.log")"
fi
kill -TERM $pid
wait_gone $pid 40

# ---- a restart after [endpoint] moved again: unmarked too ----
# The move shows in `digestd status` first: no failures at the new url.
conf 1h "https://localhost:$PORT/digest?again"
expect_status "status: exit 0" 0 digestd status --config "$TMP/d.ini" --format json
got=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]));
print([(e["name"], e["failures"]) for e in j["endpoints"]])' "$TMP/out" 2>&1)
if [ "$got" = "[('default', 0), ('c', 2), ('b', 0)]" ]; then
	pass "status: [endpoint], moved, has no failures at its new url; c keeps its two"
else
	fail "status: [endpoint], moved, has no failures at its new url; c keeps its two" "$got"
fi
new_article third
echo 1 >"$TMP/state/last-digest"
expect_status "restart: exit 69 (two refusals)" 69 digestd run --once --config "$TMP/d.ini"
cp "$TMP/err" "$TMP/third.log"
order "after a restart" "$TMP/third.log" "$(composed "$TMP/third.log")"

# ---- an upgrade: a state file of an earlier version (no address) ----
# Taken as of the address the daemon starts on, and saved so at start-up:
# a move before the endpoint's next answer still starts it afresh.
plain=$(grep -l '^name endpoint:default$' "$TMP/state"/source-*.state)
sed '/^url /d' "$plain" >"$TMP/old.state" && cp "$TMP/old.state" "$plain"
expect_status "upgrade: a start-up with nothing to push, exit 0" 0 \
	digestd run --once --config "$TMP/d.ini"
conf 1h "https://localhost:$PORT/digest?fixed"
expect_status "upgrade, moved: status exit 0" 0 digestd status --config "$TMP/d.ini" \
	--format json
got=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]));
print([(e["name"], e["failures"]) for e in j["endpoints"]])' "$TMP/out" 2>&1)
if [ "$got" = "[('default', 0), ('c', 3), ('b', 0)]" ]; then
	pass "upgrade: [endpoint], moved after a start-up on its old file, starts afresh"
else
	fail "upgrade: [endpoint], moved after a start-up on its old file, starts afresh" \
		"$got" "$(cat "$plain")"
fi
