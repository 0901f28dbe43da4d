/* SPDX-License-Identifier: MIT */
/* One poll of one source: folder files, a feed (ranked, teasers expanded) or
 * a page, turned into articles. Logs each failure once, naming source and
 * URL; nothing here grows with the size of a feed, page or folder. */
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/article.h"
#include "core/date.h"
#include "core/log.h"
#include "core/url.h"
#include "extract/html.h"
#include "sources/feed.h"
#include "sources/srcstate.h"

_Static_assert(SOURCE_MAX_ITEMS >= 500, "max_items may be 500 (cfg.def)");

/* The current poll, for the feed callbacks (one poll at a time). */
struct poll {
	const struct cfg *cfg;
	const struct cfg_source *src;
	struct source_ctx *ctx;
	source_article_fn fn;
	source_known_fn known;
	void *arg;
	struct net_scope scope; /* where teaser links and redirects may go */
	unsigned n;	 /* entries seen in this pass */
	unsigned yielded;
	int ended;	 /* fn asked to stop, the stop flag rose, or cut */
	int cut;	 /* poll_timeout came first */
	/* The newest entries: (date, index), then the chosen indexes sorted. */
	unsigned nrank, next;
	struct rank {
		int64_t key;
		unsigned idx;
	} rank[SOURCE_MAX_ITEMS];
};

static struct poll poll_state;
static struct fetch_response resp, page_resp;
static struct html_page page_meta;
static char page_text[SOURCE_TEXT_BYTES];

/* Anonymous mappings rather than malloc: page-aligned, so that give_back
 * can drop exactly their pages. NULL when the mapping fails. */
static char *map_buffer(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void unmap_buffer(char **p, size_t size)
{
	if (*p)
		munmap(*p, size);
	*p = NULL;
}

/* The buffers keep their size, but the pages a poll touched are returned:
 * they count towards the daemon's memory only while a poll runs (a 16 MiB
 * feed once would otherwise stay resident until the next restart). The next
 * touch maps zero pages again. madvise only fails for a range that is not
 * mapped, which these always are. */
static void give_back(struct source_ctx *ctx)
{
	(void)madvise(ctx->body, ctx->body_cap, MADV_DONTNEED);
	(void)madvise(ctx->page, ctx->page_cap, MADV_DONTNEED);
}

int source_ctx_init(struct source_ctx *ctx, const struct cfg *cfg, struct net *net)
{
	int rc = 0;

	memset(ctx, 0, sizeof(*ctx));
	ctx->state_fd = -1;
	ctx->body_cap = (size_t)cfg->http.max_size;
	ctx->page_cap = ctx->body_cap < SOURCE_PAGE_BYTES ? ctx->body_cap : SOURCE_PAGE_BYTES;
	ctx->body = map_buffer(ctx->body_cap);
	ctx->page = map_buffer(ctx->page_cap);
	if (!ctx->body || !ctx->page) {
		rc = -ENOMEM;
		goto out;
	}
	fetch_init(&ctx->fetch, cfg, net);
out:
	if (rc != 0) {
		unmap_buffer(&ctx->body, ctx->body_cap);
		unmap_buffer(&ctx->page, ctx->page_cap);
	}
	return rc;
}

void source_ctx_free(struct source_ctx *ctx)
{
	unmap_buffer(&ctx->body, ctx->body_cap);
	unmap_buffer(&ctx->page, ctx->page_cap);
}

static int64_t now_utc(void)
{
	return (int64_t)time(NULL);
}

static const char *lang_of(const struct cfg_source *src, const char *found)
{
	return strcmp(src->lang, "auto") != 0 ? src->lang : found;
}

/* Reads a regular file whole into buf. flags adds to the open flags
 * (O_NOFOLLOW for a file named inside a folder source). Returns its length,
 * -EFBIG when it is longer than cap, -ENOTSUP when it is not a regular file,
 * -ELOOP for a symbolic link under O_NOFOLLOW, -EMLINK for a file with more
 * than one name under O_NOFOLLOW (a hard link can point at a secret as a
 * symbolic link can), or -errno. */
static long read_file(int dirfd, const char *path, int flags, char *buf, size_t cap)
{
	/* O_NONBLOCK: opening a FIFO must not hang the poll. */
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags);
	struct stat st;
	size_t n = 0;
	long rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -ENOTSUP;
		goto out;
	}
	if ((flags & O_NOFOLLOW) && st.st_nlink > 1) {
		rc = -EMLINK;
		goto out;
	}
	if ((uint64_t)st.st_size > cap) {
		rc = -EFBIG;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) { /* grew since fstat: still over the cap? */
			char probe;

			r = read(fd, &probe, 1);
			rc = r > 0 ? -EFBIG : (long)n;
			goto out;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	rc = (long)n;
out:
	close(fd);
	return rc;
}

