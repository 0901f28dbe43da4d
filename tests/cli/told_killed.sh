#!/bin/sh
# SPDX-License-Identifier: MIT
# A digest with articles that lists a source's problem (the feed failing),
# two endpoints ([endpoint] and [endpoint b], each a digest-sink). Killed
# after both outbox writes, at the save that marks the problem as told
# (tests/fault/enospc.c's DIGESTD_FAULT_KILL_AT): the restart finds the
# digest in every outbox and marks the problem then (the pending list names
# the sources its digest in flight lists), so no later digest lists it
# again. Killed at b's write: the restart composes it again under the same
# id for b, listing exactly the problems the first endpoint's copy lists,
# though a second feed failed meanwhile; that one goes into the next digest
# (docs/daemon.md, "The pending list").
. tests/cli/lib.sh
. tests/cli/daemon.lib

need_shim "told_killed: a kill at a counted call"
mkdir -p "$TMP/articles" "$TMP/feeds"
start_sink 0 || exit 1
start_feeds "$TMP/feeds" || exit 1
start_b || exit 1
FEED_URL="https://localhost:$FEED_PORT/feeds/gone.xml" write_config "$TMP/w.ini" \
	"[endpoint b]" "url = https://localhost:$B_PORT/digest" "ca_file = $TMP/tls/cert.pem" \
	"signing_key_file = $TMP/key" "retry_base = 1s" "retry_max = 2s" "" \
	"[source two]" "url = https://localhost:$FEED_PORT/feeds/two.xml" "lang = en"
# Backoff of 1 s, so that a run a second later polls the failing feeds again.
sed -e "s|^log_level = .*|&\nproblem_after = 1|" \
	-e 's|^min_host_delay = 0s|&\nbackoff_base = 1s\nbackoff_max = 1s|' "$TMP/w.ini" >"$TMP/d.ini"

ids() {
	find "$1" -name '*.json' 2>/dev/null | sed 's|.*/||; s|\.json$||' | sort
}
# problems DIR: per digest in DIR (by id), its id and the sources it lists.
problems() {
	python3 -c 'import glob,json,os,sys
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    print(os.path.basename(f)[:-5], *sorted(p["source"] for p in json.load(open(f)).get("problems", [])))' "$1"
}
# same_problems: each digest b holds lists what the first's copy lists,
# field by field (source, error, since, failures).
same_problems() {
	python3 -c 'import glob,json,os,sys
for f in glob.glob(sys.argv[2] + "/*.json"):
    a = json.load(open(os.path.join(sys.argv[1], os.path.basename(f)))).get("problems")
    sys.exit(a != json.load(open(f)).get("problems"))' "$TMP/store" "$TMP/b/store"
}
# telling NAME: how many digests, at both endpoints, list NAME's problem.
telling() {
	{ problems "$TMP/store"; problems "$TMP/b/store"; } | grep -c " $1\( \|\$\)"
}
# fresh: no state, nothing stored, one new article, feed two serving.
fresh() {
	rm -rf "$TMP/state" "$TMP/articles"/*
	mkdir -m 700 "$TMP/state" # the shim counts in a folder that exists
	find "$TMP/store" "$TMP/b/store" -name '*.json' -exec rm -f {} + 2>/dev/null
	new_article "a$1"
	rss_feed "$TMP/feeds/two.xml"
}

# The counting run: each endpoint gets one digest, with the article and the
# feed's problem.
fresh 0
once count DIGESTD_FAULT_LOG="$TMP/points"
at=$(grep ' create /outbox/b/' "$TMP/points" | tail -n 1 | cut -d' ' -f1)
told=$(awk -v l="$at" '$1 > l && $2 == "create" && $3 ~ /^\/source-/ { print $1; exit }' "$TMP/points")
if [ -n "$at" ] && [ -n "$told" ] && [ "$(telling feed)" -eq 2 ] && [ "$(stored)" -eq 1 ]; then
	pass "counting run: each endpoint gets the article and the feed's problem"; else
	fail "counting run: each endpoint gets the article and the feed's problem" \
		"points '$at' '$told'" "$(problems "$TMP/store")" "$(tail -n 5 "$TMP/count.log")"; fi

# Killed at the told mark, after both copies were written.
fresh 1
once killed DIGESTD_FAULT_KILL_AT="$told"
if [ "$RC" -gt 128 ] && [ "$(outbox_entries)" -eq 2 ]; then
	pass "killed before the told mark: both copies in the outboxes"; else
	fail "killed before the told mark: both copies in the outboxes" "exit $RC" \
		"$(find "$TMP/state/outbox")" "$(tail -n 3 "$TMP/killed.log")"; fi
once killed-restart
if grep -q "digest dg_[0-9a-f]* reached the outbox before the stop: its 1 articles are done" \
	"$TMP/killed-restart.log"; then
	pass "killed before the told mark, restart: says which digest is done"; else
	fail "killed before the told mark, restart: says which digest is done" \
		"$(grep "reached the outbox" "$TMP/killed-restart.log")"; fi
sleep 1.1 # past the feed's backoff: polled again, still failing
new_article a2 # and a digest with articles is due again
once killed-later
if [ "$RC" -eq 0 ] && [ "$(telling feed)" -eq 2 ] && [ "$(ids "$TMP/store" | wc -l)" -eq 2 ]; then
	pass "killed before the told mark, restarted twice: the problem told once per endpoint"; else
	fail "killed before the told mark, restarted twice: the problem told once per endpoint" \
		"exit $RC, $(telling feed) digests list it" "first: $(problems "$TMP/store" | tr '\n' '|')" \
		"b: $(problems "$TMP/b/store" | tr '\n' '|')" "$(tail -n 4 "$TMP/killed-restart.log")"; fi

# Killed at b's write; feed two fails before the restart: b's copy, composed
# again under the same id, lists the feed alone, as the first's does.
fresh 3
once killed-b DIGESTD_FAULT_KILL_AT="$at"
rm -f "$TMP/feeds/two.xml"
sleep 1.1
once killed-b-restart
if [ "$RC" -eq 0 ] && [ "$(ids "$TMP/store")" = "$(ids "$TMP/b/store")" ] &&
	[ "$(problems "$TMP/store")" = "$(problems "$TMP/b/store")" ] &&
	[ "$(problems "$TMP/b/store" | cut -d' ' -f2-)" = feed ] && same_problems; then
	pass "killed at b's write: b gets the same digest, listing the same problems"; else
	fail "killed at b's write: b gets the same digest, listing the same problems" "exit $RC" \
		"first: $(problems "$TMP/store" | tr '\n' '|')" "b: $(problems "$TMP/b/store" | tr '\n' '|')" \
		"$(tail -n 4 "$TMP/killed-b-restart.log")"; fi
sleep 1.1
once killed-b-later
if [ "$RC" -eq 0 ] && [ "$(telling two)" -eq 2 ] && [ "$(telling feed)" -eq 2 ]; then
	pass "killed at b's write: the second feed's problem goes into the next digest"; else
	fail "killed at b's write: the second feed's problem goes into the next digest" "exit $RC" \
		"first: $(problems "$TMP/store" | tr '\n' '|')" "b: $(problems "$TMP/b/store" | tr '\n' '|')" \
		"$(tail -n 4 "$TMP/killed-b-later.log")"; fi
