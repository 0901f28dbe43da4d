/* SPDX-License-Identifier: MIT */
/* Which IP addresses a link or redirect found in a feed or page may reach:
 * the address classes that are not the public Internet (loopback, private,
 * link-local, ...). Pure functions over socket addresses; no I/O. */
#ifndef DIGESTD_NET_ADDR_H
#define DIGESTD_NET_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Longest text addr_format writes, NUL included (INET6_ADDRSTRLEN). */
#define ADDR_TEXT_BYTES 46

/* What sa (len bytes) is when it is not a public address, as words that
 * finish "refused to connect to ADDR, ...": "a loopback address",
 * "a private address" (RFC 1918, fc00::/7, fec0::/10), "a link-local
 * address", "an unspecified address" (0.0.0.0/8, ::), "a shared (CGNAT)
 * address" (100.64.0.0/10), "a multicast address", "a reserved address"
 * (benchmarking, documentation, IETF, 240.0.0.0/4, IPv6 outside 2000::/3).
 * IPv4-mapped (::ffff:0:0/96), IPv4-compatible, NAT64 (64:ff9b::/96) and
 * 6to4 (2002::/16) addresses are judged by the IPv4 address inside. NULL
 * for a public address; a family other than IPv4/IPv6 is "an unknown
 * address". Never fails. */
const char *addr_private_kind(const struct sockaddr *sa, size_t len);

/* The address of sa as text ("127.0.0.1", "::1") into out; "?" when it
 * cannot be shown. Returns out. */
const char *addr_format(const struct sockaddr *sa, size_t len, char *out, size_t size);

/* The port of sa (host order), 0 when it has none. */
unsigned addr_port(const struct sockaddr *sa, size_t len);

#endif
