/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/article: the seed header's fields, and a URL too
 * long for its field left out, never cut. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/article.h"

static void test_fields(void)
{
	static const char doc[] = "\xEF\xBB\xBFTitle:  A title \r\nurl: https://e.org/a\n"
				  "Date: 2026-12-07\nLang: fr\n\nBody.\n";
	struct article_header h;

	CHECK_INT(article_parse_header(doc, strlen(doc), &h), strlen(doc) - 6);
	CHECK_STR(h.title, "A title");
	CHECK_STR(h.url, "https://e.org/a");
	CHECK_STR(h.date, "2026-12-07");
	CHECK_STR(h.lang, "fr");
	CHECK_INT(article_parse_header("Body.\n", 6, &h), 0);
	CHECK_STR(h.url, "");
}

/* A URL of ARTICLE_URL_BYTES - 1 bytes is kept whole; a longer one is left
 * out: cut, two seeds whose URLs agree that far shared one seen-set key (a
 * folder source yielded the second with the first's key: never delivered),
 * and the cut URL named another page. The file's path keys it instead. A
 * long title is still cut. */
static void test_long_url(void)
{
	static char url[ARTICLE_URL_BYTES + 8], doc[2 * ARTICLE_URL_BYTES + 64];
	struct article_header h;

	for (size_t len = ARTICLE_URL_BYTES - 1; len <= ARTICLE_URL_BYTES + 1; len++) {
		size_t o = (size_t)snprintf(url, sizeof(url), "https://e.org/");

		memset(url + o, 'a', len - o);
		url[len] = '\0';
		snprintf(doc, sizeof(doc), "URL: %s\nTitle: %s\n\nBody.\n", url, url);
		article_parse_header(doc, strlen(doc), &h);
		if (len < ARTICLE_URL_BYTES)
			CHECK(strcmp(h.url, url) == 0);
		else
			CHECK_STR(h.url, "");
		CHECK(strncmp(h.title, url, 64) == 0);
	}
}

int main(void)
{
	RUN(test_fields);
	RUN(test_long_url);
	return CHECK_EXIT();
}
