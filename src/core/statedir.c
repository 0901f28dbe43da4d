/* SPDX-License-Identifier: MIT */
/* The state folder's checks and its lock. The lock file is never removed:
 * removing it would let a third instance lock a new file while the second
 * still holds the old one. */
#include "statedir.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dec.h"
#include "core/file.h"
#include "core/log.h"

/* 0, or -EPERM after a log line when the open folder fd is not ours alone. */
static int check_owner(int fd, const char *dir, const char *sub)
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0) {
		rc = -errno;
		log_errx("%s%s%s: %s", dir, sub ? "/" : "", sub ? sub : "", strerror(-rc));
		return rc;
	}
	if (st.st_uid != geteuid()) {
		log_errx("%s%s%s: owned by uid %lu, not by digestd's uid %lu; refusing to use it",
			 dir, sub ? "/" : "", sub ? sub : "", (unsigned long)st.st_uid,
			 (unsigned long)geteuid());
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_errx("%s%s%s: writable by group or others (mode %04o); refusing to use it "
			 "(chmod go-w)", dir, sub ? "/" : "", sub ? sub : "",
			 (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* fd when check_owner accepts it; else closed, and the refusal. */
static int checked(int fd, const char *dir, const char *sub)
{
	int rc = check_owner(fd, dir, sub);

	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* Opens the folder dir (through links only root or digestd's user could
 * have made: file_walk), making what is missing when make, and checks it;
 * -ENOENT unsaid when it is missing and may_be_missing (check-config: run
 * would make it). */
static int open_top(const char *dir, bool make, bool may_be_missing)
{
	struct file_walk w;
	int fd = file_open_dir(dir, FILE_WALK_FOLLOW | (make ? FILE_WALK_MKDIR : 0), &w);

	if (fd < 0) {
		if (fd == -ENOENT && may_be_missing)
			return fd;
		if (w.why[0])
			log_errx("state directory %s: %s", dir, w.why);
		else if (fd == -ENOTDIR)
			log_errx("%s: not a folder; refusing to use it", dir);
		else
			log_errx("state directory %s: cannot open: %s", dir, file_strerror(fd));
		return fd;
	}
	return checked(fd, dir, NULL);
}

int statedir_open(const char *dir)
{
	return open_top(dir, true, false);
}

int statedir_check(const char *dir)
{
	return open_top(dir, false, true);
}

/* Opens the folder sub of dirfd without following a link, and checks it;
 * -ENOENT unsaid when it is missing and may_be_missing. */
static int open_sub(int dirfd, const char *dir, const char *sub, bool may_be_missing)
{
	int fd = file_open_dir_at(dirfd, sub);

	if (fd < 0) {
		if (fd == -ENOENT && may_be_missing)
			return fd;
		log_errx("%s/%s: %s; refusing to use it", dir, sub,
			 fd == -ELOOP ? "a symbolic link" : file_strerror(fd));
		return fd;
	}
	return checked(fd, dir, sub);
}

int statedir_sub(int dirfd, const char *dir, const char *sub)
{
	int rc;

	if (mkdirat(dirfd, sub, 0700) == 0) {
		/* A new folder: durable before anything is written into it. */
		if (fsync(dirfd) < 0) {
			rc = -errno;
			log_errx("%s: fsync after creating %s/: %s", dir, sub, strerror(-rc));
			return rc;
		}
	} else if (errno != EEXIST) {
		rc = -errno;
		log_errx("%s/%s: cannot create: %s", dir, sub, strerror(-rc));
		return rc;
	}
	return open_sub(dirfd, dir, sub, false);
}

int statedir_sub_check(int dirfd, const char *dir, const char *sub)
{
	return open_sub(dirfd, dir, sub, true);
}

long statedir_holder_pid(int fd)
{
	char buf[24];
	size_t n, used;
	uint64_t pid;

	if (file_read_full(fd, buf, sizeof(buf), &n) < 0 ||
	    dec_read(buf, n, LONG_MAX, &pid, &used) != 0 || (used < n && buf[used] != '\n'))
		return 0;
	return (long)pid;
}

int statedir_lock(int dirfd, const char *dir)
{
	char buf[24];
	int fd, n, rc;
	struct stat st;

	/* Created only when missing, so that a full disk fails start-up only
	 * the first time ever. */
	fd = openat(dirfd, "lock", O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		log_errx("%s/lock: cannot open: %s", dir, file_strerror(rc));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		log_errx("%s/lock: not a regular file; refusing to use the state folder", dir);
		return -ENXIO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		if (rc == -EWOULDBLOCK) {
			long pid = statedir_holder_pid(fd);

			if (pid)
				log_errx("%s: in use by digestd pid %ld (%s/lock held); exiting",
					 dir, pid, dir);
			else
				log_errx("%s: in use by another digestd (%s/lock held); exiting",
					 dir, dir);
			rc = -EBUSY;
		} else {
			log_errx("%s/lock: cannot lock: %s", dir, strerror(-rc));
		}
		close(fd);
		return rc;
	}
	/* The pid only names the holder for a second instance: failing to
	 * write it (a full disk) leaves the lock as good, and is said. */
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		log_warn("%s/lock: cannot record our pid (the lock holds)", dir);
	return fd;
}
