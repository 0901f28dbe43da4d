/* SPDX-License-Identifier: MIT */
/* UTF-8 decoding and the character classes the text modules share (space,
 * word character, case) with simple case folding for Latin, Greek and
 * Cyrillic. Pure functions over caller buffers; no allocation, no locale. */
#ifndef DIGESTD_UTF8_H
#define DIGESTD_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

/* Decodes the code point at p (p < end). Returns its byte length (1..4); an
 * invalid, overlong, surrogate or truncated sequence yields U+FFFD, length 1. */
size_t utf8_decode(const unsigned char *p, const unsigned char *end, uint32_t *cp);

/* Writes cp as UTF-8 into out (4 bytes of room); returns the length. */
size_t utf8_encode(uint32_t cp, unsigned char out[4]);

/* Whitespace for text purposes: ASCII space and controls (NUL, CR included),
 * NBSP, the U+2000 spaces, U+202F, U+205F, U+3000 and the BOM. */
int utf8_is_space(uint32_t cp);
/* Letters and digits of any script; punctuation and symbols are not. */
int utf8_is_word(uint32_t cp);
int utf8_is_upper(uint32_t cp);
int utf8_is_lower(uint32_t cp);
/* C0, DEL and C1 controls: terminals act on them (some on C1 even as
 * UTF-8, U+009B opening a control sequence). */
static inline int utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}
/* U+2028, U+2029 and the bidi embedding, override and isolate controls
 * (U+202A-202E, U+2066-2069): a viewer may break a line at the first two
 * or show what follows the others reversed, so one quoted line could pass
 * for two, or read as something else. */
static inline int utf8_is_layout_control(uint32_t cp)
{
	return (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}
static inline int utf8_is_digit(uint32_t cp)
{
	return cp >= '0' && cp <= '9';
}
/* ASCII classes for protocol words, URLs and config text, whatever the
 * locale: a letter; C's white space (space, \t, \n, \v, \f, \r). */
static inline int utf8_ascii_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int utf8_ascii_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}
/* Narrows the *n bytes at *p to drop the utf8_ascii_space bytes at both
 * ends: a word or URL with the blanks around it. */
static inline void utf8_ascii_trim(const char **p, size_t *n)
{
	while (*n && utf8_ascii_space(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && utf8_ascii_space((*p)[*n - 1]))
		(*n)--;
}
/* A-Z to a-z, every other byte as is: for protocol words, tag names and
 * labels, which are ASCII whatever the text around them. */
static inline char utf8_ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}
/* Lower-case form for Latin, Greek and Cyrillic; other code points as is. */
uint32_t utf8_fold(uint32_t cp);

#endif
