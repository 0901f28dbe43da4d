/* SPDX-License-Identifier: MIT */
/* The pending list: add and get back, NUL bytes, caps, shift and drop, the
 * file round trip with an in-flight digest, story fingerprints and text
 * keys, version 1 (no fingerprints) and 2 (no text keys) files still read,
 * damaged and missing files; the empty-digest file the same way. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/bytes.h"
#include "core/log.h"
#include "core/sha256.h"
#include "digest/pending.h"

static struct pending p, q;
static char dir[64];
static int dfd = -1; /* the test's state folder */

static void key_of(unsigned i, unsigned char key[SEEN_KEY_BYTES])
{
	memset(key, 0, SEEN_KEY_BYTES);
	memcpy(key, &i, sizeof(i));
	key[31] = 0x5a;
}

/* Article i's fingerprint: (7 i) mod 65 stems, hashes rising, weights
 * of i's own. */
static void print_of(unsigned i, struct story_print *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->n = (7u * i) % (STORY_PRINT_TERMS + 1);
	for (uint32_t t = 0; t < pr->n; t++) {
		pr->hash[t] = 1000u * (t + 1) + i;
		pr->weight[t] = 1.0f / (float)(t + i + 1);
	}
}

/* Article i's text key: its key with another last byte. */
static void text_key_of(unsigned i, unsigned char key[SEEN_KEY_BYTES])
{
	key_of(i, key);
	key[31] = 0x7e;
}

/* The same article: fields, text key, and the same fingerprint (or none). */
static int same_item(const struct pending *a, const struct pending *b, unsigned i)
{
	const struct pending_item *x = &a->item[i], *y = &b->item[i];
	static struct story_print px, py;
	int rx = pending_print(a, i, &px), ry = pending_print(b, i, &py);

	return memcmp(x->key, y->key, SEEN_KEY_BYTES) == 0 &&
	       memcmp(x->text_key, y->text_key, SEEN_KEY_BYTES) == 0 && x->published == y->published &&
	       x->has_published == y->has_published && x->off == y->off && x->len == y->len &&
	       x->n_sentences == y->n_sentences && x->n_print == y->n_print && rx == ry &&
	       px.n == py.n && memcmp(px.hash, py.hash, px.n * sizeof(px.hash[0])) == 0 &&
	       memcmp(px.weight, py.weight, px.n * sizeof(px.weight[0])) == 0;
}

/* Adds article i; every third (i % 3 == 1) without a fingerprint, every
 * second (odd i) without a text key. */
static int add(struct pending *l, unsigned i, const char *title, unsigned n_sentences)
{
	struct story_print pr;
	static const char text[] = "First sentence.\0Second\0one.";
	struct digest_span spans[3] = { { text, 15 }, { text + 16, 11 }, { "x", 1 } };
	struct digest_article a = { .source = "src", .title = title, .url = "https://e.example/a",
				    .lang = "en", .published = 1416000000 + i,
				    .has_published = i % 2 == 0, .sentences = spans,
				    .n_sentences = n_sentences };
	unsigned char key[SEEN_KEY_BYTES], text_key[SEEN_KEY_BYTES];

	key_of(i, key);
	text_key_of(i, text_key);
	print_of(i, &pr);
	return pending_add(l, key, i % 2 ? NULL : text_key, &a, i % 3 == 1 ? NULL : &pr);
}

static void add_and_get(void)
{
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article a;
	unsigned char key[SEEN_KEY_BYTES];

	pending_init(&p);
	CHECK_INT(add(&p, 0, "Title zero", 2), 0);
	CHECK_INT(add(&p, 1, NULL, 3), 0);
	CHECK_INT(p.n, 2);
	pending_get(&p, 0, &a, spans);
	CHECK_STR(a.source, "src");
	CHECK_STR(a.title, "Title zero");
	CHECK_STR(a.url, "https://e.example/a");
	CHECK_STR(a.lang, "en");
	CHECK_INT(a.n_sentences, 2);
	CHECK_INT(a.published, 1416000000);
	CHECK(a.has_published);
	CHECK(spans[0].len == 15 && memcmp(spans[0].p, "First sentence.", 15) == 0);
	/* The NUL inside the second sentence became a space. */
	CHECK(spans[1].len == 11 && memcmp(spans[1].p, "Second one.", 11) == 0);
	pending_get(&p, 1, &a, spans);
	CHECK_STR(a.title, "");
	CHECK(!a.has_published);
	CHECK_INT(a.n_sentences, 3);
	key_of(1, key);
	CHECK_INT(pending_has(&p, key), 1);
	key_of(7, key);
	CHECK_INT(pending_has(&p, key), 0);
}

