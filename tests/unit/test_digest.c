/* SPDX-License-Identifier: MIT */
/* Unit tests for src/digest/digest: ids, cleaning, exact renderings in the
 * four formats, the article and size caps, and render buffer limits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/digest_check.h"
#include "check.h"
#include "digest/digest.h"
#include "core/version.h"

static struct digest d;
static char out[DIGEST_BODY_BYTES + 1];

/* A span over a string literal (which may hold NUL bytes). */
#define SPAN(lit) { lit, sizeof(lit) - 1 }

/* 2026-11-28T18:00:00Z */
#define T0 1795888800

/* A body that passes check and holds no control character or line
 * separator; prints why when it does not. */
static int body_ok(const char *(*check)(const char *, size_t), const char *s, size_t n)
{
	const char *why = check(s, n);

	if (!why)
		why = dcheck_clean(s, n);
	if (why)
		printf("  %s\n", why);
	return why == NULL;
}

/* Strict JSON (RFC 8259). */
static int json_ok(const char *s, size_t n)
{
	return body_ok(dcheck_json, s, n);
}

/* Markdown whose only links are http(s). */
static int markdown_ok(const char *s, size_t n)
{
	return body_ok(dcheck_markdown, s, n);
}

/* HTML without scripts, handlers, external resources or links other than
 * http(s), its tags well nested. */
static int html_ok(const char *s, size_t n)
{
	return body_ok(dcheck_html, s, n);
}

/* s without its style="..." and class="..." attributes and the contents of
 * its <style> element: the structure and text of an HTML body, apart from
 * its looks (which the browser test, tests/cli/html_browser.sh, checks). */
