#!/bin/sh
# SPDX-License-Identifier: MIT
# digestd fetch over HTTPS against tests/httpd.py on 127.0.0.1 (certificates
# made here with openssl): the feeds of tests/data/feeds, 304, gzip,
# redirects, Retry-After, size cap, stalls, TLS failures, bad UTF-8, page
# charsets, sources with state and backoff.
# check's conditions are single-quoted and eval'd, so the variables they
# read look unused to shellcheck:
# shellcheck disable=SC2016,SC2034
. tests/cli/lib.sh
. tests/cli/httpd.lib

now() { date +%s; }

# Each format reads the same over HTTPS as from the file (these feeds give
# absolute links or their own xml:base, so the base URL does not matter).
for f in rss2-fr.xml atom-media.xml iso-8859-1.xml rdf.xml rss2-enclosure.xml feed.json; do
	digestd fetch --format json "$FEEDS/$f" >"$TMP/local" 2>/dev/null
	# shellcheck disable=SC2086
	run --format json $CA "$BASE/feeds/$f"
	if [ "$RC" -eq 0 ] && [ -s "$TMP/local" ] && cmp -s "$TMP/out" "$TMP/local"; then
		pass "https parse equals local parse: $f"
	else
		fail "https parse equals local parse: $f" "exit $RC" "$(head -c 300 "$TMP/err")"
	fi
done

# gzip on the wire, decoded by the transfer layer.
f=atom-fr.xml
digestd fetch --format json "$FEEDS/$f" >"$TMP/local" 2>/dev/null
# shellcheck disable=SC2086
run --format json $CA "$BASE/gzip/$f"
check "gzip body decoded, same entries" '[ $RC -eq 0 ] && cmp -s "$TMP/out" "$TMP/local"'
check "Accept-Encoding offers gzip" 'grep "^/gzip/" "$TMP/requests" | grep -q "gzip"' "$TMP/requests"

# A URL's scheme is read in any case (RFC 3986 3.1), as the config and the
# daemon read it: HTTPS:// is fetched like https://.
# shellcheck disable=SC2086
run --format json $CA "HTTPS://localhost:$PORT/feeds/$f"
check "HTTPS:// (scheme in capitals) fetched like https://" \
	'[ $RC -eq 0 ] && cmp -s "$TMP/out" "$TMP/local"'

# Redirects: three hops are followed, six are too many, a loop is caught.
# shellcheck disable=SC2086
run --format json $CA "$BASE/r/2/gzip/$f"
check "redirect chain of 3 hops followed" '[ $RC -eq 0 ] && cmp -s "$TMP/out" "$TMP/local"'
# shellcheck disable=SC2086
run $CA "$BASE/r/5/feeds/$f"
check "6 redirects: too many" '[ $RC -eq 69 ] && grep -q "too many redirects" "$TMP/err" && [ ! -s "$TMP/out" ]'
# shellcheck disable=SC2086
run $CA "$BASE/loop"
check "redirect loop: too many redirects" '[ $RC -eq 69 ] && grep -q "loop: too many redirects" "$TMP/err"'

# Size cap: announced (Content-Length) and streamed without a length.
# shellcheck disable=SC2086
run $CA "$BASE/big"
check "5 MiB body over the 4 MiB cap: error, nothing printed" \
	'[ $RC -eq 65 ] && grep -q "too large" "$TMP/err" && [ ! -s "$TMP/out" ]'
# shellcheck disable=SC2086
/usr/bin/time -f %M -o "$TMP/rss" $TEST_WRAPPER "$DIGESTD" fetch $CA "$BASE/huge" \
	>"$TMP/out" 2>"$TMP/err"
RC=$?
check "100 MB feed rejected while arriving" \
	'[ $RC -eq 65 ] && grep -q "too large: body over 4194304 bytes" "$TMP/err" && [ ! -s "$TMP/out" ]'
# qemu-user's own footprint comes on top under a wrapper, ASan's shadow
# memory in a sanitizer build.
limit=30000
[ -n "$TEST_WRAPPER" ] && limit=80000
grep -q __asan_init "$DIGESTD" && limit=120000
check "100 MB feed: peak RSS under $limit KiB ($(tail -n 1 "$TMP/rss") KiB)" \
	'[ "$(tail -n 1 "$TMP/rss")" -lt $limit ]' "$TMP/rss"

