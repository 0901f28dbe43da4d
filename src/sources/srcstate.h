/* SPDX-License-Identifier: MIT */
/* Per-source HTTP state kept in the state directory: cache validators,
 * attempts, failures, backoff and Retry-After, so a restart neither refetches
 * unchanged feeds nor hammers a failing server. Owns the file format only. */
#ifndef DIGESTD_SRCSTATE_H
#define DIGESTD_SRCSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "sources/fetch.h"

/* Times are UTC seconds, 0 when never. */
struct srcstate {
	struct fetch_validators v; /* of the last complete successful poll */
	int64_t last_attempt, last_success;
	unsigned failures;	   /* consecutive, reset by a success */
	int64_t next_due;	   /* backoff: no request before this */
	int64_t retry_after_until; /* the server's Retry-After, as a UTC second */
	/* What `digestd status` and feed health show; files of earlier
	 * versions lack them and read as 0 / "". */
	long status;		   /* HTTP status of the last answer, 0 when none came */
	char error[SRCSTATE_ERROR_BYTES]; /* why the last poll failed, "" after a success */
	uint64_t items;		   /* articles the source handed over, all polls together */
	int64_t problem_since;	   /* the first of the consecutive failures, 0 when none */
	unsigned problem_reported; /* 1 once a digest listed this run of failures */
	/* When the daemon has scheduled the next poll (it records it as it
	 * schedules), 0 when none is: `digestd status` shows it. Every
	 * source has a state file, folder and file:// ones too, which keep
	 * only these fields and the poll times, failures and items. */
	int64_t next_poll;
	/* Which feed the state is of: a 64-bit FNV-1a hash of the source's
	 * url as configured (not the URL itself, which may hold a token); for
	 * an endpoint's state, of where its pushes go (the daemon's
	 * pipeline_endpoint_address). 0 in files of earlier versions. */
	uint64_t url_id;
};

/* A fresh state: nothing known. */
void srcstate_init(struct srcstate *s);

/* The state file's name of source `name` inside the state folder:
 * source-HASH.state, HASH being 16 hex digits of a 64-bit FNV-1a hash of the
 * name (names may hold any character). Returns 0 or -ENAMETOOLONG. */
int srcstate_name(const char *name, char *out, size_t size);

/* Parses a state file's bytes. The file names its source; one written for
 * another name (a hash collision, a copied file) counts as corrupt. Returns
 * 0, or -EBADMSG with *s fresh. Unknown keys are skipped (a newer digestd may
 * add some). Never allocates; reads at most len bytes. */
int srcstate_parse(const char *buf, size_t len, const char *name, struct srcstate *s);

/* Writes the file form of s into out. Returns its length, or -ENOSPC. */
long srcstate_format(const struct srcstate *s, const char *name, char *out, size_t size);

/* Makes s, read for a source whose url is now `url`, the state of that
 * url: one kept for another URL (the source's url changed, its name
 * kept) is replaced by a fresh state, as for a new source: the other
 * feed's validators, backoff and failures say nothing about this one, and
 * its first poll takes only `backlog` entries. s then names url (saved
 * with it). An endpoint's state is kept so for its address. Returns 1
 * when it was replaced, else 0 (also for a state that named no URL: a
 * file of an earlier version). */
int srcstate_for_url(struct srcstate *s, const char *url);

/* Reads the state of `name` from the state folder dirfd into s, changing
 * nothing and saying nothing: 0; or s fresh and -ENOENT (no file),
 * -EBADMSG (damaged), or file_open_read's or the read's negative errno
 * (-ELOOP a link, never followed; -ENXIO a FIFO, never waited on; -EISDIR a
 * folder). For `digestd status` and filter-test, which change nothing, and
 * srcstate_load. Blocks on the file. */
int srcstate_read(int dirfd, const char *name, struct srcstate *s);

/* Source name's state as srcstate_read, for filter-test, which changes
 * nothing: a file that cannot be used (damaged, a link, FIFO or folder, an
 * I/O error) gives a fresh state and one log_warnx naming the source and
 * the file (state_dir/...), which stays where it is. Then
 * srcstate_for_url(s, url), whose result it returns. Blocks on the file. */
int srcstate_peek(int dirfd, const char *state_dir, const char *name, const char *url,
		  struct srcstate *s);

/* Reads the state of `name` from the state folder dirfd (state_dir names it
 * in messages), as srcstate_read. A missing file gives a fresh state
 * quietly. A damaged one, or a link, FIFO or folder in its place, gives a
 * fresh state and is set aside (file_set_aside: renamed NAME.corrupt, one
 * warning), so the next load finds no file; one that cannot be read (an I/O
 * error) a fresh state and one log_warnx, the file kept. Each warning names
 * the file and its owner: label (an endpoint's "[endpoint NAME]", shorter
 * than SRCSTATE_WHO_BYTES), or with label NULL "source NAME". With url (a
 * source's, an endpoint's address), then srcstate_for_url (a state kept for
 * another url is not damage: it is left for the next save to replace):
 * returns what it returns, else 0. Never fails. Blocks on the file. */
int srcstate_load(int dirfd, const char *state_dir, const char *name, const char *label,
		  const char *url, struct srcstate *s);

/* Writes the state atomically into the state folder dirfd (temporary file,
 * fsync, rename, fsync of the folder). Returns 0, or a negative errno after
 * one log_warnx naming the file and its owner (label, as srcstate_load).
 * Blocks on the disk. */
int srcstate_save(int dirfd, const char *state_dir, const char *name, const char *label,
		  const struct srcstate *s);

/* Records a poll at now. ok: failures reset, backoff cleared. Otherwise the
 * failure count grows and next_due = now + backoff_base * 2^(failures-1),
 * capped at backoff_max; retry_after (a UTC second, 0 when none) is kept and
 * next_due moved to it when later. */
void srcstate_record(struct srcstate *s, const struct cfg_http *h, int64_t now, int ok,
		     int64_t retry_after);

/* Records what the last answer was: its HTTP status (0 when none came) and
 * why the poll failed (NULL or "" after a success). The reason is kept
 * short (cut on a character boundary), its control characters become
 * spaces, and every URL in it is redacted (url_redact). */
void srcstate_note(struct srcstate *s, long status, const char *error);

/* The UTC second before which the source must not be asked (backoff or
 * Retry-After), or 0. When the last attempt is after now (the clock was set
 * back since), these times move back by as much: the wait asked for counts
 * from now. Values further ahead than the config allows (a hand-edited
 * file) are pulled in to now plus that limit. */
int64_t srcstate_not_before(const struct srcstate *s, const struct cfg_http *h, int64_t now);

#endif
