#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the self-checks of tools/eval-summ.py (ROUGE-1/2/L against hand-computed
# values, Porter stemming, the OTS ratio choice); a crash or bad exit is a FAIL.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/cli/lib.sh
. tests/cli/lib.sh

python3 tools/eval-summ.py --self-test >"$TMP/selftest" 2>&1
rc=$?
grep -E '^(PASS|FAIL): |^  ' "$TMP/selftest"
passed=$(grep -c '^PASS: ' "$TMP/selftest")
if [ "$rc" -ne 0 ]; then
	fail "eval-summ --self-test exit status" "exit $rc" "$(grep -v -E '^(PASS|FAIL): |^  ' "$TMP/selftest" | tail -n 5)"
elif [ "$passed" -lt 20 ]; then
	fail "eval-summ --self-test ran all its checks" "only $passed PASS lines"
else
	pass "eval-summ --self-test exit status ($passed checks)"
fi
