/* SPDX-License-Identifier: MIT */
/* The pending list: add and get back, NUL bytes, caps, shift and drop, the
 * file round trip with an in-flight digest, damaged and missing files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/log.h"
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

static int add(struct pending *l, unsigned i, const char *title, unsigned n_sentences)
{
	static const char text[] = "First sentence.\0Second\0one.";
	struct digest_span spans[3] = { { text, 15 }, { text + 16, 11 }, { "x", 1 } };
	struct digest_article a = { .source = "src", .title = title, .url = "https://e.example/a",
				    .lang = "en", .published = 1416000000 + i,
				    .has_published = i % 2 == 0, .sentences = spans,
				    .n_sentences = n_sentences };
	unsigned char key[SEEN_KEY_BYTES];

	key_of(i, key);
	return pending_add(l, key, &a);
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
		CHECK_INT(pending_add(&p, key, &a), 0);
	CHECK_INT(pending_add(&p, key, &a), -ENOSPC);
	CHECK_INT(p.n, 3);
	a.n_sentences = SUMM_MAX_PICK + 1;
	CHECK_INT(pending_add(&p, key, &a), -EINVAL);
	a.source = NULL;
	a.n_sentences = 0;
	CHECK_INT(pending_add(&p, key, &a), -EINVAL);
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
	CHECK(memcmp(q.item, p.item, sizeof(q.item[0]) * 5) == 0);
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

static void remove_dir(void)
{
	static const char *const names[] = { "pending", "pending.corrupt", "pending.tmp" };
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
	snprintf(dir, sizeof(dir), "/tmp/test_pending.%ld", (long)getpid());
	mkdir(dir, 0700);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	log_init(LOG_LVL_ERR, 1);
	RUN(add_and_get);
	RUN(caps);
	RUN(move);
	RUN(shift_and_drop);
	RUN(save_and_load);
	RUN(damaged);
	RUN(planted);
	remove_dir();
	close(dfd);
	return CHECK_EXIT();
}
