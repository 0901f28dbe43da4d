/* SPDX-License-Identifier: MIT */
/* Encoding detection (feeds: BOM, prolog, Content-Type; pages: the HTML
 * standard's order with its <meta> prescan) and decoding to UTF-8. The tables
 * cover only the rows that differ from ISO-8859-1; the rest maps 1:1. */
#include "charset.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

enum charset charset_from_name(const char *name, size_t len)
{
	static const struct {
		const char *label;
		enum charset cs;
	} labels[] = {
		/* WHATWG labels; ISO-8859-1 and US-ASCII are windows-1252 there. */
		{ "utf8", CHARSET_UTF8 },	   { "unicode11utf8", CHARSET_UTF8 },
		{ "usascii", CHARSET_CP1252 },	   { "ascii", CHARSET_CP1252 },
		{ "ansix341968", CHARSET_CP1252 }, { "utf16le", CHARSET_UTF16LE },
		{ "utf16be", CHARSET_UTF16BE },	   { "utf16", CHARSET_UTF16BE },
		{ "iso88591", CHARSET_CP1252 },	   { "iso885911987", CHARSET_CP1252 },
		{ "latin1", CHARSET_CP1252 },	   { "l1", CHARSET_CP1252 },
		{ "csisolatin1", CHARSET_CP1252 }, { "isoir100", CHARSET_CP1252 },
		{ "ibm819", CHARSET_CP1252 },	   { "cp819", CHARSET_CP1252 },
		{ "windows1252", CHARSET_CP1252 }, { "cp1252", CHARSET_CP1252 },
		{ "xcp1252", CHARSET_CP1252 },	   { "iso885915", CHARSET_LATIN9 },
		{ "latin9", CHARSET_LATIN9 },	   { "l9", CHARSET_LATIN9 },
		{ "csisolatin9", CHARSET_LATIN9 }, { "windows1251", CHARSET_CP1251 },
		{ "cp1251", CHARSET_CP1251 },	   { "xcp1251", CHARSET_CP1251 },
		{ "koi8r", CHARSET_KOI8R },	   { "koi8", CHARSET_KOI8R },
		{ "iso88597", CHARSET_LATIN7 },	   { "greek", CHARSET_LATIN7 },
	};
	char key[24];
	size_t k = 0;

	/* Compare on letters and digits only: "ISO_8859-1", "iso8859-1" and
	 * "ISO-8859-1" are the same label. */
	for (size_t i = 0; i < len && k < sizeof(key) - 1; i++) {
		char c = utf8_ascii_lower(name[i]);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			key[k++] = c;
	}
	key[k] = '\0';
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(key, labels[i].label) == 0)
			return labels[i].cs;
	}
	return CHARSET_UNKNOWN;
}

/* Finds encoding="..." inside an XML declaration at the start of buf. */
static int prolog_encoding(const char *buf, size_t len, const char **name, size_t *nlen)
{
	const char *p = buf, *end, *q;

	if (len < 5 || memcmp(buf, "<?xml", 5) != 0)
		return 0;
	end = memchr(buf, '>', len < 512 ? len : 512);
	if (!end)
		return 0;
	for (q = p + 5; q + 8 < end; q++) {
		if (memcmp(q, "encoding", 8) != 0)
			continue;
		q += 8;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		if (q >= end || *q != '=')
			return 0;
		q++;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		if (q >= end || (*q != '"' && *q != '\''))
			return 0;
		{
			const char *v = q + 1, *ve = memchr(v, *q, (size_t)(end - v));
			if (!ve)
				return 0;
			*name = v;
			*nlen = (size_t)(ve - v);
			return 1;
		}
	}
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* The "= value" after a name at *pp: optional spaces, '=', optional spaces,
 * then a quoted value or a bare one ending at a space or at stop. Returns 1
 * with the value and *pp past it; 0 when no '=' follows (*pp past the
 * spaces); -1 when a quote is never closed. */
static int span_value(const char **pp, const char *end, char stop, const char **val,
		      size_t *vlen)
{
	const char *p = *pp;

	while (p < end && is_space(*p))
		p++;
	*pp = p;
	if (p >= end || *p != '=')
		return 0;
	p++;
	while (p < end && is_space(*p))
		p++;
	if (p < end && (*p == '"' || *p == '\'')) {
		const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));

		if (!q)
			return -1;
		*val = p + 1;
		*vlen = (size_t)(q - *val);
		*pp = q + 1;
		return 1;
	}
	*val = p;
	while (p < end && !is_space(*p) && *p != stop)
		p++;
	*vlen = (size_t)(p - *val);
	*pp = p;
	return 1;
}

