#!/bin/sh
# SPDX-License-Identifier: MIT
# HTML corpus regression guard: `digestd fetch --type page` on every page of
# ../shared/data/html (tools/eval-html.py, digestd side only). Fails when
# digestd fails on a page or a set's F1 drops below its floor; the floors sit
# about 0.01 under the figures in docs/extract.md.
. tests/cli/lib.sh

data=../shared/data/html
if [ ! -f "$data/ground-truth.jsonl" ]; then
	fail "html corpus" "$data/ground-truth.jsonl is missing (shared/ must sit beside the repo)"
	exit 1
fi
python3 tools/eval-html.py --digestd-only --data "$data" --digestd "$DIGESTD" \
	--wrapper "$TEST_WRAPPER" --json "$TMP/eval.json" \
	--floor readability=0.97 --floor zyte-aeb=0.97 --floor trafilatura=0.86 \
	>"$TMP/eval.txt" 2>&1
if grep -q '^FAILED: ' "$TMP/eval.txt"; then
	fail "html corpus: digestd ran on every page" "$(grep '^FAILED: ' "$TMP/eval.txt" | head -n 5)"
else
	pass "html corpus: digestd ran on every page"
fi
for set in readability zyte-aeb trafilatura; do
	if grep -q "^BELOW FLOOR: $set " "$TMP/eval.txt"; then
		fail "html corpus: $set F1 above its floor" "$(grep "^BELOW FLOOR: $set " "$TMP/eval.txt")"
	elif grep -q "^| $set |" "$TMP/eval.txt"; then
		pass "html corpus: $set F1 above its floor"
	else
		fail "html corpus: $set scored" "$(tail -n 5 "$TMP/eval.txt")"
	fi
done
