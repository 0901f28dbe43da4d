/* SPDX-License-Identifier: MIT */
/* The summariser's contract: picks in document order, the title weighing
 * terms but never picked, skipped bytes never read as text, near-duplicates
 * not both picked, the lead of a text without paragraphs, chunking-independent
 * results, language detection, bounded memory on big input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "summarise/summ.h"

static struct summ arena;
static char text[600 * 1024];

static void run(const char *in, size_t len, const struct summ_opts *o, struct summ_result *r,
		size_t chunk)
{
	summ_begin(&arena);
	for (size_t off = 0; off < len; off += chunk)
		summ_feed(&arena, in + off, len - off < chunk ? len - off : chunk);
	CHECK_INT(summ_end(&arena, o, r), 0);
}

static const char title[] = "Storm closes the harbour bridge";
static const char header[] = "Title: Storm closes the harbour bridge\nLang: en\n\n";
static const char article[] =
	"A violent storm closed the harbour bridge on Monday, cutting the city in two for "
	"most of the day.\n"
	"Engineers said the bridge would reopen once wind speeds fell below the safety limit.\n"
	"Commuters faced long detours through the northern tunnel, which saw queues of up to "
	"two hours.\n"
	"The mayor praised the engineers and promised a review of the bridge's storm plan.\n"
	"Weather forecasters expect calmer conditions by Wednesday.\n"
	"A violent storm closed the harbour bridge on Monday, cutting the city in two for "
	"most of the day.\n"
	"Local shops near the bridge reported a quiet day.\n";

static void picks_in_order(void)
{
	struct summ_opts o = { .count = 3, .lang = LANG_UND, .method = SUMM_RANK,
			       .title = title, .title_len = strlen(title) };
	struct summ_result r;

	run(article, strlen(article), &o, &r, 1u << 20);
	CHECK_INT(r.n_picks, 3);
	CHECK_INT(r.lang, LANG_EN);
	CHECK_INT(r.sentences, 7);
	for (unsigned i = 0; i < r.n_picks; i++) {
		CHECK(r.picks[i].score <= 10000u);
		CHECK(r.picks[i].offset + r.picks[i].length <= strlen(article));
		if (i)
			CHECK(r.picks[i].offset > r.picks[i - 1].offset);
	}
}

/* The title given in the options weighs its terms: with a title on the
 * bridge reopening, the second sentence comes before the lead. */
static void title_weighs_terms(void)
{
	static const char reopen[] = "Bridge to reopen once wind speeds fall below safety limit";
	struct summ_opts o = { .count = 1, .lang = LANG_UND, .method = SUMM_RANK };
	struct summ_result r;

	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 1);
	CHECK_INT(r.picks[0].index, 0);
	o.title = reopen;
	o.title_len = strlen(reopen);
	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 1);
	CHECK_INT(r.picks[0].index, 1);
	/* Only title_len bytes count. */
	o.title_len = 0;
	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.picks[0].index, 0);
}

/* The summariser reads no header of its own: a seed header is text unless
 * the caller skips it (as `digestd summarize` does after reading it), and
 * then the picks are the body's, at the input's offsets. */
static void skipped_bytes_are_not_text(void)
{
	struct summ_opts o = { .count = 3, .lang = LANG_UND, .method = SUMM_RANK,
			       .title = title, .title_len = strlen(title) };
	struct summ_result body, seed;
	size_t h = strlen(header);

	memcpy(text, header, h);
	memcpy(text + h, article, strlen(article));
	run(article, strlen(article), &o, &body, 4096);
	o.skip = h;
	run(text, h + strlen(article), &o, &seed, 4096);
	CHECK_INT(seed.sentences, body.sentences);
	CHECK_INT(seed.n_picks, body.n_picks);
	for (unsigned i = 0; i < seed.n_picks; i++) {
		CHECK_INT(seed.picks[i].offset, body.picks[i].offset + h);
		CHECK_INT(seed.picks[i].index, body.picks[i].index);
		CHECK_INT(seed.picks[i].score, body.picks[i].score);
	}
	CHECK_INT(seed.bytes, h + strlen(article));
	o.skip = 0;
	run(text, h + strlen(article), &o, &seed, 4096);
	CHECK_INT(seed.sentences, body.sentences + 2); /* the two header lines */
	/* A skip past the input skips it all. */
	o.skip = 1u << 30;
	run(article, strlen(article), &o, &seed, 4096);
	CHECK_INT(seed.sentences, 0);
	CHECK_INT(seed.n_picks, 0);
}

