/* SPDX-License-Identifier: MIT */
/* Zeroing and copying large static structs without mapping their untouched
 * pages, and giving back the pages of one no longer needed: owns mem_zero,
 * mem_copy and mem_release. Never allocate. */
#ifndef DIGESTD_MEM_H
#define DIGESTD_MEM_H

#include <stddef.h>

/* As memset(p, 0, n), but writes only the MEM_ZERO_CHUNK-byte blocks
 * (aligned to the address, not to p) that hold a byte other than zero. A
 * page of a static array that was never written reads as the kernel's
 * shared zero page, which no process is charged for; memset would make
 * every page the daemon's own. Cannot fail. */
void mem_zero(void *p, size_t n);

/* As memcpy(dst, src, n) (no overlap), but a block of dst whose source
 * bytes are all zero is cleared as mem_zero clears it: unused parts of a
 * struct copied into a static one leave its pages unmapped. Cannot fail. */
void mem_copy(void *dst, const void *src, size_t n);

/* Gives back the whole pages within [p, p + n) of anonymous memory (static
 * data past the file's, or a private anonymous mapping), which then count
 * towards the process no more: for a scratch struct whose next user clears
 * what it uses. Their bytes read as zero afterwards, or (qemu-user ignores
 * the advice) as before: unspecified either way. Bytes in partial pages at
 * either end are kept. Cannot fail (madvise fails only for unmapped memory). */
void mem_release(void *p, size_t n);

/* The smallest page size of the boards (4 KiB): a block this size and
 * alignment lies within one page on every page size. */
#define MEM_ZERO_CHUNK 4096u

#endif
