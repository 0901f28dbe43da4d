/* SPDX-License-Identifier: MIT */
/* Languages digestd knows: their codes, their stopword lists (looked up by the
 * hash of a case-folded word) and detection by counting stopword hits. The
 * stopword table is static and filled once; nothing here allocates. */
#ifndef DIGESTD_LANG_H
#define DIGESTD_LANG_H

#include <stddef.h>
#include <stdint.h>

enum lang { LANG_UND = 0, LANG_EN, LANG_FR, LANG_DE, LANG_ES, LANG_IT, LANG_PT, LANG_COUNT };

#define LANG_BIT(l) (1u << (l))
#define LANG_ANY_STOP 0x7Eu /* every known language's bit */

/* "en", "fr", ... or "und" for LANG_UND. */
const char *lang_code(enum lang l);
/* Parses a code such as "fr" or "fr-CA" (case-insensitive); returns 0 or
 * -EINVAL. "und" is accepted and yields LANG_UND. */
int lang_parse(const char *code, size_t len, enum lang *out);

/* 64-bit FNV-1a, the hash stopwords are stored under: the tokenizer feeds it
 * the case-folded UTF-8 bytes of a word. */
#define LANG_HASH_INIT 0xcbf29ce484222325ull
static inline uint64_t lang_hash_byte(uint64_t h, unsigned char b)
{
	return (h ^ b) * 0x100000001b3ull;
}
uint64_t lang_hash(const char *folded, size_t len);

/* Which languages list this word as a stopword (a LANG_BIT mask, 0 if none). */
unsigned lang_stopword_mask(uint64_t word_hash);
/* In which languages this word, opening a sentence, leans on the sentence
 * before ("He", "This", "But", "Il", "Er"): a LANG_BIT mask, 0 if none. */
unsigned lang_opener_mask(uint64_t word_hash);

/* Detection: add each word's stopword mask, then decide. */
struct lang_votes {
	uint32_t hits[LANG_COUNT];
	uint32_t words;
};
void lang_vote(struct lang_votes *v, unsigned mask);
/* The language with most hits, if they make a plausible share of the words;
 * LANG_UND otherwise. Ties go to the lower enum value (deterministic). */
enum lang lang_decide(const struct lang_votes *v);

#endif
