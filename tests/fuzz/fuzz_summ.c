/* SPDX-License-Identifier: MIT */
/* libFuzzer target over the header parser, the segmenter and the summariser:
 * the first three bytes choose the options and the chunking, the rest is the
 * article, whose seed header is read and skipped as `digestd summarize`
 * does. Aborts when an invariant of their contracts breaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/summarize.h"
#include "core/article.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "summarise/segment.h"
#include "summarise/summ.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One arena for every run, as the daemon has: summ_begin must reset it. */
static struct summ arena;
static struct article_header header;
static struct summ_result first, second;

#define CHECK(cond)                \
	do {                       \
		if (!(cond))       \
			abort();   \
	} while (0)

/* Is `at` inside a valid multi-byte sequence that starts before it? Such a
 * cut would split a character; a stray continuation byte is no character. */
static int splits_char(const unsigned char *buf, size_t len, size_t at)
{
	for (size_t back = 1; back <= 3 && back <= at; back++) {
		uint32_t cp;
		size_t n;

		if ((buf[at - back] & 0xC0) == 0x80)
			continue;
		n = utf8_decode(buf + at - back, buf + len, &cp);
		return n > back;
	}
	return 0;
}

/* Sentences of buf[0, len): non-empty, at most SEG_MAX_SENTENCE_BYTES, in
 * order, disjoint, inside the buffer, never starting or ending inside a
 * character; the cursor always advances, so the loop ends. */
static void check_segments(const unsigned char *buf, size_t len, unsigned langs)
{
	struct seg_cursor c;
	struct seg_sentence s;
	uint32_t prev_end = 0, prev_para = 0, count = 0;

	seg_init(&c, (const char *)buf, (uint32_t)len, langs);
	while (seg_next(&c, &s)) {
		CHECK(s.start < s.end);
		CHECK(s.end - s.start <= SEG_MAX_SENTENCE_BYTES);
		CHECK(s.end <= len);
		CHECK(s.start >= prev_end);
		CHECK(count == 0 || s.paragraph >= prev_para);
		CHECK(!splits_char(buf, len, s.start));
		CHECK(s.end == len || !splits_char(buf, len, s.end));
		CHECK(++count <= len);
		prev_end = s.end;
		prev_para = s.paragraph;
	}
}

/* Feeds the text in chunks. With `past`, blank space follows it, then the
 * text twice more, so that the window ends in the middle of the second copy
 * and the third is streamed as the tail: cheaper than 256 KiB of text. */
static uint64_t run(const struct summ_opts *o, const uint8_t *text, size_t len, size_t chunk,
		    int past, struct summ_result *r)
{
	static unsigned char blank[4096];
	uint64_t total = 0, pad = 0;
	unsigned copies = past ? 3 : 1;

	memset(blank, ' ', sizeof(blank));
	if (past && len + len / 2 < SUMM_WINDOW_BYTES)
		pad = SUMM_WINDOW_BYTES - len - len / 2;

	summ_begin(&arena);
	for (unsigned k = 0; k < copies; k++) {
		for (size_t at = 0; at < len; at += chunk) {
			size_t n = len - at < chunk ? len - at : chunk;

			summ_feed(&arena, text + at, n);
			total += n;
		}
		while (k == 0 && pad > 0) {
			size_t n = pad < sizeof(blank) ? (size_t)pad : sizeof(blank);

			summ_feed(&arena, blank, n);
			total += n;
			pad -= n;
		}
	}
	CHECK(summarize_seed_end(&arena, o, &header, r) == 0);
	return total;
}

/* Picks against the window the arena kept and the sentences the segmenter
 * finds in its body, told the language the summariser settled on. */
