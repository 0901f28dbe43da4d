/* SPDX-License-Identifier: MIT */
/* Unit tests for src/digest/message: each kind's parts decoded and checked
 * (schema, limits, escaping) with hostile titles and URLs, invalid UTF-8,
 * 5,000-character titles and 500 articles; the split (every article in one
 * part, in order, the same bytes every time); the email by structure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/message_check.h"
#include "check.h"
#include "digest/message.h"

static struct digest d;
static char out[MESSAGE_BODY_BYTES + 1], again[MESSAGE_BODY_BYTES + 1];
static char all[8u * 1024u * 1024u];

/* 2026-11-28T18:00:00Z, a Saturday */
#define T0 1795888800

static const enum message_kind chat_kinds[] = { MESSAGE_NTFY, MESSAGE_MATRIX, MESSAGE_SLACK,
						MESSAGE_DISCORD, MESSAGE_TELEGRAM };
static const char *const kind_name[] = { "webhook", "email", "ntfy",    "matrix",
					 "slack",   "discord", "telegram" };

static struct message_opts opts(enum message_kind kind)
{
	struct message_opts o = { kind, CFG_FORMAT_JSON, "Digest Bot <digest@example.org>",
				  "a@example.org, b@example.org", "", "-1001234567890" };

	return o;
}

/* Adds an article whose title holds "Q<i>Q" (to find it in the parts),
 * sentences sentences of `words` words each. */
static int add(unsigned i, const char *title, const char *url, unsigned sentences,
	       unsigned words)
{
	static char t[8192], s[SUMM_MAX_PICK][2048];
	struct digest_span sp[SUMM_MAX_PICK];
	struct digest_article a = { "Example News", t, url, "en", T0 - 3600, true, sp, sentences,
				    NULL, 0 };

	snprintf(t, sizeof t, "Q%uQ %s", i, title);
	for (unsigned k = 0; k < sentences; k++) {
		size_t len = 0;

		for (unsigned w = 0; w < words && len + 16 < sizeof s[k]; w++)
			len += (size_t)snprintf(s[k] + len, sizeof s[k] - len, "%sword%u",
						w ? " " : "", (w * 7 + k) % 13);
		memcpy(s[k] + len, ".", 2);
		sp[k].p = s[k];
		sp[k].len = len + 1;
	}
	return digest_add(&d, &a);
}

static void begin(unsigned max)
{
	digest_begin(&d, "dg_0123456789abcdef0123456789abcdef", T0, "pi.example.org", max);
}

/* Renders every part of kind o->kind, checks each, and checks that each
 * article's "Q<i>Q" marker is in exactly one part, in order. Returns the
 * number of parts (0 on a failure, printed). */
