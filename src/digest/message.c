/* SPDX-License-Identifier: MIT */
/* A digest as the message parts of each endpoint kind (message.h): the
 * layouts, the services' size limits and the split into parts. Pure: no I/O,
 * no allocation, nothing kept between calls (docs/messages.md). */
#include "message.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/date.h"
#include "core/utf8.h"

/* The services' limits, as their documentation gives them (counted the way
 * each service counts, see struct mw), and the margin left for the markup
 * that closes a field after its text was cut. */
#define NTFY_BODY_BYTES 4096u        /* ntfy's default message-size-limit */
#define MATRIX_EVENT_BYTES 60000u    /* of 65,536 for a whole event */
#define SLACK_SECTION_UNITS 3000u    /* a section block's text */
#define SLACK_TEXT_UNITS 40000u      /* a message's text; we hold all of a part to it */
#define SLACK_BLOCKS 50u             /* blocks a message */
#define SLACK_FALLBACK_UNITS 500u    /* an article's line in the fallback text */
#define DISCORD_EMBEDS 10u           /* embeds a message */
#define DISCORD_TITLE_UNITS 256u     /* an embed's title */
#define DISCORD_DESC_UNITS 4096u     /* an embed's description */
#define DISCORD_EMBED_TOTAL 6000u    /* all the embeds' text of a message */
#define TELEGRAM_TEXT_UNITS 4096u    /* a message's text after entity parsing */
#define CLOSE_RESERVE 64u
/* An article URL this long or longer is shown unlinked by the chat kinds:
 * its markup would leave a 4 KB ntfy part or a 3,000-character Slack
 * section no room for the headline. */
#define LINK_BYTES 1024u
/* The widest " (k/n)" a title can get (at most one part per article). */
#define PART_SUFFIX_BYTES 24u
/* Raw bytes escaped at a time (HTML entities grow them at most six-fold). */
#define ESC_CHUNK 512u

_Static_assert(DIGEST_MAX_ARTICLES <= 9999u, "PART_SUFFIX_BYTES holds \" (k/n)\"");
_Static_assert(3u * (LINK_BYTES - 1u) + 2u <= 6u * ESC_CHUNK + 8u, "an escaped link fits the scratch");
_Static_assert(MESSAGE_CLICK_BYTES >= LINK_BYTES, "a linked URL fits the click buffer");

/* What a writer's `used` counts: output bytes (ntfy, Matrix); UTF-16 code
 * units of everything written, markup included (Slack, Discord, whose
 * limits count characters of the source text: UTF-16 units are never fewer
 * than code points); UTF-16 units of the text a reader sees, without tags
 * (Telegram counts its text after entity parsing). */
enum unit { U_BYTES, U_UTF16, U_UTF16_TEXT };

enum esc {
	ESC_NONE,
	ESC_HTML,
	ESC_MD,
	ESC_MD_URL,
	ESC_MRKDWN,      /* Slack: & < > */
	ESC_MRKDWN_LINK, /* Slack link text: & < > and '|' */
	ESC_MRKDWN_URL,  /* Slack link target: & and what would end <url|text> */
};

/* A checked output: counts every byte, stores those that fit (p NULL
 * measures), escapes for a JSON string while json is set, and cuts text
 * with "…" where the field's budget ends. */
struct mw {
	char *p;
	size_t len, cap;
	int json;
	enum unit unit;
	size_t used, budget; /* units of the field being written */
	size_t total;        /* units of everything written */
	int cut;             /* the field's text was cut: write no more of it */
};

static void mw_field(struct mw *w, size_t budget)
{
	w->used = 0;
	w->budget = budget;
	w->cut = 0;
}

static void mw_store(struct mw *w, const char *s, size_t n)
{
	if (w->p && n <= w->cap && w->len <= w->cap - n)
		memcpy(w->p + w->len, s, n);
	w->len += n;
}

/* Writes s[0..n); visible says whether the bytes are text a reader sees.
 * Runs that need no JSON escape are stored whole. */
static void mw_raw(struct mw *w, const char *s, size_t n, int visible)
{
	static const char hex[] = "0123456789abcdef";
	size_t before = w->len, units = 0, run = 0;
	int utf16 = w->unit == U_UTF16 || (w->unit == U_UTF16_TEXT && visible);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (utf16)
			units += ((c & 0xc0) != 0x80) + (c >= 0xf0);
		if (!w->json || (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f))
			continue;
		mw_store(w, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			e[1] = (char)c;
			mw_store(w, e, 2);
		} else if (c == '\n') {
			mw_store(w, "\\n", 2);
		} else {
			mw_store(w, e, 6);
		}
	}
	mw_store(w, s + run, n - run);
	if (w->unit == U_BYTES)
		units = w->len - before;
	w->used += units;
	w->total += units;
}

static void mw_tag(struct mw *w, const char *s)
{
	mw_raw(w, s, strlen(s), 0);
}

/* Text a reader sees that is never cut (separators, times). */
static void mw_lit(struct mw *w, const char *s)
{
	mw_raw(w, s, strlen(s), 1);
}

/* Where to end an escape chunk of s[0..n): after a space when there is one
 * in its second half, so that Markdown's look-ahead ("://") sees whole
 * words; never after ':' or '/'. */
static size_t esc_chunk(const char *s, size_t n)
{
	size_t k = ESC_CHUNK;

	if (n <= ESC_CHUNK)
		return n;
	while (k > ESC_CHUNK / 2 && s[k - 1] != ' ')
		k--;
	if (s[k - 1] == ' ')
		return k;
	k = ESC_CHUNK;
	while (k > 1 && (s[k - 1] == ':' || s[k - 1] == '/'))
		k--;
	return k;
}

/* Slack's escapes: mrkdwn knows only &amp; &lt; &gt;, and a link
 * <url|text> ends at '>' and splits at its first '|'. */
