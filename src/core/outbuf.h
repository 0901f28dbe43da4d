/* SPDX-License-Identifier: MIT */
/* A checked output into a caller's fixed buffer (STYLE habit 9): a write
 * that does not fit whole is not counted and marks the output full, and
 * every later one is skipped, so that the caller checks once, at the end.
 * Owns outbuf_init and outbuf_printf. No allocation, no I/O. */
#ifndef DIGESTD_OUTBUF_H
#define DIGESTD_OUTBUF_H

#include <stddef.h>

struct outbuf {
	char *p;
	size_t len, cap;
	int full; /* a write did not fit: the len bytes before it stand, what
		   * follows them in p is unspecified */
};

/* An empty output into p (cap bytes, of which one is kept for the NUL);
 * full from the start when cap is 0. */
void outbuf_init(struct outbuf *o, char *p, size_t cap);

/* Appends the formatted text with its NUL after it, or, when it does not
 * fit whole, sets o->full (len stays). Does nothing once full. */
void outbuf_printf(struct outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
