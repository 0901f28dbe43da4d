/* SPDX-License-Identifier: MIT */
/* Unit tests for src/sources/feed: return values, callback control, field
 * precedence (FeedBurner's origLink too), truncation at the field sizes, charsets and base URLs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/log.h"
#include "digest/seen.h"
#include "sources/feed.h"

struct got {
	int n, stop_after;
	char title[4][FEED_TITLE_BYTES];
	char link[4][FEED_URL_BYTES];
	char id[4][sizeof(((struct feed_entry *)0)->id)];
	int has_pub[4], has_upd[4];
	long long pub[4];
	size_t title_len;
	unsigned nenc;
	long long enc_len[FEED_MAX_ENCLOSURES];
	char author[4][FEED_AUTHOR_BYTES];
	char categories[4][FEED_CATEGORIES_BYTES];
};

static int collect(const struct feed_entry *e, void *ctx)
{
	struct got *s = ctx;

	if (s->n < 4) {
		memcpy(s->title[s->n], e->title, sizeof(e->title));
		memcpy(s->link[s->n], e->link, sizeof(e->link));
		memcpy(s->id[s->n], e->id, sizeof(e->id));
		s->has_pub[s->n] = e->has_published;
		s->has_upd[s->n] = e->has_updated;
		s->pub[s->n] = (long long)e->published;
		memcpy(s->author[s->n], e->author, sizeof(e->author));
		memcpy(s->categories[s->n], e->categories, sizeof(e->categories));
	}
	s->title_len = strlen(e->title);
	s->nenc = e->nenclosures;
	for (unsigned i = 0; i < e->nenclosures; i++)
		s->enc_len[i] = (long long)e->enclosure[i].length;
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

static int parse(const char *doc, const char *base, const char *ct, struct got *s)
{
	memset(s, 0, sizeof(*s));
	return feed_parse(doc, strlen(doc), base, ct, 0, collect, s);
}

static void test_not_a_feed(void)
{
	struct got s;

	CHECK_INT(parse("", NULL, NULL, &s), -EBADMSG);
	CHECK_INT(parse("<html><body><item>x</item></body></html>", NULL, NULL, &s), -EBADMSG);
	CHECK_INT(parse("{\"title\":\"not a feed\"}", NULL, NULL, &s), -EBADMSG);
	CHECK_INT(parse("\x1f\x8b\x08\x00", NULL, NULL, &s), -EBADMSG);
	CHECK_INT(parse("<rss version=\"2.0\"><channel></channel></rss>", NULL, NULL, &s), 0);
	CHECK_INT(s.n, 0);
}

/* Parses doc with flags while stderr goes to a file; returns what was
 * written there (at most size - 1 bytes). */
static const char *logged(const char *doc, unsigned flags, char *out, size_t size)
{
	struct check_capture c;
	struct got s;

	if (check_stderr_begin(&c) < 0)
		return "(no tmpfile)";
	memset(&s, 0, sizeof(s));
	CHECK_INT(feed_parse(doc, strlen(doc), "https://e.org/f", NULL, flags, collect, &s), 2);
	check_stderr_end(&c, out, size);
	return out;
}

/* A broken feed is said once: FEED_QUIET (the first of two passes over one
 * feed) says nothing, at whatever log level. */
static void test_quiet(void)
{
	const char *doc = "<rss><channel><item><title>1</title></item><item";
	char out[512];

	log_set_level(LOG_LVL_INFO);
	CHECK(strstr(logged(doc, 0, out, sizeof(out)), "https://e.org/f: feed is not well-formed") != NULL);
	CHECK_STR(logged(doc, FEED_QUIET, out, sizeof(out)), "");
	log_set_level(LOG_LVL_DEBUG);
	CHECK_STR(logged(doc, FEED_QUIET, out, sizeof(out)), "");
	log_set_level(LOG_LVL_INFO);
}

static void test_stop(void)
{
	struct got s;
	const char *doc = "<rss><channel><item><title>1</title></item><item><title>2</title>"
			  "</item><item><title>3</title></item></channel></rss>";

	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	CHECK_INT(feed_parse(doc, strlen(doc), NULL, NULL, 0, collect, &s), 2);
	CHECK_INT(s.n, 2);
	CHECK_INT(parse(doc, NULL, NULL, &s), 3);
	CHECK_STR(s.title[2], "3");
}

