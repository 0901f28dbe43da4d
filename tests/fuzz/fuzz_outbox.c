/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the outbox entry reader (outbox_parse) over arbitrary
 * bytes. An accepted entry must be self-consistent: id as in the name, a
 * known format, the body exactly the bytes after the header, and part lines
 * (part k/n with k < n, title and link with no control character) only
 * together with a part. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest/digest.h"
#include "outbox/outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct outbox_entry e;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char name[] = "00000000000000000001-dg_1.digest";
	char why[OUTBOX_REASON_BYTES];

	if (outbox_parse(name, data, size, &e, why) != 0) {
		if (memchr(why, '\0', sizeof why) == NULL || why[0] == '\0')
			abort();
		return 0;
	}
	if (strcmp(e.id, "dg_1") != 0 || strcmp(e.name, name) != 0 ||
	    (unsigned)e.format >= DIGEST_FORMATS || e.len > DIGEST_BODY_BYTES || e.len > size ||
	    memcmp(e.body, data + size - e.len, e.len) != 0)
		abort();
	if ((e.parts == 0 && (e.part || e.title[0] || e.click[0])) ||
	    (e.parts && e.part >= e.parts) || e.parts > OUTBOX_MAX_PARTS ||
	    !memchr(e.title, '\0', sizeof e.title) || !memchr(e.click, '\0', sizeof e.click))
		abort();
	for (const char *c = e.title; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
	for (const char *c = e.click; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
	return 0;
}
