#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the self-checks of tools/train-scorer.py (its linear solver, and a fit
# on made-up articles finding the one input that orders them).
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/cli/lib.sh
. tests/cli/lib.sh

python3 tools/train-scorer.py --self-test >"$TMP/selftest" 2>&1
rc=$?
grep -E '^(PASS|FAIL): ' "$TMP/selftest"
passed=$(grep -c '^PASS: ' "$TMP/selftest")
if [ "$rc" -ne 0 ]; then
	fail "train-scorer --self-test exit status" "exit $rc" "$(tail -n 5 "$TMP/selftest")"
elif [ "$passed" -lt 3 ]; then
	fail "train-scorer --self-test ran all its checks" "only $passed PASS lines"
else
	pass "train-scorer --self-test exit status ($passed checks)"
fi
