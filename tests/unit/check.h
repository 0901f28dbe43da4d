/* SPDX-License-Identifier: MIT */
/* The unit-test harness: CHECK records a failure with its place, RUN prints
 * one "PASS: name" or "FAIL: name" line per test for tests/run.sh to count. */
#ifndef DIGESTD_CHECK_H
#define DIGESTD_CHECK_H

#include <stdio.h>
#include <string.h>

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

#define RUN(fn) check_run(#fn, fn)
#define CHECK_EXIT() (check_any_failed ? 1 : 0)

#endif
