/* SPDX-License-Identifier: MIT */
/* Standard Webhooks HMAC-SHA256 signing and verification through mbedtls.
 * The key stays in struct sign_key; stack copies are wiped; nothing here
 * logs key bytes, signatures of other parties or bodies. */
#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "core/dec.h"
#include "core/file.h"
#include "core/log.h"

#define MAC_BYTES 32u
/* Base64 of MAC_BYTES is 44 characters; longer entries cannot match. */
#define MAC_B64_CHARS 44u

static int is_b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Standard alphabet, padded to a multiple of 4, '=' only at the end. Checked
 * here because mbedtls_base64_decode also skips embedded whitespace. */
static int b64_valid(const char *s, size_t n)
{
	size_t pad = 0;

	if (n == 0 || n % 4 != 0)
		return 0;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (!is_b64_char((unsigned char)s[i]))
			return 0;
	return 1;
}

static int key_parse(const char *text, size_t len, struct sign_key *key, const char **why)
{
	unsigned char tmp[SIGN_KEY_FILE_BYTES];
	size_t olen = 0;
	int rc = -EINVAL;

	while (len && is_blank(text[len - 1]))
		len--;
	while (len && is_blank(*text)) {
		text++;
		len--;
	}
	if (len >= 6 && memcmp(text, "whsec_", 6) == 0) {
		text += 6;
		len -= 6;
	}
	if (len == 0) {
		*why = "no key in it";
		goto out;
	}
	if (!b64_valid(text, len)) {
		*why = "not base64 (expected whsec_<base64> or <base64>; raw keys are not accepted)";
		goto out;
	}
	if (mbedtls_base64_decode(tmp, sizeof(tmp), &olen, (const unsigned char *)text, len) != 0) {
		*why = "base64 does not decode";
		goto out;
	}
	if (olen < SIGN_KEY_MIN_BYTES || olen > SIGN_KEY_MAX_BYTES) {
		*why = "key must decode to 24..64 bytes";
		goto out;
	}
	memcpy(key->bytes, tmp, olen);
	key->len = olen;
	rc = 0;
out:
	mbedtls_platform_zeroize(tmp, sizeof(tmp));
	return rc;
}

int sign_key_parse(const char *text, size_t len, struct sign_key *key)
{
	const char *why = NULL;

	sign_key_clear(key);
	if (!text)
		return -EINVAL;
	return key_parse(text, len, key, &why);
}

int sign_key_read(int fd, const char *path, struct sign_key *key)
{
	char buf[SIGN_KEY_FILE_BYTES + 1];
	const char *why = NULL;
	size_t len = 0;
	int rc;

	sign_key_clear(key);
	rc = file_read_full(fd, buf, sizeof(buf), &len);
	if (rc < 0) {
		log_errx("signing key file %s: cannot read: %s", path, strerror(-rc));
		goto out;
	}
	if (len > SIGN_KEY_FILE_BYTES) {
		rc = -EFBIG;
		log_errx("signing key file %s: longer than %u bytes", path, SIGN_KEY_FILE_BYTES);
		goto out;
	}
	rc = key_parse(buf, len, key, &why);
	if (rc < 0)
		log_errx("signing key file %s: %s", path, why);
out:
	mbedtls_platform_zeroize(buf, sizeof(buf));
	return rc;
}

int sign_key_load(const char *path, struct sign_key *key)
{
	int fd, rc;

	sign_key_clear(key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		log_warn("signing key file %s", path);
		return rc;
	}
	rc = sign_key_read(fd, path, key);
	close(fd);
	return rc;
}

void sign_key_clear(struct sign_key *key)
{
	mbedtls_platform_zeroize(key->bytes, sizeof(key->bytes));
	key->len = 0;
}

static int hmac_update(mbedtls_md_context_t *ctx, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	return mbedtls_md_hmac_update(ctx, p, n) == 0 ? 0 : -EIO;
}

