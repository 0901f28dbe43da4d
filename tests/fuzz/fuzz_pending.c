/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the pending-list file reader. Byte 0 bit 0 asks for the
 * checksum to be fixed first (so that inputs reach the record checks); the
 * rest is the file (version 1, 2 with story fingerprints, 3 with text keys).
 * A list that loads must give back every article, text key and fingerprint
 * (stems within STORY_PRINT_TERMS, hashes rising, finite non-negative
 * weights), copy into a second list byte for byte, and survive shifting
 * and dropping. */
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "digest/pending.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pending p, q;
static unsigned char img[PENDING_HEADER_BYTES + RUN_PENDING_MAX * PENDING_RECORD_BYTES + 4 +
			 DIGEST_MAX_PROBLEMS * PENDING_PROBLEM_BYTES + RUN_PENDING_BYTES];

static struct story_print pr, qr;

/* Article i's fingerprint, read back: stems within STORY_PRINT_TERMS,
 * hashes rising, finite non-negative weights. Returns pending_print's. */
static int check_print(const struct pending *l, unsigned i, struct story_print *out)
{
	int rc = pending_print(l, i, out);

	if (rc == 0 ? l->item[i].n_print != out->n :
		      rc != -ENOENT || l->item[i].n_print != PENDING_NO_PRINT || out->n)
		abort();
	if (out->n > STORY_PRINT_TERMS)
		abort();
	for (uint32_t t = 0; t < out->n; t++)
		if (!out->hash[t] || (t && out->hash[t - 1] >= out->hash[t]) ||
		    !isfinite(out->weight[t]) || out->weight[t] < 0.0f)
			abort();
	return rc;
}

static void fix_checksum(unsigned char *b, size_t n)
{
	mbedtls_sha256_context c;

	mbedtls_sha256_init(&c);
#if MBEDTLS_VERSION_MAJOR < 3
	mbedtls_sha256_starts_ret(&c, 0);
	mbedtls_sha256_update_ret(&c, b, 88);
	mbedtls_sha256_update_ret(&c, b + PENDING_HEADER_BYTES, n - PENDING_HEADER_BYTES);
	mbedtls_sha256_finish_ret(&c, b + 88);
#else
	mbedtls_sha256_starts(&c, 0);
	mbedtls_sha256_update(&c, b, 88);
	mbedtls_sha256_update(&c, b + PENDING_HEADER_BYTES, n - PENDING_HEADER_BYTES);
	mbedtls_sha256_finish(&c, b + 88);
#endif
	mbedtls_sha256_free(&c);
}

static int odd_key(const unsigned char *key, void *arg)
{
	(void)arg;
	return key[0] & 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article a;
	size_t n;

	if (size < 1 || size - 1 > sizeof(img))
		return 0;
	n = size - 1;
	memcpy(img, data + 1, n);
	if ((data[0] & 1) && n >= PENDING_HEADER_BYTES)
		fix_checksum(img, n);
	if (pending_parse(&p, img, n) != 0) {
		if (p.n != 0 || p.used != 0 || p.inflight != 0 || p.n_problems != 0)
			abort();
		return 0;
	}
	if (p.inflight > p.n || p.used > RUN_PENDING_BYTES || p.n_problems > DIGEST_MAX_PROBLEMS ||
	    (p.n_problems && !p.inflight))
		abort();
	for (unsigned i = 0; i < p.n_problems; i++)
		if (!p.problem[i].source[0] || strnlen(p.problem[i].source, CFG_SOURCE_NAME_BYTES) ==
						       CFG_SOURCE_NAME_BYTES ||
		    strnlen(p.problem[i].error, SRCSTATE_ERROR_BYTES) == SRCSTATE_ERROR_BYTES)
			abort();
	pending_init(&q);
	for (unsigned i = 0; i < p.n; i++) {
		int rc = check_print(&p, i, &pr);

		pending_get(&p, i, &a, spans);
		if (pending_add(&q, p.item[i].key, pending_text_key(&p, i), &a,
				rc == 0 ? &pr : NULL) != 0)
			abort();
		if (memcmp(q.item[i].text_key, p.item[i].text_key, SEEN_KEY_BYTES) != 0)
			abort();
		if (check_print(&q, i, &qr) != rc || qr.n != pr.n ||
		    memcmp(qr.hash, pr.hash, pr.n * 4) != 0 || memcmp(qr.weight, pr.weight, pr.n * 4) != 0)
			abort();
	}
	if (q.n != p.n || q.used != p.used || memcmp(q.arena, p.arena, p.used) != 0)
		abort();
	pending_drop_if(&q, odd_key, NULL);
	for (unsigned i = 0; i < q.n; i++) {
		pending_get(&q, i, &a, spans);
		if (q.item[i].key[0] & 1)
			abort();
	}
	pending_shift(&p, p.n / 2 + 1);
	for (unsigned i = 0; i < p.n; i++)
		pending_get(&p, i, &a, spans);
	return 0;
}
