/* SPDX-License-Identifier: MIT */
/* The extractive summariser: streams an article through a fixed arena
 * (struct summ, sizeof fixed at compile time), then picks its key sentences.
 * Never allocates; the caller owns the arena and may reuse it per article. */
#ifndef DIGESTD_SUMM_H
#define DIGESTD_SUMM_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "summarise/lang.h"
#include "summarise/token.h"

enum summ_method {
	SUMM_RANK, /* salience, position and redundancy: the summariser */
	SUMM_LEAD, /* the first N sentences: the Lead-N baseline */
};

struct summ_opts {
	unsigned count;          /* sentences wanted, when ratio_permille is 0 */
	unsigned ratio_permille; /* else this share of the sentences (1..1000) */
	/* Most words in all picks together, 0 for no limit: the best sentences
	 * that fit, never a cut one (so possibly none, when none fits). */
	unsigned words;
	enum lang lang;          /* LANG_UND: detected */
	enum summ_method method;
	/* The article's title, title_len bytes (NULL when 0): its terms weigh
	 * more. It is not part of the text, so it is never picked. */
	const char *title;
	size_t title_len;
	/* Bytes at the start of the input that are not text (a seed header
	 * the caller read, as `digestd summarize` does): kept in the window, so
	 * that offsets stay the input's, but never segmented nor counted. */
	size_t skip;
};

struct summ_pick {
	uint32_t offset; /* byte offset of the sentence in the input */
	uint32_t length; /* its length in bytes, as in the input */
	uint32_t score;  /* 0..10000, relative to the best candidate */
	uint32_t index;  /* its number among the article's sentences */
	uint32_t words;  /* its words, as the word budget counts them */
};

struct summ_result {
	enum lang lang;
	uint32_t sentences; /* sentences found (candidates) */
	int truncated;      /* input went past the window or the sentence cap */
	uint64_t bytes;     /* input size */
	/* Ranked picks that opened with a word leaning on the sentence before
	 * ("He", "But"): taken with that sentence, or passed over when it
	 * did not fit the count or the word budget. */
	uint32_t joined, passed;
	unsigned n_picks;   /* picks, in document order */
	struct summ_pick picks[SUMM_MAX_PICK];
};

struct summ_sentence {
	uint32_t start, end, paragraph, score;
	uint16_t words, flags;
};

struct summ {
	unsigned char window[SUMM_WINDOW_BYTES];
	uint32_t tf[SUMM_TERM_SLOTS];
	uint32_t mark[SUMM_TERM_SLOTS]; /* last pass that saw a term */
	uint8_t term_flags[SUMM_TERM_SLOTS];
	struct summ_sentence sent[SUMM_MAX_SENTENCES];
	struct token_state tail;
	struct lang_votes votes;
	struct summ_opts opts;
	uint64_t stream_len;
	uint32_t window_len, body_start, n_sent, pass;
	enum lang lang;
};

/* The arena's size is the summariser's whole working memory. */
#define SUMM_ARENA_BYTES (sizeof(struct summ))
_Static_assert(sizeof(struct summ) <= 512u * 1024u, "summariser arena over budget");

/* Starts an article. Never fails. */
void summ_begin(struct summ *s);
/* Feeds the next n bytes of the article (any chunking). Never fails. */
void summ_feed(struct summ *s, const void *buf, size_t n);
/* Segments, scores and picks with the options o, which come only now so
 * that a caller can read a header from the window first (o is copied; its
 * title is read during the call only). Fills *r; returns 0. The window stays
 * readable through s until the next summ_begin. */
int summ_end(struct summ *s, const struct summ_opts *o, struct summ_result *r);

/* What the scorer sees in one sentence before any pick (no term covered
 * yet): exported by `digestd summarize --format features` so that an
 * offline model (tools/train-scorer.py) learns from exactly these numbers. */
struct summ_features {
	uint32_t index, paragraph;
	uint32_t para_start, fragment; /* 0 or 1 */
	uint32_t words;    /* all words */
	uint32_t distinct; /* distinct content terms (stopwords and numbers out) */
	uint32_t title;    /* of which in the title */
	uint32_t numbers;  /* words with a digit */
	uint32_t caps;     /* words after the first that open with a capital */
	uint32_t quote;    /* 1 when the sentence holds a quotation mark */
	uint64_t salience; /* sum of the distinct terms' weights */
	uint32_t score;    /* today's score (summ_end's first scan) */
};

/* Fills *f for sentence i (< result's sentences) of the article summ_end
 * last summarised. Forgets which terms the picks covered, so call it after
 * reading the picks. Never fails. */
void summ_features(struct summ *s, uint32_t i, struct summ_features *f);

/* The article's bytes as kept (the window): picks index into it. */
static inline const unsigned char *summ_text(const struct summ *s)
{
	return s->window;
}

/* How many bytes of the input the window kept: all of it up to
 * SUMM_WINDOW_BYTES. */
static inline size_t summ_text_len(const struct summ *s)
{
	return s->window_len;
}

#endif
