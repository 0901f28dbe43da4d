#!/bin/sh
# SPDX-License-Identifier: MIT
# Test runner: runs each unit-test program, each fuzz replay over its committed
# inputs and each $SCRIPTS/*.sh script, counts their PASS:/FAIL: lines (SKIP:
# lines are shown, not counted) and ends with "N passed, N failed".
# TEST_WRAPPER (e.g. a qemu-user command)
# prefixes every program the tests start.
# Environment: DIGESTD (the binary under test), BUILD (the build folder),
# SCRIPTS (the folder of test scripts: tests/cli, or tests/eval for `make eval`),
# JOBS (tests run at once, default twice the number of processors: every test
# uses its own temporary folder and free loopback ports, and most of a test's
# time is spent waiting on a daemon or a server, not computing). Output is shown in
# the order the tests were listed, whatever order they end in.
set -u
: "${DIGESTD:=build/digestd}"
: "${SCRIPTS:=tests/cli}"
: "${BUILD:=build}"
: "${TEST_WRAPPER:=}"
: "${JOBS:=$((2 * $(nproc 2>/dev/null || echo 1)))}"
export DIGESTD BUILD TEST_WRAPPER

# One test, as `sh tests/run.sh --one OUTDIR INDEX NAME CMD...`: its counted
# lines go to OUTDIR/INDEX.log, what it shows to OUTDIR/INDEX.out.
if [ "${1:-}" = --one ]; then
	dir=$2 idx=$3 name=$4
	shift 4
	out=$("$@" 2>&1)
	rc=$?
	{
		printf '%s\n' "$out" | grep -E '^(PASS|FAIL): '
		if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL: '; then
			echo "FAIL: $name exited with status $rc"
		fi
	} >"$dir/$idx.log"
	{
		if [ $rc -ne 0 ]; then
			printf '%s\n' "--- $name (exit $rc)" "$out" | tail -n 40
		elif printf '%s\n' "$out" | grep -q '^FAIL: '; then
			# A script that went on after a failed check: the check and
			# the detail lines under it, which say why.
			echo "--- $name: failed checks"
			printf '%s\n' "$out" | awk '/^FAIL: /{f=1; print; next} f && /^  /{print; next} {f=0}'
		fi
		printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP): ' | sed "s|^|[$name] |"
	} >"$dir/$idx.out"
	exit 0
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The tests as lines "INDEX NAME CMD...": names and paths hold no spaces.
list() {
	i=0
	for bin in "$@"; do
		i=$((i + 1))
		name=$(basename "$bin")
		case $name in
		replay_fuzz_*)
			target=${name#replay_fuzz_}
			files=$(find tests/fuzz/corpus/"$target" tests/fuzz/crashes/"$target" \
				-type f 2>/dev/null | sort | tr '\n' ' ')
			files=${files% }
			echo "$i $name $TEST_WRAPPER $bin $files"
			;;
		*)
			echo "$i $name $TEST_WRAPPER $bin"
			;;
		esac
	done
	for script in "$SCRIPTS"/*.sh; do
		case $script in */lib.sh) continue ;; esac
		i=$((i + 1))
		echo "$i $(basename "$script") sh $script"
	done
}

# xargs splits each line into words (no line ends in a blank, which would
# join it to the next), after the runner's own arguments.
list "$@" >"$dir/list"
xargs -P "$JOBS" -L 1 sh "$0" --one "$dir" <"$dir/list"

n=$(wc -l <"$dir/list")
i=1
while [ "$i" -le "$n" ]; do
	name=$(sed -n "${i}p" "$dir/list" | cut -d' ' -f2)
	if [ -f "$dir/$i.log" ]; then
		cat "$dir/$i.out"
		cat "$dir/$i.log" >>"$dir/all"
	else
		echo "FAIL: $name did not report" | tee -a "$dir/all"
	fi
	i=$((i + 1))
done
passed=$(grep -c '^PASS: ' "$dir/all")
failed=$(grep -c '^FAIL: ' "$dir/all")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
