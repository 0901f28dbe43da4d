/* SPDX-License-Identifier: MIT */
/* The word tokenizer: streams over UTF-8 bytes in chunks of any size and
 * reports each word with the hash of its case-folded form (for stopwords) and
 * of its first TOKEN_STEM_CHARS letters (a light, language-free stem). */
#ifndef DIGESTD_TOKEN_H
#define DIGESTD_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* Truncation stemming: "minister", "ministers" and "ministre" share a stem. */
#define TOKEN_STEM_CHARS 6u

struct token {
	uint64_t word_hash; /* FNV-1a of the folded word (lang_hash) */
	uint32_t stem_hash; /* FNV-1a of its first TOKEN_STEM_CHARS letters */
	uint32_t chars;     /* code points in the word */
	uint32_t digits;    /* how many of them are ASCII digits */
	uint64_t start;     /* byte offset of the word in the stream */
};

typedef void (*token_fn)(void *ctx, const struct token *t);

struct token_state {
	struct token cur;
	uint64_t offset;        /* stream offset of the next byte fed */
	unsigned char carry[4]; /* an incomplete UTF-8 sequence at a chunk end */
	unsigned carry_len;
	int in_word;
};

void token_init(struct token_state *t, uint64_t offset);
/* Feeds n bytes; calls fn for each word completed inside them. */
void token_feed(struct token_state *t, const unsigned char *p, size_t n, token_fn fn,
		void *ctx);
/* Ends the stream: reports a word still open. */
void token_finish(struct token_state *t, token_fn fn, void *ctx);

#endif
