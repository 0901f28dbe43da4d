/* SPDX-License-Identifier: MIT */
/* Unit tests for src/summarise/story: the hand-written articles of
 * tests/data/stories (one story from two outlets joins, an earthquake twin
 * with a similar title stays apart, one story in English and Spanish joins),
 * chunked input, empty articles, the window's ring, a full term table and
 * the halving of document frequencies. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/article.h"
#include "summarise/story.h"

static struct story_window w;
static struct story_doc doc;
static struct story_terms print, again;
static char buf[16384];

static void fingerprint(const char *title, const char *text, size_t len, struct story_terms *out)
{
	story_begin(&doc);
	story_feed_title(&doc, title, strlen(title));
	story_feed(&doc, text, len);
	story_end(&doc, &w, out);
}

/* Groups tests/data/stories/<name> into w; returns its story id (0 when the
 * file cannot be read). */
static uint32_t group(const char *name)
{
	struct article_header h;
	char path[128];
	FILE *f;
	size_t n, body;

	snprintf(path, sizeof(path), "tests/data/stories/%s", name);
	f = fopen(path, "rb");
	if (!f) {
		printf("  cannot open %s\n", path);
		return 0;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	body = article_parse_header(buf, n, &h);
	fingerprint(h.title, buf + body, n - body, &print);
	return story_add(&w, story_find(&w, &print, NULL), &print);
}

static void test_stories(void)
{
	static const char *const bg[] = { "bg-budget.txt", "bg-football.txt", "bg-school.txt",
					  "bg-train.txt" };
	uint32_t north, south, jet;

	story_window_init(&w);
	for (unsigned i = 0; i < 4; i++)
		CHECK_INT(group(bg[i]), i + 1);
	north = group("quake-north-1.txt");
	CHECK_INT(north, 5);
	/* Same kind of event, a title of the same words: another story. */
	south = group("quake-south.txt");
	CHECK_INT(south, 6);
	CHECK_INT(group("quake-north-2.txt"), north);
	jet = group("jet-en.txt");
	CHECK_INT(jet, 7);
	CHECK_INT(group("jet-es.txt"), jet);
	CHECK_INT(w.s[4].articles, 2);
	CHECK_INT(w.s[5].articles, 1);
}

/* Word by word or whole, the fingerprint is the same; a word cut between
 * chunks (even inside a UTF-8 sequence) is one word. */
static void test_chunks(void)
{
	static const char text[] = "Los bomberos controlaron el incendio en el depósito "
				   "de combustible cerca del muelle de Lusa.";
	struct story_window first;

	story_window_init(&w);
	fingerprint("Incendio en Lusa", text, sizeof(text) - 1, &print);
	first = w;
	story_window_init(&w);
	story_begin(&doc);
	story_feed_title(&doc, "Incendio en Lusa", 16);
	for (size_t i = 0; i + 1 < sizeof(text); i++)
		story_feed(&doc, text + i, 1);
	story_end(&doc, &w, &again);
	CHECK(print.n > 0);
	CHECK_INT(again.n, print.n);
	CHECK(memcmp(print.hash, again.hash, print.n * sizeof(print.hash[0])) == 0);
	CHECK(memcmp(print.weight, again.weight, print.n * sizeof(print.weight[0])) == 0);
	CHECK(memcmp(first.df, w.df, sizeof(w.df)) == 0);
}

/* Only stopwords and short words: no fingerprint, a story of its own that
 * nothing joins. */
static void test_empty(void)
{
	unsigned sim = 1;

	story_window_init(&w);
	fingerprint("", "the of and a to in is it on", 28, &print);
	CHECK_INT(print.n, 0);
	CHECK_INT(story_find(&w, &print, &sim), -1);
	CHECK_INT(sim, 0);
	CHECK_INT(story_add(&w, -1, &print), 1);
	fingerprint("", "", 0, &print);
	CHECK_INT(story_find(&w, &print, NULL), -1);
	CHECK_INT(story_add(&w, -1, &print), 2);
}

/* Synthetic article n: words of its own only ("k7a", "k7b", ...). */
static void synthetic(unsigned n, struct story_terms *out)
{
	char text[256];
	int len = snprintf(text, sizeof(text), "k%ualpha k%ubravo k%ucharlie k%udelta k%uecho", n,
			   n, n, n, n);

	fingerprint("", text, (size_t)len, out);
}

/* The window holds STORY_WINDOW stories: the oldest is forgotten first, the
 * newest still found. */
static void test_ring(void)
{
	int slot;

	story_window_init(&w);
	for (unsigned i = 0; i <= STORY_WINDOW; i++) {
		synthetic(i, &print);
		CHECK_INT(story_find(&w, &print, NULL), -1);
		CHECK_INT(story_add(&w, -1, &print), i + 1);
	}
	synthetic(STORY_WINDOW, &print);
	slot = story_find(&w, &print, NULL);
	CHECK(slot >= 0);
	CHECK_INT(story_add(&w, slot, &print), STORY_WINDOW + 1);
	synthetic(0, &print);
	CHECK_INT(story_find(&w, &print, NULL), -1);
}

/* More distinct words than the term table holds: counted up to its size, and
 * a fingerprint of STORY_PRINT_TERMS stems sorted by hash. */
static void test_full_table(void)
{
	char word[32];

	story_window_init(&w);
	story_begin(&doc);
	for (unsigned i = 0; i < 2 * STORY_DOC_SLOTS; i++) {
		int len = snprintf(word, sizeof(word), "w%05u ", i);
		story_feed(&doc, word, (size_t)len);
	}
	CHECK_INT(doc.used, STORY_DOC_SLOTS - 1);
	story_end(&doc, &w, &print);
	CHECK_INT(print.n, STORY_PRINT_TERMS);
	for (unsigned i = 1; i < print.n; i++)
		CHECK(print.hash[i - 1] < print.hash[i]);
	/* A story merging many such articles keeps STORY_STORY_TERMS. */
	story_add(&w, -1, &print);
	for (unsigned k = 0; k < 4; k++) {
		story_begin(&doc);
		for (unsigned i = 0; i < 200; i++) {
			int len = snprintf(word, sizeof(word), "v%ux%03u ", k, i);
			story_feed(&doc, word, (size_t)len);
		}
		story_end(&doc, &w, &again);
		story_add(&w, 0, &again);
	}
	CHECK_INT(w.s[0].terms.n, STORY_STORY_TERMS);
	CHECK_INT(w.s[0].articles, 5);
}

/* Once STORY_DF_HALVE articles were counted, every frequency halves. */
static void test_halving(void)
{
	story_window_init(&w);
	w.docs = STORY_DF_HALVE;
	for (unsigned i = 0; i < STORY_DF_SLOTS; i++)
		w.df[i] = 9;
	fingerprint("", "", 0, &print);
	CHECK_INT(w.docs, STORY_DF_HALVE / 2 + 1);
	CHECK_INT(w.df[0], 4);
	CHECK_INT(w.df[STORY_DF_SLOTS - 1], 4);
}

int main(void)
{
	RUN(test_stories);
	RUN(test_chunks);
	RUN(test_empty);
	RUN(test_ring);
	RUN(test_full_table);
	RUN(test_halving);
	return CHECK_EXIT();
}
