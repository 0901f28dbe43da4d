/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the story window file reader (digest/stories.h). Byte 0
 * says whether to fix the checksum first (so that inputs reach the field
 * checks); the rest is the file. A window it takes must keep working: an
 * article's fingerprint is looked up and added, on every story slot. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "digest/stories.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct story_window w;
static unsigned char img[STORIES_HEADER_BYTES + sizeof(struct story_window)];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char title[] = "Earthquake shakes northern Chile coast near Iquique";
	static struct story_doc doc;
	struct story_print print;
	const char *why = NULL;
	size_t n;

	if (size < 1 || size - 1 > sizeof img)
		return 0;
	n = size - 1;
	memcpy(img, data + 1, n);
	if ((data[0] & 1) && n >= STORIES_HEADER_BYTES) {
#if MBEDTLS_VERSION_MAJOR < 3
		mbedtls_sha256_ret(img + STORIES_HEADER_BYTES, n - STORIES_HEADER_BYTES, img + 32, 0);
#else
		mbedtls_sha256(img + STORIES_HEADER_BYTES, n - STORIES_HEADER_BYTES, img + 32, 0);
#endif
	}
	if (stories_load_buffer(&w, img, n, &why) != 0) {
		if (!why || w.next != 0 || w.next_id != 1 || w.s[0].id != 0)
			abort();
		return 0;
	}
	for (unsigned i = 0; i < STORY_WINDOW; i++)
		if (w.s[i].terms.n > STORY_STORY_TERMS || !memchr(w.s[i].url, 0, STORY_URL_BYTES))
			abort();
	story_begin(&doc);
	story_feed_title(&doc, title, sizeof title - 1);
	story_end(&doc, &w, &print);
	for (unsigned i = 0; i <= STORY_WINDOW; i++)
		if (story_add(&w, story_find(&w, &print, NULL), &print) == 0)
			abort();
	return 0;
}
