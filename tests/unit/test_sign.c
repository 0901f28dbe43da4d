/* SPDX-License-Identifier: MIT */
/* Webhook signing: the Standard Webhooks reference vector, tampering, the
 * timestamp window, malformed headers and key file formats. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/log.h"
#include "push/sign.h"

/* From the Standard Webhooks specification's test suite; the expected value
 * was recomputed independently with Python's hmac and base64 modules. */
static const char ref_secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
static const char ref_id[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
static const int64_t ref_ts = 1614265330;
static const char ref_body[] = "{\"test\": 2432232314}";
static const char ref_sig[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

static struct sign_key ref_key(void)
{
	struct sign_key k;

	CHECK_INT(sign_key_parse(ref_secret, strlen(ref_secret), &k), 0);
	return k;
}

static int verify(const struct sign_key *k, const char *id, const char *ts, const char *body,
		  const char *sig, int64_t now)
{
	return sign_verify(k, id, ts, body, strlen(body), sig, now, 300);
}

static void reference_vector(void)
{
	struct sign_key k = ref_key();
	char out[SIGN_HEADER_BYTES];

	CHECK_INT(k.len, 24);
	CHECK_INT(sign_webhook(&k, ref_id, ref_ts, ref_body, strlen(ref_body), out, sizeof(out)), 0);
	CHECK_STR(out, ref_sig);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, ref_sig, ref_ts), 0);
}

static void tampering_is_rejected(void)
{
	struct sign_key k = ref_key();
	char sig[sizeof(ref_sig)];

	CHECK_INT(verify(&k, ref_id, "1614265330", "{\"test\": 2432232315}", ref_sig, ref_ts),
		  -EPERM);
	CHECK_INT(verify(&k, ref_id, "1614265331", ref_body, ref_sig, ref_ts), -EPERM);
	CHECK_INT(verify(&k, "msg_p5jXN8AQM9LWM0D4loKWxJel", "1614265330", ref_body, ref_sig,
			 ref_ts),
		  -EPERM);
	memcpy(sig, ref_sig, sizeof(sig));
	sig[5] = sig[5] == 'A' ? 'B' : 'A';
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, sig, ref_ts), -EPERM);
	/* a truncated or overlong signature never matches */
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body,
			 "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O==", ref_ts),
		  -EPERM);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body,
			 "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=AAAA", ref_ts),
		  -EPERM);
	/* the right MAC under another version tag is not a v1 signature */
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body,
			 "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", ref_ts),
		  -EPERM);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, "garbage", ref_ts), -EPERM);
}

static void wrong_key_is_rejected(void)
{
	struct sign_key k;
	const char other[] = "whsec_AfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

	CHECK_INT(sign_key_parse(other, strlen(other), &k), 0);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, ref_sig, ref_ts), -EPERM);
}

static void any_listed_signature_counts(void)
{
	struct sign_key k = ref_key();
	char hdr[256];

	snprintf(hdr, sizeof(hdr), "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,xyz  %s ",
		 ref_sig);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, hdr, ref_ts), 0);
	snprintf(hdr, sizeof(hdr), "%s v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", ref_sig);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, hdr, ref_ts), 0);
}

static void timestamp_window(void)
{
	struct sign_key k = ref_key();

	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, ref_sig, ref_ts + 300), 0);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, ref_sig, ref_ts - 300), 0);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, ref_sig, ref_ts + 301), -ERANGE);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, ref_sig, ref_ts - 301), -ERANGE);
	/* outside the window is reported before the signature is looked at */
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, "v1,bad", ref_ts + 3600), -ERANGE);
	CHECK_INT(sign_verify(&k, ref_id, "0", ref_body, strlen(ref_body), ref_sig, INT64_MAX, 300),
		  -ERANGE);
	CHECK_INT(sign_verify(&k, ref_id, "9223372036854775807", ref_body, strlen(ref_body),
			      ref_sig, INT64_MIN, 300),
		  -ERANGE);
	CHECK_INT(sign_verify(&k, ref_id, "1614265330", ref_body, strlen(ref_body), ref_sig, ref_ts,
			      -1),
		  -EINVAL);
}

static void malformed_input(void)
{
	struct sign_key k = ref_key();
	char big[SIGN_HEADER_MAX_BYTES + 2];

	CHECK_INT(verify(&k, ref_id, "", ref_body, ref_sig, ref_ts), -EINVAL);
	CHECK_INT(verify(&k, ref_id, "abc", ref_body, ref_sig, ref_ts), -EINVAL);
	CHECK_INT(verify(&k, ref_id, "-1614265330", ref_body, ref_sig, ref_ts), -EINVAL);
	CHECK_INT(verify(&k, ref_id, " 1614265330", ref_body, ref_sig, ref_ts), -EINVAL);
	CHECK_INT(verify(&k, ref_id, "1614265330.5", ref_body, ref_sig, ref_ts), -EINVAL);
	CHECK_INT(verify(&k, ref_id, "99999999999999999999", ref_body, ref_sig, ref_ts), -EINVAL);
	CHECK_INT(verify(&k, "", "1614265330", ref_body, ref_sig, ref_ts), -EINVAL);
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, "", ref_ts), -EINVAL);
	CHECK_INT(sign_verify(&k, NULL, "1614265330", ref_body, 3, ref_sig, ref_ts, 300), -EINVAL);
	CHECK_INT(sign_verify(&k, ref_id, NULL, ref_body, 3, ref_sig, ref_ts, 300), -EINVAL);
	CHECK_INT(sign_verify(&k, ref_id, "1614265330", ref_body, 3, NULL, ref_ts, 300), -EINVAL);
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, ref_sig, strlen(ref_sig));
	CHECK_INT(verify(&k, ref_id, "1614265330", ref_body, big, ref_ts), -EINVAL);
}

