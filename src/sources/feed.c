/* SPDX-License-Identifier: MIT */
/* Feed parsing on top of the XML tokenizer and the JSON reader. Field
 * precedence follows the widely used tolerant readers; all state lives in one
 * static struct of fixed size. Must not allocate or keep pointers past a call. */
#include "feed.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/charset.h"
#include "core/date.h"
#include "core/dec.h"
#include "core/log.h"
#include "core/sha256.h"
#include "core/url.h"
#include "core/utf8.h"
#include "extract/html.h"
#include "core/jsonr.h"
#include "sources/xml.h"

enum field { F_ID, F_TITLE, F_LINK, F_AUTHOR, F_LANG, F_SUMMARY, F_CONTENT, F_PUBLISHED,
	     F_UPDATED, F_FEED_LANG, F_ENCLOSURE, F_CATEGORY, F_COUNT };

/* How an element's content becomes text. */
enum mode {
	M_PLAIN, /* text: entities decoded, markup dropped */
	M_HTML,	 /* the decoded text (or inline markup) is HTML */
	M_GUESS, /* RSS: HTML when it looks like HTML */
	M_XHTML, /* inline markup is the HTML */
};

struct scope_base {
	unsigned depth;
	char url[FEED_URL_BYTES];
};

struct scope_lang {
	unsigned depth;
	char lang[FEED_LANG_BYTES];
};

struct capture {
	int on;
	unsigned depth;
	enum field f;
	enum mode m;
	int rank;
	int children;
	const char *raw; /* first byte after the start tag */
	struct xml_out out;
};

/* A link's text before it is known to fit a link (link_text). */
#define FEED_LINK_TEXT_BYTES (FEED_URL_BYTES + 4)

static struct parser {
	struct xml_reader xr;
	struct xml_token tok;
	struct feed_entry e;
	struct capture cap;
	struct scope_base base[FEED_MAX_SCOPES];
	struct scope_lang lang[FEED_MAX_SCOPES];
	unsigned nbase, nlang;
	char feed_lang[FEED_LANG_BYTES];
	const char *base_url;
	int feedlike, atom;
	unsigned entry_depth, author_depth, skip_depth;
	int rank[F_COUNT];
	unsigned fdepth[F_COUNT];
	int id_is_link;
	char id_link[FEED_LINK_TEXT_BYTES]; /* the id as a link (set_id) */
	int title_cut;			     /* the title did not fit (title_seen) */
	unsigned char title_sum[32];	     /* then the hash of all of it */
	int count, stop;
	feed_entry_fn fn;
	void *ctx;
	char scratch[FEED_SCRATCH_BYTES];
	char convert[FEED_CONVERT_BYTES];
} P;

/* ---- text helpers ---- */

/* Copies src[0..n) into dst as valid UTF-8 with whitespace runs collapsed to
 * one space (or to '\n' when the run holds a newline and keep_nl is set),
 * trimmed, cut at a character boundary. When whole is not NULL, the text
 * goes on into that hash past the cut, all of it; returns its length then
 * (dst holds its first bytes), else as much as dst holds. */
static size_t put_text_hash(char *dst, size_t size, const char *src, size_t n, int keep_nl,
			    mbedtls_sha256_context *whole)
{
	const unsigned char *p = (const unsigned char *)src, *end = p + n;
	size_t o = 0, all = 0;
	int pending = 0; /* 0 none, 1 space, 2 newline */
	int cut = 0;

	while (p < end) {
		uint32_t cp;
		unsigned char enc[4];
		size_t k = utf8_decode(p, end, &cp), w;

		p += k;
		/* C0 controls other than white space are not XML characters:
		 * they vanish rather than split a word. */
		if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r' && cp != '\f' && cp != '\v')
			continue;
		if (utf8_is_space(cp)) {
			if (keep_nl && cp == '\n')
				pending = 2;
			else if (!pending)
				pending = 1;
			continue;
		}
		if (pending && all > 0) {
			char sep = pending == 2 ? '\n' : ' ';

			cut = cut || o + 1 >= size;
			if (!cut)
				dst[o++] = sep;
			if (whole)
				sha256_update(whole, &sep, 1);
			all++;
		}
		pending = 0;
		w = utf8_encode(cp, enc);
		cut = cut || w >= size - o;
		if (!cut) {
			memcpy(dst + o, enc, w);
			o += w;
		}
		if (whole)
			sha256_update(whole, enc, w);
		all += w;
		if (cut && !whole)
			break;
	}
	dst[o] = '\0';
	return all;
}

static void put_text(char *dst, size_t size, const char *src, size_t n, int keep_nl)
{
	(void)put_text_hash(dst, size, src, n, keep_nl, NULL);
}

/* A link's text, whitespace collapsed, into text (FEED_LINK_TEXT_BYTES):
 * 0 when it fits a link (FEED_URL_BYTES), -ENOSPC when it is longer. A link
 * cut short names another page, and links cut the same way would share one
 * key in the seen-set, so all but the first article were never delivered:
 * a link too long is left out (the entry's id keys it) rather than cut. */
static int link_text(char text[FEED_LINK_TEXT_BYTES], const char *src, size_t n)
{
	/* Cut at a character boundary with 4 bytes to spare, text holds at
	 * least FEED_URL_BYTES bytes when the link is longer than a link. */
	put_text(text, FEED_LINK_TEXT_BYTES, src, n, 0);
	return strlen(text) >= FEED_URL_BYTES ? -ENOSPC : 0;
}

/* Appends " sha256:" and sum in hex to id, at most FEED_ID_BYTES - 1 bytes
 * long, in a buffer of FEED_ID_FIELD_BYTES. */
static void id_hashed(char *id, const unsigned char sum[32])
{
	size_t o = strlen(id);

	_Static_assert(FEED_ID_HASH_BYTES == sizeof(" sha256:") - 1 + 64,
		       "the hash's room in an id");
	memcpy(id + o, " sha256:", 8);
	sha256_hex(sum, id + o + 8);
}

