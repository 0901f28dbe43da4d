/* SPDX-License-Identifier: MIT */
/* libcurl's multi handle behind one small API: transfer slots, the per-host
 * cap and delay, deadlines, the address rule, and every libcurl option set in
 * one function. Bodies go only into the caller's buffers, never past their
 * cap; TLS verification is never turned off. */
#include "net.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/date.h"
#include "core/url.h"
#include "net/addr.h"

/* curl_easy_header (7.84 without the experimental flag) replaces our own
 * header parsing; the pre-request callback (7.80) checks reused
 * connections against the address rule. */
#if LIBCURL_VERSION_NUM < 0x075400
#error "digestd needs libcurl 7.84 or later"
#endif

_Static_assert(NET_DETAIL_BYTES >= CURL_ERROR_SIZE, "libcurl's error text must fit");

enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_RUNNING };

/* One transfer: the caller's request and what libcurl needs for it. */
struct slot {
	struct net *net;
	enum slot_state state;
	uint64_t seq;	/* submit order: the oldest queued one starts first */
	int host;	/* index into net->hosts; -1 when the URL names none (set
			 * with net by net_submit: a never-used slot stays zero) */
	struct net_request rq;
	CURL *easy;	/* made on first use, then reused */
	struct curl_slist nodes[NET_MAX_HEADERS]; /* the request headers, no malloc */
	size_t len;	/* body bytes stored */
	int too_large;
	size_t head_bytes; /* response header bytes so far, redirects included */
	unsigned head_lines; /* and their lines (on_header) */
	int head_over;	/* they went past NET_HEAD_BYTES or NET_HEAD_LINES */
	long final_status; /* a final response's status once its headers all
			    * arrived (on_header); 0 before, and again at a
			    * redirect's next response */
	int head_full;	/* NET_BODY_HEAD: cap bytes kept, the rest not read */
	char encoding[32]; /* a Content-Encoding refused (on_header), "" none */
	int deadline_bound; /* the deadline was nearer than the profile's timeout */
	char refused[NET_REASON_BYTES]; /* why the address rule refused a connection */
	char errbuf[CURL_ERROR_SIZE];
	size_t sent;	/* SMTP: message bytes handed to libcurl (on_read) */
};

/* A host recently asked, for the per-host cap and the politeness delay. */
struct host {
	char name[NET_HOST_BYTES];
	int64_t last_ms;	/* the last request sent or answered; INT64_MIN none;
				 * meaningless (0) while name is "" */
	unsigned running;	/* transfers to it in progress */
	unsigned users;		/* slots naming it: it is kept while nonzero */
};

struct net {
	CURLM *multi;
	volatile sig_atomic_t *stop;
	unsigned max_transfers;
	uint64_t seq;
	int64_t timer_ms;	/* when libcurl wants its timeout action; -1 none */
	size_t nfds;
	struct pollfd fds[NET_MAX_FDS]; /* the sockets libcurl waits on */
	struct slot slots[NET_MAX_TRANSFERS];
	struct host hosts[NET_MAX_HOSTS];
};

int64_t net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int net_stopped(const struct net *n)
{
	return n->stop && *n->stop;
}

int net_keep_value(char *dst, size_t size, const char *v, size_t n)
{
	dst[0] = '\0';
	if (n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return -EINVAL;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

void net_scope_init(struct net_scope *s, const char *url, int allow_private)
{
	memset(s, 0, sizeof(*s));
	s->allow_private = allow_private;
	if (url_host(url, s->host, sizeof(s->host)) != 0)
		s->host[0] = '\0';
}

/* libcurl tells which sockets to watch for what; kept for net_pollfds. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct net *n = arg;
	size_t i = 0;

	(void)easy;
	(void)sockp;
	while (i < n->nfds && n->fds[i].fd != fd)
		i++;
	if (what == CURL_POLL_REMOVE) {
		if (i < n->nfds)
			n->fds[i] = n->fds[--n->nfds];
		return 0;
	}
	if (i == n->nfds) {
		if (n->nfds == NET_MAX_FDS)
			return -1; /* NET_MAX_FDS leaves room: not reached */
		n->nfds++;
	}
	n->fds[i].fd = fd;
	n->fds[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) |
				   (what & CURL_POLL_OUT ? POLLOUT : 0));
	n->fds[i].revents = 0;
	return 0;
}

static int on_timer(CURLM *multi, long ms, void *arg)
{
	struct net *n = arg;

	(void)multi;
	n->timer_ms = ms < 0 ? -1 : net_now_ms() + ms;
	return 0;
}

void net_configure(struct net *n, const struct cfg *cfg)
{
	n->max_transfers = cfg->daemon.max_transfers;
	if (n->max_transfers < 1 || n->max_transfers > NET_MAX_TRANSFERS)
		n->max_transfers = 1; /* cfg refuses these; a zeroed cfg gets one */
	/* Idle connections kept for reuse: one per transfer slot in use. */
	curl_multi_setopt(n->multi, CURLMOPT_MAXCONNECTS, (long)n->max_transfers);
}

