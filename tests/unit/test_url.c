/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/url: the splitter every URL user goes through, the
 * RFC 3986 section 5.4 examples plus the cases feeds bring (no base,
 * whitespace, small buffers), hosts, schemes, file: paths, redaction and
 * canonical forms (tracking parameters, digestd 0.1.0's form). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "core/url.h"

static const char *res(const char *base, const char *ref)
{
	static char out[256];

	if (url_resolve(base, ref, out, sizeof(out)) != 0)
		return "ERR";
	return out;
}

static void test_rfc3986_normal(void)
{
	const char *b = "http://a/b/c/d;p?q";

	CHECK_STR(res(b, "g:h"), "g:h");
	CHECK_STR(res(b, "g"), "http://a/b/c/g");
	CHECK_STR(res(b, "./g"), "http://a/b/c/g");
	CHECK_STR(res(b, "g/"), "http://a/b/c/g/");
	CHECK_STR(res(b, "/g"), "http://a/g");
	CHECK_STR(res(b, "//g"), "http://g");
	CHECK_STR(res(b, "?y"), "http://a/b/c/d;p?y");
	CHECK_STR(res(b, "g?y"), "http://a/b/c/g?y");
	CHECK_STR(res(b, "#s"), "http://a/b/c/d;p?q#s");
	CHECK_STR(res(b, "g#s"), "http://a/b/c/g#s");
	CHECK_STR(res(b, "g?y#s"), "http://a/b/c/g?y#s");
	CHECK_STR(res(b, ";x"), "http://a/b/c/;x");
	CHECK_STR(res(b, "g;x"), "http://a/b/c/g;x");
	CHECK_STR(res(b, "g;x?y#s"), "http://a/b/c/g;x?y#s");
	CHECK_STR(res(b, ""), "http://a/b/c/d;p?q");
	CHECK_STR(res(b, "."), "http://a/b/c/");
	CHECK_STR(res(b, "./"), "http://a/b/c/");
	CHECK_STR(res(b, ".."), "http://a/b/");
	CHECK_STR(res(b, "../"), "http://a/b/");
	CHECK_STR(res(b, "../g"), "http://a/b/g");
	CHECK_STR(res(b, "../.."), "http://a/");
	CHECK_STR(res(b, "../../"), "http://a/");
	CHECK_STR(res(b, "../../g"), "http://a/g");
}

static void test_rfc3986_abnormal(void)
{
	const char *b = "http://a/b/c/d;p?q";

	CHECK_STR(res(b, "../../../g"), "http://a/g");
	CHECK_STR(res(b, "../../../../g"), "http://a/g");
	CHECK_STR(res(b, "/./g"), "http://a/g");
	CHECK_STR(res(b, "/../g"), "http://a/g");
	CHECK_STR(res(b, "g."), "http://a/b/c/g.");
	CHECK_STR(res(b, ".g"), "http://a/b/c/.g");
	CHECK_STR(res(b, "g.."), "http://a/b/c/g..");
	CHECK_STR(res(b, "..g"), "http://a/b/c/..g");
	CHECK_STR(res(b, "./../g"), "http://a/b/g");
	CHECK_STR(res(b, "./g/."), "http://a/b/c/g/");
	CHECK_STR(res(b, "g/./h"), "http://a/b/c/g/h");
	CHECK_STR(res(b, "g/../h"), "http://a/b/c/h");
	CHECK_STR(res(b, "g;x=1/./y"), "http://a/b/c/g;x=1/y");
	CHECK_STR(res(b, "g;x=1/../y"), "http://a/b/c/y");
	CHECK_STR(res(b, "g?y/./x"), "http://a/b/c/g?y/./x");
	CHECK_STR(res(b, "g#s/../x"), "http://a/b/c/g#s/../x");
	CHECK_STR(res(b, "http:g"), "http:g");
}

static void test_feed_cases(void)
{
	CHECK_STR(res("http://example.org", "post/1"), "http://example.org/post/1");
	CHECK_STR(res("https://example.org/feed/", "  /a b \n"), "https://example.org/a b");
	CHECK_STR(res("", "/relative"), "/relative");
	CHECK_STR(res(NULL, "post/1"), "post/1");
	CHECK_STR(res("feeds/local.xml", "post/1"), "post/1");
	CHECK_STR(res("", "HTTP://Example.org/x/../y"), "HTTP://Example.org/y");
	CHECK_STR(res("http://a/b", "mailto:x@y"), "mailto:x@y");
	CHECK_STR(res("http://a/b?q", "urn:uuid:1234"), "urn:uuid:1234");
}

static void test_small_buffer(void)
{
	char out[12];

	CHECK_INT(url_resolve("http://a/", "b", out, sizeof(out)), 0);
	CHECK_STR(out, "http://a/b");
	CHECK_INT(url_resolve("http://a/", "bcdefgh", out, sizeof(out)), -ENOSPC);
	CHECK_STR(out, "");
	CHECK_INT(url_resolve("http://a/", "bc", out, 0), -ENOSPC);
}

/* Each part of s as split, "-" for an absent one, joined by '|':
 * scheme|userinfo|host|port|path|query|fragment. */
static const char *parts(const char *s)
{
	static char out[512];
	struct url_parts u;
	const struct url_span *sp[7];
	const int has[7] = { 1, 0, 0, 0, 1, 0, 0 };
	size_t n = 0;

	url_split(s, strlen(s), &u);
	sp[0] = &u.scheme;
	sp[1] = &u.userinfo;
	sp[2] = &u.host;
	sp[3] = &u.port;
	sp[4] = &u.path;
	sp[5] = &u.query;
	sp[6] = &u.fragment;
	for (int i = 0; i < 7; i++) {
		int present = has[i] || (i == 1 && u.has_userinfo) ||
			      (i == 2 && u.has_authority) || (i == 3 && u.has_port) ||
			      (i == 5 && u.has_query) || (i == 6 && u.has_fragment);

		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.*s", i ? "|" : "",
				      present ? (int)sp[i]->len : 1, present ? sp[i]->p : "-");
	}
	return out;
}

