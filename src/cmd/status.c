/* SPDX-License-Identifier: MIT */
/* `digestd status [--config PATH] [--format text|json]`: what the state
 * folder says about each source, the endpoint's outbox and the schedule,
 * read without the daemon's lock and without changing or making anything. */
#include "status.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "core/cfg.h"
#include "core/date.h"
#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "core/statedir.h"
#include "core/url.h"
#include "daemon/daemon.h"
#include "daemon/pipeline.h"
#include "daemon/schedule.h"
#include "digest/seen.h"
#include "digest/stories.h"
#include "outbox/outbox.h"
#include "sources/srcstate.h"

static const char usage[] = "usage: digestd status [--config PATH] [--format text|json]\n";

/* Everything the command needs that is too big for the stack: the config
 * and one outbox entry (its file and the parsed copy, about 2 MiB). */
struct status {
	struct cfg cfg;
	int json;
	int first;    /* no field written yet in the current JSON object */
	int64_t now;
	int state_fd; /* -1 when the state folder does not exist yet */
	int running;  /* a digestd holds the folder: 1, 0, -1 when unknown */
	char file[OUTBOX_HEADER_BYTES + DIGEST_BODY_BYTES + 1];
	struct outbox_entry e;
	struct story_window window; /* the stories file, parsed */
};
_Static_assert(STORIES_HEADER_BYTES + sizeof(struct story_window) < sizeof(((struct status *)0)->file),
	       "a stories file fits the status buffer");

static struct status st_;

/* ---- output: one field at a time, as "label: value" lines or JSON ---- */

static void key(struct status *s, const char *k, const char *label)
{
	if (s->json) {
		printf("%s\"%s\":", s->first ? "" : ",", k);
		s->first = 0;
	} else {
		printf("  %s: ", label);
	}
}

static void end(const struct status *s)
{
	if (!s->json)
		putchar('\n');
}

static void field_str(struct status *s, const char *k, const char *label, const char *v)
{
	key(s, k, label);
	if (s->json && !v)
		fputs("null", stdout);
	else if (s->json)
		json_write_string(stdout, v, strlen(v), 0);
	else /* a feed's or a server's words (an error, an answer): one line,
	      * no bidi override to make it read as something else */
		text_write_line(stdout, v ? v : "-", v ? strlen(v) : 1, 1);
	end(s);
}

static void field_num(struct status *s, const char *k, const char *label, unsigned long long v)
{
	key(s, k, label);
	printf("%llu", v);
	end(s);
}

/* A Unix second as RFC 3339 (0 or less: null, "never" in text). */
static void field_time(struct status *s, const char *k, const char *label, int64_t t,
		       const char *none)
{
	char buf[21];

	if (t <= 0 || date_format_rfc3339(t, buf) < 0) {
		key(s, k, label);
		fputs(s->json ? "null" : none, stdout);
		end(s);
		return;
	}
	field_str(s, k, label, buf);
}

static void open_obj(struct status *s, const char *k, const char *title)
{
	if (s->json) {
		if (k)
			printf("%s\"%s\":", s->first ? "" : ",", k);
		putchar('{');
		s->first = 1;
	} else {
		/* An unclaimed outbox's title names a folder found on disk. */
		text_write_line(stdout, title, strlen(title), 0);
		putchar('\n');
	}
}

static void close_obj(struct status *s)
{
	if (s->json)
		putchar('}');
	s->first = 0;
}

/* ---- what the state folder holds ---- */

/* Reads the state kept under name (a source's, or the endpoint's) into st.
 * Returns NULL when it was read, else what stands in for it: "none" (not
 * written yet) or why it cannot be used. Never follows a link, never waits
 * on a FIFO. */
static const char *read_state(const struct status *s, const char *name, struct srcstate *st)
{
	int rc;

	srcstate_init(st);
	if (s->state_fd < 0)
		return "none";
	rc = srcstate_read(s->state_fd, name, st);
	if (rc == 0)
		return NULL;
	if (rc == -ENOENT)
		return "none";
	return rc == -EBADMSG ? "damaged" : file_strerror(rc);
}

