/* SPDX-License-Identifier: MIT */
/* libFuzzer target: feed_parse over arbitrary bytes. Every entry handed out
 * must have each text field NUL-terminated inside its array and valid UTF-8. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "sources/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_field(const char *s, size_t size)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	size_t n = strnlen(s, size);

	if (n == size)
		abort(); /* not NUL-terminated inside its array */
	end = p + n;
	while (p < end) {
		uint32_t cp;
		size_t k = utf8_decode(p, end, &cp);
		if (cp == UTF8_REPLACEMENT && k == 1 && !(end - p >= 3 && p[0] == 0xEF &&
							  p[1] == 0xBF && p[2] == 0xBD))
			abort(); /* invalid UTF-8 */
		p += k;
	}
}

static int entry(const struct feed_entry *e, void *ctx)
{
	(void)ctx;
	check_field(e->id, sizeof(e->id));
	check_field(e->title, sizeof(e->title));
	check_field(e->link, sizeof(e->link));
	check_field(e->author, sizeof(e->author));
	check_field(e->lang, sizeof(e->lang));
	check_field(e->summary, sizeof(e->summary));
	check_field(e->content, sizeof(e->content));
	if (e->nenclosures > FEED_MAX_ENCLOSURES)
		abort();
	for (unsigned i = 0; i < e->nenclosures; i++) {
		check_field(e->enclosure[i].url, sizeof(e->enclosure[i].url));
		check_field(e->enclosure[i].type, sizeof(e->enclosure[i].type));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { NULL, "text/xml; charset=iso-8859-1",
					     "application/rss+xml; charset=utf-16" };
	int n;

	log_set_level(LOG_LVL_ERR);
	n = feed_parse((const char *)data, size, "http://example.org/a/feed.xml",
		       types[size % 3], size % 2 ? FEED_QUIET : 0, entry, NULL);
	if (n < 0 && n != -EBADMSG)
		abort();
	return 0;
}
