/* SPDX-License-Identifier: MIT */
/* Decimal numbers in the text digestd reads (the config, state files, the
 * outbox's headers, HTTP header values, the environment): the one bounded,
 * overflow-checked reader. ASCII digits only: no blanks, '+' or locale. */
#ifndef DIGESTD_DEC_H
#define DIGESTD_DEC_H

#include <stddef.h>
#include <stdint.h>

/* Reads the run of digits that s[0..len) starts with, all of it, as a
 * number at most max. Returns 0 with *out set; -EINVAL when s does not
 * start with a digit (*out untouched); -ERANGE when the number is above
 * max, with *out set to max for a caller that clamps. *used, unless NULL,
 * gets the run's length (0 with -EINVAL). Leading zeros are allowed. */
int dec_read(const char *s, size_t len, uint64_t max, uint64_t *out, size_t *used);

/* As dec_read, but the whole of s[0..len) must be the digits: anything
 * else in it, or nothing, is -EINVAL. */
int dec_parse(const char *s, size_t len, uint64_t max, uint64_t *out);

/* An optional '-', then dec_parse's digits, in min..max (min > INT64_MIN).
 * Returns 0 with *out set, -EINVAL, or -ERANGE (outside min..max; *out
 * untouched). */
int dec_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);

#endif