/* The charset= parameter of a Content-Type header or of a <meta content>
 * value s[0..len), as the HTML standard extracts it: "charset" in any case,
 * optional spaces around '=', a quoted or bare value. */
static int content_type_charset(const char *s, size_t len, const char **name, size_t *nlen)
{
	const char *p = s, *end = s + len;
	int r;

	while ((size_t)(end - p) >= 7) {
		if (strncasecmp(p, "charset", 7) != 0) {
			p++;
			continue;
		}
		p += 7;
		r = span_value(&p, end, ';', name, nlen);
		if (r != 0)
			return r > 0 && *nlen > 0;
	}
	return 0;
}

/* 1 when buf is valid UTF-8 and has at least one multi-byte character,
 * 0 when it is plain ASCII, -1 when it is not UTF-8. */
static int utf8_shape(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf, *end = p + len;
	int multi = 0;

	while (p < end) {
		uint32_t cp;
		size_t n;

		if (*p < 0x80) {
			p++;
			continue;
		}
		n = utf8_decode(p, end, &cp);
		if (n == 1)
			return -1;
		multi = 1;
		p += n;
	}
	return multi;
}

/* A declared single-byte charset over bytes that are valid, non-ASCII UTF-8
 * is a stale declaration: real Latin text is almost never valid UTF-8. */
static enum charset single_byte_check(enum charset cs, const char *buf, size_t len)
{
	if (cs != CHARSET_UTF8 && cs != CHARSET_UNKNOWN && utf8_shape(buf, len) == 1)
		return CHARSET_UTF8;
	return cs;
}

/* A byte order mark: its encoding with *skip set to its length, or
 * CHARSET_UNKNOWN with *skip 0. */
static enum charset bom(const unsigned char *u, size_t len, size_t *skip)
{
	*skip = 0;
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		*skip = 3;
		return CHARSET_UTF8;
	}
	if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		*skip = 2;
		return CHARSET_UTF16LE;
	}
	if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		*skip = 2;
		return CHARSET_UTF16BE;
	}
	return CHARSET_UNKNOWN;
}

enum charset charset_detect(const char *buf, size_t len, const char *content_type,
			    size_t *skip)
{
	const unsigned char *u = (const unsigned char *)buf;
	const char *name;
	size_t nlen;
	enum charset cs;

	cs = bom(u, len, skip);
	if (*skip > 0)
		return cs;
	/* "<?" in UTF-16 without a BOM. */
	if (len >= 4 && u[0] == '<' && u[1] == 0 && u[2] == '?' && u[3] == 0)
		return CHARSET_UTF16LE;
	if (len >= 4 && u[0] == 0 && u[1] == '<' && u[2] == 0 && u[3] == '?')
		return CHARSET_UTF16BE;
	if (prolog_encoding(buf, len, &name, &nlen)) {
		cs = charset_from_name(name, nlen);
		/* A prolog naming UTF-16 in a file that is plainly 8-bit (we
		 * read "<?xml" as bytes) is wrong about the width. */
		if (cs == CHARSET_UTF16LE || cs == CHARSET_UTF16BE)
			cs = CHARSET_UTF8;
		if (cs != CHARSET_UNKNOWN)
			return single_byte_check(cs, buf, len);
	}
	if (content_type && content_type_charset(content_type, strlen(content_type), &name, &nlen)) {
		cs = charset_from_name(name, nlen);
		if (cs == CHARSET_UTF16LE || cs == CHARSET_UTF16BE || cs == CHARSET_UNKNOWN)
			cs = CHARSET_UTF8;
		return single_byte_check(cs, buf, len);
	}
	/* Nothing declared: UTF-8 if the bytes are UTF-8, else the legacy
	 * Western encoding that undeclared 8-bit feeds almost always use. */
	return utf8_shape(buf, len) < 0 ? CHARSET_CP1252 : CHARSET_UTF8;
}

/* The HTML standard's "get an attribute" inside a tag at *pp: the name
 * lower-cased into name (cut to size-1 bytes; every name we look for is far
 * shorter), the value as a span. Returns 1 for an attribute, 0 at '>' (*pp
 * then points at it), -1 when the bytes end first. */