/* Sets the entry's id from its text src[0..n), decoded; cut says the text
 * was cut before it came here (longer than the scratch), raw[0..raw_n)
 * being the value as the document has it. An id of fewer than
 * FEED_ID_BYTES bytes once put_text made it one line is kept so, the key
 * it always had. A cut id keyed every id alike in its first bytes alike
 * (ids like "tag:example.com,2026:" and a long common part: all but the
 * first article were never delivered), so a longer one keeps what fits,
 * then " sha256:" and the hex SHA-256 of its whole text (and of raw after
 * a NUL, which no text holds, when even that was cut): longer than any id
 * kept whole, it equals no other id. The text as a link goes to
 * P.id_link, whole or not at all (link_text), for a guid that is the
 * permalink. Returns 0, or -ENOENT when the id is blank (nothing changes:
 * a blank id must not erase one found before). */
static int set_id(const char *src, size_t n, int cut, const char *raw, size_t raw_n)
{
	char id[FEED_ID_FIELD_BYTES];
	mbedtls_sha256_context sha;
	unsigned char sum[32];
	size_t len;

	sha256_start(&sha);
	len = put_text_hash(id, FEED_ID_BYTES, src, n, 0, &sha);
	if (cut) {
		sha256_update(&sha, "", 1);
		sha256_update(&sha, raw, raw_n);
	}
	sha256_finish(&sha, sum);
	if (len == 0 && !cut)
		return -ENOENT;
	if (len >= FEED_ID_BYTES || cut)
		id_hashed(id, sum);
	memcpy(P.e.id, id, strlen(id) + 1);
	if (link_text(P.id_link, src, n) < 0)
		P.id_link[0] = '\0';
	return 0;
}

/* The entry's title came from src[0..n) (as its renderer read it; cut and
 * raw as for set_id); title_cut says whether it was cut to its field. */
static void title_seen(const char *src, size_t n, int title_cut, int cut, const char *raw,
		       size_t raw_n)
{
	mbedtls_sha256_context sha;

	P.title_cut = title_cut;
	if (!title_cut)
		return;
	sha256_start(&sha);
	sha256_update(&sha, src, n);
	if (cut) {
		sha256_update(&sha, "", 1);
		sha256_update(&sha, raw, raw_n);
	}
	sha256_finish(&sha, P.title_sum);
}

/* An entry with neither id nor link is keyed by its title (source.c). Cut
 * to its field, titles alike in their first bytes gave one key (all but
 * the first article never delivered): such an entry gets an id as a long
 * one is kept (set_id), the title's first bytes and the hash of all of it.
 * A title that fits gives none: its key stays what it was. */
static void title_id(void)
{
	struct feed_entry *e = &P.e;

	if (e->id[0] || e->link[0] || !P.title_cut)
		return;
	put_text(e->id, FEED_ID_BYTES, e->title, strlen(e->title), 0);
	id_hashed(e->id, P.title_sum);
}

/* UTF-8 that was encoded to UTF-8 a second time ("FÃ³rmula" for
 * "Fórmula"), as some publishing tools do: when every character of s is
 * below U+0100, some above U+007F, and those bytes form valid UTF-8, the
 * text is decoded once more in place (it only gets shorter). */
static void repair_double_utf8(char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	unsigned char bytes[FEED_TITLE_BYTES];
	size_t n = 0, i = 0;
	int high = 0;

	while (p < end) {
		uint32_t cp;
		p += utf8_decode(p, end, &cp);
		if (cp > 0xFF || n >= sizeof(bytes))
			return;
		high |= cp >= 0x80;
		bytes[n++] = (unsigned char)cp;
	}
	if (!high)
		return;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(bytes + i, bytes + n, &cp);
		if (cp == UTF8_REPLACEMENT && k == 1)
			return; /* not UTF-8 underneath: genuine Latin-1 text */
		i += k;
	}
	memcpy(s, bytes, n);
	s[n] = '\0';
}

/* feedparser's test: a close tag or an entity reference, and no tag outside
 * the common HTML element set. Titles like "AT&T" or "a < b" stay text. */
static int looks_like_html(const char *s, size_t n)
{
	static const char *const tags[] = {
		"a", "abbr", "acronym", "address", "b", "big", "blockquote", "br", "cite",
		"code", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4",
		"h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s",
		"small", "span", "strike", "strong", "sub", "sup", "table", "td", "th", "tr",
		"tt", "u", "ul", "var",
	};
	int close_or_ref = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<' && i + 1 < n) {
			size_t j = i + 1, k;
			char name[16];
			int known = 0;

			if (s[j] == '/')
				j++;
			for (k = 0; j < n && k + 1 < sizeof(name) &&
				    ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
				     (s[j] >= '0' && s[j] <= '9'));
			     j++)
				name[k++] = utf8_ascii_lower(s[j]);
			name[k] = '\0';
			if (k == 0)
				continue;
			for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++)
				known |= strcmp(tags[t], name) == 0;
			if (!known)
				return 0;
			if (s[i + 1] == '/' && j < n && s[j] == '>')
				close_or_ref = 1;
		} else if (s[i] == '&' && i + 2 < n) {
			size_t j = i + 1;
			if (s[j] == '#')
				j++;
			while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
					 (s[j] >= '0' && s[j] <= '9')))
				j++;
			if (j > i + 1 && j < n && s[j] == ';')
				close_or_ref = 1;
		}
	}
	return close_or_ref;
}

/* ---- scopes: xml:base and xml:lang ---- */

static const char *current_base(void)
{
	if (P.nbase)
		return P.base[P.nbase - 1].url;
	return P.base_url ? P.base_url : "";
}

static const char *current_lang(void)
{
	return P.nlang ? P.lang[P.nlang - 1].lang : "";
}

static void scopes_open(const struct xml_token *t)
{
	const struct xml_attr *a = xml_attr_find(t, XML_NS_XML, "base");
	struct xml_out o;
	char ref[FEED_URL_BYTES];

	if (a && P.nbase < FEED_MAX_SCOPES) {
		xml_out_init(&o, ref, sizeof(ref));
		xml_out_text(&o, a->val, a->val_len);
		if (url_resolve(current_base(), ref, P.base[P.nbase].url, FEED_URL_BYTES) == 0) {
			P.base[P.nbase].depth = t->depth;
			P.nbase++;
		}
	}
	a = xml_attr_find(t, XML_NS_XML, "lang");
	if (a && P.nlang < FEED_MAX_SCOPES) {
		xml_out_init(&o, ref, sizeof(ref));
		xml_out_text(&o, a->val, a->val_len);
		put_text(P.lang[P.nlang].lang, FEED_LANG_BYTES, o.buf, o.len, 0);
		P.lang[P.nlang].depth = t->depth;
		P.nlang++;
	}
}

