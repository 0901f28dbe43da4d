/* SPDX-License-Identifier: MIT */
/* The daemon (`digestd run`): all its state in one struct daemon, started in
 * a fixed order and stopped in reverse, the loop, the reload and the signals.
 * The pipeline steps are pipeline.c's; the time arithmetic is schedule.c's. */
#ifndef DIGESTD_DAEMON_H
#define DIGESTD_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/limits.h"
#include "core/rules.h"
#include "daemon/schedule.h"
#include "digest/digest.h"
#include "digest/pending.h"
#include "digest/seen.h"
#include "net/net.h"
#include "outbox/outbox.h"
#include "push/push.h"
#include "sources/source.h"
#include "summarise/story.h"
#include "summarise/summ.h"

/* Default config file when none is given. */
#define DAEMON_DEFAULT_CONFIG "/etc/digestd/digestd.ini"

/* dead counts every digest moved to dead/; damaged, those of them that
 * could not be read (a wrong checksum, not a regular file); stale, those
 * rendered for another kind than their endpoint's now; state_saves,
 * the state files (a source's, an endpoint's) that could not be saved, but
 * for those of the running source context's polls (its save_failures). */
struct daemon_counters {
	unsigned long polls, poll_failures, articles, summarised, known;
	unsigned long digests, delivered, push_failures, dead, damaged, stale;
	unsigned long dropped, over_backlog; /* marked seen: by a rule, by backlog */
	unsigned long repeats; /* marked seen: a story a digest delivered (grouping) */
	unsigned long state_saves;
};

/* One source's counters (struct daemon's src_n[i] for its index in the
 * running cfg; carried by name across a reload), for the metrics file:
 * polls, failed polls, articles handed over and, for HTTP sources, failed
 * polls in a row. A row per source, not an array per counter: a board's
 * few sources then write one page of the 32 KiB, not one page a counter. */
struct daemon_source_counters {
	unsigned long polls, failures, items, consecutive;
};

/* The push pass in progress (pipeline_push_*): each endpoint's outbox in
 * turn, walked in name order from its `from`, one push in flight at a time,
 * its entry in struct daemon's entry. An endpoint's walk ends at its first
 * push to retry (the endpoint is then unlikely to take the next one); the
 * pass goes on with the next endpoint. The endpoints whose last push failed
 * take their turns only once the others have no push left in the pass. */
struct daemon_push {
	bool active, inflight, every;
	bool blocked; /* no transfer slot was free: tried again when one ends */
	/* The endpoint whose turn it is, an index of cfg's: the walks take
	 * turns, one push each, so that an endpoint slow to answer holds each
	 * of the others for one push at most, not for its whole outbox. */
	unsigned ep;
	bool ep_retry[CFG_MAX_ENDPOINTS];               /* its walk ended at a retry */
	bool ep_done[CFG_MAX_ENDPOINTS]; /* its walk ended otherwise, for this pass */
	/* Its last push failed (any answer but delivered, or none): its turns
	 * wait until the others have no push left in the pass, so that a
	 * service that hangs holds their news only for its push in flight
	 * when the news comes, not for one timeout a pass. Set and cleared by
	 * each push's answer; kept across passes, and across a restart or a
	 * reload through the endpoint's state file (failures, counted since
	 * its last delivered push: pipeline_push_marks). */
	bool ep_failing[CFG_MAX_ENDPOINTS];
	char from[CFG_MAX_ENDPOINTS][OUTBOX_NAME_BYTES]; /* the last entry tried */
	/* A digest one of whose parts waits for its retry time: its later
	 * parts wait with it (parts go out in order). */
	char held[CFG_MAX_ENDPOINTS][DIGEST_ID_BYTES];
	/* An entry delivered (2xx) whose removal failed (a disk gone read-only,
	 * an I/O error): never pushed again; its walk first removes it and
	 * stops while it cannot. Kept across passes and reloads (by name). */
	char taken[CFG_MAX_ENDPOINTS][OUTBOX_NAME_BYTES];
	char name[OUTBOX_NAME_BYTES]; /* the entry in flight */
	int64_t due;  /* the earliest push due that the pass saw */
	struct push_result res;
};

