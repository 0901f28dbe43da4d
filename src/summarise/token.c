/* SPDX-License-Identifier: MIT */
/* Word tokenizer. ASCII takes a table-driven fast path because it is most of
 * the bytes of news in every language digestd reads; the rest is decoded. */
#include "token.h"

#include <string.h>

#include "core/utf8.h"
#include "summarise/lang.h"

#define STEM_INIT 0x811c9dc5u

/* Length a UTF-8 lead byte announces; 1 for bytes that cannot lead. */
static size_t seq_len(unsigned char lead)
{
	if (lead >= 0xC2 && lead <= 0xDF)
		return 2;
	if (lead >= 0xE0 && lead <= 0xEF)
		return 3;
	if (lead >= 0xF0 && lead <= 0xF4)
		return 4;
	return 1;
}

void token_init(struct token_state *t, uint64_t offset)
{
	memset(t, 0, sizeof(*t));
	t->offset = offset;
}

static inline void word_end(struct token_state *t, token_fn fn, void *ctx)
{
	if (t->in_word) {
		fn(ctx, &t->cur);
		t->in_word = 0;
	}
}

static inline void word_add(struct token_state *t, uint32_t folded, uint64_t at)
{
	unsigned char enc[4];
	size_t k = utf8_encode(folded, enc);
	struct token *w = &t->cur;

	if (!t->in_word) {
		w->word_hash = LANG_HASH_INIT;
		w->stem_hash = STEM_INIT;
		w->chars = 0;
		w->digits = 0;
		w->start = at;
		t->in_word = 1;
	}
	for (size_t i = 0; i < k; i++) {
		w->word_hash = lang_hash_byte(w->word_hash, enc[i]);
		if (w->chars < TOKEN_STEM_CHARS)
			w->stem_hash = (w->stem_hash ^ enc[i]) * 0x01000193u;
	}
	w->chars++;
	w->digits += folded >= '0' && folded <= '9';
}

static void feed_cp(struct token_state *t, uint32_t cp, uint64_t at, token_fn fn, void *ctx)
{
	if (utf8_is_word(cp))
		word_add(t, utf8_fold(cp), at);
	else
		word_end(t, fn, ctx);
}

void token_feed(struct token_state *t, const unsigned char *p, size_t n, token_fn fn,
		void *ctx)
{
	const unsigned char *end = p + n;

	/* Complete a sequence split by the previous chunk boundary. */
	if (t->carry_len) {
		size_t need = seq_len(t->carry[0]);
		uint32_t cp = UTF8_REPLACEMENT;

		while (t->carry_len < need && p < end && (*p & 0xC0) == 0x80)
			t->carry[t->carry_len++] = *p++;
		if (t->carry_len < need && p == end)
			return;
		if (t->carry_len == need)
			utf8_decode(t->carry, t->carry + need, &cp);
		feed_cp(t, cp, t->offset, fn, ctx);
		t->offset += t->carry_len;
		t->carry_len = 0;
	}
	while (p < end) {
		unsigned char b = *p;
		uint64_t at = t->offset;

		if (b < 0x80) {
			if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'))
				word_add(t, b, at);
			else if (b >= 'A' && b <= 'Z')
				word_add(t, b + 0x20u, at);
			else
				word_end(t, fn, ctx);
			p++;
			t->offset++;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_decode(p, end, &cp);

		if (cp == UTF8_REPLACEMENT && (size_t)(end - p) < seq_len(b)) {
			/* Possibly a sequence cut by the chunk end: keep it. */
			int plausible = 1;
			for (const unsigned char *q = p + 1; q < end; q++)
				plausible &= (*q & 0xC0) == 0x80;
			if (plausible) {
				t->carry_len = (unsigned)(end - p);
				memcpy(t->carry, p, t->carry_len);
				return;
			}
		}
		feed_cp(t, cp, at, fn, ctx);
		p += len;
		t->offset += len;
	}
}

void token_finish(struct token_state *t, token_fn fn, void *ctx)
{
	for (unsigned i = 0; i < t->carry_len; i++)
		feed_cp(t, UTF8_REPLACEMENT, t->offset + i, fn, ctx);
	t->offset += t->carry_len;
	t->carry_len = 0;
	word_end(t, fn, ctx);
}
