#!/bin/sh
# SPDX-License-Identifier: MIT
# Keep and drop rules, per-source keys and `digestd filter-test`: on an
# HTTPS feed new to digestd, filter-test shows each entry's fate (rules, and
# the first poll's backlog) and writes nothing; `run --once` then digests
# exactly the kept entries, in weight order, with the source's sentences;
# the dropped and over-backlog entries are marked seen and never come back
# when the feed changes. Then --feed FILE and the exit statuses.
. tests/cli/lib.sh
. tests/cli/daemon.lib

# check NAME 'SHELL CONDITION' [DETAIL FILE]
check() {
	if eval "$2"; then pass "$1"; else
		fail "$1" "failed: $2" "$(head -c 600 "${3:-$TMP/err}" 2>/dev/null)"
	fi
}

# snapshot DIR: every file's name, mode, size, time and bytes' hash.
snapshot() {
	[ -d "$1" ] || { echo absent; return; }
	find "$1" -exec stat -c '%n %a %s %Y' {} + | sort
	find "$1" -type f -exec sha256sum {} + | sort
}

start_sink 0 || exit 1
mkdir -p "$TMP/feeds" "$TMP/articles"
rss_feed "$TMP/feeds/f.xml" A B C D E F G H
start_feeds "$TMP/feeds" || exit 1
new_article Z
cfg=$TMP/f.ini
{
	printf '[daemon]\nstate_dir = %s\nlog_level = info\n\n' "$TMP/state"
	printf '[http]\nca_file = %s\nmin_host_delay = 0s\n\n' "$TMP/tls/cert.pem"
	printf '[source articles]\nurl = %s\ntype = folder\nlang = en\n\n' "$TMP/articles"
	printf '[source feed]\nurl = https://localhost:%s/feeds/f.xml\nlang = en\n' "$FEED_PORT"
	printf 'backlog = 5\nweight = 10\nsentences = 1\ndrop = url ~ /d$\n\n'
	printf '[digest]\nsentences = 3\ngroup = no\ndrop = title: story b\n\n'
	printf '[endpoint]\nurl = https://localhost:%s/digest\nca_file = %s\n' "$PORT" "$TMP/tls/cert.pem"
	printf 'signing_key_file = %s\n' "$TMP/key"
} >"$cfg"

# ---- filter-test on a source never polled: rules and backlog, nothing written ----
digestd filter-test --config "$cfg" --source feed >"$TMP/ft1" 2>"$TMP/err"
rc=$?
cut -f1,3,5 "$TMP/ft1" >"$TMP/ft1.cut"
cat >"$TMP/ft1.want" <<'WANT'
keep	Story A	no rule
drop	Story B	drop = title: story b ([digest])
keep	Story C	no rule
drop	Story D	drop = url ~ /d$ ([source feed])
keep	Story E	no rule
seen	Story F	first poll: past backlog = 5
seen	Story G	first poll: past backlog = 5
seen	Story H	first poll: past backlog = 5
WANT
check "filter-test: exit 0" '[ $rc -eq 0 ]'
expect_same "filter-test: each entry's verdict and what decided" "$TMP/ft1.cut" "$TMP/ft1.want"
check "filter-test: the state folder is not even made" '[ ! -e "$TMP/state" ]'
check "filter-test: one line per entry, source and URL in columns 2 and 4" \
	'[ "$(cut -f2 "$TMP/ft1" | sort -u)" = feed ] && grep -q "	https://news.example.org/A	" "$TMP/ft1"' "$TMP/ft1"

# ---- the daemon does what filter-test said ----
digestd run --once --config "$cfg" >"$TMP/out" 2>"$TMP/run1.log"
rc=$?
check "run: exit 0, one digest" '[ $rc -eq 0 ] && [ "$(stored)" -eq 1 ]' "$TMP/run1.log"
titles >"$TMP/t1"
printf 'Story A\nStory C\nStory E\nStory Z\n' >"$TMP/t1.want"
expect_same "run: the kept entries only, the weight-10 source's first" "$TMP/t1" "$TMP/t1.want"
expect_grep "run: the backlog is one info line" \
	"source feed: first poll: the newest 5 entries taken, 3 older ones marked seen (\[source\] backlog = 5)" \
	"$TMP/run1.log"
