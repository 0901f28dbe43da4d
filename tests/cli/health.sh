#!/bin/sh
# SPDX-License-Identifier: MIT
# Feed health and the metrics file (issue 13), through `run --once` against
# digest-sink and tests/httpd.py: a feed failing problem_after times in a row
# is logged once and listed once under "problems" (a digest of problems
# alone is sent), not again while it keeps failing, and again after it
# recovered and failed anew; the metrics file, written after each cycle,
# is read back by tests/cli/prom_check.py.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles" "$TMP/feeds" "$TMP/prom"
start_sink 0 || exit 1
start_feeds "$TMP/feeds" || exit 1
FEED_URL="https://localhost:$FEED_PORT/feeds/health.xml" write_config "$TMP/w.ini"
# Backoff of 1 s, so that the runs below may poll the failing feed again.
sed -e "s|^log_level = .*|&\nproblem_after = 2\nmetrics_file = $TMP/prom/digestd.prom|" \
	-e 's|^min_host_delay = 0s|&\nbackoff_base = 1s\nbackoff_max = 1s|' "$TMP/w.ini" >"$TMP/d.ini"

# once N: run --once (a second after the last, past the backoff); its log
# in $TMP/once-N.log; the newest stored digest in $TMP/last.json.
once() {
	sleep 1.1
	digestd run --once --config "$TMP/d.ini" >"$TMP/once-$1.log" 2>&1
	RC=$?
	ls -t "$TMP"/store/*.json 2>/dev/null | head -n 1 | xargs -r cat >"$TMP/last.json"
}

# problems: the problems of the newest stored digest, "source failures error
# since" per line, since "recent" when it is a time of the last day (not its
# year, which a run across New Year would not match).
problems() {
	python3 -c 'import calendar,json,sys,time
for p in json.load(open(sys.argv[1])).get("problems", []):
    t = calendar.timegm(time.strptime(p["since"], "%Y-%m-%dT%H:%M:%SZ"))
    print(p["source"], p["failures"], p["error"],
          "recent" if -5 <= time.time() - t < 86400 else p["since"])' "$TMP/last.json"
}

cp seeds/001_*.txt "$TMP/articles/"
once 1
if [ "$(stored)" -eq 1 ] && [ -z "$(problems)" ]; then pass "1st failure: a digest without problems"; else
	fail "1st failure: a digest without problems" "$(stored) stored, problems: $(problems)" "$(tail -n 5 "$TMP/once-1.log")"; fi
if grep -q '"problems"' "$TMP/last.json"; then fail "no problems: no \"problems\" key"; else
	pass "no problems: no \"problems\" key"; fi

once 2
expect_grep "2nd failure: one warning" "source feed: 2 polls in a row failed" "$TMP/once-2.log"
if [ "$(stored)" -eq 2 ] && [ "$(problems)" = "feed 2 HTTP status 404 recent" ]; then
	pass "2nd failure: a digest of problems alone is sent, listing the feed"; else
	fail "2nd failure: a digest of problems alone is sent, listing the feed" "$(stored) stored, problems: '$(problems)'" "$(tail -n 5 "$TMP/once-2.log")"; fi

cp seeds/002_*.txt "$TMP/articles/"
once 3
if [ "$(stored)" -eq 3 ] && [ -z "$(problems)" ]; then pass "3rd failure: the problem is not listed again"; else
	fail "3rd failure: the problem is not listed again" "$(stored) stored, problems: '$(problems)'"; fi
if grep -q "polls in a row failed" "$TMP/once-3.log"; then fail "3rd failure: no second warning"; else
	pass "3rd failure: no second warning"; fi
once 4
if [ "$(stored)" -eq 3 ]; then pass "4th failure, nothing new: no digest"; else
	fail "4th failure, nothing new: no digest" "$(stored) stored" "$(tail -n 5 "$TMP/once-4.log")"; fi

# Recovery, then two failures anew: listed again.
rss_feed "$TMP/feeds/health.xml" alpha
once 5
if [ "$(stored)" -eq 4 ] && [ -z "$(problems)" ]; then pass "recovered: its article, no problem"; else
	fail "recovered: its article, no problem" "$(stored) stored, problems: '$(problems)'"; fi
rm "$TMP/feeds/health.xml"
once 6
once 7
if [ "$(stored)" -eq 5 ] && [ "$(problems)" = "feed 2 HTTP status 404 recent" ]; then
	pass "failed anew: listed again"; else
	fail "failed anew: listed again" "$(stored) stored, problems: '$(problems)'"; fi

# The metrics file of the last run.
prom=$TMP/prom/digestd.prom
if python3 tests/cli/prom_check.py "$prom" >"$TMP/samples"; then pass "metrics file: valid exposition format"; else
	fail "metrics file: valid exposition format" "$(cat "$TMP/samples")"; fi
expect_grep "metrics: the feed's failed poll of this run" '^digestd_source_poll_failures_total{source="feed"} 1$' "$TMP/samples"
expect_grep "metrics: its failures in a row" '^digestd_source_consecutive_failures{source="feed"} 2$' "$TMP/samples"
expect_grep "metrics: the folder source has its series" '^digestd_source_items_total{source="articles"} [0-9]' "$TMP/samples"
expect_grep "metrics: delivered" '^digestd_digests_delivered_total{} 1$' "$TMP/samples"
expect_grep "metrics: seen-set capacity" '^digestd_seen_capacity{} 4096$' "$TMP/samples"
if [ "$(ls -A "$TMP/prom")" = "digestd.prom" ]; then pass "metrics: no temporary file left"; else
	fail "metrics: no temporary file left" "$(ls -A "$TMP/prom")"; fi
# A folder that cannot be written: one warning, the run goes on.
sed "s|^metrics_file = .*|metrics_file = $TMP/nonexistent/digestd.prom|" "$TMP/d.ini" >"$TMP/e.ini"
digestd run --once --config "$TMP/e.ini" >"$TMP/once-e.log" 2>&1
RC=$?
if [ "$RC" -eq 0 ] && [ "$(grep -c "cannot write the metrics" "$TMP/once-e.log")" -eq 1 ]; then
	pass "metrics: an unwritable folder is one warning, exit 0"; else
	fail "metrics: an unwritable folder is one warning, exit 0" "exit $RC" "$(tail -n 4 "$TMP/once-e.log")"; fi

# A state file that cannot be saved (a folder, not empty, stands at its
# temporary name, which the save cannot remove, even as root; one at the
# file's own name would be set aside at its load): the feed's after its
# poll, the endpoint's after its answer. Each failure is one warning naming the file,
# counted in the metrics; the run goes on.
state_file() {
	python3 -c 'import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("source-%016x.state" % h)' "$1"
}
for n in feed endpoint:default; do
	mkdir -p "$TMP/state/$(state_file "$n").tmp/x"
done
cp seeds/003_*.txt "$TMP/articles/"
once 8
for n in feed endpoint:default; do
	f=$TMP/state/$(state_file "$n")
	if [ "$(grep -c "saving state: $f: " "$TMP/once-8.log")" -eq 1 ]; then
		pass "state of $n not saved: one warning naming the file"; else
		fail "state of $n not saved: one warning naming the file" "$(grep -c "saving state: $f: " "$TMP/once-8.log") warnings" "$(tail -n 5 "$TMP/once-8.log")"; fi
done
python3 tests/cli/prom_check.py "$prom" >"$TMP/samples" 2>&1
expect_grep "metrics: the two state files not saved are counted" '^digestd_state_save_failures_total{} 2$' "$TMP/samples"
if [ "$(stored)" -eq 6 ]; then pass "state not saved: the digest is delivered all the same"; else
	fail "state not saved: the digest is delivered all the same" "$(stored) stored" "$(tail -n 5 "$TMP/once-8.log")"; fi

# The mark of a problem told that cannot be saved (problems_told): the last
# write of the feed's state file in the run that lists it fails with
# ENOSPC (tests/fault/enospc.c, found by counting a first run from the same
# state): one warning naming the file, counted, and the problem listed
# again in the next digest (told twice rather than never). Not for a static
# musl build, which cannot preload the shim.
SHIM=$(cd "$(dirname "$BUILD/tests/libenospc.so")" 2>/dev/null && pwd)/libenospc.so
if [ "${TEST_LIBC:-glibc}" = musl ] || [ ! -f "$SHIM" ]; then
	echo "SKIP: health: the told mark's failed save needs the fault shim (glibc builds)"
	exit 0
fi
# fault_once N: once 9-N with call N on the state folder failing (0: count
# only); the counted calls in $TMP/points.N.
fault_once() {
	sleep 1.1
	asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	if [ -n "$TEST_WRAPPER" ]; then
		# shellcheck disable=SC2086
		DIGESTD_FAULT_DIR=$TMP/state DIGESTD_FAULT_AT=$1 DIGESTD_FAULT_LOG=$TMP/points.$1 \
			ASAN_OPTIONS=$asan $TEST_WRAPPER -E LD_PRELOAD="$SHIM" "$DIGESTD" run --once \
			--config "$TMP/d.ini" >"$TMP/once-9-$1.log" 2>&1
	else
		DIGESTD_FAULT_DIR=$TMP/state DIGESTD_FAULT_AT=$1 DIGESTD_FAULT_LOG=$TMP/points.$1 \
			ASAN_OPTIONS=$asan LD_PRELOAD="$SHIM" "$DIGESTD" run --once \
			--config "$TMP/d.ini" >"$TMP/once-9-$1.log" 2>&1
	fi
	ls -t "$TMP"/store/*.json 2>/dev/null | head -n 1 | xargs -r cat >"$TMP/last.json"
}
f=$(state_file feed)
for n in feed endpoint:default; do rm -rf "$TMP/state/$(state_file "$n")" "$TMP/state/$(state_file "$n").tmp"; done
once 9 # the feed's first failure of a new run
cp -a "$TMP/state" "$TMP/state.1"
fault_once 0
# Its last write: the mark, after the poll's own save.
at=$(grep " /$f" "$TMP/points.0" | tail -n 1 | cut -d' ' -f1)
if [ -n "$at" ] && [ "$(problems)" = "feed 2 HTTP status 404 recent" ]; then
	pass "told mark: the counting run lists the problem"; else
	fail "told mark: the counting run lists the problem" "point '$at', problems '$(problems)'" "$(tail -n 5 "$TMP/once-9-0.log")"; fi
rm -rf "$TMP/state" && cp -a "$TMP/state.1" "$TMP/state"
fault_once "$at"
if [ "$(grep -c "saving state: $TMP/state/$f: " "$TMP/once-9-$at.log")" -eq 1 ]; then
	pass "told mark not saved: one warning naming the file"; else
	fail "told mark not saved: one warning naming the file" "$(grep FAULT "$TMP/points.$at")" "$(tail -n 5 "$TMP/once-9-$at.log")"; fi
python3 tests/cli/prom_check.py "$prom" >"$TMP/samples" 2>&1
expect_grep "told mark not saved: counted" '^digestd_state_save_failures_total{} 1$' "$TMP/samples"
once 10
if [ "$(problems)" = "feed 3 HTTP status 404 recent" ]; then
	pass "told mark not saved: the problem is listed again in the next digest"; else
	fail "told mark not saved: the problem is listed again in the next digest" "problems '$(problems)'" "$(tail -n 5 "$TMP/once-10.log")"; fi