static void scopes_close(unsigned depth)
{
	while (P.nbase && P.base[P.nbase - 1].depth >= depth)
		P.nbase--;
	while (P.nlang && P.lang[P.nlang - 1].depth >= depth)
		P.nlang--;
}

/* ---- entries ---- */

static void entry_reset(void)
{
	struct feed_entry *e = &P.e;

	e->id[0] = e->title[0] = e->link[0] = e->author[0] = e->lang[0] = '\0';
	e->categories[0] = '\0';
	e->summary[0] = e->content[0] = '\0';
	e->published = e->updated = 0;
	e->has_published = e->has_updated = 0;
	e->nenclosures = 0;
	for (int f = 0; f < F_FEED_LANG; f++) {
		P.rank[f] = 1000;
		P.fdepth[f] = 0;
	}
	P.id_is_link = 0;
	P.id_link[0] = '\0';
	P.title_cut = 0;
	P.author_depth = P.skip_depth = 0;
}

/* A value of rank r found at depth d replaces the current one when it ranks
 * better, or equally and not deeper (later wins, nested copies do not). */
static int accepts(enum field f, int rank, unsigned depth)
{
	return rank < P.rank[f] || (rank == P.rank[f] && depth <= P.fdepth[f]);
}

static void taken(enum field f, int rank, unsigned depth)
{
	P.rank[f] = rank;
	P.fdepth[f] = depth;
}

static void entry_begin(unsigned depth)
{
	entry_reset();
	P.entry_depth = depth;
	put_text(P.e.lang, sizeof(P.e.lang), current_lang(), strlen(current_lang()), 0);
}

static void entry_end(void)
{
	struct feed_entry *e = &P.e;

	if (!e->link[0] && P.id_is_link && P.id_link[0])
		memcpy(e->link, P.id_link, strlen(P.id_link) + 1);
	if (!e->lang[0])
		put_text(e->lang, sizeof(e->lang), P.feed_lang, strlen(P.feed_lang), 0);
	title_id();
	P.entry_depth = 0;
	P.count++;
	if (P.fn(e, P.ctx) != 0)
		P.stop = 1;
}

static void enclosure_add(const char *url, size_t url_len, const char *type, size_t type_len,
			  const char *length, size_t length_len)
{
	struct feed_enclosure *x;
	char ref[FEED_URL_BYTES];
	struct xml_out o;
	uint64_t v;
	size_t i;

	if (P.e.nenclosures >= FEED_MAX_ENCLOSURES || url_len == 0)
		return;
	x = &P.e.enclosure[P.e.nenclosures];
	xml_out_init(&o, ref, sizeof(ref));
	xml_out_text(&o, url, url_len);
	if (url_resolve(current_base(), ref, x->url, sizeof(x->url)) < 0 || !x->url[0])
		return;
	xml_out_init(&o, ref, sizeof(ref));
	xml_out_text(&o, type, type_len);
	put_text(x->type, sizeof(x->type), ref, o.len, 0);
	x->length = -1;
	for (i = 0; i < length_len && length[i] == ' '; i++)
		;
	/* Digits, maybe followed by a unit some feeds add; a length past
	 * 64 bits is no byte count: unknown. */
	if (dec_read(length + i, length_len - i, INT64_MAX, &v, NULL) == 0)
		x->length = (int64_t)v;
	P.e.nenclosures++;
}

/* Adds one category (text, len bytes, made plain text here) to the entry's
 * list, one a line; a blank one or one that no longer fits is dropped. */
static void category_add(const char *text, size_t len)
{
	struct feed_entry *e = &P.e;
	char one[FEED_CATEGORIES_BYTES];
	size_t used = strlen(e->categories), n;

	put_text(one, sizeof(one), text, len, 0);
	n = strlen(one);
	if (!n || used + (used ? 1 : 0) + n >= sizeof(e->categories))
		return;
	if (used)
		e->categories[used++] = '\n';
	memcpy(e->categories + used, one, n + 1);
}

/* ---- captures: one element's content at a time ---- */

static void capture_begin(const struct xml_token *t, enum field f, enum mode m, int rank)
{
	if (f != F_FEED_LANG && f != F_ENCLOSURE && f != F_CATEGORY &&
	    !accepts(f, rank, t->depth))
		return;
	P.cap.on = 1;
	P.cap.depth = t->depth;
	P.cap.f = f;
	P.cap.m = m;
	P.cap.rank = rank;
	P.cap.children = 0;
	P.cap.raw = t->end;
	xml_out_init(&P.cap.out, P.scratch, sizeof(P.scratch));
}

static char *field_buf(enum field f, size_t *size)
{
	struct feed_entry *e = &P.e;

	switch (f) {
	case F_ID: *size = sizeof(e->id); return e->id;
	case F_TITLE: *size = sizeof(e->title); return e->title;
	case F_LINK: *size = sizeof(e->link); return e->link;
	case F_AUTHOR: *size = sizeof(e->author); return e->author;
	case F_LANG: *size = sizeof(e->lang); return e->lang;
	case F_SUMMARY: *size = sizeof(e->summary); return e->summary;
	case F_CONTENT: *size = sizeof(e->content); return e->content;
	case F_FEED_LANG: *size = sizeof(P.feed_lang); return P.feed_lang;
	case F_PUBLISHED:
	case F_UPDATED:
	case F_ENCLOSURE:
	case F_CATEGORY:
	case F_COUNT:
	default: *size = 0; return NULL;
	}
}

/* Puts HTML src[0..n) into dst as plain text; one line unless keep_nl.
 * Returns 1 when the text may have been cut to size, else 0: html_to_text
 * stops at the first piece (at most 4 bytes) that does not fit. */
