/* SPDX-License-Identifier: MIT */
/* Sentence scoring and selection. Scores are integers so that every
 * architecture picks the same sentences: salience of a sentence's content
 * terms (hashed term frequencies, title terms boosted), normalised for length,
 * weighted by a news position prior, then a greedy pick that discounts terms
 * already covered and skips near-duplicates. */
#include "summ.h"

#include <string.h>

#include "core/utf8.h"
#include "summarise/segment.h"

/* Tunables, in thousandths unless said otherwise; set on the dev sets
 * (docs/quality.md) and kept as plain constants so results are stable. */
#define TITLE_BOOST 3000u       /* weight multiplier for title terms */
#define POS_LEAD 6000u          /* extra prior for the first sentence ... */
#define POS_DECAY 4u            /* ... fading as POS_LEAD*DECAY/(k+DECAY) */
#define PARA_START_BONUS 600u   /* first sentence of a paragraph */
/* A text without paragraph breaks (feeds and corpora that strip them) gives
 * the paragraph-start bonus nothing to mark but its first sentence: there,
 * its first sentences stand for the lead paragraph and get this bonus. */
#define FLAT_LEAD_SENTENCES 3u
#define FLAT_LEAD_BONUS 2000u
#define FRAGMENT_FACTOR 250u    /* headings, cut pieces, bullets w/o stop */
#define SHORT_WORDS 8u          /* fewer words than this is a short sentence */
#define SHORT_FACTOR 300u
#define LONG_WORDS 60u          /* more words than this is a long sentence */
#define LONG_FACTOR 700u
#define COVERED_DIVISOR 3u      /* weight / (1 + 3 * times covered) */
#define DUPLICATE_SHARE 800u    /* skip when this share of terms is covered */
#define LANG_VOTE_WORDS 4000u   /* words looked at to detect the language */

#define FLAG_TITLE 0x01u
#define FLAG_COVER 0x06u /* times covered by a pick, saturating at 3 */
#define SENT_FRAGMENT 0x01u
#define SENT_PARA_START 0x02u
#define SENT_PICKED 0x04u
#define SENT_PASSED 0x08u /* leans on the sentence before, which did not fit */

void summ_begin(struct summ *s)
{
	s->stream_len = 0;
	s->window_len = 0;
	s->body_start = 0;
	s->n_sent = 0;
	s->pass = 0;
	s->lang = LANG_UND;
	memset(s->tf, 0, sizeof(s->tf));
	memset(s->mark, 0, sizeof(s->mark));
	memset(s->term_flags, 0, sizeof(s->term_flags));
	memset(&s->votes, 0, sizeof(s->votes));
	token_init(&s->tail, SUMM_WINDOW_BYTES);
}

static int is_counted(const struct token *t)
{
	return t->chars >= 2 && t->digits < t->chars;
}

static void count_tail(void *ctx, const struct token *t)
{
	struct summ *s = ctx;

	if (is_counted(t))
		s->tf[t->stem_hash & (SUMM_TERM_SLOTS - 1)]++;
}

void summ_feed(struct summ *s, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t room = SUMM_WINDOW_BYTES - s->window_len;
	size_t keep = n < room ? n : room;

	memcpy(s->window + s->window_len, p, keep);
	s->window_len += (uint32_t)keep;
	s->stream_len += n;
	/* Past the window, text still counts towards term salience. */
	if (n > keep)
		token_feed(&s->tail, p + keep, n - keep, count_tail, s);
}

static void count_body(void *ctx, const struct token *t)
{
	struct summ *s = ctx;

	if (s->votes.words < LANG_VOTE_WORDS)
		lang_vote(&s->votes, lang_stopword_mask(t->word_hash));
	if (is_counted(t))
		s->tf[t->stem_hash & (SUMM_TERM_SLOTS - 1)]++;
}

static void mark_title(void *ctx, const struct token *t)
{
	struct summ *s = ctx;

	if (is_counted(t))
		s->term_flags[t->stem_hash & (SUMM_TERM_SLOTS - 1)] |= FLAG_TITLE;
}

static void tokenize(const void *p, size_t n, uint64_t offset, token_fn fn, void *ctx)
{
	struct token_state t;

	token_init(&t, offset);
	token_feed(&t, p, n, fn, ctx);
	token_finish(&t, fn, ctx);
}

/* 1000 * (1 + ln n) for n = 0..32: term frequency damped, in integers. */
static const uint16_t log_tf[33] = {
	0,    1000, 1693, 2099, 2386, 2609, 2792, 2946, 3079, 3197, 3303,
	3398, 3485, 3565, 3639, 3708, 3773, 3833, 3890, 3944, 3996, 4045,
	4091, 4135, 4178, 4219, 4258, 4296, 4332, 4367, 4401, 4434, 4466,
};

