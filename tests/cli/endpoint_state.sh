#!/bin/sh
# SPDX-License-Identifier: MIT
# An endpoint's state file (its last answer, docs/status.md) that is
# damaged, a FIFO, a link or a folder: set aside as .corrupt with one
# warning that names the endpoint as the config writes it ([endpoint],
# [endpoint NAME]) and the file's path, never calls it a source; the run
# goes on and the next answer is saved (tests/cli/state_aside.sh counts the
# warnings).
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles"
start_sink 0 || exit 1
start_b || exit 1
write_config "$TMP/d.ini" "" "[endpoint b]" \
	"url = https://localhost:$B_PORT/digest" "ca_file = $TMP/tls/cert.pem" \
	"signing_key_file = $TMP/key" "timeout = 30s"

new_article first
expect_status "a first cycle: exit 0" 0 digestd run --once --config "$TMP/d.ini"
plain=$(grep -l '^name endpoint:default$' "$TMP/state"/source-*.state)
named=$(grep -l '^name endpoint:b$' "$TMP/state"/source-*.state)
if [ -z "$plain" ] || [ -z "$named" ]; then
	fail "each endpoint's answer is in its state file" "$(ls "$TMP/state")"
	exit 1
fi

# cycle NAME: a new article and `run --once`, bounded (a FIFO must not
# hold it); stderr in $TMP/NAME.log, the exit status in RC.
cycle() {
	new_article "$1"
	timeout -k 5 $((60 * SLOW)) $TEST_WRAPPER "$DIGESTD" run --once --config "$TMP/d.ini" \
		>/dev/null 2>"$TMP/$1.log"
	RC=$?
}
# said NAME LOG LINE: the run exited 0 and $TMP/LOG.log has LINE (fixed text).
said() {
	if [ "$RC" -eq 0 ] && grep -qF -- "$3" "$TMP/$2.log"; then pass "$1"; else
		fail "$1" "exit $RC; no '$3' in:" "$(grep -i state "$TMP/$2.log")"
	fi
}
# unsourced NAME LOG: no line of LOG calls an endpoint a source.
unsourced() {
	if grep -q "source endpoint:" "$TMP/$2.log"; then
		fail "$1" "$(grep "source endpoint:" "$TMP/$2.log")"
	else
		pass "$1"
	fi
}

# Damaged (the plain one), a FIFO (b's).
printf 'not a state file\n' >"$plain"
rm -f "$named" && mkfifo "$named"
cycle damaged
said "damaged: the warning names [endpoint] and the file" damaged \
	"[endpoint]: $plain: damaged; moved to $plain.corrupt; starting afresh"
said "a FIFO: the warning names [endpoint b] and the file" damaged \
	"[endpoint b]: $named: not a regular file; moved to $named.corrupt; starting afresh"
unsourced "damaged, a FIFO: no endpoint called a source" damaged
if grep -q '^name endpoint:default$' "$plain" && grep -q '^name endpoint:b$' "$named" &&
	[ -f "$named" ] && [ ! -p "$named" ]; then
	pass "damaged, a FIFO: the next answer saved over them"
else
	fail "damaged, a FIFO: the next answer saved over them" "$(ls -l "$TMP/state")"
fi

# A link (b's), a folder (the plain one's: not read; no save could replace
# it). The earlier .corrupt files go first: a folder cannot be renamed over
# a file.
rm -f "$plain.corrupt" "$named.corrupt"
mv "$named" "$TMP/b.state" && ln -s "$TMP/b.state" "$named"
rm -f "$plain" && mkdir "$plain"
cycle linked
said "a link: the warning names [endpoint b] and the file" linked \
	"[endpoint b]: $named: a symbolic link, not followed; moved to $named.corrupt; starting afresh"
said "a folder: the warning names [endpoint] and the file" linked \
	"[endpoint]: $plain: not a regular file (a folder); moved to $plain.corrupt; starting afresh"
unsourced "a link, a folder: no endpoint called a source" linked
