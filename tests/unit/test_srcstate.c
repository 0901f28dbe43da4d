/* SPDX-License-Identifier: MIT */
/* Unit tests for per-source state (file format, backoff, atomic save) and
 * the pure helpers of the HTTP client (host names, Retry-After). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/cfg.h"
#include "core/log.h"
#include "sources/fetch.h"
#include "sources/srcstate.h"

static struct cfg cfg;

static void test_format_parse_round_trip(void)
{
	struct srcstate s, back;
	char buf[SRCSTATE_FILE_BYTES];
	long n;

	srcstate_init(&s);
	snprintf(s.v.etag, sizeof(s.v.etag), "W/\"abc\"");
	snprintf(s.v.last_modified, sizeof(s.v.last_modified), "Wed, 21 Oct 2015 07:28:00 GMT");
	s.last_attempt = 1700000000;
	s.last_success = 1699990000;
	s.failures = 3;
	s.next_due = 1700000240;
	s.retry_after_until = 1700000100;
	n = srcstate_format(&s, "my source", buf, sizeof(buf));
	CHECK(n > 0);
	CHECK_INT(srcstate_parse(buf, (size_t)n, "my source", &back), 0);
	CHECK_STR(back.v.etag, "W/\"abc\"");
	CHECK_STR(back.v.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
	CHECK_INT(back.last_attempt, 1700000000);
	CHECK_INT(back.last_success, 1699990000);
	CHECK_INT(back.failures, 3);
	CHECK_INT(back.next_due, 1700000240);
	CHECK_INT(back.retry_after_until, 1700000100);
	CHECK_INT(srcstate_format(&s, "my source", buf, 40), -ENOSPC);
}

/* What status and feed health read: kept across a save, absent in an
 * older file, an error redacted and cut. */
static void test_status_fields(void)
{
	static const char older[] = "digestd-source-state 1\nname a\nfailures 2\n";
	struct srcstate s, back;
	char buf[SRCSTATE_FILE_BYTES], long_err[600];
	long n;

	srcstate_init(&s);
	srcstate_note(&s, 503, "redirect to https://user:pw@example.org/x?token=abc failed");
	CHECK_INT(s.status, 503);
	CHECK(strstr(s.error, "token=abc") == NULL && strstr(s.error, "pw@") == NULL);
	CHECK(strncmp(s.error, "redirect to https://", 20) == 0);
	CHECK(strstr(s.error, " failed") != NULL);
	s.items = 12345678901ull;
	s.problem_since = 1700000000;
	s.problem_reported = 1;
	s.next_poll = 1700001800;
	n = srcstate_format(&s, "a", buf, sizeof(buf));
	CHECK(n > 0);
	/* The next poll on a line of its own, which earlier versions skip
	 * as an unknown key. */
	CHECK(strstr(buf, "\nnext_poll 1700001800\n") != NULL);
	CHECK_INT(srcstate_parse(buf, (size_t)n, "a", &back), 0);
	CHECK_INT(back.status, 503);
	CHECK_STR(back.error, s.error);
	CHECK(back.items == 12345678901ull);
	CHECK_INT(back.problem_since, 1700000000);
	CHECK_INT(back.problem_reported, 1);
	CHECK_INT(back.next_poll, 1700001800);
	/* A file of the previous version: the new fields are empty. */
	CHECK_INT(srcstate_parse(older, strlen(older), "a", &back), 0);
	CHECK_INT(back.failures, 2);
	CHECK_INT(back.status, 0);
	CHECK_STR(back.error, "");
	CHECK_INT(back.next_poll, 0);
	/* Control characters become spaces; a long reason is cut to fit, on a
	 * character boundary; a success clears it. */
	memset(long_err, 0, sizeof(long_err));
	for (size_t i = 0; i + 2 < sizeof(long_err); i += 2)
		memcpy(long_err + i, "\xc3\xa9", 2);
	long_err[1] = '\n';
	srcstate_note(&s, 0, long_err);
	CHECK(strlen(s.error) < SRCSTATE_ERROR_BYTES && strlen(s.error) > SRCSTATE_ERROR_BYTES - 4);
	CHECK(strchr(s.error, '\n') == NULL);
	CHECK(srcstate_format(&s, "a", buf, sizeof(buf)) > 0);
	srcstate_note(&s, 200, NULL);
	CHECK_STR(s.error, "");
	CHECK_INT(s.status, 200);
}

