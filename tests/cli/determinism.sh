#!/bin/sh
# SPDX-License-Identifier: MIT
# The summariser gives the same sentences and scores on every architecture:
# seeds/*.txt must summarise to the committed tests/data/seeds-summary.jsonl
# natively and under qemu-user (make check ARCH=arm64, ARCH=armhf).
# Whoever changes the summariser's output on purpose regenerates it natively:
#   make && build/digestd summarize --format json seeds/*.txt >tests/data/seeds-summary.jsonl
. tests/cli/lib.sh

digestd summarize --format json seeds/*.txt >"$TMP/got" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$TMP/err" ]; then pass "summarize seeds/*.txt exits 0, silently"; else
	fail "summarize seeds/*.txt exits 0, silently" "exit $rc" "$(head -c 400 "$TMP/err")"; fi
expect_same "seeds/*.txt summaries match tests/data/seeds-summary.jsonl" \
	"$TMP/got" tests/data/seeds-summary.jsonl
