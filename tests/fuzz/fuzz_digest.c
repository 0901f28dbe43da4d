/* SPDX-License-Identifier: MIT */
/* libFuzzer target: digest rendering (src/digest/digest) with arbitrary bytes
 * in every field: strict JSON with null or http(s) urls, Markdown with only
 * http(s) links, text with the same URLs, HTML without scripts, handlers,
 * external resources or other links, its tags well nested, one heading per
 * article, "also" entries with null or http(s) urls in JSON and one "Also in"
 * line each in text, and no control characters anywhere. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "digest/digest.h"
#include "digest_check.h"
#include "core/jsonr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct digest d;
static const char *const format_name[DIGEST_FORMATS] = { "JSON", "Markdown", "text", "HTML" };
static char body[DIGEST_FORMATS][DIGEST_BODY_BYTES + 1];
static size_t blen[DIGEST_FORMATS];

struct in {
	const uint8_t *p, *end;
};

/* The next field: a length byte (255: the rest of the input), then as many
 * bytes. Fields may hold any byte, NUL included. */
static size_t take(struct in *in, const char **s)
{
	size_t n;

	if (in->p >= in->end) {
		*s = "";
		return 0;
	}
	n = *in->p++;
	if (n == 255 || n > (size_t)(in->end - in->p))
		n = (size_t)(in->end - in->p);
	*s = (const char *)in->p;
	in->p += n;
	return n;
}

/* A field as a C string (digest_article's strings end at their first NUL). */
static const char *take_str(struct in *in, char *buf, size_t cap)
{
	const char *s;
	size_t n = take(in, &s);

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static void fail(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s\n", what, why);
	abort();
}

/* One line of a text body: [*p, nl) and *p moved past the '\n'. */
static size_t next_line(const char **p, const char *end, const char **line)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (!nl)
		fail("text", "a line without its newline");
	*line = *p;
	*p = nl + 1;
	return (size_t)(nl - *line);
}

/* A JSON string or null at the cursor into out ("" for null); 1 when it
 * was a string. */
static int json_str_or_null(struct jsonr *r, char *out, size_t cap)
{
	if (jsonr_peek(r) == JSONR_NULL) {
		jsonr_skip(r);
		out[0] = '\0';
		return 0;
	}
	if (jsonr_string(r, out, cap) < 0)
		fail("JSON", "a field is neither a string nor null");
	return 1;
}

/* Checks a JSON url: null or http(s); 1 when it was a string. */
static int json_url(struct jsonr *r, char *out, size_t cap)
{
	int has = json_str_or_null(r, out, cap);

	if (has && strncasecmp(out, "http://", 7) != 0 && strncasecmp(out, "https://", 8) != 0)
		fail("JSON", "a url other than http(s)");
	return has;
}

/* An item's "also" array: objects of source, title and url (null or
 * http(s)); returns how many. */
static unsigned json_also(struct jsonr *r, char *buf, size_t cap)
{
	const char *key;
	size_t klen;
	unsigned n = 0;

	if (jsonr_enter(r, JSONR_ARRAY) < 0)
		fail("JSON", "also is not an array");
	while (jsonr_next_item(r) == 1) {
		unsigned fields = 0;

		n++;
		if (jsonr_enter(r, JSONR_OBJECT) < 0)
			fail("JSON", "an also entry is not an object");
		while (jsonr_next_key(r, &key, &klen) == 1) {
			fields++;
			if (jsonr_key_is(key, klen, "url"))
				json_url(r, buf, cap);
			else if (jsonr_key_is(key, klen, "source") || jsonr_key_is(key, klen, "title"))
				json_str_or_null(r, buf, cap);
			else
				fail("JSON", "an also entry has an unknown key");
		}
		if (fields != 3)
			fail("JSON", "an also entry without its source, title and url");
	}
	return n;
}

/* Walks the JSON articles and, in step, the text body's lines: title,
 * "source | published | lang" when any is known, the URL when there is
 * one, one "  - " line per sentence and one "  Also in " line per also
 * entry. */
