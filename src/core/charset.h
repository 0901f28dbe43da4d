/* SPDX-License-Identifier: MIT */
/* Character sets of feeds and pages: picks the encoding (BOM, XML prolog or
 * <meta>, Content-Type charset, the bytes), converts to UTF-8 into a caller
 * buffer or one character at a time. No allocation, no iconv, no locale. */
#ifndef DIGESTD_CHARSET_H
#define DIGESTD_CHARSET_H

#include <stddef.h>
#include <stdint.h>

/* How far the HTML standard's prescan looks for a <meta> charset. */
#define CHARSET_PRESCAN_BYTES 1024u

enum charset {
	CHARSET_UTF8,
	CHARSET_UTF16LE,
	CHARSET_UTF16BE,
	CHARSET_LATIN9,	 /* ISO-8859-15 */
	CHARSET_CP1252,	 /* windows-1252, also for ISO-8859-1 and US-ASCII labels */
	CHARSET_CP1251,	 /* windows-1251 (Cyrillic) */
	CHARSET_KOI8R,	 /* KOI8-R (Cyrillic) */
	CHARSET_LATIN7,	 /* ISO-8859-7 (Greek) */
	CHARSET_UNKNOWN, /* named but not supported: read as UTF-8 */
};

/* Looks up a charset label ("utf-8", "ISO_8859-1", "cp1252", ...; case and
 * punctuation ignored). ISO-8859-1, latin1 and US-ASCII give CHARSET_CP1252,
 * as the WHATWG Encoding standard says for the web: bytes 0x80..0x9F under
 * those labels are windows-1252 punctuation, never C1 controls. Returns
 * CHARSET_UNKNOWN for other names. */
enum charset charset_from_name(const char *name, size_t len);

/* Decides the encoding of buf: a BOM wins, then the encoding= of an XML
 * prolog, then the charset= parameter of content_type (may be NULL), else
 * UTF-8. *skip receives the BOM length to drop. Never fails. */
enum charset charset_detect(const char *buf, size_t len, const char *content_type,
			    size_t *skip);

/* Decides the encoding of an HTML page in the HTML standard's order: a BOM,
 * then the charset= of content_type (may be NULL), then a <meta charset> or
 * <meta http-equiv="Content-Type"> in the first CHARSET_PRESCAN_BYTES bytes,
 * else UTF-8 when the bytes are valid UTF-8 and windows-1252 when not. A
 * declared single-byte charset over valid non-ASCII UTF-8 gives UTF-8; a
 * declared charset digestd does not support gives CHARSET_UNKNOWN. Returns
 * CHARSET_UTF16LE/BE for a UTF-16 BOM or a UTF-16 page (which a byte-wise
 * reader cannot handle: the caller decides). *skip receives the BOM length.
 * Never fails. */
enum charset charset_detect_html(const char *buf, size_t len, const char *content_type,
				 size_t *skip);

/* The code point windows-1252 gives byte b: its own table for 0x80..0x9F
 * (0 for the five bytes it leaves unassigned), Latin-1 for the rest. */
uint32_t charset_cp1252(unsigned char b);

/* Decodes one character of cs at p (p < end) into *cp; invalid or unmappable
 * input gives U+FFFD. Returns the bytes consumed, at least 1. */
size_t charset_decode(enum charset cs, const unsigned char *p, const unsigned char *end,
		      uint32_t *cp);

/* Converts in[0..len) from cs to UTF-8 in out (NUL-terminated). Invalid or
 * unmappable input becomes U+FFFD, so the output is always valid UTF-8.
 * Returns the output length, or -ENOSPC when out is too small (out then holds
 * the complete characters that fitted, NUL-terminated, and *used receives how
 * many input bytes they came from when used is not NULL). */
long charset_to_utf8(enum charset cs, const char *in, size_t len, char *out, size_t size,
		     size_t *used);

#endif