int net_open(struct net **np, const struct cfg *cfg, volatile sig_atomic_t *stop)
{
	struct net *n = NULL;
	int rc = -ENOMEM;

	*np = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	n = calloc(1, sizeof(*n));
	if (!n)
		goto out;
	n->multi = curl_multi_init();
	if (!n->multi)
		goto out;
	n->stop = stop;
	n->timer_ms = -1;
	/* Slots and host entries stay as calloc left them until used (a slot
	 * gets its fields in net_submit, a host entry in host_of): writing all
	 * 32 slots and 64 hosts here made 56 KB (arm64) of pages the daemon's
	 * own that a configuration with one or two transfers never uses. */
	if (curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
	    curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n) != CURLM_OK ||
	    curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, on_timer) != CURLM_OK ||
	    curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n) != CURLM_OK)
		goto out;
	net_configure(n, cfg);
	*np = n;
	rc = 0;
out:
	if (rc != 0) {
		if (n && n->multi)
			curl_multi_cleanup(n->multi);
		free(n);
		curl_global_cleanup();
	}
	return rc;
}

void net_close(struct net *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < NET_MAX_TRANSFERS; i++) {
		struct slot *s = &n->slots[i];

		if (s->state == SLOT_RUNNING)
			curl_multi_remove_handle(n->multi, s->easy);
		if (s->state != SLOT_FREE) {
			s->rq.res->kind = NET_STOPPED;
			s->rq.res->err = -EINTR;
			s->rq.res->pending = 0;
		}
		if (s->easy)
			curl_easy_cleanup(s->easy);
	}
	curl_multi_cleanup(n->multi);
	free(n);
	curl_global_cleanup();
}

/* The host entry for url's host: its own, or the least recently used one no
 * slot names (there always is one: NET_MAX_HOSTS > NET_MAX_TRANSFERS).
 * -1 when url names no host. */
static int host_of(struct net *n, const char *url)
{
	char name[NET_HOST_BYTES];
	int oldest = -1;
	int64_t oldest_ms = INT64_MIN;

	if (url_host(url, name, sizeof(name)) != 0)
		return -1;
	for (int i = 0; i < (int)NET_MAX_HOSTS; i++) {
		const struct host *h = &n->hosts[i];
		/* An entry never named is as old as one never sent to. */
		int64_t ms = h->name[0] ? h->last_ms : INT64_MIN;

		if (h->name[0] && strcmp(h->name, name) == 0)
			return i;
		if (h->users == 0 && (oldest < 0 || ms < oldest_ms)) {
			oldest = i;
			oldest_ms = ms;
		}
	}
	if (oldest >= 0) {
		snprintf(n->hosts[oldest].name, sizeof(n->hosts[oldest].name), "%s", name);
		n->hosts[oldest].last_ms = INT64_MIN;
		n->hosts[oldest].running = 0;
	}
	return oldest;
}

int net_host_full(const struct net *n, const char *url)
{
	char name[NET_HOST_BYTES];

	if (url_host(url, name, sizeof(name)) != 0)
		return 0;
	for (size_t i = 0; i < NET_MAX_HOSTS; i++)
		if (n->hosts[i].users >= NET_PER_HOST && strcmp(n->hosts[i].name, name) == 0)
			return 1;
	return 0;
}

/* Marks a request to s's host as sent or answered now. */
static void host_touch(struct net *n, const struct slot *s)
{
	if (s->host >= 0)
		n->hosts[s->host].last_ms = net_now_ms();
}

int net_submit(struct net *n, const struct net_request *rq)
{
	struct slot *s = NULL;
	unsigned used = 0;
	struct net_result *r = rq->res;

	if (!rq->profile || !rq->url || !r || rq->n_headers > NET_MAX_HEADERS ||
	    (rq->n_headers && !rq->headers) || (rq->cap && !rq->body))
		return -EINVAL;
	if (rq->mail_from && (rq->n_headers || !rq->n_rcpt || rq->n_rcpt > NET_MAX_HEADERS ||
			      !rq->rcpt || !rq->post))
		return -EINVAL;
	for (size_t i = 0; i < NET_MAX_TRANSFERS; i++) {
		if (n->slots[i].state != SLOT_FREE)
			used++;
		else if (!s)
			s = &n->slots[i];
	}
	if (!s || used >= n->max_transfers)
		return -EBUSY;
	memset(r, 0, sizeof(*r));
	r->pending = 1;
	if (strlen(rq->url) < sizeof(r->effective_url))
		memcpy(r->effective_url, rq->url, strlen(rq->url) + 1);
	s->rq = *rq;
	s->net = n;
	s->state = SLOT_QUEUED;
	s->seq = n->seq++;
	s->host = host_of(n, rq->url);
	if (s->host >= 0)
		n->hosts[s->host].users++;
	return 0;
}

