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
#include "core/file.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/url.h"
#include "extract/html.h"
#include "sources/feed.h"
#include "sources/srcstate.h"

_Static_assert(SOURCE_MAX_ITEMS >= 500, "max_items may be 500 (cfg.def)");

enum { JOB_FREE, JOB_WAITING, JOB_RUNNING };

/* Scratch of the one page being read (parsing is synchronous, one at a
 * time): its metadata and main text. */
static struct html_page page_meta;
static char page_text[SOURCE_TEXT_BYTES];

/* Anonymous mappings rather than malloc: page-aligned, so that give_back
 * can drop exactly their pages. NULL when the mapping fails. */
static char *map_buffer(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Writes *p only when it was mapped: the contexts' slots past max_transfers
 * stay untouched pages. */
static void unmap_buffer(char **p, size_t size)
{
	if (*p) {
		munmap(*p, size);
		*p = NULL;
	}
}

/* A buffer keeps its size, but the pages a transfer touched are returned:
 * they count towards the daemon's memory only while the transfer and its
 * parse run (a 16 MiB feed once would otherwise stay resident until the next
 * restart). The next touch maps zero pages again. madvise only fails for a
 * range that is not mapped, which these always are. */
static void give_back(struct source_ctx *ctx, struct source_xfer *x)
{
	(void)madvise(x->buf, ctx->body_cap, MADV_DONTNEED);
	x->busy = 0;
}

int source_ctx_init(struct source_ctx *ctx, const struct cfg *cfg, struct net *net)
{
	int rc = 0;

	/* 630 KiB, most of it page jobs and polls that a small configuration
	 * never uses: the daemon's two static contexts keep those pages unmapped. */
	mem_zero(ctx, sizeof(*ctx));
	ctx->state_fd = -1;
	ctx->cfg = cfg;
	ctx->body_cap = (size_t)cfg->http.max_size;
	ctx->page_cap = ctx->body_cap < SOURCE_PAGE_BYTES ? ctx->body_cap : SOURCE_PAGE_BYTES;
	ctx->nxfer = cfg->daemon.max_transfers;
	if (ctx->nxfer < 1 || ctx->nxfer > NET_MAX_TRANSFERS)
		ctx->nxfer = 1; /* cfg refuses these; a zeroed cfg gets one */
	for (unsigned i = 0; i < ctx->nxfer; i++) {
		ctx->xfer[i].buf = map_buffer(ctx->body_cap);
		if (!ctx->xfer[i].buf) {
			rc = -ENOMEM;
			goto out;
		}
	}
	fetch_init(&ctx->fetch, cfg, net);
out:
	if (rc != 0)
		source_ctx_free(ctx);
	return rc;
}

void source_ctx_free(struct source_ctx *ctx)
{
	for (unsigned i = 0; i < NET_MAX_TRANSFERS; i++)
		unmap_buffer(&ctx->xfer[i].buf, ctx->body_cap);
}

void source_ctx_bind(struct source_ctx *ctx, source_article_fn fn, source_known_fn known,
		     source_done_fn done, void *arg)
{
	ctx->fn = fn;
	ctx->known = known;
	ctx->done = done;
	ctx->arg = arg;
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
	rc = file_read_full(fd, buf, cap, &n);
	if (rc == 0 && n == cap) { /* grew since fstat: still over the cap? */
		char probe;
		size_t more = 0;

		rc = file_read_full(fd, &probe, 1, &more);
		if (rc == 0 && more)
			rc = -EFBIG;
	}
	if (rc < 0)
		goto out;
	rc = (long)n;
out:
	close(fd);
	return rc;
}

/* Folder sources: the next names after `last` ("" = first), the smallest
 * SOURCE_FOLDER_BATCH of them in byte order, found by one scan of the folder
 * into b, so no table of all names is kept. A scan per name made a poll of
 * a folder with many entries quadratic: 4,096 links beside 100,000 hidden
 * files, which any writer of the folder can plant, held the daemon's loop
 * for minutes, past its watchdog. Returns the number of names in b. */
struct folder_batch {
	char name[SOURCE_FOLDER_BATCH][NAME_MAX + 1];
	unsigned order[SOURCE_FOLDER_BATCH]; /* indexes into name, in byte order */
};

static unsigned next_names(DIR *d, const char *last, struct folder_batch *b)
{
	struct dirent *e;
	unsigned n = 0;

	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		const char *nm = e->d_name;
		unsigned at, slot;

		if (nm[0] == '.' || strcmp(nm, "README.md") == 0)
			continue;
		/* readdir never gives a '/', but a name with one would leave
		 * the folder under openat: never take it. */
		if (strlen(nm) > NAME_MAX || strchr(nm, '/') || (last[0] && strcmp(nm, last) <= 0))
			continue;
		if (n == SOURCE_FOLDER_BATCH && strcmp(nm, b->name[b->order[n - 1]]) >= 0)
			continue;
		at = n;
		while (at > 0 && strcmp(nm, b->name[b->order[at - 1]]) < 0)
			at--;
		/* Full: the largest name's slot takes the new one. */
		slot = n < SOURCE_FOLDER_BATCH ? n++ : b->order[n - 1];
		memmove(&b->order[at + 1], &b->order[at], (n - 1 - at) * sizeof(b->order[0]));
		b->order[at] = slot;
		memcpy(b->name[slot], nm, strlen(nm) + 1);
	}
	return n;
}

