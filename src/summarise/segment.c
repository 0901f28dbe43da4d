/* SPDX-License-Identifier: MIT */
/* Sentence segmentation. A boundary is sentence punctuation, then any closing
 * quotes or brackets, then space, then something that can start a sentence;
 * the exceptions (abbreviations, initials, numbers) are decided by looking at
 * the word before the full stop and the word after it. */
#include "segment.h"

#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"
#include "summarise/lang.h"

/* A line shorter than this, without final punctuation, followed by a line
 * that starts a sentence, is a heading. */
#define HEADING_MAX_BYTES 100u

static size_t dec(const struct seg_cursor *c, uint32_t at, uint32_t *cp)
{
	return utf8_decode(c->buf + at, c->buf + c->len, cp);
}

static int is_terminal(uint32_t cp)
{
	return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026 || cp == 0x3002 ||
	       cp == 0xFF01 || cp == 0xFF1F || cp == 0x203C || (cp >= 0x2047 && cp <= 0x2049);
}

static int is_closer(uint32_t cp)
{
	return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == '}' || cp == 0x201D ||
	       cp == 0x2019 || cp == 0xBB || cp == 0x203A ||
	       /* German „…“ and ‚…‘ close with what English opens with. */
	       cp == 0x201C || cp == 0x2018;
}

/* Closers that French and German typography set after a space. */
static int is_spaced_closer(uint32_t cp)
{
	return cp == 0xBB || cp == 0x203A;
}

static int is_opener(uint32_t cp)
{
	return cp == '"' || cp == '\'' || cp == '(' || cp == '[' || cp == '{' || cp == 0x201C ||
	       cp == 0x2018 || cp == 0xAB || cp == 0x2039 || cp == 0x201E || cp == 0x201A ||
	       cp == 0xBF || cp == 0xA1 || cp == 0x2014 || cp == 0x2013 || cp == '-' ||
	       cp == 0x201D;
}

static int is_hspace(uint32_t cp)
{
	return cp != '\n' && utf8_is_space(cp);
}

/* Does a bullet marker ("- ", "* ", "• ", "1. ", "2) ") start at `at`? */
static int bullet_at(const struct seg_cursor *c, uint32_t at)
{
	uint32_t cp, next;
	size_t n;

	if (at >= c->len)
		return 0;
	n = dec(c, at, &cp);
	if (cp == '-' || cp == '*' || cp == 0x2022 || cp == 0xB7 || cp == 0x2023 ||
	    cp == 0x25AA || cp == 0x2013 || cp == 0x2014 || cp == 0x25CF) {
		if (at + n >= c->len)
			return 0;
		dec(c, at + (uint32_t)n, &next);
		return is_hspace(next);
	}
	if (!utf8_is_digit(cp))
		return 0;
	while (at < c->len && utf8_is_digit(c->buf[at]))
		at++;
	if (at + 1 >= c->len || (c->buf[at] != '.' && c->buf[at] != ')'))
		return 0;
	return c->buf[at + 1] == ' ' || c->buf[at + 1] == '\t';
}

/* Folds the word starting at `at` into buf; returns its length in bytes. */
static size_t word_at(const struct seg_cursor *c, uint32_t at, char *buf, size_t size)
{
	size_t len = 0;

	while (at < c->len) {
		uint32_t cp;
		unsigned char enc[4];
		size_t n = dec(c, at, &cp), k;

		if (!utf8_is_word(cp))
			break;
		k = utf8_encode(utf8_fold(cp), enc);
		if (len + k >= size)
			break;
		memcpy(buf + len, enc, k);
		len += k;
		at += (uint32_t)n;
	}
	buf[len] = '\0';
	return len;
}

static int in_list(const char *word, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(word, *list) == 0)
			return 1;
	return 0;
}

