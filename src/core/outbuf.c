/* SPDX-License-Identifier: MIT */
/* The checked output: vsnprintf into the rest of the buffer, kept only when
 * it fit whole. */
#include "outbuf.h"

#include <stdarg.h>
#include <stdio.h>

void outbuf_init(struct outbuf *o, char *p, size_t cap)
{
	o->p = p;
	o->len = 0;
	o->cap = cap;
	o->full = cap == 0;
}

void outbuf_printf(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = 1;
	else
		o->len += (size_t)n;
}
