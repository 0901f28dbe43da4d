/* SPDX-License-Identifier: MIT */
/* RFC 3986 reference resolution, written to the output buffer directly; dot
 * segments are removed in place because the result never outgrows its input. */
#include "url.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

struct url_parts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_len, auth_len, path_len, query_len, frag_len;
	int has_auth, has_query, has_frag;
};

struct url_out {
	char *buf;
	size_t size, len;
	int full;
};

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

size_t url_scheme_len(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || !is_alpha(s[0]))
		return 0;
	while (i < len && (is_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
			   s[i] == '-' || s[i] == '.'))
		i++;
	return i < len && s[i] == ':' ? i : 0;
}

static void split(const char *s, size_t len, struct url_parts *u)
{
	const char *end = s + len, *p;

	memset(u, 0, sizeof(*u));
	u->scheme_len = url_scheme_len(s, len);
	u->scheme = s;
	p = s + (u->scheme_len ? u->scheme_len + 1 : 0);
	if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
		u->has_auth = 1;
		p += 2;
		u->auth = p;
		while (p < end && *p != '/' && *p != '?' && *p != '#')
			p++;
		u->auth_len = (size_t)(p - u->auth);
	}
	u->path = p;
	while (p < end && *p != '?' && *p != '#')
		p++;
	u->path_len = (size_t)(p - u->path);
	if (p < end && *p == '?') {
		u->has_query = 1;
		u->query = ++p;
		while (p < end && *p != '#')
			p++;
		u->query_len = (size_t)(p - u->query);
	}
	if (p < end && *p == '#') {
		u->has_frag = 1;
		u->frag = p + 1;
		u->frag_len = (size_t)(end - u->frag);
	}
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
	split(rs, (size_t)(re - rs), &r);
	split(base ? base : "", base ? strlen(base) : 0, &b);

	if (r.scheme_len || !b.scheme_len) {
		if (!r.scheme_len && !b.scheme_len) {
			/* Nothing to resolve against: keep the reference as is. */
			put(&o, rs, (size_t)(re - rs));
			goto out;
		}
		put(&o, r.scheme, r.scheme_len + 1);
		q = &r;
		if (r.has_auth) {
			put(&o, "//", 2);
			put(&o, r.auth, r.auth_len);
		}
		put_path(&o, o.len, r.path, r.path_len, "", 0);
	} else {
		put(&o, b.scheme, b.scheme_len + 1);
		if (r.has_auth) {
			put(&o, "//", 2);
			put(&o, r.auth, r.auth_len);
			put_path(&o, o.len, r.path, r.path_len, "", 0);
			q = &r;
		} else {
			if (b.has_auth) {
				put(&o, "//", 2);
				put(&o, b.auth, b.auth_len);
			}
			if (r.path_len == 0) {
				put(&o, b.path, b.path_len);
				q = r.has_query ? &r : &b;
			} else if (r.path[0] == '/') {
				put_path(&o, o.len, r.path, r.path_len, "", 0);
				q = &r;
			} else {
				size_t keep = b.path_len;

				/* Merge: the base path up to its last '/', or "/"
				 * when the base has an authority and no path. */
				while (keep > 0 && b.path[keep - 1] != '/')
					keep--;
				if (b.has_auth && b.path_len == 0)
					put_path(&o, o.len, "/", 1, r.path, r.path_len);
				else
					put_path(&o, o.len, b.path, keep, r.path, r.path_len);
				q = &r;
			}
		}
	}
	if (q->has_query) {
		put(&o, "?", 1);
		put(&o, q->query, q->query_len);
	}
	if (r.has_frag) {
		put(&o, "#", 1);
		put(&o, r.frag, r.frag_len);
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
	const char *at = NULL;

	if (size == 0)
		return out;
	split(url, strlen(url), &u);
	put(&o, u.scheme, u.scheme_len ? u.scheme_len + 1 : 0);
	if (u.has_auth) {
		put(&o, "//", 2);
		for (const char *p = u.auth; p < u.auth + u.auth_len; p++)
			if (*p == '@')
				at = p;
		if (at)
			put(&o, "***", 3);
		put(&o, at ? at : u.auth, u.auth_len - (size_t)(at ? at - u.auth : 0));
	}
	put(&o, u.path, u.path_len);
	if (u.has_query)
		put(&o, "?***", 4);
	/* put() takes a part whole or not at all (and nothing after it), so a
	 * cut drops whole parts from the end. */
	out[o.len] = '\0';
	return out;
}

int url_is_http(const char *url)
{
	size_t n = url_scheme_len(url, strlen(url));
	const char *rest;

	if (!((n == 4 && strncasecmp(url, "http", 4) == 0) ||
	      (n == 5 && strncasecmp(url, "https", 5) == 0)))
		return 0;
	rest = url + n + 1;
	return rest[0] == '/' && rest[1] == '/' && rest[2] != '\0' && !strchr("/?#", rest[2]);
}

int url_host(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://"), *h, *end;
	size_t n;

	if (!p || size == 0)
		return -EINVAL;
	h = p + 3;
	end = h + strcspn(h, "/?#");
	for (const char *at = h; at < end; at++)
		if (*at == '@')
			h = at + 1;
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (!close)
			return -EINVAL;
		end = close + 1;
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		if (colon)
			end = colon;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char ch = h[i];

		out[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	out[n] = '\0';
	return 0;
}


int url_host_is_loopback(const char *host)
{
	const char *p = host;

	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	for (int i = 0; i < 4; i++) {
		unsigned part = 0, digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			part = part * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || part > 255 || (i == 0 && part != 127))
			return 0;
		if (i < 3 && *p++ != '.')
			return 0;
	}
	return *p == '\0';
}
