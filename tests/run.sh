#!/bin/sh
# SPDX-License-Identifier: MIT
# Test runner: runs each unit-test program, each fuzz replay over its committed
# inputs and each $SCRIPTS/*.sh script, counts their PASS:/FAIL: lines (SKIP:
# lines are shown, not counted) and ends with "N passed, N failed".
# TEST_WRAPPER (e.g. a qemu-user command)
# prefixes every program the tests start.
# Environment: DIGESTD (the binary under test), BUILD (the build folder),
# SCRIPTS (the folder of test scripts: tests/cli, or tests/eval for `make eval`).
set -u
: "${DIGESTD:=build/digestd}"
: "${SCRIPTS:=tests/cli}"
: "${BUILD:=build}"
: "${TEST_WRAPPER:=}"
export DIGESTD BUILD TEST_WRAPPER
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL): ' >>"$log"
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL: '; then
		echo "FAIL: $name exited with status $rc" >>"$log"
	fi
	if [ $rc -ne 0 ]; then
		printf '%s\n' "--- $name (exit $rc)" "$out" | tail -n 40
	fi
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP): ' | sed "s|^|[$name] |"
}

for bin in "$@"; do
	name=$(basename "$bin")
	case $name in
	replay_fuzz_*)
		target=${name#replay_fuzz_}
		files=$(find tests/fuzz/corpus/"$target" tests/fuzz/crashes/"$target" \
			-type f 2>/dev/null | sort)
		# shellcheck disable=SC2086
		run_one "$name" $TEST_WRAPPER "$bin" $files
		;;
	*)
		run_one "$name" $TEST_WRAPPER "$bin"
		;;
	esac
done

for script in "$SCRIPTS"/*.sh; do
	case $script in */lib.sh) continue ;; esac
	run_one "$(basename "$script")" sh "$script"
done

passed=$(grep -c '^PASS: ' "$log")
failed=$(grep -c '^FAIL: ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
