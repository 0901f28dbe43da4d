/* SPDX-License-Identifier: MIT */
/* Story fingerprints and the story window. A fingerprint is TF-IDF over word
 * stems (the tokenizer's first six letters) with IDF counted as articles
 * stream by, so it needs no corpus; a story is the sum of its articles'
 * fingerprints, and an article joins the most similar story above a cosine
 * threshold (single pass, one comparison per story in the window). */
#include "story.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "summarise/lang.h"

/* Words shorter than this carry no story: initials, "de", "of", numbers
 * such as "2" (longer numbers such as "A380" or "13,000"'s "000" do). */
#define STORY_MIN_CHARS 3u

void story_window_init(struct story_window *w)
{
	memset(w, 0, sizeof(*w));
	w->next_id = 1;
}

void story_begin(struct story_doc *d)
{
	token_init(&d->tok, 0);
	d->weight = 1;
	d->used = 0;
	memset(d->slot, 0, sizeof(d->slot));
}

static void count_word(void *ctx, const struct token *t)
{
	struct story_doc *d = ctx;
	uint32_t h = t->stem_hash ? t->stem_hash : 1u, i;

	if (t->chars < STORY_MIN_CHARS || lang_stopword_mask(t->word_hash))
		return;
	for (i = h & (STORY_DOC_SLOTS - 1); d->slot[i].hash && d->slot[i].hash != h;
	     i = (i + 1) & (STORY_DOC_SLOTS - 1))
		;
	if (!d->slot[i].hash) {
		/* Keep one slot free so that the probe above always ends. */
		if (d->used + 1 >= STORY_DOC_SLOTS)
			return;
		d->slot[i].hash = h;
		d->used++;
	}
	d->slot[i].count += d->weight;
}

void story_feed_title(struct story_doc *d, const char *title, size_t len)
{
	/* A title word counts twice: the title names the story. */
	d->weight = 2;
	token_feed(&d->tok, (const unsigned char *)title, len, count_word, d);
	token_finish(&d->tok, count_word, d);
	token_init(&d->tok, 0);
	d->weight = 1;
}

void story_feed(struct story_doc *d, const char *text, size_t len)
{
	token_feed(&d->tok, (const unsigned char *)text, len, count_word, d);
}

_Static_assert(STORY_DF_SLOTS <= 65536u, "df_slot takes the hash's top 16 bits");

static uint16_t *df_slot(struct story_window *w, uint32_t h)
{
	/* Multiplicative hashing: the stem hash's high bits pick the slot. */
	return &w->df[(h * 0x9E3779B1u) >> 16 & (STORY_DF_SLOTS - 1)];
}

static int by_weight(const void *a, const void *b)
{
	const struct story_count *x = a, *y = b;

	/* Heaviest first; equal weights by hash, so that the choice is stable. */
	if (x->weight != y->weight)
		return x->weight < y->weight ? 1 : -1;
	return (x->hash > y->hash) - (x->hash < y->hash);
}

static int by_hash(const void *a, const void *b)
{
	const struct story_count *x = a, *y = b;

	return (x->hash > y->hash) - (x->hash < y->hash);
}

/* Every df counter halved: older articles weigh half as much as newer ones
 * in what counts as common, and the counters never saturate. */
static void df_age(struct story_window *w)
{
	for (uint32_t i = 0; i < STORY_DF_SLOTS; i++)
		w->df[i] = (uint16_t)(w->df[i] / 2u);
	w->docs /= 2u;
}

void story_end(struct story_doc *d, struct story_window *w, struct story_print *out)
{
	struct story_count *c = d->slot;
	uint32_t n = 0, k;
	double norm = 0.0;

	token_finish(&d->tok, count_word, d);
	if (w->docs >= STORY_DF_HALVE)
		df_age(w);
	w->docs++;
	for (uint32_t i = 0; i < STORY_DOC_SLOTS; i++) {
		uint16_t *df;

		if (!c[i].hash)
			continue;
		df = df_slot(w, c[i].hash);
		if (*df < UINT16_MAX)
			(*df)++;
		/* Sublinear TF times IDF over the articles counted so far,
		 * this one included (so a stem only it has weighs most). Stems
		 * sharing a counter can count past the articles: capped there,
		 * IDF stays above 0. */
		c[i].weight = (float)((1.0 + log((double)c[i].count)) *
				      log((double)(w->docs + 1u) /
					  (double)(*df < w->docs ? *df : w->docs)));
		c[n++] = c[i];
	}
	qsort(c, n, sizeof(*c), by_weight);
	k = n < STORY_PRINT_TERMS ? n : STORY_PRINT_TERMS;
	qsort(c, k, sizeof(*c), by_hash);
	for (uint32_t i = 0; i < k; i++)
		norm += (double)c[i].weight * c[i].weight;
	norm = norm > 0.0 ? sqrt(norm) : 1.0;
	out->n = k;
	for (uint32_t i = 0; i < k; i++) {
		out->hash[i] = c[i].hash;
		out->weight[i] = (float)(c[i].weight / norm);
	}
	/* The table was compacted: it must be begun again before reuse. */
	d->used = 0;
	memset(d->slot, 0, sizeof(d->slot));
}

void story_article(struct story_doc *d, struct story_window *w, const char *title,
		   size_t title_len, const char *text, size_t len, struct story_print *out)
{
	story_begin(d);
	story_feed_title(d, title, title_len);
	story_feed(d, text, len < SOURCE_TEXT_BYTES ? len : SOURCE_TEXT_BYTES);
	story_end(d, w, out);
}

