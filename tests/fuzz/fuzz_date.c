/* SPDX-License-Identifier: MIT */
/* libFuzzer target: date_parse over arbitrary bytes. A parsed date must
 * format as RFC 3339 and parse back to the same second. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t t, back;
	char out[21];

	if (date_parse((const char *)data, size, &t) != 0)
		return 0;
	if (date_format_rfc3339(t, out) != 0)
		return 0; /* a zone offset can move year 1 or 9999 out of range */
	if (strlen(out) != 20 || date_parse(out, 20, &back) != 0 || back != t)
		abort();
	return 0;
}
