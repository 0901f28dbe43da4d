/* SPDX-License-Identifier: MIT */
/* HTTP(S) GET with libcurl into a fixed buffer, classified outcomes, the
 * per-host delay, the deadline and the address rule. TLS verification is
 * never turned off here, and the body buffer never grows: a body over the
 * cap ends the transfer. */
#include "fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/date.h"
#include "core/url.h"
#include "core/version.h"
#include "sources/addr.h"

/* Longest single sleep while waiting for a host: short enough that a raised
 * stop flag is noticed promptly. */
#define WAIT_SLICE_MS 100

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stopped(const struct fetch_client *c)
{
	return c->stop && *c->stop;
}

int fetch_init(struct fetch_client *c, const struct cfg *cfg, volatile sig_atomic_t *stop)
{
	memset(c, 0, sizeof(*c));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	c->curl = curl_easy_init();
	if (!c->curl) {
		curl_global_cleanup();
		return -ENOMEM;
	}
	c->stop = stop;
	if (cfg->daemon.contact[0])
		snprintf(c->user_agent, sizeof(c->user_agent), "digestd/%s (+%s)", DIGESTD_VERSION,
			 cfg->daemon.contact);
	else
		snprintf(c->user_agent, sizeof(c->user_agent), "digestd/%s", DIGESTD_VERSION);
	snprintf(c->ca_file, sizeof(c->ca_file), "%s", cfg->http.ca_file);
	c->connect_timeout = cfg->http.connect_timeout;
	c->timeout = cfg->http.timeout;
	c->low_speed_limit = cfg->http.low_speed_limit;
	c->low_speed_time = cfg->http.low_speed_time;
	c->max_size = cfg->http.max_size;
	c->min_host_delay = cfg->http.min_host_delay;
	return 0;
}

void fetch_set_deadline(struct fetch_client *c, unsigned seconds)
{
	c->deadline_ms = seconds ? now_ms() + (int64_t)seconds * 1000 : 0;
}

void fetch_scope_init(struct fetch_scope *s, const char *url, int allow_private)
{
	memset(s, 0, sizeof(*s));
	s->allow_private = allow_private;
	if (url_host(url, s->host, sizeof(s->host)) != 0)
		s->host[0] = '\0';
}

void fetch_free(struct fetch_client *c)
{
	if (c->curl) {
		curl_easy_cleanup(c->curl);
		curl_global_cleanup();
	}
	c->curl = NULL;
}

int fetch_parse_retry_after(const char *s, size_t len, int64_t now, int64_t *until)
{
	int64_t t = 0;
	size_t i = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len)
		return -EINVAL;
	if (s[i] >= '0' && s[i] <= '9') {
		for (; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -EINVAL;
			if (t < FETCH_RETRY_AFTER_MAX)
				t = t * 10 + (s[i] - '0');
		}
		t += now;
	} else if (date_parse(s + i, len - i, &t) != 0) {
		return -EINVAL;
	}
	if (t < now)
		t = now;
	if (t > now + FETCH_RETRY_AFTER_MAX)
		t = now + FETCH_RETRY_AFTER_MAX;
	*until = t;
	return 0;
}

/* The host's entry, or a new one replacing the least recently used (an
 * unused entry has last_ms 0, older than any real request). */
static struct fetch_host *host_slot(struct fetch_client *c, const char *host)
{
	struct fetch_host *oldest = &c->hosts[0];

	for (size_t i = 0; i < FETCH_MAX_HOSTS; i++) {
		struct fetch_host *h = &c->hosts[i];

		if (strcmp(h->name, host) == 0)
			return h;
		if (h->last_ms < oldest->last_ms)
			oldest = h;
	}
	snprintf(oldest->name, sizeof(oldest->name), "%s", host);
	oldest->last_ms = INT64_MIN;
	return oldest;
}

/* Sleeps until min_host_delay has passed since the last request to h.
 * Returns 0, -EINTR when the stop flag rose meanwhile, or -ETIME at once
 * when the wait would end past the deadline. */
