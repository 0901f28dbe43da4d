#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/digest-sink against curl over real TLS on loopback: signatures, the
# timestamp window, store-once, every misbehaviour mode, limits, bad input.
. tests/cli/lib.sh
: "${BUILD:=build}"
SINK=${SINK:-$BUILD/digest-sink}
SINK_PID=
SINK_STATUS=

stop_sink() {
	if [ -n "$SINK_PID" ]; then
		kill "$SINK_PID" 2>/dev/null
		wait "$SINK_PID"
		SINK_STATUS=$?
		SINK_PID=
	fi
}
trap 'stop_sink; rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

sink() {
	# shellcheck disable=SC2086
	$TEST_WRAPPER "$SINK" "$@"
}

# start_sink NAME ARGS...: a fresh sink on a free port, state in $TMP/s/NAME.
start_sink() {
	name=$1
	shift
	stop_sink
	D=$TMP/s/$name
	mkdir -p "$D"
	# shellcheck disable=SC2086
	$TEST_WRAPPER "$SINK" --self-signed "$D/tls" --store "$D/store" --port 0 \
		--ready-file "$D/ready" "$@" >"$D/out" 2>"$D/err" &
	SINK_PID=$!
	i=0
	while [ ! -s "$D/ready" ] && [ $i -lt 300 ] && kill -0 "$SINK_PID" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -s "$D/ready" ]; then
		fail "sink starts ($name)" "$(cat "$D/err")"
		stop_sink
		return 1
	fi
	PORT=$(cat "$D/ready")
	return 0
}