static void caps(void)
{
	static char big[RUN_PENDING_BYTES / 4];
	struct digest_span span = { big, sizeof(big) - 1 };
	struct digest_article a = { .source = "s", .sentences = &span, .n_sentences = 1 };
	unsigned char key[SEEN_KEY_BYTES];
	unsigned i;

	pending_init(&p);
	for (i = 0; i < RUN_PENDING_MAX; i++)
		CHECK_INT(add(&p, i, "t", 1), 0);
	CHECK_INT(add(&p, i, "t", 1), -ENOSPC);
	CHECK_INT(p.n, RUN_PENDING_MAX);
	pending_init(&p);
	memset(big, 'a', sizeof(big));
	key_of(0, key);
	for (i = 0; i < 3; i++)
		CHECK_INT(pending_add(&p, key, NULL, &a, NULL), 0);
	CHECK_INT(pending_add(&p, key, NULL, &a, NULL), -ENOSPC);
	CHECK_INT(p.n, 3);
	a.n_sentences = SUMM_MAX_PICK + 1;
	CHECK_INT(pending_add(&p, key, NULL, &a, NULL), -EINVAL);
	a.source = NULL;
	a.n_sentences = 0;
	CHECK_INT(pending_add(&p, key, NULL, &a, NULL), -EINVAL);
}

static int even(const unsigned char *key, void *arg)
{
	(void)arg;
	return key[0] % 2 == 0;
}

static void shift_and_drop(void)
{
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article a;
	unsigned char key[SEEN_KEY_BYTES];
	char title[16];

	pending_init(&p);
	for (unsigned i = 0; i < 6; i++) {
		snprintf(title, sizeof(title), "T%u", i);
		CHECK_INT(add(&p, i, title, 1 + i % 3), 0);
	}
	p.inflight = 2;
	pending_shift(&p, 2);
	CHECK_INT(p.n, 4);
	CHECK_INT(p.inflight, 0);
	pending_get(&p, 0, &a, spans);
	CHECK_STR(a.title, "T2");
	CHECK_INT(pending_drop_if(&p, even, NULL), 2);
	CHECK_INT(p.n, 2);
	pending_get(&p, 0, &a, spans);
	CHECK_STR(a.title, "T3");
	pending_get(&p, 1, &a, spans);
	CHECK_STR(a.title, "T5");
	CHECK_INT(a.n_sentences, 3);
	key_of(4, key);
	CHECK_INT(pending_has(&p, key), 0);
	pending_shift(&p, 10);
	CHECK_INT(p.n, 0);
	CHECK_INT(p.used, 0);
}

