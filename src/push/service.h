/* SPDX-License-Identifier: MIT */
/* What each kind of endpoint wants of one push and what its answers mean:
 * the method, URL and header lines of a request (webhook, ntfy, Matrix,
 * Slack, Discord, Telegram), and an answer's class with the wait a rate
 * limit asks for in its body. Pure: no I/O, no allocation, no logging. */
#ifndef DIGESTD_SERVICE_H
#define DIGESTD_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/limits.h"

/* What a request is made from: the endpoint, its secrets (read once by
 * push_init) and the entry. Strings are NUL-terminated; "" for none. */
struct service_in {
	const struct cfg_endpoint *ep;
	const char *secret_url; /* slack, discord: url_file's URL */
	const char *token;      /* telegram: the bot token (it goes in the URL) */
	const char *id;         /* the entry's id: Matrix's transaction id */
	const char *title;      /* ntfy: the Title header */
	const char *click;      /* ntfy: the Click header (http(s) only) */
};

/* One request: its method, where it goes and the header lines of the kind
 * (a webhook's signature lines are push.c's). The URL may hold a secret
 * (Telegram's bot token, a Slack or Discord webhook URL): never logged. */
struct service_req {
	const char *method; /* "POST" or "PUT" */
	char url[SERVICE_URL_BYTES];
	unsigned n;
	char line[SERVICE_MAX_LINES][SERVICE_LINE_BYTES];
};

/* Makes the request of in->ep's kind (not email: SMTP is net's). Returns
 * 0, or -ENAMETOOLONG when the URL or a header does not fit, -EINVAL for a
 * kind without one. */
int service_request(const struct service_in *in, struct service_req *rq);

enum service_class {
	SERVICE_DELIVERED, /* 2xx */
	SERVICE_RETRY,     /* 408, 429, 5xx, 1xx, 3xx (never followed); email: 4xx */
	SERVICE_DEAD,      /* any other 4xx: the service refused it; email: 5xx */
};

/* An answer of status with body[0..len) (the first bytes kept) from an
 * endpoint of kind (enum cfg_kind); for email, status is the SMTP reply code:
 * 2xx delivered, 5xx dead, anything else (4xx) retried with the backoff. *wait gets the seconds a rate limit
 * asks for in the body, 0 when none: Telegram's parameters.retry_after,
 * Discord's retry_after (seconds, a fraction rounded up), Matrix's
 * retry_after_ms (rounded up); the Retry-After header is net's. Never
 * more than PUSH_RETRY_AFTER_MAX. */
enum service_class service_classify(unsigned kind, long status, const char *body, size_t len,
				    int64_t *wait);

/* Telegram's refusal of a group made a supergroup carries the chat's new id
 * (parameters.migrate_to_chat_id): into out (size bytes, e.g. "-100123"),
 * returning 1; 0 when body[0..len) has none, or not a negative number. */
int service_moved_chat(const char *body, size_t len, char *out, size_t size);

#endif