static int prescan_attr(const char **pp, const char *end, char *name, size_t size,
			const char **val, size_t *vlen)
{
	const char *p = *pp;
	size_t n = 0;
	int r;

	while (p < end && (is_space(*p) || *p == '/'))
		p++;
	*pp = p;
	if (p >= end)
		return -1;
	if (*p == '>')
		return 0;
	do {
		if (n + 1 < size)
			name[n++] = utf8_ascii_lower(*p);
		p++;
	} while (p < end && *p != '=' && !is_space(*p) && *p != '/' && *p != '>');
	name[n] = '\0';
	*val = p;
	*vlen = 0;
	r = span_value(&p, end, '>', val, vlen);
	*pp = p;
	return r >= 0 && p < end ? 1 : -1;
}

/* The attributes of a <meta> at *pp (just past "<meta"), moving *pp past
 * its '>'. Returns 1 with *cs set when the tag declares a charset: charset=,
 * or content="...; charset=" together with http-equiv="Content-Type". The
 * first of repeated attributes counts. Returns 0 for another meta, -1 when
 * the bytes end inside the tag. */
static int prescan_meta(const char **pp, const char *end, enum charset *cs)
{
	const char *val, *label = NULL;
	size_t vlen, llen = 0;
	char name[16];
	int got_pragma = 0, need_pragma = -1, r;
	unsigned seen = 0;

	for (;;) {
		r = prescan_attr(pp, end, name, sizeof(name), &val, &vlen);
		if (r <= 0)
			break;
		if (strcmp(name, "http-equiv") == 0 && !(seen & 1)) {
			seen |= 1;
			got_pragma = vlen == 12 && strncasecmp(val, "content-type", 12) == 0;
		} else if (strcmp(name, "content") == 0 && !(seen & 2)) {
			seen |= 2;
			if (!label && content_type_charset(val, vlen, &label, &llen))
				need_pragma = 1;
		} else if (strcmp(name, "charset") == 0 && !(seen & 4)) {
			seen |= 4;
			label = val;
			llen = vlen;
			need_pragma = 0;
		}
	}
	if (r < 0)
		return -1;
	(*pp)++;
	if (need_pragma < 0 || (need_pragma == 1 && !got_pragma) || llen == 0)
		return 0;
	*cs = charset_from_name(label, llen);
	/* The standard's rule: a page whose <meta> we could read as bytes is
	 * not UTF-16, whatever the label says. */
	if (*cs == CHARSET_UTF16LE || *cs == CHARSET_UTF16BE)
		*cs = CHARSET_UTF8;
	return 1;
}

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The HTML standard's prescan of head[0..len): the first <meta> declaring a
 * charset, skipping comments and the attribute values of other tags (a
 * '<meta' inside a value or a comment is not a declaration). Returns 1 with
 * *cs set, 0 when none is found. */
static int prescan(const char *head, size_t len, enum charset *cs)
{
	const char *p = head, *end = head + len, *q;
	char name[16];
	const char *val;
	size_t vlen;
	int r;

	for (;;) {
		p = p < end ? memchr(p, '<', (size_t)(end - p)) : NULL;
		if (!p)
			return 0;
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			/* "<!-->" ends the comment too: the dashes may overlap. */
			for (q = p + 2; q + 3 <= end && memcmp(q, "-->", 3) != 0; q++)
				;
			if (q + 3 > end)
				return 0;
			p = q + 3;
		} else if (end - p >= 6 && strncasecmp(p + 1, "meta", 4) == 0 &&
			   (is_space(p[5]) || p[5] == '/')) {
			p += 5;
			r = prescan_meta(&p, end, cs);
			if (r != 0)
				return r > 0;
		} else if (end - p >= 3 && (is_letter(p[1]) || (p[1] == '/' && is_letter(p[2])))) {
			p += 2;
			while (p < end && !is_space(*p) && *p != '>')
				p++;
			do
				r = prescan_attr(&p, end, name, sizeof(name), &val, &vlen);
			while (r > 0);
			if (r < 0)
				return 0;
			p++;
		} else if (end - p >= 2 && (p[1] == '!' || p[1] == '/' || p[1] == '?')) {
			q = memchr(p, '>', (size_t)(end - p));
			if (!q)
				return 0;
			p = q + 1;
		} else {
			p++;
		}
	}
}

