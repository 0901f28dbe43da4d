#!/bin/sh
# SPDX-License-Identifier: MIT
# What a hostile feed or server can make digestd do, against tests/httpd.py:
# links and redirects to loopback addresses (refused unless the source is on
# that host or sets allow_private), a poll of slow teaser pages cut at
# poll_timeout with the rest delivered by later polls (none lost, none twice,
# no page asked again), an error body that never ends, and query strings and
# passwords in URLs kept out of log lines. ([source] url may not carry a
# password: the config refuses it.)
# check's conditions are single-quoted and eval'd, so the variables they
# read look unused to shellcheck:
# shellcheck disable=SC2016,SC2034
. tests/cli/lib.sh
. tests/cli/httpd.lib
. tests/cli/daemon.lib
PIDS="$PIDS $SRV_PID"
touch "$TMP/requests"

# page_requests: how many times /page.html was asked for so far.
page_requests() { grep -c "^/page.html	" "$TMP/requests"; }

# A feed read from a file has no host of its own: its teasers may reach only
# public addresses. One links to localhost by name (resolved to loopback),
# one to 127.0.0.2.
feed_linking() {
	cat <<EOF
<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>
<item><title>Linked story</title><link>$1</link><guid>l1</guid>
<description>The harbour authority opened the breakwater. Read more</description></item>
</channel></rss>
EOF
}
feed_linking "$BASE/page.html" >"$TMP/by-name.xml"
feed_linking "https://127.0.0.2:$ALT/page.html" >"$TMP/by-address.xml"
http_config >"$TMP/cfg.ini"
cat >>"$TMP/cfg.ini" <<EOF
[source byname]
url = file://$TMP/by-name.xml
type = feed
fetch_pages = yes
[source byaddress]
url = file://$TMP/by-address.xml
type = feed
fetch_pages = yes
[source allowed]
url = file://$TMP/by-name.xml
type = feed
fetch_pages = yes
allow_private = yes
[source redirect]
url = $BASE/teaser.xml?link=$BASE/to?u=https://127.0.0.1:$PORT/page.html
fetch_pages = yes
[source own]
url = $BASE/teaser.xml?link=$BASE/to?u=$BASE/page.html
fetch_pages = yes
[source leaky]
url = $BASE/status/404?api_key=SECRET-IN-QUERY
[source broken]
url = $BASE/broken.xml?api_key=SECRET-IN-QUERY
EOF

# ---- links and redirects to internal addresses ----
n0=$(page_requests)
run --config "$TMP/cfg.ini" --source byname --format json
check "teaser link to localhost from a feed without a host: page not fetched" \
	'[ $RC -eq 0 ] && [ "$(page_requests)" -eq "$n0" ] && grep -q "opened the breakwater. Read more" "$TMP/out" && ! grep -q "Paragraph 7" "$TMP/out"' \
	"$TMP/out"
check "... one warning naming source, URL and the loopback address" \
	'[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "source byname: $BASE/page.html: page not fetched, keeping the feed'"'"'s text: refused to connect to \(127.0.0.1\|::1\), a loopback address" "$TMP/err"'
run --config "$TMP/cfg.ini" --source byaddress --format json
check "teaser link to 127.0.0.2: refused, one warning, nothing asked there" \
	'[ $RC -eq 0 ] && ! grep -q "Paragraph 7" "$TMP/out" && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF "source byaddress: https://127.0.0.2:$ALT/page.html: page not fetched, keeping the feed'"'"'s text: refused to connect to 127.0.0.2, a loopback address" "$TMP/err" && ! grep -q "	127.0.0.2	" "$TMP/requests"'
run --config "$TMP/cfg.ini" --source allowed --format json
check "allow_private = yes: the same link is followed" \
	'[ $RC -eq 0 ] && grep -q "Paragraph 7 of the full story" "$TMP/out" && [ ! -s "$TMP/err" ]' "$TMP/err"
n0=$(page_requests)
run --config "$TMP/cfg.ini" --source redirect --format json
check "redirect from the source's host to 127.0.0.1: refused, page not fetched" \
	'[ $RC -eq 0 ] && [ "$(page_requests)" -eq "$n0" ] && ! grep -q "Paragraph 7" "$TMP/out" && grep -qF "source redirect: $BASE/to?***: page not fetched, keeping the feed'"'"'s text: refused to connect to 127.0.0.1, a loopback address" "$TMP/err"'
