/* SPDX-License-Identifier: MIT */
/* SHA-256 wrappers: mbedtls 3 renamed the *_ret functions to the plain
 * names, and the seen-set and the pending list both need them. */
#include "sha256.h"

#include <mbedtls/version.h>

void sha256_start(mbedtls_sha256_context *c)
{
	mbedtls_sha256_init(c);
#if MBEDTLS_VERSION_MAJOR < 3
	mbedtls_sha256_starts_ret(c, 0);
#else
	mbedtls_sha256_starts(c, 0);
#endif
}

void sha256_update(mbedtls_sha256_context *c, const void *p, size_t n)
{
#if MBEDTLS_VERSION_MAJOR < 3
	mbedtls_sha256_update_ret(c, p, n);
#else
	mbedtls_sha256_update(c, p, n);
#endif
}

void sha256_finish(mbedtls_sha256_context *c, unsigned char out[32])
{
#if MBEDTLS_VERSION_MAJOR < 3
	mbedtls_sha256_finish_ret(c, out);
#else
	mbedtls_sha256_finish(c, out);
#endif
	mbedtls_sha256_free(c);
}

void sha256_once(const void *p, size_t n, unsigned char out[32])
{
	mbedtls_sha256_context c;

	sha256_start(&c);
	sha256_update(&c, p, n);
	sha256_finish(&c, out);
}

void sha256_hex(const unsigned char sum[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hex[sum[i] >> 4];
		out[2 * i + 1] = hex[sum[i] & 15];
	}
	out[64] = '\0';
}
