/* SPDX-License-Identifier: MIT */
/* libFuzzer target: digest-sink's request reader (tools/sink_req) fed in
 * fuzz-chosen slices: accepted heads are consistent, escaped ids are safe
 * names, bodies keep their caps, and chunked encoding round-trips. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/sink_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The request bytes, handed out at most `slice` at a time. */
struct feed {
	const unsigned char *p;
	size_t len, pos, slice;
};

static int feed_fill(void *ctx, unsigned char *buf, size_t cap)
{
	struct feed *f = ctx;
	size_t n = f->len - f->pos;

	if (n > f->slice)
		n = f->slice;
	if (n > cap)
		n = cap;
	memcpy(buf, f->p + f->pos, n);
	f->pos += n;
	return (int)n;
}

/* Bytes of the input consumed by the reader so far. */
static size_t consumed(const struct feed *f, const struct sink_req_buf *b)
{
	return f->pos - (b->len - b->pos);
}

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_escaped_id(const char *id)
{
	static char name[SINK_REQ_ID_NAME_BYTES];
	size_t k = 0;

	sink_req_escape_id(id, name, sizeof name);
	if (name[0] == '.' || strlen(name) > 3 * strlen(id))
		abort();
	for (size_t i = 0; name[i]; i++, k++) {
		char c = name[i];

		if (c == '%') {
			if (unhex(name[i + 1]) < 0 || unhex(name[i + 2]) < 0 ||
			    (char)(unhex(name[i + 1]) * 16 + unhex(name[i + 2])) != id[k])
				abort();
			i += 2;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.') ||
			   c != id[k]) {
			abort();
		}
	}
	if (id[k] != '\0')
		abort();
}

static void check_head(const struct sink_req *r)
{
	if (!r->method[0] || strlen(r->method) >= sizeof r->method || (r->has_cl && r->chunked))
		abort();
	if (r->has_id) {
		if (strlen(r->id) > SINK_REQ_ID_BYTES)
			abort();
		check_escaped_id(r->id);
	}
	for (const char *v = r->id; *v; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			abort();
}

/* Round trip: data as a chunked request in chunks sized by its own bytes,
 * with extensions and a trailer, must decode to data. */
static void chunked_round_trip(const unsigned char *data, size_t n, size_t slice)
{
	static const char head[] = "POST /d HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	static unsigned char req[sizeof head + 4096 * 18 + 64], got[4096];
	static char hbuf[SINK_REQ_HEAD_BYTES + 1];
	static struct sink_req_buf b;
	static struct sink_req r;
	struct feed f = { req, 0, 0, slice };
	const char *why = NULL;
	size_t k = sizeof head - 1, len = 0, hlen = 0;

	if (n > sizeof got)
		n = sizeof got;
	memcpy(req, head, k);
	for (size_t i = 0; i < n;) {
		size_t c = 1 + data[i] % 200;
		int w;

		if (c > n - i)
			c = n - i;
		w = snprintf((char *)req + k, 32, "%zx%s\r\n", c, i % 2 ? ";ext=1" : "");
		k += (size_t)w;
		memcpy(req + k, data + i, c);
		k += c;
		memcpy(req + k, "\r\n", 2);
		k += 2;
		i += c;
	}
	memcpy(req + k, "0\r\nX-Trailer: t\r\n\r\n", 19);
	f.len = k + 19;
	sink_req_buf_init(&b, feed_fill, &f);
	if (sink_req_head(&b, hbuf, sizeof hbuf, &hlen) != 0 ||
	    sink_req_parse_head(hbuf, hlen, &r, &why) != 0 || !r.chunked)
		abort();
	if (sink_req_chunked(&b, got, sizeof got, &len, &why) != 0 || len != n ||
	    memcmp(got, data, n) != 0 || consumed(&f, &b) != f.len)
		abort();
}

/* Input: a byte giving the slice size, a byte giving the body cap, then the
 * request bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char head[SINK_REQ_HEAD_BYTES + 1];
	static unsigned char body[64 * 1024];
	static struct sink_req_buf b;
	static struct sink_req r;
	struct feed f;
	const char *why = NULL;
	size_t hlen = 0, max, got = 0;
	int rc;

	if (size < 2)
		return 0;
	f = (struct feed){ data + 2, size - 2, 0, 1 + (size_t)data[0] * 37 % 4096 };
	max = (size_t)data[1] * 257;
	chunked_round_trip(data + 2, size - 2, f.slice);

	sink_req_buf_init(&b, feed_fill, &f);
	rc = sink_req_head(&b, head, sizeof head, &hlen);
	if (rc == -EPIPE || rc == 431)
		return 0;
	if (rc != 0 || hlen == 0 || hlen > SINK_REQ_HEAD_BYTES || memcmp(head, f.p, hlen) != 0 ||
	    consumed(&f, &b) != hlen || head[hlen - 1] != '\n')
		abort();
	rc = sink_req_parse_head(head, hlen, &r, &why);
	if (rc != 0) {
		if ((rc != 400 && rc != 501) || !why || !*why)
			abort();
		return 0;
	}
	check_head(&r);
	if (r.chunked) {
		rc = sink_req_chunked(&b, body, max, &got, &why);
		if (rc == 0 && got > max)
			abort();
		if (rc != 0 && rc != -EPIPE && ((rc != 400 && rc != 413) || !why))
			abort();
	} else if (r.has_cl && r.content_length <= max) {
		size_t left = f.len - consumed(&f, &b);

		rc = sink_req_body(&b, body, (size_t)r.content_length);
		if ((rc == 0) != (left >= r.content_length) || (rc != 0 && rc != -EPIPE))
			abort();
		if (rc == 0 && memcmp(body, f.p + hlen, (size_t)r.content_length) != 0)
			abort();
	}
	if (consumed(&f, &b) > f.len)
		abort();
	return 0;
}
