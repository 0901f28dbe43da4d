/* SPDX-License-Identifier: MIT */
/* Feed parsing: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed
 * 1.0/1.1 into fixed-size entries handed to a callback one at a time. Owns
 * no I/O; never allocates; memory does not grow with the feed. */
#ifndef DIGESTD_FEED_H
#define DIGESTD_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

struct feed_enclosure {
	char url[FEED_URL_BYTES];
	char type[FEED_TYPE_BYTES];
	int64_t length; /* bytes, -1 when not given */
};

/* Every text field is NUL-terminated valid UTF-8, empty when absent; plain
 * text (HTML reduced), whitespace collapsed (summary and content keep '\n'
 * between paragraphs). Links are absolute when the feed gives enough to
 * resolve them. */
struct feed_entry {
	/* guid, Atom id, rdf:about or JSON Feed id. Its text when shorter
	 * than FEED_ID_BYTES; a longer one is its first bytes (cut at a
	 * character boundary), " sha256:" and the hex SHA-256 of its whole
	 * text: longer than any id kept whole, so two ids never give one. An
	 * entry with neither id nor link, keyed by its title, gets one of
	 * that form from its whole title when the title was cut. */
	char id[FEED_ID_FIELD_BYTES];
	char title[FEED_TITLE_BYTES];
	char link[FEED_URL_BYTES];
	char author[FEED_AUTHOR_BYTES];
	char categories[FEED_CATEGORIES_BYTES]; /* one a line, no '\n' at the end */
	char lang[FEED_LANG_BYTES];
	char summary[FEED_SUMMARY_BYTES];
	char content[FEED_CONTENT_BYTES];
	int64_t published, updated; /* UTC seconds, valid when has_* is set */
	int has_published, has_updated;
	unsigned nenclosures;
	struct feed_enclosure enclosure[FEED_MAX_ENCLOSURES];
};

/* Called once per entry; e is only valid during the call (it is reused).
 * Return 0 to go on, anything else to stop reading the feed. */
typedef int (*feed_entry_fn)(const struct feed_entry *e, void *ctx);

/* feed_parse flags. FEED_QUIET: no warning about a broken feed, for the
 * first of two passes over one feed (the second one says it). */
#define FEED_QUIET 0x1u

/* Parses a feed in buf[0..len). base_url (may be NULL) is the feed's URL, for
 * relative links and for the message; content_type (may be NULL) is the HTTP
 * Content-Type, consulted for the charset. Returns the number of entries
 * delivered (>= 0), or -EBADMSG when nothing feed-like was found. A broken
 * feed yields the entries that could be read plus one log_warnx naming
 * base_url, unless flags has FEED_QUIET. Not reentrant (static fixed
 * buffers, see limits.h); never blocks. */
int feed_parse(const char *buf, size_t len, const char *base_url, const char *content_type,
	       unsigned flags, feed_entry_fn fn, void *ctx);

#endif
