/* SPDX-License-Identifier: MIT */
/* The pending list in memory and its file: every field of a file read back
 * is checked (sizes, offsets, string counts, checksum) before it is used;
 * writes go through a temporary file and rename only. */
#include "pending.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/file.h"
#include "core/log.h"
#include "core/sha256.h"
#include "digest/digest.h"

static const char pending_magic[8] = { 'D', 'G', 'S', 'T', 'P', 'E', 'N', 'D' };

_Static_assert(PENDING_HEADER_BYTES == 88 + 32, "header: fields then checksum");
_Static_assert(24 + DIGEST_ID_BYTES == 88, "the id fills the header up to the checksum");
_Static_assert(RUN_PENDING_BYTES < 0xffffffffu, "arena offsets are 32-bit");
_Static_assert(sizeof(struct pending_item) <= RUN_PENDING_ITEM_BYTES,
	       "limits.h states what a pending article costs");
_Static_assert(sizeof(float) == 4, "a weight is kept as its 32 bits");
_Static_assert(PENDING_RECORD_BYTES == PENDING_RECORD_V2_BYTES + SEEN_KEY_BYTES,
	       "version 3 added the text key to version 2's record");

/* A fingerprint's bytes in the file: 8 a stem. */
#define PRINT_TERM_BYTES 8u

void pending_init(struct pending *p)
{
	p->n = 0;
	p->used = 0;
	p->inflight = 0;
	memset(p->inflight_id, 0, sizeof(p->inflight_id));
	p->n_problems = 0;
}

int pending_has(const struct pending *p, const unsigned char key[SEEN_KEY_BYTES])
{
	for (unsigned i = 0; i < p->n; i++)
		if (memcmp(p->item[i].key, key, SEEN_KEY_BYTES) == 0)
			return 1;
	return 0;
}

static void put_str(struct pending *p, uint32_t *at, const char *s, size_t n)
{
	memcpy(p->arena + *at, s, n);
	/* A NUL inside a sentence would end it early and shift the rest. */
	for (size_t i = 0; i < n; i++)
		if (p->arena[*at + i] == '\0')
			p->arena[*at + i] = ' ';
	p->arena[*at + n] = '\0';
	*at += (uint32_t)n + 1;
}

/* The arena bytes an article takes: its strings, then its fingerprint. */
static size_t need_of(const struct digest_article *a, uint32_t n_print)
{
	const char *strs[4] = { a->source, a->title ? a->title : "", a->url ? a->url : "",
				a->lang ? a->lang : "" };
	size_t need = (size_t)n_print * PRINT_TERM_BYTES;

	for (int i = 0; i < 4; i++)
		need += strlen(strs[i]) + 1;
	for (unsigned i = 0; i < a->n_sentences; i++)
		need += a->sentences[i].len + 1;
	return need;
}

int pending_fits(const struct pending *p, const struct digest_article *a, uint32_t n_print)
{
	return p->n < RUN_PENDING_MAX && need_of(a, n_print) <= sizeof(p->arena) - p->used;
}

/* Writes print's stems at arena offset at (PRINT_TERM_BYTES each). */
static void put_print(struct pending *p, uint32_t at, const struct story_print *print)
{
	unsigned char *b = (unsigned char *)p->arena + at;
	uint32_t bits;

	for (uint32_t t = 0; t < print->n; t++, b += PRINT_TERM_BYTES) {
		memcpy(&bits, &print->weight[t], sizeof(bits));
		bytes_put32(b, print->hash[t]);
		bytes_put32(b + 4, bits);
	}
}

