/* SPDX-License-Identifier: MIT */
/* Unit tests for src/digest/digest: ids, cleaning, exact renderings in the
 * three formats, the article and size caps, and render buffer limits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "digest/digest.h"
#include "core/version.h"
#include "sources/jsonr.h"

static struct digest d;
static char out[DIGEST_BODY_BYTES + 1];

/* 2026-11-28T18:00:00Z */
#define T0 1795888800

static int json_ok(const char *s, size_t n)
{
	struct jsonr r;

	jsonr_init(&r, s, n);
	if (jsonr_skip(&r) < 0)
		return 0;
	while (r.p < r.end && (*r.p == '\n' || *r.p == ' '))
		r.p++;
	return r.p == r.end;
}

static void test_new_id(void)
{
	char a[DIGEST_ID_BYTES], b[DIGEST_ID_BYTES];

	CHECK_INT(digest_new_id(T0, a, sizeof a), 0);
	CHECK_INT(digest_new_id(T0, b, sizeof b), 0);
	CHECK_INT(strlen(a), strlen("dg_20261128T180000Z_") + 8);
	CHECK(strncmp(a, "dg_20261128T180000Z_", 20) == 0);
	CHECK(strspn(a + 20, "0123456789abcdef") == 8);
	/* 32 random bits: equal twice in a row would mean no randomness. */
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(digest_new_id(T0, a, 10), -EINVAL);
	CHECK_INT(digest_begin(&d, a, T0, "h", 5), 0);
}

/* A content id names the article set: the same keys in the same order on
 * the same host give the same id; another key, order or host another. */
static void test_content_id(void)
{
	static const unsigned char k1[32] = { 1 }, k2[32] = { 2 };
	const unsigned char *ab[] = { k1, k2 }, *ba[] = { k2, k1 };
	char a[DIGEST_ID_BYTES], b[DIGEST_ID_BYTES];

	CHECK_INT(digest_content_id("pi", ab, 2, a, sizeof a), 0);
	CHECK_INT(strlen(a), 3 + 32);
	CHECK(strncmp(a, "dg_", 3) == 0 && strspn(a + 3, "0123456789abcdef") == 32);
	CHECK(digest_id_valid(a, strlen(a)));
	CHECK_INT(digest_content_id("pi", ab, 2, b, sizeof b), 0);
	CHECK_STR(a, b);
	CHECK_INT(digest_content_id("pi", ba, 2, b, sizeof b), 0);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(digest_content_id("pi", ab, 1, b, sizeof b), 0);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(digest_content_id("pi2", ab, 2, b, sizeof b), 0);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(digest_content_id("pi", ab, 0, b, sizeof b), -EINVAL);
	CHECK_INT(digest_content_id("pi", ab, 2, b, 10), -EINVAL);
}

static void test_begin_rejects_bad_ids(void)
{
	char longid[DIGEST_ID_BYTES + 1];

	memset(longid, 'a', DIGEST_ID_BYTES);
	longid[DIGEST_ID_BYTES] = '\0';
	CHECK_INT(digest_begin(&d, "", T0, "h", 5), -EINVAL);
	CHECK_INT(digest_begin(&d, "../x", T0, "h", 5), -EINVAL);
	CHECK_INT(digest_begin(&d, "a b", T0, "h", 5), -EINVAL);
	CHECK_INT(digest_begin(&d, longid, T0, "h", 5), -EINVAL);
	longid[DIGEST_ID_BYTES - 1] = '\0';
	CHECK_INT(digest_begin(&d, longid, T0, "h", 5), 0);
	/* A digest that failed to begin takes no articles. */
	CHECK_INT(digest_begin(&d, NULL, T0, "h", 5), -EINVAL);
	{
		struct digest_article a = { 0 };
		CHECK_INT(digest_add(&d, &a), -EINVAL);
	}
}

static void test_empty_json(void)
{
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_1", T0, "pi", 50), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len), 0);
	CHECK_STR(out, "{\"schema\":\"digestd.digest/1\",\"id\":\"dg_1\","
		       "\"created\":\"2026-11-28T18:00:00Z\",\"generator\":\"digestd/" DIGESTD_VERSION
		       "\",\"host\":\"pi\",\"articles\":[]}\n");
	CHECK_INT(len, strlen(out));
	CHECK(json_ok(out, len));
}

static void add_two(void)
{
	static const struct digest_span s1[] = { { "First  sentence.\n", 17 },
						 { "Second \"quoted\" one \\ here.", 27 } };
	static const struct digest_span s2[] = { { "  ", 2 }, { "Only*one* [x]", 13 } };
	struct digest_article a = { "BBC", "A\ttitle\x01 here ", "https://ex.org/a?b=1", "en",
				    T0 - 3600, true, s1, 2 };
	struct digest_article b = { "", "", "", "", 0, false, s2, 2 };

	CHECK_INT(digest_begin(&d, "dg_2", T0, "pi", 50), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_add(&d, &b), 0);
	CHECK_INT(digest_count(&d), 2);
}

