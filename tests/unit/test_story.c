/* SPDX-License-Identifier: MIT */
/* Unit tests for src/summarise/story: the hand-written articles of
 * tests/data/stories (one story from two outlets joins, an earthquake twin
 * with a similar title stays apart, one story in English and Spanish joins),
 * chunked input, empty articles, the window's ring, a full term table, the
 * halving of document frequencies, story_article's text cap and changes
 * taken back (story_undo). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/article.h"
#include "summarise/story.h"

static struct story_window w;
static struct story_doc doc;
static struct story_print print, again;
static char buf[16384];

static void fingerprint(const char *title, const char *text, size_t len, struct story_print *out)
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
static void synthetic(unsigned n, struct story_print *out)
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

/* story_article is begin, title, the text up to SOURCE_TEXT_BYTES, end:
 * the same fingerprint as those steps, and words past the cap not counted. */
static void test_article(void)
{
	static char big[SOURCE_TEXT_BYTES + 64];
	static struct story_window w2;
	size_t n;

	story_window_init(&w);
	story_window_init(&w2);
	memset(big, ' ', sizeof(big));
	memcpy(big, "harbour budget dredging", 23);
	n = (size_t)snprintf(big + SOURCE_TEXT_BYTES, 64, " zeppelin");
	story_article(&doc, &w2, "Budget vote", 11, big, SOURCE_TEXT_BYTES + n, &again);
	fingerprint("Budget vote", big, SOURCE_TEXT_BYTES, &print);
	CHECK_INT(again.n, 4); /* budget, vote, harbour, dredging: no zeppelin */
	CHECK(again.n == print.n && memcmp(again.hash, print.hash, print.n * 4) == 0 &&
	      memcmp(again.weight, print.weight, print.n * 4) == 0);
	CHECK(memcmp(w.df, w2.df, sizeof(w.df)) == 0 && w.docs == w2.docs);
}

/* The stories of w are those of before, byte for byte (document
 * frequencies are not taken back: fingerprinting counts them). */
static int same_stories(const struct story_window *a, const struct story_window *b)
{
	return memcmp(a->s, b->s, sizeof(a->s)) == 0 && a->next == b->next &&
	       a->next_id == b->next_id;
}

/* A plan's changes taken back: joins, new stories (the ring wrapping onto
 * old ones) and a delivery mark, back to the window byte for byte; so are
 * more changes than the window has slots (every slot saved once, at its
 * first change). */
static void test_undo(void)
{
	static struct story_window before;
	static struct story_undo u;
	int slot;

	story_window_init(&w);
	for (unsigned i = 0; i < STORY_WINDOW - 2; i++) {
		synthetic(i, &print);
		story_add(&w, -1, &print);
	}
	before = w;
	story_undo_begin(&u, &w);
	synthetic(3, &print);
	slot = story_find(&w, &print, NULL);
	CHECK_INT(slot, 3);
	CHECK_INT(story_add_undo(&w, slot, &print, &u), 4);
	CHECK_INT(w.s[3].articles, 2);
	for (unsigned i = 0; i < 5; i++) { /* two free slots, then the oldest stories */
		synthetic(1000 + i, &print);
		CHECK_INT(story_add_undo(&w, -1, &print, &u), STORY_WINDOW - 1 + i);
	}
	CHECK_INT(w.s[0].id, STORY_WINDOW + 1);
	story_undo_save(&u, &w, 3);
	w.s[3].delivered = 1416000000;
	CHECK_INT(u.n, 6);
	story_undo(&w, &u);
	CHECK(same_stories(&w, &before));
	CHECK_INT(u.n, 0);

	/* Joins of every old story, then new stories pushing every slot out,
	 * some twice. */
	story_undo_begin(&u, &w);
	for (unsigned i = 0; i < STORY_WINDOW - 2; i++) {
		synthetic(i, &print);
		story_add_undo(&w, story_find(&w, &print, NULL), &print, &u);
	}
	for (unsigned i = 0; i < STORY_WINDOW + 40; i++) {
		synthetic(2000 + i, &print);
		story_add_undo(&w, -1, &print, &u);
	}
	CHECK_INT(u.n, STORY_WINDOW);
	story_undo(&w, &u);
	CHECK(same_stories(&w, &before));
}

int main(void)
{
	RUN(test_stories);
	RUN(test_chunks);
	RUN(test_empty);
	RUN(test_ring);
	RUN(test_full_table);
	RUN(test_halving);
	RUN(test_article);
	RUN(test_undo);
	return CHECK_EXIT();
}
