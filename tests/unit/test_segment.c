/* SPDX-License-Identifier: MIT */
/* Sentence segmentation: the seed article against the sentences a careful
 * reader sees (tests/data/seed-000.sentences), and the hard cases one by one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/article.h"
#include "core/utf8.h"
#include "summarise/lang.h"
#include "summarise/segment.h"

static char file_buf[64 * 1024];
static char want_buf[64 * 1024];

static size_t slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		printf("  cannot open %s\n", path);
		return 0;
	}
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/* Whitespace-collapsed copy of text[start, end). */
static void collapse(const char *text, uint32_t start, uint32_t end, char *out, size_t size)
{
	size_t o = 0;
	int space = 0;

	for (uint32_t i = start; i < end && o + 2 < size; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
			space = 1;
			continue;
		}
		if (space && o)
			out[o++] = ' ';
		space = 0;
		out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* Splits text and joins the sentences with " | ". */
static const char *split(const char *text)
{
	static char out[4096];
	struct seg_cursor c;
	struct seg_sentence s;
	size_t o = 0;

	seg_init(&c, text, (uint32_t)strlen(text), LANG_ANY_STOP);
	out[0] = '\0';
	while (seg_next(&c, &s)) {
		char one[1024];
		collapse(text, s.start, s.end, one, sizeof(one));
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? " | " : "", one);
		if (o >= sizeof(out))
			break;
	}
	return out;
}

static void seed_article(void)
{
	struct article_header h;
	struct seg_cursor c;
	struct seg_sentence s;
	size_t n = slurp("seeds/000_24989d6f62bebd66.txt", file_buf, sizeof(file_buf));
	size_t body = article_parse_header(file_buf, n, &h);
	char *want = want_buf, *line;
	int count = 0;

	CHECK(n > 0);
	CHECK(slurp("tests/data/seed-000.sentences", want_buf, sizeof(want_buf)) > 0);
	CHECK(h.title[0] != '\0');
	CHECK_STR(h.lang, "fr");
	seg_init(&c, file_buf + body, (uint32_t)(n - body), LANG_BIT(LANG_FR));
	while (seg_next(&c, &s)) {
		char got[2048];

		collapse(file_buf + body, s.start, s.end, got, sizeof(got));
		line = want;
		want = strchr(want, '\n');
		if (!want) {
			printf("  extra sentence: %s\n", got);
			CHECK(0);
			break;
		}
		*want++ = '\0';
		CHECK_STR(got, line);
		count++;
	}
	CHECK_INT(count, 31);
	CHECK(*want == '\0');
}

static void quotes(void)
{
	CHECK_STR(split("He said “it is unstable”. Then he left."),
		  "He said “it is unstable”. | Then he left.");
	CHECK_STR(split("“It is over.” The crowd cheered."),
		  "“It is over.” | The crowd cheered.");
	CHECK_STR(split("Il a dit : « C'est fini. » Puis il est parti."),
		  "Il a dit : « C'est fini. » | Puis il est parti.");
	CHECK_STR(split("« Pourquoi ? » demande-t-il. Personne ne répond."),
		  "« Pourquoi ? » demande-t-il. | Personne ne répond.");
	CHECK_STR(split("She asked 'why?' and left. He stayed."),
		  "She asked 'why?' and left. | He stayed.");
	CHECK_STR(split("Er sagte: „Das ist gut.“ Dann ging er."),
		  "Er sagte: „Das ist gut.“ | Dann ging er.");
	CHECK_STR(split("¿Qué pasa? ¡Nada! Todo bien."), "¿Qué pasa? | ¡Nada! | Todo bien.");
}

