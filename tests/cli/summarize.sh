#!/bin/sh
# SPDX-License-Identifier: MIT
# `digestd summarize` from the outside: exit statuses, text and JSON output,
# offsets against the input bytes, stdin, determinism and hostile inputs.
. tests/cli/lib.sh

# Runs python3 code ($1) with the remaining arguments; stdout is the verdict.
py() {
	code=$1
	shift
	python3 -c "$code" "$@"
}

cat >"$TMP/a.txt" <<'EOF'
Title: Harbour bridge closes for repairs after storm damage
URL: https://example.org/news/bridge
Lang: en

The city council closed the harbour bridge on Monday after engineers found cracks in two of its steel cables. Traffic was diverted through the tunnel, where queues of up to an hour formed during the morning rush.

Mayor Ana Lopez said the bridge would stay closed until the repairs were finished. "Safety comes first, and we will not reopen it a day early," she told reporters at the town hall.

Engineers said the storm last week had loosened the anchors of the cables. The repairs are expected to take three weeks and to cost about 2.5 million euros.
Local shops near the bridge fear a drop in trade. The chamber of commerce asked the council for help with lost income.

The tunnel operator added extra staff and lowered its toll for cars during the closure. Buses will use a special lane.   Cyclists   can take a free ferry	across the harbour every twenty minutes.

The council will publish a report on the cables next month.
EOF

cat >"$TMP/b.txt" <<'EOF'
Scientists have found a new species of frog in the mountain forests of the north. The frog is smaller than a thumbnail and lives in moss near streams.

The team spent two years searching the forests before they heard its call. Its song is so high that most people cannot hear it at all.

The researchers say the forest is threatened by logging. They want the area to become a protected park.
EOF

# --- exit statuses ---------------------------------------------------------
expect_status "exit 0 on a readable article" 0 digestd summarize "$TMP/a.txt"
expect_status "exit 64 for an unknown option" 64 digestd summarize --bogus "$TMP/a.txt"
for bad in 0 abc 1000 -3 ""; do
	expect_status "exit 64 for -n '$bad'" 64 digestd summarize -n "$bad" "$TMP/a.txt"
done
for bad in 0 2 x -0.5 ""; do
	expect_status "exit 64 for --ratio '$bad'" 64 digestd summarize --ratio "$bad" "$TMP/a.txt"
done
for bad in 0 abc 65536 -3 ""; do
	expect_status "exit 64 for --words '$bad'" 64 digestd summarize --words "$bad" "$TMP/a.txt"
done
expect_status "exit 64 for --lang xx" 64 digestd summarize --lang xx "$TMP/a.txt"
expect_status "exit 64 for --format xml" 64 digestd summarize --format xml "$TMP/a.txt"
expect_status "exit 64 for --method foo" 64 digestd summarize --method foo "$TMP/a.txt"
expect_status "exit 64 for -n with --ratio" 64 digestd summarize -n 2 --ratio 0.5 "$TMP/a.txt"
expect_status "exit 64 for -n without a value" 64 digestd summarize -n
expect_status "exit 0 for --lang fr, --format json, --method lead" 0 \
	digestd summarize --lang fr --format json --method lead "$TMP/a.txt"
expect_status "exit 0 for --ratio 25%" 0 digestd summarize --ratio 25% "$TMP/a.txt"

digestd summarize "$TMP/a.txt" >"$TMP/sa" 2>/dev/null
digestd summarize "$TMP/b.txt" >"$TMP/sb" 2>/dev/null
{ cat "$TMP/sa"; echo; cat "$TMP/sb"; } >"$TMP/want_ab"

