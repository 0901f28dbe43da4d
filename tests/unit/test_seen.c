/* SPDX-License-Identifier: MIT */
/* Unit tests for src/digest/seen: keys (and digestd 0.1.0's), text keys, the ring and its
 * index against a plain model, the file round trip, capacity changes and
 * damaged files (each read back as an empty set, never a crash). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "digest/seen.h"

static struct seen s;
static char dir[64];
static char path[128];
static int dfd = -1; /* the test's state folder */

static void test_keys(void)
{
	unsigned char a[32], b[32], c[32];

	CHECK_INT(seen_key("http://Ex.org/a#top", NULL, a), 0);
	CHECK_INT(seen_key("https://ex.org/a?utm_source=x", "guid-1", b), 0);
	CHECK(memcmp(a, b, 32) == 0);
	/* The guid only counts when there is no URL. */
	CHECK_INT(seen_key("", " guid-1 ", c), 0);
	CHECK(memcmp(a, c, 32) != 0);
	CHECK_INT(seen_key(NULL, "guid-1", b), 0);
	CHECK(memcmp(b, c, 32) == 0);
	/* A guid that looks like the URL is still another key. */
	CHECK_INT(seen_key(NULL, "https://ex.org/a", b), 0);
	CHECK(memcmp(a, b, 32) != 0);
	/* digestd 0.1.0's key differs only where a parameter it kept is now
	 * dropped as tracking. */
	CHECK_INT(seen_key_legacy("https://ex.org/a?utm_source=x#top", NULL, b), 0);
	CHECK(memcmp(a, b, 32) == 0);
	CHECK_INT(seen_key("https://ex.org/a?fbclid=1", NULL, b), 0);
	CHECK(memcmp(a, b, 32) == 0);
	CHECK_INT(seen_key_legacy("https://ex.org/a?fbclid=1", NULL, b), 0);
	CHECK(memcmp(a, b, 32) != 0);
	CHECK_INT(seen_key_legacy("", "guid-1", b), 0);
	CHECK(memcmp(b, c, 32) == 0);
	CHECK_INT(seen_key(" ", "\t", a), -EINVAL);
	CHECK_INT(seen_key(NULL, NULL, a), -EINVAL);
}

/* The text key: the same words of title and text give it whatever the
 * case, punctuation or spacing; a changed number, a word moved
 * from the title into the text, or another word give another; a text of
 * fewer than SEEN_TEXT_MIN_WORDS words gives none. */
static void test_text_keys(void)
{
	static const char title[] = "Quake hits Chile", text[] =
		"A magnitude 7.1 earthquake struck off Chile on Tuesday; 12 were hurt.";
	static const char *const same[][2] = {
		{ "QUAKE hits  Chile!", "A magnitude 7.1 earthquake struck off Chile\non "
					"Tuesday -- 12 were HURT" },
	};
	static const char *const other[][2] = {
		{ "Quake hits Chile", "A magnitude 7.1 earthquake struck off Chile on Tuesday; "
				      "13 were hurt." },
		{ "Quake hits", "Chile A magnitude 7.1 earthquake struck off Chile on Tuesday; "
				"12 were hurt." },
		{ "Quake hits Peru", "A magnitude 7.1 earthquake struck off Chile on Tuesday; "
				     "12 were hurt." },
	};
	unsigned char a[32], b[32], url[32];

	CHECK_INT(seen_text_key(title, strlen(title), text, strlen(text), a), 0);
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		CHECK_INT(seen_text_key(same[i][0], strlen(same[i][0]), same[i][1],
					strlen(same[i][1]), b), 0);
		CHECK(memcmp(a, b, 32) == 0);
	}
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		CHECK_INT(seen_text_key(other[i][0], strlen(other[i][0]), other[i][1],
					strlen(other[i][1]), b), 0);
		CHECK(memcmp(a, b, 32) != 0);
	}
	/* Too few words of text, however long the title: none. */
	CHECK_INT(seen_text_key(title, strlen(title), text, 7, b), -ENODATA);
	CHECK_INT(seen_text_key(text, strlen(text), "Listen to episode 13 of the show.", 33, b),
		  -ENODATA);
	CHECK_INT(seen_text_key(title, strlen(title), "Listen to episode 13 of our weekly show "
				"now.", 44, b), 0);
	CHECK_INT(seen_text_key("", 0, "", 0, b), -ENODATA);
	CHECK_INT(seen_key(NULL, text, url), 0);
	CHECK(memcmp(a, url, 32) != 0);
}

