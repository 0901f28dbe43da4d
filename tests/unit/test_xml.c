/* SPDX-License-Identifier: MIT */
/* Unit tests for src/sources/xml: token stream, namespaces, attributes,
 * entity decoding, tolerance of broken markup, DOCTYPE safety, limits. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sources/xml.h"

static struct xml_reader r;
static struct xml_token t;

/* Renders the token stream compactly: S(name) E(name) T(text) C(cdata). */
static const char *stream(const char *doc)
{
	static char out[2048];
	size_t o = 0;

	xml_init(&r, doc, strlen(doc));
	out[0] = '\0';
	while (xml_next(&r, &t) != XML_EOF && o < sizeof(out) - 200) {
		int n = 0;
		switch (t.type) {
		case XML_START:
			n = snprintf(out + o, sizeof(out) - o, "S%u(%s)", t.depth, t.name);
			break;
		case XML_END:
			n = snprintf(out + o, sizeof(out) - o, "E%u(%s)", t.depth, t.name);
			break;
		case XML_TEXT:
			n = snprintf(out + o, sizeof(out) - o, "T(%.*s)", (int)t.text_len, t.text);
			break;
		case XML_CDATA:
			n = snprintf(out + o, sizeof(out) - o, "C(%.*s)", (int)t.text_len, t.text);
			break;
		case XML_COMMENT:
			n = snprintf(out + o, sizeof(out) - o, "!");
			break;
		case XML_PI:
			n = snprintf(out + o, sizeof(out) - o, "?");
			break;
		case XML_DOCTYPE:
			n = snprintf(out + o, sizeof(out) - o, "D");
			break;
		case XML_EOF:
		default:
			break;
		}
		o += (size_t)n;
	}
	return out;
}

static void test_basic_stream(void)
{
	CHECK_STR(stream("<?xml version=\"1.0\"?><!-- c --><a x='1'>hi<b/><![CDATA[<raw>]]></a>"),
		  "?!S1(a)T(hi)S2(b)E2(b)C(<raw>)E1(a)");
	CHECK_STR(stream("<a><b>x</b ></a>"), "S1(a)S2(b)T(x)E2(b)E1(a)");
	CHECK_INT(r.errors, 0);
}

static void test_tolerance(void)
{
	/* unclosed children are closed by their parent's end tag */
	CHECK_STR(stream("<a><p>one<br>two</a>"), "S1(a)S2(p)T(one)S3(br)T(two)E3(br)E2(p)E1(a)");
	CHECK(r.errors > 0);
	/* stray end tags are dropped; open elements are closed at EOF */
	CHECK_STR(stream("<a></x>t<b>"), "S1(a)T(t)S2(b)E2(b)E1(a)");
	/* '<' and '&' that are not markup stay text */
	CHECK_STR(stream("<a>1 < 2 && 3 <= 4</a>"), "S1(a)T(1 < 2 && 3 <= 4)E1(a)");
	/* unterminated comment, CDATA and tag run to the end */
	CHECK_STR(stream("<a><!-- open"), "S1(a)!E1(a)");
	CHECK_STR(stream("<a><![CDATA[open"), "S1(a)C(open)E1(a)");
	CHECK_STR(stream("<a b=\"x"), "S1(a)E1(a)");
	CHECK_STR(stream("<"), "T(<)");
	CHECK_STR(stream("<a>x</A>"), "S1(a)T(x)E1(a)");
}

static void test_doctype(void)
{
	/* the internal subset is skipped, entities are never expanded */
	const char *doc = "<!DOCTYPE a [ <!ENTITY x \"&y;&y;\"> <!ENTITY y \"]>\"> ]><a>&x;</a>";
	struct xml_out o;
	char buf[64];

	CHECK_STR(stream(doc), "DS1(a)T(&x;)E1(a)");
	xml_out_init(&o, buf, sizeof(buf));
	xml_out_text(&o, "&x;", 3);
	CHECK_STR(buf, "&x;");
}

