/* SPDX-License-Identifier: MIT */
/* HTML tokenizer, the walk that turns tags and text into text blocks, and the
 * block-scoring content finder. Reads only through a bounded cursor over the
 * caller's bytes, writes only through the checked sink; tables are fixed. */
#include "html.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/charset.h"
#include "core/utf8.h"
#include "extract/entity.h"

/* ---- Tags ------------------------------------------------------------ */

enum {
	T_INLINE = 1 << 0,  /* phrasing content: no block break */
	T_BLOCK = 1 << 1,   /* ends the text block; gets a container node */
	T_VOID = 1 << 2,    /* no content, never pushed */
	T_NOISE = 1 << 3,   /* text inside is never kept */
	T_RAW = 1 << 4,     /* content read verbatim up to its end tag */
	T_HEADING = 1 << 5,
};

/* Sorted by name: looked up by bisection. */
#define HTML_TAGS(X) \
	X(a, T_INLINE) \
	X(abbr, T_INLINE) \
	X(address, T_BLOCK) \
	X(applet, T_NOISE) \
	X(area, T_VOID) \
	X(article, T_BLOCK) \
	X(aside, T_BLOCK|T_NOISE) \
	X(audio, T_NOISE) \
	X(b, T_INLINE) \
	X(base, T_VOID) \
	X(basefont, T_VOID) \
	X(bdi, T_INLINE) \
	X(bdo, T_INLINE) \
	X(big, T_INLINE) \
	X(blockquote, T_BLOCK) \
	X(body, T_BLOCK) \
	X(br, T_VOID) \
	X(button, T_NOISE) \
	X(canvas, T_NOISE) \
	X(caption, T_BLOCK) \
	X(center, T_BLOCK) \
	X(cite, T_INLINE) \
	X(code, T_INLINE) \
	X(col, T_VOID) \
	X(colgroup, 0) \
	X(data, T_INLINE) \
	X(datalist, T_NOISE) \
	X(dd, T_BLOCK) \
	X(del, T_INLINE) \
	X(details, T_BLOCK) \
	X(dfn, T_INLINE) \
	X(dialog, T_BLOCK|T_NOISE) \
	X(dir, T_BLOCK) \
	X(div, T_BLOCK) \
	X(dl, T_BLOCK) \
	X(dt, T_BLOCK) \
	X(em, T_INLINE) \
	X(embed, T_VOID|T_NOISE) \
	X(fieldset, T_BLOCK) \
	X(figcaption, T_BLOCK|T_NOISE) \
	X(figure, T_BLOCK) \
	X(font, T_INLINE) \
	X(footer, T_BLOCK|T_NOISE) \
	X(form, T_BLOCK) \
	X(frame, T_VOID) \
	X(frameset, T_NOISE) \
	X(h1, T_BLOCK|T_HEADING) \
	X(h2, T_BLOCK|T_HEADING) \
	X(h3, T_BLOCK|T_HEADING) \
	X(h4, T_BLOCK|T_HEADING) \
	X(h5, T_BLOCK|T_HEADING) \
	X(h6, T_BLOCK|T_HEADING) \
	X(head, 0) \
	X(header, T_BLOCK) \
	X(hgroup, T_BLOCK) \
	X(hr, T_VOID) \
	X(html, T_BLOCK) \
	X(i, T_INLINE) \
	X(iframe, T_RAW|T_NOISE) \
	X(img, T_VOID) \
	X(input, T_VOID) \
	X(ins, T_INLINE) \
	X(kbd, T_INLINE) \
	X(keygen, T_VOID) \
	X(label, T_NOISE) \
	X(legend, T_BLOCK) \
	X(li, T_BLOCK) \
	X(link, T_VOID) \
	X(listing, T_BLOCK) \
	X(main, T_BLOCK) \
	X(map, T_NOISE) \
	X(mark, T_INLINE) \
	X(math, T_NOISE) \
	X(menu, T_BLOCK|T_NOISE) \
	X(meta, T_VOID) \
	X(meter, T_NOISE) \
	X(nav, T_BLOCK|T_NOISE) \
	X(nobr, T_INLINE) \
	X(noembed, T_RAW|T_NOISE) \
	X(noframes, T_RAW|T_NOISE) \
	X(noscript, T_RAW|T_NOISE) \
	X(object, T_NOISE) \
	X(ol, T_BLOCK) \
	X(optgroup, T_NOISE) \
	X(option, T_NOISE) \
	X(output, T_NOISE) \
	X(p, T_BLOCK) \
	X(param, T_VOID) \
	X(picture, T_INLINE) \
	X(plaintext, T_RAW) \
	X(pre, T_BLOCK) \
	X(progress, T_NOISE) \
	X(q, T_INLINE) \
	X(rp, T_NOISE) \
	X(rt, T_INLINE) \
	X(ruby, T_INLINE) \
	X(s, T_INLINE) \
	X(samp, T_INLINE) \
	X(script, T_RAW|T_NOISE) \
	X(search, T_BLOCK|T_NOISE) \
	X(section, T_BLOCK) \
	X(select, T_NOISE) \
	X(small, T_INLINE) \
	X(source, T_VOID) \
	X(span, T_INLINE) \
	X(strike, T_INLINE) \
	X(strong, T_INLINE) \
	X(style, T_RAW|T_NOISE) \
	X(sub, T_INLINE) \
	X(summary, T_BLOCK) \
	X(sup, T_INLINE) \
	X(svg, T_NOISE) \
	X(table, T_BLOCK) \
	X(tbody, T_BLOCK) \
	X(td, T_BLOCK) \
	X(template, T_NOISE) \
	X(textarea, T_RAW|T_NOISE) \
	X(tfoot, T_BLOCK) \
	X(th, T_BLOCK) \
	X(thead, T_BLOCK) \
	X(time, T_INLINE) \
	X(title, T_RAW) \
	X(tr, T_BLOCK) \
	X(track, T_VOID) \
	X(tt, T_INLINE) \
	X(u, T_INLINE) \
	X(ul, T_BLOCK) \
	X(var, T_INLINE) \
	X(video, T_NOISE) \
	X(wbr, T_VOID) \
	X(xmp, T_RAW|T_BLOCK)

#define X(n, f) TAG_##n,
enum tag_id { TAG_UNKNOWN, HTML_TAGS(X) TAG_COUNT };
#undef X

struct tag_info {
	const char *name;
	unsigned flags;
};

#define X(n, f) {#n, f},
static const struct tag_info tags[] = {{"", 0}, HTML_TAGS(X)};
#undef X

static enum tag_id tag_lookup(const char *name)
{
	size_t lo = 1, hi = TAG_COUNT;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, tags[mid].name);

		if (c == 0)
			return (enum tag_id)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return TAG_UNKNOWN;
}

