#!/bin/sh
# SPDX-License-Identifier: MIT
# The cycle benchmark's harness (tools/bench-cycle.py, tools/bench-feeds.py)
# on 5 feeds, timeout 2 s: both runs deliver the articles the feeds hold, the
# teasers' pages included; more sources than digestd takes is said, not an
# obscure failure. Checks what was delivered, never how long it took.
. tests/cli/lib.sh

# 5 feeds with seed 1: one hangs, one carries 2 teasers (both pages read),
# three hold 3 distinct wire stories each: 11 articles.
python3 tools/bench-cycle.py "$DIGESTD" --feeds 5 --timeout 2 --slow 0.2 --idle 0 \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ]; then pass "5 feeds: exit 0"; else
	fail "5 feeds: exit 0" "exit $rc" "$(tail -n 20 "$TMP/out" "$TMP/err")"
fi
expect_grep "5 feeds: 11 articles in each run, equal, all the feeds hold" \
	'^articles delivered: 11 in each run, equal, every one the feeds hold (2 of them from teaser pages)$' "$TMP/out"
expect_grep "5 feeds: the mix (one hangs, one slow, one with teasers)" \
	'^feeds: 5 on loopback .*: 1 hang, 1 answer after 0.2 s, 3 at once; 1 carry 2 teasers' "$TMP/out"
expect_grep "sequential run: max_transfers 1, exit 0, 11 articles, 2 pages expanded" \
	'^sequential  *1  *[0-9.]*  *[0-9]*  *0  *11  *2 ' "$TMP/out"
expect_grep "concurrent run: exit 0, 11 articles, 2 pages expanded" \
	'^concurrent  *[0-9]*  *[0-9.]*  *[0-9]*  *0  *11  *2 ' "$TMP/out"

# One source more than src/core/limits.h allows: check-config's line, exit 78,
# no server started.
cap=$(sed -n 's/^#define CFG_MAX_SOURCES \([0-9]*\)u$/\1/p' src/core/limits.h)
python3 tools/bench-cycle.py "$DIGESTD" --feeds $((cap + 1)) --idle 0 >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 78 ] && grep -q "^digestd takes at most $cap sources (check-config: .*too many sources: at most $cap " "$TMP/out" &&
	grep -q "^bench-cycle: run with --feeds $cap or fewer$" "$TMP/out"; then
	pass "--feeds $((cap + 1)): the cap of $cap sources said, exit 78"
else
	fail "--feeds $((cap + 1)): the cap of $cap sources said, exit 78" "exit $rc" \
		"$(head -c 600 "$TMP/out" "$TMP/err")"
fi
