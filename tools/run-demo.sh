#!/bin/sh
# SPDX-License-Identifier: MIT
# `make run`: starts digest-sink with a fresh self-signed certificate and a
# fresh signing key, runs one cycle of digestd over seeds/ (config/demo.ini)
# pushing to it, shows the digest the sink received and stops the sink.
# Usage: tools/run-demo.sh BUILD/digestd   (from the repo root)
set -eu
digestd=${1:-build/digestd}
build=$(dirname "$digestd")
sink=$build/digest-sink
demo=build/demo
config=config/demo.ini
for f in "$digestd" "$sink"; do
	if [ ! -x "$f" ]; then
		echo "run-demo: $f is missing (make builds it)" >&2
		exit 1
	fi
done
command -v python3 >/dev/null 2>&1 || { echo "run-demo: python3 is missing (make deps)" >&2; exit 1; }

# A fresh demo every time: new key, new certificate, empty state and store,
# so that the seeds are digested again.
rm -rf "$demo/state" "$demo/store" "$demo/tls" "$demo/ready" "$demo/demo.ini" "$demo/signing-key"
mkdir -p "$demo"
sh tools/signing-key.sh "$demo/signing-key"

. tools/sink-lib.sh

# Port 8443 as config/demo.ini says; when it is taken, a free one and a copy
# of the effective config pointing at it (paths in it are absolute).
start_sink() {
	sink_start "$sink" "$demo/ready" "$demo/sink.log" --self-signed "$demo/tls" \
		--store "$demo/store" --signing-key "$demo/signing-key" --port "$1"
}
if ! start_sink 8443; then
	start_sink 0 || { cat "$demo/sink.log" >&2; exit 1; }
	port=$(cat "$demo/ready")
	echo "run-demo: port 8443 is taken; digest-sink listens on $port instead"
	"$digestd" check-config --config "$config" 2>/dev/null |
		sed -e "s|^url = https://localhost:8443/|url = https://localhost:$port/|" \
			-e 's|^\(signing_key_file\) = .* ; read from \(.*\)$|\1 = \2|' >"$demo/demo.ini"
	config=$demo/demo.ini
fi
echo "== digest-sink: $(head -n 1 "$demo/sink.log")"
echo "== digestd run --once --config $config"
rc=0
"$digestd" run --once --config "$config" || rc=$?
sink_stop
echo "== digest-sink log"
cat "$demo/sink.log"
found=0
for f in "$demo"/store/*.json; do
	[ -f "$f" ] || continue
	found=1
	echo "== received: $f"
	python3 -m json.tool --no-ensure-ascii "$f"
done
[ $found -eq 1 ] || echo "== no digest was received"
exit $rc
