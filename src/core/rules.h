/* SPDX-License-Identifier: MIT */
/* Keep and drop rules ([digest] and [source NAME] keep = / drop =): a rule's
 * syntax, a configuration's rules compiled once, and the verdict on one
 * article. Parsing never allocates; regcomp does, at load only. */
#ifndef DIGESTD_RULES_H
#define DIGESTD_RULES_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/cfg.h"
#include "core/limits.h"

/* What a rule looks at. RULES_ANY: title, summary, author and category. */
enum rules_field {
	RULES_TITLE, RULES_SUMMARY, RULES_AUTHOR, RULES_CATEGORY, RULES_URL, RULES_ANY
};
#define RULES_NFIELDS RULES_ANY /* the fields an article gives */

/* A rule's text parsed: "FIELD: words" (whole words, case-insensitive, in
 * this order) or "FIELD ~ ERE" (a POSIX extended regular expression,
 * case-insensitive). pat points into the text given to rules_parse. */
struct rules_spec {
	enum rules_field field;
	bool regex;
	const char *pat;
	size_t pat_len;
	unsigned long cost; /* an expression's automaton bound (RULES_RE_COST); 0 for words */
};

/* Parses text (NUL-terminated). Returns 0, or -EINVAL with why saying what
 * is wrong. Does not compile the expression: rules_check does. Never
 * allocates. */
int rules_parse(const char *text, struct rules_spec *out, char *why, size_t whysz);

/* rules_parse, and for an expression regcomp then regfree, so that a bad
 * pattern is a config error at load. Returns 0 or -EINVAL with why; *cost
 * (may be NULL) gets the rule's share of RULES_RE_COST. */
int rules_check(const char *text, unsigned long *cost, char *why, size_t whysz);

/* One compiled rule: where it lives in the cfg (c->rules.r[cfg_idx]) and
 * its words (offsets into the rule's text) or its expression. */
struct rules_rule {
	struct rules_spec spec;
	unsigned cfg_idx;
	unsigned nwords;
	unsigned short word_off[RULES_MAX_WORDS], word_len[RULES_MAX_WORDS];
	bool compiled; /* re holds a compiled expression: regfree it */
	regex_t re;
};

/* A configuration's rules; c must outlive it (the words point into it).
 * RAM: CFG_MAX_RULES x 168 bytes here (42 KiB), plus what regcomp allocates
 * for each expression (a few KiB for a typical one; patterns are at most
 * CFG_RULE_BYTES). */
struct rules {
	const struct cfg *cfg;
	unsigned n;
	struct rules_rule r[CFG_MAX_RULES];
};

/* Compiles every rule of c into rs. Returns 0, or -EINVAL (logged; cannot
 * happen for a cfg that cfg_load accepted) with rs empty. Allocates inside
 * regcomp: call at start-up or on a reload; rules_free before the next. */
int rules_compile(struct rules *rs, const struct cfg *c);
void rules_free(struct rules *rs);

/* An article as the rules see it: each field's text and length, "" when
 * unknown. Summary: the key sentences, one a line; category: one a line.
 * Only the first RULES_MATCH_BYTES of each field are looked at. */
struct rules_item {
	const char *text[RULES_NFIELDS];
	size_t len[RULES_NFIELDS];
};

enum rules_why {
	RULES_NO_RULE,  /* kept: no rule applies to its source */
	RULES_KEPT,     /* kept: rule matched (a keep rule) */
	RULES_DROPPED,  /* dropped: rule matched (a drop rule) */
	RULES_UNMATCHED /* dropped: owner has keep rules and none matched */
};

struct rules_verdict {
	bool keep;
	enum rules_why why;
	int rule;       /* index into cfg->rules.r, -1 when none */
	unsigned owner; /* RULES_UNMATCHED: whose keep rules (0 [digest], 1 + source) */
};

/* The verdict on an article of source number src (in rs's cfg): dropped
 * when any drop rule of [digest] or of the source matches (exclude wins,
 * [digest]'s rules first, each in file order); else dropped when [digest]
 * has keep rules and none matches, or the source has keep rules and none
 * matches; else kept (rule: the source's first matching keep rule, else
 * [digest]'s). Pure; never allocates. */
void rules_decide(const struct rules *rs, unsigned src, const struct rules_item *it,
		  struct rules_verdict *v);

/* Writes what decided, for logs and filter-test: "drop = title: ad
 * ([source bbc])", "no keep rule of [digest] matched", "no rule". */
void rules_describe(const struct cfg *c, const struct rules_verdict *v, char *out, size_t size);

/* "[digest]" or "[source NAME]" for an owner number. */
void rules_owner_label(const struct cfg *c, unsigned owner, char *out, size_t size);

#endif
