#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd check-config`: every bad config in tests/config/bad/ fails with
# status 78 and exactly its .expected stderr lines (every error, one line
# each); secret files that are missing, not regular files, unsafe (group or
# others may read or write them, or another user owns them) or unreadable are
# refused by check-config and `run` alike, with the same message; the shipped
# examples pass and list every key; unreadable files give 66;
# docs/config.md is current.
. tests/cli/lib.sh

# The bad configs name their signing key as a systemd credential: present
# here, so that each file has only the error it is about.
creds=$TMP/creds
mkdir -p "$creds"
printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$creds/signing-key"
chmod 600 "$creds/signing-key"
export CREDENTIALS_DIRECTORY="$creds"
for ini in tests/config/bad/*.ini; do
	name=$(basename "$ini" .ini)
	digestd check-config --config "$ini" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne 78 ]; then
		fail "bad config $name: exit 78" "exit $rc" "$(head -c 300 "$TMP/err")"
	elif ! cmp -s "$TMP/err" "${ini%.ini}.expected"; then
		fail "bad config $name: message" "got:  $(cat "$TMP/err")" \
			"want: $(cat "${ini%.ini}.expected")"
	elif [ -s "$TMP/out" ]; then
		fail "bad config $name: nothing on stdout" "$(head -c 300 "$TMP/out")"
	else
		pass "bad config $name"
	fi
done

# 1,000 [source NAME] sections (CFG_MAX_SOURCES) are accepted; one more is
# refused with one line naming the section. Generated here: a 1,001-section
# file is not worth keeping in the repository.
cap=1000
many_sources() {
	printf '[endpoint]\nurl = https://digests.example.org/in\nsigning_key_file = signing-key\n'
	i=0
	while [ "$i" -lt "$1" ]; do
		printf '[source s%04d]\nurl = https://feeds%d.example.org/feed.xml\n' "$i" "$i"
		i=$((i + 1))
	done
}
many_sources "$cap" >"$TMP/many.ini"
expect_status "$cap sources: check-config accepts them (exit 0)" 0 \
	digestd check-config --config "$TMP/many.ini"
expect_grep "$cap sources: the last is in the dump" "^\[source s$(printf %04d $((cap - 1)))\]\$" \
	"$TMP/out"
many_sources $((cap + 1)) >"$TMP/many.ini"
expect_status "$((cap + 1)) sources: refused (exit 78)" 78 \
	digestd check-config --config "$TMP/many.ini"
printf 'digestd: %s:%u: too many sources: at most %u [source NAME] sections\n' \
	"$TMP/many.ini" $((3 + 2 * cap + 1)) "$cap" >"$TMP/many.want"
expect_same "$((cap + 1)) sources: one line naming the section past the limit" "$TMP/err" \
	"$TMP/many.want"

# "section key" pairs: from the key table, and from an ini file's key lines
# ([source NAME] counts as [source]).
digestd check-config --keys >"$TMP/keys.md"
awk '/^### \[/ { s = $2; sub(/^\[/, "", s); sub(/\]$/, "", s) }
     /^\| `/ { k = $2; gsub(/`/, "", k); print s, k }' "$TMP/keys.md" | sort -u >"$TMP/keys"
ini_keys() {
	awk '/^[ \t]*\[/ { s = $0; sub(/^[ \t]*\[/, "", s); sub(/[ \t\]].*/, "", s) }
	     /^[ \t]*[a-z_]+[ \t]*=/ { k = $0; sub(/^[ \t]*/, "", k); sub(/[ \t]*=.*/, "", k);
	                               print s, k }' "$1" | sort -u
}
if [ "$(wc -l <"$TMP/keys")" -ge 30 ]; then pass "check-config --keys lists the keys"; else
	fail "check-config --keys lists the keys" "$(head -c 300 "$TMP/keys.md")"; fi