static unsigned all_parts(const struct message_opts *o)
{
	struct message m, m2;
	size_t at = 0;
	unsigned parts;
	int rc = message_render(o, &d, 0, out, MESSAGE_BODY_BYTES, &m);

	if (rc < 0) {
		printf("  %s: part 0: %d\n", kind_name[o->kind], rc);
		return 0;
	}
	parts = m.parts;
	for (unsigned k = 0; k < parts; k++) {
		const char *why;

		rc = message_render(o, &d, k, out, MESSAGE_BODY_BYTES, &m);
		if (rc < 0 || m.parts != parts) {
			printf("  %s: part %u: %d\n", kind_name[o->kind], k, rc);
			return 0;
		}
		why = o->kind == MESSAGE_EMAIL	   ? mcheck_email(&d, out, m.len, &m)
		      : o->kind == MESSAGE_WEBHOOK ? dcheck_json(out, m.len)
						   : mcheck_chat(o, out, m.len, &m);
		if (!why && o->kind > MESSAGE_EMAIL)
			why = mcheck_problems(o, &d, out, m.len, k + 1 == parts);
		if (why) {
			printf("  %s part %u/%u: %s\n", kind_name[o->kind], k + 1, parts, why);
			return 0;
		}
		if (parts > 1) {
			char suffix[32];

			/* Numbered: ntfy's title, the others' header. */
			snprintf(suffix, sizeof suffix, " (%u/%u)", k + 1, parts);
			if (o->kind == MESSAGE_NTFY
				    ? strlen(m.title) < strlen(suffix) ||
					      strcmp(m.title + strlen(m.title) - strlen(suffix), suffix)
				    : !strstr(out, suffix)) {
				printf("  %s part %u: not numbered\n", kind_name[o->kind], k);
				return 0;
			}
		}
		/* A retry renders the same bytes. */
		if (message_render(o, &d, k, again, MESSAGE_BODY_BYTES, &m2) < 0 ||
		    m2.len != m.len || memcmp(out, again, m.len) || strcmp(m.title, m2.title) ||
		    strcmp(m.click, m2.click)) {
			printf("  %s part %u: another rendering differs\n", kind_name[o->kind], k);
			return 0;
		}
		if (at + m.len + 1 < sizeof all) {
			memcpy(all + at, out, m.len);
			at += m.len;
			all[at++] = '\n';
		}
		all[at] = '\0';
	}
	if (o->kind != MESSAGE_EMAIL) {
		const char *p = all;
		int twice = o->kind == MESSAGE_MATRIX || o->kind == MESSAGE_SLACK;

		for (unsigned i = 0; i < digest_count(&d); i++) {
			char mark[16];
			const char *hit;

			snprintf(mark, sizeof mark, "Q%uQ", i);
			hit = strstr(p, mark);
			/* Matrix and Slack show an article twice: in the plain
			 * body and the HTML one, in the fallback text and a
			 * block. */
			if (!hit || (twice && !strstr(hit + 1, mark)) ||
			    strstr(twice ? strstr(hit + 1, mark) + 1 : hit + 1, mark)) {
				printf("  %s: article %u missing, out of order or repeated\n",
				       kind_name[o->kind], i);
				return 0;
			}
			p = hit;
		}
	}
	CHECK_INT(message_render(o, &d, parts, out, MESSAGE_BODY_BYTES, &m), -ERANGE);
	CHECK_INT(m.parts, parts);
	return parts;
}

static void test_webhook_is_digest_render(void)
{
	struct message_opts o = opts(MESSAGE_WEBHOOK);
	struct message m;
	size_t len = 0;

	begin(50);
	CHECK_INT(add(0, "A <b>title</b>", "https://example.org/a", 3, 10), 0);
	for (int f = 0; f < DIGEST_FORMATS; f++) {
		o.format = (enum cfg_format)f;
		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		CHECK_INT(m.parts, 1);
		CHECK_STR(m.title, "");
		CHECK_INT(digest_render(&d, o.format, again, MESSAGE_BODY_BYTES, &len), 0);
		CHECK_INT(m.len, len);
		CHECK(memcmp(out, again, len) == 0);
	}
	CHECK_INT(message_render(&o, &d, 1, out, MESSAGE_BODY_BYTES, &m), -ERANGE);
	CHECK_INT(message_render(&o, &d, 0, out, 10, &m), -ENOSPC);
	o.format = (enum cfg_format)9;
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), -EINVAL);
}

/* Titles and sources that would be markup, pings or links somewhere. */
static const char *const hostile[] = {
	"<script>alert(1)</script>",
	"&amp; &lt; & <!channel> <!here> <@U123> @everyone @here <@&42>",
	"*bold* _it_ ~strike~ `code` [x](javascript:alert(1)) <https://evil|click>",
	"\"quoted\" 'single' \\back\\ |pipe| >gt< \x01\x1b[31m",
	"bad \xff\xfe utf-8 \xc3 and \xed\xa0\x80 surrogate",
	"mailto:x@example.org ftp://example.org/ 1. list - item # head",
	"\xf0\x9f\x98\x80 emoji \xe2\x80\xae rtl \xe2\x80\xa8 sep",
};

static void test_hostile_text_every_kind(void)
{
	begin(50);
	for (unsigned i = 0; i < sizeof hostile / sizeof hostile[0]; i++)
		CHECK_INT(add(i, hostile[i], i % 2 ? "javascript:alert(1)" : "https://e.org/a?b=1&c=<2>|d",
			      2, 6),
			  0);
	for (unsigned k = 0; k < sizeof chat_kinds / sizeof chat_kinds[0]; k++) {
		struct message_opts o = opts(chat_kinds[k]);

		CHECK(all_parts(&o) >= 1);
	}
	{
		struct message_opts o = opts(MESSAGE_EMAIL);

		CHECK_INT(all_parts(&o), 1);
	}
}

