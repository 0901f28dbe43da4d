/* SPDX-License-Identifier: MIT */
/* Tolerant XML tokenizer. Markup that cannot be read as a tag becomes text;
 * end tags close unclosed children; DOCTYPE internal subsets are skipped
 * unread, so no entity is ever expanded (no billion laughs). */
#include "xml.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "extract/entity.h"

static const struct {
	const char *uri;
	enum xml_ns ns;
} known_uris[] = {
	{ "http://www.w3.org/2005/Atom", XML_NS_ATOM },
	{ "http://purl.org/atom/ns#", XML_NS_ATOM03 },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", XML_NS_RDF },
	{ "http://purl.org/rss/1.0/", XML_NS_RSS10 },
	{ "http://my.netscape.com/rdf/simple/0.9/", XML_NS_RSS090 },
	{ "http://purl.org/rss/1.0/modules/content/", XML_NS_CONTENT },
	{ "http://purl.org/dc/elements/1.1/", XML_NS_DC },
	{ "http://purl.org/dc/elements/1.0/", XML_NS_DC },
	{ "http://purl.org/dc/terms/", XML_NS_DCTERMS },
	{ "http://search.yahoo.com/mrss/", XML_NS_MEDIA },
	{ "http://search.yahoo.com/mrss", XML_NS_MEDIA },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", XML_NS_ITUNES },
	{ "http://www.w3.org/1999/xhtml", XML_NS_XHTML },
	{ "http://rssnamespace.org/feedburner/ext/1.0", XML_NS_FEEDBURNER },
	{ "http://www.w3.org/XML/1998/namespace", XML_NS_XML },
	/* UserLand's RSS 2.0 namespace: RSS elements, read as unqualified. */
	{ "http://backend.userland.com/rss2", XML_NS_NONE },
	{ "http://backend.userland.com/rss", XML_NS_NONE },
};

/* Prefixes read by their usual meaning when a feed forgets to declare them. */
static const struct {
	const char *prefix;
	enum xml_ns ns;
} fixed_prefixes[] = {
	{ "atom", XML_NS_ATOM },       { "rdf", XML_NS_RDF },	    { "content", XML_NS_CONTENT },
	{ "dc", XML_NS_DC },	       { "dcterms", XML_NS_DCTERMS }, { "media", XML_NS_MEDIA },
	{ "itunes", XML_NS_ITUNES },   { "xhtml", XML_NS_XHTML },   { "xml", XML_NS_XML },
	{ "xmlns", XML_NS_XMLNS },     { "feedburner", XML_NS_FEEDBURNER },
};

static enum xml_ns ns_from_uri(const char *v, size_t n)
{
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r'))
		n--;
	while (n && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) {
		v++;
		n--;
	}
	for (size_t i = 0; i < sizeof(known_uris) / sizeof(known_uris[0]); i++) {
		size_t l = strlen(known_uris[i].uri);
		/* Tolerate a missing or extra trailing '/' and any case:
		 * feeds write "http://www.w3.org/2005/atom" too. */
		if ((n == l && strncasecmp(v, known_uris[i].uri, l) == 0) ||
		    (n + 1 == l && known_uris[i].uri[l - 1] == '/' &&
		     strncasecmp(v, known_uris[i].uri, n) == 0) ||
		    (n == l + 1 && v[l] == '/' && strncasecmp(v, known_uris[i].uri, l) == 0))
			return known_uris[i].ns;
	}
	return n ? XML_NS_OTHER : XML_NS_NONE;
}

void xml_init(struct xml_reader *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = buf;
	r->end = buf + len;
	r->mark = r->end;
}

static int is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       c >= 0x80;
}

static int is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads a name at *pp into buf (cut to fit); returns the local offset. */
static unsigned char read_name(const char **pp, const char *end, char *buf)
{
	const char *p = *pp;
	size_t n = 0;
	unsigned char local = 0;
	int cut = 0;

	while (p < end && is_name_char((unsigned char)*p)) {
		if (n + 1 < XML_NAME_BYTES) {
			if (*p == ':' && local == 0 && n > 0)
				local = (unsigned char)(n + 1);
			buf[n++] = *p;
		} else {
			cut = 1;
		}
		p++;
	}
	/* Do not leave half a UTF-8 character at the cut. */
	if (cut) {
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)buf[n - 1] >= 0xC0)
			n--;
	}
	buf[n] = '\0';
	if (local >= n)
		local = 0;
	*pp = p;
	return local;
}

