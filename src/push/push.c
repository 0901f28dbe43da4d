/* SPDX-License-Identifier: MIT */
/* One push of one outbox entry over HTTPS with libcurl: signing, TLS options,
 * a bounded answer buffer and the delivered/retry/dead decision. Secrets are
 * read once by push_init and never logged; verification is never turned off. */
#include "push.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "core/date.h"
#include "core/file.h"
#include "core/log.h"
#include "core/version.h"
#include "digest/digest.h"

/* First bytes of a refusal shown in the log line (the dead letter keeps
 * PUSH_ANSWER_BYTES). */
#define LOG_ANSWER_BYTES 200u

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Reads the bearer token from fd (path names it in messages): one word of
 * printable ASCII, blanks around it ignored. */
static int token_read(struct push_client *c, int fd, const char *path)
{
	char buf[PUSH_TOKEN_BYTES + 1];
	const char *p = buf;
	size_t n = 0;
	int rc;

	rc = file_read_full(fd, buf, sizeof buf, &n);
	if (rc < 0) {
		log_errx("[endpoint] token_file: %s: cannot read: %s", path, strerror(-rc));
		goto out;
	}
	if (n == sizeof buf) {
		rc = -EFBIG;
		log_errx("[endpoint] token_file: %s: longer than %u bytes", path,
			 PUSH_TOKEN_BYTES - 1);
		goto out;
	}
	while (n && is_ws(*p)) {
		p++;
		n--;
	}
	while (n && is_ws(p[n - 1]))
		n--;
	rc = -EINVAL;
	if (n == 0) {
		log_errx("[endpoint] token_file: %s: empty", path);
		goto out;
	}
	/* A token goes into a header line: visible ASCII only. */
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f) {
			log_errx("[endpoint] token_file: %s: the token must be one word of "
				 "printable ASCII",
				 path);
			goto out;
		}
	}
	memcpy(c->token, p, n);
	c->token[n] = '\0';
	c->token_len = n;
	rc = 0;
out:
	mbedtls_platform_zeroize(buf, sizeof buf);
	return rc;
}

/* Opens the secret file of [endpoint] key (cfg_secret_open: the rules
 * cfg_load already checked, checked again on the descriptor we read). */
static int secret_open(const struct cfg *cfg, const char *key, const char *value, char *path,
		       size_t size)
{
	char why[CFG_ERROR_BYTES];
	int fd = cfg_secret_open(cfg, value, path, size, why, sizeof why);

	if (fd < 0)
		log_errx("[endpoint] %s: %s: %s", key, path, why);
	return fd;
}

int push_init(struct push_client *c, const struct cfg *cfg, volatile sig_atomic_t *stop)
{
	const struct cfg_endpoint *ep = &cfg->endpoint;
	char path[CFG_PATH_BYTES + 64];
	int fd, rc;

	memset(c, 0, sizeof *c);
	c->ep = ep;
	c->stop = stop;
	fd = secret_open(cfg, "signing_key_file", ep->signing_key_file, path, sizeof path);
	if (fd < 0)
		return fd;
	rc = sign_key_read(fd, path, &c->key);
	close(fd);
	if (rc < 0)
		goto out;
	if (ep->token_file[0]) {
		fd = secret_open(cfg, "token_file", ep->token_file, path, sizeof path);
		if (fd < 0) {
			rc = fd;
			goto out;
		}
		rc = token_read(c, fd, path);
		close(fd);
		if (rc < 0)
			goto out;
	}
	if (ep->client_key[0]) {
		/* libcurl reads the key file itself at each handshake; check now
		 * that it can, so that a mistake stops start-up. */
		fd = secret_open(cfg, "client_key", ep->client_key, c->client_key,
				 sizeof c->client_key);
		if (fd < 0) {
			rc = fd;
			goto out;
		}
		close(fd);
	}
	c->curl = curl_easy_init();
	if (!c->curl) {
		log_errx("push: cannot make a libcurl handle");
		rc = -ENOMEM;
	}
out:
	if (rc < 0)
		push_free(c);
	return rc;
}

