/* SPDX-License-Identifier: MIT */
/* Standard Webhooks signatures: the signing key, signing a delivery and
 * verifying one. Owns the key bytes; never logs them or the body. */
#ifndef DIGESTD_SIGN_H
#define DIGESTD_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

/* "v1," + base64 of a 32-byte HMAC-SHA256 + NUL. */
#define SIGN_HEADER_BYTES 48u

struct sign_key {
	unsigned char bytes[SIGN_KEY_MAX_BYTES];
	size_t len;
};

/* Reads a key file holding "whsec_<base64>" or plain "<base64>" (standard
 * alphabet with padding); trailing whitespace and newlines are ignored. Raw
 * binary keys are refused: a raw key that happens to be valid base64 would
 * silently become a different key. The decoded key must be 24 to 64 bytes.
 * Returns 0, or a negative errno after logging a message naming the file:
 * -ENOENT/-EACCES/... (cannot read), -EINVAL (bad content), -EFBIG. Blocks on
 * file I/O only. For tools: the daemon opens its key with cfg_secret_open
 * and reads it with sign_key_read. */
int sign_key_load(const char *path, struct sign_key *key);

/* The same from fd, open for reading at the start of the file; path names
 * it in messages. The caller closes fd. */
int sign_key_read(int fd, const char *path, struct sign_key *key);

/* Decodes key text already in memory, with the same rules; silent.
 * Returns 0 or -EINVAL. */
int sign_key_parse(const char *text, size_t len, struct sign_key *key);

/* Wipes the key bytes. */
void sign_key_clear(struct sign_key *key);

/* Writes "v1,<base64(HMAC-SHA256(key, id "." ts "." body))>" and a NUL to
 * out (SIGN_HEADER_BYTES are enough). ts is Unix seconds, >= 0. body may be
 * NULL when len is 0. Returns 0, -EINVAL (bad arguments), -ENOSPC (out too
 * small) or -EIO (mbedtls failure). Never blocks. */
int sign_webhook(const struct sign_key *k, const char *id, int64_t ts, const void *body,
		 size_t len, char *out, size_t size);

/* Checks a delivery: ts_header must be decimal Unix seconds within
 * `tolerance` seconds of `now`, and one of the space-separated entries of
 * sig_header must be a "v1,<base64>" signature matching the body (entries of
 * other versions are skipped; comparison is constant-time). The timestamp is
 * checked first, as the reference libraries do. Returns 0 (valid), -EPERM (no
 * matching signature), -ERANGE (timestamp outside the window) or -EINVAL
 * (missing or malformed id, timestamp or header). Never blocks. */
int sign_verify(const struct sign_key *k, const char *id, const char *ts_header,
		const void *body, size_t len, const char *sig_header, int64_t now,
		int64_t tolerance);

#endif
