#!/bin/sh
# SPDX-License-Identifier: MIT
# What happens to the state when the configuration changes between runs or
# across a reload (docs/daemon.md, "Changing the configuration"): digests
# waiting in an outbox, articles waiting in the pending list, the sources'
# state files. Against digest-sink and tests/cli/fake_service.py.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles"
start_sink 0 || exit 1
TOKEN=tok123abc
(umask 077 && printf '%s\n' "$TOKEN" >"$TMP/token")
rm -f "$TMP/f.ready"
: >"$TMP/f.log"
python3 tests/cli/fake_service.py --kind ntfy --cert "$TMP/tls/cert.pem" --key "$TMP/tls/key.pem" \
	--ready "$TMP/f.ready" --log "$TMP/f.log" --token "$TOKEN" 2>>"$TMP/f.err" &
PIDS="$PIDS $!"
wait_grep . "$TMP/f.ready" 20 || { echo "fake ntfy did not start"; exit 1; }
F_PORT=$(cat "$TMP/f.ready")
EP_TAIL="ca_file = $TMP/tls/cert.pem
retry_base = 1s
retry_max = 2s"

# 1. [endpoint hook] changes kind (webhook to ntfy) while its outbox holds a
# digest rendered for the webhook: sent, it would reach ntfy as the
# webhook's JSON. It goes to dead/hook/ with the reason, and --once says 69.
new_article k1
new_article k2
write_config "$TMP/c.ini" "[endpoint hook]" "url = https://localhost:1/x" \
	"signing_key_file = $TMP/key" "$EP_TAIL"
digestd run --once --config "$TMP/c.ini" 2>"$TMP/k1.log"
write_config "$TMP/c.ini" "[endpoint hook]" "kind = ntfy" "url = https://localhost:$F_PORT/digests" \
	"token_file = $TMP/token" "$EP_TAIL"
expect_status "kind changed: --once exits 69 (a digest moved to dead/)" 69 \
	digestd run --once --config "$TMP/c.ini"
cp "$TMP/err" "$TMP/k2.log"
if [ ! -s "$TMP/f.log" ] && [ "$(find "$TMP/state/dead/hook" -name '*.digest' | wc -l)" -eq 1 ] &&
	[ "$(find "$TMP/state/outbox/hook" -name '*.digest' | wc -l)" -eq 0 ]; then
	pass "kind changed: the webhook's entry not sent to ntfy, moved to dead/hook/"
else
	fail "kind changed: the webhook's entry not sent to ntfy, moved to dead/hook/" \
		"ntfy got: $(head -c 200 "$TMP/f.log")" "$(find "$TMP/state" -name '*.digest')"
fi
expect_grep "kind changed: the log names both kinds" \
	"rendered for kind = webhook; \[endpoint hook\] is now kind = ntfy" "$TMP/k2.log"
if grep -q "rendered for kind = webhook" "$TMP"/state/dead/hook/*.reason 2>/dev/null; then
	pass "kind changed: the reason file says why"
else
	fail "kind changed: the reason file says why" "$(cat "$TMP"/state/dead/hook/*.reason 2>&1)"
fi
# The next digest is rendered for ntfy and delivered.
new_article k3
expect_status "kind changed: the next digest goes out as ntfy's" 0 \
	digestd run --once --config "$TMP/c.ini"
if [ "$(grep -c '"status": 200' "$TMP/f.log")" -ge 1 ] && ! grep -q '"schema' "$TMP/f.log"; then
	pass "kind changed: ntfy got a message, never the webhook's JSON"
else
	fail "kind changed: ntfy got a message, never the webhook's JSON" "$(head -c 300 "$TMP/f.log")"
fi

