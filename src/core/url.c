/* SPDX-License-Identifier: MIT */
/* The URL splitter and what is built on it: RFC 3986 reference resolution,
 * written to the output buffer directly (dot segments are removed in place
 * because the result never outgrows its input), hosts and redaction. */
#include "url.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core/dec.h"
#include "core/utf8.h"

struct url_out {
	char *buf;
	size_t size, len;
	int full;
};

size_t url_scheme_len(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || !utf8_ascii_alpha(s[0]))
		return 0;
	while (i < len && (utf8_ascii_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
			   s[i] == '-' || s[i] == '.'))
		i++;
	return i < len && s[i] == ':' ? i : 0;
}

/* Where the span [p, end) ends: at the first of stops, or at end. */
static const char *until(const char *p, const char *end, const char *stops)
{
	while (p < end && !memchr(stops, *p, strlen(stops)))
		p++;
	return p;
}

static struct url_span span(const char *p, const char *end)
{
	return (struct url_span){ p, (size_t)(end - p) };
}

/* The authority's parts: user info, host, port. */
static void split_authority(struct url_parts *u)
{
	const char *a = u->authority.p, *end = a + u->authority.len, *h = a;

	for (const char *p = a; p < end; p++)
		if (*p == '@')
			h = p + 1;
	if (h > a) {
		u->has_userinfo = true;
		u->userinfo = span(a, h - 1);
	}
	u->host = span(h, end);
	u->port = span(end, end);
	for (const char *p = end; p > h; p--) {
		if (p[-1] == ']')
			break;
		if (p[-1] == ':') {
			u->has_port = true;
			u->host = span(h, p - 1);
			u->port = span(p, end);
			break;
		}
	}
}

void url_split(const char *s, size_t len, struct url_parts *u)
{
	const char *end = s + len, *p;

	memset(u, 0, sizeof(*u));
	u->scheme = span(s, s + url_scheme_len(s, len));
	p = s + (u->scheme.len ? u->scheme.len + 1 : 0);
	/* Empty spans still point into s, so that their place is known. */
	u->authority = u->userinfo = u->host = u->port = span(p, p);
	if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
		u->has_authority = true;
		p += 2;
		u->authority = span(p, until(p, end, "/?#"));
		u->userinfo = span(p, p);
		split_authority(u);
		p += u->authority.len;
	}
	u->path = span(p, until(p, end, "?#"));
	p += u->path.len;
	u->query = u->fragment = span(p, p);
	if (p < end && *p == '?') {
		u->has_query = true;
		u->query = span(p + 1, until(p + 1, end, "#"));
		p += 1 + u->query.len;
	}
	if (p < end && *p == '#') {
		u->has_fragment = true;
		u->fragment = span(p + 1, end);
	}
}

int url_web_scheme(const struct url_parts *u)
{
	if (u->scheme.len == 4 && strncasecmp(u->scheme.p, "http", 4) == 0)
		return URL_HTTP;
	if (u->scheme.len == 5 && strncasecmp(u->scheme.p, "https", 5) == 0)
		return URL_HTTPS;
	return 0;
}

