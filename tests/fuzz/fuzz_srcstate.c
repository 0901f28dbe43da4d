/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the per-source state file reader. Whatever it accepts
 * must format and read back to the same state, and bound the next poll. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg.h"
#include "sources/fetch.h"
#include "sources/srcstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg cfg;
	struct srcstate s, back;
	char out[SRCSTATE_FILE_BYTES];
	/* A Retry-After as fetch gives it: up to FETCH_RETRY_AFTER_MAX away. */
	int64_t now = 1700000000, until = size ? now + data[0] * (FETCH_RETRY_AFTER_MAX / 255) : 0;
	int64_t limit;
	long n;

	if (srcstate_parse((const char *)data, size, "fuzz source", &s) != 0)
		return 0;
	n = srcstate_format(&s, "fuzz source", out, sizeof(out));
	if (n < 0 || srcstate_parse(out, (size_t)n, "fuzz source", &back) != 0 ||
	    strcmp(s.v.etag, back.v.etag) != 0 ||
	    strcmp(s.v.last_modified, back.v.last_modified) != 0 ||
	    s.last_attempt != back.last_attempt || s.last_success != back.last_success ||
	    s.failures != back.failures || s.next_due != back.next_due ||
	    s.retry_after_until != back.retry_after_until || s.status != back.status ||
	    strcmp(s.error, back.error) != 0 || s.items != back.items ||
	    s.problem_since != back.problem_since || s.problem_reported != back.problem_reported ||
	    s.next_poll != back.next_poll)
		abort();
	/* Whatever an error holds, noting it keeps a line the file can hold. */
	srcstate_note(&s, s.status, (const char *)out);
	if (srcstate_format(&s, "fuzz source", out, sizeof(out)) < 0)
		abort();
	cfg_defaults(&cfg);
	limit = now + FETCH_RETRY_AFTER_MAX + (int64_t)cfg.http.backoff_max;
	if (srcstate_not_before(&s, &cfg.http, now) > limit)
		abort();
	srcstate_record(&s, &cfg.http, now, 0, until);
	return 0;
}
