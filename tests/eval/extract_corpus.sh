#!/bin/sh
# SPDX-License-Identifier: MIT
# HTML corpus (`make eval`): tools/eval-html.py over ../shared/data/html,
# digestd fetch --type page beside readability-lxml. Fails when digestd fails
# on a page or a set's F1 drops below its floor; the floors sit about 0.01
# under the figures in docs/extract.md. The table goes to $BUILD/eval/html.txt.
. tests/cli/lib.sh

data=../shared/data/html
if [ ! -f "$data/ground-truth.jsonl" ]; then
	fail "html corpus" "$data/ground-truth.jsonl is missing (make eval needs ../shared beside the repository)"
	exit 1
fi
mkdir -p "$BUILD/eval"
report=$BUILD/eval/html.txt
# The peer is Debian's python3-readability (tools/deps.sh): when another
# python3 comes first in PATH (pyenv, a venv), Debian's own runs the tool.
py=python3
if ! python3 -c 'import readability' 2>/dev/null && /usr/bin/python3 -c 'import readability' 2>/dev/null; then
	py=/usr/bin/python3
fi
$py tools/eval-html.py --data "$data" --digestd "$DIGESTD" \
	--wrapper "$TEST_WRAPPER" --json "$TMP/eval.json" \
	--floor readability=0.97 --floor zyte-aeb=0.97 --floor trafilatura=0.86 \
	>"$report" 2>&1
if grep -q '^FAILED: ' "$report"; then
	fail "html corpus: digestd ran on every page" "$(grep '^FAILED: ' "$report" | head -n 5)"
else
	pass "html corpus: digestd ran on every page"
fi
for set in readability zyte-aeb trafilatura; do
	if grep -q "^BELOW FLOOR: $set " "$report"; then
		fail "html corpus: $set F1 above its floor" "$(grep "^BELOW FLOOR: $set " "$report")"
	elif grep -q "^| $set |" "$report"; then
		pass "html corpus: $set F1 above its floor"
	else
		fail "html corpus: $set scored" "$(tail -n 5 "$report")"
	fi
done
