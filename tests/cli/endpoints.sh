#!/bin/sh
# SPDX-License-Identifier: MIT
# Two endpoints ([endpoint] and [endpoint b]), each a digest-sink: with b
# down for several cycles, the first still gets each digest at once and b's
# copies wait in outbox/b (exit 75); once b is up, it gets every one, and
# each endpoint holds each digest exactly once. Then SIGKILL at random
# moments across cycles, b down for the first half: still every composed
# digest once at each endpoint, every article in one digest. A webhook-id
# pushed again after a kill (the 2xx came, the entry was not removed yet)
# is stored once by the receiver, as Standard Webhooks receivers do:
# "duplicate id=" in its log. Last, SIGHUP adds an endpoint (its outbox
# made) and refuses a broken one, still running.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles" "$TMP/b"
start_sink 0 || exit 1

# start_b [PORT]: a second digest-sink with its own store ($TMP/b/store), the
# same certificate and key; sets B_PORT and B_PID.
start_b() {
	rm -f "$TMP/b/ready"
	$TEST_WRAPPER "$SINK" --cert "$TMP/tls/cert.pem" --key "$TMP/tls/key.pem" \
		--store "$TMP/b/store" --signing-key "$TMP/key" --port "${1:-0}" \
		--ready-file "$TMP/b/ready" >>"$TMP/b/sink.log" 2>&1 &
	B_PID=$!
	PIDS="$PIDS $B_PID"
	wait_grep . "$TMP/b/ready" 20 || { echo "second digest-sink did not start"; return 1; }
	B_PORT=$(cat "$TMP/b/ready")
}
stop_b() {
	kill "$B_PID" 2>/dev/null
	wait "$B_PID" 2>/dev/null
}
stored_b() {
	find "$TMP/b/store" -name '*.json' 2>/dev/null | wc -l | tr -d ' '
}
ids() {
	find "$1" -name '*.json' 2>/dev/null | sed 's|.*/||; s|\.json$||' | sort
}

# b's port is learnt from a first start, then nothing listens there.
start_b || exit 1
stop_b
write_config "$TMP/d.ini" "" "[endpoint b]" "url = https://localhost:$B_PORT/digest" \
	"ca_file = $TMP/tls/cert.pem" "signing_key_file = $TMP/key" "retry_base = 1s" \
	"retry_max = 2s"

expect_status "two endpoints: check-config accepts them" 0 digestd check-config --config "$TMP/d.ini"
expect_grep "two endpoints: check-config shows [endpoint b]" '^\[endpoint b\]$' "$TMP/out"

# ---- b down for three cycles, then up ----
for i in 1 2 3; do
	new_article "down-$i"
	expect_status "b down, cycle $i: exit 75 (b's copy waits)" 75 \
		digestd run --once --config "$TMP/d.ini"
done
if [ "$(stored)" -eq 3 ] && [ "$(stored_b)" -eq 0 ]; then
	pass "b down: the first endpoint got each of the 3 digests at once"; else
	fail "b down: the first endpoint got each of the 3 digests at once" \
		"first $(stored), b $(stored_b)"; fi
n=$(find "$TMP/state/outbox/b" -name '*.digest' | wc -l)
if [ "$n" -eq 3 ] && [ "$(find "$TMP/state/outbox" -maxdepth 1 -name '*.digest' | wc -l)" -eq 0 ]; then
	pass "b down: its 3 copies wait in outbox/b, none in outbox/"; else
	fail "b down: its 3 copies wait in outbox/b, none in outbox/" "$(find "$TMP/state/outbox")"; fi
start_b "$B_PORT" || exit 1
expect_status "b up: exit 0" 0 digestd run --once --config "$TMP/d.ini"
ids "$TMP/store" >"$TMP/ids-a"
ids "$TMP/b/store" >"$TMP/ids-b"
if [ "$(wc -l <"$TMP/ids-a")" -eq 3 ]; then
	expect_same "b up: it got the same 3 digests as the first endpoint" "$TMP/ids-b" "$TMP/ids-a"
else
	fail "b up: it got the same 3 digests as the first endpoint" "first has $(wc -l <"$TMP/ids-a")"
fi
twice() {
	sed -n 's/^received id=\([^ ]*\) .*/\1/p' "$1" | sort | uniq -d | wc -l
}
if [ "$(twice "$TMP/sink.log")" -eq 0 ] && [ "$(twice "$TMP/b/sink.log")" -eq 0 ] &&
	! grep -q '^duplicate id=' "$TMP/sink.log" "$TMP/b/sink.log"; then
	pass "b down then up: each endpoint was sent each digest once"; else
	fail "b down then up: each endpoint was sent each digest once" "$(cat "$TMP/sink.log" "$TMP/b/sink.log")"; fi