run --config "$TMP/cfg.ini" --source own --format json
check "a source on loopback follows links and redirects to its own host" \
	'[ $RC -eq 0 ] && grep -q "Paragraph 7 of the full story" "$TMP/out" && [ ! -s "$TMP/err" ]' "$TMP/err"
# shellcheck disable=SC2086
run $CA "$BASE/to?u=https://127.0.0.2:$ALT/page.html"
check "digestd fetch: a redirect to another loopback address is refused" \
	'[ $RC -eq 69 ] && [ ! -s "$TMP/out" ] && grep -qF "refused to connect to 127.0.0.2, a loopback address" "$TMP/err" && ! grep -q "	127.0.0.2	" "$TMP/requests"'

# ---- an error body that never ends: its status, not a timeout ----
run --config "$TMP/cfg.ini" "$BASE/trickle/500"
check "500 with an endless body: reported as HTTP status 500 (exit 75)" \
	'[ $RC -eq 75 ] && grep -q "trickle/500: HTTP status 500$" "$TMP/err" && [ ! -s "$TMP/out" ]'
run --config "$TMP/cfg.ini" "$BASE/trickle/404"
check "404 with an endless body: reported as HTTP status 404 (exit 69)" \
	'[ $RC -eq 69 ] && grep -q "trickle/404: HTTP status 404$" "$TMP/err"'

# ---- query strings and passwords stay out of log lines ----
# shellcheck disable=SC2086
run $CA "$BASE/status/404?api_key=SECRET-IN-QUERY"
check "digestd fetch: the query string is not logged" \
	'[ $RC -eq 69 ] && grep -qF "fetch: $BASE/status/404?***: HTTP status 404" "$TMP/err" && ! grep -q SECRET "$TMP/err"'
run --config "$TMP/cfg.ini" --source leaky
check "source: the query string is not logged" \
	'[ $RC -ne 0 ] && grep -qF "source leaky: $BASE/status/404?***: HTTP status 404" "$TMP/err" && ! grep -q SECRET "$TMP/err"'
run --config "$TMP/cfg.ini" --source broken
check "a feed cut off: its warning does not log the query string either" \
	'grep -qF "$BASE/broken.xml?***: feed is not well-formed" "$TMP/err" && ! grep -q SECRET "$TMP/err"'
# shellcheck disable=SC2086
run $CA "https://digestd:SECRET-PASSWORD@localhost:$PORT/status/404"
check "digestd fetch: user name and password are not logged" \
	'[ $RC -eq 69 ] && grep -qF "fetch: https://***@localhost:$PORT/status/404: HTTP status 404" "$TMP/err" && ! grep -q SECRET "$TMP/err"'

# ---- one poll has a deadline; the rest comes with the next polls ----
# Six teasers whose pages take a second each (SLOW seconds under
# qemu-user), poll_timeout three times that. Each
# `run --once` delivers what its poll took; entries already delivered are
# not fetched again, and the feed's ETag is kept only by a complete poll.
mkdir -p "$TMP/articles"
start_sink 0 || exit 1
write_config "$TMP/slow.ini" "[source slow]" "url = $BASE/slow.xml?d=$SLOW" "fetch_pages = yes" \
	"backlog = 20" \
	"[http]" "ca_file = $T/ca.pem" "min_host_delay = 0s" "poll_timeout = $((3 * SLOW))s"
