/* SPDX-License-Identifier: MIT */
/* Polling one configured source (feed, page or folder) into articles handed
 * to a callback one at a time, with conditional GET, backoff and per-source
 * state. Owns the source rules (which entries, teasers); not the seen-set. */
#ifndef DIGESTD_SOURCE_H
#define DIGESTD_SOURCE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "sources/fetch.h"

/* With fetch_pages, an entry whose text has fewer words than this is a
 * teaser (full stories run to hundreds of words; teasers to a few dozen). */
#define SOURCE_TEASER_WORDS 150

/* One article. Every string is NUL-terminated valid UTF-8 except text,
 * which is as the source gave it (feeds and pages: valid UTF-8; folder
 * files: their bytes). All pointers are only valid during the callback. */
struct source_article {
	const char *id;	   /* feed guid, else the link; page: the configured URL;
			    * folder: the URL: header, else the file's path */
	const char *title; /* "" when unknown; folder files: the file name then */
	const char *url;   /* the article's link, "" when none */
	int64_t date;	   /* UTC seconds (published, else updated), when has_date */
	int has_date;
	const char *lang;  /* [source] lang unless auto, else the article's; "" = unknown */
	const char *text;  /* body text, paragraphs separated by '\n' */
	size_t text_len;
};

/* Return 0 to go on, nonzero to end the poll early (the rest of the source is
 * then offered again next time: validators are not updated). */
typedef int (*source_article_fn)(const struct source_article *a, void *arg);

/* Asked before a teaser's page is fetched, with the article as the feed
 * gives it: nonzero when the caller already has it (digested or waiting),
 * so the page is not fetched again on every poll; the article is then
 * yielded with its teaser text. */
typedef int (*source_known_fn)(const struct source_article *a, void *arg);

/* Working memory and the HTTP client for polling; one per configuration. */
struct source_ctx {
	struct fetch_client fetch;
	char *body, *page; /* mapped by source_ctx_init: body_cap, page_cap bytes */
	size_t body_cap;   /* [http] max_size */
	size_t page_cap;   /* a teaser's page: SOURCE_PAGE_BYTES, or max_size if less */
	/* Set by source_poll: the UTC second before which this source should not
	 * be polled again (backoff or Retry-After), 0 when only its interval
	 * applies; and the entries the source offered in this poll. */
	int64_t not_before;
	unsigned entries;
	/* The state folder (statedir_open), the caller's: set it after
	 * source_ctx_init and before the first poll of an HTTP source. */
	int state_fd;
	/* Set by a caller that is not the daemon (`digestd fetch --source`): no
	 * validators are sent and the saved ones stay as they are, so the
	 * daemon's next conditional GET is untouched (saving the validators of
	 * articles it never took would lose them); failures, backoff and
	 * Retry-After are still recorded, as they are the server's to say. */
	int keep_validators;
};

/* Sets ctx up: the HTTP client (fetch_init with cfg, through net, which
 * must outlive ctx; its stop flag ends a poll) and the body and page
 * buffers, mapped here once (their pages are only touched as responses fill
 * them, and source_poll gives them back when it ends). Returns 0 or
 * -ENOMEM. Call at start-up; after a config reload, init another one and
 * source_ctx_free the old. */
int source_ctx_init(struct source_ctx *ctx, const struct cfg *cfg, struct net *net);
void source_ctx_free(struct source_ctx *ctx);

/* Polls src once and calls fn for each article, in the source's order:
 *  folder: the seed-format files at the top level of the folder, by name
 *          (hidden files, README.md and non-regular files skipped; a
 *          symbolic link, a file with more than one name (hard link), a
 *          file over SOURCE_FILE_BYTES or an unreadable one is one warning
 *          and skipped: only regular files inside the folder are read);
 *  feed:   a conditional GET (304: no articles), then the newest max_items
 *          entries (by published, else updated date; undated ones last)
 *          yielded in feed order; text is the entry's content, else its
 *          summary; with fetch_pages, a teaser (under SOURCE_TEASER_WORDS
 *          words, or ending in an ellipsis, "read more" or "continue
 *          reading") is replaced by the main text of the linked page (at
 *          most page_cap bytes; a larger page keeps the teaser), unless
 *          known (may be NULL) says the caller has the entry;
 *  page:   a conditional GET of the page and its main text as one article.
 * Links and redirects may reach only public addresses, except the source's
 * own host when it is not public, or any with allow_private (struct
 * net_scope); each refused page is one warning and keeps the teaser.
 * The whole poll ends by [http] poll_timeout: entries left then are not
 * yielded, the validators stay as they were (the next poll gets the feed
 * whole and yields them), and one info line says how many were left.
 * Returns the number of articles yielded (>= 0); or -EAGAIN without any
 * request while the source is backing off (ctx->not_before says until when);
 * -EINTR when the stop flag rose; another negative errno when the source
 * failed (fetch_get's codes, -EBADMSG for a response that is not a feed or
 * has no main text or is a UTF-16 page, -ENOENT/-EACCES for a folder). Each failure is logged as
 * one line "source NAME: URL: reason"; HTTP failures and parse failures add
 * to the backoff recorded in [daemon] state_dir (source-HASH.state).
 * Blocks for the transfers (each at most [http] timeout, plus the per-host
 * delay between page fetches; all at most [http] poll_timeout). URLs in
 * log lines are redacted (url_redact). Not reentrant: uses static buffers.
 * The pages of ctx's buffers are given back before it returns. */
int source_poll(const struct cfg *cfg, const struct cfg_source *src, struct source_ctx *ctx,
		source_article_fn fn, source_known_fn known, void *arg);

/* From the state file, the UTC second before which src must not be polled
 * (backoff or Retry-After from an earlier run), or 0. For scheduling at
 * start-up; the daemon adds interval itself. Never fails. */
int64_t source_not_before(const struct cfg *cfg, const struct source_ctx *ctx,
			  const struct cfg_source *src, int64_t now);

/* Forgets the cache validators (ETag, Last-Modified) of every HTTP source,
 * so that each next poll fetches in full: for when articles a 304 would
 * hide were lost (a damaged pending list). Returns 0, or the first negative
 * errno of a state file that could not be saved (logged). Blocks on the disk. */
int source_forget_validators(const struct cfg *cfg, const struct source_ctx *ctx);

#endif
