#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the self-checks of the evaluation tools: tools/eval-summ.py (ROUGE-1/2/L
# against hand-computed values, Porter stemming, the OTS ratio choice) and
# tools/train-scorer.py (its solver, and a fit on made-up articles finding the
# one input that orders them); a crash or bad exit is a FAIL.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/cli/lib.sh
. tests/cli/lib.sh

# self_test TOOL MIN: runs tools/TOOL --self-test, which must pass MIN checks.
self_test() {
	python3 "tools/$1" --self-test >"$TMP/selftest" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL): |^  ' "$TMP/selftest"
	passed=$(grep -c '^PASS: ' "$TMP/selftest")
	if [ "$rc" -ne 0 ]; then
		fail "$1 --self-test exit status" "exit $rc" "$(grep -v -E '^(PASS|FAIL): |^  ' "$TMP/selftest" | tail -n 5)"
	elif [ "$passed" -lt "$2" ]; then
		fail "$1 --self-test ran all its checks" "only $passed PASS lines"
	else
		pass "$1 --self-test exit status ($passed checks)"
	fi
}

self_test eval-summ.py 20
self_test train-scorer.py 3
