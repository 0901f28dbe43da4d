/* SPDX-License-Identifier: MIT */
/* `digestd run`: starts the modules in a fixed order, runs the poll() loop
 * (sources -> summaries -> pending list -> digest -> outbox -> push) and stops
 * them in reverse. Signal handlers only raise flags; fatal only at start-up. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "core/cfg.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/notify.h"
#include "core/statedir.h"
#include "digest/digest.h"
#include "digest/pending.h"
#include "digest/seen.h"
#include "net/net.h"
#include "outbox/outbox.h"
#include "push/push.h"
#include "sources/source.h"
#include "summarise/lang.h"
#include "summarise/summ.h"

#define NEVER INT64_MAX

static const char usage[] = "usage: digestd run [--config PATH] [--once]\n";

/* Raised by the handlers; read and cleared by the loop only. The self-pipe
 * wakes poll(); stop is also handed to net (src/net) so that a transfer in
 * flight is abandoned. */
static volatile sig_atomic_t sig_stop, sig_hup, sig_usr1;
static int sig_pipe[2] = { -1, -1 };

struct counters {
	unsigned long polls, poll_failures, articles, summarised, known;
	unsigned long digests, delivered, push_failures, dead;
};

/* Everything the loop owns. The big parts are static: nothing is allocated
 * after start-up by our code. Two configs, push clients and source contexts
 * (which hold the HTTP client for feeds and pages), so that a reload is built
 * beside the running one and swapped in only when whole. */
static struct cfg cfgs[2];
static struct push_client pushes[2];
static struct source_ctx sources[2];
static struct seen seen;
static struct outbox outbox;
static struct outbox_entry entry;
static struct digest dg;
static struct summ summ;
static char body[DIGEST_BODY_BYTES];
static struct pending pend;

static struct {
	const char *path;
	bool once;
	unsigned cur; /* index of the running config, push client and sources */
	struct cfg *cfg;
	struct net *net;     /* the HTTP boundary, shared by sources and push */
	int state_fd;        /* the state folder, checked once (statedir_open) */
	int lock_fd;         /* its lock, held until exit */
	bool pend_full;      /* an article did not fit: sources wait for a digest */
	bool pend_dirty;     /* the pending list in memory is not the one on disk */
	bool inflight_written; /* pend.inflight's digest reached the outbox */
	bool outbox_full;    /* said once per episode */
	int64_t source_due[CFG_MAX_SOURCES]; /* monotonic ms */
	int64_t digest_due;  /* monotonic ms (interval schedules) */
	int64_t digest_wall; /* Unix seconds (times-of-day schedules) */
	int64_t last_digest; /* Unix seconds of the last composed digest, or -1 */
	int64_t compose_retry; /* monotonic ms, after a failed outbox write */
	int64_t outbox_due;  /* Unix seconds of the earliest push due, NEVER */
	int64_t watchdog_due, watchdog_ms;
	unsigned ob_count;
	uint64_t ob_bytes;
	bool left_over;      /* --once: something stays for a later run */
	struct counters n;
	char status[192];
} R;

static void on_signal(int signo)
{
	int saved = errno;
	ssize_t w;

	if (signo == SIGHUP)
		sig_hup = 1;
	else if (signo == SIGUSR1)
		sig_usr1 = 1;
	else
		sig_stop = 1;
	w = write(sig_pipe[1], "", 1);
	(void)w; /* a full pipe already holds a wake-up */
	errno = saved;
}

static int signals_init(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };

	if (pipe(sig_pipe) < 0)
		return -errno;
	for (int i = 0; i < 2; i++)
		if (fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK) < 0 ||
		    fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC) < 0)
			return -errno;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -errno;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Pings the systemd watchdog when half its period has passed. Called from
 * the loop and between long steps (each source, each push). */
static void watchdog_kick(void)
{
	int64_t now;

	if (!R.watchdog_ms)
		return;
	now = mono_ms();
	if (now < R.watchdog_due)
		return;
	notify_watchdog();
	R.watchdog_due = now + R.watchdog_ms / 2;
}

/* ---- the digest schedule ---- */

/* The first of the schedule's local times of day strictly after now. */
static int64_t next_time_of_day(const struct cfg_schedule *s, time_t now)
{
	int64_t best = NEVER;

	for (int day = 0; day <= 1; day++) {
		for (unsigned i = 0; i < s->n_times; i++) {
			struct tm tm;
			time_t t;

			localtime_r(&now, &tm);
			tm.tm_mday += day;
			tm.tm_hour = s->times[i] / 60;
			tm.tm_min = s->times[i] % 60;
			tm.tm_sec = 0;
			tm.tm_isdst = -1;
			t = mktime(&tm);
			if (t != (time_t)-1 && t > now)
				best = min64(best, (int64_t)t);
		}
	}
	return best;
}