static void check_result(const struct summ_opts *o, const struct summ_result *r,
			 uint64_t total)
{
	const unsigned char *w = summ_text(&arena);
	uint32_t kept = total < SUMM_WINDOW_BYTES ? (uint32_t)total : SUMM_WINDOW_BYTES;
	uint32_t body = (uint32_t)article_parse_header((const char *)w, kept, &header);
	uint64_t want = o->count;
	unsigned langs = r->lang == LANG_UND ? LANG_ANY_STOP : LANG_BIT(r->lang);
	struct seg_cursor c;
	struct seg_sentence s;
	uint32_t seen = 0, words = 0;

	CHECK(r->bytes == total);
	CHECK(r->lang < LANG_COUNT);
	CHECK(r->sentences <= SUMM_MAX_SENTENCES);
	CHECK(r->truncated || total <= SUMM_WINDOW_BYTES);
	CHECK(body <= kept);
	/* The body starts on a line of its own (or is empty): no piece of a
	 * header line, the title above all, is ever offered as a sentence. */
	CHECK(body == 0 || body == kept || w[body - 1] == '\n' ||
	      (body == 3 && memcmp(w, "\xEF\xBB\xBF", 3) == 0));
	CHECK(kept == summ_text_len(&arena));
	CHECK(memchr(header.title, '\0', sizeof(header.title)) != NULL);
	if (o->ratio_permille)
		want = ((uint64_t)r->sentences * o->ratio_permille + 999u) / 1000u;
	if (want == 0)
		want = 1;
	if (want > r->sentences)
		want = r->sentences;
	if (want > SUMM_MAX_PICK)
		want = SUMM_MAX_PICK;
	/* A word budget may leave sentences out, never cut one. */
	CHECK(o->words ? r->n_picks <= want : r->n_picks == want);
	check_segments(w, kept, langs);

	seg_init(&c, (const char *)w + body, kept - body, langs);
	for (unsigned i = 0; i < r->n_picks; i++) {
		const struct summ_pick *p = &r->picks[i];

		CHECK(p->index < r->sentences);
		CHECK(i == 0 || p->index > r->picks[i - 1].index);
		CHECK(i == 0 || p->offset >= r->picks[i - 1].offset + r->picks[i - 1].length);
		CHECK(p->length > 0);
		CHECK(p->offset >= body);
		CHECK((uint64_t)p->offset + p->length <= kept);
		CHECK(p->score <= 10000u);
		/* The pick is the segmenter's sentence number `index`. */
		while (seen <= p->index) {
			CHECK(seg_next(&c, &s));
			seen++;
		}
		CHECK(body + s.start == p->offset);
		CHECK(s.end - s.start == p->length);
		words += p->words;
	}
	CHECK(!o->words || words <= o->words);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summ_opts o = { 0 };
	const uint8_t *text;
	size_t len, chunk;
	uint64_t total;
	int past;

	if (size < 3)
		return 0;
	/* Byte 0: bits 0-2 the count - 1, bit 3 use a ratio, bit 4 Lead-N,
	 * bits 5-7 the language (0 and 7: detect). Byte 1: the ratio; without
	 * one, bits 0-6 the word budget (0: none).
	 * Byte 2: bits 0-5 the chunk size (0: one piece). Bits 6-7 of byte 2
	 * and bit 7 of byte 1 all set: feed past the window (ten times
	 * slower, so only an eighth of the runs). */
	o.count = (data[0] & 7u) + 1u;
	if (data[0] & 8u)
		o.ratio_permille = 1u + data[1] * 999u / 255u;
	else
		o.words = data[1] & 0x7Fu;
	o.method = (data[0] & 16u) ? SUMM_LEAD : SUMM_RANK;
	o.lang = (data[0] >> 5) < LANG_COUNT ? (enum lang)(data[0] >> 5) : LANG_UND;
	chunk = (data[2] & 0x3Fu) ? (data[2] & 0x3Fu) : SIZE_MAX;
	past = (data[2] & 0xC0u) == 0xC0u && (data[1] & 0x80u);
	text = data + 3;
	len = size - 3;

	check_segments(text, len, o.lang == LANG_UND ? LANG_ANY_STOP : LANG_BIT(o.lang));
	total = run(&o, text, len, chunk, past, &first);
	check_result(&o, &first, total);
	/* The same article in one piece must give the same summary. */
	CHECK(run(&o, text, len, SIZE_MAX, past, &second) == total);
	CHECK(first.lang == second.lang && first.sentences == second.sentences);
	CHECK(first.truncated == second.truncated && first.bytes == second.bytes);
	CHECK(first.n_picks == second.n_picks);
	CHECK(memcmp(first.picks, second.picks, first.n_picks * sizeof(first.picks[0])) == 0);
	return 0;
}
