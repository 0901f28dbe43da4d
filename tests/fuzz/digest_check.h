/* SPDX-License-Identifier: MIT */
/* Checks of a rendered digest for tests/unit/test_digest.c and fuzz_digest.c:
 * strict JSON (RFC 8259), bodies free of control characters, and Markdown
 * whose only active links are http(s). Header-only test code: each returns
 * NULL when the body passes, else a static string saying what failed. */
#ifndef DIGESTD_DIGEST_CHECK_H
#define DIGESTD_DIGEST_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

/* Deeper nesting than a digest has (object, array, object, array). */
#define DCHECK_MAX_DEPTH 16

struct dcheck_cur {
	const unsigned char *p, *end;
};

static inline void dcheck_ws(struct dcheck_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline int dcheck_hex(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A valid UTF-8 sequence at p: utf8_decode yields U+FFFD with length 1 for
 * anything invalid, so a real U+FFFD is told apart by its 3 bytes. */
static inline size_t dcheck_utf8(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	size_t n = utf8_decode(p, end, cp);

	return *cp == UTF8_REPLACEMENT && n != 3 ? 0 : n;
}

static inline const char *dcheck_json_string(struct dcheck_cur *c)
{
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		uint32_t cp;
		size_t n;

		if (*c->p == '\\') {
			if (c->end - c->p < 2)
				return "JSON: string ends inside an escape";
			if (c->p[1] == 'u') {
				if (c->end - c->p < 6 || !dcheck_hex(c->p[2]) || !dcheck_hex(c->p[3]) ||
				    !dcheck_hex(c->p[4]) || !dcheck_hex(c->p[5]))
					return "JSON: bad \\u escape";
				c->p += 6;
				continue;
			}
			if (!memchr("\"\\/bfnrt", c->p[1], 8))
				return "JSON: unknown escape";
			c->p += 2;
			continue;
		}
		if (*c->p < 0x20)
			return "JSON: raw control character in a string";
		n = dcheck_utf8(c->p, c->end, &cp);
		if (n == 0)
			return "JSON: invalid UTF-8 in a string";
		c->p += n;
	}
	if (c->p >= c->end)
		return "JSON: unterminated string";
	c->p++;
	return NULL;
}

static inline const char *dcheck_json_number(struct dcheck_cur *c)
{
	const unsigned char *start;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p >= c->end || *c->p < '0' || *c->p > '9')
		return "JSON: bad number";
	if (*c->p == '0')
		c->p++;
	else
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	if (c->p < c->end && *c->p == '.') {
		start = ++c->p;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
		if (c->p == start)
			return "JSON: bad fraction";
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		start = c->p;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
		if (c->p == start)
			return "JSON: bad exponent";
	}
	return NULL;
}

static inline const char *dcheck_json_value(struct dcheck_cur *c, int depth)
{
	static const char *const lits[] = { "true", "false", "null" };
	const char *why;

	dcheck_ws(c);
	if (c->p >= c->end)
		return "JSON: value expected";
	if (*c->p == '"')
		return dcheck_json_string(c);
	if (*c->p == '{' || *c->p == '[') {
		unsigned char close = *c->p == '{' ? '}' : ']';

		if (depth >= DCHECK_MAX_DEPTH)
			return "JSON: nested too deep";
		c->p++;
		dcheck_ws(c);
		if (c->p < c->end && *c->p == close) {
			c->p++;
			return NULL;
		}
		for (;;) {
			if (close == '}') {
				dcheck_ws(c);
				if (c->p >= c->end || *c->p != '"')
					return "JSON: object key expected";
				why = dcheck_json_string(c);
				if (why)
					return why;
				dcheck_ws(c);
				if (c->p >= c->end || *c->p != ':')
					return "JSON: ':' expected";
				c->p++;
			}
			why = dcheck_json_value(c, depth + 1);
			if (why)
				return why;
			dcheck_ws(c);
			if (c->p < c->end && *c->p == close) {
				c->p++;
				return NULL;
			}
			if (c->p >= c->end || *c->p != ',')
				return "JSON: ',' or closing bracket expected";
			c->p++;
		}
	}
	for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
		size_t n = strlen(lits[i]);

		if ((size_t)(c->end - c->p) >= n && memcmp(c->p, lits[i], n) == 0) {
			c->p += n;
			return NULL;
		}
	}
	return dcheck_json_number(c);
}