/* The time of the last composed digest is kept in the state folder so that
 * an interval schedule survives restarts: a board that reboots more often
 * than its interval would otherwise never compose. Losing it only restarts
 * the schedule, so a file that cannot be read or saved is said and skipped. */
static int64_t last_digest_load(void)
{
	const char *dir = R.cfg->daemon.state_dir;
	char buf[32], *end;
	size_t got = 0;
	long long t;
	int fd = file_open_read(R.state_fd, "last-digest");

	if (fd < 0) {
		if (fd != -ENOENT)
			log_warnx("%s/last-digest: %s; the digest schedule starts afresh", dir,
				  file_strerror(fd));
		return -1;
	}
	if (file_read_full(fd, buf, sizeof(buf) - 1, &got) < 0)
		got = 0;
	close(fd);
	buf[got] = '\0';
	errno = 0;
	t = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || t < 0) {
		log_warnx("%s/last-digest: not a time; the digest schedule starts afresh", dir);
		return -1;
	}
	return (int64_t)t;
}

static void last_digest_save(int64_t t)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld\n", (long long)t);
	int rc;

	R.last_digest = t;
	rc = file_replace_at(R.state_fd, "last-digest", "last-digest.tmp", buf, (size_t)n, NULL, 0);
	if (rc < 0)
		log_warnx("%s/last-digest: cannot save: %s (the schedule still holds until a restart)",
			  R.cfg->daemon.state_dir, strerror(-rc));
}

static void schedule_next_digest(void)
{
	const struct cfg_schedule *s = &R.cfg->digest.schedule;
	int64_t wait = s->interval, since;

	if (s->n_times) {
		R.digest_wall = next_time_of_day(s, time(NULL));
		R.digest_due = NEVER;
		return;
	}
	/* Counted from the last digest, even one composed before a restart. */
	if (R.last_digest >= 0) {
		since = (int64_t)time(NULL) - R.last_digest;
		if (since >= 0)
			wait = since >= wait ? 0 : wait - since;
	}
	R.digest_wall = NEVER;
	R.digest_due = mono_ms() + wait * 1000;
}

static bool digest_is_due(void)
{
	return mono_ms() >= R.digest_due || time(NULL) >= R.digest_wall;
}

/* ---- the pending list ---- */

/* Saves the pending list. A failure is remembered: until a save succeeds no
 * source is polled (a feed would record validators covering articles that
 * are only in memory) and --once does not report success. */
static int pend_save(void)
{
	int rc = pending_save(&pend, R.state_fd, R.cfg->daemon.state_dir);

	R.pend_dirty = rc < 0;
	return rc;
}

/* ---- sources ---- */

/* The summariser's input for an article: a seed-format header line with the
 * title (weighed as `digestd summarize` weighs a seed file's) and the text. */
static void summarise(const struct source_article *a, enum lang lang, struct summ_result *res)
{
	struct summ_opts o = { .count = R.cfg->digest.sentences, .lang = lang, .method = SUMM_RANK };
	static const char title[] = "Title: ";

	summ_begin(&summ, &o);
	summ_feed(&summ, title, sizeof(title) - 1);
	summ_feed(&summ, a->title, strcspn(a->title, "\r\n"));
	summ_feed(&summ, "\n\n", 2);
	summ_feed(&summ, a->text, a->text_len);
	summ_end(&summ, res);
}

struct poll_arg {
	const struct cfg_source *src;
	unsigned taken;
};

/* source_poll's callback: one article. Returns nonzero to stop the poll
 * (the pending list is full, or digestd is stopping). */