static int mac_compute(const struct sign_key *k, const char *id, int64_t ts, const void *body,
		       size_t len, unsigned char mac[MAC_BYTES])
{
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	char tsbuf[24];
	int n = snprintf(tsbuf, sizeof(tsbuf), "%lld", (long long)ts);
	int rc = -EIO;

	mbedtls_md_init(&ctx);
	if (!info || n < 0 || mbedtls_md_setup(&ctx, info, 1) != 0)
		goto out;
	if (mbedtls_md_hmac_starts(&ctx, k->bytes, k->len) != 0)
		goto out;
	if (hmac_update(&ctx, id, strlen(id)) < 0 || hmac_update(&ctx, ".", 1) < 0 ||
	    hmac_update(&ctx, tsbuf, (size_t)n) < 0 || hmac_update(&ctx, ".", 1) < 0 ||
	    hmac_update(&ctx, body, len) < 0)
		goto out;
	if (mbedtls_md_hmac_finish(&ctx, mac) != 0)
		goto out;
	rc = 0;
out:
	mbedtls_md_free(&ctx);
	return rc;
}

int sign_webhook(const struct sign_key *k, const char *id, int64_t ts, const void *body,
		 size_t len, char *out, size_t size)
{
	unsigned char mac[MAC_BYTES];
	size_t olen = 0;
	int rc;

	if (!k || k->len == 0 || !id || !*id || ts < 0 || (!body && len) || !out)
		return -EINVAL;
	if (size < SIGN_HEADER_BYTES)
		return -ENOSPC;
	rc = mac_compute(k, id, ts, body, len, mac);
	if (rc < 0)
		goto out;
	memcpy(out, "v1,", 3);
	if (mbedtls_base64_encode((unsigned char *)out + 3, size - 3, &olen, mac, sizeof(mac)) != 0) {
		rc = -EIO;
		goto out;
	}
	rc = 0;
out:
	mbedtls_platform_zeroize(mac, sizeof(mac));
	return rc;
}

static int ct_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	volatile unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* Overflow-free |now - ts| <= tolerance, with tolerance >= 0. */
static int in_window(int64_t now, int64_t ts, int64_t tolerance)
{
	uint64_t d = ts > now ? (uint64_t)ts - (uint64_t)now : (uint64_t)now - (uint64_t)ts;

	return d <= (uint64_t)tolerance;
}

int sign_verify(const struct sign_key *k, const char *id, const char *ts_header,
		const void *body, size_t len, const char *sig_header, int64_t now,
		int64_t tolerance)
{
	unsigned char mac[MAC_BYTES], got[MAC_BYTES + 4];
	const char *p;
	uint64_t v;
	int64_t ts;
	size_t hlen;
	int matched = 0, rc;

	if (!k || k->len == 0 || !id || !*id || !ts_header || !sig_header || (!body && len) ||
	    tolerance < 0)
		return -EINVAL;
	/* Digits only (no sign or spaces), within int64_t. */
	if (dec_parse(ts_header, strlen(ts_header), INT64_MAX, &v) != 0)
		return -EINVAL;
	ts = (int64_t)v;
	hlen = strnlen(sig_header, SIGN_HEADER_MAX_BYTES + 1);
	if (hlen == 0 || hlen > SIGN_HEADER_MAX_BYTES)
		return -EINVAL;
	if (!in_window(now, ts, tolerance))
		return -ERANGE;
	rc = mac_compute(k, id, ts, body, len, mac);
	if (rc < 0)
		goto out;
	p = sig_header;
	while (*p) {
		const char *end;
		size_t n, olen = 0;

		while (*p == ' ')
			p++;
		end = p;
		while (*end && *end != ' ')
			end++;
		n = (size_t)(end - p);
		if (n > 3 && memcmp(p, "v1,", 3) == 0 && n - 3 == MAC_B64_CHARS &&
		    b64_valid(p + 3, n - 3) &&
		    mbedtls_base64_decode(got, sizeof(got), &olen, (const unsigned char *)p + 3,
					  n - 3) == 0 &&
		    olen == MAC_BYTES && ct_equal(got, mac, MAC_BYTES))
			matched = 1;
		p = end;
	}
	rc = matched ? 0 : -EPERM;
out:
	mbedtls_platform_zeroize(mac, sizeof(mac));
	return rc;
}
