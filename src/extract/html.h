/* SPDX-License-Identifier: MIT */
/* HTML to text: a tokenizer that walks the caller's buffer, the main-content
 * finder for article pages and plain-text reduction of feed fragments.
 * Never allocates; the block and container tables are static (see limits.h). */
#ifndef DIGESTD_HTML_H
#define DIGESTD_HTML_H

#include <stddef.h>

#include "core/limits.h"

/* Page metadata, each field NUL-terminated valid UTF-8, empty when absent.
 * title: og:title, else <title>. date: article:published_time, else the first
 * <time datetime>, as found (not normalised). lang: <html lang>. */
struct html_page {
	char title[ARTICLE_TITLE_BYTES];
	char date[ARTICLE_DATE_BYTES];
	char lang[ARTICLE_LANG_BYTES];
};

/* Extracts the main text of an HTML page into out (paragraphs separated by
 * '\n', entities decoded, whitespace collapsed, valid UTF-8), cut at
 * out_size-1 bytes on a character boundary and NUL-terminated; fills meta.
 * content_type (may be NULL) is the page's HTTP Content-Type: the page is
 * decoded in the charset charset_detect_html picks from it, a BOM or a <meta>.
 * Returns the text length; -ENOTSUP for a UTF-16 page, which the byte-wise
 * tokenizer cannot read (out and meta are then empty); -EINVAL when out is
 * NULL or out_size 0. Never allocates, never blocks. Not reentrant: it uses
 * one static workspace (digestd has one thread). */
long html_extract(const char *html, size_t len, const char *content_type,
		  struct html_page *meta, char *out, size_t out_size);

/* Reduces an HTML fragment (feed content) to plain text the same way, without
 * main-content selection: all text blocks kept, scripts, styles, forms and
 * hidden elements dropped. html is UTF-8 (feeds are converted before they are
 * parsed). Same return convention, never -ENOTSUP; reentrant. */
long html_to_text(const char *html, size_t len, char *out, size_t out_size);

#endif