static void key_of(unsigned n, unsigned char k[32])
{
	char url[64];

	snprintf(url, sizeof url, "https://example.org/%u", n);
	seen_key(url, NULL, k);
}

static void test_ring_and_file(void)
{
	unsigned char k[32];
	struct stat st;

	unlink(path);
	CHECK_INT(seen_open(&s, dfd, dir, 64), 0);
	CHECK_INT(seen_count(&s), 0);
	/* Nothing added: no file is written. */
	CHECK_INT(seen_commit(&s), 0);
	CHECK(stat(path, &st) < 0);
	for (unsigned i = 0; i < 100; i++) {
		key_of(i, k);
		CHECK_INT(seen_add(&s, k), 1);
		CHECK_INT(seen_add(&s, k), 0);
	}
	CHECK_INT(seen_count(&s), 64);
	for (unsigned i = 0; i < 100; i++) {
		key_of(i, k);
		CHECK_INT(seen_contains(&s, k), i >= 36);
	}
	CHECK_INT(seen_commit(&s), 0);
	CHECK(stat(path, &st) == 0 && st.st_size == SEEN_HEADER_BYTES + 64 * 32);
	CHECK_INT(seen_open(&s, dfd, dir, 64), 0);
	CHECK_INT(seen_count(&s), 64);
	for (unsigned i = 0; i < 100; i++) {
		key_of(i, k);
		CHECK_INT(seen_contains(&s, k), i >= 36);
	}
	/* The oldest is still the next to go after a reload. */
	key_of(1000, k);
	CHECK_INT(seen_add(&s, k), 1);
	key_of(36, k);
	CHECK_INT(seen_contains(&s, k), 0);
	key_of(37, k);
	CHECK_INT(seen_contains(&s, k), 1);
}

static void test_capacity_change(void)
{
	unsigned char k[32];

	unlink(path);
	CHECK_INT(seen_open(&s, dfd, dir, 128), 0);
	for (unsigned i = 0; i < 200; i++) {
		key_of(i, k);
		seen_add(&s, k);
	}
	CHECK_INT(seen_commit(&s), 0);
	/* Smaller: the newest 64 stay. */
	CHECK_INT(seen_open(&s, dfd, dir, 64), 0);
	CHECK_INT(seen_count(&s), 64);
	for (unsigned i = 0; i < 200; i++) {
		key_of(i, k);
		CHECK_INT(seen_contains(&s, k), i >= 136);
	}
	CHECK_INT(seen_commit(&s), 0);
	/* Larger: all 64 stay and new ones fill the room before any goes. */
	CHECK_INT(seen_open(&s, dfd, dir, 256), 0);
	CHECK_INT(seen_count(&s), 64);
	for (unsigned i = 200; i < 392; i++) {
		key_of(i, k);
		seen_add(&s, k);
	}
	CHECK_INT(seen_count(&s), 256);
	key_of(136, k);
	CHECK_INT(seen_contains(&s, k), 1);
	key_of(392, k);
	seen_add(&s, k);
	key_of(136, k);
	CHECK_INT(seen_contains(&s, k), 0);
	CHECK_INT(seen_open(&s, dfd, dir, 63), -EINVAL);
	CHECK_INT(seen_open(&s, dfd, dir, SEEN_MAX_CAPACITY + 1), -EINVAL);
}

/* Keys sharing their first bytes collide in the index: the ring turning over
 * many times must keep every probe chain intact (checked against a model). */
