#!/bin/sh
# SPDX-License-Identifier: MIT
# Summariser (`make eval`): tools/eval-summ.py scores digestd, Lead-3 and OTS
# on the dev sets of ../shared/data/summ into $BUILD/eval/quality.md; every
# row of docs/quality.md's results table must come out the same (the
# summariser and ROUGE are deterministic), so the page says what the code does.
. tests/cli/lib.sh

data=../shared/data/summ
if ! ls "$data"/*.dev.jsonl >/dev/null 2>&1; then
	echo "SKIP: summariser eval ($data/*.dev.jsonl is missing: make eval needs ../shared beside the repository)"
	exit 0
fi
mkdir -p "$BUILD/eval"
page=$BUILD/eval/quality.md
if python3 tools/eval-summ.py --digestd "$DIGESTD" --markdown "$page" >"$BUILD/eval/summ.txt" 2>&1; then
	pass "summariser eval ran ($(grep -c '^| [a-z0-9_]* | [0-9]* | \*\*digestd\*\* |' "$page") sets)"
else
	fail "summariser eval ran" "$(tail -n 5 "$BUILD/eval/summ.txt")"
	exit 1
fi
rows() { grep -E '^\| [a-z0-9_]+ \| [0-9]+ \| (\*\*digestd\*\*|Lead-3|OTS) \|' "$1"; }
rows docs/quality.md >"$TMP/doc"
rows "$page" >"$TMP/run"
cut -d'|' -f2 "$TMP/doc" | sort -u >"$TMP/docsets"
new=$(cut -d'|' -f2 "$TMP/run" | sort -u | grep -vxF -f "$TMP/docsets" | tr -d ' ' | paste -sd, -)
missing=$(grep -vxF -f "$TMP/run" "$TMP/doc")
if [ -s "$TMP/doc" ] && [ -z "$missing" ]; then
	pass "docs/quality.md: its $(wc -l <"$TMP/doc") result rows reproduced${new:+ (sets not on the page: $new)}"
else
	fail "docs/quality.md: its result rows reproduced" "differ or missing in this run:" "$missing"
fi