static void set_reason(struct net_result *r, enum net_kind kind, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_reason(struct net_result *r, enum net_kind kind, int err, const char *fmt, ...)
{
	va_list ap;

	r->kind = kind;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* Whether s's answer stands though its body failed: an answer kept by its
 * head (NET_BODY_HEAD: a push's) whose final status and headers all
 * arrived. The server has taken the request then, whatever becomes of the
 * body (a timeout, a stall, a reset, a stop): ending it as a failure would
 * make the caller send the request again. */
static int answered(const struct slot *s)
{
	return s->rq.profile->body == NET_BODY_HEAD && !s->rq.mail_from && s->final_status;
}

/* Gives s's slot back and tells its caller: the result is already filled.
 * Nothing of libcurl's may point at the caller's memory afterwards. */
static void finish(struct net *n, struct slot *s)
{
	struct net_result *r = s->rq.res;
	net_done_fn done = s->rq.done;
	void *arg = s->rq.arg;

	if (s->state == SLOT_RUNNING) {
		curl_multi_remove_handle(n->multi, s->easy);
		curl_easy_reset(s->easy);
		if (s->host >= 0)
			n->hosts[s->host].running--;
		host_touch(n, s);
	}
	if (s->host >= 0)
		n->hosts[s->host].users--;
	s->host = -1;
	s->state = SLOT_FREE;
	memset(&s->rq, 0, sizeof(s->rq));
	r->pending = 0;
	if (done)
		done(arg, r);
}

static void ended(struct net *n, struct slot *s, CURLcode rc, const char *why);

/* Ends s without a response: kind, errno and reason. An answer whose
 * headers all arrived stands though (answered): a stop during its body
 * ends it as the answer it is. */
static void fail(struct net *n, struct slot *s, enum net_kind kind, int err, const char *reason)
{
	if (kind == NET_STOPPED && s->state == SLOT_RUNNING && answered(s)) {
		ended(n, s, CURLE_ABORTED_BY_CALLBACK, reason);
		return;
	}
	set_reason(s->rq.res, kind, err, "%s", reason);
	finish(n, s);
}

/* The address rule (struct net_scope) for a connection to sa, new or
 * reused, for s's request; sending is 1 when the request is about to go out
 * on it (on_prereq), 0 when it is only being opened (on_open). Returns 1 when
 * it must not be used, with the reason in s->refused. */
static int refused(struct slot *s, const struct sockaddr *sa, size_t len, int sending)
{
	struct net_scope *sc = s->rq.scope;
	const char *kind = addr_private_kind(sa, len);
	char host[NET_HOST_BYTES] = "", addr[ADDR_TEXT_BYTES], at[NET_SCOPE_ADDR_BYTES];
	const char *url = NULL;
	long redirects = 0;

	if (!sc || !kind || sc->allow_private)
		return 0;
	curl_easy_getinfo(s->easy, CURLINFO_EFFECTIVE_URL, &url);
	curl_easy_getinfo(s->easy, CURLINFO_REDIRECT_COUNT, &redirects);
	if (!url || url_host(url, host, sizeof(host)) != 0)
		host[0] = '\0';
	addr_format(sa, len, addr, sizeof(addr));
	snprintf(at, sizeof(at), "%s %u", addr, addr_port(sa, len));
	if (sc->host[0] && strcmp(host, sc->host) == 0) {
		if (sc->own && redirects == 0) {
			if (sending)
				memcpy(sc->own_addr, at, sizeof(at));
			return 0;
		}
		if (sc->own_addr[0] && strcmp(at, sc->own_addr) == 0)
			return 0;
	}
	/* A host name too long for the reason is cut: the address names the
	 * refusal already. */
	snprintf(s->refused, sizeof(s->refused),
		 "refused to connect to %s, %s, for %.128s: links and redirects reach only public "
		 "addresses unless allow_private = yes",
		 addr, kind, host[0] ? host : "?");
	return 1;
}

/* libcurl's socket for each connection it makes (redirects included), after
 * name resolution: the address really connected to, so a feed cannot
 * smuggle a private one through DNS, and no packet goes to a refused one. */
static curl_socket_t on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct slot *s = arg;

	(void)purpose;
	if (refused(s, &a->addr, a->addrlen, 0))
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Called before each request goes out, on a new or a reused connection: the
 * moment the politeness delay counts from, and a connection one source left
 * open to its own loopback host must not carry another source's link there. */
static int on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	struct slot *s = arg;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	const struct sockaddr *sa = (const struct sockaddr *)&in4;
	size_t len = sizeof(in4);

	(void)local_ip;
	(void)local_port;
	host_touch(s->net, s);
	memset(&in4, 0, sizeof(in4));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, primary_ip, &in4.sin_addr) == 1) {
		in4.sin_family = AF_INET;
		in4.sin_port = htons((uint16_t)primary_port);
	} else if (inet_pton(AF_INET6, primary_ip, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons((uint16_t)primary_port);
		sa = (const struct sockaddr *)&in6;
		len = sizeof(in6);
	} else {
		len = 0; /* unknown: refused below unless allow_private */
	}
	return refused(s, sa, len, 1) ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

/* Stores the body as the profile says (enum net_body). Returning short makes
 * libcurl abandon the transfer. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct slot *s = arg;
	size_t n = size * nmemb, room = s->rq.cap - s->len;

	if (s->rq.profile->body == NET_BODY_2XX) {
		long code = 0;

		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code < 200 || code > 299)
			return n; /* a redirect's note, a 1xx: not the answer */
		if (n > room) {
			s->too_large = 1;
			return 0;
		}
	} else if (n > room) {
		/* The rest is not read: an endless answer ends here, not at the
		 * timeout (the connection is closed rather than kept). */
		memcpy(s->rq.body + s->len, data, room);
		s->len += room;
		s->head_full = 1;
		return 0;
	}
	memcpy(s->rq.body + s->len, data, n);
	s->len += n;
	return n;
}

/* The most bytes one response may put on the wire for a 2xx profile. */
static uint64_t wire_cap(const struct slot *s)
{
	return (uint64_t)s->rq.cap + s->rq.cap / NET_WIRE_SLACK + NET_WIRE_EXTRA;
}

