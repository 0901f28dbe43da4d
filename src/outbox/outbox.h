/* SPDX-License-Identifier: MIT */
/* The outbox: composed digests on disk in <state_dir>/outbox until a 2xx, and
 * <state_dir>/dead for those refused or unreadable. Every write is a temp
 * file, fsync, rename, fsync of the folder; nothing composed is ever dropped. */
#ifndef DIGESTD_OUTBOX_H
#define DIGESTD_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/limits.h"

/*
 * An entry is one file named <seq>-<id>.digest: seq is 20 decimal digits,
 * one more than the largest in the outbox when it was written, so names sort
 * oldest first whatever the clock does. The file is a text header, a blank
 * line, then exactly `length` body bytes whose SHA-256 is `sha256`:
 *
 *   digestd-outbox 2
 *   id: dg_3f1c0a9e5b7d2c4e6f8a0b1c2d3e4f50
 *   created: 1795802400
 *   format: json
 *   attempts: 0
 *   next-attempt: 0
 *   length: 2291
 *   sha256: <64 lowercase hex digits>
 *
 * Once a push of it failed, "last-attempt: T" follows next-attempt: when
 * that attempt was made, on the clock that set next-attempt, so that a
 * clock set back since can be told (T ahead of now) and the wait counted
 * from now. Entries without it (never tried, or written by an earlier
 * version) read as last_attempt 0; an earlier digestd reads the line as
 * damage (it moves such an entry to dead/).
 *
 * An entry that is part k of the n a digest makes for a chat endpoint
 * (docs/endpoints.md) has, after sha256, "part: k/n" (1-based), "kind: K"
 * (the [endpoint] kind it was rendered for: email, ntfy, ...; parts written
 * before this line existed lack it) and, when set, "title: <UTF-8, no
 * control characters>" and "click: <URL>", which the push request carries
 * (ntfy's Title and Click). A webhook's entries have none of these lines,
 * as before: an entry without a part line was rendered for a webhook.
 *
 * Entries of the previous version ("digestd-outbox 1", no sha256 line) are
 * read and sent as they are; a new attempt count rewrites them as version 2.
 * Temporary files start with ".tmp-" and are removed by outbox_open.
 */

struct outbox_entry {
	char name[OUTBOX_NAME_BYTES]; /* file name inside the outbox folder */
	char id[DIGEST_ID_BYTES];
	int64_t created;              /* Unix seconds */
	enum cfg_format format;
	unsigned attempts;            /* push attempts made so far */
	int64_t next_attempt;         /* Unix seconds; 0 = now */
	int64_t last_attempt;         /* Unix seconds of the attempt that set it; 0 = none recorded */
	size_t len;
	char sum[65];                 /* the header's sha256, "" for version 1 */
	unsigned part, parts;         /* 0-based part of parts; parts 0: no part line */
	/* The enum cfg_kind it was rendered for: CFG_KIND_WEBHOOK without a
	 * part line, OUTBOX_KIND_ANY for a part without a kind line. */
	int kind;
	char title[MESSAGE_TITLE_BYTES]; /* "" for none */
	char click[MESSAGE_CLICK_BYTES]; /* "" for none */
	char body[DIGEST_BODY_BYTES];
};

struct outbox {
	int dirfd;  /* <state_dir>/outbox or <state_dir>/outbox/NAME */
	int deadfd; /* <state_dir>/dead or <state_dir>/dead/NAME */
	uint64_t next_seq;
	/* "outbox" or "outbox/NAME", "dead" or "dead/NAME", for messages. */
	char where[CFG_SOURCE_NAME_BYTES + 8];
	char dead_where[CFG_SOURCE_NAME_BYTES + 8];
};

/* Opens (creating, mode 0700) the folders of one endpoint's outbox in the
 * state folder state_fd (state_dir names it in messages) through
 * statedir_sub: outbox/ and dead/ for name "" (the plain [endpoint], where
 * the entries of earlier versions are), outbox/NAME/ and dead/NAME/ for
 * [endpoint NAME]. A link, another owner or group/other write access is
 * refused, at each level. Removes temporary files left by a crash (logged)
 * and finds the next sequence number. Returns 0, or a negative errno after
 * logging a message naming the folder. Blocks on I/O. */
int outbox_open(struct outbox *ob, int state_fd, const char *state_dir, const char *name);

/* outbox_open's folder checks without making or changing anything
 * (check-config): 0 when the folders are missing or would be accepted,
 * else the refusal after its log line. */
int outbox_check(int state_fd, const char *state_dir, const char *name);
void outbox_close(struct outbox *ob);

/* Writes a new entry (attempts 0, next_attempt 0) durably: returns only
 * after the file and its folder entry are on disk. id is [A-Za-z0-9_-], at
 * most DIGEST_ID_BYTES - 1 bytes; len at most DIGEST_BODY_BYTES. The entry's
 * file name goes to name (OUTBOX_NAME_BYTES) when name is not NULL. Returns
 * 0; -EEXIST, writing nothing, when an entry of this id is in the outbox
 * already (its name goes to name); -EINVAL for a bad id or length; or the
 * write's negative errno (-ENOSPC, -EFBIG, -EDQUOT, -EIO, ...) after
 * logging: the caller still holds the digest and must keep its articles.
 * When only the final fsync of the folder failed the entry may still be
 * there, and may be sent: hence one entry per id. Blocks on I/O. */