/* Escaping as each kind reads it: the hostile title's specials escaped,
 * the javascript: URL gone. */
static void test_escapes(void)
{
	struct message m;
	struct message_opts o;

	begin(5);
	CHECK_INT(add(0, "<b>&amp;</b> <!channel> @everyone *x*", "https://e.org/x|y>z", 1, 3), 0);
	o = opts(MESSAGE_SLACK);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strstr(out, "&lt;b&gt;&amp;amp;&lt;/b&gt; &lt;!channel&gt;") != NULL);
	CHECK(strstr(out, "*<https://e.org/x%7Cy%3Ez|Q0Q &lt;b&gt;") != NULL);
	o = opts(MESSAGE_TELEGRAM);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strstr(out, "<a href=\\\"https://e.org/x|y&gt;z\\\">Q0Q &lt;b&gt;&amp;amp;") != NULL);
	CHECK(strstr(out, "\"chat_id\":\"-1001234567890\"") != NULL);
	o = opts(MESSAGE_DISCORD);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strstr(out, "\"allowed_mentions\":{\"parse\":[]}") != NULL);
	o = opts(MESSAGE_MATRIX);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strstr(out, "<a href=\\\"https://e.org/x|y&gt;z\\\">Q0Q &lt;b&gt;") != NULL);
	o = opts(MESSAGE_NTFY);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strstr(out, "\\<b\\>\\&amp;\\</b\\> \\<\\!channel\\> \\@everyone \\*x\\*") != NULL);
	CHECK_STR(m.title, "digestd: 1 article");
	CHECK_STR(m.click, "https://e.org/x|y>z");
}

/* An article with DIGEST_MAX_ALSO also entries, hostile text in their
 * sources and titles, one URL in four a javascript: one (digest_add drops
 * it). Each also title holds "Z<i>x<k>Z" to be found. */
static int add_with_also(unsigned i)
{
	static char src[DIGEST_MAX_ALSO][96], title[DIGEST_MAX_ALSO][128];
	static const char *const url[] = { "https://o.example/a?b=1&c=<2>|d", "javascript:evil()",
					   "https://o.example/x y>z", "" };
	struct digest_also also[DIGEST_MAX_ALSO];
	struct digest_span sp = { "One sentence.", 13 };
	char t[32];
	struct digest_article a = { "Example News", t, "https://e.org/a", "en", T0, true, &sp, 1,
				    also, DIGEST_MAX_ALSO };

	snprintf(t, sizeof t, "Q%uQ story", i);
	for (unsigned k = 0; k < DIGEST_MAX_ALSO; k++) {
		snprintf(src[k], sizeof src[k], "%s", hostile[k % 7]);
		snprintf(title[k], sizeof title[k], "Z%ux%uZ %s", i, k, hostile[(k + 3) % 7]);
		also[k] = (struct digest_also){ src[k], title[k], url[k % 4] };
	}
	return digest_add(&d, &a);
}

/* Each chat kind shows an item's also entries in the part that holds the
 * item, escaped as the rest (message_check.h), without javascript: links;
 * every part within the kind's limits. */