/* Folder sources: the smallest eligible name after `last` ("" = first),
 * found by rescanning, so no table of names is kept. Returns 1 with best
 * filled, 0 when no name is left. */
static int next_name(DIR *d, const char *last, char *best, size_t size)
{
	struct dirent *e;
	int found = 0;

	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		const char *nm = e->d_name;

		if (nm[0] == '.' || strcmp(nm, "README.md") == 0)
			continue;
		/* readdir never gives a '/', but a name with one would leave
		 * the folder under openat: never take it. */
		if (strlen(nm) >= size || strchr(nm, '/') || (last[0] && strcmp(nm, last) <= 0))
			continue;
		if (found && strcmp(nm, best) >= 0)
			continue;
		snprintf(best, size, "%s", nm);
		found = 1;
	}
	return found;
}

/* Opens the folder of a folder source for reading its entries (opendir
 * opens with O_DIRECTORY): every file is then opened relative to this fd,
 * so it must really be a folder. */
static DIR *open_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct stat st;

	if (d && (fstat(dirfd(d), &st) != 0 || !S_ISDIR(st.st_mode))) {
		closedir(d);
		errno = ENOTDIR;
		return NULL;
	}
	return d;
}

static int poll_folder(const struct cfg_source *src, struct source_ctx *ctx,
		       source_article_fn fn, void *arg)
{
	const char *dir = url_file_path(src->url) ? url_file_path(src->url) : src->url;
	size_t cap = ctx->body_cap < SOURCE_FILE_BYTES ? ctx->body_cap : SOURCE_FILE_BYTES;
	char name[NAME_MAX + 1] = "", last[NAME_MAX + 1] = "";
	char path[CFG_URL_BYTES + NAME_MAX + 2];
	static struct article_header h;
	int yielded = 0, rc;
	DIR *d = open_folder(dir);

	if (!d) {
		rc = -errno;
		log_warn("source %s: %s: cannot read the folder", src->name, dir);
		return rc;
	}
	for (unsigned i = 0; i < SOURCE_MAX_FILES && next_name(d, last, name, sizeof(name)); i++) {
		if (net_stopped(ctx->fetch.net)) {
			yielded = -EINTR;
			break;
		}
		struct source_article a;
		/* Regular files inside the folder only: a planted link to the
		 * signing key or the token would put it into a pushed digest. */
		long n = read_file(dirfd(d), name, O_NOFOLLOW, ctx->body, cap);
		size_t off;
		int64_t t;

		memcpy(last, name, sizeof(last));
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (n == -ENOTSUP)
			continue;
		if (n == -ELOOP) {
			log_warnx("source %s: %s: a symbolic link; skipped", src->name, path);
			continue;
		}
		if (n == -EMLINK) {
			log_warnx("source %s: %s: a file with more than one name (hard link); skipped",
				  src->name, path);
			continue;
		}
		if (n == -EFBIG) {
			log_warnx("source %s: %s: larger than %zu bytes; skipped", src->name, path, cap);
			continue;
		}
		if (n < 0) {
			errno = (int)-n;
			log_warn("source %s: %s: cannot read; skipped", src->name, path);
			continue;
		}
		ctx->entries++;
		off = article_parse_header(ctx->body, (size_t)n, &h);
		a.id = h.url[0] ? h.url : path;
		a.title = h.title[0] ? h.title : name;
		a.url = h.url;
		a.has_date = h.date[0] && date_parse(h.date, strlen(h.date), &t) == 0;
		a.date = a.has_date ? t : 0;
		a.lang = lang_of(src, h.lang);
		a.text = ctx->body + off;
		a.text_len = (size_t)n - off;
		yielded++;
		if (fn(&a, arg) != 0)
			break;
	}
	closedir(d);
	return yielded;
}

/* Words in text, counted up to limit (enough to decide "short"). */
static unsigned count_words(const char *s, unsigned limit)
{
	unsigned n = 0;
	int in = 0;

	for (; *s && n < limit; s++) {
		int sp = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r';

		if (!sp && !in)
			n++;
		in = !sp;
	}
	return n;
}

static int ends_with_ci(const char *s, size_t len, const char *suffix)
{
	size_t k = strlen(suffix);

	return len >= k && strncasecmp(s + len - k, suffix, k) == 0;
}

/* The teaser rule (see SOURCE_TEASER_WORDS): short, or ending the way cut
 * excerpts end: an ellipsis ("...", "…", "[…]", "(more…)") or a link
 * label such as "Read more" or "Continue reading" (trailing punctuation and
 * arrows ignored). */
