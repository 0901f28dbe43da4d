#!/bin/sh
# SPDX-License-Identifier: MIT
# The state folder kept honest (issue 10): a folder or subfolder that others
# could write, or that another user owns, is refused; links and FIFOs planted
# in it are neither followed nor block start-up; a flipped outbox byte goes to
# dead/ instead of being signed; a second instance on one folder exits naming
# the holder; a seen-set or pending list that cannot be saved neither repeats
# nor loses articles (with an HTTPS feed whose validators must wait for them).
. tests/cli/lib.sh
. tests/cli/daemon.lib

# run_once NAME CONFIG: `run --once` bounded by a timeout (a FIFO used to
# block start-up forever); stdout/stderr in $TMP/out and $TMP/err, status in RC.
run_once() {
	timeout -k 5 $((30 * SLOW)) $TEST_WRAPPER "$DIGESTD" run --once --config "$1" \
		>"$TMP/out" 2>"$TMP/err"
	RC=$?
}

# refused NAME PATTERN: the last run exited 73 with one line, matching PATTERN.
refused() {
	if [ "$RC" -eq 73 ] && grep -q -- "$2" "$TMP/err" && [ "$(grep -c . "$TMP/err")" -eq 1 ]; then
		pass "$1"; else
		fail "$1" "exit $RC, want 73 and '$2'" "$(tail -n 3 "$TMP/err")"; fi
}

# fresh: an empty state folder and sink store (the sink restarted on $PORT,
# since it cannot store into a removed folder).
fresh() {
	stop_sink
	rm -rf "$TMP/state" "$TMP/store"
	start_sink "$PORT" "$@" || exit 1
}

# until_done CONFIG: --once until it exits 0 (at most 6 runs).
until_done() {
	n=0
	while [ $n -lt 6 ]; do
		run_once "$1"
		[ "$RC" -eq 0 ] && break
		n=$((n + 1))
	done
}

# with_state DIR: d.ini with state_dir DIR, as $TMP/s.ini.
with_state() {
	sed "s|^state_dir = .*|state_dir = $1|" "$TMP/d.ini" >"$TMP/s.ini"
}

mkdir -p "$TMP/articles"
cp seeds/001_*.txt seeds/002_*.txt "$TMP/articles/"
start_sink 0 || exit 1
write_config "$TMP/d.ini"

# ---- the state folder and its subfolders: owner and mode ----
mkdir "$TMP/open"
chmod 0777 "$TMP/open"
with_state "$TMP/open"
run_once "$TMP/s.ini"
refused "state folder mode 0777: refused, exit 73" "$TMP/open: writable by group or others"
if [ ! -e "$TMP/open/outbox" ]; then pass "state folder mode 0777: nothing made in it"; else
	fail "state folder mode 0777: nothing made in it"; fi
chmod 0700 "$TMP/open"
run_once "$TMP/s.ini"
if [ "$RC" -eq 0 ] && [ "$(stored)" -eq 1 ]; then pass "state folder mode 0700: runs"; else
	fail "state folder mode 0700: runs" "exit $RC" "$(tail -n 3 "$TMP/err")"; fi
for sub in outbox dead; do
	chmod 0770 "$TMP/open/$sub"
	run_once "$TMP/s.ini"
	refused "$sub/ mode 0770: refused" "$TMP/open/$sub: writable by group or others"
	chmod 0700 "$TMP/open/$sub"
done
mv "$TMP/open/outbox" "$TMP/elsewhere"
ln -s "$TMP/elsewhere" "$TMP/open/outbox"
run_once "$TMP/s.ini"
refused "outbox/ a symbolic link: refused" "$TMP/open/outbox: .*symbolic link"
rm "$TMP/open/outbox"
mv "$TMP/elsewhere" "$TMP/open/outbox"
# Root passes every permission check, so ownership is tested by what
# digestd refuses: a folder owned by another uid than digestd's.
if [ "$(id -u)" -eq 0 ]; then
	chown 65534 "$TMP/open"
	run_once "$TMP/s.ini"
	refused "state folder owned by uid 65534: refused" "$TMP/open: owned by uid 65534"
	chown 0 "$TMP/open"
	chown 65534 "$TMP/open/dead"
	run_once "$TMP/s.ini"
	refused "dead/ owned by uid 65534: refused" "$TMP/open/dead: owned by uid 65534"
	chown 0 "$TMP/open/dead"