static const char *html_bare(const char *s)
{
	static char bare[DIGEST_BODY_BYTES + 1];
	size_t k = 0;

	while (*s && k < sizeof bare - 1) {
		if (strncmp(s, " style=\"", 8) == 0 || strncmp(s, " class=\"", 8) == 0) {
			const char *q = strchr(s + 8, '"');

			if (q) {
				s = q + 1;
				continue;
			}
		}
		if (strncmp(s, "<style>", 7) == 0 && strstr(s, "</style>")) {
			memcpy(bare + k, "<style>", 7);
			k += 7;
			s = strstr(s, "</style>");
			continue;
		}
		bare[k++] = *s++;
	}
	bare[k] = '\0';
	return bare;
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
	CHECK_STR(out, "{\"schema\":\"digestd.digest/2\",\"id\":\"dg_1\","
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
				    T0 - 3600, true, s1, 2, NULL, 0 };
	struct digest_article b = { "", "", "", "", 0, false, s2, 2, NULL, 0 };

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
	CHECK_STR(out, "{\"schema\":\"digestd.digest/2\",\"id\":\"dg_2\","
		       "\"created\":\"2026-11-28T18:00:00Z\",\"generator\":\"digestd/" DIGESTD_VERSION
		       "\",\"host\":\"pi\",\"articles\":[\n"
		       "{\"source\":\"BBC\",\"title\":\"A title here\",\"url\":\"https://ex.org/a?b=1\","
		       "\"published\":\"2026-11-28T17:00:00Z\",\"lang\":\"en\",\"sentences\":"
		       "[\"First sentence.\",\"Second \\\"quoted\\\" one \\\\ here.\"],\"also\":[]},\n"
		       "{\"source\":\"\",\"title\":\"\",\"url\":null,\"published\":null,"
		       "\"lang\":null,\"sentences\":[\"Only*one* [x]\"],\"also\":[]}\n]}\n");
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

static void test_html_two(void)
{
	size_t len = 0;

	add_two();
	CHECK_INT(digest_render(&d, CFG_FORMAT_HTML, out, sizeof out, &len), 0);
	CHECK_INT(len, d.rendered[CFG_FORMAT_HTML]);
	CHECK_INT(len, strlen(out));
	CHECK(html_ok(out, len));
	CHECK_STR(html_bare(out),
		  "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		  "<meta name=\"color-scheme\" content=\"light dark\">\n"
		  "<title>Digest dg_2</title>\n"
		  "<style></style>\n"
		  "</head>\n<body><div>\n"
		  "<h1>Digest</h1>\n"
		  "<p>2026-11-28 18:00 UTC · pi · digestd/" DIGESTD_VERSION " · dg_2</p>\n"
		  "<div lang=\"en\" dir=\"auto\">\n"
		  "<h2><a href=\"https://ex.org/a?b=1\">A title here</a></h2>\n"
		  "<p>BBC · <time datetime=\"2026-11-28T17:00:00Z\">2026-11-28 17:00 UTC</time>"
		  " · en</p>\n"
		  "<ul>\n<li>First sentence.</li>\n"
		  "<li>Second &quot;quoted&quot; one \\ here.</li>\n</ul>\n</div>\n"
		  "<div dir=\"auto\">\n"
		  "<h2>(untitled)</h2>\n"
		  "<ul>\n<li>Only*one* [x]</li>\n</ul>\n</div>\n"
		  "</div></body></html>\n");
	/* Readable without the <style> element, which mail clients strip:
	 * colours, width and word breaking are inline. */
	CHECK(strstr(out, "<body class=\"dg-bg\" style=\"margin:0;padding:0;background:#ffffff;"
			  "color:#1a1a1a;\">") != NULL);
	CHECK(strstr(out, "overflow-wrap:break-word;") != NULL);
	CHECK(strstr(out, "max-width:") != NULL);
}

/* Hostile text in every field of the HTML form: markup, quotes that would
 * end an attribute, entities, event handlers, links in text, control
 * bytes, invalid UTF-8 and a very long word. All of it is text; the only
 * link is the article's http(s) URL, its quotes escaped. */
static void test_html_hostile(void)
{
	static char word[6000];
	static const struct digest_span s[] = {
		SPAN("<script>alert(1)</script>"),
		SPAN("<img src=x onerror=alert(1)> & <a href=\"javascript:alert(1)\">x</a>"),
		SPAN("&lt;b&gt; &#106;avascript: &amp; ' \" </li></ul></div>"),
		SPAN("\x1b[31mred\x07 \xc2\x9b \xff\xfe caf\xc3\xa9 \xe2\x80\xa8 \xd0\x9c\xd0\xb8\xd1\x80"),
		{ word, sizeof word },
	};
	struct digest_article a = {
		"\"><script>x</script>", "<b onmouseover=\"alert(1)\">T</b> ' \" & </h2>",
		"https://ex.org/a\"onclick=\"alert(1)\"'<x>&y", "en\" onload=\"x", T0, true, s,
		sizeof s / sizeof s[0], NULL, 0,
	};
	size_t len = 0;

	memset(word, 'w', sizeof word);
	CHECK_INT(digest_begin(&d, "dg_13", T0, "h<i>\"", 10), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_HTML, out, sizeof out, &len), 0);
	CHECK_INT(len, d.rendered[CFG_FORMAT_HTML]);
	CHECK(html_ok(out, len));
	CHECK(strstr(out, "<script") == NULL);
	CHECK(strstr(out, " · h&lt;i&gt;&quot; · ") != NULL);
	CHECK(strstr(html_bare(out),
		     "<div lang=\"en&quot; onload=&quot;x\" dir=\"auto\">\n"
		     "<h2><a href=\"https://ex.org/a&quot;onclick=&quot;alert(1)&quot;&#39;&lt;x&gt;"
		     "&amp;y\">&lt;b onmouseover=&quot;alert(1)&quot;&gt;T&lt;/b&gt; &#39; &quot; "
		     "&amp; &lt;/h2&gt;</a></h2>\n"
		     "<p>&quot;&gt;&lt;script&gt;x&lt;/script&gt; · <time") != NULL);
	CHECK(strstr(out, ">&lt;script&gt;alert(1)&lt;/script&gt;</li>") != NULL);
	CHECK(strstr(out, ">&lt;img src=x onerror=alert(1)&gt; &amp; &lt;a href=&quot;"
			  "javascript:alert(1)&quot;&gt;x&lt;/a&gt;</li>") != NULL);
	CHECK(strstr(out, ">&amp;lt;b&amp;gt; &amp;#106;avascript: &amp;amp; &#39; &quot; "
			  "&lt;/li&gt;&lt;/ul&gt;&lt;/div&gt;</li>") != NULL);
	/* Controls became spaces, invalid bytes U+FFFD; UTF-8 passes as is. */
	CHECK(strstr(out, ">[31mred \xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9 "
			  "\xd0\x9c\xd0\xb8\xd1\x80</li>") != NULL);
	/* The long word is kept whole: the page breaks it, not the renderer. */
	CHECK(strstr(out, ">wwwwwwwwww") != NULL && strstr(out, "wwwwwwwwww</li>") != NULL);
	{
		const char *w = strstr(out, ">wwww");

		CHECK(w != NULL && strspn(w + 1, "w") == sizeof word);
	}
}

/* Feed health: "sources with problems" after the articles in every form,
 * its text escaped like the rest; a digest without problems renders as
 * before (test_json_two); the lengths stay exact; the cap and the order
 * (problems before articles) hold. */