static int put_html(char *dst, size_t size, const char *src, size_t n, int keep_nl)
{
	long r = html_to_text(src, n, dst, size);

	if (r < 0) {
		dst[0] = '\0';
		return 0;
	}
	if (!keep_nl) {
		/* in place: put_text never writes ahead of where it reads */
		put_text(dst, size, dst, (size_t)r, 0);
	}
	return (size_t)r + 4 >= size;
}

static void capture_end(const struct xml_token *t)
{
	struct capture *c = &P.cap;
	const char *src = c->out.buf;
	/* The element's own bytes in the document, markup and all. */
	size_t raw_n = t->start > c->raw ? (size_t)(t->start - c->raw) : 0;
	size_t n = c->out.len, size;
	int html = 0, keep_nl;
	char *dst;

	c->on = 0;
	if (c->m == M_XHTML || (c->children && (c->m == M_HTML || c->m == M_GUESS))) {
		/* Inline markup: the element's own bytes are the HTML. */
		src = c->raw;
		n = raw_n;
		html = 1;
	} else if (c->m == M_HTML) {
		html = 1;
	} else if (c->m == M_GUESS) {
		html = looks_like_html(src, n);
	}
	if (c->f == F_PUBLISHED || c->f == F_UPDATED) {
		int64_t v;
		if (date_parse(src, n, &v) < 0)
			return;
		if (c->f == F_PUBLISHED) {
			P.e.published = v;
			P.e.has_published = 1;
		} else {
			P.e.updated = v;
			P.e.has_updated = 1;
		}
		taken(c->f, c->rank, c->depth);
		return;
	}
	if (c->f == F_ENCLOSURE) {
		/* <enclosure>URL</enclosure>: the URL given as text. */
		char url[FEED_URL_BYTES];
		put_text(url, sizeof(url), src, n, 0);
		enclosure_add(url, strlen(url), "", 0, "", 0);
		return;
	}
	if (c->f == F_CATEGORY) {
		category_add(src, n);
		return;
	}
	if (c->f == F_ID) {
		if (set_id(src, n, c->out.full, c->raw, raw_n) == 0)
			taken(F_ID, c->rank, c->depth);
		return;
	}
	dst = field_buf(c->f, &size);
	if (!dst)
		return;
	keep_nl = c->f == F_SUMMARY || c->f == F_CONTENT;
	if (c->f == F_LINK) {
		char text[FEED_LINK_TEXT_BYTES];
		/* An origLink that is no web URL leaves <link> in place. */
		if (link_text(text, src, n) < 0 || !text[0] || (c->rank < 0 && !url_is_http(text)) ||
		    url_resolve(current_base(), text, dst, size) < 0)
			return;
	} else {
		/* An element that turns out empty must not erase a value found
		 * before: when there is one, write into the free end of the
		 * scratch buffer first (it holds at most the source). */
		size_t used = src == P.scratch ? n + 1 : 0;
		char *tmp = dst;
		int cut;

		if (dst[0] && sizeof(P.scratch) - used >= size)
			tmp = P.scratch + used;
		if (html)
			cut = put_html(tmp, size, src, n, keep_nl);
		else
			cut = put_text_hash(tmp, size, src, n, keep_nl, NULL) >= size;
		if (!tmp[0])
			return;
		if (tmp != dst)
			memcpy(dst, tmp, strlen(tmp) + 1);
		if (c->f == F_TITLE)
			title_seen(src, n, cut, src == P.scratch && c->out.full, c->raw, raw_n);
		if (c->f == F_TITLE || c->f == F_AUTHOR)
			repair_double_utf8(dst);
	}
	if (c->f != F_FEED_LANG)
		taken(c->f, c->rank, c->depth);
}

/* ---- element dispatch ---- */

static int is_local(const struct xml_token *t, const char *name)
{
	return strcmp(t->name + t->local, name) == 0;
}

static int rssish(enum xml_ns ns)
{
	return ns == XML_NS_NONE || ns == XML_NS_RSS10 || ns == XML_NS_RSS090;
}

static int atomish(enum xml_ns ns)
{
	return ns == XML_NS_ATOM || ns == XML_NS_ATOM03 || (ns == XML_NS_NONE && P.atom);
}

static int attr_is(const struct xml_attr *a, const char *v)
{
	size_t n = strlen(v), i = 0, len;
	const char *s;

	if (!a)
		return 0;
	s = a->val;
	len = a->val_len;
	while (i < len && s[i] == ' ')
		i++;
	while (len > i && s[len - 1] == ' ')
		len--;
	return len - i == n && strncasecmp(s + i, v, n) == 0;
}

/* Atom text construct type (and Atom 0.3 mode) to how we read it. */
static enum mode atom_mode(const struct xml_token *t, enum mode dflt)
{
	const struct xml_attr *type = xml_attr_find(t, XML_NS_NONE, "type");
	const struct xml_attr *mode = xml_attr_find(t, XML_NS_NONE, "mode");

	if (attr_is(mode, "xml"))
		return M_XHTML;
	if (attr_is(type, "xhtml") || attr_is(type, "application/xhtml+xml"))
		return M_XHTML;
	if (attr_is(type, "html") || attr_is(type, "text/html") || attr_is(mode, "escaped"))
		return M_HTML;
	if (!type || attr_is(type, "text") || attr_is(type, "text/plain"))
		return dflt;
	return M_PLAIN;
}

static void atom_link(const struct xml_token *t)
{
	const struct xml_attr *href = xml_attr_find(t, XML_NS_NONE, "href");
	const struct xml_attr *rel = xml_attr_find(t, XML_NS_NONE, "rel");
	const struct xml_attr *type = xml_attr_find(t, XML_NS_NONE, "type");
	const struct xml_attr *len = xml_attr_find(t, XML_NS_NONE, "length");
	char ref[FEED_URL_BYTES];
	struct xml_out o;

	if (!href)
		href = xml_attr_find(t, XML_NS_NONE, "url");
	if (!href) {
		if (attr_is(rel, "enclosure"))
			capture_begin(t, F_ENCLOSURE, M_PLAIN, 0);
		return;
	}
	if (attr_is(rel, "enclosure")) {
		enclosure_add(href->val, href->val_len, type ? type->val : "", type ? type->val_len : 0,
			      len ? len->val : "", len ? len->val_len : 0);
		return;
	}
	if (rel && !attr_is(rel, "alternate"))
		return;
	if (type && !attr_is(type, "text/html") && !attr_is(type, "application/xhtml+xml") &&
	    !attr_is(type, "html") && !attr_is(type, "xhtml"))
		return;
	if (!accepts(F_LINK, 0, t->depth))
		return;
	xml_out_init(&o, ref, sizeof(ref));
	xml_out_text(&o, href->val, href->val_len);
	if (o.full) /* too long for a link: left out, not cut (link_text) */
		return;
	if (url_resolve(current_base(), ref, P.e.link, sizeof(P.e.link)) == 0 && P.e.link[0])
		taken(F_LINK, 0, t->depth);
}