static void test_precedence(void)
{
	struct got s;
	const char *doc =
		"<rss xmlns:dc='http://purl.org/dc/elements/1.1/' "
		"xmlns:media='http://search.yahoo.com/mrss/'><channel>"
		"<item><media:title>media</media:title><dc:title>dc</dc:title>"
		"<title>own</title><title></title><guid>http://x/g</guid></item>"
		"<item><guid isPermaLink='false'>nolink</guid><dc:date>2004-02-28</dc:date></item>"
		"<item><guid>http://x/g3</guid><link>http://x/l3</link>"
		"<pubDate>Sat, 28 Feb 2004 00:00:00 GMT</pubDate></item>"
		"</channel></rss>";

	CHECK_INT(parse(doc, NULL, NULL, &s), 3);
	CHECK_STR(s.title[0], "own");	 /* an empty later title erases nothing */
	CHECK_STR(s.link[0], "http://x/g"); /* permalink guid as the link */
	CHECK_STR(s.link[1], "");
	CHECK_INT(s.has_pub[1], 0);	/* dc:date is the updated time */
	CHECK_INT(s.has_upd[1], 1);
	CHECK_STR(s.link[2], "http://x/l3");
	CHECK_INT(s.has_pub[2], 1);
	CHECK_INT(s.pub[2], 1077926400);
}

/* FeedBurner's origLink is the article's own URL: it wins over <link> (its
 * redirect) before or after it, in the declared namespace or the usual
 * prefix; one that is no web URL leaves <link>. */
static void test_feedburner_origlink(void)
{
	struct got s;
	const char *doc =
		"<rss xmlns:feedburner='http://rssnamespace.org/feedburner/ext/1.0'><channel>"
		"<item><link>http://feedproxy.google.com/~r/x/~3/abc/</link>"
		"<feedburner:origLink>https://news.example.org/a</feedburner:origLink></item>"
		"<item><feedburner:origLink> https://news.example.org/b </feedburner:origLink>"
		"<link>http://feedproxy.google.com/~r/x/~3/def/</link></item>"
		"<item><link>http://feedproxy.google.com/~r/x/~3/ghi/</link>"
		"<feedburner:origLink>javascript:alert(1)</feedburner:origLink></item>"
		"</channel></rss>";
	const char *undeclared =
		"<rss><channel><item><link>http://feedproxy.google.com/~r/x/~3/abc/</link>"
		"<feedburner:origLink>https://news.example.org/c</feedburner:origLink></item>"
		"</channel></rss>";

	CHECK_INT(parse(doc, NULL, NULL, &s), 3);
	CHECK_STR(s.link[0], "https://news.example.org/a");
	CHECK_STR(s.link[1], "https://news.example.org/b");
	CHECK_STR(s.link[2], "http://feedproxy.google.com/~r/x/~3/ghi/");
	CHECK_INT(parse(undeclared, NULL, NULL, &s), 1);
	CHECK_STR(s.link[0], "https://news.example.org/c");
}

static void test_truncation(void)
{
	static char doc[3 * FEED_TITLE_BYTES + 200];
	struct got s;
	size_t o;

	/* a title of 2-byte characters longer than the field */
	o = (size_t)snprintf(doc, sizeof(doc), "<rss><channel><item><title>a");
	while (o < 3 * FEED_TITLE_BYTES) {
		memcpy(doc + o, "\xC3\xA9", 2);
		o += 2;
	}
	snprintf(doc + o, sizeof(doc) - o, "</title></item></channel></rss>");
	CHECK_INT(parse(doc, NULL, NULL, &s), 1);
	CHECK(s.title_len < FEED_TITLE_BYTES);
	CHECK(s.title_len >= FEED_TITLE_BYTES - 2);
	CHECK((s.title[0][s.title_len - 1] & 0xC0) == 0x80); /* ends on a whole é */
}

/* An enclosure's length is a byte count or unknown (-1): never a number
 * the feed did not give, however many digits it has. */