static int is_teaser(const char *text)
{
	static const char *const tails[] = { "...", "\xE2\x80\xA6", "read more", "continue reading",
					     "keep reading", "read the full story",
					     "read full article" };
	size_t len = strlen(text);

	if (count_words(text, SOURCE_TEASER_WORDS) < SOURCE_TEASER_WORDS)
		return 1;
	for (;;) {
		while (len > 0 && strchr(" \t\r\n]).:!>\"'", text[len - 1]))
			len--;
		if (ends_with_ci(text, len, "\xC2\xBB")) /* » */
			len -= 2;
		else if (ends_with_ci(text, len, "\xE2\x86\x92")) /* → */
			len -= 3;
		else
			break;
	}
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		if (ends_with_ci(text, len, tails[i]))
			return 1;
	return 0;
}

/* Fetches a linked page and extracts its main text into page_text. Returns
 * its length, 0 when the page gave nothing better, -EINTR when stopping, or
 * -ETIME when poll_timeout came first (the entry then waits for the next
 * poll, not taken with its teaser). */
static long expand_teaser(struct poll *p, const char *link)
{
	const char *name = p->src->name;
	char lu[NET_URL_BYTES];
	long n;
	int rc;

	if (!url_is_http(link))
		return 0;
	rc = fetch_get(&p->ctx->fetch, link, NULL, &p->scope, &page_resp, p->ctx->page,
		       p->ctx->page_cap);
	if (rc == -EINTR || rc == -ETIME)
		return rc;
	url_redact(link, lu, sizeof(lu));
	if (rc < 0 || page_resp.kind != FETCH_KIND_OK) {
		log_warnx("source %s: %s: page not fetched, keeping the feed's text: %s", name, lu,
			  page_resp.net.reason);
		return 0;
	}
	n = html_extract(p->ctx->page, page_resp.net.len, page_resp.net.content_type, &page_meta,
			 page_text, sizeof(page_text));
	if (n == -ENOTSUP)
		log_warnx("source %s: %s: the page is UTF-16, which digestd does not read; keeping "
			  "the feed's text", name, lu);
	else if (n <= 0)
		log_warnx("source %s: %s: no main text in the page, keeping the feed's text", name,
			  lu);
	return n > 0 ? n : 0;
}

static int64_t entry_key(const struct feed_entry *e)
{
	if (e->has_published)
		return e->published;
	return e->has_updated ? e->updated : INT64_MIN;
}

/* Pass 1: keep the newest max_items entries. On equal dates (and among
 * undated entries) the earlier one in the feed wins, feeds being listed
 * newest first by convention. */
static int rank_entry(const struct feed_entry *e, void *arg)
{
	struct poll *p = arg;
	int64_t key = entry_key(e);
	unsigned idx = p->n++, min = 0;

	if (p->nrank < p->src->max_items && p->nrank < SOURCE_MAX_ITEMS) {
		p->rank[p->nrank].key = key;
		p->rank[p->nrank++].idx = idx;
		return 0;
	}
	for (unsigned i = 1; i < p->nrank; i++)
		if (p->rank[i].key < p->rank[min].key ||
		    (p->rank[i].key == p->rank[min].key && p->rank[i].idx > p->rank[min].idx))
			min = i;
	if (p->nrank > 0 && key > p->rank[min].key) {
		p->rank[min].key = key;
		p->rank[min].idx = idx;
	}
	return 0;
}

static int by_idx(const void *a, const void *b)
{
	unsigned x = ((const struct rank *)a)->idx, y = ((const struct rank *)b)->idx;

	return x < y ? -1 : x > y;
}

/* Pass 2: yield the chosen entries, in feed order. An entry the caller
 * already knows is yielded as it stands: its teaser's page is not fetched
 * again on every poll. */
static int yield_entry(const struct feed_entry *e, void *arg)
{
	struct poll *p = arg;
	unsigned idx = p->n++;
	struct source_article a;
	const char *text = e->content[0] ? e->content : e->summary;

	if (p->next >= p->nrank)
		return 1;
	if (p->rank[p->next].idx != idx)
		return 0;
	p->next++;
	a.id = e->id[0] ? e->id : e->link[0] ? e->link : e->title;
	a.title = e->title;
	a.url = e->link;
	a.has_date = e->has_published || e->has_updated;
	a.date = e->has_published ? e->published : e->has_updated ? e->updated : 0;
	a.lang = lang_of(p->src, e->lang);
	a.text = text;
	a.text_len = strlen(text);
	if (p->src->fetch_pages && e->link[0] && is_teaser(text) &&
	    !(p->known && p->known(&a, p->arg))) {
		long n = expand_teaser(p, e->link);

		if (n < 0) {
			p->ended = 1;
			p->cut = n == -ETIME;
			return 1;
		}
		if ((size_t)n > a.text_len) {
			a.text = page_text;
			a.text_len = (size_t)n;
			if (!e->lang[0])
				a.lang = lang_of(p->src, page_meta.lang);
		}
	}
	p->yielded++;
	if (p->fn(&a, p->arg) != 0) {
		p->ended = 1;
		return 1;
	}
	return 0;
}

