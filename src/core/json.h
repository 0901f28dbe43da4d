/* SPDX-License-Identifier: MIT */
/* Writing JSON and plain text safely from untrusted bytes: strings escaped,
 * invalid UTF-8 replaced by U+FFFD, whitespace runs optionally collapsed. */
#ifndef DIGESTD_JSON_H
#define DIGESTD_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Writes text to f as valid UTF-8: invalid sequences become U+FFFD, controls
 * (C0 but newline and tab, DEL, C1) a space and, when collapse is set, every
 * run of whitespace becomes one space. */
void text_write(FILE *f, const void *text, size_t len, int collapse);
/* Writes text to f as one line, for a log line or a `status` field that
 * quotes remote words: as text_write, but a newline too, and the layout
 * controls (utf8_is_layout_control), become a space. */
void text_write_line(FILE *f, const void *text, size_t len, int collapse);
/* Writes a quoted JSON string with the same replacements, but controls
 * escaped (\u00XX) rather than replaced. */
void json_write_string(FILE *f, const void *text, size_t len, int collapse);

#endif
