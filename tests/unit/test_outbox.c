/* SPDX-License-Identifier: MIT */
/* Unit tests for src/outbox/outbox: the entry round trip, oldest-first order,
 * attempts, removal, dead letters, crash leftovers, damaged entries (moved
 * aside, never deleted) and a full disk (RLIMIT_FSIZE): a clean error and
 * nothing lost. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "outbox/outbox.h"

static struct outbox ob;
static struct outbox_entry e;
static char dir[64];

static void pathof(char *out, size_t size, const char *sub, const char *name)
{
	snprintf(out, size, "%s/%s/%s", dir, sub, name);
}

static int exists(const char *sub, const char *name)
{
	char p[512];
	struct stat st;

	pathof(p, sizeof p, sub, name);
	return lstat(p, &st) == 0;
}

static void put_file(const char *sub, const char *name, const char *text, size_t n)
{
	char p[512];
	int fd;

	pathof(p, sizeof p, sub, name);
	/* Never through a symbolic link: the tests plant some. */
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(n == 0 || write(fd, text, n) == (ssize_t)n);
	close(fd);
}

static size_t get_file(const char *sub, const char *name, char *buf, size_t cap)
{
	char p[512];
	FILE *f;
	size_t n;

	pathof(p, sizeof p, sub, name);
	f = fopen(p, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* outbox_open on the test's state folder. */
static int ob_open(void)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = outbox_open(&ob, fd, dir, "");

	close(fd);
	return rc;
}

/* Empties outbox/ and dead/ between tests. */
static void wipe(void)
{
	static const char *const subs[] = { "outbox", "dead" };

	for (int i = 0; i < 2; i++) {
		char p[200];
		DIR *d;
		struct dirent *de;

		snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
		d = opendir(p);
		while (d && (de = readdir(d)) != NULL) {
			char f[520];
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(f, sizeof f, "%s/%s", p, de->d_name);
			if (unlink(f) < 0)
				rmdir(f);
		}
		if (d)
			closedir(d);
	}
}

static void test_round_trip(void)
{
	char n1[OUTBOX_NAME_BYTES], n2[OUTBOX_NAME_BYTES], n3[OUTBOX_NAME_BYTES];
	char name[OUTBOX_NAME_BYTES];
	uint64_t bytes = 0;
	unsigned count = 0;

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_oldest(&ob, name), -ENOENT);
	CHECK_INT(outbox_add(&ob, "dg_b", 200, CFG_FORMAT_JSON, "{\"a\":1}\n", 8, n1), 0);
	CHECK_INT(outbox_add(&ob, "dg_a", 100, CFG_FORMAT_MARKDOWN, "# x\n", 4, n2), 0);
	CHECK_INT(outbox_add(&ob, "dg_c", 300, CFG_FORMAT_TEXT, "", 0, n3), 0);
	CHECK_STR(n1, "00000000000000000001-dg_b.digest");
	CHECK_STR(n2, "00000000000000000002-dg_a.digest");
	/* Oldest first by the order written, not by id or created time. */
	CHECK_INT(outbox_oldest(&ob, name), 0);
	CHECK_STR(name, n1);
	CHECK_INT(outbox_next(&ob, name, name), 0);
	CHECK_STR(name, n2);
	CHECK_INT(outbox_next(&ob, name, name), 0);
	CHECK_STR(name, n3);
	CHECK_INT(outbox_next(&ob, name, name), -ENOENT);

	CHECK_INT(outbox_read(&ob, n2, &e), 0);
	CHECK_STR(e.name, n2);
	CHECK_STR(e.id, "dg_a");
	CHECK_INT(e.created, 100);
	CHECK_INT(e.format, CFG_FORMAT_MARKDOWN);
	CHECK_INT(e.attempts, 0);
	CHECK_INT(e.next_attempt, 0);
	CHECK_INT(e.len, 4);
	CHECK(memcmp(e.body, "# x\n", 4) == 0);
	CHECK_INT(outbox_read(&ob, n3, &e), 0);
	CHECK_INT(e.len, 0);
	/* An HTML digest's format survives the round trip. */
	{
		char n4[OUTBOX_NAME_BYTES];

		CHECK_INT(outbox_add(&ob, "dg_h", 400, CFG_FORMAT_HTML, "<p>x</p>\n", 9, n4), 0);
		CHECK_INT(outbox_read(&ob, n4, &e), 0);
		CHECK_INT(e.format, CFG_FORMAT_HTML);
		CHECK_INT(e.len, 9);
		CHECK_INT(outbox_remove(&ob, n4), 0);
	}

	CHECK_INT(outbox_count(&ob, &count), 0);
	CHECK_INT(count, 3);
	CHECK_INT(outbox_bytes(&ob, &bytes), 0);
	CHECK(bytes > 12 && bytes < 12 + 3 * OUTBOX_HEADER_BYTES);

	CHECK_INT(outbox_remove(&ob, n1), 0);
	CHECK_INT(outbox_remove(&ob, n1), 0);
	CHECK_INT(outbox_read(&ob, n1, &e), -ENOENT);
	CHECK_INT(outbox_oldest(&ob, name), 0);
	CHECK_STR(name, n2);
	outbox_close(&ob);

	/* Reopened: numbering goes on after the largest present. */
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add(&ob, "dg_d", 400, CFG_FORMAT_JSON, "{}", 2, n1), 0);
	CHECK_STR(n1, "00000000000000000004-dg_d.digest");
	outbox_close(&ob);
}

