/* SPDX-License-Identifier: MIT */
/* libFuzzer target: `digestd fetch`'s guess of feed or page from the first
 * bytes (BOMs, UTF-16, prologs, comments, DOCTYPE subsets, JSON): bounds,
 * one of the two answers, and a UTF-8 BOM in front changes nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char with_bom[3 + 65536];
	enum fetch_type t = fetch_guess_type((const char *)data, size);

	if (t != FETCH_FEED && t != FETCH_PAGE)
		abort();
	/* Only for input that has no BOM of its own (a second BOM is text) and
	 * is not UTF-16 without one ("<" and a NUL). */
	if (size <= sizeof(with_bom) - 3 && !(size >= 2 && (data[0] >= 0xef || data[0] == 0 ||
							   data[1] == 0))) {
		memcpy(with_bom, "\xEF\xBB\xBF", 3);
		memcpy(with_bom + 3, data, size);
		if (fetch_guess_type(with_bom, size + 3) != t)
			abort();
	}
	return 0;
}