static uint32_t term_weight(const struct summ *s, uint32_t slot)
{
	uint32_t tf = s->tf[slot], w;
	unsigned covered = (s->term_flags[slot] & FLAG_COVER) >> 1;

	w = tf < 33 ? log_tf[tf] : log_tf[32] + (tf > 64) * 500u;
	if (s->term_flags[slot] & FLAG_TITLE)
		w = w * TITLE_BOOST / 1000u;
	return w / (1u + COVERED_DIVISOR * covered);
}

static uint32_t isqrt(uint32_t v)
{
	uint32_t r = 0, bit = 1u << 30;

	while (bit > v)
		bit >>= 2;
	while (bit) {
		if (v >= r + bit) {
			v -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* Proportional to d^0.75: between the mean (which favours short sentences)
 * and the sum (which favours long ones); news references sit in between.
 * d is at most SEG_MAX_SENTENCE_BYTES / 2, far below the 4000 that would
 * overflow. */
static uint32_t length_norm(uint32_t d)
{
	if (d > 4000u)
		d = 4000u;
	return isqrt(isqrt(d * 1000000u) * 1000u) * isqrt(d * 1000u) / 1000u;
}

struct sentence_eval {
	struct summ *s;
	uint64_t sum;      /* weights of distinct content terms */
	uint32_t distinct; /* distinct content terms */
	uint32_t covered;  /* of which already covered by picks */
	uint32_t words;
	unsigned stop_mask;
};

static void eval_token(void *ctx, const struct token *t)
{
	struct sentence_eval *e = ctx;
	struct summ *s = e->s;
	uint32_t slot = t->stem_hash & (SUMM_TERM_SLOTS - 1);

	e->words++;
	if (!is_counted(t) || (lang_stopword_mask(t->word_hash) & e->stop_mask))
		return;
	if (s->mark[slot] == s->pass)
		return;
	s->mark[slot] = s->pass;
	e->distinct++;
	e->covered += (s->term_flags[slot] & FLAG_COVER) != 0;
	e->sum += term_weight(s, slot);
}

static void eval_sentence(struct summ *s, uint32_t i, struct sentence_eval *e)
{
	const struct summ_sentence *ss = &s->sent[i];

	memset(e, 0, sizeof(*e));
	e->s = s;
	e->stop_mask = s->lang == LANG_UND ? LANG_ANY_STOP : LANG_BIT(s->lang);
	s->pass++;
	tokenize(s->window + ss->start, ss->end - ss->start, ss->start, eval_token, e);
}

/* Is the whole text one paragraph (no blank line between its sentences)? */
static int no_paragraphs(const struct summ *s)
{
	return s->n_sent > 0 && s->sent[s->n_sent - 1].paragraph == s->sent[0].paragraph;
}

/* The score of sentence i with the current term weights. */
static uint32_t score_sentence(struct summ *s, uint32_t i, uint32_t *covered_share)
{
	struct summ_sentence *ss = &s->sent[i];
	struct sentence_eval e;
	uint64_t score;
	uint32_t k = i, prior;

	eval_sentence(s, i, &e);
	ss->words = (uint16_t)(e.words > 0xFFFF ? 0xFFFF : e.words);
	*covered_share = e.distinct ? e.covered * 1000u / e.distinct : 1000u;
	if (e.distinct == 0)
		return 0;
	score = e.sum * 1000u / (length_norm(e.distinct) + 1u);
	prior = 1000u + POS_LEAD * POS_DECAY / (k + POS_DECAY);
	if (ss->flags & SENT_PARA_START)
		prior += PARA_START_BONUS;
	if (k < FLAT_LEAD_SENTENCES && no_paragraphs(s))
		prior += FLAT_LEAD_BONUS;
	score = score * prior / 1000u;
	if (ss->flags & SENT_FRAGMENT)
		score = score * FRAGMENT_FACTOR / 1000u;
	if (e.words < SHORT_WORDS)
		score = score * SHORT_FACTOR / 1000u;
	else if (e.words > LONG_WORDS)
		score = score * LONG_FACTOR / 1000u;
	return score > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)score;
}

struct feature_eval {
	struct sentence_eval e;
	struct summ_features *f;
};

static void feature_token(void *ctx, const struct token *t)
{
	struct feature_eval *fe = ctx;
	struct summ *s = fe->e.s;
	uint32_t slot = t->stem_hash & (SUMM_TERM_SLOTS - 1), before = fe->e.distinct;
	const unsigned char *p = s->window + t->start;
	uint32_t cp = 0;

	if (fe->e.words > 0) {
		utf8_decode(p, s->window + s->window_len, &cp);
		fe->f->caps += utf8_is_upper(cp) != 0;
	}
	fe->f->numbers += t->digits > 0;
	eval_token(&fe->e, t);
	if (fe->e.distinct > before && (s->term_flags[slot] & FLAG_TITLE))
		fe->f->title++;
}

/* Quotation marks in the languages' styles: " \u201c \u201d \u201e \u00ab \u00bb. */
static int has_quote(const unsigned char *p, const unsigned char *end)
{
	while (p < end) {
		uint32_t cp = 0;
		size_t n = utf8_decode(p, end, &cp);

		if (cp == '"' || cp == 0x201c || cp == 0x201d || cp == 0x201e || cp == 0xab ||
		    cp == 0xbb)
			return 1;
		p += n ? n : 1;
	}
	return 0;
}

void summ_features(struct summ *s, uint32_t i, struct summ_features *f)
{
	const struct summ_sentence *ss = &s->sent[i];
	struct feature_eval fe;

	for (uint32_t slot = 0; slot < SUMM_TERM_SLOTS; slot++)
		s->term_flags[slot] &= (uint8_t)~FLAG_COVER;
	memset(f, 0, sizeof(*f));
	memset(&fe, 0, sizeof(fe));
	fe.f = f;
	fe.e.s = s;
	fe.e.stop_mask = s->lang == LANG_UND ? LANG_ANY_STOP : LANG_BIT(s->lang);
	s->pass++;
	tokenize(s->window + ss->start, ss->end - ss->start, ss->start, feature_token, &fe);
	f->index = i;
	f->paragraph = ss->paragraph;
	f->para_start = (ss->flags & SENT_PARA_START) != 0;
	f->fragment = (ss->flags & SENT_FRAGMENT) != 0;
	f->words = fe.e.words;
	f->distinct = fe.e.distinct;
	f->salience = fe.e.sum;
	f->quote = (uint32_t)has_quote(s->window + ss->start, s->window + ss->end);
	f->score = score_sentence(s, i, &(uint32_t){ 0 });
}

static unsigned wanted(const struct summ *s)
{
	uint64_t n = s->opts.count;

	if (s->opts.ratio_permille)
		n = ((uint64_t)s->n_sent * s->opts.ratio_permille + 999u) / 1000u;
	if (n == 0)
		n = 1;
	if (n > s->n_sent)
		n = s->n_sent;
	return n > SUMM_MAX_PICK ? SUMM_MAX_PICK : (unsigned)n;
}

static void cover(struct summ *s, uint32_t i)
{
	struct sentence_eval e;

	/* Marks this sentence's terms, then raises their cover count. */
	eval_sentence(s, i, &e);
	for (uint32_t slot = 0; slot < SUMM_TERM_SLOTS; slot++) {
		if (s->mark[slot] != s->pass)
			continue;
		uint8_t c = (s->term_flags[slot] & FLAG_COVER) >> 1;
		if (c < 3)
			s->term_flags[slot] = (uint8_t)((s->term_flags[slot] & ~FLAG_COVER) |
							((c + 1u) << 1));
	}
}

/* Words left in the budget; UINT32_MAX when there is none. */
static uint32_t budget_start(const struct summ *s)
{
	return s->opts.words ? s->opts.words : UINT32_MAX;
}

struct first_word {
	uint64_t hash, start;
	int seen;
};

static void first_token(void *ctx, const struct token *t)
{
	struct first_word *f = ctx;

	if (!f->seen) {
		f->seen = 1;
		f->hash = t->word_hash;
		f->start = t->start;
	}
}

/* Does sentence i open with a word that leans on the sentence before (as
 * its first bytes: a quotation opening with "This" stands alone)? */
static int leans_back(const struct summ *s, uint32_t i)
{
	const struct summ_sentence *ss = &s->sent[i];
	struct first_word f = { 0 };
	unsigned langs = s->lang == LANG_UND ? LANG_ANY_STOP : LANG_BIT(s->lang);

	if (i == 0)
		return 0;
	tokenize(s->window + ss->start, ss->end - ss->start, ss->start, first_token, &f);
	return f.seen && f.start == ss->start && (lang_opener_mask(f.hash) & langs);
}

static void take(struct summ *s, uint32_t i, uint32_t *left, unsigned *picked)
{
	*left -= s->sent[i].words;
	s->sent[i].flags |= SENT_PICKED;
	cover(s, i);
	(*picked)++;
}

static void pick_ranked(struct summ *s, unsigned n, struct summ_result *r)
{
	uint32_t best_first = 0, left = budget_start(s);
	unsigned picked = 0;
	int first_scan = 1;

	while (picked < n) {
		uint32_t best = UINT32_MAX, best_score = 0;

		for (uint32_t i = 0; i < s->n_sent; i++) {
			uint32_t share, sc;

			if (s->sent[i].flags & (SENT_PICKED | SENT_PASSED))
				continue;
			sc = score_sentence(s, i, &share);
			if (picked > 0 && share >= DUPLICATE_SHARE)
				sc /= 16u;
			if (first_scan)
				s->sent[i].score = sc;
			if (s->sent[i].words > left)
				continue; /* passed over: a sentence is never cut */
			if (best == UINT32_MAX || sc > best_score) {
				best = i;
				best_score = sc;
			}
		}
		first_scan = 0;
		if (best == UINT32_MAX)
			break;
		if (leans_back(s, best) && !(s->sent[best - 1].flags & SENT_PICKED)) {
			const struct summ_sentence *prev = &s->sent[best - 1];

			if (picked + 2 > n || (prev->flags & SENT_PASSED) ||
			    prev->words > left - s->sent[best].words) {
				s->sent[best].flags |= SENT_PASSED;
				r->passed++;
				continue;
			}
			r->joined++;
			take(s, best - 1, &left, &picked);
		}
		if (best_first == 0)
			best_first = best_score ? best_score : 1;
		take(s, best, &left, &picked);
	}
	if (best_first == 0)
		best_first = 1;
	for (uint32_t i = 0; i < s->n_sent && r->n_picks < n; i++) {
		if (!(s->sent[i].flags & SENT_PICKED))
			continue;
		uint64_t rel = (uint64_t)s->sent[i].score * 10000u / best_first;
		r->picks[r->n_picks++] = (struct summ_pick){
			.offset = s->sent[i].start,
			.length = s->sent[i].end - s->sent[i].start,
			.score = rel > 10000u ? 10000u : (uint32_t)rel,
			.index = i,
			.words = s->sent[i].words,
		};
	}
}

/* The first sentences, up to n, that fit the word budget. */
static void pick_lead(struct summ *s, unsigned n, struct summ_result *r)
{
	uint32_t left = budget_start(s);

	for (uint32_t i = 0; i < s->n_sent && r->n_picks < n; i++) {
		struct sentence_eval e;
		unsigned k = r->n_picks;

		eval_sentence(s, i, &e);
		if (e.words > left)
			continue;
		left -= e.words;
		r->picks[k] = (struct summ_pick){
			.offset = s->sent[i].start,
			.length = s->sent[i].end - s->sent[i].start,
			.score = 10000u * (n - k) / n,
			.index = i,
			.words = e.words,
		};
		r->n_picks = k + 1;
	}
}

int summ_end(struct summ *s, const struct summ_opts *o, struct summ_result *r)
{
	struct seg_cursor cur;
	struct seg_sentence seg;
	const unsigned char *body;
	uint32_t body_len;
	unsigned n;

	memset(r, 0, sizeof(*r));
	s->opts = *o;
	token_finish(&s->tail, count_tail, s);
	s->body_start = o->skip < s->window_len ? (uint32_t)o->skip : s->window_len;
	body = s->window + s->body_start;
	body_len = s->window_len - s->body_start;

	tokenize(body, body_len, s->body_start, count_body, s);
	if (o->title_len)
		tokenize(o->title, o->title_len, 0, mark_title, s);
	s->lang = o->lang;
	if (s->lang == LANG_UND)
		s->lang = lang_decide(&s->votes);

	seg_init(&cur, (const char *)body, body_len,
		 s->lang == LANG_UND ? LANG_ANY_STOP : LANG_BIT(s->lang));
	while (seg_next(&cur, &seg)) {
		if (s->n_sent == SUMM_MAX_SENTENCES) {
			r->truncated = 1;
			break;
		}
		/* A sentence running into the window's end is incomplete. */
		if (s->stream_len > s->window_len && seg.end == body_len && seg.fragment)
			break;
		s->sent[s->n_sent++] = (struct summ_sentence){
			.start = s->body_start + seg.start,
			.end = s->body_start + seg.end,
			.paragraph = seg.paragraph,
			.flags = (uint16_t)((seg.fragment ? SENT_FRAGMENT : 0) |
					    (seg.para_start ? SENT_PARA_START : 0)),
		};
	}
	r->lang = s->lang;
	r->sentences = s->n_sent;
	r->bytes = s->stream_len;
	r->truncated |= s->stream_len > s->window_len;
	n = wanted(s);
	if (s->n_sent == 0)
		return 0;
	if (s->opts.method == SUMM_LEAD)
		pick_lead(s, n, r);
	else
		pick_ranked(s, n, r);
	return 0;
}
