/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/json: untrusted bytes written as text and as JSON
 * strings: controls (C0, DEL, C1) never reach the output raw, invalid UTF-8
 * becomes U+FFFD, whitespace runs collapse on request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/json.h"

/* What text_write (json = 0) or json_write_string (json = 1) writes for
 * in[0..len), in out (NUL-ended). */
static void written(const char *in, size_t len, int collapse, int json, char *out, size_t size)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	out[0] = '\0';
	CHECK(f != NULL);
	if (!f)
		return;
	if (json)
		json_write_string(f, in, len, collapse);
	else
		text_write(f, in, len, collapse);
	CHECK_INT(fclose(f), 0);
	CHECK(n < size);
	if (buf && n < size)
		memcpy(out, buf, n + 1);
	free(buf);
}

static void test_text_controls(void)
{
	/* ESC [ 2 J, DEL, U+009B (CSI as UTF-8), U+0085, then U+00A0 kept. */
	static const char in[] = "a\x1b[2Jb\x7f" "c\xc2\x9b" "31md\xc2\x85" "e\xc2\xa0" "f";
	char out[64];

	written(in, sizeof(in) - 1, 0, 0, out, sizeof(out));
	CHECK_STR(out, "a [2Jb c 31md e\xc2\xa0" "f");
	written("line\none\ttab", 12, 0, 0, out, sizeof(out));
	CHECK_STR(out, "line\none\ttab");
}

static void test_json_controls(void)
{
	static const char in[] = "\"q\\\x01\x7f\xc2\x9b\xc2\xa0";
	char out[64];

	written(in, sizeof(in) - 1, 0, 1, out, sizeof(out));
	CHECK_STR(out, "\"\\\"q\\\\\\u0001\\u007f\\u009b\xc2\xa0\"");
}

static void test_invalid_and_collapse(void)
{
	char out[64];

	written("x\xff\xc3(y", 5, 0, 0, out, sizeof(out));
	CHECK_STR(out, "x\xef\xbf\xbd\xef\xbf\xbd(y");
	written("  a \n\t b  ", 10, 1, 1, out, sizeof(out));
	CHECK_STR(out, "\" a b\"");
}

int main(void)
{
	RUN(test_text_controls);
	RUN(test_json_controls);
	RUN(test_invalid_and_collapse);
	return CHECK_EXIT();
}
