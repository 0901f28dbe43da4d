/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/mem: mem_zero and mem_copy write every byte they
 * are given as memset and memcpy would and nothing else, at any alignment,
 * and leave pages never written unmapped (the resident set does not grow);
 * mem_release gives back whole pages only, and the resident set shrinks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "core/mem.h"

static void test_clears_range(void)
{
	static unsigned char buf[5 * MEM_ZERO_CHUNK];
	/* Starts and lengths on and off the block boundaries. */
	const size_t starts[] = { 0, 1, MEM_ZERO_CHUNK - 1, MEM_ZERO_CHUNK, 3 * MEM_ZERO_CHUNK + 5 };
	const size_t lens[] = { 0, 1, 7, MEM_ZERO_CHUNK, 2 * MEM_ZERO_CHUNK + 3 };

	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			size_t s = starts[i], n = lens[j], bad = 0;

			if (s + n > sizeof(buf))
				continue;
			memset(buf, 0xA5, sizeof(buf));
			mem_zero(buf + s, n);
			for (size_t k = 0; k < sizeof(buf); k++)
				bad += (k >= s && k < s + n) ? buf[k] != 0 : buf[k] != 0xA5;
			CHECK_INT(bad, 0);
		}
	}
}

/* Only one byte in a block set: the whole block is still cleared. */
static void test_sparse_bytes(void)
{
	static unsigned char buf[4 * MEM_ZERO_CHUNK];
	const size_t at[] = { 0, MEM_ZERO_CHUNK - 1, 2 * MEM_ZERO_CHUNK + 100, sizeof(buf) - 1 };
	size_t left = 0;

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		buf[at[i]] = 1;
	mem_zero(buf, sizeof(buf));
	for (size_t k = 0; k < sizeof(buf); k++)
		left += buf[k] != 0;
	CHECK_INT(left, 0);
}

/* Blocks of zeros and of data, into a destination holding old data: every
 * byte ends as the source's, and none past the range changes. */
static void test_copy_range(void)
{
	static unsigned char src[6 * MEM_ZERO_CHUNK], dst[6 * MEM_ZERO_CHUNK + 16];
	const size_t offs[] = { 0, 1, MEM_ZERO_CHUNK - 3 };
	size_t bad = 0;

	for (size_t k = 0; k < sizeof(src); k++) /* zero blocks 0, 2, 4; data 1, 3, 5 */
		src[k] = (k / MEM_ZERO_CHUNK) % 2 ? (unsigned char)(k % 251 + 1) : 0;
	src[4 * MEM_ZERO_CHUNK + 9] = 0x5A; /* one byte in a zero block */
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		size_t o = offs[i], n = sizeof(src) - MEM_ZERO_CHUNK;

		memset(dst, 0xC3, sizeof(dst));
		/* A destination block already zero stays zero. */
		memset(dst + o, 0, MEM_ZERO_CHUNK);
		mem_copy(dst + o, src + 1, n);
		bad += memcmp(dst + o, src + 1, n) != 0;
		for (size_t k = 0; k < sizeof(dst); k++)
			bad += (k < o || k >= o + n) && dst[k] != 0xC3;
	}
	CHECK_INT(bad, 0);
}

/* Resident pages of this process, from /proc/self/statm; -1 when unread. */
static long resident_pages(void)
{
	long size = -1, resident = -1;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident;
}

/* 32 MiB never written but for one byte: clearing it all must not make its
 * pages resident (a memset would add 32 MiB). */
static void test_untouched_pages_stay_unmapped(void)
{
	const size_t size = (size_t)32 << 20;
	long page = sysconf(_SC_PAGESIZE), before, after;
	unsigned char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	m[size / 2] = 7;
	before = resident_pages();
	mem_zero(m, size);
	after = resident_pages();
	CHECK(before > 0);
	CHECK_INT(m[size / 2], 0);
	/* Well under the 32 MiB; a little room for the test's own stdio. */
	CHECK((after - before) * page < (long)(4 << 20));
	munmap(m, size);
}

/* Copying zeros into 32 MiB never written (a struct's unused tail) maps none
 * of it; the data block is copied. */
static void test_copy_keeps_pages_unmapped(void)
{
	const size_t size = (size_t)32 << 20;
	long page = sysconf(_SC_PAGESIZE), before, after;
	unsigned char *m = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);

	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	m[size + 100] = 9; /* the source's one byte of data */
	before = resident_pages();
	mem_copy(m, m + size, size);
	after = resident_pages();
	CHECK(before > 0);
	CHECK_INT(m[100], 9);
	CHECK((after - before) * page < (long)(4 << 20));
	munmap(m, 2 * size);
}

/* 8 MiB written, released from one byte past its start to one byte before
 * its end: the partial first and last pages keep their bytes, and (on a
 * real kernel: qemu-user ignores the advice) the rest is no longer resident
 * and reads as zero. */
static void test_release_whole_pages(void)
{
	const size_t size = (size_t)8 << 20;
	long page = sysconf(_SC_PAGESIZE), before, after;
	unsigned char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *wrapper = getenv("TEST_WRAPPER");

	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	memset(m, 0x6B, size);
	before = resident_pages();
	mem_release(m + 1, size - 2);
	after = resident_pages();
	CHECK_INT(m[0], 0x6B);
	CHECK_INT(m[page - 1], 0x6B);
	CHECK_INT(m[size - page], 0x6B);
	CHECK_INT(m[size - 1], 0x6B);
	if (!wrapper || !wrapper[0]) {
		CHECK_INT(m[page], 0);
		CHECK_INT(m[size / 2], 0);
		CHECK_INT(m[size - page - 1], 0);
		/* All but the two end pages given back, less room for stdio. */
		CHECK((before - after) * page > (long)(size - (4u << 20)));
	}
	/* Nothing whole to give back: a range within one page is kept. */
	m[page + 10] = 0x11;
	mem_release(m + page + 5, (size_t)page - 10);
	CHECK_INT(m[page + 10], 0x11);
	munmap(m, size);
}

int main(void)
{
	RUN(test_clears_range);
	RUN(test_sparse_bytes);
	RUN(test_untouched_pages_stay_unmapped);
	RUN(test_copy_range);
	RUN(test_copy_keeps_pages_unmapped);
	RUN(test_release_whole_pages);
	return CHECK_EXIT();
}
