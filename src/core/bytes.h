/* SPDX-License-Identifier: MIT */
/* Fixed-width little-endian fields of the binary state files (the seen-set,
 * the pending list): one way to write and read them, whatever the CPU. */
#ifndef DIGESTD_BYTES_H
#define DIGESTD_BYTES_H

#include <stdint.h>

static inline void bytes_put32(unsigned char *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t bytes_get32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void bytes_put64(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t bytes_get64(const unsigned char *b)
{
	return (uint64_t)bytes_get32(b) | (uint64_t)bytes_get32(b + 4) << 32;
}

#endif
