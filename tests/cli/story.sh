#!/bin/sh
# SPDX-License-Identifier: MIT
# One story from two sources through the real daemon (`run --once` against
# digest-sink): two folder sources, one carrying an earthquake report and a
# budget story, the other a second outlet's report of the same earthquake.
# The digest (digestd.digest/2) holds two items, the earthquake first with
# the other outlet's report as its "also" entry; with group = no, three.
# Then the daemon groups as `digestd group` does: the stories of
# tests/data/stories as a folder source over two --once runs give exactly
# the items and "also" entries that `digestd group` on the same files, in
# the same order, predicts (and a story of the first run coming back in the
# second is held back, not delivered), with one key sentence kept: the
# daemon fingerprints an article's whole text as it arrives, not what the
# pending list keeps of it. Last, the same article under a re-keyed link
# after repeat_after is held back, the story's new article is not.
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

# The same files, the same order: `digestd group`'s groups are the daemon's.
# Run 1 takes FIRST, run 2 adds the other stories; sentences = 1, so that
# what the list keeps of an article is much less than its text.
first="bg-budget bg-football jet-en jet-es quake-north-1 quake-south"
LC_ALL=C # the glob below in the folder source's (strcmp) order
export LC_ALL
rm -rf "$TMP/state" "$TMP/store"/* "$TMP/articles" "$TMP/runs"
mkdir -p "$TMP/articles" "$TMP/runs"
GROUP=yes write_config "$TMP/d.ini"
sed 's/^sentences = 3$/sentences = 1/' "$TMP/d.ini" >"$TMP/d1.ini"
: >"$TMP/order"
for run in 1 2; do
	for f in tests/data/stories/*.txt; do
		n=$(basename "$f" .txt)
		case " $first " in *" $n "*) [ $run -eq 1 ] || continue ;; *) [ $run -eq 2 ] || continue ;; esac
		seed "$n" "$TMP/articles" "https://news.example/$n"
		echo "$TMP/articles/$n.txt" >>"$TMP/order"
	done
	digestd run --once --config "$TMP/d1.ini" >/dev/null 2>"$TMP/runs/$run.log"
	rc=$?
	[ $rc -eq 0 ] || fail "run $run of the grouping comparison: exit 0" "exit $rc" \
		"$(tail -n 5 "$TMP/runs/$run.log")"
	mv "$TMP/store"/*.json "$TMP/runs/$run.json"
done
# The folder source reads files in name order (strcmp): so does `group`
# (the paths are $TMP's, without spaces).
# shellcheck disable=SC2046
set -- $(cat "$TMP/order")
digestd group --format json "$@" >"$TMP/groups" 2>"$TMP/group.err"
if python3 - "$TMP/groups" "$TMP/runs" "$first" >"$TMP/cmp" 2>&1 <<'PY'; then
import json, os, sys
groups = [json.loads(l) for l in open(sys.argv[1])]
first = sys.argv[3].split()
name = lambda f: os.path.basename(f)[:-4]
run_of = lambda n: 1 if n in first else 2
lead = {}  # group -> its first article (the one delivered first)
for g in groups:
    lead.setdefault(g["group"], name(g["file"]))
for run in (1, 2):
    want, held = {}, []
    for g in groups:
        n = name(g["file"])
        if run_of(n) != run:
            continue
        if run_of(lead[g["group"]]) < run:
            held.append(n)  # its story went out in run 1
            continue
        want.setdefault(g["group"], []).append(n)
    want = sorted((m[0], m[1:]) for m in want.values())
    d = json.load(open(os.path.join(sys.argv[2], "%d.json" % run), encoding="utf-8"))
    got = sorted((a["url"].rsplit("/", 1)[1], [o["url"].rsplit("/", 1)[1] for o in a["also"]])
                 for a in d["articles"])
    assert got == want, ("run", run, "digest", got, "group predicts", want)
    log = open(os.path.join(sys.argv[2], "%d.log" % run), encoding="utf-8").read()
    for n in held:
        assert "news.example/%s is a story already delivered" % n in log, (run, n, log[-600:])
    assert len(held) == (run == 2), ("run", run, "held back", held)
    counted = "held back as stories already delivered" in log
    assert counted == (run == 2) and (run == 1 or "1 held back" in log), ("run", run, "count", log[-300:])
PY
	pass "the daemon groups as digestd group predicts, over two runs (one story held back in the second)"
else
	fail "the daemon groups as digestd group predicts, over two runs" "$(cat "$TMP/cmp")" \
		"$(cat "$TMP/group.err")"
fi

# The same article re-keyed by its feed (www. added, ?ref=) after
# repeat_after, in a second --once run (a second process: the seen-set's
# file holds its text key): held back, while the story's new article from
# another outlet goes out as new coverage.
rm -rf "$TMP/state" "$TMP/store"/* "$TMP/articles" "$TMP/wire" "$TMP/runs"
mkdir -p "$TMP/runs"
seed quake-north-1 "$TMP/articles" https://one.example/quake
GROUP=yes write_config "$TMP/d.ini"
sed 's/^group = yes$/&\nrepeat_after = 1s/' "$TMP/d.ini" >"$TMP/d2.ini"
digestd run --once --config "$TMP/d2.ini" >/dev/null 2>"$TMP/runs/1.log" ||
	fail "re-keyed article: run 1 exit 0" "$(tail -n 5 "$TMP/runs/1.log")"
mv "$TMP/store"/*.json "$TMP/runs/1.json"
rm -f "$TMP/articles"/*
seed quake-north-1 "$TMP/articles" 'https://www.one.example/quake?ref=rss'
seed quake-north-2 "$TMP/articles" https://wire.example/valdera-quake
sleep 2 # repeat_after (1s) passes: only more time can pass while loaded
digestd run --once --config "$TMP/d2.ini" >/dev/null 2>"$TMP/runs/2.log" ||
	fail "re-keyed article: run 2 exit 0" "$(tail -n 5 "$TMP/runs/2.log")"
if python3 - "$TMP/store" "$TMP/runs/2.log" >"$TMP/cmp" 2>&1 <<'PY'; then
import glob, json, sys
(path,) = glob.glob(sys.argv[1] + "/*.json")
d = json.load(open(path, encoding="utf-8"))
got = [(a["url"], [o["url"] for o in a["also"]]) for a in d["articles"]]
assert got == [("https://wire.example/valdera-quake", [])], got
log = open(sys.argv[2], encoding="utf-8").read()
assert ("https://www.one.example/quake?*** has the title and text of an article already "
        "delivered: marked seen, not delivered again") in log, log[-600:]
assert "1 held back as stories already delivered" in log, log[-300:]
PY
	pass "the same article under a re-keyed link after repeat_after: held back; the story's new article goes out"
else
	fail "the same article under a re-keyed link after repeat_after: held back" "$(cat "$TMP/cmp")"
fi
