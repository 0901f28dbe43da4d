/* SPDX-License-Identifier: MIT */
/* The story window's file: header, window image and checksum; every field
 * of a file read is checked before the window is used. */
#include "stories.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/file.h"
#include "core/log.h"
#include "core/sha256.h"

static const char stories_magic[8] = { 'D', 'G', 'S', 'T', 'S', 'T', 'R', 'Y' };
static const uint32_t byte_order = 0x01020304u;

/* The header of this build without the checksum. */
static void header_sizes(unsigned char h[STORIES_HEADER_BYTES])
{
	memset(h, 0, STORIES_HEADER_BYTES);
	memcpy(h, stories_magic, sizeof stories_magic);
	bytes_put32(h + 8, STORIES_VERSION);
	bytes_put32(h + 12, (uint32_t)sizeof(struct story_window));
	bytes_put32(h + 16, STORY_WINDOW);
	bytes_put32(h + 20, STORY_STORY_TERMS);
	bytes_put32(h + 24, STORY_DF_SLOTS);
	bytes_put32(h + 28, STORY_URL_BYTES);
	memcpy(h + 64, &byte_order, sizeof byte_order);
}

static void header_make(unsigned char h[STORIES_HEADER_BYTES], const struct story_window *w)
{
	header_sizes(h);
	sha256_once(w, sizeof(*w), h + 32);
}

static int header_check(const unsigned char *h, const char **why)
{
	unsigned char want[STORIES_HEADER_BYTES];

	header_sizes(want);
	if (memcmp(h, stories_magic, sizeof stories_magic) != 0)
		*why = "not a story window file";
	else if (bytes_get32(h + 8) != STORIES_VERSION)
		*why = "unknown version";
	else if (memcmp(h + 12, want + 12, 20) != 0 || memcmp(h + 64, want + 64, 4) != 0)
		*why = "written by a build of other sizes or byte order";
	else
		return 0;
	return -EBADMSG;
}

/* The window's own fields, trusting none. */
static int window_check(const struct story_window *w, const unsigned char sum[32],
			const char **why)
{
	unsigned char got[32];

	sha256_once(w, sizeof(*w), got);
	*why = "checksum mismatch";
	if (memcmp(got, sum, sizeof got) != 0)
		return -EBADMSG;
	*why = "position out of range";
	if (w->next >= STORY_WINDOW || w->next_id == 0)
		return -EBADMSG;
	for (unsigned i = 0; i < STORY_WINDOW; i++) {
		const struct story *s = &w->s[i];

		*why = "a story out of range";
		if (s->terms.n > STORY_STORY_TERMS || !memchr(s->url, '\0', sizeof s->url) ||
		    s->delivered < 0)
			return -EBADMSG;
		for (uint32_t t = 0; t < s->terms.n; t++)
			if (!isfinite(s->terms.weight[t]) ||
			    (t && s->terms.hash[t - 1] >= s->terms.hash[t]))
				return -EBADMSG;
	}
	return 0;
}

int stories_load_buffer(struct story_window *w, const void *buf, size_t len, const char **why)
{
	const unsigned char *b = buf;
	int rc;

	story_window_init(w);
	*why = len < STORIES_HEADER_BYTES ? "truncated header" : "truncated or trailing bytes";
	if (len < STORIES_HEADER_BYTES || header_check(b, why) < 0)
		return -EBADMSG;
	if (len != STORIES_HEADER_BYTES + sizeof(*w))
		return -EBADMSG;
	memcpy(w, b + STORIES_HEADER_BYTES, sizeof(*w));
	rc = window_check(w, b + 32, why);
	if (rc < 0)
		story_window_init(w);
	return rc;
}

/* Reads and checks the open file into w; why names the damage. The
 * header first, so that a file of another build is named as one; then its
 * size, so that the body's read ends at the file's end. */
static int load_file(struct story_window *w, int fd, const char **why)
{
	unsigned char h[STORIES_HEADER_BYTES];
	struct stat st;
	size_t got;
	int rc;

	rc = file_read_full(fd, h, sizeof h, &got);
	if (rc < 0)
		return rc;
	*why = "truncated header";
	if (got < sizeof h || header_check(h, why) < 0)
		return -EBADMSG;
	if (fstat(fd, &st) < 0)
		return -errno;
	*why = "truncated or trailing bytes";
	if (st.st_size != (off_t)(sizeof h + sizeof(*w)))
		return -EBADMSG;
	rc = file_read_full(fd, w, sizeof(*w), &got);
	if (rc < 0)
		return rc;
	if (got != sizeof(*w))
		return -EBADMSG;
	return window_check(w, h + 32, why);
}

int stories_open(struct story_window *w, int dirfd, const char *dir)
{
	const char *why = "damaged";
	int fd, rc;

	story_window_init(w);
	fd = file_open_read(dirfd, "stories");
	rc = fd < 0 ? fd : load_file(w, fd, &why);
	if (fd >= 0)
		close(fd);
	if (rc == 0 || rc == -ENOENT)
		return 0;
	story_window_init(w);
	if (rc != -EBADMSG)
		log_warnx("%s/stories: cannot read the story window: %s; starting with an empty one",
			  dir, file_strerror(rc));
	else
		(void)file_set_aside(dirfd, dir, "stories", NULL, "starting with an empty one", NULL,
				     "damaged story window (%s)", why);
	return rc;
}

int stories_save(const struct story_window *w, int dirfd, const char *dir)
{
	unsigned char h[STORIES_HEADER_BYTES];
	int rc;

	header_make(h, w);
	rc = file_replace_at(dirfd, "stories", "stories.tmp", h, sizeof h, w, sizeof(*w));
	if (rc < 0)
		log_warnx("%s/stories: cannot save the story window: %s; the digest's articles are "
			  "safe in the seen-set, a story of it may come again after a restart",
			  dir, strerror(-rc));
	return rc;
}
