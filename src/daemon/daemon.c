/* SPDX-License-Identifier: MIT */
/* The daemon on its struct daemon: start in a fixed order and stop in
 * reverse, the poll() loop (sources -> pipeline -> outbox -> push), reload
 * and signals. Signal handlers only raise flags; fatal only at start-up. */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "core/dec.h"
#include "core/file.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/notify.h"
#include "core/statedir.h"
#include "daemon/metrics.h"
#include "daemon/pipeline.h"
#include "daemon/schedule.h"
#include "digest/stories.h"

#define NEVER SCHEDULE_NEVER

/* The only file-scope state: what the asynchronous signal handler touches.
 * Raised by the handler, read and cleared by the loop; the self-pipe's write
 * end wakes poll(). sig_stop is also handed to fetch and push (d->stop) so
 * that a transfer in flight is abandoned. */
static volatile sig_atomic_t sig_stop, sig_hup, sig_usr1;
static int sig_wake = -1;

/* What daemon_start started, for daemon_stop (bits of d->up). */
enum {
	UP_NET = 1u << 0,
	UP_PUSH = 1u << 1,
	UP_SEEN = 1u << 2,
	UP_OUTBOX = 1u << 3,
	UP_SOURCES = 1u << 4,
	UP_RULES = 1u << 5,
};

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
	w = write(sig_wake, "", 1);
	(void)w; /* a full pipe already holds a wake-up */
	errno = saved;
}

static int signals_init(struct daemon *d)
{
	struct sigaction sa;
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };

	if (pipe(d->wake) < 0)
		return -errno;
	for (int i = 0; i < 2; i++)
		if (fcntl(d->wake[i], F_SETFL, O_NONBLOCK) < 0 ||
		    fcntl(d->wake[i], F_SETFD, FD_CLOEXEC) < 0)
			return -errno;
	sig_stop = sig_hup = sig_usr1 = 0;
	sig_wake = d->wake[1];
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

void daemon_watchdog(struct daemon *d)
{
	int64_t now;

	if (!d->watchdog_ms)
		return;
	now = net_now_ms();
	if (now < d->watchdog_due_ms)
		return;
	notify_watchdog();
	d->watchdog_due_ms = now + d->watchdog_ms / 2;
}

/* ---- the digest schedule ---- */

/* The time of the last composed digest is kept in the state folder so that
 * an interval schedule survives restarts: a board that reboots more often
 * than its interval would otherwise never compose. Losing it only restarts
 * the schedule, so a file that cannot be read or saved is said and skipped.
 * The next digest's time is kept beside it for `digestd status` alone. */
static int64_t time_file_read(int state_fd, const char *dir, const char *name,
			      const char *consequence)
{
	char buf[32];
	size_t got = 0;
	int64_t t;
	int fd = file_open_read(state_fd, name);

	if (fd < 0) {
		if (fd != -ENOENT)
			log_warnx("%s/%s: %s; %s", dir, name, file_strerror(fd), consequence);
		return -1;
	}
	if (file_read_full(fd, buf, sizeof(buf) - 1, &got) < 0)
		got = 0;
	close(fd);
	if (got > 0 && buf[got - 1] == '\n')
		got--;
	if (dec_parse_i64(buf, got, 0, INT64_MAX, &t) < 0) {
		log_warnx("%s/%s: not a time; %s", dir, name, consequence);
		return -1;
	}
	return t;
}

int64_t daemon_last_digest(int state_fd, const char *dir)
{
	return time_file_read(state_fd, dir, "last-digest", "the digest schedule starts afresh");
}

int64_t daemon_next_digest(int state_fd, const char *dir)
{
	return time_file_read(state_fd, dir, "next-digest", "the next digest is not known");
}

/* Saves t into the state folder's file name (a time file), saying what a
 * failure means. Returns 0 or a negative errno. */
static int time_file_save(struct daemon *d, const char *name, int64_t t, const char *consequence)
{
	char buf[32], tmp[32];
	int n = snprintf(buf, sizeof(buf), "%lld\n", (long long)t);
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	rc = file_replace_at(d->state_fd, name, tmp, buf, (size_t)n, NULL, 0);
	if (rc < 0)
		log_warnx("%s/%s: cannot save: %s (%s)", d->cfg->daemon.state_dir, name,
			  strerror(-rc), consequence);
	return rc;
}

/* A failed save is said and counted, like every state file's. */
static void last_digest_save(struct daemon *d, int64_t t)
{
	d->last_digest = t;
	if (time_file_save(d, "last-digest", t, "the schedule still holds until a restart") < 0)
		d->n.state_saves++;
}

/* An interval is watched on the monotonic clock (a clock step does not move
 * it), times of day on the wall clock. The time is recorded for `digestd
 * status` (not with --once: it schedules nothing); a failed save is said
 * and counted. */
