/* SPDX-License-Identifier: MIT */
/* Sentence segmentation of news text held in a caller buffer: punctuation,
 * quotes, abbreviations, initials, numbers, ellipses, paragraphs, headings and
 * bullet lines. Reports byte ranges; never copies or allocates. */
#ifndef DIGESTD_SEGMENT_H
#define DIGESTD_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

struct seg_sentence {
	uint32_t start;     /* offset of the first byte, after leading space */
	uint32_t end;       /* offset past the last byte, before trailing space */
	uint32_t paragraph; /* 0-based paragraph number */
	unsigned fragment;  /* 1 when not closed by sentence punctuation
			       (a heading, a bullet without a full stop, a cut) */
	unsigned para_start; /* 1 for a paragraph's first sentence */
};

struct seg_cursor {
	const unsigned char *buf;
	uint32_t len;
	uint32_t pos;
	uint32_t paragraph;
	unsigned starters; /* LANG_BIT mask of the stopword lists whose words
			      start sentences after an abbreviation */
	int started;       /* a sentence has been returned */
	int para_pending;  /* the next sentence opens a paragraph */
};

/* buf must stay valid while the cursor is used; len < 2^31. langs is the
 * LANG_BIT mask of the text's language (LANG_ANY_STOP when unknown): its
 * function words ("The", "Il", "Der") tell a sentence start after "U.S.". */
void seg_init(struct seg_cursor *c, const char *buf, uint32_t len, unsigned langs);
/* Finds the next sentence: returns 1 and fills *s, or 0 at the end. */
int seg_next(struct seg_cursor *c, struct seg_sentence *s);

#endif
