/* SPDX-License-Identifier: MIT */
/* An LD_PRELOAD fault injector for tests/cli/diskfull.sh: counts the calls
 * that need room on the state folder's file system (write, fsync, rename,
 * creating a file or folder) and fails the Nth with ENOSPC; for chat.sh,
 * refuses to remove outbox entries, or to open a digest's part 1, for
 * reconfig.sh to move an entry to dead/, and for empty_digest.sh to create
 * files in one folder, while asked. Test-only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mode_arg.h"

/*
 * Environment:
 *   DIGESTD_FAULT_DIR  the state folder: only calls on it and inside it count
 *   DIGESTD_FAULT_AT   N: fail the Nth counted call (0 or unset: count only)
 *   DIGESTD_FAULT_LOG  a file outside the state folder: one line per counted
 *                      call, "N CALL PATH", and "N FAULT CALL PATH" for the
 *                      failed one
 *   DIGESTD_FAULT_KILL a path part, e.g. "/outbox/": once the fault is in,
 *                      the first counted call on a path holding it kills the
 *                      process (SIGKILL), as a crash or power cut would
 *   DIGESTD_FAULT_KILL_AT N: the Nth counted call kills the process
 *                      (SIGKILL) before it is made, fault or not
 *   DIGESTD_FAULT_NO_UNLINK a file: while it exists, removing an outbox
 *                      entry (a path of the state folder holding "/outbox/"
 *                      and ending in ".digest") fails with EROFS, as on a
 *                      disk gone read-only; not counted
 *   DIGESTD_FAULT_NO_MOVE a file: while it exists, renaming an outbox
 *                      entry (as above) fails with EROFS: its move to
 *                      dead/ is refused; not counted
 *   DIGESTD_FAULT_EIO_PART1 a file: while it exists, opening part 1 of a
 *                      digest to read it (an outbox entry ending in
 *                      "-1.digest", opened without O_CREAT) fails with EIO,
 *                      as a bad sector would; not counted
 *   DIGESTD_FAULT_FULL a file: while it exists, creating a file in the
 *                      state folder whose path holds DIGESTD_FAULT_FULL_IN
 *                      (e.g. "/outbox/b/") fails with ENOSPC, as on a disk
 *                      that one outbox filled; not counted
 * One process, one count: the test starts one digestd per run. The state
 * below is the shim's own (a preloaded library has nowhere else to keep it).
 */
static struct {
	int ready;
	char dir[PATH_MAX];
	size_t dirlen;
	long at, kill_at, n;
	int logfd, faulted;
	const char *kill_on;
} F = { .logfd = -1 };

typedef ssize_t (*write_fn)(int, const void *, size_t);

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f)
		abort();
	return f;
}