static void test_problems(void)
{
	static const struct digest_span s1[] = { SPAN("One sentence.") };
	struct digest_article a = { "BBC", "T", "https://ex.org/a", "en", T0, true, s1, 1,
				    NULL, 0 };
	const char *hostile = "<script>x</script> *em* [l](javascript:x) \"q\" https://a.b/";
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_p", T0, "pi", 50), 0);
	CHECK_INT(digest_add_problem(&d, "feed-a", T0 - 7200, 3, "HTTP status 404"), 0);
	CHECK_INT(digest_add_problem(&d, "<b>x\"", T0 - 3600, 1, hostile), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_add_problem(&d, "late", T0, 3, "x"), -EINVAL);
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len), 0);
	CHECK_INT(len, d.rendered[CFG_FORMAT_JSON]);
	CHECK(json_ok(out, len));
	CHECK(strstr(out, "\"sentences\":[\"One sentence.\"],\"also\":[]}\n],\n\"problems\":[\n"
			  "{\"source\":\"feed-a\",\"since\":\"2026-11-28T16:00:00Z\",\"failures\":3,"
			  "\"error\":\"HTTP status 404\"},\n{\"source\":\"<b>x\\\"\",") != NULL);
	CHECK(strstr(out, "\n]}\n") == out + len - 4);
	CHECK_INT(digest_render(&d, CFG_FORMAT_MARKDOWN, out, sizeof out, &len), 0);
	CHECK_INT(len, d.rendered[CFG_FORMAT_MARKDOWN]);
	CHECK(markdown_ok(out, len));
	CHECK(strstr(out, "\n## Sources with problems\n\n- *feed-a*: 3 failed polls since "
			  "2026-11-28T16:00:00Z: HTTP status 404\n- *") != NULL);
	CHECK(strstr(out, ": \\<script\\>x\\</script\\> \\*em\\* \\[l\\](javascript:x)") != NULL);
	CHECK_INT(digest_render(&d, CFG_FORMAT_TEXT, out, sizeof out, &len), 0);
	CHECK_INT(len, d.rendered[CFG_FORMAT_TEXT]);
	CHECK(strstr(out, "\nSources with problems\n  - feed-a: 3 failed polls since "
			  "2026-11-28T16:00:00Z: HTTP status 404\n  - <b>x\": 1 failed poll since") !=
	      NULL);
	CHECK_INT(digest_render(&d, CFG_FORMAT_HTML, out, sizeof out, &len), 0);
	CHECK_INT(len, d.rendered[CFG_FORMAT_HTML]);
	CHECK(html_ok(out, len));
	CHECK(strstr(out, "<script") == NULL);
	CHECK(strstr(html_bare(out), "<h2>Sources with problems</h2>\n<ul>\n<li>feed-a: 3 failed "
				     "polls since 2026-11-28T16:00:00Z: HTTP status 404</li>\n"
				     "<li>&lt;b&gt;x&quot;: 1 failed poll since") != NULL);
	/* The cap: DIGEST_MAX_PROBLEMS, then -ENOSPC; problems alone render. */
	CHECK_INT(digest_begin(&d, "dg_q", T0, "pi", 50), 0);
	for (unsigned i = 0; i < DIGEST_MAX_PROBLEMS; i++)
		CHECK_INT(digest_add_problem(&d, "s", T0, 3, NULL), 0);
	CHECK_INT(digest_add_problem(&d, "s", T0, 3, NULL), -ENOSPC);
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len), 0);
	CHECK(json_ok(out, len));
	CHECK(strstr(out, "\"articles\":[],\n\"problems\":[\n{\"source\":\"s\",") != NULL);
	CHECK(strstr(out, "\"error\":null}") != NULL);
}

/* The HTML check itself refuses what it is there to catch, so that a
 * renderer that let such a thing through would fail the tests above and
 * the fuzz target. */
static void test_html_check_refuses(void)
{
	static const char *const bad[] = {
		"<p>a<script>alert(1)</script></p>",
		"<p onclick=\"x\">a</p>",
		"<p ONload=\"x\">a</p>",
		"<a href=\"javascript:alert(1)\">a</a>",
		"<a href=\" https://x/\">a</a>",
		"<a href=\"data:text/html,x\">a</a>",
		"<a href=https://x/>a</a>",
		"<p>a<b>b</p></b>",
		"<p>a",
		"</p>",
		"<p>a < b</p>",
		"<p>a > b</p>",
		"<p>a & b</p>",
		"<p>&nbsp;</p>",
		"<p title=\"a\"b\">x</p>",
		"<img src=\"https://x/i.png\">",
		"<p style=\"background:url(https://x/i.png)\">a</p>",
		"<style>@import \"https://x/a.css\";</style>",
		"<style></style><script>x</script>",
		"<SCRIPT>x</SCRIPT>",
		"<iframe></iframe>",
	};
	static const char good[] = "<!DOCTYPE html>\n<p class=\"m\">a &amp; "
				   "<a href=\"HTTPS://x/\">b</a><br></p>";

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (dcheck_html(bad[i], strlen(bad[i])) == NULL) {
			printf("  passed: %s\n", bad[i]);
			check_current_failed = 1;
		}
	CHECK(dcheck_html(good, sizeof good - 1) == NULL);
	/* In text, CSS words are only text (a fuzzing find). */
	CHECK(dcheck_html("<p>@import url(x)</p>", 21) == NULL);
}

