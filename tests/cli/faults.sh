#!/bin/sh
# SPDX-License-Identifier: MIT
# Faults on the way to the endpoint (issue 4): sink down then up, 500s, 429
# with Retry-After (honoured past retry_max, up to a day), a hanging sink, an
# unknown CA, a wrong host name, a pinned key mismatch, a full disk for the
# outbox, the outbox at its size cap, digestd killed with SIGKILL at random
# moments across 100 cycles, and refusals (401, 400: dead/, --once exit 69).
# A digest is never lost nor stored twice, and every article goes out in
# exactly one digest.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles"
new_article first
start_sink 0 || exit 1
write_config "$TMP/d.ini"

# ---- sink down, then up: the daemon retries until it is back ----
stop_sink
expect_status "sink down: --once exit 75" 75 digestd run --once --config "$TMP/d.ini"
expect_grep "sink down: logged" "digest.*\|push\|connect" "$TMP/err"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon.log" &
pid=$!
PIDS="$PIDS $pid"
sleep 2
start_sink "$PORT" || exit 1
if wait_grep ': delivered' "$TMP/daemon.log" 30; then pass "sink up again: the daemon delivers"; else
	fail "sink up again: the daemon delivers" "$(tail -n 5 "$TMP/daemon.log")"; fi
kill -TERM $pid
wait_gone $pid 40
if [ "$(stored)" -eq 1 ] && [ "$(outbox_entries)" -eq 0 ]; then pass "sink down then up: stored once"; else
	fail "sink down then up: stored once" "stored $(stored), outbox $(outbox_entries)"; fi

# ---- 500s: retried with backoff until accepted ----
stop_sink
start_sink "$PORT" --mode fail500:2 || exit 1
new_article five-hundred
expect_status "500: --once exit 75" 75 digestd run --once --config "$TMP/d.ini"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon2.log" &
pid=$!
PIDS="$PIDS $pid"
wait_grep ': delivered' "$TMP/daemon2.log" 30
kill -TERM $pid
wait_gone $pid 40
if [ "$(grep -c 'mode=fail500 status=500' "$TMP/sink.log")" -eq 2 ] && [ "$(stored)" -eq 2 ]; then
	pass "two 500s, then delivered"; else
	fail "two 500s, then delivered" "stored $(stored)" "$(tail -n 4 "$TMP/sink.log")"; fi

