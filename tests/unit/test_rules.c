/* SPDX-License-Identifier: MIT */
/* Keep and drop rules: the syntax and its refusals, words and expressions
 * matched case-insensitively on each field, the order of the verdict (drop
 * wins, [digest] and the source both apply), the cfg's lines and dump. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/cfg.h"
#include "core/rules.h"

static struct cfg c;
static struct cfg_error err;
static struct rules rs;
static char buf[64 * 1024];

static int load(const char *ini)
{
	return cfg_load_buffer(ini, strlen(ini), "t.ini", "/etc/digestd", 0, &c, &err);
}

static void item_set(struct rules_item *it, const char *title, const char *summary,
		     const char *author, const char *category, const char *url)
{
	const char *v[RULES_NFIELDS] = { title, summary, author, category, url };

	for (unsigned f = 0; f < RULES_NFIELDS; f++) {
		it->text[f] = v[f];
		it->len[f] = strlen(v[f]);
	}
}

/* Loads "[source a]\nurl = /tmp\n" + src_rules + "[digest]\n" + dg_rules and
 * compiles it. */
static void setup(const char *src_rules, const char *dg_rules)
{
	snprintf(buf, sizeof(buf), "[source a]\nurl = /tmp\n%s[source b]\nurl = /tmp\n"
				   "[digest]\n%s", src_rules, dg_rules);
	rules_free(&rs);
	CHECK_INT(load(buf), 0);
	CHECK_INT(rules_compile(&rs, &c), 0);
}

/* The verdict on an article of source src, described. */
static const char *decide(unsigned src, const struct rules_item *it, bool *keep)
{
	static char out[512];
	struct rules_verdict v;

	rules_decide(&rs, src, it, &v);
	*keep = v.keep;
	rules_describe(&c, &v, out, sizeof(out));
	return out;
}