int pending_add(struct pending *p, const unsigned char key[SEEN_KEY_BYTES],
		const unsigned char *text_key, const struct digest_article *a,
		const struct story_print *print)
{
	const char *strs[4] = { a->source, a->title ? a->title : "", a->url ? a->url : "",
				a->lang ? a->lang : "" };
	uint32_t n_print = print ? print->n : 0;
	struct pending_item *it;
	uint32_t at = p->used;

	if (!a->source || a->n_sentences > SUMM_MAX_PICK || n_print > STORY_PRINT_TERMS)
		return -EINVAL;
	if (!pending_fits(p, a, n_print))
		return -ENOSPC;
	it = &p->item[p->n];
	memcpy(it->key, key, SEEN_KEY_BYTES);
	if (text_key)
		memcpy(it->text_key, text_key, SEEN_KEY_BYTES);
	else
		memset(it->text_key, 0, SEEN_KEY_BYTES);
	it->published = a->has_published ? a->published : 0;
	it->has_published = a->has_published;
	it->off = p->used;
	it->len = (uint32_t)need_of(a, n_print);
	it->n_sentences = a->n_sentences;
	it->n_print = print ? n_print : PENDING_NO_PRINT;
	for (int i = 0; i < 4; i++)
		put_str(p, &at, strs[i], strlen(strs[i]));
	for (unsigned i = 0; i < a->n_sentences; i++)
		put_str(p, &at, a->sentences[i].p, a->sentences[i].len);
	if (print)
		put_print(p, at, print);
	p->used = it->off + it->len;
	p->n++;
	return 0;
}

/* Reads n stems from b into out: 0, or -EBADMSG for hashes not rising (or
 * 0) or a weight that is not finite and non-negative. */
static int get_print(const unsigned char *b, uint32_t n, struct story_print *out)
{
	uint32_t bits;

	out->n = n;
	for (uint32_t t = 0; t < n; t++, b += PRINT_TERM_BYTES) {
		out->hash[t] = bytes_get32(b);
		bits = bytes_get32(b + 4);
		memcpy(&out->weight[t], &bits, sizeof(bits));
		if (!out->hash[t] || (t && out->hash[t - 1] >= out->hash[t]) ||
		    !isfinite(out->weight[t]) || out->weight[t] < 0.0f)
			return -EBADMSG;
	}
	return 0;
}

const unsigned char *pending_text_key(const struct pending *p, unsigned i)
{
	static const unsigned char none[SEEN_KEY_BYTES];
	const unsigned char *k = p->item[i].text_key;

	return memcmp(k, none, SEEN_KEY_BYTES) != 0 ? k : NULL;
}

int pending_print(const struct pending *p, unsigned i, struct story_print *out)
{
	const struct pending_item *it = &p->item[i];
	uint32_t n = it->n_print;

	out->n = 0;
	if (n == PENDING_NO_PRINT)
		return -ENOENT;
	/* Checked when listed or loaded: it reads back. */
	return get_print((const unsigned char *)p->arena + it->off + it->len -
				 n * PRINT_TERM_BYTES, n, out);
}

int pending_set_print(struct pending *p, unsigned i, const struct story_print *print)
{
	struct pending_item *it = &p->item[i];
	uint32_t end = it->off + it->len, k = print->n * PRINT_TERM_BYTES;

	if (it->n_print != PENDING_NO_PRINT)
		return -EEXIST;
	if (print->n > STORY_PRINT_TERMS)
		return -EINVAL;
	if (k > sizeof(p->arena) - p->used)
		return -ENOSPC;
	memmove(p->arena + end + k, p->arena + end, p->used - end);
	put_print(p, end, print);
	p->used += k;
	it->len += k;
	it->n_print = print->n;
	for (unsigned j = i + 1; j < p->n; j++)
		p->item[j].off += k;
	return 0;
}

void pending_get(const struct pending *p, unsigned i, struct digest_article *a,
		 struct digest_span *spans)
{
	const struct pending_item *it = &p->item[i];
	const char *s = p->arena + it->off;
	const char **strs[4] = { &a->source, &a->title, &a->url, &a->lang };

	for (int k = 0; k < 4; k++) {
		*strs[k] = s;
		s += strlen(s) + 1;
	}
	for (unsigned k = 0; k < it->n_sentences; k++) {
		spans[k].p = s;
		spans[k].len = strlen(s);
		s += spans[k].len + 1;
	}
	a->sentences = spans;
	a->n_sentences = it->n_sentences;
	a->published = it->published;
	a->has_published = it->has_published != 0;
	a->also = NULL;
	a->n_also = 0;
}