void push_free(struct push_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
	sign_key_clear(&c->key);
	mbedtls_platform_zeroize(c->token, sizeof c->token);
	c->token_len = 0;
}

int64_t push_backoff(const struct cfg_endpoint *ep, unsigned attempt, uint32_t rnd)
{
	int64_t max = ep->retry_max ? ep->retry_max : 1;
	int64_t d = ep->retry_base ? ep->retry_base : 1;
	int64_t half;

	for (unsigned i = 1; i < attempt && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	half = d / 2;
	return half + (int64_t)(rnd % (uint64_t)(d - half + 1));
}

int push_retry_after(const char *value, int64_t now, int64_t *delay)
{
	size_t n;
	int64_t t = 0;

	while (is_ws(*value))
		value++;
	n = strlen(value);
	while (n && is_ws(value[n - 1]))
		n--;
	if (n == 0)
		return -EINVAL;
	if (value[0] >= '0' && value[0] <= '9') {
		for (size_t i = 0; i < n; i++) {
			if (value[i] < '0' || value[i] > '9')
				return -EINVAL;
			/* Anything past ten years is as good as ten years. */
			if (t < 10 * 366 * 86400)
				t = t * 10 + (value[i] - '0');
		}
		*delay = t;
		return 0;
	}
	if (date_parse(value, n, &t) < 0)
		return -EINVAL;
	*delay = t > now ? t - now : 0;
	return 0;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct push_result *r = arg;
	size_t n = size * nmemb;
	size_t room = sizeof r->answer - r->answer_len;
	size_t take = n < room ? n : room;

	memcpy(r->answer + r->answer_len, p, take);
	r->answer_len += take;
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct push_client *c = arg;
	size_t n = size * nmemb;
	static const char key[] = "retry-after:";

	/* A new status line starts a new answer (after 100 Continue). */
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		c->hdr_buf[0] = '\0';
	if (n > sizeof key - 1 && strncasecmp(p, key, sizeof key - 1) == 0) {
		size_t v = n - (sizeof key - 1);
		if (v >= sizeof c->hdr_buf)
			v = sizeof c->hdr_buf - 1;
		memcpy(c->hdr_buf, p + sizeof key - 1, v);
		c->hdr_buf[v] = '\0';
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct push_client *c = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return c->stop && *c->stop ? 1 : 0;
}

static int is_tls_error(CURLcode res)
{
	switch (res) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return 1;
	default:
		return 0;
	}
}

/* Writes up to LOG_ANSWER_BYTES of the answer with controls as '?' and a
 * NUL, for one log line. */
static void answer_excerpt(const struct push_result *r, char *out, size_t size)
{
	size_t n = r->answer_len < LOG_ANSWER_BYTES ? r->answer_len : LOG_ANSWER_BYTES;
	size_t k = 0;

	while (n && is_ws(r->answer[n - 1]))
		n--;
	for (size_t i = 0; i < n && k + 1 < size; i++) {
		unsigned char ch = (unsigned char)r->answer[i];
		out[k++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	out[k] = '\0';
}

static uint32_t jitter_random(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v)
		v = (uint32_t)getpid() * 2654435761u;
	return v;
}

static int list_add(struct curl_slist **l, const char *s)
{
	struct curl_slist *t = curl_slist_append(*l, s);

	if (!t)
		return -ENOMEM;
	*l = t;
	return 0;
}

#define SETOPT(opt, val)                                                   \
	do {                                                               \
		if (curl_easy_setopt(curl, opt, val) != CURLE_OK) {        \
			snprintf(r->message, sizeof r->message,            \
				 "libcurl refused option %s", #opt);       \
			goto out;                                          \
		}                                                          \
	} while (0)

/* Sets every option of one attempt; headers go into *list. */
static int set_options(struct push_client *c, const struct outbox_entry *e, const char *sig,
		       int64_t now, struct push_result *r, char *errbuf, struct curl_slist **list)
{
	const struct cfg_endpoint *ep = c->ep;
	CURL *curl = c->curl;
	char line[DIGEST_ID_BYTES + 64];
	const char *https_only = "https";
	int http = strncasecmp(ep->url, "http://", 7) == 0;
	struct curl_slist *l = NULL;
	int rc;

	snprintf(line, sizeof line, "Content-Type: %s", digest_content_type(e->format));
	rc = list_add(&l, line);
	snprintf(line, sizeof line, "webhook-id: %s", e->id);
	if (rc == 0)
		rc = list_add(&l, line);
	snprintf(line, sizeof line, "webhook-timestamp: %" PRId64, now);
	if (rc == 0)
		rc = list_add(&l, line);
	snprintf(line, sizeof line, "webhook-signature: %s", sig);
	if (rc == 0)
		rc = list_add(&l, line);
	for (unsigned i = 0; rc == 0 && i < ep->header.n; i++)
		rc = list_add(&l, ep->header.line[i]);
	*list = l;
	if (rc < 0) {
		snprintf(r->message, sizeof r->message, "out of memory for request headers");
		return rc;
	}
	curl_easy_reset(curl);
	SETOPT(CURLOPT_URL, ep->url);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(CURLOPT_PROTOCOLS_STR, http ? "https,http" : https_only);
#else
	(void)https_only;
	SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTPS | (http ? CURLPROTO_HTTP : 0)));
#endif
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_POSTFIELDS, e->body);
	SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)e->len);
	SETOPT(CURLOPT_HTTPHEADER, l);
	SETOPT(CURLOPT_USERAGENT, "digestd/" DIGESTD_VERSION);
	SETOPT(CURLOPT_TIMEOUT, (long)ep->timeout);
	SETOPT(CURLOPT_CONNECTTIMEOUT, (long)ep->timeout);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (ep->ca_file[0]) {
		SETOPT(CURLOPT_CAINFO, ep->ca_file);
		SETOPT(CURLOPT_CAPATH, (char *)NULL);
	}
	if (ep->pinned_pubkey[0])
		SETOPT(CURLOPT_PINNEDPUBLICKEY, ep->pinned_pubkey);
	if (ep->client_cert[0]) {
		SETOPT(CURLOPT_SSLCERT, ep->client_cert);
		SETOPT(CURLOPT_SSLKEY, c->client_key);
	}
	if (c->token_len) {
		SETOPT(CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		SETOPT(CURLOPT_XOAUTH2_BEARER, c->token);
	}
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, r);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, c);
	SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(CURLOPT_XFERINFODATA, c);
	SETOPT(CURLOPT_NOPROGRESS, 0L);
	SETOPT(CURLOPT_ERRORBUFFER, errbuf);
	return 0;
