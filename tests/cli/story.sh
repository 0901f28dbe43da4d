#!/bin/sh
# SPDX-License-Identifier: MIT
# One story from two sources through the real daemon (`run --once` against
# digest-sink): two folder sources, one carrying an earthquake report and a
# budget story, the other a second outlet's report of the same earthquake.
# The digest (digestd.digest/2) holds two items, the earthquake first with
# the other outlet's report as its "also" entry; with group = no, three.
. tests/cli/lib.sh
. tests/cli/daemon.lib

# seed NAME DIR URL: tests/data/stories/NAME.txt with a URL line, into DIR.
seed() {
	mkdir -p "$2"
	{
		printf 'URL: %s\n' "$3"
		cat "tests/data/stories/$1.txt"
	} >"$2/$1.txt"
}

seed bg-budget "$TMP/articles" https://one.example/budget
seed quake-north-1 "$TMP/articles" https://one.example/quake
seed quake-north-2 "$TMP/wire" https://wire.example/valdera-quake
start_sink 0 || exit 1

# check_digest LABEL GROUP WANT: one --once run with [digest] group = GROUP
# on a fresh state folder and store; WANT names the expected items.
check_digest() {
	rm -rf "$TMP/state" "$TMP/store"/*
	GROUP=$2 write_config "$TMP/d.ini" "" "[source wire]" "url = $TMP/wire" "type = folder" \
		"lang = auto"
	digestd run --once --config "$TMP/d.ini" >"$TMP/out" 2>"$TMP/once.log"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$1: --once exit 0" "exit $rc" "$(tail -n 5 "$TMP/once.log")"
		return
	fi
	if python3 - "$TMP/store" "$3" >"$TMP/cmp" 2>&1 <<'PY'; then
import glob, json, sys
(path,) = glob.glob(sys.argv[1] + "/*.json")
d = json.load(open(path, encoding="utf-8"))
assert d["schema"] == "digestd.digest/2", d["schema"]
got = [(a["source"], a["url"], [(o["source"], o["url"]) for o in a["also"]])
       for a in d["articles"]]
want = {
    "grouped": [("articles", "https://one.example/quake",
                 [("wire", "https://wire.example/valdera-quake")]),
                ("articles", "https://one.example/budget", [])],
}
if sys.argv[2] == "grouped":
    assert got == want["grouped"], got
else:
    assert sorted(a[1] for a in got) == ["https://one.example/budget",
                                         "https://one.example/quake",
                                         "https://wire.example/valdera-quake"], got
    assert all(a[2] == [] for a in got), got
PY
		pass "$1"
	else
		fail "$1" "$(cat "$TMP/cmp")"
	fi
}

check_digest "two sources, one story: one item with an also entry, first" yes grouped
check_digest "group = no: every article an item of its own" no separate
