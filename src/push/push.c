/* SPDX-License-Identifier: MIT */
/* One push of one outbox entry: the secrets, the [endpoint] profile, the
 * signed request headers and the delivered/retry/dead decision. Secrets are
 * read once by push_init and never logged; the transfer is src/net's. */
#include "push.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "core/file.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/url.h"
#include "core/utf8.h"
#include "core/version.h"
#include "digest/digest.h"

/* First bytes of a refusal shown in the log line (the dead letter keeps
 * PUSH_ANSWER_BYTES). */
#define LOG_ANSWER_BYTES 200u

/* Reads the secret of key (token_file, url_file) from fd (path names it in
 * messages) into out (size bytes): one word of printable ASCII, blanks
 * around it ignored. */
static int word_read(const struct push_client *c, int fd, const char *key, const char *path,
		     char *out, size_t size)
{
	char buf[PUSH_TOKEN_BYTES > CFG_URL_BYTES ? PUSH_TOKEN_BYTES + 1 : CFG_URL_BYTES + 1];
	const char *p = buf;
	size_t n = 0;
	int rc;
	size_t cap = size + 1 < sizeof buf ? size + 1 : sizeof buf;

	rc = file_read_full(fd, buf, cap, &n);
	if (rc < 0) {
		log_errx("%s %s: %s: cannot read: %s", c->label, key, path, strerror(-rc));
		goto out;
	}
	if (n == cap) {
		rc = -EFBIG;
		log_errx("%s %s: %s: longer than %zu bytes", c->label, key, path, size - 1);
		goto out;
	}
	utf8_ascii_trim(&p, &n);
	rc = -EINVAL;
	if (n == 0 || n >= size) {
		log_errx("%s %s: %s: %s", c->label, key, path, n ? "too long" : "empty");
		goto out;
	}
	/* It goes into a header line or a URL: visible ASCII only. */
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f) {
			log_errx("%s %s: %s: must be one word of printable ASCII", c->label, key,
				 path);
			goto out;
		}
	}
	memcpy(out, p, n);
	out[n] = '\0';
	rc = 0;
out:
	mbedtls_platform_zeroize(buf, sizeof buf);
	return rc;
}

/* A Slack or Discord webhook URL from url_file: https:// with a host, as
 * the config's own URLs must be (plain http would send the secret in the
 * clear). */
static int url_check(const struct push_client *c, const char *path)
{
	struct url_parts u;
	char host[CFG_URL_BYTES];

	url_split(c->secret_url, strlen(c->secret_url), &u);
	if (url_web_scheme(&u) == URL_HTTPS && !u.has_userinfo &&
	    url_host(c->secret_url, host, sizeof host) == 0)
		return 0;
	log_errx("%s url_file: %s: expected the service's https:// webhook URL", c->label, path);
	return -EINVAL;
}

/* Opens the secret file of the endpoint's key (cfg_secret_open: the rules
 * cfg_load already checked, checked again on the descriptor we read). */
static int secret_open(const struct push_client *c, const struct cfg *cfg, const char *key,
		       const char *value, char *path, size_t size)
{
	char why[CFG_ERROR_BYTES];
	int fd = cfg_secret_open(cfg, value, path, size, why, sizeof why);

	if (fd < 0)
		log_errx("%s %s: %s: %s", c->label, key, path, why);
	return fd;
}

/* word_read of the secret file that key's value names (its path into path). */
static int word_file(const struct push_client *c, const struct cfg *cfg, const char *key,
		     const char *value, char *out, size_t size, char *path, size_t pathsz)
{
	int fd = secret_open(c, cfg, key, value, path, pathsz), rc;

	if (fd < 0)
		return fd;
	rc = word_read(c, fd, key, path, out, size);
	close(fd);
	return rc;
}

/* Copies the bare address of each comma-separated mailbox of list (addr or
 * Name <addr>, as cfg_load checked and kept them) to *at, each NUL-ended,
 * *at moving past it; v[] gets where each starts. Returns how many, or
 * -ENAMETOOLONG when end is reached first. */
static int bare_addresses(const char *list, char **at, const char *end, const char **v,
			  unsigned max)
{
	unsigned k = 0;
	const char *p = list;

	while (*p && k < max) {
		size_t len = strcspn(p, ",");
		const char *a = p, *lt = memchr(p, '<', len);
		size_t n = len;

		if (lt) {
			a = lt + 1;
			n = strcspn(a, ">");
		}
		utf8_ascii_trim(&a, &n);
		if (n + 1 > (size_t)(end - *at))
			return -ENAMETOOLONG;
		memcpy(*at, a, n);
		(*at)[n] = '\0';
		v[k++] = *at;
		*at += n + 1;
		p += len + (p[len] == ',');
	}
	return (int)k;
}