static void test_index_against_model(void)
{
	enum { CAP = 64, N = 5000 };
	static unsigned char model[CAP][32];
	unsigned mcount = 0, mnext = 0;
	unsigned rng = 12345;

	unlink(path);
	CHECK_INT(seen_open(&s, dfd, dir, CAP), 0);
	for (unsigned i = 0; i < N; i++) {
		unsigned char k[32];
		int in_model = 0;

		memset(k, 0, sizeof k);
		rng = rng * 1103515245u + 12345u;
		/* 8 home buckets for all keys, 300 distinct keys. */
		k[0] = (unsigned char)((rng >> 16) & 7);
		k[8] = (unsigned char)((rng >> 19) % 300 & 0xff);
		k[9] = (unsigned char)((rng >> 19) % 300 >> 8);
		for (unsigned j = 0; j < mcount; j++)
			in_model |= memcmp(model[j], k, 32) == 0;
		CHECK_INT(seen_contains(&s, k), in_model);
		CHECK_INT(seen_add(&s, k), !in_model);
		if (!in_model) {
			memcpy(model[mnext], k, 32);
			mnext = (mnext + 1) % CAP;
			if (mcount < CAP)
				mcount++;
		}
		if (check_current_failed)
			break;
	}
	for (unsigned j = 0; j < mcount; j++)
		CHECK_INT(seen_contains(&s, model[j]), 1);
}

static void write_file(const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	fwrite(p, 1, n, f);
	fclose(f);
}

static size_t read_file(unsigned char *p, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(p, 1, cap, f);
	fclose(f);
	return n;
}

static void expect_damaged(const char *what, const unsigned char *img, size_t n)
{
	char bad[160];
	struct stat st;
	int rc;

	snprintf(bad, sizeof bad, "%s.corrupt", path);
	unlink(bad);
	write_file(img, n);
	rc = seen_open(&s, dfd, dir, 64);
	if (rc != -EBADMSG || seen_count(&s) != 0 || stat(bad, &st) != 0) {
		printf("  %s: rc %d, count %u\n", what, rc, seen_count(&s));
		check_current_failed = 1;
	}
	/* The fresh set is written over the damaged one at the next commit. */
	CHECK_INT(seen_commit(&s), 0);
	CHECK_INT(seen_open(&s, dfd, dir, 64), 0);
}

static void test_damaged_files(void)
{
	static unsigned char good[SEEN_HEADER_BYTES + 64 * 32 + 8];
	static unsigned char img[sizeof good];
	unsigned char k[32];
	size_t n;

	unlink(path);
	CHECK_INT(seen_open(&s, dfd, dir, 64), 0);
	key_of(1, k);
	seen_add(&s, k);
	CHECK_INT(seen_commit(&s), 0);
	n = read_file(good, sizeof good);
	CHECK_INT(n, SEEN_HEADER_BYTES + 64 * 32);

	expect_damaged("empty", good, 0);
	expect_damaged("short header", good, 10);
	expect_damaged("truncated keys", good, n - 1);
	memcpy(img, good, n);
	img[n] = 0;
	expect_damaged("trailing byte", img, n + 1);
	memcpy(img, good, n);
	img[0] = 'X';
	expect_damaged("magic", img, n);
	memcpy(img, good, n);
	img[8] = 2;
	expect_damaged("version", img, n);
	memcpy(img, good, n);
	img[16] = 65;
	expect_damaged("count over capacity", img, n);
	memcpy(img, good, n);
	img[20] = 5;
	expect_damaged("next not after count", img, n);
	memcpy(img, good, n);
	img[12] = 0xff;
	img[13] = 0xff;
	img[14] = 0xff;
	img[15] = 0x7f;
	expect_damaged("huge capacity", img, n);
	memcpy(img, good, n);
	img[SEEN_HEADER_BYTES + 3] ^= 1;
	expect_damaged("flipped key bit", img, n);
	memcpy(img, good, n);
	img[25] = 1;
	expect_damaged("reserved", img, n);

	/* The intact image still loads with its key. */
	write_file(good, n);
	CHECK_INT(seen_open(&s, dfd, dir, 64), 0);
	CHECK_INT(seen_contains(&s, k), 1);
	CHECK_INT(seen_load_buffer(&s, good, n, 64), 0);
	CHECK_INT(seen_contains(&s, k), 1);
	CHECK_INT(seen_load_buffer(&s, good, n - 1, 64), -EBADMSG);
	CHECK_INT(seen_count(&s), 0);
}