/* Parses the feed in body twice (rank, then yield): two passes over the
 * capped buffer instead of a copy of every entry. Returns the number of
 * articles yielded or -EBADMSG. */
static int read_feed(struct poll *p, const char *body, size_t len, const char *base,
		     const char *ctype)
{
	int n;

	p->n = p->nrank = p->next = p->yielded = 0;
	p->ended = p->cut = 0;
	/* The first pass would repeat the second pass's warning about a broken
	 * feed: only the second one may speak. */
	n = feed_parse(body, len, base, ctype, FEED_QUIET, rank_entry, p);
	if (n < 0)
		return n;
	p->ctx->entries = p->n;
	qsort(p->rank, p->nrank, sizeof(p->rank[0]), by_idx);
	p->n = 0;
	n = feed_parse(body, len, base, ctype, 0, yield_entry, p);
	if (n < 0)
		return n;
	if (p->cut)
		log_info("source %s: poll stopped at poll_timeout (%u s); %u entries left for the "
			 "next poll", p->src->name, p->cfg->http.poll_timeout,
			 p->nrank - p->next + 1);
	return (int)p->yielded;
}

/* Returns 1 for the page's article, -ENOTSUP for a UTF-16 page or -EBADMSG
 * when it has no text. */
static int read_page(struct poll *p, const char *body, size_t len, const char *url,
		     const char *ctype)
{
	struct source_article a;
	int64_t t;
	long n = html_extract(body, len, ctype, &page_meta, page_text, sizeof(page_text));

	p->ended = 0;
	if (n == -ENOTSUP)
		return -ENOTSUP;
	if (n <= 0)
		return -EBADMSG;
	p->ctx->entries = 1;
	a.id = p->src->url;
	a.title = page_meta.title;
	a.url = url;
	a.has_date = page_meta.date[0] && date_parse(page_meta.date, strlen(page_meta.date), &t) == 0;
	a.date = a.has_date ? t : 0;
	a.lang = lang_of(p->src, page_meta.lang);
	a.text = page_text;
	a.text_len = (size_t)n;
	if (p->fn(&a, p->arg) != 0)
		p->ended = 1;
	return 1;
}

static int parse_body(struct poll *p, const char *body, size_t len, const char *url,
		      const char *ctype)
{
	if (p->src->type == CFG_SOURCE_PAGE)
		return read_page(p, body, len, url, ctype);
	return read_feed(p, body, len, url, ctype);
}

/* Logs why the body gave nothing (rc from parse_body) and returns -EBADMSG,
 * the one code source_poll reports for an unreadable response. */
static int log_parse_failure(const struct cfg_source *src, const char *raw, int rc)
{
	char url[NET_URL_BYTES];

	url_redact(raw, url, sizeof(url));
	if (rc == -ENOTSUP)
		log_warnx("source %s: %s: the page is UTF-16, which digestd does not read",
			  src->name, url);
	else if (src->type == CFG_SOURCE_PAGE)
		log_warnx("source %s: %s: no main text found in the page", src->name, url);
	else
		log_warnx("source %s: %s: not a feed (no RSS, Atom or JSON Feed found)", src->name,
			  url);
	return -EBADMSG;
}

/* feed or page from a local file: no HTTP, no state. */
static int poll_file(struct poll *p, const char *path)
{
	char lu[NET_URL_BYTES];
	long n = read_file(AT_FDCWD, path, 0, p->ctx->body, p->ctx->body_cap);
	int rc;

	if (n < 0) {
		errno = n == -ENOTSUP ? EISDIR : n == -EFBIG ? EFBIG : (int)-n;
		log_warn("source %s: %s", p->src->name, url_redact(p->src->url, lu, sizeof(lu)));
		return (int)n;
	}
	rc = parse_body(p, p->ctx->body, (size_t)n, p->src->url, NULL);
	if (rc < 0)
		rc = log_parse_failure(p->src, p->src->url, rc);
	return rc;
}