/* Titles before a name: never end a sentence. */
static const char *const titles[] = {
	"mr", "mrs", "ms", "dr", "prof", "sr", "sra", "srta", "dra", "st", "gen", "col",
	"lt", "sgt", "capt", "cmdr", "adm", "gov", "sen", "rep", "rev", "hon", "pres",
	"mme", "mmes", "mlle", "mlles", "mm", "mgr", "hr", "hrn", "frl", "dott", "sig",
	"sigg", "avv", "ing", "vs", "jr", "messrs", "gén", "ste", "dres",
	/* and abbreviations that stand before a noun: "28 Mio. Tonnen" */
	"mio", "mrd", "tsd", "bzw", "vgl", "ggf", "inkl", "zzgl", "evtl", "sog", "ee",
	"ej", NULL,
};

/* Titles written in capitals: Spanish "EE. UU." (Estados Unidos), French
 * "MM. Gbagbo et Blé Goudé" (Messieurs). */
static const char *const caps_titles[] = { "ee", "mm", NULL };

/* Abbreviations that stand before a number ("No. 10", "Jan. 5"). */
static const char *const before_number[] = {
	"no", "nr", "nos", "art", "p", "pp", "vol", "fig", "ch", "sec", "n", "tel", "jan",
	"feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"janv", "févr", "avr", "juil", "déc", "ca", "approx", "nº", NULL,
};

/* Months after a German ordinal ("am 3. Oktober"). */
static const char *const months[] = {
	"januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august",
	"september", "oktober", "november", "dezember", NULL,
};

/* A capitalised function word ("The", not "EST") of the text's language. */
/* Are the first two letters of the word at `at` capitals ("EST", "LOUIS")? */
static int caps_at(const struct seg_cursor *c, uint32_t at)
{
	uint32_t cp;
	size_t n;

	if (at >= c->len)
		return 0;
	n = dec(c, at, &cp);
	if (!utf8_is_upper(cp) || at + n >= c->len)
		return 0;
	dec(c, at + (uint32_t)n, &cp);
	return utf8_is_upper(cp);
}

static int is_starter(const struct seg_cursor *c, uint32_t at, const char *folded, size_t len)
{
	if (len == 0 || caps_at(c, at))
		return 0;
	return (lang_stopword_mask(lang_hash(folded, len)) & c->starters) != 0;
}

/* Is the word at ws a lower-case letter after an apostrophe ("Poor's",
 * "isn't")? */
static int after_apostrophe(const struct seg_cursor *c, uint32_t start, uint32_t ws)
{
	uint32_t p, cp;

	if (ws == start)
		return 0;
	p = ws - 1;
	while (p > start && (c->buf[p] & 0xC0) == 0x80)
		p--;
	dec(c, p, &cp);
	if (cp != '\'' && cp != 0x2019)
		return 0;
	dec(c, ws, &cp);
	return utf8_is_lower(cp); /* "d'E. Macron" is an initial */
}

/* Is the full stop at q (a lone '.') the end of a sentence, given the next
 * word at `next` (or none)? */