/* JSON stays strict and free of raw controls whatever bytes come in: C0
 * and C1 controls, DEL, U+2028/2029, NUL inside a sentence, quotes and
 * backslashes, and every kind of invalid UTF-8 (overlong, surrogate, past
 * U+10FFFF, cut short). */
static void test_invalid_utf8_and_controls(void)
{
	static const char ctl[] = "a\x01\x02\x08\x09\x0a\x0c\x0d\x1b[31m\x1f\x7f"
				  "\xc2\x80\xc2\x9b" "b";
	static const struct digest_span s[] = { { "caf\xc3\xa9 \xff\xfe end\x7f\xc2\x85x", 16 } };
	static const struct digest_span s2[] = {
		SPAN(ctl),
		SPAN("x\0y\"\\z"),
		SPAN("\xe2\x80\xa8sep\xe2\x80\xa9"),
		SPAN("\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82"),
	};
	struct digest_article a = { "S\xe2\x80\xa8T", "t", NULL, NULL, 0, false, s, 1, NULL, 0 };
	struct digest_article b = { "\"src\\", "t\xe2\x80\xa8" "2", "https://ex.org/\"q\\", "e\x01n",
				    0, false, s2, 4, NULL, 0 };
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_3", T0, "bad\nhost", 5), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_add(&d, &b), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len), 0);
	CHECK(json_ok(out, len));
	CHECK(strstr(out, "\"host\":\"bad host\"") != NULL);
	CHECK(strstr(out, "\"source\":\"S T\"") != NULL);
	CHECK(strstr(out, "\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end x\"") != NULL);
	CHECK(strstr(out, "{\"source\":\"\\\"src\\\\\",\"title\":\"t 2\","
			  "\"url\":\"https://ex.org/\\\"q\\\\\",\"published\":null,\"lang\":\"e n\","
			  "\"sentences\":[\"a [31m b\",\"x y\\\"\\\\z\",\"sep\","
			  "\"\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd"
			  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\"],\"also\":[]}") != NULL);
}

static void test_max_articles(void)
{
	static const struct digest_span s[] = { { "x.", 2 } };
	struct digest_article a = { "s", "t", "u", "en", 0, false, s, 1, NULL, 0 };
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
	struct digest_article a = { "s", "t", "u", "en", 0, false, s, SUMM_MAX_PICK + 1, NULL, 0 };

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
	struct digest_article a = { "s", "t", "https://x/", "en", T0, true, s, 1, NULL, 0 };
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
	for (int f = 0; f < DIGEST_FORMATS; f++) {
		size_t len = 0;
		CHECK_INT(digest_render(&d, (enum cfg_format)f, out, DIGEST_BODY_BYTES, &len), 0);
		CHECK(len <= DIGEST_BODY_BYTES);
		CHECK_INT(len, d.rendered[f]);
	}
	{
		size_t len = 0;
		digest_render(&d, CFG_FORMAT_JSON, out, sizeof out, &len);
		CHECK(json_ok(out, len));
		/* An email holds the text and HTML renderings, base64 with CRLF
		 * line ends: it is the bound that filled up, within one more
		 * article of it (HTML escapes '"' with 6 bytes). */
		digest_render(&d, CFG_FORMAT_HTML, out, sizeof out, &len);
		CHECK(html_ok(out, len));
		CHECK((len + d.rendered[CFG_FORMAT_TEXT] + sizeof big * 8) * 2 * 4 / 3 >
		      DIGEST_BODY_BYTES - DIGEST_MAIL_HEAD_BYTES);
	}
}

/* A digest for webhooks alone (digest_must_fit without DIGEST_FIT_MAIL)
 * is not held to the email bound: more articles go in than when every
 * rendering must fit, and the one named still fits a body. */
