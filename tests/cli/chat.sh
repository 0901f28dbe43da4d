#!/bin/sh
# SPDX-License-Identifier: MIT
# Each chat kind (ntfy, matrix, slack, discord, telegram) through the daemon,
# against tests/cli/fake_service.py beside the webhook [endpoint]: `run
# --once` delivers every part of each digest exactly once and in order (the
# fake counts bodies by SHA-256 and, for Matrix, by txnId); a digest too big
# for one message arrives as n numbered parts; a rate-limit answer is
# retried after its wait and the part still arrives once; SIGKILL across
# multi-part deliveries then clean runs: every article in exactly one
# delivered part; the endpoints take turns, one push each.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles"
start_sink 0 || exit 1
TOKEN=tok123abc
BOT=123456:ABC-def_tok
(umask 077 && printf '%s\n' "$TOKEN" >"$TMP/token" && printf '%s\n' "$BOT" >"$TMP/bot")

# start_fake KIND [LIMIT]: the fake of KIND on a free port, its log emptied;
# sets F_PORT and F_PID.
start_fake() {
	rm -f "$TMP/f.ready"
	: >"$TMP/f.log"
	tok=$TOKEN
	[ "$1" = telegram ] && tok=$BOT
	python3 tests/cli/fake_service.py --kind "$1" --cert "$TMP/tls/cert.pem" \
		--key "$TMP/tls/key.pem" --ready "$TMP/f.ready" --log "$TMP/f.log" \
		--token "$tok" --limit "${2:-0}" 2>>"$TMP/f.err" &
	F_PID=$!
	PIDS="$PIDS $F_PID"
	wait_grep . "$TMP/f.ready" 20 || { echo "fake $1 did not start"; return 1; }
	F_PORT=$(cat "$TMP/f.ready")
}
# stop_fake: ends the fake; its SIGTERM status is not the script's.
stop_fake() {
	kill "$F_PID" 2>/dev/null
	wait "$F_PID" 2>/dev/null
	return 0
}

# config KIND: $TMP/c.ini, the webhook [endpoint] and [endpoint chat] of KIND
# on the fake; a fresh state folder, no articles.
config() {
	rm -rf "$TMP/state" "$TMP/articles"
	mkdir -p "$TMP/articles"
	base="https://localhost:$F_PORT"
	case $1 in
	ntfy) set -- ntfy "url = $base/digests" "token_file = $TMP/token" "subject = News {count}" ;;
	matrix) set -- matrix "url = $base" "room = !room:example.org" "token_file = $TMP/token" ;;
	slack | discord)
		p=/services/T000/B000/$TOKEN
		[ "$1" = discord ] && p=/api/webhooks/1/$TOKEN
		(umask 077 && printf '%s%s\n' "$base" "$p" >"$TMP/url")
		set -- "$1" "url_file = $TMP/url" ;;
	telegram) set -- telegram "url = $base" "chat_id = 42" "token_file = $TMP/bot" ;;
	esac
	kind=$1
	shift
	write_config "$TMP/c.ini" "" "[endpoint chat]" "kind = $kind" \
		"ca_file = $TMP/tls/cert.pem" "retry_base = 1s" "retry_max = 4s" "$@"
}

# chat_left: the entries in outbox/chat, the chat endpoint's outbox.
chat_left() { find "$TMP/state/outbox/chat" -name '*.digest' | wc -l; }