static int on_article(const struct source_article *a, void *arg)
{
	struct poll_arg *pa = arg;
	const struct cfg_source *src = pa->src;
	unsigned char key[SEEN_KEY_BYTES];
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article art;
	struct summ_result res;
	enum lang lang = LANG_UND;

	watchdog_kick();
	if (sig_stop)
		return 1;
	R.n.articles++;
	if (seen_key(a->url, a->id, key) < 0) {
		log_warnx("source %s: an article with neither URL nor id skipped", src->name);
		return 0;
	}
	if (seen_contains(&seen, key) || pending_has(&pend, key)) {
		R.n.known++;
		return 0;
	}
	/* a->lang is the source's language unless that is auto; a code the
	 * summariser does not know leaves detection on (LANG_UND). */
	if (a->lang[0] && lang_parse(a->lang, strlen(a->lang), &lang) < 0)
		lang = LANG_UND;
	summarise(a, lang, &res);
	art.source = src->name;
	art.title = a->title;
	art.url = a->url;
	art.lang = res.lang != LANG_UND ? lang_code(res.lang) : a->lang;
	art.published = a->date;
	art.has_published = a->has_date != 0;
	for (unsigned i = 0; i < res.n_picks; i++) {
		spans[i].p = (const char *)summ_text(&summ) + res.picks[i].offset;
		spans[i].len = res.picks[i].length;
	}
	art.sentences = spans;
	art.n_sentences = res.n_picks;
	if (pending_add(&pend, key, &art) < 0) {
		if (!R.pend_full)
			log_warnx("%u articles wait for the next digest (the most it holds): "
				  "sources pause until it goes out", pend.n);
		R.pend_full = true;
		return 1;
	}
	R.n.summarised++;
	pa->taken++;
	/* Saved before the source hears back: a feed records its validators at
	 * the end of the poll, and would answer 304 for this article after a
	 * crash. A small file (header, records, the text in use). When it cannot
	 * be saved the poll ends here, so that the feed keeps its old validators
	 * and offers the article again. */
	if (pend_save() < 0) {
		log_warnx("source %s: poll cut short: the articles taken cannot be saved", src->name);
		return 1;
	}
	return 0;
}

/* source_poll's question before it fetches a teaser's page: is the article
 * digested or waiting already? Then the page is not fetched again. */
static int article_known(const struct source_article *a, void *arg)
{
	unsigned char key[SEEN_KEY_BYTES];

	(void)arg;
	return seen_key(a->url, a->id, key) == 0 &&
	       (seen_contains(&seen, key) || pending_has(&pend, key));
}

static void poll_source(unsigned i)
{
	const struct cfg_source *src = &R.cfg->sources[i];
	struct poll_arg pa = { .src = src, .taken = 0 };

	struct source_ctx *ctx = &sources[R.cur];
	int64_t due;
	int rc;

	notify_status("polling %s", src->name);
	R.n.polls++;
	rc = source_poll(R.cfg, src, ctx, on_article, article_known, &pa);
	if (rc == -EAGAIN)
		log_debug("source %s: backing off", src->name);
	else if (rc < 0 && rc != -EINTR)
		R.n.poll_failures++;
	if (pa.taken)
		log_info("source %s: %u new articles", src->name, pa.taken);
	due = mono_ms() + (int64_t)src->interval * 1000;
	if (ctx->not_before)
		due = mono_ms() + (ctx->not_before * 1000 - wall_ms());
	R.source_due[i] = due;
}

static void poll_due_sources(bool all)
{
	for (unsigned i = 0; i < R.cfg->n_sources && !sig_stop && !R.pend_full; i++) {
		if (!all && mono_ms() < R.source_due[i])
			continue;
		/* Articles only in memory: saved first, or no poll (retried later). */
		if (R.pend_dirty && pend_save() < 0) {
			int64_t later = mono_ms() + (int64_t)R.cfg->endpoint.retry_base * 1000;

			log_warnx("sources not polled: the articles waiting cannot be saved");
			for (unsigned j = 0; j < R.cfg->n_sources; j++)
				R.source_due[j] = R.source_due[j] > later ? R.source_due[j] : later;
			return;
		}
		poll_source(i);
		watchdog_kick();
	}
}

/* ---- the outbox ---- */

static void outbox_refresh(void)
{
	if (outbox_count(&outbox, &R.ob_count) < 0 || outbox_bytes(&outbox, &R.ob_bytes) < 0)
		log_warnx("outbox: cannot count its entries");
}

/* One pass over the outbox, oldest first. In the daemon only entries whose
 * time has come are tried; with `every`, each entry once (--once). The pass
 * stops at the first push to retry: the endpoint is then unlikely to take the
 * next one either. `after` (may be NULL) names where to start and receives
 * the last entry tried. Returns true when a push is to be retried. */
