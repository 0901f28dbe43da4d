/* SPDX-License-Identifier: MIT */
/* Story grouping: an article's fingerprint (its most salient word stems,
 * weighted by TF-IDF against the articles seen so far) and a window of
 * recent stories that a new article joins or starts. Fixed memory, no I/O. */
#ifndef DIGESTD_STORY_H
#define DIGESTD_STORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "summarise/token.h"

/* Cosine similarity (in thousandths) from which an article joins a story:
 * tuned on the dev set of docs/grouping.md for precision first. */
#define STORY_JOIN_PERMILLE 250u

/* A weighted set of stems, sorted by hash (so that two sets meet in one
 * merge); the weights of a fingerprint have unit length. */
struct story_terms {
	uint32_t n;
	uint32_t hash[STORY_STORY_TERMS];
	float weight[STORY_STORY_TERMS];
};

/* An article being read: term counts. The caller owns it; reuse per article. */
struct story_doc {
	struct token_state tok;
	uint32_t weight;  /* what each word adds now: 2 in the title, 1 after */
	uint32_t used;
	struct story_count {
		uint32_t hash;  /* stem hash, made non-zero; 0 = empty slot */
		uint32_t count; /* title words twice */
		float weight;   /* TF-IDF, once story_end computes it */
	} slot[STORY_DOC_SLOTS];
};

struct story {
	uint32_t id;       /* 1, 2, ... in the order stories began; 0 = free slot */
	uint32_t articles; /* how many joined it */
	int64_t delivered; /* when a digest last carried it (Unix s); 0 = never */
	char url[STORY_URL_BYTES]; /* that digest's article for it (cut), for logs */
	struct story_terms terms; /* summed fingerprints, the heaviest kept */
};

/* The window: document frequencies and the last STORY_WINDOW stories (the
 * oldest is forgotten first). About 400 KiB: the caller places it (static). */
struct story_window {
	uint32_t docs; /* articles counted in df since the last halving */
	uint32_t next_id;
	uint32_t next; /* slot the next new story takes */
	uint16_t df[STORY_DF_SLOTS];
	struct story s[STORY_WINDOW];
};

void story_window_init(struct story_window *w);

/* Reading one article: begin, the title, then the text in chunks of any size
 * (UTF-8; invalid bytes are no words). Words of fewer than 3 letters and the
 * stopwords of every language digestd knows are not counted. */
void story_begin(struct story_doc *d);
void story_feed_title(struct story_doc *d, const char *title, size_t len);
void story_feed(struct story_doc *d, const char *text, size_t len);

/* Ends the article: counts its stems into w's document frequencies and
 * writes its fingerprint (at most STORY_PRINT_TERMS stems) into out. An
 * article without one counted word gets an empty fingerprint. */
void story_end(struct story_doc *d, struct story_window *w, struct story_terms *out);

/* The story of the window that fingerprint p joins: its slot, or -1 when no
 * story is close enough (or p is empty). *permille gets the similarity found
 * (may be NULL). Reads only. */
int story_find(const struct story_window *w, const struct story_terms *p, unsigned *permille);

/* Adds p to the story in slot (from story_find), or, with slot -1, starts a
 * new story with it (forgetting the oldest when the window is full). Returns
 * the story's id. */
uint32_t story_add(struct story_window *w, int slot, const struct story_terms *p);

#endif
