/* SPDX-License-Identifier: MIT */
/* Unit tests for src/net against tests/httpd.py --plain on 127.0.0.1 and
 * 127.0.0.2: transfers driven through the poll() API, concurrency, the
 * per-host cap, the politeness delay, deadlines, caps, the stop flag and the
 * address rule, judged by the request arrivals the server logs. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "httpd.h"
#include "net/net.h"

static struct cfg cfg;
static volatile sig_atomic_t stop_flag;
static char body[8][64 * 1024];
static struct net_result res[8];
static struct net_request rq[8];
static struct net_profile prof;

/* A net with [daemon] max_transfers = max (0: the default). */
static struct net *open_net(unsigned max)
{
	char ini[256];
	struct cfg_error err;
	struct net *n = NULL;
	int len;

	len = snprintf(ini, sizeof ini, "[daemon]\n%s%u\n[source s]\nurl = x\n",
		       max ? "max_transfers = " : "# ", max);
	if (cfg_load_buffer(ini, (size_t)len, "test.ini", dir, 0, &cfg, &err) != 0) {
		printf("  config: %s\n", err.msg[0]);
		return NULL;
	}
	if (net_open(&n, &cfg, &stop_flag) != 0)
		return NULL;
	return n;
}

static void profile_reset(void)
{
	memset(&prof, 0, sizeof prof);
	prof.user_agent = "digestd-test";
	prof.ca_file = prof.pinned_pubkey = prof.client_cert = prof.client_key = prof.bearer = "";
	prof.allow_http = 1;
	prof.max_redirects = 5;
	prof.connect_timeout = 10;
	prof.timeout = 30;
	prof.body = NET_BODY_2XX;
}

/* A net with max_transfers = max (0: the default) and the test profile;
 * NULL with the test failed when there is none. */
static struct net *setup(unsigned max)
{
	struct net *n = open_net(max);

	profile_reset();
	if (!n)
		check_current_failed = 1;
	return n;
}

/* Request i for http://HOST:PORT/PATH into body[i]. */
static struct net_request *req(int i, const char *host, int p, const char *path)
{
	static char url[8][256];

	snprintf(url[i], sizeof url[i], "http://%s:%d%s", host, p, path);
	memset(&rq[i], 0, sizeof rq[i]);
	memset(&res[i], 0, sizeof res[i]);
	rq[i].profile = &prof;
	rq[i].url = url[i];
	rq[i].body = body[i];
	rq[i].cap = sizeof body[i];
	rq[i].res = &res[i];
	return &rq[i];
}

/* The caller's poll() loop: net's sockets and timeout, until every one of
 * the first count results ended (or 60 s passed: a failure). */
static int drive(struct net *n, int count)
{
	struct pollfd fds[NET_MAX_FDS];
	int64_t give_up = net_now_ms() + 60000;

	for (;;) {
		int busy = 0, t;
		size_t nf;

		for (int i = 0; i < count; i++)
			busy |= res[i].pending;
		if (!busy)
			return 0;
		if (net_now_ms() > give_up)
			return -1;
		nf = net_pollfds(n, fds, NET_MAX_FDS);
		t = net_timeout(n);
		if (t < 0 || t > 1000)
			t = 1000;
		if (poll(fds, nf, t) < 0 && errno != EINTR)
			return -1;
		net_dispatch(n, fds, nf);
	}
}

static void test_config(void)
{
	struct net *n = open_net(0);
	char ini[128];
	struct cfg_error err;
	int len;

	CHECK(n != NULL);
	net_close(n);
	CHECK_INT(cfg.daemon.max_transfers, 4);
	len = snprintf(ini, sizeof ini, "[daemon]\nmax_transfers = 0\n[source s]\nurl = x\n");
	CHECK_INT(cfg_load_buffer(ini, (size_t)len, "t.ini", dir, 0, &cfg, &err), -EINVAL);
	len = snprintf(ini, sizeof ini, "[daemon]\nmax_transfers = %u\n[source s]\nurl = x\n",
		       NET_MAX_TRANSFERS + 1);
	CHECK_INT(cfg_load_buffer(ini, (size_t)len, "t.ini", dir, 0, &cfg, &err), -EINVAL);
	CHECK(strstr(err.msg[0], "max_transfers") != NULL);
}

