#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd run` as a whole: bad configs, --once end to end against digest-sink
# (signature, sentences as `digestd summarize` picks them, seen-set across
# runs, exit statuses 0 and 75), and the daemon under a fake notify socket:
# READY, STATUS, WATCHDOG, RELOADING, STOPPING, SIGHUP good and bad, SIGUSR1,
# articles waiting for a digest across a restart, and SIGTERM during a
# hanging push (the digest stays queued, then goes once), and a digest on the
# daemon's own one-minute schedule (first into a full outbox disk, retried
# without a busy loop).
. tests/cli/lib.sh
. tests/cli/daemon.lib

# ---- start-up failures ----
# The bad configs' signing key is a systemd credential (as in config.sh).
mkdir -p "$TMP/creds"
cp "$TMP/key" "$TMP/creds/signing-key"
n=0
for ini in tests/config/bad/*.ini; do
	name=$(basename "$ini" .ini)
	n=$((n + 1))
	CREDENTIALS_DIRECTORY=$TMP/creds STATE_DIRECTORY=$TMP/never $TEST_WRAPPER "$DIGESTD" run \
		--config "$ini" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne 78 ]; then
		fail "run, bad config $name: exit 78" "exit $rc" "$(head -c 300 "$TMP/err")"
	elif ! cmp -s "$TMP/err" "${ini%.ini}.expected"; then
		fail "run, bad config $name: check-config's message" "got:  $(cat "$TMP/err")" \
			"want: $(cat "${ini%.ini}.expected")"
	else
		pass "run, bad config $name"
	fi
done
if [ $n -ge 20 ] && [ ! -e "$TMP/never" ]; then pass "$n bad configs refused before any state is made"; else
	fail "$n bad configs refused before any state is made"; fi

expect_status "run: missing config: exit 66" 66 digestd run --config "$TMP/nonexistent.ini"
expect_grep "run: missing config named" "nonexistent.ini" "$TMP/err"
expect_status "run: unknown option: exit 64" 64 digestd run --bogus
printf '[source a]\nurl = %s\n' "$TMP" >"$TMP/nopush.ini"
expect_status "run: no [endpoint]: exit 78" 78 digestd run --config "$TMP/nopush.ini"
expect_grep "run: no [endpoint]: says so" "no \[endpoint\] section" "$TMP/err"

mkdir -p "$TMP/articles"
cp seeds/*.txt "$TMP/articles/"
start_sink 0 || exit 1
touch "$TMP/afile"
write_config "$TMP/d.ini"
sed "s|^state_dir = .*|state_dir = $TMP/afile/state|" "$TMP/d.ini" >"$TMP/nostate.ini"
expect_status "run: state dir cannot be made: exit 73" 73 digestd run --once --config "$TMP/nostate.ini"
expect_grep "run: state dir named" "$TMP/afile/state" "$TMP/err"

# ---- one cycle, end to end ----
digestd run --once --config "$TMP/d.ini" >"$TMP/out" 2>"$TMP/once.log"
rc=$?
if [ $rc -eq 0 ] && [ "$(stored)" -eq 1 ]; then pass "--once: delivered, exit 0"; else
	fail "--once: delivered, exit 0" "exit $rc, $(stored) stored" "$(tail -n 5 "$TMP/once.log")"; fi
expect_grep "the sink verified the signature" "^received id=dg_[0-9a-f]\{32\} bytes=[0-9]* articles=8 status=200" \
	"$TMP/sink.log"
if [ "$(outbox_entries)" -eq 0 ]; then pass "--once: outbox empty after delivery"; else
	fail "--once: outbox empty after delivery"; fi
expect_grep "--once: log lines carry timestamps" "^20[0-9-]* [0-9:]* digestd started" "$TMP/once.log"

# Each article's sentences are what `digestd summarize -n 3` picks for its file.
for f in "$TMP"/articles/*.txt; do
	digestd summarize -n 3 --format json "$f"
done >"$TMP/summaries.jsonl"
if python3 - "$TMP/store" "$TMP/summaries.jsonl" >"$TMP/cmp" 2>&1 <<'EOF'; then
import glob, json, sys
norm = lambda s: " ".join(s.split())
want = {}
for line in open(sys.argv[2], encoding="utf-8"):
    r = json.loads(line)
    want[norm(r["title"])] = (r["lang"], [norm(p["text"]) for p in r["summary"]])
(path,) = glob.glob(sys.argv[1] + "/*.json")
d = json.load(open(path, encoding="utf-8"))
assert d["schema"] == "digestd.digest/2", d["schema"]
assert d["id"] and d["created"] and d["host"] and d["generator"].startswith("digestd")
assert len(d["articles"]) == len(want), (len(d["articles"]), len(want))
for a in d["articles"]:
    assert a["source"] == "articles", a["source"]
    got = (a["lang"], [norm(s) for s in a["sentences"]])
    assert got == want[norm(a["title"])], (a["title"], got, want[norm(a["title"])])
print("ok", len(d["articles"]))
EOF
	pass "digest sentences equal digestd summarize -n 3 ($(cat "$TMP/cmp"))"
else
	fail "digest sentences equal digestd summarize -n 3" "$(tail -n 5 "$TMP/cmp")"
fi

expect_status "--once again: nothing new, exit 0" 0 digestd run --once --config "$TMP/d.ini"
if [ "$(stored)" -eq 1 ]; then pass "seen-set: no article digested twice across runs"; else
	fail "seen-set: no article digested twice across runs" "$(stored) digests stored"; fi

# ---- exit 75 while the endpoint fails, then delivery exactly once ----
stop_sink
start_sink "$PORT" --mode fail500 || exit 1
sed 's/^Title: .*/Title: A story added later/' seeds/001_philae-lands-on-comet.txt >"$TMP/articles/later.txt"
expect_status "--once: sink answers 500: exit 75" 75 digestd run --once --config "$TMP/d.ini"
if [ "$(outbox_entries)" -eq 1 ] && [ "$(stored)" -eq 1 ]; then pass "a failed push stays in the outbox"; else
	fail "a failed push stays in the outbox" "outbox $(outbox_entries), stored $(stored)"; fi
