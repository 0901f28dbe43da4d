/* SPDX-License-Identifier: MIT */
/* Unit tests for src/sources/opml: outlines and their folders, title versus
 * text, entities, names made valid and unique, and hostile input refused
 * with its line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/cfg.h"
#include "sources/opml.h"

static struct opml_reader r;
static struct opml_names names;
static struct cfg config;

/* The outlines of doc as "name|category|url|line;" after each other. */
static char got[4096];

static int collect(const struct opml_outline *o, void *ctx)
{
	char name[CFG_SOURCE_NAME_BYTES];
	size_t n = strlen(got);

	(void)ctx;
	if (opml_name(&names, o, name) < 0)
		return -ENOSPC;
	snprintf(got + n, sizeof(got) - n, "%s|%s|%s|%u;", name, o->category, o->url, o->line);
	return 0;
}

static int parse(const char *doc)
{
	got[0] = '\0';
	memset(&names, 0, sizeof(names));
	return opml_parse(&r, doc, strlen(doc), collect, NULL);
}

static void test_folders(void)
{
	CHECK_INT(parse("<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title>"
			"</head>\n<body>\n"
			"<outline text=\"A\"><outline text=\"B\" title=\"Bee\">\n"
			"<outline title=\"one\" xmlUrl=\"https://e.org/1\"/></outline>\n"
			"<outline text=\"two\" xmlUrl=\"https://e.org/2\"/></outline>\n"
			"<outline text=\"three\" xmlUrl=\"http://e.org/3\"/>\n"
			"<outline text=\"C\"/>\n"
			"<outline text=\"four\" xmlUrl=\"https://e.org/4\"/>\n"
			"</body></opml>\n"),
		  0);
	/* title wins over text; a folder's folders joined by '/', closed again
	 * at its end; an empty folder opens nothing. */
	CHECK_STR(got, "one|A/Bee|https://e.org/1|5;two|A|https://e.org/2|6;"
		       "three||http://e.org/3|7;four||https://e.org/4|9;");
}

static void test_entities(void)
{
	CHECK_INT(parse("<opml><body><outline text=\"News &amp; Views &#x2014; &quot;x&quot;\" "
			"xmlUrl=\"https://e.org/f?a=1&amp;b=2\"/><outline text=\"t\" "
			"XMLURL=\"https://e.org/g\"/></body></opml>"),
		  0);
	CHECK_STR(got, "News-Views-x||https://e.org/f?a=1&b=2|1;t||https://e.org/g|1;");
	/* A newline in a title is a space: it goes into an ini comment. */
	CHECK_INT(parse("<opml><body><outline text=\"a\"><outline text=\"x&#10;[source y]\" "
			"xmlUrl=\"https://e.org/\"/></outline></body></opml>"),
		  0);
	CHECK_STR(r.o.title, "x [source y]");
}

static void test_names(void)
{
	struct opml_outline o = { .url = "https://www.Example.org/feed" };
	char name[CFG_SOURCE_NAME_BYTES];

	memset(&names, 0, sizeof(names));
	snprintf(o.title, sizeof(o.title), "Süddeutsche Zeitung: Ça va?");
	CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "Suddeutsche-Zeitung-Ca-va");
	/* Valid names map to themselves, "--" and a trailing '.' included. */
	snprintf(o.title, sizeof(o.title), "a--b_c.");
	CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "a--b_c.");
	/* No ASCII letters at all: the host; nothing usable: "feed". */
	snprintf(o.title, sizeof(o.title), "日本経済新聞");
	CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "www.example.org");
	snprintf(o.title, sizeof(o.title), " -. ");
	snprintf(o.url, sizeof(o.url), "https://[::1]/");
	CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "1");
	o.url[0] = '\0';
	CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "feed");
	/* Long titles cut to 31 bytes; the duplicates' suffix still fits. */
	snprintf(o.title, sizeof(o.title), "%s", "The Quite Long Title Of A Newspaper");
	CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "The-Quite-Long-Title-Of-A-Newsp");
	CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "The-Quite-Long-Title-Of-A-New-2");
	snprintf(o.title, sizeof(o.title), "feed");
	CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "feed-2");
	/* Every name made loads as a [source NAME]. */
	for (unsigned i = 0; i < names.n; i++) {
		char ini[128];
		struct cfg_error err;

		snprintf(ini, sizeof(ini), "[source %s]\nurl = https://e.org/\n", names.name[i]);
		CHECK_INT(cfg_load_buffer(ini, strlen(ini), "t.ini", "/", 0, &config, &err), 0);
	}
}