static void duplicates_not_both_picked(void)
{
	struct summ_opts o = { .count = 4, .lang = LANG_UND, .method = SUMM_RANK };
	struct summ_result r;
	int storm = 0;

	run(article, strlen(article), &o, &r, 1u << 20);
	for (unsigned i = 0; i < r.n_picks; i++)
		storm += strncmp((const char *)summ_text(&arena) + r.picks[i].offset,
				 "A violent storm", 15) == 0;
	CHECK_INT(storm, 1);
}

static void chunking_does_not_matter(void)
{
	struct summ_opts o = { .count = 3, .lang = LANG_UND, .method = SUMM_RANK };
	struct summ_result a, b;

	run(article, strlen(article), &o, &a, 1u << 20);
	run(article, strlen(article), &o, &b, 1);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	run(article, strlen(article), &o, &b, 7);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
}

static void lead_and_ratio(void)
{
	struct summ_opts o = { .count = 2, .lang = LANG_UND, .method = SUMM_LEAD };
	struct summ_result r;

	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 2);
	CHECK_INT(r.picks[0].index, 0);
	CHECK_INT(r.picks[1].index, 1);
	o.method = SUMM_RANK;
	o.ratio_permille = 500; /* half of 7, rounded up */
	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 4);
	o.ratio_permille = 0;
	o.count = 50;
	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 7);
}

/* A word budget takes the best sentences that fit, whole: the 19-word lead
 * does not fit 12 words, so a shorter one is taken instead, never a cut. */
static void word_budget(void)
{
	struct summ_opts o = { .count = 3, .words = 12, .lang = LANG_UND, .method = SUMM_RANK };
	struct summ_result r;
	unsigned used = 0;

	run(article, strlen(article), &o, &r, 4096);
	CHECK(r.n_picks >= 1);
	for (unsigned i = 0; i < r.n_picks; i++) {
		CHECK(r.picks[i].index != 0);
		used += r.picks[i].words;
	}
	CHECK(used <= 12);
	o.words = 19; /* the lead alone */
	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 1);
	CHECK_INT(r.picks[0].index, 0);
	CHECK_INT(r.picks[0].words, 19);
	/* Lead-3 within 40 words: sentences 0 and 1 (19 + 14), then 2 (16) and
	 * 3 (14) are passed over and 4 (7) fills the budget. */
	o.method = SUMM_LEAD;
	o.words = 40;
	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 3);
	CHECK_INT(r.picks[1].index, 1);
	CHECK_INT(r.picks[2].index, 4);
	CHECK_INT(r.picks[0].words + r.picks[1].words + r.picks[2].words, 40);
	o.words = 3; /* nothing fits: no pick rather than a cut sentence */
	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 0);
	o.words = 0; /* no budget */
	run(article, strlen(article), &o, &r, 4096);
	CHECK_INT(r.n_picks, 3);
}

/* The best sentence opens with "But": with room for two it comes with the
 * sentence before it, with room for one it is passed over; a quotation
 * opening with "But" stands alone. */
static void sentences_that_lean_back(void)
{
	static const char lean[] =
		"The harbour council met on Monday evening in the town hall.\n"
		"Members discussed the weather and the new parking rules for visitors.\n"
		"The mayor opened the session with a short speech about local schools.\n"
		"But the bridge will cost ten million pounds, the treasurer warned the council.\n"
		"Fishermen asked for a new quay near the old lighthouse.\n";
	static const char quoted[] =
		"The harbour council met on Monday evening in the town hall.\n"
		"Members discussed the weather and the new parking rules for visitors.\n"
		"\"But the bridge will cost ten million pounds,\" the treasurer warned.\n";
	static const char t[] = "Bridge will cost ten million pounds";
	struct summ_opts o = { .count = 2, .lang = LANG_EN, .method = SUMM_RANK,
			       .title = t, .title_len = strlen(t) };
	struct summ_result r;

	run(lean, strlen(lean), &o, &r, 4096);
	CHECK_INT(r.n_picks, 2);
	CHECK_INT(r.picks[0].index, 2);
	CHECK_INT(r.picks[1].index, 3);
	CHECK_INT(r.joined, 1);
	CHECK_INT(r.passed, 0);
	o.count = 1;
	run(lean, strlen(lean), &o, &r, 4096);
	CHECK_INT(r.n_picks, 1);
	CHECK(r.picks[0].index != 3);
	CHECK_INT(r.joined, 0);
	CHECK_INT(r.passed, 1);
	o.count = 2; /* room for two sentences, but not in the word budget */
	o.words = 20;
	run(lean, strlen(lean), &o, &r, 4096);
	CHECK_INT(r.passed, 1);
	for (unsigned i = 0; i < r.n_picks; i++)
		CHECK(r.picks[i].index != 3);
	o.words = 0;
	o.count = 1;
	run(quoted, strlen(quoted), &o, &r, 4096);
	CHECK_INT(r.n_picks, 1);
	CHECK_INT(r.picks[0].index, 2);
	CHECK_INT(r.passed + r.joined, 0);
}