static void next_digest_save(struct daemon *d, int64_t next)
{
	if (!d->once && time_file_save(d, "next-digest", next, "digestd status will not show it") < 0)
		d->n.state_saves++;
}

static void schedule_digest(struct daemon *d)
{
	const struct cfg_schedule *s = &d->cfg->digest.schedule;
	int64_t now = time(NULL), next = schedule_next_digest(s, d->last_digest, now);

	d->digest_sched_ms = net_now_ms();
	if (s->n_times) {
		d->digest_wall = next;
		d->digest_due_ms = NEVER;
	} else {
		d->digest_wall = NEVER;
		d->digest_due_ms = d->digest_sched_ms + (next - now) * 1000;
	}
	next_digest_save(d, next);
}

/* The wall clock stepped (seen at the first wake-up after it: the loop
 * sleeps on the monotonic clock). What waits on the monotonic clock (an
 * interval schedule, sources, retries of a compose) keeps its time. What
 * waits for a wall-clock time is looked at again: the outbox entries'
 * retry times at once (pipeline_push_step tries one now whose time is
 * further ahead than any retry sets), rather than when the old clock would
 * have reached them; and the next time of day, found again from the
 * instant the digest was scheduled, read on the new clock: one the board
 * lived through meanwhile is composed now (the clock was slow, or set back
 * after the digest's time had come), one it did not is not (a board booted
 * at its build date and set right hours after a time of day), and none
 * waits for a time that is now years away. next-digest follows, for
 * `digestd status`. The story window's delivery times move with the step
 * ([digest] repeat_after counts real time). */
static void clock_check(struct daemon *d)
{
	const struct cfg_schedule *s = &d->cfg->digest.schedule;
	int64_t mono = net_now_ms(), wall = wall_ms();
	int64_t step = schedule_clock_step(&d->clock, mono, wall);
	int64_t by = ((step > 0 ? step : -step) + 500) / 1000;

	if (step == 0)
		return;
	log_info("the wall clock stepped %s by %lld s: digest and retry times looked at again",
		 step > 0 ? "forward" : "back", (long long)by);
	pipeline_clock_step(d, step > 0 ? by : -by);
	/* A pass under way saw the retry times on the old clock too. */
	d->outbox_due = 0;
	d->push.due = 0;
	if (s->n_times) {
		/* Rounded up: a digest composed at its time was scheduled
		 * after it, and is not composed again. */
		int64_t then = (wall - (mono - d->digest_sched_ms) + 999) / 1000;

		d->digest_wall = schedule_next_digest(s, d->last_digest, then);
		next_digest_save(d, d->digest_wall);
	} else {
		next_digest_save(d, (wall + d->digest_due_ms - mono + 999) / 1000);
	}
}

/* A time of day is held against the wall clock as clock_check last saw it,
 * moved on by the monotonic clock: a step after that look (NTP setting the
 * clock while a poll is under way) is clock_check's to see first, not taken
 * for hours gone by, which would compose a digest off its schedule. */
static bool digest_is_due(const struct daemon *d)
{
	int64_t mono = net_now_ms();

	return mono >= d->digest_due_ms || (mono + d->clock.offset_ms) / 1000 >= d->digest_wall;
}

/* ---- sources ---- */

/* A poll's callback: one article. Nonzero ends the poll (the pending list
 * is full or cannot be saved, or digestd is stopping). */
static int on_article(const struct source_article *a, void *arg)
{
	struct daemon *d = arg;
	unsigned long before = d->n.summarised, dropped = d->n.dropped;
	int rc;

	daemon_watchdog(d);
	if (*d->stop)
		return 1;
	if (a->idx < CFG_MAX_SOURCES)
		d->src_n[a->idx].items++;
	rc = pipeline_article(d, a->source, a);
	if (d->n.summarised > before && a->idx < CFG_MAX_SOURCES)
		d->poll_n[a->idx].added++;
	if (d->n.dropped > dropped && a->idx < CFG_MAX_SOURCES)
		d->poll_n[a->idx].dropped++;
	return rc < 0;
}

/* A poll's question before it fetches a teaser's page. */
static int article_known(const struct source_article *a, void *arg)
{
	return pipeline_known(arg, a);
}

/* When source i is due, as a wall-clock second rounded up (status shows
 * it), or 0 when it is not (--once). */
static int64_t due_wall(const struct daemon *d, unsigned i)
{
	if (d->source_due_ms[i] == NEVER)
		return 0;
	return (wall_ms() + (d->source_due_ms[i] - net_now_ms()) + 999) / 1000;
}

/* A poll ended. One cancelled (a reload) is made again at once; with
 * --once, every source is polled once. */
