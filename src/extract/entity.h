/* SPDX-License-Identifier: MIT */
/* Character references (&amp; &#233; &#xE9; &eacute;) shared by the XML and
 * HTML readers. Pure function over the caller's bytes; no allocation. */
#ifndef DIGESTD_ENTITY_H
#define DIGESTD_ENTITY_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the character reference starting at p ('&'), p < end. On success
 * stores the code point(s) in cp[0..*ncp) (HTML5 named references can be two
 * code points) and returns the number of bytes consumed (>0). Returns 0 when
 * the text is not a reference (the caller then copies '&' literally).
 * Numeric: &#NNN; and &#xHH; (';' optional, as browsers accept); zero,
 * surrogates and values past U+10FFFF give U+FFFD; &#128;-&#159; are read as
 * windows-1252 as HTML5 says. Named: 409 names (XML five, HTML 4, common
 * HTML5); ';' may be left out for the legacy Latin-1 names unless a letter,
 * digit or '=' follows, so that query strings in URLs stay intact. */
size_t entity_decode(const char *p, const char *end, uint32_t cp[2], unsigned *ncp);

#endif