/* Reverses arena[a..b). */
static void reverse(char *arena, uint32_t a, uint32_t b)
{
	while (b > a + 1) {
		char c = arena[a];

		arena[a++] = arena[--b];
		arena[b] = c;
	}
}

void pending_move(struct pending *p, unsigned from, unsigned to)
{
	struct pending_item it;
	uint32_t start, end, len;

	if (to >= from || from >= p->n)
		return;
	it = p->item[from];
	start = p->item[to].off;
	end = it.off + it.len;
	len = it.len;
	/* Rotating [start, end) right by len in place (three reversals) needs
	 * no scratch arena. */
	reverse(p->arena, start, end);
	reverse(p->arena, start, start + len);
	reverse(p->arena, start + len, end);
	memmove(&p->item[to + 1], &p->item[to], (from - to) * sizeof(p->item[0]));
	for (unsigned k = to + 1; k <= from; k++)
		p->item[k].off += len;
	it.off = start;
	p->item[to] = it;
}

/* Removes item i, closing the gap in the arena. */
static void remove_at(struct pending *p, unsigned i)
{
	uint32_t off = p->item[i].off, len = p->item[i].len;

	memmove(p->arena + off, p->arena + off + len, p->used - off - len);
	p->used -= len;
	memmove(&p->item[i], &p->item[i + 1], (p->n - i - 1) * sizeof(p->item[0]));
	p->n--;
	for (unsigned k = i; k < p->n; k++)
		p->item[k].off -= len;
}

void pending_shift(struct pending *p, unsigned n)
{
	uint32_t cut;

	if (n > p->n)
		n = p->n;
	cut = n < p->n ? p->item[n].off : p->used;
	memmove(p->arena, p->arena + cut, p->used - cut);
	p->used -= cut;
	memmove(p->item, p->item + n, (p->n - n) * sizeof(p->item[0]));
	p->n -= n;
	for (unsigned k = 0; k < p->n; k++)
		p->item[k].off -= cut;
	p->inflight = 0;
	memset(p->inflight_id, 0, sizeof(p->inflight_id));
	p->n_problems = 0;
}

unsigned pending_drop_if(struct pending *p,
			 int (*drop)(const unsigned char key[SEEN_KEY_BYTES], void *arg), void *arg)
{
	unsigned dropped = 0;

	for (unsigned i = 0; i < p->n;) {
		if (drop(p->item[i].key, arg)) {
			remove_at(p, i);
			dropped++;
		} else {
			i++;
		}
	}
	return dropped;
}

static void header(const struct pending *p, unsigned char h[PENDING_HEADER_BYTES])
{
	memset(h, 0, PENDING_HEADER_BYTES);
	memcpy(h, pending_magic, sizeof(pending_magic));
	bytes_put32(h + 8, p->n_problems ? PENDING_VERSION_PROBLEMS : PENDING_VERSION);
	bytes_put32(h + 12, p->n);
	bytes_put32(h + 16, p->used);
	bytes_put32(h + 20, p->inflight);
	memcpy(h + 24, p->inflight_id, strnlen(p->inflight_id, DIGEST_ID_BYTES - 1));
}

static void record(const struct pending_item *it, unsigned char r[PENDING_RECORD_BYTES])
{
	memcpy(r, it->key, SEEN_KEY_BYTES);
	bytes_put64(r + 32, (uint64_t)it->published);
	bytes_put32(r + 40, it->has_published);
	bytes_put32(r + 44, it->off);
	bytes_put32(r + 48, it->len);
	bytes_put32(r + 52, it->n_sentences);
	bytes_put32(r + 56, it->n_print);
	memcpy(r + 60, it->text_key, SEEN_KEY_BYTES);
}

