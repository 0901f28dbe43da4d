/* SPDX-License-Identifier: MIT */
/* libFuzzer target: what digestd keeps of a response header value a server
 * chose (ETag, Last-Modified, Content-Type; libcurl parses the headers):
 * bounds, and nothing kept that could split a request header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: values, each ended by '\n', kept into fields of the sizes net uses
 * and into a tiny one. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char etag[NET_ETAG_BYTES], date[NET_DATE_BYTES], ctype[NET_CTYPE_BYTES], tiny[4];
	char *const dst[] = { etag, date, ctype, tiny };
	const size_t sizes[] = { sizeof(etag), sizeof(date), sizeof(ctype), sizeof(tiny) };
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			int rc = net_keep_value(dst[i], sizes[i], p, n);
			size_t k = strnlen(dst[i], sizes[i]);

			if (k == sizes[i])
				abort(); /* not terminated */
			if (rc == 0 && (k != n || memcmp(dst[i], p, n) != 0))
				abort();
			if (rc != 0 && k != 0)
				abort();
			for (size_t j = 0; j < k; j++)
				if ((unsigned char)dst[i][j] < 0x20 || dst[i][j] == 0x7f)
					abort();
		}
		p += n + 1;
	}
	return 0;
}
