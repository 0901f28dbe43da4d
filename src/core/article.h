/* SPDX-License-Identifier: MIT */
/* The seed article format: optional "Title:", "URL:", "Date:", "Lang:" header
 * lines and a blank line, then the body text. Parses the header out of a
 * caller buffer into fixed fields; the body is left where it is. */
#ifndef DIGESTD_ARTICLE_H
#define DIGESTD_ARTICLE_H

#include <stddef.h>

#include "core/limits.h"

struct article_header {
	char title[ARTICLE_TITLE_BYTES];
	char url[ARTICLE_URL_BYTES];
	char date[ARTICLE_DATE_BYTES];
	char lang[ARTICLE_LANG_BYTES];
};

/* Reads header lines at the start of buf (a UTF-8 BOM is skipped). Returns
 * the offset where the body starts (0 when there is no header). Values
 * longer than their field are cut at a character boundary, but a URL, which
 * is left out (""): cut, it would name another page. Never fails. */
size_t article_parse_header(const char *buf, size_t len, struct article_header *h);

#endif