static void test_split(void)
{
	struct url_parts u;
	const char *s = "https://u:p@Host.test:8443/a/b?q=1#f";

	CHECK_STR(parts(s), "https|u:p|Host.test|8443|/a/b|q=1|f");
	url_split(s, strlen(s), &u);
	CHECK(u.authority.p == s + 8 && u.authority.len == 18);
	CHECK(u.host.p == s + 12);
	CHECK_STR(parts("http://h"), "http|-|h|-||-|-");
	CHECK_STR(parts("HTTP://H/"), "HTTP|-|H|-|/|-|-");
	CHECK_STR(parts("https://h?#"), "https|-|h|-|||");
	/* The last '@' ends the user info; an IPv6 literal keeps its brackets
	 * and its colons; the port is what follows the last ':' after it. */
	CHECK_STR(parts("https://a@b@e.org/"), "https|a@b|e.org|-|/|-|-");
	CHECK_STR(parts("https://[::1]:443/x"), "https|-|[::1]|443|/x|-|-");
	CHECK_STR(parts("https://[fe80::1%25eth0]/"), "https|-|[fe80::1%25eth0]|-|/|-|-");
	CHECK_STR(parts("https://h:/"), "https|-|h||/|-|-");
	CHECK_STR(parts("https://h/"), "https|-|h|-|/|-|-");
	CHECK_STR(parts("https://h:1:2/"), "https|-|h:1|2|/|-|-");
	CHECK_STR(parts("https://[::1/"), "https|-|[:|1|/|-|-");
	/* Empty authorities, none, and no scheme. */
	CHECK_STR(parts("https:///x"), "https|-||-|/x|-|-");
	CHECK_STR(parts("https:x"), "https|-|-|-|x|-|-");
	CHECK_STR(parts("//h/p"), "|-|h|-|/p|-|-");
	CHECK_STR(parts("/p?q#f"), "|-|-|-|/p|q|f");
	CHECK_STR(parts("mailto:a@b.org"), "mailto|-|-|-|a@b.org|-|-");
	CHECK_STR(parts("file:///srv/a.xml"), "file|-||-|/srv/a.xml|-|-");
	CHECK_STR(parts(""), "|-|-|-||-|-");
	/* A '?' or '#' ends the authority, so no '@' after it is user info. */
	CHECK_STR(parts("https://good.test?x=@evil.test"), "https|-|good.test|-||x=@evil.test|-");
	CHECK_STR(parts("https://good.test#@evil.test"), "https|-|good.test|-||-|@evil.test");
	/* Only len bytes are read. */
	url_split("https://h/abc", 9, &u);
	CHECK(u.has_authority && u.host.len == 1 && u.path.len == 0);
}

static void test_web_scheme(void)
{
	struct url_parts u;

	url_split("HtTpS://h", 9, &u);
	CHECK_INT(url_web_scheme(&u), URL_HTTPS);
	url_split("http://h", 8, &u);
	CHECK_INT(url_web_scheme(&u), URL_HTTP);
	url_split("httpx://h", 9, &u);
	CHECK_INT(url_web_scheme(&u), 0);
	url_split("//h", 3, &u);
	CHECK_INT(url_web_scheme(&u), 0);
}

/* file:///path and file://localhost/path (scheme and host in any case)
 * name a local file; any other host, or no "//", does not. */