static void abbreviations(void)
{
	CHECK_STR(split("Mr. Smith met Dr. Jones in the U.S. Army base. It rained."),
		  "Mr. Smith met Dr. Jones in the U.S. Army base. | It rained.");
	CHECK_STR(split("Prices rose in the U.S. The Fed acted."),
		  "Prices rose in the U.S. | The Fed acted.");
	CHECK_STR(split("M. Macron a reçu Mme Dupont. Ils ont parlé."),
		  "M. Macron a reçu Mme Dupont. | Ils ont parlé.");
	CHECK_STR(split("Apples, pears, etc. are fruit. Kale is not."),
		  "Apples, pears, etc. are fruit. | Kale is not.");
	CHECK_STR(split("It opened on Jan. 5 in Paris. Crowds came."),
		  "It opened on Jan. 5 in Paris. | Crowds came.");
	CHECK_STR(split("B.B. King played. J. K. Rowling wrote."),
		  "B.B. King played. | J. K. Rowling wrote.");
	CHECK_STR(split("Sie kam am 3. Oktober an. Es war kalt."),
		  "Sie kam am 3. Oktober an. | Es war kalt.");
	CHECK_STR(split("He lives at No. 10 now. Good."), "He lives at No. 10 now. | Good.");
	CHECK_STR(split("It landed at 11:03 a.m. EST on Monday. Fine."),
		  "It landed at 11:03 a.m. EST on Monday. | Fine.");
	CHECK_STR(split("Dabei waren u. a. Bundeskanzlerin Merkel, z. B. mit Gästen. Gut."),
		  "Dabei waren u. a. Bundeskanzlerin Merkel, z. B. mit Gästen. | Gut.");
	CHECK_STR(split("Rund 28 Mio. Tonnen kosteten 12 Mrd. Franken. Gut."),
		  "Rund 28 Mio. Tonnen kosteten 12 Mrd. Franken. | Gut.");
	CHECK_STR(split("Cuesta 1,18 dólares de EE. UU., pero hoy no. Bien."),
		  "Cuesta 1,18 dólares de EE. UU., pero hoy no. | Bien.");
}

static void numbers_and_ellipses(void)
{
	CHECK_STR(split("Growth was 3.5 per cent at 10.30 today. Markets fell."),
		  "Growth was 3.5 per cent at 10.30 today. | Markets fell.");
	CHECK_STR(split("He waited... and waited. Nothing came."),
		  "He waited... and waited. | Nothing came.");
	CHECK_STR(split("He waited… Then it came."), "He waited… | Then it came.");
	CHECK_STR(split("Results came in 2019. The next year was worse."),
		  "Results came in 2019. | The next year was worse.");
	CHECK_STR(split("L’OTAN ouvre un bureau d’Asie. L’alliance l’a dit."),
		  "L’OTAN ouvre un bureau d’Asie. | L’alliance l’a dit.");
}

/* A full stop after an amount, a number with dots, an acronym or a possessive
 * ends the sentence (issue 14's misses on the BBC references). */
static void amounts_and_acronyms(void)
{
	CHECK_STR(split("Profits were $8.6m. Nortel added staff."),
		  "Profits were $8.6m. | Nortel added staff.");
	CHECK_STR(split("It offered £1.3bn. Paris-based Euronext waits."),
		  "It offered £1.3bn. | Paris-based Euronext waits.");
	CHECK_STR(split("The index closed at 3.817.69. Investors left."),
		  "The index closed at 3.817.69. | Investors left.");
	CHECK_STR(split("Shares were up 2.4% at $20.15. Press reports differ."),
		  "Shares were up 2.4% at $20.15. | Press reports differ.");
	CHECK_STR(split("It split after AT&T. Consolidation followed."),
		  "It split after AT&T. | Consolidation followed.");
	CHECK_STR(split("It was cut by Standard & Poor's. But bonds held."),
		  "It was cut by Standard & Poor's. | But bonds held.");
	CHECK_STR(split("It helps patients with MS. Final approval is due."),
		  "It helps patients with MS. | Final approval is due.");
	CHECK_STR(split("ST. LOUIS (AP) — Rain fell. Ok."), "ST. LOUIS (AP) — Rain fell. | Ok.");
	CHECK_STR(split("They meet where it isn't. Nobody knows."),
		  "They meet where it isn't. | Nobody knows.");
	CHECK_STR(split("It ran until World War I. But it came back."),
		  "It ran until World War I. | But it came back.");
	CHECK_STR(split("\"It is over. \" Fans left."), "\"It is over. \" | Fans left.");
	/* What must still hold: decimals, initials, titles, dotted acronyms. */
	CHECK_STR(split("Growth was 3.5 per cent, at 1.2.3 level. Fine."),
		  "Growth was 3.5 per cent, at 1.2.3 level. | Fine.");
	CHECK_STR(split("John I. Smith met Ms. Jones. Ok."), "John I. Smith met Ms. Jones. | Ok.");
	CHECK_STR(split("Celle d'E. Macron et de MM. Gbagbo et Goudé. Fin."),
		  "Celle d'E. Macron et de MM. Gbagbo et Goudé. | Fin.");
	CHECK_STR(split("Mr. Smith flew to the U.S. Army base. Ok."),
		  "Mr. Smith flew to the U.S. Army base. | Ok.");
	CHECK_STR(split("Am 3.10. Oktober kam er. Gut."), "Am 3.10. Oktober kam er. | Gut.");
}