/* Feed health's bookkeeping: the first failure of a run dates the problem;
 * a success ends it and clears its reported mark. */
static void test_problem_since(void)
{
	struct srcstate s;

	cfg_defaults(&cfg);
	srcstate_init(&s);
	srcstate_record(&s, &cfg.http, 100, 0, 0);
	srcstate_record(&s, &cfg.http, 200, 0, 0);
	CHECK_INT(s.problem_since, 100);
	s.problem_reported = 1;
	srcstate_record(&s, &cfg.http, 300, 1, 0);
	CHECK_INT(s.problem_since, 0);
	CHECK_INT(s.problem_reported, 0);
	srcstate_record(&s, &cfg.http, 400, 0, 0);
	CHECK_INT(s.problem_since, 400);
}

static void test_parse_rejects_damage(void)
{
	static const char *const bad[] = {
		"",
		"digestd-source-state 2\nname a\n",
		"digestd-source-state 1\n",				     /* no name */
		"digestd-source-state 1\nname b\n",			     /* another source */
		"digestd-source-state 1\nname a\nfailures 1",		     /* cut line */
		"digestd-source-state 1\nname a\nfailures -1\n",
		"digestd-source-state 1\nname a\nnext_due 99999999999999999999\n",
		"digestd-source-state 1\nname a\nfailures 4294967296\n",
		"digestd-source-state 1\nname a\netag a\tb\n",	     /* control character */
		"digestd-source-state 1\nname a\nnokeyvalue\n",
	};
	static const char newer[] = "digestd-source-state 1\nname a\nfuture 1\nfailures 2\n";
	struct srcstate s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.failures = 7;
		CHECK_INT(srcstate_parse(bad[i], strlen(bad[i]), "a", &s), -EBADMSG);
		CHECK_INT(s.failures, 0);
	}
	/* Unknown keys are a newer digestd's business, not damage. */
	CHECK_INT(srcstate_parse(newer, strlen(newer), "a", &s), 0);
	CHECK_INT(s.failures, 2);
}

static void test_backoff_doubles_and_caps(void)
{
	struct srcstate s;
	int64_t now = 1000000;

	cfg_defaults(&cfg);
	cfg.http.backoff_base = 60;
	cfg.http.backoff_max = 600;
	srcstate_init(&s);
	srcstate_record(&s, &cfg.http, now, 0, 0);
	CHECK_INT(s.failures, 1);
	CHECK_INT(s.next_due, now + 60);
	srcstate_record(&s, &cfg.http, now, 0, 0);
	CHECK_INT(s.next_due, now + 120);
	srcstate_record(&s, &cfg.http, now, 0, 0);
	CHECK_INT(s.next_due, now + 240);
	srcstate_record(&s, &cfg.http, now, 0, 0);
	CHECK_INT(s.next_due, now + 480);
	srcstate_record(&s, &cfg.http, now, 0, 0);
	CHECK_INT(s.next_due, now + 600);
	CHECK_INT(srcstate_not_before(&s, &cfg.http, now), now + 600);
	/* A Retry-After later than the backoff wins. */
	srcstate_record(&s, &cfg.http, now, 0, now + 5000);
	CHECK_INT(s.next_due, now + 5000);
	CHECK_INT(srcstate_not_before(&s, &cfg.http, now), now + 5000);
	/* A success clears the backoff and the failure count. */
	srcstate_record(&s, &cfg.http, now + 6000, 1, 0);
	CHECK_INT(s.failures, 0);
	CHECK_INT(srcstate_not_before(&s, &cfg.http, now + 6000), 0);
	/* A due time beyond what the config allows (clock set back) is pulled in. */
	s.next_due = now + 1000000;
	CHECK_INT(srcstate_not_before(&s, &cfg.http, now), now + 600);
	s.retry_after_until = s.next_due = now + 100 * 86400;
	CHECK_INT(srcstate_not_before(&s, &cfg.http, now), now + FETCH_RETRY_AFTER_MAX);
}

