/* SPDX-License-Identifier: MIT */
/* A digest being composed: the articles' cleaned text in a fixed arena and
 * its rendering as JSON (docs/digest.md), Markdown, plain text or HTML. No
 * I/O and no allocation; the caller owns struct digest (about 530 KiB: keep
 * it static). */
#ifndef DIGESTD_DIGEST_H
#define DIGESTD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/limits.h"

/* The "schema" value of the JSON form; bumped on any change to its shape. */
#define DIGEST_SCHEMA "digestd.digest/2"

/* The number of formats (enum cfg_format values, all rendered here). */
#define DIGEST_FORMATS (CFG_FORMAT_HTML + 1)

/* Bytes that need not be NUL-terminated (a key sentence inside the
 * summariser's window, for instance). */
struct digest_span {
	const char *p;
	size_t len;
};

/* Another source's article of the same story (docs/grouping.md): shown as
 * an "also in" entry of the item it joined, never dropped. The strings are
 * NUL-terminated and may be NULL or "" when unknown. */
struct digest_also {
	const char *source;
	const char *title;
	const char *url;
};

/* One article as digest_add takes it. The strings are NUL-terminated and may
 * be NULL or "" when unknown (url and lang then render as null); published
 * counts only when has_published is set. Nothing is kept by reference. */
struct digest_article {
	const char *source;
	const char *title;
	const char *url;
	const char *lang;
	int64_t published; /* Unix seconds, UTC */
	bool has_published;
	const struct digest_span *sentences;
	unsigned n_sentences;
	const struct digest_also *also; /* at most DIGEST_MAX_ALSO */
	unsigned n_also;
};

struct digest_entry {
	uint32_t off;  /* source, title, url, lang, sentences, then per also entry source,
			* title, url: NUL-terminated, in order */
	uint32_t n_sentences;
	int64_t published;
	uint32_t has_published;
	uint32_t n_also;
};

/* A source with a problem (feed health, docs/status.md): listed once in a
 * digest, after its articles. */
struct digest_problem {
	char source[CFG_SOURCE_NAME_BYTES];
	char error[SRCSTATE_ERROR_BYTES];
	int64_t since;     /* Unix seconds of its first failure in a row */
	unsigned failures; /* its failed polls in a row */
};

struct digest {
	char id[DIGEST_ID_BYTES];
	char host[DIGEST_HOST_BYTES];
	int64_t created;
	unsigned max_articles;
	unsigned n_articles;
	size_t used;                   /* arena bytes in use */
	size_t rendered[DIGEST_FORMATS]; /* exact body length per enum cfg_format */
	unsigned must_fit;             /* DIGEST_FIT_* bits: what digest_add keeps in a body */
	struct digest_entry entry[DIGEST_MAX_ARTICLES];
	unsigned n_problems;
	struct digest_problem problem[DIGEST_MAX_PROBLEMS];
	char arena[DIGEST_ARENA_BYTES];
};

/* The id of a digest of articles: "dg_" + 32 lowercase hex digits, the
 * first 16 bytes of SHA-256 over "digestd digest 1\n", who, "\n" and the
 * articles' seen-set keys (keys[i] points to 32 bytes) in digest order. who
 * names the composing daemon (the daemon gives its host name and state
 * folder). The same articles composed by the same daemon always get the
 * same id: a digest composed again after a failed save or a crash carries
 * the id of the first try, so a receiver dropping repeated webhook-ids drops
 * it. out needs DIGEST_ID_BYTES. Returns 0, or -EINVAL for n == 0 or a small
 * out. Never blocks. */
int digest_content_id(const char *who, const unsigned char *const *keys, unsigned n, char *out,
		      size_t size);

/* The id of a digest without articles (send_empty), which has no article
 * set to name it: "dg_" + the UTC time of created as YYYYMMDDTHHMMSSZ + "_"
 * + 8 hex digits from getrandom(), e.g. dg_20261128T180000Z_1f0c3a9e (the
 * form every digest id had before content ids). Only [A-Za-z0-9_]
 * characters. Returns 0 or -EIO (no randomness). May block only before the
 * kernel's entropy pool is ready (early boot). */
int digest_new_id(int64_t created, char *out, size_t size);

/* Whether id[0..n) may be a digest id: 1 to DIGEST_ID_BYTES - 1 bytes of
 * [A-Za-z0-9_-], safe in a file name and an HTTP header. Both forms above
 * pass, and so do ids written by other versions (a state file is read
 * back whatever wrote it). */
bool digest_id_valid(const char *id, size_t n);

/* Starts an empty digest. id (at most DIGEST_ID_BYTES - 1 bytes of
 * [A-Za-z0-9_-]) and host are copied; created is Unix seconds (UTC);
 * max_articles is clamped to 1..DIGEST_MAX_ARTICLES. Returns 0 or -EINVAL
 * (bad id; d is then an empty digest with id ""). A host name too long is
 * cut. Never blocks. */