static void save_and_load(void)
{
	static struct story_print pr, want;
	unsigned char key[SEEN_KEY_BYTES];
	char path[128], other[160];
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article a;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pending", dir);
	pending_init(&p);
	CHECK_INT(pending_load(&p, dfd, dir), 0); /* missing: empty */
	CHECK_INT(p.n, 0);
	for (unsigned i = 0; i < 5; i++)
		CHECK_INT(add(&p, i, "Héllo", 2), 0);
	p.inflight = 3;
	snprintf(p.inflight_id, sizeof(p.inflight_id), "dg_20261128T180000Z_1f0c3a9e");
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	snprintf(other, sizeof(other), "%s.tmp", path);
	CHECK(access(other, F_OK) != 0);
	CHECK_INT(pending_load(&q, dfd, dir), 0);
	CHECK_INT(q.n, 5);
	CHECK_INT(q.used, p.used);
	CHECK_INT(q.inflight, 3);
	CHECK_STR(q.inflight_id, "dg_20261128T180000Z_1f0c3a9e");
	CHECK(memcmp(q.arena, p.arena, p.used) == 0);
	for (unsigned i = 0; i < 5; i++)
		CHECK(same_item(&q, &p, i));
	CHECK_INT(q.item[0].n_print, 0); /* an empty one is one */
	CHECK_INT(q.item[1].n_print, PENDING_NO_PRINT);
	CHECK(pending_text_key(&q, 1) == NULL);
	text_key_of(4, key);
	CHECK(pending_text_key(&q, 4) != NULL &&
	      memcmp(pending_text_key(&q, 4), key, SEEN_KEY_BYTES) == 0);
	CHECK_INT(pending_print(&q, 1, &pr), -ENOENT);
	CHECK_INT(pr.n, 0);
	CHECK_INT(pending_print(&q, 2, &pr), 0);
	CHECK_INT(pr.n, 14);
	print_of(2, &want);
	CHECK(memcmp(pr.hash, want.hash, 14 * 4) == 0 && memcmp(pr.weight, want.weight, 14 * 4) == 0);
	pending_get(&q, 4, &a, spans);
	CHECK_STR(a.title, "Héllo");
	/* A leftover temporary file goes away on load. */
	f = fopen(other, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	CHECK_INT(pending_load(&q, dfd, dir), 0);
	CHECK(access(other, F_OK) != 0);
}

/* The SHA-256 of a pending file image put in its header. */
static void fix_sum(unsigned char *b, size_t n)
{
	mbedtls_sha256_context c;

	sha256_start(&c);
	sha256_update(&c, b, 88);
	sha256_update(&c, b + PENDING_HEADER_BYTES, n - PENDING_HEADER_BYTES);
	sha256_finish(&c, b + 88);
}

static unsigned char img[PENDING_HEADER_BYTES +
			 RUN_PENDING_MAX * (PENDING_RECORD_BYTES + 8 * STORY_PRINT_TERMS) +
			 RUN_PENDING_BYTES];

/* The state folder's "pending" into img: its length (0: unreadable). */
static size_t read_back(void)
{
	int fd = openat(dfd, "pending", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, img, sizeof(img)) : 0;

	if (fd >= 0)
		close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* p as digestd wrote it in an older version (1: 56-byte records without
 * fingerprints, 2: 60-byte ones without text keys) into img: its size. */
static size_t old_file(unsigned version)
{
	unsigned char *r = img + PENDING_HEADER_BYTES;
	size_t rec = version == 1 ? PENDING_RECORD_V1_BYTES : PENDING_RECORD_V2_BYTES, n;

	memset(img, 0, PENDING_HEADER_BYTES);
	memcpy(img, "DGSTPEND", 8);
	bytes_put32(img + 8, version);
	bytes_put32(img + 12, p.n);
	bytes_put32(img + 16, p.used);
	bytes_put32(img + 20, p.inflight);
	memcpy(img + 24, p.inflight_id, strnlen(p.inflight_id, DIGEST_ID_BYTES));
	for (unsigned i = 0; i < p.n; i++, r += rec) {
		memcpy(r, p.item[i].key, SEEN_KEY_BYTES);
		bytes_put64(r + 32, (uint64_t)p.item[i].published);
		bytes_put32(r + 40, p.item[i].has_published);
		bytes_put32(r + 44, p.item[i].off);
		bytes_put32(r + 48, p.item[i].len);
		bytes_put32(r + 52, p.item[i].n_sentences);
		if (version == 2)
			bytes_put32(r + 56, p.item[i].n_print);
	}
	memcpy(r, p.arena, p.used);
	n = (size_t)(r - img) + p.used;
	fix_sum(img, n);
	return n;
}

/* A file as digestd wrote it before fingerprints were kept (version 1,
 * 56-byte records): read, every article without a fingerprint. */
static void version_one(void)
{
	size_t n;
	int fd;

	pending_init(&p);
	for (unsigned i = 0; i < 4; i++)
		CHECK_INT(add(&p, 1 + 3 * i, "Old", 1 + i % 2), 0); /* none with a fingerprint */
	p.inflight = 2;
	snprintf(p.inflight_id, sizeof(p.inflight_id), "dg_20261128T180000Z_1f0c3a9e");
	n = old_file(1);
	CHECK_INT(pending_parse(&q, img, n), 0);
	CHECK_INT(q.n, 4);
	CHECK_INT(q.inflight, 2);
	CHECK_STR(q.inflight_id, p.inflight_id);
	CHECK(memcmp(q.arena, p.arena, p.used) == 0);
	for (unsigned i = 0; i < 4; i++) {
		struct pending_item *it = &q.item[i];

		CHECK_INT(it->n_print, PENDING_NO_PRINT);
		CHECK(memcmp(it->key, p.item[i].key, SEEN_KEY_BYTES) == 0 &&
		      it->n_sentences == p.item[i].n_sentences && it->len == p.item[i].len);
	}
	/* The same from the state folder; saved again, it is the current version. */
	fd = openat(dfd, "pending", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, img, n) == (ssize_t)n);
	if (fd >= 0)
		close(fd);
	CHECK_INT(pending_load(&q, dfd, dir), 0);
	CHECK_INT(q.n, 4);
	CHECK_INT(pending_save(&q, dfd, dir), 0);
	n = read_back();
	CHECK_INT(bytes_get32(img + 8), PENDING_VERSION);
	CHECK_INT(pending_parse(&q, img, n), 0);
	/* Any other version is damage. */
	bytes_put32(img + 8, PENDING_VERSION_PROBLEMS + 1);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), -EBADMSG);
}

