/* SPDX-License-Identifier: MIT */
/* Unit tests for src/net/addr: every address class a link may not
 * reach, the IPv4 forms inside IPv6, and public addresses let through. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "check.h"
#include "net/addr.h"

/* The kind addr_private_kind gives for a textual address ("" = public). */
static const char *kind_of(const char *text)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	const char *k;

	memset(&in4, 0, sizeof(in4));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, text, &in4.sin_addr) == 1) {
		in4.sin_family = AF_INET;
		k = addr_private_kind((const struct sockaddr *)&in4, sizeof(in4));
	} else if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		k = addr_private_kind((const struct sockaddr *)&in6, sizeof(in6));
	} else {
		return "not an address";
	}
	return k ? k : "";
}

static void test_ipv4(void)
{
	CHECK_STR(kind_of("127.0.0.1"), "a loopback address");
	CHECK_STR(kind_of("127.255.255.254"), "a loopback address");
	CHECK_STR(kind_of("10.1.2.3"), "a private address");
	CHECK_STR(kind_of("172.16.0.1"), "a private address");
	CHECK_STR(kind_of("172.31.255.255"), "a private address");
	CHECK_STR(kind_of("192.168.1.1"), "a private address");
	CHECK_STR(kind_of("169.254.169.254"), "a link-local address");
	CHECK_STR(kind_of("0.0.0.0"), "an unspecified address");
	CHECK_STR(kind_of("100.64.0.1"), "a shared (CGNAT) address");
	CHECK_STR(kind_of("100.127.255.255"), "a shared (CGNAT) address");
	CHECK_STR(kind_of("224.0.0.251"), "a multicast address");
	CHECK_STR(kind_of("255.255.255.255"), "a reserved address");
	CHECK_STR(kind_of("192.0.2.10"), "a reserved address");
	CHECK_STR(kind_of("198.18.0.1"), "a reserved address");
	/* Neighbours of the blocks are public. */
	CHECK_STR(kind_of("172.15.255.255"), "");
	CHECK_STR(kind_of("172.32.0.0"), "");
	CHECK_STR(kind_of("100.63.255.255"), "");
	CHECK_STR(kind_of("100.128.0.0"), "");
	CHECK_STR(kind_of("11.0.0.1"), "");
	CHECK_STR(kind_of("93.184.216.34"), "");
	CHECK_STR(kind_of("1.1.1.1"), "");
}

static void test_ipv6(void)
{
	CHECK_STR(kind_of("::1"), "a loopback address");
	CHECK_STR(kind_of("::"), "an unspecified address");
	CHECK_STR(kind_of("fc00::1"), "a private address");
	CHECK_STR(kind_of("fd12:3456::1"), "a private address");
	CHECK_STR(kind_of("fec0::1"), "a private address");
	CHECK_STR(kind_of("fe80::1"), "a link-local address");
	CHECK_STR(kind_of("ff02::1"), "a multicast address");
	CHECK_STR(kind_of("2001:db8::1"), "a reserved address");
	CHECK_STR(kind_of("100::1"), "a reserved address");
	CHECK_STR(kind_of("2606:4700::1111"), "");
	CHECK_STR(kind_of("2a00:1450:4001::1"), "");
}

/* IPv6 forms that carry an IPv4 address are judged by it. */
static void test_embedded_ipv4(void)
{
	CHECK_STR(kind_of("::ffff:127.0.0.1"), "a loopback address");
	CHECK_STR(kind_of("::ffff:10.0.0.1"), "a private address");
	CHECK_STR(kind_of("::ffff:169.254.169.254"), "a link-local address");
	CHECK_STR(kind_of("::ffff:1.1.1.1"), "");
	CHECK_STR(kind_of("::127.0.0.1"), "a loopback address");
	CHECK_STR(kind_of("64:ff9b::7f00:1"), "a loopback address");
	CHECK_STR(kind_of("64:ff9b::101:101"), "");
	CHECK_STR(kind_of("2002:c0a8:101::1"), "a private address");
	CHECK_STR(kind_of("2002:101:101::1"), "");
}

static void test_other_family(void)
{
	struct sockaddr sa;
	char out[ADDR_TEXT_BYTES];
	struct sockaddr_in in4;

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	CHECK_STR(addr_private_kind(&sa, sizeof(sa)), "an unknown address");
	CHECK_STR(addr_format(&sa, sizeof(sa), out, sizeof(out)), "?");
	/* A short length is never read past. */
	memset(&in4, 0, sizeof(in4));
	in4.sin_family = AF_INET;
	CHECK_STR(addr_private_kind((const struct sockaddr *)&in4, 4), "an unknown address");
	inet_pton(AF_INET, "127.0.0.2", &in4.sin_addr);
	CHECK_STR(addr_format((const struct sockaddr *)&in4, sizeof(in4), out, sizeof(out)),
		  "127.0.0.2");
}

int main(void)
{
	RUN(test_ipv4);
	RUN(test_ipv6);
	RUN(test_embedded_ipv4);
	RUN(test_other_family);
	return CHECK_EXIT();
}
