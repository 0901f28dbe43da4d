/* SPDX-License-Identifier: MIT */
/* Reading OPML subscription lists: each outline with an xmlUrl handed out
 * with its title and the folders around it, and the [source NAME] names made
 * for them. Fixed memory, no allocation; never touches the config itself. */
#ifndef DIGESTD_OPML_H
#define DIGESTD_OPML_H

#include <stddef.h>

#include "core/limits.h"
#include "sources/xml.h"

/* One subscription. Text is UTF-8, control characters made spaces. */
struct opml_outline {
	char title[OPML_TITLE_BYTES];	    /* title=, else text=; may be empty */
	char category[OPML_CATEGORY_BYTES]; /* enclosing folders joined by '/' */
	char url[CFG_URL_BYTES];	    /* xmlUrl=, an http:// or https:// URL */
	unsigned line;			    /* line of its <outline> tag */
};

/* Reader state, the caller's (about 12 KiB). After a failed opml_parse,
 * why says what was wrong and line where (0: the file as a whole). */
struct opml_reader {
	struct xml_reader xr;
	struct xml_token tok;
	struct opml_outline o;
	char category[OPML_CATEGORY_BYTES];
	size_t cat_len[OPML_MAX_DEPTH + 1];
	const char *counted; /* newlines before here are in line */
	unsigned line;
	char why[CFG_ERROR_BYTES];
};

/* Called for each subscription in file order; a negative return stops the
 * parse, which returns it. */
typedef int (*opml_fn)(const struct opml_outline *o, void *ctx);

/* Reads buf[0..len) (the caller's, kept until it returns). Refuses, with
 * r->why and r->line, a file whose first element is not <opml>, a DOCTYPE
 * with an internal subset, outlines nested past OPML_MAX_DEPTH, and an
 * xmlUrl that is empty, too long, or not an http(s) URL that cfg accepts
 * (shown redacted). Returns 0, -EBADMSG, or fn's negative return. */
int opml_parse(struct opml_reader *r, const char *buf, size_t len, opml_fn fn, void *ctx);

/* The [source NAME] names given so far, to make each new one unique. */
struct opml_names {
	unsigned n;
	char name[CFG_MAX_SOURCES][CFG_SOURCE_NAME_BYTES];
};

/* Makes a valid, unique source name for o into out (CFG_SOURCE_NAME_BYTES)
 * and records it: from the title (accented Latin letters without accent,
 * other runs of characters one '-'), else the URL's host, else "feed"; a
 * name taken already gets "-2", "-3", ... A valid name maps to itself.
 * Returns 0, or -ENOSPC when CFG_MAX_SOURCES names are taken. */
int opml_name(struct opml_names *names, const struct opml_outline *o, char *out);

#endif
