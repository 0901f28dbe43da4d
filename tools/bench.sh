#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`: builds a tiny program printing the summariser arena's size from
# src/ headers, then runs tools/bench.py. Reports missed targets, never fails on them.
# Usage: tools/bench.sh BUILD/digestd   (from the repo root; CC and CFLAGS honoured)
set -eu
digestd=$1
build=$(dirname "$digestd")
for tool in python3 wc ots cat /usr/bin/time; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "bench: $tool is missing (make deps installs it)" >&2
		exit 1
	fi
done

# The arena's size as the compiler lays it out, without a CLI switch for it.
cat >"$build/bench-sizeof.c" <<'EOF'
#include <stdio.h>

#include "summarise/summ.h"

int main(void)
{
	struct summ s;

	printf("sizeof(struct summ) = %zu bytes (%.1f KiB): window %zu, term tables %zu,"
	       " sentences %zu, rest %zu\n",
	       sizeof(s), sizeof(s) / 1024.0, sizeof(s.window),
	       sizeof(s.tf) + sizeof(s.mark) + sizeof(s.term_flags), sizeof(s.sent),
	       sizeof(s) - sizeof(s.window) - sizeof(s.tf) - sizeof(s.mark) -
		       sizeof(s.term_flags) - sizeof(s.sent));
	return 0;
}
EOF
${CC:-cc} -std=c11 -Isrc -D_DEFAULT_SOURCE ${CFLAGS:--O2 -g} \
	-o "$build/bench-sizeof" "$build/bench-sizeof.c"

exec python3 tools/bench.py "$digestd" "$build/bench-sizeof"