/* A file as digestd wrote it before text keys were kept (version 2, 60-byte
 * records): read with its fingerprints, every article without a text key. */
static void version_two(void)
{
	size_t n;

	pending_init(&p);
	for (unsigned i = 0; i < 4; i++)
		CHECK_INT(add(&p, i, "Two", 1 + i % 2), 0);
	n = old_file(2);
	CHECK_INT(pending_parse(&q, img, n), 0);
	CHECK_INT(q.n, 4);
	for (unsigned i = 0; i < 4; i++) {
		CHECK(pending_text_key(&q, i) == NULL);
		memset(p.item[i].text_key, 0, SEEN_KEY_BYTES);
		CHECK(same_item(&q, &p, i));
	}
}

/* The problems the digest in flight lists go with its mark (version 4)
 * and leave with it; a block that cannot be one is damage. */
static void problems(void)
{
	unsigned char *blk;
	size_t n;

	pending_init(&p);
	for (unsigned i = 0; i < 3; i++)
		CHECK_INT(add(&p, i, "T", 1), 0);
	p.inflight = 2;
	snprintf(p.inflight_id, sizeof(p.inflight_id), "dg_20261128T180000Z_1f0c3a9e");
	p.n_problems = 2;
	p.problem[0] = (struct digest_problem){ .source = "feed", .error = "HTTP status 404",
						.since = 1764000000, .failures = 3 };
	p.problem[1] = (struct digest_problem){ .source = "two", .error = "", .since = -1,
						.failures = 1 };
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	n = read_back();
	CHECK_INT(bytes_get32(img + 8), PENDING_VERSION_PROBLEMS);
	CHECK_INT(pending_load(&q, dfd, dir), 0);
	CHECK_INT(q.n, 3);
	CHECK_INT(q.inflight, 2);
	CHECK_INT(q.n_problems, 2);
	CHECK_STR(q.problem[0].source, "feed");
	CHECK_STR(q.problem[0].error, "HTTP status 404");
	CHECK(q.problem[0].since == 1764000000);
	CHECK_INT(q.problem[0].failures, 3);
	CHECK_STR(q.problem[1].source, "two");
	CHECK_STR(q.problem[1].error, "");
	CHECK(q.problem[1].since == -1);
	CHECK(memcmp(q.arena, p.arena, p.used) == 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK(same_item(&q, &p, i));
	/* Damaged: a source without its NUL, a count of 0, no digest in flight. */
	blk = img + PENDING_HEADER_BYTES + 3 * PENDING_RECORD_BYTES;
	memset(blk + 4, 'x', CFG_SOURCE_NAME_BYTES);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), -EBADMSG);
	CHECK_INT(q.n_problems, 0);
	bytes_put32(blk, 0);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), -EBADMSG);
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	n = read_back();
	CHECK_INT(pending_parse(&q, img, n), 0);
	bytes_put32(img + 20, 0);
	memset(img + 24, 0, DIGEST_ID_BYTES);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), -EBADMSG);
	/* Settled: the problems go with the mark, and the file is version 3. */
	pending_shift(&p, p.inflight);
	CHECK_INT(p.n_problems, 0);
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	CHECK_INT(pending_load(&q, dfd, dir), 0);
	CHECK_INT(q.n, 1);
	CHECK_INT(q.n_problems, 0);
	n = read_back();
	CHECK_INT(bytes_get32(img + 8), PENDING_VERSION);
}

