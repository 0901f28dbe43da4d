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
#include "sources/feed.h"
#include "sources/srcstate.h"

/* With fetch_pages, an entry whose text has fewer words than this is a
 * teaser (full stories run to hundreds of words; teasers to a few dozen). */
#define SOURCE_TEASER_WORDS 150

/* One article. Every string is NUL-terminated valid UTF-8 except text,
 * which is as the source gave it (feeds and pages: valid UTF-8; folder
 * files: their bytes). All pointers are only valid during the callback. */
struct source_article {
	const char *source; /* the configured source's name */
	unsigned idx;	    /* and its index in the cfg the poll started with */
	const char *id;	   /* feed guid, else the link; page: the configured URL;
			    * folder: the URL: header, else the file's path */
	const char *title; /* "" when unknown; folder files: the file name then */
	const char *url;   /* the article's link, "" when none */
	const char *author;     /* feeds: the entry's author, else "" (NULL: "") */
	const char *categories; /* feeds: its categories one a line, else "" (NULL: "") */
	int64_t date;	   /* UTC seconds (published, else updated), when has_date */
	int has_date;
	const char *lang;  /* [source] lang unless auto, else the article's; "" = unknown */
	const char *text;  /* body text, paragraphs separated by '\n' */
	size_t text_len;
	/* 1: an entry of a feed's first poll past its [source] backlog: to be
	 * marked seen, not taken (its teaser's page is not fetched). */
	int over_backlog;
};

/* Return 0 to go on, nonzero to end the poll early (the rest of the source is
 * then offered again next time: validators are not updated). */
typedef int (*source_article_fn)(const struct source_article *a, void *arg);

/* Asked before a teaser's page is fetched, with the article as the feed
 * gives it: nonzero when the caller already has it (digested or waiting),
 * so the page is not fetched again on every poll; the article is then
 * yielded with its teaser text. */
typedef int (*source_known_fn)(const struct source_article *a, void *arg);

/* Called once when the poll of source number idx (in the cfg it was started
 * with) ended, every article of it handed to the article callback: rc as
 * source_poll returns it, not_before the UTC second before which the source
 * must not be asked again (backoff or Retry-After), 0 when only its interval
 * applies. It may set ctx->next_poll (when it polls the source next), which
 * is saved in the source's state file after it returns. */
typedef void (*source_done_fn)(void *arg, unsigned idx, int rc, int64_t not_before);

/* A teaser's page to fetch (a page job): the entry as the feed gave it, its
 * text cut to SOURCE_TEASER_BYTES (on a character boundary), which is
 * yielded when the page fails; the feed's body buffer is free meanwhile. */
struct source_job {
	int state;	/* JOB_* in source.c; 0 free */
	unsigned poll;	/* its poll in source_ctx.polls */
	uint64_t seq;	/* queued order: the oldest starts first */
	char link[FEED_URL_BYTES], id[FEED_ID_FIELD_BYTES], title[FEED_TITLE_BYTES];
	char lang[FEED_LANG_BYTES];
	char author[FEED_AUTHOR_BYTES], categories[FEED_CATEGORIES_BYTES];
	int64_t date;
	int has_date;
	char teaser[SOURCE_TEASER_BYTES];
	size_t teaser_len;
};

/* One source's poll in flight: its feed's transfer, then its page jobs. */
struct source_poll {
	int busy;
	int http;		     /* an http(s) source: it has a state file */
	unsigned idx;		     /* the source's index in cfg */
	const struct cfg_source *src;
	struct srcstate st;	     /* its state file, loaded at the start */
	struct fetch_validators v;   /* the feed's answer's, saved at the end */
	int64_t retry_after;
	struct net_scope scope;	     /* where its links and redirects may go */
	int64_t deadline_ms;	     /* poll_timeout: net_now_ms() clock */
	unsigned jobs;		     /* page jobs not ended */
	unsigned reserved;	     /* job slots held for its feed until it is parsed */
	unsigned yielded;	     /* articles handed to the callback */
	unsigned left;		     /* entries not yielded for want of a job slot */
	unsigned cut;		     /* entries left at poll_timeout */
	int first;		     /* no successful poll before: backlog applies */
	unsigned over;		     /* entries yielded over_backlog */
	unsigned newer;		     /* taken past backlog, newer than a known entry */
	int ended;		     /* the article callback asked to stop */
	int stopped;		     /* cancelled or the stop flag: nothing recorded */
	int rc;			     /* source_poll's return when it ends */
	long status;		     /* the feed's or page's HTTP status, 0 when none */
	char err[NET_REASON_BYTES]; /* why it failed, for the state file */
};