/* Opens the folder of a folder source for reading its entries: every file
 * is then opened relative to this fd, so it must really be a folder. Its
 * own name must not be a symbolic link either (-ELOOP), nor may a link on
 * the way be one that a user other than root and digestd's could have
 * planted (file_walk, -EPERM, w->why saying which): whoever may replace
 * the folder could otherwise point it at a folder of secrets (the
 * credentials folder holding the signing key), whose regular files would
 * then be read like seeds and pushed in a digest. */
static DIR *open_folder(const char *dir, struct file_walk *w, int *rc)
{
	int fd = file_open_dir(dir, 0, w);
	DIR *d;

	*rc = fd;
	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		*rc = -errno;
		close(fd);
	}
	return d;
}

static int poll_folder(const struct cfg_source *src, unsigned idx, struct source_ctx *ctx,
		       char *buf)
{
	const char *dir = url_file_path(src->url) ? url_file_path(src->url) : src->url;
	size_t cap = ctx->body_cap < SOURCE_FILE_BYTES ? ctx->body_cap : SOURCE_FILE_BYTES;
	char last[NAME_MAX + 1] = "";
	char path[CFG_URL_BYTES + NAME_MAX + 2];
	static struct article_header h;
	static struct folder_batch b;
	int yielded = 0, rc;
	unsigned files = 0, scans = 0, nb = 0, k = 0;
	struct file_walk w;
	DIR *d = open_folder(dir, &w, &rc);

	if (!d && rc == -ELOOP && !w.why[0]) {
		log_warnx("source %s: %s: a symbolic link, not a folder; not read", src->name, dir);
		return -ENOTDIR;
	}
	if (!d && w.why[0]) {
		log_warnx("source %s: %s: %s", src->name, dir, w.why);
		return -EACCES;
	}
	if (!d) {
		log_warnx("source %s: %s: cannot read the folder: %s", src->name, dir,
			  strerror(-rc));
		return rc;
	}
	for (; files < SOURCE_MAX_FILES; files++, k++) {
		const char *name;

		if (k == nb) { /* the batch is done: the next names, if any */
			if (scans > 0 && nb < SOURCE_FOLDER_BATCH)
				break;
			nb = next_names(d, last, &b);
			scans++;
			k = 0;
			if (nb == 0)
				break;
		}
		name = b.name[b.order[k]];
		if (net_stopped(ctx->fetch.net)) {
			yielded = -EINTR;
			break;
		}
		struct source_article a;
		/* Regular files inside the folder only: a planted link to the
		 * signing key or the token would put it into a pushed digest. */
		long n = read_file(dirfd(d), name, O_NOFOLLOW, buf, cap);
		size_t off;
		int64_t t;

		memcpy(last, name, strlen(name) + 1);
		snprintf(path, sizeof(path), "%s/%s", dir, last);
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
		off = article_parse_header(buf, (size_t)n, &h);
		a.source = src->name;
		a.idx = idx;
		a.id = h.url[0] ? h.url : path;
		a.title = h.title[0] ? h.title : name;
		a.url = h.url;
		a.author = a.categories = "";
		a.over_backlog = 0;
		a.has_date = h.date[0] && date_parse(h.date, strlen(h.date), &t) == 0;
		a.date = a.has_date ? t : 0;
		a.lang = lang_of(src, h.lang);
		a.text = buf + off;
		a.text_len = (size_t)n - off;
		yielded++;
		if (ctx->fn(&a, ctx->arg) != 0)
			break;
	}
	closedir(d);
	/* The batch's names (up to 16 KiB) are needed only while a folder is
	 * read: given back, they do not count in the push's peak. */
	mem_release(&b, sizeof(b));
	log_debug("source %s: %u files from the folder in %u scans", src->name, files, scans);
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

static int64_t entry_key(const struct feed_entry *e)
{
	if (e->has_published)
		return e->published;
	return e->has_updated ? e->updated : INT64_MIN;
}

/* One feed being parsed (synchronously, in the callback of its transfer):
 * its poll and the two passes' counters. */
struct parse {
	struct source_ctx *ctx;
	struct source_poll *p;
	unsigned n;	/* entries seen in this pass */
	unsigned nrank, next;
};

static unsigned poll_index(const struct source_ctx *ctx, const struct source_poll *p)
{
	return (unsigned)(p - ctx->polls);
}

/* An entry's id for its key: its id, else its link, else its title. */
static const char *entry_id(const struct feed_entry *e)
{
	return e->id[0] ? e->id : e->link[0] ? e->link : e->title;
}

/* Pass 1: keep the newest max_items entries. On equal dates (and among
 * undated entries) the earlier one in the feed wins, feeds being listed
 * newest first by convention. */
static int rank_entry(const struct feed_entry *e, void *arg)
{
	struct parse *ps = arg;
	struct source_rank *rank = ps->ctx->rank;
	int64_t key = entry_key(e);
	unsigned idx = ps->n++, min = 0;
	int known = 0;

	/* A first poll asks which entries are known (mark_backlog). */
	if (ps->p->first && ps->ctx->known) {
		struct source_article a = { .url = e->link, .id = entry_id(e) };

		known = ps->ctx->known(&a, ps->ctx->arg) != 0;
	}

	if (ps->nrank < ps->p->src->max_items && ps->nrank < SOURCE_MAX_ITEMS) {
		rank[ps->nrank].key = key;
		rank[ps->nrank].over = 0;
		rank[ps->nrank].known = known;
		rank[ps->nrank++].idx = idx;
		return 0;
	}
	for (unsigned i = 1; i < ps->nrank; i++)
		if (rank[i].key < rank[min].key ||
		    (rank[i].key == rank[min].key && rank[i].idx > rank[min].idx))
			min = i;
	if (ps->nrank > 0 && key > rank[min].key) {
		rank[min].key = key;
		rank[min].known = known;
		rank[min].idx = idx;
	}
	return 0;
}

/* Newest first; on equal dates the earlier in the feed, as rank_entry. */
static int by_age(const void *a, const void *b)
{
	const struct source_rank *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* A first poll: the ranked entries past the newest `backlog` are over it,
 * but those newer than the newest entry already known are not: a feed
 * read before under another name or url (a source renamed, a feed moved)
 * or carrying an article another source brought has them new since, not
 * as an old backlog, and none is marked seen unread. Returns how many
 * were taken for being newer than a known one beyond `backlog`. */
static unsigned mark_backlog(struct source_rank *rank, unsigned n, unsigned backlog)
{
	unsigned f = 0;

	qsort(rank, n, sizeof(rank[0]), by_age);
	while (f < n && !rank[f].known)
		f++;
	if (f == n)
		f = 0;
	for (unsigned i = 0; i < n; i++)
		rank[i].over = i >= backlog && i >= f;
	return f > backlog ? f - backlog : 0;
}

static int by_idx(const void *a, const void *b)
{
	unsigned x = ((const struct source_rank *)a)->idx, y = ((const struct source_rank *)b)->idx;

	return x < y ? -1 : x > y;
}

/* Copies text (len bytes) into dst (size bytes, NUL-terminated), cut on a
 * UTF-8 character boundary when it does not fit. Returns the bytes kept. */
static size_t copy_cut(char *dst, size_t size, const char *text, size_t len)
{
	size_t n = len < size ? len : size - 1;

	if (n < len)
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	memcpy(dst, text, n);
	dst[n] = '\0';
	return n;
}

/* Queues a teaser's page as a job of ps's poll. Returns 0, or -ENOSPC when
 * the job table is full (the entry is left for the next poll). */
static int job_add(struct parse *ps, const struct source_article *a)
{
	struct source_ctx *ctx = ps->ctx;
	struct source_job *j = NULL;

	for (unsigned i = 0; i < SOURCE_MAX_JOBS && !j; i++)
		if (ctx->jobs[i].state == JOB_FREE)
			j = &ctx->jobs[i];
	if (!j)
		return -ENOSPC;
	/* Feed fields are no longer than the job's (the same limits). The
	 * id is the entry's, else its link (a teaser has one): kept as "". */
	copy_cut(j->link, sizeof(j->link), a->url, strlen(a->url));
	copy_cut(j->id, sizeof(j->id), a->id == a->url ? "" : a->id,
		 a->id == a->url ? 0 : strlen(a->id));
	copy_cut(j->title, sizeof(j->title), a->title, strlen(a->title));
	copy_cut(j->lang, sizeof(j->lang), a->lang, strlen(a->lang));
	copy_cut(j->author, sizeof(j->author), a->author, strlen(a->author));
	copy_cut(j->categories, sizeof(j->categories), a->categories, strlen(a->categories));
	j->teaser_len = copy_cut(j->teaser, sizeof(j->teaser), a->text, a->text_len);
	j->date = a->date;
	j->has_date = a->has_date;
	j->poll = poll_index(ctx, ps->p);
	j->seq = ctx->job_seq++;
	j->state = JOB_WAITING;
	ps->p->jobs++;
	return 0;
}

/* Pass 2: the chosen entries, in feed order: those with their text are
 * yielded now, teasers become page jobs. An entry the caller already knows
 * is yielded as it stands: its teaser's page is not fetched again on every
 * poll. */
static int yield_entry(const struct feed_entry *e, void *arg)
{
	struct parse *ps = arg;
	struct source_ctx *ctx = ps->ctx;
	struct source_poll *p = ps->p;
	unsigned idx = ps->n++;
	struct source_article a;
	const char *text = e->content[0] ? e->content : e->summary;

	if (ps->next >= ps->nrank)
		return 1;
	if (ctx->rank[ps->next].idx != idx)
		return 0;
	a.over_backlog = ctx->rank[ps->next++].over;
	p->over += a.over_backlog != 0;
	a.source = p->src->name;
	a.idx = p->idx;
	a.id = entry_id(e);
	a.title = e->title;
	a.url = e->link;
	a.author = e->author;
	a.categories = e->categories;
	a.has_date = e->has_published || e->has_updated;
	a.date = e->has_published ? e->published : e->has_updated ? e->updated : 0;
	a.lang = e->lang;
	a.text = text;
	a.text_len = strlen(text);
	if (!a.over_backlog && p->src->fetch_pages && url_is_http(e->link) && is_teaser(text) &&
	    !(ctx->known && ctx->known(&a, ctx->arg))) {
		if (job_add(ps, &a) < 0)
			p->left++;
		return 0;
	}
	a.lang = lang_of(p->src, e->lang);
	p->yielded++;
	if (ctx->fn(&a, ctx->arg) != 0) {
		p->ended = 1;
		return 1;
	}
	return 0;
}

/* Parses the feed in body twice (rank, then yield): two passes over the
 * capped buffer instead of a copy of every entry. Returns 0 or -EBADMSG. */
static int read_feed(struct source_ctx *ctx, struct source_poll *p, const char *body,
		     size_t len, const char *base, const char *ctype)
{
	struct parse ps = { .ctx = ctx, .p = p };
	int n;

	/* The first pass would repeat the second pass's warning about a broken
	 * feed: only the second one may speak. */
	n = feed_parse(body, len, base, ctype, FEED_QUIET, rank_entry, &ps);
	if (n < 0)
		return n;
	ctx->entries = ps.n;
	if (p->first)
		p->newer = mark_backlog(ctx->rank, ps.nrank, p->src->backlog);
	qsort(ctx->rank, ps.nrank, sizeof(ctx->rank[0]), by_idx);
	ps.n = 0;
	n = feed_parse(body, len, base, ctype, 0, yield_entry, &ps);
	return n < 0 ? n : 0;
}

/* Returns 0 for the page's article, -ENOTSUP for a UTF-16 page or -EBADMSG
 * when it has no text. */
static int read_page(struct source_ctx *ctx, struct source_poll *p, const char *body,
		     size_t len, const char *url, const char *ctype)
{
	struct source_article a;
	int64_t t;
	long n = html_extract(body, len, ctype, &page_meta, page_text, sizeof(page_text));

	if (n == -ENOTSUP)
		return -ENOTSUP;
	if (n <= 0)
		return -EBADMSG;
	ctx->entries = 1;
	a.source = p->src->name;
	a.idx = p->idx;
	a.id = p->src->url;
	a.title = page_meta.title;
	a.url = url;
	a.author = a.categories = "";
	a.over_backlog = 0;
	a.has_date = page_meta.date[0] && date_parse(page_meta.date, strlen(page_meta.date), &t) == 0;
	a.date = a.has_date ? t : 0;
	a.lang = lang_of(p->src, page_meta.lang);
	a.text = page_text;
	a.text_len = (size_t)n;
	p->yielded++;
	if (ctx->fn(&a, ctx->arg) != 0)
		p->ended = 1;
	return 0;
}

static int parse_body(struct source_ctx *ctx, struct source_poll *p, const char *body,
		      size_t len, const char *url, const char *ctype)
{
	if (p->src->type == CFG_SOURCE_PAGE)
		return read_page(ctx, p, body, len, url, ctype);
	return read_feed(ctx, p, body, len, url, ctype);
}

/* Logs why the body gave nothing (rc from parse_body), keeps the reason in
 * err (NET_REASON_BYTES) for the state file, and returns -EBADMSG, the
 * one code a poll reports for an unreadable response. */
static int log_parse_failure(const struct cfg_source *src, const char *raw, int rc, char *err)
{
	char url[NET_URL_BYTES];
	const char *why = rc == -ENOTSUP ? "the page is UTF-16, which digestd does not read"
			  : src->type == CFG_SOURCE_PAGE ? "no main text found in the page"
							 : "not a feed (no RSS, Atom or JSON Feed found)";

	url_redact(raw, url, sizeof(url));
	log_warnx("source %s: %s: %s", src->name, url, why);
	snprintf(err, NET_REASON_BYTES, "%s", why);
	return -EBADMSG;
}

/* A poll's outcome into p's state: the times, failures (and backoff),
 * the status and error, the items yielded. */
static void record_poll(struct source_poll *p, const struct cfg_http *http, int64_t now, int rc,
			int64_t retry_after, const char *err)
{
	srcstate_record(&p->st, http, now, rc >= 0, retry_after);
	srcstate_note(&p->st, p->status, rc >= 0 ? NULL : err);
	if (rc >= 0)
		p->st.items += p->yielded;
}

/* A folder's or file's poll into its state file (local sources back off
 * from nothing: no next_due). */
static void record_local(struct source_ctx *ctx, struct source_poll *p, int rc, int64_t now)
{
	const struct cfg *cfg = ctx->cfg;

	srcstate_load(ctx->state_fd, cfg->daemon.state_dir, p->src->name, NULL, p->src->url,
		      &p->st);
	record_poll(p, &cfg->http, now, rc, 0, p->err[0] ? p->err : strerror(-rc));
	p->st.next_due = 0;
}

/* Ends p: the state file (attempt, backoff, and the validators only when
 * nothing was cut short and every entry was yielded and taken; a folder or
 * file source its poll times, failures and items), one line for what was
 * left, then the caller's done, which says when it polls the source next
 * (ctx->next_poll, saved with the state). A stopped poll records nothing:
 * nothing was learnt about the source. */
static void poll_end(struct source_ctx *ctx, struct source_poll *p)
{
	const struct cfg *cfg = ctx->cfg;
	const struct cfg_source *src = p->src;
	int64_t now = now_utc(), nb = 0;
	int rc = p->rc >= 0 ? (int)p->yielded : p->rc, record = 0;

	if (p->cut)
		log_info("source %s: poll stopped at poll_timeout (%u s); %u entries left for the "
			 "next poll", src->name, cfg->http.poll_timeout, p->cut);
	if (p->left)
		log_info("source %s: %u teasers left for the next poll: every page job slot (%u) "
			 "is taken", src->name, p->left, SOURCE_MAX_JOBS);
	if (p->over || p->newer)
		log_info("source %s: first poll: the newest %u entries taken, %u older ones marked "
			 "seen ([source] backlog = %u%s)", src->name, p->yielded - p->over, p->over,
			 src->backlog, p->newer ? ", and every entry newer than one seen before" : "");
	if (p->stopped) {
		rc = -EINTR;
	} else if (p->http && !net_stopped(ctx->fetch.net) && !ctx->dry_run) {
		/* A digest may have told this source's problem while the poll
		 * ran (feed health): the mark on disk wins over the copy loaded
		 * at the start. */
		if (rc < 0 && p->st.failures) {
			struct srcstate disk;

			srcstate_load(ctx->state_fd, cfg->daemon.state_dir, src->name, NULL, src->url,
				      &disk);
			if (disk.problem_since == p->st.problem_since)
				p->st.problem_reported |= disk.problem_reported;
		}
		record_poll(p, &cfg->http, now, rc, p->retry_after, p->err);
		if (rc >= 0 && !p->ended && !p->cut && !p->left && !ctx->keep_validators)
			p->st.v = p->v;
		nb = srcstate_not_before(&p->st, &cfg->http, now);
		record = 1;
	} else if (!p->http && !ctx->dry_run && ctx->state_fd >= 0) {
		record_local(ctx, p, rc, now);
		record = 1;
	}
	ctx->not_before = nb;
	ctx->last_rc = rc;
	ctx->last_failures = p->http ? p->st.failures : 0;
	/* Unless the caller schedules it anew, the next poll stays as the
	 * file had it. */
	ctx->next_poll = p->st.next_poll;
	if (ctx->done)
		ctx->done(ctx->arg, p->idx, rc, nb);
	if (record) {
		p->st.next_poll = ctx->next_poll;
		if (srcstate_save(ctx->state_fd, cfg->daemon.state_dir, src->name, NULL,
				  &p->st) < 0)
			ctx->save_failures++;
	}
	p->busy = 0;
}

/* Frees j; p's last job ending ends p. */
static void job_end(struct source_ctx *ctx, struct source_job *j)
{
	struct source_poll *p = &ctx->polls[j->poll];

	j->state = JOB_FREE;
	if (--p->jobs == 0)
		poll_end(ctx, p);
}

/* p stops taking articles: its jobs not started are dropped. */
static void drop_waiting(struct source_ctx *ctx, struct source_poll *p)
{
	unsigned pi = poll_index(ctx, p);

	for (unsigned i = 0; i < SOURCE_MAX_JOBS && p->jobs; i++)
		if (ctx->jobs[i].state == JOB_WAITING && ctx->jobs[i].poll == pi)
			job_end(ctx, &ctx->jobs[i]);
}

/* A page job's answer: the page's main text when it is longer than the
 * teaser, else the teaser (one warning saying why). */
static void job_yield(struct source_ctx *ctx, struct source_poll *p, const struct source_job *j,
		      const char *buf, const struct fetch_response *resp)
{
	const char *name = p->src->name;
	char lu[NET_URL_BYTES];
	struct source_article a = { .source = name, .idx = p->idx,
				    .id = j->id[0] ? j->id : j->link, .title = j->title,
				    .url = j->link, .author = j->author,
				    .categories = j->categories, .date = j->date, .has_date = j->has_date,
				    .lang = lang_of(p->src, j->lang), .text = j->teaser,
				    .text_len = j->teaser_len };

	url_redact(j->link, lu, sizeof(lu));
	if (resp->net.err < 0 || resp->kind != FETCH_KIND_OK) {
		log_warnx("source %s: %s: page not fetched, keeping the feed's text: %s", name, lu,
			  resp->net.reason);
	} else {
		long n = html_extract(buf, resp->net.len, resp->net.content_type, &page_meta,
				      page_text, sizeof(page_text));

		if (n == -ENOTSUP)
			log_warnx("source %s: %s: the page is UTF-16, which digestd does not read; "
				  "keeping the feed's text", name, lu);
		else if (n <= 0)
			log_warnx("source %s: %s: no main text in the page, keeping the feed's "
				  "text", name, lu);
		else if ((size_t)n > a.text_len) {
			a.text = page_text;
			a.text_len = (size_t)n;
			if (!j->lang[0])
				a.lang = lang_of(p->src, page_meta.lang);
		}
	}
	p->yielded++;
	if (ctx->fn(&a, ctx->arg) != 0) {
		p->ended = 1;
		drop_waiting(ctx, p);
	}
}

/* net's callback for a teaser's page. */
static void on_page(void *arg, struct fetch_request *fr)
{
	struct source_xfer *x = arg;
	struct source_ctx *ctx = x->ctx;
	struct source_poll *p = &ctx->polls[x->poll];
	struct source_job *j = &ctx->jobs[x->job];

	if (fr->resp.kind == FETCH_KIND_STOPPED)
		p->stopped = 1;
	else if (fr->resp.kind == FETCH_KIND_DEADLINE)
		p->cut++; /* not taken with its teaser: the next poll asks again */
	else if (!p->ended && !p->stopped)
		job_yield(ctx, p, j, x->buf, &fr->resp);
	give_back(ctx, x);
	job_end(ctx, j);
}

/* net's callback for a poll's feed or page: parsed at once, its buffer then
 * given back; the poll ends here unless page jobs are left. */
static void on_feed(void *arg, struct fetch_request *fr)
{
	struct source_xfer *x = arg;
	struct source_ctx *ctx = x->ctx;
	struct source_poll *p = &ctx->polls[x->poll];
	const struct fetch_response *resp = &fr->resp;
	const char *name = p->src->name;
	char lu[NET_URL_BYTES];
	int rc = resp->net.err;

	p->scope.own = 0; /* the page jobs are links, not the source's own request */
	p->reserved = 0;  /* its jobs are made now */
	url_redact(p->src->url, lu, sizeof(lu));
	p->retry_after = resp->retry_after;
	p->status = resp->net.status;
	if (resp->kind == FETCH_KIND_STOPPED) {
		p->stopped = 1;
	} else if (rc == 0 && resp->kind == FETCH_KIND_NOT_MODIFIED) {
		log_debug("source %s: %s: not modified", name, lu);
		p->v = resp->validators.etag[0] || resp->validators.last_modified[0]
			       ? resp->validators
			       : p->st.v;
	} else {
		if (rc == 0 && resp->kind != FETCH_KIND_OK)
			rc = -EIO;
		if (rc == 0) {
			p->v = resp->validators;
			rc = parse_body(ctx, p, x->buf, resp->net.len, resp->net.effective_url,
					resp->net.content_type);
			if (rc < 0)
				rc = log_parse_failure(p->src, p->src->url, rc, p->err);
		} else {
			log_warnx("source %s: %s: %s", name, lu, resp->net.reason);
			snprintf(p->err, sizeof(p->err), "%s", resp->net.reason);
		}
		p->rc = rc;
	}
	give_back(ctx, x);
	if (p->ended)
		drop_waiting(ctx, p);
	if (p->jobs == 0)
		poll_end(ctx, p);
}

/* The page jobs a poll of src may make: its teasers, at most max_items. */
static unsigned job_need(const struct cfg_source *src)
{
	if (src->type != CFG_SOURCE_FEED || !src->fetch_pages)
		return 0;
	return src->max_items < SOURCE_MAX_JOBS ? src->max_items : SOURCE_MAX_JOBS;
}

/* Whether need job slots are free beyond those held for the feeds in
 * flight: a poll starts only when every teaser its feed may hold finds a
 * job (unless it may hold more than the whole table), so that teasers are
 * left for the next poll only from a feed with more than SOURCE_MAX_JOBS. */
static int jobs_room(const struct source_ctx *ctx, unsigned need)
{
	unsigned free = 0, held = 0;

	for (unsigned i = 0; i < SOURCE_MAX_JOBS; i++)
		free += ctx->jobs[i].state == JOB_FREE;
	for (unsigned i = 0; i < SOURCE_MAX_POLLS; i++)
		if (ctx->polls[i].busy)
			held += ctx->polls[i].reserved;
	return free >= held + need;
}

static struct source_xfer *free_xfer(struct source_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->nxfer; i++)
		if (!ctx->xfer[i].busy)
			return &ctx->xfer[i];
	return NULL;
}

/* Starts job j on transfer x. Returns -EBUSY when net has no slot (j waits
 * on), else 0 (started, or ended at once when its URL cannot be asked). */
static int job_start(struct source_ctx *ctx, struct source_job *j, struct source_xfer *x)
{
	struct source_poll *p = &ctx->polls[j->poll];
	int rc;

	x->ctx = ctx;
	x->poll = j->poll;
	x->job = (int)(j - ctx->jobs);
	rc = fetch_submit(&ctx->fetch, j->link, NULL, &p->scope, p->deadline_ms, x->buf,
			  ctx->page_cap, &x->fr, on_page, x);
	if (rc == -EBUSY)
		return rc;
	if (rc < 0) {
		job_yield(ctx, p, j, x->buf, &x->fr.resp);
		job_end(ctx, j);
		return 0;
	}
	x->busy = 1;
	j->state = JOB_RUNNING;
	return 0;
}

void source_pump(struct source_ctx *ctx)
{
	for (;;) {
		int64_t now = net_now_ms();
		struct source_job *next = NULL;
		struct source_xfer *x;

		for (unsigned i = 0; i < SOURCE_MAX_JOBS; i++) {
			struct source_job *j = &ctx->jobs[i];

			if (j->state != JOB_WAITING)
				continue;
			if (now >= ctx->polls[j->poll].deadline_ms) {
				ctx->polls[j->poll].cut++;
				job_end(ctx, j);
				continue;
			}
			/* A job for a host with its NET_PER_HOST requests out waits
			 * without a transfer: one slow host's pages must not take
			 * every transfer while other polls' pages wait. */
			if ((!next || j->seq < next->seq) && !net_host_full(ctx->fetch.net, j->link))
				next = j;
		}
		x = next ? free_xfer(ctx) : NULL;
		if (!x || job_start(ctx, next, x) == -EBUSY)
			return;
	}
}

int source_timeout(const struct source_ctx *ctx)
{
	int64_t due = INT64_MAX, now = net_now_ms();

	for (unsigned i = 0; i < SOURCE_MAX_JOBS; i++)
		if (ctx->jobs[i].state == JOB_WAITING &&
		    ctx->polls[ctx->jobs[i].poll].deadline_ms < due)
			due = ctx->polls[ctx->jobs[i].poll].deadline_ms;
	if (due == INT64_MAX)
		return -1;
	if (due <= now)
		return 0;
	return due - now > INT_MAX ? INT_MAX : (int)(due - now);
}

unsigned source_busy(const struct source_ctx *ctx)
{
	unsigned k = 0;

	for (unsigned i = 0; i < SOURCE_MAX_POLLS; i++)
		k += ctx->polls[i].busy != 0;
	return k;
}

void source_cancel(struct source_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->nxfer; i++)
		if (ctx->xfer[i].busy)
			(void)net_cancel(ctx->fetch.net, &ctx->xfer[i].fr.resp.net);
	for (unsigned i = 0; i < SOURCE_MAX_JOBS; i++)
		if (ctx->jobs[i].state == JOB_WAITING) {
			ctx->polls[ctx->jobs[i].poll].stopped = 1;
			job_end(ctx, &ctx->jobs[i]);
		}
}