/* A fingerprint that cannot be one: the whole file is damaged. */
static void damaged_print(void)
{
	unsigned char *rec = img + PENDING_HEADER_BYTES, *stems;
	size_t n;
	uint32_t bits;
	float nan = NAN;

	pending_init(&p);
	CHECK_INT(add(&p, 2, "T", 1), 0); /* 14 stems, after its strings */
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	n = read_back();
	CHECK_INT(bytes_get32(rec + 56), 14);
	CHECK_INT(pending_parse(&q, img, n), 0);
	stems = img + n - 14 * 8;
	/* Weight of stem 3 not a number. */
	memcpy(&bits, &nan, sizeof(bits));
	bytes_put32(stems + 3 * 8 + 4, bits);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), -EBADMSG);
	CHECK_INT(q.n, 0);
	/* Hashes not rising. */
	bytes_put32(stems + 3 * 8 + 4, 0);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), 0);
	bytes_put32(stems + 8, bytes_get32(stems));
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), -EBADMSG);
	/* More stems than a fingerprint has, or than the record's bytes. */
	bytes_put32(stems + 8, bytes_get32(stems) + 1);
	bytes_put32(rec + 56, STORY_PRINT_TERMS + 1);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), -EBADMSG);
	bytes_put32(rec + 56, 14 + 1);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), -EBADMSG);
	bytes_put32(rec + 56, 14);
	fix_sum(img, n);
	CHECK_INT(pending_parse(&q, img, n), 0);
}

/* An article listed without a fingerprint gets one later, the articles
 * after it moving on in the arena; one that has one keeps it; a full arena
 * refuses it. */