static int period_ends(const struct seg_cursor *c, uint32_t start, uint32_t q, uint32_t next,
		       int newline)
{
	char before[32], after[64];
	uint32_t ws = q, cp, later = 0;
	size_t after_len = 0;
	int inner_dot = 0, letters = 0, digits = 0, upper = 0;
	uint32_t next_cp = 0;

	/* Walk back over the word, its inner dots and ampersands ("U.S", "z.B",
	 * "$8.6m", "3.817.69", "AT&T"). Only a dot before a letter makes a
	 * dotted abbreviation; a dot before a digit is part of a number. */
	while (ws > start) {
		uint32_t p = ws - 1;

		while (p > start && (c->buf[p] & 0xC0) == 0x80)
			p--;
		dec(c, p, &cp);
		if (cp == '.')
			inner_dot |= utf8_is_word(later) && !utf8_is_digit(later);
		else if (cp == '&' && utf8_is_word(later))
			;
		else if (!utf8_is_word(cp))
			break;
		else if (utf8_is_digit(cp))
			digits++;
		else {
			letters++;
			upper += utf8_is_upper(cp);
		}
		later = cp;
		ws = p;
	}
	if (ws == q || c->buf[ws] == '.')
		return 1;
	if (next < c->len) {
		dec(c, next, &next_cp);
		after_len = word_at(c, next, after, sizeof(after));
	}
	if (inner_dot) {
		/* "the U.S. Army" goes on; "in the U.S. The" ends. */
		return newline || !utf8_is_upper(next_cp) || is_starter(c, next, after, after_len);
	}
	/* An initial ("J. K. Rowling", "M. Macron") or a spaced abbreviation
	 * ("z. B.", "u. a.", "p. ex."); not the end of an elision or a
	 * possessive ("Poor's.", "isn't."). */
	if (letters == 1 && digits == 0 && !after_apostrophe(c, start, ws)) {
		/* "World War I. But" ends; "John I. Smith" does not. */
		return c->buf[ws] == 'I' && is_starter(c, next, after, after_len);
	}
	if (digits && !letters) {
		if (ws == start)
			return 0; /* a list number: "1. Introduction" */
		return !in_list(after, months);
	}
	word_at(c, ws, before, sizeof(before));
	/* "MS", "ST" in capitals are acronyms (multiple sclerosis), not "Ms",
	 * unless a word in capitals follows ("ST. LOUIS" in a dateline). */
	if (in_list(before, titles) && (upper < letters || letters < 2 ||
					in_list(before, caps_titles) || caps_at(c, next)))
		return 0;
	if (in_list(before, before_number) && utf8_is_digit(next_cp))
		return 0;
	return 1;
}

/* Is `at` (just past a straight quote) a space or the end of the text? */
static int lone_quote_at(const struct seg_cursor *c, uint32_t at)
{
	uint32_t cp;

	if (at >= c->len)
		return 1;
	dec(c, at, &cp);
	return utf8_is_space(cp);
}

/* Decides whether the terminal punctuation at q (n bytes) ends the sentence
 * that began at start; on yes, *end is just past the punctuation and its
 * closing quotes or brackets. *run_end is always set past the whole run of
 * punctuation ("?!", "...") so that the caller never examines it again. */
static int boundary(const struct seg_cursor *c, uint32_t start, uint32_t q, size_t n,
		    uint32_t *end, uint32_t *run_end)
{
	uint32_t j = q + (uint32_t)n, k, m, cp;
	int dots = c->buf[q] == '.', newline = 0;

	while (j < c->len) {
		size_t l = dec(c, j, &cp);
		if (!is_terminal(cp))
			break;
		dots += cp == '.';
		j += (uint32_t)l;
	}
	*run_end = j;
	for (;;) {
		k = j;
		while (k < c->len) {
			size_t l = dec(c, k, &cp);
			if (!is_hspace(cp))
				break;
			k += (uint32_t)l;
		}
		if (k >= c->len)
			break;
		size_t l = dec(c, k, &cp);
		if (!is_closer(cp))
			break;
		/* After a space only the spaced closers close, and a straight
		 * double quote with a space after it too (`year. " Next`); any
		 * other straight quote there opens the next quotation. */
		if (k != j && !is_spaced_closer(cp) &&
		    !(cp == '"' && lone_quote_at(c, k + (uint32_t)l)))
			break;
		j = k + (uint32_t)l;
	}
	*end = j;
	if (j >= c->len)
		return 1;
	dec(c, j, &cp);
	if (!utf8_is_space(cp))
		return 0; /* "3.5", "U.S.A", "e-mail.com" */
	k = j;
	while (k < c->len) {
		size_t l = dec(c, k, &cp);
		if (!utf8_is_space(cp))
			break;
		newline |= cp == '\n';
		k += (uint32_t)l;
	}
	if (k >= c->len)
		return 1;
	dec(c, k, &cp);
	if (cp == ',' || cp == ';' || cp == ':' || cp == ')')
		return 0; /* a stray stop before a comma: "l'Ukraine. , ce qui" */
	m = k;
	while (m < c->len) {
		size_t l = dec(c, m, &cp);
		if (!is_opener(cp))
			break;
		m += (uint32_t)l;
	}
	if (m < c->len) {
		dec(c, m, &cp);
		if (!newline && utf8_is_lower(cp))
			return 0; /* "etc. and", "« Pourquoi ? » demande-t-il" */
	}
	if (c->buf[q] == '.' && dots == 1)
		return period_ends(c, start, q, m, newline);
	return 1;
}

