#!/bin/sh
# SPDX-License-Identifier: MIT
# firmware/digestd.service: systemd-analyze rates its sandbox at an overall
# exposure of 1.5 or lower (skipped where systemd-analyze is missing), and it
# keeps the settings digestd relies on.
. tests/cli/lib.sh

unit=firmware/digestd.service
for line in 'Type=notify' 'ExecStart=/usr/bin/digestd run --config /etc/digestd/digestd.ini' \
	'ExecReload=/bin/kill -HUP $MAINPID' 'DynamicUser=yes' 'StateDirectory=digestd' \
	'LoadCredential=signing-key:/etc/digestd/signing-key' 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'; do
	if grep -qxF "$line" "$unit"; then pass "unit: $line"; else fail "unit: $line" "not in $unit"; fi
done
for key in WatchdogSec MemoryMax Restart; do
	expect_grep "unit sets $key" "^$key=." "$unit"
done
# The daemon's memory bound (src/core/limits.h, docs/daemon.md) is checked at
# compile time against RUN_MEMORY_MAX_BYTES: the unit must say the same.
limit=$(sed -n 's/^#define RUN_MEMORY_MAX_BYTES (\([0-9]*\)u \* 1024u \* 1024u).*/\1/p' src/core/limits.h)
if [ -n "$limit" ] && grep -qx "MemoryMax=${limit}M" "$unit"; then
	pass "unit: MemoryMax=${limit}M, the limit the memory bound is checked against"
else
	fail "unit: MemoryMax is the limit the memory bound is checked against" \
		"limits.h RUN_MEMORY_MAX_BYTES: '${limit}' MiB; unit: $(grep '^MemoryMax=' "$unit")"
fi
# libcurl's threaded resolver runs one thread per name lookup in progress,
# and a lookup abandoned at a transfer's deadline keeps its thread until
# getaddrinfo returns: the main thread plus two per transfer slot
# (NET_MAX_TRANSFERS in limits.h) must fit TasksMax, or a lookup fails.
slots=$(sed -n 's/^#define NET_MAX_TRANSFERS \([0-9]*\)u$/\1/p' src/core/limits.h)
tasks=$(sed -n 's/^TasksMax=\([0-9]*\)$/\1/p' "$unit")
if [ -n "$slots" ] && [ -n "$tasks" ] && [ "$tasks" -ge $((2 * slots + 1)) ]; then
	pass "unit: TasksMax=$tasks holds the main thread and 2 x $slots resolver threads"
else
	fail "unit: TasksMax holds the main thread and 2 x NET_MAX_TRANSFERS resolver threads" \
		"NET_MAX_TRANSFERS: '$slots'; unit: $(grep '^TasksMax=' "$unit")"
fi
# Ordered after time-sync.target (the clock is at least at its last save,
# or set by NTP where systemd-time-wait-sync is enabled), but never pulling
# it in: a board without network must still start digestd.
if grep -qE '^After=.*[= ]time-sync\.target( |$)' "$unit" &&
	! grep -qE '^(Wants|Requires|Requisite|BindsTo|Upholds)=.*time-sync\.target' "$unit"; then
	pass "unit: ordered after time-sync.target without requiring it"
else
	fail "unit: ordered after time-sync.target without requiring it" "$(grep -E '^(After|Wants|Requires)=' "$unit")"
fi
# The example config names the credential the unit loads.
expect_grep "digestd.ini reads the unit's credential" '^signing_key_file = signing-key$' config/digestd.ini

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is missing: unit exposure not measured"
	exit 0
fi
# --offline needs a unit file name ending in .service; the binary need not exist.
systemd-analyze security --offline=true "$unit" >"$TMP/sec" 2>&1
score=$(sed -n 's/.*Overall exposure level for digestd.service: \([0-9.]*\).*/\1/p' "$TMP/sec")
if [ -z "$score" ]; then
	fail "systemd-analyze security rates the unit" "$(tail -n 5 "$TMP/sec")"
elif awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }'; then
	pass "unit exposure $score <= 1.5"
else
	fail "unit exposure $score <= 1.5" "$(grep '✗' "$TMP/sec" | head -n 20)"
fi
