/* SPDX-License-Identifier: MIT */
/* libFuzzer target: endpoint answers and ntfy header values
 * (src/push/service). Input: a kind byte, a status (two bytes), then the
 * answer body; the body is also tried as an ntfy title and click link.
 * The class follows the status alone (SMTP's rules for email: 5xx dead,
 * the rest retried); a wait is 0 to a day; a header line
 * never holds a control character (no header injection). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push/service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                \
	do {                                                                    \
		if (!(x)) {                                                     \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #x); \
			abort();                                                \
		}                                                               \
	} while (0)

static struct service_req rq;
static char text[MESSAGE_CLICK_BYTES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_endpoint ep;
	struct service_in in = { .ep = &ep, .secret_url = "", .token = "", .id = "dg_x" };
	unsigned kind;
	long status;
	int64_t wait;
	enum service_class k;
	size_t n;

	if (size < 3)
		return 0;
	kind = data[0] % (CFG_KIND_TELEGRAM + 1);
	status = (long)(data[1] << 8 | data[2]) % 700;
	k = service_classify(kind, status, (const char *)data + 3, size - 3, &wait);
	CHECK(wait >= 0 && wait <= PUSH_RETRY_AFTER_MAX);
	if (status >= 200 && status <= 299)
		CHECK(k == SERVICE_DELIVERED);
	else if (kind == CFG_KIND_EMAIL) /* SMTP: 5xx refuses for good, the rest waits */
		CHECK(k == (status >= 500 && status <= 599 ? SERVICE_DEAD : SERVICE_RETRY) &&
		      wait == 0);
	else if (status >= 400 && status <= 499 && status != 408 && status != 429)
		CHECK(k == SERVICE_DEAD && wait == 0);
	else
		CHECK(k == SERVICE_RETRY);

	n = size - 3 < sizeof text - 1 ? size - 3 : sizeof text - 1;
	memcpy(text, data + 3, n);
	text[n] = '\0';
	memset(&ep, 0, sizeof ep);
	ep.kind = CFG_KIND_NTFY;
	memcpy(ep.url, "https://ntfy.sh/t", sizeof("https://ntfy.sh/t"));
	/* As a title (message titles are at most MESSAGE_TITLE_BYTES). */
	in.title = strlen(text) < MESSAGE_TITLE_BYTES ? text : "";
	in.click = text;
	if (service_request(&in, &rq) == 0) {
		for (unsigned i = 0; i < rq.n; i++)
			for (const char *s = rq.line[i]; *s; s++)
				CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
	}
	return 0;
}