static void sign_arguments(void)
{
	struct sign_key k = ref_key(), empty;
	char out[SIGN_HEADER_BYTES];

	memset(&empty, 0, sizeof(empty));
	CHECK_INT(sign_webhook(&k, ref_id, ref_ts, ref_body, strlen(ref_body), out,
			       SIGN_HEADER_BYTES - 1),
		  -ENOSPC);
	CHECK_INT(sign_webhook(&k, ref_id, -1, ref_body, 1, out, sizeof(out)), -EINVAL);
	CHECK_INT(sign_webhook(&k, "", ref_ts, ref_body, 1, out, sizeof(out)), -EINVAL);
	CHECK_INT(sign_webhook(&k, ref_id, ref_ts, NULL, 1, out, sizeof(out)), -EINVAL);
	CHECK_INT(sign_webhook(&empty, ref_id, ref_ts, ref_body, 1, out, sizeof(out)), -EINVAL);
	/* an empty body signs and verifies */
	CHECK_INT(sign_webhook(&k, ref_id, ref_ts, NULL, 0, out, sizeof(out)), 0);
	CHECK_INT(strlen(out), SIGN_HEADER_BYTES - 1);
	CHECK_INT(sign_verify(&k, ref_id, "1614265330", NULL, 0, out, ref_ts, 0), 0);
	CHECK_INT(sign_verify(&k, ref_id, "1614265330", "x", 1, out, ref_ts, 0), -EPERM);
}

static void key_formats(void)
{
	struct sign_key a, b;
	static const char *bad[] = {
		"", "\n", "whsec_", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",
		"whsec_MfKQ9r8GKYqrTwjUPD8I LPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w",
		"=fKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "AAAAAAAAAAA=", /* 8 bytes: too short */
		"a key typed by hand that is not base64",
	};
	char long_key[100];

	CHECK_INT(sign_key_parse(ref_secret, strlen(ref_secret), &a), 0);
	CHECK_INT(sign_key_parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\r\n", 34, &b), 0);
	CHECK(a.len == b.len && memcmp(a.bytes, b.bytes, a.len) == 0);
	CHECK_INT(sign_key_parse("  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n\n", 42, &b), 0);
	CHECK(a.len == b.len && memcmp(a.bytes, b.bytes, a.len) == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sign_key_parse(bad[i], strlen(bad[i]), &b) != -EINVAL) {
			printf("  accepted bad key %zu\n", i);
			check_current_failed = 1;
		}
		CHECK_INT(b.len, 0);
	}
	/* 64 bytes ("A" x 86 + "==") is the most; 65 bytes is refused */
	memset(long_key, 'A', 86);
	memcpy(long_key + 86, "==", 2);
	CHECK_INT(sign_key_parse(long_key, 88, &b), 0);
	CHECK_INT(b.len, 64);
	long_key[86] = 'A';
	CHECK_INT(sign_key_parse(long_key, 88, &b), -EINVAL);
	sign_key_clear(&a);
	CHECK_INT(a.len, 0);
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

static void key_files(void)
{
	char dir[] = "/tmp/test_sign.XXXXXX", path[64], big[SIGN_KEY_FILE_BYTES + 10];
	struct sign_key k;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/key", dir);
	CHECK_INT(write_file(path, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", 39), 0);
	CHECK_INT(sign_key_load(path, &k), 0);
	CHECK_INT(k.len, 24);
	CHECK_INT(write_file(path, "\x01\x02\x03 raw bytes are refused", 26), 0);
	CHECK_INT(sign_key_load(path, &k), -EINVAL);
	memset(big, 'A', sizeof(big));
	CHECK_INT(write_file(path, big, sizeof(big)), 0);
	CHECK_INT(sign_key_load(path, &k), -EFBIG);
	unlink(path);
	CHECK_INT(sign_key_load(path, &k), -ENOENT);
	CHECK_INT(k.len, 0);
	rmdir(dir);
}

int main(void)
{
	log_init(LOG_LVL_ERR, "digestd");
	RUN(reference_vector);
	RUN(tampering_is_rejected);
	RUN(wrong_key_is_rejected);
	RUN(any_listed_signature_counts);
	RUN(timestamp_window);
	RUN(malformed_input);
	RUN(sign_arguments);
	RUN(key_formats);
	RUN(key_files);
	return CHECK_EXIT();
}
