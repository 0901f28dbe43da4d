#!/bin/sh
# SPDX-License-Identifier: MIT
# The daemon's one poll() loop, against tests/httpd.py (which logs, per
# request, how many requests with its t= tag were in progress at once, in
# all and on its port): transfers overlap with max_transfers = 4 and never
# with 1; at most two at once to one host; SIGTERM and SIGHUP acted on in the
# middle of a transfer that would hang for a minute; a poll's deadline with
# two teaser pages in flight (nothing taken with its teaser, validators
# kept); a failed page falls back to the teaser; a feed's validators are
# saved only once every page job of its poll has ended.
# check's conditions are single-quoted and eval'd, so the variables they
# read look unused to shellcheck:
# shellcheck disable=SC2016,SC2034
. tests/cli/lib.sh
. tests/cli/httpd.lib
. tests/cli/daemon.lib
PIDS="$PIDS $SRV_PID"
touch "$TMP/requests"
mkdir -p "$TMP/articles"
start_sink 0 || exit 1
ALTBASE=https://127.0.0.2:$ALT

# most TAG FIELD: the largest in-progress count (field 8: all ports, 9: the
# request's own port, one host) logged for requests tagged t=TAG; 0 if none.
most() {
	awk -F'\t' -v tag="t=$1" -v f="$2" 'index($1, tag) && $f > m { m = $f } END { print m + 0 }' \
		"$TMP/requests"
}
# asked TAG: requests tagged t=TAG so far.
asked() { grep -c "t=$1\\>" "$TMP/requests"; }

# loop_config FILE MAX_TRANSFERS [LINES...]: write_config's daemon with
# max_transfers set and the test CA for sources.
loop_config() {
	f=$1 mt=$2
	shift 2
	write_config "$f" "$@" "[http]" "ca_file = $T/ca.pem" "min_host_delay = 0s" \
		"poll_timeout = ${POLL_TIMEOUT:-5m}" "timeout = ${HTTP_TIMEOUT:-30s}"
	sed -i "s/^\\[daemon\\]\$/[daemon]\\nmax_transfers = $mt/" "$f"
}

# page_sources TAG URL...: one page source per URL, tagged.
page_sources() {
	tag=$1 k=0
	shift
	for u in "$@"; do
		k=$((k + 1))
		printf '[source %s%s]\nurl = %s&t=%s\ntype = page\n' "$tag" "$k" "$u" "$tag"
	done
}

D=$((2 * SLOW))
# cycle TAG MAX_TRANSFERS BASE_A BASE_B: run --once over four page sources
# tagged TAG, two on each base URL's host, each answer held D s; rc is its
# exit status, TAG.log its messages.
cycle() {
	loop_config "$TMP/$1.ini" "$2"
	page_sources "$1" "$3/slow/1?d=$D" "$3/slow/2?d=$D" "$4/slow/3?d=$D" "$4/slow/4?d=$D" \
		>>"$TMP/$1.ini"
	digestd run --once --config "$TMP/$1.ini" >"$TMP/out" 2>"$TMP/$1.log"
	rc=$?
}

# ---- concurrency: four page sources on two hosts ----
cycle conc4 4 "$BASE" "$ALTBASE"
check "max_transfers = 4: four sources on two hosts polled at once (most in progress: $(most conc4 8))" \
	'[ $rc -eq 0 ] && [ "$(asked conc4)" -eq 4 ] && [ "$(most conc4 8)" -eq 4 ]' "$TMP/conc4.log"
check "max_transfers = 4: their four articles in one digest" \
	'grep -q "^received id=dg_[0-9a-f]* bytes=[0-9]* articles=4 status=200" "$TMP/sink.log"' "$TMP/sink.log"

cycle conc1 1 "$BASE" "$ALTBASE"
check "max_transfers = 1: the same four one after the other (most in progress: $(most conc1 8))" \
	'[ $rc -eq 0 ] && [ "$(asked conc1)" -eq 4 ] && [ "$(most conc1 8)" -eq 1 ]' "$TMP/conc1.log"

# ---- the per-host cap: four sources on one host ----
cycle host 4 "$BASE" "$BASE"
check "one host: two transfers at once, never more (most in progress: $(most host 9))" \
	'[ $rc -eq 0 ] && [ "$(asked host)" -eq 4 ] && [ "$(most host 9)" -eq 2 ]' "$TMP/host.log"

# ---- signals in the middle of a transfer that would take two minutes ----
# The transfer hangs for HANG s; "at once" is well inside it. The margins are
# wide because the daemon's loop is single-threaded and its state saves
# fsync: on a CI disk busy with other tests' writes one fsync has stalled it
# for over 10 s (the check failed so once), while the transfer's end is what
# the check tells apart.
HANG=$((120 * SLOW))
HTTP_TIMEOUT=$((2 * HANG))s loop_config "$TMP/hang.ini" 4
page_sources hup "$BASE/slow/1?d=$HANG" >>"$TMP/hang.ini"
notify_start "$TMP/notify.sock"
NOTIFY_SOCKET=$TMP/notify.sock $TEST_WRAPPER "$DIGESTD" run --config "$TMP/hang.ini" \
	2>"$TMP/hup.log" &
