/* SPDX-License-Identifier: MIT */
/* A source's GET: the [http] profile, the conditional request headers, the
 * poll's deadline, and net's result told apart as fetch's kinds and reasons.
 * Transfers, TLS, caps and the address rule are src/net's. */
#include "fetch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/url.h"
#include "core/version.h"

void fetch_init(struct fetch_client *c, const struct cfg *cfg, struct net *net)
{
	struct net_profile *p = &c->profile;

	memset(c, 0, sizeof(*c));
	c->net = net;
	if (cfg->daemon.contact[0])
		snprintf(c->user_agent, sizeof(c->user_agent), "digestd/%s (+%s)", DIGESTD_VERSION,
			 cfg->daemon.contact);
	else
		snprintf(c->user_agent, sizeof(c->user_agent), "digestd/%s", DIGESTD_VERSION);
	snprintf(c->ca_file, sizeof(c->ca_file), "%s", cfg->http.ca_file);
	c->max_size = cfg->http.max_size;
	p->user_agent = c->user_agent;
	p->ca_file = c->ca_file;
	p->pinned_pubkey = p->client_cert = p->client_key = p->bearer = "";
	p->allow_http = 1;
	p->compressed = 1;
	p->max_redirects = FETCH_MAX_REDIRECTS;
	p->connect_timeout = cfg->http.connect_timeout;
	p->timeout = cfg->http.timeout;
	p->low_speed_limit = cfg->http.low_speed_limit;
	p->low_speed_time = cfg->http.low_speed_time;
	p->min_host_delay = cfg->http.min_host_delay;
	p->body = NET_BODY_2XX;
}

/* "Name: value" into line when value is set, fits and holds no control
 * character (it came from a state file and goes into a request header).
 * Returns 1 when line holds a header. */
static int header(char *line, size_t size, const char *name, const char *value)
{
	size_t k = strlen(name);

	if (!value[0] || k + 2 >= size ||
	    net_keep_value(line + k + 2, size - k - 2, value, strlen(value)) != 0)
		return 0;
	memcpy(line, name, k);
	line[k] = ':';
	line[k + 1] = ' ';
	return 1;
}

/* Fetch's kind for a response that arrived, and its reason; conditional:
 * the request sent validators. */
static void classify_status(struct fetch_response *out, int conditional)
{
	struct net_result *r = &out->net;
	int64_t now = (int64_t)time(NULL), wait = r->retry_after;
	char ra[96] = "";

	if (r->status >= 200 && r->status <= 299) {
		out->kind = FETCH_KIND_OK;
	} else if (r->status == 304 && conditional) {
		out->kind = FETCH_KIND_NOT_MODIFIED;
	} else if (r->status == 304) {
		/* Not modified since nothing (RFC 9110, 15.4.5): counted as
		 * not modified, the source looked healthy while it never gave
		 * an article. A failure shows it (backoff, status, problems). */
		out->kind = FETCH_KIND_HTTP_STATUS;
		snprintf(ra, sizeof(ra), " to a request without If-None-Match or If-Modified-Since");
	} else {
		out->kind = FETCH_KIND_HTTP_STATUS;
		if ((r->status == 429 || r->status == 503) && wait > 0) {
			if (wait > FETCH_RETRY_AFTER_MAX)
				wait = FETCH_RETRY_AFTER_MAX;
			out->retry_after = now + wait;
			snprintf(ra, sizeof(ra), ", retry after %lld s", (long long)wait);
		}
	}
	snprintf(r->reason, sizeof(r->reason), "HTTP status %ld%s", r->status, ra);
	if (out->kind != FETCH_KIND_OK)
		r->len = 0;
	if (out->kind == FETCH_KIND_OK || out->kind == FETCH_KIND_NOT_MODIFIED) {
		memcpy(out->validators.etag, r->etag, sizeof(r->etag));
		memcpy(out->validators.last_modified, r->last_modified, sizeof(r->last_modified));
	}
}

