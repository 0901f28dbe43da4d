/* SPDX-License-Identifier: MIT */
/* libFuzzer target: signing-key text and webhook signatures (src/push/sign):
 * accepted keys are 24..64 bytes, load the same from a file and round-trip
 * through base64; a signed delivery verifies, an altered one does not. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#include "push/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1700000000

/* Copies the next '\n'-terminated field (or the rest) with a NUL. */
static const char *field(const uint8_t **p, const uint8_t *end, char *out, size_t cap)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);

	if (n >= cap)
		n = cap - 1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p = nl ? nl + 1 : end;
	return out;
}

/* A key file holding text, rewritten for each key; removed at exit. */
static char key_path[] = "/tmp/fuzz_sign.XXXXXX";
static int key_fd = -1;

static void remove_key_file(void)
{
	unlink(key_path);
}

/* sign_key_load reads the same key from a file as sign_key_parse from
 * memory (only for accepted keys: a refused one is logged). */
static void check_key_file(const char *text, size_t len, const struct sign_key *k)
{
	struct sign_key loaded;

	if (key_fd < 0) {
		key_fd = mkstemp(key_path);
		if (key_fd < 0)
			abort();
		atexit(remove_key_file);
	}
	if (ftruncate(key_fd, 0) != 0 || pwrite(key_fd, text, len, 0) != (ssize_t)len)
		abort();
	if (sign_key_load(key_path, &loaded) != 0 || loaded.len != k->len ||
	    memcmp(loaded.bytes, k->bytes, k->len) != 0)
		abort();
	sign_key_clear(&loaded);
}

static void check_key_round_trip(const struct sign_key *k)
{
	static char text[SIGN_KEY_FILE_BYTES];
	struct sign_key again;
	size_t olen = 0;

	if (k->len < SIGN_KEY_MIN_BYTES || k->len > SIGN_KEY_MAX_BYTES)
		abort();
	memcpy(text, "whsec_", 6);
	if (mbedtls_base64_encode((unsigned char *)text + 6, sizeof text - 6, &olen, k->bytes,
				  k->len) != 0)
		abort();
	if (sign_key_parse(text, 6 + olen, &again) != 0 || again.len != k->len ||
	    memcmp(again.bytes, k->bytes, k->len) != 0)
		abort();
	if (sign_key_parse(text + 6, olen, &again) != 0 || again.len != k->len ||
	    memcmp(again.bytes, k->bytes, k->len) != 0)
		abort();
}

/* A match is only ever one of the header's space-separated entries. */
static void check_match_is_an_entry(const struct sign_key *k, const char *id, const char *ts,
				    const void *body, size_t len, const char *sig)
{
	char want[SIGN_HEADER_BYTES], *end;
	long long t = strtoll(ts, &end, 10);
	size_t n;
	const char *hit;

	if (sign_webhook(k, id, t, body, len, want, sizeof want) != 0)
		abort();
	n = strlen(want);
	for (hit = strstr(sig, want); hit; hit = strstr(hit + 1, want))
		if ((hit == sig || hit[-1] == ' ') && (hit[n] == ' ' || hit[n] == '\0'))
			return;
	abort();
}

static void check_signed_delivery(const struct sign_key *k, const char *id, unsigned char *body,
				  size_t len, int64_t tol)
{
	char sig[SIGN_HEADER_BYTES], hdr[3 * SIGN_HEADER_BYTES + 64], ts[24], old[24];

	if (sign_webhook(k, id, NOW, body, len, sig, sizeof sig) != 0 || strlen(sig) != 47 ||
	    memcmp(sig, "v1,", 3) != 0)
		abort();
	snprintf(ts, sizeof ts, "%d", NOW);
	snprintf(old, sizeof old, "%lld", (long long)(NOW - tol - 1));
	snprintf(hdr, sizeof hdr, "v0,x  v1,%.44s %s v2,y", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		 sig);
	if (sign_verify(k, id, ts, body, len, hdr, NOW, tol) != 0)
		abort();
	if (sign_verify(k, id, old, body, len, hdr, NOW, tol) != -ERANGE)
		abort();
	if (sign_verify(k, "x", ts, body, len, sig, NOW, tol) != (strcmp(id, "x") ? -EPERM : 0))
		abort();
	if (len) {
		body[len / 2] ^= 1;
		if (sign_verify(k, id, ts, body, len, sig, NOW, tol) != -EPERM)
			abort();
		body[len / 2] ^= 1;
	}
}

/* Input: a byte n, n bytes of key text, then "id\nts\nsignature\n" and the
 * body (the rest). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char fallback[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	static char id[256], ts[64], sig[SIGN_HEADER_MAX_BYTES + 64];
	static unsigned char body[64 * 1024];
	const uint8_t *p, *end = data + size;
	struct sign_key k;
	size_t klen, len;
	int64_t tol;
	int rc;

	if (size < 2)
		return 0;
	klen = data[0] < size - 1 ? data[0] : size - 1;
	tol = data[1] * 7;
	rc = sign_key_parse((const char *)data + 1, klen, &k);
	if (rc == 0) {
		check_key_round_trip(&k);
		check_key_file((const char *)data + 1, klen, &k);
	}
	else if (rc != -EINVAL || k.len != 0)
		abort();
	if (rc != 0 && sign_key_parse(fallback, sizeof fallback - 1, &k) != 0)
		abort();

	p = data + 1 + klen;
	field(&p, end, id, sizeof id);
	field(&p, end, ts, sizeof ts);
	field(&p, end, sig, sizeof sig);
	len = (size_t)(end - p) < sizeof body ? (size_t)(end - p) : sizeof body;
	memcpy(body, p, len);

	rc = sign_verify(&k, id, ts, body, len, sig, NOW, tol);
	if (rc != 0 && rc != -EPERM && rc != -ERANGE && rc != -EINVAL)
		abort();
	if (rc == 0)
		check_match_is_an_entry(&k, id, ts, body, len, sig);
	if (id[0])
		check_signed_delivery(&k, id, body, len, tol);
	sign_key_clear(&k);
	return 0;
}