static void entry_start(const struct xml_token *t)
{
	enum xml_ns ns = t->ns;
	const char *l = t->name + t->local;

	/* Unprefixed elements under an unknown default namespace are the
	 * feed's own (is_entry_element took their item as an entry). */
	if (ns == XML_NS_OTHER && t->local == 0)
		ns = XML_NS_NONE;
	if (P.author_depth) {
		if (strcmp(l, "name") == 0)
			capture_begin(t, F_AUTHOR, M_PLAIN, 0);
		else if (strcmp(l, "email") == 0)
			capture_begin(t, F_AUTHOR, M_PLAIN, 1);
		return;
	}
	if ((ns == XML_NS_ATOM || ns == XML_NS_ATOM03 || P.atom) &&
	    (strcmp(l, "source") == 0 || strcmp(l, "contributor") == 0)) {
		P.skip_depth = t->depth;
		return;
	}
	if (strcmp(l, "author") == 0 && atomish(ns)) {
		P.author_depth = t->depth;
		return;
	}
	switch (ns) {
	case XML_NS_CONTENT:
		if (strcmp(l, "encoded") == 0)
			capture_begin(t, F_CONTENT, M_HTML, 0);
		return;
	case XML_NS_DC:
		if (strcmp(l, "title") == 0)
			capture_begin(t, F_TITLE, M_GUESS, 1);
		else if (strcmp(l, "creator") == 0)
			capture_begin(t, F_AUTHOR, M_PLAIN, 0);
		else if (strcmp(l, "subject") == 0)
			capture_begin(t, F_CATEGORY, M_PLAIN, 0);
		else if (strcmp(l, "date") == 0)
			capture_begin(t, F_UPDATED, M_PLAIN, 0);
		else if (strcmp(l, "description") == 0)
			capture_begin(t, F_SUMMARY, M_HTML, 1);
		else if (strcmp(l, "language") == 0)
			capture_begin(t, F_LANG, M_PLAIN, 0);
		else if (strcmp(l, "identifier") == 0)
			capture_begin(t, F_ID, M_PLAIN, 1);
		return;
	case XML_NS_DCTERMS:
		if (strcmp(l, "issued") == 0)
			capture_begin(t, F_PUBLISHED, M_PLAIN, 0);
		else if (strcmp(l, "modified") == 0)
			capture_begin(t, F_UPDATED, M_PLAIN, 0);
		return;
	case XML_NS_MEDIA:
		if (strcmp(l, "title") == 0)
			capture_begin(t, F_TITLE, attr_is(xml_attr_find(t, XML_NS_NONE, "type"), "html") ? M_HTML : M_PLAIN, 2);
		else if (strcmp(l, "description") == 0)
			capture_begin(t, F_SUMMARY, attr_is(xml_attr_find(t, XML_NS_NONE, "type"), "html") ? M_HTML : M_PLAIN, 3);
		return;
	case XML_NS_ITUNES:
		if (strcmp(l, "summary") == 0)
			capture_begin(t, F_SUMMARY, M_PLAIN, 2);
		else if (strcmp(l, "author") == 0)
			capture_begin(t, F_AUTHOR, M_PLAIN, 2);
		return;
	case XML_NS_XHTML:
		if (strcmp(l, "body") == 0)
			capture_begin(t, F_CONTENT, M_XHTML, 1);
		return;
	case XML_NS_FEEDBURNER:
		/* The publisher's own link, where <link> is FeedBurner's
		 * redirect: it goes first, so that the same article read
		 * directly and through FeedBurner has one URL. */
		if (strcmp(l, "origLink") == 0)
			capture_begin(t, F_LINK, M_PLAIN, -1);
		return;
	case XML_NS_ATOM:
	case XML_NS_ATOM03:
	case XML_NS_NONE:
	case XML_NS_RSS10:
	case XML_NS_RSS090:
		break;
	case XML_NS_OTHER:
	case XML_NS_RDF:
	case XML_NS_XML:
	case XML_NS_XMLNS:
	default:
		return;
	}
	if (strcmp(l, "title") == 0) {
		capture_begin(t, F_TITLE, atomish(ns) ? atom_mode(t, M_PLAIN) : M_GUESS, 0);
	} else if (strcmp(l, "link") == 0) {
		if (xml_attr_find(t, XML_NS_NONE, "href") ||
		    attr_is(xml_attr_find(t, XML_NS_NONE, "rel"), "enclosure"))
			atom_link(t);
		else if (rssish(ns))
			capture_begin(t, F_LINK, M_PLAIN, 0);
	} else if (strcmp(l, "guid") == 0 || (strcmp(l, "id") == 0 && atomish(ns))) {
		if (accepts(F_ID, 0, t->depth)) {
			const struct xml_attr *pl = xml_attr_find(t, XML_NS_NONE, "isPermaLink");
			P.id_is_link = !attr_is(pl, "false");
		}
		capture_begin(t, F_ID, M_PLAIN, 0);
	} else if (strcmp(l, "pubDate") == 0 || strcmp(l, "published") == 0 ||
		   (strcmp(l, "issued") == 0 && atomish(ns))) {
		capture_begin(t, F_PUBLISHED, M_PLAIN, 0);
	} else if ((strcmp(l, "updated") == 0 || strcmp(l, "modified") == 0) && atomish(ns)) {
		capture_begin(t, F_UPDATED, M_PLAIN, 0);
	} else if (strcmp(l, "description") == 0 && rssish(ns)) {
		capture_begin(t, F_SUMMARY, M_HTML, 0);
	} else if (strcmp(l, "summary") == 0 && atomish(ns)) {
		capture_begin(t, F_SUMMARY, atom_mode(t, M_PLAIN), 0);
	} else if (strcmp(l, "content") == 0 && atomish(ns)) {
		if (!xml_attr_find(t, XML_NS_NONE, "src"))
			capture_begin(t, F_CONTENT, atom_mode(t, M_PLAIN), 0);
	} else if (strcmp(l, "author") == 0) {
		capture_begin(t, F_AUTHOR, M_PLAIN, 0);
	} else if (strcmp(l, "language") == 0) {
		capture_begin(t, F_LANG, M_PLAIN, 0);
	} else if (strcmp(l, "category") == 0) {
		/* Atom: <category term="..."/>; RSS: <category>text</category>. */
		const struct xml_attr *term = xml_attr_find(t, XML_NS_NONE, "term");

		if (term && atomish(ns)) {
			struct xml_out o;
			char tmp[FEED_CATEGORIES_BYTES];

			xml_out_init(&o, tmp, sizeof(tmp));
			xml_out_text(&o, term->val, term->val_len);
			category_add(tmp, o.len);
		} else if (rssish(ns)) {
			capture_begin(t, F_CATEGORY, M_PLAIN, 0);
		}
	} else if (strcmp(l, "enclosure") == 0) {
		const struct xml_attr *u = xml_attr_find(t, XML_NS_NONE, "url");
		const struct xml_attr *ty = xml_attr_find(t, XML_NS_NONE, "type");
		const struct xml_attr *ln = xml_attr_find(t, XML_NS_NONE, "length");
		if (u)
			enclosure_add(u->val, u->val_len, ty ? ty->val : "", ty ? ty->val_len : 0,
				      ln ? ln->val : "", ln ? ln->val_len : 0);
		else
			capture_begin(t, F_ENCLOSURE, M_PLAIN, 0);
	}
}

