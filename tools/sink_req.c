/* SPDX-License-Identifier: MIT */
/* HTTP/1.x request reading for digest-sink. Every read goes through one
 * bounded buffer and every field into a fixed array, so a hostile client
 * can only get an error status, never more memory or a longer wait here. */
#include "sink_req.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core/dec.h"

void sink_req_buf_init(struct sink_req_buf *b, sink_req_fill_fn fill, void *ctx)
{
	b->fill = fill;
	b->ctx = ctx;
	b->pos = 0;
	b->len = 0;
}

/* Appends to the buffer; returns bytes added, 0 at EOF, -ENOBUFS when
 * full, or a fill error. */
static int buf_fill(struct sink_req_buf *b)
{
	int r;

	if (b->pos == b->len) {
		b->pos = 0;
		b->len = 0;
	} else if (b->pos > 0 && b->len == sizeof(b->buf)) {
		memmove(b->buf, b->buf + b->pos, b->len - b->pos);
		b->len -= b->pos;
		b->pos = 0;
	}
	if (b->len == sizeof(b->buf))
		return -ENOBUFS;
	r = b->fill(b->ctx, b->buf + b->len, sizeof(b->buf) - b->len);
	if (r > 0)
		b->len += (size_t)r;
	return r;
}

int sink_req_body(struct sink_req_buf *b, unsigned char *dst, size_t n)
{
	while (n) {
		size_t have = b->len - b->pos, take;
		int r;

		if (have == 0) {
			r = buf_fill(b);
			if (r == 0)
				return -EPIPE;
			if (r < 0)
				return r;
			continue;
		}
		take = have < n ? have : n;
		if (dst) {
			memcpy(dst, b->buf + b->pos, take);
			dst += take;
		}
		b->pos += take;
		n -= take;
	}
	return 0;
}

/* Reads one CRLF- or LF-terminated line into out (terminator removed).
 * Returns 0, -E2BIG when longer than cap - 1, -EPIPE or a fill error. */
static int buf_line(struct sink_req_buf *b, char *out, size_t cap)
{
	size_t n = 0;

	for (;;) {
		int r;

		while (b->pos < b->len) {
			char ch = (char)b->buf[b->pos++];

			if (ch == '\n') {
				if (n && out[n - 1] == '\r')
					n--;
				out[n] = '\0';
				return 0;
			}
			if (n + 1 >= cap)
				return -E2BIG;
			out[n++] = ch;
		}
		r = buf_fill(b);
		if (r == 0)
			return -EPIPE;
		if (r < 0)
			return r;
	}
}

int sink_req_head(struct sink_req_buf *b, char *head, size_t cap, size_t *hlen)
{
	for (;;) {
		size_t end = 0;
		int r;

		for (size_t i = b->pos; i + 1 < b->len; i++) {
			if (b->buf[i] == '\n' &&
			    (b->buf[i + 1] == '\n' ||
			     (b->buf[i + 1] == '\r' && i + 2 < b->len && b->buf[i + 2] == '\n'))) {
				end = i + (b->buf[i + 1] == '\n' ? 2 : 3);
				break;
			}
		}
		if (end) {
			if (end - b->pos >= cap || end - b->pos > SINK_REQ_HEAD_BYTES)
				return 431;
			memcpy(head, b->buf + b->pos, end - b->pos);
			*hlen = end - b->pos;
			head[*hlen] = '\0';
			b->pos = end;
			return 0;
		}
		if (b->len - b->pos >= SINK_REQ_HEAD_BYTES)
			return 431;
		r = buf_fill(b);
		if (r == 0)
			return -EPIPE;
		if (r < 0)
			return r;
	}
}

static int is_tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