static void set_print(void)
{
	static struct story_print pr, got;
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article a;
	uint32_t used;

	pending_init(&p);
	for (unsigned i = 0; i < 3; i++)
		CHECK_INT(add(&p, i, "T", 2), 0); /* 1 has none */
	used = p.used;
	print_of(5, &pr);
	CHECK_INT(pending_set_print(&p, 0, &pr), -EEXIST);
	CHECK_INT(pending_set_print(&p, 1, &pr), 0);
	CHECK_INT(p.used, used + 35 * 8);
	CHECK_INT(pending_print(&p, 1, &got), 0);
	CHECK(got.n == 35 && memcmp(got.hash, pr.hash, 35 * 4) == 0);
	CHECK_INT(p.item[2].off, p.item[1].off + p.item[1].len);
	CHECK_INT(pending_print(&p, 2, &got), 0);
	CHECK_INT(got.n, 14);
	pending_get(&p, 2, &a, spans);
	CHECK_STR(a.title, "T");
	CHECK_INT(a.n_sentences, 2);
	/* Round trip. */
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	CHECK_INT(pending_load(&q, dfd, dir), 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK(same_item(&q, &p, i));
	/* No room. */
	pending_init(&p);
	CHECK_INT(add(&p, 1, "T", 1), 0);
	p.used = RUN_PENDING_BYTES - 8;
	p.item[0].len = p.used;
	CHECK_INT(pending_set_print(&p, 0, &pr), -ENOSPC);
	CHECK_INT(p.item[0].n_print, PENDING_NO_PRINT);
}

static void damaged(void)
{
	char path[128], aside[160];
	FILE *f;
	long size;
	unsigned char byte;

	snprintf(path, sizeof(path), "%s/pending", dir);
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	pending_init(&p);
	CHECK_INT(add(&p, 0, "T", 2), 0);
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	/* One flipped byte in the arena: the checksum catches it. */
	f = fopen(path, "r+b");
	CHECK(f != NULL);
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size - 3, SEEK_SET);
	CHECK(fread(&byte, 1, 1, f) == 1);
	byte ^= 0x20;
	fseek(f, size - 3, SEEK_SET);
	fwrite(&byte, 1, 1, f);
	fclose(f);
	CHECK_INT(pending_load(&q, dfd, dir), -EBADMSG);
	CHECK_INT(q.n, 0);
	/* Left in place until the caller has dropped what it covered. */
	CHECK(access(path, F_OK) == 0);
	CHECK_INT(pending_set_aside(dfd, dir), 0);
	CHECK(access(aside, F_OK) == 0);
	CHECK(access(path, F_OK) != 0);
	/* Truncated and oversized files. */
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	CHECK(truncate(path, 100) == 0);
	CHECK_INT(pending_load(&q, dfd, dir), -EBADMSG);
	CHECK_INT(pending_save(&p, dfd, dir), 0);
	CHECK(truncate(path, 4L << 20) == 0);
	CHECK_INT(pending_load(&q, dfd, dir), -EBADMSG);
	CHECK_INT(pending_parse(&q, "DGSTPEND", 8), -EBADMSG);
}

/* A FIFO or a link planted as the list: refused at once, never waited on
 * nor followed. */
static void planted(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/pending", dir);
	unlink(path);
	CHECK_INT(mkfifo(path, 0600), 0);
	CHECK_INT(pending_load(&q, dfd, dir), -ENXIO);
	unlink(path);
	CHECK_INT(symlink("/etc/hostname", path), 0);
	CHECK_INT(pending_load(&q, dfd, dir), -ELOOP);
	unlink(path);
	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(pending_load(&q, dfd, dir), -EISDIR);
	pending_init(&p);
	CHECK(pending_save(&p, dfd, dir) < 0);
	rmdir(path);
}

/* The empty-digest file: its endpoints by name (the plain one "") and the
 * sources it lists, saved and read back, removed when it names no digest; every damaged form is
 * refused whole and moved aside; a planted link is neither followed nor
 * written through. */