# ---- SIGKILL at random moments across the deliveries, b down for half ----
half=$((10 / SLOW + 3))
cycles=$((2 * half))
: >"$TMP/kill.log"
stop_b
kill_cycles "$TMP/d.ini" $half "$TMP/kill.log" k
kills=$KILLS
start_b "$B_PORT" || exit 1
kill_cycles "$TMP/d.ini" $half "$TMP/kill.log" l
kills=$((kills + KILLS))
clean_runs "$TMP/d.ini" "$TMP/kill.log"
sed -n 's/.*digest \(dg_[0-9A-Za-z_]*\) composed.*/\1/p' "$TMP/kill.log" | sort -u >"$TMP/composed"
ids "$TMP/store" >"$TMP/ids-a"
ids "$TMP/b/store" >"$TMP/ids-b"
dups=$(twice "$TMP/sink.log")
dups_b=$(twice "$TMP/b/sink.log")
python3 - "$TMP/store" "$TMP/b/store" "$half" >"$TMP/articles.out" <<'EOF'
import collections, glob, json, sys
out = []
for store in sys.argv[1:3]:
    seen = collections.Counter()
    for p in glob.glob(store + "/*.json"):
        for a in json.load(open(p, encoding="utf-8"))["articles"]:
            seen[a["title"]] += 1
    want = {"Story %s%d-%s" % (p, i, x) for p in "kl" for i in range(1, int(sys.argv[3]) + 1)
            for x in "ab"}
    out += [len(want - set(seen)), sum(1 for t in want if seen[t] > 1)]
print(*out)
EOF
read -r lost repeated lost_b repeated_b <"$TMP/articles.out"
# A kill between a digest's outbox writes and its "composed" line leaves it
# unsaid (the next start finds it in every outbox and settles it): every
# digest said composed was delivered, and both endpoints got the same ones.
missing=$({ comm -23 "$TMP/composed" "$TMP/ids-a"; comm -23 "$TMP/composed" "$TMP/ids-b"; } | wc -l)
echo "endpoints: cycles=$cycles kills=$kills composed=$(wc -l <"$TMP/composed") first=$(wc -l <"$TMP/ids-a") b=$(wc -l <"$TMP/ids-b") redelivered=$(grep -c '^duplicate id=' "$TMP/sink.log" "$TMP/b/sink.log" | tr '\n' ' ')"
if [ "$RC" -eq 0 ] && [ "$dups" -eq 0 ] && [ "$dups_b" -eq 0 ] && [ "$missing" -eq 0 ] &&
	cmp -s "$TMP/ids-a" "$TMP/ids-b"; then
	pass "SIGKILL x$kills over $cycles cycles: each endpoint stored every composed digest exactly once"
else
	fail "SIGKILL x$kills over $cycles cycles: each endpoint stored every composed digest exactly once" \
		"final run exit $RC, stored twice: $dups and $dups_b, composed but not at both: $missing" \
		"$(diff "$TMP/ids-a" "$TMP/ids-b" | head -5)"
fi
if [ "$lost" -eq 0 ] && [ "$repeated" -eq 0 ] && [ "$lost_b" -eq 0 ] && [ "$repeated_b" -eq 0 ]; then
	pass "after the kills: every article in exactly one digest, at each endpoint"; else
	fail "after the kills: every article in exactly one digest, at each endpoint" \
		"first: $lost lost, $repeated repeated; b: $lost_b lost, $repeated_b repeated"; fi
if [ -z "$(find "$TMP/state/outbox" "$TMP/state/dead" -type f)" ]; then
	pass "after the kills: both outboxes empty, nothing dead"; else
	fail "after the kills: both outboxes empty, nothing dead" "$(find "$TMP/state/outbox" "$TMP/state/dead" -type f | head)"; fi

# ---- SIGHUP adds an endpoint; a reload with a broken one keeps the running set ----
rm -rf "$TMP/state"
write_config "$TMP/r.ini"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/r.ini" 2>"$TMP/r.log" &
pid=$!
PIDS="$PIDS $pid"
# The waits are wide (loop.sh says why); each passes as soon as its line is there.
if wait_grep 'digestd started' "$TMP/r.log" 40; then
	printf '[endpoint c]\nurl = https://localhost:%s/digest\nca_file = %s\nsigning_key_file = %s\n' \
		"$B_PORT" "$TMP/tls/cert.pem" "$TMP/key" >>"$TMP/r.ini"
	kill -HUP $pid
	if wait_grep 'reloaded .*: 1 sources, 2 endpoints' "$TMP/r.log" 40 && [ -d "$TMP/state/outbox/c" ] &&
		[ -d "$TMP/state/dead/c" ]; then
		pass "SIGHUP: [endpoint c] added, its outbox made"; else
		fail "SIGHUP: [endpoint c] added, its outbox made" "$(tail -n 3 "$TMP/r.log")"; fi
	printf '[endpoint d]\nurl = https://localhost:%s/digest\nsigning_key_file = %s/missing\n' \
		"$B_PORT" "$TMP" >>"$TMP/r.ini"
	kill -HUP $pid
	if wait_grep 'reload failed' "$TMP/r.log" 40 && grep -q '\[endpoint d\] signing_key_file' "$TMP/r.log" &&
		[ ! -d "$TMP/state/outbox/d" ] && kill -0 $pid 2>/dev/null; then
		pass "SIGHUP with a broken [endpoint d]: refused, named, still running"; else
		fail "SIGHUP with a broken [endpoint d]: refused, named, still running" "$(tail -n 3 "$TMP/r.log")"; fi
	kill -TERM $pid
	wait_gone $pid 40
else
	fail "daemon with one endpoint: started" "$(tail -n 3 "$TMP/r.log")"
fi
