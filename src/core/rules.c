/* SPDX-License-Identifier: MIT */
/* Keep and drop rules: the "FIELD: words" / "FIELD ~ ERE" syntax, compiling
 * a configuration's rules with regcomp once, and matching an article's
 * fields against them with bounded input. docs/rules.md says the same. */
#include "rules.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

static const char *const field_names[] = { "title", "summary", "author", "category", "url",
					   "any" };

/* A word character: an ASCII letter or digit, or any byte of a non-ASCII
 * UTF-8 character (so that accented words stay whole). */
static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* a x b and a + b, saturating past RULES_RE_COST (no overflow). */
static unsigned long cost_mul(unsigned long a, unsigned long b)
{
	return a > RULES_RE_COST / b ? RULES_RE_COST + 1 : a * b;
}

static unsigned long cost_add(unsigned long a, unsigned long b)
{
	return a + b > RULES_RE_COST ? RULES_RE_COST + 1 : a + b;
}

/* The end of the bracket expression that starts at p ('['), or end. */
static const char *bracket_end(const char *p, const char *end)
{
	p++;
	if (p < end && *p == '^')
		p++;
	if (p < end && *p == ']')
		p++;
	while (p < end && *p != ']') {
		/* [:alpha:], [=e=], [.-.] hold a ']' of their own */
		if (*p == '[' && p + 1 < end && strchr(":=.", p[1])) {
			const char *q = p + 2;

			while (q + 1 < end && !(q[0] == p[1] && q[1] == ']'))
				q++;
			p = q + 1 < end ? q + 2 : end;
			continue;
		}
		p++;
	}
	return p < end ? p + 1 : end;
}

/* regcomp's error codes in glibc's words, so that a bad expression is
 * explained alike by every build (musl words them differently); NULL for a
 * code POSIX does not name, which regerror then explains. */
static const char *re_error(int code)
{
	static const struct {
		int code;
		const char *text;
	} texts[] = {
		{ REG_BADPAT, "Invalid regular expression" },
		{ REG_ECOLLATE, "Invalid collation character" },
		{ REG_ECTYPE, "Invalid character class name" },
		{ REG_EESCAPE, "Trailing backslash" },
		{ REG_ESUBREG, "Invalid back reference" },
		{ REG_EBRACK, "Unmatched [, [^, [:, [., or [=" },
		{ REG_EPAREN, "Unmatched ( or \\(" },
		{ REG_EBRACE, "Unmatched \\{" },
		{ REG_BADBR, "Invalid content of \\{\\}" },
		{ REG_ERANGE, "Invalid range end" },
		{ REG_ESPACE, "Memory exhausted" },
		{ REG_BADRPT, "Invalid preceding regular expression" },
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].code == code)
			return texts[i].text;
	return NULL;
}

/* A bound on the size of the automaton glibc's regcomp builds from the ERE
 * p[0..end): it copies a repeated part once per repetition ({m,n}, and a+
 * as aa*), so "x+++...+" or "((a{99}){99}){99}" would take gigabytes. Each
 * literal, class or '.' counts 1, a group its content plus 1, and a
 * quantifier multiplies what it repeats (by 2 for * + ?, by n + 1 for
 * {m,n}). Returns the bound, or RULES_RE_COST + 1 when past it or when
 * *refused names a form refused whatever its cost. */
enum re_refusal { RE_TOO_BIG, RE_STACKED, RE_COUNT_PAST_MAX, RE_COUNT_NO_MIN };