static void empty_digest(void)
{
	static const char id[] = "dg_20261207T120000Z_0a1b2c3d";
	static const char *const bad[] = {
		"", "dg_1", "not an id\n", "dg_1\n[endpoint]", "dg_1\n[endpoint b c]\n",
		"dg_1\n[endpoint ]\n", "dg_1\n[endpoint b]]\n", "dg_1\nb\n", "dg_1\n[source]\n", "dg_1\n[source ]\n", "dg_1\n[sources b]\n",
		"dg_1\n[endpoint b\n", "dg_1\n[endpoint 0123456789abcdef0123456789abcdef]\n",
	};
	struct pending_empty e = { .n = 0 }, g;
	char path[128], aside[160], name[8], buf[PENDING_EMPTY_FILE_BYTES + 8];
	size_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/empty-digest", dir);
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	/* None: no file, nothing held. */
	CHECK_INT(pending_empty_load(&g, dfd, dir), 0);
	CHECK(!g.id[0] && g.n == 0 && !pending_empty_holds(&g, ""));
	memcpy(e.id, id, sizeof(id));
	CHECK_INT(pending_empty_add(&e, ""), 0);
	CHECK_INT(pending_empty_add(&e, "b"), 0);
	CHECK_INT(pending_empty_add(&e, "b"), 0); /* once */
	CHECK_INT(e.n, 2);
	CHECK_INT(pending_empty_add(&e, "0123456789abcdef0123456789abcdef"), -EINVAL);
	CHECK_INT(pending_empty_list(&e, "feed"), 0);
	CHECK_INT(pending_empty_list(&e, ""), -EINVAL);
	CHECK_INT(e.n_listed, 1);
	CHECK_INT(pending_empty_save(&e, dfd, dir), 0);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? (size_t)read(fd, buf, sizeof(buf) - 1) : 0;
	close(fd);
	buf[n] = '\0';
	CHECK_STR(buf, "dg_20261207T120000Z_0a1b2c3d\n[endpoint]\n[endpoint b]\n[source feed]\n");
	CHECK_INT(pending_empty_load(&g, dfd, dir), 0);
	CHECK_STR(g.id, id);
	CHECK(g.n_listed == 1 && strcmp(g.listed[0], "feed") == 0);
	CHECK(g.n == 2 && pending_empty_holds(&g, "") && pending_empty_holds(&g, "b") &&
	      !pending_empty_holds(&g, "c"));
	/* Full: one per endpoint at most. */
	for (unsigned i = 0; i < CFG_MAX_ENDPOINTS - 2; i++) {
		snprintf(name, sizeof(name), "e%u", i);
		CHECK_INT(pending_empty_add(&e, name), 0);
	}
	CHECK_INT(pending_empty_add(&e, "one-more"), -ENOSPC);
	for (unsigned i = 1; i < DIGEST_MAX_PROBLEMS; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		CHECK_INT(pending_empty_list(&e, name), 0);
	}
	CHECK_INT(pending_empty_list(&e, "one-more"), -ENOSPC);
	CHECK_INT(pending_empty_save(&e, dfd, dir), 0);
	CHECK_INT(pending_empty_load(&g, dfd, dir), 0);
	CHECK_INT(g.n, CFG_MAX_ENDPOINTS);
	CHECK_INT(g.n_listed, DIGEST_MAX_PROBLEMS);
	/* Done: the file goes; removing a missing one is no error. */
	memset(&e, 0, sizeof(e));
	CHECK_INT(pending_empty_save(&e, dfd, dir), 0);
	CHECK(access(path, F_OK) != 0);
	CHECK_INT(pending_empty_save(&e, dfd, dir), 0);
	/* A leftover temporary file goes at the next start. */
	snprintf(buf, sizeof(buf), "%s.tmp", path);
	fd = open(buf, O_WRONLY | O_CREAT | O_EXCL, 0600);
	close(fd);
	CHECK_INT(pending_empty_load(&g, dfd, dir), 0);
	CHECK(access(buf, F_OK) != 0);
	/* Damaged: refused whole, moved aside. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(pending_empty_parse(&g, bad[i], strlen(bad[i])), -EBADMSG);
		CHECK(!g.id[0] && g.n == 0);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(fd >= 0 && write(fd, bad[i], strlen(bad[i])) == (ssize_t)strlen(bad[i]));
		close(fd);
		CHECK_INT(pending_empty_load(&g, dfd, dir), -EBADMSG);
		CHECK(!g.id[0] && access(path, F_OK) != 0 && access(aside, F_OK) == 0);
	}
	CHECK_INT(pending_empty_parse(&g, "dg_1\n", 5), 0);
	CHECK_INT(pending_empty_parse(&g, "dg_1\n[endpoint]\n[endpoint]\n", 27), 0);
	CHECK_INT(g.n, 1);
	/* Larger than any such file: damaged, whatever it holds. */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "dg_1\n", 5);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	close(fd);
	CHECK_INT(pending_empty_load(&g, dfd, dir), -EBADMSG);
	/* A planted link: not followed; a save replaces the link itself. */
	CHECK_INT(symlink("/etc/hostname", path), 0);
	CHECK_INT(pending_empty_load(&g, dfd, dir), -ELOOP);
	CHECK(!g.id[0]);
	memcpy(e.id, id, sizeof(id));
	CHECK_INT(pending_empty_save(&e, dfd, dir), 0);
	CHECK_INT(pending_empty_load(&g, dfd, dir), 0);
	CHECK_STR(g.id, id);
	/* A folder (which a save cannot replace, so that no digest without
	 * articles could be composed): moved aside, and the save works. */
	CHECK_INT(unlink(aside), 0);
	CHECK_INT(unlink(path), 0);
	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(pending_empty_load(&g, dfd, dir), -EISDIR);
	CHECK(!g.id[0] && access(path, F_OK) != 0 && access(aside, F_OK) == 0);
	CHECK_INT(rmdir(aside), 0);
	CHECK_INT(pending_empty_save(&e, dfd, dir), 0);
	CHECK_INT(pending_empty_load(&g, dfd, dir), 0);
	CHECK_STR(g.id, id);
	memset(&e, 0, sizeof(e));
	CHECK_INT(pending_empty_save(&e, dfd, dir), 0);
	/* A folder whose way aside is blocked (a file empty-digest.corrupt:
	 * a folder cannot replace it): it stays, and no save replaces it,
	 * unlike a damaged file left in place (docs/daemon.md). */
	fd = open(aside, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(pending_empty_load(&g, dfd, dir), -EISDIR);
	CHECK(!g.id[0] && access(path, F_OK) == 0 && access(aside, F_OK) == 0);
	memcpy(e.id, id, sizeof(id));
	CHECK(pending_empty_save(&e, dfd, dir) < 0);
	CHECK_INT(rmdir(path), 0);
	CHECK_INT(unlink(aside), 0);
}

