/* SPDX-License-Identifier: MIT */
/* The one HTTP boundary: libcurl's multi handle driven by the caller's poll()
 * loop, a fixed table of transfers with their own deadlines, the per-host cap
 * and delay, the address rules and every TLS option. Never logs. */
#ifndef DIGESTD_NET_H
#define DIGESTD_NET_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/limits.h"

/* What became of a transfer. Everything from NET_DNS on is a failure to get
 * a response; NET_OK says one arrived, whatever its status. */
enum net_kind {
	NET_OK,		/* a response: status, headers and body in the result */
	NET_DNS,	/* host name (or proxy) not resolved */
	NET_CONNECT,	/* TCP connection refused or unreachable */
	NET_TLS,	/* TLS handshake or certificate verification failed */
	NET_PINNED,	/* the server's key is not the profile's pinned_pubkey */
	NET_TOO_LARGE,	/* a 2xx body over the cap, abandoned while arriving */
	NET_TIMEOUT,	/* connect timeout or the profile's total timeout */
	NET_STALLED,	/* under low_speed_limit for low_speed_time */
	NET_REDIRECTS,	/* more than max_redirects (or a loop) */
	NET_URL,	/* malformed URL or a scheme the profile does not allow */
	NET_ADDRESS,	/* refused: a non-public address (struct net_scope) */
	NET_STOPPED,	/* the stop flag was raised */
	NET_DEADLINE,	/* the request's deadline came first */
	NET_OTHER,	/* anything else libcurl reports, or no room for it */
};

/* How a response body is kept in the request's buffer. */
enum net_body {
	/* Only a 2xx body, whole: one over cap ends the transfer (NET_TOO_LARGE)
	 * and an error status (400 or more) ends it after its headers, so that
	 * a body trickling on cannot turn a clear status into a timeout. The
	 * bodies of other statuses (1xx, 3xx, 304) are dropped. */
	NET_BODY_2XX,
	/* The first cap bytes of any answer; the rest is not read (the
	 * transfer ends there). Once a final status and its headers arrived,
	 * the answer stands: a body that then times out, stalls, breaks off
	 * or is stopped still gives NET_OK, with its head and libcurl's words
	 * for the failure in detail (a push's server has taken the request:
	 * a failure would make it go again). */
	NET_BODY_HEAD,
};

/* What one kind of request may do, set once by its user (fetch, push) and
 * named by each request. Strings are the user's and outlive its requests;
 * "" means none. The options go to libcurl in one place (net.c,
 * set_options): TLS is always verified. */
struct net_profile {
	const char *user_agent;
	const char *ca_file;	   /* PEM bundle; "" the system's CA store */
	const char *pinned_pubkey; /* sha256//BASE64[;...] */
	const char *client_cert, *client_key; /* PEM files for mutual TLS */
	const char *bearer;	   /* sent as Authorization: Bearer */
	const char *username, *password; /* SMTP login (AUTH PLAIN, LOGIN...); "" none */
	int allow_http;		   /* plain http:// too, else https:// only */
	int compressed;		   /* offer gzip/deflate (Accept-Encoding) */
	unsigned max_redirects;	   /* 0: redirects are answers, not followed */
	unsigned connect_timeout, timeout; /* seconds, per transfer */
	unsigned low_speed_time;   /* seconds; 0: no stall check */
	uint64_t low_speed_limit;  /* bytes per second */
	unsigned min_host_delay;   /* seconds between requests to one host */
	enum net_body body;
};

/* Where one source's requests may connect (docs/fetch.md, "Addresses"). A
 * connection to a non-public address (addr_private_kind) is refused unless
 * allow_private is set, or it goes to host, the source's own host, and either
 * is the first hop of the source's own request (own), or goes to the very
 * address and port that first hop's request was sent to (own_addr, recorded
 * by net and kept for the poll). So a source on loopback or an intranet
 * reaches its own host, while its links and redirects elsewhere are refused,
 * and so is a name that a hostile DNS answer maps to a public address and a
 * private one: only the address that really answered counts (trying a
 * private address that refused the connection grants nothing). */
