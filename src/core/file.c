/* SPDX-License-Identifier: MIT */
/* Whole reads and writes, atomic replacement of state files, setting a
 * damaged one aside, and the walk of the paths the ini names. Callers name
 * the file in their own error messages; only the setting aside logs, so
 * that its users say it in one wording. */
/* O_PATH: glibc shows it only to _GNU_SOURCE (musl always). */
#define _GNU_SOURCE
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

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

int file_set_aside(int dirfd, const char *dir, const char *name, const char *who,
		   const char *next, const char *kept, const char *fmt, ...)
{
	char what[FILE_ASIDE_WHAT_BYTES], aside[NAME_MAX + 1];
	const char *sep = who ? ": " : "";
	va_list ap;
	int n = snprintf(aside, sizeof(aside), "%s.corrupt", name), rc = 0;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(aside))
		rc = -ENAMETOOLONG;
	else if (renameat(dirfd, name, dirfd, aside) < 0)
		rc = -errno;
	if (!who)
		who = "";
	if (rc < 0)
		log_warnx("%s%s%s/%s: %s, and cannot be moved aside (%s); %s", who, sep, dir, name,
			  what, strerror(-rc), kept ? kept : next);
	else
		log_warnx("%s%s%s/%s: %s; moved to %s/%s; %s", who, sep, dir, name, what, dir, aside,
			  next);
	return rc;
}

/* Says why a walk stopped, in one line cut to FILE_WALK_WHY_BYTES (a path
 * near PATH_MAX is shown cut). */