/* The problems block of version 4 (none: no bytes); returns its length. */
static size_t problems(const struct pending *p, unsigned char *b)
{
	if (!p->n_problems)
		return 0;
	bytes_put32(b, p->n_problems);
	for (unsigned i = 0; i < p->n_problems; i++) {
		const struct digest_problem *pr = &p->problem[i];
		unsigned char *r = b + 4 + (size_t)i * PENDING_PROBLEM_BYTES;

		memset(r, 0, PENDING_PROBLEM_BYTES);
		memcpy(r, pr->source, strnlen(pr->source, CFG_SOURCE_NAME_BYTES - 1));
		memcpy(r + CFG_SOURCE_NAME_BYTES, pr->error,
		       strnlen(pr->error, SRCSTATE_ERROR_BYTES - 1));
		bytes_put64(r + CFG_SOURCE_NAME_BYTES + SRCSTATE_ERROR_BYTES, (uint64_t)pr->since);
		bytes_put32(r + CFG_SOURCE_NAME_BYTES + SRCSTATE_ERROR_BYTES + 8, pr->failures);
	}
	return 4 + (size_t)p->n_problems * PENDING_PROBLEM_BYTES;
}

/* The header, the records and the problems, built whole so that the file is
 * written in two parts (this and the arena). RAM: 51 KiB. */
static unsigned char image[PENDING_HEADER_BYTES + RUN_PENDING_MAX * PENDING_RECORD_BYTES + 4 +
			   DIGEST_MAX_PROBLEMS * PENDING_PROBLEM_BYTES];

int pending_save(const struct pending *p, int dirfd, const char *dir)
{
	unsigned char *r = image + PENDING_HEADER_BYTES;
	size_t rec_len = (size_t)p->n * PENDING_RECORD_BYTES, len;
	mbedtls_sha256_context sha;
	int rc;

	header(p, image);
	for (unsigned i = 0; i < p->n; i++)
		record(&p->item[i], r + (size_t)i * PENDING_RECORD_BYTES);
	len = rec_len + problems(p, r + rec_len);
	sha256_start(&sha);
	sha256_update(&sha, image, 88);
	sha256_update(&sha, r, len);
	sha256_update(&sha, p->arena, p->used);
	sha256_finish(&sha, image + 88);
	rc = file_replace_at(dirfd, "pending", "pending.tmp", image, PENDING_HEADER_BYTES + len,
			     p->arena, p->used);
	if (rc < 0)
		log_warnx("%s/pending: cannot save the articles waiting for a digest: %s", dir,
			  strerror(-rc));
	return rc;
}

/* Checks one record's strings: exactly 4 + n_sentences NUL-terminated
 * strings fill its bytes. */
static int strings_ok(const char *s, uint32_t len, uint32_t n_sentences)
{
	uint32_t nuls = 0;

	if (len == 0 || s[len - 1] != '\0')
		return 0;
	for (uint32_t i = 0; i < len; i++)
		nuls += s[i] == '\0';
	return nuls == 4 + n_sentences;
}

static int id_ok(const char *id)
{
	size_t n = strnlen(id, DIGEST_ID_BYTES);

	if (!digest_id_valid(id, n))
		return 0;
	for (size_t i = n; i < DIGEST_ID_BYTES; i++)
		if (id[i])
			return 0;
	return 1;
}

/* One record's bytes: exactly 4 + n_sentences NUL-terminated strings,
 * then n_print good stems (none for PENDING_NO_PRINT). */
static int record_ok(const char *s, uint32_t len, uint32_t n_sentences, uint32_t n_print)
{
	struct story_print print;
	uint32_t k = n_print == PENDING_NO_PRINT ? 0 : n_print * PRINT_TERM_BYTES;

	if (n_print != PENDING_NO_PRINT && n_print > STORY_PRINT_TERMS)
		return 0;
	if (k > len || !strings_ok(s, len - k, n_sentences))
		return 0;
	return k == 0 || get_print((const unsigned char *)s + len - k, n_print, &print) == 0;
}

/* Version 4's problems block at b, of the len bytes before the arena, into
 * p: 1, or 0 when damaged. */