static bool push_pass(bool every, char *after)
{
	char name[OUTBOX_NAME_BYTES], from[OUTBOX_NAME_BYTES] = "";
	struct push_client *pc = &pushes[R.cur];
	int64_t due = NEVER;
	bool retry = false;
	int rc;

	if (after)
		snprintf(from, sizeof(from), "%s", after);
	while (!sig_stop) {
		struct push_result res;
		int64_t now = time(NULL);

		rc = outbox_next(&outbox, from, name);
		if (rc == -ENOENT)
			break;
		if (rc < 0) {
			due = now + R.cfg->endpoint.retry_base;
			retry = true;
			break;
		}
		snprintf(from, sizeof(from), "%s", name);
		rc = outbox_read(&outbox, name, &entry);
		if (rc == -ENOENT || rc == -EBADMSG)
			continue;
		if (rc < 0) {
			due = min64(due, now + R.cfg->endpoint.retry_base);
			continue;
		}
		if (!every && entry.next_attempt > now) {
			due = min64(due, entry.next_attempt);
			continue;
		}
		notify_status("pushing %s", entry.id);
		rc = push_attempt(pc, &entry, now, &res);
		watchdog_kick();
		if (rc < 0) {
			R.n.dead++;
			outbox_dead_letter(&outbox, name, res.message, NULL, 0);
			continue;
		}
		switch (res.outcome) {
		case PUSH_DELIVERED:
			R.n.delivered++;
			outbox_remove(&outbox, name);
			break;
		case PUSH_RETRY:
			R.n.push_failures++;
			if (outbox_update_attempt(&outbox, &entry, entry.attempts + 1, res.retry_at) < 0)
				res.retry_at = now + R.cfg->endpoint.retry_base;
			due = min64(due, res.retry_at);
			retry = true;
			break;
		case PUSH_DEAD:
			R.n.dead++;
			outbox_dead_letter(&outbox, name, res.message, res.answer, res.answer_len);
			break;
		case PUSH_STOPPED:
			break;
		}
		if (retry || res.outcome == PUSH_STOPPED)
			break;
	}
	if (after)
		snprintf(after, OUTBOX_NAME_BYTES, "%s", from);
	R.outbox_due = due;
	outbox_refresh();
	if (R.outbox_full && R.ob_bytes < R.cfg->digest.outbox_max) {
		log_info("outbox below its cap again (%llu bytes): composing resumes",
			 (unsigned long long)R.ob_bytes);
		R.outbox_full = false;
	}
	return retry;
}

static int in_seen(const unsigned char key[SEEN_KEY_BYTES], void *arg)
{
	return seen_contains(arg, key);
}

/* ---- composing ---- */

/* A digest's articles move into the seen-set in two phases (docs/daemon.md):
 * the pending list names the digest (pend.inflight articles, inflight_id)
 * before it is written to the outbox; once it is there, settle() puts its
 * articles into the seen-set and only then takes them off the list. A save
 * failing at any step leaves the marker, and nothing new is composed until
 * the step is done: no article is lost, and none goes into a second digest
 * (a digest composed again has the same articles, hence the same id). */
static int settle(void)
{
	int rc;

	R.inflight_written = false;
	if (!pend.inflight)
		return 0; /* an empty digest (send_empty) has nothing to settle */
	R.inflight_written = true;
	for (unsigned i = 0; i < pend.inflight; i++)
		seen_add(&seen, pend.item[i].key);
	rc = seen_commit(&seen);
	if (rc < 0) {
		log_warnx("digest %s: its %u articles stay listed until the seen-set is saved; "
			  "nothing new is composed before", pend.inflight_id, pend.inflight);
		return rc;
	}
	R.inflight_written = false;
	pending_shift(&pend, pend.inflight);
	/* Failing here repeats nothing: the seen-set holds the articles, and
	 * start-up drops them from an old list. The list is saved again before
	 * the next poll, and --once says 75 meanwhile. */
	pend_save();
	return 0;
}

/* Adds the first articles of the pending list (at most limit) to a digest
 * with this id; returns how many went in. */
static unsigned fill(const char *id, int64_t created, const char *host, unsigned limit)
{
	struct digest_article art;
	struct digest_span spans[SUMM_MAX_PICK];
	unsigned k = 0;

	digest_begin(&dg, id, created, host, R.cfg->digest.max_articles);
	for (; k < limit; k++) {
		pending_get(&pend, k, &art, spans);
		if (digest_add(&dg, &art) < 0)
			break;
	}
	return k;
}

/* The articles waiting when digestd last stopped. A digest being written
 * then is settled if it reached the outbox (or its articles are seen
 * already), and composed again from the same articles if not; articles
 * already seen are dropped. A damaged list is set aside after the feeds'
 * validators are dropped, so that their next polls offer every article
 * again. Returns 0, or a negative errno after logging when the list cannot
 * be trusted (start-up then stops: saving over it would lose it). */