static void test_also_every_kind(void)
{
	begin(40);
	for (unsigned i = 0; i < 40; i++)
		CHECK_INT(add_with_also(i), 0);
	for (unsigned k = 0; k < sizeof chat_kinds / sizeof chat_kinds[0]; k++) {
		struct message_opts o = opts(chat_kinds[k]);
		struct message m;
		unsigned parts = all_parts(&o), seen = 0;

		CHECK(parts > 1);
		CHECK(strstr(all, "evil()") == NULL);
		CHECK(strstr(all, "Also in: ") != NULL);
		for (unsigned p = 0; p < parts; p++) {
			CHECK_INT(message_render(&o, &d, p, out, MESSAGE_BODY_BYTES, &m), 0);
			for (unsigned i = 0; i < 40; i++) {
				char mark[16], z[24];

				snprintf(mark, sizeof mark, "Q%uQ ", i);
				if (!strstr(out, mark))
					continue;
				seen++;
				for (unsigned a = 0; a < DIGEST_MAX_ALSO; a++) {
					snprintf(z, sizeof z, "Z%ux%uZ", i, a);
					if (!strstr(out, z)) {
						printf("  %s part %u: %s without %s\n",
						       kind_name[o.kind], p, mark, z);
						CHECK(0);
						break;
					}
				}
			}
		}
		CHECK_INT(seen, 40);
	}
	/* The link markup of each kind around an also entry's title. */
	begin(2);
	CHECK_INT(add_with_also(0), 0);
	{
		struct message_opts o = opts(MESSAGE_SLACK);
		struct message m;

		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		CHECK(strstr(out, "\\nAlso in: _&lt;script&gt;alert(1)&lt;/script&gt;_: "
				  "<https://o.example/a?b=1&amp;c=%3C2%3E%7Cd|Z0x0Z ") != NULL);
		o = opts(MESSAGE_TELEGRAM);
		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		CHECK(strstr(out, "Also in: <i>&lt;script&gt;alert(1)&lt;/script&gt;</i>: "
				  "<a href=\\\"https://o.example/a?b=1&amp;c=&lt;2&gt;|d\\\">Z0x0Z ") !=
		      NULL);
		o = opts(MESSAGE_NTFY);
		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		CHECK(strstr(out, "\n\nAlso in: *\\<script\\>alert(1)\\</script\\>*: [Z0x0Z ") != NULL);
		o = opts(MESSAGE_MATRIX);
		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		CHECK(strstr(out, "<p>Also in: <i>&lt;script&gt;") != NULL);
		o = opts(MESSAGE_DISCORD);
		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		CHECK(strstr(out, "Also in: *\\\\<script\\\\>") != NULL);
	}
}

/* Link targets only with a lowercase http(s) scheme (Discord's embed url
 * and Slack's <url|text> want it); in a Discord description, none holding
 * '@' (it would read as a mention). Both regressions found by fuzz_message. */
static void test_link_forms(void)
{
	struct digest_also also[2] = { { "S", "Mixed", "HTTPS://o.example/m" },
				       { "S", "At", "https://o.example/@here" } };
	struct digest_article a = { "Src", "Q0Q t", "httpS://e.org/a", "en", T0, true, NULL, 0,
				    also, 2 };
	struct message m;
	struct message_opts o = opts(MESSAGE_SLACK);

	begin(5);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strstr(out, "*Q0Q t*") != NULL);
	CHECK(strstr(out, "_S_: Mixed") != NULL);
	CHECK(strstr(out, "<https://o.example/@here|At>") != NULL);
	o = opts(MESSAGE_DISCORD);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strstr(out, "\"url\"") == NULL);
	CHECK(strstr(out, "*S*: At\"") != NULL);
	CHECK(strstr(out, "@here") == NULL);
}

/* DIGEST_MAX_PROBLEMS sources with problems, hostile names and errors:
 * after the articles, the heading at most once a part (Discord: on each
 * problem's embed), in the last part and in every part from the first
 * problem's on. */