static void test_fit_only_what_is_sent(void)
{
	static char big[8000];
	static const struct digest_span s[] = { { big, sizeof big } };
	struct digest_article a = { "s", "t", "https://x/", "en", T0, true, s, 1, NULL, 0 };
	unsigned all = 0, json = 0;
	size_t len = 0;

	memset(big, 'a', sizeof big);
	CHECK_INT(digest_begin(&d, "dg_7", T0, "h", DIGEST_MAX_ARTICLES), 0);
	while (digest_add(&d, &a) == 0)
		all++;
	CHECK_INT(digest_begin(&d, "dg_7", T0, "h", DIGEST_MAX_ARTICLES), 0);
	digest_must_fit(&d, 1u << CFG_FORMAT_JSON);
	while (digest_add(&d, &a) == 0)
		json++;
	CHECK(all > 10);
	CHECK(json > all * 2);
	CHECK_INT(digest_render(&d, CFG_FORMAT_JSON, out, DIGEST_BODY_BYTES, &len), 0);
	CHECK(len <= DIGEST_BODY_BYTES && len + sizeof big > DIGEST_BODY_BYTES / 2);
	CHECK_INT(len, d.rendered[CFG_FORMAT_JSON]);
	/* digest_begin names every rendering again. */
	CHECK_INT(digest_begin(&d, "dg_7", T0, "h", DIGEST_MAX_ARTICLES), 0);
	CHECK_INT(d.must_fit, DIGEST_FIT_ALL);
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
	/* HTML: a buffer one byte short is refused with the length needed,
	 * and not written past; an exact one takes the body without its NUL. */
	CHECK_INT(digest_render(&d, CFG_FORMAT_HTML, out, sizeof out, &full), 0);
	memset(out, 'Z', full + 1);
	CHECK_INT(digest_render(&d, CFG_FORMAT_HTML, out, full - 1, &len), -ENOSPC);
	CHECK_INT(len, full);
	CHECK(out[full - 1] == 'Z' && out[full] == 'Z');
	CHECK_INT(digest_render(&d, CFG_FORMAT_HTML, out, full, &len), 0);
	CHECK_INT(len, full);
	CHECK(out[full] == 'Z');
	CHECK(strncmp(out + full - 8, "</html>\n", 8) == 0);
}

static void test_dates_out_of_range(void)
{
	static const struct digest_span s[] = { { "x.", 2 } };
	struct digest_article a = { "s", "t", "u", "en", INT64_MAX / 2, true, s, 1, NULL, 0 };
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
	struct digest_article a = { "", "10. Title", "", "", 0, false, s, 6, NULL, 0 };
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_8", T0, "h", 10), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_MARKDOWN, out, sizeof out, &len), 0);
	CHECK(strstr(out, "\n## 10\\. Title\n") != NULL);
	CHECK(strstr(out, "\n- \\- not a list\n- 1\\. not ordered\n- 2024\\) either\n"
			  "- \\# nor a heading\n- \\+ nor this\n- 1999 was fine.\n") != NULL);
	CHECK_INT(len, d.rendered[CFG_FORMAT_MARKDOWN]);
}

/* Renders one article with url in every format into bodies[f]. */
static void render_one(const char *title, const char *url, char bodies[DIGEST_FORMATS][4096])
{
	static const struct digest_span s[] = { SPAN("One.") };
	struct digest_article a = { "src", title, url, "en", 0, false, s, 1, NULL, 0 };

	CHECK_INT(digest_begin(&d, "dg_9", T0, "h", 10), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	for (int f = 0; f < DIGEST_FORMATS; f++) {
		size_t len = 0;
		CHECK_INT(digest_render(&d, (enum cfg_format)f, bodies[f], 4096, &len), 0);
		CHECK_INT(len, d.rendered[f]);
	}
}

/* Only absolute http(s) URLs reach a digest: any other scheme, however it is
 * spelled, and relative or protocol-relative references are omitted in every
 * format, exactly as an article without a URL. */
static void test_links_only_http(void)
{
	static const char *const bad[] = {
		"javascript:alert(1)",
		"JaVaScRiPt:alert(1)",
		" \t javascript:alert(document.cookie)",
		"java\tscript:alert(1)",
		"java\nscript:alert(1)",
		"\x01javascript:alert(1)",
		"jav&#x61;script:alert(1)",
		"&#106;avascript:alert(1)",
		"javascript&colon;alert(1)",
		"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
		"DATA:text/html,<script>alert(1)</script>",
		"vbscript:msgbox(1)",
		"VBScript:msgbox(1)",
		"//evil.example/x",
		"/relative/path",
		"relative",
		"file:///etc/passwd",
		"mailto:a@evil.example",
		"ftp://evil.example/",
		"https:evil.example",
		"https:/evil.example",
		"http://",
		"https:///path",
		"https://?q",
		"httpx://evil.example/",
	};
	static const char *const good[][2] = {
		{ "https://ex.org/a", "https://ex.org/a" },
		{ "HTTP://EX.ORG/", "HTTP://EX.ORG/" },
		{ "  https://ex.org/x \n", "https://ex.org/x" },
		{ "http://h", "http://h" },
	};
	static char want[DIGEST_FORMATS][4096], got[DIGEST_FORMATS][4096];

	render_one("T", NULL, want);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		render_one("T", bad[i], got);
		for (int f = 0; f < DIGEST_FORMATS; f++) {
			if (strcmp(got[f], want[f]) != 0) {
				printf("  format %d keeps the URL \"%s\"\n", f, bad[i]);
				check_current_failed = 1;
			}
		}
		CHECK(markdown_ok(got[CFG_FORMAT_MARKDOWN], strlen(got[CFG_FORMAT_MARKDOWN])));
		CHECK(html_ok(got[CFG_FORMAT_HTML], strlen(got[CFG_FORMAT_HTML])));
		CHECK(strstr(got[CFG_FORMAT_HTML], "href") == NULL);
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char json[256], md[256], text[256], html[256];

		render_one("T", good[i][0], got);
		snprintf(json, sizeof json, "\"url\":\"%s\"", good[i][1]);
		snprintf(md, sizeof md, "\n## [T](<%s>)\n", good[i][1]);
		snprintf(text, sizeof text, "\nsrc | en\n%s\n", good[i][1]);
		snprintf(html, sizeof html, "<h2><a href=\"%s\">T</a></h2>", good[i][1]);
		CHECK(strstr(got[CFG_FORMAT_JSON], json) != NULL);
		CHECK(strstr(got[CFG_FORMAT_MARKDOWN], md) != NULL);
		CHECK(strstr(got[CFG_FORMAT_TEXT], text) != NULL);
		CHECK(strstr(html_bare(got[CFG_FORMAT_HTML]), html) != NULL);
		CHECK(html_ok(got[CFG_FORMAT_HTML], strlen(got[CFG_FORMAT_HTML])));
		CHECK(markdown_ok(got[CFG_FORMAT_MARKDOWN], strlen(got[CFG_FORMAT_MARKDOWN])));
	}
	/* Without a title the link text is the URL; a dropped URL leaves none. */
	render_one("", "javascript:alert(1)", got);
	CHECK(strstr(got[CFG_FORMAT_MARKDOWN], "\n## (untitled)\n") != NULL);
	CHECK(strstr(got[CFG_FORMAT_TEXT], "\n(untitled)\nsrc | en\n  - One.\n") != NULL);
	CHECK(strstr(html_bare(got[CFG_FORMAT_HTML]), "\n<h2>(untitled)</h2>\n") != NULL);
	render_one("", "https://ex.org/&", got);
	CHECK(strstr(html_bare(got[CFG_FORMAT_HTML]),
		     "<h2><a href=\"https://ex.org/&amp;\">https://ex.org/&amp;</a></h2>") != NULL);
}

