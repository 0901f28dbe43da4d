/* SPDX-License-Identifier: MIT */
/* Tests for the HTML extractor: text reduction (entities, dropped elements,
 * malformed markup, caps, bad UTF-8), metadata, main-content choice and pages
 * in legacy charsets. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/utf8.h"
#include "extract/html.h"

static char out[8192];
static struct html_page meta;

static long text_of(const char *html)
{
	return html_to_text(html, strlen(html), out, sizeof(out));
}

static long extract(const char *html)
{
	return html_extract(html, strlen(html), NULL, &meta, out, sizeof(out));
}

static int valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		uint32_t cp;
		size_t k = utf8_decode(p, end, &cp);

		if (cp == UTF8_REPLACEMENT && k == 1 && *p != 0xEF)
			return 0;
		p += k;
	}
	return 1;
}

static int has(const char *needle)
{
	return strstr(out, needle) != NULL;
}

/* A paragraph long enough to look like article text. */
#define PARA(w)                                                                       \
	"<p>The " w " council met on Tuesday evening to discuss the new budget, which " \
	"includes money for schools, roads and the library. Residents asked many "    \
	"questions, and the mayor promised answers by next week.</p>"

static const char article_page[] =
	"<!DOCTYPE html><html lang=\"fr-CA\"><head><title>Town news - Daily Site</title>"
	"<meta property=\"og:title\" content=\"Budget &amp; schools\">"
	"<meta property=\"article:published_time\" content=\"2024-03-05T10:00:00Z\">"
	"<style>body { color: red }</style><script>var s = '<p>script text</p>';</script>"
	"</head><body>"
	"<header><a href=/>Home</a> <a href=/news>News</a> Site header words</header>"
	"<nav><ul><li><a href=/a>Navigation one</a><li><a href=/b>Navigation two</a></ul></nav>"
	"<div class=sidebar><h3>Popular</h3><ul>"
	"<li><a href=/1>Sidebar link about sports and weather today</a></li>"
	"<li><a href=/2>Sidebar link about cooking and gardening tips</a></li>"
	"<li><a href=/3>Sidebar link about travel, hotels and flights</a></li>"
	"<li><a href=/4>Sidebar link about money, taxes and savings</a></li></ul></div>"
	"<div id=main><article><h1>Budget &amp; schools</h1>"
	"<time datetime=\"2024-03-04\">March 4</time>"
	"<h2>A second heading</h2>"
	PARA("first") PARA("second") PARA("third") PARA("fourth")
	"<div class=share><a href=/s>Share on social</a> <a href=/t>Tweet</a></div>"
	"</article></div>"
	"<footer><p>Copyright footer text, all rights reserved, contact us.</p></footer>"
	"</body></html>";

static void test_entities(void)
{
	CHECK_INT(text_of("<p>Caf&eacute; &amp; cr&egrave;me &#8212; 5 &lt; 6&nbsp;!</p>"), 26);
	CHECK_STR(out, "Caf\xC3\xA9 & cr\xC3\xA8me \xE2\x80\x94 5 < 6 !");
	text_of("<p>AT&T &copy 2024 &bogus; a=1&copy=2 &#x1F600;</p>");
	CHECK_STR(out, "AT&T \xC2\xA9 2024 &bogus; a=1&copy=2 \xF0\x9F\x98\x80");
}

static void test_whitespace_and_blocks(void)
{
	text_of("  <div>  one\n\t two  </div><p>three<br>four</p> <span>five</span>"
		"<ul><li>six<li>seven</ul>");
	CHECK_STR(out, "one two\nthree\nfour\nfive\nsix\nseven");
	text_of("<p>soft\xC2\xADhyphen and <b>bold</b><i>italic</i> words</p>");
	CHECK_STR(out, "softhyphen and bolditalic words");
}

static void test_dropped_elements(void)
{
	text_of("<p>a</p><script>document.write('<p>no</p>')</script>"
		"<style>p::after { content: 'no' }</style><noscript>no</noscript>"
		"<template><p>no</p></template><svg><text>no</text></svg>"
		"<form><label>no</label><input value=no><button>no</button>"
		"<select><option>no</select></form><iframe>no</iframe>"
		"<textarea>no</textarea><p hidden>no</p><p style=\"display: none\">no</p>"
		"<div aria-hidden=true>no</div><p>b</p>");
	CHECK_STR(out, "a\nb");
	text_of("<SCRIPT type=x>if (a < b) { x = '</scripty>'; }</SCRIPT ><p>after</p>");
	CHECK_STR(out, "after");
}

