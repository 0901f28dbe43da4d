#!/bin/sh
# SPDX-License-Identifier: MIT
# Story grouping (`make eval`): tools/eval-group.py scores `digestd group` and
# two baselines on ../shared/data/clusters/dev.jsonl into $BUILD/eval/group.md;
# the targets (B-cubed F1 above both baselines, precision at least 0.90) must
# hold and docs/grouping.md's table must come out the same (all deterministic).
# Without ../shared beside the repository it says so and skips.
. tests/cli/lib.sh

data=../shared/data/clusters/dev.jsonl
if [ ! -r "$data" ]; then
	echo "SKIP: story grouping eval: $data is missing (make eval needs ../shared beside the repository)"
	exit 0
fi
mkdir -p "$BUILD/eval"
page=$BUILD/eval/group.md
if python3 tools/eval-group.py --data "$data" --digestd "$DIGESTD" --wrapper "$TEST_WRAPPER" \
	--markdown "$page" >"$BUILD/eval/group.txt" 2>&1; then
	pass "grouping eval ran"
else
	fail "grouping eval ran" "$(tail -n 5 "$BUILD/eval/group.txt")"
	exit 1
fi
# The "all" rows: digestd's, then the title baseline's, then TF-IDF's.
f1() { grep "^| all |" "$page" | sed -n "${1}p" | cut -d'|' -f8 | tr -d ' '; }
prec=$(grep "^| all |" "$page" | sed -n 1p | cut -d'|' -f6 | tr -d ' ')
if awk -v d="$(f1 1)" -v t="$(f1 2)" -v c="$(f1 3)" -v p="$prec" \
	'BEGIN { exit !(d > t && d > c && p >= 0.90) }'; then
	pass "grouping: B-cubed F1 $(f1 1) above the baselines' $(f1 2) and $(f1 3), precision $prec"
else
	fail "grouping: B-cubed F1 above both baselines, precision at least 0.90" "$(cat "$page")"
fi
rows() { grep -E '^\| (all|ecbplus|meantime) \|' "$1"; }
rows docs/grouping.md >"$TMP/doc"
rows "$page" >"$TMP/run"
if [ -s "$TMP/doc" ] && cmp -s "$TMP/doc" "$TMP/run"; then
	pass "docs/grouping.md: its $(wc -l <"$TMP/doc") result rows reproduced"
else
	fail "docs/grouping.md: its result rows reproduced" "$(diff "$TMP/doc" "$TMP/run" | head -n 20)"
fi
