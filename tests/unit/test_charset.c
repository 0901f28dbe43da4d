/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/charset: detection order for feeds (BOM, prolog,
 * Content-Type, bytes) and pages (BOM, Content-Type, <meta> prescan, bytes),
 * each conversion, one-character decoding, invalid input and a full buffer. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/charset.h"

static enum charset detect(const char *s, size_t n, const char *ct, size_t *skip)
{
	return charset_detect(s, n, ct, skip);
}

static void test_names(void)
{
	CHECK_INT(charset_from_name("UTF-8", 5), CHARSET_UTF8);
	CHECK_INT(charset_from_name("utf8", 4), CHARSET_UTF8);
	/* WHATWG: ISO-8859-1 and US-ASCII labels are windows-1252 */
	CHECK_INT(charset_from_name("ISO-8859-1", 10), CHARSET_CP1252);
	CHECK_INT(charset_from_name("iso8859-1", 9), CHARSET_CP1252);
	CHECK_INT(charset_from_name("Latin1", 6), CHARSET_CP1252);
	CHECK_INT(charset_from_name("US-ASCII", 8), CHARSET_CP1252);
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
		  CHARSET_CP1252);
	/* a single-byte declaration over bytes that are UTF-8 is stale */
	CHECK_INT(detect(latin_utf8, sizeof(latin_utf8) - 1, NULL, &skip), CHARSET_UTF8);
	/* undeclared and not UTF-8: the Western legacy default */
	CHECK_INT(detect(plain, sizeof(plain) - 1, NULL, &skip), CHARSET_CP1252);
	CHECK_INT(detect("<a>caf\xC3\xA9</a>", 12, NULL, &skip), CHARSET_UTF8);
	/* a prolog claiming UTF-16 in an 8-bit file */
	CHECK_INT(detect("<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>", 44, NULL, &skip),
		  CHARSET_UTF8);
}

static enum charset html(const char *s, const char *ct)
{
	size_t skip = 99;
	enum charset cs = charset_detect_html(s, strlen(s), ct, &skip);

	return skip == 0 ? cs : CHARSET_UNKNOWN;
}

static void test_html_meta(void)
{
	/* <meta charset> in its spellings */
	CHECK_INT(html("<meta charset=\"iso-8859-15\"><p>\xA4", NULL), CHARSET_LATIN9);
	CHECK_INT(html("<META CHARSET=windows-1252>caf\xE9", NULL), CHARSET_CP1252);
	CHECK_INT(html("<meta charset = ' ISO-8859-1 ' />caf\xE9", NULL), CHARSET_CP1252);
	CHECK_INT(html("<meta\tcharset=koi8-r/>\xF0", NULL), CHARSET_KOI8R);
	CHECK_INT(html("<meta/charset=latin9>x", NULL), CHARSET_LATIN9);
	/* http-equiv in either attribute order, any case and quoting */
	CHECK_INT(html("<meta http-equiv=\"Content-Type\" content=\"text/html; "
		       "charset=ISO-8859-15\">\xBD", NULL), CHARSET_LATIN9);
	CHECK_INT(html("<meta content='text/html;charset=\"windows-1251\"' "
		       "HTTP-EQUIV='content-type'>\xCF", NULL), CHARSET_CP1251);
	CHECK_INT(html("<meta content=\"text/html; CHARSET = koi8-r\" "
		       "http-equiv=Content-Type>\xF0", NULL), CHARSET_KOI8R);
	/* content without http-equiv="Content-Type" declares nothing */
	CHECK_INT(html("<meta content=\"text/html; charset=koi8-r\">caf\xE9", NULL),
		  CHARSET_CP1252);
	CHECK_INT(html("<meta http-equiv=refresh content=\"5; charset=koi8-r\">caf\xE9", NULL),
		  CHARSET_CP1252);
	/* the first meta that declares one wins; later ones are not read */
	CHECK_INT(html("<meta name=viewport content=x><meta charset=koi8-r>"
		       "<meta charset=iso-8859-15>\xF0", NULL), CHARSET_KOI8R);
	/* the first of repeated attributes counts */
	CHECK_INT(html("<meta charset=koi8-r charset=utf-8>\xF0", NULL), CHARSET_KOI8R);
	/* a <meta> in a comment, in another tag's attribute value or in text
	 * after '<' is not markup */
	CHECK_INT(html("<!-- <meta charset=koi8-r> --><p>caf\xE9", NULL), CHARSET_CP1252);
	CHECK_INT(html("<!--><meta charset=koi8-r>\xF0", NULL), CHARSET_KOI8R);
	CHECK_INT(html("<div title='<meta charset=koi8-r>'>caf\xE9", NULL), CHARSET_CP1252);
	CHECK_INT(html("<!-- unterminated <meta charset=koi8-r>caf\xE9", NULL), CHARSET_CP1252);
	/* a meta naming UTF-16 was read as bytes: it is UTF-8 */
	CHECK_INT(html("<meta charset=utf-16>caf\xC3\xA9", NULL), CHARSET_UTF8);
	/* a label digestd does not support: read as UTF-8, as for feeds */
	CHECK_INT(html("<meta charset=big5>\xA4\x40", NULL), CHARSET_UNKNOWN);
	CHECK_INT(html("<meta charset=\"\">caf\xE9", NULL), CHARSET_CP1252);
}

static void test_html_prescan_limit(void)
{
	char page[CHARSET_PRESCAN_BYTES + 64];
	const char tag[] = "<meta charset=koi8-r>";
	size_t at = CHARSET_PRESCAN_BYTES - sizeof(tag) + 1; /* tag ends at byte 1024 */

	memset(page, ' ', sizeof(page));
	memcpy(page + at, tag, sizeof(tag) - 1);
	memcpy(page + sizeof(page) - 5, "\xF0\xC5\xD2x", 5);
	CHECK_INT(html(page, NULL), CHARSET_KOI8R);
	/* one byte later its '>' is past the prescan: not seen */
	memset(page, ' ', sizeof(page) - 5);
	memcpy(page + at + 1, tag, sizeof(tag) - 1);
	CHECK_INT(html(page, NULL), CHARSET_CP1252);
}

