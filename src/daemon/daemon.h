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
#include "digest/digest.h"
#include "digest/pending.h"
#include "digest/seen.h"
#include "net/net.h"
#include "outbox/outbox.h"
#include "push/push.h"
#include "sources/source.h"
#include "summarise/summ.h"

/* Default config file when none is given. */
#define DAEMON_DEFAULT_CONFIG "/etc/digestd/digestd.ini"

/* dead counts every digest moved to dead/; damaged, those of them that
 * could not be read (a wrong checksum, not a regular file). */
struct daemon_counters {
	unsigned long polls, poll_failures, articles, summarised, known;
	unsigned long digests, delivered, push_failures, dead, damaged;
};

/* Everything the daemon owns; about 14 MiB, nearly all of it buffers sized
 * at compile time (the seen-set's 10 MiB is touched only up to
 * seen_capacity): give it static storage, never the stack. Nothing in it is
 * allocated after start-up. Times named _ms are CLOCK_MONOTONIC milliseconds,
 * the others Unix seconds; SCHEDULE_NEVER when nothing is due. */
struct daemon {
	const char *path; /* the config file, the caller's */
	bool once;        /* --once: one cycle */
	/* Two configs, push clients and source contexts (which hold the HTTP
	 * client for feeds and pages), so that a reload is built beside the
	 * running one and swapped in only when whole; cur is the running one. */
	struct cfg cfgs[2];
	struct push_client pushes[2];
	struct source_ctx sources[2];
	unsigned cur;
	struct cfg *cfg; /* &cfgs[cur] */
	struct net *net; /* the HTTP boundary, shared by the sources and push */
	/* The pipeline: what it keeps on disk and its working buffers. */
	struct seen seen;
	struct outbox outbox;
	struct pending pend;
	struct outbox_entry entry;
	struct digest dg;
	struct summ summ;
	char body[DIGEST_BODY_BYTES];
	int state_fd;          /* the state folder, checked once (statedir_open) */
	int lock_fd;           /* its lock, held until daemon_stop */
	int wake[2];           /* the signal handlers' self-pipe: poll()ed, written */
	volatile sig_atomic_t *stop; /* raised by SIGTERM/SIGINT */
	bool pend_full;        /* an article did not fit: sources wait for a digest */
	bool pend_dirty;       /* the pending list in memory is not the one on disk */
	bool inflight_written; /* pend.inflight's digest reached the outbox */
	bool outbox_full;      /* said once per episode */
	bool left_over;        /* --once: something stays for a later run */
	int64_t source_due_ms[CFG_MAX_SOURCES];
	int64_t digest_due_ms;    /* interval schedules */
	int64_t digest_wall;      /* times-of-day schedules */
	int64_t last_digest;      /* the last digest composed, or -1 */
	int64_t compose_retry_ms; /* after a failed outbox write */
	int64_t outbox_due;       /* the earliest push due; 0 = look now */
	int64_t watchdog_due_ms, watchdog_ms;
	unsigned ob_count;
	uint64_t ob_bytes;
	struct daemon_counters n;
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

/* The loop: sleeps in poll() until a source, a digest, a push retry, the
 * watchdog or a signal is due, and acts on it; SIGHUP reloads, SIGUSR1 logs
 * the status. Returns 0 once SIGTERM or SIGINT arrived. Blocks. */
int daemon_run(struct daemon *d);

/* One cycle (--once): the outbox as it is, every source once, one digest,
 * then the new entry. Returns 0 when nothing is left, EX_UNAVAILABLE when
 * a digest was moved to dead/ (the endpoint refused it, or it was damaged),
 * EX_TEMPFAIL when something is left for a later run. Blocks. */
int daemon_once(struct daemon *d);

/* STOPPING=1 (after a full start), then stops what daemon_start started, in
 * reverse order: the seen-set is committed when dirty, the lock released.
 * Safe after a failed or partial start. */
void daemon_stop(struct daemon *d);

/* Pings the systemd watchdog when half its period has passed; called from
 * the loop and between long steps (each source, article and push). */
void daemon_watchdog(struct daemon *d);

#endif
