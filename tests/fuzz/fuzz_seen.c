/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the seen-set file reader. Byte 0 picks the configured
 * capacity and whether to fix the checksum first (so that inputs reach the
 * ring and index code); the rest is the file. A loaded set must hold every
 * key it kept, and keep working as keys are added; its header must read
 * back through seen_peek (digestd status). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "digest/seen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct seen s;
static unsigned char img[1u << 20];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned capacity;
	size_t n;

	if (size < 1 || size - 1 > sizeof img)
		return 0;
	capacity = SEEN_MIN_CAPACITY + (data[0] >> 1);
	n = size - 1;
	memcpy(img, data + 1, n);
	if ((data[0] & 1) && n >= SEEN_HEADER_BYTES) {
#if MBEDTLS_VERSION_MAJOR < 3
		mbedtls_sha256_ret(img + SEEN_HEADER_BYTES, n - SEEN_HEADER_BYTES, img + 32, 0);
#else
		mbedtls_sha256(img + SEEN_HEADER_BYTES, n - SEEN_HEADER_BYTES, img + 32, 0);
#endif
	}
	/* status's look at the header: a file the loader takes must peek as
	 * its own fill. */
	{
		unsigned pc = 0, pcap = 0;
		const char *why = NULL;
		int peek = seen_peek(img, n, &pc, &pcap, &why);

		if ((peek != 0 && !why) || (peek == 0 && pc > pcap))
			abort();
	}
	if (seen_load_buffer(&s, img, n, capacity) != 0) {
		if (seen_count(&s) != 0)
			abort();
		return 0;
	}
	if (seen_count(&s) > capacity)
		abort();
	{
		unsigned pc = 0, pcap = 0;
		const char *why;

		if (seen_peek(img, n, &pc, &pcap, &why) != 0 || pc > pcap)
			abort();
	}
	for (unsigned i = 0; i < seen_count(&s); i++)
		if (!seen_contains(&s, s.key[i]))
			abort();
	for (unsigned i = 0; i < capacity + 3; i++) {
		unsigned char k[SEEN_KEY_BYTES];

		memset(k, 0, sizeof k);
		memcpy(k, &i, sizeof i);
		k[31] = 0xa5;
		seen_add(&s, k);
		if (!seen_contains(&s, k))
			abort();
	}
	if (seen_count(&s) != capacity)
		abort();
	return 0;
}