static int host_wait(struct fetch_client *c, const struct fetch_host *h)
{
	int64_t due;

	if (h->last_ms == INT64_MIN)
		return 0;
	due = h->last_ms + (int64_t)c->min_host_delay * 1000;
	if (c->deadline_ms && due >= c->deadline_ms)
		return -ETIME;
	for (;;) {
		int64_t left = due - now_ms();
		struct timespec ts;

		if (stopped(c))
			return -EINTR;
		if (left <= 0)
			return 0;
		if (left > WAIT_SLICE_MS)
			left = WAIT_SLICE_MS;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000;
		nanosleep(&ts, NULL);
	}
}

static int has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* Copies a header value if it fits and holds no control characters (it is
 * sent back in a request header, so it must not smuggle a line break). */
static void keep_value(char *dst, size_t size, const char *v, size_t n)
{
	if (n < size && !has_ctl(v, n)) {
		memcpy(dst, v, n);
		dst[n] = '\0';
	}
}

static int header_is(const char *line, size_t n, const char *name, const char **v, size_t *vn)
{
	size_t k = strlen(name);

	if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
		return 0;
	*v = line + k + 1;
	*vn = n - k - 1;
	while (*vn > 0 && (**v == ' ' || **v == '\t')) {
		(*v)++;
		(*vn)--;
	}
	while (*vn > 0 && ((*v)[*vn - 1] == ' ' || (*v)[*vn - 1] == '\t'))
		(*vn)--;
	return 1;
}

void fetch_header_line(struct fetch_headers *h, const char *line, size_t len)
{
	const char *v;
	size_t vn;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len > 5 && memcmp(line, "HTTP/", 5) == 0) {
		const char *sp = memchr(line, ' ', len);
		long st = 0;

		for (sp = sp ? sp + 1 : line + len;
		     sp < line + len && *sp >= '0' && *sp <= '9' && st < 1000; sp++)
			st = st * 10 + (*sp - '0');
		memset(h, 0, sizeof(*h));
		h->status = st;
	} else if (len == 0) {
		h->ended = 1;
	} else if (header_is(line, len, "etag", &v, &vn)) {
		keep_value(h->validators.etag, sizeof(h->validators.etag), v, vn);
	} else if (header_is(line, len, "last-modified", &v, &vn)) {
		keep_value(h->validators.last_modified, sizeof(h->validators.last_modified), v,
			   vn);
	} else if (header_is(line, len, "retry-after", &v, &vn)) {
		keep_value(h->retry_after, sizeof(h->retry_after), v, vn);
	}
}

/* Called once per header line of every response in a redirect chain. At the
 * end of the headers of an error status (400 or more) the transfer stops:
 * its body is never used, and one that trickles on must not turn a clear
 * status into a timeout. Returning short makes libcurl end the transfer. */
static size_t on_header(char *line, size_t size, size_t nitems, void *arg)
{
	struct fetch_client *c = arg;
	size_t n = size * nitems;

	fetch_header_line(&c->hdr, line, n);
	if (c->hdr.ended && c->hdr.status >= 400) {
		c->status_abort = 1;
		return 0;
	}
	return n;
}

/* The address rule (struct fetch_scope) for a connection to sa, new or
 * reused, for the current request. Returns 1 when it must not be used,
 * with the reason in c->refused. */
static int refused(struct fetch_client *c, const struct sockaddr *sa, size_t len)
{
	struct fetch_scope *sc = c->scope;
	const char *kind = addr_private_kind(sa, len);
	char host[FETCH_HOST_BYTES] = "", addr[ADDR_TEXT_BYTES];
	const char *url = NULL;
	long redirects = 0;

	if (!kind || sc->allow_private)
		return 0;
	curl_easy_getinfo(c->curl, CURLINFO_EFFECTIVE_URL, &url);
	curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_COUNT, &redirects);
	if (!url || url_host(url, host, sizeof(host)) != 0)
		host[0] = '\0';
	if (sc->host[0] && strcmp(host, sc->host) == 0) {
		if (sc->own && redirects == 0)
			sc->host_private = 1;
		if (sc->host_private)
			return 0;
	}
	/* A host name too long for the reason is cut: the address names the
	 * refusal already. */
	snprintf(c->refused, sizeof(c->refused),
		 "refused to connect to %s, %s, for %.128s: links and redirects reach only public "
		 "addresses unless allow_private = yes",
		 addr_format(sa, len, addr, sizeof(addr)), kind, host[0] ? host : "?");
	return 1;
}