/* Bytes of one response received (dlnow: on the wire, before decoding).
 * libcurl reads a followed redirect's body without handing it to on_body,
 * to keep the connection, and a gzip body of empty blocks decodes to
 * nothing: on_body's cap sees neither, and an endless one ran until the
 * timeout at line speed. NET_WIRE_SLACK and NET_WIRE_EXTRA leave room for
 * a real body coded larger than itself. Returning nonzero ends the transfer. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct slot *s = arg;

	(void)dltotal;
	(void)ultotal;
	(void)ulnow;
	if (dlnow < 0 || (uint64_t)dlnow <= wire_cap(s))
		return 0;
	s->too_large = 1;
	return 1;
}

/* The content codings a response may use when the request offered them:
 * gzip and deflate decode in a small fixed window (zlib's 32 KiB), while
 * zstd and brotli windows grow with the body, up to the size of the body
 * itself, which would put the memory bound (docs/daemon.md) out of reach. A
 * server sending another coding unasked is refused at the end of its headers,
 * before libcurl decodes a byte. Returns 1 when value is acceptable. */
static int coding_ok(const char *value)
{
	static const char *const ok[] = { "gzip", "x-gzip", "deflate", "identity" };
	const char *p = value;

	while (*p) {
		size_t len, k;
		int found = 0;

		p += strspn(p, " \t,");
		len = strcspn(p, " \t,");
		if (len == 0)
			break;
		for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
			if (strlen(ok[k]) == len && strncasecmp(p, ok[k], len) == 0)
				found = 1;
		if (!found)
			return 0;
		p += len;
	}
	return 1;
}

/* Each header line of each response: libcurl keeps every one of a
 * transfer (its redirects included) for curl_easy_header, at some 60 bytes
 * of heap a line beside its text, and stops only at 300 KiB of text: 60,000
 * lines of "a:b" cost 3.3 MiB, not the 300 KiB the memory bound allows
 * (docs/daemon.md). NET_HEAD_LINES and NET_HEAD_BYTES cap them. At the blank
 * line that ends a response, its Content-Encoding is checked (coding_ok) and
 * a final status noted (answered). Returning short ends the transfer. */
static size_t on_header(char *line, size_t size, size_t nitems, void *arg)
{
	struct slot *s = arg;
	size_t n = size * nitems;
	struct curl_header *h;
	long code = 0;

	s->head_bytes += n;
	if (++s->head_lines > NET_HEAD_LINES || s->head_bytes > NET_HEAD_BYTES) {
		s->head_over = 1;
		return 0;
	}
	if (n > 2 || (n > 0 && line[0] != '\r' && line[0] != '\n')) {
		if (n >= 5 && memcmp(line, "HTTP/", 5) == 0)
			s->final_status = 0; /* another response: a 1xx's, a redirect's */
		return n;
	}
	if (s->rq.profile->compressed &&
	    curl_easy_header(s->easy, "Content-Encoding", 0, CURLH_HEADER, -1, &h) == CURLHE_OK &&
	    !coding_ok(h->value)) {
		snprintf(s->encoding, sizeof(s->encoding), "%.*s",
			 (int)strcspn(h->value, "\r\n"), h->value);
		return 0;
	}
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200)
		s->final_status = code;
	return n;
}

int net_smtp_tls_optional(const char *url)
{
	char host[NET_HOST_BYTES];

	return strncasecmp(url, "smtp://", 7) == 0 && url_host(url, host, sizeof(host)) == 0 &&
	       url_host_is_loopback(host);
}

/* Hands libcurl the next bytes of an SMTP submission's message. */
static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct slot *s = arg;
	size_t left = s->rq.post_len - s->sent, n = size * nitems;

	if (n > left)
		n = left;
	memcpy(buf, s->rq.post + s->sent, n);
	s->sent += n;
	return n;
}

/* Each SMTP reply line of a refusal (4xx, 5xx): the last one is kept as the
 * answer's body (capped), so that a refusal logs the server's own words.
 * Only those: after a refused RCPT, libcurl still sends QUIT, and its "221
 * bye" replaced the refusal in the log and the dead letter. */
static size_t on_reply(char *line, size_t size, size_t nitems, void *arg)
{
	struct slot *s = arg;
	size_t n = size * nitems;

	if (!n || (line[0] != '4' && line[0] != '5'))
		return n;
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	s->len = n < s->rq.cap ? n : s->rq.cap;
	if (s->len)
		memcpy(s->rq.body, line, s->len);
	return size * nitems;
}

/* One libcurl option on h, while every earlier one was taken (rc). */
#define SET(opt, val)                                     \
	do {                                              \
		if (rc == CURLE_OK)                       \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)

/* The SMTP part of set_options (the envelope, the message, the login, TLS);
 * *rcp is set_options' running result. The recipients use s->nodes: an SMTP
 * request has no header lines (net_submit checks). */
static void set_smtp(struct slot *s, CURLcode *rcp)
{
	const struct net_request *rq = &s->rq;
	const struct net_profile *p = rq->profile;
	CURL *h = s->easy;
	CURLcode rc = *rcp;

	for (unsigned i = 0; i < rq->n_rcpt; i++) {
		s->nodes[i].data = (char *)(uintptr_t)rq->rcpt[i];
		s->nodes[i].next = i + 1 < rq->n_rcpt ? &s->nodes[i + 1] : NULL;
	}
	s->sent = 0;
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "smtps,smtp");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTPS | CURLPROTO_SMTP));
#endif
	/* smtps:// is TLS from the first byte; smtp:// upgrades with STARTTLS,
	 * and only a loopback server may go without it. */
	SET(CURLOPT_USE_SSL, net_smtp_tls_optional(rq->url) ? (long)CURLUSESSL_TRY
							     : (long)CURLUSESSL_ALL);
	SET(CURLOPT_MAIL_FROM, rq->mail_from);
	SET(CURLOPT_MAIL_RCPT, s->nodes);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, on_read);
	SET(CURLOPT_READDATA, s);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->post_len);
	SET(CURLOPT_HEADERFUNCTION, on_reply);
	SET(CURLOPT_HEADERDATA, s);
	if (p->username[0]) {
		SET(CURLOPT_USERNAME, p->username);
		SET(CURLOPT_PASSWORD, p->password);
	}
	*rcp = rc;
}