/* Email: the password and the envelope addresses. */
static int email_init(struct push_client *c, const struct cfg *cfg, const struct cfg_endpoint *ep,
		      char *path, size_t pathsz)
{
	char *at = c->rcpt_buf, *end = c->rcpt_buf + sizeof c->rcpt_buf;
	int rc;

	if (ep->password_file[0]) {
		rc = word_file(c, cfg, "password_file", ep->password_file, c->password,
			       sizeof c->password, path, pathsz);
		if (rc < 0)
			return rc;
	}
	rc = bare_addresses(ep->from, &at, end, &c->mail_from, 1);
	if (rc == 1)
		rc = bare_addresses(ep->to, &at, end, c->rcpt, CFG_MAX_RECIPIENTS);
	if (rc <= 0) {
		log_errx("%s from, to: no address to send to", c->label);
		return -EINVAL;
	}
	c->n_rcpt = (unsigned)rc;
	return 0;
}

/* The endpoint's profile: answers are kept by their head, redirects are
 * answers, plain http only where cfg_load allowed it (a loopback host). The
 * token is a bearer token but for Telegram, whose token is in the URL. */
static void profile_init(struct push_client *c, const struct cfg_endpoint *ep)
{
	struct net_profile *p = &c->profile;
	const char *url = ep->url_file[0] ? c->secret_url : ep->url;
	struct url_parts u;

	p->user_agent = "digestd/" DIGESTD_VERSION;
	p->ca_file = ep->ca_file;
	p->pinned_pubkey = ep->pinned_pubkey;
	p->client_cert = ep->client_cert;
	p->client_key = ep->client_cert[0] ? c->client_key : "";
	p->bearer = ep->kind == CFG_KIND_TELEGRAM ? "" : c->token;
	p->username = ep->username;
	p->password = c->password;
	url_split(url, strlen(url), &u);
	p->allow_http = url_web_scheme(&u) == URL_HTTP;
	p->connect_timeout = ep->timeout;
	p->timeout = ep->timeout;
	p->body = NET_BODY_HEAD;
}

int push_init(struct push_client *c, const struct cfg *cfg, const struct cfg_endpoint *ep,
	      struct net *net)
{
	char path[CFG_PATH_BYTES + 64];
	int fd, rc;

	/* mem_zero: an endpoint's client is 24 KB, and the parts of a kind it
	 * is not (a service's request, email's recipients and password) stay
	 * pages never written. */
	mem_zero(c, sizeof *c);
	c->ep = ep;
	c->net = net;
	cfg_endpoint_label(ep->name, c->label, sizeof c->label);
	/* The plain [endpoint]'s lines read as they always have. */
	if (ep->name[0])
		snprintf(c->to, sizeof c->to, " to %s", c->label);
	rc = 0;
	if (ep->signing_key_file[0]) {
		fd = secret_open(c, cfg, "signing_key_file", ep->signing_key_file, path,
				 sizeof path);
		if (fd < 0)
			return fd;
		rc = sign_key_read(fd, path, &c->key);
		close(fd);
		if (rc < 0)
			goto out;
	}
	if (ep->token_file[0]) {
		rc = word_file(c, cfg, "token_file", ep->token_file, c->token, sizeof c->token,
			       path, sizeof path);
		if (rc < 0)
			goto out;
	}
	if (ep->url_file[0]) {
		rc = word_file(c, cfg, "url_file", ep->url_file, c->secret_url,
			       sizeof c->secret_url, path, sizeof path);
		if (rc == 0)
			rc = url_check(c, path);
		if (rc < 0)
			goto out;
	}
	if (ep->kind == CFG_KIND_EMAIL) {
		rc = email_init(c, cfg, ep, path, sizeof path);
		if (rc < 0)
			goto out;
	}
	if (ep->client_key[0]) {
		/* libcurl reads the key file itself at each handshake; check now
		 * that it can, so that a mistake stops start-up. */
		fd = secret_open(c, cfg, "client_key", ep->client_key, c->client_key,
				 sizeof c->client_key);
		if (fd < 0) {
			rc = fd;
			goto out;
		}
		close(fd);
	}
	profile_init(c, ep);
out:
	if (rc < 0)
		push_free(c);
	return rc;
}