/* libcurl's socket for each connection it makes (redirects included), after
 * name resolution: the address really connected to, so a feed cannot
 * smuggle a private one through DNS, and no packet goes to a refused one. */
static curl_socket_t on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch_client *c = arg;

	(void)purpose;
	if (refused(c, &a->addr, a->addrlen))
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

#if LIBCURL_VERSION_NUM >= 0x075000
/* Called before each request goes out, on a new or a reused connection: a
 * connection one source left open to its own loopback host must not carry
 * another source's link there. */
static int on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	struct fetch_client *c = arg;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	const struct sockaddr *sa = (const struct sockaddr *)&in4;
	size_t len = sizeof(in4);

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	memset(&in4, 0, sizeof(in4));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, primary_ip, &in4.sin_addr) == 1) {
		in4.sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, primary_ip, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		sa = (const struct sockaddr *)&in6;
		len = sizeof(in6);
	} else {
		len = 0; /* unknown: refused below unless allow_private */
	}
	return refused(c, sa, len) ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}
#endif

/* Stores a 2xx body; other statuses' bodies (error pages, redirect notes)
 * are read and dropped. Returning short makes libcurl abandon the transfer. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_client *c = arg;
	size_t n = size * nmemb;

	if (c->hdr.status < 200 || c->hdr.status > 299)
		return n;
	if (n > c->cap - c->len) {
		c->too_large = 1;
		return 0;
	}
	memcpy(c->body + c->len, data, n);
	c->len += n;
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	const struct fetch_client *c = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stopped(c);
}

static void set_reason(struct fetch_response *out, enum fetch_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_reason(struct fetch_response *out, enum fetch_kind kind, const char *fmt, ...)
{
	va_list ap;

	out->kind = kind;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* Maps a libcurl failure to a kind, a reason and an errno. */
static int classify(struct fetch_client *c, CURLcode rc, struct fetch_response *out)
{
	const char *d = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		set_reason(out, FETCH_KIND_DNS, "DNS lookup failed: %s", d);
		return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT:
		if (c->refused[0]) {
			set_reason(out, FETCH_KIND_ADDRESS, "%s", c->refused);
			return -EACCES;
		}
		set_reason(out, FETCH_KIND_CONNECT, "connection failed: %s", d);
		return -ECONNREFUSED;
	case CURLE_PEER_FAILED_VERIFICATION:
		set_reason(out, FETCH_KIND_TLS, "TLS certificate verification failed: %s", d);
		return -EPROTO;
	case CURLE_SSL_CACERT_BADFILE:
		set_reason(out, FETCH_KIND_TLS, "cannot use the CA file: %s", d);
		return -EPROTO;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
		set_reason(out, FETCH_KIND_TLS, "TLS handshake failed: %s", d);
		return -EPROTO;
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		if (rc == CURLE_WRITE_ERROR && !c->too_large)
			break;
		set_reason(out, FETCH_KIND_TOO_LARGE, "too large: body over %zu bytes", c->cap);
		return -EFBIG;
	case CURLE_OPERATION_TIMEDOUT:
		/* libcurl has one code for all three; its message tells them apart. */
		if (strstr(c->errbuf, "too slow")) {
			set_reason(out, FETCH_KIND_STALLED,
				   "transfer stalled: under %llu bytes/s for %u s",
				   (unsigned long long)c->low_speed_limit, c->low_speed_time);
		} else if (c->deadline_bound) {
			set_reason(out, FETCH_KIND_DEADLINE, "poll_timeout reached");
			return -ETIME;
		} else if (strstr(c->errbuf, "onnection") || strstr(c->errbuf, "esolving")) {
			set_reason(out, FETCH_KIND_TIMEOUT, "connect timeout after %u s",
				   c->connect_timeout);
		} else {
			set_reason(out, FETCH_KIND_TIMEOUT, "timed out after %u s", c->timeout);
		}
		return -ETIMEDOUT;
	case CURLE_TOO_MANY_REDIRECTS:
		set_reason(out, FETCH_KIND_REDIRECTS, "too many redirects (more than %d, or a loop)",
			   FETCH_MAX_REDIRECTS);
		return -ELOOP;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		set_reason(out, FETCH_KIND_URL, "unusable URL (only http and https): %s", d);
		return -EINVAL;
	case CURLE_ABORTED_BY_CALLBACK:
		if (c->refused[0] && !stopped(c)) { /* on_prereq, not the stop flag */
			set_reason(out, FETCH_KIND_ADDRESS, "%s", c->refused);
			return -EACCES;
		}
		set_reason(out, FETCH_KIND_STOPPED, "stopped");
		return -EINTR;
	default:
		break;
	}
	set_reason(out, FETCH_KIND_OTHER, "transfer failed: %s", d);
	return -EIO;
}