static void test_enclosure_length(void)
{
	struct got s;
	const char *doc = "<rss><channel><item><title>T</title>"
			  "<enclosure url='/1' length=' 1234'/>"
			  "<enclosure url='/2' length='99999999999999999999'/>"
			  "<enclosure url='/3' length='9223372036854775807'/>"
			  "<enclosure url='/4' length='x'/></item></channel></rss>";

	CHECK_INT(parse(doc, "https://e.org/", NULL, &s), 1);
	CHECK_INT(s.nenc, 4);
	CHECK_INT(s.enc_len[0], 1234);
	CHECK_INT(s.enc_len[1], -1);
	CHECK(s.enc_len[2] == INT64_MAX);
	CHECK_INT(s.enc_len[3], -1);
}

static void test_enclosure_cap(void)
{
	struct got s;
	const char *doc = "<rss><channel><item>"
			  "<enclosure url='/1'/><enclosure url='/2'/><enclosure url='/3'/>"
			  "<enclosure url='/4'/><enclosure url='/5'/><enclosure url=''/>"
			  "</item></channel></rss>";

	CHECK_INT(parse(doc, "http://h/", NULL, &s), 1);
	CHECK_INT(s.nenc, FEED_MAX_ENCLOSURES);
}

static void test_charset_and_base(void)
{
	struct got s;
	const char *latin = "<rss><channel><item><title>caf\xE9</title><link>p?a=1&amp;b=2</link>"
			    "</item></channel></rss>";

	/* undeclared and not UTF-8: read as windows-1252 */
	CHECK_INT(parse(latin, "https://example.org/feed/", NULL, &s), 1);
	CHECK_STR(s.title[0], "caf\xC3\xA9");
	CHECK_STR(s.link[0], "https://example.org/feed/p?a=1&b=2");
	/* the HTTP charset is used when the document declares none */
	CHECK_INT(parse(latin, NULL, "application/rss+xml; charset=ISO-8859-15", &s), 1);
	CHECK_STR(s.title[0], "caf\xC3\xA9");
}

static void test_atom_text_constructs(void)
{
	struct got s;
	const char *doc = "<feed xmlns='http://www.w3.org/2005/Atom'>"
			  "<entry><title type='text'>a &lt;b&gt; c</title><id>urn:x</id></entry>"
			  "<entry><title type='html'>a &lt;b&gt;bold&lt;/b&gt; c</title></entry>"
			  "<entry><title type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>"
			  "x <i>y</i></div></title></entry></feed>";

	CHECK_INT(parse(doc, NULL, NULL, &s), 3);
	CHECK_STR(s.title[0], "a <b> c");
	CHECK_STR(s.link[0], "urn:x"); /* the id stands in for a missing link */
	CHECK_STR(s.title[1], "a bold c");
	CHECK_STR(s.title[2], "x y");
}

/* Author and categories, for keep and drop rules: RSS <author>,
 * <dc:creator>, <category>, <dc:subject>; Atom <author><name>, <category
 * term>; JSON Feed authors and tags. One category a line; blank ones and
 * those past FEED_CATEGORIES_BYTES dropped. */
static void test_author_and_categories(void)
{
	struct got s;
	char many[8192], *p = many;

	CHECK_INT(parse("<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
			"<item><title>a</title><dc:creator>Jane Roe</dc:creator>"
			"<category domain=\"x\">World</category><category> </category>"
			"<category>Europe &amp; Asia</category><dc:subject>Trade</dc:subject></item>"
			"<item><title>b</title><author>ed@example.org (Ed)</author></item>"
			"</channel></rss>", NULL, NULL, &s), 2);
	CHECK_STR(s.author[0], "Jane Roe");
	CHECK_STR(s.categories[0], "World\nEurope & Asia\nTrade");
	CHECK_STR(s.author[1], "ed@example.org (Ed)");
	CHECK_STR(s.categories[1], "");
	CHECK_INT(parse("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>a</title>"
			"<author><name>Ann</name><email>ann@x</email></author>"
			"<category term=\"sport\" label=\"Sport\"/><category term=\"f1\"/>"
			"</entry></feed>", NULL, NULL, &s), 1);
	CHECK_STR(s.author[0], "Ann");
	CHECK_STR(s.categories[0], "sport\nf1");
	CHECK_INT(parse("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":"
			"\"1\",\"title\":\"a\",\"authors\":[{\"name\":\"Bo\"}],\"tags\":[\"x\","
			"7,\"y z\"],\"content_text\":\"t\"}]}", NULL, NULL, &s), 1);
	CHECK_STR(s.author[0], "Bo");
	CHECK_STR(s.categories[0], "x\ny z");
	p += snprintf(p, sizeof(many), "<rss><channel><item><title>a</title>");
	for (int i = 0; i < 100; i++)
		p += snprintf(p, sizeof(many) - (size_t)(p - many), "<category>cat%02d</category>", i);
	snprintf(p, sizeof(many) - (size_t)(p - many), "</item></channel></rss>");
	CHECK_INT(parse(many, NULL, NULL, &s), 1);
	CHECK_INT(strlen(s.categories[0]), 6 * (FEED_CATEGORIES_BYTES / 6) - 1);
	CHECK(strncmp(s.categories[0], "cat00\ncat01\n", 12) == 0);
}