/* The state of src for its poll: srcstate_load's, or for filter-test
 * (dry_run), which changes nothing, srcstate_peek's, a file that cannot be
 * used said and read as none (the daemon sets it aside). Returns 1 when it
 * was kept for another url (srcstate_for_url). */
static int poll_state(const struct source_ctx *ctx, const struct cfg_source *src,
		      struct srcstate *st)
{
	if (!ctx->dry_run)
		return srcstate_load(ctx->state_fd, ctx->cfg->daemon.state_dir, src->name, NULL,
				     src->url, st);
	return srcstate_peek(ctx->state_fd, ctx->cfg->daemon.state_dir, src->name, src->url, st);
}

/* A feed or page from a local file: no HTTP, no state; read at once. Not
 * through a symbolic link or a hard link, as in a folder, nor through a link
 * on the way that another user could have planted (file_walk): whoever may
 * replace the file could otherwise make it the signing key, whose text a
 * page source would put into a digest. */
static int poll_file(struct source_ctx *ctx, struct source_poll *p, const char *path,
		     char *buf)
{
	char lu[NET_URL_BYTES];
	struct file_walk w;
	int dfd = file_walk(path, 0, &w), rc;
	long n = dfd < 0 ? dfd : read_file(dfd, w.name, O_NOFOLLOW, buf, ctx->body_cap);

	if (dfd >= 0)
		close(dfd);
	if (n < 0 && w.why[0]) {
		/* The state file keeps what fits of it; the log has it whole. */
		snprintf(p->err, sizeof(p->err), "%.*s", (int)sizeof(p->err) - 1, w.why);
		log_warnx("source %s: %s: %s", p->src->name, url_redact(p->src->url, lu, sizeof(lu)),
			  w.why);
		return -EACCES;
	}
	if (n == -ELOOP || n == -EMLINK) {
		snprintf(p->err, sizeof(p->err), "%s; not read",
			 n == -ELOOP ? "a symbolic link" : "a file with more than one name (hard link)");
		log_warnx("source %s: %s: %s", p->src->name, url_redact(p->src->url, lu, sizeof(lu)),
			  p->err);
		return (int)n;
	}
	if (n < 0) {
		errno = n == -ENOTSUP ? EISDIR : n == -EFBIG ? EFBIG : (int)-n;
		log_warn("source %s: %s", p->src->name, url_redact(p->src->url, lu, sizeof(lu)));
		return (int)n;
	}
	rc = parse_body(ctx, p, buf, (size_t)n, p->src->url, NULL);
	if (rc < 0)
		rc = log_parse_failure(p->src, p->src->url, rc, p->err);
	return rc;
}

