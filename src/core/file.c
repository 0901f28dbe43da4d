/* SPDX-License-Identifier: MIT */
/* Whole reads and writes, and atomic replacement of state files. Callers
 * name the file in their own error messages; nothing here logs. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
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

int file_replace_at(int dirfd, const char *name, const char *tmp_name, const void *a,
		    size_t alen, const void *b, size_t blen)
{
	int fd, rc;

	fd = openat(dirfd, tmp_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
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

int file_replace(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	int dirfd, rc;

	if (dlen >= sizeof(dir) || (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", base) >= sizeof(tmp))
		return -ENAMETOOLONG;
	if (!slash)
		memcpy(dir, ".", 2);
	else if (dlen == 0)
		memcpy(dir, "/", 2);
	else {
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	rc = file_replace_at(dirfd, base, tmp, a, alen, b, blen);
	close(dirfd);
	return rc;
}
