/* SPDX-License-Identifier: MIT */
/* The summariser's contract: picks in document order, the title never
 * picked, near-duplicates not both picked, chunking-independent and
 * deterministic results, language detection, bounded memory on big input. */
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
	summ_begin(&arena, o);
	for (size_t off = 0; off < len; off += chunk)
		summ_feed(&arena, in + off, len - off < chunk ? len - off : chunk);
	CHECK_INT(summ_end(&arena, r), 0);
}

static const char article[] =
	"Title: Storm closes the harbour bridge\n"
	"Lang: en\n"
	"\n"
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

static void picks_in_order_title_never(void)
{
	struct summ_opts o = { .count = 3, .lang = LANG_UND, .method = SUMM_RANK };
	struct summ_result r;
	const char *title_end = strstr(article, "\n");

	run(article, strlen(article), &o, &r, 1u << 20);
	CHECK_INT(r.n_picks, 3);
	CHECK_INT(r.lang, LANG_EN);
	CHECK_INT(r.sentences, 7);
	for (unsigned i = 0; i < r.n_picks; i++) {
		CHECK(r.picks[i].offset > (uint32_t)(title_end - article));
		CHECK(r.picks[i].score <= 10000u);
		if (i)
			CHECK(r.picks[i].offset > r.picks[i - 1].offset);
	}
	CHECK_STR(arena.header.title, "Storm closes the harbour bridge");
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
		memcpy(text + len, article + 50, sizeof(article) - 51);
		len += sizeof(article) - 51;
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
	run("Title: Only a title\n\n", strlen("Title: Only a title\n\n"), &o, &r, 16);
	CHECK_INT(r.n_picks, 0);
	run(nul, sizeof(nul) - 1, &o, &r, 3);
	CHECK_INT(r.n_picks, 2);
	run(bad, strlen(bad), &o, &r, 2);
	CHECK_INT(r.n_picks, 1);
}

static void arena_is_bounded(void)
{
	/* The documented budget: window + tables + sentence index. */
	CHECK(SUMM_ARENA_BYTES <= 512u * 1024u);
	CHECK(SUMM_ARENA_BYTES >= SUMM_WINDOW_BYTES);
}

int main(void)
{
	RUN(picks_in_order_title_never);
	RUN(duplicates_not_both_picked);
	RUN(chunking_does_not_matter);
	RUN(lead_and_ratio);
	RUN(languages);
	RUN(beyond_the_window);
	RUN(degenerate_inputs);
	RUN(arena_is_bounded);
	return CHECK_EXIT();
}