static int problems_ok(struct pending *p, const unsigned char *b, size_t len)
{
	uint32_t n = len >= 4 ? bytes_get32(b) : 0;

	if (n == 0 || n > DIGEST_MAX_PROBLEMS || len != 4 + (size_t)n * PENDING_PROBLEM_BYTES)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *r = b + 4 + (size_t)i * PENDING_PROBLEM_BYTES;
		struct digest_problem *pr = &p->problem[i];

		memcpy(pr->source, r, CFG_SOURCE_NAME_BYTES);
		memcpy(pr->error, r + CFG_SOURCE_NAME_BYTES, SRCSTATE_ERROR_BYTES);
		if (!pr->source[0] || pr->source[CFG_SOURCE_NAME_BYTES - 1] ||
		    pr->error[SRCSTATE_ERROR_BYTES - 1])
			return 0;
		pr->since = (int64_t)bytes_get64(r + CFG_SOURCE_NAME_BYTES + SRCSTATE_ERROR_BYTES);
		pr->failures = bytes_get32(r + CFG_SOURCE_NAME_BYTES + SRCSTATE_ERROR_BYTES + 8);
	}
	p->n_problems = n;
	return 1;
}

int pending_parse(struct pending *p, const void *buf, size_t len)
{
	const unsigned char *b = buf, *rec;
	unsigned char sum[32];
	mbedtls_sha256_context sha;
	uint32_t version, count, arena_len, inflight, at = 0;
	size_t rec_bytes, extra;

	pending_init(p);
	if (len < PENDING_HEADER_BYTES || memcmp(b, pending_magic, sizeof(pending_magic)) != 0)
		goto bad;
	version = bytes_get32(b + 8);
	if (version < 1 || version > PENDING_VERSION_PROBLEMS)
		goto bad;
	rec_bytes = version == 1   ? PENDING_RECORD_V1_BYTES
		    : version == 2 ? PENDING_RECORD_V2_BYTES
				   : PENDING_RECORD_BYTES;
	count = bytes_get32(b + 12);
	arena_len = bytes_get32(b + 16);
	inflight = bytes_get32(b + 20);
	if (count > RUN_PENDING_MAX || arena_len > RUN_PENDING_BYTES || inflight > count ||
	    len < PENDING_HEADER_BYTES + (size_t)count * rec_bytes + arena_len)
		goto bad;
	extra = len - (PENDING_HEADER_BYTES + (size_t)count * rec_bytes + arena_len);
	if (version == PENDING_VERSION_PROBLEMS ?
		    !inflight || !problems_ok(p, b + len - arena_len - extra, extra) :
		    extra != 0)
		goto bad;
	sha256_start(&sha);
	sha256_update(&sha, b, 88);
	sha256_update(&sha, b + PENDING_HEADER_BYTES, len - PENDING_HEADER_BYTES);
	sha256_finish(&sha, sum);
	if (memcmp(sum, b + 88, sizeof(sum)) != 0)
		goto bad;
	memcpy(p->inflight_id, b + 24, DIGEST_ID_BYTES);
	if (inflight ? !id_ok(p->inflight_id) : p->inflight_id[0] != '\0')
		goto bad;
	memcpy(p->arena, b + len - arena_len, arena_len);
	rec = b + PENDING_HEADER_BYTES;
	for (uint32_t i = 0; i < count; i++, rec += rec_bytes) {
		struct pending_item *it = &p->item[i];

		memcpy(it->key, rec, SEEN_KEY_BYTES);
		it->published = (int64_t)bytes_get64(rec + 32);
		it->has_published = bytes_get32(rec + 40);
		it->off = bytes_get32(rec + 44);
		it->len = bytes_get32(rec + 48);
		it->n_sentences = bytes_get32(rec + 52);
		it->n_print = version == 1 ? PENDING_NO_PRINT : bytes_get32(rec + 56);
		if (version >= 3)
			memcpy(it->text_key, rec + 60, SEEN_KEY_BYTES);
		else
			memset(it->text_key, 0, SEEN_KEY_BYTES);
		if (it->has_published > 1 || it->off != at || it->len > arena_len - at ||
		    it->n_sentences > SUMM_MAX_PICK ||
		    !record_ok(p->arena + it->off, it->len, it->n_sentences, it->n_print))
			goto bad;
		at += it->len;
	}
	if (at != arena_len)
		goto bad;
	p->n = count;
	p->used = arena_len;
	p->inflight = inflight;
	return 0;
bad:
	pending_init(p);
	return -EBADMSG;
}

