/* SPDX-License-Identifier: MIT */
/* `digestd fetch`: reads one page or feed (http(s) URL, local file, file://
 * URL or stdin) or polls one configured source, and prints what it read. */
#ifndef DIGESTD_CMD_FETCH_H
#define DIGESTD_CMD_FETCH_H

#include <signal.h>
#include <stddef.h>

#include "core/cfg.h"

enum fetch_type { FETCH_AUTO, FETCH_FEED, FETCH_PAGE };
enum fetch_format { FETCH_TEXT, FETCH_JSON };

/* Runs the command; returns a sysexits status (0, EX_USAGE, EX_DATAERR,
 * EX_NOINPUT, EX_IOERR, EX_CONFIG; for http(s): EX_UNAVAILABLE, EX_TEMPFAIL).
 * Blocks on input and on the network. */
int cmd_fetch(int argc, char **argv);

/* Guesses feed or page from the first bytes: feed when, past a BOM,
 * whitespace, comments, an <?xml?> prolog and a doctype (its internal
 * subset included), the first element is <rss>, <feed> or <rdf:RDF>, or the
 * document is a JSON object whose "version" names jsonfeed.org. UTF-16
 * (a BOM, or "<" as UTF-16) is judged by its first FETCH_GUESS_BYTES as
 * UTF-8. Never FETCH_AUTO; any bytes are safe. */
enum fetch_type fetch_guess_type(const char *buf, size_t len);

/* Prints the entries of the feed in buf (base_url resolves relative links;
 * content_type, may be NULL, is the HTTP Content-Type, for its charset) on
 * stdout in fmt. Returns a sysexits status. Defined in fetch_feed.c. */
int fetch_print_feed(const char *buf, size_t len, const char *base_url,
		     const char *content_type, enum fetch_format fmt);

/* Polls the source called name in cfg once (source_poll; when *stop rises,
 * the transfer in progress ends) and prints its articles on stdout in fmt.
 * Returns a sysexits status. Defined in fetch_source.c. */
int fetch_print_source(const struct cfg *cfg, const char *name, enum fetch_format fmt,
		       volatile sig_atomic_t *stop);

/* The sysexits status of a source_poll return: 0 for articles (>= 0),
 * EX_TEMPFAIL for what may pass (backoff, timeouts, a stop), EX_DATAERR for
 * a body that is no feed or too large, EX_NOINPUT for a missing folder or
 * file, else EX_UNAVAILABLE. Defined in fetch_source.c. */
int fetch_source_status(int rc);

#endif