/* A transfer of the sources: its body buffer (mapped once, max_size bytes;
 * a page uses page_cap of it) and its request. */
struct source_xfer {
	struct source_ctx *ctx;
	int busy;
	unsigned poll;
	int job; /* its page job, -1 for the poll's feed or page */
	char *buf;
	struct fetch_request fr;
};

/* Working memory and the HTTP client for polling; one per configuration.
 * Polls run concurrently, driven by net's callbacks: a feed is parsed when
 * its body arrived, its teaser pages become page jobs started as transfer
 * slots free up (source_pump). Folder and file sources run synchronously. */
struct source_ctx {
	struct fetch_client fetch;
	const struct cfg *cfg;
	size_t body_cap;   /* [http] max_size */
	size_t page_cap;   /* a teaser's page: SOURCE_PAGE_BYTES, or max_size if less */
	unsigned nxfer;	   /* [daemon] max_transfers buffers */
	struct source_xfer xfer[NET_MAX_TRANSFERS];
	struct source_poll polls[SOURCE_MAX_POLLS];
	struct source_job jobs[SOURCE_MAX_JOBS];
	uint64_t job_seq;
	/* The callbacks of every poll (source_ctx_bind). */
	source_article_fn fn;
	source_known_fn known;
	source_done_fn done;
	void *arg;
	/* Ranking scratch of the one feed being parsed (parsing is synchronous). */
	struct source_rank {
		int64_t key;
		unsigned idx;
		int over; /* past the backlog of a first poll */
		int known; /* a first poll's entry already seen or waiting */
	} rank[SOURCE_MAX_ITEMS];
	/* Set by source_poll: the UTC second before which this source should not
	 * be polled again (backoff or Retry-After), 0 when only its interval
	 * applies; and the entries the source offered in its last poll. */
	int64_t not_before;
	unsigned entries;
	int last_rc; /* the return of the poll that ended last */
	unsigned last_failures; /* and its source's consecutive failures after it */
	/* Set by the done callback of a poll that records its state: the Unix
	 * second the caller will poll the source next, 0 when it will not;
	 * saved in the state file after the callback (status shows it). It
	 * holds the file's value when the callback is called. */
	int64_t next_poll;
	/* State files that could not be saved after a poll (each said by
	 * srcstate_save), since ctx was set up. */
	unsigned long save_failures;
	/* The state folder (statedir_open), the caller's: set it after
	 * source_ctx_init and before the first poll of an HTTP source. */
	int state_fd;
	/* Set by a caller that is not the daemon (`digestd fetch --source`): no
	 * validators are sent and the saved ones stay as they are, so the
	 * daemon's next conditional GET is untouched (saving the validators of
	 * articles it never took would lose them); failures, backoff and
	 * Retry-After are still recorded, as they are the server's to say. */
	int keep_validators;
	/* Set by `digestd filter-test`: nothing is written to the state folder
	 * (no state file, no backoff recorded) and backoff is not honoured;
	 * with state_fd < 0 nothing is read from it either (every source is
	 * new). Implies keep_validators. */
	int dry_run;
};

/* Sets ctx up: the HTTP client (fetch_init with cfg, through net, which
 * must outlive ctx; its stop flag ends every poll) and one body buffer per
 * transfer ([daemon] max_transfers of [http] max_size bytes), mapped here
 * once (their pages are only touched as responses fill them, and given back
 * after each transfer). cfg must outlive ctx. Returns 0 or -ENOMEM. Call at
 * start-up; after a config reload, init another one and source_ctx_free the
 * old (source_cancel first). */
int source_ctx_init(struct source_ctx *ctx, const struct cfg *cfg, struct net *net);
void source_ctx_free(struct source_ctx *ctx);

/* The callbacks of every poll of ctx: fn for each article, known (may be
 * NULL) before a teaser's page is fetched, done when a poll ended. */
void source_ctx_bind(struct source_ctx *ctx, source_article_fn fn, source_known_fn known,
		     source_done_fn done, void *arg);

/* Starts a poll of source number idx of ctx's cfg (what source_poll does,
 * without blocking for the network). Returns 0, after which done is called
 * once (for a folder or a file, before this returns: local disk is read
 * synchronously); -EBUSY when no poll or transfer slot is free now (try
 * again when a transfer ended); -EALREADY when its host has its NET_PER_HOST
 * requests out already (net_host_full: try the other sources, then again
 * when a transfer ended); -EAGAIN without any request while the source is
 * backing off (*not_before says until when). Blocks on the disk. */
int source_start(struct source_ctx *ctx, unsigned idx, int64_t *not_before);