static void test_namespaces(void)
{
	const char *doc = "<rss xmlns:c='http://purl.org/rss/1.0/modules/content/' "
			  "xmlns:a='http://www.w3.org/2005/Atom'><c:encoded/><a:link/>"
			  "<x xmlns='http://www.w3.org/2005/Atom'><y/></x><z/><dc:date/>"
			  "<q xmlns:a='urn:other'><a:link/></q><a:link/></rss>";
	enum xml_ns want[] = { XML_NS_NONE, XML_NS_CONTENT, XML_NS_ATOM, XML_NS_ATOM, XML_NS_ATOM,
			       XML_NS_NONE, XML_NS_DC, XML_NS_NONE, XML_NS_OTHER, XML_NS_ATOM };
	unsigned i = 0;

	xml_init(&r, doc, strlen(doc));
	while (xml_next(&r, &t) != XML_EOF) {
		if (t.type != XML_START)
			continue;
		if (i < sizeof(want) / sizeof(want[0]))
			CHECK_INT(t.ns, want[i]);
		i++;
	}
	CHECK_INT(i, 10);
}

static void test_attributes(void)
{
	const struct xml_attr *a;
	const char *doc = "<e xml:base=\"http://x/\" xml:lang='fr' href=\"a&amp;b\" flag novalue=x>";

	xml_init(&r, doc, strlen(doc));
	CHECK_INT(xml_next(&r, &t), XML_START);
	CHECK_INT(t.nattr, 5);
	a = xml_attr_find(&t, XML_NS_XML, "base");
	CHECK(a && a->val_len == 9 && memcmp(a->val, "http://x/", 9) == 0);
	a = xml_attr_find(&t, XML_NS_XML, "lang");
	CHECK(a && a->val_len == 2);
	a = xml_attr_find(&t, XML_NS_NONE, "href");
	CHECK(a && a->val_len == 7); /* raw: decoding is the caller's choice */
	a = xml_attr_find(&t, XML_NS_NONE, "novalue");
	CHECK(a && a->val_len == 1 && a->val[0] == 'x');
	CHECK(xml_attr_find(&t, XML_NS_NONE, "missing") == NULL);
}

static void test_decode(void)
{
	struct xml_out o;
	char buf[64], small[6];

	xml_out_init(&o, buf, sizeof(buf));
	xml_out_text(&o, "&amp;lt;p&amp;gt; &eacute;&#233;&#xE9; &bogus; AT&T",
		     strlen("&amp;lt;p&amp;gt; &eacute;&#233;&#xE9; &bogus; AT&T"));
	CHECK_STR(buf, "&lt;p&gt; \xC3\xA9\xC3\xA9\xC3\xA9 &bogus; AT&T");
	xml_out_init(&o, buf, sizeof(buf));
	xml_out_raw(&o, "&amp;\xFF\0x", 8);
	CHECK_STR(buf, "&amp;\xEF\xBF\xBDx");
	/* a full buffer keeps whole characters only */
	xml_out_init(&o, small, sizeof(small));
	xml_out_text(&o, "ab&eacute;&eacute;", 18);
	CHECK_STR(small, "ab\xC3\xA9");
	CHECK(o.full);
}

static void test_limits(void)
{
	char doc[4096];
	size_t o = 0;
	unsigned starts = 0, ends = 0, maxd = 0;
	char name[200];

	/* deeper than XML_MAX_DEPTH: still balanced */
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(doc + o, sizeof(doc) - o, "<d>");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(doc + o, sizeof(doc) - o, "</d>");
	xml_init(&r, doc, o);
	while (xml_next(&r, &t) != XML_EOF) {
		starts += t.type == XML_START;
		ends += t.type == XML_END;
		if (t.depth > maxd)
			maxd = t.depth;
	}
	CHECK_INT(starts, 100);
	CHECK_INT(ends, 100);
	CHECK_INT(maxd, 100);
	/* a long name is cut to fit */
	memset(name, 'n', sizeof(name));
	name[0] = '<';
	name[sizeof(name) - 1] = '>';
	xml_init(&r, name, sizeof(name));
	CHECK_INT(xml_next(&r, &t), XML_START);
	CHECK_INT(strlen(t.name), XML_NAME_BYTES - 1);
}

int main(void)
{
	RUN(test_basic_stream);
	RUN(test_tolerance);
	RUN(test_doctype);
	RUN(test_namespaces);
	RUN(test_attributes);
	RUN(test_decode);
	RUN(test_limits);
	return CHECK_EXIT();
}