static const char *mrkdwn_esc(enum esc how, char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return how == ESC_MRKDWN_URL ? "%3C" : "&lt;";
	case '>':
		return how == ESC_MRKDWN_URL ? "%3E" : "&gt;";
	case '|':
		return how == ESC_MRKDWN_URL ? "%7C" : how == ESC_MRKDWN_LINK ? "\xe2\x88\xa3" : NULL;
	case ' ':
		return how == ESC_MRKDWN_URL ? "%20" : NULL;
	default:
		return NULL;
	}
}

/* Writes s[0..n) escaped as `how` says; visible as for mw_raw, counted in
 * U_UTF16_TEXT by the unescaped text (what the reader sees). */
static void mw_esc(struct mw *w, enum esc how, const char *s, size_t n, int visible)
{
	char tmp[6u * ESC_CHUNK + 8u];

	if (w->unit == U_UTF16_TEXT && visible && how != ESC_NONE) {
		struct mw count = { NULL, 0, 0, 0, U_UTF16, 0, 0, 0, 0 };

		mw_raw(&count, s, n, 1);
		w->used += count.used;
		w->total += count.used;
		visible = 0;
	}
	switch (how) {
	case ESC_NONE:
		mw_raw(w, s, n, visible);
		break;
	case ESC_HTML:
	case ESC_MD:
	case ESC_MD_URL:
		while (n) {
			size_t k = how == ESC_MD_URL ? n : esc_chunk(s, n), len = 0;

			digest_escape(how == ESC_HTML	? DIGEST_ESCAPE_HTML
				      : how == ESC_MD ? DIGEST_ESCAPE_MARKDOWN
						      : DIGEST_ESCAPE_MARKDOWN_URL,
				      s, k, tmp, sizeof tmp, &len);
			if (len > sizeof tmp)
				return; /* cannot be: see ESC_CHUNK and LINK_BYTES */
			mw_raw(w, tmp, len, visible);
			s += k;
			n -= k;
		}
		break;
	default:
		for (size_t i = 0; i < n; i++) {
			const char *e = mrkdwn_esc(how, s[i]);

			if (e)
				mw_raw(w, e, strlen(e), visible);
			else
				mw_raw(w, s + i, 1, visible);
		}
		break;
	}
}

/* Whether s[0..k) and "…" fit the field's budget (nothing is kept). */
static int mw_fits(struct mw *w, enum esc how, const char *s, size_t k, size_t budget)
{
	struct mw t = *w;

	mw_esc(&t, how, s, k, 1);
	/* "…" is 3 bytes, 1 UTF-16 unit. */
	return t.used + 3 <= budget;
}

/* Text a reader sees, cut at a character boundary with "…" where it would
 * pass the field's budget less `reserve` (the markup still to come). The
 * longest prefix that fits is found by bisection: a 5,000-character title
 * costs a dozen escapes, not one per character. */
static void mw_text_r(struct mw *w, enum esc how, const char *s, size_t n, size_t reserve)
{
	size_t len0 = w->len, used0 = w->used, total0 = w->total;
	size_t budget = w->budget > reserve ? w->budget - reserve : 0;
	size_t lo = 0, hi = n; /* s[0..lo) fits, s[0..hi) does not */

	if (w->cut)
		return;
	mw_esc(w, how, s, n, 1);
	if (w->used <= budget)
		return;
	w->len = len0;
	w->used = used0;
	w->total = total0;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		while (mid > lo && ((unsigned char)s[mid] & 0xc0) == 0x80)
			mid--;
		if (mid == lo) {
			mid = lo + 1;
			while (mid < hi && ((unsigned char)s[mid] & 0xc0) == 0x80)
				mid++;
			if (mid == hi)
				break;
		}
		if (mw_fits(w, how, s, mid, budget))
			lo = mid;
		else
			hi = mid;
	}
	mw_esc(w, how, s, lo, 1);
	mw_raw(w, "\xe2\x80\xa6", 3, 1);
	w->cut = 1;
}

static void mw_text(struct mw *w, enum esc how, const char *s)
{
	mw_text_r(w, how, s, strlen(s), 0);
}

/* "2026-11-28 17:00 UTC" */
static void when(int64_t t, char out[24])
{
	char iso[21];

	date_format_rfc3339(t, iso);
	memcpy(out, iso, 16);
	out[10] = ' ';
	memcpy(out + 16, " UTC", 5);
}

