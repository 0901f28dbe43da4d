/* SPDX-License-Identifier: MIT */
/* One signed HTTPS push of one outbox entry through the HTTP boundary
 * (src/net), and what to do next (delivered, retry when, dead letter). Holds
 * the signing key and token read once at start-up; never logs them. */
#ifndef DIGESTD_PUSH_H
#define DIGESTD_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/limits.h"
#include "net/net.h"
#include "outbox/outbox.h"
#include "push/service.h"
#include "push/sign.h"

enum push_outcome {
	PUSH_DELIVERED, /* 2xx: outbox_remove the entry */
	PUSH_RETRY,     /* outbox_update_attempt(e->attempts + 1, retry_at) */
	PUSH_DEAD,      /* outbox_dead_letter with message and answer */
	PUSH_STOPPED,   /* the stop flag was raised: entry untouched, stays queued */
};

struct push_result {
	enum push_outcome outcome;
	long status;      /* HTTP status, 0 when no answer came */
	int64_t retry_at; /* PUSH_RETRY: Unix seconds of the next attempt */
	char message[PUSH_MESSAGE_BYTES]; /* "HTTP 500", "TLS: ...", "timeout ..." */
	size_t answer_len; /* bytes kept of the answer body (the first ones) */
	char answer[PUSH_ANSWER_BYTES];
};

/* Request header lines of one attempt: Content-Type, webhook-id,
 * webhook-timestamp, webhook-signature, then [endpoint] header lines. */
#define PUSH_OWN_HEADERS 4u
#define PUSH_LINE_BYTES (DIGEST_ID_BYTES + SIGN_HEADER_BYTES + 32u)
_Static_assert(PUSH_OWN_HEADERS + CFG_MAX_HEADERS <= NET_MAX_HEADERS &&
		       CFG_MAX_RECIPIENTS <= NET_MAX_HEADERS &&
		       SERVICE_MAX_LINES + CFG_MAX_HEADERS <= NET_MAX_HEADERS,
	       "every header line of a push fits a transfer");

struct push_result;
/* Called once when a push ended, with its result. */
typedef void (*push_done_fn)(void *arg, struct push_result *r);

struct push_client {
	struct net *net;
	struct net_profile profile; /* the endpoint's TLS, pinning, client cert, token */
	const struct cfg_endpoint *ep;
	char label[CFG_SOURCE_NAME_BYTES + 16]; /* "[endpoint NAME]", for messages */
	char to[CFG_SOURCE_NAME_BYTES + 20];    /* " to [endpoint NAME]", "" for the plain one */
	struct sign_key key;
	char token[PUSH_TOKEN_BYTES];          /* token_file's: bearer, or Telegram's bot token */
	char secret_url[CFG_URL_BYTES];        /* slack, discord: url_file's webhook URL */
	struct service_req rq;                 /* the attempt's method, URL, kind's headers */
	char password[PUSH_TOKEN_BYTES];       /* email: password_file's SMTP password */
	char rcpt_buf[CFG_ADDR_BYTES + CFG_ADDRLIST_BYTES]; /* email: bare addresses, from's
							     * then to's, each NUL-ended */
	const char *mail_from;                 /* email: from's address, in rcpt_buf */
	const char *rcpt[CFG_MAX_RECIPIENTS];  /* email: to's addresses, in rcpt_buf */
	unsigned n_rcpt;
	char client_key[CFG_PATH_BYTES + 64]; /* resolved path, read by libcurl */
	char line[PUSH_OWN_HEADERS][PUSH_LINE_BYTES];
	const char *headers[(PUSH_OWN_HEADERS > SERVICE_MAX_LINES ? PUSH_OWN_HEADERS
								  : SERVICE_MAX_LINES) +
			    CFG_MAX_HEADERS];
	struct net_result res; /* of the current attempt */
	/* The attempt in flight (e is NULL when none), for its callback. */
	const struct outbox_entry *e;
	struct push_result *r;
	int64_t now;
	push_done_fn done;
	void *arg;
};

/* Start-up: reads endpoint ep's signing key and token (email: its SMTP
 * password, and its from and to as bare envelope addresses) and checks its client
 * key (each opened with cfg_secret_open), and sets up its profile for
 * requests through net, which must outlive c (its stop flag abandons a push
 * in flight). cfg must come from cfg_load with CFG_RUN, which checked the
 * endpoint rules (https, or http to a loopback host only with
 * allow_insecure; client_cert with client_key; no extra header that would
 * override ours): they are not checked again here. c keeps pointing at ep,
 * one of cfg's endpoints, which must outlive it. Returns 0 or a negative errno after logging
 * a message naming the section and the key or file (never its contents):
 * exit 78 material. */
int push_init(struct push_client *c, const struct cfg *cfg, const struct cfg_endpoint *ep,
	      struct net *net);

/* Cancels a push in flight (its done is called), wipes the key and token.
 * Safe on a zeroed or already freed client. */
void push_free(struct push_client *c);

/* Email: submits e->body (the RFC 5322 message) over SMTP to every to
 * address, logged in as username; the SMTP reply decides: 2xx delivered, 4xx
 * retry at push_backoff (SMTP has no Retry-After), 5xx dead with the reply.
 * Other kinds: starts the POST of e->body to the endpoint, signed for timestamp `now`
 * (Unix seconds): Content-Type from e->format, webhook-id e->id,
 * webhook-timestamp, webhook-signature, Authorization when a token is set,
 * the extra header lines. One push at a time per client. Returns 0, after
 * which done(arg, r) is called once from net_dispatch with the answer
 * classified into r: 2xx delivered; no answer, timeout, TLS failure, 408,
 * 429, 5xx (and 1xx/3xx, which are never followed) retry at now +
 * Retry-After (libcurl's reading of it: at least 1 s, at most
 * PUSH_RETRY_AFTER_MAX or retry_max when that is longer; 0, a date past or
 * an unreadable one count as none) or else push_backoff(e->attempts + 1);
 * other 4xx dead; stopped (net's stop flag, push_cancel) PUSH_STOPPED. e
 * and r must stay where they are until then. Logs one line per attempt
 * (status and the first bytes of a refusal, never secrets or the body).
 * Without a transfer, done is never called and r->message says why:
 * -EINVAL when e cannot be sent at all (a dead letter), -EINTR when net's
 * stop flag is up (PUSH_STOPPED), -EBUSY when every transfer slot (or this
 * client) is taken: try again when one ended. Never blocks; the transfer
 * takes at most [endpoint] timeout. */
int push_start(struct push_client *c, const struct outbox_entry *e, int64_t now,
	       struct push_result *r, push_done_fn done, void *arg);

/* Ends the push in flight at once (PUSH_STOPPED: the entry stays as it is),
 * its done called before this returns. Returns 0, or -ENOENT when none is
 * in flight. */
int push_cancel(struct push_client *c);

/* Delay in seconds before retry number `attempt` (1 = first retry):
 * d = min(retry_max, retry_base x 2^(attempt-1)), then a jitter that keeps
 * it in [d/2 rounded up, d] using `rnd` (any 32-bit random value): at least
 * 1 s. Pure. */
int64_t push_backoff(const struct cfg_endpoint *ep, unsigned attempt, uint32_t rnd);

/* The longest wait before a retry that this endpoint's pushes set: its
 * retry_max, or PUSH_RETRY_AFTER_MAX when that is longer (a server's
 * Retry-After). Pure. */
int64_t push_retry_most(const struct cfg_endpoint *ep);

#endif