static void test_problems_every_kind(void)
{
	static const char *const heading[] = { "", "", "**Sources with problems**",
					       "<p><b>Sources with problems</b></p>",
					       "*Sources with problems*", "\"Sources with problems\"",
					       "<b>Sources with problems</b>" };

	for (int with_articles = 0; with_articles < 2; with_articles++) {
		begin(60);
		for (unsigned i = 0; i < DIGEST_MAX_PROBLEMS; i++) {
			char src[CFG_SOURCE_NAME_BYTES], err[SRCSTATE_ERROR_BYTES];

			snprintf(src, sizeof src, "P%uP %s", i, hostile[i % 7]);
			snprintf(err, sizeof err, "%s %s %s", hostile[(i + 1) % 7], hostile[(i + 2) % 7],
				 hostile[(i + 4) % 7]);
			CHECK_INT(digest_add_problem(&d, src, T0 - 86400, i + 1, err), 0);
		}
		for (unsigned i = 0; with_articles && i < 50; i++)
			CHECK_INT(add(i, hostile[i % 7], "https://e.org/a", 3, 12), 0);
		for (unsigned k = 0; k < sizeof chat_kinds / sizeof chat_kinds[0]; k++) {
			struct message_opts o = opts(chat_kinds[k]);
			struct message m;
			unsigned parts = all_parts(&o);
			int seen_heading = 0;

			CHECK(parts >= 1);
			for (unsigned p = 0; p < parts; p++) {
				const char *h;

				CHECK_INT(message_render(&o, &d, p, out, MESSAGE_BODY_BYTES, &m), 0);
				h = strstr(out, heading[o.kind]);
				/* Discord titles each problem's embed. */
				if ((!h && (p + 1 == parts || seen_heading)) ||
				    (h && o.kind != MESSAGE_DISCORD && strstr(h + 1, heading[o.kind]))) {
					printf("  %s part %u/%u: the problems' heading not once in each "
					       "of the last parts\n", kind_name[o.kind], p + 1, parts);
					CHECK(0);
				}
				/* After the last article. */
				if (h && with_articles)
					CHECK(strstr(h, "Q49Q") == NULL);
				if (h && !seen_heading)
					CHECK(strstr(h, "P0P") != NULL);
				seen_heading |= h != NULL;
			}
		}
	}
	/* One problem, worded. */
	begin(5);
	CHECK_INT(digest_add_problem(&d, "Slow <Feed>", T0 - 86400, 1, "HTTP 503"), 0);
	{
		struct message_opts o = opts(MESSAGE_TELEGRAM);
		struct message m;

		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		CHECK(strstr(out, "<b>Sources with problems</b>\\n\xe2\x80\xa2 <i>Slow &lt;Feed&gt;</i>: "
				  "1 failed poll since 2026-11-27 ") != NULL);
		CHECK_STR(m.title, "");
	}
}

/* DIGEST_MAX_PROBLEMS problems of the longest source name and error, too
 * many for one part of ntfy or Telegram (4,096): split across numbered
 * parts like articles, each problem line whole ("P<i>P" at its start,
 * "E<i>E" at its end) exactly once and in order, for every chat kind. */
static void test_problems_split(void)
{
	for (int with_articles = 0; with_articles < 2; with_articles++) {
		begin(60);
		for (unsigned i = 0; i < DIGEST_MAX_PROBLEMS; i++) {
			char src[CFG_SOURCE_NAME_BYTES], err[SRCSTATE_ERROR_BYTES];
			int n = snprintf(src, sizeof src, "P%uP", i);

			memset(src + n, 's', sizeof src - 1 - (size_t)n);
			src[sizeof src - 1] = '\0';
			n = snprintf(err, sizeof err, "E%uE", i);
			memset(err, 'e', sizeof err - 1 - (size_t)n);
			snprintf(err + sizeof err - 1 - (size_t)n, (size_t)n + 1, "E%uE", i);
			CHECK_INT(digest_add_problem(&d, src, T0 - 86400, i + 1, err), 0);
		}
		for (unsigned i = 0; with_articles && i < 10; i++)
			CHECK_INT(add(i, "A title", "https://e.org/a", 3, 12), 0);
		for (unsigned k = 0; k < sizeof chat_kinds / sizeof chat_kinds[0]; k++) {
			struct message_opts o = opts(chat_kinds[k]);
			unsigned parts = all_parts(&o);
			int twice = o.kind == MESSAGE_MATRIX; /* the plain body and the HTML */
			const char *p = all;

			CHECK(parts >= 1);
			if (o.kind == MESSAGE_NTFY || o.kind == MESSAGE_TELEGRAM)
				CHECK(parts > 1);
			for (unsigned i = 0; parts && i < DIGEST_MAX_PROBLEMS; i++) {
				char mark[2][16];
				const char *hit[2];

				snprintf(mark[0], sizeof mark[0], "P%uP", i);
				snprintf(mark[1], sizeof mark[1], "E%uE", i);
				for (int m = 0; m < 2; m++) {
					const char *h = strstr(p, mark[m]), *again_ = NULL;

					if (h && twice)
						again_ = strstr(h + 1, mark[m]);
					hit[m] = h;
					if (!h || (twice && !again_) ||
					    strstr((twice ? again_ : h) + 1, mark[m])) {
						printf("  %s (%s articles): problem %u's %s missing, "
						       "cut, out of order or repeated\n",
						       kind_name[o.kind], with_articles ? "with" : "no", i,
						       m ? "end" : "start");
						CHECK(0);
						hit[m] = NULL;
					}
				}
				/* The line whole: its end in the same part as its start. */
				if (hit[0] && hit[1] && o.kind == MESSAGE_NTFY)
					CHECK(memchr(hit[0], '\n', (size_t)(hit[1] - hit[0])) == NULL);
				if (hit[0])
					p = hit[0];
			}
		}
	}
}

