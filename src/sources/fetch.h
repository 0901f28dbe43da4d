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
	FETCH_KIND_DEADLINE,	 /* the deadline (fetch_set_deadline) came first */
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

/* Filled by every fetch_get call, on success and on failure. net holds the
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
	int64_t deadline_ms; /* net_now_ms() clock; 0 when none */
};

/* Sets c up from cfg's [http] section and [daemon] contact (the User-Agent is
 * "digestd/VERSION (+contact)") for requests through net, which must outlive
 * c; net's stop flag ends a transfer in progress with FETCH_KIND_STOPPED.
 * Never fails; nothing to free. A reloaded config needs a new client. */
void fetch_init(struct fetch_client *c, const struct cfg *cfg, struct net *net);

/* From now on, no request of c may end later than seconds from now (one
 * poll's poll_timeout); 0 lifts the deadline. */
void fetch_set_deadline(struct fetch_client *c, unsigned seconds);

/* GETs url (http:// or https:// only, redirects too) and stores up to
 * min(cap, [http] max_size) body bytes in body (caller-owned, not
 * NUL-terminated); a larger body is abandoned while it arrives, and the body
 * of a status of 400 or more is not read at all. in (may be NULL) holds
 * validators for a conditional GET. Every connection, redirects included,
 * must pass scope's rule (may be NULL: any address); scope->own_addr may
 * be set. Returns 0 when a response arrived, whatever its status (out->kind
 * tells 2xx, 304 or other), or net_perform's negative errno with out->kind
 * and out->net.reason saying why (-ETIME: "poll_timeout reached"). Reasons
 * name URLs only as url_redact gives them. Blocks for the transfer (at most
 * [http] timeout, and never past the deadline) and, before it, until [http]
 * min_host_delay has passed since the last request to the same host. Never
 * logs: the caller names the source in its one log line. */
int fetch_get(struct fetch_client *c, const char *url, const struct fetch_validators *in,
	      struct net_scope *scope, struct fetch_response *out, char *body, size_t cap);

#endif
