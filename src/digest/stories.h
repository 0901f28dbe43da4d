/* SPDX-License-Identifier: MIT */
/* The story window's file: "stories" in the state folder, saved after each
 * settled digest and read at start-up, so that a story delivered before a
 * restart is still known. Reading a damaged file never crashes. */
#ifndef DIGESTD_STORIES_H
#define DIGESTD_STORIES_H

#include <stddef.h>

#include "summarise/story.h"

/* On-disk layout: STORIES_HEADER_BYTES, then struct story_window as it is
 * in memory (the window is derived data, rebuilt by reading news, so a file
 * of another build or byte order is refused rather than converted):
 *   0  "DGSTSTRY"  8 version (1)  12 sizeof(struct story_window)
 *   16 STORY_WINDOW  20 STORY_STORY_TERMS  24 STORY_DF_SLOTS
 *   28 STORY_URL_BYTES (little-endian, like the version and size)
 *   32 SHA-256 of the window bytes   64 0x01020304 in host byte order
 *   68 zero bytes up to 96
 * Any difference from this build's values: refused as foreign. */
#define STORIES_HEADER_BYTES 96u
#define STORIES_VERSION 1u

/* Parses a stories file image into w without I/O or logging. Returns 0, or
 * -EBADMSG with why naming the damage (a static string) and w an empty
 * window. Every field is checked (sizes, checksum, positions, term counts
 * and order, finite weights, NUL-terminated URLs). For stories_open and the
 * fuzzer. */
int stories_load_buffer(struct story_window *w, const void *buf, size_t len, const char **why);

/* Reads dir/stories (dirfd the state folder, dir names it in messages)
 * into w. Returns 0 when read or missing (an empty window). A damaged or
 * foreign file is logged, renamed to "stories.corrupt" and w starts empty:
 * -EBADMSG. One that cannot be read or is not a regular file (never through
 * a link, never waiting on a FIFO): logged, w empty, its negative errno. w
 * is usable in every case. Blocks on file I/O. */
int stories_open(struct story_window *w, int dirfd, const char *dir);

/* Replaces dir/stories with w (temporary file, fsync, rename, folder
 * fsync). Returns 0, or a negative errno after one log line (the old file
 * is then intact). Blocks on file I/O. */
int stories_save(const struct story_window *w, int dirfd, const char *dir);

#endif