static void test_attempts(void)
{
	char n1[OUTBOX_NAME_BYTES];

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add(&ob, "dg_x", 5, CFG_FORMAT_JSON, "body", 4, n1), 0);
	CHECK_INT(outbox_read(&ob, n1, &e), 0);
	/* Never tried: no last attempt recorded, and no line for it. */
	CHECK_INT(e.last_attempt, 0);
	CHECK_INT(outbox_update_attempt(&ob, &e, 3, 1795888800, 1795888740), 0);
	memset(&e, 0, offsetof(struct outbox_entry, body));
	CHECK_INT(outbox_read(&ob, n1, &e), 0);
	CHECK_INT(e.attempts, 3);
	CHECK_INT(e.next_attempt, 1795888800);
	/* The attempt's own time, which tells a clock set back since. */
	CHECK_INT(e.last_attempt, 1795888740);
	CHECK_INT(e.len, 4);
	CHECK(memcmp(e.body, "body", 4) == 0);
	outbox_close(&ob);
}

static void test_invalid_arguments(void)
{
	static char big[DIGEST_BODY_BYTES + 1];

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add(&ob, "../x", 1, CFG_FORMAT_JSON, "x", 1, NULL), -EINVAL);
	CHECK_INT(outbox_add(&ob, "", 1, CFG_FORMAT_JSON, "x", 1, NULL), -EINVAL);
	CHECK_INT(outbox_add(&ob, "dg", 1, (enum cfg_format)9, "x", 1, NULL), -EINVAL);
	CHECK_INT(outbox_add(&ob, "dg", 1, CFG_FORMAT_JSON, big, sizeof big, NULL), -EINVAL);
	CHECK_INT(outbox_add(&ob, "dg", 1, CFG_FORMAT_JSON, big, DIGEST_BODY_BYTES, NULL), 0);
	CHECK_INT(outbox_read(&ob, "../../etc/passwd", &e), -EINVAL);
	CHECK_INT(outbox_remove(&ob, "x"), -EINVAL);
	outbox_close(&ob);
	CHECK(outbox_open(&ob, -1, "/nonexistent/state", "") < 0);
}

static void test_dead_letter(void)
{
	char n1[OUTBOX_NAME_BYTES], name[OUTBOX_NAME_BYTES], buf[512], rname[200];

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add(&ob, "dg_r", 5, CFG_FORMAT_JSON, "body", 4, n1), 0);
	CHECK_INT(outbox_dead_letter(&ob, n1, "HTTP 400", "bad request\n", 12), 0);
	CHECK(!exists("outbox", n1));
	CHECK(exists("dead", n1));
	snprintf(rname, sizeof rname, "%s.reason", n1);
	get_file("dead", rname, buf, sizeof buf);
	CHECK_STR(buf, "HTTP 400\n\nbad request\n");
	get_file("dead", n1, buf, sizeof buf);
	CHECK(strstr(buf, "id: dg_r\n") != NULL);
	CHECK_INT(outbox_oldest(&ob, name), -ENOENT);
	outbox_close(&ob);
}