/* v in decimal, NUL-terminated; returns the length. */
static size_t dec(unsigned v, char out[12])
{
	char r[12];
	size_t n = 0, len = 0;

	do {
		r[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out[len++] = r[--n];
	out[len] = '\0';
	return len;
}

/* Whether an article's URL is shown as a link: a digest keeps only http(s)
 * URLs, but with the scheme in any case; a link target is written only
 * with a lowercase scheme, the form Discord's embed url and Slack's <url|>
 * are documented with (others are shown unlinked). */
static int linked(const struct digest_item *it)
{
	return (strncmp(it->url, "https://", 8) == 0 || strncmp(it->url, "http://", 7) == 0) &&
	       strlen(it->url) < LINK_BYTES;
}

static const char *headline(const struct digest_item *it)
{
	return *it->title ? it->title : *it->url ? it->url : "(untitled)";
}

/* A subject or title template filled in: {date} the UTC date of the
 * digest (YYYY-MM-DD), {count} its articles, {host} its host. Runs of white
 * space and control characters become one space, the ends are trimmed (a
 * header value cannot keep them), invalid UTF-8 becomes U+FFFD; what does
 * not fit is cut at a character boundary, leaving room for " (k/n)".
 * Returns the length. */
static size_t template_fill(const char *t, const struct digest *d, char out[MESSAGE_TITLE_BYTES])
{
	const char *end = t + strlen(t);
	char iso[21], num[12];
	size_t len = 0, room = MESSAGE_TITLE_BYTES - PART_SUFFIX_BYTES;
	size_t nd = dec(digest_count(d), num);
	int space = 0; /* a space is due before the next character */

	date_format_rfc3339(d->created, iso);
	iso[10] = '\0';
	while (t < end) {
		const char *v = t, *ve;
		uint32_t cp;
		size_t step;

		if (strncmp(t, "{date}", 6) == 0) {
			v = iso;
			ve = iso + 10;
			step = 6;
		} else if (strncmp(t, "{count}", 7) == 0) {
			v = num;
			ve = num + nd;
			step = 7;
		} else if (strncmp(t, "{host}", 6) == 0) {
			v = d->host;
			ve = v + strlen(v);
			step = 6;
		} else {
			step = utf8_decode((const unsigned char *)t, (const unsigned char *)end, &cp);
			ve = t + step;
		}
		while (v < ve && len < room) {
			unsigned char enc[4];
			size_t m = utf8_decode((const unsigned char *)v, (const unsigned char *)ve, &cp);

			v += m;
			if (utf8_is_space(cp)) { /* controls and U+2028/U+2029 too */
				space = len > 0;
				continue;
			}
			m = utf8_encode(cp, enc);
			if (len + (size_t)space + m >= room) {
				room = len;
				break;
			}
			if (space)
				out[len++] = ' ';
			space = 0;
			memcpy(out + len, enc, m);
			len += m;
		}
		t += step;
	}
	out[len] = '\0';
	return len;
}

/* The title of part k of n: the template filled in, or the default one
 * when that leaves nothing ("1 article" for one: the default is ours to
 * word; a configured template is filled in as written). */
static void title_fill(const struct message_opts *o, const struct digest *d, unsigned k,
		       unsigned n, char out[MESSAGE_TITLE_BYTES])
{
	char suffix[PART_SUFFIX_BYTES];
	size_t len = template_fill(o->subject ? o->subject : "", d, out);

	if (len == 0)
		len = template_fill(digest_count(d) == 1 ? "digestd: {count} article"
							 : "digestd: {count} articles",
				    d, out);
	if (n > 1) {
		size_t sl = 0;
		unsigned parts[2] = { k + 1, n };

		suffix[sl++] = ' ';
		suffix[sl++] = '(';
		for (int i = 0; i < 2; i++) {
			sl += dec(parts[i], suffix + sl);
			suffix[sl++] = i ? ')' : '/';
		}
		memcpy(out + len, suffix, sl);
		out[len + sl] = '\0';
	}
}

/* ---- The chat kinds: one layout per kind, in one or two passes. ---- */

/* How a chat kind's parts are packed: articles are added to a part while
 * the sum of their costs stays within cap - head and there are fewer than
 * per_part of them. */
struct layout {
	enum unit unit;
	int json;
	int passes;
	size_t cap;
	unsigned per_part;
};

static int layout_of(enum message_kind kind, struct layout *l)
{
	switch (kind) {
	case MESSAGE_NTFY:
		*l = (struct layout){ U_BYTES, 0, 1, NTFY_BODY_BYTES, DIGEST_MAX_ARTICLES };
		return 0;
	case MESSAGE_MATRIX:
		*l = (struct layout){ U_BYTES, 1, 2, MATRIX_EVENT_BYTES, DIGEST_MAX_ARTICLES };
		return 0;
	case MESSAGE_SLACK:
		*l = (struct layout){ U_UTF16, 1, 2, SLACK_TEXT_UNITS, SLACK_BLOCKS - 1 };
		return 0;
	case MESSAGE_DISCORD:
		*l = (struct layout){ U_UTF16, 1, 1, DISCORD_EMBED_TOTAL, DISCORD_EMBEDS };
		return 0;
	case MESSAGE_TELEGRAM:
		*l = (struct layout){ U_UTF16_TEXT, 1, 1, TELEGRAM_TEXT_UNITS, DIGEST_MAX_ARTICLES };
		return 0;
	default:
		return -EINVAL;
	}
}

/* The part's length into m; its end NUL-terminated when there is room.
 * Returns 0, or -ENOSPC when it did not fit. */
static int mw_finish(const struct mw *w, struct message *m)
{
	m->len = w->len;
	if (w->len > w->cap)
		return -ENOSPC;
	if (w->len < w->cap)
		w->p[w->len] = '\0';
	return 0;
}

/* Ends the JSON string being written, if any, writes `pre` (markup up to
 * a string's opening quote) and starts escaping for the new string. */
static void mw_open(struct mw *w, const char *pre)
{
	w->json = 0;
	mw_tag(w, pre);
	w->json = 1;
}

/* Ends the JSON string being written and writes `post`. */
static void mw_close(struct mw *w, const char *post)
{
	w->json = 0;
	mw_tag(w, post);
}

/* Text between two tags: open, the text (cut to leave room for close),
 * close. */
static void mw_wrap_r(struct mw *w, const char *open, enum esc how, const char *s,
		      const char *close)
{
	mw_tag(w, open);
	mw_text_r(w, how, s, strlen(s), strlen(close));
	mw_tag(w, close);
}

/* What comes before the articles in pass `pass`. */
static void chat_head(const struct message_opts *o, struct mw *w, int pass, const char *title)
{
	mw_field(w, SIZE_MAX);
	switch (o->kind) {
	case MESSAGE_MATRIX:
		if (pass == 0) {
			mw_open(w, "{\"msgtype\":\"m.text\",\"body\":\"");
			mw_text(w, ESC_NONE, title);
			mw_lit(w, "\n");
		} else {
			mw_wrap_r(w, "<h3>", ESC_HTML, title, "</h3>");
		}
		break;
	case MESSAGE_SLACK:
		if (pass == 0) {
			mw_open(w, "{\"text\":\"");
			mw_text(w, ESC_MRKDWN, title);
		} else {
			mw_open(w, "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"");
			mw_wrap_r(w, "*", ESC_MRKDWN, title, "*");
			mw_close(w, "\"}}");
		}
		break;
	case MESSAGE_DISCORD:
		mw_open(w, "{\"content\":\"");
		mw_wrap_r(w, "**", ESC_MD, title, "**");
		mw_close(w, "\",\"embeds\":[");
		break;
	case MESSAGE_TELEGRAM:
		mw_open(w, "{\"chat_id\":\"");
		mw_tag(w, o->chat_id);
		mw_open(w, "\",\"text\":\"");
		mw_wrap_r(w, "<b>", ESC_HTML, title, "</b>");
		break;
	default:
		break;
	}
}

/* What comes after the articles of pass `pass`. */
static void chat_tail(const struct message_opts *o, struct mw *w, int pass)
{
	switch (o->kind) {
	case MESSAGE_MATRIX:
		/* An empty m.mentions (Matrix 1.7's intentional mentions) turns
		 * off the servers' body rules, under which a member's name or
		 * "@room" in a feed's text would notify them. */
		if (pass == 0)
			mw_open(w, "\",\"format\":\"org.matrix.custom.html\",\"formatted_body\":\"");
		else
			mw_close(w, "\",\"m.mentions\":{}}");
		break;
	case MESSAGE_SLACK:
		mw_close(w, pass == 0 ? "\",\"blocks\":[" : "]}");
		break;
	case MESSAGE_DISCORD:
		mw_close(w, "],\"allowed_mentions\":{\"parse\":[]}}");
		break;
	case MESSAGE_TELEGRAM:
		mw_close(w, "\",\"parse_mode\":\"HTML\",\"link_preview_options\":{\"is_disabled\":true}}");
		break;
	default:
		break;
	}
}

/* The source and time of an article, as "SOURCE · TIME" with the source in
 * the kind's markup (open and close, "" for none). */
static void chat_meta(struct mw *w, const struct digest_item *it, enum esc how, const char *open,
		      const char *close)
{
	char t[24];

	if (*it->source) {
		mw_tag(w, open);
		mw_text_r(w, how, it->source, strlen(it->source), strlen(close));
		mw_tag(w, close);
	}
	if (it->has_published) {
		when(it->published, t);
		if (*it->source)
			mw_lit(w, " \xc2\xb7 ");
		mw_lit(w, t);
	}
}

/* The sentences, each after `bullet` (and inside open/close), until a cut. */
static void chat_sentences(struct mw *w, const struct digest_item *it, enum esc how,
			   const char *bullet, const char *open, const char *close)
{
	const char *s = it->sentences;

	for (unsigned i = 0; i < it->n_sentences && !w->cut; i++) {
		mw_lit(w, bullet);
		mw_tag(w, open);
		mw_text_r(w, how, s, strlen(s), strlen(close));
		mw_tag(w, close);
		s += strlen(s) + 1;
	}
}

/* A headline's markup in a kind: linked, open URL mid TEXT close (or open
 * TEXT mid URL close when the text comes first), the URL escaped as
 * url_how and the text as link_how; unlinked, plain_open TEXT plain_close
 * with the text escaped as how. */
struct headline_markup {
	const char *open, *mid, *close;
	enum esc url_how, link_how;
	int url_first;
	const char *plain_open, *plain_close;
	enum esc how;
	/* A URL holding '@' is shown unlinked: Discord reads "@here" in a
	 * description's link target as a mention. */
	int no_at;
};

/* The headline, its text cut where it would leave no room for the markup
 * and URL after it. */
static void chat_headline(struct mw *w, const struct digest_item *it,
			  const struct headline_markup *k)
{
	const char *h = headline(it);
	size_t url_len = strlen(it->url);
	struct mw after = *w;

	if (!linked(it) || (k->no_at && strchr(it->url, '@'))) {
		mw_wrap_r(w, k->plain_open, k->how, h, k->plain_close);
		return;
	}
	after.p = NULL;
	after.used = 0;
	if (!k->url_first) {
		mw_tag(&after, k->mid);
		mw_esc(&after, k->url_how, it->url, url_len, 0);
	}
	mw_tag(&after, k->close);
	mw_tag(w, k->open);
	if (k->url_first) {
		mw_esc(w, k->url_how, it->url, url_len, 0);
		mw_tag(w, k->mid);
	}
	mw_text_r(w, k->link_how, h, strlen(h), after.used);
	if (!k->url_first) {
		mw_tag(w, k->mid);
		mw_esc(w, k->url_how, it->url, url_len, 0);
	}
	mw_tag(w, k->close);
}

static const struct headline_markup ntfy_headline = {
	"**[", "](", ")**", ESC_MD_URL, ESC_MD, 0, "**", "**", ESC_MD, 0,
};
static const struct headline_markup matrix_plain_headline = {
	"", "\n", "", ESC_NONE, ESC_NONE, 0, "", "", ESC_NONE, 0,
};
static const struct headline_markup html_headline = {
	"<a href=\"", "\">", "</a>", ESC_HTML, ESC_HTML, 1, "", "", ESC_HTML, 0,
};
static const struct headline_markup slack_headline = {
	"*<", "|", ">*", ESC_MRKDWN_URL, ESC_MRKDWN_LINK, 1, "*", "*", ESC_MRKDWN, 0,
};
static const struct headline_markup telegram_headline = {
	"<b><a href=\"", "\">", "</a></b>", ESC_HTML, ESC_HTML, 1, "<b>", "</b>", ESC_HTML, 0,
};

/* An also entry's title linked, without the headline's emphasis. */
static const struct headline_markup md_also = {
	"[", "](", ")", ESC_MD_URL, ESC_MD, 0, "", "", ESC_MD, 0,
};
static const struct headline_markup discord_also = {
	"[", "](", ")", ESC_MD_URL, ESC_MD, 0, "", "", ESC_MD, 1,
};
static const struct headline_markup matrix_plain_also = {
	"", " ", "", ESC_NONE, ESC_NONE, 0, "", "", ESC_NONE, 0,
};
static const struct headline_markup slack_also = {
	"<", "|", ">", ESC_MRKDWN_URL, ESC_MRKDWN_LINK, 1, "", "", ESC_MRKDWN, 0,
};

/* The item's also entries (docs/digest.md): `lead` ("Also in: ") before
 * the first, `sep` between them, each the source between src_open and
 * src_close and ": ", then its title linked as k says. Nothing after a
 * cut. */
static void chat_also(struct mw *w, const struct digest_item *it, const struct headline_markup *k,
		      const char *lead, const char *src_open, const char *src_close,
		      const char *sep)
{
	const char *p = it->also;

	for (unsigned i = 0; i < it->n_also && !w->cut; i++) {
		struct digest_item a = { 0 };

		a.source = p;
		p += strlen(p) + 1;
		a.title = p;
		p += strlen(p) + 1;
		a.url = p;
		p += strlen(p) + 1;
		mw_lit(w, i ? sep : lead);
		if (*a.source) {
			/* Room kept for ": " and the link's markup after it. */
			mw_tag(w, src_open);
			mw_text_r(w, k->how, a.source, strlen(a.source), strlen(src_close) + 8);
			mw_tag(w, src_close);
			if (w->cut)
				break;
			mw_lit(w, ": ");
		}
		chat_headline(w, &a, k);
	}
}

/* An article as lines: the headline; the source and time between
 * meta_open and meta_close (the source between src_marks); each sentence
 * after `bullet`. */
static void chat_lines(struct mw *w, const struct digest_item *it, const struct headline_markup *k,
		       const char *meta_open, const char *src_mark, const char *meta_close,
		       const char *bullet)
{
	chat_headline(w, it, k);
	if (*it->source || it->has_published) {
		mw_lit(w, "\n");
		mw_tag(w, meta_open);
		chat_meta(w, it, k->how, src_mark, src_mark);
		mw_tag(w, meta_close);
	}
	chat_sentences(w, it, k->how, bullet, "", "");
}

/* One article in pass `pass`, within `budget` units (what a part has room
 * for after its head). first: the first article of its part. */
static void chat_article(const struct message_opts *o, struct mw *w, int pass,
			 const struct digest_item *it, int first, size_t budget)
{
	const char *h = headline(it);

	switch (o->kind) {
	case MESSAGE_NTFY:
		mw_field(w, budget);
		if (!first)
			mw_lit(w, "\n\n");
		chat_lines(w, it, &ntfy_headline, "", "*", "", "\n- ");
		/* A paragraph of its own: after "- " it would continue the list. */
		chat_also(w, it, &md_also, "\n\nAlso in: ", "*", "*", " \xc2\xb7 ");
		break;
	case MESSAGE_MATRIX:
		if (pass == 0) {
			mw_field(w, budget / 3);
			mw_lit(w, "\n");
			chat_lines(w, it, &matrix_plain_headline, "", "", "", "\n- ");
			chat_also(w, it, &matrix_plain_also, "\nAlso in: ", "", "", " \xc2\xb7 ");
			mw_lit(w, "\n");
			break;
		}
		mw_field(w, budget - budget / 3);
		mw_tag(w, "<p><b>");
		chat_headline(w, it, &html_headline);
		mw_tag(w, "</b>");
		if (*it->source || it->has_published) {
			mw_tag(w, "<br><i>");
			chat_meta(w, it, ESC_HTML, "", "");
			mw_tag(w, "</i>");
		}
		mw_tag(w, "</p>");
		if (it->n_sentences) {
			mw_tag(w, "<ul>");
			chat_sentences(w, it, ESC_HTML, "", "<li>", "</li>");
			mw_tag(w, "</ul>");
		}
		if (it->n_also && !w->cut) {
			mw_tag(w, "<p>");
			chat_also(w, it, &html_headline, "Also in: ", "<i>", "</i>", " \xc2\xb7 ");
			mw_tag(w, "</p>");
		}
		break;
	case MESSAGE_SLACK:
		if (pass == 0) {
			mw_field(w, SLACK_FALLBACK_UNITS);
			mw_lit(w, "\n\xe2\x80\xa2 ");
			mw_text(w, ESC_MRKDWN, h);
			break;
		}
		mw_open(w, ",{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"");
		mw_field(w, SLACK_SECTION_UNITS - CLOSE_RESERVE);
		chat_lines(w, it, &slack_headline, "", "_", "", "\n\xe2\x80\xa2 ");
		chat_also(w, it, &slack_also, "\nAlso in: ", "_", "_", " \xc2\xb7 ");
		mw_close(w, "\"}}");
		break;
	case MESSAGE_DISCORD:
		if (!first)
			mw_tag(w, ",");
		mw_open(w, "{\"title\":\"");
		mw_field(w, DISCORD_TITLE_UNITS);
		mw_text(w, ESC_NONE, h);
		if (linked(it)) {
			mw_open(w, "\",\"url\":\"");
			mw_tag(w, it->url);
		}
		mw_open(w, "\",\"description\":\"");
		mw_field(w, DISCORD_DESC_UNITS - CLOSE_RESERVE);
		chat_meta(w, it, ESC_MD, "*", "*");
		chat_sentences(w, it, ESC_MD, "\n- ", "", "");
		chat_also(w, it, &discord_also, "\n\nAlso in: ", "*", "*", " \xc2\xb7 ");
		mw_close(w, "\"}");
		break;
	case MESSAGE_TELEGRAM:
		mw_field(w, budget);
		mw_lit(w, "\n\n");
		chat_lines(w, it, &telegram_headline, "<i>", "", "</i>", "\n\xe2\x80\xa2 ");
		chat_also(w, it, &html_headline, "\nAlso in: ", "<i>", "</i>", " \xc2\xb7 ");
		break;
	default:
		break;
	}
}

/* A problem line (docs/status.md): "SOURCE: N failed polls since TIME:
 * ERROR", the source between open and close, escaped as how. */
static void chat_problem(struct mw *w, const struct digest_problem *p, enum esc how,
			 const char *open, const char *close)
{
	char t[24], num[12];

	/* Room kept for the count and time written after the source uncut. */
	mw_tag(w, open);
	mw_text_r(w, how, p->source, strlen(p->source), strlen(close) + 64);
	mw_tag(w, close);
	if (w->cut)
		return;
	mw_lit(w, ": ");
	dec(p->failures, num);
	mw_lit(w, num);
	mw_lit(w, p->failures == 1 ? " failed poll since " : " failed polls since ");
	when(p->since, t);
	mw_lit(w, t);
	if (p->error[0]) {
		mw_lit(w, ": ");
		mw_text_r(w, how, p->error, strlen(p->error), 8);
	}
}

#define PROBLEMS_HEADING "Sources with problems"

/* The heading of the sources with problems, between two tags. */
static void chat_heading(struct mw *w, const char *open, const char *close)
{
	mw_tag(w, open);
	mw_lit(w, PROBLEMS_HEADING);
	mw_tag(w, close);
}

/* Problem k in pass `pass`: each problem is one entry after the articles,
 * packed and counted like an article, so that a long list is split across
 * numbered parts, each line whole and in order. head: the first problem of
 * its part, which writes the heading (and opens Matrix's list); tail: the
 * last entry of its part (closes the list). first: the first entry of its
 * part. */
static void chat_problems(const struct message_opts *o, struct mw *w, int pass,
			  const struct digest *d, unsigned k, int first, int head, int tail,
			  size_t budget)
{
	const struct digest_problem *p = &d->problem[k];

	switch (o->kind) {
	case MESSAGE_NTFY:
		mw_field(w, budget);
		if (head && !first)
			mw_lit(w, "\n\n");
		if (head)
			chat_heading(w, "**", "**");
		mw_lit(w, "\n- ");
		chat_problem(w, p, ESC_MD, "*", "*");
		break;
	case MESSAGE_MATRIX:
		if (pass == 0) {
			mw_field(w, budget / 3);
			if (head)
				chat_heading(w, "\n", "");
			mw_lit(w, "\n- ");
			chat_problem(w, p, ESC_NONE, "", "");
			if (tail)
				mw_lit(w, "\n");
			break;
		}
		mw_field(w, budget - budget / 3);
		if (head)
			chat_heading(w, "<p><b>", "</b></p><ul>");
		mw_tag(w, "<li>");
		chat_problem(w, p, ESC_HTML, "<i>", "</i>");
		mw_tag(w, tail ? "</li></ul>" : "</li>");
		break;
	case MESSAGE_SLACK:
		/* A section block each: a section's text has its own limit. */
		if (pass == 0) {
			mw_field(w, SLACK_FALLBACK_UNITS);
			if (head)
				chat_heading(w, "\n\xe2\x80\xa2 ", "");
			break;
		}
		mw_open(w, ",{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"");
		mw_field(w, SLACK_SECTION_UNITS - CLOSE_RESERVE);
		if (head)
			chat_heading(w, "*", "*\n");
		mw_lit(w, "\xe2\x80\xa2 ");
		chat_problem(w, p, ESC_MRKDWN, "_", "_");
		mw_close(w, "\"}}");
		break;
	case MESSAGE_DISCORD:
		/* An embed each, titled: an embed's description has its own
		 * limit, and every embed of ours has a title. */
		if (!first)
			mw_tag(w, ",");
		mw_open(w, "{\"title\":\"");
		mw_field(w, DISCORD_TITLE_UNITS);
		mw_lit(w, PROBLEMS_HEADING);
		mw_open(w, "\",\"description\":\"");
		mw_field(w, DISCORD_DESC_UNITS - CLOSE_RESERVE);
		mw_lit(w, "- ");
		chat_problem(w, p, ESC_MD, "*", "*");
		mw_close(w, "\"}");
		break;
	case MESSAGE_TELEGRAM:
		mw_field(w, budget);
		if (head) {
			mw_lit(w, "\n\n"); /* Telegram counts it: text, not markup */
			chat_heading(w, "<b>", "</b>");
		}
		mw_lit(w, "\n\xe2\x80\xa2 ");
		chat_problem(w, p, ESC_HTML, "<i>", "</i>");
		break;
	default:
		break;
	}
}

/* Entry i of a chat message: article i, or problem i - articles after the
 * last; head and tail as chat_problems says. */
static void chat_entry(const struct message_opts *o, struct mw *w, int pass,
		       const struct digest *d, unsigned i, int first, int head, int tail,
		       size_t budget)
{
	struct digest_item it;

	if (digest_item(d, i, &it) == 0)
		chat_article(o, w, pass, &it, first, budget);
	else
		chat_problems(o, w, pass, d, i - digest_count(d), first, head, tail, budget);
}

/* Units of the heads and tails of a part whose title is `title`. */
static size_t chat_frame_cost(const struct message_opts *o, const struct layout *l,
			      const char *title)
{
	struct mw w = { NULL, 0, 0, 0, l->unit, 0, 0, 0, 0 };

	for (int pass = 0; pass < l->passes; pass++) {
		chat_head(o, &w, pass, title);
		chat_tail(o, &w, pass);
	}
	/* Discord's embed total does not count the content (the head). */
	return o->kind == MESSAGE_DISCORD ? 0 : w.total;
}

/* The budget an article has: what a part holds after its frame, less a
 * margin for the markup that closes it after a cut. */
static size_t chat_budget(const struct layout *l, size_t frame)
{
	return l->cap > frame + 2 * CLOSE_RESERVE ? l->cap - frame - 2 * CLOSE_RESERVE : 0;
}

/* Entry i's cost as the first of its part or not: the separator before
 * it takes room in its field, so a cut entry keeps more of its text as the
 * first, and can come out longer (a cut at a character boundary). */
static size_t chat_cost(const struct message_opts *o, const struct layout *l,
			const struct digest *d, unsigned i, int first, size_t budget)
{
	struct mw w = { NULL, 0, 0, l->json, l->unit, 0, 0, 0, 0 };

	/* A problem's cost with the heading and the list's end: what it
	 * costs at most, wherever it falls. */
	for (int pass = 0; pass < l->passes; pass++)
		chat_entry(o, &w, pass, d, i, first, 1, 1, budget);
	return w.total;
}

static int render_chat(const struct message_opts *o, const struct digest *d, unsigned part,
		       char *out, size_t cap, struct message *m)
{
	char title[MESSAGE_TITLE_BYTES];
	struct layout l;
	struct mw w;
	size_t frame, budget, used = 0;
	/* The problems, when there are any, are one entry each after the
	 * articles. */
	unsigned na = digest_count(d), n = na + d->n_problems, parts = 1, count = 0, first = 0,
		 end = 0;
	int rc = layout_of(o->kind, &l);

	if (rc < 0)
		return rc;
	if (o->kind == MESSAGE_TELEGRAM && (!o->chat_id || !*o->chat_id))
		return -EINVAL;
	/* The frame as wide as any part's: the title with the widest " (k/n)". */
	title_fill(o, d, DIGEST_MAX_ARTICLES - 1, DIGEST_MAX_ARTICLES, title);
	frame = chat_frame_cost(o, &l, title);
	budget = chat_budget(&l, frame);
	for (unsigned i = 0; i < n; i++) {
		size_t c = chat_cost(o, &l, d, i, count == 0, budget);

		if (count && (frame + used + c > l.cap || count == l.per_part)) {
			if (parts == part + 1)
				end = i;
			parts++;
			used = 0;
			count = 0;
			c = chat_cost(o, &l, d, i, 1, budget);
		}
		if (count == 0 && parts == part + 1)
			first = i;
		used += c;
		count++;
	}
	if (parts == part + 1)
		end = n;
	m->parts = parts;
	if (part >= parts)
		return -ERANGE;
	title_fill(o, d, part, parts, title);
	if (o->kind == MESSAGE_NTFY) {
		memcpy(m->title, title, strlen(title) + 1);
		if (first < end) {
			struct digest_item it;

			if (digest_item(d, first, &it) == 0 && linked(&it))
				memcpy(m->click, it.url, strlen(it.url) + 1);
		}
	}
	w = (struct mw){ out, 0, cap, 0, l.unit, 0, 0, 0, 0 };
	for (int pass = 0; pass < l.passes; pass++) {
		chat_head(o, &w, pass, title);
		for (unsigned i = first; i < end; i++)
			chat_entry(o, &w, pass, d, i, i == first, i >= na && (i == first || i == na),
				   i + 1 == end, budget);
		chat_tail(o, &w, pass);
	}
	return mw_finish(&w, m);
}

/* ---- Email: one RFC 5322 message, multipart/alternative. ---- */

#define MAIL_LINE 78u

static const char b64_digits[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The base64 form of in[0..n) (n <= 3) as 4 characters. */
static void b64_group(const unsigned char *in, size_t n, char out[4])
{
	uint32_t v = (uint32_t)in[0] << 16 | (n > 1 ? (uint32_t)in[1] << 8 : 0) |
		     (n > 2 ? in[2] : 0);

	out[0] = b64_digits[v >> 18 & 63];
	out[1] = b64_digits[v >> 12 & 63];
	out[2] = n > 1 ? b64_digits[v >> 6 & 63] : '=';
	out[3] = n > 2 ? b64_digits[v & 63] : '=';
}

/* A header value that can go as it is: printable ASCII. */
static int mail_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* "Name: value", folded before a run of spaces where the word after it
 * would take the line past 78 characters; unfolding (removing the CRLFs)
 * gives the value back. A word longer than a line stays whole: the callers
 * keep values under 998 bytes. */
static void mail_fold(struct mw *w, const char *name, const char *v)
{
	size_t col = strlen(name) + 1, start = col;

	mw_tag(w, name);
	mw_tag(w, " ");
	while (*v) {
		size_t sp = strspn(v, " "), wl = strcspn(v + sp, " ");

		if (sp && wl && col > start && col + sp + wl > MAIL_LINE) {
			mw_tag(w, "\r\n");
			col = 0;
		}
		mw_raw(w, v, sp + wl, 0);
		col += sp + wl;
		v += sp + wl;
	}
	mw_tag(w, "\r\n");
}

/* The subject as RFC 2047 encoded-words when it is not plain ASCII (or
 * holds "=?", which a reader would take for one): each word at most 42
 * bytes of whole UTF-8 characters, so that every line stays within 78. */
static void mail_subject(struct mw *w, const char *s)
{
	size_t n = strlen(s);

	if (mail_ascii(s, n) && !strstr(s, "=?")) {
		mail_fold(w, "Subject:", s);
		return;
	}
	mw_tag(w, "Subject:");
	for (int first = 1; n; first = 0) {
		size_t k = n < 42 ? n : 42;
		char g[4];

		while (k < n && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		if (!first)
			mw_tag(w, "\r\n");
		mw_tag(w, " =?UTF-8?B?");
		for (size_t i = 0; i < k; i += 3) {
			b64_group((const unsigned char *)s + i, k - i < 3 ? k - i : 3, g);
			mw_raw(w, g, 4, 0);
		}
		mw_tag(w, "?=");
		s += k;
		n -= k;
	}
	mw_tag(w, "\r\n");
}

/* "Date: Sat, 28 Nov 2026 18:00:00 +0000" */
static void mail_date(struct mw *w, int64_t t)
{
	static const char days[] = "ThuFriSatSunMonTueWed";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char iso[21], line[40];
	int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	unsigned wd = (unsigned)(((day % 7) + 7) % 7), mon;

	date_format_rfc3339(t, iso);
	mon = (unsigned)((iso[5] - '0') * 10 + (iso[6] - '0')) - 1;
	memcpy(line, "Date: ", 6);
	memcpy(line + 6, days + 3 * wd, 3);
	memcpy(line + 9, ", ", 2);
	memcpy(line + 11, iso + 8, 2);
	line[13] = ' ';
	memcpy(line + 14, months + 3 * (mon < 12 ? mon : 0), 3);
	line[17] = ' ';
	memcpy(line + 18, iso, 4);
	line[22] = ' ';
	memcpy(line + 23, iso + 11, 8);
	memcpy(line + 31, " +0000\r\n", 9);
	mw_tag(w, line);
}

/* The host as a Message-ID's right side when it is a plain domain name. */
static int mail_domain_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253 || h[0] == '.' || h[n - 1] == '.' || strstr(h, ".."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(utf8_ascii_alpha(h[i]) || (h[i] >= '0' && h[i] <= '9') || h[i] == '.' ||
		      h[i] == '-'))
			return 0;
	return 1;
}

/* A header address list's entry: printable ASCII, short enough for one
 * line. */
static int mail_addr_ok(const char *s, size_t n)
{
	return n > 0 && n <= 900 && mail_ascii(s, n);
}

/* "To: a,\r\n b" with each address of the comma-separated list trimmed;
 * -EINVAL when there is none or one is not printable ASCII. */
static int mail_to(struct mw *w, const char *to)
{
	unsigned count = 0;

	mw_tag(w, "To:");
	while (*to) {
		size_t n = strcspn(to, ",");
		const char *a = to;

		to += n;
		if (*to == ',')
			to++;
		while (n && *a == ' ')
			a++, n--;
		while (n && a[n - 1] == ' ')
			n--;
		if (n == 0)
			continue;
		if (!mail_addr_ok(a, n))
			return -EINVAL;
		if (count++)
			mw_tag(w, ",\r\n");
		mw_raw(w, " ", 1, 0);
		mw_raw(w, a, n, 0);
	}
	mw_tag(w, "\r\n");
	return count ? 0 : -EINVAL;
}

/* The digest in fmt, base64 in lines of 76 characters, its line ends made
 * CRLF (a text part's canonical form). It is rendered at the end of out and
 * encoded forward from there: the encoding grows each 3 bytes to 4 (and 76
 * to 78), so the writing end never passes the reading one when the whole
 * encoding fits before the end of out. */
static int mail_base64(struct mw *w, const struct digest *d, enum cfg_format fmt)
{
	size_t len = 0, nl = 0, total, enc, k = 0, col = 0;
	const char *src;
	int pending_lf = 0;

	digest_render(d, fmt, NULL, 0, &len);
	if (w->len > w->cap || w->cap - w->len < len)
		return -ENOSPC;
	src = w->p + w->cap - len;
	if (digest_render(d, fmt, w->p + w->cap - len, len, &len) < 0)
		return -EIO;
	for (size_t i = 0; i < len; i++)
		nl += src[i] == '\n';
	total = len + nl;
	enc = (total + 2) / 3 * 4;
	enc += (enc + 75) / 76 * 2;
	if (w->cap - w->len < enc)
		return -ENOSPC;
	while (k < len || pending_lf) {
		unsigned char g[3];
		size_t gn = 0;

		while (gn < 3 && (k < len || pending_lf)) {
			if (pending_lf) {
				g[gn++] = '\n';
				pending_lf = 0;
			} else if (src[k] == '\n') {
				g[gn++] = '\r';
				pending_lf = 1;
				k++;
			} else {
				g[gn++] = (unsigned char)src[k++];
			}
		}
		b64_group(g, gn, w->p + w->len);
		w->len += 4;
		col += 4;
		if (col == 76) {
			memcpy(w->p + w->len, "\r\n", 2);
			w->len += 2;
			col = 0;
		}
	}
	if (col) {
		memcpy(w->p + w->len, "\r\n", 2);
		w->len += 2;
	}
	return 0;
}

static int render_email(const struct message_opts *o, const struct digest *d, unsigned part,
			char *out, size_t cap, struct message *m)
{
	struct mw w = { out, 0, cap, 0, U_BYTES, 0, SIZE_MAX, 0, 0 };
	static const char *const parts[2] = { "text/plain", "text/html" };
	int rc;

	m->parts = 1;
	if (!o->from || !mail_addr_ok(o->from, strlen(o->from)) || !o->to)
		return -EINVAL;
	if (part > 0)
		return -ERANGE;
	title_fill(o, d, 0, 1, m->title);
	mail_fold(&w, "From:", o->from);
	rc = mail_to(&w, o->to);
	if (rc < 0)
		return rc;
	mail_subject(&w, m->title);
	mail_date(&w, d->created);
	mw_tag(&w, "Message-ID: <");
	mw_tag(&w, d->id);
	mw_tag(&w, "@");
	mw_tag(&w, mail_domain_ok(d->host) ? d->host : "digestd.invalid");
	/* The boundary starts "=_": base64 lines never hold '_', and a part
	 * never starts with '='. */
	mw_tag(&w, ">\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
		   "Content-Type: multipart/alternative;\r\n boundary=\"=_");
	mw_tag(&w, d->id);
	mw_tag(&w, "\"\r\n\r\n");
	for (int i = 0; i < 2; i++) {
		mw_tag(&w, "--=_");
		mw_tag(&w, d->id);
		mw_tag(&w, "\r\nContent-Type: ");
		mw_tag(&w, parts[i]);
		mw_tag(&w, "; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
		rc = mail_base64(&w, d, i ? CFG_FORMAT_HTML : CFG_FORMAT_TEXT);
		if (rc < 0) {
			m->len = w.len;
			return rc;
		}
	}
	mw_tag(&w, "--=_");
	mw_tag(&w, d->id);
	mw_tag(&w, "--\r\n");
	return mw_finish(&w, m);
}

int message_render(const struct message_opts *o, const struct digest *d, unsigned part,
		   char *out, size_t cap, struct message *m)
{
	m->parts = 1;
	m->len = 0;
	m->title[0] = '\0';
	m->click[0] = '\0';
	if (!o || !d || (!out && cap))
		return -EINVAL;
	switch (o->kind) {
	case MESSAGE_WEBHOOK: {
		size_t len = 0;
		int rc;

		if ((unsigned)o->format >= DIGEST_FORMATS)
			return -EINVAL;
		if (part > 0)
			return -ERANGE;
		rc = digest_render(d, o->format, out, cap, &len);
		m->len = len;
		return rc;
	}
	case MESSAGE_EMAIL:
		return render_email(o, d, part, out, cap, m);
	default:
		return render_chat(o, d, part, out, cap, m);
	}
}