static void test_names_full(void)
{
	struct opml_outline o = { .title = "x", .url = "https://e.org/" };
	char name[CFG_SOURCE_NAME_BYTES];

	memset(&names, 0, sizeof(names));
	for (unsigned i = 0; i < CFG_MAX_SOURCES; i++)
		CHECK_INT(opml_name(&names, &o, name), 0);
	CHECK_STR(name, "x-1000");
	CHECK_INT(opml_name(&names, &o, name), -ENOSPC);
}

static void test_refused(void)
{
	static char deep[4096];
	size_t n = 0;

	CHECK_INT(parse("<rss><channel/></rss>"), -EBADMSG);
	CHECK_STR(r.why, "not an OPML file: the first element is <rss>, not <opml>");
	CHECK_INT(parse("just text"), -EBADMSG);
	CHECK_INT(r.line, 0);
	CHECK_INT(parse("<?xml version='1.0'?>\n<!DOCTYPE opml [<!ENTITY a 'x'>]>\n<opml/>"),
		  -EBADMSG);
	CHECK_INT(r.line, 2);
	/* A DOCTYPE without a subset is harmless. */
	CHECK_INT(parse("<!DOCTYPE opml>\n<opml/>"), 0);
	CHECK_INT(parse("<opml><body>\n<outline text='x' xmlUrl='https://e.org/'/>\n"
			"<outline text='y' xmlUrl='ftp://e.org/f?k=secret'/></body></opml>"),
		  -EBADMSG);
	CHECK_INT(r.line, 3);
	CHECK_STR(r.why, "xmlUrl 'ftp://e.org/f?***' is not an http:// or https:// URL");
	CHECK_INT(parse("<opml><body><outline text='y' xmlUrl=' '/></body></opml>"), -EBADMSG);
	CHECK_STR(r.why, "an outline has an empty xmlUrl");
	CHECK_INT(parse("<opml><body><outline xmlUrl='https://e.org/a b'/></body></opml>"),
		  -EBADMSG);
	CHECK(strstr(r.why, "xmlUrl 'https://e.org/a b': ") == r.why);
	n += (size_t)snprintf(deep, sizeof(deep), "<opml>");
	for (unsigned i = 0; i < OPML_MAX_DEPTH + 1; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<outline text='f'>");
	CHECK_INT(parse(deep), -EBADMSG);
	CHECK_STR(r.why, "outlines nested deeper than 64 levels");
	/* Nothing was handed out from a file refused so. */
	CHECK_STR(got, "");
}

static void test_long_url(void)
{
	static char doc[CFG_URL_BYTES + 128];
	size_t n = (size_t)snprintf(doc, sizeof(doc), "<opml><outline xmlUrl='https://e.org/");

	while (n < CFG_URL_BYTES + 64)
		doc[n++] = 'a';
	snprintf(doc + n, sizeof(doc) - n, "'/></opml>");
	CHECK_INT(parse(doc), -EBADMSG);
	CHECK_STR(r.why, "an outline's xmlUrl is longer than 1023 bytes");
}

static int stop(const struct opml_outline *o, void *ctx)
{
	(*(unsigned *)ctx)++;
	(void)o;
	return -EINTR;
}

static void test_callback_stops(void)
{
	const char *doc = "<opml><outline xmlUrl='https://e.org/1'/>"
			  "<outline xmlUrl='https://e.org/2'/></opml>";
	unsigned calls = 0;

	CHECK_INT(opml_parse(&r, doc, strlen(doc), stop, &calls), -EINTR);
	CHECK_INT(calls, 1);
}

int main(void)
{
	RUN(test_folders);
	RUN(test_entities);
	RUN(test_names);
	RUN(test_names_full);
	RUN(test_refused);
	RUN(test_long_url);
	RUN(test_callback_stops);
	return CHECK_EXIT();
}