static int is_entry_element(const struct xml_token *t)
{
	switch (t->ns) {
	case XML_NS_OTHER:
		/* An unknown default namespace still holds the feed's own
		 * items; a prefixed extension element ("foo:item") does not. */
		if (t->local != 0)
			return 0;
		return is_local(t, "item") || is_local(t, "entry");
	case XML_NS_NONE:
	case XML_NS_ATOM:
	case XML_NS_ATOM03:
	case XML_NS_RSS10:
	case XML_NS_RSS090:
		return is_local(t, "item") || is_local(t, "entry");
	default:
		return 0;
	}
}

static void on_start(const struct xml_token *t)
{
	scopes_open(t);
	if (P.cap.on) {
		P.cap.children = 1;
		return;
	}
	if (P.skip_depth)
		return;
	if (!P.feedlike) {
		if (is_local(t, "rss") || is_local(t, "RDF") || is_local(t, "channel")) {
			P.feedlike = 1;
		} else if (is_local(t, "feed")) {
			P.feedlike = 1;
			P.atom = 1;
		} else if (is_local(t, "entry") &&
			   (t->ns == XML_NS_ATOM || t->ns == XML_NS_ATOM03)) {
			/* An Atom entry document: a feed of one. */
			P.feedlike = 1;
			P.atom = 1;
			entry_begin(t->depth);
		}
		return;
	}
	if (!P.entry_depth) {
		if (is_entry_element(t)) {
			const struct xml_attr *about = xml_attr_find(t, XML_NS_RDF, "about");
			entry_begin(t->depth);
			if (about) {
				/* No capture runs: the scratch is free. */
				struct xml_out o;
				xml_out_init(&o, P.scratch, sizeof(P.scratch));
				xml_out_text(&o, about->val, about->val_len);
				if (set_id(P.scratch, o.len, o.full, about->val, about->val_len) == 0)
					taken(F_ID, 1, t->depth);
			}
		} else if ((is_local(t, "language") && rssish(t->ns)) ||
			   (is_local(t, "language") && t->ns == XML_NS_DC)) {
			capture_begin(t, F_FEED_LANG, M_PLAIN, 0);
		}
		return;
	}
	entry_start(t);
}

static void on_end(const struct xml_token *t)
{
	if (P.cap.on && t->depth == P.cap.depth)
		capture_end(t);
	if (P.skip_depth && t->depth == P.skip_depth)
		P.skip_depth = 0;
	if (P.author_depth && t->depth == P.author_depth)
		P.author_depth = 0;
	if (P.entry_depth && t->depth == P.entry_depth && !P.cap.on)
		entry_end();
	scopes_close(t->depth);
}

static int parse_xml(const char *buf, size_t len)
{
	struct xml_token *t = &P.tok;

	xml_init(&P.xr, buf, len);
	while (!P.stop && xml_next(&P.xr, t) != XML_EOF) {
		switch (t->type) {
		case XML_START:
			on_start(t);
			break;
		case XML_END:
			on_end(t);
			break;
		case XML_TEXT:
			if (P.cap.on)
				xml_out_text(&P.cap.out, t->text, t->text_len);
			break;
		case XML_CDATA:
			if (P.cap.on)
				xml_out_raw(&P.cap.out, t->text, t->text_len);
			break;
		case XML_EOF:
		case XML_COMMENT:
		case XML_PI:
		case XML_DOCTYPE:
		default:
			break;
		}
	}
	if (!P.feedlike && P.count == 0)
		return -EBADMSG;
	return P.xr.errors ? 1 : 0;
}

/* ---- JSON Feed ---- */

static long json_text(struct jsonr *r, char *dst, size_t size)
{
	long n = jsonr_string(r, P.scratch, sizeof(P.scratch));

	if (n < 0)
		return jsonr_skip(r);
	put_text(dst, size, P.scratch, (size_t)n, 0);
	return 0;
}

/* An item's id (set_id) or title (f: F_ID or F_TITLE; title_seen, which
 * title_id needs should the title key the item). jsonr_string cuts without
 * saying so: a text that nearly fills the scratch counts as cut, its bytes
 * in the document hashed too. */
