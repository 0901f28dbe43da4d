/* SPDX-License-Identifier: MIT */
/* Whole reads and writes; the one way digestd replaces a state file (temporary
 * file, fsync, rename, fsync of the folder: a crash leaves the old or the new)
 * and sets a damaged one aside; the one way it walks a path the ini names,
 * trusting or refusing each link. */
#ifndef DIGESTD_FILE_H
#define DIGESTD_FILE_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/limits.h"

/* Writes all n bytes, retrying short writes and EINTR. 0 or -errno. */
int file_write_full(int fd, const void *buf, size_t n);

/* Reads until n bytes or end of file; *got is how many came. 0 or -errno. */
int file_read_full(int fd, void *buf, size_t n, size_t *got);

/* Replaces dirfd/name with the bytes a then b (b may be NULL with blen 0):
 * removes whatever dirfd/tmp_name is, writes a new file there (mode 0600,
 * O_EXCL and O_NOFOLLOW: never through a link or into a FIFO), fsyncs it,
 * renames it over name and fsyncs the folder. 0 or -errno. On failure
 * before the rename the temporary file is removed and dirfd/name is
 * untouched; when only the folder's fsync fails, the new file is in place
 * but not known to be durable: callers treat it as not saved, and must
 * cope with finding it later. Blocks on disk I/O. */
int file_replace_at(int dirfd, const char *name, const char *tmp_name, const void *a,
		    size_t alen, const void *b, size_t blen);

/* file_replace_at of one buffer with the new file's mode (whatever the
 * umask): for a file another user reads, such as the metrics file
 * node_exporter collects (0644). */
int file_replace_mode_at(int dirfd, const char *name, const char *tmp_name, const void *buf,
			 size_t len, mode_t mode);

/* Opens dirfd/name for reading, for a state file: never through a symbolic
 * link (-ELOOP), never blocking on a FIFO (opened O_NONBLOCK), and only a
 * regular file (-EISDIR for a folder, -ENXIO for a FIFO, socket or device).
 * Returns the descriptor (O_NONBLOCK is harmless on a regular file) or a
 * negative errno (-ENOENT when it does not exist). */
int file_open_read(int dirfd, const char *name);

/* Sets the damaged state file dirfd/name aside: renames it to name.corrupt
 * in the same folder (replacing an older one), kept for a look, and logs one
 * warning naming dir/name (after "who: " when who is not NULL: the file's
 * owner, such as "source NAME"), what is wrong (fmt), where it went or why
 * the move failed (the file is then left in place), and what happens next:
 * next, or kept when the move failed and that changes it (NULL: next either
 * way). The rename neither follows a link nor opens a FIFO: what was planted
 * under the name is what moves. Returns 0 or the rename's negative errno. */
int file_set_aside(int dirfd, const char *dir, const char *name, const char *who,
		   const char *next, const char *kept, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Flags of file_walk. FILE_WALK_FOLLOW: a trusted link as the last
 * component is followed too (else it is left for the caller, who opens it
 * with O_NOFOLLOW). FILE_WALK_MKDIR: missing folders of the path as given
 * are made (mode 0700; the state folder), but never the target of a link. */
#define FILE_WALK_FOLLOW 1u
#define FILE_WALK_MKDIR 2u

/* What a walk leaves for its caller: the last component's name, and, when
 * it refused, one line saying which component and why. */
struct file_walk {
	char name[NAME_MAX + 1];
	char why[FILE_WALK_WHY_BYTES];
};

/* Walks path (absolute, or from the working folder) one component at a
 * time, each opened O_PATH|O_NOFOLLOW from the folder before it, so that
 * what is checked is what is used. A symbolic link on the way is followed
 * (its target walked the same way, at most FILE_WALK_LINKS links) only when
 * no user but root and digestd's own could have put it there: its folder is
 * owned by root or digestd's uid and not writable by group or others, or is
 * sticky and the link is owned by root, digestd's uid or the folder's owner
 * (the kernel's protected_symlinks rule). Returns an O_PATH descriptor of
 * the folder holding the last component (w->name; "." when path ends in "."
 * or ".."), the caller's to close; the last component is not opened, and
 * may not exist. Or a negative errno: -EPERM for a link refused and -ELOOP
 * past FILE_WALK_LINKS links, w->why then naming the link and why (as it
 * names a folder FILE_WALK_MKDIR could not make); -ENOENT, -ENOTDIR, -EACCES
 * and the like for a component on the way, w->why empty. Blocks on disk. */
int file_walk(const char *path, unsigned flags, struct file_walk *w);

/* Opens the file at path for reading, for a file the admin names (the
 * ini, an included file, a secret): file_walk with FILE_WALK_FOLLOW, as the
 * admin may keep it elsewhere, then only a regular file is opened, st its
 * fstat. A FIFO or a device is refused before it is opened (opening one can
 * block, or act: a watchdog device starts counting), and again on the
 * descriptor should one be swapped in meanwhile. The descriptor, or a
 * negative errno (-EISDIR, -ENXIO as file_open_read's; file_walk's, w->why
 * saying a refusal). */
int file_open_path(const char *path, struct stat *st, struct file_walk *w);

/* Opens the folder dirfd/name for reading without following a link: the
 * descriptor, or -ELOOP when name is a symbolic link, -ENOTDIR for any other
 * non-folder, -errno. */
int file_open_dir_at(int dirfd, const char *name);

/* file_walk with flags, then file_open_dir_at of its last component: the
 * folder's descriptor or a negative errno, w->why saying a refusal. */
int file_open_dir(const char *path, unsigned flags, struct file_walk *w);

/* The one wording of the refusal file_open_read and file_open_path give
 * what is not a regular file: "not a regular file (a folder)" for -EISDIR,
 * "not a regular file" for -ENXIO; NULL for any other rc. Static strings. */
const char *file_not_regular(int rc);

/* A short text for a negative errno from the calls above, naming the
 * refusals of file_open_read ("a symbolic link, not followed", and
 * file_not_regular's); strerror otherwise. Static strings. */
const char *file_strerror(int rc);

#endif
