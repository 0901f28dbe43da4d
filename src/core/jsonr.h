/* SPDX-License-Identifier: MIT */
/* A small pull reader for JSON over a caller buffer (JSON Feed, and the chat
 * services' answers to a push): walks objects and arrays, decodes strings
 * into bounded buffers, skips values without recursion. No allocation;
 * nesting depth is never stored. */
#ifndef DIGESTD_JSONR_H
#define DIGESTD_JSONR_H

#include <stddef.h>
#include <stdint.h>

enum jsonr_type {
	JSONR_BAD, /* not a JSON value here (or end of input) */
	JSONR_OBJECT,
	JSONR_ARRAY,
	JSONR_STRING,
	JSONR_NUMBER,
	JSONR_TRUE,
	JSONR_FALSE,
	JSONR_NULL,
};

struct jsonr {
	const char *p, *end;
};

void jsonr_init(struct jsonr *r, const char *buf, size_t len);
/* Type of the value at the cursor (whitespace skipped); does not consume. */
enum jsonr_type jsonr_peek(struct jsonr *r);
/* Consumes the value at the cursor, whatever it is. Returns 0 or -EINVAL. */
int jsonr_skip(struct jsonr *r);
/* Consumes the '{' or '[' at the cursor. Returns 0 or -EINVAL. */
int jsonr_enter(struct jsonr *r, enum jsonr_type want);
/* Inside an object: returns 1 with the raw key (no escapes decoded) and the
 * cursor on its value, 0 after consuming the closing '}', -EINVAL on error.
 * The caller must consume each value (read or skip) before the next call. */
int jsonr_next_key(struct jsonr *r, const char **key, size_t *klen);
/* Inside an array: 1 with the cursor on the next item, 0 after ']'. */
int jsonr_next_item(struct jsonr *r);
/* 1 when the raw key equals the literal. */
int jsonr_key_is(const char *key, size_t klen, const char *lit);
/* Consumes a string, writing it decoded as UTF-8 plus a NUL into out (cut at
 * a character boundary when out is small). A number is written as its text.
 * Returns the length written, or -EINVAL when the value is neither. */
long jsonr_string(struct jsonr *r, char *out, size_t size);

#endif