static int pending_restore(void)
{
	const char *dir = R.cfg->daemon.state_dir;
	char name[OUTBOX_NAME_BYTES];
	unsigned dropped = 0;
	int rc;

	rc = pending_load(&pend, R.state_fd, dir);
	if (rc == -EBADMSG) {
		rc = source_forget_validators(R.cfg, &sources[R.cur]);
		if (rc < 0) {
			log_errx("%s/pending: damaged, and the feeds' validators cannot be dropped "
				 "to fetch its articles again; trying again later", dir);
			return -EAGAIN;
		}
		log_warnx("%s/pending: damaged; every feed is fetched in full at its next poll", dir);
		rc = pending_set_aside(R.state_fd, dir);
		if (rc < 0)
			return -EAGAIN;
	} else if (rc < 0) {
		return rc;
	}
	if (pend.inflight) {
		bool seen_all = true;

		for (unsigned i = 0; i < pend.inflight; i++)
			seen_all = seen_all && seen_contains(&seen, pend.item[i].key);
		if (seen_all || outbox_find(&outbox, pend.inflight_id, name) == 0) {
			R.inflight_written = true;
			if (settle() == 0)
				log_info("digest %s reached the outbox before the stop: its %u articles "
					 "are done", pend.inflight_id, pend.inflight);
		} else {
			log_info("digest %s was being written at the stop: composed again from its "
				 "%u articles, under the same id", pend.inflight_id, pend.inflight);
		}
	}
	/* Only with no digest in flight: its articles must stay first. */
	if (!pend.inflight)
		dropped = pending_drop_if(&pend, in_seen, &seen);
	if (dropped)
		pend_save();
	if (pend.n)
		log_info("%u articles from before the restart wait for the next digest", pend.n);
	return 0;
}

/* Composes one digest from the pending list, writes it to the outbox and
 * only then marks its articles seen (settle). An unsettled digest goes
 * first: if it reached the outbox only the seen-set is retried, else it is
 * composed again from the same articles. Returns 0 (also when there was
 * nothing to send), -EBUSY while the outbox is at outbox_max (composing
 * waits for pushes to make room), or a save's negative errno (-ENOSPC for a
 * full disk); the articles then stay pending. */
static int compose(void)
{
	const struct cfg_digest *dc = &R.cfg->digest;
	static const char placeholder[] = "dg_00000000000000000000000000000000";
	const unsigned char *keys[DIGEST_MAX_ARTICLES];
	char id[DIGEST_ID_BYTES], host[DIGEST_HOST_BYTES] = "localhost";
	char name[OUTBOX_NAME_BYTES];
	int64_t created = time(NULL);
	unsigned k, limit;
	bool again = false;
	size_t len;
	int rc;

	if (pend.inflight && R.inflight_written)
		return settle();
	if (pend.n == 0 && !dc->send_empty)
		return 0;
	if (R.ob_bytes >= dc->outbox_max) {
		if (!R.outbox_full)
			log_warnx("outbox full (%llu bytes, outbox_max %llu): composing paused, "
				  "%u articles wait", (unsigned long long)R.ob_bytes,
				  (unsigned long long)dc->outbox_max, pend.n);
		R.outbox_full = true;
		return -EBUSY;
	}
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	/* Which articles fit decides the id, and the id's length how much fits:
	 * a placeholder of the content id's length finds them, then the digest
	 * is made again under its id. */
	_Static_assert(sizeof(placeholder) == sizeof("dg_") + 32, "a content id's length");
	limit = pend.inflight ? pend.inflight : pend.n;
	k = fill(placeholder, created, host, limit);
	/* Cannot happen within the limits (64 sentences of at most 1 KiB fit an
	 * empty digest), but an article that never fits must not block the rest. */
	if (k == 0 && pend.n > 0) {
		struct digest_article art;
		struct digest_span spans[SUMM_MAX_PICK];

		pending_get(&pend, 0, &art, spans);
		log_warnx("digest: an article from %s does not fit any digest; dropped", art.source);
		pending_shift(&pend, 1);
		return pend_save();
	}
	if (k) {
		for (unsigned i = 0; i < k; i++)
			keys[i] = pend.item[i].key;
		rc = digest_content_id(host, keys, k, id, sizeof(id));
	} else {
		rc = digest_new_id(created, id, sizeof(id));
	}
	if (rc < 0) {
		log_warnx("digest: no id: %s", strerror(-rc));
		return rc;
	}
	if (pend.inflight) {
		again = true;
		if (strcmp(id, pend.inflight_id) != 0)
			log_warnx("digest %s: its %u articles no longer fit one digest; composed "
				  "again as %s", pend.inflight_id, pend.inflight, id);
	}
	fill(id, created, host, k);
	rc = digest_render(&dg, (enum cfg_format)dc->format, body, sizeof(body), &len);
	if (rc < 0) {
		log_warnx("digest %s: cannot render: %s", id, strerror(-rc));
		return rc;
	}
	/* Phase one: the list names the digest before it is written, so that
	 * start-up can tell whether its articles went into the outbox. */
	pend.inflight = k;
	memcpy(pend.inflight_id, id, sizeof(pend.inflight_id));
	if (k && pend_save() < 0) {
		log_warnx("digest %s not composed (%u articles wait): the article list cannot be "
			  "saved", id, pend.n);
		return -EIO;
	}
	rc = outbox_add(&outbox, id, created, (enum cfg_format)dc->format, body, len, name);
	if (rc == -EEXIST) {
		log_info("digest %s is in the outbox already as %s", id, name);
	} else if (rc < 0) {
		log_warnx("digest %s not composed (%u articles wait): outbox: %s", id, pend.n,
			  strerror(-rc));
		return rc;
	} else {
		R.n.digests++;
		R.ob_count++;
		R.ob_bytes += len;
		log_info("digest %s %s: %u articles, %zu bytes%s", id,
			 again ? "composed again" : "composed", k, len,
			 pend.n > k ? " (more wait for the next one)" : "");
	}
	R.outbox_due = 0;
	R.inflight_written = true;
	return settle();
}

