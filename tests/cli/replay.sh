#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz/replay.c, the runner that replays committed fuzz inputs under
# make check: it fails (a FAIL line, no PASS line, non-zero exit) when it is
# given no input, a missing, unreadable or oversized file, and passes on
# readable inputs only.
. tests/cli/lib.sh
: "${BUILD:=build}"
# Any target will do: the runner around it is what is tested.
REPLAY=$BUILD/tests/replay_fuzz_url

replay() {
	# shellcheck disable=SC2086
	$TEST_WRAPPER "$REPLAY" "$@" >"$TMP/out" 2>&1
}

# expect_replay_fails NAME FILE...: a FAIL line naming why, no PASS line, exit != 0.
expect_replay_fails() {
	name=$1
	shift
	replay "$@"
	rc=$?
	if [ $rc -ne 0 ] && grep -q '^FAIL: ' "$TMP/out" && ! grep -q '^PASS: ' "$TMP/out"; then
		pass "replay fails on $name"
	else
		fail "replay fails on $name" "exit $rc; output:" "$(sed 's/^/  /' "$TMP/out")"
	fi
}

printf 'https://a.example/b\nc' >"$TMP/good"
mkdir "$TMP/dir"
# One byte over the runner's 1 MiB buffer: replaying a cut input would test
# something else than the committed file.
head -c 1048577 /dev/zero >"$TMP/big"

expect_replay_fails "no input"
expect_replay_fails "a missing file" "$TMP/good" "$TMP/missing"
expect_replay_fails "a folder (read error)" "$TMP/dir" "$TMP/good"
expect_replay_fails "a file over its buffer" "$TMP/big"

replay "$TMP/good" "$TMP/good"
rc=$?
if [ $rc -eq 0 ] && grep -qx 'PASS: replayed 2 inputs' "$TMP/out" && ! grep -q '^FAIL: ' "$TMP/out"; then
	pass "replay passes on readable inputs"
else
	fail "replay passes on readable inputs" "exit $rc; output:" "$(sed 's/^/  /' "$TMP/out")"
fi
