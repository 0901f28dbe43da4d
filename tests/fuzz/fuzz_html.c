/* SPDX-License-Identifier: MIT */
/* libFuzzer target: html_extract and html_to_text over arbitrary bytes. The
 * text must fit the cap, be NUL-terminated at the returned length and be
 * valid UTF-8; so must each metadata field. The first byte picks the cap and
 * the Content-Type; the page's own BOM or <meta> can pick a charset too. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "extract/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char out[65536];
static struct html_page meta;

static const char *const types[] = {
	NULL,
	"text/html; charset=windows-1252",
	"text/html; charset=ISO-8859-15",
	"text/html;charset=\"koi8-r\"",
	"text/html; charset=utf-16le",
	"text/html; charset=utf-8",
	"text/html; charset=big5",
};

static void check_text(const char *s, long n, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s, *end;

	if (n < 0 || (size_t)n >= cap || strlen(s) != (size_t)n)
		abort();
	end = p + n;
	while (p < end) {
		uint32_t cp;
		size_t k = utf8_decode(p, end, &cp);

		if (cp == UTF8_REPLACEMENT && k == 1)
			abort(); /* an invalid sequence reached the output */
		p += k;
	}
}

static void check_field(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		abort();
	check_text(s, (long)n, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = sizeof(out);
	const char *html = (const char *)data, *type = NULL;
	long n;

	if (size > 0) {
		/* Small caps exercise the cut on a character boundary. */
		if (data[0] < 128)
			cap = (size_t)data[0] + 1;
		type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
		html++;
		size--;
	}
	n = html_extract(html, size, type, &meta, out, cap);
	if (n == -ENOTSUP) {
		/* A UTF-16 page is refused with everything empty. */
		if (out[0] || meta.title[0] || meta.date[0] || meta.lang[0])
			abort();
		n = 0;
	}
	check_text(out, n, cap);
	check_field(meta.title, sizeof(meta.title));
	check_field(meta.date, sizeof(meta.date));
	check_field(meta.lang, sizeof(meta.lang));
	n = html_to_text(html, size, out, cap);
	check_text(out, n, cap);
	return 0;
}