enum charset charset_detect_html(const char *buf, size_t len, const char *content_type,
				 size_t *skip)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t head = len < CHARSET_PRESCAN_BYTES ? len : CHARSET_PRESCAN_BYTES;
	const char *name;
	size_t nlen;
	enum charset cs = bom(u, len, skip);

	if (*skip > 0)
		return cs;
	if (content_type && content_type_charset(content_type, strlen(content_type), &name, &nlen)) {
		cs = charset_from_name(name, nlen);
		/* UTF-16 text has a NUL in every ASCII character: a header
		 * naming UTF-16 over bytes without one is wrong about the width. */
		if (cs != CHARSET_UTF16LE && cs != CHARSET_UTF16BE)
			return single_byte_check(cs, buf, len);
		if (memchr(buf, 0, head))
			return cs;
	}
	if (prescan(buf, head, &cs))
		return single_byte_check(cs, buf, len);
	/* "<" and an ASCII character in UTF-16 without a BOM: no prescan can
	 * read it, and as bytes it would pass for ASCII with NULs. */
	if (len >= 4 && u[0] == '<' && u[1] == 0 && u[2] != 0 && u[3] == 0)
		return CHARSET_UTF16LE;
	if (len >= 4 && u[0] == 0 && u[1] == '<' && u[2] == 0 && u[3] != 0)
		return CHARSET_UTF16BE;
	return utf8_shape(buf, len) < 0 ? CHARSET_CP1252 : CHARSET_UTF8;
}

/* windows-1252 0x80..0x9F; 0 marks the five unassigned bytes. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0,	0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,	0x017D, 0,
	0,	0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,	0x017E, 0x0178,
};

uint32_t charset_cp1252(unsigned char b)
{
	return b >= 0x80 && b < 0xA0 ? cp1252_high[b - 0x80] : b;
}

/* windows-1251 0x80..0xFF; 0 marks unassigned bytes. */
static const uint16_t cp1251_high[128] = {
	0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021,
	0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
	0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x0000, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
	0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7,
	0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
	0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7,
	0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
	0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
	0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F,
	0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427,
	0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F,
	0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437,
	0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F,
	0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
	0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F,
};

/* KOI8-R 0x80..0xFF; 0 marks unassigned bytes. */
static const uint16_t koi8r_high[128] = {
	0x2500, 0x2502, 0x250C, 0x2510, 0x2514, 0x2518, 0x251C, 0x2524,
	0x252C, 0x2534, 0x253C, 0x2580, 0x2584, 0x2588, 0x258C, 0x2590,
	0x2591, 0x2592, 0x2593, 0x2320, 0x25A0, 0x2219, 0x221A, 0x2248,
	0x2264, 0x2265, 0x00A0, 0x2321, 0x00B0, 0x00B2, 0x00B7, 0x00F7,
	0x2550, 0x2551, 0x2552, 0x0451, 0x2553, 0x2554, 0x2555, 0x2556,
	0x2557, 0x2558, 0x2559, 0x255A, 0x255B, 0x255C, 0x255D, 0x255E,
	0x255F, 0x2560, 0x2561, 0x0401, 0x2562, 0x2563, 0x2564, 0x2565,
	0x2566, 0x2567, 0x2568, 0x2569, 0x256A, 0x256B, 0x256C, 0x00A9,
	0x044E, 0x0430, 0x0431, 0x0446, 0x0434, 0x0435, 0x0444, 0x0433,
	0x0445, 0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E,
	0x043F, 0x044F, 0x0440, 0x0441, 0x0442, 0x0443, 0x0436, 0x0432,
	0x044C, 0x044B, 0x0437, 0x0448, 0x044D, 0x0449, 0x0447, 0x044A,
	0x042E, 0x0410, 0x0411, 0x0426, 0x0414, 0x0415, 0x0424, 0x0413,
	0x0425, 0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E,
	0x041F, 0x042F, 0x0420, 0x0421, 0x0422, 0x0423, 0x0416, 0x0412,
	0x042C, 0x042B, 0x0417, 0x0428, 0x042D, 0x0429, 0x0427, 0x042A,
};