static unsigned long re_cost(const char *p, const char *end, enum re_refusal *refused)
{
	unsigned long sum[RULES_RE_DEPTH + 1], last[RULES_RE_DEPTH + 1];
	unsigned depth = 0;
	bool quantified = false;

	sum[0] = last[0] = 0;
	*refused = RE_TOO_BIG;
	while (p < end) {
		unsigned long atom = 1, times = 0;
		char c = *p++;

		if (c == '\\') {
			p += p < end;
		} else if (c == '[') {
			p = bracket_end(p - 1, end);
		} else if (c == '(') {
			if (depth == RULES_RE_DEPTH)
				return RULES_RE_COST + 1;
			depth++;
			sum[depth] = last[depth] = 0;
			continue;
		} else if (c == ')' && depth > 0) {
			atom = cost_add(sum[depth--], 1);
		} else if (c == '|') {
			last[depth] = 0;
			continue;
		} else if (c == '*' || c == '+' || c == '?') {
			times = 2;
		} else if (c == '{' && p < end && ((*p >= '0' && *p <= '9') || *p == ',')) {
			unsigned long n = 0;

			/* glibc takes "{,n}" as "{0,n}", musl refuses it: refused on
			 * every build, so a rule loads on all or on none. */
			if (*p == ',') {
				*refused = RE_COUNT_NO_MIN;
				return RULES_RE_COST + 1;
			}
			while (p < end && ((*p >= '0' && *p <= '9') || *p == ',')) {
				n = *p == ',' ? 0 : cost_add(cost_mul(n, 10), (unsigned long)(*p - '0'));
				times = n > times ? n : times;
				p++;
			}
			/* Past POSIX's RE_DUP_MAX glibc compiles a count that
			 * musl refuses: one limit, so a rule loads on every build. */
			if (times > RULES_RE_DUP_MAX) {
				*refused = RE_COUNT_PAST_MAX;
				return RULES_RE_COST + 1;
			}
			p += p < end && *p == '}';
			times = cost_add(times, 1);
		}
		/* POSIX leaves "a++" or "a*{2}" undefined, and glibc takes
		 * exponential time over a few of them in a row. */
		if (times && quantified) {
			*refused = RE_STACKED;
			return RULES_RE_COST + 1;
		}
		quantified = times != 0;
		if (times) {
			unsigned long rep = cost_mul(last[depth] ? last[depth] : 1, times);

			sum[depth] = cost_add(sum[depth] - last[depth], rep);
			last[depth] = rep;
		} else {
			sum[depth] = cost_add(sum[depth], atom);
			last[depth] = atom;
		}
		if (sum[depth] > RULES_RE_COST)
			return RULES_RE_COST + 1;
	}
	return sum[0];
}

int rules_parse(const char *text, struct rules_spec *out, char *why, size_t whysz)
{
	const char *p = text, *name, *end;
	size_t nlen;
	bool words = false;
	enum re_refusal refused;
	int field = -1;

	while (blank(*p))
		p++;
	name = p;
	while ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')
		p++;
	nlen = (size_t)(p - name);
	for (int i = 0; i <= RULES_ANY; i++)
		if (nlen == strlen(field_names[i]) && strncasecmp(name, field_names[i], nlen) == 0)
			field = i;
	if (field < 0) {
		snprintf(why, whysz, "expected FIELD: words or FIELD ~ regex, FIELD being title, "
				     "summary, author, category, url or any");
		return -EINVAL;
	}
	out->field = (enum rules_field)field;
	while (blank(*p))
		p++;
	if (*p != ':' && *p != '~') {
		snprintf(why, whysz, "expected ':' (words) or '~' (a regular expression) after "
				     "'%s'", field_names[out->field]);
		return -EINVAL;
	}
	out->regex = *p++ == '~';
	while (blank(*p))
		p++;
	end = p + strlen(p);
	while (end > p && blank(end[-1]))
		end--;
	out->pat = p;
	out->pat_len = (size_t)(end - p);
	for (const char *s = p; s < end; s++) {
		if ((unsigned char)*s < 0x20 && *s != '\t') {
			snprintf(why, whysz, "control characters are not allowed in a rule");
			return -EINVAL;
		}
		words = words || word_byte((unsigned char)*s);
		/* glibc's ERE accepts back-references (\1), the one construct
		 * whose matching can take exponential time: refused. */
		if (out->regex && *s == '\\' && s + 1 < end && s[1] >= '1' && s[1] <= '9') {
			snprintf(why, whysz, "back-references (\\%c) are not allowed", s[1]);
			return -EINVAL;
		}
	}
	out->cost = out->regex ? re_cost(p, end, &refused) : 0;
	if (out->cost > RULES_RE_COST) {
		if (refused == RE_COUNT_PAST_MAX)
			snprintf(why, whysz, "a repetition count past %u is not allowed "
					     "(POSIX's RE_DUP_MAX)", RULES_RE_DUP_MAX);
		else if (refused == RE_COUNT_NO_MIN)
			snprintf(why, whysz, "a repetition '{,n}' needs its least count: "
					     "write '{0,n}'");
		else if (refused == RE_STACKED)
			snprintf(why, whysz, "two repetitions in a row (such as ++ or *{2}) are "
					     "not allowed: POSIX leaves them undefined");
		else
			snprintf(why, whysz, "the regular expression repeats too much (its "
					     "automaton would pass %u parts, or groups nest deeper "
					     "than %u)", RULES_RE_COST, RULES_RE_DEPTH);
		return -EINVAL;
	}
	if (out->pat_len == 0 || (!out->regex && !words)) {
		snprintf(why, whysz, out->regex ? "the regular expression is empty"
						: "no word to match after ':'");
		return -EINVAL;
	}
	return 0;
}