/* Dot product of two hash-sorted sets, and the second's squared length. */
static double dot(const struct story_print *a, const struct story_terms *b, double *b_len2)
{
	uint32_t i = 0, j = 0;
	double s = 0.0, l = 0.0;

	for (j = 0; j < b->n; j++)
		l += (double)b->weight[j] * b->weight[j];
	j = 0;
	while (i < a->n && j < b->n) {
		if (a->hash[i] < b->hash[j]) {
			i++;
		} else if (a->hash[i] > b->hash[j]) {
			j++;
		} else {
			s += (double)a->weight[i++] * b->weight[j++];
		}
	}
	*b_len2 = l;
	return s;
}

int story_find(const struct story_window *w, const struct story_print *p, unsigned *permille)
{
	int best = -1;
	double best_sim = 0.0;

	for (uint32_t i = 0; i < STORY_WINDOW && p->n; i++) {
		const struct story *s = &w->s[i];
		double l2, sim;

		if (!s->id)
			continue;
		sim = dot(p, &s->terms, &l2);
		sim = l2 > 0.0 ? sim / sqrt(l2) : 0.0;
		/* Ties go to the newer story: its id is larger. */
		if (sim > best_sim || (sim == best_sim && best >= 0 && s->id > w->s[best].id)) {
			best_sim = sim;
			best = (int)i;
		}
	}
	if (permille)
		*permille = (unsigned)(best_sim * 1000.0 + 0.5);
	return best_sim * 1000.0 >= (double)STORY_JOIN_PERMILLE ? best : -1;
}

/* a += b, both hash-sorted; when more than STORY_STORY_TERMS stems result,
 * the lightest go. */
static void merge(struct story_terms *a, const struct story_print *b)
{
	struct story_count all[2 * STORY_STORY_TERMS];
	uint32_t i = 0, j = 0, n = 0;

	while (i < a->n || j < b->n) {
		if (j >= b->n || (i < a->n && a->hash[i] < b->hash[j])) {
			all[n++] = (struct story_count){ a->hash[i], 0, a->weight[i] };
			i++;
		} else if (i >= a->n || b->hash[j] < a->hash[i]) {
			all[n++] = (struct story_count){ b->hash[j], 0, b->weight[j] };
			j++;
		} else {
			all[n++] = (struct story_count){ a->hash[i], 0, a->weight[i] + b->weight[j] };
			i++;
			j++;
		}
	}
	if (n > STORY_STORY_TERMS) {
		qsort(all, n, sizeof(all[0]), by_weight);
		n = STORY_STORY_TERMS;
		qsort(all, n, sizeof(all[0]), by_hash);
	}
	a->n = n;
	for (i = 0; i < n; i++) {
		a->hash[i] = all[i].hash;
		a->weight[i] = all[i].weight;
	}
}

uint32_t story_add(struct story_window *w, int slot, const struct story_print *p)
{
	struct story *s;

	if (slot >= 0 && (uint32_t)slot < STORY_WINDOW && w->s[slot].id) {
		s = &w->s[slot];
		merge(&s->terms, p);
		s->articles++;
		return s->id;
	}
	s = &w->s[w->next];
	w->next = (w->next + 1) % STORY_WINDOW;
	s->id = w->next_id++;
	if (w->next_id == 0)
		w->next_id = 1;
	s->articles = 1;
	s->delivered = 0; /* the slot's old story was forgotten */
	s->url[0] = '\0';
	memset(&s->terms, 0, sizeof(s->terms));
	s->terms.n = p->n;
	memcpy(s->terms.hash, p->hash, p->n * sizeof(p->hash[0]));
	memcpy(s->terms.weight, p->weight, p->n * sizeof(p->weight[0]));
	return s->id;
}

_Static_assert(STORY_WINDOW <= 65535u, "undo places are 16-bit");

void story_undo_begin(struct story_undo *u, const struct story_window *w)
{
	u->next = w->next;
	u->next_id = w->next_id;
	u->n = 0;
	memset(u->at, 0, sizeof(u->at));
}

void story_undo_save(struct story_undo *u, const struct story_window *w, unsigned slot)
{
	if (slot >= STORY_WINDOW || u->at[slot])
		return;
	u->slot[u->n] = (uint16_t)slot;
	u->old[u->n] = w->s[slot];
	u->at[slot] = (uint16_t)++u->n;
}

uint32_t story_add_undo(struct story_window *w, int slot, const struct story_print *p,
			struct story_undo *u)
{
	/* The slot story_add changes: the story joined, or the next new one's. */
	unsigned at = slot >= 0 && (uint32_t)slot < STORY_WINDOW && w->s[slot].id ?
			      (unsigned)slot : w->next;

	story_undo_save(u, w, at);
	return story_add(w, slot, p);
}

void story_undo(struct story_window *w, struct story_undo *u)
{
	/* Each slot back to its state before its first change: whole, so that
	 * a window put back is byte for byte the one saved (its file's checksum
	 * covers every byte). */
	for (uint32_t i = 0; i < u->n; i++) {
		w->s[u->slot[i]] = u->old[i];
		u->at[u->slot[i]] = 0;
	}
	w->next = u->next;
	w->next_id = u->next_id;
	u->n = 0;
}