int pending_load(struct pending *p, int dirfd, const char *dir)
{
	void *map = MAP_FAILED;
	struct stat st;
	int fd, rc = 0;

	pending_init(p);
	unlinkat(dirfd, "pending.tmp", 0);
	fd = file_open_read(dirfd, "pending");
	if (fd < 0) {
		if (fd == -ENOENT)
			return 0;
		log_errx("%s/pending: cannot read the articles waiting for a digest: %s", dir,
			 file_strerror(fd));
		return fd;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		log_errx("%s/pending: cannot read the articles waiting for a digest: %s", dir,
			 strerror(-rc));
		goto out;
	}
	/* Larger than any list could be: damaged, and never mapped whole. */
	if (st.st_size < (off_t)PENDING_HEADER_BYTES ||
	    (uint64_t)st.st_size > sizeof(image) + (uint64_t)RUN_PENDING_BYTES) {
		rc = -EBADMSG;
	} else {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			rc = -errno;
			log_errx("%s/pending: cannot read the articles waiting for a digest: %s",
				 dir, strerror(-rc));
			goto out;
		}
		rc = pending_parse(p, map, (size_t)st.st_size);
		munmap(map, (size_t)st.st_size);
	}
out:
	close(fd);
	return rc;
}

int pending_set_aside(int dirfd, const char *dir)
{
	return file_set_aside(dirfd, dir, "pending", NULL,
			      "starting with no articles waiting; every feed is fetched in full at "
			      "its next poll",
			      "start-up stops (exit 75) to try again", "damaged pending list");
}

/* ---- the digest without articles being written (empty-digest) ---- */

/* What a file that cannot be used means. */
#define EMPTY_AGAIN "a digest without articles it named goes to every endpoint again"

