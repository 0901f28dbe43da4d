/* SPDX-License-Identifier: MIT */
/* URL reference resolution (RFC 3986 section 5) and host extraction into
 * caller buffers, for feed links, politeness and endpoint checks, and the
 * redacted form of a URL for log lines. No allocation, no I/O. */
#ifndef DIGESTD_URL_H
#define DIGESTD_URL_H

#include <stddef.h>

/* Resolves ref against base (both NUL-terminated; surrounding whitespace in
 * ref is ignored) and writes the result with a NUL into out. A ref with a
 * scheme, or any ref when base has none, is copied with its dot segments
 * removed. Returns 0, or -ENOSPC when out is too small (out then holds ""). */
int url_resolve(const char *base, const char *ref, char *out, size_t size);

/* Length of the scheme of s ("http" in "http://x"), or 0 when s has none. */
size_t url_scheme_len(const char *s, size_t len);

/* Is url (NUL-terminated) an absolute http:// or https:// URL, scheme in
 * any case, with something after the "//" that can be a host? Anything else
 * (javascript:, data:, relative, protocol-relative "//host", "https:x",
 * "https:///x") is not. */
int url_is_http(const char *url);

/* The host part of an http(s) URL (no user info, no port), lowercased, into
 * out with a NUL. Returns 0, or -EINVAL when url has no host or it does not
 * fit. */
int url_host(const char *url, char *out, size_t size);

/* Writes url into out (size bytes, NUL-terminated, cut to fit) for a log
 * line: its user info and query string each replaced by "***" and its
 * fragment dropped, since they may carry a password, an API key or a token.
 * Anything else is kept as it is. Returns out. */
const char *url_redact(const char *url, char *out, size_t size);

/* Is host (as url_host gives it) a loopback name: localhost, 127.x.y.z or
 * [::1]? */
int url_host_is_loopback(const char *host);

#endif