fi
# Reached through a symbolic link (systemd's DynamicUser StateDirectory):
# the top-level link is followed, once.
ln -s "$TMP/open" "$TMP/linked"
with_state "$TMP/linked"
run_once "$TMP/s.ini"
if [ "$RC" -eq 0 ]; then pass "state folder reached through a link: runs"; else
	fail "state folder reached through a link: runs" "exit $RC" "$(tail -n 3 "$TMP/err")"; fi

# ---- planted FIFOs and links: refused or moved aside, never blocking ----
with_state "$TMP/open"
for f in pending seen; do
	rm -f "$TMP/open/$f"
	mkfifo "$TMP/open/$f"
	run_once "$TMP/s.ini"
	refused "a FIFO named $f: refused, no hang" "$TMP/open/$f: .*not a regular file"
	rm "$TMP/open/$f"
done
rm -f "$TMP/open/last-digest"
mkfifo "$TMP/open/last-digest"
run_once "$TMP/s.ini"
if [ "$RC" -eq 0 ] && grep -q "last-digest: not a regular file" "$TMP/err"; then
	pass "a FIFO named last-digest: ignored with a warning, no hang"; else
	fail "a FIFO named last-digest: ignored with a warning, no hang" "exit $RC" "$(tail -n 3 "$TMP/err")"; fi
rm "$TMP/open/last-digest"
# The story window (issue 13) is derived data: a bad one is said and
# started afresh, never followed, never waited on, never fatal.
sed 's/^group = no$/group = yes/' "$TMP/s.ini" >"$TMP/g.ini"
cp seeds/003_*.txt "$TMP/articles/"
run_once "$TMP/g.ini"
rm "$TMP/articles/"003_*.txt
if [ "$RC" -eq 0 ] && [ -f "$TMP/open/stories" ] && [ ! -L "$TMP/open/stories" ]; then
	pass "stories: the story window saved with a digest (group = yes)"; else
	fail "stories: the story window saved with a digest (group = yes)" "exit $RC" \
		"$(tail -n 3 "$TMP/err")"; fi
rm -f "$TMP/open/stories"
mkfifo "$TMP/open/stories"
run_once "$TMP/s.ini"
if [ "$RC" -eq 0 ] && grep -q "stories: cannot read the story window: not a regular file" "$TMP/err"; then
	pass "a FIFO named stories: started afresh with a warning, no hang"; else
	fail "a FIFO named stories: started afresh with a warning, no hang" "exit $RC" \
		"$(tail -n 3 "$TMP/err")"; fi
rm "$TMP/open/stories"
printf 'x\n' >"$TMP/secret"
ln -s "$TMP/secret" "$TMP/open/stories"
run_once "$TMP/s.ini"
if [ "$RC" -eq 0 ] && grep -q "stories: cannot read the story window: .*symbolic link" "$TMP/err" &&
	[ "$(cat "$TMP/secret")" = x ]; then
	pass "stories a symbolic link: not followed, started afresh"; else
	fail "stories a symbolic link: not followed, started afresh" "exit $RC" \
		"$(tail -n 3 "$TMP/err")"; fi
rm "$TMP/open/stories"
printf 'DGSTSTRY damaged' >"$TMP/open/stories"
run_once "$TMP/s.ini"
if [ "$RC" -eq 0 ] &&
	grep -q "open/stories: damaged story window (truncated header); moved to .*open/stories.corrupt; starting with an empty one$" "$TMP/err" &&
	[ -f "$TMP/open/stories.corrupt" ]; then
	pass "a damaged stories file: kept aside, started afresh"; else
	fail "a damaged stories file: kept aside, started afresh" "exit $RC" \
		"$(tail -n 3 "$TMP/err")"; fi