/* ---- status ---- */

static void next_wakeup_text(char *out, size_t size, int64_t ms)
{
	if (ms == NEVER)
		snprintf(out, size, "none");
	else
		snprintf(out, size, "in %llds", (long long)((ms + 999) / 1000));
}

static int64_t next_wakeup_ms(void);

static void log_status(void)
{
	char next[32];

	next_wakeup_text(next, sizeof(next), next_wakeup_ms());
	log_info("status: %u sources, %u articles waiting, outbox %u digests (%llu bytes), "
		 "next wake-up %s; since start: %lu polls (%lu failed), %lu articles offered "
		 "(%lu new, %lu known), %lu digests composed, %lu delivered, %lu push failures, "
		 "%lu dead letters",
		 R.cfg->n_sources, pend.n, R.ob_count, (unsigned long long)R.ob_bytes, next,
		 R.n.polls, R.n.poll_failures, R.n.articles, R.n.summarised, R.n.known, R.n.digests,
		 R.n.delivered, R.n.push_failures, R.n.dead);
}

static void idle_status(void)
{
	char s[sizeof(R.status)];

	snprintf(s, sizeof(s), "idle: %u articles waiting, %u digests in the outbox%s%s",
		 pend.n, R.ob_count, R.outbox_full ? " (full)" : "",
		 R.pend_full ? ", sources paused" : "");
	if (strcmp(s, R.status) != 0) {
		memcpy(R.status, s, sizeof(s));
		notify_status("%s", s);
	}
}

/* ---- start, reload, stop ---- */

/* The same checks as check-config (CFG_RUN), so that both say the same. */
static int load_config(const char *path, struct cfg *c)
{
	struct cfg_error err;
	int rc = cfg_load(path, CFG_RUN, c, &err);

	if (rc < 0)
		cfg_log_errors(&err);
	return rc;
}

/* Sources kept across a reload keep their time; new ones (and all at start)
 * are due now, or when an earlier run's backoff ends. */
static void sources_reschedule(const struct cfg *old, const int64_t *old_due)
{
	int64_t now = mono_ms(), wall = time(NULL);

	for (unsigned i = 0; i < R.cfg->n_sources; i++) {
		int64_t nb = source_not_before(R.cfg, &sources[R.cur], &R.cfg->sources[i], wall);

		R.source_due[i] = nb > wall ? now + (nb - wall) * 1000 : now;
		for (unsigned j = 0; old && j < old->n_sources; j++)
			if (strcmp(old->sources[j].name, R.cfg->sources[i].name) == 0)
				R.source_due[i] = old_due[j];
	}
}

static void reload(void)
{
	unsigned next = !R.cur;
	struct cfg *nc = &cfgs[next];
	int64_t old_due[CFG_MAX_SOURCES];
	struct cfg *old = R.cfg;

	notify_reloading();
	log_info("reloading %s", R.path);
	if (load_config(R.path, nc) < 0) {
		log_warnx("reload failed: still running on the previous configuration");
		goto out;
	}
	if (strcmp(nc->daemon.state_dir, old->daemon.state_dir) != 0) {
		log_warnx("reload: state_dir changes only on restart; still using %s",
			  old->daemon.state_dir);
		memcpy(nc->daemon.state_dir, old->daemon.state_dir, sizeof(nc->daemon.state_dir));
	}
	if (push_init(&pushes[next], nc, R.net) < 0) {
		log_warnx("reload failed: still running on the previous configuration");
		goto out;
	}
	if (source_ctx_init(&sources[next], nc, R.net) < 0) {
		push_free(&pushes[next]);
		log_warnx("reload failed: out of memory; still running on the previous configuration");
		goto out;
	}
	sources[next].state_fd = R.state_fd;
	push_free(&pushes[R.cur]);
	source_ctx_free(&sources[R.cur]);
	memcpy(old_due, R.source_due, sizeof(old_due));
	R.cur = next;
	R.cfg = nc;
	net_configure(R.net, nc);
	log_set_level(nc->daemon.log_level);
	sources_reschedule(old, old_due);
	if (memcmp(&old->digest.schedule, &nc->digest.schedule, sizeof(nc->digest.schedule)) != 0)
		schedule_next_digest();
	/* A new capacity rereads the set: only from a committed file. */
	if (old->digest.seen_capacity != nc->digest.seen_capacity && seen_commit(&seen) == 0)
		seen_open(&seen, R.state_fd, nc->daemon.state_dir, nc->digest.seen_capacity);
	R.outbox_due = 0;
	log_info("reloaded %s: %u sources", R.path, nc->n_sources);
out:
	notify_ready();
}