/* Fetch's kind for each of net's failures, indexed by net's kind. */
static const enum fetch_kind kinds[] = {
	[NET_DNS] = FETCH_KIND_DNS,
	[NET_CONNECT] = FETCH_KIND_CONNECT,
	[NET_TLS] = FETCH_KIND_TLS,
	[NET_PINNED] = FETCH_KIND_TLS,
	[NET_TOO_LARGE] = FETCH_KIND_TOO_LARGE,
	[NET_TIMEOUT] = FETCH_KIND_TIMEOUT,
	[NET_STALLED] = FETCH_KIND_STALLED,
	[NET_REDIRECTS] = FETCH_KIND_REDIRECTS,
	[NET_URL] = FETCH_KIND_URL,
	[NET_ADDRESS] = FETCH_KIND_ADDRESS,
	[NET_STOPPED] = FETCH_KIND_STOPPED,
	[NET_DEADLINE] = FETCH_KIND_DEADLINE,
	[NET_OTHER] = FETCH_KIND_OTHER,
};

/* net's callback: the response told apart as fetch's kinds, then the
 * caller's. */
static void on_done(void *arg, struct net_result *res)
{
	struct fetch_request *fr = arg;
	struct fetch_response *out = &fr->resp;

	(void)res;
	if (out->net.err == 0) {
		classify_status(out, fr->conditional);
	} else {
		out->kind = out->net.kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[out->net.kind]
									     : FETCH_KIND_OTHER;
		if (out->kind == FETCH_KIND_DEADLINE)
			snprintf(out->net.reason, sizeof(out->net.reason), "poll_timeout reached");
	}
	if (fr->done)
		fr->done(fr->arg, fr);
}

int fetch_submit(struct fetch_client *c, const char *url, const struct fetch_validators *in,
		 struct net_scope *scope, int64_t deadline_ms, char *body, size_t cap,
		 struct fetch_request *fr, fetch_done_fn done, void *arg)
{
	struct fetch_response *out = &fr->resp;
	struct net_request rq;
	int rc;

	memset(out, 0, sizeof(*out));
	fr->done = done;
	fr->arg = arg;
	if (!url_is_http(url)) {
		out->kind = FETCH_KIND_URL;
		snprintf(out->net.effective_url, sizeof(out->net.effective_url), "%s", url);
		snprintf(out->net.reason, sizeof(out->net.reason),
			 "unusable URL (only http and https)");
		return -EINVAL;
	}
	memset(&rq, 0, sizeof(rq));
	rq.headers = fr->headers;
	if (in && header(fr->inm, sizeof(fr->inm), "If-None-Match", in->etag))
		fr->headers[rq.n_headers++] = fr->inm;
	if (in && header(fr->ims, sizeof(fr->ims), "If-Modified-Since", in->last_modified))
		fr->headers[rq.n_headers++] = fr->ims;
	fr->conditional = rq.n_headers > 0;
	rq.profile = &c->profile;
	rq.url = url;
	rq.scope = scope;
	rq.deadline_ms = deadline_ms;
	rq.body = body;
	rq.cap = (uint64_t)cap < c->max_size ? cap : (size_t)c->max_size;
	rq.res = &out->net;
	rq.done = on_done;
	rq.arg = fr;
	rc = net_submit(c->net, &rq);
	if (rc < 0) {
		out->kind = FETCH_KIND_OTHER;
		out->net.err = rc;
		snprintf(out->net.reason, sizeof(out->net.reason), "transfer failed: %s",
			 rc == -EBUSY ? "every transfer slot is taken" : "bad request");
	}
	return rc;
}

int fetch_get(struct fetch_client *c, const char *url, const struct fetch_validators *in,
	      struct net_scope *scope, struct fetch_response *out, char *body, size_t cap)
{
	struct fetch_request fr;
	int rc = fetch_submit(c, url, in, scope, 0, body, cap, &fr, NULL, NULL);

	while (rc == 0 && fr.resp.net.pending)
		net_step(c->net);
	memcpy(out, &fr.resp, sizeof(*out));
	return rc < 0 ? rc : out->net.err;
}