# post ID TS BODYFILE [SIGNATURE|-] [CURL ARGS...]: a signed POST; sets CODE
# (HTTP status, 000 without an answer) and RC (curl's exit status).
post() {
	id=$1 ts=$2 bodyfile=$3 sig=-
	shift 3
	if [ $# -gt 0 ]; then
		sig=$1
		shift
	fi
	[ "$sig" = - ] && sig=$(sink --sign "$TMP/key" "$id" "$ts" "$bodyfile")
	CODE=$(curl -sS -o "$TMP/resp" -D "$TMP/hdr" -w '%{http_code}' --cacert "$D/tls/cert.pem" \
		--max-time 20 -H "webhook-id: $id" -H "webhook-timestamp: $ts" \
		-H "webhook-signature: $sig" -H 'Content-Type: application/json' \
		--data-binary @"$bodyfile" "$@" "https://localhost:$PORT/digest" 2>"$TMP/curl.err")
	RC=$?
}

# wait_for PATTERN FILE: waits (up to 10 s) until the sink has printed a line
# matching PATTERN; the client may finish before the sink has logged.
wait_for() {
	i=0
	while ! grep -q -- "$1" "$2" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# check NAME 'SHELL CONDITION': PASS when the condition holds.
check() {
	name=$1
	if eval "$2"; then pass "$name"; else
		fail "$name" "http=$CODE curl=$RC $(head -c 200 "$TMP/curl.err")" \
			"$(tail -n 3 "$D/out")"
	fi
}

now=$(date +%s)
echo 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' >"$TMP/key"
printf '%s' '{"schema": "digestd.digest/1", "id": "dg_1", "articles": [{"title": "a"}, {"title": "b", "sentences": ["x", "y"]}]}' >"$TMP/digest.json"
printf '%s' '{"test": 2432232314}' >"$TMP/ref.json"

# The helper signs the Standard Webhooks reference vector, and agrees with
# Python's hmac on a body of our own.
got=$(sink --sign "$TMP/key" msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 "$TMP/ref.json")
if [ "$got" = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" ]; then
	pass "--sign gives the reference signature"
else
	fail "--sign gives the reference signature" "got '$got'"
fi
# A body that is not a regular file (a pipe) has no size to read up to:
# refused, never signed as if it were empty.
printf '%s' '{"test": 2432232314}' | { sink --sign "$TMP/key" msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 \
	/dev/stdin >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc=$(cat "$TMP/rc")
if [ "$rc" -eq 66 ] && [ ! -s "$TMP/out" ] && grep -q "not a regular file" "$TMP/err"; then
	pass "--sign refuses a body that is not a regular file"
else
	fail "--sign refuses a body that is not a regular file" "exit $rc" "$(cat "$TMP/out" "$TMP/err")"
fi
want=$(python3 -c '
import base64, hashlib, hmac, sys
key = base64.b64decode(open(sys.argv[1]).read().strip()[len("whsec_"):])
msg = b"dg_1." + sys.argv[2].encode() + b"." + open(sys.argv[3], "rb").read()
print("v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode())
' "$TMP/key" "$now" "$TMP/digest.json")
got=$(sink --sign "$TMP/key" dg_1 "$now" "$TMP/digest.json")
check "--sign agrees with python hmac" '[ -n "$want" ] && [ "$got" = "$want" ]'

if start_sink main --signing-key "$TMP/key"; then
	post dg_1 "$now" "$TMP/digest.json"
	check "signed digest is answered 200" '[ "$CODE" = 200 ]'
	check "the body is stored as <id>.json" 'cmp -s "$D/store/dg_1.json" "$TMP/digest.json"'
	expect_grep "the sink prints what it received" \
		'^received id=dg_1 bytes=[0-9]* articles=2 status=200$' "$D/out"

	post dg_1 "$now" "$TMP/digest.json"
	check "a second delivery of an id is answered 200" '[ "$CODE" = 200 ]'
	check "... and is not stored twice" '[ "$(ls "$D/store" | wc -l)" -eq 1 ]'
	expect_grep "... and is counted as a duplicate" '^duplicate id=dg_1 ' "$D/out"

	post dg_2 "$now" "$TMP/digest.json" "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	check "a bad signature is answered 401" '[ "$CODE" = 401 ] && [ ! -e "$D/store/dg_2.json" ]'
	expect_grep "... with the reason" '^rejected id=dg_2 status=401: bad signature' "$D/out"

	sig=$(sink --sign "$TMP/key" dg_3 "$now" "$TMP/ref.json")
	post dg_3 "$now" "$TMP/digest.json" "$sig"
	check "a signature over another body is answered 401" '[ "$CODE" = 401 ]'

	post dg_4 $((now - 600)) "$TMP/digest.json"
	check "a timestamp 10 minutes old is answered 401" '[ "$CODE" = 401 ] && grep -q "^rejected id=dg_4 status=401: timestamp outside the window" "$D/out"'
	post dg_5 $((now + 600)) "$TMP/digest.json"
	check "a timestamp 10 minutes ahead is answered 401" '[ "$CODE" = 401 ]'
	post dg_6 $((now - 240)) "$TMP/digest.json"
	check "a timestamp 4 minutes old is accepted" '[ "$CODE" = 200 ]'

	post dg_7 "$now" "$TMP/digest.json" - -H 'Transfer-Encoding: chunked'
	check "a chunked body is decoded and stored" '[ "$CODE" = 200 ] && cmp -s "$D/store/dg_7.json" "$TMP/digest.json"'

	CODE=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$D/tls/cert.pem" \
		--data-binary @"$TMP/digest.json" "https://localhost:$PORT/" 2>"$TMP/curl.err")
	RC=$?
	check "a POST without webhook headers is answered 400" '[ "$CODE" = 400 ]'

	post '../x' "$now" "$TMP/digest.json"
	check "an id with / and .. is stored under an escaped name" '[ "$CODE" = 200 ] && [ -e "$D/store/%2E.%2Fx.json" ] && [ ! -e "$D/x.json" ]'

	# Another CA: curl must refuse the sink's certificate.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj /CN=localhost -keyout "$TMP/other.key" -out "$TMP/other.pem" 2>/dev/null
	curl -sS -o /dev/null --cacert "$TMP/other.pem" --data-binary @"$TMP/digest.json" \
		"https://localhost:$PORT/" 2>"$TMP/curl.err"
	RC=$? CODE=-
	check "a client trusting another CA fails the TLS handshake" '[ "$RC" -eq 60 ]'
	wait_for '^dropped connection: TLS handshake' "$D/out"
	expect_grep "... and the sink reports the dropped handshake" \
		'^dropped connection: TLS handshake' "$D/out"

	# Garbage must never take the sink down: plain HTTP, and malformed
	# requests over TLS.
	curl -sS -o /dev/null --max-time 5 "http://localhost:$PORT/" 2>/dev/null
	: >"$TMP/empty"
	sig=$(sink --sign "$TMP/key" dg_9 "$now" "$TMP/empty")
	python3 - "$PORT" "$D/tls/cert.pem" "$now" "$sig" >"$TMP/bad" 2>&1 <<'EOF'
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
# Signed for an empty body: a size line without digits must not end the body.
signed = b"webhook-id: dg_9\r\nwebhook-timestamp: " + sys.argv[3].encode() + \
    b"\r\nwebhook-signature: " + sys.argv[4].encode() + b"\r\n"
ctx = ssl.create_default_context(cafile=ca)
cases = [
    ("bad request line", b"HELLO\r\n\r\n", "400"),
    ("GET", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "405"),
    ("no length", b"POST / HTTP/1.1\r\nHost: x\r\n\r\n", "411"),
    ("NUL in head", b"POST / HTTP/1.1\r\nX: a\x00b\r\nContent-Length: 0\r\n\r\n", "400"),
    ("bad length", b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "400"),
    ("huge length", b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", "400"),
    ("two lengths", b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "400"),
    ("bad chunk", b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400"),
    ("huge chunk", b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", "413"),
    ("chunk size without digits", b"POST / HTTP/1.1\r\n" + signed + b"Transfer-Encoding: chunked\r\n\r\n;x\r\n5\r\nhello\r\n0\r\n\r\n", "400"),
    ("gzip", b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501"),
    ("huge head", b"POST / HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n", "431"),
    ("long id", b"POST / HTTP/1.1\r\nwebhook-id: " + b"i" * 100 + b"\r\nContent-Length: 0\r\n\r\n", "400"),
    ("bad ts", b"POST / HTTP/1.1\r\nwebhook-id: a\r\nwebhook-timestamp: soon\r\nwebhook-signature: v1,x\r\nContent-Length: 0\r\n\r\n", "400"),
]
ok = True
for name, req, want in cases:
    # 127.0.0.1, not localhost: a minbase chroot has no /etc/hosts.
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost")
    try:
        s.sendall(req)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ssl.SSLError, OSError) as e:
        data = data if data else str(e).encode()
    s.close()
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    if line.split(" ")[1:2] != [want]:
        ok = False
        print(f"{name}: got {line!r}, want {want}")
print("ALL OK" if ok else "SOME WRONG")
EOF
	expect_grep "malformed requests get the right 4xx/5xx answers" '^ALL OK$' "$TMP/bad"
	post dg_8 "$now" "$TMP/digest.json"
	check "... and the sink still serves afterwards" '[ "$CODE" = 200 ]'

	stop_sink
	check "SIGTERM stops the sink with status 0" '[ "$SINK_STATUS" -eq 0 ]'
	expect_grep "... printing its counts" '^stopped requests=[0-9]* stored=5 duplicates=1 ' "$D/out"
fi

if start_sink fail --signing-key "$TMP/key" --mode fail500:1; then
	post dg_1 "$now" "$TMP/digest.json"
	check "fail500:1 answers the first request 500" '[ "$CODE" = 500 ] && [ ! -e "$D/store/dg_1.json" ]'
	post dg_1 "$now" "$TMP/digest.json"
	check "... and the next one 200" '[ "$CODE" = 200 ] && [ -e "$D/store/dg_1.json" ]'
fi

if start_sink rate --signing-key "$TMP/key" --mode ratelimit:7:1; then
	post dg_1 "$now" "$TMP/digest.json"
	check "ratelimit:7:1 answers 429 with Retry-After: 7" '[ "$CODE" = 429 ] && grep -qi "^Retry-After: 7" "$TMP/hdr"'
	post dg_1 "$now" "$TMP/digest.json"
	check "... and then 200" '[ "$CODE" = 200 ]'
fi

if start_sink close --signing-key "$TMP/key" --mode close:1; then
	post dg_1 "$now" "$TMP/digest.json"
	check "close:1 closes the connection without an answer" '[ "$CODE" = 000 ] && [ "$RC" -ne 0 ] && [ ! -e "$D/store/dg_1.json" ]'
	post dg_1 "$now" "$TMP/digest.json"
	check "... and then answers 200" '[ "$CODE" = 200 ]'
fi

if start_sink hang --signing-key "$TMP/key" --mode hang:1; then
	post dg_1 "$now" "$TMP/digest.json" - --max-time 3
	check "hang:1 makes the client time out" '[ "$RC" -eq 28 ] && [ ! -e "$D/store/dg_1.json" ]'
	post dg_1 "$now" "$TMP/digest.json"
	check "... and the sink answers 200 once the client has given up" '[ "$CODE" = 200 ]'
fi
if start_sink hang2 --signing-key "$TMP/key" --mode hang; then
	curl -sS -o /dev/null --max-time 30 --cacert "$D/tls/cert.pem" -H 'webhook-id: x' \
		--data-binary @"$TMP/digest.json" "https://localhost:$PORT/" 2>/dev/null &
	cpid=$!
	i=0
	while ! grep -q 'mode=hang: holding' "$D/out" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_sink
	check "SIGTERM stops a sink that is hanging on a client" '[ "$SINK_STATUS" -eq 0 ]'
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
fi

if start_sink reject --signing-key "$TMP/key" --mode reject400; then
	post dg_1 "$now" "$TMP/digest.json"
	check "reject400 answers 400" '[ "$CODE" = 400 ]'
fi

if start_sink big --signing-key "$TMP/key" --max-body 1K; then
	head -c 2000 /dev/zero | tr '\0' 'a' >"$TMP/big"
	post dg_1 "$now" "$TMP/big"
	check "a body over --max-body is answered 413" '[ "$CODE" = 413 ]'
	post dg_2 "$now" "$TMP/big" - -H 'Transfer-Encoding: chunked'
	check "... also when chunked" '[ "$CODE" = 413 ]'
	head -c 6000000 /dev/zero >"$TMP/huge"
	post dg_3 "$now" "$TMP/huge" "v1,x"
	check "... and a 6 MB body is refused without being read" '[ "$CODE" = 413 ]'
fi

echo 's3cret-token' >"$TMP/token"
if start_sink token --signing-key "$TMP/key" --token "$TMP/token" --exit-after-stored 1; then
	post dg_1 "$now" "$TMP/digest.json"
	check "--token: no Authorization is answered 401" '[ "$CODE" = 401 ]'
	post dg_1 "$now" "$TMP/digest.json" - -H 'Authorization: Bearer s3cret-tokeN'
	check "--token: a wrong token is answered 401" '[ "$CODE" = 401 ]'
	post dg_1 "$now" "$TMP/digest.json" - -H 'Authorization: Bearer s3cret-token'
	check "--token: the right token is accepted" '[ "$CODE" = 200 ]'
	wait "$SINK_PID"
	SINK_STATUS=$? SINK_PID=
	check "--exit-after-stored 1 exits 0 after one digest" '[ "$SINK_STATUS" -eq 0 ]'
fi

if start_sink maxreq --no-verify --max-requests 2; then
	post anything "$now" "$TMP/digest.json" "v1,not-checked"
	check "--no-verify stores without checking the signature" '[ "$CODE" = 200 ]'
	post other "$now" "$TMP/digest.json" "v1,not-checked"
	wait "$SINK_PID"
	SINK_STATUS=$? SINK_PID=
	check "--max-requests 2 exits 0 after two requests" '[ "$SINK_STATUS" -eq 0 ] && grep -q "^stopped requests=2 " "$D/out"'
fi

# Mutual TLS: a client CA, and a client certificate it signed.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=test-client-ca \
	-keyout "$TMP/cca.key" -out "$TMP/cca.pem" 2>/dev/null &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=digestd \
		-keyout "$TMP/client.key" -out "$TMP/client.csr" 2>/dev/null &&
	openssl x509 -req -in "$TMP/client.csr" -CA "$TMP/cca.pem" -CAkey "$TMP/cca.key" \
		-CAcreateserial -days 1 -out "$TMP/client.pem" 2>/dev/null
if start_sink mtls --signing-key "$TMP/key" --client-ca "$TMP/cca.pem"; then
	post dg_1 "$now" "$TMP/digest.json"
	check "--client-ca: a client without a certificate is refused" '[ "$CODE" = 000 ] && [ "$RC" -ne 0 ]'
	post dg_1 "$now" "$TMP/digest.json" - --cert "$TMP/client.pem" --key "$TMP/client.key"
	check "--client-ca: a client certificate from that CA is accepted" '[ "$CODE" = 200 ]'
	post dg_2 "$now" "$TMP/digest.json" - --cert "$TMP/other.pem" --key "$TMP/other.key"
	check "--client-ca: a certificate from another CA is refused" '[ "$CODE" = 000 ]'
fi

# Start-up errors name what is wrong and use sysexits statuses.
expect_status "a missing --signing-key file exits 78" 78 \
	sink --self-signed "$TMP/e/tls" --store "$TMP/e/store" --signing-key "$TMP/nope"
expect_grep "... naming the file" "$TMP/nope" "$TMP/err"
# Its messages name the program that said them, not digestd.
expect_grep "... said by digest-sink" "^digest-sink: .*$TMP/nope" "$TMP/err"
printf 'not a key\n' >"$TMP/badkey"
expect_status "a malformed signing key exits 78" 78 \
	sink --self-signed "$TMP/e/tls" --store "$TMP/e/store" --signing-key "$TMP/badkey"
expect_status "no --store is a usage error" 64 sink --self-signed "$TMP/e/tls" --no-verify
expect_status "a bad --mode is a usage error" 64 \
	sink --self-signed "$TMP/e/tls" --store "$TMP/e/store" --no-verify --mode fail500:x
