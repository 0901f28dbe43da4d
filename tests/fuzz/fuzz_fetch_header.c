/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the fetcher's response header lines (status line, ETag,
 * Last-Modified, Retry-After), which any server chooses, and the Retry-After
 * value: bounds, and nothing kept that could split a request header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const char *v, size_t size)
{
	const char *nul = memchr(v, '\0', size);

	if (!nul)
		abort();
	for (const char *p = v; p < nul; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

/* Input: header lines, each ended by '\n' (as libcurl hands them over). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t now = 1700000000;
	const char *p = (const char *)data, *end = p + size;
	struct fetch_headers h;
	int64_t until;

	memset(&h, 0, sizeof(h));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		fetch_header_line(&h, p, n);
		if (h.status < 0 || h.status >= 10000)
			abort();
		check_value(h.validators.etag, sizeof(h.validators.etag));
		check_value(h.validators.last_modified, sizeof(h.validators.last_modified));
		check_value(h.retry_after, sizeof(h.retry_after));
		p += n;
	}
	if (fetch_parse_retry_after(h.retry_after, strlen(h.retry_after), now, &until) == 0 &&
	    (until < now || until > now + FETCH_RETRY_AFTER_MAX))
		abort();
	/* The value alone, as any bytes. */
	if (fetch_parse_retry_after((const char *)data, size, now, &until) == 0 &&
	    (until < now || until > now + FETCH_RETRY_AFTER_MAX))
		abort();
	return 0;
}
