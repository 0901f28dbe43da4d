/* SPDX-License-Identifier: MIT */
/* Each endpoint kind's request (method, URL, header lines) and the meaning
 * of its answers, rate-limit bodies included. Pure: the strings are the
 * caller's, the answer is read through jsonr without allocation. */
#include "service.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "core/jsonr.h"

/* Appends to out (size bytes) at *n, failing rather than cutting. */
__attribute__((format(printf, 4, 5))) static int put(char *out, size_t size, size_t *n,
						     const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(out + *n, size - *n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= size - *n)
		return -ENAMETOOLONG;
	*n += (size_t)w;
	return 0;
}

/* A header line; returns 0 or -ENAMETOOLONG. */
__attribute__((format(printf, 2, 3))) static int line(struct service_req *rq, const char *fmt,
						      ...)
{
	va_list ap;
	int w;

	if (rq->n == SERVICE_MAX_LINES)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	w = vsnprintf(rq->line[rq->n], SERVICE_LINE_BYTES, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= SERVICE_LINE_BYTES)
		return -ENAMETOOLONG;
	rq->n++;
	return 0;
}

/* s percent-encoded as a path segment: all but RFC 3986's unreserved. */
static int put_segment(char *out, size_t size, size_t *n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c))
			rc = put(out, size, n, "%c", c);
		else
			rc = put(out, size, n, "%%%c%c", hex[c >> 4], hex[c & 15]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A URL without its trailing '/' (so that a path can follow). */
static size_t base_len(const char *url)
{
	size_t n = strlen(url);

	while (n && url[n - 1] == '/')
		n--;
	return n;
}

/* ntfy's Title: as it is when printable ASCII, else RFC 2047's encoded
 * word, which ntfy decodes (a raw UTF-8 header is not portable). */
static int title_line(struct service_req *rq, const char *title)
{
	unsigned char b64[SERVICE_LINE_BYTES];
	size_t len = strlen(title), olen = 0;
	bool ascii = true;

	for (size_t i = 0; i < len; i++)
		ascii = ascii && (unsigned char)title[i] >= 0x20 && (unsigned char)title[i] < 0x7f;
	if (ascii)
		return line(rq, "Title: %s", title);
	if (mbedtls_base64_encode(b64, sizeof b64, &olen, (const unsigned char *)title, len) != 0)
		return -ENAMETOOLONG;
	return line(rq, "Title: =?UTF-8?B?%s?=", (const char *)b64);
}

/* A click link goes into a header: one line of visible ASCII, http(s). */
static bool click_ok(const char *click)
{
	if (strncmp(click, "https://", 8) != 0 && strncmp(click, "http://", 7) != 0)
		return false;
	for (const char *s = click; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int ntfy_request(const struct service_in *in, struct service_req *rq)
{
	const struct cfg_endpoint *ep = in->ep;
	size_t n = 0;
	int rc;

	rc = put(rq->url, sizeof rq->url, &n, "%s", ep->url);
	if (rc == 0 && in->title[0])
		rc = title_line(rq, in->title);
	if (rc == 0 && in->click[0] && click_ok(in->click))
		rc = line(rq, "Click: %s", in->click);
	if (rc == 0 && ep->tags[0])
		rc = line(rq, "Tags: %s", ep->tags);
	/* min low default high max are ntfy's 1 to 5. */
	if (rc == 0)
		rc = line(rq, "Priority: %u", ep->priority + 1);
	if (rc == 0)
		rc = line(rq, "Markdown: yes");
	return rc;
}

/* PUT {url}/_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}:
 * the transaction id is the entry's, so that a retry is the same event. */
static int matrix_request(const struct service_in *in, struct service_req *rq)
{
	const struct cfg_endpoint *ep = in->ep;
	size_t n = 0;
	int rc;

	rq->method = "PUT";
	rc = put(rq->url, sizeof rq->url, &n, "%.*s/_matrix/client/v3/rooms/",
		 (int)base_len(ep->url), ep->url);
	if (rc == 0)
		rc = put_segment(rq->url, sizeof rq->url, &n, ep->room);
	if (rc == 0)
		rc = put(rq->url, sizeof rq->url, &n, "/send/m.room.message/");
	if (rc == 0)
		rc = put_segment(rq->url, sizeof rq->url, &n, in->id);
	if (rc == 0)
		rc = line(rq, "Content-Type: application/json");
	return rc;
}

/* A Slack or Discord webhook URL (url_file's, a secret): Discord waits for the
 * message so that its answer says whether it was taken. */
static int hook_request(const struct service_in *in, struct service_req *rq, bool discord)
{
	size_t n = 0;
	int rc;

	rc = put(rq->url, sizeof rq->url, &n, "%s", in->secret_url);
	/* Discord answers 204 without it; with it, the message, or an error. */
	if (rc == 0 && discord)
		rc = put(rq->url, sizeof rq->url, &n, "%swait=true",
			 strchr(in->secret_url, '?') ? "&" : "?");
	if (rc == 0)
		rc = line(rq, "Content-Type: application/json");
	return rc;
}

/* POST {url}/bot{token}/sendMessage: the token is in the path. */
static int telegram_request(const struct service_in *in, struct service_req *rq)
{
	const struct cfg_endpoint *ep = in->ep;
	size_t n = 0;
	int rc;

	rc = put(rq->url, sizeof rq->url, &n, "%.*s/bot%s/sendMessage", (int)base_len(ep->url),
		 ep->url, in->token);
	if (rc == 0)
		rc = line(rq, "Content-Type: application/json");
	return rc;
}

int service_request(const struct service_in *in, struct service_req *rq)
{
	size_t n = 0;
	int rc;

	rq->method = "POST";
	rq->n = 0;
	rq->url[0] = '\0';
	switch (in->ep->kind) {
	case CFG_KIND_WEBHOOK:
		rc = put(rq->url, sizeof rq->url, &n, "%s", in->ep->url);
		break;
	case CFG_KIND_NTFY:
		rc = ntfy_request(in, rq);
		break;
	case CFG_KIND_MATRIX:
		rc = matrix_request(in, rq);
		break;
	case CFG_KIND_SLACK:
	case CFG_KIND_DISCORD:
		rc = hook_request(in, rq, in->ep->kind == CFG_KIND_DISCORD);
		break;
	case CFG_KIND_TELEGRAM:
		rc = telegram_request(in, rq);
		break;
	default:
		return -EINVAL;
	}
	return rc;
}

/* A JSON number's text (RFC 8259: digits, a fraction, an exponent) as whole
 * seconds rounded up, scaled down by div (1000 for milliseconds): 0 for
 * zero or a negative; more than PUSH_RETRY_AFTER_MAX for a value past it
 * (the caller caps). An exponent counts: Python's json writes 1e+16 and
 * 5e-05, which read as 1 s and 5 s when it was dropped. Read here, not by
 * jsonr (which hands a number over as its text) or dec (whole numbers
 * only, -ERANGE past uint64): neither has fractions, exponents or
 * rounding up, and this is the one place that needs them. */
static int64_t wait_of(const char *num, int64_t div)
{
	char dig[32]; /* the significant digits, leading zeros dropped */
	size_t nd = 0, i = 0;
	long exp10 = div == 1000 ? -3 : 0, e = 0, intlen;
	int64_t whole = 0;
	bool neg_e = false, up = false;

	if (div != 1 && div != 1000)
		return 0;
	for (; num[i] >= '0' && num[i] <= '9'; i++)
		if ((nd || num[i] != '0') && nd < sizeof dig)
			dig[nd++] = num[i];
	if (num[i] == '.')
		for (i++; num[i] >= '0' && num[i] <= '9'; i++) {
			exp10--;
			if ((nd || num[i] != '0') && nd < sizeof dig)
				dig[nd++] = num[i];
		}
	if (num[i] == 'e' || num[i] == 'E') {
		i++;
		neg_e = num[i] == '-';
		i += num[i] == '-' || num[i] == '+';
		for (; num[i] >= '0' && num[i] <= '9'; i++)
			if (e < 10000)
				e = e * 10 + (num[i] - '0');
	}
	if (!nd || num[i] != '\0')
		return 0; /* zero, or not a number (a '-' first) */
	exp10 += neg_e ? -e : e;
	intlen = (long)nd + exp10;
	if (intlen <= 0)
		return 1; /* more than zero, less than a second */
	if (intlen > 9)
		return INT32_MAX;
	for (long k = 0; k < intlen; k++)
		whole = whole * 10 + ((size_t)k < nd ? dig[k] - '0' : 0);
	for (size_t k = (size_t)intlen; k < nd; k++)
		up = up || dig[k] != '0';
	return whole + up;
}

/* The value of key in the JSON object at r, as text, into out; nested
 * (parameters.retry_after) when inner is not NULL. Returns 1 when found. */
static int find_number(struct jsonr *r, const char *key, const char *inner, char *out,
		       size_t size)
{
	const char *k;
	size_t klen;
	int rc;

	if (jsonr_enter(r, JSONR_OBJECT) < 0)
		return 0;
	while ((rc = jsonr_next_key(r, &k, &klen)) == 1) {
		if (jsonr_key_is(k, klen, key)) {
			if (inner)
				return find_number(r, inner, NULL, out, size);
			return jsonr_peek(r) == JSONR_NUMBER && jsonr_string(r, out, size) > 0;
		}
		if (jsonr_skip(r) < 0)
			return 0;
	}
	return 0;
}

/* The wait a rate-limit answer of kind asks for in its body, or 0. */
static int64_t body_wait(unsigned kind, const char *body, size_t len)
{
	struct jsonr r;
	char num[32];

	jsonr_init(&r, body, len);
	switch (kind) {
	case CFG_KIND_TELEGRAM:
		return find_number(&r, "parameters", "retry_after", num, sizeof num)
			       ? wait_of(num, 1) : 0;
	case CFG_KIND_DISCORD:
		return find_number(&r, "retry_after", NULL, num, sizeof num) ? wait_of(num, 1) : 0;
	case CFG_KIND_MATRIX:
		return find_number(&r, "retry_after_ms", NULL, num, sizeof num) ? wait_of(num, 1000)
										 : 0;
	default:
		return 0;
	}
}

int service_moved_chat(const char *body, size_t len, char *out, size_t size)
{
	struct jsonr r;

	jsonr_init(&r, body, len);
	return find_number(&r, "parameters", "migrate_to_chat_id", out, size) &&
	       out[0] == '-' && out[1] >= '1' && out[1] <= '9' &&
	       strspn(out + 1, "0123456789") == strlen(out + 1);
}

enum service_class service_classify(unsigned kind, long status, const char *body, size_t len,
				    int64_t *wait)
{
	*wait = 0;
	if (status >= 200 && status <= 299)
		return SERVICE_DELIVERED;
	/* SMTP replies: 4xx is transient by definition (RFC 5321, 4.2.1) and
	 * carries no wait; 5xx is permanent (a bad login, a recipient refused). */
	if (kind == CFG_KIND_EMAIL)
		return status >= 500 && status <= 599 ? SERVICE_DEAD : SERVICE_RETRY;
	if (status >= 400 && status <= 499 && status != 408 && status != 429)
		return SERVICE_DEAD;
	*wait = body_wait(kind, body, len);
	if (*wait > PUSH_RETRY_AFTER_MAX)
		*wait = PUSH_RETRY_AFTER_MAX;
	return SERVICE_RETRY;
}