/* Every libcurl option of a transfer, in one place: libcurl keeps pointers
 * to the slot and to the caller's request until finish resets the handle.
 * The timeouts are in ms, cut to what is left until the deadline. */
static int set_options(struct slot *s, long connect_ms, long total_ms)
{
	const struct net_request *rq = &s->rq;
	const struct net_profile *p = rq->profile;
	CURL *h = s->easy;
	CURLcode rc = CURLE_OK;

	SET(CURLOPT_PRIVATE, s);
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, s->errbuf);
	SET(CURLOPT_USERAGENT, p->user_agent);
	/* Named, not "" (every coding libcurl has): see coding_ok. */
	if (p->compressed)
		SET(CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
	SET(CURLOPT_FOLLOWLOCATION, p->max_redirects ? 1L : 0L);
	SET(CURLOPT_MAXREDIRS, (long)p->max_redirects);
	if (rq->mail_from) {
		set_smtp(s, &rc);
	} else {
		SET(CURLOPT_HEADERFUNCTION, on_header);
		SET(CURLOPT_HEADERDATA, s);
#if LIBCURL_VERSION_NUM >= 0x075500
		SET(CURLOPT_PROTOCOLS_STR, p->allow_http ? "http,https" : "https");
		SET(CURLOPT_REDIR_PROTOCOLS_STR, p->allow_http ? "http,https" : "https");
#else
		SET(CURLOPT_PROTOCOLS,
		    (long)(CURLPROTO_HTTPS | (p->allow_http ? CURLPROTO_HTTP : 0)));
		SET(CURLOPT_REDIR_PROTOCOLS,
		    (long)(CURLPROTO_HTTPS | (p->allow_http ? CURLPROTO_HTTP : 0)));
#endif
	}
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->ca_file[0]) {
		SET(CURLOPT_CAINFO, p->ca_file);
		/* curl built with a CA path fails when that folder is missing, even
		 * with a CA file given (mbedtls builds): the file alone must do. */
		SET(CURLOPT_CAPATH, (char *)NULL);
	}
	if (p->pinned_pubkey[0])
		SET(CURLOPT_PINNEDPUBLICKEY, p->pinned_pubkey);
	if (p->client_cert[0]) {
		SET(CURLOPT_SSLCERT, p->client_cert);
		SET(CURLOPT_SSLKEY, p->client_key);
	}
	if (p->bearer[0]) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		SET(CURLOPT_XOAUTH2_BEARER, p->bearer);
	}
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SET(CURLOPT_TIMEOUT_MS, total_ms);
	if (p->low_speed_time) {
		SET(CURLOPT_LOW_SPEED_LIMIT, (long)p->low_speed_limit);
		SET(CURLOPT_LOW_SPEED_TIME, (long)p->low_speed_time);
	}
	if (p->body == NET_BODY_2XX) {
		/* An error status ends the transfer after its headers. */
		SET(CURLOPT_FAILONERROR, 1L);
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)rq->cap);
		SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		SET(CURLOPT_XFERINFODATA, s);
		SET(CURLOPT_NOPROGRESS, 0L);
	}
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, s);
	if (rq->post && !rq->mail_from) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->post_len);
		SET(CURLOPT_POSTFIELDS, rq->post);
		/* Matrix sends an event with PUT: the same body, another verb. */
		if (rq->method && strcmp(rq->method, "POST") != 0)
			SET(CURLOPT_CUSTOMREQUEST, rq->method);
	}
	if (rq->n_headers)
		SET(CURLOPT_HTTPHEADER, s->nodes);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_open);
	SET(CURLOPT_OPENSOCKETDATA, s);
	SET(CURLOPT_PREREQFUNCTION, on_prereq);
	SET(CURLOPT_PREREQDATA, s);
#undef SET
	return rc == CURLE_OK ? 0 : -EINVAL;
}

/* When s may start by its host's politeness delay (0: now); INT64_MAX while
 * its host already has NET_PER_HOST transfers running. */
static int64_t start_due(const struct net *n, const struct slot *s)
{
	const struct host *h;

	if (s->host < 0)
		return 0;
	h = &n->hosts[s->host];
	if (h->running >= NET_PER_HOST)
		return INT64_MAX;
	if (h->last_ms == INT64_MIN)
		return 0;
	return h->last_ms + (int64_t)s->rq.profile->min_host_delay * 1000;
}

static unsigned running(const struct net *n)
{
	unsigned k = 0;

	for (size_t i = 0; i < NET_MAX_TRANSFERS; i++)
		k += n->slots[i].state == SLOT_RUNNING;
	return k;
}