/* Fills kind and reason for a response that arrived. */
static void classify_status(struct fetch_client *c, struct fetch_response *out)
{
	int64_t now = (int64_t)time(NULL), until;
	char ra[96] = "";

	if (out->status >= 200 && out->status <= 299) {
		out->kind = FETCH_KIND_OK;
	} else if (out->status == 304) {
		out->kind = FETCH_KIND_NOT_MODIFIED;
	} else {
		out->kind = FETCH_KIND_HTTP_STATUS;
		if ((out->status == 429 || out->status == 503) && c->hdr.retry_after[0] &&
		    fetch_parse_retry_after(c->hdr.retry_after, strlen(c->hdr.retry_after), now,
					    &until) == 0) {
			out->retry_after = until;
			snprintf(ra, sizeof(ra), ", retry after %lld s", (long long)(until - now));
		}
	}
	snprintf(out->reason, sizeof(out->reason), "HTTP status %ld%s", out->status, ra);
}

/* Request options; libcurl keeps pointers to headers and c until the
 * transfer ends. The timeouts are in ms, cut to what is left until the
 * deadline. */
static int set_options(struct fetch_client *c, const char *url, struct curl_slist *headers,
		       long connect_ms, long total_ms)
{
	CURL *h = c->curl;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                     \
	do {                                              \
		if (rc == CURLE_OK)                       \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, c->errbuf);
	SET(CURLOPT_USERAGENT, c->user_agent);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file[0]) {
		SET(CURLOPT_CAINFO, c->ca_file);
		/* curl built with a CA path fails when that folder is missing, even
		 * with a CA file given (mbedtls builds): the file alone must do. */
		SET(CURLOPT_CAPATH, (char *)NULL);
	}
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SET(CURLOPT_TIMEOUT_MS, total_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, (long)c->low_speed_limit);
	SET(CURLOPT_LOW_SPEED_TIME, (long)c->low_speed_time);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->cap);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, c);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, c);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, c);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_open);
	SET(CURLOPT_OPENSOCKETDATA, c);
#if LIBCURL_VERSION_NUM >= 0x075000
	SET(CURLOPT_PREREQFUNCTION, on_prereq);
	SET(CURLOPT_PREREQDATA, c);
#else
	/* No check before each request: never reuse a connection, so that
	 * every request's connection passes on_open. */
	SET(CURLOPT_FRESH_CONNECT, 1L);
	SET(CURLOPT_FORBID_REUSE, 1L);
#endif
	if (headers)
		SET(CURLOPT_HTTPHEADER, headers);
#undef SET
	return rc == CURLE_OK ? 0 : -EINVAL;
}