/* Hostile titles, sources, languages, sentences and URLs in Markdown: every
 * character that could open a link, an autolink, HTML, an entity, code or
 * emphasis is escaped, and a URL cannot leave its <destination>. */
static void test_markdown_injection(void)
{
	static const struct digest_span s[] = {
		SPAN("[x]: javascript:alert(1)"),
		SPAN("<script>alert(1)</script>"),
		SPAN("<javascript:alert(1)> and <https://ok.example/>"),
		SPAN("mail x@evil.example or mailto:x@evil.example"),
		SPAN("ftp://evil.example/ then https://ok.example/"),
		SPAN("[a](javascript:alert(1)) ![i](data:x) [r][1]"),
		SPAN("&#106;avascript: &lt;b&gt; `code` ``x``"),
		SPAN("line\nbreak\r\nand\x0bmore"),
		SPAN("trailing \\"),
	};
	struct digest_article a = {
		"*s*<b>", "a](javascript:alert(1)) <img src=x onerror=alert(1)> `c` \\",
		"https://ex.org/a b(c)<d>&amp;\\", "en](x)", 0, false, s,
		sizeof s / sizeof s[0], NULL, 0,
	};
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_10", T0, "h", 10), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_MARKDOWN, out, sizeof out, &len), 0);
	CHECK_INT(len, d.rendered[CFG_FORMAT_MARKDOWN]);
	CHECK(markdown_ok(out, len));
	CHECK_STR(strstr(out, "\n## "),
		  "\n## [a\\](javascript:alert(1)) \\<img src=x onerror=alert(1)\\> \\`c\\` \\\\]"
		  "(<https://ex.org/a%20b(c)%3Cd%3E\\&amp;\\\\>)\n\n"
		  "*\\*s\\*\\<b\\>* · en\\](x)\n\n"
		  "- \\[x\\]: javascript:alert(1)\n"
		  "- \\<script\\>alert(1)\\</script\\>\n"
		  "- \\<javascript:alert(1)\\> and \\<https\\://ok.example/\\>\n"
		  "- mail x\\@evil.example or mailto:x\\@evil.example\n"
		  "- ftp\\://evil.example/ then https\\://ok.example/\n"
		  "- \\[a\\](javascript:alert(1)) \\!\\[i\\](data:x) \\[r\\]\\[1\\]\n"
		  "- \\&\\#106;avascript: \\&lt;b\\&gt; \\`code\\` \\`\\`x\\`\\`\n"
		  "- line break and more\n"
		  "- trailing \\\\\n");
}