static void syntax(void)
{
	struct rules_spec s;
	char why[256];

	CHECK_INT(rules_parse("title: Climate change", &s, why, sizeof(why)), 0);
	CHECK_INT(s.field, RULES_TITLE);
	CHECK(!s.regex);
	CHECK_INT(s.pat_len, 14);
	CHECK_INT(rules_parse("  URL~^https://x/  ", &s, why, sizeof(why)), 0);
	CHECK_INT(s.field, RULES_URL);
	CHECK(s.regex);
	CHECK_INT(s.pat_len, 11);
	CHECK_INT(rules_parse("any:x", &s, why, sizeof(why)), 0);
	CHECK_INT(s.field, RULES_ANY);
	CHECK_INT(rules_parse("category ~ a|b", &s, why, sizeof(why)), 0);
	CHECK_INT(rules_parse("author: Jane Doe", &s, why, sizeof(why)), 0);
	CHECK_INT(rules_parse("summary: x", &s, why, sizeof(why)), 0);
	CHECK_INT(rules_parse("body: x", &s, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "title, summary, author, category, url or any") != NULL);
	CHECK_INT(rules_parse("climate", &s, why, sizeof(why)), -EINVAL);
	CHECK_INT(rules_parse("title = x", &s, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "expected ':'") != NULL);
	CHECK_INT(rules_parse("title:", &s, why, sizeof(why)), -EINVAL);
	CHECK_INT(rules_parse("title: ...", &s, why, sizeof(why)), -EINVAL);
	CHECK_INT(rules_parse("title ~ ", &s, why, sizeof(why)), -EINVAL);
	CHECK_INT(rules_parse("", &s, why, sizeof(why)), -EINVAL);
	CHECK_INT(rules_parse("title ~ (a)\\1", &s, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "back-references") != NULL);
	CHECK_INT(rules_check("title ~ (", NULL, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "bad regular expression") != NULL);
	CHECK_INT(rules_check("title ~ [[:alpha:]]+", NULL, why, sizeof(why)), 0);
	/* Repetitions that would make regcomp's automaton huge are refused
	 * (found by fuzz_rules: "x++++...", gigabytes). */
	CHECK_INT(rules_check("url ~ ^https?://([a-z0-9-]+\\.)+[a-z]{2,12}/(a|b)*$", NULL, why,
			      sizeof(why)), 0);
	CHECK_INT(rules_check("title ~ x++++++++++++++++++++++++++++++++", NULL, why, sizeof(why)),
		  -EINVAL);
	CHECK(strstr(why, "two repetitions in a row") != NULL);
	CHECK_INT(rules_check("title ~ ^/+++?++++++i/2", NULL, why, sizeof(why)), -EINVAL);
	CHECK_INT(rules_check("title ~ a*{2}", NULL, why, sizeof(why)), -EINVAL);
	CHECK_INT(rules_check("title ~ ((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)", NULL, why, sizeof(why)),
		  -EINVAL);
	CHECK(strstr(why, "repeats too much") != NULL);
	CHECK_INT(rules_check("title ~ a\\++[+]+", NULL, why, sizeof(why)), 0);
	CHECK_INT(rules_check("title ~ ((a{99}){99}){99}", NULL, why, sizeof(why)), -EINVAL);
	CHECK_INT(rules_check("title ~ [x{]{99}", NULL, why, sizeof(why)), 0);
	{
		unsigned long cost;

		CHECK_INT(rules_check("title ~ ^sport$", &cost, why, sizeof(why)), 0);
		CHECK_INT(cost, 7);
		CHECK_INT(rules_check("title: sport", &cost, why, sizeof(why)), 0);
		CHECK_INT(cost, 0);
		/* (255 + 1) x 8: the most one expression may be. */
		CHECK_INT(rules_check("title ~ (a{254}){7}", &cost, why, sizeof(why)), 0);
		CHECK_INT(cost, RULES_RE_COST);
		CHECK_INT(rules_check("title ~ (a{255}){7}", &cost, why, sizeof(why)), -EINVAL);
		CHECK(strstr(why, "repeats too much") != NULL);
		/* Counts past POSIX's RE_DUP_MAX: glibc would compile them,
		 * musl not; refused on both. */
		CHECK_INT(rules_check("title ~ a{255}", &cost, why, sizeof(why)), 0);
		CHECK_INT(cost, 256);
		CHECK_INT(rules_check("title ~ a{256}", &cost, why, sizeof(why)), -EINVAL);
		CHECK_STR(why, "a repetition count past 255 is not allowed (POSIX's RE_DUP_MAX)");
		CHECK_INT(rules_check("title ~ a{2,300}", NULL, why, sizeof(why)), -EINVAL);
		/* "{,n}", glibc's "{0,n}" and an error for musl, is refused on
		 * every build (fuzz_rules found "{,12322}" taking over a
		 * gigabyte in glibc's regcomp). */
		CHECK_INT(rules_check("title ~ a{,3}", NULL, why, sizeof(why)), -EINVAL);
		CHECK_STR(why, "a repetition '{,n}' needs its least count: write '{0,n}'");
		CHECK_INT(rules_check("title ~ a{,300}", NULL, why, sizeof(why)), -EINVAL);
		CHECK_INT(rules_check("title ~ (a{0,254}){7}", NULL, why, sizeof(why)), 0);
		CHECK_INT(rules_check("title ~ (b{0,255}){7}", NULL, why, sizeof(why)), -EINVAL);
		CHECK_INT(rules_check("title ~ [a{]{300}", NULL, why, sizeof(why)), -EINVAL);
	}
	{
		char deep[2 * RULES_RE_DEPTH + 16] = "title ~ ";
		size_t n = strlen(deep);

		for (unsigned i = 0; i <= RULES_RE_DEPTH; i++)
			deep[n++] = '(';
		deep[n++] = 'a';
		for (unsigned i = 0; i <= RULES_RE_DEPTH; i++)
			deep[n++] = ')';
		deep[n] = '\0';
		CHECK_INT(rules_check(deep, NULL, why, sizeof(why)), -EINVAL);
		/* one level less */
		memmove(deep + 8, deep + 9, strlen(deep + 9));
		deep[strlen(deep) - 1] = '\0';
		CHECK_INT(rules_check(deep, NULL, why, sizeof(why)), 0);
	}
	CHECK_INT(rules_check("title: a b c d e f g h i j k l m n o p q", NULL, why, sizeof(why)),
		  -EINVAL);
	CHECK(strstr(why, "at most 16 words") != NULL);
}

