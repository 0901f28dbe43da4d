/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/log: a log line quoting a remote server's words
 * (an answer's excerpt, libcurl's words for a reply) stays one line of
 * plain text: no control a terminal acts on, C1 as UTF-8 included. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/log.h"

/* The line log_warnx writes for "push x: %s" with text, into out. */
static void logged(const char *text, char *out, size_t size)
{
	struct check_capture c;

	out[0] = '\0';
	CHECK_INT(check_stderr_begin(&c), 0);
	log_warnx("push x: %s", text);
	check_stderr_end(&c, out, size);
}

static void test_controls(void)
{
	char out[256];

	log_init(LOG_LVL_INFO, "t");
	/* ESC, newline, DEL, U+009B (CSI as UTF-8), U+0085 (NEL); a tab and
	 * U+00A0 are kept. */
	logged("a\x1b[2Jb\nc\x7f" "d\xc2\x9b" "31me\xc2\x85" "f\tg\xc2\xa0" "h", out, sizeof out);
	CHECK_STR(out, "t: push x: a [2Jb c d 31me f\tg\xc2\xa0" "h\n");
}

static void test_separators_and_bidi(void)
{
	char out[256];

	log_init(LOG_LVL_INFO, "t");
	/* U+2028, U+2029, U+202E (right-to-left override), U+2066 (isolate):
	 * a viewer may break the line there or show the rest reversed. */
	logged("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xe2\x80\xae" "d\xe2\x81\xa6" "e", out,
	       sizeof out);
	CHECK_STR(out, "t: push x: a b c d e\n");
}

static void test_invalid_utf8(void)
{
	char out[256];

	log_init(LOG_LVL_INFO, "t");
	/* A lone C1 byte is no UTF-8: U+FFFD, never the byte itself. */
	logged("a\x9b" "b", out, sizeof out);
	CHECK_STR(out, "t: push x: a\xef\xbf\xbd" "b\n");
}

int main(void)
{
	RUN(test_controls);
	RUN(test_separators_and_bidi);
	RUN(test_invalid_utf8);
	return CHECK_EXIT();
}