# check NAME [MIN_PARTS] [dedupe]: from the fake's log, the delivered
# messages: no body twice (with dedupe: a body again is dropped, as a
# receiver that keeps what it has would, and counted in DUPS), each
# digest's parts complete and in order (at least MIN_PARTS in one digest),
# every article title in exactly one message; outbox/chat empty. The
# articles are the files in $TMP/articles.
check() {
	ls "$TMP/articles" | sed 's/\.txt$//' >"$TMP/names"
	left=$(chat_left)
	if why=$(python3 - "$TMP/f.log" "$TMP/names" "${2:-1}" "${3:-}" 2>&1 <<'EOF'
import json, re, sys
log = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
names = open(sys.argv[2]).read().split()
ok = [r for r in log if 200 <= r["status"] < 300]
if sys.argv[4]:
    seen, kept = set(), []
    for r in ok:
        if r["sha"] not in seen:
            seen.add(r["sha"])
            kept.append(r)
    print("%d sent again" % (len(ok) - len(kept)))
    ok = kept
shas = [r["sha"] for r in ok]
txns = [json.loads(r["note"])["txn"] for r in ok if r["kind"] == "matrix"]
if len(set(shas)) != len(shas) or len(set(txns)) != len(txns):
    sys.exit("a message delivered twice: %d of %d distinct" % (len(set(shas)), len(shas)))
want, most = None, 1
for r in ok:  # the parts of one digest in a row: 1/n .. n/n
    k, n = map(int, r["part"].split("/")) if r["part"] else (1, 1)
    if want is None and k != 1 or want is not None and (k, n) != want:
        sys.exit("part %d/%d out of order (wanted %s)" % (k, n, want))
    most = max(most, n)
    want = None if k == n else (k + 1, n)
if want is not None:
    sys.exit("a digest's parts stop before %d/%d" % want)
if most < int(sys.argv[3]):
    sys.exit("no digest in %s parts or more (at most %d)" % (sys.argv[3], most))
for name in names:
    c = sum(len(re.findall(r"Story %s(?![\w-])" % re.escape(name), r["text"])) > 0 for r in ok)
    if c != 1:
        sys.exit("Story %s in %d messages" % (name, c))
EOF
	) && [ "$left" -eq 0 ]; then pass "$1"; else fail "$1" "$why" "outbox/chat holds $left"; fi
}

for kind in ntfy matrix slack discord telegram; do
	start_fake "$kind" || exit 1
	config "$kind"
	expect_status "$kind: check-config accepts the endpoint" 0 digestd check-config --config "$TMP/c.ini"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
		new_article "$kind-$i"
	done
	expect_status "$kind: run --once delivers (exit 0)" 0 digestd run --once --config "$TMP/c.ini"
	min=1
	case $kind in ntfy | discord | telegram) min=2 ;; esac
	check "$kind: 24 articles, each in one message, every part once and in order" "$min"
	# A second run sends nothing again.
	n=$(grep -c '"status": 20' "$TMP/f.log")
	expect_status "$kind: run --once again: exit 0" 0 digestd run --once --config "$TMP/c.ini"
	if [ "$(grep -c '"status": 20' "$TMP/f.log")" -eq "$n" ]; then
		pass "$kind: nothing is sent twice by a second run"; else
		fail "$kind: nothing is sent twice by a second run"; fi
	stop_fake
done

# ---- the endpoints take turns, one push each ----
# [endpoint chat] (ntfy, a digest in several parts) before [endpoint hook]
# (a webhook to the sink): the hook's digest goes after chat's part 1, not
# after chat's last part, so that a service slow to answer (each part up to
# its timeout) holds the others for one push, not for its whole outbox.
start_fake ntfy || exit 1
config ntfy
printf '[endpoint hook]\nurl = https://localhost:%s/digest\nca_file = %s\nsigning_key_file = %s\n' \
	"$PORT" "$TMP/tls/cert.pem" "$TMP/key" >>"$TMP/c.ini"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
	new_article "turn-$i"
done
expect_status "turns: run --once delivers (exit 0)" 0 digestd run --once --config "$TMP/c.ini"
turns=$(grep -o 'to \[endpoint [a-z]*\]: delivered' "$TMP/err" | sed 's/.*endpoint \([a-z]*\).*/\1/' |
	tr '\n' ' ')
case $turns in
"chat hook chat "*) pass "turns: [endpoint hook] delivered after chat's part 1, before its part 2" ;;
*) fail "turns: [endpoint hook] delivered after chat's part 1, before its part 2" "order: $turns" ;;
esac
check "turns: chat's parts each once and in order" 2
stop_fake

# ---- Telegram's 429 with parameters.retry_after (3 s, retry_base 1 s) ----
# run --once tries every entry whatever its wait; the retry's time is the
# one the answer asked for.
start_fake telegram 1 || exit 1
config telegram
new_article rl-1
expect_status "telegram 429: run --once exits 75 (the part waits)" 75 \
	digestd run --once --config "$TMP/c.ini"
expect_grep "telegram 429: the rate limit answered" '"status": 429' "$TMP/f.log"
expect_grep "telegram 429: the retry comes after its retry_after (3 s)" \
	'HTTP 429, retry in 3 s' "$TMP/err"
expect_status "telegram 429: the next run delivers (exit 0)" 0 \
	digestd run --once --config "$TMP/c.ini"
check "telegram 429: the part delivered once"
stop_fake