/* Writes the n sentences into text, sep between them; returns the length. */
static size_t join(const char *const *sentence, size_t n, const char *sep)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", i ? sep : "",
					sentence[i]);
	return len;
}

/* A text without paragraph breaks (feeds and corpora that strip them) has no
 * paragraph start to mark its lead but the first sentence: there the first
 * three sentences count as the lead paragraph. The same sentences with a
 * blank line between each are paragraphs of their own, and one of the two
 * that carry the article's most frequent terms (bridge, cables, engineers)
 * is picked over the third. */
static void text_without_paragraphs(void)
{
	static const char *const sentence[] = {
		"The harbour bridge closed on Monday after a violent storm hit the coast.",
		"Traffic moved to the northern tunnel for most of the afternoon.",
		"Shops near the old market reported fewer customers than usual.",
		"Engineers inspected the bridge cables and the bridge towers.",
		"The storm damaged the bridge cables, and engineers said the bridge "
		"would stay closed until the cables were repaired.",
		"Weather forecasters expect calmer conditions by Wednesday.",
	};
	struct summ_opts o = { .count = 3, .lang = LANG_EN, .method = SUMM_RANK };
	struct summ_result flat, paragraphs;
	size_t n = sizeof(sentence) / sizeof(sentence[0]);

	run(text, join(sentence, n, " "), &o, &flat, 4096);
	CHECK_INT(flat.sentences, 6);
	CHECK_INT(flat.n_picks, 3);
	for (unsigned i = 0; i < flat.n_picks; i++)
		CHECK_INT(flat.picks[i].index, i);
	run(text, join(sentence, n, "\n\n"), &o, &paragraphs, 4096);
	CHECK_INT(paragraphs.sentences, 6);
	CHECK_INT(paragraphs.n_picks, 3);
	CHECK(paragraphs.picks[2].index == 3 || paragraphs.picks[2].index == 4);
}

static void languages(void)
{
	static const struct {
		const char *text;
		enum lang want;
	} cases[] = {
		{ "The government said on Monday that it would not change the law, and that the "
		  "plan was still on course for the year.", LANG_EN },
		{ "Le gouvernement a déclaré lundi qu'il ne changerait pas la loi et que le plan "
		  "était toujours sur les rails pour cette année.", LANG_FR },
		{ "Die Regierung sagte am Montag, dass sie das Gesetz nicht ändern werde und der "
		  "Plan für das Jahr weiter auf Kurs sei.", LANG_DE },
		{ "El gobierno dijo el lunes que no cambiaría la ley y que el plan seguía en marcha "
		  "para este año.", LANG_ES },
		{ "Il governo ha detto lunedì che non cambierà la legge e che il piano è ancora in "
		  "corso per quest'anno.", LANG_IT },
		{ "O governo disse na segunda-feira que não vai mudar a lei e que o plano continua "
		  "em curso para este ano.", LANG_PT },
		{ "Hallituksen mukaan lakia ei muuteta, ja suunnitelma etenee aikataulussa.",
		  LANG_UND },
	};
	struct summ_opts o = { .count = 1, .lang = LANG_UND, .method = SUMM_RANK };
	struct summ_result r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(cases[i].text, strlen(cases[i].text), &o, &r, 64);
		if (r.lang != cases[i].want)
			printf("  case %zu: got %s\n", i, lang_code(r.lang));
		CHECK_INT(r.lang, cases[i].want);
		CHECK_INT(r.n_picks, 1); /* any language still gets a summary */
	}
	o.lang = LANG_DE;
	run(cases[0].text, strlen(cases[0].text), &o, &r, 64);
	CHECK_INT(r.lang, LANG_DE); /* --lang wins over detection */
}