static void test_json_two(void)
{
	size_t len = 0;

	add_two();
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len), 0);
	CHECK_STR(out, "{\"schema\":\"digestd.digest/1\",\"id\":\"dg_2\","
		       "\"created\":\"2026-11-28T18:00:00Z\",\"generator\":\"digestd/" DIGESTD_VERSION
		       "\",\"host\":\"pi\",\"articles\":[\n"
		       "{\"source\":\"BBC\",\"title\":\"A title here\",\"url\":\"https://ex.org/a?b=1\","
		       "\"published\":\"2026-11-28T17:00:00Z\",\"lang\":\"en\",\"sentences\":"
		       "[\"First sentence.\",\"Second \\\"quoted\\\" one \\\\ here.\"]},\n"
		       "{\"source\":\"\",\"title\":\"\",\"url\":null,\"published\":null,"
		       "\"lang\":null,\"sentences\":[\"Only*one* [x]\"]}\n]}\n");
	CHECK(json_ok(out, len));
	CHECK_INT(len, d.rendered[CFG_FORMAT_JSON]);
}

static void test_markdown_two(void)
{
	size_t len = 0;

	add_two();
	CHECK_INT(digest_render(&d, CFG_FORMAT_MARKDOWN, out, sizeof out, &len), 0);
	CHECK_STR(out, "# Digest dg\\_2\n\nCreated 2026-11-28T18:00:00Z on pi by digestd/" DIGESTD_VERSION
		       ".\n"
		       "\n## [A title here](<https://ex.org/a?b=1>)\n\n"
		       "*BBC* · 2026-11-28T17:00:00Z · en\n\n"
		       "- First sentence.\n"
		       "- Second \"quoted\" one \\\\ here.\n"
		       "\n## (untitled)\n\n"
		       "- Only\\*one\\* \\[x\\]\n");
	CHECK_INT(len, d.rendered[CFG_FORMAT_MARKDOWN]);
}

static void test_text_two(void)
{
	size_t len = 0;

	add_two();
	CHECK_INT(digest_render(&d, CFG_FORMAT_TEXT, out, sizeof out, &len), 0);
	CHECK_STR(out, "Digest dg_2\nCreated 2026-11-28T18:00:00Z on pi by digestd/" DIGESTD_VERSION
		       "\n"
		       "\nA title here\nBBC | 2026-11-28T17:00:00Z | en\nhttps://ex.org/a?b=1\n"
		       "  - First sentence.\n"
		       "  - Second \"quoted\" one \\ here.\n"
		       "\n(untitled)\n"
		       "  - Only*one* [x]\n");
	CHECK_INT(len, d.rendered[CFG_FORMAT_TEXT]);
}

static void test_invalid_utf8_and_controls(void)
{
	static const struct digest_span s[] = { { "caf\xc3\xa9 \xff\xfe end\x7f\xc2\x85x", 16 } };
	struct digest_article a = { "S\xe2\x80\xa8T", "t", NULL, NULL, 0, false, s, 1 };
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_3", T0, "bad\nhost", 5), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len), 0);
	CHECK(json_ok(out, len));
	CHECK(strstr(out, "\"host\":\"bad host\"") != NULL);
	CHECK(strstr(out, "\"source\":\"S T\"") != NULL);
	CHECK(strstr(out, "\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end x\"") != NULL);
}

static void test_max_articles(void)
{
	static const struct digest_span s[] = { { "x.", 2 } };
	struct digest_article a = { "s", "t", "u", "en", 0, false, s, 1 };
	size_t before, after;

	CHECK_INT(digest_begin(&d, "dg_4", T0, "h", 2), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &before);
	CHECK_INT(digest_add(&d, &a), -ENOSPC);
	CHECK_INT(digest_count(&d), 2);
	digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &after);
	CHECK_INT(after, before);
	/* max_articles is clamped to the compiled-in table. */
	CHECK_INT(digest_begin(&d, "dg_4", T0, "h", 100000), 0);
	CHECK_INT(d.max_articles, DIGEST_MAX_ARTICLES);
	CHECK_INT(digest_begin(&d, "dg_4", T0, "h", 0), 0);
	CHECK_INT(d.max_articles, 1);
}

static void test_too_many_sentences(void)
{
	static struct digest_span s[SUMM_MAX_PICK + 1];
	struct digest_article a = { "s", "t", "u", "en", 0, false, s, SUMM_MAX_PICK + 1 };

	for (unsigned i = 0; i <= SUMM_MAX_PICK; i++) {
		s[i].p = "x";
		s[i].len = 1;
	}
	CHECK_INT(digest_begin(&d, "dg_5", T0, "h", 10), 0);
	CHECK_INT(digest_add(&d, &a), -EINVAL);
	a.n_sentences = SUMM_MAX_PICK;
	CHECK_INT(digest_add(&d, &a), 0);
}

