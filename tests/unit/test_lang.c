/* SPDX-License-Identifier: MIT */
/* The stopword lists: Snowball's words and our news words are both in each
 * language's list (and only there), content words in none; detection and
 * code parsing. */
#include <string.h>

#include "check.h"
#include "summarise/lang.h"

static unsigned mask(const char *folded)
{
	return lang_stopword_mask(lang_hash(folded, strlen(folded)));
}

/* A word found only in Snowball's list of its language: the lists are
 * Snowball's whole, not a hand-picked part of them. */
static void snowball_words(void)
{
	CHECK_INT(mask("ought"), LANG_BIT(LANG_EN));
	CHECK_INT(mask("serions"), LANG_BIT(LANG_FR));
	CHECK_INT(mask("anderm"), LANG_BIT(LANG_DE));
	CHECK_INT(mask("nosotras"), LANG_BIT(LANG_ES));
	CHECK_INT(mask("avevamo"), LANG_BIT(LANG_IT));
	CHECK_INT(mask("houvesse"), LANG_BIT(LANG_PT));
	/* "aren't" enters as its parts, as the tokenizer splits it. */
	CHECK(mask("aren") & LANG_BIT(LANG_EN));
}

/* Our additions: news words and function words Snowball lacks. */
static void news_words(void)
{
	CHECK(mask("said") & LANG_BIT(LANG_EN));
	CHECK(mask("les") & LANG_BIT(LANG_FR));
	CHECK(mask("selon") & LANG_BIT(LANG_FR));
	CHECK(mask("dass") & LANG_BIT(LANG_DE));
	CHECK(mask("sagte") & LANG_BIT(LANG_DE));
	CHECK(mask("dijo") & LANG_BIT(LANG_ES));
	CHECK(mask("detto") & LANG_BIT(LANG_IT));
	CHECK(mask("disse") & LANG_BIT(LANG_PT));
}

static void content_words(void)
{
	CHECK_INT(mask("bridge"), 0);
	CHECK_INT(mask("brücke"), 0);
	CHECK_INT(mask("puente"), 0);
	CHECK_INT(mask(""), 0);
}

static void detection(void)
{
	static const char *const words[] = { "der", "bürgermeister", "sagte", "dass", "die",
					     "brücke", "und", "der", "tunnel", "bleiben" };
	struct lang_votes v;
	enum lang l = LANG_UND;

	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		lang_vote(&v, mask(words[i]));
	CHECK_INT(lang_decide(&v), LANG_DE);
	CHECK_INT(lang_parse("pt-BR", 5, &l), 0);
	CHECK_INT(l, LANG_PT);
	CHECK(lang_parse("xx", 2, &l) < 0);
}

int main(void)
{
	RUN(snowball_words);
	RUN(news_words);
	RUN(content_words);
	RUN(detection);
	return CHECK_EXIT();
}
