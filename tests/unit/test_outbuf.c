/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/outbuf: a write that fits is kept with its NUL; one
 * that does not (by one byte too) is not counted and the output is full,
 * after which nothing more is written; an output of no bytes is full. */
#include <string.h>

#include "check.h"
#include "core/outbuf.h"

static void test_fits_and_fills(void)
{
	char buf[8];
	struct outbuf o;

	memset(buf, 'x', sizeof(buf));
	outbuf_init(&o, buf, sizeof(buf));
	outbuf_printf(&o, "%s", "ab");
	outbuf_printf(&o, "%d", 12345);
	CHECK_INT(o.full, 0);
	CHECK_INT(o.len, 7);
	CHECK_STR(buf, "ab12345"); /* 7 bytes and the NUL: the whole buffer */
	outbuf_printf(&o, "%s", "");
	CHECK_INT(o.full, 0);
	outbuf_printf(&o, "c");
	CHECK_INT(o.full, 1);
	CHECK_INT(o.len, 7);
	CHECK_STR(buf, "ab12345");
}

static void test_dropped_whole(void)
{
	char buf[6];
	struct outbuf o;

	outbuf_init(&o, buf, sizeof(buf));
	outbuf_printf(&o, "abc");
	outbuf_printf(&o, "defg"); /* needs 5 bytes with its NUL; 3 left */
	CHECK_INT(o.full, 1);
	CHECK_INT(o.len, 3);
	outbuf_printf(&o, "d"); /* would fit, but the output is full */
	CHECK_INT(o.len, 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
}

static void test_no_room(void)
{
	struct outbuf o;

	outbuf_init(&o, NULL, 0);
	CHECK_INT(o.full, 1);
	outbuf_printf(&o, "a");
	CHECK_INT(o.len, 0);
}

int main(void)
{
	RUN(test_fits_and_fills);
	RUN(test_dropped_whole);
	RUN(test_no_room);
	return CHECK_EXIT();
}