static int poll_http(struct poll *p)
{
	const struct cfg *cfg = p->cfg;
	const struct cfg_source *src = p->src;
	struct source_ctx *ctx = p->ctx;
	const char *dir = cfg->daemon.state_dir;
	static struct srcstate st;
	int64_t now = now_utc(), nb;
	char lu[NET_URL_BYTES];
	int rc;

	srcstate_load(ctx->state_fd, dir, src->name, &st);
	nb = srcstate_not_before(&st, &cfg->http, now);
	if (nb > now) {
		ctx->not_before = nb;
		log_debug("source %s: backing off for %lld s more", src->name, (long long)(nb - now));
		return -EAGAIN;
	}
	p->scope.own = 1;
	rc = fetch_get(&ctx->fetch, src->url, ctx->keep_validators ? NULL : &st.v, &p->scope, &resp,
		       ctx->body, ctx->body_cap);
	p->scope.own = 0;
	if (rc == -EINTR)
		return rc;
	now = now_utc();
	url_redact(src->url, lu, sizeof(lu));
	if (rc == 0 && resp.kind == FETCH_KIND_NOT_MODIFIED) {
		log_debug("source %s: %s: not modified", src->name, lu);
		if (resp.validators.etag[0] || resp.validators.last_modified[0])
			st.v = resp.validators;
		srcstate_record(&st, &cfg->http, now, 1, 0);
		srcstate_save(ctx->state_fd, dir, src->name, &st);
		return 0;
	}
	if (rc == 0 && resp.kind != FETCH_KIND_OK)
		rc = -EIO;
	if (rc == 0) {
		rc = parse_body(p, ctx->body, resp.net.len, resp.net.effective_url,
				resp.net.content_type);
		if (rc < 0)
			rc = log_parse_failure(src, src->url, rc);
	} else {
		log_warnx("source %s: %s: %s", src->name, lu, resp.net.reason);
	}
	if (rc == -EINTR || (rc >= 0 && p->ended && net_stopped(ctx->fetch.net)))
		return rc; /* stopping: nothing learnt about the source */
	srcstate_record(&st, &cfg->http, now, rc >= 0, resp.retry_after);
	/* Cut short by the caller: keep the old validators so the entries not
	 * yet taken are offered again. */
	if (rc >= 0 && !p->ended && !ctx->keep_validators)
		st.v = resp.validators;
	srcstate_save(ctx->state_fd, dir, src->name, &st);
	ctx->not_before = srcstate_not_before(&st, &cfg->http, now);
	return rc;
}

int source_poll(const struct cfg *cfg, const struct cfg_source *src, struct source_ctx *ctx,
		source_article_fn fn, source_known_fn known, void *arg)
{
	struct poll *p = &poll_state;
	const char *path = url_file_path(src->url);
	int rc;

	ctx->not_before = 0;
	ctx->entries = 0;
	p->cfg = cfg;
	p->src = src;
	p->ctx = ctx;
	p->fn = fn;
	p->known = known;
	p->arg = arg;
	if (src->type == CFG_SOURCE_FOLDER) {
		rc = poll_folder(src, ctx, fn, arg);
	} else {
		net_scope_init(&p->scope, src->url, src->allow_private);
		fetch_set_deadline(&ctx->fetch, cfg->http.poll_timeout);
		if (!url_is_http(src->url))
			rc = poll_file(p, path ? path : src->url);
		else
			rc = poll_http(p);
		fetch_set_deadline(&ctx->fetch, 0);
	}
	give_back(ctx);
	return rc;
}

int64_t source_not_before(const struct cfg *cfg, const struct source_ctx *ctx,
			  const struct cfg_source *src, int64_t now)
{
	struct srcstate st;

	if (!url_is_http(src->url))
		return 0;
	srcstate_load(ctx->state_fd, cfg->daemon.state_dir, src->name, &st);
	return srcstate_not_before(&st, &cfg->http, now);
}

int source_forget_validators(const struct cfg *cfg, const struct source_ctx *ctx)
{
	int first = 0;

	for (unsigned i = 0; i < cfg->n_sources; i++) {
		const struct cfg_source *src = &cfg->sources[i];
		struct srcstate st;
		int rc;

		if (!url_is_http(src->url))
			continue;
		srcstate_load(ctx->state_fd, cfg->daemon.state_dir, src->name, &st);
		if (!st.v.etag[0] && !st.v.last_modified[0])
			continue;
		memset(&st.v, 0, sizeof(st.v));
		rc = srcstate_save(ctx->state_fd, cfg->daemon.state_dir, src->name, &st);
		if (rc < 0 && first == 0)
			first = rc;
	}
	return first;
}