int outbox_add(struct outbox *ob, const char *id, int64_t created, enum cfg_format fmt,
	       const void *body, size_t len, char *name);

/* An entry's kind when its header does not say (outbox_entry.kind). */
#define OUTBOX_KIND_ANY (-1)

/* Part k (0-based) of n of a digest's messages for one endpoint of kind
 * `kind` (an enum cfg_kind; OUTBOX_KIND_ANY writes no kind line), with the
 * title and link its request carries ("" for none; no control characters). */
struct outbox_part {
	unsigned k, n;
	int kind;
	const char *title;
	const char *click;
};

/* outbox_add for an entry that is a part: its header gains the part lines.
 * pt NULL is outbox_add. -EINVAL also for k >= n, n > OUTBOX_MAX_PARTS or
 * a title or link with a control character or too long. */
int outbox_add_part(struct outbox *ob, const char *id, int64_t created, enum cfg_format fmt,
		    const struct outbox_part *pt, const void *body, size_t len, char *name);

/* Finds the oldest entry whose name sorts after `after` ("" or NULL for the
 * very oldest) and writes its name to name (OUTBOX_NAME_BYTES). Files that
 * are not entries are skipped. Returns 0, -ENOENT when there is none, or a
 * negative errno from reading the folder. Blocks on I/O (one folder scan). */
int outbox_next(struct outbox *ob, const char *after, char *name);

/* outbox_next(ob, NULL, name). */
int outbox_oldest(struct outbox *ob, char *name);

/* Finds the entry of digest id and writes its name to name
 * (OUTBOX_NAME_BYTES). Returns 0, -ENOENT when there is none, or a negative
 * errno from reading the folder. Blocks on I/O (one folder scan). */
int outbox_find(struct outbox *ob, const char *id, char *name);

/* The id in entry name `name` (as outbox_next gives it) to id
 * (DIGEST_ID_BYTES): for an entry that cannot be read. 0, or -EINVAL when
 * name is not an entry's. */
int outbox_name_id(const char *name, char id[DIGEST_ID_BYTES]);

/* Reads entry `name` into e (caller-owned, about 1 MiB). Returns 0;
 * -ENOENT when it has gone; -EBADMSG when it is damaged (bad header, wrong
 * length, unknown format, id not matching the name, body not matching its
 * checksum, a link, a FIFO or anything but a regular file: opened without
 * following links or blocking), in which case it has been moved to dead/
 * with a reason file and logged: go on with the next.
 * Other negative errnos: an I/O error, or a damaged entry's move to dead/
 * refused, logged, entry left in place. */
int outbox_read(struct outbox *ob, const char *name, struct outbox_entry *e);

/* Records a failed attempt made at `at` (Unix seconds, the clock that
 * computed next_attempt): sets e->attempts, e->next_attempt and
 * e->last_attempt and rewrites the entry atomically. Returns 0 or a
 * negative errno after logging (the old file is then intact; e holds the
 * new values). Blocks on I/O. */
int outbox_update_attempt(struct outbox *ob, struct outbox_entry *e, unsigned attempts,
			  int64_t next_attempt, int64_t at);

/* Deletes a delivered entry. Call only after a 2xx. Returns 0 (also when it
 * is already gone) or a negative errno after logging. Blocks on I/O. */
int outbox_remove(struct outbox *ob, const char *name);

/* Moves entry `name` to dead/ beside <name>.reason, which holds the reason
 * line, a blank line, then the first answer_len bytes of answer (may be
 * NULL/0). The reason file is written first, so a crash leaves the entry in
 * the outbox, never nowhere. Returns 0 or a negative errno after logging.
 * Blocks on I/O. */
int outbox_dead_letter(struct outbox *ob, const char *name, const char *reason,
		       const void *answer, size_t answer_len);

/* Total size in bytes of the entry files now in the outbox, for the
 * [digest] outbox_max cap: at or over it, stop composing (articles wait)
 * and say so. Returns 0 with *bytes set, or a negative errno. Blocks on I/O. */
int outbox_bytes(struct outbox *ob, uint64_t *bytes);

/* Number of entries in the outbox, same rules as outbox_bytes. */
int outbox_count(struct outbox *ob, unsigned *count);

/* The outboxes in state folder state_fd that no endpoint of c takes:
 * outbox/ itself when c has no plain [endpoint], each outbox/NAME/ whose
 * NAME is not one of c's [endpoint NAME]s (removed or renamed). Calls
 * fn(name, where, count, arg) for each that holds entries (name "" for
 * outbox/; where as outbox.where says it, "outbox" or "outbox/NAME").
 * Makes, moves and sweeps nothing; a folder that cannot be read, or a
 * link, is skipped. Returns the entries of all of them. Blocks on I/O. */
typedef void (*outbox_unclaimed_fn)(const char *name, const char *where, unsigned count,
				    void *arg);
unsigned outbox_unclaimed(int state_fd, const struct cfg *c, outbox_unclaimed_fn fn, void *arg);

/* Parses an entry file image named `name` into e, without I/O or logging.
 * Returns 0, or -EBADMSG with a short reason in why (OUTBOX_REASON_BYTES).
 * For outbox_read and the fuzzer. */
int outbox_parse(const char *name, const void *buf, size_t len, struct outbox_entry *e,
		 char *why);

#endif