/* The clock set back 2 years after a poll (a bad time server, an admin):
 * the source waits what it was told to wait, from now, not the 7 days or
 * backoff_max that a time 2 years ahead would be cut to. Set forward, the
 * times are past: due now. */
static void test_clock_set_back(void)
{
	struct srcstate s;
	int64_t then = 1796643809, back = then - 63072000;

	cfg_defaults(&cfg);
	cfg.http.backoff_base = 60;
	cfg.http.backoff_max = 21600;
	srcstate_init(&s);
	srcstate_record(&s, &cfg.http, then, 0, then + 120); /* 429, Retry-After: 120 */
	CHECK_INT(srcstate_not_before(&s, &cfg.http, then), then + 120);
	CHECK_INT(srcstate_not_before(&s, &cfg.http, back), back + 120);
	CHECK_INT(srcstate_not_before(&s, &cfg.http, then + 63072000), then + 120);
	srcstate_record(&s, &cfg.http, then, 0, 0); /* a failure: backoff 120 s */
	CHECK_INT(srcstate_not_before(&s, &cfg.http, back), back + 120);
	srcstate_record(&s, &cfg.http, then, 1, 0);
	CHECK_INT(srcstate_not_before(&s, &cfg.http, back), 0);
}

static void test_save_load(void)
{
	char dir[] = "/tmp/test_srcstate.XXXXXX", name[64], path[512], tmp[600];
	struct srcstate s, back;
	struct stat st;
	FILE *f;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	srcstate_init(&s);
	s.failures = 2;
	snprintf(s.v.etag, sizeof(s.v.etag), "\"x\"");
	CHECK_INT(srcstate_save(fd, dir, "name with spaces", NULL, &s), 0);
	srcstate_load(fd, dir, "name with spaces", NULL, NULL, &back);
	CHECK_INT(back.failures, 2);
	CHECK_STR(back.v.etag, "\"x\"");
	CHECK_INT(srcstate_name("name with spaces", name, sizeof(name)), 0);
	CHECK(strncmp(name, "source-", 7) == 0 && strlen(name) == 7 + 16 + 6);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* Another name, same file contents: a fresh state for it. */
	srcstate_load(fd, dir, "other", NULL, NULL, &back);
	CHECK_INT(back.failures, 0);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("digestd-source-state 1\nname name with spaces\nfailures x\n", f);
		fclose(f);
	}
	/* Read only: damaged, said by its code, left in place. */
	CHECK_INT(srcstate_read(fd, "name with spaces", &back), -EBADMSG);
	CHECK_INT(access(path, F_OK), 0);
	/* Loaded: a fresh state, the file set aside as NAME.corrupt. */
	snprintf(tmp, sizeof(tmp), "%s.corrupt", path);
	srcstate_load(fd, dir, "name with spaces", NULL, NULL, &back);
	CHECK_INT(back.failures, 0);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	CHECK_INT(access(tmp, F_OK), 0);
	CHECK_INT(srcstate_read(fd, "name with spaces", &back), -ENOENT);
	unlink(tmp);
	/* A FIFO under the name: a fresh state at once, not a hang; read only
	 * -ENXIO and left; loaded, moved aside as it is (still a FIFO). */
	CHECK_INT(mkfifo(path, 0600), 0);
	CHECK_INT(srcstate_read(fd, "name with spaces", &back), -ENXIO);
	srcstate_load(fd, dir, "name with spaces", NULL, NULL, &back);
	CHECK_INT(back.failures, 0);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	CHECK(lstat(tmp, &st) == 0 && S_ISFIFO(st.st_mode));
	unlink(tmp);
	/* A link: never followed, moved aside as a link. */
	CHECK_INT(symlink("/nonexistent/target", path), 0);
	CHECK_INT(srcstate_read(fd, "name with spaces", &back), -ELOOP);
	srcstate_load(fd, dir, "name with spaces", NULL, NULL, &back);
	CHECK(lstat(path, &st) < 0 && errno == ENOENT);
	CHECK(lstat(tmp, &st) == 0 && S_ISLNK(st.st_mode));
	unlink(tmp);
	/* A folder, which no save could replace: moved aside too. */
	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(srcstate_read(fd, "name with spaces", &back), -EISDIR);
	srcstate_load(fd, dir, "name with spaces", NULL, NULL, &back);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	CHECK(lstat(tmp, &st) == 0 && S_ISDIR(st.st_mode));
	rmdir(tmp);
	/* Saving replaces it with a regular file; a link at the temporary name
	 * is replaced too, never written through. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK_INT(symlink("/nonexistent/target", tmp), 0);
	CHECK_INT(srcstate_save(fd, dir, "name with spaces", NULL, &s), 0);
	srcstate_load(fd, dir, "name with spaces", NULL, NULL, &back);
	CHECK_INT(back.failures, 2);
	CHECK_INT(srcstate_read(fd, "name with spaces", &back), 0);
	CHECK_INT(back.failures, 2);
	unlink(path);
	close(fd);
	rmdir(dir);
}

/* The state names the feed it is of: loaded for the same url it is kept
 * (and a file of an earlier version, naming none, too); for another url
 * (the source's url changed, its name kept) it is a fresh state, so the
 * other feed's validators and backoff are never used and its first poll
 * takes only `backlog` entries. */