struct net_scope {
	int allow_private;
	int own;	  /* this request is for the source's configured URL */
	char host[NET_HOST_BYTES]; /* url_host of the configured URL; "" none */
	char own_addr[NET_SCOPE_ADDR_BYTES]; /* "ADDRESS PORT" the own request went to
					      * when not public; "" none */
};

/* Filled when a transfer ends. Strings are NUL-terminated; header values
 * are kept only when they fit and hold no control character (they may be
 * sent back in request headers). */
struct net_result {
	int pending;	  /* 1 from net_submit until the transfer ended */
	enum net_kind kind;
	int err;	  /* 0 for NET_OK, else the kind's negative errno: -EHOSTUNREACH
			   * (DNS), -ECONNREFUSED, -EACCES (address refused), -EPROTO
			   * (TLS), -EFBIG, -ETIMEDOUT (timeout or stalled), -ETIME
			   * (deadline), -ELOOP (redirects), -EINVAL (URL), -EINTR
			   * (stopped), -EIO */
	long status;	  /* final HTTP status, 0 when none arrived; for SMTP the
			   * last reply code (250 sent; a 4xx or 5xx refusal is
			   * NET_OK too, the server's words in body and detail) */
	size_t len;	  /* body bytes stored in the request's buffer */
	int64_t retry_after; /* seconds the final response's Retry-After asks, > 0; else 0
			      * (an HTTP-date counted from the answer's Date) */
	int64_t date;	  /* the final response's Date, Unix seconds; 0 when none or
			   * not a date: the server's clock, against ours */
	char reason[NET_REASON_BYTES]; /* one phrase: "connection failed: ..." */
	char detail[NET_DETAIL_BYTES]; /* libcurl's own words for a failure (also
					* for NET_OK: an answer's body cut short,
					* an SMTP refusal); "" none */
	char effective_url[NET_URL_BYTES]; /* after redirects; "" when it did not fit */
	char content_type[NET_CTYPE_BYTES];
	char etag[NET_ETAG_BYTES];
	char last_modified[NET_DATE_BYTES];
};

/* Called once when a transfer ended, with its result. */
typedef void (*net_done_fn)(void *arg, struct net_result *res);

/* One transfer. Everything it points to is the caller's and must stay valid
 * until the transfer ended (res->pending is 0 again). */
struct net_request {
	const struct net_profile *profile;
	const char *url;
	const char *const *headers; /* n_headers "Name: value" lines */
	unsigned n_headers;	    /* at most NET_MAX_HEADERS */
	const char *post;	    /* the request body of a POST; NULL: a GET */
	size_t post_len;
	const char *method;	    /* with post: "PUT" sends it with PUT; NULL: POST */
	/* An SMTP submission (smtps://, or smtp:// with STARTTLS, required
	 * unless net_smtp_tls_optional): post is the RFC 5322 message (CRLF
	 * lines; libcurl dot-stuffs it), no headers. NULL: an HTTP request. */
	const char *mail_from;	    /* the envelope sender, a bare addr@domain */
	const char *const *rcpt;    /* n_rcpt envelope recipients, bare addresses */
	unsigned n_rcpt;	    /* 1 to NET_MAX_HEADERS */
	struct net_scope *scope;    /* the address rule; NULL: any address */
	int64_t deadline_ms;	    /* CLOCK_MONOTONIC ms it must end by; 0: none */
	char *body;		    /* the response buffer, cap bytes */
	size_t cap;
	struct net_result *res;
	net_done_fn done;	    /* called once when it ended; may be NULL */
	void *arg;
};

struct net; /* private to net.c: the multi handle and the tables */