int digest_begin(struct digest *d, const char *id, int64_t created, const char *host,
		 unsigned max_articles);

/* What digest_add keeps within DIGEST_BODY_BYTES: the rendering of each
 * format whose bit (1u << enum cfg_format) is set, and with DIGEST_FIT_MAIL
 * an email message (its text and HTML parts, base64). digest_begin sets
 * DIGEST_FIT_ALL; a caller whose endpoints need less says so after it, and
 * then renders only what it named (another rendering may not fit). */
#define DIGEST_FIT_MAIL (1u << DIGEST_FORMATS)
#define DIGEST_FIT_ALL (DIGEST_FIT_MAIL | ((1u << DIGEST_FORMATS) - 1u))
void digest_must_fit(struct digest *d, unsigned mask);

/* Appends a copy of a. Text is cleaned on the way in: invalid UTF-8 becomes
 * U+FFFD, control characters and whitespace runs become one space, ends are
 * trimmed; empty sentences are skipped. A url that is then not an absolute
 * http(s) URL (url_is_http) is dropped, as if unknown; so is an also
 * entry's. Returns 0; -ENOSPC
 * when max_articles are in, the arena is full, or a rendering named by
 * digest_must_fit would pass DIGEST_BODY_BYTES (d is then unchanged: keep the article for the next
 * digest); -EINVAL for a NULL a, more than SUMM_MAX_PICK sentences or more than
 * DIGEST_MAX_ALSO also entries. Never
 * blocks. */
int digest_add(struct digest *d, const struct digest_article *a);

/* Adds a source with a problem, to be rendered after the articles: "sources
 * with problems" (JSON: "problems":[{"source","since","failures","error"}],
 * present only when there is one). source and error are cleaned as an
 * article's text is (error may be NULL); since is Unix seconds. Call after
 * digest_begin and before the first digest_add. Returns 0; -ENOSPC when
 * DIGEST_MAX_PROBLEMS are in; -EINVAL after an article, or on a digest
 * without an id. Never blocks. */
int digest_add_problem(struct digest *d, const char *source, int64_t since, unsigned failures,
		       const char *error);

/* Number of articles added so far. */
unsigned digest_count(const struct digest *d);

/* Renders d in fmt into out[0..cap). On success returns 0 with *len the body
 * length (out is NUL-terminated when cap > *len). -ENOSPC when cap is too
 * small (*len is then the length needed); a digest built by digest_add
 * always fits in DIGEST_BODY_BYTES. -EINVAL for an unknown fmt. Never
 * blocks. The same digest always renders to the same bytes. Markdown text is
 * escaped so that its only links are the articles' (and also entries')
 * http(s) URLs; HTML is one
 * self-contained page (inline styles, no scripts or external resources)
 * whose text and attributes are entity-escaped and whose only links are
 * those URLs (docs/digest.md). */
int digest_render(const struct digest *d, enum cfg_format fmt, char *out, size_t cap,
		  size_t *len);

/* Article i (0-based) of d read back, for renderings other than the four
 * above (src/digest/message): the cleaned strings as digest_add stored
 * them, pointers into d, "" when unknown. */
struct digest_item {
	const char *source, *title, *url, *lang;
	const char *sentences; /* n_sentences NUL-terminated strings, one after another */
	unsigned n_sentences;
	int64_t published; /* Unix seconds, UTC; only when has_published */
	bool has_published;
	/* n_also entries, each three NUL-terminated strings one after another:
	 * source, title, url ("" when unknown; url only an http(s) URL). */
	const char *also;
	unsigned n_also;
};

/* Fills it with article i. Returns 0, or -ERANGE when i >= digest_count. */
int digest_item(const struct digest *d, unsigned i, struct digest_item *it);

/* The escapes of the renderings above, for text other renderings build
 * around them: HTML text or a double-quoted attribute value; Markdown text
 * (its first bytes taken as the start of a list item); a Markdown link
 * destination in <...>, http(s) URLs only (s must then be NUL-terminated at
 * n, and <> are written too). */
enum digest_escape {
	DIGEST_ESCAPE_HTML,
	DIGEST_ESCAPE_MARKDOWN,
	DIGEST_ESCAPE_MARKDOWN_URL,
};

/* Appends s[0..n) escaped as `how` says to out[*len..cap): stores the bytes
 * that fit and adds the whole escaped length to *len (out NULL measures).
 * Never blocks. */
void digest_escape(enum digest_escape how, const char *s, size_t n, char *out, size_t cap,
		   size_t *len);

/* The MIME type of a format's body: "application/json",
 * "text/markdown; charset=utf-8", "text/plain; charset=utf-8" or
 * "text/html; charset=utf-8". A static string; NULL for an unknown fmt. */
const char *digest_content_type(enum cfg_format fmt);

#endif