for missing in "$TMP/no-such-file" "$TMP"; do
	kind=$([ -d "$missing" ] && echo directory || echo "missing file")
	expect_status "exit 66 for a $kind among others" 66 \
		digestd summarize "$TMP/a.txt" "$missing" "$TMP/b.txt"
	if [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF -- "'$missing'" "$TMP/err"; then
		pass "one-line message naming the $kind"
	else
		fail "one-line message naming the $kind" "$(cat "$TMP/err")"
	fi
	expect_same "the other files still summarised, in order ($kind)" "$TMP/out" "$TMP/want_ab"
done

# --- text output -------------------------------------------------------------
for n in 1 3 5; do
	digestd summarize -n "$n" "$TMP/a.txt" >"$TMP/out" 2>"$TMP/err"
	lines=$(wc -l <"$TMP/out")
	if [ "$lines" -eq "$n" ] && ! grep -q '^$' "$TMP/out"; then
		pass "-n $n prints $n lines"
	else
		fail "-n $n prints $n lines" "got $lines lines" "$(cat "$TMP/out")"
	fi
done

digestd summarize "$TMP/a.txt" "$TMP/b.txt" >"$TMP/out" 2>"$TMP/err"
expect_same "a blank line between files" "$TMP/out" "$TMP/want_ab"

# Each line, found in the whitespace-collapsed input, comes after the last.
order_check='
import re, sys
text = re.sub(r"\s+", " ", open(sys.argv[1], encoding="utf-8").read())
pos = -1
for line in open(sys.argv[2], encoding="utf-8").read().splitlines():
    at = text.find(line, pos + 1)
    if at <= pos:
        print("out of order or not in the input:", line)
        sys.exit(0)
    pos = at
print("ok")
'
for method in rank lead; do
	digestd summarize -n 6 --method "$method" "$TMP/a.txt" >"$TMP/out" 2>"$TMP/err"
	got=$(py "$order_check" "$TMP/a.txt" "$TMP/out")
	if [ "$got" = ok ]; then pass "--method $method: sentences in document order"; else
		fail "--method $method: sentences in document order" "$got"
	fi
done

digestd summarize -n 64 "$TMP/a.txt" >"$TMP/out" 2>"$TMP/err"
if grep -q "$(printf '[\t]')" "$TMP/out" || grep -q '  ' "$TMP/out"; then
	fail "whitespace runs collapsed" "$(grep -n "$(printf '[\t]')\|  " "$TMP/out")"
else
	pass "whitespace runs collapsed"
fi
if grep -q 'Cyclists can take a free ferry across' "$TMP/out"; then
	pass "the sentence with a tab and space runs is printed collapsed"
else
	fail "the sentence with a tab and space runs is printed collapsed" "$(cat "$TMP/out")"
fi
if grep -qi 'harbour bridge closes\|^Title\|^URL\|^Lang' "$TMP/out"; then
	fail "the title and header are never output" "$(cat "$TMP/out")"
else
	pass "the title and header are never output"
fi
# A title line longer than the header's 4 KiB scan is still all title.
py 'import sys; sys.stdout.write("Title: " + "Longword headline " * 300 + "\n\nThe body starts here today. It has a second sentence too.\n")' >"$TMP/longtitle"
digestd summarize -n 5 "$TMP/longtitle" >"$TMP/out" 2>"$TMP/err"
if grep -q 'Longword' "$TMP/out"; then
	fail "a 5 KB title line is never output" "$(cut -c 1-100 "$TMP/out")"
else
	pass "a 5 KB title line is never output"
fi
# With every sentence asked for, the body is printed in full, in order.
digestd summarize -n 64 "$TMP/b.txt" >"$TMP/out" 2>"$TMP/err"
if [ "$(wc -l <"$TMP/out")" -eq 6 ] &&
	[ "$(tr '\n' ' ' <"$TMP/out" | sed 's/ $//')" = "$(tr -s ' \n' '  ' <"$TMP/b.txt" | sed 's/ $//')" ]; then
	pass "-n 64 on a 6-sentence article prints all 6 in order"
else
	fail "-n 64 on a 6-sentence article prints all 6 in order" "$(cat "$TMP/out")"
fi

# --- JSON output -------------------------------------------------------------
json_check='
import json, math, re, sys
mode = sys.argv[1]
files = sys.argv[2:]
lines = sys.stdin.read().splitlines()
objs = [json.loads(l) for l in lines]
if len(objs) != len(files):
    print("%d objects for %d files" % (len(objs), len(files))); sys.exit(0)
keys = {"file", "title", "lang", "sentences", "bytes", "truncated", "joined", "passed",
        "summary"}
pkeys = {"index", "offset", "length", "words", "score", "text"}
for o, name in zip(objs, files):
    if set(o) != keys:
        print("keys", sorted(o)); sys.exit(0)
    if o["file"] != name:
        print("file", o["file"]); sys.exit(0)
    data = open(name, "rb").read() if name != "-" else None
    if data is not None and o["bytes"] != len(data):
        print("bytes", o["bytes"], len(data)); sys.exit(0)
    if not isinstance(o["truncated"], bool) or not isinstance(o["sentences"], int):
        print("types"); sys.exit(0)
    last = -1
    for p in o["summary"]:
        if set(p) != pkeys or not 0 <= p["score"] <= 1:
            print("pick", p); sys.exit(0)
        if p["index"] <= last or p["index"] >= o["sentences"]:
            print("index", p["index"]); sys.exit(0)
        last = p["index"]
        if data is not None:
            raw = data[p["offset"]:p["offset"] + p["length"]].decode("utf-8", "replace")
            if re.sub(r"\s+", " ", raw) != p["text"]:
                print("offset/length do not match text:", repr(raw), repr(p["text"])); sys.exit(0)
    if mode.startswith("ratio="):
        want = min(math.ceil(float(mode[6:]) * o["sentences"] - 1e-9), 64)
        if len(o["summary"]) != max(want, 1 if o["sentences"] else 0):
            print("ratio: %d picks of %d sentences" % (len(o["summary"]), o["sentences"])); sys.exit(0)
    if mode.startswith("words="):
        # The budget holds, and no left-out sentence would have fitted too
        # (the words of one are found by --method lead --ratio 1 in all=).
        budget, count = (int(x) for x in mode[6:].split(","))
        used = sum(p["words"] for p in o["summary"])
        if used > budget or len(o["summary"]) > count:
            print("words: %d words in %d picks" % (used, len(o["summary"]))); sys.exit(0)
        if not o["summary"] or any(p["words"] < 1 for p in o["summary"]):
            print("words: no pick or a pick without words"); sys.exit(0)
    if mode.startswith("n="):
        if len(o["summary"]) != min(int(mode[2:]), o["sentences"]):
            print("n: %d picks" % len(o["summary"])); sys.exit(0)
    if mode == "title" and o["title"] != "Harbour bridge closes for repairs after storm damage":
        print("title", o["title"]); sys.exit(0)
print("ok")
'
# json_ok NAME MODE OPTIONS FILE...: digestd's JSON for the files, with the
# options (one word-split string), passes json_check in MODE.
json_ok() {
	name=$1 mode=$2 opts=$3
	shift 3
	# shellcheck disable=SC2086
	digestd summarize --format json $opts "$@" >"$TMP/out" 2>"$TMP/err"
	got=$(py "$json_check" "$mode" "$@" <"$TMP/out" 2>&1)
	if [ "$got" = ok ]; then pass "$name"; else fail "$name" "$got" "$(head -c 300 "$TMP/out")"; fi
}
digestd summarize --format json "$TMP/a.txt" "$TMP/b.txt" >"$TMP/out" 2>"$TMP/err"
if py 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$TMP/out"; then
	pass "JSON output parses, one object per line"
else
	fail "JSON output parses, one object per line" "$(head -c 300 "$TMP/out")"
fi
json_ok "JSON fields, title from the header" title "" "$TMP/a.txt"
json_ok "JSON for two files: fields, offsets match the input bytes" any "" "$TMP/a.txt" "$TMP/b.txt"
json_ok "JSON -n 5: offsets and lengths point at the text" n=5 "-n 5" "$TMP/a.txt"
json_ok "JSON -n 64: every sentence's offset and length" n=64 "-n 64" "$TMP/a.txt"
json_ok "JSON --method lead -n 4: offsets and lengths" n=4 "--method lead -n 4" "$TMP/a.txt"
for r in 0.1 0.3 0.5 1; do
	json_ok "--ratio $r gives ceil(ratio * sentences)" "ratio=$r" "--ratio $r" "$TMP/a.txt"
done
json_ok "--ratio 30% gives ceil(0.3 * sentences)" ratio=0.3 "--ratio 30%" "$TMP/a.txt"
for w in 15 40 120; do
	json_ok "--words $w: whole sentences, $w words at most" "words=$w,64" "--words $w" "$TMP/a.txt"
	json_ok "--method lead --words $w -n 2" "words=$w,2" "--method lead -n 2 --words $w" "$TMP/a.txt"
done
# With a budget of all the words, --words alone takes every sentence.
all=$(digestd summarize --format json --method lead --ratio 1 "$TMP/a.txt" |
	py 'import json,sys; d=json.load(sys.stdin); print(sum(p["words"] for p in d["summary"]), d["sentences"])')
json_ok "--words with every word takes every sentence" "n=${all#* }" "--words ${all% *}" "$TMP/a.txt"
json_ok "--words one short of that leaves a sentence out" "words=$((${all% *} - 1)),$((${all#* } - 1))" \
	"--words $((${all% *} - 1))" "$TMP/a.txt"

# --- stdin and determinism ---------------------------------------------------
digestd summarize - <"$TMP/a.txt" >"$TMP/out" 2>"$TMP/err"
expect_same "'-' reads stdin" "$TMP/out" "$TMP/sa"
digestd summarize <"$TMP/a.txt" >"$TMP/out" 2>"$TMP/err"
expect_same "no file reads stdin" "$TMP/out" "$TMP/sa"
digestd summarize "$TMP/a.txt" >"$TMP/out" 2>"$TMP/err"
expect_same "same output twice" "$TMP/out" "$TMP/sa"
digestd summarize --format json "$TMP/a.txt" "$TMP/b.txt" >"$TMP/j1" 2>/dev/null
digestd summarize --format json "$TMP/a.txt" "$TMP/b.txt" >"$TMP/j2" 2>/dev/null
expect_same "same JSON twice" "$TMP/j2" "$TMP/j1"

# --- hostile input -----------------------------------------------------------
# robust NAME FILE [FORMATS]: digestd must finish within 60 s with status 0,
# in text and JSON (or FORMATS), printing valid UTF-8 without NUL or CR.
utf8_ok='import sys; d = sys.stdin.buffer.read(); d.decode("utf-8"); assert b"\0" not in d and b"\r" not in d'
robust() {
	name=$1 file=$2 formats=${3:-text json}
	for fmt in $formats; do
		# shellcheck disable=SC2086
		timeout 60 $TEST_WRAPPER "$DIGESTD" summarize --format "$fmt" "$file" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			fail "$name ($fmt): exit 0 within 60 s" "exit $rc" "$(head -c 300 "$TMP/err")"
			continue
		fi
		if ! py "$utf8_ok" <"$TMP/out" 2>"$TMP/perr"; then
			fail "$name ($fmt): valid UTF-8, no NUL, no CR" "$(tail -n 1 "$TMP/perr")"
			continue
		fi
		if [ "$fmt" = json ] && ! py 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$TMP/out"; then
			fail "$name (json): parses" "$(head -c 300 "$TMP/out")"
			continue
		fi
		pass "$name ($fmt): exit 0, valid output"
	done
}

printf 'Bad bytes \377\376 here. A cut \342\202 sequence and a stray \200 byte. Overlong \300\257 too.\nLast one ends in \360\237' >"$TMP/invalid"
robust "invalid UTF-8" "$TMP/invalid"
printf 'A NUL\000 in the middle of a sentence. Another\000\000 one follows here. End.\000' >"$TMP/nul"
robust "NUL bytes" "$TMP/nul"
printf 'Title: A CRLF article\r\n\r\nFirst sentence of the body.\r\nSecond sentence, same paragraph.\r\n\r\nA new paragraph starts here. It ends here.\r\n' >"$TMP/crlf"
robust "CRLF line ends" "$TMP/crlf"
: >"$TMP/empty"
robust "empty input" "$TMP/empty"
digestd summarize "$TMP/empty" >"$TMP/out" 2>"$TMP/err"
if [ ! -s "$TMP/out" ]; then pass "empty input: no text output"; else
	fail "empty input: no text output" "$(head -c 200 "$TMP/out")"
fi
digestd summarize --format json "$TMP/empty" >"$TMP/out" 2>"$TMP/err"
got=$(py 'import json,sys; o = json.loads(sys.stdin.read()); print(o["summary"] == [] and o["sentences"] == 0 and o["bytes"] == 0)' <"$TMP/out" 2>&1)
if [ "$got" = True ]; then pass "empty input: empty JSON summary"; else
	fail "empty input: empty JSON summary" "$got"
fi

py 'import sys; sys.stdout.write(" ".join(["words without any punctuation at all"] * 3000))' >"$TMP/nopunct"
robust "text without punctuation" "$TMP/nopunct"
digestd summarize -n 3 "$TMP/nopunct" >"$TMP/out" 2>"$TMP/err"
if [ "$(wc -l <"$TMP/out")" -eq 3 ] && [ "$(wc -L <"$TMP/out")" -le 1100 ]; then
	pass "text without punctuation: 3 pieces of bounded length"
else
	fail "text without punctuation: 3 pieces of bounded length" "$(wc -lL <"$TMP/out")"
fi

head -c 15000000 /dev/urandom | base64 -w0 >"$TMP/oneline"
robust "one 20 MB line" "$TMP/oneline"
rm -f "$TMP/oneline"

# Runs of sentence punctuation (dot leaders, "!!!!") must not be quadratic.
# The run fits in the window: one that reaches its end is cut there.
py 'import sys; sys.stdout.write("Wait" + "." * 200000 + "x and more.")' >"$TMP/dots"
robust "a 200 KB run of full stops" "$TMP/dots" text
rm -f "$TMP/dots"

py '
import sys
para = ("The council met again on Tuesday to discuss the budget. Members argued for hours. "
        "No decision was taken, and the vote moved to next week.\n\n")
sys.stdout.write(para * (50 * 1024 * 1024 // len(para) + 1))' >"$TMP/big"
size=$(wc -c <"$TMP/big")
# A real pipe (not a redirected file) is the point here.
# shellcheck disable=SC2002,SC2086
cat "$TMP/big" | timeout 60 $TEST_WRAPPER "$DIGESTD" summarize --format json - >"$TMP/out" 2>"$TMP/err"
rc=$?
got=$(py 'import json,sys; o = json.loads(sys.stdin.read()); print(o["bytes"], o["truncated"], len(o["summary"]))' <"$TMP/out" 2>&1)
if [ $rc -eq 0 ] && [ "$got" = "$size True 3" ]; then
	pass "50 MB through a pipe: exit 0, all bytes counted, truncated, 3 picks"
else
	fail "50 MB through a pipe: exit 0, all bytes counted, truncated, 3 picks" "exit $rc" "$got"
fi
rm -f "$TMP/big"

# --format features: every sentence with the scorer's inputs, the same
# sentences and the same first-scan scores as the ranked summary.
$TEST_WRAPPER "$DIGESTD" summarize --format features "$TMP/a.txt" >"$TMP/feat" 2>"$TMP/err"
rc=$?
$TEST_WRAPPER "$DIGESTD" summarize --format json -n 3 "$TMP/a.txt" >"$TMP/sum" 2>>"$TMP/err"
got=$(py '
import json, sys
f = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[2]))
sents = f["sentences"]
ok = len(sents) == s["sentences"] and [x["index"] for x in sents] == list(range(len(sents)))
for p in s["summary"]:
    ok &= sents[p["index"]]["text"] == p["text"] and sents[p["index"]]["words"] == p["words"]
best = max(x["score"] for x in sents)
ok &= any(sents[p["index"]]["score"] == best for p in s["summary"])
print("ok" if ok else "bad")' "$TMP/feat" "$TMP/sum" 2>&1)
if [ $rc -eq 0 ] && [ "$got" = "ok" ]; then
	pass "--format features: every sentence, the picks' texts and words, the best score picked"
else
	fail "--format features: every sentence, the picks' texts and words, the best score picked" \
		"exit $rc" "$got" "$(cat "$TMP/err")"
fi

# --- digestd --help names what summarize takes ----------------------------
# Its own usage (on a bad option) is the reference; the command list of
# `digestd --help` once lacked --words, --method and features.
digestd summarize --bogus >/dev/null 2>"$TMP/usage"
digestd --help >"$TMP/help"
sed -n '/^  summarize /,/^  [a-z]/p' "$TMP/help" >"$TMP/help-summ"
missing=
for w in $(sed -n '/^usage:/,$p' "$TMP/usage" | grep -o -- '-[-a-z]*\|[a-z][a-z]*' |
	   grep -v '^usage$\|^digestd$\|^summarize$' | sort -u); do
	grep -q -- "$w" "$TMP/help-summ" || missing="$missing $w"
done
if [ -z "$missing" ]; then pass "digestd --help: summarize's options as its own usage says"; else
	fail "digestd --help: summarize's options as its own usage says" "missing:$missing" \
		"$(cat "$TMP/help-summ")"
fi