static void test_file_path(void)
{
	CHECK_STR(url_file_path("file:///srv/a.xml"), "/srv/a.xml");
	CHECK_STR(url_file_path("FILE:///srv/a.xml"), "/srv/a.xml");
	CHECK_STR(url_file_path("file://localhost/srv/a"), "/srv/a");
	CHECK_STR(url_file_path("file://LocalHost/srv/a"), "/srv/a");
	CHECK(url_file_path("file://elsewhere/srv/a") == NULL);
	CHECK(url_file_path("file:/srv/a") == NULL);
	CHECK(url_file_path("file://") == NULL);
	CHECK(url_file_path("https:///srv/a") == NULL);
	CHECK(url_file_path("/srv/a") == NULL);
}

static void test_scheme_len(void)
{
	CHECK_INT(url_scheme_len("http://x", 8), 4);
	CHECK_INT(url_scheme_len("a+b.c-d:x", 9), 7);
	CHECK_INT(url_scheme_len("1http://x", 9), 0);
	CHECK_INT(url_scheme_len("/a:b", 4), 0);
	CHECK_INT(url_scheme_len("http", 4), 0);
}

static void test_url_host(void)
{
	char h[64];

	CHECK_INT(url_host("https://Example.ORG/feed", h, sizeof(h)), 0);
	CHECK_STR(h, "example.org");
	CHECK_INT(url_host("http://user:pw@host.test:8080?x", h, sizeof(h)), 0);
	CHECK_STR(h, "host.test");
	CHECK_INT(url_host("https://[::1]:443/", h, sizeof(h)), 0);
	CHECK_STR(h, "[::1]");
	CHECK_INT(url_host("https:///path", h, sizeof(h)), -EINVAL);
	CHECK_INT(url_host("no scheme", h, sizeof(h)), -EINVAL);
	CHECK_INT(url_host("https://abcdef/", h, 4), -EINVAL);
	CHECK_INT(url_host("https://u@[FE80::1]:8443", h, sizeof(h)), 0);
	CHECK_STR(h, "[fe80::1]");
	CHECK_INT(url_host("//h.test/x", h, sizeof(h)), -EINVAL);
	CHECK_INT(url_host("https://u@:443/", h, sizeof(h)), -EINVAL);
}

static void test_is_http(void)
{
	CHECK(url_is_http("https://ex.org/a"));
	CHECK(url_is_http("http://h"));
	CHECK(url_is_http("HTTPS://EX.ORG"));
	CHECK(url_is_http("https://user@h:8443/?q#f"));
	CHECK(!url_is_http(""));
	CHECK(!url_is_http("javascript:alert(1)"));
	CHECK(!url_is_http("data:text/html,x"));
	CHECK(!url_is_http("//evil.test/x"));
	CHECK(!url_is_http("/path"));
	CHECK(!url_is_http("https:evil.test"));
	CHECK(!url_is_http("https:/evil.test"));
	CHECK(!url_is_http("https://"));
	CHECK(!url_is_http("https:///x"));
	CHECK(!url_is_http("https://?q"));
	CHECK(!url_is_http("https://#f"));
	CHECK(!url_is_http("httpx://h"));
	CHECK(!url_is_http("ftp://h"));
	CHECK(!url_is_http(" https://h"));
	/* An authority without a host names nothing to fetch. */
	CHECK(!url_is_http("https://:443/x"));
	CHECK(!url_is_http("https://user@/x"));
	CHECK(!url_is_http("https://[::1/x"));
}

static void test_loopback(void)
{
	CHECK(url_host_is_loopback("localhost"));
	CHECK(url_host_is_loopback("127.0.0.1"));
	CHECK(url_host_is_loopback("127.1.2.254"));
	CHECK(url_host_is_loopback("[::1]"));
	CHECK(!url_host_is_loopback("128.0.0.1"));
	CHECK(!url_host_is_loopback("127.0.0.256"));
	CHECK(!url_host_is_loopback("127.0.0"));
	CHECK(!url_host_is_loopback("127.0.0.1.evil.test"));
	CHECK(!url_host_is_loopback("localhost.evil.test"));
	CHECK(!url_host_is_loopback("0177.0.0.1"));
}

/* Log lines never show a password, a query string or a fragment. */
static void test_redact(void)
{
	char out[64];

	CHECK_STR(url_redact("https://e.org/feed?api_key=K&x=1", out, sizeof(out)),
		  "https://e.org/feed?***");
	CHECK_STR(url_redact("https://u:pw@e.org:8443/a?b#c", out, sizeof(out)),
		  "https://***@e.org:8443/a?***");
	CHECK_STR(url_redact("https://e.org/a#access_token=T", out, sizeof(out)), "https://e.org/a");
	CHECK_STR(url_redact("https://a@b@e.org/", out, sizeof(out)), "https://***@e.org/");
	CHECK_STR(url_redact("https://e.org/plain/path", out, sizeof(out)),
		  "https://e.org/plain/path");
	CHECK_STR(url_redact("/var/lib/seeds", out, sizeof(out)), "/var/lib/seeds");
	CHECK_STR(url_redact("", out, sizeof(out)), "");
	/* Cut to fit: whole parts only, so no secret shows in half. */
	CHECK_STR(url_redact("https://e.org/long/path?key=SECRET", out, 26), "https://e.org/long/path");
	CHECK_STR(url_redact("https://user:SECRET@e.org/", out, 10), "https://");
}