/* Starts the page jobs waiting, oldest first, as transfer slots allow (one
 * whose host has its NET_PER_HOST requests out waits, without a transfer,
 * and younger ones for other hosts go first), and ends those whose poll's
 * deadline passed (a poll whose last job ended is done). Call after
 * net_dispatch. */
void source_pump(struct source_ctx *ctx);

/* Milliseconds until source_pump must run even if no socket is ready (a
 * waiting page job's deadline); -1 when none. */
int source_timeout(const struct source_ctx *ctx);

/* Polls and page jobs in flight (0: ctx is idle). */
unsigned source_busy(const struct source_ctx *ctx);

/* Ends every poll in flight as the stop flag would (nothing recorded about
 * the sources, no validators saved: each poll is made again later); their
 * done callbacks are called before this returns. Not from a callback. */
void source_cancel(struct source_ctx *ctx);

/* Polls src once and calls fn for each article (the same as source_start,
 * blocking until the poll ended; ctx's callbacks are replaced):
 *  folder: the seed-format files at the top level of the folder, by name
 *          (hidden files, README.md and non-regular files skipped; a
 *          symbolic link, a file with more than one name (hard link), a
 *          file over SOURCE_FILE_BYTES or an unreadable one is one warning
 *          and skipped: only regular files inside the folder are read);
 *  feed:   a conditional GET (304: no articles), then the newest max_items
 *          entries (by published, else updated date; undated ones last);
 *          on the first successful poll of an http(s) feed (its state has
 *          no success yet) only the newest [source] backlog of them are
 *          taken: the others are yielded with over_backlog set, and one
 *          info line says how many;
 *          text is the entry's content, else its summary; entries with
 *          their text are yielded in feed order as the feed is parsed;
 *          with fetch_pages, a teaser (under SOURCE_TEASER_WORDS words, or
 *          ending in an ellipsis, "read more" or "continue reading") becomes
 *          a page job, unless known (may be NULL) says the caller has the
 *          entry, and is yielded when its page arrived, with the main text
 *          of the linked page (at most page_cap bytes; a larger page, or
 *          one that failed, keeps the teaser): pages arrive in any order;
 *  page:   a conditional GET of the page and its main text as one article.
 * Links and redirects may reach only public addresses, except the source's
 * own host when it is not public, or any with allow_private (struct
 * net_scope); each refused page is one warning and keeps the teaser.
 * The whole poll ends by [http] poll_timeout: entries left then are not
 * yielded, the validators stay as they were (the next poll gets the feed
 * whole and yields them), and one info line says how many were left. The
 * validators are saved only when the poll's last page job ended and every
 * entry was yielded and taken.
 * Returns the number of articles yielded (>= 0); or -EAGAIN without any
 * request while the source is backing off (ctx->not_before says until when);
 * -EINTR when the stop flag rose; another negative errno when the source
 * failed (fetch's codes, -EBADMSG for a response that is not a feed or
 * has no main text or is a UTF-16 page, -ENOENT/-EACCES for a folder). Each failure is logged as
 * one line "source NAME: URL: reason"; HTTP failures and parse failures add
 * to the backoff recorded in [daemon] state_dir (source-HASH.state).
 * Blocks for the transfers (all at most [http] poll_timeout). URLs in
 * log lines are redacted (url_redact). */
int source_poll(const struct cfg *cfg, const struct cfg_source *src, struct source_ctx *ctx,
		source_article_fn fn, source_known_fn known, void *arg);

/* From the state file, the UTC second before which src must not be polled
 * (backoff or Retry-After from an earlier run), or 0. For scheduling at
 * start-up; the daemon adds interval itself. Never fails. */
int64_t source_not_before(const struct cfg *cfg, const struct source_ctx *ctx,
			  const struct cfg_source *src, int64_t now);

/* Records in the state file of source number idx of ctx's cfg when the
 * caller polls it next (the Unix second, 0 for none), for a schedule made
 * without a poll ending (a source still backing off); a poll's end records
 * ctx->next_poll itself. Nothing with dry_run. Returns 0, or srcstate_save's
 * negative errno (logged there). Blocks on the disk. */
int source_note_next_poll(const struct source_ctx *ctx, unsigned idx, int64_t next_poll);

/* Forgets the cache validators (ETag, Last-Modified) of every HTTP source,
 * so that each next poll fetches in full: for when articles a 304 would
 * hide were lost (a damaged pending list). Returns 0, or the first negative
 * errno of a state file that could not be saved (logged). Blocks on the disk. */
int source_forget_validators(const struct cfg *cfg, const struct source_ctx *ctx);

#endif
