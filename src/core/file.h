/* SPDX-License-Identifier: MIT */
/* Whole reads and writes on file descriptors, and the one way digestd
 * replaces a state file: temporary file, fsync, rename, fsync of the folder,
 * so that a crash at any moment leaves the old file or the new one. */
#ifndef DIGESTD_FILE_H
#define DIGESTD_FILE_H

#include <stddef.h>

/* Writes all n bytes, retrying short writes and EINTR. 0 or -errno. */
int file_write_full(int fd, const void *buf, size_t n);

/* Reads until n bytes or end of file; *got is how many came. 0 or -errno. */
int file_read_full(int fd, void *buf, size_t n, size_t *got);

/* Replaces dirfd/name with the bytes a then b (b may be NULL with blen 0):
 * writes them to dirfd/tmp_name (mode 0600, never following a link), fsyncs
 * it, renames it over name and fsyncs the folder. On failure the temporary
 * file is removed and an existing dirfd/name is untouched. 0 or -errno.
 * Blocks on disk I/O. */
int file_replace_at(int dirfd, const char *name, const char *tmp_name, const void *a,
		    size_t alen, const void *b, size_t blen);

/* The same for a path: the temporary file is path + ".tmp" beside it. */
int file_replace(const char *path, const void *a, size_t alen, const void *b, size_t blen);

#endif