static void test_comments_cdata_doctype(void)
{
	text_of("<!DOCTYPE html><!-- hidden <p>x</p> --><p>shown</p><!----><!-->"
		"<![CDATA[raw &amp; kept]]><?php echo 1 ?><p>end</p><!-- unterminated <p>no");
	CHECK_STR(out, "shown\nraw &amp; kept\nend");
}

static void test_malformed(void)
{
	text_of("<p>a < b and c<d</p><div class=x id='y>text</div>");
	CHECK_STR(out, "a < b and c");
	text_of("<p>one<p>two</div></div></span><p>three</b></p></p>");
	CHECK_STR(out, "one\ntwo\nthree");
	text_of("<div><p>open <b>bold <i>both");
	CHECK_STR(out, "open bold both");
	text_of("text <a href=x");
	CHECK_STR(out, "text");
	text_of("<p title=\"unterminated>never</p>");
	CHECK_STR(out, "");
	text_of("</>stray<//x>< p>lt</ p>");
	CHECK_STR(out, "stray< p>lt");
	CHECK_INT(text_of(""), 0);
	CHECK_STR(out, "");
}

static void test_invalid_utf8(void)
{
	long n = text_of("<p>bad \xFF\xFE byte \xC3 end \xED\xA0\x80 sur\xE2\x82</p>");

	CHECK(n > 0);
	CHECK(valid_utf8(out, (size_t)n));
	CHECK_STR(out, "bad \xEF\xBF\xBD\xEF\xBF\xBD byte \xEF\xBF\xBD end "
		       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD sur\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void test_output_cap(void)
{
	static const char html[] = "<p>ab\xC3\xA9" "cd</p><p>efgh</p>";
	char small[8];
	long n;

	memset(small, 'x', sizeof(small));
	n = html_to_text(html, strlen(html), small, 5);
	CHECK_INT(n, 4); /* "ab" + 2-byte e-acute fits in 4, NUL in the 5th */
	CHECK_STR(small, "ab\xC3\xA9");
	n = html_to_text(html, strlen(html), small, 4);
	CHECK_INT(n, 2); /* the e-acute would need bytes 3-4: cut before it */
	CHECK_STR(small, "ab");
	n = html_to_text(html, strlen(html), small, 1);
	CHECK_INT(n, 0);
	CHECK_STR(small, "");
	n = html_extract(article_page, strlen(article_page), NULL, &meta, small, sizeof(small));
	CHECK(n >= 0 && n <= 7);
	CHECK_INT(strlen(small), n);
	CHECK_INT(html_to_text(html, strlen(html), NULL, 10), -EINVAL);
	CHECK_INT(html_to_text(html, strlen(html), small, 0), -EINVAL);
	CHECK_INT(html_extract(html, strlen(html), NULL, &meta, small, 0), -EINVAL);
}

static void test_metadata(void)
{
	extract(article_page);
	CHECK_STR(meta.title, "Budget & schools");
	CHECK_STR(meta.date, "2024-03-05T10:00:00Z");
	CHECK_STR(meta.lang, "fr-CA");
	extract("<html><head><title> Plain\n &amp; simple </title></head>"
		"<body><time datetime=\"2023-01-02T03:04\">x</time>"
		"<time datetime=\"1999-01-01\">y</time></body></html>");
	CHECK_STR(meta.title, "Plain & simple");
	CHECK_STR(meta.date, "2023-01-02T03:04");
	CHECK_STR(meta.lang, "");
	extract("<title>First</title><svg><title>icon</title></svg><title>Second</title>");
	CHECK_STR(meta.title, "First");
}

static void test_main_content(void)
{
	long n = extract(article_page);

	CHECK(n > 0);
	CHECK(has("The first council met"));
	CHECK(has("The fourth council met"));
	CHECK(has("A second heading"));
	CHECK(!has("Sidebar link"));
	CHECK(!has("Navigation"));
	CHECK(!has("header words"));
	CHECK(!has("footer"));
	CHECK(!has("script text"));
	CHECK(!has("color"));
	CHECK(!has("Tweet"));
	/* The h1 repeats the title: not part of the text. */
	CHECK(!has("Budget & schools"));
	CHECK(has("March 4\nA second heading\nThe first council"));
}

/* Without any class hints the link-heavy list loses to the paragraphs. */
static void test_link_density(void)
{
	extract("<body><div><div>"
		"<p><a href=1>Link one with a long descriptive title, for readers</a></p>"
		"<p><a href=2>Link two with a long descriptive title, for readers</a></p>"
		"<p><a href=3>Link three with a long descriptive title, for readers</a></p>"
		"<p><a href=4>Link four with a long descriptive title, for readers</a></p>"
		"<p><a href=5>Link five with a long descriptive title, for readers</a></p>"
		"</div><div>" PARA("quiet") PARA("calm") "</div></div></body>");
	CHECK(has("The quiet council"));
	CHECK(has("The calm council"));
	CHECK(!has("Link one"));
}

static long extract_as(const char *html, const char *content_type)
{
	return html_extract(html, strlen(html), content_type, &meta, out, sizeof(out));
}

/* Pages in legacy charsets: the Content-Type or a <meta> names them, the
 * bytes are decoded in text, <title> and attribute values alike. */
static void test_legacy_charsets(void)
{
	static const char cp1252[] =
		"<html lang=fr><head><title>Le c\x9Cur du d\xE9" "bat \x96 5 \x80</title></head>"
		"<body><p>Le c\x9Cur du d\xE9" "bat co\xFBte 5 \x80, \x93" "dit\x94 l'\xE9lu &amp; "
		"&eacute;t\xE9.</p></body></html>";
	static const char latin9[] =
		"<html><head><meta http-equiv=Content-Type content=\"text/html; charset=ISO-8859-15\">"
		"<meta property=og:title content=\"\xA4 et \xBDuvre\"><title>x</title></head>"
		"<body><p>Une \xBDuvre \xE0 10 \xA4, \xE9t\xE9 \xA6" "a.</p></body></html>";
	static const char utf16[] = "\xFF\xFE<\0p\0>\0x\0";

	CHECK(extract_as(cp1252, "text/html; charset=windows-1252") > 0);
	CHECK_STR(meta.title, "Le c\xC5\x93ur du d\xC3\xA9" "bat \xE2\x80\x93 5 \xE2\x82\xAC");
	CHECK_STR(out, "Le c\xC5\x93ur du d\xC3\xA9" "bat co\xC3\xBB" "te 5 \xE2\x82\xAC, "
		       "\xE2\x80\x9C" "dit\xE2\x80\x9D l'\xC3\xA9lu & \xC3\xA9t\xC3\xA9.");
	/* ISO-8859-1 is read as windows-1252, as browsers do */
	CHECK(extract_as(cp1252, "text/html; charset=iso-8859-1") > 0);
	CHECK(has("5 \xE2\x82\xAC, \xE2\x80\x9C" "dit"));
	/* undeclared and not UTF-8: windows-1252 too */
	CHECK(extract_as(cp1252, NULL) > 0);
	CHECK(has("Le c\xC5\x93ur"));
	/* declared in a <meta>: ISO-8859-15, where 0xA4 is the euro sign */
	CHECK(extract_as(latin9, "text/html") > 0);
	CHECK_STR(meta.title, "\xE2\x82\xAC et \xC5\x93uvre");
	CHECK_STR(out, "Une \xC5\x93uvre \xC3\xA0 10 \xE2\x82\xAC, \xC3\xA9t\xC3\xA9 \xC5\xA0" "a.");
	/* the header beats the meta */
	CHECK(extract_as(latin9, "text/html; charset=windows-1252") > 0);
	CHECK(has("10 \xC2\xA4"));
	/* a UTF-16 page is refused with empty results */
	CHECK_INT(html_extract(utf16, sizeof(utf16) - 1, NULL, &meta, out, sizeof(out)),
		  -ENOTSUP);
	CHECK_STR(out, "");
	CHECK_STR(meta.title, "");
	/* a UTF-8 BOM is not text */
	CHECK(extract_as("\xEF\xBB\xBF<title>T\xC3\xA9</title><p>x</p>", "text/html; charset=koi8-r") > 0);
	CHECK_STR(meta.title, "T\xC3\xA9");
}

static void test_fragment_keeps_all(void)
{
	text_of("<nav>Fragment nav</nav><p>Body</p><aside>Aside note</aside>"
		"<footer>Foot</footer><header>Head</header>");
	CHECK_STR(out, "Fragment nav\nBody\nAside note\nFoot\nHead");
}

int main(void)
{
	RUN(test_entities);
	RUN(test_whitespace_and_blocks);
	RUN(test_dropped_elements);
	RUN(test_comments_cdata_doctype);
	RUN(test_malformed);
	RUN(test_invalid_utf8);
	RUN(test_output_cap);
	RUN(test_metadata);
	RUN(test_main_content);
	RUN(test_link_density);
	RUN(test_fragment_keeps_all);
	RUN(test_legacy_charsets);
	return CHECK_EXIT();
}
