# SPDX-License-Identifier: MIT
# Helpers for the command-line tests: each check prints one PASS:/FAIL: line.
# Sourced by tests/cli/*.sh and tests/eval/*.sh; DIGESTD names the binary,
# TEST_WRAPPER may prefix it (qemu-user).
# Tests that run make must not inherit the outer make's variables.
unset MAKEFLAGS MFLAGS MAKELEVEL
: "${DIGESTD:=build/digestd}"
: "${TEST_WRAPPER:=}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

digestd() {
	# shellcheck disable=SC2086
	$TEST_WRAPPER "$DIGESTD" "$@"
}

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; shift; [ $# -gt 0 ] && printf '  %s\n' "$@"; }

# expect_status NAME WANT CMD...: runs CMD, compares its exit status.
expect_status() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq "$want" ]; then pass "$name"; else
		fail "$name" "exit $got, want $want" "$(head -c 400 "$TMP/err")"
	fi
}

# expect_same NAME FILE_GOT FILE_WANT
expect_same() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1" "$(diff "$3" "$2" | head -n 20)"
	fi
}

# expect_grep NAME PATTERN FILE
expect_grep() {
	if grep -q -- "$2" "$3"; then pass "$1"; else
		fail "$1" "no '$2' in:" "$(head -c 400 "$3")"
	fi
}