static long json_key_text(struct jsonr *r, enum field f)
{
	const char *raw;
	size_t raw_n, len;
	long n;
	int cut;

	(void)jsonr_peek(r);
	raw = r->p;
	n = jsonr_string(r, P.scratch, sizeof(P.scratch));
	if (n < 0)
		return jsonr_skip(r);
	raw_n = (size_t)(r->p - raw);
	cut = (size_t)n + 4 >= sizeof(P.scratch);
	if (f == F_ID) {
		(void)set_id(P.scratch, (size_t)n, cut, raw, raw_n);
		return 0;
	}
	len = put_text_hash(P.e.title, sizeof(P.e.title), P.scratch, (size_t)n, 0, NULL);
	title_seen(P.scratch, (size_t)n, len >= sizeof(P.e.title), cut, raw, raw_n);
	return 0;
}

static int json_date(struct jsonr *r, int64_t *v, int *has)
{
	long n = jsonr_string(r, P.scratch, sizeof(P.scratch));

	if (n < 0)
		return jsonr_skip(r);
	if (date_parse(P.scratch, (size_t)n, v) == 0)
		*has = 1;
	return 0;
}

static int json_author(struct jsonr *r)
{
	const char *k;
	size_t kl;
	int rc;

	if (jsonr_peek(r) == JSONR_ARRAY) {
		if (jsonr_enter(r, JSONR_ARRAY) < 0)
			return -EINVAL;
		while ((rc = jsonr_next_item(r)) == 1) {
			if (P.e.author[0] ? jsonr_skip(r) < 0 : json_author(r) < 0)
				return -EINVAL;
		}
		return rc;
	}
	if (jsonr_peek(r) != JSONR_OBJECT)
		return jsonr_skip(r);
	if (jsonr_enter(r, JSONR_OBJECT) < 0)
		return -EINVAL;
	while ((rc = jsonr_next_key(r, &k, &kl)) == 1) {
		if (jsonr_key_is(k, kl, "name") ? json_text(r, P.e.author, sizeof(P.e.author)) < 0
						: jsonr_skip(r) < 0)
			return -EINVAL;
	}
	return rc;
}

/* Enters the array at r; any other value is skipped. Returns 1 when
 * entered, 0 when skipped, or a negative errno for broken JSON. */
static int json_array(struct jsonr *r)
{
	if (jsonr_peek(r) != JSONR_ARRAY)
		return jsonr_skip(r) < 0 ? -EINVAL : 0;
	return jsonr_enter(r, JSONR_ARRAY) < 0 ? -EINVAL : 1;
}

/* JSON Feed tags: an array of strings. */
static int json_tags(struct jsonr *r)
{
	int rc = json_array(r);

	if (rc <= 0)
		return rc;
	while ((rc = jsonr_next_item(r)) == 1) {
		long n;

		if (jsonr_peek(r) != JSONR_STRING) {
			if (jsonr_skip(r) < 0)
				return -EINVAL;
			continue;
		}
		n = jsonr_string(r, P.scratch, sizeof(P.scratch));
		if (n < 0 && jsonr_skip(r) < 0)
			return -EINVAL;
		if (n > 0)
			category_add(P.scratch, (size_t)n);
	}
	return rc;
}

static int json_attachments(struct jsonr *r)
{
	int rc = json_array(r);

	if (rc <= 0)
		return rc;
	while ((rc = jsonr_next_item(r)) == 1) {
		char url[FEED_URL_BYTES], type[FEED_TYPE_BYTES];
		char length[24];
		const char *k;
		size_t kl;

		url[0] = type[0] = length[0] = '\0';
		if (jsonr_peek(r) != JSONR_OBJECT) {
			if (jsonr_skip(r) < 0)
				return -EINVAL;
			continue;
		}
		if (jsonr_enter(r, JSONR_OBJECT) < 0)
			return -EINVAL;
		while ((rc = jsonr_next_key(r, &k, &kl)) == 1) {
			long n = 0;
			if (jsonr_key_is(k, kl, "url"))
				n = jsonr_string(r, url, sizeof(url));
			else if (jsonr_key_is(k, kl, "mime_type"))
				n = jsonr_string(r, type, sizeof(type));
			else if (jsonr_key_is(k, kl, "size_in_bytes"))
				n = jsonr_string(r, length, sizeof(length));
			else
				n = jsonr_skip(r);
			if (n < 0 && jsonr_skip(r) < 0)
				return -EINVAL;
		}
		if (rc < 0)
			return rc;
		enclosure_add(url, strlen(url), type, strlen(type), length, strlen(length));
	}
	return rc;
}

static int json_item(struct jsonr *r, const char *home)
{
	const char *k;
	size_t kl;
	int rc, have_html = 0;
	char ext[FEED_URL_BYTES];

	ext[0] = '\0';
	entry_reset();
	put_text(P.e.lang, sizeof(P.e.lang), P.feed_lang, strlen(P.feed_lang), 0);
	if (jsonr_enter(r, JSONR_OBJECT) < 0)
		return -EINVAL;
	while ((rc = jsonr_next_key(r, &k, &kl)) == 1) {
		long n = 0;

		if (jsonr_key_is(k, kl, "id")) {
			n = json_key_text(r, F_ID);
		} else if (jsonr_key_is(k, kl, "url") || jsonr_key_is(k, kl, "external_url")) {
			int main_url = jsonr_key_is(k, kl, "url");
			char tmp[FEED_LINK_TEXT_BYTES];
			n = json_text(r, tmp, sizeof(tmp));
			/* too long for a link: left out, not cut (link_text) */
			if (n >= 0 && tmp[0] && strlen(tmp) < FEED_URL_BYTES)
				url_resolve(home, tmp, main_url ? P.e.link : ext,
					    main_url ? sizeof(P.e.link) : sizeof(ext));
		} else if (jsonr_key_is(k, kl, "title")) {
			n = json_key_text(r, F_TITLE);
		} else if (jsonr_key_is(k, kl, "content_html")) {
			n = jsonr_string(r, P.scratch, sizeof(P.scratch));
			if (n >= 0) {
				put_html(P.e.content, sizeof(P.e.content), P.scratch, (size_t)n, 1);
				have_html = 1;
			}
		} else if (jsonr_key_is(k, kl, "content_text")) {
			n = jsonr_string(r, P.scratch, sizeof(P.scratch));
			if (n >= 0 && !have_html)
				put_text(P.e.content, sizeof(P.e.content), P.scratch, (size_t)n, 1);
		} else if (jsonr_key_is(k, kl, "summary")) {
			n = json_text(r, P.e.summary, sizeof(P.e.summary));
		} else if (jsonr_key_is(k, kl, "date_published")) {
			n = json_date(r, &P.e.published, &P.e.has_published);
		} else if (jsonr_key_is(k, kl, "date_modified")) {
			n = json_date(r, &P.e.updated, &P.e.has_updated);
		} else if (jsonr_key_is(k, kl, "author") || jsonr_key_is(k, kl, "authors")) {
			n = json_author(r);
		} else if (jsonr_key_is(k, kl, "language")) {
			n = json_text(r, P.e.lang, sizeof(P.e.lang));
		} else if (jsonr_key_is(k, kl, "attachments")) {
			n = json_attachments(r);
		} else if (jsonr_key_is(k, kl, "tags")) {
			n = json_tags(r);
		} else {
			n = jsonr_skip(r);
		}
		if (n < 0)
			return -EINVAL;
	}
	if (rc < 0)
		return rc;
	if (!P.e.link[0] && ext[0])
		memcpy(P.e.link, ext, sizeof(ext));
	title_id();
	P.count++;
	if (P.fn(&P.e, P.ctx) != 0)
		P.stop = 1;
	return 0;
}

