/* SPDX-License-Identifier: MIT */
/* libFuzzer target: URL resolution and host extraction, the parsers that see
 * every link a feed gives: bounds, and an absolute URL resolves to itself. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: one byte choosing the output size, then "base\nref". */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char base[FEED_URL_BYTES], ref[FEED_URL_BYTES], out[FEED_URL_BYTES],
		again[FEED_URL_BYTES], host[256];
	const char *text = (const char *)data + 1, *nl;
	size_t out_size, len, blen;
	int rc;

	if (size < 1)
		return 0;
	out_size = 1 + data[0] * (sizeof(out) - 1) / 255;
	len = size - 1;
	nl = memchr(text, '\n', len);
	blen = nl ? (size_t)(nl - text) : 0;
	if (blen >= sizeof(base) || len - blen >= sizeof(ref))
		return 0;
	memcpy(base, text, blen);
	base[blen] = '\0';
	memcpy(ref, nl ? nl + 1 : text, nl ? len - blen - 1 : len);
	ref[nl ? len - blen - 1 : len] = '\0';

	if (url_scheme_len(text, len) > len)
		abort();
	rc = url_resolve(base, ref, out, out_size);
	if (rc == -ENOSPC) {
		if (out[0] != '\0')
			abort();
		return 0;
	}
	if (rc != 0 || memchr(out, '\0', out_size) == NULL)
		abort();
	/* An absolute ref comes out without dot segments, so it resolves to
	 * itself. (A relative ref keeps the base's path as RFC 3986 says, dot
	 * segments included, so its result need not.) */
	if (url_scheme_len(ref, strlen(ref)) > 0) {
		if (url_resolve("", out, again, sizeof(again)) != 0 || strcmp(out, again) != 0)
			abort();
	}
	if (url_host(out, host, sizeof(host)) == 0) {
		if (memchr(host, '\0', sizeof(host)) == NULL)
			abort();
		for (const char *p = host; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				abort();
		(void)url_host_is_loopback(host);
	}
	return 0;
}