static void canon_is(const char *in, const char *want)
{
	char out[256];
	int rc = url_canonical(in, out, sizeof out);

	if (rc != 0 || strcmp(out, want) != 0) {
		printf("  canonical(\"%s\") = %d \"%s\", want \"%s\"\n", in, rc, out, want);
		check_current_failed = 1;
	}
}

static void emit_count(void *ctx, const char *p, size_t n)
{
	(void)p;
	*(size_t *)ctx += n;
}

static void test_canonical(void)
{
	char small[8];
	size_t n = 0;

	canon_is("HTTPS://Example.COM/Path/A?x=1#frag", "https://example.com/Path/A?x=1");
	canon_is("http://example.com", "https://example.com/");
	canon_is("  https://example.com:443/a \n", "https://example.com/a");
	canon_is("http://example.com:80/a", "https://example.com/a");
	canon_is("https://example.com:8443/a", "https://example.com:8443/a");
	canon_is("https://user:pw@Example.com/a", "https://example.com/a");
	canon_is("https://x.org/a?utm_source=rss&id=5&UTM_Medium=f&utm_campaign",
		 "https://x.org/a?id=5");
	canon_is("https://x.org/a?utm_source=rss", "https://x.org/a");
	canon_is("https://x.org/a?", "https://x.org/a");
	canon_is("https://x.org/a?&&b=2&", "https://x.org/a?b=2");
	canon_is("https://x.org/a?utmost=1", "https://x.org/a?utmost=1");
	/* The tracking list: exact names in any case, nothing that merely
	 * starts like one. */
	canon_is("https://x.org/a?fbclid=IwAR0x&p=2&GCLID=9&mc_cid=a1&mc_eid=b2&igshid=z",
		 "https://x.org/a?p=2");
	canon_is("https://x.org/a?msclkid=1&dclid=2&_hsenc=3&_hsmi=4&mkt_tok=5&yclid=6",
		 "https://x.org/a");
	canon_is("https://x.org/a?fbclidx=1&gclid2=2&xmc_cid=3", "https://x.org/a?fbclidx=1&gclid2=2&xmc_cid=3");
	canon_is("https://x.org/a?id=5&fbclid", "https://x.org/a?id=5");
	canon_is("https://[::1]:443/a", "https://[::1]/a");
	canon_is("https://[FE80::1]:8080", "https://[fe80::1]:8080/");
	canon_is("https://x.org:/a", "https://x.org/a");
	/* A name with a ':' of its own keeps its port's: dropping it would
	 * make another split (tests/fuzz/crashes/url/canonical-colon-host). */
	canon_is("https://Ex::/a", "https://ex::/a");
	canon_is("http://a::80/x", "https://a::80/x");
	canon_is("urn:uuid:ABC#x", "urn:uuid:ABC");
	canon_is("/relative/path?utm_x=1#y", "/relative/path");
	canon_is("FTP://Host/a", "ftp://host/a");
	CHECK_INT(url_canonical("   ", small, sizeof small), -EINVAL);
	CHECK_INT(url_canonical(NULL, small, sizeof small), -EINVAL);
	CHECK_INT(url_canonical("#top", small, sizeof small), -EINVAL);
	CHECK_INT(url_canonical("https://example.com/long", small, sizeof small), -ENOSPC);
	CHECK_STR(small, "");
	CHECK_INT(url_canonical("https://x.org/", small, 0), -ENOSPC);
	/* The old form keeps all but utm_*; the pieces add up to the whole. */
	url_canonical_emit("https://x.org/a?fbclid=1&utm_x=2", 32, URL_CANON_UTM_ONLY, emit_count, &n);
	CHECK_INT((int)n, (int)strlen("https://x.org/a?fbclid=1"));
}

int main(void)
{
	RUN(test_rfc3986_normal);
	RUN(test_rfc3986_abnormal);
	RUN(test_feed_cases);
	RUN(test_small_buffer);
	RUN(test_split);
	RUN(test_web_scheme);
	RUN(test_file_path);
	RUN(test_scheme_len);
	RUN(test_url_host);
	RUN(test_is_http);
	RUN(test_loopback);
	RUN(test_redact);
	RUN(test_canonical);
	return CHECK_EXIT();
}
