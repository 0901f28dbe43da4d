/* SPDX-License-Identifier: MIT */
/* A source's GET through the HTTP boundary (src/net): the conditional GET
 * (validators in, validators out), the poll's deadline, and a response told
 * apart as fetch's kinds. Owns no per-source state, no logging, no libcurl. */
#ifndef DIGESTD_SOURCES_FETCH_H
#define DIGESTD_SOURCES_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/limits.h"
#include "net/net.h"

/* What became of a request. Everything from FETCH_KIND_DNS on is a failure
 * to get a usable response (net's kinds). */
enum fetch_kind {
	FETCH_KIND_OK,		 /* a 2xx response; the body is in the buffer */
	FETCH_KIND_NOT_MODIFIED, /* 304: the stored validators still hold */
	FETCH_KIND_HTTP_STATUS,	 /* any other status (4xx, 5xx, a 3xx not followed) */
	FETCH_KIND_DNS,		 /* host name (or proxy) not resolved */
	FETCH_KIND_CONNECT,	 /* TCP connection refused or unreachable */
	FETCH_KIND_TLS,		 /* TLS handshake or certificate verification failed */
	FETCH_KIND_TOO_LARGE,	 /* body over the size cap, abandoned while arriving */
	FETCH_KIND_TIMEOUT,	 /* connect or total timeout */
	FETCH_KIND_STALLED,	 /* under low_speed_limit for low_speed_time */
	FETCH_KIND_REDIRECTS,	 /* more than FETCH_MAX_REDIRECTS (or a loop) */
	FETCH_KIND_URL,		 /* malformed URL or a scheme other than http(s) */
	FETCH_KIND_STOPPED,	 /* the stop flag was raised */
	FETCH_KIND_ADDRESS,	 /* refused: a non-public address (struct net_scope) */
	FETCH_KIND_DEADLINE,	 /* the request's deadline (a poll's) came first */
	FETCH_KIND_OTHER,	 /* anything else */
};

#define FETCH_MAX_REDIRECTS 5
/* A Retry-After further away than this is cut to it. */
#define FETCH_RETRY_AFTER_MAX (7 * 86400)

/* Cache validators of a response, sent back as If-None-Match and
 * If-Modified-Since. Empty strings mean "none". */
struct fetch_validators {
	char etag[NET_ETAG_BYTES];
	char last_modified[NET_DATE_BYTES];
};

/* Filled for every request, on success and on failure. net holds the
 * status, the body length (2xx only; 0 otherwise), the reason ("HTTP status
 * 404", "TLS certificate verification failed: ..."), the effective URL
 * (after redirects; the request URL when none) and the Content-Type. */
struct fetch_response {
	enum fetch_kind kind;
	struct fetch_validators validators; /* from a 2xx or 304 response */
	int64_t retry_after; /* 429/503: UTC second before which not to retry, else 0 */
	struct net_result net;
};

/* One client per source context: the profile of feed and page requests
 * ([http] settings) on the process's struct net. Fields are fetch.c's. */
struct fetch_client {
	struct net *net;
	struct net_profile profile;
	char user_agent[64 + CFG_CONTACT_BYTES];
	char ca_file[CFG_PATH_BYTES];
	uint64_t max_size;
};

struct fetch_request;
/* Called once when a request ended, with its response filled. */
typedef void (*fetch_done_fn)(void *arg, struct fetch_request *fr);

/* One GET in flight: the response, the request header lines it sends and
 * its callback. The caller's, and must stay where it is until done. */
struct fetch_request {
	struct fetch_response resp;
	char inm[sizeof("If-None-Match: ") + NET_ETAG_BYTES];
	char ims[sizeof("If-Modified-Since: ") + NET_DATE_BYTES];
	const char *headers[2];
	int conditional;	/* validators were sent: a 304 may answer */
	fetch_done_fn done;
	void *arg;
};

/* Sets c up from cfg's [http] section and [daemon] contact (the User-Agent is
 * "digestd/VERSION (+contact)") for requests through net, which must outlive
 * c; net's stop flag ends a transfer in progress with FETCH_KIND_STOPPED.
 * Never fails; nothing to free. A reloaded config needs a new client. */
void fetch_init(struct fetch_client *c, const struct cfg *cfg, struct net *net);

/* Starts a GET of url (http:// or https:// only, redirects too) that stores
 * up to min(cap, [http] max_size) body bytes in body (caller-owned, not
 * NUL-terminated); a larger body is abandoned while it arrives, and the body
 * of a status of 400 or more is not read at all. in (may be NULL) holds
 * validators for a conditional GET. Every connection, redirects included,
 * must pass scope's rule (may be NULL: any address); scope->own_addr may be
 * set. It ends by deadline_ms (net_now_ms() clock; 0: none) at the latest,
 * as FETCH_KIND_DEADLINE, "poll_timeout reached". Returns 0, after which
 * done(arg, fr) is called once from net_dispatch with fr->resp filled:
 * fr->resp.net.err is 0 when a response arrived, whatever its status
 * (resp.kind tells 2xx, 304 or other), else the transfer's negative errno
 * (struct net_result's err) with resp.kind and resp.net.reason saying why. Or returns -EBUSY (every
 * transfer slot is taken: try again when one ended) or -EINVAL (not an
 * http(s) URL), with fr->resp saying so and done never called. url, scope
 * and body must stay valid until done. Reasons name URLs only as url_redact
 * gives them. Waits for [http] min_host_delay since the last request to the
 * same host before it starts. Never blocks, never logs: the caller names
 * the source in its one log line. */
int fetch_submit(struct fetch_client *c, const char *url, const struct fetch_validators *in,
		 struct net_scope *scope, int64_t deadline_ms, char *body, size_t cap,
		 struct fetch_request *fr, fetch_done_fn done, void *arg);

/* fetch_submit without a deadline, driving net (net_step) until the request
 * ended: out receives its response. Returns what resp.net.err says (or
 * fetch_submit's error). For `digestd fetch`; blocks for the transfer. */
int fetch_get(struct fetch_client *c, const char *url, const struct fetch_validators *in,
	      struct net_scope *scope, struct fetch_response *out, char *body, size_t cap);

#endif