/* A link longer than FEED_URL_BYTES - 1 bytes is left out, never cut: a cut
 * link names another page, and two cut alike shared one seen-set key (the
 * second article was never delivered). RSS text, Atom href and JSON Feed
 * url alike; a link that just fits is kept whole. */
static void test_long_link(void)
{
	static const char *const forms[][2] = {
		{ "<rss><channel><item><guid isPermaLink=\"false\">g</guid><link>",
		  "</link></item></channel></rss>" },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>g</id><link href=\"",
		  "\"/></entry></feed>" },
		{ "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":\"g\",\"url\":\"",
		  "\"}]}" },
	};
	static char link[FEED_URL_BYTES + 8], doc[FEED_URL_BYTES + 256];
	struct got s;

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		for (size_t len = FEED_URL_BYTES - 1; len <= FEED_URL_BYTES + 1; len++) {
			size_t o = (size_t)snprintf(link, sizeof(link), "https://e.org/");

			memset(link + o, 'a', len - o);
			link[len] = '\0';
			snprintf(doc, sizeof(doc), "%s%s%s", forms[f][0], link, forms[f][1]);
			CHECK_INT(parse(doc, NULL, NULL, &s), 1);
			if (len < FEED_URL_BYTES)
				CHECK_STR(s.link[0], link);
			else
				CHECK(strncmp(s.link[0], "https://", 8) != 0);
		}
	}
}

/* Two entries whose ids agree in their first bytes and differ at the end,
 * in each form a feed gives an id: their ids, and so their seen-set keys,
 * must differ however long (a cut id keyed both alike: the second was never
 * delivered). An id that fits is kept whole, as before (the key it had).
 * len is the ids' length; the doc holds two entries. */
static void long_ids(const char *form[3], size_t len)
{
	static char id[2][640 * 1024], doc[1300 * 1024];
	unsigned char key[2][SEEN_KEY_BYTES];
	struct got s;

	for (int k = 0; k < 2; k++) {
		size_t o = (size_t)snprintf(id[k], sizeof(id[k]), "tag:example.com,2026:");

		memset(id[k] + o, 'a', len - o);
		id[k][len - 1] = (char)('0' + k);
		id[k][len] = '\0';
	}
	snprintf(doc, sizeof(doc), "%s%s%s%s%s", form[0], id[0], form[1], id[1], form[2]);
	CHECK_INT(parse(doc, NULL, NULL, &s), 2);
	if (len < FEED_ID_BYTES) {
		CHECK_STR(s.id[0], id[0]);
		CHECK_STR(s.id[1], id[1]);
	}
	CHECK(strncmp(s.id[0], id[0], 64) == 0);
	CHECK(strcmp(s.id[0], s.id[1]) != 0);
	CHECK_INT(seen_key(s.link[0], s.id[0], key[0]), 0);
	CHECK_INT(seen_key(s.link[1], s.id[1], key[1]), 0);
	CHECK(memcmp(key[0], key[1], SEEN_KEY_BYTES) != 0);
}

/* Ids of every length keep entries apart: just fitting, one byte over, and
 * over the 512 KiB an element's text may take before it is read (RSS guid,
 * Atom id, RSS 1.0 rdf:about, JSON Feed id). */