/* The default title says "1 article" for one, "N articles" otherwise; a
 * configured template is filled in as written. */
static void test_title_singular(void)
{
	struct message m;
	struct message_opts o = opts(MESSAGE_NTFY);

	begin(5);
	CHECK_INT(add(0, "one", "https://e.org/a", 1, 3), 0);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK_STR(m.title, "digestd: 1 article");
	o.subject = "{count} articles";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK_STR(m.title, "1 articles");
	o.subject = "";
	CHECK_INT(add(1, "two", "https://e.org/b", 1, 3), 0);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK_STR(m.title, "digestd: 2 articles");
	begin(5);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK_STR(m.title, "digestd: 0 articles");
}

/* A 5,000-character title and sentences: each chat kind cuts them with "…"
 * at a character boundary within its limits. */
static void test_long_article_is_cut(void)
{
	static char title[5000 * 3 + 1];

	for (size_t i = 0; i < 5000; i++)
		memcpy(title + 3 * i, "\xe2\x82\xac", 3); /* € */
	title[5000 * 3] = '\0';
	begin(5);
	CHECK_INT(add(0, title, "https://example.org/long", SUMM_MAX_PICK, 200), 0);
	CHECK_INT(add(1, "short", "https://example.org/short", 1, 3), 0);
	for (unsigned k = 0; k < sizeof chat_kinds / sizeof chat_kinds[0]; k++) {
		struct message_opts o = opts(chat_kinds[k]);
		struct message m;

		CHECK(all_parts(&o) >= 1);
		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		CHECK(strstr(out, "\xe2\x80\xa6") != NULL);
	}
}

/* As many of 500 articles as one digest takes (digest_add stops where the
 * email would pass a body's size): every kind splits within its limits,
 * each article in one part, in order; the email holds them all in one
 * message. */
static void test_500_articles(void)
{
	unsigned n = 0;

	begin(500);
	while (n < 500 && add(n, hostile[n % 7], "https://example.org/article", 3, 12) == 0)
		n++;
	CHECK(n >= 100);
	/* Slack takes 49 articles a part, Discord 10 (an embed each). */
	unsigned want_min[] = { 0, 1, 2, 2, n / 49, n / 10, 2 };

	for (int k = MESSAGE_EMAIL; k <= MESSAGE_TELEGRAM; k++) {
		struct message_opts o = opts((enum message_kind)k);
		unsigned parts = all_parts(&o);

		CHECK(parts >= want_min[k]);
		if (k == MESSAGE_EMAIL)
			CHECK_INT(parts, 1);
	}
}

/* An empty digest (send_empty) is one part: the header alone. */
static void test_empty_digest(void)
{
	begin(5);
	for (int k = MESSAGE_EMAIL; k <= MESSAGE_TELEGRAM; k++) {
		struct message_opts o = opts((enum message_kind)k);

		CHECK_INT(all_parts(&o), 1);
	}
}

