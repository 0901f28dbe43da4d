/* SPDX-License-Identifier: MIT */
/* The seen-set: SHA-256 keys of canonical URLs and of delivered articles'
 * text, a ring with a linear-probing index, and its file. Reads damaged
 * files without trusting any field; writes only through a temporary file
 * and rename. */
#include "seen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/file.h"
#include "core/log.h"
#include "core/sha256.h"
#include "core/url.h"
#include "core/utf8.h"
#include "summarise/token.h"

static const char seen_magic[8] = { 'D', 'G', 'S', 'T', 'S', 'E', 'E', 'N' };

static void emit_sha(void *ctx, const char *p, size_t n)
{
	sha256_update(ctx, p, n);
}

/* The key with url_canonical_emit's flags: the URL goes into the hash in
 * pieces, so that URLs of any length get a key without a copy. */
static int key_with(const char *url, const char *guid, unsigned flags,
		    unsigned char key[SEEN_KEY_BYTES])
{
	mbedtls_sha256_context sha;
	size_t un = url ? strlen(url) : 0, gn = guid ? strlen(guid) : 0;

	utf8_ascii_trim(&url, &un);
	utf8_ascii_trim(&guid, &gn);
	if (un == 0 && gn == 0)
		return -EINVAL;
	sha256_start(&sha);
	if (un) {
		sha256_update(&sha, "url:", 4);
		url_canonical_emit(url, un, flags, emit_sha, &sha);
	} else {
		sha256_update(&sha, "guid:", 5);
		sha256_update(&sha, guid, gn);
	}
	sha256_finish(&sha, key);
	return 0;
}

int seen_key(const char *url, const char *guid, unsigned char key[SEEN_KEY_BYTES])
{
	return key_with(url, guid, 0, key);
}

int seen_key_legacy(const char *url, const char *guid, unsigned char key[SEEN_KEY_BYTES])
{
	return key_with(url, guid, URL_CANON_UTM_ONLY, key);
}

/* The text key's running hash and how many words went into it. */
struct text_hash {
	mbedtls_sha256_context sha;
	uint32_t words;
};

static void hash_word(void *ctx, const struct token *t)
{
	struct text_hash *h = ctx;
	unsigned char b[8];

	bytes_put64(b, t->word_hash);
	sha256_update(&h->sha, b, sizeof b);
	h->words++;
}

int seen_text_key(const char *title, size_t title_len, const char *text, size_t len,
		  unsigned char key[SEEN_KEY_BYTES])
{
	static const unsigned char mark[8];
	struct text_hash h = { .words = 0 };
	struct token_state tok;
	uint32_t title_words;

	sha256_start(&h.sha);
	sha256_update(&h.sha, "text:", 5);
	token_init(&tok, 0);
	token_feed(&tok, (const unsigned char *)title, title_len, hash_word, &h);
	token_finish(&tok, hash_word, &h);
	title_words = h.words;
	/* Where the title ends: a word moved into the text makes another
	 * article, as the reader sees it. */
	sha256_update(&h.sha, mark, sizeof mark);
	token_init(&tok, 0);
	token_feed(&tok, (const unsigned char *)text,
		   len < SOURCE_TEXT_BYTES ? len : SOURCE_TEXT_BYTES, hash_word, &h);
	token_finish(&tok, hash_word, &h);
	sha256_finish(&h.sha, key);
	return h.words - title_words < SEEN_TEXT_MIN_WORDS ? -ENODATA : 0;
}

static uint32_t home(const struct seen *s, const unsigned char *k)
{
	uint32_t h = (uint32_t)k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 |
		     (uint32_t)k[3] << 24;
	return h & (s->slots - 1);
}

static void index_insert(struct seen *s, uint32_t pos)
{
	uint32_t i = home(s, s->key[pos]);

	while (s->index[i])
		i = (i + 1) & (s->slots - 1);
	s->index[i] = pos + 1;
}

/* Backward-shift deletion keeps every probe chain unbroken without
 * tombstones, so lookups never slow down as the ring turns over. */
static void index_remove(struct seen *s, uint32_t pos)
{
	uint32_t mask = s->slots - 1;
	uint32_t i = home(s, s->key[pos]), j;

	while (s->index[i] != pos + 1) {
		if (s->index[i] == 0)
			return;
		i = (i + 1) & mask;
	}
	j = i;
	for (;;) {
		uint32_t k;

		j = (j + 1) & mask;
		if (s->index[j] == 0)
			break;
		k = home(s, s->key[s->index[j] - 1]);
		/* Entry j may move to the hole at i unless its home lies
		 * cyclically in (i, j]. */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			s->index[i] = s->index[j];
			i = j;
		}
	}
	s->index[i] = 0;
}

