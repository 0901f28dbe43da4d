# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# Sourced by tools/bench-daemon.sh and tools/bench-idle.sh: a temporary
# folder $tmp and the background processes listed in $pids, both cleaned up
# however the script ends, and wait_for.
tmp=$(mktemp -d)
pids=""
bench_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap bench_cleanup EXIT

# wait_for PATTERN FILE [SECONDS]: returns once PATTERN is in FILE; exits 1
# after SECONDS (default 30) without it.
wait_for() {
	n=$((${3:-30} * 10))
	until grep -q -- "$1" "$2" 2>/dev/null; do
		n=$((n - 1))
		[ $n -gt 0 ] || { echo "$(basename "$0" .sh): no '$1' in $2 within ${3:-30} s" >&2; exit 1; }
		sleep 0.1
	done
}