/* Text: no terminal escape sequence (7-bit ESC or 8-bit CSI), OSC 8
 * hyperlink, bell or other control character survives into the body. */
static void test_text_hostile(void)
{
	static const struct digest_span s[] = {
		SPAN("\x1b[2J\x1b[31mred\x1b[0m \xc2\x9b" "1m"),
		SPAN("\x1b]8;;javascript:alert(1)\x07" "click\x1b]8;;\x07"),
	};
	struct digest_article a = { "s\x1b[1m", "\x1b]0;owned\x07title\r\n",
				    "https://ex.org/\x1b[1m", "en\x9b", 0, false, s, 2, NULL, 0 };
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_12", T0, "h\x07", 10), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_render(&d, CFG_FORMAT_TEXT, out, sizeof out, &len), 0);
	CHECK(dcheck_clean(out, len) == NULL);
	CHECK_STR(strstr(out, "\n]0;owned title\n"),
		  "\n]0;owned title\ns [1m | en\xef\xbf\xbd\nhttps://ex.org/ [1m\n"
		  "  - [2J [31mred [0m 1m\n"
		  "  - ]8;;javascript:alert(1) click ]8;;\n");
	CHECK_INT(digest_render(&d, CFG_FORMAT_MARKDOWN, out, sizeof out, &len), 0);
	CHECK(markdown_ok(out, len));
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
	CHECK_STR(digest_content_type(CFG_FORMAT_HTML), "text/html; charset=utf-8");
	CHECK(digest_content_type((enum cfg_format)DIGEST_FORMATS) == NULL);
}

/* digest_item reads an article back as stored; digest_escape escapes as
 * the renderings do, measuring with out NULL. */
