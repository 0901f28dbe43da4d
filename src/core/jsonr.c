/* SPDX-License-Identifier: MIT */
/* JSON pull reader. Values are consumed in place; skipping counts brackets
 * instead of recursing, so deep nesting costs no stack. */
#include "jsonr.h"

#include <errno.h>
#include <string.h>

#include "core/utf8.h"

void jsonr_init(struct jsonr *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	/* A UTF-8 BOM is not JSON, but feeds are served with one. */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
}

static void ws(struct jsonr *r)
{
	while (r->p < r->end &&
	       (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int lit(struct jsonr *r, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(r->end - r->p) >= n && memcmp(r->p, s, n) == 0;
}

enum jsonr_type jsonr_peek(struct jsonr *r)
{
	ws(r);
	if (r->p >= r->end)
		return JSONR_BAD;
	switch (*r->p) {
	case '{': return JSONR_OBJECT;
	case '[': return JSONR_ARRAY;
	case '"': return JSONR_STRING;
	case 't': return lit(r, "true") ? JSONR_TRUE : JSONR_BAD;
	case 'f': return lit(r, "false") ? JSONR_FALSE : JSONR_BAD;
	case 'n': return lit(r, "null") ? JSONR_NULL : JSONR_BAD;
	default:
		if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
			return JSONR_NUMBER;
		return JSONR_BAD;
	}
}

/* Skips a string at the cursor ('"'). */
static int skip_string(struct jsonr *r)
{
	const char *p = r->p + 1;

	while (p < r->end && *p != '"') {
		if (*p == '\\' && p + 1 < r->end)
			p++;
		p++;
	}
	if (p >= r->end)
		return -EINVAL;
	r->p = p + 1;
	return 0;
}

static void skip_number(struct jsonr *r)
{
	while (r->p < r->end && (*r->p == '-' || *r->p == '+' || *r->p == '.' || *r->p == 'e' ||
				 *r->p == 'E' || (*r->p >= '0' && *r->p <= '9')))
		r->p++;
}

int jsonr_skip(struct jsonr *r)
{
	size_t depth = 0;

	do {
		enum jsonr_type t;

		ws(r);
		if (r->p >= r->end)
			return -EINVAL;
		if (depth > 0 && (*r->p == ',' || *r->p == ':')) {
			r->p++;
			continue;
		}
		if (depth > 0 && (*r->p == '}' || *r->p == ']')) {
			r->p++;
			depth--;
			continue;
		}
		t = jsonr_peek(r);
		switch (t) {
		case JSONR_OBJECT:
		case JSONR_ARRAY:
			r->p++;
			depth++;
			break;
		case JSONR_STRING:
			if (skip_string(r) < 0)
				return -EINVAL;
			break;
		case JSONR_NUMBER:
			skip_number(r);
			break;
		case JSONR_TRUE:
		case JSONR_NULL:
			r->p += 4;
			break;
		case JSONR_FALSE:
			r->p += 5;
			break;
		case JSONR_BAD:
		default:
			return -EINVAL;
		}
	} while (depth > 0);
	return 0;
}

int jsonr_enter(struct jsonr *r, enum jsonr_type want)
{
	if (jsonr_peek(r) != want || (want != JSONR_OBJECT && want != JSONR_ARRAY))
		return -EINVAL;
	r->p++;
	return 0;
}

/* Steps over the separating comma to the next member or item: 1 when there
 * is one, 0 after the closing character, -EINVAL at the end of input. */
static int next_member(struct jsonr *r, char close)
{
	ws(r);
	if (r->p < r->end && *r->p == ',') {
		r->p++;
		ws(r);
	}
	if (r->p >= r->end)
		return -EINVAL;
	if (*r->p == close) {
		r->p++;
		return 0;
	}
	return 1;
}

int jsonr_next_key(struct jsonr *r, const char **key, size_t *klen)
{
	const char *k;
	int rc = next_member(r, '}');

	if (rc <= 0)
		return rc;
	if (*r->p != '"')
		return -EINVAL;
	k = r->p + 1;
	if (skip_string(r) < 0)
		return -EINVAL;
	*key = k;
	*klen = (size_t)(r->p - 1 - k);
	ws(r);
	if (r->p >= r->end || *r->p != ':')
		return -EINVAL;
	r->p++;
	return 1;
}

int jsonr_next_item(struct jsonr *r)
{
	return next_member(r, ']');
}

int jsonr_key_is(const char *key, size_t klen, const char *s)
{
	return klen == strlen(s) && memcmp(key, s, klen) == 0;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
	*v = 0;
	if (end - p < 4)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		*v = *v << 4 | d;
	}
	return 0;
}

/* Appends cp unless it would not fit with the NUL; returns 0 or -ENOSPC. */
static int put(char *out, size_t size, size_t *o, uint32_t cp)
{
	unsigned char enc[4];
	size_t n;

	if (cp == 0)
		return 0;
	n = utf8_encode(cp, enc);
	if (n >= size - *o)
		return -ENOSPC;
	memcpy(out + *o, enc, n);
	*o += n;
	return 0;
}

long jsonr_string(struct jsonr *r, char *out, size_t size)
{
	enum jsonr_type t = jsonr_peek(r);
	const char *p;
	size_t o = 0;
	int full = 0;

	if (size == 0)
		return -EINVAL;
	out[0] = '\0';
	if (t == JSONR_NUMBER) {
		p = r->p;
		skip_number(r);
		while (p < r->end && p < r->p && o + 1 < size)
			out[o++] = *p++;
		out[o] = '\0';
		return (long)o;
	}
	if (t != JSONR_STRING)
		return -EINVAL;
	p = r->p + 1;
	while (p < r->end && *p != '"') {
		uint32_t cp;

		if (*p == '\\' && p + 1 < r->end) {
			char e = p[1];
			p += 2;
			switch (e) {
			case 'n': cp = '\n'; break;
			case 't': cp = '\t'; break;
			case 'r': cp = '\r'; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'u':
				if (hex4(p, r->end, &cp) < 0) {
					cp = UTF8_REPLACEMENT;
					break;
				}
				p += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					uint32_t lo;
					if (r->end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
					    hex4(p + 2, r->end, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						p += 6;
					} else {
						cp = UTF8_REPLACEMENT;
					}
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					cp = UTF8_REPLACEMENT;
				}
				break;
			default: cp = (unsigned char)e; break;
			}
		} else {
			p += utf8_decode((const unsigned char *)p, (const unsigned char *)r->end, &cp);
		}
		if (!full && put(out, size, &o, cp) < 0)
			full = 1;
	}
	out[o] = '\0';
	if (p >= r->end)
		return -EINVAL;
	r->p = p + 1;
	return (long)o;
}