/* The path of the state kept under name, which the daemon's warnings about
 * it name: for an admin to map a source-HASH.state to its source or
 * endpoint. Shown whether the file exists or not. */
static void field_state_file(struct status *s, const char *label, const char *name)
{
	char file[64], path[CFG_PATH_BYTES + 64];

	if (srcstate_name(name, file, sizeof(file)) < 0)
		file[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", s->cfg.daemon.state_dir, file);
	field_str(s, "state_file", label, path);
}

/* The fields of a state file, the same for a source and the endpoint but
 * for their names: JSON key and text label of the file's state, the last
 * attempt, the last success, the HTTP status, the error. */
struct state_keys {
	const char *k[5], *label[5];
};

static const struct state_keys source_keys = {
	{ "state", "last_poll", "last_success", "status", "error" },
	{ "state file", "last poll", "last success", "last HTTP status", "last error" },
};
static const struct state_keys endpoint_keys = {
	{ "answer_state", "last_attempt", "last_success", "last_status", "last_error" },
	{ "answer state file", "last push", "last delivered", "last HTTP status", "last error" },
};

static void fields_state(struct status *s, const char *why, const struct srcstate *st,
			 const struct state_keys *n)
{
	field_str(s, n->k[0], n->label[0], why ? why : "ok");
	field_time(s, n->k[1], n->label[1], st->last_attempt, "never");
	field_time(s, n->k[2], n->label[2], st->last_success, "never");
	key(s, n->k[3], n->label[3]);
	printf(st->status ? "%ld" : s->json ? "null" : "none", st->status);
	end(s);
	field_str(s, n->k[4], n->label[4], st->error[0] ? st->error : NULL);
	field_num(s, "failures", "consecutive failures", st->failures);
}

/* ---- the daemon's schedule, as it recorded it ---- */

/* Whether a digestd holds the state folder, judged without taking its lock
 * (which would stop the daemon from starting meanwhile): the pid its last
 * holder wrote into the lock file, alive or not. A pid reused by another
 * process reads as running: the safe side, nothing is then called stale.
 * Returns 1, 0, or -1 when it cannot be told (the lock file unreadable). */
static int daemon_running(const struct status *s)
{
	long pid;
	int fd = s->state_fd >= 0 ? file_open_read(s->state_fd, "lock") : -ENOENT;

	if (fd == -ENOENT)
		return 0; /* never started here */
	if (fd < 0)
		return -1;
	pid = statedir_holder_pid(fd);
	close(fd);
	if (pid <= 0 || pid > INT_MAX)
		return -1;
	if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
		return 1;
	return errno == ESRCH ? 0 : -1;
}

/* A time the daemon scheduled (t, 0 or less when none) with the interval
 * it repeats at: shown, and called stale when it is past by more than that
 * interval while no digestd runs. none: what text shows for no time. */
static void field_schedule(struct status *s, const char *k, const char *stale_k,
			   const char *label, int64_t t, int64_t interval, const char *none)
{
	bool stale = t > 0 && s->running == 0 && s->now - t > interval;

	field_time(s, k, label, t, none);
	if (s->json) {
		key(s, stale_k, "");
		fputs(stale ? "true" : "false", stdout);
	} else if (stale) {
		printf("    (past by more than its interval, and no digestd runs: not running)\n");
	}
}

static const char *const type_names[] = { "auto", "feed", "page", "folder" };

static void show_source(struct status *s, const struct cfg_source *src)
{
	struct srcstate st;
	char url[NET_URL_BYTES], head[CFG_SOURCE_NAME_BYTES + 16];
	const char *why = read_state(s, src->name, &st);

	/* Kept for the feed the source named before its url changed: this
	 * one has not been polled yet (the daemon starts it afresh). */
	if (!why && srcstate_for_url(&st, src->url))
		why = "none";
	snprintf(head, sizeof(head), "source %s", src->name);
	open_obj(s, NULL, head);
	field_str(s, "name", "name", src->name);
	field_str(s, "type", "type", type_names[src->type]);
	field_str(s, "url", "url", url_redact(src->url, url, sizeof(url)));
	field_state_file(s, "state file path", src->name);
	fields_state(s, why, &st, &source_keys);
	field_time(s, "problem_since", "failing since", st.problem_since, "-");
	/* As the daemon scheduled it at the poll's end. */
	field_schedule(s, "next_poll", "next_poll_stale", "next poll", st.next_poll,
		       (int64_t)src->interval, "not scheduled");
	field_num(s, "items", "items seen", st.items);
	close_obj(s);
}

/* The entries of the outbox or dead/ folder sub: their number, and for the
 * outbox the oldest's creation time and attempts. Returns NULL, or why the
 * folder cannot be read ("none" when it does not exist yet). */
static const char *scan_folder(struct status *s, const char *sub, const char *ep_name,
			       unsigned *count, uint64_t *bytes, struct outbox_entry *oldest)
{
	struct outbox ob = { .dirfd = -1, .deadfd = -1 };
	char name[OUTBOX_NAME_BYTES], why[OUTBOX_REASON_BYTES];
	const char *res = NULL;
	size_t n = 0;
	int fd;

	*count = 0;
	*bytes = 0;
	if (s->state_fd < 0)
		return "none";
	ob.dirfd = file_open_dir_at(s->state_fd, sub);
	/* A named endpoint's folder is one level down (outbox/NAME), each
	 * level opened without following a link. */
	if (ob.dirfd >= 0 && ep_name[0]) {
		fd = file_open_dir_at(ob.dirfd, ep_name);
		close(ob.dirfd);
		ob.dirfd = fd;
	}
	if (ob.dirfd == -ENOENT)
		return "none";
	if (ob.dirfd < 0)
		return ob.dirfd == -ELOOP ? "a symbolic link, not followed" : file_strerror(ob.dirfd);
	if (outbox_count(&ob, count) < 0 || outbox_bytes(&ob, bytes) < 0) {
		res = "cannot be read";
		goto out;
	}
	if (!oldest || outbox_oldest(&ob, name) < 0)
		goto out;
	/* Read and checked here, never through outbox_read, which moves a
	 * damaged entry to dead/. */
	fd = file_open_read(ob.dirfd, name);
	if (fd < 0) {
		res = file_strerror(fd);
		goto out;
	}
	if (file_read_full(fd, s->file, sizeof(s->file), &n) < 0 || n == sizeof(s->file) ||
	    outbox_parse(name, s->file, n, oldest, why) < 0)
		res = "the oldest entry is damaged";
	close(fd);
out:
	close(ob.dirfd);
	return res;
}

/* One endpoint: the plain [endpoint] has outbox/ and dead/ in the state
 * folder, an [endpoint NAME] outbox/NAME and dead/NAME. */
static void show_endpoint(struct status *s, const struct cfg_endpoint *ep)
{
	struct srcstate st;
	char url[NET_URL_BYTES], state[PIPELINE_ENDPOINT_STATE_BYTES], kind[16];
	char addr[PIPELINE_ENDPOINT_ADDRESS_BYTES];
	char title[CFG_SOURCE_NAME_BYTES + 16];
	const char *why, *dead_why, *name = ep->name[0] ? ep->name : "default";
	unsigned waiting = 0, dead = 0;
	uint64_t bytes = 0, dead_bytes = 0;

	s->e.created = 0;
	s->e.attempts = 0;
	why = scan_folder(s, "outbox", ep->name, &waiting, &bytes, &s->e);
	dead_why = scan_folder(s, "dead", ep->name, &dead, &dead_bytes, NULL);
	snprintf(title, sizeof(title), "endpoint %s", name);
	open_obj(s, NULL, title);
	field_str(s, "name", "name", name);
	cfg_kind_word((int)ep->kind, kind, sizeof(kind));
	field_str(s, "kind", "kind", kind);
	field_str(s, "url", "url", ep->url[0] ? url_redact(ep->url, url, sizeof(url)) : NULL);
	field_str(s, "outbox", "outbox folder", why ? why : "ok");
	field_num(s, "waiting", "digests waiting", waiting);
	field_num(s, "waiting_bytes", "bytes waiting", bytes);
	field_time(s, "oldest_waiting", "oldest waiting", waiting ? s->e.created : 0, "-");
	field_num(s, "oldest_attempts", "its push attempts", waiting ? s->e.attempts : 0);
	pipeline_endpoint_state(ep, state);
	why = read_state(s, state, &st);
	/* Kept for where its pushes went before a key that says it changed:
	 * none at the new address yet (the daemon starts it afresh). */
	pipeline_endpoint_address(ep, addr);
	if (!why && srcstate_for_url(&st, addr))
		why = "none";
	field_state_file(s, "answer state file path", state);
	fields_state(s, why, &st, &endpoint_keys);
	field_num(s, "delivered", "digests delivered", st.items);
	field_str(s, "dead_folder", "dead folder", dead_why ? dead_why : "ok");
	field_num(s, "dead", "dead letters", dead);
	close_obj(s);
}

/* Reads the state file `name` into buf: its first size bytes, or with
 * whole set all of it (one that fills buf is too big). Returns NULL with *n
 * set, or why not: "none" when missing, a link or FIFO refused, unreadable. */
static const char *read_file(struct status *s, const char *name, void *buf, size_t size,
			     bool whole, size_t *n)
{
	const char *why = NULL;
	int fd = s->state_fd >= 0 ? file_open_read(s->state_fd, name) : -ENOENT;

	*n = 0;
	if (fd == -ENOENT)
		return "none";
	if (fd < 0)
		return file_strerror(fd);
	if (file_read_full(fd, buf, size, n) < 0 || (whole && *n == size))
		why = "cannot be read";
	close(fd);
	return why;
}

/* The story window's fill (docs/grouping.md), read and checked whole like
 * the daemon reads it, never moved aside. */
static void show_stories(struct status *s)
{
	unsigned used = 0, delivered = 0;
	size_t n;
	const char *why = read_file(s, "stories", s->file, sizeof(s->file), true, &n);

	story_window_init(&s->window);
	if (!why && stories_load_buffer(&s->window, s->file, n, &why) == 0)
		why = NULL;
	for (unsigned i = 0; i < STORY_WINDOW; i++) {
		used += s->window.s[i].id != 0;
		delivered += s->window.s[i].delivered != 0;
	}
	open_obj(s, "stories", "story window");
	field_str(s, "state", "state file", why ? why : "ok");
	field_num(s, "count", "stories remembered", used);
	field_num(s, "delivered", "stories delivered", delivered);
	field_num(s, "capacity", "capacity", STORY_WINDOW);
	close_obj(s);
}

/* The seen-set's fill from its header. */
static void show_seen(struct status *s)
{
	unsigned char h[SEEN_HEADER_BYTES];
	unsigned count = 0, cap = 0;
	size_t n;
	const char *why = read_file(s, "seen", h, sizeof(h), false, &n);

	if (!why && seen_peek(h, n, &count, &cap, &why) == 0)
		why = NULL;
	open_obj(s, "seen", "seen-set");
	field_str(s, "state", "state file", why ? why : "ok");
	field_num(s, "count", "keys remembered", count);
	field_num(s, "capacity", "capacity", cap ? cap : s->cfg.digest.seen_capacity);
	close_obj(s);
}

static void show_schedule(struct status *s)
{
	const char *dir = s->cfg.daemon.state_dir;
	int64_t last = s->state_fd >= 0 ? daemon_last_digest(s->state_fd, dir) : -1;
	int64_t next = s->state_fd >= 0 ? daemon_next_digest(s->state_fd, dir) : -1;
	const struct cfg_schedule *sc = &s->cfg.digest.schedule;

	open_obj(s, "digest", "digests");
	field_time(s, "last", "last composed", last, "never");
	/* Times of day repeat daily. */
	field_schedule(s, "next", "next_stale", "next", next,
		       sc->n_times ? 86400 : (int64_t)sc->interval, "not scheduled");
	close_obj(s);
}

/* An outbox no configured endpoint takes (outbox_unclaimed): its digests
 * wait until an endpoint of that name comes back. */
static void show_unclaimed(const char *name, const char *where, unsigned count, void *arg)
{
	struct status *s = arg;
	char label[CFG_SOURCE_NAME_BYTES + 16], head[2 * CFG_SOURCE_NAME_BYTES + 64];

	cfg_endpoint_label(name, label, sizeof(label));
	snprintf(head, sizeof(head), "%s: for %s, which is not configured", where, label);
	if (s->json && !s->first)
		putchar(',');
	s->first = 1;
	open_obj(s, NULL, head);
	field_str(s, "outbox", "outbox folder", where);
	field_str(s, "endpoint", "endpoint", *name ? name : "default");
	field_num(s, "waiting", "digests waiting", count);
	close_obj(s);
}

static int show(struct status *s)
{
	const char *dir = s->cfg.daemon.state_dir;
	struct file_walk w;

	s->now = time(NULL);
	/* Quietly and without the owner checks: nothing is written through
	 * it, and root may read the daemon's folder. */
	s->state_fd = file_open_dir(dir, FILE_WALK_FOLLOW, &w);
	if (s->state_fd < 0 && s->state_fd != -ENOENT) {
		log_errx("status: state folder %s: %s", dir,
			 w.why[0] ? w.why : file_strerror(s->state_fd));
		return EX_NOINPUT;
	}
	s->running = daemon_running(s);
	if (s->json) {
		printf("{\"schema\":\"digestd.status/1\",\"state_dir\":");
		json_write_string(stdout, dir, strlen(dir), 0);
		printf(",\"state_dir_exists\":%s", s->state_fd >= 0 ? "true" : "false");
		field_time(s, "time", "time", s->now, "");
		printf(",\"running\":%s", s->running < 0 ? "null" : s->running ? "true" : "false");
	} else {
		printf("state folder %s%s\n", dir, s->state_fd >= 0 ? "" : " (not made yet)");
		printf("digestd %s\n", s->running < 0 ? "running or not: the lock file cannot be read"
				      : s->running ? "running" : "not running");
	}
	show_schedule(s);
	show_seen(s);
	show_stories(s);
	if (s->json)
		fputs(",\"endpoints\":[", stdout);
	for (unsigned i = 0; i < s->cfg.n_endpoints; i++) {
		if (s->json && i)
			putchar(',');
		s->first = 1;
		show_endpoint(s, &s->cfg.endpoints[i]);
	}
	if (s->json)
		fputs("],\"unclaimed\":[", stdout);
	s->first = 1;
	if (s->state_fd >= 0)
		(void)outbox_unclaimed(s->state_fd, &s->cfg, show_unclaimed, s);
	if (s->json)
		fputs("],\"sources\":[", stdout);
	for (unsigned i = 0; i < s->cfg.n_sources; i++) {
		if (s->json && i)
			putchar(',');
		s->first = 1;
		show_source(s, &s->cfg.sources[i]);
	}
	if (s->json)
		fputs("]}\n", stdout);
	if (s->state_fd >= 0)
		close(s->state_fd);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_errx("status: standard output: write failed");
		return EX_IOERR;
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	const char *path = DAEMON_DEFAULT_CONFIG;
	struct status *s = &st_;
	struct cfg_error err;
	int rc;

	s->json = 0;
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) && i + 1 < argc) {
			path = argv[++i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			path = argv[i] + 9;
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc &&
			   (!strcmp(argv[i + 1], "json") || !strcmp(argv[i + 1], "text"))) {
			s->json = !strcmp(argv[++i], "json");
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			log_errx("status: unexpected argument '%s'", argv[i]);
			fputs(usage, stderr);
			return EX_USAGE;
		}
	}
	/* No CFG_RUN: status reads no secret, and runs as whoever may read the
	 * state folder. */
	rc = cfg_load(path, 0, &s->cfg, &err);
	if (rc < 0) {
		cfg_log_errors(&err);
		return rc == -EINVAL ? EX_CONFIG : EX_NOINPUT;
	}
	return show(s);
}