static void test_item_and_escape(void)
{
	struct digest_span sp[2] = { SPAN("One."), SPAN("  Two\tthree. ") };
	struct digest_article a = { "src", "T <i>", "javascript:x", "", 5, true, sp, 2, NULL, 0 };
	struct digest_item it;
	char buf[64];
	size_t len = 0;

	CHECK_INT(digest_begin(&d, "dg_i", T0, "h", 5), 0);
	CHECK_INT(digest_item(&d, 0, &it), -ERANGE);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK_INT(digest_item(&d, 0, &it), 0);
	CHECK_STR(it.source, "src");
	CHECK_STR(it.title, "T <i>");
	CHECK_STR(it.url, "");
	CHECK_STR(it.lang, "");
	CHECK_INT(it.n_sentences, 2);
	CHECK_STR(it.sentences, "One.");
	CHECK_STR(it.sentences + 5, "Two three.");
	CHECK(it.has_published && it.published == 5);
	CHECK_INT(digest_item(&d, 1, &it), -ERANGE);
	digest_escape(DIGEST_ESCAPE_HTML, "<a href=\"x\">&'", 15, buf, sizeof buf, &len);
	buf[len] = '\0';
	CHECK_STR(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
	len = 0;
	digest_escape(DIGEST_ESCAPE_MARKDOWN, "1. *a* @b ftp://c", 17, buf, sizeof buf, &len);
	buf[len] = '\0';
	CHECK_STR(buf, "1\\. \\*a\\* \\@b ftp\\://c");
	/* Only n bytes are read: "x:" before "//" is not "://". */
	len = 0;
	digest_escape(DIGEST_ESCAPE_MARKDOWN, "-x://", 3, buf, sizeof buf, &len);
	buf[len] = '\0';
	CHECK_STR(buf, "\\-x:");
	len = 0;
	digest_escape(DIGEST_ESCAPE_MARKDOWN_URL, "https://e.org/a b>", 18, NULL, 0, &len);
	CHECK_INT(len, strlen("<https://e.org/a%20b%3E>"));
}

/* Renders d in fmt into out: the length is the one tallied on add, the body
 * passes check (when given) and holds want. */
static int rendered_with(enum cfg_format fmt, int (*check)(const char *, size_t),
			 const char *want)
{
	size_t len = 0;

	if (digest_render(&d, fmt, out, sizeof out, &len) != 0 || len != d.rendered[fmt])
		return 0;
	if (check && !check(out, len))
		return 0;
	if (!strstr(out, want)) {
		printf("  not in the body: %s\n", want);
		return 0;
	}
	return 1;
}

/* An item with "also" entries: each format lists the other sources' names,
 * titles and links, escaped like the rest; a non-http(s) URL is no link;
 * JSON items without any carry "also":[]. */
static void test_also(void)
{
	static const struct digest_span s[] = { SPAN("Quake hits.") };
	static const struct digest_also also[] = {
		{ "El Pa\xc3\xads", "Terremoto", "https://ep.example/t?utm_x=1" },
		{ "*Evil*<b>", "a](javascript:alert(1)) <i>\"x\"", "javascript:alert(1)" },
		{ NULL, NULL, "https://x.example/" },
	};
	struct digest_article a = { "BBC", "Quake", "https://bbc.example/q", "en", 0, false, s, 1,
				    also, 3 };

	CHECK_INT(digest_begin(&d, "dg_a", T0, "pi", 50), 0);
	CHECK_INT(digest_add(&d, &a), 0);
	CHECK(rendered_with(CFG_FORMAT_JSON, json_ok,
			    "\"sentences\":[\"Quake hits.\"],\"also\":["
			    "{\"source\":\"El Pa\xc3\xads\",\"title\":\"Terremoto\","
			    "\"url\":\"https://ep.example/t?utm_x=1\"},"
			    "{\"source\":\"*Evil*<b>\",\"title\":\"a](javascript:alert(1)) <i>\\\"x\\\"\","
			    "\"url\":null},"
			    "{\"source\":\"\",\"title\":\"\",\"url\":\"https://x.example/\"}]}"));
	CHECK(rendered_with(CFG_FORMAT_MARKDOWN, markdown_ok,
			    "- Quake hits.\n\nAlso in: *El Pa\xc3\xads*: "
			    "[Terremoto](<https://ep.example/t?utm_x=1>) · "
			    "*\\*Evil\\*\\<b\\>*: a\\](javascript:alert(1)) \\<i\\>\"x\" · "
			    "[https\\://x.example/](<https://x.example/>)\n"));
	CHECK(rendered_with(CFG_FORMAT_TEXT, NULL,
			    "  - Quake hits.\n"
			    "  Also in El Pa\xc3\xads: Terremoto https://ep.example/t?utm_x=1\n"
			    "  Also in *Evil*<b>: a](javascript:alert(1)) <i>\"x\"\n"
			    "  Also in (unknown source): (untitled) https://x.example/\n"));
	CHECK(rendered_with(CFG_FORMAT_HTML, html_ok,
			    ">Also in: El Pa\xc3\xads: <a class=\"dg-a\" "
			    "href=\"https://ep.example/t?utm_x=1\""));
	CHECK(strstr(out, "&lt;b&gt;: a](javascript:alert(1)) &lt;i&gt;&quot;x&quot; · ") != NULL);
	CHECK(strstr(out, "href=\"javascript") == NULL);
}

/* More than DIGEST_MAX_ALSO entries is the caller's mistake; a digest whose
 * also entries fill it refuses the article whole (-ENOSPC, d unchanged). */
static void test_also_limits(void)
{
	static char big[20000];
	static struct digest_also also[DIGEST_MAX_ALSO + 1];
	static const struct digest_span s[] = { SPAN("S.") };
	struct digest_article a = { "s", "t", "https://x/", "en", 0, false, s, 1, also,
				    DIGEST_MAX_ALSO + 1 };
	size_t before[DIGEST_FORMATS];
	unsigned n = 0;
	int rc = 0;

	memset(big, '<', sizeof big - 1);
	for (unsigned i = 0; i <= DIGEST_MAX_ALSO; i++)
		also[i] = (struct digest_also){ "src", big, "https://y/" };
	CHECK_INT(digest_begin(&d, "dg_b", T0, "h", DIGEST_MAX_ARTICLES), 0);
	CHECK_INT(digest_add(&d, &a), -EINVAL);
	a.n_also = 3;
	a.also = NULL;
	CHECK_INT(digest_add(&d, &a), -EINVAL);
	a.also = also;
	while (rc == 0) {
		memcpy(before, d.rendered, sizeof before);
		rc = digest_add(&d, &a);
		n += rc == 0;
	}
	CHECK_INT(rc, -ENOSPC);
	CHECK(n >= 1);
	CHECK_INT(digest_count(&d), n);
	CHECK(memcmp(before, d.rendered, sizeof before) == 0);
	for (int f = 0; f < DIGEST_FORMATS; f++) {
		size_t len = 0;
		CHECK_INT(digest_render(&d, (enum cfg_format)f, out, DIGEST_BODY_BYTES, &len), 0);
		CHECK_INT(len, d.rendered[f]);
	}
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
	RUN(test_html_two);
	RUN(test_html_hostile);
	RUN(test_html_check_refuses);
	RUN(test_invalid_utf8_and_controls);
	RUN(test_max_articles);
	RUN(test_too_many_sentences);
	RUN(test_fills_to_cap);
	RUN(test_fit_only_what_is_sent);
	RUN(test_small_buffer);
	RUN(test_dates_out_of_range);
	RUN(test_markdown_block_starts);
	RUN(test_links_only_http);
	RUN(test_markdown_injection);
	RUN(test_text_hostile);
	RUN(test_deterministic);
	RUN(test_content_types);
	RUN(test_problems);
	RUN(test_item_and_escape);
	RUN(test_also);
	RUN(test_also_limits);
	return CHECK_EXIT();
}