static void test_crash_leftovers(void)
{
	char n1[OUTBOX_NAME_BYTES], name[OUTBOX_NAME_BYTES];

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add(&ob, "dg_k", 5, CFG_FORMAT_JSON, "kept", 4, n1), 0);
	outbox_close(&ob);
	/* A crash in the middle of writing a new entry, an attempt update and
	 * a reason file. */
	put_file("outbox", ".tmp-00000000000000000002-dg_n.digest", "digestd-outbox 1\nid:", 20);
	put_file("outbox", ".tmp-00000000000000000001-dg_k.digest", "digestd-ou", 10);
	put_file("dead", ".tmp-00000000000000000009-dg_z.digest.reason", "HTTP", 4);
	put_file("outbox", "notes.txt", "not ours", 8);
	CHECK_INT(ob_open(), 0);
	CHECK(!exists("outbox", ".tmp-00000000000000000002-dg_n.digest"));
	CHECK(!exists("outbox", ".tmp-00000000000000000001-dg_k.digest"));
	CHECK(!exists("dead", ".tmp-00000000000000000009-dg_z.digest.reason"));
	/* Files that are not entries are skipped and left alone. */
	CHECK(exists("outbox", "notes.txt"));
	CHECK_INT(outbox_oldest(&ob, name), 0);
	CHECK_STR(name, n1);
	CHECK_INT(outbox_read(&ob, n1, &e), 0);
	CHECK(memcmp(e.body, "kept", 4) == 0);
	CHECK_INT(outbox_next(&ob, name, name), -ENOENT);
	outbox_close(&ob);
}

/* Reads entry `name` (already in place), which must be found damaged and
 * moved to dead/ with its reason. */
static void expect_moved(const char *what, const char *name)
{
	char rname[200];
	int rc;

	rc = outbox_read(&ob, name, &e);
	snprintf(rname, sizeof rname, "%s.reason", name);
	if (rc != -EBADMSG || exists("outbox", name) || !exists("dead", name) ||
	    !exists("dead", rname)) {
		printf("  %s: rc %d\n", what, rc);
		check_current_failed = 1;
	}
}

static void expect_damaged(const char *what, const char *name, const char *text, size_t n)
{
	put_file("outbox", name, text, n);
	expect_moved(what, name);
}

static void test_damaged_entries(void)
{
	static const char good[] = "digestd-outbox 1\nid: dg_1\ncreated: 5\nformat: json\n"
				   "attempts: 0\nnext-attempt: 0\nlength: 4\n\nbody";
	static char big[OUTBOX_HEADER_BYTES + 64];
	const char *nm = "00000000000000000001-dg_1.digest";
	char buf[300], p[256];

	wipe();
	CHECK_INT(ob_open(), 0);
	put_file("outbox", nm, good, sizeof good - 1);
	e.last_attempt = 42;
	CHECK_INT(outbox_read(&ob, nm, &e), 0);
	CHECK(memcmp(e.body, "body", 4) == 0);
	CHECK_INT(e.last_attempt, 0); /* an earlier version's entry: none recorded */

	expect_damaged("empty", nm, "", 0);
	expect_damaged("magic", nm, "digestd-outbox 3\n", 17);
	expect_damaged("body short", nm, good, sizeof good - 2);
	snprintf(buf, sizeof buf, "%sX", good);
	expect_damaged("body long", nm, buf, strlen(buf));
	expect_damaged("id mismatch", "00000000000000000002-dg_2.digest", good, sizeof good - 1);
	snprintf(buf, sizeof buf, "digestd-outbox 1\nid: dg_1\ncreated: 5\nformat: json\n"
				  "attempts: 0\nnext-attempt: 0\nlength: 4\nextra: 1\n\nbody");
	expect_damaged("unknown key", nm, buf, strlen(buf));
	snprintf(buf, sizeof buf, "digestd-outbox 1\nid: dg_1\ncreated: 5\nformat: json\n"
				  "attempts: 0\nlength: 4\n\nbody");
	expect_damaged("missing key", nm, buf, strlen(buf));
	snprintf(buf, sizeof buf, "digestd-outbox 1\nid: dg_1\nid: dg_1\ncreated: 5\nformat: "
				  "json\nattempts: 0\nnext-attempt: 0\nlength: 4\n\nbody");
	expect_damaged("repeated key", nm, buf, strlen(buf));
	snprintf(buf, sizeof buf, "digestd-outbox 1\nid: dg_1\ncreated: 5\nformat: pdf\n"
				  "attempts: 0\nnext-attempt: 0\nlength: 4\n\nbody");
	expect_damaged("format", nm, buf, strlen(buf));
	snprintf(buf, sizeof buf, "digestd-outbox 1\nid: dg_1\ncreated: 5\nformat: json\n"
				  "attempts: 0\nnext-attempt: 0\nlength: 99999999999999999999\n\nbody");
	expect_damaged("huge length", nm, buf, strlen(buf));
	snprintf(buf, sizeof buf, "digestd-outbox 1\nid: dg_1\ncreated: 5\nformat: json\n"
				  "attempts: -1\nnext-attempt: 0\nlength: 4\n\nbody");
	expect_damaged("negative attempts", nm, buf, strlen(buf));
	/* last-attempt: written only in a version 2 entry, never 0 or less. */
	snprintf(buf, sizeof buf, "digestd-outbox 1\nid: dg_1\ncreated: 5\nformat: json\n"
				  "attempts: 1\nnext-attempt: 9\nlast-attempt: 8\nlength: 4\n\nbody");
	expect_damaged("last-attempt in version 1", nm, buf, strlen(buf));
	snprintf(buf, sizeof buf, "digestd-outbox 2\nid: dg_1\ncreated: 5\nformat: json\n"
				  "attempts: 1\nnext-attempt: 9\nlast-attempt: 0\nlength: 4\n"
				  "sha256: 230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5"
				  "\n\nbody");
	expect_damaged("last-attempt 0", nm, buf, strlen(buf));
	memset(big, 'a', sizeof big);
	memcpy(big, "digestd-outbox 1\nid: ", 21);
	expect_damaged("endless header", nm, big, sizeof big);
	/* A link to a well-formed entry elsewhere is still not an entry. */
	put_file("dead", "target", good, sizeof good - 1);
	pathof(p, sizeof p, "outbox", nm);
	{
		char target[512];
		pathof(target, sizeof target, "dead", "target");
		CHECK_INT(symlink(target, p), 0);
	}
	expect_moved("symlink", nm);
	get_file("dead", "target", buf, sizeof buf);
	CHECK_STR(buf, good);
	CHECK_INT(mkdir(p, 0700), 0);
	CHECK_INT(outbox_read(&ob, nm, &e), -EBADMSG);
	CHECK(exists("dead", nm));
	outbox_close(&ob);
}