static int64_t next_wakeup_ms(void)
{
	int64_t now = mono_ms(), t = R.watchdog_ms ? R.watchdog_due : NEVER;

	if (!R.pend_full)
		for (unsigned i = 0; i < R.cfg->n_sources; i++)
			t = min64(t, R.source_due[i]);
	if (R.compose_retry != NEVER) {
		t = min64(t, R.compose_retry);
	} else if (!R.outbox_full) {
		t = min64(t, R.digest_due);
		if (R.digest_wall != NEVER)
			t = min64(t, now + (R.digest_wall * 1000 - wall_ms()));
	}
	if (R.outbox_due != NEVER)
		t = min64(t, now + (R.outbox_due * 1000 - wall_ms()));
	return t == NEVER ? NEVER : (t > now ? t - now : 0);
}

static void handle_signals(void)
{
	if (sig_hup && !sig_stop) {
		sig_hup = 0;
		reload();
	}
	if (sig_usr1) {
		sig_usr1 = 0;
		log_status();
	}
}

static void loop(void)
{
	struct pollfd pfd = { .fd = sig_pipe[0], .events = POLLIN };

	while (!sig_stop) {
		int64_t wait;

		handle_signals();
		if (sig_stop)
			break;
		if (R.outbox_due != NEVER && time(NULL) >= R.outbox_due)
			push_pass(false, NULL);
		if (!R.pend_full)
			poll_due_sources(false);
		/* After a failed outbox write the retry time replaces the schedule. */
		if (!sig_stop && (R.compose_retry == NEVER ? digest_is_due()
							   : mono_ms() >= R.compose_retry)) {
			int rc = compose();

			R.compose_retry = NEVER;
			if (rc == 0) {
				last_digest_save(time(NULL));
				schedule_next_digest();
			}
			else if (rc != -EBUSY)
				R.compose_retry = mono_ms() + (int64_t)R.cfg->endpoint.retry_base * 1000;
			if (R.outbox_due == 0)
				continue;
		}
		/* A full outbox whose entries cannot be read has no push time:
		 * look again later rather than never. */
		if (R.outbox_full && R.outbox_due == NEVER)
			R.outbox_due = time(NULL) + R.cfg->endpoint.retry_base;
		watchdog_kick();
		idle_status();
		wait = next_wakeup_ms();
		if (poll(&pfd, 1, wait == NEVER ? -1 : (int)min64(wait, INT_MAX)) < 0 && errno != EINTR)
			log_warn("poll");
		/* Drained only when written to: an idle wake-up costs no read. */
		if (pfd.revents & POLLIN) {
			char buf[64];

			while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
				;
		}
	}
}

/* --once: the outbox as it is, every source once, one digest, then the new
 * entry; true when something is left to retry. */
static bool run_once(void)
{
	char after[OUTBOX_NAME_BYTES] = "";
	bool retry;

	retry = push_pass(true, after);
	if (!sig_stop)
		poll_due_sources(true);
	if (!sig_stop && compose() < 0)
		R.left_over = true;
	if (!sig_stop && !retry)
		push_pass(true, after);
	/* A list or a seen-set not saved is something left for a later run. */
	if (R.pend_dirty)
		pend_save();
	outbox_refresh();
	return R.left_over || R.pend_dirty || seen.dirty || pend.n > 0 || R.ob_count > 0 ||
	       sig_stop;
}

