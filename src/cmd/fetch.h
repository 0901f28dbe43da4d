/* SPDX-License-Identifier: MIT */
/* `digestd fetch`: reads one page or feed (local file, file:// URL or stdin
 * for now) and prints its text and metadata. */
#ifndef DIGESTD_CMD_FETCH_H
#define DIGESTD_CMD_FETCH_H

#include <stddef.h>

enum fetch_type { FETCH_AUTO, FETCH_FEED, FETCH_PAGE };
enum fetch_format { FETCH_TEXT, FETCH_JSON };

/* Runs the command; returns a sysexits status (0, EX_USAGE, EX_DATAERR,
 * EX_NOINPUT, EX_IOERR, EX_UNAVAILABLE for http(s) URLs). Blocks on input. */
int cmd_fetch(int argc, char **argv);

/* Guesses feed or page from the first bytes: feed when, past a BOM,
 * whitespace, comments, an <?xml?> prolog and a doctype, the document starts
 * with <rss, <feed or <rdf:RDF, or is a JSON object whose "version" names
 * jsonfeed.org. Never FETCH_AUTO. */
enum fetch_type fetch_guess_type(const char *buf, size_t len);

/* Prints the entries of the feed in buf (base_url resolves relative links)
 * on stdout in fmt. Returns a sysexits status. Defined in fetch_feed.c. */
int fetch_print_feed(const char *buf, size_t len, const char *base_url,
		     enum fetch_format fmt);

#endif
