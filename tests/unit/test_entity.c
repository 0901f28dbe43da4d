/* SPDX-License-Identifier: MIT */
/* Tests for the character reference decoder: numeric forms and their HTML5
 * fix-ups, named lookups across the table, missing ';', non-references. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "extract/entity.h"

static size_t dec(const char *s, uint32_t cp[2], unsigned *n)
{
	cp[0] = cp[1] = 0;
	*n = 0;
	return entity_decode(s, s + strlen(s), cp, n);
}

static void test_numeric(void)
{
	uint32_t cp[2];
	unsigned n;

	CHECK_INT(dec("&#233;", cp, &n), 6);
	CHECK_INT(cp[0], 0xE9);
	CHECK_INT(n, 1);
	CHECK_INT(dec("&#xE9;x", cp, &n), 6);
	CHECK_INT(cp[0], 0xE9);
	CHECK_INT(dec("&#X1F600;", cp, &n), 9);
	CHECK_INT(cp[0], 0x1F600);
	CHECK_INT(dec("&#65 b", cp, &n), 4);
	CHECK_INT(cp[0], 'A');
	CHECK_INT(dec("&#0;", cp, &n), 4);
	CHECK_INT(cp[0], 0xFFFD);
	CHECK_INT(dec("&#xD800;", cp, &n), 8);
	CHECK_INT(cp[0], 0xFFFD);
	CHECK_INT(dec("&#x110000;", cp, &n), 10);
	CHECK_INT(cp[0], 0xFFFD);
	CHECK_INT(dec("&#99999999999999999999;", cp, &n), 23);
	CHECK_INT(cp[0], 0xFFFD);
	CHECK_INT(dec("&#150;", cp, &n), 6);
	CHECK_INT(cp[0], 0x2013);
	CHECK_INT(dec("&#128;", cp, &n), 6);
	CHECK_INT(cp[0], 0x20AC);
	CHECK_INT(dec("&#x81;", cp, &n), 6);
	CHECK_INT(cp[0], 0x81);
	CHECK_INT(dec("&#;", cp, &n), 0);
	CHECK_INT(dec("&#x;", cp, &n), 0);
	CHECK_INT(dec("&#", cp, &n), 0);
}

static void test_named(void)
{
	uint32_t cp[2];
	unsigned n;

	CHECK_INT(dec("&amp;", cp, &n), 5);
	CHECK_INT(cp[0], '&');
	CHECK_INT(dec("&lt;&gt;", cp, &n), 4);
	CHECK_INT(cp[0], '<');
	CHECK_INT(dec("&quot;", cp, &n), 6);
	CHECK_INT(cp[0], '"');
	CHECK_INT(dec("&apos;", cp, &n), 6);
	CHECK_INT(cp[0], '\'');
	/* First and last entries of the table, and case sensitivity. */
	CHECK_INT(dec("&AElig;", cp, &n), 7);
	CHECK_INT(cp[0], 0xC6);
	CHECK_INT(dec("&aelig;", cp, &n), 7);
	CHECK_INT(cp[0], 0xE6);
	CHECK_INT(dec("&zwnj;", cp, &n), 6);
	CHECK_INT(cp[0], 0x200C);
	CHECK_INT(dec("&eacute;", cp, &n), 8);
	CHECK_INT(cp[0], 0xE9);
	CHECK_INT(dec("&mdash;", cp, &n), 7);
	CHECK_INT(cp[0], 0x2014);
	CHECK_INT(dec("&rsquo;", cp, &n), 7);
	CHECK_INT(cp[0], 0x2019);
	CHECK_INT(dec("&euro;", cp, &n), 6);
	CHECK_INT(cp[0], 0x20AC);
	CHECK_INT(dec("&hellip;", cp, &n), 8);
	CHECK_INT(cp[0], 0x2026);
	CHECK_INT(dec("&rarr;", cp, &n), 6);
	CHECK_INT(cp[0], 0x2192);
	CHECK_INT(dec("&blacktriangleright;", cp, &n), 20);
	CHECK_INT(cp[0], 0x25B8);
	CHECK_INT(dec("&fjlig;", cp, &n), 7);
	CHECK_INT(n, 2);
	CHECK_INT(cp[0], 'f');
	CHECK_INT(cp[1], 'j');
	CHECK_INT(dec("&ThickSpace;", cp, &n), 12);
	CHECK_INT(n, 2);
}

static void test_missing_semicolon(void)
{
	uint32_t cp[2];
	unsigned n;

	CHECK_INT(dec("&amp rest", cp, &n), 4);
	CHECK_INT(cp[0], '&');
	CHECK_INT(dec("&nbsp&nbsp", cp, &n), 5);
	CHECK_INT(cp[0], 0xA0);
	CHECK_INT(dec("&copy", cp, &n), 5);
	CHECK_INT(cp[0], 0xA9);
	/* Not legacy: needs its ';'. */
	CHECK_INT(dec("&mdash ", cp, &n), 0);
	/* Query strings stay literal. */
	CHECK_INT(dec("&copy=2", cp, &n), 0);
	CHECK_INT(dec("&region=eu", cp, &n), 0);
	CHECK_INT(dec("&amp2", cp, &n), 0);
}

static void test_not_references(void)
{
	static const char amp[] = "&amp;", num[] = "&#65;";
	uint32_t cp[2];
	unsigned n;

	CHECK_INT(dec("&", cp, &n), 0);
	CHECK_INT(dec("& b", cp, &n), 0);
	CHECK_INT(dec("&;", cp, &n), 0);
	CHECK_INT(dec("&nosuchname;", cp, &n), 0);
	CHECK_INT(dec("&Amp;", cp, &n), 0);
	CHECK_INT(dec("&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", cp, &n), 0);
	CHECK_INT(dec("x&amp;", cp, &n), 0);
	/* end bounds the read: "&amp;" cut after "&am" is not a reference and
	 * "&#65;" cut after "&#6" is U+0006. */
	CHECK_INT(entity_decode(amp, amp + 3, cp, &n), 0);
	CHECK_INT(entity_decode(num, num + 3, cp, &n), 3);
	CHECK_INT(cp[0], 6);
}

int main(void)
{
	RUN(test_numeric);
	RUN(test_named);
	RUN(test_missing_semicolon);
	RUN(test_not_references);
	return CHECK_EXIT();
}
