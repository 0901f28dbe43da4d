#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`: builds two small helpers (the arena's size from src/ headers; an
# RSS probe preloaded into digestd), then runs tools/bench.py. Missed targets
# are reported, never a failure.
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
# CFLAGS holds several flags: split on purpose.
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -Isrc -D_DEFAULT_SOURCE ${CFLAGS:--O2 -g} \
	-o "$build/bench-sizeof" "$build/bench-sizeof.c"

# Preloaded into digestd by the RSS part: at exit, copies /proc/self/status to
# $RSS_AT_EXIT so that anonymous and file-backed RSS can be told apart.
cat >"$build/bench-rss-at-exit.c" <<'EOF'
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((destructor)) static void rss_at_exit(void)
{
	char buf[4096];
	const char *path = getenv("RSS_AT_EXIT");
	ssize_t n = -1;
	int in, out;

	if (!path)
		return;
	in = open("/proc/self/status", O_RDONLY);
	if (in >= 0) {
		n = read(in, buf, sizeof(buf));
		close(in);
	}
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		return;
	if (n > 0 && write(out, buf, (size_t)n) != n)
		n = -1;
	close(out);
}
EOF
${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -O2 -shared -fPIC \
	-o "$build/bench-rss-at-exit.so" "$build/bench-rss-at-exit.c"

exec python3 tools/bench.py "$digestd" "$build/bench-sizeof" "$build/bench-rss-at-exit.so"