static void on_polled(void *arg, unsigned idx, int rc, int64_t not_before)
{
	struct daemon *d = arg;
	const struct cfg_source *src = &d->cfg->sources[idx];

	unsigned fails = d->sources[d->cur].last_failures;

	d->metrics_due = true;
	if (rc == -EAGAIN) {
		log_debug("source %s: backing off", src->name);
	} else if (rc != -EINTR) {
		d->src_n[idx].consecutive = fails;
		if (rc < 0) {
			d->n.poll_failures++;
			d->src_n[idx].failures++;
		}
		/* Feed health: said once, as the count is reached. */
		if (rc < 0 && fails == d->cfg->daemon.problem_after)
			log_warnx("source %s: %u polls in a row failed; listed under \"sources with "
				  "problems\" in the next digest", src->name, fails);
	}
	if (d->poll_n[idx].added)
		log_info("source %s: %u new articles", src->name, d->poll_n[idx].added);
	if (d->poll_n[idx].dropped)
		log_info("source %s: %u new articles dropped by keep/drop rules", src->name,
			 d->poll_n[idx].dropped);
	d->poll_n[idx].added = d->poll_n[idx].dropped = 0;
	/* Articles dropped or over a first poll's backlog were only marked
	 * seen (pipeline_article): kept now, so that they are not judged again
	 * after a restart. A failure is logged there and retried by the next
	 * commit; meanwhile they would only be judged again. */
	if (d->seen.dirty)
		(void)seen_commit(&d->seen);
	if (d->once)
		d->source_due_ms[idx] = NEVER;
	else if (rc == -EINTR)
		d->source_due_ms[idx] = net_now_ms();
	else
		d->source_due_ms[idx] = schedule_source_due(src->interval, not_before, net_now_ms(),
							    wall_ms());
	/* Recorded in its state file for `digestd status`: the poll's end
	 * saves it. */
	d->sources[d->cur].next_poll = due_wall(d, idx);
}

/* Records when source i is due in its state file, for a schedule made
 * without a poll's end (a source backing off); a failure is said by
 * srcstate_save and counted. */
static void note_due(struct daemon *d, unsigned i)
{
	if (source_note_next_poll(&d->sources[d->cur], i, due_wall(d, i)) < 0)
		d->n.state_saves++;
}

/* Starts the polls that are due, in the order of the config, as long as
 * poll and transfer slots are free (d->sources_blocked when one was not);
 * one whose host has its NET_PER_HOST requests out waits, and the next go on. */
static void start_sources(struct daemon *d)
{
	struct source_ctx *ctx = &d->sources[d->cur];

	d->sources_blocked = false;
	for (unsigned i = 0; i < d->cfg->n_sources && !*d->stop && !d->pend_full; i++) {
		int64_t due = d->source_due_ms[i], nb;
		int rc;

		if (due == NEVER || net_now_ms() < due)
			continue;
		/* Articles only in memory: saved first, or no poll (retried later). */
		if (d->pend_dirty && pipeline_save(d) < 0) {
			int64_t later = net_now_ms() + (int64_t)pipeline_retry_s(d) * 1000;

			log_warnx("sources not polled: the articles waiting cannot be saved");
			/* --once leaves them for a later run (exit 75). */
			for (unsigned j = 0; j < d->cfg->n_sources; j++)
				if (d->once)
					d->source_due_ms[j] = NEVER;
				else if (d->source_due_ms[j] < later)
					d->source_due_ms[j] = later;
			return;
		}
		d->source_due_ms[i] = NEVER; /* in flight; on_polled sets the next */
		d->poll_n[i].added = 0;
		rc = source_start(ctx, i, &nb);
		if (rc == -EBUSY || rc == -EALREADY) {
			d->source_due_ms[i] = due;
			d->sources_blocked = true;
			/* A busy host holds back its own sources only. */
			if (rc == -EALREADY)
				continue;
			return;
		}
		d->n.polls++;
		d->src_n[i].polls++;
		if (rc != -EAGAIN)
			continue;
		/* Still backing off: scheduled without a poll's end. */
		on_polled(d, i, rc, nb);
		note_due(d, i);
	}
}

/* Sources of this --once cycle not polled yet, or in flight. */
static bool sources_left(const struct daemon *d)
{
	if (source_busy(&d->sources[d->cur]))
		return true;
	for (unsigned i = 0; i < d->cfg->n_sources && !d->pend_full; i++)
		if (d->source_due_ms[i] != NEVER)
			return true;
	return false;
}

/* The per-source counters follow their source's name across a reload; a
 * new source starts at 0. */
static void counters_remap(struct daemon *d, const struct cfg *old)
{
	/* A reload's scratch, 32 KiB. */
	static struct daemon_source_counters prev[CFG_MAX_SOURCES];

	/* mem_copy, mem_zero: the rows past the sources in use stay unmapped. */
	mem_copy(prev, d->src_n, sizeof(prev));
	mem_zero(d->src_n, sizeof(d->src_n));
	for (unsigned i = 0; i < d->cfg->n_sources; i++)
		for (unsigned j = 0; j < old->n_sources; j++)
			if (strcmp(old->sources[j].name, d->cfg->sources[i].name) == 0) {
				d->src_n[i] = prev[j];
			}
}

