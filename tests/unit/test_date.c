/* SPDX-License-Identifier: MIT */
/* Unit tests for src/sources/date: RFC 822 and ISO 8601 shapes, zones,
 * malformed variants seen in real feeds, and RFC 3339 output. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/date.h"

/* Parses s and formats the result, or returns "ERR". */
static const char *iso(const char *s)
{
	static char out[21];
	int64_t t;

	if (date_parse(s, strlen(s), &t) != 0)
		return "ERR";
	if (date_format_rfc3339(t, out) != 0)
		return "RANGE";
	return out;
}

static void test_days_from_civil(void)
{
	CHECK_INT(date_days_from_civil(1970, 1, 1), 0);
	CHECK_INT(date_days_from_civil(1969, 12, 31), -1);
	CHECK_INT(date_days_from_civil(2000, 3, 1), 11017);
	CHECK_INT(date_days_from_civil(2018, 8, 24), 17767);
}

static void test_format(void)
{
	char out[21];

	CHECK_INT(date_format_rfc3339(1535086800, out), 0);
	CHECK_STR(out, "2018-08-24T05:00:00Z");
	CHECK_INT(date_format_rfc3339(0, out), 0);
	CHECK_STR(out, "1970-01-01T00:00:00Z");
	CHECK_INT(date_format_rfc3339(-1, out), 0);
	CHECK_STR(out, "1969-12-31T23:59:59Z");
	CHECK_INT(date_format_rfc3339(951782400, out), 0);
	CHECK_STR(out, "2000-02-29T00:00:00Z");
	CHECK_INT(date_format_rfc3339(INT64_MAX, out), -ERANGE);
	CHECK_STR(out, "");
}

static void test_rfc822(void)
{
	CHECK_STR(iso("Sun, 06 Jan 2008 12:00:00 GMT"), "2008-01-06T12:00:00Z");
	CHECK_STR(iso("Sun, 06 Jan 2008 12:00:00 +0000"), "2008-01-06T12:00:00Z");
	CHECK_STR(iso("Sat, 07 Sep 2002 00:00:01 -0500"), "2002-09-07T05:00:01Z");
	CHECK_STR(iso("Tue, 10 Jun 2003 09:41:01 +0530"), "2003-06-10T04:11:01Z");
	CHECK_STR(iso("Fri, 22 Mar 2019 10:56:09 +01:00"), "2019-03-22T09:56:09Z");
	CHECK_STR(iso("Mon, 16 Jun 2014 13:08:04 UT"), "2014-06-16T13:08:04Z");
	CHECK_STR(iso("Mon, 16 Jun 2014 13:08:04 UTC"), "2014-06-16T13:08:04Z");
	CHECK_STR(iso("  Mon, 16 Jun 2014 13:08:04 GMT \n"), "2014-06-16T13:08:04Z");
}

static void test_named_zones(void)
{
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 EST"), "2004-01-02T00:48:21Z");
	CHECK_STR(iso("Thu, 01 Jul 2004 19:48:21 EDT"), "2004-07-01T23:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 CST"), "2004-01-02T01:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 CDT"), "2004-01-02T00:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 MST"), "2004-01-02T02:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 MDT"), "2004-01-02T01:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 PST"), "2004-01-02T03:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 PDT"), "2004-01-02T02:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 pst"), "2004-01-02T03:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 GMT+1"), "2004-01-01T18:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21 Etc/GMT"), "2004-01-01T19:48:21Z");
	CHECK_STR(iso("Mon, 29 Mar 2010 19:27:00 +0000 (UTC)"), "2010-03-29T19:27:00Z");
}

static void test_military(void)
{
	/* RFC 822's own signs, as the common readers apply them. */
	CHECK_STR(iso("Thu, 01 Jan 2004 12:00:00 Z"), "2004-01-01T12:00:00Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 12:00:00 A"), "2004-01-01T13:00:00Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 12:00:00 M"), "2004-01-02T00:00:00Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 12:00:00 N"), "2004-01-01T11:00:00Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 12:00:00 Y"), "2004-01-01T00:00:00Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 12:00:00 J"), "ERR");
}

static void test_rfc822_variants(void)
{
	CHECK_STR(iso("Thu, 01 Jan 04 19:48:21 GMT"), "2004-01-01T19:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 99 19:48:21 GMT"), "1999-01-01T19:48:21Z");
	CHECK_STR(iso("01 Jan 2004 19:48 GMT"), "2004-01-01T19:48:00Z");
	CHECK_STR(iso("Mon, 01 Jan 2004 19:48:21 GMT"), "2004-01-01T19:48:21Z"); /* wrong weekday */
	CHECK_STR(iso("THURSDAY, 01 JANUARY 2004 19:48:21 GMT"), "2004-01-01T19:48:21Z");
	CHECK_STR(iso("thu, 1 january 2004 19:48:21 gmt"), "2004-01-01T19:48:21Z");
	CHECK_STR(iso("Thu, 01 Jan 2004"), "2004-01-01T00:00:00Z");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:48:21"), "2004-01-01T19:48:21Z");
	CHECK_STR(iso("Thu Jan 01 2004 19:48:21 GMT"), "2004-01-01T19:48:21Z");
	CHECK_STR(iso("Sun Jan  4 16:29:06 PST 2004"), "2004-01-05T00:29:06Z");
	CHECK_STR(iso("Sat, Dec 16 2023 02:02:33 PM"), "2023-12-16T14:02:33Z");
	CHECK_STR(iso("Sat, Dec 16 2023 12:02:33 AM"), "2023-12-16T00:02:33Z");
	CHECK_STR(iso("Thu,01 Jan 2004 19:48:21 GMT"), "2004-01-01T19:48:21Z");
	CHECK_STR(iso("01-Jan-2004 19:48:21 +0100"), "2004-01-01T18:48:21Z");
	CHECK_STR(iso("January 1st, 2004"), "2004-01-01T00:00:00Z");
}

