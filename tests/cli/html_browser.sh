#!/bin/sh
# SPDX-License-Identifier: MIT
# The HTML digest in a real browser: a realistic digest (the seeds, a long
# headline, a long unbroken word, Russian, Greek and Japanese text; made by
# `run --once` to digest-sink) laid out by Debian's headless Chromium at
# 375 px (a phone) and 1,280 px (a desktop), light and dark, must not scroll
# sideways. The same page without its word-breaking style must, at both
# widths: so the measure can fail. tools/html-page.sh drives Chromium.
. tests/cli/lib.sh

if ! command -v chromium >/dev/null 2>&1; then
	echo "SKIP: no chromium (tools/deps.sh installs it): the HTML digest is not checked in a browser"
	exit 0
fi
if ! sh tools/html-page.sh digest "$TMP/digest.html" 2>"$TMP/err"; then
	fail "html in a browser: a realistic HTML digest made by run --once" "$(tail -n 5 "$TMP/err")"
	exit 1
fi
pass "html in a browser: a realistic HTML digest made by run --once"

# fits NAME FILE WIDTH SCHEME WANT: WANT "fits" or "scrolls" sideways.
fits() {
	m=$(sh tools/html-page.sh measure "$2" "$3" "$4" 2>"$TMP/err")
	set -- "$1" "$2" "$3" "$4" "$5" $m
	if [ $# -ne 8 ]; then
		fail "$1" "no measure from chromium" "$(tail -n 5 "$TMP/err")"
		return
	fi
	got=fits
	[ "$6" -gt "$7" ] && got=scrolls
	dark=false
	[ "$4" = dark ] && dark=true
	if [ "$7" -ne "$3" ] || [ "$8" != "$dark" ]; then
		fail "$1" "laid out at ${7} px, dark $8; wanted $3 px, dark $dark"
	elif [ "$got" != "$5" ]; then
		fail "$1" "scrollWidth $6 px in a viewport of $7 px: it $got, want: it $5"
	else
		pass "$1 (scrollWidth $6, viewport $7)"
	fi
}

for w in 375 1280; do
	for scheme in light dark; do
		fits "html in a browser: $w px, $scheme: no sideways scrolling" "$TMP/digest.html" \
			"$w" "$scheme" fits
	done
done

sed 's/overflow-wrap:break-word;word-wrap:break-word;word-break:break-word;//' \
	"$TMP/digest.html" >"$TMP/wide.html"
if cmp -s "$TMP/digest.html" "$TMP/wide.html"; then
	fail "html in a browser: the word-breaking style to take out is in the page"
else
	for w in 375 1280; do
		fits "html in a browser: $w px, without word breaking, the check sees it scroll" \
			"$TMP/wide.html" "$w" light scrolls
	done
fi
