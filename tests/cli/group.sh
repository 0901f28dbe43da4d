#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd group` from the outside: the articles of tests/data/stories grouped
# in text and JSON, the same result twice, order mattering only for the
# numbers, exit statuses for bad options and unreadable files.
. tests/cli/lib.sh

d=tests/data/stories
set -- "$d/bg-budget.txt" "$d/bg-football.txt" "$d/bg-school.txt" "$d/bg-train.txt" \
	"$d/quake-north-1.txt" "$d/quake-south.txt" "$d/quake-north-2.txt" "$d/jet-en.txt" \
	"$d/jet-es.txt"
expect_status "group: exit 0" 0 digestd group "$@"
cp "$TMP/out" "$TMP/text"
printf '%s\t%s\n' "$d/bg-budget.txt" 1 "$d/bg-football.txt" 2 "$d/bg-school.txt" 3 \
	"$d/bg-train.txt" 4 "$d/quake-north-1.txt" 5 "$d/quake-south.txt" 6 \
	"$d/quake-north-2.txt" 5 "$d/jet-en.txt" 7 "$d/jet-es.txt" 7 >"$TMP/want"
expect_same "group: one story from two outlets and in two languages joins, the twin stays apart" \
	"$TMP/text" "$TMP/want"

expect_status "group --format json: exit 0" 0 digestd group --format json "$@"
if python3 -c '
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
sys.exit(0 if [(o["file"], o["group"]) for o in got] == [(f, int(g)) for f, g in want] else 1)
' "$TMP/out" "$TMP/want"; then
	pass "group --format json: {\"file\",\"group\"} per line, the same groups"
else
	fail "group --format json: {\"file\",\"group\"} per line, the same groups" "$(head -c 400 "$TMP/out")"
fi

# An unreadable file is named and skipped; the others are still grouped.
expect_status "group: a missing file gives 66" 66 digestd group "$d/jet-en.txt" "$TMP/none" "$d/jet-es.txt"
expect_grep "group: the missing file is named" "cannot read '$TMP/none'" "$TMP/err"
printf '%s\t%s\n' "$d/jet-en.txt" 1 "$d/jet-es.txt" 1 >"$TMP/want2"
expect_same "group: the others are grouped" "$TMP/out" "$TMP/want2"
expect_status "group: a folder gives 66" 66 digestd group "$d"
expect_status "group: no files is a usage error" 64 digestd group
expect_status "group: an unknown format is a usage error" 64 digestd group --format xml "$d/jet-en.txt"
expect_status "group: an unknown option is a usage error" 64 digestd group --frobnicate "$d/jet-en.txt"