static enum xml_ns resolve(const struct xml_reader *r, const char *name, unsigned char local,
			   int is_attr)
{
	size_t plen;

	if (local == 0)
		return is_attr ? XML_NS_NONE : r->default_ns;
	plen = (size_t)local - 1;
	if (plen == 3 && memcmp(name, "xml", 3) == 0)
		return XML_NS_XML;
	for (unsigned i = r->ndecl; i-- > 0;) {
		if (strlen(r->decl[i].prefix) == plen && memcmp(r->decl[i].prefix, name, plen) == 0)
			return r->decl[i].ns;
	}
	for (size_t i = 0; i < sizeof(fixed_prefixes) / sizeof(fixed_prefixes[0]); i++) {
		if (strlen(fixed_prefixes[i].prefix) == plen &&
		    strncasecmp(fixed_prefixes[i].prefix, name, plen) == 0)
			return fixed_prefixes[i].ns;
	}
	return XML_NS_OTHER;
}

static const char *find(const char *p, const char *end, const char *lit)
{
	size_t l = strlen(lit);

	while ((size_t)(end - p) >= l) {
		const char *q = memchr(p, lit[0], (size_t)(end - p) - l + 1);
		if (!q)
			return NULL;
		if (memcmp(q, lit, l) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* Comment, CDATA or PI: contents up to the terminator, or to the end. */
static void delimited(struct xml_reader *r, struct xml_token *t, enum xml_type type,
		      size_t open_len, const char *close)
{
	const char *body = r->p + open_len, *q;

	if (body > r->end)
		body = r->end;
	q = find(body, r->end, close);
	if (!q)
		r->errors++;
	t->type = type;
	t->text = body;
	t->text_len = (size_t)((q ? q : r->end) - body);
	r->p = q ? q + strlen(close) : r->end;
}

/* <!DOCTYPE ...> or another <!...> declaration: skipped with quotes and an
 * internal subset [ ... ] honoured; nothing inside is interpreted. */
static void declaration(struct xml_reader *r, struct xml_token *t)
{
	const char *p = r->p + 2;
	int bracket = 0;
	char quote = 0;

	while (p < r->end) {
		char c = *p++;
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '[') {
			bracket++;
		} else if (c == ']' && bracket > 0) {
			bracket--;
		} else if (c == '>' && bracket == 0) {
			break;
		} else if (c == '<' && bracket == 0 && p < r->end && p[0] != '!') {
			/* An unterminated declaration: stop before the next tag. */
			p--;
			break;
		}
	}
	t->type = XML_DOCTYPE;
	t->text = r->p;
	t->text_len = (size_t)(p - r->p);
	r->p = p;
}

/* Opens an element; the frame keeps the namespace state from before its
 * start tag, to restore on the matching pop. */
static void push(struct xml_reader *r, const struct xml_token *t, unsigned ndecl,
		 enum xml_ns default_ns)
{
	struct xml_frame *f;

	if (r->depth == XML_MAX_DEPTH) {
		r->overflow++;
		return;
	}
	f = &r->stack[r->depth++];
	memcpy(f->name, t->name, sizeof(f->name));
	f->ndecl = ndecl;
	f->default_ns = default_ns;
}

/* Applies the xmlns declarations of a start tag. */
static void declare(struct xml_reader *r, struct xml_token *t)
{
	for (unsigned i = 0; i < t->nattr; i++) {
		struct xml_attr *a = &t->attr[i];
		if (strcmp(a->name, "xmlns") == 0) {
			r->default_ns = ns_from_uri(a->val, a->val_len);
		} else if (strncmp(a->name, "xmlns:", 6) == 0 && r->ndecl < XML_MAX_NSDECL &&
			   strlen(a->name + 6) < XML_PREFIX_BYTES) {
			memcpy(r->decl[r->ndecl].prefix, a->name + 6, strlen(a->name + 6) + 1);
			r->decl[r->ndecl].ns = ns_from_uri(a->val, a->val_len);
			r->ndecl++;
		}
	}
}

static void pop(struct xml_reader *r, struct xml_token *t)
{
	t->type = XML_END;
	t->empty = 0;
	t->nattr = 0;
	t->start = t->end = r->mark;
	if (r->overflow) {
		r->overflow--;
		t->depth = r->depth + r->overflow + 1;
		t->name[0] = '\0';
		t->local = 0;
		t->ns = XML_NS_OTHER;
		return;
	}
	r->depth--;
	t->depth = r->depth + 1;
	memcpy(t->name, r->stack[r->depth].name, sizeof(t->name));
	t->local = 0;
	for (unsigned char i = 0; t->name[i]; i++) {
		if (t->name[i] == ':') {
			t->local = (unsigned char)(i + 1);
			break;
		}
	}
	t->ns = resolve(r, t->name, t->local, 0);
	r->ndecl = r->stack[r->depth].ndecl;
	r->default_ns = r->stack[r->depth].default_ns;
}

static void start_tag(struct xml_reader *r, struct xml_token *t)
{
	const char *p = r->p + 1, *end = r->end;
	unsigned ndecl;
	enum xml_ns default_ns;

	t->type = XML_START;
	t->start = r->p;
	t->local = read_name(&p, end, t->name);
	t->nattr = 0;
	t->empty = 0;
	while (p < end) {
		struct xml_attr *a;
		struct xml_attr skipped;

		while (p < end && (is_space(*p) || *p == '/')) {
			if (*p == '/' && p + 1 < end && p[1] == '>')
				break;
			p++;
		}
		if (p >= end)
			break;
		if (*p == '>') {
			p++;
			break;
		}
		if (*p == '/' && p + 1 < end && p[1] == '>') {
			t->empty = 1;
			p += 2;
			break;
		}
		if (*p == '<') /* a tag left unterminated: the next one starts here */
			break;
		a = t->nattr < XML_MAX_ATTRS ? &t->attr[t->nattr] : &skipped;
		if (!is_name_char((unsigned char)*p) && *p != '"' && *p != '\'') {
			p++;
			continue;
		}
		a->local = read_name(&p, end, a->name);
		a->val = p;
		a->val_len = 0;
		while (p < end && is_space(*p))
			p++;
		if (p < end && *p == '=') {
			p++;
			while (p < end && is_space(*p))
				p++;
			if (p < end && (*p == '"' || *p == '\'')) {
				const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
				a->val = p + 1;
				a->val_len = (size_t)((q ? q : end) - a->val);
				p = q ? q + 1 : end;
			} else {
				a->val = p;
				while (p < end && !is_space(*p) && *p != '>')
					p++;
				a->val_len = (size_t)(p - a->val);
			}
		} else if (p < end && (*p == '"' || *p == '\'')) {
			/* A stray quoted string with no name: skip it whole. */
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			p = q ? q + 1 : end;
			continue;
		}
		if (a->name[0] && a != &skipped)
			t->nattr++;
	}
	r->p = p;
	t->end = p;
	ndecl = r->ndecl;
	default_ns = r->default_ns;
	declare(r, t);
	t->ns = resolve(r, t->name, t->local, 0);
	for (unsigned i = 0; i < t->nattr; i++)
		t->attr[i].ns = resolve(r, t->attr[i].name, t->attr[i].local, 1);
	push(r, t, ndecl, default_ns);
	t->depth = r->depth + r->overflow;
	if (t->empty) {
		r->pop_empty = 1;
		r->mark = p;
	}
}

/* Returns the depth (1-based) of the open element an end tag closes, or 0. */
static unsigned match_open(const struct xml_reader *r, const char *name)
{
	for (unsigned i = r->depth; i-- > 0;) {
		if (strcmp(r->stack[i].name, name) == 0)
			return i + 1;
	}
	for (unsigned i = r->depth; i-- > 0;) {
		if (strcasecmp(r->stack[i].name, name) == 0)
			return i + 1;
	}
	return 0;
}

/* Reads an end tag; returns 1 when it closes something (ENDs then follow). */
static int end_tag(struct xml_reader *r)
{
	const char *p = r->p + 2, *q;
	char name[XML_NAME_BYTES];
	unsigned k;

	read_name(&p, r->end, name);
	q = memchr(p, '>', (size_t)(r->end - p));
	r->mark = r->p;
	r->p = q ? q + 1 : r->end;
	if (r->overflow)
		return 1;
	k = match_open(r, name);
	if (k == 0) {
		r->errors++;
		return 0; /* closes nothing open: ignored */
	}
	if (k != r->depth)
		r->errors++; /* children left unclosed */
	r->close_to = k;
	return 1;
}

static void text(struct xml_reader *r, struct xml_token *t)
{
	const char *p = r->p;

	/* A '<' that cannot start markup is text ("a < b"). */
	while (p < r->end) {
		const char *q = memchr(p, '<', (size_t)(r->end - p));
		if (!q) {
			p = r->end;
			break;
		}
		if (q + 1 < r->end &&
		    (is_name_start((unsigned char)q[1]) || q[1] == '/' || q[1] == '!' || q[1] == '?')) {
			p = q;
			break;
		}
		p = q + 1;
	}
	t->type = XML_TEXT;
	t->start = r->p;
	t->text = r->p;
	t->text_len = (size_t)(p - r->p);
	t->end = p;
	r->p = p;
}

enum xml_type xml_next(struct xml_reader *r, struct xml_token *t)
{
	for (;;) {
		const char *p = r->p;

		t->empty = 0;
		if (r->pop_empty) {
			r->pop_empty = 0;
			pop(r, t);
			return t->type;
		}
		if (r->close_to) {
			pop(r, t);
			if (r->depth < r->close_to || r->depth == 0) {
				r->close_to = 0;
				t->end = r->p;
			}
			return t->type;
		}
		if (p >= r->end) {
			if (r->depth + r->overflow > 0) {
				r->errors++;
				r->mark = r->end;
				pop(r, t);
				return t->type;
			}
			t->type = XML_EOF;
			t->start = t->end = r->end;
			return XML_EOF;
		}
		t->start = p;
		if (*p != '<' || p + 1 >= r->end) {
			text(r, t);
			return t->type;
		}
		if (p[1] == '!' && r->end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			delimited(r, t, XML_COMMENT, 4, "-->");
		} else if (p[1] == '!' && r->end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			delimited(r, t, XML_CDATA, 9, "]]>");
		} else if (p[1] == '!') {
			declaration(r, t);
		} else if (p[1] == '?') {
			delimited(r, t, XML_PI, 2, "?>");
		} else if (p[1] == '/') {
			if (end_tag(r) && r->overflow) {
				pop(r, t);
				t->end = r->p;
				return t->type;
			}
			continue; /* ENDs, if any, come from close_to */
		} else if (is_name_start((unsigned char)p[1])) {
			start_tag(r, t);
			return t->type;
		} else {
			text(r, t);
			return t->type;
		}
		t->start = p;
		t->end = r->p;
		return t->type;
	}
}

const struct xml_attr *xml_attr_find(const struct xml_token *t, enum xml_ns ns,
				     const char *local)
{
	for (unsigned i = 0; i < t->nattr; i++) {
		const struct xml_attr *a = &t->attr[i];
		if (a->ns == ns && strcmp(a->name + a->local, local) == 0)
			return a;
	}
	return NULL;
}

void xml_out_init(struct xml_out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = size;
	o->len = 0;
	o->full = size == 0;
	if (size)
		buf[0] = '\0';
}

static void put_cp(struct xml_out *o, uint32_t cp)
{
	unsigned char enc[4];
	size_t n;

	if (cp == 0 || o->full)
		return;
	n = utf8_encode(cp, enc);
	if (n >= o->size - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, enc, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out(struct xml_out *o, const char *s, size_t n, int decode)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end && !o->full) {
		const unsigned char *run = p;
		uint32_t cp[2];
		unsigned ncp;
		size_t k;

		/* Copy runs of plain ASCII in one go. */
		while (p < end && *p < 0x80 && *p != 0 && !(decode && *p == '&'))
			p++;
		if (p > run) {
			size_t len = (size_t)(p - run);
			if (len >= o->size - o->len) {
				len = o->size - o->len - 1;
				o->full = 1;
			}
			memcpy(o->buf + o->len, run, len);
			o->len += len;
			o->buf[o->len] = '\0';
			continue;
		}
		if (p >= end)
			break;
		if (decode && *p == '&') {
			k = entity_decode((const char *)p, (const char *)end, cp, &ncp);
			if (k > 0) {
				for (unsigned i = 0; i < ncp; i++)
					put_cp(o, cp[i]);
				p += k;
				continue;
			}
			put_cp(o, '&');
			p++;
			continue;
		}
		if (*p == 0) {
			p++;
			continue;
		}
		k = utf8_decode(p, end, cp);
		put_cp(o, cp[0]);
		p += k;
	}
}

void xml_out_text(struct xml_out *o, const char *s, size_t n)
{
	out(o, s, n, 1);
}

void xml_out_raw(struct xml_out *o, const char *s, size_t n)
{
	out(o, s, n, 0);
}
