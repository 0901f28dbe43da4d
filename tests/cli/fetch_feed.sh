#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd fetch --type feed`: the documented JSON and text output
# (docs/fetch.md), exit statuses, the one warning for a broken feed, and
# hostile inputs (entity bombs, encodings).
. tests/cli/lib.sh

cat >"$TMP/rss.xml" <<'X'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xml:base="http://example.org/news/">
<channel><title>T</title><language>en</language>
<item><title>A &amp;amp; B &lt;b&gt;bold&lt;/b&gt;</title><link> story/1 </link>
<guid isPermaLink="false">g1</guid><pubDate>Sun, 06 Jan 2008 12:00:00 EST</pubDate>
<dc:creator>Ann</dc:creator>
<description>&lt;p&gt;Para one&lt;/p&gt;&lt;p&gt;two &amp;eacute;&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>Full <i>text</i></p><script>x()</script>]]></content:encoded>
<enclosure url="/a.mp3" type="audio/mpeg" length="123"/></item>
<item><title>Second</title><guid>http://example.org/2</guid>
<dc:date>2008-01-07T01:02:03+02:00</dc:date></item>
</channel></rss>
X
cat >"$TMP/want.json" <<'X'
{"id":"g1","title":"A & B bold","link":"http://example.org/news/story/1","published":"2008-01-06T17:00:00Z","updated":null,"author":"Ann","lang":"en","summary":"Para one\u000atwo é","content":"Full text","enclosures":[{"url":"http://example.org/a.mp3","type":"audio/mpeg","length":123}]}
{"id":"http://example.org/2","title":"Second","link":"http://example.org/2","published":null,"updated":"2008-01-06T23:02:03Z","author":"","lang":"en","summary":"","content":"","enclosures":[]}
X
expect_status "rss: exit 0" 0 digestd fetch --type feed --format json "$TMP/rss.xml"
expect_same "rss: JSON lines as documented" "$TMP/out" "$TMP/want.json"

cat >"$TMP/want.txt" <<'X'
A & B bold
  http://example.org/news/story/1
  published 2008-01-06T17:00:00Z
  Para one two é

Second
  http://example.org/2
  updated 2008-01-06T23:02:03Z
X
expect_status "rss text: exit 0" 0 digestd fetch --type feed --format text "$TMP/rss.xml"
expect_same "rss: text blocks as documented" "$TMP/out" "$TMP/want.txt"

cat >"$TMP/atom.xml" <<'X'
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/blog/" xml:lang="de">
<entry xml:base="posts/"><title type="html">&lt;em&gt;Hi&lt;/em&gt; there</title>
<link rel="self" href="self.xml"/><link href="one.html"/><id>tag:x,2008:1</id>
<updated>2008-01-07T12:00:00-05:00</updated><author><name>Bob</name></author>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>X <b>y</b></p></div></content>
<source><title>not this</title><link href="http://other/"/></source></entry></feed>
X
expect_status "atom: exit 0" 0 digestd fetch --type feed --format json "$TMP/atom.xml"
expect_grep "atom: xml:base resolves the alternate link" \
	'"title":"Hi there","link":"http://example.org/blog/posts/one.html"' "$TMP/out"
expect_grep "atom: updated, author, xml:lang, xhtml content" \
	'"updated":"2008-01-07T17:00:00Z","author":"Bob","lang":"de","summary":"","content":"X y"' \
	"$TMP/out"

printf '<html><head><title>x</title></head><body><p>page</p></body></html>\n' >"$TMP/page.html"
expect_status "not a feed: exit 65" 65 digestd fetch --type feed "$TMP/page.html"
expect_grep "not a feed: message names the file" "page.html: not a feed" "$TMP/err"

printf '<rss><channel><item><title>One</title></item><item><title>Two <b>open\n' >"$TMP/broken.xml"
expect_status "broken feed: exit 0" 0 digestd fetch --type feed --format json "$TMP/broken.xml"
if [ "$(wc -l <"$TMP/out")" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ]; then
	pass "broken feed: both entries, one warning"
else
	fail "broken feed: both entries, one warning" "$(cat "$TMP/out" "$TMP/err")"
fi
expect_grep "broken feed: the warning names the file" "broken.xml: feed is not well-formed" "$TMP/err"
# A source reads its feed twice (rank, then yield): still one warning.
printf '[daemon]\nstate_dir = %s\n[source broken]\nurl = file://%s/broken.xml\n' "$TMP" \
	"$(cd "$TMP" && pwd)" >"$TMP/broken.ini"
expect_status "broken feed source: exit 0" 0 digestd fetch --config "$TMP/broken.ini" --source broken
if [ "$(grep -c "feed is not well-formed" "$TMP/err")" -eq 1 ]; then
	pass "broken feed source: one warning for two passes"
else
	fail "broken feed source: one warning for two passes" "$(cat "$TMP/err")"
fi

{
	printf '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
	printf '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
	printf '<rss><channel><item><title>&c;&c;&c;</title></item></channel></rss>\n'
} >"$TMP/bomb.xml"
expect_status "entity bomb: exit 0" 0 digestd fetch --type feed --format json "$TMP/bomb.xml"
expect_grep "entity bomb: entities stay unexpanded" '"title":"&c;&c;&c;"' "$TMP/out"

printf '<?xml version="1.0" encoding="windows-1252"?><rss><channel><item><title>\223caf\351\224 \200</title></item></channel></rss>' >"$TMP/cp1252.xml"
expect_status "windows-1252: exit 0" 0 digestd fetch --type feed --format json "$TMP/cp1252.xml"
expect_grep "windows-1252: converted to UTF-8" '"title":"“café” €"' "$TMP/out"

printf '{"version":"https://jsonfeed.org/version/1.1","home_page_url":"https://example.org/","items":[{"id":7,"url":"p/7","title":"J","content_html":"<p>a &amp; b</p>","date_published":"2010-02-07T14:04:00-05:00"}]}' >"$TMP/feed.json"
expect_status "JSON Feed: exit 0" 0 digestd fetch --type feed --format json "$TMP/feed.json"
expect_grep "JSON Feed: fields" '{"id":"7","title":"J","link":"https://example.org/p/7","published":"2010-02-07T19:04:00Z"' "$TMP/out"

# Type guessing (no --type): a UTF-16 feed and a feed whose DOCTYPE has an
# internal subset (a '>' inside it) are feeds, not pages.
cat >"$TMP/subset.xml" <<'X'
<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY note "a > b"> <!ELEMENT rss ANY> ]>
<rss version="2.0"><channel><title>S</title>
<item><title>Subset entry</title><link>http://example.org/s</link><guid>s1</guid></item>
</channel></rss>
X
expect_status "guess: DOCTYPE with an internal subset: exit 0" 0 digestd fetch --format json "$TMP/subset.xml"
expect_grep "guess: DOCTYPE with an internal subset is read as a feed" '"id":"s1","title":"Subset entry"' "$TMP/out"
for enc in utf-16-le utf-16-be; do
	python3 -c 'import sys; sys.stdout.buffer.write(("\ufeff" + open(sys.argv[2], encoding="utf-8").read().replace("<?xml version=\"1.0\"?>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")).encode(sys.argv[1]))' \
		"$enc" "$TMP/subset.xml" >"$TMP/feed16.xml"
	expect_status "guess: $enc feed: exit 0" 0 digestd fetch --format json "$TMP/feed16.xml"
	expect_grep "guess: $enc feed is read as a feed" '"id":"s1","title":"Subset entry"' "$TMP/out"
done