/* Everything the daemon owns; about 16 MiB, nearly all of it buffers sized
 * at compile time (the seen-set's 10 MiB is touched only up to
 * seen_capacity; the two source contexts' poll and job tables only as far
 * as they are used): give it static storage, never the stack. Nothing in it is
 * allocated after start-up. Times named _ms are CLOCK_MONOTONIC milliseconds,
 * the others Unix seconds; SCHEDULE_NEVER when nothing is due. */
struct daemon {
	const char *path; /* the config file, the caller's */
	bool once;        /* --once: one cycle */
	/* Two configs, push clients and outboxes (one each per endpoint) and
	 * source contexts (which hold the HTTP client for feeds and pages), so
	 * that a reload is built beside the running one and swapped in only
	 * when whole; cur is the running one. */
	struct cfg cfgs[2];
	struct push_client pushes[2][CFG_MAX_ENDPOINTS];
	struct outbox outboxes[2][CFG_MAX_ENDPOINTS];
	struct source_ctx sources[2];
	struct rules rules[2]; /* each config's keep and drop rules, compiled */
	unsigned cur;
	struct cfg *cfg; /* &cfgs[cur] */
	struct net *net; /* the HTTP boundary, shared by the sources and push */
	/* The pipeline: what it keeps on disk and its working buffers. */
	struct seen seen;
	struct pending pend;
	struct outbox_entry entry;
	struct digest dg;
	struct summ summ;
	/* Story grouping (docs/grouping.md): the window (465 KB), into which
	 * each article's fingerprint counts as it arrives and a compose groups
	 * its digest (story_planned), each story it changes saved first in
	 * story_undo (82 KiB at most) so that a digest not composed is taken
	 * back; one article's term table (24 KiB). */
	struct story_window story;
	struct story_undo story_undo;
	struct story_doc story_doc;
	struct story_print story_print; /* one article's, read from the list */
	bool story_planned;
	char body[DIGEST_BODY_BYTES];
	int state_fd;          /* the state folder, checked once (statedir_open) */
	int lock_fd;           /* its lock, held until daemon_stop */
	int wake[2];           /* the signal handlers' self-pipe: poll()ed, written */
	volatile sig_atomic_t *stop; /* raised by SIGTERM/SIGINT */
	bool pend_full;        /* an article did not fit: sources wait for a digest */
	bool pend_dirty;       /* the pending list in memory is not the one on disk */
	bool inflight_written; /* pend.inflight's digest reached the outbox */
	/* A digest without articles (send_empty, problems alone) being written,
	 * as <state_dir>/empty-digest holds it: its id and the endpoints (by
	 * name, so a reload or a restart keeps them) whose outbox holds it. No
	 * article set marks it in flight: composed again, it goes under this id
	 * to the others only, and their entries are held back from the push
	 * until their mark is saved. */
	struct pending_empty empty;
	bool outbox_full;      /* said once per episode */
	bool left_over;        /* --once: something stays for a later run */
	/* When each source is due; SCHEDULE_NEVER while its poll is in flight
	 * (or, with --once, once it was polled). */
	int64_t source_due_ms[CFG_MAX_SOURCES];
	/* Each source's poll in flight: its new articles and those its rules
	 * dropped. A row per source, not an array per count: a board's few
	 * sources then write one page of them, not two. */
	struct daemon_poll_count {
		unsigned added, dropped;
	} poll_n[CFG_MAX_SOURCES];
	bool sources_blocked; /* a due source found no transfer slot free */
	struct daemon_push push;
	int64_t digest_due_ms;    /* interval schedules */
	int64_t digest_wall;      /* times-of-day schedules */
	int64_t digest_sched_ms;  /* when the next digest was scheduled */
	struct schedule_clock clock; /* to see the wall clock step */
	int64_t last_digest;      /* the last digest composed, or -1 */
	int64_t compose_retry_ms; /* after a failed outbox write */
	int64_t outbox_due;       /* the earliest push due; 0 = look now */
	int64_t watchdog_due_ms, watchdog_ms;
	unsigned ob_count;  /* entries in every endpoint's outbox */
	uint64_t ob_bytes;
	/* ob_bytes endpoint by endpoint (cfg's order), kept with it: which
	 * one fills the outbox is said from these without listing again. */
	uint64_t ob_bytes_at[CFG_MAX_ENDPOINTS];
	struct daemon_counters n;
	struct daemon_source_counters src_n[CFG_MAX_SOURCES];
	/* Feed health: the sources with a problem the digest being composed
	 * lists (by name, and what it shows). */
	unsigned n_problems;
	struct digest_problem problems[DIGEST_MAX_PROBLEMS];
	bool metrics_due;    /* something changed since the metrics file was written */
	bool metrics_failed; /* the last write failed (said once) */
	char metrics[METRICS_FILE_BYTES];
	char status[192]; /* the last STATUS= sent while idle */
	unsigned up;      /* the modules started (bits), for daemon_stop */
	bool ready;       /* start-up finished: READY=1 was sent */
};