# slow_delivered: Slow stories in the sink's store so far.
slow_delivered() { cat "$TMP"/store/*.json 2>/dev/null | grep -o '"title":"Slow story' | wc -l; }
runs=0 first=
while [ $runs -lt 10 ] && [ "$(slow_delivered)" -lt 6 ]; do
	runs=$((runs + 1))
	printf 'run %s\n' "$runs" >>"$TMP/requests"
	digestd run --once --config "$TMP/slow.ini" >"$TMP/out" 2>>"$TMP/slow.log"
	rc=$?
	find "$TMP/store" -name '*.json' | sed 's/^/stored /' >>"$TMP/requests"
	[ -z "$first" ] && first=$rc:$(slow_delivered)
	[ $rc -eq 0 ] || [ $rc -eq 75 ] || break
done
python3 - "$TMP/store" "$TMP/requests" >"$TMP/slow.txt" 2>&1 <<'EOF'
import json, sys
delivered, when, seen = [], {}, set()
run, asked = 0, {}
for line in open(sys.argv[2]):
    if line.startswith("run "):
        run = int(line.split()[1])
    elif line.startswith("/slow/"):
        asked.setdefault("Slow story " + line.split("\t")[0][6:].split("?")[0], []).append(run)
    elif line.startswith("stored ") and line[7:].strip() not in seen:
        seen.add(line[7:].strip())
        for a in json.load(open(line[7:].strip(), encoding="utf-8"))["articles"]:
            delivered.append(a["title"])
            when.setdefault(a["title"], run)
print("delivered", len(delivered), "distinct", len(set(delivered)), "by run", when)
print("per run", [sum(1 for r in when.values() if r == k) for k in range(1, run + 1)])
again = [t for t, runs in asked.items() if t in when and max(runs) > when[t]]
print("asked again after delivery", again)
ok = sorted(delivered) == ["Slow story %d" % k for k in range(1, 7)] and not again
print("ok" if ok else "bad")
EOF
check "poll_timeout: the first poll stops early and delivers part ($first: exit:articles)" \
	'[ "${first%%:*}" -ne 78 ] && [ "$runs" -ge 2 ] && grep -q "^per run \[[1-5]," "$TMP/slow.txt"' "$TMP/slow.txt"
check "poll_timeout: all six delivered over $runs polls, each once, no page asked after delivery" \
	'grep -q "^ok$" "$TMP/slow.txt"' "$TMP/slow.txt"
check "poll_timeout: one line says the poll was cut short" \
	'grep -q "source slow: poll stopped at poll_timeout ($((3 * SLOW)) s); [0-9]* entries left for the next poll" "$TMP/slow.log"' \
	"$TMP/slow.log"
# The same six entries from a feed without validators (every poll a 200):
# all already delivered, so no page is fetched again.
n0=$(grep -c "^/slow/" "$TMP/requests")
write_config "$TMP/fresh.ini" "[source fresh]" "url = $BASE/slow.xml?fresh&d=$SLOW" "fetch_pages = yes" \
	"backlog = 20" \
	"[http]" "ca_file = $T/ca.pem" "min_host_delay = 0s" "poll_timeout = $((3 * SLOW))s"
digestd run --once --config "$TMP/fresh.ini" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "entries already delivered: their teaser pages are not fetched again" \
	'[ $rc -eq 0 ] && grep -q "^/slow.xml?fresh" "$TMP/requests" && [ "$(grep -c "^/slow/" "$TMP/requests")" -eq "$n0" ]' \
	"$TMP/err"

# One daemon polls a source on loopback, then a file feed linking to the
# same server: the open connection the first source left must not carry the
# second one's request (the rule holds for reused connections too).
feed_linking "$BASE/page.html?reused" >"$TMP/reuse.xml"
write_config "$TMP/reuse.ini" "[source own]" "url = $BASE/teasers.xml" "fetch_pages = yes" \
	"[source byname]" "url = file://$TMP/reuse.xml" "type = feed" "fetch_pages = yes" \
	"[http]" "ca_file = $T/ca.pem" "min_host_delay = 0s"
digestd run --once --config "$TMP/reuse.ini" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a reused connection is checked too: the file feed's link to loopback refused" \
	'[ $rc -eq 0 ] && grep -q "^/teasers.xml" "$TMP/requests" && ! grep -q "^/page.html?reused" "$TMP/requests" && grep -q "source byname: $BASE/page.html?\*\*\*: page not fetched, keeping the feed.s text: refused to connect to \(127.0.0.1\|::1\), a loopback address" "$TMP/err"' \
	"$TMP/err"

# ---- an endpoint whose answer never ends ----
# A 2xx whose headers all came is the server's word that it took the
# digest: a body that then trickles past the timeout or never ends does
# not leave it in the outbox to go again (it went twice, each run). An
# endless answer ends after the 1 KiB kept of it, not at the timeout.
for kind in trickle/200 endless/gzip; do
	tag=$(printf %s "$kind" | tr / -)
	mkdir -p "$TMP/push-$tag"
	printf 'Title: Story %s\nURL: https://news.example.org/%s\n\n%s\n' "$tag" "$tag" \
		"$(sed -n '/^$/,$p' seeds/000_*.txt)" >"$TMP/push-$tag/story.txt"
	cat >"$TMP/push-$tag.ini" <<EOI
[daemon]
state_dir = $TMP/state-$tag
[source articles]
url = $TMP/push-$tag
type = folder
[digest]
schedule = 1h
group = no
[endpoint]
url = $BASE/$kind?push
ca_file = $T/ca.pem
signing_key_file = $TMP/key
timeout = $((5 * SLOW))s
retry_base = 1s
retry_max = 2s
EOI
	for i in 1 2; do
		digestd run --once --config "$TMP/push-$tag.ini" >"$TMP/out" 2>"$TMP/push-$tag.$i.log"
		eval "rc$i=\$?"
	done
	check "push answered 200 then a $kind body: delivered once, not retried (exits $rc1 $rc2)" \
		'[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && grep -q "push dg_[0-9a-f]*: delivered (HTTP 200" "$TMP/push-$tag.1.log" && [ "$(grep -c "^/$kind?push	" "$TMP/requests")" -eq 1 ] && [ -z "$(ls "$TMP/state-$tag/outbox")" ]' \
		"$TMP/push-$tag.1.log"
done
check "... the trickle's timeout named in the delivered line" \
	'grep -q "delivered (HTTP 200, [0-9]* bytes); the answer then broke off: .*timed out" "$TMP/push-trickle-200.1.log"' \
	"$TMP/push-trickle-200.1.log"

# ---- one slow host does not hold every transfer ----
# Requests to a host past its 2 at once waited in transfer slots of their
# own: four feeds on a host that never answers took all four slots, and a
# feed elsewhere waited for their timeouts; six slow teaser pages on one
# host likewise kept another poll's page waiting. Now they wait without a
# slot, and other hosts go first: the order of arrival at the server says
# so (the third slow request can only come after the first two timed out,
# or after the first two pages came, seconds later).
{
	printf '[daemon]\nstate_dir = %s\nmax_transfers = 4\n' "$TMP/state-starve"
	printf '[http]\nca_file = %s\nmin_host_delay = 0s\ntimeout = %ss\nconnect_timeout = %ss\n' \
		"$T/ca.pem" $((5 * SLOW)) $((5 * SLOW))
	for i in 1 2 3 4; do
		printf '[source slow%s]\nurl = https://127.0.0.2:%s/trickle/200?t=starve&n=%s\n' $i "$ALT" $i
	done
	printf '[source fast]\nurl = %s/feeds/rss2-fr.xml?t=starve\n' "$BASE"
	printf '[digest]\nschedule = 1h\n[endpoint]\nurl = https://localhost:1/digest\nsigning_key_file = %s\n' \
		"$TMP/key"
} >"$TMP/starve.ini"
sed -e '/^\[source/,$d' -e "s|state-starve|state-pagestarve|" "$TMP/starve.ini" >"$TMP/pagestarve.ini"
{
	printf '[source pages]\nurl = %s/slow.xml?fresh&d=%s&t=pagestarve\nfetch_pages = yes\n' \
		"$BASE" $((3 * SLOW))
	printf '[source other]\nurl = https://127.0.0.2:%s/teaser.xml?link=https://127.0.0.2:%s/page.html%%3Ft%%3Dpagestarve&d=1\nfetch_pages = yes\n' \
		"$ALT" "$ALT"
	sed -n '/^\[digest/,$p' "$TMP/starve.ini"
} >>"$TMP/pagestarve.ini"
digestd run --once --config "$TMP/starve.ini" >"$TMP/out" 2>"$TMP/starve.log"
digestd run --once --config "$TMP/pagestarve.ini" >"$TMP/out" 2>"$TMP/pagestarve.log"
# before RE FIRST N: the first request matching RE came before the Nth
# matching FIRST (extended regular expressions over the path).
before() {
	awk -F'\t' -v p="$1" -v f="$2" -v n="$3" '$1 ~ f { k++ }
		$1 ~ p { print (k < n) ? "yes" : "no (after " k ")"; exit }' "$TMP/requests"
}
order=$(before '^/feeds/rss2-fr[.]xml[?]t=starve' '^/trickle/200[?]t=starve' 3)
check "a feed on another host is asked before the slow host's third feed ($order)" \
	'[ "$order" = yes ] && grep -q "source fast: [0-9]* new article" "$TMP/starve.log"' "$TMP/starve.log"
order=$(before '^/page[.]html[?]t=pagestarve' '^/slow/.*t=pagestarve' 3)
check "a teaser page on another host is asked before the slow host's third page ($order)" \
	'[ "$order" = yes ] && grep -q "source other: 1 new article" "$TMP/pagestarve.log"' \
	"$TMP/pagestarve.log"