static void parentheses_and_stray_stops(void)
{
	CHECK_STR(split("It grew (slowly). Then it stopped."), "It grew (slowly). | Then it stopped.");
	CHECK_STR(split("(This was new.) Everyone knew."), "(This was new.) | Everyone knew.");
	CHECK_STR(split("It was afghan. (sous l’ONU) a-t-il dit. Fin."),
		  "It was afghan. (sous l’ONU) a-t-il dit. | Fin.");
	CHECK_STR(split("de l’Ukraine. , ce qui a rendu. Puis."),
		  "de l’Ukraine. , ce qui a rendu. | Puis.");
}

static void lines_headings_bullets(void)
{
	CHECK_STR(split("Key facts\nThe bridge opened today.\n\nHistory\nIt took ten years."),
		  "Key facts | The bridge opened today. | History | It took ten years.");
	CHECK_STR(split("What changes:\n- fares rise\n- trains run later\nMore soon."),
		  "What changes: | - fares rise | - trains run later | More soon.");
	CHECK_STR(split("1. First point is here\n2. Second point\n"),
		  "1. First point is here | 2. Second point");
	CHECK_STR(split("This sentence is wrapped\nover two lines. And ends."),
		  "This sentence is wrapped over two lines. | And ends.");
	CHECK_STR(split("Windows lines.\r\nAre fine.\r\n"), "Windows lines. | Are fine.");
	CHECK_STR(split("no punctuation at all in this text"), "no punctuation at all in this text");
	CHECK_STR(split(""), "");
	CHECK_STR(split("   \n\n  "), "");
}

static void paragraphs(void)
{
	const char *text = "One. Two.\n\nThree.\nFour.";
	struct seg_cursor c;
	struct seg_sentence s;
	uint32_t para[4] = { 0 }, start[4] = { 0 };
	int n = 0;

	seg_init(&c, text, (uint32_t)strlen(text), LANG_ANY_STOP);
	while (n < 4 && seg_next(&c, &s)) {
		para[n] = s.paragraph;
		start[n] = s.para_start;
		n++;
	}
	CHECK_INT(n, 4);
	CHECK_INT(para[0], 0);
	CHECK_INT(para[1], 0);
	CHECK_INT(para[2], 1);
	CHECK_INT(para[3], 2);
	CHECK_INT(start[0], 1);
	CHECK_INT(start[1], 0);
	CHECK_INT(start[2], 1);
}

static void long_sentence_is_cut(void)
{
	static char text[5000];
	struct seg_cursor c;
	struct seg_sentence s;
	int n = 0;

	for (size_t i = 0; i + 1 < sizeof(text); i++)
		text[i] = (i % 7 == 6) ? ' ' : 'a';
	seg_init(&c, text, (uint32_t)strlen(text), LANG_ANY_STOP);
	while (seg_next(&c, &s)) {
		CHECK(s.end > s.start);
		CHECK(s.end - s.start <= 1024);
		CHECK(s.fragment);
		n++;
	}
	CHECK(n >= 5);
}

static void invalid_utf8_and_nul(void)
{
	const char text[] = "Bad \xff\xfe bytes. Then \0 a NUL. End";
	struct seg_cursor c;
	struct seg_sentence s;
	int n = 0;

	seg_init(&c, text, sizeof(text) - 1, LANG_ANY_STOP);
	while (seg_next(&c, &s)) {
		CHECK(s.end > s.start && s.end <= sizeof(text) - 1);
		n++;
	}
	CHECK_INT(n, 3);
}

int main(void)
{
	RUN(seed_article);
	RUN(quotes);
	RUN(abbreviations);
	RUN(numbers_and_ellipses);
	RUN(amounts_and_acronyms);
	RUN(parentheses_and_stray_stops);
	RUN(lines_headings_bullets);
	RUN(paragraphs);
	RUN(long_sentence_is_cut);
	RUN(invalid_utf8_and_nul);
	return CHECK_EXIT();
}
