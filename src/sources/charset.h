/* SPDX-License-Identifier: MIT */
/* Character sets of feeds and pages: picks the encoding from a BOM, the XML
 * prolog or a Content-Type charset, and converts to UTF-8 into a caller
 * buffer. No allocation, no iconv, no locale. */
#ifndef DIGESTD_CHARSET_H
#define DIGESTD_CHARSET_H

#include <stddef.h>

enum charset {
	CHARSET_UTF8,
	CHARSET_UTF16LE,
	CHARSET_UTF16BE,
	CHARSET_LATIN1,	 /* ISO-8859-1 */
	CHARSET_LATIN9,	 /* ISO-8859-15 */
	CHARSET_CP1252,	 /* windows-1252 */
	CHARSET_CP1251,	 /* windows-1251 (Cyrillic) */
	CHARSET_KOI8R,	 /* KOI8-R (Cyrillic) */
	CHARSET_LATIN7,	 /* ISO-8859-7 (Greek) */
	CHARSET_UNKNOWN, /* named but not supported: read as UTF-8 */
};

/* Looks up a charset label ("utf-8", "ISO_8859-1", "cp1252", ...; case and
 * punctuation ignored). Returns CHARSET_UNKNOWN for other names. */
enum charset charset_from_name(const char *name, size_t len);

/* Decides the encoding of buf: a BOM wins, then the encoding= of an XML
 * prolog, then the charset= parameter of content_type (may be NULL), else
 * UTF-8. *skip receives the BOM length to drop. Never fails. */
enum charset charset_detect(const char *buf, size_t len, const char *content_type,
			    size_t *skip);

/* Converts in[0..len) from cs to UTF-8 in out (NUL-terminated). Invalid or
 * unmappable input becomes U+FFFD, so the output is always valid UTF-8.
 * Returns the output length, or -ENOSPC when out is too small (out then holds
 * the complete characters that fitted, NUL-terminated, and *used receives how
 * many input bytes they came from when used is not NULL). */
long charset_to_utf8(enum charset cs, const char *in, size_t len, char *out, size_t size,
		     size_t *used);

#endif