/* An entry delivered but not removed (daemon_push.taken) stays known by
 * its endpoint's name across a reload: it is never sent again. */
static void taken_remap(struct daemon *d, const struct cfg *old)
{
	char prev[CFG_MAX_ENDPOINTS][OUTBOX_NAME_BYTES];

	memcpy(prev, d->push.taken, sizeof(prev));
	memset(d->push.taken, 0, sizeof(d->push.taken));
	for (unsigned i = 0; i < d->cfg->n_endpoints; i++)
		for (unsigned j = 0; j < old->n_endpoints; j++)
			if (strcmp(old->endpoints[j].name, d->cfg->endpoints[i].name) == 0)
				memcpy(d->push.taken[i], prev[j], sizeof(prev[j]));
}

/* Sources kept across a reload (the same name and url) keep their time;
 * new ones (and all at start) are due now, or when an earlier run's
 * backoff ends: one whose url changed is a new source (srcstate_for_url),
 * the other feed's backoff not waited for. */
static void sources_reschedule(struct daemon *d, const struct cfg *old, const int64_t *old_due)
{
	int64_t now = net_now_ms(), wall = wall_ms();

	for (unsigned i = 0; i < d->cfg->n_sources; i++) {
		int64_t nb = source_not_before(d->cfg, &d->sources[d->cur], &d->cfg->sources[i],
					       wall / 1000);

		d->source_due_ms[i] = schedule_source_due(0, nb, now, wall);
		for (unsigned j = 0; old && j < old->n_sources; j++)
			if (strcmp(old->sources[j].name, d->cfg->sources[i].name) == 0 &&
			    strcmp(old->sources[j].url, d->cfg->sources[i].url) == 0)
				d->source_due_ms[i] = old_due[j];
		/* One due later (backing off) has its time recorded now; one due
		 * now, at its poll's end in a moment. */
		if (!d->once && d->source_due_ms[i] != NEVER && d->source_due_ms[i] > now)
			note_due(d, i);
	}
}

/* ---- status ---- */

static int64_t next_wakeup_ms(const struct daemon *d)
{
	int64_t now = net_now_ms(), t = d->watchdog_ms ? d->watchdog_due_ms : NEVER;

	/* Sources that found no slot free wait for a transfer to end (a
	 * socket event), a pass's next push likewise. */
	if (!d->pend_full && !d->sources_blocked)
		for (unsigned i = 0; i < d->cfg->n_sources; i++)
			t = min64(t, d->source_due_ms[i]);
	if (d->push.active && !d->push.inflight && !d->push.blocked)
		t = now;
	if (d->compose_retry_ms != NEVER) {
		t = min64(t, d->compose_retry_ms);
	} else if (!d->outbox_full) {
		t = min64(t, d->digest_due_ms);
		if (d->digest_wall != NEVER)
			t = min64(t, now + (d->digest_wall * 1000 - wall_ms()));
	}
	if (d->outbox_due != NEVER && !d->push.active)
		t = min64(t, now + (d->outbox_due * 1000 - wall_ms()));
	return t == NEVER ? NEVER : (t > now ? t - now : 0);
}

static void log_status(const struct daemon *d)
{
	int64_t ms = next_wakeup_ms(d);
	char next[32];

	if (ms == NEVER)
		snprintf(next, sizeof(next), "none");
	else
		snprintf(next, sizeof(next), "in %llds", (long long)((ms + 999) / 1000));
	log_info("status: %u sources, %u articles waiting, outbox %u digests (%llu bytes), "
		 "next wake-up %s; since start: %lu polls (%lu failed), %lu articles offered "
		 "(%lu new, %lu known), %lu digests composed, %lu delivered, %lu push failures, "
		 "%lu dead letters",
		 d->cfg->n_sources, d->pend.n, d->ob_count, (unsigned long long)d->ob_bytes, next,
		 d->n.polls, d->n.poll_failures, d->n.articles, d->n.summarised, d->n.known,
		 d->n.digests, d->n.delivered, d->n.push_failures, d->n.dead);
}

/* STATUS=, sent only when it changed: "idle" once nothing is in flight
 * (tools/bench-idle.sh waits for it), else what is under way. */