/* A body byte changed on disk is caught by the header's checksum and the
 * entry goes to dead/ with the reason; entries of version 1 (no checksum)
 * are read as they are, and a checksum line in one is damage. */
static void test_checksum(void)
{
	static const char v1_sum[] = "digestd-outbox 1\nid: dg_1\ncreated: 5\nformat: json\n"
				     "attempts: 0\nnext-attempt: 0\nlength: 4\nsha256: "
				     "0000000000000000000000000000000000000000000000000000000000000000"
				     "\n\nbody";
	char n1[OUTBOX_NAME_BYTES], p[512], buf[600], rname[200];
	FILE *f;

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add(&ob, "dg_sum", 5, CFG_FORMAT_JSON, "{\"a\":\"body\"}", 12, n1), 0);
	get_file("outbox", n1, buf, sizeof buf);
	CHECK(strncmp(buf, "digestd-outbox 2\n", 17) == 0);
	/* SHA-256 of {"a":"body"} */
	CHECK(strstr(buf, "\nsha256: e0f848f2f16b77b3322b7876051e3552cdb07b2762eab8ebb555543bad967570\n\n") != NULL);
	CHECK_INT(outbox_read(&ob, n1, &e), 0);
	pathof(p, sizeof p, "outbox", n1);
	f = fopen(p, "r+b");
	CHECK(f != NULL);
	if (f) {
		CHECK(fseek(f, -3, SEEK_END) == 0);
		CHECK(fputc('B', f) != EOF);
		fclose(f);
	}
	CHECK_INT(outbox_read(&ob, n1, &e), -EBADMSG);
	CHECK(!exists("outbox", n1));
	snprintf(rname, sizeof rname, "%s.reason", n1);
	get_file("dead", rname, buf, sizeof buf);
	CHECK(strstr(buf, "checksum") != NULL);
	/* An attempt count rewritten keeps the checksum right. */
	CHECK_INT(outbox_add(&ob, "dg_sum2", 5, CFG_FORMAT_TEXT, "text", 4, n1), 0);
	CHECK_INT(outbox_read(&ob, n1, &e), 0);
	CHECK_INT(outbox_update_attempt(&ob, &e, 2, 7, 5), 0);
	CHECK_INT(outbox_read(&ob, n1, &e), 0);
	CHECK_INT(e.attempts, 2);
	expect_damaged("a checksum in a version 1 entry", "00000000000000000001-dg_1.digest", v1_sum,
		       sizeof v1_sum - 1);
	outbox_close(&ob);
}