pid=$!
PIDS="$PIDS $pid"
if wait_count 1 "t=hup" "$TMP/requests" 30; then
	check "STATUS=: busy, not idle, while the poll's transfer runs" \
		'wait_grep "^STATUS=busy: polling sources" "$TMP/notify.log" 40 && ! grep -q "^STATUS=idle" "$TMP/notify.log"' \
		"$TMP/notify.log"
	sent=$(date +%s)
	kill -HUP $pid
	if wait_grep 'reloaded' "$TMP/hup.log" 40 && wait_grep '^RELOADING=1' "$TMP/notify.log" 20; then
		pass "SIGHUP during a transfer: reloaded at once (after $(($(date +%s) - sent)) s)"
	else
		fail "SIGHUP during a transfer: reloaded at once" "$(tail -n 3 "$TMP/hup.log")" \
			"$(tail -n 3 "$TMP/notify.log")"
	fi
	check "SIGHUP: the poll cut short is made again on the new configuration" \
		'wait_count 2 "t=hup" "$TMP/requests" 40' "$TMP/hup.log"
	sent=$(date +%s)
	kill -TERM $pid
	if wait_gone $pid 40 && [ "$RC" -eq 0 ]; then
		pass "SIGTERM during a transfer: exit 0 at once (after $(($(date +%s) - sent)) s)"
	else
		fail "SIGTERM during a transfer: exit 0 at once" "status ${RC:-still running}" \
			"$(tail -n 3 "$TMP/hup.log")"
	fi
else
	fail "SIGHUP, SIGTERM during a transfer: the transfer started" "$(tail -n 3 "$TMP/hup.log")"
fi

# ---- poll_timeout with page jobs in flight ----
# Six teasers whose pages would take a minute: two are asked at once (one
# host), the deadline ends both, nothing is taken with its teaser text, and
# the feed keeps no validators, so the next poll gets it whole.
POLL_TIMEOUT=$((3 * SLOW))s loop_config "$TMP/dl.ini" 4 "[source dl]" \
	"url = $BASE/slow.xml?d=60&t=dl" "fetch_pages = yes"
start=$(date +%s)
digestd run --once --config "$TMP/dl.ini" >"$TMP/out" 2>"$TMP/dl.log"
rc=$?
took=$(($(date +%s) - start))
check "poll_timeout: the poll ends at its deadline with pages in flight (exit $rc after $took s)" \
	'[ $rc -eq 0 ] && [ $took -lt $((30 * SLOW)) ] && grep -q "source dl: poll stopped at poll_timeout" "$TMP/dl.log"' \
	"$TMP/dl.log"
check "poll_timeout: two page jobs were in flight at once (most: $(most dl 9))" \
	'[ "$(most dl 9)" -eq 2 ]' "$TMP/requests"
check "poll_timeout: nothing taken with its teaser text" \
	'! grep -q "digest dg_.* composed" "$TMP/dl.log" && ! grep -q "Slow story 1 begins here" "$TMP"/store/*.json' \
	"$TMP/dl.log"
check "poll_timeout: the feed kept no validators" \
	'[ -z "$(grep -l "etag \"slow-" "$TMP"/state/source-*.state 2>/dev/null)" ]'

# ---- a page that fails: the teaser's own text ----
loop_config "$TMP/fb.ini" 4 "[source fb]" "url = $BASE/teaser.xml?link=$BASE/status/404&t=fb" \
	"fetch_pages = yes"
digestd run --once --config "$TMP/fb.ini" >"$TMP/out" 2>"$TMP/fb.log"
rc=$?
check "a page that fails: the teaser's text goes out (one warning)" \
	'[ $rc -eq 0 ] && grep -q "source fb: $BASE/status/404: page not fetched, keeping the feed.s text: HTTP status 404" "$TMP/fb.log" && grep -l "\"title\":\"Linked story\".*opened the breakwater\." "$TMP"/store/*.json >/dev/null' \
	"$TMP/fb.log"

# ---- validators: saved when the poll's last page job ended, not before ----
# (The poll's end saves them just after its articles are logged.)
validators_saved() { grep -q 'etag "slow-' "$TMP"/state/source-*.state; }
DV=$((3 * SLOW))
loop_config "$TMP/val.ini" 4 "[source val]" "url = $BASE/slow.xml?d=$DV&t=val" "fetch_pages = yes" \
	"backlog = 20"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/val.ini" 2>"$TMP/val.log" &
pid=$!
PIDS="$PIDS $pid"
if wait_grep "^/slow/1?d=$DV&t=val" "$TMP/requests" 30; then
	etag_early=$(grep -l 'etag "slow-' "$TMP"/state/source-*.state 2>/dev/null)
	check "validators: none saved while page jobs run" '[ -z "$etag_early" ]'
	check "validators: saved once the six pages were taken" \
		'wait_grep "source val: 6 new articles" "$TMP/val.log" 60 && wait_until 10 validators_saved' \
		"$TMP/val.log"
else
	fail "validators: the page jobs started" "$(tail -n 3 "$TMP/val.log")"
fi
kill -TERM $pid
wait_gone $pid 40

# ---- --once when the articles taken cannot be saved ----
# pending.tmp is a folder: the first article's save fails and ends its poll;
# the other source is not polled (its articles would be in memory only), and
# --once says "run again later" instead of retrying the save for ever.
mkdir -p "$TMP/more" "$TMP/state-nosave/pending.tmp"
chmod 700 "$TMP/state-nosave"
new_article nosave1
cp "$TMP/articles/nosave1.txt" "$TMP/more/nosave2.txt"
sed -i 's|nosave1|nosave2|g' "$TMP/more/nosave2.txt"
loop_config "$TMP/nosave.ini" 4 "[source more]" "url = $TMP/more" "type = folder"
sed -i "s|^state_dir = .*|state_dir = $TMP/state-nosave|" "$TMP/nosave.ini"
timeout 60 $TEST_WRAPPER "$DIGESTD" run --once --config "$TMP/nosave.ini" >"$TMP/out" 2>"$TMP/nosave.log"
rc=$?
check "--once, the pending list unsaveable: exit 75, the other source not polled (exit $rc)" \
	'[ $rc -eq 75 ] && grep -q "sources not polled: the articles waiting cannot be saved" "$TMP/nosave.log"' \
	"$TMP/nosave.log"
