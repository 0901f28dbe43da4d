/* SPDX-License-Identifier: MIT */
/* mem_zero and mem_copy: memset and memcpy that leave blocks already zero
 * unwritten, so a static struct's pages that were never used stay unmapped;
 * mem_release: the pages of a struct done with, given back. */
#include "core/mem.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* True when the n bytes at p are all zero. */
static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* The bytes from p up to the next block boundary, at most n: a block then
 * lies in one page, where one spanning two would map both. */
static size_t block(const void *p, size_t n)
{
	size_t step = MEM_ZERO_CHUNK - (size_t)((uintptr_t)p % MEM_ZERO_CHUNK);

	return step < n ? step : n;
}

void mem_zero(void *p, size_t n)
{
	unsigned char *b = p;

	while (n > 0) {
		size_t step = block(b, n);

		if (!all_zero(b, step))
			memset(b, 0, step);
		b += step;
		n -= step;
	}
}

void mem_copy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n > 0) {
		size_t step = block(d, n);

		if (all_zero(s, step))
			mem_zero(d, step);
		else
			memcpy(d, s, step);
		d += step;
		s += step;
		n -= step;
	}
}

void mem_release(void *p, size_t n)
{
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t page = ps > 0 ? (uintptr_t)ps : MEM_ZERO_CHUNK;
	uintptr_t start = ((uintptr_t)p + page - 1) / page * page;
	uintptr_t end = ((uintptr_t)p + n) / page * page;

	/* Advice only: memory kept is memory as before, which callers clear
	 * before use anyway (mem.h), so a failure changes nothing. */
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_DONTNEED);
}