void push_free(struct push_client *c)
{
	if (c->e && c->net)
		push_cancel(c);
	c->net = NULL;
	sign_key_clear(&c->key);
	mbedtls_platform_zeroize(c->token, sizeof c->token);
	mbedtls_platform_zeroize(c->password, sizeof c->password);
	mbedtls_platform_zeroize(c->secret_url, sizeof c->secret_url);
	mbedtls_platform_zeroize(c->rq.url, sizeof c->rq.url);
}

int64_t push_backoff(const struct cfg_endpoint *ep, unsigned attempt, uint32_t rnd)
{
	int64_t max = ep->retry_max, d = ep->retry_base, half;

	for (unsigned i = 1; i < attempt && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	/* Rounded up: d / 2 made 1 s (retry_base = 1s) a retry in 0 s, at
	 * once, half of the time. */
	half = d - d / 2;
	return half + (int64_t)(rnd % (uint64_t)(d - half + 1));
}

/* Writes up to LOG_ANSWER_BYTES of the answer with controls as '?' and a
 * NUL, for one log line. */
static void answer_excerpt(const struct push_result *r, char *out, size_t size)
{
	size_t n = r->answer_len < LOG_ANSWER_BYTES ? r->answer_len : LOG_ANSWER_BYTES;
	size_t k = 0;

	while (n && utf8_ascii_space(r->answer[n - 1]))
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

/* A webhook's signed header lines into c->headers; returns how many, or
 * -ENAMETOOLONG when one did not fit its line. */
static int webhook_headers(struct push_client *c, const struct outbox_entry *e, const char *sig,
			   int64_t now)
{
	unsigned n = 0;
	int w[PUSH_OWN_HEADERS];

	w[0] = snprintf(c->line[0], PUSH_LINE_BYTES, "Content-Type: %s",
			digest_content_type(e->format));
	w[1] = snprintf(c->line[1], PUSH_LINE_BYTES, "webhook-id: %s", e->id);
	w[2] = snprintf(c->line[2], PUSH_LINE_BYTES, "webhook-timestamp: %" PRId64, now);
	w[3] = snprintf(c->line[3], PUSH_LINE_BYTES, "webhook-signature: %s", sig);
	for (; n < PUSH_OWN_HEADERS; n++) {
		if (w[n] < 0 || w[n] >= (int)PUSH_LINE_BYTES)
			return -ENAMETOOLONG;
		c->headers[n] = c->line[n];
	}
	return (int)n;
}

/* The attempt's header lines into c->headers, then the [endpoint] header
 * lines: a webhook's signed ones, another kind's from its request (c->rq,
 * made already). Returns how many, or a negative errno with r->message. */
static int headers_set(struct push_client *c, const struct outbox_entry *e, int64_t now,
		       struct push_result *r)
{
	const struct cfg_endpoint *ep = c->ep;
	char sig[SIGN_HEADER_BYTES];
	unsigned n = 0;
	int rc;

	if (ep->kind == CFG_KIND_WEBHOOK) {
		rc = sign_webhook(&c->key, e->id, now, e->body, e->len, sig, sizeof sig);
		if (rc < 0) {
			snprintf(r->message, sizeof r->message, "cannot sign: %s", strerror(-rc));
			return -EINVAL;
		}
		rc = webhook_headers(c, e, sig, now);
		if (rc < 0) {
			snprintf(r->message, sizeof r->message,
				 "entry cannot be sent (a header too long)");
			return -EINVAL;
		}
		n = (unsigned)rc;
	} else {
		for (; n < c->rq.n; n++)
			c->headers[n] = c->rq.line[n];
	}
	for (unsigned i = 0; i < ep->header.n; i++)
		c->headers[n++] = ep->header.line[i];
	return (int)n;
}

int64_t push_retry_most(const struct cfg_endpoint *ep)
{
	return ep->retry_max > PUSH_RETRY_AFTER_MAX ? ep->retry_max : PUSH_RETRY_AFTER_MAX;
}

/* wait: what the answer's body asked for (service_classify), 0 for none. */
static void retry_at(struct push_client *c, const struct outbox_entry *e, int64_t now,
		     int64_t wait, struct push_result *r)
{
	int64_t delay;

	/* The server knows best when it can take the digest: its Retry-After
	 * (or its body's rate-limit field) is honoured past retry_max, up to a
	 * ceiling that a hostile or broken endpoint cannot push further out. */
	if (r->status && (c->res.retry_after > 0 || wait > 0)) {
		int64_t most = push_retry_most(c->ep);

		delay = c->res.retry_after > 0 ? c->res.retry_after : wait;
		if (delay > most)
			delay = most;
	} else {
		delay = push_backoff(c->ep, e->attempts + 1, jitter_random());
	}
	r->outcome = PUSH_RETRY;
	r->retry_at = now + delay;
}

/* A webhook's 400, 401 or 403 refusal when the endpoint's clock (its
 * answer's Date) and ours are more than PUSH_CLOCK_SKEW_MAX apart: the
 * refusal may be of the webhook-timestamp the digest was signed with, which
 * a receiver takes only within minutes of its own clock, and which a clock
 * set right (NTP on a board without a real-time clock, minutes after boot)
 * makes good. Only those three: a receiver refuses a bad signature with
 * them, while any other 4xx (404, 410, 413...) says nothing of the
 * timestamp and, retried, would come back forever and hold every later
 * digest of the endpoint. Says so in r->message. Returns 1 when it is such
 * a refusal. */
static int clock_skewed(const struct push_client *c, int64_t now, struct push_result *r)
{
	int64_t skew = c->res.date - now;

	if (c->ep->kind != CFG_KIND_WEBHOOK ||
	    (r->status != 400 && r->status != 401 && r->status != 403) || !c->res.date ||
	    (skew <= PUSH_CLOCK_SKEW_MAX && skew >= -PUSH_CLOCK_SKEW_MAX))
		return 0;
	snprintf(r->message, sizeof r->message,
		 "HTTP %ld from a server whose clock is %" PRId64 " s %s ours (is this clock set?)",
		 r->status, skew > 0 ? skew : -skew, skew > 0 ? "ahead of" : "behind");
	return 1;
}

static void classify_answer(struct push_client *c, const struct outbox_entry *e, int64_t now,
			    struct push_result *r)
{
	char ex[LOG_ANSWER_BYTES + 1];
	long s = r->status;
	int64_t wait;
	enum service_class k = service_classify(c->ep->kind, s, r->answer, r->answer_len, &wait);
	/* An email's status is the SMTP server's reply code. */
	const char *proto = c->ep->kind == CFG_KIND_EMAIL ? "SMTP" : "HTTP";

	snprintf(r->message, sizeof r->message, "%s %ld", proto, s);
	if (k == SERVICE_DELIVERED) {
		r->outcome = PUSH_DELIVERED;
		/* A 2xx is the server's word: its body breaking off (detail)
		 * does not make the digest go twice. */
		log_info("push %s%s: delivered (%s %ld, %zu bytes)%s%s", e->id, c->to, proto, s,
			 e->len, c->res.detail[0] ? "; the answer then broke off: " : "",
			 c->res.detail);
		return;
	}
	answer_excerpt(r, ex, sizeof ex);
	if (k == SERVICE_DEAD && clock_skewed(c, now, r))
		k = SERVICE_RETRY;
	if (k == SERVICE_DEAD) {
		char chat[32], hint[CFG_SOURCE_NAME_BYTES + 96] = "";

		r->outcome = PUSH_DEAD;
		/* The new id is what the admin needs, and the excerpt, cut at
		 * LOG_ANSWER_BYTES, ends before it. */
		if (c->ep->kind == CFG_KIND_TELEGRAM &&
		    service_moved_chat(r->answer, r->answer_len, chat, sizeof chat)) {
			snprintf(hint, sizeof hint,
				 " (the group became a supergroup: set %s chat_id = %s)", c->label,
				 chat);
			snprintf(r->message, sizeof r->message, "%s %ld%s", proto, s, hint);
		}
		log_warnx("push %s%s: refused with %s %ld%s: %s", e->id, c->to, proto, s, hint, ex);
		return;
	}
	if (s >= 300 && s <= 399)
		snprintf(r->message, sizeof r->message,
			 "HTTP %ld: redirects are not followed; check %s url", s, c->label);
	retry_at(c, e, now, wait, r);
	log_warnx("push %s%s: %s, retry in %" PRId64 " s (attempt %u)%s%s", e->id, c->to,
		  r->message, r->retry_at - now, e->attempts + 1, ex[0] ? ": " : "", ex);
}

/* net's callback: the answer, or why none came, into the attempt's result
 * and its log line; then the caller's. */
static void on_done(void *arg, struct net_result *res)
{
	struct push_client *c = arg;
	const struct outbox_entry *e = c->e;
	struct push_result *r = c->r;
	int64_t now = c->now;

	r->status = res->status;
	r->answer_len = res->len;
	if (res->err == 0) {
		classify_answer(c, e, now, r);
		goto out;
	}
	switch (res->kind) {
	case NET_STOPPED:
		r->outcome = PUSH_STOPPED;
		snprintf(r->message, sizeof r->message, "stopped while sending");
		log_info("push %s%s: abandoned (stopping or reloading); it stays in the outbox",
			 e->id, c->to);
		goto out;
	case NET_TIMEOUT:
	case NET_STALLED:
	case NET_DEADLINE:
		snprintf(r->message, sizeof r->message, "timeout after %u s: %s", c->ep->timeout,
			 res->detail);
		break;
	case NET_PINNED:
		snprintf(r->message, sizeof r->message,
			 "TLS: the server's public key does not match pinned_pubkey");
		break;
	case NET_TLS:
		snprintf(r->message, sizeof r->message, "TLS: %s", res->detail);
		break;
	default:
		snprintf(r->message, sizeof r->message, "network: %s",
			 res->detail[0] ? res->detail : res->reason);
		break;
	}
	r->status = 0;
	r->answer_len = 0;
	retry_at(c, e, now, 0, r);
	log_warnx("push %s%s: %s; retry in %" PRId64 " s (attempt %u)", e->id, c->to, r->message,
		  r->retry_at - now, e->attempts + 1);
out:
	c->e = NULL;
	if (c->done)
		c->done(c->arg, r);
}

/* An email's submission: the message goes as it is, to the envelope. */
static void mail_request(const struct push_client *c, struct net_request *rq)
{
	memset(rq, 0, sizeof *rq);
	rq->url = c->ep->url;
	rq->mail_from = c->mail_from;
	rq->rcpt = c->rcpt;
	rq->n_rcpt = c->n_rcpt;
}

int push_start(struct push_client *c, const struct outbox_entry *e, int64_t now,
	       struct push_result *r, push_done_fn done, void *arg)
{
	/* A part's title and link come from its entry's header (outbox.h). */
	struct service_in in = { .ep = c->ep, .secret_url = c->secret_url, .token = c->token,
				 .id = e->id, .title = e->title, .click = e->click };
	struct net_request rq;
	int rc;

	memset(r, 0, offsetof(struct push_result, answer));
	r->outcome = PUSH_RETRY;
	if (!c->net || !e->id[0] || e->len > DIGEST_BODY_BYTES || !digest_content_type(e->format) ||
	    now < 0) {
		snprintf(r->message, sizeof r->message, "entry cannot be sent (bad id, size or format)");
		return -EINVAL;
	}
	if (net_stopped(c->net)) {
		r->outcome = PUSH_STOPPED;
		snprintf(r->message, sizeof r->message, "stopped before sending");
		return -EINTR;
	}
	if (c->e) {
		snprintf(r->message, sizeof r->message, "another push is in flight");
		return -EBUSY;
	}
	if (c->ep->kind == CFG_KIND_EMAIL) {
		mail_request(c, &rq);
	} else {
		if (service_request(&in, &c->rq) < 0) {
			snprintf(r->message, sizeof r->message,
				 "entry cannot be sent (its URL too long)");
			return -EINVAL;
		}
		rc = headers_set(c, e, now, r);
		if (rc < 0)
			return rc;
		memset(&rq, 0, sizeof rq);
		rq.n_headers = (unsigned)rc;
		rq.headers = c->headers;
		rq.url = c->rq.url;
		rq.method = c->rq.method;
	}
	rq.profile = &c->profile;
	rq.post = e->body;
	rq.post_len = e->len;
	rq.body = r->answer;
	rq.cap = sizeof r->answer;
	rq.res = &c->res;
	rq.done = on_done;
	rq.arg = c;
	c->e = e;
	c->r = r;
	c->now = now;
	c->done = done;
	c->arg = arg;
	rc = net_submit(c->net, &rq);
	if (rc < 0) {
		c->e = NULL;
		snprintf(r->message, sizeof r->message, "no transfer slot free");
	}
	return rc;
}

int push_cancel(struct push_client *c)
{
	if (!c->e)
		return -ENOENT;
	return net_cancel(c->net, &c->res);
}