static int parse_args(int argc, char **argv)
{
	R.path = RUN_DEFAULT_CONFIG;
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) && i + 1 < argc) {
			R.path = argv[++i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			R.path = argv[i] + 9;
		} else if (!strcmp(argv[i], "--once")) {
			R.once = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 1;
		} else {
			log_errx("run: unexpected argument '%s'", argv[i]);
			fputs(usage, stderr);
			return -EINVAL;
		}
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	const char *dir;
	int rc, status = EX_SOFTWARE;
	bool push_up = false, sources_up = false, outbox_up = false;

	rc = parse_args(argc, argv);
	if (rc)
		return rc > 0 ? 0 : EX_USAGE;
	/* Start: config, log, state directory, seen-set, outbox, sources. */
	R.cfg = &cfgs[0];
	rc = load_config(R.path, R.cfg);
	if (rc < 0)
		return rc == -EINVAL ? EX_CONFIG : EX_NOINPUT;
	log_init(R.cfg->daemon.log_level, 0);
	dir = R.cfg->daemon.state_dir;
	R.lock_fd = -1;
	R.state_fd = statedir_open(dir);
	if (R.state_fd < 0)
		return EX_CANTCREAT;
	/* Before anything in the folder is read or swept: a second instance
	 * would compose and push the same articles. It is told to try later. */
	R.lock_fd = statedir_lock(R.state_fd, dir);
	if (R.lock_fd < 0) {
		status = R.lock_fd == -EBUSY ? EX_TEMPFAIL : EX_CANTCREAT;
		goto out;
	}
	if (signals_init() < 0) {
		log_warn("signals");
		goto out;
	}
	if (net_open(&R.net, R.cfg, &sig_stop) < 0) {
		log_errx("libcurl cannot start");
		goto out;
	}
	if (push_init(&pushes[0], R.cfg, R.net) < 0) {
		status = EX_CONFIG;
		goto out;
	}
	push_up = true;
	rc = seen_open(&seen, R.state_fd, dir, R.cfg->digest.seen_capacity);
	if (rc == -EINVAL) {
		status = EX_CONFIG;
		goto out;
	}
	/* A set that could not be read (said by seen_open) would be saved
	 * over: refused. */
	if (rc < 0 && rc != -EBADMSG) {
		status = EX_CANTCREAT;
		goto out;
	}
	rc = outbox_open(&outbox, R.state_fd, dir);
	if (rc < 0) {
		/* A full disk passes; a refused folder needs a person. */
		status = rc == -ENOSPC || rc == -EDQUOT || rc == -EIO ? EX_TEMPFAIL : EX_CANTCREAT;
		goto out;
	}
	outbox_up = true;
	outbox_refresh();
	if (source_ctx_init(&sources[0], R.cfg, R.net) < 0) {
		log_errx("sources cannot start: out of memory");
		goto out;
	}
	sources[0].state_fd = R.state_fd;
	sources_up = true;
	rc = pending_restore();
	if (rc < 0) {
		status = rc == -EAGAIN ? EX_TEMPFAIL : EX_CANTCREAT;
		goto out;
	}
	R.watchdog_ms = (int64_t)(notify_watchdog_usec() / 1000);
	R.watchdog_due = mono_ms();
	R.compose_retry = NEVER;
	R.outbox_due = 0;
	sources_reschedule(NULL, NULL);
	R.last_digest = last_digest_load();
	schedule_next_digest();
	log_info("digestd started: %s, %u sources, state in %s, %u digests in the outbox%s", R.path,
		 R.cfg->n_sources, R.cfg->daemon.state_dir, R.ob_count, R.once ? " (one cycle)" : "");
	notify_ready();
	watchdog_kick();

	if (R.once) {
		bool left = run_once();

		/* A refusal needs someone to look (dead/): it must not pass for
		 * success, nor for "run again later", which would not help. */
		status = R.n.dead ? EX_UNAVAILABLE : left ? EX_TEMPFAIL : 0;
		log_info("one cycle done: %lu new articles, %lu digests composed, %lu delivered, "
			 "%u left in the outbox%s", R.n.summarised, R.n.digests, R.n.delivered,
			 R.ob_count, status == EX_TEMPFAIL ? " (exit 75: run again later)" : "");
		if (status == EX_UNAVAILABLE)
			log_warnx("exit 69: %lu digest%s refused, moved to dead/ in %s", R.n.dead,
				  R.n.dead == 1 ? "" : "s", R.cfg->daemon.state_dir);
	} else {
		loop();
		status = 0;
	}
	notify_stopping();
	log_info("stopping%s", sig_stop ? " on a signal" : "");
out:
	/* Stop in reverse order. */
	if (sources_up)
		source_ctx_free(&sources[R.cur]);
	if (outbox_up)
		outbox_close(&outbox);
	if (seen.dirty)
		seen_commit(&seen);
	if (push_up)
		push_free(&pushes[R.cur]);
	net_close(R.net);
	for (int i = 0; i < 2; i++)
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
	if (R.lock_fd >= 0)
		close(R.lock_fd);
	close(R.state_fd);
	return status;
}