static void beyond_the_window(void)
{
	struct summ_opts o = { .count = 3, .lang = LANG_UND, .method = SUMM_RANK };
	struct summ_result r;
	size_t len = 0;

	while (len + sizeof(article) < sizeof(text)) {
		memcpy(text + len, article, sizeof(article) - 1);
		len += sizeof(article) - 1;
	}
	run(text, len, &o, &r, 65536);
	CHECK(r.truncated);
	CHECK_INT(r.bytes, len);
	CHECK_INT(r.n_picks, 3);
	for (unsigned i = 0; i < r.n_picks; i++)
		CHECK(r.picks[i].offset + r.picks[i].length <= SUMM_WINDOW_BYTES);
}

static void degenerate_inputs(void)
{
	struct summ_opts o = { .count = 3, .lang = LANG_UND, .method = SUMM_RANK };
	struct summ_result r;
	static const char nul[] = "Zero\0bytes\0inside. And more text here.";
	static const char bad[] = "\xff\xfe\xfd words without any stop";

	run("", 0, &o, &r, 16);
	CHECK_INT(r.n_picks, 0);
	CHECK_INT(r.sentences, 0);
	o.title = "Only a title";
	o.title_len = strlen(o.title);
	run("", 0, &o, &r, 16);
	CHECK_INT(r.n_picks, 0);
	o.title_len = 0;
	run(nul, sizeof(nul) - 1, &o, &r, 3);
	CHECK_INT(r.n_picks, 2);
	run(bad, strlen(bad), &o, &r, 2);
	CHECK_INT(r.n_picks, 1);
}

/* The features export what the first scan scored: the score is the one
 * summ_end ranked by, even after picks covered terms; counts are per word. */
static void features_are_the_scorers(void)
{
	static const char in[] =
		"Title: Bridge closes\nLang: en\n\n"
		"The \"Harbour Bridge\" closed in 2024 after Storm Ciara.\n\n"
		"Engineers closed the bridge again.";
	struct summ_opts o = { .count = 1, .lang = LANG_UND, .method = SUMM_RANK,
			       .title = "Bridge closes", .title_len = 13,
			       .skip = 31 }; /* the two header lines and the blank one */
	struct summ_result r;
	struct summ_features f, g;

	run(in, strlen(in), &o, &r, 7);
	CHECK_INT(r.sentences, 2);
	summ_features(&arena, 0, &f);
	CHECK_INT(f.index, 0);
	CHECK_INT(f.para_start, 1);
	CHECK_INT(f.fragment, 0);
	CHECK_INT(f.words, 9);
	CHECK_INT(f.numbers, 1);
	CHECK_INT(f.caps, 4);    /* Harbour Bridge Storm Ciara, not The */
	CHECK_INT(f.quote, 1);
	CHECK_INT(f.distinct, 5); /* harbour bridge closed storm ciara */
	CHECK_INT(f.title, 1);    /* bridge; "closed" and "closes" differ in 6 letters */
	CHECK(f.salience > 0);
	CHECK_INT(f.score, arena.sent[0].score);
	summ_features(&arena, 1, &g);
	CHECK_INT(g.paragraph, 1);
	CHECK_INT(g.quote, 0);
	CHECK_INT(g.caps, 0);
	CHECK_INT(g.score, arena.sent[1].score);
}

static void arena_is_bounded(void)
{
	/* The documented budget: window + tables + sentence index. */
	CHECK(SUMM_ARENA_BYTES <= 512u * 1024u);
	CHECK(SUMM_ARENA_BYTES >= SUMM_WINDOW_BYTES);
}

int main(void)
{
	RUN(picks_in_order);
	RUN(title_weighs_terms);
	RUN(skipped_bytes_are_not_text);
	RUN(duplicates_not_both_picked);
	RUN(chunking_does_not_matter);
	RUN(lead_and_ratio);
	RUN(word_budget);
	RUN(sentences_that_lean_back);
	RUN(text_without_paragraphs);
	RUN(languages);
	RUN(beyond_the_window);
	RUN(degenerate_inputs);
	RUN(features_are_the_scorers);
	RUN(arena_is_bounded);
	return CHECK_EXIT();
}