/* One entry per id: a digest composed again is not queued twice. */
static void test_one_entry_per_id(void)
{
	char n1[OUTBOX_NAME_BYTES], n2[OUTBOX_NAME_BYTES];
	unsigned count = 0;

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_find(&ob, "dg_same", n2), -ENOENT);
	CHECK_INT(outbox_add(&ob, "dg_same", 5, CFG_FORMAT_JSON, "{}", 2, n1), 0);
	CHECK_INT(outbox_add(&ob, "dg_same", 6, CFG_FORMAT_JSON, "{}", 2, n2), -EEXIST);
	CHECK_STR(n2, n1);
	CHECK_INT(outbox_find(&ob, "dg_same", n2), 0);
	CHECK_STR(n2, n1);
	CHECK_INT(outbox_find(&ob, "dg_sam", n2), -ENOENT);
	CHECK_INT(outbox_count(&ob, &count), 0);
	CHECK_INT(count, 1);
	outbox_close(&ob);
}

/* The file-size limit stands in for a full disk: writes past it fail with
 * EFBIG (SIGXFSZ ignored), exactly where ENOSPC would. */
static void test_full_disk(void)
{
	static char body[64 * 1024];
	char n1[OUTBOX_NAME_BYTES], name[OUTBOX_NAME_BYTES];
	struct rlimit old, lim;
	unsigned count = 0;
	int rc;

	wipe();
	memset(body, 'x', sizeof body);
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add(&ob, "dg_ok", 1, CFG_FORMAT_JSON, body, 1000, n1), 0);
	CHECK_INT(outbox_read(&ob, n1, &e), 0);
	signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 16 * 1024;
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = outbox_add(&ob, "dg_big", 2, CFG_FORMAT_JSON, body, sizeof body, name);
	/* The entry that is there survives a failed rewrite too. */
	e.len = sizeof body;
	memcpy(e.body, body, sizeof body);
	CHECK_INT(outbox_update_attempt(&ob, &e, 1, 99, 98), -EFBIG);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	CHECK_INT(rc, -EFBIG);
	CHECK_INT(outbox_count(&ob, &count), 0);
	CHECK_INT(count, 1);
	CHECK(!exists("outbox", ".tmp-00000000000000000002-dg_big.digest"));
	CHECK(!exists("outbox", ".tmp-00000000000000000001-dg_ok.digest"));
	CHECK_INT(outbox_read(&ob, n1, &e), 0);
	CHECK_INT(e.attempts, 0);
	CHECK_INT(e.len, 1000);
	/* With room again the same digest goes in. */
	CHECK_INT(outbox_add(&ob, "dg_big", 2, CFG_FORMAT_JSON, body, sizeof body, name), 0);
	CHECK_INT(outbox_read(&ob, name, &e), 0);
	CHECK_INT(e.len, sizeof body);
	outbox_close(&ob);
}

/* Removes the files of dir/sub and the folder itself (a link: the link). */
static void wipe_sub(const char *sub)
{
	char p[200], f[520];
	DIR *d;
	struct dirent *de;

	snprintf(p, sizeof p, "%s/%s", dir, sub);
	d = opendir(p);
	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(f, sizeof f, "%s/%s", p, de->d_name);
		CHECK_INT(unlink(f), 0);
	}
	if (d)
		closedir(d);
	if (rmdir(p) < 0)
		unlink(p);
}

/* [endpoint NAME]'s outbox: outbox/NAME/ and dead/NAME/, private; the plain
 * outbox walks and counts past them; a link in their place is refused. */
