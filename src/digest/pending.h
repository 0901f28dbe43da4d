/* SPDX-License-Identifier: MIT */
/* The pending list: summarised articles waiting for the next digest, in a
 * fixed arena, kept on disk (<state_dir>/pending, replaced atomically) so a
 * restart loses none. Never allocates; reading a damaged file never crashes. */
#ifndef DIGESTD_PENDING_H
#define DIGESTD_PENDING_H

#include <stdint.h>

#include "core/limits.h"
#include "digest/digest.h"
#include "digest/seen.h"
#include "summarise/story.h"

/*
 * On-disk layout (integers little-endian): a PENDING_HEADER_BYTES header,
 * count records of PENDING_RECORD_BYTES, then arena_len bytes of arena.
 *   header:  0 "DGSTPEND"  8 version (3)  12 count  16 arena_len
 *            20 inflight (articles of the digest being written, 0 = none)
 *            24 its id, NUL-padded to DIGEST_ID_BYTES
 *            88 SHA-256 of header bytes 0..88, the records and the arena
 *   record:  0 key (32)  32 published (int64)  40 has_published  44 offset
 *            48 length  52 sentence count  56 its story fingerprint's stems
 *            (at most STORY_PRINT_TERMS; PENDING_NO_PRINT: none taken)
 *            60 its text key (seen_text_key; 32 zero bytes: none)
 * Version 4 is version 3 with, between the records and the arena, the
 * problems the digest in flight lists (docs/daemon.md): a count (1 to
 * DIGEST_MAX_PROBLEMS, inflight not 0), then per problem PENDING_PROBLEM_BYTES:
 *            0 source (NUL-padded)  32 error (NUL-padded)  160 since (int64)
 *            168 failures
 * A list naming no problem is written as version 3.
 * A record's bytes [offset, offset + length) of the arena are its strings
 * (source, title, url, lang, then its sentences, each NUL-terminated), then
 * its fingerprint: 8 bytes a stem, its hash and its weight's IEEE 754 bits,
 * hashes rising. Records are contiguous and in order. The arena is the same
 * in memory and on disk. Version 2 (before text keys were kept) had 60-byte
 * records, version 1 (before fingerprints) 56-byte ones: both still load,
 * their articles without what they lacked. docs/daemon.md describes the
 * two-phase use.
 */
#define PENDING_HEADER_BYTES 120u
#define PENDING_RECORD_BYTES 92u
#define PENDING_RECORD_V2_BYTES 60u
#define PENDING_RECORD_V1_BYTES 56u
#define PENDING_VERSION 3u
#define PENDING_VERSION_PROBLEMS 4u
#define PENDING_PROBLEM_BYTES (CFG_SOURCE_NAME_BYTES + SRCSTATE_ERROR_BYTES + 12u)
#define PENDING_NO_PRINT 0xffffffffu

struct pending_item {
	unsigned char key[SEEN_KEY_BYTES];
	int64_t published;
	uint32_t has_published;
	uint32_t off, len, n_sentences;
	uint32_t n_print; /* its fingerprint's stems, at its bytes' end; or PENDING_NO_PRINT */
	unsigned char text_key[SEEN_KEY_BYTES]; /* all zero: none */
};

/* About 820 KiB (limits.h): keep it static. inflight/inflight_id mark the first
 * `inflight` articles as going into digest inflight_id (see pending_save),
 * which lists the n_problems problems problem[]: the same ones when it is
 * composed again, and told once every endpoint holds it. */
struct pending {
	unsigned n;
	uint32_t used;
	unsigned inflight;
	char inflight_id[DIGEST_ID_BYTES];
	unsigned n_problems;
	struct digest_problem problem[DIGEST_MAX_PROBLEMS];
	struct pending_item item[RUN_PENDING_MAX];
	char arena[RUN_PENDING_BYTES];
};

/* An empty list. Never fails. */
void pending_init(struct pending *p);

/* 1 when an article with this key is waiting, else 0. */
int pending_has(const struct pending *p, const unsigned char key[SEEN_KEY_BYTES]);

/* Appends a copy of a (its strings may be NULL for ""; NUL bytes inside a
 * sentence become spaces), its text key (seen_text_key; NULL: none) and a
 * copy of its story fingerprint print (NULL: none taken). Returns 0;
 * -ENOSPC when the list or its arena is full (p unchanged); -EINVAL for
 * more than SUMM_MAX_PICK sentences or a NULL source. Never blocks. */
int pending_add(struct pending *p, const unsigned char key[SEEN_KEY_BYTES],
		const unsigned char *text_key, const struct digest_article *a,
		const struct story_print *print);

/* 1 when pending_add would take a with a fingerprint of n_print stems,
 * else 0 (a's sentences must be within SUMM_MAX_PICK). Pure. */
int pending_fits(const struct pending *p, const struct digest_article *a, uint32_t n_print);

/* Article i's (< p->n) text key, pointing into p; NULL when it has none. */
const unsigned char *pending_text_key(const struct pending *p, unsigned i);

/* Article i's (< p->n) fingerprint into out: 0, or -ENOENT when none was
 * taken (out empty). */
int pending_print(const struct pending *p, unsigned i, struct story_print *out);

/* Gives article i (< p->n), listed without a fingerprint, this one: 0;
 * -EEXIST when it has one; -ENOSPC when the arena cannot hold it (p
 * unchanged). Moves the articles after it in the arena. */
