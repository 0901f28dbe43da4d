/* SPDX-License-Identifier: MIT */
/* JSON and text output helpers. One decoder loop serves them all so that
 * text, log lines and JSON show the same characters for the same input. */
#include "json.h"

#include <stdint.h>

#include "core/utf8.h"

enum emit_mode { EMIT_TEXT, EMIT_LINE, EMIT_JSON };

static void emit(FILE *f, const unsigned char *p, size_t len, int collapse, enum emit_mode mode)
{
	int json = mode == EMIT_JSON;
	const unsigned char *end = p + len;
	int pending_space = 0;

	while (p < end) {
		uint32_t cp;
		unsigned char enc[4];
		size_t n = utf8_decode(p, end, &cp);

		p += n;
		if (collapse && utf8_is_space(cp)) {
			pending_space = 1;
			continue;
		}
		if (pending_space) {
			fputc(' ', f);
			pending_space = 0;
		}
		if (json && (cp == '"' || cp == '\\')) {
			fputc('\\', f);
			fputc((int)cp, f);
		} else if (json && utf8_is_control(cp)) {
			/* A reader may print the string it decodes. */
			fprintf(f, "\\u%04x", (unsigned)cp);
		} else if (!json && utf8_is_control(cp) && cp != '\t' &&
			   (cp != '\n' || mode == EMIT_LINE)) {
			fputc(' ', f);
		} else if (mode == EMIT_LINE && utf8_is_layout_control(cp)) {
			fputc(' ', f);
		} else {
			fwrite(enc, 1, utf8_encode(cp, enc), f);
		}
	}
}

void text_write(FILE *f, const void *text, size_t len, int collapse)
{
	emit(f, text, len, collapse, EMIT_TEXT);
}

void text_write_line(FILE *f, const void *text, size_t len, int collapse)
{
	emit(f, text, len, collapse, EMIT_LINE);
}

void json_write_string(FILE *f, const void *text, size_t len, int collapse)
{
	fputc('"', f);
	emit(f, text, len, collapse, EMIT_JSON);
	fputc('"', f);
}
