#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd check-config`: every bad config in tests/config/bad/ fails with
# status 78 and exactly its .expected stderr line; the shipped examples pass
# and list every key; unreadable files give 66; docs/config.md is current.
. tests/cli/lib.sh

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

ini_keys config/digestd.ini >"$TMP/example-keys"
expect_same "config/digestd.ini sets every key in its section" "$TMP/example-keys" "$TMP/keys"

# Its header says each key is at its default: "section key value" from the
# table (unset is empty; required keys have none) and from the file.
awk -F'|' '/^### \[/ { split($0, w, /[][ ]/); s = w[3] }
     /^\| `/ { k = $2; d = $4; gsub(/[` ]/, "", k); sub(/^ */, "", d); sub(/ *$/, "", d)
               if (d == "required") next
               if (d == "unset") d = ""
               gsub(/`/, "", d); print s, k, d }' "$TMP/keys.md" | sort -u >"$TMP/defaults"
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

for ini in config/digestd.ini config/demo.ini; do
	expect_status "check-config $ini" 0 digestd check-config --config "$ini"
	cp "$TMP/out" "$TMP/dump"
	ini_keys "$TMP/dump" >"$TMP/dump-keys"
	expect_same "check-config $ini prints every key" "$TMP/dump-keys" "$TMP/keys"
	# The dump is itself a valid config that prints the same again.
	cp "$TMP/dump" "$TMP/again.ini"
	digestd check-config --config "$TMP/again.ini" >"$TMP/again" 2>/dev/null
	grep -v '^; effective\|^; resolved' "$TMP/dump" | sed 's/ ; read from .*//' >"$TMP/a"
	grep -v '^; effective\|^; resolved' "$TMP/again" | sed 's/ ; read from .*//' >"$TMP/b"
	expect_same "check-config $ini: the dump loads back the same" "$TMP/b" "$TMP/a"
done

digestd check-config --config config/demo.ini >"$TMP/out" 2>"$TMP/err"
repo=$(pwd -P)
expect_grep "demo.ini: paths relative to config/" "^url = $repo/seeds\$" "$TMP/out"
expect_grep "demo.ini: state under build/demo" "^state_dir = $repo/build/demo/state\$" "$TMP/out"
expect_grep "demo.ini: secret shown as its file only" \
	"^signing_key_file = ../build/demo/signing-key ; read from $repo/build/demo/signing-key\$" \
	"$TMP/out"
if [ -s "$TMP/err" ]; then fail "demo.ini: no notes (sources and endpoint present)" \
	"$(cat "$TMP/err")"; else pass "demo.ini: no notes (sources and endpoint present)"; fi

CREDENTIALS_DIRECTORY=/run/credentials/digestd.service STATE_DIRECTORY=/var/lib/private/digestd \
	digestd check-config --config config/digestd.ini >"$TMP/out" 2>&1
expect_grep "credential names resolve in \$CREDENTIALS_DIRECTORY" \
	'^signing_key_file = signing-key ; read from /run/credentials/digestd.service/signing-key (systemd credential)$' \
	"$TMP/out"
expect_grep "\$STATE_DIRECTORY replaces the default state_dir" \
	'^state_dir = /var/lib/private/digestd$' "$TMP/out"

# A secret's contents are never read or printed: only its path is.
mkdir -p "$TMP/conf"
printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$TMP/conf/key"
printf '[endpoint]\nurl = https://x.example/\nsigning_key_file = key\n' >"$TMP/conf/d.ini"
digestd check-config --config "$TMP/conf/d.ini" >"$TMP/out" 2>&1
if grep -q MfKQ9r8 "$TMP/out"; then fail "check-config never prints a secret's contents"; else
	pass "check-config never prints a secret's contents"; fi

printf '[source a]\nurl = x\n' >"$TMP/conf/nopush.ini"
expect_status "no [endpoint]: valid, exit 0" 0 digestd check-config --config "$TMP/conf/nopush.ini"
expect_grep "no [endpoint]: a note on stderr" \
	"^digestd: note: $TMP/conf/nopush.ini: no \[endpoint\] section: digestd run needs somewhere to push digests\$" \
	"$TMP/err"

expect_status "missing file: exit 66" 66 digestd check-config --config "$TMP/none.ini"
expect_grep "missing file: named in the message" \
	"^digestd: $TMP/none.ini: cannot read: No such file or directory\$" "$TMP/err"
expect_status "a directory: exit 66" 66 digestd check-config --config "$TMP"
expect_grep "a directory: named in the message" "^digestd: $TMP: cannot read: Is a directory\$" \
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
