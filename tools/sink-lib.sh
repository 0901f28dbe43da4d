# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# Sourced by tools/run-demo.sh and tools/boot-test.sh: runs digest-sink in the
# background and stops it however the sourcing script ends.

sink_pid=

# sink_start BINARY READY_FILE LOG [SINK OPTIONS...]: starts the sink with
# --ready-file READY_FILE, its output in LOG, and waits up to 10 s for it to
# write its port there. Returns 1 when the sink exited instead (LOG says why).
sink_start() {
	sink_bin=$1
	sink_ready=$2
	sink_log=$3
	shift 3
	rm -f "$sink_ready"
	"$sink_bin" "$@" --ready-file "$sink_ready" >"$sink_log" 2>&1 &
	sink_pid=$!
	sink_wait=0
	while [ ! -s "$sink_ready" ]; do
		if ! kill -0 "$sink_pid" 2>/dev/null; then
			wait "$sink_pid" 2>/dev/null || true
			sink_pid=
			return 1
		fi
		sink_wait=$((sink_wait + 1))
		if [ $sink_wait -ge 100 ]; then
			echo "$0: digest-sink did not write $sink_ready within 10 s" >&2
			exit 1
		fi
		sleep 0.1
	done
}

sink_stop() {
	if [ -n "$sink_pid" ]; then
		kill "$sink_pid" 2>/dev/null || true
		wait "$sink_pid" 2>/dev/null || true
		sink_pid=
	fi
}

trap sink_stop EXIT
trap 'sink_stop; exit 130' INT TERM
