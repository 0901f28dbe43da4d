/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/dec: runs of digits, whole numbers, bounds
 * (clamped or refused, never wrapped), signs, and lengths not NUL-ended. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/dec.h"

static void test_read(void)
{
	uint64_t v = 7;
	size_t used = 9;

	CHECK_INT(dec_read("1234x", 5, 10000, &v, &used), 0);
	CHECK_INT(v, 1234);
	CHECK_INT(used, 4);
	CHECK_INT(dec_read("007:30", 6, 99, &v, &used), 0);
	CHECK_INT(v, 7);
	CHECK_INT(used, 3);
	/* Only len bytes are read. */
	CHECK_INT(dec_read("12345", 2, 100, &v, &used), 0);
	CHECK_INT(v, 12);
	CHECK_INT(used, 2);
	v = 7;
	CHECK_INT(dec_read("x1", 2, 100, &v, &used), -EINVAL);
	CHECK_INT(v, 7);
	CHECK_INT(used, 0);
	CHECK_INT(dec_read(" 1", 2, 100, &v, NULL), -EINVAL);
	CHECK_INT(dec_read("+1", 2, 100, &v, NULL), -EINVAL);
	CHECK_INT(dec_read("-1", 2, 100, &v, NULL), -EINVAL);
	CHECK_INT(dec_read("", 0, 100, &v, NULL), -EINVAL);
	CHECK_INT(v, 7);
}

static void test_bounds(void)
{
	const char *big = "99999999999999999999999999999999999999;";
	uint64_t v = 0;
	size_t used = 0;

	CHECK_INT(dec_read("255", 3, 255, &v, NULL), 0);
	CHECK_INT(v, 255);
	/* Past max: clamped for a caller that clamps, and the whole run read. */
	CHECK_INT(dec_read("256", 3, 255, &v, &used), -ERANGE);
	CHECK_INT(v, 255);
	CHECK_INT(used, 3);
	CHECK_INT(dec_read(big, strlen(big), 86400, &v, &used), -ERANGE);
	CHECK_INT(v, 86400);
	CHECK_INT(used, strlen(big) - 1);
	CHECK_INT(dec_read("18446744073709551615", 20, UINT64_MAX, &v, NULL), 0);
	CHECK(v == UINT64_MAX);
	CHECK_INT(dec_read("18446744073709551616", 20, UINT64_MAX, &v, NULL), -ERANGE);
	CHECK(v == UINT64_MAX);
	CHECK_INT(dec_read("5", 1, 0, &v, NULL), -ERANGE);
	CHECK_INT(v, 0);
	CHECK_INT(dec_read("0000000000000000000000000000042", 31, 42, &v, NULL), 0);
	CHECK_INT(v, 42);
}

static void test_parse(void)
{
	uint64_t v = 3;

	CHECK_INT(dec_parse("65535", 5, 65535, &v), 0);
	CHECK_INT(v, 65535);
	CHECK_INT(dec_parse("65536", 5, 65535, &v), -ERANGE);
	CHECK_INT(dec_parse("80:90", 5, 65535, &v), -EINVAL);
	CHECK_INT(dec_parse("80 ", 3, 65535, &v), -EINVAL);
	CHECK_INT(dec_parse("", 0, 65535, &v), -EINVAL);
	CHECK_INT(dec_parse("80\n", 2, 65535, &v), 0);
	CHECK_INT(v, 80);
}

static void test_signed(void)
{
	int64_t x = 5;

	CHECK_INT(dec_parse_i64("-42", 3, -100, 100, &x), 0);
	CHECK_INT(x, -42);
	CHECK_INT(dec_parse_i64("42", 2, -100, 100, &x), 0);
	CHECK_INT(x, 42);
	CHECK_INT(dec_parse_i64("-0", 2, 0, 100, &x), 0);
	CHECK_INT(x, 0);
	x = 5;
	CHECK_INT(dec_parse_i64("-1", 2, 0, 100, &x), -ERANGE);
	CHECK_INT(dec_parse_i64("101", 3, -100, 100, &x), -ERANGE);
	CHECK_INT(dec_parse_i64("-101", 4, -100, 100, &x), -ERANGE);
	CHECK_INT(dec_parse_i64("-3", 2, -10, -5, &x), -ERANGE);
	CHECK_INT(dec_parse_i64("7", 1, -10, -5, &x), -ERANGE);
	CHECK_INT(dec_parse_i64("-", 1, -10, 10, &x), -EINVAL);
	CHECK_INT(dec_parse_i64("--1", 3, -10, 10, &x), -EINVAL);
	CHECK_INT(dec_parse_i64("+1", 2, -10, 10, &x), -EINVAL);
	CHECK_INT(x, 5);
	CHECK_INT(dec_parse_i64("9223372036854775807", 19, INT64_MIN + 1, INT64_MAX, &x), 0);
	CHECK(x == INT64_MAX);
	CHECK_INT(dec_parse_i64("-9223372036854775807", 20, INT64_MIN + 1, INT64_MAX, &x), 0);
	CHECK(x == INT64_MIN + 1);
	CHECK_INT(dec_parse_i64("9223372036854775808", 19, INT64_MIN + 1, INT64_MAX, &x),
		  -ERANGE);
}

int main(void)
{
	RUN(test_read);
	RUN(test_bounds);
	RUN(test_parse);
	RUN(test_signed);
	return CHECK_EXIT();
}