static void loop_status(struct daemon *d)
{
	char s[sizeof(d->status)];

	if (source_busy(&d->sources[d->cur]) || d->push.active) {
		snprintf(s, sizeof(s), "busy: %s", !d->push.active ? "polling sources" :
			 source_busy(&d->sources[d->cur]) ? "polling sources, pushing" : "pushing");
	} else {
		snprintf(s, sizeof(s), "idle: %u articles waiting, %u digests in the outbox%s%s",
			 d->pend.n, d->ob_count, d->outbox_full ? " (full)" : "",
			 d->pend_full ? ", sources paused" : "");
		/* A cycle ended (polls, a digest, a push pass): the metrics. */
		if (d->metrics_due) {
			d->metrics_due = false;
			metrics_write(d, time(NULL));
		}
	}
	if (strcmp(s, d->status) != 0) {
		memcpy(d->status, s, sizeof(s));
		notify_status("%s", s);
	}
}

/* ---- reload ---- */

/* The push clients of every endpoint of config `which` (secrets read), or
 * none: those made are freed on a failure. Returns 0 or push_init's
 * negative errno, logged. */
static int pushes_init(struct daemon *d, unsigned which)
{
	const struct cfg *c = &d->cfgs[which];
	unsigned i;
	int rc = 0;

	for (i = 0; i < c->n_endpoints && rc == 0; i++)
		rc = push_init(&d->pushes[which][i], c, &c->endpoints[i], d->net);
	if (rc < 0)
		for (i--; i-- > 0;)
			push_free(&d->pushes[which][i]);
	return rc;
}

static void pushes_free(struct daemon *d, unsigned which)
{
	for (unsigned i = 0; i < d->cfgs[which].n_endpoints; i++)
		push_free(&d->pushes[which][i]);
}

/* The outbox of every endpoint of config `which`, or none. Returns 0 or
 * outbox_open's negative errno, logged. */
static int outboxes_open(struct daemon *d, unsigned which)
{
	const struct cfg *c = &d->cfgs[which];
	unsigned i;
	int rc = 0;

	for (i = 0; i < c->n_endpoints && rc == 0; i++)
		rc = outbox_open(&d->outboxes[which][i], d->state_fd, c->daemon.state_dir,
				 c->endpoints[i].name);
	if (rc < 0)
		for (i--; i-- > 0;)
			outbox_close(&d->outboxes[which][i]);
	return rc;
}

static void outboxes_close(struct daemon *d, unsigned which)
{
	for (unsigned i = 0; i < d->cfgs[which].n_endpoints; i++)
		outbox_close(&d->outboxes[which][i]);
}

/* The same checks as check-config (CFG_RUN), so that both say the same. */
static int load_config(const char *path, struct cfg *c)
{
	struct cfg_error err;
	int rc = cfg_load(path, CFG_RUN, c, &err);

	if (rc < 0)
		cfg_log_errors(&err);
	return rc;
}

static void reload(struct daemon *d)
{
	unsigned next = !d->cur;
	struct cfg *nc = &d->cfgs[next], *old = d->cfg;
	int64_t old_due[CFG_MAX_SOURCES];

	notify_reloading();
	log_info("reloading %s", d->path);
	if (load_config(d->path, nc) < 0) {
		log_warnx("reload failed: still running on the previous configuration");
		goto out;
	}
	if (strcmp(nc->daemon.state_dir, old->daemon.state_dir) != 0) {
		log_warnx("reload: state_dir changes only on restart; still using %s",
			  old->daemon.state_dir);
		memcpy(nc->daemon.state_dir, old->daemon.state_dir, sizeof(nc->daemon.state_dir));
	}
	/* Reading the set again at another size could fail half-way (an I/O
	 * error leaves an empty set, which the next commit would write over
	 * the file): the one set in memory is only resized at start-up. */
	if (nc->digest.seen_capacity != old->digest.seen_capacity) {
		log_warnx("reload: seen_capacity changes only on restart; still %u",
			  old->digest.seen_capacity);
		nc->digest.seen_capacity = old->digest.seen_capacity;
	}
	/* cfg_load compiled each expression once already: this cannot fail
	 * but for memory. */
	if (rules_compile(&d->rules[next], nc) < 0) {
		log_warnx("reload failed: still running on the previous configuration");
		goto out;
	}
	if (pushes_init(d, next) < 0) {
		rules_free(&d->rules[next]);
		log_warnx("reload failed: still running on the previous configuration");
		goto out;
	}
	if (outboxes_open(d, next) < 0) {
		pushes_free(d, next);
		rules_free(&d->rules[next]);
		log_warnx("reload failed: still running on the previous configuration");
		goto out;
	}
	if (source_ctx_init(&d->sources[next], nc, d->net) < 0) {
		outboxes_close(d, next);
		pushes_free(d, next);
		rules_free(&d->rules[next]);
		log_warnx("reload failed: out of memory; still running on the previous configuration");
		goto out;
	}
	d->sources[next].state_fd = d->state_fd;
	source_ctx_bind(&d->sources[next], on_article, article_known, on_polled, d);
	/* Polls in flight are cancelled, and made again at once on the new
	 * configuration: nothing of a cancelled poll is recorded (no state, no
	 * validators), and the articles it handed in are kept. A push in flight
	 * is cancelled too: its entry stays in the outbox and is tried again. */
	source_cancel(&d->sources[d->cur]);
	/* The push in flight ends first, its callback finding the outboxes
	 * still open. */
	pushes_free(d, d->cur);
	outboxes_close(d, d->cur);
	d->n.state_saves += d->sources[d->cur].save_failures;
	source_ctx_free(&d->sources[d->cur]);
	rules_free(&d->rules[d->cur]);
	memcpy(old_due, d->source_due_ms, sizeof(old_due));
	d->cur = next;
	d->cfg = nc;
	net_configure(d->net, nc);
	log_set_level(nc->daemon.log_level);
	sources_reschedule(d, old, old_due);
	counters_remap(d, old);
	taken_remap(d, old);
	pipeline_push_marks(d);
	d->metrics_due = true;
	if (memcmp(&old->digest.schedule, &nc->digest.schedule, sizeof(nc->digest.schedule)) != 0)
		schedule_digest(d);
	d->outbox_due = 0;
	/* The push in flight was cancelled above: d->entry is free. Failed
	 * (said): those entries go to dead/ when pushed. */
	(void)pipeline_inflight_refit(d);
	/* A pass under way walked the old endpoints (their indices, where each
	 * stood): it starts again on the new ones. */
	if (d->push.active)
		pipeline_push_begin(d, false, false);
	pipeline_outbox_count(d);
	pipeline_outbox_unclaimed(d);
	log_info("reloaded %s: %u sources, %u endpoints", d->path, nc->n_sources, nc->n_endpoints);
out:
	notify_ready();
}