static void test_titles(void)
{
	struct message_opts o = opts(MESSAGE_NTFY);
	struct message m;

	begin(50);
	for (unsigned i = 0; i < 40; i++)
		CHECK_INT(add(i, "a headline", "https://example.org/a", 3, 20), 0);
	o.subject = "  News {date} on {host}: {count}\t\t{nope}\n\x01";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(m.parts > 1);
	snprintf(again, 64, "News 2026-11-28 on pi.example.org: 40 {nope} (1/%u)", m.parts);
	CHECK_STR(m.title, again);
	CHECK_STR(m.click, "https://example.org/a");
	/* A template that leaves nothing gets the default one. */
	o.subject = " \t\x14 ";
	CHECK_INT(message_render(&o, &d, 1, out, MESSAGE_BODY_BYTES, &m), 0);
	snprintf(again, 64, "digestd: 40 articles (2/%u)", m.parts);
	CHECK_STR(m.title, again);
	o = opts(MESSAGE_EMAIL);
	o.subject = "Nachrichten vom {date}: {count} Artikel \xc3\xbc\xc3\xa4\xc3\xb6 "
		    "\xe2\x80\x94 eine lange Betreffzeile, die gefaltet werden muss";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(mcheck_email(&d, out, m.len, &m) == NULL);
	CHECK(strstr(out, "\r\nSubject: =?UTF-8?B?") != NULL);
	o.subject = "A plain ASCII subject long enough that it has to be folded once or twice "
		    "to keep each line within seventy-eight characters, {count} articles";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(mcheck_email(&d, out, m.len, &m) == NULL);
	CHECK(strstr(out, "\r\nSubject: A plain ASCII") != NULL);
}

static void test_email_headers(void)
{
	struct message_opts o = opts(MESSAGE_EMAIL);
	struct message m;

	begin(5);
	CHECK_INT(add(0, "One", "https://example.org/1", 2, 5), 0);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strncmp(out, "From: Digest Bot <digest@example.org>\r\n"
			   "To: a@example.org,\r\n b@example.org\r\n"
			   "Subject: digestd: 1 article\r\n"
			   "Date: Sat, 28 Nov 2026 18:00:00 +0000\r\n"
			   "Message-ID: <dg_0123456789abcdef0123456789abcdef@pi.example.org>\r\n"
			   "MIME-Version: 1.0\r\n",
		      strlen("From: Digest Bot <digest@example.org>\r\n"
			     "To: a@example.org,\r\n b@example.org\r\n"
			     "Subject: digestd: 1 article\r\n"
			     "Date: Sat, 28 Nov 2026 18:00:00 +0000\r\n"
			     "Message-ID: <dg_0123456789abcdef0123456789abcdef@pi.example.org>\r\n"
			     "MIME-Version: 1.0\r\n")) == 0);
	CHECK(strstr(out, "boundary=\"=_dg_0123456789abcdef0123456789abcdef\"") != NULL);
	CHECK_STR(m.click, "");
	/* Header injection and missing options. */
	o.from = "x@example.org\r\nBcc: victim@example.org";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), -EINVAL);
	o = opts(MESSAGE_EMAIL);
	o.to = "a@example.org,\nBcc: v@example.org";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), -EINVAL);
	o.to = " , ";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), -EINVAL);
	o = opts(MESSAGE_EMAIL);
	o.from = "";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), -EINVAL);
	o = opts(MESSAGE_EMAIL);
	CHECK_INT(message_render(&o, &d, 1, out, MESSAGE_BODY_BYTES, &m), -ERANGE);
	CHECK_INT(message_render(&o, &d, 0, out, 500, &m), -ENOSPC);
	/* A host that is not a domain name stays out of the Message-ID. */
	digest_begin(&d, "dg_x", T0, "my host <x>", 5);
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
	CHECK(strstr(out, "\r\nMessage-ID: <dg_x@digestd.invalid>\r\n") != NULL);
	o = opts(MESSAGE_TELEGRAM);
	o.chat_id = "";
	CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), -EINVAL);
}

/* The biggest digest digest_add allows still makes an email within
 * MESSAGE_BODY_BYTES. */
static void test_email_of_a_full_digest(void)
{
	struct message_opts o = opts(MESSAGE_EMAIL);
	unsigned i = 0;

	begin(500);
	while (add(i, "a long headline with <html> & \"quotes\" in it", "https://example.org/x",
		   SUMM_MAX_PICK, 40) == 0)
		i++;
	CHECK(i > 0);
	CHECK_INT(all_parts(&o), 1);
	{
		struct message m;
		size_t t = 0, h = 0;

		CHECK_INT(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m), 0);
		digest_render(&d, CFG_FORMAT_TEXT, NULL, 0, &t);
		digest_render(&d, CFG_FORMAT_HTML, NULL, 0, &h);
		printf("  email of a full digest (%u articles, text %zu + HTML %zu bytes): %zu of %u bytes\n",
		       i, t, h, m.len, MESSAGE_BODY_BYTES);
	}
}

