/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the empty-digest file reader (src/digest/pending.c).
 * A refused file leaves no digest; one that parses names a valid id and at
 * most CFG_MAX_ENDPOINTS distinct endpoints, each terminated within its
 * slot, free of ' ' and ']', and held; and at most DIGEST_MAX_PROBLEMS
 * distinct sources, none "", the same way. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest/pending.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pending_empty e;

	if (size > PENDING_EMPTY_FILE_BYTES)
		return 0;
	if (pending_empty_parse(&e, data, size) != 0) {
		if (e.id[0] || e.n)
			abort();
		return 0;
	}
	if (!digest_id_valid(e.id, strnlen(e.id, DIGEST_ID_BYTES)) || e.n > CFG_MAX_ENDPOINTS)
		abort();
	for (unsigned i = 0; i < e.n; i++) {
		size_t n = strnlen(e.name[i], CFG_SOURCE_NAME_BYTES);

		if (n == CFG_SOURCE_NAME_BYTES || memchr(e.name[i], ' ', n) ||
		    memchr(e.name[i], ']', n) || !pending_empty_holds(&e, e.name[i]))
			abort();
		for (unsigned j = 0; j < i; j++)
			if (strcmp(e.name[i], e.name[j]) == 0)
				abort();
	}
	if (e.n_listed > DIGEST_MAX_PROBLEMS)
		abort();
	for (unsigned i = 0; i < e.n_listed; i++) {
		size_t n = strnlen(e.listed[i], CFG_SOURCE_NAME_BYTES);

		if (n == 0 || n == CFG_SOURCE_NAME_BYTES || memchr(e.listed[i], ' ', n) ||
		    memchr(e.listed[i], ']', n))
			abort();
		for (unsigned j = 0; j < i; j++)
			if (strcmp(e.listed[i], e.listed[j]) == 0)
				abort();
	}
	return 0;
}
