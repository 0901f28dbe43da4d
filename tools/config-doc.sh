#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerates the key reference in docs/config.md from the key table
# (src/core/cfg.def) via `digestd check-config --keys`; tests/cli/config.sh
# fails when the two differ. Usage: tools/config-doc.sh [DIGESTD]
set -eu
digestd=${1:-build/digestd}
doc=docs/config.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.keys"' EXIT
"$digestd" check-config --keys >"$tmp.keys"
awk -v keys="$tmp.keys" '
	/^<!-- keys:begin/ { print; while ((getline l < keys) > 0) print l; skip = 1; next }
	/^<!-- keys:end/ { skip = 0 }
	!skip { print }' "$doc" >"$tmp"
cat "$tmp" >"$doc"