static void handle_signals(struct daemon *d)
{
	if (sig_hup && !sig_stop) {
		sig_hup = 0;
		reload(d);
	}
	if (sig_usr1) {
		sig_usr1 = 0;
		log_status(d);
	}
}

/* ---- the loop ---- */

/* One wait of the loop: poll() on the self-pipe and net's sockets until
 * wait ms (NEVER: no timer of the daemon's), net's or the page jobs' next
 * timeout, whichever comes first; then net's work (its callbacks drive the
 * polls and the push) and the page jobs that may start. */
static void wait_round(struct daemon *d, int64_t wait)
{
	struct pollfd fds[1 + NET_MAX_FDS];
	struct source_ctx *ctx = &d->sources[d->cur];
	int nt = net_timeout(d->net), st = source_timeout(ctx);
	size_t k;

	fds[0].fd = d->wake[0];
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	k = net_pollfds(d->net, fds + 1, NET_MAX_FDS);
	if (nt >= 0 && (wait == NEVER || nt < wait))
		wait = nt;
	if (st >= 0 && (wait == NEVER || st < wait))
		wait = st;
	if (poll(fds, k + 1, wait == NEVER ? -1 : (int)min64(wait, INT_MAX)) < 0 && errno != EINTR)
		log_warn("poll");
	/* Drained only when written to: an idle wake-up costs no read. */
	if (fds[0].revents & POLLIN) {
		char buf[64];

		while (read(d->wake[0], buf, sizeof(buf)) > 0)
			;
	}
	net_dispatch(d->net, fds + 1, k);
	source_pump(ctx);
}

int daemon_run(struct daemon *d)
{
	while (!sig_stop) {
		handle_signals(d);
		if (sig_stop)
			break;
		clock_check(d);
		if (!d->push.active && d->outbox_due != NEVER && time(NULL) >= d->outbox_due)
			pipeline_push_begin(d, false, false);
		pipeline_push_step(d);
		if (!d->pend_full)
			start_sources(d);
		/* After a failed outbox write the retry time replaces the schedule. */
		if (!sig_stop && (d->compose_retry_ms == NEVER ? digest_is_due(d)
							     : net_now_ms() >= d->compose_retry_ms)) {
			int rc = pipeline_compose(d, time(NULL));

			d->metrics_due = true;
			d->compose_retry_ms = NEVER;
			if (rc == 0) {
				last_digest_save(d, time(NULL));
				schedule_digest(d);
			} else if (rc != -EBUSY) {
				d->compose_retry_ms =
					net_now_ms() + (int64_t)pipeline_retry_s(d) * 1000;
			}
			if (d->outbox_due == 0)
				continue;
		}
		/* A full outbox whose entries cannot be read has no push time:
		 * look again later rather than never. */
		if (d->outbox_full && d->outbox_due == NEVER && !d->push.active)
			d->outbox_due = time(NULL) + pipeline_retry_s(d);
		daemon_watchdog(d);
		loop_status(d);
		wait_round(d, next_wakeup_ms(d));
	}
	return 0;
}