static void test_html_order(void)
{
	size_t skip = 99;
	const char bom16[] = "\xFF\xFE<\0p\0>\0";
	const char le16[] = "<\0p\0>\0";

	/* the header beats the meta */
	CHECK_INT(html("<meta charset=koi8-r>\xA4", "text/html; charset=ISO-8859-15"),
		  CHARSET_LATIN9);
	/* the BOM beats the header */
	CHECK_INT(charset_detect_html("\xEF\xBB\xBF<p>\xC3\xA9", 8, "text/html; charset=koi8-r",
				      &skip), CHARSET_UTF8);
	CHECK_INT(skip, 3);
	CHECK_INT(charset_detect_html(bom16, sizeof(bom16) - 1, "text/html; charset=utf-8",
				      &skip), CHARSET_UTF16LE);
	CHECK_INT(skip, 2);
	/* UTF-16 without a BOM: declared with NULs in the bytes, or sniffed */
	CHECK_INT(charset_detect_html(le16, sizeof(le16) - 1, "text/html; charset=utf-16le",
				      &skip), CHARSET_UTF16LE);
	CHECK_INT(charset_detect_html(le16, sizeof(le16) - 1, NULL, &skip), CHARSET_UTF16LE);
	CHECK_INT(skip, 0);
	/* a header naming UTF-16 over 8-bit bytes is wrong: the meta decides */
	CHECK_INT(html("<meta charset=koi8-r>\xF0", "text/html; charset=utf-16"), CHARSET_KOI8R);
	/* an unsupported label in the header */
	CHECK_INT(html("<p>\xA4\x40", "text/html; charset=shift_jis"), CHARSET_UNKNOWN);
	/* a header without charset: on to the meta */
	CHECK_INT(html("<meta charset=koi8-r>\xF0", "text/html"), CHARSET_KOI8R);
	/* stale declarations over valid non-ASCII UTF-8, in the header or meta */
	CHECK_INT(html("<p>caf\xC3\xA9", "text/html; charset=iso-8859-1"), CHARSET_UTF8);
	CHECK_INT(html("<meta charset=windows-1252><p>caf\xC3\xA9", NULL), CHARSET_UTF8);
	/* nothing declared: the bytes decide */
	CHECK_INT(html("<p>caf\xC3\xA9", NULL), CHARSET_UTF8);
	CHECK_INT(html("<p>caf\xE9", NULL), CHARSET_CP1252);
	CHECK_INT(html("<p>plain", NULL), CHARSET_UTF8);
	CHECK_INT(charset_detect_html("", 0, NULL, &skip), CHARSET_UTF8);
}

static void test_decode_one(void)
{
	const unsigned char cp1252[] = "\x80", latin9[] = "\xBD", utf8[] = "\xE2\x82\xAC",
			    bad[] = "\xC3(";
	uint32_t cp = 0;

	CHECK_INT(charset_decode(CHARSET_CP1252, cp1252, cp1252 + 1, &cp), 1);
	CHECK_INT(cp, 0x20AC);
	CHECK_INT(charset_decode(CHARSET_LATIN9, latin9, latin9 + 1, &cp), 1);
	CHECK_INT(cp, 0x0153);
	CHECK_INT(charset_decode(CHARSET_UTF8, utf8, utf8 + 3, &cp), 3);
	CHECK_INT(cp, 0x20AC);
	CHECK_INT(charset_decode(CHARSET_UNKNOWN, bad, bad + 2, &cp), 1);
	CHECK_INT(cp, 0xFFFD);
}

static const char *conv(enum charset cs, const char *in, size_t n)
{
	static char out[128];

	if (charset_to_utf8(cs, in, n, out, sizeof(out), NULL) < 0)
		return "ERR";
	return out;
}

/* The one windows-1252 table, shared with HTML's numeric references. */
static void test_cp1252(void)
{
	CHECK_INT(charset_cp1252(0x80), 0x20AC);
	CHECK_INT(charset_cp1252(0x96), 0x2013);
	CHECK_INT(charset_cp1252(0x9F), 0x0178);
	CHECK_INT(charset_cp1252(0x81), 0);
	CHECK_INT(charset_cp1252(0x9D), 0);
	CHECK_INT(charset_cp1252(0x41), 0x41);
	CHECK_INT(charset_cp1252(0xE9), 0xE9);
}

static void test_convert(void)
{
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

	CHECK_INT(charset_to_utf8(CHARSET_CP1252, "abc\xE9", 4, out, sizeof(out), &used), 5);
	CHECK_STR(out, "abc\xC3\xA9");
	CHECK_INT(used, 4);
	/* a character that does not fit whole is left out */
	CHECK_INT(charset_to_utf8(CHARSET_CP1252, "ab\xE9\xE9", 4, out, sizeof(out), &used),
		  -ENOSPC);
	CHECK_STR(out, "ab\xC3\xA9");
	CHECK_INT(used, 3);
	CHECK_INT(charset_to_utf8(CHARSET_CP1252, "a", 1, out, 0, NULL), -ENOSPC);
}

int main(void)
{
	RUN(test_names);
	RUN(test_detect);
	RUN(test_html_meta);
	RUN(test_html_prescan_limit);
	RUN(test_html_order);
	RUN(test_decode_one);
	RUN(test_cp1252);
	RUN(test_convert);
	RUN(test_full_buffer);
	return CHECK_EXIT();
}
