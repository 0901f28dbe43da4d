/* SPDX-License-Identifier: MIT */
/* libFuzzer target over story grouping, which reads every article a feed
 * brings: the first byte chooses the chunk size, the rest is a seed-format
 * article. One window lives across runs, as in the daemon. Aborts when a
 * fingerprint or a story breaks its contract (size, order, finite
 * non-negative weights of unit length, ids). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/article.h"
#include "summarise/story.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct story_window window;
static struct story_doc doc;
static struct story_print print;
static struct article_header header;
static int started;

#define CHECK(cond)                \
	do {                       \
		if (!(cond))       \
			abort();   \
	} while (0)

static void check_terms(uint32_t n, const uint32_t *hash, const float *weight, uint32_t cap)
{
	CHECK(n <= cap);
	for (uint32_t i = 0; i < n; i++) {
		CHECK(isfinite(weight[i]) && weight[i] >= 0.0f);
		CHECK(i == 0 || hash[i - 1] < hash[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	size_t chunk, len, body;
	double len2 = 0.0;
	unsigned sim;
	uint32_t id;
	int slot;

	if (size < 1)
		return 0;
	if (!started) {
		story_window_init(&window);
		started = 1;
	}
	chunk = 1 + data[0];
	len = size - 1;
	body = article_parse_header(text, len, &header);
	story_begin(&doc);
	story_feed_title(&doc, header.title, strlen(header.title));
	for (size_t at = body; at < len; at += chunk)
		story_feed(&doc, text + at, len - at < chunk ? len - at : chunk);
	story_end(&doc, &window, &print);
	check_terms(print.n, print.hash, print.weight, STORY_PRINT_TERMS);
	for (uint32_t i = 0; i < print.n; i++)
		len2 += (double)print.weight[i] * print.weight[i];
	CHECK(len2 == 0.0 || fabs(len2 - 1.0) < 1e-3);
	slot = story_find(&window, &print, &sim);
	CHECK(slot == -1 || (slot >= 0 && slot < (int)STORY_WINDOW && window.s[slot].id));
	CHECK(slot == -1 || sim >= STORY_JOIN_PERMILLE);
	id = story_add(&window, slot, &print);
	CHECK(id > 0 && id < window.next_id);
	for (uint32_t i = 0; i < STORY_WINDOW; i++)
		if (window.s[i].id == id)
			check_terms(window.s[i].terms.n, window.s[i].terms.hash,
				    window.s[i].terms.weight, STORY_STORY_TERMS);
	return 0;
}