/* One article's fields, the verdict wanted, and what decided ("" for any). */
struct want {
	const char *title, *summary, *author, *category, *url;
	bool keep;
	const char *by;
};

static void expect(const struct want *w, size_t n)
{
	struct rules_item it;
	bool keep;

	for (size_t i = 0; i < n; i++) {
		const char *by;

		item_set(&it, w[i].title, w[i].summary, w[i].author, w[i].category, w[i].url);
		by = decide(0, &it, &keep);
		if (keep != w[i].keep)
			printf("  case %zu (%s): keep is %d\n", i, w[i].title, keep);
		CHECK(keep == w[i].keep);
		if (*w[i].by)
			CHECK_STR(by, w[i].by);
	}
}

static void words(void)
{
	static const struct want title[] = {
		{ "CLIMATE Change: what now", "", "", "", "", false,
		  "drop = title: climate change ([digest])" },
		/* Whole words in order; punctuation between them is no matter. */
		{ "Climate-change talks", "", "", "", "", false, "" },
		{ "Climatechange", "", "", "", "", true, "" },
		{ "Change of climate", "", "", "", "", true, "" },
		{ "Climate changes", "", "", "", "", true, "no rule" },
		/* Other fields are not the title's. */
		{ "Talks", "Climate change again.", "", "", "", true, "" },
		{ "x", "", "Pat O'Brien", "", "", false, "drop = author: o'brien ([digest])" },
	};
	static const struct want lines[] = {
		/* A phrase never spans two lines (sentences, categories). */
		{ "t", "Then markets\nfell.", "", "", "", true, "" },
		{ "t", "Then the markets fell.\nMore.", "", "", "", false, "" },
		/* Non-ASCII letters belong to words; only ASCII case is folded. */
		{ "t", "", "", "Café\nnews", "", false, "drop = any: café ([digest])" },
		{ "Cafés", "", "", "", "", true, "" },
		/* any: not the URL. */
		{ "t", "", "", "", "https://x/café", true, "" },
	};

	setup("", "drop = title: climate change\ndrop = author: o'brien\n");
	expect(title, sizeof(title) / sizeof(title[0]));
	setup("", "drop = summary: markets fell\ndrop = any: café\n");
	expect(lines, sizeof(lines) / sizeof(lines[0]));
}

static void expressions(void)
{
	static const struct want w[] = {
		{ "t", "", "", "", "HTTPS://news.example/VIDEO/1", false,
		  "drop = url ~ ^https?://[^/]+/video/ ([digest])" },
		{ "t", "", "", "", "https://news.example/world/video/1", true, "" },
		/* ^ and $ hold at each category. */
		{ "t", "", "", "World\nSport\nEurope", "", false, "" },
		{ "t", "", "", "Motorsport", "", true, "" },
	};

	setup("", "drop = url ~ ^https?://[^/]+/video/\ndrop = category ~ ^sport$\n");
	expect(w, sizeof(w) / sizeof(w[0]));
}

/* A field is matched on its first RULES_MATCH_BYTES only. */
static void bounded(void)
{
	struct rules_item it;
	static char big[RULES_MATCH_BYTES + 64];
	bool keep;

	memset(big, 'a', sizeof(big) - 1);
	memcpy(big + RULES_MATCH_BYTES - 10, " needle ", 8);
	setup("", "drop = summary ~ needle\ndrop = summary: haystack\n");
	item_set(&it, "t", big, "", "", "");
	decide(0, &it, &keep);
	CHECK(!keep);
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big + RULES_MATCH_BYTES + 10, " needle haystack ", 17);
	item_set(&it, "t", big, "", "", "");
	decide(0, &it, &keep);
	CHECK(keep);
}