# The example's [endpoint] is a webhook: the other kinds' keys are refused
# there (and left out of its dump); docs/endpoints.md shows them.
printf 'endpoint %s\n' url_file from to subject username password_file priority tags room \
	chat_id >"$TMP/other-kinds"
grep -v -x -F -f "$TMP/other-kinds" "$TMP/keys" >"$TMP/keys-webhook"
ini_keys config/digestd.ini >"$TMP/example-keys"
expect_same "config/digestd.ini sets every key in its section" "$TMP/example-keys" \
	"$TMP/keys-webhook"

# Its header says each key is at its default: "section key value" from the
# table (unset is empty; required keys have none, nor do the two a webhook
# needs) and from the file.
awk -F'|' '/^### \[/ { split($0, w, /[][ ]/); s = w[3] }
     /^\| `/ { k = $2; d = $4; gsub(/[` ]/, "", k); sub(/^ */, "", d); sub(/ *$/, "", d)
               if (d == "required") next
               if (d == "unset") d = ""
               gsub(/`/, "", d); print s, k, d }' "$TMP/keys.md" | sort -u |
	awk 'NR == FNR { skip[$0] = 1; next } !(($1 " " $2) in skip)' "$TMP/other-kinds" - |
	grep -v '^endpoint \(url\|signing_key_file\) $' >"$TMP/defaults"
awk '/^[ \t]*\[/ { s = $0; sub(/^[ \t]*\[/, "", s); sub(/[ \t\]].*/, "", s) }
     /^[ \t]*[a-z_]+[ \t]*=/ { k = $0; sub(/^[ \t]*/, "", k); sub(/[ \t]*=.*/, "", k)
                               v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+;.*/, "", v)
                               print s, k, v }' config/digestd.ini | sort -u >"$TMP/example"
if [ -s "$TMP/defaults" ] && [ -z "$(comm -23 "$TMP/defaults" "$TMP/example")" ]; then
	pass "config/digestd.ini: every key with a default is at it"
else
	fail "config/digestd.ini: every key with a default is at it" \
		"default, then the file:" "$(comm -3 "$TMP/defaults" "$TMP/example" | grep -v ' url \| signing_key_file ')"
fi

# config/demo.ini names ../build/demo/signing-key, which `make run` makes: a
# copy of it in $TMP/demo/config/ finds its key in $TMP/demo/build/demo/.
mkdir -p "$TMP/demo/config" "$TMP/demo/build/demo"
demo=$(cd "$TMP/demo" && pwd -P)
cp config/demo.ini "$demo/config/demo.ini"
cp "$creds/signing-key" "$demo/build/demo/signing-key"
mkdir -p "$demo/build/demo/tls"
: >"$demo/build/demo/tls/cert.pem"
for ini in config/digestd.ini "$demo/config/demo.ini"; do
	ex=$(basename "$ini")
	expect_status "check-config $ex" 0 digestd check-config --config "$ini"
	cp "$TMP/out" "$TMP/dump"
	ini_keys "$TMP/dump" >"$TMP/dump-keys"
	expect_same "check-config $ex prints every key" "$TMP/dump-keys" "$TMP/keys-webhook"
	# The dump is itself a valid config that prints the same again (beside
	# demo.ini, where its secret's relative path leads).
	cp "$TMP/dump" "$demo/config/again.ini"
	digestd check-config --config "$demo/config/again.ini" >"$TMP/again" 2>/dev/null
	grep -v '^; effective\|^; resolved' "$TMP/dump" | sed 's/ ; read from .*//' >"$TMP/a"
	grep -v '^; effective\|^; resolved' "$TMP/again" | sed 's/ ; read from .*//' >"$TMP/b"
	expect_same "check-config $ex: the dump loads back the same" "$TMP/b" "$TMP/a"
done

digestd check-config --config "$demo/config/demo.ini" >"$TMP/out" 2>"$TMP/err"
expect_grep "demo.ini: paths relative to config/" "^url = $demo/seeds\$" "$TMP/out"
expect_grep "demo.ini: state under build/demo" "^state_dir = $demo/build/demo/state\$" "$TMP/out"
expect_grep "demo.ini: secret shown as its file only" \
	"^signing_key_file = ../build/demo/signing-key ; read from $demo/build/demo/signing-key\$" \
	"$TMP/out"
if [ -s "$TMP/err" ]; then fail "demo.ini: nothing on stderr" "$(cat "$TMP/err")"; else
	pass "demo.ini: nothing on stderr"; fi

STATE_DIRECTORY=/var/lib/private/digestd $TEST_WRAPPER "$DIGESTD" check-config \
	--config config/digestd.ini >"$TMP/out" 2>&1
expect_grep "credential names resolve in \$CREDENTIALS_DIRECTORY" \
	"^signing_key_file = signing-key ; read from $creds/signing-key (systemd credential)\$" \
	"$TMP/out"
expect_grep "\$STATE_DIRECTORY replaces the default state_dir" \
	'^state_dir = /var/lib/private/digestd$' "$TMP/out"
export CREDENTIALS_DIRECTORY="$TMP/nocreds"
expect_status "config/digestd.ini without its credential: exit 78" 78 \
	digestd check-config --config config/digestd.ini
unset CREDENTIALS_DIRECTORY
line=$(grep -n '^signing_key_file =' config/digestd.ini | cut -d: -f1)
expect_grep "config/digestd.ini without its credential: says which file" \
	"^digestd: config/digestd.ini:$line: \[endpoint\] signing_key_file: $TMP/nocreds/signing-key: cannot open: No such file or directory\$" \
	"$TMP/err"

# ---- secret files: check-config and run refuse the same, with the same line ----
s=$(mkdir -p "$TMP/s/empty" && cd "$TMP/s" && pwd -P)
# secret_config LINES...: a config that `run` accepts but for the [endpoint]
# lines given (signing_key_file = key unless they set it).
secret_config() {
	{
		printf '[daemon]\nstate_dir = %s/state\n\n' "$s"
		printf '[source empty]\nurl = %s/empty\ntype = folder\n\n' "$s"
		printf '[endpoint]\nurl = https://127.0.0.1:9/in\n'
		case "$*" in *signing_key_file*) ;; *) echo 'signing_key_file = key' ;; esac
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$s/d.ini"
}
# both_refuse NAME MESSAGE: check-config and `run --once` exit 78 with
# exactly "digestd: MESSAGE" on stderr; run makes no state. A FIFO must not
# block either: timeout only guards the test against a hang.
both_refuse() {
	timeout 60 $TEST_WRAPPER "$DIGESTD" check-config --config "$s/d.ini" >"$TMP/out" 2>"$TMP/cc.err"
	cc=$?
	timeout 60 $TEST_WRAPPER "$DIGESTD" run --once --config "$s/d.ini" >/dev/null 2>"$TMP/run.err"
	rr=$?
	echo "digestd: $2" >"$TMP/want.err"
	if [ $cc -ne 78 ] || ! cmp -s "$TMP/cc.err" "$TMP/want.err"; then
		fail "$1: check-config refuses it" "exit $cc, want 78" "got:  $(head -c 400 "$TMP/cc.err")" \
			"want: $(cat "$TMP/want.err")"
	elif [ $rr -ne 78 ] || ! cmp -s "$TMP/run.err" "$TMP/cc.err"; then
		fail "$1: run refuses it with check-config's line" "exit $rr, want 78" \
			"got:  $(head -c 400 "$TMP/run.err")"
	elif [ -e "$s/state" ]; then
		fail "$1: refused before any state is made"
	else
		pass "$1: check-config and run refuse it, same line"
	fi
	rm -rf "$s/state"
}
# both_accept NAME: check-config exits 0.
both_accept() {
	expect_status "$1: accepted" 0 digestd check-config --config "$s/d.ini"
}
key() { # key FILE MODE: a signing key in FILE with MODE
	printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$1"
	chmod "$2" "$1"
}
key "$s/key" 600
secret_config
both_accept "signing key 0600"
key "$s/key" 400
both_accept "signing key 0400"
key "$s/key" 644
both_refuse "signing key 0644" \
	"$s/d.ini:10: [endpoint] signing_key_file: $s/key: mode 0644 gives group or others access; chmod 600 $s/key"
key "$s/key" 620
both_refuse "signing key 0620 (group may write)" \
	"$s/d.ini:10: [endpoint] signing_key_file: $s/key: mode 0620 gives group or others access; chmod 600 $s/key"
key "$s/key" 600
key "$s/token" 660
secret_config 'token_file = token'
both_refuse "token file 0660" \
	"$s/d.ini:11: [endpoint] token_file: $s/token: mode 0660 gives group or others access; chmod 600 $s/token"
key "$s/client.key" 604
: >"$s/client.pem"
secret_config 'client_cert = client.pem' 'client_key = client.key'
both_refuse "client key 0604" \
	"$s/d.ini:12: [endpoint] client_key: $s/client.key: mode 0604 gives group or others access; chmod 600 $s/client.key"
chmod 600 "$s/client.key"
both_accept "client key 0600"
mkfifo "$s/fifo"
secret_config 'signing_key_file = fifo'
both_refuse "a FIFO as the signing key (no hang)" \
	"$s/d.ini:10: [endpoint] signing_key_file: $s/fifo: not a regular file"
# The ini itself: a FIFO would hang start-up and, worse, a reload (the loop
# waits on it).
mkfifo "$s/ini-fifo"
for cmd in check-config "run --once"; do
	expect_status "the ini a FIFO: $cmd exits 78, no hang" 78 \
		timeout 60 $TEST_WRAPPER "$DIGESTD" $cmd --config "$s/ini-fifo"
	expect_grep "the ini a FIFO: $cmd says so" "^digestd: $s/ini-fifo: not a regular file\$" "$TMP/err"
done
mkdir "$s/adir"
secret_config 'signing_key_file = adir'
both_refuse "a folder as the signing key" "$s/d.ini:10: [endpoint] signing_key_file: $s/adir: not a regular file (a folder)"
# A link is followed (an admin may link /etc/digestd/signing-key to where the
# key is kept); the rules hold for the file it leads to.
ln -s key "$s/link"
secret_config 'signing_key_file = link'
both_accept "a link to a 0600 key"
key "$s/shared" 644
ln -s shared "$s/link-shared"
secret_config 'signing_key_file = link-shared'
both_refuse "a link to a 0644 key" \
	"$s/d.ini:10: [endpoint] signing_key_file: $s/link-shared: mode 0644 gives group or others access; chmod 600 $s/link-shared"
# systemd hands credentials over with modes of its own choosing.
mkdir -p "$s/creds"
key "$s/creds/signing-key" 644
secret_config 'signing_key_file = signing-key'
export CREDENTIALS_DIRECTORY="$s/creds"
both_accept "a 0644 credential in \$CREDENTIALS_DIRECTORY"
unset CREDENTIALS_DIRECTORY
secret_config
if [ "$(id -u)" -eq 0 ]; then
	# Another user could rewrite the key that root signs with.
	chown 65534 "$s/key"
	both_refuse "a key owned by another user" \
		"$s/d.ini:10: [endpoint] signing_key_file: $s/key: owned by uid 65534, neither root nor digestd's user (uid 0); chown 0 $s/key"
	chown 0 "$s/key"
	# Unreadable for digestd's user: run as uid 65534 (root reads anything).
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups $TEST_WRAPPER "$DIGESTD" "$@"; }
	if ! command -v setpriv >/dev/null 2>&1; then
		echo "SKIP: setpriv is missing: an unreadable key is not tried as root"
	# Under qemu-user the wrapper reads the sysroot by its absolute path,
	# which uid 65534 cannot reach when the clone sits in a folder closed
	# to others (/root/digestd: /root is 0700).
	elif ! nobody version >/dev/null 2>"$TMP/err"; then
		echo "SKIP: uid 65534 cannot run '$TEST_WRAPPER $DIGESTD' here ($(head -n 1 "$TMP/err")): an unreadable key is not tried as root"
	else
		chmod 755 "$TMP" "$s"
		chmod 644 "$s/d.ini"
		nobody check-config --config "$s/d.ini" >/dev/null 2>"$TMP/err"
		rc=$?
		chmod 700 "$TMP" "$s"
		if [ $rc -eq 78 ] && grep -q "^digestd: $s/d.ini:10: \[endpoint\] signing_key_file: $s/key: cannot open: Permission denied\$" "$TMP/err"; then
			pass "a key digestd's user cannot read"; else
			fail "a key digestd's user cannot read" "exit $rc" "$(head -c 400 "$TMP/err")"; fi
	fi
else
	chmod 000 "$s/key"
	both_refuse "a key digestd's user cannot read" \
		"$s/d.ini:10: [endpoint] signing_key_file: $s/key: cannot open: Permission denied"
	chmod 600 "$s/key"
fi

# start_refused NAME STATUS MESSAGE: what run refuses at start, after its
# log is set up (the line then carries the time instead of "digestd:"), is
# refused by check-config with the same line and status.
start_refused() {
	timeout 60 $TEST_WRAPPER "$DIGESTD" check-config --config "$s/d.ini" >"$TMP/out" 2>"$TMP/cc.err"
	cc=$?
	timeout 60 $TEST_WRAPPER "$DIGESTD" run --once --config "$s/d.ini" >/dev/null 2>"$TMP/run.err"
	rr=$?
	sed -i 's/^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\} /digestd: /' "$TMP/run.err"
	if [ $cc -ne "$2" ] || ! grep -qxF "digestd: $3" "$TMP/cc.err"; then
		fail "$1: check-config refuses it" "exit $cc, want $2" "got:  $(head -c 400 "$TMP/cc.err")" \
			"want: digestd: $3"
	elif [ $rr -ne "$2" ] || ! grep -qxF "digestd: $3" "$TMP/run.err"; then
		fail "$1: run refuses it with the same line" "exit $rr, want $2" "$(head -c 400 "$TMP/run.err")"
	else
		pass "$1: check-config and run refuse it ($2), same line"
	fi
}

# check-config reads the secrets as run does (a key or token run cannot use
# fails both alike), and neither prints a secret's contents.
printf 'not a key MfKQ9r8\n' >"$s/key"
chmod 600 "$s/key"
secret_config
start_refused "a signing key with bad contents" 78 \
	"signing key file $s/key: not base64 (expected whsec_<base64> or <base64>; raw keys are not accepted)"
if grep -q MfKQ9r8 "$TMP/cc.err" "$TMP/run.err" "$TMP/out"; then
	fail "check-config and run never print a secret's contents"; else
	pass "check-config and run never print a secret's contents"; fi
rm -rf "$s/state"
key "$s/key" 600
printf '\n \n' >"$s/token"
chmod 600 "$s/token"
secret_config 'token_file = token'
start_refused "an empty token file" 78 "[endpoint] token_file: $s/token: empty"
rm -rf "$s/token" "$s/state"

# The endpoint's and the feeds' non-secret files are opened at load too: run
# used to start and retry every push for ever on a CA file that is not there.
secret_config 'ca_file = none.pem'
both_refuse "a missing [endpoint] ca_file" \
	"$s/d.ini:11: [endpoint] ca_file: $s/none.pem: cannot open: No such file or directory"
key "$s/client.key" 600
secret_config 'client_cert = none.pem' 'client_key = client.key'
both_refuse "a missing [endpoint] client_cert" \
	"$s/d.ini:11: [endpoint] client_cert: $s/none.pem: cannot open: No such file or directory"
secret_config
printf '[http]\nca_file = %s\n' "$s" >>"$s/d.ini"
both_refuse "a folder as [http] ca_file" "$s/d.ini:12: [http] ca_file: $s: not a regular file (a folder)"
rm -f "$s/client.key"

# The state folder is checked by check-config as by run (exit 73 both), and
# check-config makes nothing. Root owns what root makes, so the owner check
# is tried by handing the folder to another uid when root.
secret_config
mkdir -m 700 "$s/state"
chmod 777 "$s/state"
start_refused "a state folder writable by others" 73 \
	"$s/state: writable by group or others (mode 0777); refusing to use it (chmod go-w)"
chmod 700 "$s/state"
mkdir -m 775 "$s/state/outbox"
chmod 775 "$s/state/outbox"
start_refused "an outbox/ writable by the group" 73 \
	"$s/state/outbox: writable by group or others (mode 0775); refusing to use it (chmod go-w)"
rmdir "$s/state/outbox"
ln -s /tmp "$s/state/outbox"
start_refused "an outbox/ that is a link" 73 "$s/state/outbox: a symbolic link; refusing to use it"
rm -f "$s/state/outbox"
if [ "$(id -u)" -eq 0 ]; then
	chown 65534 "$s/state"
	start_refused "a state folder owned by another user" 73 \
		"$s/state: owned by uid 65534, not by digestd's uid 0; refusing to use it"
	chown 0 "$s/state"
fi
rm -rf "$s/state"
printf 'x\n' >"$s/state"
start_refused "a state folder that is a file" 73 "$s/state: not a folder; refusing to use it"
rm -f "$s/state"
expect_status "a state folder not made yet: accepted" 0 digestd check-config --config "$s/d.ini"
if [ -e "$s/state" ]; then fail "check-config creates no state folder"; else
	pass "check-config creates no state folder"; fi

# `digestd fetch --config` needs neither an [endpoint] nor its secrets.
mkdir -p "$TMP/conf"
printf '[source seeds]\nurl = %s/seeds\ntype = folder\n' "$(pwd -P)" >"$TMP/conf/nopush.ini"
expect_status "fetch --config without [endpoint]: exit 0" 0 \
	digestd fetch --config "$TMP/conf/nopush.ini" --source seeds
expect_grep "fetch --config without [endpoint]: the seeds are read" "Channel Tunnel" "$TMP/out"

expect_status "missing file: exit 66" 66 digestd check-config --config "$TMP/none.ini"
expect_grep "missing file: named in the message" \
	"^digestd: $TMP/none.ini: cannot read: No such file or directory\$" "$TMP/err"
expect_status "a directory: exit 66" 66 digestd check-config --config "$TMP"
expect_grep "a directory: named in the message" "^digestd: $TMP: not a regular file (a folder)\$" \
	"$TMP/err"
if [ "$(id -u)" -ne 0 ]; then
	cp config/demo.ini "$TMP/private.ini"
	chmod 000 "$TMP/private.ini"
	expect_status "unreadable file: exit 66" 66 digestd check-config --config "$TMP/private.ini"
fi
if [ ! -e /etc/digestd/digestd.ini ]; then
	expect_status "default path: exit 66" 66 digestd check-config
	expect_grep "default path: /etc/digestd/digestd.ini" \
		"^digestd: /etc/digestd/digestd.ini: cannot read" "$TMP/err"
fi
expect_status "unknown option: exit 64" 64 digestd check-config --bogus

# docs/config.md embeds `check-config --keys` between its markers.
sed -n '/^<!-- keys:begin/,/^<!-- keys:end/p' docs/config.md | sed '1d;$d' >"$TMP/doc-keys"
expect_same "docs/config.md has the current key table (tools/config-doc.sh)" \
	"$TMP/doc-keys" "$TMP/keys.md"