static void test_keep_value(void)
{
	char v[8];

	CHECK_INT(net_keep_value(v, sizeof v, "\"abc\"", 5), 0);
	CHECK_STR(v, "\"abc\"");
	CHECK_INT(net_keep_value(v, sizeof v, "a\r\nX: y", 8), -EINVAL);
	CHECK_STR(v, "");
	CHECK_INT(net_keep_value(v, sizeof v, "12345678", 8), -EINVAL);
	CHECK_STR(v, "");
	CHECK_INT(net_keep_value(v, sizeof v, "a\x7f", 2), -EINVAL);
}

static void test_scope_init(void)
{
	struct net_scope s;

	net_scope_init(&s, "https://User@Feeds.Example.org:8443/x?y", 0);
	CHECK_STR(s.host, "feeds.example.org");
	CHECK(!s.allow_private && !s.own && !s.own_addr[0]);
	net_scope_init(&s, "/srv/feed.xml", 1);
	CHECK_STR(s.host, "");
	CHECK(s.allow_private);
}

/* STARTTLS is required of every smtp:// server but a loopback one. */
static void test_smtp_tls_optional(void)
{
	CHECK_INT(net_smtp_tls_optional("smtp://localhost:2525"), 1);
	CHECK_INT(net_smtp_tls_optional("smtp://127.0.0.2"), 1);
	CHECK_INT(net_smtp_tls_optional("SMTP://[::1]:25"), 1);
	CHECK_INT(net_smtp_tls_optional("smtp://mail.example.org:587"), 0);
	CHECK_INT(net_smtp_tls_optional("smtp://localhost.example.org:587"), 0);
	CHECK_INT(net_smtp_tls_optional("smtp://10.0.0.1:587"), 0);
	CHECK_INT(net_smtp_tls_optional("smtp://user@127.0.0.1.evil.example:587"), 0);
	CHECK_INT(net_smtp_tls_optional("smtps://localhost:465"), 0);
	CHECK_INT(net_smtp_tls_optional("https://localhost/"), 0);
}

/* Submits request and drives net until it ended, as fetch_get and source_poll
 * do for one transfer: res->err, or net_submit's refusal. */
static int perform(struct net *n, const struct net_request *request)
{
	int rc = net_submit(n, request);

	if (rc < 0)
		return rc;
	while (request->res->pending)
		net_step(n);
	return request->res->err;
}

/* One transfer at a time through perform: body, headers, statuses,
 * Retry-After from the final response only. */
