/* SPDX-License-Identifier: MIT */
/* Checks of a rendered digest for tests/unit/test_digest.c and fuzz_digest.c:
 * strict JSON (RFC 8259), bodies free of control characters, Markdown whose
 * only active links are http(s), and HTML with no script, event handler,
 * external resource or link other than http(s), its tags well nested.
 * Header-only test code: each returns NULL when the body passes, else a
 * static string saying what failed. */
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

/* An entity digest_render may write: the five it escapes with. */
static inline size_t dcheck_html_entity(const unsigned char *p, const unsigned char *end)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };

	for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
		size_t n = strlen(ents[i]);

		if ((size_t)(end - p) >= n && memcmp(p, ents[i], n) == 0)
			return n;
	}
	return 0;
}

/* Text or an attribute value up to stop ('<' for text, '"' for a value):
 * every '&' starts one of our entities, and no raw '<' or '>' is left. */
static inline const char *dcheck_html_text(const unsigned char **pp, const unsigned char *end,
					   unsigned char stop)
{
	const unsigned char *p = *pp;

	while (p < end && *p != stop) {
		size_t n;

		if (*p == '&') {
			n = dcheck_html_entity(p, end);
			if (n == 0)
				return "HTML: '&' that starts no entity of ours";
			p += n;
			continue;
		}
		if (*p == '<' || *p == '>')
			return "HTML: an unescaped '<' or '>' in text or a value";
		p++;
	}
	*pp = p;
	return NULL;
}

/* CSS in a style attribute or the <style> element: no url( or @import,
 * which would load a resource from elsewhere. In text they are only text. */
static inline const char *dcheck_html_css(const unsigned char *p, const unsigned char *end)
{
	for (; p < end; p++)
		if ((end - p >= 4 && strncasecmp((const char *)p, "url(", 4) == 0) ||
		    (end - p >= 7 && strncasecmp((const char *)p, "@import", 7) == 0))
			return "HTML: url( or @import in CSS (an external resource)";
	return NULL;
}

static inline int dcheck_html_name(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
}

/* HTML as digest_render writes it, read the way a browser would: after an
 * optional <!DOCTYPE html>, only text and tags with lower-case names and
 * double-quoted attributes. Refused: a <script>, <iframe>, <object>,
 * <embed>, <img>, <link> or <base> element, an on* attribute, a src
 * attribute, an href other than http(s), url( or @import in a style
 * attribute or element (no external resources), a '&' that starts no entity
 * of ours, a raw '<' or
 * '>' in text, and end tags that do not close the innermost open element.
 * The <style> element's contents must hold no '<'. */
static inline const char *dcheck_html(const char *s, size_t n)
{
	static const char *const banned[] = { "script", "iframe", "object", "embed", "img",
					      "link",   "base",   "frame",  "svg",   "math" };
	static const char *const voids[] = { "meta", "br", "hr" };
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *open[DCHECK_MAX_DEPTH];
	size_t open_len[DCHECK_MAX_DEPTH];
	unsigned depth = 0;
	const char *why;

	if (end - p >= 15 && memcmp(p, "<!DOCTYPE html>", 15) == 0)
		p += 15;
	while (p < end) {
		const unsigned char *name;
		size_t nlen;
		int closing = 0, is_void = 0;

		if (*p != '<') {
			why = dcheck_html_text(&p, end, '<');
			if (why)
				return why;
			continue;
		}
		p++;
		if (p < end && *p == '/') {
			closing = 1;
			p++;
		}
		name = p;
		while (p < end && dcheck_html_name(*p))
			p++;
		nlen = (size_t)(p - name);
		if (nlen == 0 || (*name >= '0' && *name <= '9'))
			return "HTML: '<' that starts no tag of ours";
		for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
			if (nlen == strlen(banned[i]) && memcmp(name, banned[i], nlen) == 0)
				return "HTML: a script, frame, object or image element";
		if (closing) {
			if (p >= end || *p != '>')
				return "HTML: an end tag not closed by '>'";
			p++;
			if (depth == 0 || open_len[depth - 1] != nlen ||
			    memcmp(open[depth - 1], name, nlen) != 0)
				return "HTML: an end tag that does not close the innermost element";
			depth--;
			continue;
		}
		for (;;) {
			const unsigned char *an, *value;
			size_t alen;

			if (p < end && *p == '>')
				break;
			if (p >= end || *p != ' ')
				return "HTML: a tag not closed by '>'";
			p++;
			an = p;
			while (p < end && dcheck_html_name(*p))
				p++;
			alen = (size_t)(p - an);
			if (alen == 0)
				return "HTML: an attribute without a name";
			if (alen >= 2 && (an[0] | 0x20) == 'o' && (an[1] | 0x20) == 'n')
				return "HTML: an on* event handler attribute";
			if (alen == 3 && memcmp(an, "src", 3) == 0)
				return "HTML: a src attribute (an external resource)";
			if (p >= end || *p != '=')
				continue;
			if (end - p < 2 || p[1] != '"')
				return "HTML: an attribute value not in double quotes";
			p += 2;
			if (alen == 4 && memcmp(an, "href", 4) == 0 &&
			    !((end - p >= 7 && strncasecmp((const char *)p, "http://", 7) == 0) ||
			      (end - p >= 8 && strncasecmp((const char *)p, "https://", 8) == 0)))
				return "HTML: an href other than http(s)";
			value = p;
			why = dcheck_html_text(&p, end, '"');
			if (!why && alen == 5 && memcmp(an, "style", 5) == 0)
				why = dcheck_html_css(value, p);
			if (why)
				return why;
			if (p >= end)
				return "HTML: an unterminated attribute value";
			p++;
		}
		p++;
		for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++)
			is_void |= nlen == strlen(voids[i]) && memcmp(name, voids[i], nlen) == 0;
		if (nlen == 5 && memcmp(name, "style", 5) == 0) {
			/* Raw text up to </style>, as the browser reads it. */
			const unsigned char *css = p;

			while (p < end && *p != '<')
				p++;
			if (end - p < 8 || memcmp(p, "</style>", 8) != 0)
				return "HTML: a <style> element holding '<' or never closed";
			why = dcheck_html_css(css, p);
			if (why)
				return why;
			p += 8;
			continue;
		}
		if (is_void)
			continue;
		if (depth == DCHECK_MAX_DEPTH)
			return "HTML: nested too deep";
		open[depth] = name;
		open_len[depth++] = nlen;
	}
	return depth ? "HTML: an element left open" : NULL;
}

#endif
