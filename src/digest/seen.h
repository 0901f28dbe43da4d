/* SPDX-License-Identifier: MIT */
/* The seen-set: SHA-256 keys of articles already digested and of delivered
 * articles' text, in a fixed ring (oldest forgotten first) with an index, in
 * one file replaced atomically. Never allocates; reads damage safely. */
#ifndef DIGESTD_SEEN_H
#define DIGESTD_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

#define SEEN_KEY_BYTES 32u

/* On-disk layout (all integers little-endian), SEEN_HEADER_BYTES then
 * capacity x 32 bytes of keys:
 *   0  "DGSTSEEN"   8  version (1)   12 capacity   16 count   20 next
 *   24 8 zero bytes 32 SHA-256 of the key area
 * Keys [0, count) are in use; next is where the next key goes (the oldest
 * once count == capacity). docs/digest.md describes it too. */
#define SEEN_HEADER_BYTES 64u
#define SEEN_VERSION 1u

/* The set lives in the caller's struct (static: about 10 MiB of bss, of
 * which only capacity x 32 bytes of ring and slots x 4 bytes of index are
 * ever touched; see limits.h). */
struct seen {
	char path[CFG_PATH_BYTES + 16]; /* <state_dir>/seen, for messages */
	int dirfd;       /* the state folder (the caller's): the file is "seen" in it */
	uint32_t capacity, count, next;
	uint32_t slots;  /* index size: power of two >= 2 x capacity */
	int dirty;       /* keys added since the last commit */
	uint32_t index[SEEN_MAX_SLOTS]; /* ring position + 1; 0 = empty */
	unsigned char key[SEEN_MAX_CAPACITY][SEEN_KEY_BYTES];
};

/* The key of an article: SHA-256 of "url:" + url_canonical's form of url
 * (core/url.h) when url is neither NULL nor blank, else of "guid:" + guid
 * with surrounding whitespace trimmed. Returns 0, or -EINVAL when both are
 * blank. */
int seen_key(const char *url, const char *guid, unsigned char key[SEEN_KEY_BYTES]);

/* Fewest words of text (the title's aside) an article needs for a text
 * key: from a headline alone, or with a line of teaser, a series titled
 * alike ("Daily briefing") cannot be told from its last episode. */
#define SEEN_TEXT_MIN_WORDS 8u

/* The key of an article's content, which goes into the set beside its URL
 * key once it is delivered: SHA-256 of "text:" + the 64-bit hashes of the
 * case-folded words (summarise/token.h: punctuation and spacing do not
 * count, numbers do) of title[0, title_len), a zero mark, then those of
 * the first SOURCE_TEXT_BYTES of text[0, len). The same title and text give
 * the same key under any URL or guid; it cannot equal a URL or guid key.
 * Returns 0, or -ENODATA (key written, not to be used) when the text has
 * fewer than SEEN_TEXT_MIN_WORDS words. Never blocks. */
int seen_text_key(const char *title, size_t title_len, const char *text, size_t len,
		  unsigned char key[SEEN_KEY_BYTES]);

/* The key digestd 0.1.0 gave the same article (its canonical URL dropped
 * only utm_* parameters): where it differs from seen_key's, a set written
 * by that version holds this one, so callers look both up and an upgrade
 * delivers nothing twice. Same returns as seen_key. */
int seen_key_legacy(const char *url, const char *guid, unsigned char key[SEEN_KEY_BYTES]);

/* Loads the set from the file "seen" in the state folder dirfd (dir names
 * it in messages; dirfd stays the caller's and must stay open) with room for
 * capacity keys (SEEN_MIN_CAPACITY..SEEN_MAX_CAPACITY, else -EINVAL and s
 * unusable). A file of another capacity keeps its newest keys. Returns 0
 * when the file was read or does not exist (an empty set). A damaged file
 * (bad magic, version, sizes, checksum, truncation) is logged with its name,
 * renamed to "seen.corrupt" and replaced by an empty set: returns -EBADMSG.
 * A file that cannot be read, or is not a regular file (a symbolic link is
 * never followed, a FIFO never waited on; see file_open_read): logged, an
 * empty set, its negative errno; the caller should not go on with it, since
 * saving would replace what it could not read. In every case but -EINVAL, s
 * is usable afterwards. Blocks on file I/O. */
int seen_open(struct seen *s, int dirfd, const char *dir, unsigned capacity);

/* Memory only; never block. seen_contains returns 1 or 0. seen_add returns
 * 1 when the key was added (forgetting the oldest when full) and 0 when it
 * was already there. */
int seen_contains(const struct seen *s, const unsigned char key[SEEN_KEY_BYTES]);
int seen_add(struct seen *s, const unsigned char key[SEEN_KEY_BYTES]);
unsigned seen_count(const struct seen *s);

/* Writes the set to its file when keys were added since the last commit:
 * a temporary file beside it ("seen.tmp"), fsync, rename over the file,
 * fsync of the folder. Returns 0, or a negative errno after logging (the old file is then
 * intact and the set stays dirty, to be committed later). Blocks on I/O.
 * Commit after the digest holding those articles is in the outbox: a crash
 * in between then repeats articles rather than losing them. */
int seen_commit(struct seen *s);

/* Parses a seen file image (as seen_open reads it) into s with room for
 * capacity keys, without I/O or logging. Returns 0 or -EBADMSG (s is then an
 * empty set), -EINVAL for a bad capacity. For seen_open and the fuzzer. */
int seen_load_buffer(struct seen *s, const void *buf, size_t len, unsigned capacity);

/* The fill of a seen file from its first len bytes (the header; the keys
 * and their checksum are not read), for `digestd status`: 0 with the keys
 * in use and the file's capacity, or -EBADMSG with why naming the damage (a
 * static string). Pure. */
int seen_peek(const void *buf, size_t len, unsigned *count, unsigned *capacity,
	      const char **why);

#endif
