/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the outbox entry reader (outbox_parse) over arbitrary
 * bytes. An accepted entry must be self-consistent: id as in the name, a
 * known format, the body exactly the bytes after the header. */
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
	return 0;
}