rm -f "$TMP/open/stories" "$TMP/open/stories.corrupt"
printf 'x\n' >"$TMP/secret"
rm -f "$TMP/open/seen"
ln -s "$TMP/secret" "$TMP/open/seen"
run_once "$TMP/s.ini"
refused "seen a symbolic link: refused" "$TMP/open/seen: .*symbolic link"
rm "$TMP/open/seen"
fifo=00000000000000000042-dg_0123456789abcdef0123456789abcdef.digest
mkfifo "$TMP/open/outbox/$fifo"
run_once "$TMP/s.ini"
if [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && [ -p "$TMP/open/dead/$fifo" ] &&
	grep -q "not a regular file" "$TMP/open/dead/$fifo.reason"; then
	pass "a FIFO named like an outbox entry: moved to dead/, no hang"; else
	fail "a FIFO named like an outbox entry: moved to dead/, no hang" "exit $RC" \
		"$(tail -n 3 "$TMP/err")"; fi

# ---- outbox entries carry a checksum of their body ----
fresh
stop_sink
new_article Checksummed
run_once "$TMP/d.ini"
entry=$(ls "$TMP/state/outbox/" 2>/dev/null | head -n 1)
if [ "$RC" -eq 75 ] && [ -n "$entry" ]; then pass "sink down: the digest waits in the outbox"; else
	fail "sink down: the digest waits in the outbox" "exit $RC"; fi
# One body byte changed: 'C' of "Checksummed" becomes 'D'.
python3 - "$TMP/state/outbox/$entry" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b"Checksummed", b.index(b"\n\n"))
b[i] ^= 0x07
open(p, "wb").write(b)
EOF
start_sink "$PORT" || exit 1
run_once "$TMP/d.ini"
if [ "$(stored)" -eq 0 ] && [ -f "$TMP/state/dead/$entry" ] &&
	grep -q "checksum" "$TMP/state/dead/$entry.reason" && [ "$RC" -eq 69 ] &&
	grep -q "exit 69: 1 digest moved to dead/ in .* (1 damaged, 0 refused)" "$TMP/err"; then
	pass "a flipped body byte: moved to dead/ (checksum), not sent, --once exit 69"; else
	fail "a flipped body byte: moved to dead/ (checksum), not sent, --once exit 69" \
		"stored $(stored), exit $RC" \
		"$(cat "$TMP/state/dead/$entry.reason" 2>/dev/null)" "$(tail -n 3 "$TMP/err")"; fi
# An entry written by the previous version (no checksum line) still goes.
body='{"schema":"digestd.digest/1","id":"dg_20250101T000000Z_0badc0de","articles":[]}'
printf 'digestd-outbox 1\nid: dg_20250101T000000Z_0badc0de\ncreated: 1735689600\nformat: json\nattempts: 0\nnext-attempt: 0\nlength: %s\n\n%s' \
	"${#body}" "$body" >"$TMP/state/outbox/00000000000000000077-dg_20250101T000000Z_0badc0de.digest"
run_once "$TMP/d.ini"
if [ "$RC" -eq 0 ] && [ -f "$TMP/store/dg_20250101T000000Z_0badc0de.json" ]; then
	pass "an entry without a checksum (previous version) is delivered"; else
	fail "an entry without a checksum (previous version) is delivered" "exit $RC" \
		"$(tail -n 3 "$TMP/err")"; fi

# ---- one instance per state folder ----
fresh
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon.log" &
dpid=$!
PIDS="$PIDS $dpid"
wait_grep "digestd started" "$TMP/daemon.log"
run_once "$TMP/d.ini"
if [ "$RC" -eq 75 ] && grep -q "in use by digestd pid $dpid" "$TMP/err" &&
	[ "$(grep -c . "$TMP/err")" -eq 1 ]; then
	pass "beside the running daemon: --once exits 75 naming its pid"; else
	fail "beside the running daemon: --once exits 75 naming its pid" "exit $RC" "$(head -n 3 "$TMP/err")"; fi