int fetch_get(struct fetch_client *c, const char *url, const struct fetch_validators *in,
	      struct fetch_scope *scope, struct fetch_response *out, char *body, size_t cap)
{
	long connect_ms = (long)c->connect_timeout * 1000, total_ms = (long)c->timeout * 1000;
	/* Hand-made list nodes: the conditional headers need no allocation. */
	char inm[sizeof("If-None-Match: ") + FETCH_ETAG_BYTES];
	char ims[sizeof("If-Modified-Since: ") + FETCH_DATE_BYTES];
	struct curl_slist nodes[2], *headers = NULL;
	char host[FETCH_HOST_BYTES];
	struct fetch_host *slot = NULL;
	const char *s = NULL;
	CURLcode rc;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(out->effective_url, sizeof(out->effective_url), "%s", url);
	c->deadline_bound = 0;
	if (!c->curl) {
		set_reason(out, FETCH_KIND_OTHER, "HTTP client not initialised");
		return -EINVAL;
	}
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		set_reason(out, FETCH_KIND_URL, "unusable URL (only http and https)");
		return -EINVAL;
	}
	if (url_host(url, host, sizeof(host)) == 0) {
		slot = host_slot(c, host);
		err = host_wait(c, slot);
		if (err == -ETIME) {
			set_reason(out, FETCH_KIND_DEADLINE, "poll_timeout reached");
			return err;
		}
		if (err != 0) {
			set_reason(out, FETCH_KIND_STOPPED, "stopped");
			return -EINTR;
		}
	}
	if (c->deadline_ms) {
		int64_t left = c->deadline_ms - now_ms();

		if (left <= 0) {
			set_reason(out, FETCH_KIND_DEADLINE, "poll_timeout reached");
			return -ETIME;
		}
		if (left < total_ms) {
			total_ms = (long)left;
			c->deadline_bound = 1;
		}
		if (connect_ms > total_ms)
			connect_ms = total_ms;
	}
	if (in && in->last_modified[0] && !has_ctl(in->last_modified, strlen(in->last_modified))) {
		snprintf(ims, sizeof(ims), "If-Modified-Since: %s", in->last_modified);
		nodes[0].data = ims;
		nodes[0].next = headers;
		headers = &nodes[0];
	}
	if (in && in->etag[0] && !has_ctl(in->etag, strlen(in->etag))) {
		snprintf(inm, sizeof(inm), "If-None-Match: %s", in->etag);
		nodes[1].data = inm;
		nodes[1].next = headers;
		headers = &nodes[1];
	}
	c->body = body;
	c->cap = (uint64_t)cap < c->max_size ? cap : (size_t)c->max_size;
	c->len = 0;
	c->too_large = 0;
	c->status_abort = 0;
	memset(&c->hdr, 0, sizeof(c->hdr));
	c->scope = scope;
	c->refused[0] = '\0';
	c->errbuf[0] = '\0';
	curl_easy_reset(c->curl);
	if (set_options(c, url, headers, connect_ms, total_ms) != 0) {
		set_reason(out, FETCH_KIND_OTHER, "libcurl refused an option");
		return -EINVAL;
	}
	rc = curl_easy_perform(c->curl);
	if (rc == CURLE_WRITE_ERROR && c->status_abort)
		rc = CURLE_OK; /* the headers of an error status are all we want */
	if (slot)
		slot->last_ms = now_ms();
	if (curl_easy_getinfo(c->curl, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK && s &&
	    strlen(s) < sizeof(out->effective_url))
		snprintf(out->effective_url, sizeof(out->effective_url), "%s", s);
	s = NULL;
	if (curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s &&
	    strlen(s) < sizeof(out->content_type) && !has_ctl(s, strlen(s)))
		snprintf(out->content_type, sizeof(out->content_type), "%s", s);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &out->status);
	/* libcurl keeps pointers to these stack nodes until the next reset. */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	if (rc != CURLE_OK)
		return classify(c, rc, out);
	classify_status(c, out);
	if (out->kind == FETCH_KIND_OK)
		out->len = c->len;
	if (out->kind == FETCH_KIND_OK || out->kind == FETCH_KIND_NOT_MODIFIED)
		out->validators = c->hdr.validators;
	return 0;
}