static void setup(void)
{
	const char *d = getenv("DIGESTD_FAULT_DIR"), *at = getenv("DIGESTD_FAULT_AT");
	const char *log = getenv("DIGESTD_FAULT_LOG");
	int (*open_)(const char *, int, ...) = real("open");

	F.ready = 1;
	if (!d || !realpath(d, F.dir)) {
		F.dir[0] = '\0';
		return;
	}
	F.dirlen = strlen(F.dir);
	F.at = at ? strtol(at, NULL, 10) : 0;
	at = getenv("DIGESTD_FAULT_KILL_AT");
	F.kill_at = at ? strtol(at, NULL, 10) : 0;
	F.kill_on = getenv("DIGESTD_FAULT_KILL");
	if (log)
		F.logfd = open_(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

/* path of fd (or of dirfd/name) into out; 0 or -1. */
static int fd_path(int fd, char *out, size_t size)
{
	char link[64];
	ssize_t n;

	if (fd == AT_FDCWD)
		return getcwd(out, size) ? 0 : -1;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, out, size - 1);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return 0;
}

static int at_path(int dirfd, const char *name, char *out, size_t size)
{
	char dir[PATH_MAX];

	if (name[0] == '/') {
		snprintf(out, size, "%s", name);
		return 0;
	}
	if (fd_path(dirfd, dir, sizeof dir) < 0)
		return -1;
	snprintf(out, size, "%s/%s", dir, name);
	return 0;
}

static int inside(const char *path)
{
	return F.dirlen && strncmp(path, F.dir, F.dirlen) == 0 &&
	       (path[F.dirlen] == '\0' || path[F.dirlen] == '/');
}

/* Counts one call on path; returns 1 when this one is to fail. */
static int count(const char *call, const char *path)
{
	write_fn w = real("write");
	char line[PATH_MAX + 64];
	int fault, n;

	if (!F.ready)
		setup();
	if (!inside(path))
		return 0;
	if (F.faulted && F.kill_on && *F.kill_on && strstr(path + F.dirlen, F.kill_on))
		kill(getpid(), SIGKILL);
	F.n++;
	if (F.kill_at > 0 && F.n == F.kill_at)
		kill(getpid(), SIGKILL);
	fault = F.at > 0 && F.n == F.at;
	n = snprintf(line, sizeof line, "%ld %s%s %s\n", F.n, fault ? "FAULT " : "", call,
		     path + F.dirlen);
	if (F.logfd >= 0 && n > 0 && w(F.logfd, line, (size_t)n) < 0)
		abort();
	F.faulted |= fault;
	return fault;
}

static int count_fd(const char *call, int fd)
{
	char p[PATH_MAX];

	if (!F.ready)
		setup();
	return F.dirlen && fd_path(fd, p, sizeof p) == 0 && count(call, p);
}

static int count_at(const char *call, int dirfd, const char *name)
{
	char p[2 * PATH_MAX + 2];

	if (!F.ready)
		setup();
	return F.dirlen && at_path(dirfd, name, p, sizeof p) == 0 && count(call, p);
}

/* Only a call that would make a new file or folder needs an inode. */
static int creates(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

#define FAIL_WITH_ENOSPC()     \
	do {                   \
		errno = ENOSPC; \
		return -1;     \
	} while (0)

ssize_t write(int fd, const void *buf, size_t n)
{
	if (count_fd("write", fd))
		FAIL_WITH_ENOSPC();
	return ((write_fn)real("write"))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (count_fd("pwrite", fd))
		FAIL_WITH_ENOSPC();
	return ((ssize_t (*)(int, const void *, size_t, off_t))real("pwrite"))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	if (count_fd("pwrite", fd))
		FAIL_WITH_ENOSPC();
	return ((ssize_t (*)(int, const void *, size_t, off64_t))real("pwrite64"))(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	if (count_fd("writev", fd))
		FAIL_WITH_ENOSPC();
	return ((ssize_t (*)(int, const struct iovec *, int))real("writev"))(fd, iov, n);
}

int fsync(int fd)
{
	if (count_fd("fsync", fd))
		FAIL_WITH_ENOSPC();
	return ((int (*)(int))real("fsync"))(fd);
}

int fdatasync(int fd)
{
	if (count_fd("fdatasync", fd))
		FAIL_WITH_ENOSPC();
	return ((int (*)(int))real("fdatasync"))(fd);
}

int rename(const char *from, const char *to)
{
	if (count_at("rename", AT_FDCWD, to))
		FAIL_WITH_ENOSPC();
	return ((int (*)(const char *, const char *))real("rename"))(from, to);
}

static int entry_refused(const char *env, int dirfd, const char *name);

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	if (entry_refused("DIGESTD_FAULT_NO_MOVE", fromfd, from)) {
		errno = EROFS;
		return -1;
	}
	if (count_at("rename", tofd, to))
		FAIL_WITH_ENOSPC();
	return ((int (*)(int, const char *, int, const char *))real("renameat"))(fromfd, from,
										tofd, to);
}

int mkdir(const char *path, mode_t mode)
{
	if (creates(AT_FDCWD, path) && count_at("mkdir", AT_FDCWD, path))
		FAIL_WITH_ENOSPC();
	return ((int (*)(const char *, mode_t))real("mkdir"))(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	if (creates(dirfd, path) && count_at("mkdir", dirfd, path))
		FAIL_WITH_ENOSPC();
	return ((int (*)(int, const char *, mode_t))real("mkdirat"))(dirfd, path, mode);
}

/* Is dirfd/name part 1 of a digest in an outbox, opened to read while
 * DIGESTD_FAULT_EIO_PART1 names a file that exists? */
static int part1_unreadable(int dirfd, const char *name, int flags)
{
	const char *flag = getenv("DIGESTD_FAULT_EIO_PART1");
	static const char part1[] = "-1.digest";
	char p[2 * PATH_MAX + 2];
	size_t n;

	if (!F.ready)
		setup();
	if ((flags & O_CREAT) || !flag || !*flag || !F.dirlen ||
	    at_path(dirfd, name, p, sizeof p) < 0 || !inside(p))
		return 0;
	n = strlen(p);
	return strstr(p + F.dirlen, "/outbox/") && n > sizeof part1 - 1 &&
	       strcmp(p + n - (sizeof part1 - 1), part1) == 0 && access(flag, F_OK) == 0;
}

/* Is dirfd/name in the state folder under DIGESTD_FAULT_FULL_IN, while the
 * file DIGESTD_FAULT_FULL names exists? */
static int folder_full(int dirfd, const char *name)
{
	const char *flag = getenv("DIGESTD_FAULT_FULL"), *part = getenv("DIGESTD_FAULT_FULL_IN");
	char p[2 * PATH_MAX + 2];

	if (!F.ready)
		setup();
	return flag && *flag && part && *part && F.dirlen &&
	       at_path(dirfd, name, p, sizeof p) == 0 && inside(p) && strstr(p + F.dirlen, part) &&
	       access(flag, F_OK) == 0;
}

/* open, open64, openat, openat64: counted when they create the file. */
static int open_common(const char *sym, int dirfd, const char *path, int flags, mode_t mode)
{
	if ((flags & O_CREAT) && creates(dirfd, path) && folder_full(dirfd, path))
		FAIL_WITH_ENOSPC();
	if ((flags & O_CREAT) && creates(dirfd, path) && count_at("create", dirfd, path))
		FAIL_WITH_ENOSPC();
	if (part1_unreadable(dirfd, path, flags)) {
		errno = EIO;
		return -1;
	}
	if (dirfd == AT_FDCWD && (!strcmp(sym, "open") || !strcmp(sym, "open64")))
		return ((int (*)(const char *, int, ...))real(sym))(path, flags, mode);
	return ((int (*)(int, const char *, int, ...))real(sym))(dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return open_common("open", AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return open_common("open64", AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return open_common("openat", dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return open_common("openat64", dirfd, path, flags, mode);
}

/* Is dirfd/name an outbox entry, and does the file that env names exist?
 * unlinkat and unlink are refused on it under DIGESTD_FAULT_NO_UNLINK,
 * renameat under DIGESTD_FAULT_NO_MOVE. */
static int entry_refused(const char *env, int dirfd, const char *name)
{
	const char *flag = getenv(env);
	char p[2 * PATH_MAX + 2];
	size_t n;

	if (!F.ready)
		setup();
	if (!flag || !*flag || !F.dirlen || at_path(dirfd, name, p, sizeof p) < 0 || !inside(p))
		return 0;
	n = strlen(p);
	return strstr(p + F.dirlen, "/outbox/") && n > 7 && strcmp(p + n - 7, ".digest") == 0 &&
	       access(flag, F_OK) == 0;
}

int unlinkat(int dirfd, const char *name, int flags)
{
	if (entry_refused("DIGESTD_FAULT_NO_UNLINK", dirfd, name)) {
		errno = EROFS;
		return -1;
	}
	return ((int (*)(int, const char *, int))real("unlinkat"))(dirfd, name, flags);
}

int unlink(const char *path)
{
	if (entry_refused("DIGESTD_FAULT_NO_UNLINK", AT_FDCWD, path)) {
		errno = EROFS;
		return -1;
	}
	return ((int (*)(const char *))real("unlink"))(path);
}
