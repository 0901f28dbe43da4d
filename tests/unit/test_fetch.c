/* SPDX-License-Identifier: MIT */
/* Unit tests for src/sources/fetch against tests/httpd.py --plain: the
 * conditional GET (validators out, validators in, 304), validators never
 * sent when they hold a control character, Retry-After in reasons and as a
 * UTC second (capped), the poll deadline, the size cap and the URL check. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "httpd.h"
#include "sources/fetch.h"

static struct cfg cfg, small_cfg;
static struct net *net;
static struct fetch_client fc, small; /* [http] max_size 4M and 1K */
static struct fetch_response resp;
static char body[64 * 1024];
static char field[4][HTTPD_FIELDS][256];

static int get_with(struct fetch_client *c, const char *path, const struct fetch_validators *in)
{
	char u[512];

	snprintf(u, sizeof u, "http://127.0.0.1:%d%s", port, path);
	return fetch_get(c, u, in, NULL, &resp, body, sizeof body);
}

static int get(const char *path, const struct fetch_validators *in)
{
	return get_with(&fc, path, in);
}

static void test_conditional_get(void)
{
	struct fetch_validators v;

	CHECK_INT(get("/feeds/rss2-fr.xml?t=cond1", NULL), 0);
	CHECK_INT(resp.kind, FETCH_KIND_OK);
	CHECK(resp.net.len > 100);
	CHECK(resp.validators.etag[0] == '"');
	CHECK_STR(resp.validators.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
	v = resp.validators;
	CHECK_INT(get("/feeds/rss2-fr.xml?t=cond2", &v), 0);
	CHECK_INT(resp.kind, FETCH_KIND_NOT_MODIFIED);
	CHECK_INT(resp.net.status, 304);
	CHECK_INT(resp.net.len, 0);
	CHECK_STR(resp.validators.etag, v.etag);
	CHECK_INT(httpd_requests("t=cond2", field, 4), 1);
	CHECK_STR(field[0][1], v.etag);
	CHECK_STR(field[0][2], "Wed, 21 Oct 2015 07:28:00 GMT");
	/* The Last-Modified alone still makes it conditional. */
	v.etag[0] = '\0';
	CHECK_INT(get("/feeds/rss2-fr.xml?t=cond3", &v), 0);
	CHECK_INT(resp.kind, FETCH_KIND_NOT_MODIFIED);
	CHECK_INT(httpd_requests("t=cond3", field, 4), 1);
	CHECK_STR(field[0][1], "-");
	/* A 304 to a request that sent none is the server's fault. */
	CHECK_INT(get("/status/304?t=cond4", NULL), 0);
	CHECK_INT(resp.kind, FETCH_KIND_HTTP_STATUS);
	CHECK_STR(resp.net.reason,
		  "HTTP status 304 to a request without If-None-Match or If-Modified-Since");
	CHECK_STR(resp.validators.etag, "");
}

/* Validators come back from a state file: one that would split a request
 * header is not sent. */
static void test_validators_refused(void)
{
	struct fetch_validators v;

	memset(&v, 0, sizeof v);
	snprintf(v.etag, sizeof v.etag, "\"a\"\r\nX-Injected: 1");
	snprintf(v.last_modified, sizeof v.last_modified, "Wed, 21 Oct 2015\n07:28:00 GMT");
	CHECK_INT(get("/feeds/rss2-fr.xml?t=ctl", &v), 0);
	CHECK_INT(resp.kind, FETCH_KIND_OK);
	CHECK_INT(httpd_requests("t=ctl", field, 4), 1);
	CHECK_STR(field[0][1], "-");
	CHECK_STR(field[0][2], "-");
}

static void test_statuses(void)
{
	int64_t t0 = (int64_t)time(NULL);

	CHECK_INT(get("/status/429?after=120", NULL), 0);
	CHECK_INT(resp.kind, FETCH_KIND_HTTP_STATUS);
	CHECK_STR(resp.net.reason, "HTTP status 429, retry after 120 s");
	CHECK(resp.retry_after >= t0 + 120 && resp.retry_after <= (int64_t)time(NULL) + 120);
	CHECK_STR(resp.validators.etag, "");
	/* Further than FETCH_RETRY_AFTER_MAX: cut to it. */
	CHECK_INT(get("/status/503?after=99999999", NULL), 0);
	CHECK_STR(resp.net.reason, "HTTP status 503, retry after 604800 s");
	CHECK(resp.retry_after >= t0 + FETCH_RETRY_AFTER_MAX);
	/* An HTTP-date; one already past asks for nothing. The server stamps the
	 * date from the precise clock, libcurl and time() read the coarse one,
	 * which can lag it by a tick across a second boundary: one second of
	 * slack above (CI failed here once). */
	CHECK_INT(get("/status/503?date=3600", NULL), 0);
	CHECK(resp.retry_after >= t0 + 3600 - 2 &&
	      resp.retry_after <= (int64_t)time(NULL) + 3600 + 1);
	CHECK_INT(get("/status/503?date=-100", NULL), 0);
	CHECK_INT(resp.retry_after, 0);
	/* The server's clock 2 years ahead of ours (this one behind, before
	 * NTP set it): its HTTP-date counts from its Date, an hour, not from
	 * our clock, which would ask for 2 years (cut to 7 days). */
	CHECK_INT(get("/status/503?date=3600&clock=63072000", NULL), 0);
	CHECK_STR(resp.net.reason, "HTTP status 503, retry after 3600 s");
	CHECK(resp.retry_after >= t0 + 3600 - 2 &&
	      resp.retry_after <= (int64_t)time(NULL) + 3600 + 1);
	/* Its clock 2 years behind: an hour too, not none. */
	CHECK_INT(get("/status/503?date=3600&clock=-63072000", NULL), 0);
	CHECK_STR(resp.net.reason, "HTTP status 503, retry after 3600 s");
	/* 0 or unreadable: no Retry-After at all. */
	CHECK_INT(get("/status/503?after=0", NULL), 0);
	CHECK_STR(resp.net.reason, "HTTP status 503");
	CHECK_INT(resp.retry_after, 0);
	CHECK_INT(get("/status/503?after=soon", NULL), 0);
	CHECK_INT(resp.retry_after, 0);
	/* Only 429 and 503 ask to wait. */
	CHECK_INT(get("/status/500?after=60", NULL), 0);
	CHECK_STR(resp.net.reason, "HTTP status 500");
	CHECK_INT(resp.retry_after, 0);
	CHECK_INT(get("/status/404", NULL), 0);
	CHECK_INT(resp.kind, FETCH_KIND_HTTP_STATUS);
	CHECK_INT(resp.net.len, 0);
}

static void test_failures(void)
{
	static struct fetch_request fr;
	char u[256];

	CHECK_INT(fetch_get(&fc, "ftp://127.0.0.1/feed", NULL, NULL, &resp, body, sizeof body),
		  -EINVAL);
	CHECK_INT(resp.kind, FETCH_KIND_URL);
	CHECK_STR(resp.net.reason, "unusable URL (only http and https)");
	/* The caller's buffer caps a body, and [http] max_size a larger buffer. */
	CHECK_INT(get("/big", NULL), -EFBIG);
	CHECK_INT(resp.kind, FETCH_KIND_TOO_LARGE);
	CHECK_STR(resp.net.reason, "too large: body over 65536 bytes");
	CHECK_INT(get_with(&small, "/feeds/rss2-fr.xml", NULL), -EFBIG);
	CHECK_STR(resp.net.reason, "too large: body over 1024 bytes");
	/* A request's deadline (a poll's) ends it first. */
	snprintf(u, sizeof u, "http://127.0.0.1:%d/slow/1?d=5", port);
	CHECK_INT(fetch_submit(&fc, u, NULL, NULL, net_now_ms() + 1000, body, sizeof body, &fr,
			       NULL, NULL), 0);
	while (fr.resp.net.pending)
		net_step(net);
	CHECK_INT(fr.resp.net.err, -ETIME);
	CHECK_INT(fr.resp.kind, FETCH_KIND_DEADLINE);
	CHECK_STR(fr.resp.net.reason, "poll_timeout reached");
	snprintf(u, sizeof u, "http://127.0.0.1:1/feed");
	CHECK_INT(fetch_get(&fc, u, NULL, NULL, &resp, body, sizeof body), -ECONNREFUSED);
	CHECK_INT(resp.kind, FETCH_KIND_CONNECT);
	CHECK_STR(resp.net.effective_url, u);
}

int main(void)
{
	static const char ini[] = "[http]\nmin_host_delay = 0s\n[source s]\nurl = x\n";
	static const char ini_small[] = "[http]\nmax_size = 1024\n[source s]\nurl = x\n";
	struct cfg_error err;

	if (httpd_dir("test_fetch") < 0)
		return 1;
	if (cfg_load_buffer(ini, sizeof ini - 1, "t.ini", dir, 0, &cfg, &err) != 0 ||
	    cfg_load_buffer(ini_small, sizeof ini_small - 1, "s.ini", dir, 0, &small_cfg, &err) !=
		    0 ||
	    net_open(&net, &cfg, NULL) != 0) {
		printf("FAIL: set-up\n");
		return 1;
	}
	fetch_init(&fc, &cfg, net);
	fetch_init(&small, &small_cfg, net);
	if (httpd_start() == 0) {
		RUN(test_conditional_get);
		RUN(test_validators_refused);
		RUN(test_statuses);
		RUN(test_failures);
	} else {
		printf("FAIL: tests/httpd.py --plain starts\n");
		check_any_failed = 1;
	}
	net_close(net);
	httpd_stop();
	return CHECK_EXIT();
}