static void remove_dir(void)
{
	static const char *const names[] = { "pending", "pending.corrupt", "pending.tmp",
					     "empty-digest", "empty-digest.corrupt" };
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* pending_move: the article moves, those between move one place on, the
 * rest stay; every article keeps its own strings and key. */
static void move(void)
{
	static const char *const titles[] = { "t0", "a longer title one", "t2", "three" };
	static const unsigned want[] = { 0, 3, 1, 2 };
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article a;
	unsigned char key[SEEN_KEY_BYTES];
	uint32_t used;

	pending_init(&p);
	for (unsigned i = 0; i < 4; i++)
		CHECK_INT(add(&p, i, titles[i], 1 + i % 3), 0);
	used = p.used;
	pending_move(&p, 3, 1);
	pending_move(&p, 2, 2); /* no move */
	pending_move(&p, 1, 3); /* refused: backwards */
	CHECK_INT(p.n, 4);
	CHECK_INT(p.used, used);
	for (unsigned i = 0; i < 4; i++) {
		pending_get(&p, i, &a, spans);
		CHECK_STR(a.title, titles[want[i]]);
		CHECK_INT(a.n_sentences, 1 + want[i] % 3);
		CHECK(spans[0].len == 15 && memcmp(spans[0].p, "First sentence.", 15) == 0);
		key_of(want[i], key);
		CHECK(memcmp(p.item[i].key, key, SEEN_KEY_BYTES) == 0);
		CHECK_INT(p.item[i].off, i ? p.item[i - 1].off + p.item[i - 1].len : 0);
	}
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	/* A new folder of its own: a name from the pid alone may be a folder
	 * a crashed earlier run left, with its files. */
	snprintf(dir, sizeof(dir), "%s/test_pending.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	log_init(LOG_LVL_ERR, "digestd");
	RUN(add_and_get);
	RUN(caps);
	RUN(move);
	RUN(shift_and_drop);
	RUN(save_and_load);
	RUN(version_one);
	RUN(version_two);
	RUN(damaged_print);
	RUN(problems);
	RUN(set_print);
	RUN(damaged);
	RUN(planted);
	RUN(empty_digest);
	remove_dir();
	close(dfd);
	return CHECK_EXIT();
}
