/* SPDX-License-Identifier: MIT */
/* Address classes from the IANA special-purpose registries (RFC 6890 and
 * its updates), reduced to the question a fetch asks: may a link or
 * redirect that a feed chose reach this address? */
#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char loopback[] = "a loopback address", private_[] = "a private address",
		  link_local[] = "a link-local address", unspecified[] = "an unspecified address",
		  shared[] = "a shared (CGNAT) address", multicast[] = "a multicast address",
		  reserved[] = "a reserved address";

/* One IPv4 block: address and prefix length, in host order. */
static const struct v4_block {
	uint32_t net;
	unsigned bits;
	const char *kind;
} v4_blocks[] = {
	{ 0x00000000u, 8, unspecified }, /* 0.0.0.0/8 "this network" */
	{ 0x0a000000u, 8, private_ },	 /* 10.0.0.0/8 */
	{ 0x64400000u, 10, shared },	 /* 100.64.0.0/10 */
	{ 0x7f000000u, 8, loopback },	 /* 127.0.0.0/8 */
	{ 0xa9fe0000u, 16, link_local }, /* 169.254.0.0/16 */
	{ 0xac100000u, 12, private_ },	 /* 172.16.0.0/12 */
	{ 0xc0000000u, 24, reserved },	 /* 192.0.0.0/24 IETF assignments */
	{ 0xc0000200u, 24, reserved },	 /* 192.0.2.0/24 documentation */
	{ 0xc0a80000u, 16, private_ },	 /* 192.168.0.0/16 */
	{ 0xc6120000u, 15, reserved },	 /* 198.18.0.0/15 benchmarking */
	{ 0xc6336400u, 24, reserved },	 /* 198.51.100.0/24 documentation */
	{ 0xcb007100u, 24, reserved },	 /* 203.0.113.0/24 documentation */
	{ 0xe0000000u, 4, multicast },	 /* 224.0.0.0/4 */
	{ 0xf0000000u, 4, reserved },	 /* 240.0.0.0/4, broadcast included */
};

static const char *v4_kind(uint32_t a)
{
	for (size_t i = 0; i < sizeof(v4_blocks) / sizeof(v4_blocks[0]); i++) {
		uint32_t mask = 0xffffffffu << (32 - v4_blocks[i].bits);

		if ((a & mask) == v4_blocks[i].net)
			return v4_blocks[i].kind;
	}
	return NULL;
}

static uint32_t v4_at(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static const char *v6_kind(const unsigned char *b)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (all_zero(b, 16))
		return unspecified;
	if (all_zero(b, 15) && b[15] == 1)
		return loopback;
	/* Forms that carry an IPv4 address: the IPv4 rules apply to it. */
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 || all_zero(b, 12))
		return v4_kind(v4_at(b + 12));
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_kind(v4_at(b + 2));
	if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0))
		return private_; /* fc00::/7 unique local, fec0::/10 site-local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return link_local; /* fe80::/10 */
	if (b[0] == 0xff)
		return multicast;
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return reserved; /* 2001:db8::/32 documentation */
	if ((b[0] & 0xe0) != 0x20)
		return reserved; /* outside 2000::/3, the global unicast space */
	return NULL;
}

const char *addr_private_kind(const struct sockaddr *sa, size_t len)
{
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return v4_kind(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		return v6_kind(in6->sin6_addr.s6_addr);
	}
	return "an unknown address";
}

const char *addr_format(const struct sockaddr *sa, size_t len, char *out, size_t size)
{
	const void *a = NULL;

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (!a || !inet_ntop(sa->sa_family, a, out, (socklen_t)size))
		snprintf(out, size, "?");
	return out;
}

unsigned addr_port(const struct sockaddr *sa, size_t len)
{
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return 0;
}