/* ISO-8859-7 0x80..0xFF; 0 marks unassigned bytes. */
static const uint16_t latin7_high[128] = {
	0x0080, 0x0081, 0x0082, 0x0083, 0x0084, 0x0085, 0x0086, 0x0087,
	0x0088, 0x0089, 0x008A, 0x008B, 0x008C, 0x008D, 0x008E, 0x008F,
	0x0090, 0x0091, 0x0092, 0x0093, 0x0094, 0x0095, 0x0096, 0x0097,
	0x0098, 0x0099, 0x009A, 0x009B, 0x009C, 0x009D, 0x009E, 0x009F,
	0x00A0, 0x2018, 0x2019, 0x00A3, 0x20AC, 0x20AF, 0x00A6, 0x00A7,
	0x00A8, 0x00A9, 0x037A, 0x00AB, 0x00AC, 0x00AD, 0x0000, 0x2015,
	0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x0384, 0x0385, 0x0386, 0x00B7,
	0x0388, 0x0389, 0x038A, 0x00BB, 0x038C, 0x00BD, 0x038E, 0x038F,
	0x0390, 0x0391, 0x0392, 0x0393, 0x0394, 0x0395, 0x0396, 0x0397,
	0x0398, 0x0399, 0x039A, 0x039B, 0x039C, 0x039D, 0x039E, 0x039F,
	0x03A0, 0x03A1, 0x0000, 0x03A3, 0x03A4, 0x03A5, 0x03A6, 0x03A7,
	0x03A8, 0x03A9, 0x03AA, 0x03AB, 0x03AC, 0x03AD, 0x03AE, 0x03AF,
	0x03B0, 0x03B1, 0x03B2, 0x03B3, 0x03B4, 0x03B5, 0x03B6, 0x03B7,
	0x03B8, 0x03B9, 0x03BA, 0x03BB, 0x03BC, 0x03BD, 0x03BE, 0x03BF,
	0x03C0, 0x03C1, 0x03C2, 0x03C3, 0x03C4, 0x03C5, 0x03C6, 0x03C7,
	0x03C8, 0x03C9, 0x03CA, 0x03CB, 0x03CC, 0x03CD, 0x03CE, 0x0000,
};

static uint32_t latin9(unsigned char c)
{
	switch (c) {
	case 0xA4: return 0x20AC;
	case 0xA6: return 0x0160;
	case 0xA8: return 0x0161;
	case 0xB4: return 0x017D;
	case 0xB8: return 0x017E;
	case 0xBC: return 0x0152;
	case 0xBD: return 0x0153;
	case 0xBE: return 0x0178;
	default: return c;
	}
}

size_t charset_decode(enum charset cs, const unsigned char *p, const unsigned char *end,
		      uint32_t *cp)
{
	switch (cs) {
	case CHARSET_UTF16LE:
	case CHARSET_UTF16BE: {
		int le = cs == CHARSET_UTF16LE;
		uint32_t w1, w2;

		if (end - p < 2) {
			*cp = UTF8_REPLACEMENT;
			return (size_t)(end - p);
		}
		w1 = le ? (uint32_t)(p[0] | p[1] << 8) : (uint32_t)(p[0] << 8 | p[1]);
		if (w1 < 0xD800 || w1 > 0xDFFF) {
			*cp = w1;
			return 2;
		}
		if (w1 > 0xDBFF || end - p < 4) {
			*cp = UTF8_REPLACEMENT;
			return 2;
		}
		w2 = le ? (uint32_t)(p[2] | p[3] << 8) : (uint32_t)(p[2] << 8 | p[3]);
		if (w2 < 0xDC00 || w2 > 0xDFFF) {
			*cp = UTF8_REPLACEMENT;
			return 2;
		}
		*cp = 0x10000 + ((w1 - 0xD800) << 10) + (w2 - 0xDC00);
		return 4;
	}
	case CHARSET_LATIN9:
		*cp = latin9(p[0]);
		return 1;
	case CHARSET_CP1252:
		*cp = charset_cp1252(p[0]);
		if (*cp == 0)
			*cp = UTF8_REPLACEMENT;
		return 1;
	case CHARSET_CP1251:
	case CHARSET_KOI8R:
	case CHARSET_LATIN7: {
		const uint16_t *high = cs == CHARSET_CP1251 ? cp1251_high
				       : cs == CHARSET_KOI8R ? koi8r_high
							     : latin7_high;
		*cp = p[0] < 0x80 ? p[0] : high[p[0] - 0x80];
		if (*cp == 0)
			*cp = UTF8_REPLACEMENT;
		return 1;
	}
	case CHARSET_UTF8:
	case CHARSET_UNKNOWN:
	default:
		return utf8_decode(p, end, cp);
	}
}

long charset_to_utf8(enum charset cs, const char *in, size_t len, char *out, size_t size,
		     size_t *used)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	size_t o = 0;

	if (size == 0)
		return -ENOSPC;
	while (p < end) {
		uint32_t cp;
		unsigned char enc[4];
		size_t n = charset_decode(cs, p, end, &cp), k = utf8_encode(cp, enc);

		if (k >= size - o) {
			out[o] = '\0';
			if (used)
				*used = (size_t)(p - (const unsigned char *)in);
			return -ENOSPC;
		}
		memcpy(out + o, enc, k);
		o += k;
		p += n;
	}
	out[o] = '\0';
	if (used)
		*used = len;
	return (long)o;
}