expect_status "--once: still 500: exit 75" 75 digestd run --once --config "$TMP/d.ini"
queued=$(sed -n 's/^id: //p' "$TMP"/state/outbox/*.digest 2>/dev/null)
stop_sink
start_sink "$PORT" || exit 1
expect_status "--once: sink back: exit 0" 0 digestd run --once --config "$TMP/d.ini"
if [ "$(stored)" -eq 2 ] && [ -f "$TMP/store/$queued.json" ] && [ "$(outbox_entries)" -eq 0 ]; then
	pass "the queued digest is delivered once, under its first id"; else
	fail "the queued digest is delivered once, under its first id" "stored $(stored), id '$queued'"; fi

# ---- the daemon under systemd's notify protocol ----
notify_start "$TMP/notify.sock"
NOTIFY_SOCKET=$TMP/notify.sock WATCHDOG_USEC=400000 JOURNAL_STREAM=8:1234 \
	$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon.log" &
pid=$!
PIDS="$PIDS $pid"
if wait_grep '^READY=1$' "$TMP/notify.log"; then pass "notify: READY=1"; else fail "notify: READY=1"; fi
if wait_grep '^STATUS=idle' "$TMP/notify.log"; then pass "notify: STATUS="; else
	fail "notify: STATUS=" "$(cat "$TMP/notify.log")"; fi
if wait_count 3 '^WATCHDOG=1$' "$TMP/notify.log"; then pass "notify: WATCHDOG=1 pings"; else
	fail "notify: WATCHDOG=1 pings" "$(cat "$TMP/notify.log")"; fi
expect_grep "journal mode: <6> prefixes" "^<6>digestd started" "$TMP/daemon.log"

kill -USR1 $pid
if wait_grep 'status: 1 sources, [0-9]* articles waiting, outbox 0 digests' "$TMP/daemon.log"; then
	pass "SIGUSR1: one status line"; else fail "SIGUSR1: one status line" "$(tail -n 3 "$TMP/daemon.log")"; fi

LOG_LEVEL=debug write_config "$TMP/d.ini"
kill -HUP $pid
if wait_grep 'reloaded' "$TMP/daemon.log"; then pass "SIGHUP: reloaded"; else
	fail "SIGHUP: reloaded" "$(tail -n 3 "$TMP/daemon.log")"; fi
if wait_count 2 '^READY=1$' "$TMP/notify.log" &&
	grep -q '^RELOADING=1 MONOTONIC_USEC=[0-9][0-9]*$' "$TMP/notify.log"; then
	pass "notify: RELOADING=1 with MONOTONIC_USEC, then READY=1"; else
	fail "notify: RELOADING=1 with MONOTONIC_USEC, then READY=1" "$(grep -v WATCHDOG "$TMP/notify.log")"; fi

sed -i 's/^\[daemon\]$/[daemon]\nbogus_key = 1/' "$TMP/d.ini"
kill -HUP $pid
if wait_grep 'reload failed' "$TMP/daemon.log" && kill -0 $pid 2>/dev/null; then
	pass "SIGHUP, broken config: keeps running"; else
	fail "SIGHUP, broken config: keeps running" "$(tail -n 3 "$TMP/daemon.log")"; fi
expect_grep "SIGHUP, broken config: logs why" "d.ini:[0-9]*: .*bogus_key" "$TMP/daemon.log"
wait_count 3 '^READY=1$' "$TMP/notify.log"
n_ready=$(grep -c '^READY=1$' "$TMP/notify.log")
kill -USR1 $pid
if wait_grep 'status:.*since start' "$TMP/daemon.log" && [ "$n_ready" -eq 3 ]; then
	pass "after a failed reload: still serving, READY=1 again"; else
	fail "after a failed reload: still serving, READY=1 again" "READY x$n_ready"; fi
# A new seen_capacity waits for a restart: the set in memory is not read
# again at another size on a reload (a failed read would empty it).
write_config "$TMP/d.ini"
sed -i 's/^\[digest\]$/[digest]\nseen_capacity = 128/' "$TMP/d.ini"
kill -HUP $pid
if wait_count 2 'reloaded' "$TMP/daemon.log" &&
	grep -q "reload: seen_capacity changes only on restart; still 4096" "$TMP/daemon.log"; then
	pass "SIGHUP, new seen_capacity: kept until a restart, said once"; else
	fail "SIGHUP, new seen_capacity: kept until a restart, said once" "$(tail -n 3 "$TMP/daemon.log")"; fi
write_config "$TMP/d.ini"

kill -TERM $pid
if wait_gone $pid 40 && [ "$RC" -eq 0 ]; then pass "SIGTERM: exit 0"; else fail "SIGTERM: exit 0" "status ${RC:-?}"; fi
# The listener, another process, may write the datagram after the daemon
# has exited: waited for.
if wait_grep '^STOPPING=1$' "$TMP/notify.log" 10; then pass "notify: STOPPING=1"; else
	fail "notify: STOPPING=1" "$(grep -v WATCHDOG "$TMP/notify.log")"; fi

# An abstract notify address (systemd's own form for some managers).
notify_start "@digestd-test-$$"
NOTIFY_SOCKET=@digestd-test-$$ $TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon2.log" &
pid=$!
PIDS="$PIDS $pid"
if wait_grep '^READY=1$' "$TMP/notify.log"; then pass "notify: abstract socket address"; else
	fail "notify: abstract socket address" "$(tail -n 3 "$TMP/daemon2.log")"; fi
kill -TERM $pid
wait_gone $pid 40

# ---- articles polled but not yet digested survive a restart ----
# (a feed answering 304 would not offer them again: here the file goes away)
sed 's/^Title: .*/Title: A story taken before a restart/' seeds/003_notre-dame-fire.txt \
	>"$TMP/articles/restart.txt"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon4.log" &
pid=$!
PIDS="$PIDS $pid"
wait_grep 'source articles: 1 new articles' "$TMP/daemon4.log"
kill -TERM $pid
wait_gone $pid 40
rm "$TMP/articles/restart.txt"
before=$(stored)
expect_status "restart: --once exit 0" 0 digestd run --once --config "$TMP/d.ini"
expect_grep "restart: the waiting article is remembered" "1 articles from before the restart" "$TMP/err"
if [ "$(stored)" -eq $((before + 1)) ] &&
	grep -l 'A story taken before a restart' "$TMP"/store/*.json >/dev/null 2>&1; then
	pass "restart: the waiting article goes out in the next digest"; else
	fail "restart: the waiting article goes out in the next digest" "stored $before -> $(stored)"; fi

# ---- SIGTERM during a push ----
stop_sink
sed 's/^Title: .*/Title: A story for the hanging sink/' seeds/002_channel-tunnel-opens.txt \
	>"$TMP/articles/hang.txt"
expect_status "--once: sink down: exit 75" 75 digestd run --once --config "$TMP/d.ini"
queued=$(sed -n 's/^id: //p' "$TMP"/state/outbox/*.digest 2>/dev/null)
before=$(stored)
start_sink "$PORT" --mode hang || exit 1
# The push would wait 120 s for its answer; "at once" is well inside that.
# The margin is wide: the stop commits the seen-set, whose fsync a disk
# busy with other tests' writes has stalled for over 10 s (as in loop.sh).
PUSH_TIMEOUT=$((120 * SLOW))s write_config "$TMP/d.ini"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon3.log" &
pid=$!
PIDS="$PIDS $pid"
if wait_grep "mode=hang: holding the answer" "$TMP/sink.log"; then
	sent=$(date +%s)
	kill -TERM $pid
	if wait_gone $pid 40 && [ "$RC" -eq 0 ]; then
		pass "SIGTERM during a push: exit 0 at once (after $(($(date +%s) - sent)) s)"
	else
		fail "SIGTERM during a push: exit 0 at once" "status ${RC:-still running}" \
			"$(tail -n 3 "$TMP/daemon3.log")"
	fi
else
	fail "SIGTERM during a push: the push started" "$(tail -n 3 "$TMP/daemon3.log")"
fi
if [ "$(outbox_entries)" -eq 1 ] && [ -z "$(find "$TMP/state" -name '.tmp-*' -o -name '*.tmp')" ]; then
	pass "SIGTERM during a push: digest still queued, no temporary files"; else
	fail "SIGTERM during a push: digest still queued, no temporary files" "$(ls -la "$TMP/state/outbox")"; fi
stop_sink
start_sink "$PORT" || exit 1
expect_status "after SIGTERM: --once delivers, exit 0" 0 digestd run --once --config "$TMP/d.ini"
if [ "$(stored)" -eq $((before + 1)) ] && [ -f "$TMP/store/$queued.json" ] &&
	[ "$(grep -c "^received id=$queued " "$TMP/sink.log")" -eq 1 ]; then
	pass "the interrupted digest is delivered exactly once"; else
	fail "the interrupted digest is delivered exactly once" "stored $(stored), id '$queued'"; fi

# ---- a digest on the daemon's own schedule (the shortest: one minute) ----
stop_sink
start_sink "$PORT" || exit 1
sed 's/^Title: .*/Title: A story for the schedule/' seeds/004_gotthard-base-tunnel-opens.txt \
	>"$TMP/articles/scheduled.txt"
before=$(stored)
SCHEDULE=1m write_config "$TMP/d.ini"
# Where a tmpfs can be mounted, the outbox starts full: the digest due must be
# retried every retry_base (1 s here), not in a busy loop, until there is room.
mkdir -p "$TMP/state/outbox"
full=no
if mount -t tmpfs -o size=4k,mode=0700 tmpfs "$TMP/state/outbox" 2>/dev/null; then
	echo x >"$TMP/state/outbox/filler"
	full=yes
fi
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon5.log" &
pid=$!
PIDS="$PIDS $pid"
if [ $full = yes ]; then
	wait_grep 'not composed' "$TMP/daemon5.log" 120
	sleep 3
	tries=$(grep -c 'not composed' "$TMP/daemon5.log")
	if [ "$tries" -ge 1 ] && [ "$tries" -le 10 ]; then
		pass "disk full in the daemon: composing retried after retry_base ($tries tries in 3 s)"; else
		fail "disk full in the daemon: composing retried after retry_base" "$tries tries in 3 s"; fi
	rm "$TMP/state/outbox/filler"
fi
if wait_grep ': delivered' "$TMP/daemon5.log" 120; then
	pass "schedule 1m: the daemon composes and pushes on time"; else
	fail "schedule 1m: the daemon composes and pushes on time" "$(tail -n 3 "$TMP/daemon5.log")"; fi
# A SIGUSR1 handled in the loop round that saw the 2xx finds the push pass
# still walking the outbox (its next step due at once: "in 0s"); once the
# pass ends, the next wake-up is the next digest. Asked again until then.
asked=0
while [ $asked -lt 10 ]; do
	asked=$((asked + 1))
	kill -USR1 $pid
	wait_count $asked 'status:.*1 digests composed, 1 delivered' "$TMP/daemon5.log"
	grep 'status:' "$TMP/daemon5.log" | tail -n 1 | grep -q 'next wake-up in 0s' || break
	sleep 1
done
if grep 'status:' "$TMP/daemon5.log" | tail -n 1 |
	grep -q 'status: 1 sources, 0 articles waiting, outbox 0 digests (0 bytes), next wake-up in [1-6][0-9]s'; then
	pass "schedule 1m: the next digest is the next wake-up"; else
	fail "schedule 1m: the next digest is the next wake-up" "$(grep status: "$TMP/daemon5.log")"; fi
kill -TERM $pid
wait_gone $pid 40
[ $full = yes ] && umount "$TMP/state/outbox"
if [ "$(stored)" -eq $((before + 1)) ]; then pass "schedule 1m: one digest"; else
	fail "schedule 1m: one digest" "stored $before -> $(stored)"; fi