static void test_url_changed(void)
{
	char dir[] = "/tmp/test_srcstate.XXXXXX", name[64];
	struct srcstate s, back;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	srcstate_init(&s);
	CHECK_INT(srcstate_save(fd, dir, "news", NULL, &s), 0); /* an earlier version's: no url */
	CHECK_INT(srcstate_load(fd, dir, "news", NULL, "https://a.example/feed", &back), 0);
	back.failures = 3;
	back.last_success = 1709640000;
	snprintf(back.v.etag, sizeof(back.v.etag), "\"a1\"");
	CHECK_INT(srcstate_save(fd, dir, "news", NULL, &back), 0);
	CHECK_INT(srcstate_load(fd, dir, "news", NULL, "https://a.example/feed", &back), 0);
	CHECK_INT(back.failures, 3);
	CHECK_STR(back.v.etag, "\"a1\"");
	CHECK_INT(srcstate_load(fd, dir, "news", NULL, "https://b.example/feed", &back), 1);
	CHECK_INT(back.failures, 0);
	CHECK_INT(back.last_success, 0);
	CHECK_STR(back.v.etag, "");
	CHECK_INT(srcstate_save(fd, dir, "news", NULL, &back), 0);
	CHECK_INT(srcstate_load(fd, dir, "news", NULL, "https://b.example/feed", &back), 0);
	/* Loaded with no url: kept as it is, none checked. */
	CHECK_INT(srcstate_load(fd, dir, "news", NULL, NULL, &back), 0);
	CHECK_INT(srcstate_name("news", name, sizeof(name)), 0);
	CHECK_INT(unlinkat(fd, name, 0), 0);
	close(fd);
	rmdir(dir);
}

int main(void)
{
	log_init(LOG_LVL_ERR, "digestd");
	RUN(test_format_parse_round_trip);
	RUN(test_status_fields);
	RUN(test_problem_since);
	RUN(test_parse_rejects_damage);
	RUN(test_backoff_doubles_and_caps);
	RUN(test_clock_set_back);
	RUN(test_save_load);
	RUN(test_url_changed);
	return CHECK_EXIT();
}
