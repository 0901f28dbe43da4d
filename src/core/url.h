/* SPDX-License-Identifier: MIT */
/* URLs: the one splitter into parts (scheme, user info, host, port, ...)
 * that every reader of a URL goes through, the http(s) scheme check,
 * reference resolution (RFC 3986 section 5), hosts, file: paths and the
 * redacted form for log lines. No allocation, no I/O. */
#ifndef DIGESTD_URL_H
#define DIGESTD_URL_H

#include <stdbool.h>
#include <stddef.h>

/* len bytes at p, inside the string that was split (not NUL-terminated). */
struct url_span {
	const char *p;
	size_t len;
};

/* A URL's parts (RFC 3986 section 3) as spans into the string split. A part
 * that is absent is empty and, where absent and empty differ ("h" and "h:",
 * "/a" and "/a?"), its has_ flag is false. scheme has no ':', query no '?',
 * fragment no '#'. authority is what lies between "//" and the path:
 * [userinfo@]host[:port]. */
struct url_parts {
	struct url_span scheme, authority, userinfo, host, port, path, query, fragment;
	bool has_authority, has_userinfo, has_port, has_query, has_fragment;
};

/* Splits s[0..len) (NUL bytes in it are ordinary bytes). The user info ends
 * at the authority's last '@'; the port follows the last ':' of the rest
 * that no ']' follows, so an IPv6 literal keeps its brackets and colons in
 * host. Any string splits: whether its parts are acceptable (a host that
 * is a name, a port that is a number) is for the caller to say. */
void url_split(const char *s, size_t len, struct url_parts *u);

/* The web scheme of a split URL, in any case: URL_HTTPS, URL_HTTP, or 0 for
 * any other scheme or none. */
enum { URL_HTTP = 1, URL_HTTPS = 2 };
int url_web_scheme(const struct url_parts *u);

/* Resolves ref against base (both NUL-terminated; surrounding whitespace in
 * ref is ignored) and writes the result with a NUL into out. A ref with a
 * scheme, or any ref when base has none, is copied with its dot segments
 * removed. Returns 0, or -ENOSPC when out is too small (out then holds ""). */
int url_resolve(const char *base, const char *ref, char *out, size_t size);

/* Length of the scheme of s ("http" in "http://x"), or 0 when s has none. */
size_t url_scheme_len(const char *s, size_t len);

/* Is url (NUL-terminated) an absolute http:// or https:// URL, scheme in
 * any case, with a host (url_host finds it)? Anything else (javascript:, data:, relative,
 * protocol-relative "//host", "https:x", "https:///x", "https://:443/")
 * is not. The one test of "this is a web URL" everywhere in digestd. */
int url_is_http(const char *url);

/* The host part of a URL with a scheme and an authority (no user info, no
 * port; an IPv6 literal with its brackets), lowercased, into out with a
 * NUL. Returns 0, or -EINVAL when url has no host or it does not fit. */
int url_host(const char *url, char *out, size_t size);

/* The local path that a file: URL names: file:///path or
 * file://localhost/path, scheme and host in any case. Returns a pointer into
 * url at the path's '/', or NULL for anything else. */
const char *url_file_path(const char *url);

/* Writes url into out (size bytes, NUL-terminated, cut to fit) for a log
 * line: its user info and query string each replaced by "***" and its
 * fragment dropped, since they may carry a password, an API key or a token.
 * Anything else is kept as it is. Returns out. */
const char *url_redact(const char *url, char *out, size_t size);

/* The canonical form of a URL, the one every comparison of article URLs
 * uses (the seen-set's keys, story grouping): surrounding whitespace
 * trimmed; scheme and host lower-cased; http treated as https; user info,
 * a default port (80, 443) or an empty one, the fragment and tracking
 * query parameters (utm_*, fbclid, gclid, mc_cid, mc_eid, igshid, ... in
 * any case; see url.c) dropped; an empty path after a host made "/"; an
 * empty query dropped. Other bytes are kept as they are (no percent-
 * decoding, no parameter sorting: sites differ on what those mean).
 * url_canonical writes it and a NUL into out: returns 0, -EINVAL for a url
 * that is blank or empty once canonical ("#top"), or -ENOSPC (out then
 * holds ""). url_canonical_emit hands it to emit in pieces instead (so a
 * hash can take a URL of any length); flags URL_CANON_UTM_ONLY drops only
 * utm_* parameters, the canonical form of seen-sets written by digestd
 * 0.1.0 (read for upgrades). Neither allocates. */
typedef void (*url_emit_fn)(void *ctx, const char *p, size_t n);
enum { URL_CANON_UTM_ONLY = 1 };
void url_canonical_emit(const char *url, size_t len, unsigned flags, url_emit_fn emit, void *ctx);
int url_canonical(const char *url, char *out, size_t size);

/* Is host (as url_host gives it) a loopback name: localhost, 127.x.y.z or
 * [::1]? */
int url_host_is_loopback(const char *host);

#endif
