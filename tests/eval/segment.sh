#!/bin/sh
# SPDX-License-Identifier: MIT
# Segmentation (`make eval`): tools/eval-segment.py counts the BBC News Summary
# dev references' sentences (verbatim article sentences) that digestd's
# segmenter finds exactly; issue 14's floor is 99 %. Skipped without ../shared.
. tests/cli/lib.sh

set=../shared/data/summ/bbc_news_summary.dev.jsonl
if [ ! -f "$set" ]; then
	echo "SKIP: segmentation eval ($set is missing: make eval needs ../shared beside the repository)"
	exit 0
fi
mkdir -p "$BUILD/eval"
if python3 tools/eval-segment.py --set "$set" --digestd "$DIGESTD" --misses --min 99 \
	>"$BUILD/eval/segment.txt" 2>&1; then
	pass "$(tail -n 1 "$BUILD/eval/segment.txt")"
else
	fail "segmentation: 99 % of the BBC dev reference sentences found" "$(tail -n 3 "$BUILD/eval/segment.txt")"
fi
