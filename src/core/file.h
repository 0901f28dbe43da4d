/* SPDX-License-Identifier: MIT */
/* Whole reads and writes on file descriptors, and the one way digestd
 * replaces a state file: temporary file, fsync, rename, fsync of the folder,
 * so that a crash at any moment leaves the old file or the new one. */
#ifndef DIGESTD_FILE_H
#define DIGESTD_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

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

/* Opens the file at path for reading, for a file the admin names (the
 * ini, an included file, a secret): links are followed, as the admin may
 * keep it elsewhere, but only a regular file is opened, st its fstat. A
 * FIFO or a device is refused before it is opened (opening one can block,
 * or act: a watchdog device starts counting), and again on the descriptor
 * should one be swapped in meanwhile. The descriptor, or a negative errno
 * (-EISDIR, -ENXIO as file_open_read's). */
int file_open_path(const char *path, struct stat *st);

/* The one wording of the refusal file_open_read and file_open_path give
 * what is not a regular file: "not a regular file (a folder)" for -EISDIR,
 * "not a regular file" for -ENXIO; NULL for any other rc. Static strings. */
const char *file_not_regular(int rc);

/* A short text for a negative errno from the calls above, naming the
 * refusals of file_open_read ("a symbolic link, not followed", and
 * file_not_regular's); strerror otherwise. Static strings. */
const char *file_strerror(int rc);

#endif