void seg_init(struct seg_cursor *c, const char *buf, uint32_t len, unsigned langs)
{
	memset(c, 0, sizeof(*c));
	c->starters = langs;
	c->buf = (const unsigned char *)buf;
	c->len = len;
}

/* Does the line starting at `at` begin like a sentence (capital, digit,
 * opening quote) or a bullet? */
static int line_starts_sentence(const struct seg_cursor *c, uint32_t at)
{
	uint32_t cp;

	if (at >= c->len)
		return 0;
	if (bullet_at(c, at))
		return 1;
	while (at < c->len) {
		size_t n = dec(c, at, &cp);
		if (!is_opener(cp))
			break;
		at += (uint32_t)n;
	}
	return at < c->len && !utf8_is_lower(cp) && cp != ',' && cp != ';';
}

static uint32_t trim_end(const struct seg_cursor *c, uint32_t start, uint32_t end)
{
	while (end > start) {
		uint32_t p = end - 1, cp;

		while (p > start && (c->buf[p] & 0xC0) == 0x80)
			p--;
		dec(c, p, &cp);
		if (!utf8_is_space(cp))
			break;
		end = p;
	}
	return end;
}

/* Where to cut a sentence that outgrew SEG_MAX_SENTENCE_BYTES: at its last
 * space, else at the limit on a character boundary. */
static uint32_t cut_point(const struct seg_cursor *c, uint32_t start, uint32_t last_space)
{
	uint32_t end = start + SEG_MAX_SENTENCE_BYTES;

	if (last_space > start)
		return last_space;
	if (end >= c->len)
		return c->len;
	while (end > start + 1 && (c->buf[end] & 0xC0) == 0x80)
		end--;
	return end;
}

int seg_next(struct seg_cursor *c, struct seg_sentence *s)
{
	uint32_t i, start, end, run_end, last_space = 0, cp;
	int newlines = 0, at_line_start, bullet;

	while (c->pos < c->len) {
		size_t n = dec(c, c->pos, &cp);
		if (!utf8_is_space(cp))
			break;
		newlines += cp == '\n';
		c->pos += (uint32_t)n;
	}
	if (c->pos >= c->len)
		return 0;
	at_line_start = !c->started || newlines > 0;
	if (c->started && newlines > 0)
		c->paragraph++;
	s->para_start = at_line_start;
	s->paragraph = c->paragraph;
	start = i = c->pos;
	bullet = at_line_start && bullet_at(c, start);
	s->start = start;
	s->fragment = 1;
	c->started = 1;

	while (i < c->len) {
		size_t n = dec(c, i, &cp);

		if (cp == '\n') {
			uint32_t j = i + 1;
			while (j < c->len && c->buf[j] != '\n' && utf8_is_space(c->buf[j]))
				j++;
			if (j >= c->len || c->buf[j] == '\n' || bullet_at(c, j) ||
			    ((bullet || (at_line_start && i - start < HEADING_MAX_BYTES)) &&
			     line_starts_sentence(c, j))) {
				end = i;
				goto out;
			}
		} else if (is_terminal(cp)) {
			int ends = boundary(c, start, i, n, &end, &run_end);

			if (ends && end - start <= SEG_MAX_SENTENCE_BYTES) {
				s->fragment = 0;
				goto out;
			}
			if (ends || run_end - start > SEG_MAX_SENTENCE_BYTES) {
				end = cut_point(c, start, last_space);
				goto out;
			}
			i = run_end;
			continue;
		}
		if (utf8_is_space(cp))
			last_space = i;
		if (i + n - start > SEG_MAX_SENTENCE_BYTES) {
			end = cut_point(c, start, last_space);
			goto out;
		}
		i += (uint32_t)n;
	}
	end = c->len;
out:
	s->end = trim_end(c, start, end);
	c->pos = end > start ? end : start + 1;
	return 1;
}