static void test_named_endpoint(void)
{
	char name[OUTBOX_NAME_BYTES], found[OUTBOX_NAME_BYTES], p[512], rname[200];
	struct outbox nb;
	struct stat st;
	uint64_t bytes = 1;
	unsigned count = 1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_check(fd, dir, "phone"), 0); /* not there yet: fine */
	CHECK_INT(outbox_open(&nb, fd, dir, "phone"), 0);
	CHECK_STR(nb.where, "outbox/phone");
	CHECK_STR(nb.dead_where, "dead/phone");
	pathof(p, sizeof p, "outbox", "phone");
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077) == 0);
	CHECK(exists("dead", "phone"));
	CHECK_INT(outbox_check(fd, dir, "phone"), 0);
	CHECK_INT(outbox_add(&nb, "dg_a", 1, CFG_FORMAT_TEXT, "hi", 2, name), 0);
	CHECK(exists("outbox/phone", name));
	/* The plain endpoint's outbox has no entry: the folder is not one. */
	CHECK_INT(outbox_next(&ob, "", found), -ENOENT);
	CHECK_INT(outbox_find(&ob, "dg_a", found), -ENOENT);
	CHECK_INT(outbox_count(&ob, &count), 0);
	CHECK_INT(outbox_bytes(&ob, &bytes), 0);
	CHECK_INT(count, 0);
	CHECK_INT((int)bytes, 0);
	CHECK_INT(outbox_find(&nb, "dg_a", found), 0);
	CHECK_STR(found, name);
	/* Its dead letters go to dead/phone. */
	CHECK_INT(outbox_dead_letter(&nb, name, "HTTP 400", "no", 2), 0);
	CHECK(exists("dead/phone", name));
	snprintf(rname, sizeof rname, "%s.reason", name);
	CHECK(exists("dead/phone", rname));
	CHECK(!exists("dead", name));
	outbox_close(&nb);
	/* A link planted in its place is refused by open and check alike. */
	wipe_sub("outbox/phone");
	wipe_sub("dead/phone");
	CHECK_INT(symlink("/tmp", p), 0);
	CHECK(outbox_open(&nb, fd, dir, "phone") < 0);
	CHECK(outbox_check(fd, dir, "phone") < 0);
	CHECK_INT(unlink(p), 0);
	wipe_sub("dead/phone");
	outbox_close(&ob);
	close(fd);
}

static char said[256];

static void say_unclaimed(const char *name, const char *where, unsigned count, void *arg)
{
	size_t n = strlen(said);

	CHECK(arg == said);
	snprintf(said + n, sizeof said - n, "[%s] %s %u;", name, where, count);
}

/* The outboxes no endpoint takes are named as outbox.where names them
 * ("outbox", "outbox/NAME"), with their entries; the claimed ones not. */
static void test_unclaimed(void)
{
	static struct cfg c;
	char name[OUTBOX_NAME_BYTES];
	struct outbox nb;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add(&ob, "dg_a", 1, CFG_FORMAT_TEXT, "hi", 2, name), 0);
	CHECK_INT(outbox_open(&nb, fd, dir, "phone"), 0);
	CHECK_INT(outbox_add(&nb, "dg_b", 1, CFG_FORMAT_TEXT, "hi", 2, name), 0);
	CHECK_INT(outbox_add(&nb, "dg_c", 1, CFG_FORMAT_TEXT, "hi", 2, name), 0);
	c.n_endpoints = 1;
	snprintf(c.endpoints[0].name, sizeof c.endpoints[0].name, "tablet");
	said[0] = '\0';
	CHECK_INT(outbox_unclaimed(fd, &c, say_unclaimed, said), 3);
	CHECK_STR(said, "[] outbox 1;[phone] outbox/phone 2;");
	c.n_endpoints = 2;
	snprintf(c.endpoints[1].name, sizeof c.endpoints[1].name, "phone");
	said[0] = '\0';
	CHECK_INT(outbox_unclaimed(fd, &c, say_unclaimed, said), 1);
	CHECK_STR(said, "[] outbox 1;");
	outbox_close(&nb);
	wipe_sub("outbox/phone");
	wipe_sub("dead/phone");
	outbox_close(&ob);
	close(fd);
}

/* A part's header lines: written, read back, kept by an attempt's rewrite;
 * absent from an entry that is no part (a webhook's); a part without a kind
 * line (an earlier version's) read as of any kind; refused when they would
 * break the header; refused in a file without a part line or in a version
 * 1 entry. */
