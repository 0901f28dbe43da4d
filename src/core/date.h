/* SPDX-License-Identifier: MIT */
/* Feed date parsing: RFC 822/1123 and RFC 3339/ISO 8601 with the malformed
 * variants real feeds use, to UTC seconds. Pure: no TZ, no locale, no libc
 * time conversion. */
#ifndef DIGESTD_DATE_H
#define DIGESTD_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Parses s[0..len) (need not be NUL-terminated). Returns 0 and stores the
 * instant as seconds since 1970-01-01T00:00:00Z, or -EINVAL when the text is
 * not a date it understands. A date without a time is midnight; a time
 * without a zone is UTC. */
int date_parse(const char *s, size_t len, int64_t *utc_seconds);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" and a NUL into out. Returns 0, or
 * -ERANGE (out then holds "") when the year is outside 0..9999. */
int date_format_rfc3339(int64_t t, char out[21]);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