int pending_set_print(struct pending *p, unsigned i, const struct story_print *print);

/* Article i (< p->n) as digest_add takes it; its strings and spans point
 * into p and stay valid until p changes. spans needs SUMM_MAX_PICK slots. */
void pending_get(const struct pending *p, unsigned i, struct digest_article *a,
		 struct digest_span *spans);

/* Moves article from to place to (to <= from < p->n), the articles between
 * moving one place on; the arena is rotated in place. Nothing else
 * changes (not inflight either: the caller keeps the first p->inflight in
 * place). Never blocks; costs up to two passes over the arena. */
void pending_move(struct pending *p, unsigned from, unsigned to);

/* Drops the first n articles (they went out) and clears inflight and the
 * problems its digest lists. */
void pending_shift(struct pending *p, unsigned n);

/* Drops every article for which drop(key, arg) returns nonzero, keeping the
 * order of the rest. Returns how many were dropped. */
unsigned pending_drop_if(struct pending *p,
			 int (*drop)(const unsigned char key[SEEN_KEY_BYTES], void *arg), void *arg);

/* Writes p to the file "pending" in the state folder dirfd (dir names it in
 * messages) through "pending.tmp", fsync, rename and an fsync of the folder.
 * Returns 0 or a negative errno after logging (the old file is then intact,
 * or, when only the folder's fsync failed, replaced but not known durable).
 * Blocks on I/O. */
int pending_save(const struct pending *p, int dirfd, const char *dir);

/* Reads dirfd's "pending" into p. Returns 0 (also for a missing file: an
 * empty list). A damaged file gives an empty list and -EBADMSG, not logged
 * and left in place: the caller first forgets what the file covered (the
 * feeds' validators), then calls pending_set_aside, whose line says it. A
 * file that cannot be read or is not a regular file (never followed if a
 * link, never waited on if a FIFO; see file_open_read) is logged and gives
 * an empty list and its negative errno. A leftover "pending.tmp" is
 * removed. Blocks on I/O. */
int pending_load(struct pending *p, int dirfd, const char *dir);

/* Renames dirfd's damaged "pending" to "pending.corrupt" (kept for a look)
 * with file_set_aside's one line, which says that digestd starts with no
 * articles waiting and fetches every feed in full (the caller has dropped
 * the validators), or, when it cannot be moved, that start-up stops (the
 * caller returns -EAGAIN). Returns 0 or a negative errno after logging. */
int pending_set_aside(int dirfd, const char *dir);

/* Parses a file image into p, without I/O or logging: 0, or -EBADMSG with
 * p empty. For pending_load and the fuzzer. */
int pending_parse(struct pending *p, const void *buf, size_t len);

/*
 * A digest without articles (send_empty, or problems alone) has no article
 * to mark it in flight: the file "empty-digest" names it while it is
 * written to the endpoints, with each endpoint whose outbox holds it, so
 * that a restart writes it under the same id to the others only, and the
 * sources whose problems its last copy lists, told once every endpoint
 * holds it. Text: its id on the first line, then "[endpoint]" or
 * "[endpoint NAME]" per endpoint and "[source NAME]" per source, at most
 * PENDING_EMPTY_FILE_BYTES.
 */
struct pending_empty {
	char id[DIGEST_ID_BYTES]; /* "" for none (n and n_listed are then 0) */
	unsigned n, n_listed;
	char name[CFG_MAX_ENDPOINTS][CFG_SOURCE_NAME_BYTES]; /* "" the plain [endpoint] */
	char listed[DIGEST_MAX_PROBLEMS][CFG_SOURCE_NAME_BYTES];
};

/* 1 when e holds the endpoint called name ("" the plain one), else 0. */
int pending_empty_holds(const struct pending_empty *e, const char *name);

/* Adds the endpoint called name to e: 0, -ENOSPC when e is full, -EINVAL
 * for a name of CFG_SOURCE_NAME_BYTES or more. */
int pending_empty_add(struct pending_empty *e, const char *name);

/* Adds the source called name (not "") to those whose problems e lists:
 * 0, -ENOSPC after DIGEST_MAX_PROBLEMS, -EINVAL as above. */
int pending_empty_list(struct pending_empty *e, const char *name);

/* Writes e to dirfd's "empty-digest" (dir names it in messages) through
 * "empty-digest.tmp" as pending_save does; with no id, removes the file
 * and fsyncs the folder. Returns 0 or a negative errno after logging.
 * Blocks on I/O. */
int pending_empty_save(const struct pending_empty *e, int dirfd, const char *dir);

/* Reads dirfd's "empty-digest" into e (none when it is missing), removing
 * a leftover "empty-digest.tmp". A damaged file, or a folder (which a save
 * could not replace), is moved aside as "empty-digest.corrupt", one that
 * cannot be read (a link, a FIFO, an I/O error) is left for the next save
 * to replace; either is one warning and gives none (the digest is then
 * written to every endpoint under a new id: told twice rather than never)
 * and its negative errno. Blocks on I/O. */
int pending_empty_load(struct pending_empty *e, int dirfd, const char *dir);

/* Parses the file's bytes into e, without I/O or logging: 0, or -EBADMSG
 * with e none. */
int pending_empty_parse(struct pending_empty *e, const void *buf, size_t len);

#endif