/* Filling up: every format's rendering stays within DIGEST_BODY_BYTES and
 * the tally matches the real length, also for text that grows when escaped
 * (quotes in JSON, punctuation in Markdown). */
static void test_fills_to_cap(void)
{
	static char big[8000];
	static const struct digest_span s[] = { { big, sizeof big } };
	struct digest_article a = { "s", "t", "https://x/", "en", T0, true, s, 1 };
	int rc = 0;
	unsigned n = 0;

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = i % 3 == 0 ? '"' : i % 3 == 1 ? '*' : 'a';
	CHECK_INT(digest_begin(&d, "dg_6", T0, "h", DIGEST_MAX_ARTICLES), 0);
	while (rc == 0 && n < DIGEST_MAX_ARTICLES) {
		rc = digest_add(&d, &a);
		if (rc == 0)
			n++;
	}
	CHECK_INT(rc, -ENOSPC);
	CHECK(n > 10);
	CHECK_INT(digest_count(&d), n);
	for (int f = 0; f < 3; f++) {
		size_t len = 0;
		CHECK_INT(digest_render(&d, (enum cfg_format)f, out, DIGEST_BODY_BYTES, &len), 0);
		CHECK(len <= DIGEST_BODY_BYTES);
		CHECK_INT(len, d.rendered[f]);
	}
	{
		size_t len = 0;
		digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len);
		CHECK(json_ok(out, len));
	}
}

static void test_small_buffer(void)
{
	char small[40];
	size_t len = 0, full = 0;

	add_two();
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &full), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, small, sizeof small, &len), -ENOSPC);
	CHECK_INT(len, full);
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, NULL, 0, &len), -ENOSPC);
	CHECK_INT(len, full);
	CHECK_INT(digest_render(&d, (enum cfg_format)7, out, sizeof out, &len), -EINVAL);
}

static void test_dates_out_of_range(void)
{
	static const struct digest_span s[] = { { "x.", 2 } };
	struct digest_article a = { "s", "t", "u", "en", INT64_MAX / 2, true, s, 1 };
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_7", INT64_MAX / 2, "h", 10), -EINVAL);
	CHECK_INT(digest_begin(&d, "dg_7", T0, "h", 10), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len);
	CHECK(strstr(out, "\"published\":null") != NULL);
}

/* Sentences that would read as Markdown block syntax stay plain text. */
static void test_markdown_block_starts(void)
{
	static const struct digest_span s[] = { { "- not a list", 12 }, { "1. not ordered", 14 },
						{ "2024) either", 12 }, { "# nor a heading", 15 },
						{ "+ nor this", 10 }, { "1999 was fine.", 14 } };
	struct digest_article a = { "", "10. Title", "", "", 0, false, s, 6 };
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_8", T0, "h", 10), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_MARKDOWN, out, sizeof out, &len), 0);
	CHECK(strstr(out, "\n## 10\\. Title\n") != NULL);
	CHECK(strstr(out, "\n- \\- not a list\n- 1\\. not ordered\n- 2024\\) either\n"
			  "- \\# nor a heading\n- \\+ nor this\n- 1999 was fine.\n") != NULL);
	CHECK_INT(len, d.rendered[CFG_FORMAT_MARKDOWN]);
}

static void test_deterministic(void)
{
	static char again[DIGEST_BODY_BYTES];
	size_t a = 0, b = 0;

	add_two();
	digest_render(&d, CFG_FORMAT_MARKDOWN, out, sizeof out, &a);
	digest_render(&d, CFG_FORMAT_MARKDOWN, again, sizeof again, &b);
	CHECK_INT(a, b);
	CHECK(memcmp(out, again, a) == 0);
}

static void test_content_types(void)
{
	CHECK_STR(digest_content_type(CFG_FORMAT_JSON), "application/json");
	CHECK_STR(digest_content_type(CFG_FORMAT_MARKDOWN), "text/markdown; charset=utf-8");
	CHECK_STR(digest_content_type(CFG_FORMAT_TEXT), "text/plain; charset=utf-8");
	CHECK(digest_content_type((enum cfg_format)3) == NULL);
}

int main(void)
{
	RUN(test_new_id);
	RUN(test_content_id);
	RUN(test_begin_rejects_bad_ids);
	RUN(test_empty_json);
	RUN(test_json_two);
	RUN(test_markdown_two);
	RUN(test_text_two);
	RUN(test_invalid_utf8_and_controls);
	RUN(test_max_articles);
	RUN(test_too_many_sentences);
	RUN(test_fills_to_cap);
	RUN(test_small_buffer);
	RUN(test_dates_out_of_range);
	RUN(test_markdown_block_starts);
	RUN(test_deterministic);
	RUN(test_content_types);
	return CHECK_EXIT();
}
