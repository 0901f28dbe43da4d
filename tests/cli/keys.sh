#!/bin/sh
# SPDX-License-Identifier: MIT
# Articles whose keys agree in their first bytes are still told apart, end
# to end (`run --once` to digest-sink): feed entries without a link whose
# ids are longer than an id's field and alike that far, entries with
# neither id nor link whose titles are longer than a title's field, and
# folder seeds whose URL: headers are longer than a URL's field. Each pair
# once shared one seen-set key: the second article was never delivered.
# check's conditions are single-quoted and eval'd, so the variables they
# read look unused to shellcheck:
# shellcheck disable=SC2016,SC2034
. tests/cli/lib.sh
. tests/cli/daemon.lib

# check NAME 'SHELL CONDITION' [DETAIL FILE]
check() {
	if eval "$2"; then pass "$1"; else
		fail "$1" "failed: $2" "$(head -c 600 "${3:-$TMP/err}" 2>/dev/null)"
	fi
}

# long N: N 'a's.
long() { head -c "$1" /dev/zero | tr '\0' a; }

# text WHO: a few sentences for an article about WHO.
text() {
	printf 'The council of %s met on Monday to vote on the new budget. ' "$1"
	printf 'Members argued for three hours about the cost of the harbour works. '
	printf 'The vote passed by a narrow margin late in the evening.'
}

start_sink 0 || exit 1
mkdir -p "$TMP/articles"
id=tag:example.com,2026:$(long 600)
title=Story$(long 1100)
{
	printf '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>T</title>\n'
	for k in 1 2; do
		printf '<item><title>Long id %s</title><guid isPermaLink="false">%s%s</guid>' "$k" "$id" "$k"
		printf '<description>%s</description></item>\n' "$(text "id $k")"
		printf '<item><title>%s%s</title>' "$title" "$k"
		printf '<description>%s</description></item>\n' "$(text "title $k")"
	done
	printf '</channel></rss>\n'
} >"$TMP/long.xml"
for k in 1 2; do
	printf 'Title: Long URL %s\nURL: https://news.example.org/%s%s\n\n%s\n' \
		"$k" "$(long 1100)" "$k" "$(text "url $k")" >"$TMP/articles/s$k.txt"
done
cfg=$TMP/k.ini
{
	printf '[daemon]\nstate_dir = %s\nlog_level = info\n\n' "$TMP/state"
	printf '[source articles]\nurl = %s\ntype = folder\nlang = en\n\n' "$TMP/articles"
	printf '[source long]\nurl = file://%s\ntype = feed\nlang = en\n\n' "$TMP/long.xml"
	printf '[digest]\nsentences = 1\ngroup = no\n\n'
	printf '[endpoint]\nurl = https://localhost:%s/digest\nca_file = %s\n' "$PORT" "$TMP/tls/cert.pem"
	printf 'signing_key_file = %s\n' "$TMP/key"
} >"$cfg"

digestd run --once --config "$cfg" >"$TMP/out" 2>"$TMP/err"
rc=$?
titles | cut -c1-16 | sort >"$TMP/got"
{
	printf 'Long URL 1\nLong URL 2\nLong id 1\nLong id 2\n'
	printf 'Story%s\nStory%s\n' "$(long 11)" "$(long 11)"
} | sort >"$TMP/want"
check "run --once: exit 0, one digest" '[ $rc -eq 0 ] && [ "$(stored)" -eq 1 ]'
expect_same "long ids, titles and URL: headers alike at the start: all six delivered" \
	"$TMP/got" "$TMP/want"

# Nothing twice: a second run finds all six in the seen-set.
digestd run --once --config "$cfg" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "run --once again: nothing new, no second digest" \
	'[ $rc -eq 0 ] && [ "$(stored)" -eq 1 ] && grep -q "one cycle done: 0 new articles" "$TMP/err"'