static void check_json_and_text(void)
{
	static char title[DIGEST_BODY_BYTES], url[DIGEST_BODY_BYTES], tmp[64];
	static char tmp_also[DIGEST_BODY_BYTES];
	const char *tp = body[CFG_FORMAT_TEXT], *tend = tp + blen[CFG_FORMAT_TEXT], *line;
	struct jsonr r;
	const char *key;
	size_t klen, n;
	unsigned count = 0;

	next_line(&tp, tend, &line);
	next_line(&tp, tend, &line);
	jsonr_init(&r, body[CFG_FORMAT_JSON], blen[CFG_FORMAT_JSON]);
	if (jsonr_enter(&r, JSONR_OBJECT) < 0)
		fail("JSON", "not an object");
	while (jsonr_next_key(&r, &key, &klen) == 1) {
		if (!jsonr_key_is(key, klen, "articles")) {
			jsonr_skip(&r);
			continue;
		}
		if (jsonr_enter(&r, JSONR_ARRAY) < 0)
			fail("JSON", "articles is not an array");
		while (jsonr_next_item(&r) == 1) {
			int meta = 0, has_url = 0, had_also = 0;
			unsigned sentences = 0, also = 0;

			count++;
			if (jsonr_enter(&r, JSONR_OBJECT) < 0)
				fail("JSON", "an article is not an object");
			while (jsonr_next_key(&r, &key, &klen) == 1) {
				if (jsonr_key_is(key, klen, "title")) {
					json_str_or_null(&r, title, sizeof title);
				} else if (jsonr_key_is(key, klen, "url")) {
					has_url = json_url(&r, url, sizeof url);
				} else if (jsonr_key_is(key, klen, "also")) {
					also = json_also(&r, tmp_also, sizeof tmp_also);
					had_also = 1;
				} else if (jsonr_key_is(key, klen, "sentences")) {
					if (jsonr_enter(&r, JSONR_ARRAY) < 0)
						fail("JSON", "sentences is not an array");
					while (jsonr_next_item(&r) == 1) {
						jsonr_skip(&r);
						sentences++;
					}
				} else {
					meta |= json_str_or_null(&r, tmp, sizeof tmp) && tmp[0];
				}
			}
			if (next_line(&tp, tend, &line) != 0)
				fail("text", "no blank line before an article");
			n = next_line(&tp, tend, &line);
			if (title[0] ? n != strlen(title) || memcmp(line, title, n) != 0
				     : n != 10 || memcmp(line, "(untitled)", 10) != 0)
				fail("text", "the title line differs from the JSON title");
			if (meta)
				next_line(&tp, tend, &line);
			if (has_url) {
				n = next_line(&tp, tend, &line);
				if (n != strlen(url) || memcmp(line, url, n) != 0)
					fail("text", "the URL line differs from the JSON url");
			}
			for (unsigned i = 0; i < sentences; i++)
				if (next_line(&tp, tend, &line) < 4 || memcmp(line, "  - ", 4) != 0)
					fail("text", "a sentence line without its '  - '");
			if (!had_also)
				fail("JSON", "an item without its also array");
			for (unsigned i = 0; i < also; i++)
				if (next_line(&tp, tend, &line) < 10 ||
				    memcmp(line, "  Also in ", 10) != 0)
					fail("text", "an also entry without its '  Also in ' line");
		}
	}
	if (count != digest_count(&d))
		fail("JSON", "not every added article is in the articles array");
	/* Then the sources with problems, one "  - " line each. */
	if (d.n_problems) {
		if (next_line(&tp, tend, &line) != 0 ||
		    next_line(&tp, tend, &line) != 21 || memcmp(line, "Sources with problems", 21) != 0)
			fail("text", "no \"Sources with problems\" heading after the articles");
		for (unsigned i = 0; i < d.n_problems; i++)
			if (next_line(&tp, tend, &line) < 4 || memcmp(line, "  - ", 4) != 0)
				fail("text", "a problem line without its '  - '");
	}
	if (tp != tend)
		fail("text", "lines after the last article");
}

/* One <h2 per article in the HTML: an article's text cannot open or hide
 * one (dcheck_html has already refused any raw '<' in text). */