int pending_empty_holds(const struct pending_empty *e, const char *name)
{
	for (unsigned i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return 1;
	return 0;
}

/* Adds name to the *n names of names (at most max), once. */
static int names_add(char (*names)[CFG_SOURCE_NAME_BYTES], unsigned *n, unsigned max,
		     const char *name)
{
	size_t len = strnlen(name, CFG_SOURCE_NAME_BYTES);

	if (len == CFG_SOURCE_NAME_BYTES)
		return -EINVAL;
	for (unsigned i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return 0;
	if (*n == max)
		return -ENOSPC;
	memcpy(names[*n], name, len + 1);
	(*n)++;
	return 0;
}

int pending_empty_add(struct pending_empty *e, const char *name)
{
	return names_add(e->name, &e->n, CFG_MAX_ENDPOINTS, name);
}

int pending_empty_list(struct pending_empty *e, const char *name)
{
	return name[0] ? names_add(e->listed, &e->n_listed, DIGEST_MAX_PROBLEMS, name) : -EINVAL;
}

int pending_empty_save(const struct pending_empty *e, int dirfd, const char *dir)
{
	char buf[PENDING_EMPTY_FILE_BYTES];
	size_t len;
	int n, rc;

	if (!e->id[0]) {
		rc = unlinkat(dirfd, "empty-digest", 0) < 0 && errno != ENOENT ? -errno : 0;
		if (rc == 0 && fsync(dirfd) < 0)
			rc = -errno;
		if (rc < 0)
			log_warnx("%s/empty-digest: cannot remove: %s", dir, strerror(-rc));
		return rc;
	}
	n = snprintf(buf, sizeof(buf), "%s\n", e->id);
	for (unsigned i = 0; n > 0 && (size_t)n < sizeof(buf) && i < e->n; i++) {
		len = (size_t)n;
		n = snprintf(buf + len, sizeof(buf) - len, "[endpoint%s%s]\n",
			     e->name[i][0] ? " " : "", e->name[i]);
		n = n < 0 ? n : n + (int)len;
	}
	for (unsigned i = 0; n > 0 && (size_t)n < sizeof(buf) && i < e->n_listed; i++) {
		len = (size_t)n;
		n = snprintf(buf + len, sizeof(buf) - len, "[source %s]\n", e->listed[i]);
		n = n < 0 ? n : n + (int)len;
	}
	/* Cannot happen within the limits (limits.h asserts it). */
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	rc = file_replace_at(dirfd, "empty-digest", "empty-digest.tmp", buf, (size_t)n, NULL, 0);
	if (rc < 0)
		log_warnx("%s/empty-digest: cannot save which endpoints hold digest %s: %s", dir,
			  e->id, strerror(-rc));
	return rc;
}

int pending_empty_parse(struct pending_empty *e, const void *buf, size_t len)
{
	const char *p = buf, *end = p + len, *nl = memchr(p, '\n', len);
	struct pending_empty out = { .n = 0 };

	memset(e, 0, sizeof(*e));
	if (!nl || !digest_id_valid(p, (size_t)(nl - p)))
		return -EBADMSG;
	memcpy(out.id, p, (size_t)(nl - p));
	for (p = nl + 1; p < end; p = nl + 1) {
		char name[CFG_SOURCE_NAME_BYTES];
		bool source = false;
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return -EBADMSG;
		n = (size_t)(nl - p);
		if (n == 10 && memcmp(p, "[endpoint]", 10) == 0) {
			n = 0;
		} else if (n > 11 && n - 11 < sizeof(name) && memcmp(p, "[endpoint ", 10) == 0 &&
			   p[n - 1] == ']') {
			p += 10;
			n -= 11;
		} else if (n > 9 && n - 9 < sizeof(name) && memcmp(p, "[source ", 8) == 0 &&
			   p[n - 1] == ']') {
			source = true;
			p += 8;
			n -= 9;
		} else {
			return -EBADMSG;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (strlen(name) != n || memchr(name, ' ', n) || memchr(name, ']', n) ||
		    (source ? pending_empty_list(&out, name) : pending_empty_add(&out, name)) < 0)
			return -EBADMSG;
	}
	*e = out;
	return 0;
}

int pending_empty_load(struct pending_empty *e, int dirfd, const char *dir)
{
	char buf[PENDING_EMPTY_FILE_BYTES + 1];
	size_t got = 0;
	int fd, rc;

	memset(e, 0, sizeof(*e));
	unlinkat(dirfd, "empty-digest.tmp", 0);
	fd = file_open_read(dirfd, "empty-digest");
	if (fd == -ENOENT)
		return 0;
	/* A folder is moved aside as a damaged file is: the rename of the
	 * next save cannot replace it (a link or a FIFO it replaces), so no
	 * digest without articles could be composed while it is there. */
	if (fd < 0 && fd != -EISDIR) {
		log_warnx("%s/empty-digest: %s; %s", dir, file_strerror(fd), EMPTY_AGAIN);
		return fd;
	}
	rc = fd;
	if (fd >= 0) {
		rc = file_read_full(fd, buf, sizeof(buf), &got);
		close(fd);
		if (rc < 0) {
			log_warnx("%s/empty-digest: cannot read: %s; %s", dir, strerror(-rc),
				  EMPTY_AGAIN);
			return rc;
		}
		if (got <= PENDING_EMPTY_FILE_BYTES && pending_empty_parse(e, buf, got) == 0)
			return 0;
		rc = -EBADMSG;
	}
	(void)file_set_aside(dirfd, dir, "empty-digest", NULL, EMPTY_AGAIN, NULL, "%s",
			     rc == -EBADMSG ? "damaged" : file_strerror(rc));
	return rc;
}