/* Hands s to libcurl. Returns 0, or ends s with the reason it cannot run. */
static int start(struct net *n, struct slot *s, int64_t now)
{
	const struct net_profile *p = s->rq.profile;
	long connect_ms = (long)p->connect_timeout * 1000, total_ms = (long)p->timeout * 1000;

	s->deadline_bound = 0;
	if (s->rq.deadline_ms) {
		int64_t left = s->rq.deadline_ms - now;

		if (left <= 0) {
			fail(n, s, NET_DEADLINE, -ETIME, "deadline reached");
			return -ETIME;
		}
		if (left < total_ms) {
			total_ms = (long)left;
			s->deadline_bound = 1;
		}
		if (connect_ms > total_ms)
			connect_ms = total_ms;
	}
	if (!s->easy)
		s->easy = curl_easy_init();
	if (!s->easy) {
		fail(n, s, NET_OTHER, -ENOMEM, "transfer failed: out of memory");
		return -ENOMEM;
	}
	s->len = 0;
	s->too_large = 0;
	s->head_bytes = 0;
	s->head_lines = 0;
	s->head_over = 0;
	s->final_status = 0;
	s->head_full = 0;
	s->encoding[0] = '\0';
	s->refused[0] = '\0';
	s->errbuf[0] = '\0';
	for (unsigned i = 0; i < s->rq.n_headers; i++) {
		/* libcurl only reads the lines; its list type is not const. */
		s->nodes[i].data = (char *)(uintptr_t)s->rq.headers[i];
		s->nodes[i].next = i + 1 < s->rq.n_headers ? &s->nodes[i + 1] : NULL;
	}
	if (set_options(s, connect_ms, total_ms) != 0 ||
	    curl_multi_add_handle(n->multi, s->easy) != CURLM_OK) {
		curl_easy_reset(s->easy);
		fail(n, s, NET_OTHER, -EINVAL, "transfer failed: libcurl refused an option");
		return -EINVAL;
	}
	s->state = SLOT_RUNNING;
	if (s->host >= 0)
		n->hosts[s->host].running++;
	host_touch(n, s);
	return 0;
}

/* Ends queued transfers whose deadline came, or that their host's delay
 * would keep waiting past it; starts the others that may start now, oldest
 * first. Returns how many started. */
static int start_queued(struct net *n)
{
	int started = 0;

	for (;;) {
		int64_t now = net_now_ms();
		struct slot *next = NULL;

		for (size_t i = 0; i < NET_MAX_TRANSFERS; i++) {
			struct slot *s = &n->slots[i];
			int64_t due;

			if (s->state != SLOT_QUEUED)
				continue;
			due = start_due(n, s);
			if (s->rq.deadline_ms && (now >= s->rq.deadline_ms ||
						  (due != INT64_MAX && due >= s->rq.deadline_ms))) {
				fail(n, s, NET_DEADLINE, -ETIME, "deadline reached");
				continue;
			}
			if (due <= now && (!next || s->seq < next->seq))
				next = s;
		}
		if (!next || running(n) >= n->max_transfers)
			return started;
		if (start(n, next, now) == 0)
			started++;
	}
}

/* Maps a libcurl failure to a kind, an errno and a reason. */
static void classify(const struct slot *s, CURLcode rc, struct net_result *r)
{
	const struct net_profile *p = s->rq.profile;
	const char *d = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);

	snprintf(r->detail, sizeof(r->detail), "%s", d);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		set_reason(r, NET_DNS, -EHOSTUNREACH, "DNS lookup failed: %s", d);
		return;
	case CURLE_COULDNT_CONNECT:
		if (s->refused[0]) {
			set_reason(r, NET_ADDRESS, -EACCES, "%s", s->refused);
			return;
		}
		set_reason(r, NET_CONNECT, -ECONNREFUSED, "connection failed: %s", d);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
		set_reason(r, NET_TLS, -EPROTO, "TLS certificate verification failed: %s", d);
		return;
	case CURLE_SSL_CACERT_BADFILE:
		set_reason(r, NET_TLS, -EPROTO, "cannot use the CA file: %s", d);
		return;
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		set_reason(r, NET_PINNED, -EPROTO, "TLS: the server's public key is not the pinned one");
		return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
		set_reason(r, NET_TLS, -EPROTO, "TLS handshake failed: %s", d);
		return;
	case CURLE_USE_SSL_FAILED:
		/* libcurl's "STARTTLS not supported." does not say why that
		 * stops the mail: set_smtp wants TLS of a server not on loopback. */
		snprintf(r->detail, sizeof(r->detail),
			 "the SMTP server offers no STARTTLS, and mail goes in the clear only to "
			 "a loopback server: use smtps:// or a server with STARTTLS");
		set_reason(r, NET_TLS, -EPROTO, "TLS handshake failed: %s", r->detail);
		return;
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		if (rc == CURLE_WRITE_ERROR && s->head_over) {
			set_reason(r, NET_OTHER, -EPROTO,
				   "too many response headers (over %u lines or %u bytes, "
				   "redirects included)", NET_HEAD_LINES, NET_HEAD_BYTES);
			return;
		}
		if (rc == CURLE_WRITE_ERROR && s->encoding[0]) {
			set_reason(r, NET_OTHER, -EPROTO,
				   "refused Content-Encoding '%s' (only gzip and deflate are "
				   "accepted: their memory is bounded)", s->encoding);
			return;
		}
		if (rc == CURLE_WRITE_ERROR && !s->too_large)
			break;
		set_reason(r, NET_TOO_LARGE, -EFBIG, "too large: body over %zu bytes", s->rq.cap);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		/* libcurl has one code for all three; its message tells them apart. */
		if (strstr(s->errbuf, "too slow"))
			set_reason(r, NET_STALLED, -ETIMEDOUT,
				   "transfer stalled: under %llu bytes/s for %u s",
				   (unsigned long long)p->low_speed_limit, p->low_speed_time);
		else if (s->deadline_bound)
			set_reason(r, NET_DEADLINE, -ETIME, "deadline reached");
		else if (strstr(s->errbuf, "onnection") || strstr(s->errbuf, "esolving"))
			set_reason(r, NET_TIMEOUT, -ETIMEDOUT, "connect timeout after %u s",
				   p->connect_timeout);
		else
			set_reason(r, NET_TIMEOUT, -ETIMEDOUT, "timed out after %u s", p->timeout);
		return;
	case CURLE_TOO_MANY_REDIRECTS:
		set_reason(r, NET_REDIRECTS, -ELOOP, "too many redirects (more than %u, or a loop)",
			   p->max_redirects);
		return;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		/* libcurl's code for an answer without a status line too (what
		 * HTTP/0.9 was, refused): a server's garbage, not the URL's fault. */
		if (strstr(s->errbuf, "HTTP/0.9")) {
			set_reason(r, NET_OTHER, -EPROTO, "not an HTTP response: %s", d);
			return;
		}
		set_reason(r, NET_URL, -EINVAL, "unusable URL (only %s): %s",
			   p->allow_http ? "http and https" : "https", d);
		return;
	case CURLE_OUT_OF_MEMORY:
		/* libcurl's answer, without a word in errbuf, to a response header
		 * line over CURL_MAX_HTTP_HEADER (100 KiB): its buffer's cap. */
		if (!s->errbuf[0]) {
			set_reason(r, NET_OTHER, -EPROTO,
				   "transfer failed: a response header line over 100 KiB "
				   "(or out of memory)");
			return;
		}
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		if (s->refused[0]) { /* on_prereq */
			set_reason(r, NET_ADDRESS, -EACCES, "%s", s->refused);
			return;
		}
		if (s->too_large) { /* on_progress */
			set_reason(r, NET_TOO_LARGE, -EFBIG,
				   "too large: over %llu bytes received for one response",
				   (unsigned long long)wire_cap(s));
			return;
		}
		break;
	default:
		break;
	}
	set_reason(r, NET_OTHER, -EIO, "transfer failed: %s", d);
}