# Bytes the body cap never sees end the transfer too: libcurl reads a
# followed redirect's body and drops it, and gzip's empty blocks decode to
# nothing; endless, both ran at line speed until the 30 s timeout.
for kind in redirect gzip; do
	# shellcheck disable=SC2086
	run $CA "$BASE/endless/$kind"
	check "endless $kind body: too large, one line naming the URL" \
		'[ $RC -eq 65 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF "$BASE/endless/$kind: too large: over 4719616 bytes received for one response" "$TMP/err" && [ ! -s "$TMP/out" ]'
done

# Header lines are capped (libcurl keeps every one, at 60 bytes of heap
# each beside the text, up to 300 KiB of text): 400 are read, 600 refused.
# shellcheck disable=SC2086
run $CA "$BASE/headers/400"
check "400 header lines: the page is read" '[ $RC -eq 0 ] && grep -q "Paragraph 7" "$TMP/out"'
# shellcheck disable=SC2086
run $CA "$BASE/headers/600"
check "600 header lines: refused, one line naming the URL" \
	'[ $RC -eq 69 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF "$BASE/headers/600: too many response headers (over 512 lines or 131072 bytes, redirects included)" "$TMP/err" && [ ! -s "$TMP/out" ]'

# One header line over libcurl's 100 KiB: its error has no text but "Out
# of memory", which named the wrong cause.
# shellcheck disable=SC2086
run $CA "$BASE/headers/long"
check "a 200 KB header line: refused, one line naming the URL and the cause" \
	'[ $RC -eq 69 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF "$BASE/headers/long: transfer failed: a response header line over 100 KiB (or out of memory)" "$TMP/err"'

# An answer without a status line is the server's garbage: libcurl's code
# for it was read as an unusable URL (exit 64, a usage error).
# shellcheck disable=SC2086
run $CA "$BASE/garbage"
check "an answer that is no HTTP: one line naming the URL, exit 69" \
	'[ $RC -eq 69 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF "$BASE/garbage: not an HTTP response: Received HTTP/0.9 when not allowed" "$TMP/err"'

# A configuration for the rest: short stall window, no host delay.
http_config "contact = https://example.org/contact" "backoff_base = 60s" "backoff_max = 1h" \
	>"$TMP/cfg.ini"
cat >>"$TMP/cfg.ini" <<EOF
[source corpus]
url = $BASE/feeds/rss2-fr.xml
max_items = 3
[source teasers]
url = $BASE/teasers.xml
fetch_pages = yes
[source teasers16]
url = $BASE/teasers-utf16.xml
fetch_pages = yes
[source page]
url = $BASE/page.html
type = page
lang = fr
[source latin1page]
url = $BASE/latin1-page.html
type = page
[source utf16page]
url = $BASE/utf16-page.html
type = page
[source seeds]
url = $(pwd)/seeds
[source crafted]
url = $TMP/folder
type = folder
[source planted]
url = $TMP/planted
type = folder
[source swapped]
url = $TMP/swapped
type = folder
[source swappedpage]
url = $TMP/page.html
type = page
[source shuffled]
url = $BASE/shuffled.xml
max_items = 2
[source limited]
url = $BASE/status/429?after=120
[source dated]
url = $BASE/status/503?date=3600
[source down]
url = https://localhost:1/feed.xml
[source gone]
url = $BASE/status/404
[source unasked]
url = $BASE/status/304
EOF

run --config "$TMP/cfg.ini" "$BASE/stall"
check "stalled body: error after low_speed_time" \
	'[ $RC -eq 75 ] && grep -q "transfer stalled" "$TMP/err" && [ ! -s "$TMP/out" ]'

# The stop flag: SIGTERM during a stalled transfer ends it at once, long
# before the default 30 s low-speed window would.
# shellcheck disable=SC2086
$TEST_WRAPPER "$DIGESTD" fetch $CA "$BASE/stall?term" >"$TMP/out" 2>"$TMP/err" &
pid=$!
i=0
while ! grep -q "^/stall?term" "$TMP/requests" && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -TERM "$pid"
wait "$pid"
RC=$?
check "SIGTERM ends a transfer in progress: stopped" \
	'[ $RC -eq 75 ] && grep -q "stall?\*\*\*: stopped" "$TMP/err"'
