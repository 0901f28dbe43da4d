/* SPDX-License-Identifier: MIT */
/* `digestd fetch` output for feeds: one JSON object per entry per line, or a
 * readable text block per entry. The JSON shape is documented in
 * docs/fetch.md and kept stable, as other tools parse it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd/fetch.h"
#include "core/date.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "sources/feed.h"

/* Characters of summary shown per entry in text format. */
#define TEXT_SUMMARY_CHARS 200u

static void json_field(const char *key, const char *v)
{
	printf(",\"%s\":", key);
	if (v)
		json_write_string(stdout, v, strlen(v), 0);
	else
		fputs("null", stdout);
}

static void json_time(const char *key, int has, int64_t t)
{
	char iso[21];

	json_field(key, has && date_format_rfc3339(t, iso) == 0 ? iso : NULL);
}

static int print_json(const struct feed_entry *e, void *ctx)
{
	(void)ctx;
	fputs("{\"id\":", stdout);
	json_write_string(stdout, e->id, strlen(e->id), 0);
	json_field("title", e->title);
	json_field("link", e->link);
	json_time("published", e->has_published, e->published);
	json_time("updated", e->has_updated, e->updated);
	json_field("author", e->author);
	json_field("lang", e->lang);
	json_field("summary", e->summary);
	json_field("content", e->content);
	fputs(",\"enclosures\":[", stdout);
	for (unsigned i = 0; i < e->nenclosures; i++) {
		const struct feed_enclosure *x = &e->enclosure[i];
		fputs(i ? ",{\"url\":" : "{\"url\":", stdout);
		json_write_string(stdout, x->url, strlen(x->url), 0);
		json_field("type", x->type);
		if (x->length >= 0)
			printf(",\"length\":%lld}", (long long)x->length);
		else
			fputs(",\"length\":null}", stdout);
	}
	fputs("]}\n", stdout);
	return ferror(stdout) ? -EIO : 0;
}

/* Byte length of the first `chars` characters of s. */
static size_t prefix_chars(const char *s, size_t len, size_t chars)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end && chars > 0) {
		uint32_t cp;
		p += utf8_decode(p, end, &cp);
		chars--;
	}
	return (size_t)(p - (const unsigned char *)s);
}

static int print_text(const struct feed_entry *e, void *ctx)
{
	const char *sum = e->summary[0] ? e->summary : e->content;
	size_t len = strlen(sum), cut = prefix_chars(sum, len, TEXT_SUMMARY_CHARS);
	char iso[21];
	int *n = ctx;

	if ((*n)++ > 0)
		fputc('\n', stdout);
	text_write(stdout, e->title[0] ? e->title : "(no title)",
		   e->title[0] ? strlen(e->title) : 10, 1);
	fputc('\n', stdout);
	if (e->link[0]) {
		fputs("  ", stdout);
		text_write(stdout, e->link, strlen(e->link), 1);
		fputc('\n', stdout);
	}
	if (e->has_published && date_format_rfc3339(e->published, iso) == 0)
		printf("  published %s\n", iso);
	else if (e->has_updated && date_format_rfc3339(e->updated, iso) == 0)
		printf("  updated %s\n", iso);
	if (len > 0) {
		fputs("  ", stdout);
		text_write(stdout, sum, cut, 1);
		fputs(cut < len ? "\xE2\x80\xA6\n" : "\n", stdout);
	}
	return ferror(stdout) ? -EIO : 0;
}

int fetch_print_feed(const char *buf, size_t len, const char *base_url,
		     const char *content_type, enum fetch_format fmt)
{
	int n = 0, rc;

	rc = feed_parse(buf, len, base_url, content_type, 0,
			fmt == FETCH_JSON ? print_json : print_text, &n);
	if (rc < 0) {
		if (len >= 2 && (unsigned char)buf[0] == 0x1F && (unsigned char)buf[1] == 0x8B)
			log_errx("%s: gzip-compressed; decompress it first (over HTTP "
				 "the transfer layer does)", base_url ? base_url : "input");
		else
			log_errx("%s: not a feed (no RSS, Atom or JSON Feed found)",
				 base_url ? base_url : "input");
		return EX_DATAERR;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("fetch: writing output");
		return EX_IOERR;
	}
	return 0;
}