/* Starts libcurl (once per process) and makes n: the multi handle and the
 * transfer, host and socket tables, allocated here once and never grown.
 * max_transfers comes from cfg ([daemon] max_transfers). stop may be NULL;
 * when the flag it points to becomes nonzero, every transfer ends at the next
 * net_dispatch with NET_STOPPED. Returns 0 or -ENOMEM. Call at start-up. */
int net_open(struct net **np, const struct cfg *cfg, volatile sig_atomic_t *stop);

/* Ends what is still in flight (no callbacks), frees n and stops libcurl.
 * NULL is fine. */
void net_close(struct net *n);

/* Applies a reloaded cfg's max_transfers; transfers running go on. */
void net_configure(struct net *n, const struct cfg *cfg);

/* Nonzero when the stop flag is raised. */
int net_stopped(const struct net *n);

/* CLOCK_MONOTONIC milliseconds, the clock of deadlines. */
int64_t net_now_ms(void);

/* Sets s up for a source whose configured URL is url (its host; none for a
 * file or folder) with allow_private; own is 0 and own_addr empty. */
void net_scope_init(struct net_scope *s, const char *url, int allow_private);

/* Queues *rq (copied; what it points to is not) in a free slot. It starts
 * as soon as max_transfers, NET_PER_HOST transfers per host and its
 * profile's min_host_delay since the last request to its host allow (first
 * come, first started), and ends by its deadline, the stop flag or its
 * outcome: then res is filled, res->pending cleared and done called, from
 * net_dispatch. Returns 0, -EBUSY when max_transfers slots are taken, or
 * -EINVAL (too many headers, no profile, URL or result). Never blocks. */
int net_submit(struct net *n, const struct net_request *rq);

/* Nonzero when NET_PER_HOST requests to url's host are submitted already
 * (running, or queued for the cap or the delay): another one would wait in
 * a slot of its own, and a slow host's requests so queued would take every
 * slot while other hosts' wait. A caller with other hosts to ask asks those
 * first. 0 for a URL naming no host. Pure. */
int net_host_full(const struct net *n, const char *url);

/* For the caller's poll(): fills fds (at most max) with the sockets libcurl
 * waits on and returns how many; net_timeout gives the milliseconds until
 * net must act even if no socket is ready (-1: nothing to wait for; 0: now).
 * Hand every pollfd of net's back to net_dispatch after poll returns. */
size_t net_pollfds(const struct net *n, struct pollfd *fds, size_t max);
int net_timeout(const struct net *n);

/* Acts on ready sockets (fds as poll returned them; others' are ignored),
 * on timers due, the stop flag and deadlines; starts the queued transfers
 * that may start; ends finished ones (results, done callbacks). A done
 * callback may submit, but must not call net_dispatch or net_step. */
void net_dispatch(struct net *n, const struct pollfd *fds, size_t nfds);

/* Ends the transfer whose result is res, queued or running, as the stop flag
 * would: NET_STOPPED, -EINTR, reason "cancelled", its done callback called
 * before this returns. Returns 0, or -ENOENT when no transfer has res. Not
 * from a done callback. */
int net_cancel(struct net *n, const struct net_result *res);

/* One round of the caller's loop for a blocking caller: poll() on net's
 * sockets until net's timeout (at most NET_STOP_SLICE_MS when net has
 * nothing to wait for or a stop flag), then net_dispatch. Blocks. */
void net_step(struct net *n);

/* Whether an smtp:// url may go on in the clear when its server offers no
 * STARTTLS: 1 only for a loopback host (url_host_is_loopback), where nobody
 * else reads the wire; 0 for any other host (STARTTLS required) and for
 * smtps://, whose TLS is implicit. Pure. */
int net_smtp_tls_optional(const char *url);

/* Copies the header value v (n bytes) into dst (size bytes, NUL-terminated)
 * when it fits and holds no control character; else dst becomes "".
 * Returns 0 or -EINVAL. Pure: what net keeps of a server's header values. */
int net_keep_value(char *dst, size_t size, const char *v, size_t n);

#endif