expect_grep "run: the dropped entries are counted" "source feed: 2 new articles dropped by keep/drop rules" \
	"$TMP/run1.log"
check "run: [source] sentences = 1 for the feed, [digest]'s 3 for the folder" \
	'python3 -c "
import glob, json, sys
arts = [a for p in glob.glob(sys.argv[1] + \"/*.json\") for a in json.load(open(p))[\"articles\"]]
n = {a[\"source\"]: len(a[\"sentences\"]) for a in arts}
sys.exit(0 if n == {\"feed\": 1, \"articles\": 3} else 1)
" "$TMP/store"' "$TMP/run1.log"

# ---- filter-test again: no longer a first poll; still nothing written ----
snapshot "$TMP/state" >"$TMP/before"
sleep 1
digestd filter-test --config "$cfg" >"$TMP/ft2" 2>"$TMP/err"
rc=$?
snapshot "$TMP/state" >"$TMP/after"
check "filter-test, every source: exit 0" '[ $rc -eq 0 ]'
expect_same "filter-test: the state folder is byte for byte as it was" "$TMP/after" "$TMP/before"
check "filter-test: a known source has no backlog; the folder source is listed too" \
	'! grep -q "^seen" "$TMP/ft2" && grep -q "^keep	feed	Story H	" "$TMP/ft2" && grep -q "^keep	articles	Story Z	" "$TMP/ft2"' \
	"$TMP/ft2"

# ---- what was dropped or over the backlog never comes back ----
rss_feed "$TMP/feeds/f.xml" A B C D E F G H I
digestd run --once --config "$cfg" >"$TMP/out" 2>"$TMP/run2.log"
rc=$?
titles | sort >"$TMP/t2"
printf 'Story A\nStory C\nStory E\nStory I\nStory Z\n' >"$TMP/t2.want"
check "run again, the feed changed: exit 0" '[ $rc -eq 0 ]' "$TMP/run2.log"
expect_same "run again: only the new entry; no dropped or backlog entry, nothing twice" \
	"$TMP/t2" "$TMP/t2.want"

# ---- --feed FILE, --source with it, and the exit statuses ----
cp "$TMP/feeds/f.xml" "$TMP/saved.xml"
digestd filter-test --config "$cfg" --feed "$TMP/saved.xml" >"$TMP/ft3" 2>"$TMP/err"
rc=$?
check "--feed: exit 0, [digest]'s rules only, no backlog" \
	'[ $rc -eq 0 ] && [ "$(wc -l <"$TMP/ft3")" -eq 9 ] && [ "$(grep -c "^drop" "$TMP/ft3")" -eq 1 ] && ! grep -q "^seen" "$TMP/ft3"' \
	"$TMP/ft3"
digestd filter-test --config "$cfg" --source feed --feed "$TMP/saved.xml" >"$TMP/ft4" 2>"$TMP/err"
check "--feed with --source: that source's rules too" \
	'[ "$(grep -c "^drop" "$TMP/ft4")" -eq 2 ] && grep -q "^drop	feed	Story D	.*(\[source feed\])" "$TMP/ft4"' "$TMP/ft4"
expect_status "filter-test: no such source: exit 64" 64 digestd filter-test --config "$cfg" --source nosuch
expect_grep "filter-test: no such source: says so" "no \[source nosuch\]" "$TMP/err"
expect_status "filter-test: unknown argument: exit 64" 64 digestd filter-test --config "$cfg" --bogus
expect_status "filter-test: missing feed file: exit 66" 66 \
	digestd filter-test --config "$cfg" --feed "$TMP/nonexistent.xml"
expect_status "filter-test: missing config: exit 66" 66 digestd filter-test --config "$TMP/none.ini"
sed 's|^drop = title: story b$|drop = title ~ story (b|' "$cfg" >"$TMP/bad.ini"
expect_status "filter-test: a bad expression: exit 78" 78 digestd filter-test --config "$TMP/bad.ini"
expect_grep "filter-test: a bad expression: names the file and line" \
	"bad.ini:25: \[digest\] drop = 'title ~ story (b': bad regular expression" "$TMP/err"
printf 'not a feed\n' >"$TMP/junk.xml"
expect_status "filter-test: a file that is no feed: exit 65" 65 \
	digestd filter-test --config "$cfg" --feed "$TMP/junk.xml"