/* Copies the value of the final response's header name (its last instance)
 * into dst when it fits and holds no control character. */
static void header_value(CURL *easy, const char *name, char *dst, size_t size)
{
	struct curl_header *h = NULL;

	dst[0] = '\0';
	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return;
	if (h->amount > 1 &&
	    curl_easy_header(easy, name, h->amount - 1, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return;
	(void)net_keep_value(dst, size, h->value, strlen(h->value));
}

/* An SMTP server's 4xx or 5xx reply, which libcurl reports as a failure
 * (rc): an answer like an HTTP status, the reply line its body (on_reply),
 * libcurl's words for it the detail. */
static void smtp_refused(struct slot *s, CURLcode rc, struct net_result *r)
{
	const char *d = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);

	snprintf(r->detail, sizeof(r->detail), "%s", d);
	r->len = s->len;
	r->kind = NET_OK;
	r->err = 0;
	snprintf(r->reason, sizeof(r->reason), "SMTP reply %ld", r->status);
}

/* Fills s's result from libcurl's answer rc and ends s; why, when not
 * NULL, says why the transfer ended in libcurl's stead (a stop). */
static void ended(struct net *n, struct slot *s, CURLcode rc, const char *why)
{
	struct net_result *r = s->rq.res;
	const char *v = NULL;
	char ra[64], date[NET_DATE_BYTES];
	curl_off_t after = 0;
	int64_t at;

	/* CURLOPT_FAILONERROR: the headers are the answer; on_body kept the
	 * head it keeps. */
	if (rc == CURLE_HTTP_RETURNED_ERROR || (rc == CURLE_WRITE_ERROR && s->head_full))
		rc = CURLE_OK;
	if (curl_easy_getinfo(s->easy, CURLINFO_EFFECTIVE_URL, &v) == CURLE_OK && v &&
	    strlen(v) < sizeof(r->effective_url))
		memcpy(r->effective_url, v, strlen(v) + 1);
	v = NULL;
	if (curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &v) == CURLE_OK && v)
		(void)net_keep_value(r->content_type, sizeof(r->content_type), v, strlen(v));
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (rc != CURLE_OK && s->rq.mail_from && r->status >= 400 && r->status <= 599) {
		smtp_refused(s, rc, r);
		finish(n, s);
		return;
	}
	if (rc != CURLE_OK && !answered(s)) {
		classify(s, rc, r);
		/* The whole message went after DATA's 354, and the reply to its
		 * final '.' never came: the server may have it, and the retry
		 * sends it again. The log says so. */
		if (s->rq.mail_from && r->status == 354 && s->sent == s->rq.post_len)
			snprintf(r->detail, sizeof(r->detail),
				 "no reply after the whole message (the server may have taken "
				 "it: it goes again): %.100s", s->errbuf[0] ? s->errbuf :
				 curl_easy_strerror(rc));
		finish(n, s);
		return;
	}
	if (rc != CURLE_OK)
		snprintf(r->detail, sizeof(r->detail), "%s",
			 why ? why : s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
	r->kind = NET_OK;
	r->err = 0;
	r->len = s->len;
	snprintf(r->reason, sizeof(r->reason), "HTTP status %ld", r->status);
	header_value(s->easy, "ETag", r->etag, sizeof(r->etag));
	header_value(s->easy, "Last-Modified", r->last_modified, sizeof(r->last_modified));
	header_value(s->easy, "Date", date, sizeof(date));
	if (date[0] && date_parse(date, strlen(date), &r->date) < 0)
		r->date = 0;
	/* libcurl keeps the last Retry-After of a redirect chain; only the final
	 * response's counts. */
	header_value(s->easy, "Retry-After", ra, sizeof(ra));
	if (ra[0] && r->date && !(ra[0] >= '0' && ra[0] <= '9') &&
	    date_parse(ra, strlen(ra), &at) == 0) {
		/* An HTTP-date counts from the answer's Date, both on the
		 * server's clock: libcurl counts from ours, which on a board
		 * before NTP set it is years off (a wait of years, cut to the
		 * cap, or none). */
		if (at > r->date)
			r->retry_after = at - r->date;
	} else if (ra[0] && curl_easy_getinfo(s->easy, CURLINFO_RETRY_AFTER, &after) == CURLE_OK &&
		   after > 0) {
		r->retry_after = (int64_t)after;
	}
	finish(n, s);
}

/* Ends the transfers libcurl finished. */
static void harvest(struct net *n)
{
	for (;;) {
		int left = 0;
		CURLMsg *m = curl_multi_info_read(n->multi, &left);
		char *priv = NULL;
		CURLcode rc;

		if (!m)
			return;
		if (m->msg != CURLMSG_DONE)
			continue;
		rc = m->data.result; /* m is gone once the handle is removed */
		if (curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv) == CURLE_OK && priv)
			ended(n, (struct slot *)(void *)priv, rc, NULL);
	}
}

