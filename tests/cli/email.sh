#!/bin/sh
# SPDX-License-Identifier: MIT
# An email endpoint through the daemon, beside the webhook [endpoint]:
# `run --once` submits each digest as one message to an SMTP server on
# loopback (tests/cli/fake_smtp.py, Debian's aiosmtpd, STARTTLS and AUTH),
# parsed back with Python's email package: the envelope, the headers, the
# text part holding every article; a second run sends nothing; a wrong
# password makes a dead letter of the email copy only.
. tests/cli/lib.sh
. tests/cli/daemon.lib

if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	fail "email: Debian's python3-aiosmtpd is installed (tools/deps.sh)"
	exit 1
fi
mkdir -p "$TMP/articles" "$TMP/mail"
start_sink 0 || exit 1
(umask 077 && printf 'secret-pw\n' >"$TMP/pw")

# start_smtp: the SMTP server with STARTTLS and AUTH on a free port.
start_smtp() {
	rm -f "$TMP/s.ready"
	/usr/bin/python3 tests/cli/fake_smtp.py --ready "$TMP/s.ready" --store "$TMP/mail" \
		--cert "$TMP/tls/cert.pem" --key "$TMP/tls/key.pem" --starttls \
		--user digest --password secret-pw 2>>"$TMP/s.err" &
	PIDS="$PIDS $!"
	wait_grep . "$TMP/s.ready" 20 || { echo "fake_smtp did not start"; cat "$TMP/s.err"; exit 1; }
	S_PORT=$(cat "$TMP/s.ready")
}
start_smtp
for i in 1 2 3 4 5 6; do new_article "mail-$i"; done
write_config "$TMP/c.ini" "" "[endpoint mail]" "kind = email" \
	"url = smtp://localhost:$S_PORT" "ca_file = $TMP/tls/cert.pem" \
	"from = digestd <digestd@example.org>" "to = me@example.org, Partner <you@example.org>" \
	"subject = News of {date}: {count} articles" "username = digest" \
	"password_file = $TMP/pw" "retry_base = 1s" "retry_max = 4s"
expect_status "email: check-config accepts the endpoint" 0 digestd check-config --config "$TMP/c.ini"
expect_status "email: run --once delivers (exit 0)" 0 digestd run --once --config "$TMP/c.ini"
if why=$(/usr/bin/python3 - "$TMP/mail" <<'EOF'
import json, os, sys
d = sys.argv[1]
msgs = sorted(f for f in os.listdir(d) if f.endswith(".json"))
if len(msgs) != 1:
    sys.exit("%d messages stored, want 1" % len(msgs))
m = json.load(open(os.path.join(d, msgs[0])))
text = open(os.path.join(d, msgs[0][:-5] + ".text"), encoding="utf-8").read()
html = open(os.path.join(d, msgs[0][:-5] + ".html"), encoding="utf-8").read()
want = {"mail_from": "digestd@example.org", "tls": True}
for k, v in want.items():
    if m.get(k) != v:
        sys.exit("%s is %r, want %r" % (k, m.get(k), v))
if sorted(m["rcpt_tos"]) != ["me@example.org", "you@example.org"]:
    sys.exit("recipients %r" % m["rcpt_tos"])
h = m["headers"] if "headers" in m else m
subj = h.get("Subject") or h.get("subject") or ""
if "6 articles" not in subj or not subj.startswith("News of "):
    sys.exit("subject %r" % subj)
mid = h.get("Message-ID") or h.get("message-id") or ""
if not mid.startswith("<dg_"):
    sys.exit("Message-ID %r" % mid)
for i in range(1, 7):
    if "Story mail-%d" % i not in text or "Story mail-%d" % i not in html:
        sys.exit("Story mail-%d missing from a part" % i)
EOF
); then pass "email: one message, STARTTLS, both recipients, subject, Message-ID, every article in both parts"
else fail "email: one message, STARTTLS, both recipients, subject, Message-ID, every article in both parts" "$why" "$(ls "$TMP/mail"; cat "$TMP/mail"/*.json 2>/dev/null | head -30)"; fi
left=$(find "$TMP/state/outbox/mail" -name '*.digest' | wc -l)
if [ "$left" -eq 0 ]; then pass "email: outbox/mail empty after delivery"; else
	fail "email: outbox/mail empty after delivery" "$left entries left"; fi
expect_status "email: run --once again: exit 0" 0 digestd run --once --config "$TMP/c.ini"
n=$(ls "$TMP/mail" | grep -c '\.eml$')
if [ "$n" -eq 1 ]; then pass "email: nothing is sent twice by a second run"; else
	fail "email: nothing is sent twice by a second run" "$n messages"; fi

# A wrong password: the server answers 535, the email copy is a dead letter,
# the webhook's copy is delivered.
(umask 077 && printf 'wrong\n' >"$TMP/pw")
new_article "mail-7"
digestd run --once --config "$TMP/c.ini" >"$TMP/out" 2>"$TMP/err"
dead=$(find "$TMP/state/dead/mail" -name '*.digest' 2>/dev/null | wc -l)
if [ "$dead" -eq 1 ] && grep -q 'SMTP 535' "$TMP/err" && ! grep -q 'wrong' "$TMP/err"; then
	pass "email: a refused login is a dead letter, logged without the password"; else
	fail "email: a refused login is a dead letter, logged without the password" \
		"$dead dead letters" "$(tail -n 5 "$TMP/err")"; fi