void sink_req_escape_id(const char *id, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; id[i] && o + 4 <= cap; i++) {
		unsigned char ch = (unsigned char)id[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || (ch == '.' && i > 0)) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

/* Stores a header value; 0, or -E2BIG (too long) / -EEXIST (repeated). */
static int keep(char *dst, size_t cap, int *has, const char *v)
{
	size_t n = strlen(v);

	if (*has)
		return -EEXIST;
	if (n >= cap)
		return -E2BIG;
	memcpy(dst, v, n + 1);
	*has = 1;
	return 0;
}

int sink_req_parse_head(char *head, size_t hlen, struct sink_req *r, const char **why)
{
	char *line = head, *next, *sp1, *sp2;
	int first = 1;

	memset(r, 0, sizeof(*r));
	if (memchr(head, '\0', hlen)) {
		*why = "NUL byte in the request head";
		return 400;
	}
	for (; *line; line = next) {
		char *colon, *v, *e;
		int rc = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		e = line + strlen(line);
		if (e > line && e[-1] == '\r')
			*--e = '\0';
		if (first) {
			first = 0;
			sp1 = strchr(line, ' ');
			sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
			if (!sp1 || !sp2 || sp1 == line || (size_t)(sp1 - line) >= sizeof(r->method) ||
			    sp1[1] != '/' || strchr(sp2 + 1, ' ') ||
			    (strcmp(sp2 + 1, "HTTP/1.1") != 0 && strcmp(sp2 + 1, "HTTP/1.0") != 0)) {
				*why = "malformed request line";
				return 400;
			}
			memcpy(r->method, line, (size_t)(sp1 - line));
			r->method[sp1 - line] = '\0';
			continue;
		}
		if (*line == '\0')
			break;
		colon = strchr(line, ':');
		if (!colon || colon == line) {
			*why = "malformed header line";
			return 400;
		}
		for (char *p = line; p < colon; p++) {
			if (!is_tchar((unsigned char)*p)) {
				*why = "malformed header name";
				return 400;
			}
		}
		*colon = '\0';
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		for (char *p = v; *p; p++) {
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				*why = "control character in a header value";
				return 400;
			}
		}
		if (strcasecmp(line, "webhook-id") == 0) {
			rc = keep(r->id, SINK_REQ_ID_BYTES + 1, &r->has_id, v);
		} else if (strcasecmp(line, "webhook-timestamp") == 0) {
			rc = keep(r->ts, sizeof(r->ts), &r->has_ts, v);
		} else if (strcasecmp(line, "webhook-signature") == 0) {
			rc = keep(r->sig, sizeof(r->sig), &r->has_sig, v);
		} else if (strcasecmp(line, "authorization") == 0) {
			rc = keep(r->auth, sizeof(r->auth), &r->has_auth, v);
		} else if (strcasecmp(line, "content-length") == 0) {
			uint64_t cl;

			if (dec_parse(v, strlen(v), UINT64_MAX, &cl) != 0 || (r->has_cl && cl != r->content_length)) {
				*why = "bad Content-Length";
				return 400;
			}
			r->content_length = cl;
			r->has_cl = 1;
		} else if (strcasecmp(line, "transfer-encoding") == 0) {
			if (strcasecmp(v, "chunked") != 0 || r->chunked) {
				*why = "unsupported Transfer-Encoding";
				return 501;
			}
			r->chunked = 1;
		} else if (strcasecmp(line, "expect") == 0) {
			if (strcasecmp(v, "100-continue") == 0)
				r->expect_continue = 1;
		}
		if (rc == -E2BIG) {
			*why = "header value too long";
			return 400;
		}
		if (rc == -EEXIST) {
			*why = "repeated webhook or authorization header";
			return 400;
		}
	}
	if (r->has_cl && r->chunked) {
		*why = "both Content-Length and Transfer-Encoding";
		return 400;
	}
	return 0;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int sink_req_chunked(struct sink_req_buf *b, unsigned char *body, size_t max, size_t *got,
		     const char **why)
{
	char line[256];
	size_t total = 0;
	int rc;

	for (;;) {
		uint64_t size = 0;
		char *p = line;

		rc = buf_line(b, line, sizeof(line));
		if (rc == -E2BIG)
			goto bad;
		if (rc < 0)
			return rc;
		/* At least one hex digit: a size line of only an extension
		 * (";x") is not the last chunk. */
		if (hex_digit(*p) < 0)
			goto bad;
		for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
			int d = hex_digit(*p);

			if (d < 0)
				goto bad;
			if (size > (UINT64_MAX >> 4))
				goto too_big;
			size = size * 16 + (uint64_t)d;
		}
		if (size == 0)
			break;
		if (size > max - total)
			goto too_big;
		rc = sink_req_body(b, body + total, (size_t)size);
		if (rc < 0)
			return rc;
		total += (size_t)size;
		rc = buf_line(b, line, sizeof(line));
		if (rc == -E2BIG || (rc == 0 && line[0]))
			goto bad;
		if (rc < 0)
			return rc;
	}
	/* trailer fields, up to the blank line */
	for (int i = 0; i < 64; i++) {
		rc = buf_line(b, line, sizeof(line));
		if (rc == -E2BIG)
			goto bad;
		if (rc < 0)
			return rc;
		if (!line[0]) {
			*got = total;
			return 0;
		}
	}
bad:
	*why = "malformed chunked body";
	return 400;
too_big:
	*why = "body larger than --max-body";
	return 413;
}
