/* SPDX-License-Identifier: MIT */
/* Unit tests for src/sources/charset: detection order (BOM, prolog,
 * Content-Type, bytes), each conversion, invalid input and a full buffer. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "sources/charset.h"

static enum charset detect(const char *s, size_t n, const char *ct, size_t *skip)
{
	return charset_detect(s, n, ct, skip);
}

static void test_names(void)
{
	CHECK_INT(charset_from_name("UTF-8", 5), CHARSET_UTF8);
	CHECK_INT(charset_from_name("utf8", 4), CHARSET_UTF8);
	CHECK_INT(charset_from_name("ISO-8859-1", 10), CHARSET_LATIN1);
	CHECK_INT(charset_from_name("iso8859-1", 9), CHARSET_LATIN1);
	CHECK_INT(charset_from_name("ISO_8859-15", 11), CHARSET_LATIN9);
	CHECK_INT(charset_from_name("Windows-1252", 12), CHARSET_CP1252);
	CHECK_INT(charset_from_name("windows-1251", 12), CHARSET_CP1251);
	CHECK_INT(charset_from_name("KOI8-R", 6), CHARSET_KOI8R);
	CHECK_INT(charset_from_name("utf-16le", 8), CHARSET_UTF16LE);
	CHECK_INT(charset_from_name("big5", 4), CHARSET_UNKNOWN);
	CHECK_INT(charset_from_name("", 0), CHARSET_UNKNOWN);
}

static void test_detect(void)
{
	size_t skip = 99;
	const char bom8[] = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a/>";
	const char prolog[] = "<?xml version='1.0' encoding = 'ISO-8859-15' ?><a>\xA4</a>";
	const char latin_utf8[] = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\xC3\xA9</a>";
	const char plain[] = "<a>caf\xE9</a>";

	CHECK_INT(detect(bom8, sizeof(bom8) - 1, NULL, &skip), CHARSET_UTF8);
	CHECK_INT(skip, 3);
	CHECK_INT(detect("\xFF\xFE<\0a\0", 6, NULL, &skip), CHARSET_UTF16LE);
	CHECK_INT(skip, 2);
	CHECK_INT(detect("\xFE\xFF\0<\0a", 6, NULL, &skip), CHARSET_UTF16BE);
	CHECK_INT(skip, 2);
	CHECK_INT(detect("<\0?\0x\0", 6, NULL, &skip), CHARSET_UTF16LE);
	CHECK_INT(skip, 0);
	CHECK_INT(detect(prolog, sizeof(prolog) - 1, NULL, &skip), CHARSET_LATIN9);
	/* the prolog wins over Content-Type */
	CHECK_INT(detect(prolog, sizeof(prolog) - 1, "text/xml; charset=utf-8", &skip),
		  CHARSET_LATIN9);
	CHECK_INT(detect("<a>x</a>", 8, "text/xml; Charset=\"ISO-8859-1\"", &skip),
		  CHARSET_LATIN1);
	/* a single-byte declaration over bytes that are UTF-8 is stale */
	CHECK_INT(detect(latin_utf8, sizeof(latin_utf8) - 1, NULL, &skip), CHARSET_UTF8);
	/* undeclared and not UTF-8: the Western legacy default */
	CHECK_INT(detect(plain, sizeof(plain) - 1, NULL, &skip), CHARSET_CP1252);
	CHECK_INT(detect("<a>caf\xC3\xA9</a>", 12, NULL, &skip), CHARSET_UTF8);
	/* a prolog claiming UTF-16 in an 8-bit file */
	CHECK_INT(detect("<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>", 44, NULL, &skip),
		  CHARSET_UTF8);
}

static const char *conv(enum charset cs, const char *in, size_t n)
{
	static char out[128];

	if (charset_to_utf8(cs, in, n, out, sizeof(out), NULL) < 0)
		return "ERR";
	return out;
}

static void test_convert(void)
{
	CHECK_STR(conv(CHARSET_LATIN1, "caf\xE9 \x80", 6), "caf\xC3\xA9 \xC2\x80");
	CHECK_STR(conv(CHARSET_CP1252, "\x93x\x94 \x80 \x81", 7),
		  "\xE2\x80\x9Cx\xE2\x80\x9D \xE2\x82\xAC \xEF\xBF\xBD");
	CHECK_STR(conv(CHARSET_LATIN9, "\xA4\xBD", 2), "\xE2\x82\xAC\xC5\x93");
	CHECK_STR(conv(CHARSET_CP1251, "\xCF\xF0\xE8", 3), "\xD0\x9F\xD1\x80\xD0\xB8");
	CHECK_STR(conv(CHARSET_KOI8R, "\xF0\xC5\xD2", 3), "\xD0\x9F\xD0\xB5\xD1\x80");
	CHECK_STR(conv(CHARSET_LATIN7, "\xE1\xE2", 2), "\xCE\xB1\xCE\xB2");
	CHECK_STR(conv(CHARSET_UTF16LE, "a\0\xE9\0=\xD8\0\xDE", 8), "a\xC3\xA9\xF0\x9F\x98\x80");
	CHECK_STR(conv(CHARSET_UTF16BE, "\0a\0\xE9\xD8=\xDE\0", 8), "a\xC3\xA9\xF0\x9F\x98\x80");
	/* lone surrogates and an odd trailing byte */
	CHECK_STR(conv(CHARSET_UTF16LE, "\0\xDC" "a\0" "b", 5), "\xEF\xBF\xBD" "a\xEF\xBF\xBD");
	CHECK_STR(conv(CHARSET_UTF16BE, "\xD8\0\0a", 4), "\xEF\xBF\xBD" "a");
	/* UTF-8 is validated: bad bytes, overlongs and surrogates become U+FFFD */
	CHECK_STR(conv(CHARSET_UTF8, "a\xFF" "b\xC0\xAF" "c\xED\xA0\x80", 9),
		  "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	CHECK_STR(conv(CHARSET_UTF8, "\xC3\xA9\xE2\x82\xAC", 5), "\xC3\xA9\xE2\x82\xAC");
}

static void test_full_buffer(void)
{
	char out[6]; /* five bytes and the NUL */
	size_t used = 99;

	CHECK_INT(charset_to_utf8(CHARSET_LATIN1, "abc\xE9", 4, out, sizeof(out), &used), 5);
	CHECK_STR(out, "abc\xC3\xA9");
	CHECK_INT(used, 4);
	/* a character that does not fit whole is left out */
	CHECK_INT(charset_to_utf8(CHARSET_LATIN1, "ab\xE9\xE9", 4, out, sizeof(out), &used),
		  -ENOSPC);
	CHECK_STR(out, "ab\xC3\xA9");
	CHECK_INT(used, 3);
	CHECK_INT(charset_to_utf8(CHARSET_LATIN1, "a", 1, out, 0, NULL), -ENOSPC);
}

int main(void)
{
	RUN(test_names);
	RUN(test_detect);
	RUN(test_convert);
	RUN(test_full_buffer);
	return CHECK_EXIT();
}