static void test_perform(void)
{
	struct net *n = setup(0);

	if (!n)
		return;
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/page.html")), 0);
	CHECK_INT(res[0].kind, NET_OK);
	CHECK_INT(res[0].status, 200);
	CHECK(res[0].len > 1000 && memcmp(body[0], "<!DOCTYPE html>", 15) == 0);
	CHECK_STR(res[0].content_type, "text/html; charset=utf-8");
	CHECK(!res[0].pending);

	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/r/2/feeds/rss2-fr.xml")), 0);
	CHECK_INT(res[0].status, 200);
	CHECK(strstr(res[0].effective_url, "/feeds/rss2-fr.xml") != NULL);
	CHECK(res[0].etag[0] == '"');
	CHECK_STR(res[0].last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");

	/* An error status: a response, no body kept. */
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/status/429?after=7")), 0);
	CHECK_INT(res[0].status, 429);
	CHECK_INT(res[0].len, 0);
	CHECK_INT(res[0].retry_after, 7);
	/* A Retry-After on a redirect is not the final answer's. */
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/to?u=/status/503&after=99")), 0);
	CHECK_INT(res[0].status, 503);
	CHECK_INT(res[0].retry_after, 0);
	/* The body of an error status trickling on for a minute is not waited for. */
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/trickle/500")), 0);
	CHECK_INT(res[0].status, 500);

	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/r/9/page.html")), -ELOOP);
	CHECK_INT(res[0].kind, NET_REDIRECTS);
	CHECK_STR(res[0].reason, "too many redirects (more than 5, or a loop)");
	prof.max_redirects = 0;
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/r/1/page.html")), 0);
	CHECK_INT(res[0].status, 302);

	CHECK_INT(perform(n, req(0, "127.0.0.1", 1, "/")), -ECONNREFUSED);
	CHECK_INT(res[0].kind, NET_CONNECT);
	CHECK(strncmp(res[0].reason, "connection failed: ", 19) == 0);
	prof.allow_http = 0;
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/page.html")), -EINVAL);
	CHECK_INT(res[0].kind, NET_URL);
	net_close(n);
}

/* Four transfers on two hosts at once: the server had all four in progress
 * together (each route waits 2 s). Counted by the server, not told from
 * arrival times: on a loaded machine four connects may take seconds. */
static void test_concurrent(void)
{
	struct net *n = setup(4);
	double t[8];

	if (!n)
		return;
	CHECK_INT(net_submit(n, req(0, "127.0.0.1", port, "/slow/1?d=2&t=conc")), 0);
	CHECK_INT(net_submit(n, req(1, "127.0.0.1", port, "/slow/2?d=2&t=conc")), 0);
	CHECK_INT(net_submit(n, req(2, "127.0.0.2", alt, "/slow/3?d=2&t=conc")), 0);
	CHECK_INT(net_submit(n, req(3, "127.0.0.2", alt, "/slow/4?d=2&t=conc")), 0);
	CHECK(res[0].pending && res[3].pending);
	CHECK_INT(drive(n, 4), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(res[i].kind, NET_OK);
		CHECK_INT(res[i].status, 200);
	}
	CHECK_INT(httpd_arrivals("t=conc", t, NULL, 8), 4);
	CHECK_INT(httpd_most("t=conc", 0), 4);
	net_close(n);
}

/* max_transfers = 2: a third transfer finds no slot until one ends. */
static void test_max_transfers(void)
{
	struct net *n = setup(2);

	if (!n)
		return;
	CHECK_INT(net_submit(n, req(0, "127.0.0.1", port, "/page.html?t=max")), 0);
	CHECK_INT(net_submit(n, req(1, "127.0.0.2", alt, "/page.html?t=max")), 0);
	CHECK_INT(net_submit(n, req(2, "127.0.0.1", port, "/page.html?t=max")), -EBUSY);
	CHECK_INT(perform(n, req(2, "127.0.0.1", port, "/page.html?t=max")), -EBUSY);
	CHECK_INT(drive(n, 2), 0);
	CHECK_INT(res[0].status, 200);
	CHECK_INT(res[1].status, 200);
	CHECK_INT(net_submit(n, req(2, "127.0.0.1", port, "/page.html?t=max")), 0);
	CHECK_INT(drive(n, 3), 0);
	CHECK_INT(res[2].status, 200);
	net_close(n);
}

/* Four slow requests to one host: NET_PER_HOST (2) run at once, never more
 * (as the server counted them), the third starts only when one of them was
 * answered, 1.5 s after it arrived. */
static void test_per_host_cap(void)
{
	struct net *n = setup(4);
	double t[8];
	int k;

	if (!n)
		return;
	_Static_assert(NET_PER_HOST == 2, "the test counts on two per host");
	for (int i = 0; i < 4; i++) {
		char path[64];

		snprintf(path, sizeof path, "/slow/%d?d=1.5&t=cap", i + 1);
		CHECK_INT(net_submit(n, req(i, "127.0.0.1", port, path)), 0);
	}
	CHECK_INT(drive(n, 4), 0);
	for (int i = 0; i < 4; i++)
		CHECK_INT(res[i].status, 200);
	k = httpd_arrivals("t=cap", t, NULL, 8);
	CHECK_INT(k, 4);
	httpd_sort(t, k);
	if (k == 4)
		printf("  arrivals after the first: %.3f %.3f %.3f s\n", t[1] - t[0], t[2] - t[0],
		       t[3] - t[0]);
	CHECK_INT(httpd_most("t=cap", 1), 2);
	CHECK(k == 4 && t[2] - t[0] >= 1.5);
	net_close(n);
}

/* min_host_delay = 1 s: three quick requests to one host arrive at least a
 * second apart; a request to another host meanwhile is not held back. */
static void test_politeness(void)
{
	struct net *n = setup(4);
	double t[8];
	char addr[8][16];
	double first1 = 0, first2 = 0, last1 = 0;
	int k, n1 = 0, n2 = 0;

	if (!n)
		return;
	prof.min_host_delay = 1;
	CHECK_INT(net_submit(n, req(0, "127.0.0.1", port, "/page.html?t=polite")), 0);
	CHECK_INT(net_submit(n, req(1, "127.0.0.1", port, "/page.html?t=polite")), 0);
	CHECK_INT(net_submit(n, req(2, "127.0.0.1", port, "/page.html?t=polite")), 0);
	CHECK_INT(net_submit(n, req(3, "127.0.0.2", alt, "/page.html?t=polite")), 0);
	/* Queued transfers that may start: net wants to act at once. */
	CHECK_INT(net_timeout(n), 0);
	CHECK_INT(drive(n, 4), 0);
	for (int i = 0; i < 4; i++)
		CHECK_INT(res[i].status, 200);
	k = httpd_arrivals("t=polite", t, addr, 8);
	CHECK_INT(k, 4);
	for (int i = 0; i < k; i++) {
		if (strcmp(addr[i], "127.0.0.1") == 0) {
			if (n1 > 0 && t[i] - last1 < 1.0) {
				printf("  127.0.0.1: %.3f s after the one before\n", t[i] - last1);
				check_current_failed = 1;
			}
			if (n1++ == 0)
				first1 = t[i];
			last1 = t[i];
		} else if (n2++ == 0) {
			first2 = t[i];
		}
	}
	CHECK_INT(n1, 3);
	CHECK_INT(n2, 1);
	CHECK(first2 - first1 < 1.0);
	net_close(n);
}

/* A deadline ends a transfer (and a wait for its host that would pass it)
 * with NET_DEADLINE; the profile's timeout with NET_TIMEOUT. */
static void test_deadline_timeout(void)
{
	struct net *n = setup(0);
	struct net_request *r;
	double t[4];

	if (!n)
		return;
	r = req(0, "127.0.0.1", port, "/slow/1?d=5&t=deadline");
	r->deadline_ms = net_now_ms() + 1000;
	CHECK_INT(perform(n, r), -ETIME);
	CHECK_INT(res[0].kind, NET_DEADLINE);
	prof.min_host_delay = 60;
	r = req(0, "127.0.0.1", port, "/page.html?t=deadwait");
	r->deadline_ms = net_now_ms() + 5000;
	CHECK_INT(perform(n, r), -ETIME);
	CHECK_INT(res[0].kind, NET_DEADLINE);
	CHECK_INT(httpd_arrivals("t=deadwait", t, NULL, 4), 0);
	prof.min_host_delay = 0;
	prof.timeout = 1;
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/slow/1?d=5&t=timeout")), -ETIMEDOUT);
	CHECK_INT(res[0].kind, NET_TIMEOUT);
	CHECK_STR(res[0].reason, "timed out after 1 s");
	prof.timeout = 30;
	prof.low_speed_limit = 1000;
	prof.low_speed_time = 1;
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/stall")), -ETIMEDOUT);
	CHECK_INT(res[0].kind, NET_STALLED);
	CHECK_STR(res[0].reason, "transfer stalled: under 1000 bytes/s for 1 s");
	net_close(n);
}

/* The caller's buffer is the cap: a 2xx body over it ends the transfer; an
 * answer kept by its head keeps the first bytes only. */
static void test_body_cap(void)
{
	struct net *n = setup(0);
	struct net_request *r;

	if (!n)
		return;
	r = req(0, "127.0.0.1", port, "/big");
	r->cap = 10000;
	CHECK_INT(perform(n, r), -EFBIG);
	CHECK_INT(res[0].kind, NET_TOO_LARGE);
	CHECK_STR(res[0].reason, "too large: body over 10000 bytes");
	r = req(0, "127.0.0.1", port, "/huge");
	r->cap = 100000;
	CHECK_INT(perform(n, r), -EFBIG);
	CHECK_INT(res[0].kind, NET_TOO_LARGE);
	prof.body = NET_BODY_HEAD;
	r = req(0, "127.0.0.1", port, "/status/404");
	r->cap = 6;
	CHECK_INT(perform(n, r), 0);
	CHECK_INT(res[0].status, 404);
	CHECK_INT(res[0].len, 6);
	CHECK(memcmp(body[0], "status", 6) == 0);
	net_close(n);
}

static void on_timer(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* The stop flag ends a transfer in flight (the route would answer after
 * 30 s), and one submitted while it is up never reaches the server. */
static void test_stop(void)
{
	struct net *n = setup(0);
	struct itimerval it;
	struct sigaction sa;
	double t[4];

	if (!n)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_timer;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof it);
	it.it_value.tv_usec = 500 * 1000;
	stop_flag = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/slow/1?d=30&t=stop")), -EINTR);
	CHECK_INT(res[0].kind, NET_STOPPED);
	CHECK_STR(res[0].reason, "stopped");
	CHECK(net_stopped(n));
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/page.html?t=stopped")), -EINTR);
	CHECK_INT(httpd_arrivals("t=stopped", t, NULL, 4), 0);
	CHECK_INT(net_submit(n, req(1, "127.0.0.1", port, "/page.html?t=stopped")), 0);
	CHECK_INT(drive(n, 2), 0);
	CHECK_INT(res[1].kind, NET_STOPPED);
	CHECK_INT(httpd_arrivals("t=stopped", t, NULL, 4), 0);
	stop_flag = 0;
	net_close(n);
}

/* An answer kept by its head (a push's) stands once its headers all came:
 * a body that then times out or is cancelled gives NET_OK, the failure in
 * detail; an endless one ends after the cap bytes kept. */
static void test_head_answered(void)
{
	struct net *n = setup(0);
	struct net_request *r;
	int64_t give_up = net_now_ms() + 30000;

	if (!n)
		return;
	prof.body = NET_BODY_HEAD;
	prof.timeout = 2;
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/trickle/200?t=head")), 0);
	CHECK_INT(res[0].kind, NET_OK);
	CHECK_INT(res[0].status, 200);
	CHECK(res[0].len > 0 && strstr(res[0].detail, "timed out") != NULL);
	prof.timeout = 30;
	/* Cancelled once the first byte of the body came. */
	r = req(0, "127.0.0.1", port, "/trickle/200?t=head-cancel");
	body[0][0] = '\0';
	CHECK_INT(net_submit(n, r), 0);
	while (res[0].pending && !body[0][0] && net_now_ms() < give_up)
		net_step(n);
	CHECK_INT(net_cancel(n, &res[0]), 0);
	CHECK_INT(res[0].kind, NET_OK);
	CHECK_INT(res[0].status, 200);
	CHECK_STR(res[0].detail, "cancelled");
	r = req(0, "127.0.0.1", port, "/endless/gzip?t=head");
	r->cap = 1024;
	CHECK_INT(perform(n, r), 0);
	CHECK_INT(res[0].status, 200);
	CHECK_INT(res[0].len, 1024);
	CHECK_STR(res[0].detail, "");
	/* A 2xx profile's body that times out is a failure, as before. */
	prof.body = NET_BODY_2XX;
	prof.timeout = 2;
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/trickle/200?t=2xx")), -ETIMEDOUT);
	net_close(n);
}

/* Compression is offered as gzip and deflate only, and a response in
 * another coding (zstd, br: windows as large as the body) is refused at the
 * end of its headers. */
static void test_codings(void)
{
	struct net *n = setup(0);
	char f[2][HTTPD_FIELDS][256];

	if (!n)
		return;
	prof.compressed = 1;
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/encoded?e=zstd")), -EPROTO);
	CHECK_INT(res[0].kind, NET_OTHER);
	CHECK(strstr(res[0].reason, "refused Content-Encoding 'zstd'") == res[0].reason);
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/encoded?e=gzip,%20br")), -EPROTO);
	CHECK(strstr(res[0].reason, "'gzip, br'") != NULL);
	CHECK_INT(perform(n, req(0, "127.0.0.1", port, "/gzip/rss2-fr.xml")), 0);
	CHECK_INT(res[0].status, 200);
	CHECK(res[0].len > 0 && memcmp(body[0], "<?xml", 5) == 0);
	CHECK_INT(httpd_requests("/encoded?e=zstd", f, 2), 1);
	CHECK_STR(f[0][3], "gzip, deflate");
	net_close(n);
}

/* A port on 127.0.0.1 nothing listens on (bound, then closed), or -1. */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = -1;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		p = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

/* The address rule: a link to a loopback address is refused before any
 * packet goes out; the source's own loopback host is reached, and only the
 * address and port its own request was answered on count as its own. */
static void test_address(void)
{
	struct net *n = setup(0);
	struct net_scope s;
	struct net_request *r;
	double t[4];
	char want[64];
	int closed = closed_port();

	if (!n)
		return;
	CHECK(closed > 0);
	net_scope_init(&s, "https://feeds.example.org/x", 0);
	r = req(0, "127.0.0.1", port, "/page.html?t=refused");
	r->scope = &s;
	CHECK_INT(perform(n, r), -EACCES);
	CHECK_INT(res[0].kind, NET_ADDRESS);
	CHECK(strstr(res[0].reason, "refused to connect to 127.0.0.1, a loopback address, for "
				    "127.0.0.1: ") == res[0].reason);
	CHECK_INT(httpd_arrivals("t=refused", t, NULL, 4), 0);
	/* The source's own host on loopback. */
	net_scope_init(&s, "http://127.0.0.1/feed", 0);
	s.own = 1;
	r = req(0, "127.0.0.1", port, "/page.html?t=own");
	r->scope = &s;
	CHECK_INT(perform(n, r), 0);
	CHECK_INT(res[0].status, 200);
	snprintf(want, sizeof want, "127.0.0.1 %d", port);
	CHECK_STR(s.own_addr, want);
	/* A link to that same address and port is the source's own host... */
	s.own = 0;
	r = req(0, "127.0.0.1", port, "/page.html?t=own-link");
	r->scope = &s;
	CHECK_INT(perform(n, r), 0);
	CHECK_INT(httpd_arrivals("t=own-link", t, NULL, 4), 1);
	/* ...another port on it is not. */
	r = req(0, "127.0.0.1", closed, "/page.html?t=other-port");
	r->scope = &s;
	CHECK_INT(perform(n, r), -EACCES);
	CHECK_INT(res[0].kind, NET_ADDRESS);
	/* The own request tried a private address that refused the connection
	 * (a hostile DNS answer listing a private and a public address): that
	 * grants nothing to the links that follow. */
	net_scope_init(&s, "http://127.0.0.1/feed", 0);
	s.own = 1;
	r = req(0, "127.0.0.1", closed, "/feed");
	r->scope = &s;
	CHECK(perform(n, r) < 0);
	CHECK_INT(res[0].kind, NET_CONNECT);
	CHECK_STR(s.own_addr, "");
	s.own = 0;
	r = req(0, "127.0.0.1", port, "/page.html?t=after-refused");
	r->scope = &s;
	CHECK_INT(perform(n, r), -EACCES);
	CHECK_INT(httpd_arrivals("t=after-refused", t, NULL, 4), 0);
	/* Its redirect to another loopback host is a link like any other. */
	net_scope_init(&s, "http://127.0.0.1/feed", 0);
	s.own = 1;
	{
		char path[128];

		/* Encoded, so that only the redirected request's path holds "hop=2". */
		snprintf(path, sizeof path, "/to?u=http://127.0.0.2:%d/page.html%%3Fhop%%3D2", alt);
		r = req(0, "127.0.0.1", port, path);
	}
	r->scope = &s;
	CHECK_INT(perform(n, r), -EACCES);
	CHECK_INT(httpd_arrivals("hop=2", t, NULL, 4), 0);
	s.allow_private = 1;
	CHECK_INT(perform(n, r), 0);
	CHECK_INT(httpd_arrivals("hop=2", t, NULL, 4), 1);
	net_close(n);
}

int main(void)
{
	if (httpd_dir("test_net") < 0)
		return 1;
	RUN(test_config);
	RUN(test_keep_value);
	RUN(test_scope_init);
	RUN(test_smtp_tls_optional);
	if (httpd_start() == 0) {
		RUN(test_perform);
		RUN(test_concurrent);
		RUN(test_max_transfers);
		RUN(test_per_host_cap);
		RUN(test_politeness);
		RUN(test_deadline_timeout);
		RUN(test_body_cap);
		RUN(test_stop);
		RUN(test_head_answered);
		RUN(test_address);
		RUN(test_codings);
	} else {
		printf("FAIL: tests/httpd.py --plain starts\n");
		check_any_failed = 1;
	}
	httpd_stop();
	return CHECK_EXIT();
}
