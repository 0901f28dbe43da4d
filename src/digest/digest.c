/* SPDX-License-Identifier: MIT */
/* Digest composition and rendering (JSON, Markdown, text, HTML) into caller
 * buffers. Text is cleaned once on the way in, so every format renders it the
 * same way; rendered lengths are measured on add so that a composed digest
 * always fits its body cap in every format. */
#include "digest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/date.h"
#include "core/sha256.h"
#include "core/url.h"
#include "core/utf8.h"
#include "core/version.h"

/* A checked output: counts every byte, stores those that fit. With p NULL it
 * only measures. */
struct dout {
	char *p;
	size_t len, cap;
};

static void put(struct dout *o, const char *s, size_t n)
{
	if (o->p && n <= o->cap && o->len <= o->cap - n)
		memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct dout *o, const char *s)
{
	put(o, s, strlen(s));
}

bool digest_id_valid(const char *id, size_t n)
{
	if (n == 0 || n >= DIGEST_ID_BYTES)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

static const char hex_digits[] = "0123456789abcdef";

int digest_content_id(const char *who, const unsigned char *const *keys, unsigned n, char *out,
		      size_t size)
{
	static const char tag[] = "digestd digest 1\n";
	mbedtls_sha256_context sha;
	unsigned char sum[32];
	size_t k = 0;

	if (n == 0 || size < DIGEST_ID_BYTES)
		return -EINVAL;
	sha256_start(&sha);
	sha256_update(&sha, tag, sizeof(tag) - 1);
	sha256_update(&sha, who, strlen(who));
	sha256_update(&sha, "\n", 1);
	for (unsigned i = 0; i < n; i++)
		sha256_update(&sha, keys[i], 32);
	sha256_finish(&sha, sum);
	out[k++] = 'd';
	out[k++] = 'g';
	out[k++] = '_';
	for (size_t i = 0; i < 16; i++) {
		out[k++] = hex_digits[sum[i] >> 4];
		out[k++] = hex_digits[sum[i] & 15];
	}
	out[k] = '\0';
	return 0;
}

int digest_new_id(int64_t created, char *out, size_t size)
{
	char t[21];
	unsigned char rnd[4];
	size_t k = 0;

	if (size < DIGEST_ID_BYTES)
		return -EINVAL;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -EIO;
	if (date_format_rfc3339(created, t) < 0)
		return -EINVAL;
	out[k++] = 'd';
	out[k++] = 'g';
	out[k++] = '_';
	for (size_t i = 0; t[i]; i++)
		if (t[i] != '-' && t[i] != ':')
			out[k++] = t[i];
	out[k++] = '_';
	for (size_t i = 0; i < sizeof rnd; i++) {
		out[k++] = hex_digits[rnd[i] >> 4];
		out[k++] = hex_digits[rnd[i] & 15];
	}
	out[k] = '\0';
	return 0;
}

/* Appends the cleaned form of p[0..n) and a NUL to arena[*used..cap).
 * Returns 0 or -ENOSPC (arena unchanged as far as the caller can tell:
 * *used only moves on success). */
static int clean_into(char *arena, size_t *used, size_t cap, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	const unsigned char *end = s + n;
	size_t k = *used;
	int pending = 0, any = 0;

	while (s < end) {
		uint32_t cp;
		unsigned char enc[4];
		size_t step = utf8_decode(s, end, &cp);
		size_t m;

		s += step;
		/* utf8_is_space takes controls and U+2028/U+2029 too (JSON
		 * allows those raw, but JavaScript string literals and many
		 * viewers do not). */
		if (utf8_is_space(cp)) {
			pending = any;
			continue;
		}
		m = utf8_encode(cp, enc);
		if (k + pending + m + 1 > cap)
			return -ENOSPC;
		if (pending)
			arena[k++] = ' ';
		pending = 0;
		memcpy(arena + k, enc, m);
		k += m;
		any = 1;
	}
	if (k + 1 > cap)
		return -ENOSPC;
	arena[k++] = '\0';
	*used = k;
	return 0;
}

static int clean_str(char *arena, size_t *used, size_t cap, const char *s)
{
	return clean_into(arena, used, cap, s ? s : "", s ? strlen(s) : 0);
}

int digest_begin(struct digest *d, const char *id, int64_t created, const char *host,
		 unsigned max_articles)
{
	char t[21];
	size_t used = 0;

	d->id[0] = '\0';
	d->created = created;
	d->n_articles = 0;
	d->n_problems = 0;
	d->used = 0;
	d->max_articles = max_articles < 1 ? 1
			  : max_articles > DIGEST_MAX_ARTICLES ? DIGEST_MAX_ARTICLES
							       : max_articles;
	d->host[0] = '\0';
	/* A cleaned byte grows to at most 3 (U+FFFD), so a quarter always fits. */
	if (host && clean_str(d->host, &used, sizeof d->host, host) < 0) {
		used = 0;
		if (clean_into(d->host, &used, sizeof d->host, host, sizeof d->host / 4) < 0)
			d->host[0] = '\0';
	}
	for (int f = 0; f < DIGEST_FORMATS; f++)
		d->rendered[f] = 0;
	d->must_fit = DIGEST_FIT_ALL;
	if (!id || !digest_id_valid(id, strlen(id)) || date_format_rfc3339(created, t) < 0)
		return -EINVAL;
	memcpy(d->id, id, strlen(id) + 1);
	for (int f = 0; f < DIGEST_FORMATS; f++) {
		size_t len = 0;
		digest_render(d, (enum cfg_format)f, NULL, 0, &len);
		d->rendered[f] = len;
	}
	return 0;
}

unsigned digest_count(const struct digest *d)
{
	return d->n_articles;
}

/* An article's strings in the arena, in the order digest_add wrote them. */
struct art {
	const char *source, *title, *url, *lang, *sent;
	const char *also; /* n_also triples of source, title, url */
	unsigned n_sent, n_also;
	int64_t published;
	int has_published;
};

static void art_get(const struct digest *d, const struct digest_entry *e, struct art *a)
{
	const char *p = d->arena + e->off;

	a->source = p;
	p += strlen(p) + 1;
	a->title = p;
	p += strlen(p) + 1;
	a->url = p;
	p += strlen(p) + 1;
	a->lang = p;
	p += strlen(p) + 1;
	a->sent = p;
	a->n_sent = e->n_sentences;
	for (unsigned i = 0; i < e->n_sentences; i++)
		p += strlen(p) + 1;
	a->also = p;
	a->n_also = e->n_also;
	a->published = e->published;
	a->has_published = (int)e->has_published;
}

/* The also entry at *p (source, title, url) and *p moved past it. */
static void also_next(const char **p, const char **source, const char **title, const char **url)
{
	*source = *p;
	*p += strlen(*p) + 1;
	*title = *p;
	*p += strlen(*p) + 1;
	*url = *p;
	*p += strlen(*p) + 1;
}

static void put_time(struct dout *o, int64_t t)
{
	char buf[21];

	date_format_rfc3339(t, buf);
	puts_(o, buf);
}

static void put_json_str(struct dout *o, const char *s)
{
	const char *run = s;

	put(o, "\"", 1);
	for (; *s; s++) {
		if (*s != '"' && *s != '\\')
			continue;
		put(o, run, (size_t)(s - run));
		put(o, "\\", 1);
		run = s;
	}
	put(o, run, (size_t)(s - run));
	put(o, "\"", 1);
}

static void put_json_opt(struct dout *o, const char *s)
{
	if (*s)
		put_json_str(o, s);
	else
		puts_(o, "null");
}

/* CommonMark lets any ASCII punctuation be backslash-escaped; these are the
 * ones that could start emphasis, links, code, HTML or entities inline, and
 * '@' and the ':' of "://", from which GitHub's and linkify's autolinks
 * would make mailto:, xmpp: and ftp: links (an escape splits the text they
 * search). */
static void put_md_text_n(struct dout *o, const char *s, size_t n)
{
	const char *end = s + n;
	size_t digits = 0;

	while (digits < n && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	/* At the start of a list item or heading, "-", "+" or "1." would open
	 * a nested list. */
	if (n && (*s == '-' || *s == '+')) {
		put(o, "\\", 1);
	} else if (digits && digits < n && (s[digits] == '.' || s[digits] == ')')) {
		put(o, s, digits);
		put(o, "\\", 1);
		s += digits;
	}
	for (; s < end; s++) {
		if ((*s && strchr("\\`*_[]<>#!|~&@", *s)) ||
		    (*s == ':' && end - s > 2 && s[1] == '/' && s[2] == '/'))
			put(o, "\\", 1);
		put(o, s, 1);
	}
}

static void put_md_text(struct dout *o, const char *s)
{
	put_md_text_n(o, s, strlen(s));
}

/* A link destination inside <...>, which ends at the first '>' that is not
 * backslash-escaped (cleaned text holds no line breaks): '<', '>' and spaces
 * are percent-encoded, and backslashes and '&' escaped, so that a URL ending
 * in a backslash cannot escape our '>' and an entity such as &amp; stays as
 * written. */
static void put_md_url(struct dout *o, const char *s)
{
	put(o, "<", 1);
	for (; *s; s++) {
		if (*s == '<') {
			puts_(o, "%3C");
			continue;
		}
		if (*s == '>') {
			puts_(o, "%3E");
			continue;
		}
		if (*s == ' ') {
			puts_(o, "%20");
			continue;
		}
		if (*s == '\\' || *s == '&')
			put(o, "\\", 1);
		put(o, s, 1);
	}
	put(o, ">", 1);
}

static void head_json(const struct digest *d, struct dout *o)
{
	puts_(o, "{\"schema\":\"" DIGEST_SCHEMA "\",\"id\":");
	put_json_str(o, d->id);
	puts_(o, ",\"created\":\"");
	put_time(o, d->created);
	puts_(o, "\",\"generator\":\"digestd/" DIGESTD_VERSION "\",\"host\":");
	put_json_str(o, d->host);
	puts_(o, ",\"articles\":[");
}

static void article_json(const struct art *a, struct dout *o)
{
	const char *s = a->sent;

	puts_(o, "\n{\"source\":");
	put_json_str(o, a->source);
	puts_(o, ",\"title\":");
	put_json_str(o, a->title);
	puts_(o, ",\"url\":");
	put_json_opt(o, a->url);
	puts_(o, ",\"published\":");
	if (a->has_published) {
		put(o, "\"", 1);
		put_time(o, a->published);
		put(o, "\"", 1);
	} else {
		puts_(o, "null");
	}
	puts_(o, ",\"lang\":");
	put_json_opt(o, a->lang);
	puts_(o, ",\"sentences\":[");
	for (unsigned i = 0; i < a->n_sent; i++) {
		if (i)
			put(o, ",", 1);
		put_json_str(o, s);
		s += strlen(s) + 1;
	}
	puts_(o, "],\"also\":[");
	s = a->also;
	for (unsigned i = 0; i < a->n_also; i++) {
		const char *src, *title, *url;

		also_next(&s, &src, &title, &url);
		puts_(o, i ? ",{\"source\":" : "{\"source\":");
		put_json_str(o, src);
		puts_(o, ",\"title\":");
		put_json_str(o, title);
		puts_(o, ",\"url\":");
		put_json_opt(o, url);
		put(o, "}", 1);
	}
	puts_(o, "]}");
}

static void head_markdown(const struct digest *d, struct dout *o)
{
	puts_(o, "# Digest ");
	put_md_text(o, d->id);
	puts_(o, "\n\nCreated ");
	put_time(o, d->created);
	puts_(o, " on ");
	put_md_text(o, d->host);
	puts_(o, " by digestd/" DIGESTD_VERSION ".\n");
}

static void article_markdown(const struct art *a, struct dout *o)
{
	const char *s = a->sent;
	const char *sep = "";

	puts_(o, "\n## ");
	if (*a->url) {
		put(o, "[", 1);
		put_md_text(o, *a->title ? a->title : a->url);
		put(o, "](", 2);
		put_md_url(o, a->url);
		put(o, ")", 1);
	} else {
		put_md_text(o, *a->title ? a->title : "(untitled)");
	}
	puts_(o, "\n\n");
	if (*a->source) {
		put(o, "*", 1);
		put_md_text(o, a->source);
		put(o, "*", 1);
		sep = " · ";
	}
	if (a->has_published) {
		puts_(o, sep);
		put_time(o, a->published);
		sep = " · ";
	}
	if (*a->lang) {
		puts_(o, sep);
		put_md_text(o, a->lang);
		sep = " · ";
	}
	if (*sep)
		puts_(o, "\n\n");
	for (unsigned i = 0; i < a->n_sent; i++) {
		puts_(o, "- ");
		put_md_text(o, s);
		put(o, "\n", 1);
		s += strlen(s) + 1;
	}
	/* A paragraph of its own: right after a list item it would continue it. */
	s = a->also;
	for (unsigned i = 0; i < a->n_also; i++) {
		const char *src, *title, *url;

		also_next(&s, &src, &title, &url);
		puts_(o, i ? " · " : "\nAlso in: ");
		if (*src) {
			put(o, "*", 1);
			put_md_text(o, src);
			puts_(o, "*: ");
		}
		if (*url) {
			put(o, "[", 1);
			put_md_text(o, *title ? title : url);
			put(o, "](", 2);
			put_md_url(o, url);
			put(o, ")", 1);
		} else {
			put_md_text(o, *title ? title : "(untitled)");
		}
	}
	if (a->n_also)
		put(o, "\n", 1);
}

static void head_text(const struct digest *d, struct dout *o)
{
	puts_(o, "Digest ");
	puts_(o, d->id);
	puts_(o, "\nCreated ");
	put_time(o, d->created);
	puts_(o, " on ");
	puts_(o, d->host);
	puts_(o, " by digestd/" DIGESTD_VERSION "\n");
}

static void article_text(const struct art *a, struct dout *o)
{
	const char *s = a->sent;
	const char *sep = "";

	puts_(o, "\n");
	puts_(o, *a->title ? a->title : "(untitled)");
	puts_(o, "\n");
	if (*a->source) {
		puts_(o, a->source);
		sep = " | ";
	}
	if (a->has_published) {
		puts_(o, sep);
		put_time(o, a->published);
		sep = " | ";
	}
	if (*a->lang) {
		puts_(o, sep);
		puts_(o, a->lang);
		sep = " | ";
	}
	if (*sep)
		puts_(o, "\n");
	if (*a->url) {
		puts_(o, a->url);
		puts_(o, "\n");
	}
	for (unsigned i = 0; i < a->n_sent; i++) {
		puts_(o, "  - ");
		puts_(o, s);
		put(o, "\n", 1);
		s += strlen(s) + 1;
	}
	/* One line per entry: "  Also in SOURCE: TITLE URL". */
	s = a->also;
	for (unsigned i = 0; i < a->n_also; i++) {
		const char *src, *title, *url;

		also_next(&s, &src, &title, &url);
		puts_(o, "  Also in ");
		puts_(o, *src ? src : "(unknown source)");
		puts_(o, ": ");
		puts_(o, *title ? title : "(untitled)");
		if (*url) {
			put(o, " ", 1);
			puts_(o, url);
		}
		put(o, "\n", 1);
	}
}

/* The HTML form's looks. Colours, the page width and word breaking are
 * inline styles, because mail clients drop <style> elements: the light page
 * reads right from those alone. The <style> element only adds the dark
 * scheme, whose !important rules win over the inline colours. */
#define HTML_FG "color:#1a1a1a;"
#define HTML_BG "background:#ffffff;"
#define HTML_PAGE                                                                                \
	"max-width:40em;margin:0 auto;padding:16px;" HTML_BG HTML_FG                             \
	"font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Noto Sans',Helvetica,"  \
	"Arial,sans-serif;font-size:16px;line-height:1.5;"                                       \
	"overflow-wrap:break-word;word-wrap:break-word;word-break:break-word;"
#define HTML_H1 "margin:0 0 4px;font-size:22px;line-height:1.3;"
#define HTML_META "margin:0 0 8px;color:#595959;font-size:14px;"
#define HTML_ART "margin:20px 0 0;padding:16px 0 0;border-top:1px solid #d0d0d0;"
#define HTML_H2 "margin:0 0 4px;font-size:18px;line-height:1.3;"
#define HTML_A "color:#0b57d0;text-decoration:underline;"
#define HTML_UL "margin:0;padding:0 0 0 20px;"
#define HTML_LI "margin:0 0 6px;"
#define HTML_DARK                                                                            \
	"@media (prefers-color-scheme: dark){"                                               \
	".dg-bg{background:#121212 !important;color:#e6e6e6 !important}"                     \
	".dg-m{color:#a8a8a8 !important}.dg-a{color:#8ab4f8 !important}"                     \
	".dg-art{border-color:#3a3a3a !important}}"

/* Text or a double-quoted attribute value: the five characters that could
 * end either, start a tag or start an entity become entities. Cleaned text
 * holds no control characters, and UTF-8 passes as it is. */
static void put_html_n(struct dout *o, const char *s, size_t n)
{
	const char *run = s, *end = s + n;

	for (; s < end; s++) {
		const char *ent;

		switch (*s) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		put(o, run, (size_t)(s - run));
		puts_(o, ent);
		run = s + 1;
	}
	put(o, run, (size_t)(s - run));
}

static void put_html(struct dout *o, const char *s)
{
	put_html_n(o, s, strlen(s));
}

/* A time for people: "2026-11-28 17:00 UTC". */
static void put_time_html(struct dout *o, int64_t t)
{
	char buf[21];

	date_format_rfc3339(t, buf);
	put(o, buf, 10);
	put(o, " ", 1);
	put(o, buf + 11, 5);
	puts_(o, " UTC");
}

static void head_html(const struct digest *d, struct dout *o)
{
	puts_(o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<meta name=\"color-scheme\" content=\"light dark\">\n<title>Digest ");
	put_html(o, d->id);
	puts_(o, "</title>\n<style>" HTML_DARK "</style>\n</head>\n"
		 "<body class=\"dg-bg\" style=\"margin:0;padding:0;" HTML_BG HTML_FG "\">"
		 "<div class=\"dg-bg\" style=\"" HTML_PAGE "\">\n"
		 "<h1 style=\"" HTML_H1 "\">Digest</h1>\n"
		 "<p class=\"dg-m\" style=\"" HTML_META "\">");
	put_time_html(o, d->created);
	if (*d->host) {
		puts_(o, " · ");
		put_html(o, d->host);
	}
	puts_(o, " · digestd/" DIGESTD_VERSION " · ");
	put_html(o, d->id);
	puts_(o, "</p>\n");
}

static void article_html(const struct art *a, struct dout *o)
{
	const char *s = a->sent;
	const char *sep = "";

	puts_(o, "<div");
	if (*a->lang) {
		puts_(o, " lang=\"");
		put_html(o, a->lang);
		puts_(o, "\"");
	}
	/* dir=auto: a Hebrew or Arabic article reads right to left. */
	puts_(o, " dir=\"auto\" class=\"dg-art\" style=\"" HTML_ART "\">\n"
		 "<h2 style=\"" HTML_H2 "\">");
	if (*a->url) {
		puts_(o, "<a class=\"dg-a\" href=\"");
		put_html(o, a->url);
		puts_(o, "\" style=\"" HTML_A "\">");
		put_html(o, *a->title ? a->title : a->url);
		puts_(o, "</a>");
	} else {
		put_html(o, *a->title ? a->title : "(untitled)");
	}
	puts_(o, "</h2>\n");
	if (*a->source || a->has_published || *a->lang) {
		puts_(o, "<p class=\"dg-m\" style=\"" HTML_META "\">");
		if (*a->source) {
			put_html(o, a->source);
			sep = " · ";
		}
		if (a->has_published) {
			puts_(o, sep);
			puts_(o, "<time datetime=\"");
			put_time(o, a->published);
			puts_(o, "\">");
			put_time_html(o, a->published);
			puts_(o, "</time>");
			sep = " · ";
		}
		if (*a->lang) {
			puts_(o, sep);
			put_html(o, a->lang);
		}
		puts_(o, "</p>\n");
	}
	if (a->n_sent) {
		puts_(o, "<ul style=\"" HTML_UL "\">\n");
		for (unsigned i = 0; i < a->n_sent; i++) {
			puts_(o, "<li style=\"" HTML_LI "\">");
			put_html(o, s);
			puts_(o, "</li>\n");
			s += strlen(s) + 1;
		}
		puts_(o, "</ul>\n");
	}
	s = a->also;
	for (unsigned i = 0; i < a->n_also; i++) {
		const char *src, *title, *url;

		also_next(&s, &src, &title, &url);
		puts_(o, i ? " · " : "<p class=\"dg-m\" style=\"" HTML_META "\">Also in: ");
		if (*src) {
			put_html(o, src);
			puts_(o, ": ");
		}
		if (*url) {
			puts_(o, "<a class=\"dg-a\" href=\"");
			put_html(o, url);
			puts_(o, "\" style=\"" HTML_A "\">");
			put_html(o, *title ? title : url);
			puts_(o, "</a>");
		} else {
			put_html(o, *title ? title : "(untitled)");
		}
	}
	if (a->n_also)
		puts_(o, "</p>\n");
	puts_(o, "</div>\n");
}

/* ---- sources with problems, after the articles ---- */

static void problems_json(const struct digest *d, struct dout *o)
{
	if (!d->n_problems)
		return;
	puts_(o, ",\n\"problems\":[");
	for (unsigned i = 0; i < d->n_problems; i++) {
		const struct digest_problem *p = &d->problem[i];
		char n[24];

		puts_(o, i ? ",\n{\"source\":" : "\n{\"source\":");
		put_json_str(o, p->source);
		puts_(o, ",\"since\":\"");
		put_time(o, p->since);
		snprintf(n, sizeof(n), "\",\"failures\":%u", p->failures);
		puts_(o, n);
		puts_(o, ",\"error\":");
		put_json_opt(o, p->error);
		puts_(o, "}");
	}
	puts_(o, "\n]");
}

/* "3 failed polls since 2026-12-06T18:00:00Z", the same in every form. */
static void put_failures(struct dout *o, const struct digest_problem *p)
{
	char n[24];

	snprintf(n, sizeof(n), "%u", p->failures);
	puts_(o, n);
	puts_(o, p->failures == 1 ? " failed poll since " : " failed polls since ");
	put_time(o, p->since);
}

static void problems_markdown(const struct digest *d, struct dout *o)
{
	if (!d->n_problems)
		return;
	puts_(o, "\n## Sources with problems\n\n");
	for (unsigned i = 0; i < d->n_problems; i++) {
		puts_(o, "- *");
		put_md_text(o, d->problem[i].source);
		puts_(o, "*: ");
		put_failures(o, &d->problem[i]);
		if (d->problem[i].error[0]) {
			puts_(o, ": ");
			put_md_text(o, d->problem[i].error);
		}
		puts_(o, "\n");
	}
}

static void problems_text(const struct digest *d, struct dout *o)
{
	if (!d->n_problems)
		return;
	puts_(o, "\nSources with problems\n");
	for (unsigned i = 0; i < d->n_problems; i++) {
		puts_(o, "  - ");
		puts_(o, d->problem[i].source);
		puts_(o, ": ");
		put_failures(o, &d->problem[i]);
		if (d->problem[i].error[0]) {
			puts_(o, ": ");
			puts_(o, d->problem[i].error);
		}
		puts_(o, "\n");
	}
}

static void problems_html(const struct digest *d, struct dout *o)
{
	if (!d->n_problems)
		return;
	puts_(o, "<div class=\"dg-art\" style=\"" HTML_ART "\">\n"
		 "<h2 style=\"" HTML_H2 "\">Sources with problems</h2>\n"
		 "<ul style=\"" HTML_UL "\">\n");
	for (unsigned i = 0; i < d->n_problems; i++) {
		puts_(o, "<li style=\"" HTML_LI "\">");
		put_html(o, d->problem[i].source);
		puts_(o, ": ");
		put_failures(o, &d->problem[i]);
		if (d->problem[i].error[0]) {
			puts_(o, ": ");
			put_html(o, d->problem[i].error);
		}
		puts_(o, "</li>\n");
	}
	puts_(o, "</ul>\n</div>\n");
}

static void article_any(enum cfg_format fmt, const struct art *a, struct dout *o, int first)
{
	switch (fmt) {
	case CFG_FORMAT_JSON:
		if (!first)
			put(o, ",", 1);
		article_json(a, o);
		break;
	case CFG_FORMAT_MARKDOWN:
		article_markdown(a, o);
		break;
	case CFG_FORMAT_TEXT:
		article_text(a, o);
		break;
	case CFG_FORMAT_HTML:
		article_html(a, o);
		break;
	}
}

int digest_render(const struct digest *d, enum cfg_format fmt, char *out, size_t cap,
		  size_t *len)
{
	struct dout o = { out, 0, cap };

	switch (fmt) {
	case CFG_FORMAT_JSON:
		head_json(d, &o);
		break;
	case CFG_FORMAT_MARKDOWN:
		head_markdown(d, &o);
		break;
	case CFG_FORMAT_TEXT:
		head_text(d, &o);
		break;
	case CFG_FORMAT_HTML:
		head_html(d, &o);
		break;
	default:
		return -EINVAL;
	}
	for (unsigned i = 0; i < d->n_articles; i++) {
		struct art a;
		art_get(d, &d->entry[i], &a);
		article_any(fmt, &a, &o, i == 0);
	}
	if (fmt == CFG_FORMAT_JSON) {
		puts_(&o, d->n_articles ? "\n]" : "]");
		problems_json(d, &o);
		puts_(&o, "}\n");
	}
	if (fmt == CFG_FORMAT_MARKDOWN)
		problems_markdown(d, &o);
	if (fmt == CFG_FORMAT_TEXT)
		problems_text(d, &o);
	if (fmt == CFG_FORMAT_HTML) {
		problems_html(d, &o);
		puts_(&o, "</div></body></html>\n");
	}
	*len = o.len;
	if (o.len >= cap) {
		if (out && o.len == cap)
			return 0;
		return -ENOSPC;
	}
	out[o.len] = '\0';
	return 0;
}

/* Only http(s) links reach a digest: a javascript: or data: URL would be a
 * live link in Markdown, and a relative one leads nowhere. The URL just
 * cleaned into arena[at..*used) becomes "" when it is not one. */
static void drop_non_http(char *arena, size_t at, size_t *used)
{
	if (!url_is_http(arena + at)) {
		arena[at] = '\0';
		*used = at + 1;
	}
}

void digest_must_fit(struct digest *d, unsigned mask)
{
	d->must_fit = mask & DIGEST_FIT_ALL;
}

int digest_add(struct digest *d, const struct digest_article *a)
{
	char t[21];
	size_t used = d->used, url_at = 0;
	size_t added[DIGEST_FORMATS], text_html, b64;
	struct digest_entry *e;
	struct art view;
	unsigned n = 0;
	int rc;

	if (!a || a->n_sentences > SUMM_MAX_PICK || (a->n_sentences && !a->sentences) ||
	    a->n_also > DIGEST_MAX_ALSO || (a->n_also && !a->also))
		return -EINVAL;
	if (d->id[0] == '\0')
		return -EINVAL;
	if (d->n_articles >= d->max_articles)
		return -ENOSPC;
	e = &d->entry[d->n_articles];
	e->off = (uint32_t)used;
	rc = clean_str(d->arena, &used, sizeof d->arena, a->source);
	if (rc == 0)
		rc = clean_str(d->arena, &used, sizeof d->arena, a->title);
	if (rc == 0) {
		url_at = used;
		rc = clean_str(d->arena, &used, sizeof d->arena, a->url);
	}
	if (rc == 0)
		drop_non_http(d->arena, url_at, &used);
	if (rc == 0)
		rc = clean_str(d->arena, &used, sizeof d->arena, a->lang);
	for (unsigned i = 0; rc == 0 && i < a->n_sentences; i++) {
		size_t before = used;
		const struct digest_span *sp = &a->sentences[i];

		rc = clean_into(d->arena, &used, sizeof d->arena, sp->p ? sp->p : "",
				sp->p ? sp->len : 0);
		if (rc == 0 && used - before == 1)
			used = before;
		else if (rc == 0)
			n++;
	}
	for (unsigned i = 0; rc == 0 && i < a->n_also; i++) {
		rc = clean_str(d->arena, &used, sizeof d->arena, a->also[i].source);
		if (rc == 0)
			rc = clean_str(d->arena, &used, sizeof d->arena, a->also[i].title);
		if (rc == 0) {
			url_at = used;
			rc = clean_str(d->arena, &used, sizeof d->arena, a->also[i].url);
		}
		if (rc == 0)
			drop_non_http(d->arena, url_at, &used);
	}
	if (rc < 0)
		return rc;
	e->n_sentences = n;
	e->n_also = a->n_also;
	/* A date outside years 0..9999 cannot be written in RFC 3339: unknown. */
	e->has_published = a->has_published && date_format_rfc3339(a->published, t) == 0;
	e->published = e->has_published ? a->published : 0;
	art_get(d, e, &view);
	for (int f = 0; f < DIGEST_FORMATS; f++) {
		struct dout o = { NULL, 0, 0 };
		article_any((enum cfg_format)f, &view, &o, d->n_articles == 0);
		added[f] = o.len;
		/* The JSON closing changes from "]}" to "\n]}" with the first article. */
		if (f == CFG_FORMAT_JSON && d->n_articles == 0)
			added[f]++;
		if ((d->must_fit & (1u << f)) && d->rendered[f] + added[f] > DIGEST_BODY_BYTES)
			return -ENOSPC;
	}
	/* An email endpoint's message carries the text and HTML renderings,
	 * with every LF made CRLF (at most twice as long), in base64 lines of
	 * 76 columns, and its headers: it must fit a body too. Only then: it
	 * would cap every digest at about 40 % of what a webhook takes. */
	text_html = 2 * (d->rendered[CFG_FORMAT_TEXT] + added[CFG_FORMAT_TEXT] +
			 d->rendered[CFG_FORMAT_HTML] + added[CFG_FORMAT_HTML]);
	b64 = (text_html / 3 + 2) * 4; /* both parts, each padded */
	if ((d->must_fit & DIGEST_FIT_MAIL) &&
	    b64 + 2 * (b64 / 76 + 2) + DIGEST_MAIL_HEAD_BYTES > DIGEST_BODY_BYTES)
		return -ENOSPC;
	for (int f = 0; f < DIGEST_FORMATS; f++)
		d->rendered[f] += added[f];
	d->used = used;
	d->n_articles++;
	return 0;
}

int digest_add_problem(struct digest *d, const char *source, int64_t since, unsigned failures,
		       const char *error)
{
	struct digest_problem *p;
	char t[21];
	size_t used = 0;

	if (d->id[0] == '\0' || d->n_articles)
		return -EINVAL;
	if (d->n_problems >= DIGEST_MAX_PROBLEMS)
		return -ENOSPC;
	p = &d->problem[d->n_problems];
	/* Cut to a quarter when too long: a cleaned byte grows to at most 3. */
	if (clean_str(p->source, &used, sizeof(p->source), source) < 0) {
		used = 0;
		if (clean_into(p->source, &used, sizeof(p->source), source,
			       strnlen(source, sizeof(p->source) / 4)) < 0)
			return -EINVAL;
	}
	used = 0;
	if (clean_str(p->error, &used, sizeof(p->error), error) < 0) {
		used = 0;
		if (clean_into(p->error, &used, sizeof(p->error), error,
			       strnlen(error, sizeof(p->error) / 4)) < 0)
			p->error[0] = '\0';
	}
	p->since = date_format_rfc3339(since, t) == 0 ? since : 0;
	p->failures = failures;
	d->n_problems++;
	/* No article yet: the rendered lengths are measured whole, once per
	 * problem (a few hundred bytes each). */
	for (int f = 0; f < DIGEST_FORMATS; f++) {
		size_t len = 0;

		digest_render(d, (enum cfg_format)f, NULL, 0, &len);
		d->rendered[f] = len;
	}
	return 0;
}

int digest_item(const struct digest *d, unsigned i, struct digest_item *it)
{
	struct art a;

	if (i >= d->n_articles)
		return -ERANGE;
	art_get(d, &d->entry[i], &a);
	it->source = a.source;
	it->title = a.title;
	it->url = a.url;
	it->lang = a.lang;
	it->sentences = a.sent;
	it->n_sentences = a.n_sent;
	it->published = a.published;
	it->has_published = a.has_published != 0;
	it->also = a.also;
	it->n_also = a.n_also;
	return 0;
}

void digest_escape(enum digest_escape how, const char *s, size_t n, char *out, size_t cap,
		   size_t *len)
{
	struct dout o = { out, *len, cap };

	switch (how) {
	case DIGEST_ESCAPE_HTML:
		put_html_n(&o, s, n);
		break;
	case DIGEST_ESCAPE_MARKDOWN:
		put_md_text_n(&o, s, n);
		break;
	case DIGEST_ESCAPE_MARKDOWN_URL:
		put_md_url(&o, s);
		break;
	}
	*len = o.len;
}

const char *digest_content_type(enum cfg_format fmt)
{
	switch (fmt) {
	case CFG_FORMAT_JSON:
		return "application/json";
	case CFG_FORMAT_MARKDOWN:
		return "text/markdown; charset=utf-8";
	case CFG_FORMAT_TEXT:
		return "text/plain; charset=utf-8";
	case CFG_FORMAT_HTML:
		return "text/html; charset=utf-8";
	}
	return NULL;
}