static void test_long_id(void)
{
	static const char *forms[][3] = {
		{ "<rss><channel><item><guid isPermaLink=\"false\">", "</guid></item><item>"
		  "<guid isPermaLink=\"false\">", "</guid></item></channel></rss>" },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>", "</id></entry><entry><id>",
		  "</id></entry></feed>" },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
		  "xmlns=\"http://purl.org/rss/1.0/\"><channel/><item rdf:about=\"",
		  "\"><title>t</title></item><item rdf:about=\"", "\"><title>t</title></item></rdf:RDF>" },
		{ "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":\"",
		  "\"},{\"id\":\"", "\"}]}" },
	};
	static const size_t lens[] = { FEED_ID_BYTES - 1, FEED_ID_BYTES, 4 * FEED_ID_BYTES,
				       600 * 1024 };

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			long_ids(forms[f], lens[l]);
}

/* An entry with neither id nor link is keyed by its title (source.c takes
 * the id, else the link, else the title). Two titles too long for their
 * field and alike in their first bytes gave one key (the second entry was
 * never delivered): such an entry gets an id from its whole title, one that
 * fits keeps none (its key as before). RSS text and HTML, Atom, JSON Feed. */
static void test_long_title(void)
{
	static const char *forms[][3] = {
		{ "<rss><channel><item><title>", "</title></item><item><title>",
		  "</title></item></channel></rss>" },
		{ "<rss><channel><item><title>&lt;b&gt;", "&lt;/b&gt;</title></item><item><title>"
		  "&lt;b&gt;", "&lt;/b&gt;</title></item></channel></rss>" },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>",
		  "</title></entry><entry><title>", "</title></entry></feed>" },
		{ "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"title\":\"",
		  "\"},{\"title\":\"", "\"}]}" },
	};
	static const size_t lens[] = { FEED_TITLE_BYTES - 8, FEED_TITLE_BYTES, 3 * FEED_TITLE_BYTES };
	static char title[2][4 * FEED_TITLE_BYTES], doc[10 * FEED_TITLE_BYTES];
	unsigned char key[2][SEEN_KEY_BYTES];
	struct got s;

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			for (int k = 0; k < 2; k++) {
				memset(title[k], 'a', lens[l]);
				title[k][lens[l] - 1] = (char)('0' + k);
				title[k][lens[l]] = '\0';
			}
			snprintf(doc, sizeof(doc), "%s%s%s%s%s", forms[f][0], title[0], forms[f][1],
				 title[1], forms[f][2]);
			CHECK_INT(parse(doc, NULL, NULL, &s), 2);
			for (int k = 0; k < 2; k++) {
				const char *id = s.id[k][0] ? s.id[k] : s.title[k];

				CHECK_STR(s.link[k], "");
				CHECK(strncmp(s.title[k], title[k], 64) == 0);
				if (lens[l] < FEED_TITLE_BYTES - 4)
					CHECK_STR(s.id[k], "");
				CHECK_INT(seen_key(s.link[k], id, key[k]), 0);
			}
			CHECK(memcmp(key[0], key[1], SEEN_KEY_BYTES) != 0);
		}
	}
}

/* An RSS guid that is a permalink and the entry's only link becomes its
 * link whole while it fits a link, not cut where an id is. */
static void test_long_permalink(void)
{
	static char link[3 * FEED_ID_BYTES], doc[4 * FEED_ID_BYTES];
	size_t o = (size_t)snprintf(link, sizeof(link), "https://e.org/");
	struct got s;

	memset(link + o, 'a', sizeof(link) - 1 - o);
	link[sizeof(link) - 1] = '\0';
	snprintf(doc, sizeof(doc), "<rss><channel><item><guid>%s</guid></item></channel></rss>",
		 link);
	CHECK_INT(parse(doc, NULL, NULL, &s), 1);
	CHECK_INT(strlen(s.link[0]), strlen(link));
	CHECK(strcmp(s.link[0], link) == 0);
}

int main(void)
{
	log_init(LOG_LVL_ERR, "digestd");
	RUN(test_not_a_feed);
	RUN(test_stop);
	RUN(test_precedence);
	RUN(test_feedburner_origlink);
	RUN(test_truncation);
	RUN(test_enclosure_length);
	RUN(test_quiet);
	RUN(test_enclosure_cap);
	RUN(test_charset_and_base);
	RUN(test_atom_text_constructs);
	RUN(test_author_and_categories);
	RUN(test_long_link);
	RUN(test_long_id);
	RUN(test_long_permalink);
	RUN(test_long_title);
	return CHECK_EXIT();
}