int seen_contains(const struct seen *s, const unsigned char key[SEEN_KEY_BYTES])
{
	uint32_t i = home(s, key);

	while (s->index[i]) {
		if (memcmp(s->key[s->index[i] - 1], key, SEEN_KEY_BYTES) == 0)
			return 1;
		i = (i + 1) & (s->slots - 1);
	}
	return 0;
}

int seen_add(struct seen *s, const unsigned char key[SEEN_KEY_BYTES])
{
	uint32_t pos = s->next;

	if (seen_contains(s, key))
		return 0;
	if (s->count == s->capacity)
		index_remove(s, pos);
	memcpy(s->key[pos], key, SEEN_KEY_BYTES);
	index_insert(s, pos);
	s->next = (pos + 1) % s->capacity;
	if (s->count < s->capacity)
		s->count++;
	s->dirty = 1;
	return 1;
}

unsigned seen_count(const struct seen *s)
{
	return s->count;
}

static int set_capacity(struct seen *s, unsigned capacity)
{
	if (capacity < SEEN_MIN_CAPACITY || capacity > SEEN_MAX_CAPACITY)
		return -EINVAL;
	s->capacity = capacity;
	s->slots = 1;
	while (s->slots < 2 * capacity)
		s->slots <<= 1;
	return 0;
}

static void make_empty(struct seen *s)
{
	s->count = 0;
	s->next = 0;
	s->dirty = 0;
	memset(s->index, 0, s->slots * sizeof s->index[0]);
	memset(s->key, 0, (size_t)s->capacity * SEEN_KEY_BYTES);
}

/* Checks a header; on success stores the file's capacity, count and next.
 * why says what is wrong otherwise. */
static int header_check(const unsigned char *h, uint32_t *fcap, uint32_t *count, uint32_t *next,
			const char **why)
{
	static const unsigned char zero[8];

	*fcap = bytes_get32(h + 12);
	*count = bytes_get32(h + 16);
	*next = bytes_get32(h + 20);
	if (memcmp(h, seen_magic, sizeof seen_magic) != 0)
		*why = "not a seen-set file";
	else if (bytes_get32(h + 8) != SEEN_VERSION)
		*why = "unknown version";
	else if (*fcap == 0 || *fcap > SEEN_MAX_CAPACITY)
		*why = "capacity out of range";
	else if (*count > *fcap || *next >= *fcap || (*count < *fcap && *next != *count))
		*why = "count or position out of range";
	else if (memcmp(h + 24, zero, sizeof zero) != 0)
		*why = "reserved bytes set";
	else
		return 0;
	return -EBADMSG;
}

int seen_peek(const void *buf, size_t len, unsigned *count, unsigned *capacity, const char **why)
{
	uint32_t fcap, n, next;

	*why = "truncated header";
	if (len < SEEN_HEADER_BYTES || header_check(buf, &fcap, &n, &next, why) < 0)
		return -EBADMSG;
	*count = n;
	*capacity = fcap;
	return 0;
}

static void swap_keys(struct seen *s, uint32_t a, uint32_t b)
{
	unsigned char t[SEEN_KEY_BYTES];

	memcpy(t, s->key[a], SEEN_KEY_BYTES);
	memcpy(s->key[a], s->key[b], SEEN_KEY_BYTES);
	memcpy(s->key[b], t, SEEN_KEY_BYTES);
}

static void reverse_keys(struct seen *s, uint32_t a, uint32_t b)
{
	while (a + 1 < b) {
		swap_keys(s, a, b - 1);
		a++;
		b--;
	}
}

/* The file's keys are in s->key[0, fcap): put them oldest first, keep the
 * newest that fit the configured capacity, zero the rest, build the index. */
static void adopt(struct seen *s, uint32_t fcap, uint32_t count, uint32_t next)
{
	uint32_t keep;

	if (count == fcap && next) {
		reverse_keys(s, 0, next);
		reverse_keys(s, next, fcap);
		reverse_keys(s, 0, fcap);
	}
	keep = count < s->capacity ? count : s->capacity;
	if (keep < count)
		memmove(s->key[0], s->key[count - keep], (size_t)keep * SEEN_KEY_BYTES);
	if (keep < s->capacity)
		memset(s->key[keep], 0, (size_t)(s->capacity - keep) * SEEN_KEY_BYTES);
	if (fcap > s->capacity)
		memset(s->key[s->capacity], 0, (size_t)(fcap - s->capacity) * SEEN_KEY_BYTES);
	s->count = keep;
	s->next = keep % s->capacity;
	memset(s->index, 0, s->slots * sizeof s->index[0]);
	for (uint32_t i = 0; i < keep; i++)
		index_insert(s, i);
	/* A file of another capacity is rewritten in the new shape. */
	s->dirty = fcap != s->capacity;
}

