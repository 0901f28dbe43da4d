#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd opml import|export`: the sections imported from each reader's
# export in tests/data/opml (golden files beside them) load with
# check-config; import -> export -> import gives the same sources; hostile
# or foreign files get one FILE:LINE: line and exit 65, secrets in a URL
# redacted; export escapes its attributes and leaves folders out.
. tests/cli/lib.sh

data=tests/data/opml
mkdir -p "$TMP/creds"
printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$TMP/creds/signing-key"
chmod 600 "$TMP/creds/signing-key"
export CREDENTIALS_DIRECTORY="$TMP/creds"
base() {
	printf '[daemon]\nstate_dir = %s/state\n[endpoint]\nurl = https://digests.example.org/in\nsigning_key_file = signing-key\n' "$TMP"
}

# "NAME URL" per [source NAME] of an ini file, in file order.
sources() {
	awk '/^\[source /{ n = substr($2, 1, length($2) - 1) } /^url = /{ print n, $3 }' "$1"
}

for f in "$data"/*.opml; do
	r=$(basename "$f" .opml)
	expect_status "import $r: exit 0" 0 digestd opml import "$f"
	cp "$TMP/out" "$TMP/$r.ini"
	expect_same "import $r: the sections of $data/$r.ini" "$TMP/$r.ini" "$data/$r.ini"
	{ base; cat "$TMP/$r.ini"; } >"$TMP/$r-full.ini"
	expect_status "import $r: appended to a config, check-config passes" 0 \
		digestd check-config --config "$TMP/$r-full.ini"
	expect_status "export $r: exit 0" 0 digestd opml export --config "$TMP/$r-full.ini"
	cp "$TMP/out" "$TMP/$r-export.opml"
	expect_status "export $r, import again: exit 0" 0 digestd opml import "$TMP/$r-export.opml"
	sources "$TMP/$r.ini" >"$TMP/$r.first"
	sources "$TMP/out" >"$TMP/$r.again"
	if [ -s "$TMP/$r.first" ]; then
		expect_same "round trip $r: the same sources (names and URLs)" "$TMP/$r.again" \
			"$TMP/$r.first"
	else
		fail "round trip $r: the same sources" "no sources imported"
	fi
done

# Export: OPML 2.0, escaped attributes, folders and local files left out
# (said on stderr), the feed in it.
{
	base
	printf '[source q]\nurl = https://example.org/feed?a=1&b="2"<x>\n'
	printf '[source seeds]\nurl = %s\n' "$TMP"
	printf '[source local]\nurl = file:///srv/feed.xml\n'
} >"$TMP/export.ini"
expect_status "export: exit 0" 0 digestd opml export --config "$TMP/export.ini"
expect_grep "export: OPML 2.0" '^<opml version="2.0">$' "$TMP/out"
expect_grep "export: the URL's &, \" and < escaped" \
	'<outline type="rss" text="q" title="q" xmlUrl="https://example.org/feed?a=1&amp;b=&quot;2&quot;&lt;x&gt;"/>' \
	"$TMP/out"
if grep -q 'seeds\|local' "$TMP/out"; then
	fail "export: the folder and the file:// source left out" "$(cat "$TMP/out")"
else
	pass "export: the folder and the file:// source left out"
fi
expect_grep "export: the folder left out, said" '\[source seeds\] left out: a folder' "$TMP/err"
expect_grep "export: the file:// source left out, said" '\[source local\] left out: ' "$TMP/err"
printf '[source x]\nurl = gopher://x\n' >"$TMP/bad.ini"
expect_status "export: a bad config is refused (exit 78)" 78 \
	digestd opml export --config "$TMP/bad.ini"
expect_status "export: a missing config (exit 66)" 66 \
	digestd opml export --config "$TMP/none.ini"

# Hostile and foreign input: one line, FILE:LINE:, exit 65.
# (expect_status sets name and want: hence what and line here.)
hostile() {
	what=$1 line=$2
	shift 2
	# shellcheck disable=SC2059
	printf "$@" >"$TMP/h.opml"
	expect_status "import refuses $what (exit 65)" 65 digestd opml import "$TMP/h.opml"
	printf 'digestd: %s\n' "$TMP/h.opml$line" >"$TMP/h.want"
	expect_same "import refuses $what: one line naming file and line" "$TMP/err" "$TMP/h.want"
	if [ -s "$TMP/out" ]; then fail "import refuses $what: nothing printed" "$(cat "$TMP/out")"; fi
}
hostile "an RSS feed" ':2: not an OPML file: the first element is <rss>, not <opml>' \
	'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>\n'
hostile "a DOCTYPE internal subset" ':2: a DOCTYPE with an internal subset (entity declarations) is refused' \
	'<?xml version="1.0"?>\n<!DOCTYPE opml [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;">\n]>\n<opml><body><outline text="&b;" xmlUrl="https://e.org/f"/></body></opml>\n'
hostile "a javascript: xmlUrl" ':4: xmlUrl '\''javascript:alert(1)'\'' is not an http:// or https:// URL' \
	'<opml version="2.0">\n<body>\n<outline text="ok" xmlUrl="https://example.org/ok"/>\n<outline text="x" xmlUrl="javascript:alert(1)"/>\n</body></opml>\n'
hostile "a file: xmlUrl, its query redacted" ':3: xmlUrl '\''file:///etc/passwd?***'\'' is not an http:// or https:// URL' \
	'<opml version="2.0"><body>\n\n<outline text="x" xmlUrl="file:///etc/passwd?token=s3cret"/></body></opml>\n'
hostile "an empty file" ': not an OPML file: no <opml> element' ''
hostile "binary bytes" ': not an OPML file: no <opml> element' '\000\001\002\377\376garbage'
printf '<opml><body><outline text="x" xmlUrl="https://example.org/f?key=s3cret&amp;a=1 x"/></body></opml>' >"$TMP/s.opml"
expect_status "import: a URL with a space is refused (exit 65)" 65 digestd opml import "$TMP/s.opml"
if grep -q s3cret "$TMP/err"; then fail "import: the refused URL's query is not shown" "$(cat "$TMP/err")"
else pass "import: the refused URL's query is not shown"; fi
expect_status "import: a missing file (exit 66)" 66 digestd opml import "$TMP/none.opml"
expect_status "import: a folder (exit 66)" 66 digestd opml import "$TMP"
expect_status "opml without a subcommand (exit 64)" 64 digestd opml
expect_status "opml import without a file (exit 64)" 64 digestd opml import

# include = PATTERN: imported lists dropped into a conf.d folder are read
# after the main file, in name order; hidden and unmatched files are not.
etc=$TMP/etc
mkdir -p "$etc/conf.d"
{
	printf '[daemon]\nstate_dir = %s/state\ninclude = conf.d/*.ini\n' "$TMP"
	printf '[endpoint]\nurl = https://digests.example.org/in\nsigning_key_file = signing-key\n'
	printf '[source main]\nurl = https://example.org/main.xml\n'
} >"$etc/digestd.ini"
expect_status "include: an empty conf.d is fine (exit 0)" 0 \
	digestd check-config --config "$etc/digestd.ini"
digestd opml import "$data/feedly.opml" >"$etc/conf.d/20-feedly.ini"
digestd opml import "$data/thunderbird.opml" >"$etc/conf.d/10-thunderbird.ini"
printf '[source hidden]\nurl = https://example.org/h.xml\n' >"$etc/conf.d/.hidden.ini"
printf '[source other]\nurl = https://example.org/o.xml\n' >"$etc/conf.d/notes.txt"
expect_status "include: imported files in conf.d load (exit 0)" 0 \
	digestd check-config --config "$etc/digestd.ini"
grep '^\[source ' "$TMP/out" | sed -n '1p;2p;5p;6p;$p' >"$TMP/order"
printf '%s\n' '[source main]' '[source Debian-News]' '[source Suddeutsche-Zeitung]' \
	'[source Ars-Technica]' '[source Hacker-News-2]' >"$TMP/order.want"
expect_same "include: the main file first, then conf.d in name order" "$TMP/order" \
	"$TMP/order.want"
if grep -q 'hidden\|other' "$TMP/out"; then
	fail "include: hidden and unmatched files are not read" "$(grep 'hidden\|other' "$TMP/out")"
else
	pass "include: hidden and unmatched files are not read"
fi
expect_grep "include: the dump keeps the pattern as a comment" \
	"^; include = $etc/conf.d/\*.ini" "$TMP/out"
digestd opml export --config "$etc/digestd.ini" >"$TMP/all.opml" 2>/dev/null
expect_status "include: export of it imports again" 0 digestd opml import "$TMP/all.opml"
expect_grep "include: export has the included sources" '^\[source Hacker-News-2\]$' "$TMP/out"
# The same folder twice: a source defined in two files names both.
digestd opml import "$data/thunderbird.opml" >"$etc/conf.d/30-again.ini"
expect_status "include: a source in two files is refused (exit 78)" 78 \
	digestd check-config --config "$etc/digestd.ini"
expect_grep "include: ... naming both places" \
	"$etc/conf.d/30-again.ini:3: \[source Debian-News\] is defined twice (first at $etc/conf.d/10-thunderbird.ini:3)" \
	"$TMP/err"
rm "$etc/conf.d/30-again.ini"
# A FIFO planted in conf.d is refused, not waited on.
if mkfifo "$etc/conf.d/40-fifo.ini" 2>/dev/null; then
	expect_status "include: a FIFO is refused (exit 78)" 78 \
		timeout 60 $TEST_WRAPPER "$DIGESTD" check-config --config "$etc/digestd.ini"
	expect_grep "include: ... as not a regular file" "$etc/conf.d/40-fifo.ini: not a regular file" \
		"$TMP/err"
	rm "$etc/conf.d/40-fifo.ini"
fi
mkdir "$etc/conf.d/50-folder.ini"
expect_status "include: a folder is refused (exit 78)" 78 \
	digestd check-config --config "$etc/digestd.ini"
expect_grep "include: ... as not a regular file (a folder)" \
	"$etc/conf.d/50-folder.ini: not a regular file (a folder)" "$TMP/err"
rmdir "$etc/conf.d/50-folder.ini"
# A missing folder matches nothing, as an empty one.
sed -i 's|^include = .*|include = absent.d/*.ini|' "$etc/digestd.ini"
expect_status "include: a missing folder matches nothing (exit 0)" 0 \
	digestd check-config --config "$etc/digestd.ini"

# Relative paths in an included file resolve against its own folder: a
# folder source and the signing key named there.
mkdir -p "$etc/sub/keys"
cp "$TMP/creds/signing-key" "$etc/sub/keys/signing-key"
printf '[daemon]\nstate_dir = %s/state\ninclude = sub/endpoint.ini\n[source main]\nurl = https://example.org/main.xml\n' \
	"$TMP" >"$etc/two.ini"
printf '[endpoint]\nurl = https://digests.example.org/in\nsigning_key_file = keys/signing-key\n[source seeds]\nurl = seeds\n' \
	>"$etc/sub/endpoint.ini"
expect_status "include: relative paths of an included file (exit 0)" 0 \
	digestd check-config --config "$etc/two.ini"
expect_grep "include: a folder source resolves against the included file's folder" \
	"^url = $etc/sub/seeds\$" "$TMP/out"
expect_grep "include: a secret file resolves against the included file's folder" \
	"read from $etc/sub/keys/signing-key\$" "$TMP/out"
