#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd fetch` on pages: JSON and text output, input forms (file,
# file:// URL, stdin), type guessing, encodings, and the error statuses.
. tests/cli/lib.sh

cat >"$TMP/page.html" <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><title>Site title</title>
<meta property="og:title" content="Tom &amp; Jerry">
<meta property="article:published_time" content="2024-05-06T07:08:09Z">
<script>var x = "<p>no</p>";</script></head>
<body><nav><a href="/">Home</a></nav>
<article><p>First paragraph, long enough to count as text for the scorer here.</p>
<p>Second paragraph with caf&eacute; and a "quote", also long enough to count.</p></article>
<footer>Footer words</footer></body></html>
HTML

expect_status "page json: exit 0" 0 digestd fetch --format json "$TMP/page.html"
printf '%s\n' '{"title":"Tom & Jerry","date":"2024-05-06T07:08:09Z","lang":"en","text":"First paragraph, long enough to count as text for the scorer here.\u000aSecond paragraph with café and a \"quote\", also long enough to count."}' >"$TMP/want.json"
expect_same "page json: fields and text" "$TMP/out" "$TMP/want.json"

expect_status "page text: exit 0" 0 digestd fetch --type page "$TMP/page.html"
printf '%s\n' "Tom & Jerry" "" "First paragraph, long enough to count as text for the scorer here." \
	'Second paragraph with café and a "quote", also long enough to count.' >"$TMP/want.txt"
expect_same "page text: title, blank line, paragraphs" "$TMP/out" "$TMP/want.txt"

expect_status "file:// URL" 0 digestd fetch --format=json "file://$(cd "$TMP" && pwd)/page.html"
expect_same "file:// URL: same output" "$TMP/out" "$TMP/want.json"
# The scheme in any case, and file://localhost/, as the config accepts them.
expect_status "FILE:// URL" 0 digestd fetch --format=json "FILE://$(cd "$TMP" && pwd)/page.html"
expect_same "FILE:// URL: same output" "$TMP/out" "$TMP/want.json"
expect_status "file://localhost/ URL" 0 digestd fetch --format=json "file://localhost$(cd "$TMP" && pwd)/page.html"
expect_same "file://localhost/ URL: same output" "$TMP/out" "$TMP/want.json"
expect_status "file://host/ URL refused" 64 digestd fetch "file://elsewhere$(cd "$TMP" && pwd)/page.html"
printf '[daemon]\nstate_dir = %s\n[source upper]\nurl = FILE://%s/page.html\ntype = page\n' \
	"$TMP" "$(cd "$TMP" && pwd)" >"$TMP/file.ini"
expect_status "source url = FILE:///...: read" 0 digestd fetch --config "$TMP/file.ini" --source upper --format json
expect_grep "source url = FILE:///...: the page's text" '"title":"Tom & Jerry"' "$TMP/out"

digestd fetch --format json - <"$TMP/page.html" >"$TMP/stdin.json" 2>"$TMP/err"
expect_same "stdin: same output" "$TMP/stdin.json" "$TMP/want.json"

printf '\357\273\277 <?xml version="1.0"?>\n<!-- c --><rss version="2.0"><channel><item><title>T</title></item></channel></rss>' >"$TMP/feed.xml"
expect_status "guess: rss after BOM, prolog and comment is a feed" 0 digestd fetch --format json "$TMP/feed.xml"
expect_grep "guess: feed output" '"title":"T"' "$TMP/out"

expect_status "unreachable https URL: exit 75" 75 digestd fetch https://localhost:1/news
expect_grep "unreachable https URL: message names the URL" "https://localhost:1/news" "$TMP/err"
expect_status "missing file: exit 66" 66 digestd fetch "$TMP/nonexistent.html"
expect_grep "missing file: message names it" "nonexistent.html" "$TMP/err"
expect_status "directory: exit 66" 66 digestd fetch "$TMP"
expect_status "unknown option: exit 64" 64 digestd fetch --bogus "$TMP/page.html"
expect_status "bad --format: exit 64" 64 digestd fetch --format xml "$TMP/page.html"
expect_status "two inputs: exit 64" 64 digestd fetch "$TMP/page.html" "$TMP/page.html"

# One byte over the 4 MiB input buffer.
head -c 4194305 /dev/zero | tr '\0' 'a' >"$TMP/big.html"
expect_status "too big: exit 65" 65 digestd fetch "$TMP/big.html"
expect_grep "too big: message names the file" "big.html" "$TMP/err"
head -c 4194304 /dev/zero | tr '\0' 'a' >"$TMP/full.html"
expect_status "exactly 4 MiB: accepted" 0 digestd fetch --format json "$TMP/full.html"

printf '<meta charset=utf-8><p>\377\376 bad bytes</p>' >"$TMP/bad.html"
expect_status "invalid UTF-8: exit 0" 0 digestd fetch --format json "$TMP/bad.html"
expect_grep "invalid UTF-8: replaced by U+FFFD" "$(printf '"text":"\357\277\275\357\277\275 bad bytes"')" "$TMP/out"
# Undeclared and not UTF-8: windows-1252, as the HTML standard falls back.
printf '<p>caf\351 \200 \223ok\224</p>' >"$TMP/cp1252.html"
expect_status "undeclared 8-bit page: exit 0" 0 digestd fetch --format json "$TMP/cp1252.html"
expect_grep "undeclared 8-bit page: read as windows-1252" '"text":"café € “ok”"' "$TMP/out"
# A <meta> names the charset of a file (no HTTP header): ISO-8859-15.
printf '<meta http-equiv=content-type content="text/html;charset=iso-8859-15"><p>\244 \275uvre</p>' >"$TMP/latin9.html"
expect_status "meta charset: exit 0" 0 digestd fetch --format json "$TMP/latin9.html"
expect_grep "meta charset: ISO-8859-15 (euro sign, oe)" '"text":"€ œuvre"' "$TMP/out"
