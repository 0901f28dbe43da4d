/* SPDX-License-Identifier: MIT */
/* Whole reads and writes, and atomic replacement of state files. Callers
 * name the file in their own error messages; nothing here logs. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_write_full(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int file_read_full(int fd, void *buf, size_t n, size_t *got)
{
	unsigned char *p = buf;

	*got = 0;
	while (*got < n) {
		ssize_t r = read(fd, p + *got, n - *got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

/* file_replace_at with the new file's mode, set with fchmod so that the
 * process's umask does not narrow it. */
static int replace(int dirfd, const char *name, const char *tmp_name, const void *a, size_t alen,
		   const void *b, size_t blen, mode_t mode)
{
	int fd, rc;

	/* A leftover of a crash, or anything planted under the name (a link, a
	 * FIFO), goes first: the file written is always a new regular file. */
	if (unlinkat(dirfd, tmp_name, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dirfd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	rc = fchmod(fd, mode) < 0 ? -errno : 0;
	if (rc == 0)
		rc = file_write_full(fd, a, alen);
	if (rc == 0 && blen)
		rc = file_write_full(fd, b, blen);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(dirfd, tmp_name, dirfd, name) < 0)
		rc = -errno;
	if (rc < 0) {
		unlinkat(dirfd, tmp_name, 0);
		return rc;
	}
	if (fsync(dirfd) < 0)
		return -errno;
	return 0;
}

int file_replace_at(int dirfd, const char *name, const char *tmp_name, const void *a,
		    size_t alen, const void *b, size_t blen)
{
	return replace(dirfd, name, tmp_name, a, alen, b, blen, 0600);
}

int file_replace_mode_at(int dirfd, const char *name, const char *tmp_name, const void *buf,
			 size_t len, mode_t mode)
{
	return replace(dirfd, name, tmp_name, buf, len, NULL, 0, mode);
}

static int regular_or_why(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return 0;
	return S_ISDIR(st->st_mode) ? -EISDIR : -ENXIO;
}

int file_open_read(int dirfd, const char *name)
{
	struct stat st;
	int fd, rc;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = regular_or_why(&st);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int file_open_path(const char *path, struct stat *st)
{
	int fd, rc;

	if (stat(path, st) < 0)
		return -errno;
	rc = regular_or_why(st);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	rc = fstat(fd, st) < 0 ? -errno : regular_or_why(st);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

const char *file_not_regular(int rc)
{
	if (rc == -EISDIR)
		return "not a regular file (a folder)";
	if (rc == -ENXIO)
		return "not a regular file";
	return NULL;
}

const char *file_strerror(int rc)
{
	const char *why = file_not_regular(rc);

	if (rc == -ELOOP)
		return "a symbolic link, not followed";
	return why ? why : strerror(-rc);
}