/* The words of a "FIELD: words" rule, as offsets into its text. */
static int split_words(struct rules_rule *r, const char *text, char *why, size_t whysz)
{
	const char *p = r->spec.pat, *end = p + r->spec.pat_len;

	r->nwords = 0;
	while (p < end) {
		const char *w;

		while (p < end && !word_byte((unsigned char)*p))
			p++;
		if (p == end)
			break;
		w = p;
		while (p < end && word_byte((unsigned char)*p))
			p++;
		if (r->nwords == RULES_MAX_WORDS) {
			snprintf(why, whysz, "at most %u words in a rule", RULES_MAX_WORDS);
			return -EINVAL;
		}
		r->word_off[r->nwords] = (unsigned short)(w - text);
		r->word_len[r->nwords++] = (unsigned short)(p - w);
	}
	return 0;
}

/* The expression as a NUL-terminated string (the pattern is the end of the
 * rule's text, maybe with trailing blanks). */
static int compile_re(struct rules_rule *r, char *why, size_t whysz)
{
	char pat[CFG_RULE_BYTES];
	int rc;

	if (r->spec.pat_len >= sizeof(pat)) {
		snprintf(why, whysz, "the regular expression is longer than %zu bytes",
			 sizeof(pat) - 1);
		return -EINVAL;
	}
	memcpy(pat, r->spec.pat, r->spec.pat_len);
	pat[r->spec.pat_len] = '\0';
	/* REG_NEWLINE: the summary's sentences and the categories are lines,
	 * so ^ and $ anchor at each one. */
	rc = regcomp(&r->re, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB | REG_NEWLINE);
	if (rc != 0) {
		char msg[128];
		const char *text = re_error(rc);

		if (!text) {
			regerror(rc, &r->re, msg, sizeof(msg));
			text = msg;
		}
		snprintf(why, whysz, "bad regular expression: %s", text);
		return -EINVAL;
	}
	r->compiled = true;
	return 0;
}

static int rule_build(struct rules_rule *r, const char *text, char *why, size_t whysz)
{
	int rc;

	r->compiled = false;
	rc = rules_parse(text, &r->spec, why, whysz);
	if (rc == 0)
		rc = r->spec.regex ? compile_re(r, why, whysz) : split_words(r, text, why, whysz);
	return rc;
}

int rules_check(const char *text, unsigned long *cost, char *why, size_t whysz)
{
	struct rules_rule r;
	int rc = rule_build(&r, text, why, whysz);

	if (r.compiled)
		regfree(&r.re);
	if (cost)
		*cost = rc == 0 ? r.spec.cost : 0;
	return rc;
}

void rules_free(struct rules *rs)
{
	for (unsigned i = 0; i < rs->n; i++)
		if (rs->r[i].compiled)
			regfree(&rs->r[i].re);
	rs->n = 0;
}

int rules_compile(struct rules *rs, const struct cfg *c)
{
	char why[CFG_ERROR_BYTES];

	rs->cfg = c;
	rs->n = 0;
	for (unsigned i = 0; i < c->rules.n; i++) {
		struct rules_rule *r = &rs->r[rs->n];

		if (rule_build(r, c->rules.r[i].text, why, sizeof(why)) < 0) {
			log_errx("rule '%s': %s", c->rules.r[i].text, why);
			rules_free(rs);
			return -EINVAL;
		}
		r->cfg_idx = i;
		rs->n++;
	}
	return 0;
}

/* The next word of p[0..end): *w and *wl, and whether a line break came
 * before it (*nl). Returns false at the end. */
static bool next_word(const char **p, const char *end, const char **w, size_t *wl, bool *nl)
{
	const char *s = *p;

	*nl = false;
	while (s < end && !word_byte((unsigned char)*s)) {
		*nl = *nl || *s == '\n';
		s++;
	}
	if (s == end)
		return false;
	*w = s;
	while (s < end && word_byte((unsigned char)*s))
		s++;
	*wl = (size_t)(s - *w);
	*p = s;
	return true;
}

static bool same_word(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
			return false;
	return true;
}

/* The rule's words, in order and next to each other within one line, from
 * some word of s on. O(words in s x words in the rule). */
static bool match_words(const struct rules_rule *r, const char *rtext, const char *s,
			size_t len)
{
	const char *end = s + len, *p = s, *w;
	size_t wl;
	bool nl;

	while (next_word(&p, end, &w, &wl, &nl)) {
		const char *q = p;
		unsigned k = 0;

		if (wl != r->word_len[0] || !same_word(w, rtext + r->word_off[0], wl))
			continue;
		for (k = 1; k < r->nwords; k++) {
			const char *w2;
			size_t wl2;

			if (!next_word(&q, end, &w2, &wl2, &nl) || nl || wl2 != r->word_len[k] ||
			    !same_word(w2, rtext + r->word_off[k], wl2))
				break;
		}
		if (k == r->nwords)
			return true;
	}
	return false;
}

