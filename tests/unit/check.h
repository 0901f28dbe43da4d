/* SPDX-License-Identifier: MIT */
/* The unit-test harness: CHECK records a failure with its place, RUN prints
 * one "PASS: name" or "FAIL: name" line per test for tests/run.sh to count. */
#ifndef DIGESTD_CHECK_H
#define DIGESTD_CHECK_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int check_current_failed;
static int check_any_failed;

#define CHECK(expr)                                                              \
	do {                                                                     \
		if (!(expr)) {                                                   \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
			       #expr);                                           \
			check_current_failed = 1;                                \
		}                                                                \
	} while (0)

#define CHECK_STR(got, want)                                                       \
	do {                                                                       \
		const char *g_ = (got), *w_ = (want);                              \
		if (strcmp(g_, w_) != 0) {                                         \
			printf("  %s:%d: got \"%s\", want \"%s\"\n", __FILE__,   \
			       __LINE__, g_, w_);                                  \
			check_current_failed = 1;                                  \
		}                                                                  \
	} while (0)

#define CHECK_INT(got, want)                                                   \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		if (g_ != w_) {                                                \
			printf("  %s:%d: %s is %lld, want %lld\n", __FILE__,   \
			       __LINE__, #got, g_, w_);                        \
			check_current_failed = 1;                              \
		}                                                              \
	} while (0)

static inline void check_run(const char *name, void (*fn)(void))
{
	check_current_failed = 0;
	fn();
	printf("%s: %s\n", check_current_failed ? "FAIL" : "PASS", name);
	fflush(stdout);
	check_any_failed |= check_current_failed;
}

/* Log lines under test: check_stderr_begin sends stderr into a temporary
 * file (0, or -1 when none can be made: nothing is redirected), and
 * check_stderr_end puts stderr back and copies what was written, at most
 * size - 1 bytes and NUL-terminated, into out. */
struct check_capture {
	FILE *f;
	int saved;
};

static inline int check_stderr_begin(struct check_capture *c)
{
	c->f = tmpfile();
	c->saved = c->f ? dup(STDERR_FILENO) : -1;
	if (c->saved < 0) {
		if (c->f)
			fclose(c->f);
		c->f = NULL;
		return -1;
	}
	fflush(stderr);
	dup2(fileno(c->f), STDERR_FILENO);
	return 0;
}

static inline void check_stderr_end(struct check_capture *c, char *out, size_t size)
{
	size_t n = 0;

	if (c->f) {
		fflush(stderr);
		dup2(c->saved, STDERR_FILENO);
		close(c->saved);
		rewind(c->f);
		n = fread(out, 1, size - 1, c->f);
		fclose(c->f);
	}
	out[n] = '\0';
}

#define RUN(fn) check_run(#fn, fn)
#define CHECK_EXIT() (check_any_failed ? 1 : 0)

#endif