static void test_parts(void)
{
	static const char orphan[] = "digestd-outbox 2\nid: dg_1\ncreated: 1\nformat: json\n"
				     "attempts: 0\nnext-attempt: 0\nlength: 0\nsha256: e3b0c44298fc"
				     "1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
				     "title: x\n\n";
	static const char no_kind[] = "digestd-outbox 2\nid: dg_1-1\ncreated: 1\nformat: json\n"
				      "attempts: 0\nnext-attempt: 0\nlength: 0\nsha256: e3b0c44298fc"
				      "1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
				      "part: 1/1\n\n";
	static const char kind_alone[] = "digestd-outbox 2\nid: dg_1\ncreated: 1\nformat: json\n"
					 "attempts: 0\nnext-attempt: 0\nlength: 0\nsha256: e3b0c44298fc"
					 "1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
					 "kind: ntfy\n\n";
	static const char v1[] = "digestd-outbox 1\nid: dg_1\ncreated: 1\nformat: json\n"
				 "attempts: 0\nnext-attempt: 0\nlength: 0\npart: 1/1\n\n";
	struct outbox_part pt = { .k = 1, .n = 3, .kind = CFG_KIND_TELEGRAM,
				  .title = "News \xc3\xa9t\xc3\xa9 (2/3)",
				  .click = "https://news.example.org/a?b=c" };
	char n1[OUTBOX_NAME_BYTES], n2[OUTBOX_NAME_BYTES], why[OUTBOX_REASON_BYTES];

	wipe();
	CHECK_INT(ob_open(), 0);
	CHECK_INT(outbox_add_part(&ob, "dg_p-2", 5, CFG_FORMAT_JSON, &pt, "two", 3, n1), 0);
	/* Read back, then again after an attempt rewrote the header. */
	for (unsigned attempts = 0; attempts <= 2; attempts += 2) {
		if (attempts)
			CHECK_INT(outbox_update_attempt(&ob, &e, attempts, 9, 8), 0);
		memset(&e, 0, offsetof(struct outbox_entry, body));
		CHECK_INT(outbox_read(&ob, n1, &e), 0);
		CHECK_INT(e.attempts, attempts);
		CHECK_INT(e.part, 1);
		CHECK_INT(e.parts, 3);
		CHECK_INT(e.kind, CFG_KIND_TELEGRAM);
		CHECK_STR(e.title, pt.title);
		CHECK_STR(e.click, pt.click);
		CHECK(memcmp(e.body, "two", 3) == 0);
	}
	/* An entry that is no part: none of the lines, as before. */
	CHECK_INT(outbox_add(&ob, "dg_w", 5, CFG_FORMAT_JSON, "w", 1, n2), 0);
	CHECK_INT(outbox_read(&ob, n2, &e), 0);
	CHECK_INT(e.parts, 0);
	CHECK_INT(e.kind, CFG_KIND_WEBHOOK);
	CHECK_STR(e.title, "");
	CHECK_INT(outbox_parse("00000000000000000001-dg_1-1.digest", no_kind, sizeof no_kind - 1,
			       &e, why),
		  0);
	CHECK_INT(e.kind, OUTBOX_KIND_ANY);
	CHECK_INT(outbox_parse("00000000000000000001-dg_1.digest", kind_alone,
			       sizeof kind_alone - 1, &e, why),
		  -EBADMSG);
	/* A title with a line break would add a header line: refused. */
	pt.title = "a\nlength: 0";
	CHECK_INT(outbox_add_part(&ob, "dg_p-3", 5, CFG_FORMAT_JSON, &pt, "x", 1, NULL), -EINVAL);
	pt.title = "";
	pt.k = 3;
	CHECK_INT(outbox_add_part(&ob, "dg_p-4", 5, CFG_FORMAT_JSON, &pt, "x", 1, NULL), -EINVAL);
	CHECK_INT(outbox_parse("00000000000000000001-dg_1.digest", orphan, sizeof orphan - 1, &e,
			       why),
		  -EBADMSG);
	CHECK_INT(outbox_parse("00000000000000000001-dg_1.digest", v1, sizeof v1 - 1, &e, why),
		  -EBADMSG);
	outbox_close(&ob);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	char cmd[128];

	snprintf(dir, sizeof dir, "%s/test_outbox.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	RUN(test_round_trip);
	RUN(test_attempts);
	RUN(test_invalid_arguments);
	RUN(test_dead_letter);
	RUN(test_crash_leftovers);
	RUN(test_damaged_entries);
	RUN(test_checksum);
	RUN(test_one_entry_per_id);
	RUN(test_full_disk);
	RUN(test_named_endpoint);
	RUN(test_unclaimed);
	RUN(test_parts);
	wipe();
	snprintf(cmd, sizeof cmd, "%s/outbox", dir);
	rmdir(cmd);
	snprintf(cmd, sizeof cmd, "%s/dead", dir);
	rmdir(cmd);
	rmdir(dir);
	return CHECK_EXIT();
}