int seen_load_buffer(struct seen *s, const void *buf, size_t len, unsigned capacity)
{
	const unsigned char *b = buf;
	unsigned char sum[32];
	uint32_t fcap, count, next;
	const char *why;
	size_t area;

	if (set_capacity(s, capacity) < 0)
		return -EINVAL;
	make_empty(s);
	if (len < SEEN_HEADER_BYTES || header_check(b, &fcap, &count, &next, &why) < 0)
		return -EBADMSG;
	area = (size_t)fcap * SEEN_KEY_BYTES;
	if (len != SEEN_HEADER_BYTES + area)
		return -EBADMSG;
	sha256_once(b + SEEN_HEADER_BYTES, area, sum);
	if (memcmp(sum, b + 32, sizeof sum) != 0)
		return -EBADMSG;
	memcpy(s->key[0], b + SEEN_HEADER_BYTES, area);
	adopt(s, fcap, count, next);
	return 0;
}

/* Reads and checks the file into s; why names the damage for -EBADMSG. */
static int load_file(struct seen *s, int fd, const char **why)
{
	unsigned char h[SEEN_HEADER_BYTES], sum[32], extra;
	uint32_t fcap, count, next;
	size_t got, area;
	struct stat st;
	mbedtls_sha256_context sha;
	int rc;

	rc = file_read_full(fd, h, sizeof h, &got);
	if (rc < 0)
		return rc;
	*why = "truncated header";
	if (got < sizeof h || header_check(h, &fcap, &count, &next, why) < 0)
		return -EBADMSG;
	area = (size_t)fcap * SEEN_KEY_BYTES;
	if (fstat(fd, &st) < 0)
		return -errno;
	*why = st.st_size < (off_t)(SEEN_HEADER_BYTES + area) ? "truncated" : "trailing bytes";
	if (st.st_size != (off_t)(SEEN_HEADER_BYTES + area))
		return -EBADMSG;
	rc = file_read_full(fd, s->key[0], area, &got);
	if (rc < 0)
		return rc;
	*why = "truncated";
	if (got != area)
		return -EBADMSG;
	rc = file_read_full(fd, &extra, 1, &got);
	if (rc < 0)
		return rc;
	*why = "trailing bytes";
	if (got)
		return -EBADMSG;
	sha256_start(&sha);
	sha256_update(&sha, s->key[0], area);
	sha256_finish(&sha, sum);
	*why = "checksum mismatch";
	if (memcmp(sum, h + 32, sizeof sum) != 0)
		return -EBADMSG;
	adopt(s, fcap, count, next);
	return 0;
}

int seen_open(struct seen *s, int dirfd, const char *dir, unsigned capacity)
{
	const char *why = "damaged", *path = s->path;
	int n = snprintf(s->path, sizeof s->path, "%s/seen", dir);
	int fd, rc;

	if (n < 0 || (size_t)n >= sizeof s->path || set_capacity(s, capacity) < 0)
		return -EINVAL;
	s->dirfd = dirfd;
	make_empty(s);
	fd = file_open_read(dirfd, "seen");
	if (fd < 0) {
		if (fd == -ENOENT)
			return 0;
		log_errx("%s: cannot read the seen-set: %s", path, file_strerror(fd));
		return fd;
	}
	rc = load_file(s, fd, &why);
	close(fd);
	if (rc == 0)
		return 0;
	make_empty(s);
	if (rc != -EBADMSG) {
		log_warnx("%s: cannot read the seen-set (%s); starting with an empty one", path,
			  strerror(-rc));
		return rc;
	}
	(void)file_set_aside(dirfd, dir, "seen", NULL, "starting with an empty one", NULL,
			     "damaged seen-set (%s)", why);
	s->dirty = 1;
	return -EBADMSG;
}

int seen_commit(struct seen *s)
{
	unsigned char h[SEEN_HEADER_BYTES];
	size_t area = (size_t)s->capacity * SEEN_KEY_BYTES;
	int rc = 0;

	if (!s->dirty)
		return 0;
	memset(h, 0, sizeof h);
	memcpy(h, seen_magic, sizeof seen_magic);
	bytes_put32(h + 8, SEEN_VERSION);
	bytes_put32(h + 12, s->capacity);
	bytes_put32(h + 16, s->count);
	bytes_put32(h + 20, s->next);
	sha256_once(s->key[0], area, h + 32);
	rc = file_replace_at(s->dirfd, "seen", "seen.tmp", h, sizeof h, s->key[0], area);
	if (rc < 0)
		log_warnx("%s: cannot save the seen-set: %s", s->path, strerror(-rc));
	else
		s->dirty = 0;
	return rc;
}