check "User-Agent names digestd, version and contact" \
	'grep -q "digestd/[0-9.]* (+https://example.org/contact)" "$TMP/requests"' "$TMP/requests"

# TLS: an unknown CA, a certificate for another name, no CA file given.
# shellcheck disable=SC2086
run $CA "https://localhost:$UNKNOWN/feeds/$f"
check "certificate from an unknown CA refused" \
	'[ $RC -eq 69 ] && grep -q "TLS certificate verification failed" "$TMP/err"'
# shellcheck disable=SC2086
run $CA "https://localhost:$WRONG/feeds/$f"
check "certificate for another host name refused" \
	'[ $RC -eq 69 ] && grep -q "TLS certificate verification failed" "$TMP/err"'
run "$BASE/feeds/$f"
check "test CA not trusted without --ca-file" \
	'[ $RC -eq 69 ] && grep -q "TLS certificate verification failed" "$TMP/err"'

# Text comes out as valid UTF-8 whatever the bytes; Content-Type charset used.
# shellcheck disable=SC2086
run --format json $CA "$BASE/invalid-utf8"
check "invalid UTF-8 feed: valid UTF-8 JSON with U+FFFD" \
	'[ $RC -eq 0 ] && python3 -c "
import json, sys
lines = open(sys.argv[1], \"rb\").read().decode(\"utf-8\").splitlines()
e = json.loads(lines[0])
sys.exit(0 if len(lines) == 1 and \"\\ufffd\" in e[\"title\"] + e[\"summary\"] else 1)" "$TMP/out"' "$TMP/out"
# shellcheck disable=SC2086
run --format json $CA "$BASE/latin1"
check "charset from Content-Type (ISO-8859-1)" \
	'[ $RC -eq 0 ] && grep -q "\"title\":\"Café crème\"" "$TMP/out"' "$TMP/out"
# A page whose only declaration is the header's ISO-8859-1, over windows-1252
# bytes (0x80 the euro sign, 0x9C oe, 0x93/0x94 quotes).
# shellcheck disable=SC2086
run $CA "$BASE/latin1-page.html"
check "page charset from Content-Type (ISO-8859-1 read as windows-1252)" \
	'[ $RC -eq 0 ] && [ "$(head -n 1 "$TMP/out")" = "Le cœur du débat à 5 €" ] &&
	 grep -q "aide de 5 € par habitant pour l$(printf "\342\200\231")œuvre « Cœur de ville », après un débat très animé" "$TMP/out" &&
	 grep -q "$(printf "\342\200\234provisoire\342\200\235")" "$TMP/out" && ! grep -q "$(printf "\357\277\275")" "$TMP/out"' "$TMP/out"
# shellcheck disable=SC2086
run $CA "$BASE/utf16-page.html"
check "UTF-16 page refused with a clear message" \
	'[ $RC -eq 65 ] && [ ! -s "$TMP/out" ] && grep -q "utf16-page.html: the page is UTF-16" "$TMP/err"'

# `fetch --source` is no conditional GET: it shows what the feed holds and
# leaves the daemon's validators alone (the daemon's conditional GET is
# tested in tests/unit/test_fetch.c and tests/cli/state.sh).
run --config "$TMP/cfg.ini" --source corpus --format json
n1=$(wc -l <"$TMP/out")
check "feed source: max_items = 3 newest entries" '[ $RC -eq 0 ] && [ "$n1" -eq 3 ]' "$TMP/out"
check "fetch --source saves no validators" '! grep -q "^etag ." "$TMP"/state/source-*.state'
run --config "$TMP/cfg.ini" --source corpus --format json
n2=$(wc -l <"$TMP/out")
check "fetch --source again: the whole feed again" '[ $RC -eq 0 ] && [ "$n2" -eq 3 ]' "$TMP/out"
check "fetch --source sends no If-None-Match or If-Modified-Since" \
	'grep "^/feeds/rss2-fr.xml" "$TMP/requests" | tail -n 1 | grep -q "^/feeds/rss2-fr.xml	-	-	"' \
	"$TMP/requests"

run --config "$TMP/cfg.ini" --source shuffled --format json
check "max_items takes the newest entries, yielded in feed order" \
	'[ $RC -eq 0 ] && [ "$(grep -o "\"id\":\"d[0-9u]\"" "$TMP/out" | tr -d "\n")" = "\"id\":\"d5\"\"id\":\"d4\"" ]' \
	"$TMP/out"

# Relative links resolve against the URL after redirects.
# shellcheck disable=SC2086
run --format json $CA "$BASE/r/1/rel/feed.xml"
check "relative link resolved against the effective URL" \
	'[ $RC -eq 0 ] && grep -qF "\"link\":\"$BASE/rel/item1\"" "$TMP/out"' "$TMP/out"

# Teasers: the linked page's main text replaces a teaser; a full entry stays.
# The full entry comes first: a teaser is taken when its page arrived.
run --config "$TMP/cfg.ini" --source teasers --format json
check "fetch_pages: teaser replaced by the page's main text" \
	'[ $RC -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 2 ] && tail -n 1 "$TMP/out" | grep "\"id\":\"t1\"" | grep -q "Paragraph 7 of the full story" && head -n 1 "$TMP/out" | grep -q "\"id\":\"t2\""' \
	"$TMP/out"
run --config "$TMP/cfg.ini" --source teasers16 --format json
check "fetch_pages: a UTF-16 page keeps the teaser, with a warning naming source and URL" \
	'[ $RC -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q "opened the breakwater. Read more" "$TMP/out" && grep -qF "source teasers16: $BASE/utf16-page.html: the page is UTF-16, which digestd does not read" "$TMP/err"' \
	"$TMP/err"
# min_host_delay: the page is asked no sooner than 2 s after the feed.
sed -e 's/^min_host_delay = 0s/min_host_delay = 2s/' -e "s|^state_dir = .*|state_dir = $TMP/state2|" \
	"$TMP/cfg.ini" >"$TMP/polite.ini"
run --config "$TMP/polite.ini" --source teasers --format json
gap=$(awk -F'\t' '$1 == "/teasers.xml" { t = $6 } $1 == "/page.html" { p = $6 }
	END { print (p - t >= 2) ? "ok" : p - t }' "$TMP/requests")
check "min_host_delay between requests to one host (gap: $gap)" \
	'[ $RC -eq 0 ] && [ "$gap" = ok ]' "$TMP/requests"
run --config "$TMP/cfg.ini" --source page --format json
check "page source: one article, configured lang, page date" \
	'[ $RC -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q "\"title\":\"Breakwater opens\"" "$TMP/out" && grep -q "\"date\":\"2024-03-05T09:00:00Z\",\"lang\":\"fr\"" "$TMP/out"' \
	"$TMP/out"
# The daemon's page path gets the Content-Type charset too.
run --config "$TMP/cfg.ini" --source latin1page --format json
check "page source: charset from Content-Type" \
	'[ $RC -eq 0 ] && grep -q "\"title\":\"Le cœur du débat à 5 €\"" "$TMP/out" && grep -q "aide de 5 € par habitant" "$TMP/out"' \
	"$TMP/out"
run --config "$TMP/cfg.ini" --source utf16page --format json
check "page source: UTF-16 page refused, one line naming source and URL" \
	'[ $RC -eq 65 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF "source utf16page: $BASE/utf16-page.html: the page is UTF-16, which digestd does not read" "$TMP/err"' \
	"$TMP/err"

# Memory (docs/daemon.md, "Memory"): with max_size = 16M a teaser's page still
# has its own 4 MiB buffer (SOURCE_PAGE_BYTES), and the daemon gives the
# pages a large poll touched back to the system once the poll is over. One
# transfer: four bodies of 16M would pass the memory bound (cfg refuses it).
cat >"$TMP/big.ini" <<EOF
[daemon]
state_dir = $TMP/state-big
max_transfers = 1
[http]
ca_file = $T/ca.pem
max_size = 16M
min_host_delay = 0s
[source huge]
url = $BASE/huge
[source teasersbig]
url = $BASE/feeds/teaser-big.xml
fetch_pages = yes
[digest]
schedule = 1h
[endpoint]
url = https://localhost:1/digests
signing_key_file = $TMP/key
EOF
sh tools/signing-key.sh "$TMP/key"
run --config "$TMP/big.ini" --source teasersbig --format json
check "page over its 4 MiB buffer under max_size = 16M: refused, teaser kept" \
	'[ $RC -eq 0 ] && grep -q "Read more" "$TMP/out" && grep -qF "source teasersbig: $BASE/big: page not fetched, keeping the feed'"'"'s text: too large: body over 4194304 bytes" "$TMP/err"' \
	"$TMP/err"
# A fresh state: the feed's validators would get a 304 now.
rm -rf "$TMP/state-big"
$TEST_WRAPPER "$DIGESTD" run --config "$TMP/big.ini" >"$TMP/daemon.log" 2>&1 &
pid=$!
i=0
until grep -q "source teasersbig: 1 new article" "$TMP/daemon.log" || [ $i -ge 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid"
check "daemon: the 100 MB feed stopped at max_size = 16M, then the page source polled" \
	'grep -q "source huge: $BASE/huge: too large: body over 16777216 bytes" "$TMP/daemon.log" && grep -q "source teasersbig: 1 new article" "$TMP/daemon.log"' \
	"$TMP/daemon.log"
# qemu-user keeps the pages of a guest's madvise(MADV_DONTNEED): there only
# the polls above are checked.
if [ -z "$TEST_WRAPPER" ]; then
	check "daemon: the 16 MiB the refused feed filled are given back (VmHWM $hwm KiB, VmRSS $rss KiB)" \
		'[ -n "$hwm" ] && [ -n "$rss" ] && [ $((hwm - rss)) -ge 12288 ]'
fi

# Folder sources: seeds/ in name order, README.md left out; hidden files,
# folders, FIFOs and over-size files skipped.
run --config "$TMP/cfg.ini" --source seeds --format json
want=$(find seeds -maxdepth 1 -type f ! -name '.*' ! -name README.md | wc -l)
check "folder source over seeds/: every seed, in name order" \
	'[ $RC -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq "$want" ] && head -n 1 "$TMP/out" | grep -q "seeds/000_" && ! grep -q README "$TMP/out"' \
	"$TMP/out"
mkdir -p "$TMP/folder/sub"
printf 'Title: B\n\nSecond.\n' >"$TMP/folder/b.txt"
printf 'Title: A\nURL: https://example.org/a\nDate: 2024-01-02\nLang: de\n\nFirst.\n' >"$TMP/folder/a.txt"
printf 'hidden\n' >"$TMP/folder/.hidden"
printf 'readme\n' >"$TMP/folder/README.md"
head -c 1100000 /dev/zero | tr '\0' 'x' >"$TMP/folder/c-big.txt"
mkfifo "$TMP/folder/fifo" 2>/dev/null
run --config "$TMP/cfg.ini" --source crafted --format json
first='{"id":"https://example.org/a","title":"A","url":"https://example.org/a","date":"2024-01-02T00:00:00Z","lang":"de","text":"First.\u000a"}'
check "folder source: two articles, header fields, skips" \
	'[ $RC -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 2 ] && head -n 1 "$TMP/out" | grep -qF "$first"' \
	"$TMP/out"
check "folder source: over-size file named in one warning" \
	'[ "$(grep -c "c-big.txt: larger than" "$TMP/err")" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ]'

# A folder source reads regular files inside the folder only: a planted
# symbolic link to a secret (the signing key, the token), a hard link to it,
# a link to a folder, a FIFO and a subfolder give nothing away, and each link
# is named in one warning.
mkdir -p "$TMP/planted/sub" "$TMP/elsewhere"
printf 'Title: Secret\n\nSECRET-SIGNING-KEY whsec_abc\n' >"$TMP/elsewhere/key"
printf 'Title: Fine\n\nAn ordinary seed.\n' >"$TMP/planted/a.txt"
printf 'Title: Sub\n\nSUBFOLDER-TEXT\n' >"$TMP/planted/sub/x.txt"
ln -s "$TMP/elsewhere/key" "$TMP/planted/b-symlink.txt"
ln "$TMP/elsewhere/key" "$TMP/planted/c-hardlink.txt"
ln -s "$TMP/elsewhere" "$TMP/planted/d-dirlink"
mkfifo "$TMP/planted/e-fifo.txt" 2>/dev/null
run --config "$TMP/cfg.ini" --source planted --format json
check "folder source: a planted symlink or hard link to a secret is not read" \
	'[ $RC -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q "An ordinary seed" "$TMP/out" && ! grep -q "SECRET\|SUBFOLDER" "$TMP/out"' \
	"$TMP/out"
check "folder source: each link named in one warning" \
	'[ "$(wc -l <"$TMP/err")" -eq 3 ] && grep -q "source planted: $TMP/planted/b-symlink.txt: a symbolic link; skipped" "$TMP/err" && grep -q "source planted: $TMP/planted/c-hardlink.txt: .*hard link.*; skipped" "$TMP/err" && grep -q "source planted: $TMP/planted/d-dirlink: a symbolic link; skipped" "$TMP/err"'

# The folder itself swapped for a symbolic link (by whoever may write its
# parent) to a folder of secrets: nothing in it is read, one warning.
mkdir -p "$TMP/secrets"
printf 'Title: Secret\n\nSECRET-SIGNING-KEY whsec_abc\n' >"$TMP/secrets/signing-key"
ln -s "$TMP/secrets" "$TMP/swapped"
run --config "$TMP/cfg.ini" --source swapped --format json
check "folder source: the folder swapped for a symlink to secrets is not read" \
	'[ $RC -eq 66 ] && ! grep -q SECRET "$TMP/out" && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "source swapped: $TMP/swapped: a symbolic link, not a folder; not read" "$TMP/err"' \
	"$TMP/out"

# A page (or feed) file swapped for a symbolic link to a secret, or made
# a hard link to it: not read, one warning (the page extractor would pass a
# key's text through).
ln -s "$TMP/secrets/signing-key" "$TMP/page.html"
run --config "$TMP/cfg.ini" --source swappedpage --format json
check "file source: a symlink to a secret is not read" \
	'[ $RC -ne 0 ] && ! grep -q SECRET "$TMP/out" && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "source swappedpage: $TMP/page.html: a symbolic link; not read" "$TMP/err"' \
	"$TMP/out"
rm "$TMP/page.html"
ln "$TMP/secrets/signing-key" "$TMP/page.html"
run --config "$TMP/cfg.ini" --source swappedpage --format json
check "file source: a hard link to a secret is not read" \
	'[ $RC -ne 0 ] && ! grep -q SECRET "$TMP/out" && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "source swappedpage: $TMP/page.html: a file with more than one name (hard link); not read" "$TMP/err"' \
	"$TMP/out"
rm "$TMP/page.html"
printf '<html><body><p>An ordinary page about the harbour.</p></body></html>\n' >"$TMP/page.html"
run --config "$TMP/cfg.ini" --source swappedpage --format json
check "file source: the regular file is read" \
	'[ $RC -eq 0 ] && grep -q "ordinary page" "$TMP/out"' "$TMP/out" "$TMP/err"

# A folder's names are picked 64 at a time, one scan of the folder each: a
# scan per name made a poll quadratic in the folder's entries (4,096 links
# beside 100,000 hidden files held the loop for minutes, past the watchdog).
# 150 seeds made in shuffled order come out in byte order across the batches;
# 200 FIFOs beside hidden files take 4 scans (one per name before: 201).
mkdir -p "$TMP/many" "$TMP/fifos"
for i in $(seq 1 150 | sort -R); do
	printf 'URL: https://example.org/%03d\n\nSeed %s.\n' "$i" "$i" >"$TMP/many/s$(printf %03d "$i")"
done
{
	printf '[daemon]\nstate_dir = %s\nlog_level = debug\n' "$TMP/state-many"
	for s in many fifos; do printf '[source %s]\nurl = %s\ntype = folder\n' $s "$TMP/$s"; done
	printf '[endpoint]\nurl = https://localhost:1/digests\nsigning_key_file = %s\n' "$TMP/key"
} >"$TMP/many.ini"
run --config "$TMP/many.ini" --source many --format json
seq -f 'https://example.org/%03g' 1 150 >"$TMP/want"
sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$TMP/out" >"$TMP/got"
check "folder source: 150 names in byte order across batches" \
	'[ $RC -eq 0 ] && cmp -s "$TMP/got" "$TMP/want"' "$TMP/got"
i=0
while [ $i -lt 200 ]; do
	mkfifo "$TMP/fifos/f$i" && : >"$TMP/fifos/.h$i"
	i=$((i + 1))
done
$TEST_WRAPPER "$DIGESTD" run --once --config "$TMP/many.ini" >"$TMP/out" 2>"$TMP/err"
check "folder source: 200 names in 4 scans of the folder" \
	'grep -q "source fifos: 200 files from the folder in 4 scans" "$TMP/err"' "$TMP/err"

# Retry-After (seconds and HTTP-date) recorded; no request while it holds.
state_of() { grep "^$2 " "$(grep -l "^name $1\$" "$TMP"/state/source-*.state)" | cut -d' ' -f2; }
t0=$(now)
run --config "$TMP/cfg.ini" --source limited
ra=$(state_of limited retry_after_until)
check "429 Retry-After: 120 -> one log line, recorded in the state" \
	'[ $RC -ne 0 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "source limited: .*: HTTP status 429, retry after 120 s" "$TMP/err" && [ "$ra" -ge $((t0 + 100)) ] && [ "$ra" -le $((t0 + 140)) ]'
reqs=$(grep -c "^/status/429" "$TMP/requests")
run --config "$TMP/cfg.ini" --source limited
check "while Retry-After holds: no request, backing off" \
	'[ $RC -eq 75 ] && grep -q "backing off" "$TMP/err" && [ "$(grep -c "^/status/429" "$TMP/requests")" -eq "$reqs" ]'
t0=$(now)
run --config "$TMP/cfg.ini" --source dated
ra=$(state_of dated retry_after_until)
check "503 Retry-After as HTTP-date recorded" \
	'[ $RC -ne 0 ] && grep -q "HTTP status 503, retry after" "$TMP/err" && [ "$ra" -ge $((t0 + 3500)) ] && [ "$ra" -le $((t0 + 3700)) ]'

# Backoff after a failure, kept across runs.
t0=$(now)
run --config "$TMP/cfg.ini" --source down
due=$(state_of down next_due)
check "connection failure: one log line naming source, URL and reason" \
	'[ $RC -eq 75 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "source down: https://localhost:1/feed.xml: connection failed" "$TMP/err"'
check "backoff recorded: failures 1, next_due = now + backoff_base" \
	'[ "$(state_of down failures)" -eq 1 ] && [ "$due" -ge $((t0 + 55)) ] && [ "$due" -le $((t0 + 70)) ]'
run --config "$TMP/cfg.ini" --source down
check "next run backs off without asking" \
	'[ $RC -eq 75 ] && grep -q "backing off" "$TMP/err" && [ "$(state_of down failures)" -eq 1 ]'
run --config "$TMP/cfg.ini" --source gone
check "HTTP 404: failure recorded" \
	'[ $RC -ne 0 ] && grep -q "source gone: .*: HTTP status 404" "$TMP/err" && [ "$(state_of gone failures)" -eq 1 ]'

# A 304 to a request that sent no validators (fetch --source sends none)
# is the server's fault: a failure, not 'not modified' (which hid a source
# that never gave an article behind a healthy state).
run --config "$TMP/cfg.ini" --source unasked
check "304 without validators asked: a failure, one line, recorded" \
	'[ $RC -eq 69 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF "source unasked: $BASE/status/304: HTTP status 304 to a request without If-None-Match or If-Modified-Since" "$TMP/err" && [ "$(state_of unasked failures)" -eq 1 ]'

# A damaged state file: one warning, the file set aside, a fresh start.
file=$(grep -l "^name corpus\$" "$TMP"/state/source-*.state)
printf 'garbage\n' >"$file"
run --config "$TMP/cfg.ini" --source corpus --format json
check "damaged state file: one warning, set aside, fetched afresh" \
	'[ $RC -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 3 ] && [ "$(grep -c "$file" "$TMP/err")" -eq 1 ] && grep -qF "source corpus: $file: damaged; moved to $file.corrupt; starting afresh" "$TMP/err" && [ "$(cat "$file.corrupt")" = garbage ] && grep -q "^name corpus" "$file"'

# Usage errors.
expect_status "--source without --config" 64 digestd fetch --source corpus
expect_status "--source with an unknown name" 64 digestd fetch --config "$TMP/cfg.ini" --source nosuch
expect_status "ftp:// URL refused" 64 digestd fetch ftp://localhost/feed.xml