static void put(struct url_out *o, const char *s, size_t n)
{
	if (o->full || n >= o->size - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static int starts(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && memcmp(s, lit, l) == 0;
}

static int equals(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* RFC 3986 5.2.4 on s[0..n) in place; returns the new length. The write
 * position never passes the read position, so one buffer suffices. */
static size_t remove_dots(char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const char *r = s + i;
		size_t rest = n - i;

		if (starts(r, rest, "../")) {
			i += 3;
		} else if (starts(r, rest, "./")) {
			i += 2;
		} else if (starts(r, rest, "/./")) {
			i += 2;
		} else if (equals(r, rest, "/.")) {
			s[o++] = '/';
			i = n;
		} else if (starts(r, rest, "/../") || equals(r, rest, "/..")) {
			while (o > 0 && s[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			if (rest == 3) {
				s[o++] = '/';
				i = n;
			} else {
				i += 3;
			}
		} else if (equals(r, rest, ".") || equals(r, rest, "..")) {
			i = n;
		} else {
			if (s[i] == '/')
				s[o++] = s[i++];
			while (i < n && s[i] != '/')
				s[o++] = s[i++];
		}
	}
	return o;
}

/* Appends path and then removes dot segments from it in place. */
static void put_path(struct url_out *o, size_t start, const char *a, size_t an, const char *b,
		     size_t bn)
{
	put(o, a, an);
	put(o, b, bn);
	if (!o->full)
		o->len = start + remove_dots(o->buf + start, o->len - start);
}

int url_resolve(const char *base, const char *ref, char *out, size_t size)
{
	struct url_parts b, r;
	struct url_out o = { out, size, 0, 0 };
	const char *rs = ref, *re = ref + strlen(ref);
	const struct url_parts *q;

	if (size == 0)
		return -ENOSPC;
	while (rs < re && (*rs == ' ' || *rs == '\t' || *rs == '\r' || *rs == '\n'))
		rs++;
	while (re > rs && (re[-1] == ' ' || re[-1] == '\t' || re[-1] == '\r' || re[-1] == '\n'))
		re--;
	url_split(rs, (size_t)(re - rs), &r);
	url_split(base ? base : "", base ? strlen(base) : 0, &b);

	if (r.scheme.len || !b.scheme.len) {
		if (!r.scheme.len && !b.scheme.len) {
			/* Nothing to resolve against: keep the reference as is. */
			put(&o, rs, (size_t)(re - rs));
			goto out;
		}
		put(&o, r.scheme.p, r.scheme.len + 1);
		q = &r;
		if (r.has_authority) {
			put(&o, "//", 2);
			put(&o, r.authority.p, r.authority.len);
		}
		put_path(&o, o.len, r.path.p, r.path.len, "", 0);
	} else {
		put(&o, b.scheme.p, b.scheme.len + 1);
		if (r.has_authority) {
			put(&o, "//", 2);
			put(&o, r.authority.p, r.authority.len);
			put_path(&o, o.len, r.path.p, r.path.len, "", 0);
			q = &r;
		} else {
			if (b.has_authority) {
				put(&o, "//", 2);
				put(&o, b.authority.p, b.authority.len);
			}
			if (r.path.len == 0) {
				put(&o, b.path.p, b.path.len);
				q = r.has_query ? &r : &b;
			} else if (r.path.p[0] == '/') {
				put_path(&o, o.len, r.path.p, r.path.len, "", 0);
				q = &r;
			} else {
				size_t keep = b.path.len;

				/* Merge: the base path up to its last '/', or "/"
				 * when the base has an authority and no path. */
				while (keep > 0 && b.path.p[keep - 1] != '/')
					keep--;
				if (b.has_authority && b.path.len == 0)
					put_path(&o, o.len, "/", 1, r.path.p, r.path.len);
				else
					put_path(&o, o.len, b.path.p, keep, r.path.p, r.path.len);
				q = &r;
			}
		}
	}
	if (q->has_query) {
		put(&o, "?", 1);
		put(&o, q->query.p, q->query.len);
	}
	if (r.has_fragment) {
		put(&o, "#", 1);
		put(&o, r.fragment.p, r.fragment.len);
	}
out:
	if (o.full) {
		out[0] = '\0';
		return -ENOSPC;
	}
	out[o.len] = '\0';
	return 0;
}

const char *url_redact(const char *url, char *out, size_t size)
{
	struct url_out o = { out, size, 0, 0 };
	struct url_parts u;

	if (size == 0)
		return out;
	url_split(url, strlen(url), &u);
	put(&o, u.scheme.p, u.scheme.len ? u.scheme.len + 1 : 0);
	if (u.has_authority) {
		put(&o, "//", 2);
		if (u.has_userinfo)
			put(&o, "***@", 4);
		/* From the host to the authority's end: host and port. */
		put(&o, u.host.p, u.authority.len - (size_t)(u.host.p - u.authority.p));
	}
	put(&o, u.path.p, u.path.len);
	if (u.has_query)
		put(&o, "?***", 4);
	/* put() takes a part whole or not at all (and nothing after it), so a
	 * cut drops whole parts from the end. */
	out[o.len] = '\0';
	return out;
}

/* A host at all: not empty, and not an unclosed IPv6 literal. */
static int has_host(const struct url_parts *u)
{
	const char *h = u->host.p;
	size_t n = u->host.len;

	return n > 0 && (h[0] != '[' || h[n - 1] == ']');
}

int url_is_http(const char *url)
{
	struct url_parts u;

	url_split(url, strlen(url), &u);
	return url_web_scheme(&u) && has_host(&u);
}

int url_host(const char *url, char *out, size_t size)
{
	struct url_parts u;
	const char *h;
	size_t n;

	url_split(url, strlen(url), &u);
	h = u.host.p;
	n = u.host.len;
	if (!u.scheme.len || !has_host(&u) || n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char ch = h[i];

		out[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	out[n] = '\0';
	return 0;
}

const char *url_file_path(const char *url)
{
	struct url_parts u;

	url_split(url, strlen(url), &u);
	if (u.scheme.len != 4 || strncasecmp(u.scheme.p, "file", 4) != 0 || !u.has_authority ||
	    u.path.len == 0 || u.has_userinfo || u.has_port)
		return NULL;
	if (u.host.len && (u.host.len != 9 || strncasecmp(u.host.p, "localhost", 9) != 0))
		return NULL;
	return u.path.p;
}

int url_host_is_loopback(const char *host)
{
	const char *p = host;

	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	for (int i = 0; i < 4; i++) {
		uint64_t part;
		size_t digits;

		/* At most 3 digits: 0177 is octal to some resolvers. */
		if (dec_read(p, strlen(p), 255, &part, &digits) != 0 || digits > 3 ||
		    (i == 0 && part != 127))
			return 0;
		p += digits;
		if (i < 3 && *p++ != '.')
			return 0;
	}
	return *p == '\0';
}

/* Query parameters that say how a reader came to a link (campaign, click
 * and mailing-list identifiers), never which page it is: dropped by
 * url_canonical. A name ending in '*' is a prefix. Kept to parameters that
 * no site uses for content, since dropping a real one would make two
 * articles one. */
static const char *const tracking_params[] = {
	"utm_*",  "fbclid", "gclid",  "dclid",	 "gbraid", "wbraid", "msclkid", "mc_cid",
	"mc_eid", "igshid", "yclid",  "_hsenc",	 "_hsmi",  "mkt_tok", "oly_anon_id",
	"oly_enc_id", "vero_id", "__s",
};

/* Is the query parameter p[0..n) ("name" or "name=value") one to drop? */
static int is_tracking(const char *p, size_t n, unsigned flags)
{
	const char *eq = memchr(p, '=', n);
	size_t name = eq ? (size_t)(eq - p) : n;
	size_t count = flags & URL_CANON_UTM_ONLY ? 1 : sizeof(tracking_params) / sizeof(tracking_params[0]);

	for (size_t i = 0; i < count; i++) {
		const char *t = tracking_params[i];
		size_t l = strlen(t);

		if (t[l - 1] == '*' ? name >= l - 1 && strncasecmp(p, t, l - 1) == 0
				    : name == l && strncasecmp(p, t, l) == 0)
			return 1;
	}
	return 0;
}

static void emit_lower(url_emit_fn emit, void *ctx, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = utf8_ascii_lower(p[i]);
		emit(ctx, &ch, 1);
	}
}

void url_canonical_emit(const char *url, size_t len, unsigned flags, url_emit_fn emit, void *ctx)
{
	struct url_parts u;
	int web;

	utf8_ascii_trim(&url, &len);
	url_split(url, len, &u);
	web = url_web_scheme(&u) != 0;
	if (u.scheme.len) {
		if (web)
			emit(ctx, "https", 5);
		else
			emit_lower(emit, ctx, u.scheme.p, u.scheme.len);
		emit(ctx, ":", 1);
	}
	if (u.has_authority) {
		const char *port = u.port.p;
		size_t plen = u.port.len;
		int dflt = plen == 0 || (web && (equals(port, plen, "80") || equals(port, plen, "443")));

		/* A name with a ':' of its own outside an IPv6 literal's
		 * brackets ("a::", "[::1]::") would split another way without
		 * its port's ':': keep it, so that the form is stable. */
		const char *bare = u.host.p;
		const char *close = u.host.len && bare[0] == '[' ? memchr(bare, ']', u.host.len) : NULL;

		if (close)
			bare = close + 1;
		if (memchr(bare, ':', (size_t)(u.host.p + u.host.len - bare)))
			dflt = 0;

		emit(ctx, "//", 2);
		emit_lower(emit, ctx, u.host.p, u.host.len);
		if (!dflt) {
			emit(ctx, ":", 1);
			emit(ctx, port, plen);
		}
		if (u.path.len == 0)
			emit(ctx, "/", 1);
	}
	emit(ctx, u.path.p, u.path.len);
	if (u.has_query) {
		const char *q = u.query.p, *qend = q + u.query.len;
		int kept = 0;

		while (q < qend) {
			const char *amp = memchr(q, '&', (size_t)(qend - q));
			size_t plen = amp ? (size_t)(amp - q) : (size_t)(qend - q);

			if (plen && !is_tracking(q, plen, flags)) {
				emit(ctx, kept ? "&" : "?", 1);
				emit(ctx, q, plen);
				kept = 1;
			}
			q += plen;
			if (q < qend)
				q++;
		}
	}
}

static void emit_out(void *ctx, const char *p, size_t n)
{
	put(ctx, p, n);
}

int url_canonical(const char *url, char *out, size_t size)
{
	struct url_out o = { out, size, 0, 0 };
	size_t n = url ? strlen(url) : 0;

	if (size == 0)
		return -ENOSPC;
	if (n == 0) {
		out[0] = '\0';
		return -EINVAL;
	}
	url_canonical_emit(url, n, 0, emit_out, &o);
	if (o.full || o.len == 0) {
		out[0] = '\0';
		return o.full ? -ENOSPC : -EINVAL;
	}
	out[o.len] = '\0';
	return 0;
}