static void test_iso8601(void)
{
	CHECK_STR(iso("2003-12-13T18:30:02Z"), "2003-12-13T18:30:02Z");
	CHECK_STR(iso("2003-12-13T18:30:02.25Z"), "2003-12-13T18:30:02Z");
	CHECK_STR(iso("2003-12-13T18:30:02+01:00"), "2003-12-13T17:30:02Z");
	CHECK_STR(iso("2003-12-13T18:30:02-0500"), "2003-12-13T23:30:02Z");
	CHECK_STR(iso("2003-12-13T18:30:02+01"), "2003-12-13T17:30:02Z");
	CHECK_STR(iso("2003-12-13 18:30:02"), "2003-12-13T18:30:02Z");
	CHECK_STR(iso("2003-12-13t18:30:02z"), "2003-12-13T18:30:02Z");
	CHECK_STR(iso("2003-12-13T18:30Z"), "2003-12-13T18:30:00Z");
	CHECK_STR(iso("2003-12-13T18:30:02"), "2003-12-13T18:30:02Z");
	CHECK_STR(iso("2003-12-13"), "2003-12-13T00:00:00Z");
	CHECK_STR(iso("2003-12"), "2003-12-01T00:00:00Z");
	CHECK_STR(iso("2003"), "2003-01-01T00:00:00Z");
	CHECK_STR(iso("20031213T183002Z"), "2003-12-13T18:30:02Z");
	CHECK_STR(iso("20031213"), "2003-12-13T00:00:00Z");
	CHECK_STR(iso("2003-12-13T18:30:02 +0100"), "2003-12-13T17:30:02Z");
	CHECK_STR(iso("2003-12-13T18:30:02 GMT"), "2003-12-13T18:30:02Z");
	CHECK_STR(iso("2003-12-13T24:00:00Z"), "2003-12-14T00:00:00Z");
	CHECK_STR(iso("2016-12-31T23:59:60Z"), "2016-12-31T23:59:59Z");
	CHECK_STR(iso("2004-2-8"), "2004-02-08T00:00:00Z");
	CHECK_STR(iso("2004/02/08 10:00"), "2004-02-08T10:00:00Z");
	/* one-digit seconds and a one-digit zone minute, as found in feeds */
	CHECK_STR(iso("2006-01-17T12:35:9+01:00"), "2006-01-17T11:35:09Z");
	CHECK_STR(iso("2017-06-13T03:18:00+00:0"), "2017-06-13T03:18:00Z");
}

static void test_invalid(void)
{
	CHECK_STR(iso(""), "ERR");
	CHECK_STR(iso("   "), "ERR");
	CHECK_STR(iso("yesterday"), "ERR");
	CHECK_STR(iso("2003-13-01"), "ERR");
	CHECK_STR(iso("2003-02-29"), "ERR");
	CHECK_STR(iso("2003-12-13T25:00:00Z"), "ERR");
	CHECK_STR(iso("2003-12-13T18:30:02+2500"), "ERR");
	CHECK_STR(iso("2003-12-13Tfoo"), "ERR");
	CHECK_STR(iso("Thu, 32 Jan 2004 19:48:21 GMT"), "ERR");
	CHECK_STR(iso("Thu, 01 Foo 2004 19:48:21 GMT"), "ERR");
	CHECK_STR(iso("Thu, 01 Jan 2004 19:61:21 GMT"), "ERR");
	CHECK_STR(iso("0000-01-01"), "ERR");
	CHECK_STR(iso("12345"), "ERR");
}

static void test_not_terminated(void)
{
	int64_t t = 0;
	const char s[] = "2003-12-13T18:30:02Zjunk";

	CHECK_INT(date_parse(s, 20, &t), 0);
	CHECK_INT(t, 1071340202);
	CHECK_INT(date_parse(s, sizeof(s) - 1, &t), -EINVAL);
}

int main(void)
{
	RUN(test_days_from_civil);
	RUN(test_format);
	RUN(test_rfc822);
	RUN(test_named_zones);
	RUN(test_military);
	RUN(test_rfc822_variants);
	RUN(test_iso8601);
	RUN(test_invalid);
	RUN(test_not_terminated);
	return CHECK_EXIT();
}