kill -TERM $dpid
wait_gone $dpid 40
fresh --mode hang:1
new_article Held
PUSH_TIMEOUT=$((10 * SLOW))s write_config "$TMP/hang.ini"
$TEST_WRAPPER "$DIGESTD" run --once --config "$TMP/hang.ini" 2>"$TMP/first.log" &
fpid=$!
PIDS="$PIDS $fpid"
wait_grep "mode=hang" "$TMP/sink.log"
run_once "$TMP/hang.ini"
if [ "$RC" -eq 75 ] && grep -q "in use by digestd pid $fpid" "$TMP/err"; then
	pass "two --once on one folder: the second exits 75 naming the first"; else
	fail "two --once on one folder: the second exits 75 naming the first" "exit $RC" \
		"$(head -n 3 "$TMP/err")"; fi
wait_gone $fpid 30
stop_sink
start_sink "$PORT" || exit 1
until_done "$TMP/d.ini"
if [ "$RC" -eq 0 ] && [ "$(titles | sort | uniq -d | wc -l)" -eq 0 ]; then
	pass "after the lock: delivered, no article twice"; else
	fail "after the lock: delivered, no article twice" "exit $RC" "$(titles | sort | uniq -d)"; fi

# ---- a seen-set that cannot be saved: nothing new, nothing twice ----
fresh
: >"$TMP/sink.log"
rm -f "$TMP/articles"/*
new_article before
run_once "$TMP/d.ini"
new_article unseen-one
mkdir "$TMP/state/seen.tmp"
run_once "$TMP/d.ini"
rc1=$RC
grep -q "cannot save the seen-set" "$TMP/err" && said=1 || said=0
new_article unseen-two
run_once "$TMP/d.ini"
rc2=$RC
if [ $rc1 -eq 75 ] && [ $rc2 -eq 75 ] && [ $said -eq 1 ]; then
	pass "seen-set cannot be saved: --once exits 75 and says so"; else
	fail "seen-set cannot be saved: --once exits 75 and says so" "exits $rc1, $rc2" \
		"$(tail -n 3 "$TMP/err")"; fi
rmdir "$TMP/state/seen.tmp"
until_done "$TMP/d.ini"
run_once "$TMP/d.ini"
titles >"$TMP/titles"
# Pushed once, too: a digest whose articles are not yet in the seen-set
# stays in the outbox (a push then, and a recompose after the restart,
# would send it twice; the sink would only drop the repeat by its id).
if [ "$RC" -eq 0 ] && [ "$(sort "$TMP/titles" | uniq -d | wc -l)" -eq 0 ] &&
	grep -q "Story unseen-one" "$TMP/titles" && grep -q "Story unseen-two" "$TMP/titles" &&
	! grep -q "duplicate id=" "$TMP/sink.log"; then
	pass "seen-set saved again: every article delivered once, each digest pushed once"; else
	fail "seen-set saved again: every article delivered once, each digest pushed once" "exit $RC" \
		"in two digests: $(sort "$TMP/titles" | uniq -d | tr '\n' ' ')" \
		"$(grep "duplicate id=" "$TMP/sink.log")"; fi

# ---- a pending list that cannot be saved: the feed's validators wait ----
fresh
rm -f "$TMP/articles"/*
mkdir -p "$TMP/feeds"
rss_feed "$TMP/feeds/news.xml" p1 p2 p3
start_feeds "$TMP/feeds" || exit 1
FEED_URL=https://localhost:$FEED_PORT/feeds/news.xml write_config "$TMP/f.ini"
mkdir -p "$TMP/state"
chmod 0700 "$TMP/state"
mkdir "$TMP/state/pending.tmp"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/f.ini" 2>"$TMP/daemon.log" &
dpid=$!
PIDS="$PIDS $dpid"
wait_grep "cannot save the articles waiting" "$TMP/daemon.log"
sleep 1
kill -KILL $dpid
wait_gone $dpid 40
rmdir "$TMP/state/pending.tmp"
until_done "$TMP/f.ini"
titles >"$TMP/titles"
lost=0
for t in p1 p2 p3; do grep -qx "Story $t" "$TMP/titles" || lost=$((lost + 1)); done
if [ $lost -eq 0 ] && [ "$(sort "$TMP/titles" | uniq -d | wc -l)" -eq 0 ]; then
	pass "pending list not saved, then killed: the feed is fetched again, no article lost"; else
	fail "pending list not saved, then killed: the feed is fetched again, no article lost" \
		"$lost of 3 lost" "$(tail -n 3 "$TMP/feeds.log")"; fi

# ---- a damaged pending list: the validators it covered are dropped ----
fresh
rss_feed "$TMP/feeds/news.xml" c1 c2 c3
MAX_ARTICLES=1 FEED_URL=https://localhost:$FEED_PORT/feeds/news.xml write_config "$TMP/c.ini"
run_once "$TMP/c.ini"
if [ "$RC" -eq 75 ] && [ "$(stored)" -eq 1 ]; then pass "max_articles 1: one digest, two articles wait"; else
	fail "max_articles 1: one digest, two articles wait" "exit $RC, stored $(stored)"; fi
printf 'damaged\n' >"$TMP/state/pending"
run_once "$TMP/c.ini"
cp "$TMP/err" "$TMP/damaged.err"
[ "$RC" -eq 0 ] || until_done "$TMP/c.ini"
titles >"$TMP/titles"
lost=0
for t in c1 c2 c3; do grep -qx "Story $t" "$TMP/titles" || lost=$((lost + 1)); done
# One line says it all: what, where it went, what follows.
if [ "$(grep -c "state/pending: " "$TMP/damaged.err")" -eq 1 ] &&
	grep -q "state/pending: damaged pending list; moved to .*state/pending.corrupt; starting with no articles waiting; every feed is fetched in full at its next poll$" "$TMP/damaged.err"; then
	pass "damaged pending list: one line naming it, where it went and what follows"; else
	fail "damaged pending list: one line naming it, where it went and what follows" \
		"$(grep "state/pending" "$TMP/damaged.err")"; fi
if [ -f "$TMP/state/pending.corrupt" ] && [ $lost -eq 0 ] &&
	[ "$(sort "$TMP/titles" | uniq -d | wc -l)" -eq 0 ]; then
	pass "damaged pending list: moved aside, the feed fetched in full, no article lost"; else
	fail "damaged pending list: moved aside, the feed fetched in full, no article lost" \
		"$lost of 3 lost" "$(tail -n 3 "$TMP/feeds.log")"; fi

# ---- `digestd fetch --source` leaves the daemon's validators alone ----
# It prints what the feed holds now (no conditional GET), and the daemon's
# validators stay as they were: the next poll still brings the new article.
fresh
rss_feed "$TMP/feeds/news.xml" e1 e2
FEED_URL=https://localhost:$FEED_PORT/feeds/news.xml write_config "$TMP/e.ini"
run_once "$TMP/e.ini"
rss_feed "$TMP/feeds/news.xml" e1 e2 e3
grep -h "^etag\|^last_modified" "$TMP"/state/source-*.state >"$TMP/state-before" 2>/dev/null
timeout -k 5 $((30 * SLOW)) $TEST_WRAPPER "$DIGESTD" fetch --config "$TMP/e.ini" --source feed \
	--format json >"$TMP/fetched" 2>"$TMP/err"
fetched=$(grep -c '"title"' "$TMP/fetched")
grep -h "^etag\|^last_modified" "$TMP"/state/source-*.state >"$TMP/state-after" 2>/dev/null
until_done "$TMP/e.ini"
titles >"$TMP/titles"
inm=$(grep "^/feeds/news.xml" "$TMP/feeds.log" | tail -n 1 | cut -f 2)
if [ "$fetched" -eq 3 ] && [ -s "$TMP/state-before" ] && cmp -s "$TMP/state-before" "$TMP/state-after" &&
	grep -qx "Story e3" "$TMP/titles" && [ "$(sort "$TMP/titles" | uniq -d | wc -l)" -eq 0 ] &&
	[ -n "$inm" ] && [ "$inm" != - ]; then
	pass "fetch --source: prints the whole feed, leaves the daemon's validators alone, no article lost"; else
	fail "fetch --source: prints the whole feed, leaves the daemon's validators alone, no article lost" \
		"fetched $fetched of 3, daemon's If-None-Match '$inm'" "$(cat "$TMP/titles")" \
		"$(tail -n 3 "$TMP/err")"; fi
