/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the keep/drop rule parser and matcher. The input is a
 * rule's text, a NUL, then the text every field of an article holds: a
 * parsed pattern lies inside the rule, a rule compiles as rules_check said,
 * and a matching drop rule always drops (words and expressions alike). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg.h"
#include "core/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cfg c;
static struct rules rs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	size_t rlen = nul ? (size_t)(nul - (const char *)data) : size;
	const char *text = nul ? nul + 1 : "";
	size_t tlen = nul ? size - rlen - 1 : 0;
	struct rules_spec spec;
	struct rules_item it;
	struct rules_verdict v;
	struct cfg_rule *r = &c.rules.r[0];
	char why[CFG_ERROR_BYTES];
	int checked;

	if (rlen >= sizeof(r->text))
		return 0;
	memcpy(r->text, data, rlen);
	r->text[rlen] = '\0';
	if (rules_parse(r->text, &spec, why, sizeof(why)) == 0 &&
	    (spec.pat < r->text || spec.pat + spec.pat_len > r->text + rlen || !spec.pat_len))
		abort();
	checked = rules_check(r->text, NULL, why, sizeof(why));
	for (unsigned drop = 0; drop < 2; drop++) {
		c.rules.n = 1;
		c.n_sources = 1;
		r->owner = (unsigned short)drop; /* [digest] keep, then source 0's drop */
		r->drop = drop != 0;
		if (rules_compile(&rs, &c) != checked)
			abort();
		if (checked < 0)
			return 0;
		for (unsigned f = 0; f < RULES_NFIELDS; f++) {
			it.text[f] = text;
			it.len[f] = tlen;
		}
		rules_decide(&rs, 0, &it, &v);
		/* A keep rule that let the article through matched it; the
		 * same rule as a drop rule must then drop it. */
		if (!drop && v.keep != (v.why == RULES_KEPT))
			abort();
		if (drop && v.keep == (v.why == RULES_DROPPED))
			abort();
		rules_free(&rs);
	}
	return 0;
}