int source_start(struct source_ctx *ctx, unsigned idx, int64_t *not_before)
{
	const struct cfg *cfg = ctx->cfg;
	const struct cfg_source *src = &cfg->sources[idx];
	struct source_poll *p = NULL;
	struct source_xfer *x = free_xfer(ctx);
	int64_t now = now_utc(), nb;
	int rc;

	*not_before = 0;
	for (unsigned i = 0; i < SOURCE_MAX_POLLS && !p; i++)
		if (!ctx->polls[i].busy)
			p = &ctx->polls[i];
	if (!p || !x || !jobs_room(ctx, job_need(src)))
		return -EBUSY;
	if (url_is_http(src->url) && net_host_full(ctx->fetch.net, src->url))
		return -EALREADY;
	memset(p, 0, sizeof(*p));
	p->reserved = job_need(src);
	p->idx = idx;
	p->src = src;
	p->deadline_ms = net_now_ms() + (int64_t)cfg->http.poll_timeout * 1000;
	net_scope_init(&p->scope, src->url, src->allow_private);
	x->ctx = ctx;
	x->poll = poll_index(ctx, p);
	x->job = -1;
	if (src->type == CFG_SOURCE_FOLDER || !url_is_http(src->url)) {
		const char *path = url_file_path(src->url);

		p->busy = x->busy = 1;
		if (src->type == CFG_SOURCE_FOLDER) {
			rc = poll_folder(src, idx, ctx, x->buf);
			p->yielded = rc > 0 ? (unsigned)rc : 0;
		} else {
			rc = poll_file(ctx, p, path ? path : src->url, x->buf);
		}
		p->rc = rc;
		p->stopped = rc == -EINTR;
		p->reserved = 0;
		give_back(ctx, x);
		if (p->ended)
			drop_waiting(ctx, p);
		if (p->jobs == 0)
			poll_end(ctx, p);
		return 0;
	}
	if (ctx->state_fd < 0)
		srcstate_init(&p->st);
	else if (poll_state(ctx, src, &p->st))
		log_info("source %s: its url changed: polled as a new source (the other feed's "
			 "validators, backoff and failures dropped)", src->name);
	p->first = p->st.last_success == 0;
	nb = ctx->dry_run ? 0 : srcstate_not_before(&p->st, &cfg->http, now);
	if (nb > now) {
		*not_before = ctx->not_before = nb;
		log_debug("source %s: backing off for %lld s more", src->name, (long long)(nb - now));
		return -EAGAIN;
	}
	p->http = 1;
	p->scope.own = 1;
	rc = fetch_submit(&ctx->fetch, src->url,
			  ctx->keep_validators || ctx->dry_run ? NULL : &p->st.v, &p->scope,
			  p->deadline_ms, x->buf, ctx->body_cap, &x->fr, on_feed, x);
	if (rc == -EBUSY)
		return rc;
	p->busy = 1;
	if (rc < 0) { /* not reached: the URL is http(s) */
		log_warnx("source %s: %s", src->name, x->fr.resp.net.reason);
		p->rc = rc;
		poll_end(ctx, p);
		return 0;
	}
	x->busy = 1;
	return 0;
}

