/* SPDX-License-Identifier: MIT */
/* Zeroing and copying large static structs without mapping their untouched
 * pages: owns mem_zero and mem_copy. Never allocate; read every byte given. */
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

/* The smallest page size of the boards (4 KiB): a block this size and
 * alignment lies within one page on every page size. */
#define MEM_ZERO_CHUNK 4096u

#endif