/* Two passes: feed-level fields first (they may follow "items"), then the
 * items one at a time. Returns 0, 1 when the JSON broke off, or -EBADMSG. */
static int parse_json(const char *buf, size_t len)
{
	struct jsonr r;
	const char *k;
	size_t kl;
	int rc, is_feed = 0;
	char home[FEED_URL_BYTES];

	snprintf(home, sizeof(home), "%s", P.base_url ? P.base_url : "");
	jsonr_init(&r, buf, len);
	if (jsonr_enter(&r, JSONR_OBJECT) < 0)
		return -EBADMSG;
	while ((rc = jsonr_next_key(&r, &k, &kl)) == 1) {
		long n;
		if (jsonr_key_is(k, kl, "version")) {
			n = jsonr_string(&r, P.scratch, 256);
			if (n > 0 && (strstr(P.scratch, "jsonfeed.org/version/") ||
				      strcmp(P.scratch, "1") == 0 || strncmp(P.scratch, "1.", 2) == 0))
				is_feed = 1;
		} else if (jsonr_key_is(k, kl, "language")) {
			n = json_text(&r, P.feed_lang, sizeof(P.feed_lang));
		} else if (jsonr_key_is(k, kl, "home_page_url")) {
			char ref[FEED_URL_BYTES];
			n = json_text(&r, ref, sizeof(ref));
			if (n >= 0 && ref[0] &&
			    url_resolve(P.base_url ? P.base_url : "", ref, home, sizeof(home)) < 0)
				home[0] = '\0';
		} else {
			n = jsonr_skip(&r);
		}
		if (n < 0) {
			rc = -EINVAL;
			break;
		}
	}
	if (!is_feed)
		return -EBADMSG;
	/* Item and attachment URLs resolve against the home page, which
	 * itself was resolved against the feed URL. */
	memcpy(P.base[0].url, home, sizeof(home));
	P.base[0].depth = 0;
	P.nbase = 1;
	jsonr_init(&r, buf, len);
	if (jsonr_enter(&r, JSONR_OBJECT) < 0)
		return -EBADMSG;
	while (!P.stop && (rc = jsonr_next_key(&r, &k, &kl)) == 1) {
		if (!jsonr_key_is(k, kl, "items") || jsonr_peek(&r) != JSONR_ARRAY) {
			if (jsonr_skip(&r) < 0)
				return 1;
			continue;
		}
		jsonr_enter(&r, JSONR_ARRAY);
		while (!P.stop && (rc = jsonr_next_item(&r)) == 1) {
			if (jsonr_peek(&r) != JSONR_OBJECT) {
				if (jsonr_skip(&r) < 0)
					return 1;
				continue;
			}
			if (json_item(&r, home) < 0)
				return 1;
		}
		if (rc < 0)
			return 1;
	}
	return rc < 0 ? 1 : 0;
}

/* ---- entry point ---- */

int feed_parse(const char *buf, size_t len, const char *base_url, const char *content_type,
	       unsigned flags, feed_entry_fn fn, void *ctx)
{
	const char *name = base_url ? base_url : "(feed)";
	enum charset cs;
	size_t skip, i;
	int rc, cut = 0;

	P.nbase = P.nlang = 0;
	P.feed_lang[0] = '\0';
	P.base_url = base_url;
	P.feedlike = P.atom = 0;
	P.entry_depth = P.author_depth = P.skip_depth = 0;
	P.cap.on = 0;
	P.count = P.stop = 0;
	P.fn = fn;
	P.ctx = ctx;
	entry_reset();

	cs = charset_detect(buf, len, content_type, &skip);
	buf += skip;
	len -= skip;
	if (cs != CHARSET_UTF8 && cs != CHARSET_UNKNOWN) {
		long n = charset_to_utf8(cs, buf, len, P.convert, sizeof(P.convert), NULL);
		if (n < 0) {
			n = (long)strlen(P.convert);
			cut = 1;
		}
		buf = P.convert;
		len = (size_t)n;
	}
	for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n');
	     i++)
		;
	if (i < len && buf[i] == '{')
		rc = parse_json(buf + i, len - i);
	else
		rc = parse_xml(buf, len);
	if (rc < 0)
		return rc;
	if ((rc > 0 || cut) && !(flags & FEED_QUIET)) {
		char shown[FEED_URL_BYTES];

		/* The URL after redirects: its query may hold a key or a token. */
		log_warnx("%s: feed is not well-formed%s; read %d entries",
			  base_url ? url_redact(base_url, shown, sizeof(shown)) : name,
			  cut ? " (cut: too large after conversion to UTF-8)" : "", P.count);
	}
	return P.count;
}