out:
	return -EINVAL;
}

static void retry_at(struct push_client *c, const struct outbox_entry *e, int64_t now,
		     struct push_result *r)
{
	int64_t delay;

	/* The server knows best when it can take the digest: its Retry-After
	 * is honoured past retry_max, up to a ceiling that a hostile or broken
	 * endpoint cannot push further out. */
	if (r->status && c->hdr_buf[0] && push_retry_after(c->hdr_buf, now, &delay) == 0) {
		int64_t most = c->ep->retry_max > PUSH_RETRY_AFTER_MAX ? c->ep->retry_max
									: PUSH_RETRY_AFTER_MAX;

		if (delay < 1)
			delay = 1;
		if (delay > most)
			delay = most;
	} else {
		delay = push_backoff(c->ep, e->attempts + 1, jitter_random());
	}
	r->outcome = PUSH_RETRY;
	r->retry_at = now + delay;
}

static void classify_answer(struct push_client *c, const struct outbox_entry *e, int64_t now,
			    struct push_result *r)
{
	char ex[LOG_ANSWER_BYTES + 1];
	long s = r->status;

	snprintf(r->message, sizeof r->message, "HTTP %ld", s);
	if (s >= 200 && s <= 299) {
		r->outcome = PUSH_DELIVERED;
		log_info("push %s: delivered (HTTP %ld, %zu bytes)", e->id, s, e->len);
		return;
	}
	answer_excerpt(r, ex, sizeof ex);
	if (s >= 400 && s <= 499 && s != 408 && s != 429) {
		r->outcome = PUSH_DEAD;
		log_warnx("push %s: refused with HTTP %ld: %s", e->id, s, ex);
		return;
	}
	if (s >= 300 && s <= 399)
		snprintf(r->message, sizeof r->message,
			 "HTTP %ld: redirects are not followed; check [endpoint] url", s);
	retry_at(c, e, now, r);
	log_warnx("push %s: %s, retry in %" PRId64 " s (attempt %u)%s%s", e->id, r->message,
		  r->retry_at - now, e->attempts + 1, ex[0] ? ": " : "", ex);
}