/* Starts the daemon in d (which must be zeroed, as static storage is) from
 * the config file at path: config (checked as check-config checks it), log,
 * state folder and its lock, signals, libcurl and the push client, seen-set,
 * outbox, sources, pending list; then READY=1. Returns 0, or the sysexits
 * status to exit with, after logging why (EX_CONFIG, EX_NOINPUT,
 * EX_CANTCREAT, EX_TEMPFAIL, EX_SOFTWARE): the cause decides the status and
 * only start-up knows it, hence no -errno here. Call daemon_stop either way.
 * Blocks on the disk. */
int daemon_start(struct daemon *d, const char *path, bool once);

/* The loop: sleeps in poll() on the self-pipe and net's sockets until a
 * source, a digest, a push retry, the watchdog, a transfer or a signal needs
 * it, and acts on it: up to max_transfers polls and the push run at once;
 * SIGHUP reloads (polls and the push in flight are cancelled and made again),
 * SIGUSR1 logs the status. Returns 0 once SIGTERM or SIGINT arrived (what
 * was in flight is cancelled at once). Blocks. */
int daemon_run(struct daemon *d);

/* One cycle (--once), through the same loop: the outbox as it is and every
 * source once (side by side), one digest, then the new entry. Returns 0 when nothing is left, EX_UNAVAILABLE when
 * a digest was moved to dead/ (the endpoint refused it, or it was damaged),
 * EX_TEMPFAIL when something is left for a later run. Blocks. */
int daemon_once(struct daemon *d);

/* The Unix second of the last digest composed, from the file last-digest in
 * the state folder state_fd (dir names it in messages), or -1 when unknown;
 * a file that is not a regular file or not a time is one warning. Changes
 * nothing; `digestd status` reads it too. Blocks on the disk. */
int64_t daemon_last_digest(int state_fd, const char *dir);

/* The Unix second the running daemon scheduled the next digest for, from
 * the file next-digest (written as it schedules one; not by --once), or -1
 * when unknown; like daemon_last_digest otherwise. */
int64_t daemon_next_digest(int state_fd, const char *dir);

/* STOPPING=1 (after a full start), then stops what daemon_start started, in
 * reverse order: the seen-set is committed when dirty, the lock released.
 * Safe after a failed or partial start. */
void daemon_stop(struct daemon *d);

/* Pings the systemd watchdog when half its period has passed; called from
 * the loop (whose poll() timeout includes the next ping) and as each article
 * is taken, never from inside a transfer: a hung one cannot trip it. */
void daemon_watchdog(struct daemon *d);

#endif