/* One JSON value (RFC 8259: UTF-8, no raw control characters in strings,
 * strict numbers and escapes), surrounded by whitespace only. */
static inline const char *dcheck_json(const char *s, size_t n)
{
	struct dcheck_cur c = { (const unsigned char *)s, (const unsigned char *)s + n };
	const char *why = dcheck_json_value(&c, 0);

	if (why)
		return why;
	dcheck_ws(&c);
	return c.p == c.end ? NULL : "JSON: bytes after the value";
}

/* Valid UTF-8 without C0 controls other than '\n', DEL, C1 controls (an
 * 8-bit CSI starts a terminal escape too) or U+2028/U+2029, which
 * JavaScript and some viewers take as line breaks. */
static inline const char *dcheck_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		uint32_t cp;
		size_t k = dcheck_utf8(p, end, &cp);

		if (k == 0)
			return "invalid UTF-8";
		if ((cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp < 0xa0))
			return "control character";
		if (cp == 0x2028 || cp == 0x2029)
			return "U+2028/U+2029 line separator";
		p += k;
	}
	return NULL;
}

static inline int dcheck_md_punct(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
					   (ch >= 'A' && ch <= 'Z'));
}

/* Markdown (CommonMark and GitHub's extensions, as cmark-gfm and
 * markdown-it with linkify read it) whose only active links are inline links
 * [text](<http(s)://...>). Outside those, an unescaped character that could
 * start another link is refused: '[' or ']' (reference links and
 * definitions, footnotes), '<' (autolinks, raw HTML such as <a href> or
 * <script>), '@' (e-mail autolinks, mailto: and xmpp:) and "://" after a
 * scheme other than http(s) (GitHub's ftp:// autolinks). Backslash escapes
 * ASCII punctuation, as CommonMark says. */
static inline const char *dcheck_markdown(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	int in_text = 0; /* inside [link text] */

	while (p < end) {
		unsigned char ch = *p;

		if (ch == '\\' && p + 1 < end && dcheck_md_punct(p[1])) {
			p += 2;
			continue;
		}
		if (ch == '\n' && in_text)
			return "Markdown: a line ends inside link text";
		if (ch == '[') {
			if (in_text)
				return "Markdown: unescaped '[' inside link text";
			in_text = 1;
		} else if (ch == ']') {
			const unsigned char *d;

			if (!in_text || end - p < 3 || p[1] != '(' || p[2] != '<')
				return "Markdown: '[...]' that is not an inline link with a <destination>";
			in_text = 0;
			d = p + 3;
			if (!((end - d >= 7 && strncasecmp((const char *)d, "http://", 7) == 0) ||
			      (end - d >= 8 && strncasecmp((const char *)d, "https://", 8) == 0)))
				return "Markdown: a link destination other than http(s)";
			for (p = d; p < end && *p != '>'; p++) {
				if (*p == '\\' && p + 1 < end && dcheck_md_punct(p[1]))
					p++;
				else if (*p == '<' || *p == '\n' || *p == ' ')
					return "Markdown: a space, '<' or line break in a link destination";
			}
			if (end - p < 2 || p[1] != ')')
				return "Markdown: a link destination not followed by ')'";
			p += 2;
			continue;
		} else if (ch == '<') {
			return "Markdown: unescaped '<' (autolink or HTML)";
		} else if (ch == '@') {
			return "Markdown: unescaped '@' (e-mail autolink)";
		} else if (ch == ':' && end - p >= 3 && p[1] == '/' && p[2] == '/') {
			const unsigned char *b = p;

			while (b > (const unsigned char *)s &&
			       ((b[-1] | 0x20) >= 'a' && (b[-1] | 0x20) <= 'z'))
				b--;
			if (!((p - b == 4 && strncasecmp((const char *)b, "http", 4) == 0) ||
			      (p - b == 5 && strncasecmp((const char *)b, "https", 5) == 0)))
				return "Markdown: unescaped '://' after a scheme other than http(s)";
		}
		p++;
	}
	return in_text ? "Markdown: unclosed link text" : NULL;
}

#endif