static void test_unwritable(void)
{
	unsigned char k[32];
	char gone[160];
	int fd;

	snprintf(gone, sizeof gone, "%s/gone", dir);
	CHECK_INT(mkdir(gone, 0700), 0);
	fd = open(gone, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_INT(rmdir(gone), 0);
	CHECK_INT(seen_open(&s, fd, gone, 64), 0);
	key_of(7, k);
	seen_add(&s, k);
	CHECK_INT(seen_commit(&s), -ENOENT);
	/* Still dirty: it is written once the folder can take it. */
	CHECK_INT(s.dirty, 1);
	CHECK_INT(seen_contains(&s, k), 1);
	close(fd);
}

/* What a local user might plant: a FIFO or a link named seen is refused at
 * once (never followed, never waited on); a link named seen.tmp is
 * replaced, its target untouched. */
static void test_planted(void)
{
	char tmp[160], target[160], buf[8] = "";
	unsigned char k[32];
	FILE *f;

	unlink(path);
	CHECK_INT(mkfifo(path, 0600), 0);
	CHECK_INT(seen_open(&s, dfd, dir, 64), -ENXIO);
	unlink(path);
	snprintf(target, sizeof target, "%s/target", dir);
	f = fopen(target, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("keep", f);
		fclose(f);
	}
	CHECK_INT(symlink(target, path), 0);
	CHECK_INT(seen_open(&s, dfd, dir, 64), -ELOOP);
	unlink(path);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	CHECK_INT(symlink(target, tmp), 0);
	CHECK_INT(seen_open(&s, dfd, dir, 64), 0);
	key_of(3, k);
	seen_add(&s, k);
	CHECK_INT(seen_commit(&s), 0);
	f = fopen(target, "r");
	CHECK(f != NULL && fread(buf, 1, 4, f) == 4);
	if (f)
		fclose(f);
	CHECK_STR(buf, "keep");
	CHECK_INT(seen_open(&s, dfd, dir, 64), 0);
	CHECK_INT(seen_contains(&s, k), 1);
	unlink(target);
}

/* A full disk (RLIMIT_FSIZE, SIGXFSZ ignored): the commit fails cleanly, the
 * old file stays as it was and the keys stay in memory for a later commit. */
static void test_full_disk(void)
{
	static unsigned char before[SEEN_HEADER_BYTES + 1024 * 32], after[sizeof before];
	unsigned char k[32];
	struct rlimit old, lim;
	size_t n1, n2;
	char tmp[160];
	struct stat st;

	unlink(path);
	CHECK_INT(seen_open(&s, dfd, dir, 1024), 0);
	key_of(1, k);
	seen_add(&s, k);
	CHECK_INT(seen_commit(&s), 0);
	n1 = read_file(before, sizeof before);
	key_of(2, k);
	seen_add(&s, k);
	signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4096;
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CHECK_INT(seen_commit(&s), -EFBIG);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	n2 = read_file(after, sizeof after);
	CHECK(n1 == n2 && memcmp(before, after, n1) == 0);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	CHECK(stat(tmp, &st) < 0);
	CHECK_INT(s.dirty, 1);
	CHECK_INT(seen_commit(&s), 0);
	CHECK_INT(seen_open(&s, dfd, dir, 1024), 0);
	CHECK_INT(seen_contains(&s, k), 1);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/test_seen.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	snprintf(path, sizeof path, "%s/seen", dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RUN(test_keys);
	RUN(test_text_keys);
	RUN(test_ring_and_file);
	RUN(test_capacity_change);
	RUN(test_index_against_model);
	RUN(test_damaged_files);
	RUN(test_unwritable);
	RUN(test_planted);
	RUN(test_full_disk);
	unlink(path);
	{
		char bad[160];
		snprintf(bad, sizeof bad, "%s.corrupt", path);
		unlink(bad);
	}
	close(dfd);
	rmdir(dir);
	return CHECK_EXIT();
}