/* Runs the loop until the push pass ended and, with sources, every source
 * was polled once. */
static void once_until_done(struct daemon *d, bool sources)
{
	while (!sig_stop) {
		pipeline_push_step(d);
		if (sources && !d->pend_full)
			start_sources(d);
		if (!d->push.active && !(sources && sources_left(d)))
			return;
		daemon_watchdog(d);
		wait_round(d, next_wakeup_ms(d));
	}
}

int daemon_once(struct daemon *d)
{
	bool left;
	char held[64] = "";
	int status;

	/* The outbox as it is and every source once, side by side. */
	for (unsigned i = 0; i < d->cfg->n_sources; i++)
		d->source_due_ms[i] = 0;
	pipeline_push_begin(d, true, false);
	once_until_done(d, true);
	if (!sig_stop && pipeline_compose(d, time(NULL)) < 0)
		d->left_over = true;
	/* The new entries, where the first pass left each endpoint (not where
	 * it stopped at a retry). */
	if (!sig_stop) {
		pipeline_push_begin(d, true, true);
		once_until_done(d, false);
	}
	/* A list or a seen-set not saved is something left for a later run. */
	if (d->pend_dirty)
		pipeline_save(d);
	pipeline_outbox_count(d);
	left = d->left_over || d->pend_dirty || d->seen.dirty || d->pend.n > 0 || d->ob_count > 0 ||
	       sig_stop;
	/* A refusal or a damaged entry needs someone to look (dead/): it must
	 * not pass for success, nor for "run again later", which would not
	 * help. */
	status = d->n.dead ? EX_UNAVAILABLE : left ? EX_TEMPFAIL : 0;
	metrics_write(d, time(NULL));
	/* Held back articles were logged one by one; the count says why new
	 * articles made no digest. */
	if (d->n.repeats)
		snprintf(held, sizeof held, ", %lu held back as stories already delivered",
			 d->n.repeats);
	log_info("one cycle done: %lu new articles, %lu digests composed, %lu delivered, "
		 "%u left in the outbox%s%s", d->n.summarised, d->n.digests, d->n.delivered,
		 d->ob_count, held, status == EX_TEMPFAIL ? " (exit 75: run again later)" : "");
	if (status == EX_UNAVAILABLE && !d->n.damaged && !d->n.stale)
		log_warnx("exit 69: %lu digest%s refused, moved to dead/ in %s", d->n.dead,
			  d->n.dead == 1 ? "" : "s", d->cfg->daemon.state_dir);
	else if (status == EX_UNAVAILABLE && !d->n.stale)
		log_warnx("exit 69: %lu digest%s moved to dead/ in %s (%lu damaged, %lu refused)",
			  d->n.dead, d->n.dead == 1 ? "" : "s", d->cfg->daemon.state_dir,
			  d->n.damaged, d->n.dead - d->n.damaged);
	else if (status == EX_UNAVAILABLE)
		log_warnx("exit 69: %lu digest%s moved to dead/ in %s (%lu damaged, %lu rendered "
			  "for another kind of endpoint, %lu refused)",
			  d->n.dead, d->n.dead == 1 ? "" : "s", d->cfg->daemon.state_dir,
			  d->n.damaged, d->n.stale, d->n.dead - d->n.damaged - d->n.stale);
	return status;
}

/* ---- start and stop ---- */

/* The state of a daemon before start-up; the big buffers are their
 * modules' to set up. */
static void reset(struct daemon *d, const char *path, bool once)
{
	d->path = path;
	d->once = once;
	d->cur = 0;
	d->cfg = &d->cfgs[0];
	d->state_fd = d->lock_fd = d->wake[0] = d->wake[1] = -1;
	d->stop = &sig_stop;
	d->pend_full = d->pend_dirty = d->inflight_written = false;
	d->outbox_full = d->left_over = false;
	d->compose_retry_ms = NEVER;
	d->outbox_due = 0;
	d->ob_count = 0;
	d->ob_bytes = 0;
	memset(d->ob_bytes_at, 0, sizeof(d->ob_bytes_at));
	memset(&d->n, 0, sizeof(d->n));
	mem_zero(d->src_n, sizeof(d->src_n)); /* 32 KiB, for 1,000 sources */
	d->n_problems = 0;
	d->metrics_due = true; /* the first idle moment writes the file */
	d->metrics_failed = false;
	d->status[0] = '\0';
	d->up = 0;
	d->ready = false;
}

