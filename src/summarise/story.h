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

/* Fewest stems an article's fingerprint needs before it is held back as a
 * story already delivered (docs/grouping.md): a headline alone has about
 * five, and from those a new episode of a series titled alike ("Daily
 * briefing", "Podcast episode 13") cannot be told from the last one.
 * Grouping within a digest does not use it: a wrong join there shows. */
#define STORY_HOLD_TERMS 8u

/* A weighted set of stems, sorted by hash (so that two sets meet in one
 * merge); the weights of a fingerprint have unit length. */
struct story_terms {
	uint32_t n;
	uint32_t hash[STORY_STORY_TERMS];
	float weight[STORY_STORY_TERMS];
};

/* An article's fingerprint: its STORY_PRINT_TERMS heaviest stems, sorted by
 * hash, weights of unit length. Half a struct story_terms: the pending list
 * keeps one per article (digest/pending.h). */
struct story_print {
	uint32_t n;
	uint32_t hash[STORY_PRINT_TERMS];
	float weight[STORY_PRINT_TERMS];
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

/* Reading one article (story_article does all of it): begin, the title, then the text in chunks of any size
 * (UTF-8; invalid bytes are no words). Words of fewer than 3 letters and the
 * stopwords of every language digestd knows are not counted. */
void story_begin(struct story_doc *d);
void story_feed_title(struct story_doc *d, const char *title, size_t len);
void story_feed(struct story_doc *d, const char *text, size_t len);

/* Ends the article: counts its stems into w's document frequencies and
 * writes its fingerprint (at most STORY_PRINT_TERMS stems) into out. An
 * article without one counted word gets an empty fingerprint. */
void story_end(struct story_doc *d, struct story_window *w, struct story_print *out);

/* The one way an article is fingerprinted, for `digestd group` and for the
 * daemon as each article arrives: begin, its title, then the first
 * SOURCE_TEXT_BYTES of text (what the daemon keeps of a page), then
 * story_end. d is scratch. Document frequencies count into w. */
void story_article(struct story_doc *d, struct story_window *w, const char *title,
		   size_t title_len, const char *text, size_t len, struct story_print *out);

/* The story of the window that fingerprint p joins: its slot, or -1 when no
 * story is close enough (or p is empty). *permille gets the similarity found
 * (may be NULL). Reads only. */
int story_find(const struct story_window *w, const struct story_print *p, unsigned *permille);

/* Adds p to the story in slot (from story_find), or, with slot -1, starts a
 * new story with it (forgetting the oldest when the window is full). Returns
 * the story's id. */
uint32_t story_add(struct story_window *w, int slot, const struct story_print *p);

/* Changes to a window that can be taken back: the daemon groups a digest
 * into its only window and takes the grouping back when the digest is not
 * composed (docs/grouping.md). Each story slot changed is saved before its
 * first change, and there is room for every slot, so saving cannot fail;
 * document frequencies are not saved (story_find and story_add never
 * change them). The caller owns it (327 KiB: static, touched only as far as
 * used). */
struct story_undo {
	uint32_t next, next_id; /* the window's, at story_undo_begin */
	uint32_t n;             /* slots saved */
	uint16_t at[STORY_WINDOW]; /* a slot's place in old, plus 1; 0: not saved */
	uint16_t slot[STORY_WINDOW];
	struct story old[STORY_WINDOW];
};

/* Starts recording changes to w into u (forgetting what u held). */
void story_undo_begin(struct story_undo *u, const struct story_window *w);

/* Saves w's story slot into u unless saved already, before it changes. */
void story_undo_save(struct story_undo *u, const struct story_window *w, unsigned slot);

/* story_add, its change recorded in u first: returns the story's id. */
uint32_t story_add_undo(struct story_window *w, int slot, const struct story_print *p,
			struct story_undo *u);

/* Puts w's stories back as they were at story_undo_begin (document
 * frequencies stay as they are); u is then empty. */
void story_undo(struct story_window *w, struct story_undo *u);

#endif