static void check_html_articles(void)
{
	const char *p = body[CFG_FORMAT_HTML], *end = p + blen[CFG_FORMAT_HTML];
	unsigned count = 0;

	for (; p + 3 <= end; p++)
		count += memcmp(p, "<h2", 3) == 0;
	if (count != digest_count(&d) + (d.n_problems ? 1 : 0))
		fail("HTML", "not one <h2> heading per added article (and one for the problems)");
}

/* Input: a byte for max_articles (bit 6: a problem, two strings after the
 * host), the host, then per article: source,
 * title, url, lang, a published byte (odd: known, from the next 8 bytes),
 * a sentence count byte and the sentences, an also count byte and per also
 * entry its source, title and url. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char source[4096], title[4096], url[4096], lang[4096], host[512];
	static struct digest_span spans[SUMM_MAX_PICK + 1];
	static char also_str[DIGEST_MAX_ALSO + 1][3][512];
	static struct digest_also also[DIGEST_MAX_ALSO + 1];
	struct in in = { data, data + size };
	const char *why;

	if (size < 1)
		return 0;
	in.p++;
	if (digest_begin(&d, "dg_fuzz", 1795888800, take_str(&in, host, sizeof host),
			 1 + data[0] % 16) != 0)
		abort();
	/* Bit 6 of the first byte: a source with a problem (its name and
	 * error the next two strings), listed after the articles. */
	if ((data[0] & 0x40) &&
	    digest_add_problem(&d, take_str(&in, source, sizeof source), 1795880000, data[0],
			       take_str(&in, title, sizeof title)) != 0)
		abort();
	while (in.p < in.end) {
		struct digest_article a = { 0 };
		const char *s;
		unsigned n;
		int rc;

		a.source = take_str(&in, source, sizeof source);
		a.title = take_str(&in, title, sizeof title);
		a.url = take_str(&in, url, sizeof url);
		a.lang = take_str(&in, lang, sizeof lang);
		if (take(&in, &s) && (s[0] & 1) && in.end - in.p >= 8) {
			uint64_t t = 0;

			for (int i = 0; i < 8; i++)
				t = t << 8 | *in.p++;
			a.has_published = true;
			a.published = (int64_t)t;
		}
		n = take(&in, &s) ? (unsigned char)s[0] % (SUMM_MAX_PICK + 2) : 0;
		for (unsigned i = 0; i < n; i++)
			spans[i].len = take(&in, &spans[i].p);
		a.sentences = spans;
		a.n_sentences = n;
		a.n_also = take(&in, &s) ? (unsigned char)s[0] % (DIGEST_MAX_ALSO + 2) : 0;
		for (unsigned i = 0; i < a.n_also; i++) {
			also[i].source = take_str(&in, also_str[i][0], sizeof also_str[i][0]);
			also[i].title = take_str(&in, also_str[i][1], sizeof also_str[i][1]);
			also[i].url = take_str(&in, also_str[i][2], sizeof also_str[i][2]);
		}
		a.also = also;
		rc = digest_add(&d, &a);
		if (rc == -ENOSPC)
			break;
		if (rc != 0 && !(rc == -EINVAL && (n > SUMM_MAX_PICK || a.n_also > DIGEST_MAX_ALSO)))
			abort();
	}
	for (int f = 0; f < DIGEST_FORMATS; f++) {
		if (digest_render(&d, (enum cfg_format)f, body[f], sizeof body[f], &blen[f]) != 0 ||
		    blen[f] != d.rendered[f] || blen[f] > DIGEST_BODY_BYTES)
			abort();
		why = dcheck_clean(body[f], blen[f]);
		if (why)
			fail(format_name[f], why);
	}
	why = dcheck_json(body[CFG_FORMAT_JSON], blen[CFG_FORMAT_JSON]);
	if (!why)
		why = dcheck_markdown(body[CFG_FORMAT_MARKDOWN], blen[CFG_FORMAT_MARKDOWN]);
	if (!why)
		why = dcheck_html(body[CFG_FORMAT_HTML], blen[CFG_FORMAT_HTML]);
	if (why)
		fail("fuzz_digest", why);
	check_json_and_text();
	check_html_articles();
	return 0;
}