static void order(void)
{
	struct rules_item it;
	bool keep;

	setup("keep = category: science\ndrop = title: opinion\n",
	      "keep = any: climate\nkeep = any: energy\ndrop = author: bot\n");
	/* Both levels' keep rules must match. */
	item_set(&it, "Climate report", "", "", "Science", "");
	CHECK_STR(decide(0, &it, &keep), "keep = category: science ([source a])");
	CHECK(keep);
	item_set(&it, "Energy prices", "", "", "Business", "");
	CHECK_STR(decide(0, &it, &keep), "no keep rule of [source a] matched");
	CHECK(!keep);
	item_set(&it, "Sports", "", "", "Science", "");
	CHECK_STR(decide(0, &it, &keep), "no keep rule of [digest] matched");
	CHECK(!keep);
	/* Source b has no rules of its own: [digest]'s alone. */
	item_set(&it, "Energy prices", "", "", "Business", "");
	CHECK_STR(decide(1, &it, &keep), "keep = any: energy ([digest])");
	CHECK(keep);
	/* Drop wins over any keep, [digest]'s drops first. */
	item_set(&it, "Climate opinion", "", "a bot", "Science", "");
	CHECK_STR(decide(0, &it, &keep), "drop = author: bot ([digest])");
	CHECK(!keep);
	item_set(&it, "Climate opinion", "", "", "Science", "");
	CHECK_STR(decide(0, &it, &keep), "drop = title: opinion ([source a])");
	CHECK(!keep);
	/* NULL fields read as empty. */
	memset(&it, 0, sizeof(it));
	CHECK_STR(decide(1, &it, &keep), "no keep rule of [digest] matched");
}

static void config(void)
{
	char *p = buf;

	CHECK_INT(load("[source a]\nurl = /tmp\nkeep = title: x\nkeep = title ~ (\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK_STR(err.msg[0], "t.ini:4: [source a] keep = 'title ~ (': bad regular expression: "
			      "Unmatched ( or \\(");
	CHECK_INT(load("[digest]\ndrop = colour: red\n"), -EINVAL);
	CHECK(strncmp(err.msg[0], "t.ini:2: [digest] drop = 'colour: red': expected FIELD", 54) ==
	      0);
	/* One budget for all the expressions' automata. */
	CHECK_INT(load("[source a]\nurl = /tmp\ndrop = title ~ (a{200}){5}\n[digest]\n"
		       "keep = title: a\ndrop = url ~ (b{200}){5}\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK_STR(err.msg[0], "t.ini:6: [digest] drop = 'url ~ (b{200}){5}': the regular expressions "
			      "of all keep and drop rules together would pass 2048 parts "
			      "(docs/rules.md)");
	/* The cap on all rules together. */
	p += snprintf(p, sizeof(buf), "[digest]\n");
	for (unsigned i = 0; i <= CFG_MAX_RULES; i++)
		p += snprintf(p, sizeof(buf) - (size_t)(p - buf), "drop = title: w%u\n", i);
	CHECK_INT(load(buf), -EINVAL);
	CHECK_INT(err.n, 1);
	snprintf(buf, sizeof(buf), "t.ini:%u: [digest] drop: at most %u keep and drop rules in all",
		 CFG_MAX_RULES + 2, CFG_MAX_RULES);
	CHECK_STR(err.msg[0], buf);
	/* Owners, kinds and counts; the dump loads back to the same rules. */
	CHECK_INT(load("[source a]\nurl = /tmp\ndrop = url ~ x\n[source b]\nurl = /tmp\n"
		       "keep = title: y\n[digest]\nkeep = any: z\n"), 0);
	CHECK_INT(c.rules.n, 3);
	CHECK_INT(c.rules.r[0].owner, 1);
	CHECK(c.rules.r[0].drop);
	CHECK_INT(c.rules.r[1].owner, 2);
	CHECK(!c.rules.r[1].drop);
	CHECK_INT(c.rules.r[2].owner, 0);
	CHECK_INT(c.sources[0].drop, 1);
	CHECK_INT(c.sources[0].keep, 0);
	CHECK_INT(c.digest.keep, 1);
	{
		FILE *f = fmemopen(buf, sizeof(buf), "w");
		struct cfg before = c;

		cfg_dump(&c, f);
		fclose(f);
		CHECK(strstr(buf, "[source a]\n") && strstr(buf, "drop = url ~ x\n"));
		CHECK_INT(load(buf), 0);
		CHECK_INT(c.rules.n, before.rules.n);
		CHECK(memcmp(&c.rules, &before.rules, sizeof(c.rules)) == 0);
	}
}

int main(void)
{
	RUN(syntax);
	RUN(words);
	RUN(expressions);
	RUN(bounded);
	RUN(order);
	RUN(config);
	rules_free(&rs);
	return CHECK_EXIT();
}