static void walk_why(struct file_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void walk_why(struct file_walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
}

/* The folder where and comp in it as one path for messages: "." is left
 * out and "/" not doubled. */
static void where_join(char *out, size_t size, const char *where, const char *comp)
{
	if (strcmp(where, ".") == 0)
		snprintf(out, size, "%s", comp);
	else
		snprintf(out, size, "%s%s%s", where, strcmp(where, "/") == 0 ? "" : "/", comp);
}

/* Moves where, the folder a walk has reached as a path for messages, into
 * comp, which is "..", "." or a folder's name: ".." goes back one name
 * (what the kernel does, as every link on the way is replaced by its
 * target in where), but past the root or the working folder's start. */
static void where_step(char *where, size_t size, const char *comp)
{
	char *slash = strrchr(where, '/');
	const char *tail = slash ? slash + 1 : where;
	size_t n = strlen(where);

	if (strcmp(comp, ".") == 0 || (strcmp(comp, "..") == 0 && strcmp(where, "/") == 0))
		return;
	if (strcmp(comp, "..") == 0 && strcmp(tail, "..") != 0 && strcmp(where, ".") != 0) {
		if (!slash)
			snprintf(where, size, ".");
		else if (slash == where)
			where[1] = '\0';
		else
			*slash = '\0';
		return;
	}
	if (strcmp(where, ".") == 0)
		snprintf(where, size, "%s", comp);
	else if (n + 1 < size)
		snprintf(where + n, size - n, "%s%s", strcmp(where, "/") == 0 ? "" : "/", comp);
}

/* An O_PATH descriptor of the root folder, reached by climbing ".." from
 * the working folder (at the root, ".." is the root) rather than by opening
 * "/": qemu-user -L, which runs the board builds' tests, serves an absolute
 * path that exists in its sysroot from there, and "/" always does. "/" only
 * when the climb fails (a working folder digestd may not search). */
static int open_root(void)
{
	const int flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	int fd = open(".", flags), up;
	struct stat a, b;

	while (fd >= 0) {
		up = openat(fd, "..", flags);
		if (up < 0 || fstat(fd, &a) < 0 || fstat(up, &b) < 0) {
			if (up >= 0)
				close(up);
			close(fd);
			break;
		}
		close(fd);
		if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return up;
		fd = up;
	}
	fd = open("/", flags);
	return fd < 0 ? -errno : fd;
}

/* 0 when the link lst, shown as link, in the folder dfd (shown as where)
 * can only have been put there by root or digestd's user; else -EPERM with
 * w->why saying so. As OpenSSH's safe_path asks of the folders above a key,
 * and the kernel's protected_symlinks of a link in a sticky folder. */
static int link_trusted(int dfd, const struct stat *lst, const char *where, const char *link,
			struct file_walk *w)
{
	uid_t me = geteuid();
	struct stat d;

	if (fstat(dfd, &d) < 0)
		return -errno;
	if (d.st_uid != 0 && d.st_uid != me) {
		walk_why(w, "%s: a symbolic link in %s, which uid %u owns (neither root nor digestd's "
			 "uid %u); not followed", link, where, (unsigned)d.st_uid, (unsigned)me);
		return -EPERM;
	}
	if (!(d.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	if (!(d.st_mode & S_ISVTX)) {
		walk_why(w, "%s: a symbolic link in %s, which group or others may write (mode %04o, "
			 "no sticky bit); not followed", link, where, (unsigned)(d.st_mode & 07777));
		return -EPERM;
	}
	if (lst->st_uid == 0 || lst->st_uid == me || lst->st_uid == d.st_uid)
		return 0;
	walk_why(w, "%s: a symbolic link of uid %u in the sticky folder %s (mode %04o), neither "
		 "root's, digestd's (uid %u) nor the folder owner's; not followed", link,
		 (unsigned)lst->st_uid, where, (unsigned)(d.st_mode & 07777), (unsigned)me);
	return -EPERM;
}

int file_walk(const char *path, unsigned flags, struct file_walk *w)
{
	/* rest: what is left to walk, a link's target spliced in front of
	 * the rest of the path; from own on, it is the path as given (what
	 * FILE_WALK_MKDIR may make). */
	char rest[PATH_MAX], where[PATH_MAX], link[PATH_MAX];
	size_t pos = 0, own = 0, n = strlen(path);
	unsigned links = 0;
	int dfd, fd = -1, rc;

	w->name[0] = w->why[0] = '\0';
	if (n == 0)
		return -ENOENT;
	if (n >= sizeof(rest))
		return -ENAMETOOLONG;
	memcpy(rest, path, n + 1);
	snprintf(where, sizeof(where), "%s", path[0] == '/' ? "/" : ".");
	dfd = path[0] == '/' ? open_root() : open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return path[0] == '/' ? dfd : -errno;
	for (;;) {
		char *comp;
		size_t len, next;
		bool last, dots;
		struct stat st;
		ssize_t ln;

		while (rest[pos] == '/')
			pos++;
		if (!rest[pos]) { /* "/", or a path ending in "." or "..": the folder */
			snprintf(w->name, sizeof(w->name), ".");
			return dfd;
		}
		comp = rest + pos;
		len = strcspn(comp, "/");
		for (next = pos + len; rest[next] == '/'; next++)
			;
		last = rest[next] == '\0';
		if (len > NAME_MAX) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		comp[len] = '\0';
		dots = strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0;
		if (last && !dots)
			memcpy(w->name, comp, len + 1);
		if (last && !dots && !(flags & FILE_WALK_FOLLOW))
			return dfd;
		fd = openat(dfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && (flags & FILE_WALK_MKDIR) && pos >= own && !dots) {
			if (mkdirat(dfd, comp, 0700) < 0 && errno != EEXIST) {
				rc = -errno;
				where_join(link, sizeof(link), where, comp);
				walk_why(w, "cannot create %s: %s", link,
					 strerror(-rc));
				goto out;
			}
			fd = openat(dfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 && errno == ENOENT && last)
			return dfd; /* the caller says it is missing, or makes it */
		if (fd < 0 || fstat(fd, &st) < 0) {
			rc = -errno;
			goto out;
		}
		if (last && !dots && !S_ISLNK(st.st_mode)) {
			close(fd);
			return dfd;
		}
		if (S_ISLNK(st.st_mode)) {
			where_join(link, sizeof(link), where, comp);
			if (++links > FILE_WALK_LINKS) {
				walk_why(w, "%s: more than %u symbolic links on "
					 "the way (a loop?); not followed", link, FILE_WALK_LINKS);
				rc = -ELOOP;
				goto out;
			}
			rc = link_trusted(dfd, &st, where, link, w);
			if (rc < 0)
				goto out;
			/* The target of the very link checked: "" reads fd's. */
			ln = readlinkat(fd, "", link, sizeof(link));
			close(fd);
			fd = -1;
			if (ln <= 0 || (size_t)ln >= sizeof(link) ||
			    (size_t)ln + 1 + strlen(rest + next) >= sizeof(rest)) {
				rc = ln < 0 ? -errno : ln == 0 ? -ENOENT : -ENAMETOOLONG;
				goto out;
			}
			/* The target, then what was left after the link. */
			own = own > next ? (size_t)ln + 1 + own - next : (size_t)ln + 1;
			memmove(rest + ln + 1, rest + next, strlen(rest + next) + 1);
			memcpy(rest, link, (size_t)ln);
			rest[ln] = last ? '\0' : '/';
			if (last)
				own = sizeof(rest);
			pos = 0;
			if (rest[0] == '/') {
				close(dfd);
				dfd = open_root();
				if (dfd < 0)
					return dfd;
				snprintf(where, sizeof(where), "/");
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			rc = -ENOTDIR;
			goto out;
		}
		close(dfd);
		dfd = fd;
		fd = -1;
		where_step(where, sizeof(where), comp);
		pos = next;
	}
out:
	if (fd >= 0)
		close(fd);
	close(dfd);
	return rc;
}

int file_open_path(const char *path, struct stat *st, struct file_walk *w)
{
	int dfd = file_walk(path, FILE_WALK_FOLLOW, w), fd = -1, rc;

	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, w->name, st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = -errno;
	else
		rc = S_ISLNK(st->st_mode) ? -ELOOP : regular_or_why(st);
	if (rc == 0) {
		/* O_NOFOLLOW: what the walk left is no link, unless one was
		 * swapped in since; O_NONBLOCK: nor a FIFO. */
		fd = openat(dfd, w->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		rc = fd < 0 ? -errno : fstat(fd, st) < 0 ? -errno : regular_or_why(st);
	}
	close(dfd);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	return fd;
}

int file_open_dir_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc;
	struct stat st;

	if (fd >= 0)
		return fd;
	rc = -errno;
	/* O_DIRECTORY with O_NOFOLLOW fails ENOTDIR on a link: tell them apart. */
	if ((rc == -ENOTDIR || rc == -ELOOP) &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		rc = S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
	return rc;
}

int file_open_dir(const char *path, unsigned flags, struct file_walk *w)
{
	int dfd = file_walk(path, flags, w), fd;

	if (dfd < 0)
		return dfd;
	fd = file_open_dir_at(dfd, w->name);
	close(dfd);
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