# ---- SIGKILL across multi-part deliveries (Discord: 2,000 characters) ----
start_fake discord || exit 1
config discord
for i in 1 2 3 4 5 6 7 8; do new_article "pre-$i"; done
kill_cycles "$TMP/c.ini" 8 "$TMP/kill.log"
clean_runs "$TMP/c.ini" "$TMP/kill.log"
expect_status_rc() { if [ "$RC" -eq 0 ]; then pass "$1"; else fail "$1" "exit $RC"; fi; }
expect_status_rc "SIGKILL x8 ($KILLS landed), then clean runs: exit 0"
check "SIGKILL x8: every article in exactly one delivered part, each part kept once" 1 dedupe
echo "  SIGKILL x8: $why"
stop_fake

# ---- a digest composed again after a crash: its parts still in order ----
# The seen-set cannot be saved (seen.tmp a folder): the digest is written,
# its parts wait unsettled; then, as if the crash came after its first
# part's write, the later parts are removed. The next run holds part 1
# until the digest is composed again (its parts written again, settled),
# then sends part 1 before part 2 (the push pass resumed after part 1
# sent part 2 first, part 1 a run later).
# held_digest NAME: the fake of Discord and its config, 16 articles NAME-k,
# and a run whose digest is written with its parts held (the seen-set
# cannot be saved: seen.tmp a folder, removed after); its log $TMP/NAME.log.
held_digest() {
	start_fake discord || exit 1
	config discord
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do new_article "$1-$i"; done
	mkdir -p "$TMP/state/seen.tmp"
	chmod 0700 "$TMP/state"
	digestd run --once --config "$TMP/c.ini" >/dev/null 2>"$TMP/$1.log"
	rmdir "$TMP/state/seen.tmp"
}
held_digest again
parts=$(chat_left)
find "$TMP/state/outbox/chat" -name '*-[2-9].digest' -delete
check_parts() {
	[ "$parts" -ge 2 ] && [ "$(grep -c '"status": 20' "$TMP/f.log")" -eq 0 ] &&
		[ "$(chat_left)" -eq 1 ]
}
if check_parts; then pass "seen-set not saved: the digest's $parts parts wait; its later parts removed"; else
	fail "seen-set not saved: the digest's parts wait; its later parts removed" "$parts parts" \
		"$(tail -n 3 "$TMP/again.log")"; fi
expect_status "composed again: run --once delivers (exit 0)" 0 digestd run --once --config "$TMP/c.ini"
check "composed again after a crash: its parts delivered in order, each once" 2
stop_fake

# ---- a part waiting for its retry time holds back its digest's later parts ----
# Discord's 429 on part 1 (Retry-After 5) ends --once with the digest in
# the outbox, part 1 due in 5 s, part 2 never tried; a daemon started at
# once sends neither before part 1's time, then both in order (it sent
# part 2 at once, part 1 after the wait).
start_fake discord 1 || exit 1
config discord
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do new_article "wait-$i"; done
expect_status "429 on part 1: run --once exit 75" 75 digestd run --once --config "$TMP/c.ini"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/c.ini" 2>"$TMP/wait.log" &
pid=$!
PIDS="$PIDS $pid"
chat_empty() { [ "$(chat_left)" -eq 0 ]; }
wait_until 60 chat_empty
kill -TERM $pid
wait_gone $pid 40
check "part 1 waiting for its retry time: the digest's parts delivered after it, in order, each once" 2
stop_fake

# ---- a hostile server's answer reaches the log as plain text ----
# ntfy's topic "hostile" refuses with controls a terminal acts on, U+2028
# and a bidi override (fake_service.py): the log line quoting it holds none
# of them raw (it held DEL, U+009B, a lone 0x9B, U+2028 and U+202E).
start_fake ntfy || exit 1
config ntfy
sed -i "s|^url = .*/digests$|url = https://localhost:$F_PORT/hostile|" "$TMP/c.ini"
new_article hostile-1
expect_status "hostile answer: a dead letter (exit 69)" 69 digestd run --once --config "$TMP/c.ini"
# The excerpt has C0 and DEL as '?' (push.c), then the log line the rest
# as spaces, the lone 0x9B as U+FFFD.
want=$(printf 'refused with HTTP 400: {"error":"x?\\[2J? 31m\357\277\27531m <3>fake line enil"}$')
expect_grep "hostile answer: the refusal is logged with its excerpt, as plain text" "$want" "$TMP/err"
raw=$(printf '\033|\177|\302\233|\233|\342\200\250|\342\200\256')
if LC_ALL=C grep -q -E "$raw" "$TMP/err"; then
	fail "hostile answer: no control, line separator or bidi override in the log" \
		"$(LC_ALL=C grep -E "$raw" "$TMP/err" | od -c | head -n 8)"
