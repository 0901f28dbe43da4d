/* SPDX-License-Identifier: MIT */
/* SHA-256 through mbedtls, with one spelling for mbedtls 2 (the *_ret
 * functions) and 3. Never allocates; a context lives on the caller's stack. */
#ifndef DIGESTD_SHA256_H
#define DIGESTD_SHA256_H

#include <stddef.h>

#include <mbedtls/sha256.h>

void sha256_start(mbedtls_sha256_context *c);
void sha256_update(mbedtls_sha256_context *c, const void *p, size_t n);
/* Writes the digest and frees the context. */
void sha256_finish(mbedtls_sha256_context *c, unsigned char out[32]);
/* The digest of one buffer. */
void sha256_once(const void *p, size_t n, unsigned char out[32]);
/* A digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(const unsigned char sum[32], char out[65]);

#endif
