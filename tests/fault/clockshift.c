/* SPDX-License-Identifier: MIT */
/* An LD_PRELOAD wall-clock shifter for tests/cli/clock.sh: CLOCK_REALTIME
 * (clock_gettime, time, gettimeofday) runs DIGESTD_CLOCK_FILE's offset
 * ahead; the monotonic clocks are left alone, as an NTP step leaves them.
 * It can also step the clock from inside the process, at the moment it
 * opens a given file, which a test cannot time from outside. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mode_arg.h"

/*
 * Environment:
 *   DIGESTD_CLOCK_FILE a file holding the offset in seconds, signed decimal
 *                      (e.g. -63072000 for two years behind); read at every
 *                      call, so that a test steps the clock of a running
 *                      daemon by rewriting it (write a temporary file and
 *                      rename it over). Missing or unset: no offset.
 *   DIGESTD_CLOCK_STEP_ON
 *                      a file name: when the process opens a file of that
 *                      name (its last component, by openat), the shim
 *                      first renames DIGESTD_CLOCK_FILE.next over
 *                      DIGESTD_CLOCK_FILE (when there is one), so that the
 *                      step lands in the middle of what the open is part of
 *                      (a folder source's poll, say).
 * The shim keeps no state: every call reads the file again.
 */
typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static long long offset(void)
{
	const char *path = getenv("DIGESTD_CLOCK_FILE");
	char buf[32];
	ssize_t n;
	int fd;

	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

static int real_gettime(clockid_t id, struct timespec *ts)
{
	static clock_gettime_fn f;

	if (!f)
		f = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	if (!f)
		abort();
	return f(id, ts);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = real_gettime(id, ts);

	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += (time_t)offset();
	return rc;
}

time_t time(time_t *t)
{
	struct timespec ts;
	time_t now;

	real_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec + (time_t)offset();
	if (t)
		*t = now;
	return now;
}

/* The second argument is void * in glibc's prototype, struct timezone *
 * in POSIX's: the type of the one this file includes. */
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	real_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec + (time_t)offset();
	tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
	return 0;
}

/* Steps the clock when path names the DIGESTD_CLOCK_STEP_ON file. */
static void step_on(const char *path)
{
	const char *want = getenv("DIGESTD_CLOCK_STEP_ON"), *file = getenv("DIGESTD_CLOCK_FILE");
	const char *base = path ? strrchr(path, '/') : NULL;
	char next[4096];

	if (!want || !file || !path)
		return;
	base = base ? base + 1 : path;
	if (strcmp(base, want) != 0)
		return;
	if (snprintf(next, sizeof next, "%s.next", file) < (int)sizeof next)
		(void)rename(next, file);
}

typedef int (*openat_fn)(int, const char *, int, ...);

/* The next openat (large: openat64), looked up once, as real_gettime does:
 * not a dlsym at every open. */
static int real_openat(int large, int dirfd, const char *path, int flags, mode_t mode)
{
	static openat_fn f[2];

	if (!f[large])
		f[large] = (openat_fn)dlsym(RTLD_NEXT, large ? "openat64" : "openat");
	if (!f[large])
		abort();
	return f[large](dirfd, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	step_on(path);
	return real_openat(0, dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	step_on(path);
	return real_openat(1, dirfd, path, flags, mode);
}
