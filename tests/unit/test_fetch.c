/* SPDX-License-Identifier: MIT */
/* Unit tests for src/sources/fetch without a network: response header lines
 * (status, validators, Retry-After, the end of the headers), Retry-After
 * values, and the scope a source's URL gives. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "sources/fetch.h"

static void feed(struct fetch_headers *h, const char *line)
{
	fetch_header_line(h, line, strlen(line));
}

static void test_header_lines(void)
{
	struct fetch_headers h;

	memset(&h, 0, sizeof(h));
	feed(&h, "HTTP/1.1 301 Moved\r\n");
	feed(&h, "ETag: \"old\"\r\n");
	feed(&h, "Retry-After: 5\r\n");
	CHECK_INT(h.status, 301);
	CHECK_STR(h.validators.etag, "\"old\"");
	/* A new status line forgets the redirect's headers. */
	feed(&h, "HTTP/2 200\r\n");
	CHECK_INT(h.status, 200);
	CHECK_STR(h.validators.etag, "");
	CHECK_STR(h.retry_after, "");
	CHECK(!h.ended);
	feed(&h, "etag:   W/\"v1\"  \r\n");
	feed(&h, "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\n");
	feed(&h, "ETagx: nope\r\n");
	CHECK_STR(h.validators.etag, "W/\"v1\"");
	CHECK_STR(h.validators.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
	feed(&h, "\r\n");
	CHECK(h.ended);
}

/* Values are sent back in request headers: no control characters, and
 * nothing longer than its field. */
static void test_header_values_refused(void)
{
	struct fetch_headers h;
	char line[FETCH_ETAG_BYTES + 16];

	memset(&h, 0, sizeof(h));
	fetch_header_line(&h, "ETag: \"a\r\nX: y\"", 16);
	CHECK_STR(h.validators.etag, "");
	memcpy(line, "ETag: ", 6);
	memset(line + 6, 'a', sizeof(line) - 6);
	fetch_header_line(&h, line, sizeof(line));
	CHECK_STR(h.validators.etag, "");
	/* A status past three digits stops growing instead of overflowing. */
	feed(&h, "HTTP/1.1 99999999999999999999999 Huge\r\n");
	CHECK(h.status >= 0 && h.status < 10000);
	feed(&h, "HTTP/1.1");
	CHECK_INT(h.status, 0);
}

static void test_retry_after(void)
{
	int64_t until;

	CHECK_INT(fetch_parse_retry_after("120", 3, 1000, &until), 0);
	CHECK_INT(until, 1120);
	CHECK_INT(fetch_parse_retry_after(" 99999999999999999999 ", 22, 1000, &until), 0);
	CHECK_INT(until, 1000 + FETCH_RETRY_AFTER_MAX);
	CHECK_INT(fetch_parse_retry_after("12a", 3, 1000, &until), -EINVAL);
	CHECK_INT(fetch_parse_retry_after("", 0, 1000, &until), -EINVAL);
}

static void test_scope(void)
{
	struct fetch_scope s;

	fetch_scope_init(&s, "https://User@Feeds.Example.org:8443/x?y", 0);
	CHECK_STR(s.host, "feeds.example.org");
	CHECK(!s.allow_private && !s.own && !s.host_private);
	fetch_scope_init(&s, "/srv/feed.xml", 1);
	CHECK_STR(s.host, "");
	CHECK(s.allow_private);
}

int main(void)
{
	RUN(test_header_lines);
	RUN(test_header_values_refused);
	RUN(test_retry_after);
	RUN(test_scope);
	return CHECK_EXIT();
}