/* ---- Tokenizer --------------------------------------------------------- */

enum tok_kind { TOK_EOF, TOK_TEXT, TOK_CDATA, TOK_START, TOK_END, TOK_SKIP };

struct attr {
	char name[HTML_ATTR_NAME_BYTES];
	const char *val;
	size_t vlen;
};

struct token {
	enum tok_kind kind;
	enum tag_id id;
	unsigned flags;
	char name[HTML_TAG_NAME_BYTES];
	unsigned nattr;
	struct attr attr[HTML_MAX_ATTRS];
	/* TOK_TEXT/TOK_CDATA: the text; T_RAW start tags: their content. */
	const char *text;
	size_t tlen;
};

struct cursor {
	const char *p, *end;
};

static int is_alpha(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int is_tag_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static const char *find_str(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	while ((size_t)(end - p) >= n) {
		const char *q = memchr(p, s[0], (size_t)(end - p) - n + 1);

		if (!q)
			return NULL;
		if (memcmp(q, s, n) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

static void skip_past(struct cursor *c, const char *s)
{
	const char *q = find_str(c->p, c->end, s);

	c->p = q ? q + strlen(s) : c->end;
}

/* Reads a tag or attribute name, lower-cased and cut to size-1 bytes. A
 * name too long for the buffer is stored with a '?' so it matches nothing. */
static void read_name(struct cursor *c, char *buf, size_t size, int attr)
{
	size_t n = 0;
	int cut = 0;

	while (c->p < c->end) {
		char ch = *c->p;

		if (is_tag_space(ch) || ch == '/' || ch == '>' || (attr && ch == '=' && n > 0))
			break;
		if (n + 1 < size)
			buf[n++] = utf8_ascii_lower(ch);
		else
			cut = 1;
		c->p++;
	}
	if (cut && n > 0)
		buf[n - 1] = '?';
	buf[n] = '\0';
}

static void skip_spaces(struct cursor *c)
{
	while (c->p < c->end && is_tag_space(*c->p))
		c->p++;
}

/* Attributes up to and past '>'. Returns -1 when the input ends inside the
 * tag: HTML drops such a tag. */
static int read_attrs(struct cursor *c, struct token *t)
{
	t->nattr = 0;
	for (;;) {
		struct attr scratch, *a;

		while (c->p < c->end && (is_tag_space(*c->p) || *c->p == '/'))
			c->p++;
		if (c->p >= c->end)
			return -1;
		if (*c->p == '>') {
			c->p++;
			return 0;
		}
		a = t->nattr < HTML_MAX_ATTRS ? &t->attr[t->nattr] : &scratch;
		read_name(c, a->name, sizeof(a->name), 1);
		a->val = c->p;
		a->vlen = 0;
		skip_spaces(c);
		if (c->p < c->end && *c->p == '=') {
			c->p++;
			skip_spaces(c);
			if (c->p >= c->end)
				return -1;
			if (*c->p == '"' || *c->p == '\'') {
				const char *q = memchr(c->p + 1, *c->p, (size_t)(c->end - c->p - 1));

				if (!q)
					return -1;
				a->val = c->p + 1;
				a->vlen = (size_t)(q - a->val);
				c->p = q + 1;
			} else {
				a->val = c->p;
				while (c->p < c->end && !is_tag_space(*c->p) && *c->p != '>')
					c->p++;
				a->vlen = (size_t)(c->p - a->val);
			}
		}
		if (a != &scratch)
			t->nattr++;
	}
}

/* Finds "</name" followed by a space, '/' or '>' (any case) from p. */
static const char *find_end_tag(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	while (p < end) {
		const char *q = memchr(p, '<', (size_t)(end - p));
		size_t i;

		if (!q)
			return NULL;
		if ((size_t)(end - q) < n + 2 || q[1] != '/') {
			p = q + 1;
			continue;
		}
		for (i = 0; i < n && utf8_ascii_lower(q[2 + i]) == name[i]; i++)
			;
		if (i == n && ((size_t)(end - q) == n + 2 || is_tag_space(q[2 + n]) ||
			       q[2 + n] == '/' || q[2 + n] == '>'))
			return q;
		p = q + 1;
	}
	return NULL;
}

/* '<' followed by a letter, '!', '/' or '?' opens markup; any other '<' is
 * text. */
static int starts_markup(const char *p, const char *end)
{
	return end - p >= 2 && p[0] == '<' &&
	       (is_alpha(p[1]) || p[1] == '!' || p[1] == '/' || p[1] == '?');
}

/* The end of a text run starting at p: the next '<' that opens markup, so
 * that stray '<' characters do not each make a token. */
static const char *text_end(const char *p, const char *end)
{
	while (p < end) {
		const char *q = memchr(p, '<', (size_t)(end - p));

		if (!q)
			return end;
		if (starts_markup(q, end))
			return q;
		p = q + 1;
	}
	return end;
}

static void next_token(struct cursor *c, struct token *t)
{
	const char *p = c->p, *end = c->end;

	t->kind = TOK_EOF;
	t->text = NULL;
	t->tlen = 0;
	t->nattr = 0;
	if (p >= end)
		return;
	if (!starts_markup(p, end)) {
		c->p = text_end(p + 1, end);
		t->kind = TOK_TEXT;
		t->text = p;
		t->tlen = (size_t)(c->p - p);
		return;
	}
	c->p = p + 1;
	t->kind = TOK_SKIP;
	if (p[1] == '!') {
		if (end - p >= 4 && p[2] == '-' && p[3] == '-') {
			c->p = p + 2;
			skip_past(c, "-->");
		} else if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			const char *q = find_str(p + 9, end, "]]>");

			t->kind = TOK_CDATA;
			t->text = p + 9;
			t->tlen = (size_t)((q ? q : end) - t->text);
			c->p = q ? q + 3 : end;
		} else {
			skip_past(c, ">");
		}
		return;
	}
	if (p[1] == '?') {
		skip_past(c, ">");
		return;
	}
	if (p[1] == '/') {
		c->p = p + 2;
		if (c->p < end && is_alpha(*c->p)) {
			t->kind = TOK_END;
			read_name(c, t->name, sizeof(t->name), 0);
			t->id = tag_lookup(t->name);
			t->flags = tags[t->id].flags;
			if (read_attrs(c, t) < 0)
				t->kind = TOK_EOF;
		} else {
			skip_past(c, ">");
		}
		return;
	}
	t->kind = TOK_START;
	read_name(c, t->name, sizeof(t->name), 0);
	t->id = tag_lookup(t->name);
	t->flags = tags[t->id].flags;
	if (t->id == TAG_UNKNOWN && strchr(t->name, '-'))
		t->flags = T_BLOCK; /* custom elements mostly wrap blocks */
	if (read_attrs(c, t) < 0) {
		t->kind = TOK_EOF;
		c->p = end;
		return;
	}
	if (t->flags & T_RAW) {
		const char *q = t->id == TAG_plaintext ? NULL : find_end_tag(c->p, end, t->name);

		t->text = c->p;
		t->tlen = (size_t)((q ? q : end) - c->p);
		c->p = q ? q + 2 : end;
		if (q)
			skip_past(c, ">");
	}
}

static const struct attr *tok_attr(const struct token *t, const char *name)
{
	for (unsigned i = 0; i < t->nattr; i++)
		if (strcmp(t->attr[i].name, name) == 0)
			return &t->attr[i];
	return NULL;
}

/* ---- Text decoding and the checked sink -------------------------------- */

/* One step of text decoding: entity or one character of the page's charset
 * (invalid -> U+FFFD). Every charset the walk sees is ASCII-compatible, so
 * '&' and markup are the same bytes in all of them. */
static size_t next_cp(enum charset cs, const char *p, const char *end, int entities,
		      uint32_t cp[2], unsigned *ncp)
{
	size_t n;

	*ncp = 1;
	if (entities && *p == '&') {
		n = entity_decode(p, end, cp, ncp);
		if (n > 0)
			return n;
		cp[0] = '&';
		*ncp = 1;
		return 1;
	}
	return charset_decode(cs, (const unsigned char *)p, (const unsigned char *)end, &cp[0]);
}

/* Invisible format characters that would split words if kept. */
static int is_ignorable(uint32_t cp)
{
	return cp == 0xAD || cp == 0x200B || cp == 0x2060 || cp == 0xFEFF;
}

/* Output that never overflows: a write that does not fit whole sets full
 * and everything after is dropped, so text ends on a character boundary.
 * buf NULL: lengths only. One byte of cap is kept for the NUL. */
struct sink {
	char *buf;
	size_t cap, len;
	int full;
};

static void sink_bytes(struct sink *s, const void *p, size_t n)
{
	if (s->full)
		return;
	if (s->len + n + 1 > s->cap) {
		s->full = 1;
		return;
	}
	if (s->buf)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void sink_cp(struct sink *s, uint32_t cp)
{
	unsigned char u[4];

	sink_bytes(s, u, utf8_encode(cp, u));
}

static void sink_close(struct sink *s)
{
	if (s->buf && s->cap > 0)
		s->buf[s->len] = '\0';
}

/* Whole attribute or title text into a small field: entities decoded,
 * whitespace collapsed and trimmed, cut on a character boundary. */
static void field_set(char *dst, size_t size, const char *p, size_t n, enum charset cs)
{
	struct sink s = {dst, size, 0, 0};
	const char *end = p + n;
	int space = 0;

	while (p < end) {
		uint32_t cp[2];
		unsigned ncp;

		p += next_cp(cs, p, end, 1, cp, &ncp);
		for (unsigned i = 0; i < ncp; i++) {
			if (utf8_is_space(cp[i])) {
				space = s.len > 0;
				continue;
			}
			if (is_ignorable(cp[i]))
				continue;
			if (space)
				sink_bytes(&s, " ", 1);
			space = 0;
			sink_cp(&s, cp[i]);
		}
	}
	sink_close(&s);
}

/* ---- Class and id hints ------------------------------------------------ */

static const char *const hint_positive[] = {
	"article", "body", "content", "entry", "hentry", "h-entry", "main", "page",
	"post", "text", "blog", "story",
};
static const char *const hint_negative[] = {
	"hidden", "banner", "combx", "comment", "com-", "contact", "footer", "gdpr",
	"masthead", "media", "meta", "outbrain", "promo", "related", "scroll",
	"share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags",
	"widget", "nav", "menu", "cookie", "social", "taboola", "newsletter",
	"subscribe", "popup", "modal", "breadcrumb",
};
/* Containers so unlikely to hold the article that the first attempt
 * ignores them, unless a hint says they might. */
static const char *const hint_unlikely[] = {
	"-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment", "community",
	"cover-wrap", "disqus", "extra", "footer", "gdpr", "header", "legends",
	"menu", "related", "remark", "replies", "rss", "shoutbox", "sidebar",
	"skyscraper", "social", "sponsor", "supplemental", "ad-break", "agegate",
	"pagination", "pager", "popup", "yom-remote", "cookie", "newsletter",
};
static const char *const hint_maybe[] = {
	"and", "article", "body", "column", "content", "main", "shadow",
};
/* Matched as whole tokens only: "ad" inside "header" or "read" is not one. */
static const char *const hint_negative_tokens[] = {
	"ad", "ads", "advert", "advertisement", "adsbygoogle",
};
static const char *const noise_roles[] = {
	"navigation", "complementary", "contentinfo", "banner", "menu", "menubar",
	"dialog", "alertdialog", "search",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int has_any(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(s, words[i]))
			return 1;
	return 0;
}

static int has_token(const char *s, const char *const *words, size_t n)
{
	while (*s) {
		size_t len = 0;

		while (s[len] && ((s[len] >= 'a' && s[len] <= 'z') || (s[len] >= '0' && s[len] <= '9')))
			len++;
		for (size_t i = 0; len > 0 && i < n; i++)
			if (strlen(words[i]) == len && memcmp(s, words[i], len) == 0)
				return 1;
		s += len ? len : 1;
	}
	return 0;
}

/* Lower-cased copy of an attribute value, cut to the buffer. */
static void hint_copy(char *dst, size_t size, const struct attr *a)
{
	size_t n = 0;

	if (a)
		for (; n < a->vlen && n + 1 < size; n++)
			dst[n] = utf8_ascii_lower(a->val[n]);
	dst[n] = '\0';
}

static int hint_weight(const char *s)
{
	int w = 0;

	if (!*s)
		return 0;
	if (has_any(s, hint_negative, COUNT(hint_negative)) ||
	    has_token(s, hint_negative_tokens, COUNT(hint_negative_tokens)))
		w -= 25;
	if (has_any(s, hint_positive, COUNT(hint_positive)))
		w += 25;
	return w;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* ---- Workspace for html_extract ---------------------------------------- */

enum {
	B_HEADING = 1 << 0, /* inside h1..h6 */
	B_TOPHEAD = 1 << 1, /* inside h1 or h2 */
	B_LI = 1 << 2,      /* innermost block is a list item */
	B_P = 1 << 3,       /* innermost block is a paragraph */
	B_UNLIKELY = 1 << 4,
	B_KEPT = 1 << 5,
};

struct block {
	int32_t node;	   /* innermost container, -1 if none */
	uint32_t chars;	   /* non-space characters plus inner spaces */
	uint32_t links;	   /* of those, inside <a> */
	uint32_t hash;	   /* of the folded words, to spot the title */
	uint16_t commas;
	uint16_t stops;	   /* sentence ends */
	uint8_t flags;
};

enum {
	N_SCORED = 1 << 0,
	N_CHOSEN = 1 << 1,
	N_VISITED = 1 << 2, /* cleaning verdict computed */
	N_DROP = 1 << 3,    /* cleaning verdict: drop */
};

struct node {
	int32_t parent;
	uint32_t class_hash;
	float score;
	uint32_t chars, links, commas, stops;
	uint16_t pblocks, liblocks, children;
	uint16_t own_imgs, imgs; /* <img> directly inside; in the subtree */
	uint8_t tag;
	int8_t weight;
	uint8_t flags;
};

struct workspace {
	struct node nodes[HTML_MAX_NODES];
	struct block blocks[HTML_MAX_BLOCKS];
	uint32_t nnodes, nblocks;
};

/* One thread (STYLE habit 10): a static workspace instead of a large stack
 * frame or an allocation. */
static struct workspace ws;

/* ---- The walk: tokens to text blocks ----------------------------------- */

enum walk_mode { WALK_SCAN, WALK_EMIT, WALK_ALL };

enum {
	E_NOISE = 1 << 0,
	E_LINK = 1 << 1,
	E_HEADING = 1 << 2,
	E_TOPHEAD = 1 << 3,
	E_UNLIKELY = 1 << 4,
	E_ARTICLE = 1 << 5, /* article or main: headers inside are kept */
};

struct open_el {
	uint8_t tag;
	uint8_t bits;
	int32_t node;
};

struct walk {
	enum walk_mode mode;
	enum charset cs;	/* of the bytes walked; never UTF-16 */
	struct workspace *w;	/* WALK_SCAN/WALK_EMIT */
	struct html_page *meta; /* WALK_SCAN */
	struct sink out;
	struct open_el stack[HTML_MAX_DEPTH];
	unsigned depth, overflow;
	unsigned noise, link, heading, tophead, unlikely, article;
	int seen_body, seen_html, og_title, title_tag, meta_date;
	/* The current block. */
	uint32_t nblock;
	struct block cur;
	int space, in_word, any_word, kept;
};

static int32_t innermost_node(const struct walk *k)
{
	for (unsigned i = k->depth; i > 0; i--)
		if (k->stack[i - 1].node >= 0)
			return k->stack[i - 1].node;
	return -1;
}

static int innermost_block_tag(const struct walk *k)
{
	for (unsigned i = k->depth; i > 0; i--)
		if (tags[k->stack[i - 1].tag].flags & T_BLOCK)
			return k->stack[i - 1].tag;
	return TAG_UNKNOWN;
}

static void block_begin(struct walk *k)
{
	int tag;

	switch (k->mode) {
	case WALK_SCAN:
		k->cur.node = innermost_node(k);
		tag = innermost_block_tag(k);
		k->cur.flags = 0;
		if (k->heading)
			k->cur.flags |= B_HEADING;
		if (k->tophead)
			k->cur.flags |= B_TOPHEAD;
		if (k->unlikely)
			k->cur.flags |= B_UNLIKELY;
		if (tag == TAG_li)
			k->cur.flags |= B_LI;
		if (tag == TAG_p)
			k->cur.flags |= B_P;
		k->kept = 0;
		break;
	case WALK_EMIT:
		k->kept = k->nblock < k->w->nblocks &&
			  (k->w->blocks[k->nblock].flags & B_KEPT);
		break;
	case WALK_ALL:
		k->kept = 1;
		break;
	}
	if (k->kept && k->out.len > 0)
		sink_bytes(&k->out, "\n", 1);
}

static void block_end(struct walk *k)
{
	if (k->cur.chars > 0) {
		if (k->mode == WALK_SCAN && k->w->nblocks < HTML_MAX_BLOCKS)
			k->w->blocks[k->w->nblocks++] = k->cur;
		k->nblock++;
	}
	memset(&k->cur, 0, sizeof(k->cur));
	k->space = 0;
	k->in_word = 0;
	k->any_word = 0;
	k->kept = 0;
}

static int is_comma(uint32_t cp)
{
	return cp == ',' || cp == 0xFF0C || cp == 0x3001 || cp == 0x060C;
}

static int is_stop(uint32_t cp)
{
	return cp == '.' || cp == '!' || cp == '?' || cp == 0x3002 || cp == 0xFF01 ||
	       cp == 0xFF1F;
}

static void text_cp(struct walk *k, uint32_t cp)
{
	struct block *b = &k->cur;

	if (utf8_is_space(cp)) {
		k->in_word = 0;
		k->space = b->chars > 0;
		return;
	}
	if (is_ignorable(cp))
		return;
	if (b->chars == 0) {
		b->hash = 2166136261u;
		block_begin(k);
	}
	if (k->space) {
		b->chars++;
		if (k->link)
			b->links++;
		if (k->kept)
			sink_bytes(&k->out, " ", 1);
		k->space = 0;
	}
	b->chars++;
	if (k->link)
		b->links++;
	if (utf8_is_word(cp)) {
		if (!k->in_word && k->any_word)
			b->hash = (b->hash ^ ' ') * 16777619u;
		b->hash = (b->hash ^ utf8_fold(cp)) * 16777619u;
		k->in_word = 1;
		k->any_word = 1;
	} else {
		k->in_word = 0;
		if (b->commas < UINT16_MAX && is_comma(cp))
			b->commas++;
		if (b->stops < UINT16_MAX && is_stop(cp))
			b->stops++;
	}
	if (k->kept)
		sink_cp(&k->out, cp);
}

static void walk_text(struct walk *k, const char *p, size_t n, int entities)
{
	const char *end = p + n;

	if (k->noise)
		return;
	while (p < end) {
		uint32_t cp[2];
		unsigned ncp;

		p += next_cp(k->cs, p, end, entities, cp, &ncp);
		for (unsigned i = 0; i < ncp; i++)
			text_cp(k, cp[i]);
	}
}

static void pop(struct walk *k)
{
	const struct open_el *e = &k->stack[--k->depth];

	k->noise -= !!(e->bits & E_NOISE);
	k->link -= !!(e->bits & E_LINK);
	k->heading -= !!(e->bits & E_HEADING);
	k->tophead -= !!(e->bits & E_TOPHEAD);
	k->unlikely -= !!(e->bits & E_UNLIKELY);
	k->article -= !!(e->bits & E_ARTICLE);
}

/* Pops down to and including the nearest open `tag`, looking no further
 * than an element for which `barrier` says stop. Returns 1 if popped. */
static int pop_to(struct walk *k, int tag, int (*barrier)(int tag))
{
	for (unsigned i = k->depth; i > 0; i--) {
		int t = k->stack[i - 1].tag;

		if (t == tag) {
			while (k->depth >= i)
				pop(k);
			return 1;
		}
		if (barrier && barrier(t))
			return 0;
	}
	return 0;
}

static int stop_at_block(int tag)
{
	return (tags[tag].flags & T_BLOCK) != 0;
}

static int stop_at_list(int tag)
{
	return (tags[tag].flags & T_BLOCK) && tag != TAG_div && tag != TAG_p &&
	       tag != TAG_address;
}

static int stop_at_table(int tag)
{
	return tag == TAG_table;
}

static int stop_at_row(int tag)
{
	return tag == TAG_table || tag == TAG_tr;
}

/* HTML's implied end tags, the cases that matter for block structure. */
static void implied_ends(struct walk *k, int tag, unsigned flags)
{
	switch (tag) {
	case TAG_li:
		pop_to(k, TAG_li, stop_at_list);
		break;
	case TAG_dt:
	case TAG_dd:
		if (!pop_to(k, TAG_dd, stop_at_list))
			pop_to(k, TAG_dt, stop_at_list);
		break;
	case TAG_tr:
		pop_to(k, TAG_tr, stop_at_table);
		break;
	case TAG_td:
	case TAG_th:
		if (!pop_to(k, TAG_td, stop_at_row))
			pop_to(k, TAG_th, stop_at_row);
		break;
	case TAG_a:
		pop_to(k, TAG_a, NULL);
		break;
	case TAG_option:
		pop_to(k, TAG_option, stop_at_block);
		break;
	default:
		break;
	}
	if ((flags & T_BLOCK) && tag != TAG_td && tag != TAG_th && tag != TAG_tr &&
	    tag != TAG_tbody && tag != TAG_thead && tag != TAG_tfoot &&
	    tag != TAG_caption && tag != TAG_body && tag != TAG_html && tag != TAG_legend)
		pop_to(k, TAG_p, stop_at_block);
	if ((flags & T_HEADING) && k->depth > 0 && (tags[k->stack[k->depth - 1].tag].flags & T_HEADING))
		pop(k);
}

static int attr_is(const struct attr *a, const char *v)
{
	size_t n = strlen(v);

	if (!a || a->vlen != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (utf8_ascii_lower(a->val[i]) != v[i])
			return 0;
	return 1;
}

/* hidden, aria-hidden="true", style="display:none" or "visibility:hidden",
 * or a landmark role that is never the article. */
static int is_hidden(const struct token *t)
{
	const struct attr *a;
	char style[HTML_HINT_BYTES], compact[HTML_HINT_BYTES];
	size_t n = 0;

	if (tok_attr(t, "hidden") || attr_is(tok_attr(t, "aria-hidden"), "true"))
		return 1;
	a = tok_attr(t, "role");
	if (a) {
		hint_copy(style, sizeof(style), a);
		for (size_t i = 0; i < COUNT(noise_roles); i++)
			if (strcmp(style, noise_roles[i]) == 0)
				return 1;
	}
	a = tok_attr(t, "style");
	if (!a)
		return 0;
	hint_copy(style, sizeof(style), a);
	for (const char *s = style; *s; s++)
		if (!is_tag_space(*s))
			compact[n++] = *s;
	compact[n] = '\0';
	return strstr(compact, "display:none") || strstr(compact, "visibility:hidden");
}

static void scan_meta(struct walk *k, const struct token *t)
{
	const struct attr *prop = tok_attr(t, "property"), *content = tok_attr(t, "content");
	char key[HTML_HINT_BYTES];

	if (!prop)
		prop = tok_attr(t, "name");
	if (!prop || !content)
		return;
	hint_copy(key, sizeof(key), prop);
	if (strcmp(key, "og:title") == 0 && !k->og_title) {
		field_set(k->meta->title, sizeof(k->meta->title), content->val, content->vlen, k->cs);
		k->og_title = k->meta->title[0] != '\0';
	} else if (strcmp(key, "article:published_time") == 0 && !k->meta_date) {
		field_set(k->meta->date, sizeof(k->meta->date), content->val, content->vlen, k->cs);
		k->meta_date = k->meta->date[0] != '\0';
	}
}

static int32_t new_node(struct walk *k, const struct token *t, int tag)
{
	struct workspace *w = k->w;
	struct node *n;
	char cls[HTML_HINT_BYTES], id[HTML_HINT_BYTES];

	if (w->nnodes >= HTML_MAX_NODES)
		return -1;
	n = &w->nodes[w->nnodes];
	memset(n, 0, sizeof(*n));
	n->parent = innermost_node(k);
	if (n->parent >= 0 && w->nodes[n->parent].children < UINT16_MAX)
		w->nodes[n->parent].children++;
	n->tag = (uint8_t)tag;
	hint_copy(cls, sizeof(cls), tok_attr(t, "class"));
	hint_copy(id, sizeof(id), tok_attr(t, "id"));
	n->weight = (int8_t)(hint_weight(cls) + hint_weight(id));
	n->class_hash = cls[0] ? hash_str(cls) : 0;
	return (int32_t)w->nnodes++;
}

static int is_unlikely(const struct token *t, int tag)
{
	char s[2 * HTML_HINT_BYTES];
	size_t n;

	if (tag == TAG_body || tag == TAG_a || tag == TAG_html)
		return 0;
	hint_copy(s, HTML_HINT_BYTES, tok_attr(t, "class"));
	n = strlen(s);
	s[n++] = ' ';
	hint_copy(s + n, HTML_HINT_BYTES, tok_attr(t, "id"));
	return has_any(s, hint_unlikely, COUNT(hint_unlikely)) &&
	       !has_any(s, hint_maybe, COUNT(hint_maybe));
}

static void start_tag(struct walk *k, const struct token *t)
{
	int tag = t->id;
	unsigned flags = t->flags;
	struct open_el e;
	/* Page furniture; inside a feed fragment its text is content. */
	int page_part = k->mode == WALK_ALL &&
			(tag == TAG_nav || tag == TAG_aside || tag == TAG_footer);

	if (k->mode == WALK_SCAN) {
		if (tag == TAG_meta)
			scan_meta(k, t);
		if (tag == TAG_html && !k->seen_html) {
			const struct attr *a = tok_attr(t, "lang");

			if (a)
				field_set(k->meta->lang, sizeof(k->meta->lang), a->val, a->vlen, k->cs);
		}
		if (tag == TAG_time && !k->meta_date && !k->meta->date[0]) {
			const struct attr *a = tok_attr(t, "datetime");

			if (a)
				field_set(k->meta->date, sizeof(k->meta->date), a->val, a->vlen, k->cs);
		}
		if (tag == TAG_title && !k->og_title && !k->title_tag && !k->noise) {
			field_set(k->meta->title, sizeof(k->meta->title), t->text, t->tlen, k->cs);
			k->title_tag = k->meta->title[0] != '\0';
		}
		if (tag == TAG_img && !k->noise) {
			int32_t n = innermost_node(k);

			if (n >= 0 && k->w->nodes[n].own_imgs < UINT16_MAX)
				k->w->nodes[n].own_imgs++;
		}
	}
	if (tag == TAG_head || (tag == TAG_html && k->seen_html) ||
	    (tag == TAG_body && k->seen_body))
		return;
	implied_ends(k, tag, flags);
	if (flags & (T_BLOCK | T_VOID)) {
		if ((flags & T_BLOCK) || tag == TAG_br || tag == TAG_hr)
			block_end(k);
	}
	if (flags & T_RAW) {
		if (tag == TAG_xmp || tag == TAG_plaintext) {
			walk_text(k, t->text, t->tlen, 0);
			block_end(k);
		}
		return;
	}
	if (flags & T_VOID)
		return;
	if (k->depth >= HTML_MAX_DEPTH) {
		k->overflow++;
		return;
	}
	e.tag = (uint8_t)tag;
	e.bits = 0;
	e.node = -1;
	if (is_hidden(t) || ((flags & T_NOISE) && !page_part) ||
	    (tag == TAG_header && !k->article && k->mode != WALK_ALL))
		e.bits |= E_NOISE;
	if (tag == TAG_a)
		e.bits |= E_LINK;
	if (flags & T_HEADING)
		e.bits |= E_HEADING;
	if (tag == TAG_h1 || tag == TAG_h2)
		e.bits |= E_TOPHEAD;
	if (tag == TAG_article || tag == TAG_main)
		e.bits |= E_ARTICLE;
	if (k->mode == WALK_SCAN && is_unlikely(t, tag))
		e.bits |= E_UNLIKELY;
	if (k->mode == WALK_SCAN && (flags & T_BLOCK) && !k->noise && !(e.bits & E_NOISE))
		e.node = new_node(k, t, tag);
	if (tag == TAG_html)
		k->seen_html = 1;
	if (tag == TAG_body)
		k->seen_body = 1;
	k->stack[k->depth++] = e;
	k->noise += !!(e.bits & E_NOISE);
	k->link += !!(e.bits & E_LINK);
	k->heading += !!(e.bits & E_HEADING);
	k->tophead += !!(e.bits & E_TOPHEAD);
	k->unlikely += !!(e.bits & E_UNLIKELY);
	k->article += !!(e.bits & E_ARTICLE);
}

static void end_tag(struct walk *k, const struct token *t)
{
	int tag = t->id;
	unsigned flags = t->flags;

	if (tag == TAG_body || tag == TAG_html || tag == TAG_head || (flags & T_RAW))
		return;
	if (tag == TAG_br || tag == TAG_p) {
		block_end(k); /* </br> is a <br>, a stray </p> an empty paragraph */
	}
	if (flags & T_VOID)
		return;
	if (k->overflow > 0) {
		k->overflow--;
		return;
	}
	if (pop_to(k, tag, (flags & T_BLOCK) ? NULL : stop_at_block) && (flags & T_BLOCK))
		block_end(k);
}

static void walk_run(struct walk *k, const char *html, size_t len)
{
	struct cursor c = {html, html + len};
	struct token t;

	for (;;) {
		next_token(&c, &t);
		switch (t.kind) {
		case TOK_EOF:
			block_end(k);
			return;
		case TOK_TEXT:
			walk_text(k, t.text, t.tlen, 1);
			break;
		case TOK_CDATA:
			walk_text(k, t.text, t.tlen, 0);
			break;
		case TOK_START:
			start_tag(k, &t);
			break;
		case TOK_END:
			end_tag(k, &t);
			break;
		case TOK_SKIP:
			break;
		}
	}
}

/* ---- Choosing the main content ----------------------------------------- */

/* Attempt flags, dropped one by one when the result is too short, as
 * Readability does. */
enum {
	A_STRIP = 1 << 0,  /* ignore containers with unlikely class/id */
	A_WEIGHT = 1 << 1, /* class/id hints weigh on scores */
	A_CLEAN = 1 << 2,  /* drop link-heavy or empty sub-containers */
};

/* A result shorter than this makes the next attempt relax one rule. */
#define ENOUGH_CHARS 500u
#define TITLE_PARTS 8

static float tag_base(int tag)
{
	switch (tag) {
	case TAG_div:
		return 5;
	case TAG_pre:
	case TAG_td:
	case TAG_blockquote:
		return 3;
	case TAG_address:
	case TAG_ol:
	case TAG_ul:
	case TAG_dl:
	case TAG_dd:
	case TAG_dt:
	case TAG_li:
	case TAG_form:
		return -3;
	case TAG_h1:
	case TAG_h2:
	case TAG_h3:
	case TAG_h4:
	case TAG_h5:
	case TAG_h6:
	case TAG_th:
		return -5;
	default:
		return 0;
	}
}

static float link_density(const struct node *n)
{
	return n->chars ? (float)n->links / (float)n->chars : 0.0f;
}

static void add_score(struct workspace *w, int32_t i, float s, unsigned flags)
{
	struct node *n = &w->nodes[i];

	if (!(n->flags & N_SCORED)) {
		n->flags |= N_SCORED;
		n->score = tag_base(n->tag) + ((flags & A_WEIGHT) ? n->weight : 0);
	}
	n->score += s;
}

static int block_used(const struct block *b, unsigned flags)
{
	return !((flags & A_STRIP) && (b->flags & B_UNLIKELY));
}

/* Subtree totals per node: nodes are numbered in document order, so every
 * parent has a smaller index than its children. */
static void aggregate(struct workspace *w, unsigned flags)
{
	for (uint32_t i = 0; i < w->nnodes; i++) {
		struct node *n = &w->nodes[i];

		n->score = 0;
		n->flags = 0;
		n->chars = n->links = n->commas = n->stops = 0;
		n->pblocks = n->liblocks = 0;
		n->imgs = n->own_imgs;
	}
	for (uint32_t i = 0; i < w->nblocks; i++) {
		const struct block *b = &w->blocks[i];
		struct node *n;

		if (b->node < 0 || !block_used(b, flags))
			continue;
		n = &w->nodes[b->node];
		n->chars += b->chars;
		n->links += b->links;
		n->commas += b->commas;
		n->stops += b->stops;
		n->pblocks += !!(b->flags & B_P);
		n->liblocks += !!(b->flags & B_LI);
	}
	for (uint32_t i = w->nnodes; i-- > 0;) {
		const struct node *n = &w->nodes[i];
		struct node *p;

		if (n->parent < 0)
			continue;
		p = &w->nodes[n->parent];
		p->chars += n->chars;
		p->links += n->links;
		p->commas += n->commas;
		p->stops += n->stops;
		p->pblocks = (uint16_t)(p->pblocks + n->pblocks < UINT16_MAX ? p->pblocks + n->pblocks : UINT16_MAX);
		p->liblocks = (uint16_t)(p->liblocks + n->liblocks < UINT16_MAX ? p->liblocks + n->liblocks : UINT16_MAX);
		p->imgs = (uint16_t)(p->imgs + n->imgs < UINT16_MAX ? p->imgs + n->imgs : UINT16_MAX);
	}
}

/* Readability's scoring: each paragraph-like block gives its container a
 * score from its commas and length, less to the containers further up. */
static void score_blocks(struct workspace *w, unsigned flags)
{
	for (uint32_t i = 0; i < w->nblocks; i++) {
		const struct block *b = &w->blocks[i];
		float s;
		int32_t a;

		if (b->node < 0 || !block_used(b, flags) || b->chars < 25 ||
		    (b->flags & B_HEADING))
			continue;
		s = 1.0f + (float)b->commas + (b->chars / 100 < 3 ? (float)(b->chars / 100) : 3.0f);
		a = w->nodes[b->node].parent;
		for (int level = 0; a >= 0 && level < 5; level++) {
			float div = level == 0 ? 1.0f : level == 1 ? 2.0f : (float)level * 3.0f;

			add_score(w, a, s / div, flags);
			a = w->nodes[a].parent;
		}
	}
	for (uint32_t i = 0; i < w->nnodes; i++) {
		struct node *n = &w->nodes[i];

		if (n->flags & N_SCORED)
			n->score *= 1.0f - link_density(n);
	}
}

static int is_ancestor(const struct workspace *w, int32_t anc, int32_t n)
{
	for (; n >= 0; n = w->nodes[n].parent)
		if (n == anc)
			return 1;
	return 0;
}

#define TOP_CANDIDATES 5

static int32_t pick_top(struct workspace *w, unsigned flags)
{
	int32_t top[TOP_CANDIDATES];
	int32_t best, p;
	unsigned ntop = 0, alts = 0;
	float last, threshold;

	for (uint32_t i = 0; i < w->nnodes; i++) {
		unsigned j;

		if (!(w->nodes[i].flags & N_SCORED) || w->nodes[i].tag == TAG_body ||
		    w->nodes[i].tag == TAG_html)
			continue;
		for (j = ntop; j > 0 && w->nodes[top[j - 1]].score < w->nodes[i].score; j--)
			if (j < TOP_CANDIDATES)
				top[j] = top[j - 1];
		if (j < TOP_CANDIDATES) {
			top[j] = (int32_t)i;
			if (ntop < TOP_CANDIDATES)
				ntop++;
		}
	}
	if (ntop == 0)
		return -1;
	best = top[0];
	/* Several near-equal candidates: their common container holds them. */
	for (unsigned j = 1; j < ntop; j++)
		alts += w->nodes[top[j]].score >= 0.75f * w->nodes[best].score;
	if (alts >= 3) {
		for (p = w->nodes[best].parent; p >= 0 && w->nodes[p].tag != TAG_body; p = w->nodes[p].parent) {
			unsigned in = 0;

			for (unsigned j = 1; j < ntop; j++)
				in += w->nodes[top[j]].score >= 0.75f * w->nodes[best].score &&
				      is_ancestor(w, p, top[j]);
			if (in >= 3) {
				best = p;
				if (!(w->nodes[p].flags & N_SCORED))
					add_score(w, p, 0, flags);
				break;
			}
		}
	}
	/* Climb while a container scores better than the last one. */
	last = w->nodes[best].score;
	threshold = last / 3.0f;
	for (p = w->nodes[best].parent; p >= 0 && w->nodes[p].tag != TAG_body; p = w->nodes[p].parent) {
		if (!(w->nodes[p].flags & N_SCORED))
			continue;
		if (w->nodes[p].score < threshold)
			break;
		if (w->nodes[p].score > last) {
			best = p;
			break;
		}
		last = w->nodes[p].score;
	}
	/* A lone child says no more than its parent. */
	for (p = w->nodes[best].parent; p >= 0 && w->nodes[p].tag != TAG_body &&
					w->nodes[p].tag != TAG_html && w->nodes[p].children == 1;
	     p = w->nodes[p].parent)
		best = p;
	return best;
}

static void choose_siblings(struct workspace *w, int32_t top)
{
	const struct node *t = &w->nodes[top];
	float threshold = t->score * 0.2f > 10.0f ? t->score * 0.2f : 10.0f;

	w->nodes[top].flags |= N_CHOSEN;
	if (t->parent < 0)
		return;
	for (uint32_t i = (uint32_t)t->parent + 1; i < w->nnodes; i++) {
		struct node *n = &w->nodes[i];
		float bonus = 0, ld;
		/* A div holding only text is a paragraph too. */
		int plike = n->tag == TAG_p || (n->tag == TAG_div && n->children == 0);

		if (n->parent != t->parent || (int32_t)i == top)
			continue;
		if (t->class_hash && n->class_hash == t->class_hash)
			bonus = t->score * 0.2f;
		ld = link_density(n);
		if ((n->flags & N_SCORED) && n->score + bonus >= threshold)
			n->flags |= N_CHOSEN;
		else if (n->pblocks >= 3 && n->chars >= 500 && n->chars * 3 >= t->chars &&
			 ld < 0.2f && n->weight >= 0)
			n->flags |= N_CHOSEN; /* paragraphs deeper than scoring reaches */
		else if (plike && n->chars > 80 && ld < 0.25f)
			n->flags |= N_CHOSEN;
		else if (plike && n->chars > 0 && n->chars <= 80 && ld == 0 &&
			 n->stops > 0)
			n->flags |= N_CHOSEN;
	}
}

/* Readability's conditional cleaning of sub-containers of the article. */
static int clean_drop(const struct node *n, unsigned flags)
{
	int tag = n->tag, weight = (flags & A_WEIGHT) ? n->weight : 0;
	int list = tag == TAG_ul || tag == TAG_ol;
	float ld = link_density(n);

	if (!(flags & A_CLEAN))
		return 0;
	if (tag != TAG_div && tag != TAG_section && !list && tag != TAG_table &&
	    tag != TAG_fieldset && tag != TAG_dl && tag != TAG_UNKNOWN)
		return 0;
	if (weight + ((n->flags & N_SCORED) ? n->score : 0) < 0)
		return 1;
	if (n->commas >= 10)
		return 0;
	if (n->imgs > 1 && n->pblocks * 2 < n->imgs)
		return 1;
	if (!list && n->liblocks > n->pblocks + 100)
		return 1;
	if (n->chars < 25 && (n->imgs == 0 || n->imgs > 2))
		return 1;
	if (!list && weight < 25 && ld > 0.2f)
		return 1;
	return weight >= 25 && ld > 0.5f;
}

static int title_match(uint32_t h, const uint32_t *title, unsigned ntitle)
{
	for (unsigned i = 0; i < ntitle; i++)
		if (title[i] == h)
			return 1;
	return 0;
}

/* Marks the kept blocks of one attempt; returns their character count. */
static uint32_t run_attempt(struct workspace *w, unsigned flags, const uint32_t *title,
			    unsigned ntitle)
{
	uint32_t kept = 0;
	int32_t top;

	aggregate(w, flags);
	score_blocks(w, flags);
	top = pick_top(w, flags);
	if (top >= 0)
		choose_siblings(w, top);
	/* Parents come first: inherit "inside the article" and "dropped". */
	for (uint32_t i = 0; i < w->nnodes; i++) {
		struct node *n = &w->nodes[i];
		const struct node *p = n->parent >= 0 ? &w->nodes[n->parent] : NULL;

		if (n->flags & N_CHOSEN)
			continue;
		if (p && (p->flags & N_CHOSEN)) {
			n->flags |= N_CHOSEN;
			if ((p->flags & N_DROP) || clean_drop(n, flags))
				n->flags |= N_DROP;
		}
	}
	for (uint32_t i = 0; i < w->nblocks; i++) {
		struct block *b = &w->blocks[i];
		const struct node *n = b->node >= 0 ? &w->nodes[b->node] : NULL;
		int keep;

		b->flags &= (uint8_t)~B_KEPT;
		if (top < 0)
			keep = 1;
		else
			keep = n && (n->flags & N_CHOSEN) && !(n->flags & N_DROP);
		keep = keep && block_used(b, flags);
		/* A paragraph that is nothing but a link is navigation or a
		 * teaser, not prose; a linked heading is still a heading. */
		if (keep && top >= 0 && !(b->flags & (B_HEADING | B_LI)) && b->links * 10 >= b->chars * 9)
			keep = 0;
		if (keep && (b->flags & B_TOPHEAD) && title_match(b->hash, title, ntitle))
			keep = 0;
		if (keep && (b->flags & B_HEADING) && (flags & A_WEIGHT) && n && n->weight < 0)
			keep = 0;
		if (keep) {
			b->flags |= B_KEPT;
			kept += b->chars;
		}
	}
	return kept;
}

/* Over the title field, which field_set has already made UTF-8. */
static uint32_t hash_words(const char *p, const char *end)
{
	uint32_t h = 2166136261u;
	int in_word = 0, any = 0;

	while (p < end) {
		uint32_t cp;

		p += utf8_decode((const unsigned char *)p, (const unsigned char *)end, &cp);
		if (utf8_is_word(cp)) {
			if (!in_word && any)
				h = (h ^ ' ') * 16777619u;
			h = (h ^ utf8_fold(cp)) * 16777619u;
			in_word = any = 1;
		} else if (!is_ignorable(cp)) {
			in_word = 0;
		}
	}
	return h;
}

/* The title and its parts around " | ", " - " and the like, since pages
 * repeat the headline without the site name. */
static unsigned title_hashes(const char *title, uint32_t *h)
{
	static const char *const seps[] = {" | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ",
					   " :: ", " \xC2\xB7 ", " / ", " \xC2\xBB ", ": "};
	const char *end = title + strlen(title);
	unsigned n = 0;

	if (title == end)
		return 0;
	h[n++] = hash_words(title, end);
	for (size_t i = 0; i < COUNT(seps) && n + 2 <= TITLE_PARTS; i++) {
		const char *s = strstr(title, seps[i]);

		if (!s)
			continue;
		h[n++] = hash_words(title, s);
		h[n++] = hash_words(s + strlen(seps[i]), end);
	}
	return n;
}

static void select_content(struct workspace *w, const struct html_page *meta)
{
	static const unsigned attempts[] = {A_STRIP | A_WEIGHT | A_CLEAN, A_WEIGHT | A_CLEAN,
					    A_CLEAN, 0};
	uint32_t title[TITLE_PARTS], best = 0, got = 0;
	unsigned ntitle = title_hashes(meta->title, title), best_flags = attempts[0];

	for (size_t i = 0; i < COUNT(attempts); i++) {
		got = run_attempt(w, attempts[i], title, ntitle);
		if (got >= ENOUGH_CHARS)
			return;
		if (got > best) {
			best = got;
			best_flags = attempts[i];
		}
	}
	if (best > 0) {
		run_attempt(w, best_flags, title, ntitle);
		return;
	}
	for (uint32_t i = 0; i < w->nblocks; i++)
		if (w->blocks[i].links * 2 < w->blocks[i].chars)
			w->blocks[i].flags |= B_KEPT;
}

/* ---- Public ------------------------------------------------------------ */

long html_extract(const char *html, size_t len, const char *content_type,
		  struct html_page *meta, char *out, size_t out_size)
{
	static struct walk k;
	enum charset cs;
	size_t skip;

	if (!out || out_size == 0 || !meta || (!html && len > 0))
		return -EINVAL;
	memset(meta, 0, sizeof(*meta));
	out[0] = '\0';
	if (!html)
		html = "";
	cs = charset_detect_html(html, len, content_type, &skip);
	/* The tokenizer reads ASCII bytes; converting a UTF-16 page first would
	 * need a second page-sized buffer for pages that are very rare. */
	if (cs == CHARSET_UTF16LE || cs == CHARSET_UTF16BE)
		return -ENOTSUP;
	html += skip;
	len -= skip;
	memset(&k, 0, sizeof(k));
	ws.nnodes = ws.nblocks = 0;
	k.mode = WALK_SCAN;
	k.cs = cs;
	k.w = &ws;
	k.meta = meta;
	walk_run(&k, html, len);
	select_content(&ws, meta);
	memset(&k, 0, sizeof(k));
	k.mode = WALK_EMIT;
	k.cs = cs;
	k.w = &ws;
	k.out.buf = out;
	k.out.cap = out_size;
	walk_run(&k, html, len);
	sink_close(&k.out);
	return (long)k.out.len;
}

long html_to_text(const char *html, size_t len, char *out, size_t out_size)
{
	struct walk k;

	if (!out || out_size == 0 || (!html && len > 0))
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	k.mode = WALK_ALL;
	k.cs = CHARSET_UTF8;
	k.out.buf = out;
	k.out.cap = out_size;
	walk_run(&k, html, len);
	sink_close(&k.out);
	return (long)k.out.len;
}
