/* SPDX-License-Identifier: MIT */
/* HTTP(S) GET with libcurl into a caller's fixed buffer: TLS always verified,
 * capped size, timeouts and a deadline, conditional GET, Retry-After,
 * per-host delay, the address rule for links (checked on every connection),
 * one request at a time on one reused handle. Owns no per-source state or
 * logging. */
#ifndef DIGESTD_SOURCES_FETCH_H
#define DIGESTD_SOURCES_FETCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/limits.h"

/* What became of a request. Everything from FETCH_KIND_DNS on is a failure
 * to get a usable response. */
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
	FETCH_KIND_ADDRESS,	 /* refused: a non-public address (struct fetch_scope) */
	FETCH_KIND_DEADLINE,	 /* the deadline (fetch_set_deadline) came first */
	FETCH_KIND_OTHER,	 /* anything else libcurl reports */
};

#define FETCH_MAX_REDIRECTS 5
/* A Retry-After further away than this is cut to it. */
#define FETCH_RETRY_AFTER_MAX (7 * 86400)

/* Cache validators of a response, sent back as If-None-Match and
 * If-Modified-Since. Empty strings mean "none". */
struct fetch_validators {
	char etag[FETCH_ETAG_BYTES];
	char last_modified[FETCH_DATE_BYTES];
};

/* Filled by every fetch_get call, on success and on failure. */
struct fetch_response {
	enum fetch_kind kind;
	long status;		/* final HTTP status, 0 when none arrived */
	size_t len;		/* body bytes stored (2xx only; 0 otherwise) */
	char reason[FETCH_REASON_BYTES]; /* "HTTP status 404", "TLS verification failed: ..." */
	char effective_url[FETCH_URL_BYTES]; /* after redirects; the request URL when none */
	char content_type[FETCH_CTYPE_BYTES]; /* "" when absent */
	struct fetch_validators validators; /* from the final response */
	int64_t retry_after;	/* 429/503: UTC second before which not to retry, else 0 */
};

/* The headers of a response that digestd reads, gathered line by line by
 * fetch_header_line. */
struct fetch_headers {
	long status;	/* from the status line; 0 before one */
	int ended;	/* the empty line ending the headers was seen */
	struct fetch_validators validators;
	char retry_after[FETCH_DATE_BYTES];
};

/* Where one source's requests may connect (docs/fetch.md, "Addresses"). A
 * connection to a non-public address (addr_private_kind) is refused unless
 * allow_private is set, or it goes to host, the source's own host, and
 * either is the first hop of the source's own request (own) or that first
 * hop found host on a non-public address (host_private, set by fetch_get
 * and kept for the poll). So a source on loopback or an intranet reaches
 * its own host, while its links and redirects elsewhere, and a public
 * host's name turning private later (DNS rebinding), are refused. */
struct fetch_scope {
	int allow_private;
	int own;	  /* this request is for the source's configured URL */
	int host_private; /* the source's host is not on a public address */
	char host[FETCH_HOST_BYTES]; /* url_host of the configured URL; "" none */
};

struct fetch_host {
	char name[FETCH_HOST_BYTES];
	int64_t last_ms; /* CLOCK_MONOTONIC milliseconds of the last request */
};

/* One client per process (libcurl handle, settings, recent hosts). The
 * fields are private to fetch.c; callers only pass the struct around. */
struct fetch_client {
	void *curl;
	volatile sig_atomic_t *stop;
	char user_agent[64 + CFG_CONTACT_BYTES];
	char ca_file[CFG_PATH_BYTES];
	unsigned connect_timeout, timeout, low_speed_time, min_host_delay;
	uint64_t low_speed_limit, max_size;
	struct fetch_host hosts[FETCH_MAX_HOSTS];
	int64_t deadline_ms; /* CLOCK_MONOTONIC ms; 0 when none */
	/* Per-request scratch, used by the libcurl callbacks. */
	char *body;
	size_t cap, len;
	int too_large;
	int status_abort;   /* an error status: its body was not read */
	int deadline_bound; /* the deadline was nearer than the timeouts */
	struct fetch_headers hdr;
	struct fetch_scope *scope;
	char refused[FETCH_REASON_BYTES]; /* why a connection was refused */
	char errbuf[256];
};

/* Sets c up from cfg's [http] section and [daemon] contact (the User-Agent is
 * "digestd/VERSION (+contact)"). stop may be NULL; when it points to a flag
 * that becomes nonzero, a transfer in progress ends within about a second
 * with FETCH_KIND_STOPPED. Returns 0, or -ENOMEM when libcurl cannot start.
 * Call once at start-up (it initialises libcurl globally) and fetch_free at
 * the end; to apply a reloaded config, fetch_free and fetch_init again. */
int fetch_init(struct fetch_client *c, const struct cfg *cfg, volatile sig_atomic_t *stop);
void fetch_free(struct fetch_client *c);

/* From now on, no request of c may end later than seconds from now (one
 * poll's poll_timeout); 0 lifts the deadline. */
void fetch_set_deadline(struct fetch_client *c, unsigned seconds);

/* Sets s up for the source whose configured URL is url (its host; none for
 * a file or folder) with allow_private; own and host_private start at 0. */
void fetch_scope_init(struct fetch_scope *s, const char *url, int allow_private);

/* GETs url (http:// or https:// only, redirects too) and stores up to
 * min(cap, [http] max_size) body bytes in body (caller-owned, not
 * NUL-terminated); a larger body is abandoned while it arrives, and the body
 * of a status of 400 or more is not read at all. in (may be NULL) holds
 * validators for a conditional GET. Every connection, redirects included,
 * must pass scope's rule; scope->host_private may be set. Returns 0 when a
 * response arrived, whatever its status (out->kind tells 2xx, 304 or other),
 * or a negative errno with out->kind and out->reason saying why:
 * -EHOSTUNREACH (DNS), -ECONNREFUSED, -EACCES (address refused), -EPROTO
 * (TLS), -EFBIG, -ETIMEDOUT (timeout or stalled), -ETIME (deadline), -ELOOP
 * (redirects), -EINVAL (URL), -EINTR (stopped), -EIO. Reasons name URLs only
 * as url_redact gives them. Blocks for the transfer (at most [http] timeout,
 * and never past the deadline) and, before it, sleeps until [http]
 * min_host_delay has passed since the last request to the same host. Never
 * logs: the caller names the source in its one log line. */
int fetch_get(struct fetch_client *c, const char *url, const struct fetch_validators *in,
	      struct fetch_scope *scope, struct fetch_response *out, char *body, size_t cap);

/* Reads one header line of a response (line[0..len), with or without its
 * CRLF) into h: a status line ("HTTP/...") starts a new response, so what an
 * earlier one in a redirect chain said is forgotten; ETag, Last-Modified
 * and Retry-After values are kept when they fit and hold no control
 * character (they are sent back in request headers); an empty line sets
 * ended. Any bytes are safe. No allocation, no I/O. */
void fetch_header_line(struct fetch_headers *h, const char *line, size_t len);

/* Parses a Retry-After value (delta-seconds or an HTTP-date) received at
 * UTC second now into the UTC second to wait for, capped at
 * now + FETCH_RETRY_AFTER_MAX. Returns 0, or -EINVAL when unreadable. */
int fetch_parse_retry_after(const char *s, size_t len, int64_t now, int64_t *until);

#endif