# ---- 429 with Retry-After: the next attempt is not before it ----
stop_sink
start_sink "$PORT" --mode ratelimit:120:1 || exit 1
new_article rate-limited
RETRY_MAX=1h write_config "$TMP/d.ini"
t0=$(date +%s)
expect_status "429: --once exit 75" 75 digestd run --once --config "$TMP/d.ini"
next=$(sed -n 's/^next-attempt: //p' "$TMP"/state/outbox/*.digest)
if [ -n "$next" ] && [ "$next" -ge $((t0 + 120)) ]; then pass "429: next attempt after Retry-After (120 s)"; else
	fail "429: next attempt after Retry-After (120 s)" "next-attempt '$next', start $t0"; fi
# The daemon honours it: nothing is sent before the time has come.
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/d.ini" 2>"$TMP/daemon3.log" &
pid=$!
PIDS="$PIDS $pid"
sleep 2
kill -TERM $pid
wait_gone $pid 40
if [ "$(grep -c 'mode=ratelimit' "$TMP/sink.log")" -eq 1 ] && [ "$(outbox_entries)" -eq 1 ]; then
	pass "429: the daemon waits for Retry-After"; else
	fail "429: the daemon waits for Retry-After" "$(tail -n 3 "$TMP/sink.log")"; fi
expect_status "429 over: --once delivers" 0 digestd run --once --config "$TMP/d.ini"
write_config "$TMP/d.ini"

# ---- a Retry-After past retry_max (2 s here) is honoured, up to a day ----
# retry_after_waits SECONDS WAIT NAME: with the sink answering 429 and
# Retry-After: SECONDS, --once exits 75 and the entry's next attempt is WAIT
# seconds after the push.
retry_after_waits() {
	stop_sink
	start_sink "$PORT" --mode "ratelimit:$1:1" || exit 1
	t0=$(date +%s)
	expect_status "429, Retry-After $1 s: --once exit 75" 75 digestd run --once --config "$TMP/d.ini"
	t1=$(date +%s)
	next=$(sed -n 's/^next-attempt: //p' "$TMP"/state/outbox/*.digest)
	if [ -n "$next" ] && [ "$next" -ge $((t0 + $2)) ] && [ "$next" -le $((t1 + $2)) ]; then
		pass "429: $3"; else fail "429: $3" "next-attempt '$next', start $t0"; fi
	expect_grep "429: the log says $2 s" "HTTP 429, retry in $2 s" "$TMP/err"
}
new_article rate-limited-long
retry_after_waits 7200 7200 "a Retry-After of 2 h beyond retry_max is honoured"
retry_after_waits 1000000 86400 "a Retry-After past a day waits a day"
expect_status "Retry-After over: --once delivers" 0 digestd run --once --config "$TMP/d.ini"

# ---- a hanging sink: the push times out, the digest stays ----
stop_sink
start_sink "$PORT" --mode hang:1 || exit 1
new_article hanging
PUSH_TIMEOUT=2s write_config "$TMP/d.ini"
expect_status "hanging sink: --once times out, exit 75" 75 digestd run --once --config "$TMP/d.ini"
# The push that goes through has the usual timeout: a handshake under
# qemu-user on a loaded machine can take most of 2 s.
write_config "$TMP/d.ini"
expect_status "hanging sink over: --once delivers" 0 digestd run --once --config "$TMP/d.ini"
before=$(stored)

# ---- TLS: unknown CA, wrong host name, pinned key mismatch ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost \
	-keyout "$TMP/other-key.pem" -out "$TMP/other-ca.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=wrong.example -addext subjectAltName=DNS:wrong.example \
	-keyout "$TMP/wrong-key.pem" -out "$TMP/wrong-cert.pem" 2>/dev/null
new_article tls
sed "s|^ca_file = .*|ca_file = $TMP/other-ca.pem|" "$TMP/d.ini" >"$TMP/unknown-ca.ini"
expect_status "unknown CA: exit 75" 75 digestd run --once --config "$TMP/unknown-ca.ini"
expect_grep "unknown CA: logged as a TLS failure" "TLS\|certificate\|SSL" "$TMP/err"
echo "pinned_pubkey = sha256//$(head -c 32 /dev/urandom | base64)" >"$TMP/pin.tmp"
sed "/^\[endpoint\]/r $TMP/pin.tmp" "$TMP/d.ini" >"$TMP/pin.ini"
expect_status "pinned key mismatch: exit 75" 75 digestd run --once --config "$TMP/pin.ini"
expect_grep "pinned key mismatch: logged" "pin\|public key" "$TMP/err"
stop_sink
start_sink "$PORT" --cert "$TMP/wrong-cert.pem" --key "$TMP/wrong-key.pem" || exit 1
sed "s|^ca_file = .*|ca_file = $TMP/wrong-cert.pem|" "$TMP/d.ini" >"$TMP/wrong-host.ini"
expect_status "wrong host name: exit 75" 75 digestd run --once --config "$TMP/wrong-host.ini"
expect_grep "wrong host name: logged" "host\|name\|certificate\|SSL" "$TMP/err"
if [ "$(stored)" -eq "$before" ] && [ "$(outbox_entries)" -eq 1 ]; then
	pass "TLS failures: nothing sent, the digest stays"; else
	fail "TLS failures: nothing sent, the digest stays" "stored $(stored), outbox $(outbox_entries)"; fi
stop_sink
start_sink "$PORT" || exit 1
pin=$(openssl x509 -in "$TMP/tls/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
echo "pinned_pubkey = sha256//$pin" >"$TMP/pin.tmp"
sed "/^\[endpoint\]/r $TMP/pin.tmp" "$TMP/d.ini" >"$TMP/pin.ini"
expect_status "the right pin: delivered" 0 digestd run --once --config "$TMP/pin.ini"
if [ "$(stored)" -eq $((before + 1)) ]; then pass "TLS failures: delivered once when fixed"; else
	fail "TLS failures: delivered once when fixed" "stored $(stored)"; fi

# ---- a full disk for the outbox ----
before=$(stored)
for i in 1 2 3 4 5 6; do new_article "full-$i"; done
# Only the outbox folder is small: the seen-set and source state have room.
mkdir -p "$TMP/state/outbox"
if mount -t tmpfs -o size=4k,mode=0700 tmpfs "$TMP/state/outbox" 2>/dev/null; then
	how="a 4 KiB tmpfs"
	# Its one page taken: not a byte of a digest fits.
	echo x >"$TMP/state/outbox/filler"
	digestd run --once --config "$TMP/d.ini" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	left=$(find "$TMP/state" -name '.tmp-*' -o -name '*.digest')
	umount "$TMP/state/outbox"
else
	how="a file-size limit"
	(trap '' XFSZ && ulimit -f 1 && exec $TEST_WRAPPER "$DIGESTD" run --once --config "$TMP/d.ini") \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	left=$(find "$TMP/state" -name '.tmp-*' -o -name '*.digest')
fi
if [ $rc -eq 75 ] && grep -q "not composed" "$TMP/err"; then pass "full disk ($how): exit 75, said so"; else
	fail "full disk ($how): exit 75, said so" "exit $rc" "$(tail -n 4 "$TMP/err")"; fi
if [ -z "$left" ]; then pass "full disk: no partial outbox entry left"; else
	fail "full disk: no partial outbox entry left" "$left"; fi
expect_status "disk freed: the same articles go out" 0 digestd run --once --config "$TMP/d.ini"
if [ "$(stored)" -eq $((before + 1)) ] && grep -q "^received id=.* articles=6 " "$TMP/sink.log"; then
	pass "full disk: no article lost"; else fail "full disk: no article lost" "$(tail -n 2 "$TMP/sink.log")"; fi

# ---- the outbox at outbox_max: composing pauses, nothing is dropped ----
stop_sink
OUTBOX_MAX=64K write_config "$TMP/cap.ini"
before=$(stored)
i=0
while [ "$(cat "$TMP"/state/outbox/*.digest 2>/dev/null | wc -c)" -lt 65536 ] && [ $i -lt 20 ]; do
	i=$((i + 1))
	for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do new_article "cap-$i-$j"; done
	digestd run --once --config "$TMP/cap.ini" >/dev/null 2>&1
done
queued=$(outbox_entries)
new_article cap-last
expect_status "outbox at its cap: --once exit 75" 75 digestd run --once --config "$TMP/cap.ini"
expect_grep "outbox at its cap: says composing is paused, and which endpoint fills it" \
	"outbox full .*composing paused for every endpoint.*; \[endpoint\] holds [0-9]* bytes" "$TMP/err"
if [ "$(outbox_entries)" -eq "$queued" ]; then pass "outbox at its cap: no digest composed"; else
	fail "outbox at its cap: no digest composed" "$queued -> $(outbox_entries)"; fi
start_sink "$PORT" || exit 1
expect_status "room again: --once delivers everything, exit 0" 0 digestd run --once --config "$TMP/cap.ini"
if [ "$(stored)" -eq $((before + queued + 1)) ] && [ "$(outbox_entries)" -eq 0 ] &&
	grep -l 'Story cap-last' "$TMP"/store/*.json >/dev/null 2>&1; then
	pass "outbox at its cap: every digest and the waiting article delivered"; else
	fail "outbox at its cap: every digest and the waiting article delivered" \
		"stored $before -> $(stored), queued $queued"; fi

# ---- SIGKILL at random moments across 100 cycles ----
rm -rf "$TMP/articles" "$TMP/state" "$TMP/store"
mkdir -p "$TMP/articles"
stop_sink
: >"$TMP/sink.log"
start_sink "$PORT" || exit 1
SCHEDULE=1m write_config "$TMP/k.ini"
cycles=100
: >"$TMP/kill.log"
kill_cycles "$TMP/k.ini" $cycles "$TMP/kill.log"
kills=$KILLS
# Clean runs deliver whatever the kills left behind.
clean_runs "$TMP/k.ini" "$TMP/kill.log"
rc=$RC
sed -n 's/.*digest \(dg_[0-9A-Za-z_]*\) composed.*/\1/p' "$TMP/kill.log" | sort -u >"$TMP/composed"
find "$TMP/store" -name '*.json' | sed 's|.*/||; s|\.json$||' | sort >"$TMP/delivered"
sed -n 's/^received id=\([^ ]*\) .*/\1/p' "$TMP/sink.log" | sort | uniq -d >"$TMP/dups"
redelivered=$(grep -c '^duplicate id=' "$TMP/sink.log")
missing=$(comm -23 "$TMP/composed" "$TMP/delivered" | wc -l)
python3 - "$TMP/store" "$cycles" >"$TMP/articles.out" <<'EOF'
import collections, glob, json, sys
seen = collections.Counter()
for p in glob.glob(sys.argv[1] + "/*.json"):
    for a in json.load(open(p, encoding="utf-8"))["articles"]:
        seen[a["title"]] += 1
want = {"Story k%d-%s" % (i, x) for i in range(1, int(sys.argv[2]) + 1) for x in "ab"}
print(len(want - set(seen)), sum(1 for t in want if seen[t] > 1))
EOF
read -r lost repeated <"$TMP/articles.out"
echo "faults: cycles=$cycles kills=$kills composed=$(wc -l <"$TMP/composed") delivered=$(wc -l <"$TMP/delivered") duplicates=$(wc -l <"$TMP/dups") redelivered=$redelivered lost_articles=$lost repeated_articles=$repeated"
if [ $rc -eq 0 ] && [ "$missing" -eq 0 ] && [ ! -s "$TMP/dups" ] && [ "$lost" -eq 0 ] &&
	[ "$repeated" -eq 0 ]; then
	pass "SIGKILL x$kills over $cycles cycles: every composed digest stored exactly once, every article in one digest"
else
	fail "SIGKILL x$kills over $cycles cycles: every composed digest stored exactly once, every article in one digest" \
		"final run exit $rc, $missing composed but not delivered, $(wc -l <"$TMP/dups") stored twice," \
		"$lost articles lost, $repeated in two digests"
fi
if [ "$(outbox_entries)" -eq 0 ] && [ -z "$(find "$TMP/state" -name '.tmp-*' -o -name '*.tmp')" ] &&
	[ -z "$(find "$TMP/state" -name '*.corrupt')" ]; then
	pass "after the kills: outbox empty, no temporary or corrupt files"; else
	fail "after the kills: outbox empty, no temporary or corrupt files" "$(find "$TMP/state" | head)"; fi
before=$(stored)
expect_status "after the kills: nothing new is digested again" 0 digestd run --once --config "$TMP/k.ini"
if [ "$(stored)" -eq "$before" ]; then pass "after the kills: the seen-set holds"; else
	fail "after the kills: the seen-set holds" "$before -> $(stored)"; fi

# ---- a refusal (401: another signing key) moves the digest to dead/ ----
# --once must not look like success then, nor like "run again later" (75).
(umask 077 && printf 'whsec_%s\n' "$(head -c 32 /dev/urandom | base64)" >"$TMP/otherkey")
sed "s|^signing_key_file = .*|signing_key_file = $TMP/otherkey|" "$TMP/k.ini" >"$TMP/wrongkey.ini"
new_article refused
before=$(stored)
expect_status "401: --once exit 69" 69 digestd run --once --config "$TMP/wrongkey.ini"
expect_grep "401: logged" "refused with HTTP 401" "$TMP/err"
expect_grep "401: the exit status is explained" "exit 69: 1 digest refused, moved to dead/" "$TMP/err"
if [ "$(find "$TMP/state/dead" -name '*.digest' | wc -l)" -eq 1 ] && [ "$(stored)" -eq "$before" ] &&
	[ "$(outbox_entries)" -eq 0 ]; then pass "401: the digest is in dead/, not delivered"; else
	fail "401: the digest is in dead/, not delivered" "$(find "$TMP/state/dead")"; fi
expect_status "after the 401: nothing left, exit 0" 0 digestd run --once --config "$TMP/k.ini"
stop_sink
start_sink "$PORT" --mode reject400 || exit 1
new_article rejected
expect_status "400: --once exit 69" 69 digestd run --once --config "$TMP/k.ini"
