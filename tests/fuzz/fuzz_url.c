/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the URL splitter, resolution and host extraction, the
 * parsers that see every link a feed gives: bounds, the parts put back
 * together give the input, an absolute URL resolves to itself, and a
 * canonical URL is canonical. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Appends a span to out (cap bytes) at *n; aborts when a span lies outside
 * [lo, hi). */
static void join(char *out, size_t cap, size_t *n, const char *lo, const char *hi,
		 const struct url_span *sp)
{
	if (sp->p < lo || sp->p > hi || sp->len > (size_t)(hi - sp->p) || *n + sp->len >= cap)
		abort();
	memcpy(out + *n, sp->p, sp->len);
	*n += sp->len;
}

static void lit(char *out, size_t cap, size_t *n, const char *s)
{
	struct url_span sp = { s, strlen(s) };

	join(out, cap, n, s, s + sp.len, &sp);
}

/* The parts of s[0..len) in order, with their separators, are s again;
 * user info, host and port are the authority again. */
static void check_split(const char *s, size_t len)
{
	static char back[2 * FEED_URL_BYTES];
	const char *end = s + len;
	struct url_parts u;
	size_t n = 0;

	url_split(s, len, &u);
	join(back, sizeof(back), &n, s, end, &u.scheme);
	if (u.scheme.len)
		lit(back, sizeof(back), &n, ":");
	if (u.has_authority) {
		lit(back, sizeof(back), &n, "//");
		join(back, sizeof(back), &n, s, end, &u.userinfo);
		if (u.has_userinfo)
			lit(back, sizeof(back), &n, "@");
		join(back, sizeof(back), &n, s, end, &u.host);
		if (u.has_port)
			lit(back, sizeof(back), &n, ":");
		join(back, sizeof(back), &n, s, end, &u.port);
		if (u.authority.p + u.authority.len != u.port.p + u.port.len)
			abort();
	} else if (u.authority.len || u.host.len || u.has_userinfo || u.has_port) {
		abort();
	}
	join(back, sizeof(back), &n, s, end, &u.path);
	if (u.has_query)
		lit(back, sizeof(back), &n, "?");
	join(back, sizeof(back), &n, s, end, &u.query);
	if (u.has_fragment)
		lit(back, sizeof(back), &n, "#");
	join(back, sizeof(back), &n, s, end, &u.fragment);
	if (n != len || memcmp(back, s, len) != 0)
		abort();
}

/* url_canonical: a NUL-terminated result or "" with -ENOSPC, never longer
 * than out_size, and, for a web URL, canonical again as itself (unless white
 * space inside it is trimmed off the second time; an unclosed "[" host can
 * split another way once its empty port is dropped: no web URL). */
static void check_canonical(const char *ref, size_t out_size)
{
	static char canon[FEED_URL_BYTES], again[FEED_URL_BYTES];
	int rc = url_canonical(ref, canon, out_size);

	if (rc == -ENOSPC || rc == -EINVAL) {
		if (canon[0] != '\0')
			abort();
		return;
	}
	if (rc != 0 || memchr(canon, '\0', out_size) == NULL)
		abort();
	if (!url_is_http(canon))
		return;
	for (const char *p = canon; *p; p++)
		if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
			return;
	if (url_canonical(canon, again, sizeof(again)) != 0 || strcmp(canon, again) != 0)
		abort();
}

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
	check_split(text, len);
	check_split(ref, strlen(ref));
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
	} else if (url_is_http(out) && strlen(out) < sizeof(host)) {
		/* Every web URL has a host that fits its own length. */
		abort();
	}
	if (url_file_path(out) && url_file_path(out)[0] != '/')
		abort();
	check_canonical(ref, out_size);
	return 0;
}