/* The stop flag: every transfer ends, none starts. */
static void stop_all(struct net *n)
{
	for (size_t i = 0; i < NET_MAX_TRANSFERS; i++)
		if (n->slots[i].state != SLOT_FREE)
			fail(n, &n->slots[i], NET_STOPPED, -EINTR, "stopped");
}

size_t net_pollfds(const struct net *n, struct pollfd *fds, size_t max)
{
	size_t k = n->nfds < max ? n->nfds : max;

	memcpy(fds, n->fds, k * sizeof(*fds));
	return k;
}

int net_timeout(const struct net *n)
{
	int64_t now = net_now_ms(), due = INT64_MAX;

	for (size_t i = 0; i < NET_MAX_TRANSFERS; i++) {
		const struct slot *s = &n->slots[i];
		int64_t t;

		if (s->state == SLOT_FREE)
			continue;
		if (net_stopped(n))
			return 0;
		if (s->state != SLOT_QUEUED)
			continue;
		t = start_due(n, s);
		if (t <= now && running(n) >= n->max_transfers)
			t = INT64_MAX; /* until a transfer ends: a socket event */
		if (s->rq.deadline_ms && s->rq.deadline_ms < t)
			t = s->rq.deadline_ms;
		if (t < due)
			due = t;
	}
	if (n->timer_ms >= 0 && n->timer_ms < due)
		due = n->timer_ms;
	if (due == INT64_MAX)
		return -1;
	if (due <= now)
		return 0;
	return due - now > INT_MAX ? INT_MAX : (int)(due - now);
}

static int is_ours(const struct net *n, int fd)
{
	for (size_t i = 0; i < n->nfds; i++)
		if (n->fds[i].fd == fd)
			return 1;
	return 0;
}

void net_dispatch(struct net *n, const struct pollfd *fds, size_t nfds)
{
	int still = 0;

	if (net_stopped(n)) {
		stop_all(n);
		return;
	}
	for (size_t i = 0; i < nfds; i++) {
		short ev = fds[i].revents;
		int mask = 0;

		if (!ev || !is_ours(n, fds[i].fd))
			continue;
		/* A hang-up or an error may still leave an answer to read. */
		if (ev & (POLLIN | POLLHUP | POLLERR))
			mask |= CURL_CSELECT_IN;
		if (ev & POLLOUT)
			mask |= CURL_CSELECT_OUT;
		if (ev & (POLLERR | POLLNVAL))
			mask |= CURL_CSELECT_ERR;
		curl_multi_socket_action(n->multi, fds[i].fd, mask, &still);
	}
	/* A transfer started here wants libcurl's attention at once (its timer
	 * is set to 0); a few rounds take it past connecting. */
	for (int round = 0; round < 4; round++) {
		if (n->timer_ms >= 0 && n->timer_ms <= net_now_ms()) {
			n->timer_ms = -1;
			curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &still);
		}
		harvest(n);
		if (start_queued(n) == 0)
			break;
	}
}

int net_cancel(struct net *n, const struct net_result *res)
{
	for (size_t i = 0; i < NET_MAX_TRANSFERS; i++) {
		struct slot *s = &n->slots[i];

		if (s->state != SLOT_FREE && s->rq.res == res) {
			fail(n, s, NET_STOPPED, -EINTR, "cancelled");
			return 0;
		}
	}
	return -ENOENT;
}

void net_step(struct net *n)
{
	struct pollfd fds[NET_MAX_FDS];
	size_t k = net_pollfds(n, fds, NET_MAX_FDS);
	int t = net_timeout(n);

	if (t < 0 || (n->stop && t > NET_STOP_SLICE_MS))
		t = NET_STOP_SLICE_MS;
	if (poll(fds, k, t) < 0 && errno != EINTR)
		return; /* ENOMEM: the timers still end the transfers */
	net_dispatch(n, fds, k);
}