int daemon_start(struct daemon *d, const char *path, bool once)
{
	const char *dir;
	int rc;

	reset(d, path, once);
	rc = load_config(path, d->cfg);
	if (rc < 0)
		return rc == -EINVAL ? EX_CONFIG : EX_NOINPUT;
	log_init(d->cfg->daemon.log_level, NULL);
	if (rules_compile(&d->rules[0], d->cfg) < 0)
		return EX_CONFIG;
	d->up |= UP_RULES;
	dir = d->cfg->daemon.state_dir;
	d->state_fd = statedir_open(dir);
	if (d->state_fd < 0)
		return EX_CANTCREAT;
	/* Before anything in the folder is read or swept: a second instance
	 * would compose and push the same articles. It is told to try later. */
	d->lock_fd = statedir_lock(d->state_fd, dir);
	/* Busy, or a full disk that cannot take the lock file: both pass. */
	if (d->lock_fd == -EBUSY || d->lock_fd == -ENOSPC || d->lock_fd == -EDQUOT)
		return EX_TEMPFAIL;
	if (d->lock_fd < 0)
		return EX_CANTCREAT;
	if (signals_init(d) < 0) {
		log_warn("signals");
		return EX_SOFTWARE;
	}
	if (net_open(&d->net, d->cfg, d->stop) < 0) {
		log_errx("libcurl cannot start");
		return EX_SOFTWARE;
	}
	d->up |= UP_NET;
	if (pushes_init(d, 0) < 0)
		return EX_CONFIG;
	d->up |= UP_PUSH;
	pipeline_push_marks(d);
	rc = seen_open(&d->seen, d->state_fd, dir, d->cfg->digest.seen_capacity);
	if (rc == -EINVAL)
		return EX_CONFIG;
	/* A set that could not be read (said by seen_open) would be saved
	 * over: refused. */
	if (rc < 0 && rc != -EBADMSG)
		return EX_CANTCREAT;
	d->up |= UP_SEEN;
	/* The window is derived data: a file that cannot be read (said) only
	 * means a story delivered before may come again as new. */
	(void)stories_open(&d->story, d->state_fd, dir);
	rc = outboxes_open(d, 0);
	if (rc < 0) {
		/* A full disk passes; a refused folder needs a person. */
		return rc == -ENOSPC || rc == -EDQUOT || rc == -EIO ? EX_TEMPFAIL : EX_CANTCREAT;
	}
	d->up |= UP_OUTBOX;
	pipeline_outbox_count(d);
	pipeline_outbox_unclaimed(d);
	if (source_ctx_init(&d->sources[0], d->cfg, d->net) < 0) {
		log_errx("sources cannot start: out of memory");
		return EX_SOFTWARE;
	}
	d->sources[0].state_fd = d->state_fd;
	source_ctx_bind(&d->sources[0], on_article, article_known, on_polled, d);
	d->up |= UP_SOURCES;
	rc = pipeline_restore(d);
	if (rc < 0)
		return rc == -EAGAIN ? EX_TEMPFAIL : EX_CANTCREAT;
	d->watchdog_ms = (int64_t)(notify_watchdog_usec() / 1000);
	d->watchdog_due_ms = net_now_ms();
	schedule_clock_init(&d->clock, net_now_ms(), wall_ms());
	sources_reschedule(d, NULL, NULL);
	d->last_digest = daemon_last_digest(d->state_fd, dir);
	schedule_digest(d);
	log_info("digestd started: %s, %u sources, state in %s, %u digests in the outbox%s", path,
		 d->cfg->n_sources, dir, d->ob_count, once ? " (one cycle)" : "");
	notify_ready();
	d->ready = true;
	daemon_watchdog(d);
	return 0;
}

void daemon_stop(struct daemon *d)
{
	if (d->ready) {
		notify_stopping();
		log_info("stopping%s", sig_stop ? " on a signal" : "");
	}
	/* What is in flight ends first (nothing of it is recorded), while the
	 * outbox its callbacks touch is still open. */
	if (d->up & UP_SOURCES) {
		source_cancel(&d->sources[d->cur]);
		source_ctx_free(&d->sources[d->cur]);
	}
	if (d->up & UP_PUSH)
		for (unsigned i = 0; i < d->cfg->n_endpoints; i++)
			(void)push_cancel(&d->pushes[d->cur][i]);
	if (d->up & UP_OUTBOX)
		outboxes_close(d, d->cur);
	if ((d->up & UP_SEEN) && d->seen.dirty)
		seen_commit(&d->seen);
	if (d->up & UP_PUSH)
		pushes_free(d, d->cur);
	if (d->up & UP_NET)
		net_close(d->net);
	if (d->up & UP_RULES)
		rules_free(&d->rules[d->cur]);
	d->net = NULL;
	if (sig_wake == d->wake[1])
		sig_wake = -1;
	for (int i = 0; i < 2; i++)
		if (d->wake[i] >= 0)
			close(d->wake[i]);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	if (d->state_fd >= 0)
		close(d->state_fd);
	d->state_fd = d->lock_fd = d->wake[0] = d->wake[1] = -1;
	d->up = 0;
	d->ready = false;
}
