#!/bin/sh
# SPDX-License-Identifier: MIT
# `make fuzz`: runs each libFuzzer target for SECONDS over its committed corpus
# (tests/fuzz/corpus/NAME), writing new crash inputs to tests/fuzz/crashes/NAME.
# Usage: tools/fuzz.sh SECONDS TARGET...
set -eu
seconds=$1
shift
status=0
for bin in "$@"; do
	name=$(basename "$bin")
	target=${name#fuzz_}
	corpus=tests/fuzz/corpus/$target
	crashes=tests/fuzz/crashes/$target
	work=build/fuzz/corpus-$target
	mkdir -p "$work" "$crashes"
	echo "fuzz: $name for ${seconds}s"
	if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
		-max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=1 \
		"$work" "$corpus" >"build/fuzz/$name.log" 2>&1; then
		echo "fuzz: $name FAILED; see build/fuzz/$name.log and $crashes/"
		tail -n 30 "build/fuzz/$name.log"
		status=1
	else
		grep -E '^stat::number_of_executed_units|^Done' "build/fuzz/$name.log" || true
	fi
done
exit $status