int push_attempt(struct push_client *c, const struct outbox_entry *e, int64_t now,
		 struct push_result *r)
{
	char sig[SIGN_HEADER_BYTES];
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *list = NULL;
	CURLcode res;
	int rc;

	memset(r, 0, offsetof(struct push_result, answer));
	r->outcome = PUSH_RETRY;
	c->hdr_buf[0] = '\0';
	errbuf[0] = '\0';
	if (!c->curl || !e->id[0] || e->len > DIGEST_BODY_BYTES || !digest_content_type(e->format) ||
	    now < 0) {
		snprintf(r->message, sizeof r->message, "entry cannot be sent (bad id, size or format)");
		return -EINVAL;
	}
	if (c->stop && *c->stop) {
		r->outcome = PUSH_STOPPED;
		snprintf(r->message, sizeof r->message, "stopped before sending");
		return 0;
	}
	rc = sign_webhook(&c->key, e->id, now, e->body, e->len, sig, sizeof sig);
	if (rc < 0) {
		snprintf(r->message, sizeof r->message, "cannot sign: %s", strerror(-rc));
		return -EINVAL;
	}
	rc = set_options(c, e, sig, now, r, errbuf, &list);
	if (rc < 0) {
		curl_slist_free_all(list);
		return rc;
	}
	res = curl_easy_perform(c->curl);
	curl_slist_free_all(list);
	/* Nothing of this attempt may point at our stack once it returns. */
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, (char *)NULL);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	if (res == CURLE_ABORTED_BY_CALLBACK && c->stop && *c->stop) {
		r->outcome = PUSH_STOPPED;
		snprintf(r->message, sizeof r->message, "stopped while sending");
		log_info("push %s: abandoned (stopping); it stays in the outbox", e->id);
		return 0;
	}
	if (res == CURLE_OK) {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
		classify_answer(c, e, now, r);
		return 0;
	}
	if (res == CURLE_OPERATION_TIMEDOUT)
		snprintf(r->message, sizeof r->message, "timeout after %u s: %s", c->ep->timeout,
			 errbuf[0] ? errbuf : curl_easy_strerror(res));
	else if (res == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
		snprintf(r->message, sizeof r->message,
			 "TLS: the server's public key does not match pinned_pubkey");
	else
		snprintf(r->message, sizeof r->message, "%s: %s",
			 is_tls_error(res) ? "TLS" : "network",
			 errbuf[0] ? errbuf : curl_easy_strerror(res));
	r->status = 0;
	retry_at(c, e, now, r);
	log_warnx("push %s: %s; retry in %" PRId64 " s (attempt %u)", e->id, r->message,
		  r->retry_at - now, e->attempts + 1);
	return 0;
}