else pass "hostile answer: no control, line separator or bidi override in the log"; fi
stop_fake

# ---- a part delivered but not removed is never sent again ----
# The outbox cannot remove its entries (tests/fault/enospc.c refuses while
# $TMP/no-unlink exists, as on a disk gone read-only): part 1 is delivered
# and stays in outbox/chat. A pass after it (SIGHUP) retries its removal
# and sends nothing (it sent part 1 again, and part 2, at every pass); once
# the disk takes the removal, part 2 goes: each part once, in order. A
# static musl build cannot preload the shim (diskfull.sh says the same).
SHIM=$BUILD/tests/libenospc.so
if [ "${TEST_LIBC:-glibc}" = musl ] || [ ! -f "$SHIM" ]; then
	echo "SKIP: chat: removal refused: no fault shim on this build"
	exit 0
fi
SHIM=$(cd "$(dirname "$SHIM")" && pwd)/libenospc.so
held_digest taken
: >"$TMP/no-unlink"
asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
start_shimmed "$TMP/taken.log" DIGESTD_FAULT_NO_UNLINK="$TMP/no-unlink"
wait_grep 'outbox/chat/.*cannot remove' "$TMP/taken.log" 40
kill -HUP $pid
# Both endpoints' entries after the reload: removal tried again (or, before,
# sent again and not removed).
retried() { [ "$(sed -n '/reloaded/,$p' "$TMP/taken.log" | grep -c 'cannot remove')" -ge 2 ]; }
wait_until 40 retried
sent=$(grep -c '"status": 20' "$TMP/f.log")
if [ "$sent" -eq 1 ]; then pass "removal refused: part 1 delivered once, nothing sent after it"; else
	fail "removal refused: part 1 delivered once, nothing sent after it" "$sent messages taken"; fi
rm -f "$TMP/no-unlink"
wait_until 60 chat_empty
kill -TERM $pid
wait_gone $pid 40
check "removal refused, then taken: the digest's parts each once, in order" 2
stop_fake

# ---- part 1 cannot be read: its digest's later parts wait for it ----
# Discord's 429 on part 1 leaves the digest's parts in outbox/chat. Then
# part 1 cannot be opened (the shim fails it with EIO while $TMP/eio
# exists, as a bad sector would): a run sends nothing of that digest (it
# sent part 2, part 1 coming a run later) and says what it cannot read.
# Once part 1 reads again, each part goes once, in order.
start_fake discord 1 || exit 1
config discord
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do new_article "eio-$i"; done
expect_status "part 1 unreadable: the first run leaves the parts (429, exit 75)" 75 \
	digestd run --once --config "$TMP/c.ini"
: >"$TMP/eio"
sent=$(grep -c '"status": 20' "$TMP/f.log")
if [ -n "$TEST_WRAPPER" ]; then
	DIGESTD_FAULT_DIR=$TMP/state DIGESTD_FAULT_EIO_PART1=$TMP/eio ASAN_OPTIONS=$asan \
		$TEST_WRAPPER -E LD_PRELOAD="$SHIM" "$DIGESTD" run --once --config "$TMP/c.ini" \
		2>"$TMP/eio.log"
else
	DIGESTD_FAULT_DIR=$TMP/state DIGESTD_FAULT_EIO_PART1=$TMP/eio ASAN_OPTIONS=$asan \
		LD_PRELOAD="$SHIM" "$DIGESTD" run --once --config "$TMP/c.ini" 2>"$TMP/eio.log"
fi
rc=$?
if [ $rc -eq 75 ] && [ "$(grep -c '"status": 20' "$TMP/f.log")" -eq "$sent" ] &&
	grep -q 'outbox/chat/.*-1\.digest: cannot open: Input/output error' "$TMP/eio.log"; then
	pass "part 1 unreadable: said, nothing of its digest sent (exit 75)"
else
	fail "part 1 unreadable: said, nothing of its digest sent (exit 75)" "exit $rc" \
		"$(($(grep -c '"status": 20' "$TMP/f.log") - sent)) messages taken" "$(tail -n 3 "$TMP/eio.log")"
fi
rm -f "$TMP/eio"
expect_status "part 1 read again: run --once delivers (exit 0)" 0 digestd run --once --config "$TMP/c.ini"
check "part 1 unreadable, then read: the digest's parts each once, in order" 2
stop_fake