/* regexec on the first RULES_MATCH_BYTES of s (cut at a character
 * boundary), copied to be NUL-terminated: a hostile feed's 128 KiB of text
 * never reaches the matcher whole. */
static bool match_re(const struct rules_rule *r, const char *s, size_t len)
{
	char buf[RULES_MATCH_BYTES + 1];

	if (len > RULES_MATCH_BYTES) {
		len = RULES_MATCH_BYTES;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return regexec(&r->re, buf, 0, NULL, 0) == 0;
}

static bool match_field(const struct rules *rs, const struct rules_rule *r,
			const struct rules_item *it, enum rules_field f)
{
	const char *s = it->text[f] ? it->text[f] : "";
	size_t len = it->text[f] ? it->len[f] : 0;

	if (len > RULES_MATCH_BYTES)
		len = RULES_MATCH_BYTES;
	if (r->spec.regex)
		return match_re(r, s, len);
	return match_words(r, rs->cfg->rules.r[r->cfg_idx].text, s, len);
}

static bool rule_matches(const struct rules *rs, const struct rules_rule *r,
			 const struct rules_item *it)
{
	if (r->spec.field != RULES_ANY)
		return match_field(rs, r, it, r->spec.field);
	for (unsigned f = RULES_TITLE; f <= RULES_CATEGORY; f++)
		if (match_field(rs, r, it, (enum rules_field)f))
			return true;
	return false;
}

/* The first rule of owner whose kind is drop (or keep) that matches: its
 * index in rs, or -1; *any says whether owner has rules of that kind. */
static int first_match(const struct rules *rs, unsigned owner, bool drop,
		       const struct rules_item *it, bool *any)
{
	*any = false;
	for (unsigned i = 0; i < rs->n; i++) {
		const struct cfg_rule *cr = &rs->cfg->rules.r[rs->r[i].cfg_idx];

		if (cr->owner != owner || cr->drop != drop)
			continue;
		*any = true;
		if (rule_matches(rs, &rs->r[i], it))
			return (int)i;
	}
	return -1;
}

void rules_decide(const struct rules *rs, unsigned src, const struct rules_item *it,
		  struct rules_verdict *v)
{
	const unsigned owners[2] = { 0, 1 + src };
	int kept = -1, m;
	bool any;

	v->keep = true;
	v->why = RULES_NO_RULE;
	v->rule = -1;
	v->owner = 0;
	for (unsigned o = 0; o < 2; o++) {
		m = first_match(rs, owners[o], true, it, &any);
		if (m >= 0) {
			v->keep = false;
			v->why = RULES_DROPPED;
			v->rule = (int)rs->r[m].cfg_idx;
			return;
		}
	}
	for (unsigned o = 0; o < 2; o++) {
		m = first_match(rs, owners[o], false, it, &any);
		if (any && m < 0) {
			v->keep = false;
			v->why = RULES_UNMATCHED;
			v->owner = owners[o];
			return;
		}
		if (m >= 0)
			kept = (int)rs->r[m].cfg_idx;
	}
	if (kept >= 0) {
		v->why = RULES_KEPT;
		v->rule = kept;
	}
}

void rules_owner_label(const struct cfg *c, unsigned owner, char *out, size_t size)
{
	if (owner == 0 || owner > c->n_sources)
		snprintf(out, size, "[digest]");
	else
		snprintf(out, size, "[source %s]", c->sources[owner - 1].name);
}

void rules_describe(const struct cfg *c, const struct rules_verdict *v, char *out, size_t size)
{
	char who[CFG_SOURCE_NAME_BYTES + 16];

	switch (v->why) {
	case RULES_KEPT:
	case RULES_DROPPED: {
		const struct cfg_rule *r = &c->rules.r[v->rule];

		rules_owner_label(c, r->owner, who, sizeof(who));
		snprintf(out, size, "%s = %s (%s)", r->drop ? "drop" : "keep", r->text, who);
		break;
	}
	case RULES_UNMATCHED:
		rules_owner_label(c, v->owner, who, sizeof(who));
		snprintf(out, size, "no keep rule of %s matched", who);
		break;
	case RULES_NO_RULE:
	default:
		snprintf(out, size, "no rule");
		break;
	}
}