/* The seeds' summaries (tests/data/seeds-summary.jsonl: title, lang and
 * key sentences of the 8 seed articles), cycled to 50 articles: the parts
 * per kind that docs/messages.md gives. */
static void test_parts_of_50_seeds(void)
{
	static char file[64 * 1024], title[8][1024], lang[8][16], text[8][3][4096];
	static struct digest_span sp[8][3];
	unsigned n[8] = { 0 }, seeds = 0;
	FILE *f = fopen("tests/data/seeds-summary.jsonl", "rb");
	size_t len = f ? fread(file, 1, sizeof file - 1, f) : 0;
	const char *p = file;

	CHECK(f != NULL && len > 0);
	if (f)
		fclose(f);
	file[len] = '\0';
	while (*p && seeds < 8) {
		struct jsonr r;
		const char *nl = strchr(p, '\n'), *key;
		size_t klen;

		jsonr_init(&r, p, nl ? (size_t)(nl - p) : strlen(p));
		if (jsonr_enter(&r, JSONR_OBJECT) < 0)
			break;
		while (jsonr_next_key(&r, &key, &klen) == 1) {
			if (jsonr_key_is(key, klen, "title")) {
				jsonr_string(&r, title[seeds], sizeof title[seeds]);
			} else if (jsonr_key_is(key, klen, "lang")) {
				jsonr_string(&r, lang[seeds], sizeof lang[seeds]);
			} else if (jsonr_key_is(key, klen, "summary") &&
				   jsonr_enter(&r, JSONR_ARRAY) == 0) {
				while (jsonr_next_item(&r) == 1) {
					jsonr_enter(&r, JSONR_OBJECT);
					while (jsonr_next_key(&r, &key, &klen) == 1) {
						unsigned k = n[seeds];

						if (!jsonr_key_is(key, klen, "text") || k == 3) {
							jsonr_skip(&r);
							continue;
						}
						sp[seeds][k].len = (size_t)jsonr_string(
							&r, text[seeds][k], sizeof text[seeds][k]);
						sp[seeds][k].p = text[seeds][k];
						n[seeds]++;
					}
				}
			} else {
				jsonr_skip(&r);
			}
		}
		seeds++;
		p = nl ? nl + 1 : p + strlen(p);
	}
	CHECK_INT(seeds, 8);
	begin(50);
	for (unsigned i = 0; i < 50 && seeds == 8; i++) {
		struct digest_article a = { "seeds", title[i % 8], "https://example.org/seeds/a",
					    lang[i % 8], T0, true, sp[i % 8], n[i % 8],
					    NULL, 0 };

		CHECK_INT(digest_add(&d, &a), 0);
	}
	printf("  parts for 50 seed articles:");
	for (int k = MESSAGE_WEBHOOK; k <= MESSAGE_TELEGRAM; k++) {
		struct message_opts o = opts((enum message_kind)k);
		struct message m;

		CHECK(message_render(&o, &d, 0, out, MESSAGE_BODY_BYTES, &m) == 0);
		printf(" %s %u", kind_name[k], m.parts);
	}
	printf("\n");
}

int main(void)
{
	RUN(test_webhook_is_digest_render);
	RUN(test_hostile_text_every_kind);
	RUN(test_escapes);
	RUN(test_also_every_kind);
	RUN(test_link_forms);
	RUN(test_problems_every_kind);
	RUN(test_problems_split);
	RUN(test_title_singular);
	RUN(test_long_article_is_cut);
	RUN(test_500_articles);
	RUN(test_empty_digest);
	RUN(test_titles);
	RUN(test_email_headers);
	RUN(test_email_of_a_full_digest);
	RUN(test_parts_of_50_seeds);
	return CHECK_EXIT();
}
