/* SPDX-License-Identifier: MIT */
/* The decimal reader: every digit is checked against the bound before it is
 * added, so no input, however long, overflows. */
#include "dec.h"

#include <errno.h>

int dec_read(const char *s, size_t len, uint64_t max, uint64_t *out, size_t *used)
{
	uint64_t v = 0;
	size_t i = 0;
	int over = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		/* Past max once, past it for good: the rest are still read. */
		if (over || d > max || v > (max - d) / 10)
			over = 1;
		else
			v = v * 10 + d;
	}
	if (used)
		*used = i;
	if (i == 0)
		return -EINVAL;
	*out = over ? max : v;
	return over ? -ERANGE : 0;
}

int dec_parse(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v;
	size_t used;
	int rc = dec_read(s, len, max, &v, &used);

	if (rc == -EINVAL || used != len)
		return -EINVAL;
	*out = v;
	return rc;
}

int dec_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
	int neg = len > 0 && s[0] == '-';
	uint64_t v, bound = neg ? (uint64_t)(min < 0 ? -min : 0) : (uint64_t)(max > 0 ? max : 0);
	int rc = dec_parse(s + neg, len - (size_t)neg, bound, &v);
	int64_t x;

	if (rc < 0)
		return rc;
	x = neg ? -(int64_t)v : (int64_t)v;
	if (x < min || x > max)
		return -ERANGE;
	*out = x;
	return 0;
}
