/* SPDX-License-Identifier: MIT */
/* One configuration value: parsed from its text into its field, and back;
 * with the path, URL and text helpers the other cfg*.c files use. Used by
 * cfg*.c only. No allocation, no I/O. */
#ifndef DIGESTD_CFG_VALUE_H
#define DIGESTD_CFG_VALUE_H

#include <stddef.h>

#include "core/cfg_key.h"

/* Parses v for key k into field (relative paths against base_dir). Returns
 * 0, or a negative errno with why saying what was expected; -EACCES when v
 * may hold a secret, which the message must then not repeat. On failure
 * the field may be half-written: the caller restores it. */
int cfg_value_set(const struct cfg_key *k, void *field, const char *v, const char *base_dir,
		  char *why, size_t whysz);

/* Writes field (key k's) as the text that cfg_value_set reads back. */
void cfg_value_format(const struct cfg_key *k, const void *field, char *out, size_t size);

/* 1h30m, 4M: the forms cfg_value_set reads. */
void cfg_fmt_duration(unsigned long long s, char *out, size_t size);
void cfg_fmt_size(unsigned long long b, char *out, size_t size);

/* The index-th of the '|'-separated words, into out. */
void cfg_enum_word(const char *words, unsigned index, char *out, size_t size);

/* The '|'-separated words as "a, b, c", into out (cut to fit). */
void cfg_enum_list(const char *words, char *out, size_t size);

/* Which form a URL key's value has: a CFG_URL_* bit, or 0 for another
 * scheme. */
unsigned cfg_url_form(const char *v);

/* "an https:// or http:// URL or a folder path": what CFG_URL_* bits m
 * allow, for messages and docs. */
void cfg_url_expected(unsigned m, char *out, size_t size);

/* Joins base and rel (rel alone when absolute) into a normalised absolute
 * path: no ".", "..", repeated or trailing slashes; the rest of out zeroed.
 * Returns 0 or -ENAMETOOLONG. */
int cfg_path_join(const char *base, const char *rel, char *out, size_t size);

/* Where a SECRET value is read from (cfg.h's SECRET type): *credential says
 * it is in $CREDENTIALS_DIRECTORY. Returns 0, -EINVAL for an empty value or
 * -ENAMETOOLONG. */
int cfg_secret_resolve(const char *base_dir, const char *value, char *out, size_t size,
		       int *credential);

/* Copies s whole into out, zeroing the rest of out (equal configs compare
 * equal bytewise). Returns 0 or -ENAMETOOLONG. */
int cfg_copy_str(char *out, size_t size, const char *s);

/* s[0..len) for a message: control bytes escaped, long text cut with "...". */
void cfg_quote(char *out, size_t size, const char *s, size_t len);

/* cfg_quote for a URL value: its query and user info shown as *** first
 * (url_redact), as a query may carry a key or a token. */
void cfg_quote_url(char *out, size_t size, const char *url);

/* Does s hold a control character? */
int cfg_has_control(const char *s);

#endif