int source_poll(const struct cfg *cfg, const struct cfg_source *src, struct source_ctx *ctx,
		source_article_fn fn, source_known_fn known, void *arg)
{
	int64_t nb;
	int rc;

	ctx->cfg = cfg;
	ctx->not_before = 0;
	ctx->entries = 0;
	source_ctx_bind(ctx, fn, known, NULL, arg);
	rc = source_start(ctx, (unsigned)(src - cfg->sources), &nb);
	if (rc < 0)
		return rc;
	while (source_busy(ctx)) {
		net_step(ctx->fetch.net);
		source_pump(ctx);
	}
	return ctx->last_rc;
}

int64_t source_not_before(const struct cfg *cfg, const struct source_ctx *ctx,
			  const struct cfg_source *src, int64_t now)
{
	struct srcstate st;

	if (!url_is_http(src->url))
		return 0;
	srcstate_load(ctx->state_fd, cfg->daemon.state_dir, src->name, NULL, src->url, &st);
	return srcstate_not_before(&st, &cfg->http, now);
}

int source_note_next_poll(const struct source_ctx *ctx, unsigned idx, int64_t next_poll)
{
	const struct cfg *cfg = ctx->cfg;
	const struct cfg_source *src = &cfg->sources[idx];
	struct srcstate st;

	if (ctx->dry_run || ctx->state_fd < 0)
		return 0;
	srcstate_load(ctx->state_fd, cfg->daemon.state_dir, src->name, NULL, src->url, &st);
	if (st.next_poll == next_poll)
		return 0;
	st.next_poll = next_poll;
	return srcstate_save(ctx->state_fd, cfg->daemon.state_dir, src->name, NULL, &st);
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
		srcstate_load(ctx->state_fd, cfg->daemon.state_dir, src->name, NULL, src->url,
			      &st);
		if (!st.v.etag[0] && !st.v.last_modified[0])
			continue;
		memset(&st.v, 0, sizeof(st.v));
		rc = srcstate_save(ctx->state_fd, cfg->daemon.state_dir, src->name, NULL, &st);
		if (rc < 0 && first == 0)
			first = rc;
	}
	return first;
}
